//! The evidence store: every file a customer sent, content-addressed by the SHA-256 of
//! its bytes and encrypted at rest with AES-256-GCM.
//!
//! A blob is `PDE1`, the key id's length and bytes, a 96-bit random nonce, then the
//! ciphertext with its tag; the address is bound in as associated data, so a blob
//! copied to another address does not decrypt. Keys live in a [`Keyring`]: new blobs
//! use the newest key and every key stays readable, so keys can rotate.
//!
//! An organisation may choose per-customer keys ([`customer_keys`]): a customer's blobs
//! are then sealed with their own key and kept apart (`c-ID/ab/abcdef…`), so that
//! destroying the key makes them unreadable wherever copies of them are.

pub mod customer_keys;
mod keyring;

pub use customer_keys::{CustomerKey, CustomerKeys};
pub use keyring::Keyring;

use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// First bytes of every blob.
const MAGIC: &[u8; 4] = b"PDE1";

/// What went wrong in the evidence store.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// A key file or variable could not be read or is malformed.
    #[error("evidence key: {0}")]
    Key(String),
    /// The store could not be read or written.
    #[error("evidence store {0}: {1}")]
    Io(PathBuf, std::io::Error),
    /// No blob at this address.
    #[error("no evidence with SHA-256 {0}")]
    Missing(String),
    /// The object store failed or is misconfigured.
    #[error("evidence store: {0}")]
    Object(String),
    /// A blob does not decrypt, names an unknown key, or does not match its address.
    #[error("evidence {0} is damaged or was encrypted with a key this server lacks: {1}")]
    Damaged(String, String),
    /// The blob was sealed with a customer key that has been destroyed.
    #[error("evidence {0} was encrypted with customer key {1}, which was destroyed: it cannot be read")]
    Shredded(String, String),
}

/// Key ids of per-customer keys start with this.
pub const CUSTOMER_KEY_PREFIX: &str = "c-";

/// Whether a key id names a per-customer key.
pub fn is_customer_key(key_id: &str) -> bool {
    key_id.starts_with(CUSTOMER_KEY_PREFIX)
}

/// A blob as evidence rows name it: its address and the key it is sealed with.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BlobRef {
    /// SHA-256 of the plaintext.
    pub sha256: String,
    /// The key id recorded with it.
    pub key_id: String,
}

/// An SQL condition on `e.key_id` for evidence rows whose blob lives where `key_id`'s
/// does (under the same customer key, or in the shared area); when it is true, the
/// condition uses parameter `$n`, to be bound to `key_id`.
pub(crate) fn same_place_sql(key_id: &str, n: usize) -> (String, bool) {
    if is_customer_key(key_id) {
        (format!("e.key_id = ${n}"), true)
    } else {
        (format!("e.key_id NOT LIKE '{CUSTOMER_KEY_PREFIX}%'"), false)
    }
}

/// The per-customer key a blob lives under (`None`: the shared area).
fn owner(key_id: &str) -> Option<&str> {
    is_customer_key(key_id).then_some(key_id)
}

/// A stored file's address and the key it is encrypted with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// SHA-256 of the plaintext, lowercase hex.
    pub sha256: String,
    /// Id of the key.
    pub key_id: String,
    /// Plaintext size in bytes.
    pub size: usize,
}

/// Where blobs live.
#[derive(Clone)]
enum Blobs {
    /// A local directory (`ab/abcdef…` below it).
    Local(PathBuf),
    /// An S3-compatible bucket, under a key prefix.
    Object {
        store: Arc<dyn ObjectStore>,
        prefix: String,
        url: String,
    },
}

/// Encrypted, content-addressed files in a local directory or an S3-compatible bucket.
#[derive(Clone)]
pub struct EvidenceStore {
    blobs: Blobs,
    keys: Keyring,
    /// Per-customer keys, when the store has a database to keep them in.
    customers: Option<CustomerKeys>,
    /// Whether new evidence is sealed with its customer's own key.
    per_customer: bool,
}

