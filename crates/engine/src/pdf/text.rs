//! Following a page's drawing instructions to where each piece of text lands: the text
//! and graphics matrices, the font and its size, the spacing. The pieces on one
//! baseline then become words as the OCR would box them: close pieces joined, a wide
//! gap (or a run of spaces) starting a new one.

use super::fonts::{self, Font};
use super::PdfLimits;
use crate::ocr::{TextBox, Word};
use lopdf::content::Content;
use lopdf::{Document, Object, ObjectId};
use std::collections::HashMap;

/// Pixels per point of the rendering the boxes refer to (144 dpi).
pub const SCALE: f64 = 2.0;
/// Blank pixels between two pages stacked one under the other.
const PAGE_GAP: f64 = 24.0;
/// Saved graphics states kept (deeper nesting is ignored).
const MAX_STACK: usize = 256;

/// An affine map `[a b c d e f]`, applied to a row vector as PDF does.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Matrix([f64; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn translate(x: f64, y: f64) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// `self` first, then `next`.
    fn then(&self, next: &Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [p, q, r, s, t, u] = next.0;
        Matrix([a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u])
    }

    fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }
}

/// The text state that `q` and `Q` save with the graphics matrix.
#[derive(Debug, Clone)]
struct TextState {
    font: Vec<u8>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    scaling: f64,
    leading: f64,
}

/// A string drawn in one go, in page pixels.
#[derive(Debug, Clone)]
struct Piece {
    text: String,
    x0: f64,
    x1: f64,
    baseline: f64,
    size: f64,
}

/// Reads pages one after another, stacking them top to bottom.
pub(super) struct PageReader<'a> {
    doc: &'a Document,
    limits: PdfLimits,
    pieces: Vec<Piece>,
    images: usize,
    top: f64,
    truncated: bool,
}

