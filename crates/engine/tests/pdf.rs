//! PDF receipts: the text layer is read as the OCR reads a picture, and hostile PDFs
//! (a decompression bomb, no text, damage, a password) get a clear signal.

use flate2::write::ZlibEncoder;
use flate2::Compression;
use lopdf::{dictionary, Document, Object, Stream};
use proofdesk_engine::{screen, Options, Verdict};
use std::io::Write;

/// A one-page PDF drawing `content` with font `F1` = `font` (an A5-ish page).
fn pdf(content: Vec<u8>, font: lopdf::Dictionary, compress: bool) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let font_id = doc.add_object(font);
    let mut stream = Stream::new(dictionary! {}, content);
    if compress {
        stream.compress().expect("compressing");
    }
    let content_id = doc.add_object(stream);
    let info_id = doc.add_object(dictionary! { "Producer" => Object::string_literal("Kassa 3000") });
    doc.trailer.set("Info", info_id);
    let page = dictionary! {
        "MediaBox" => vec![0.into(), 0.into(), 420.into(), 595.into()],
        "Contents" => content_id,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
    };
    one_page(doc, page)
}

/// Finishes a document of one `page` (its `/Type` and `/Parent` added): the page tree
/// and the catalogue, written out.
fn one_page(mut doc: Document, mut page: lopdf::Dictionary) -> Vec<u8> {
    let pages_id = doc.new_object_id();
    page.set("Type", "Page");
    page.set("Parent", pages_id);
    let page_id = doc.add_object(page);
    doc.objects.insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 }));
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("writing the PDF");
    out
}

fn courier() -> lopdf::Dictionary {
    dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Courier", "Encoding" => "WinAnsiEncoding" }
}

/// A Dutch till receipt in Courier, one line per `Tj`, columns aligned with spaces.
const RECEIPT: [&str; 12] = [
    "      Bakkerij De Korenschoof",
    "   Hoofdstraat 12, 3511 AB Utrecht",
    "  KvK 12345678  BTW NL004495445B01",
    "Volkorenbrood                  3,45",
    "Croissant                      3,20",
    "Subtotaal                      6,65",
    "TOTAAL                   EUR   6,65",
    "PIN                            6,65",
    "BTW%        Excl        BTW       Incl",
    "9%          6,10       0,55       6,65",
    "Bonnr: 04211  Kassa: 2  Mdw: 31",
    "14-11-2026  10:42",
];

fn till_receipt(lines: &[&str]) -> Vec<u8> {
    let mut content = b"BT /F1 9 Tf 12 TL 20 560 Td\n".to_vec();
    for line in lines {
        content.extend(format!("({line}) Tj T*\n").bytes());
    }
    content.extend(b"ET\n");
    content
}

#[test]
fn a_pdf_till_receipt_is_read_and_checked_like_a_photo_of_one() {
    let report = screen(&pdf(till_receipt(&RECEIPT), courier(), true), &Options::default());
    assert_eq!(report.verdict, Verdict::Unknown, "{:?}", report.signals);
    let receipt = report.receipt.as_ref().expect("a receipt was read");
    assert_eq!(receipt.fields.total.as_ref().map(|t| t.value), Some(665));
    assert_eq!(receipt.fields.date.as_ref().map(|d| d.value.to_string()), Some("2026-11-14".into()));
    assert_eq!(receipt.fields.merchant.as_ref().map(|m| m.value.as_str()), Some("Bakkerij De Korenschoof"));
    let text = report.signals.iter().find(|s| s.id == "receipt.pdf-text").expect("the text layer is named");
    assert!(text.summary.en.contains("Kassa 3000"), "{}", text.summary.en);
    assert!(!report.signals.iter().any(|s| s.is_suspicious()), "{:?}", report.signals);
}

#[test]
fn a_total_edited_in_the_pdf_fails_the_sums() {
    let mut lines = RECEIPT;
    lines[6] = "TOTAAL                   EUR  86,65";
    let report = screen(&pdf(till_receipt(&lines), courier(), true), &Options::default());
    let failed: Vec<&str> = report.signals.iter().filter(|s| s.id.starts_with("receipt.sum") || s.id.starts_with("receipt.vat")).map(|s| s.id.as_str()).collect();
    assert!(!failed.is_empty(), "{:?}", report.signals.iter().map(|s| &s.id).collect::<Vec<_>>());
}

