//! `proofdesk serve` as an integrator meets it: a real server process on loopback,
//! real HTTP, the embedded SQLite database (and PostgreSQL when the machine has it).

use crate::server::{create_key, jpeg, multipart, PgSchema, Server};
use crate::util::blocks;
use image::imageops;
use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Submits a photo, then a cropped copy in another customer's claim: both are
/// screened, the copy is escalated naming the first claim; evidence is encrypted.
fn claims_are_screened_and_reuse_is_escalated(server: &Server, data: Option<&Path>, tag: &str) {
    let photo = blocks(640, 480, 11);
    let original = jpeg(&photo);
    let claim = format!(
        r#"{{"external_ref":"ZD-{tag}-1","customer_id":"cust-{tag}-a","claimed_amount":"89.90","currency":"EUR","delivery_country":"NL"}}"#
    );
    let (status, location, body) = server.submit(
        &claim,
        &[("parcel.jpg", &original)],
        Some(&format!("{tag}-first")),
    );
    assert_eq!(status, 202, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        location.as_deref(),
        Some(format!("/v1/claims/{id}").as_str())
    );
    let first = server.screened(&id);
    assert_eq!(first["status"], "screened", "{first}");
    assert_eq!(first["evidence"][0]["filename"], "parcel.jpg");
    assert!(first["evidence"][0]["verdict"].is_string(), "{first}");
    assert_eq!(first["context"]["claimed_amount_minor"], 8990);

    let copy = jpeg(&imageops::crop_imm(&photo, 60, 40, 480, 400).to_image());
    let claim2 = format!(r#"{{"external_ref":"ZD-{tag}-2","customer_id":"cust-{tag}-b"}}"#);
    let (status, _, body) = server.submit(&claim2, &[("damage.jpg", &copy)], None);
    assert_eq!(status, 202, "{body}");
    let second = server.screened(body["id"].as_str().unwrap());
    assert_eq!(second["band"], "escalate", "{second}");
    let reason = &second["reasons"][0];
    assert_eq!(reason["signal"], "reuse.seen-before");
    assert!(
        reason["summary"]["en"].as_str().unwrap().contains(&id),
        "{reason}"
    );
    assert!(
        reason["summary"]["nl"]
            .as_str()
            .unwrap()
            .contains("bijgesneden"),
        "{reason}"
    );

    let (_, list) = server.get(&format!(
        "/v1/claims?band=escalate&customer_id=cust-{tag}-b"
    ));
    assert_eq!(list["claims"].as_array().unwrap().len(), 1, "{list}");

    if let Some(data) = data {
        let sha = first["evidence"][0]["sha256"].as_str().unwrap();
        let blob = std::fs::read(data.join("evidence").join(&sha[..2]).join(sha))
            .expect("stored by address");
        assert!(blob.starts_with(b"PDE1"), "encrypted blob");
        assert!(
            !blob
                .windows(64)
                .any(|w| original.windows(64).next() == Some(w)),
            "no plaintext on disk"
        );
    }
}

#[test]
fn claims_are_screened_routed_and_encrypted_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    claims_are_screened_and_reuse_is_escalated(&server, Some(&data), "sqlite");
    // Every submission, read and screening is in the audit trail, and the chain holds.
    let out = crate::util::proofdesk_in(&data, &["audit", "verify"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let entries: u32 = out
        .stdout
        .split("intact: ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(entries >= 6, "{}", out.stdout);
}

#[test]
fn evidence_keys_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let keys = format!("old={};new={}", "11".repeat(32), "22".repeat(32));
    let server = Server::start_with_env(&data, &[], &[("PROOFDESK_EVIDENCE_KEYS", &keys)]);
    let photo = jpeg(&blocks(320, 240, 21));
    let (status, _, body) = server.submit(
        r#"{"external_ref":"ZD-env","customer_id":"c-env"}"#,
        &[("p.jpg", &photo)],
        None,
    );
    assert_eq!(status, 202, "{body}");
    let doc = server.screened(body["id"].as_str().unwrap());
    assert_eq!(
        doc["status"], "screened",
        "read back with the same keys: {doc}"
    );
    let sha = doc["evidence"][0]["sha256"].as_str().unwrap();
    let blob = std::fs::read(data.join("evidence").join(&sha[..2]).join(sha)).unwrap();
    assert_eq!(
        &blob[..8],
        b"PDE1\x03new",
        "sealed with the last key, named in the blob"
    );
    assert!(!data.join("keys").exists(), "no key file made");
}

#[test]
fn claims_are_screened_and_routed_on_postgres() {
    let Some(schema) = PgSchema::create("the service") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &["--database-url", &schema.url]);
    claims_are_screened_and_reuse_is_escalated(&server, None, "pg");
}

#[test]
fn claims_are_screened_with_their_evidence_in_an_s3_bucket() {
    let Ok(endpoint) = std::env::var("PROOFDESK_TEST_S3_ENDPOINT") else {
        eprintln!(
            "skipped: set PROOFDESK_TEST_S3_ENDPOINT (e.g. a moto_server) to run the service on S3"
        );
        return;
    };
    let bucket =
        std::env::var("PROOFDESK_TEST_S3_BUCKET").unwrap_or_else(|_| "proofdesk-test".into());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = format!("s3://{bucket}/service-{}", std::process::id());
    let envs = [
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
    ];
    let server = Server::start_with_env(&data, &["--evidence-store", &store], &envs);
    claims_are_screened_and_reuse_is_escalated(&server, None, "s3");
    assert!(!data.join("evidence").exists(), "nothing stored locally");
}

#[test]
fn bad_requests_get_precise_problems() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        &dir.path().join("data"),
        &["--workers", "0", "--max-request-mib", "1"],
    );
    let photo = jpeg(&blocks(200, 150, 3));
    let ok = r#"{"external_ref":"ZD-9","customer_id":"c-9"}"#;

    let (s, _, p) = server.call(
        ureq::post(&server.url("/v1/claims")),
        Some(("application/json", b"{}")),
    );
    assert_eq!((s, p["status"].as_u64()), (415, Some(415)), "{p}");
    let (s, _, p) = server.submit(
        r#"{"customer_id": 7, "purchase_date": "2024-02-30", "colour": "red"}"#,
        &[("a.jpg", &photo)],
        None,
    );
    assert_eq!(s, 400);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["colour", "external_ref", "customer_id", "purchase_date"],
        "{p}"
    );
    let (s, _, p) = server.submit("{not json", &[("a.jpg", &photo)], None);
    assert!(
        s == 400 && p["detail"].as_str().unwrap().contains("not valid JSON"),
        "{p}"
    );
    let (s, _, p) = server.submit(ok, &[], None);
    assert!(
        s == 400 && p["detail"].as_str().unwrap().contains("at least one"),
        "{p}"
    );
    // Too large, by its declared length or (sent in chunks) as it arrives: the client
    // reads the 413 even though it sends the whole body before reading.
    let big = vec![0xAB; 8_000_000];
    let (s, _, p) = server.submit(ok, &[("big.jpg", &big)], None);
    assert!(
        s == 413 && p["detail"].as_str().unwrap().contains("1 MiB"),
        "{p}"
    );
    let (content_type, body) = multipart(ok, &[("big.jpg", &big)]);
    let (s, _, p) = crate::server::reply(
        ureq::post(&server.url("/v1/claims"))
            .set("Authorization", &format!("Bearer {}", server.key))
            .set("Content-Type", &content_type)
            .send(std::io::Cursor::new(body)),
    );
    assert_eq!(s, 413, "sent in chunks: {p}");
    let (s, p) = server.get("/v1/claims/clm_nothing");
    assert_eq!((s, p["status"].as_u64()), (404, Some(404)));
    let (s, _) = server.get("/v2/whatever");
    assert_eq!(s, 404);
    let (s, _) = server.get("/v1/claims?status=lost");
    assert_eq!(s, 400);

    // The same key with other content is refused; with the same content it is the same claim.
    let (s, _, first) = server.submit(ok, &[("a.jpg", &photo)], Some("dup"));
    assert_eq!(s, 202);
    let (s, _, again) = server.submit(ok, &[("a.jpg", &photo)], Some("dup"));
    assert_eq!((s, &again["id"]), (202, &first["id"]));
    let (s, _, p) = server.submit(ok, &[("b.jpg", &jpeg(&blocks(200, 150, 4)))], Some("dup"));
    assert_eq!(s, 422, "{p}");

    // Without a key, with an unknown one, or without the scope: refused.
    let (content_type, body) = multipart(ok, &[("a.jpg", &photo)]);
    let (s, _, p) = Server::send(
        ureq::post(&server.url("/v1/claims")),
        Some((&content_type, &body)),
    );
    assert!(
        s == 401 && p["detail"].as_str().unwrap().contains("Bearer"),
        "{p}"
    );
    let (s, _, _) = Server::send(
        ureq::get(&server.url("/v1/claims")).set("Authorization", "Bearer pdk_0_0"),
        None,
    );
    assert_eq!(s, 401);
    let reader = create_key(&dir.path().join("data"), &[], "claims:read");
    let (s, _, p) = Server::send(
        ureq::post(&server.url("/v1/claims")).set("Authorization", &format!("Bearer {reader}")),
        Some((&content_type, &body)),
    );
    assert!(
        s == 403 && p["detail"].as_str().unwrap().contains("claims:write"),
        "{p}"
    );
    let (s, _, _) = Server::send(
        ureq::get(&server.url("/v1/claims")).set("Authorization", &format!("Bearer {reader}")),
        None,
    );
    assert_eq!(s, 200);

    // The OpenAPI document lists what answers.
    let (s, doc) = server.get("/openapi.json");
    assert_eq!(s, 200);
    for path in ["/v1/claims", "/v1/claims/{id}", "/v1/claims/{id}/decisions", "/v1/claims/{id}/evidence-requests", "/v1/claims/{id}/evidence-requests/{request}", "/v1/claims/{id}/legal-hold", "/v1/retention", "/v1/subjects/{customer}"] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
}

