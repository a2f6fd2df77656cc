//! JPEG history: traces of compressions before the last one, and where they are missing.
//!
//! - **Aligned double compression.** A JPEG saved twice on the same 8×8 grid has DCT
//!   coefficients quantised first with one step, then with the file's own: their
//!   histograms (in units of the file's step) show a periodic pattern of full and
//!   empty bins. Per low-frequency coefficient the period is estimated (the periodic
//!   model must beat a smooth one by a wide margin), and each block is scored by how
//!   well its values fit the pattern. A region pasted from an uncompressed or
//!   differently compressed source lacks the pattern while the rest has it.
//! - **Non-aligned grid.** A region pasted from another JPEG keeps that JPEG's block
//!   edges, usually off the file's own 8×8 grid. Per cell, the mean clipped pixel
//!   difference across every column and row phase is compared; block edges at a
//!   phase other than the file's own stand out.
//!
//! Runs at full resolution: resampling destroys the grid both parts measure. JPEG files
//! only (it needs the file's quantisation table).

use super::gray::Gray;
use super::regions::{self, Anomaly};

/// Cells are 4×4 JPEG blocks (32 pixels).
const CELL: usize = 32;
/// Natural-order positions of the 14 lowest-frequency AC coefficients (zig-zag 1 to 14).
const COEFFS: [usize; 14] = [1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4];
/// Largest quantised magnitude whose histogram bin is modelled.
const KMAX: usize = 48;
/// Longest pattern period tried, in bins.
const PMAX: usize = 10;
/// How far (standard deviations of chance) the periodic model must beat the smooth one.
const MIN_PERIODIC_Z: f32 = 12.0;
/// Added to a cell's mean step (grey levels) so that near-flat cells do not divide by
/// almost nothing.
const GRID_FLOOR: f32 = 0.5;
/// Smallest departure of the pattern from flat (share of the smooth level) that counts
/// as a double-compression pattern: with millions of values, a tiny misfit of the
/// smooth model is already "significant".
const MIN_AMPLITUDE: f32 = 0.25;
/// Smallest share of the smooth model's misfit the periodic model must explain.
const MIN_EXPLAINED: f32 = 0.5;
/// Scale from the grid part's raw score to the double-compression part's. On the
/// corpus's camera group the largest chance scores were 6.6 (double compression) and
/// 3.8 (grid); the flag levels are 8 and 5, this ratio.
const GRID_TO_DQ: f32 = 8.0 / 5.0;
/// Fewest informative coefficient values for a cell's aligned score to count.
const MIN_INFORMATIVE: usize = 24;
/// Clip of boundary steps in the grid measurement: block edges are steps of a few
/// grey levels; larger ones are image edges.
const GRID_CLIP: f32 = 8.0;

/// Result of the JPEG history analysis.
pub struct JpegHistory {
    /// Map, regions and raw score of the cells whose history differs.
    pub anomaly: Anomaly,
    /// Coefficients whose histogram shows an earlier compression on the same grid.
    pub periodic_coefficients: usize,
}

/// Pattern of one coefficient's histogram: per bin, the log of how much likelier its
/// value is under double than single compression.
struct Pattern {
    log_ratio: Vec<f32>,
}

/// Estimates the periodic pattern of histogram `h` (bins 1..=KMAX), if there is one.
fn pattern(h: &[f32]) -> Option<Pattern> {
    let mut best: Option<(f32, usize, Vec<f32>)> = None;
    for p in 2..=PMAX {
        // Smooth model: the local mean over one period each side.
        let m: Vec<f32> = (0..=KMAX)
            .map(|k| {
                if k == 0 {
                    return 0.0;
                }
                let (a, b) = (k.saturating_sub(p).max(1), (k + p).min(KMAX));
                h[a..=b].iter().sum::<f32>() / (b - a + 1) as f32
            })
            .collect();
        let used: Vec<usize> = (1..=KMAX).filter(|&k| m[k] >= 8.0).collect();
        if used.len() < 2 * p {
            continue;
        }
        let (mut num, mut den) = (vec![0f32; p], vec![0f32; p]);
        for &k in &used {
            num[k % p] += h[k];
            den[k % p] += m[k];
        }
        let f: Vec<f32> = (0..p)
            .map(|i| if den[i] > 0.0 { num[i] / den[i] } else { 1.0 })
            .collect();
        let (mut smooth, mut periodic) = (0f32, 0f32);
        for &k in &used {
            smooth += (h[k] - m[k]).powi(2) / m[k];
            periodic += (h[k] - m[k] * f[k % p]).powi(2) / m[k];
        }
        let dof = (p - 1) as f32;
        let amplitude = f.iter().map(|v| (v - 1.0).abs()).fold(0f32, f32::max);
        if amplitude < MIN_AMPLITUDE || smooth - periodic < MIN_EXPLAINED * smooth {
            continue;
        }
        let z = (smooth - periodic - dof) / (2.0 * dof).sqrt();
        // Multiples of the true period fit as well: keep the shortest that is nearly best.
        if best.as_ref().is_none_or(|(bz, _, _)| z > *bz * 1.25) {
            best = Some((z, p, f));
        }
    }
    let (z, p, f) = best?;
    if z < MIN_PERIODIC_Z {
        return None;
    }
    let log_ratio = (0..=KMAX).map(|k| f[k % p].clamp(0.1, 10.0).ln()).collect();
    Some(Pattern { log_ratio })
}

