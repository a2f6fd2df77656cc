//! Multi-index hashing (Norouzi, Punjani and Fleet, 2012) for 256-bit PDQ hashes.
//!
//! The hash is cut into 16 words of 16 bits. Two hashes within `t` bits of each other
//! differ in at least one word by at most `t / 16` bits (pigeonhole), so the candidates
//! are the hashes that share a word with the query up to that many flipped bits; only
//! those are compared in full. For PDQ's threshold 31 that is each word and its 16
//! one-bit neighbours: 272 bucket look-ups instead of a scan of every hash.
//!
//! Buckets are stored compactly (one offset table and one slot list per word), rebuilt
//! when enough hashes have been added since; hashes added in between are scanned.

use proofdesk_engine::reuse::PdqHash;

/// Words a hash is cut into.
const WORDS: usize = 16;
/// Buckets per word.
const BUCKETS: usize = 1 << 16;
/// Hashes added since the last rebuild that are scanned rather than bucketed.
const MIN_TAIL: usize = 4096;

/// An in-memory index of PDQ hashes, each with a caller's key.
#[derive(Default)]
pub struct MultiIndex {
    hashes: Vec<PdqHash>,
    keys: Vec<i64>,
    /// Per word, the first slot-list position of each bucket (`BUCKETS + 1` entries).
    offsets: Vec<u32>,
    /// Per word, the slots sorted by bucket (`bucketed` entries).
    slots: Vec<u32>,
    /// Hashes covered by `offsets` and `slots`; the rest are scanned.
    bucketed: usize,
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
        self.hashes.push(hash);
        self.keys.push(key);
        // Rebuilding costs one pass over all hashes; doing it when the tail reaches an
        // eighth of the index keeps the total cost of n additions O(n).
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
        assert!(n < u32::MAX as usize, "the index holds at most 4 billion hashes");
        self.offsets = vec![0; WORDS * (BUCKETS + 1)];
        self.slots = vec![0; WORDS * n];
        for w in 0..WORDS {
            let offsets = &mut self.offsets[w * (BUCKETS + 1)..(w + 1) * (BUCKETS + 1)];
            for h in &self.hashes {
                offsets[h.word(w) as usize + 1] += 1;
            }
            for b in 0..BUCKETS {
                offsets[b + 1] += offsets[b];
            }
            let mut next: Vec<u32> = offsets[..BUCKETS].to_vec();
            let slots = &mut self.slots[w * n..(w + 1) * n];
            for (slot, h) in self.hashes.iter().enumerate() {
                let b = h.word(w) as usize;
                slots[next[b] as usize] = slot as u32;
                next[b] += 1;
            }
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
            let flips = flip_masks(threshold as usize / WORDS);
            let n = self.bucketed;
            for w in 0..WORDS {
                let offsets = &self.offsets[w * (BUCKETS + 1)..(w + 1) * (BUCKETS + 1)];
                let slots = &self.slots[w * n..(w + 1) * n];
                let word = query.word(w);
                for &m in &flips {
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

    /// Approximate heap memory, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.hashes.capacity() * 32
            + self.keys.capacity() * 8
            + (self.offsets.capacity() + self.slots.capacity()) * 4
    }
}

/// Every 16-bit mask with at most `radius` bits set, the zero mask first.
fn flip_masks(radius: usize) -> Vec<u16> {
    let mut masks: Vec<u16> = (0..=u16::MAX)
        .filter(|m| m.count_ones() as usize <= radius)
        .collect();
    masks.sort_by_key(|m| m.count_ones());
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
        let mut seed = 0x9e3779b97f4a7c15;
        let mut index = MultiIndex::new();
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
        assert!(index.len() > index.bucketed, "the newest hash should still be in the tail");
        let found = index.near(&flip(late, &[3, 70, 200]), 31);
        assert_eq!(found, vec![Near { key: 99_999, distance: 3 }]);
    }
}
