//! Applying retention: legal holds, deleting a decided claim's evidence files (their
//! blobs, reuse-index sightings and metadata-bearing reports, keeping the verdict) and
//! replacing its context with a pseudonymised one, each with an audit entry.

use crate::evidence::{same_place_sql, BlobRef};
use crate::time::now_ms;
use crate::Error;
use sqlx::Row;

/// What retention needs to know of a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAge {
    /// Id.
    pub id: String,
    /// Client.
    pub client: Option<String>,
    /// Received (ms).
    pub received_at: i64,
    /// Approved or rejected (ms), if it was.
    pub decided_at: Option<i64>,
    /// Why it is on legal hold, if it is.
    pub legal_hold: Option<String>,
    /// Evidence deleted (ms).
    pub evidence_purged_at: Option<i64>,
    /// Context pseudonymised (ms).
    pub pseudonymised_at: Option<i64>,
    /// The context JSON.
    pub context_json: String,
}

/// Retention in one database.
#[derive(Clone)]
pub struct RetentionStore {
    db: crate::Database,
}

impl RetentionStore {
    /// Retention in `db`.
    pub fn new(db: crate::Database) -> RetentionStore {
        RetentionStore { db }
    }

    /// Every claim's retention facts, oldest first.
    pub async fn ages(&self) -> Result<Vec<StoredAge>, Error> {
        let rows = sqlx::query(
            "SELECT id, client, created_at, CASE WHEN decision IN ('approve', 'reject') THEN decided_at END, legal_hold, \
             evidence_purged_at, pseudonymised_at, context FROM claims ORDER BY created_at, id",
        )
        .fetch_all(&self.db.pool)
        .await
        .map_err(Error::query("read claims for retention"))?;
        let e = Error::query("read claims for retention");
        rows.iter()
            .map(|r| {
                Ok(StoredAge {
                    id: r.try_get(0).map_err(&e)?,
                    client: r.try_get(1).map_err(&e)?,
                    received_at: r.try_get(2).map_err(&e)?,
                    decided_at: r.try_get(3).map_err(&e)?,
                    legal_hold: r.try_get(4).map_err(&e)?,
                    evidence_purged_at: r.try_get(5).map_err(&e)?,
                    pseudonymised_at: r.try_get(6).map_err(&e)?,
                    context_json: r.try_get(7).map_err(&e)?,
                })
            })
            .collect()
    }

    /// Puts a claim on legal hold (`Some(reason)`) or lifts it (`None`); whether the claim exists.
    pub async fn hold(&self, claim_id: &str, reason: Option<&str>, actor: &str) -> Result<bool, Error> {
        let mut tx = self.db.begin_write("start a transaction").await?;
        let n = sqlx::query("UPDATE claims SET legal_hold = $2 WHERE id = $1")
            .bind(claim_id)
            .bind(reason)
            .execute(&mut *tx)
            .await
            .map_err(Error::query("set a legal hold"))?
            .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        let (action, detail) = match reason {
            Some(r) => ("retention.hold", format!("legal hold: {r}")),
            None => ("retention.release", "legal hold lifted".to_owned()),
        };
        let entry = crate::audit::Entry { actor, action, claim_id: Some(claim_id), detail: &detail };
        crate::audit::append_in(&mut tx, self.db.backend, &entry).await?;
        tx.commit().await.map_err(Error::query("commit a legal hold"))?;
        Ok(true)
    }

