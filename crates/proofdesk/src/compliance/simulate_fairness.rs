//! `proofdesk simulate-fairness`: a year of claims from several customer groups,
//! routed by the real routing code and decided by simulated people, run through the
//! fairness monitor twice — once with a fair policy, once with one that quietly
//! disadvantages a group. The policy cannot name a group, so the unfair one does it
//! through a proxy: photos sent through the app often have their dates rewritten by
//! the phone (`manipulation.modified-after-capture`), and giving that signal a heavy
//! weight sends app customers to review far more often, with the same real risk.
//! A monitor worth having is quiet on the first and alerts on the second.
//!
//! A third policy is the fair one with the default assurance by amount (issue 26): a
//! claim of € 250 or more whose photos carry no provenance goes to review, with a live
//! photo advised. Photos sent through messaging apps lose their camera data, so app
//! customers meet that rule more often; the simulation counts the genuine claims it
//! sends to review, per channel, and the monitor judges that policy like the others.
//! (The fair and unfair policies leave assurance off, so each shows one effect.)

use crate::rng::Rng;
use anyhow::Result;
use clap::Args;
use proofdesk_domain::assurance::Provenance;
use proofdesk_domain::claim::ClaimContext;
use proofdesk_domain::fairness::{monitor, Alert, ClaimOutcome, Report, Settings};
use proofdesk_domain::routing::{Band, Policy};
use proofdesk_engine::signal::{Category, Direction, Signal, Text};
use serde_json::json;
use std::process::ExitCode;

/// `proofdesk simulate-fairness`.
#[derive(Args)]
pub struct SimulateFairnessArgs {
    /// Claims in the year.
    #[arg(long, default_value_t = 12_000)]
    claims: usize,
    /// Seed of the random generator (the same seed gives the same year).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// JSON (schema proofdesk.fairness-simulation/1) instead of a table.
    #[arg(long)]
    json: bool,
    /// The weight the unfair policy gives the proxy signal (the fair policy gives 0).
    #[arg(long, default_value_t = 80.0)]
    proxy_weight: f32,
    /// Instead of one year in detail: this many years (seeds `seed`, `seed + 1`, …),
    /// counting under each policy the years with any alert and those alerting on the
    /// app customers.
    #[arg(long)]
    years: Option<u64>,
}

/// Years with any alert, and years with an alert that app customers are worse off.
fn count_years(claims: usize, seeds: std::ops::Range<u64>, policy: &str) -> Result<(usize, usize)> {
    let (mut any, mut app) = (0, 0);
    for seed in seeds {
        let r = scenario(claims, seed, policy)?;
        any += usize::from(!r.alerts.is_empty());
        app += usize::from(r.alerts.iter().any(|a| a.group == "app" && a.disadvantaged && a.attribute.as_str() == "channel"));
    }
    Ok((any, app))
}

/// The signal the app channel causes, which the unfair policy weighs.
const PROXY: &str = "manipulation.modified-after-capture";

/// A policy that gives the proxy signal `weight` (the fair one gives it 0: the
/// organisation knows phones rewrite these dates), without assurance by amount.
pub fn policy_with(weight: f32) -> String {
    format!("[weights.signals]\n\"{PROXY}\" = {weight}\n\n[assurance]\nlive_capture_from = {{}}\n")
}

/// The fair policy with the default assurance by amount (EUR 250).
pub fn policy_with_assurance() -> String {
    format!("[weights.signals]\n\"{PROXY}\" = 0\n")
}

/// The share of a year's claims per channel (web, app, email, phone).
const CHANNELS: [(&str, f64); 4] = [("web", 0.4), ("app", 0.3), ("email", 0.2), ("phone", 0.1)];
/// Share of claims that are fraudulent, the same in every group.
const FRAUD_RATE: f64 = 0.04;
/// Share of genuine claims per channel whose photos keep their camera data (an
/// assumption: uploads from a browser or e-mail usually keep it, photos passed through
/// a messaging app before the claim app usually lose it).
const PROVENANCE: [(&str, f64); 4] = [("web", 0.6), ("app", 0.35), ("email", 0.5), ("phone", 0.5)];
/// Claimed amounts: log-normal, median € 90, so about one claim in six is € 250 or more.
const AMOUNT_MEDIAN_EUR: f64 = 90.0;

