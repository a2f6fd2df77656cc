//! Requests to a customer for better evidence. Each is a one-time link whose secret is
//! kept only as a SHA-256; it records when it was opened, when its challenge code was
//! shown and when the answer arrived. An answer attaches its files to the claim and
//! queues the claim for screening again, in one transaction with the audit entry, and
//! only once: a used, expired or revoked link takes nothing.

use crate::claims::NewEvidence;
use crate::evidence::{constant_time_eq, random_hex, to_hex};
use crate::time::now_ms;
use crate::Error;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// What a request can ask for.
pub const ASKS: [&str; 4] = ["original_file", "new_photo", "receipt", "serial_closeup"];

/// A request to record.
pub struct NewRequest<'a> {
    /// Which claim.
    pub claim_id: &'a str,
    /// What is asked (from [`ASKS`]).
    pub asks: &'a [String],
    /// The page's first language (`nl` or `en`).
    pub lang: &'a str,
    /// Who asked (`user:ID`, `api-key:ID`).
    pub created_by: &'a str,
    /// How long the link works (ms).
    pub valid_ms: i64,
}

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRequest {
    /// Id (`req_…`).
    pub id: String,
    /// Which claim.
    pub claim_id: String,
    /// What is asked.
    pub asks: Vec<String>,
    /// The code to photograph beside the item, for a new photo.
    pub code: Option<String>,
    /// The page's first language.
    pub lang: String,
    /// Who asked.
    pub created_by: String,
    /// Made (ms).
    pub created_at: i64,
    /// The link stops working (ms).
    pub expires_at: i64,
    /// First opened (ms).
    pub opened_at: Option<i64>,
    /// The code first shown (ms).
    pub code_shown_at: Option<i64>,
    /// The answer received (ms).
    pub answered_at: Option<i64>,
    /// Withdrawn (ms).
    pub revoked_at: Option<i64>,
    /// Files received.
    pub files: i64,
}

impl EvidenceRequest {
    /// `sent`, `opened`, `answered`, `expired` or `revoked`, at `now` (ms).
    pub fn state(&self, now: i64) -> &'static str {
        if self.answered_at.is_some() {
            "answered"
        } else if self.revoked_at.is_some() {
            "revoked"
        } else if now >= self.expires_at {
            "expired"
        } else if self.opened_at.is_some() {
            "opened"
        } else {
            "sent"
        }
    }
}

/// What [`Requests::answer`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    /// The files are attached at these positions and the claim is queued again.
    Attached(Vec<i64>),
    /// The link was used, expired or withdrawn meanwhile: nothing was recorded.
    Closed,
}

/// The evidence requests of one database.
#[derive(Clone)]
pub struct Requests {
    db: crate::Database,
}

const COLUMNS: &str = "id, claim_id, asks, code, lang, created_by, created_at, expires_at, opened_at, code_shown_at, answered_at, revoked_at, files";

/// SHA-256 of a link's secret, as stored.
pub fn token_hash(token: &str) -> String {
    to_hex(&Sha256::digest(token.as_bytes()))
}

/// A short code that reads unambiguously on paper (no 0/O, 1/I/L): `K7M-4QX`.
fn challenge_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let raw = crate::evidence::random_bytes(6);
    let chars: String = raw.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
    format!("{}-{}", &chars[..3], &chars[3..])
}

impl Requests {
    /// Requests in `db`.
    pub fn new(db: crate::Database) -> Requests {
        Requests { db }
    }

