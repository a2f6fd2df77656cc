//! The reuse index against real databases: the embedded SQLite file, and the
//! PostgreSQL server on this machine (`PROOFDESK_TEST_POSTGRES`, default
//! postgres://postgres@127.0.0.1:5432/test; skipped with a message when unreachable
//! unless that variable is set).

use proofdesk_engine::reuse::{Dihedral, Fingerprint};
use proofdesk_storage::reuse::import::{census, import, ImportedSighting};
use proofdesk_storage::reuse::{Added, NewSighting, ReuseIndex};
use proofdesk_storage::Database;

mod common;

/// A textured RGB picture; `seed` changes its content.
fn picture(w: usize, h: usize, seed: f32) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            let (x, y) = (x as f32, y as f32);
            let v = 128.0
                + 60.0 * (x / (17.0 + seed)).sin() * (y / (29.0 - seed) + seed).cos()
                + 40.0 * (-((x - 40.0 * seed).powi(2) + (y - 60.0).powi(2)) / 800.0).exp();
            let v = v.clamp(0.0, 255.0) as u8;
            rgb.extend_from_slice(&[v, v.saturating_sub(20), v / 2]);
        }
    }
    rgb
}

/// The picture turned a quarter clockwise.
fn rotate90(rgb: &[u8], w: usize, h: usize) -> Vec<u8> {
    let mut out = vec![0u8; rgb.len()];
    for y in 0..w {
        for x in 0..h {
            let (sx, sy) = (y, h - 1 - x);
            out[(y * h + x) * 3..][..3].copy_from_slice(&rgb[(sy * w + sx) * 3..][..3]);
        }
    }
    out
}

/// An RGB picture of many overlapping rectangles (corners everywhere, so local
/// features survive a crop); `seed` changes it.
fn rectangles(w: usize, h: usize, seed: u32) -> Vec<u8> {
    let mut rgb: Vec<u8> = (0..w * h)
        .flat_map(|i| [(i % w / 4) as u8, (i / w / 3) as u8, 90])
        .collect();
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    for _ in 0..120 {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let (x0, y0) = ((state >> 8) as usize % w, (state >> 3) as usize % h);
        let (rw, rh) = (8 + state as usize % 60, 8 + (state >> 16) as usize % 50);
        let colour = [(state >> 24) as u8, (state >> 12) as u8, (state >> 4) as u8];
        for y in y0..(y0 + rh).min(h) {
            for x in x0..(x0 + rw).min(w) {
                rgb[(y * w + x) * 3..][..3].copy_from_slice(&colour);
            }
        }
    }
    rgb
}

fn sha(n: u8) -> [u8; 32] {
    [n; 32]
}

