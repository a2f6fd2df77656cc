//! The audit trail: every change and every read of a claim, appended to a log whose
//! entries are chained by SHA-256 (each hash covers the entry and the hash before it).
//! Changing, removing or reordering an entry breaks the chain, and [`AuditLog::verify`]
//! says where. Cutting entries off the end leaves a shorter intact chain, so the head
//! hash is worth copying elsewhere now and then ([`Verified::head`]).

use crate::evidence::to_hex;
use crate::time::now_ms;
use crate::Error;
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// The hash before the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Tries when another process appends at the same moment.
const TRIES: usize = 20;

/// One entry to append.
pub struct Entry<'a> {
    /// Who: `api-key:ID`, `worker:NAME`, `cli`.
    pub actor: &'a str,
    /// What: `claim.create`, `claim.read`, `claims.list`, `claim.screen`.
    pub action: &'a str,
    /// Which claim, if one.
    pub claim_id: Option<&'a str>,
    /// More, as short text or JSON.
    pub detail: &'a str,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// Sequence number.
    pub seq: i64,
    /// When (ms since 1970 UTC).
    pub at: i64,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// Which claim.
    pub claim_id: Option<String>,
    /// More.
    pub detail: String,
}

/// The result of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Entries checked.
    pub entries: i64,
    /// Hash of the last entry (the genesis hash for an empty log).
    pub head: String,
    /// The first problem: `(seq, what is wrong)`.
    pub broken: Option<(i64, String)>,
}

/// The audit log of one database.
#[derive(Clone)]
pub struct AuditLog {
    db: crate::Database,
}

fn entry_hash(
    prev: &str,
    seq: i64,
    at: i64,
    actor: &str,
    action: &str,
    claim: Option<&str>,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &seq.to_string(),
        &at.to_string(),
        actor,
        action,
        claim.unwrap_or(""),
        detail,
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    to_hex(&h.finalize())
}

impl AuditLog {
    /// The log in `db`.
    pub fn new(db: crate::Database) -> AuditLog {
        AuditLog { db }
    }

    /// Appends an entry; returns its sequence number.
    pub async fn append(&self, e: &Entry<'_>) -> Result<i64, Error> {
        let mut last_error = None;
        for attempt in 0..TRIES {
            match self.try_append(e).await {
                Ok(seq) => return Ok(seq),
                // The database was busy: wait a little, read the new head, try again.
                Err(err) => {
                    last_error = Some(err);
                    tokio::time::sleep(std::time::Duration::from_millis(5 << attempt.min(6))).await;
                }
            }
        }
        Err(last_error.unwrap_or(Error::Migrate("audit append".into())))
    }

    async fn try_append(&self, e: &Entry<'_>) -> Result<i64, Error> {
        let mut tx = self
            .db
            .pool
            .begin()
            .await
            .map_err(Error::query("start a transaction"))?;
        let seq = append_in(&mut tx, self.db.backend, e).await?;
        tx.commit()
            .await
            .map_err(Error::query("commit an audit entry"))?;
        Ok(seq)
    }

    /// Entries in order, all or those of one claim.
    pub async fn entries(&self, claim_id: Option<&str>) -> Result<Vec<Recorded>, Error> {
        let columns = "SELECT seq, at, actor, action, claim_id, detail FROM audit_log";
        let query = match claim_id {
            Some(_) => format!("{columns} WHERE claim_id = $1 ORDER BY seq"),
            None => format!("{columns} ORDER BY seq"),
        };
        let mut q = sqlx::query(&query);
        if let Some(id) = claim_id {
            q = q.bind(id);
        }
        let rows = q
            .fetch_all(&self.db.pool)
            .await
            .map_err(Error::query("read the audit trail"))?;
        rows.iter().map(recorded_row).collect()
    }

