//! Claims and the job queue against real databases: idempotent creation, leases that
//! a dead worker loses, fenced completion (no double screening, its audit entry in the
//! same transaction), backoff after errors.

use proofdesk_storage::claims::{Claims, Created, NewClaim, NewEvidence};
use proofdesk_storage::jobs::{Queue, Screened, ScreenedFile};
use proofdesk_storage::Database;
use std::time::Duration;

mod common;

fn claim<'a>(id: &'a str, key: Option<&'a str>, hash: &'a str) -> NewClaim<'a> {
    NewClaim {
        id,
        idempotency_key: key,
        request_sha256: hash,
        external_ref: "ZD-1",
        customer_id: "c-1",
        client: None,
        context_json: "{}",
        actor: "api-key:test",
    }
}

const EVIDENCE: [NewEvidence<'static>; 1] = [NewEvidence {
    filename: Some("a.jpg"),
    media_type: Some("image/jpeg"),
    sha256: "ab",
    size: 3,
    key_id: "k1",
}];

fn screened(band: &str) -> Screened<'_> {
    Screened {
        reports: vec![ScreenedFile {
            position: 0,
            report_json: "{\"verdict\":\"unknown\"}".into(),
            camera_serial: Some("SN-42".into()),
        }],
        score: 12.5,
        band,
        routing_json: "{}".into(),
        notify: false,
        audit_detail: format!("band {band}"),
    }
}

