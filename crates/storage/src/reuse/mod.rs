//! The reuse index: every picture seen, in the database, mirrored in memory for search.
//!
//! The database table `reuse_sightings` is the truth that every worker shares. Each
//! process keeps a [`MultiIndex`] of the PDQ hashes in memory, loaded at start and
//! brought up to date with [`ReuseIndex::sync`] (rows other workers added), and a
//! [`FeatureIndex`] of local-feature words for cropped copies, which are then verified
//! geometrically on the features stored in the row. Exact copies are found by SHA-256
//! in the database itself.

pub mod feature_index;
pub mod import;
pub mod multi_index;

use crate::db::Database;
use crate::Error;
pub use feature_index::FeatureIndex;
use futures_util::TryStreamExt;
pub use multi_index::{MultiIndex, Near};
use proofdesk_engine::reuse::keypoints::Features;
use proofdesk_engine::reuse::{Crop, Dihedral, Fingerprint, PdqHash, MIN_QUALITY};
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};

/// Rows below the newest loaded id that are read again on each sync: a PostgreSQL
/// transaction can commit a lower id after a higher one was already visible.
const LATE_COMMIT_WINDOW: i64 = 1000;
/// Most near matches reported per query.
const MAX_MATCHES: usize = 50;
/// Crop candidates verified per query (those sharing the most feature words).
const MAX_CROP_CANDIDATES: usize = 16;

/// One picture to record.
pub struct NewSighting<'a> {
    /// SHA-256 of the file's bytes.
    pub sha256: [u8; 32],
    /// Its fingerprints, when its pixels could be decoded.
    pub fingerprint: Option<&'a Fingerprint>,
    /// The claim, case or file it came with.
    pub source: &'a str,
    /// Where the file can be read again (for side-by-side views), if anywhere.
    pub location: Option<&'a str>,
    /// When it was received, in milliseconds since 1970 (UTC).
    pub seen_at_ms: i64,
}

/// An earlier sighting of a queried picture.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Row id.
    pub id: i64,
    /// The claim, case or file it came with.
    pub source: String,
    /// Where the file can be read again.
    pub location: Option<String>,
    /// When it was received, in milliseconds since 1970 (UTC).
    pub seen_at_ms: i64,
    /// Differing PDQ bits (0 for an exact copy).
    pub distance: u32,
    /// How the queried picture must be turned to look like the earlier one.
    pub transform: Dihedral,
    /// Byte-identical file.
    pub exact: bool,
    /// Found as a cropped copy by its local features: how it lines up.
    pub crop: Option<Crop>,
}

/// What [`ReuseIndex::add`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// A new row with this id.
    New(i64),
    /// The same file was already recorded for the same source, in this row.
    Already(i64),
}

/// The reuse index of one database.
pub struct ReuseIndex {
    db: Database,
    index: MultiIndex,
    features: FeatureIndex,
    /// Highest row id loaded.
    loaded_to: i64,
    /// Ids loaded within the late-commit window below `loaded_to`.
    recent: BTreeSet<i64>,
}

impl ReuseIndex {
    /// Loads every stored hash into memory.
    pub async fn open(db: Database) -> Result<ReuseIndex, Error> {
        let mut r = ReuseIndex {
            db,
            index: MultiIndex::new(),
            features: FeatureIndex::new(),
            loaded_to: 0,
            recent: BTreeSet::new(),
        };
        r.sync().await?;
        Ok(r)
    }

    /// Loads rows added since the last load (by this or another worker); returns how many.
    pub async fn sync(&mut self) -> Result<usize, Error> {
        let from = self.loaded_to - LATE_COMMIT_WINDOW;
        let mut rows = sqlx::query(
            "SELECT id, pdq, pdq_quality, pdq_content, feature_words FROM reuse_sightings \
             WHERE id > $1 ORDER BY id",
        )
        .bind(from)
        .fetch(&self.db.pool);
        let mut added = 0;
        while let Some(row) = rows
            .try_next()
            .await
            .map_err(Error::query("load the reuse index"))?
        {
            let id: i64 = row
                .try_get(0)
                .map_err(Error::query("read the reuse index"))?;
            if id <= self.loaded_to && self.recent.contains(&id) {
                continue;
            }
            let pdq: Option<Vec<u8>> = row
                .try_get(1)
                .map_err(Error::query("read the reuse index"))?;
            let quality: i64 = row
                .try_get(2)
                .map_err(Error::query("read the reuse index"))?;
            let content: Option<Vec<u8>> = row
                .try_get(3)
                .map_err(Error::query("read the reuse index"))?;
            let words: Option<Vec<u8>> = row
                .try_get(4)
                .map_err(Error::query("read the reuse index"))?;
            self.remember(
                id,
                pdq.as_deref(),
                quality,
                content.as_deref(),
                words.as_deref(),
            );
            added += 1;
        }
        drop(rows);
        self.index.settle();
        self.features.settle();
        let keep_from = self.loaded_to - LATE_COMMIT_WINDOW;
        self.recent = self.recent.split_off(&keep_from);
        Ok(added)
    }

