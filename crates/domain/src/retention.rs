//! How long claim data is kept, per client: evidence files deleted a number of days
//! after the claim was decided, the claim's context pseudonymised after a longer
//! period. A claim on legal hold keeps everything until the hold is lifted. Audit
//! entries are kept for one organisation-wide period (seven years unless told
//! otherwise), after which the oldest are pruned from the start of the chain.

use std::collections::BTreeMap;

/// One client's periods, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Periods {
    /// Evidence files are deleted this many days after the claim was approved or rejected.
    pub evidence_days_after_decision: u32,
    /// The claim's context is pseudonymised this many days after it was received.
    pub pseudonymise_after_days: u32,
}

impl Default for Periods {
    /// 90 days for evidence after the decision; two years for the context.
    fn default() -> Self {
        Periods { evidence_days_after_decision: 90, pseudonymise_after_days: 730 }
    }
}

/// The retention policy: a default and periods per client, and how long audit
/// entries are kept.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Retention {
    /// For claims of clients without their own periods.
    pub default: Periods,
    /// Client → periods.
    pub clients: BTreeMap<String, Periods>,
    /// Audit entries are pruned this many days after they were written (one chain for
    /// the whole organisation, so one period).
    pub audit_days: u32,
}

impl Default for Retention {
    /// The default periods; audit entries for seven years.
    fn default() -> Self {
        Retention { default: Periods::default(), clients: BTreeMap::new(), audit_days: 2557 }
    }
}

/// The policy file's `[retention]` table; a client's table may give one period and
/// take the other from the default.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionFile {
    evidence_days_after_decision: Option<u32>,
    pseudonymise_after_days: Option<u32>,
    audit_days: Option<u32>,
    #[serde(default)]
    clients: BTreeMap<String, ClientFile>,
}

/// One client's `[retention.clients.NAME]` table.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientFile {
    evidence_days_after_decision: Option<u32>,
    pseudonymise_after_days: Option<u32>,
}

/// What retention does to one claim now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Its evidence files are due for deletion.
    Evidence,
    /// Its context is due for pseudonymisation.
    Context,
}

const DAY_MS: i64 = 86_400_000;

impl Retention {
    /// The defaults with a policy file's values; periods must be 1 to 36500 days.
    pub fn with_file(f: &RetentionFile) -> Result<Retention, String> {
        let mut r = Retention::default();
        if let Some(d) = f.evidence_days_after_decision {
            r.default.evidence_days_after_decision = d;
        }
        if let Some(d) = f.pseudonymise_after_days {
            r.default.pseudonymise_after_days = d;
        }
        if let Some(d) = f.audit_days {
            if !(365..=36_500).contains(&d) {
                return Err(format!("retention audit_days is {d}; use 365 to 36500 days"));
            }
            r.audit_days = d;
        }
        r.clients = f
            .clients
            .iter()
            .map(|(name, c)| {
                let p = Periods {
                    evidence_days_after_decision: c.evidence_days_after_decision.unwrap_or(r.default.evidence_days_after_decision),
                    pseudonymise_after_days: c.pseudonymise_after_days.unwrap_or(r.default.pseudonymise_after_days),
                };
                (name.clone(), p)
            })
            .collect();
        let all = std::iter::once(("default", &r.default)).chain(r.clients.iter().map(|(k, v)| (k.as_str(), v)));
        for (name, p) in all {
            for (field, d) in [("evidence_days_after_decision", p.evidence_days_after_decision), ("pseudonymise_after_days", p.pseudonymise_after_days)] {
                if !(1..=36_500).contains(&d) {
                    return Err(format!("retention {field} for {name} is {d}; use 1 to 36500 days"));
                }
            }
        }
        Ok(r)
    }

    /// Audit entries written before this moment (ms) are due for pruning at `now`.
    pub fn audit_cutoff(&self, now: i64) -> i64 {
        now - self.audit_days as i64 * DAY_MS
    }

    /// The periods for a client.
    pub fn periods(&self, client: Option<&str>) -> Periods {
        client.and_then(|c| self.clients.get(c)).copied().unwrap_or(self.default)
    }

    /// What is due for a claim at `now` (ms): evidence after its decision, context after
    /// its receipt; nothing while on legal hold or for what was already done.
    pub fn due(&self, c: &ClaimAge<'_>, now: i64) -> Vec<Due> {
        if c.on_hold {
            return Vec::new();
        }
        let p = self.periods(c.client);
        let mut due = Vec::new();
        if let Some(decided) = c.decided_at {
            if !c.evidence_purged && now - decided >= p.evidence_days_after_decision as i64 * DAY_MS {
                due.push(Due::Evidence);
            }
        }
        if !c.pseudonymised && now - c.received_at >= p.pseudonymise_after_days as i64 * DAY_MS {
            due.push(Due::Context);
        }
        due
    }
}

/// The facts retention needs of a claim.
pub struct ClaimAge<'a> {
    /// Its client.
    pub client: Option<&'a str>,
    /// Received (ms).
    pub received_at: i64,
    /// Approved or rejected (ms), if it was.
    pub decided_at: Option<i64>,
    /// On legal hold.
    pub on_hold: bool,
    /// Its evidence was already deleted.
    pub evidence_purged: bool,
    /// Its context was already pseudonymised.
    pub pseudonymised: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_goes_after_the_decision_and_a_hold_keeps_it() {
        let toml_text = "evidence_days_after_decision = 30\n[clients.brand-b]\nevidence_days_after_decision = 10\npseudonymise_after_days = 365\n[clients.brand-c]\nevidence_days_after_decision = 5\n";
        let file: RetentionFile = toml::from_str(toml_text).unwrap();
        let r = Retention::with_file(&file).unwrap();
        assert_eq!(r.periods(Some("brand-c")).pseudonymise_after_days, 730, "the rest from the default");
        let day = DAY_MS;
        let mut c = ClaimAge { client: None, received_at: 0, decided_at: Some(5 * day), on_hold: false, evidence_purged: false, pseudonymised: false };
        assert!(r.due(&c, 20 * day).is_empty());
        assert_eq!(r.due(&c, 35 * day), vec![Due::Evidence]);
        c.client = Some("brand-b");
        assert_eq!(r.due(&c, 16 * day), vec![Due::Evidence]);
        assert_eq!(r.due(&c, 400 * day), vec![Due::Evidence, Due::Context]);
        c.on_hold = true;
        assert!(r.due(&c, 400 * day).is_empty());
        c.on_hold = false;
        c.decided_at = None;
        assert!(r.due(&c, 100 * day).is_empty(), "an open claim keeps its evidence");
        let bad: RetentionFile = toml::from_str("evidence_days_after_decision = 0").unwrap();
        assert!(Retention::with_file(&bad).unwrap_err().contains("1 to 36500"));
    }

    #[test]
    fn audit_entries_are_kept_seven_years_unless_the_policy_says_otherwise() {
        let r = Retention::default();
        assert_eq!(r.audit_cutoff(3000 * DAY_MS), (3000 - 2557) * DAY_MS);
        let ten: RetentionFile = toml::from_str("audit_days = 3653").unwrap();
        assert_eq!(Retention::with_file(&ten).unwrap().audit_days, 3653);
        let short: RetentionFile = toml::from_str("audit_days = 30").unwrap();
        assert!(Retention::with_file(&short).unwrap_err().contains("365 to 36500"));
    }
}
