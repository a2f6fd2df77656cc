//! Reuse: recognising a picture seen before, resized, re-compressed, turned or mirrored.
//!
//! The engine computes the fingerprints ([`pdq`]); finding earlier sightings needs an
//! index of every past claim's fingerprints, which lives in storage. [`signal`] turns
//! the sightings a caller found into the `reuse` signal.

pub mod border;
pub mod geometry;
pub mod keypoints;
pub mod pdq;
pub mod render;

use crate::signal::{Category, Direction, Signal, Text};
use keypoints::{Features, WorkPicture};
pub use pdq::{Dihedral, PdqHash};
use serde::Serialize;

/// PDQ's recommended largest Hamming distance of a match (of 256 bits).
pub const DEFAULT_THRESHOLD: u32 = 31;
/// PDQ quality below which a hash rests on too little detail to match on (PDQ's advice).
pub const MIN_QUALITY: u8 = 50;

/// A picture's fingerprints, for finding it again.
#[derive(Debug, Clone, Serialize)]
pub struct Fingerprint {
    /// PDQ hash of the pixels as stored.
    pub pdq: PdqHash,
    /// PDQ quality, 0–100; below [`MIN_QUALITY`] only exact copies are matched.
    pub pdq_quality: u8,
    /// PDQ hash of the picture inside a flat frame (screenshot bars, added borders),
    /// when it has one ([`border`]); a framed copy matches the bare photo through it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pdq_content: Option<PdqHash>,
    /// The hash of the picture in each of the eight orientations, for queries.
    #[serde(skip)]
    pub variants: [(Dihedral, PdqHash); 8],
    /// Likewise for the content inside the frame (empty without a frame).
    #[serde(skip)]
    pub content_variants: Vec<(Dihedral, PdqHash)>,
    /// Local features of the picture as stored, found on first use ([`Fingerprint::features`]):
    /// screening without a reuse index never needs them.
    #[serde(skip)]
    features: std::sync::OnceLock<Features>,
    /// The small grey picture the features come from, for describing turned copies.
    #[serde(skip)]
    work: WorkPicture,
    /// Whether the picture is a scanned document ([`crate::document`]): printed layouts
    /// of one shop line up feature for feature across different receipts, so a
    /// document is matched on its hashes only, never as a crop by local features.
    #[serde(skip)]
    pub document: bool,
}

impl Fingerprint {
    /// Fingerprints decoded RGB pixels.
    pub fn from_rgb(rgb: &[u8], width: usize, height: usize) -> Fingerprint {
        let document = crate::document::assess_rgb(rgb, width, height).is_document;
        Self::of_picture(rgb, width, height, document)
    }

    /// Fingerprints decoded RGB pixels whose [`crate::document`] check is known.
    pub fn of_picture(rgb: &[u8], width: usize, height: usize, document: bool) -> Fingerprint {
        crate::simd::with_avx2(|| Self::of_picture_impl(rgb, width, height, document))
    }

    #[inline(always)]
    fn of_picture_impl(rgb: &[u8], width: usize, height: usize, document: bool) -> Fingerprint {
        if rgb.len() < width * height * 3 || width == 0 || height == 0 {
            // Too few pixels for the size given: nothing to match on.
            return Fingerprint::from_parts(
                None,
                WorkPicture::default(),
                pdq::Downsampler::new(0, 0).finish(),
            );
        }
        // One pass over the rows, each turned to luma once, feeding the hash and the
        // work picture: no full-size grey copy of the picture is made.
        let mut hash = pdq::Downsampler::new(width, height);
        let mut shrink = keypoints::Shrinker::new(width, height);
        let mut row = vec![0f32; width];
        for (y, line) in rgb.chunks_exact(width * 3).take(height).enumerate() {
            pdq::luma_row(line, &mut row);
            hash.push_row(y, &row);
            shrink.push_row(y, &row);
        }
        // The frame is found on the border rows and columns only; the content inside a
        // frame (rare) is hashed on its own, and counts only when it rests on enough
        // detail itself.
        let at = |x: usize, y: usize| {
            let p = &rgb[(y * width + x) * 3..][..3];
            let mut v = [0f32];
            pdq::luma_row(p, &mut v);
            v[0]
        };
        let content = border::content_box_of(at, width, height)
            .map(|b| {
                let mut d = pdq::Downsampler::new(b.width(), b.height());
                let mut row = vec![0f32; b.width()];
                for y in b.y0..b.y1 {
                    pdq::luma_row(
                        &rgb[(y * width + b.x0) * 3..(y * width + b.x1) * 3],
                        &mut row,
                    );
                    d.push_row(y - b.y0, &row);
                }
                d.finish()
            })
            .filter(|c| c.quality >= MIN_QUALITY);
        let mut fp = Fingerprint::from_parts(content, shrink.finish(), hash.finish());
        fp.document = document;
        fp
    }

