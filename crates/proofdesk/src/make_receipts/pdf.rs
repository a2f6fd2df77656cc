//! Receipts as PDFs, as tills and webshops e-mail them: each printed line drawn in
//! Courier (bold lines in Courier-Bold) on a page as wide as an 80-mm roll, with a text
//! layer a reader can copy — and a fraudster can edit.

use super::content::{PrintLine, COLUMNS};
use anyhow::{Context, Result};
use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, StringFormat, Stream};

/// Size of the letters, in points.
const SIZE: f32 = 8.0;
/// Distance between baselines, in points.
const LEADING: f32 = 11.0;
/// Margin around the text, in points.
const MARGIN: f32 = 14.0;

/// The lines as a one-page PDF made by `producer`.
pub fn till_pdf(lines: &[PrintLine], producer: &str) -> Result<Vec<u8>> {
    let width = 2.0 * MARGIN + COLUMNS as f32 * SIZE * 0.6;
    let height = 2.0 * MARGIN + lines.len() as f32 * LEADING;
    let mut ops = vec![
        Operation::new("BT", vec![]),
        Operation::new("TL", vec![LEADING.into()]),
        Operation::new("Td", vec![MARGIN.into(), (height - MARGIN - SIZE).into()]),
    ];
    let mut bold = None;
    for line in lines {
        if bold != Some(line.bold) {
            ops.push(Operation::new("Tf", vec![Object::Name(if line.bold { b"F2".to_vec() } else { b"F1".to_vec() }), SIZE.into()]));
            bold = Some(line.bold);
        }
        ops.push(Operation::new("Tj", vec![Object::String(win_ansi(&line.text), StringFormat::Literal)]));
        ops.push(Operation::new("T*", vec![]));
    }
    ops.push(Operation::new("ET", vec![]));
    let content = Content { operations: ops }.encode().context("encoding the page")?;

    let mut doc = Document::with_version("1.6");
    let pages_id = doc.new_object_id();
    let font = |name: &str| dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => name, "Encoding" => "WinAnsiEncoding" };
    let regular = doc.add_object(font("Courier"));
    let heavy = doc.add_object(font("Courier-Bold"));
    let mut stream = Stream::new(dictionary! {}, content);
    stream.compress().context("compressing the page")?;
    let content_id = doc.add_object(stream);
    let resources = dictionary! { "Font" => dictionary! { "F1" => regular, "F2" => heavy } };
    one_page(doc, pages_id, (width, height), content_id, resources, producer)
}

/// A scanned page as a scanner app saves it: the JPEG as it is, drawn over a page of
/// its size at 200 dpi, no text.
pub fn scan_pdf(jpeg: &[u8], width: usize, height: usize, producer: &str) -> Result<Vec<u8>> {
    let (w, h) = (width as f32 * 72.0 / 200.0, height as f32 * 72.0 / 200.0);
    let mut doc = Document::with_version("1.6");
    let pages_id = doc.new_object_id();
    let image = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => width as i64, "Height" => height as i64,
            "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
        },
        jpeg.to_vec(),
    )
    .with_compression(false);
    let image_id = doc.add_object(image);
    let content = format!("q {w:.2} 0 0 {h:.2} 0 0 cm /Im0 Do Q").into_bytes();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let resources = dictionary! { "XObject" => dictionary! { "Im0" => image_id } };
    one_page(doc, pages_id, (w, h), content_id, resources, producer)
}

/// Finishes a one-page document: the page of `size` points with its content and
/// resources, the page tree (object `pages_id`), the catalogue and the producer.
fn one_page(mut doc: Document, pages_id: ObjectId, (w, h): (f32, f32), content_id: ObjectId, resources: Dictionary, producer: &str) -> Result<Vec<u8>> {
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), w.into(), h.into()],
        "Contents" => content_id,
        "Resources" => resources,
    });
    doc.objects.insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 }));
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    let info_id = doc.add_object(dictionary! { "Producer" => Object::string_literal(producer) });
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).context("writing the PDF")?;
    Ok(out)
}

/// Text in the Windows code page the standard fonts use: Latin-1 as is, € at 0x80,
/// anything else a question mark.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0x80,
            c if (c as u32) < 0x100 => c as u8,
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_euro_sign_and_accents_are_in_the_windows_code_page() {
        assert_eq!(win_ansi("€ café ∑"), vec![0x80, b' ', b'c', b'a', b'f', 0xE9, b' ', b'?']);
    }
}
