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
    resized_after_capture(e, out);
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

/// The picture is smaller than the size the camera wrote into EXIF (either way round, by
/// more than 2 %): it was resized or cropped after capture. Messaging apps and websites
/// do this too, so it is weak; it keeps the file from counting as a camera original.
fn resized_after_capture(e: &Evidence, out: &mut Vec<Signal>) {
    let Some(x) = &e.metadata.exif else { return };
    let (Some(w), Some(h), Some(rw), Some(rh)) =
        (e.metadata.width, e.metadata.height, x.width, x.height)
    else {
        return;
    };
    let sorted = |a: u32, b: u32| (a.min(b) as f64, a.max(b) as f64);
    let ((short, long), (rshort, rlong)) = (sorted(w, h), sorted(rw, rh));
    if short * 1.02 >= rshort && long * 1.02 >= rlong {
        return;
    }
    out.push(
        Signal::new(
            "manipulation.resized-after-capture",
            Manipulation,
            Suspicious,
            crate::verdict::CAMERA_ORIGINAL_DOUBT,
            Text::new(
                format!("The picture is {w}×{h} pixels, but the camera recorded {rw}×{rh}: it was resized or cropped after it was taken (messaging apps and websites also resize photos)."),
                format!("De afbeelding is {w}×{h} pixels, maar de camera legde {rw}×{rh} vast: ze is na de opname verkleind of bijgesneden (ook berichtenapps en websites verkleinen foto's)."),
            ),
        )
        .with("width", w)
        .with("height", h)
        .with("recorded_width", rw)
        .with("recorded_height", rh),
    );
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
            // Below the "edited" strength: a preview can differ for innocent reasons
            // (one camera file read 0.32 until a turned picture was compared at its
            // turned aspect), so this asks for a look, no more.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::Extracted;
    use crate::metadata::{exif::ExifFacts, Metadata};
    use crate::Format;

    /// The editing signals of a JPEG of `size` whose EXIF records `recorded`.
    fn signals(size: (u32, u32), recorded: (u32, u32)) -> Vec<Signal> {
        let metadata = Metadata {
            width: Some(size.0),
            height: Some(size.1),
            exif: Some(ExifFacts {
                width: Some(recorded.0),
                height: Some(recorded.1),
                ..ExifFacts::default()
            }),
            ..Metadata::default()
        };
        let (extracted, credentials) = (Extracted::default(), Ok(None));
        let e = Evidence {
            format: Format::Jpeg,
            extension: None,
            extracted: &extracted,
            metadata: &metadata,
            credentials: &credentials,
            pixel_error: None,
            reduction: None,
            document: None,
            watermark: None,
            watermark_skipped_quality: None,
            thumbnail: None,
            forensics: None,
        };
        let mut out = Vec::new();
        check(&e, &mut out);
        out
    }

    #[test]
    fn a_picture_smaller_than_the_camera_recorded_was_resized_and_a_turned_one_was_not() {
        let resized = signals((730, 547), (3648, 2736));
        let s = resized
            .iter()
            .find(|s| s.id == "manipulation.resized-after-capture")
            .expect("resized");
        assert!(s.is_suspicious() && s.strength < crate::verdict::EDIT_DECISIVE);
        let verdict = crate::verdict::decide(&[
            Signal::new(
                "provenance.camera",
                crate::signal::Category::Provenance,
                SupportsAuthenticity,
                0.15,
                Text::new("", ""),
            ),
            s.clone(),
        ]);
        assert_eq!(
            verdict,
            crate::verdict::Verdict::Unknown,
            "no longer a camera original"
        );
        assert!(s.summary.en.contains("730×547") && s.summary.nl.contains("3648×2736"));
        for (size, recorded) in [((2736, 3648), (3648, 2736)), ((4000, 3000), (4000, 3008))] {
            let same = signals(size, recorded);
            assert!(
                !same
                    .iter()
                    .any(|s| s.id == "manipulation.resized-after-capture"),
                "{size:?} vs {recorded:?}"
            );
        }
    }
}
