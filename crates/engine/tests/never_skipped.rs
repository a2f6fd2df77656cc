//! Every file gets checked or gets a person: a file that is not a picture routes to
//! review, a picture over the pixel limit is checked as a reduced copy, and a picture
//! with a region copied onto another place is called manipulated.

use proofdesk_engine::{reuse, screen, Direction, Options, Verdict};
use std::io::Cursor;

/// A photo-like picture: smooth light, shapes and fine grain (seeded), so that every
/// region is unlike every other.
fn textured(w: u32, h: u32, seed: u32) -> image::RgbImage {
    let mut state = seed.wrapping_mul(2_654_435_761) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    };
    let mut img = image::RgbImage::from_fn(w, h, |x, y| {
        let base = 60.0 + 100.0 * (x as f32 / w as f32) + 40.0 * ((y as f32) / 37.0).sin();
        image::Rgb([base as u8, (base * 0.8) as u8, (200.0 - base * 0.5) as u8])
    });
    for _ in 0..400 {
        let (x0, y0, r) = (next() % w, next() % h, 4 + next() % 30);
        let c = [next() as u8, next() as u8, next() as u8];
        for y in y0.saturating_sub(r)..(y0 + r).min(h) {
            for x in x0.saturating_sub(r)..(x0 + r).min(w) {
                let (dx, dy) = (x as i64 - x0 as i64, y as i64 - y0 as i64);
                if dx * dx + dy * dy <= (r * r) as i64 {
                    img.put_pixel(x, y, image::Rgb(c));
                }
            }
        }
    }
    for p in img.pixels_mut() {
        let n = (next() % 25) as i16 - 12;
        for c in p.0.iter_mut() {
            *c = (*c as i16 + n).clamp(0, 255) as u8;
        }
    }
    img
}

fn encode(img: &image::RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn jpeg(img: &image::RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92)
        .encode_image(img)
        .unwrap();
    out
}

#[test]
fn a_text_file_named_jpg_is_not_a_picture_and_asks_for_a_person() {
    let opts = Options {
        extension: Some("jpg".into()),
        ..Options::default()
    };
    for bytes in [
        &b"Dear insurer, here is my photo of the damage."[..],
        &[][..],
    ] {
        let r = screen(bytes, &opts);
        assert_eq!(r.verdict, Verdict::Error);
        let s = r
            .signals
            .iter()
            .find(|s| s.id == "integrity.not-a-picture")
            .expect("a signal that routes the claim to a person");
        assert_eq!(s.direction, Direction::Suspicious);
        assert_eq!(s.strength, 1.0);
        assert!(
            s.summary.en.contains("Ask the customer"),
            "{}",
            s.summary.en
        );
        assert!(s.summary.nl.contains("Vraag de klant"), "{}", s.summary.nl);
    }
}

#[test]
fn a_picture_over_the_pixel_limit_is_checked_as_a_reduced_copy() {
    let photo = textured(800, 600, 7);
    // The same photo in the middle of a large white canvas, over a small limit.
    let mut canvas = image::RgbImage::from_pixel(2400, 2000, image::Rgb([255, 255, 255]));
    image::imageops::replace(&mut canvas, &photo, 800, 700);
    let opts = Options {
        max_pixels: 1_500_000,
        ..Options::default()
    };
    let plain = screen(&jpeg(&photo), &opts);
    for format in [image::ImageFormat::Png, image::ImageFormat::Jpeg] {
        let r = screen(&encode(&canvas, format), &opts);
        let ids: Vec<&str> = r.signals.iter().map(|s| s.id.as_str()).collect();
        assert!(
            ids.contains(&"integrity.pixels-reduced"),
            "{format:?}: {ids:?}"
        );
        assert!(
            !ids.contains(&"integrity.pixel-limit"),
            "{format:?}: {ids:?}"
        );
        let f = r.forensics.as_ref().expect("forensics ran on the copy");
        assert!(f.size.0 * f.size.1 <= 1_500_000, "{:?}", f.size);
        // The reduced copy still finds the plain photo again.
        let (a, b) = (
            r.fingerprint.as_ref().unwrap(),
            plain.fingerprint.as_ref().unwrap(),
        );
        let content = a.pdq_content.expect("the photo is found inside the canvas");
        let d = content.distance(&b.pdq);
        assert!(d <= reuse::DEFAULT_THRESHOLD, "{format:?}: distance {d}");
    }
}

#[test]
fn a_region_copied_onto_another_place_makes_the_picture_manipulated() {
    let honest = textured(1024, 768, 3);
    let r = screen(&jpeg(&honest), &Options::default());
    assert_ne!(r.verdict, Verdict::Manipulated, "{:?}", r.reasons);
    let mut forged = honest.clone();
    let patch = image::imageops::crop_imm(&honest, 100, 120, 160, 120).to_image();
    image::imageops::replace(&mut forged, &patch, 700, 500);
    let r = screen(&jpeg(&forged), &Options::default());
    assert_eq!(r.verdict, Verdict::Manipulated, "{:?}", r.reasons);
    let s = r
        .signals
        .iter()
        .find(|s| s.id == "manipulation.pixels.copy-move")
        .unwrap();
    assert!(s.summary.en.contains("separate region"), "{}", s.summary.en);
}
