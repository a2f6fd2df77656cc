//! `proofdesk retention run|hold|release`: applies the policy file's `[retention]`
//! periods (per client) — a decided claim's evidence files are deleted from the
//! database, the evidence store and the reuse index after its period, the context is
//! pseudonymised after its own — except for claims on legal hold; audit entries past
//! their period are pruned from the start of the chain. `--dry-run` lists what would go. Meant to run daily (cron, a systemd timer, a Kubernetes CronJob).

use crate::serve::EvidenceArgs;
use crate::Store;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use proofdesk_domain::claim::ClaimContext;
use proofdesk_domain::retention::{ClaimAge, Due, Retention};
use proofdesk_storage::audit::AuditLog;
use proofdesk_storage::evidence::EvidenceStore;
use proofdesk_storage::retention::RetentionStore;
use proofdesk_storage::time::now_ms;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// `proofdesk retention`.
#[derive(Args)]
pub struct RetentionArgs {
    #[command(subcommand)]
    command: RetentionCommand,
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Delete and pseudonymise what the policy says is due.
    Run {
        /// Only list what would be deleted or pseudonymised.
        #[arg(long)]
        dry_run: bool,
        /// Policy file with a `[retention]` table (defaults: evidence 90 days after the
        /// decision, context pseudonymised after 730 days).
        #[arg(long, env = "PROOFDESK_POLICY")]
        policy: Option<PathBuf>,
        /// JSON (schema proofdesk.retention-run/1).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        evidence: EvidenceArgs,
    },
    /// Put a claim on legal hold: retention leaves it alone until released.
    Hold {
        /// The claim's id.
        claim_id: String,
        /// Why (a case number, a court order).
        #[arg(long)]
        reason: String,
    },
    /// Lift a claim's legal hold.
    Release {
        /// The claim's id.
        claim_id: String,
    },
}

/// The context kept after pseudonymisation: what statistics (and fairness monitoring)
/// need, nothing that names or locates the customer (dates to the month, the postcode
/// to its first two digits).
fn pseudonymised(context_json: &str, customer: &str) -> String {
    let month = |d: &Option<String>| d.as_ref().map(|d| d.chars().take(7).collect::<String>());
    match serde_json::from_str::<ClaimContext>(context_json) {
        Ok(c) => json!({
            "external_ref": "pseudonymised", "customer_id": customer, "client": c.client, "channel": c.channel,
            "language": c.language, "delivery_postcode": c.delivery_postcode.map(|p| p.trim().chars().take(2).collect::<String>()),
            "claim_type": c.claim_type, "claimed_amount_minor": c.claimed_amount_minor, "currency": c.currency,
            "purchase_date": month(&c.purchase_date), "incident_date": month(&c.incident_date), "delivery_country": c.delivery_country,
        })
        .to_string(),
        Err(_) => json!({"external_ref": "pseudonymised", "customer_id": customer}).to_string(),
    }
}

/// What one retention run did (or, dry, would do).
#[derive(Debug, Default)]
pub struct Report {
    /// Claims whose evidence was deleted.
    pub evidence_deleted: Vec<String>,
    /// Claims whose context was pseudonymised.
    pub pseudonymised: Vec<String>,
    /// Claims on legal hold, left alone.
    pub on_hold: usize,
    /// Blobs removed from the evidence store.
    pub blobs_deleted: usize,
    /// Audit entries pruned (past their period).
    pub audit_pruned: i64,
}

impl Report {
    /// The report as JSON (schema `proofdesk.retention-run/1`).
    pub fn to_json(&self, dry_run: bool) -> serde_json::Value {
        json!({"schema": "proofdesk.retention-run/1", "dry_run": dry_run, "evidence_deleted": self.evidence_deleted,
            "pseudonymised": self.pseudonymised, "on_hold": self.on_hold, "blobs_deleted": self.blobs_deleted,
            "audit_entries_pruned": self.audit_pruned})
    }
}

