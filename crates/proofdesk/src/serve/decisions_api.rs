//! `POST /v1/claims/{id}/decisions`: a person's decision through the API, with a
//! personal token (`proofdesk user token NAME`), under the same rules as in the
//! workspace: role, reason, authority and four eyes, never on one's own claim.

use super::deciding::{self, Decided, Refused};
use super::problem::Problem;
use super::App;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use proofdesk_domain::decision::Role;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// The request body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    /// approve, reject, request_evidence or escalate.
    action: String,
    /// The person's reason.
    reason: String,
    /// For approvals: a decimal string (`"129.95"`) or number.
    amount: Option<Value>,
    /// For approvals: ISO 4217.
    currency: Option<String>,
    /// For approvals: the account paid out to (IBAN or payment reference), kept only
    /// as a pseudonym for the insider rules.
    payout_ref: Option<String>,
}

/// `POST /v1/claims/{id}/decisions`.
pub async fn decide(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let key = app.authorize(&headers, "decisions:write").await?;
    let user_id = key.user_id.clone().ok_or_else(|| {
        Problem::not_allowed("decisions are a person's: use a personal token (`proofdesk user token NAME`), not an integration key")
    })?;
    let user = app
        .users
        .by_id(&user_id)
        .await
        .map_err(|e| Problem::unavailable(e.to_string()))?
        .filter(|u| u.disabled_at.is_none())
        .ok_or_else(|| Problem::not_allowed("this token's user is disabled"))?;
    let role = Role::parse(&user.role).ok_or_else(|| Problem::not_allowed("this token's user has no known role"))?;
    let scope = app
        .teams
        .scope(&user.id, &user.role)
        .await
        .map_err(|e| Problem::unavailable(e.to_string()))?;
    let b: Body = serde_json::from_slice(&body)
        .map_err(|e| Problem::bad_request(format!("send JSON {{action, reason, amount?, currency?, payout_ref?}}: {e}")))?;
    let amount = match &b.amount {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => return Err(Problem::invalid_decision("amount must be a decimal string such as \"129.95\"")),
    };
    let currency = b.currency.clone().unwrap_or_default();
    let request = deciding::Request {
        user: &user,
        role,
        scope: &scope,
        claim_id: &id,
        kind: &b.action,
        reason: &b.reason,
        amount: amount.as_deref().map(|a| (a, currency.as_str())),
        payout_ref: b.payout_ref.as_deref(),
    };
    let en = |t: proofdesk_engine::signal::Text| t.en;
    match deciding::decide(&app, &request).await {
        Ok(outcome) => {
            let status = match (outcome, b.action.as_str()) {
                (Decided::AwaitingSecond, _) => "awaiting_second_approval",
                (Decided::Recorded, "approve" | "reject") => "decided",
                (Decided::Recorded, _) => "open",
            };
            Ok((StatusCode::OK, Json(json!({"claim": id, "action": b.action, "status": status, "decided_by": user.name}))))
        }
        Err(Refused::NotFound) => Err(Problem::not_found(format!("no claim {id}"))),
        Err(Refused::Invalid(t)) => Err(Problem::invalid_decision(en(t))),
        Err(Refused::Forbidden(t)) => Err(Problem::not_allowed(en(t))),
        Err(Refused::Conflict(t)) => Err(Problem::conflict(en(t))),
        Err(Refused::Unavailable(e)) => Err(Problem::unavailable(e)),
    }
}
