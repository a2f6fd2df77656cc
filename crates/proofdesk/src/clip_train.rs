//! `proofdesk train-clip-probe`: trains the logistic probe on CLIP embeddings that the
//! pixel-level AI detector uses, and validates it leaving each source (repository) out
//! of its own training fold. AI-generated: the corpus groups `generated` and
//! `generated-meta` (pixels only) and the dataset's `A*.jpg`; authentic: `camera`,
//! `real`, `orientation` and the dataset's `B*.jpg`. Receipts are scored, never
//! trained on: none may be flagged. Every picture is also embedded re-saved as JPEG
//! quality 75, with its long side scaled to 1600 pixels, and shrunk to 80 % as a
//! screenshot would be; the probe trains on all four, both classes alike.
//!
//! Embeddings are cached (per file SHA-256 and variant) in the models directory, so a
//! second run takes seconds; the first embeds about 900 pictures (about 4 minutes on
//! two cores).

use crate::detector_train::{jpeg_round_trip, print_variants, reliability_of, score_figures, to_px};
use anyhow::{bail, Context, Result};
use clap::Args;
use proofdesk_engine::detector::clip::{ClipEncoder, ENCODER_SHA256};
use proofdesk_engine::detector::logistic::{auc, Logistic};
use proofdesk_engine::detector::probe::{Probe, PROBE_SCHEMA};
use proofdesk_engine::format::Format;
use proofdesk_engine::pixels::{self, Pixels};
use rayon::prelude::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

/// The forms every picture is embedded in.
pub const VARIANTS: [&str; 4] = ["original", "jpeg75", "long1600", "screenshot"];
/// Source name of github:declan-wright/Image-Dataset.
pub const IMAGE_DATASET: &str = "github:declan-wright/Image-Dataset";
/// Ridge penalty on the standardised embedding (the default of `--lambda`).
const LAMBDA: f64 = 300.0;
/// Largest share of authentic pictures (held-out scores, all variants) flagged.
const MAX_FALSE_POSITIVES: f64 = 0.02;
/// Largest picture decoded, in pixels.
const MAX_PIXELS: u64 = 100_000_000;
/// Version of the embedding cache's keys (bump when preprocessing changes).
const CACHE_VERSION: &str = "clip-embed/1";

/// `proofdesk train-clip-probe`.
#[derive(Args)]
pub struct ClipTrainArgs {
    /// The shared corpus (with MANIFEST.csv).
    #[arg(long, default_value = "../shared/corpus")]
    corpus: PathBuf,
    /// A checkout of github:declan-wright/Image-Dataset (MIT; 30 generated `A*.jpg`
    /// and 30 real `B*.jpg`), trained on as a fifth source.
    #[arg(long)]
    image_dataset: Option<PathBuf>,
    /// Where to write the probe.
    #[arg(long, default_value = "crates/engine/models/clip-probe.json")]
    out: PathBuf,
    /// Print the validation report as JSON (`proofdesk.detector-eval/1`) instead of text.
    #[arg(long)]
    json: bool,
    /// Ridge penalty on the standardised embedding.
    #[arg(long, default_value_t = LAMBDA)]
    lambda: f64,
    /// Instead of training: time decoding, preprocessing and the encoder on this picture
    /// (median of 5 runs, one core).
    #[arg(long, value_name = "FILE")]
    time: Option<PathBuf>,
}

/// One picture with its embedding per variant.
pub struct Item {
    /// Path inside the corpus or dataset.
    pub name: String,
    /// MANIFEST group (`dataset` for the extra dataset).
    pub group: String,
    /// Repository.
    pub source: String,
    /// AI-generated, authentic, or `None` for receipts (scored only).
    pub ai: Option<bool>,
    /// Unit-length embedding per [`VARIANTS`] entry.
    pub embeddings: Vec<Option<Vec<f32>>>,
}

/// A picture to embed: file, name, group, source, label.
type Listed = (PathBuf, String, String, String, Option<bool>);

