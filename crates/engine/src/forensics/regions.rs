//! From a coarse per-cell measurement to a heatmap, regions and a raw score:
//! robust z-scores against the image's own typical cell, smoothing, and
//! connected components of the cells that stand out.

use super::{Heatmap, Region};

/// Median of a slice (sorted in place); 0 for an empty slice.
pub fn median(v: &mut [f32]) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    let mid = v.len() / 2;
    let (_, m, _) = v.select_nth_unstable_by(mid, |a, b| a.total_cmp(b));
    *m
}

/// Robust z-scores `(v - median) / max(1.4826 · MAD, min_spread)` of the valid cells; invalid cells get 0.
pub fn robust_z(values: &[f32], valid: &[bool], min_spread: f32) -> Vec<f32> {
    let mut vs: Vec<f32> = values
        .iter()
        .zip(valid)
        .filter(|(_, ok)| **ok)
        .map(|(v, _)| *v)
        .collect();
    let med = median(&mut vs);
    let mut dev: Vec<f32> = vs.iter().map(|v| (v - med).abs()).collect();
    let mad = (1.4826 * median(&mut dev)).max(min_spread);
    values
        .iter()
        .zip(valid)
        .map(|(v, ok)| if *ok { (v - med) / mad } else { 0.0 })
        .collect()
}

/// Mean over a (2r+1)² window, clipped at the borders.
pub fn box_smooth(map: &[f32], w: usize, h: usize, r: usize) -> Vec<f32> {
    let mut out = vec![0f32; map.len()];
    for y in 0..h {
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
            let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
            let mut s = 0.0;
            for yy in y0..y1 {
                s += map[yy * w + x0..yy * w + x1].iter().sum::<f32>();
            }
            out[y * w + x] = s / ((x1 - x0) * (y1 - y0)) as f32;
        }
    }
    out
}

/// 4-connected components of the set cells, each a list of cell indices.
pub fn components(mask: &[bool], w: usize, h: usize) -> Vec<Vec<usize>> {
    let mut seen = vec![false; mask.len()];
    let mut out = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || seen[start] {
            continue;
        }
        let mut comp = vec![start];
        seen[start] = true;
        let mut i = 0;
        while i < comp.len() {
            let c = comp[i];
            let (x, y) = (c % w, c / w);
            let mut push = |n: usize| {
                if mask[n] && !seen[n] {
                    seen[n] = true;
                    comp.push(n);
                }
            };
            if x > 0 {
                push(c - 1);
            }
            if x + 1 < w {
                push(c + 1);
            }
            if y > 0 {
                push(c - w);
            }
            if y + 1 < h {
                push(c + w);
            }
            i += 1;
        }
        out.push(comp);
    }
    out
}

/// Bounding box of cells, in original-image pixels (`cell` pixels per cell).
pub fn bbox(cells: &[usize], w: usize, cell: f64, strength: f32) -> Region {
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for &c in cells {
        let (x, y) = (c % w, c / w);
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x + 1);
        y1 = y1.max(y + 1);
    }
    let px = |v: usize| (v as f64 * cell).round() as u32;
    Region {
        x: px(x0),
        y: px(y0),
        width: px(x1) - px(x0),
        height: px(y1) - px(y0),
        strength,
        role: None,
    }
}

/// What an anomaly map comes to.
pub struct Anomaly {
    /// The map, 0 (typical) to 1 (stands out strongly); 0.5 and above is inside a region.
    pub heatmap: Heatmap,
    /// Regions that stand out, strongest first.
    pub regions: Vec<Region>,
    /// Raw image-level score: the strongest region's mean z-score, damped for small regions.
    pub raw: f32,
}

/// Turns per-cell z-scores into a heatmap and regions. Cells whose smoothed z exceeds
/// `z_region` form regions; regions under `min_cells` cells are ignored; `full_cells`
/// is the size at which a region counts fully (smaller ones are damped).
pub fn anomaly(
    z: &[f32],
    w: usize,
    h: usize,
    cell: f64,
    z_region: f32,
    min_cells: usize,
    full_cells: usize,
) -> Anomaly {
    let smooth = box_smooth(z, w, h, 1);
    // 0.5 exactly where a cell reaches `z_region`, 1 at twice that.
    let values: Vec<f32> = smooth
        .iter()
        .map(|v| (0.5 * v / z_region).clamp(0.0, 1.0))
        .collect();
    let mask: Vec<bool> = smooth.iter().map(|v| *v > z_region).collect();
    let mut regions = Vec::new();
    let mut raw = 0f32;
    for comp in components(&mask, w, h) {
        if comp.len() < min_cells {
            continue;
        }
        let mean_z = comp.iter().map(|&c| smooth[c]).sum::<f32>() / comp.len() as f32;
        let damp = (comp.len() as f32 / full_cells as f32).sqrt().min(1.0);
        let score = mean_z * damp;
        raw = raw.max(score);
        regions.push(bbox(&comp, w, cell, score));
    }
    regions.sort_by(|a, b| b.strength.total_cmp(&a.strength));
    regions.truncate(5);
    Anomaly {
        heatmap: Heatmap {
            width: w,
            height: h,
            cell,
            values,
        },
        regions,
        raw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_one_block_that_stands_out() {
        let (w, h) = (20, 20);
        let mut v: Vec<f32> = (0..w * h)
            .map(|i| 10.0 + ((i * 7919) % 13) as f32 * 0.1)
            .collect();
        for y in 5..10 {
            for x in 12..17 {
                v[y * w + x] = 30.0;
            }
        }
        let z = robust_z(&v, &vec![true; w * h], 1e-3);
        let a = anomaly(&z, w, h, 8.0, 4.0, 4, 16);
        assert_eq!(a.regions.len(), 1);
        let r = &a.regions[0];
        assert!(
            r.x >= 10 * 8 && r.x <= 12 * 8 && r.y >= 4 * 8 && r.y <= 5 * 8,
            "{r:?}"
        );
        assert!(a.raw > 4.0);
        let flat = robust_z(&vec![10.0; w * h], &vec![true; w * h], 1e-3);
        assert_eq!(anomaly(&flat, w, h, 8.0, 4.0, 4, 16).regions.len(), 0);
    }
}
