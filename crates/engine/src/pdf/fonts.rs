//! A PDF font as text reading needs it: how its codes map to characters and how far
//! each code advances the pen.

use lopdf::Encoding;
use lopdf::{Dictionary, Document, Object};
use std::collections::HashMap;

/// Widths are counted up to this many codes per font (a real font has at most 65,536).
const MAX_WIDTHS: usize = 65_536;

/// One font of a page.
pub(super) struct Font<'a> {
    encoding: Encoding<'a>,
    /// Codes are two bytes (a composite font, as most PDF writers embed today).
    two_byte: bool,
    /// Advance of each code, in thousandths of the font size.
    widths: HashMap<u32, f64>,
    /// Advance of a code not in `widths`.
    default_width: f64,
}

impl<'a> Font<'a> {
    /// Reads a font dictionary; fails only when its character map is a decompression
    /// bomb (anything else unreadable falls back to the standard encoding).
    pub(super) fn load(doc: &'a Document, dict: &'a Dictionary, max_stream: usize) -> Result<Font<'a>, lopdf::Error> {
        let encoding = dict.get_font_encoding_with_limit(doc, max_stream)?;
        let two_byte = dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|n| n == b"Type0");
        let mut widths = HashMap::new();
        let default_width;
        if two_byte {
            let descendant = dict
                .get_deref(b"DescendantFonts", doc)
                .and_then(Object::as_array)
                .ok()
                .and_then(|a| a.first())
                .and_then(|d| doc.dereference(d).ok())
                .and_then(|(_, d)| d.as_dict().ok());
            default_width = descendant.and_then(|d| number(doc, d.get(b"DW").ok()?)).unwrap_or(1000.0);
            if let Some(w) = descendant.and_then(|d| d.get_deref(b"W", doc).and_then(Object::as_array).ok()) {
                composite_widths(doc, w, &mut widths);
            }
        } else {
            let first = dict.get(b"FirstChar").ok().and_then(|o| number(doc, o)).unwrap_or(0.0) as u32;
            if let Ok(w) = dict.get_deref(b"Widths", doc).and_then(Object::as_array) {
                for (i, o) in w.iter().take(256).enumerate() {
                    if let Some(v) = number(doc, o) {
                        widths.insert(first + i as u32, v);
                    }
                }
            }
            let missing = dict
                .get_deref(b"FontDescriptor", doc)
                .and_then(Object::as_dict)
                .ok()
                .and_then(|d| number(doc, d.get(b"MissingWidth").ok()?))
                .filter(|w| *w > 0.0);
            let base = dict.get(b"BaseFont").and_then(Object::as_name).unwrap_or(b"");
            // The standard fonts need no widths in the file: Courier is 600 wide, the
            // proportional ones average about half an em.
            default_width = missing.unwrap_or(if base.windows(7).any(|w| w == b"Courier") { 600.0 } else { 500.0 });
        }
        Ok(Font { encoding, two_byte, widths, default_width })
    }

    /// The text a string of codes stands for (control characters made spaces).
    pub(super) fn decode(&self, bytes: &[u8]) -> String {
        let text = self.encoding.bytes_to_string(bytes).unwrap_or_else(|_| bytes.iter().map(|&b| b as char).collect());
        super::clean(&text)
    }

    /// The codes of a string and whether each is the single-byte space (which takes the
    /// word spacing).
    pub(super) fn codes(&self, bytes: &[u8]) -> Vec<(u32, bool)> {
        if self.two_byte {
            bytes.chunks(2).map(|c| (c.iter().fold(0u32, |a, &b| a << 8 | u32::from(b)), false)).collect()
        } else {
            bytes.iter().map(|&b| (u32::from(b), b == b' ')).collect()
        }
    }

    /// Advance of one code, in thousandths of the font size.
    pub(super) fn width(&self, code: u32) -> f64 {
        self.widths.get(&code).copied().unwrap_or(self.default_width)
    }
}

/// A composite font's `/W` array: `c [w1 w2 …]` gives codes c, c+1, …; `c1 c2 w` gives
/// every code from c1 to c2 one width.
fn composite_widths(doc: &Document, w: &[Object], widths: &mut HashMap<u32, f64>) {
    let mut i = 0;
    while i + 1 < w.len() && widths.len() < MAX_WIDTHS {
        let Some(first) = number(doc, &w[i]) else { return };
        let first = first.max(0.0) as u32;
        match doc.dereference(&w[i + 1]).map(|(_, o)| o) {
            Ok(Object::Array(list)) => {
                for (k, o) in list.iter().take(MAX_WIDTHS).enumerate() {
                    if let Some(v) = number(doc, o) {
                        widths.insert(first + k as u32, v);
                    }
                }
                i += 2;
            }
            _ => {
                let (Some(last), Some(v)) = (number(doc, &w[i + 1]), w.get(i + 2).and_then(|o| number(doc, o))) else { return };
                let last = (last.max(0.0) as u32).min(first.saturating_add(MAX_WIDTHS as u32));
                for code in first..=last {
                    widths.insert(code, v);
                }
                i += 3;
            }
        }
    }
}

/// A number, following a reference.
pub(super) fn number(doc: &Document, o: &Object) -> Option<f64> {
    match doc.dereference(o).ok()?.1 {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}
