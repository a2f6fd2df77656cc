//! Scoring and routing: every suspicious signal adds `weight × strength` points, and
//! the total puts a claim in a band. The score is a sum a person can recompute from
//! the reasons listed with it; nothing is learned or hidden. The worst band means "a
//! person must look", never a rejection.

use proofdesk_engine::signal::{Category, Direction, Signal, Text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Signal categories a policy can weigh.
pub const CATEGORIES: [&str; 6] = [
    "provenance",
    "ai",
    "manipulation",
    "reuse",
    "context",
    "integrity",
];

/// A policy file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// Not TOML, or fields of the wrong kind.
    #[error("the policy is not valid: {0}")]
    Syntax(String),
    /// Values that make no sense together.
    #[error("the policy is not valid: {0}")]
    Invalid(String),
}

/// The policy file's layout.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    bands: Option<BandsFile>,
    weights: Option<WeightsFile>,
    insider: Option<crate::insider::RulesFile>,
    retention: Option<crate::retention::RetentionFile>,
    fairness: Option<crate::fairness::SettingsFile>,
    assurance: Option<crate::assurance::AssuranceFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BandsFile {
    review_from: Option<f32>,
    escalate_from: Option<f32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WeightsFile {
    #[serde(default)]
    categories: BTreeMap<String, f32>,
    #[serde(default)]
    signals: BTreeMap<String, f32>,
}

/// Where a claim goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Band {
    /// Nothing suspicious enough: the agent handles it as usual.
    Clear,
    /// An agent should look at the reasons before deciding.
    Review,
    /// The fraud team should look.
    Escalate,
}

/// Weights and band thresholds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    /// Points per unit of strength, per signal category.
    pub category_weights: BTreeMap<String, f32>,
    /// Points per unit of strength for particular signal ids (over the category's).
    pub signal_weights: BTreeMap<String, f32>,
    /// Score from which a claim goes to review.
    pub review_from: f32,
    /// Score from which a claim is escalated.
    pub escalate_from: f32,
    /// The thresholds of the insider-pattern rules.
    pub insider: crate::insider::Rules,
    /// How long claim data is kept, per client.
    pub retention: crate::retention::Retention,
    /// The groups the fairness monitor compares (never used for routing).
    pub fairness: crate::fairness::Settings,
    /// The amounts from which evidence without provenance goes to review.
    pub assurance: crate::assurance::Assurance,
}

impl Default for Policy {
    /// proofdesk's defaults: reuse and AI generation weigh most, since they are the
    /// most certain; a metadata-only hint alone stays below review.
    fn default() -> Policy {
        let category_weights = [
            ("ai", 60.0),
            ("reuse", 70.0),
            ("manipulation", 40.0),
            ("context", 40.0),
            ("integrity", 25.0),
            ("provenance", 25.0),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        // Two separate regions that are pixel-for-pixel the same reach review on their
        // own, even at look-closer strength (0.45 × 60 = 27 points).
        // A receipt check that fails (an impossible BTW-id, VAT that is not its rate's
        // share, a rate not in force on the date) reaches review on its own: 0.4 × 65 =
        // 26 points. A person looks; a misread digit fails a check as surely as a forgery.
        let signal_weights = [
            ("manipulation.pixels.copy-move", 60.0),
            ("receipt.identity.btw-id", 65.0),
            ("receipt.identity.kvk", 65.0),
            ("receipt.identity.iban", 65.0),
            ("receipt.vat.rate", 65.0),
            ("receipt.vat.amount", 65.0),
            ("receipt.sum.line", 65.0),
            ("receipt.sum.items", 65.0),
            ("receipt.sum.payments", 65.0),
            ("receipt.sum.cash-rounding", 65.0),
            ("receipt.sum.vat-table", 65.0),
            ("receipt.date.differs", 65.0),
            ("receipt.date.weekday", 65.0),
            ("receipt.missing-fields", 65.0),
            // The same receipt number with another total in an earlier claim: one of the
            // two was edited (0.7 × 90 = 63 points: escalate).
            ("receipt.number-other-total", 90.0),
        ]
        .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        Policy {
            category_weights,
            signal_weights,
            review_from: 25.0,
            escalate_from: 60.0,
            insider: crate::insider::Rules::default(),
            retention: crate::retention::Retention::default(),
            fairness: crate::fairness::Settings::default(),
            assurance: crate::assurance::Assurance::default(),
        }
    }
}

/// One signal's share of a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// Which evidence file (0-based), or `None` for a claim-level signal.
    pub evidence: Option<usize>,
    /// Signal id.
    pub signal: String,
    /// Points it added.
    pub points: f32,
    /// The signal's sentence.
    pub summary: Text,
}

