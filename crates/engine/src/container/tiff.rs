//! TIFF files: the whole file is TIFF-structured, so EXIF is the file itself.

use super::{contains_c2pa_jumbf, Extracted};

/// Hands the TIFF structure to the EXIF reader and looks for C2PA.
pub fn parse(b: &[u8], out: &mut Extracted) {
    out.exif = Some(b.to_vec());
    out.has_c2pa = contains_c2pa_jumbf(b);
}
