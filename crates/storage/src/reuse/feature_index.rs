//! The crop index: for each picture, the index words of its strongest local features
//! ([`Features::words`]), so a cropped copy finds the pictures it shares features with.
//! A candidate is only a candidate: the caller verifies it geometrically
//! ([`proofdesk_engine::reuse::geometry::align`]) on the stored features.
//!
//! Postings are held compactly: one offset per possible word and one slot list sorted
//! by word (4 bytes per feature), rebuilt when enough pictures were added since; the
//! newest postings wait in a hash map meanwhile.

use proofdesk_engine::reuse::geometry::{self, Alignment};
use proofdesk_engine::reuse::keypoints::{Features, WORD_BITS};
use proofdesk_engine::reuse::Dihedral;
use std::collections::HashMap;

/// Postings waiting before a rebuild is worth it (at least; or an eighth of the index).
const MIN_PENDING: usize = 1 << 16;
/// Words shared with a picture before it is a candidate.
pub const MIN_VOTES: u16 = 2;
/// Buckets this large hold a word too common to tell pictures apart; they are skipped.
const MAX_BUCKET: usize = 50_000;

/// Word → pictures, for finding the pictures a query shares local features with.
#[derive(Default)]
pub struct FeatureIndex {
    /// Caller key per slot (one slot per picture).
    keys: Vec<i64>,
    /// First position in `slots` of each word's bucket (`2^WORD_BITS + 1` entries once
    /// anything is bucketed).
    offsets: Vec<u32>,
    /// Slots sorted by word.
    slots: Vec<u32>,
    /// Postings not yet bucketed, searchable.
    pending: HashMap<u32, Vec<u32>>,
    pending_len: usize,
    /// Postings `(word, slot)` added in bulk, searchable after [`FeatureIndex::settle`].
    staged: Vec<(u32, u32)>,
}

impl FeatureIndex {
    /// An empty index.
    pub fn new() -> FeatureIndex {
        FeatureIndex::default()
    }

    /// Pictures held.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no picture is held.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Adds a picture's words under `key`; searchable at once (from the pending map).
    pub fn add(&mut self, key: i64, words: &[u32]) {
        let slot = self.keys.len() as u32;
        self.keys.push(key);
        for &w in words {
            self.pending.entry(w & word_mask()).or_default().push(slot);
        }
        self.pending_len += words.len();
    }

    /// Adds a picture's words under `key`, searchable after the next
    /// [`FeatureIndex::settle`] (much faster than [`FeatureIndex::add`] for many).
    pub fn add_deferred(&mut self, key: i64, words: &[u32]) {
        let slot = self.keys.len() as u32;
        self.keys.push(key);
        self.staged
            .extend(words.iter().map(|&w| (w & word_mask(), slot)));
    }

    /// Makes every added picture searchable; buckets the pending postings when there
    /// are enough of them to be worth it.
    pub fn settle(&mut self) {
        if self.pending_len + self.staged.len() >= MIN_PENDING.max(self.slots.len() / 8) {
            self.rebuild();
        } else {
            for (w, slot) in std::mem::take(&mut self.staged) {
                self.pending.entry(w).or_default().push(slot);
                self.pending_len += 1;
            }
        }
    }

    /// Buckets every posting (counting sort over the words).
    pub fn rebuild(&mut self) {
        if self.pending_len == 0 && self.staged.is_empty() {
            return;
        }
        let buckets = 1usize << WORD_BITS;
        let mut starts = vec![0u32; buckets + 1];
        for (w, n) in starts[1..].iter_mut().enumerate() {
            *n = self.bucket(w as u32).len() as u32;
        }
        for (&w, p) in &self.pending {
            starts[w as usize + 1] += p.len() as u32;
        }
        for &(w, _) in &self.staged {
            starts[w as usize + 1] += 1;
        }
        for w in 0..buckets {
            starts[w + 1] += starts[w];
        }
        let mut next = starts.clone();
        let mut slots = vec![0u32; starts[buckets] as usize];
        for (w, at) in next.iter_mut().enumerate().take(buckets) {
            let old = self.bucket(w as u32);
            slots[*at as usize..*at as usize + old.len()].copy_from_slice(old);
            *at += old.len() as u32;
        }
        for (&w, p) in &self.pending {
            let at = next[w as usize] as usize;
            slots[at..at + p.len()].copy_from_slice(p);
            next[w as usize] += p.len() as u32;
        }
        for &(w, slot) in &self.staged {
            slots[next[w as usize] as usize] = slot;
            next[w as usize] += 1;
        }
        self.offsets = starts;
        self.slots = slots;
        self.pending = HashMap::new();
        self.pending_len = 0;
        self.staged = Vec::new();
    }

