//! The reuse index: every picture seen, in the database, mirrored in memory for search.
//!
//! The database table `reuse_sightings` is the truth that every worker shares. Each
//! process keeps a [`MultiIndex`] of the PDQ hashes in memory, loaded at start and
//! brought up to date with [`ReuseIndex::sync`] (rows other workers added). Exact
//! copies are found by SHA-256 in the database itself.

pub mod multi_index;

use crate::db::Database;
use crate::Error;
use futures_util::TryStreamExt;
pub use multi_index::{MultiIndex, Near};
use proofdesk_engine::reuse::{Dihedral, Fingerprint, PdqHash, MIN_QUALITY};
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};

/// Rows below the newest loaded id that are read again on each sync: a PostgreSQL
/// transaction can commit a lower id after a higher one was already visible.
const LATE_COMMIT_WINDOW: i64 = 1000;
/// Most near matches reported per query.
const MAX_MATCHES: usize = 50;

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
#[derive(Debug, Clone, PartialEq, Eq)]
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
            "SELECT id, pdq, pdq_quality, pdq_content FROM reuse_sightings WHERE id > $1 ORDER BY id",
        )
        .bind(from)
        .fetch(&self.db.pool);
        let mut added = 0;
        while let Some(row) = rows.try_next().await.map_err(Error::query("load the reuse index"))? {
            let id: i64 = row.try_get(0).map_err(Error::query("read the reuse index"))?;
            if id <= self.loaded_to && self.recent.contains(&id) {
                continue;
            }
            let pdq: Option<Vec<u8>> = row.try_get(1).map_err(Error::query("read the reuse index"))?;
            let quality: i64 = row.try_get(2).map_err(Error::query("read the reuse index"))?;
            let content: Option<Vec<u8>> = row.try_get(3).map_err(Error::query("read the reuse index"))?;
            self.remember(id, pdq.as_deref(), quality, content.as_deref());
            added += 1;
        }
        drop(rows);
        self.index.settle();
        let keep_from = self.loaded_to - LATE_COMMIT_WINDOW;
        self.recent = self.recent.split_off(&keep_from);
        Ok(added)
    }

    /// Takes one row into memory: its hash and, for a framed picture, its content hash
    /// (stored only when it has quality enough), both under the row's id. The buckets
    /// are brought up to date by the caller ([`MultiIndex::settle`]).
    fn remember(&mut self, id: i64, pdq: Option<&[u8]>, quality: i64, content: Option<&[u8]>) {
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
        self.loaded_to = self.loaded_to.max(id);
        self.recent.insert(id);
    }

    /// Hashes held in memory (quality high enough to search).
    pub fn searchable(&self) -> usize {
        self.index.len()
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
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reuse_sightings (sha256, pdq, pdq_quality, source, location, seen_at, pdq_content) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(s.sha256.to_vec())
        .bind(pdq.clone())
        .bind(quality)
        .bind(s.source)
        .bind(s.location)
        .bind(s.seen_at_ms)
        .bind(content.clone())
        .fetch_one(&self.db.pool)
        .await
        .map_err(Error::query("record a sighting"))?;
        self.remember(id, pdq.as_deref(), quality, content.as_deref());
        self.index.settle();
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
            found.push(found_row(row, 0, Dihedral::Original, true)?);
        }
        let Some(fp) = fingerprint.filter(|f| f.pdq_quality >= MIN_QUALITY || f.pdq_content.is_some()) else {
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
        if near.is_empty() {
            return Ok(found);
        }
        let placeholders: Vec<String> = (1..=near.len()).map(|k| format!("${k}")).collect();
        let sql = format!(
            "SELECT id, source, location, seen_at FROM reuse_sightings WHERE id IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for n in &near {
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
        for (id, d, t) in near {
            if let Some(row) = by_id.get(&id) {
                found.push(found_row(row, d, t, false)?);
            }
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
    })
}
