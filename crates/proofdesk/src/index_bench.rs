//! `proofdesk index bench`: build-time, query-latency and memory figures for the
//! in-memory reuse index at a given size, on random hashes (a report, not a test).

use anyhow::Result;
use clap::Args;
use proofdesk_engine::reuse::keypoints::{
    Feature, Features, INDEXED_FEATURES, MAX_FEATURES, WORD_BITS,
};
use proofdesk_engine::reuse::{Dihedral, PdqHash, DEFAULT_THRESHOLD};
use proofdesk_storage::reuse::{FeatureIndex, MultiIndex};
use serde_json::json;
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `proofdesk index bench`.
#[derive(Args)]
pub struct BenchArgs {
    /// Index sizes to measure, comma-separated (suffixes k and M allowed).
    #[arg(long, default_value = "1M,10M", value_delimiter = ',', value_parser = parse_count)]
    sizes: Vec<usize>,
    /// Queries per size; half are near copies of stored hashes, half unrelated.
    #[arg(long, default_value_t = 2000)]
    queries: usize,
    /// Print JSON (schema proofdesk.index-bench/1) instead of a table.
    #[arg(long)]
    json: bool,
    /// Also measure the crop index (local-feature words) at the same sizes, in pictures.
    #[arg(long)]
    crops: bool,
}

/// "10M" → 10_000_000.
pub(crate) fn parse_count(s: &str) -> Result<usize, String> {
    let (num, mul) = match s.trim().strip_suffix(['M', 'm']) {
        Some(n) => (n, 1_000_000),
        None => match s.trim().strip_suffix(['k', 'K']) {
            Some(n) => (n, 1_000),
            None => (s.trim(), 1),
        },
    };
    num.parse::<usize>()
        .map(|n| n * mul)
        .map_err(|_| format!("not a count: {s}"))
}

/// xorshift64: reproducible hashes without a crate.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(crate) fn hash(&mut self) -> PdqHash {
        PdqHash([self.next(), self.next(), self.next(), self.next()])
    }

    /// `h` with `bits` distinct random bits flipped.
    fn flip(&mut self, h: PdqHash, bits: usize) -> PdqHash {
        let mut mask = PdqHash::default();
        while mask.distance(&PdqHash::default()) < bits.min(256) as u32 {
            let b = (self.next() % 256) as usize;
            mask.0[b / 64] |= 1 << (b % 64);
        }
        PdqHash([0, 1, 2, 3].map(|k| h.0[k] ^ mask.0[k]))
    }
}

/// Peak resident memory of this process so far (Linux), in bytes.
pub(crate) fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0.0)
}

