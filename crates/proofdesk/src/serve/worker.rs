//! Screening workers: take a claim's job from the queue, screen every evidence file
//! (on a blocking thread), look each up in the shared reuse index and record it there,
//! route the claim, and record everything with the job's completion.

use super::App;
use crate::reuse::parse_sha;
use anyhow::{Context, Result};
use proofdesk_domain::assurance::Provenance;
use proofdesk_domain::claim::ClaimContext;
use proofdesk_domain::context::{self, EvidenceFacts, SameCamera};
use proofdesk_domain::receipt_context::{self, ReceiptFacts};
use proofdesk_domain::evidence_request::{answer_signals, Ask};
use proofdesk_storage::claims::EvidenceRecord;
use proofdesk_engine::reuse::{self, Sighting, DEFAULT_THRESHOLD};
use proofdesk_engine::{FileReport, Options, Signal};
use proofdesk_storage::audit::Entry;
use proofdesk_storage::jobs::{Job, Queue, Screened, ScreenedFile};
use proofdesk_engine::receipt::sale;
use proofdesk_storage::receipt_sales::ReceiptSales;
use proofdesk_storage::reuse::{NewSighting, ReuseIndex};
use proofdesk_storage::time::{format_rfc3339, now_ms};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// Largest picture decoded at full size for screening, in pixels; larger ones are
/// checked as a reduced copy.
const MAX_PIXELS: u64 = proofdesk_engine::pixels::DEFAULT_MAX_PIXELS;
/// How long an idle worker waits before looking at the queue again.
const IDLE: Duration = Duration::from_millis(500);

