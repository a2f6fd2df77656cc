//! Generated Dutch till receipts (`proofdesk make-receipts`) screened by `proofdesk
//! eval`: the genuine ones are read exactly and pass every check; each kind of
//! forgery fails a receipt check that names it.

use crate::util::{ocr_models, proofdesk};
use serde_json::Value;

#[test]
fn generated_receipts_are_read_and_each_forgery_kind_fails_a_check() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = dir.path().join("receipts");
    let made = proofdesk(&["make-receipts", "--out", out.to_str().unwrap(), "--count", "3", "--seed", "7"]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    assert!(made.stdout.contains("24 receipts (3 of each kind)"), "{}", made.stdout);
    let manifest = std::fs::read_to_string(out.join("MANIFEST.csv")).expect("a manifest");
    assert_eq!(manifest.lines().count(), 25, "{manifest}");
    // The same seed gives the same files.
    let again = dir.path().join("again");
    proofdesk(&["make-receipts", "--out", again.to_str().unwrap(), "--count", "3", "--seed", "7"]);
    let name = "forged-total/forged-total_002.jpg";
    assert_eq!(std::fs::read(out.join(name)).unwrap(), std::fs::read(again.join(name)).unwrap());
    if !ocr_models() {
        return;
    }
    let run = proofdesk(&["eval", out.to_str().unwrap(), "--json"]);
    let doc = run.json();
    let group = |g: &str| -> Value {
        doc["groups"].as_array().unwrap().iter().find(|x| x["group"] == g).cloned().unwrap_or_else(|| panic!("no group {g}: {doc}"))
    };
    for kind in ["receipt-nl", "receipt-pdf", "receipt-scan-pdf"] {
        let genuine = group(kind);
        assert_eq!(genuine["agree"], 3, "{genuine}");
    }
    // Scanned receipts, PDF receipts and scans saved as PDF alike: every field read exactly.
    let r = &doc["receipts"];
    assert_eq!((r["total"].as_u64(), r["date"].as_u64(), r["merchant"].as_u64()), (Some(9), Some(9), Some(9)), "{r}");
    assert_eq!(r["checks_failed"], 0, "{r}");
    for kind in ["forged-total", "forged-digit", "forged-date", "from-scratch", "forged-pdf"] {
        let g = group(kind);
        assert!(g["agree"].as_u64().unwrap() >= 2, "{kind}: {g}");
    }
    // The forged total is named: the payment or the VAT table no longer adds up to it.
    let files = doc["files"].as_array().unwrap();
    let forged: Vec<&Value> = files.iter().filter(|f| f["group"] == "forged-total").collect();
    assert!(forged.iter().all(|f| f["found"].as_str().unwrap().contains("receipt.sum.")), "{forged:?}");
}
