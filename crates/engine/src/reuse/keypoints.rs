//! Local features for finding cropped copies, which PDQ cannot match (a crop changes
//! the whole picture's scale and framing, and PDQ's 256 bits follow them).
//!
//! Corners are found with the Harris measure on a small pyramid of the picture scaled
//! to at most [`WORK_SIDE`] pixels, and each is described by 256 binary intensity
//! comparisons in a smoothed patch around it (BRIEF). A crop keeps the corners inside
//! it, at the same places relative to each other, so a copy is recognised by many
//! descriptor matches that agree on one scale and shift ([`super::geometry`]).

use super::pdq::Dihedral;

/// Longest side of the picture the features are found on.
pub const WORK_SIDE: usize = 512;
/// Most features kept per picture.
pub const MAX_FEATURES: usize = 96;
/// Pyramid levels, each [`LEVEL_STEP`] the size of the one before (1 : 0.41 overall),
/// so a crop or resize of up to about 2.4× still finds its corners at a level.
const LEVELS: usize = 5;
/// Scale from one level to the next.
const LEVEL_STEP: f32 = 0.8;
/// Radius of the described patch (31 × 31 pixels).
const PATCH: i32 = 15;
/// Radius of the box averaged at each comparison point (5 × 5 pixels).
const SAMPLE: i32 = 2;
/// Harris sensitivity constant.
const HARRIS_K: f32 = 0.04;
/// Weakest corner kept, relative to the strongest of its level: flat areas have none.
const MIN_RESPONSE: f32 = 0.01;

/// A corner with its descriptor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Feature {
    /// Column in the working picture (level 0 pixels).
    pub x: f32,
    /// Row in the working picture.
    pub y: f32,
    /// Pyramid level it was found at (each level 0.8 the size of the one before).
    pub level: u8,
    /// 256 comparison bits.
    pub descriptor: [u64; 4],
}

impl Feature {
    /// Differing descriptor bits.
    pub fn distance(&self, other: &Feature) -> u32 {
        self.descriptor
            .iter()
            .zip(&other.descriptor)
            .map(|(a, b)| (a ^ b).count_ones())
            .sum()
    }
}

/// The features of one picture.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Features {
    /// Width of the working picture.
    pub width: u32,
    /// Height of the working picture.
    pub height: u32,
    /// The corners, strongest first.
    pub points: Vec<Feature>,
}

/// Features per picture that go into the search index (the strongest).
pub const INDEXED_FEATURES: usize = 32;
/// Bits in a feature's index word.
pub const WORD_BITS: u32 = 20;
/// Version byte of [`Features::to_bytes`].
const FORMAT: u8 = 1;
/// Bytes per feature in [`Features::to_bytes`].
const FEATURE_BYTES: usize = 37;

impl Feature {
    /// The index word: the first [`WORD_BITS`] descriptor bits. A copy's feature
    /// differs from the original's in a few bits, so its word often stays the same.
    pub fn word(&self) -> u32 {
        (self.descriptor[0] & ((1 << WORD_BITS) - 1)) as u32
    }
}

impl Features {
    /// Index words of the [`INDEXED_FEATURES`] strongest features, without repeats.
    pub fn words(&self) -> Vec<u32> {
        let mut w: Vec<u32> = self
            .points
            .iter()
            .take(INDEXED_FEATURES)
            .map(Feature::word)
            .collect();
        w.sort_unstable();
        w.dedup();
        w
    }

