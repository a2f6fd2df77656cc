//! Multi-index hashing (Norouzi, Punjani and Fleet, 2012) for 256-bit PDQ hashes.
//!
//! The hash is cut into `m` words. If two hashes are within `t = r·m + a` bits
//! (0 ≤ a < m), then one of the first `a + 1` words differs by at most `r` bits or one
//! of the others by at most `r − 1` (pigeonhole), so the candidates are the hashes that
//! share such a word with the query up to that many flipped bits; only those are
//! compared in full. Word width follows the index size, as the paper advises (about
//! log2 n bits): 16 words of 16 bits below two million hashes, 12 words of 21–22 bits
//! above, where 16-bit buckets would hold too many hashes each.
//!
//! Buckets are stored compactly (one offset table and one slot list per word), rebuilt
//! when enough hashes have been added since; hashes added in between are scanned.

use proofdesk_engine::reuse::{Dihedral, PdqHash};
use rayon::prelude::*;
use std::collections::HashMap;

/// Hashes added since the last rebuild that are scanned rather than bucketed.
const MIN_TAIL: usize = 4096;
/// Index size from which the wide (12-word) layout is used.
const WIDE_FROM: usize = 2_000_000;

/// How a hash is cut into words: `(first bit, bits)` per word.
fn layout(n: usize, wide_from: usize) -> Vec<(u32, u32)> {
    let lens: Vec<u32> = if n >= wide_from {
        [22u32; 4].into_iter().chain([21u32; 8]).collect()
    } else {
        vec![16; 16]
    };
    let mut start = 0;
    lens.into_iter()
        .map(|len| {
            let w = (start, len);
            start += len;
            w
        })
        .collect()
}

/// Bits `start .. start + len` of a hash (len ≤ 32), the lowest bit first.
fn bits(h: &PdqHash, start: u32, len: u32) -> u32 {
    let limb = (start / 64) as usize;
    let lo = h.0[limb] as u128;
    let hi = h.0.get(limb + 1).copied().unwrap_or(0) as u128;
    (((hi << 64 | lo) >> (start % 64)) & ((1u128 << len) - 1)) as u32
}

/// An in-memory index of PDQ hashes, each with a caller's key.
pub struct MultiIndex {
    hashes: Vec<PdqHash>,
    keys: Vec<i64>,
    /// The words of the bucketed part.
    words: Vec<(u32, u32)>,
    /// Per word, the first slot-list position of each bucket (`2^bits + 1` entries).
    offsets: Vec<Vec<u32>>,
    /// Per word, the slots sorted by bucket (`bucketed` entries).
    slots: Vec<Vec<u32>>,
    /// Hashes covered by `offsets` and `slots`; the rest are scanned.
    bucketed: usize,
    /// Size from which the wide layout is used ([`WIDE_FROM`]; tests lower it).
    wide_from: usize,
}

impl Default for MultiIndex {
    fn default() -> MultiIndex {
        MultiIndex {
            hashes: Vec::new(),
            keys: Vec::new(),
            words: Vec::new(),
            offsets: Vec::new(),
            slots: Vec::new(),
            bucketed: 0,
            wide_from: WIDE_FROM,
        }
    }
}

/// A hash found near the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Near {
    /// The key given with the hash.
    pub key: i64,
    /// Differing bits.
    pub distance: u32,
}

impl MultiIndex {
    /// An empty index.
    pub fn new() -> MultiIndex {
        MultiIndex::default()
    }

    /// Number of hashes.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// True when no hash was added.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Adds a hash with its key.
    pub fn add(&mut self, hash: PdqHash, key: i64) {
        self.add_deferred(hash, key);
        self.settle();
    }

    /// Adds a hash without bucketing it yet: for loading many at once, followed by
    /// [`MultiIndex::settle`]. Until then it is found by scanning.
    pub fn add_deferred(&mut self, hash: PdqHash, key: i64) {
        self.hashes.push(hash);
        self.keys.push(key);
    }

    /// Rebuilds the buckets when the scanned tail has grown too long. Rebuilding costs
    /// one pass over all hashes; doing it when the tail reaches an eighth of the index
    /// keeps the total cost of n additions O(n).
    pub fn settle(&mut self) {
        if self.hashes.len() - self.bucketed > MIN_TAIL.max(self.bucketed / 8) {
            self.rebuild();
        }
    }

