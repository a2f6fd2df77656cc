//! For supervisors and administrators: the overview (claims per band per day, median
//! time to decision, decisions per reviewer, over the last 14 days, of the clients
//! their teams serve) and the audit trail with the state of its hash chain.

use super::layout;
use super::{Say, Viewer};
use crate::serve::App;
use axum::extract::State;
use axum::response::Response;
use maud::html;
use proofdesk_domain::insider::explain;
use proofdesk_storage::flags::StoredFlag;
use proofdesk_storage::decisions::ClaimTimes;
use proofdesk_storage::time::{format_utc, now_ms};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Days the overview covers.
const DAYS: i64 = 14;
const DAY_MS: i64 = 86_400_000;

/// Claims per day and band, and the median time from receipt to approve or reject.
pub struct Figures {
    /// Day (`YYYY-MM-DD`) → [escalate, review, clear, not screened].
    pub per_day: BTreeMap<String, [u32; 4]>,
    /// Median time to decision (ms) of the claims approved or rejected, if any.
    pub median_to_decision: Option<i64>,
    /// Claims approved or rejected.
    pub decided: usize,
    /// Claims still open.
    pub open: usize,
}

/// Counts the overview's figures.
pub fn figures(claims: &[ClaimTimes]) -> Figures {
    let mut per_day: BTreeMap<String, [u32; 4]> = BTreeMap::new();
    let mut times = Vec::new();
    for c in claims {
        let day = format_utc(c.received_at)[..10].to_owned();
        let slot = match c.band.as_deref() {
            Some("escalate") => 0,
            Some("review") => 1,
            Some("clear") => 2,
            _ => 3,
        };
        per_day.entry(day).or_default()[slot] += 1;
        if let (Some("approve" | "reject"), Some(at)) = (c.decision.as_deref(), c.decided_at) {
            times.push(at - c.received_at);
        }
    }
    times.sort_unstable();
    let median_to_decision = match times.len() {
        0 => None,
        n if n % 2 == 1 => Some(times[n / 2]),
        n => Some((times[n / 2 - 1] + times[n / 2]) / 2),
    };
    Figures {
        per_day,
        median_to_decision,
        decided: times.len(),
        open: claims.len() - times.len(),
    }
}

/// `GET /overview`.
pub async fn page(State(app): State<Arc<App>>, viewer: Viewer) -> Response {
    let lang = viewer.lang;
    if !viewer.role.oversees() {
        return layout::not_allowed(lang);
    }
    let since = now_ms() - DAYS * DAY_MS;
    let clients = viewer.clients();
    let loaded = tokio::try_join!(
        app.decisions.claim_times(since, clients.as_deref()),
        app.decisions.per_reviewer(since, clients.as_deref())
    );
    let (claims, reviewers) = match loaded {
        Ok(l) => l,
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    };
    let flags = match insider_flags(&app, &viewer, since).await {
        Ok(f) => f,
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    };
    let f = figures(&claims);
    let mut per_person: BTreeMap<String, HashMap<String, i64>> = BTreeMap::new();
    for r in &reviewers {
        *per_person.entry(r.user_name.clone()).or_default().entry(r.kind.clone()).or_default() += r.count;
    }
    let kinds = ["approve", "reject", "request_evidence", "escalate"];
    let body = html! {
        h1 { (lang.say("Overview", "Overzicht")) }
        p { (lang.say("The last 14 days.", "De afgelopen 14 dagen.")) }
        div.tiles {
            div.tile { strong { (claims.len()) } span { (lang.say("claims received", "claims ontvangen")) } }
            div.tile { strong { (f.decided) } span { (lang.say("approved or rejected", "goedgekeurd of afgewezen")) } }
            div.tile { strong { (f.open) } span { (lang.say("still open", "nog open")) } }
            div.tile {
                strong { @if let Some(m) = f.median_to_decision { (layout::duration(lang, m)) } @else { "–" } }
                span { (lang.say("median time to decision", "mediane tijd tot beslissing")) }
            }
        }
        h2 { (lang.say("Claims per band per day", "Claims per band per dag")) }
        table.perday {
            thead { tr {
                th scope="col" { (lang.say("Day", "Dag")) }
                th scope="col" { (layout::band(lang, Some("escalate"))) }
                th scope="col" { (layout::band(lang, Some("review"))) }
                th scope="col" { (layout::band(lang, Some("clear"))) }
                th scope="col" { (layout::band(lang, None)) }
            } }
            tbody {
                @for (day, n) in f.per_day.iter().rev() {
                    tr { th scope="row" { (day) } @for v in n { td.num { (v) } } }
                }
            }
        }
        h2 { (lang.say("Patterns to look at", "Patronen om te bekijken")) }
        p.hint { (lang.say(
            "Flags from the insider rules, for a conversation, never a sanction; the rules are on the rules page for everyone to read.",
            "Meldingen van de regels voor fraude van binnenuit, voor een gesprek, nooit een sanctie; de regels staan op de regelpagina voor iedereen.")) " "
            a href="/rules" { (lang.say("The rules", "De regels")) } }
        @if flags.is_empty() {
            p { (lang.say("No pattern found in these 14 days.", "Geen patroon gevonden in deze 14 dagen.")) }
        } @else {
            ul.flags {
                @for (name, fl) in &flags {
                    li {
                        strong { (name) } " · " code { (fl.rule) } ": " (lang.say(&fl.facts_en, &fl.facts_nl)) " — "
                        @for c in fl.claims.iter().take(10) { a href={ "/claims/" (c) } { (c) } " " }
                    }
                }
            }
        }
        h2 { (lang.say("Decisions per reviewer", "Beslissingen per beoordelaar")) }
        @if per_person.is_empty() {
            p { (lang.say("No decisions yet.", "Nog geen beslissingen.")) }
        } @else {
            table.reviewers {
                thead { tr {
                    th scope="col" { (lang.say("Reviewer", "Beoordelaar")) }
                    @for k in kinds { th scope="col" { (layout::outcome(lang, Some(k))) } }
                } }
                tbody {
                    @for (name, counts) in &per_person {
                        tr { th scope="row" { (name) } @for k in kinds { td.num { (counts.get(k).copied().unwrap_or(0)) } } }
                    }
                }
            }
        }
    };
    layout::page(lang, Some(&viewer), lang.say("Overview", "Overzicht"), "/overview", body)
}

