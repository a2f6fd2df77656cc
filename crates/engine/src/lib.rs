/*!
The proofdesk screening engine: bytes in, signals out.

Give [`screen`] the bytes of a photo, receipt or screenshot; it returns a
[`FileReport`] with the detected format, interpreted metadata, Content
Credentials, watermark decoding, explained [`Signal`]s and a [`Verdict`].
No file system, network or database is touched, so the engine can run inside
a CLI, an HTTP worker or a fuzzer alike.

```
let report = proofdesk_engine::screen(b"not an image", &proofdesk_engine::Options::default());
assert_eq!(report.verdict, proofdesk_engine::Verdict::Error);
```
*/
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod container;
pub mod credentials;
pub mod date;
pub mod detector;
pub mod document;
pub mod forensics;
pub mod format;
pub mod jpeg_quality;
pub mod metadata;
pub mod ocr;
pub mod pdf;
pub mod pixels;
pub mod receipt;
pub mod reuse;
mod rules;
pub mod signal;
mod simd;
pub mod verdict;
pub mod watermark;

pub use format::Format;
pub use signal::{Category, Direction, Lang, Signal, Text};
pub use verdict::Verdict;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Version of the JSON report schema; bumped on any breaking change.
pub const SCHEMA_VERSION: &str = "proofdesk.screen/1";

/// JPEG quality below which the watermark test is not run (the marks are gone).
pub const WATERMARK_MIN_JPEG_QUALITY: u8 = 90;

/// How to screen.
#[derive(Debug, Clone)]
pub struct Options {
    /// Decode pixels (fingerprint, watermarks, thumbnail check). Off: metadata and provenance only.
    pub pixels: bool,
    /// With pixels: run the pixel forensics (copy-move, noise, error level).
    pub forensics: bool,
    /// Largest image, in pixels, whose pixels are decoded.
    pub max_pixels: u64,
    /// The file name's extension, used only to spot mislabelled files.
    pub extension: Option<String>,
    /// The pixel-level AI detector; `None`: the feature model built in
    /// ([`detector::shipped`]), used when the CLIP encoder is not installed.
    pub detector: Option<std::sync::Arc<dyn detector::AiDetector>>,
    /// Also run the pixel-level detector on pictures that name their camera (off: it is
    /// kept for pictures without camera data, where it matters, and costs about half a
    /// second per picture with the CLIP encoder).
    pub detector_on_camera_files: bool,
    /// Reads the text of documents (receipts, invoices); `None`: documents are not read.
    pub reader: Option<std::sync::Arc<dyn ocr::TextReader>>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            pixels: true,
            forensics: true,
            max_pixels: pixels::DEFAULT_MAX_PIXELS,
            extension: None,
            detector: None,
            detector_on_camera_files: false,
            reader: None,
        }
    }
}

/// The screening result for one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: usize,
    /// Format detected from content.
    pub format: Format,
    /// The conclusion.
    pub verdict: Verdict,
    /// Ids of the strongest signals behind the verdict.
    pub reasons: Vec<String>,
    /// Every finding, strongest first.
    pub signals: Vec<Signal>,
    /// Interpreted metadata.
    pub metadata: metadata::Metadata,
    /// Content Credentials, if any.
    pub credentials: Option<credentials::Credentials>,
    /// Pixel forensics, when pixels were decoded and analysed.
    pub forensics: Option<forensics::ForensicsReport>,
    /// Perceptual fingerprints for finding the picture again, when pixels were decoded.
    pub fingerprint: Option<reuse::Fingerprint>,
    /// What was read from a receipt or invoice, when the pixels show a document and a
    /// reader was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt: Option<receipt::ReceiptReport>,
    /// Why the file could not be analysed, for verdict `error`.
    pub error: Option<String>,
}

impl FileReport {
    /// A report for a file that could not be analysed.
    pub fn failed(sha256: String, size: usize, format: Format, error: String) -> FileReport {
        FileReport {
            sha256,
            size,
            format,
            verdict: Verdict::Error,
            reasons: Vec::new(),
            signals: Vec::new(),
            metadata: metadata::Metadata::default(),
            credentials: None,
            forensics: None,
            fingerprint: None,
            receipt: None,
            error: Some(error),
        }
    }
}

