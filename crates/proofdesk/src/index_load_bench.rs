//! `proofdesk index load-bench`: how long a worker takes to load the reuse index from
//! the database at start, and what it holds in memory, at growing table sizes (rows of
//! random fingerprints, as large as real ones; a report, not a test).

use crate::index_bench::{parse_count, Rng};
use crate::Store;
use anyhow::{bail, Context, Result};
use clap::Args;
use proofdesk_engine::reuse::keypoints::{Feature, Features, MAX_FEATURES};
use proofdesk_storage::reuse::import::{census, import, ImportedSighting};
use proofdesk_storage::reuse::ReuseIndex;
use serde_json::json;
use std::process::ExitCode;
use std::time::Instant;

/// Source prefix of the rows this benchmark adds.
const SOURCE: &str = "load-bench:";
/// Rows generated and inserted per transaction.
const BATCH: usize = 10_000;

/// Arguments of `proofdesk index load-bench`.
#[derive(Args)]
pub struct LoadBenchArgs {
    /// Table sizes to measure, in rows, ascending (suffixes k and M allowed). Use a
    /// scratch data directory or database: the rows stay (about 4 KB each).
    #[arg(long, default_value = "100k,1M", value_delimiter = ',', value_parser = parse_count)]
    sizes: Vec<usize>,
    /// Print JSON (schema proofdesk.index-load-bench/1) instead of a table.
    #[arg(long)]
    json: bool,
}

/// Current resident memory of this process (Linux), in bytes.
fn rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// A row like a real photo's: a hash, full quality, 96 features in a 512×384 picture.
fn row(rng: &mut Rng, k: usize) -> ImportedSighting {
    let mut sha256 = [0u8; 32];
    for (i, b) in sha256.iter_mut().enumerate() {
        *b = (rng.next() >> (i % 8)) as u8;
    }
    let points = (0..MAX_FEATURES)
        .map(|_| Feature {
            x: (rng.next() % 512) as f32,
            y: (rng.next() % 384) as f32,
            level: (rng.next() % 5) as u8,
            descriptor: [rng.next(), rng.next(), rng.next(), rng.next()],
        })
        .collect();
    ImportedSighting {
        sha256,
        pdq: Some(rng.hash()),
        pdq_quality: 100,
        pdq_content: None,
        features: Some(Features {
            width: 512,
            height: 384,
            points,
        }),
        source: format!("{SOURCE}{k}"),
        seen_at_ms: 0,
    }
}

/// Runs the benchmark.
pub fn run(args: LoadBenchArgs, store: &Store) -> Result<ExitCode> {
    store.runtime()?.block_on(async {
        let db = store.open(true).await?.context("no database")?;
        let (mut have, others) = census(&db, SOURCE).await?;
        if others > 0 {
            bail!("the reuse index here holds real pictures: run the benchmark on a scratch --data-dir or database");
        }
        let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ have as u64);
        let mut results = Vec::new();
        for &n in &args.sizes {
            let fill = Instant::now();
            while (have as usize) < n {
                let count = BATCH.min(n - have as usize);
                let batch: Vec<ImportedSighting> = (0..count)
                    .map(|k| row(&mut rng, have as usize + k))
                    .collect();
                import(&db, &batch).await?;
                have += count as i64;
            }
            let fill_s = fill.elapsed().as_secs_f64();
            let before = rss().unwrap_or(0);
            let started = Instant::now();
            let mut index = ReuseIndex::open(db.clone()).await?;
            let load_s = started.elapsed().as_secs_f64();
            let after = rss().unwrap_or(0);
            let synced = Instant::now();
            index.sync().await?;
            let sync_ms = synced.elapsed().as_secs_f64() * 1e3;
            results.push(json!({
                "rows": have,
                "fill_seconds": fill_s,
                "load_seconds": load_s,
                "rows_per_second": have as f64 / load_s.max(1e-9),
                "searchable_hashes": index.searchable(),
                "pictures_with_features": index.with_features(),
                "index_bytes": index.memory_bytes(),
                "rss_growth_bytes": after.saturating_sub(before),
                "idle_sync_ms": sync_ms,
            }));
        }
        let backend = format!("{:?}", db.backend).to_lowercase();
        if args.json {
            let doc = json!({
                "schema": "proofdesk.index-load-bench/1",
                "proofdesk": env!("CARGO_PKG_VERSION"),
                "backend": backend,
                "results": results,
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
        } else {
            println!("reuse index load at worker start ({backend}):");
            println!(
                "{:>10} {:>9} {:>12} {:>11} {:>10} {:>13}",
                "rows", "load s", "rows/s", "index MiB", "RSS +MiB", "idle sync ms"
            );
            for r in &results {
                let mib = |v: &serde_json::Value| v.as_f64().unwrap_or(0.0) / 1048576.0;
                println!(
                    "{:>10} {:>9.2} {:>12.0} {:>11.0} {:>10.0} {:>13.2}",
                    r["rows"].as_i64().unwrap_or(0),
                    r["load_seconds"].as_f64().unwrap_or(0.0),
                    r["rows_per_second"].as_f64().unwrap_or(0.0),
                    mib(&r["index_bytes"]),
                    mib(&r["rss_growth_bytes"]),
                    r["idle_sync_ms"].as_f64().unwrap_or(0.0),
                );
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
