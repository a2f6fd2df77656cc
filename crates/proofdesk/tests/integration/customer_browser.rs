//! The evidence request in real Chromium: an agent asks for a new photo on the claim
//! page, the customer opens the link on a phone-sized screen, sees the code, sends a
//! corpus photo; the agent sees it screened on the claim with the code and the times.
//! The customer page passes axe-core's WCAG 2 A/AA rules, works with the keyboard and
//! weighs under 100 KB; a used and an expired link are refused with a clear page.

use crate::browser::add_user;
use crate::server::Server;
use crate::util::corpus;
use crate::webdriver::{Browser, ENTER, TAB};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn artefacts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser")
}

/// axe-core's script: `PROOFDESK_AXE`, else none (required when browser tests are).
pub fn axe() -> Option<String> {
    match std::env::var("PROOFDESK_AXE") {
        Ok(path) => Some(std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("PROOFDESK_AXE={path}: {e}"))),
        Err(_) => {
            let required = std::env::var("PROOFDESK_TEST_BROWSER").is_ok_and(|v| v == "1");
            assert!(!required, "PROOFDESK_TEST_BROWSER=1 needs PROOFDESK_AXE (axe.min.js from npm's axe-core; .ci/run installs it)");
            eprintln!("note: no PROOFDESK_AXE, so the accessibility rules are not run");
            None
        }
    }
}

/// axe-core's WCAG 2 A/AA violations on the page shown (an empty list when none).
pub fn violations(b: &Browser, axe: &str) -> Value {
    b.script(&format!("{axe}\n;return true"));
    b.script_async(
        "const done = arguments[arguments.length - 1]; \
         axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}) \
           .then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))) \
           .catch(e => done(['axe failed: ' + e]))",
    )
}

#[test]
fn a_customer_sends_a_new_photo_with_the_code_from_a_phone() {
    let Some(corpus) = corpus() else { return };
    let Some(b) = Browser::start() else { return };
    let axe = axe();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &["--customer-contact", "Bel 020 123 45 67 (werkdagen 9–17 uur)"]);
    add_user(&data, "bob", "agent", "Bob Jansen");
    let corpus = corpus.canonicalize().unwrap();
    let first = std::fs::read(corpus.join("camera/Apple_iPhone_4.jpg")).unwrap();
    let (status, _, doc) = server.submit(r#"{"external_ref": "ZD-3100", "customer_id": "cust-31"}"#, &[("bumper.jpg", &first)], None);
    assert_eq!(status, 202, "{doc}");
    let id = doc["id"].as_str().unwrap().to_owned();
    server.screened(&id);

    // The agent asks for a new photo (the default choice) and gets the link once.
    crate::browser::sign_in(&b, &server, "bob");
    b.goto(&server.url(&format!("/claims/{id}")));
    // With the keyboard: the claim page's photos load lazily and move the page as they
    // come in, so a click could land where the button was a moment before.
    b.find("form.request button[type=submit]");
    b.script("document.querySelector('form.request button[type=submit]').focus(); return true");
    b.keys(&[ENTER]);
    b.find_within("#link", 30);
    let link = b.script("return document.getElementById('link').value").as_str().unwrap().to_owned();
    assert!(link.contains("/r/"), "{link}");

    // The customer, on a phone-sized screen.
    b.resize(390, 844);
    b.goto(&link);
    let code = b.text(&b.find("p.code"));
    assert!(code.len() == 7 && code.as_bytes()[3] == b'-', "a short code: {code}");
    let text = b.text(&b.find("main"));
    assert!(text.contains("een mens neemt de beslissing") && text.contains("Bel 020 123 45 67"), "{text}");
    assert!(!text.contains("ZD-3100") && !text.contains("cust-31"), "nothing of the claim");
    let wide = b.script("return document.documentElement.scrollWidth <= window.innerWidth");
    assert_eq!(wide, Value::Bool(true), "nothing wider than the phone");
    let weight = b.script(
        "const n=performance.getEntriesByType('navigation')[0].decodedBodySize; \
         return n + performance.getEntriesByType('resource').reduce((s,r)=>s+r.decodedBodySize,0)",
    );
    let weight = weight.as_f64().unwrap_or(f64::MAX);
    eprintln!("customer page weight: {weight} bytes");
    assert!(weight > 0.0 && weight < 100_000.0, "the customer page weighs {weight} bytes");
    b.resize(390, 1700);
    b.screenshot(&artefacts().join("customer-page.png"));
    b.resize(390, 844);

    if let Some(axe) = &axe {
        assert_eq!(violations(&b, axe), Value::Array(vec![]), "axe-core finds no WCAG 2 A/AA violations");
    }
    // The keyboard reaches every control, in order, up to the send button.
    b.script("document.activeElement && document.activeElement.blur(); window.scrollTo(0,0); return true");
    let mut reached = Vec::new();
    for _ in 0..6 {
        b.keys(&[TAB]);
        let focused = b.script("const e=document.activeElement; return e.id || e.tagName.toLowerCase()");
        reached.push(focused.as_str().unwrap_or("").to_owned());
        if reached.last().map(String::as_str) == Some("button") {
            break;
        }
    }
    assert!(reached.contains(&"photo".to_owned()) && reached.last().map(String::as_str) == Some("button"), "{reached:?}");

    // A new photo (another corpus camera photo stands in for it), sent with the camera input.
    let photo = corpus.join("camera/Canon_EOS_7D.jpg");
    b.type_into(&b.find("#photo"), &photo.display().to_string());
    b.click(&b.find("form button[type=submit]"));
    assert!(
        b.wait_until("const h=document.querySelector('h1'); return !!h && h.textContent.includes('Dank u wel')", 60),
        "the thank-you page: {}",
        b.text(&b.find("main"))
    );

    // Opening the link again is refused, clearly.
    b.goto(&link);
    assert_eq!(b.text(&b.find("h1")), "Deze link is al gebruikt");

    // The agent sees the new file screened, with the code and the times beside it.
    b.resize(1280, 1600);
    b.goto(&server.url(&format!("/claims/{id}")));
    let mut shown = false;
    for _ in 0..120 {
        if b.all("article.file").len() == 2 && b.all("p.notice").is_empty() && !b.all(".arrival").is_empty() {
            shown = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
        b.goto(&server.url(&format!("/claims/{id}")));
    }
    assert!(shown, "the new file is on the claim, screened");
    let arrival = b.text(&b.find(".arrival"));
    assert!(arrival.contains(&code) && arrival.contains("Code getoond") && arrival.contains("Foto binnen"), "{arrival}");
    assert!(arrival.contains("Gemaakt, volgens de foto"), "{arrival}");
    b.screenshot(&artefacts().join("claim-page-answered.png"));

    // An expired link is refused.
    let req = ureq::post(&server.url(&format!("/v1/claims/{id}/evidence-requests")))
        .set("Authorization", &format!("Bearer {}", server.key))
        .set("Content-Type", "application/json");
    let (_, _, later) = crate::server::reply(req.send_string(r#"{"asks": ["original_file"]}"#));
    crate::evidence_requests::expire(&data, later["id"].as_str().unwrap());
    b.resize(390, 844);
    b.goto(later["url"].as_str().unwrap());
    assert_eq!(b.text(&b.find("h1")), "Deze link is verlopen");
}
