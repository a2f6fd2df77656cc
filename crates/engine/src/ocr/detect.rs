//! Finding text: the PP-OCRv4 mobile detector marks, for each pixel of a scaled copy, the
//! probability that it is inside a line of text (differentiable binarisation, Liao et
//! al. 2020); pixels above [`PIXEL_THRESHOLD`] are grouped into connected areas, each
//! area is kept when its pixels' mean probability reaches [`BOX_THRESHOLD`] (over the
//! area itself, as PaddleOCR's "slow" score: the gaps between words of a line do not
//! count against it), its bounding box then widened by [`UNCLIP_RATIO`] (the network marks a shrunken
//! core of each line) and scaled back to the original picture. Boxes are upright: a
//! skewed line gets the upright box around it.

use super::{parse, OcrError, Plans, TextBox};
use crate::pixels::Pixels;

/// The shorter side of the copy the network sees. PaddleOCR uses 736; on the shared
/// receipts 544 reads the same fields for 40 % less work, 448 reads fewer (README).
pub const SHORT_SIDE: usize = 544;
/// The longer side of that copy at most: a very long strip is scaled down further.
pub const MAX_LONG_SIDE: usize = 2400;
/// A pixel is text above this probability.
pub const PIXEL_THRESHOLD: f32 = 0.3;
/// An area is a box when the mean probability over its pixels reaches this.
pub const BOX_THRESHOLD: f32 = 0.5;
/// How far an area is widened: by area × ratio / perimeter on every side.
pub const UNCLIP_RATIO: f32 = 1.6;
/// Areas are counted up to this many (the largest-scoring kept).
const MAX_AREAS: usize = 2000;
/// Plans kept for the last sizes seen.
const PLANS_KEPT: usize = 4;
/// The network sees a canvas whose longer side is a multiple of this (the picture in its
/// top left corner, the rest paper white): pictures of similar sizes share a plan.
const CANVAS_STEP: usize = 128;

/// The loaded detector.
pub struct TextDetector {
    plans: Plans,
}

impl std::fmt::Debug for TextDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TextDetector")
    }
}

impl TextDetector {
    /// Loads `ch_PP-OCRv4_det_mobile.onnx` from its bytes.
    pub fn from_onnx(bytes: Vec<u8>) -> Result<TextDetector, OcrError> {
        let proto = parse(&bytes)?;
        drop(bytes);
        Ok(TextDetector { plans: Plans::new(&proto, PLANS_KEPT)? })
    }

    /// The boxes of text in a picture, strongest first; none for a picture under 8
    /// pixels a side.
    pub fn detect(&self, px: &Pixels) -> Result<Vec<TextBox>, OcrError> {
        let Some((sw, sh)) = scaled_size(px.width, px.height) else { return Ok(Vec::new()) };
        let (w, h) = canvas(sw, sh);
        let prob = self.plans.run(preprocess(px, (sw, sh), (w, h)), h, w)?;
        if prob.len() != w * h {
            return Err(OcrError::Graph(format!("a map of {} values for {w} × {h}", prob.len())));
        }
        let scale = (px.width as f32 / sw as f32, px.height as f32 / sh as f32);
        Ok(boxes(&prob, w, h)
            .into_iter()
            .map(|r| r.scaled(scale, px.width, px.height))
            .collect())
    }
}

/// The size of the copy the network sees: the shorter side [`SHORT_SIDE`], the longer
/// at most [`MAX_LONG_SIDE`].
pub fn scaled_size(width: usize, height: usize) -> Option<(usize, usize)> {
    if width < 8 || height < 8 {
        return None;
    }
    let (short, long) = (width.min(height) as f64, width.max(height) as f64);
    let ratio = (SHORT_SIDE as f64 / short).min(MAX_LONG_SIDE as f64 / long);
    let side = |n: usize| ((n as f64 * ratio).round() as usize).max(8);
    Some((side(width), side(height)))
}

/// The canvas for a copy of `sw` × `sh`: the shorter side rounded up to a multiple of
/// 32 (the network's coarsest step; that side is [`SHORT_SIDE`] for most pictures, so
/// nothing is wasted on it), the longer to a multiple of [`CANVAS_STEP`].
fn canvas(sw: usize, sh: usize) -> (usize, usize) {
    let up = |n: usize, step: usize| n.div_ceil(step) * step;
    if sw <= sh {
        (up(sw, 32), up(sh, CANVAS_STEP))
    } else {
        (up(sw, CANVAS_STEP), up(sh, 32))
    }
}

/// The copy, scaled to `scaled` (bilinear) in the top left corner of a `canvas` of
/// paper white, channels in the order the network was trained on (blue, green, red),
/// each scaled to −1..1, laid out channel by channel.
fn preprocess(px: &Pixels, scaled: (usize, usize), (w, h): (usize, usize)) -> Vec<f32> {
    let mut out = vec![1f32; 3 * w * h];
    let xs = taps(px.width, scaled.0);
    let ys = taps(px.height, scaled.1);
    let plane = w * h;
    for (y, &(y0, y1, fy)) in ys.iter().enumerate() {
        let (r0, r1) = (y0 * px.width * 3, y1 * px.width * 3);
        for (x, &(x0, x1, fx)) in xs.iter().enumerate() {
            for c in 0..3 {
                let p = |row: usize, col: usize| px.rgb[row + col * 3 + c] as f32;
                let top = p(r0, x0) + (p(r0, x1) - p(r0, x0)) * fx;
                let bottom = p(r1, x0) + (p(r1, x1) - p(r1, x0)) * fx;
                let v = top + (bottom - top) * fy;
                out[(2 - c) * plane + y * w + x] = v / 127.5 - 1.0;
            }
        }
    }
    out
}

