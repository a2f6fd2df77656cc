//! The pixel-level AI detector on CLIP embeddings: a logistic probe on the unit-length
//! embedding of [`super::clip::ClipEncoder`] (a linear probe as in UnivFD), calibrated
//! and with an operating point chosen on held-out sources. Trained by `proofdesk
//! train-detector`; the probe lives in `models/clip-probe.json`, the encoder is fetched
//! by `scripts/fetch-models.sh` (see the README).

use super::clip::{ClipEncoder, DIM, ENCODER_SHA256};
use super::logistic::Logistic;
use super::{AiDetector, Assessment};
use crate::pixels::Pixels;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock};

/// Schema of the probe file.
pub const PROBE_SCHEMA: &str = "proofdesk.clip-probe/1";

/// A trained probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    /// [`PROBE_SCHEMA`].
    pub schema: String,
    /// Name and version, as reports show it.
    pub name: String,
    /// SHA-256 of the encoder whose embeddings it was trained on.
    pub encoder_sha256: String,
    /// The regression on the embedding.
    pub logistic: Logistic,
    /// Platt calibration of the regression's logit, fitted on held-out scores.
    pub calibration: Logistic,
    /// The operating point (a calibrated probability).
    pub threshold: f64,
    /// Camera and real photos flagged at the operating point, on held-out sources.
    pub camera_false_positive_rate: f64,
    /// How it was trained (sources, counts, validation figures).
    pub training: serde_json::Value,
}

impl Probe {
    /// Reads a probe file, checking its schema, size and encoder.
    pub fn parse(json: &str) -> Result<Probe, String> {
        let p: Probe = serde_json::from_str(json).map_err(|e| e.to_string())?;
        if p.schema != PROBE_SCHEMA {
            return Err(format!("probe schema {} is not {PROBE_SCHEMA}", p.schema));
        }
        if p.logistic.weights.len() != DIM || p.logistic.mean.len() != DIM || p.calibration.weights.len() != 1 {
            return Err("the probe does not fit the encoder's embedding".into());
        }
        if p.encoder_sha256 != ENCODER_SHA256 {
            return Err("the probe was trained on another encoder".into());
        }
        Ok(p)
    }

    /// The regression's logit for an embedding.
    pub fn logit(&self, embedding: &[f32]) -> f64 {
        let x: Vec<f64> = embedding.iter().map(|&v| v as f64).collect();
        let p = self.logistic.probability(&x).clamp(1e-9, 1.0 - 1e-9);
        (p / (1.0 - p)).ln()
    }

    /// The calibrated probability that the embedded picture is AI-generated.
    pub fn probability(&self, embedding: &[f32]) -> f64 {
        self.calibration.probability(&[self.logit(embedding)])
    }
}

/// The probe shipped with this version, or `None` if its file does not parse.
pub fn shipped() -> Option<&'static Probe> {
    static PROBE: OnceLock<Option<Probe>> = OnceLock::new();
    PROBE
        .get_or_init(|| Probe::parse(include_str!("../../models/clip-probe.json")).ok())
        .as_ref()
}

/// The encoder and a probe: the detector screening uses when the encoder is installed.
#[derive(Debug, Clone)]
pub struct ClipDetector {
    /// The loaded encoder.
    pub encoder: Arc<ClipEncoder>,
    /// The probe on its embedding.
    pub probe: Probe,
}

impl AiDetector for ClipDetector {
    fn name(&self) -> &str {
        &self.probe.name
    }

    fn assess(&self, px: &Pixels) -> Option<Assessment> {
        let embedding = self.encoder.embed(px).ok()??;
        Some(Assessment {
            detector: self.probe.name.clone(),
            probability: self.probe.probability(&embedding) as f32,
            threshold: self.probe.threshold as f32,
            camera_false_positive_rate: self.probe.camera_false_positive_rate as f32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_probe_loads_and_rises_along_its_weights() {
        let p = shipped().expect("models/clip-probe.json parses");
        assert!(p.threshold > 0.5 && p.threshold < 1.0, "{}", p.threshold);
        assert!(p.camera_false_positive_rate <= 0.021, "at most 2% of photos flagged on held-out sources");
        // Moving an embedding along the probe's direction raises its probability.
        let direction: Vec<f32> = p.logistic.weights.iter().zip(&p.logistic.scale).map(|(w, s)| (w / s) as f32).collect();
        let mean: Vec<f32> = p.logistic.mean.iter().map(|&m| m as f32).collect();
        let along = |k: f32| -> Vec<f32> { mean.iter().zip(&direction).map(|(m, d)| m + k * d).collect() };
        assert!(p.probability(&along(-0.05)) < p.probability(&mean));
        assert!(p.probability(&mean) < p.probability(&along(0.05)));
        // Another encoder's probe is refused.
        let other = serde_json::to_string(p).unwrap().replace(ENCODER_SHA256, &"0".repeat(64));
        assert!(Probe::parse(&other).unwrap_err().contains("another encoder"));
    }
}
