//! Documents are not photos: recognising a scanned receipt, invoice or page of text
//! from its pixels, so that detectors trained on photos are not applied to it.
//!
//! A scan of printed text is paper of one bright level with thin dark strokes on it:
//! nearly every pixel is either paper or ink, with almost no colour and few tones in
//! between, and the ink forms strokes a few pixels wide rather than solid shapes. A
//! photo (even of a white wall, snow or a product on a white background) fails at least
//! one of these. Measured on the corpus (README, "Documents"): all 60 scanned receipts
//! and none of the 235 photos and generated pictures.

use crate::pixels::Pixels;
use serde::Serialize;

/// Long side of the copy the check looks at.
const WORK_SIDE: usize = 1024;
/// Paper: within this many grey levels below the paper level (its 90th percentile).
const PAPER_BAND: f32 = 40.0;
/// Ink: at least this many grey levels below the paper level.
const INK_DEPTH: f32 = 100.0;

/// What the pixels say about the file being a document.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentCheck {
    /// Whether the picture is a document (scanned or screenshotted text).
    pub is_document: bool,
    /// Grey level of the paper (90th percentile), 0 to 255.
    pub paper_level: f32,
    /// Share of pixels at paper level.
    pub paper_share: f32,
    /// Share of ink pixels (far darker than the paper).
    pub ink_share: f32,
    /// Share of pixels in between: photos are full of them, documents have few.
    pub middle_share: f32,
    /// Mean colourfulness (largest minus smallest channel), 0 to 255.
    pub colour: f32,
    /// Share of ink inside solid shapes (ink 5 × 5 around): strokes of text give little.
    pub solid_ink_share: f32,
}

/// Looks at decoded pixels and says whether they show a document.
pub fn assess(px: &Pixels) -> DocumentCheck {
    assess_rgb(&px.rgb, px.width, px.height)
}

/// [`assess`] of row-major RGB bytes of `width` × `height`.
pub fn assess_rgb(rgb: &[u8], width: usize, height: usize) -> DocumentCheck {
    crate::simd::with_avx2(|| assess_rgb_impl(rgb, width, height))
}

#[inline(always)]
fn assess_rgb_impl(rgb: &[u8], width: usize, height: usize) -> DocumentCheck {
    let k = width.max(height).div_ceil(WORK_SIDE).max(1);
    let (w, h) = (width.div_ceil(k), height.div_ceil(k));
    let (luma, colour) = grey_and_colour(rgb, (width, height), k, (w, h));
    let mut hist = [0u32; 256];
    for v in &luma {
        hist[(*v as usize).min(255)] += 1;
    }
    let n = luma.len().max(1) as f32;
    let paper_level = percentile(&hist, 0.9) as f32;
    let paper_share = luma
        .iter()
        .filter(|v| **v >= paper_level - PAPER_BAND)
        .count() as f32
        / n;
    let ink: Vec<bool> = luma.iter().map(|v| *v <= paper_level - INK_DEPTH).collect();
    let ink_count = ink.iter().filter(|v| **v).count();
    let ink_share = ink_count as f32 / n;
    let solid_ink_share = if ink_count == 0 {
        1.0
    } else {
        eroded(&ink, w, h, 2) as f32 / ink_count as f32
    };
    let middle_share = (1.0 - paper_share - ink_share).max(0.0);
    let is_document = paper_level >= 200.0
        && paper_share >= 0.75
        && middle_share <= 0.15
        && (0.001..=0.3).contains(&ink_share)
        && colour <= 15.0
        && solid_ink_share <= 0.75;
    DocumentCheck {
        is_document,
        paper_level,
        paper_share,
        ink_share,
        middle_share,
        colour,
        solid_ink_share,
    }
}

