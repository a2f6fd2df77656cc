//! The CLIP encoder as tract runs it, after its graph is rewritten: it
//! loads from the pinned file, gives unit-length embeddings that follow the picture's
//! content and barely move under re-compression, and with the shipped probe it flags
//! generated pictures from the corpus more than camera photos.
//!
//! The encoder is installed by `scripts/fetch-models.sh`; without it these tests skip,
//! unless `PROOFDESK_TEST_MODELS=required` (as `.ci/run` sets).

use proofdesk_engine::detector::clip::{ClipEncoder, DIM};
use proofdesk_engine::detector::probe::{self, ClipDetector};
use proofdesk_engine::detector::AiDetector;
use proofdesk_engine::format::Format;
use proofdesk_engine::pixels::{self, Pixels};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

fn encoder() -> Option<&'static Arc<ClipEncoder>> {
    static ENCODER: OnceLock<Option<Arc<ClipEncoder>>> = OnceLock::new();
    ENCODER
        .get_or_init(|| Some(Arc::new(ClipEncoder::from_onnx(encoder_bytes()?).expect("the pinned encoder loads"))))
        .as_ref()
}

/// The installed encoder file, or `None` (skip) when it is not installed.
fn encoder_bytes() -> Option<Vec<u8>> {
    let dir = std::env::var_os("PROOFDESK_MODELS_DIR").filter(|d| !d.is_empty()).map(PathBuf::from).unwrap_or_else(|| {
        std::env::var_os("XDG_CACHE_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache"))
            .join("proofdesk/models")
    });
    let path = dir.join("clip_encoder.int8.onnx");
    let Ok(bytes) = std::fs::read(&path) else {
        if std::env::var("PROOFDESK_TEST_MODELS").as_deref() == Ok("required") {
            panic!("{} is missing: run scripts/fetch-models.sh", path.display());
        }
        eprintln!("skipped: {} is not installed (scripts/fetch-models.sh)", path.display());
        return None;
    };
    Some(bytes)
}

#[test]
fn the_rewritten_graph_gives_the_published_graph_s_embeddings_bit_for_bit() {
    let Some(fast) = encoder() else { return };
    if !fast.uses_integer_products() {
        // Without VNNI or AMX kernels tract's integer path, which the published graph
        // takes, needs minutes a picture; the rewrites' unit tests check the same
        // arithmetic on a small graph.
        eprintln!("skipped: no 8-bit integer kernels on this CPU");
        return;
    }
    let bytes = encoder_bytes().expect("installed, as the encoder loaded");
    let pictures: Vec<Pixels> = [[220, 30, 30], [250, 250, 250], [10, 120, 40]].iter().map(|&d| jpeg(&scene(480, 360, d), 85)).collect();
    let published = ClipEncoder::from_onnx_as_published(bytes.clone()).expect("loads");
    let want: Vec<_> = pictures.iter().map(|px| published.embed(px).unwrap()).collect();
    drop(published);
    let float = ClipEncoder::from_onnx_with_float_products(bytes).expect("loads");
    for (px, want) in pictures.iter().zip(&want) {
        // The same integers go into the products. One activation a step off anywhere
        // would move every later layer (cosine 0.99 when the scales were off by one
        // unit in the last place).
        assert_eq!(&fast.embed(px).unwrap(), want, "integer products");
        assert_eq!(&float.embed(px).unwrap(), want, "float products");
    }
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A smooth two-colour gradient with a disc, `w` × `h`.
fn scene(w: usize, h: usize, disc: [u8; 3]) -> Pixels {
    let mut rgb = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (x as f32 - w as f32 / 2.0, y as f32 - h as f32 / 2.0);
            if dx * dx + dy * dy < (h as f32 / 4.0).powi(2) {
                rgb.extend(disc);
            } else {
                rgb.extend([(40 + x * 150 / w) as u8, (90 + y * 120 / h) as u8, 160]);
            }
        }
    }
    Pixels { width: w, height: h, rgb }
}

fn jpeg(px: &Pixels, quality: u8) -> Pixels {
    let mut out = Vec::new();
    let img = image::RgbImage::from_raw(px.width as u32, px.height as u32, px.rgb.clone()).unwrap();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(&img).unwrap();
    pixels::decode(&out, Format::Jpeg, (None, None), 100_000_000).unwrap()
}

#[test]
fn embeddings_follow_content_and_survive_recompression() {
    let Some(enc) = encoder() else { return };
    let red = scene(640, 480, [220, 30, 30]);
    let a = enc.embed(&red).unwrap().expect("big enough");
    assert_eq!(a.len(), DIM);
    assert!((cosine(&a, &a) - 1.0).abs() < 1e-4, "unit length");
    // The same scene re-saved as JPEG 75 stays close; another scene does not.
    let b = enc.embed(&jpeg(&red, 75)).unwrap().unwrap();
    let other = enc.embed(&scene(640, 480, [250, 250, 250])).unwrap().unwrap();
    assert!(cosine(&a, &b) > 0.9, "JPEG 75 copy: cosine {}", cosine(&a, &b));
    assert!(cosine(&a, &other) < cosine(&a, &b), "another picture is further away");
    // Deterministic: the same pixels, the same embedding.
    assert_eq!(enc.embed(&red).unwrap().unwrap(), a);
    // Too small to judge.
    assert!(enc.embed(&scene(24, 24, [0, 0, 0])).unwrap().is_none());
}

#[test]
fn the_probe_ranks_generated_corpus_pictures_above_camera_photos() {
    let Some(enc) = encoder() else { return };
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let Ok(manifest) = std::fs::read_to_string(corpus.join("MANIFEST.csv")) else {
        eprintln!("skipped: no corpus");
        return;
    };
    let probe = probe::shipped().expect("models/clip-probe.json parses").clone();
    let detector = ClipDetector { encoder: enc.clone(), probe };
    let score = |group: &str| -> Vec<f32> {
        manifest
            .lines()
            .filter(|l| l.split(',').nth(1) == Some(group))
            .take(12)
            .filter_map(|l| {
                let bytes = std::fs::read(corpus.join(l.split(',').next()?)).ok()?;
                let px = pixels::decode(&bytes, Format::detect(&bytes), (None, None), 100_000_000).ok()?;
                detector.assess(&px).map(|a| a.probability)
            })
            .collect()
    };
    let (ai, camera) = (score("generated"), score("camera"));
    assert!(ai.len() >= 10 && camera.len() >= 10);
    let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
    assert!(mean(&ai) > mean(&camera) + 0.2, "generated {ai:?} vs camera {camera:?}");
    let t = detector.probe.threshold as f32;
    assert!(camera.iter().all(|&p| p < t), "no camera photo flagged: {camera:?} (threshold {t})");
}
