//! Asking a customer for better evidence, over HTTP: the API makes a one-time link,
//! the customer page shows what is asked and the code and nothing of the claim, takes
//! one answer (refusing a missing form token, non-images and a second answer), the
//! claim is screened again and the CRM told by the signed webhook; expired, withdrawn
//! and made-up links get a friendly page; a burst is slowed down; all of it audited.

use crate::server::{jpeg, reply, Server};
use crate::service::receiver;
use crate::util::{blocks, proofdesk_in};
use serde_json::Value;
use std::time::Duration;

/// A customer's browser: keeps the form cookie, follows no redirects.
struct Customer {
    agent: ureq::Agent,
    cookie: String,
}

impl Customer {
    fn new() -> Customer {
        Customer { agent: ureq::AgentBuilder::new().redirects(0).timeout(Duration::from_secs(60)).build(), cookie: String::new() }
    }

    fn open(&mut self, url: &str) -> (u16, String) {
        let r = match self.agent.get(url).call() {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        if let Some(c) = r.header("set-cookie") {
            self.cookie = c.split(';').next().unwrap_or("").to_owned();
        }
        (r.status(), r.into_string().unwrap())
    }

    fn send(&self, url: &str, form: &str, files: &[(&str, &[u8])]) -> (u16, String) {
        let boundary = "customer-boundary-51";
        let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"form\"\r\n\r\n{form}\r\n").into_bytes();
        for (name, bytes) in files {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let sent = self
            .agent
            .post(url)
            .set("Cookie", &self.cookie)
            .set("Content-Type", &format!("multipart/form-data; boundary={boundary}"))
            .send_bytes(&body);
        let r = match sent {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        (r.status(), r.into_string().unwrap())
    }
}

fn form_token(page: &str) -> String {
    let marker = "name=\"form\" value=\"";
    let start = page.find(marker).expect("a form token") + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

#[test]
fn a_customer_answers_an_evidence_request_once_and_the_claim_is_screened_again() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let secret = dir.path().join("webhook.secret");
    std::fs::write(&secret, "whsec-test-0123456789abcdef\n").unwrap();
    let (hook, delivered) = receiver(vec![]);
    let server = Server::start(
        &data,
        &["--webhook-url", &hook, "--webhook-secret-file", secret.to_str().unwrap(), "--customer-contact", "Bel 020 123 45 67"],
    );
    let picture = jpeg(&blocks(320, 240, 31));
    let (_, _, doc) = server.submit(r#"{"external_ref": "ZD-EV-1", "customer_id": "cust-ev-77"}"#, &[("a.jpg", &picture)], None);
    let id = doc["id"].as_str().unwrap().to_owned();
    server.screened(&id);
    delivered.recv_timeout(Duration::from_secs(60)).expect("the first screening is announced");

    let ask = |body: &str| server.post_json(&server.key, &format!("/v1/claims/{id}/evidence-requests"), body);
    assert_eq!(ask(r#"{"asks": []}"#).0, 422);
    assert_eq!(ask(r#"{"asks": ["selfie"]}"#).0, 422);
    assert_eq!(ask(r#"{"asks": ["new_photo"], "expires_in_hours": 0}"#).0, 422);
    assert_eq!(ask(r#"{"asks": ["new_photo"], "colour": "red"}"#).0, 400);
    let (status, made) = ask(r#"{"asks": ["new_photo", "receipt"], "lang": "en"}"#);
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["state"], "sent");
    let url = made["url"].as_str().unwrap().to_owned();
    let secret_part = url.rsplit('/').next().unwrap();
    assert!(secret_part.len() >= 64, "a long random link: {url}");

    let mut customer = Customer::new();
    let (status, page) = customer.open(&url);
    assert_eq!(status, 200);
    assert!(page.contains("Your code:") && page.contains("capture=\"environment\""), "a code and the camera");
    assert!(page.contains("Bel 020 123 45 67") && page.contains("a person takes the decision"));
    assert!(!page.contains("ZD-EV-1") && !page.contains("cust-ev-77") && !page.contains(&id), "nothing of the claim");
    assert!(page.len() < 100_000);
    let token = form_token(&page);

    // No form token, then a file that is not a photo: refused, nothing stored.
    assert_eq!(customer.send(&url, "", &[("a.jpg", &picture)]).0, 403);
    let (status, page) = customer.send(&url, &token, &[("notes.txt", b"not a photo at all")]);
    assert_eq!(status, 422);
    assert!(page.contains("is not a photo we can read"), "{page}");
    let claim = server.get(&format!("/v1/claims/{id}")).1;
    assert_eq!(claim["evidence"].as_array().unwrap().len(), 1, "nothing attached");

    let (_, page) = customer.open(&url);
    let new_photo = jpeg(&blocks(320, 240, 32));
    let (status, page) = customer.send(&url, &form_token(&page), &[("IMG_0042.jpg", &new_photo)]);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("we received it"));

    // Screened again with the new file, and the CRM is told.
    let event = delivered.recv_timeout(Duration::from_secs(60)).expect("the new screening is announced");
    let event: Value = serde_json::from_slice(&event.body).unwrap();
    assert_eq!(event["claim"]["evidence_requests_answered"][0]["id"], made["id"], "{event}");
    let claim = server.screened(&id);
    let files = claim["evidence"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[1]["request_id"], made["id"]);
    assert!(files[1]["verdict"].is_string());
    let (_, list) = server.get(&format!("/v1/claims/{id}/evidence-requests"));
    let listed = &list["requests"][0];
    assert_eq!((listed["state"].as_str(), listed["files"].as_i64()), (Some("answered"), Some(1)));
    assert!(listed["code_shown_at"].is_string() && listed["answered_at"].is_string());

    // Used, withdrawn, expired and made-up links: a friendly page, nothing else.
    let (status, page) = customer.open(&url);
    assert_eq!(status, 410);
    assert!(page.contains("already been used") && page.contains("Bel 020 123 45 67"));
    assert_eq!(customer.send(&url, &token, &[("b.jpg", &new_photo)]).0, 410);
    let (status, page) = customer.open(&server.url("/r/not-a-link-we-made"));
    assert_eq!(status, 404);
    assert!(page.contains("werkt niet"));
    let (_, withdrawn) = ask(r#"{"asks": ["original_file"]}"#);
    let req = ureq::delete(&server.url(&format!("/v1/claims/{id}/evidence-requests/{}", withdrawn["id"].as_str().unwrap())))
        .set("Authorization", &format!("Bearer {}", server.key));
    assert_eq!(reply(req.call()).0, 204);
    let (status, page) = customer.open(withdrawn["url"].as_str().unwrap());
    assert_eq!(status, 410);
    assert!(page.contains("ingetrokken"));
    let (_, later) = ask(r#"{"asks": ["original_file"], "expires_in_hours": 1}"#);
    expire(&data, later["id"].as_str().unwrap());
    let (status, page) = customer.open(later["url"].as_str().unwrap());
    assert_eq!(status, 410);
    assert!(page.contains("verlopen"));

    // A burst against one link is slowed down.
    let (_, burst) = ask(r#"{"asks": ["receipt"]}"#);
    let statuses: Vec<u16> = (0..40).map(|_| customer.open(burst["url"].as_str().unwrap()).0).collect();
    assert!(statuses.contains(&429), "{statuses:?}");
    assert_eq!(statuses[0], 200);

    let audit = proofdesk_in(&data, &["audit", "show", "--claim", &id]).stdout;
    for action in ["evidence-request.create", "evidence-request.open", "evidence-request.answer", "evidence-request.refused", "evidence-request.revoke"] {
        assert!(audit.contains(action), "{action} in {audit}");
    }
    assert_eq!(proofdesk_in(&data, &["audit", "verify"]).code, 0);
}

/// Lets a request's time run out, as if 1 hour had passed.
pub fn expire(data: &std::path::Path, request_id: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = proofdesk_storage::Database::open_data_dir(data).await.unwrap();
        sqlx::query("UPDATE evidence_requests SET expires_at = 1 WHERE id = $1")
            .bind(request_id)
            .execute(&db.pool)
            .await
            .unwrap();
    });
}

#[test]
fn the_claim_page_asks_for_several_things_and_withdraws_a_request() {
    use crate::browser::add_user;
    use crate::workspace::{hidden, Client};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &["--public-url", "https://claims.example.nl"]);
    add_user(&data, "bob", "agent", "Bob");
    let (_, _, doc) = server.submit(r#"{"external_ref": "ZD-EV-2", "customer_id": "c-ev-2"}"#, &[("a.jpg", &jpeg(&blocks(320, 240, 33)))], None);
    let id = doc["id"].as_str().unwrap().to_owned();
    server.screened(&id);
    let mut bob = Client::new(&server);
    bob.sign_in("bob", "correct horse battery");
    let page = bob.get(&format!("/claims/{id}")).body;
    assert!(page.contains("Om beter bewijs vragen"));
    let csrf = hidden(&page, "csrf");
    let path = format!("/claims/{id}/evidence-requests");
    assert_eq!(bob.post(&path, &[("csrf", &csrf), ("lang", "nl")]).status, 422, "ask for something");
    let made = bob.post(&path, &[("csrf", &csrf), ("ask", "original_file"), ("ask", "receipt"), ("lang", "en"), ("hours", "24")]);
    assert_eq!(made.status, 200);
    assert!(made.body.contains("https://claims.example.nl/r/"), "the public address in the link");
    assert!(made.body.contains("<svg") && made.body.contains("QR-code van de link"), "a QR code of it");
    let page = bob.get(&format!("/claims/{id}")).body;
    assert!(page.contains("het originele bestand, de aankoopbon") && page.contains("verstuurd"), "both asks, sent");
    let (_, list) = server.get(&format!("/v1/claims/{id}/evidence-requests"));
    let request = list["requests"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(list["requests"][0]["asks"], serde_json::json!(["original_file", "receipt"]));
    let withdrawn = bob.post(&format!("{path}/{request}/revoke"), &[("csrf", &csrf)]);
    assert_eq!(withdrawn.status, 303);
    assert!(bob.get(&format!("/claims/{id}")).body.contains("ingetrokken"));
}

#[test]
fn an_oversized_answer_is_refused_with_a_message_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &["--max-request-mib", "1"]);
    let (_, _, doc) = server.submit(r#"{"external_ref": "ZD-EV-3", "customer_id": "c-ev-3"}"#, &[("a.jpg", &jpeg(&blocks(64, 64, 3)))], None);
    let id = doc["id"].as_str().unwrap().to_owned();
    server.screened(&id);
    let req = ureq::post(&server.url(&format!("/v1/claims/{id}/evidence-requests")))
        .set("Authorization", &format!("Bearer {}", server.key))
        .set("Content-Type", "application/json");
    let (_, _, made) = reply(req.send_string(r#"{"asks": ["original_file"], "lang": "en"}"#));
    let url = made["url"].as_str().unwrap();
    let mut customer = Customer::new();
    let (_, page) = customer.open(url);
    let big = vec![0xFFu8; 2 << 20];
    let (status, page) = customer.send(url, &form_token(&page), &[("huge.jpg", &big)]);
    assert_eq!(status, 422);
    assert!(page.contains("larger than 1 MB"), "{page}");
    assert_eq!(server.get(&format!("/v1/claims/{id}")).1["evidence"].as_array().unwrap().len(), 1);
    let (_, list) = server.get(&format!("/v1/claims/{id}/evidence-requests"));
    assert_eq!(list["requests"][0]["state"], "opened", "the link still works");
}
