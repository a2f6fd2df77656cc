//! Catmull-Rom scaling of only the part of a picture the encoder sees.
//!
//! The encoder's input is the centre square of the picture scaled with the `image`
//! crate's `resize(.., FilterType::CatmullRom)`, which scales the whole picture: every
//! column of a 12 MP photo goes through a 54-tap vertical filter, a quarter of them
//! only to be cut away, one pixel at a time (100 ms). This module computes the same
//! numbers, bit for bit, for the kept square only: the same filter taps and weights in
//! the same order of operations (vertical pass first, unrounded; then horizontal,
//! clamped and rounded), with the vertical pass run across whole rows so that it
//! vectorises (AVX2 where the CPU has it). A test compares it with `resize`.

/// The Catmull-Rom cubic (Mitchell–Netravali with B = 0, C = 1/2) at `x` pixels.
#[inline]
fn catmull_rom(x: f32) -> f32 {
    let a = x.abs();
    let k = if a < 1.0 {
        9.0 * a.powi(3) + -15.0 * a.powi(2) + 6.0
    } else if a < 2.0 {
        -3.0 * a.powi(3) + 15.0 * a.powi(2) + -24.0 * a + 12.0
    } else {
        0.0
    };
    k / 6.0
}

/// Half-width of the filter, in pixels of the smaller side.
const SUPPORT: f32 = 2.0;

/// Filter taps of output pixel `out` when `src` pixels are scaled to `dst`: the first
/// source pixel and the normalised weights of it and those after it.
fn taps(src: usize, dst: usize, out: usize) -> (usize, Vec<f32>) {
    let ratio = src as f32 / dst as f32;
    let stretch = if ratio < 1.0 { 1.0 } else { ratio };
    let reach = SUPPORT * stretch;
    let centre = (out as f32 + 0.5) * ratio;
    let first = ((centre - reach).floor() as i64).clamp(0, src as i64 - 1) as usize;
    let end = ((centre + reach).ceil() as i64).clamp(first as i64 + 1, src as i64) as usize;
    // The kernel puts a pixel's centre at 0.
    let centre = centre - 0.5;
    let mut weights: Vec<f32> = (first..end)
        .map(|i| catmull_rom((i as f32 - centre) / stretch))
        .collect();
    let sum = weights.iter().fold(0.0f32, |s, w| s + w);
    weights.iter_mut().for_each(|w| *w /= sum);
    (first, weights)
}

/// A window of an RGB picture: `rgb` row-major with `stride` pixels a row; the window
/// starts at (`x0`, `y0`) and is `width` × `height`.
pub struct Window<'a> {
    /// The picture's bytes, three a pixel.
    pub rgb: &'a [u8],
    /// Pixels a row of `rgb`.
    pub stride: usize,
    /// Left edge of the window.
    pub x0: usize,
    /// Top edge of the window.
    pub y0: usize,
    /// Width of the window.
    pub width: usize,
    /// Height of the window.
    pub height: usize,
}

/// The window scaled to `scaled_w` × `scaled_h`, then cut to the `side` × `side` square
/// at (`left`, `top`) of the scaled picture: RGB bytes, row-major.
pub fn scaled_square(win: &Window, scaled_w: usize, scaled_h: usize, left: usize, top: usize, side: usize) -> Vec<u8> {
    if (scaled_w, scaled_h) == (win.width, win.height) {
        // `resize` copies a picture that keeps its size.
        let mut out = Vec::with_capacity(side * side * 3);
        for y in 0..side {
            let row = (win.y0 + top + y) * win.stride + win.x0 + left;
            out.extend_from_slice(&win.rgb[row * 3..(row + side) * 3]);
        }
        return out;
    }
    let columns: Vec<(usize, Vec<f32>)> = (left..left + side).map(|x| taps(win.width, scaled_w, x)).collect();
    let rows: Vec<(usize, Vec<f32>)> = (top..top + side).map(|y| taps(win.height, scaled_h, y)).collect();
    // The source columns the kept output columns read.
    let from = columns.iter().map(|c| c.0).min().unwrap_or(0);
    let to = columns.iter().map(|(f, w)| f + w.len()).max().unwrap_or(0);
    let span = (to - from) * 3;
    let vertical = crate::simd::with_avx2(|| vertical_pass(win, &rows, from, span));
    let mut out = Vec::with_capacity(side * side * 3);
    for row in vertical.chunks_exact(span.max(1)).take(side) {
        for (first, weights) in &columns {
            let mut t = [0f32; 3];
            for (i, w) in weights.iter().enumerate() {
                let p = &row[(first + i - from) * 3..][..3];
                for c in 0..3 {
                    t[c] += p[c] * w;
                }
            }
            // Clamped to the byte range, then rounded half away from zero, as `resize`.
            out.extend(t.map(|v| v.clamp(0.0, 255.0).round() as u8));
        }
    }
    out
}

/// The vertical pass over source columns `from..` (`span` values a row): one row of
/// unrounded values per output row, each the weighted sum of its taps in order.
#[inline(always)]
fn vertical_pass(win: &Window, rows: &[(usize, Vec<f32>)], from: usize, span: usize) -> Vec<f32> {
    let mut out = vec![0f32; rows.len() * span];
    for ((first, weights), acc) in rows.iter().zip(out.chunks_exact_mut(span.max(1))) {
        for (i, w) in weights.iter().enumerate() {
            let start = ((win.y0 + first + i) * win.stride + win.x0 + from) * 3;
            for (a, p) in acc.iter_mut().zip(&win.rgb[start..start + span]) {
                *a += *p as f32 * w;
            }
        }
    }
    out
}
