//! People's decisions on claims, recorded with the claim's latest decision and an audit
//! entry in one transaction, and the figures of the overview (claims per band per day,
//! time to decision, decisions per reviewer). The audit entry holds the decision and a
//! hash of the reason, not the reason's words, which may name people.

use crate::evidence::to_hex;
use crate::time::now_ms;
use crate::Error;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// A decision to record.
pub struct NewDecision<'a> {
    /// Which claim.
    pub claim_id: &'a str,
    /// `approve`, `reject`, `request_evidence` or `escalate`.
    pub kind: &'a str,
    /// The person's reason.
    pub reason: &'a str,
    /// Who decided.
    pub user_id: &'a str,
    /// The claim's routing band when it was decided.
    pub band: Option<&'a str>,
    /// For approvals: the amount (minor units) and currency.
    pub amount: Option<(i64, &'a str)>,
    /// For approvals: the decider's limit for this claim then (minor units).
    pub limit_minor: Option<i64>,
    /// For approvals: the pseudonymised payout account, when given.
    pub payout_ref: Option<&'a str>,
    /// The claim was assigned to a colleague.
    pub outside_queue: bool,
}

/// What [`Decisions::record`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Recorded, with this id.
    Recorded(i64),
    /// Someone approved or rejected the claim first: nothing was recorded.
    AlreadyFinal,
}

/// A decision as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    /// Id.
    pub id: i64,
    /// Which claim.
    pub claim_id: String,
    /// What was decided.
    pub kind: String,
    /// Why, in the person's words.
    pub reason: String,
    /// Who decided.
    pub user_id: String,
    /// Their display name.
    pub user_name: String,
    /// The routing band at the time.
    pub band: Option<String>,
    /// When (ms since 1970 UTC).
    pub decided_at: i64,
    /// For approvals: the amount (minor units) and currency.
    pub amount: Option<(i64, String)>,
}

/// One claim's facts for the overview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimTimes {
    /// Received (ms).
    pub received_at: i64,
    /// Routing band, once screened.
    pub band: Option<String>,
    /// Latest decision, if any.
    pub decision: Option<String>,
    /// When the latest decision was made.
    pub decided_at: Option<i64>,
}

/// Decisions per person and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewerCount {
    /// Display name.
    pub user_name: String,
    /// What they decided.
    pub kind: String,
    /// How often.
    pub count: i64,
}

/// One decision with what the insider rules need of its claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// Who decided.
    pub user_id: String,
    /// Their display name.
    pub user_name: String,
    /// Which claim.
    pub claim_id: String,
    /// The claim's pseudonymous customer.
    pub customer_id: String,
    /// The claim's client.
    pub client: Option<String>,
    /// What was decided.
    pub kind: String,
    /// The routing band then.
    pub band: Option<String>,
    /// For approvals: amount (minor units) and currency.
    pub amount: Option<(i64, String)>,
    /// For approvals: the decider's limit for the claim then (minor units).
    pub limit_minor: Option<i64>,
    /// For approvals: the pseudonymised payout account, when given.
    pub payout_ref: Option<String>,
    /// The claim was assigned to a colleague.
    pub outside_queue: bool,
    /// When (ms).
    pub decided_at: i64,
}

/// The decisions of one database.
#[derive(Clone)]
pub struct Decisions {
    db: crate::Database,
}

/// SHA-256 of a reason as the audit trail records it.
pub fn reason_hash(reason: &str) -> String {
    to_hex(&Sha256::digest(reason.as_bytes()))
}

impl Decisions {
    /// Decisions in `db`.
    pub fn new(db: crate::Database) -> Decisions {
        Decisions { db }
    }

