//! `proofdesk simulate-decisions`: a realistic decision log for a contact centre (teams,
//! agents with their authority, thousands of claims with repeat customers, bands and
//! amounts), with insiders injected for each pattern, run through the insider rules;
//! reports per rule how many injected insiders were flagged and how many honest agents.

use anyhow::{bail, Result};
use clap::Args;
use proofdesk_domain::insider::{evaluate, Event, Rules, RULES};
use crate::rng::Rng;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

/// `proofdesk simulate-decisions`.
#[derive(Args)]
pub struct SimulateArgs {
    /// Claims in the log.
    #[arg(long, default_value_t = 3000)]
    claims: usize,
    /// Agents (spread over three teams).
    #[arg(long, default_value_t = 40)]
    agents: usize,
    /// Insiders injected per pattern.
    #[arg(long, default_value_t = 2)]
    insiders: usize,
    /// Seed of the random generator (the same seed gives the same log).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// JSON (schema proofdesk.insider-simulation/1) instead of a table.
    #[arg(long)]
    json: bool,
    /// Policy file whose `[insider]` thresholds to use (the defaults without it).
    #[arg(long, env = "PROOFDESK_POLICY")]
    policy: Option<std::path::PathBuf>,
}

const DAY: i64 = 86_400_000;

/// Runs the simulation.
pub fn run(args: SimulateArgs) -> Result<ExitCode> {
    let insiders_needed = args.insiders * RULES.len();
    if args.agents < insiders_needed + 5 || args.claims < args.agents * 10 {
        bail!("need at least {} agents and 10 claims per agent", insiders_needed + 5);
    }
    let mut rng = Rng::seeded(args.seed);
    let teams = ["inhouse", "partner-a", "partner-b"];
    let agents: Vec<(String, &str, i64)> = (0..args.agents)
        .map(|i| {
            let limit = [25_000, 50_000, 100_000][i % 3];
            (format!("agent-{i:02}"), teams[i % teams.len()], limit)
        })
        .collect();
    // Customers: most claim once, some a few times.
    let mut customers: Vec<String> = Vec::new();
    let mut k = 0;
    while customers.len() < args.claims {
        let times = match rng.unit() {
            u if u < 0.8 => 1,
            u if u < 0.95 => 2,
            _ => 3 + rng.below(3),
        };
        for _ in 0..times {
            customers.push(format!("cust-{k:05}"));
        }
        k += 1;
    }
    customers.truncate(args.claims);
    let mut log: Vec<Event> = Vec::with_capacity(args.claims + 200);
    for (i, customer) in customers.iter().enumerate() {
        let (user, team, limit) = &agents[rng.below(agents.len())];
        let band = match rng.unit() {
            u if u < 0.75 => "clear",
            u if u < 0.95 => "review",
            _ => "escalate",
        };
        let approve_p = match band {
            "clear" => 0.9,
            "review" => 0.6,
            _ => 0.1,
        };
        // Amounts: log-normal around € 120, at most € 5 000.
        let z = (0..12).map(|_| rng.unit()).sum::<f64>() - 6.0;
        let amount = ((120.0 * (0.9 * z).exp()) * 100.0).round().clamp(500.0, 500_000.0) as i64;
        log.push(Event {
            user: user.clone(),
            team: team.to_string(),
            claim: format!("clm-{i:05}"),
            customer: customer.clone(),
            at_ms: (rng.unit() * 30.0 * DAY as f64) as i64,
            approved: rng.unit() < approve_p,
            amount_minor: amount,
            limit_minor: *limit,
            band: band.into(),
            payout_ref: Some(format!("pay-{customer}")),
            // Now and then one helps a colleague out.
            assigned: rng.unit() > 0.01,
        });
    }
    // Insiders: the last agents, `insiders` per pattern, each on top of ordinary work.
    let mut injected: BTreeMap<String, &'static str> = BTreeMap::new();
    let mut n = 0usize;
    for (p, rule) in RULES.iter().enumerate() {
        for j in 0..args.insiders {
            let (user, team, limit) = agents[agents.len() - 1 - (p * args.insiders + j)].clone();
            injected.insert(user.clone(), rule);
            let mut push = |customer: String, at: i64, amount: i64, band: &str, payout: String, assigned: bool| {
                n += 1;
                log.push(Event {
                    user: user.clone(),
                    team: team.to_string(),
                    claim: format!("clm-x{n:04}"),
                    customer,
                    at_ms: at,
                    approved: true,
                    amount_minor: amount,
                    limit_minor: limit,
                    band: band.into(),
                    payout_ref: Some(payout),
                    assigned,
                });
            };
            let day = |rng: &mut Rng| (rng.unit() * 30.0 * DAY as f64) as i64;
            match *rule {
                "near-limit" => {
                    for i in 0..8 {
                        let amount = limit * (92 + (i * 7) % 8) / 100;
                        let at = day(&mut rng);
                        push(format!("nl-{user}-{i}"), at, amount, "clear", format!("pay-nl-{user}-{i}"), true);
                    }
                }
                "split-claim" => {
                    let at = day(&mut rng);
                    for i in 0..3 {
                        push(format!("split-{user}"), at + i * 8 * 3_600_000, limit * 6 / 10, "clear", format!("pay-split-{user}"), true);
                    }
                }
                "escalated-approvals" => {
                    for i in 0..6 {
                        let at = day(&mut rng);
                        push(format!("esc-{user}-{i}"), at, 15_000, "escalate", format!("pay-esc-{user}-{i}"), true);
                    }
                }
                "repeat-customer" => {
                    for i in 0..5 {
                        push(format!("friend-{user}"), i * 6 * DAY, 8_000, "clear", format!("pay-friend-{user}"), true);
                    }
                }
                "repeat-payout" => {
                    for i in 0..3 {
                        let at = day(&mut rng);
                        push(format!("mule-{user}-{i}"), at, 9_000, "clear", format!("pay-mule-{user}"), true);
                    }
                }
                _ => {
                    for i in 0..4 {
                        let at = day(&mut rng);
                        push(format!("out-{user}-{i}"), at, 7_000, "review", format!("pay-out-{user}-{i}"), false);
                    }
                }
            }
        }
    }
    let rules: Rules = crate::compliance::load_policy(args.policy.as_deref())?.insider;
    let flags = evaluate(&log, &rules);
    let honest: BTreeSet<&str> = agents.iter().map(|a| a.0.as_str()).filter(|a| !injected.contains_key(*a)).collect();
    let mut per_rule = Vec::new();
    for rule in RULES {
        let flagged: BTreeSet<&str> = flags.iter().filter(|f| f.rule == rule).map(|f| f.user.as_str()).collect();
        let planted: Vec<&str> = injected.iter().filter(|(_, r)| **r == rule).map(|(u, _)| u.as_str()).collect();
        let found = planted.iter().filter(|u| flagged.contains(*u)).count();
        let honest_flagged = flagged.iter().filter(|u| honest.contains(*u)).count();
        per_rule.push(json!({
            "rule": rule, "injected": planted.len(), "found": found,
            "honest_agents_flagged": honest_flagged,
        }));
    }
    let honest_any: BTreeSet<&str> = flags.iter().map(|f| f.user.as_str()).filter(|u| honest.contains(*u)).collect();
    let report = json!({
        "schema": "proofdesk.insider-simulation/1",
        "claims": args.claims, "decisions": log.len(), "agents": args.agents, "seed": args.seed,
        "insiders": injected.len(), "honest_agents": honest.len(),
        "rules": per_rule,
        "honest_agents_flagged": honest_any.len(),
        "honest_flag_rate": (honest_any.len() as f64 / honest.len().max(1) as f64 * 1000.0).round() / 1000.0,
    });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{} claims, {} decisions, {} agents ({} insiders, {} per pattern), seed {}",
            args.claims, log.len(), args.agents, injected.len(), args.insiders, args.seed
        );
        println!("  {:<22} {:>8} {:>6} {:>14}", "rule", "injected", "found", "honest flagged");
        for r in report["rules"].as_array().into_iter().flatten() {
            println!("  {:<22} {:>8} {:>6} {:>14}", r["rule"].as_str().unwrap_or(""), r["injected"], r["found"], r["honest_agents_flagged"]);
        }
        println!(
            "honest agents flagged by any rule: {} of {} ({:.1}%)",
            honest_any.len(),
            honest.len(),
            honest_any.len() as f64 * 100.0 / honest.len().max(1) as f64
        );
    }
    Ok(ExitCode::SUCCESS)
}
