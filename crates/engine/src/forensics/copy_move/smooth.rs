//! Copies of smooth areas: a patch of sky, glow or paint has too little texture for
//! the 16×16 blocks (any smooth block matches its neighbours), but over 32×32 pixels
//! its brightness *shape* (a gradient that bends) is unique, and a copy repeats it.
//!
//! Each 32×32 block on a 4-pixel grid is described by its 4×4 means of 8×8 cells,
//! with the block's mean removed. Blocks with almost no shape, or clipped, are left
//! out. Two blocks at least [`MIN_SHIFT`] apart whose shapes and levels agree vote for
//! their offset; a copy gives one offset many votes, while repeating structure (waves,
//! texture) spreads them over many offsets and is turned away by [`DOMINANCE`].

use super::super::gray::Gray;
use rustc_hash::FxHashMap as HashMap;

/// Block side in working pixels.
const SIDE: usize = 32;
/// Grid step between blocks, in working pixels.
const STEP: usize = 4;
/// Least spread (standard deviation of the 16 cell means, grey levels) of a block with shape.
const MIN_SHAPE: f32 = 1.0;
/// Largest distance (root of summed squares over the 16 mean-removed cells) of a match.
const MAX_DIST: f32 = 1.0;
/// Largest difference of the blocks' mean levels, grey levels (a copy's differ by
/// hundredths; re-compression noise averages out over 1,024 pixels).
const MAX_LEVEL: f32 = 0.5;
/// Nearest offset, in working pixels, that counts: closer blocks overlap.
const MIN_SHIFT: i32 = 128;
/// Comparisons per block with blocks in its and the neighbouring cells (bounds the time on busy pictures).
const MAX_COMPARE: usize = 400;
/// The winning offset must have this many times the votes of any other (outside its
/// neighbourhood): a copy agrees on one offset, repeating structure does not.
pub const DOMINANCE: usize = 4;
/// Offsets within this many pixels of the winner are the same copy.
const NEAR: i32 = 8;

/// The strongest smooth copy found: its offset and the blocks that voted for it.
#[derive(Debug, Clone)]
pub struct SmoothCopy {
    /// Offset from the first copy to the second, working pixels.
    pub shift: (i32, i32),
    /// Top-left corners of the voting blocks of the first copy.
    pub blocks: Vec<(usize, usize)>,
    /// Block pairs that agree on exactly this offset.
    pub votes: usize,
}

/// Side of the blocks, for drawing their footprints.
pub const BLOCK_SIDE: usize = SIDE;

struct Shape {
    x: usize,
    y: usize,
    level: f32,
    cells: [f32; 16],
    /// Vertical and horizontal gradient (top minus bottom half, left minus right) and
    /// the diagonal quadrants' difference, each a projection on a unit vector.
    key: [f32; 3],
}

/// Finds the offset most smooth-shape blocks agree on, if it dominates every other.
pub fn find(g: &Gray) -> Option<SmoothCopy> {
    crate::simd::with_avx2(|| find_impl(g))
}

