//! Reuse metrics for `proofdesk eval`: every corpus picture is indexed, then looked up
//! with transformed copies (resized, re-compressed, cropped, turned, mirrored,
//! screenshot-like); recall per transformation, and matches between distinct pictures.
//!
//! The look-up is the index's own search ([`MultiIndex::near_any`], then for crops
//! [`FeatureIndex::candidates`] and [`feature_index::verify`], the calls
//! [`proofdesk_storage::reuse::ReuseIndex::query`] makes), at PDQ's default threshold,
//! with low-quality hashes left out of the PDQ index as in production.

use crate::eval_overlap::{self, View};
use image::{imageops, RgbImage};
use proofdesk_engine::pixels::{self, Pixels};
use proofdesk_engine::reuse::geometry::Alignment;
use proofdesk_engine::reuse::{
    render, Crop, Dihedral, Fingerprint, DEFAULT_THRESHOLD, MIN_QUALITY,
};
use proofdesk_engine::{FileReport, Format};
use proofdesk_storage::reuse::{feature_index, FeatureIndex, MultiIndex};
use rayon::prelude::*;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// The transformations a reused picture typically went through.
pub const TRANSFORMS: [&str; 10] = [
    "resize-50",
    "jpeg-70",
    "crop-5",
    "crop-10",
    "crop-corner",
    "crop-half",
    "rotate-90",
    "mirror",
    "screenshot",
    "resize-jpeg-mirror",
];

/// What a transformation does, for the table and the JSON.
fn describe(t: &str) -> &'static str {
    match t {
        "resize-50" => "half width and height",
        "jpeg-70" => "re-saved as JPEG quality 70",
        "crop-5" => "5 % cut from every edge",
        "crop-10" => "10 % cut from every edge",
        "crop-corner" => "25 % cut from the left and the top, JPEG quality 85",
        "crop-half" => "the left half kept",
        "rotate-90" => "turned a quarter clockwise",
        "mirror" => "mirrored left to right",
        "screenshot" => "framed by a phone screen (bars, border), scaled to 1080 wide, JPEG 85",
        "resize-jpeg-mirror" => "half size, JPEG quality 70 and mirrored",
        _ => "",
    }
}

/// Recall for one transformation.
#[derive(Serialize)]
pub struct TransformRecall {
    /// Transformation id.
    pub transform: String,
    /// What it does.
    pub description: String,
    /// Copies looked up (one per indexed picture).
    pub copies: usize,
    /// Copies whose original was found (within the PDQ threshold, or by local features).
    pub found: usize,
    /// Of those, found only by local features (as a crop), not by PDQ.
    pub found_by_features: usize,
    /// `found / copies`.
    pub recall: f64,
    /// Median distance of the copies to their originals (best orientation).
    pub median_distance: u32,
    /// Largest distance to the original.
    pub max_distance: u32,
}

/// Two distinct corpus files that match each other.
#[derive(Serialize)]
pub struct PairMatch {
    /// The two paths.
    pub a: String,
    /// The other path.
    pub b: String,
    /// Differing bits in the best orientation.
    pub distance: u32,
    /// Matched by local features (a crop) rather than PDQ: how they line up.
    pub crop: Option<Crop>,
    /// The manifest says both come from one source picture.
    pub same_source: bool,
    /// Correlation of their 32×32 grey thumbnails in the best orientation; for a crop
    /// match, of the region the alignment lays over both.
    pub correlation: f32,
    /// One picture (or one picture's content): same source, or a correlation of at
    /// least 0.9 (a true match).
    pub same_picture: bool,
}

/// The reuse part of the evaluation.
#[derive(Serialize)]
pub struct ReuseEval {
    /// Threshold used (differing bits of 256).
    pub threshold: u32,
    /// Pictures indexed (decoded, PDQ quality at least 50).
    pub indexed: usize,
    /// Decoded pictures left out for low PDQ quality (exact copies only).
    pub low_quality: usize,
    /// Indexed documents (scanned receipts, letters): matched by their hashes only and
    /// left out of the transformed copies.
    pub documents: usize,
    /// Recall per transformation (pictures that are not documents).
    pub transforms: Vec<TransformRecall>,
    /// Pairs of distinct indexed files (different SHA-256) compared.
    pub pairs: usize,
    /// Matching pairs that show one picture (same manifest source, or thumbnails
    /// that correlate at least 0.9: variants the manifest lists under separate sources).
    pub same_picture_matches: usize,
    /// Matching pairs of different source pictures: false matches.
    pub false_matches: usize,
    /// `false_matches / pairs`.
    pub false_match_rate: f64,
    /// Every matching pair.
    pub matches: Vec<PairMatch>,
}

