//! The compliance reports in the workspace: editions of the AI Act documentation
//! (generated on request, kept as generated), the human-oversight report and the
//! fairness report, each for a period the reader chooses.

use super::compliance::allowed;
use super::layout;
use super::{Say, Viewer};
use crate::compliance::{ai_act, fairness_outcomes, month_of, oversight_trails};
use crate::serve::App;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use proofdesk_domain::fairness::{self, Metric};
use proofdesk_domain::oversight::{self, Section};
use proofdesk_engine::Lang;
use proofdesk_storage::time::{format_utc, now_ms};
use serde::Deserialize;
use std::sync::Arc;

/// `GET /compliance/ai-act`: the editions, and a button for a new one.
pub async fn editions(State(app): State<Arc<App>>, viewer: Viewer) -> Response {
    if let Err(r) = allowed(&viewer) {
        return r;
    }
    let lang = viewer.lang;
    let version = env!("CARGO_PKG_VERSION");
    let loaded = tokio::try_join!(
        app.compliance.editions(),
        app.compliance.latest_evaluation("screen", Some(version)),
        app.compliance.latest_evaluation("detector", Some(version))
    );
    let (list, eval, detector) = match loaded {
        Ok(l) => l,
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    };
    let title = lang.say("AI Act documentation", "Documentatie AI-verordening");
    let body = html! {
        h1 { (title) }
        p { (lang.say(
            "Each edition is made from the records at that moment — the register, the latest evaluation of this version, the routing policy, the oversight and fairness figures, the audit trail — and kept as it was made.",
            "Elke editie wordt gemaakt uit de vastleggingen van dat moment — het register, de laatste evaluatie van deze versie, het routeringsbeleid, de cijfers over toezicht en gelijke behandeling, de audittrail — en bewaard zoals ze is gemaakt.")) }
        @match &eval {
            Some(e) => p { (lang.say("Evaluation of proofdesk", "Evaluatie van proofdesk")) " " (version) ": " (lang.say("recorded", "vastgelegd")) " " (format_utc(e.recorded_at)) "." }
            None => p.warn role="status" { (lang.say(
                "No evaluation of this version has been recorded yet; the document will say so. Run `proofdesk eval CORPUS --record` on the server first.",
                "Er is nog geen evaluatie van deze versie vastgelegd; het document vermeldt dat. Voer eerst `proofdesk eval CORPUS --record` uit op de server.")) }
        }
        @if detector.is_none() {
            p.hint { (lang.say("The detector's calibration is added once `proofdesk eval CORPUS --detector --record` has run.", "De kalibratie van de detector komt erbij zodra `proofdesk eval CORPUS --detector --record` heeft gedraaid.")) }
        }
        form method="post" action="/compliance/ai-act" {
            input type="hidden" name="csrf" value=(viewer.csrf);
            label for="doc-lang" { (lang.say("Language", "Taal")) " " }
            select #doc-lang name="lang" {
                option value="nl" selected[lang == Lang::Nl] { "Nederlands" }
                option value="en" selected[lang == Lang::En] { "English" }
            }
            " "
            button type="submit" { (lang.say("Generate a new edition", "Nieuwe editie maken")) }
        }
        h2 { (lang.say("Editions", "Edities")) }
        @if list.is_empty() { p { (lang.say("None yet.", "Nog geen.")) } }
        @else {
            table.editions {
                thead { tr {
                    th scope="col" { (lang.say("Edition", "Editie")) } th scope="col" { (lang.say("Made", "Gemaakt")) }
                    th scope="col" { (lang.say("By", "Door")) } th scope="col" { "proofdesk" } th scope="col" { "SHA-256" }
                } }
                tbody { @for e in &list {
                    tr {
                        th scope="row" { a href={ "/compliance/ai-act/" (e.edition) } { (lang.say("Edition", "Editie")) " " (e.edition) } }
                        td { (format_utc(e.generated_at)) } td { (e.generated_by) } td { (e.proofdesk_version) }
                        td { code { (e.sha256.get(..16).unwrap_or("")) "…" } }
                    }
                } }
            }
        }
    };
    layout::page(lang, Some(&viewer), title, "/compliance/ai-act", body)
}

