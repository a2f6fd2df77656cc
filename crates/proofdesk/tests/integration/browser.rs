//! The web workspace in a real browser (headless Chromium through chromedriver): an
//! analyst signs in, enters a claim with corpus photos, sees its signals, a reuse match
//! beside the earlier photo and a heatmap, decides by keyboard alone with a reason, and
//! finds the decision in the claim's audit trail; an agent cannot choose "reject".
//! Screenshots of the claim page are kept under `target/browser/`.

use crate::server::Server;
use crate::util::corpus;
use crate::webdriver::{Browser, ENTER, SPACE, TAB};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const PASSWORD: &str = "correct horse battery";

/// `target/browser/` of the workspace (where CI keeps its artefacts).
fn artefacts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser")
}

pub fn add_user(data: &Path, name: &str, role: &str, display: &str) {
    add_user_in(data, &[], name, role, display)
}

/// `proofdesk user add` with database options (`--database-url URL`) first.
pub fn add_user_in(data: &Path, db: &[&str], name: &str, role: &str, display: &str) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_proofdesk"))
        .args(db)
        .args(["user", "add", name, "--role", role, "--display-name", display, "--password-stdin"])
        .env("PROOFDESK_DATA_DIR", data)
        .env_remove("PROOFDESK_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("user add runs");
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(child.wait().unwrap().success(), "user add {name}");
}

pub fn set_authority(data: &Path, name: &str, amount: &str) {
    set_authority_in(data, &[], name, amount)
}

