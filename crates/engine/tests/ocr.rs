//! The OCR as tract runs it on the pinned PP-OCRv6 files: it reads printed text, puts
//! each piece where it is on the picture, and its receipt fields come out of a real
//! scanned receipt.
//!
//! The models are installed by `scripts/fetch-models.sh`; without them these tests
//! skip, unless `PROOFDESK_TEST_MODELS=required` (as `.ci/run` sets).

use font8x8::legacy::BASIC_LEGACY;
use proofdesk_engine::format::Format;
use proofdesk_engine::ocr::{Ocr, ReadLimits};
use proofdesk_engine::pixels::{self, Pixels};
use proofdesk_engine::receipt::ReceiptReport;
use std::path::PathBuf;
use std::sync::OnceLock;

fn models_dir() -> PathBuf {
    std::env::var_os("PROOFDESK_MODELS_DIR").filter(|d| !d.is_empty()).map(PathBuf::from).unwrap_or_else(|| {
        std::env::var_os("XDG_CACHE_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache"))
            .join("proofdesk/models")
    })
}

/// The OCR, or `None` (skip) when its files are not installed.
fn ocr() -> Option<&'static Ocr> {
    static OCR: OnceLock<Option<Ocr>> = OnceLock::new();
    OCR.get_or_init(|| {
        let dir = models_dir();
        let (det, rec) = (dir.join("ch_PP-OCRv4_det_mobile.onnx"), dir.join("PP-OCRv6_rec_small.onnx"));
        let (Ok(det), Ok(rec)) = (std::fs::read(&det), std::fs::read(&rec)) else {
            if std::env::var("PROOFDESK_TEST_MODELS").as_deref() == Ok("required") {
                panic!("the OCR models are missing from {}: run scripts/fetch-models.sh", dir.display());
            }
            eprintln!("skipped: the OCR models are not installed in {} (scripts/fetch-models.sh)", dir.display());
            return None;
        };
        Some(Ocr::from_onnx(det, rec).expect("the pinned models load"))
    })
    .as_ref()
}

/// Dark text on light paper: each line at (x, y) in 8 × 8 glyphs scaled `scale` times.
fn render(width: usize, height: usize, lines: &[(&str, usize, usize)], scale: usize) -> Pixels {
    let mut rgb = vec![238u8; width * height * 3];
    for (text, x0, y0) in lines {
        for (i, ch) in text.chars().enumerate() {
            let glyph = BASIC_LEGACY[(ch as usize).min(127)];
            for (gy, row) in glyph.iter().enumerate() {
                for gx in 0..8 {
                    if row >> gx & 1 == 0 {
                        continue;
                    }
                    for dy in 0..scale {
                        for dx in 0..scale {
                            let (x, y) = (x0 + (i * 8 + gx) * scale + dx, y0 + gy * scale + dy);
                            if x < width && y < height {
                                rgb[(y * width + x) * 3..][..3].copy_from_slice(&[30, 30, 40]);
                            }
                        }
                    }
                }
            }
        }
    }
    Pixels { width, height, rgb }
}

#[test]
fn printed_lines_are_read_word_for_word_where_they_are() {
    let Some(ocr) = ocr() else { return };
    let px = render(640, 360, &[("TOTAAL EUR 12,50", 40, 60), ("BTW LAAG 2,17", 40, 160), ("PIN 12,50", 360, 260)], 3);
    let words = ocr.read(&px, ReadLimits::default()).expect("reads");
    let report = ReceiptReport::from_words(&words);
    let lines: Vec<String> = report.lines.iter().map(|l| l.text.replace(' ', "")).collect();
    assert_eq!(lines, ["TOTAALEUR12,50", "BTWLAAG2,17", "PIN12,50"], "{words:?}");
    // Boxes: around the text they hold (glyphs are 24 pixels high).
    let pin = &report.lines[2].bbox;
    assert!(pin.x >= 340 && pin.x <= 365 && pin.y >= 245 && pin.y <= 262, "{pin:?}");
    assert!(pin.bottom() >= 282 && pin.bottom() <= 300, "{pin:?}");
    assert_eq!(report.fields.total.as_ref().map(|t| t.value), Some(1250));
    // An empty page reads as nothing.
    let blank = render(300, 200, &[], 3);
    assert!(ocr.read(&blank, ReadLimits::default()).expect("reads").is_empty());
}

