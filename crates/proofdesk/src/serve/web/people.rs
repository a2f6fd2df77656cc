//! For supervisors and administrators: the people who sign in, their roles and what
//! each may approve alone, with a form to set it. Nobody sets their own authority.
//! Every change is in the audit trail.

use super::layout;
use super::{Say, Viewer};
use crate::serve::App;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use proofdesk_domain::authority::{LimitScope, Money, CURRENCIES};
use proofdesk_domain::claim::CHANNELS;
use proofdesk_domain::decision::Role;
use serde::Deserialize;
use std::sync::Arc;

/// `GET /people`.
pub async fn page(State(app): State<Arc<App>>, viewer: Viewer) -> Response {
    render(&app, &viewer, None).await
}

async fn render(app: &App, viewer: &Viewer, error: Option<String>) -> Response {
    let lang = viewer.lang;
    if !viewer.role.oversees() {
        return layout::not_allowed(lang);
    }
    let users = match app.users.list().await {
        Ok(u) => u,
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    };
    let mut rows = Vec::with_capacity(users.len());
    for u in users {
        match app.users.authority(&u.id).await {
            Ok(limits) => rows.push((u, limits)),
            Err(e) => return layout::unavailable(lang, &e.to_string()),
        }
    }
    let title = lang.say("People and authority", "Medewerkers en bevoegdheden");
    let body = html! {
        h1 { (title) }
        p { (lang.say(
            "What each person may approve alone. Above it, a second person whose authority covers the amount must complete the approval. Nobody sets their own authority.",
            "Wat ieder zelfstandig mag goedkeuren. Daarboven moet een tweede persoon met voldoende bevoegdheid de goedkeuring afronden. Niemand stelt de eigen bevoegdheid in.")) }
        @if let Some(e) = &error { p.error role="alert" { (e) } }
        table.people {
            thead { tr {
                th scope="col" { (lang.say("Name", "Naam")) }
                th scope="col" { (lang.say("Role", "Rol")) }
                th scope="col" { (lang.say("May approve alone", "Mag zelfstandig goedkeuren")) }
                th scope="col" { (lang.say("Set", "Instellen")) }
            } }
            tbody {
                @for (u, limits) in &rows {
                    tr {
                        th scope="row" { (u.display_name) br; small { (u.name) @if u.disabled_at.is_some() { " · " (lang.say("disabled", "uitgeschakeld")) } } }
                        td { (Role::parse(&u.role).map_or(u.role.clone(), |r| r.title().get(lang).to_owned())) }
                        td {
                            @if limits.is_empty() { (lang.say("nothing", "niets")) }
                            @for l in limits {
                                (Money { minor: l.max_minor, currency: l.currency.clone() }.display())
                                @if let Some(scope) = LimitScope::parse(&l.scope) { " — " (scope.describe().get(lang)) }
                                br;
                            }
                        }
                        td {
                            @if u.id == viewer.user.id {
                                small { (lang.say("not your own", "niet uw eigen")) }
                            } @else if u.disabled_at.is_none() {
                                form.inline method="post" action={ "/people/" (u.id) "/authority" } {
                                    input type="hidden" name="csrf" value=(viewer.csrf);
                                    label for={ "amount-" (u.id) } class="sr" { (lang.say("Amount", "Bedrag")) }
                                    input id={ "amount-" (u.id) } name="amount" type="text" inputmode="decimal" size="8" required;
                                    label for={ "currency-" (u.id) } class="sr" { (lang.say("Currency", "Valuta")) }
                                    select id={ "currency-" (u.id) } name="currency" {
                                        @for c in CURRENCIES { option value=(c) { (c) } }
                                    }
                                    label for={ "channel-" (u.id) } { (lang.say("for", "voor")) }
                                    select id={ "channel-" (u.id) } name="channel" {
                                        option value="" { (lang.say("any channel", "elk kanaal")) }
                                        @for c in CHANNELS { option value=(c) { (c) } }
                                    }
                                    label for={ "type-" (u.id) } class="sr" { (lang.say("Claim type (optional)", "Soort claim (optioneel)")) }
                                    input id={ "type-" (u.id) } name="claim_type" type="text" size="10"
                                        placeholder=(lang.say("or claim type", "of soort claim"));
                                    button type="submit" { (lang.say("Set", "Instellen")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let mut r = layout::page(lang, Some(viewer), title, "/people", body);
    if error.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// The authority form.
#[derive(Deserialize)]
pub struct AuthorityForm {
    csrf: String,
    amount: String,
    currency: String,
    /// A channel the limit is for (empty: any).
    #[serde(default)]
    channel: String,
    /// A claim type the limit is for (empty: any).
    #[serde(default)]
    claim_type: String,
}

/// `POST /people/{id}/authority`.
pub async fn set_authority(
    State(app): State<Arc<App>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(user_id): Path<String>,
    Form(f): Form<AuthorityForm>,
) -> Response {
    if let Err(r) = viewer.check_form(&headers, &f.csrf) {
        return r;
    }
    let lang = viewer.lang;
    if !viewer.role.oversees() {
        return layout::not_allowed(lang);
    }
    if user_id == viewer.user.id {
        let msg = lang.say("Nobody sets their own authority.", "Niemand stelt de eigen bevoegdheid in.").to_owned();
        return render(&app, &viewer, Some(msg)).await;
    }
    let target = match app.users.by_id(&user_id).await {
        Ok(Some(u)) if u.disabled_at.is_none() => u,
        Ok(_) => return layout::not_found(lang),
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    };
    let money = match Money::parse(&format!("{} {}", f.amount.trim(), f.currency.trim())) {
        Ok(m) => m,
        Err(why) => {
            let msg = format!("{}: {why}", lang.say("The amount cannot be used", "Het bedrag is niet bruikbaar"));
            return render(&app, &viewer, Some(msg)).await;
        }
    };
    let scope = match LimitScope::from_parts(Some(&f.channel), Some(&f.claim_type)) {
        Ok(s) => s,
        Err(why) => return render(&app, &viewer, Some(why)).await,
    };
    let stored = scope.as_ref().map_or(String::new(), LimitScope::as_stored);
    if let Err(e) = app.users.set_authority(&target.id, &stored, &money.currency, money.minor, &viewer.actor()).await {
        return layout::unavailable(lang, &e.to_string());
    }
    let detail = crate::users::authority_detail(&target, &money, scope.as_ref());
    if let Err(r) = super::record(&app, lang, &viewer.actor(), "user.set-authority", None, &detail).await {
        return r;
    }
    Redirect::to("/people").into_response()
}
