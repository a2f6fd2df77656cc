//! Provenance: camera metadata and Content Credentials.

use super::{clip, Evidence};
use crate::credentials::CredentialState;
use crate::format::Format;
use crate::signal::{Category::Provenance, Direction::*, Signal, Text};

pub(super) fn check(e: &Evidence, out: &mut Vec<Signal>) {
    camera(e, out);
    credentials(e, out);
}

fn camera(e: &Evidence, out: &mut Vec<Signal>) {
    let m = e.metadata;
    let exif = m.exif.as_ref();
    let camera = m.camera();
    let captured = exif.and_then(|x| x.captured.clone());
    if let Some(cam) = &camera {
        let when = captured.as_deref().unwrap_or("an unrecorded time");
        let wanneer = captured.as_deref().unwrap_or("een onbekend moment");
        out.push(
            Signal::new(
                "provenance.camera",
                Provenance,
                SupportsAuthenticity,
                if captured.is_some() { 0.3 } else { 0.15 },
                Text::new(
                    format!("The photo's metadata names the camera {cam}, taken at {when}. Metadata can be edited, so this supports but does not prove authenticity."),
                    format!("De metadata van de foto noemt de camera {cam}, gemaakt op {wanneer}. Metadata is te bewerken, dus dit ondersteunt de echtheid maar bewijst die niet."),
                ),
            )
            .with("make", exif.and_then(|x| x.make.clone()))
            .with("model", exif.and_then(|x| x.model.clone()))
            .with("serial", exif.and_then(|x| x.serial.clone()))
            .with("captured", captured.clone()),
        );
    }
    if let Some(gps) = exif.and_then(|x| x.gps) {
        out.push(
            Signal::new(
                "provenance.gps",
                Provenance,
                Neutral,
                0.1,
                Text::new(
                    "The photo records the GPS position where it was taken; compare it with the claim's address.",
                    "De foto bevat de GPS-positie waar hij is gemaakt; vergelijk die met het adres van de claim.",
                ),
            )
            .with("latitude", gps.latitude)
            .with("longitude", gps.longitude)
            .with("altitude", gps.altitude),
        );
    }
    let has_anything = camera.is_some()
        || captured.is_some()
        || m.xmp_properties > 0
        || !m.png_text.is_empty()
        || !m.iptc.is_empty()
        || !matches!(e.credentials, Ok(None));
    let image_format = matches!(
        e.format,
        Format::Jpeg | Format::Png | Format::Webp | Format::Tiff | Format::Heif
    );
    if image_format && camera.is_none() && captured.is_none() {
        out.push(Signal::new(
            "provenance.no-camera-metadata",
            Provenance,
            Neutral,
            0.05,
            if has_anything {
                Text::new(
                    "The file names no camera and no capture time. Messaging apps and websites often remove these, so this alone says nothing.",
                    "Het bestand noemt geen camera en geen opnametijd. Berichtenapps en websites verwijderen die vaak, dus dit alleen zegt niets.",
                )
            } else {
                Text::new(
                    "The file carries no metadata at all. Messaging apps and websites strip it, so this alone says nothing about the picture.",
                    "Het bestand bevat helemaal geen metadata. Berichtenapps en websites verwijderen die, dus dit alleen zegt niets over de afbeelding.",
                )
            },
        ));
    }
    if let Some(url) = m.xmp_values("provenance").map(|p| p.value.clone()).next() {
        if matches!(e.credentials, Ok(None)) {
            out.push(
                Signal::new(
                    "provenance.c2pa.remote",
                    Provenance,
                    Neutral,
                    0.1,
                    Text::new(
                        "The file points to Content Credentials stored elsewhere; they were not fetched (offline check).",
                        "Het bestand verwijst naar elders opgeslagen inhoudsreferenties; die zijn niet opgehaald (offline controle).",
                    ),
                )
                .with("url", url),
            );
        }
    }
}