/// The form that asks for a new edition.
#[derive(Deserialize)]
pub struct GenerateForm {
    csrf: String,
    lang: Option<String>,
}

/// `POST /compliance/ai-act`: makes and stores a new edition, then shows it.
pub async fn generate(State(app): State<Arc<App>>, viewer: Viewer, headers: HeaderMap, Form(f): Form<GenerateForm>) -> Response {
    if let Err(r) = viewer.check_form(&headers, &f.csrf) {
        return r;
    }
    if let Err(r) = allowed(&viewer) {
        return r;
    }
    let doc_lang = if f.lang.as_deref() == Some("en") { Lang::En } else { Lang::Nl };
    match ai_act::generate(&app.db, &app.policy, &app.policy_source, doc_lang, &viewer.actor(), &viewer.user.display_name).await {
        Ok((edition, _)) => Redirect::to(&format!("/compliance/ai-act/{edition}")).into_response(),
        Err(e) => layout::unavailable(viewer.lang, &format!("{e:#}")),
    }
}

/// `GET /compliance/ai-act/{edition}`: the edition as it was made (a standalone,
/// printable document; its own style sheet is inline, so it carries its own policy).
pub async fn edition(State(app): State<Arc<App>>, viewer: Viewer, Path(edition): Path<i64>) -> Response {
    if let Err(r) = allowed(&viewer) {
        return r;
    }
    let lang = viewer.lang;
    match app.compliance.edition_html(edition).await {
        Ok(Some(html)) => {
            if let Err(r) = super::record(&app, lang, &viewer.actor(), "report.view", None, &format!("AI Act documentation edition {edition}")).await {
                return r;
            }
            let mut r = Html(html).into_response();
            r.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
            );
            r
        }
        Ok(None) => layout::not_found(lang),
        Err(e) => layout::unavailable(lang, &e.to_string()),
    }
}

/// A period and, for oversight, a team.
#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    since: Option<String>,
    until: Option<String>,
    team: Option<String>,
}

/// The period asked for (`since`..=`until`, days) or the last `days`, as the CLI
/// reads it, with the form's values; a period that cannot be used falls back to the
/// default and says why.
fn period(q: &PeriodQuery, days: i64) -> (i64, i64, String, String, Option<String>) {
    let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let (since, until, problem) = match crate::compliance::period(given(&q.since).as_deref(), given(&q.until).as_deref(), days) {
        Ok((s, u)) => (s, u, None),
        Err(e) => {
            let (s, u) = crate::compliance::period(None, None, days).unwrap_or((0, now_ms() + 1));
            (s, u, Some(e.to_string()))
        }
    };
    (since, until, format_utc(since)[..10].to_owned(), format_utc(until - 1)[..10].to_owned(), problem)
}

fn period_form(lang: Lang, action: &str, since: &str, until: &str, extra: Markup) -> Markup {
    html! {
        form.period method="get" action=(action) {
            label for="p-since" { (lang.say("From", "Van")) } " " input #p-since type="date" name="since" value=(since); " "
            label for="p-until" { (lang.say("to", "tot en met")) } " " input #p-until type="date" name="until" value=(until); " "
            (extra)
            button type="submit" { (lang.say("Show", "Tonen")) }
        }
    }
}

fn share(part: usize, whole: usize) -> String {
    if whole == 0 { "–".into() } else { format!("{:.0}%", part as f64 * 100.0 / whole as f64) }
}

fn time(lang: Lang, ms: Option<i64>) -> String {
    ms.map_or("–".into(), |m| layout::duration(lang, m))
}

