//! Integrity: the file's own structure.

use super::Evidence;
use crate::format::Format;
use crate::pixels::PixelError;
use crate::signal::{Category::Integrity, Direction::*, Signal, Text};

pub(super) fn check(e: &Evidence, out: &mut Vec<Signal>) {
    if let Some(ext) = e.extension {
        if e.format != Format::Unknown
            && Format::is_known_extension(ext)
            && !e.format.accepts_extension(ext)
        {
            out.push(
                Signal::new(
                    "integrity.extension-mismatch",
                    Integrity,
                    Suspicious,
                    0.4,
                    Text::new(
                        format!("The file is named .{ext} but its content is {}: it was renamed or mislabelled.", e.format.name().to_uppercase()),
                        format!("Het bestand heet .{ext} maar de inhoud is {}: het is hernoemd of verkeerd gelabeld.", e.format.name().to_uppercase()),
                    ),
                )
                .with("extension", ext)
                .with("detected", e.format.name()),
            );
        }
    }
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
    match e.pixel_error {
        Some(PixelError::TooLarge { width, height, limit }) => out.push(
            Signal::new(
                "integrity.pixel-limit",
                Integrity,
                Suspicious,
                0.3,
                Text::new(
                    format!("The image claims {width} × {height} pixels, beyond the {} megapixel limit; its pixels were not analysed.", limit / 1_000_000),
                    format!("De afbeelding claimt {width} × {height} pixels, boven de grens van {} megapixel; de pixels zijn niet onderzocht.", limit / 1_000_000),
                ),
            )
            .with("width", *width)
            .with("height", *height),
        ),
        Some(PixelError::Corrupt(msg)) => out.push(
            Signal::new(
                "integrity.pixels-undecodable",
                Integrity,
                Neutral,
                0.2,
                Text::new(
                    "The picture data could not be decoded; only the metadata was checked.",
                    "De beeldgegevens konden niet worden gedecodeerd; alleen de metadata is gecontroleerd.",
                ),
            )
            .with("error", msg.clone()),
        ),
        _ => {}
    }
}
