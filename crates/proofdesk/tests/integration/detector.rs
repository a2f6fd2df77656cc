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

/// The encoder's directory, or `None` (skip) when it is not installed, unless CI
/// requires it.
fn encoder_installed() -> bool {
    let dir = std::env::var_os("PROOFDESK_MODELS_DIR")
        .filter(|d| !d.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("XDG_CACHE_HOME")
                .filter(|d| !d.is_empty())
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| Path::new(&std::env::var_os("HOME").unwrap_or_default()).join(".cache"))
                .join("proofdesk/models")
        });
    if dir.join("clip_encoder.int8.onnx").is_file() {
        return true;
    }
    assert_ne!(
        std::env::var("PROOFDESK_TEST_MODELS").as_deref(),
        Ok("required"),
        "the CLIP encoder is missing: run scripts/fetch-models.sh"
    );
    eprintln!("skipped: the CLIP encoder is not installed (scripts/fetch-models.sh)");
    false
}

#[test]
fn the_clip_probe_trains_and_validates_leaving_each_source_out() {
    let Some(shared) = corpus() else { return };
    if !encoder_installed() {
        return;
    }
    // A small corpus of three sources: ML72 (both classes), ComfyUI (generated) and
    // ianare's camera photos, plus receipts that are scored, never trained on.
    let dir = tempfile::tempdir().unwrap();
    let mini = dir.path().join("mini");
    std::fs::create_dir_all(&mini).unwrap();
    let manifest = std::fs::read_to_string(shared.join("MANIFEST.csv")).unwrap();
    let mut lines = manifest.lines();
    let mut out = vec![lines.next().unwrap().to_owned()];
    let mut taken = std::collections::HashMap::<String, usize>::new();
    for line in lines {
        let cols: Vec<&str> = line.split(',').collect();
        let repository = if cols[1] == "receipt" { "" } else { cols[4].split(':').nth(1).unwrap_or("") };
        let key = format!("{}/{repository}", cols[1]);
        let wanted = ["generated/ML72/AI-Image-Classifier-Playground", "real/ML72/AI-Image-Classifier-Playground",
            "generated-meta/comfyanonymous/ComfyUI_examples", "camera/ianare/exif-samples", "receipt/"];
        if wanted.iter().any(|w| key.starts_with(w)) {
            let n = taken.entry(key.clone()).or_default();
            if *n < 6 {
                *n += 1;
                out.push(line.to_owned());
            }
        }
    }
    for group in ["generated", "real", "generated-meta", "camera", "receipt"] {
        std::os::unix::fs::symlink(shared.canonicalize().unwrap().join(group), mini.join(group)).unwrap();
    }
    std::fs::write(mini.join("MANIFEST.csv"), out.join("\n") + "\n").unwrap();
    let probe = dir.path().join("probe.json");
    let run = proofdesk(&[
        "train-clip-probe", "--corpus", mini.to_str().unwrap(), "--out", probe.to_str().unwrap(), "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["schema"], "proofdesk.detector-eval/1");
    assert_eq!(report["pictures"]["ai"], 12);
    assert_eq!(report["pictures"]["authentic"], 12);
    for form in ["original", "jpeg75", "long1600", "screenshot"] {
        let sources = report["variants"][form]["per_source"].as_object().unwrap();
        assert_eq!(sources.len(), 3, "{form}: every source held out once");
        assert!(report["variants"][form]["overall"]["auc"].as_f64().is_some(), "{form}");
    }
    assert_eq!(report["receipts"]["pictures"], 6, "receipts are scored");
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&probe).unwrap()).unwrap();
    assert_eq!(written["schema"], "proofdesk.clip-probe/1");
    assert_eq!(written["logistic"]["weights"].as_array().unwrap().len(), 512);
    let t = written["threshold"].as_f64().unwrap();
    assert!(t > 0.0 && t < 1.0 && (t * 1000.0).round() / 1000.0 == report["threshold"].as_f64().unwrap());
}