#[test]
fn concurrent_identical_requests_create_one_claim_and_a_restart_resumes_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let photo = jpeg(&blocks(320, 240, 5));
    let claim = r#"{"external_ref":"ZD-77","customer_id":"c-race"}"#;
    let ids: Vec<String> = {
        let server = Server::start(&data, &["--workers", "0"]);
        let server = &server;
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| server.submit(claim, &[("p.jpg", &photo)], Some("same-key"))))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .map(|(st, _, b)| {
                    assert_eq!(st, 202, "{b}");
                    b["id"].as_str().unwrap().to_owned()
                })
                .collect()
        })
    };
    assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");
    // No worker ran: the claim waits. A new server with a worker picks it up.
    let server = Server::start(&data, &[]);
    let (_, list) = server.get("/v1/claims?customer_id=c-race");
    assert_eq!(list["claims"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(server.screened(&ids[0])["status"], "screened");
}

#[test]
fn context_checks_compare_the_photo_with_the_claim() {
    let Some(corpus) = crate::util::corpus() else {
        return;
    };
    let photo = std::fs::read(corpus.join("camera/Canon_EOS_20D__1_.jpg")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    // Taken in 2004, claimed for a 2024 purchase.
    let claim = r#"{"external_ref":"ZD-5","customer_id":"c-5","purchase_date":"2024-05-01","incident_date":"2024-06-01"}"#;
    let (_, _, body) = server.submit(claim, &[("bumper.jpg", &photo)], None);
    let doc = server.screened(body["id"].as_str().unwrap());
    let ids: Vec<&str> = doc["evidence"][0]["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"context.captured-before-purchase")
            && ids.contains(&"context.captured-before-incident"),
        "{ids:?}"
    );
    // Dates that do not fit are a reason to look (the camera clock may be wrong), not
    // a case for the fraud team on their own.
    assert_eq!(doc["band"], "review", "{doc}");
    let reasons: Vec<&str> = doc["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["signal"].as_str().unwrap())
        .collect();
    assert!(
        reasons.contains(&"context.captured-before-purchase"),
        "{reasons:?}"
    );
    assert_eq!(
        doc["evidence"][0]["verdict"], "camera-original",
        "the file itself is still a camera original"
    );
    // A photo with GPS in Italy, for an order delivered in the Netherlands.
    let italy = std::fs::read(corpus.join("camera/exifsamples_gps_DSCN0010.jpg")).unwrap();
    let claim = r#"{"external_ref":"ZD-6","customer_id":"c-6","delivery_country":"NL"}"#;
    let (_, _, body) = server.submit(claim, &[("dent.jpg", &italy)], None);
    let doc = server.screened(body["id"].as_str().unwrap());
    let place = doc["evidence"][0]["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "context.place-elsewhere")
        .unwrap_or_else(|| panic!("no place signal: {doc}"));
    assert!(
        place["summary"]["en"]
            .as_str()
            .unwrap()
            .contains("in IT, not in NL"),
        "{place}"
    );
}

/// A scanned receipt in a claim is read, and set against the claim: a purchase date
/// six weeks off and a claimed amount above its total route the claim to review, with
/// the fields read shown in the evidence.
#[test]
fn a_receipt_is_read_and_compared_with_the_claim() {
    let Some(corpus) = crate::util::corpus() else {
        return;
    };
    if !crate::util::ocr_models() {
        return;
    }
    // Dated 2018-03-19, total RM 11.40.
    let receipt = std::fs::read(corpus.join("receipt/sroie_062.jpg")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let claim = r#"{"external_ref":"ZD-7","customer_id":"c-7","purchase_date":"2018-02-01","claimed_amount":"50.00","currency":"EUR"}"#;
    let (_, _, body) = server.submit(claim, &[("bon.jpg", &receipt)], None);
    let doc = server.screened(body["id"].as_str().unwrap());
    let evidence = &doc["evidence"][0];
    let ids: Vec<&str> = evidence["signals"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert!(
        ids.contains(&"context.receipt-date-differs") && ids.contains(&"context.claim-exceeds-receipt"),
        "{ids:?}"
    );
    assert_eq!(doc["band"], "review", "{doc}");
    let fields = &evidence["receipt"]["fields"];
    assert_eq!(fields["total"]["value"], 1140, "{evidence}");
    assert_eq!(fields["date"]["value"], "2018-03-19");
    // The same receipt with a claim that fits it: nothing to say about the context.
    let claim = r#"{"external_ref":"ZD-8","customer_id":"c-8","purchase_date":"2018-03-19","claimed_amount":"11.40","currency":"EUR"}"#;
    let (_, _, body) = server.submit(claim, &[("bon.jpg", &receipt)], None);
    let doc = server.screened(body["id"].as_str().unwrap());
    let ids: Vec<&str> = doc["evidence"][0]["signals"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert!(!ids.iter().any(|id| id.starts_with("context.receipt") || *id == "context.claim-exceeds-receipt"), "{ids:?}");
}

/// One request a test receiver got: its headers (lower-case names) and body.
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An HTTP receiver on loopback that answers `statuses` in turn (then 200) and sends
/// what it got down the channel.
pub fn receiver(statuses: Vec<u16>) -> (String, std::sync::mpsc::Receiver<Received>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks/proofdesk", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut statuses = statuses.into_iter();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head_end, length) = loop {
                let n = stream.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break (0, 0);
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..p]).to_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    break (p + 4, len);
                }
            };
            while buf.len() < head_end + length {
                let n = stream.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
            let headers = head
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_owned()))
                .collect();
            let status = statuses.next().unwrap_or(200);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = tx.send(Received {
                headers,
                body: buf[head_end..].to_vec(),
            });
        }
    });
    (url, rx)
}

