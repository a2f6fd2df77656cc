//! Forensic features that separate generated pictures from camera pictures, measured
//! on patches at the picture's own resolution (resizing would wipe out what they
//! look for) and summarised by their median over the patches, so the picture's size
//! does not enter. Three families:
//!
//! - **Noise-residual co-occurrence** (after SPAM, Pevný et al. 2010): pairs of
//!   neighbouring first-order differences, truncated to ±2, folded by sign symmetry.
//!   A camera's sensor noise and demosaicing give other statistics than a
//!   generator's decoder.
//! - **Periodic correlation** of the high-pass residual at lags 1–5: upsampling layers
//!   leave correlation at even lags (peaks at π/2, π in the spectrum).
//! - **Colour-filter traces**: the 2×2 periodicity of the green residual's variance
//!   and how strongly the colour channels' residuals move together, left by
//!   demosaicing in cameras and absent from a generator's output.
//!
//! - **Neighbouring-pixel relationships** (after NPR, Tan et al. 2024): the picture
//!   minus its own 2×2 average blown up again, compared with the same on a grid one
//!   pixel off: an upsampling layer ties each 2×2 cell of its output together.
//!
//! Lag 8 (the JPEG block grid) is left out on purpose, so re-compression is not read.

use crate::pixels::Pixels;

/// Side of a patch, in pixels.
pub const PATCH: usize = 128;
/// Most patches per picture (a 6 × 4 grid).
const GRID: (usize, usize) = (6, 4);
/// Patches flatter than this (luma standard deviation) carry no noise to measure.
const MIN_STD: f32 = 1.5;
/// Truncation of the first-order differences.
const T: i32 = 2;

/// The features' names, in order.
pub const NAMES: [&str; FEATURES] = [
    "cooc_0_0", "cooc_0_1", "cooc_0_2", "cooc_1_-2", "cooc_1_-1", "cooc_1_0", "cooc_1_1",
    "cooc_1_2", "cooc_2_-2", "cooc_2_-1", "cooc_2_0", "cooc_2_1", "cooc_2_2",
    "residual_log_variance", "residual_log_kurtosis",
    "corr_lag1", "corr_lag2", "corr_lag3", "peak_lag2", "peak_lag4",
    "cfa_green_periodicity", "channel_corr_rg", "channel_corr_gb",
    "npr_log_ratio", "npr_alignment", "npr_log_kurtosis",
];
/// How many features there are.
pub const FEATURES: usize = 26;

/// The features of a picture, or `None` when it is too small or flat to measure.
pub fn extract(px: &Pixels) -> Option<Vec<f32>> {
    let (w, h) = (px.width, px.height);
    if w < PATCH || h < PATCH || px.rgb.len() < w * h * 3 {
        return None;
    }
    let (nx, ny) = ((w / PATCH).min(GRID.0), (h / PATCH).min(GRID.1));
    let mut per_patch: Vec<[f32; FEATURES]> = Vec::with_capacity(nx * ny);
    for gy in 0..ny {
        for gx in 0..nx {
            // Spread the patches evenly over the picture.
            let x0 = if nx == 1 { (w - PATCH) / 2 } else { gx * (w - PATCH) / (nx - 1) };
            let y0 = if ny == 1 { (h - PATCH) / 2 } else { gy * (h - PATCH) / (ny - 1) };
            if let Some(f) = patch_features(px, x0, y0) {
                per_patch.push(f);
            }
        }
    }
    if per_patch.is_empty() {
        return None;
    }
    Some((0..FEATURES).map(|k| median(per_patch.iter().map(|f| f[k]).collect())).collect())
}