    /// Compact bytes for storage: version, size, then per feature its place (1/8 pixel),
    /// level and descriptor.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(5 + FEATURE_BYTES * self.points.len());
        b.push(FORMAT);
        b.extend_from_slice(&(self.width.min(u16::MAX as u32) as u16).to_le_bytes());
        b.extend_from_slice(&(self.height.min(u16::MAX as u32) as u16).to_le_bytes());
        for f in &self.points {
            b.extend_from_slice(&((f.x * 8.0).round().clamp(0.0, 65535.0) as u16).to_le_bytes());
            b.extend_from_slice(&((f.y * 8.0).round().clamp(0.0, 65535.0) as u16).to_le_bytes());
            b.push(f.level);
            for d in f.descriptor {
                b.extend_from_slice(&d.to_le_bytes());
            }
        }
        b
    }

    /// Reads [`Features::to_bytes`]; `None` for another version or a damaged value.
    pub fn from_bytes(b: &[u8]) -> Option<Features> {
        if b.len() < 5 || b[0] != FORMAT || !(b.len() - 5).is_multiple_of(FEATURE_BYTES) {
            return None;
        }
        let u16_at = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
        let points = b[5..]
            .chunks_exact(FEATURE_BYTES)
            .map(|c| {
                let mut descriptor = [0u64; 4];
                for (k, d) in descriptor.iter_mut().enumerate() {
                    *d =
                        u64::from_le_bytes(c[5 + 8 * k..13 + 8 * k].try_into().unwrap_or_default());
                }
                Feature {
                    x: u16::from_le_bytes([c[0], c[1]]) as f32 / 8.0,
                    y: u16::from_le_bytes([c[2], c[3]]) as f32 / 8.0,
                    level: c[4],
                    descriptor,
                }
            })
            .collect();
        Some(Features {
            width: u16_at(1) as u32,
            height: u16_at(3) as u32,
            points,
        })
    }
}

/// A grey image.
struct Grey {
    w: usize,
    h: usize,
    px: Vec<f32>,
}

impl Grey {
    fn at(&self, x: usize, y: usize) -> f32 {
        self.px[y * self.w + x]
    }
}

/// The picture scaled down to at most [`WORK_SIDE`] pixels, in 8-bit grey: what
/// features are found on, kept so a turned copy can be described later.
#[derive(Debug, Clone, Default)]
pub struct WorkPicture {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

impl WorkPicture {
    /// Shrinks a luma image (row-major, 0–255) by area averaging; never enlarges.
    pub fn from_luma(luma: &[f32], width: usize, height: usize) -> WorkPicture {
        if luma.len() < width * height || width == 0 || height == 0 {
            return WorkPicture::default();
        }
        let mut shrink = Shrinker::new(width, height);
        for (y, row) in luma.chunks_exact(width).take(height).enumerate() {
            shrink.push_row(y, row);
        }
        shrink.finish()
    }

    /// The picture turned by `t`, as floating point.
    fn turned(&self, t: Dihedral) -> Grey {
        let (transpose, mirror_lr, mirror_tb) = t.steps();
        let (w, h) = if transpose {
            (self.h, self.w)
        } else {
            (self.w, self.h)
        };
        let mut px = vec![0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                let x1 = if mirror_lr { w - 1 - x } else { x };
                let y1 = if mirror_tb { h - 1 - y } else { y };
                let (sx, sy) = if transpose { (y1, x1) } else { (x1, y1) };
                px[y * w + x] = self.px[sy * self.w + sx] as f32;
            }
        }
        Grey { w, h, px }
    }
}

/// A [`WorkPicture`] made from luma rows as they come (no full-size copy needed).
///
/// Each output cell averages a block of whole source pixels: columns `x` with
/// `x * w / width == cx`, rows likewise. A run of a row is summed into its cell in
/// order, so the sums are those of adding pixel by pixel.
pub struct Shrinker {
    width: usize,
    w: usize,
    h: usize,
    /// First source column of each output column, and `width` at the end.
    cols: Vec<usize>,
    /// First source row of each output row, and the height at the end.
    rows: Vec<usize>,
    sum: Vec<f32>,
    /// Output row of the row expected next.
    cy: usize,
}

impl Shrinker {
    /// Ready for the rows of a `width` × `height` picture (non-zero sides).
    pub fn new(width: usize, height: usize) -> Shrinker {
        let (w, h) = shrunk_size(width, height);
        let starts = |n: usize, m: usize| -> Vec<usize> {
            let mut s: Vec<usize> = (0..m).map(|c| (c * n).div_ceil(m)).collect();
            s.push(n);
            s
        };
        Shrinker {
            width,
            w,
            h,
            cols: starts(width, w),
            rows: starts(height, h),
            sum: vec![0f32; w * h],
            cy: 0,
        }
    }