/// One simulated claim before routing.
struct Simulated {
    outcome: ClaimOutcome,
    fraud: bool,
    signals: Vec<Signal>,
    /// Claimed amount in cents (EUR).
    amount_minor: i64,
    /// Whether the photos carry camera data.
    provenance: bool,
    /// Random numbers for the people's choices, fixed per claim so both policies
    /// meet the same people in the same mood.
    draws: [f64; 4],
}

fn signal(id: &str, category: Category, strength: f32) -> Signal {
    Signal::new(id, category, Direction::Suspicious, strength, Text::new("simulated", "gesimuleerd"))
}

/// A normal draw (Box–Muller).
fn normal(rng: &mut Rng) -> f64 {
    let u = rng.unit().max(1e-12);
    let v = rng.unit();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

fn pick_channel(rng: &mut Rng) -> &'static str {
    let mut u = rng.unit();
    for (c, share) in CHANNELS {
        if u < share {
            return c;
        }
        u -= share;
    }
    "web"
}

fn year(n: usize, seed: u64) -> Vec<Simulated> {
    let mut rng = Rng::seeded(seed);
    (0..n)
        .map(|_| {
            let channel = pick_channel(&mut rng);
            // English speakers use the app more: a second group the proxy reaches.
            let en = rng.unit() < if channel == "app" { 0.25 } else { 0.1 };
            let postcode = format!("{:02}{:02} AB", 10 + rng.below(90), rng.below(100));
            let returning = rng.unit() < 0.35;
            let fraud = rng.unit() < FRAUD_RATE;
            let mut signals = Vec::new();
            let mut maybe = |p: f64, s: Signal| {
                if rng.unit() < p {
                    signals.push(s);
                }
            };
            // Phones and messaging apps rewrite the dates of photos sent through the app.
            maybe(if channel == "app" { 0.35 } else { 0.05 }, signal(PROXY, Category::Manipulation, 0.4));
            if fraud {
                maybe(0.5, signal("reuse.seen-before", Category::Reuse, 0.9));
                maybe(0.3, signal("ai.metadata.generator-software", Category::Ai, 0.9));
                maybe(0.5, signal("manipulation.editor-software", Category::Manipulation, 0.5));
                maybe(0.3, signal("context.captured-before-purchase", Category::Context, 0.6));
            } else {
                maybe(0.06, signal("manipulation.editor-software", Category::Manipulation, 0.5));
                maybe(0.04, signal("context.captured-before-purchase", Category::Context, 0.6));
                maybe(0.05, signal("ai.pixels.detector", Category::Ai, 0.4));
            }
            let keeps = PROVENANCE.iter().find(|(c, _)| *c == channel).map_or(0.5, |p| p.1);
            // Fraudsters claim more and strip more.
            let provenance = rng.unit() < if fraud { keeps * 0.5 } else { keeps };
            let amount = AMOUNT_MEDIAN_EUR * (normal(&mut rng) + if fraud { 0.7 } else { 0.0 }).exp();
            let draws = [rng.unit(), rng.unit(), normal(&mut rng), normal(&mut rng)];
            Simulated {
                amount_minor: (amount * 100.0).round() as i64,
                provenance,
                outcome: ClaimOutcome {
                    channel: Some(channel.into()),
                    language: Some(if en { "en" } else { "nl" }.into()),
                    postcode: Some(postcode),
                    country: Some("NL".into()),
                    returning,
                    ..ClaimOutcome::default()
                },
                fraud,
                signals,
                draws,
            }
        })
        .collect()
}

const HOUR: f64 = 3_600_000.0;

/// The assurance signal the policy gives a simulated claim, if any.
fn assurance(c: &Simulated, policy: &Policy) -> Option<Signal> {
    let claim = ClaimContext { claimed_amount_minor: Some(c.amount_minor), currency: Some("EUR".into()), ..ClaimContext::default() };
    policy.assurance.check(&claim, &[Provenance { camera: c.provenance, ..Provenance::default() }])
}

