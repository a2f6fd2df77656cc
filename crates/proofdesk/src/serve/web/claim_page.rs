//! The claim page: the context, the score broken down by signal, every evidence file
//! with its verdict, its signals as plain sentences (strongest first, details on
//! demand), heatmaps toggled over the photo, a reuse match beside the earlier claim's
//! photo; the context checks; the decisions and the form to add one; the customer
//! message draft; and the claim's audit trail.

use super::layout;
use super::{Say, Viewer};
use crate::serve::App;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use proofdesk_domain::authority::{Authority, Money, CURRENCIES};
use proofdesk_domain::claim::ClaimContext;
use proofdesk_domain::decision::DecisionKind;
use proofdesk_domain::message::customer_message;
use proofdesk_engine::forensics::Method;
use proofdesk_engine::signal::{Category, Signal};
use proofdesk_engine::Lang;
use proofdesk_storage::claims::{ClaimRecord, EvidenceRecord};
use proofdesk_storage::time::now_ms;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

/// What a refused decision form said, to show it again with the refusal.
pub struct Refused {
    /// Why, in the viewer's language.
    pub message: String,
    /// The decision chosen.
    pub kind: Option<String>,
    /// The reason typed.
    pub reason: String,
    /// The amount typed.
    pub amount: String,
    /// The payout reference typed.
    pub payout_ref: String,
}

#[derive(Deserialize)]
pub struct PageQuery {
    draft: Option<String>,
}

/// `GET /claims/{id}`.
pub async fn page(
    State(app): State<Arc<App>>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let draft = match q.draft.as_deref() {
        Some("en") => Lang::En,
        Some("nl") => Lang::Nl,
        _ => viewer.lang,
    };
    render(&app, &viewer, &id, draft, None).await
}

