//! The reuse index from the command line: `index add`, `index query`, and the
//! `reuse.seen-before` signal and side-by-side picture in `screen`.

use crate::util::{blocks, proofdesk, proofdesk_in, signal_ids};
use image::{imageops, RgbImage};
use std::path::Path;

/// A textured photo-like picture; `seed` changes its content.
fn picture(w: u32, h: u32, seed: f32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let (x, y) = (x as f32, y as f32);
        let v = 128.0
            + 60.0 * (x / (17.0 + seed)).sin() * (y / (29.0 - seed) + seed).cos()
            + 50.0 * (-((x - 60.0 * seed).powi(2) + (y - 90.0).powi(2)) / 2500.0).exp()
            - 40.0 * (-((x - 300.0).powi(2) + (y - 200.0 + 20.0 * seed).powi(2)) / 900.0).exp();
        let v = v.clamp(0.0, 255.0) as u8;
        image::Rgb([v, v.saturating_sub(30), 255 - v / 2])
    })
}

fn save(img: &RgbImage, path: &Path) {
    img.save(path).expect("write test picture");
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_resized_mirrored_copy_is_recognised_and_screening_says_where_it_was_seen() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (photo, copy, other) = (
        dir.path().join("photo.png"),
        dir.path().join("copy.jpg"),
        dir.path().join("other.png"),
    );
    let original = picture(480, 360, 1.0);
    save(&original, &photo);
    let small = imageops::resize(&original, 240, 180, imageops::FilterType::Triangle);
    save(&imageops::flip_horizontal(&small), &copy);
    save(&picture(480, 360, 4.0), &other);

    let add = proofdesk_in(&data, &["index", "add", "--source", "claim-1", s(&photo)]);
    assert_eq!(add.code, 0, "{}{}", add.stdout, add.stderr);
    assert!(add.stdout.contains("1 added"), "{}", add.stdout);
    let again = proofdesk_in(&data, &["index", "add", "--source", "claim-1", s(&photo)]);
    assert!(
        again.stdout.contains("already"),
        "recording twice is a no-op: {}",
        again.stdout
    );

    let q = proofdesk_in(&data, &["index", "query", "--json", s(&copy), s(&other)]);
    assert_eq!(
        q.code, 1,
        "a picture seen before makes the exit code 1: {}",
        q.stderr
    );
    let doc = q.json();
    assert_eq!(doc["schema"], "proofdesk.reuse/1");
    let m = &doc["files"][0]["matches"];
    assert_eq!(m.as_array().unwrap().len(), 1, "{doc}");
    assert_eq!(m[0]["source"], "claim-1");
    assert_eq!(m[0]["exact"], false);
    assert_eq!(m[0]["transform"], "mirror-horizontal");
    assert!(m[0]["distance"].as_u64().unwrap() <= 31, "{doc}");
    assert!(
        doc["files"][1]["matches"].as_array().unwrap().is_empty(),
        "an unrelated picture matches nothing"
    );

    // Screening the copy names the earlier claim, in English and Dutch.
    let run = proofdesk_in(&data, &["screen", "--json", s(&copy)]);
    let doc = run.json();
    assert_eq!(doc["files"][0]["verdict"], "reused", "{doc}");
    assert!(signal_ids(&doc).contains(&"reuse.seen-before".to_owned()));
    let table = proofdesk_in(&data, &["screen", "--lang", "nl", s(&copy)]);
    assert!(table.stdout.contains("EERDER GEZIEN"), "{}", table.stdout);
    assert!(
        table.stdout.contains("claim-1") && table.stdout.contains("gespiegeld"),
        "{}",
        table.stdout
    );

    // The heatmap folder gets the side-by-side picture.
    let out = dir.path().join("heatmaps");
    let run = proofdesk_in(&data, &["screen", "--heatmaps", s(&out), s(&copy)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let pngs: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".reuse.png"))
        .collect();
    assert_eq!(pngs.len(), 1, "{pngs:?}");
    let side = image::open(out.join(&pngs[0])).unwrap();
    assert!(side.width() > side.height(), "two pictures side by side");

    // The indexed file itself, where it was recorded, is not a reuse of itself;
    // --no-index skips the look-up.
    let run = proofdesk_in(&data, &["screen", "--json", s(&photo)]);
    assert_ne!(run.json()["files"][0]["verdict"], "reused");
    let run = proofdesk_in(&data, &["screen", "--json", "--no-index", s(&copy)]);
    assert!(!signal_ids(&run.json()).contains(&"reuse.seen-before".to_owned()));
}

