//! Claims in the database: received with their evidence and a screening job in one
//! transaction (so an accepted claim is never lost), idempotent by the client's key,
//! read back with their results, listed and filtered.

use crate::time::now_ms;
use crate::Error;
use sqlx::Row;

/// A claim to record.
pub struct NewClaim<'a> {
    /// Its id.
    pub id: &'a str,
    /// The client's `Idempotency-Key`, if any.
    pub idempotency_key: Option<&'a str>,
    /// SHA-256 of the request (context and files), to tell a retry from a reused key.
    pub request_sha256: &'a str,
    /// The integrator's reference.
    pub external_ref: &'a str,
    /// Pseudonymous customer id.
    pub customer_id: &'a str,
    /// The client (brand) the claim is for, if the context names one.
    pub client: Option<&'a str>,
    /// The whole context as JSON.
    pub context_json: &'a str,
    /// Who submits it, for the audit trail (`api-key:ID`).
    pub actor: &'a str,
}

/// One evidence file of a new claim, already in the evidence store.
pub struct NewEvidence<'a> {
    /// File name the client gave.
    pub filename: Option<&'a str>,
    /// Media type the client gave.
    pub media_type: Option<&'a str>,
    /// Address in the evidence store.
    pub sha256: &'a str,
    /// Size in bytes.
    pub size: usize,
    /// Evidence key id.
    pub key_id: &'a str,
}

/// What [`Claims::create`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// Recorded under this id.
    New(String),
    /// The same request was recorded before, under this id.
    Existing(String),
    /// The idempotency key was used before for a different request.
    KeyConflict(String),
}

/// A claim as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimRecord {
    /// Id.
    pub id: String,
    /// The integrator's reference.
    pub external_ref: String,
    /// Pseudonymous customer id.
    pub customer_id: String,
    /// Context JSON.
    pub context_json: String,
    /// received, screening, screened or failed.
    pub status: String,
    /// Score, once screened.
    pub score: Option<f64>,
    /// Band, once screened.
    pub band: Option<String>,
    /// Routing JSON (score, band, reasons), once screened.
    pub routing_json: Option<String>,
    /// Received (ms since 1970 UTC).
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
    /// A person's latest decision (approve, reject, request_evidence, escalate).
    pub decision: Option<String>,
    /// When it was made.
    pub decided_at: Option<i64>,
    /// Who submitted it (`api-key:ID`, `user:ID`).
    pub submitted_by: Option<String>,
    /// The client (brand) it is for.
    pub client: Option<String>,
    /// The user id of the person who took it into their own queue.
    pub assigned_to: Option<String>,
}

/// An evidence file as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceRecord {
    /// Position in the claim (0-based).
    pub position: i64,
    /// File name the client gave.
    pub filename: Option<String>,
    /// Media type the client gave.
    pub media_type: Option<String>,
    /// Address in the evidence store.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// Evidence key id.
    pub key_id: String,
    /// Screening report JSON, once screened.
    pub report_json: Option<String>,
    /// The evidence request it answered, for a file the customer sent later.
    pub request_id: Option<String>,
    /// When a file sent later arrived (ms).
    pub received_at: Option<i64>,
}

/// Filters for [`Claims::list`].
#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    /// Only this status.
    pub status: Option<String>,
    /// Only this band.
    pub band: Option<String>,
    /// Only this customer.
    pub customer_id: Option<String>,
    /// Only claims this user id took.
    pub assigned_to: Option<String>,
    /// Only claims received before this time (ms; paging, newest first).
    pub before_ms: Option<i64>,
    /// Only open claims (`Some(true)`: not approved or rejected) or only closed ones.
    pub open: Option<bool>,
    /// Only the fraud team's: routed to escalate or escalated by a person.
    pub escalated: bool,
    /// Only claims of these clients (`Some(empty)`: none at all).
    pub clients: Option<Vec<String>>,
    /// Most urgent first (escalate, review, clear, not screened, then the closed ones;
    /// the longest waiting first within each) instead of newest first.
    pub most_urgent_first: bool,
    /// At most this many (1–500).
    pub limit: i64,
}

