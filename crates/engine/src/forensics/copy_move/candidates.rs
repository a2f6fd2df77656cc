//! Candidate matches: blocks that share a bucket of coarse keys, one per place.

use super::blocks::{bucket, dist2, same_pixels, Blocks, BUCKET, MAX_DIST2};
use crate::forensics::gray::Gray;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Shortest offset between a block and its copy, in working pixels.
pub const MIN_SHIFT: i32 = 24;
/// Bucket members closer than this (pixels, both axes) are one place: overlapping
/// blocks at neighbouring positions look alike, and only one of them is compared.
const SAME_PLACE: i32 = 3;
/// Most places compared within one bucket (more is repetitive texture).
const MAX_PLACES: usize = 24;

/// Offset `(dx, dy)` → the source blocks of the matches voting for it (`dx > 0`, or `dx == 0` and `dy > 0`).
pub type Votes = HashMap<(i32, i32), Vec<u32>>;

/// Compares the places in each bucket pair by pair and votes their offsets.
pub fn vote(g: &Gray, blocks: &Blocks) -> Votes {
    crate::simd::with_avx2(|| vote_impl(g, blocks))
}

#[inline(always)]
fn vote_impl(g: &Gray, blocks: &Blocks) -> Votes {
    let mut votes: Votes = HashMap::default();
    let mut seen = HashSet::default();
    let mut places: Vec<u32> = Vec::with_capacity(MAX_PLACES);
    // Two bucket grids offset by half a step catch the pairs that one grid splits at a boundary.
    for offset in [0.0, BUCKET / 2.0] {
        let mut keyed: Vec<(u64, u32)> = (blocks.feat.iter().enumerate())
            .map(|(i, f)| (bucket(f, offset), i as u32))
            .collect();
        keyed.sort_unstable();
        for run in keyed.chunk_by(|a, b| a.0 == b.0) {
            places.clear();
            for &(_, i) in run {
                let (x, y) = blocks.xy(blocks.pos[i as usize] as usize);
                let near = places.iter().any(|&j| {
                    let (px, py) = blocks.xy(blocks.pos[j as usize] as usize);
                    (px - x).abs() <= SAME_PLACE && (py - y).abs() <= SAME_PLACE
                });
                if !near {
                    places.push(i);
                    if places.len() == MAX_PLACES {
                        break;
                    }
                }
            }
            for (k, &ia) in places.iter().enumerate() {
                for &ib in &places[k + 1..] {
                    let (a, b) = (ia as usize, ib as usize);
                    let (pa, pb) = (blocks.pos[a], blocks.pos[b]);
                    let ((ax, ay), (bx, by)) = (blocks.xy(pa as usize), blocks.xy(pb as usize));
                    let (mut dx, mut dy) = (bx - ax, by - ay);
                    let (mut from, mut to) = (pa, pb);
                    if dx < 0 || (dx == 0 && dy < 0) {
                        (dx, dy, from, to) = (-dx, -dy, pb, pa);
                    }
                    if dx * dx + dy * dy < MIN_SHIFT * MIN_SHIFT
                        || dist2(&blocks.feat[a], &blocks.feat[b]) > MAX_DIST2
                        || !same_pixels(g, blocks, pa as usize, pb as usize)
                        || !seen.insert((from, to))
                    {
                        continue;
                    }
                    votes.entry((dx, dy)).or_default().push(from);
                }
            }
        }
    }
    votes
}

/// Offsets with the most votes within `radius` of them, strongest first, each at least
/// `2 * radius + 1` from a stronger one; with the source blocks that voted near each.
pub fn peaks(votes: &Votes, radius: i32, max: usize) -> Vec<((i32, i32), Vec<u32>)> {
    let mut sums: Vec<((i32, i32), usize)> = votes
        .keys()
        .map(|&(x, y)| {
            let mut n = 0;
            for dy in -radius..=radius {
                for dx in -radius..=radius {
                    n += votes.get(&(x + dx, y + dy)).map_or(0, Vec::len);
                }
            }
            ((x, y), n)
        })
        .collect();
    sums.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out: Vec<((i32, i32), Vec<u32>)> = Vec::new();
    for ((x, y), _) in sums {
        if out.len() == max {
            break;
        }
        let d = 2 * radius + 1;
        if out
            .iter()
            .any(|((px, py), _)| (px - x).abs() < d && (py - y).abs() < d)
        {
            continue;
        }
        let mut seeds = Vec::new();
        for dy in -radius..=radius {
            for dx in -radius..=radius {
                if let Some(v) = votes.get(&(x + dx, y + dy)) {
                    seeds.extend_from_slice(v);
                }
            }
        }
        out.push(((x, y), seeds));
    }
    out
}