#[test]
fn a_cropped_copy_is_found_by_its_details_and_another_picture_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (photo, crop, other) = (
        dir.path().join("photo.png"),
        dir.path().join("crop.jpg"),
        dir.path().join("other.png"),
    );
    let original = blocks(640, 480, 1);
    save(&original, &photo);
    // The middle 400 × 300, mirrored, re-saved as JPEG: PDQ cannot match this.
    save(
        &imageops::flip_horizontal(&imageops::crop_imm(&original, 100, 60, 400, 300).to_image()),
        &crop,
    );
    save(&blocks(640, 480, 2), &other);
    let add = proofdesk_in(&data, &["index", "add", "--source", "claim-7", s(&photo)]);
    assert_eq!(add.code, 0, "{}{}", add.stdout, add.stderr);

    let q = proofdesk_in(&data, &["index", "query", "--json", s(&crop), s(&other)]);
    let doc = q.json();
    let m = &doc["files"][0]["matches"];
    assert_eq!(m.as_array().unwrap().len(), 1, "{doc}");
    assert_eq!(m[0]["source"], "claim-7");
    assert_eq!(m[0]["transform"], "mirror-horizontal");
    assert!(
        m[0]["distance"].as_u64().unwrap() > 31,
        "PDQ alone would not have found it: {doc}"
    );
    assert!(
        m[0]["crop"]["matching_features"].as_u64().unwrap() >= 12,
        "{doc}"
    );
    let coverage = m[0]["crop"]["coverage"].as_f64().unwrap();
    assert!(
        (coverage - 0.39).abs() < 0.05,
        "it shows 400 × 300 of 640 × 480: {coverage}"
    );
    assert!(
        doc["files"][1]["matches"].as_array().unwrap().is_empty(),
        "{doc}"
    );

    let table = proofdesk_in(&data, &["screen", s(&crop)]);
    assert!(
        table
            .stdout
            .contains("a cropped copy of the same photo, mirrored"),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains("claim-7"), "{}", table.stdout);
    let run = proofdesk_in(&data, &["screen", "--json", s(&crop)]);
    assert_eq!(run.json()["files"][0]["verdict"], "reused");
}

#[test]
fn an_identical_file_elsewhere_is_an_exact_match() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (a, b) = (dir.path().join("a.png"), dir.path().join("b.png"));
    save(&picture(320, 240, 2.0), &a);
    std::fs::copy(&a, &b).unwrap();
    proofdesk_in(&data, &["index", "add", "--source", "case 7", s(&a)]);
    let doc = proofdesk_in(&data, &["index", "query", "--json", s(&b)]).json();
    assert_eq!(doc["files"][0]["matches"][0]["exact"], true, "{doc}");
    assert_eq!(doc["files"][0]["matches"][0]["distance"], 0);
    let run = proofdesk_in(&data, &["screen", s(&b)]);
    assert!(
        run.stdout.contains("the identical file came with case 7"),
        "{}",
        run.stdout
    );
}

#[test]
fn queries_without_an_index_and_bad_databases_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.png");
    save(&picture(320, 240, 2.0), &a);
    let run = proofdesk(&["index", "query", s(&a)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("not seen before") && run.stdout.contains("index is empty"),
        "{}",
        run.stdout
    );
    let run = proofdesk(&[
        "--database-url",
        "mysql://x@localhost/db",
        "index",
        "add",
        s(&a),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unsupported database URL"),
        "{}",
        run.stderr
    );
    let run = proofdesk(&[
        "--database-url",
        "postgres://nobody:secret@127.0.0.1:1/none",
        "index",
        "query",
        s(&a),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot open the database") && !run.stderr.contains("secret"),
        "{}",
        run.stderr
    );
    // Screening still works when the database cannot be reached; it says reuse was not checked.
    let run = proofdesk(&[
        "--database-url",
        "postgres://nobody@127.0.0.1:1/none",
        "screen",
        s(&a),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("reuse not checked"), "{}", run.stderr);
}

#[test]
fn a_file_that_is_not_a_picture_is_an_error_and_the_rest_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let data = data_dir.path().join("data");
    save(&picture(320, 240, 2.0), &dir.path().join("a.png"));
    std::fs::write(dir.path().join("notes.txt"), b"not a picture").unwrap();
    let run = proofdesk_in(&data, &["index", "add", "--json", s(dir.path())]);
    assert_eq!(run.code, 2);
    let doc = run.json();
    assert_eq!(doc["added"], 1);
    assert_eq!(doc["errors"], 1);
}
