//! The ways round the checks that a fraudster tries first, through the real service:
//! a region copied over another, a text file named `.jpg`, and a known picture padded
//! beyond the pixel limit. None of them may route clear.

use crate::server::{jpeg, Server};
use crate::util::blocks;
use image::{imageops, Rgb, RgbImage};
use serde_json::Value;
use std::io::Cursor;

/// A photo-like picture: the test shapes with fine grain, so no region repeats by chance.
fn grainy(w: u32, h: u32, seed: u32) -> RgbImage {
    let mut img = blocks(w, h, seed);
    let mut state = seed.wrapping_mul(747_796_405) | 1;
    for p in img.pixels_mut() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let n = (state % 25) as i16 - 12;
        for c in p.0.iter_mut() {
            *c = (*c as i16 + n).clamp(0, 255) as u8;
        }
    }
    img
}

fn signal_ids(doc: &Value) -> Vec<String> {
    doc["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["signal"].as_str().unwrap().to_owned())
        .collect()
}

fn submit(server: &Server, reference: &str, customer: &str, name: &str, bytes: &[u8]) -> Value {
    submit_for(server, reference, customer, "120.00", name, bytes)
}

fn submit_for(
    server: &Server,
    reference: &str,
    customer: &str,
    amount: &str,
    name: &str,
    bytes: &[u8],
) -> Value {
    let claim = format!(
        r#"{{"external_ref":"{reference}","customer_id":"{customer}","claimed_amount":"{amount}","currency":"EUR"}}"#
    );
    let (status, _, body) = server.submit(&claim, &[(name, bytes)], None);
    assert_eq!(status, 202, "{body}");
    let doc = server.screened(body["id"].as_str().unwrap());
    assert_eq!(doc["status"], "screened", "{doc}");
    doc
}

fn assert_not_clear(doc: &Value, signal: &str) {
    let band = doc["band"].as_str().unwrap();
    assert!(band == "review" || band == "escalate", "{band}: {doc}");
    assert!(
        signal_ids(doc).iter().any(|s| s == signal),
        "{signal} missing: {doc}"
    );
}

#[test]
fn a_copy_move_a_text_file_and_a_padded_copy_never_route_clear() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);

    // A region pasted over another place in the same photo: workers run the forensics.
    let honest = grainy(1024, 768, 5);
    let mut forged = honest.clone();
    let patch = imageops::crop_imm(&honest, 90, 110, 170, 130).to_image();
    imageops::replace(&mut forged, &patch, 690, 520);
    // Saved as phones save (quality 95): finer than the grain, so the copy stays exact.
    let mut forged_jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut forged_jpeg, 95)
        .encode_image(&forged)
        .unwrap();
    let doc = submit(&server, "EV-1", "cust-ev-1", "dent.jpg", &forged_jpeg);
    assert_not_clear(&doc, "manipulation.pixels.copy-move");
    assert_eq!(doc["evidence"][0]["verdict"], "manipulated", "{doc}");

    // Text under a photo's name.
    let doc = submit(
        &server,
        "EV-2",
        "cust-ev-2",
        "damage.jpg",
        b"Dear sir, the photo of the damage is attached.",
    );
    assert_not_clear(&doc, "integrity.not-a-picture");

    // A known photo, then the same photo padded to 10001 x 10001 by another customer:
    // checked as a reduced copy, it is found again.
    let photo = grainy(1600, 1200, 9);
    let first = submit(&server, "EV-3", "cust-ev-3", "parcel.jpg", &jpeg(&photo));
    let mut canvas = RgbImage::from_pixel(10_001, 10_001, Rgb([255, 255, 255]));
    imageops::replace(&mut canvas, &photo, 4200, 3900);
    let mut padded = Cursor::new(Vec::new());
    canvas
        .write_to(&mut padded, image::ImageFormat::Png)
        .unwrap();
    drop(canvas);
    let doc = submit(&server, "EV-4", "cust-ev-4", "parcel.png", padded.get_ref());
    assert_not_clear(&doc, "reuse.seen-before");
    let reason = &doc["reasons"][0];
    assert!(
        reason["summary"]["en"]
            .as_str()
            .unwrap()
            .contains(first["id"].as_str().unwrap()),
        "{reason}"
    );
    // Above the policy's amount (default EUR 250), evidence with no provenance at all
    // asks for a live photo; below it, the same photo routes clear.
    let fresh = jpeg(&grainy(800, 600, 13));
    let low = submit_for(&server, "EV-5", "cust-ev-5", "249.99", "tv.jpg", &fresh);
    assert_eq!(low["band"], "clear", "{low}");
    let fresh = jpeg(&grainy(800, 600, 17));
    let high = submit_for(&server, "EV-6", "cust-ev-6", "899.00", "tv.jpg", &fresh);
    assert_not_clear(&high, "context.no-provenance-above-amount");
    let reason = &high["reasons"][0];
    assert!(
        reason["evidence"].is_null(),
        "a claim-level reason: {reason}"
    );
    assert!(
        reason["summary"]["nl"]
            .as_str()
            .unwrap()
            .contains("live foto"),
        "{reason}"
    );

    let file = &doc["evidence"][0];
    let ids: Vec<&str> = file["signals"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert!(ids.contains(&"integrity.pixels-reduced"), "{file}");
}