impl<'a> PageReader<'a> {
    pub(super) fn new(doc: &'a Document, limits: PdfLimits) -> PageReader<'a> {
        PageReader { doc, limits, pieces: Vec::new(), images: 0, top: 0.0, truncated: false }
    }

    pub(super) fn truncated(&self) -> bool {
        self.truncated
    }

    /// Reads one page's text.
    pub(super) fn read_page(&mut self, page: ObjectId) -> Result<(), lopdf::Error> {
        let doc = self.doc;
        let [x0, y0, x1, y1] = media_box(doc, page);
        let (height, top) = ((y1 - y0).abs(), self.top);
        // Points on the page to pixels of the stacked rendering, y downwards.
        let to_pixels = Matrix([SCALE, 0.0, 0.0, -SCALE, -x0.min(x1) * SCALE, top + y0.max(y1) * SCALE]);
        self.top += height * SCALE + PAGE_GAP;
        self.images += doc.get_page_images(page).map(|i| i.len()).unwrap_or(0);
        let content = doc.get_page_content_with_limit(page, self.limits.max_stream)?;
        let page_fonts = doc.get_page_fonts(page).unwrap_or_default();
        let mut fonts: HashMap<Vec<u8>, Option<Font<'a>>> = HashMap::new();
        let mut ctm = to_pixels;
        let mut state = TextState { font: Vec::new(), size: 0.0, char_spacing: 0.0, word_spacing: 0.0, scaling: 1.0, leading: 0.0 };
        let mut stack: Vec<(Matrix, TextState)> = Vec::new();
        let (mut tm, mut tlm) = (Matrix::IDENTITY, Matrix::IDENTITY);
        // Operations up to the first that does not parse (a damaged stream still gives
        // the text before the damage).
        for op in Content::decode_iter(&content).map_while(Result::ok) {
            let n = |i: usize| op.operands.get(i).and_then(|o| fonts::number(doc, o));
            match op.operator.as_str() {
                "q" if stack.len() < MAX_STACK => stack.push((ctm, state.clone())),
                "Q" => {
                    if let Some((m, s)) = stack.pop() {
                        (ctm, state) = (m, s);
                    }
                }
                "cm" => {
                    if let Some(m) = matrix(&op.operands, doc) {
                        ctm = m.then(&ctm);
                    }
                }
                "BT" => (tm, tlm) = (Matrix::IDENTITY, Matrix::IDENTITY),
                "Tf" => {
                    if let (Some(Object::Name(name)), Some(size)) = (op.operands.first(), n(1)) {
                        state.font = name.clone();
                        state.size = size;
                    }
                }
                "Tc" => state.char_spacing = n(0).unwrap_or(0.0),
                "Tw" => state.word_spacing = n(0).unwrap_or(0.0),
                "Tz" => state.scaling = n(0).unwrap_or(100.0) / 100.0,
                "TL" => state.leading = n(0).unwrap_or(0.0),
                "Td" | "TD" => {
                    let (tx, ty) = (n(0).unwrap_or(0.0), n(1).unwrap_or(0.0));
                    if op.operator == "TD" {
                        state.leading = -ty;
                    }
                    tlm = Matrix::translate(tx, ty).then(&tlm);
                    tm = tlm;
                }
                "Tm" => {
                    if let Some(m) = matrix(&op.operands, doc) {
                        (tm, tlm) = (m, m);
                    }
                }
                "T*" => {
                    tlm = Matrix::translate(0.0, -state.leading).then(&tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" | "TJ" => {
                    if op.operator == "\"" {
                        state.word_spacing = n(0).unwrap_or(state.word_spacing);
                        state.char_spacing = n(1).unwrap_or(state.char_spacing);
                    }
                    if op.operator != "Tj" && op.operator != "TJ" {
                        tlm = Matrix::translate(0.0, -state.leading).then(&tlm);
                        tm = tlm;
                    }
                    if !fonts.contains_key(&state.font) {
                        let font = match page_fonts.get(&state.font) {
                            Some(dict) => Some(Font::load(doc, dict, self.limits.max_stream)?),
                            None => None,
                        };
                        fonts.insert(state.font.clone(), font);
                    }
                    let Some(Some(font)) = fonts.get(&state.font) else { continue };
                    let parts: Vec<&Object> = match op.operands.last() {
                        Some(Object::Array(items)) if op.operator == "TJ" => items.iter().collect(),
                        Some(o) => vec![o],
                        None => continue,
                    };
                    for part in parts {
                        match part {
                            Object::String(bytes, _) => {
                                let (piece, advance) = show(font, bytes, &state, &tm, &ctm);
                                tm = Matrix::translate(advance, 0.0).then(&tm);
                                if let Some(p) = piece {
                                    self.push(p);
                                }
                            }
                            other => {
                                if let Some(k) = fonts::number(doc, other) {
                                    tm = Matrix::translate(-k / 1000.0 * state.size * state.scaling, 0.0).then(&tm);
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
            if self.truncated {
                break;
            }
        }
        Ok(())
    }

    fn push(&mut self, piece: Piece) {
        if self.pieces.len() >= self.limits.max_pieces {
            self.truncated = true;
        } else {
            self.pieces.push(piece);
        }
    }

    /// The words, the images counted and whether reading stopped early.
    pub(super) fn finish(self) -> (Vec<Word>, usize, bool) {
        (words(self.pieces), self.images, self.truncated)
    }
}

/// Where a string lands and how far it moves the pen (in text space): `None` for
/// text that is blank or does not run left to right (a diagonal "PAID" stamp).
fn show(font: &Font, bytes: &[u8], state: &TextState, tm: &Matrix, ctm: &Matrix) -> (Option<Piece>, f64) {
    let advance: f64 = font
        .codes(bytes)
        .iter()
        .map(|&(code, space)| {
            let w = font.width(code) / 1000.0 * state.size + state.char_spacing + if space { state.word_spacing } else { 0.0 };
            w * state.scaling
        })
        .sum();
    let text = font.decode(bytes);
    if text.trim().is_empty() || state.size == 0.0 {
        return (None, advance);
    }
    let m = tm.then(ctm);
    let (sx, sy) = m.apply(0.0, 0.0);
    let (ex, ey) = m.apply(advance, 0.0);
    let (ux, uy) = m.apply(0.0, state.size);
    let size = ((ux - sx).powi(2) + (uy - sy).powi(2)).sqrt();
    let (dx, dy) = (ex - sx, ey - sy);
    if dx <= 0.0 || dy.abs() > 0.2 * dx || !(size > 0.5 && size < 2000.0) {
        return (None, advance);
    }
    (Some(Piece { text, x0: sx, x1: ex, baseline: sy, size }), advance)
}

/// A page's `/MediaBox`, looked up through its parents; US Letter when none is given.
fn media_box(doc: &Document, page: ObjectId) -> [f64; 4] {
    let mut dict = doc.get_dictionary(page).ok();
    for _ in 0..32 {
        let Some(d) = dict else { break };
        if let Ok(array) = d.get_deref(b"MediaBox", doc).and_then(Object::as_array) {
            let v: Vec<f64> = array.iter().filter_map(|o| fonts::number(doc, o)).collect();
            if let [a, b, c, e] = v[..] {
                if (c - a).abs() >= 1.0 && (e - b).abs() >= 1.0 && (c - a).abs() < 20_000.0 && (e - b).abs() < 20_000.0 {
                    return [a, b, c, e];
                }
            }
        }
        dict = d.get_deref(b"Parent", doc).and_then(Object::as_dict).ok();
    }
    [0.0, 0.0, 612.0, 792.0]
}

/// Six numbers as a matrix.
fn matrix(operands: &[Object], doc: &Document) -> Option<Matrix> {
    let v: Vec<f64> = operands.iter().filter_map(|o| fonts::number(doc, o)).collect();
    let m: [f64; 6] = v.try_into().ok()?;
    m.iter().all(|x| x.is_finite()).then_some(Matrix(m))
}

/// Pieces on one baseline joined into words (rows top to bottom, left to right): a gap under a third of the text's size
/// joins two pieces directly, under one size with a space; a wider gap, or a run of
/// two or more spaces inside a piece, starts a new word.
fn words(mut pieces: Vec<Piece>) -> Vec<Word> {
    let mut split = Vec::with_capacity(pieces.len());
    for p in pieces.drain(..) {
        split.extend(split_at_space_runs(p));
    }
    split.sort_by(|a, b| a.baseline.total_cmp(&b.baseline));
    let mut rows: Vec<Vec<Piece>> = Vec::new();
    for p in split {
        match rows.last_mut() {
            Some(row) if (row[0].baseline - p.baseline).abs() <= 0.3 * row[0].size.min(p.size) => row.push(p),
            _ => rows.push(vec![p]),
        }
    }
    let mut out = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        let mut current: Option<Piece> = None;
        for p in row {
            current = match current.take() {
                Some(mut c) => {
                    let gap = p.x0 - c.x1;
                    if gap < c.size.max(p.size) {
                        if gap > c.size / 3.0 && !c.text.ends_with(' ') && !p.text.starts_with(' ') {
                            c.text.push(' ');
                        }
                        c.text.push_str(&p.text);
                        c.x1 = c.x1.max(p.x1);
                        c.size = c.size.max(p.size);
                        Some(c)
                    } else {
                        out.push(word(c));
                        Some(p)
                    }
                }
                None => Some(p),
            };
        }
        out.extend(current.map(word));
    }
    out
}

/// A piece cut where it holds two or more spaces in a row (text aligned in columns
/// with spaces), each part placed by its share of the characters.
fn split_at_space_runs(p: Piece) -> Vec<Piece> {
    let chars: Vec<char> = p.text.chars().collect();
    let per_char = (p.x1 - p.x0) / chars.len().max(1) as f64;
    let mut parts = Vec::new();
    let mut start = None;
    let mut i = 0;
    while i <= chars.len() {
        let run_end = (i..chars.len()).find(|&k| chars[k] != ' ').unwrap_or(chars.len());
        let at_gap = i == chars.len() || (chars[i] == ' ' && run_end - i >= 2);
        if at_gap {
            if let Some(s) = start.take() {
                let text: String = chars[s..i].iter().collect();
                parts.push(Piece { text: text.trim().to_string(), x0: p.x0 + s as f64 * per_char, x1: p.x0 + i as f64 * per_char, ..p.clone() });
            }
            i = run_end.max(i + 1);
        } else {
            if start.is_none() && chars[i] != ' ' {
                start = Some(i);
            }
            i += 1;
        }
    }
    parts.retain(|q| !q.text.is_empty());
    parts
}

/// A piece as a word with its box: from a little above the tallest letters to the
/// baseline's descenders.
fn word(p: Piece) -> Word {
    let top = (p.baseline - 0.8 * p.size).max(0.0);
    let bbox = TextBox {
        x: p.x0.max(0.0).round() as u32,
        y: top.round() as u32,
        width: ((p.x1 - p.x0).round() as u32).max(1),
        height: (p.size.round() as u32).max(1),
    };
    Word { text: p.text.trim().to_string(), confidence: 1.0, bbox }
}

/// A PDF text string (Info dictionary): UTF-16 with a byte-order mark, else one byte
/// per character.
pub fn pdf_string(bytes: &[u8]) -> String {
    match bytes {
        [0xFE, 0xFF, rest @ ..] => {
            let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units)
        }
        _ => bytes.iter().map(|&b| b as char).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(text: &str, x0: f64, x1: f64, baseline: f64) -> Piece {
        Piece { text: text.into(), x0, x1, baseline, size: 20.0 }
    }

    #[test]
    fn kerned_pieces_join_and_a_wide_gap_splits() {
        let got = words(vec![
            piece("To", 100.0, 120.0, 200.0),
            piece("taal", 121.0, 160.0, 200.5),
            piece("12,50", 400.0, 450.0, 199.0),
            piece("Koffie", 100.0, 160.0, 240.0),
            piece("latte", 168.0, 210.0, 240.0),
        ]);
        let texts: Vec<&str> = got.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["Totaal", "12,50", "Koffie latte"]);
        assert_eq!(got[0].bbox, TextBox { x: 100, y: 184, width: 60, height: 20 });
    }

    #[test]
    fn a_run_of_spaces_splits_a_piece_into_columns() {
        let got = words(vec![piece("Totaal      12,50", 0.0, 170.0, 100.0)]);
        let texts: Vec<(&str, u32)> = got.iter().map(|w| (w.text.as_str(), w.bbox.x)).collect();
        assert_eq!(texts, [("Totaal", 0), ("12,50", 120)]);
    }

    #[test]
    fn matrices_compose_in_drawing_order() {
        let flip = Matrix([2.0, 0.0, 0.0, -2.0, 0.0, 100.0]);
        let text = Matrix::translate(10.0, 20.0);
        assert_eq!(text.then(&flip).apply(0.0, 0.0), (20.0, 60.0));
    }

    #[test]
    fn info_strings_decode_utf16_and_latin1() {
        assert_eq!(pdf_string(&[0xFE, 0xFF, 0, b'W', 0, 0xE9]), "Wé");
        assert_eq!(pdf_string(b"Caf\xe9"), "Café");
    }
}