#[test]
fn a_scanned_receipt_gives_its_total_date_and_shop() {
    let Some(ocr) = ocr() else { return };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/receipt/sroie_062.jpg");
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("skipped: {} is not here", path.display());
        return;
    };
    let px = pixels::decode(&bytes, Format::Jpeg, (None, None), 50_000_000).expect("decodes");
    let words = ocr.read(&px, ReadLimits::default()).expect("reads");
    let f = ReceiptReport::from_words(&words).fields;
    assert_eq!(f.total.as_ref().map(|t| t.value), Some(1140), "{words:?}");
    assert_eq!(f.date.as_ref().map(|d| d.value.to_string()).as_deref(), Some("2018-03-19"));
    // Compared on letters and digits: narrowed boxes may lose a space (README, "Speed").
    let merchant = f.merchant.as_ref().map(|m| proofdesk_engine::receipt::letters_and_digits(&m.value));
    assert_eq!(merchant.as_deref(), Some("99SPEEDMARTSB"));
    // The total's box is the printed amount on the "Total Sales" line.
    let b = f.total.expect("a total").bbox;
    assert!(b.x > 500 && b.y > 780 && b.y < 860, "{b:?}");
}

#[test]
fn screening_a_receipt_reads_it_names_an_impossible_vat_number_and_says_when_it_cannot_read_it() {
    let Some(ocr) = ocr() else { return };
    // A shared OCR for the screening options (the engine takes any TextReader).
    #[derive(Debug)]
    struct Shared(&'static Ocr);
    impl proofdesk_engine::ocr::TextReader for Shared {
        fn read_text(&self, px: &Pixels) -> Result<Vec<proofdesk_engine::ocr::Word>, proofdesk_engine::ocr::OcrError> {
            self.0.read(px, ReadLimits::default())
        }
    }
    let receipt = |btw: &str, upside_down: bool| {
        let lines = [
            ("BAKKERIJ DE KRAKELING", 30, 30),
            ("DORPSSTRAAT 12 ERGENS", 30, 80),
            (btw, 30, 130),
            ("DATUM 05-03-2024", 30, 180),
            ("BRODEN 12,50", 30, 260),
            ("TOTAAL 12,50", 30, 330),
            ("BTW 21% OVER 10,33 2,17", 30, 400),
            ("BONNR 4711 KASSA 2", 30, 440),
        ];
        let mut px = render(720, 480, &lines, 2);
        if upside_down {
            let turned: Vec<u8> = px.rgb.chunks_exact(3).rev().flatten().copied().collect();
            px.rgb = turned;
        }
        let mut png = Vec::new();
        image::RgbImage::from_raw(px.width as u32, px.height as u32, px.rgb)
            .expect("pixels")
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encodes");
        let opts = proofdesk_engine::Options {
            forensics: false,
            reader: Some(std::sync::Arc::new(Shared(ocr))),
            ..proofdesk_engine::Options::default()
        };
        proofdesk_engine::screen(&png, &opts)
    };
    let honest = receipt("BTW NL004495445B01", false);
    let read = honest.receipt.as_ref().expect("a document is read");
    assert_eq!(read.fields.total.as_ref().map(|t| t.value), Some(1250), "{:?}", read.lines);
    assert_eq!(read.fields.btw_id.as_ref().map(|b| b.value.as_str()), Some("NL004495445B01"));
    assert!(!honest.signals.iter().any(|s| s.id.starts_with("receipt.") && s.is_suspicious()), "{:?}", honest.signals);
    let forged = receipt("BTW NL123456789B01", false);
    let s = forged.signals.iter().find(|s| s.id == "receipt.identity.btw-id").expect("the impossible number is named");
    assert!(s.summary.en.contains("NL123456789B01") && s.summary.nl.contains("kan niet bestaan"), "{}", s.summary.en);
    // Upside down: nothing is made up from it, and the agent is told why.
    let turned = receipt("BTW NL004495445B01", true);
    assert!(turned.receipt.as_ref().is_some_and(|r| r.fields.total.is_none()));
    assert!(turned.signals.iter().any(|s| s.id == "receipt.unread"), "{:?}", turned.signals);
}
