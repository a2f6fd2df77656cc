//! The compliance records on SQLite and PostgreSQL: the register keeps what was saved
//! and audits each change, proofdesk's own entries cannot be removed, evaluations and
//! document editions are numbered and read back, and the change history lists them.

mod common;

use proofdesk_storage::compliance::{AiSystem, Compliance};
use proofdesk_storage::Database;

fn chatbot(class: &str, answers: &[&str]) -> AiSystem {
    AiSystem {
        id: "chatbot".into(),
        name: "Web chat assistant".into(),
        purpose: "Answers customers' questions about their claim".into(),
        owner: "Head of customer service".into(),
        users: "customers".into(),
        data_used: "chat messages".into(),
        answers: answers.iter().map(|a| a.to_string()).collect(),
        risk_class: class.into(),
        reasoning_json: "[]".into(),
        review_due: "2027-06-30".into(),
        builtin: false,
        created_at: 0,
        updated_at: 0,
        updated_by: String::new(),
    }
}

async fn scenario(url: &str) {
    let db = Database::connect(url).await.expect("open database");
    let c = Compliance::new(db.clone());
    assert!(c.systems().await.unwrap().is_empty());
    assert!(c.save(&chatbot("transparency", &["infers", "transparency.interacts"]), "user:usr_1").await.unwrap(), "new");
    let mut own = chatbot("minimal", &[]);
    own.id = "proofdesk-routing".into();
    own.builtin = true;
    assert!(c.save(&own, "proofdesk").await.unwrap());
    assert!(!c.save(&chatbot("minimal", &[]), "user:usr_2").await.unwrap(), "a change, not a new entry");
    let systems = c.systems().await.unwrap();
    assert_eq!(systems.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["proofdesk-routing", "chatbot"], "own components first");
    let bot = c.system("chatbot").await.unwrap().unwrap();
    assert_eq!((bot.risk_class.as_str(), bot.answers.len(), bot.updated_by.as_str()), ("minimal", 0, "user:usr_2"));
    assert!(bot.created_at <= bot.updated_at && bot.created_at > 0);
    assert!(!c.remove("proofdesk-routing", "cli").await.unwrap(), "proofdesk's own entries stay");
    assert!(c.remove("chatbot", "cli").await.unwrap());
    assert!(c.system("chatbot").await.unwrap().is_none());

    assert_eq!(c.latest_evaluation("screen", None).await.unwrap(), None);
    let first = c.record_evaluation("screen", "0.1.0", &"ab".repeat(32), "{\"groups\": []}", "cli").await.unwrap();
    let second = c.record_evaluation("screen", "0.2.0", &"cd".repeat(32), "{\"groups\": [1]}", "cli").await.unwrap();
    assert!(second > first);
    assert_eq!(c.latest_evaluation("screen", Some("0.1.0")).await.unwrap().unwrap().id, first);
    assert_eq!(c.latest_evaluation("screen", None).await.unwrap().unwrap().document, "{\"groups\": [1]}");
    assert_eq!(c.latest_evaluation("detector", None).await.unwrap(), None);

    assert_eq!(c.next_edition().await.unwrap(), 1);
    assert_eq!(c.add_edition("user:usr_1", "0.2.0", Some(second), "ff", "<html>1</html>").await.unwrap(), 1);
    assert_eq!(c.add_edition("cli", "0.2.0", None, "ee", "<html>2</html>").await.unwrap(), 2);
    let editions = c.editions().await.unwrap();
    assert_eq!((editions[0].edition, editions[0].evaluation_id, editions[1].evaluation_id), (2, None, Some(second)));
    assert_eq!(c.edition_html(1).await.unwrap().as_deref(), Some("<html>1</html>"));
    assert_eq!(c.edition_html(9).await.unwrap(), None);

    assert!(c.note_policy("policy.toml (sha256 aa…)").await.unwrap());
    assert!(!c.note_policy("policy.toml (sha256 aa…)").await.unwrap(), "the same policy is noted once");
    let actions: Vec<String> = c.change_history().await.unwrap().into_iter().map(|h| h.2).collect();
    assert_eq!(
        actions,
        ["register.add", "register.add", "register.change", "register.remove", "eval.record", "eval.record", "report.ai-act", "report.ai-act", "policy.change"]
    );
    assert!(proofdesk_storage::audit::AuditLog::new(db).verify().await.unwrap().broken.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compliance_records_on_sqlite() {
    common::on_sqlite(|url| async move { scenario(&url).await }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compliance_records_on_postgres() {
    common::on_postgres(|url| async move { scenario(&url).await }).await;
}