    /// A fingerprint from its hash, the framed content's hash and the work picture.
    fn from_parts(content: Option<pdq::Pdq>, work: WorkPicture, p: pdq::Pdq) -> Fingerprint {
        Fingerprint {
            pdq: p.hash,
            pdq_quality: p.quality,
            pdq_content: content.as_ref().map(|c| c.hash),
            variants: p.dihedral(),
            content_variants: content.map(|c| c.dihedral().to_vec()).unwrap_or_default(),
            features: std::sync::OnceLock::new(),
            work,
            document: false,
        }
    }

    /// Local features of the picture as stored, for finding cropped copies.
    pub fn features(&self) -> &Features {
        self.features.get_or_init(|| {
            if self.document {
                Features {
                    width: 0,
                    height: 0,
                    points: Vec::new(),
                }
            } else {
                keypoints::detect(&self.work, Dihedral::Original)
            }
        })
    }

    /// The features of the picture in each of the eight orientations, for looking up
    /// cropped copies that were also turned or mirrored ([`Dihedral::Original`] first).
    pub fn turned_features(&self) -> Vec<(Dihedral, Features)> {
        Dihedral::ALL
            .iter()
            .map(|&t| match t {
                Dihedral::Original => (t, self.features().clone()),
                _ if self.document => (t, self.features().clone()),
                _ => (t, keypoints::detect(&self.work, t)),
            })
            .collect()
    }

    /// Every hash a query looks up: the eight orientations of the picture and, when it
    /// is framed, of its content.
    /// Hashes of quality below [`MIN_QUALITY`] are left out, as PDQ advises.
    pub fn query_hashes(&self) -> Vec<(Dihedral, PdqHash)> {
        let mut all = Vec::with_capacity(16);
        if self.pdq_quality >= MIN_QUALITY {
            all.extend_from_slice(&self.variants);
        }
        all.extend_from_slice(&self.content_variants);
        all
    }
}

/// One earlier sighting of the same picture, as found by an index.
#[derive(Debug, Clone, Serialize)]
pub struct Sighting {
    /// Where it was seen: the claim, case or file it came with.
    pub source: String,
    /// When it was first seen (RFC 3339).
    pub seen_at: String,
    /// Differing PDQ bits (0 for a byte-identical file).
    pub distance: u32,
    /// For a cropped copy (found by its local features, not PDQ): how it aligns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crop: Option<Crop>,
    /// How this picture must be turned to look like the earlier one.
    pub transform: Dihedral,
    /// The files are byte-identical (same SHA-256).
    pub exact: bool,
    /// Where the earlier file can be read again (`evidence:SHA256` for claim evidence).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// How a cropped copy lines up with the earlier picture it was cut from (or the
/// other way round).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Crop {
    /// Local features that agree on one scale and shift.
    pub matching_features: usize,
    /// Share of the earlier picture's area this one shows (1 when it shows all of it).
    pub coverage: f32,
}