fn median(mut v: Vec<f32>) -> f32 {
    v.sort_by(f32::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// One channel of a patch as f32 (`c` 0..3), or luma (`c` 3).
fn channel(px: &Pixels, x0: usize, y0: usize, c: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(PATCH * PATCH);
    for y in y0..y0 + PATCH {
        let row = &px.rgb[(y * px.width + x0) * 3..(y * px.width + x0 + PATCH) * 3];
        for p in row.chunks_exact(3) {
            out.push(match c {
                3 => 0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32,
                c => p[c] as f32,
            });
        }
    }
    out
}

/// High-pass residual: each pixel minus the mean of its four neighbours (interior only,
/// `(PATCH-2)²` values, row-major).
fn residual(v: &[f32]) -> Vec<f32> {
    let n = PATCH;
    let mut r = Vec::with_capacity((n - 2) * (n - 2));
    for y in 1..n - 1 {
        for x in 1..n - 1 {
            let c = v[y * n + x];
            let around = v[y * n + x - 1] + v[y * n + x + 1] + v[(y - 1) * n + x] + v[(y + 1) * n + x];
            r.push(c - around / 4.0);
        }
    }
    r
}

fn patch_features(px: &Pixels, x0: usize, y0: usize) -> Option<[f32; FEATURES]> {
    let luma = channel(px, x0, y0, 3);
    let mean = luma.iter().sum::<f32>() / luma.len() as f32;
    let var = luma.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / luma.len() as f32;
    if var.sqrt() < MIN_STD {
        return None;
    }
    let mut f = [0f32; FEATURES];
    cooccurrence(&luma, &mut f[..13]);
    let r = residual(&luma);
    let m2 = r.iter().map(|v| v * v).sum::<f32>() / r.len() as f32;
    let m4 = r.iter().map(|v| v.powi(4)).sum::<f32>() / r.len() as f32;
    f[13] = (m2 + 1e-3).ln();
    f[14] = (m4 / (m2 * m2 + 1e-6) + 1e-3).ln();
    let rho: Vec<f32> = (1..=5).map(|k| lag_correlation(&r, PATCH - 2, k)).collect();
    f[15] = rho[0];
    f[16] = rho[1];
    f[17] = rho[2];
    f[18] = rho[1] - (rho[0] + rho[2]) / 2.0;
    f[19] = rho[3] - (rho[2] + rho[4]) / 2.0;
    let red = residual(&channel(px, x0, y0, 0));
    let green = residual(&channel(px, x0, y0, 1));
    let blue = residual(&channel(px, x0, y0, 2));
    f[20] = cfa_periodicity(&green, PATCH - 2);
    f[21] = correlation(&red, &green);
    f[22] = correlation(&green, &blue);
    let (aligned, a4) = npr(&luma, 0);
    let (shifted, _) = npr(&luma, 1);
    f[23] = ((aligned + 1e-3) / (m2 + 1e-3)).ln();
    f[24] = ((aligned + 1e-3) / (shifted + 1e-3)).ln();
    f[25] = (a4 / (aligned * aligned + 1e-6) + 1e-3).ln();
    Some(f)
}

/// Second and fourth moments of `x` minus its 2×2 cell means, on cells starting at
/// `offset` (0: the picture's grid, 1: one pixel off).
fn npr(v: &[f32], offset: usize) -> (f32, f32) {
    let n = PATCH;
    let (mut m2, mut m4, mut count) = (0f64, 0f64, 0u32);
    let mut y = offset;
    while y + 1 < n {
        let mut x = offset;
        while x + 1 < n {
            let cell = [v[y * n + x], v[y * n + x + 1], v[(y + 1) * n + x], v[(y + 1) * n + x + 1]];
            let mean = cell.iter().sum::<f32>() / 4.0;
            for c in cell {
                let d = (c - mean) as f64;
                m2 += d * d;
                m4 += d.powi(4);
                count += 1;
            }
            x += 2;
        }
        y += 2;
    }
    let c = count.max(1) as f64;
    ((m2 / c) as f32, (m4 / c) as f32)
}

/// The 13 sign-folded co-occurrence frequencies of neighbouring truncated differences,
/// horizontal and vertical together.
fn cooccurrence(v: &[f32], out: &mut [f32]) {
    let n = PATCH;
    let q = |d: f32| (d.round() as i32).clamp(-T, T);
    let mut counts = [0u32; 25];
    let mut add = |a: i32, b: i32| {
        // Fold (a, b) with (-a, -b) onto one of 13 classes.
        let (a, b) = if a < 0 || (a == 0 && b < 0) { (-a, -b) } else { (a, b) };
        counts[((a + T) * 5 + (b + T)) as usize] += 1;
    };
    for y in 0..n {
        for x in 0..n - 2 {
            let (p0, p1, p2) = (v[y * n + x], v[y * n + x + 1], v[y * n + x + 2]);
            add(q(p1 - p0), q(p2 - p1));
        }
    }
    for y in 0..n - 2 {
        for x in 0..n {
            let (p0, p1, p2) = (v[y * n + x], v[(y + 1) * n + x], v[(y + 2) * n + x]);
            add(q(p1 - p0), q(p2 - p1));
        }
    }
    let total = counts.iter().sum::<u32>().max(1) as f32;
    // The classes in NAMES order: (0,0), (0,1), (0,2), then a = 1 and a = 2 with b -2..2.
    let classes = [(0, 0), (0, 1), (0, 2), (1, -2), (1, -1), (1, 0), (1, 1), (1, 2), (2, -2), (2, -1), (2, 0), (2, 1), (2, 2)];
    for (slot, (a, b)) in out.iter_mut().zip(classes) {
        *slot = counts[((a + T) * 5 + (b + T)) as usize] as f32 / total;
    }
}

/// Correlation of a row-major `side × side` field with itself shifted by `k`
/// (horizontal and vertical averaged).
fn lag_correlation(r: &[f32], side: usize, k: usize) -> f32 {
    let (mut num, mut den) = (0f64, 0f64);
    for y in 0..side {
        for x in 0..side {
            let v = r[y * side + x] as f64;
            den += v * v;
            if x + k < side {
                num += v * r[y * side + x + k] as f64;
            }
            if y + k < side {
                num += v * r[(y + k) * side + x] as f64;
            }
        }
    }
    if den <= 0.0 {
        0.0
    } else {
        (num / (2.0 * den)) as f32
    }
}

/// How much the residual's variance differs between the four positions of a 2×2 grid:
/// `ln(max / min)`.
fn cfa_periodicity(r: &[f32], side: usize) -> f32 {
    let mut sums = [0f64; 4];
    let mut counts = [0u32; 4];
    for y in 0..side {
        for x in 0..side {
            let cell = (y % 2) * 2 + x % 2;
            sums[cell] += (r[y * side + x] as f64).powi(2);
            counts[cell] += 1;
        }
    }
    let vars: Vec<f64> = sums.iter().zip(counts).map(|(s, c)| s / c.max(1) as f64 + 1e-3).collect();
    let (lo, hi) = vars.iter().fold((f64::MAX, 0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    (hi / lo).ln() as f32
}

fn correlation(a: &[f32], b: &[f32]) -> f32 {
    let (mut ab, mut aa, mut bb) = (0f64, 0f64, 0f64);
    for (x, y) in a.iter().zip(b) {
        ab += (*x as f64) * (*y as f64);
        aa += (*x as f64).powi(2);
        bb += (*y as f64).powi(2);
    }
    if aa <= 0.0 || bb <= 0.0 {
        0.0
    } else {
        (ab / (aa * bb).sqrt()) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(w: usize, h: usize, f: impl Fn(usize, usize) -> [u8; 3]) -> Pixels {
        let mut rgb = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                rgb.extend_from_slice(&f(x, y));
            }
        }
        Pixels { width: w, height: h, rgb }
    }

    fn noise(x: usize, y: usize, seed: u32) -> u8 {
        let mut v = (x as u32).wrapping_mul(73_856_093) ^ (y as u32).wrapping_mul(19_349_663) ^ seed;
        v ^= v >> 13;
        v = v.wrapping_mul(0x5bd1_e995);
        v ^= v >> 15;
        (v % 9) as u8
    }

    #[test]
    fn small_and_flat_pictures_have_no_features() {
        assert!(extract(&picture(100, 300, |_, _| [9, 9, 9])).is_none());
        assert!(extract(&picture(400, 300, |_, _| [120, 120, 120])).is_none());
    }

    #[test]
    fn features_do_not_depend_on_the_pictures_size() {
        let tex = |x: usize, y: usize| {
            let v = 100 + ((x / 7 + y / 5) % 3) as u8 * 20 + noise(x, y, 1);
            [v, v.saturating_add(3), v.saturating_sub(4)]
        };
        let small = extract(&picture(400, 300, tex)).unwrap();
        let large = extract(&picture(1600, 1200, tex)).unwrap();
        assert_eq!(small.len(), FEATURES);
        for (k, (a, b)) in small.iter().zip(&large).enumerate() {
            assert!((a - b).abs() < 0.05 + 0.05 * a.abs(), "{}: {a} vs {b}", NAMES[k]);
        }
    }

    #[test]
    fn upsampling_shows_at_even_lags_and_a_bayer_pattern_in_the_green() {
        // Noise upsampled 2× by pixel repetition correlates at lag 1 and 2, unlike noise.
        let plain = extract(&picture(512, 512, |x, y| { let v = 100 + noise(x, y, 2) * 4; [v, v, v] })).unwrap();
        let upsampled = extract(&picture(512, 512, |x, y| { let v = 100 + noise(x / 2, y / 2, 2) * 4; [v, v, v] })).unwrap();
        assert!(upsampled[15] > plain[15] + 0.2, "lag-1 correlation {} vs {}", upsampled[15], plain[15]);
        // Its 2×2 cells are flat on the picture's grid, not one pixel off.
        assert!(upsampled[24] < plain[24] - 2.0, "NPR alignment {} vs {}", upsampled[24], plain[24]);
        // Green noise only on one of the four 2×2 positions: strong periodicity.
        let bayer = extract(&picture(512, 512, |x, y| {
            let g = if x % 2 == 0 && y % 2 == 0 { 100 + noise(x, y, 3) * 4 } else { 110 };
            [110, g, 110]
        }))
        .unwrap();
        assert!(bayer[20] > plain[20] + 1.0, "periodicity {} vs {}", bayer[20], plain[20]);
    }
}
