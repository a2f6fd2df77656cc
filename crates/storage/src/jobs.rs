//! The durable job queue, in the database. A worker takes a job under a lease
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite serialises writers itself); a job
//! whose worker died is taken over when its lease runs out. Finishing is fenced: only
//! the lease holder can record results, in the same transaction that marks the job
//! done and writes the audit entry, so a claim is never screened twice into the
//! record nor left unscreened, and every recorded screening is in the audit trail.

use crate::db::Backend;
use crate::time::now_ms;
use crate::Error;
use sqlx::Row;

/// Attempts before a job is given up (the claim is then `failed`, for a person).
pub const MAX_ATTEMPTS: i64 = 5;

/// A job a worker holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Job id.
    pub id: i64,
    /// The claim it screens.
    pub claim_id: String,
    /// This is attempt number (1 for the first).
    pub attempt: i64,
    /// What to do: `screen` the claim, or deliver its `webhook`.
    pub kind: String,
}

/// One screened evidence file.
pub struct ScreenedFile {
    /// Its position in the claim.
    pub position: i64,
    /// The report JSON.
    pub report_json: String,
    /// The camera serial number it records, if any.
    pub camera_serial: Option<String>,
}

/// What a screening produced, recorded with [`Queue::complete`].
pub struct Screened<'a> {
    /// The screened files.
    pub reports: Vec<ScreenedFile>,
    /// Score.
    pub score: f64,
    /// Band.
    pub band: &'a str,
    /// Routing JSON.
    pub routing_json: String,
    /// Queue a webhook delivery for the claim, in the same transaction.
    pub notify: bool,
    /// The detail of the `claim.screen` audit entry, written in the same transaction
    /// (actor `worker:<id>`), so a worker that dies after recording leaves no
    /// screening out of the trail.
    pub audit_detail: String,
}

/// The job queue of one database, as one worker sees it.
#[derive(Clone)]
pub struct Queue {
    db: crate::Database,
    worker: String,
    lease_ms: i64,
}

impl Queue {
    /// The queue in `db` for worker `worker`, holding jobs for `lease_ms` at a time.
    pub fn new(db: crate::Database, worker: &str, lease_ms: i64) -> Queue {
        Queue {
            db,
            worker: worker.to_owned(),
            lease_ms: lease_ms.max(1000),
        }
    }

    /// This worker's name.
    pub fn worker(&self) -> &str {
        &self.worker
    }

