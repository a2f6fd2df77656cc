//! Finding and reading input files, with limits and per-file errors.

use crate::heatmaps;
use anyhow::{bail, Result};
use proofdesk_engine::{FileReport, Format, Lang, Options};
use std::path::{Path, PathBuf};

/// Largest file read by default: 256 MiB.
pub const DEFAULT_MAX_FILE: u64 = 256 << 20;

/// Expands files and folders (recursively, sorted) into a list of files.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(p)
                .follow_links(false)
                .into_iter()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_file())
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| e.into_path())
                .collect();
            found.sort();
            out.extend(found);
        } else if p.exists() {
            out.push(p.clone());
        } else {
            bail!("{}: no such file or folder", p.display());
        }
    }
    Ok(out)
}

/// How files are screened: engine options, the file size limit and where heatmaps go.
pub struct Screening {
    /// Engine options.
    pub opts: Options,
    /// Largest file read, in bytes.
    pub max_file: u64,
    /// Folder for heatmap PNGs and the language of their legends, if wanted.
    pub heatmaps: Option<(PathBuf, Lang)>,
}

/// Screens one file; reading problems and engine panics become an error report.
pub fn screen_path(path: &Path, how: &Screening) -> FileReport {
    let (opts, max_file) = (&how.opts, how.max_file);
    let mut opts = opts.clone();
    opts.extension = path.extension().map(|e| e.to_string_lossy().into_owned());
    let bytes = match read_limited(path, max_file) {
        Ok(b) => b,
        Err(msg) => return FileReport::failed(String::new(), 0, Format::Unknown, msg),
    };
    // The detector is read-only while screening; a panic leaves nothing half-changed.
    let screened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let s = proofdesk_engine::screen_keeping_pixels(&bytes, &opts);
        if let (Some((dir, lang)), Some(px), Some(f)) =
            (&how.heatmaps, &s.pixels, &s.report.forensics)
        {
            heatmaps::write(dir, path, &s.report.sha256, px, f, *lang);
        }
        s.report
    }));
    match screened {
        Ok(r) => r,
        Err(_) => FileReport::failed(
            String::new(),
            bytes.len(),
            Format::detect(&bytes),
            "internal error while screening this file; the other files were not affected".into(),
        ),
    }
}

/// Reads a file of at most `max` bytes; the error is a sentence for the report.
pub fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if meta.len() > max {
        return Err(format!(
            "the file is {} MiB, more than the {} MiB limit",
            meta.len() >> 20,
            max >> 20
        ));
    }
    std::fs::read(path).map_err(|e| format!("cannot read: {e}"))
}
