//! `proofdesk make-receipts`: a labelled set of generated Dutch till receipts and of
//! forgeries made from them, for `proofdesk eval` — genuine receipts (with the shop,
//! date and total a reader should find), an edited total, a pasted digit, a changed
//! date, and receipts typed from scratch. Deterministic: the same seed gives the same
//! files.

mod content;
mod forge;
mod pdf;
mod render;

use crate::rng::Rng;
use anyhow::{Context, Result};
use clap::Args;
use content::Receipt;
use render::Typeface;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `proofdesk make-receipts`.
#[derive(Args)]
pub struct MakeReceiptsArgs {
    /// Directory to write the pictures and MANIFEST.csv into (created).
    #[arg(long)]
    out: PathBuf,
    /// Receipts of each kind: genuine, edited total, pasted digit, changed date, from scratch.
    #[arg(long, default_value_t = 20)]
    count: usize,
    /// Seed of the random generator (the same seed gives the same files).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also write, under `originals/` (not in the manifest), the genuine scan each
    /// forgery was made from and a second scan of the same paper receipt.
    #[arg(long)]
    with_originals: bool,
}

/// The kinds made, in the manifest's `group` column: scanned receipts, then receipts
/// e-mailed as PDFs (the PDF kinds last, so a seed gives the same pictures as before
/// they were added).
pub const KINDS: [&str; 8] = ["receipt-nl", "forged-total", "forged-digit", "forged-date", "from-scratch", "receipt-pdf", "forged-pdf", "receipt-scan-pdf"];

/// Programs named as a PDF receipt's producer.
const PDF_PRODUCERS: [&str; 3] = ["Kassa Online 4.2", "TillMail PDF 2.1", "POS e-Bon 7"];
/// Programs named as a scanned PDF's producer.
const SCAN_PRODUCERS: [&str; 2] = ["ScanDesk Mobile 3.1", "PaperCam 12"];

