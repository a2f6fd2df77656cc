//! Patterns of fraud from inside, as flags for a supervisor: never a sanction, always
//! with the facts and a rule written in plain words that the employees it applies to
//! can read. Transparent heuristics on purpose: monitoring employees needs the works
//! council's consent in the Netherlands (WOR art. 27), and a learned model doing this
//! could be high-risk AI under the EU AI Act (Annex III 4(b)).

use proofdesk_engine::signal::Text;
use std::collections::BTreeMap;

/// One decision as the rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Who decided.
    pub user: String,
    /// Their team.
    pub team: String,
    /// Which claim.
    pub claim: String,
    /// The claim's pseudonymous customer.
    pub customer: String,
    /// When (ms).
    pub at_ms: i64,
    /// An approval (others are not counted by the approval rules).
    pub approved: bool,
    /// The amount approved, in minor units.
    pub amount_minor: i64,
    /// The decider's authority then, in minor units.
    pub limit_minor: i64,
    /// The routing band the claim had.
    pub band: String,
    /// The payout reference (account or card token), when known.
    pub payout_ref: Option<String>,
    /// The claim was in the decider's queue (assigned to them or their team).
    pub assigned: bool,
}

/// The rules' thresholds (the policy file's `[insider]` table can change them).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Rules {
    /// "Just below the limit" means at least this share of it.
    pub near_limit_share: f64,
    /// Flag when at least this many approvals are just below the limit…
    pub near_limit_min: usize,
    /// …and that happens at least this many times as often as in the rest of the team.
    pub near_limit_factor: f64,
    /// Approvals for one customer by one person within this time count as one claim split up.
    pub split_window_ms: i64,
    /// Flag when at least this many such approvals together exceed the limit.
    pub split_min: usize,
    /// Flag when a person approves escalated claims at this many times their team's rate…
    pub escalated_factor: f64,
    /// …and at least this many of them.
    pub escalated_min: usize,
    /// Flag when one person approves this many claims of the same customer.
    pub repeat_customer_min: usize,
    /// Flag when this many approvals for different customers pay out to one reference.
    pub repeat_payout_min: usize,
    /// Flag when a person decides this many claims outside their queue.
    pub unassigned_min: usize,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            near_limit_share: 0.9,
            near_limit_min: 5,
            near_limit_factor: 3.0,
            split_window_ms: 72 * 3_600_000,
            split_min: 3,
            escalated_factor: 3.0,
            escalated_min: 4,
            repeat_customer_min: 4,
            repeat_payout_min: 3,
            unassigned_min: 4,
        }
    }
}

/// The policy file's `[insider]` table: each field replaces a default.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesFile {
    near_limit_share: Option<f64>,
    near_limit_min: Option<usize>,
    near_limit_factor: Option<f64>,
    split_window_hours: Option<f64>,
    split_min: Option<usize>,
    escalated_factor: Option<f64>,
    escalated_min: Option<usize>,
    repeat_customer_min: Option<usize>,
    repeat_payout_min: Option<usize>,
    unassigned_min: Option<usize>,
}

impl Rules {
    /// The defaults with a policy file's `[insider]` values; a value out of its range
    /// is refused with the field named.
    pub fn with_file(f: &RulesFile) -> Result<Rules, String> {
        let mut r = Rules::default();
        let share = |name: &str, v: Option<f64>, lo: f64, hi: f64, into: &mut f64| match v {
            Some(v) if !(v.is_finite() && v > lo && v <= hi) => Err(format!("insider.{name} is {v}; use more than {lo} and at most {hi}")),
            Some(v) => {
                *into = v;
                Ok(())
            }
            None => Ok(()),
        };
        share("near_limit_share", f.near_limit_share, 0.0, 1.0, &mut r.near_limit_share)?;
        share("near_limit_factor", f.near_limit_factor, 0.0, 1000.0, &mut r.near_limit_factor)?;
        share("escalated_factor", f.escalated_factor, 0.0, 1000.0, &mut r.escalated_factor)?;
        let mut hours = r.split_window_ms as f64 / 3_600_000.0;
        share("split_window_hours", f.split_window_hours, 0.0, 24.0 * 31.0, &mut hours)?;
        r.split_window_ms = (hours * 3_600_000.0).round() as i64;
        let count = |name: &str, v: Option<usize>, into: &mut usize| match v {
            Some(v) if !(1..=10_000).contains(&v) => Err(format!("insider.{name} is {v}; use 1 to 10000")),
            Some(v) => {
                *into = v;
                Ok(())
            }
            None => Ok(()),
        };
        count("near_limit_min", f.near_limit_min, &mut r.near_limit_min)?;
        count("split_min", f.split_min, &mut r.split_min)?;
        count("escalated_min", f.escalated_min, &mut r.escalated_min)?;
        count("repeat_customer_min", f.repeat_customer_min, &mut r.repeat_customer_min)?;
        count("repeat_payout_min", f.repeat_payout_min, &mut r.repeat_payout_min)?;
        count("unassigned_min", f.unassigned_min, &mut r.unassigned_min)?;
        Ok(r)
    }
}

