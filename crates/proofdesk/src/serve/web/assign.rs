//! Taking a claim into one's own queue and giving it back. A claim nobody took is in
//! the team's queue; one a colleague took is theirs, and deciding it anyway counts for
//! the insider rule "outside the queue". Every change is in the audit trail.

use super::layout;
use super::{Say, Viewer};
use crate::serve::App;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use proofdesk_engine::Lang;
use proofdesk_storage::claims::ClaimRecord;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

/// The take/release form.
#[derive(Deserialize)]
pub struct AssignForm {
    csrf: String,
    /// `take` or `release`.
    action: String,
}

/// Who has the claim, and the button to take or give it back (none once closed).
pub fn panel(lang: Lang, viewer: &Viewer, c: &ClaimRecord, names: &HashMap<String, String>) -> Markup {
    let closed = matches!(c.decision.as_deref(), Some("approve" | "reject"));
    let mine = c.assigned_to.as_deref() == Some(viewer.user.id.as_str());
    let holder = c.assigned_to.as_ref().map(|u| names.get(&format!("user:{u}")).cloned().unwrap_or_else(|| u.clone()));
    html! {
        form.assign method="post" action={ "/claims/" (c.id) "/assignment" } {
            input type="hidden" name="csrf" value=(viewer.csrf);
            @match (&holder, mine) {
                (Some(_), true) => { span { (lang.say("In your queue.", "In uw wachtrij.")) } " " }
                (Some(h), false) => { span { (lang.say("In the queue of", "In de wachtrij van")) " " (h) "." } " " }
                (None, _) => { span { (lang.say("In the team's queue.", "In de wachtrij van het team.")) } " " }
            }
            @if !closed {
                @if mine || (holder.is_some() && viewer.role.oversees()) {
                    button type="submit" name="action" value="release" { (lang.say("Give back to the team", "Teruggeven aan het team")) }
                } @else if holder.is_none() {
                    button type="submit" name="action" value="take" { (lang.say("Take this claim", "Deze claim oppakken")) }
                }
            }
        }
    }
}

/// `POST /claims/{id}/assignment`.
pub async fn submit(
    State(app): State<Arc<App>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<AssignForm>,
) -> Response {
    if let Err(r) = viewer.check_form(&headers, &f.csrf) {
        return r;
    }
    let lang = viewer.lang;
    let claim = match app.claims.get(&id).await {
        Ok(Some(c)) if viewer.sees(c.client.as_deref()) => c,
        Ok(_) => return layout::not_found(lang),
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    };
    let to = match f.action.as_str() {
        "take" => Some(viewer.user.id.as_str()),
        "release" => None,
        _ => return layout::not_found(lang),
    };
    // A colleague's claim moves only through a supervisor, or the insider rule
    // "outside the queue" would mean nothing.
    let colleagues = claim.assigned_to.as_deref().is_some_and(|a| a != viewer.user.id);
    if colleagues && !viewer.role.oversees() {
        return layout::not_allowed(lang);
    }
    match app.claims.assign(&id, to, &viewer.actor()).await {
        Ok(_) => Redirect::to(&format!("/claims/{id}")).into_response(),
        Err(e) => layout::unavailable(lang, &e.to_string()),
    }
}
