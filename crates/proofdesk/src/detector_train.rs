//! `proofdesk train-detector`: trains the pixel-level AI detector on the shared corpus
//! and validates it, leaving each source (repository or generator family) out of its
//! own training fold. Pictures count as AI-generated from the groups `generated` and
//! `generated-meta` (their metadata plays no part: only pixels are read), as authentic
//! from `camera` and `real`; `watermark` pictures are left out (their pixels are camera
//! photos with a mark added, not generated). Every picture is also used re-saved as
//! JPEG quality 75, at half size, and cut to its central 512 × 512 pixels, for both
//! classes alike, so the model cannot lean on size or compression.

use anyhow::{bail, Context, Result};
use clap::Args;
use proofdesk_engine::detector::features::{self, FEATURES};
use proofdesk_engine::detector::logistic::{auc, Logistic};
use proofdesk_engine::detector::{Model, MODEL_SCHEMA};
use proofdesk_engine::format::Format;
use proofdesk_engine::pixels::{self, Pixels};
use rayon::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The variants every picture is measured in.
pub const VARIANTS: [&str; 4] = ["original", "jpeg75", "half", "crop512"];
/// A feature is used when, on the pictures as received, it separates AI-generated
/// from authentic pictures in every comparison that does not pit one source against
/// another one of the same class, always the same way and by at least this much AUC
/// away from 0.5. The comparisons: inside each source that holds both classes, and
/// each AI-only source against all authentic-only sources. Features that fail this
/// tell sources apart rather than generated from real.
const MIN_SEPARATION: f64 = 0.1;
/// Ridge penalty.
const LAMBDA: f64 = 10.0;
/// Largest share of authentic pictures (all variants, cross-validated) at or above the
/// operating point.
const MAX_FALSE_POSITIVES: f64 = 0.04;
/// Largest picture decoded, in pixels.
const MAX_PIXELS: u64 = 100_000_000;

/// `proofdesk train-detector`.
#[derive(Args)]
pub struct TrainArgs {
    /// The shared corpus (with MANIFEST.csv).
    #[arg(long, default_value = "../shared/corpus")]
    corpus: PathBuf,
    /// Where to write the model.
    #[arg(long, default_value = "crates/engine/models/ai-detector.json")]
    out: PathBuf,
    /// Print the validation report as JSON (`proofdesk.detector-eval/1`) instead of text.
    #[arg(long)]
    json: bool,
    /// Also write every picture's features, per variant, to this CSV (for analysis).
    #[arg(long)]
    features_csv: Option<PathBuf>,
    /// Instead of training: time the shipped detector on this picture (decoded once;
    /// the median of 20 runs, one core).
    #[arg(long, value_name = "FILE")]
    time: Option<PathBuf>,
}

/// The validation report (schema `proofdesk.detector-eval/1`) without writing a model.
pub fn validation(corpus: &Path) -> Result<Value> {
    if !corpus.join("MANIFEST.csv").is_file() {
        bail!("no corpus at {} (MANIFEST.csv missing)", corpus.display());
    }
    let samples = load(corpus)?;
    let (used, selection) = select(&samples);
    let (_, cv, t) = validate(&samples, &used);
    let mut r = report(&samples, &cv, t);
    r["selection"] = selection;
    Ok(r)
}

