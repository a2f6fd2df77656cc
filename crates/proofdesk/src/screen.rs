//! `proofdesk screen`: screen files and folders.

use crate::output::{self, FileEntry};
use crate::{files, reuse, Store};
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use proofdesk_engine::{Lang, Options, Verdict};
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Output language.
#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    /// English.
    En,
    /// Nederlands.
    Nl,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::En => Lang::En,
            LangArg::Nl => Lang::Nl,
        }
    }
}

/// Arguments of `proofdesk screen`.
#[derive(Args)]
pub struct ScreenArgs {
    /// Files and folders to screen (folders recursively).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Print the versioned JSON report (schema proofdesk.screen/1) instead of a table.
    #[arg(long)]
    json: bool,
    /// Language of the explanations.
    #[arg(long, value_enum, default_value = "en", env = "PROOFDESK_LANG")]
    lang: LangArg,
    /// Metadata and provenance checks only: skip pixel decoding (watermarks, thumbnail check, forensics).
    #[arg(long)]
    no_pixels: bool,
    /// Also apply the pixel-level AI detector to pictures that name their camera (by
    /// default it is kept for pictures without camera data; about 0.5 s per picture).
    #[arg(long)]
    detector_on_camera_files: bool,
    /// Also run the pixel forensics (copy-move, noise, error level) and give each image an integrity score.
    #[arg(long)]
    forensics: bool,
    /// Write, per file and forensic method, a heatmap PNG over a greyed copy of the photo into DIR (implies --forensics).
    #[arg(long, value_name = "DIR")]
    heatmaps: Option<PathBuf>,
    /// Show every signal, not only the strongest reasons.
    #[arg(long)]
    all: bool,
    /// Largest image (in megapixels) whose pixels are decoded.
    #[arg(long, default_value_t = 64)]
    max_megapixels: u64,
    /// Largest file (in MiB) that is read.
    #[arg(long, default_value_t = 256)]
    max_file_mib: u64,
    /// Do not look the files up in the reuse index of the data directory.
    #[arg(long)]
    no_index: bool,
    /// Largest number of differing PDQ bits (of 256) that still counts as the same picture.
    #[arg(long, default_value_t = proofdesk_engine::reuse::DEFAULT_THRESHOLD, value_parser = clap::value_parser!(u32).range(0..=128))]
    reuse_threshold: u32,
    /// Worker threads (default: one per core).
    #[arg(long)]
    jobs: Option<usize>,
}

/// Screens the given paths in parallel, in input order.
pub fn screen_all(paths: &[PathBuf], how: &files::Screening, progress: bool) -> Vec<FileEntry> {
    let bar = if progress && paths.len() > 1 && std::io::stderr().is_terminal() {
        let b = ProgressBar::new(paths.len() as u64);
        b.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    } else {
        ProgressBar::hidden()
    };
    // Largest files first, so no big file is left running alone at the end;
    // the results go back into input order.
    let mut order: Vec<(u64, usize)> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| (std::fs::metadata(p).map(|m| m.len()).unwrap_or(0), i))
        .collect();
    order.sort_unstable_by(|a, b| b.cmp(a));
    let mut done: Vec<(usize, FileEntry)> = order
        .par_iter()
        .with_max_len(1)
        .map(|&(_, i)| {
            let p = &paths[i];
            let report = files::screen_path(p, how);
            bar.inc(1);
            (
                i,
                FileEntry {
                    path: p.display().to_string(),
                    report,
                },
            )
        })
        .collect();
    bar.finish_and_clear();
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, e)| e).collect()
}

/// Adds the reuse signal from the index (when there is one) and writes the
/// side-by-side pictures; a database that cannot be read is a warning, not a failure.
fn check_reuse(args: &ScreenArgs, store: &Store, entries: &mut [FileEntry], lang: Lang) {
    if args.no_index || args.no_pixels || !store.has_database() {
        return;
    }
    let looked_up = store.runtime().and_then(|rt| {
        rt.block_on(async {
            match store.open_index(false).await? {
                Some(index) => reuse::look_up(&index, entries, args.reuse_threshold).await,
                None => Ok(vec![None; entries.len()]),
            }
        })
    });
    let closest = match looked_up {
        Ok(c) => c,
        Err(e) => {
            eprintln!("proofdesk: reuse not checked: {e:#}");
            return;
        }
    };
    let Some(dir) = &args.heatmaps else { return };
    let max_pixels = args.max_megapixels.saturating_mul(1_000_000);
    for (entry, found) in entries.iter().zip(closest) {
        if let Some(found) = found {
            if let Err(e) = reuse::write_side_by_side(dir, entry, &found, max_pixels, lang) {
                eprintln!("proofdesk: no side-by-side picture for {}: {e}", entry.path);
            }
        }
    }
}

/// Runs `proofdesk screen`.
pub fn run(args: ScreenArgs, store: &Store) -> Result<ExitCode> {
    if let Some(n) = args.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .ok();
    }
    let paths = files::collect(&args.paths)?;
    let lang: Lang = args.lang.into();
    let opts = Options {
        pixels: !args.no_pixels,
        forensics: args.forensics || args.heatmaps.is_some(),
        max_pixels: args.max_megapixels.saturating_mul(1_000_000),
        extension: None,
        detector: crate::models::detector(),
        reader: crate::models::reader(),
        detector_on_camera_files: args.detector_on_camera_files,
    };
    if let Some(dir) = &args.heatmaps {
        if args.no_pixels {
            anyhow::bail!("--heatmaps needs the pixels: drop --no-pixels");
        }
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the heatmap folder {}", dir.display()))?;
    }
    let how = files::Screening {
        opts,
        max_file: args.max_file_mib << 20,
        heatmaps: args.heatmaps.clone().map(|d| (d, lang)),
    };
    let mut entries = screen_all(&paths, &how, true);
    check_reuse(&args, store, &mut entries, lang);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        output::write_json(&mut out, &entries)?;
    } else {
        output::write_table(&mut out, &entries, lang, args.all)?;
        if entries.len() > 1 {
            output::write_summary(&mut out, &entries, lang)?;
        }
    }
    out.flush()?;
    let code = if entries.iter().any(|e| e.report.verdict == Verdict::Error) {
        2
    } else if entries.iter().any(|e| e.report.verdict.is_flagged()) {
        1
    } else {
        0
    };
    Ok(ExitCode::from(code))
}
