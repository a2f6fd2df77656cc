//! Evidence requests on the claim page: the form to ask the customer for better
//! evidence, the link to send (shown once), each request's state, and beside every
//! file that came in through one the code, the times and whether it looks original.

use super::layout;
use super::{Say, Viewer};
use crate::serve::evidence_requests::{self, NotMade};
use crate::serve::App;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use proofdesk_domain::evidence_request::{recapture_note, Ask, Originality};
use proofdesk_engine::Lang;
use proofdesk_storage::claims::{ClaimRecord, EvidenceRecord};
use proofdesk_storage::requests::EvidenceRequest;
use proofdesk_storage::time::now_ms;
use serde_json::Value;
use std::sync::Arc;

fn state(lang: Lang, s: &str) -> &'static str {
    match s {
        "sent" => lang.say("sent", "verstuurd"),
        "opened" => lang.say("opened", "geopend"),
        "answered" => lang.say("answered", "beantwoord"),
        "expired" => lang.say("expired", "verlopen"),
        _ => lang.say("withdrawn", "ingetrokken"),
    }
}

fn asks_text(lang: Lang, r: &EvidenceRequest) -> String {
    r.asks.iter().filter_map(|a| Ask::parse(a)).map(|a| a.title().get(lang).to_owned()).collect::<Vec<_>>().join(", ")
}

