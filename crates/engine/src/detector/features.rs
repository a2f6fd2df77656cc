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

/// A patch's luma and its red, green and blue channels as f32, row-major.
fn channels(px: &Pixels, x0: usize, y0: usize) -> [Vec<f32>; 4] {
    let mut out: [Vec<f32>; 4] = std::array::from_fn(|_| vec![0f32; PATCH * PATCH]);
    let [luma, red, green, blue] = &mut out;
    for (dy, y) in (y0..y0 + PATCH).enumerate() {
        let row = &px.rgb[(y * px.width + x0) * 3..][..PATCH * 3];
        let span = dy * PATCH..(dy + 1) * PATCH;
        for ((((p, l), r), g), b) in row
            .chunks_exact(3)
            .zip(&mut luma[span.clone()])
            .zip(&mut red[span.clone()])
            .zip(&mut green[span.clone()])
            .zip(&mut blue[span])
        {
            (*r, *g, *b) = (p[0] as f32, p[1] as f32, p[2] as f32);
            *l = 0.299 * *r + 0.587 * *g + 0.114 * *b;
        }
    }
    out
}

/// High-pass residual: each pixel minus the mean of its four neighbours (interior only,
/// `(PATCH-2)²` values, row-major).
fn residual(v: &[f32]) -> Vec<f32> {
    let n = PATCH;
    let mut r = vec![0f32; (n - 2) * (n - 2)];
    for (y, out) in (1..n - 1).zip(r.chunks_exact_mut(n - 2)) {
        let (up, row, down) = (&v[(y - 1) * n..][..n], &v[y * n..][..n], &v[(y + 1) * n..][..n]);
        for ((((o, c), (l, rt)), u), d) in out
            .iter_mut()
            .zip(&row[1..n - 1])
            .zip(row.iter().zip(&row[2..]))
            .zip(&up[1..n - 1])
            .zip(&down[1..n - 1])
        {
            let around = l + rt + u + d;
            *o = c - around / 4.0;
        }
    }
    r
}

fn patch_features(px: &Pixels, x0: usize, y0: usize) -> Option<[f32; FEATURES]> {
    let [luma, red, green, blue] = channels(px, x0, y0);
    let n = luma.len() as f64;
    let mean = sum_of(&luma, |v| v) / n;
    let var = sum_of(&luma, |v| (v - mean) * (v - mean)) / n;
    if var.sqrt() < MIN_STD as f64 {
        return None;
    }
    let mut f = [0f32; FEATURES];
    cooccurrence(&luma, &mut f[..13]);
    let r = residual(&luma);
    let energy = dot(&r, &r);
    let m2 = (energy / r.len() as f64) as f32;
    let m4 = (sum_of(&r, |v| (v * v) * (v * v)) / r.len() as f64) as f32;
    f[13] = (m2 + 1e-3).ln();
    f[14] = (m4 / (m2 * m2 + 1e-6) + 1e-3).ln();
    let rho: Vec<f32> = (1..=5).map(|k| lag_correlation(&r, PATCH - 2, k, energy)).collect();
    f[15] = rho[0];
    f[16] = rho[1];
    f[17] = rho[2];
    f[18] = rho[1] - (rho[0] + rho[2]) / 2.0;
    f[19] = rho[3] - (rho[2] + rho[4]) / 2.0;
    let (red, green, blue) = (residual(&red), residual(&green), residual(&blue));
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

/// Independent partial sums: a single running f64 sum waits on its own previous
/// addition at every step, eight of them keep the core busy.
const LANES: usize = 8;

/// `Σ f(v)` over `v`, in f64.
fn sum_of(v: &[f32], f: impl Fn(f64) -> f64) -> f64 {
    let mut acc = [0f64; LANES];
    let chunks = v.chunks_exact(LANES);
    let tail: f64 = chunks.remainder().iter().map(|&x| f(x as f64)).sum();
    for c in chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a += f(x as f64);
        }
    }
    acc.iter().sum::<f64>() + tail
}

