//! Data-subject requests through the API, for administrators (their personal token):
//! `GET /v1/subjects/{customer_id}/export` answers the zip `proofdesk subject export`
//! writes; `DELETE /v1/subjects/{customer_id}` erases everything held about the
//! customer, as `proofdesk subject erase` does.

use super::problem::Problem;
use super::App;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

/// The administrator a personal token acts as, as `user:ID`.
pub(crate) async fn administrator(app: &App, headers: &HeaderMap) -> Result<String, Problem> {
    let key = app.authorize(headers, "claims:read").await?;
    let user_id = key
        .user_id
        .ok_or_else(|| Problem::not_allowed("data-subject requests and retention are an administrator's: use their personal token (`proofdesk user token NAME`)"))?;
    let user = app.users.by_id(&user_id).await.map_err(|e| Problem::unavailable(e.to_string()))?;
    match user {
        Some(u) if u.disabled_at.is_none() && u.role == "administrator" => Ok(format!("user:{}", u.id)),
        _ => Err(Problem::not_allowed("only an administrator handles data-subject requests and retention")),
    }
}

/// `GET /v1/subjects/{customer_id}/export`.
pub async fn export(State(app): State<Arc<App>>, headers: HeaderMap, Path(customer): Path<String>) -> Result<Response, Problem> {
    let actor = administrator(&app, &headers).await?;
    let db = app.claims.database();
    let (bytes, ..) = crate::subject::export(&db, &app.store, &customer, &actor)
        .await
        .map_err(|e| Problem::unavailable(e.to_string()))?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"subject-export.zip\""));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

/// `DELETE /v1/subjects/{customer_id}`.
pub async fn erase(State(app): State<Arc<App>>, headers: HeaderMap, Path(customer): Path<String>) -> Result<(StatusCode, Json<Value>), Problem> {
    let actor = administrator(&app, &headers).await?;
    let db = app.claims.database();
    let (erased, blobs, key) = crate::subject::erase(&db, &app.store, &customer, &actor)
        .await
        .map_err(|e| Problem::unavailable(e.to_string()))?;
    app.heatmaps.clear();
    Ok((
        StatusCode::OK,
        Json(json!({"claims": erased.claims, "files": erased.files, "blobs_deleted": blobs, "decisions": erased.decisions,
            "evidence_requests": erased.requests, "reuse_entries": erased.sightings, "key_destroyed": key})),
    ))
}
