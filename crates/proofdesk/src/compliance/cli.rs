//! `proofdesk report ai-act|oversight|fairness` and `proofdesk ai-register`: the
//! compliance officer's commands, reading the same records as the web pages.

use super::{ai_act, fairness_outcomes, load_policy, load_policy_and_source, month_of, oversight_trails, period, register};
use crate::Store;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use proofdesk_domain::ai_register::{classify, unknown_answers, QUESTIONS};
use proofdesk_domain::{fairness, oversight};
use proofdesk_engine::Lang;
use proofdesk_storage::compliance::{AiSystem, Compliance};
use proofdesk_storage::time::now_ms;
use proofdesk_storage::Database;
use serde_json::json;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// `proofdesk report`.
#[derive(Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    command: ReportCommand,
}

/// A document language.
#[derive(Clone, Copy, ValueEnum)]
pub enum DocLang {
    /// English.
    En,
    /// Dutch.
    Nl,
}

impl From<DocLang> for Lang {
    fn from(l: DocLang) -> Lang {
        match l {
            DocLang::En => Lang::En,
            DocLang::Nl => Lang::Nl,
        }
    }
}

#[derive(Subcommand)]
enum ReportCommand {
    /// A new, numbered edition of the AI Act technical documentation (printable HTML).
    AiAct {
        /// Write the HTML here (default: print it).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Language of the document.
        #[arg(long, value_enum, default_value = "en")]
        lang: DocLang,
        /// The policy file in force (the defaults without it).
        #[arg(long, env = "PROOFDESK_POLICY")]
        policy: Option<PathBuf>,
    },
    /// How people use the routing: agreement, overrides per signal, time to decision,
    /// decisions per reviewer, decisions without opening the evidence, evidence requests.
    Oversight {
        /// First day (YYYY-MM-DD) of claims received; default 90 days ago.
        #[arg(long)]
        since: Option<String>,
        /// Last day; default today.
        #[arg(long)]
        until: Option<String>,
        /// JSON (schema proofdesk.oversight/1).
        #[arg(long)]
        json: bool,
    },
    /// Outcomes per customer group, with ratios, intervals and alerts.
    Fairness {
        /// First day (YYYY-MM-DD) of claims received; default 365 days ago.
        #[arg(long)]
        since: Option<String>,
        /// Last day; default today.
        #[arg(long)]
        until: Option<String>,
        /// The policy file with a `[fairness]` table (the defaults without it).
        #[arg(long, env = "PROOFDESK_POLICY")]
        policy: Option<PathBuf>,
        /// JSON (schema proofdesk.fairness/1).
        #[arg(long)]
        json: bool,
    },
}

async fn database(store: &Store) -> Result<Database> {
    store.open(false).await?.with_context(|| format!("no database at {} yet: run `proofdesk serve` first", store.describe()))
}