/// `GET /compliance/oversight`.
pub async fn oversight_page(State(app): State<Arc<App>>, viewer: Viewer, Query(q): Query<PeriodQuery>) -> Response {
    if let Err(r) = allowed(&viewer) {
        return r;
    }
    let lang = viewer.lang;
    let (since, until, from, to, problem) = period(&q, 180);
    let facts = match proofdesk_storage::report_facts::read(&app.db, since, until, None).await {
        Ok(f) => f,
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    };
    let r = oversight::report(&oversight_trails(&facts, since, now_ms()), &month_of);
    let team = q.team.as_deref().filter(|t| r.teams.contains_key(*t));
    let section = team.and_then(|t| r.teams.get(t)).unwrap_or(&r.overall);
    let title = lang.say("Human oversight", "Menselijk toezicht");
    let teams = html! {
        label for="p-team" { (lang.say("team", "team")) } " "
        select #p-team name="team" {
            option value="" { (lang.say("everyone", "iedereen")) }
            @for t in r.teams.keys() { option value=(t) selected[team == Some(t.as_str())] { (t) } }
        }
        " "
    };
    let body = html! {
        h1 { (title) }
        p { (lang.say(
            "How people use the routing, for claims received in the period. A first decision follows the band unless it goes against it: a clear claim not approved is stricter, an escalated claim approved outright more lenient. Decided without opening the evidence means the person who approved or rejected never opened a file of the claim in proofdesk; someone deciding through the API after looking in another system counts here too.",
            "Hoe mensen de routering gebruiken, voor claims die in de periode binnenkwamen. Een eerste beslissing volgt de band, tenzij ze ertegenin gaat: een groene claim die niet wordt goedgekeurd is strenger, een doorgezette claim die meteen wordt goedgekeurd milder. Beslist zonder het bewijs te openen betekent dat wie goedkeurde of afwees geen enkel bestand van de claim in proofdesk heeft geopend; wie via de API beslist na in een ander systeem te hebben gekeken, telt hier ook mee.")) }
        @if let Some(p) = &problem { p.error role="alert" { (lang.say("That period cannot be used, so the default is shown", "Die periode is niet bruikbaar; de standaardperiode staat hieronder")) ": " (p) } }
        (period_form(lang, "/compliance/oversight", &from, &to, teams))
        (oversight_tables(lang, section))
    };
    layout::page(lang, Some(&viewer), title, "/compliance/oversight", body)
}

