//! Everything held about one customer, found and erased: their claims with the
//! evidence rows, decisions, evidence requests, jobs and reuse-index sightings, and the
//! relations people declared with them. The audit trail is kept: it holds claim ids,
//! actions and hashes, not the personal data itself, and still verifies afterwards;
//! the erasure itself is recorded with a hash of the customer id.

use crate::evidence::{same_place_sql, to_hex, BlobRef};
use crate::Error;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// What an erasure removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erased {
    /// Claims removed.
    pub claims: usize,
    /// Evidence file rows removed.
    pub files: usize,
    /// Decisions removed.
    pub decisions: usize,
    /// Evidence requests removed.
    pub requests: usize,
    /// Reuse-index sightings removed.
    pub sightings: usize,
    /// Evidence blobs no claim refers to any more: the caller deletes them from the store.
    pub orphaned_blobs: Vec<BlobRef>,
}

/// Customers' data in one database.
#[derive(Clone)]
pub struct Subjects {
    db: crate::Database,
}

impl Subjects {
    /// Subjects in `db`.
    pub fn new(db: crate::Database) -> Subjects {
        Subjects { db }
    }

    /// The ids of a customer's claims, oldest first.
    pub async fn claims_of(&self, customer_id: &str) -> Result<Vec<String>, Error> {
        let rows = sqlx::query("SELECT id FROM claims WHERE customer_id = $1 ORDER BY created_at, id")
            .bind(customer_id)
            .fetch_all(&self.db.pool)
            .await
            .map_err(Error::query("list a customer's claims"))?;
        let e = Error::query("list a customer's claims");
        rows.iter().map(|r| r.try_get(0).map_err(&e)).collect()
    }

    /// Erases a customer's claims and everything attached to them in one transaction,
    /// with the audit entry (`subject.erase`, the customer id only as a SHA-256).
    pub async fn erase(&self, customer_id: &str, actor: &str) -> Result<Erased, Error> {
        let claims = self.claims_of(customer_id).await?;
        let mut tx = self.db.begin_write("start a transaction").await?;
        let mut out = Erased { claims: claims.len(), ..Erased::default() };
        let mut blobs = Vec::new();
        for id in &claims {
            let rows = sqlx::query("SELECT sha256, key_id FROM claim_evidence WHERE claim_id = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await
                .map_err(Error::query("read evidence to erase"))?;
            let e = Error::query("read evidence to erase");
            for r in &rows {
                blobs.push(BlobRef { sha256: r.try_get(0).map_err(&e)?, key_id: r.try_get(1).map_err(&e)? });
            }
            let n = |r: sqlx::any::AnyQueryResult| r.rows_affected() as usize;
            let run = |sql: &'static str| sqlx::query(sql).bind(id.clone());
            out.files += n(run("DELETE FROM claim_evidence WHERE claim_id = $1").execute(&mut *tx).await.map_err(Error::query("erase evidence rows"))?);
            out.decisions += n(run("DELETE FROM decisions WHERE claim_id = $1").execute(&mut *tx).await.map_err(Error::query("erase decisions"))?);
            out.requests += n(run("DELETE FROM evidence_requests WHERE claim_id = $1").execute(&mut *tx).await.map_err(Error::query("erase evidence requests"))?);
            out.sightings += n(run("DELETE FROM reuse_sightings WHERE source = $1").execute(&mut *tx).await.map_err(Error::query("erase reuse sightings"))?);
            out.sightings += n(run("DELETE FROM receipt_sales WHERE source = $1").execute(&mut *tx).await.map_err(Error::query("erase receipt sales"))?);
            run("DELETE FROM jobs WHERE claim_id = $1").execute(&mut *tx).await.map_err(Error::query("erase jobs"))?;
            run("DELETE FROM claims WHERE id = $1").execute(&mut *tx).await.map_err(Error::query("erase a claim"))?;
        }
        sqlx::query("DELETE FROM user_related_customers WHERE customer_id = $1")
            .bind(customer_id)
            .execute(&mut *tx)
            .await
            .map_err(Error::query("erase declared relations"))?;
        blobs.sort();
        blobs.dedup();
        for blob in blobs {
            let (place, bind) = same_place_sql(&blob.key_id, 2);
            let sql = format!("SELECT COUNT(*) FROM claim_evidence e WHERE e.sha256 = $1 AND {place}");
            let mut q = sqlx::query_scalar(&sql).bind(&blob.sha256);
            if bind {
                q = q.bind(&blob.key_id);
            }
            let still: i64 = q.fetch_one(&mut *tx).await.map_err(Error::query("check a blob's other uses"))?;
            if still == 0 {
                out.orphaned_blobs.push(blob);
            }
        }
        let detail = format!(
            "customer sha256 {}: {} claims, {} files, {} decisions, {} requests, {} sightings",
            to_hex(&Sha256::digest(customer_id.as_bytes())),
            out.claims,
            out.files,
            out.decisions,
            out.requests,
            out.sightings
        );
        let entry = crate::audit::Entry { actor, action: "subject.erase", claim_id: None, detail: &detail };
        crate::audit::append_in(&mut tx, self.db.backend, &entry).await?;
        tx.commit().await.map_err(Error::query("commit an erasure"))?;
        Ok(out)
    }
}