/// Runs the benchmark.
pub fn run(args: BenchArgs) -> Result<ExitCode> {
    let mut rows = Vec::new();
    for &n in &args.sizes {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ n as u64);
        let started = Instant::now();
        let mut index = MultiIndex::new();
        index.reserve(n);
        let mut stored = Vec::with_capacity(args.queries / 2 + 1);
        for k in 0..n {
            let h = rng.hash();
            if k % (n / (args.queries / 2).max(1)).max(1) == 0 && stored.len() < args.queries / 2 {
                stored.push((h, k as i64));
            }
            index.add_deferred(h, k as i64);
        }
        index.rebuild();
        let build_s = started.elapsed().as_secs_f64();
        // A real query looks up all eight orientations of a picture; the seven turned
        // hashes of a photo are as unrelated to stored hashes as random ones.
        let mut latencies = Vec::with_capacity(args.queries);
        let (mut found, mut expected) = (0, 0);
        for q in 0..args.queries {
            let near_copy = q % 2 == 0 && q / 2 < stored.len();
            let first = if near_copy {
                let (h, _) = stored[q / 2];
                let bits = (rng.next() % 25) as usize;
                rng.flip(h, bits)
            } else {
                rng.hash()
            };
            let mut variants = [(Dihedral::Original, first); 8];
            for (k, v) in variants.iter_mut().enumerate().skip(1) {
                *v = (Dihedral::ALL[k], rng.hash());
            }
            let t = Instant::now();
            let hits = index.near_any(&variants, DEFAULT_THRESHOLD);
            latencies.push(t.elapsed().as_secs_f64() * 1e3);
            if near_copy {
                expected += 1;
                found += usize::from(hits.iter().any(|(h, _)| h.key == stored[q / 2].1));
            }
        }
        latencies.sort_by(f64::total_cmp);
        let mean = latencies.iter().sum::<f64>() / latencies.len().max(1) as f64;
        rows.push(json!({
            "hashes": n,
            "build_seconds": build_s,
            "queries": args.queries,
            "query_ms": {
                "p50": percentile(&latencies, 0.5),
                "p99": percentile(&latencies, 0.99),
                "max": latencies.last().copied().unwrap_or(0.0),
                "mean": mean,
            },
            "near_copies_found": found,
            "near_copies": expected,
            "index_bytes": index.memory_bytes(),
            "peak_rss_bytes": peak_rss(),
        }));
        drop(index);
    }
    let crop_rows: Vec<serde_json::Value> = if args.crops {
        args.sizes
            .iter()
            .map(|&n| crop_row(n, args.queries))
            .collect()
    } else {
        Vec::new()
    };
    if args.json {
        let doc = json!({
            "schema": "proofdesk.index-bench/1",
            "proofdesk": env!("CARGO_PKG_VERSION"),
            "threshold": DEFAULT_THRESHOLD,
            "results": rows,
            "crop_results": crop_rows,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!(
            "{:>10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>11} {:>10}",
            "hashes", "build s", "p50 ms", "p99 ms", "max ms", "mean ms", "index MiB", "peak MiB"
        );
        for r in &rows {
            let mib = |v: &serde_json::Value| v.as_f64().unwrap_or(0.0) / 1048576.0;
            println!(
                "{:>10} {:>9.2} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>11.0} {:>10.0}",
                r["hashes"],
                r["build_seconds"].as_f64().unwrap_or(0.0),
                r["query_ms"]["p50"].as_f64().unwrap_or(0.0),
                r["query_ms"]["p99"].as_f64().unwrap_or(0.0),
                r["query_ms"]["max"].as_f64().unwrap_or(0.0),
                r["query_ms"]["mean"].as_f64().unwrap_or(0.0),
                mib(&r["index_bytes"]),
                mib(&r["peak_rss_bytes"]),
            );
            println!(
                "{:>10} near copies found: {}/{} (each query looks up 8 orientations, threshold {})",
                "", r["near_copies_found"], r["near_copies"], DEFAULT_THRESHOLD
            );
        }
        if !crop_rows.is_empty() {
            println!(
                "\ncrop index ({INDEXED_FEATURES} words per picture; a query looks up {MAX_FEATURES} words in 8 orientations):\n{:>10} {:>9} {:>9} {:>9} {:>9} {:>11} {:>10}",
                "pictures", "build s", "p50 ms", "p99 ms", "max ms", "index MiB", "peak MiB"
            );
            for r in &crop_rows {
                let mib = |v: &serde_json::Value| v.as_f64().unwrap_or(0.0) / 1048576.0;
                println!(
                    "{:>10} {:>9.2} {:>9.3} {:>9.3} {:>9.3} {:>11.0} {:>10.0}",
                    r["pictures"],
                    r["build_seconds"].as_f64().unwrap_or(0.0),
                    r["query_ms"]["p50"].as_f64().unwrap_or(0.0),
                    r["query_ms"]["p99"].as_f64().unwrap_or(0.0),
                    r["query_ms"]["max"].as_f64().unwrap_or(0.0),
                    mib(&r["index_bytes"]),
                    mib(&r["peak_rss_bytes"]),
                );
                println!(
                    "{:>10} crops among the candidates: {}/{}",
                    "", r["crops_found"], r["crops"]
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One size of the crop-index benchmark: `n` pictures of random words; half the
/// queries share 12 of a stored picture's words (a crop keeps part of its features,
/// and a copy's word survives about half the time), the rest are random. Words are
/// uniform here; real descriptors' are not, so real buckets are more uneven. The time
/// is the candidate search only; verifying the (at most 16) candidates reads their
/// features from the database and aligns them (about 30 µs each).
fn crop_row(n: usize, queries: usize) -> serde_json::Value {
    let mut rng = Rng(0x51_7cc1_b727_220a ^ n as u64);
    let mask = (1u64 << WORD_BITS) - 1;
    let started = Instant::now();
    let mut index = FeatureIndex::new();
    let every = (n / (queries / 2).max(1)).max(1);
    let mut stored = Vec::new();
    for k in 0..n {
        let words: Vec<u32> = (0..INDEXED_FEATURES)
            .map(|_| (rng.next() & mask) as u32)
            .collect();
        if k % every == 0 && stored.len() < queries / 2 {
            stored.push((k as i64, words.clone()));
        }
        index.add(k as i64, &words);
    }
    index.rebuild();
    let build_s = started.elapsed().as_secs_f64();
    let feature = |w: u64| Feature {
        x: 0.0,
        y: 0.0,
        level: 0,
        descriptor: [w, 0, 0, 0],
    };
    let mut latencies = Vec::with_capacity(queries);
    let (mut found, mut expected) = (0, 0);
    for q in 0..queries {
        let crop_of = (q % 2 == 0).then(|| stored.get(q / 2)).flatten();
        let turned: Vec<(Dihedral, Features)> = Dihedral::ALL
            .iter()
            .enumerate()
            .map(|(k, &t)| {
                let mut points: Vec<Feature> = (0..MAX_FEATURES)
                    .map(|_| feature(rng.next() & mask))
                    .collect();
                if let (0, Some((_, words))) = (k, crop_of) {
                    for (p, &w) in points.iter_mut().zip(words.iter().take(12)) {
                        *p = feature(w as u64);
                    }
                }
                (
                    t,
                    Features {
                        width: 512,
                        height: 384,
                        points,
                    },
                )
            })
            .collect();
        let t = Instant::now();
        let hits = index.candidates(&turned, 16);
        latencies.push(t.elapsed().as_secs_f64() * 1e3);
        if let Some((key, _)) = crop_of {
            expected += 1;
            found += usize::from(hits.iter().any(|h| h.0 == *key));
        }
    }
    latencies.sort_by(f64::total_cmp);
    json!({
        "pictures": n,
        "build_seconds": build_s,
        "queries": queries,
        "query_ms": {
            "p50": percentile(&latencies, 0.5),
            "p99": percentile(&latencies, 0.99),
            "max": latencies.last().copied().unwrap_or(0.0),
        },
        "crops_found": found,
        "crops": expected,
        "index_bytes": index.memory_bytes(),
        "peak_rss_bytes": peak_rss(),
    })
}
