//! Many sightings at once, in one transaction: an import of pictures another system
//! already fingerprinted, and the rows behind `proofdesk index bench --load`.

use crate::db::Database;
use crate::Error;
use proofdesk_engine::reuse::keypoints::Features;
use proofdesk_engine::reuse::PdqHash;

/// Rows per INSERT statement (9 values each: within SQLite's 32,766 placeholders).
const ROWS_PER_STATEMENT: usize = 500;

/// One picture's row, with fingerprints computed elsewhere.
pub struct ImportedSighting {
    /// SHA-256 of the file's bytes.
    pub sha256: [u8; 32],
    /// PDQ hash of its pixels, if they could be decoded.
    pub pdq: Option<PdqHash>,
    /// PDQ quality, 0–100.
    pub pdq_quality: u8,
    /// PDQ hash of the picture inside a flat frame, when it has one.
    pub pdq_content: Option<PdqHash>,
    /// Local features, for finding crops.
    pub features: Option<Features>,
    /// The claim, case or file it came with.
    pub source: String,
    /// When it was received, in milliseconds since 1970 (UTC).
    pub seen_at_ms: i64,
}

/// Inserts `rows` in one transaction; returns how many. Processes holding a
/// [`super::ReuseIndex`] see them at their next sync.
pub async fn import(db: &Database, rows: &[ImportedSighting]) -> Result<u64, Error> {
    let mut tx = db.begin_write("start an import").await?;
    for batch in rows.chunks(ROWS_PER_STATEMENT) {
        let values: Vec<String> = (0..batch.len())
            .map(|r| {
                let p: Vec<String> = (1..=9).map(|c| format!("${}", r * 9 + c)).collect();
                format!("({})", p.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO reuse_sightings \
             (sha256, pdq, pdq_quality, source, location, seen_at, pdq_content, feature_words, features) \
             VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for s in batch {
            let features = s.features.as_ref().filter(|f| !f.points.is_empty());
            q = q
                .bind(s.sha256.to_vec())
                .bind(s.pdq.map(|h| h.to_bytes().to_vec()))
                .bind(s.pdq_quality as i64)
                .bind(s.source.clone())
                .bind(None::<String>)
                .bind(s.seen_at_ms)
                .bind(s.pdq_content.map(|h| h.to_bytes().to_vec()))
                .bind(features.map(|f| super::feature_index::pack_words(&f.words())))
                .bind(features.map(Features::to_bytes));
        }
        q.execute(&mut *tx)
            .await
            .map_err(Error::query("import sightings"))?;
    }
    tx.commit()
        .await
        .map_err(Error::query("commit an import"))?;
    if db.backend == crate::db::Backend::Postgres {
        // Fresh statistics, or PostgreSQL may scan the whole table for the few newest
        // rows a sync reads (seen: 210 ms instead of 6 ms at a million rows).
        sqlx::query("ANALYZE reuse_sightings")
            .execute(&db.pool)
            .await
            .map_err(Error::query("analyze the reuse index"))?;
    }
    Ok(rows.len() as u64)
}

/// Rows in the reuse index: all of them, and those whose source does not start with
/// `prefix` (to tell an import's or a benchmark's rows from real pictures).
pub async fn census(db: &Database, prefix: &str) -> Result<(i64, i64), Error> {
    let all: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reuse_sightings")
        .fetch_one(&db.pool)
        .await
        .map_err(Error::query("count sightings"))?;
    let others: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM reuse_sightings WHERE source NOT LIKE $1")
            .bind(format!("{prefix}%"))
            .fetch_one(&db.pool)
            .await
            .map_err(Error::query("count sightings"))?;
    Ok((all, others))
}