    /// Takes the oldest job that is due, or whose lease ran out; marks its claim
    /// `screening`.
    pub async fn take(&self) -> Result<Option<Job>, Error> {
        let now = now_ms();
        let lock = if self.db.backend == Backend::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE jobs SET state = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1, updated_at = $3 \
             WHERE id = (SELECT id FROM jobs WHERE (state = 'queued' AND run_after <= $3) \
                         OR (state = 'running' AND locked_until < $3) ORDER BY id LIMIT 1{lock}) \
             RETURNING id, claim_id, attempts, kind"
        );
        let mut tx = self
            .db.begin_write("start a transaction").await?;
        let row = sqlx::query(&sql)
            .bind(&self.worker)
            .bind(now + self.lease_ms)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await
            .map_err(Error::query("take a job"))?;
        let Some(row) = row else {
            tx.commit()
                .await
                .map_err(Error::query("end a transaction"))?;
            return Ok(None);
        };
        let e = Error::query("read a job");
        let job = Job {
            id: row.try_get(0).map_err(&e)?,
            claim_id: row.try_get(1).map_err(&e)?,
            attempt: row.try_get(2).map_err(&e)?,
            kind: row.try_get(3).map_err(&e)?,
        };
        if job.kind == "screen" {
            sqlx::query("UPDATE claims SET status = 'screening', updated_at = $2 WHERE id = $1 AND status <> 'screened'")
                .bind(&job.claim_id)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(Error::query("mark a claim screening"))?;
        }
        tx.commit().await.map_err(Error::query("commit a job"))?;
        Ok(Some(job))
    }

    /// Records a job's results and marks it done; `false` when this worker no longer
    /// holds the job (its lease ran out and another took it), and nothing was written.
    pub async fn complete(&self, job: &Job, s: &Screened<'_>) -> Result<bool, Error> {
        let now = now_ms();
        let mut tx = self
            .db.begin_write("start a transaction").await?;
        let held = sqlx::query("UPDATE jobs SET state = 'done', locked_until = NULL, updated_at = $3 WHERE id = $1 AND locked_by = $2 AND state = 'running'")
            .bind(job.id)
            .bind(&self.worker)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(Error::query("finish a job"))?
            .rows_affected();
        if held != 1 {
            tx.rollback().await.map_err(Error::query("roll back"))?;
            return Ok(false);
        }
        for f in &s.reports {
            sqlx::query("UPDATE claim_evidence SET report = $3, camera_serial = $4 WHERE claim_id = $1 AND position = $2")
                .bind(&job.claim_id)
                .bind(f.position)
                .bind(&f.report_json)
                .bind(f.camera_serial.as_deref())
                .execute(&mut *tx)
                .await
                .map_err(Error::query("record a report"))?;
        }
        sqlx::query("UPDATE claims SET status = 'screened', score = $2, band = $3, routing = $4, updated_at = $5 WHERE id = $1")
            .bind(&job.claim_id)
            .bind(s.score)
            .bind(s.band)
            .bind(&s.routing_json)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(Error::query("record a routing"))?;
        if s.notify {
            sqlx::query(
                "INSERT INTO jobs (claim_id, kind, state, attempts, run_after, created_at, updated_at) \
                 VALUES ($1, 'webhook', 'queued', 0, $2, $2, $2)",
            )
            .bind(&job.claim_id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(Error::query("queue a webhook"))?;
        }
        let actor = format!("worker:{}", self.worker);
        let entry = crate::audit::Entry {
            actor: &actor,
            action: "claim.screen",
            claim_id: Some(&job.claim_id),
            detail: &s.audit_detail,
        };
        crate::audit::append_in(&mut tx, self.db.backend, &entry).await?;
        tx.commit().await.map_err(Error::query("commit results"))?;
        Ok(true)
    }

    /// Marks a job that records nothing else (a webhook delivery) done; `false` when
    /// this worker no longer holds it.
    pub async fn finish(&self, job: &Job) -> Result<bool, Error> {
        let n = sqlx::query(
            "UPDATE jobs SET state = 'done', locked_until = NULL, updated_at = $3 WHERE id = $1 AND locked_by = $2 AND state = 'running'",
        )
        .bind(job.id)
        .bind(&self.worker)
        .bind(now_ms())
        .execute(&self.db.pool)
        .await
        .map_err(Error::query("finish a job"))?
        .rows_affected();
        Ok(n == 1)
    }

    /// Gives a job back after an error: queued again after a backoff (2, 4, 8 … s),
    /// or, after [`MAX_ATTEMPTS`], failed with its claim marked `failed`.
    pub async fn fail(&self, job: &Job, error: &str) -> Result<(), Error> {
        let now = now_ms();
        let give_up = job.attempt >= MAX_ATTEMPTS;
        let state = if give_up { "failed" } else { "queued" };
        let backoff = 1000i64 << job.attempt.clamp(1, 8);
        let mut tx = self
            .db.begin_write("start a transaction").await?;
        let held = sqlx::query(
            "UPDATE jobs SET state = $3, run_after = $4, locked_by = NULL, locked_until = NULL, last_error = $5, updated_at = $6 \
             WHERE id = $1 AND locked_by = $2 AND state = 'running'",
        )
        .bind(job.id)
        .bind(&self.worker)
        .bind(state)
        .bind(now + backoff)
        .bind(error)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(Error::query("give a job back"))?
        .rows_affected();
        if held == 1 && give_up && job.kind == "screen" {
            sqlx::query("UPDATE claims SET status = 'failed', updated_at = $2 WHERE id = $1")
                .bind(&job.claim_id)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(Error::query("mark a claim failed"))?;
        }
        tx.commit().await.map_err(Error::query("commit"))
    }

    /// Jobs per state, for health reports.
    pub async fn counts(&self) -> Result<Vec<(String, i64)>, Error> {
        let rows = sqlx::query("SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state")
            .fetch_all(&self.db.pool)
            .await
            .map_err(Error::query("count jobs"))?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0).map_err(Error::query("count jobs"))?,
                    r.try_get(1).map_err(Error::query("count jobs"))?,
                ))
            })
            .collect()
    }
}
