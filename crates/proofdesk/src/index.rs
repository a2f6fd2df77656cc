//! `proofdesk index`: record pictures in the reuse index and look pictures up in it.

use crate::{files, reuse, Store};
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use proofdesk_engine::reuse::DEFAULT_THRESHOLD;
use proofdesk_storage::reuse::{Added, NewSighting};
use proofdesk_storage::time;
use rayon::prelude::*;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Version of the `index add` JSON output.
pub const ADD_SCHEMA: &str = "proofdesk.index-add/1";
/// Version of the `index query` JSON output.
pub const QUERY_SCHEMA: &str = "proofdesk.reuse/1";

/// Arguments of `proofdesk index`.
#[derive(Args)]
pub struct IndexArgs {
    #[command(subcommand)]
    command: IndexCommand,
}

#[derive(Subcommand)]
enum IndexCommand {
    /// Record pictures (folders recursively) as seen, so later copies are recognised.
    Add(AddArgs),
    /// Look pictures up: where and when the same picture was seen before.
    Query(QueryArgs),
    /// How many pictures the index holds.
    Stats,
    /// Benchmark the in-memory index on random hashes (a report, not a test).
    Bench(crate::index_bench::BenchArgs),
    /// Measure loading the index from the database at worker start (a report).
    LoadBench(crate::index_load_bench::LoadBenchArgs),
}

#[derive(Args)]
struct AddArgs {
    /// Files and folders to record.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// What the pictures came with (a claim or case number); default: each file's path.
    #[arg(long)]
    source: Option<String>,
    /// Print JSON (schema proofdesk.index-add/1) instead of a table.
    #[arg(long)]
    json: bool,
    /// Largest image (in megapixels) whose pixels are decoded.
    #[arg(long, default_value_t = 64)]
    max_megapixels: u64,
}

#[derive(Args)]
struct QueryArgs {
    /// Files and folders to look up.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Largest number of differing PDQ bits (of 256) that still counts as the same picture.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_parser = clap::value_parser!(u32).range(0..=128))]
    threshold: u32,
    /// Print JSON (schema proofdesk.reuse/1) instead of a table.
    #[arg(long)]
    json: bool,
    /// Largest image (in megapixels) whose pixels are decoded.
    #[arg(long, default_value_t = 64)]
    max_megapixels: u64,
}

/// Runs `proofdesk index`.
pub fn run(args: IndexArgs, store: &Store) -> Result<ExitCode> {
    match args.command {
        IndexCommand::Add(a) => add(a, store),
        IndexCommand::Query(q) => query(q, store),
        IndexCommand::Stats => stats(store),
        IndexCommand::Bench(b) => crate::index_bench::run(b),
        IndexCommand::LoadBench(b) => crate::index_load_bench::run(b, store),
    }
}

/// The files under `paths` and their fingerprints (or why each could not be read), in parallel.
type Printed = Vec<Result<proofdesk_engine::Fingerprinted, String>>;

fn fingerprint_all(paths: &[PathBuf], max_megapixels: u64) -> Result<(Vec<PathBuf>, Printed)> {
    let paths = files::collect(paths)?;
    let max_pixels = max_megapixels.saturating_mul(1_000_000);
    let printed = paths
        .par_iter()
        .map(|p| reuse::fingerprint_path(p, max_pixels))
        .collect();
    Ok((paths, printed))
}

