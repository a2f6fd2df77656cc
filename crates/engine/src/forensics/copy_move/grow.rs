//! Region growing: from matched seeds, every neighbouring block whose copy at the same
//! offset also matches joins the region, so the whole copied area is found, not only the
//! blocks that happened to share a bucket.

use super::blocks::{same_pixels, Blocks};
use crate::forensics::gray::Gray;

/// Blocks smoother than this (texture, grey levels) do not join a region: flat areas
/// match at every offset.
const GROW_TEXTURE: f32 = 1.5;

/// True when the block at `id` and its twin at `off` match.
fn matches(g: &Gray, blocks: &Blocks, id: usize, off: (i32, i32)) -> bool {
    let (x, y) = blocks.xy(id);
    let Some(twin) = blocks.id(x + off.0, y + off.1) else {
        return false;
    };
    blocks.texture[id] >= GROW_TEXTURE
        && blocks.texture[twin] >= GROW_TEXTURE
        && same_pixels(g, blocks, id, twin)
}

/// The exact offset near `approx` that most `seeds` match at, and how many do.
pub fn exact_offset(
    g: &Gray,
    blocks: &Blocks,
    seeds: &[u32],
    approx: (i32, i32),
    radius: i32,
) -> ((i32, i32), usize) {
    let mut best = (approx, 0);
    for dy in -radius..=radius {
        for dx in -radius..=radius {
            let off = (approx.0 + dx, approx.1 + dy);
            let n = (seeds.iter())
                .filter(|&&s| matches(g, blocks, s as usize, off))
                .count();
            if n > best.1 {
                best = (off, n);
            }
        }
    }
    best
}

/// Grows the region of blocks matching their twins at `off`, starting from `seeds`;
/// stops at `limit` blocks.
pub fn grow(g: &Gray, blocks: &Blocks, seeds: &[u32], off: (i32, i32), limit: usize) -> Vec<usize> {
    let mut state = vec![0u8; blocks.nx * blocks.ny]; // 0 unseen, 1 in region, 2 rejected
    let mut region = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for &s in seeds {
        let s = s as usize;
        if state[s] == 0 {
            state[s] = 2;
            if matches(g, blocks, s, off) {
                state[s] = 1;
                stack.push(s);
            }
        }
    }
    while let Some(id) = stack.pop() {
        region.push(id);
        if region.len() >= limit {
            break;
        }
        let (x, y) = blocks.xy(id);
        for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] {
            let Some(n) = blocks.id(nx, ny) else { continue };
            if state[n] != 0 {
                continue;
            }
            state[n] = 2;
            if matches(g, blocks, n, off) {
                state[n] = 1;
                stack.push(n);
            }
        }
    }
    region
}
