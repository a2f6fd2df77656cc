//! The queues: claims by band, status and age, the most urgent first (escalate, then
//! review, then clear; the longest waiting first within a band, sorted by the database), each with its
//! time-to-decision clock. `?queue=fraud` is the fraud team's queue: the claims routed
//! to escalate or escalated by a person, still open.

use super::layout;
use super::{Say, Viewer};
use crate::serve::App;
use axum::extract::{Query, State};
use axum::response::Response;
use maud::html;
use proofdesk_storage::claims::{ClaimFilter, ClaimRecord};
use proofdesk_storage::time::now_ms;
use serde::Deserialize;
use std::sync::Arc;

/// Most claims on one page.
const PAGE: i64 = 200;

/// The queue's filters, as in the URL.
#[derive(Deserialize, Default)]
pub struct QueueQuery {
    queue: Option<String>,
    band: Option<String>,
    state: Option<String>,
    older_than_hours: Option<String>,
    /// `mine`: only the claims the viewer took.
    taken: Option<String>,
}

/// `GET /queue`.
pub async fn page(State(app): State<Arc<App>>, viewer: Viewer, Query(q): Query<QueueQuery>) -> Response {
    let lang = viewer.lang;
    let fraud = q.queue.as_deref() == Some("fraud");
    let band = q
        .band
        .clone()
        .filter(|b| ["clear", "review", "escalate"].contains(&b.as_str()));
    let state = q.state.clone().unwrap_or_else(|| "open".into());
    let mine = q.taken.as_deref() == Some("mine");
    let now = now_ms();
    let older: Option<i64> = q
        .older_than_hours
        .as_deref()
        .and_then(|h| h.trim().parse::<i64>().ok())
        .filter(|h| *h > 0);
    let filter = ClaimFilter {
        band: band.clone(),
        before_ms: older.map(|h| now - h * 3_600_000),
        most_urgent_first: true,
        open: match state.as_str() {
            "decided" => Some(false),
            "all" => None,
            _ => Some(true),
        },
        escalated: fraud,
        assigned_to: mine.then(|| viewer.user.id.clone()),
        clients: viewer.clients(),
        limit: PAGE,
        ..ClaimFilter::default()
    };
    let (claims, users) = match tokio::try_join!(app.claims.list(&filter), app.users.list()) {
        Ok(c) => c,
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    };
    let names = layout::actor_names(users);
    let detail = format!("{filter:?}: {} claims", claims.len());
    if let Err(r) = super::record(&app, lang, &viewer.actor(), "claims.list", None, &detail).await {
        return r;
    }
    let title = if fraud {
        lang.say("Fraud team queue", "Wachtrij fraudeteam")
    } else {
        lang.say("Queue", "Wachtrij")
    };
    let selected = |a: Option<&str>, b: &str| a == Some(b);
    let body = html! {
        h1 { (title) }
        form.filters method="get" action="/queue" {
            @if fraud { input type="hidden" name="queue" value="fraud"; }
            label for="band" { (lang.say("Band", "Band")) }
            select #band name="band" {
                option value="" { (lang.say("all bands", "alle banden")) }
                option value="escalate" selected[selected(band.as_deref(), "escalate")] { (lang.say("escalate", "doorzetten")) }
                option value="review" selected[selected(band.as_deref(), "review")] { (lang.say("review", "beoordelen")) }
                option value="clear" selected[selected(band.as_deref(), "clear")] { (lang.say("clear", "in orde")) }
            }
            label for="state" { (lang.say("Status", "Status")) }
            select #state name="state" {
                option value="open" selected[state == "open"] { (lang.say("open", "open")) }
                option value="decided" selected[state == "decided"] { (lang.say("decided", "besloten")) }
                option value="all" selected[state == "all"] { (lang.say("all", "alle")) }
            }
            label for="taken" { (lang.say("Whose", "Van wie")) }
            select #taken name="taken" {
                option value="" { (lang.say("everyone's", "iedereen")) }
                option value="mine" selected[mine] { (lang.say("taken by me", "door mij opgepakt")) }
            }
            label for="older" { (lang.say("Waiting at least (hours)", "Wacht minstens (uur)")) }
            input #older name="older_than_hours" type="number" min="0" inputmode="numeric" value=[older];
            button type="submit" { (lang.say("Filter", "Filteren")) }
        }
        @if claims.is_empty() {
            p.empty { (lang.say("No claims match.", "Geen claims gevonden.")) }
        } @else {
            table.queue {
                caption {
                    (claims.len()) " " (lang.say("claims, the most urgent first", "claims, de dringendste eerst"))
                    @if claims.len() as i64 == PAGE { " — " (lang.say("narrow the filters to see the rest", "verfijn de filters om de rest te zien")) }
                }
                thead { tr {
                    th scope="col" { (lang.say("Claim", "Claim")) }
                    th scope="col" { (lang.say("Band", "Band")) }
                    th scope="col" { (lang.say("Score", "Score")) }
                    th scope="col" { (lang.say("Status", "Status")) }
                    th scope="col" { (lang.say("Decision", "Beslissing")) }
                    th scope="col" { (lang.say("Taken by", "Opgepakt door")) }
                    th scope="col" { (lang.say("Received", "Ontvangen")) }
                    th scope="col" { (lang.say("Time to decision", "Tijd tot beslissing")) }
                } }
                tbody {
                    @for c in &claims {
                        @let (clock, running) = clock(c, now);
                        tr {
                            td { a href={ "/claims/" (c.id) } { (c.external_ref) } br; small { (c.id) } }
                            td { (layout::band(lang, c.band.as_deref())) }
                            td.num { @if let Some(s) = c.score { (format!("{s:.0}")) } }
                            td { (layout::status(lang, &c.status)) }
                            td { (layout::outcome(lang, c.decision.as_deref())) }
                            td { @if let Some(u) = &c.assigned_to { (names.get(&format!("user:{u}")).map_or(u.as_str(), String::as_str)) } }
                            td { (layout::when(c.created_at)) }
                            td class=(if running { "clock running" } else { "clock" }) {
                                (layout::duration(lang, clock))
                                @if running { " " span.sr { (lang.say("and counting", "en lopend")) } }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::page(lang, Some(&viewer), title, "/queue", body)
}

/// Time from receipt to the approve or reject, or to now (running) while open.
pub fn clock(c: &ClaimRecord, now: i64) -> (i64, bool) {
    match (c.decision.as_deref(), c.decided_at) {
        (Some("approve" | "reject"), Some(at)) => (at - c.created_at, false),
        _ => (now - c.created_at, true),
    }
}
