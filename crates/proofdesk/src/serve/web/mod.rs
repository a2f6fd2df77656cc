//! The web workspace for agents, the fraud team, supervisors and administrators:
//! server-rendered pages (no script needed; a little for copying and drag and drop),
//! served by `proofdesk serve` beside the API. Dutch by default, English selectable.
//!
//! Security: a session is an HttpOnly cookie (`SameSite=Lax`, `Secure` unless the
//! server is reached on a loopback address) whose token is stored only hashed; every
//! form carries the session's CSRF token and a cross-origin POST is refused; pages
//! send a strict Content-Security-Policy (no inline script, nothing from elsewhere).

// Handlers and their helpers return ready pages as errors; boxing them gains nothing.
#![allow(clippy::result_large_err)]

mod assets;
mod assign;
mod claim_page;
mod compliance;
mod compliance_reports;
mod decide;
pub mod files;
pub(crate) mod layout;
mod new_claim;
mod overview;
mod people;
mod queue;
mod receipt_view;
mod requests;
mod sign_in;

use super::App;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use proofdesk_domain::decision::Role;
use proofdesk_engine::Lang;
use proofdesk_storage::teams::Scope;
use proofdesk_storage::users::User;
use serde::Deserialize;
use std::sync::Arc;

/// The session cookie.
const SESSION_COOKIE: &str = "proofdesk_session";
/// The language cookie (`nl` or `en`).
const LANG_COOKIE: &str = "proofdesk_lang";

/// The workspace's routes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/queue") }))
        .route("/sign-in", get(sign_in::page).post(sign_in::submit))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/language", get(language))
        .route("/queue", get(queue::page))
        .route(
            "/claims/new",
            get(new_claim::page)
                .post(new_claim::submit)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/claims/{id}", get(claim_page::page))
        .route("/claims/{id}/decisions", post(decide::submit))
        .route("/claims/{id}/assignment", post(assign::submit))
        .route("/claims/{id}/evidence-requests", post(requests::create))
        .route("/claims/{id}/evidence-requests/{request}/revoke", post(requests::revoke))
        .route("/claims/{id}/files/{pos}", get(files::preview))
        .route("/claims/{id}/files/{pos}/original", get(files::original))
        .route("/claims/{id}/files/{pos}/position", get(files::position))
        .route("/claims/{id}/files/{pos}/heatmaps/{method}", get(files::heatmap))
        .route("/evidence/{sha256}", get(files::by_hash))
        .route("/overview", get(overview::page))
        .route("/people", get(people::page))
        .route("/people/{id}/authority", post(people::set_authority))
        .route("/audit", get(overview::audit))
        .route("/rules", get(overview::rules))
        .route("/compliance", get(compliance::hub))
        .route("/compliance/register", get(compliance::list))
        .route("/compliance/register.csv", get(compliance::export_csv))
        .route("/compliance/register.json", get(compliance::export_json))
        .route("/compliance/register/{id}", get(compliance::edit).post(compliance::save))
        .route("/compliance/ai-act", get(compliance_reports::editions).post(compliance_reports::generate))
        .route("/compliance/ai-act/{edition}", get(compliance_reports::edition))
        .route("/compliance/oversight", get(compliance_reports::oversight_page))
        .route("/compliance/fairness", get(compliance_reports::fairness_page))
        .route("/compliance/notices", get(compliance::notices))
        .route("/assets/app.css", get(assets::css))
        .route("/assets/app.js", get(assets::js))
}

/// Headers every workspace response carries.
pub async fn security_headers(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut r = next.run(request).await;
    let h = r.headers_mut();
    let set = |h: &mut HeaderMap, name: &'static str, value: &'static str| {
        if !h.contains_key(name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
         object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "same-origin");
    set(h, "x-frame-options", "DENY");
    r
}

/// A person's language: two sentences in, the right one out.
pub trait Say {
    /// `en` or `nl`, by language.
    fn say<'a>(self, en: &'a str, nl: &'a str) -> &'a str;
}

impl Say for Lang {
    fn say<'a>(self, en: &'a str, nl: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Nl => nl,
        }
    }
}

/// A cookie's value from the request.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The language the request asks for: its cookie, else Dutch.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    match cookie(headers, LANG_COOKIE) {
        Some("en") => Lang::En,
        _ => Lang::Nl,
    }
}

/// Whether cookies get `Secure`: not on a loopback address, where there is no TLS.
pub(crate) fn secure(headers: &HeaderMap) -> bool {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let name = host.rsplit_once(':').map_or(host, |(n, p)| {
        if p.bytes().all(|b| b.is_ascii_digit()) {
            n
        } else {
            host
        }
    });
    !matches!(name, "localhost" | "127.0.0.1" | "[::1]")
}

/// A `Set-Cookie` value with the workspace's attributes.
fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age_s: i64, http_only: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; SameSite=Lax; Max-Age={max_age_s}");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure(headers) {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// A relative path to return to, or the queue (never another site).
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_owned(),
        _ => "/queue".to_owned(),
    }
}

#[derive(Deserialize)]
struct LanguageQuery {
    to: Option<String>,
    back: Option<String>,
}

