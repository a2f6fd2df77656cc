//! Human oversight in figures: do people follow the routing or overrule it, on which
//! signals, how long do decisions take, who decides how much, are claims decided
//! without anyone opening the evidence (a sign of rubber-stamping), and what comes of
//! asking customers for better evidence — overall and per team, per period, so a trend
//! shows.
//!
//! A first decision *follows* the band unless it goes against it: a clear claim
//! rejected, escalated or sent back for evidence is overruled as stricter; an
//! escalated claim approved outright is overruled as more lenient. On a review claim
//! every decision follows (review means "a person looks").

use crate::decision::DecisionKind;
use crate::stats;
use serde::Serialize;
use std::collections::BTreeMap;

/// One recorded decision.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionFact {
    /// Who decided (display name).
    pub user: String,
    /// The teams they are in.
    pub teams: Vec<String>,
    /// What they decided.
    pub kind: DecisionKind,
    /// When (ms).
    pub at: i64,
    /// Whether they had opened the claim's evidence before deciding.
    pub opened_evidence: bool,
}

/// One request for better evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestFact {
    /// When it was made (ms).
    pub created_at: i64,
    /// The teams of the person who made it.
    pub teams: Vec<String>,
    /// When the customer answered, if they did.
    pub answered_at: Option<i64>,
    /// Withdrawn by the team.
    pub revoked: bool,
    /// Past its expiry without an answer.
    pub expired: bool,
}

/// One claim's trail.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimTrail {
    /// When it arrived (ms).
    pub received_at: i64,
    /// Its routing band.
    pub band: Option<String>,
    /// The signals that added points to its score.
    pub signals: Vec<String>,
    /// Its decisions, oldest first.
    pub decisions: Vec<DecisionFact>,
    /// Its evidence requests.
    pub requests: Vec<RequestFact>,
}

/// How a first decision relates to the band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Following {
    /// In line with the band.
    Follows,
    /// Stricter than the band (a clear claim not approved).
    Stricter,
    /// More lenient than the band (an escalated claim approved outright).
    Lenient,
}

/// Whether a first decision follows its claim's band.
pub fn following(band: Option<&str>, kind: DecisionKind) -> Following {
    match (band, kind) {
        (Some("clear"), DecisionKind::Approve) => Following::Follows,
        (Some("clear"), _) => Following::Stricter,
        (Some("escalate"), DecisionKind::Approve) => Following::Lenient,
        _ => Following::Follows,
    }
}

/// One period's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PeriodRow {
    /// The period (`YYYY-MM`).
    pub period: String,
    /// Decisions recorded.
    pub decisions: usize,
    /// Claims whose first decision fell in the period.
    pub first_decisions: usize,
    /// Of those, decided in line with the band.
    pub followed: usize,
    /// Overruled as stricter.
    pub stricter: usize,
    /// Overruled as more lenient.
    pub lenient: usize,
    /// Approvals and rejections.
    pub final_decisions: usize,
    /// Of those, made without opening the evidence.
    pub without_evidence: usize,
    /// Median time from receipt to approval or rejection (ms).
    pub median_to_decision_ms: Option<i64>,
    /// 90th percentile of the same.
    pub p90_to_decision_ms: Option<i64>,
    /// Evidence requests made.
    pub evidence_requests: usize,
    /// Of those, answered by the customer.
    pub answered: usize,
}

/// First decisions per band.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BandRow {
    /// The band (`none` when not screened).
    pub band: String,
    /// First decisions by kind.
    pub decisions: BTreeMap<String, usize>,
    /// Of all, how many followed the band.
    pub followed: usize,
}

/// How often people overrule the band on claims with a signal.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SignalRow {
    /// The signal id.
    pub signal: String,
    /// Claims with this signal that had a first decision.
    pub claims: usize,
    /// Overruled as stricter.
    pub stricter: usize,
    /// Overruled as more lenient.
    pub lenient: usize,
    /// Approved in the end.
    pub approved: usize,
}