    /// Takes one row into memory: its hash and, for a framed picture, its content hash
    /// (stored only when it has quality enough), both under the row's id, and its
    /// feature words. The buckets are brought up to date by the caller
    /// ([`MultiIndex::settle`], [`FeatureIndex::settle`]).
    fn remember(
        &mut self,
        id: i64,
        pdq: Option<&[u8]>,
        quality: i64,
        content: Option<&[u8]>,
        words: Option<&[u8]>,
    ) {
        if let Some(h) = pdq.and_then(|b| <&[u8; 32]>::try_from(b).ok()) {
            // PDQ advises against matching on low-quality hashes: they are kept in the
            // database (exact copies are still found) but not searched.
            if quality >= MIN_QUALITY as i64 {
                self.index.add_deferred(PdqHash::from_bytes(h), id);
            }
        }
        if let Some(h) = content.and_then(|b| <&[u8; 32]>::try_from(b).ok()) {
            self.index.add_deferred(PdqHash::from_bytes(h), id);
        }
        if let Some(w) = words.filter(|w| !w.is_empty()) {
            self.features
                .add_deferred(id, &feature_index::unpack_words(w));
        }
        self.loaded_to = self.loaded_to.max(id);
        self.recent.insert(id);
    }

    /// Hashes held in memory (quality high enough to search).
    pub fn searchable(&self) -> usize {
        self.index.len()
    }

    /// Bytes the in-memory indexes take (hashes and feature words).
    pub fn memory_bytes(&self) -> usize {
        self.index.memory_bytes() + self.features.memory_bytes()
    }

    /// Pictures whose local features are held in memory (for finding crops).
    pub fn with_features(&self) -> usize {
        self.features.len()
    }

