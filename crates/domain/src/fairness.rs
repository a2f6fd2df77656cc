//! Fairness monitoring: are customers of one group treated differently from everyone
//! else? Outcomes (review and escalation rates, approval rate, evidence requests, time
//! to decision) are compared per group of an attribute the organisation chooses
//! (channel, language, region, new or returning customer). Each group is compared with
//! all other claims as a ratio with a confidence interval; an alert needs a ratio
//! outside the configured band (0.8–1.25 by default, the "four-fifths rule") *and* a
//! significant difference: an exact binomial test for shares, a log-scale test for times,
//! at a Bonferroni level over every comparison in the report (intervals are shown at
//! the same simultaneous level), so a fair policy stays quiet however many groups
//! there are. Groups with fewer claims than the minimum are suppressed, never shown.
//!
//! Group attributes serve this monitor only: the routing policy scores signals and
//! cannot name them (see [`crate::routing::Policy::from_toml`]).

use crate::stats;
use serde::{Deserialize, Serialize};

/// Attributes a group can be formed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attribute {
    /// How the claim came in (web, app, email, …).
    Channel,
    /// The customer's language (`nl`, `en`, …).
    Language,
    /// The first two digits of the delivery postcode.
    Region,
    /// Whether the customer had claimed before (`new`, `returning`).
    Returning,
}

impl Attribute {
    /// Every attribute, in report order.
    pub const ALL: [Attribute; 4] = [
        Attribute::Channel,
        Attribute::Language,
        Attribute::Region,
        Attribute::Returning,
    ];

    /// The configured name.
    pub fn as_str(self) -> &'static str {
        match self {
            Attribute::Channel => "channel",
            Attribute::Language => "language",
            Attribute::Region => "region",
            Attribute::Returning => "returning",
        }
    }

    /// The attribute a configured name stands for.
    pub fn parse(name: &str) -> Option<Attribute> {
        Attribute::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// The attribute's name for a person (English, Dutch).
    pub fn title(self) -> (&'static str, &'static str) {
        match self {
            Attribute::Channel => ("channel", "kanaal"),
            Attribute::Language => ("language", "taal"),
            Attribute::Region => ("region (postcode)", "regio (postcode)"),
            Attribute::Returning => ("new or returning customer", "nieuwe of terugkerende klant"),
        }
    }
}

/// Outcomes compared across groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// Share of claims routed to review or escalate.
    ReviewRate,
    /// Share of claims routed to escalate.
    EscalationRate,
    /// Share of decided claims that were approved.
    ApprovalRate,
    /// Share of claims for which better evidence was asked.
    EvidenceRequestRate,
    /// Typical (geometric mean) time from receipt to approval or rejection.
    TimeToDecision,
}

impl Metric {
    /// Every metric, in report order.
    pub const ALL: [Metric; 5] = [
        Metric::ReviewRate,
        Metric::EscalationRate,
        Metric::ApprovalRate,
        Metric::EvidenceRequestRate,
        Metric::TimeToDecision,
    ];

    /// The metric's name for a person (English, Dutch).
    pub fn title(self) -> (&'static str, &'static str) {
        match self {
            Metric::ReviewRate => ("routed to review or escalate", "naar beoordeling of doorgezet"),
            Metric::EscalationRate => ("routed to escalate", "doorgezet naar fraudeteam"),
            Metric::ApprovalRate => ("approved (of decided)", "goedgekeurd (van besliste)"),
            Metric::EvidenceRequestRate => ("asked for better evidence", "om beter bewijs gevraagd"),
            Metric::TimeToDecision => ("typical time to decision", "gebruikelijke tijd tot beslissing"),
        }
    }

    /// Whether a higher value is worse for the customer (all but approval).
    pub fn higher_is_worse(self) -> bool {
        self != Metric::ApprovalRate
    }
}

