//! Rules: turn what was read from a file into explained [`Signal`]s.
//!
//! Each submodule owns one family of findings. Rules only read [`Evidence`];
//! they never parse bytes themselves.

mod ai;
mod editing;
mod forensics;
mod integrity;
mod provenance;

use crate::container::Extracted;
use crate::credentials::Credentials;
use crate::forensics::ForensicsReport;
use crate::document::DocumentCheck;
use crate::format::Format;
use crate::metadata::Metadata;
use crate::pixels::{PixelError, ThumbnailCheck};
use crate::signal::Signal;
use crate::watermark::WatermarkReport;

/// Everything the rules may look at for one file.
pub struct Evidence<'a> {
    /// Detected format.
    pub format: Format,
    /// The file name's extension, if known.
    pub extension: Option<&'a str>,
    /// Container facts.
    pub extracted: &'a Extracted,
    /// Interpreted metadata.
    pub metadata: &'a Metadata,
    /// Content Credentials: `Ok(None)` none, `Err` unreadable.
    pub credentials: &'a Result<Option<Credentials>, String>,
    /// Why pixels were not decoded, if they were not.
    pub pixel_error: Option<&'a PixelError>,
    /// How the picture was reduced, when it was over the pixel limit.
    pub reduction: Option<&'a Reduction>,
    /// Whether the pixels show a document, when they were decoded.
    pub document: Option<&'a DocumentCheck>,
    /// Watermark decoding, when pixels were decoded.
    pub watermark: Option<&'a WatermarkReport>,
    /// Estimated JPEG quality when the watermark test was skipped as pointless.
    pub watermark_skipped_quality: Option<u8>,
    /// Thumbnail check, when there was a thumbnail and pixels.
    pub thumbnail: Option<&'a ThumbnailCheck>,
    /// Pixel forensics, when run.
    pub forensics: Option<&'a ForensicsReport>,
}

/// A picture over the pixel limit that was checked as a reduced copy.
pub struct Reduction {
    /// Full width and height.
    pub original: (u64, u64),
    /// Original pixels per reduced pixel along each side.
    pub factor: u32,
    /// The pixel limit in force.
    pub limit: u64,
}

/// Runs every rule.
pub fn evaluate(e: &Evidence) -> Vec<Signal> {
    let mut out = Vec::new();
    integrity::check(e, &mut out);
    provenance::check(e, &mut out);
    ai::check(e, &mut out);
    editing::check(e, &mut out);
    forensics::check(e, &mut out);
    out
}

/// The signal for a file that no check could read: it routes the claim to a person.
pub(crate) use integrity::extension_mismatch;

pub(crate) fn not_screened(format: Format, size: usize) -> Signal {
    integrity::not_screened(format, size)
}

/// Shortens text for a summary sentence.
pub(crate) fn clip(s: &str, n: usize) -> String {
    let mut t: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        t.push('…');
    }
    t
}