impl FileReport {
    /// Adds a signal found outside the engine (such as an earlier sighting in the reuse
    /// index) and derives the verdict and reasons again.
    pub fn add_signal(&mut self, signal: Signal) {
        if self.verdict == Verdict::Error {
            return;
        }
        self.signals.push(signal);
        self.signals
            .sort_by(|a, b| b.strength.total_cmp(&a.strength));
        self.verdict = verdict::decide(&self.signals);
        self.reasons = verdict::reasons(&self.signals, self.verdict);
    }
}

/// A report together with the decoded pixels, for callers that draw heatmaps.
pub struct Screened {
    /// The report.
    pub report: FileReport,
    /// The decoded pixels, when they were decoded.
    pub pixels: Option<pixels::Pixels>,
}

/// Screens one file's bytes.
pub fn screen(bytes: &[u8], opts: &Options) -> FileReport {
    screen_keeping_pixels(bytes, opts).report
}

/// Screens one file's bytes and hands back the decoded pixels as well.
pub fn screen_keeping_pixels(bytes: &[u8], opts: &Options) -> Screened {
    let report = |r: FileReport| Screened {
        report: r,
        pixels: None,
    };
    let sha256 = hex(&Sha256::digest(bytes));
    let format = Format::detect(bytes);
    let fail = |msg: String| {
        let mut r = FileReport::failed(sha256.clone(), bytes.len(), format, msg);
        r.signals.push(rules::not_screened(format, bytes.len()));
        r
    };
    if bytes.is_empty() {
        return report(fail("the file is empty (0 bytes)".into()));
    }
    if format == Format::Pdf {
        return report(pdf::report::screen(bytes, sha256, opts));
    }
    if matches!(format, Format::Unknown | Format::Gif | Format::Bmp) {
        return report(fail(match format {
            Format::Unknown => {
                "not a recognised image: the content is not JPEG, PNG, WebP, TIFF or HEIF".into()
            }
            f => format!(
                "{} files are recognised but not screened yet",
                f.name().to_uppercase()
            ),
        }));
    }
    let extracted = container::extract(format, bytes);
    let metadata = metadata::Metadata::from_extracted(&extracted);
    let credentials = if extracted.has_c2pa {
        read_credentials(bytes, format)
    } else {
        Ok(None)
    };
    let mut pixel_error = None;
    let mut watermark = None;
    let mut thumbnail = None;
    let mut forensics = None;
    let mut fingerprint = None;
    let mut ai_pixels = None;
    let mut decoded = None;
    // The dwtDct marks do not survive JPEG compression below quality 90 (see
    // README, "Watermarks"); such a JPEG is still decoded for its fingerprint and
    // thumbnail check.
    let lossy_quality = metadata
        .jpeg_quality
        .as_ref()
        .map(|q| q.quality)
        .filter(|q| *q < WATERMARK_MIN_JPEG_QUALITY);
    let mut reduction = None;
    let mut document = None;
    let mut receipt = None;
    let mut strip = None;
    let camera_data = metadata.camera().is_some();
    let mut detector_skipped = false;
    if opts.pixels {
        // A picture over the limit is decoded as a reduced copy rather than skipped.
        let decoded_pixels = match pixels::decode(
            bytes,
            format,
            (metadata.width, metadata.height),
            opts.max_pixels,
        ) {
            Err(pixels::PixelError::TooLarge { width, height, limit }) => {
                pixels::reduced::decode(bytes, format, (width, height), limit).map(|r| {
                    reduction = Some(rules::Reduction {
                        original: r.original,
                        factor: r.factor,
                        limit,
                    });
                    r.pixels
                })
            }
            other => other,
        };
        match decoded_pixels {
            Ok(px) => {
                // Detectors trained on photos say nothing about a scanned document.
                let doc = document::assess(&px);
                fingerprint = Some(reuse::Fingerprint::of_picture(
                    &px.rgb,
                    px.width,
                    px.height,
                    doc.is_document,
                ));
                if !doc.is_document && camera_data && !opts.detector_on_camera_files {
                    detector_skipped = true;
                } else if !doc.is_document {
                    ai_pixels = match &opts.detector {
                        Some(d) => d.assess(&px),
                        None => detector::shipped().and_then(|m| detector::AiDetector::assess(m, &px)),
                    };
                }
                if let Some(reader) = opts.reader.as_ref().filter(|_| doc.is_document) {
                    receipt = Some(match reader.read_text(&px) {
                        Ok(words) => receipt::ReceiptReport::from_words(&words),
                        Err(e) => receipt::ReceiptReport::unread(e.to_string()),
                    });
                } else if opts.reader.is_some() {
                    strip = receipt::signals::too_long(px.width, px.height);
                }
                document = Some(doc);
                // The marks live in the full-size pixels: a reduced copy cannot show them.
                if lossy_quality.is_none() && reduction.is_none() {
                    watermark = watermark::detect(&px.rgb, px.width, px.height);
                }
                // A cut-off file decodes as a partial picture that no preview matches;
                // the truncation has its own signal.
                let thumb = metadata.exif.as_ref().and_then(|e| e.thumbnail.as_ref());
                if let Some(t) = thumb.filter(|_| !extracted.truncated) {
                    thumbnail = pixels::compare_thumbnail(t, &px);
                }
                if opts.forensics {
                    let jpeg = extracted.jpeg.as_ref().filter(|_| reduction.is_none());
                    let inputs = forensics::Inputs {
                        jpeg_quality: jpeg
                            .and(metadata.jpeg_quality.as_ref())
                            .map(|q| q.quality),
                        luma_table: jpeg.and_then(|j| jpeg_quality::luma_table(&j.quant_tables)),
                        reduced: reduction.is_some(),
                    };
                    forensics = Some(forensics::analyse(&px, &inputs));
                }
                decoded = Some(px);
            }
            Err(e) => pixel_error = Some(e),
        }
    }
    let evidence = rules::Evidence {
        format,
        extension: opts.extension.as_deref(),
        extracted: &extracted,
        metadata: &metadata,
        credentials: &credentials,
        pixel_error: pixel_error.as_ref(),
        watermark: watermark.as_ref(),
        reduction: reduction.as_ref(),
        document: document.as_ref(),
        watermark_skipped_quality: if opts.pixels && watermark.is_none() {
            lossy_quality
        } else {
            None
        },
        thumbnail: thumbnail.as_ref(),
        forensics: forensics.as_ref(),
    };
    let mut signals = rules::evaluate(&evidence);
    if let Some(a) = &ai_pixels {
        signals.push(detector::signal(a));
    }
    if detector_skipped {
        signals.push(detector::skipped_for_camera_data());
    }
    if let Some(r) = &receipt {
        signals.extend(receipt::signals_of(r));
    }
    signals.extend(strip);
    signals.sort_by(|a, b| b.strength.total_cmp(&a.strength));
    let verdict = verdict::decide(&signals);
    let reasons = verdict::reasons(&signals, verdict);
    let report = FileReport {
        sha256,
        size: bytes.len(),
        format,
        verdict,
        reasons,
        signals,
        metadata,
        credentials: credentials.ok().flatten(),
        forensics,
        fingerprint,
        receipt,
        error: None,
    };
    Screened {
        report,
        pixels: decoded,
    }
}

