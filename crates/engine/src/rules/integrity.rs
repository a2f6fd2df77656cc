//! Integrity: the file's own structure.

use super::Evidence;
use crate::format::Format;
use crate::pixels::PixelError;
use crate::signal::{Category::Integrity, Direction::*, Signal, Text};

pub(super) fn check(e: &Evidence, out: &mut Vec<Signal>) {
    out.extend(extension_mismatch(e.format, e.extension));
    if e.extracted.truncated {
        out.push(
            Signal::new(
                "integrity.truncated",
                Integrity,
                Neutral,
                0.2,
                Text::new(
                    "The file ends before its structure is complete: it was cut off in transfer or damaged.",
                    "Het bestand houdt op voordat de structuur compleet is: het is bij verzending afgebroken of beschadigd.",
                ),
            )
            .with("warnings", e.extracted.warnings.clone()),
        );
    }
    if let Some(j) = &e.extracted.jpeg {
        if j.trailing_bytes > 0 {
            // Phones append previews, depth maps and maker data after the image; on
            // its own this says nothing about the picture, so it stays neutral.
            let strength = if j.trailing_jpeg || j.trailing_bytes > 4096 {
                0.1
            } else {
                0.05
            };
            out.push(
                Signal::new(
                    "integrity.trailing-data",
                    Integrity,
                    Neutral,
                    strength,
                    if j.trailing_jpeg {
                        Text::new(
                            format!("{} bytes follow the image, holding another JPEG (phones store previews or depth maps this way).", j.trailing_bytes),
                            format!("Na de afbeelding volgen {} bytes met nog een JPEG (telefoons bewaren zo voorbeelden of dieptekaarten).", j.trailing_bytes),
                        )
                    } else {
                        Text::new(
                            format!("{} bytes of other data follow the end of the image (some phones and apps store extra data there).", j.trailing_bytes),
                            format!("Na het einde van de afbeelding volgen {} bytes andere gegevens (sommige telefoons en apps bewaren daar extra gegevens).", j.trailing_bytes),
                        )
                    },
                )
                .with("bytes", j.trailing_bytes),
            );
        }
    }
    if let Some(r) = e.reduction {
        let (w, h) = r.original;
        out.push(
            Signal::new(
                "integrity.pixels-reduced",
                Integrity,
                Neutral,
                0.1,
                Text::new(
                    format!("The image is {w} × {h} pixels, beyond the {} megapixel limit; the picture checks ran on a copy reduced {}× per side (the JPEG-grid checks and the watermark test need full size and did not run).", r.limit / 1_000_000, r.factor),
                    format!("De afbeelding is {w} × {h} pixels, boven de grens van {} megapixel; de beeldcontroles zijn gedaan op een kopie die per zijde {}× verkleind is (de controles op het JPEG-raster en de watermerktest hebben de volle grootte nodig en zijn niet gedaan).", r.limit / 1_000_000, r.factor),
                ),
            )
            .with("width", w)
            .with("height", h)
            .with("factor", r.factor),
        );
    }
    if let Some(d) = e.document.filter(|d| d.is_document) {
        out.push(
            Signal::new(
                "integrity.document",
                Integrity,
                Neutral,
                0.0,
                Text::new(
                    "The picture is a document (printed text on paper, as a receipt, invoice or letter), not a photo: the pixel detector trained on photos was not applied to it.",
                    "De afbeelding is een document (gedrukte tekst op papier, zoals een bon, factuur of brief), geen foto: de pixeldetector die op foto's is getraind, is er niet op toegepast.",
                ),
            )
            .with("paper_share", d.paper_share)
            .with("ink_share", d.ink_share)
            .with("middle_share", d.middle_share)
            .with("colour", d.colour),
        );
    }
    match e.pixel_error {
        // Nothing in the picture was checked: a person must look (the checks on a
        // reduced copy failed too, or the picture is far beyond the limit).
        Some(PixelError::TooLarge { width, height, limit }) => out.push(
            Signal::new(
                "integrity.pixel-limit",
                Integrity,
                Suspicious,
                NOTHING_CHECKED,
                Text::new(
                    format!("The image claims {width} × {height} pixels, far beyond the {} megapixel limit; its pixels were not analysed, so a person must look at it (or ask for the photo as the camera made it).", limit / 1_000_000),
                    format!("De afbeelding claimt {width} × {height} pixels, ver boven de grens van {} megapixel; de pixels zijn niet onderzocht, dus een mens moet ernaar kijken (of om de foto vragen zoals de camera hem maakte).", limit / 1_000_000),
                ),
            )
            .with("width", *width)
            .with("height", *height),
        ),
        Some(PixelError::Corrupt(msg)) => out.push(
            Signal::new(
                "integrity.pixels-undecodable",
                Integrity,
                Suspicious,
                NOTHING_CHECKED,
                Text::new(
                    "The picture data could not be decoded, so no picture check ran and only the metadata was read: a person must look at it, or ask the customer for the photo again.",
                    "De beeldgegevens konden niet worden gedecodeerd, dus er is geen beeldcontrole gedaan en alleen de metadata is gelezen: een mens moet ernaar kijken, of de klant opnieuw om de foto vragen.",
                ),
            )
            .with("error", msg.clone()),
        ),
        _ => {}
    }
}

