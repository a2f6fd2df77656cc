//! The evidence store in an S3-compatible bucket: the server `.ci/run` starts
//! (`moto_server`), named by `PROOFDESK_TEST_S3_ENDPOINT` (skipped with a message
//! when unset).

use proofdesk_storage::evidence::{EvidenceError, EvidenceStore, Keyring};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blobs_round_trip_encrypted_through_an_s3_compatible_server() {
    let Ok(endpoint) = std::env::var("PROOFDESK_TEST_S3_ENDPOINT") else {
        eprintln!(
            "skipped: set PROOFDESK_TEST_S3_ENDPOINT (e.g. a moto_server) to test the S3 store"
        );
        return;
    };
    let bucket =
        std::env::var("PROOFDESK_TEST_S3_BUCKET").unwrap_or_else(|_| "proofdesk-test".into());
    std::env::set_var("AWS_ENDPOINT_URL", &endpoint);
    for (k, v) in [
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
    ] {
        if std::env::var(k).is_err() {
            std::env::set_var(k, v);
        }
    }
    let keys = Keyring::parse(&format!("k1={}", "11".repeat(32))).unwrap();
    let prefix = format!("run-{}", std::process::id());
    let store = EvidenceStore::s3(&format!("s3://{bucket}/{prefix}"), keys).unwrap();
    let photo = b"\xff\xd8\xff\xe0 customer photo of a cracked screen".repeat(1000);
    let s = store.put(&photo).await.expect("put");
    assert_eq!(
        store.put(&photo).await.unwrap(),
        s,
        "the same content is stored once"
    );
    assert_eq!(store.get(&s.sha256, &s.key_id).await.unwrap(), photo);
    assert!(matches!(
        store.get(&"0".repeat(64), "k1").await,
        Err(EvidenceError::Missing(_))
    ));

    // What the bucket holds is ciphertext.
    let raw = raw_object(
        &endpoint,
        &bucket,
        &format!("{prefix}/{}/{}", &s.sha256[..2], s.sha256),
    )
    .await;
    assert!(raw.starts_with(b"PDE1"), "encrypted blob in the bucket");
    assert!(
        !raw.windows(20).any(|w| w == &photo[4..24]),
        "no plaintext in the bucket"
    );

    let wrong = EvidenceStore::s3(
        &format!("s3://{bucket}/{prefix}"),
        Keyring::parse(&format!("k2={}", "22".repeat(32))).unwrap(),
    )
    .unwrap();
    assert!(matches!(
        wrong.get(&s.sha256, &s.key_id).await,
        Err(EvidenceError::Damaged(..))
    ));

    // Per-customer keys: the customer's blob lives apart, under its key's id, and is
    // gone for good once the key is destroyed.
    let dir = tempfile::tempdir().unwrap();
    let db = proofdesk_storage::Database::connect(&format!("sqlite://{}?mode=rwc", dir.path().join("p.sqlite").display())).await.unwrap();
    let keys = Keyring::parse(&format!("k1={}", "11".repeat(32))).unwrap();
    let per_customer = EvidenceStore::s3(&format!("s3://{bucket}/{prefix}"), keys).unwrap().with_customer_keys(db, true);
    let c = per_customer.put_for(&photo, "cust-s3").await.unwrap();
    assert!(c.key_id.starts_with("c-") && c.sha256 == s.sha256, "{c:?}");
    let raw = raw_object(&endpoint, &bucket, &format!("{prefix}/{}/{}/{}", c.key_id, &c.sha256[..2], c.sha256)).await;
    assert!(raw.starts_with(b"PDE1") && !raw.windows(20).any(|w| w == &photo[4..24]));
    assert_eq!(per_customer.get(&c.sha256, &c.key_id).await.unwrap(), photo);
    per_customer.customer_keys().unwrap().destroy("cust-s3").await.unwrap();
    assert!(matches!(per_customer.get(&c.sha256, &c.key_id).await, Err(EvidenceError::Shredded(..))));
    assert_eq!(per_customer.get(&s.sha256, &s.key_id).await.unwrap(), photo, "the shared copy is another blob");
    // Deleting (retention, erasure) removes the object from the bucket.
    assert!(per_customer.delete(&c.sha256, &c.key_id).await.unwrap());
    assert!(store.delete(&s.sha256, &s.key_id).await.unwrap());
    assert!(!store.delete(&s.sha256, &s.key_id).await.unwrap(), "already gone");
    assert!(matches!(store.get(&s.sha256, &s.key_id).await, Err(EvidenceError::Missing(_))));

    assert!(EvidenceStore::s3(
        "s3://",
        Keyring::parse(&format!("k1={}", "11".repeat(32))).unwrap()
    )
    .is_err());
}

/// The object's bytes as the bucket holds them, read with the S3 client directly.
async fn raw_object(endpoint: &str, bucket: &str, key: &str) -> Vec<u8> {
    use object_store::ObjectStore;
    let store = object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .with_endpoint(endpoint)
        .with_allow_http(true)
        .with_region("us-east-1")
        .build()
        .unwrap();
    store
        .get(&object_store::path::Path::from(key))
        .await
        .expect("the object is there")
        .bytes()
        .await
        .unwrap()
        .to_vec()
}
