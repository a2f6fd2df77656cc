//! Evidence encryption keys by id, read from a key file or the environment.

use super::{from_hex, to_hex, write_private, EvidenceError};
use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use std::path::Path;
use std::sync::{Arc, RwLock};

/// Keys by id, oldest first.
type Keys = Arc<Vec<(String, [u8; 32])>>;

/// Evidence encryption keys by id; the last one added encrypts new blobs. A keyring is
/// a handle: its clones share the keys, so [`Keyring::reload`] reaches every store and
/// customer-key table that holds one.
#[derive(Clone)]
pub struct Keyring {
    keys: Arc<RwLock<Keys>>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys = self.snapshot();
        let ids: Vec<&str> = keys.iter().map(|k| k.0.as_str()).collect();
        write!(f, "Keyring({ids:?})")
    }
}

impl Keyring {
    /// Reads `id=64 hex digits` lines (blank lines and `#` comments ignored); the last
    /// key encrypts, all decrypt.
    pub fn parse(text: &str) -> Result<Keyring, EvidenceError> {
        let mut keys = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (id, hex) = line
                .split_once('=')
                .ok_or_else(|| EvidenceError::Key(format!("line {}: expected id=HEX", n + 1)))?;
            let id = id.trim();
            if id.is_empty()
                || id.len() > 64
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(EvidenceError::Key(format!(
                    "line {}: a key id is 1–64 letters, digits, - or _",
                    n + 1
                )));
            }
            let key = from_hex(hex.trim()).ok_or_else(|| {
                EvidenceError::Key(format!(
                    "line {}: key {id} must be 64 hex digits (32 bytes)",
                    n + 1
                ))
            })?;
            if super::is_customer_key(id) {
                return Err(EvidenceError::Key(format!(
                    "line {}: key ids starting with c- are kept for per-customer keys",
                    n + 1
                )));
            }
            keys.push((id.to_owned(), key));
        }
        if keys.is_empty() {
            return Err(EvidenceError::Key("no key given".into()));
        }
        Ok(Keyring { keys: Arc::new(RwLock::new(Arc::new(keys))) })
    }

    /// Reads a key file ([`Keyring::parse`]).
    pub fn from_file(path: &Path) -> Result<Keyring, EvidenceError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| EvidenceError::Key(format!("{}: {e}", path.display())))?;
        Keyring::parse(&text).map_err(|e| EvidenceError::Key(format!("{}: {e}", path.display())))
    }

    /// The key file in `path`, created with one new random key (`k1`, owner-only
    /// permissions) when it does not exist yet; returns whether it was created.
    pub fn open_or_create(path: &Path) -> Result<(Keyring, bool), EvidenceError> {
        if path.exists() {
            return Ok((Keyring::from_file(path)?, false));
        }
        let key = new_key();
        let text = format!(
            "# proofdesk evidence keys: id=hex; the last line encrypts new evidence.\n# Keep a copy: evidence cannot be read without it.\nk1={}\n",
            to_hex(&key)
        );
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| EvidenceError::Io(dir.to_owned(), e))?;
        }
        write_private(path, text.as_bytes()).map_err(|e| EvidenceError::Io(path.to_owned(), e))?;
        Ok((Keyring::parse(&text)?, true))
    }

    /// A stable keyed pseudonym of `value` for one purpose (HMAC-SHA256 under the
    /// oldest key, which rotation keeps): equal values give equal pseudonyms, and
    /// without the key file a pseudonym cannot be traced back by trying values.
    pub fn pseudonym(&self, purpose: &str, value: &str) -> String {
        use hmac::{Hmac, Mac};
        let keys = self.snapshot();
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&keys[0].1).expect("HMAC takes any key length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        to_hex(&mac.finalize().into_bytes()[..8])
    }

    /// Appends a new random key to the key file at `path` (it then encrypts new
    /// evidence); returns its id.
    pub fn add_to_file(path: &Path) -> Result<String, EvidenceError> {
        let keys = Keyring::from_file(path)?.snapshot();
        let mut n = keys.len() + 1;
        while keys.iter().any(|k| k.0 == format!("k{n}")) {
            n += 1;
        }
        let id = format!("k{n}");
        let key = new_key();
        let mut text = std::fs::read_to_string(path).map_err(|e| EvidenceError::Io(path.to_owned(), e))?;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!("{id}={}\n", to_hex(&key)));
        write_private(path, text.as_bytes()).map_err(|e| EvidenceError::Io(path.to_owned(), e))?;
        Ok(id)
    }

    /// Id of the key new blobs are encrypted with.
    pub fn current_id(&self) -> String {
        let keys = self.snapshot();
        keys[keys.len() - 1].0.clone()
    }

    /// The ids, oldest first.
    pub fn ids(&self) -> Vec<String> {
        self.snapshot().iter().map(|k| k.0.clone()).collect()
    }

    /// Takes the keys of `newer` (a key file read again after `proofdesk keys rotate`)
    /// for this keyring and all its clones. Refused when `newer` lacks a key this one
    /// has or gives one a different value: evidence sealed with it would be lost.
    pub fn reload(&self, newer: &Keyring) -> Result<bool, EvidenceError> {
        let (old, new) = (self.snapshot(), newer.snapshot());
        for (id, key) in old.iter() {
            match new.iter().find(|k| &k.0 == id) {
                None => return Err(EvidenceError::Key(format!("the new key file lacks key {id}, which opens stored evidence"))),
                Some(k) if !super::constant_time_eq(&k.1, key) => {
                    return Err(EvidenceError::Key(format!("the new key file gives key {id} another value")))
                }
                Some(_) => {}
            }
        }
        if new.len() == old.len() {
            return Ok(false);
        }
        match self.keys.write() {
            Ok(mut keys) => *keys = new,
            Err(poisoned) => *poisoned.into_inner() = new,
        }
        Ok(true)
    }

    /// The key with this id.
    pub(crate) fn get(&self, id: &str) -> Option<[u8; 32]> {
        self.snapshot().iter().rev().find(|k| k.0 == id).map(|k| k.1)
    }

    fn snapshot(&self) -> Keys {
        match self.keys.read() {
            Ok(keys) => keys.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

/// AES-256-GCM of `plain` under `key`, bound to `aad`: the 96-bit nonce, then the
/// ciphertext with its tag.
pub(crate) fn seal(key: &[u8; 32], aad: &[u8], plain: &[u8]) -> Option<Vec<u8>> {
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let sealed = cipher.encrypt(&nonce, Payload { msg: plain, aad }).ok()?;
    let mut out = Vec::with_capacity(12 + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Some(out)
}

/// Opens what [`seal`] made; `None` when it is truncated, was changed or the key or
/// `aad` differ.
pub(crate) fn open(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < 12 + 16 {
        return None;
    }
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    cipher.decrypt(Nonce::from_slice(&sealed[..12]), Payload { msg: &sealed[12..], aad }).ok()
}

/// A fresh random 256-bit key.
pub(crate) fn new_key() -> [u8; 32] {
    Aes256Gcm::generate_key(OsRng).into()
}
