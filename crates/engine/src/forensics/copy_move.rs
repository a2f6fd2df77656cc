//! Copy-move detection: the same region appearing twice in one picture.
//!
//! Block matching, chosen over keypoints because the edits this product meets
//! (a dent or scratch cloned onto a flat panel, a label duplicated) sit on
//! smooth, low-texture surfaces where keypoint detectors find few points.
//! Overlapping 16×16 blocks (at every position) at a working resolution of at most
//! 1600 pixels on the long side (reached by an integer factor) are described by the means of their 4×4
//! sub-blocks (robust to JPEG re-saving, which changes single pixels but
//! hardly their means). Candidate pairs share a bucket of coarsely quantised
//! mean and gradients; a pair counts when its sub-block means and its pixels agree
//! within re-compression noise; their offsets are voted, and
//! an offset wins only when its matches form one connected region of enough
//! blocks that does not repeat at twice the offset (periodic texture such as
//! tiles or bricks repeats; a cloned patch does not).

use super::gray::{Gray, Integral};
use super::regions::components;
use super::{Heatmap, Region};
use std::collections::HashMap;

/// Block side in working pixels.
const B: usize = 16;
/// Block step: every position, so a copy at any offset lines up with some block exactly.
const STEP: usize = 1;
/// Sub-block side; B / SUB sub-blocks per side.
const SUB: usize = 4;
const DIM: usize = (B / SUB) * (B / SUB);
/// Heatmap cell side in working pixels.
const HEAT_CELL: usize = 4;
/// Longest side analysed.
pub const WORKING_SIDE: usize = 1600;
/// Blocks whose sub-block means depart less than this from a plane (grey levels, RMS)
/// match anything and are skipped.
const MIN_TEXTURE: f32 = 3.0;

/// RMS departure of the 4×4 sub-block means from their best-fitting plane.
fn texture(f: &[f32; DIM]) -> f32 {
    let n = B / SUB;
    let c = (n as f32 - 1.0) / 2.0;
    let (mut m, mut bu, mut bv, mut uu) = (0f32, 0f32, 0f32, 0f32);
    for (k, v) in f.iter().enumerate() {
        let (u, w) = ((k % n) as f32 - c, (k / n) as f32 - c);
        m += v;
        bu += v * u;
        bv += v * w;
        uu += u * u;
    }
    m /= DIM as f32;
    let (bu, bv) = (bu / uu, bv / uu);
    let r: f32 = f
        .iter()
        .enumerate()
        .map(|(k, v)| {
            let (u, w) = ((k % n) as f32 - c, (k / n) as f32 - c);
            let e = v - m - bu * u - bv * w;
            e * e
        })
        .sum();
    (r / DIM as f32).sqrt()
}
/// Largest squared feature distance of a match (about 1.5 grey levels per sub-block mean).
const MAX_DIST2: f32 = DIM as f32 * 2.25;
/// Shortest offset between a block and its copy, in working pixels.
const MIN_SHIFT: i32 = 24;

/// One pair of regions of which one is a copy of the other.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CopyPair {
    /// One region (original pixels).
    pub a: Region,
    /// The other region: `a` moved by `shift`.
    pub b: Region,
    /// Offset from `a` to `b` in original pixels.
    pub shift: (i32, i32),
    /// Matching blocks in the connected region.
    pub blocks: usize,
}

/// Result of copy-move detection.
pub struct CopyMove {
    /// Verified pairs, largest first.
    pub pairs: Vec<CopyPair>,
    /// Both regions of every pair marked 1, elsewhere 0.
    pub heatmap: Heatmap,
    /// Raw score: matching blocks in the largest verified region.
    pub raw: f32,
    /// Working resolution.
    pub working: (usize, usize),
}

struct Blocks {
    nx: usize,
    pos: Vec<u32>,
    feat: Vec<[f32; DIM]>,
    std: Vec<f32>,
    /// Feature row of each block position, `u32::MAX` for flat blocks.
    index: Vec<u32>,
}