/// The claim page, with a refused decision form when there is one.
pub async fn render(app: &App, viewer: &Viewer, id: &str, draft: Lang, refused: Option<Refused>) -> Response {
    let lang = viewer.lang;
    let claim = match app.claims.get(id).await {
        Ok(Some(c)) if viewer.sees(c.client.as_deref()) => c,
        Ok(_) => return layout::not_found(lang),
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    };
    if let Err(r) = super::record(app, lang, &viewer.actor(), "claim.view", Some(id), "web").await {
        return r;
    }
    let loaded = tokio::try_join!(
        app.claims.evidence(id),
        app.decisions.of_claim(id),
        app.audit.entries(Some(id)),
        app.users.list(),
        app.users.authority(&viewer.user.id),
        app.users.is_related(&viewer.user.id, &claim.customer_id),
        app.requests.of_claim(id),
    );
    let (evidence, decisions, audit, users, limits, related, requests) = match loaded {
        Ok(l) => l,
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    };
    let disabled: Vec<String> = users.iter().filter(|u| u.disabled_at.is_some()).map(|u| u.id.clone()).collect();
    let names = layout::actor_names(users);
    let newest_first: Vec<_> = audit.into_iter().rev().collect();
    let context: Option<ClaimContext> = serde_json::from_str(&claim.context_json).ok();
    let routing: Value = claim
        .routing_json
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or(Value::Null);
    let files: Vec<(EvidenceRecord, Value, Vec<Signal>)> = evidence
        .into_iter()
        .map(|e| {
            let report = crate::serve::claims::report_of(&e);
            let signals: Vec<Signal> = report
                .get("signals")
                .and_then(|s| serde_json::from_value(s.clone()).ok())
                .unwrap_or_default();
            (e, report, signals)
        })
        .collect();
    let latest = claim.decision.as_deref().and_then(DecisionKind::parse);
    let title = format!("{} · {}", lang.say("Claim", "Claim"), claim.external_ref);
    let body = html! {
        (head(lang, &claim))
        (score(lang, &routing))
        div.columns {
            section aria-labelledby="context-h" {
                h2 #context-h { (lang.say("Context", "Context")) }
                (context_list(lang, &claim, context.as_ref()))
            }
            section aria-labelledby="checks-h" {
                h2 #checks-h { (lang.say("Context checks", "Contextcontroles")) }
                (context_checks(lang, &files))
            }
        }
        section aria-labelledby="evidence-h" {
            h2 #evidence-h { (lang.say("Evidence", "Bewijs")) }
            @for (e, report, signals) in &files {
                (file(lang, &claim.id, e, report, signals, super::requests::arrival(lang, e, report, &requests), viewer.role.sees_exact_positions()))
            }
        }
        (super::requests::section(lang, viewer, &claim, &requests))
        (super::assign::panel(lang, viewer, &claim, &names))
        (decide_section(lang, viewer, &claim, context.as_ref(), &decisions, &Standing { authority: crate::serve::deciding::authority_of(&limits), related, disabled }, refused.as_ref()))
        (draft_section(lang, draft, &claim, latest))
        section aria-labelledby="audit-h" {
            h2 #audit-h { (lang.say("Audit trail of this claim", "Audittrail van deze claim")) }
            (layout::audit_table(lang, &newest_first, &names, false))
        }
    };
    let mut r = layout::page(lang, Some(viewer), &title, &format!("/claims/{}", claim.id), body);
    if refused.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

fn head(lang: Lang, c: &ClaimRecord) -> Markup {
    let now = now_ms();
    let (clock, running) = super::queue::clock(c, now);
    html! {
        h1 { (lang.say("Claim", "Claim")) " " (c.external_ref) }
        p.meta {
            (layout::band(lang, c.band.as_deref()))
            " " span { (lang.say("score", "score")) " " @if let Some(s) = c.score { (format!("{s:.0}")) } @else { "–" } }
            " · " span { (layout::status(lang, &c.status)) }
            " · " span { (lang.say("decision", "beslissing")) ": " (layout::outcome(lang, c.decision.as_deref())) }
            " · " span { (lang.say("received", "ontvangen")) " " (layout::when(c.created_at)) }
            " · " span class=(if running { "clock running" } else { "clock" }) {
                (if running { lang.say("waiting", "wacht al") } else { lang.say("decided in", "besloten in") })
                " " (layout::duration(lang, clock))
            }
            " · " small { (c.id) }
        }
        @if c.status == "received" || c.status == "screening" {
            p.notice role="status" { (lang.say(
                "The evidence is still being screened. Reload the page in a moment.",
                "Het bewijs wordt nog gecontroleerd. Laad de pagina zo opnieuw.")) }
        }
    }
}

/// The score as the sum of its reasons.
fn score(lang: Lang, routing: &Value) -> Markup {
    let reasons = routing.get("reasons").and_then(Value::as_array).cloned().unwrap_or_default();
    html! {
        section aria-labelledby="score-h" {
            h2 #score-h { (lang.say("Why this band", "Waarom deze band")) }
            @if reasons.is_empty() {
                p { (lang.say("No signal added points: nothing suspicious was found.",
                    "Geen signaal telde mee: er is niets verdachts gevonden.")) }
            } @else {
                table.score {
                    thead { tr {
                        th scope="col" { (lang.say("Signal", "Signaal")) }
                        th scope="col" { (lang.say("File", "Bestand")) }
                        th scope="col" { (lang.say("Points", "Punten")) }
                    } }
                    tbody {
                        @for r in &reasons {
                            tr {
                                td { (text_of(lang, r.get("summary"))) }
                                td.num { @if let Some(i) = r.get("evidence").and_then(Value::as_u64) { (i + 1) } }
                                td.num { (format!("{:.1}", r.get("points").and_then(Value::as_f64).unwrap_or(0.0))) }
                            }
                        }
                    }
                    tfoot { tr {
                        th scope="row" colspan="2" { (lang.say("Score", "Score")) }
                        td.num { (format!("{:.1}", routing.get("score").and_then(Value::as_f64).unwrap_or(0.0))) }
                    } }
                }
            }
        }
    }
}

/// A `{en, nl}` text from JSON.
fn text_of(lang: Lang, v: Option<&Value>) -> String {
    let key = match lang {
        Lang::En => "en",
        Lang::Nl => "nl",
    };
    v.and_then(|t| t.get(key)).and_then(Value::as_str).unwrap_or("").to_owned()
}

fn context_list(lang: Lang, c: &ClaimRecord, ctx: Option<&ClaimContext>) -> Markup {
    let Some(ctx) = ctx else {
        return html! { p { (lang.say("The context cannot be read.", "De context is niet leesbaar.")) } };
    };
    let amount = ctx.claimed_amount_minor.map(|m| {
        format!("{} {}.{:02}", ctx.currency.as_deref().unwrap_or(""), m / 100, m % 100)
    });
    let rows: Vec<(&str, Option<String>)> = vec![
        (lang.say("Reference", "Referentie"), Some(c.external_ref.clone())),
        (lang.say("Client", "Opdrachtgever"), ctx.client.clone()),
        (lang.say("Customer (pseudonymous)", "Klant (pseudoniem)"), Some(c.customer_id.clone())),
        (lang.say("Channel", "Kanaal"), ctx.channel.clone()),
        (lang.say("Claim type", "Soort claim"), ctx.claim_type.clone()),
        (lang.say("Product", "Product"), ctx.product.clone()),
        (lang.say("Shop", "Winkel"), ctx.shop.clone()),
        (lang.say("Amount claimed", "Geclaimd bedrag"), amount),
        (lang.say("Purchase date", "Aankoopdatum"), ctx.purchase_date.clone()),
        (lang.say("Incident date", "Datum voorval"), ctx.incident_date.clone()),
        (lang.say("Order number", "Ordernummer"), ctx.order_number.clone()),
        (lang.say("Serial numbers", "Serienummers"), (!ctx.serial_numbers.is_empty()).then(|| ctx.serial_numbers.join(", "))),
        (lang.say("Delivery postcode", "Postcode aflevering"), ctx.delivery_postcode.clone()),
        (lang.say("Delivery country", "Land aflevering"), ctx.delivery_country.clone()),
    ];
    html! {
        dl.context {
            @for (k, v) in rows {
                @if let Some(v) = v { dt { (k) } dd { (v) } }
            }
        }
    }
}

fn context_checks(lang: Lang, files: &[(EvidenceRecord, Value, Vec<Signal>)]) -> Markup {
    let checks: Vec<(i64, &Signal)> = files
        .iter()
        .flat_map(|(e, _, s)| s.iter().map(move |s| (e.position, s)))
        .filter(|(_, s)| s.category == Category::Context)
        .collect();
    html! {
        @if checks.is_empty() {
            p { (lang.say("No context check found anything to mention.", "Geen contextcontrole vond iets om te melden.")) }
        } @else {
            ul.checks {
                @for (pos, s) in checks {
                    li class=(direction_class(s)) {
                        (s.summary.get(lang)) " "
                        small { "(" (lang.say("file", "bestand")) " " (pos + 1) ")" }
                    }
                }
            }
        }
    }
}

fn direction_class(s: &Signal) -> &'static str {
    match serde_json::to_value(s.direction).ok().as_ref().and_then(Value::as_str) {
        Some("suspicious") => "signal suspicious",
        Some("supports-authenticity") => "signal supports-authenticity",
        _ => "signal neutral",
    }
}

