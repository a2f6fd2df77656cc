//! For compliance officers and administrators: the start page of the compliance
//! pages and the register of AI systems — each system's purpose, owner, users and
//! data, and its EU AI Act risk class worked out from a questionnaire that follows the
//! Act, with the reasoning and a review date. Exportable as CSV and JSON; every change
//! is in the audit trail.

use super::layout;
use super::{Say, Viewer};
use crate::compliance::cli::{register_csv, register_json, SystemFields};
use crate::compliance::{localized, register, Field};
use crate::serve::App;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use proofdesk_domain::ai_register::{classify, Part, RiskClass, BUILTINS, QUESTIONS};
use proofdesk_engine::Lang;
use proofdesk_storage::compliance::AiSystem;
use proofdesk_storage::time::{format_utc, now_ms};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// The compliance pages refuse everyone but compliance officers and administrators.
pub fn allowed(viewer: &Viewer) -> Result<(), Response> {
    if viewer.role.sees_compliance() {
        Ok(())
    } else {
        Err(layout::not_allowed(viewer.lang))
    }
}

/// `GET /compliance`: the pages, with what needs attention now.
pub async fn hub(State(app): State<Arc<App>>, viewer: Viewer) -> Response {
    if let Err(r) = allowed(&viewer) {
        return r;
    }
    let lang = viewer.lang;
    let now = now_ms();
    let year_ago = now - 365 * crate::compliance::DAY_MS;
    let loaded = tokio::try_join!(
        async { register(&app.compliance).await.map_err(|e| format!("{e:#}")) },
        async { app.compliance.editions().await.map_err(|e| e.to_string()) },
        async { proofdesk_storage::report_facts::read(&app.db, year_ago, now + 1, None).await.map_err(|e| e.to_string()) }
    );
    let (systems, editions, facts) = match loaded {
        Ok(l) => l,
        Err(e) => return layout::unavailable(lang, &e),
    };
    let today = format_utc(now)[..10].to_owned();
    let overdue = systems.iter().filter(|s| s.review_due.as_str() < today.as_str()).count();
    let unowned = systems.iter().filter(|s| s.owner.is_empty()).count();
    let alerts = proofdesk_domain::fairness::monitor(&crate::compliance::fairness_outcomes(&facts), &app.policy.fairness).alerts.len();
    let title = lang.say("Compliance", "Compliance");
    let card = |href: &str, name: &str, what: &str| html! { li { a href=(href) { strong { (name) } } br; span { (what) } } };
    let body = html! {
        h1 { (title) }
        p { (lang.say(
            "Evidence that the organisation is in control of its AI systems, made from what proofdesk measures and records.",
            "Bewijs dat de organisatie haar AI-systemen in de hand heeft, gemaakt uit wat proofdesk meet en vastlegt.")) }
        div.tiles {
            div.tile { strong { (systems.len()) } span { (lang.say("systems in the register", "systemen in het register")) } }
            div.tile { strong { (unowned + overdue) } span { (lang.say("without an owner or overdue for review", "zonder eigenaar of herbeoordeling verlopen")) } }
            div.tile { strong { (editions.len()) } span { (lang.say("editions of the documentation", "edities van de documentatie")) } }
            div.tile { strong { (alerts) } span { (lang.say("fairness alerts in the last year", "meldingen gelijke behandeling, afgelopen jaar")) } }
        }
        ul.cards {
            (card("/compliance/register", lang.say("AI register", "AI-register"), lang.say("Every AI system, its purpose, owner and EU AI Act risk class.", "Elk AI-systeem, het doel, de eigenaar en de risicoklasse onder de AI-verordening.")))
            (card("/compliance/ai-act", lang.say("AI Act documentation", "Documentatie AI-verordening"), lang.say("Generate a dated edition from the measured results.", "Maak een gedateerde editie uit de gemeten resultaten.")))
            (card("/compliance/oversight", lang.say("Human oversight", "Menselijk toezicht"), lang.say("Do people follow or overrule the routing, and do they look at the evidence?", "Volgen mensen de routering of wijken ze af, en bekijken ze het bewijs?")))
            (card("/compliance/fairness", lang.say("Fairness", "Gelijke behandeling"), lang.say("Outcomes compared across customer groups, with alerts.", "Uitkomsten vergeleken tussen klantgroepen, met meldingen.")))
            (card("/compliance/notices", lang.say("What customers are told", "Wat klanten te lezen krijgen"), lang.say("Every notice about the automated checks, with its version.", "Elke tekst over de automatische controles, met de versie.")))
        }
    };
    layout::page(lang, Some(&viewer), title, "/compliance", body)
}

