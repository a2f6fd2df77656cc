//! Showing the organisation is in control: the AI register, the AI Act documentation
//! generated from measured results, and the oversight and fairness reports. The
//! figures come from the database and the recorded evaluations; the logic from
//! `proofdesk_domain`; this module joins the two for the CLI and the web pages.

pub mod ai_act;
pub mod cli;
pub mod simulate_fairness;

use anyhow::{Context, Result};
use proofdesk_domain::ai_register::{classify, Builtin, BUILTINS};
use proofdesk_domain::claim::ClaimContext;
use proofdesk_domain::decision::DecisionKind;
use proofdesk_domain::routing::Policy;
use proofdesk_domain::{fairness, oversight};
use proofdesk_storage::compliance::{AiSystem, Compliance};
use proofdesk_storage::report_facts::{DecisionFact, Facts, RequestFact};
use proofdesk_storage::time::{format_utc, now_ms};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// A day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;

/// The policy file at `path`, or the defaults.
pub fn load_policy(path: Option<&Path>) -> Result<Policy> {
    Ok(load_policy_and_source(path)?.0)
}

/// The policy and where it came from, for the documentation: the file and the start of
/// its SHA-256, or the defaults. The file is read once.
pub fn load_policy_and_source(path: Option<&Path>) -> Result<(Policy, String)> {
    use sha2::{Digest, Sha256};
    let Some(p) = path else {
        return Ok((Policy::default(), "proofdesk defaults".into()));
    };
    let bytes = std::fs::read(p).with_context(|| format!("cannot read the policy {}", p.display()))?;
    let text = std::str::from_utf8(&bytes).with_context(|| format!("the policy {} is not UTF-8 text", p.display()))?;
    let policy = Policy::from_toml(text).with_context(|| format!("policy {}", p.display()))?;
    let sha = crate::index::hex(&Sha256::digest(&bytes)[..8]);
    Ok((policy, format!("{} (sha256 {sha}…)", p.display())))
}

/// A time's month, `YYYY-MM` (UTC): the reports' period.
pub fn month_of(ms: i64) -> String {
    format_utc(ms)[..7].to_owned()
}

/// A day `YYYY-MM-DD` as milliseconds at its start (UTC).
pub fn day_ms(day: &str) -> Option<i64> {
    proofdesk_domain::claim::valid_date(day).then(|| proofdesk_domain::context::days(day) * DAY_MS)
}

/// A period given as `--since`/`--until` days (until exclusive of the next day), or
/// the last `default_days` up to now.
pub fn period(since: Option<&str>, until: Option<&str>, default_days: i64) -> Result<(i64, i64)> {
    let parse = |d: &str| day_ms(d).with_context(|| format!("{d:?} is not a date (YYYY-MM-DD)"));
    let until = match until {
        Some(d) => parse(d)? + DAY_MS,
        None => now_ms() + 1,
    };
    let since = match since {
        Some(d) => parse(d)?,
        None => until - default_days * DAY_MS,
    };
    anyhow::ensure!(since < until, "the period ends before it starts");
    Ok((since, until))
}

/// The register as a builtin proposes it, with its class worked out.
pub fn builtin_system(b: &Builtin) -> AiSystem {
    let answers: BTreeSet<String> = b.answers.iter().map(|a| a.to_string()).collect();
    let c = classify(&answers);
    AiSystem {
        id: b.id.into(),
        name: b.name.0.into(),
        purpose: b.purpose.0.into(),
        owner: String::new(),
        users: b.users.0.into(),
        data_used: b.data.0.into(),
        answers: answers.into_iter().collect(),
        risk_class: c.class.as_str().into(),
        reasoning_json: serde_json::to_string(&c.reasoning).unwrap_or_else(|_| "[]".into()),
        review_due: format_utc(now_ms() + 365 * DAY_MS)[..10].to_owned(),
        builtin: true,
        created_at: 0,
        updated_at: 0,
        updated_by: "proofdesk".into(),
    }
}

/// A field of a system in a language: proofdesk's own components have both, as long
/// as the field is as proofdesk filled it in; what people typed is shown as typed.
pub fn localized(lang: proofdesk_engine::Lang, s: &AiSystem, field: Field) -> &str {
    let (value, pick): (&String, BuiltinText) = match field {
        Field::Name => (&s.name, |b| b.name),
        Field::Purpose => (&s.purpose, |b| b.purpose),
        Field::Users => (&s.users, |b| b.users),
        Field::Data => (&s.data_used, |b| b.data),
    };
    match BUILTINS.iter().find(|b| b.id == s.id).map(pick) {
        Some((en, nl)) if value == en => match lang {
            proofdesk_engine::Lang::En => en,
            proofdesk_engine::Lang::Nl => nl,
        },
        _ => value,
    }
}

/// Picks one of a builtin's texts (English, Dutch).
type BuiltinText = fn(&Builtin) -> (&'static str, &'static str);

/// The fields [`localized`] translates.
#[derive(Clone, Copy)]
pub enum Field {
    /// The name.
    Name,
    /// The purpose.
    Purpose,
    /// Who uses it.
    Users,
    /// The data it uses.
    Data,
}