impl EvidenceStore {
    /// A store under `root` (created when missing).
    pub fn local(root: &Path, keys: Keyring) -> Result<EvidenceStore, EvidenceError> {
        std::fs::create_dir_all(root).map_err(|e| EvidenceError::Io(root.to_owned(), e))?;
        Ok(EvidenceStore {
            blobs: Blobs::Local(root.to_owned()),
            keys,
            customers: None,
            per_customer: false,
        })
    }

    /// A store in an S3-compatible bucket: `s3://BUCKET[/PREFIX]`. Credentials and
    /// region come from the usual `AWS_*` variables; `AWS_ENDPOINT_URL` points at
    /// another S3-compatible server (MinIO, Ceph, moto), plain http allowed.
    pub fn s3(url: &str, keys: Keyring) -> Result<EvidenceStore, EvidenceError> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| EvidenceError::Object(format!("{url} is not an s3:// URL")))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(EvidenceError::Object(format!("{url} names no bucket")));
        }
        let mut b = AmazonS3Builder::from_env().with_bucket_name(bucket);
        if let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL") {
            b = b
                .with_allow_http(endpoint.starts_with("http://"))
                .with_endpoint(endpoint);
        }
        if std::env::var("AWS_REGION").is_err() && std::env::var("AWS_DEFAULT_REGION").is_err() {
            b = b.with_region("us-east-1");
        }
        let store = b
            .build()
            .map_err(|e| EvidenceError::Object(format!("{url}: {e}")))?;
        let prefix = prefix.trim_matches('/').to_owned();
        Ok(EvidenceStore {
            blobs: Blobs::Object {
                store: Arc::new(store),
                prefix,
                url: url.to_owned(),
            },
            keys,
            customers: None,
            per_customer: false,
        })
    }

    /// The store reading per-customer keys from `db` (blobs sealed with them open), and
    /// sealing new evidence with them when `for_new_evidence`.
    pub fn with_customer_keys(mut self, db: crate::Database, for_new_evidence: bool) -> EvidenceStore {
        self.customers = Some(CustomerKeys::new(db, self.keys.clone()));
        self.per_customer = for_new_evidence;
        self
    }

    /// The keyring (a handle: [`Keyring::reload`] on it reaches this store).
    pub fn keyring(&self) -> &Keyring {
        &self.keys
    }

    /// The per-customer keys, when the store has a database.
    pub fn customer_keys(&self) -> Option<&CustomerKeys> {
        self.customers.as_ref()
    }

    /// A keyed pseudonym of `value` ([`Keyring::pseudonym`]).
    pub fn pseudonym(&self, purpose: &str, value: &str) -> String {
        self.keys.pseudonym(purpose, value)
    }

    /// Where the store is, for messages.
    pub fn describe(&self) -> String {
        match &self.blobs {
            Blobs::Local(root) => root.display().to_string(),
            Blobs::Object { url, .. } => url.clone(),
        }
    }

    fn path(root: &Path, sha256: &str, owner: Option<&str>) -> PathBuf {
        let root = owner.map_or_else(|| root.to_owned(), |o| root.join(o));
        root.join(&sha256[..2.min(sha256.len())]).join(sha256)
    }

    fn key(prefix: &str, sha256: &str, owner: Option<&str>) -> ObjectPath {
        let mut name = format!("{}/{sha256}", &sha256[..2.min(sha256.len())]);
        if let Some(o) = owner {
            name = format!("{o}/{name}");
        }
        if prefix.is_empty() {
            ObjectPath::from(name)
        } else {
            ObjectPath::from(format!("{prefix}/{name}"))
        }
    }

    /// Stores `bytes` durably (locally: written, synced, then renamed into place; in a
    /// bucket: one atomic put) under the shared keys; storing the same content again
    /// keeps the blob there.
    pub async fn put(&self, bytes: &[u8]) -> Result<Stored, EvidenceError> {
        self.put_sealed(bytes, None).await
    }

    /// Stores a customer's file: under their own key when the store seals new evidence
    /// per customer, otherwise as [`EvidenceStore::put`].
    pub async fn put_for(&self, bytes: &[u8], customer_id: &str) -> Result<Stored, EvidenceError> {
        match (&self.customers, self.per_customer) {
            (Some(keys), true) => {
                let key = keys.for_customer(customer_id).await?;
                self.put_sealed(bytes, Some(&key)).await
            }
            _ => self.put_sealed(bytes, None).await,
        }
    }

    async fn put_sealed(&self, bytes: &[u8], key: Option<&CustomerKey>) -> Result<Stored, EvidenceError> {
        let sha256 = to_hex(&Sha256::digest(bytes));
        let owner = key.map(|k| k.id.as_str());
        let stored = Stored {
            sha256: sha256.clone(),
            key_id: owner.map_or_else(|| self.keys.current_id(), str::to_owned),
            size: bytes.len(),
        };
        if let Some(existing) = self.read(&sha256, owner).await? {
            if let Some(id) = key_id_of(&existing) {
                return Ok(Stored {
                    key_id: id,
                    ..stored
                });
            }
        }
        let blob = self.seal(&sha256, bytes, key)?;
        self.write(&sha256, owner, blob).await?;
        Ok(stored)
    }

    /// Writes a sealed blob in place (atomically: a local file is renamed into place).
    async fn write(&self, sha256: &str, owner: Option<&str>, blob: Vec<u8>) -> Result<(), EvidenceError> {
        match &self.blobs {
            Blobs::Local(root) => {
                let path = EvidenceStore::path(root, sha256, owner);
                let (root, sha256) = (root.clone(), sha256.to_owned());
                tokio::task::spawn_blocking(move || write_local(&root, &path, &sha256, &blob))
                    .await
                    .map_err(|e| EvidenceError::Object(format!("the writer stopped: {e}")))??;
            }
            Blobs::Object { store, prefix, url } => {
                store
                    .put(&EvidenceStore::key(prefix, sha256, owner), PutPayload::from(blob))
                    .await
                    .map_err(|e| EvidenceError::Object(format!("{url}: {e}")))?;
            }
        }
        Ok(())
    }

    /// Encrypts a shared blob again under the current key when another key sealed it;
    /// the new key id when it did (`None`: already current, no such blob, or a blob
    /// under a customer key, whose rotation is [`CustomerKeys::rewrap`]).
    pub async fn reseal(&self, sha256: &str, key_id: &str) -> Result<Option<String>, EvidenceError> {
        if is_customer_key(key_id) {
            return Ok(None);
        }
        let Some(raw) = self.read(sha256, None).await? else { return Ok(None) };
        let current = self.keys.current_id();
        if key_id_of(&raw).as_deref() == Some(current.as_str()) {
            return Ok(None);
        }
        let plain = self.open(sha256, &raw, None)?;
        let blob = self.seal(sha256, &plain, None)?;
        self.write(sha256, None, blob).await?;
        Ok(Some(current))
    }

    /// Removes the blob at an address (sealed with `key_id`); whether there was one.
    pub async fn delete(&self, sha256: &str, key_id: &str) -> Result<bool, EvidenceError> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(false);
        }
        let owner = owner(key_id);
        match &self.blobs {
            Blobs::Local(root) => {
                let path = EvidenceStore::path(root, sha256, owner);
                match std::fs::remove_file(&path) {
                    Ok(()) => Ok(true),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
                    Err(e) => Err(EvidenceError::Io(path, e)),
                }
            }
            Blobs::Object { store, prefix, url } => {
                let key = EvidenceStore::key(prefix, sha256, owner);
                let existed = store.head(&key).await.is_ok();
                match store.delete(&key).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(existed),
                    Err(e) => Err(EvidenceError::Object(format!("{url}: {e}"))),
                }
            }
        }
    }

    /// The raw blob at an address, `None` when there is none.
    async fn read(&self, sha256: &str, owner: Option<&str>) -> Result<Option<Vec<u8>>, EvidenceError> {
        match &self.blobs {
            Blobs::Local(root) => {
                let path = EvidenceStore::path(root, sha256, owner);
                match tokio::task::spawn_blocking(move || {
                    std::fs::read(&path).map_err(|e| (path, e))
                })
                .await
                {
                    Ok(Ok(b)) => Ok(Some(b)),
                    Ok(Err((_, e))) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Ok(Err((path, e))) => Err(EvidenceError::Io(path, e)),
                    Err(e) => Err(EvidenceError::Object(format!("the reader stopped: {e}"))),
                }
            }
            Blobs::Object { store, prefix, url } => {
                match store.get(&EvidenceStore::key(prefix, sha256, owner)).await {
                    Ok(r) => Ok(Some(
                        r.bytes()
                            .await
                            .map_err(|e| EvidenceError::Object(format!("{url}: {e}")))?
                            .to_vec(),
                    )),
                    Err(object_store::Error::NotFound { .. }) => Ok(None),
                    Err(e) => Err(EvidenceError::Object(format!("{url}: {e}"))),
                }
            }
        }
    }

    /// The plaintext at an address (sealed with `key_id`, as its evidence row records),
    /// checked against it.
    pub async fn get(&self, sha256: &str, key_id: &str) -> Result<Vec<u8>, EvidenceError> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(EvidenceError::Missing(sha256.to_owned()));
        }
        let owner = owner(key_id);
        let customer_key = match owner {
            None => None,
            Some(id) => {
                let keys = self.customers.as_ref().ok_or_else(|| {
                    EvidenceError::Damaged(sha256.to_owned(), format!("it is sealed with customer key {id} and this store has no database"))
                })?;
                Some(keys.get(id).await?.ok_or_else(|| EvidenceError::Shredded(sha256.to_owned(), id.to_owned()))?)
            }
        };
        let blob = self
            .read(sha256, owner)
            .await?
            .ok_or_else(|| EvidenceError::Missing(sha256.to_owned()))?;
        let plain = self.open(sha256, &blob, customer_key.as_ref())?;
        if to_hex(&Sha256::digest(&plain)) != sha256 {
            return Err(EvidenceError::Damaged(
                sha256.to_owned(),
                "content does not match its address".into(),
            ));
        }
        Ok(plain)
    }

    fn seal(&self, sha256: &str, plain: &[u8], customer: Option<&CustomerKey>) -> Result<Vec<u8>, EvidenceError> {
        let (id, key) = match customer {
            Some(k) => (k.id.clone(), k.key),
            None => {
                let id = self.keys.current_id();
                let key = self.keys.get(&id).ok_or_else(|| EvidenceError::Key("no current key".into()))?;
                (id, key)
            }
        };
        let sealed = keyring::seal(&key, sha256.as_bytes(), plain)
            .ok_or_else(|| EvidenceError::Damaged(sha256.to_owned(), "encryption failed".into()))?;
        let mut out = Vec::with_capacity(4 + 1 + id.len() + sealed.len());
        out.extend_from_slice(MAGIC);
        out.push(id.len() as u8);
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    fn open(&self, sha256: &str, blob: &[u8], customer: Option<&CustomerKey>) -> Result<Vec<u8>, EvidenceError> {
        let damaged = |why: &str| EvidenceError::Damaged(sha256.to_owned(), why.to_owned());
        let id = key_id_of(blob).ok_or_else(|| damaged("not a proofdesk evidence blob"))?;
        let key = match customer {
            Some(k) if k.id == id => k.key,
            Some(k) => return Err(damaged(&format!("it names key {id}, not customer key {}", k.id))),
            None => self
                .keys
                .get(&id)
                .ok_or_else(|| damaged(&format!("key {id} is not in this server's key file")))?,
        };
        keyring::open(&key, sha256.as_bytes(), &blob[5 + id.len()..]).ok_or_else(|| damaged("authentication failed"))
    }
}