/// A verdict in words.
fn verdict(lang: Lang, v: &str) -> &'static str {
    match v {
        "ai-generated" => lang.say("declares or shows AI generation", "geeft AI-generatie aan of toont die"),
        "manipulated" => lang.say("changed after capture", "na de opname veranderd"),
        "reused" => lang.say("seen before with another claim", "eerder gezien bij een andere claim"),
        "edited" => lang.say("saved by editing software", "opgeslagen door bewerkingssoftware"),
        "camera-original" => lang.say("camera original, no trace of editing", "camera-origineel, geen spoor van bewerking"),
        "credentials-valid" => lang.say("valid Content Credentials", "geldige Content Credentials"),
        "unknown" => lang.say("history unknown", "herkomst onbekend"),
        "error" => lang.say("could not be analysed", "kon niet worden geanalyseerd"),
        _ => lang.say("not screened yet", "nog niet gecontroleerd"),
    }
}

/// Whether the browser can be shown this format's pixels (as a preview).
fn previewable(format: &str) -> bool {
    matches!(format, "jpeg" | "png" | "webp" | "tiff")
}

fn file(lang: Lang, claim_id: &str, e: &EvidenceRecord, report: &Value, signals: &[Signal], arrival: Markup, exact: bool) -> Markup {
    let n = e.position + 1;
    let name = e.filename.clone().unwrap_or_else(|| format!("{} {n}", lang.say("file", "bestand")));
    let format = report.get("format").and_then(Value::as_str).unwrap_or("");
    let v = report.get("verdict").and_then(Value::as_str).unwrap_or("");
    let base = format!("/claims/{claim_id}/files/{}", e.position);
    let purged = report.get("purged_at").is_some();
    let can_show = previewable(format) && v != "error" && !purged;
    let radio = format!("view-{}", e.position);
    let alt = format!("{} {n}: {name} ({})", lang.say("Evidence file", "Bewijsbestand"), verdict(lang, v));
    html! {
        article.file aria-labelledby={ "file-" (e.position) } {
            h3 #{ "file-" (e.position) } { (lang.say("File", "Bestand")) " " (n) ": " (name) }
            p.meta {
                span.verdict data-verdict=(v) { (verdict(lang, v)) }
                " · " (format.to_uppercase()) " · " (format!("{:.1} MB", e.size as f64 / 1_048_576.0))
                @if exact { " · " a href={ (base) "/original" } download { (lang.say("download the original", "origineel downloaden")) } }
            }
            (arrival)
            @if purged { p.hint { (lang.say("The file was deleted under the retention policy; its verdict is kept.", "Het bestand is volgens het bewaarbeleid verwijderd; het oordeel blijft bewaard.")) } }
            @if let Some(err) = report.get("error").and_then(Value::as_str) { p.error { (err) } }
            div.filebody {
                @if can_show {
                    div.viewer {
                        fieldset.toggles {
                            legend { (lang.say("Show", "Toon")) }
                            input type="radio" name=(radio) id={ (radio) "-photo" } value="photo" checked;
                            label for={ (radio) "-photo" } { (lang.say("photo", "foto")) }
                            @for m in Method::ALL {
                                input type="radio" name=(radio) id={ (radio) "-" (m.as_str()) } value=(m.as_str());
                                label for={ (radio) "-" (m.as_str()) } { (lang.say(m.title().0, m.title().1)) }
                            }
                        }
                        div.frames {
                            img.photo src=(base) alt=(alt) loading="lazy";
                            (super::receipt_view::overlay(report, signals))
                            @for m in Method::ALL {
                                img class={ "hm hm-" (m.as_str()) } src={ (base) "/heatmaps/" (m.as_str()) }
                                    alt={ (lang.say("Heatmap", "Heatmap")) " " (lang.say(m.title().0, m.title().1)) " " (lang.say("of", "van")) " " (name) ": "
                                          (lang.say("brighter areas differ more from the rest of the picture", "lichtere gebieden wijken meer af van de rest van de foto")) }
                                    loading="lazy";
                            }
                        }
                        p.hint { (lang.say(
                            "Heatmaps are computed when first shown (a few seconds) and drawn on the picture as stored in the file.",
                            "Heatmaps worden berekend zodra ze voor het eerst worden getoond (enkele seconden) en getekend op de foto zoals die in het bestand staat.")) }
                    }
                } @else {
                    p.noview { (lang.say(
                        "This file cannot be shown in the browser; download the original to look at it.",
                        "Dit bestand kan niet in de browser worden getoond; download het origineel om het te bekijken.")) }
                }
                div.signals {
                    @if signals.is_empty() {
                        p { (lang.say("No signals.", "Geen signalen.")) }
                    } @else {
                        ol.signals {
                            @for s in signals { li class=(direction_class(s)) { (signal(lang, claim_id, e, s, exact)) } }
                        }
                    }
                    (super::receipt_view::panel(lang, report, signals))
                }
            }
        }
    }
}

