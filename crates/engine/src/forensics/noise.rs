//! Noise residual inconsistency.
//!
//! The diagonal detail of a one-level Haar transform (`HH`) holds mostly
//! sensor and compression noise; its local level (mean absolute value of the lower 80 %,
//! trimming edges) is measured per 32×32-pixel cell. A region
//! pasted from another camera, resampled or smoothed has a noise level that
//! differs from the rest of the photo. Runs at full resolution: downscaling
//! averages the noise away.

use super::gray::Gray;
use super::regions::{self, Anomaly};

/// Cell size in pixels.
const CELL: usize = 32;

/// Measures local noise levels and scores cells whose level differs from the image's.
pub fn analyse(g: &Gray) -> Anomaly {
    crate::simd::with_avx2(|| analyse_cells(g))
}

#[inline(always)]
fn analyse_cells(g: &Gray) -> Anomaly {
    let (cw, ch) = ((g.width / CELL).max(1), (g.height / CELL).max(1));
    let mut level = vec![0f32; cw * ch];
    // Clipped (near black or white) cells have no measurable noise.
    let mut valid = g.lit_cells(CELL, cw, ch);
    let mut hh = Vec::with_capacity((CELL / 2) * (CELL / 2));
    for cy in 0..ch {
        for cx in 0..cw {
            hh.clear();
            let (x0, y0) = (cx * CELL, cy * CELL);
            for y in (y0..(y0 + CELL).min(g.height - 1)).step_by(2) {
                for x in (x0..(x0 + CELL).min(g.width - 1)).step_by(2) {
                    let (a, b) = (g.at(x, y), g.at(x + 1, y));
                    let (c, d) = (g.at(x, y + 1), g.at(x + 1, y + 1));
                    hh.push(((a - b - c + d) * 0.5).abs());
                }
            }
            let i = cy * cw + cx;
            if hh.len() < 16 {
                valid[i] = false;
                continue;
            }
            // JPEG quantisation zeroes much of HH: the median of |HH| is then 0 in many
            // cells, so the level is the mean of the lower 80 % (edges trimmed away).
            let keep = hh.len() * 4 / 5;
            hh.select_nth_unstable_by(keep, |a, b| a.total_cmp(b));
            let sigma = hh[..keep].iter().sum::<f32>() / keep as f32 * 1.25;
            level[i] = (sigma + 0.5).ln();
        }
    }
    let z: Vec<f32> = regions::robust_z(&level, &valid, 0.1)
        .into_iter()
        .map(f32::abs)
        .collect();
    regions::anomaly(&z, cw, ch, CELL as f64, 3.5, 4, 16)
}
