//! Finding the picture inside a frame: screenshots, letterboxing and added borders
//! put flat bars around a photo, which move every PDQ bit. The content box is what is
//! left after flat rows and columns are trimmed from the edges; its hash is a second
//! fingerprint, so a framed copy still matches the bare photo and the other way round.

/// A row or column is flat when at least this share of its samples lie within
/// [`FLAT_TOLERANCE`] grey levels of its median (status-bar icons and text stay under
/// the remaining share).
const FLAT_SHARE: f32 = 0.9;
/// Grey levels around the median that count as "the same colour".
const FLAT_TOLERANCE: f32 = 8.0;
/// Smallest trim, as a share of the side, that counts as a border.
const MIN_BORDER: f32 = 0.02;
/// Largest trim: a box smaller than this share of a side is not a framed photo.
const MIN_CONTENT: f32 = 0.1;

/// A rectangle of the picture: columns `x0..x1`, rows `y0..y1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Box {
    /// First column.
    pub x0: usize,
    /// First row.
    pub y0: usize,
    /// One past the last column.
    pub x1: usize,
    /// One past the last row.
    pub y1: usize,
}

impl Box {
    /// Width.
    pub fn width(&self) -> usize {
        self.x1 - self.x0
    }

    /// Height.
    pub fn height(&self) -> usize {
        self.y1 - self.y0
    }
}

/// Whether the samples are nearly all one colour.
fn flat(samples: &mut [f32]) -> bool {
    if samples.is_empty() {
        return true;
    }
    let mid = samples.len() / 2;
    let median = *samples.select_nth_unstable_by(mid, f32::total_cmp).1;
    let close = samples
        .iter()
        .filter(|v| (*v - median).abs() <= FLAT_TOLERANCE)
        .count();
    close as f32 >= FLAT_SHARE * samples.len() as f32
}

/// The content box of a luma image with flat borders, or `None` when no side has a
/// border of at least 2 % (most photos), or the content would be implausibly small.
pub fn content_box(luma: &[f32], width: usize, height: usize) -> Option<Box> {
    if luma.len() < width * height {
        return None;
    }
    content_box_of(|x, y| luma[y * width + x], width, height)
}

/// [`content_box`] of a picture given by its luma at `(x, y)`, read only where needed
/// (the borders' rows and columns).
pub fn content_box_of(
    luma: impl Fn(usize, usize) -> f32,
    width: usize,
    height: usize,
) -> Option<Box> {
    if width < 16 || height < 16 {
        return None;
    }
    let mut b = Box {
        x0: 0,
        y0: 0,
        x1: width,
        y1: height,
    };
    let mut buf = Vec::with_capacity(width.max(height));
    let row_flat = |y: usize, b: &Box, buf: &mut Vec<f32>| {
        buf.clear();
        buf.extend((b.x0..b.x1).map(|x| luma(x, y)));
        flat(buf)
    };
    // Rows, then columns within the rows kept, then rows again within the columns kept
    // (a side bar can make the top rows look busy until it is gone).
    for _ in 0..2 {
        while b.y1 - b.y0 > 1 && row_flat(b.y0, &b, &mut buf) {
            b.y0 += 1;
        }
        while b.y1 - b.y0 > 1 && row_flat(b.y1 - 1, &b, &mut buf) {
            b.y1 -= 1;
        }
        let col_flat = |x: usize, b: &Box, buf: &mut Vec<f32>| {
            buf.clear();
            buf.extend((b.y0..b.y1).map(|y| luma(x, y)));
            flat(buf)
        };
        while b.x1 - b.x0 > 1 && col_flat(b.x0, &b, &mut buf) {
            b.x0 += 1;
        }
        while b.x1 - b.x0 > 1 && col_flat(b.x1 - 1, &b, &mut buf) {
            b.x1 -= 1;
        }
    }
    let trimmed = |kept: usize, side: usize| (side - kept) as f32 / side as f32;
    let border = trimmed(b.width(), width).max(trimmed(b.height(), height));
    let big_enough = b.width() as f32 >= MIN_CONTENT * width as f32
        && b.height() as f32 >= MIN_CONTENT * height as f32;
    (border >= MIN_BORDER && big_enough).then_some(b)
}

/// The luma samples inside `b`.
pub fn crop(luma: &[f32], width: usize, b: &Box) -> Vec<f32> {
    let mut out = Vec::with_capacity(b.width() * b.height());
    for y in b.y0..b.y1 {
        out.extend_from_slice(&luma[y * width + b.x0..y * width + b.x1]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A busy picture of `w` × `h`.
    fn busy(w: usize, h: usize) -> Vec<f32> {
        (0..w * h)
            .map(|i| {
                let (x, y) = ((i % w) as f32, (i / w) as f32);
                128.0 + 90.0 * (x / 7.0 + 1.0).sin() * (y / 11.0).cos()
            })
            .collect()
    }

    #[test]
    fn a_photo_without_a_frame_has_no_content_box() {
        assert_eq!(content_box(&busy(300, 200), 300, 200), None);
    }

    #[test]
    fn bars_of_several_colours_and_a_status_line_are_trimmed() {
        let (w, h) = (300, 200);
        let inner = busy(200, 120);
        // A white bar with a little dark "text", a dark frame, the photo inside it.
        let mut luma = vec![20.0f32; w * h];
        for y in 0..20 {
            for x in 0..w {
                luma[y * w + x] = if (5..9).contains(&x) || (280..290).contains(&x) {
                    0.0
                } else {
                    250.0
                };
            }
        }
        for y in 0..120 {
            for x in 0..200 {
                luma[(40 + y) * w + 50 + x] = inner[y * 200 + x];
            }
        }
        let b = content_box(&luma, w, h).expect("a framed photo");
        assert_eq!((b.x0, b.y0, b.x1, b.y1), (50, 40, 250, 160));
        assert_eq!(crop(&luma, w, &b), inner);
    }
}