    /// Adds source row `y` (rows come in order; each `width` luma values).
    pub fn push_row(&mut self, y: usize, row: &[f32]) {
        while self.cy + 1 < self.h && self.rows[self.cy + 1] <= y {
            self.cy += 1;
        }
        let cells = &mut self.sum[self.cy * self.w..(self.cy + 1) * self.w];
        let row = &row[..self.width.min(row.len())];
        for (cx, cell) in cells.iter_mut().enumerate() {
            let (a, b) = (self.cols[cx], self.cols[cx + 1].min(row.len()));
            let mut acc = *cell;
            for v in &row[a.min(b)..b] {
                acc += v;
            }
            *cell = acc;
        }
    }

    /// The work picture: each cell's mean, rounded.
    pub fn finish(self) -> WorkPicture {
        let (w, cols, rows) = (self.w, &self.cols, &self.rows);
        let px = self
            .sum
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (cx, cy) = (i % w, i / w);
                let count = (cols[cx + 1] - cols[cx]) * (rows[cy + 1] - rows[cy]);
                (s / count.max(1) as f32).round().clamp(0.0, 255.0) as u8
            })
            .collect();
        WorkPicture {
            w: self.w,
            h: self.h,
            px,
        }
    }
}

/// Features of the work picture turned by `t` first.
pub fn detect(work: &WorkPicture, t: Dihedral) -> Features {
    let min_side = 2 * PATCH as usize + 8;
    if work.w < min_side || work.h < min_side {
        return Features::default();
    }
    let mut level = work.turned(t);
    let (width, height) = (level.w as u32, level.h as u32);
    let mut candidates = Vec::new();
    let mut scale = 1.0f32;
    let base_area = (level.w * level.h) as f32;
    for k in 0..LEVELS {
        if level.w < min_side || level.h < min_side {
            break;
        }
        let smooth = blur(&level);
        // Each level gets a share of the features in proportion to its area.
        let quota =
            ((MAX_FEATURES as f32 * (level.w * level.h) as f32 / base_area) * 0.45).ceil() as usize;
        candidates.extend(corners(&smooth, quota).into_iter().map(|(x, y, r)| {
            let descriptor = describe(&smooth, x, y);
            let f = Feature {
                x: x as f32 / scale,
                y: y as f32 / scale,
                level: k as u8,
                descriptor,
            };
            (r, f)
        }));
        scale *= LEVEL_STEP;
        level = resample(
            &smooth,
            scale_side(smooth.w, LEVEL_STEP),
            scale_side(smooth.h, LEVEL_STEP),
        );
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    Features {
        width,
        height,
        points: candidates
            .into_iter()
            .take(MAX_FEATURES)
            .map(|(_, f)| f)
            .collect(),
    }
}

fn scale_side(side: usize, f: f32) -> usize {
    ((side as f32 * f).round() as usize).max(1)
}

/// Size of the working picture for a `width` × `height` one.
fn shrunk_size(width: usize, height: usize) -> (usize, usize) {
    let long = width.max(height);
    if long <= WORK_SIDE {
        (width, height)
    } else {
        (
            scale_side(width, WORK_SIDE as f32 / long as f32),
            scale_side(height, WORK_SIDE as f32 / long as f32),
        )
    }
}

/// A [1 2 1]/4 blur along rows and columns.
fn blur(g: &Grey) -> Grey {
    let (w, h) = (g.w, g.h);
    let mut tmp = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let l = g.at(x.saturating_sub(1), y);
            let r = g.at((x + 1).min(w - 1), y);
            tmp[y * w + x] = 0.25 * l + 0.5 * g.at(x, y) + 0.25 * r;
        }
    }
    let mut px = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let u = tmp[y.saturating_sub(1) * w + x];
            let d = tmp[(y + 1).min(h - 1) * w + x];
            px[y * w + x] = 0.25 * u + 0.5 * tmp[y * w + x] + 0.25 * d;
        }
    }
    Grey { w, h, px }
}