/// Signal details that would give away where a photo was taken.
use proofdesk_domain::disclosure::POSITION_DETAILS;

fn signal(lang: Lang, claim_id: &str, e: &EvidenceRecord, s: &Signal, exact: bool) -> Markup {
    let has_position = s.details.keys().any(|k| POSITION_DETAILS.contains(&k.as_str()));
    let country = has_position
        .then(|| (s.details.get("latitude").and_then(Value::as_f64), s.details.get("longitude").and_then(Value::as_f64)))
        .and_then(|(lat, lon)| Some(proofdesk_domain::context::countries_at(lat?, lon?)))
        .map(|c| if c.is_empty() { "–".to_owned() } else { c.join(", ") });
    let strength = (s.strength * 100.0).round() as u32;
    let earlier = (s.id == "reuse.seen-before")
        .then(|| s.details.get("location").and_then(Value::as_str))
        .flatten()
        .and_then(|l| l.strip_prefix("evidence:"));
    let earlier_claim = s.details.get("source").and_then(Value::as_str);
    html! {
        details {
            summary {
                (s.summary.get(lang))
                " " span.strength { (lang.say("strength", "sterkte")) " " (strength) "%" }
            }
            dl.details {
                dt { (lang.say("Signal", "Signaal")) } dd { code { (s.id) } }
                @for (k, v) in &s.details {
                    @if k != "sightings" && !POSITION_DETAILS.contains(&k.as_str()) {
                        dt { (k) } dd { (compact(v)) }
                    }
                }
                @if let Some(country) = &country {
                    dt { (lang.say("position", "positie")) }
                    dd {
                        (lang.say("recorded, in", "vastgelegd, in")) " " (country) " "
                        @if exact {
                            a href={ "/claims/" (claim_id) "/files/" (e.position) "/position" } { (lang.say("open the exact position (audited)", "exacte positie openen (wordt vastgelegd)")) }
                        } @else {
                            small { (lang.say("(the exact position is for the fraud team)", "(de exacte positie is voor het fraudeteam)")) }
                        }
                    }
                }
            }
        }
        @if let Some(sha) = earlier {
            div.pair {
                figure {
                    img src={ "/claims/" (claim_id) "/files/" (e.position) } alt=(lang.say("This claim's photo", "De foto van deze claim")) loading="lazy";
                    figcaption { (lang.say("This claim", "Deze claim")) }
                }
                figure {
                    img src={ "/evidence/" (sha) } alt=(lang.say("The earlier photo it matches", "De eerdere foto die overeenkomt")) loading="lazy";
                    figcaption {
                        (lang.say("Earlier", "Eerder")) ": "
                        @if let Some(c) = earlier_claim { a href={ "/claims/" (c) } { (c) } }
                    }
                }
            }
        }
    }
}