/// A claim's score, band and the reasons behind them, largest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Routing {
    /// Sum of the reasons' points, rounded to one decimal.
    pub score: f32,
    /// The band the score falls in.
    pub band: Band,
    /// Every signal that added points.
    pub reasons: Vec<Reason>,
}

impl Policy {
    /// Reads a TOML policy; what it leaves out keeps its default. Example:
    ///
    /// ```toml
    /// [bands]
    /// review_from = 25
    /// escalate_from = 60
    /// [weights.categories]
    /// reuse = 70
    /// [weights.signals]
    /// "integrity.extension-mismatch" = 10
    /// [insider]
    /// near_limit_share = 0.9
    /// split_window_hours = 72
    /// ```
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let file: PolicyFile =
            toml::from_str(text).map_err(|e| PolicyError::Syntax(e.to_string()))?;
        let mut p = Policy::default();
        if let Some(b) = file.bands {
            p.review_from = b.review_from.unwrap_or(p.review_from);
            p.escalate_from = b.escalate_from.unwrap_or(p.escalate_from);
        }
        if let Some(w) = file.weights {
            for (category, weight) in w.categories {
                if !CATEGORIES.contains(&category.as_str()) {
                    return Err(PolicyError::Invalid(format!(
                        "unknown category {category:?} (known: {})",
                        CATEGORIES.join(", ")
                    )));
                }
                p.category_weights.insert(category, weight);
            }
            for id in w.signals.keys() {
                check_signal_id(id)?;
            }
            p.signal_weights.extend(w.signals);
        }
        if let Some(f) = &file.fairness {
            p.fairness = crate::fairness::Settings::with_file(f).map_err(PolicyError::Invalid)?;
        }
        if let Some(r) = &file.retention {
            p.retention = crate::retention::Retention::with_file(r).map_err(PolicyError::Invalid)?;
        }
        if let Some(a) = &file.assurance {
            p.assurance = crate::assurance::Assurance::with_file(a).map_err(PolicyError::Invalid)?;
        }
        if let Some(i) = &file.insider {
            p.insider = crate::insider::Rules::with_file(i).map_err(PolicyError::Invalid)?;
        }
        let weights = p.category_weights.iter().chain(&p.signal_weights);
        if let Some((name, w)) = weights
            .into_iter()
            .find(|(_, w)| !w.is_finite() || **w < 0.0 || **w > 1000.0)
        {
            return Err(PolicyError::Invalid(format!(
                "weight of {name} is {w}; use 0 to 1000"
            )));
        }
        if !(p.review_from > 0.0 && p.review_from < p.escalate_from && p.escalate_from.is_finite())
        {
            return Err(PolicyError::Invalid(format!(
                "bands need 0 < review_from < escalate_from (got {} and {})",
                p.review_from, p.escalate_from
            )));
        }
        Ok(p)
    }

    /// Points per unit of strength for a signal.
    pub fn weight(&self, s: &Signal) -> f32 {
        if let Some(w) = self.signal_weights.get(&s.id) {
            return *w;
        }
        self.category_weights
            .get(category_name(s.category))
            .copied()
            .unwrap_or(0.0)
    }

    /// Scores and routes signals: `(evidence index or None, signal)`.
    pub fn route<'a>(
        &self,
        signals: impl IntoIterator<Item = (Option<usize>, &'a Signal)>,
    ) -> Routing {
        let mut reasons: Vec<Reason> = signals
            .into_iter()
            .filter(|(_, s)| s.direction == Direction::Suspicious)
            .filter_map(|(evidence, s)| {
                let points = self.weight(s) * s.strength.clamp(0.0, 1.0);
                (points > 0.0).then(|| Reason {
                    evidence,
                    signal: s.id.clone(),
                    points: round1(points),
                    summary: s.summary.clone(),
                })
            })
            .collect();
        reasons.sort_by(|a, b| b.points.total_cmp(&a.points));
        let score = round1(reasons.iter().map(|r| r.points).sum());
        let band = if score >= self.escalate_from {
            Band::Escalate
        } else if score >= self.review_from {
            Band::Review
        } else {
            Band::Clear
        };
        Routing {
            score,
            band,
            reasons,
        }
    }
}

