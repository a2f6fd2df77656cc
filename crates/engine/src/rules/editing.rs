//! Editing: traces that software changed the file after capture.

use super::ai::{has_word, software_fields};
use super::Evidence;
use crate::signal::{Category::Manipulation, Direction::*, Signal, Text};

/// Picture editors and the strength their trace carries.
const EDITORS: &[(&str, f32)] = &[
    ("Photoshop", 0.6),
    ("GIMP", 0.6),
    ("Affinity Photo", 0.6),
    ("Pixelmator", 0.6),
    ("Paint.NET", 0.6),
    ("Photopea", 0.6),
    ("PaintShop", 0.6),
    ("Snapseed", 0.6),
    ("PicsArt", 0.6),
    ("Canva", 0.6),
    ("Fotor", 0.6),
    ("PhotoScape", 0.6),
    ("Facetune", 0.6),
    ("Meitu", 0.6),
    ("Remini", 0.6),
    ("FaceApp", 0.6),
    ("Photoroom", 0.6),
    ("PhotoDirector", 0.6),
    ("Krita", 0.6),
    ("Luminar", 0.5),
    ("ACDSee", 0.5),
    ("Lightroom", 0.5),
    ("Camera Raw", 0.5),
    ("Capture One", 0.5),
    ("darktable", 0.5),
    ("RawTherapee", 0.5),
    ("Picasa", 0.5),
    ("Windows Photo Editor", 0.5),
    ("Photo Editor", 0.5),
];

pub(super) fn check(e: &Evidence, out: &mut Vec<Signal>) {
    editor_traces(e, out);
    modified_after_capture(e, out);
    thumbnail(e, out);
    quantisation(e, out);
}

fn editor_traces(e: &Evidence, out: &mut Vec<Signal>) {
    let mut found: Vec<(String, String, f32)> = Vec::new();
    for (field, value) in software_fields(e) {
        if let Some((name, s)) = EDITORS.iter().find(|(n, _)| has_word(&value, n)) {
            let trace = (field, format!("{value} ({name})"), *s);
            if !found.iter().any(|f| f.0 == trace.0 && f.1 == trace.1) {
                found.push(trace);
            }
        }
    }
    if let Some(irb) = &e.metadata.photoshop {
        if let Some(w) = irb.writer.as_ref().filter(|w| has_word(w, "Photoshop")) {
            found.push(("Photoshop resources".into(), w.clone(), 0.6));
        }
    }
    let Some(best) = found.iter().max_by(|a, b| a.2.total_cmp(&b.2)).cloned() else {
        return;
    };
    let tool = best.1.split(" (").next().unwrap_or(&best.1).to_owned();
    out.push(
        Signal::new(
            "manipulation.editor-software",
            Manipulation,
            Suspicious,
            best.2,
            Text::new(
                format!("The file was saved by picture-editing software ({tool}) after it was taken. Editing is not fraud in itself, but the picture may differ from what the camera captured."),
                format!("Het bestand is na de opname opgeslagen met fotobewerkingssoftware ({tool}). Bewerken is op zich geen fraude, maar de afbeelding kan afwijken van wat de camera vastlegde."),
            ),
        )
        .with("traces", serde_json::Value::Array(found.iter().map(|(f, v, _)| format!("{f}: {v}").into()).collect())),
    );
}

/// Seconds since year 0 for "YYYY-MM-DDTHH:MM:SS" (calendar-approximate, for differences only).
fn seconds(iso: &str) -> Option<i64> {
    let n = |a: usize, b: usize| iso.get(a..b)?.parse::<i64>().ok();
    let days = n(0, 4)? * 372 + n(5, 7)? * 31 + n(8, 10)?;
    Some(days * 86_400 + n(11, 13)? * 3600 + n(14, 16)? * 60 + n(17, 19)?)
}

fn modified_after_capture(e: &Evidence, out: &mut Vec<Signal>) {
    let Some(x) = &e.metadata.exif else { return };
    let (Some(c), Some(m)) = (&x.captured, &x.modified) else {
        return;
    };
    let (Some(cs), Some(ms)) = (seconds(c), seconds(m)) else {
        return;
    };
    if ms - cs > 120 {
        out.push(
            Signal::new(
                "manipulation.modified-after-capture",
                Manipulation,
                Suspicious,
                0.3,
                Text::new(
                    format!("The file was saved again on {m}, after the photo was taken on {c}."),
                    format!("Het bestand is opnieuw opgeslagen op {m}, na de opname op {c}."),
                ),
            )
            .with("captured", c.clone())
            .with("modified", m.clone()),
        );
    }
}

/// Below this correlation the thumbnail shows a different picture (see README, "Thumbnail check").
const THUMB_DIFFERENT: f64 = 0.5;

fn thumbnail(e: &Evidence, out: &mut Vec<Signal>) {
    let Some(t) = e.thumbnail else { return };
    let details = |s: Signal| {
        s.with("correlation", t.correlation)
            .with("mean_difference", t.mean_difference)
            .with("thumbnail_width", t.width)
            .with("thumbnail_height", t.height)
    };
    if t.correlation < THUMB_DIFFERENT {
        out.push(details(Signal::new(
            "manipulation.thumbnail-mismatch",
            Manipulation,
            Suspicious,
            // Below the "edited" strength: one camera original in the corpus has a
            // thumbnail that correlates at 0.32, so this asks for a look, no more.
            0.4,
            Text::new(
                "The small preview stored inside the file shows a different picture from the main image: the image was changed and the preview was not.",
                "Het kleine voorbeeld in het bestand toont een ander beeld dan de hoofdafbeelding: de afbeelding is gewijzigd en het voorbeeld niet.",
            ),
        )));
    } else {
        out.push(details(Signal::new(
            "manipulation.thumbnail-consistent",
            Manipulation,
            SupportsAuthenticity,
            0.1,
            Text::new(
                "The small preview stored inside the file matches the main image.",
                "Het kleine voorbeeld in het bestand komt overeen met de hoofdafbeelding.",
            ),
        )));
    }
}

fn quantisation(e: &Evidence, out: &mut Vec<Signal>) {
    let Some(q) = &e.metadata.jpeg_quality else {
        return;
    };
    let (en, nl) = if q.standard_tables {
        (
            format!("The JPEG uses the standard libjpeg tables at quality {}, as most software (and some cameras) write them.", q.quality),
            format!("De JPEG gebruikt de standaard libjpeg-tabellen op kwaliteit {}, zoals de meeste software (en sommige camera's) die schrijven.", q.quality),
        )
    } else {
        (
            format!("The JPEG uses its own quantisation tables (about quality {}), as cameras and some editors do.", q.quality),
            format!("De JPEG gebruikt eigen kwantisatietabellen (ongeveer kwaliteit {}), zoals camera's en sommige bewerkers doen.", q.quality),
        )
    };
    out.push(
        Signal::new(
            "manipulation.jpeg-tables",
            Manipulation,
            Neutral,
            0.05,
            Text::new(en, nl),
        )
        .with("quality", q.quality)
        .with("standard_tables", q.standard_tables)
        .with("distance", q.distance),
    );
}
