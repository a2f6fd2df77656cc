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
    server.screened(&id);
    // The exact position, as an integration configured to receive positions reads it.
    let made = crate::util::proofdesk_in(&data, &["api-key", "create", "--scope", "claims:read", "--receives", "evidence,positions"]);
    let req = ureq::get(&server.url(&format!("/v1/claims/{id}"))).set("Authorization", &format!("Bearer {}", made.stdout.trim()));
    let screened = reply(req.call()).2;
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

#[test]
fn a_customers_data_is_exported_whole_and_then_erased_everywhere() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    let (mine, shared, other) = (jpeg(&blocks(320, 240, 61)), jpeg(&blocks(320, 240, 62)), jpeg(&blocks(320, 240, 63)));
    let submit = |customer: &str, reference: &str, files: &[(&str, &[u8])]| {
        let claim = format!(r#"{{"external_ref": "{reference}", "customer_id": "{customer}", "product": "fiets"}}"#);
        let (status, _, doc) = server.submit(&claim, files, None);
        assert_eq!(status, 202, "{doc}");
        let id = doc["id"].as_str().unwrap().to_owned();
        server.screened(&id);
        id
    };
    let first = submit("cust-dsr", "ZD-D1", &[("voor.jpg", &mine), ("na.jpg", &shared)]);
    let second = submit("cust-dsr", "ZD-D2", &[("bon.jpg", &other)]);
    let someone_else = submit("cust-other", "ZD-O1", &[("fiets.jpg", &shared)]);
    let req = ureq::post(&server.url(&format!("/v1/claims/{first}/evidence-requests")))
        .set("Authorization", &format!("Bearer {}", server.key))
        .set("Content-Type", "application/json");
    assert_eq!(reply(req.send_string(r#"{"asks": ["receipt"]}"#)).0, 201);

    // Export: every claim, every file as received, a readable summary.
    let out = dir.path().join("export.zip");
    let run = crate::util::proofdesk_in(&data, &["subject", "export", "cust-dsr", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut f = zip.by_name(name).unwrap_or_else(|_| panic!("{name} in the export"));
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        b
    };
    assert_eq!(read(&format!("evidence/{first}/1-voor.jpg")), mine);
    assert_eq!(read(&format!("evidence/{second}/1-bon.jpg")), other);
    let summary = String::from_utf8(read("summary.txt")).unwrap();
    assert!(summary.contains("ZD-D1") && summary.contains("ZD-D2") && !summary.contains("ZD-O1"), "{summary}");
    let doc: serde_json::Value = serde_json::from_slice(&read("data.json")).unwrap();
    assert_eq!(doc["claims"].as_array().unwrap().len(), 2);
    assert_eq!(doc["claims"][0]["evidence_requests"][0]["asks"][0], "receipt");

    // Erase: gone from the database, the store and the reuse index; the shared file stays for the other customer.
    assert_ne!(crate::util::proofdesk_in(&data, &["subject", "erase", "cust-dsr"]).code, 0, "needs --yes");
    let run = crate::util::proofdesk_in(&data, &["subject", "erase", "cust-dsr", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("2 claims, 3 files (2 removed from the evidence store)"), "{}", run.stdout);
    for id in [&first, &second] {
        assert_eq!(server.get(&format!("/v1/claims/{id}")).0, 404);
    }
    let sha = |b: &[u8]| -> String { sha2::Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect() };
    use sha2::Digest;
    let blob = |b: &[u8]| data.join("evidence").join(&sha(b)[..2]).join(sha(b));
    assert!(!blob(&mine).exists() && !blob(&other).exists(), "the customer's files are gone from the store");
    assert!(blob(&shared).exists(), "a file another customer also sent stays");
    assert_eq!(server.get(&format!("/v1/claims/{someone_else}")).0, 200);
    let again = submit("cust-new", "ZD-N1", &[("again.jpg", &mine)]);
    let doc = server.get(&format!("/v1/claims/{again}")).1;
    assert!(!doc.to_string().contains(&first), "the reuse index no longer knows the erased claim: {doc}");
    let audit = crate::util::proofdesk_in(&data, &["audit", "show"]).stdout;
    assert!(audit.contains("subject.erase") && audit.contains("subject.export") && !audit.contains("cust-dsr"), "{audit}");
    assert_eq!(crate::util::proofdesk_in(&data, &["audit", "verify"]).code, 0, "the audit trail still verifies");
    let run = crate::util::proofdesk_in(&data, &["subject", "export", "cust-dsr", "--out", out.to_str().unwrap()]);
    assert!(run.stdout.contains("0 claims"), "{}", run.stdout);
}

#[test]
fn retention_deletes_an_expired_claims_evidence_everywhere_and_skips_one_on_legal_hold() {
    use crate::util::proofdesk_in;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "[retention]\nevidence_days_after_decision = 30\n[retention.clients.brand-b]\nevidence_days_after_decision = 365\n").unwrap();
    let server = Server::start(&data, &["--policy", policy.to_str().unwrap()]);
    crate::browser::add_user(&data, "sue", "supervisor", "Sue");
    let token = proofdesk_in(&data, &["user", "token", "sue"]).stdout.trim().to_owned();
    crate::browser::set_authority(&data, "sue", "1000EUR");
    let photos: Vec<Vec<u8>> = (0..3).map(|k| jpeg(&blocks(320, 240, 70 + k))).collect();
    let mut ids = Vec::new();
    for (k, client) in ["brand-a", "brand-a", "brand-b"].iter().enumerate() {
        let claim = format!(r#"{{"external_ref": "ZD-R{k}", "customer_id": "c-r{k}", "client": "{client}", "delivery_postcode": "1234 AB"}}"#);
        let (_, _, doc) = server.submit(&claim, &[("p.jpg", &photos[k])], None);
        let id = doc["id"].as_str().unwrap().to_owned();
        server.screened(&id);
        let req = ureq::post(&server.url(&format!("/v1/claims/{id}/decisions")))
            .set("Authorization", &format!("Bearer {token}"))
            .set("Content-Type", "application/json");
        let (status, _, doc) = reply(req.send_string(r#"{"action": "approve", "amount": "10", "currency": "EUR", "reason": "the photo shows the damage"}"#));
        assert_eq!(status, 200, "{doc}");
        ids.push(id);
    }
    assert_eq!(proofdesk_in(&data, &["retention", "hold", &ids[1], "--reason", "dispute 2026-114"]).code, 0);
    // Forty days pass.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = proofdesk_storage::Database::open_data_dir(&data).await.unwrap();
        sqlx::query("UPDATE claims SET decided_at = decided_at - 3456000000").execute(&db.pool).await.unwrap();
    });
    let policy_arg = ["--policy", policy.to_str().unwrap()];
    let dry = proofdesk_in(&data, &[&["retention", "run", "--dry-run", "--json"][..], &policy_arg].concat()).json();
    assert_eq!(dry["evidence_deleted"], serde_json::json!([ids[0]]), "only the expired claim not on hold: {dry}");
    assert_eq!(dry["on_hold"], 1);
    assert_eq!(dry["audit_entries_pruned"], 0, "audit entries are kept seven years");
    use sha2::Digest;
    let blob = |b: &[u8]| {
        let sha: String = sha2::Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect();
        data.join("evidence").join(&sha[..2]).join(&sha)
    };
    assert!(blob(&photos[0]).exists(), "a dry run changes nothing");
    let run = proofdesk_in(&data, &[&["retention", "run", "--json"][..], &policy_arg].concat()).json();
    assert_eq!((run["evidence_deleted"].clone(), run["blobs_deleted"].as_i64()), (serde_json::json!([ids[0]]), Some(1)));
    assert!(!blob(&photos[0]).exists(), "gone from the evidence store");
    assert!(blob(&photos[1]).exists() && blob(&photos[2]).exists(), "on hold, and a client with a longer period");
    let doc = server.get(&format!("/v1/claims/{}", ids[0])).1;
    assert!(doc["evidence"][0]["verdict"].is_string() && doc["evidence"][0]["signals"].is_null(), "the verdict stays, the details go: {doc}");
    let again = proofdesk_in(&data, &[&["retention", "run", "--json"][..], &policy_arg].concat()).json();
    assert_eq!(again["evidence_deleted"], serde_json::json!([]), "done once");
    // The customer's export still works, saying the file was deleted.
    let out = dir.path().join("r0.zip");
    let run = proofdesk_in(&data, &["subject", "export", "c-r0", "--out", out.to_str().unwrap()]);
    assert!(run.code == 0 && run.stdout.contains("1 claims, 0 files"), "{}{}", run.stdout, run.stderr);
    let audit = proofdesk_in(&data, &["audit", "show", "--claim", &ids[0]]).stdout;
    assert!(audit.contains("retention.evidence"), "{audit}");
    assert_eq!(proofdesk_in(&data, &["audit", "verify"]).code, 0);
}

#[test]
fn evidence_keys_rotate_and_older_evidence_is_encrypted_again() {
    use crate::util::proofdesk_in;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let photo = jpeg(&blocks(320, 240, 81));
    let id = {
        let server = Server::start(&data, &[]);
        let (_, _, doc) = server.submit(r#"{"external_ref": "ZD-K1", "customer_id": "c-k1"}"#, &[("k.jpg", &photo)], None);
        let id = doc["id"].as_str().unwrap().to_owned();
        server.screened(&id);
        id
    };
    let evidence = data.join("evidence");
    assert_eq!(blob_keys(&evidence), ["k1"]);
    let run = proofdesk_in(&data, &["keys", "rotate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("added key k2"), "{}", run.stdout);
    let run = proofdesk_in(&data, &["keys", "reencrypt"]);
    assert!(run.stdout.contains("1 blobs encrypted again"), "{}", run.stdout);
    assert_eq!(blob_keys(&evidence), ["k2"], "sealed under the new key");
    assert!(proofdesk_in(&data, &["keys", "reencrypt"]).stdout.contains("0 blobs encrypted again"));
    // Still readable, and new evidence uses the new key.
    let out = dir.path().join("e.zip");
    assert_eq!(proofdesk_in(&data, &["subject", "export", "c-k1", "--out", out.to_str().unwrap()]).code, 0);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut got = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name(&format!("evidence/{id}/1-k.jpg")).unwrap(), &mut got).unwrap();
    assert_eq!(got, photo);
    let audit = proofdesk_in(&data, &["audit", "show"]).stdout;
    assert!(audit.contains("keys.rotate") && audit.contains("keys.reencrypt"));
}

#[test]
fn administrators_handle_data_subject_requests_through_the_api() {
    use crate::browser::add_user;
    use crate::util::proofdesk_in;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    add_user(&data, "adm", "administrator", "Admin");
    add_user(&data, "bob", "agent", "Bob");
    let token = |name: &str| proofdesk_in(&data, &["user", "token", name]).stdout.trim().to_owned();
    let (adm, bob) = (token("adm"), token("bob"));
    let photo = jpeg(&blocks(320, 240, 91));
    let (_, _, doc) = server.submit(r#"{"external_ref": "ZD-A1", "customer_id": "cust-api"}"#, &[("a.jpg", &photo)], None);
    let id = doc["id"].as_str().unwrap().to_owned();
    server.screened(&id);
    let call = |method: &str, path: &str, tok: &str| {
        let r = ureq::request(method, &server.url(path)).set("Authorization", &format!("Bearer {tok}")).call();
        match r {
            Ok(r) | Err(ureq::Error::Status(_, r)) => {
                let status = r.status();
                let mut body = Vec::new();
                std::io::Read::read_to_end(&mut r.into_reader(), &mut body).unwrap();
                (status, body)
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(call("GET", "/v1/subjects/cust-api/export", &bob).0, 403, "an agent does not");
    assert_eq!(call("GET", "/v1/subjects/cust-api/export", &server.key).0, 403, "an integration key does not");
    let (status, zip_bytes) = call("GET", "/v1/subjects/cust-api/export", &adm);
    assert_eq!(status, 200);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let mut got = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name(&format!("evidence/{id}/1-a.jpg")).unwrap(), &mut got).unwrap();
    assert_eq!(got, photo);
    // Retention: a legal hold set and lifted, and a dry run, through the API.
    let put = |path: &str, tok: &str, body: &str| {
        let req = ureq::put(&server.url(path)).set("Authorization", &format!("Bearer {tok}")).set("Content-Type", "application/json");
        reply(req.send_string(body))
    };
    let hold = format!("/v1/claims/{id}/legal-hold");
    assert_eq!(put(&hold, &bob, r#"{"reason": "dispute 7"}"#).0, 403);
    assert_eq!(put(&hold, &adm, r#"{"why": "dispute 7"}"#).0, 400);
    assert_eq!(put("/v1/claims/clm_none/legal-hold", &adm, r#"{"reason": "dispute 7"}"#).0, 404);
    let (status, _, doc) = put(&hold, &adm, r#"{"reason": "dispute 7"}"#);
    assert_eq!((status, doc["legal_hold"].as_str()), (200, Some("dispute 7")), "{doc}");
    let (status, preview) = call("GET", "/v1/retention", &adm);
    let preview: serde_json::Value = serde_json::from_slice(&preview).unwrap();
    assert_eq!((status, preview["on_hold"].as_i64(), preview["dry_run"].as_bool()), (200, Some(1), Some(true)), "{preview}");
    assert_eq!(call("GET", "/v1/retention", &bob).0, 403);
    assert_eq!(call("DELETE", &hold, &adm).0, 200);
    let audit = proofdesk_in(&data, &["audit", "show", "--claim", &id]).stdout;
    assert!(audit.contains("retention.hold") && audit.contains("retention.release"), "{audit}");

    assert_eq!(call("DELETE", "/v1/subjects/cust-api", &bob).0, 403);
    let (status, body) = call("DELETE", "/v1/subjects/cust-api", &adm);
    assert_eq!(status, 200);
    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((doc["claims"].as_i64(), doc["blobs_deleted"].as_i64()), (Some(1), Some(1)), "{doc}");
    assert_eq!(server.get(&format!("/v1/claims/{id}")).0, 404);
    assert_eq!(proofdesk_in(&data, &["audit", "verify"]).code, 0);
}

#[test]
fn an_integration_receives_only_the_data_categories_its_key_is_configured_for() {
    let Some(corpus) = crate::util::corpus() else { return };
    let photo = std::fs::read(corpus.join("camera/Apple_iPhone_4.jpg")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    let (_, _, doc) = server.submit(r#"{"external_ref": "ZD-R1", "customer_id": "c-r1", "delivery_postcode": "1012 JS"}"#, &[("photo.jpg", &photo)], None);
    let id = doc["id"].as_str().unwrap().to_owned();
    server.screened(&id);
    let read = |receives: &str| {
        let made = crate::util::proofdesk_in(&data, &["api-key", "create", "--scope", "claims:read", "--receives", receives]);
        assert_eq!(made.code, 0, "{}", made.stderr);
        let key = made.stdout.trim().to_owned();
        let req = ureq::get(&server.url(&format!("/v1/claims/{id}"))).set("Authorization", &format!("Bearer {key}"));
        let (status, _, doc) = reply(req.call());
        assert_eq!(status, 200, "{doc}");
        doc
    };
    let outcome = read("none");
    assert_eq!(outcome["id"], id.as_str());
    assert!(outcome["band"].is_string() && outcome["reasons"].is_array(), "{outcome}");
    for absent in ["customer_id", "context", "evidence"] {
        assert!(outcome.get(absent).is_none(), "{absent} withheld: {outcome}");
    }
    let gps = |doc: &serde_json::Value| doc["evidence"][0]["signals"].as_array().unwrap().iter().find(|s| s["id"] == "provenance.gps").cloned().unwrap();
    let coarse = read("customer,evidence");
    assert_eq!(coarse["customer_id"], "c-r1");
    assert!(coarse.get("context").is_none());
    let details = &gps(&coarse)["details"];
    assert!(details.get("latitude").is_none() && details["country"].is_array(), "only the country: {details}");
    let exact = read("evidence,positions");
    assert!(gps(&exact)["details"]["latitude"].is_f64(), "{exact}");
    let listed = crate::util::proofdesk_in(&data, &["api-key", "list"]).stdout;
    assert!(listed.contains("receives none") && listed.contains("receives evidence,positions"), "{listed}");
    assert_ne!(crate::util::proofdesk_in(&data, &["api-key", "create", "--receives", "iban"]).code, 0);
}

/// The key ids named in the headers of the evidence blobs under `dir`.
fn blob_keys(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in walk(dir) {
        let raw = std::fs::read(&entry).unwrap();
        if raw.len() > 5 && &raw[..4] == b"PDE1" {
            out.push(String::from_utf8_lossy(&raw[5..5 + raw[4] as usize]).into_owned());
        }
    }
    out
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files.extend(walk(&p));
        } else {
            files.push(p);
        }
    }
    files
}

#[test]
fn a_running_server_takes_a_rotated_key_and_reencrypts_older_evidence_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start_with_env(&data, &[], &[("PROOFDESK_KEY_CHECK_SECONDS", "1")]);
    let (_, _, doc) = server.submit(r#"{"external_ref": "ZD-K1", "customer_id": "c-k1"}"#, &[("a.jpg", &jpeg(&blocks(320, 240, 71)))], None);
    server.screened(doc["id"].as_str().unwrap());
    assert_eq!(blob_keys(&data.join("evidence")), ["k1"]);
    let rotated = crate::util::proofdesk_in(&data, &["keys", "rotate"]);
    assert_eq!(rotated.code, 0, "{}", rotated.stderr);
    let mut audit = String::new();
    for _ in 0..120 {
        audit = crate::util::proofdesk_in(&data, &["audit", "show"]).stdout;
        if audit.contains("keys.reencrypt") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    assert!(audit.contains("keys.reload") && audit.contains("1 blobs encrypted again"), "{audit}");
    assert_eq!(blob_keys(&data.join("evidence")), ["k2"], "the old blob is sealed with the new key");
    // New evidence is sealed with it and screens without a restart.
    let (_, _, doc) = server.submit(r#"{"external_ref": "ZD-K2", "customer_id": "c-k2"}"#, &[("b.jpg", &jpeg(&blocks(320, 240, 72)))], None);
    let screened = server.screened(doc["id"].as_str().unwrap());
    assert!(screened["evidence"][0]["verdict"].is_string(), "{screened}");
    assert_eq!(blob_keys(&data.join("evidence")), ["k2", "k2"]);
    assert_eq!(crate::util::proofdesk_in(&data, &["audit", "verify"]).code, 0);
}

#[test]
fn with_per_customer_keys_erasing_a_customer_destroys_their_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &["--per-customer-keys"]);
    let photo = jpeg(&blocks(320, 240, 73));
    let (_, _, doc) = server.submit(r#"{"external_ref": "ZD-C1", "customer_id": "c-shred"}"#, &[("a.jpg", &photo)], None);
    let screened = server.screened(doc["id"].as_str().unwrap());
    assert!(screened["evidence"][0]["verdict"].is_string(), "the worker opens evidence under a customer key: {screened}");
    let keys = blob_keys(&data.join("evidence"));
    assert!(keys.len() == 1 && keys[0].starts_with("c-"), "{keys:?}");
    let customer_dir = data.join("evidence").join(&keys[0]);
    assert!(customer_dir.is_dir(), "the customer's evidence lives apart");
    let run = crate::util::proofdesk_in(&data, &["subject", "erase", "c-shred", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(&format!("destroyed the customer's evidence key {}", keys[0])), "{}", run.stdout);
    assert!(blob_keys(&data.join("evidence")).is_empty());
    let audit = crate::util::proofdesk_in(&data, &["audit", "show"]).stdout;
    assert!(audit.contains("subject.key-destroyed") && !audit.contains("c-shred"), "{audit}");
    assert_eq!(crate::util::proofdesk_in(&data, &["audit", "verify"]).code, 0);
}
