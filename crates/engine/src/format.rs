//! File formats recognised by their content, never by their name.

use serde::{Deserialize, Serialize};

/// A file format the engine recognises from its leading bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JPEG / JFIF / Exif JPEG.
    Jpeg,
    /// Portable Network Graphics.
    Png,
    /// WebP in a RIFF container.
    Webp,
    /// TIFF, little- or big-endian (also most camera raw files).
    Tiff,
    /// HEIF / HEIC / AVIF in an ISO base media file.
    Heif,
    /// GIF, recognised but not analysed.
    Gif,
    /// BMP, recognised but not analysed.
    Bmp,
    /// PDF: its text layer is read as a receipt or invoice.
    Pdf,
    /// Anything else.
    Unknown,
}

impl Format {
    /// Recognises the format from the first bytes of a file.
    pub fn detect(bytes: &[u8]) -> Format {
        let b = bytes;
        if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Format::Jpeg
        } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
            Format::Png
        } else if b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
            Format::Webp
        } else if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
            Format::Tiff
        } else if b.len() >= 12 && &b[4..8] == b"ftyp" && is_heif_brand(&b[8..12]) {
            Format::Heif
        } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
            Format::Gif
        } else if b.starts_with(b"BM") && b.len() > 14 {
            Format::Bmp
        } else if b.starts_with(b"%PDF-") {
            Format::Pdf
        } else {
            Format::Unknown
        }
    }

    /// The MIME type, as the C2PA SDK and HTTP clients expect it.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Tiff => "image/tiff",
            Format::Heif => "image/heif",
            Format::Gif => "image/gif",
            Format::Bmp => "image/bmp",
            Format::Pdf => "application/pdf",
            Format::Unknown => "application/octet-stream",
        }
    }

    /// The short lowercase name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Tiff => "tiff",
            Format::Heif => "heif",
            Format::Gif => "gif",
            Format::Bmp => "bmp",
            Format::Pdf => "pdf",
            Format::Unknown => "unknown",
        }
    }

    /// Whether a file name extension (without the dot, any case) fits this format.
    pub fn accepts_extension(self, ext: &str) -> bool {
        let ext = ext.to_ascii_lowercase();
        let ok: &[&str] = match self {
            Format::Jpeg => &["jpg", "jpeg", "jpe", "jfif"],
            Format::Png => &["png"],
            Format::Webp => &["webp"],
            Format::Tiff => &[
                "tif", "tiff", "dng", "nef", "cr2", "arw", "orf", "rw2", "pef",
            ],
            Format::Heif => &["heic", "heif", "hif", "avif"],
            Format::Gif => &["gif"],
            Format::Bmp => &["bmp", "dib"],
            Format::Pdf => &["pdf"],
            Format::Unknown => return true,
        };
        ok.contains(&ext.as_str())
    }

    /// Whether the extension names an image format we know at all.
    pub fn is_known_extension(ext: &str) -> bool {
        [
            Format::Jpeg,
            Format::Png,
            Format::Webp,
            Format::Tiff,
            Format::Heif,
            Format::Gif,
            Format::Bmp,
            Format::Pdf,
        ]
        .iter()
        .any(|f| f.accepts_extension(ext))
    }
}

fn is_heif_brand(brand: &[u8]) -> bool {
    matches!(
        brand,
        b"heic"
            | b"heix"
            | b"heim"
            | b"heis"
            | b"hevc"
            | b"hevx"
            | b"mif1"
            | b"msf1"
            | b"avif"
            | b"avis"
            | b"mif2"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        assert_eq!(Format::detect(b"\xFF\xD8\xFF\xE0rest"), Format::Jpeg);
        assert_eq!(Format::detect(b"\x89PNG\r\n\x1a\nxxxx"), Format::Png);
        assert_eq!(Format::detect(b"RIFF\0\0\0\0WEBPVP8 "), Format::Webp);
        assert_eq!(Format::detect(b"\0\0\0\x18ftypheic\0\0\0\0"), Format::Heif);
        assert_eq!(Format::detect(b"MM\0*\0\0\0\x08"), Format::Tiff);
        assert_eq!(Format::detect(b""), Format::Unknown);
        assert_eq!(Format::detect(b"hello world"), Format::Unknown);
    }

    #[test]
    fn extension_check_is_case_insensitive() {
        assert!(Format::Heif.accepts_extension("HEIC"));
        assert!(!Format::Png.accepts_extension("jpg"));
    }
}