/// Words that name a customer group or the data groups are formed from: a signal
/// weight may not contain them, so the policy cannot route by group.
const GROUP_WORDS: [&str; 9] = [
    "channel", "language", "lang", "region", "postcode", "returning", "customer", "country", "group",
];

/// A signal weight must name a signal (`category.name`) and no customer group: routing
/// scores evidence, and group attributes are for fairness monitoring only.
fn check_signal_id(id: &str) -> Result<(), PolicyError> {
    let category = id.split('.').next().unwrap_or("");
    // Receipt checks are their own family (`receipt.sum.items`) across categories.
    if !(CATEGORIES.contains(&category) || category == "receipt") || id.len() <= category.len() + 1 {
        return Err(PolicyError::Invalid(format!(
            "weights.signals: {id:?} is not a signal id (they look like \"reuse.seen-before\"; categories: {})",
            CATEGORIES.join(", ")
        )));
    }
    let lower = id.to_ascii_lowercase();
    if let Some(word) = GROUP_WORDS.iter().find(|w| lower.split(['.', '-', '_']).any(|part| part == **w)) {
        return Err(PolicyError::Invalid(format!(
            "weights.signals: {id:?} names a customer group ({word}); routing may not depend on who the customer is — group attributes are used only to monitor fairness"
        )));
    }
    Ok(())
}

fn round1(v: f32) -> f32 {
    (v * 10.0).round() / 10.0
}