/// Bilinear resampling to `w` × `h`.
fn resample(g: &Grey, w: usize, h: usize) -> Grey {
    let (fx, fy) = (g.w as f32 / w as f32, g.h as f32 / h as f32);
    let mut px = Vec::with_capacity(w * h);
    for y in 0..h {
        let sy = ((y as f32 + 0.5) * fy - 0.5).clamp(0.0, (g.h - 1) as f32);
        let (y0, ay) = (sy as usize, sy.fract());
        let y1 = (y0 + 1).min(g.h - 1);
        for x in 0..w {
            let sx = ((x as f32 + 0.5) * fx - 0.5).clamp(0.0, (g.w - 1) as f32);
            let (x0, ax) = (sx as usize, sx.fract());
            let x1 = (x0 + 1).min(g.w - 1);
            let top = g.at(x0, y0) * (1.0 - ax) + g.at(x1, y0) * ax;
            let bottom = g.at(x0, y1) * (1.0 - ax) + g.at(x1, y1) * ax;
            px.push(top * (1.0 - ay) + bottom * ay);
        }
    }
    Grey { w, h, px }
}

/// Summed-area table with a zero first row and column.
fn integral(g: &Grey) -> Vec<f64> {
    let w1 = g.w + 1;
    let mut s = vec![0f64; w1 * (g.h + 1)];
    for y in 0..g.h {
        let mut row = 0f64;
        for x in 0..g.w {
            row += g.at(x, y) as f64;
            s[(y + 1) * w1 + x + 1] = s[y * w1 + x + 1] + row;
        }
    }
    s
}

/// Sum over columns `x0..x1`, rows `y0..y1` from a summed-area table of width `w`.
fn box_sum(s: &[f64], w: usize, x0: usize, y0: usize, x1: usize, y1: usize) -> f64 {
    let w1 = w + 1;
    s[y1 * w1 + x1] - s[y0 * w1 + x1] - s[y1 * w1 + x0] + s[y0 * w1 + x0]
}

/// The strongest Harris corners far enough from the edge to be described, spread out:
/// at most `quota`, no two closer than 1/24 of the longer side. Returns `(x, y, response)`.
fn corners(g: &Grey, quota: usize) -> Vec<(usize, usize, f32)> {
    let (w, h) = (g.w, g.h);
    let mut xx = Grey {
        w,
        h,
        px: vec![0.0; w * h],
    };
    let mut yy = Grey {
        w,
        h,
        px: vec![0.0; w * h],
    };
    let mut xy = Grey {
        w,
        h,
        px: vec![0.0; w * h],
    };
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let dx = 0.5 * (g.at(x + 1, y) - g.at(x - 1, y));
            let dy = 0.5 * (g.at(x, y + 1) - g.at(x, y - 1));
            let i = y * w + x;
            xx.px[i] = dx * dx;
            yy.px[i] = dy * dy;
            xy.px[i] = dx * dy;
        }
    }
    let (sxx, syy, sxy) = (integral(&xx), integral(&yy), integral(&xy));
    let margin = (PATCH + SAMPLE + 1) as usize;
    let mut response = vec![0f32; w * h];
    let mut strongest = 0f32;
    for y in margin..h - margin {
        for x in margin..w - margin {
            let (x0, y0, x1, y1) = (x - 2, y - 2, x + 3, y + 3);
            let a = box_sum(&sxx, w, x0, y0, x1, y1);
            let b = box_sum(&syy, w, x0, y0, x1, y1);
            let c = box_sum(&sxy, w, x0, y0, x1, y1);
            let r = (a * b - c * c - HARRIS_K as f64 * (a + b) * (a + b)) as f32;
            response[y * w + x] = r;
            strongest = strongest.max(r);
        }
    }
    let mut peaks = Vec::new();
    for y in margin..h - margin {
        for x in margin..w - margin {
            let r = response[y * w + x];
            if r <= MIN_RESPONSE * strongest {
                continue;
            }
            let is_peak = (y - 2..=y + 2)
                .all(|v| (x - 2..=x + 2).all(|u| (u, v) == (x, y) || response[v * w + u] < r));
            if is_peak {
                peaks.push((x, y, r));
            }
        }
    }
    peaks.sort_by(|a, b| b.2.total_cmp(&a.2));
    let min_gap = (w.max(h) as f32 / 24.0).max(4.0);
    let mut kept: Vec<(usize, usize, f32)> = Vec::with_capacity(quota);
    for p in peaks {
        if kept.len() == quota {
            break;
        }
        let apart = kept.iter().all(|k| {
            let (dx, dy) = (k.0 as f32 - p.0 as f32, k.1 as f32 - p.1 as f32);
            dx * dx + dy * dy >= min_gap * min_gap
        });
        if apart {
            kept.push(p);
        }
    }
    kept
}

