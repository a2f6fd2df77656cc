//! The pixel-level AI detector: the training command reproduces the shipped model from
//! the corpus, and `proofdesk eval --detector` reports leave-one-source-out figures per
//! source and variant, with camera photos rarely flagged.

use crate::util::{corpus, proofdesk};
use serde_json::Value;
use std::path::Path;

fn shipped() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/models/ai-detector.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn training_reproduces_the_shipped_model_and_reports_its_validation() {
    let Some(corpus) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model.json");
    let run = proofdesk(&[
        "train-detector", "--corpus", corpus.to_str().unwrap(), "--out", out.to_str().unwrap(), "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let trained: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let shipped = shipped();
    assert_eq!(trained["features"], shipped["features"]);
    assert_eq!(trained["threshold"], shipped["threshold"], "the same operating point");
    assert_eq!(trained["calibration"], shipped["calibration"], "the same calibration");
    let (a, b) = (&trained["logistic"]["weights"], &shipped["logistic"]["weights"]);
    for (x, y) in a.as_array().unwrap().iter().zip(b.as_array().unwrap()) {
        let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
        assert!((x - y).abs() <= 1e-9 * (1.0 + y.abs()), "weights {a} vs shipped {b}");
    }

    // The validation report: every variant, camera photos rarely flagged.
    let report = run.json();
    assert_eq!(report["schema"], "proofdesk.detector-eval/1");
    for v in ["original", "jpeg75", "half", "crop512"] {
        let overall = &report["variants"][v]["overall"];
        assert!(overall["auc"].as_f64().is_some(), "{v}: {overall}");
        assert!(overall["ai"].as_u64().unwrap() >= 50, "{v}: {overall}");
    }
    let brier = report["calibration"]["brier"].as_f64().unwrap();
    assert!(brier < 0.25, "calibrated scores beat a coin (Brier {brier})");
    let camera = report["variants"]["original"]["camera"]["false_positive_rate"].as_f64().unwrap();
    assert!(camera <= 0.05, "camera photos flagged at the operating point: {camera}");
}