/// One reviewer's decisions.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReviewerRow {
    /// Display name.
    pub user: String,
    /// Decisions by kind.
    pub decisions: BTreeMap<String, usize>,
    /// Approvals and rejections made without opening the evidence.
    pub without_evidence: usize,
    /// Median time from receipt to their approvals and rejections (ms).
    pub median_to_decision_ms: Option<i64>,
}

/// What came of the evidence requests.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RequestSummary {
    /// Requests made.
    pub made: usize,
    /// Answered by the customer.
    pub answered: usize,
    /// Past their expiry unanswered.
    pub expired: usize,
    /// Withdrawn.
    pub revoked: usize,
    /// Still open.
    pub open: usize,
    /// Median time to the answer (ms).
    pub median_to_answer_ms: Option<i64>,
    /// Claims with an answered request later approved.
    pub then_approved: usize,
    /// … later rejected.
    pub then_rejected: usize,
}

/// The figures for everyone or one team.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Section {
    /// Per period, oldest first.
    pub periods: Vec<PeriodRow>,
    /// First decisions per band.
    pub bands: Vec<BandRow>,
    /// Per signal, most overruled first.
    pub signals: Vec<SignalRow>,
    /// Per reviewer, by name.
    pub reviewers: Vec<ReviewerRow>,
    /// Evidence requests.
    pub requests: RequestSummary,
}

/// The report: everyone, then each team.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Claims with at least one decision or request.
    pub claims: usize,
    /// All teams together.
    pub overall: Section,
    /// Per team, by name.
    pub teams: BTreeMap<String, Section>,
}

fn in_team(team: Option<&str>, teams: &[String]) -> bool {
    team.is_none_or(|t| teams.iter().any(|x| x == t))
}

fn period_row<'a>(periods: &'a mut BTreeMap<String, PeriodRow>, p: &str) -> &'a mut PeriodRow {
    periods.entry(p.to_owned()).or_insert_with(|| PeriodRow { period: p.to_owned(), ..PeriodRow::default() })
}

