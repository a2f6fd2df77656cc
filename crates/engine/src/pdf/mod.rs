//! Reading the text layer of a PDF receipt or invoice: a webshop's invoice, an
//! e-mailed till receipt, a booking confirmation. The text a PDF draws is read with
//! its position (as the OCR reads a picture's), so the same receipt checks run on it.
//!
//! Untrusted PDFs are read within [`PdfLimits`]: the file's size, the pages read and
//! how far any one stream may inflate (a "PDF bomb" is a small file whose compressed
//! streams inflate to gigabytes). A PDF with no text (a scan saved as PDF) is reported
//! as such, not guessed at.

pub mod budget;
mod fonts;
pub(crate) mod report;
pub mod text;

use crate::ocr::Word;
use lopdf::{Document, LoadOptions, Object};

/// How much reading a PDF may cost.
#[derive(Debug, Clone, Copy)]
pub struct PdfLimits {
    /// Larger files are not read.
    pub max_bytes: usize,
    /// Pages read, from the first (an invoice's fields are on its first pages).
    pub max_pages: usize,
    /// Bytes any one stream may inflate to.
    pub max_stream: usize,
    /// Pieces of text drawn, over all pages read.
    pub max_pieces: usize,
}

impl Default for PdfLimits {
    fn default() -> Self {
        PdfLimits { max_bytes: 16 << 20, max_pages: 4, max_stream: 1 << 20, max_pieces: 20_000 }
    }
}

/// Why a PDF could not be read.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PdfError {
    /// Over [`PdfLimits::max_bytes`].
    #[error("the PDF is {size} bytes; PDFs over {limit} bytes are not read")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A stream inflates past [`PdfLimits::max_stream`].
    #[error("a stream in the PDF unpacks to more than {limit} bytes (a decompression bomb?); it was not read")]
    Bomb {
        /// The limit.
        limit: usize,
    },
    /// More objects than a receipt's PDF needs ([`budget::MAX_ELEMENTS`]).
    #[error("the PDF holds more objects than a receipt or invoice needs; it was not read")]
    TooComplex,
    /// Encrypted with a password.
    #[error("the PDF is password-protected; its text cannot be read")]
    Encrypted,
    /// Not a PDF the reader understands.
    #[error("the PDF cannot be read: {0}")]
    Malformed(String),
    /// No page.
    #[error("the PDF has no pages")]
    NoPages,
}

/// What a PDF holds, as far as screening needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfText {
    /// Its pages.
    pub pages: usize,
    /// Pages whose text was read.
    pub pages_read: usize,
    /// The pieces of text drawn on those pages, in pixels of a 144-dpi rendering of
    /// the pages one under the other.
    pub words: Vec<Word>,
    /// Images drawn on the pages read (a scan saved as PDF has one per page).
    pub images: usize,
    /// The largest JPEG picture on the pages read (a scanner app's page), as stored:
    /// screened as a photo when the PDF draws no text.
    pub scan: Option<Vec<u8>>,
    /// The program that made it (`/Producer`, else `/Creator`), when named.
    pub producer: Option<String>,
    /// Whether reading stopped at [`PdfLimits::max_pieces`].
    pub truncated: bool,
}

/// Reads the text drawn on a PDF's first pages.
pub fn read(bytes: &[u8], limits: PdfLimits) -> Result<PdfText, PdfError> {
    if bytes.len() > limits.max_bytes {
        return Err(PdfError::TooLarge { size: bytes.len(), limit: limits.max_bytes });
    }
    if budget::tokens_outside_streams(bytes) > budget::MAX_ELEMENTS {
        return Err(PdfError::TooComplex);
    }
    let options = LoadOptions { max_decompressed_size: Some(limits.max_stream), filter: Some(budget::keep), ..LoadOptions::default() };
    budget::start();
    let loaded = Document::load_mem_with_options(bytes, options);
    if budget::finish() {
        return Err(PdfError::TooComplex);
    }
    let doc = loaded.map_err(|e| error(e, limits))?;
    if doc.is_encrypted() {
        return Err(PdfError::Encrypted);
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(PdfError::NoPages);
    }
    let mut reader = text::PageReader::new(&doc, limits);
    let mut pages_read = 0;
    for &page in pages.values().take(limits.max_pages) {
        reader.read_page(page).map_err(|e| error(e, limits))?;
        pages_read += 1;
        if reader.truncated() {
            break;
        }
    }
    let (words, images, truncated) = reader.finish();
    let scan = if words.is_empty() { largest_jpeg(&doc, pages.values().take(limits.max_pages).copied()) } else { None };
    Ok(PdfText { pages: pages.len(), pages_read, words, images, scan, producer: producer(&doc), truncated })
}

/// The largest picture stored as a plain JPEG (`/DCTDecode` alone) on the pages.
fn largest_jpeg(doc: &Document, pages: impl Iterator<Item = lopdf::ObjectId>) -> Option<Vec<u8>> {
    pages
        .flat_map(|p| doc.get_page_images(p).unwrap_or_default())
        .filter(|i| i.filters.as_deref() == Some(&["DCTDecode".to_string()][..]) && i.content.starts_with(&[0xFF, 0xD8]))
        .max_by_key(|i| i.width.saturating_mul(i.height))
        .map(|i| i.content.to_vec())
}

/// The error a lopdf failure means to a reader.
fn error(e: lopdf::Error, limits: PdfLimits) -> PdfError {
    match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => PdfError::Bomb { limit: limits.max_stream },
        lopdf::Error::Decryption(_) | lopdf::Error::UnsupportedSecurityHandler(_) | lopdf::Error::InvalidPassword => PdfError::Encrypted,
        other => PdfError::Malformed(clean(&other.to_string())),
    }
}

/// The Info dictionary's `/Producer` or `/Creator`.
fn producer(doc: &Document) -> Option<String> {
    let info = doc.trailer.get_deref(b"Info", doc).ok()?.as_dict().ok()?;
    [b"Producer".as_slice(), b"Creator"].iter().find_map(|key| {
        let Object::String(bytes, _) = info.get_deref(key, doc).ok()? else { return None };
        let s = clean(&text::pdf_string(bytes));
        (!s.trim().is_empty()).then(|| s.trim().chars().take(120).collect())
    })
}

/// Control characters replaced by spaces (the text reaches logs and web pages).
pub(crate) fn clean(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}
