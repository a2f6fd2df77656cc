//! Pixel forensics: copy-move, JPEG-history, noise and error-level findings as signals.
//!
//! Only one finding is strong and specific enough to decide a verdict: two *separate*
//! regions of the picture that are pixel-for-pixel the same (a copy-move). Measured on
//! the corpus (README, "Pixel forensics"), every copy-move forgery scores 0.8 or more,
//! while the honest photos that reach the flag level do so on repeated structure whose
//! two "copies" overlap (a screen bezel, a fence), which no copy-and-paste produces. So:
//! - separate copies at [`STRONG_COPY`] or more: `manipulated`;
//! - separate copies below it: `edited` (look closer);
//! - overlapping copies, noise, error-level and JPEG-history anomalies: a "look closer"
//!   signal with its heatmap that does not change the verdict (they also occur in
//!   honest photos: blur, sky, saturated areas, repeated texture).

use super::Evidence;
use crate::forensics::copy_move::CopyPair;
use crate::forensics::{ForensicsReport, Method, Region, FLAG_AT};
use crate::signal::{Category::Manipulation, Direction::*, Signal, Text};
use crate::verdict::{EDIT_DECISIVE, MANIPULATION_DECISIVE};

/// Strength of a look-closer copy-move finding per unit of score: below "edited".
const COPY_MOVE_WEIGHT: f32 = 0.45;
/// Calibrated copy-move score from which separate copies mean "manipulated".
pub const STRONG_COPY: f32 = 0.8;
/// Strength of a noise or error-level finding per unit of score.
const ANOMALY_WEIGHT: f32 = 0.35;

pub(super) fn check(e: &Evidence, out: &mut Vec<Signal>) {
    let Some(f) = e.forensics else { return };
    copy_move(f, out);
    anomaly(f, Method::Noise, out);
    anomaly(f, Method::Ela, out);
    anomaly(f, Method::JpegHistory, out);
    integrity(f, out);
}

fn copy_move(f: &ForensicsReport, out: &mut Vec<Signal>) {
    let Some(r) = f.get(Method::CopyMove).filter(|r| r.score >= FLAG_AT) else {
        return;
    };
    let Some(p) = r.pairs.iter().find(|p| separate(p)).or(r.pairs.first()) else {
        return;
    };
    let (wa, wb) = (place(&p.a, f.size), place(&p.b, f.size));
    let (strength, text) = if separate(p) {
        // Manipulated from STRONG_COPY up, edited below it.
        let strength = if r.score >= STRONG_COPY {
            MANIPULATION_DECISIVE + 0.15 * (r.score - STRONG_COPY) / (1.0 - STRONG_COPY)
        } else {
            EDIT_DECISIVE + 0.1 * (r.score - FLAG_AT) / (STRONG_COPY - FLAG_AT)
        };
        let text = Text::new(
            format!(
                "Part of the picture appears twice: a region {} is the same, pixel for pixel, as a separate region {}; one was probably copied onto the other to add or hide something.",
                wa.0, wb.0
            ),
            format!(
                "Een deel van de foto komt twee keer voor: een gebied {} is pixel voor pixel gelijk aan een apart gebied {}; het ene is waarschijnlijk over het andere geplakt om iets toe te voegen of te verbergen.",
                wa.1, wb.1
            ),
        );
        (strength, text)
    } else {
        let text = Text::new(
            format!(
                "A region {} repeats, slightly shifted, {}: this can be a copy, but repeated structure (a fence, tiles, a screen edge) looks the same; look closer.",
                wa.0, wb.0
            ),
            format!(
                "Een gebied {} herhaalt zich licht verschoven {}: dit kan een kopie zijn, maar herhaalde structuur (een hek, tegels, een schermrand) ziet er net zo uit; bekijk het beter.",
                wa.1, wb.1
            ),
        );
        (COPY_MOVE_WEIGHT * r.score, text)
    };
    out.push(
        Signal::new(
            "manipulation.pixels.copy-move",
            Manipulation,
            Suspicious,
            strength,
            text,
        )
        .with("separate", separate(p))
        .with("score", r.score)
        .with("blocks", p.blocks)
        .with("shift", vec![p.shift.0, p.shift.1])
        .with(
            "regions",
            serde_json::to_value(&r.regions).unwrap_or_default(),
        ),
    );
}

/// Whether the two copies of a pair lie apart (neither overlaps the other).
fn separate(p: &CopyPair) -> bool {
    p.shift.0.unsigned_abs() >= p.a.width || p.shift.1.unsigned_abs() >= p.a.height
}