/// The pictures to embed.
fn list(corpus: &Path, dataset: Option<&Path>) -> Result<Vec<Listed>> {
    let manifest = corpus.join("MANIFEST.csv");
    let mut reader = csv::Reader::from_path(&manifest).with_context(|| format!("read {}", manifest.display()))?;
    let mut out = Vec::new();
    for row in reader.records() {
        let row = row?;
        let (path, group, source) = (row.get(0).unwrap_or(""), row.get(1).unwrap_or(""), row.get(4).unwrap_or(""));
        let ai = match group {
            "generated" | "generated-meta" => Some(true),
            "camera" | "real" | "orientation" => Some(false),
            "receipt" => None,
            _ => continue,
        };
        let source = source.rsplit_once(':').map_or(source, |x| x.0).to_owned();
        out.push((corpus.join(path), path.to_owned(), group.to_owned(), source, ai));
    }
    if let Some(dir) = dataset {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .with_context(|| format!("read {}", dir.display()))?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".jpg") && (n.starts_with('A') || n.starts_with('B')))
            .collect();
        names.sort();
        if names.len() < 10 {
            bail!("{} does not look like a checkout of {IMAGE_DATASET} (A*.jpg and B*.jpg)", dir.display());
        }
        for n in names {
            let ai = n.starts_with('A');
            out.push((dir.join(&n), n, "dataset".into(), IMAGE_DATASET.into(), Some(ai)));
        }
    }
    Ok(out)
}

/// The picture in every [`VARIANTS`] form.
fn variants(px: &Pixels) -> Vec<Option<Pixels>> {
    use image::imageops::{resize, FilterType};
    let Some(img) = image::RgbImage::from_raw(px.width as u32, px.height as u32, px.rgb.clone()) else {
        return VARIANTS.iter().map(|_| None).collect();
    };
    let jpeg75 = jpeg_round_trip(&img, 75);
    let long = img.width().max(img.height()) as f64;
    let (w, h) = ((img.width() as f64 * 1600.0 / long).round() as u32, (img.height() as f64 * 1600.0 / long).round() as u32);
    let long1600 = Some(to_px(resize(&img, w.max(1), h.max(1), FilterType::Lanczos3)));
    let (w, h) = ((img.width() as f64 * 0.8).round() as u32, (img.height() as f64 * 0.8).round() as u32);
    let screenshot = Some(to_px(resize(&img, w.max(1), h.max(1), FilterType::Triangle)));
    let original = Pixels { width: px.width, height: px.height, rgb: px.rgb.clone() };
    vec![Some(original), jpeg75, long1600, screenshot]
}

/// Embeds every listed picture in every variant, reading and updating the cache.
pub fn embed_all(encoder: &ClipEncoder, corpus: &Path, dataset: Option<&Path>) -> Result<Vec<Item>> {
    let listed = list(corpus, dataset)?;
    let cache_path = crate::models::dir().join("clip-embeddings.json");
    let cache: HashMap<String, Vec<f32>> = std::fs::read_to_string(&cache_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let cache = Mutex::new(cache);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let total = listed.len();
    let items: Vec<Item> = listed
        .into_par_iter()
        .filter_map(|(file, name, group, source, ai)| {
            let bytes = std::fs::read(&file).ok()?;
            let sum = crate::index::hex(&Sha256::digest(&bytes));
            let key = |v: &str| format!("{CACHE_VERSION}/{}/{sum}/{v}", &ENCODER_SHA256[..12]);
            // Receipts are only scored as received.
            let wanted = if ai.is_some() { VARIANTS.len() } else { 1 };
            let cached: Vec<Option<Vec<f32>>> = {
                let c = cache.lock().ok()?;
                VARIANTS.iter().map(|v| c.get(&key(v)).cloned()).collect()
            };
            let embeddings = if cached.iter().take(wanted).all(Option::is_some) {
                cached
            } else {
                let px = pixels::decode(&bytes, Format::detect(&bytes), (None, None), MAX_PIXELS).ok()?;
                let mut forms = variants(&px);
                forms.truncate(wanted);
                let mut embedded: Vec<Option<Vec<f32>>> = forms
                    .iter()
                    .map(|v| v.as_ref().and_then(|p| encoder.embed(p).ok().flatten()))
                    .collect();
                embedded.resize(VARIANTS.len(), None);
                if let Ok(mut c) = cache.lock() {
                    for (v, e) in VARIANTS.iter().zip(&embedded) {
                        if let Some(e) = e {
                            c.insert(key(v), e.clone());
                        }
                    }
                }
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if n.is_multiple_of(25) {
                    eprintln!("embedded {n} new pictures of {total}");
                }
                embedded
            };
            Some(Item { name, group, source, ai, embeddings })
        })
        .collect();
    let cache = cache.into_inner().unwrap_or_default();
    if done.into_inner() > 0 {
        let tmp = cache_path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec(&cache)?).with_context(|| format!("write {}", tmp.display()))?;
        std::fs::rename(&tmp, &cache_path)?;
    }
    let mut items = items;
    items.sort_by(|a, b| (&a.source, &a.name).cmp(&(&b.source, &b.name)));
    Ok(items)
}