/// A composite font as browsers and office suites write it: two-byte codes, a
/// ToUnicode map, widths per code, a flipped page matrix and kerning in `TJ`.
#[test]
fn a_composite_font_with_a_unicode_map_and_kerning_reads_as_text() {
    let letters = "TOALEUR0123456789,. ";
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    cmap.push_str(&format!("{} beginbfchar\n", letters.len()));
    for (i, c) in letters.chars().enumerate() {
        cmap.push_str(&format!("<{:04X}> <{:04X}>\n", i + 1, c as u32));
    }
    cmap.push_str("endbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    let mut doc_font = dictionary! { "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "AAAAAA+Arial", "Encoding" => "Identity-H" };
    let code = |s: &str| -> String { s.chars().map(|c| format!("{:04X}", letters.find(c).expect("in the map") + 1)).collect() };
    // The text is drawn in a top-down coordinate system, "TOTAAL" kerned apart.
    let content = format!(
        "1 0 0 -1 0 595 cm BT /F1 10 Tf 1 0 0 -1 20 100 Tm [<{}> 120 <{}>] TJ 1 0 0 -1 300 100 Tm <{}> Tj ET",
        code("TO"), code("TAAL"), code("EUR 12,50")
    );
    // Fonts are built by hand here: lopdf needs the map as a stream object.
    let mut pdf_doc = Document::with_version("1.5");
    let cmap_id = pdf_doc.add_object(Stream::new(dictionary! {}, cmap.into_bytes()));
    let descendant = pdf_doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "AAAAAA+Arial",
        "DW" => 556, "W" => vec![1.into(), vec![611.into(), 778.into()].into()],
    });
    doc_font.set("ToUnicode", cmap_id);
    doc_font.set("DescendantFonts", vec![descendant.into()]);
    let font_id = pdf_doc.add_object(doc_font);
    let content_id = pdf_doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
    let bytes = one_page(pdf_doc, dictionary! {
        "MediaBox" => vec![0.into(), 0.into(), 420.into(), 595.into()],
        "Contents" => content_id, "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
    });

    let text = proofdesk_engine::pdf::read(&bytes, Default::default()).expect("read");
    let words: Vec<&str> = text.words.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(words, ["TOTAAL", "EUR 12,50"]);
    // Upright and on one line, 100 points from the top at 2 pixels a point.
    assert!(text.words.iter().all(|w| (w.bbox.y as i64 - 184).abs() <= 2), "{:?}", text.words);
    let report = screen(&bytes, &Options::default());
    assert_eq!(report.receipt.and_then(|r| r.fields.total).map(|t| t.value), Some(1250));
}

#[test]
fn a_decompression_bomb_is_refused_within_its_limit() {
    // 400 MB of spaces inside a content stream, about 400 KB compressed.
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    let block = vec![b' '; 1 << 20];
    for _ in 0..400 {
        z.write_all(&block).expect("compressing");
    }
    let compressed = z.finish().expect("compressing");
    let mut stream_dict = dictionary! { "Filter" => "FlateDecode" };
    stream_dict.set("Length", compressed.len() as i64);
    let mut doc = Document::with_version("1.5");
    let content_id = doc.add_object(Stream::new(stream_dict, compressed).with_compression(false));
    let bytes = one_page(doc, dictionary! { "Contents" => content_id });
    assert!(bytes.len() < 2 << 20);

    let report = screen(&bytes, &Options::default());
    assert_eq!(report.verdict, Verdict::Error);
    let signal = report.signals.iter().find(|s| s.id == "integrity.pdf-unreadable").expect("named");
    assert_eq!(signal.details.get("why").and_then(|v| v.as_str()), Some("decompression-bomb"));
    assert!(report.error.as_deref().is_some_and(|e| e.contains("unpacks to more than")), "{:?}", report.error);
}

#[test]
fn a_pdf_without_text_is_named_and_sent_to_a_person() {
    // A scanned page: one image, drawn, no text.
    let mut doc = Document::with_version("1.5");
    let image = Stream::new(
        dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 2, "Height" => 2, "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
        vec![0, 255, 255, 0],
    );
    let image_id = doc.add_object(image);
    let content_id = doc.add_object(Stream::new(dictionary! {}, b"q 400 0 0 580 10 10 cm /Im1 Do Q".to_vec()));
    let bytes = one_page(doc, dictionary! {
        "MediaBox" => vec![0.into(), 0.into(), 420.into(), 595.into()],
        "Contents" => content_id, "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => image_id } },
    });

    let report = screen(&bytes, &Options::default());
    let signal = report.signals.iter().find(|s| s.id == "receipt.pdf-no-text").expect("named");
    assert!(signal.is_suspicious());
    assert_eq!(signal.details.get("images").and_then(|v| v.as_u64()), Some(1));
    assert!(report.receipt.is_none());
}

#[test]
fn damaged_and_cut_off_pdfs_get_an_error_never_a_panic() {
    let good = pdf(till_receipt(&RECEIPT), courier(), true);
    for cut in [9, 100, good.len() / 2, good.len() - 10] {
        let report = screen(&good[..cut], &Options::default());
        // Cut after the content stream, a lenient reader may still find the text.
        assert!(matches!(report.verdict, Verdict::Error | Verdict::Unknown), "cut at {cut}: {:?}", report.verdict);
        assert!(!report.signals.is_empty(), "cut at {cut}");
    }
    let mut garbage = b"%PDF-1.7\n".to_vec();
    garbage.extend((0..5000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let report = screen(&garbage, &Options::default());
    assert_eq!(report.verdict, Verdict::Error);
    assert!(report.signals.iter().any(|s| s.id == "integrity.pdf-unreadable"));
    // Nested arrays a million deep in the content.
    let deep = pdf([b"[".repeat(1_000_000), b"] Tj".to_vec()].concat(), courier(), true);
    let report = screen(&deep, &Options::default());
    assert!(matches!(report.verdict, Verdict::Error | Verdict::Unknown));
}

#[test]
fn a_pdf_named_as_a_photo_is_called_mislabelled() {
    let opts = Options { extension: Some("jpg".into()), ..Options::default() };
    let report = screen(&pdf(till_receipt(&RECEIPT), courier(), true), &opts);
    let signal = report.signals.iter().find(|s| s.id == "integrity.extension-mismatch").expect("named");
    assert_eq!(signal.details.get("detected").and_then(|v| v.as_str()), Some("pdf"));
    assert!(report.receipt.is_some());
}