    /// The bucketed slots of one word.
    fn bucket(&self, w: u32) -> &[u32] {
        match (
            self.offsets.get(w as usize),
            self.offsets.get(w as usize + 1),
        ) {
            (Some(&a), Some(&b)) => &self.slots[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Pictures sharing at least [`MIN_VOTES`] words with the query in one of its
    /// orientations: `(key, orientation, shared words)`, most shared first, at most `max`.
    pub fn candidates(
        &self,
        query: &[(Dihedral, Features)],
        max: usize,
    ) -> Vec<(i64, Dihedral, u16)> {
        let mut best: HashMap<i64, (u16, Dihedral)> = HashMap::new();
        for (t, features) in query {
            let mut words: Vec<u32> = features.points.iter().map(|f| f.word()).collect();
            words.sort_unstable();
            words.dedup();
            let mut votes: HashMap<u32, u16> = HashMap::new();
            for w in words {
                let bucket = self.bucket(w);
                let pending = self.pending.get(&w).map_or(&[][..], |p| p.as_slice());
                if bucket.len() + pending.len() > MAX_BUCKET {
                    continue;
                }
                for &slot in bucket.iter().chain(pending) {
                    *votes.entry(slot).or_default() += 1;
                }
            }
            for (slot, v) in votes {
                if v < MIN_VOTES {
                    continue;
                }
                let key = self.keys[slot as usize];
                let e = best.entry(key).or_insert((v, *t));
                if v > e.0 {
                    *e = (v, *t);
                }
            }
        }
        let mut out: Vec<(i64, Dihedral, u16)> =
            best.into_iter().map(|(k, (v, t))| (k, t, v)).collect();
        out.sort_by_key(|&(k, _, v)| (std::cmp::Reverse(v), k));
        out.truncate(max);
        out
    }

    /// Approximate heap memory, in bytes (the pending map counted roughly).
    pub fn memory_bytes(&self) -> usize {
        self.keys.capacity() * 8
            + self.offsets.capacity() * 4
            + self.slots.capacity() * 4
            + self.pending_len * 4
            + self.pending.capacity() * 32
            + self.staged.capacity() * 8
    }
}

/// The candidates that line up with the query: each is checked in the orientation it
/// voted in, against the features `stored` returns for it (none: skipped). Returns
/// `(key, orientation, alignment)`, most details lined up first.
pub fn verify(
    turned: &[(Dihedral, Features)],
    candidates: &[(i64, Dihedral, u16)],
    mut stored: impl FnMut(i64) -> Option<Features>,
) -> Vec<(i64, Dihedral, Alignment)> {
    let mut out: Vec<(i64, Dihedral, Alignment)> = candidates
        .iter()
        .filter_map(|&(key, t, _)| {
            let query = &turned.iter().find(|(u, _)| *u == t)?.1;
            let a = geometry::align(query, &stored(key)?)?;
            Some((key, t, a))
        })
        .collect();
    out.sort_by_key(|(key, _, a)| (std::cmp::Reverse(a.inliers), *key));
    out
}

fn word_mask() -> u32 {
    (1u32 << WORD_BITS) - 1
}

/// Packs index words three bytes each (they have [`WORD_BITS`] ≤ 24 bits), for storage.
pub fn pack_words(words: &[u32]) -> Vec<u8> {
    words
        .iter()
        .flat_map(|w| w.to_le_bytes()[..3].to_vec())
        .collect()
}

/// Reads [`pack_words`].
pub fn unpack_words(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(3)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], 0]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proofdesk_engine::reuse::keypoints::Feature;

    fn features(words: &[u32]) -> Features {
        Features {
            width: 100,
            height: 100,
            points: words
                .iter()
                .map(|&w| Feature {
                    x: 0.0,
                    y: 0.0,
                    level: 0,
                    descriptor: [w as u64, 0, 0, 0],
                })
                .collect(),
        }
    }

    #[test]
    fn pictures_sharing_two_words_are_candidates_before_and_after_a_rebuild() {
        let mut index = FeatureIndex::new();
        index.add(10, &[1, 2, 3, 4]);
        index.add(20, &[3, 50, 60]);
        index.add(30, &[7, 8, 9]);
        let query = [
            (Dihedral::Original, features(&[1, 3, 4, 50])),
            (Dihedral::MirrorHorizontal, features(&[7, 8])),
        ];
        let expect = vec![
            (10, Dihedral::Original, 3),
            (20, Dihedral::Original, 2),
            (30, Dihedral::MirrorHorizontal, 2),
        ];
        assert_eq!(index.candidates(&query, 10), expect);
        index.rebuild();
        assert_eq!(index.candidates(&query, 10), expect);
        index.add(40, &[1, 3]);
        assert_eq!(index.candidates(&query, 10)[3], (40, Dihedral::Original, 2));
        index.rebuild();
        assert_eq!(index.candidates(&query, 2).len(), 2);
        assert!(index
            .candidates(&[(Dihedral::Original, features(&[1, 60]))], 10)
            .is_empty());
    }

    #[test]
    fn pictures_added_in_bulk_are_found_once_settled_in_either_way() {
        let query = [(Dihedral::Original, features(&[5, 6, 7]))];
        // A few: settled into the pending map.
        let mut index = FeatureIndex::new();
        index.add(1, &[5, 9]);
        index.add_deferred(2, &[5, 6]);
        index.settle();
        assert_eq!(
            index.candidates(&query, 10),
            vec![(2, Dihedral::Original, 2)]
        );
        // Many: settled by a rebuild that keeps the earlier postings.
        for k in 0..MIN_PENDING as i64 {
            index.add_deferred(100 + k, &[1000 + k as u32 % 5000, 20_000 + k as u32 % 3000]);
        }
        index.add_deferred(3, &[6, 7]);
        index.settle();
        assert!(
            index.pending.is_empty() && index.staged.is_empty(),
            "rebuilt"
        );
        let found = index.candidates(&query, 10);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.contains(&(2, Dihedral::Original, 2)));
        assert!(found.contains(&(3, Dihedral::Original, 2)));
    }

    #[test]
    fn words_pack_into_three_bytes() {
        let w = vec![0, 1, (1 << WORD_BITS) - 1, 0x0A_BCDE];
        assert_eq!(pack_words(&w).len(), 12);
        assert_eq!(unpack_words(&pack_words(&w)), w);
    }
}