    /// The latest `limit` entries, newest first.
    pub async fn recent(&self, limit: i64) -> Result<Vec<Recorded>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT seq, at, actor, action, claim_id, detail FROM audit_log ORDER BY seq DESC LIMIT {}",
            limit.clamp(1, 1000)
        ))
        .fetch_all(&self.db.pool)
        .await
        .map_err(Error::query("read the audit trail"))?;
        rows.iter().map(recorded_row).collect()
    }

    /// Walks the whole chain and reports the first entry that does not fit.
    pub async fn verify(&self) -> Result<Verified, Error> {
        let mut rows = sqlx::query("SELECT seq, at, actor, action, claim_id, detail, prev_hash, hash FROM audit_log ORDER BY seq")
            .fetch(&self.db.pool);
        let (mut expected_seq, mut prev, mut entries) = (1i64, GENESIS.to_owned(), 0i64);
        let e = Error::query("read the audit trail");
        while let Some(r) = rows.try_next().await.map_err(&e)? {
            let seq: i64 = r.try_get(0).map_err(&e)?;
            let at: i64 = r.try_get(1).map_err(&e)?;
            let actor: String = r.try_get(2).map_err(&e)?;
            let action: String = r.try_get(3).map_err(&e)?;
            let claim: Option<String> = r.try_get(4).map_err(&e)?;
            let detail: String = r.try_get(5).map_err(&e)?;
            let stored_prev: String = r.try_get(6).map_err(&e)?;
            let hash: String = r.try_get(7).map_err(&e)?;
            let problem = if seq != expected_seq {
                Some(format!(
                    "entry {expected_seq} is missing (the next one is {seq})"
                ))
            } else if stored_prev != prev {
                Some(
                    "it does not follow the entry before it (removed or reordered entries)"
                        .to_owned(),
                )
            } else if entry_hash(&prev, seq, at, &actor, &action, claim.as_deref(), &detail) != hash
            {
                Some("its content was changed after it was written".to_owned())
            } else {
                None
            };
            if let Some(p) = problem {
                return Ok(Verified {
                    entries,
                    head: prev,
                    broken: Some((seq, p)),
                });
            }
            entries += 1;
            expected_seq += 1;
            prev = hash;
        }
        Ok(Verified {
            entries,
            head: prev,
            broken: None,
        })
    }
}

/// Appends an entry inside the caller's transaction, so the entry and the change it
/// records commit together; returns its sequence number.
pub(crate) async fn append_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: crate::Backend,
    e: &Entry<'_>,
) -> Result<i64, Error> {
    // Take the write lock before reading the head, so appenders queue up instead of
    // colliding (SQLite: a write statement; PostgreSQL: a table lock that lets readers
    // through).
    let lock = match backend {
        crate::Backend::Sqlite => "UPDATE audit_log SET seq = seq WHERE seq < 0",
        crate::Backend::Postgres => "LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE",
    };
    sqlx::query(lock)
        .execute(&mut **tx)
        .await
        .map_err(Error::query("lock the audit trail"))?;
    let head = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await
        .map_err(Error::query("read the audit head"))?;
    let e_head = Error::query("read the audit head");
    let (seq, prev) = match head {
        Some(r) => (
            r.try_get::<i64, _>(0).map_err(&e_head)? + 1,
            r.try_get::<String, _>(1).map_err(&e_head)?,
        ),
        None => (1, GENESIS.to_owned()),
    };
    let at = now_ms();
    let hash = entry_hash(&prev, seq, at, e.actor, e.action, e.claim_id, e.detail);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, claim_id, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(seq)
    .bind(at)
    .bind(e.actor)
    .bind(e.action)
    .bind(e.claim_id)
    .bind(e.detail)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut **tx)
    .await
    .map_err(Error::query("append to the audit trail"))?;
    Ok(seq)
}

fn recorded_row(r: &sqlx::any::AnyRow) -> Result<Recorded, Error> {
    let e = Error::query("read the audit trail");
    Ok(Recorded {
        seq: r.try_get(0).map_err(&e)?,
        at: r.try_get(1).map_err(&e)?,
        actor: r.try_get(2).map_err(&e)?,
        action: r.try_get(3).map_err(&e)?,
        claim_id: r.try_get(4).map_err(&e)?,
        detail: r.try_get(5).map_err(&e)?,
    })
}