/// Routes a claim and lets the simulated people decide it.
fn decide(c: &Simulated, policy: &Policy) -> ClaimOutcome {
    let asked_live = assurance(c, policy);
    let files = c.signals.iter().map(|s| (Some(0), s));
    let band = policy.route(files.chain(asked_live.iter().map(|s| (None, s)))).band;
    let [choice, answer, t1, t2] = c.draws;
    // (approved?, evidence asked?, hours to decision: median and spread)
    let (approved, asked, hours) = match (band, c.fraud) {
        (Band::Clear, false) => (true, choice < 0.02, 2.0),
        (Band::Clear, true) => (choice > 0.3, choice < 0.1, 2.0),
        (Band::Review, false) => (choice > 0.05 || answer < 0.9, choice < 0.25, 24.0),
        (Band::Review, true) => (choice > 0.8, choice < 0.4, 30.0),
        (Band::Escalate, false) => (choice > 0.1 || answer < 0.8, choice < 0.35, 72.0),
        (Band::Escalate, true) => (choice > 0.9, choice < 0.3, 72.0),
    };
    let extra = if asked { 48.0 } else { 0.0 };
    let took = (hours * (0.6 * t1).exp() + extra * (0.3 * t2).exp()) * HOUR;
    ClaimOutcome {
        band: Some(match band {
            Band::Clear => "clear",
            Band::Review => "review",
            Band::Escalate => "escalate",
        }
        .into()),
        approved: Some(approved),
        time_to_decision_ms: Some(took as i64),
        evidence_requested: asked,
        ..c.outcome.clone()
    }
}

/// The monitor's report on a year decided under `policy_toml`.
pub fn scenario(claims: usize, seed: u64, policy_toml: &str) -> Result<Report> {
    let policy = Policy::from_toml(policy_toml)?;
    let outcomes: Vec<ClaimOutcome> = year(claims, seed).iter().map(|c| decide(c, &policy)).collect();
    Ok(monitor(&outcomes, &Settings::default()))
}

/// Per channel: genuine claims, and those the assurance rule sends to review (a live
/// photo advised).
pub fn assurance_counts(claims: usize, seed: u64, policy_toml: &str) -> Result<Vec<(&'static str, usize, usize)>> {
    let policy = Policy::from_toml(policy_toml)?;
    let year = year(claims, seed);
    Ok(CHANNELS
        .iter()
        .map(|(channel, _)| {
            let genuine: Vec<&Simulated> =
                year.iter().filter(|c| !c.fraud && c.outcome.channel.as_deref() == Some(*channel)).collect();
            let asked = genuine.iter().filter(|c| assurance(c, &policy).is_some()).count();
            (*channel, genuine.len(), asked)
        })
        .collect())
}

fn describe(a: &Alert) -> String {
    format!(
        "{} = {}: {} ratio {:.2} ({}), {}",
        a.attribute.as_str(),
        a.group,
        a.metric.title().0,
        a.ratio,
        proofdesk_domain::fairness::interval(a.low, a.high),
        if a.disadvantaged { "worse off" } else { "better off" }
    )
}