/// The claim page's section: requests so far and the form for a new one.
pub fn section(lang: Lang, viewer: &Viewer, c: &ClaimRecord, requests: &[EvidenceRequest]) -> Markup {
    let now = now_ms();
    let closed = matches!(c.decision.as_deref(), Some("approve" | "reject"));
    html! {
        section #requests aria-labelledby="requests-h" {
            h2 #requests-h { (lang.say("Better evidence from the customer", "Beter bewijs van de klant")) }
            @if !requests.is_empty() {
                table.requests {
                    thead { tr {
                        th scope="col" { (lang.say("Asked", "Gevraagd")) }
                        th scope="col" { (lang.say("State", "Stand")) }
                        th scope="col" { (lang.say("Code", "Code")) }
                        th scope="col" { (lang.say("Times", "Tijden")) }
                        th scope="col" { span.sr { (lang.say("Actions", "Acties")) } }
                    } }
                    tbody {
                        @for r in requests {
                            @let s = r.state(now);
                            tr {
                                td { (asks_text(lang, r)) br; small { (r.id) } }
                                td { (state(lang, s)) @if r.files > 0 { " · " (r.files) " " (lang.say("file(s)", "bestand(en)")) } }
                                td { @if let Some(code) = &r.code { code { (code) } } }
                                td.times {
                                    (lang.say("asked", "gevraagd")) " " (layout::when(r.created_at))
                                    @if let Some(t) = r.opened_at { br; (lang.say("opened", "geopend")) " " (layout::when(t)) }
                                    @if let Some(t) = r.code_shown_at { br; (lang.say("code shown", "code getoond")) " " (layout::when(t)) }
                                    @if let Some(t) = r.answered_at { br; (lang.say("answered", "beantwoord")) " " (layout::when(t)) }
                                    @if s == "sent" || s == "opened" { br; (lang.say("valid until", "geldig tot")) " " (layout::when(r.expires_at)) }
                                }
                                td {
                                    @if s == "sent" || s == "opened" {
                                        form method="post" action={ "/claims/" (c.id) "/evidence-requests/" (r.id) "/revoke" } {
                                            input type="hidden" name="csrf" value=(viewer.csrf);
                                            button.secondary type="submit" { (lang.say("Withdraw", "Intrekken")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !closed {
                form.request method="post" action={ "/claims/" (c.id) "/evidence-requests" } {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    fieldset {
                        legend { (lang.say("Ask the customer for", "Vraag de klant om")) }
                        @for a in Ask::ALL {
                            div.choice {
                                input type="checkbox" name="ask" id={ "ask-" (a.as_str()) } value=(a.as_str()) checked[a == Ask::NewPhoto];
                                label for={ "ask-" (a.as_str()) } { (a.title().get(lang)) }
                            }
                        }
                    }
                    label for="request-lang" { (lang.say("Language of the page", "Taal van de pagina")) }
                    select #request-lang name="lang" {
                        option value="nl" { "Nederlands" }
                        option value="en" { "English" }
                    }
                    label for="request-hours" { (lang.say("Link works for (hours)", "Link werkt (uren)")) }
                    input #request-hours name="hours" type="number" min="1" max=(evidence_requests::MAX_HOURS) value="72" inputmode="numeric";
                    button type="submit" { (lang.say("Request better evidence", "Om beter bewijs vragen")) }
                    p.hint { (lang.say(
                        "proofdesk makes a one-time link for you to send to the customer; the link is shown once.",
                        "proofdesk maakt een eenmalige link die u naar de klant stuurt; de link wordt één keer getoond.")) }
                }
            }
        }
    }
}

/// Beside a file the customer sent on request: the request, the code and the times,
/// the capture time the photo states, and whether it looks like an original.
pub fn arrival(lang: Lang, e: &EvidenceRecord, report: &Value, requests: &[EvidenceRequest]) -> Markup {
    let Some(r) = e.request_id.as_ref().and_then(|id| requests.iter().find(|r| &r.id == id)) else {
        return html! {};
    };
    let exif = report.pointer("/metadata/exif");
    let captured = exif.and_then(|x| x.get("captured")).and_then(Value::as_str);
    let has_camera = exif.is_some_and(|x| x.get("make").is_some_and(|m| !m.is_null()) || x.get("model").is_some_and(|m| !m.is_null()));
    let verdict = report.get("verdict").and_then(Value::as_str);
    let note = r.code_shown_at.and_then(|shown| recapture_note(shown, captured));
    html! {
        div.arrival.notice {
            strong { (lang.say("Sent by the customer on request", "Door de klant gestuurd op verzoek")) " " (r.id) }
            " (" (asks_text(lang, r)) ")"
            ul {
                @if let Some(code) = &r.code { li { (lang.say("Code to show:", "Te tonen code:")) " " code.big { (code) } } }
                @if let Some(t) = r.code_shown_at { li { (lang.say("Code shown:", "Code getoond:")) " " (layout::when(t)) } }
                @if let Some(t) = e.received_at { li { (lang.say("Photo arrived:", "Foto binnen:")) " " (layout::when(t)) } }
                li { (lang.say("Taken, as the photo says:", "Gemaakt, volgens de foto:")) " "
                     @if let Some(c) = captured { (c) } @else { (lang.say("no capture time in the file", "geen opnametijd in het bestand")) } }
                @if let Some(v) = verdict { li { (Originality::judge(v, has_camera).describe().get(lang)) } }
                @if let Some(n) = note { li.error { (n.get(lang)) } }
            }
        }
    }
}

/// The new-request form.
#[derive(serde::Deserialize)]
pub struct RequestForm {
    csrf: String,
    #[serde(default)]
    ask: Vec<String>,
    lang: Option<String>,
    hours: Option<String>,
}

/// `POST /claims/{id}/evidence-requests`: makes the link and shows it once.
pub async fn create(State(app): State<Arc<App>>, viewer: Viewer, headers: HeaderMap, Path(id): Path<String>, body: axum::body::Bytes) -> Response {
    let lang = viewer.lang;
    // Several `ask` values: read the pairs, as `Form` keeps only one per name.
    let mut f = RequestForm { csrf: String::new(), ask: Vec::new(), lang: None, hours: None };
    for (k, v) in form_urlencoded::parse(&body).into_owned() {
        match k.as_str() {
            "csrf" => f.csrf = v,
            "ask" => f.ask.push(v),
            "lang" => f.lang = Some(v),
            "hours" => f.hours = Some(v),
            _ => {}
        }
    }
    if let Err(r) = viewer.check_form(&headers, &f.csrf) {
        return r;
    }
    let claim = match app.claims.get(&id).await {
        Ok(Some(c)) if viewer.sees(c.client.as_deref()) => c,
        Ok(_) => return layout::not_found(lang),
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    };
    let hours = match f.hours.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        None => None,
        Some(h) => match h.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => return message(lang, &claim.id, StatusCode::UNPROCESSABLE_ENTITY, lang.say("Give the hours as a whole number.", "Geef de uren als een heel getal.")),
        },
    };
    let base = evidence_requests::base_url(&app, &headers);
    match evidence_requests::make(&app, &claim, &f.ask, f.lang.as_deref(), hours, &viewer.actor(), &base).await {
        Ok((request, url)) => link_page(lang, &viewer, &claim, &request, &url),
        Err(NotMade::Invalid(why)) => message(lang, &claim.id, StatusCode::UNPROCESSABLE_ENTITY, &why),
        Err(NotMade::Closed) => message(lang, &claim.id, StatusCode::CONFLICT, lang.say("This claim is closed.", "Deze claim is afgesloten.")),
        Err(NotMade::Unavailable(e)) => layout::unavailable(lang, &e),
    }
}

/// `POST /claims/{id}/evidence-requests/{request}/revoke`.
pub async fn revoke(State(app): State<Arc<App>>, viewer: Viewer, headers: HeaderMap, Path((id, request)): Path<(String, String)>, Form(f): Form<CsrfOnly>) -> Response {
    if let Err(r) = viewer.check_form(&headers, &f.csrf) {
        return r;
    }
    let lang = viewer.lang;
    match app.claims.get(&id).await {
        Ok(Some(c)) if viewer.sees(c.client.as_deref()) => {}
        Ok(_) => return layout::not_found(lang),
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    }
    match app.requests.get(&request).await {
        Ok(Some(r)) if r.claim_id == id => {}
        Ok(_) => return layout::not_found(lang),
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    }
    match app.requests.revoke(&request, &viewer.actor()).await {
        Ok(_) => Redirect::to(&format!("/claims/{id}#requests")).into_response(),
        Err(e) => layout::unavailable(lang, &e.to_string()),
    }
}

/// The link as a QR code (inline SVG, no XML prolog), or `None` if it does not fit.
fn qr_svg(url: &str) -> Option<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).build();
    Some(svg.find("<svg").map_or(svg.clone(), |at| svg[at..].to_owned()))
}

/// A form with only its CSRF token.
#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

fn message(lang: Lang, claim_id: &str, status: StatusCode, text: &str) -> Response {
    let body = html! {
        p.error role="alert" { (text) }
        p { a href={ "/claims/" (claim_id) "#requests" } { (lang.say("Back to the claim", "Terug naar de claim")) } }
    };
    let mut r = layout::page(lang, None, lang.say("Evidence request", "Bewijsverzoek"), "/", body);
    *r.status_mut() = status;
    r
}

fn link_page(lang: Lang, viewer: &Viewer, c: &ClaimRecord, r: &EvidenceRequest, url: &str) -> Response {
    let title = lang.say("Link for the customer", "Link voor de klant");
    let body = html! {
        h1 { (title) }
        p { (lang.say("Send this link to the customer now; it is shown only once and works once, until",
                "Stuur deze link nu naar de klant; hij wordt maar één keer getoond en werkt één keer, tot")) " " (layout::when(r.expires_at)) "." }
        label for="link" { (lang.say("Link", "Link")) }
        input #link type="text" readonly value=(url) size="70";
        button type="button" data-copy="link" hidden { (lang.say("Copy", "Kopiëren")) }
        @if let Some(svg) = qr_svg(url) {
            figure.qr role="img" aria-label=(lang.say("QR code of the link, for the customer to scan with a phone", "QR-code van de link, om met een telefoon te scannen")) {
                (maud::PreEscaped(svg))
                figcaption { (lang.say("Or let the customer scan this with their phone.", "Of laat de klant dit met de telefoon scannen.")) }
            }
        }
        @if let Some(code) = &r.code {
            p { (lang.say("The page will ask the customer to photograph the item with this code beside it:", "De pagina vraagt de klant het product met deze code ernaast te fotograferen:")) " " code { (code) } }
        }
        p { a href={ "/claims/" (c.id) "#requests" } { (lang.say("Back to the claim", "Terug naar de claim")) } }
    };
    let mut resp = layout::page(lang, Some(viewer), title, &format!("/claims/{}", c.id), body);
    resp.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    resp
}