fn oversight_tables(lang: Lang, s: &Section) -> Markup {
    html! {
        h2 { (lang.say("Per month", "Per maand")) }
        @if s.periods.is_empty() { p { (lang.say("No decisions in this period.", "Geen beslissingen in deze periode.")) } }
        @else {
            table.trend {
                thead { tr {
                    th scope="col" { (lang.say("Month", "Maand")) } th scope="col" { (lang.say("Decisions", "Beslissingen")) }
                    th scope="col" { (lang.say("Follow the band", "Volgen de band")) } th scope="col" { (lang.say("Stricter", "Strenger")) }
                    th scope="col" { (lang.say("More lenient", "Milder")) } th scope="col" { (lang.say("Without opening the evidence", "Zonder het bewijs te openen")) }
                    th scope="col" { (lang.say("Median time to decision", "Mediane tijd tot beslissing")) } th scope="col" { (lang.say("Evidence links answered", "Bewijslinks beantwoord")) }
                } }
                tbody { @for (i, p) in s.periods.iter().enumerate() {
                    @let before = i.checked_sub(1).map(|j| &s.periods[j]);
                    tr {
                        th scope="row" { (p.period) } td.num { (p.decisions) }
                        td.num { (share(p.followed, p.first_decisions)) (trend(before.map(|b| (b.followed, b.first_decisions)), (p.followed, p.first_decisions))) }
                        td.num { (p.stricter) } td.num { (p.lenient) }
                        td.num { (p.without_evidence) " / " (p.final_decisions) (trend(before.map(|b| (b.without_evidence, b.final_decisions)), (p.without_evidence, p.final_decisions))) }
                        td.num { (time(lang, p.median_to_decision_ms)) }
                        td.num { (p.answered) " / " (p.evidence_requests) }
                    }
                } }
            }
        }
        h2 { (lang.say("First decisions per band", "Eerste beslissingen per band")) }
        table.bands {
            thead { tr { th scope="col" { "Band" } @for k in ["approve", "request_evidence", "escalate", "reject"] { th scope="col" { (layout::outcome(lang, Some(k))) } } th scope="col" { (lang.say("Follow", "Volgen")) } } }
            tbody { @for b in &s.bands {
                tr { th scope="row" { (layout::band(lang, (b.band != "none").then_some(b.band.as_str()))) }
                    @for k in ["approve", "request_evidence", "escalate", "reject"] { td.num { (b.decisions.get(k).copied().unwrap_or(0)) } }
                    td.num { (share(b.followed, b.decisions.values().sum())) } }
            } }
        }
        h2 { (lang.say("Overruled per signal", "Afwijkingen per signaal")) }
        p.hint { (lang.say("Signals people often overrule may weigh too much (lenient) or too little (stricter) in the policy.", "Signalen waar mensen vaak van afwijken wegen in het beleid misschien te zwaar (milder) of te licht (strenger).")) }
        table.signals {
            thead { tr { th scope="col" { (lang.say("Signal", "Signaal")) } th scope="col" { "Claims" } th scope="col" { (lang.say("Stricter", "Strenger")) } th scope="col" { (lang.say("More lenient", "Milder")) } th scope="col" { (lang.say("Approved", "Goedgekeurd")) } } }
            tbody { @for r in s.signals.iter().take(15) {
                tr { th scope="row" { code { (r.signal) } } td.num { (r.claims) } td.num { (r.stricter) } td.num { (r.lenient) } td.num { (share(r.approved, r.claims)) } }
            } }
        }
        h2 { (lang.say("Decisions per reviewer", "Beslissingen per beoordelaar")) }
        table.reviewers {
            thead { tr { th scope="col" { (lang.say("Reviewer", "Beoordelaar")) } @for k in ["approve", "request_evidence", "escalate", "reject"] { th scope="col" { (layout::outcome(lang, Some(k))) } }
                th scope="col" { (lang.say("Without opening the evidence", "Zonder het bewijs te openen")) } th scope="col" { (lang.say("Median time", "Mediane tijd")) } } }
            tbody { @for r in &s.reviewers {
                tr { th scope="row" { (r.user) } @for k in ["approve", "request_evidence", "escalate", "reject"] { td.num { (r.decisions.get(k).copied().unwrap_or(0)) } }
                    td.num { (r.without_evidence) } td.num { (time(lang, r.median_to_decision_ms)) } }
            } }
        }
        h2 { (lang.say("Links sent to customers for better evidence", "Links naar klanten voor beter bewijs")) }
        @let q = &s.requests;
        p { (q.made) " " (lang.say("made", "gedaan")) ", " (q.answered) " " (lang.say("answered", "beantwoord")) " (" (lang.say("median", "mediaan")) " " (time(lang, q.median_to_answer_ms)) "), "
            (q.expired) " " (lang.say("expired", "verlopen")) ", " (q.revoked) " " (lang.say("withdrawn", "ingetrokken")) ", " (q.open) " " (lang.say("open", "open")) ". "
            (lang.say("After an answer", "Na een antwoord")) ": " (q.then_approved) " " (lang.say("approved", "goedgekeurd")) ", " (q.then_rejected) " " (lang.say("rejected", "afgewezen")) "." }
    }
}

/// ▲ or ▼ against the month before, when the share moved by five points or more.
fn trend(before: Option<(usize, usize)>, now: (usize, usize)) -> Markup {
    let rate = |(a, b): (usize, usize)| (b > 0).then(|| a as f64 / b as f64);
    match (before.and_then(rate), rate(now)) {
        (Some(b), Some(n)) if n - b >= 0.05 => html! { " " span.trend aria-label="up" { "▲" } },
        (Some(b), Some(n)) if b - n >= 0.05 => html! { " " span.trend aria-label="down" { "▼" } },
        _ => html! {},
    }
}

fn metric_value(lang: Lang, m: Metric, v: f64) -> String {
    match m {
        Metric::TimeToDecision => layout::duration(lang, v as i64),
        _ => format!("{:.1}%", v * 100.0),
    }
}

