//! The per-file verdict: one word for a person, derived only from signals.

use crate::signal::{Category, Direction, Signal};
use serde::{Deserialize, Serialize};

/// What the screener concludes about one file. Never a decision about a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The file declares or carries strong evidence of AI generation.
    AiGenerated,
    /// Strong evidence that the picture was changed after it was captured or signed.
    Manipulated,
    /// The same picture came with an earlier claim (found in the reuse index).
    Reused,
    /// Saved by editing software after capture.
    Edited,
    /// Camera metadata and no trace of editing.
    CameraOriginal,
    /// Valid Content Credentials document the file's history.
    CredentialsValid,
    /// Nothing conclusive either way (e.g. stripped metadata).
    Unknown,
    /// The file could not be analysed.
    Error,
}

impl Verdict {
    /// The kebab-case name used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::AiGenerated => "ai-generated",
            Verdict::Manipulated => "manipulated",
            Verdict::Reused => "reused",
            Verdict::Edited => "edited",
            Verdict::CameraOriginal => "camera-original",
            Verdict::CredentialsValid => "credentials-valid",
            Verdict::Unknown => "unknown",
            Verdict::Error => "error",
        }
    }

    /// Whether a person should look at this file before paying.
    pub fn is_flagged(self) -> bool {
        matches!(
            self,
            Verdict::AiGenerated | Verdict::Manipulated | Verdict::Reused
        )
    }
}

/// Strength at which a suspicious AI signal decides the verdict.
pub const AI_DECISIVE: f32 = 0.8;
/// Strength at which a suspicious manipulation or provenance signal means "manipulated".
pub const MANIPULATION_DECISIVE: f32 = 0.8;
/// Strength at which an earlier sighting means "reused" (every match in the index has
/// at least 0.6: see [`crate::reuse::signal`]).
pub const REUSE_DECISIVE: f32 = 0.5;
/// Strength at which an editing trace means "edited".
pub const EDIT_DECISIVE: f32 = 0.5;
/// Strength from which a suspicious signal (other than integrity and context) keeps a
/// file with camera metadata from counting as a camera original.
pub const CAMERA_ORIGINAL_DOUBT: f32 = 0.3;

/// Derives the verdict from the signals of a file that was analysed.
pub fn decide(signals: &[Signal]) -> Verdict {
    let sus = |cat: Category, min: f32| {
        signals
            .iter()
            .any(|s| s.is_suspicious() && s.category == cat && s.strength >= min)
    };
    let has = |id: &str| signals.iter().any(|s| s.id == id);
    if sus(Category::Ai, AI_DECISIVE) {
        Verdict::AiGenerated
    } else if sus(Category::Manipulation, MANIPULATION_DECISIVE)
        || sus(Category::Provenance, MANIPULATION_DECISIVE)
    {
        Verdict::Manipulated
    } else if sus(Category::Reuse, REUSE_DECISIVE) {
        Verdict::Reused
    } else if has("provenance.c2pa.valid") || has("provenance.c2pa.camera-capture") {
        Verdict::CredentialsValid
    } else if sus(Category::Manipulation, EDIT_DECISIVE) {
        Verdict::Edited
    } else if has("provenance.camera")
        // Camera metadata over pixels that cannot be decoded (a header-only file) is
        // no camera original.
        && !has("integrity.pixels-undecodable")
        && !signals
            .iter()
            // Context findings (dates, places) are about the claim, not the file's origin.
            .any(|s| {
                s.is_suspicious()
                    && s.strength >= CAMERA_ORIGINAL_DOUBT
                    && !matches!(s.category, Category::Integrity | Category::Context)
            })
    {
        Verdict::CameraOriginal
    } else {
        Verdict::Unknown
    }
}

/// The ids of the signals that best explain the verdict, strongest first (at most three).
pub fn reasons(signals: &[Signal], verdict: Verdict) -> Vec<String> {
    let wanted = match verdict {
        Verdict::CameraOriginal | Verdict::CredentialsValid => Direction::SupportsAuthenticity,
        Verdict::Unknown => Direction::Neutral,
        _ => Direction::Suspicious,
    };
    let mut ranked: Vec<&Signal> = signals.iter().collect();
    ranked.sort_by(|a, b| {
        let key = |s: &Signal| {
            (
                s.direction == wanted || (verdict == Verdict::Unknown && s.is_suspicious()),
                s.strength,
            )
        };
        let (ka, kb) = (key(a), key(b));
        kb.0.cmp(&ka.0).then(kb.1.total_cmp(&ka.1))
    });
    ranked
        .iter()
        .filter(|s| s.strength > 0.0 || ranked.len() <= 3)
        .take(3)
        .map(|s| s.id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::Text;

    fn signal(id: &str, category: Category, direction: Direction, strength: f32) -> Signal {
        Signal::new(id, category, direction, strength, Text::new("t", "t"))
    }

    #[test]
    fn camera_metadata_over_undecodable_pixels_is_no_camera_original() {
        let camera = signal("provenance.camera", Category::Provenance, Direction::SupportsAuthenticity, 0.3);
        assert_eq!(decide(std::slice::from_ref(&camera)), Verdict::CameraOriginal);
        let broken = signal("integrity.pixels-undecodable", Category::Integrity, Direction::Suspicious, 1.0);
        assert_eq!(decide(&[camera, broken]), Verdict::Unknown);
    }
}
