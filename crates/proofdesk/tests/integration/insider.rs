//! Authority for one channel or claim type, payout accounts and queue assignments,
//! and the insider rules that use them: thresholds from the policy file, flags raised
//! as decisions happen, each one in the audit trail; a person disabled while their
//! approval awaits a second one.

use crate::browser::{add_user, set_authority};
use crate::server::{jpeg, Server};
use crate::util::{blocks, proofdesk_in};
use crate::workspace::{hidden, Client};

#[test]
fn scoped_authority_payout_accounts_assignments_and_flags_in_the_audit_trail() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "[insider]\nrepeat_payout_min = 2\nunassigned_min = 1\n").unwrap();
    let server = Server::start(&data, &["--policy", policy.to_str().unwrap()]);
    add_user(&data, "bob", "agent", "Bob");
    add_user(&data, "kim", "agent", "Kim");
    add_user(&data, "sue", "supervisor", "Sue");
    set_authority(&data, "bob", "100EUR");
    set_authority(&data, "sue", "1000EUR");
    let run = proofdesk_in(&data, &["user", "set-authority", "bob", "400EUR", "--claim-type", "damage"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("for claims of type damage"), "{}", run.stdout);
    assert_eq!(proofdesk_in(&data, &["user", "set-authority", "bob", "50EUR", "--channel", "phone"]).code, 0);
    let bad = proofdesk_in(&data, &["user", "set-authority", "bob", "50EUR", "--channel", "pigeon"]);
    assert!(bad.code != 0 && bad.stderr.contains("unknown channel"), "{}", bad.stderr);
    assert!(proofdesk_in(&data, &["user", "set-authority", "bob", "50EUR", "--channel", "phone", "--claim-type", "damage"]).code != 0);

    let token = |name: &str| proofdesk_in(&data, &["user", "token", name]).stdout.trim().to_owned();
    let (bob, sue) = (token("bob"), token("sue"));
    let picture = jpeg(&blocks(320, 240, 23));
    let new_claim = |n: u32, extra: &str| {
        let claim = format!(r#"{{"external_ref": "ZD-S{n}", "customer_id": "c-s{n}", "claimed_amount": "300", "currency": "EUR"{extra}}}"#);
        let (status, _, doc) = server.submit(&claim, &[("a.jpg", &picture)], None);
        assert_eq!(status, 202, "{doc}");
        let id = doc["id"].as_str().unwrap().to_owned();
        server.screened(&id);
        id
    };
    let post = |tok: &str, id: &str, body: &str| server.post_json(tok, &format!("/v1/claims/{id}/decisions"), body);
    let approve = |amount: &str, payout: &str| {
        format!(r#"{{"action": "approve", "amount": "{amount}", "currency": "EUR", "reason": "photo and receipt match the order", "payout_ref": "{payout}"}}"#)
    };

    // A limit for a claim type replaces the general one there; with a channel limit too, the lower counts.
    let damage = new_claim(1, r#", "claim_type": "damage""#);
    let (s, doc) = post(&bob, &damage, &approve("300", ""));
    assert_eq!((s, doc["status"].as_str()), (200, Some("decided")), "{doc}");
    let general = new_claim(2, "");
    assert_eq!(post(&bob, &general, &approve("300", "")).1["status"], "awaiting_second_approval");
    let phone_damage = new_claim(3, r#", "claim_type": "damage", "channel": "phone""#);
    assert_eq!(post(&bob, &phone_damage, &approve("300", "")).1["status"], "awaiting_second_approval");
    let (s, _, doc) = server.submit(r#"{"external_ref": "ZD-X", "customer_id": "c-x", "claim_type": "Water Damage"}"#, &[("a.jpg", &picture)], None);
    assert_eq!(s, 400, "a claim type is a lower-case token: {doc}");

    let mut web = Client::new(&server);
    web.sign_in("bob", "correct horse battery");
    let open_damage = new_claim(4, r#", "claim_type": "damage""#);
    let page = web.get(&format!("/claims/{open_damage}")).body;
    assert!(page.contains("€ 400.00") && page.contains("uw grens voor claims van het type damage"), "the limit that applies is shown");

    // The same payout account for two customers (written two ways): a flag, with only a pseudonym kept.
    assert_eq!(post(&bob, &new_claim(5, ""), &approve("20", "12")).0, 422, "not a payout reference");
    for (n, account) in [(6, "NL91 ABNA 0417 1643 00"), (7, "nl91abna0417164300")] {
        assert_eq!(post(&bob, &new_claim(n, ""), &approve("20", account)).1["status"], "decided");
    }

    // A claim Kim took is outside Bob's queue: he cannot take it over, and deciding it is flagged.
    let taken = new_claim(8, "");
    let mut kim = Client::new(&server);
    kim.sign_in("kim", "correct horse battery");
    let csrf = hidden(&kim.get(&format!("/claims/{taken}")).body, "csrf");
    assert_eq!(kim.post(&format!("/claims/{taken}/assignment"), &[("csrf", &csrf), ("action", "take")]).status, 303);
    assert!(kim.get("/queue?taken=mine").body.contains("ZD-S8"), "Kim's own queue holds it");
    assert!(!kim.get("/queue?taken=mine").body.contains("ZD-S7"));
    let csrf = hidden(&web.get(&format!("/claims/{taken}")).body, "csrf");
    assert_eq!(web.post(&format!("/claims/{taken}/assignment"), &[("csrf", &csrf), ("action", "take")]).status, 403);
    assert_eq!(post(&bob, &taken, &approve("20", "")).1["status"], "decided");

    let audit = proofdesk_in(&data, &["audit", "show"]).stdout;
    let flags: Vec<&str> = audit.lines().filter(|l| l.contains("insider.flag")).collect();
    assert!(flags.iter().any(|l| l.contains("repeat-payout") && l.contains("2 customers")), "{audit}");
    assert!(flags.iter().any(|l| l.contains("outside-queue") && l.contains(taken.as_str())), "{audit}");
    assert!(audit.contains("claim.assign") && audit.contains("…4300 #"), "{audit}");
    assert!(!audit.contains("ABNA"), "the payout account itself is not kept");
    assert_eq!(proofdesk_in(&data, &["audit", "verify"]).code, 0);

    let mut supervisor = Client::new(&server);
    supervisor.sign_in("sue", "correct horse battery");
    let overview = supervisor.get("/overview").body;
    assert!(overview.contains("repeat-payout") && overview.contains("outside-queue"), "the supervisor sees both flags");
    let kim_id = proofdesk_in(&data, &["user", "list", "--json"]).json()["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "kim")
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .unwrap();
    let csrf = hidden(&supervisor.get("/people").body, "csrf");
    let set = |client: &mut Client, channel: &str, claim_type: &str| {
        let form = [("csrf", csrf.as_str()), ("amount", "75"), ("currency", "EUR"), ("channel", channel), ("claim_type", claim_type)];
        client.post(&format!("/people/{kim_id}/authority"), &form)
    };
    assert_eq!(set(&mut supervisor, "chat", "").status, 303);
    assert_eq!(set(&mut supervisor, "chat", "damage").status, 422, "one channel or one type, not both");
    assert!(supervisor.get("/people").body.contains("€ 75.00 — claims via chat"));
    let rules = web.get("/rules").body;
    assert!(rules.contains("2 of meer van uw goedkeuringen"), "the rules page shows the policy's thresholds");

    // Bob is disabled while two of his approvals await a second person: they stay, and can be completed.
    let run = proofdesk_in(&data, &["user", "disable", "bob"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("2 claim(s) they approved still await a second approval"), "{}", run.stdout);
    assert!(supervisor.get(&format!("/claims/{general}")).body.contains("inmiddels uitgeschakeld"));
    let (s, doc) = post(&sue, &general, &approve("300", ""));
    assert_eq!((s, doc["status"].as_str()), (200, Some("decided")), "{doc}");
}