async fn scenario(url: &str) {
    let db = Database::connect(url).await.expect("open database");
    let claims = Claims::new(db.clone());
    assert_eq!(
        claims
            .create(&claim("c1", Some("key-1"), "h1"), &EVIDENCE)
            .await
            .unwrap(),
        Created::New("c1".into())
    );
    assert_eq!(
        claims
            .create(&claim("c2", Some("key-1"), "h1"), &EVIDENCE)
            .await
            .unwrap(),
        Created::Existing("c1".into())
    );
    assert_eq!(
        claims
            .create(&claim("c3", Some("key-1"), "h2"), &EVIDENCE)
            .await
            .unwrap(),
        Created::KeyConflict("c1".into())
    );
    assert!(
        claims.get("c2").await.unwrap().is_none(),
        "a retry creates nothing"
    );
    let audit = proofdesk_storage::audit::AuditLog::new(db.clone())
        .verify()
        .await
        .unwrap();
    assert_eq!(
        (audit.entries, audit.broken),
        (1, None),
        "the new claim's entry, written with it"
    );

    // Worker 1 takes the job and dies (never finishes). Worker 2 cannot take it while
    // the lease holds, then takes it over.
    let (w1, w2) = (
        Queue::new(db.clone(), "w1", 1000),
        Queue::new(db.clone(), "w2", 1000),
    );
    let job = w1.take().await.unwrap().expect("a job");
    assert_eq!((job.claim_id.as_str(), job.attempt), ("c1", 1));
    assert_eq!(claims.get("c1").await.unwrap().unwrap().status, "screening");
    assert_eq!(w2.take().await.unwrap(), None, "the lease holds");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let again = w2
        .take()
        .await
        .unwrap()
        .expect("taken over after the lease");
    assert_eq!((again.id, again.attempt), (job.id, 2));

    // The dead worker's late result is refused; the live one's is recorded, once.
    assert!(!w1.complete(&job, &screened("escalate")).await.unwrap());
    assert_eq!(claims.get("c1").await.unwrap().unwrap().status, "screening");
    assert!(w2.complete(&again, &screened("review")).await.unwrap());
    let c = claims.get("c1").await.unwrap().unwrap();
    assert_eq!(
        (c.status.as_str(), c.band.as_deref(), c.score),
        ("screened", Some("review"), Some(12.5))
    );
    assert!(claims.evidence("c1").await.unwrap()[0]
        .report_json
        .is_some());
    assert_eq!(
        claims.same_camera("SN-42", "c-2").await.unwrap(),
        ["c1"],
        "another customer's claim with this camera"
    );
    assert!(
        claims.same_camera("SN-42", "c-1").await.unwrap().is_empty(),
        "the customer's own claims do not count"
    );
    assert!(
        !w2.complete(&again, &screened("clear")).await.unwrap(),
        "done is done"
    );
    // The recorded screening is in the audit trail, written with it; the refused
    // results wrote nothing.
    let trail = proofdesk_storage::audit::AuditLog::new(db.clone()).entries(Some("c1")).await.unwrap();
    let screens: Vec<(&str, &str)> =
        trail.iter().filter(|e| e.action == "claim.screen").map(|e| (e.actor.as_str(), e.detail.as_str())).collect();
    assert_eq!(screens, [("worker:w2", "band review")]);
    assert_eq!(w1.take().await.unwrap(), None);

    // An error gives the job back with a backoff; it is not retried at once.
    claims
        .create(&claim("c4", None, "h4"), &EVIDENCE)
        .await
        .unwrap();
    let j = w1.take().await.unwrap().expect("a job");
    w1.fail(&j, "decoder crashed").await.unwrap();
    assert_eq!(w2.take().await.unwrap(), None, "backing off");
    let counts = w1.counts().await.unwrap();
    assert!(
        counts.contains(&("queued".into(), 1)) && counts.contains(&("done".into(), 1)),
        "{counts:?}"
    );

    let listed = claims
        .list(&proofdesk_storage::claims::ClaimFilter {
            status: Some("screened".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["c1"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_in_the_data_directory() {
    common::on_sqlite(|url| async move { scenario(&url).await }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_server() {
    common::on_postgres(|url| async move { scenario(&url).await }).await;
}

async fn audit_and_keys(url: &str) {
    use proofdesk_storage::api_keys::ApiKeys;
    use proofdesk_storage::audit::{AuditLog, Entry};
    let db = Database::connect(url).await.expect("open database");
    let keys = ApiKeys::new(db.clone());
    let (key, secret) = keys.create("crm", &["claims:read".into()]).await.unwrap();
    let found = keys.verify(&secret).await.unwrap().expect("the key works");
    assert!(found.allows("claims:read") && !found.allows("claims:write"));
    assert!(keys.verify("pdk_nope").await.unwrap().is_none());
    assert!(keys.revoke(&key.id).await.unwrap());
    assert!(keys.verify(&secret).await.unwrap().is_none(), "revoked");

    let log = AuditLog::new(db.clone());
    for k in 0..5 {
        let e = Entry {
            actor: "api-key:x",
            action: "claim.read",
            claim_id: Some("c1"),
            detail: &format!("read {k}"),
        };
        assert_eq!(log.append(&e).await.unwrap(), k + 1);
    }
    let ok = log.verify().await.unwrap();
    assert_eq!((ok.entries, ok.broken.clone()), (5, None));
    // Concurrent appends all land, in one unbroken chain.
    let handles: Vec<_> = (0..6)
        .map(|k| {
            let log = log.clone();
            tokio::spawn(async move {
                log.append(&Entry {
                    actor: "w",
                    action: "claim.screen",
                    claim_id: None,
                    detail: &k.to_string(),
                })
                .await
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap().unwrap();
    }
    assert_eq!(log.verify().await.unwrap().entries, 11);

    sqlx::query("UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 3")
        .execute(&db.pool)
        .await
        .unwrap();
    let v = log.verify().await.unwrap();
    assert_eq!(v.broken.as_ref().map(|b| b.0), Some(3), "{v:?}");
    assert!(v.broken.unwrap().1.contains("changed"));
    sqlx::query("DELETE FROM audit_log WHERE seq <= 4")
        .execute(&db.pool)
        .await
        .unwrap();
    let v = log.verify().await.unwrap();
    assert!(v.broken.unwrap().1.contains("entry 1 is missing"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_trail_and_api_keys_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    audit_and_keys(&format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("p.sqlite").display()
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_trail_and_api_keys_on_postgres() {
    let Some(schema) = common::TestSchema::create().await else {
        return;
    };
    audit_and_keys(&schema.url).await;
    schema.drop().await;
}