fn name_of(lang: Lang, s: &AiSystem) -> &str {
    localized(lang, s, Field::Name)
}

/// A risk class as a badge.
pub fn class_badge(lang: Lang, class: &str) -> Markup {
    let title = RiskClass::parse(class).map_or(class.to_owned(), |c| c.title().get(lang).to_owned());
    html! { span class={ "risk risk-" (class) } { (title) } }
}

/// `GET /compliance/register`.
pub async fn list(State(app): State<Arc<App>>, viewer: Viewer) -> Response {
    if let Err(r) = allowed(&viewer) {
        return r;
    }
    let lang = viewer.lang;
    let systems = match register(&app.compliance).await {
        Ok(s) => s,
        Err(e) => return layout::unavailable(lang, &format!("{e:#}")),
    };
    let today = format_utc(now_ms())[..10].to_owned();
    let title = lang.say("AI register", "AI-register");
    let body = html! {
        h1 { (title) }
        p { (lang.say(
            "Every AI system the organisation uses. The risk class is not chosen: it follows from the answers to the questionnaire, which follows the EU AI Act. proofdesk's own components are filled in; review their answers and set an owner.",
            "Elk AI-systeem dat de organisatie gebruikt. De risicoklasse wordt niet gekozen: die volgt uit de antwoorden op de vragenlijst, die de AI-verordening volgt. De onderdelen van proofdesk zelf zijn ingevuld; controleer de antwoorden en wijs een eigenaar aan.")) }
        p { a.button href="/compliance/register/new" { (lang.say("Add a system", "Systeem toevoegen")) } " "
            a href="/compliance/register.csv" download="ai-register.csv" { (lang.say("Export CSV", "Exporteren als CSV")) } " · "
            a href="/compliance/register.json" download="ai-register.json" { (lang.say("Export JSON", "Exporteren als JSON")) } }
        table.register {
            thead { tr {
                th scope="col" { (lang.say("System", "Systeem")) }
                th scope="col" { (lang.say("Risk class", "Risicoklasse")) }
                th scope="col" { (lang.say("Owner", "Eigenaar")) }
                th scope="col" { (lang.say("Next review", "Volgende herbeoordeling")) }
            } }
            tbody {
                @for s in &systems {
                    tr {
                        th scope="row" { a href={ "/compliance/register/" (s.id) } { (name_of(lang, s)) } br; small { (localized(lang, s, Field::Purpose)) } }
                        td { (class_badge(lang, &s.risk_class)) }
                        td { @if s.owner.is_empty() { em.overdue { (lang.say("not yet assigned", "nog niet toegewezen")) } } @else { (s.owner) } }
                        td { @if s.review_due.as_str() < today.as_str() { strong.overdue { (s.review_due) " · " (lang.say("overdue", "verlopen")) } } @else { (s.review_due) } }
                    }
                }
            }
        }
    };
    layout::page(lang, Some(&viewer), title, "/compliance/register", body)
}

