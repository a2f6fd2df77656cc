//! The EXIF thumbnail check on whole and cut-off files.

mod common;

use proofdesk_engine::{screen, Options};

/// A picture with a bright corner and ramps, as RGB bytes.
fn picture(width: u32, height: u32) -> Vec<u8> {
    let mut rgb = Vec::new();
    for y in 0..height {
        for x in 0..width {
            let corner = x < width / 3 && y < height / 3;
            let v = if corner {
                250
            } else {
                (x * 160 / width + y * 40 / height) as u8
            };
            rgb.extend_from_slice(&[v, v / 2, 255 - v]);
        }
    }
    rgb
}

fn encode(rgb: &[u8], width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode(rgb, width, height, image::ExtendedColorType::Rgb8)
        .expect("encode");
    out
}

/// A JPEG of 384×288 pixels whose EXIF (IFD1) carries a 96×72 thumbnail of the same picture.
fn photo_with_thumbnail() -> Vec<u8> {
    let main = encode(&picture(384, 288), 384, 288);
    let thumb = encode(&picture(96, 72), 96, 72);
    // Little-endian TIFF: IFD0 at 8 with one entry (orientation 1), IFD1 at 26 with the
    // thumbnail's offset and length, the thumbnail at 56.
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    let entry = |tag: u16, kind: u16, value: u32| {
        let mut e = Vec::new();
        e.extend_from_slice(&tag.to_le_bytes());
        e.extend_from_slice(&kind.to_le_bytes());
        e.extend_from_slice(&1u32.to_le_bytes());
        e.extend_from_slice(&value.to_le_bytes());
        e
    };
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend(entry(0x0112, 3, 1));
    tiff.extend_from_slice(&26u32.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend(entry(0x0201, 4, 56));
    tiff.extend(entry(0x0202, 4, thumb.len() as u32));
    tiff.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(tiff.len(), 56);
    tiff.extend_from_slice(&thumb);
    common::with_exif(&main, &tiff)
}

fn ids(bytes: &[u8]) -> Vec<String> {
    let opts = Options {
        forensics: false,
        ..Options::default()
    };
    screen(bytes, &opts)
        .signals
        .into_iter()
        .map(|s| s.id)
        .collect()
}

#[test]
fn a_whole_photo_matches_its_thumbnail_and_a_cut_off_one_is_not_said_to_differ() {
    let file = photo_with_thumbnail();
    let whole = ids(&file);
    assert!(
        whole
            .iter()
            .any(|id| id == "manipulation.thumbnail-consistent"),
        "{whole:?}"
    );
    let cut = ids(&file[..file.len() * 3 / 5]);
    assert!(cut.iter().any(|id| id == "integrity.truncated"), "{cut:?}");
    assert!(
        !cut.iter()
            .any(|id| id.starts_with("manipulation.thumbnail")),
        "a partial picture is not compared with the preview: {cut:?}"
    );
}