/// Runs `proofdesk report`.
pub fn report(args: ReportArgs, store: &Store) -> Result<ExitCode> {
    store.runtime()?.block_on(async {
        match args.command {
            ReportCommand::AiAct { out, lang, policy } => {
                let db = store.open(true).await?.context("cannot open the database")?;
                let (p, source) = load_policy_and_source(policy.as_deref())?;
                let (edition, html) = ai_act::generate(&db, &p, &source, lang.into(), "cli", "cli").await?;
                match out {
                    Some(path) => {
                        std::fs::write(&path, &html).with_context(|| format!("cannot write {}", path.display()))?;
                        eprintln!("edition {edition} written to {}", path.display());
                    }
                    None => println!("{html}"),
                }
            }
            ReportCommand::Oversight { since, until, json } => {
                let db = database(store).await?;
                let (since, until) = period(since.as_deref(), until.as_deref(), 90)?;
                let facts = proofdesk_storage::report_facts::read(&db, since, until, None).await?;
                let r = oversight::report(&oversight_trails(&facts, since, now_ms()), &month_of);
                if json {
                    println!("{}", serde_json::to_string_pretty(&json!({"schema": "proofdesk.oversight/1", "since_ms": since, "until_ms": until, "report": r}))?);
                } else {
                    print_oversight(&r)?;
                }
            }
            ReportCommand::Fairness { since, until, policy, json } => {
                let db = database(store).await?;
                let p = load_policy(policy.as_deref())?;
                let (since, until) = period(since.as_deref(), until.as_deref(), 365)?;
                let facts = proofdesk_storage::report_facts::read(&db, since, until, None).await?;
                let r = fairness::monitor(&fairness_outcomes(&facts), &p.fairness);
                if json {
                    println!("{}", serde_json::to_string_pretty(&json!({"schema": "proofdesk.fairness/1", "since_ms": since, "until_ms": until, "report": r}))?);
                } else {
                    print_fairness(&r)?;
                }
                if !r.alerts.is_empty() {
                    return Ok(ExitCode::from(1));
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn print_oversight(r: &oversight::Report) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let hours = |ms: Option<i64>| ms.map_or("–".into(), |m| format!("{:.1} h", m as f64 / 3_600_000.0));
    writeln!(out, "{} claims with decisions or evidence requests", r.claims)?;
    writeln!(out, "{:<8} {:>9} {:>7} {:>9} {:>8} {:>8} {:>13} {:>10} {:>10} {:>9}", "period", "decisions", "first", "followed", "stricter", "lenient", "not-opened", "median", "p90", "requests")?;
    for p in &r.overall.periods {
        writeln!(
            out,
            "{:<8} {:>9} {:>7} {:>9} {:>8} {:>8} {:>6}/{:<6} {:>10} {:>10} {:>4}/{:<4}",
            p.period, p.decisions, p.first_decisions, p.followed, p.stricter, p.lenient, p.without_evidence, p.final_decisions,
            hours(p.median_to_decision_ms), hours(p.p90_to_decision_ms), p.answered, p.evidence_requests
        )?;
    }
    writeln!(out, "\noverruled most, per signal (claims, stricter, lenient, approved):")?;
    for s in r.overall.signals.iter().take(10) {
        writeln!(out, "  {:<45} {:>5} {:>5} {:>5} {:>5}", s.signal, s.claims, s.stricter, s.lenient, s.approved)?;
    }
    writeln!(out, "\nreviewers (decisions, approvals and rejections without opening the evidence, median time):")?;
    for v in &r.overall.reviewers {
        writeln!(out, "  {:<30} {:>5} {:>5} {:>10}", v.user, v.decisions.values().sum::<usize>(), v.without_evidence, hours(v.median_to_decision_ms))?;
    }
    let q = &r.overall.requests;
    writeln!(
        out,
        "\nevidence requests: {} made, {} answered (median {}), {} expired, {} withdrawn, {} open; after an answer {} approved, {} rejected",
        q.made, q.answered, hours(q.median_to_answer_ms), q.expired, q.revoked, q.open, q.then_approved, q.then_rejected
    )?;
    writeln!(out, "teams: {}", if r.teams.is_empty() { "none".into() } else { r.teams.keys().cloned().collect::<Vec<_>>().join(", ") })?;
    Ok(())
}

fn print_fairness(r: &fairness::Report) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{} claims; {} comparisons; simultaneous {:.0}% intervals (z = {:.2})", r.claims, r.comparisons, r.settings.confidence * 100.0, r.z)?;
    for a in &r.attributes {
        writeln!(out, "\n{}:", a.attribute.title().0)?;
        for g in &a.groups {
            match g.claims {
                None => writeln!(out, "  {:<12} fewer than {} claims: not shown", g.group, r.settings.min_group)?,
                Some(n) => {
                    let cells: Vec<String> = g
                        .comparisons
                        .iter()
                        .map(|c| format!("{} ×{:.2} [{}]{}", c.metric.title().0, c.ratio, fairness::interval(c.low, c.high), if c.alert { " ALERT" } else { "" }))
                        .collect();
                    writeln!(out, "  {:<12} {:>6}  {}", g.group, n, cells.join("; "))?;
                }
            }
        }
    }
    writeln!(out, "\nalerts: {}", r.alerts.len())?;
    Ok(())
}

/// `proofdesk ai-register`.
#[derive(Args)]
pub struct RegisterArgs {
    #[command(subcommand)]
    command: RegisterCommand,
}

#[derive(Subcommand)]
enum RegisterCommand {
    /// The register (proofdesk's own components are added the first time).
    List {
        /// JSON (schema proofdesk.ai-register/1).
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// CSV, one row per system.
        #[arg(long)]
        csv: bool,
    },
    /// The questionnaire: each question's id, article and text.
    Questions,
    /// Add a system or change one; the risk class follows from the answers.
    Set {
        /// Its id (lower-case letters, digits, hyphens), e.g. `chatbot`.
        id: String,
        /// Its name.
        #[arg(long)]
        name: Option<String>,
        /// What it is for.
        #[arg(long)]
        purpose: Option<String>,
        /// The person or role accountable.
        #[arg(long)]
        owner: Option<String>,
        /// Who uses its outputs.
        #[arg(long)]
        users: Option<String>,
        /// What data it uses.
        #[arg(long)]
        data: Option<String>,
        /// The questions answered yes, comma-separated (see `questions`); replaces the answers.
        #[arg(long)]
        answers: Option<String>,
        /// Next review (YYYY-MM-DD).
        #[arg(long)]
        review_due: Option<String>,
    },
    /// Remove a system added by hand.
    Remove {
        /// Its id.
        id: String,
    },
}

/// Runs `proofdesk ai-register`.
pub fn ai_register(args: RegisterArgs, store: &Store) -> Result<ExitCode> {
    if let RegisterCommand::Questions = args.command {
        for q in &QUESTIONS {
            println!("{:<36} {:<24} {}", q.id, q.article, q.en);
        }
        return Ok(ExitCode::SUCCESS);
    }
    store.runtime()?.block_on(async {
        let db = store.open(true).await?.context("cannot open the database")?;
        let c = Compliance::new(db);
        match args.command {
            RegisterCommand::Questions => {}
            RegisterCommand::List { json, csv } => {
                let systems = register(&c).await?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&register_json(&systems))?);
                } else if csv {
                    print!("{}", register_csv(&systems)?);
                } else {
                    for s in &systems {
                        let owner = if s.owner.is_empty() { "not yet assigned" } else { &s.owner };
                        println!("{:<28} {:<13} review {}  owner {}  {}", s.id, s.risk_class, s.review_due, owner, s.name);
                    }
                }
            }
            RegisterCommand::Set { id, name, purpose, owner, users, data, answers, review_due } => {
                register(&c).await?;
                let current = c.system(&id).await?;
                let fields = SystemFields { name, purpose, owner, users, data, answers, review_due };
                let s = fields.apply(&id, current)?;
                let new = c.save(&s, "cli").await?;
                println!("{} {}: {}", if new { "added" } else { "changed" }, s.id, s.risk_class);
            }
            RegisterCommand::Remove { id } => {
                if !c.remove(&id, "cli").await? {
                    bail!("{id} is not in the register, or is one of proofdesk's own components (those stay; change their answers instead)");
                }
                println!("removed {id}");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The fields a person gives for a system (from the CLI or a form); `None` keeps the current value.
pub struct SystemFields {
    /// Name.
    pub name: Option<String>,
    /// Purpose.
    pub purpose: Option<String>,
    /// Owner.
    pub owner: Option<String>,
    /// Users.
    pub users: Option<String>,
    /// Data used.
    pub data: Option<String>,
    /// Yes answers, comma-separated.
    pub answers: Option<String>,
    /// Next review.
    pub review_due: Option<String>,
}

impl SystemFields {
    /// The system with these fields applied to `current` (or new), classified again.
    pub fn apply(self, id: &str, current: Option<AiSystem>) -> Result<AiSystem> {
        if id.is_empty() || id.len() > 60 || !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            bail!("the id must be lower-case letters, digits and hyphens (at most 60), e.g. chatbot");
        }
        let is_new = current.is_none();
        let mut s = current.unwrap_or_else(|| AiSystem {
            id: id.to_owned(),
            name: String::new(),
            purpose: String::new(),
            owner: String::new(),
            users: String::new(),
            data_used: String::new(),
            answers: Vec::new(),
            risk_class: String::new(),
            reasoning_json: String::new(),
            review_due: proofdesk_storage::time::format_utc(now_ms() + 365 * super::DAY_MS)[..10].to_owned(),
            builtin: false,
            created_at: 0,
            updated_at: 0,
            updated_by: String::new(),
        });
        let text = |v: Option<String>, field: &str, current: &mut String| -> Result<()> {
            if let Some(v) = v {
                let v = v.trim().to_owned();
                if v.chars().count() > 2000 {
                    bail!("{field} is longer than 2000 characters");
                }
                *current = v;
            }
            Ok(())
        };
        text(self.name, "the name", &mut s.name)?;
        text(self.purpose, "the purpose", &mut s.purpose)?;
        text(self.owner, "the owner", &mut s.owner)?;
        text(self.users, "the users", &mut s.users)?;
        text(self.data, "the data used", &mut s.data_used)?;
        if is_new && (s.name.is_empty() || s.purpose.is_empty() || s.owner.is_empty()) {
            bail!("a new system needs a name, a purpose and an owner");
        }
        if let Some(a) = self.answers {
            let set: BTreeSet<String> = a.split(',').map(|x| x.trim().to_owned()).filter(|x| !x.is_empty()).collect();
            let unknown = unknown_answers(&set);
            if !unknown.is_empty() {
                bail!("unknown answers: {} (see `proofdesk ai-register questions`)", unknown.join(", "));
            }
            s.answers = set.into_iter().collect();
        }
        if let Some(d) = self.review_due {
            if !proofdesk_domain::claim::valid_date(d.trim()) {
                bail!("the review date must be YYYY-MM-DD");
            }
            s.review_due = d.trim().to_owned();
        }
        let c = classify(&s.answers.iter().cloned().collect());
        s.risk_class = c.class.as_str().to_owned();
        s.reasoning_json = serde_json::to_string(&c.reasoning)?;
        Ok(s)
    }
}

/// The register as JSON (schema `proofdesk.ai-register/1`).
pub fn register_json(systems: &[AiSystem]) -> serde_json::Value {
    json!({
        "schema": "proofdesk.ai-register/1",
        "systems": systems.iter().map(|s| json!({
            "id": s.id, "name": s.name, "purpose": s.purpose, "owner": s.owner, "users": s.users,
            "data_used": s.data_used, "answers": s.answers, "risk_class": s.risk_class,
            "reasoning": serde_json::from_str::<serde_json::Value>(&s.reasoning_json).unwrap_or_default(),
            "review_due": s.review_due, "builtin": s.builtin, "updated_by": s.updated_by,
        })).collect::<Vec<_>>(),
    })
}

/// The register as CSV.
pub fn register_csv(systems: &[AiSystem]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "name", "purpose", "owner", "users", "data_used", "risk_class", "answers", "review_due", "builtin"])?;
    for s in systems {
        w.write_record([&s.id, &s.name, &s.purpose, &s.owner, &s.users, &s.data_used, &s.risk_class, &s.answers.join(" "), &s.review_due, &s.builtin.to_string()])?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("cannot write the CSV: {}", e.error()))?;
    Ok(String::from_utf8(bytes)?)
}