/// One corpus file as the reuse evaluation sees it.
pub struct Item<'a> {
    /// Path relative to the corpus.
    pub path: &'a str,
    /// The manifest's `source` (files derived from one picture share it).
    pub source: &'a str,
    /// The screening report (with the fingerprint of the file as stored).
    pub report: &'a FileReport,
}

fn to_image(px: &Pixels) -> Option<RgbImage> {
    RgbImage::from_raw(px.width as u32, px.height as u32, px.rgb.clone())
}

fn from_image(img: RgbImage) -> Pixels {
    Pixels {
        width: img.width() as usize,
        height: img.height() as usize,
        rgb: img.into_raw(),
    }
}

/// Area-average when shrinking (what most resizers do), a tent filter when enlarging.
fn resize(img: &RgbImage, w: u32, h: u32) -> RgbImage {
    let (w, h) = (w.max(1), h.max(1));
    if w <= img.width() && h <= img.height() {
        imageops::thumbnail(img, w, h)
    } else {
        imageops::resize(img, w, h, imageops::FilterType::Triangle)
    }
}

fn jpeg(img: &RgbImage, quality: u8) -> Option<RgbImage> {
    let mut buf = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, quality)
        .encode_image(img)
        .ok()?;
    image::load_from_memory_with_format(&buf, image::ImageFormat::Jpeg)
        .ok()
        .map(|i| i.into_rgb8())
}

fn crop(img: &RgbImage, percent: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let (dx, dy) = (w * percent / 100, h * percent / 100);
    imageops::crop_imm(img, dx, dy, w - 2 * dx, h - 2 * dy).to_image()
}

/// The picture as a phone screenshot shows it: scaled to 1080 wide, with a status bar
/// above, a toolbar below and a thin frame, saved as JPEG 85.
fn screenshot(img: &RgbImage) -> Option<RgbImage> {
    let (w, h) = img.dimensions();
    let inner_w = 1000u32;
    let inner_h = (h as u64 * inner_w as u64 / w.max(1) as u64).max(1) as u32;
    let scaled = resize(img, inner_w, inner_h);
    let (top, bottom) = (120, 200);
    let mut canvas = RgbImage::from_pixel(1080, inner_h + top + bottom, image::Rgb([18, 18, 20]));
    for x in 0..1080 {
        for y in 0..60 {
            canvas.put_pixel(x, y, image::Rgb([245, 245, 245]));
        }
    }
    imageops::replace(&mut canvas, &scaled, 40, top as i64);
    jpeg(&canvas, 85)
}

/// Applies one transformation.
fn transform(px: &Pixels, t: &str) -> Option<Pixels> {
    let img = to_image(px)?;
    let (w, h) = img.dimensions();
    let out = match t {
        "resize-50" => resize(&img, w / 2, h / 2),
        "jpeg-70" => jpeg(&img, 70)?,
        "crop-5" => crop(&img, 5),
        "crop-10" => crop(&img, 10),
        "crop-corner" => jpeg(
            &imageops::crop_imm(&img, w / 4, h / 4, w - w / 4, h - h / 4).to_image(),
            85,
        )?,
        "crop-half" => imageops::crop_imm(&img, 0, 0, (w / 2).max(1), h).to_image(),
        "rotate-90" => return Some(render::turn(px, Dihedral::Rotate90)),
        "mirror" => return Some(render::turn(px, Dihedral::MirrorHorizontal)),
        "screenshot" => screenshot(&img)?,
        "resize-jpeg-mirror" => {
            let small = jpeg(&resize(&img, w / 2, h / 2), 70)?;
            return Some(render::turn(&from_image(small), Dihedral::MirrorHorizontal));
        }
        _ => return None,
    };
    Some(from_image(out))
}

/// A 32×32 grey thumbnail, for telling whether two matching files show one picture.
type Thumb = Vec<f32>;

/// Side of [`Thumb`].
const THUMB: usize = 32;

