//! `proofdesk eval`: screen a labelled corpus and report agreement per group.
//!
//! The corpus folder holds `MANIFEST.csv` (path, group, label, expect, ...).
//! Each row's `expect` says what a correct screener finds; [`agrees`] turns
//! that into a check on the report. Results are aggregated per group and
//! label, never tuned or reported per single file.

use crate::files;
use crate::output::FileEntry;
use anyhow::{Context, Result};
use clap::Args;
use proofdesk_engine::credentials::CredentialState;
use proofdesk_engine::{FileReport, Options, Verdict};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `proofdesk eval`.
#[derive(Args)]
pub struct EvalArgs {
    /// Corpus folder containing MANIFEST.csv.
    corpus: PathBuf,
    /// Print JSON (schema proofdesk.eval/1) instead of a table.
    #[arg(long)]
    json: bool,
    /// Metadata and provenance checks only.
    #[arg(long)]
    no_pixels: bool,
    /// Instead: validate the pixel-level AI detector screening uses (the CLIP probe when
    /// its encoder is installed, else the feature model), leaving each source out of its
    /// own training fold, in four variants (as `proofdesk train-clip-probe` reports it;
    /// `--json` gives schema proofdesk.detector-eval/1).
    #[arg(long, conflicts_with = "no_pixels")]
    detector: bool,
    /// With `--detector`: a checkout of github:declan-wright/Image-Dataset, validated on
    /// as a fifth source (as the shipped probe was trained).
    #[arg(long, requires = "detector")]
    image_dataset: Option<PathBuf>,
    /// Also record the result in the database (`--data-dir`), for the AI Act
    /// documentation of this version.
    #[arg(long)]
    record: bool,
}

/// One manifest row and what happened to it.
#[derive(Serialize)]
pub struct RowResult {
    /// Path relative to the corpus.
    pub path: String,
    /// Manifest group.
    pub group: String,
    /// Ground-truth label.
    pub label: String,
    /// What a correct screener finds.
    pub expect: String,
    /// The verdict given.
    pub verdict: Verdict,
    /// Whether the report agrees with `expect`.
    pub agrees: bool,
    /// Whether the verdict is a false alarm (ai-generated or manipulated on an authentic file).
    pub false_alarm: bool,
    /// What was found, in short.
    pub found: String,
}

/// Aggregate for one group and label.
#[derive(Serialize, Default)]
pub struct GroupResult {
    /// Manifest group.
    pub group: String,
    /// Ground-truth label.
    pub label: String,
    /// Files.
    pub files: usize,
    /// Files whose report agrees with `expect`.
    pub agree: usize,
    /// False alarms.
    pub false_alarms: usize,
    /// Count of each verdict.
    pub verdicts: BTreeMap<String, usize>,
}

#[derive(Serialize)]
struct EvalDocument<'a> {
    schema: &'static str,
    proofdesk: &'static str,
    pixels: bool,
    groups: &'a [GroupResult],
    files: &'a [RowResult],
    #[serde(skip_serializing_if = "Option::is_none")]
    pixel_forensics: Option<&'a crate::eval_pixels::PixelEval>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reuse: Option<&'a crate::eval_reuse::ReuseEval>,
    #[serde(skip_serializing_if = "Option::is_none")]
    receipts: Option<&'a crate::eval_receipts::ReceiptEval>,
}

