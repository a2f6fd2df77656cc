//! Entering a claim by hand, for teams without an integration: the context fields and
//! the photos (chosen or dropped on the form). The claim goes through the same checks,
//! storage and screening as one from the API; a resubmitted form (a double click, a
//! reload) does not make a second claim.

use super::layout;
use super::{Say, Viewer};
use crate::serve::claims::{accept, Part, MAX_FILES};
use crate::serve::{upload, App};
use axum::extract::multipart::Multipart;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use proofdesk_domain::claim::{ClaimContext, FieldError, CHANNELS};
use proofdesk_engine::Lang;
use proofdesk_storage::evidence::random_hex;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// The form's fields: name, English label, Dutch label, input type, required.
const FIELDS: [(&str, &str, &str, &str, bool); 16] = [
    ("external_ref", "Reference (ticket or case number)", "Referentie (ticket- of dossiernummer)", "text", true),
    ("customer_id", "Customer id (pseudonymous, not a name)", "Klant-id (pseudoniem, geen naam)", "text", true),
    ("client", "Client (brand)", "Opdrachtgever (merk)", "client", false),
    ("channel", "Channel", "Kanaal", "channel", false),
    ("language", "Customer's language (e.g. nl, en)", "Taal van de klant (bijv. nl, en)", "text", false),
    ("claim_type", "Claim type (e.g. damage, not-delivered)", "Soort claim (bijv. damage, not-delivered)", "text", false),
    ("product", "Product", "Product", "text", false),
    ("shop", "Shop bought from", "Gekocht bij (winkel)", "text", false),
    ("claimed_amount", "Amount claimed (e.g. 129.95)", "Geclaimd bedrag (bijv. 129,95)", "amount", false),
    ("currency", "Currency", "Valuta", "text", false),
    ("purchase_date", "Purchase date", "Aankoopdatum", "date", false),
    ("incident_date", "Incident date", "Datum voorval", "date", false),
    ("order_number", "Order number", "Ordernummer", "text", false),
    ("serial_numbers", "Serial numbers (separated by commas)", "Serienummers (gescheiden door komma's)", "text", false),
    ("delivery_postcode", "Delivery postcode", "Postcode aflevering", "text", false),
    ("delivery_country", "Delivery country (e.g. NL)", "Land aflevering (bijv. NL)", "text", false),
];

/// `GET /claims/new`.
pub async fn page(viewer: Viewer) -> Response {
    let mut values = HashMap::new();
    values.insert("currency".to_owned(), "EUR".to_owned());
    values.insert("delivery_country".to_owned(), "NL".to_owned());
    form(&viewer, &values, &[], None, StatusCode::OK)
}

