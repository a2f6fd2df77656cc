//! `/v1/claims`: submit a claim with its evidence, read it back, list claims.

use super::problem::Problem;
use super::upload;
use super::App;
use axum::extract::multipart::Multipart;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use proofdesk_domain::claim::ClaimContext;
use proofdesk_domain::disclosure::Receives;
use proofdesk_storage::api_keys::ApiKey;
use proofdesk_storage::claims::{ClaimFilter, ClaimRecord, Created, NewClaim, NewEvidence};
use proofdesk_storage::evidence::{random_hex, to_hex, Stored};
use proofdesk_storage::time::format_rfc3339;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Most evidence files per claim.
pub const MAX_FILES: usize = 20;
/// Longest accepted Idempotency-Key.
const MAX_KEY: usize = 200;

/// One received evidence file.
pub(crate) struct Part {
    /// File name the client gave.
    pub filename: Option<String>,
    /// Media type the client gave.
    pub media_type: Option<String>,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// `POST /v1/claims` (multipart: a `claim` JSON part and one or more `evidence` files).
pub async fn submit(State(app): State<Arc<App>>, request: Request) -> Result<Response, Problem> {
    let (head, body) = request.into_parts();
    let idempotency = match admit(&app, &head.headers).await {
        Ok(i) => i,
        Err(refusal) => {
            // The client may still be sending: read the rest so it sees the refusal.
            upload::drain(body.into_data_stream()).await;
            return Err(refusal);
        }
    };
    let (key, idempotency) = idempotency;
    let exceeded = Arc::new(AtomicBool::new(false));
    let body = upload::limited(body, app.max_request, exceeded.clone());
    let mut multipart = Multipart::from_request(Request::from_parts(head, body), &())
        .await
        .map_err(|e| Problem::bad_request(e.body_text()))?;
    let read = read_parts(&mut multipart, app.max_request, &exceeded).await;
    let (claim, parts) = match read {
        Ok(r) => r,
        Err(refusal) => {
            discard_rest(&mut multipart).await;
            return Err(refusal);
        }
    };
    let claim =
        claim.ok_or_else(|| Problem::bad_request("the `claim` part (JSON context) is missing"))?;
    let value: Value = serde_json::from_slice(&claim)
        .map_err(|e| Problem::bad_request(format!("the `claim` part is not valid JSON: {e}")))?;
    let context = ClaimContext::parse(&value).map_err(Problem::invalid_fields)?;
    let actor = format!("api-key:{}", key.id);
    let (id, replayed) = accept(&app, &context, parts, &actor, idempotency.as_deref()).await?;
    let body =
        json!({"id": id, "status": "received", "links": {"self": format!("/v1/claims/{id}")}});
    let mut r = (StatusCode::ACCEPTED, Json(body)).into_response();
    if let Ok(v) = header::HeaderValue::from_str(&format!("/v1/claims/{id}")) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    if replayed {
        r.headers_mut().insert(
            "idempotent-replayed",
            header::HeaderValue::from_static("true"),
        );
    }
    Ok(r)
}

/// Stores a claim's files in the evidence store and records the claim with its
/// screening job; returns its id and whether it is an idempotent replay.
pub(crate) async fn accept(
    app: &App,
    context: &ClaimContext,
    parts: Vec<Part>,
    actor: &str,
    idempotency: Option<&str>,
) -> Result<(String, bool), Problem> {
    if parts.is_empty() {
        return Err(Problem::bad_request(
            "a claim needs at least one `evidence` file",
        ));
    }
    let mut blobs: Vec<(Option<String>, Option<String>, Stored)> = Vec::with_capacity(parts.len());
    for p in parts {
        let stored = app
            .store
            .put_for(&p.bytes, &context.customer_id)
            .await
            .map_err(|e| Problem::unavailable(e.to_string()))?;
        blobs.push((p.filename, p.media_type, stored));
    }
    let context_json = serde_json::to_string(context).unwrap_or_default();
    let mut h = Sha256::new();
    h.update(context_json.as_bytes());
    for (_, _, s) in &blobs {
        h.update(s.sha256.as_bytes());
    }
    let request_sha256 = to_hex(&h.finalize());
    let id = new_id();
    let new = NewClaim {
        id: &id,
        idempotency_key: idempotency,
        request_sha256: &request_sha256,
        external_ref: &context.external_ref,
        customer_id: &context.customer_id,
        client: context.client.as_deref(),
        context_json: &context_json,
        actor,
    };
    let evidence: Vec<NewEvidence> = blobs
        .iter()
        .map(|(name, media, s)| NewEvidence {
            filename: name.as_deref(),
            media_type: media.as_deref(),
            sha256: &s.sha256,
            size: s.size,
            key_id: &s.key_id,
        })
        .collect();
    let created = app
        .claims
        .create(&new, &evidence)
        .await
        .map_err(|e| Problem::unavailable(e.to_string()))?;
    let (id, replayed) = match created {
        Created::New(id) => (id, false),
        Created::Existing(id) => (id, true),
        Created::KeyConflict(id) => return Err(Problem::key_reused(&id)),
    };
    // A new claim's audit entry was written in its own transaction; a replay gets one
    // of its own here (the claim is stored either way).
    if replayed {
        let detail = format!("{} evidence files, idempotent replay", evidence.len());
        app.record(actor, "claim.replay", Some(&id), &detail).await?;
    }
    app.wake.notify_waiters();
    Ok((id, replayed))
}

/// What can be checked before the body is read: the key and its scope, the media
/// type, the declared length and the Idempotency-Key.
async fn admit(app: &App, headers: &HeaderMap) -> Result<(ApiKey, Option<String>), Problem> {
    let key = app.authorize(headers, "claims:write").await?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("multipart/form-data") {
        return Err(Problem::unsupported_media(format!(
            "send multipart/form-data with a `claim` JSON part and `evidence` files, not {}",
            if content_type.is_empty() {
                "no Content-Type"
            } else {
                content_type
            }
        )));
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > app.max_request as u64) {
        return Err(Problem::too_large(app.max_request));
    }
    let idempotency = match headers.get("idempotency-key") {
        None => None,
        Some(v) => match v.to_str() {
            Ok(k) if !k.trim().is_empty() && k.len() <= MAX_KEY => Some(k.trim().to_owned()),
            _ => {
                return Err(Problem::bad_request(format!(
                    "Idempotency-Key must be 1–{MAX_KEY} visible ASCII characters"
                )))
            }
        },
    };
    Ok((key, idempotency))
}

/// Reads and discards the parts not yet read, so a refused client sees the refusal.
async fn discard_rest(m: &mut Multipart) {
    while let Ok(Some(mut field)) = m.next_field().await {
        while let Ok(Some(_)) = field.chunk().await {}
    }
}

/// Reads the parts: the claim JSON and the evidence files.
async fn read_parts(
    m: &mut Multipart,
    limit: usize,
    exceeded: &AtomicBool,
) -> Result<(Option<Vec<u8>>, Vec<Part>), Problem> {
    let fail = |e: axum::extract::multipart::MultipartError| {
        if exceeded.load(Ordering::SeqCst) || e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::too_large(limit)
        } else {
            Problem::bad_request(format!(
                "the multipart body could not be read: {}",
                e.body_text()
            ))
        }
    };
    let (mut claim, mut parts) = (None, Vec::new());
    while let Some(field) = m.next_field().await.map_err(fail)? {
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "claim" => claim = Some(field.bytes().await.map_err(fail)?.to_vec()),
            "evidence" => {
                if parts.len() == MAX_FILES {
                    return Err(Problem::bad_request(format!(
                        "at most {MAX_FILES} evidence files per claim"
                    )));
                }
                let filename = field.file_name().map(str::to_owned);
                let media_type = field.content_type().map(str::to_owned);
                let bytes = field.bytes().await.map_err(fail)?.to_vec();
                if bytes.is_empty() {
                    return Err(Problem::bad_request(format!(
                        "evidence file {} is empty (0 bytes)",
                        filename.as_deref().unwrap_or("without a name")
                    )));
                }
                parts.push(Part {
                    filename,
                    media_type,
                    bytes,
                });
            }
            other => {
                return Err(Problem::bad_request(format!(
                    "unknown part `{other}`: send `claim` and `evidence`"
                )))
            }
        }
    }
    Ok((claim, parts))
}

