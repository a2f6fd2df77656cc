//! `proofdesk keys rotate|reencrypt`: evidence key rotation. `rotate` adds a new key
//! to the key file, which then encrypts new evidence: running servers and workers read
//! the file again within half a minute, and `serve` then re-encrypts older evidence in
//! the background. `reencrypt` does that re-encryption now, from the command line:
//! every blob an older key sealed is sealed again under the newest, and per-customer
//! keys are wrapped again, so an old key no longer opens any evidence. Old keys stay in
//! the file: the oldest also keys pseudonyms.

use crate::serve::EvidenceArgs;
use crate::Store;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use proofdesk_storage::audit::{AuditLog, Entry};
use proofdesk_storage::claims::Claims;
use proofdesk_storage::evidence::{EvidenceStore, Keyring};
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
    /// Add a new evidence key; running servers take it within half a minute.
    Rotate,
    /// Encrypt every blob an older key sealed again under the newest key, now (the
    /// servers do it in the background after a rotation).
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
                println!("added key {id} to {}: running servers take it within half a minute and re-encrypt older evidence in the background (or run `proofdesk keys reencrypt`)", path.display());
            }
            KeysCommand::Reencrypt => {
                let evidence = crate::serve::evidence_store(store, &args.evidence, &db)?;
                let detail = reencrypt(&db, &evidence).await?;
                audit.append(&Entry { actor: "cli", action: "keys.reencrypt", claim_id: None, detail: &detail }).await?;
                println!("{detail}");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Seals every shared blob an older key sealed again under the current key and wraps
/// the per-customer keys again; says what it did.
pub async fn reencrypt(db: &proofdesk_storage::Database, evidence: &EvidenceStore) -> Result<String> {
    let claims = Claims::new(db.clone());
    let (mut moved, mut kept) = (0usize, 0usize);
    for (sha, key_id) in claims.blob_keys().await? {
        match evidence.reseal(&sha, &key_id).await? {
            Some(key) => {
                claims.set_key_id(&sha, &key).await?;
                moved += 1;
            }
            None => kept += 1,
        }
    }
    let rewrapped = match evidence.customer_keys() {
        Some(keys) => keys.rewrap().await?,
        None => 0,
    };
    Ok(format!("{moved} blobs encrypted again, {kept} already current, gone or under a customer key; {rewrapped} customer keys wrapped again"))
}