/// An interval as a person reads it: `1.11–2.16`, `3.40–∞`.
pub fn interval(low: f64, high: Option<f64>) -> String {
    match high {
        Some(h) => format!("{low:.2}–{h:.2}"),
        None => format!("{low:.2}–∞"),
    }
}

/// One claim's facts as the monitor sees them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimOutcome {
    /// Channel, as sent.
    pub channel: Option<String>,
    /// Language, as sent.
    pub language: Option<String>,
    /// Delivery postcode, as sent (only its first two digits are used).
    pub postcode: Option<String>,
    /// Delivery country (ISO 3166-1), as sent.
    pub country: Option<String>,
    /// Whether the customer had an earlier claim.
    pub returning: bool,
    /// Routing band (`clear`, `review`, `escalate`), once screened.
    pub band: Option<String>,
    /// `Some(true)` approved, `Some(false)` rejected, `None` not decided.
    pub approved: Option<bool>,
    /// Milliseconds from receipt to approval or rejection.
    pub time_to_decision_ms: Option<i64>,
    /// Whether better evidence was asked for.
    pub evidence_requested: bool,
}

impl ClaimOutcome {
    /// The claim's group for an attribute (`unknown` when the claim does not say).
    pub fn group(&self, attribute: Attribute) -> String {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_lowercase)
                .unwrap_or_else(|| "unknown".into())
        };
        match attribute {
            Attribute::Channel => given(&self.channel),
            Attribute::Language => given(&self.language),
            Attribute::Region => region(self.postcode.as_deref(), self.country.as_deref()),
            Attribute::Returning => if self.returning { "returning" } else { "new" }.into(),
        }
    }
}

/// The region of a postcode: its first two digits, with the country in front when it
/// is not the Netherlands (`12`, `BE-10`); `unknown` without two leading digits.
pub fn region(postcode: Option<&str>, country: Option<&str>) -> String {
    let digits: String = postcode.unwrap_or("").trim().chars().take(2).collect();
    if digits.len() != 2 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return "unknown".into();
    }
    match country.map(str::trim).map(str::to_ascii_uppercase) {
        Some(c) if !c.is_empty() && c != "NL" => format!("{c}-{digits}"),
        _ => digits,
    }
}

/// What the organisation configures (policy file `[fairness]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// Attributes to group by.
    pub attributes: Vec<Attribute>,
    /// Groups (and denominators) with fewer claims are suppressed.
    pub min_group: usize,
    /// A ratio below this is a large difference.
    pub ratio_low: f64,
    /// A ratio above this is a large difference.
    pub ratio_high: f64,
    /// Family-wise confidence of the intervals (0.95: one false alarm in twenty reports).
    pub confidence: f64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            attributes: Attribute::ALL.to_vec(),
            min_group: 10,
            ratio_low: 0.8,
            ratio_high: 1.25,
            confidence: 0.95,
        }
    }
}

/// The policy file's `[fairness]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsFile {
    attributes: Option<Vec<String>>,
    min_group: Option<usize>,
    ratio_low: Option<f64>,
    ratio_high: Option<f64>,
    confidence: Option<f64>,
}

