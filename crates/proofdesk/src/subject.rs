//! `proofdesk subject export|erase CUSTOMER_ID`: a data-subject request. Export writes
//! everything held about a customer (claims with their context and routing, decisions
//! with their reasons, evidence files as received, their signals, evidence requests)
//! into a zip with a readable summary; erase removes it from the database, the
//! evidence store and the reuse index, records the erasure, and leaves the audit trail
//! verifiable.

use crate::serve::EvidenceArgs;
use crate::Store;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use proofdesk_storage::audit::{AuditLog, Entry};
use proofdesk_storage::claims::Claims;
use proofdesk_storage::decisions::Decisions;
use proofdesk_storage::requests::Requests;
use proofdesk_storage::evidence::EvidenceStore;
use proofdesk_storage::subjects::{Erased, Subjects};
use proofdesk_storage::time::format_rfc3339;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// `proofdesk subject`.
#[derive(Args)]
pub struct SubjectArgs {
    #[command(subcommand)]
    command: SubjectCommand,
    #[command(flatten)]
    evidence: EvidenceArgs,
}

#[derive(Subcommand)]
enum SubjectCommand {
    /// Write everything held about a customer into a zip (summary.txt, data.json, the files).
    Export {
        /// The customer's pseudonymous id, as claims carry it.
        customer_id: String,
        /// The zip to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Erase everything held about a customer (the audit trail keeps ids and hashes).
    Erase {
        /// The customer's pseudonymous id.
        customer_id: String,
        /// Confirm: nothing can bring the data back.
        #[arg(long)]
        yes: bool,
    },
}

fn customer_hash(id: &str) -> String {
    Sha256::digest(id.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `proofdesk subject`.
pub fn run(args: SubjectArgs, store: &Store) -> Result<ExitCode> {
    let rt = store.runtime()?;
    rt.block_on(async {
        let db = store.open(true).await?.context("no database")?;
        let evidence = crate::serve::evidence_store(store, &args.evidence, &db)?;
        match args.command {
            SubjectCommand::Export { customer_id, out } => {
                let (bytes, claims, files) = export(&db, &evidence, &customer_id, "cli").await?;
                std::fs::write(&out, bytes).with_context(|| format!("write {}", out.display()))?;
                println!("wrote {} ({claims} claims, {files} files)", out.display());
            }
            SubjectCommand::Erase { customer_id, yes } => {
                if !yes {
                    bail!("erasing cannot be undone: add --yes to erase everything held about {customer_id}");
                }
                let (erased, blobs, key) = erase(&db, &evidence, &customer_id, "cli").await?;
                println!(
                    "erased customer {customer_id}: {} claims, {} files ({} removed from the evidence store), {} decisions, {} evidence requests, {} reuse-index entries",
                    erased.claims, erased.files, blobs, erased.decisions, erased.requests, erased.sightings
                );
                if let Some(id) = key {
                    println!("destroyed the customer's evidence key {id}: copies of their evidence in backups can no longer be read");
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Everything held about a customer as a zip (`summary.txt`, `data.json`, the files),
/// audited; with the numbers of claims and files.
pub async fn export(db: &proofdesk_storage::Database, evidence: &EvidenceStore, customer_id: &str, actor: &str) -> Result<(Vec<u8>, usize, usize)> {
    let claims = Claims::new(db.clone());
    let decisions = Decisions::new(db.clone());
    let requests = Requests::new(db.clone());
    let ids = Subjects::new(db.clone()).claims_of(customer_id).await?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut summary = format!(
        "Gegevens van klant {customer_id} / Data held about customer {customer_id}\n\
         Claims: {}\n\n",
        ids.len()
    );
    let mut data = Vec::new();
    let mut files = 0;
    for id in &ids {
        let Some(c) = claims.get(id).await? else { continue };
        let ev = claims.evidence(id).await?;
        let ds = decisions.of_claim(id).await?;
        let rs = requests.of_claim(id).await?;
        summary.push_str(&format!(
            "Claim {} ({}), ontvangen/received {}\n  status: {}, band: {}, score: {}\n",
            c.external_ref,
            c.id,
            format_rfc3339(c.created_at),
            c.status,
            c.band.as_deref().unwrap_or("-"),
            c.score.map_or("-".to_owned(), |s| format!("{s:.0}"))
        ));
        let mut file_docs = Vec::new();
        for e in &ev {
            let report: Value = e.report_json.as_deref().and_then(|r| serde_json::from_str(r).ok()).unwrap_or(Value::Null);
            let deleted = report.get("purged_at").is_some();
            let name = if deleted {
                String::new()
            } else {
                let name = format!("evidence/{}/{}-{}", c.id, e.position + 1, safe(e.filename.as_deref().unwrap_or("file")));
                let bytes = evidence.get(&e.sha256, &e.key_id).await.with_context(|| format!("read evidence {}", e.sha256))?;
                zip.start_file(name.as_str(), options)?;
                zip.write_all(&bytes)?;
                files += 1;
                name
            };
            let shown = if deleted { "verwijderd volgens het bewaarbeleid / deleted under the retention policy" } else { name.as_str() };
            summary.push_str(&format!("  file {}: {} ({})\n", e.position + 1, shown, report["verdict"].as_str().unwrap_or("not screened")));
            for s in report["signals"].as_array().into_iter().flatten() {
                summary.push_str(&format!("    - {}\n", s["summary"]["nl"].as_str().unwrap_or("")));
            }
            file_docs.push(json!({"position": e.position, "filename": e.filename, "sha256": e.sha256, "in_zip": (!deleted).then_some(&name), "deleted_under_retention": deleted,
                "verdict": report["verdict"], "signals": report["signals"]}));
        }
        for d in &ds {
            summary.push_str(&format!("  beslissing/decision {}: {} — {}\n", format_rfc3339(d.decided_at), d.kind, d.reason));
        }
        data.push(json!({
            "claim": {"id": c.id, "external_ref": c.external_ref, "received_at": format_rfc3339(c.created_at),
                "status": c.status, "band": c.band, "score": c.score,
                "context": serde_json::from_str::<Value>(&c.context_json).unwrap_or(Value::Null),
                "routing": c.routing_json.as_deref().and_then(|r| serde_json::from_str::<Value>(r).ok())},
            "evidence": file_docs,
            "decisions": ds.iter().map(|d| json!({"kind": d.kind, "reason": d.reason, "decided_at": format_rfc3339(d.decided_at),
                "amount": d.amount.as_ref().map(|(m, cur)| json!({"minor": m, "currency": cur}))})).collect::<Vec<_>>(),
            "evidence_requests": rs.iter().map(|r| json!({"asks": r.asks, "created_at": format_rfc3339(r.created_at),
                "answered_at": r.answered_at.map(format_rfc3339)})).collect::<Vec<_>>(),
        }));
        summary.push('\n');
    }
    zip.start_file("summary.txt", options)?;
    zip.write_all(summary.as_bytes())?;
    zip.start_file("data.json", options)?;
    zip.write_all(serde_json::to_string_pretty(&json!({"schema": "proofdesk.subject-export/1", "customer_id": customer_id, "claims": data}))?.as_bytes())?;
    let bytes = zip.finish()?.into_inner();
    let detail = format!("customer sha256 {}: {} claims, {} files", customer_hash(customer_id), ids.len(), files);
    AuditLog::new(db.clone()).append(&Entry { actor, action: "subject.export", claim_id: None, detail: &detail }).await?;
    Ok((bytes, ids.len(), files))
}

/// Erases everything held about a customer, the evidence blobs too, and destroys their
/// evidence key if they had one; with how many blobs left the store and that key's id.
pub async fn erase(db: &proofdesk_storage::Database, evidence: &EvidenceStore, customer_id: &str, actor: &str) -> Result<(Erased, usize, Option<String>)> {
    let erased = Subjects::new(db.clone()).erase(customer_id, actor).await?;
    let mut blobs = 0;
    for b in &erased.orphaned_blobs {
        blobs += usize::from(evidence.delete(&b.sha256, &b.key_id).await?);
    }
    // With per-customer keys, destroying the key makes copies elsewhere (backups,
    // bucket versions) unreadable too.
    let mut destroyed = None;
    if let Some(keys) = evidence.customer_keys() {
        destroyed = keys.destroy(customer_id).await?;
        if let Some(id) = &destroyed {
            let detail = format!("customer key {id} destroyed");
            AuditLog::new(db.clone()).append(&Entry { actor, action: "subject.key-destroyed", claim_id: None, detail: &detail }).await?;
        }
    }
    Ok((erased, blobs, destroyed))
}

/// A file name safe inside a zip.
fn safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect()
}
