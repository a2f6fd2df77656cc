//! Reuse in the command line: fingerprinting files, and the `reuse.seen-before`
//! signal and side-by-side picture that `screen` adds from the index.

use crate::files;
use crate::output::FileEntry;
use anyhow::Result;
use proofdesk_engine::reuse::{self, render, Dihedral, Sighting};
use proofdesk_engine::{pixels, Fingerprinted, Format, Lang};
use proofdesk_storage::reuse::{Found, ReuseIndex};
use proofdesk_storage::time;
use std::path::{Path, PathBuf};

/// Reads and fingerprints one file; the error says why it could not be read.
pub fn fingerprint_path(path: &Path, max_pixels: u64) -> Result<Fingerprinted, String> {
    let bytes = files::read_limited(path, files::DEFAULT_MAX_FILE)?;
    if bytes.is_empty() {
        return Err("the file is empty (0 bytes)".into());
    }
    let f = proofdesk_engine::fingerprint(&bytes, max_pixels);
    if f.format == Format::Unknown {
        return Err("not a recognised image".into());
    }
    Ok(f)
}

/// A transform in words, for tables.
pub fn transform_name(t: Dihedral) -> &'static str {
    match t {
        Dihedral::Original => "same orientation",
        Dihedral::Rotate90 => "turned a quarter clockwise",
        Dihedral::Rotate180 => "upside down",
        Dihedral::Rotate270 => "turned a quarter anticlockwise",
        Dihedral::MirrorHorizontal => "mirrored left to right",
        Dihedral::MirrorVertical => "mirrored top to bottom",
        Dihedral::Transpose | Dihedral::Transverse => "mirrored along a diagonal",
    }
}

/// Looks every screened file up in the index and adds the `reuse.seen-before` signal
/// to those seen before; returns, per entry, the closest earlier sighting.
///
/// A sighting of the very same file at the same place is the file itself, not reuse.
pub async fn look_up(
    index: &ReuseIndex,
    entries: &mut [FileEntry],
    threshold: u32,
) -> Result<Vec<Option<Found>>> {
    let mut closest = Vec::with_capacity(entries.len());
    for e in entries.iter_mut() {
        let (Some(sha), Some(fp)) = (parse_sha(&e.report.sha256), &e.report.fingerprint) else {
            closest.push(None);
            continue;
        };
        let here = std::fs::canonicalize(&e.path)
            .ok()
            .map(|p| p.display().to_string());
        let found: Vec<Found> = index
            .query(&sha, Some(fp), threshold)
            .await?
            .into_iter()
            .filter(|f| !(f.exact && f.location.is_some() && f.location == here))
            .collect();
        let sightings: Vec<Sighting> = found
            .iter()
            .map(|f| Sighting {
                source: f.source.clone(),
                seen_at: time::format_rfc3339(f.seen_at_ms),
                distance: f.distance,
                transform: f.transform,
                exact: f.exact,
                crop: f.crop,
                location: f.location.clone(),
            })
            .collect();
        if let Some(s) = reuse::signal(&sightings) {
            e.report.add_signal(s);
        }
        closest.push(found.into_iter().next());
    }
    Ok(closest)
}

/// Writes `DIR/<stem>-<sha8>.reuse.png`: this picture beside the earlier one (turned to
/// match), when the earlier file can still be read; returns the path written.
pub fn write_side_by_side(
    dir: &Path,
    entry: &FileEntry,
    earlier: &Found,
    max_pixels: u64,
    lang: Lang,
) -> Result<Option<PathBuf>, String> {
    let Some(location) = &earlier.location else {
        return Ok(None);
    };
    let decode = |p: &Path| -> Result<pixels::Pixels, String> {
        let bytes = files::read_limited(p, files::DEFAULT_MAX_FILE)?;
        pixels::decode(&bytes, Format::detect(&bytes), (None, None), max_pixels)
            .map_err(|e| format!("{}: {e}", p.display()))
    };
    let this = decode(Path::new(&entry.path))?;
    let before = match decode(Path::new(location)) {
        Ok(px) => px,
        // The earlier file may have moved or been deleted since: nothing to show.
        Err(_) => return Ok(None),
    };
    let before = render::turn(&before, earlier.transform.inverse());
    let when = time::format_utc(earlier.seen_at_ms);
    let how = if earlier.exact {
        match lang {
            Lang::Nl => "identiek bestand".to_owned(),
            Lang::En => "identical file".to_owned(),
        }
    } else {
        match lang {
            Lang::Nl => format!("{} van 256 bits verschillen", earlier.distance),
            Lang::En => format!("{} of 256 bits differ", earlier.distance),
        }
    };
    let captions = match lang {
        Lang::Nl => [
            format!("Deze foto: {}", entry.path),
            format!("Eerder gezien {when} bij {} ({how})", earlier.source),
        ],
        Lang::En => [
            format!("This photo: {}", entry.path),
            format!("Seen {when} with {} ({how})", earlier.source),
        ],
    };
    let picture = render::side_by_side(&this, &before, [&captions[0], &captions[1]]);
    let out = crate::heatmaps::path_for(dir, Path::new(&entry.path), &entry.report.sha256, "reuse");
    let png = proofdesk_engine::forensics::render::png(&picture).map_err(|e| e.to_string())?;
    std::fs::write(&out, png).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    Ok(Some(out))
}

/// The 32 bytes of a hex SHA-256.
pub fn parse_sha(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (k, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * k..2 * k + 2)?, 16).ok()?;
    }
    Some(out)
}