fn as_f64(e: &[f32]) -> Vec<f64> {
    e.iter().map(|&v| v as f64).collect()
}

/// Fits the probe on every variant of the labelled items.
fn fit(items: &[&Item], lambda: f64) -> Logistic {
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for it in items {
        let Some(ai) = it.ai else { continue };
        for e in it.embeddings.iter().flatten() {
            xs.push(as_f64(e));
            ys.push(ai);
        }
    }
    Logistic::fit(&xs, &ys, lambda)
}

fn logit_of(model: &Logistic, e: &[f32]) -> f64 {
    let p = model.probability(&as_f64(e)).clamp(1e-9, 1.0 - 1e-9);
    (p / (1.0 - p)).ln()
}

/// Held-out logits per item and variant: each source scored by a probe trained on the
/// others (receipts by none: `None`).
fn leave_one_source_out(items: &[Item], lambda: f64) -> Vec<Vec<Option<f64>>> {
    let sources: BTreeSet<&str> = items.iter().filter(|i| i.ai.is_some()).map(|i| i.source.as_str()).collect();
    let folds: Vec<(&str, Logistic)> = sources
        .into_par_iter()
        .map(|s| {
            let train: Vec<&Item> = items.iter().filter(|i| i.source != s).collect();
            (s, fit(&train, lambda))
        })
        .collect();
    items
        .iter()
        .map(|it| {
            let model = folds.iter().find(|(s, _)| *s == it.source && it.ai.is_some()).map(|(_, m)| m);
            it.embeddings
                .iter()
                .map(|e| Some(logit_of(model?, e.as_ref()?)))
                .collect()
        })
        .collect()
}

/// The lowest probability that flags at most [`MAX_FALSE_POSITIVES`] of `authentic`.
fn operating_point(mut authentic: Vec<f64>) -> f64 {
    authentic.sort_by(f64::total_cmp);
    if authentic.is_empty() {
        return 0.5;
    }
    let keep = ((authentic.len() as f64) * (1.0 - MAX_FALSE_POSITIVES)).ceil() as usize;
    (authentic[keep.min(authentic.len() - 1)] + 1e-6).clamp(0.05, 0.99)
}

/// What training produced: the probe and its validation report.
pub struct Trained {
    /// The probe on all pictures.
    pub probe: Probe,
    /// The validation report (schema `proofdesk.detector-eval/1`).
    pub report: Value,
}