fn thumbnail(px: &Pixels) -> Thumb {
    let mut t = vec![0f32; THUMB * THUMB];
    let mut n = vec![0f32; THUMB * THUMB];
    for y in 0..px.height {
        let ty = y * THUMB / px.height;
        for x in 0..px.width {
            let i = (y * px.width + x) * 3;
            let g = 0.299 * px.rgb[i] as f32
                + 0.587 * px.rgb[i + 1] as f32
                + 0.114 * px.rgb[i + 2] as f32;
            let k = ty * THUMB + x * THUMB / px.width;
            t[k] += g;
            n[k] += 1.0;
        }
    }
    t.iter().zip(&n).map(|(s, c)| s / c.max(1.0)).collect()
}

/// Pearson correlation of two thumbnails in the best of the eight orientations.
fn thumb_correlation(a: &Thumb, b: &Thumb) -> f32 {
    let as_pixels = |t: &Thumb| Pixels {
        width: THUMB,
        height: THUMB,
        rgb: t.iter().flat_map(|&v| [v as u8; 3]).collect(),
    };
    let pb = as_pixels(b);
    Dihedral::ALL
        .iter()
        .map(|&t| {
            let turned = render::turn(&pb, t);
            let bt: Vec<f32> = turned.rgb.chunks_exact(3).map(|p| p[0] as f32).collect();
            eval_overlap::pearson(a, &bt)
        })
        .fold(f32::MIN, f32::max)
}

/// The index searches of the evaluation, as production runs them.
struct Indexes<'a> {
    pdq: MultiIndex,
    features: FeatureIndex,
    /// Stored fingerprints by key (the item number).
    stored: Vec<Option<&'a Fingerprint>>,
}

/// Crop candidates verified per query, as in production.
const MAX_CROP_CANDIDATES: usize = 16;

/// A picture found as a crop of (or cropped from) a query.
struct CropHit {
    key: i64,
    /// Orientation of the query that lined up.
    turned: Dihedral,
    /// Size of the query's working picture in that orientation.
    query_size: (u32, u32),
    alignment: Alignment,
}

impl CropHit {
    fn crop(&self) -> Crop {
        Crop {
            matching_features: self.alignment.inliers,
            coverage: self.alignment.coverage,
        }
    }
}

impl Indexes<'_> {
    /// Whether a query finds the picture `key` (or an indexed copy of it, within the
    /// PDQ threshold: among many copies of one picture, any may come first):
    /// `Some(false)` by PDQ, `Some(true)` only by local features, `None` not at all.
    fn finds(&self, fp: &Fingerprint, key: i64) -> Option<bool> {
        if self
            .pdq
            .near_any(&fp.query_hashes(), DEFAULT_THRESHOLD)
            .iter()
            .any(|(n, _)| n.key == key)
        {
            return Some(false);
        }
        let original = self.stored.get(key as usize).copied().flatten()?;
        let same = |k: i64| {
            k == key
                || self
                    .stored
                    .get(k as usize)
                    .copied()
                    .flatten()
                    .is_some_and(|f| distance(f, original) <= DEFAULT_THRESHOLD)
        };
        self.crops(fp, &[])
            .iter()
            .any(|c| same(c.key))
            .then_some(true)
    }

    /// Pictures found as crops of (or cropped from) the query, leaving out `skip`.
    fn crops(&self, fp: &Fingerprint, skip: &[i64]) -> Vec<CropHit> {
        let turned = fp.turned_features();
        let candidates: Vec<_> = self
            .features
            .candidates(&turned, MAX_CROP_CANDIDATES + skip.len())
            .into_iter()
            .filter(|c| !skip.contains(&c.0))
            .take(MAX_CROP_CANDIDATES)
            .collect();
        let stored = |k: i64| {
            Some(
                self.stored
                    .get(k as usize)
                    .copied()
                    .flatten()?
                    .features()
                    .clone(),
            )
        };
        let size = |t: Dihedral| {
            turned
                .iter()
                .find(|(u, _)| *u == t)
                .map_or((0, 0), |(_, f)| (f.width, f.height))
        };
        feature_index::verify(&turned, &candidates, stored)
            .into_iter()
            .map(|(key, t, alignment)| CropHit {
                key,
                turned: t,
                query_size: size(t),
                alignment,
            })
            .collect()
    }
}

/// Per transformation: the copy's distance to its original in the best orientation,
/// and how the index search found the original ([`Indexes::finds`]; `None` in the
/// outer option: no copy could be made). Also returns the file's thumbnail.
type CopyResult = Option<(u32, Option<bool>)>;