/// Strength of a finding that no check could run: with the default integrity weight
/// (25 points) it alone reaches the review band.
pub(super) const NOTHING_CHECKED: f32 = 1.0;

/// A file that is not a picture the screener reads (empty, unknown content, or a
/// format recognised but not screened): nothing was checked, so a person must look.
/// The signal for a file whose name's extension belongs to another known format.
pub(crate) fn extension_mismatch(format: Format, extension: Option<&str>) -> Option<Signal> {
    let ext = extension?;
    if format == Format::Unknown || !Format::is_known_extension(ext) || format.accepts_extension(ext) {
        return None;
    }
    Some(
        Signal::new(
            "integrity.extension-mismatch",
            Integrity,
            Suspicious,
            0.4,
            Text::new(
                format!("The file is named .{ext} but its content is {}: it was renamed or mislabelled.", format.name().to_uppercase()),
                format!("Het bestand heet .{ext} maar de inhoud is {}: het is hernoemd of verkeerd gelabeld.", format.name().to_uppercase()),
            ),
        )
        .with("extension", ext)
        .with("detected", format.name()),
    )
}

pub(super) fn not_screened(format: Format, size: usize) -> Signal {
    let (id, text) = match format {
        _ if size == 0 => (
            "integrity.not-a-picture",
            Text::new(
                "The file is empty (0 bytes): there is no picture to check. Ask the customer to send the photo itself.",
                "Het bestand is leeg (0 bytes): er is geen foto om te controleren. Vraag de klant de foto zelf te sturen.",
            ),
        ),
        Format::Unknown => (
            "integrity.not-a-picture",
            Text::new(
                "The file is not a picture, whatever its name says: its content is not JPEG, PNG, WebP, TIFF or HEIF, so no check could run. Ask the customer to send the photo itself.",
                "Het bestand is geen foto, wat de naam ook zegt: de inhoud is geen JPEG, PNG, WebP, TIFF of HEIF, dus er kon geen controle draaien. Vraag de klant de foto zelf te sturen.",
            ),
        ),
        f => (
            "integrity.not-screened",
            Text::new(
                format!("{} files are recognised but not screened yet: no check ran on this file, so a person must look at it (or ask for a photo).", f.name().to_uppercase()),
                format!("{}-bestanden worden herkend maar nog niet gecontroleerd: op dit bestand is geen controle gedaan, dus een mens moet ernaar kijken (of om een foto vragen).", f.name().to_uppercase()),
            ),
        ),
    };
    Signal::new(id, Integrity, Suspicious, NOTHING_CHECKED, text)
        .with("detected", format.name())
        .with("bytes", size)
}
