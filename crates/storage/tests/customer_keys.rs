//! Per-customer evidence keys on SQLite and PostgreSQL: each customer's evidence is
//! sealed with their own key and stored apart; destroying the key makes every copy of
//! it unreadable while other customers' evidence stays readable; rotating the keyring
//! rewraps the keys without touching the blobs.

mod common;

use proofdesk_storage::evidence::{EvidenceError, EvidenceStore, Keyring};
use proofdesk_storage::Database;

async fn scenario(url: &str) {
    let db = Database::connect(url).await.expect("open database");
    let dir = tempfile::tempdir().unwrap();
    let k1 = format!("k1={}\n", "11".repeat(32));
    let store = EvidenceStore::local(dir.path(), Keyring::parse(&k1).unwrap()).unwrap().with_customer_keys(db.clone(), true);
    let photo = b"JFIF a customer's photo of a broken wheelchair".repeat(20);

    let a = store.put_for(&photo, "cust-a").await.unwrap();
    let b = store.put_for(&photo, "cust-b").await.unwrap();
    assert!(a.key_id.starts_with("c-") && b.key_id.starts_with("c-") && a.key_id != b.key_id, "{a:?} {b:?}");
    assert_eq!(store.put_for(b"another photo", "cust-a").await.unwrap().key_id, a.key_id, "one key per customer");
    assert_eq!(a.sha256, b.sha256, "same content, same address");
    let on_disk = dir.path().join(&a.key_id).join(&a.sha256[..2]).join(&a.sha256);
    let raw = std::fs::read(&on_disk).expect("the blob lives under the customer's key");
    assert!(!raw.windows(10).any(|w| w == b"wheelchair"), "encrypted at rest");
    assert_eq!(store.get(&a.sha256, &a.key_id).await.unwrap(), photo);

    // Rotation: a new keyring key rewraps the customer keys; the blobs stay as they are.
    let rotated_ring = Keyring::parse(&format!("{k1}k2={}\n", "22".repeat(32))).unwrap();
    let rotated = EvidenceStore::local(dir.path(), rotated_ring).unwrap().with_customer_keys(db.clone(), true);
    assert_eq!(rotated.customer_keys().unwrap().rewrap().await.unwrap(), 2);
    assert_eq!(rotated.customer_keys().unwrap().rewrap().await.unwrap(), 0, "already current");
    assert_eq!(std::fs::read(&on_disk).unwrap(), raw, "blobs untouched");
    assert_eq!(rotated.get(&b.sha256, &b.key_id).await.unwrap(), photo);

    // Destroying A's key: A's blob, and any copy of it (a backup), no longer opens; B's does.
    let backup = raw.clone();
    assert_eq!(rotated.customer_keys().unwrap().destroy("cust-a").await.unwrap().as_deref(), Some(a.key_id.as_str()));
    assert!(matches!(rotated.get(&a.sha256, &a.key_id).await, Err(EvidenceError::Shredded(_, id)) if id == a.key_id));
    std::fs::write(&on_disk, &backup).unwrap();
    assert!(matches!(rotated.get(&a.sha256, &a.key_id).await, Err(EvidenceError::Shredded(..))), "a restored copy stays unreadable");
    assert_eq!(rotated.get(&b.sha256, &b.key_id).await.unwrap(), photo);
    assert_eq!(rotated.customer_keys().unwrap().destroy("cust-a").await.unwrap(), None, "already destroyed");
    // The customer id is not in the table, only a keyed pseudonym, cleared on destruction.
    let refs: Vec<Option<String>> = sqlx::query_scalar("SELECT customer_ref FROM customer_keys ORDER BY created_at").fetch_all(&db.pool).await.unwrap();
    assert!(refs.iter().flatten().all(|r| !r.contains("cust")), "{refs:?}");
    assert_eq!(refs.iter().filter(|r| r.is_none()).count(), 1);
    // A later claim from the same customer gets a fresh key.
    let again = rotated.put_for(b"a new photo", "cust-a").await.unwrap();
    assert!(again.key_id.starts_with("c-") && again.key_id != a.key_id);

    // Without per-customer keys for new evidence, files go to the shared area.
    let shared = EvidenceStore::local(dir.path(), Keyring::parse(&k1).unwrap()).unwrap().with_customer_keys(db, false);
    assert_eq!(shared.put_for(&photo, "cust-c").await.unwrap().key_id, "k1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_keys_on_sqlite() {
    common::on_sqlite(|url| async move { scenario(&url).await }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_keys_on_postgres() {
    common::on_postgres(|url| async move { scenario(&url).await }).await;
}