/// The figures for `team` (all when `None`); `period_of` names a time's period.
fn section(trails: &[ClaimTrail], team: Option<&str>, period_of: &dyn Fn(i64) -> String) -> Section {
    let mut periods: BTreeMap<String, PeriodRow> = BTreeMap::new();
    let mut times: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut bands: BTreeMap<String, BandRow> = BTreeMap::new();
    let mut signals: BTreeMap<String, SignalRow> = BTreeMap::new();
    let mut reviewers: BTreeMap<String, (ReviewerRow, Vec<i64>)> = BTreeMap::new();
    let mut requests = RequestSummary::default();
    let mut answer_times = Vec::new();
    for t in trails {
        let approved = t.decisions.iter().any(|d| d.kind == DecisionKind::Approve);
        let rejected = t.decisions.iter().any(|d| d.kind == DecisionKind::Reject);
        for d in t.decisions.iter().filter(|d| in_team(team, &d.teams)) {
            let p = period_of(d.at);
            let r = period_row(&mut periods, &p);
            r.decisions += 1;
            let (reviewer, their_times) = reviewers
                .entry(d.user.clone())
                .or_insert_with(|| (ReviewerRow { user: d.user.clone(), ..ReviewerRow::default() }, Vec::new()));
            *reviewer.decisions.entry(d.kind.as_str().to_owned()).or_default() += 1;
            if d.kind.is_final() {
                r.final_decisions += 1;
                let took = d.at - t.received_at;
                times.entry(p.clone()).or_default().push(took);
                their_times.push(took);
                if !d.opened_evidence {
                    r.without_evidence += 1;
                    reviewer.without_evidence += 1;
                }
            }
        }
        if let Some(first) = t.decisions.first().filter(|d| in_team(team, &d.teams)) {
            let r = period_row(&mut periods, &period_of(first.at));
            r.first_decisions += 1;
            let how = following(t.band.as_deref(), first.kind);
            match how {
                Following::Follows => r.followed += 1,
                Following::Stricter => r.stricter += 1,
                Following::Lenient => r.lenient += 1,
            }
            let band = t.band.clone().unwrap_or_else(|| "none".into());
            let b = bands.entry(band.clone()).or_insert_with(|| BandRow { band, ..BandRow::default() });
            *b.decisions.entry(first.kind.as_str().to_owned()).or_default() += 1;
            b.followed += usize::from(how == Following::Follows);
            let mut seen: Vec<&String> = t.signals.iter().collect();
            seen.sort();
            seen.dedup();
            for s in seen {
                let row = signals.entry(s.clone()).or_insert_with(|| SignalRow { signal: s.clone(), ..SignalRow::default() });
                row.claims += 1;
                row.stricter += usize::from(how == Following::Stricter);
                row.lenient += usize::from(how == Following::Lenient);
                row.approved += usize::from(approved);
            }
        }
        for q in t.requests.iter().filter(|q| in_team(team, &q.teams)) {
            let r = period_row(&mut periods, &period_of(q.created_at));
            r.evidence_requests += 1;
            requests.made += 1;
            match q.answered_at {
                Some(at) => {
                    r.answered += 1;
                    requests.answered += 1;
                    answer_times.push(at - q.created_at);
                    requests.then_approved += usize::from(approved);
                    requests.then_rejected += usize::from(rejected);
                }
                None if q.revoked => requests.revoked += 1,
                None if q.expired => requests.expired += 1,
                None => requests.open += 1,
            }
        }
    }
    for (p, mut t) in times {
        if let Some(r) = periods.get_mut(&p) {
            r.median_to_decision_ms = stats::median(&mut t);
            r.p90_to_decision_ms = stats::quantile(&mut t, 0.9);
        }
    }
    requests.median_to_answer_ms = stats::median(&mut answer_times);
    let mut signals: Vec<SignalRow> = signals.into_values().collect();
    signals.sort_by(|a, b| (b.stricter + b.lenient).cmp(&(a.stricter + a.lenient)).then(b.claims.cmp(&a.claims)).then(a.signal.cmp(&b.signal)));
    Section {
        periods: periods.into_values().collect(),
        bands: ["escalate", "review", "clear", "none"].iter().filter_map(|b| bands.remove(*b)).collect(),
        signals,
        reviewers: reviewers
            .into_values()
            .map(|(mut r, mut t)| {
                r.median_to_decision_ms = stats::median(&mut t);
                r
            })
            .collect(),
        requests,
    }
}

