//! `proofdesk simulate-fairness`: a year of claims from several customer groups,
//! routed by the real routing code and decided by simulated people, run through the
//! fairness monitor twice — once with a fair policy, once with one that quietly
//! disadvantages a group. The policy cannot name a group, so the unfair one does it
//! through a proxy: photos sent through the app often have their dates rewritten by
//! the phone (`manipulation.modified-after-capture`), and giving that signal a heavy
//! weight sends app customers to review far more often, with the same real risk.
//! A monitor worth having is quiet on the first and alerts on the second.

use crate::rng::Rng;
use anyhow::Result;
use clap::Args;
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
/// organisation knows phones rewrite these dates).
pub fn policy_with(weight: f32) -> String {
    format!("[weights.signals]\n\"{PROXY}\" = {weight}\n")
}

/// The share of a year's claims per channel (web, app, email, phone).
const CHANNELS: [(&str, f64); 4] = [("web", 0.4), ("app", 0.3), ("email", 0.2), ("phone", 0.1)];
/// Share of claims that are fraudulent, the same in every group.
const FRAUD_RATE: f64 = 0.04;

/// One simulated claim before routing.
struct Simulated {
    outcome: ClaimOutcome,
    fraud: bool,
    signals: Vec<Signal>,
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
            let draws = [rng.unit(), rng.unit(), normal(&mut rng), normal(&mut rng)];
            Simulated {
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

/// Routes a claim and lets the simulated people decide it.
fn decide(c: &Simulated, policy: &Policy) -> ClaimOutcome {
    let band = policy.route(c.signals.iter().map(|s| (Some(0), s))).band;
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
    let (fair_policy, unfair_policy) = (policy_with(0.0), policy_with(args.proxy_weight));
    if let Some(years) = args.years {
        anyhow::ensure!((1..=1000).contains(&years), "simulate 1 to 1000 years");
        let seeds = args.seed..args.seed + years;
        let fair = count_years(args.claims, seeds.clone(), &fair_policy)?;
        let unfair = count_years(args.claims, seeds, &unfair_policy)?;
        if args.json {
            let doc = json!({
                "schema": "proofdesk.fairness-years/1", "claims": args.claims, "first_seed": args.seed, "years": years,
                "fair": {"policy": fair_policy, "years_with_an_alert": fair.0, "years_alerting_on_app": fair.1},
                "unfair": {"policy": unfair_policy, "years_with_an_alert": unfair.0, "years_alerting_on_app": unfair.1},
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
        } else {
            println!("{years} simulated years of {} claims (seeds {}–{}):", args.claims, args.seed, args.seed + years - 1);
            for (name, policy, (any, app)) in [("fair", &fair_policy, fair), ("unfair", &unfair_policy, unfair)] {
                println!("  {name:<6} {:<52} any alert in {any} years, app customers worse off in {app}", policy.trim().replace('\n', " "));
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let fair = scenario(args.claims, args.seed, &fair_policy)?;
    let unfair = scenario(args.claims, args.seed, &unfair_policy)?;
    if args.json {
        let doc = json!({
            "schema": "proofdesk.fairness-simulation/1",
            "claims": args.claims,
            "seed": args.seed,
            "fair": {"policy": fair_policy, "report": fair},
            "unfair": {"policy": unfair_policy, "report": unfair},
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "A simulated year: {} claims, fraud {:.0}% in every group; {} comparisons per report, simultaneous {:.0}% intervals (z = {:.2}).",
        args.claims,
        FRAUD_RATE * 100.0,
        fair.comparisons,
        fair.settings.confidence * 100.0,
        fair.z
    );
    for (name, policy, r) in [("fair", &fair_policy, &fair), ("unfair", &unfair_policy, &unfair)] {
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
}