#[inline(always)]
fn find_impl(g: &Gray) -> Option<SmoothCopy> {
    let shapes = describe(g);
    // Blocks go into cells of (level, vertical key, horizontal key). The keys are
    // projections on unit vectors, so a match lies in the same or a neighbouring cell.
    let cell_of = |s: &Shape| {
        [
            (s.level / MAX_LEVEL).floor() as i32,
            (s.key[0] / MAX_DIST).floor() as i32,
            (s.key[1] / MAX_DIST).floor() as i32,
            (s.key[2] / MAX_DIST).floor() as i32,
        ]
    };
    let mut cells: HashMap<[i32; 4], Vec<u32>> = HashMap::default();
    for (i, s) in shapes.iter().enumerate() {
        cells.entry(cell_of(s)).or_default().push(i as u32);
    }
    let mut votes: HashMap<(i32, i32), Vec<u32>> = HashMap::default();
    for (i, a) in shapes.iter().enumerate() {
        let home = cell_of(a);
        let mut compared = 0;
        for n in 0..81 {
            let near: [i32; 4] =
                std::array::from_fn(|k| home[k] + (n / 3i32.pow(k as u32)) % 3 - 1);
            let Some(list) = cells.get(&near) else {
                continue;
            };
            for &j in list.iter().filter(|&&j| j as usize > i) {
                let b = &shapes[j as usize];
                let (mut dx, mut dy) = (b.x as i32 - a.x as i32, b.y as i32 - a.y as i32);
                if dx * dx + dy * dy < MIN_SHIFT * MIN_SHIFT
                    || (a.level - b.level).abs() > MAX_LEVEL
                {
                    continue;
                }
                compared += 1;
                if compared > MAX_COMPARE {
                    break;
                }
                let d2: f32 = a
                    .cells
                    .iter()
                    .zip(&b.cells)
                    .map(|(p, q)| (p - q) * (p - q))
                    .sum();
                if d2 > MAX_DIST * MAX_DIST {
                    continue;
                }
                let first = if dy < 0 || (dy == 0 && dx < 0) {
                    (dx, dy) = (-dx, -dy);
                    j
                } else {
                    i as u32
                };
                votes.entry((dx, dy)).or_default().push(first);
            }
        }
    }
    let (&shift, best) = votes.iter().max_by_key(|(o, v)| (v.len(), **o))?;
    let runner_up = votes
        .iter()
        .filter(|(o, _)| (o.0 - shift.0).abs() > NEAR || (o.1 - shift.1).abs() > NEAR)
        .map(|(_, v)| v.len())
        .max()
        .unwrap_or(0);
    // The copy's votes: the winner and offsets beside it (re-compression moves a few).
    let mut blocks: Vec<(usize, usize)> = votes
        .iter()
        .filter(|(o, _)| (o.0 - shift.0).abs() <= 1 && (o.1 - shift.1).abs() <= 1)
        .flat_map(|(_, v)| {
            v.iter()
                .map(|&i| (shapes[i as usize].x, shapes[i as usize].y))
        })
        .collect();
    blocks.sort_unstable();
    blocks.dedup();
    if best.len() < DOMINANCE * runner_up.max(1) {
        return None;
    }
    Some(SmoothCopy {
        shift,
        blocks,
        votes: best.len(),
    })
}