/// Writes the set and its manifest.
pub fn run(args: MakeReceiptsArgs) -> Result<ExitCode> {
    let till = Typeface::till()?;
    let template = Typeface::template()?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let mut manifest = csv::Writer::from_path(args.out.join("MANIFEST.csv")).context("writing MANIFEST.csv")?;
    manifest.write_record(["path", "group", "label", "expect", "source", "licence", "notes"])?;
    let mut rng = Rng::seeded(args.seed);
    for kind in KINDS {
        std::fs::create_dir_all(args.out.join(kind))?;
        for n in 1..=args.count {
            let ext = if kind.ends_with("pdf") { "pdf" } else { "jpg" };
            let name = format!("{kind}/{kind}_{n:03}.{ext}");
            let made = make(kind, &till, &template, &mut rng)?;
            write(&args.out.join(&name), &made.bytes)?;
            if let (true, Some((original, rescan))) = (args.with_originals, &made.originals) {
                std::fs::create_dir_all(args.out.join("originals"))?;
                write(&args.out.join(format!("originals/{kind}_{n:03}.jpg")), original)?;
                write(&args.out.join(format!("originals/{kind}_{n:03}_rescan.jpg")), rescan)?;
            }
            let (expect, notes) = (made.expect, made.notes);
            let label = if kind.starts_with("receipt-") { "authentic" } else { "forged" };
            manifest.write_record([name.as_str(), kind, label, &expect, "generated: proofdesk make-receipts", "Apache-2.0", &notes])?;
        }
    }
    manifest.flush()?;
    println!("{} receipts ({} of each kind) in {}", args.count * KINDS.len(), args.count, args.out.display());
    Ok(ExitCode::SUCCESS)
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// One picture made.
struct Made {
    /// Its JPEG.
    bytes: Vec<u8>,
    /// The manifest's `expect`.
    expect: String,
    /// The manifest's note.
    notes: String,
    /// For a forgery of a genuine receipt: the genuine scan and a second scan of it.
    originals: Option<(Vec<u8>, Vec<u8>)>,
}

/// One picture of `kind`.
fn make(kind: &str, till: &Typeface, template: &Typeface, rng: &mut Rng) -> Result<Made> {
    if kind == "from-scratch" {
        let receipt = content::from_scratch(rng);
        let face = if rng.unit() < 0.6 { template } else { till };
        let print = render::print(&receipt.lines, face);
        let bytes = render::jpeg(&render::clean(&print), 90 + rng.below(6) as u8)?;
        let notes = "typed from scratch in a template; clean render".into();
        return Ok(Made { bytes, expect: format!("receipt-forgery:{kind}"), notes, originals: None });
    }
    let receipt = content::genuine(rng);
    if kind == "receipt-pdf" || kind == "forged-pdf" {
        return pdf_receipt(kind, receipt, rng);
    }
    let print = render::print(&receipt.lines, till);
    let (scanned, geometry) = render::thermal_scan(&print, rng);
    let bytes = render::jpeg(&scanned, 80 + rng.below(13) as u8)?;
    if kind == "receipt-nl" {
        let notes = "genuine till receipt, thermal print scanned".into();
        return Ok(Made { bytes, expect: reference(&receipt), notes, originals: None });
    }
    if kind == "receipt-scan-pdf" {
        let (width, height) = (scanned.width, scanned.height);
        let bytes = pdf::scan_pdf(&bytes, width, height, *rng.pick(&SCAN_PRODUCERS))?;
        let notes = "genuine till receipt scanned into a PDF by a scanner app (no text layer)".into();
        return Ok(Made { bytes, expect: reference(&receipt), notes, originals: None });
    }
    // The fraudster opens the customer's JPEG, edits it, saves it again.
    let mut px = decode(&bytes)?;
    let note = match kind {
        "forged-total" => format!("total {} typed over as {}", content::money(receipt.total), content::money(forge::edited_total(&mut px, &geometry, &print, till, &receipt, rng))),
        "forged-date" => format!("date {} typed over as {}", content::dmy(receipt.date), content::dmy(forge::changed_date(&mut px, &geometry, &print, till, &receipt, rng))),
        _ => match forge::pasted_digit(&mut px, &geometry, &print, &receipt, rng) {
            Some(digit) => format!("a {digit} pasted over the total's first digit ({})", content::money(receipt.total)),
            // No higher digit to paste: the total is typed over instead.
            None => format!("total typed over as {}", content::money(forge::edited_total(&mut px, &geometry, &print, till, &receipt, rng))),
        },
    };
    let forged = render::jpeg(&px, 85 + rng.below(11) as u8)?;
    let rescan = render::jpeg(&render::thermal_scan(&print, rng).0, 80 + rng.below(13) as u8)?;
    Ok(Made { bytes: forged, expect: format!("receipt-forgery:{kind}"), notes: note, originals: Some((bytes, rescan)) })
}

/// A receipt e-mailed as a PDF; for `forged-pdf` its total and payment edited in the
/// text layer (as a PDF editor does it), the items, subtotal and VAT table left.
fn pdf_receipt(kind: &str, mut receipt: Receipt, rng: &mut Rng) -> Result<Made> {
    let producer = *rng.pick(&PDF_PRODUCERS);
    if kind == "receipt-pdf" {
        let bytes = pdf::till_pdf(&receipt.lines, producer)?;
        let notes = "genuine till receipt e-mailed as PDF (text layer)".into();
        return Ok(Made { bytes, expect: reference(&receipt), notes, originals: None });
    }
    let factor = 1.5 + 2.5 * rng.unit();
    let new = ((receipt.total as f64 * factor) as i64 / 5 * 5).max(receipt.total + 500);
    let (old, edited) = (content::money(receipt.total), content::money(new));
    for line in &mut receipt.lines {
        let upper = line.text.to_uppercase();
        if upper.starts_with("TOTAAL") || upper.starts_with("PIN") || upper.starts_with("BEDRAG") {
            line.text = line.text.replace(&format!(" {old}"), &format!(" {edited}"));
        }
    }
    let bytes = pdf::till_pdf(&receipt.lines, producer)?;
    let notes = format!("total and payment {old} edited in the PDF's text to {edited}");
    Ok(Made { bytes, expect: format!("receipt-forgery:{kind}"), notes, originals: None })
}

/// The manifest's reference for a genuine receipt, as `proofdesk eval` reads it.
fn reference(r: &Receipt) -> String {
    let total = format!("{}.{:02}", r.total / 100, r.total % 100);
    format!("receipt:{}", serde_json::json!({"company": r.merchant, "date": content::dmy(r.date), "total": total}))
}

fn decode(bytes: &[u8]) -> Result<proofdesk_engine::pixels::Pixels> {
    let img = image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg).context("decoding the receipt")?.to_rgb8();
    Ok(proofdesk_engine::pixels::Pixels { width: img.width() as usize, height: img.height() as usize, rgb: img.into_raw() })
}
