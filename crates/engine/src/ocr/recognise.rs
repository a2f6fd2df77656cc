//! Reading one box of text: the PP-OCRv6 recogniser sees the box scaled to 48 pixels
//! high (and narrowed by [`SQUEEZE`]) and gives, for every 8 pixels across, a probability for each character and for
//! "no character"; the most likely path with repeats and gaps removed is the text
//! (CTC greedy decoding).
//!
//! The model knows 18,708 characters (listed in its ONNX metadata), most of them
//! Chinese. Receipts here are in Latin script, so before tract reads the graph its last
//! layer is cut to the Latin characters (Latin-1 and Latin Extended, € and common
//! typographic marks; 532 of them): the same choice as the full model wherever its best
//! guess is one of these, a fifth less work per box, and no Chinese character in
//! a Dutch total.

use super::{parse, OcrError, Plans, TextBox};
use crate::pixels::Pixels;
use tract_onnx::pb;

/// Height of the box the network sees.
pub const HEIGHT: usize = 48;
/// Widths the network is run at: a box scaled to [`HEIGHT`] is padded to the next
/// (the last is the widest: a longer box is squeezed into it).
pub const WIDTHS: [usize; 16] = [64, 96, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 800, 960, 1280, 1600];
/// Boxes are narrowed to this share of their width as they are scaled to [`HEIGHT`]:
/// the network's work grows with the width, and it reads narrowed text as well (its
/// training squeezes long lines into a fixed width). On the shared and the generated
/// receipts 0.75 reads the same fields within one per field for a fifth less work
/// (README, "Speed").
pub const SQUEEZE: f32 = 0.75;
/// Characters outside Latin-1 and Latin Extended that are kept.
const KEPT_MARKS: &str = "€•–—‘’‚“”„…·×";

/// The loaded recogniser.
pub struct TextRecogniser {
    plans: Plans,
    /// The text of each output column: column 0 is "no character".
    alphabet: Vec<String>,
}

impl std::fmt::Debug for TextRecogniser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TextRecogniser({} characters)", self.alphabet.len() - 1)
    }
}

impl TextRecogniser {
    /// Loads `PP-OCRv6_rec_small.onnx` from its bytes.
    pub fn from_onnx(bytes: Vec<u8>) -> Result<TextRecogniser, OcrError> {
        let mut proto = parse(&bytes)?;
        drop(bytes);
        let list = proto
            .metadata_props
            .iter()
            .find(|p| p.key == "character")
            .map(|p| p.value.lines().map(str::to_owned).collect::<Vec<_>>())
            .ok_or_else(|| OcrError::Graph("no character list in the metadata".into()))?;
        // Columns: "no character", the list, then a space.
        let columns = list.len() + 2;
        let mut keep = vec![0usize];
        let mut alphabet = vec![String::new()];
        for (i, c) in list.iter().enumerate() {
            let mut chars = c.chars();
            if let (Some(ch), None) = (chars.next(), chars.next()) {
                if (ch as u32) < 0x250 || KEPT_MARKS.contains(ch) {
                    keep.push(i + 1);
                    alphabet.push(c.clone());
                }
            }
        }
        keep.push(columns - 1);
        alphabet.push(" ".into());
        let graph = proto.graph.as_mut().ok_or_else(|| OcrError::Graph("no graph".into()))?;
        let cut = keep_columns(graph, columns, &keep)?;
        if cut != 2 {
            return Err(OcrError::Graph(format!("{cut} tensors of {columns} columns, expected a weight and a bias")));
        }
        Ok(TextRecogniser { plans: Plans::new(&proto, WIDTHS.len())?, alphabet })
    }

    /// Number of characters it can read.
    pub fn characters(&self) -> usize {
        self.alphabet.len() - 1
    }

    /// The text in one box and its confidence (mean probability of its characters), or
    /// `None` when the box is too small to read.
    pub fn read(&self, px: &Pixels, bbox: &TextBox) -> Result<Option<(String, f32)>, OcrError> {
        if bbox.width < 2 || bbox.height < 4 {
            return Ok(None);
        }
        let widest = WIDTHS[WIDTHS.len() - 1];
        let scaled = ((SQUEEZE * HEIGHT as f32 * bbox.width as f32 / bbox.height as f32).ceil() as usize).clamp(8, widest);
        let w = WIDTHS.iter().copied().find(|&w| w >= scaled).unwrap_or(widest);
        let probs = self.plans.run(crop(px, bbox, scaled, w), HEIGHT, w)?;
        Ok(Some(decode(&probs, &self.alphabet)))
    }
}

/// CTC greedy decoding of `steps × alphabet` probabilities: at each step the likeliest
/// column; a column repeated from the step before, and column 0, add nothing.
fn decode(probs: &[f32], alphabet: &[String]) -> (String, f32) {
    let mut text = String::new();
    let (mut sum, mut n) = (0f32, 0usize);
    let mut previous = 0usize;
    for step in probs.chunks_exact(alphabet.len()) {
        let (best, p) = step
            .iter()
            .enumerate()
            .fold((0, f32::MIN), |acc, (i, &p)| if p > acc.1 { (i, p) } else { acc });
        if best != 0 && best != previous {
            text.push_str(&alphabet[best]);
            sum += p;
            n += 1;
        }
        previous = best;
    }
    (text, if n == 0 { 0.0 } else { sum / n as f32 })
}