/// Validates by leaving each source out, calibrates, chooses the operating point and
/// fits the final probe on everything.
pub fn train(items: &[Item], lambda: f64) -> Result<Trained> {
    let labelled: Vec<&Item> = items.iter().filter(|i| i.ai.is_some()).collect();
    let (ai, auth) = (
        labelled.iter().filter(|i| i.ai == Some(true)).count(),
        labelled.iter().filter(|i| i.ai == Some(false)).count(),
    );
    if ai < 5 || auth < 5 {
        bail!("too few pictures to train on: {ai} AI-generated, {auth} authentic");
    }
    let held_out = leave_one_source_out(items, lambda);
    // Platt calibration on the held-out logits of the pictures as received.
    let (xs, ys): (Vec<Vec<f64>>, Vec<bool>) = items
        .iter()
        .zip(&held_out)
        .filter_map(|(it, l)| Some((vec![l[0]?], it.ai?)))
        .unzip();
    let calibration = Logistic::fit(&xs, &ys, 1e-3);
    let prob = |l: f64| calibration.probability(&[l]);
    let probs: Vec<Vec<Option<f64>>> = held_out.iter().map(|l| l.iter().map(|x| x.map(prob)).collect()).collect();
    let authentic: Vec<f64> = items
        .iter()
        .zip(&probs)
        .filter(|(it, _)| it.ai == Some(false))
        .flat_map(|(_, p)| p.iter().flatten().copied())
        .collect();
    let threshold = operating_point(authentic);
    let all: Vec<&Item> = items.iter().collect();
    let logistic = fit(&all, lambda);
    let mut probe = Probe {
        schema: PROBE_SCHEMA.into(),
        name: "proofdesk-clip-probe-1".into(),
        encoder_sha256: ENCODER_SHA256.into(),
        logistic,
        calibration,
        threshold,
        camera_false_positive_rate: 0.0,
        training: Value::Null,
    };
    let report = report(items, &probs, &probe);
    probe.camera_false_positive_rate =
        report["variants"]["original"]["photos"]["false_positive_rate"].as_f64().unwrap_or(1.0);
    let sources: BTreeMap<&str, (usize, usize)> = labelled.iter().fold(BTreeMap::new(), |mut m, i| {
        let e = m.entry(i.source.as_str()).or_insert((0, 0));
        if i.ai == Some(true) { e.0 += 1 } else { e.1 += 1 }
        m
    });
    probe.training = json!({
        "command": "proofdesk train-clip-probe --corpus ../shared/corpus --image-dataset <checkout of github:declan-wright/Image-Dataset>",
        "sources": sources.iter().map(|(s, (a, r))| json!({"source": s, "ai": a, "authentic": r})).collect::<Vec<_>>(),
        "variants": VARIANTS, "lambda": lambda,
        "held_out": report["variants"]["original"]["overall"],
    });
    Ok(Trained { probe, report })
}

/// The validation report from held-out probabilities.
fn report(items: &[Item], probs: &[Vec<Option<f64>>], probe: &Probe) -> Value {
    let t = probe.threshold;
    let scores = |v: usize, keep: &dyn Fn(&Item) -> bool| {
        let (mut pos, mut neg) = (Vec::new(), Vec::new());
        for (it, p) in items.iter().zip(probs) {
            if let (Some(ai), Some(p)) = (it.ai, p[v]) {
                if keep(it) {
                    if ai { pos.push(p) } else { neg.push(p) }
                }
            }
        }
        (pos, neg)
    };
    let sources: BTreeSet<&str> = items.iter().filter(|i| i.ai.is_some()).map(|i| i.source.as_str()).collect();
    let mut per_variant = serde_json::Map::new();
    for (v, name) in VARIANTS.iter().enumerate() {
        let (pos, neg) = scores(v, &|_| true);
        let mut per_source = serde_json::Map::new();
        for src in &sources {
            let (sp, sn) = scores(v, &|i| i.source == *src);
            let (op, on) = scores(v, &|i| i.source != *src);
            let mut f = score_figures(&sp, &sn, t);
            // The source's pictures against the other class from the other sources.
            let against = auc(if sp.is_empty() { &op } else { &sp }, if sn.is_empty() { &on } else { &sn });
            f["auc_against_other_sources"] = json!(against.map(|a| (a * 1000.0).round() / 1000.0));
            per_source.insert(src.to_string(), f);
        }
        let (_, cn) = scores(v, &|i| i.group == "camera");
        let (_, pn) = scores(v, &|i| matches!(i.group.as_str(), "camera" | "real" | "dataset"));
        per_variant.insert(name.to_string(), json!({
            "overall": score_figures(&pos, &neg, t),
            "camera": score_figures(&pos, &cn, t),
            "photos": score_figures(&pos, &pn, t),
            "per_source": per_source,
        }));
    }
    let pairs: Vec<(f64, bool)> =
        items.iter().zip(probs).filter_map(|(it, p)| Some((p[0]?, it.ai?))).collect();
    // Receipts: scored by the final probe, which has seen no receipt.
    let receipts: Vec<f64> = items
        .iter()
        .filter(|i| i.ai.is_none())
        .filter_map(|i| i.embeddings[0].as_ref())
        .map(|e| probe.probability(e))
        .collect();
    let flagged = receipts.iter().filter(|&&p| p >= t).count();
    let max = receipts.iter().copied().fold(0.0, f64::max);
    json!({
        "schema": "proofdesk.detector-eval/1",
        "detector": probe.name,
        "validation": "leave one source out",
        "threshold": (t * 1000.0).round() / 1000.0,
        "pictures": {"ai": pairs.iter().filter(|p| p.1).count(), "authentic": pairs.iter().filter(|p| !p.1).count()},
        "calibration": reliability_of(&pairs),
        "variants": per_variant,
        "receipts": {"pictures": receipts.len(), "flagged": flagged, "max_probability": (max * 1000.0).round() / 1000.0},
    })
}