fn anomaly(f: &ForensicsReport, m: Method, out: &mut Vec<Signal>) {
    let Some(r) = f.get(m).filter(|r| r.score >= FLAG_AT) else {
        return;
    };
    let Some(top) = r.regions.first() else { return };
    let w = place(top, f.size);
    let (id, text) = match m {
        Method::Noise => (
            "manipulation.pixels.noise",
            Text::new(
                format!("The grain (noise) of the photo {} differs from the rest, as when something was pasted in or smoothed away; blur and very smooth surfaces can also cause this.", w.0),
                format!("De korrel (ruis) van de foto {} wijkt af van de rest, zoals wanneer er iets is ingeplakt of weggepoetst; onscherpte en zeer gladde vlakken kunnen dit ook geven.", w.1),
            ),
        ),
        Method::JpegHistory => (
            "manipulation.pixels.jpeg-history",
            Text::new(
                format!("The picture {} carries a different JPEG history from the rest: it lacks the trace of the earlier save the rest shows, or has block edges off the file's grid, as when a piece from another picture was pasted in.", w.0),
                format!("De foto {} heeft een andere JPEG-geschiedenis dan de rest: het spoor van de eerdere opslag ontbreekt daar, of er liggen blokranden naast het raster van het bestand, zoals wanneer er een stuk uit een andere foto is ingeplakt.", w.1),
            ),
        ),
        _ => (
            "manipulation.pixels.error-level",
            Text::new(
                format!("Blocks of the picture {} react differently to re-saving at the file's own JPEG quality than the rest: they may have a different editing history.", w.0),
                format!("Blokken van de foto {} reageren anders op opnieuw opslaan in de eigen JPEG-kwaliteit van het bestand dan de rest: ze kunnen een andere bewerkingsgeschiedenis hebben.", w.1),
            ),
        ),
    };
    out.push(
        Signal::new(id, Manipulation, Suspicious, ANOMALY_WEIGHT * r.score, text)
            .with("score", r.score)
            .with(
                "regions",
                serde_json::to_value(&r.regions).unwrap_or_default(),
            ),
    );
}

fn integrity(f: &ForensicsReport, out: &mut Vec<Signal>) {
    let s = f.integrity_score;
    let en: Vec<&str> = f.methods.iter().map(|m| m.method.title().0).collect();
    let nl: Vec<&str> = f.methods.iter().map(|m| m.method.title().1).collect();
    let text = if s < FLAG_AT {
        Text::new(
            format!("Pixel forensics ({}) found no sign of local editing: integrity score {s:.2} of 1.", en.join(", ")),
            format!("Pixelonderzoek ({}) vond geen teken van plaatselijke bewerking: integriteitsscore {} van 1.", nl.join(", "), comma(s)),
        )
    } else {
        Text::new(
            format!("Pixel forensics found signs of local editing: integrity score {s:.2} of 1 (0.50 and above: look closer)."),
            format!("Pixelonderzoek vond tekenen van plaatselijke bewerking: integriteitsscore {} van 1 (vanaf 0,50: beter bekijken).", comma(s)),
        )
    };
    let scores: serde_json::Map<String, serde_json::Value> = f
        .methods
        .iter()
        .map(|m| (m.method.as_str().to_owned(), serde_json::json!(m.score)))
        .collect();
    out.push(
        Signal::new(
            "manipulation.pixels.integrity",
            Manipulation,
            Neutral,
            0.0,
            text,
        )
        .with("integrity_score", s)
        .with("scores", scores),
    );
}

fn comma(v: f32) -> String {
    format!("{v:.2}").replace('.', ",")
}

/// Where a region lies, in English and Dutch words ("at the bottom left").
fn place(r: &Region, size: (usize, usize)) -> (String, String) {
    let cx = (r.x as f64 + r.width as f64 / 2.0) / size.0.max(1) as f64;
    let cy = (r.y as f64 + r.height as f64 / 2.0) / size.1.max(1) as f64;
    let col = if cx < 0.36 {
        0
    } else if cx > 0.64 {
        2
    } else {
        1
    };
    let row = if cy < 0.36 {
        0
    } else if cy > 0.64 {
        2
    } else {
        1
    };
    let en = [
        "top left",
        "top centre",
        "top right",
        "middle left",
        "centre",
        "middle right",
        "bottom left",
        "bottom centre",
        "bottom right",
    ];
    let nl = [
        "linksboven",
        "middenboven",
        "rechtsboven",
        "links in het midden",
        "in het midden",
        "rechts in het midden",
        "linksonder",
        "middenonder",
        "rechtsonder",
    ];
    let i = row * 3 + col;
    let at = |s: &str| {
        if i == 4 {
            "in the centre".to_string()
        } else {
            format!("at the {s}")
        }
    };
    (
        format!(
            "{} ({}×{} px at {},{})",
            at(en[i]),
            r.width,
            r.height,
            r.x,
            r.y
        ),
        format!("{} ({}×{} px op {},{})", nl[i], r.width, r.height, r.x, r.y),
    )
}