/// A new claim id: `clm_` and 20 random hex digits.
fn new_id() -> String {
    format!("clm_{}", random_hex(10))
}

/// `GET /v1/claims/{id}`.
pub async fn get(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let key = app.authorize(&headers, "claims:read").await?;
    let claim = app
        .claims
        .get(&id)
        .await
        .map_err(|e| Problem::unavailable(e.to_string()))?;
    let scope = app.scope_of(&key).await?;
    let claim = claim
        .filter(|c| scope.allows(c.client.as_deref()))
        .ok_or_else(|| Problem::not_found(format!("no claim {id}")))?;
    app.record(&format!("api-key:{}", key.id), "claim.read", Some(&id), "")
        .await?;
    let mut doc = document(&app, &claim)
        .await
        .map_err(|e| Problem::unavailable(e.to_string()))?;
    receives(&key).apply(&mut doc);
    Ok(Json(doc))
}

/// What a key receives: its categories, the default for keys made without any, and
/// the outcome alone should the stored list not parse (fail closed).
pub(crate) fn receives(key: &ApiKey) -> Receives {
    match &key.receives {
        None => Receives::api_default(),
        Some(list) => Receives::parse(list).unwrap_or_else(|_| Receives::outcome_only()),
    }
}

/// A claim with its context, the routing reasons and every evidence file's screening:
/// everything an integration may receive, before [`Receives::apply`] takes out what
/// it is not configured for.
pub(crate) async fn document(app: &App, claim: &ClaimRecord) -> Result<Value, proofdesk_storage::Error> {
    let evidence = app.claims.evidence(&claim.id).await?;
    let files: Vec<Value> = evidence
        .iter()
        .map(|e| {
            let report = report_of(e);
            let mut file = json!({
                "position": e.position, "filename": e.filename, "media_type": e.media_type,
                "sha256": e.sha256, "size": e.size,
                "format": report.get("format"), "verdict": report.get("verdict"),
                "reasons": report.get("reasons"), "signals": report.get("signals"),
                "error": report.get("error"), "request_id": e.request_id,
                "received_at": e.received_at.map(format_rfc3339),
            });
            // What was read from a receipt or invoice (schema proofdesk.receipt/1).
            if let Some(receipt) = report.get("receipt") {
                file["receipt"] = receipt.clone();
            }
            file
        })
        .collect();
    let mut doc = summary(claim);
    doc["context"] = serde_json::from_str(&claim.context_json).unwrap_or(Value::Null);
    let routing: Value = claim
        .routing_json
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or(Value::Null);
    doc["reasons"] = routing.get("reasons").cloned().unwrap_or(json!([]));
    doc["evidence"] = Value::Array(files);
    Ok(doc)
}