/// The box scaled to [`HEIGHT`] × `scaled` (bilinear) at the left of a `w` wide
/// input padded with zeros (mid grey, as PaddleOCR pads), blue-green-red, each channel
/// scaled to −1..1, laid out channel by channel.
fn crop(px: &Pixels, bbox: &TextBox, scaled: usize, w: usize) -> Vec<f32> {
    let xs = super::detect::taps(bbox.width as usize, scaled);
    let ys = super::detect::taps(bbox.height as usize, HEIGHT);
    let plane = HEIGHT * w;
    let mut out = vec![0f32; 3 * plane];
    let (bx, by) = (bbox.x as usize, bbox.y as usize);
    for (y, &(y0, y1, fy)) in ys.iter().enumerate() {
        let (r0, r1) = ((by + y0) * px.width * 3, (by + y1) * px.width * 3);
        for (x, &(x0, x1, fx)) in xs.iter().enumerate() {
            let (c0, c1) = ((bx + x0) * 3, (bx + x1) * 3);
            for c in 0..3 {
                let p = |row: usize, col: usize| px.rgb[row + col + c] as f32;
                let top = p(r0, c0) + (p(r0, c1) - p(r0, c0)) * fx;
                let bottom = p(r1, c0) + (p(r1, c1) - p(r1, c0)) * fx;
                out[(2 - c) * plane + y * w + x] = (top + (bottom - top) * fy) / 127.5 - 1.0;
            }
        }
    }
    out
}

/// Cuts every float initializer whose last dimension is `columns` to the `keep`
/// columns; returns how many were cut.
fn keep_columns(graph: &mut pb::GraphProto, columns: usize, keep: &[usize]) -> Result<usize, OcrError> {
    let mut cut = 0;
    for t in graph.initializer.iter_mut() {
        if t.dims.last() != Some(&(columns as i64)) || t.data_type != pb::tensor_proto::DataType::Float as i32 {
            continue;
        }
        let values: Vec<f32> = if t.raw_data.is_empty() {
            std::mem::take(&mut t.float_data)
        } else {
            t.raw_data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
        };
        if values.len() % columns != 0 {
            return Err(OcrError::Graph(format!("initializer {} has a ragged shape", t.name)));
        }
        let kept: Vec<f32> = values.chunks_exact(columns).flat_map(|row| keep.iter().map(move |&k| row[k])).collect();
        t.raw_data = kept.iter().flat_map(|v| v.to_le_bytes()).collect();
        t.float_data.clear();
        if let Some(last) = t.dims.last_mut() {
            *last = keep.len() as i64;
        }
        cut += 1;
    }
    Ok(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alphabet() -> Vec<String> {
        ["", "a", "b", " "].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn decoding_drops_gaps_and_repeats_but_keeps_letters_split_by_a_gap() {
        // Steps: a a _ a b _ _ " " b
        let steps = [1, 1, 0, 1, 2, 0, 0, 3, 2];
        let probs: Vec<f32> = steps
            .iter()
            .flat_map(|&s| (0..4).map(move |i| if i == s { 0.9 } else { 0.1 / 3.0 }))
            .collect();
        let (text, confidence) = decode(&probs, &alphabet());
        assert_eq!(text, "aab b");
        assert!((confidence - 0.9).abs() < 1e-6);
        assert_eq!(decode(&[0.9, 0.05, 0.03, 0.02], &alphabet()), (String::new(), 0.0));
    }

    #[test]
    fn cutting_columns_keeps_the_chosen_ones_in_order() {
        let mut graph = pb::GraphProto::default();
        let mut w = pb::TensorProto { name: "w".into(), dims: vec![2, 4], data_type: 1, ..Default::default() };
        w.float_data = vec![0.0, 1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 13.0];
        let b = pb::TensorProto {
            name: "b".into(),
            dims: vec![4],
            data_type: 1,
            raw_data: [5f32, 6.0, 7.0, 8.0].iter().flat_map(|v| v.to_le_bytes()).collect(),
            ..Default::default()
        };
        let other = pb::TensorProto { name: "o".into(), dims: vec![3], data_type: 1, float_data: vec![1.0; 3], ..Default::default() };
        graph.initializer = vec![w, b, other];
        assert_eq!(keep_columns(&mut graph, 4, &[0, 3]).ok(), Some(2));
        let floats = |t: &pb::TensorProto| -> Vec<f32> {
            t.raw_data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
        };
        assert_eq!(floats(&graph.initializer[0]), vec![0.0, 3.0, 10.0, 13.0]);
        assert_eq!(graph.initializer[0].dims, vec![2, 2]);
        assert_eq!(floats(&graph.initializer[1]), vec![5.0, 8.0]);
        assert_eq!(graph.initializer[2].float_data.len(), 3);
    }
}
