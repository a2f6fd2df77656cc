//! Copy-move detection: the same region appearing twice in one picture.
//!
//! Block matching, chosen over keypoints because the edits this product meets
//! (a dent or scratch cloned onto a flat panel, a label duplicated) sit on
//! smooth, low-texture surfaces where keypoint detectors find few points.
//! Works at most 1600 pixels on the long side (reached by an integer factor, so a
//! copy stays pixel-exact), on 16×16 blocks at every position:
//!
//! 1. `blocks`: each block is described by its 4×4 sub-block means (robust to JPEG
//!    re-saving); smooth or clipped blocks are not candidates.
//! 2. `candidates`: blocks sharing a bucket of coarse keys are compared one per place
//!    (neighbouring positions look alike); a pair counts when its pixels agree within
//!    re-compression noise and clearly worse a few pixels beside; offsets are voted.
//! 3. `grow`: at each vote peak the exact offset is the one most matches agree on
//!    (repetitive texture spreads over many), and the region grows block by block
//!    while each block still matches its twin; a region that also repeats at twice the
//!    offset is periodic texture (tiles, bricks), not a copy.
//!
//! Measured on the shared corpus, see README ("Pixel forensics").

use super::gray::Gray;
use super::{Heatmap, Region};
use blocks::{dist2, Blocks, B, MAX_DIST2};

mod blocks;
mod candidates;
mod grow;
mod smooth;

/// Heatmap cell side in working pixels.
const HEAT_CELL: usize = 4;
/// Longest side analysed.
pub const WORKING_SIDE: usize = 1600;
/// Offsets within this many pixels of a vote peak are one candidate copy.
const PEAK_RADIUS: i32 = 2;
/// Candidate offsets examined.
const MAX_PEAKS: usize = 8;

/// One pair of regions of which one is a copy of the other.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CopyPair {
    /// One region (original pixels).
    pub a: Region,
    /// The other region: `a` moved by `shift`.
    pub b: Region,
    /// Offset from `a` to `b` in original pixels.
    pub shift: (i32, i32),
    /// Matching blocks in the connected region (for a smooth copy: the block pairs that
    /// agree on the offset).
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

