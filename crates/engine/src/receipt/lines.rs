//! Printed lines from the pieces of text OCR found: a till prints a label on the left
//! and its amount on the right of one line, and OCR finds them as separate boxes.

use crate::ocr::{TextBox, Word};
use serde::Serialize;

/// One printed line: its pieces, left to right.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// The pieces, left to right.
    pub words: Vec<Word>,
    /// The box around all of them.
    pub bbox: TextBox,
}

impl Line {
    /// The line's text: its pieces joined by a space.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for (i, w) in self.words.iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(&w.text);
        }
        s
    }
}

/// Groups pieces into lines: a piece joins a line when at least half of the lower of
/// the two lies in the line's vertical extent. Lines top to bottom.
pub fn group(words: &[Word]) -> Vec<Line> {
    let mut sorted: Vec<&Word> = words.iter().collect();
    sorted.sort_by(|a, b| a.bbox.centre_y().total_cmp(&b.bbox.centre_y()));
    let mut lines: Vec<Line> = Vec::new();
    for w in sorted {
        let joins = lines.iter_mut().rev().take(3).find(|l| overlap(&l.bbox, &w.bbox) >= 0.5);
        match joins {
            Some(line) => {
                line.bbox = line.bbox.union(&w.bbox);
                line.words.push(w.clone());
            }
            None => lines.push(Line { words: vec![w.clone()], bbox: w.bbox }),
        }
    }
    for line in &mut lines {
        line.words.sort_by_key(|w| w.bbox.x);
    }
    lines.sort_by(|a, b| a.bbox.centre_y().total_cmp(&b.bbox.centre_y()));
    lines
}

/// Vertical overlap of a line and a piece, as a share of the lower of the two.
fn overlap(line: &TextBox, word: &TextBox) -> f32 {
    let top = line.y.max(word.y);
    let bottom = line.bottom().min(word.bottom());
    let shared = bottom.saturating_sub(top) as f32;
    shared / line.height.min(word.height).max(1) as f32
}

/// Test lines: one piece of text each, 40 pixels apart.
#[cfg(test)]
pub(crate) fn printed(texts: &[&str]) -> Vec<Line> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let bbox = TextBox { x: 10, y: 40 * i as u32, width: 300, height: 30 };
            Line { words: vec![Word { text: t.to_string(), confidence: 0.9, bbox }], bbox }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, x: u32, y: u32, width: u32, height: u32) -> Word {
        Word { text: text.into(), confidence: 0.9, bbox: TextBox { x, y, width, height } }
    }

    #[test]
    fn a_label_and_its_amount_make_one_line_and_the_next_line_stays_apart() {
        let words = [
            word("11.40", 547, 826, 86, 42),
            word("CASH RM", 395, 867, 118, 41),
            word("Total Sales (Inclusive GST) RM", 54, 824, 460, 44),
            word("11.40", 545, 866, 85, 43),
        ];
        let lines = group(&words);
        let texts: Vec<String> = lines.iter().map(Line::text).collect();
        assert_eq!(texts, ["Total Sales (Inclusive GST) RM 11.40", "CASH RM 11.40"]);
        assert_eq!(lines[0].bbox, TextBox { x: 54, y: 824, width: 579, height: 44 });
    }
}