/// A category's name as in signal JSON.
pub fn category_name(c: Category) -> &'static str {
    match c {
        Category::Provenance => "provenance",
        Category::Ai => "ai",
        Category::Manipulation => "manipulation",
        Category::Reuse => "reuse",
        Category::Context => "context",
        Category::Integrity => "integrity",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signal(id: &str, c: Category, d: Direction, strength: f32) -> Signal {
        Signal::new(id, c, d, strength, Text::new("en", "nl"))
    }

    #[test]
    fn suspicious_signals_add_up_to_a_band_with_their_reasons() {
        let p = Policy::default();
        let a = signal(
            "reuse.seen-before",
            Category::Reuse,
            Direction::Suspicious,
            0.9,
        );
        let b = signal(
            "provenance.camera",
            Category::Provenance,
            Direction::SupportsAuthenticity,
            0.9,
        );
        let c = signal(
            "integrity.extension",
            Category::Integrity,
            Direction::Suspicious,
            0.4,
        );
        let r = p.route([(Some(0), &a), (Some(0), &b), (Some(1), &c)]);
        assert_eq!(r.band, Band::Escalate);
        assert_eq!(
            r.reasons.len(),
            2,
            "signals that support authenticity add nothing"
        );
        assert_eq!(r.reasons[0].signal, "reuse.seen-before");
        assert_eq!(r.score, 73.0);
        let quiet = p.route([(Some(0), &c)]);
        assert_eq!((quiet.band, quiet.score), (Band::Clear, 10.0));
        let mut strict = Policy::default();
        strict
            .signal_weights
            .insert("integrity.extension".into(), 100.0);
        assert_eq!(strict.route([(Some(0), &c)]).band, Band::Review);
    }

    #[test]
    fn a_policy_file_overrides_defaults_and_bad_ones_are_explained() {
        let p = Policy::from_toml("[bands]\nescalate_from = 90\n[weights.categories]\nreuse = 100\n[weights.signals]\n\"ai.x\" = 5\n\"receipt.sum.items\" = 80\n").unwrap();
        assert_eq!(p.signal_weights["receipt.sum.items"], 80.0, "receipt checks are weighed in the policy file");
        assert_eq!((p.review_from, p.escalate_from), (25.0, 90.0));
        assert_eq!(p.category_weights["reuse"], 100.0);
        assert_eq!(p.signal_weights["ai.x"], 5.0);
        assert_eq!(p.insider, crate::insider::Rules::default());
        let strict = Policy::from_toml("[insider]\nnear_limit_share = 0.8\nsplit_window_hours = 24\nunassigned_min = 2\n").unwrap();
        assert_eq!(strict.insider.near_limit_share, 0.8);
        assert_eq!(strict.insider.split_window_ms, 24 * 3_600_000);
        assert_eq!(strict.insider.unassigned_min, 2);
        for (bad, says) in [
            ("[insider]\nnear_limit_share = 1.5", "insider.near_limit_share is 1.5"),
            ("[insider]\nsplit_min = 0", "insider.split_min is 0; use 1 to 10000"),
            ("[insider]\nsplit_window_days = 3", "unknown field"),
            (
                "[bands]\nreview_from = 70\nescalate_from = 60",
                "review_from < escalate_from",
            ),
            ("[weights.categories]\nvibes = 3", "unknown category"),
            ("[weights.signals]\n\"ai.x\" = -1", "use 0 to 1000"),
            ("[weights.signals]\n\"x\" = 1", "not a signal id"),
            ("[fairness]\nattributes = [\"age\"]", "unknown attribute"),
            ("[bandz]", "unknown field"),
            ("bands = 3", "invalid type"),
        ] {
            let e = Policy::from_toml(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn the_policy_cannot_weigh_a_customer_group() {
        for id in [
            "context.channel",
            "context.language",
            "context.region-12",
            "context.postcode",
            "context.returning",
            "context.customer_group",
            "ai.lang",
        ] {
            let toml = format!("[weights.signals]\n\"{id}\" = 50\n");
            let e = Policy::from_toml(&toml).unwrap_err().to_string();
            assert!(e.contains("names a customer group"), "{id}: {e}");
        }
        for table in ["[weights.groups]\nchannel = 1", "[groups]\napp = 1", "[weights]\nchannel = 3"] {
            assert!(Policy::from_toml(table).is_err(), "{table}");
        }
        assert!(Policy::from_toml("[weights.signals]\n\"context.camera-in-other-customers-claims\" = 50\n").is_ok());
    }

    #[test]
    fn claims_that_differ_only_in_group_attributes_route_alike() {
        use crate::claim::ClaimContext;
        use crate::context::{check, EvidenceFacts};
        let base = serde_json::json!({
            "external_ref": "Z-1", "customer_id": "c-1", "channel": "web", "language": "nl",
            "claimed_amount": "120.00", "currency": "EUR", "purchase_date": "2026-05-01",
            "incident_date": "2026-05-20", "delivery_postcode": "1234 AB", "delivery_country": "NL"
        });
        let file = EvidenceFacts {
            captured: Some("2026-04-20T10:00:00".into()),
            camera_serial: None,
            gps: Some((52.37, 4.89)),
        };
        let evidence = signal("manipulation.editor-software", Category::Manipulation, Direction::Suspicious, 0.5);
        let route = |v: &serde_json::Value| {
            let claim = ClaimContext::parse(v).unwrap();
            let signals = check(&claim, &file, "2026-05-21", &[]);
            let all: Vec<_> = signals.iter().chain([&evidence]).map(|s| (Some(0), s)).collect();
            Policy::default().route(all)
        };
        let expected = route(&base);
        assert_eq!(expected.band, Band::Escalate, "the dated photo and the editor add up");
        for (field, value) in [
            ("channel", "app"),
            ("language", "en"),
            ("delivery_postcode", "9999 ZZ"),
            ("customer_id", "c-returning"),
        ] {
            let mut other = base.clone();
            other[field] = value.into();
            assert_eq!(route(&other), expected, "{field} = {value}");
        }
    }
}