/// A JSON value in one short line.
fn compact(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > 160 {
        format!("{}…", s.chars().take(160).collect::<String>())
    } else {
        s
    }
}

/// What the viewer may do on this claim.
struct Standing {
    /// What they may approve alone.
    authority: Authority,
    /// They declared a relation with the claim's customer.
    related: bool,
    /// The ids of disabled accounts.
    disabled: Vec<String>,
}

fn decide_section(
    lang: Lang,
    viewer: &Viewer,
    c: &ClaimRecord,
    ctx: Option<&ClaimContext>,
    decisions: &[proofdesk_storage::decisions::DecisionRecord],
    standing: &Standing,
    refused: Option<&Refused>,
) -> Markup {
    let (mine, related) = (&standing.authority, standing.related);
    let latest = c.decision.as_deref().and_then(DecisionKind::parse);
    let closed = latest.is_some_and(DecisionKind::is_final);
    let chosen = refused.and_then(|r| r.kind.clone());
    let pending = decisions
        .last()
        .filter(|d| d.kind == crate::serve::deciding::PENDING && c.decision.as_deref() == Some(crate::serve::deciding::PENDING));
    let pending_money = pending.and_then(|d| d.amount.clone()).map(|(minor, currency)| Money { minor, currency });
    let currency = pending_money
        .as_ref()
        .map(|m| m.currency.clone())
        .or_else(|| ctx.and_then(|x| x.currency.clone()))
        .unwrap_or_else(|| "EUR".into());
    let amount = refused.map(|r| r.amount.clone()).unwrap_or_else(|| {
        pending_money
            .as_ref()
            .map(|m| m.minor)
            .or_else(|| ctx.and_then(|x| x.claimed_amount_minor))
            .map_or(String::new(), |m| format!("{}.{:02}", m / 100, m % 100))
    });
    let own = c.submitted_by.as_deref() == Some(viewer.actor().as_str());
    let applying = mine.applying(
        ctx.and_then(|x| x.channel.as_deref()),
        ctx.and_then(|x| x.claim_type.as_deref()),
        &currency,
    );
    let limit = applying.as_ref().map(|(minor, _)| Money { minor: *minor, currency: currency.clone() });
    let limit_scope = applying.and_then(|(_, scope)| scope);
    html! {
        section #decide aria-labelledby="decide-h" {
            h2 #decide-h { (lang.say("Decisions", "Beslissingen")) }
            @if decisions.is_empty() {
                p { (lang.say("No one has decided yet. The band is advice; a person decides.",
                    "Nog niemand heeft besloten. De band is een advies; een mens beslist.")) }
            } @else {
                ol.decisions {
                    @for d in decisions {
                        li {
                            strong { (layout::outcome(lang, Some(&d.kind))) }
                            @if let Some((m, cur)) = &d.amount { " " (Money { minor: *m, currency: cur.clone() }.display()) }
                            " — " (d.user_name) ", " (layout::when(d.decided_at))
                            blockquote { (d.reason) }
                        }
                    }
                }
            }
            @if let (Some(d), Some(m)) = (pending, &pending_money) {
                p.notice role="status" {
                    (lang.say("Awaiting a second approval:", "Wacht op een tweede goedkeuring:")) " "
                    (d.user_name) " " (lang.say("approved", "keurde")) " " (m.display()) " "
                    (lang.say("above their authority; another person whose authority covers it must complete it.",
                        "goed boven de eigen bevoegdheid; een ander met voldoende bevoegdheid moet dit afronden."))
                    @if standing.disabled.contains(&d.user_id) {
                        " " (lang.say("Their account has since been disabled; their approval stands until someone decides otherwise.",
                            "Hun account is inmiddels uitgeschakeld; hun goedkeuring blijft staan tot iemand anders beslist."))
                    }
                }
            }
            @if closed {
                p { (lang.say("This claim is closed.", "Deze claim is afgesloten.")) }
            } @else if c.status == "received" || c.status == "screening" {
                p { (lang.say("Decide once the screening is done.", "Beslis zodra de controle klaar is.")) }
            } @else if own {
                p { (lang.say("You submitted this claim, so someone else must decide it.",
                    "U hebt deze claim zelf ingediend, dus een ander moet erover beslissen.")) }
            } @else if related {
                p { (lang.say("You declared a relation with this customer, so someone else must decide their claims.",
                    "U hebt een relatie met deze klant gemeld, dus een ander moet over diens claims beslissen.")) }
            } @else {
                p.authority {
                    @match &limit {
                        Some(m) => { (lang.say("You may approve up to", "U mag goedkeuren tot")) " " (m.display()) " " (lang.say("alone", "zelfstandig"))
                                     @if let Some(scope) = &limit_scope { " (" (lang.say("your limit for", "uw grens voor")) " " (scope.describe().get(lang)) ")" } "." }
                        None => { (lang.say("You have no authority to approve alone in", "U hebt geen bevoegdheid om zelfstandig goed te keuren in")) " " (currency) ": "
                                  (lang.say("an approval will wait for a second person.", "een goedkeuring wacht op een tweede persoon.")) }
                    }
                }
                form.decide method="post" action={ "/claims/" (c.id) "/decisions" } {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    @if let Some(r) = refused { p.error role="alert" #decide-error { (r.message) } }
                    fieldset {
                        legend { (lang.say("Your decision", "Uw beslissing")) }
                        @for k in DecisionKind::ALL {
                            @let allowed = k != DecisionKind::Reject || viewer.role.may_reject();
                            @let id = format!("kind-{}", k.as_str());
                            div.choice {
                                input type="radio" name="kind" id=(id) value=(k.as_str()) required
                                    disabled[!allowed] checked[chosen.as_deref() == Some(k.as_str())];
                                label for=(id) { (k.title().get(lang)) }
                                @if !allowed {
                                    small { " " (lang.say("(only a fraud analyst or supervisor)", "(alleen een fraudeanalist of teamleider)")) }
                                }
                            }
                        }
                    }
                    div.amount {
                        label for="amount" { (lang.say("Amount to approve (approvals only)", "Goed te keuren bedrag (alleen bij goedkeuren)")) }
                        input #amount name="amount" type="text" inputmode="decimal" value=(amount);
                        label for="currency" class="sr" { (lang.say("Currency", "Valuta")) }
                        select #currency name="currency" {
                            @for cur in CURRENCIES { option value=(cur) selected[cur == currency] { (cur) } }
                        }
                    }
                    div.payout {
                        label for="payout_ref" { (lang.say("Payout account (approvals, optional): kept only as a pseudonym",
                            "Uitbetalingsrekening (bij goedkeuren, optioneel): alleen als pseudoniem bewaard")) }
                        input #payout_ref name="payout_ref" type="text" autocomplete="off" maxlength="60"
                            value=(refused.map(|r| r.payout_ref.as_str()).unwrap_or(""));
                    }
                    label for="reason" { (lang.say("Reason, in your own words (required)", "Reden, in uw eigen woorden (verplicht)")) }
                    textarea #reason name="reason" rows="3" required minlength="10" maxlength="2000" {
                        @if let Some(r) = refused { (r.reason) }
                    }
                    button type="submit" { (lang.say("Record decision", "Beslissing vastleggen")) }
                }
            }
        }
    }
}

fn draft_section(lang: Lang, draft: Lang, c: &ClaimRecord, latest: Option<DecisionKind>) -> Markup {
    let text = customer_message(draft, &c.external_ref, latest);
    html! {
        section aria-labelledby="draft-h" {
            h2 #draft-h { (lang.say("Message to the customer (draft)", "Bericht aan de klant (concept)")) }
            p.hint {
                (lang.say("Language of the message:", "Taal van het bericht:")) " "
                a href={ "/claims/" (c.id) "?draft=nl#draft-h" } aria-current=[(draft == Lang::Nl).then_some("true")] { "Nederlands" }
                " · "
                a href={ "/claims/" (c.id) "?draft=en#draft-h" } aria-current=[(draft == Lang::En).then_some("true")] { "English" }
            }
            label for="draft" { (lang.say("Edit before sending; nothing is sent from here.", "Pas aan voor verzending; vanaf hier wordt niets verstuurd.")) }
            textarea #draft rows="14" { (text) }
            button type="button" data-copy="draft" hidden { (lang.say("Copy", "Kopiëren")) }
        }
    }
}
