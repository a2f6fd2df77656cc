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
use proofdesk_domain::authority::{self, Approval, ApprovalOutcome, ApprovalRefused, Authority, Money};
use proofdesk_domain::decision::{self, DecisionKind, Refusal};
use proofdesk_storage::decisions::{NewDecision, Outcome};
use serde::Deserialize;
use std::sync::Arc;

/// How an approval above its approver's authority is stored until a second person completes it.
pub const PENDING: &str = "approve_pending";

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
        amount: f.amount.clone(),
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
    let actor = viewer.actor();
    if claim.submitted_by.as_deref() == Some(actor.as_str()) {
        let message = ApprovalRefused::OwnClaim.text().get(lang).to_owned();
        return claim_page::render(&app, &viewer, &id, lang, Some(refuse(message))).await;
    }
    let mut stored_kind = kind.as_str();
    let mut amount = None;
    if kind == DecisionKind::Approve {
        let money = match Money::parse(&format!("{} {}", f.amount.trim(), f.currency.trim())) {
            Ok(m) => m,
            Err(why) => {
                let message = format!("{}: {why}", lang.say("The amount cannot be used", "Het bedrag is niet bruikbaar"));
                return claim_page::render(&app, &viewer, &id, lang, Some(refuse(message))).await;
            }
        };
        let loaded = tokio::try_join!(app.users.authority(&viewer.user.id), app.decisions.of_claim(&id));
        let (limits, history) = match loaded {
            Ok(l) => l,
            Err(e) => return layout::unavailable(lang, &e.to_string()),
        };
        let pending = history.last().filter(|d| d.kind == PENDING && claim.decision.as_deref() == Some(PENDING));
        let first_amount = pending.and_then(|d| d.amount.clone()).map(|(minor, currency)| Money { minor, currency });
        let mine = Authority { limits };
        let approval = Approval {
            user_id: &viewer.user.id,
            authority: &mine,
            amount: &money,
            submitted_by: claim.submitted_by.as_deref(),
            first_approver: pending.map(|d| d.user_id.as_str()),
            first_amount: first_amount.as_ref(),
        };
        match authority::approve(&approval) {
            Ok(ApprovalOutcome::Decided) => {}
            Ok(ApprovalOutcome::AwaitingSecond) => stored_kind = PENDING,
            Err(refusal) => {
                let detail = format!("approval refused: {refusal}");
                let _ = app.record(&actor, "claim.decide-refused", Some(&id), &detail).await;
                let message = refusal.text().get(lang).to_owned();
                return claim_page::render(&app, &viewer, &id, lang, Some(refuse(message))).await;
            }
        }
        amount = Some(money);
    }
    let new = NewDecision {
        claim_id: &id,
        kind: stored_kind,
        reason: &reason,
        user_id: &viewer.user.id,
        band: claim.band.as_deref(),
        amount: amount.as_ref().map(|m| (m.minor, m.currency.as_str())),
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