#[test]
fn a_screened_claim_is_announced_by_a_signed_webhook_retried_until_accepted() {
    use hmac::{Hmac, Mac};
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("webhook.secret");
    std::fs::write(&secret, "whsec-test-0123456789abcdef\n").unwrap();
    let (url, got) = receiver(vec![503]);
    let server = Server::start(
        &dir.path().join("data"),
        &[
            "--webhook-url",
            &url,
            "--webhook-secret-file",
            secret.to_str().unwrap(),
        ],
    );
    let photo = jpeg(&blocks(320, 240, 9));
    let (_, _, body) = server.submit(
        r#"{"external_ref":"ZD-88","customer_id":"c-88","delivery_postcode":"1012 JS"}"#,
        &[("p.jpg", &photo)],
        None,
    );
    let id = body["id"].as_str().unwrap();

    let first = got
        .recv_timeout(Duration::from_secs(60))
        .expect("a delivery");
    let second = got
        .recv_timeout(Duration::from_secs(60))
        .expect("a retry after the 503");
    for r in [&first, &second] {
        assert_eq!(r.header("proofdesk-event"), Some("claim.screened"));
        let event: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(event["claim"]["id"], id);
        assert!(event["claim"]["band"].is_string(), "{event}");
        // By default the receiver gets the outcome and the customer id, not the context or the files.
        assert_eq!(event["claim"]["customer_id"], "c-88");
        assert!(event["claim"].get("context").is_none() && event["claim"].get("evidence").is_none(), "{event}");
        // The receiver's check: HMAC-SHA256 over "t.body" with the shared secret.
        let sig = r.header("proofdesk-signature").unwrap();
        let (t, v1) = sig
            .strip_prefix("t=")
            .and_then(|s| s.split_once(",v1="))
            .unwrap();
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"whsec-test-0123456789abcdef").unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(&r.body);
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(v1, hex, "the signature verifies");
    }
    assert_eq!(
        first.header("proofdesk-delivery"),
        second.header("proofdesk-delivery"),
        "one delivery, retried"
    );
    assert!(
        got.recv_timeout(Duration::from_secs(3)).is_err(),
        "accepted once: no more deliveries"
    );
}