/// The oversight report over `trails`; `period_of` names a time's period (a month).
pub fn report(trails: &[ClaimTrail], period_of: &dyn Fn(i64) -> String) -> Report {
    let mut names: Vec<&String> = trails
        .iter()
        .flat_map(|t| t.decisions.iter().flat_map(|d| &d.teams).chain(t.requests.iter().flat_map(|q| &q.teams)))
        .collect();
    names.sort();
    names.dedup();
    Report {
        claims: trails.iter().filter(|t| !t.decisions.is_empty() || !t.requests.is_empty()).count(),
        overall: section(trails, None, period_of),
        teams: names.into_iter().map(|n| (n.clone(), section(trails, Some(n), period_of))).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn month(ms: i64) -> String {
        format!("m{}", ms / (30 * DAY))
    }

    fn decided(band: &str, signal: &str, kind: DecisionKind, user: &str, team: &str, opened: bool, after_days: i64) -> ClaimTrail {
        ClaimTrail {
            received_at: 0,
            band: Some(band.into()),
            signals: vec![signal.into()],
            decisions: vec![DecisionFact {
                user: user.into(),
                teams: vec![team.into()],
                kind,
                at: after_days * DAY,
                opened_evidence: opened,
            }],
            requests: vec![],
        }
    }

    #[test]
    fn following_and_overruling_the_band() {
        assert_eq!(following(Some("clear"), DecisionKind::Approve), Following::Follows);
        assert_eq!(following(Some("clear"), DecisionKind::Reject), Following::Stricter);
        assert_eq!(following(Some("clear"), DecisionKind::RequestEvidence), Following::Stricter);
        assert_eq!(following(Some("escalate"), DecisionKind::Approve), Following::Lenient);
        assert_eq!(following(Some("escalate"), DecisionKind::Reject), Following::Follows);
        assert_eq!(following(Some("review"), DecisionKind::Approve), Following::Follows);
    }

    #[test]
    fn figures_per_period_signal_reviewer_and_team() {
        let trails = vec![
            decided("clear", "provenance.no-camera-metadata", DecisionKind::Approve, "Anouk", "Retail", true, 1),
            decided("escalate", "reuse.seen-before", DecisionKind::Approve, "Anouk", "Retail", false, 2),
            decided("escalate", "reuse.seen-before", DecisionKind::Reject, "Bram", "Fraud", true, 40),
            decided("clear", "ai.pixels.detector", DecisionKind::Escalate, "Bram", "Fraud", true, 41),
        ];
        let r = report(&trails, &month);
        assert_eq!(r.claims, 4);
        let all = &r.overall;
        assert_eq!(all.periods.len(), 2);
        assert_eq!((all.periods[0].first_decisions, all.periods[0].followed, all.periods[0].lenient), (2, 1, 1));
        assert_eq!((all.periods[1].stricter, all.periods[1].final_decisions), (1, 1));
        assert_eq!(all.periods[0].without_evidence, 1, "Anouk approved the escalated claim unseen");
        assert_eq!(all.periods[0].median_to_decision_ms, Some(DAY * 3 / 2));
        let reuse = all.signals.iter().find(|s| s.signal == "reuse.seen-before").unwrap();
        assert_eq!((reuse.claims, reuse.lenient, reuse.approved), (2, 1, 1));
        assert_eq!(all.signals.len(), 3);
        assert!(all.signals[2].stricter + all.signals[2].lenient == 0, "the least overruled come last");
        let anouk = all.reviewers.iter().find(|x| x.user == "Anouk").unwrap();
        assert_eq!((anouk.decisions["approve"], anouk.without_evidence), (2, 1));
        let escalate = all.bands.iter().find(|b| b.band == "escalate").unwrap();
        assert_eq!((escalate.decisions["approve"], escalate.decisions["reject"], escalate.followed), (1, 1, 1));
        assert_eq!(r.teams.len(), 2);
        let fraud = &r.teams["Fraud"];
        assert_eq!(fraud.reviewers.len(), 1);
        assert_eq!(fraud.periods.iter().map(|p| p.decisions).sum::<usize>(), 2);
    }

    #[test]
    fn evidence_requests_and_what_came_of_them() {
        let mut answered = decided("review", "manipulation.editor-software", DecisionKind::RequestEvidence, "Anouk", "Retail", true, 1);
        answered.decisions.push(DecisionFact { kind: DecisionKind::Approve, at: 5 * DAY, ..answered.decisions[0].clone() });
        let request = |answered_at, revoked, expired| RequestFact {
            created_at: DAY,
            teams: vec!["Retail".into()],
            answered_at,
            revoked,
            expired,
        };
        answered.requests.push(request(Some(3 * DAY), false, false));
        let mut waiting = answered.clone();
        waiting.decisions.truncate(1);
        waiting.requests = vec![request(None, false, true), request(None, true, false), request(None, false, false)];
        let r = report(&[answered, waiting], &month);
        let q = &r.overall.requests;
        assert_eq!((q.made, q.answered, q.expired, q.revoked, q.open), (4, 1, 1, 1, 1));
        assert_eq!((q.then_approved, q.then_rejected, q.median_to_answer_ms), (1, 0, Some(2 * DAY)));
        assert_eq!(r.overall.periods[0].evidence_requests, 4);
    }
}
