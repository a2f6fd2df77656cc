//! `proofdesk keys rotate|reencrypt`: evidence key rotation. `rotate` adds a new key
//! to the key file, which then encrypts new evidence (servers pick it up when they
//! restart); `reencrypt` seals every blob that an older key sealed again under the
//! newest one, while the service keeps running, so an old key no longer opens any
//! evidence. Old keys stay in the file: the oldest also keys pseudonyms.

use crate::serve::EvidenceArgs;
use crate::Store;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use proofdesk_storage::audit::{AuditLog, Entry};
use proofdesk_storage::claims::Claims;
use proofdesk_storage::evidence::Keyring;
use std::process::ExitCode;

/// `proofdesk keys`.
#[derive(Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,
    #[command(flatten)]
    evidence: EvidenceArgs,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add a new evidence key; it encrypts new evidence from the next start on.
    Rotate,
    /// Encrypt every blob an older key sealed again under the newest key (restart the
    /// servers after `rotate` first, so they know the new key).
    Reencrypt,
}

/// Runs `proofdesk keys`.
pub fn run(args: KeysArgs, store: &Store) -> Result<ExitCode> {
    let rt = store.runtime()?;
    rt.block_on(async {
        let db = store.open(true).await?.context("no database")?;
        let audit = AuditLog::new(db.clone());
        match args.command {
            KeysCommand::Rotate => {
                let Some(path) = crate::serve::key_file(store, &args.evidence) else {
                    bail!("the keys come from PROOFDESK_EVIDENCE_KEYS: add the new key there (id=64 hex digits, last)");
                };
                if !path.exists() {
                    Keyring::open_or_create(&path)?;
                }
                let id = Keyring::add_to_file(&path)?;
                audit.append(&Entry { actor: "cli", action: "keys.rotate", claim_id: None, detail: &format!("new evidence key {id}") }).await?;
                println!("added key {id} to {}: it encrypts new evidence once the servers restart; run `proofdesk keys reencrypt` to move older evidence to it", path.display());
            }
            KeysCommand::Reencrypt => {
                let evidence = crate::serve::evidence_store(store, &args.evidence)?;
                let claims = Claims::new(db.clone());
                let (mut moved, mut kept) = (0usize, 0usize);
                for (sha, _) in claims.blob_keys().await? {
                    match evidence.reseal(&sha).await? {
                        Some(key) => {
                            claims.set_key_id(&sha, &key).await?;
                            moved += 1;
                        }
                        None => kept += 1,
                    }
                }
                let detail = format!("{moved} blobs encrypted again, {kept} already current or gone");
                audit.append(&Entry { actor: "cli", action: "keys.reencrypt", claim_id: None, detail: &detail }).await?;
                println!("{detail}");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