/// `--time FILE`: decoding and the detector's own time.
fn time(path: &Path) -> Result<ExitCode> {
    use proofdesk_engine::detector::{shipped, AiDetector};
    let bytes = std::fs::read(path).with_context(|| format!("read {}", path.display()))?;
    let started = std::time::Instant::now();
    let px = pixels::decode(&bytes, Format::detect(&bytes), (None, None), MAX_PIXELS)?;
    let decode_ms = started.elapsed().as_secs_f64() * 1000.0;
    let model = shipped().context("the shipped model does not load")?;
    let mut runs: Vec<f64> = (0..20)
        .map(|_| {
            let t = std::time::Instant::now();
            std::hint::black_box(model.assess(&px));
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    let a = model.assess(&px);
    println!(
        "{}: {} x {} ({:.1} MP); decoding {decode_ms:.0} ms; detector median {:.1} ms (min {:.1}, max {:.1}); probability {}",
        path.display(),
        px.width,
        px.height,
        (px.width * px.height) as f64 / 1e6,
        runs[runs.len() / 2],
        runs[0],
        runs[runs.len() - 1],
        a.map_or("- (too small or flat)".into(), |a| format!("{:.3}", a.probability)),
    );
    Ok(ExitCode::SUCCESS)
}

/// One corpus picture and its features per variant.
pub struct Sample {
    /// Path inside the corpus.
    pub path: String,
    /// Its MANIFEST group.
    pub group: String,
    /// Repository or generator family.
    pub source: String,
    /// AI-generated (true) or authentic.
    pub ai: bool,
    /// Width × height.
    pub pixels: u64,
    /// Features per [`VARIANTS`] entry (`None` when too small or flat).
    pub features: Vec<Option<Vec<f32>>>,
}

/// Reads the corpus's pictures and measures them in every variant.
pub fn load(corpus: &Path) -> Result<Vec<Sample>> {
    let manifest = corpus.join("MANIFEST.csv");
    let mut reader = csv::Reader::from_path(&manifest)
        .with_context(|| format!("read {}", manifest.display()))?;
    let mut rows = Vec::new();
    for row in reader.records() {
        let row = row?;
        let (path, group, source) = (row.get(0).unwrap_or(""), row.get(1).unwrap_or(""), row.get(4).unwrap_or(""));
        let ai = match group {
            "generated" | "generated-meta" => true,
            "camera" | "real" => false,
            _ => continue,
        };
        // The repository, without the file's own path.
        let source = source.rsplit_once(':').map_or(source, |x| x.0).to_owned();
        rows.push((path.to_owned(), group.to_owned(), source, ai));
    }
    rows.sort();
    let samples: Vec<Sample> = rows
        .into_par_iter()
        .filter_map(|(path, group, source, ai)| {
            let bytes = std::fs::read(corpus.join(&path)).ok()?;
            let px = pixels::decode(&bytes, Format::detect(&bytes), (None, None), MAX_PIXELS).ok()?;
            let n = px.width as u64 * px.height as u64;
            let features = variants(&px).iter().map(|v| v.as_ref().and_then(features::extract)).collect();
            Some(Sample { path, group, source, ai, pixels: n, features })
        })
        .collect();
    Ok(samples)
}

/// Pixels of an image buffer.
pub fn to_px(i: image::RgbImage) -> Pixels {
    Pixels { width: i.width() as usize, height: i.height() as usize, rgb: i.into_raw() }
}

/// The picture saved as JPEG at `quality` and decoded again.
pub fn jpeg_round_trip(img: &image::RgbImage, quality: u8) -> Option<Pixels> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(img).ok()?;
    pixels::decode(&out, Format::Jpeg, (None, None), MAX_PIXELS).ok()
}

/// The picture in every [`VARIANTS`] form.
fn variants(px: &Pixels) -> Vec<Option<Pixels>> {
    let img = image::RgbImage::from_raw(px.width as u32, px.height as u32, px.rgb.clone());
    let Some(img) = img else { return vec![None, None, None, None] };
    let jpeg75 = jpeg_round_trip(&img, 75);
    let half = (img.width() >= 2 && img.height() >= 2).then(|| {
        to_px(image::imageops::resize(&img, img.width() / 2, img.height() / 2, image::imageops::FilterType::Triangle))
    });
    let crop = (img.width() >= 512 && img.height() >= 512).then(|| {
        let (x, y) = ((img.width() - 512) / 2, (img.height() - 512) / 2);
        to_px(image::imageops::crop_imm(&img, x, y, 512, 512).to_image())
    });
    vec![Some(Pixels { width: px.width, height: px.height, rgb: px.rgb.clone() }), jpeg75, half, crop]
}

/// The used features (indices into [`features::NAMES`]) of a full feature vector.
fn as_f64(f: &[f32], used: &[usize]) -> Vec<f64> {
    used.iter().map(|&i| f[i] as f64).collect()
}

/// The comparisons of [`MIN_SEPARATION`]: `(name, AI pictures, authentic pictures)`.
fn comparisons(samples: &[Sample]) -> Vec<(String, Vec<&Sample>, Vec<&Sample>)> {
    let sources: BTreeSet<&str> = samples.iter().map(|s| s.source.as_str()).collect();
    let has = |src: &str, ai: bool| samples.iter().any(|s| s.source == src && s.ai == ai);
    let authentic_only: Vec<&Sample> = samples.iter().filter(|s| !s.ai && !has(&s.source, true)).collect();
    let mut out = Vec::new();
    for src in sources {
        let ai: Vec<&Sample> = samples.iter().filter(|s| s.source == src && s.ai).collect();
        if ai.is_empty() {
            continue;
        }
        if has(src, false) {
            let auth = samples.iter().filter(|s| s.source == src && !s.ai).collect();
            out.push((format!("{src}: generated vs real"), ai, auth));
        } else if !authentic_only.is_empty() {
            out.push((format!("{src} vs the authentic-only sources"), ai, authentic_only.clone()));
        }
    }
    out
}

/// Chooses the features by [`MIN_SEPARATION`]; returns their indices and the table.
pub fn select(samples: &[Sample]) -> (Vec<usize>, Value) {
    let comps = comparisons(samples);
    let mut used = Vec::new();
    let mut table = Vec::new();
    for (i, name) in features::NAMES.iter().enumerate() {
        let aucs: Vec<Option<f64>> = comps
            .iter()
            .map(|(_, ai, auth)| {
                let score = |v: &[&Sample]| -> Vec<f64> { v.iter().filter_map(|s| s.features[0].as_ref().map(|f| f[i] as f64)).collect() };
                auc(&score(ai), &score(auth))
            })
            .collect();
        let ok = !aucs.is_empty()
            && (aucs.iter().all(|a| a.is_some_and(|a| a >= 0.5 + MIN_SEPARATION))
                || aucs.iter().all(|a| a.is_some_and(|a| a <= 0.5 - MIN_SEPARATION)));
        if ok {
            used.push(i);
        }
        table.push(json!({"feature": name, "auc": aucs.iter().map(|a| a.map(|a| (a * 1000.0).round() / 1000.0)).collect::<Vec<_>>(), "used": ok}));
    }
    let names: Vec<&String> = comps.iter().map(|c| &c.0).collect();
    (used, json!({"comparisons": names, "min_separation": MIN_SEPARATION, "features": table}))
}

/// Fits on every variant of the given samples.
fn fit(samples: &[&Sample], used: &[usize]) -> Logistic {
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for s in samples {
        for f in s.features.iter().flatten() {
            xs.push(as_f64(f, used));
            ys.push(s.ai);
        }
    }
    Logistic::fit(&xs, &ys, LAMBDA)
}

/// Leave-one-source-out probabilities: `[sample][variant]`.
pub fn cross_validate(samples: &[Sample], used: &[usize]) -> Vec<Vec<Option<f64>>> {
    let sources: BTreeSet<&str> = samples.iter().map(|s| s.source.as_str()).collect();
    let mut out = vec![vec![None; VARIANTS.len()]; samples.len()];
    for held in sources {
        let train: Vec<&Sample> = samples.iter().filter(|s| s.source != held).collect();
        let model = fit(&train, used);
        for (i, s) in samples.iter().enumerate().filter(|(_, s)| s.source == held) {
            for (v, f) in s.features.iter().enumerate() {
                out[i][v] = f.as_ref().map(|f| model.probability(&as_f64(f, used)));
            }
        }
    }
    out
}

/// Cross-validates, calibrates the scores (Platt: a logistic on the logit of the
/// cross-validated probabilities, classes weighted equally, so the probability is the
/// one for even odds), and sets the operating point on the calibrated scores.
fn validate(samples: &[Sample], used: &[usize]) -> (Logistic, Vec<Vec<Option<f64>>>, f64) {
    let raw = cross_validate(samples, used);
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for (s, p) in samples.iter().zip(&raw) {
        for p in p.iter().flatten() {
            xs.push(vec![logit(*p)]);
            ys.push(s.ai);
        }
    }
    let calibration = Logistic::fit(&xs, &ys, 1e-6);
    let cv: Vec<Vec<Option<f64>>> = raw
        .iter()
        .map(|p| p.iter().map(|p| p.map(|p| calibration.probability(&[logit(p)]))).collect())
        .collect();
    let t = operating_point(samples, &cv);
    (calibration, cv, t)
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

/// Brier score and a five-bin reliability table of calibrated scores (original pictures).
fn reliability(samples: &[Sample], cv: &[Vec<Option<f64>>]) -> Value {
    let pairs: Vec<(f64, bool)> = samples.iter().zip(cv).filter_map(|(s, p)| p[0].map(|p| (p, s.ai))).collect();
    reliability_of(&pairs)
}

/// Brier score and a five-bin reliability table of (probability, AI-generated) pairs.
pub fn reliability_of(pairs: &[(f64, bool)]) -> Value {
    let n = pairs.len().max(1) as f64;
    let brier = pairs.iter().map(|(p, y)| (p - if *y { 1.0 } else { 0.0 }).powi(2)).sum::<f64>() / n;
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    let bins: Vec<Value> = (0..5)
        .filter_map(|b| {
            let (lo, hi) = (b as f64 / 5.0, (b + 1) as f64 / 5.0);
            let inside: Vec<&(f64, bool)> = pairs.iter().filter(|(p, _)| *p >= lo && (*p < hi || b == 4)).collect();
            (!inside.is_empty()).then(|| {
                let m = inside.len() as f64;
                json!({
                    "from": lo, "to": hi, "pictures": inside.len(),
                    "mean_probability": round(inside.iter().map(|(p, _)| p).sum::<f64>() / m),
                    "share_ai": round(inside.iter().filter(|(_, y)| *y).count() as f64 / m),
                })
            })
        })
        .collect();
    json!({"brier": round(brier), "bins": bins})
}

/// The operating point: the lowest probability that flags at most
/// [`MAX_FALSE_POSITIVES`] of the authentic pictures' cross-validated scores.
fn operating_point(samples: &[Sample], cv: &[Vec<Option<f64>>]) -> f64 {
    let mut auth: Vec<f64> = samples
        .iter()
        .zip(cv)
        .filter(|(s, _)| !s.ai)
        .flat_map(|(_, p)| p.iter().flatten().copied())
        .collect();
    auth.sort_by(f64::total_cmp);
    if auth.is_empty() {
        return 0.5;
    }
    let keep = ((auth.len() as f64) * (1.0 - MAX_FALSE_POSITIVES)).ceil() as usize;
    let t = auth[keep.min(auth.len() - 1)];
    (t + 1e-6).clamp(0.05, 0.99)
}

/// A deterministic bootstrap 95% interval of the AUC.
fn auc_interval(pos: &[f64], neg: &[f64]) -> Option<(f64, f64)> {
    if pos.len() < 2 || neg.len() < 2 {
        return None;
    }
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut aucs: Vec<f64> = (0..500)
        .filter_map(|_| {
            let p: Vec<f64> = (0..pos.len()).map(|_| pos[next(pos.len())]).collect();
            let n: Vec<f64> = (0..neg.len()).map(|_| neg[next(neg.len())]).collect();
            auc(&p, &n)
        })
        .collect();
    aucs.sort_by(f64::total_cmp);
    Some((aucs[aucs.len() * 25 / 1000], aucs[aucs.len() * 975 / 1000]))
}

/// Figures of one set of pictures in one variant at the operating point.
fn figures(samples: &[&Sample], cv: &[&Vec<Option<f64>>], v: usize, t: f64) -> Value {
    let (mut pos, mut neg) = (Vec::new(), Vec::new());
    for (s, p) in samples.iter().zip(cv) {
        if let Some(p) = p[v] {
            if s.ai { pos.push(p) } else { neg.push(p) }
        }
    }
    score_figures(&pos, &neg, t)
}

/// AUC with its interval, share detected, false-positive rate and accuracy of scores of
/// AI-generated (`pos`) and authentic (`neg`) pictures at operating point `t`.
pub fn score_figures(pos: &[f64], neg: &[f64], t: f64) -> Value {
    let tp = pos.iter().filter(|&&p| p >= t).count();
    let fp = neg.iter().filter(|&&p| p >= t).count();
    let n = pos.len() + neg.len();
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    json!({
        "ai": pos.len(), "authentic": neg.len(),
        "auc": auc(pos, neg).map(round),
        "auc_95": auc_interval(pos, neg).map(|(a, b)| [round(a), round(b)]),
        "detected": (!pos.is_empty()).then(|| round(tp as f64 / pos.len() as f64)),
        "false_positive_rate": (!neg.is_empty()).then(|| round(fp as f64 / neg.len() as f64)),
        "accuracy": (n > 0).then(|| round((tp + neg.len() - fp) as f64 / n as f64)),
    })
}

/// The validation report: per source and overall, per variant; the camera false
/// positives; and how well size alone would separate the classes (the shortcut).
pub fn report(samples: &[Sample], cv: &[Vec<Option<f64>>], t: f64) -> Value {
    let all: Vec<&Sample> = samples.iter().collect();
    let all_cv: Vec<&Vec<Option<f64>>> = cv.iter().collect();
    let sources: BTreeSet<&str> = samples.iter().map(|s| s.source.as_str()).collect();
    let mut per_variant = serde_json::Map::new();
    for (v, name) in VARIANTS.iter().enumerate() {
        let mut per_source = serde_json::Map::new();
        for src in &sources {
            let (s, c): (Vec<&Sample>, Vec<&Vec<Option<f64>>>) =
                samples.iter().zip(cv).filter(|(s, _)| s.source == *src).unzip();
            per_source.insert(src.to_string(), figures(&s, &c, v, t));
        }
        let (cam, cam_cv): (Vec<&Sample>, Vec<&Vec<Option<f64>>>) =
            samples.iter().zip(cv).filter(|(s, _)| s.group == "camera").unzip();
        per_variant.insert(name.to_string(), json!({
            "overall": figures(&all, &all_cv, v, t),
            "camera": figures(&cam, &cam_cv, v, t),
            "per_source": per_source,
        }));
    }
    let (pos, neg): (Vec<f64>, Vec<f64>) = (
        samples.iter().filter(|s| s.ai).map(|s| (s.pixels as f64).ln()).collect(),
        samples.iter().filter(|s| !s.ai).map(|s| (s.pixels as f64).ln()).collect(),
    );
    let size_auc = auc(&pos, &neg).map(|a| (a.max(1.0 - a) * 1000.0).round() / 1000.0);
    json!({
        "schema": "proofdesk.detector-eval/1",
        "validation": "leave one source out",
        "threshold": (t * 1000.0).round() / 1000.0,
        "pictures": {"ai": pos.len(), "authentic": neg.len()},
        "size_alone_auc": size_auc,
        "calibration": reliability(samples, cv),
        "variants": per_variant,
    })
}

/// Runs `proofdesk train-detector`.
pub fn run(args: TrainArgs) -> Result<ExitCode> {
    if let Some(path) = &args.time {
        return time(path);
    }
    if !args.corpus.join("MANIFEST.csv").is_file() {
        bail!("no corpus at {} (MANIFEST.csv missing)", args.corpus.display());
    }
    let samples = load(&args.corpus)?;
    let (ai, auth) = (samples.iter().filter(|s| s.ai).count(), samples.iter().filter(|s| !s.ai).count());
    if ai < 5 || auth < 5 {
        bail!("too few pictures to train on: {ai} AI-generated, {auth} authentic");
    }
    if let Some(path) = &args.features_csv {
        write_features(path, &samples)?;
    }
    let (used, selection) = select(&samples);
    if used.is_empty() {
        bail!("no feature separates generated from real pictures consistently in this corpus");
    }
    let (calibration, cv, threshold) = validate(&samples, &used);
    let mut report = report(&samples, &cv, threshold);
    report["selection"] = selection;
    let camera_fpr = report["variants"]["original"]["camera"]["false_positive_rate"].as_f64().unwrap_or(1.0);
    let all: Vec<&Sample> = samples.iter().collect();
    let model = Model {
        schema: MODEL_SCHEMA.into(),
        name: "proofdesk-forensic-lr-1".into(),
        features: used.iter().map(|&i| features::NAMES[i].to_string()).collect(),
        logistic: fit(&all, &used),
        calibration,
        threshold,
        camera_false_positive_rate: camera_fpr,
        training: json!({
            "command": "proofdesk train-detector --corpus ../shared/corpus",
            "pictures": {"ai": ai, "authentic": auth},
            "variants": VARIANTS, "lambda": LAMBDA, "measured_features": FEATURES,
            "cross_validated": report["variants"]["original"]["overall"],
        }),
    };
    let mut text = serde_json::to_string_pretty(&model)?;
    text.push('\n');
    std::fs::write(&args.out, text).with_context(|| format!("write {}", args.out.display()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
        eprintln!("model written to {} (operating point {threshold:.3})", args.out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `path, group, source, ai, variant, features…` rows.
fn write_features(path: &Path, samples: &[Sample]) -> Result<()> {
    let mut w = csv::Writer::from_path(path).with_context(|| format!("write {}", path.display()))?;
    let mut head = vec!["path", "group", "source", "ai", "variant"];
    head.extend(features::NAMES);
    w.write_record(&head)?;
    for s in samples {
        for (v, f) in s.features.iter().enumerate() {
            if let Some(f) = f {
                let mut row = vec![s.path.clone(), s.group.clone(), s.source.clone(), (s.ai as u8).to_string(), VARIANTS[v].to_owned()];
                row.extend(f.iter().map(|x| x.to_string()));
                w.write_record(&row)?;
            }
        }
    }
    w.flush()?;
    Ok(())
}

/// The report as a table.
pub fn print_report(r: &Value) {
    println!(
        "pixel-level AI detector, leave-one-source-out validation: {} AI-generated and {} authentic pictures; operating point {}",
        r["pictures"]["ai"], r["pictures"]["authentic"], r["threshold"]
    );
    println!("size alone would separate them with AUC {} (why every picture is also cut to 512 x 512)", r["size_alone_auc"]);
    let used: Vec<&str> = r["selection"]["features"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["used"] == true)
        .filter_map(|f| f["feature"].as_str())
        .collect();
    println!("features used (consistent in every comparison within a source): {}", used.join(", "));
    println!("calibration (as received, for even odds): Brier {}", r["calibration"]["brier"]);
    for b in r["calibration"]["bins"].as_array().into_iter().flatten() {
        println!("  probability {:.1}-{:.1}: {:>3} pictures, mean {}, AI share {}", b["from"].as_f64().unwrap_or(0.0), b["to"].as_f64().unwrap_or(0.0), b["pictures"], b["mean_probability"], b["share_ai"]);
    }
    print_variants(r, &VARIANTS, &[("overall", "overall"), ("camera group", "camera")], ("accuracy", "accuracy"));
}

/// Prints, per variant, the figures of the named blocks and of every source; the last
/// column is the field `extra.1` of each block, titled `extra.0`.
pub fn print_variants(r: &Value, variants: &[&str], blocks: &[(&str, &str)], extra: (&str, &str)) {
    let f = |v: &Value| if v.is_null() { "-".to_owned() } else { v.to_string() };
    for v in variants {
        let block = &r["variants"][v];
        println!("\n{v}:");
        println!("  {:<50} {:>4} {:>5} {:>6} {:>15} {:>8} {:>8} {:>9}", "", "ai", "auth", "AUC", "AUC 95%", "detected", "FPR", extra.0);
        let line = |name: &str, x: &Value| {
            println!(
                "  {:<50} {:>4} {:>5} {:>6} {:>15} {:>8} {:>8} {:>9}",
                name, x["ai"], x["authentic"], f(&x["auc"]), f(&x["auc_95"]).replace(',', "-"), f(&x["detected"]), f(&x["false_positive_rate"]), f(&x[extra.1])
            );
        };
        for (title, key) in blocks {
            line(title, &block[key]);
        }
        if let Some(m) = block["per_source"].as_object() {
            for (name, x) in m {
                line(name, x);
            }
        }
    }
}
