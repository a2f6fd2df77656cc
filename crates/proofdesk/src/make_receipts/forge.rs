//! Forgeries made the way fraudsters make them, on the genuine receipt's picture (the
//! JPEG as the customer has it): an amount or a date painted over in the paper's colour
//! and typed again in the same font, a digit copied from elsewhere on the receipt and
//! pasted over another, and then saved as JPEG again.

use super::content::{dmy, money, Receipt, Span};
use super::render::{Geometry, Print, Typeface};
use crate::rng::Rng;
use proofdesk_engine::date::Date;
use proofdesk_engine::pixels::Pixels;

/// Luma of pixel `i`.
fn luma(px: &Pixels, i: usize) -> f32 {
    let p = &px.rgb[i * 3..i * 3 + 3];
    0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2])
}

/// Paints the span over with the paper's colour and types `text` in its place, right
/// aligned to where the span ended (amounts are right aligned), in the till's font at
/// the picture's scale and the ink's colour. A fraudster's hand: up to a pixel off and
/// a few per cent off in size.
pub fn retype(px: &mut Pixels, geometry: &Geometry, print: &Print, face: &Typeface, span: Span, text: &str, rng: &mut Rng) {
    let (x0, y0, x1, y1) = geometry.box_on_picture(print.span_box(span));
    let (x0, y0, x1, y1) = (x0.saturating_sub(2), y0.saturating_sub(2), (x1 + 2).min(px.width), (y1 + 2).min(px.height));
    // The paper: the brightest half of a ring around the box; the ink: the darkest
    // pixels inside it.
    let mut ring = Vec::new();
    let mut inside = Vec::new();
    for y in y0.saturating_sub(6)..(y1 + 6).min(px.height) {
        for x in x0.saturating_sub(6)..(x1 + 6).min(px.width) {
            let i = y * px.width + x;
            if (x0..x1).contains(&x) && (y0..y1).contains(&y) {
                inside.push(i);
            } else {
                ring.push(i);
            }
        }
    }
    ring.sort_by(|a, b| luma(px, *b).total_cmp(&luma(px, *a)));
    let paper = mean_colour(px, &ring[..ring.len().div_ceil(2)]);
    inside.sort_by(|a, b| luma(px, *a).total_cmp(&luma(px, *b)));
    let ink = mean_colour(px, &inside[..inside.len().div_ceil(20)]);
    for y in y0..y1 {
        for x in x0..x1 {
            px.rgb[(y * px.width + x) * 3..][..3].copy_from_slice(&paper);
        }
    }
    let face = face.scaled(geometry.scale() * (0.97 + 0.08 * rng.unit() as f32));
    let (baseline, edges) = &print.places[span.line];
    let right = geometry.to_picture((edges[span.end.min(edges.len() - 1)], *baseline));
    let mut cover = vec![0f32; px.width * px.height];
    // Measure, then draw right aligned.
    let widths = face.draw(&mut vec![0f32; 1], 1, (0.0, 0.0), text, false);
    let width = widths.last().copied().unwrap_or(0.0);
    let jitter = rng.unit() as f32 * 2.0 - 1.0;
    face.draw(&mut cover, px.width, (right.0 - width + jitter, right.1 + jitter), text, false);
    for (i, c) in cover.iter().enumerate().filter(|(_, c)| **c > 0.0) {
        for ch in 0..3 {
            let v = f32::from(paper[ch]) * (1.0 - c) + f32::from(ink[ch]) * c;
            px.rgb[i * 3 + ch] = v.round().clamp(0.0, 255.0) as u8;
        }
    }
}

fn mean_colour(px: &Pixels, at: &[usize]) -> [u8; 3] {
    let mut sum = [0f64; 3];
    for i in at {
        for (c, s) in sum.iter_mut().enumerate() {
            *s += f64::from(px.rgb[i * 3 + c]);
        }
    }
    sum.map(|s| (s / at.len().max(1) as f64).round() as u8)
}

/// An edited total: a higher amount typed over the total (the payment, the VAT table
/// and the items left as they were). The new total.
pub fn edited_total(px: &mut Pixels, geometry: &Geometry, print: &Print, face: &Typeface, receipt: &Receipt, rng: &mut Rng) -> i64 {
    let factor = 1.5 + 2.5 * rng.unit();
    let new = ((receipt.total as f64 * factor) as i64 / 5 * 5).max(receipt.total + 500);
    retype(px, geometry, print, face, receipt.total_at, &money(new), rng);
    new
}

/// A changed date: the sale date at the bottom typed again 3 to 90 days earlier or
/// later (the slip's date and a printed day of the week left). The new date.
pub fn changed_date(px: &mut Pixels, geometry: &Geometry, print: &Print, face: &Typeface, receipt: &Receipt, rng: &mut Rng) -> Date {
    let shift = 3 + rng.below(88) as i64;
    let days = if rng.unit() < 0.5 { -shift } else { shift };
    let new = Date::from_days(receipt.date.days() + days);
    retype(px, geometry, print, face, receipt.date_at, &dmy(new), rng);
    new
}

/// A pasted digit: the first digit of the total replaced by a higher digit copied, with
/// the paper around it, from an item line. `None` when the receipt has no such digit.
pub fn pasted_digit(px: &mut Pixels, geometry: &Geometry, print: &Print, receipt: &Receipt, rng: &mut Rng) -> Option<char> {
    let total_line: Vec<char> = receipt.lines[receipt.total_at.line].text.chars().collect();
    let target = receipt.total_at.start;
    let current = total_line[target].to_digit(10)?;
    // Digits on other lines above the total, by value.
    let mut sources: Vec<(usize, usize, char)> = Vec::new();
    for (l, line) in receipt.lines.iter().enumerate().take(receipt.total_at.line) {
        for (c, ch) in line.text.chars().enumerate() {
            if ch.to_digit(10).is_some_and(|d| d > current) {
                sources.push((l, c, ch));
            }
        }
    }
    if sources.is_empty() {
        return None;
    }
    let (line, col, digit) = sources[rng.below(sources.len())];
    let from = geometry.box_on_picture(print.span_box(Span { line, start: col, end: col + 1 }));
    let to = geometry.box_on_picture(print.span_box(Span { line: receipt.total_at.line, start: target, end: target + 1 }));
    let (w, h) = ((from.2 - from.0).min(to.2 - to.0), (from.3 - from.1).min(to.3 - to.1));
    let patch: Vec<u8> = (0..h)
        .flat_map(|dy| {
            let start = ((from.1 + dy) * px.width + from.0) * 3;
            px.rgb[start..start + w * 3].to_vec()
        })
        .collect();
    for dy in 0..h {
        let start = ((to.1 + dy) * px.width + to.0) * 3;
        px.rgb[start..start + w * 3].copy_from_slice(&patch[dy * w * 3..(dy + 1) * w * 3]);
    }
    Some(digit)
}
