//! `POST /claims/{id}/decisions`: a person's decision with their reason. The domain
//! rules decide whether it may be recorded (reject only by a fraud analyst or
//! supervisor, always a reason in words, screened and still open); a refusal shows the
//! claim page again with the form as it was filled in and why.

use super::claim_page::{self, Refused};
use super::layout;
use super::{Say, Viewer};
use crate::serve::App;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use proofdesk_domain::decision::{self, DecisionKind, Refusal};
use proofdesk_storage::decisions::{NewDecision, Outcome};
use serde::Deserialize;
use std::sync::Arc;

/// The decision form.
#[derive(Deserialize)]
pub struct DecisionForm {
    csrf: String,
    kind: Option<String>,
    #[serde(default)]
    reason: String,
}

/// `POST /claims/{id}/decisions`.
pub async fn submit(
    State(app): State<Arc<App>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> Response {
    if let Err(r) = viewer.check_form(&headers, &f.csrf) {
        return r;
    }
    let lang = viewer.lang;
    let claim = match app.claims.get(&id).await {
        Ok(Some(c)) => c,
        Ok(None) => return layout::not_found(lang),
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    };
    let refuse = |message: String| Refused {
        message,
        kind: f.kind.clone(),
        reason: f.reason.clone(),
    };
    let Some(kind) = f.kind.as_deref().and_then(DecisionKind::parse) else {
        let message = lang.say("Choose a decision.", "Kies een beslissing.").to_owned();
        return claim_page::render(&app, &viewer, &id, lang, Some(refuse(message))).await;
    };
    let latest = claim.decision.as_deref().and_then(DecisionKind::parse);
    let reason = match decision::check(viewer.role, kind, &f.reason, &claim.status, latest) {
        Ok(r) => r,
        Err(refusal) => {
            if refusal == Refusal::RoleMayNotReject {
                let detail = format!("reject refused for role {}", viewer.role.as_str());
                let _ = app.record(&viewer.actor(), "claim.decide-refused", Some(&id), &detail).await;
            }
            let message = refusal.text().get(lang).to_owned();
            return claim_page::render(&app, &viewer, &id, lang, Some(refuse(message))).await;
        }
    };
    let new = NewDecision {
        claim_id: &id,
        kind: kind.as_str(),
        reason: &reason,
        user_id: &viewer.user.id,
        band: claim.band.as_deref(),
    };
    match app.decisions.record(&new).await {
        Ok(Outcome::Recorded(_)) => {
            Redirect::to(&format!("/claims/{id}#decide")).into_response()
        }
        Ok(Outcome::AlreadyFinal) => {
            let message = Refusal::AlreadyDecided(String::from("—")).text().get(lang).to_owned();
            claim_page::render(&app, &viewer, &id, lang, Some(refuse(message))).await
        }
        Err(e) => layout::unavailable(lang, &e.to_string()),
    }
}