/// Quantised value of every used coefficient of every aligned block (`blocks × COEFFS`),
/// fed block by block (so that it can share one transform pass with [`super::ela`]).
pub struct Levels {
    bw: usize,
    bh: usize,
    inv_q: [f32; COEFFS.len()],
    values: Vec<i32>,
}

impl Levels {
    /// An empty list for `g`'s blocks, quantised with `table`.
    pub fn new(g: &Gray, table: &[u16; 64]) -> Levels {
        let (bw, bh) = (g.width / 8, g.height / 8);
        Levels {
            bw,
            bh,
            inv_q: COEFFS.map(|i| 1.0 / table[i].max(1) as f32),
            values: Vec::with_capacity(bw * bh * COEFFS.len()),
        }
    }

    /// Adds the next block (in row order) with DCT coefficients `c`.
    #[inline(always)]
    pub fn add(&mut self, c: &[f32; 64]) {
        for (&i, inv) in COEFFS.iter().zip(&self.inv_q) {
            self.values.push(super::dct::round(c[i] * inv) as i32);
        }
    }
}

/// Per cell, the mean log-likelihood ratio (double vs single compression) of its
/// informative coefficient values; `None` where too few are informative.
fn aligned(levels: &Levels, cw: usize, ch: usize) -> (Vec<Option<f32>>, usize) {
    let (bw, bh, k) = (levels.bw, levels.bh, &levels.values);
    let n = COEFFS.len();
    let patterns: Vec<Option<Pattern>> = (0..n)
        .map(|j| {
            let mut h = vec![0f32; KMAX + 1];
            for b in 0..bw * bh {
                let v = k[b * n + j].unsigned_abs() as usize;
                if v <= KMAX {
                    h[v] += 1.0;
                }
            }
            pattern(&h)
        })
        .collect();
    let periodic = patterns.iter().filter(|p| p.is_some()).count();
    let (mut sum, mut count) = (vec![0f32; cw * ch], vec![0usize; cw * ch]);
    if periodic > 0 {
        for by in 0..bh {
            for bx in 0..bw {
                let cell = (by * 8 / CELL).min(ch - 1) * cw + (bx * 8 / CELL).min(cw - 1);
                for (j, p) in patterns.iter().enumerate() {
                    let (Some(p), v) = (p, k[(by * bw + bx) * n + j].unsigned_abs() as usize)
                    else {
                        continue;
                    };
                    if (1..=KMAX).contains(&v) {
                        sum[cell] += p.log_ratio[v];
                        count[cell] += 1;
                    }
                }
            }
        }
    }
    let cells = (sum.iter().zip(&count))
        .map(|(s, &c)| (c >= MIN_INFORMATIVE).then(|| s / c as f32))
        .collect();
    (cells, periodic)
}