const CLAIM_COLUMNS: &str = "id, external_ref, customer_id, context, status, score, band, routing, \
     created_at, updated_at, decision, decided_at, submitted_by, client, assigned_to";

/// The claims of one database.
#[derive(Clone)]
pub struct Claims {
    db: crate::Database,
}

impl Claims {
    /// Claims in `db`.
    pub fn new(db: crate::Database) -> Claims {
        Claims { db }
    }

    /// The database they are in.
    pub fn database(&self) -> crate::Database {
        self.db.clone()
    }

    /// Records a claim, its evidence and its screening job in one transaction.
    pub async fn create(
        &self,
        c: &NewClaim<'_>,
        evidence: &[NewEvidence<'_>],
    ) -> Result<Created, Error> {
        if let Some(found) = self.by_key(c).await? {
            return Ok(found);
        }
        match self.insert(c, evidence).await {
            Ok(()) => Ok(Created::New(c.id.to_owned())),
            // A concurrent request with the same key won the race: answer as it did.
            Err(e) => match self.by_key(c).await? {
                Some(found) => Ok(found),
                None => Err(e),
            },
        }
    }

    async fn by_key(&self, c: &NewClaim<'_>) -> Result<Option<Created>, Error> {
        let Some(key) = c.idempotency_key else {
            return Ok(None);
        };
        let row = sqlx::query("SELECT id, request_sha256 FROM claims WHERE idempotency_key = $1")
            .bind(key)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(Error::query("look up an idempotency key"))?;
        Ok(row.map(|r| {
            let id: String = r.try_get(0).unwrap_or_default();
            let hash: String = r.try_get(1).unwrap_or_default();
            if hash == c.request_sha256 {
                Created::Existing(id)
            } else {
                Created::KeyConflict(id)
            }
        }))
    }

    async fn insert(&self, c: &NewClaim<'_>, evidence: &[NewEvidence<'_>]) -> Result<(), Error> {
        let now = now_ms();
        let mut tx = self
            .db.begin_write("start a transaction").await?;
        sqlx::query(
            "INSERT INTO claims (id, idempotency_key, request_sha256, external_ref, customer_id, context, status, created_at, updated_at, submitted_by, client) \
             VALUES ($1, $2, $3, $4, $5, $6, 'received', $7, $7, $8, $9)",
        )
        .bind(c.id)
        .bind(c.idempotency_key)
        .bind(c.request_sha256)
        .bind(c.external_ref)
        .bind(c.customer_id)
        .bind(c.context_json)
        .bind(now)
        .bind(c.actor)
        .bind(c.client)
        .execute(&mut *tx)
        .await
        .map_err(Error::query("record a claim"))?;
        for (i, e) in evidence.iter().enumerate() {
            sqlx::query(
                "INSERT INTO claim_evidence (claim_id, position, filename, media_type, sha256, size, key_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(c.id)
            .bind(i as i64)
            .bind(e.filename)
            .bind(e.media_type)
            .bind(e.sha256)
            .bind(e.size as i64)
            .bind(e.key_id)
            .execute(&mut *tx)
            .await
            .map_err(Error::query("record evidence"))?;
        }
        sqlx::query(
            "INSERT INTO jobs (claim_id, kind, state, attempts, run_after, created_at, updated_at) \
             VALUES ($1, 'screen', 'queued', 0, $2, $2, $2)",
        )
        .bind(c.id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(Error::query("queue a screening job"))?;
        let detail = format!("{} evidence files", evidence.len());
        let entry = crate::audit::Entry {
            actor: c.actor,
            action: "claim.create",
            claim_id: Some(c.id),
            detail: &detail,
        };
        crate::audit::append_in(&mut tx, self.db.backend, &entry).await?;
        tx.commit().await.map_err(Error::query("commit a claim"))
    }

    /// One claim.
    pub async fn get(&self, id: &str) -> Result<Option<ClaimRecord>, Error> {
        let row = sqlx::query(&format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(Error::query("read a claim"))?;
        row.as_ref().map(claim_row).transpose()
    }

    /// Puts an open claim in a person's queue (`Some(user id)`) or back in the team's
    /// (`None`), with the audit entry; whether the claim was open.
    pub async fn assign(&self, id: &str, user_id: Option<&str>, actor: &str) -> Result<bool, Error> {
        let now = now_ms();
        let mut tx = self.db.begin_write("start a transaction").await?;
        let n = sqlx::query(
            "UPDATE claims SET assigned_to = $2, updated_at = $3 \
             WHERE id = $1 AND (decision IS NULL OR decision NOT IN ('approve', 'reject'))",
        )
        .bind(id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(Error::query("assign a claim"))?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        let detail = user_id.map_or("back to the team queue".to_owned(), |u| format!("to user:{u}"));
        let entry = crate::audit::Entry { actor, action: "claim.assign", claim_id: Some(id), detail: &detail };
        crate::audit::append_in(&mut tx, self.db.backend, &entry).await?;
        tx.commit().await.map_err(Error::query("commit an assignment"))?;
        Ok(true)
    }

    /// Every evidence blob address with the key id recorded for it.
    pub async fn blob_keys(&self) -> Result<Vec<(String, String)>, Error> {
        let rows = sqlx::query("SELECT DISTINCT sha256, key_id FROM claim_evidence ORDER BY sha256")
            .fetch_all(&self.db.pool)
            .await
            .map_err(Error::query("list evidence blobs"))?;
        let e = Error::query("list evidence blobs");
        rows.iter().map(|r| Ok((r.try_get(0).map_err(&e)?, r.try_get(1).map_err(&e)?))).collect()
    }

    /// Records the key a blob is now encrypted with.
    pub async fn set_key_id(&self, sha256: &str, key_id: &str) -> Result<(), Error> {
        sqlx::query("UPDATE claim_evidence SET key_id = $2 WHERE sha256 = $1 AND key_id NOT LIKE 'c-%'")
            .bind(sha256)
            .bind(key_id)
            .execute(&self.db.pool)
            .await
            .map_err(Error::query("record a blob's key"))?;
        Ok(())
    }

    /// A claim's evidence, in order.
    pub async fn evidence(&self, id: &str) -> Result<Vec<EvidenceRecord>, Error> {
        let rows = sqlx::query(
            "SELECT position, filename, media_type, sha256, size, key_id, report, request_id, received_at FROM claim_evidence \
             WHERE claim_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.db.pool)
        .await
        .map_err(Error::query("read evidence"))?;
        let e = Error::query("read evidence");
        rows.iter()
            .map(|r| {
                Ok(EvidenceRecord {
                    position: r.try_get(0).map_err(&e)?,
                    filename: r.try_get(1).map_err(&e)?,
                    media_type: r.try_get(2).map_err(&e)?,
                    sha256: r.try_get(3).map_err(&e)?,
                    size: r.try_get(4).map_err(&e)?,
                    key_id: r.try_get(5).map_err(&e)?,
                    report_json: r.try_get(6).map_err(&e)?,
                    request_id: r.try_get(7).map_err(&e)?,
                    received_at: r.try_get(8).map_err(&e)?,
                })
            })
            .collect()
    }

    /// The earliest claim holding a file with this SHA-256, and that file.
    pub async fn find_evidence(&self, sha256: &str) -> Result<Option<(String, EvidenceRecord)>, Error> {
        let row = sqlx::query(
            "SELECT e.claim_id, e.position FROM claim_evidence e JOIN claims c ON c.id = e.claim_id \
             WHERE e.sha256 = $1 ORDER BY c.created_at, e.position LIMIT 1",
        )
        .bind(sha256)
        .fetch_optional(&self.db.pool)
        .await
        .map_err(Error::query("look up evidence by its hash"))?;
        let Some(row) = row else { return Ok(None) };
        let e = Error::query("look up evidence by its hash");
        let claim_id: String = row.try_get(0).map_err(&e)?;
        let position: i64 = row.try_get(1).map_err(&e)?;
        let found = self
            .evidence(&claim_id)
            .await?
            .into_iter()
            .find(|r| r.position == position);
        Ok(found.map(|r| (claim_id, r)))
    }

    /// Other customers' claims with a file from the camera with this serial number
    /// (at most 10, oldest first).
    pub async fn same_camera(&self, serial: &str, customer_id: &str) -> Result<Vec<String>, Error> {
        let rows = sqlx::query(
            "SELECT DISTINCT c.id, c.created_at FROM claim_evidence e JOIN claims c ON c.id = e.claim_id \
             WHERE e.camera_serial = $1 AND c.customer_id <> $2 ORDER BY c.created_at LIMIT 10",
        )
        .bind(serial)
        .bind(customer_id)
        .fetch_all(&self.db.pool)
        .await
        .map_err(Error::query("look up a camera serial"))?;
        rows.iter()
            .map(|r| {
                r.try_get(0)
                    .map_err(Error::query("read a camera serial match"))
            })
            .collect()
    }

    /// Claims, newest first, filtered.
    pub async fn list(&self, f: &ClaimFilter) -> Result<Vec<ClaimRecord>, Error> {
        let mut sql = format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        for (column, value) in [
            ("status", &f.status),
            ("band", &f.band),
            ("customer_id", &f.customer_id),
            ("assigned_to", &f.assigned_to),
        ] {
            if let Some(v) = value {
                binds.push(v.clone());
                sql.push_str(&format!(" AND {column} = ${}", binds.len()));
            }
        }
        match f.open {
            Some(true) => {
                sql.push_str(" AND (decision IS NULL OR decision NOT IN ('approve', 'reject'))")
            }
            Some(false) => sql.push_str(" AND decision IN ('approve', 'reject')"),
            None => {}
        }
        if let Some(clients) = &f.clients {
            if clients.is_empty() {
                sql.push_str(" AND 1 = 0");
            } else {
                let start = binds.len();
                let marks: Vec<String> = (0..clients.len()).map(|i| format!("${}", start + i + 1)).collect();
                sql.push_str(&format!(" AND client IN ({})", marks.join(", ")));
                binds.extend(clients.iter().cloned());
            }
        }
        if f.escalated {
            sql.push_str(" AND (band = 'escalate' OR decision = 'escalate')");
        }
        if f.before_ms.is_some() {
            sql.push_str(&format!(" AND created_at < ${}", binds.len() + 1));
        }
        let order = if f.most_urgent_first {
            "CASE WHEN decision IN ('approve', 'reject') THEN 4 WHEN band = 'escalate' OR decision = 'escalate' THEN 0 \
             WHEN band = 'review' THEN 1 WHEN band = 'clear' THEN 2 ELSE 3 END, created_at, id"
        } else {
            "created_at DESC, id DESC"
        };
        sql.push_str(&format!(" ORDER BY {order} LIMIT {}", f.limit.clamp(1, 500)));
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b.as_str());
        }
        if let Some(ms) = f.before_ms {
            q = q.bind(ms);
        }
        let rows = q
            .fetch_all(&self.db.pool)
            .await
            .map_err(Error::query("list claims"))?;
        rows.iter().map(claim_row).collect()
    }
}

fn claim_row(r: &sqlx::any::AnyRow) -> Result<ClaimRecord, Error> {
    let e = Error::query("read a claim");
    Ok(ClaimRecord {
        id: r.try_get(0).map_err(&e)?,
        external_ref: r.try_get(1).map_err(&e)?,
        customer_id: r.try_get(2).map_err(&e)?,
        context_json: r.try_get(3).map_err(&e)?,
        status: r.try_get(4).map_err(&e)?,
        score: r.try_get(5).map_err(&e)?,
        band: r.try_get(6).map_err(&e)?,
        routing_json: r.try_get(7).map_err(&e)?,
        created_at: r.try_get(8).map_err(&e)?,
        updated_at: r.try_get(9).map_err(&e)?,
        decision: r.try_get(10).map_err(&e)?,
        decided_at: r.try_get(11).map_err(&e)?,
        submitted_by: r.try_get(12).map_err(&e)?,
        client: r.try_get(13).map_err(&e)?,
        assigned_to: r.try_get(14).map_err(&e)?,
    })
}
