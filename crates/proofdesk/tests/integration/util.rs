//! Helpers: run the binary, find the shared corpus, craft files.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Output of one run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

/// Runs `proofdesk` with `args`, its data directory a fresh empty folder (so no index
/// left in the working directory changes the result).
pub fn proofdesk(args: &[&str]) -> Run {
    let empty = tempfile::tempdir().expect("temporary folder");
    proofdesk_in(&empty.path().join("data"), args)
}

/// Runs `proofdesk` with `args` and `data_dir` as its data directory.
pub fn proofdesk_in(data_dir: &Path, args: &[&str]) -> Run {
    proofdesk_env(data_dir, &[], args)
}

/// Runs `proofdesk` with `args`, `data_dir` and extra environment variables.
pub fn proofdesk_env(data_dir: &Path, env: &[(&str, &Path)], args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_proofdesk"))
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .env("PROOFDESK_DATA_DIR", data_dir)
        .env_remove("PROOFDESK_DATABASE_URL")
        .output()
        .expect("binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The shared corpus (`../shared/corpus` beside the repository), or `None` with a message.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("PROOFDESK_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
    if dir.join("MANIFEST.csv").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "skipping: no corpus at {} (set PROOFDESK_CORPUS)",
            dir.display()
        );
        None
    }
}

/// A PNG chunk with its CRC.
/// Whether the OCR models are installed (`scripts/fetch-models.sh`); without them a
/// test skips with a message, unless `PROOFDESK_TEST_MODELS=required` (as in CI).
pub fn ocr_models() -> bool {
    let models = std::env::var_os("PROOFDESK_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/proofdesk/models"));
    let installed = models.join("PP-OCRv6_rec_small.onnx").is_file() && models.join("ch_PP-OCRv4_det_mobile.onnx").is_file();
    if !installed {
        assert!(std::env::var("PROOFDESK_TEST_MODELS").as_deref() != Ok("required"), "the OCR models are missing from {}", models.display());
        eprintln!("skipped: the OCR models are not installed (scripts/fetch-models.sh)");
    }
    installed
}

pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    c.extend_from_slice(&crc.sum().to_be_bytes());
    c
}

/// A PNG that claims `w` × `h` pixels, with `text` chunks, and a tiny IDAT.
pub fn png(w: u32, h: u32, text: &[(&str, &str)]) -> Vec<u8> {
    let mut f = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    f.extend(png_chunk(b"IHDR", &ihdr));
    for (k, v) in text {
        let mut d = k.as_bytes().to_vec();
        d.push(0);
        d.extend_from_slice(v.as_bytes());
        f.extend(png_chunk(b"tEXt", &d));
    }
    f.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    f.extend(png_chunk(b"IEND", b""));
    f
}

/// The signal ids of the first file in a screen document.
pub fn signal_ids(doc: &Value) -> Vec<String> {
    doc["files"][0]["signals"]
        .as_array()
        .expect("signals")
        .iter()
        .map(|s| s["id"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// A picture of many overlapping rectangles (corners everywhere); `seed` changes it.
pub fn blocks(w: u32, h: u32, seed: u32) -> image::RgbImage {
    let mut img =
        image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x / 4) as u8, (y / 3) as u8, 90]));
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    for _ in 0..120 {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let (x0, y0) = ((state >> 8) % w, (state >> 3) % h);
        let (rw, rh) = (8 + state % 60, 8 + (state >> 16) % 50);
        let colour = image::Rgb([(state >> 24) as u8, (state >> 12) as u8, (state >> 4) as u8]);
        for y in y0..(y0 + rh).min(h) {
            for x in x0..(x0 + rw).min(w) {
                img.put_pixel(x, y, colour);
            }
        }
    }
    img
}
