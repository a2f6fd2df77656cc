//! Telling AI-generated pictures from photos by their pixels alone, when metadata,
//! Content Credentials and watermarks are gone. The shipped detector is a logistic
//! regression on forensic features ([`features`]), trained by `proofdesk
//! train-detector` on the shared corpus (the model lives in `models/ai-detector.json`).
//! It gives a calibrated probability and an operating point chosen so that few
//! camera photos are flagged; its signal is one indicator among several and is never
//! strong enough to make a verdict on its own. Other detectors can be plugged in
//! through [`AiDetector`].

pub mod bicubic;
pub mod clip;
mod encoder_graph;
pub mod features;
pub mod logistic;
pub mod probe;

use crate::pixels::Pixels;
use crate::signal::{Category, Direction, Signal, Text};
use logistic::Logistic;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// Schema of the model file.
pub const MODEL_SCHEMA: &str = "proofdesk.ai-detector/1";
/// Strongest signal the detector gives: below the verdict's "AI-generated" level, so
/// the pixels alone never decide (see [`crate::verdict::AI_DECISIVE`]).
pub const MAX_STRENGTH: f32 = 0.6;

/// What a detector says about one picture. The probability is calibrated for even
/// odds (as many generated as real pictures); where generated pictures are rarer, the
/// chance that a flagged one is generated is lower.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// Which detector.
    pub detector: String,
    /// Probability that the picture is AI-generated, 0 to 1.
    pub probability: f32,
    /// The operating point: from this probability on, the picture is flagged.
    pub threshold: f32,
    /// Share of camera photos flagged at the operating point in cross-validation.
    pub camera_false_positive_rate: f32,
}

/// A pixel-level AI-image detector.
pub trait AiDetector: Send + Sync + std::fmt::Debug {
    /// Its name, as reports show it.
    fn name(&self) -> &str;
    /// Its assessment of decoded pixels, or `None` when it cannot judge them (too small).
    fn assess(&self, px: &Pixels) -> Option<Assessment>;
}

/// A trained model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// [`MODEL_SCHEMA`].
    pub schema: String,
    /// Name and version.
    pub name: String,
    /// The features it uses, by name (a subset of [`features::NAMES`]).
    pub features: Vec<String>,
    /// The regression.
    pub logistic: Logistic,
    /// Platt calibration of the regression's probability: a logistic on its logit,
    /// fitted on cross-validated scores with the classes weighted equally.
    pub calibration: Logistic,
    /// The operating point.
    pub threshold: f64,
    /// Camera photos flagged at the operating point, in leave-one-source-out validation.
    pub camera_false_positive_rate: f64,
    /// How it was trained (corpus counts, variants, cross-validation figures).
    pub training: serde_json::Value,
}

impl Model {
    /// Reads a model file, checking its schema and features.
    pub fn parse(json: &str) -> Result<Model, String> {
        let m: Model = serde_json::from_str(json).map_err(|e| e.to_string())?;
        if m.schema != MODEL_SCHEMA {
            return Err(format!("model schema {} is not {MODEL_SCHEMA}", m.schema));
        }
        if m.features.iter().any(|f| !features::NAMES.contains(&f.as_str()))
            || m.logistic.weights.len() != m.features.len()
            || m.logistic.mean.len() != m.features.len()
            || m.calibration.weights.len() != 1
        {
            return Err("the model's features are not this version's".into());
        }
        Ok(m)
    }

    /// The probability for a full feature vector (all of [`features::NAMES`]).
    pub fn probability(&self, f: &[f32]) -> f64 {
        let x: Vec<f64> = self
            .features
            .iter()
            .map(|name| features::NAMES.iter().position(|n| n == name).map_or(0.0, |i| f[i] as f64))
            .collect();
        let p = self.logistic.probability(&x).clamp(1e-6, 1.0 - 1e-6);
        self.calibration.probability(&[(p / (1.0 - p)).ln()])
    }
}

impl AiDetector for Model {
    fn name(&self) -> &str {
        &self.name
    }

    fn assess(&self, px: &Pixels) -> Option<Assessment> {
        let f = features::extract(px)?;
        Some(Assessment {
            detector: self.name.clone(),
            probability: self.probability(&f) as f32,
            threshold: self.threshold as f32,
            camera_false_positive_rate: self.camera_false_positive_rate as f32,
        })
    }
}

/// The model shipped with this version, or `None` if its file does not parse.
pub fn shipped() -> Option<&'static Model> {
    static MODEL: OnceLock<Option<Model>> = OnceLock::new();
    MODEL
        .get_or_init(|| Model::parse(include_str!("../../models/ai-detector.json")).ok())
        .as_ref()
}

