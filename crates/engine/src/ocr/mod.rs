//! Reading printed text: PaddleOCR's PP-OCRv4 mobile text detector and PP-OCRv6 small
//! text recogniser (Apache-2.0, as ONNX in the PyPI wheels `rapidocr_onnxruntime` 1.4.4
//! and `rapidocr` 3.10.0), run by tract, the same runtime as the pixel-level AI
//! detector.
//!
//! [`detect`] finds the boxes of text (a differentiable-binarisation network marks text
//! pixels; connected areas become boxes); [`recognise`] reads each box (a CTC
//! recogniser over the Latin characters of the model's 18,708). The caller provides the
//! model bytes and checks their SHA-256 against [`DETECTOR_SHA256`] and
//! [`RECOGNISER_SHA256`]; the engine reads no file.

pub mod detect;
pub mod recognise;

use crate::pixels::Pixels;
use serde::Serialize;
use tract_onnx::pb;
use std::sync::Mutex;
use tract_onnx::prelude::*;

/// SHA-256 of `ch_PP-OCRv4_det_mobile.onnx`, the detector this code is written for.
pub const DETECTOR_SHA256: &str = "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9";
/// SHA-256 of `PP-OCRv6_rec_small.onnx`, the recogniser this code is written for.
pub const RECOGNISER_SHA256: &str = "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884";

/// Why text could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    /// A model file is not the ONNX graph this code expects.
    #[error("the OCR model is not the expected ONNX graph: {0}")]
    Graph(String),
    /// tract failed.
    #[error("the OCR model failed: {0}")]
    Runtime(String),
}

/// A rectangle in original-image pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TextBox {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

impl TextBox {
    /// Vertical centre.
    pub fn centre_y(&self) -> f32 {
        self.y as f32 + self.height as f32 / 2.0
    }

    /// Right edge (exclusive).
    pub fn right(&self) -> u32 {
        self.x + self.width
    }

    /// Bottom edge (exclusive).
    pub fn bottom(&self) -> u32 {
        self.y + self.height
    }

    /// The smallest box holding both.
    pub fn union(&self, other: &TextBox) -> TextBox {
        let (x, y) = (self.x.min(other.x), self.y.min(other.y));
        let (r, b) = (self.right().max(other.right()), self.bottom().max(other.bottom()));
        TextBox { x, y, width: r - x, height: b - y }
    }
}

/// A piece of text read from a picture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Word {
    /// The text, as read.
    pub text: String,
    /// Mean probability of its characters, 0 to 1.
    pub confidence: f32,
    /// Where it is.
    pub bbox: TextBox,
}

/// How much reading may cost.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    /// At most this many boxes are read (the largest-scoring first).
    pub max_boxes: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits { max_boxes: 200 }
    }
}

/// The detector and recogniser, loaded; shareable across threads.
#[derive(Debug)]
pub struct Ocr {
    detector: detect::TextDetector,
    recogniser: recognise::TextRecogniser,
}

impl Ocr {
    /// Loads both models from their bytes (the caller checks their origin).
    pub fn from_onnx(detector: Vec<u8>, recogniser: Vec<u8>) -> Result<Ocr, OcrError> {
        Ok(Ocr {
            detector: detect::TextDetector::from_onnx(detector)?,
            recogniser: recognise::TextRecogniser::from_onnx(recogniser)?,
        })
    }

    /// The text in a picture, top to bottom, left to right; pieces read with less than
    /// half confidence are left out.
    pub fn read(&self, px: &Pixels, limits: ReadLimits) -> Result<Vec<Word>, OcrError> {
        let mut boxes = self.detector.detect(px)?;
        boxes.truncate(limits.max_boxes);
        boxes.sort_by_key(|b| (b.y, b.x));
        let mut words = Vec::with_capacity(boxes.len());
        for bbox in boxes {
            if let Some((text, confidence)) = self.recogniser.read(px, &bbox)? {
                if confidence >= 0.5 && !text.trim().is_empty() {
                    words.push(Word { text, confidence, bbox });
                }
            }
        }
        Ok(words)
    }
}

/// Something that reads the text in a picture: the loaded [`Ocr`], or a caller's
/// wrapper that loads it when first used.
pub trait TextReader: Send + Sync + std::fmt::Debug {
    /// The text in a picture, top to bottom, left to right.
    fn read_text(&self, px: &Pixels) -> Result<Vec<Word>, OcrError>;
}

impl TextReader for Ocr {
    fn read_text(&self, px: &Pixels) -> Result<Vec<Word>, OcrError> {
        self.read(px, ReadLimits::default())
    }
}

/// Parses an ONNX file as tract wants it (shape annotations dropped: tract infers them,
/// and the export's disagree with it).
fn parse(bytes: &[u8]) -> Result<pb::ModelProto, OcrError> {
    let mut proto = tract_onnx::onnx()
        .proto_model_for_read(&mut &*bytes)
        .map_err(|e| OcrError::Graph(e.to_string()))?;
    if let Some(graph) = proto.graph.as_mut() {
        graph.value_info.clear();
    }
    Ok(proto)
}

/// Runnable plans of one network, one per input size: tract runs a plan made for a
/// known size two to three times faster than one left symbolic (and for the detector
/// it cannot prove that the upsampled maps line up for every size). Plans are made on
/// first use (0.05 to 0.2 s) and the last `kept` are kept.
struct Plans {
    model: InferenceModel,
    kept: usize,
    plans: Mutex<Vec<((usize, usize), Arc<TypedRunnableModel>)>>,
}

impl Plans {
    fn new(proto: &pb::ModelProto, kept: usize) -> Result<Plans, OcrError> {
        let onnx = tract_onnx::onnx().with_ignore_output_shapes(true);
        let model = onnx.model_for_proto_model(proto).map_err(|e| OcrError::Graph(format!("{e:#}")))?;
        Ok(Plans { model, kept, plans: Mutex::new(Vec::new()) })
    }

    /// Runs the network on one `3 × h × w` input (channel by channel).
    fn run(&self, input: Vec<f32>, h: usize, w: usize) -> Result<Vec<f32>, OcrError> {
        let plan = self.plan(h, w)?;
        let tensor = tract_ndarray::Array4::from_shape_vec((1, 3, h, w), input).map_err(|e| OcrError::Runtime(e.to_string()))?;
        let out = plan.run(tvec!(Tensor::from(tensor).into_tvalue())).map_err(|e| OcrError::Runtime(format!("{e:#}")))?;
        let view = out[0].to_plain_array_view::<f32>().map_err(|e| OcrError::Runtime(e.to_string()))?;
        Ok(view.iter().copied().collect())
    }

    fn plan(&self, h: usize, w: usize) -> Result<Arc<TypedRunnableModel>, OcrError> {
        {
            let plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((_, p)) = plans.iter().find(|(size, _)| *size == (h, w)) {
                return Ok(p.clone());
            }
        }
        let run = |e: TractError| OcrError::Runtime(format!("{e:#}"));
        let mut model = self.model.clone();
        model.set_input_fact(0, f32::fact([1, 3, h, w]).into()).map_err(run)?;
        let plan = model.into_optimized().map_err(run)?.into_runnable().map_err(run)?;
        let mut plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        if plans.len() >= self.kept {
            plans.remove(0);
        }
        plans.push(((h, w), plan.clone()));
        Ok(plan)
    }
}