/// Finds duplicated regions in `full` (full-resolution luma); `luma_table` is the
/// JPEG file's quantisation table, which sets how much re-compression noise a copy may carry.
pub fn analyse(full: &Gray, luma_table: Option<&[u16; 64]>) -> CopyMove {
    // An integer factor keeps a copy at an offset that is a multiple of it pixel-exact;
    // a fractional one would resample the two copies at different phases.
    let factor = full.width.max(full.height).div_ceil(WORKING_SIDE).max(1);
    let (g, scale) = full.downscaled(full.width.max(full.height) / factor);
    let blocks = blocks::describe(&g, blocks::max_rmse(luma_table));
    let (nx, ny) = (blocks.nx, blocks.ny);
    let votes = candidates::vote(&g, &blocks);
    let hw = (g.width / HEAT_CELL).max(1);
    let mut heat = vec![0f32; hw * (g.height / HEAT_CELL).max(1)];
    let mut pairs: Vec<CopyPair> = Vec::new();
    let mut raw_below = 0f32;
    let mut claimed = vec![false; nx * ny];
    for (approx, seeds) in candidates::peaks(&votes, PEAK_RADIUS, MAX_PEAKS) {
        if seeds.len() < MIN_SEEDS {
            continue;
        }
        let (shift, hits) = grow::exact_offset(&g, &blocks, &seeds, approx, PEAK_RADIUS);
        // A copy sits at one exact offset: nearly every match near the peak agrees on it.
        // Repetitive texture spreads its matches over many nearby offsets.
        if hits < MIN_SEEDS || (hits as f32) < AGREEMENT * seeds.len() as f32 {
            continue;
        }
        let region = grow::grow(&g, &blocks, &seeds, shift, nx * ny / 4);
        let comp: Vec<usize> = region.into_iter().filter(|&i| !claimed[i]).collect();
        if comp.len() < MIN_BLOCKS || is_periodic(&blocks, &comp, shift) {
            continue;
        }
        for &c in &comp {
            claimed[c] = true;
        }
        let a = footprint_box(comp.iter().map(|&c| (c % nx, c / nx)), B, scale);
        let to_orig = |v: i32| (v as f64 / scale).round() as i32;
        let b = Region {
            x: (a.x as i32 + to_orig(shift.0)).max(0) as u32,
            y: (a.y as i32 + to_orig(shift.1)).max(0) as u32,
            ..a.clone()
        };
        // Only regions large enough to be flagged are drawn: smaller chance matches would
        // put labels on the picture that the score itself does not stand behind.
        if (comp.len() as f32) < REPORT_BLOCKS {
            raw_below = raw_below.max(comp.len() as f32);
            continue;
        }
        mark_copies(&mut heat, hw, comp.iter().map(|&c| blocks.xy(c)), B, shift);
        pairs.push(CopyPair {
            a,
            b,
            shift: (to_orig(shift.0), to_orig(shift.1)),
            blocks: comp.len(),
        });
    }
    // Smooth areas have no texture for the blocks above; their brightness shape over
    // larger blocks can still show a copy (only looked for when the blocks found none).
    let mut raw_smooth = 0f32;
    if pairs.is_empty() {
        if let Some(c) = smooth::find(&g) {
            raw_smooth = REPORT_BLOCKS * c.votes as f32 / SMOOTH_VOTES;
            if c.votes as f32 >= SMOOTH_VOTES {
                pairs.push(smooth_pair(&c, scale, &mut heat, hw));
            }
        }
    }
    pairs.sort_by_key(|p| std::cmp::Reverse(p.blocks));
    let raw = pairs
        .first()
        .map_or(raw_below, |p| p.blocks as f32)
        .max(raw_smooth.min(REPORT_BLOCKS * 2.0));
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

/// Smooth-shape block pairs agreeing on one offset at which a smooth copy is reported
/// and flagged (score 0.5). Set on the corpus's camera group, whose largest chance
/// agreement is in the README.
const SMOOTH_VOTES: f32 = 40.0;

/// The pair of regions of a smooth copy, drawn into the heatmap.
fn smooth_pair(c: &smooth::SmoothCopy, scale: f64, heat: &mut [f32], hw: usize) -> CopyPair {
    let side = smooth::BLOCK_SIDE;
    let corners = || c.blocks.iter().map(|&(x, y)| (x as i32, y as i32));
    mark_copies(heat, hw, corners(), side, c.shift);
    let a = footprint_box(c.blocks.iter().copied(), side, scale);
    let to_orig = |v: i32| (v as f64 / scale).round() as i32;
    let shift = (to_orig(c.shift.0), to_orig(c.shift.1));
    let b = Region {
        x: (a.x as i32 + shift.0).max(0) as u32,
        y: (a.y as i32 + shift.1).max(0) as u32,
        ..a.clone()
    };
    CopyPair {
        a,
        b,
        shift,
        blocks: c.votes,
    }
}

/// Marks in the heatmap the footprints (`side` working pixels square) of blocks at
/// `corners` and of their twins moved by `shift`.
fn mark_copies(
    heat: &mut [f32],
    hw: usize,
    corners: impl Iterator<Item = (i32, i32)>,
    side: usize,
    shift: (i32, i32),
) {
    let rows = heat.len() / hw.max(1);
    let cells = |a: i32, n: usize| {
        (a.max(0) as usize / HEAT_CELL)
            ..((a + side as i32).max(0) as usize)
                .div_ceil(HEAT_CELL)
                .min(n)
    };
    for (bx, by) in corners {
        for (ox, oy) in [(0i32, 0i32), shift] {
            for y in cells(by + oy, rows) {
                for x in cells(bx + ox, hw) {
                    heat[y * hw + x] = 1.0;
                }
            }
        }
    }
}

/// Share of the matches near a peak that must agree on its exact offset.
const AGREEMENT: f32 = 0.75;

/// Fewest matching seeds that make an offset worth growing.
const MIN_SEEDS: usize = 6;

/// Matching blocks at which a region is reported and flagged (score 0.5). Set on the
/// corpus's camera group: the largest chance match in an honest photo there was 371.
pub const REPORT_BLOCKS: f32 = 700.0;

/// Fewest connected matching blocks that count as a copied region.
const MIN_BLOCKS: usize = 40;

/// True when the region also matches at twice the offset: a repeating texture, not a copy.
fn is_periodic(blocks: &Blocks, comp: &[usize], shift: (i32, i32)) -> bool {
    let rate = |mult: i32| {
        let (mut hit, mut tried) = (0usize, 0usize);
        for &c in comp {
            let (x, y) = blocks.xy(c);
            let Some(t) = blocks.id(x + shift.0 * mult, y + shift.1 * mult) else {
                continue;
            };
            let (ia, ib) = (blocks.index[c], blocks.index[t]);
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

/// Bounding box of the footprints (`side` working pixels square) of blocks at
/// `corners`, in original pixels.
fn footprint_box(corners: impl Iterator<Item = (usize, usize)>, side: usize, scale: f64) -> Region {
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for (x, y) in corners {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x + side);
        y1 = y1.max(y + side);
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