/// A file's identity for the reuse index: its SHA-256 and, when its pixels decode, its
/// perceptual fingerprint. Much cheaper than [`screen`]: no metadata, credentials or
/// forensics.
pub struct Fingerprinted {
    /// SHA-256 of the bytes.
    pub sha256: [u8; 32],
    /// Format detected from content.
    pub format: Format,
    /// The fingerprint, or why the pixels could not be decoded.
    pub fingerprint: Result<reuse::Fingerprint, String>,
}

/// Fingerprints one file's bytes, decoding at most `max_pixels` pixels.
pub fn fingerprint(bytes: &[u8], max_pixels: u64) -> Fingerprinted {
    let sha256: [u8; 32] = Sha256::digest(bytes).into();
    let format = Format::detect(bytes);
    let fingerprint = pixels::decode(bytes, format, (None, None), max_pixels)
        .map(|px| reuse::Fingerprint::from_rgb(&px.rgb, px.width, px.height))
        .map_err(|e| e.to_string());
    Fingerprinted {
        sha256,
        format,
        fingerprint,
    }
}

/// Reads Content Credentials, turning a panic inside the SDK into an error.
fn read_credentials(
    bytes: &[u8],
    format: Format,
) -> Result<Option<credentials::Credentials>, String> {
    std::panic::catch_unwind(|| credentials::read(bytes, format.mime()))
        .unwrap_or_else(|_| Err("the C2PA SDK failed on this file".into()))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
