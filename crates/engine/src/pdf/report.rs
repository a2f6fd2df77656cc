//! A PDF's screening report: its text layer read as a receipt, or why it could not be.

use super::{PdfError, PdfLimits, PdfText};
use crate::receipt::{self, ReceiptReport};
use crate::signal::{Category, Direction, Signal, Text};
use crate::{verdict, FileReport, Format};

/// Strength of a finding that means no check could run: a person must look.
const NOTHING_CHECKED: f32 = 1.0;

/// Screens a PDF: its text layer as a receipt or invoice; a PDF without text but with
/// a scanned JPEG page has that picture screened as a photo.
pub(crate) fn screen(bytes: &[u8], sha256: String, opts: &crate::Options) -> FileReport {
    let text = match super::read(bytes, PdfLimits::default()) {
        Ok(t) => t,
        Err(e) => {
            let mut r = FileReport::failed(sha256, bytes.len(), Format::Pdf, e.to_string());
            r.signals.push(unreadable(&e));
            return r;
        }
    };
    if let Some(jpeg) = text.scan.as_deref().filter(|_| text.words.is_empty()) {
        return scanned(bytes, sha256, jpeg, &text, opts);
    }
    let mut signals: Vec<Signal> = crate::rules::extension_mismatch(Format::Pdf, opts.extension.as_deref()).into_iter().collect();
    let receipt = if text.words.is_empty() {
        signals.push(no_text(&text));
        None
    } else {
        let report = ReceiptReport::from_words(&text.words);
        signals.push(text_layer(&text, report.lines.len()));
        signals.extend(receipt::signals_of(&report));
        Some(report)
    };
    signals.sort_by(|a, b| b.strength.total_cmp(&a.strength));
    let verdict = verdict::decide(&signals);
    let reasons = verdict::reasons(&signals, verdict);
    FileReport {
        verdict,
        reasons,
        signals,
        receipt,
        error: None,
        ..FileReport::failed(sha256, bytes.len(), Format::Pdf, String::new())
    }
}

/// A PDF holding a scanned page: the page's picture screened as a photo (metadata,
/// pixels, OCR), reported for the PDF with a signal saying so.
fn scanned(bytes: &[u8], sha256: String, jpeg: &[u8], t: &PdfText, opts: &crate::Options) -> FileReport {
    let inner = crate::screen(jpeg, &crate::Options { extension: None, ..opts.clone() });
    let mut signals = inner.signals;
    signals.extend(crate::rules::extension_mismatch(Format::Pdf, opts.extension.as_deref()));
    let summary = Text::new(
        format!("The PDF holds no text but a scanned picture ({} of {} page(s) read): the picture was checked as a photo, and its text read.", t.pages_read, t.pages),
        format!("De pdf bevat geen tekst maar een gescande afbeelding ({} van {} pagina('s) gelezen): de afbeelding is gecontroleerd als foto, en de tekst erop gelezen.", t.pages_read, t.pages),
    );
    let mut s = Signal::new("receipt.pdf-scan", Category::Integrity, Direction::Neutral, 0.0, summary)
        .with("pages", t.pages)
        .with("images", t.images)
        .with("picture_bytes", jpeg.len());
    if let Some(p) = &t.producer {
        s = s.with("producer", p.as_str());
    }
    signals.push(s);
    signals.sort_by(|a, b| b.strength.total_cmp(&a.strength));
    let verdict = verdict::decide(&signals);
    let reasons = verdict::reasons(&signals, verdict);
    FileReport {
        sha256,
        size: bytes.len(),
        format: Format::Pdf,
        verdict,
        reasons,
        signals,
        metadata: inner.metadata,
        credentials: inner.credentials,
        forensics: inner.forensics,
        fingerprint: inner.fingerprint,
        receipt: inner.receipt,
        error: inner.error,
    }
}

/// The PDF's text was read from its text layer.
fn text_layer(t: &PdfText, lines: usize) -> Signal {
    let made = t.producer.as_deref().map(|p| (format!(", made with {p}"), format!(", gemaakt met {p}"))).unwrap_or_default();
    let summary = Text::new(
        format!("The PDF's own text was read ({lines} lines on {} of its {} pages{}). Text in a PDF can be changed without leaving traces in pixels: the receipt checks are what speak for or against it.", t.pages_read, t.pages, made.0),
        format!("De eigen tekst van de pdf is gelezen ({lines} regels op {} van de {} pagina's{}). Tekst in een pdf kan worden veranderd zonder sporen in pixels: de controles van de bon zeggen er iets over.", t.pages_read, t.pages, made.1),
    );
    let mut s = Signal::new("receipt.pdf-text", Category::Integrity, Direction::Neutral, 0.0, summary)
        .with("pages", t.pages)
        .with("pages_read", t.pages_read)
        .with("lines", lines);
    if let Some(p) = &t.producer {
        s = s.with("producer", p.as_str());
    }
    if t.truncated {
        s = s.with("truncated", true);
    }
    s
}

/// The PDF draws no text: a scan or a photo saved as PDF.
fn no_text(t: &PdfText) -> Signal {
    let summary = Text::new(
        format!("The PDF holds no text, only {} picture(s) on {} page(s): a scan or photo saved as PDF. Its pictures are not checked, so a person must look at it, or ask the customer for the photo itself or the original PDF.", t.images, t.pages),
        format!("De pdf bevat geen tekst, alleen {} afbeelding(en) op {} pagina('s): een scan of foto opgeslagen als pdf. De afbeeldingen worden niet gecontroleerd, dus een mens moet ernaar kijken, of vraag de klant om de foto zelf of de oorspronkelijke pdf.", t.images, t.pages),
    );
    Signal::new("receipt.pdf-no-text", Category::Integrity, Direction::Suspicious, NOTHING_CHECKED, summary)
        .with("pages", t.pages)
        .with("images", t.images)
}

/// The PDF could not be read at all.
fn unreadable(e: &PdfError) -> Signal {
    let nl = match e {
        PdfError::TooLarge { size, limit } => format!("de pdf is {size} bytes; pdf's boven {limit} bytes worden niet gelezen"),
        PdfError::Bomb { limit } => format!("een deel van de pdf wordt uitgepakt groter dan {limit} bytes (een decompressiebom?)"),
        PdfError::TooComplex => "de pdf bevat meer objecten dan een bon of factuur nodig heeft".into(),
        PdfError::Encrypted => "de pdf is met een wachtwoord beveiligd".into(),
        PdfError::Malformed(why) => format!("de pdf is beschadigd of onleesbaar ({why})"),
        PdfError::NoPages => "de pdf heeft geen pagina's".into(),
    };
    let summary = Text::new(
        format!("The PDF could not be read: {e}. No check ran on it, so a person must look at it, or ask the customer for a photo of the receipt."),
        format!("De pdf kon niet worden gelezen: {nl}. Er is geen controle op gedaan, dus een mens moet ernaar kijken, of vraag de klant om een foto van de bon."),
    );
    let kind = match e {
        PdfError::TooLarge { .. } => "too-large",
        PdfError::Bomb { .. } => "decompression-bomb",
        PdfError::TooComplex => "too-complex",
        PdfError::Encrypted => "encrypted",
        PdfError::Malformed(_) => "malformed",
        PdfError::NoPages => "no-pages",
    };
    Signal::new("integrity.pdf-unreadable", Category::Integrity, Direction::Suspicious, NOTHING_CHECKED, summary).with("why", kind)
}