/// Every 32×32 block on the grid that has shape and no clipped cell.
fn describe(g: &Gray) -> Vec<Shape> {
    // Means of 4×4 cells, then of 8×8 cells at a 4-pixel step (2×2 of those).
    let (w4, h4) = (g.width / STEP, g.height / STEP);
    if w4 < SIDE / STEP || h4 < SIDE / STEP {
        return Vec::new();
    }
    let mut c4 = vec![0f32; w4 * h4];
    for y in 0..h4 * STEP {
        let row = &g.data[y * g.width..][..w4 * STEP];
        for (cell, px) in c4[(y / STEP) * w4..][..w4]
            .iter_mut()
            .zip(row.chunks_exact(STEP))
        {
            *cell += px.iter().sum::<f32>();
        }
    }
    for v in &mut c4 {
        *v /= (STEP * STEP) as f32;
    }
    let (w8, h8) = (w4 - 1, h4 - 1);
    let c8: Vec<f32> = (0..w8 * h8)
        .map(|i| {
            let (x, y) = (i % w8, i / w8);
            (c4[y * w4 + x] + c4[y * w4 + x + 1] + c4[(y + 1) * w4 + x] + c4[(y + 1) * w4 + x + 1])
                / 4.0
        })
        .collect();
    let span = SIDE / STEP; // block side in 4-px units
    let mut out = Vec::new();
    for by in 0..=(h4 - span) {
        for bx in 0..=(w4 - span) {
            let mut cells = [0f32; 16];
            for (k, c) in cells.iter_mut().enumerate() {
                let (i, j) = (k % 4, k / 4);
                *c = c8[(by + 2 * j) * w8 + bx + 2 * i];
            }
            let (lo, hi) = cells
                .iter()
                .fold((f32::MAX, f32::MIN), |(l, h), &v| (l.min(v), h.max(v)));
            if lo < 8.0 || hi > 247.0 {
                continue;
            }
            let level = cells.iter().sum::<f32>() / 16.0;
            for c in &mut cells {
                *c -= level;
            }
            let spread = (cells.iter().map(|c| c * c).sum::<f32>() / 16.0).sqrt();
            if spread < MIN_SHAPE {
                continue;
            }
            // Unit-length key vectors (±1/4 per cell): a match's keys differ by at most
            // its distance.
            let half = |f: fn(usize) -> bool| {
                cells
                    .iter()
                    .enumerate()
                    .map(|(k, c)| if f(k) { *c } else { -*c })
                    .sum::<f32>()
                    / 4.0
            };
            let key = [
                half(|k| k < 8),
                half(|k| k % 4 < 2),
                half(|k| (k < 8) == (k % 4 < 2)),
            ];
            out.push(Shape {
                x: bx * STEP,
                y: by * STEP,
                level,
                cells,
                key,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A smooth, cloudy picture like an overcast sky or a soft shadow: shading at every
    /// scale from 16 to 256 px (larger scales stronger, as in photos), faint noise.
    fn clouds(w: usize, h: usize) -> Gray {
        let mut seed = 0x2545_f491_u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            (seed % 10_000) as f32 / 10_000.0 - 0.5
        };
        let mut data = vec![120f32; w * h];
        for scale in [16usize, 32, 64, 128, 256] {
            let (gw, gh) = (w / scale + 2, h / scale + 2);
            let grid: Vec<f32> = (0..gw * gh).map(|_| next() * scale as f32 / 4.0).collect();
            for (i, v) in data.iter_mut().enumerate() {
                let (fx, fy) = ((i % w) as f32 / scale as f32, (i / w) as f32 / scale as f32);
                let (x0, y0) = (fx as usize, fy as usize);
                // Smoothstep between grid points: no creases at the grid lines.
                let s = |t: f32| t * t * (3.0 - 2.0 * t);
                let (tx, ty) = (s(fx - x0 as f32), s(fy - y0 as f32));
                let at = |x: usize, y: usize| grid[y * gw + x];
                let top = at(x0, y0) * (1.0 - tx) + at(x0 + 1, y0) * tx;
                let bottom = at(x0, y0 + 1) * (1.0 - tx) + at(x0 + 1, y0 + 1) * tx;
                *v += top * (1.0 - ty) + bottom * ty;
            }
        }
        for v in &mut data {
            *v += next();
        }
        Gray {
            width: w,
            height: h,
            data,
        }
    }

    #[test]
    fn a_copied_patch_of_glow_is_found_and_the_untouched_glow_is_not() {
        let mut g = clouds(640, 480);
        let flag = super::super::SMOOTH_VOTES as usize;
        let chance = find(&g).map_or(0, |c| c.votes);
        assert!(
            chance < flag,
            "an unedited smooth picture has no copy ({chance} votes)"
        );
        // Paste a 120×90 patch (at 40,250) into the top right (at 401,31): an offset off the 4-px grid, so the two copies' blocks are 1 px apart.
        for y in 0..90 {
            for x in 0..120 {
                g.data[(31 + y) * 640 + 401 + x] = g.data[(250 + y) * 640 + 40 + x];
            }
        }
        let c = find(&g).expect("the copy is found");
        assert!(
            (c.shift.0 + 361).abs() <= 1 && (c.shift.1 - 219).abs() <= 1,
            "{:?}",
            c.shift
        );
        assert!(c.votes >= flag, "{} votes", c.votes);
    }
}