/// `proofdesk user set-authority` with database options first.
pub fn set_authority_in(data: &Path, db: &[&str], name: &str, amount: &str) {
    let run = crate::util::proofdesk_in(data, &[db, &["user", "set-authority", name, amount]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
}

fn sign_out(b: &Browser) {
    b.click(&b.find("header.top form button"));
    b.find("#name");
}

pub fn sign_in(b: &Browser, server: &Server, name: &str) {
    b.goto(&server.url("/queue"));
    assert!(b.url().contains("/sign-in"), "a page needs a signed-in user: {}", b.url());
    b.type_into(&b.find("#name"), name);
    b.type_into(&b.find("#password"), PASSWORD);
    b.click(&b.find(".signin button[type=submit]"));
    b.find("table.queue, p.empty");
    assert!(b.url().ends_with("/queue"), "back on the page asked for: {}", b.url());
}

#[test]
fn an_analyst_enters_a_claim_judges_its_evidence_and_decides() {
    let Some(corpus) = corpus() else { return };
    let Some(b) = Browser::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    add_user(&data, "ann", "fraud_analyst", "Ann de Vries");
    add_user(&data, "bob", "agent", "Bob Jansen");
    add_user(&data, "sue", "supervisor", "Sue Bakker");
    set_authority(&data, "bob", "50EUR");
    set_authority(&data, "sue", "1000EUR");

    // An earlier claim (through the API) with the camera photo the new one reuses.
    let corpus = corpus.canonicalize().unwrap();
    let camera = corpus.join("camera/Apple_iPhone_4.jpg");
    let forgery = corpus.join("forgery/copymove_1_00.jpg");
    let bytes = std::fs::read(&camera).unwrap();
    let (status, _, doc) = server.submit(
        r#"{"external_ref": "ZD-1000", "customer_id": "cust-earlier"}"#,
        &[("holiday.jpg", &bytes)],
        None,
    );
    assert_eq!(status, 202, "{doc}");
    server.screened(doc["id"].as_str().unwrap());

    sign_in(&b, &server, "ann");

    // Enter a claim by hand with two photos.
    b.goto(&server.url("/claims/new"));
    b.type_into(&b.find("#f-external_ref"), "ZD-2024");
    b.type_into(&b.find("#f-customer_id"), "cust-42");
    b.type_into(&b.find("#f-product"), "Koffiezetapparaat");
    b.type_into(&b.find("#f-claimed_amount"), "129,95");
    let files = format!("{}\n{}", camera.display(), forgery.display());
    b.type_into(&b.find("#evidence"), &files);
    b.click(&b.find(".newclaim button[type=submit]"));
    let claim_url = b.wait_for_url("/claims/clm_", 60);

    // Wait for the screening, reloading as a person would.
    let mut screened = false;
    for _ in 0..120 {
        if b.all("p.notice").is_empty() && !b.all("ol.signals li").is_empty() {
            screened = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
        b.goto(&claim_url);
    }
    assert!(screened, "the claim was screened and its page shows signals");

    // Each signal is one sentence; the reuse match sits beside the earlier photo.
    let signals: Vec<String> = b.all("ol.signals li summary").iter().map(|e| b.text(e)).collect();
    assert!(signals.len() >= 4, "{signals:?}");
    assert!(
        signals.iter().any(|s| s.contains("al eerder gezien") && s.contains("clm_")),
        "the reused camera photo is named, in Dutch: {signals:?}"
    );
    assert!(
        b.wait_until("const i=[...document.querySelectorAll('.pair img')]; return i.length==2 && i.every(x=>x.complete && x.naturalWidth>0)", 30),
        "this claim's photo and the earlier claim's photo are shown side by side"
    );
    let earlier = b.text(&b.find(".pair figcaption a"));
    assert_eq!(earlier, doc["id"].as_str().unwrap());

    // A heatmap toggled over the forged photo.
    b.click(&b.find("label[for=view-1-copy-move]"));
    assert!(
        b.wait_until("const i=document.querySelector('#file-1').closest('article').querySelector('img.hm-copy-move'); return getComputedStyle(i).display!='none' && i.complete && i.naturalWidth>0", 60),
        "the copy-move heatmap is shown in place of the photo"
    );
    let photo_hidden = b.script("const a=document.querySelector('#file-1').closest('article'); return getComputedStyle(a.querySelector('img.photo')).display=='none'");
    assert_eq!(photo_hidden, Value::Bool(true));

    // Every image has a text alternative; the page without evidence images is light.
    let missing_alt = b.script("return [...document.images].filter(i=>!(i.alt||'').trim()).length");
    assert_eq!(missing_alt, Value::from(0));
    let weight = b.script(
        "const n=performance.getEntriesByType('navigation')[0].decodedBodySize; \
         return n + performance.getEntriesByType('resource').filter(r=>r.initiatorType!='img').reduce((s,r)=>s+r.decodedBodySize,0)",
    );
    let weight = weight.as_f64().unwrap_or(f64::MAX);
    eprintln!("claim page weight without evidence images: {weight} bytes");
    assert!(weight > 0.0 && weight < 500_000.0, "claim page weighs {weight} bytes");

    b.resize(1280, 2400);
    b.script("window.scrollTo(0, 0); return true");
    b.screenshot(&artefacts().join("claim-page.png"));

    // Ann entered this claim, so she cannot decide it.
    assert!(b.all("form.decide").is_empty(), "no decision form on one's own claim");
    sign_out(&b);

    // A supervisor decides by keyboard alone: Tab to the decision, Space to choose,
    // Tab past the amount (the claimed amount) to the reason, type it, Tab, Enter.
    sign_in(&b, &server, "sue");
    b.goto(&claim_url);
    assert!(b.text(&b.find("p.authority")).contains("€ 1000.00"), "the claim page says what she may approve");
    b.script("document.activeElement && document.activeElement.blur(); window.scrollTo(0,0); return true");
    let mut reached = false;
    for _ in 0..400 {
        b.keys(&[TAB]);
        if b.script("return document.activeElement.name") == "kind" {
            reached = true;
            break;
        }
    }
    assert!(reached, "the decision can be reached with Tab");
    b.keys(&[SPACE]);
    assert_eq!(b.script("return document.activeElement.value"), Value::from("approve"));
    for _ in 0..4 {
        b.keys(&[TAB]);
        if b.script("return document.activeElement.id") == "reason" {
            break;
        }
    }
    assert_eq!(b.script("return document.activeElement.id"), Value::from("reason"));
    assert_eq!(b.script("return document.getElementById('amount').value"), Value::from("129.95"));
    b.keys(&["De foto's passen bij de bestelling; de dubbele foto is van de klant zelf.", TAB]);
    assert_eq!(b.script("return document.activeElement.type"), Value::from("submit"));
    b.keys(&[ENTER]);
    b.find_within("ol.decisions li", 30);
    let decided = b.text(&b.find("ol.decisions li"));
    assert!(
        decided.contains("goedgekeurd") && decided.contains("Sue Bakker") && decided.contains("129.95") && decided.contains("dubbele foto"),
        "{decided}"
    );

    // The decision is in the claim's audit trail, with who.
    let rows: Vec<String> = b.all("table.audit tbody tr").iter().map(|r| b.text(r)).collect();
    assert!(
        rows.iter().any(|r| r.contains("claim.decide") && r.contains("Sue Bakker") && r.contains("approve")),
        "{rows:?}"
    );
    assert!(rows.iter().any(|r| r.contains("evidence.heatmaps")), "opening the heatmaps is audited: {rows:?}");
    b.script("document.getElementById('decide').scrollIntoView(); return true");
    b.screenshot(&artefacts().join("claim-page-decided.png"));
    sign_out(&b);

    // Four eyes: an agent approves above his authority, the claim waits, a supervisor completes it.
    let earlier_url = server.url(&format!("/claims/{}", doc["id"].as_str().unwrap()));
    sign_in(&b, &server, "bob");
    b.goto(&earlier_url);
    assert!(!b.enabled(&b.find("#kind-reject")), "only a fraud analyst or supervisor may reject");
    b.click(&b.find("label[for=kind-approve]"));
    b.type_into(&b.find("#amount"), "300");
    b.type_into(&b.find("#reason"), "Bon en foto kloppen; bedrag volgens de bestelling.");
    b.click(&b.find("form.decide button[type=submit]"));
    b.find_within("p.notice", 30);
    assert!(b.text(&b.find("p.notice")).contains("tweede goedkeuring"), "awaiting a second approval");
    b.goto(&server.url("/queue"));
    assert!(b.text(&b.find("table.queue")).contains("wacht op tweede goedkeuring"));
    sign_out(&b);
    sign_in(&b, &server, "sue");
    b.goto(&earlier_url);
    assert_eq!(b.script("return document.getElementById('amount').value"), Value::from("300.00"));
    b.click(&b.find("label[for=kind-approve]"));
    b.type_into(&b.find("#reason"), "Tweede goedkeuring: bon gecontroleerd.");
    b.click(&b.find("form.decide button[type=submit]"));
    b.find_within("ol.decisions li:nth-child(2)", 30);
    let steps: Vec<String> = b.all("ol.decisions li").iter().map(|e| b.text(e)).collect();
    assert!(steps[0].contains("wacht op tweede goedkeuring") && steps[0].contains("Bob Jansen"), "{steps:?}");
    assert!(steps[1].contains("goedgekeurd") && steps[1].contains("Sue Bakker") && steps[1].contains("300.00"), "{steps:?}");
    b.goto(&server.url("/queue?state=all"));
    let rows = b.all("table.queue tbody tr");
    assert_eq!(rows.len(), 2, "both claims are in the queue");
    b.screenshot(&artefacts().join("queue.png"));
}

#[test]
fn a_forged_receipt_shows_what_was_read_and_the_failed_check() {
    if !crate::util::ocr_models() {
        return;
    }
    let Some(b) = Browser::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    // A Dutch till receipt whose total was typed over (`proofdesk make-receipts`).
    let set = dir.path().join("receipts");
    let made = crate::util::proofdesk(&["make-receipts", "--out", set.to_str().unwrap(), "--count", "1", "--seed", "3"]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let manifest = std::fs::read_to_string(set.join("MANIFEST.csv")).unwrap();
    let genuine = manifest.lines().find(|l| l.starts_with("receipt-nl/")).unwrap();
    assert!(genuine.contains("receipt:"), "{genuine}");
    let receipt = std::fs::read(set.join("forged-total/forged-total_001.jpg")).unwrap();

    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    add_user(&data, "ann", "fraud_analyst", "Ann de Vries");
    let (status, _, doc) = server.submit(
        r#"{"external_ref": "ZD-3100", "customer_id": "cust-7", "claimed_amount": "25.00", "currency": "EUR"}"#,
        &[("kassabon.jpg", &receipt)],
        None,
    );
    assert_eq!(status, 202, "{doc}");
    let id = doc["id"].as_str().unwrap().to_owned();
    let screened = server.screened(&id);
    assert_eq!(screened["status"], "screened", "{screened}");

    sign_in(&b, &server, "ann");
    b.goto(&server.url(&format!("/claims/{id}")));
    b.find_within("table.receipt", 30);
    let row = |field: &str| b.text(&b.find(&format!("table.receipt tr[data-field={field}]")));
    // What was read, each with the line it came from.
    assert!(row("merchant").contains("Winkel") && row("merchant").contains("gedrukt"), "{}", row("merchant"));
    assert!(row("date").contains("Datum"), "{}", row("date"));
    // The total typed over is highlighted, with the check that failed in plain Dutch.
    let total = row("total");
    assert!(total.contains("Controle mislukt") && total.contains("het totaal op de bon is"), "{total}");
    assert!(b.all("table.receipt tr.ok[data-field=merchant]").len() == 1, "the shop's name passed");
    // Its box is drawn over the picture, marked.
    assert!(
        b.wait_until("const r=document.querySelector('svg.boxes rect.failed[data-field=total]'); return !!r && r.getBoundingClientRect().width>0", 30),
        "the total's box is drawn over the receipt"
    );
    b.resize(1280, 2400);
    b.script("document.querySelector('article.file').scrollIntoView(); return true");
    b.screenshot(&artefacts().join("claim-receipt.png"));
}
