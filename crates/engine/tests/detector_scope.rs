//! Where the pixel-level AI detector runs: on pictures without camera data, not on
//! those that name their camera (they get a neutral note saying so), unless asked.

mod common;

use proofdesk_engine::{screen, Options};

/// A 512 × 384 JPEG of smooth shapes with fine noise, with an EXIF block naming the
/// camera make "Leo" when `make` is set.
fn photo(make: bool) -> Vec<u8> {
    let (w, h) = (512u32, 384u32);
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut rgb = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = (state % 17) as i32 - 8;
            let base = [(x * 200 / w) as i32, (y * 180 / h) as i32, ((x + y) % 160) as i32 + 40];
            rgb.extend(base.map(|v| (v + noise).clamp(0, 255) as u8));
        }
    }
    let mut main = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut main, 92)
        .encode(&rgb, w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    if !make {
        return main;
    }
    // Little-endian TIFF, IFD0 at 8 with one entry: Make (ASCII, 4 bytes inline).
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x010Fu16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&4u32.to_le_bytes());
    tiff.extend_from_slice(b"Leo\0");
    tiff.extend_from_slice(&0u32.to_le_bytes());
    common::with_exif(&main, &tiff)
}

fn ids(bytes: &[u8], on_camera_files: bool) -> Vec<String> {
    let opts = Options { forensics: false, detector_on_camera_files: on_camera_files, ..Options::default() };
    screen(bytes, &opts).signals.into_iter().map(|s| s.id).collect()
}

#[test]
fn the_detector_is_kept_for_pictures_without_camera_data() {
    let named = ids(&photo(true), false);
    assert!(named.iter().any(|i| i == "provenance.camera"), "the make is read: {named:?}");
    assert!(named.iter().any(|i| i == "ai.pixels.detector-skipped"), "{named:?}");
    assert!(!named.iter().any(|i| i == "ai.pixels.detector"), "{named:?}");

    let asked = ids(&photo(true), true);
    assert!(asked.iter().any(|i| i == "ai.pixels.detector"), "applied when asked: {asked:?}");
    assert!(!asked.iter().any(|i| i == "ai.pixels.detector-skipped"));

    let bare = ids(&photo(false), false);
    assert!(bare.iter().any(|i| i == "ai.pixels.detector"), "a picture without camera data is assessed: {bare:?}");
    assert!(!bare.iter().any(|i| i == "ai.pixels.detector-skipped"));
}
