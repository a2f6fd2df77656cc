//! Retention through the API, for administrators (their personal token):
//! `GET /v1/retention` lists what a retention pass would delete now (a dry run, as
//! `proofdesk retention run --dry-run --json`); `PUT /v1/claims/{id}/legal-hold` with
//! `{"reason": …}` suspends retention for a claim and `DELETE` lifts it, each audited.

use super::problem::Problem;
use super::subjects_api::administrator;
use super::App;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use proofdesk_storage::retention::RetentionStore;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// Longest hold reason.
const MAX_REASON: usize = 500;

/// `GET /v1/retention`: what is due now, with nothing changed.
pub async fn preview(State(app): State<Arc<App>>, headers: HeaderMap) -> Result<Json<Value>, Problem> {
    let actor = administrator(&app, &headers).await?;
    let db = app.claims.database();
    let report = crate::retention::apply(&db, &app.store, &app.policy.retention, true)
        .await
        .map_err(|e| Problem::unavailable(format!("{e:#}")))?;
    app.record(&actor, "retention.preview", None, "").await?;
    Ok(Json(report.to_json(true)))
}

/// Body of `PUT /v1/claims/{id}/legal-hold`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hold {
    reason: String,
}

/// `PUT /v1/claims/{id}/legal-hold`.
pub async fn hold(State(app): State<Arc<App>>, headers: HeaderMap, Path(id): Path<String>, body: axum::body::Bytes) -> Result<Json<Value>, Problem> {
    let actor = administrator(&app, &headers).await?;
    let hold: Hold = serde_json::from_slice(&body).map_err(|e| Problem::bad_request(format!("the body must be {{\"reason\": \"…\"}}: {e}")))?;
    let reason = hold.reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(Problem::bad_request(format!("give the reason for the hold (a case number, a court order; at most {MAX_REASON} characters)")));
    }
    set(&app, &id, Some(reason), &actor).await
}

/// `DELETE /v1/claims/{id}/legal-hold`.
pub async fn release(State(app): State<Arc<App>>, headers: HeaderMap, Path(id): Path<String>) -> Result<Json<Value>, Problem> {
    let actor = administrator(&app, &headers).await?;
    set(&app, &id, None, &actor).await
}

async fn set(app: &App, id: &str, reason: Option<&str>, actor: &str) -> Result<Json<Value>, Problem> {
    let found = RetentionStore::new(app.claims.database())
        .hold(id, reason, actor)
        .await
        .map_err(|e| Problem::unavailable(e.to_string()))?;
    if !found {
        return Err(Problem::not_found(format!("no claim {id}")));
    }
    Ok(Json(json!({"id": id, "legal_hold": reason})))
}