/// `GET /compliance/register/{id}` (`new` for a new system).
pub async fn edit(State(app): State<Arc<App>>, viewer: Viewer, Path(id): Path<String>) -> Response {
    if let Err(r) = allowed(&viewer) {
        return r;
    }
    if id == "new" {
        return form(&viewer, None, &HashMap::new(), None, StatusCode::OK);
    }
    if let Err(e) = register(&app.compliance).await {
        return layout::unavailable(viewer.lang, &format!("{e:#}"));
    }
    match app.compliance.system(&id).await {
        Ok(Some(s)) => form(&viewer, Some(&s), &HashMap::new(), None, StatusCode::OK),
        Ok(None) => layout::not_found(viewer.lang),
        Err(e) => layout::unavailable(viewer.lang, &e.to_string()),
    }
}

fn form(viewer: &Viewer, s: Option<&AiSystem>, typed: &HashMap<String, String>, error: Option<&str>, status: StatusCode) -> Response {
    let lang = viewer.lang;
    let value = |name: &str, current: Option<&str>| typed.get(name).cloned().or(current.map(str::to_owned)).unwrap_or_default();
    let answers: BTreeSet<String> = match s {
        Some(s) if typed.is_empty() => s.answers.iter().cloned().collect(),
        _ => typed.iter().filter(|(k, v)| k.starts_with("q:") && v.as_str() == "yes").map(|(k, _)| k[2..].to_owned()).collect(),
    };
    let c = classify(&answers);
    let in_a_year = format_utc(now_ms() + 365 * crate::compliance::DAY_MS)[..10].to_owned();
    let title = match s {
        Some(s) => name_of(lang, s).to_owned(),
        None => lang.say("Add a system", "Systeem toevoegen").to_owned(),
    };
    let action = match s {
        Some(s) => format!("/compliance/register/{}", s.id),
        None => "/compliance/register/new".into(),
    };
    let parts = [
        (Part::Definition, lang.say("Is it an AI system?", "Is het een AI-systeem?")),
        (Part::Prohibited, lang.say("Prohibited practices", "Verboden praktijken")),
        (Part::HighRisk, lang.say("High-risk areas", "Gebieden met hoog risico")),
        (Part::Exception, lang.say("The exception for narrow tasks", "De uitzondering voor beperkte taken")),
        (Part::Transparency, lang.say("Transparency duties", "Transparantieverplichtingen")),
    ];
    let text_field = |name: &str, label: &str, current: Option<&str>, long: bool| {
        let id = format!("f-{name}");
        html! { div.field {
            label for=(id) { (label) }
            @if long { textarea id=(id) name=(name) rows="3" maxlength="2000" { (value(name, current)) } }
            @else { input id=(id) name=(name) type="text" maxlength="2000" value=(value(name, current)); }
        } }
    };
    let body = html! {
        p { a href="/compliance/register" { "← " (lang.say("AI register", "AI-register")) } }
        h1 { (title) }
        @if let Some(e) = error { p.error role="alert" { (e) } }
        @if let Some(s) = s {
            p { (lang.say("Risk class now", "Risicoklasse nu")) ": " (class_badge(lang, &s.risk_class)) " · "
                (lang.say("last changed", "laatst gewijzigd")) " " (format_utc(s.updated_at)) " " (lang.say("by", "door")) " " (s.updated_by) }
        }
        form.register method="post" action=(action) {
            input type="hidden" name="csrf" value=(viewer.csrf);
            @if s.is_none() {
                div.field {
                    label for="f-id" { (lang.say("Id (lower-case letters, digits, hyphens), e.g. chatbot", "Id (kleine letters, cijfers, streepjes), bijv. chatbot")) }
                    input #f-id name="id" type="text" required pattern="[a-z0-9-]{1,60}" value=(value("id", None));
                }
            }
            (text_field("name", lang.say("Name", "Naam"), s.map(|s| name_of(lang, s)), false))
            (text_field("purpose", lang.say("Purpose", "Doel"), s.map(|s| localized(lang, s, Field::Purpose)), true))
            (text_field("owner", lang.say("Owner (the person or role accountable)", "Eigenaar (de verantwoordelijke persoon of rol)"), s.map(|s| s.owner.as_str()), false))
            (text_field("users", lang.say("Who uses its outputs", "Wie de uitkomsten gebruikt"), s.map(|s| localized(lang, s, Field::Users)), false))
            (text_field("data_used", lang.say("Data it uses", "Gegevens die het gebruikt"), s.map(|s| localized(lang, s, Field::Data)), true))
            div.field {
                label for="f-review" { (lang.say("Next review", "Volgende herbeoordeling")) }
                input #f-review name="review_due" type="date" required value=(value("review_due", Some(s.map_or(in_a_year.as_str(), |s| s.review_due.as_str()))));
            }
            h2 { (lang.say("Questionnaire", "Vragenlijst")) }
            p.hint { (lang.say("Tick what applies. The class follows from the answers in the Act's order.", "Vink aan wat van toepassing is. De klasse volgt uit de antwoorden, in de volgorde van de verordening.")) }
            @for (part, heading) in parts {
                fieldset.questions {
                    legend { (heading) }
                    @for q in QUESTIONS.iter().filter(|q| q.part == part) {
                        div.question {
                            input type="checkbox" id={ "q-" (q.id) } name={ "q:" (q.id) } value="yes" checked[answers.contains(q.id)];
                            label for={ "q-" (q.id) } { (lang.say(q.en, q.nl)) " " small { "(" (if lang == Lang::Nl { q.article_nl() } else { q.article.to_owned() }) ")" } }
                        }
                    }
                }
            }
            button type="submit" { (lang.say("Save and classify", "Opslaan en indelen")) }
        }
        @if s.is_some() || !typed.is_empty() {
            h2 { (lang.say("Classification from these answers", "Indeling volgens deze antwoorden")) ": " (class_badge(lang, c.class.as_str())) }
            ol.reasoning { @for r in &c.reasoning { li { (r.get(lang)) } } }
            h3 { (lang.say("What the organisation must do", "Wat de organisatie moet doen")) }
            ul { @for d in &c.duties { li { (d.get(lang)) } } }
        }
        p.hint { (lang.say("An aid to a documented assessment, not legal advice.", "Een hulpmiddel bij een vastgelegde beoordeling, geen juridisch advies.")) }
    };
    let mut r = layout::page(lang, Some(viewer), &title, "/compliance/register", body);
    *r.status_mut() = status;
    r
}

