//! Helpers shared by the engine's integration tests.

/// `jpeg` with an APP1 Exif segment holding the TIFF structure `tiff` inserted right
/// after its start-of-image marker.
pub fn with_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    let mut file = vec![0xFF, 0xD8, 0xFF, 0xE1];
    file.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    file.extend_from_slice(b"Exif\0\0");
    file.extend_from_slice(tiff);
    file.extend_from_slice(&jpeg[2..]);
    file
}
