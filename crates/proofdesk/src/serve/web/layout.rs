//! The page shell (header, navigation, language switch, sign-out) and the small
//! pieces every page shows: bands, times, durations, decisions.

use super::{url_encode, Say, Viewer};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};
use proofdesk_domain::decision::DecisionKind;
use proofdesk_engine::Lang;
use proofdesk_storage::audit::Recorded;
use proofdesk_storage::time::format_utc;
use proofdesk_storage::users::User;
use std::collections::HashMap;

/// A whole page: `path` is where the language switch returns to.
pub fn page(lang: Lang, viewer: Option<&Viewer>, title: &str, path: &str, body: Markup) -> Response {
    let lang_code = match lang {
        Lang::En => "en",
        Lang::Nl => "nl",
    };
    let other = match lang {
        Lang::En => ("nl", "Nederlands"),
        Lang::Nl => ("en", "English"),
    };
    let markup = html! {
        (DOCTYPE)
        html lang=(lang_code) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · proofdesk" }
                link rel="stylesheet" href="/assets/app.css";
                script src="/assets/app.js" defer {}
            }
            body {
                a.skip href="#main" { (lang.say("Skip to content", "Naar de inhoud")) }
                header.top {
                    a.brand href="/queue" { "proofdesk" }
                    @if let Some(v) = viewer {
                        nav aria-label=(lang.say("Main", "Hoofdmenu")) {
                            @if v.role.handles_claims() {
                                a href="/queue" { (lang.say("Queue", "Wachtrij")) }
                                a href="/queue?queue=fraud" { (lang.say("Fraud team", "Fraudeteam")) }
                                a href="/claims/new" { (lang.say("New claim", "Nieuwe claim")) }
                            }
                            a href="/rules" { (lang.say("Rules", "Regels")) }
                            @if v.role.sees_compliance() {
                                a href="/compliance" { (lang.say("Compliance", "Compliance")) }
                            }
                            @if !v.role.handles_claims() {
                                a href="/compliance/register" { (lang.say("AI register", "AI-register")) }
                                a href="/compliance/ai-act" { (lang.say("AI Act", "AI-verordening")) }
                                a href="/compliance/oversight" { (lang.say("Oversight", "Toezicht")) }
                                a href="/compliance/fairness" { (lang.say("Fairness", "Gelijke behandeling")) }
                            }
                            @if v.role.oversees() {
                                a href="/overview" { (lang.say("Overview", "Overzicht")) }
                                a href="/audit" { (lang.say("Audit trail", "Audittrail")) }
                                a href="/people" { (lang.say("People", "Medewerkers")) }
                            }
                        }
                    }
                    div.who {
                        a href={ "/language?to=" (other.0) "&back=" (url_encode(path)) } lang=(other.0) { (other.1) }
                        @if let Some(v) = viewer {
                            span { (v.user.display_name) " · " (v.role.title().get(lang)) }
                            form method="post" action="/sign-out" {
                                input type="hidden" name="csrf" value=(v.csrf);
                                button type="submit" { (lang.say("Sign out", "Afmelden")) }
                            }
                        }
                    }
                }
                main #main { (body) }
            }
        }
    };
    Html(markup.into_string()).into_response()
}

/// A page saying what went wrong, with a status.
pub fn message(status: StatusCode, lang: Lang, title: &str, text: &str) -> Response {
    let mut r = page(
        lang,
        None,
        title,
        "/queue",
        html! { h1 { (title) } p { (text) } p { a href="/queue" { (lang.say("Back to the queue", "Terug naar de wachtrij")) } } },
    );
    *r.status_mut() = status;
    r
}

/// 503: storage cannot be reached.
pub fn unavailable(lang: Lang, detail: &str) -> Response {
    log!("proofdesk web: storage unavailable: {detail}");
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        lang,
        lang.say("Temporarily unavailable", "Tijdelijk niet beschikbaar"),
        lang.say(
            "The database or evidence store cannot be reached. Nothing was lost; try again in a moment.",
            "De database of de bewijsopslag is niet bereikbaar. Er is niets verloren gegaan; probeer het zo opnieuw.",
        ),
    )
}

/// 404.
pub fn not_found(lang: Lang) -> Response {
    message(
        StatusCode::NOT_FOUND,
        lang,
        lang.say("Not found", "Niet gevonden"),
        lang.say("There is no such claim or file.", "Deze claim of dit bestand bestaat niet."),
    )
}