/// `GET /compliance/fairness`.
pub async fn fairness_page(State(app): State<Arc<App>>, viewer: Viewer, Query(q): Query<PeriodQuery>) -> Response {
    if let Err(r) = allowed(&viewer) {
        return r;
    }
    let lang = viewer.lang;
    let (since, until, from, to, problem) = period(&q, 365);
    let facts = match proofdesk_storage::report_facts::read(&app.db, since, until, None).await {
        Ok(f) => f,
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    };
    let r = fairness::monitor(&fairness_outcomes(&facts), &app.policy.fairness);
    let title = lang.say("Fairness", "Gelijke behandeling");
    let body = html! {
        h1 { (title) }
        p { (lang.say(
            "Each group is compared with all other claims. An alert needs a large difference (a ratio outside the band below) that is also statistically significant, tested over all comparisons at once so that chance alone rarely raises one. Groups with too few claims are not shown. These attributes are used only here: the routing policy cannot refer to them.",
            "Elke groep wordt vergeleken met alle andere claims. Een melding vraagt een groot verschil (een verhouding buiten de band hieronder) dat ook statistisch significant is, getoetst over alle vergelijkingen tegelijk zodat toeval alleen zelden een melding geeft. Groepen met te weinig claims worden niet getoond. Deze kenmerken worden alleen hier gebruikt: het routeringsbeleid kan er niet naar verwijzen.")) }
        @if let Some(p) = &problem { p.error role="alert" { (lang.say("That period cannot be used, so the default is shown", "Die periode is niet bruikbaar; de standaardperiode staat hieronder")) ": " (p) } }
        (period_form(lang, "/compliance/fairness", &from, &to, html! {}))
        p.meta { (r.claims) " " (lang.say("claims", "claims")) " · " (lang.say("band", "band")) " " (r.settings.ratio_low) "–" (r.settings.ratio_high) " · "
            (r.comparisons) " " (lang.say("comparisons", "vergelijkingen")) " · " (lang.say("groups under", "groepen onder")) " " (r.settings.min_group) " " (lang.say("claims hidden", "claims verborgen")) }
        @if r.alerts.is_empty() {
            p.ok role="status" { (lang.say("No alert: no group is treated markedly differently in this period.", "Geen melding: geen groep wordt in deze periode duidelijk anders behandeld.")) }
        } @else {
            div.alert role="alert" {
                h2 { (lang.say("Alerts", "Meldingen")) " (" (r.alerts.len()) ")" }
                ul { @for a in &r.alerts {
                    li { strong { (lang.say(a.attribute.title().0, a.attribute.title().1)) " = " (a.group) } ": " (lang.say(a.metric.title().0, a.metric.title().1)) " ×" (format!("{:.2}", a.ratio))
                        " (" (fairness::interval(a.low, a.high)) "), "
                        (if a.disadvantaged { lang.say("worse off than the rest", "slechter af dan de rest") } else { lang.say("better off than the rest", "beter af dan de rest") }) }
                } }
            }
        }
        @for attr in &r.attributes {
            h2 { (lang.say(attr.attribute.title().0, attr.attribute.title().1)) }
            table.fairness {
                thead { tr { th scope="col" { (lang.say("Group", "Groep")) } th scope="col" { "Claims" }
                    @for m in Metric::ALL { th scope="col" { (lang.say(m.title().0, m.title().1)) } } } }
                tbody { @for g in &attr.groups {
                    tr {
                        th scope="row" { (g.group) }
                        @match g.claims {
                            None => { td colspan="6" { (lang.say("fewer than", "minder dan")) " " (r.settings.min_group) " " (lang.say("claims: not shown", "claims: niet getoond")) } }
                            Some(n) => {
                                td.num { (n) }
                                @for m in Metric::ALL {
                                    @match g.comparisons.iter().find(|c| c.metric == m) {
                                        Some(c) => td.num class=[c.alert.then_some("flag")] title=(fairness::interval(c.low, c.high)) {
                                            (metric_value(lang, m, c.value)) br; small { "×" (format!("{:.2}", c.ratio)) " [" (fairness::interval(c.low, c.high)) "]" }
                                        },
                                        None => td.num { "–" },
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
    };
    layout::page(lang, Some(&viewer), title, "/compliance/fairness", body)
}