/// Runs `proofdesk eval`.
pub fn run(args: EvalArgs, store: &crate::Store) -> Result<ExitCode> {
    if args.detector {
        // The detector screening uses: the CLIP probe when its encoder is installed.
        let (doc, print): (serde_json::Value, fn(&serde_json::Value)) = if crate::models::encoder_installed() {
            let doc = crate::clip_train::validation(&args.corpus, args.image_dataset.as_deref())?;
            (doc, crate::clip_train::print_report)
        } else {
            (crate::detector_train::validation(&args.corpus)?, crate::detector_train::print_report)
        };
        let text = serde_json::to_string_pretty(&doc)?;
        if args.record {
            record(store, "detector", &args.corpus, &text)?;
        }
        if args.json {
            println!("{text}");
        } else {
            print(&doc);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let manifest = args.corpus.join("MANIFEST.csv");
    let mut rdr = csv::Reader::from_path(&manifest)
        .with_context(|| format!("cannot read {}", manifest.display()))?;
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.with_context(|| format!("{} is not valid CSV", manifest.display()))?;
        let get = |i: usize| rec.get(i).unwrap_or("").to_owned();
        rows.push((get(0), get(1), get(2), get(3), get(4)));
    }
    let paths: Vec<PathBuf> = rows.iter().map(|r| args.corpus.join(&r.0)).collect();
    let opts = Options {
        pixels: !args.no_pixels,
        detector: crate::models::detector(),
        reader: crate::models::reader(),
        ..Options::default()
    };
    let how = files::Screening {
        opts,
        max_file: files::DEFAULT_MAX_FILE,
        heatmaps: None,
    };
    let entries: Vec<FileEntry> = crate::screen::screen_all(&paths, &how, true);
    let pixel_rows: Vec<(&str, &str, &FileReport)> = rows
        .iter()
        .zip(&entries)
        .map(|(r, e)| (r.1.as_str(), r.3.as_str(), &e.report))
        .collect();
    let pixel = crate::eval_pixels::evaluate(&args.corpus, &pixel_rows);
    let receipts_rows: Vec<(&str, &str, &FileReport)> =
        rows.iter().zip(&entries).map(|(r, e)| (r.0.as_str(), r.3.as_str(), &e.report)).collect();
    let receipts = crate::eval_receipts::evaluate(&receipts_rows);
    drop(receipts_rows);
    drop(pixel_rows);
    let reuse_items: Vec<crate::eval_reuse::Item> = rows
        .iter()
        .zip(&entries)
        .map(|(r, e)| crate::eval_reuse::Item {
            path: &r.0,
            source: &r.4,
            report: &e.report,
        })
        .collect();
    let reuse = crate::eval_reuse::evaluate(&args.corpus, &reuse_items);
    drop(reuse_items);
    let results: Vec<RowResult> = rows
        .into_iter()
        .zip(entries)
        .map(|((path, group, label, expect, _source), e)| {
            let (agrees, found) = agrees(&expect, &label, &e.report);
            let false_alarm = label == "authentic" && e.report.verdict.is_flagged();
            RowResult {
                path,
                group,
                label,
                expect,
                verdict: e.report.verdict,
                agrees,
                false_alarm,
                found,
            }
        })
        .collect();
    let mut groups: BTreeMap<(String, String), GroupResult> = BTreeMap::new();
    for r in &results {
        let g = groups
            .entry((r.group.clone(), r.label.clone()))
            .or_default();
        g.group = r.group.clone();
        g.label = r.label.clone();
        g.files += 1;
        g.agree += r.agrees as usize;
        g.false_alarms += r.false_alarm as usize;
        *g.verdicts.entry(r.verdict.as_str().to_owned()).or_default() += 1;
    }
    let groups: Vec<GroupResult> = groups.into_values().collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let doc = EvalDocument {
        schema: "proofdesk.eval/1",
        proofdesk: env!("CARGO_PKG_VERSION"),
        pixels: !args.no_pixels,
        groups: &groups,
        files: &results,
        pixel_forensics: pixel.as_ref(),
        reuse: reuse.as_ref(),
        receipts: receipts.as_ref(),
    };
    if args.record {
        record(store, "screen", &args.corpus, &serde_json::to_string_pretty(&doc)?)?;
    }
    if args.json {
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else {
        write_table(&mut out, &groups, &results)?;
        if let Some(p) = &pixel {
            crate::eval_pixels::write_table(&mut out, p)?;
        }
        if let Some(r) = &reuse {
            crate::eval_reuse::write_table(&mut out, r)?;
        }
        if let Some(r) = &receipts {
            crate::eval_receipts::write_table(&mut out, r)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Records an evaluation document in the database, saying so on stderr.
fn record(store: &crate::Store, kind: &str, corpus: &std::path::Path, document: &str) -> Result<()> {
    use sha2::{Digest, Sha256};
    let manifest = std::fs::read(corpus.join("MANIFEST.csv")).context("cannot read MANIFEST.csv to record the evaluation")?;
    let sha = crate::index::hex(&Sha256::digest(&manifest));
    let id = store.runtime()?.block_on(async {
        let db = store.open(true).await?.context("cannot open the database")?;
        let c = proofdesk_storage::compliance::Compliance::new(db);
        anyhow::Ok(c.record_evaluation(kind, env!("CARGO_PKG_VERSION"), &sha, document, "cli").await?)
    })?;
    eprintln!("recorded as evaluation {id} in {}", store.describe());
    Ok(())
}

fn write_table(
    out: &mut impl Write,
    groups: &[GroupResult],
    results: &[RowResult],
) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<15} {:<13} {:>5} {:>7} {:>12}  verdicts",
        "group", "label", "files", "agree", "false alarms"
    )?;
    for g in groups {
        let v: Vec<String> = g.verdicts.iter().map(|(k, n)| format!("{k} {n}")).collect();
        writeln!(
            out,
            "{:<15} {:<13} {:>5} {:>7} {:>12}  {}",
            g.group,
            g.label,
            g.files,
            g.agree,
            g.false_alarms,
            v.join(", ")
        )?;
    }
    let (n, a, f) = groups.iter().fold((0, 0, 0), |acc, g| {
        (acc.0 + g.files, acc.1 + g.agree, acc.2 + g.false_alarms)
    });
    writeln!(out, "{:<15} {:<13} {:>5} {:>7} {:>12}", "all", "", n, a, f)?;
    let misses: Vec<&RowResult> = results
        .iter()
        .filter(|r| !r.agrees || r.false_alarm)
        .collect();
    if !misses.is_empty() {
        writeln!(out, "\ndisagreements ({}):", misses.len())?;
        for r in misses {
            writeln!(
                out,
                "  {}  expected {}  got {} ({})",
                r.path,
                r.expect,
                r.verdict.as_str(),
                r.found
            )?;
        }
    }
    Ok(())
}

fn has(r: &FileReport, id: &str) -> bool {
    r.signals.iter().any(|s| s.id == id)
}

/// Whether a report agrees with a manifest `expect`, and a short note of what was found.
pub fn agrees(expect: &str, label: &str, r: &FileReport) -> (bool, String) {
    let (kind, detail) = expect.split_once(':').unwrap_or((expect, ""));
    let creds = r.credentials.as_ref();
    let state = creds
        .map(|c| format!("{:?}", c.state).to_lowercase())
        .unwrap_or_else(|| {
            if has(r, "provenance.c2pa.unreadable") {
                "unreadable".into()
            } else {
                "none".into()
            }
        });
    let check = creds
        .and_then(|c| c.failing_check.clone())
        .unwrap_or_default();
    let base = format!("verdict {}", r.verdict.as_str());
    match kind {
        "c2pa" => {
            let found = if check.is_empty() {
                format!("c2pa {state}")
            } else {
                format!("c2pa {state} ({check})")
            };
            let valid = creds.is_some_and(|c| c.state != CredentialState::Invalid);
            let ok = match detail {
                "none" => state == "none",
                "valid" => valid,
                "valid(camera capture)" => valid && has(r, "provenance.c2pa.camera-capture"),
                d if d.starts_with("ai(") => {
                    has(r, "ai.c2pa.declared") && r.verdict == Verdict::AiGenerated
                }
                d if d.starts_with("invalid") => {
                    let want = if d.contains("hash mismatch") {
                        "hard-binding hash"
                    } else if d.contains("signature") {
                        "signature"
                    } else if d.contains("assertion tampered") {
                        "assertion tampered"
                    } else if d.contains("claim missing") {
                        "claim missing"
                    } else {
                        ""
                    };
                    (state == "invalid" || state == "unreadable")
                        && (want.is_empty()
                            || check == want
                            || state == "unreadable" && want == "claim missing")
                }
                _ => false,
            };
            (ok, found)
        }
        "exif" => {
            let exif = r.metadata.exif.as_ref();
            let ok = if let Some(o) = detail.strip_prefix("orientation=") {
                exif.and_then(|x| x.orientation)
                    .map(|v| v.to_string())
                    .as_deref()
                    == Some(o)
            } else if detail == "gps" {
                exif.is_some_and(|x| x.gps.is_some())
            } else if detail.starts_with("camera=") {
                has(r, "provenance.camera")
            } else {
                exif.is_some_and(|x| x.fields > 0)
            };
            (ok && !r.verdict.is_flagged(), base)
        }
        "software" => (r.verdict == Verdict::Edited, base),
        "format" => (
            r.format.name() == detail || (detail == "heif" && r.format.name() == "heif"),
            format!("{base}, format {}", r.format.name()),
        ),
        "png-text" => (
            r.verdict == Verdict::AiGenerated && has(r, "ai.metadata.generator-parameters"),
            base,
        ),
        "watermark" => {
            let found = r
                .signals
                .iter()
                .find(|s| s.id == "ai.watermark.stable-diffusion")
                .and_then(|s| s.details.get("payload"))
                .and_then(|v| v.as_str())
                .map(str::to_owned);
            let note = format!("watermark {}", found.as_deref().unwrap_or("not found"));
            let ok = match (detail, found.as_deref()) {
                ("none", f) => f.is_none(),
                (want, Some(f)) => f == want,
                // A JPEG re-save erases the mark: not finding it there agrees with the reference decoder.
                (_, None) => r.format.name() == "jpeg" && has(r, "ai.watermark.inconclusive"),
            };
            (ok, note)
        }
        "pixels-only" => (
            (r.verdict == Verdict::AiGenerated) == (label == "ai-generated"),
            base,
        ),
        "forgery" => (r.verdict == Verdict::Manipulated, base),
        // An honest receipt: not flagged, and its total and date read as the reference
        // gives them (`crate::eval_receipts` reports each field).
        "receipt" => {
            let row = crate::eval_receipts::evaluate(&[("", expect, r)]).and_then(|e| e.rows.into_iter().next());
            let read = row.as_ref().is_some_and(|row| row.exact[0] && row.exact[1]);
            let note = match &row {
                Some(row) => format!(
                    "{base}, total {}, date {}",
                    row.total_read.as_deref().unwrap_or("not read"),
                    row.date_read.as_deref().unwrap_or("not read")
                ),
                None => base,
            };
            (read && !r.verdict.is_flagged(), note)
        }
        // A forged receipt: caught when a receipt check fails (the note names it).
        "receipt-forgery" => {
            let failed = crate::eval_receipts::failed_checks(r);
            let note = if failed.is_empty() { format!("{base}, no receipt check failed") } else { format!("{base}, {}", failed.join(", ")) };
            (!failed.is_empty(), note)
        }
        "no-crash" => (
            true,
            r.error
                .clone()
                .map(|e| format!("error: {e}"))
                .unwrap_or(base),
        ),
        _ => (false, format!("unknown expectation; {base}")),
    }
}