/// Per cell, the strength of block edges at a phase other than the file's own grid,
/// relative to the cell's mean step; the weaker of columns and rows, since a pasted
/// JPEG brings both while natural texture rarely lines up with both.
#[inline(always)]
fn foreign_grid(g: &Gray, cw: usize, ch: usize) -> Vec<Option<f32>> {
    let mut cols = vec![[0f32; 8]; cw * ch];
    let mut rows = vec![[0f32; 8]; cw * ch];
    let w = g.width;
    // The step between pixel x and x + 1, less the mean of the steps beside it: zero
    // on smooth gradients, the height of the edge on a block boundary.
    let step = |a: f32, b: f32, c: f32, d: f32| ((c - b) - ((b - a) + (d - c)) / 2.0).abs();
    // One row at a time: the steps across (columns) and down (rows) of every pixel into
    // scratch rows, then summed per cell and phase (cells are whole blocks wide).
    let (xs, xe) = (1, (cw * CELL).min(w - 2));
    let mut across = vec![0f32; cw * CELL];
    let mut down = vec![0f32; cw * CELL];
    let d = &g.data;
    for y in 1..(ch * CELL).min(g.height - 2) {
        let cy = y / CELL;
        let r = y * w;
        for x in xs..xe {
            let i = r + x;
            across[x] = step(d[i - 1], d[i], d[i + 1], d[i + 2]).min(GRID_CLIP);
            down[x] = step(d[i - w], d[i], d[i + w], d[i + 2 * w]).min(GRID_CLIP);
        }
        for cx in 0..cw {
            let cell = cy * cw + cx;
            let part = &across[cx * CELL..][..CELL];
            for block in part.chunks_exact(8) {
                for (acc, v) in cols[cell].iter_mut().zip(block) {
                    *acc += v;
                }
            }
            rows[cell][y % 8] += down[cx * CELL..][..CELL].iter().sum::<f32>();
        }
    }
    // The file's own block edges lie between pixel 7 and 8 of each block (phase 7).
    let foreign = |p: &[f32; 8]| -> Option<f32> {
        let mut s = *p;
        s.sort_by(f32::total_cmp);
        let median = (s[3] + s[4]) / 2.0;
        let mean = p.iter().sum::<f32>() / 8.0;
        // The step measure spreads the file's own edges (phase 7) half into phases 6
        // and 0, so a foreign grid is looked for at phases 1 to 5 only.
        let peak = p[1..6].iter().cloned().fold(f32::MIN, f32::max);
        Some((peak - median).max(0.0) / (mean + GRID_FLOOR))
    };
    (cols.iter().zip(&rows))
        .map(|(c, r)| Some(foreign(c)?.min(foreign(r)?)))
        .collect()
}

/// Robust z-scores of the cells that have a value (0 elsewhere), signed so that
/// positive means "differs in the suspicious direction" (`sign` = -1 flips).
fn z_of(v: &[Option<f32>], sign: f32, min_spread: f32) -> Vec<f32> {
    let valid: Vec<bool> = v.iter().map(Option::is_some).collect();
    let vals: Vec<f32> = v.iter().map(|x| sign * x.unwrap_or(0.0)).collect();
    regions::robust_z(&vals, &valid, min_spread)
        .into_iter()
        .zip(&valid)
        .map(|(z, ok)| if *ok { z.max(0.0) } else { 0.0 })
        .collect()
}

/// Analyses a JPEG's luma plane with its luma table `table` (natural order).
pub fn analyse(g: &Gray, table: &[u16; 64]) -> JpegHistory {
    let mut levels = Levels::new(g, table);
    super::dct::for_each_block(g, |_, _, c| levels.add(c));
    analyse_levels(g, &levels)
}

/// [`analyse`] with the blocks' quantised levels already computed.
pub fn analyse_levels(g: &Gray, levels: &Levels) -> JpegHistory {
    let (cw, ch) = ((g.width / CELL).max(1), (g.height / CELL).max(1));
    let (mut dq, periodic_coefficients) = aligned(levels, cw, ch);
    let mut grid = crate::simd::with_avx2(|| foreign_grid(g, cw, ch));
    // Near-black and blown-out cells keep no compression trace worth comparing.
    for (i, lit) in g.lit_cells(CELL, cw, ch).into_iter().enumerate() {
        if !lit {
            dq[i] = None;
            grid[i] = None;
        }
    }
    // Cells that fit the double-compression pattern worse than the rest (low ratio).
    let z_dq = z_of(&dq, -1.0, 0.05);
    let z_grid = z_of(&grid, 1.0, 0.02);
    let z: Vec<f32> = z_dq.iter().zip(&z_grid).map(|(a, b)| a.max(*b)).collect();
    let part = |z: &[f32]| regions::anomaly(z, cw, ch, CELL as f64, 4.0, 4, 16).raw;
    let mut anomaly = regions::anomaly(&z, cw, ch, CELL as f64, 4.0, 4, 16);
    // The two parts have their own chance levels on honest camera photos; the grid
    // part is brought to the scale of the double-compression part.
    anomaly.raw = part(&z_dq).max(part(&z_grid) * GRID_TO_DQ);
    JpegHistory {
        anomaly,
        periodic_coefficients,
    }
}