/// The rules' names, in report order.
pub const RULES: [&str; 6] = [
    "near-limit",
    "split-claim",
    "escalated-approvals",
    "repeat-customer",
    "repeat-payout",
    "outside-queue",
];

/// A flag for a supervisor.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    /// Which rule (one of [`RULES`]).
    pub rule: &'static str,
    /// Whose decisions.
    pub user: String,
    /// What was seen, in plain words.
    pub facts: Text,
    /// The claims behind it.
    pub claims: Vec<String>,
}

/// Every rule written down, as employees read it.
pub fn explain(rules: &Rules) -> Vec<(&'static str, Text)> {
    let pct = (rules.near_limit_share * 100.0).round();
    let hours = rules.split_window_ms / 3_600_000;
    vec![
        ("near-limit", Text::new(
            format!("At least {} of your approvals are between {pct}% of your authority and your authority, {} times as often as in the rest of your team or more.", rules.near_limit_min, rules.near_limit_factor),
            format!("Minstens {} van uw goedkeuringen liggen tussen {pct}% van uw bevoegdheid en uw bevoegdheid, {} keer zo vaak als in de rest van uw team of vaker.", rules.near_limit_min, rules.near_limit_factor),
        )),
        ("split-claim", Text::new(
            format!("You approved {} or more claims of one customer within {hours} hours that together exceed your authority.", rules.split_min),
            format!("U keurde binnen {hours} uur {} of meer claims van één klant goed die samen boven uw bevoegdheid uitkomen.", rules.split_min),
        )),
        ("escalated-approvals", Text::new(
            format!("You approve claims routed to the fraud team at least {} times as often as your team, {} times or more.", rules.escalated_factor, rules.escalated_min),
            format!("U keurt claims die naar het fraudeteam gingen minstens {} keer zo vaak goed als uw team, {} keer of vaker.", rules.escalated_factor, rules.escalated_min),
        )),
        ("repeat-customer", Text::new(
            format!("You approved {} or more claims of the same customer.", rules.repeat_customer_min),
            format!("U keurde {} of meer claims van dezelfde klant goed.", rules.repeat_customer_min),
        )),
        ("repeat-payout", Text::new(
            format!("{} or more of your approvals for different customers pay out to the same account.", rules.repeat_payout_min),
            format!("{} of meer van uw goedkeuringen voor verschillende klanten betalen uit op dezelfde rekening.", rules.repeat_payout_min),
        )),
        ("outside-queue", Text::new(
            format!("You decided {} or more claims that were not in your queue.", rules.unassigned_min),
            format!("U besliste over {} of meer claims die niet in uw wachtrij stonden.", rules.unassigned_min),
        )),
    ]
}

