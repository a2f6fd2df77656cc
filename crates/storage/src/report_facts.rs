//! The facts the oversight and fairness reports are computed from, read in a few
//! queries over the claims received in a period: their bands and routing, every
//! decision on them, who opened their evidence and when, their evidence requests,
//! and the teams people are in. The reports themselves are plain logic elsewhere.

use crate::Error;
use sqlx::Row;
use std::collections::HashMap;

/// A claim as the reports see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimFact {
    /// Its id.
    pub id: String,
    /// Pseudonymous customer id.
    pub customer_id: String,
    /// Its context, JSON.
    pub context_json: String,
    /// When it arrived (ms).
    pub received_at: i64,
    /// Its band.
    pub band: Option<String>,
    /// Its routing, JSON.
    pub routing_json: Option<String>,
    /// Whether the customer had a claim received before this one.
    pub returning: bool,
}

/// One decision.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionFact {
    /// The claim.
    pub claim_id: String,
    /// Who (user id).
    pub user_id: String,
    /// Their display name.
    pub user_name: String,
    /// `approve`, `reject`, `request_evidence`, `escalate`.
    pub kind: String,
    /// When (ms).
    pub at: i64,
}

/// One evidence request.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestFact {
    /// The claim.
    pub claim_id: String,
    /// `user:ID` or `api-key:ID`.
    pub created_by: String,
    /// When (ms).
    pub created_at: i64,
    /// Expiry (ms).
    pub expires_at: i64,
    /// Answered (ms).
    pub answered_at: Option<i64>,
    /// Withdrawn (ms).
    pub revoked_at: Option<i64>,
}

/// Everything for one period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Claims received in the period, oldest first.
    pub claims: Vec<ClaimFact>,
    /// Their decisions, oldest first.
    pub decisions: Vec<DecisionFact>,
    /// (claim id, actor `user:ID`) → when they first opened its evidence (ms).
    pub first_views: HashMap<(String, String), i64>,
    /// Their evidence requests.
    pub requests: Vec<RequestFact>,
    /// user id → names of the teams they are in.
    pub teams: HashMap<String, Vec<String>>,
}

/// Audit actions that mean a person looked at a claim's evidence.
const VIEWS: &str = "'evidence.view', 'evidence.download', 'evidence.position.view', 'evidence.heatmaps'";

/// Reads the facts for claims received in `[since, until)` (of these clients only, when given).
pub async fn read(db: &crate::Database, since: i64, until: i64, clients: Option<&[String]>) -> Result<Facts, Error> {
    let (filter, binds) = crate::decisions::client_filter(clients, 3, "client");
    let in_period = format!("SELECT id FROM claims WHERE created_at >= $1 AND created_at < $2{filter}");
    let claims_sql = format!(
        "SELECT c.id, c.customer_id, c.context, c.created_at, c.band, c.routing, \
         (SELECT COUNT(*) FROM claims e WHERE e.customer_id = c.customer_id AND e.created_at < c.created_at) \
         FROM claims c WHERE c.id IN ({in_period}) ORDER BY c.created_at, c.id"
    );
    let e = Error::query("read claims for a report");
    let claims = bound(&claims_sql, since, until, &binds)
        .fetch_all(&db.pool)
        .await
        .map_err(&e)?
        .iter()
        .map(|r| {
            Ok(ClaimFact {
                id: r.try_get(0).map_err(&e)?,
                customer_id: r.try_get(1).map_err(&e)?,
                context_json: r.try_get(2).map_err(&e)?,
                received_at: r.try_get(3).map_err(&e)?,
                band: r.try_get(4).map_err(&e)?,
                routing_json: r.try_get(5).map_err(&e)?,
                returning: r.try_get::<i64, _>(6).map_err(&e)? > 0,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let decisions_sql = format!(
        "SELECT d.claim_id, d.user_id, u.display_name, d.kind, d.decided_at FROM decisions d JOIN users u ON u.id = d.user_id \
         WHERE d.claim_id IN ({in_period}) ORDER BY d.decided_at, d.id"
    );
    let e = Error::query("read decisions for a report");
    let decisions = bound(&decisions_sql, since, until, &binds)
        .fetch_all(&db.pool)
        .await
        .map_err(&e)?
        .iter()
        .map(|r| {
            Ok(DecisionFact {
                claim_id: r.try_get(0).map_err(&e)?,
                user_id: r.try_get(1).map_err(&e)?,
                user_name: r.try_get(2).map_err(&e)?,
                kind: r.try_get(3).map_err(&e)?,
                at: r.try_get(4).map_err(&e)?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let views_sql = format!(
        "SELECT claim_id, actor, MIN(at) FROM audit_log WHERE action IN ({VIEWS}) AND claim_id IN ({in_period}) GROUP BY claim_id, actor"
    );
    let e = Error::query("read evidence views for a report");
    let mut first_views = HashMap::new();
    for r in bound(&views_sql, since, until, &binds).fetch_all(&db.pool).await.map_err(&e)? {
        first_views.insert((r.try_get(0).map_err(&e)?, r.try_get(1).map_err(&e)?), r.try_get(2).map_err(&e)?);
    }
    let requests_sql = format!(
        "SELECT claim_id, created_by, created_at, expires_at, answered_at, revoked_at FROM evidence_requests \
         WHERE claim_id IN ({in_period}) ORDER BY created_at"
    );
    let e = Error::query("read evidence requests for a report");
    let requests = bound(&requests_sql, since, until, &binds)
        .fetch_all(&db.pool)
        .await
        .map_err(&e)?
        .iter()
        .map(|r| {
            Ok(RequestFact {
                claim_id: r.try_get(0).map_err(&e)?,
                created_by: r.try_get(1).map_err(&e)?,
                created_at: r.try_get(2).map_err(&e)?,
                expires_at: r.try_get(3).map_err(&e)?,
                answered_at: r.try_get(4).map_err(&e)?,
                revoked_at: r.try_get(5).map_err(&e)?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let e = Error::query("read teams for a report");
    let mut teams: HashMap<String, Vec<String>> = HashMap::new();
    let rows = sqlx::query("SELECT m.user_id, t.name FROM team_members m JOIN teams t ON t.id = m.team_id ORDER BY t.name")
        .fetch_all(&db.pool)
        .await
        .map_err(&e)?;
    for r in rows {
        teams.entry(r.try_get(0).map_err(&e)?).or_default().push(r.try_get(1).map_err(&e)?);
    }
    Ok(Facts { claims, decisions, first_views, requests, teams })
}

/// A query with the period and the clients bound to `$1`, `$2`, `$3` ….
fn bound<'q>(sql: &'q str, since: i64, until: i64, clients: &[&'q str]) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let mut q = sqlx::query(sql).bind(since).bind(until);
    for c in clients {
        q = q.bind(*c);
    }
    q
}