/// Loads the encoder or says how to install it.
fn encoder() -> Result<ClipEncoder> {
    crate::models::load_encoder()?.with_context(|| {
        format!("the CLIP encoder is not installed in {}: run scripts/fetch-models.sh", crate::models::dir().display())
    })
}

/// The validation report of the CLIP probe (embedding what is not cached yet).
pub fn validation(corpus: &Path, dataset: Option<&Path>) -> Result<Value> {
    if !corpus.join("MANIFEST.csv").is_file() {
        bail!("no corpus at {} (MANIFEST.csv missing)", corpus.display());
    }
    let items = embed_all(&encoder()?, corpus, dataset)?;
    Ok(train(&items, LAMBDA)?.report)
}

/// `--time FILE`.
fn time(path: &Path) -> Result<ExitCode> {
    let bytes = std::fs::read(path).with_context(|| format!("read {}", path.display()))?;
    let started = std::time::Instant::now();
    let enc = encoder()?;
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut runs: Vec<f64> = (0..5)
        .map(|_| {
            let t = std::time::Instant::now();
            let px = pixels::decode(&bytes, Format::detect(&bytes), (None, None), MAX_PIXELS).ok();
            std::hint::black_box(px.and_then(|p| enc.embed(&p).ok()));
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    println!(
        "{}: encoder load {load_ms:.0} ms ({} products); decode + preprocess + encoder median {:.0} ms (min {:.0}, max {:.0})",
        path.display(),
        if enc.uses_integer_products() { "8-bit integer" } else { "float" },
        runs[2],
        runs[0],
        runs[4]
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `proofdesk train-clip-probe`.
pub fn run(args: ClipTrainArgs) -> Result<ExitCode> {
    if let Some(path) = &args.time {
        return time(path);
    }
    if !args.corpus.join("MANIFEST.csv").is_file() {
        bail!("no corpus at {} (MANIFEST.csv missing)", args.corpus.display());
    }
    let items = embed_all(&encoder()?, &args.corpus, args.image_dataset.as_deref())?;
    let Trained { probe, report } = train(&items, args.lambda)?;
    let mut text = serde_json::to_string_pretty(&probe)?;
    text.push('\n');
    std::fs::write(&args.out, text).with_context(|| format!("write {}", args.out.display()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
        eprintln!("probe written to {} (operating point {:.3})", args.out.display(), probe.threshold);
    }
    Ok(ExitCode::SUCCESS)
}

/// The report as a table.
pub fn print_report(r: &Value) {
    println!(
        "{}: leave-one-source-out validation on {} AI-generated and {} authentic pictures; operating point {}",
        r["detector"], r["pictures"]["ai"], r["pictures"]["authentic"], r["threshold"]
    );
    println!("calibration (as received, for even odds): Brier {}", r["calibration"]["brier"]);
    println!(
        "receipts (never trained on): {} flagged of {} (highest probability {})",
        r["receipts"]["flagged"], r["receipts"]["pictures"], r["receipts"]["max_probability"]
    );
    print_variants(
        r,
        &VARIANTS,
        &[("overall", "overall"), ("AI vs camera photos", "camera"), ("AI vs camera and real photos", "photos")],
        ("AUC/rest", "auc_against_other_sources"),
    );
}