/// Runs the simulation.
pub fn run(args: SimulateFairnessArgs) -> Result<ExitCode> {
    anyhow::ensure!(args.claims >= 1000, "simulate at least 1000 claims");
    let policies = [
        ("fair", policy_with(0.0)),
        ("unfair", policy_with(args.proxy_weight)),
        ("fair-with-assurance", policy_with_assurance()),
    ];
    if let Some(years) = args.years {
        anyhow::ensure!((1..=1000).contains(&years), "simulate 1 to 1000 years");
        let seeds = args.seed..args.seed + years;
        let counted: Vec<(usize, usize)> =
            policies.iter().map(|(_, p)| count_years(args.claims, seeds.clone(), p)).collect::<Result<_>>()?;
        if args.json {
            let mut doc = json!({
                "schema": "proofdesk.fairness-years/1", "claims": args.claims, "first_seed": args.seed, "years": years,
            });
            for ((name, policy), (any, app)) in policies.iter().zip(&counted) {
                doc[*name] = json!({"policy": policy, "years_with_an_alert": any, "years_alerting_on_app": app});
            }
            println!("{}", serde_json::to_string_pretty(&doc)?);
        } else {
            println!("{years} simulated years of {} claims (seeds {}–{}):", args.claims, args.seed, args.seed + years - 1);
            for ((name, policy), (any, app)) in policies.iter().zip(&counted) {
                println!("  {name:<19} {:<90} any alert in {any} years, app customers worse off in {app}", policy.trim().replace('\n', " "));
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let reports: Vec<Report> = policies.iter().map(|(_, p)| scenario(args.claims, args.seed, p)).collect::<Result<_>>()?;
    let assured = assurance_counts(args.claims, args.seed, &policies[2].1)?;
    if args.json {
        let mut doc = json!({
            "schema": "proofdesk.fairness-simulation/1",
            "claims": args.claims,
            "seed": args.seed,
            "assurance_by_channel": assured.iter().map(|(c, n, k)| json!({"channel": c, "genuine_claims": n, "asked_live_photo": k})).collect::<Vec<_>>(),
        });
        for ((name, policy), report) in policies.iter().zip(&reports) {
            doc[*name] = json!({"policy": policy, "report": report});
        }
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "A simulated year: {} claims, fraud {:.0}% in every group; {} comparisons per report, simultaneous {:.0}% intervals (z = {:.2}).",
        args.claims,
        FRAUD_RATE * 100.0,
        reports[0].comparisons,
        reports[0].settings.confidence * 100.0,
        reports[0].z
    );
    let (all, asked) = assured.iter().fold((0, 0), |(a, b), (_, n, k)| (a + n, b + k));
    let per_channel: Vec<String> =
        assured.iter().map(|(c, n, k)| format!("{c} {:.1}%", *k as f64 * 100.0 / (*n).max(1) as f64)).collect();
    println!(
        "Assurance by amount (EUR 250, the third policy): {asked} of {all} genuine claims ({:.1}%) sent to review for want of provenance; by channel: {}.",
        asked as f64 * 100.0 / all.max(1) as f64,
        per_channel.join(", ")
    );
    for ((name, policy), r) in policies.iter().zip(&reports) {
        println!("\n{name} policy: {}", policy.trim().replace('\n', " "));
        for attr in &r.attributes {
            let rows: Vec<String> = attr
                .groups
                .iter()
                .filter(|g| !g.suppressed && attr.groups.len() <= 6)
                .filter_map(|g| {
                    let review = g.comparisons.iter().find(|c| c.metric == proofdesk_domain::fairness::Metric::ReviewRate)?;
                    Some(format!("{} {:.1}% (×{:.2})", g.group, review.value * 100.0, review.ratio))
                })
                .collect();
            if !rows.is_empty() {
                println!("  routed to review, by {}: {}", attr.attribute.as_str(), rows.join(", "));
            }
        }
        if r.alerts.is_empty() {
            println!("  alerts: none");
        } else {
            println!("  alerts ({}):", r.alerts.len());
            for a in &r.alerts {
                println!("    {}", describe(a));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proofdesk_domain::fairness::{Attribute, Metric};

    #[test]
    fn the_monitor_is_quiet_on_the_fair_policy_and_alerts_on_the_unfair_one() {
        for seed in 1..=3 {
            let fair = scenario(12_000, seed, &policy_with(0.0)).unwrap();
            assert!(fair.alerts.is_empty(), "seed {seed}: {:?}", fair.alerts.iter().map(describe).collect::<Vec<_>>());
            let unfair = scenario(12_000, seed, &policy_with(80.0)).unwrap();
            let app = unfair
                .alerts
                .iter()
                .find(|a| a.attribute == Attribute::Channel && a.group == "app" && a.metric == Metric::ReviewRate);
            assert!(app.is_some_and(|a| a.disadvantaged), "seed {seed}: {:?}", unfair.alerts);
        }
    }

    #[test]
    fn assurance_by_amount_asks_app_customers_for_a_live_photo_more_often() {
        let counts = assurance_counts(12_000, 1, &policy_with_assurance()).unwrap();
        let share = |channel: &str| {
            let (_, n, k) = counts.iter().find(|c| c.0 == channel).unwrap();
            *k as f64 / *n as f64
        };
        assert!(share("web") > 0.03 && share("web") < 0.15, "web {}", share("web"));
        assert!(share("app") > share("web") * 1.3, "app {} vs web {}", share("app"), share("web"));
        // Without the amount, nobody is asked.
        let off = assurance_counts(12_000, 1, &policy_with(0.0)).unwrap();
        assert!(off.iter().all(|c| c.2 == 0));
    }
}
