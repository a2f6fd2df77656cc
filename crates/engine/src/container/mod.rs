//! Container parsers: find the metadata blocks inside each file format.
//!
//! Each parser walks the file's own structure (JPEG segments, PNG chunks, RIFF
//! chunks, TIFF IFDs, ISO boxes) with bounds checks on every length field and
//! fills one [`Extracted`]. Nothing here interprets the metadata; that is
//! [`crate::metadata`]'s job.

pub mod heif;
pub mod jpeg;
pub mod png;
pub mod tiff;
pub mod webp;

use crate::format::Format;
use serde::Serialize;

/// Most bytes any single decompressed or reassembled metadata block may take.
pub const MAX_BLOCK: usize = 16 << 20;

/// One PNG text chunk (tEXt, zTXt or iTXt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextChunk {
    /// The chunk's keyword, e.g. `parameters`, `prompt`, `workflow`.
    pub keyword: String,
    /// The decoded text.
    pub text: String,
    /// The chunk type it came from.
    pub chunk: &'static str,
}

/// What the JPEG structure tells beyond metadata.
#[derive(Debug, Clone, Default, Serialize)]
pub struct JpegStructure {
    /// Quantisation tables by table id, in zig-zag order as stored.
    pub quant_tables: Vec<(u8, Vec<u16>)>,
    /// Start-of-frame marker (0xC0 baseline, 0xC2 progressive, ...).
    pub sof_marker: Option<u8>,
    /// Component count and sampling factors, e.g. "2x2,1x1,1x1".
    pub sampling: Option<String>,
    /// Application segments in order, e.g. `APP0:JFIF`, `APP1:Exif`.
    pub app_segments: Vec<String>,
    /// Bytes after the end-of-image marker.
    pub trailing_bytes: usize,
    /// Whether a second JPEG starts in the trailing bytes (MPF, appended images).
    pub trailing_jpeg: bool,
}

/// Everything the container parsers pull out of one file.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    /// Image width in pixels, from the file header.
    pub width: Option<u32>,
    /// Image height in pixels, from the file header.
    pub height: Option<u32>,
    /// EXIF as TIFF-structured bytes (without the `Exif\0\0` prefix).
    pub exif: Option<Vec<u8>>,
    /// XMP packets as text; the extended XMP of a JPEG is reassembled.
    pub xmp: Vec<String>,
    /// Photoshop image resource block (JPEG APP13, TIFF tag 34377).
    pub photoshop_irb: Option<Vec<u8>>,
    /// Raw IPTC-IIM records (TIFF tag 33723) when not inside an IRB.
    pub iptc_iim: Option<Vec<u8>>,
    /// PNG text chunks.
    pub png_text: Vec<TextChunk>,
    /// JPEG comments and similar free text.
    pub comments: Vec<String>,
    /// JPEG-only structure.
    pub jpeg: Option<JpegStructure>,
    /// Whether a C2PA manifest store (JUMBF) is embedded.
    pub has_c2pa: bool,
    /// The ISO brand for HEIF files.
    pub brand: Option<String>,
    /// The file ends before its structure says it should.
    pub truncated: bool,
    /// Structural problems found while parsing, in plain words.
    pub warnings: Vec<String>,
}

impl Extracted {
    /// Records a structural problem (bounded, so a hostile file cannot flood the report).
    pub fn warn(&mut self, msg: impl Into<String>) {
        if self.warnings.len() < 20 {
            self.warnings.push(msg.into());
        }
    }
}

/// Parses the container of `bytes` as `format`.
pub fn extract(format: Format, bytes: &[u8]) -> Extracted {
    let mut out = Extracted::default();
    match format {
        Format::Jpeg => jpeg::parse(bytes, &mut out),
        Format::Png => png::parse(bytes, &mut out),
        Format::Webp => webp::parse(bytes, &mut out),
        Format::Tiff => tiff::parse(bytes, &mut out),
        Format::Heif => heif::parse(bytes, &mut out),
        _ => {}
    }
    out
}

/// Reads a big-endian u16 at `at`, if in bounds.
pub(crate) fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

/// Reads a big-endian u32 at `at`, if in bounds.
pub(crate) fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// Reads a little-endian u32 at `at`, if in bounds.
pub(crate) fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// Text from bytes that should be UTF-8 but may be Latin-1; trailing NULs removed.
pub(crate) fn lossy_text(b: &[u8]) -> String {
    let b = match b.iter().rposition(|&c| c != 0) {
        Some(end) => &b[..=end],
        None => &[],
    };
    match std::str::from_utf8(b) {
        Ok(s) => s.to_owned(),
        Err(_) => b.iter().map(|&c| c as char).collect(),
    }
}

/// Whether the bytes contain a JUMBF box labelled for C2PA.
pub(crate) fn contains_c2pa_jumbf(b: &[u8]) -> bool {
    memchr::memmem::find(b, b"jumb").is_some() && memchr::memmem::find(b, b"c2pa").is_some()
}
