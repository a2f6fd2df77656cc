//! The audit trail: every change and every read of a claim, appended to a log whose
//! entries are chained by SHA-256 (each hash covers the entry and the hash before it).
//! Changing, removing or reordering an entry breaks the chain, and [`AuditLog::verify`]
//! says where. Cutting entries off the end leaves a shorter intact chain, so the head
//! hash is worth copying elsewhere now and then ([`Verified::head`]).
//!
//! Retention prunes the oldest entries ([`AuditLog::prune_before`]): it keeps a
//! checkpoint (the last pruned entry's number and hash) and appends an `audit.prune`
//! entry naming it, so the rest of the chain still verifies, and entries removed from
//! the start without such an entry are reported.

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
    /// Entries up to this number were pruned by retention (the chain starts after it).
    pub pruned_through: Option<i64>,
}

/// What one pruning removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pruned {
    /// Entries removed.
    pub entries: i64,
    /// The last one removed.
    pub through: i64,
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
            .db.begin_write("start a transaction").await?;
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

    /// Removes the entries written before `cutoff_ms` (ms since 1970 UTC) from the start
    /// of the chain, keeping a checkpoint and recording an `audit.prune` entry; `None`
    /// when none is that old.
    pub async fn prune_before(&self, cutoff_ms: i64, actor: &str) -> Result<Option<Pruned>, Error> {
        let mut tx = self.db.begin_write("start a transaction").await?;
        lock(&mut tx, self.db.backend).await?;
        let e = Error::query("find old audit entries");
        let through: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM audit_log WHERE at < $1")
            .bind(cutoff_ms)
            .fetch_one(&mut *tx)
            .await
            .map_err(&e)?;
        let Some(through) = through else { return Ok(None) };
        let row = sqlx::query("SELECT hash FROM audit_log WHERE seq = $1").bind(through).fetch_one(&mut *tx).await.map_err(&e)?;
        let hash: String = row.try_get(0).map_err(&e)?;
        let entries = sqlx::query("DELETE FROM audit_log WHERE seq <= $1")
            .bind(through)
            .execute(&mut *tx)
            .await
            .map_err(Error::query("prune the audit trail"))?
            .rows_affected() as i64;
        sqlx::query("INSERT INTO audit_checkpoints (seq, hash, at, entries) VALUES ($1, $2, $3, $4)")
            .bind(through)
            .bind(&hash)
            .bind(now_ms())
            .bind(entries)
            .execute(&mut *tx)
            .await
            .map_err(Error::query("record an audit checkpoint"))?;
        let detail = prune_detail(entries, through, &hash);
        append_in(&mut tx, self.db.backend, &Entry { actor, action: "audit.prune", claim_id: None, detail: &detail }).await?;
        tx.commit().await.map_err(Error::query("commit an audit pruning"))?;
        Ok(Some(Pruned { entries, through }))
    }

    /// How many entries were written before `cutoff_ms` (what a pruning would remove).
    pub async fn count_before(&self, cutoff_ms: i64) -> Result<i64, Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE at < $1")
            .bind(cutoff_ms)
            .fetch_one(&self.db.pool)
            .await
            .map_err(Error::query("count old audit entries"))
    }

    /// Walks the whole chain, from the latest pruning checkpoint if there is one, and
    /// reports the first entry that does not fit.
    pub async fn verify(&self) -> Result<Verified, Error> {
        let e = Error::query("read the audit trail");
        let checkpoint = latest_checkpoint(&self.db.pool).await?;
        let pruned_through = checkpoint.as_ref().map(|c| c.0);
        let (mut expected_seq, mut prev) = match &checkpoint {
            Some((seq, hash)) => (seq + 1, hash.clone()),
            None => (1i64, GENESIS.to_owned()),
        };
        // The pruning must itself be recorded in the chain, or the checkpoint was made up.
        let expected_note = checkpoint.as_ref().map(|(seq, hash)| format!("through {seq} (hash {hash})"));
        let mut note_seen = expected_note.is_none();
        let mut entries = 0i64;
        let mut rows = sqlx::query("SELECT seq, at, actor, action, claim_id, detail, prev_hash, hash FROM audit_log ORDER BY seq")
            .fetch(&self.db.pool);
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
                return Ok(Verified { entries, head: prev, broken: Some((seq, p)), pruned_through });
            }
            if action == "audit.prune" && expected_note.as_ref().is_some_and(|n| detail.contains(n.as_str())) {
                note_seen = true;
            }
            entries += 1;
            expected_seq += 1;
            prev = hash;
        }
        if let (false, Some(through)) = (note_seen, pruned_through) {
            return Ok(Verified {
                entries,
                head: prev,
                broken: Some((through, format!("entries up to {through} are gone without a recorded pruning"))),
                pruned_through,
            });
        }
        Ok(Verified { entries, head: prev, broken: None, pruned_through })
    }
}