/// The insider flags raised or changed since `since` on claims the viewer sees (only
/// those claims listed), with each flagged person's display name.
async fn insider_flags(app: &App, viewer: &Viewer, since: i64) -> Result<Vec<(String, StoredFlag)>, proofdesk_storage::Error> {
    let (flags, log, users) = tokio::try_join!(app.flags.since(since), app.decisions.log(since), app.users.list())?;
    let client_of: HashMap<&str, Option<&str>> = log.iter().map(|d| (d.claim_id.as_str(), d.client.as_deref())).collect();
    let names = layout::actor_names(users);
    Ok(flags
        .into_iter()
        .filter_map(|mut f| {
            f.claims.retain(|c| client_of.get(c.as_str()).is_some_and(|client| viewer.sees(*client)));
            let name = names.get(&format!("user:{}", f.user_id)).cloned().unwrap_or_else(|| f.user_id.clone());
            (!f.claims.is_empty()).then_some((name, f))
        })
        .collect())
}

/// `GET /rules`: the insider rules in plain words, for everyone they apply to.
pub async fn rules(State(app): State<Arc<App>>, viewer: Viewer) -> Response {
    let lang = viewer.lang;
    let title = lang.say("The rules for decisions", "De regels voor beslissingen");
    let body = html! {
        h1 { (title) }
        p { (lang.say(
            "A supervisor sees a flag when one of these patterns shows in someone's decisions over 14 days. A flag is a reason to talk, never a sanction, and nothing happens automatically. These are simple, written rules on purpose; no learned model judges employees.",
            "Een teamleider ziet een melding als een van deze patronen in iemands beslissingen over 14 dagen zichtbaar is. Een melding is een reden voor een gesprek, nooit een sanctie, en er gebeurt niets automatisch. Het zijn bewust eenvoudige, opgeschreven regels; geen aangeleerd model beoordeelt medewerkers.")) }
        dl.rules {
            @for (name, text) in explain(&app.policy.insider) {
                dt { code { (name) } }
                dd { (text.get(lang)) }
            }
        }
    };
    layout::page(lang, Some(&viewer), title, "/rules", body)
}

/// `GET /audit`: the latest entries and whether the chain is intact. It spans every
/// client, so only those who see every claim may read it.
pub async fn audit(State(app): State<Arc<App>>, viewer: Viewer) -> Response {
    let lang = viewer.lang;
    if !viewer.role.oversees() || viewer.clients().is_some() {
        return layout::not_allowed(lang);
    }
    if let Err(r) = super::record(&app, lang, &viewer.actor(), "audit.view", None, "web").await {
        return r;
    }
    let loaded = tokio::try_join!(app.audit.recent(200), app.audit.verify(), app.users.list());
    let (entries, verified, users) = match loaded {
        Ok(l) => l,
        Err(e) => return layout::unavailable(lang, &e.to_string()),
    };
    let names = layout::actor_names(users);
    let body = html! {
        h1 { (lang.say("Audit trail", "Audittrail")) }
        @match &verified.broken {
            None => p.ok role="status" {
                (lang.say("The chain is intact:", "De keten is intact:")) " " (verified.entries) " "
                (lang.say("entries, head", "regels, kop")) " " code { (verified.head) }
                @if let Some(n) = verified.pruned_through {
                    ". " (lang.say("Entries 1 to", "Regels 1 tot en met")) " " (n) " "
                    (lang.say("were pruned by retention.", "zijn door de bewaartermijn verwijderd."))
                }
            },
            Some((seq, why)) => p.error role="alert" {
                (lang.say("The chain is broken at entry", "De keten is verbroken bij regel")) " " (seq) ": " (why)
            },
        }
        (layout::audit_table(lang, &entries, &names, true))
    };
    layout::page(lang, Some(&viewer), lang.say("Audit trail", "Audittrail"), "/audit", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(received_at: i64, band: Option<&str>, decision: Option<(&str, i64)>) -> ClaimTimes {
        ClaimTimes {
            received_at,
            band: band.map(str::to_owned),
            decision: decision.map(|d| d.0.to_owned()),
            decided_at: decision.map(|d| received_at + d.1),
        }
    }

    #[test]
    fn bands_per_day_and_the_median_time_to_decision() {
        let day = DAY_MS * 20_000;
        let claims = [
            claim(day, Some("escalate"), Some(("reject", 3_600_000))),
            claim(day + 1000, Some("clear"), Some(("approve", 600_000))),
            claim(day + DAY_MS, Some("review"), Some(("request_evidence", 60_000))),
            claim(day + DAY_MS, None, None),
            claim(day + DAY_MS, Some("clear"), Some(("approve", 1_200_000))),
        ];
        let f = figures(&claims);
        let days: Vec<_> = f.per_day.iter().map(|(d, n)| (d.clone(), *n)).collect();
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].1, [1, 0, 1, 0]);
        assert_eq!(days[1].1, [0, 1, 1, 1]);
        // Only approve and reject close a claim: 10, 20 and 60 minutes.
        assert_eq!(f.median_to_decision, Some(1_200_000));
        assert_eq!((f.decided, f.open), (3, 2));
    }
}