async fn scenario(url: &str) {
    let db = Database::connect(url).await.expect("open database");
    let mut index = ReuseIndex::open(db.clone()).await.expect("open index");
    let (w, h) = (320, 240);
    let photo = picture(w, h, 1.0);
    let fp = Fingerprint::from_rgb(&photo, w, h);
    assert!(fp.pdq_quality >= 50);
    let other = Fingerprint::from_rgb(&picture(w, h, 3.0), w, h);
    let flat = Fingerprint::from_rgb(&vec![128u8; w * h * 3], w, h);
    let at = 1_700_000_000_000;
    let add = |sha256, fingerprint, source| NewSighting {
        sha256,
        fingerprint,
        source,
        location: None,
        seen_at_ms: at,
    };
    let first = index.add(&add(sha(1), Some(&fp), "claim-1")).await.unwrap();
    assert!(matches!(first, Added::New(_)));
    assert_eq!(
        index.add(&add(sha(1), Some(&fp), "claim-1")).await.unwrap(),
        match first {
            Added::New(id) => Added::Already(id),
            a => a,
        },
        "recording the same file for the same claim twice is a no-op"
    );
    index
        .add(&add(sha(2), Some(&other), "claim-2"))
        .await
        .unwrap();
    index
        .add(&add(sha(3), Some(&flat), "claim-3"))
        .await
        .unwrap();

    // The same file again: exact.
    let found = index.query(&sha(1), Some(&fp), 31).await.unwrap();
    assert_eq!(found.len(), 1);
    assert!(found[0].exact && found[0].source == "claim-1" && found[0].seen_at_ms == at);

    // A turned copy (different bytes): near, in the right orientation.
    let turned = Fingerprint::from_rgb(&rotate90(&photo, w, h), h, w);
    let found = index.query(&sha(9), Some(&turned), 31).await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].source, "claim-1");
    assert!(!found[0].exact && found[0].distance <= 31);
    assert_eq!(
        found[0].transform,
        Dihedral::Rotate270,
        "undoing a clockwise turn"
    );

    // A flat picture has a low-quality hash: only its exact copy is found.
    let found = index.query(&sha(8), Some(&flat), 31).await.unwrap();
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(
        index.query(&sha(3), Some(&flat), 31).await.unwrap().len(),
        1
    );

    // A second worker sees the first one's rows, and rows added later after a sync.
    let mut second = ReuseIndex::open(db.clone()).await.unwrap();
    assert_eq!(second.searchable(), 2);
    index
        .add(&add(sha(4), Some(&other), "claim-4"))
        .await
        .unwrap();
    assert_eq!(second.sync().await.unwrap(), 1);
    let found = second.query(&sha(7), Some(&other), 31).await.unwrap();
    let sources: Vec<&str> = found.iter().map(|f| f.source.as_str()).collect();
    assert_eq!(sources.len(), 2);
    assert!(sources.contains(&"claim-2") && sources.contains(&"claim-4"));
    assert_eq!(index.count().await.unwrap(), 4);

    // Pictures fingerprinted elsewhere, imported in bulk: found by hash and, as a
    // crop, by their features, once a worker syncs.
    let (bw, bh) = (640, 480);
    let big = rectangles(bw, bh, 7);
    let big_fp = Fingerprint::from_rgb(&big, bw, bh);
    let imported: Vec<ImportedSighting> = (0..3u8)
        .map(|k| ImportedSighting {
            sha256: sha(20 + k),
            pdq: Some(big_fp.pdq),
            pdq_quality: big_fp.pdq_quality,
            pdq_content: None,
            features: (k == 0).then(|| big_fp.features().clone()),
            source: format!("import-{k}"),
            seen_at_ms: at,
        })
        .collect();
    assert_eq!(import(&db, &imported).await.unwrap(), 3);
    assert_eq!(census(&db, "import-").await.unwrap(), (7, 4));
    assert_eq!(second.sync().await.unwrap(), 3);
    let found = second.query(&sha(21), Some(&big_fp), 31).await.unwrap();
    assert_eq!(found.len(), 3, "{found:?}");
    let mut crop = Vec::new();
    for y in 60..420 {
        crop.extend_from_slice(&big[(y * bw + 80) * 3..(y * bw + 560) * 3]);
    }
    let crop_fp = Fingerprint::from_rgb(&crop, 480, 360);
    let found = second.query(&sha(30), Some(&crop_fp), 31).await.unwrap();
    assert!(
        found.iter().any(|f| f.source == "import-0"),
        "the cropped copy is found: {found:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_in_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("p.sqlite").display()
    );
    scenario(&url).await;
    // Reopening finds everything again (and the schema is not applied twice).
    let db = Database::open_data_dir(dir.path()).await.unwrap();
    let _ = db;
    let db = Database::connect(&url).await.unwrap();
    let index = ReuseIndex::open(db).await.unwrap();
    assert_eq!(index.count().await.unwrap(), 7);
    assert_eq!(index.searchable(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_server() {
    common::on_postgres(|url| async move { scenario(&url).await }).await;
}

#[tokio::test]
async fn unreachable_and_unknown_databases_give_clear_errors() {
    let e = Database::connect("mysql://x@localhost/db")
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("unsupported database URL"), "{e}");
    let e = Database::connect("postgres://nobody:pw@127.0.0.1:1/none")
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.starts_with("cannot open the database postgres://nobody:***@127.0.0.1:1/none"),
        "{e}"
    );
}