    /// Reserves room for `n` more hashes.
    pub fn reserve(&mut self, n: usize) {
        self.hashes.reserve(n);
        self.keys.reserve(n);
    }

    /// Buckets every hash (a counting sort per word).
    pub fn rebuild(&mut self) {
        let n = self.hashes.len();
        assert!(
            n < u32::MAX as usize,
            "the index holds at most 4 billion hashes"
        );
        self.words = layout(n, self.wide_from);
        self.offsets.clear();
        self.slots.clear();
        for &(start, len) in &self.words {
            let buckets = 1usize << len;
            let mut offsets = vec![0u32; buckets + 1];
            for h in &self.hashes {
                offsets[bits(h, start, len) as usize + 1] += 1;
            }
            for b in 0..buckets {
                offsets[b + 1] += offsets[b];
            }
            let mut next: Vec<u32> = offsets[..buckets].to_vec();
            let mut slots = vec![0u32; n];
            for (slot, h) in self.hashes.iter().enumerate() {
                let b = bits(h, start, len) as usize;
                slots[next[b] as usize] = slot as u32;
                next[b] += 1;
            }
            self.offsets.push(offsets);
            self.slots.push(slots);
        }
        self.bucketed = n;
    }

    /// Every hash within `threshold` bits of `query`, closest first, each key once.
    pub fn near(&self, query: &PdqHash, threshold: u32) -> Vec<Near> {
        let mut found: Vec<(u32, u32)> = Vec::new(); // (slot, distance)
        let consider = |slot: u32, found: &mut Vec<(u32, u32)>| {
            let d = self.hashes[slot as usize].distance(query);
            if d <= threshold {
                found.push((slot, d));
            }
        };
        if self.bucketed > 0 {
            let m = self.words.len() as u32;
            let (r, a) = (threshold / m, threshold % m);
            for (w, &(start, len)) in self.words.iter().enumerate() {
                // Radius r for the first a + 1 words, r − 1 for the rest (none below 0).
                let radius = if (w as u32) <= a {
                    Some(r)
                } else {
                    r.checked_sub(1)
                };
                let Some(radius) = radius else { continue };
                let (offsets, slots) = (&self.offsets[w], &self.slots[w]);
                let word = bits(query, start, len);
                for m in flip_masks(len, radius) {
                    let b = (word ^ m) as usize;
                    for &slot in &slots[offsets[b] as usize..offsets[b + 1] as usize] {
                        consider(slot, &mut found);
                    }
                }
            }
        }
        for slot in self.bucketed..self.hashes.len() {
            consider(slot as u32, &mut found);
        }
        // A hash close in several words is found once per word.
        found.sort_unstable();
        found.dedup_by_key(|f| f.0);
        let mut out: Vec<Near> = found
            .into_iter()
            .map(|(slot, distance)| Near {
                key: self.keys[slot as usize],
                distance,
            })
            .collect();
        out.sort_by_key(|n| (n.distance, n.key));
        out
    }

    /// The stored hashes near any of a picture's orientations (`variants`, as in
    /// [`proofdesk_engine::reuse::Fingerprint::variants`]): each key once, with its
    /// closest orientation, closest first.
    ///
    /// The orientations are searched in parallel (rayon's pool).
    pub fn near_any(
        &self,
        variants: &[(Dihedral, PdqHash)],
        threshold: u32,
    ) -> Vec<(Near, Dihedral)> {
        let per_variant: Vec<(Dihedral, Vec<Near>)> = variants
            .par_iter()
            .map(|(t, h)| (*t, self.near(h, threshold)))
            .collect();
        let mut best: HashMap<i64, (u32, Dihedral)> = HashMap::new();
        for (t, near) in &per_variant {
            for &n in near {
                let e = best.entry(n.key).or_insert((n.distance, *t));
                if n.distance < e.0 {
                    *e = (n.distance, *t);
                }
            }
        }
        let mut out: Vec<(Near, Dihedral)> = best
            .into_iter()
            .map(|(key, (distance, t))| (Near { key, distance }, t))
            .collect();
        out.sort_by_key(|(n, _)| (n.distance, n.key));
        out
    }

    /// Approximate heap memory, in bytes.
    pub fn memory_bytes(&self) -> usize {
        let tables: usize = self
            .offsets
            .iter()
            .chain(&self.slots)
            .map(|v| v.capacity() * 4)
            .sum();
        self.hashes.capacity() * 32 + self.keys.capacity() * 8 + tables
    }
}