/// The register, with proofdesk's own components added the first time it is read.
pub async fn register(c: &Compliance) -> Result<Vec<AiSystem>> {
    let mut systems = c.systems().await?;
    let mut added = false;
    for b in &BUILTINS {
        if !systems.iter().any(|s| s.id == b.id) {
            c.save(&builtin_system(b), "proofdesk").await?;
            added = true;
        }
    }
    if added {
        systems = c.systems().await?;
    }
    Ok(systems)
}

/// The trails the oversight report is computed from, for the claims received from
/// `since` on; a request unanswered past its expiry at `now` counts as expired.
pub fn oversight_trails(f: &Facts, since: i64, now: i64) -> Vec<oversight::ClaimTrail> {
    let teams_of = |actor_id: &str| f.teams.get(actor_id).cloned().unwrap_or_default();
    let (decisions_of, requests_of) = by_claim(f);
    f.claims
        .iter()
        .filter(|c| c.received_at >= since)
        .map(|c| {
            let decisions = decisions_of
                .get(c.id.as_str())
                .into_iter()
                .flatten()
                .filter_map(|d| {
                    let kind = DecisionKind::parse(&d.kind)?;
                    let opened = f.first_views.get(&(c.id.clone(), format!("user:{}", d.user_id)));
                    Some(oversight::DecisionFact {
                        user: d.user_name.clone(),
                        teams: teams_of(&d.user_id),
                        kind,
                        at: d.at,
                        opened_evidence: opened.is_some_and(|at| *at <= d.at),
                    })
                })
                .collect();
            let requests = requests_of
                .get(c.id.as_str())
                .into_iter()
                .flatten()
                .map(|q| oversight::RequestFact {
                    created_at: q.created_at,
                    teams: q.created_by.strip_prefix("user:").map(teams_of).unwrap_or_default(),
                    answered_at: q.answered_at,
                    revoked: q.revoked_at.is_some(),
                    expired: q.answered_at.is_none() && q.expires_at < now,
                })
                .collect();
            oversight::ClaimTrail {
                received_at: c.received_at,
                band: c.band.clone(),
                signals: reason_signals(c.routing_json.as_deref()),
                decisions,
                requests,
            }
        })
        .collect()
}

type ByClaim<'a, T> = HashMap<&'a str, Vec<&'a T>>;

/// Decisions and requests per claim id, in their stored order.
fn by_claim(f: &Facts) -> (ByClaim<'_, DecisionFact>, ByClaim<'_, RequestFact>) {
    let mut decisions: ByClaim<'_, DecisionFact> = HashMap::new();
    for d in &f.decisions {
        decisions.entry(d.claim_id.as_str()).or_default().push(d);
    }
    let mut requests: ByClaim<'_, RequestFact> = HashMap::new();
    for q in &f.requests {
        requests.entry(q.claim_id.as_str()).or_default().push(q);
    }
    (decisions, requests)
}

/// The signal ids that added points to a claim's score, from its stored routing.
fn reason_signals(routing_json: Option<&str>) -> Vec<String> {
    let Some(v) = routing_json.and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok()) else {
        return Vec::new();
    };
    v["reasons"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["signal"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// The outcomes the fairness monitor compares.
pub fn fairness_outcomes(f: &Facts) -> Vec<fairness::ClaimOutcome> {
    let (decisions_of, requests_of) = by_claim(f);
    f.claims
        .iter()
        .map(|c| {
            let context: Option<ClaimContext> = serde_json::from_str(&c.context_json).ok();
            let mine = || decisions_of.get(c.id.as_str()).into_iter().flatten();
            let last_final = mine().rfind(|d| d.kind == "approve" || d.kind == "reject");
            fairness::ClaimOutcome {
                channel: context.as_ref().and_then(|x| x.channel.clone()),
                language: context.as_ref().and_then(|x| x.language.clone()),
                postcode: context.as_ref().and_then(|x| x.delivery_postcode.clone()),
                country: context.as_ref().and_then(|x| x.delivery_country.clone()),
                returning: c.returning,
                band: c.band.clone(),
                approved: last_final.map(|d| d.kind == "approve"),
                time_to_decision_ms: last_final.map(|d| d.at - c.received_at),
                evidence_requested: mine().any(|d| d.kind == "request_evidence") || requests_of.contains_key(c.id.as_str()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_periods() {
        assert_eq!(day_ms("1970-01-02"), Some(DAY_MS));
        assert_eq!(day_ms("2024-02-29").map(format_utc), Some("2024-02-29 00:00 UTC".into()));
        assert_eq!(day_ms("2024-13-01"), None);
        let (s, u) = period(Some("2026-01-01"), Some("2026-01-31"), 90).unwrap();
        assert_eq!((u - s) / DAY_MS, 31);
        assert!(period(Some("2026-02-01"), Some("2026-01-01"), 90).is_err());
        assert_eq!(month_of(day_ms("2026-11-30").unwrap()), "2026-11");
    }
}
