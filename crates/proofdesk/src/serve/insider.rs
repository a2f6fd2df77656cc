//! Running the insider rules on the live decision log: after every decision the last
//! 14 days are evaluated and each new or changed flag is stored with an audit entry,
//! so a flag exists whether or not a supervisor is looking.

use super::App;
use proofdesk_domain::insider::{evaluate, Event};
use proofdesk_storage::decisions::LogEntry;
use proofdesk_storage::flags::NewFlag;
use proofdesk_storage::time::now_ms;
use std::collections::HashMap;

/// Days of decisions the rules look at.
pub const WINDOW_DAYS: i64 = 14;
const DAY_MS: i64 = 86_400_000;

/// The decision log as the rules see it (`team_of`: user id → team).
pub fn events(log: Vec<LogEntry>, team_of: &HashMap<String, String>) -> Vec<Event> {
    log.into_iter()
        .map(|d| {
            let amount_minor = d.amount.as_ref().map_or(0, |a| a.0);
            Event {
                team: team_of.get(&d.user_id).cloned().unwrap_or_else(|| "-".into()),
                approved: d.kind == "approve" || d.kind == super::deciding::PENDING,
                limit_minor: d.limit_minor.unwrap_or(0),
                band: d.band.unwrap_or_default(),
                payout_ref: d.payout_ref,
                assigned: !d.outside_queue,
                user: d.user_id,
                claim: d.claim_id,
                customer: d.customer_id,
                at_ms: d.decided_at,
                amount_minor,
            }
        })
        .collect()
}

/// Evaluates the rules over the last 14 days and stores what is new; how many flags
/// were raised or changed.
pub async fn refresh(app: &App) -> Result<usize, proofdesk_storage::Error> {
    let since = now_ms() - WINDOW_DAYS * DAY_MS;
    let (log, memberships) = tokio::try_join!(app.decisions.log(since), app.teams.memberships())?;
    let team_of: HashMap<String, String> = memberships.into_iter().collect();
    let mut changed = 0;
    for f in evaluate(&events(log, &team_of), &app.policy.insider) {
        let new = NewFlag {
            rule: f.rule,
            user_id: &f.user,
            claims: &f.claims,
            facts_en: &f.facts.en,
            facts_nl: &f.facts.nl,
        };
        changed += usize::from(app.flags.raise(&new).await?);
    }
    Ok(changed)
}