/// For each output position along one axis: the two source positions and the weight
/// of the second (pixel centres aligned, as OpenCV's linear resize).
pub(super) fn taps(src: usize, dst: usize) -> Vec<(usize, usize, f32)> {
    let scale = src as f32 / dst as f32;
    (0..dst)
        .map(|i| {
            let s = ((i as f32 + 0.5) * scale - 0.5).max(0.0);
            let i0 = (s.floor() as usize).min(src - 1);
            let i1 = (i0 + 1).min(src - 1);
            (i0, i1, s - i0 as f32)
        })
        .collect()
}

/// A box in the scaled copy, with its score.
#[derive(Debug, Clone, Copy)]
struct Area {
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
    score: f32,
}

impl Area {
    fn scaled(&self, (sx, sy): (f32, f32), width: usize, height: usize) -> TextBox {
        let x0 = (self.x0 * sx).round().clamp(0.0, width as f32 - 1.0) as u32;
        let y0 = (self.y0 * sy).round().clamp(0.0, height as f32 - 1.0) as u32;
        let x1 = ((self.x1 * sx).round() as u32).clamp(x0 + 1, width as u32);
        let y1 = ((self.y1 * sy).round() as u32).clamp(y0 + 1, height as u32);
        TextBox { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
    }
}

/// Boxes from the probability map, strongest first.
fn boxes(prob: &[f32], w: usize, h: usize) -> Vec<Area> {
    // A 2 × 2 dilation of the thresholded map joins characters a pixel apart.
    let mut mask = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            let on = |yy: usize, xx: usize| prob[yy * w + xx] > PIXEL_THRESHOLD;
            mask[y * w + x] = on(y, x) || (x > 0 && on(y, x - 1)) || (y > 0 && (on(y - 1, x) || (x > 0 && on(y - 1, x - 1))));
        }
    }
    let mut seen = vec![false; w * h];
    let mut stack = Vec::new();
    let mut areas = Vec::new();
    for start in 0..w * h {
        if !mask[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
        let (mut sum, mut count) = (0f64, 0usize);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            sum += prob[i] as f64;
            count += 1;
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            for (dx, dy) in [(-1i64, -1i64), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)] {
                let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                    continue;
                }
                let j = ny as usize * w + nx as usize;
                if mask[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        let (bw, bh) = ((x1 - x0 + 1) as f32, (y1 - y0 + 1) as f32);
        if bw.min(bh) < 3.0 {
            continue;
        }
        let score = (sum / count as f64) as f32;
        if score < BOX_THRESHOLD {
            continue;
        }
        let grow = bw * bh * UNCLIP_RATIO / (2.0 * (bw + bh));
        if (bw.min(bh) + 2.0 * grow) < 5.0 {
            continue;
        }
        areas.push(Area {
            x0: x0 as f32 - grow,
            y0: y0 as f32 - grow,
            x1: x1 as f32 + 1.0 + grow,
            y1: y1 as f32 + 1.0 + grow,
            score,
        });
    }
    areas.sort_by(|a, b| b.score.total_cmp(&a.score));
    areas.truncate(MAX_AREAS);
    areas
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_size_keeps_the_shorter_side_and_bounds_the_longer() {
        assert_eq!(scaled_size(753, 1305), Some((544, 943)));
        assert_eq!(scaled_size(4000, 3000), Some((725, 544)));
        // A 10-metre strip: the longer side is bounded, the shorter follows.
        assert_eq!(scaled_size(300, 300_000), Some((8, 2400)));
        assert_eq!(scaled_size(7, 100), None);
    }

    #[test]
    fn the_canvas_wastes_nothing_on_the_shorter_side() {
        assert_eq!(canvas(544, 943), (544, 1024));
        assert_eq!(canvas(725, 544), (768, 544));
        assert_eq!(canvas(8, 2400), (32, 2432));
    }

    #[test]
    fn two_lines_of_marked_pixels_become_two_widened_boxes() {
        let (w, h) = (64, 32);
        let mut prob = vec![0.0f32; w * h];
        for (y0, y1) in [(4, 8), (20, 26)] {
            for y in y0..y1 {
                for x in 10..50 {
                    prob[y * w + x] = 0.9;
                }
            }
        }
        // A speck (too small) and a faint area (score under the threshold).
        prob[2 * w + 60] = 0.9;
        for y in 12..16 {
            for x in 5..30 {
                prob[y * w + x] = 0.35;
            }
        }
        let areas = boxes(&prob, w, h);
        assert_eq!(areas.len(), 2, "{areas:?}");
        let mut ys: Vec<(f32, f32)> = areas.iter().map(|a| (a.y0, a.y1)).collect();
        ys.sort_by(|a, b| a.0.total_cmp(&b.0));
        // Dilation adds a row below and a column to the right; the first line is
        // then 5 × 41 and grows by 5·41·1.6/92 ≈ 3.57 on every side.
        assert!((ys[0].0 - (4.0 - 3.565)).abs() < 0.01, "{ys:?}");
        assert!(ys[0].1 > 8.0 && ys[1].0 < 19.0);
    }
}