/// The latest pruning checkpoint: the last pruned entry's number and hash.
async fn latest_checkpoint<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(on: E) -> Result<Option<(i64, String)>, Error> {
    let e = Error::query("read the audit checkpoint");
    let row = sqlx::query("SELECT seq, hash FROM audit_checkpoints ORDER BY seq DESC LIMIT 1").fetch_optional(on).await.map_err(&e)?;
    row.map(|r| Ok((r.try_get(0).map_err(&e)?, r.try_get(1).map_err(&e)?))).transpose()
}

/// The detail of an `audit.prune` entry.
fn prune_detail(entries: i64, through: i64, hash: &str) -> String {
    format!("{entries} entries pruned, through {through} (hash {hash}); the chain continues from that hash")
}

/// Takes the audit trail's write lock (SQLite: a write statement; PostgreSQL: a table
/// lock that lets readers through), so appenders queue up instead of colliding.
async fn lock(tx: &mut sqlx::Transaction<'_, sqlx::Any>, backend: crate::Backend) -> Result<(), Error> {
    let lock = match backend {
        crate::Backend::Sqlite => "UPDATE audit_log SET seq = seq WHERE seq < 0",
        crate::Backend::Postgres => "LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE",
    };
    sqlx::query(lock)
        .execute(&mut **tx)
        .await
        .map_err(Error::query("lock the audit trail"))?;
    Ok(())
}

/// Appends an entry inside the caller's transaction, so the entry and the change it
/// records commit together; returns its sequence number.
pub(crate) async fn append_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: crate::Backend,
    e: &Entry<'_>,
) -> Result<i64, Error> {
    // Take the write lock before reading the head.
    lock(tx, backend).await?;
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
        // Empty: the first entry, or the first after a pruning removed all of them.
        None => match latest_checkpoint(&mut **tx).await? {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, GENESIS.to_owned()),
        },
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

#[cfg(test)]
mod tests {
    use super::*;

    async fn log_in(dir: &std::path::Path) -> AuditLog {
        let url = format!("sqlite://{}?mode=rwc", dir.join("a.sqlite").display());
        AuditLog::new(crate::Database::connect(&url).await.unwrap())
    }

    async fn add(log: &AuditLog, n: usize) {
        for k in 0..n {
            let detail = format!("entry {k}");
            log.append(&Entry { actor: "cli", action: "claim.read", claim_id: Some("clm_1"), detail: &detail }).await.unwrap();
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pruning_the_oldest_entries_keeps_the_rest_verifiable_and_a_silent_cut_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let log = log_in(dir.path()).await;
        add(&log, 3).await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let cutoff = now_ms();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        add(&log, 2).await;
        assert_eq!(log.count_before(cutoff).await.unwrap(), 3);
        let pruned = log.prune_before(cutoff, "retention").await.unwrap().unwrap();
        assert_eq!(pruned, Pruned { entries: 3, through: 3 });
        assert_eq!(log.prune_before(cutoff, "retention").await.unwrap(), None, "nothing older left");
        let v = log.verify().await.unwrap();
        assert_eq!((v.entries, v.broken.clone(), v.pruned_through), (3, None, Some(3)), "{v:?}");
        let seqs: Vec<i64> = log.entries(None).await.unwrap().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [4, 5, 6], "entry 6 records the pruning");
        add(&log, 1).await;
        assert!(log.verify().await.unwrap().broken.is_none());

        // Everything pruned: the next entry still follows the checkpoint.
        let later = now_ms() + 1;
        assert_eq!(log.prune_before(later, "retention").await.unwrap().unwrap().through, 7);
        let v = log.verify().await.unwrap();
        assert_eq!((v.entries, v.broken.is_none(), v.pruned_through), (1, true, Some(7)), "{v:?}");

        // Cutting entries off the start and writing a checkpoint by hand is caught: no
        // recorded pruning names it.
        let db = &log.db.pool;
        add(&log, 2).await;
        let row = sqlx::query("SELECT hash FROM audit_log WHERE seq = 9").fetch_one(db).await.unwrap();
        let hash: String = row.try_get(0).unwrap();
        sqlx::query("DELETE FROM audit_log WHERE seq <= 9").execute(db).await.unwrap();
        sqlx::query("INSERT INTO audit_checkpoints (seq, hash, at, entries) VALUES (9, $1, 0, 2)").bind(&hash).execute(db).await.unwrap();
        let v = log.verify().await.unwrap();
        assert!(v.broken.as_ref().is_some_and(|(_, why)| why.contains("without a recorded pruning")), "{v:?}");
    }
}