/// Grey levels of `k` × `k` block means (`w` × `h` of them) of an RGB picture of
/// `width` × `height`, and its mean colourfulness.
fn grey_and_colour(
    rgb: &[u8],
    (width, height): (usize, usize),
    k: usize,
    (w, h): (usize, usize),
) -> (Vec<f32>, f32) {
    let mut sums = vec![[0f32; 2]; w * h];
    let mut colour = 0f64;
    for (y, row) in rgb.chunks_exact(width.max(1) * 3).take(height).enumerate() {
        let out = &mut sums[(y / k) * w..][..w];
        for (x, p) in row.chunks_exact(3).enumerate() {
            let (r, g, b) = (p[0] as f32, p[1] as f32, p[2] as f32);
            let cell = &mut out[x / k];
            cell[0] += 0.299 * r + 0.587 * g + 0.114 * b;
            cell[1] += 1.0;
            colour += (p[0].max(p[1]).max(p[2]) - p[0].min(p[1]).min(p[2])) as f64;
        }
    }
    let luma = sums.iter().map(|c| c[0] / c[1].max(1.0)).collect();
    let pixels = (width * height).max(1) as f64;
    (luma, (colour / pixels) as f32)
}

/// The grey level below which `share` of the pixels lie.
fn percentile(hist: &[u32; 256], share: f32) -> usize {
    let total: u32 = hist.iter().sum();
    let want = (total as f32 * share).ceil() as u32;
    let mut seen = 0;
    for (level, count) in hist.iter().enumerate() {
        seen += count;
        if seen >= want {
            return level;
        }
    }
    255
}

/// How many set cells have every cell within `r` (a square) set too.
fn eroded(mask: &[bool], w: usize, h: usize, r: usize) -> usize {
    let across: Vec<bool> = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w, i / w);
            x >= r && x + r < w && (x - r..=x + r).all(|xx| mask[y * w + xx])
        })
        .collect();
    (0..w * h)
        .filter(|i| {
            let (x, y) = (i % w, i / w);
            y >= r && y + r < h && (y - r..=y + r).all(|yy| across[yy * w + x])
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(w: usize, h: usize, f: impl Fn(usize, usize) -> [u8; 3]) -> Pixels {
        let rgb = (0..w * h).flat_map(|i| f(i % w, i / w)).collect();
        Pixels {
            width: w,
            height: h,
            rgb,
        }
    }

    /// Lines of "characters": 2-px strokes on white paper.
    fn receipt(x: usize, y: usize) -> [u8; 3] {
        let line = y % 24 < 12 && (20..380).contains(&x);
        let stroke = (x % 7 < 2) || (y % 24 == 5);
        if line && stroke && !(x / 7 + y / 24).is_multiple_of(5) {
            [30, 30, 30]
        } else {
            [245, 245, 240]
        }
    }

    #[test]
    fn printed_text_is_a_document() {
        let c = assess(&picture(400, 900, receipt));
        assert!(c.is_document, "{c:?}");
    }

    #[test]
    fn a_document_is_found_again_by_its_hashes_only() {
        // Receipts of one shop line up detail for detail: no local features to match.
        let p = picture(400, 900, receipt);
        let fp = crate::reuse::Fingerprint::from_rgb(&p.rgb, p.width, p.height);
        assert!(fp.document);
        assert!(fp.features().points.is_empty());
        assert!(fp
            .turned_features()
            .iter()
            .all(|(_, f)| f.points.is_empty()));
    }

    #[test]
    fn photos_are_not_documents_even_bright_ones() {
        // A smooth grey-white wall, a dark product on white, a colourful scene.
        let wall = picture(400, 300, |x, y| {
            let v = (170 + (x + y) / 12) as u8;
            [v, v, v]
        });
        let product = picture(400, 300, |x, y| {
            if (100..300).contains(&x) && (80..220).contains(&y) {
                [20, 20, 25]
            } else {
                [250, 250, 250]
            }
        });
        let scene = picture(400, 300, |x, y| [(x % 256) as u8, (y % 256) as u8, 120]);
        for (name, p) in [("wall", wall), ("product", product), ("scene", scene)] {
            let c = assess(&p);
            assert!(!c.is_document, "{name}: {c:?}");
        }
    }
}