/// The `reuse.seen-before` signal for the sightings of one file, closest first; `None`
/// when there are none.
pub fn signal(sightings: &[Sighting]) -> Option<Signal> {
    let best = sightings
        .iter()
        .min_by_key(|s| (!s.exact, s.crop.is_some(), s.distance))?;
    // A byte-identical file is certain; a near match weakens towards the threshold; a
    // crop is as strong as the number of details that line up.
    let strength = match (best.exact, best.crop) {
        (true, _) => 0.95,
        (false, Some(c)) => {
            0.7 + 0.2 * ((c.matching_features as f32 - 12.0) / 40.0).clamp(0.0, 1.0)
        }
        (false, None) => {
            0.9 - 0.3 * best.distance.min(DEFAULT_THRESHOLD) as f32 / DEFAULT_THRESHOLD as f32
        }
    };
    let more = sightings.len() - 1;
    let (how_en, how_nl) = if best.exact {
        (
            "the identical file".to_owned(),
            "exact hetzelfde bestand".to_owned(),
        )
    } else if let Some(c) = best.crop.filter(|c| c.coverage >= 0.97) {
        // The earlier picture lies wholly inside this one: it was the crop.
        let (t_en, t_nl) = transform_words(best.transform);
        (
            format!(
                "the same photo{t_en}, cropped differently ({} details line up)",
                c.matching_features
            ),
            format!(
                "dezelfde foto{t_nl}, anders bijgesneden ({} details vallen samen)",
                c.matching_features
            ),
        )
    } else if let Some(c) = best.crop {
        let (t_en, t_nl) = transform_words(best.transform);
        let share = (100.0 * c.coverage).round().clamp(1.0, 100.0);
        (
            format!(
                "a cropped copy of the same photo{t_en} (it shows {share:.0} % of it; {} details line up)",
                c.matching_features
            ),
            format!(
                "een bijgesneden kopie van dezelfde foto{t_nl} (toont {share:.0} % ervan; {} details vallen samen)",
                c.matching_features
            ),
        )
    } else {
        let (t_en, t_nl) = transform_words(best.transform);
        (
            format!(
                "the same photo{t_en} ({} of 256 fingerprint bits differ)",
                best.distance
            ),
            format!(
                "dezelfde foto{t_nl} ({} van de 256 kenmerkbits verschillen)",
                best.distance
            ),
        )
    };
    let (more_en, more_nl) = match more {
        0 => (String::new(), String::new()),
        1 => (" and once more".to_owned(), " en nog één keer".to_owned()),
        n => (format!(" and {n} more times"), format!(" en nog {n} keer")),
    };
    Some(
        Signal::new(
            "reuse.seen-before",
            Category::Reuse,
            Direction::Suspicious,
            strength,
            Text::new(
                format!(
                    "This picture was seen before: {how_en} came with {} on {}{more_en}.",
                    best.source,
                    readable_time(&best.seen_at)
                ),
                format!(
                    "Deze foto is al eerder gezien: {how_nl} kwam binnen bij {} op {}{more_nl}.",
                    best.source,
                    readable_time(&best.seen_at)
                ),
            ),
        )
        .with("distance", best.distance)
        .with("exact", best.exact)
        .with("source", best.source.clone())
        .with("location", best.location.clone())
        .with("crop", serde_json::to_value(best.crop).unwrap_or_default())
        .with(
            "transform",
            serde_json::to_value(best.transform).unwrap_or_default(),
        )
        .with(
            "sightings",
            serde_json::to_value(sightings).unwrap_or_default(),
        ),
    )
}

/// `2026-12-01T22:05:58Z` as `2026-12-01 22:05 UTC`; other text as it is.
fn readable_time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(time)) if rfc3339.ends_with('Z') => format!("{day} {time} UTC"),
        _ => rfc3339.to_owned(),
    }
}

/// " turned a quarter", " mirrored", … in English and Dutch; empty for no transform.
fn transform_words(t: Dihedral) -> (&'static str, &'static str) {
    match t {
        Dihedral::Original => ("", ""),
        Dihedral::Rotate90 | Dihedral::Rotate270 => {
            (", turned a quarter", ", een kwartslag gedraaid")
        }
        Dihedral::Rotate180 => (", upside down", ", ondersteboven"),
        _ => (", mirrored", ", gespiegeld"),
    }
}