    /// Deletes a claim's evidence from the database: each report is cut down to its
    /// verdict and reasons, the camera serial and the reuse sightings go; returns the
    /// blobs no other claim still holds (the caller deletes them from the store).
    /// Refuses (empty, nothing done) a claim on hold.
    pub async fn purge_evidence(&self, claim_id: &str, actor: &str) -> Result<Option<Vec<BlobRef>>, Error> {
        let now = now_ms();
        let mut tx = self.db.begin_write("start a transaction").await?;
        let n = sqlx::query("UPDATE claims SET evidence_purged_at = $2 WHERE id = $1 AND legal_hold IS NULL AND evidence_purged_at IS NULL")
            .bind(claim_id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(Error::query("mark evidence deleted"))?
            .rows_affected();
        if n == 0 {
            return Ok(None);
        }
        let rows = sqlx::query("SELECT position, sha256, report, key_id FROM claim_evidence WHERE claim_id = $1")
            .bind(claim_id)
            .fetch_all(&mut *tx)
            .await
            .map_err(Error::query("read evidence to delete"))?;
        let e = Error::query("read evidence to delete");
        let mut blobs = Vec::new();
        for r in &rows {
            let position: i64 = r.try_get(0).map_err(&e)?;
            let sha: String = r.try_get(1).map_err(&e)?;
            let report: Option<String> = r.try_get(2).map_err(&e)?;
            let kept = report.as_deref().and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok()).map(|v| {
                serde_json::json!({"verdict": v.get("verdict"), "reasons": v.get("reasons"), "format": v.get("format"), "purged_at": now}).to_string()
            });
            sqlx::query("UPDATE claim_evidence SET report = $3, camera_serial = NULL WHERE claim_id = $1 AND position = $2")
                .bind(claim_id)
                .bind(position)
                .bind(kept)
                .execute(&mut *tx)
                .await
                .map_err(Error::query("cut a report down"))?;
            blobs.push(BlobRef { sha256: sha, key_id: r.try_get(3).map_err(&e)? });
        }
        let sightings = sqlx::query("DELETE FROM reuse_sightings WHERE source = $1")
            .bind(claim_id)
            .execute(&mut *tx)
            .await
            .map_err(Error::query("delete reuse sightings"))?
            .rows_affected();
        let sightings = sightings
            + sqlx::query("DELETE FROM receipt_sales WHERE source = $1")
                .bind(claim_id)
                .execute(&mut *tx)
                .await
                .map_err(Error::query("delete receipt sales"))?
                .rows_affected();
        blobs.sort();
        blobs.dedup();
        let mut orphaned = Vec::new();
        for blob in blobs {
            let (place, bind) = same_place_sql(&blob.key_id, 3);
            let sql = format!(
                "SELECT COUNT(*) FROM claim_evidence e JOIN claims c ON c.id = e.claim_id \
                 WHERE e.sha256 = $1 AND c.id <> $2 AND c.evidence_purged_at IS NULL AND {place}"
            );
            let mut q = sqlx::query_scalar(&sql).bind(&blob.sha256).bind(claim_id);
            if bind {
                q = q.bind(&blob.key_id);
            }
            let others: i64 = q.fetch_one(&mut *tx).await.map_err(Error::query("check a blob's other uses"))?;
            if others == 0 {
                orphaned.push(blob);
            }
        }
        let detail = format!("evidence deleted: {} files, {} reuse-index entries", rows.len(), sightings);
        let entry = crate::audit::Entry { actor, action: "retention.evidence", claim_id: Some(claim_id), detail: &detail };
        crate::audit::append_in(&mut tx, self.db.backend, &entry).await?;
        tx.commit().await.map_err(Error::query("commit an evidence deletion"))?;
        Ok(Some(orphaned))
    }

    /// Replaces a claim's context, customer id and reference with pseudonymised ones.
    pub async fn pseudonymise(&self, claim_id: &str, context_json: &str, customer_id: &str, external_ref: &str, actor: &str) -> Result<bool, Error> {
        let mut tx = self.db.begin_write("start a transaction").await?;
        let n = sqlx::query(
            "UPDATE claims SET context = $2, customer_id = $3, external_ref = $4, pseudonymised_at = $5 \
             WHERE id = $1 AND legal_hold IS NULL AND pseudonymised_at IS NULL",
        )
        .bind(claim_id)
        .bind(context_json)
        .bind(customer_id)
        .bind(external_ref)
        .bind(now_ms())
        .execute(&mut *tx)
        .await
        .map_err(Error::query("pseudonymise a claim"))?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        let entry = crate::audit::Entry { actor, action: "retention.pseudonymise", claim_id: Some(claim_id), detail: "context pseudonymised" };
        crate::audit::append_in(&mut tx, self.db.backend, &entry).await?;
        tx.commit().await.map_err(Error::query("commit a pseudonymisation"))?;
        Ok(true)
    }
}