/// The signal for an assessment: suspicious from the operating point on (strength
/// 0.3 to [`MAX_STRENGTH`]), otherwise a neutral note.
pub fn signal(a: &Assessment) -> Signal {
    let pct = (a.probability * 100.0).round();
    let at = (a.threshold * 100.0).round();
    let fpr = (a.camera_false_positive_rate * 100.0).round();
    if a.probability >= a.threshold {
        let over = ((a.probability - a.threshold) / (1.0 - a.threshold).max(1e-3)).clamp(0.0, 1.0);
        let strength = 0.3 + (MAX_STRENGTH - 0.3) * over;
        Signal::new(
            "ai.pixels.detector",
            Category::Ai,
            Direction::Suspicious,
            strength,
            Text::new(
                format!("The pixel-level detector rates this picture {pct:.0}% likely AI-generated (it flags from {at:.0}%, a level at which it flagged {fpr:.0}% of genuine photos from sources it had not seen in testing). It is one indicator among several and can be wrong, especially on generators it has not seen: ask for the original file or a new photo rather than conclude."),
                format!("De detector op pixelniveau schat deze afbeelding {pct:.0}% waarschijnlijk AI-gegenereerd (hij meldt vanaf {at:.0}%, een niveau waarop hij bij tests {fpr:.0}% van de echte foto's uit bronnen die hij niet kende meldde). Het is één aanwijzing naast andere en kan zich vergissen, vooral bij generatoren die hij niet kent: vraag om het originele bestand of een nieuwe foto in plaats van een conclusie te trekken."),
            ),
        )
    } else {
        Signal::new(
            "ai.pixels.detector",
            Category::Ai,
            Direction::Neutral,
            0.0,
            Text::new(
                format!("The pixel-level detector rates this picture {pct:.0}% likely AI-generated, below the {at:.0}% from which it flags. It misses many generated pictures, so this does not show the picture is a photo."),
                format!("De detector op pixelniveau schat deze afbeelding {pct:.0}% waarschijnlijk AI-gegenereerd, onder de {at:.0}% vanaf waar hij meldt. Hij mist veel gegenereerde afbeeldingen, dus dit toont niet aan dat het een foto is."),
            ),
        )
    }
    .with("detector", a.detector.clone())
    .with("probability", (a.probability as f64 * 1000.0).round() / 1000.0)
    .with("threshold", (a.threshold as f64 * 1000.0).round() / 1000.0)
    .with("camera_false_positive_rate", (a.camera_false_positive_rate as f64 * 1000.0).round() / 1000.0)
}

/// The note for a picture the detector was not applied to because it names its camera.
pub fn skipped_for_camera_data() -> Signal {
    Signal::new(
        "ai.pixels.detector-skipped",
        Category::Ai,
        Direction::Neutral,
        0.0,
        Text::new(
            "The pixel-level AI detector was not applied: the file names the camera it came from, which the metadata checks weigh; the detector is for pictures without camera data. Camera data can be copied onto a generated picture: if the picture looks wrong, ask for the original file or a new photo.",
            "De AI-detector op pixelniveau is niet toegepast: het bestand noemt de camera waarmee het is gemaakt, en dat wegen de metadatacontroles; de detector is voor afbeeldingen zonder cameragegevens. Cameragegevens zijn over te zetten op een gegenereerde afbeelding: als de afbeelding niet klopt, vraag dan om het originele bestand of een nieuwe foto.",
        ),
    )
    .with("reason", "camera-data")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_model_loads_and_never_decides_alone() {
        let m = shipped().expect("models/ai-detector.json parses");
        assert!(m.threshold > 0.0 && m.threshold < 1.0);
        assert!(m.camera_false_positive_rate <= 0.05, "at most 5% of camera photos flagged");
        let sure = signal(&Assessment {
            detector: m.name.clone(),
            probability: 1.0,
            threshold: m.threshold as f32,
            camera_false_positive_rate: 0.03,
        });
        assert!(sure.is_suspicious() && sure.strength <= MAX_STRENGTH);
        const { assert!(MAX_STRENGTH < crate::verdict::AI_DECISIVE) };
        assert!(sure.summary.en.contains("one indicator among several"));
        assert!(sure.summary.nl.contains("één aanwijzing naast andere"));
        let low = signal(&Assessment {
            detector: m.name.clone(),
            probability: 0.01,
            threshold: m.threshold as f32,
            camera_false_positive_rate: 0.03,
        });
        assert!(!low.is_suspicious() && low.strength == 0.0);
    }
}