/// `Σ a·b` over the common length, in f64.
fn dot(a: &[f32], b: &[f32]) -> f64 {
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let mut acc = [0f64; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f64 = ca.remainder().iter().zip(cb.remainder()).map(|(&x, &y)| x as f64 * y as f64).sum();
    for (x, y) in ca.zip(cb) {
        for ((s, &x), &y) in acc.iter_mut().zip(x).zip(y) {
            *s += x as f64 * y as f64;
        }
    }
    acc.iter().sum::<f64>() + tail
}

/// Second and fourth moments of `x` minus its 2×2 cell means, on cells starting at
/// `offset` (0: the picture's grid, 1: one pixel off).
fn npr(v: &[f32], offset: usize) -> (f32, f32) {
    let n = PATCH;
    let (mut m2, mut m4, mut count) = ([0f64; 4], [0f64; 4], 0u32);
    let mut y = offset;
    while y + 1 < n {
        let mut x = offset;
        while x + 1 < n {
            let cell = [v[y * n + x], v[y * n + x + 1], v[(y + 1) * n + x], v[(y + 1) * n + x + 1]];
            let mean = cell.iter().sum::<f32>() / 4.0;
            for (i, c) in cell.into_iter().enumerate() {
                let d = (c - mean) as f64;
                let d2 = d * d;
                m2[i] += d2;
                m4[i] += d2 * d2;
            }
            count += 4;
            x += 2;
        }
        y += 2;
    }
    let c = count.max(1) as f64;
    ((m2.iter().sum::<f64>() / c) as f32, (m4.iter().sum::<f64>() / c) as f32)
}

/// The 13 sign-folded co-occurrence frequencies of neighbouring truncated differences,
/// horizontal and vertical together.
fn cooccurrence(v: &[f32], out: &mut [f32]) {
    let n = PATCH;
    // `d.round()` clamped to ±T, by comparisons (the same result, rounding half away
    // from zero, without a libm call or a branch per difference).
    const _: () = assert!(T == 2, "q below rounds to at most ±2");
    let q = |d: f32| -> i32 {
        i32::from(d >= 0.5) + i32::from(d >= 1.5) - i32::from(d <= -0.5) - i32::from(d <= -1.5)
    };
    // Fold (a, b) with (-a, -b) onto one of 13 classes: the index of (a, b) in the 5×5
    // table, or of (-a, -b), which is 24 minus it.
    let class = |a: i32, b: i32| {
        let i = ((a + T) * 5 + (b + T)) as usize;
        i.max(24 - i)
    };
    // Each difference is truncated once, then pairs of neighbouring ones are counted
    // (horizontal pairs within a row, vertical pairs within a column), in four tables
    // filled in turn so that repeated classes do not wait on each other.
    let mut counts = [[0u32; 25]; 4];
    let mut count = |a: &[i32], b: &[i32]| {
        for (x, (a, b)) in a.iter().zip(b).enumerate() {
            counts[x % 4][class(*a, *b)] += 1;
        }
    };
    let mut across = [0i32; PATCH - 1];
    for row in v.chunks_exact(n) {
        for (d, w) in across.iter_mut().zip(row.windows(2)) {
            *d = q(w[1] - w[0]);
        }
        count(&across[..n - 2], &across[1..]);
    }
    let down: Vec<i32> = v[n..].iter().zip(v).map(|(b, a)| q(b - a)).collect();
    for y in 0..n - 2 {
        count(&down[y * n..][..n], &down[(y + 1) * n..][..n]);
    }
    let mut merged = [0u32; 25];
    for t in &counts {
        for (m, c) in merged.iter_mut().zip(t) {
            *m += c;
        }
    }
    let total = merged.iter().sum::<u32>().max(1) as f32;
    // The classes in NAMES order: (0,0), (0,1), (0,2), then a = 1 and a = 2 with b -2..2.
    let classes = [(0, 0), (0, 1), (0, 2), (1, -2), (1, -1), (1, 0), (1, 1), (1, 2), (2, -2), (2, -1), (2, 0), (2, 1), (2, 2)];
    for (slot, (a, b)) in out.iter_mut().zip(classes) {
        *slot = merged[class(a, b)] as f32 / total;
    }
}

/// Correlation of a row-major `side × side` field with itself shifted by `k`
/// (horizontal and vertical averaged); `energy` is `Σ r²`.
fn lag_correlation(r: &[f32], side: usize, k: usize, energy: f64) -> f32 {
    if energy <= 0.0 || k >= side {
        return 0.0;
    }
    let horizontal: f64 = r
        .chunks_exact(side)
        .map(|row| dot(&row[..side - k], &row[k..]))
        .sum();
    // Vertically, pixel i pairs with pixel i + k·side: one run over the field.
    let vertical = dot(&r[..(side - k) * side], &r[k * side..]);
    ((horizontal + vertical) / (2.0 * energy)) as f32
}

/// How much the residual's variance differs between the four positions of a 2×2 grid:
/// `ln(max / min)`.
fn cfa_periodicity(r: &[f32], side: usize) -> f32 {
    // Per row parity, the sums of squares at even and odd columns.
    let mut sums = [0f64; 4];
    let mut counts = [0u32; 4];
    for (y, row) in r.chunks_exact(side).enumerate() {
        let mut acc = [0f64; LANES];
        let chunks = row.chunks_exact(LANES);
        let done = side - chunks.remainder().len();
        for (x, &v) in chunks.remainder().iter().enumerate() {
            acc[(done + x) % 2] += v as f64 * v as f64;
        }
        for c in chunks {
            for (a, &v) in acc.iter_mut().zip(c) {
                *a += v as f64 * v as f64;
            }
        }
        let even: f64 = acc.iter().step_by(2).sum();
        let odd: f64 = acc.iter().skip(1).step_by(2).sum();
        sums[(y % 2) * 2] += even;
        sums[(y % 2) * 2 + 1] += odd;
        counts[(y % 2) * 2] += side.div_ceil(2) as u32;
        counts[(y % 2) * 2 + 1] += (side / 2) as u32;
    }
    let vars: Vec<f64> = sums.iter().zip(counts).map(|(s, c)| s / c.max(1) as f64 + 1e-3).collect();
    let (lo, hi) = vars.iter().fold((f64::MAX, 0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    (hi / lo).ln() as f32
}

fn correlation(a: &[f32], b: &[f32]) -> f32 {
    let (ab, aa, bb) = (dot(a, b), dot(a, a), dot(b, b));
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