fn describe(g: &Gray) -> Blocks {
    let integ = Integral::new(g);
    let nx = (g.width.saturating_sub(B)) / STEP + 1;
    let ny = (g.height.saturating_sub(B)) / STEP + 1;
    let mut b = Blocks {
        nx,
        pos: Vec::new(),
        feat: Vec::new(),
        std: Vec::new(),
        index: vec![u32::MAX; nx * ny],
    };
    if g.width < B || g.height < B {
        b.index.clear();
        return b;
    }
    for by in 0..ny {
        for bx in 0..nx {
            let (x, y) = (bx * STEP, by * STEP);
            let mut f = [0f32; DIM];
            for (k, v) in f.iter_mut().enumerate() {
                let (sx, sy) = (k % (B / SUB), k / (B / SUB));
                *v = integ.mean(x + sx * SUB, y + sy * SUB, SUB, SUB);
            }
            // Smooth gradients (sky, walls) repeat everywhere along their contour lines:
            // only blocks with structure beyond a plane are described.
            let sd = texture(&f);
            if sd < MIN_TEXTURE {
                continue;
            }
            let id = (by * nx + bx) as u32;
            b.index[id as usize] = b.pos.len() as u32;
            b.pos.push(id);
            b.feat.push(f);
            b.std.push(sd);
        }
    }
    b
}

/// Pixel-level check of a candidate match: a copy differs only by re-compression noise,
/// a merely similar texture differs by a good part of its own contrast.
fn same_pixels(g: &Gray, pa: usize, pb: usize, nx: usize, std: f32) -> bool {
    let (ax, ay, bx, by) = (
        pa % nx * STEP,
        pa / nx * STEP,
        pb % nx * STEP,
        pb / nx * STEP,
    );
    let mut e = 0f32;
    for y in 0..B {
        let ra = &g.data[(ay + y) * g.width + ax..(ay + y) * g.width + ax + B];
        let rb = &g.data[(by + y) * g.width + bx..(by + y) * g.width + bx + B];
        e += ra
            .iter()
            .zip(rb)
            .map(|(p, q)| (p - q) * (p - q))
            .sum::<f32>();
    }
    let rmse = (e / (B * B) as f32).sqrt();
    rmse <= MAX_PIXEL_RMSE.max(0.25 * std)
}

/// Largest pixel RMSE between a block and its copy, in grey levels (JPEG re-save noise).
const MAX_PIXEL_RMSE: f32 = 3.0;