fn form(viewer: &Viewer, values: &HashMap<String, String>, errors: &[FieldError], general: Option<&str>, status: StatusCode) -> Response {
    let lang = viewer.lang;
    // Each form shown gets its own token: sending it twice makes one claim.
    let once = random_hex(12);
    let error_of = |name: &str| errors.iter().find(|e| e.field == name).map(|e| e.message.clone());
    let body = html! {
        h1 { (lang.say("New claim", "Nieuwe claim")) }
        p { (lang.say(
            "For claims that do not come in through an integration. The photos are screened as soon as the claim is saved.",
            "Voor claims die niet via een koppeling binnenkomen. De foto's worden gecontroleerd zodra de claim is opgeslagen.")) }
        @if let Some(g) = general { p.error role="alert" { (g) } }
        @if !errors.is_empty() {
            div.error role="alert" {
                p { (lang.say("Please correct these fields:", "Verbeter deze velden:")) }
                ul { @for e in errors { li { a href={ "#f-" (e.field) } { (label(lang, &e.field)) } ": " (e.message) } } }
            }
        }
        form.newclaim method="post" action="/claims/new" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(viewer.csrf);
            input type="hidden" name="once" value=(once);
            @for (name, _, _, kind, required) in FIELDS {
                @let id = format!("f-{name}");
                @let value = values.get(name).cloned().unwrap_or_default();
                @let err = error_of(name);
                div.field {
                    label for=(id) { (label(lang, name)) @if required { " *" } }
                    @match kind {
                        "channel" => {
                            select id=(id) name=(name) {
                                option value="" { "—" }
                                @for c in CHANNELS { option value=(c) selected[value == c] { (c) } }
                            }
                        }
                        "client" => {
                            @match viewer.clients() {
                                Some(list) => {
                                    select id=(id) name=(name) required {
                                        @for c in &list { option value=(c) selected[value == *c] { (c) } }
                                    }
                                }
                                None => { input id=(id) name=(name) type="text" value=(value) maxlength="200"; }
                            }
                        }
                        "date" => { input id=(id) name=(name) type="date" value=(value) aria-invalid=[err.as_ref().map(|_| "true")]; }
                        "amount" => { input id=(id) name=(name) type="text" inputmode="decimal" value=(value) aria-invalid=[err.as_ref().map(|_| "true")]; }
                        _ => { input id=(id) name=(name) type="text" value=(value) required[required] maxlength="200" aria-invalid=[err.as_ref().map(|_| "true")]; }
                    }
                    @if let Some(e) = err { small.error { (e) } }
                }
            }
            div.field.drop #drop {
                label for="evidence" { (lang.say("Photos, receipts or screenshots (up to 20) *", "Foto's, bonnen of schermafbeeldingen (maximaal 20) *")) }
                input #evidence name="evidence" type="file" multiple required accept="image/*,.heic,.heif,.tif,.tiff";
                small { (lang.say("Choose files, or drop them here.", "Kies bestanden, of sleep ze hierheen.")) }
            }
            button type="submit" { (lang.say("Save and screen", "Opslaan en controleren")) }
        }
    };
    let mut r = layout::page(lang, Some(viewer), lang.say("New claim", "Nieuwe claim"), "/claims/new", body);
    *r.status_mut() = status;
    r
}

fn label(lang: Lang, field: &str) -> &'static str {
    FIELDS
        .iter()
        .find(|f| f.0 == field)
        .map(|f| lang.say(f.1, f.2))
        .unwrap_or(match lang {
            Lang::En => "field",
            Lang::Nl => "veld",
        })
}