/// Applies the retention periods to every claim (only counts with `dry_run`).
pub async fn apply(db: &proofdesk_storage::Database, evidence: &EvidenceStore, retention: &Retention, dry_run: bool) -> Result<Report> {
    let store = RetentionStore::new(db.clone());
    let now = now_ms();
    let mut report = Report::default();
    for c in store.ages().await? {
        let age = ClaimAge {
            client: c.client.as_deref(),
            received_at: c.received_at,
            decided_at: c.decided_at,
            on_hold: c.legal_hold.is_some(),
            evidence_purged: c.evidence_purged_at.is_some(),
            pseudonymised: c.pseudonymised_at.is_some(),
        };
        report.on_hold += usize::from(c.legal_hold.is_some());
        for due in retention.due(&age, now) {
            match due {
                Due::Evidence => {
                    if !dry_run {
                        for b in store.purge_evidence(&c.id, "retention").await?.unwrap_or_default() {
                            report.blobs_deleted += usize::from(evidence.delete(&b.sha256, &b.key_id).await?);
                        }
                    }
                    report.evidence_deleted.push(c.id.clone());
                }
                Due::Context => {
                    if !dry_run {
                        let customer = serde_json::from_str::<serde_json::Value>(&c.context_json)
                            .ok()
                            .and_then(|v| v["customer_id"].as_str().map(str::to_owned))
                            .unwrap_or_default();
                        let pseudonym = format!("pseudonym:{}", evidence.pseudonym("customer", &customer));
                        store.pseudonymise(&c.id, &pseudonymised(&c.context_json, &pseudonym), &pseudonym, "pseudonymised", "retention").await?;
                    }
                    report.pseudonymised.push(c.id.clone());
                }
            }
        }
    }
    let audit = AuditLog::new(db.clone());
    let cutoff = retention.audit_cutoff(now);
    report.audit_pruned = if dry_run {
        audit.count_before(cutoff).await?
    } else {
        audit.prune_before(cutoff, "retention").await?.map_or(0, |p| p.entries)
    };
    Ok(report)
}

/// Runs `proofdesk retention`.
pub fn run(args: RetentionArgs, store: &Store) -> Result<ExitCode> {
    let rt = store.runtime()?;
    rt.block_on(async {
        let db = store.open(true).await?.context("no database")?;
        let retention = RetentionStore::new(db.clone());
        match args.command {
            RetentionCommand::Hold { claim_id, reason } => {
                if reason.trim().is_empty() {
                    bail!("give the reason for the hold");
                }
                if !retention.hold(&claim_id, Some(reason.trim()), "cli").await? {
                    bail!("no claim {claim_id}");
                }
                println!("{claim_id} is on legal hold: retention leaves it alone until released");
            }
            RetentionCommand::Release { claim_id } => {
                if !retention.hold(&claim_id, None, "cli").await? {
                    bail!("no claim {claim_id}");
                }
                println!("{claim_id} is no longer on legal hold");
            }
            RetentionCommand::Run { dry_run, policy, json, evidence } => {
                let policy = crate::compliance::load_policy(policy.as_deref())?;
                let store_of_evidence = crate::serve::evidence_store(store, &evidence, &db)?;
                let report = apply(&db, &store_of_evidence, &policy.retention, dry_run).await?;
                if json {
                    println!("{}", report.to_json(dry_run));
                } else {
                    let (deleted, pseudonymised_n, held, blobs, audit) = (report.evidence_deleted, report.pseudonymised, report.on_hold, report.blobs_deleted, report.audit_pruned);
                    let verb = if dry_run { "would delete" } else { "deleted" };
                    println!("{verb} the evidence of {} claims{}", deleted.len(), if dry_run { String::new() } else { format!(" ({blobs} files removed from the store)") });
                    for id in &deleted {
                        println!("  evidence  {id}");
                    }
                    let verb = if dry_run { "would pseudonymise" } else { "pseudonymised" };
                    println!("{verb} {} claims", pseudonymised_n.len());
                    for id in &pseudonymised_n {
                        println!("  context   {id}");
                    }
                    println!("{held} claims on legal hold were left alone");
                    let verb = if dry_run { "would prune" } else { "pruned" };
                    println!("{verb} {audit} audit entries older than {} days", policy.retention.audit_days);
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