    /// Records a request with its audit entry; returns it and the link's secret,
    /// which is not kept.
    pub async fn create(&self, r: &NewRequest<'_>) -> Result<(EvidenceRequest, String), Error> {
        let now = now_ms();
        let id = format!("req_{}", random_hex(10));
        let token = random_hex(32);
        let code = r.asks.iter().any(|a| a == "new_photo").then(challenge_code);
        let mut tx = self.db.begin_write("start a transaction").await?;
        sqlx::query(
            "INSERT INTO evidence_requests (id, claim_id, asks, token_sha256, code, lang, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(r.claim_id)
        .bind(r.asks.join(","))
        .bind(token_hash(&token))
        .bind(code.as_deref())
        .bind(r.lang)
        .bind(r.created_by)
        .bind(now)
        .bind(now + r.valid_ms)
        .execute(&mut *tx)
        .await
        .map_err(Error::query("record an evidence request"))?;
        let detail = format!("{id}: {} (valid {} h)", r.asks.join(", "), r.valid_ms / 3_600_000);
        let entry = crate::audit::Entry { actor: r.created_by, action: "evidence-request.create", claim_id: Some(r.claim_id), detail: &detail };
        crate::audit::append_in(&mut tx, self.db.backend, &entry).await?;
        tx.commit().await.map_err(Error::query("commit an evidence request"))?;
        let request = self.get(&id).await?.ok_or_else(|| Error::Query {
            what: "read an evidence request back",
            source: sqlx::Error::RowNotFound,
        })?;
        Ok((request, token))
    }

    /// The request a link's secret belongs to, if any (whatever its state).
    pub async fn by_token(&self, token: &str) -> Result<Option<EvidenceRequest>, Error> {
        let hash = token_hash(token);
        let row = sqlx::query(&format!("SELECT {COLUMNS}, token_sha256 FROM evidence_requests WHERE token_sha256 = $1"))
            .bind(&hash)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(Error::query("look up an evidence request"))?;
        let Some(row) = row else { return Ok(None) };
        // The lookup is by hash; compare once more in constant time all the same.
        let stored: String = row.try_get(13).map_err(Error::query("look up an evidence request"))?;
        if !constant_time_eq(stored.as_bytes(), hash.as_bytes()) {
            return Ok(None);
        }
        request_row(&row).map(Some)
    }

    /// One request.
    pub async fn get(&self, id: &str) -> Result<Option<EvidenceRequest>, Error> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM evidence_requests WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(Error::query("read an evidence request"))?;
        row.as_ref().map(request_row).transpose()
    }