/// Runs one worker until the process ends.
pub async fn run(app: Arc<App>, queue: Queue, index: Arc<Mutex<ReuseIndex>>) {
    loop {
        match queue.take().await {
            Ok(Some(job)) => {
                let done = match job.kind.as_str() {
                    "screen" => process(&app, &queue, &index, &job).await,
                    "webhook" => notify(&app, &queue, &job).await,
                    other => Err(anyhow::anyhow!("unknown job kind {other}")),
                };
                if let Err(e) = done {
                    log!(
                        "proofdesk worker: claim {} attempt {} failed: {e:#}",
                        job.claim_id, job.attempt
                    );
                    if let Err(e2) = queue.fail(&job, &format!("{e:#}")).await {
                        log!("proofdesk worker: could not give the job back: {e2}");
                    }
                }
            }
            Ok(None) => {
                let _ = tokio::time::timeout(IDLE, app.wake.notified()).await;
            }
            Err(e) => {
                log!("proofdesk worker: the queue is unavailable: {e}");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}

async fn process(app: &App, queue: &Queue, index: &Mutex<ReuseIndex>, job: &Job) -> Result<()> {
    let evidence = app.claims.evidence(&job.claim_id).await?;
    let mut reports: Vec<FileReport> = Vec::with_capacity(evidence.len());
    for e in &evidence {
        let bytes = app.store.get(&e.sha256, &e.key_id).await?;
        let name = e.filename.clone();
        let report = tokio::task::spawn_blocking(move || {
            let extension = name
                .as_deref()
                .and_then(|n| std::path::Path::new(n).extension())
                .map(|x| x.to_string_lossy().to_lowercase());
            let opts = Options {
                pixels: true,
                forensics: true,
                max_pixels: MAX_PIXELS,
                extension,
                detector: crate::models::detector(),
                reader: crate::models::reader(),
                detector_on_camera_files: false,
            };
            anyhow::Ok(proofdesk_engine::screen(&bytes, &opts))
        })
        .await
        .context("the screening thread stopped")??;
        reports.push(report);
    }
    check_context(app, &job.claim_id, &evidence, &mut reports).await?;
    check_answers(app, &job.claim_id, &evidence, &mut reports).await?;
    check_reuse(index, &job.claim_id, &mut reports).await?;
    check_receipt_sales(app, &job.claim_id, &mut reports).await?;
    let claim_signals = check_assurance(app, &job.claim_id, &evidence, &reports).await?;
    let routing = app.policy.route(
        reports
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.signals.iter().map(move |s| (Some(i), s)))
            .chain(claim_signals.iter().map(|s| (None, s))),
    );
    let band = serde_json::to_value(routing.band)?
        .as_str()
        .unwrap_or("review")
        .to_owned();
    let audit_detail = format!(
        "score {}, band {band}, {} files, attempt {}",
        routing.score + 0.0,
        reports.len(),
        job.attempt
    );
    let screened = Screened {
        reports: reports
            .iter()
            .zip(&evidence)
            .map(|(r, e)| {
                Ok(ScreenedFile {
                    position: e.position,
                    report_json: serde_json::to_string(r)?,
                    camera_serial: camera_serial(r),
                })
            })
            .collect::<Result<_>>()?,
        score: routing.score as f64,
        band: &band,
        routing_json: serde_json::to_string(&routing)?,
        notify: app.webhook.is_some(),
        audit_detail,
    };
    // The results and their audit entry are one transaction.
    if !queue.complete(job, &screened).await? {
        log!(
            "proofdesk worker: claim {} was taken over by another worker; its result stands",
            job.claim_id
        );
    }
    Ok(())
}

/// Delivers the `claim.screened` webhook for a job's claim.
async fn notify(app: &App, queue: &Queue, job: &Job) -> Result<()> {
    let Some(hook) = app.webhook.clone() else {
        log!(
            "proofdesk worker: no webhook is configured; dropping the delivery for claim {}",
            job.claim_id
        );
        queue.finish(job).await?;
        return Ok(());
    };
    let claim = app
        .claims
        .get(&job.claim_id)
        .await?
        .context("the claim is gone")?;
    // Answers to evidence requests, so the CRM sees that this screening includes them.
    let answered: Vec<serde_json::Value> = app
        .requests
        .of_claim(&claim.id)
        .await?
        .iter()
        .filter_map(|r| {
            r.answered_at.map(|at| serde_json::json!({"id": r.id, "answered_at": format_rfc3339(at), "files": r.files}))
        })
        .collect();
    let mut doc = super::claims::document(app, &claim).await?;
    hook.receives.apply(&mut doc);
    doc["evidence_requests_answered"] = answered.into();
    doc["links"] = serde_json::json!({"self": format!("/v1/claims/{}", claim.id)});
    let body = serde_json::to_vec(&serde_json::json!({
        "event": "claim.screened",
        "delivery": job.id,
        "claim": doc,
    }))?;
    let delivery = job.id.to_string();
    tokio::task::spawn_blocking(move || hook.deliver("claim.screened", &delivery, &body))
        .await
        .context("the webhook thread stopped")??;
    queue.finish(job).await?;
    let actor = format!("worker:{}", queue.worker());
    let entry = Entry {
        actor: &actor,
        action: "claim.notify",
        claim_id: Some(&job.claim_id),
        detail: &format!(
            "delivered to {}, attempt {}",
            app.webhook.as_ref().map_or("", |w| w.url.as_str()),
            job.attempt
        ),
    };
    app.audit.append(&entry).await?;
    Ok(())
}

/// Adds what the answers to evidence requests show: a requested original that is a
/// copy, a new photo taken before its code was shown.
async fn check_answers(app: &App, claim_id: &str, evidence: &[EvidenceRecord], reports: &mut [FileReport]) -> Result<()> {
    if evidence.iter().all(|e| e.request_id.is_none()) {
        return Ok(());
    }
    let requests = app.requests.of_claim(claim_id).await?;
    for (r, e) in reports.iter_mut().zip(evidence) {
        let Some(request) = e.request_id.as_ref().and_then(|id| requests.iter().find(|q| &q.id == id)) else {
            continue;
        };
        let asks: Vec<Ask> = request.asks.iter().filter_map(|a| Ask::parse(a)).collect();
        let exif = r.metadata.exif.as_ref();
        let captured = exif.and_then(|x| x.captured.clone());
        let has_camera = exif.is_some_and(|x| x.make.is_some() || x.model.is_some());
        let verdict = serde_json::to_value(r.verdict)?.as_str().unwrap_or("").to_owned();
        for s in answer_signals(&asks, request.code_shown_at, captured.as_deref(), &verdict, has_camera) {
            r.add_signal(s);
        }
    }
    Ok(())
}

/// The claim-level signal of assurance by amount: a claim above the policy's amount
/// whose files show no provenance at all.
async fn check_assurance(app: &App, claim_id: &str, evidence: &[EvidenceRecord], reports: &[FileReport]) -> Result<Vec<Signal>> {
    let claim = app.claims.get(claim_id).await?.context("the claim is gone")?;
    let context: ClaimContext = serde_json::from_str(&claim.context_json).context("read the claim context")?;
    let requests = if evidence.iter().any(|e| e.request_id.is_some()) {
        app.requests.of_claim(claim_id).await?
    } else {
        Vec::new()
    };
    let provenance: Vec<Provenance> = reports
        .iter()
        .zip(evidence)
        .map(|(r, e)| {
            let has = |id: &str| r.signals.iter().any(|s| s.id == id);
            let live_capture = e.request_id.as_ref().is_some_and(|id| {
                requests
                    .iter()
                    .any(|q| &q.id == id && q.asks.iter().any(|a| Ask::parse(a) == Some(Ask::NewPhoto)))
            });
            Provenance {
                camera: has("provenance.camera"),
                credentials: has("provenance.c2pa.valid") || has("provenance.c2pa.camera-capture"),
                live_capture,
            }
        })
        .collect();
    Ok(app.policy.assurance.check(&context, &provenance).into_iter().collect())
}

/// The camera body serial number a report records.
fn camera_serial(r: &FileReport) -> Option<String> {
    r.metadata
        .exif
        .as_ref()
        .and_then(|e| e.serial.clone())
        .filter(|s| !s.trim().is_empty())
}

/// Adds the context checks (dates, cameras shared with other customers) to each file;
/// a file the customer sent later is dated against its own arrival.
async fn check_context(app: &App, claim_id: &str, evidence: &[EvidenceRecord], reports: &mut [FileReport]) -> Result<()> {
    let claim = app
        .claims
        .get(claim_id)
        .await?
        .context("the claim is gone")?;
    let context: ClaimContext =
        serde_json::from_str(&claim.context_json).context("read the claim context")?;
    for (r, e) in reports.iter_mut().zip(evidence) {
        let received = format_rfc3339(e.received_at.unwrap_or(claim.created_at));
        let received_day = received.get(..10).unwrap_or("");
        let facts = EvidenceFacts {
            captured: r.metadata.exif.as_ref().and_then(|e| e.captured.clone()),
            camera_serial: camera_serial(r),
            gps: r
                .metadata
                .exif
                .as_ref()
                .and_then(|e| e.gps.as_ref())
                .map(|g| (g.latitude, g.longitude)),
        };
        let same_camera = match &facts.camera_serial {
            Some(serial) => app
                .claims
                .same_camera(serial, &context.customer_id)
                .await?
                .into_iter()
                .filter(|id| id != claim_id)
                .map(|claim_id| SameCamera { claim_id })
                .collect(),
            None => Vec::new(),
        };
        for s in context::check(&context, &facts, received_day, &same_camera) {
            r.add_signal(s);
        }
        if let Some(read) = r.receipt.as_ref() {
            let receipt = ReceiptFacts {
                date: read.fields.date.as_ref().map(|d| d.value.to_string()),
                total_minor: read.fields.total.as_ref().map(|t| t.value),
                merchant: read.fields.merchant.as_ref().map(|m| m.value.clone()),
            };
            for s in receipt_context::check(&context, &receipt, received_day) {
                r.add_signal(s);
            }
        }
    }
    Ok(())
}

/// Looks every receipt's sale (shop, day, time, total, receipt number) up among the
/// receipts of other claims — the same receipt however it was photographed, or its
/// number with another total — and records it.
async fn check_receipt_sales(app: &App, claim_id: &str, reports: &mut [FileReport]) -> Result<()> {
    let sales = ReceiptSales::new(app.db.clone());
    let now = now_ms();
    for r in reports.iter_mut() {
        let Some(key) = r.receipt.as_ref().and_then(|x| sale::key(&x.fields)) else {
            continue;
        };
        let earlier = sales.same_shop_and_day(&key, claim_id).await?;
        for s in sale::signals(&key, &earlier) {
            r.add_signal(s);
        }
        sales.record(claim_id, &r.sha256, &key, now).await?;
    }
    Ok(())
}

/// Looks every file up in the shared reuse index (other claims only) and records it.
async fn check_reuse(
    index: &Mutex<ReuseIndex>,
    claim_id: &str,
    reports: &mut [FileReport],
) -> Result<()> {
    let mut index = index.lock().await;
    index.sync().await?;
    let now = now_ms();
    for r in reports.iter_mut() {
        let Some(sha) = parse_sha(&r.sha256) else {
            continue;
        };
        let found = index
            .query(&sha, r.fingerprint.as_ref(), DEFAULT_THRESHOLD)
            .await?;
        let sightings: Vec<Sighting> = found
            .iter()
            .filter(|f| f.source != claim_id)
            .map(|f| Sighting {
                source: f.source.clone(),
                seen_at: format_rfc3339(f.seen_at_ms),
                distance: f.distance,
                transform: f.transform,
                exact: f.exact,
                crop: f.crop,
                location: f.location.clone(),
            })
            .collect();
        if let Some(s) = reuse::signal(&sightings) {
            r.add_signal(s);
        }
        let location = format!("evidence:{}", r.sha256);
        index
            .add(&NewSighting {
                sha256: sha,
                fingerprint: r.fingerprint.as_ref(),
                source: claim_id,
                location: Some(&location),
                seen_at_ms: now,
            })
            .await?;
    }
    Ok(())
}