    /// Records a decision, the claim's latest decision and the audit entry (actor
    /// `user:ID`) together; refuses when the claim was closed meanwhile.
    pub async fn record(&self, d: &NewDecision<'_>) -> Result<Outcome, Error> {
        let now = now_ms();
        let mut tx = self
            .db.begin_write("start a transaction").await?;
        let updated = sqlx::query(
            "UPDATE claims SET decision = $2, decided_at = $3, updated_at = $3 \
             WHERE id = $1 AND (decision IS NULL OR decision NOT IN ('approve', 'reject'))",
        )
        .bind(d.claim_id)
        .bind(d.kind)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(Error::query("record a claim's decision"))?
        .rows_affected();
        if updated == 0 {
            return Ok(Outcome::AlreadyFinal);
        }
        let id: i64 = sqlx::query(
            "INSERT INTO decisions (claim_id, kind, reason, user_id, band, decided_at, amount_minor, currency, limit_minor, payout_ref, outside_queue) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(d.claim_id)
        .bind(d.kind)
        .bind(d.reason)
        .bind(d.user_id)
        .bind(d.band)
        .bind(now)
        .bind(d.amount.map(|a| a.0))
        .bind(d.amount.map(|a| a.1))
        .bind(d.limit_minor)
        .bind(d.payout_ref)
        .bind(i64::from(d.outside_queue))
        .fetch_one(&mut *tx)
        .await
        .and_then(|r| r.try_get(0))
        .map_err(Error::query("record a decision"))?;
        let actor = format!("user:{}", d.user_id);
        let amount = d.amount.map_or(String::new(), |(m, c)| format!(", {}.{:02} {c}", m / 100, m % 100));
        let payout = d.payout_ref.map_or(String::new(), |p| format!(", payout {p}"));
        let outside = if d.outside_queue { ", outside the decider's queue" } else { "" };
        let detail = format!(
            "{} (decision {id}, band {}{amount}{payout}{outside}, reason sha256 {})",
            d.kind,
            d.band.unwrap_or("none"),
            reason_hash(d.reason)
        );
        let entry = crate::audit::Entry {
            actor: &actor,
            action: "claim.decide",
            claim_id: Some(d.claim_id),
            detail: &detail,
        };
        crate::audit::append_in(&mut tx, self.db.backend, &entry).await?;
        tx.commit()
            .await
            .map_err(Error::query("commit a decision"))?;
        Ok(Outcome::Recorded(id))
    }

    /// The claims awaiting a second approval whose first approval is this person's.
    pub async fn awaiting_second_after(&self, user_id: &str) -> Result<Vec<String>, Error> {
        let rows = sqlx::query(
            "SELECT c.id FROM claims c WHERE c.decision = 'approve_pending' AND \
             (SELECT d.user_id FROM decisions d WHERE d.claim_id = c.id ORDER BY d.decided_at DESC, d.id DESC LIMIT 1) = $1 \
             ORDER BY c.id",
        )
        .bind(user_id)
        .fetch_all(&self.db.pool)
        .await
        .map_err(Error::query("read the approvals awaiting a second person"))?;
        let e = Error::query("read the approvals awaiting a second person");
        rows.iter().map(|r| r.try_get(0).map_err(&e)).collect()
    }

    /// A claim's decisions, oldest first.
    pub async fn of_claim(&self, claim_id: &str) -> Result<Vec<DecisionRecord>, Error> {
        let rows = sqlx::query(
            "SELECT d.id, d.claim_id, d.kind, d.reason, d.user_id, u.display_name, d.band, d.decided_at, d.amount_minor, d.currency \
             FROM decisions d JOIN users u ON u.id = d.user_id WHERE d.claim_id = $1 ORDER BY d.decided_at, d.id",
        )
        .bind(claim_id)
        .fetch_all(&self.db.pool)
        .await
        .map_err(Error::query("read decisions"))?;
        let e = Error::query("read decisions");
        rows.iter()
            .map(|r| {
                Ok(DecisionRecord {
                    id: r.try_get(0).map_err(&e)?,
                    claim_id: r.try_get(1).map_err(&e)?,
                    kind: r.try_get(2).map_err(&e)?,
                    reason: r.try_get(3).map_err(&e)?,
                    user_id: r.try_get(4).map_err(&e)?,
                    user_name: r.try_get(5).map_err(&e)?,
                    band: r.try_get(6).map_err(&e)?,
                    decided_at: r.try_get(7).map_err(&e)?,
                    amount: match (r.try_get::<Option<i64>, _>(8).map_err(&e)?, r.try_get::<Option<String>, _>(9).map_err(&e)?) {
                        (Some(m), Some(c)) => Some((m, c)),
                        _ => None,
                    },
                })
            })
            .collect()
    }

    /// Every decision since `since_ms`, oldest first, for the insider rules.
    pub async fn log(&self, since_ms: i64) -> Result<Vec<LogEntry>, Error> {
        let rows = sqlx::query(
            "SELECT d.user_id, u.display_name, d.claim_id, c.customer_id, c.client, d.kind, d.band, d.amount_minor, d.currency, d.decided_at, \
             d.limit_minor, d.payout_ref, d.outside_queue \
             FROM decisions d JOIN users u ON u.id = d.user_id JOIN claims c ON c.id = d.claim_id \
             WHERE d.decided_at >= $1 ORDER BY d.decided_at, d.id",
        )
        .bind(since_ms)
        .fetch_all(&self.db.pool)
        .await
        .map_err(Error::query("read the decision log"))?;
        let e = Error::query("read the decision log");
        rows.iter()
            .map(|r| {
                Ok(LogEntry {
                    user_id: r.try_get(0).map_err(&e)?,
                    user_name: r.try_get(1).map_err(&e)?,
                    claim_id: r.try_get(2).map_err(&e)?,
                    customer_id: r.try_get(3).map_err(&e)?,
                    client: r.try_get(4).map_err(&e)?,
                    kind: r.try_get(5).map_err(&e)?,
                    band: r.try_get(6).map_err(&e)?,
                    amount: match (r.try_get::<Option<i64>, _>(7).map_err(&e)?, r.try_get::<Option<String>, _>(8).map_err(&e)?) {
                        (Some(m), Some(c)) => Some((m, c)),
                        _ => None,
                    },
                    decided_at: r.try_get(9).map_err(&e)?,
                    limit_minor: r.try_get(10).map_err(&e)?,
                    payout_ref: r.try_get(11).map_err(&e)?,
                    outside_queue: r.try_get::<i64, _>(12).map_err(&e)? != 0,
                })
            })
            .collect()
    }

    /// Claims received since `since_ms` (of these clients only, when given), for the overview.
    pub async fn claim_times(&self, since_ms: i64, clients: Option<&[String]>) -> Result<Vec<ClaimTimes>, Error> {
        let (filter, binds) = client_filter(clients, 2, "client");
        let sql = format!(
            "SELECT created_at, band, decision, decided_at FROM claims WHERE created_at >= $1{filter} ORDER BY created_at"
        );
        let mut q = sqlx::query(&sql).bind(since_ms);
        for b in binds {
            q = q.bind(b);
        }
        let rows = q
            .fetch_all(&self.db.pool)
            .await
            .map_err(Error::query("read claims for the overview"))?;
        let e = Error::query("read claims for the overview");
        rows.iter()
            .map(|r| {
                Ok(ClaimTimes {
                    received_at: r.try_get(0).map_err(&e)?,
                    band: r.try_get(1).map_err(&e)?,
                    decision: r.try_get(2).map_err(&e)?,
                    decided_at: r.try_get(3).map_err(&e)?,
                })
            })
            .collect()
    }

    /// Decisions per person and kind since `since_ms` (on claims of these clients only,
    /// when given), busiest first.
    pub async fn per_reviewer(&self, since_ms: i64, clients: Option<&[String]>) -> Result<Vec<ReviewerCount>, Error> {
        let (filter, binds) = client_filter(clients, 2, "c.client");
        let sql = format!(
            "SELECT u.display_name, d.kind, COUNT(*) FROM decisions d JOIN users u ON u.id = d.user_id \
             JOIN claims c ON c.id = d.claim_id \
             WHERE d.decided_at >= $1{filter} GROUP BY u.display_name, d.kind ORDER BY COUNT(*) DESC, u.display_name"
        );
        let mut q = sqlx::query(&sql).bind(since_ms);
        for b in binds {
            q = q.bind(b);
        }
        let rows = q
        .fetch_all(&self.db.pool)
        .await
        .map_err(Error::query("count decisions"))?;
        let e = Error::query("count decisions");
        rows.iter()
            .map(|r| {
                Ok(ReviewerCount {
                    user_name: r.try_get(0).map_err(&e)?,
                    kind: r.try_get(1).map_err(&e)?,
                    count: r.try_get(2).map_err(&e)?,
                })
            })
            .collect()
    }
}

/// ` AND column IN ($first, …)` for a client list (`AND 1 = 0` for an empty one), and
/// the values to bind.
pub(crate) fn client_filter<'a>(clients: Option<&'a [String]>, first: usize, column: &str) -> (String, Vec<&'a str>) {
    match clients {
        None => (String::new(), Vec::new()),
        Some([]) => (" AND 1 = 0".into(), Vec::new()),
        Some(list) => {
            let marks: Vec<String> = (0..list.len()).map(|i| format!("${}", first + i)).collect();
            (format!(" AND {column} IN ({})", marks.join(", ")), list.iter().map(String::as_str).collect())
        }
    }
}