/// Writes a blob into place: a file of its own, synced, renamed, directory synced.
fn write_local(root: &Path, path: &Path, sha256: &str, blob: &[u8]) -> Result<(), EvidenceError> {
    let dir = path.parent().unwrap_or(root).to_owned();
    std::fs::create_dir_all(&dir).map_err(|e| EvidenceError::Io(dir.clone(), e))?;
    // A name of its own: concurrent requests may store the same content at once.
    let tmp = dir.join(format!(".{sha256}.{}.tmp", random_hex(8)));
    write_private(&tmp, blob).map_err(|e| EvidenceError::Io(tmp.clone(), e))?;
    std::fs::rename(&tmp, path).map_err(|e| EvidenceError::Io(path.to_owned(), e))?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The key id in a blob's header.
fn key_id_of(blob: &[u8]) -> Option<String> {
    if blob.len() < 5 || &blob[..4] != MAGIC {
        return None;
    }
    let n = blob[4] as usize;
    std::str::from_utf8(blob.get(5..5 + n)?)
        .ok()
        .map(str::to_owned)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// `bytes` random bytes from the operating system, as lowercase hex (for ids).
pub fn random_hex(bytes: usize) -> String {
    to_hex(&random_bytes(bytes))
}

/// `n` random bytes from the operating system.
pub fn random_bytes(n: usize) -> Vec<u8> {
    use aes_gcm::aead::{rand_core::RngCore, OsRng};
    let mut b = vec![0u8; n];
    OsRng.fill_bytes(&mut b);
    b
}

/// Whether two secrets are equal, taking the same time wherever they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Lowercase hex.
pub fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A 32-byte key from 64 hex digits.
fn from_hex(s: &str) -> Option<[u8; 32]> {
    hex_bytes(s)?.try_into().ok()
}

/// Bytes from hex digits (an even number of them).
fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len() / 2).map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn blobs_are_encrypted_bound_to_their_address_and_readable_after_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let (keys, created) = Keyring::open_or_create(&dir.path().join("keys")).unwrap();
        assert!(created);
        let store = EvidenceStore::local(&dir.path().join("ev"), keys.clone()).unwrap();
        let secret = b"JFIF customer photo of a dented bumper".repeat(10);
        let s = store.put(&secret).await.unwrap();
        assert_eq!(s.key_id, "k1");
        let raw = std::fs::read(EvidenceStore::path(&dir.path().join("ev"), &s.sha256, None)).unwrap();
        assert!(
            !raw.windows(10).any(|w| w == b"customer p"),
            "plaintext is not on disk"
        );
        assert_eq!(store.get(&s.sha256, &s.key_id).await.unwrap(), secret);

        // A new key encrypts new blobs; the old ones still read.
        let text = std::fs::read_to_string(dir.path().join("keys")).unwrap()
            + &format!("k2={}\n", "ab".repeat(32));
        let rotated =
            EvidenceStore::local(&dir.path().join("ev"), Keyring::parse(&text).unwrap()).unwrap();
        assert_eq!(rotated.get(&s.sha256, &s.key_id).await.unwrap(), secret);
        assert_eq!(rotated.put(b"another file").await.unwrap().key_id, "k2");

        // Without the key, or moved to another address, or changed: a clear error.
        let other = EvidenceStore::local(
            &dir.path().join("ev"),
            Keyring::parse(&format!("k9={}", "cd".repeat(32))).unwrap(),
        )
        .unwrap();
        assert!(
            matches!(other.get(&s.sha256, &s.key_id).await, Err(EvidenceError::Damaged(_, why)) if why.contains("k1"))
        );
        let mut tampered = raw.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        std::fs::write(
            EvidenceStore::path(&dir.path().join("ev"), &s.sha256, None),
            &tampered,
        )
        .unwrap();
        assert!(matches!(
            store.get(&s.sha256, &s.key_id).await,
            Err(EvidenceError::Damaged(..))
        ));
        assert!(matches!(
            store.get(&"0".repeat(64), "k1").await,
            Err(EvidenceError::Missing(_))
        ));
        assert!(Keyring::parse("k1=zz").is_err());
    }
}
