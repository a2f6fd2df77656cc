//! Requests to the customer for better evidence, the same from the claim page and the
//! API: `POST /v1/claims/{id}/evidence-requests` makes a one-time link for the CRM to
//! send, `GET` lists a claim's requests with their state, `DELETE …/{request}`
//! withdraws one that was not answered.

use super::problem::Problem;
use super::App;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use proofdesk_domain::evidence_request::parse_asks;
use proofdesk_storage::claims::ClaimRecord;
use proofdesk_storage::requests::{EvidenceRequest, NewRequest};
use proofdesk_storage::time::{format_rfc3339, now_ms};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// Longest a link may stay valid, in hours (30 days).
pub const MAX_HOURS: i64 = 720;

/// Why a request was not made.
#[derive(Debug)]
pub enum NotMade {
    /// Bad asks, language or validity (422).
    Invalid(String),
    /// The claim is closed (409).
    Closed,
    /// Storage failed (503).
    Unavailable(String),
}

/// Makes a request for a claim the caller may see; returns it and its link.
pub async fn make(
    app: &App,
    claim: &ClaimRecord,
    asks: &[String],
    lang: Option<&str>,
    hours: Option<i64>,
    actor: &str,
    base: &str,
) -> Result<(EvidenceRequest, String), NotMade> {
    if matches!(claim.decision.as_deref(), Some("approve" | "reject")) {
        return Err(NotMade::Closed);
    }
    let asks: Vec<String> = parse_asks(asks).map_err(NotMade::Invalid)?.iter().map(|a| a.as_str().to_owned()).collect();
    let lang = match lang.map(str::trim) {
        None | Some("") => "nl",
        Some(l @ ("nl" | "en")) => l,
        Some(other) => return Err(NotMade::Invalid(format!("lang {other:?}: use nl or en"))),
    };
    let hours = hours.unwrap_or(app.customer.request_hours);
    if !(1..=MAX_HOURS).contains(&hours) {
        return Err(NotMade::Invalid(format!("expires_in_hours must be 1 to {MAX_HOURS}, not {hours}")));
    }
    let new = NewRequest { claim_id: &claim.id, asks: &asks, lang, created_by: actor, valid_ms: hours * 3_600_000 };
    let (request, token) = app.requests.create(&new).await.map_err(|e| NotMade::Unavailable(e.to_string()))?;
    Ok((request, format!("{}/r/{token}", base.trim_end_matches('/'))))
}

/// The base URL of customer links: `--public-url`, else this request's host.
pub fn base_url(app: &App, headers: &HeaderMap) -> String {
    if let Some(url) = &app.customer.public_url {
        return url.clone();
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}")
}

/// A request as the API shows it.
pub fn to_json(r: &EvidenceRequest, now: i64) -> Value {
    let at = |t: Option<i64>| t.map(format_rfc3339);
    json!({
        "id": r.id, "claim": r.claim_id, "asks": r.asks, "state": r.state(now), "lang": r.lang,
        "created_by": r.created_by, "created_at": format_rfc3339(r.created_at),
        "expires_at": format_rfc3339(r.expires_at), "opened_at": at(r.opened_at),
        "code_shown_at": at(r.code_shown_at), "answered_at": at(r.answered_at),
        "revoked_at": at(r.revoked_at), "files": r.files,
    })
}

/// The body of `POST /v1/claims/{id}/evidence-requests`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    asks: Vec<String>,
    lang: Option<String>,
    expires_in_hours: Option<i64>,
}

/// The claim `id` if the key may see it.
async fn visible_claim(app: &App, headers: &HeaderMap, id: &str, scope: &str) -> Result<(String, ClaimRecord), Problem> {
    let key = app.authorize(headers, scope).await?;
    let visible = app.scope_of(&key).await?;
    let claim = app
        .claims
        .get(id)
        .await
        .map_err(|e| Problem::unavailable(e.to_string()))?
        .filter(|c| visible.allows(c.client.as_deref()))
        .ok_or_else(|| Problem::not_found(format!("no claim {id}")))?;
    let actor = match &key.user_id {
        Some(user) => format!("user:{user}"),
        None => format!("api-key:{}", key.id),
    };
    Ok((actor, claim))
}

/// `POST /v1/claims/{id}/evidence-requests`.
pub async fn create(State(app): State<Arc<App>>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<Response, Problem> {
    let (actor, claim) = visible_claim(&app, &headers, &id, "claims:write").await?;
    let b: Body = serde_json::from_slice(&body)
        .map_err(|e| Problem::bad_request(format!("send JSON {{asks: [...], lang?, expires_in_hours?}}: {e}")))?;
    let base = base_url(&app, &headers);
    let (request, url) = match make(&app, &claim, &b.asks, b.lang.as_deref(), b.expires_in_hours, &actor, &base).await {
        Ok(made) => made,
        Err(NotMade::Invalid(why)) => return Err(Problem::invalid_request(why)),
        Err(NotMade::Closed) => return Err(Problem::conflict("the claim is closed: ask before it is approved or rejected")),
        Err(NotMade::Unavailable(e)) => return Err(Problem::unavailable(e)),
    };
    let mut doc = to_json(&request, now_ms());
    doc["url"] = Value::String(url);
    let mut r = (StatusCode::CREATED, Json(doc)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/v1/claims/{id}/evidence-requests/{}", request.id)) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

/// `GET /v1/claims/{id}/evidence-requests`.
pub async fn list(State(app): State<Arc<App>>, headers: HeaderMap, Path(id): Path<String>) -> Result<Json<Value>, Problem> {
    let (actor, _) = visible_claim(&app, &headers, &id, "claims:read").await?;
    app.record(&actor, "evidence-request.list", Some(&id), "").await?;
    let list = app.requests.of_claim(&id).await.map_err(|e| Problem::unavailable(e.to_string()))?;
    let now = now_ms();
    Ok(Json(json!({"requests": list.iter().map(|r| to_json(r, now)).collect::<Vec<_>>()})))
}

/// `DELETE /v1/claims/{id}/evidence-requests/{request}`.
pub async fn revoke(State(app): State<Arc<App>>, headers: HeaderMap, Path((id, request)): Path<(String, String)>) -> Result<StatusCode, Problem> {
    let (actor, _) = visible_claim(&app, &headers, &id, "claims:write").await?;
    let found = app.requests.get(&request).await.map_err(|e| Problem::unavailable(e.to_string()))?;
    let Some(found) = found.filter(|r| r.claim_id == id) else {
        return Err(Problem::not_found(format!("no evidence request {request} on claim {id}")));
    };
    if app.requests.revoke(&found.id, &actor).await.map_err(|e| Problem::unavailable(e.to_string()))? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::conflict(format!("the request is already {}", found.state(now_ms()))))
    }
}