/// Starts `proofdesk worker` on a data directory.
fn worker(data: &Path, lease_seconds: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_proofdesk"))
        .args(["worker", "--lease-seconds", lease_seconds])
        .env("PROOFDESK_DATA_DIR", data)
        .env_remove("PROOFDESK_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("worker starts")
}

#[test]
fn a_worker_killed_mid_job_leaves_the_claim_to_another_and_it_is_screened_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &["--workers", "0"]);
    // Large pictures, so screening takes long enough to be interrupted.
    let files: Vec<Vec<u8>> = (0..2).map(|k| jpeg(&blocks(6000, 4500, 40 + k))).collect();
    let named: Vec<(&str, &[u8])> = files.iter().map(|f| ("big.jpg", f.as_slice())).collect();
    let (_, _, body) = server.submit(
        r#"{"external_ref":"ZD-kill","customer_id":"c-kill"}"#,
        &named,
        None,
    );
    let id = body["id"].as_str().unwrap().to_owned();

    let mut first = worker(&data, "2");
    let started = Instant::now();
    loop {
        let (_, doc) = server.get(&format!("/v1/claims/{id}"));
        if doc["status"] == "screening" {
            break;
        }
        assert!(
            doc["status"] == "received" && started.elapsed() < Duration::from_secs(60),
            "{doc}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let (_, doc) = server.get(&format!("/v1/claims/{id}"));
    assert_eq!(
        doc["status"], "screening",
        "the killed worker left the claim unfinished (else make the pictures bigger)"
    );

    // Another worker takes the job over once the lease has run out.
    let mut second = worker(&data, "2");
    let doc = server.screened(&id);
    second.kill().unwrap();
    second.wait().unwrap();
    assert_eq!(doc["status"], "screened", "{doc}");
    let trail = crate::util::proofdesk_in(&data, &["audit", "show", "--claim", &id]);
    let screenings: Vec<&str> = trail
        .stdout
        .lines()
        .filter(|l| l.contains("claim.screen"))
        .collect();
    assert_eq!(
        screenings.len(),
        1,
        "screened exactly once:\n{}",
        trail.stdout
    );
    assert!(
        screenings[0].contains("attempt 2"),
        "by the second worker's attempt: {}",
        screenings[0]
    );
}

/// The same paper receipt scanned again for a second claim is found by its text (the
/// shop, day, receipt number and total), though no pixel matches; the same receipt
/// number with its total typed over is named as an edit and escalated.
#[test]
fn a_receipt_sent_again_is_found_by_its_text_and_an_edited_copy_is_named() {
    if !crate::util::ocr_models() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("receipts");
    let made = crate::util::proofdesk(&["make-receipts", "--out", set.to_str().unwrap(), "--count", "1", "--seed", "5", "--with-originals"]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let read = |name: &str| std::fs::read(set.join(name)).unwrap();
    let (original, rescan, forged) =
        (read("originals/forged-total_001.jpg"), read("originals/forged-total_001_rescan.jpg"), read("forged-total/forged-total_001.jpg"));
    assert_ne!(original, rescan);
    let server = Server::start(&dir.path().join("data"), &[]);
    let submit = |n: u32, bytes: &[u8]| -> Value {
        let claim = format!(r#"{{"external_ref":"ZD-R{n}","customer_id":"cust-r{n}"}}"#);
        let (status, _, body) = server.submit(&claim, &[("bon.jpg", bytes)], None);
        assert_eq!(status, 202, "{body}");
        server.screened(body["id"].as_str().unwrap())
    };
    let ids = |doc: &Value| -> Vec<String> {
        doc["evidence"][0]["signals"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_owned()).collect()
    };
    let first = submit(1, &original);
    assert!(!ids(&first).iter().any(|id| id.starts_with("receipt.") || id.starts_with("reuse.")), "{:?}", ids(&first));
    assert!(first["evidence"][0]["receipt"]["fields"]["receipt_number"]["value"].is_string(), "{first}");

    let again = submit(2, &rescan);
    let found = ids(&again);
    assert!(found.contains(&"receipt.seen-before".to_owned()), "{found:?}");
    assert!(!found.contains(&"reuse.seen-before".to_owned()), "no pixel match: the text found it: {found:?}");
    assert_eq!(again["band"], "escalate", "{again}");
    let signal = again["evidence"][0]["signals"].as_array().unwrap().iter().find(|s| s["id"] == "receipt.seen-before").unwrap().clone();
    assert_eq!(signal["details"]["source"], first["id"], "{signal}");

    let edited = submit(3, &forged);
    let found = ids(&edited);
    assert!(found.contains(&"receipt.number-other-total".to_owned()), "{found:?}");
    assert!(!found.contains(&"receipt.seen-before".to_owned()), "{found:?}");
    assert_eq!(edited["band"], "escalate", "{edited}");
}

#[test]
fn a_pdf_receipt_is_read_its_resubmission_found_and_an_edited_total_named() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("receipts");
    let made = crate::util::proofdesk(&["make-receipts", "--out", set.to_str().unwrap(), "--count", "1", "--seed", "3"]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let read = |name: &str| std::fs::read(set.join(name)).unwrap();
    let (genuine, forged) = (read("receipt-pdf/receipt-pdf_001.pdf"), read("forged-pdf/forged-pdf_001.pdf"));
    let server = Server::start(&dir.path().join("data"), &[]);
    let submit = |n: u32, bytes: &[u8]| -> Value {
        let claim = format!(r#"{{"external_ref":"ZD-P{n}","customer_id":"cust-p{n}"}}"#);
        let (status, _, body) = server.submit(&claim, &[("factuur.pdf", bytes)], None);
        assert_eq!(status, 202, "{body}");
        server.screened(body["id"].as_str().unwrap())
    };
    let ids = |doc: &Value| -> Vec<String> {
        doc["evidence"][0]["signals"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_owned()).collect()
    };
    let first = submit(1, &genuine);
    assert_eq!(first["evidence"][0]["format"], "pdf", "{first}");
    assert!(ids(&first).contains(&"receipt.pdf-text".to_owned()), "{:?}", ids(&first));
    assert!(first["evidence"][0]["receipt"]["fields"]["total"]["value"].is_i64(), "{first}");
    assert_eq!(first["band"], "clear", "{first}");

    let again = submit(2, &genuine);
    assert!(ids(&again).contains(&"receipt.seen-before".to_owned()), "{:?}", ids(&again));
    assert_eq!(again["band"], "escalate", "{again}");

    let edited = submit(3, &forged);
    let found = ids(&edited);
    assert!(found.iter().any(|id| id.starts_with("receipt.sum.") || id.starts_with("receipt.vat.")), "{found:?}");
    assert_ne!(edited["band"], "clear", "{edited}");
}