fn dist2(a: &[f32; DIM], b: &[f32; DIM]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Quantisation step of the bucket features, in grey levels.
const BUCKET: f32 = 4.0;
/// Largest bucket compared pair by pair (larger ones are repetitive texture).
const MAX_RUN: usize = 16;

/// Bucket key: mean, left-right, top-bottom and diagonal contrast of the 2×2 quadrants.
fn bucket(f: &[f32; DIM], offset: f32) -> u64 {
    let n = B / SUB;
    let h = n / 2;
    let mut q = [0f32; 4];
    for (k, v) in f.iter().enumerate() {
        let (x, y) = (k % n, k / n);
        q[(y / h) * 2 + x / h] += v / (h * h) as f32;
    }
    let feats = [
        (q[0] + q[1] + q[2] + q[3]) / 4.0,
        (q[1] + q[3] - q[0] - q[2]) / 2.0,
        (q[2] + q[3] - q[0] - q[1]) / 2.0,
        q[0] + q[3] - q[1] - q[2],
    ];
    feats.iter().fold(0u64, |acc, v| {
        (acc << 16) | (((v + offset) / BUCKET).floor() as i64 + 32768).clamp(0, 65535) as u64
    })
}

/// Finds duplicated regions in `g` (full-resolution luma).
pub fn analyse(full: &Gray) -> CopyMove {
    // An integer factor keeps a copy at an offset that is a multiple of it pixel-exact;
    // a fractional one would resample the two copies at different phases.
    let factor = full.width.max(full.height).div_ceil(WORKING_SIDE).max(1);
    let (g, scale) = full.downscaled(full.width.max(full.height) / factor);
    let blocks = describe(&g);
    let nx = blocks.nx;
    // Votes per offset (in block steps), each vote the pair of block ids.
    let mut votes: HashMap<(i32, i32), Vec<(u32, u32)>> = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    // Candidates share a bucket of coarsely quantised mean and gradients (block-wide
    // averages, hardly touched by re-compression noise); two bucket grids offset by half
    // a step catch the pairs that one grid splits at a boundary.
    for offset in [0.0, BUCKET / 2.0] {
        let mut keyed: Vec<(u64, u32)> = blocks
            .feat
            .iter()
            .enumerate()
            .map(|(i, f)| (bucket(f, offset), i as u32))
            .collect();
        keyed.sort_unstable();
        let mut start = 0;
        while start < keyed.len() {
            let mut end = start + 1;
            while end < keyed.len() && keyed[end].0 == keyed[start].0 {
                end += 1;
            }
            let run = &keyed[start..end.min(start + MAX_RUN)];
            for (i, &(_, ia)) in run.iter().enumerate() {
                for &(_, ib) in &run[i + 1..] {
                    let (a, b) = (ia as usize, ib as usize);
                    let (pa, pb) = (blocks.pos[a], blocks.pos[b]);
                    let (ax, ay) = ((pa as usize % nx) as i32, (pa as usize / nx) as i32);
                    let (bx, by) = ((pb as usize % nx) as i32, (pb as usize / nx) as i32);
                    let (mut dx, mut dy) = (bx - ax, by - ay);
                    let (mut from, mut to) = (pa, pb);
                    if dx < 0 || (dx == 0 && dy < 0) {
                        (dx, dy, from, to) = (-dx, -dy, pb, pa);
                    }
                    if (dx * dx + dy * dy) * ((STEP * STEP) as i32) < MIN_SHIFT * MIN_SHIFT {
                        continue;
                    }
                    if dist2(&blocks.feat[a], &blocks.feat[b]) > MAX_DIST2
                        || !same_pixels(
                            &g,
                            pa as usize,
                            pb as usize,
                            nx,
                            blocks.std[a].min(blocks.std[b]),
                        )
                        || !seen.insert((from, to))
                    {
                        continue;
                    }
                    votes.entry((dx, dy)).or_default().push((from, to));
                }
            }
            start = end;
        }
    }
    let mut shifts: Vec<((i32, i32), usize)> = votes.iter().map(|(k, v)| (*k, v.len())).collect();
    shifts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let ny = if nx == 0 {
        0
    } else {
        g.height.saturating_sub(B) / STEP + 1
    };
    let mut pairs: Vec<CopyPair> = Vec::new();
    let mut raw_below = 0f32;
    let mut used = std::collections::HashSet::new();
    let mut heat = vec![0f32; (g.width / HEAT_CELL).max(1) * (g.height / HEAT_CELL).max(1)];
    let hw = (g.width / HEAT_CELL).max(1);
    for (shift, count) in shifts.into_iter().take(8) {
        if count < 12 || used.contains(&shift) {
            continue;
        }
        // Gather the votes of this offset and its immediate neighbours (sub-pixel copies, JPEG noise).
        let mut mask = vec![false; nx * ny];
        for ddx in -1..=1 {
            for ddy in -1..=1 {
                let s = (shift.0 + ddx, shift.1 + ddy);
                if let Some(v) = votes.get(&s) {
                    used.insert(s);
                    for (from, _) in v {
                        mask[*from as usize] = true;
                    }
                }
            }
        }
        // Matches are dense inside a copied region but not every block matches: close small gaps.
        let grown = dilate(&mask, nx, ny, 2);
        let Some(comp) = components(&grown, nx, ny)
            .into_iter()
            .map(|c| c.into_iter().filter(|&i| mask[i]).collect::<Vec<usize>>())
            .max_by_key(|c| c.len())
        else {
            continue;
        };
        if comp.len() < MIN_BLOCKS || is_periodic(&blocks, &comp, shift, nx, ny) {
            continue;
        }
        let (s_px_x, s_px_y) = (shift.0 * STEP as i32, shift.1 * STEP as i32);
        let a = footprint_box(&comp, nx, scale);
        let to_orig = |v: i32| (v as f64 / scale).round() as i32;
        let b = Region {
            x: (a.x as i32 + to_orig(s_px_x)).max(0) as u32,
            y: (a.y as i32 + to_orig(s_px_y)).max(0) as u32,
            ..a.clone()
        };
        // Only regions large enough to be flagged are drawn: smaller chance matches would
        // put labels on the picture that the score itself does not stand behind.
        if (comp.len() as f32) < REPORT_BLOCKS {
            raw_below = raw_below.max(comp.len() as f32);
            continue;
        }
        for &c in &comp {
            let (bx, by) = (c % nx * STEP, c / nx * STEP);
            for (ox, oy) in [(0i32, 0i32), (s_px_x, s_px_y)] {
                let (x0, y0) = (bx as i32 + ox, by as i32 + oy);
                let cells = |a: i32, b: i32, n: usize| {
                    (a.max(0) as usize / HEAT_CELL)
                        ..((b.max(0) as usize).div_ceil(HEAT_CELL)).min(n)
                };
                for y in cells(y0, y0 + B as i32, heat.len() / hw) {
                    for x in cells(x0, x0 + B as i32, hw) {
                        heat[y * hw + x] = 1.0;
                    }
                }
            }
        }
        pairs.push(CopyPair {
            a,
            b,
            shift: (to_orig(s_px_x), to_orig(s_px_y)),
            blocks: comp.len(),
        });
    }
    pairs.sort_by(|a, b| b.blocks.cmp(&a.blocks));
    let raw = pairs.first().map_or(raw_below, |p| p.blocks as f32);
    let heatmap = Heatmap {
        width: hw,
        height: heat.len() / hw,
        cell: HEAT_CELL as f64 / scale,
        values: heat,
    };
    CopyMove {
        pairs,
        heatmap,
        raw,
        working: (g.width, g.height),
    }
}

/// Matching blocks at which a region is reported and flagged (score 0.5). Set on the
/// corpus's camera group: the largest chance match in an honest photo there was 371.
pub const REPORT_BLOCKS: f32 = 380.0;

/// Fewest connected matching blocks that count as a copied region.
const MIN_BLOCKS: usize = 40;

/// Sets every cell within `r` (square) of a set cell.
fn dilate(mask: &[bool], w: usize, h: usize, r: usize) -> Vec<bool> {
    let mut rows = vec![false; mask.len()];
    for y in 0..h {
        for x in 0..w {
            if mask[y * w + x] {
                for xx in x.saturating_sub(r)..(x + r + 1).min(w) {
                    rows[y * w + xx] = true;
                }
            }
        }
    }
    let mut out = vec![false; mask.len()];
    for y in 0..h {
        for x in 0..w {
            if rows[y * w + x] {
                for yy in y.saturating_sub(r)..(y + r + 1).min(h) {
                    out[yy * w + x] = true;
                }
            }
        }
    }
    out
}

/// True when the region also matches at twice the offset: a repeating texture, not a copy.
fn is_periodic(blocks: &Blocks, comp: &[usize], shift: (i32, i32), nx: usize, ny: usize) -> bool {
    let rate = |mult: i32| {
        let (mut hit, mut tried) = (0usize, 0usize);
        for &c in comp {
            let (x, y) = ((c % nx) as i32, (c / nx) as i32);
            let (tx, ty) = (x + shift.0 * mult, y + shift.1 * mult);
            if tx < 0 || ty < 0 || tx >= nx as i32 || ty >= ny as i32 {
                continue;
            }
            let (ia, ib) = (
                blocks.index[c],
                blocks.index[ty as usize * nx + tx as usize],
            );
            if ia == u32::MAX || ib == u32::MAX {
                continue;
            }
            tried += 1;
            hit +=
                (dist2(&blocks.feat[ia as usize], &blocks.feat[ib as usize]) <= MAX_DIST2) as usize;
        }
        (hit, tried)
    };
    let (hit2, tried2) = rate(2);
    let (hit_back, tried_back) = rate(-1);
    let frac = |h: usize, t: usize| {
        if t >= comp.len() / 4 {
            h as f32 / t as f32
        } else {
            0.0
        }
    };
    frac(hit2, tried2) > 0.25 || frac(hit_back, tried_back) > 0.25
}

/// Bounding box of the blocks' footprints, in original pixels.
fn footprint_box(comp: &[usize], nx: usize, scale: f64) -> Region {
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for &c in comp {
        let (x, y) = (c % nx * STEP, c / nx * STEP);
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x + B);
        y1 = y1.max(y + B);
    }
    let o = |v: usize| (v as f64 / scale).round() as u32;
    Region {
        x: o(x0),
        y: o(y0),
        width: o(x1) - o(x0),
        height: o(y1) - o(y0),
        strength: 1.0,
        role: None,
    }
}
