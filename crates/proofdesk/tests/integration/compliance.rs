//! Showing the organisation is in control: the AI Act documentation reports exactly
//! what `proofdesk eval` measured; the register classifies from the questionnaire and
//! refuses what it cannot use; the oversight and fairness reports read real decisions
//! (one group always asked for more evidence raises an alert); and a compliance
//! officer walks the register, the documentation, oversight and fairness in a real
//! browser, never seeing a claim. Screenshots are kept under `target/browser/`.

use crate::browser::add_user;
use crate::server::{jpeg, Server};
use crate::util::{blocks, corpus, proofdesk_env, proofdesk_in};
use crate::webdriver::Browser;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A small corpus: a few files of several groups of the shared one, linked, with
/// their manifest rows.
fn mini_corpus(shared: &Path, into: &Path) -> PathBuf {
    let dir = into.join("mini-corpus");
    std::fs::create_dir_all(&dir).unwrap();
    let manifest = std::fs::read_to_string(shared.join("MANIFEST.csv")).unwrap();
    let mut lines = manifest.lines();
    let mut out = vec![lines.next().unwrap().to_owned()];
    let mut taken: HashMap<&str, usize> = HashMap::new();
    for line in lines {
        let group = line.split(',').nth(1).unwrap_or("");
        if ["camera", "generated-meta", "c2pa", "malformed", "watermark", "forgery"].contains(&group) {
            let n = taken.entry(group).or_default();
            if *n < 3 {
                *n += 1;
                out.push(line.to_owned());
            }
        }
    }
    for group in taken.keys() {
        std::os::unix::fs::symlink(shared.canonicalize().unwrap().join(group), dir.join(group)).unwrap();
    }
    std::fs::write(dir.join("MANIFEST.csv"), out.join("\n") + "\n").unwrap();
    dir
}

/// Every `data-figure` cell of a document: key → text.
fn figures(html: &str) -> HashMap<String, String> {
    let mut found = HashMap::new();
    for part in html.split("data-figure=\"").skip(1) {
        let (key, rest) = part.split_once('"').unwrap();
        let text = rest.split_once('>').unwrap().1.split('<').next().unwrap();
        found.insert(key.to_owned(), text.trim().to_owned());
    }
    found
}