    /// Records a picture; recording the same file for the same source again is a no-op.
    pub async fn add(&mut self, s: &NewSighting<'_>) -> Result<Added, Error> {
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM reuse_sightings WHERE sha256 = $1 AND source = $2 LIMIT 1",
        )
        .bind(s.sha256.to_vec())
        .bind(s.source)
        .fetch_optional(&self.db.pool)
        .await
        .map_err(Error::query("look up a sighting"))?;
        if let Some(id) = existing {
            return Ok(Added::Already(id));
        }
        let pdq = s.fingerprint.map(|f| f.pdq.to_bytes().to_vec());
        let quality = s.fingerprint.map_or(0, |f| f.pdq_quality as i64);
        let content = s
            .fingerprint
            .and_then(|f| f.pdq_content)
            .map(|h| h.to_bytes().to_vec());
        let features = s
            .fingerprint
            .map(|f| f.features())
            .filter(|f| !f.points.is_empty());
        let words = features.map(|f| feature_index::pack_words(&f.words()));
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reuse_sightings \
             (sha256, pdq, pdq_quality, source, location, seen_at, pdq_content, feature_words, features) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(s.sha256.to_vec())
        .bind(pdq.clone())
        .bind(quality)
        .bind(s.source)
        .bind(s.location)
        .bind(s.seen_at_ms)
        .bind(content.clone())
        .bind(words.clone())
        .bind(features.map(Features::to_bytes))
        .fetch_one(&self.db.pool)
        .await
        .map_err(Error::query("record a sighting"))?;
        self.remember(
            id,
            pdq.as_deref(),
            quality,
            content.as_deref(),
            words.as_deref(),
        );
        self.index.settle();
        self.features.settle();
        Ok(Added::New(id))
    }

    /// Earlier sightings of a picture: exact copies by SHA-256, then near copies in any
    /// orientation within `threshold` bits, closest first.
    pub async fn query(
        &self,
        sha256: &[u8; 32],
        fingerprint: Option<&Fingerprint>,
        threshold: u32,
    ) -> Result<Vec<Found>, Error> {
        let exact = sqlx::query(
            "SELECT id, source, location, seen_at FROM reuse_sightings WHERE sha256 = $1 \
             ORDER BY id LIMIT 50",
        )
        .bind(sha256.to_vec())
        .fetch_all(&self.db.pool)
        .await
        .map_err(Error::query("look up exact copies"))?;
        let mut found = Vec::new();
        for row in &exact {
            found.push(found_row(row, 0, Dihedral::Original, true, None)?);
        }
        let Some(fp) = fingerprint else {
            return Ok(found);
        };
        let mut near: Vec<(i64, u32, Dihedral)> = self
            .index
            .near_any(&fp.query_hashes(), threshold)
            .into_iter()
            .filter(|(n, _)| !found.iter().any(|f| f.id == n.key))
            .map(|(n, t)| (n.key, n.distance, t))
            .collect();
        near.truncate(MAX_MATCHES);
        if !near.is_empty() {
            found.extend(self.rows_of(&near).await?);
        }
        let crops = self.crops(fp, &found).await?;
        found.extend(crops);
        Ok(found)
    }

    /// The rows of near matches `(id, distance, orientation)`, in the given order.
    async fn rows_of(&self, near: &[(i64, u32, Dihedral)]) -> Result<Vec<Found>, Error> {
        let placeholders: Vec<String> = (1..=near.len()).map(|k| format!("${k}")).collect();
        let sql = format!(
            "SELECT id, source, location, seen_at FROM reuse_sightings WHERE id IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for n in near {
            q = q.bind(n.0);
        }
        let rows = q
            .fetch_all(&self.db.pool)
            .await
            .map_err(Error::query("read near copies"))?;
        let mut by_id = HashMap::new();
        for row in &rows {
            let id: i64 = row.try_get(0).map_err(Error::query("read near copies"))?;
            by_id.insert(id, row);
        }
        let mut found = Vec::with_capacity(near.len());
        for &(id, d, t) in near {
            if let Some(row) = by_id.get(&id) {
                found.push(found_row(row, d, t, false, None)?);
            }
        }
        Ok(found)
    }

    /// Cropped copies: pictures sharing feature words with the query (in any
    /// orientation) whose stored features line up with it on one scale and shift.
    async fn crops(&self, fp: &Fingerprint, already: &[Found]) -> Result<Vec<Found>, Error> {
        if self.features.is_empty() || fp.features().points.is_empty() {
            return Ok(Vec::new());
        }
        let turned = fp.turned_features();
        let candidates: Vec<(i64, Dihedral, u16)> = self
            .features
            .candidates(&turned, MAX_CROP_CANDIDATES + already.len())
            .into_iter()
            .filter(|(id, _, _)| !already.iter().any(|f| f.id == *id))
            .take(MAX_CROP_CANDIDATES)
            .collect();
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=candidates.len()).map(|k| format!("${k}")).collect();
        let sql = format!(
            "SELECT id, source, location, seen_at, features, pdq FROM reuse_sightings WHERE id IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for c in &candidates {
            q = q.bind(c.0);
        }
        let rows = q
            .fetch_all(&self.db.pool)
            .await
            .map_err(Error::query("read crop candidates"))?;
        let e = Error::query("read a crop candidate");
        let mut by_id = HashMap::new();
        for row in &rows {
            let id: i64 = row.try_get(0).map_err(&e)?;
            by_id.insert(id, row);
        }
        let stored = |id: i64| {
            let blob: Option<Vec<u8>> = by_id.get(&id)?.try_get(4).ok()?;
            Features::from_bytes(&blob?)
        };
        let mut found = Vec::new();
        for (id, t, a) in feature_index::verify(&turned, &candidates, stored) {
            let Some(row) = by_id.get(&id) else { continue };
            let pdq: Option<Vec<u8>> = row.try_get(5).map_err(&e)?;
            let distance = pdq
                .as_deref()
                .and_then(|b| <&[u8; 32]>::try_from(b).ok())
                .map(|b| {
                    fp.variants
                        .iter()
                        .map(|(_, h)| h.distance(&PdqHash::from_bytes(b)))
                        .min()
                        .unwrap_or(256)
                })
                .unwrap_or(256);
            let crop = Crop {
                matching_features: a.inliers,
                coverage: a.coverage,
            };
            found.push(found_row(row, distance, t, false, Some(crop))?);
        }
        Ok(found)
    }

    /// Rows in the table.
    pub async fn count(&self) -> Result<i64, Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM reuse_sightings")
            .fetch_one(&self.db.pool)
            .await
            .map_err(Error::query("count sightings"))
    }
}

/// A [`Found`] from a row of `id, source, location, seen_at`.
fn found_row(
    row: &sqlx::any::AnyRow,
    distance: u32,
    transform: Dihedral,
    exact: bool,
    crop: Option<Crop>,
) -> Result<Found, Error> {
    let e = Error::query("read a sighting");
    Ok(Found {
        id: row.try_get(0).map_err(&e)?,
        source: row.try_get(1).map_err(&e)?,
        location: row.try_get(2).map_err(&e)?,
        seen_at_ms: row.try_get(3).map_err(&e)?,
        distance,
        transform,
        exact,
        crop,
    })
}
