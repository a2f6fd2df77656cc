//! The shared corpus: the acceptance criteria of the screening issue, per group.

use crate::util::{corpus, proofdesk};
use serde_json::Value;
use std::sync::OnceLock;

/// The evaluation of the whole corpus, run once for all the tests that read it.
fn eval() -> Option<&'static Value> {
    static DOC: OnceLock<Option<Value>> = OnceLock::new();
    DOC.get_or_init(|| {
        let dir = corpus()?;
        let run = proofdesk(&["eval", "--json", dir.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        Some(run.json())
    })
    .as_ref()
}

/// The reuse issue's acceptance: copies resized, re-compressed, turned or mirrored are
/// found (at least 99 %), and no two distinct pictures of the corpus match.
#[test]
fn reuse_recall_and_no_false_matches() {
    let Some(doc) = eval() else { return };
    let reuse = &doc["reuse"];
    assert_eq!(reuse["threshold"], 31);
    assert!(reuse["indexed"].as_u64().unwrap() > 200, "{reuse}");
    for t in reuse["transforms"].as_array().unwrap() {
        let name = t["transform"].as_str().unwrap();
        let recall = t["recall"].as_f64().unwrap();
        if ["resize-50", "jpeg-70", "rotate-90", "mirror"].contains(&name) {
            assert!(recall >= 0.99, "{name}: recall {recall}");
        }
        // Crops are found by local features; most of them (measured: 91 %).
        if name == "crop-10" {
            assert!(recall >= 0.8, "{name}: recall {recall}");
            assert!(t["found_by_features"].as_u64().unwrap() > 150, "{t}");
        }
    }
    assert!(reuse["pairs"].as_u64().unwrap() > 20_000);
    assert_eq!(reuse["false_matches"], 0, "{}", reuse["matches"]);
    // The corpus holds known variants of one picture (the watermark set, the
    // orientation set): they must be found as such.
    assert!(reuse["same_picture_matches"].as_u64().unwrap() > 100);
}

fn rows<'a>(doc: &'a Value, group: &str) -> Vec<&'a Value> {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["group"] == group)
        .collect()
}

#[test]
fn corpus_acceptance() {
    let Some(doc) = eval() else { return };
    // Content Credentials: the validation state matches the reference for every file.
    for r in rows(doc, "c2pa") {
        let expect = r["expect"].as_str().unwrap();
        let found = r["found"].as_str().unwrap();
        let want = if expect.starts_with("c2pa:none") {
            "c2pa none"
        } else if expect.starts_with("c2pa:invalid") {
            "c2pa invalid"
        } else {
            "c2pa valid"
        };
        assert!(
            found.starts_with(want),
            "{}: expected {expect}, found {found}",
            r["path"]
        );
    }
    // Every hard-binding failure is named as such, and every camera capture recognised.
    for r in rows(doc, "c2pa") {
        let e = r["expect"].as_str().unwrap();
        if e.contains("hash mismatch")
            || e.contains("camera capture")
            || e.contains("assertion tampered")
            || e.contains("claim missing")
        {
            assert_eq!(r["agrees"], true, "{}: {e} vs {}", r["path"], r["found"]);
        }
    }
    for r in rows(doc, "generated-meta") {
        assert_eq!(r["verdict"], "ai-generated", "{}", r["path"]);
    }
    // Honest photos: at most 2 % flagged (issue 26), none of them as AI-generated.
    let honest: Vec<&Value> = ["camera", "orientation", "real", "camera-heic"]
        .iter()
        .flat_map(|g| rows(doc, g))
        .collect();
    let flagged: Vec<String> = honest
        .iter()
        .filter(|r| r["false_alarm"] == true)
        .map(|r| format!("{} ({})", r["path"], r["verdict"]))
        .collect();
    assert!(
        flagged.len() as f64 <= 0.02 * honest.len() as f64,
        "{} of {} honest photos flagged: {flagged:?}",
        flagged.len(),
        honest.len()
    );
    assert!(honest.iter().all(|r| r["verdict"] != "ai-generated"), "{flagged:?}");
    // Forgeries (issue 26): the copy-moves are called manipulated.
    let forged = rows(doc, "forgery");
    let caught = forged
        .iter()
        .filter(|r| r["path"].as_str().unwrap().contains("copymove"))
        .filter(|r| r["verdict"] == "manipulated")
        .count();
    assert!(caught >= 5, "{caught} copy-moves called manipulated");
    for r in rows(doc, "camera-edited") {
        assert_eq!(r["verdict"], "edited", "{}", r["path"]);
    }
    for r in rows(doc, "orientation") {
        assert_eq!(r["agrees"], true, "orientation of {}", r["path"]);
    }
    for r in rows(doc, "camera-heic") {
        assert_eq!(r["agrees"], true, "{}", r["path"]);
    }
    assert_eq!(
        rows(doc, "malformed").len(),
        20,
        "every malformed file reported"
    );
}

/// The receipt issue's reading criteria (issue 27): on the shared scanned receipts the
/// total and the date are read exactly on at least 90 %, the merchant on at least
/// 80 %, and no honest receipt is flagged.
#[test]
fn receipts_are_read_and_never_flagged() {
    let Some(doc) = eval() else { return };
    let r = &doc["receipts"];
    let n = r["receipts"].as_u64().unwrap_or(0) as f64;
    assert!(n >= 60.0, "{r}");
    assert_eq!(r["false_alarms"], 0, "{r}");
    if r["read"] == 0 {
        assert!(std::env::var("PROOFDESK_TEST_MODELS").as_deref() != Ok("required"), "no receipt was read");
        eprintln!("skipped: the OCR models are not installed (scripts/fetch-models.sh)");
        return;
    }
    let share = |k: &str| r[k].as_f64().unwrap() / n;
    assert!(share("total") >= 0.9, "totals: {}", r["total"]);
    assert!(share("date") >= 0.9, "dates: {}", r["date"]);
    assert!(share("merchant") >= 0.8, "merchants: {}", r["merchant"]);
    // A failed check sends a claim to review: on at most one honest receipt in twenty.
    assert!(share("checks_failed") <= 0.05, "checks failed on {} honest receipts", r["checks_failed"]);
}

#[test]
fn watermarks_decode_like_the_reference() {
    let Some(doc) = eval() else { return };
    let wm = rows(doc, "watermark");
    for r in &wm {
        let path = r["path"].as_str().unwrap();
        let expect = r["expect"].as_str().unwrap();
        let found = r["found"].as_str().unwrap();
        if expect == "watermark:none" {
            assert_eq!(found, "watermark not found", "false mark in {path}");
        }
        // The reference test vectors decode exactly where the reference decodes them.
        if path.contains("vector_")
            && (path.ends_with(".png") || path.contains("jpeg98"))
            && expect != "watermark:none"
        {
            assert_eq!(r["agrees"], true, "{path}: {found}");
            assert_ne!(found, "watermark not found", "{path}");
        }
        // A mark, when found, is always the right payload.
        if let Some(payload) = found
            .strip_prefix("watermark ")
            .filter(|f| *f != "not found")
        {
            assert_eq!(Some(payload), expect.strip_prefix("watermark:"), "{path}");
        }
    }
    // Camera photos marked with SDXL: the reference decodes 6 of 7 PNGs within 8 bit errors.
    let marked_png = wm.iter().filter(|r| {
        let p = r["path"].as_str().unwrap();
        p.ends_with("_sdxlmark.png") && r["found"] == "watermark sdxl"
    });
    assert!(marked_png.count() >= 6);
}