#[test]
fn the_documentation_reports_what_eval_measured() {
    let Some(shared) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mini = mini_corpus(&shared, dir.path());
    let mini = mini.to_str().unwrap();
    let run = proofdesk_in(&data, &["eval", mini, "--json", "--record"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("recorded as evaluation 1"), "{}", run.stderr);
    let eval = run.json();
    // The detector's validation needs every source (leave one out): the whole corpus.
    // Without the CLIP encoder (an empty models directory) it is the feature
    // detector's, which needs no embedding of 900 pictures; the document shows either.
    let no_models = dir.path().join("no-models");
    let detector = proofdesk_env(
        &data,
        &[("PROOFDESK_MODELS_DIR", &no_models)],
        &["eval", shared.to_str().unwrap(), "--detector", "--json", "--record"],
    );
    assert_eq!(detector.code, 0, "{}", detector.stderr);
    let detector = detector.json();
    let out = dir.path().join("doc.html");
    let report = proofdesk_in(&data, &["report", "ai-act", "--out", out.to_str().unwrap()]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    let html = std::fs::read_to_string(&out).unwrap();
    let f = figures(&html);
    assert_eq!(f["edition"], "1");

    // Every group's figures, as eval reported them, and no group it did not.
    let groups = eval["groups"].as_array().unwrap();
    assert!(groups.len() >= 5, "{groups:?}");
    for g in groups {
        let key = format!("group/{}/{}", g["group"].as_str().unwrap(), g["label"].as_str().unwrap());
        for field in ["files", "agree", "false_alarms"] {
            assert_eq!(f[&format!("{key}/{field}")], g[field].to_string(), "{key}/{field}");
        }
    }
    let in_doc = f.keys().filter(|k| k.starts_with("group/") && k.ends_with("/files")).count();
    assert_eq!(in_doc, groups.len());
    // The summary is the sum of the groups.
    let sum = |label: &str, f: &dyn Fn(&Value) -> u64| groups.iter().filter(|g| g["label"] == label).map(f).sum::<u64>();
    let (ai, found) = (sum("ai-generated", &|g| g["files"].as_u64().unwrap()), sum("ai-generated", &|g| g["verdicts"]["ai-generated"].as_u64().unwrap_or(0)));
    assert_eq!(f["summary/ai-detection"], format!("{:.1}%", found as f64 * 100.0 / ai as f64));
    let (auth, alarms) = (sum("authentic", &|g| g["files"].as_u64().unwrap()), sum("authentic", &|g| g["false_alarms"].as_u64().unwrap()));
    assert_eq!(f["summary/false-alarm-rate"], format!("{:.1}%", alarms as f64 * 100.0 / auth as f64));
    let methods = eval["pixel_forensics"]["methods"].as_array().expect("forged files with masks give pixel figures");
    for m in methods {
        let name = m["method"].as_str().unwrap();
        let three = |v: &Value| v.as_f64().map_or("–".to_string(), |x| format!("{x:.3}"));
        assert_eq!(f[&format!("pixel/{name}/auc")], three(&m["auc"]), "{name}");
        assert_eq!(f[&format!("pixel/{name}/detection_rate")], three(&m["detection_rate"]), "{name}");
    }
    assert_eq!(f["reuse/pairs"], eval["reuse"]["pairs"].to_string());
    assert_eq!(f["reuse/false_matches"], eval["reuse"]["false_matches"].to_string());
    // The rest comes from the records: the register, the notices, the audit chain.
    assert_eq!(f["register/proofdesk-pixel-detector/class"], "minimal risk");
    assert_eq!(f["notice/portal.automated-checks/version"], "1");
    assert!(f["audit/entries"].parse::<u64>().unwrap() >= 7, "the register's and the evaluations' entries");
    assert_eq!(f["detector/brier"], detector["calibration"]["brier"].to_string());
    assert_eq!(f["detector/threshold"], detector["threshold"].to_string());
    let bins = detector["calibration"]["bins"].as_array().unwrap();
    for (i, b) in bins.iter().enumerate() {
        assert_eq!(f[&format!("detector/bin/{i}/pictures")], b["pictures"].to_string());
        assert_eq!(f[&format!("detector/bin/{i}/share_ai")], b["share_ai"].to_string());
    }
    assert!(html.contains("eval.record") && html.contains("register.add"), "the change history");

    // A second edition gets the next number; the first stays as it was.
    let again = proofdesk_in(&data, &["report", "ai-act", "--lang", "nl"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(figures(&again.stdout)["edition"], "2");
    assert!(again.stdout.contains("Technische documentatie AI-verordening"));
}

#[test]
fn the_register_classifies_from_the_answers_and_refuses_what_it_cannot_use() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let set = proofdesk_in(&data, &[
        "ai-register", "set", "chatbot", "--name", "Web chat assistant", "--purpose", "Answers questions about a claim",
        "--owner", "Head of customer service", "--answers", "infers,transparency.interacts",
    ]);
    assert_eq!(set.code, 0, "{}", set.stderr);
    assert!(set.stdout.contains("added chatbot: transparency"), "{}", set.stdout);
    let list = proofdesk_in(&data, &["ai-register", "list", "--json"]).json();
    assert_eq!(list["schema"], "proofdesk.ai-register/1");
    let systems = list["systems"].as_array().unwrap();
    assert_eq!(systems.len(), 6, "proofdesk's five components and the chatbot");
    let bot = systems.iter().find(|s| s["id"] == "chatbot").unwrap();
    assert_eq!(bot["risk_class"], "transparency");
    assert!(bot["reasoning"].to_string().contains("Art. 50(1)"), "{bot}");
    let hiring = proofdesk_in(&data, &[
        "ai-register", "set", "cv-screening", "--name", "CV screening", "--purpose", "Ranks applicants",
        "--owner", "HR", "--answers", "infers,high.employment,exception.profiling",
    ]);
    assert!(hiring.stdout.contains("high-risk"), "{}", hiring.stdout);

    for (args, says) in [
        (vec!["set", "chatbot", "--answers", "infers,vibes"], "unknown answers: vibes"),
        (vec!["set", "new-thing", "--purpose", "x"], "needs a name, a purpose and an owner"),
        (vec!["set", "Bad Id", "--name", "x"], "lower-case letters"),
        (vec!["set", "chatbot", "--review-due", "next year"], "YYYY-MM-DD"),
        (vec!["remove", "proofdesk-routing"], "proofdesk's own components"),
    ] {
        let run = proofdesk_in(&data, &[&["ai-register"], args.as_slice()].concat());
        assert!(run.code != 0 && run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    let csv = proofdesk_in(&data, &["ai-register", "list", "--csv"]).stdout;
    assert!(csv.starts_with("id,name,purpose,owner") && csv.contains("cv-screening,CV screening"), "{csv}");
    assert_eq!(proofdesk_in(&data, &["ai-register", "remove", "cv-screening"]).code, 0);
}

/// 24 screened claims, 12 from the web in Dutch and 12 from the app in English; a
/// supervisor approves the web ones and asks the app ones for more evidence, through
/// the API and without opening a file. Returns one claim id.
fn decided_claims(server: &Server, data: &Path, db: &[&str]) -> String {
    crate::browser::add_user_in(data, db, "sue", "supervisor", "Sue Bakker");
    crate::browser::set_authority_in(data, db, "sue", "1000EUR");
    let token = proofdesk_in(data, &[db, &["user", "token", "sue"]].concat()).stdout.trim().to_owned();
    let mut last = String::new();
    for n in 0..24u32 {
        let (channel, language) = if n % 2 == 0 { ("web", "nl") } else { ("app", "en") };
        let claim = format!(r#"{{"external_ref": "ZD-F{n}", "customer_id": "c-f{n}", "channel": "{channel}", "language": "{language}", "claimed_amount": "40", "currency": "EUR"}}"#);
        let (status, _, doc) = server.submit(&claim, &[("a.jpg", &jpeg(&blocks(320, 240, 700 + n)))], None);
        assert_eq!(status, 202, "{doc}");
        let id = doc["id"].as_str().unwrap().to_owned();
        server.screened(&id);
        let body = if channel == "web" {
            r#"{"action": "approve", "amount": "40", "currency": "EUR", "reason": "photo and order match"}"#
        } else {
            r#"{"action": "request_evidence", "reason": "please send the original photo"}"#
        };
        let (s, d) = server.post_json(&token, &format!("/v1/claims/{id}/decisions"), body);
        assert_eq!(s, 200, "{d}");
        last = id;
    }
    last
}

fn artefacts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser")
}

/// The oversight and fairness reports over those claims.
fn reports_read_the_decisions(data: &Path, db: &[&str]) {
    let oversight = proofdesk_in(data, &[db, &["report", "oversight", "--json"]].concat()).json();
    let all = &oversight["report"]["overall"];
    let first: u64 = all["periods"].as_array().unwrap().iter().map(|p| p["first_decisions"].as_u64().unwrap()).sum();
    let unseen: u64 = all["periods"].as_array().unwrap().iter().map(|p| p["without_evidence"].as_u64().unwrap()).sum();
    assert_eq!((first, unseen), (24, 12), "12 approvals, none with the evidence opened: {all}");
    assert_eq!(all["reviewers"][0]["user"], "Sue Bakker");
    let fairness = proofdesk_in(data, &[db, &["report", "fairness", "--json"]].concat());
    assert_eq!(fairness.code, 1, "an alert exits 1");
    let alerts = fairness.json()["report"]["alerts"].as_array().unwrap().clone();
    assert!(
        alerts.iter().any(|a| a["attribute"] == "channel" && a["group"] == "app" && a["metric"] == "evidence-request-rate" && a["disadvantaged"] == true),
        "{alerts:?}"
    );
}

#[test]
fn oversight_and_fairness_on_postgres() {
    let Some(schema) = crate::server::PgSchema::create("the compliance reports") else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = ["--database-url", schema.url.as_str()];
    let server = Server::start(&data, &db);
    decided_claims(&server, &data, &db);
    reports_read_the_decisions(&data, &db);
}

#[test]
fn a_compliance_officer_sees_the_register_the_documentation_oversight_and_fairness() {
    let Some(shared) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    let claim = decided_claims(&server, &data, &[]);
    reports_read_the_decisions(&data, &[]);
    let mini = mini_corpus(&shared, dir.path());
    assert_eq!(proofdesk_in(&data, &["eval", mini.to_str().unwrap(), "--record", "--no-pixels"]).code, 0);

    add_user(&data, "cora", "compliance_officer", "Cora Visser");
    let token = proofdesk_in(&data, &["user", "token", "cora"]);
    assert!(token.code != 0 && token.stderr.contains("needs no token"), "no API access to claims: {}", token.stderr);

    let Some(b) = Browser::start() else { return };
    let axe = crate::customer_browser::axe();
    let accessible = |page: &str| {
        if let Some(axe) = &axe {
            assert_eq!(crate::customer_browser::violations(&b, axe), Value::Array(vec![]), "axe-core on {page}");
        }
    };
    b.resize(1280, 1400);
    b.goto(&server.url("/compliance"));
    b.type_into(&b.find("#name"), "cora");
    b.type_into(&b.find("#password"), "correct horse battery");
    b.click(&b.find(".signin button[type=submit]"));
    b.find("ul.cards");
    let tiles = b.text(&b.find("div.tiles"));
    assert!(tiles.contains("5\nsystemen in het register") && tiles.contains("meldingen gelijke behandeling"), "{tiles}");
    assert!(!tiles.contains("0\nmeldingen"), "the app customers' alerts are counted: {tiles}");
    accessible("the compliance start page");
    b.screenshot(&artefacts().join("compliance.png"));

    // Figures, never a customer: the queue leads to the compliance pages, a claim is refused.
    b.goto(&server.url("/queue"));
    assert!(b.url().ends_with("/compliance"), "{}", b.url());
    b.goto(&server.url(&format!("/claims/{claim}")));
    assert!(b.text(&b.find("main")).contains("hoort niet bij het werk van uw rol"));

    // The register: proofdesk's own components, and a chatbot added through the questionnaire.
    b.goto(&server.url("/compliance/register"));
    assert_eq!(b.all("table.register tbody tr").len(), 5);
    accessible("the register");
    b.click(&b.find("a.button[href='/compliance/register/new']"));
    accessible("the questionnaire");
    b.type_into(&b.find("#f-id"), "chatbot");
    b.type_into(&b.find("#f-name"), "Chatassistent op de website");
    b.type_into(&b.find("#f-purpose"), "Beantwoordt vragen van klanten over hun claim.");
    b.type_into(&b.find("#f-owner"), "Hoofd klantenservice");
    b.click(&b.find("label[for='q-infers']"));
    b.click(&b.find("label[for='q-transparency.interacts']"));
    b.resize(1280, 2600);
    b.screenshot(&artefacts().join("ai-register-questionnaire.png"));
    b.resize(1280, 1400);
    b.click(&b.find("form.register button[type=submit]"));
    b.wait_for_url("/compliance/register/chatbot", 60);
    assert!(b.text(&b.find("main")).contains("transparantieverplichtingen"), "the class follows from the answers");
    // proofdesk's own routing gets an owner; its text, shown in Dutch, stays as proofdesk wrote it.
    b.goto(&server.url("/compliance/register/proofdesk-routing"));
    b.type_into(&b.find("#f-owner"), "Teamleider fraude");
    b.click(&b.find("form.register button[type=submit]"));
    assert!(b.wait_until("return document.readyState == 'complete' && document.body.innerText.includes('door user:')", 60), "saved, by Cora");
    b.goto(&server.url("/compliance/register"));
    assert_eq!(b.all("table.register tbody tr").len(), 6);
    let table = b.text(&b.find("table.register"));
    assert!(table.contains("proofdesk-routeringsbeleid") && table.contains("Teamleider fraude"), "{table}");
    let stored = proofdesk_in(&data, &["ai-register", "list", "--json"]).json();
    let routing = stored["systems"].as_array().unwrap().iter().find(|s| s["id"] == "proofdesk-routing").unwrap().clone();
    assert_eq!((routing["name"].as_str(), routing["owner"].as_str()), (Some("proofdesk routing policy"), Some("Teamleider fraude")));
    b.screenshot(&artefacts().join("ai-register.png"));

    // A new edition of the documentation, made from the records.
    b.goto(&server.url("/compliance/ai-act"));
    b.click(&b.find("form[action='/compliance/ai-act'] button[type=submit]"));
    let made = b.wait_until("return location.pathname == '/compliance/ai-act/1' && document.readyState == 'complete'", 90);
    assert!(made, "no edition made: {} says {}", b.url(), b.text(&b.find("body")));
    let doc = b.text(&b.find("body"));
    assert!(doc.contains("Technische documentatie AI-verordening") && doc.contains("Chatassistent op de website"), "{doc}");
    assert!(doc.contains("kanaal = app"), "the fairness alert is in the document: {doc}");
    assert!(!b.all("td[data-figure^='group/camera/authentic']").is_empty());
    accessible("the AI Act document");
    b.resize(1280, 3000);
    b.screenshot(&artefacts().join("ai-act-document.png"));
    b.resize(1280, 1400);

    // Oversight: Sue's decisions, half of them made without opening the evidence.
    b.goto(&server.url("/compliance/oversight"));
    let reviewers = b.text(&b.find("table.reviewers"));
    assert!(reviewers.contains("Sue Bakker") && reviewers.contains("12"), "{reviewers}");
    accessible("the oversight report");
    b.screenshot(&artefacts().join("oversight.png"));

    // Fairness: the app customers were always asked for more evidence.
    b.goto(&server.url("/compliance/fairness"));
    let alert = b.text(&b.find("div.alert"));
    assert!(alert.contains("app") && alert.contains("slechter af"), "{alert}");
    accessible("the fairness report");
    b.goto(&server.url("/compliance/fairness?since=2026-13-40"));
    assert!(b.text(&b.find("p.error")).contains("is not a date"), "a period that cannot be used is said so");
    assert!(b.text(&b.find("div.alert")).contains("app"), "and the default period is shown");
    b.screenshot(&artefacts().join("fairness.png"));
    b.goto(&server.url("/compliance/notices"));
    assert!(b.text(&b.find("table.notices")).contains("portal.automated-checks"));
    accessible("the notices");
    b.goto(&server.url("/compliance/ai-act"));
    assert_eq!(b.all("table.editions tbody tr").len(), 1, "the edition is listed");
    accessible("the editions");
    b.click(&b.find("header.top form button"));
    b.find("#name");
    assert!(b.url().contains("/sign-in"), "signed out: {}", b.url());
}
