//! Signing in and out. The sign-in form is protected against login CSRF by a
//! one-time cookie its hidden field must match; each sign-in, refusal and sign-out is
//! in the audit trail.

use super::layout;
use super::{cookie, lang_of, local_path, set_cookie, Say, Viewer, SESSION_COOKIE};
use crate::serve::App;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use proofdesk_engine::Lang;
use proofdesk_storage::evidence::random_hex;
use proofdesk_storage::users::{SignIn, IDLE_MS, LIFETIME_MS};
use serde::Deserialize;
use std::sync::Arc;

/// The cookie that ties the sign-in form to the browser that asked for it.
const FORM_COOKIE: &str = "proofdesk_signin";

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// `GET /sign-in`.
pub async fn page(State(app): State<Arc<App>>, headers: HeaderMap, Query(q): Query<NextQuery>) -> Response {
    let lang = lang_of(&headers);
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Ok(Some(_)) = app.users.session(token).await {
            return Redirect::to(&local_path(q.next.as_deref())).into_response();
        }
    }
    form(&headers, lang, q.next.as_deref(), None, StatusCode::OK)
}

fn form(headers: &HeaderMap, lang: Lang, next: Option<&str>, error: Option<&str>, status: StatusCode) -> Response {
    let token = random_hex(16);
    let next = local_path(next);
    let body = html! {
        section.signin {
            h1 { (lang.say("Sign in", "Aanmelden")) }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            form method="post" action="/sign-in" {
                input type="hidden" name="form" value=(token);
                input type="hidden" name="next" value=(next);
                label for="name" { (lang.say("User name", "Gebruikersnaam")) }
                input #name name="name" type="text" autocomplete="username" required autofocus;
                label for="password" { (lang.say("Password", "Wachtwoord")) }
                input #password name="password" type="password" autocomplete="current-password" required;
                button type="submit" { (lang.say("Sign in", "Aanmelden")) }
            }
            p.hint { (lang.say(
                "No account yet? An administrator creates one with `proofdesk user add`.",
                "Nog geen account? Een beheerder maakt er een aan met `proofdesk user add`.")) }
        }
    };
    let mut r = layout::page(lang, None, lang.say("Sign in", "Aanmelden"), "/sign-in", body);
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::SET_COOKIE, set_cookie(headers, FORM_COOKIE, &token, 3600, true));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    r
}

#[derive(Deserialize)]
pub struct SignInForm {
    name: String,
    password: String,
    form: String,
    next: Option<String>,
}

/// `POST /sign-in`.
pub async fn submit(State(app): State<Arc<App>>, headers: HeaderMap, Form(f): Form<SignInForm>) -> Response {
    let lang = lang_of(&headers);
    let expected = cookie(&headers, FORM_COOKIE).unwrap_or("");
    if expected.is_empty() || expected != f.form || !super::same_origin(&headers) {
        return form(&headers, lang, f.next.as_deref(), Some(lang.say(
            "The sign-in form had expired. Please try again.",
            "Het aanmeldformulier was verlopen. Probeer het opnieuw.")), StatusCode::FORBIDDEN);
    }
    let outcome = match app.users.sign_in(&f.name, &f.password).await {
        Ok(o) => o,
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    };
    match outcome {
        SignIn::Accepted(user) => {
            let (token, _csrf) = match app.users.start_session(&user.id).await {
                Ok(t) => t,
                Err(e) => return layout::unavailable(lang, &e.to_string()),
            };
            let actor = format!("user:{}", user.id);
            if let Err(r) = super::record(&app, lang, &actor, "session.sign-in", None, &user.name).await {
                return r;
            }
            let mut r = Redirect::to(&local_path(f.next.as_deref())).into_response();
            let age = LIFETIME_MS.max(IDLE_MS) / 1000;
            r.headers_mut()
                .append(header::SET_COOKIE, set_cookie(&headers, SESSION_COOKIE, &token, age, true));
            r.headers_mut()
                .append(header::SET_COOKIE, set_cookie(&headers, FORM_COOKIE, "", 0, true));
            r
        }
        SignIn::Refused => {
            let name: String = f.name.trim().chars().take(64).collect();
            let _ = app.record("web", "session.refused", None, &name).await;
            form(&headers, lang, f.next.as_deref(), Some(lang.say(
                "The user name or password is not right.",
                "De gebruikersnaam of het wachtwoord klopt niet.")), StatusCode::UNAUTHORIZED)
        }
        SignIn::Locked(until) => {
            let name: String = f.name.trim().chars().take(64).collect();
            let _ = app.record("web", "session.locked", None, &name).await;
            let text = match lang {
                Lang::En => format!("Too many wrong passwords: this account is locked until {}. An administrator can set a new password with `proofdesk user set-password`.", layout::when(until)),
                Lang::Nl => format!("Te vaak een verkeerd wachtwoord: dit account is geblokkeerd tot {}. Een beheerder kan een nieuw wachtwoord instellen met `proofdesk user set-password`.", layout::when(until)),
            };
            form(&headers, lang, f.next.as_deref(), Some(&text), StatusCode::TOO_MANY_REQUESTS)
        }
    }
}

#[derive(Deserialize)]
pub struct SignOutForm {
    csrf: String,
}

/// `POST /sign-out`.
pub async fn sign_out(
    State(app): State<Arc<App>>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(f): Form<SignOutForm>,
) -> Response {
    if let Err(r) = viewer.check_form(&headers, &f.csrf) {
        return r;
    }
    if let Err(e) = app.users.end_session(&viewer.token).await {
        return layout::unavailable(viewer.lang, &e.to_string());
    }
    let _ = app.record(&viewer.actor(), "session.sign-out", None, "").await;
    let mut r = Redirect::to("/sign-in").into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, set_cookie(&headers, SESSION_COOKIE, "", 0, true));
    r
}
