//! The customer's side of an evidence request: `/r/{secret}` shows what is asked
//! (with a one-time code for a new photo) and takes the files. No sign-in: the link's
//! long random secret is the key, kept only as a hash. Every opening and upload is in
//! the audit trail; requests are counted per link and per address; the form carries a
//! one-time token tied to a cookie; files are checked by content before anything is
//! stored; a link takes one answer.

mod limiter;
mod page;

pub use limiter::Limiter;

use super::upload;
use super::web::{cookie, same_origin, secure};
use super::App;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use page::Closed;
use proofdesk_domain::evidence_request::Ask;
use proofdesk_engine::format::Format;
use proofdesk_engine::Lang;
use proofdesk_storage::claims::NewEvidence;
use proofdesk_storage::requests::{Answered, EvidenceRequest};
use proofdesk_storage::time::{format_utc, now_ms};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Most files in one answer.
pub const MAX_FILES: usize = 5;
const WINDOW_MS: i64 = 10 * 60 * 1000;
/// Page views and uploads per address per 10 minutes.
const PER_ADDRESS: u32 = 60;
/// Page views per link per 10 minutes.
const PER_LINK: u32 = 30;
/// Upload attempts per link per 10 minutes.
const UPLOADS_PER_LINK: u32 = 6;
const FORM_COOKIE: &str = "pd_r";

/// What the customer pages say about the organisation.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How to reach a person, as the organisation words it (else a general sentence).
    pub contact: Option<String>,
    /// Days the files are kept after the claim is closed.
    pub retention_days: u32,
    /// Hours a link works unless the request says otherwise.
    pub request_hours: i64,
    /// The base URL of customer links, when proofdesk is behind a proxy.
    pub public_url: Option<String>,
}

impl Settings {
    /// How to reach a person.
    pub fn contact(&self, lang: Lang) -> String {
        use super::web::Say;
        self.contact.clone().unwrap_or_else(|| {
            lang.say(
                "Reply to the message that brought you here, or call our customer service; a person will help you.",
                "Beantwoord het bericht waarmee u deze link kreeg, of bel onze klantenservice; een mens helpt u verder.",
            )
            .to_owned()
        })
    }
}

/// The customer routes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/r/{token}", get(show).post(answer).layer(axum::extract::DefaultBodyLimit::disable()))
        .route("/assets/customer.css", get(css))
}

async fn css() -> Response {
    let mut r = include_str!("customer.css").into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    r
}

/// `?lang=en`.
#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

fn lang_of(q: Option<&str>, request: Option<&EvidenceRequest>) -> Lang {
    match q.or(request.map(|r| r.lang.as_str())) {
        Some("en") => Lang::En,
        _ => Lang::Nl,
    }
}

/// The peer's address, for counting (never stored).
fn peer(request: &Request) -> String {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string())
}

