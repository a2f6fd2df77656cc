//! Evidence requests against real databases: the link's secret kept only as a hash,
//! the first opening and code display noted, one answer only (a second, an expired or
//! a withdrawn link take nothing), the files attached after the claim's others and the
//! claim queued for screening again, all in the audit trail.

use proofdesk_storage::audit::AuditLog;
use proofdesk_storage::claims::{Claims, NewClaim, NewEvidence};
use proofdesk_storage::requests::{token_hash, Answered, NewRequest, Requests};
use proofdesk_storage::Database;

mod common;

const FILE: NewEvidence<'static> = NewEvidence { filename: Some("new.jpg"), media_type: Some("image/jpeg"), sha256: "cd", size: 5, key_id: "k1" };

async fn scenario(url: &str) {
    let db = Database::connect(url).await.expect("open database");
    let claims = Claims::new(db.clone());
    let new = NewClaim {
        id: "clm_r",
        idempotency_key: None,
        request_sha256: "h",
        external_ref: "ZD-R",
        customer_id: "c-r",
        client: None,
        context_json: "{}",
        actor: "api-key:t",
    };
    let first = NewEvidence { filename: Some("a.jpg"), sha256: "ab", ..FILE };
    claims.create(&new, &[first]).await.unwrap();
    let requests = Requests::new(db.clone());
    let asks = ["new_photo".to_owned(), "original_file".to_owned()];
    let ask = NewRequest { claim_id: "clm_r", asks: &asks, lang: "nl", created_by: "user:u1", valid_ms: 72 * 3_600_000 };
    let (made, token) = requests.create(&ask).await.unwrap();
    assert!(token.len() >= 64, "a long random secret");
    let code = made.code.clone().expect("a new photo gets a code");
    assert_eq!(code.len(), 7);
    assert_eq!(made.state(made.created_at), "sent");
    let stored: String = sqlx::query_scalar("SELECT token_sha256 FROM evidence_requests").fetch_one(&db.pool).await.unwrap();
    assert_eq!(stored, token_hash(&token), "only the hash is kept");
    assert!(requests.by_token("made-up").await.unwrap().is_none());

    let found = requests.by_token(&token).await.unwrap().unwrap();
    requests.opened(&found, false, "opened").await.unwrap();
    requests.opened(&found, true, "code shown").await.unwrap();
    let seen = requests.get(&made.id).await.unwrap().unwrap();
    assert!(seen.opened_at.is_some() && seen.code_shown_at.is_some());
    assert_eq!(seen.state(seen.created_at), "opened");

    assert_eq!(requests.answer(&seen, &[FILE], "1 file").await.unwrap(), Answered::Attached(vec![1]));
    assert_eq!(requests.answer(&seen, &[FILE], "again").await.unwrap(), Answered::Closed, "one answer per link");
    let evidence = claims.evidence("clm_r").await.unwrap();
    assert_eq!(evidence.len(), 2);
    assert_eq!(evidence[1].request_id.as_deref(), Some(made.id.as_str()));
    assert!(evidence[1].received_at.is_some() && evidence[0].request_id.is_none());
    assert_eq!(claims.get("clm_r").await.unwrap().unwrap().status, "received", "screened again");
    let jobs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE claim_id = 'clm_r'").fetch_one(&db.pool).await.unwrap();
    assert_eq!(jobs, 2);
    assert_eq!(requests.of_claim("clm_r").await.unwrap()[0].state(0), "answered");

    // Withdrawn and expired links take nothing.
    let photo = ["new_photo".to_owned()];
    let (withdrawn, _) = requests.create(&NewRequest { asks: &photo, ..ask }).await.unwrap();
    assert!(requests.revoke(&withdrawn.id, "user:u1").await.unwrap());
    assert!(!requests.revoke(&withdrawn.id, "user:u1").await.unwrap());
    assert_eq!(requests.answer(&withdrawn, &[FILE], "late").await.unwrap(), Answered::Closed);
    let (expired, _) = requests.create(&NewRequest { valid_ms: -1, ..ask }).await.unwrap();
    assert_eq!(expired.state(expired.created_at), "expired");
    assert_eq!(requests.answer(&expired, &[FILE], "late").await.unwrap(), Answered::Closed);
    assert_eq!(claims.evidence("clm_r").await.unwrap().len(), 2, "nothing attached");
    // Once retention deleted the claim's evidence, an open link takes nothing more.
    let (late, _) = requests.create(&NewRequest { asks: &photo, ..ask }).await.unwrap();
    sqlx::query("UPDATE claims SET evidence_purged_at = 1 WHERE id = 'clm_r'").execute(&db.pool).await.unwrap();
    assert_eq!(requests.answer(&late, &[FILE], "after deletion").await.unwrap(), Answered::Closed);
    assert_eq!(claims.evidence("clm_r").await.unwrap().len(), 2);

    let audit = AuditLog::new(db.clone());
    let actions: Vec<String> = audit.entries(Some("clm_r")).await.unwrap().into_iter().map(|e| e.action).collect();
    for a in ["evidence-request.create", "evidence-request.open", "evidence-request.answer", "evidence-request.revoke"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    assert!(audit.verify().await.unwrap().broken.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_in_the_data_directory() {
    common::on_sqlite(|url| async move { scenario(&url).await }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_server() {
    common::on_postgres(|url| async move { scenario(&url).await }).await;
}
