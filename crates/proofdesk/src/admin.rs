//! Administration: `proofdesk api-key create|list|revoke` and `proofdesk audit verify`.

use crate::Store;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use proofdesk_domain::disclosure::Receives;
use proofdesk_storage::api_keys::{ApiKeys, SCOPES};
use proofdesk_storage::audit::{AuditLog, Entry};
use proofdesk_storage::time::format_utc;
use std::process::ExitCode;

/// `proofdesk api-key`.
#[derive(Args)]
pub struct ApiKeyArgs {
    #[command(subcommand)]
    command: ApiKeyCommand,
}

#[derive(Subcommand)]
enum ApiKeyCommand {
    /// Make a key; it is printed once, on standard output, and not kept.
    Create {
        /// What the key is for (e.g. the CRM's name).
        #[arg(long, default_value = "integration")]
        name: String,
        /// Scopes, comma-separated: claims:write, claims:read.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "claims:write,claims:read"
        )]
        scope: Vec<String>,
        /// What the integration receives of a claim besides its outcome (id,
        /// reference, status, band, score, reasons): data categories
        /// `customer,context,evidence,positions`, or `none`.
        #[arg(long, default_value = "customer,context,evidence")]
        receives: String,
    },
    /// List keys (never the keys themselves).
    List,
    /// Revoke a key by its id.
    Revoke {
        /// The key's id (`proofdesk api-key list`).
        id: String,
    },
}

/// `proofdesk audit`.
#[derive(Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the whole audit trail: every entry unchanged, none removed or reordered.
    Verify,
    /// Print the entries, all or one claim's.
    Show {
        /// Only this claim's entries.
        #[arg(long)]
        claim: Option<String>,
    },
}

/// Runs `proofdesk api-key`.
pub fn api_key(args: ApiKeyArgs, store: &Store) -> Result<ExitCode> {
    let rt = store.runtime()?;
    rt.block_on(async {
        let db = store.open(true).await?.context("no database")?;
        let keys = ApiKeys::new(db.clone());
        match args.command {
            ApiKeyCommand::Create { name, scope, receives } => {
                let scope: Vec<String> = scope
                    .iter()
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
                if let Some(bad) = scope.iter().find(|s| !SCOPES.contains(&s.as_str())) {
                    bail!("unknown scope {bad}: use {}", SCOPES.join(", "));
                }
                let receives = Receives::parse(&receives).map_err(|e| anyhow::anyhow!("--receives: {e}"))?.names();
                let (key, secret) = keys.create_receiving(&name, &scope, &receives).await?;
                let detail = format!("key {} ({name}) with {}, receives {receives}", key.id, scope.join(","));
                AuditLog::new(db)
                    .append(&Entry {
                        actor: "cli",
                        action: "api-key.create",
                        claim_id: None,
                        detail: &detail,
                    })
                    .await?;
                println!("{secret}");
                eprintln!(
                    "API key {} for {name}, scopes {}, receives {receives}: shown once, store it now.",
                    key.id,
                    scope.join(", ")
                );
            }
            ApiKeyCommand::List => {
                for k in keys.list().await? {
                    let state = k.revoked_at.map_or("active".to_owned(), |t| {
                        format!("revoked {}", format_utc(t))
                    });
                    let receives = k.receives.clone().unwrap_or_else(|| Receives::api_default().names());
                    println!(
                        "{}  {:<20} {:<28} receives {:<34} created {}  {state}",
                        k.id,
                        k.name,
                        k.scopes.join(","),
                        receives,
                        format_utc(k.created_at)
                    );
                }
            }
            ApiKeyCommand::Revoke { id } => {
                if !keys.revoke(&id).await? {
                    bail!("no active key {id}");
                }
                AuditLog::new(db)
                    .append(&Entry {
                        actor: "cli",
                        action: "api-key.revoke",
                        claim_id: None,
                        detail: &id,
                    })
                    .await?;
                println!("revoked {id}");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Runs `proofdesk audit`; exit code 1 when the trail is broken.
pub fn audit(args: AuditArgs, store: &Store) -> Result<ExitCode> {
    let rt = store.runtime()?;
    rt.block_on(async {
        let Some(db) = store.open(false).await? else {
            println!("no database yet at {}: no audit trail", store.describe());
            return Ok(ExitCode::SUCCESS);
        };
        if let AuditCommand::Show { claim } = &args.command {
            for e in AuditLog::new(db).entries(claim.as_deref()).await? {
                let claim = e.claim_id.as_deref().unwrap_or("-");
                println!(
                    "{:>6}  {}  {:<28} {:<16} {claim}  {}",
                    e.seq,
                    format_utc(e.at),
                    e.actor,
                    e.action,
                    e.detail
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        let v = AuditLog::new(db).verify().await?;
        match v.broken {
            None => {
                let pruned = v.pruned_through.map_or(String::new(), |n| format!(" (entries 1 to {n} were pruned by retention)"));
                println!("audit trail intact: {} entries{pruned}; head {}", v.entries, v.head);
                Ok(ExitCode::SUCCESS)
            }
            Some((seq, what)) => {
                println!(
                    "audit trail BROKEN at entry {seq}: {what} ({} entries before it are intact)",
                    v.entries
                );
                Ok(ExitCode::from(1))
            }
        }
    })
}