/// Every `len`-bit mask with at most `radius` bits set, the zero mask first.
fn flip_masks(len: u32, radius: u32) -> Vec<u32> {
    let mut masks = vec![0u32];
    let mut frontier = vec![(0u32, 0u32)]; // (mask, lowest bit allowed next)
    for _ in 0..radius {
        let mut next = Vec::new();
        for &(mask, from) in &frontier {
            for b in from..len {
                next.push((mask | 1 << b, b + 1));
            }
        }
        masks.extend(next.iter().map(|&(m, _)| m));
        frontier = next;
    }
    masks
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so the tests need no crate.
    fn rng(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    fn random_hash(seed: &mut u64) -> PdqHash {
        PdqHash([rng(seed), rng(seed), rng(seed), rng(seed)])
    }

    fn flip(h: PdqHash, bits: &[usize]) -> PdqHash {
        let mut out = h;
        for &b in bits {
            out.0[b / 64] ^= 1 << (b % 64);
        }
        out
    }

    /// The answer by brute force, to compare with.
    fn scan(all: &[(PdqHash, i64)], q: &PdqHash, t: u32) -> Vec<Near> {
        let mut v: Vec<Near> = all
            .iter()
            .filter(|(h, _)| h.distance(q) <= t)
            .map(|(h, k)| Near {
                key: *k,
                distance: h.distance(q),
            })
            .collect();
        v.sort_by_key(|n| (n.distance, n.key));
        v
    }

    #[test]
    fn finds_exactly_what_a_full_scan_finds() {
        finds_what_a_scan_finds(MultiIndex::new());
    }

    #[test]
    fn the_wide_layout_finds_exactly_what_a_full_scan_finds() {
        let mut index = MultiIndex::new();
        index.wide_from = 0;
        finds_what_a_scan_finds(index);
    }

    #[test]
    fn flip_masks_cover_every_mask_within_the_radius_once() {
        for (len, radius, count) in [(16, 1, 17), (21, 2, 1 + 21 + 210), (22, 0, 1)] {
            let masks = flip_masks(len, radius);
            assert_eq!(masks.len(), count);
            let mut unique = masks.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), count);
            assert!(masks
                .iter()
                .all(|m| m.count_ones() <= radius && *m < 1 << len));
        }
        let h = PdqHash([u64::MAX, 0, 0, 1]);
        assert_eq!(bits(&h, 60, 8), 0b1111, "a word across two limbs");
        assert_eq!(bits(&h, 192, 22), 1);
    }

    fn finds_what_a_scan_finds(mut index: MultiIndex) {
        let mut seed = 0x9e3779b97f4a7c15;
        let mut all = Vec::new();
        for k in 0..20_000 {
            let h = random_hash(&mut seed);
            index.add(h, k);
            all.push((h, k));
        }
        // Near copies of stored hashes at distances around the threshold, spread so that
        // some words carry several flips (the hard case for multi-index hashing).
        for (i, d) in [0usize, 1, 15, 16, 17, 30, 31, 32, 40].iter().enumerate() {
            let (base, key) = all[i * 997];
            let bits: Vec<usize> = (0..*d).map(|j| (j * 37 + i * 11) % 256).collect();
            let q = flip(base, &bits);
            for t in [31, 40] {
                let got = index.near(&q, t);
                assert_eq!(got, scan(&all, &q, t), "distance {d}, threshold {t}");
                assert_eq!(got.iter().any(|n| n.key == key), *d as u32 <= t);
            }
        }
        // Unrelated queries find nothing (random hashes sit about 128 bits apart).
        for _ in 0..50 {
            assert!(index.near(&random_hash(&mut seed), 31).is_empty());
        }
    }

    #[test]
    fn hashes_added_after_a_rebuild_are_found_too() {
        let mut seed = 7;
        let mut index = MultiIndex::new();
        for k in 0..10_000 {
            index.add(random_hash(&mut seed), k);
        }
        let late = random_hash(&mut seed);
        index.add(late, 99_999);
        assert!(
            index.len() > index.bucketed,
            "the newest hash should still be in the tail"
        );
        let found = index.near(&flip(late, &[3, 70, 200]), 31);
        assert_eq!(
            found,
            vec![Near {
                key: 99_999,
                distance: 3
            }]
        );
    }
}