fn add(args: AddArgs, store: &Store) -> Result<ExitCode> {
    let (paths, printed) = fingerprint_all(&args.paths, args.max_megapixels)?;
    let rt = store.runtime()?;
    let Some(mut index) = rt.block_on(store.open_index(true))? else {
        anyhow::bail!("cannot create the reuse index in {}", store.describe());
    };
    let now = time::now_ms();
    let mut rows = Vec::new();
    let (mut new, mut already, mut failed) = (0, 0, 0);
    for (path, fp) in paths.iter().zip(&printed) {
        let shown = path.display().to_string();
        let (status, detail) = match fp {
            Err(e) => {
                failed += 1;
                ("error", e.clone())
            }
            Ok(f) => {
                let source = args.source.clone().unwrap_or_else(|| shown.clone());
                let location = std::fs::canonicalize(path).ok();
                let location = location.as_ref().map(|l| l.display().to_string());
                let sighting = NewSighting {
                    sha256: f.sha256,
                    fingerprint: f.fingerprint.as_ref().ok(),
                    source: &source,
                    location: location.as_deref(),
                    seen_at_ms: now,
                };
                match rt.block_on(index.add(&sighting))? {
                    Added::New(_) => {
                        new += 1;
                        let note = match &f.fingerprint {
                            Ok(fp) if fp.pdq_quality < proofdesk_engine::reuse::MIN_QUALITY => {
                                format!("too little detail (PDQ quality {}): only exact copies will match", fp.pdq_quality)
                            }
                            Ok(_) => String::new(),
                            Err(e) => format!("no fingerprint ({e}): only exact copies will match"),
                        };
                        ("added", note)
                    }
                    Added::Already(_) => {
                        already += 1;
                        ("already", "recorded before for this source".into())
                    }
                }
            }
        };
        rows.push((shown, status, detail));
    }
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    if args.json {
        let files: Vec<_> = rows
            .iter()
            .map(
                |(p, s, d)| json!({"path": p, "status": s, "detail": (!d.is_empty()).then_some(d)}),
            )
            .collect();
        let doc = json!({
            "schema": ADD_SCHEMA,
            "proofdesk": env!("CARGO_PKG_VERSION"),
            "added": new, "already": already, "errors": failed,
            "files": files,
        });
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else {
        for (p, s, d) in &rows {
            writeln!(
                out,
                "{s:<8} {p}{}",
                if d.is_empty() {
                    String::new()
                } else {
                    format!("  ({d})")
                }
            )?;
        }
        writeln!(
            out,
            "{new} added, {already} already recorded, {failed} errors; the index holds {} pictures",
            rt.block_on(index.count())?
        )?;
    }
    out.flush()?;
    Ok(ExitCode::from(if failed > 0 { 2 } else { 0 }))
}

fn query(args: QueryArgs, store: &Store) -> Result<ExitCode> {
    let (paths, printed) = fingerprint_all(&args.paths, args.max_megapixels)?;
    let rt = store.runtime()?;
    let index = rt.block_on(store.open_index(false))?;
    let (mut any_seen, mut any_error) = (false, false);
    let mut docs = Vec::new();
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    for (path, fp) in paths.iter().zip(&printed) {
        let shown = path.display().to_string();
        let f = match fp {
            Ok(f) => f,
            Err(e) => {
                any_error = true;
                docs.push(json!({"path": shown, "error": e}));
                if !args.json {
                    writeln!(out, "{shown}: error: {e}")?;
                }
                continue;
            }
        };
        let found = match &index {
            Some(i) => {
                rt.block_on(i.query(&f.sha256, f.fingerprint.as_ref().ok(), args.threshold))?
            }
            None => Vec::new(),
        };
        any_seen |= !found.is_empty();
        let matches: Vec<_> = found
            .iter()
            .map(|m| {
                json!({
                    "source": m.source, "location": m.location,
                    "seen_at": time::format_rfc3339(m.seen_at_ms),
                    "distance": m.distance, "transform": m.transform, "exact": m.exact,
                    "crop": m.crop,
                })
            })
            .collect();
        let fpj = f.fingerprint.as_ref().ok();
        docs.push(json!({
            "path": shown, "sha256": hex(&f.sha256),
            "pdq": fpj.map(|x| x.pdq.to_string()), "pdq_quality": fpj.map(|x| x.pdq_quality),
            "note": f.fingerprint.as_ref().err(),
            "matches": matches,
        }));
        if !args.json {
            if found.is_empty() {
                writeln!(out, "{shown}: not seen before")?;
            }
            for m in &found {
                let how = if m.exact {
                    "identical file".to_string()
                } else if let Some(c) = m.crop {
                    format!(
                        "cropped copy: shows {:.0} % of it, {} details line up, {}",
                        100.0 * c.coverage,
                        c.matching_features,
                        reuse::transform_name(m.transform)
                    )
                } else {
                    format!(
                        "distance {:>2}, {}",
                        m.distance,
                        reuse::transform_name(m.transform)
                    )
                };
                writeln!(
                    out,
                    "{shown}: seen {} in {} ({how})",
                    time::format_utc(m.seen_at_ms),
                    m.source
                )?;
            }
        }
    }
    if args.json {
        let doc = json!({
            "schema": QUERY_SCHEMA, "proofdesk": env!("CARGO_PKG_VERSION"),
            "threshold": args.threshold,
            "indexed": match &index { Some(i) => rt.block_on(i.count())?, None => 0 },
            "files": docs,
        });
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else if index.is_none() {
        writeln!(
            out,
            "(the reuse index is empty: record pictures with `proofdesk index add`)"
        )?;
    }
    out.flush()?;
    Ok(ExitCode::from(if any_error {
        2
    } else {
        u8::from(any_seen)
    }))
}

fn stats(store: &Store) -> Result<ExitCode> {
    let rt = store.runtime()?;
    match rt.block_on(store.open_index(false))? {
        None => println!("the reuse index is empty (no database yet at {})", store.describe()),
        Some(i) => println!(
            "{} pictures recorded; {} PDQ hashes searchable by likeness (pictures, and the contents of framed ones; low-quality pictures match exact copies only); {} pictures searchable by local features (crops); in {}",
            rt.block_on(i.count()).context("count")?,
            i.searchable(),
            i.with_features(),
            store.describe()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Lowercase hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
