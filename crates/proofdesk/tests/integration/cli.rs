//! The command line on crafted files: errors, limits, formats, languages.

use crate::util::{png, proofdesk, signal_ids};

#[test]
fn empty_and_garbage_files_get_clear_errors_and_others_carry_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.jpg"), b"").unwrap();
    std::fs::write(
        dir.path().join("garbage.png"),
        b"this is not an image at all",
    )
    .unwrap();
    std::fs::write(dir.path().join("ok.png"), png(300, 300, &[])).unwrap();
    let run = proofdesk(&["screen", "--json", dir.path().to_str().unwrap()]);
    assert_eq!(
        run.code, 2,
        "an unreadable file makes the exit code 2: {}",
        run.stderr
    );
    let doc = run.json();
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 3, "every file is reported");
    let by_name = |n: &str| {
        files
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(n))
            .unwrap()
    };
    assert_eq!(by_name("empty.jpg")["verdict"], "error");
    assert!(by_name("empty.jpg")["error"]
        .as_str()
        .unwrap()
        .contains("empty"));
    assert!(by_name("garbage.png")["error"]
        .as_str()
        .unwrap()
        .contains("not a recognised image"));
    assert_ne!(by_name("ok.png")["verdict"], "error");
}

#[test]
fn decompression_bomb_gets_a_partial_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.png");
    std::fs::write(
        &path,
        png(
            100_000,
            100_000,
            &[("parameters", "a cat, Steps: 20, Sampler: Euler a, Seed: 1")],
        ),
    )
    .unwrap();
    let run = proofdesk(&["screen", "--json", path.to_str().unwrap()]);
    let doc = run.json();
    let ids = signal_ids(&doc);
    assert!(
        ids.contains(&"integrity.pixel-limit".to_string()),
        "{ids:?}"
    );
    // Metadata is still read: the generator parameters decide the verdict.
    assert_eq!(doc["files"][0]["verdict"], "ai-generated");
    assert_eq!(run.code, 1, "a flagged file exits 1");
}

#[test]
fn a_renamed_file_is_a_signal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.jpg");
    std::fs::write(&path, png(300, 300, &[])).unwrap();
    let doc = proofdesk(&["screen", "--json", path.to_str().unwrap()]).json();
    assert_eq!(doc["files"][0]["format"], "png");
    assert!(signal_ids(&doc).contains(&"integrity.extension-mismatch".to_string()));
}

#[test]
fn json_schema_is_versioned_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.png");
    std::fs::write(
        &path,
        png(
            300,
            300,
            &[("prompt", "{\"3\": {\"class_type\": \"KSampler\"}}")],
        ),
    )
    .unwrap();
    let doc = proofdesk(&["screen", "--json", path.to_str().unwrap()]).json();
    assert_eq!(doc["schema"], "proofdesk.screen/1");
    let f = &doc["files"][0];
    for key in ["path", "sha256", "format", "verdict", "reasons", "signals"] {
        assert!(!f[key].is_null(), "missing {key}");
    }
    let s = &f["signals"][0];
    for key in [
        "id",
        "category",
        "direction",
        "strength",
        "summary",
        "details",
    ] {
        assert!(!s[key].is_null(), "signal missing {key}");
    }
    assert!(s["summary"]["nl"].as_str().unwrap().len() > 10);
    assert_eq!(f["verdict"], "ai-generated");
    assert_eq!(f["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn dutch_table_output() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.png");
    std::fs::write(&path, png(300, 300, &[])).unwrap();
    let run = proofdesk(&["screen", "--lang", "nl", path.to_str().unwrap()]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("HERKOMST ONBEKEND"), "{}", run.stdout);
    assert!(run.stdout.contains("metadata"), "{}", run.stdout);
}

/// A scanned receipt's table output says what was read from it, in either language.
#[test]
fn a_receipt_s_fields_are_shown_in_the_table() {
    let Some(corpus) = crate::util::corpus() else { return };
    if !crate::util::ocr_models() {
        return;
    }
    let path = corpus.join("receipt/sroie_062.jpg");
    // The shop as read: the recogniser reads narrowed boxes and may drop the spaces
    // between its words (README, "Speed"); letters and digits are what count.
    let line = |out: &str, label: &str| -> String {
        out.lines().find_map(|l| l.trim().strip_prefix(label)).map(|l| l.replace(' ', "")).unwrap_or_default()
    };
    let run = proofdesk(&["screen", path.to_str().unwrap()]);
    assert_eq!(line(&run.stdout, "receipt: "), "99SPEEDMARTS/B,2018-03-1921:06,total11.40", "{}", run.stdout);
    let run = proofdesk(&["screen", "--lang", "nl", path.to_str().unwrap()]);
    assert_eq!(line(&run.stdout, "bon: "), "99SPEEDMARTS/B,2018-03-1921:06,totaal11,40", "{}", run.stdout);
}

#[test]
fn missing_path_is_a_usage_error() {
    let run = proofdesk(&["screen", "/definitely/not/here.jpg"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no such file"), "{}", run.stderr);
}

#[test]
fn a_closed_pipe_is_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..50 {
        std::fs::write(dir.path().join(format!("{i}.png")), png(300, 300, &[])).unwrap();
    }
    for json in [false, true] {
        let mut args = vec!["screen", dir.path().to_str().unwrap()];
        if json {
            args.push("--json");
        }
        closed_pipe(&args);
    }
}

fn closed_pipe(args: &[&str]) {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_proofdesk"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away, as with `| head -0`
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn the_insider_simulation_finds_every_injected_pattern_and_few_honest_agents() {
    for seed in ["1", "2"] {
        let run = proofdesk(&["simulate-decisions", "--seed", seed, "--json"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let r = run.json();
        assert_eq!(r["schema"], "proofdesk.insider-simulation/1");
        for rule in r["rules"].as_array().unwrap() {
            assert_eq!(rule["found"], rule["injected"], "seed {seed}: {rule}");
        }
        assert!(r["honest_flag_rate"].as_f64().unwrap() <= 0.05, "seed {seed}: {r}");
    }
}