/// `GET /language?to=en&back=/queue`: keeps the choice in a cookie for a year.
async fn language(headers: HeaderMap, Query(q): Query<LanguageQuery>) -> Response {
    let value = if q.to.as_deref() == Some("en") { "en" } else { "nl" };
    let mut r = Redirect::to(&local_path(q.back.as_deref())).into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(&headers, LANG_COOKIE, value, 365 * 86_400, false),
    );
    r
}

/// The signed-in person making a request.
pub struct Viewer {
    /// Their account.
    pub user: User,
    /// Their role.
    pub role: Role,
    /// The token their forms carry.
    pub csrf: String,
    /// Which claims they may see (their teams' clients).
    pub scope: Scope,
    /// Their language.
    pub lang: Lang,
    /// The session token (to end it).
    token: String,
}

impl Viewer {
    /// Whether they may see a claim of `client` (another client's claim does not exist
    /// for them: 404, not 403).
    pub fn sees(&self, client: Option<&str>) -> bool {
        self.scope.allows(client)
    }

    /// Their scope as a list filter.
    pub fn clients(&self) -> Option<Vec<String>> {
        match &self.scope {
            Scope::All => None,
            Scope::Clients(list) => Some(list.clone()),
        }
    }

    /// The actor in the audit trail.
    pub fn actor(&self) -> String {
        format!("user:{}", self.user.id)
    }

    /// Checks a form's CSRF token and that the request came from this site.
    pub fn check_form(&self, headers: &HeaderMap, token: &str) -> Result<(), Response> {
        if !same_origin(headers) || !proofdesk_storage::evidence::constant_time_eq(token.as_bytes(), self.csrf.as_bytes()) {
            return Err(forbidden_form(self.lang));
        }
        Ok(())
    }
}

/// A POST whose Origin (when sent) is this host.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split_once("://").map_or("", |(_, h)| h);
    !host.is_empty() && origin_host == host
}

fn forbidden_form(lang: Lang) -> Response {
    (
        StatusCode::FORBIDDEN,
        axum::response::Html(
            lang.say(
                "This form has expired or did not come from proofdesk. Go back, reload the page and try again.",
                "Dit formulier is verlopen of kwam niet van proofdesk. Ga terug, laad de pagina opnieuw en probeer het nog eens.",
            )
            .to_owned(),
        ),
    )
        .into_response()
}

impl FromRequestParts<Arc<App>> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Viewer, Response> {
        let lang = lang_of(&parts.headers);
        let to_sign_in = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default();
            let mut q = String::from("/sign-in?next=");
            q.push_str(&url_encode(&next));
            Redirect::to(&q).into_response()
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned) else {
            return Err(to_sign_in());
        };
        let session = app
            .users
            .session(&token)
            .await
            .map_err(|e| layout::unavailable(lang, &e.to_string()))?;
        let Some(session) = session else {
            return Err(to_sign_in());
        };
        let Some(role) = Role::parse(&session.user.role) else {
            return Err(to_sign_in());
        };
        // A compliance officer sees figures, never a claim or a customer's file.
        let path = parts.uri.path();
        if !role.handles_claims() && !path.starts_with("/compliance") && !matches!(path, "/rules" | "/sign-out") {
            return Err(if path == "/queue" { Redirect::to("/compliance").into_response() } else { layout::not_allowed(lang) });
        }
        let scope = app
            .teams
            .scope(&session.user.id, &session.user.role)
            .await
            .map_err(|e| layout::unavailable(lang, &e.to_string()))?;
        Ok(Viewer {
            user: session.user,
            role,
            csrf: session.csrf,
            scope,
            lang,
            token,
        })
    }
}

/// Appends to the audit trail, or gives the page that says it cannot (nothing is
/// shown or changed unrecorded).
async fn record(
    app: &App,
    lang: Lang,
    actor: &str,
    action: &str,
    claim_id: Option<&str>,
    detail: &str,
) -> Result<(), Response> {
    app.record(actor, action, claim_id, detail)
        .await
        .map_err(|p| layout::unavailable(lang, &format!("{p:?}")))
}

/// Percent-encodes a query value.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_paths_and_origins() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; proofdesk_lang=en; b=2"));
        assert_eq!(cookie(&h, "proofdesk_lang"), Some("en"));
        assert_eq!(lang_of(&h), Lang::En);
        assert_eq!(lang_of(&HeaderMap::new()), Lang::Nl, "Dutch by default");
        assert_eq!(local_path(Some("/claims/x?y=1")), "/claims/x?y=1");
        for bad in ["//evil.example", "https://evil.example", "/\\evil"] {
            assert_eq!(local_path(Some(bad)), "/queue", "{bad}");
        }
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(!secure(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("http://127.0.0.1:8080"));
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("http://evil.example"));
        assert!(!same_origin(&h));
        h.insert(header::HOST, HeaderValue::from_static("claims.example.nl"));
        assert!(secure(&h));
        assert!(proofdesk_storage::evidence::constant_time_eq(b"abc", b"abc") && !proofdesk_storage::evidence::constant_time_eq(b"abc", b"abd"));
    }
}
