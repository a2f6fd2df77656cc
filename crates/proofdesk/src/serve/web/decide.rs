//! `POST /claims/{id}/decisions`: a person's decision with their reason. The domain
//! rules decide whether it may be recorded (reject only by a fraud analyst or
//! supervisor, always a reason in words, screened and still open, never on a claim the
//! person submitted) and what an approval does: within the person's authority it
//! decides the claim, above it the claim awaits a second approver. A refusal shows the
//! claim page again with the form as it was filled in and why.

use super::claim_page::{self, Refused};
use super::layout;
use super::{Say, Viewer};
use crate::serve::App;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use crate::serve::deciding;
use serde::Deserialize;
use std::sync::Arc;

/// The decision form.
#[derive(Deserialize)]
pub struct DecisionForm {
    csrf: String,
    kind: Option<String>,
    #[serde(default)]
    reason: String,
    /// For approvals: the amount and its currency.
    #[serde(default)]
    amount: String,
    #[serde(default)]
    currency: String,
    /// For approvals: the account paid out to, if the agent enters it.
    #[serde(default)]
    payout_ref: String,
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
    let refuse = |message: String| Refused {
        message,
        kind: f.kind.clone(),
        reason: f.reason.clone(),
        amount: f.amount.clone(),
        payout_ref: f.payout_ref.clone(),
    };
    let Some(kind) = f.kind.as_deref() else {
        let message = lang.say("Choose a decision.", "Kies een beslissing.").to_owned();
        return claim_page::render(&app, &viewer, &id, lang, Some(refuse(message))).await;
    };
    let request = deciding::Request {
        user: &viewer.user,
        role: viewer.role,
        scope: &viewer.scope,
        claim_id: &id,
        kind,
        reason: &f.reason,
        amount: Some((&f.amount, &f.currency)),
        payout_ref: Some(&f.payout_ref),
    };
    match deciding::decide(&app, &request).await {
        Ok(_) => Redirect::to(&format!("/claims/{id}#decide")).into_response(),
        Err(deciding::Refused::NotFound) => layout::not_found(lang),
        Err(deciding::Refused::Unavailable(e)) => layout::unavailable(lang, &e),
        Err(deciding::Refused::Invalid(t) | deciding::Refused::Forbidden(t) | deciding::Refused::Conflict(t)) => {
            claim_page::render(&app, &viewer, &id, lang, Some(refuse(t.get(lang).to_owned()))).await
        }
    }
}