impl Settings {
    /// The defaults with what the file sets.
    pub fn with_file(f: &SettingsFile) -> Result<Settings, String> {
        let mut s = Settings::default();
        if let Some(names) = &f.attributes {
            s.attributes = names
                .iter()
                .map(|n| {
                    Attribute::parse(n).ok_or_else(|| {
                        format!("fairness: unknown attribute {n:?} (known: channel, language, region, returning)")
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        s.min_group = f.min_group.unwrap_or(s.min_group);
        s.ratio_low = f.ratio_low.unwrap_or(s.ratio_low);
        s.ratio_high = f.ratio_high.unwrap_or(s.ratio_high);
        s.confidence = f.confidence.unwrap_or(s.confidence);
        if s.min_group < 5 {
            return Err("fairness: min_group must be at least 5".into());
        }
        if !(s.ratio_low > 0.0 && s.ratio_low < 1.0 && s.ratio_high > 1.0 && s.ratio_high.is_finite()) {
            return Err("fairness: need 0 < ratio_low < 1 < ratio_high".into());
        }
        if !(s.confidence > 0.5 && s.confidence < 1.0) {
            return Err("fairness: confidence must be between 0.5 and 1".into());
        }
        Ok(s)
    }
}

/// One outcome of one group compared with every other claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Which outcome.
    pub metric: Metric,
    /// The group's value (a share, or the geometric mean in milliseconds for time to decision).
    pub value: f64,
    /// The same for all other claims.
    pub rest: f64,
    /// Claims the value is over (the denominator).
    pub n: usize,
    /// `value / rest`.
    pub ratio: f64,
    /// Lower end of the simultaneous interval of the ratio.
    pub low: f64,
    /// Upper end; `None` when unbounded (no such outcome among the rest).
    pub high: Option<f64>,
    /// Two-sided p-value (exact conditional binomial test for shares, log-scale z for times).
    pub p_value: f64,
    /// `p_value` below the Bonferroni level; the interval then excludes 1.
    pub significant: bool,
    /// The ratio is outside the band.
    pub large: bool,
    /// Both: a difference to look into.
    pub alert: bool,
}

/// One group of one attribute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    /// The group's value (`web`, `nl`, `12`, `returning`, `unknown`).
    pub group: String,
    /// Claims in the group; `None` when suppressed.
    pub claims: Option<usize>,
    /// Fewer claims than the minimum: no figures shown.
    pub suppressed: bool,
    /// The comparisons (empty when suppressed; a metric with too small a denominator is left out).
    pub comparisons: Vec<Comparison>,
}

/// The groups of one attribute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributeReport {
    /// Which attribute.
    pub attribute: Attribute,
    /// Its groups, largest first.
    pub groups: Vec<GroupRow>,
}

/// A difference that is both large and significant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// The attribute.
    pub attribute: Attribute,
    /// The group.
    pub group: String,
    /// The outcome.
    pub metric: Metric,
    /// Its ratio and interval.
    pub ratio: f64,
    /// Lower end.
    pub low: f64,
    /// Upper end; `None` when unbounded.
    pub high: Option<f64>,
    /// Whether the group is worse off (rather than better off) than the rest.
    pub disadvantaged: bool,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Claims looked at.
    pub claims: usize,
    /// The settings used.
    pub settings: Settings,
    /// Comparisons made (the Bonferroni divisor).
    pub comparisons: usize,
    /// The p-value a difference must be below: (1 − confidence) / comparisons.
    pub alpha: f64,
    /// The z value of the simultaneous intervals.
    pub z: f64,
    /// Per attribute.
    pub attributes: Vec<AttributeReport>,
    /// Large and significant differences.
    pub alerts: Vec<Alert>,
}

/// A numerator over a denominator, or a list of durations.
enum Sample {
    Share { hits: usize, n: usize },
    Mean { values: Vec<f64> },
}

fn sample(metric: Metric, claims: &[&ClaimOutcome]) -> Sample {
    let share = |f: &dyn Fn(&ClaimOutcome) -> Option<bool>| {
        let (mut hits, mut n) = (0, 0);
        for c in claims {
            if let Some(hit) = f(c) {
                n += 1;
                hits += usize::from(hit);
            }
        }
        Sample::Share { hits, n }
    };
    match metric {
        Metric::ReviewRate => share(&|c| c.band.as_deref().map(|b| b != "clear")),
        Metric::EscalationRate => share(&|c| c.band.as_deref().map(|b| b == "escalate")),
        Metric::ApprovalRate => share(&|c| c.approved),
        Metric::EvidenceRequestRate => share(&|c| Some(c.evidence_requested)),
        Metric::TimeToDecision => Sample::Mean {
            values: claims.iter().filter_map(|c| c.time_to_decision_ms).map(|t| t as f64).collect(),
        },
    }
}

/// What one comparison found.
struct Found {
    value: f64,
    rest: f64,
    n: usize,
    ratio: f64,
    low: f64,
    high: Option<f64>,
    p_value: f64,
}

/// Whether two samples are big enough to compare.
fn comparable(group: &Sample, rest: &Sample, min: usize) -> bool {
    match (group, rest) {
        (Sample::Share { n: n1, .. }, Sample::Share { n: n2, .. }) => *n1 >= min && *n2 >= min,
        (Sample::Mean { values: g }, Sample::Mean { values: r }) => g.len() >= min && r.len() >= min,
        _ => false,
    }
}

/// A group's sample against the rest's at level `alpha`. Shares: given the hits of
/// both together, the group's number of them is binomial under equal treatment; the
/// exact test of that and its Clopper–Pearson interval (turned into a ratio of rates)
/// agree with each other and hold for rare outcomes in small groups, where normal
/// approximations promise too much. Times: compared on a log scale (geometric means)
/// with the pooled variance, since a group that happens to lack slow claims also
/// shows a small variance of its own, which would overstate the difference.
fn compare(group: &Sample, rest: &Sample, alpha: f64, ln_fact: &[f64]) -> Found {
    match (group, rest) {
        (Sample::Share { hits: a, n: n1 }, Sample::Share { hits: c, n: n2 }) => {
            let (a, n1, c, n2) = (*a, *n1, *c, *n2);
            let (value, rest) = (a as f64 / n1 as f64, c as f64 / n2 as f64);
            let m = a + c;
            if m == 0 {
                return Found { value, rest, n: n1, ratio: 1.0, low: 1.0, high: Some(1.0), p_value: 1.0 };
            }
            // Half a count in an empty cell for the point estimate (Haldane).
            let fix = if a == 0 || c == 0 { 0.5 } else { 0.0 };
            let ratio = ((a as f64 + fix) / (n1 as f64 + fix)) / ((c as f64 + fix) / (n2 as f64 + fix));
            let share0 = n1 as f64 / (n1 + n2) as f64;
            let tails = stats::binomial_at_most(a, m, share0, ln_fact).min(stats::binomial_at_least(a, m, share0, ln_fact));
            let (lo, hi) = stats::clopper_pearson(a, m, alpha, ln_fact);
            let to_ratio = |share: f64| share / (1.0 - share) * n2 as f64 / n1 as f64;
            Found {
                value,
                rest,
                n: n1,
                ratio,
                low: to_ratio(lo),
                high: (hi < 1.0).then(|| to_ratio(hi)),
                p_value: (2.0 * tails).min(1.0),
            }
        }
        (Sample::Mean { values: g }, Sample::Mean { values: r }) => {
            let logs = |v: &[f64]| v.iter().map(|x| x.max(1.0).ln()).collect::<Vec<f64>>();
            let (lg, lr) = (logs(g), logs(r));
            let (m1, _) = stats::mean_var(&lg);
            let (m2, _) = stats::mean_var(&lr);
            let all: Vec<f64> = lg.iter().chain(&lr).copied().collect();
            let (_, pooled) = stats::mean_var(&all);
            let se = (pooled * (1.0 / g.len() as f64 + 1.0 / r.len() as f64)).sqrt();
            let d = m1 - m2;
            let z = stats::z_two_sided(alpha);
            Found {
                value: m1.exp(),
                rest: m2.exp(),
                n: g.len(),
                ratio: d.exp(),
                low: (d - z * se).exp(),
                high: Some((d + z * se).exp()),
                p_value: if se > 0.0 { stats::two_sided_p(d / se) } else { 1.0 },
            }
        }
        _ => Found { value: 0.0, rest: 0.0, n: 0, ratio: 1.0, low: 1.0, high: Some(1.0), p_value: 1.0 },
    }
}

/// Compares every group of every configured attribute with the rest of the claims.
pub fn monitor(claims: &[ClaimOutcome], settings: &Settings) -> Report {
    // First pass: the comparisons that can be made, to know the Bonferroni divisor.
    let mut pending = Vec::new();
    for &attribute in &settings.attributes {
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, c) in claims.iter().enumerate() {
            let g = c.group(attribute);
            match groups.iter_mut().find(|(name, _)| *name == g) {
                Some((_, members)) => members.push(i),
                None => groups.push((g, vec![i])),
            }
        }
        groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
        let mut rows = Vec::new();
        for (group, members) in groups {
            let rest_n = claims.len() - members.len();
            if members.len() < settings.min_group || rest_n < settings.min_group {
                rows.push((group, members.len(), Vec::new()));
                continue;
            }
            let mut is_member = vec![false; claims.len()];
            for &i in &members {
                is_member[i] = true;
            }
            let inside: Vec<&ClaimOutcome> = members.iter().map(|&i| &claims[i]).collect();
            let outside: Vec<&ClaimOutcome> =
                claims.iter().enumerate().filter(|(i, _)| !is_member[*i]).map(|(_, c)| c).collect();
            let samples: Vec<(Metric, Sample, Sample)> = Metric::ALL
                .into_iter()
                .map(|m| (m, sample(m, &inside), sample(m, &outside)))
                .filter(|(_, g, r)| comparable(g, r, settings.min_group))
                .collect();
            rows.push((group, members.len(), samples));
        }
        pending.push((attribute, rows));
    }
    let comparisons: usize = pending.iter().flat_map(|(_, rows)| rows).map(|(_, _, f)| f.len()).sum();
    let alpha = (1.0 - settings.confidence) / comparisons.max(1) as f64;
    let ln_fact = stats::ln_factorials(claims.len());
    let mut alerts = Vec::new();
    let attributes = pending
        .into_iter()
        .map(|(attribute, rows)| AttributeReport {
            attribute,
            groups: rows
                .into_iter()
                .map(|(group, n, samples)| {
                    let suppressed = n < settings.min_group;
                    let comparisons = samples
                        .into_iter()
                        .map(|(metric, g, r)| {
                            let f = compare(&g, &r, alpha, &ln_fact);
                            let significant = f.p_value < alpha;
                            let large = f.ratio < settings.ratio_low || f.ratio > settings.ratio_high;
                            let alert = significant && large;
                            if alert {
                                alerts.push(Alert {
                                    attribute,
                                    group: group.clone(),
                                    metric,
                                    ratio: f.ratio,
                                    low: f.low,
                                    high: f.high,
                                    disadvantaged: (f.ratio > 1.0) == metric.higher_is_worse(),
                                });
                            }
                            Comparison {
                                metric,
                                value: f.value,
                                rest: f.rest,
                                n: f.n,
                                ratio: f.ratio,
                                low: f.low,
                                high: f.high,
                                p_value: f.p_value,
                                significant,
                                large,
                                alert,
                            }
                        })
                        .collect();
                    GroupRow { group, claims: (!suppressed).then_some(n), suppressed, comparisons }
                })
                .collect(),
        })
        .collect();
    Report {
        claims: claims.len(),
        settings: settings.clone(),
        comparisons,
        alpha,
        z: stats::z_two_sided(alpha),
        attributes,
        alerts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(channel: &str, band: &str, approved: bool) -> ClaimOutcome {
        ClaimOutcome {
            channel: Some(channel.into()),
            band: Some(band.into()),
            approved: Some(approved),
            time_to_decision_ms: Some(3_600_000),
            ..ClaimOutcome::default()
        }
    }

    /// `n` claims of a channel, `reviewed` of them routed to review (and not approved).
    fn group(channel: &str, n: usize, reviewed: usize) -> Vec<ClaimOutcome> {
        (0..n)
            .map(|i| if i < reviewed { claim(channel, "review", false) } else { claim(channel, "clear", true) })
            .collect()
    }

    fn only(attribute: Attribute) -> Settings {
        Settings { attributes: vec![attribute], ..Settings::default() }
    }

    #[test]
    fn equal_treatment_raises_no_alert() {
        let mut claims = group("web", 400, 40);
        claims.extend(group("app", 300, 30));
        claims.extend(group("email", 200, 20));
        let r = monitor(&claims, &only(Attribute::Channel));
        assert!(r.alerts.is_empty(), "{:?}", r.alerts);
        let web = &r.attributes[0].groups[0];
        assert_eq!((web.group.as_str(), web.claims), ("web", Some(400)));
        let review = web.comparisons.iter().find(|c| c.metric == Metric::ReviewRate).unwrap();
        assert!((review.ratio - 1.0).abs() < 1e-9 && review.low < 1.0 && review.high.unwrap() > 1.0);
    }

    #[test]
    fn a_large_significant_difference_alerts_and_says_who_is_worse_off() {
        let mut claims = group("web", 400, 40);
        claims.extend(group("app", 300, 90));
        let r = monitor(&claims, &only(Attribute::Channel));
        let app = r.alerts.iter().find(|a| a.group == "app" && a.metric == Metric::ReviewRate).unwrap();
        assert!(app.disadvantaged && app.ratio > 2.0 && app.low > 1.25, "{app:?}");
        let approval = r.alerts.iter().find(|a| a.group == "app" && a.metric == Metric::ApprovalRate).unwrap();
        assert!(approval.disadvantaged && approval.ratio < 0.8);
        // The web group is the mirror image: better off, and said so.
        assert!(r.alerts.iter().any(|a| a.group == "web" && !a.disadvantaged));
    }

    #[test]
    fn a_large_difference_in_a_small_group_is_not_significant() {
        let mut claims = group("web", 400, 40);
        claims.extend(group("chat", 12, 3)); // 25% against 10%: large, but 12 claims
        let r = monitor(&claims, &only(Attribute::Channel));
        let chat = r.attributes[0].groups.iter().find(|g| g.group == "chat").unwrap();
        let review = chat.comparisons.iter().find(|c| c.metric == Metric::ReviewRate).unwrap();
        assert!(review.large && !review.significant && !review.alert, "{review:?}");
        assert!(r.alerts.is_empty());
    }

    #[test]
    fn small_groups_are_suppressed() {
        let mut claims = group("web", 400, 40);
        claims.extend(group("store", 9, 9));
        let r = monitor(&claims, &only(Attribute::Channel));
        let store = r.attributes[0].groups.iter().find(|g| g.group == "store").unwrap();
        assert!(store.suppressed && store.claims.is_none() && store.comparisons.is_empty());
        assert!(r.alerts.is_empty());
    }

    #[test]
    fn groups_come_from_the_claim() {
        let c = ClaimOutcome {
            postcode: Some("1234 AB".into()),
            language: Some(" NL ".into()),
            returning: true,
            ..ClaimOutcome::default()
        };
        assert_eq!(c.group(Attribute::Region), "12");
        assert_eq!(c.group(Attribute::Language), "nl");
        assert_eq!(c.group(Attribute::Channel), "unknown");
        assert_eq!(c.group(Attribute::Returning), "returning");
        assert_eq!(region(Some("1000"), Some("be")), "BE-10");
        assert_eq!(region(Some("SW1A 1AA"), Some("GB")), "unknown");
    }

    #[test]
    fn settings_are_checked() {
        let file: SettingsFile = toml::from_str("attributes = [\"channel\", \"postcode\"]").unwrap();
        assert!(Settings::with_file(&file).unwrap_err().contains("postcode"));
        let file: SettingsFile = toml::from_str("min_group = 2").unwrap();
        assert!(Settings::with_file(&file).is_err());
        let file: SettingsFile = toml::from_str("attributes = [\"region\"]\nratio_high = 1.5").unwrap();
        let s = Settings::with_file(&file).unwrap();
        assert_eq!((s.attributes, s.ratio_high), (vec![Attribute::Region], 1.5));
    }
}