    /// A claim's requests, oldest first.
    pub async fn of_claim(&self, claim_id: &str) -> Result<Vec<EvidenceRequest>, Error> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM evidence_requests WHERE claim_id = $1 ORDER BY created_at, id"))
            .bind(claim_id)
            .fetch_all(&self.db.pool)
            .await
            .map_err(Error::query("read evidence requests"))?;
        rows.iter().map(request_row).collect()
    }

    /// Notes that the link was opened (and its code shown, when `code_shown`), the
    /// first time only, with an audit entry for every opening (actor `customer`).
    pub async fn opened(&self, r: &EvidenceRequest, code_shown: bool, detail: &str) -> Result<(), Error> {
        let now = now_ms();
        let mut tx = self.db.begin_write("start a transaction").await?;
        sqlx::query(
            "UPDATE evidence_requests SET opened_at = COALESCE(opened_at, $2), \
             code_shown_at = CASE WHEN $3 = 1 THEN COALESCE(code_shown_at, $2) ELSE code_shown_at END WHERE id = $1",
        )
        .bind(&r.id)
        .bind(now)
        .bind(i64::from(code_shown))
        .execute(&mut *tx)
        .await
        .map_err(Error::query("note an opened evidence request"))?;
        let entry = crate::audit::Entry { actor: "customer", action: "evidence-request.open", claim_id: Some(&r.claim_id), detail };
        crate::audit::append_in(&mut tx, self.db.backend, &entry).await?;
        tx.commit().await.map_err(Error::query("commit an opened evidence request"))
    }

    /// Withdraws a request that was not answered; whether it was open.
    pub async fn revoke(&self, id: &str, actor: &str) -> Result<bool, Error> {
        let now = now_ms();
        let mut tx = self.db.begin_write("start a transaction").await?;
        let row = sqlx::query("UPDATE evidence_requests SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL AND answered_at IS NULL RETURNING claim_id")
            .bind(id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await
            .map_err(Error::query("withdraw an evidence request"))?;
        let Some(row) = row else { return Ok(false) };
        let claim_id: String = row.try_get(0).map_err(Error::query("withdraw an evidence request"))?;
        let entry = crate::audit::Entry { actor, action: "evidence-request.revoke", claim_id: Some(&claim_id), detail: id };
        crate::audit::append_in(&mut tx, self.db.backend, &entry).await?;
        tx.commit().await.map_err(Error::query("commit a withdrawal"))?;
        Ok(true)
    }

    /// Records the customer's answer: closes the link, attaches the files after the
    /// claim's others, sets the claim to be screened again and queues it, with the
    /// audit entry. [`Answered::Closed`] when the link was used, expired or withdrawn.
    pub async fn answer(&self, r: &EvidenceRequest, files: &[NewEvidence<'_>], detail: &str) -> Result<Answered, Error> {
        let now = now_ms();
        let mut tx = self.db.begin_write("start a transaction").await?;
        let taken = sqlx::query(
            "UPDATE evidence_requests SET answered_at = $2, files = $3 \
             WHERE id = $1 AND answered_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(&r.id)
        .bind(now)
        .bind(files.len() as i64)
        .execute(&mut *tx)
        .await
        .map_err(Error::query("close an evidence request"))?
        .rows_affected();
        // A claim whose evidence retention already deleted takes no new files.
        let purged: Option<i64> = sqlx::query_scalar("SELECT evidence_purged_at FROM claims WHERE id = $1")
            .bind(&r.claim_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(Error::query("check a claim's evidence"))?;
        if taken == 0 || purged.is_some() {
            return Ok(Answered::Closed);
        }
        let next: i64 = sqlx::query("SELECT COALESCE(MAX(position) + 1, 0) FROM claim_evidence WHERE claim_id = $1")
            .bind(&r.claim_id)
            .fetch_one(&mut *tx)
            .await
            .and_then(|row| row.try_get(0))
            .map_err(Error::query("number new evidence"))?;
        let mut positions = Vec::with_capacity(files.len());
        for (i, e) in files.iter().enumerate() {
            let position = next + i as i64;
            sqlx::query(
                "INSERT INTO claim_evidence (claim_id, position, filename, media_type, sha256, size, key_id, request_id, received_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&r.claim_id)
            .bind(position)
            .bind(e.filename)
            .bind(e.media_type)
            .bind(e.sha256)
            .bind(e.size as i64)
            .bind(e.key_id)
            .bind(&r.id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(Error::query("attach evidence"))?;
            positions.push(position);
        }
        sqlx::query("UPDATE claims SET status = 'received', updated_at = $2 WHERE id = $1")
            .bind(&r.claim_id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(Error::query("set a claim to be screened again"))?;
        sqlx::query(
            "INSERT INTO jobs (claim_id, kind, state, attempts, run_after, created_at, updated_at) \
             VALUES ($1, 'screen', 'queued', 0, $2, $2, $2)",
        )
        .bind(&r.claim_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(Error::query("queue a screening job"))?;
        let entry = crate::audit::Entry { actor: "customer", action: "evidence-request.answer", claim_id: Some(&r.claim_id), detail };
        crate::audit::append_in(&mut tx, self.db.backend, &entry).await?;
        tx.commit().await.map_err(Error::query("commit an answer"))?;
        Ok(Answered::Attached(positions))
    }
}

fn request_row(r: &sqlx::any::AnyRow) -> Result<EvidenceRequest, Error> {
    let e = Error::query("read an evidence request");
    let asks: String = r.try_get(2).map_err(&e)?;
    Ok(EvidenceRequest {
        id: r.try_get(0).map_err(&e)?,
        claim_id: r.try_get(1).map_err(&e)?,
        asks: asks.split(',').filter(|a| !a.is_empty()).map(str::to_owned).collect(),
        code: r.try_get(3).map_err(&e)?,
        lang: r.try_get(4).map_err(&e)?,
        created_by: r.try_get(5).map_err(&e)?,
        created_at: r.try_get(6).map_err(&e)?,
        expires_at: r.try_get(7).map_err(&e)?,
        opened_at: r.try_get(8).map_err(&e)?,
        code_shown_at: r.try_get(9).map_err(&e)?,
        answered_at: r.try_get(10).map_err(&e)?,
        revoked_at: r.try_get(11).map_err(&e)?,
        files: r.try_get(12).map_err(&e)?,
    })
}