fn copy_results(
    corpus: &Path,
    item: &Item,
    original: &Fingerprint,
    indexes: &Indexes,
    key: i64,
) -> (Vec<CopyResult>, Option<(Thumb, View)>) {
    let Ok(bytes) = std::fs::read(corpus.join(item.path)) else {
        return (vec![None; TRANSFORMS.len()], None);
    };
    let Ok(px) = pixels::decode(&bytes, Format::detect(&bytes), (None, None), 64_000_000) else {
        return (vec![None; TRANSFORMS.len()], None);
    };
    // Documents are matched on their hashes only (never as crops: see
    // `Fingerprint::document`), so the transformed copies measure pictures.
    if original.document {
        return (vec![None; TRANSFORMS.len()], Some((thumbnail(&px), View::of(&px))));
    }
    let results = TRANSFORMS
        .iter()
        .map(|t| {
            let copy = transform(&px, t)?;
            let fp = Fingerprint::from_rgb(&copy.rgb, copy.width, copy.height);
            Some((distance(&fp, original), indexes.finds(&fp, key)))
        })
        .collect();
    (results, Some((thumbnail(&px), View::of(&px))))
}

/// Differing bits between a query and a stored picture, as the index sees them: the
/// closest of the query's hashes (all orientations, content too) to the stored ones.
fn distance(query: &Fingerprint, stored: &Fingerprint) -> u32 {
    let stored_hashes = std::iter::once(stored.pdq).chain(stored.pdq_content);
    stored_hashes
        .flat_map(|s| {
            query
                .query_hashes()
                .into_iter()
                .map(move |(_, h)| h.distance(&s))
        })
        .min()
        .unwrap_or(256)
}

/// Runs the reuse evaluation; `None` when no file has a fingerprint (no pixels).
pub fn evaluate(corpus: &Path, items: &[Item]) -> Option<ReuseEval> {
    let fingerprinted: Vec<(usize, &Fingerprint)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, it)| it.report.fingerprint.as_ref().map(|f| (i, f)))
        .collect();
    if fingerprinted.is_empty() {
        return None;
    }
    let mut indexes = Indexes {
        pdq: MultiIndex::new(),
        features: FeatureIndex::new(),
        stored: vec![None; items.len()],
    };
    let mut indexed = Vec::new();
    for &(i, f) in &fingerprinted {
        if f.pdq_quality >= MIN_QUALITY {
            indexes.pdq.add(f.pdq, i as i64);
            if let Some(c) = f.pdq_content {
                indexes.pdq.add(c, i as i64);
            }
            indexes.features.add(i as i64, &f.features().words());
            indexes.stored[i] = Some(f);
            indexed.push((i, f));
        }
    }
    indexes.pdq.rebuild();
    indexes.features.rebuild();
    type PerFile = (Vec<Vec<CopyResult>>, Vec<Option<(Thumb, View)>>);
    let (per_file, thumbs): PerFile = indexed
        .par_iter()
        .with_max_len(1)
        .map(|&(i, f)| copy_results(corpus, &items[i], f, &indexes, i as i64))
        .unzip();
    let documents = indexed.iter().filter(|(_, f)| f.document).count();
    let transforms = TRANSFORMS
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let results: Vec<(u32, Option<bool>)> = per_file.iter().filter_map(|v| v[k]).collect();
            let found = results.iter().filter(|r| r.1.is_some()).count();
            let found_by_features = results.iter().filter(|r| r.1 == Some(true)).count();
            let mut d: Vec<u32> = results.iter().map(|r| r.0).collect();
            d.sort_unstable();
            let copies = results.len();
            TransformRecall {
                transform: (*t).to_owned(),
                description: describe(t).to_owned(),
                copies,
                found,
                found_by_features,
                recall: found as f64 / copies.max(1) as f64,
                median_distance: d.get(d.len() / 2).copied().unwrap_or(0),
                max_distance: d.last().copied().unwrap_or(0),
            }
        })
        .collect();
    // Every pair of distinct indexed files, as a query of one would find the other: by
    // PDQ, or else as a crop (searched from either side).
    let crops: Vec<Vec<CropHit>> = indexed
        .par_iter()
        .map(|&(i, f)| indexes.crops(f, &[i as i64]))
        .collect();
    // A crop match, and the correlation of the region it lays over both pictures.
    let crop_of = |x: usize, y: usize| {
        let (j, fj) = indexed[y];
        let hit = crops[x].iter().find(|c| c.key == j as i64)?;
        let correlation = match (&thumbs[x], &thumbs[y]) {
            (Some((_, a)), Some((_, b))) => {
                let earlier = (fj.features().width, fj.features().height);
                eval_overlap::correlation(a, hit.turned, hit.query_size, b, earlier, &hit.alignment)
            }
            _ => 0.0,
        };
        Some((hit.crop(), correlation))
    };
    let mut pairs = 0;
    let mut matches = Vec::new();
    for (x, &(i, fi)) in indexed.iter().enumerate() {
        for (y, &(j, fj)) in indexed.iter().enumerate().skip(x + 1) {
            if items[i].report.sha256 == items[j].report.sha256 {
                continue;
            }
            pairs += 1;
            let d = distance(fi, fj);
            let crop = if d <= DEFAULT_THRESHOLD {
                None
            } else {
                crop_of(x, y).or_else(|| crop_of(y, x))
            };
            if d <= DEFAULT_THRESHOLD || crop.is_some() {
                let correlation = match (crop, &thumbs[x], &thumbs[y]) {
                    (Some((_, c)), _, _) => c,
                    (None, Some((a, _)), Some((b, _))) => thumb_correlation(a, b),
                    _ => 0.0,
                };
                let crop = crop.map(|c| c.0);
                let same_source = same_source(items[i].source, items[j].source);
                matches.push(PairMatch {
                    a: items[i].path.to_owned(),
                    b: items[j].path.to_owned(),
                    distance: d,
                    crop,
                    same_source,
                    correlation,
                    same_picture: same_source || correlation >= SAME_PICTURE,
                });
            }
        }
    }
    let false_matches = matches.iter().filter(|m| !m.same_picture).count();
    Some(ReuseEval {
        threshold: DEFAULT_THRESHOLD,
        indexed: indexed.len(),
        low_quality: fingerprinted.len() - indexed.len(),
        documents,
        transforms,
        pairs,
        same_picture_matches: matches.len() - false_matches,
        false_matches,
        false_match_rate: false_matches as f64 / pairs.max(1) as f64,
        matches,
    })
}