fn credentials(e: &Evidence, out: &mut Vec<Signal>) {
    let c = match e.credentials {
        Ok(Some(c)) => c,
        Ok(None) => return,
        Err(msg) => {
            out.push(
                Signal::new(
                    "provenance.c2pa.unreadable",
                    Provenance,
                    Suspicious,
                    0.5,
                    Text::new(
                        "The file holds Content Credentials that cannot be read: the manifest is damaged or incomplete.",
                        "Het bestand bevat inhoudsreferenties die niet te lezen zijn: het manifest is beschadigd of onvolledig.",
                    ),
                )
                .with("state", "invalid")
                .with("error", msg.clone()),
            );
            return;
        }
    };
    let tool = c
        .claim_generator
        .as_deref()
        .map(|s| clip(s, 60))
        .unwrap_or_else(|| "an unnamed tool".into());
    let signer = c
        .signer_name
        .clone()
        .or(c.signer_issuer.clone())
        .unwrap_or_else(|| "an unnamed signer".into());
    let details = |s: Signal| {
        s.with("state", serde_json::to_value(c.state).unwrap_or_default())
            .with("claim_generator", c.claim_generator.clone())
            .with("signer", signer.clone())
            .with("signer_issuer", c.signer_issuer.clone())
            .with("signed_at", c.signed_at.clone())
            .with(
                "trust_list",
                if c.untrusted_signer || c.state == CredentialState::Valid {
                    "signer not on a configured trust list"
                } else {
                    "trusted"
                },
            )
            .with(
                "actions",
                serde_json::to_value(&c.actions).unwrap_or_default(),
            )
            .with(
                "ingredients",
                serde_json::to_value(&c.ingredients).unwrap_or_default(),
            )
            .with("capture_device", c.capture_device.clone())
            .with(
                "failures",
                serde_json::to_value(&c.failures).unwrap_or_default(),
            )
    };
    match c.state {
        CredentialState::Valid | CredentialState::Trusted => {
            let capture = c.camera_capture;
            let tool = match (&c.capture_device, capture) {
                (Some(dev), true) => format!("{dev}, {tool}"),
                _ => tool.clone(),
            };
            let trust_en = if c.state == CredentialState::Trusted {
                "a trusted signer"
            } else {
                "a signer that is on no configured trust list"
            };
            let trust_nl = if c.state == CredentialState::Trusted {
                "een vertrouwde ondertekenaar"
            } else {
                "een ondertekenaar die op geen ingestelde vertrouwenslijst staat"
            };
            let (en, nl) = if capture {
                (
                    format!("Valid Content Credentials say this photo was captured by a camera ({tool}), signed by {signer}, {trust_en}."),
                    format!("Geldige inhoudsreferenties zeggen dat deze foto met een camera is gemaakt ({tool}), ondertekend door {signer}, {trust_nl}."),
                )
            } else {
                (
                    format!("Valid Content Credentials record this file's history, made with {tool} and signed by {signer}, {trust_en}."),
                    format!("Geldige inhoudsreferenties leggen de geschiedenis van dit bestand vast, gemaakt met {tool} en ondertekend door {signer}, {trust_nl}."),
                )
            };
            out.push(details(Signal::new(
                if capture {
                    "provenance.c2pa.camera-capture"
                } else {
                    "provenance.c2pa.valid"
                },
                Provenance,
                SupportsAuthenticity,
                if capture { 0.8 } else { 0.6 },
                Text::new(en, nl),
            )));
        }
        CredentialState::Invalid => {
            let check = c.failing_check.as_deref().unwrap_or("other");
            let (en, nl, strength) = match check {
                "hard-binding hash" => (
                    "The Content Credentials no longer match the picture: the pixels were changed after signing.",
                    "De inhoudsreferenties passen niet meer bij de afbeelding: de pixels zijn na het ondertekenen gewijzigd.",
                    0.9,
                ),
                "signature" => (
                    "The signature on the Content Credentials is not valid: the manifest was altered or forged.",
                    "De handtekening op de inhoudsreferenties is ongeldig: het manifest is gewijzigd of vervalst.",
                    0.7,
                ),
                "assertion tampered" => (
                    "A statement inside the Content Credentials was changed after signing.",
                    "Een verklaring in de inhoudsreferenties is na het ondertekenen gewijzigd.",
                    0.7,
                ),
                "claim missing" => (
                    "The Content Credentials are incomplete: the signed claim is missing.",
                    "De inhoudsreferenties zijn onvolledig: de ondertekende claim ontbreekt.",
                    0.6,
                ),
                "signing certificate" => (
                    "The certificate that signed the Content Credentials is not valid (expired, revoked or malformed).",
                    "Het certificaat waarmee de inhoudsreferenties zijn ondertekend is ongeldig (verlopen, ingetrokken of misvormd).",
                    0.5,
                ),
                _ => (
                    "The Content Credentials fail validation.",
                    "De inhoudsreferenties slagen niet voor de controle.",
                    0.5,
                ),
            };
            out.push(details(
                Signal::new(
                    "provenance.c2pa.invalid",
                    Provenance,
                    Suspicious,
                    strength,
                    Text::new(en, nl),
                )
                .with("failing_check", check),
            ));
        }
    }
}