/// Runs every rule over a decision log.
pub fn evaluate(events: &[Event], rules: &Rules) -> Vec<Flag> {
    let mut by_user: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
    for e in events {
        by_user.entry(e.user.as_str()).or_default().push(e);
    }
    let near = |e: &Event| {
        e.limit_minor > 0 && e.amount_minor <= e.limit_minor && e.amount_minor as f64 >= rules.near_limit_share * e.limit_minor as f64
    };
    // Per team: approvals, of escalated claims, just below the limit.
    let mut team_counts: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for e in events.iter().filter(|e| e.approved) {
        let t = team_counts.entry(e.team.as_str()).or_default();
        t.0 += 1;
        t.1 += usize::from(e.band == "escalate");
        t.2 += usize::from(near(e));
    }
    // A person's rate against the rest of their team's.
    let rest_rate = |team: &str, mine_total: usize, mine_hits: usize, pick: fn(&(usize, usize, usize)) -> usize| {
        let t = team_counts.get(team).copied().unwrap_or_default();
        let others = t.0.saturating_sub(mine_total);
        if others == 0 {
            0.0
        } else {
            pick(&t).saturating_sub(mine_hits) as f64 / others as f64
        }
    };
    let mut flags = Vec::new();
    for (user, mine) in &by_user {
        let approvals: Vec<&&Event> = mine.iter().filter(|e| e.approved).collect();
        let flag = |rule: &'static str, en: String, nl: String, claims: Vec<String>| Flag {
            rule,
            user: user.to_string(),
            facts: Text::new(en, nl),
            claims,
        };
        // Just below the limit, far more often than the rest of the team.
        let below: Vec<&&&Event> = approvals.iter().filter(|e| near(e)).collect();
        if let (Some(first), true) = (approvals.first(), below.len() >= rules.near_limit_min) {
            let team_rate = rest_rate(&first.team, approvals.len(), below.len(), |t| t.2);
            let my_rate = below.len() as f64 / approvals.len() as f64;
            if my_rate >= rules.near_limit_factor * team_rate.max(1e-9) {
                flags.push(flag(
                    "near-limit",
                    format!("{} of {} approvals just below the authority ({:.0}%; rest of the team {:.1}%)", below.len(), approvals.len(), my_rate * 100.0, team_rate * 100.0),
                    format!("{} van {} goedkeuringen net onder de bevoegdheid ({:.0}%; rest van het team {:.1}%)", below.len(), approvals.len(), my_rate * 100.0, team_rate * 100.0),
                    below.iter().map(|e| e.claim.clone()).collect(),
                ));
            }
        }
        // One claim split into several.
        let mut per_customer: BTreeMap<&str, Vec<&&Event>> = BTreeMap::new();
        for e in &approvals {
            per_customer.entry(e.customer.as_str()).or_default().push(e);
        }
        for (customer, list) in &per_customer {
            let mut list = list.clone();
            list.sort_by_key(|e| e.at_ms);
            for start in 0..list.len() {
                let window: Vec<&&Event> = list[start..]
                    .iter()
                    .take_while(|e| e.at_ms - list[start].at_ms <= rules.split_window_ms)
                    .copied()
                    .collect();
                let total: i64 = window.iter().map(|e| e.amount_minor).sum();
                if window.len() >= rules.split_min && total > window[0].limit_minor {
                    flags.push(flag(
                        "split-claim",
                        format!("{} approvals for customer {customer} within {} h, together {}.{:02}", window.len(), rules.split_window_ms / 3_600_000, total / 100, total % 100),
                        format!("{} goedkeuringen voor klant {customer} binnen {} u, samen {}.{:02}", window.len(), rules.split_window_ms / 3_600_000, total / 100, total % 100),
                        window.iter().map(|e| e.claim.clone()).collect(),
                    ));
                    break;
                }
            }
            if list.len() >= rules.repeat_customer_min {
                flags.push(flag(
                    "repeat-customer",
                    format!("{} approvals for customer {customer}", list.len()),
                    format!("{} goedkeuringen voor klant {customer}", list.len()),
                    list.iter().map(|e| e.claim.clone()).collect(),
                ));
            }
        }
        // Escalated claims approved far above the team's rate.
        let escalated = approvals.iter().filter(|e| e.band == "escalate").count();
        if let (Some(first), true) = (approvals.first(), escalated >= rules.escalated_min) {
            let team_rate = rest_rate(&first.team, approvals.len(), escalated, |t| t.1);
            let my_rate = escalated as f64 / approvals.len() as f64;
            if my_rate >= rules.escalated_factor * team_rate.max(1e-9) {
                flags.push(flag(
                    "escalated-approvals",
                    format!("approved {escalated} escalated claims ({:.0}% of approvals; team {:.1}%)", my_rate * 100.0, team_rate * 100.0),
                    format!("{escalated} doorgezette claims goedgekeurd ({:.0}% van de goedkeuringen; team {:.1}%)", my_rate * 100.0, team_rate * 100.0),
                    approvals.iter().filter(|e| e.band == "escalate").map(|e| e.claim.clone()).collect(),
                ));
            }
        }
        // One payout reference for several customers.
        let mut per_payout: BTreeMap<&str, Vec<&&Event>> = BTreeMap::new();
        for e in &approvals {
            if let Some(p) = &e.payout_ref {
                per_payout.entry(p.as_str()).or_default().push(e);
            }
        }
        for (payout, list) in per_payout {
            let customers: std::collections::BTreeSet<&str> = list.iter().map(|e| e.customer.as_str()).collect();
            if customers.len() >= rules.repeat_payout_min {
                flags.push(flag(
                    "repeat-payout",
                    format!("{} customers paid out to reference {payout}", customers.len()),
                    format!("{} klanten uitbetaald op referentie {payout}", customers.len()),
                    list.iter().map(|e| e.claim.clone()).collect(),
                ));
            }
        }
        // Decisions outside one's queue.
        let outside: Vec<String> = mine.iter().filter(|e| !e.assigned).map(|e| e.claim.clone()).collect();
        if outside.len() >= rules.unassigned_min {
            flags.push(flag(
                "outside-queue",
                format!("{} decisions on claims outside the queue", outside.len()),
                format!("{} beslissingen over claims buiten de wachtrij", outside.len()),
                outside,
            ));
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(user: &str, claim: u32, customer: &str, hours: i64, amount: i64) -> Event {
        Event {
            user: user.into(),
            team: "t".into(),
            claim: format!("c{claim}"),
            customer: customer.into(),
            at_ms: hours * 3_600_000,
            approved: true,
            amount_minor: amount,
            limit_minor: 25_000,
            band: "clear".into(),
            payout_ref: None,
            assigned: true,
        }
    }

    #[test]
    fn each_rule_sees_its_pattern_and_not_an_ordinary_day() {
        let rules = Rules::default();
        let mut log: Vec<Event> = (0..40).map(|i| ev("honest", i, &format!("k{i}"), i as i64 * 5, 3_000 + (i as i64 * 517) % 20_000)).collect();
        assert!(evaluate(&log, &rules).is_empty(), "{:?}", evaluate(&log, &rules));
        // Just below the limit, again and again.
        log.extend((100..110).map(|i| ev("edge", i, &format!("e{i}"), i as i64, 24_500)));
        // Three approvals for one customer in a day, together above the limit.
        log.extend((200..203).map(|i| ev("splitter", i, "same", i as i64 - 200, 20_000)));
        // Escalated claims approved by one person only.
        log.extend((300..320).map(|i| ev("mate", i, &format!("m{i}"), i as i64 * 3, 5_000)));
        for e in log.iter_mut().filter(|e| e.user == "mate").take(6) {
            e.band = "escalate".into();
        }
        // One account for several customers; decisions outside the queue.
        for (n, i) in (400..403).enumerate() {
            let mut e = ev("payee", i, &format!("p{n}"), i as i64 * 2, 5_000);
            e.payout_ref = Some("NL00TEST".into());
            log.push(e);
        }
        for i in 500..504 {
            let mut e = ev("roamer", i, &format!("r{i}"), i as i64 * 2, 5_000);
            e.assigned = false;
            log.push(e);
        }
        let flags = evaluate(&log, &rules);
        let who = |rule: &str| flags.iter().filter(|f| f.rule == rule).map(|f| f.user.as_str()).collect::<Vec<_>>();
        assert_eq!(who("near-limit"), ["edge"]);
        assert_eq!(who("split-claim"), ["splitter"]);
        assert_eq!(who("escalated-approvals"), ["mate"]);
        assert_eq!(who("repeat-payout"), ["payee"]);
        assert_eq!(who("outside-queue"), ["roamer"]);
        assert!(who("repeat-customer").is_empty());
        assert!(!flags.iter().any(|f| f.user == "honest"));
        assert_eq!(explain(&rules).len(), RULES.len());
    }
}