/// 403 for a page the role may not see.
pub fn not_allowed(lang: Lang) -> Response {
    message(
        StatusCode::FORBIDDEN,
        lang,
        lang.say("Not for your role", "Niet voor uw rol"),
        lang.say(
            "This page is not part of your role's work. Ask an administrator if you need it.",
            "Deze pagina hoort niet bij het werk van uw rol. Vraag een beheerder als u hem nodig hebt.",
        ),
    )
}

/// A band as a coloured label with its name in words.
pub fn band(lang: Lang, band: Option<&str>) -> Markup {
    let (class, text) = match band {
        Some("escalate") => ("band escalate", lang.say("escalate", "doorzetten")),
        Some("review") => ("band review", lang.say("review", "beoordelen")),
        Some("clear") => ("band clear", lang.say("clear", "in orde")),
        _ => ("band none", lang.say("not screened yet", "nog niet gecontroleerd")),
    };
    html! { span class=(class) { (text) } }
}

/// A claim's status in words.
pub fn status(lang: Lang, status: &str) -> &'static str {
    match status {
        "received" => lang.say("received", "ontvangen"),
        "screening" => lang.say("being screened", "wordt gecontroleerd"),
        "screened" => lang.say("screened", "gecontroleerd"),
        "failed" => lang.say("screening failed", "controle mislukt"),
        _ => lang.say("unknown", "onbekend"),
    }
}

/// A claim's state after its latest decision ("approved"), or "open".
pub fn outcome(lang: Lang, kind: Option<&str>) -> String {
    if kind == Some(crate::serve::deciding::PENDING) {
        return lang.say("awaiting second approval", "wacht op tweede goedkeuring").to_owned();
    }
    match kind.and_then(DecisionKind::parse) {
        Some(k) => k.outcome().get(lang).to_owned(),
        None => lang.say("open", "open").to_owned(),
    }
}

/// Display names by audit actor (`user:ID`).
pub fn actor_names(users: Vec<User>) -> HashMap<String, String> {
    users
        .into_iter()
        .map(|u| (format!("user:{}", u.id), u.display_name))
        .collect()
}

/// Audit entries as a table, in the order given; `with_claim` adds a claim column.
pub fn audit_table(lang: Lang, entries: &[Recorded], names: &HashMap<String, String>, with_claim: bool) -> Markup {
    html! {
        table.audit {
            thead { tr {
                th scope="col" { "#" }
                th scope="col" { (lang.say("When", "Wanneer")) }
                th scope="col" { (lang.say("Who", "Wie")) }
                th scope="col" { (lang.say("What", "Wat")) }
                @if with_claim { th scope="col" { (lang.say("Claim", "Claim")) } }
                th scope="col" { (lang.say("Detail", "Detail")) }
            } }
            tbody {
                @for a in entries {
                    tr {
                        td.num { (a.seq) }
                        td { (when(a.at)) }
                        td { (names.get(&a.actor).cloned().unwrap_or_else(|| a.actor.clone())) }
                        td { code { (a.action) } }
                        @if with_claim {
                            td { @if let Some(c) = &a.claim_id { a href={ "/claims/" (c) } { (c) } } }
                        }
                        td { (a.detail) }
                    }
                }
            }
        }
    }
}

/// A moment, in UTC.
pub fn when(ms: i64) -> String {
    format_utc(ms)
}

/// A length of time as a person says it: `45 min`, `3 h 12 min`, `2 d 4 h`.
pub fn duration(lang: Lang, ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let day = lang.say("d", "d");
    let hour = lang.say("h", "u");
    if d > 0 {
        format!("{d} {day} {h} {hour}")
    } else if h > 0 {
        format!("{h} {hour} {m} min")
    } else {
        format!("{m} min")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_person_says_them() {
        assert_eq!(duration(Lang::En, 45 * 60_000), "45 min");
        assert_eq!(duration(Lang::Nl, (3 * 60 + 12) * 60_000), "3 u 12 min");
        assert_eq!(duration(Lang::En, (2 * 1440 + 4 * 60 + 5) * 60_000), "2 d 4 h");
        assert_eq!(duration(Lang::En, -5), "0 min");
    }
}