/// `POST /compliance/register/{id}`.
pub async fn save(State(app): State<Arc<App>>, viewer: Viewer, headers: HeaderMap, Path(id): Path<String>, Form(f): Form<HashMap<String, String>>) -> Response {
    if let Err(r) = viewer.check_form(&headers, f.get("csrf").map_or("", String::as_str)) {
        return r;
    }
    if let Err(r) = allowed(&viewer) {
        return r;
    }
    let lang = viewer.lang;
    let new = id == "new";
    let id = if new { f.get("id").map_or(String::new(), |i| i.trim().to_owned()) } else { id };
    let current = match app.compliance.system(&id).await {
        Ok(c) => c,
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    };
    if new && current.is_some() {
        let msg = lang.say("A system with this id is already in the register.", "Er staat al een systeem met dit id in het register.");
        return form(&viewer, None, &f, Some(msg), StatusCode::CONFLICT);
    }
    if !new && current.is_none() {
        return layout::not_found(lang);
    }
    let answers: Vec<&str> = f.iter().filter(|(k, v)| k.starts_with("q:") && v.as_str() == "yes").map(|(k, _)| &k[2..]).collect();
    // A builtin's shown (translated) text that was left as it was stays as stored.
    let keep = |name: &str, stored: Option<&String>, builtin_text: Option<(&str, &str)>| {
        let typed = f.get(name).cloned();
        match (typed, stored, builtin_text) {
            (Some(t), Some(s), Some((en, nl))) if s == en && t.trim() == nl => None,
            (t, _, _) => t,
        }
    };
    let b = BUILTINS.iter().find(|b| b.id == id);
    let fields = SystemFields {
        name: keep("name", current.as_ref().map(|c| &c.name), b.map(|b| b.name)),
        purpose: keep("purpose", current.as_ref().map(|c| &c.purpose), b.map(|b| b.purpose)),
        owner: f.get("owner").cloned(),
        users: keep("users", current.as_ref().map(|c| &c.users), b.map(|b| b.users)),
        data: keep("data_used", current.as_ref().map(|c| &c.data_used), b.map(|b| b.data)),
        answers: Some(answers.join(",")),
        review_due: f.get("review_due").cloned(),
    };
    let system = match fields.apply(&id, current.clone()) {
        Ok(s) => s,
        Err(e) => return form(&viewer, current.as_ref(), &f, Some(&e.to_string()), StatusCode::UNPROCESSABLE_ENTITY),
    };
    if let Err(e) = app.compliance.save(&system, &viewer.actor()).await {
        return layout::unavailable(lang, &e.to_string());
    }
    Redirect::to(&format!("/compliance/register/{}", system.id)).into_response()
}