/// The 256 comparison-point pairs, the same for every picture: offsets within the
/// patch drawn from a centred bell shape by a fixed pseudo-random sequence.
fn pattern() -> &'static [[(i32, i32); 2]; 256] {
    static PATTERN: std::sync::OnceLock<[[(i32, i32); 2]; 256]> = std::sync::OnceLock::new();
    PATTERN.get_or_init(|| {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f32 / (1u64 << 53) as f32
        };
        // The sum of four uniform numbers is close to normal; spread ≈ patch / 2.4.
        let limit = PATCH - SAMPLE;
        let mut offset = move || {
            let v = (next() + next() + next() + next() - 2.0) * 11.0;
            (v.round() as i32).clamp(-limit, limit)
        };
        let mut p = [[(0, 0); 2]; 256];
        for pair in &mut p {
            *pair = [(offset(), offset()), (offset(), offset())];
        }
        p
    })
}

/// BRIEF descriptor of the corner at (`x`, `y`), which lies at least the patch radius
/// plus the sample radius inside the picture.
fn describe(g: &Grey, x: usize, y: usize) -> [u64; 4] {
    let (cx, cy) = (x as i32, y as i32);
    let mut d = [0u64; 4];
    let mean = |dx: i32, dy: i32| {
        let (px, py) = ((cx + dx) as usize, (cy + dy) as usize);
        let s = SAMPLE as usize;
        let mut sum = 0f32;
        for v in py - s..=py + s {
            for u in px - s..=px + s {
                sum += g.at(u, v);
            }
        }
        sum
    };
    for (i, [a, b]) in pattern().iter().enumerate() {
        if mean(a.0, a.1) < mean(b.0, b.1) {
            d[i / 64] |= 1 << (i % 64);
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_work_picture_is_the_area_average_of_every_pixel() {
        for (width, height) in [(1200, 900), (513, 2000), (300, 200), (4000, 3000)] {
            let luma: Vec<f32> = (0..width * height)
                .map(|i| ((i * 7919) % 251) as f32 + 0.37)
                .collect();
            let work = WorkPicture::from_luma(&luma, width, height);
            // Pixel by pixel, as it was first written.
            let (w, h) = shrunk_size(width, height);
            let mut sum = vec![0f32; w * h];
            let mut count = vec![0u32; w * h];
            for y in 0..height {
                for x in 0..width {
                    let cell = (y * h / height) * w + x * w / width;
                    sum[cell] += luma[y * width + x];
                    count[cell] += 1;
                }
            }
            let expected: Vec<u8> = sum
                .iter()
                .zip(&count)
                .map(|(s, c)| (s / (*c).max(1) as f32).round().clamp(0.0, 255.0) as u8)
                .collect();
            assert_eq!((work.w, work.h), (w, h));
            assert!(work.px == expected, "{width}x{height}");
        }
    }

    /// A busy test picture: overlapping rectangles of different greys on a gradient.
    fn picture(w: usize, h: usize) -> Vec<f32> {
        let mut luma: Vec<f32> = (0..w * h)
            .map(|i| ((i % w) * 60 / w + (i / w) * 40 / h) as f32)
            .collect();
        let mut state = 7u32;
        for _ in 0..60 {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let (x0, y0) = ((state >> 8) as usize % w, (state >> 3) as usize % h);
            let (rw, rh) = (
                10 + (state as usize % 50),
                10 + ((state >> 16) as usize % 40),
            );
            let grey = (state >> 24) as f32;
            for y in y0..(y0 + rh).min(h) {
                for x in x0..(x0 + rw).min(w) {
                    luma[y * w + x] = grey;
                }
            }
        }
        luma
    }

    fn cut(luma: &[f32], w: usize, x0: usize, y0: usize, x1: usize, y1: usize) -> Vec<f32> {
        (y0..y1)
            .flat_map(|y| luma[y * w + x0..y * w + x1].to_vec())
            .collect()
    }

    #[test]
    fn a_crop_is_aligned_with_its_original_at_the_right_place() {
        let (w, h) = (480, 360);
        let luma = picture(w, h);
        let original = detect(&WorkPicture::from_luma(&luma, w, h), Dihedral::Original);
        assert!(
            original.points.len() > 40,
            "{} features",
            original.points.len()
        );
        let crop = cut(&luma, w, 60, 30, 420, 330);
        let copy = detect(&WorkPicture::from_luma(&crop, 360, 300), Dihedral::Original);
        let a = super::super::geometry::align(&copy, &original).expect("the crop is found");
        assert!((a.scale - 1.0).abs() < 0.05, "{a:?}");
        assert!(
            (a.shift.0 - 60.0).abs() < 3.0 && (a.shift.1 - 30.0).abs() < 3.0,
            "{a:?}"
        );
        assert!((a.coverage - 0.625).abs() < 0.05, "{a:?}");
    }

    #[test]
    fn a_different_picture_is_not_aligned() {
        let (w, h) = (480, 360);
        let a = detect(
            &WorkPicture::from_luma(&picture(w, h), w, h),
            Dihedral::Original,
        );
        let other: Vec<f32> = picture(w, h)
            .iter()
            .rev()
            .map(|v| 255.0 - v * 0.7)
            .collect();
        let b = detect(&WorkPicture::from_luma(&other, w, h), Dihedral::Original);
        assert_eq!(super::super::geometry::align(&a, &b), None);
    }

    #[test]
    fn a_mirrored_copy_is_aligned_once_described_mirrored() {
        let (w, h) = (400, 300);
        let luma = picture(w, h);
        let mirrored: Vec<f32> = (0..w * h)
            .map(|i| luma[(i / w) * w + (w - 1 - i % w)])
            .collect();
        let original = detect(&WorkPicture::from_luma(&luma, w, h), Dihedral::Original);
        let work = WorkPicture::from_luma(&mirrored, w, h);
        assert_eq!(
            super::super::geometry::align(&detect(&work, Dihedral::Original), &original),
            None
        );
        assert!(super::super::geometry::align(
            &detect(&work, Dihedral::MirrorHorizontal),
            &original
        )
        .is_some());
    }

    #[test]
    fn features_survive_storage() {
        let (w, h) = (300, 200);
        let f = detect(
            &WorkPicture::from_luma(&picture(w, h), w, h),
            Dihedral::Original,
        );
        let back = Features::from_bytes(&f.to_bytes()).expect("readable");
        assert_eq!(back.points.len(), f.points.len());
        assert_eq!((back.width, back.height), (300, 200));
        for (a, b) in back.points.iter().zip(&f.points) {
            assert_eq!(a.descriptor, b.descriptor);
            assert!((a.x - b.x).abs() <= 0.0625 && (a.y - b.y).abs() <= 0.0625);
        }
        assert_eq!(Features::from_bytes(&[9, 0, 0, 0, 0]), None);
        assert_eq!(Features::from_bytes(&f.to_bytes()[..40]), None);
    }
}