fn respond(status: StatusCode, lang: Lang, title: &str, body: maud::Markup) -> Response {
    let mut r = (status, Html(page::shell(lang, title, None, body).into_string())).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn refuse(app: &App, lang: Lang, why: Closed) -> Response {
    let status = match why {
        Closed::Unknown => StatusCode::NOT_FOUND,
        Closed::Used | Closed::Expired | Closed::Revoked => StatusCode::GONE,
        Closed::Busy => StatusCode::TOO_MANY_REQUESTS,
        Closed::StaleForm => StatusCode::FORBIDDEN,
        Closed::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    };
    respond(status, lang, "proofdesk", page::closed(lang, &app.customer, why))
}

/// Looks up a link and says why it cannot be used, if it cannot; a refused known
/// link is audited.
async fn open_request(app: &App, token: &str, now: i64, what: &str, asked: Option<&str>) -> Result<EvidenceRequest, (Closed, Lang)> {
    let fallback = lang_of(asked, None);
    let found = app.requests.by_token(token).await.map_err(|_| (Closed::Unavailable, fallback))?;
    let r = found.ok_or((Closed::Unknown, fallback))?;
    let lang = lang_of(asked, Some(&r));
    let why = match r.state(now) {
        "answered" => Closed::Used,
        "expired" => Closed::Expired,
        "revoked" => Closed::Revoked,
        _ => return Ok(r),
    };
    let detail = format!("{} {what} refused: the link is {}", r.id, r.state(now));
    app.record("customer", "evidence-request.refused", Some(&r.claim_id), &detail).await.map_err(|_| (Closed::Unavailable, lang))?;
    Err((why, lang))
}

fn asks_of(r: &EvidenceRequest) -> Vec<Ask> {
    r.asks.iter().filter_map(|a| Ask::parse(a)).collect()
}

/// The request page with a fresh form token.
fn request_page(app: &App, headers: &HeaderMap, lang: Lang, token: &str, r: &EvidenceRequest, error: Option<&str>, status: StatusCode) -> Response {
    let nonce = proofdesk_storage::evidence::random_hex(16);
    let asks = asks_of(r);
    let action = format!("/r/{token}?lang={}", if lang == Lang::En { "en" } else { "nl" });
    let expires = format_utc(r.expires_at);
    let p = page::RequestPage { asks: &asks, code: r.code.as_deref(), nonce: &nonce, action: &action, error, expires: &expires };
    let other = format!("/r/{token}?lang={}", if lang == Lang::En { "nl" } else { "en" });
    use super::web::Say;
    let title = lang.say("A request about your claim", "Een verzoek over uw claim");
    let html = page::shell(lang, title, Some(&other), page::request(lang, &app.customer, &p));
    let mut resp = (status, Html(html.into_string())).into_response();
    let mut c = format!("{FORM_COOKIE}={nonce}; Path=/r/; SameSite=Strict; HttpOnly; Max-Age=7200");
    if secure(headers) {
        c.push_str("; Secure");
    }
    if let Ok(v) = HeaderValue::from_str(&c) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn allowed(app: &App, token: &str, address: &str, per_link: (&str, u32), now: i64) -> bool {
    let link = format!("{}:{}", per_link.0, &proofdesk_storage::requests::token_hash(token)[..16]);
    app.limiter.allow(&format!("addr:{address}"), PER_ADDRESS, WINDOW_MS, now) && app.limiter.allow(&link, per_link.1, WINDOW_MS, now)
}

/// `GET /r/{token}`.
async fn show(State(app): State<Arc<App>>, Path(token): Path<String>, Query(q): Query<LangQuery>, request: Request) -> Response {
    let now = now_ms();
    let lang = lang_of(q.lang.as_deref(), None);
    if !allowed(&app, &token, &peer(&request), ("view", PER_LINK), now) {
        return refuse(&app, lang, Closed::Busy);
    }
    let r = match open_request(&app, &token, now, "opening", q.lang.as_deref()).await {
        Ok(r) => r,
        Err((why, lang)) => return refuse(&app, lang, why),
    };
    let lang = lang_of(q.lang.as_deref(), Some(&r));
    let shows_code = r.code.is_some();
    let detail = format!("{} opened{}", r.id, if shows_code { ", code shown" } else { "" });
    if app.requests.opened(&r, shows_code, &detail).await.is_err() {
        return refuse(&app, lang, Closed::Unavailable);
    }
    request_page(&app, request.headers(), lang, &token, &r, None, StatusCode::OK)
}

/// One uploaded file.
struct File {
    name: Option<String>,
    media_type: Option<String>,
    bytes: Vec<u8>,
}

/// `POST /r/{token}`.
async fn answer(State(app): State<Arc<App>>, Path(token): Path<String>, Query(q): Query<LangQuery>, request: Request) -> Response {
    let now = now_ms();
    let lang = lang_of(q.lang.as_deref(), None);
    if !allowed(&app, &token, &peer(&request), ("upload", UPLOADS_PER_LINK), now) {
        upload::drain(request.into_body().into_data_stream()).await;
        return refuse(&app, lang, Closed::Busy);
    }
    let r = match open_request(&app, &token, now, "upload", q.lang.as_deref()).await {
        Ok(r) => r,
        Err((why, lang)) => {
            upload::drain(request.into_body().into_data_stream()).await;
            return refuse(&app, lang, why);
        }
    };
    let lang = lang_of(q.lang.as_deref(), Some(&r));
    let headers = request.headers().clone();
    let (nonce, files) = match read_form(&app, request).await {
        Ok(read) => read,
        Err(Refusal::Page(why)) => return refuse(&app, lang, why),
        Err(Refusal::Again(en, nl)) => {
            let msg = if lang == Lang::En { en } else { nl };
            return request_page(&app, &headers, lang, &token, &r, Some(&msg), StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let expected = cookie(&headers, FORM_COOKIE).unwrap_or("");
    if !same_origin(&headers) || nonce.is_empty() || !proofdesk_storage::evidence::constant_time_eq(nonce.as_bytes(), expected.as_bytes()) {
        return refuse(&app, lang, Closed::StaleForm);
    }
    let receipt = r.asks.iter().any(|a| a == "receipt");
    let formats: Vec<Format> = files.iter().map(|f| Format::detect(&f.bytes)).collect();
    let problem = if files.is_empty() {
        Some(("Choose at least one photo or file.".to_owned(), "Kies minstens één foto of bestand.".to_owned()))
    } else {
        files.iter().zip(&formats).find_map(|(f, &format)| {
            let fits = matches!(format, Format::Jpeg | Format::Png | Format::Webp | Format::Heif | Format::Tiff) || (receipt && format == Format::Pdf);
            (!fits).then(|| {
                let name = f.name.clone().unwrap_or_default();
                (
                    format!("{name} is not a photo we can read. Send a photo (JPEG, PNG, HEIC, WebP){}.", if receipt { " or a PDF" } else { "" }),
                    format!("{name} is geen foto die wij kunnen lezen. Stuur een foto (JPEG, PNG, HEIC, WebP){}.", if receipt { " of een pdf" } else { "" }),
                )
            })
        })
    };
    if let Some((en, nl)) = problem {
        let msg = if lang == Lang::En { en } else { nl };
        return request_page(&app, &headers, lang, &token, &r, Some(&msg), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let customer_id = match app.claims.get(&r.claim_id).await {
        Ok(Some(c)) => c.customer_id,
        _ => return refuse(&app, lang, Closed::Unavailable),
    };
    let mut stored = Vec::with_capacity(files.len());
    for f in &files {
        match app.store.put_for(&f.bytes, &customer_id).await {
            Ok(s) => stored.push(s),
            Err(_) => return refuse(&app, lang, Closed::Unavailable),
        }
    }
    let evidence: Vec<NewEvidence> = files
        .iter()
        .zip(&stored)
        .map(|(f, s)| NewEvidence { filename: f.name.as_deref(), media_type: f.media_type.as_deref(), sha256: &s.sha256, size: s.size, key_id: &s.key_id })
        .collect();
    let names: Vec<&str> = formats.iter().map(|f| f.name()).collect();
    let detail = format!("{}: {} file(s) ({})", r.id, files.len(), names.join(", "));
    match app.requests.answer(&r, &evidence, &detail).await {
        Ok(Answered::Attached(_)) => {
            app.wake.notify_waiters();
            respond(StatusCode::OK, lang, "proofdesk", page::thanks(lang, &app.customer, files.len()))
        }
        Ok(Answered::Closed) => refuse(&app, lang, Closed::Used),
        Err(_) => refuse(&app, lang, Closed::Unavailable),
    }
}

/// Why a form could not be read.
enum Refusal {
    /// A refusal page.
    Page(Closed),
    /// The request page again with this message (English, Dutch).
    Again(String, String),
}

/// Reads the form token and the files, within the size and count limits.
async fn read_form(app: &App, request: Request) -> Result<(String, Vec<File>), Refusal> {
    let (head, body) = request.into_parts();
    let exceeded = Arc::new(AtomicBool::new(false));
    let body = upload::limited(body, app.max_request, exceeded.clone());
    let too_large = || {
        let mib = app.max_request >> 20;
        Refusal::Again(
            format!("The files together are larger than {mib} MB. Send fewer or smaller files."),
            format!("De bestanden zijn samen groter dan {mib} MB. Stuur minder of kleinere bestanden."),
        )
    };
    let bad = || Refusal::Page(Closed::StaleForm);
    let mut multipart = Multipart::from_request(Request::from_parts(head, body), &()).await.map_err(|_| bad())?;
    let mut nonce = String::new();
    let mut files = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) if exceeded.load(std::sync::atomic::Ordering::SeqCst) => return Err(too_large()),
            Err(_) => return Err(bad()),
        };
        match field.name().unwrap_or("") {
            "form" => nonce = field.text().await.map_err(|_| bad())?,
            "evidence" => {
                let name = field.file_name().map(str::to_owned);
                let media_type = field.content_type().map(str::to_owned);
                let bytes = match field.bytes().await {
                    Ok(b) => b.to_vec(),
                    Err(_) if exceeded.load(std::sync::atomic::Ordering::SeqCst) => return Err(too_large()),
                    Err(_) => return Err(bad()),
                };
                if bytes.is_empty() {
                    continue;
                }
                if files.len() == MAX_FILES {
                    return Err(Refusal::Again(
                        format!("At most {MAX_FILES} files at once."),
                        format!("Maximaal {MAX_FILES} bestanden tegelijk."),
                    ));
                }
                files.push(File { name, media_type, bytes });
            }
            _ => {}
        }
    }
    Ok((nonce, files))
}
