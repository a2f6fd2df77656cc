//! Writing heatmap PNGs: one per file and forensic method.

use proofdesk_engine::forensics::{render, ForensicsReport};
use proofdesk_engine::pixels::Pixels;
use proofdesk_engine::Lang;
use std::path::{Path, PathBuf};

/// The file a heatmap is written to: `DIR/<stem>-<first 8 of sha256>.<method>.png`
/// (the hash keeps same-named files from different folders apart).
pub fn path_for(dir: &Path, input: &Path, sha256: &str, method: &str) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    dir.join(format!(
        "{stem}-{}.{method}.png",
        &sha256[..sha256.len().min(8)]
    ))
}

/// Renders and writes every method's heatmap; a failure is reported on stderr and skipped.
pub fn write(dir: &Path, input: &Path, sha256: &str, px: &Pixels, f: &ForensicsReport, lang: Lang) {
    for m in &f.methods {
        let out = path_for(dir, input, sha256, m.method.as_str());
        let picture = render::overlay(px, m, lang);
        let written = render::png(&picture)
            .map_err(|e| e.to_string())
            .and_then(|png| std::fs::write(&out, png).map_err(|e| e.to_string()));
        if let Err(e) = written {
            eprintln!("proofdesk: cannot write heatmap {}: {e}", out.display());
        }
    }
}
