//! Personal data stays out of the server's log: lines written while handling a claim
//! that carries a BSN and an IBAN hold neither, only their kinds.

use crate::server::{jpeg, reply, Server};
use crate::util::blocks;

#[test]
fn log_lines_written_while_handling_a_claim_hold_no_bsn_or_iban() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("server.log");
    let server = Server::start_logging_to(&dir.path().join("data"), &[], &log);
    let personal = "BSN 111222333 rekening NL91ABNA0417164300";
    let claim = format!(r#"{{"external_ref": "ZD-P1", "customer_id": "c-p1", "product": "wasmachine ({personal})"}}"#);
    let (status, _, doc) = server.submit(&claim, &[("a.jpg", &jpeg(&blocks(64, 64, 4)))], None);
    assert_eq!(status, 202, "{doc}");
    let id = doc["id"].as_str().unwrap().to_owned();
    server.screened(&id);
    // Refusals that quote what was sent: an unknown field named with the data, twice.
    let (status, _, _) = server.submit(&format!(r#"{{"external_ref": "ZD-P2", "customer_id": "c-p2", "{personal}": 1}}"#), &[("a.jpg", b"x")], None);
    assert_eq!(status, 400);
    let req = ureq::post(&server.url(&format!("/v1/claims/{id}/evidence-requests")))
        .set("Authorization", &format!("Bearer {}", server.key))
        .set("Content-Type", "application/json");
    let (status, _, doc) = reply(req.send_string(&format!(r#"{{"asks": ["receipt"], "{personal}": true}}"#)));
    assert_eq!(status, 400);
    assert!(doc["detail"].as_str().unwrap().contains("111222333"), "the caller is told what it sent: {doc}");
    drop(server);
    let written = std::fs::read_to_string(&log).unwrap();
    assert!(written.matches("proofdesk api: 400").count() >= 2, "the refusals were logged: {written}");
    assert!(!written.contains("111222333") && !written.contains("NL91ABNA0417164300") && !written.contains("ABNA"), "{written}");
    assert!(written.contains("[bsn]") && written.contains("[iban]"), "{written}");
}

#[test]
fn an_agent_sees_a_photos_position_coarsened_and_a_fraud_analyst_may_open_it_audited() {
    use crate::browser::add_user;
    use crate::workspace::Client;
    let Some(corpus) = crate::util::corpus() else { return };
    let photo = std::fs::read(corpus.join("camera/Apple_iPhone_4.jpg")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    add_user(&data, "bob", "agent", "Bob");
    add_user(&data, "ann", "fraud_analyst", "Ann");
    let (_, _, doc) = server.submit(r#"{"external_ref": "ZD-GPS", "customer_id": "c-gps"}"#, &[("photo.jpg", &photo)], None);
    let id = doc["id"].as_str().unwrap().to_owned();
    let screened = server.screened(&id);
    let gps = screened["evidence"][0]["signals"].as_array().unwrap().iter().find(|s| s["id"] == "provenance.gps").cloned().expect("the photo records a position");
    let lat = format!("{:.6}", gps["details"]["latitude"].as_f64().unwrap());

    let mut bob = Client::new(&server);
    bob.sign_in("bob", "correct horse battery");
    let page = bob.get(&format!("/claims/{id}")).body;
    assert!(page.contains("vastgelegd, in") && page.contains("de exacte positie is voor het fraudeteam"));
    assert!(!page.contains(&lat[..6]) && !page.contains("/position") && !page.contains("/original"), "no exact position and no original for an agent");
    assert_eq!(bob.get(&format!("/claims/{id}/files/0/position")).status, 403);
    assert_eq!(bob.get(&format!("/claims/{id}/files/0/original")).status, 403);

    let mut ann = Client::new(&server);
    ann.sign_in("ann", "correct horse battery");
    let page = ann.get(&format!("/claims/{id}")).body;
    assert!(!page.contains(&lat[..6]), "masked on the page for everyone");
    let exact = ann.get(&format!("/claims/{id}/files/0/position"));
    assert_eq!(exact.status, 200);
    assert!(exact.body.contains(&lat), "{}", exact.body);
    let audit = crate::util::proofdesk_in(&data, &["audit", "show", "--claim", &id]).stdout;
    assert!(audit.contains("evidence.position.view"), "{audit}");
}