/// Correlation from which two matching files count as one picture (or, for a crop, as
/// sharing its content).
const SAME_PICTURE: f32 = 0.9;

/// Whether two manifest sources share a picture (a splice lists `A + B`).
fn same_source(a: &str, b: &str) -> bool {
    let parts = |s: &str| {
        s.split(" + ")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let pa = parts(a);
    parts(b).iter().any(|p| pa.contains(p))
}

/// Writes the reuse table.
pub fn write_table(out: &mut impl Write, r: &ReuseEval) -> std::io::Result<()> {
    writeln!(
        out,
        "\nreuse: {} pictures indexed ({} left out for low PDQ quality; {} documents, matched by hashes only and not copied below), threshold {} bits",
        r.indexed, r.low_quality, r.documents, r.threshold
    )?;
    writeln!(
        out,
        "{:<20} {:>6} {:>6} {:>6} {:>8} {:>7} {:>5}  what",
        "transform", "copies", "found", "crops", "recall", "median", "max"
    )?;
    for t in &r.transforms {
        writeln!(
            out,
            "{:<20} {:>6} {:>6} {:>6} {:>7.1}% {:>7} {:>5}  {}",
            t.transform,
            t.copies,
            t.found,
            t.found_by_features,
            100.0 * t.recall,
            t.median_distance,
            t.max_distance,
            t.description
        )?;
    }
    writeln!(
        out,
        "pairs of distinct files: {}; matching: {} show one picture, {} false (rate {:.2e})",
        r.pairs, r.same_picture_matches, r.false_matches, r.false_match_rate
    )?;
    writeln!(out, "matching pairs the manifest lists under different sources (one picture when the thumbnails, or for a crop the shared region, correlate >= {SAME_PICTURE}):")?;
    for m in r.matches.iter().filter(|m| !m.same_source) {
        let how = match m.crop {
            Some(c) => format!("crop, {} details line up", c.matching_features),
            None => format!("distance {}", m.distance),
        };
        writeln!(
            out,
            "  {} ~ {}  {how}, correlation {:.3}{}",
            m.a,
            m.b,
            m.correlation,
            if m.same_picture { "" } else { "  FALSE MATCH" }
        )?;
    }
    Ok(())
}