/// `POST /claims/new`.
pub async fn submit(State(app): State<Arc<App>>, viewer: Viewer, request: Request) -> Response {
    let lang = viewer.lang;
    let (head, body) = request.into_parts();
    let exceeded = Arc::new(AtomicBool::new(false));
    let body = upload::limited(body, app.max_request, exceeded.clone());
    let too_large = || {
        form(&viewer, &HashMap::new(), &[], Some(&match lang {
            Lang::En => format!("The files together are larger than {} MiB. Send fewer or smaller files.", app.max_request >> 20),
            Lang::Nl => format!("De bestanden zijn samen groter dan {} MiB. Stuur minder of kleinere bestanden.", app.max_request >> 20),
        }), StatusCode::PAYLOAD_TOO_LARGE)
    };
    let headers = head.headers.clone();
    let mut multipart = match Multipart::from_request(Request::from_parts(head, body), &()).await {
        Ok(m) => m,
        Err(e) => return (StatusCode::BAD_REQUEST, e.body_text()).into_response(),
    };
    let mut values: HashMap<String, String> = HashMap::new();
    let mut parts: Vec<Part> = Vec::new();
    let mut too_many = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) if exceeded.load(std::sync::atomic::Ordering::SeqCst) => return too_large(),
            Err(e) => return (StatusCode::BAD_REQUEST, e.body_text()).into_response(),
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == "evidence" {
            let filename = field.file_name().map(str::to_owned);
            let media_type = field.content_type().map(str::to_owned);
            let bytes = match field.bytes().await {
                Ok(b) => b.to_vec(),
                Err(_) if exceeded.load(std::sync::atomic::Ordering::SeqCst) => return too_large(),
                Err(e) => return (StatusCode::BAD_REQUEST, e.body_text()).into_response(),
            };
            if bytes.is_empty() {
                continue;
            }
            if parts.len() == MAX_FILES {
                too_many = true;
                continue;
            }
            parts.push(Part { filename, media_type, bytes });
        } else {
            let text = match field.text().await {
                Ok(t) => t,
                Err(e) => return (StatusCode::BAD_REQUEST, e.body_text()).into_response(),
            };
            values.insert(name, text);
        }
    }
    if let Err(r) = viewer.check_form(&headers, values.get("csrf").map_or("", String::as_str)) {
        return r;
    }
    let context = match context_of(&values) {
        Ok(c) => c,
        Err(errors) => return form(&viewer, &values, &errors, None, StatusCode::UNPROCESSABLE_ENTITY),
    };
    if !viewer.sees(context.client.as_deref()) {
        let msg = lang.say("Your team does not serve this client.", "Uw team werkt niet voor deze opdrachtgever.");
        return form(&viewer, &values, &[], Some(msg), StatusCode::UNPROCESSABLE_ENTITY);
    }
    if too_many || parts.is_empty() {
        let msg = if too_many {
            lang.say("At most 20 files per claim.", "Maximaal 20 bestanden per claim.")
        } else {
            lang.say("Add at least one photo or document.", "Voeg minstens één foto of document toe.")
        };
        return form(&viewer, &values, &[], Some(msg), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let once = values.get("once").map(|o| format!("web:{}:{}", viewer.user.id, o.trim()));
    match accept(&app, &context, parts, &viewer.actor(), once.as_deref()).await {
        Ok((id, _)) => Redirect::to(&format!("/claims/{id}")).into_response(),
        Err(problem) => {
            log!("proofdesk web: a claim could not be saved: {problem:?}");
            let msg = lang.say(
                "The claim could not be saved: storage is unavailable. Nothing was stored; try again in a moment.",
                "De claim kon niet worden opgeslagen: de opslag is niet beschikbaar. Er is niets opgeslagen; probeer het zo opnieuw.",
            );
            form(&viewer, &values, &[], Some(msg), StatusCode::SERVICE_UNAVAILABLE)
        }
    }
}

/// The claim context from the form's fields, checked as the API checks it.
fn context_of(values: &HashMap<String, String>) -> Result<ClaimContext, Vec<FieldError>> {
    let mut obj = Map::new();
    for (name, ..) in FIELDS {
        let Some(v) = values.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) else {
            continue;
        };
        let value = match name {
            "serial_numbers" => Value::Array(
                v.split([',', '\n', ';'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_owned()))
                    .collect(),
            ),
            // A Dutch decimal comma is a decimal point.
            "claimed_amount" => Value::String(v.replace(',', ".")),
            "currency" | "delivery_country" => Value::String(v.to_uppercase()),
            _ => Value::String(v.to_owned()),
        };
        obj.insert(name.to_owned(), value);
    }
    ClaimContext::parse(&Value::Object(obj))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_become_a_checked_context() {
        let mut v = HashMap::new();
        v.insert("external_ref".into(), " ZD-9 ".into());
        v.insert("customer_id".into(), "cust-1".into());
        v.insert("claimed_amount".into(), "129,95".into());
        v.insert("currency".into(), "eur".into());
        v.insert("serial_numbers".into(), "SN1, SN2\nSN3".into());
        v.insert("product".into(), "   ".into());
        let c = context_of(&v).expect("valid");
        assert_eq!(c.external_ref, "ZD-9");
        assert_eq!(c.claimed_amount_minor, Some(12995));
        assert_eq!(c.currency.as_deref(), Some("EUR"));
        assert_eq!(c.serial_numbers, ["SN1", "SN2", "SN3"]);
        assert_eq!(c.product, None, "an empty field is left out");
        v.remove("customer_id");
        v.insert("purchase_date".into(), "2024-02-30".into());
        let errors = context_of(&v).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["customer_id", "purchase_date"]);
    }
}