/// A file's screening report as JSON (`null` before screening).
pub(crate) fn report_of(e: &proofdesk_storage::claims::EvidenceRecord) -> Value {
    e.report_json
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or(Value::Null)
}

/// A claim's top-level fields.
fn summary(c: &ClaimRecord) -> Value {
    json!({
        "id": c.id, "external_ref": c.external_ref, "customer_id": c.customer_id, "client": c.client,
        "status": c.status, "score": c.score, "band": c.band,
        "received_at": format_rfc3339(c.created_at), "updated_at": format_rfc3339(c.updated_at),
    })
}

/// Query of `GET /v1/claims`.
#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    band: Option<String>,
    customer_id: Option<String>,
    limit: Option<i64>,
}

/// `GET /v1/claims?status=&band=&customer_id=&limit=`, newest first.
pub async fn list(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, Problem> {
    let key = app.authorize(&headers, "claims:read").await?;
    let statuses = ["received", "screening", "screened", "failed"];
    if q.status.as_deref().is_some_and(|s| !statuses.contains(&s)) {
        return Err(Problem::bad_request(format!(
            "status must be one of {}",
            statuses.join(", ")
        )));
    }
    if q.band
        .as_deref()
        .is_some_and(|b| !["clear", "review", "escalate"].contains(&b))
    {
        return Err(Problem::bad_request(
            "band must be clear, review or escalate",
        ));
    }
    let clients = match app.scope_of(&key).await? {
        proofdesk_storage::teams::Scope::All => None,
        proofdesk_storage::teams::Scope::Clients(list) => Some(list),
    };
    let filter = ClaimFilter {
        status: q.status,
        band: q.band,
        customer_id: q.customer_id,
        clients,
        limit: q.limit.unwrap_or(50),
        ..ClaimFilter::default()
    };
    let claims = app
        .claims
        .list(&filter)
        .await
        .map_err(|e| Problem::unavailable(e.to_string()))?;
    let detail = format!("{filter:?}: {} claims", claims.len());
    app.record(&format!("api-key:{}", key.id), "claims.list", None, &detail)
        .await?;
    let receives = receives(&key);
    let claims: Vec<Value> = claims
        .iter()
        .map(|c| {
            let mut doc = summary(c);
            receives.apply(&mut doc);
            doc
        })
        .collect();
    Ok(Json(json!({ "claims": claims })))
}
