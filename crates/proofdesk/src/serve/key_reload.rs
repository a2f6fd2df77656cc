//! Key rotation while running: the evidence key file is read again now and then; when
//! `proofdesk keys rotate` added a key, the store takes it at once (new evidence is
//! sealed with it, evidence sealed with it opens) and `serve` re-encrypts older
//! evidence in the background. A file that drops or changes a key is refused and the
//! keys in use stay.

use super::App;
use proofdesk_storage::audit::Entry;
use proofdesk_storage::evidence::Keyring;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Seconds between looks at the key file (`PROOFDESK_KEY_CHECK_SECONDS`, default 30).
fn interval() -> Duration {
    let seconds = std::env::var("PROOFDESK_KEY_CHECK_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(30u64);
    Duration::from_secs(seconds.clamp(1, 3600))
}

fn modified(path: &PathBuf) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Watches `path` for the life of the process; with `reencrypt`, moves older evidence
/// to a newly added key.
pub async fn watch(app: Arc<App>, db: proofdesk_storage::Database, path: PathBuf, reencrypt: bool) {
    let mut seen = modified(&path);
    loop {
        tokio::time::sleep(interval()).await;
        let now = modified(&path);
        if now == seen {
            continue;
        }
        seen = now;
        let newer = match Keyring::from_file(&path) {
            Ok(k) => k,
            Err(e) => {
                log!("proofdesk keys: {} could not be read again, the keys in use stay: {e}", path.display());
                continue;
            }
        };
        match app.store.keyring().reload(&newer) {
            Ok(false) => continue,
            Ok(true) => {}
            Err(e) => {
                log!("proofdesk keys: refused the changed key file {}, the keys in use stay: {e}", path.display());
                continue;
            }
        }
        let current = app.store.keyring().current_id();
        log!("proofdesk keys: evidence key {current} loaded; new evidence is sealed with it");
        let actor = format!("server:{}", std::process::id());
        let entry = Entry { actor: &actor, action: "keys.reload", claim_id: None, detail: &format!("evidence key {current} loaded") };
        if let Err(e) = app.audit.append(&entry).await {
            log!("proofdesk keys: could not record the reload: {e}");
        }
        if !reencrypt {
            continue;
        }
        match crate::keys::reencrypt(&db, &app.store).await {
            Ok(detail) => {
                log!("proofdesk keys: {detail}");
                let entry = Entry { actor: &actor, action: "keys.reencrypt", claim_id: None, detail: &detail };
                if let Err(e) = app.audit.append(&entry).await {
                    log!("proofdesk keys: could not record the re-encryption: {e}");
                }
            }
            Err(e) => log!("proofdesk keys: re-encryption stopped, run `proofdesk keys reencrypt`: {e:#}"),
        }
    }
}