/// `GET /compliance/register.csv`: the register for a spreadsheet.
pub async fn export_csv(State(app): State<Arc<App>>, viewer: Viewer) -> Response {
    export(&app, &viewer, true).await
}

/// `GET /compliance/register.json`: the register for another system.
pub async fn export_json(State(app): State<Arc<App>>, viewer: Viewer) -> Response {
    export(&app, &viewer, false).await
}

async fn export(app: &App, viewer: &Viewer, csv: bool) -> Response {
    if let Err(r) = allowed(viewer) {
        return r;
    }
    let lang = viewer.lang;
    let systems = match register(&app.compliance).await {
        Ok(s) => s,
        Err(e) => return layout::unavailable(lang, &format!("{e:#}")),
    };
    let (body, kind) = if csv {
        match register_csv(&systems) {
            Ok(text) => (text, "text/csv; charset=utf-8"),
            Err(e) => return layout::unavailable(lang, &format!("{e:#}")),
        }
    } else {
        (register_json(&systems).to_string(), "application/json")
    };
    if let Err(r) = super::record(app, lang, &viewer.actor(), "register.export", None, if csv { "csv" } else { "json" }).await {
        return r;
    }
    ([(header::CONTENT_TYPE, kind), (header::CONTENT_DISPOSITION, "attachment")], body).into_response()
}

/// `GET /compliance/notices`: every notice customers read about the automated checks,
/// versioned, as the portal and the message drafts use them.
pub async fn notices(viewer: Viewer) -> Response {
    if let Err(r) = allowed(&viewer) {
        return r;
    }
    let lang = viewer.lang;
    let title = lang.say("What customers are told", "Wat klanten te lezen krijgen");
    let body = html! {
        h1 { (title) }
        p { (lang.say(
            "The evidence portal and the message drafts take these texts from one list; a changed text gets a new version, and every edition of the AI Act documentation includes them.",
            "Het bewijsportaal en de conceptberichten halen deze teksten uit één lijst; een gewijzigde tekst krijgt een nieuwe versie, en elke editie van de documentatie voor de AI-verordening bevat ze.")) }
        table.notices {
            thead { tr {
                th scope="col" { (lang.say("Notice", "Tekst")) } th scope="col" { (lang.say("Version", "Versie")) }
                th scope="col" { (lang.say("Where", "Waar")) } th scope="col" { "English" } th scope="col" { "Nederlands" }
            } }
            tbody { @for n in &proofdesk_domain::transparency::NOTICES {
                tr {
                    th scope="row" { code { (n.id) } } td.num { (n.version) " · " (n.since) } td { (lang.say(n.shown.0, n.shown.1)) }
                    td lang="en" { @for line in n.en.lines() { (line) br; } }
                    td lang="nl" { @for line in n.nl.lines() { (line) br; } }
                }
            } }
        }
    };
    layout::page(lang, Some(&viewer), title, "/compliance/notices", body)
}
