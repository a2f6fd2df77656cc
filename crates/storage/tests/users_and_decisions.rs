//! Accounts, sessions and decisions against real databases: argon2 passwords, a lock
//! after five wrong ones, sessions that end on sign-out and when an account is
//! disabled, and decisions recorded with the claim and the audit trail together.

use proofdesk_storage::audit::AuditLog;
use proofdesk_storage::claims::{ClaimFilter, Claims, NewClaim, NewEvidence};
use proofdesk_storage::decisions::{Decisions, NewDecision, Outcome};
use proofdesk_storage::users::{SignIn, Users, MAX_FAILED_SIGN_INS};
use proofdesk_storage::Database;

mod common;

const PASSWORD: &str = "correct horse battery";

async fn scenario(url: &str) {
    let db = Database::connect(url).await.expect("open database");
    let users = Users::new(db.clone());
    let ann = users
        .create("Ann", "Ann de Vries", "fraud_analyst", PASSWORD)
        .await
        .unwrap()
        .expect("a new name");
    assert_eq!(ann.name, "ann", "names are kept in lower case");
    assert!(
        users.create("ANN", "Another Ann", "agent", PASSWORD).await.unwrap().is_none(),
        "a name is taken once, whatever its case"
    );
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE name = 'ann'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2id$") && !stored.contains(PASSWORD));

    assert_eq!(users.sign_in("ann", PASSWORD).await.unwrap(), SignIn::Accepted(ann.clone()));
    assert_eq!(users.sign_in("nobody", PASSWORD).await.unwrap(), SignIn::Refused);
    for _ in 1..MAX_FAILED_SIGN_INS {
        assert_eq!(users.sign_in("ann", "wrong password!").await.unwrap(), SignIn::Refused);
    }
    assert!(matches!(users.sign_in("ann", "wrong password!").await.unwrap(), SignIn::Locked(_)));
    assert!(
        matches!(users.sign_in("ann", PASSWORD).await.unwrap(), SignIn::Locked(_)),
        "a locked account stays locked even with the right password"
    );
    assert!(users.set_password("ann", "a brand new passphrase").await.unwrap());
    assert!(matches!(
        users.sign_in("ann", "a brand new passphrase").await.unwrap(),
        SignIn::Accepted(_)
    ));

    let (token, csrf) = users.start_session(&ann.id).await.unwrap();
    let session = users.session(&token).await.unwrap().expect("a live session");
    assert_eq!((session.user.id.as_str(), session.csrf.as_str()), (ann.id.as_str(), csrf.as_str()));
    assert!(users.session("not-a-token").await.unwrap().is_none());
    users.end_session(&token).await.unwrap();
    assert!(users.session(&token).await.unwrap().is_none(), "signed out");
    let (token, _) = users.start_session(&ann.id).await.unwrap();
    assert!(users.disable("ann").await.unwrap());
    assert!(users.session(&token).await.unwrap().is_none(), "disabling ends sessions");
    assert_eq!(users.sign_in("ann", "a brand new passphrase").await.unwrap(), SignIn::Refused);

    // Decisions.
    let bob = users.create("bob", "Bob", "agent", PASSWORD).await.unwrap().unwrap();
    let claims = Claims::new(db.clone());
    let evidence = [NewEvidence {
        filename: Some("a.jpg"),
        media_type: None,
        sha256: "ab",
        size: 1,
        key_id: "k",
    }];
    let new = NewClaim {
        id: "clm_1",
        idempotency_key: None,
        request_sha256: "h",
        external_ref: "ZD-1",
        customer_id: "c-1",
        client: None,
        context_json: "{}",
        actor: "api-key:t",
    };
    claims.create(&new, &evidence).await.unwrap();
    let decisions = Decisions::new(db.clone());
    let ask = NewDecision {
        claim_id: "clm_1",
        kind: "request_evidence",
        reason: "the photo is a screenshot, ask for the original",
        user_id: &bob.id,
        band: Some("review"),
        amount: None,
        limit_minor: None,
        payout_ref: None,
        outside_queue: false,
    };
    assert!(matches!(decisions.record(&ask).await.unwrap(), Outcome::Recorded(_)));
    let approve = NewDecision {
        kind: "approve",
        amount: Some((12_995, "EUR")),
        limit_minor: Some(25_000),
        payout_ref: Some("…4321 #0f3a"),
        reason: "the original file matches the order",
        outside_queue: true,
        ..ask
    };
    assert!(matches!(decisions.record(&approve).await.unwrap(), Outcome::Recorded(_)));
    assert_eq!(
        decisions.record(&approve).await.unwrap(),
        Outcome::AlreadyFinal,
        "a closed claim takes no further decision"
    );
    let recorded = decisions.of_claim("clm_1").await.unwrap();
    assert_eq!(
        recorded.iter().map(|d| (d.kind.as_str(), d.user_name.as_str())).collect::<Vec<_>>(),
        [("request_evidence", "Bob"), ("approve", "Bob")]
    );
    let claim = claims.get("clm_1").await.unwrap().unwrap();
    assert_eq!(claim.decision.as_deref(), Some("approve"));
    let open = claims
        .list(&ClaimFilter { open: Some(true), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert!(open.is_empty(), "an approved claim leaves the open queue");

    // The queue's order: escalate, review, clear, not screened; oldest first in each.
    for (id, band) in [("clm_2", Some("clear")), ("clm_3", Some("escalate")), ("clm_4", None), ("clm_5", Some("review"))] {
        claims.create(&NewClaim { id, ..new }, &evidence).await.unwrap();
        sqlx::query("UPDATE claims SET band = $2, status = 'screened' WHERE id = $1")
            .bind(id)
            .bind(band)
            .execute(&db.pool)
            .await
            .unwrap();
    }
    let queue = claims
        .list(&ClaimFilter { open: Some(true), most_urgent_first: true, limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(
        queue.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["clm_3", "clm_5", "clm_2", "clm_4"]
    );
    let fraud = claims
        .list(&ClaimFilter { open: Some(true), escalated: true, limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(fraud.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["clm_3"]);

    let audit = AuditLog::new(db.clone());
    let entries = audit.entries(Some("clm_1")).await.unwrap();
    let decided: Vec<_> = entries.iter().filter(|e| e.action == "claim.decide").collect();
    assert_eq!(decided.len(), 2);
    assert_eq!(decided[1].actor, format!("user:{}", bob.id));
    assert!(decided[1].detail.starts_with("approve") && !decided[1].detail.contains("matches the order"));
    assert!(audit.verify().await.unwrap().broken.is_none());

    // Authority per currency and scope, replaced when set again, removable.
    users.set_authority(&bob.id, "", "EUR", 25_000, "cli").await.unwrap();
    users.set_authority(&bob.id, "", "EUR", 30_000, "cli").await.unwrap();
    users.set_authority(&bob.id, "", "GBP", 10_000, "cli").await.unwrap();
    users.set_authority(&bob.id, "channel:phone", "EUR", 5_000, "cli").await.unwrap();
    let limits = users.authority(&bob.id).await.unwrap();
    let of = |scope: &str, currency: &str| limits.iter().find(|l| l.scope == scope && l.currency == currency).map(|l| l.max_minor);
    assert_eq!(of("", "EUR"), Some(30_000));
    assert_eq!(of("channel:phone", "EUR"), Some(5_000));
    assert_eq!(limits.len(), 3);
    assert!(users.remove_authority(&bob.id, "channel:phone", "EUR").await.unwrap());
    assert!(!users.remove_authority(&bob.id, "channel:phone", "EUR").await.unwrap());
    assert_eq!(users.authority(&bob.id).await.unwrap().len(), 2);
    assert_eq!(claims.get("clm_1").await.unwrap().unwrap().submitted_by.as_deref(), Some("api-key:t"));

    // Teams: no team yet, everyone sees all; then only their teams' clients.
    use proofdesk_storage::teams::{Scope, Teams};
    let teams = Teams::new(db.clone());
    assert_eq!(teams.scope(&bob.id, "agent").await.unwrap(), Scope::All);
    teams.add("partner", &["brand-b".into(), "brand-c".into()]).await.unwrap();
    teams.add("partner", &["brand-b".into()]).await.unwrap();
    assert!(teams.join("partner", &bob.id).await.unwrap());
    assert!(!teams.join("nobody", &bob.id).await.unwrap());
    assert_eq!(teams.scope(&bob.id, "agent").await.unwrap(), Scope::Clients(vec!["brand-b".into(), "brand-c".into()]));
    assert_eq!(teams.scope(&bob.id, "administrator").await.unwrap(), Scope::All);
    assert_eq!(teams.scope(&ann.id, "fraud_analyst").await.unwrap(), Scope::Clients(vec![]));
    claims.create(&NewClaim { id: "clm_b", client: Some("brand-b"), ..new }, &evidence).await.unwrap();
    let seen = claims
        .list(&ClaimFilter { clients: Some(vec!["brand-b".into()]), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(seen.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["clm_b"]);
    let none = claims.list(&ClaimFilter { clients: Some(vec![]), limit: 10, ..Default::default() }).await.unwrap();
    assert!(none.is_empty());

    // Declared relations with customers, idempotent.
    users.declare_related(&bob.id, "c-1", "cli").await.unwrap();
    users.declare_related(&bob.id, "c-1", "cli").await.unwrap();
    assert!(users.is_related(&bob.id, "c-1").await.unwrap());
    assert!(!users.is_related(&bob.id, "c-2").await.unwrap());

    // Two people completing the same four-eyes approval at once: exactly one wins.
    claims.create(&NewClaim { id: "clm_6", ..new }, &evidence).await.unwrap();
    let first = NewDecision {
        claim_id: "clm_6",
        kind: "approve_pending",
        reason: "the photo and the receipt match the order",
        user_id: &bob.id,
        band: Some("clear"),
        amount: Some((90_000, "EUR")),
        limit_minor: Some(25_000),
        payout_ref: None,
        outside_queue: false,
    };
    assert!(matches!(decisions.record(&first).await.unwrap(), Outcome::Recorded(_)));
    let second = NewDecision { kind: "approve", user_id: &ann.id, ..first };
    let (a, b) = tokio::join!(decisions.record(&second), decisions.record(&second));
    let outcomes = [a.unwrap(), b.unwrap()];
    assert_eq!(outcomes.iter().filter(|o| matches!(o, Outcome::Recorded(_))).count(), 1, "{outcomes:?}");
    assert!(outcomes.contains(&Outcome::AlreadyFinal));
    let recorded = decisions.of_claim("clm_6").await.unwrap();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].amount, Some((90_000, "EUR".into())));

    let per = decisions.per_reviewer(0, None).await.unwrap();
    assert_eq!(per.iter().map(|r| r.count).sum::<i64>(), 4);
    let elsewhere = decisions.per_reviewer(0, Some(&["brand-z".to_owned()])).await.unwrap();
    assert!(elsewhere.is_empty(), "no decisions on brand-z's claims");
    assert_eq!(decisions.claim_times(0, Some(&["brand-b".to_owned()])).await.unwrap().len(), 1);
    assert!(decisions.claim_times(0, Some(&[])).await.unwrap().is_empty());

    // The decision log carries the limit, payout pseudonym and queue position.
    let log = decisions.log(0).await.unwrap();
    let paid = log.iter().find(|d| d.claim_id == "clm_1" && d.kind == "approve").unwrap();
    assert_eq!((paid.limit_minor, paid.payout_ref.as_deref(), paid.outside_queue), (Some(25_000), Some("…4321 #0f3a"), true));

    // Assignments: taken, listed as the person's, given back; none on a closed claim.
    claims.create(&NewClaim { id: "clm_7", ..new }, &evidence).await.unwrap();
    assert!(claims.assign("clm_7", Some(&bob.id), "user:x").await.unwrap());
    assert_eq!(claims.get("clm_7").await.unwrap().unwrap().assigned_to.as_deref(), Some(bob.id.as_str()));
    let mine = claims.list(&ClaimFilter { assigned_to: Some(bob.id.clone()), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(mine.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["clm_7"]);
    assert!(claims.assign("clm_7", None, "user:x").await.unwrap());
    assert!(!claims.assign("clm_1", Some(&bob.id), "user:x").await.unwrap(), "clm_1 is approved");

    // Insider flags: recorded once, again when their claims change, each time audited.
    use proofdesk_storage::flags::{Flags, NewFlag};
    let flags = Flags::new(db.clone());
    let claims_of = ["clm_2".to_owned(), "clm_1".to_owned()];
    let flag = NewFlag { rule: "repeat-payout", user_id: &bob.id, claims: &claims_of, facts_en: "2 customers", facts_nl: "2 klanten" };
    assert!(flags.raise(&flag).await.unwrap());
    assert!(!flags.raise(&flag).await.unwrap(), "the same flag is not raised twice");
    let more = ["clm_1".to_owned(), "clm_2".to_owned(), "clm_3".to_owned()];
    assert!(flags.raise(&NewFlag { claims: &more, facts_en: "3 customers", ..flag }).await.unwrap());
    let stored = flags.since(0).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].claims.len(), stored[0].facts_en.as_str()), (3, "3 customers"));
    let audited = audit.entries(None).await.unwrap();
    assert_eq!(audited.iter().filter(|e| e.action == "insider.flag").count(), 2);
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
