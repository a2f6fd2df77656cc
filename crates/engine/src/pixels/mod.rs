//! Pixel decoding with hard limits, and the thumbnail consistency check.

pub mod reduced;

use crate::format::Format;
use serde::Serialize;
use std::io::Cursor;

/// Default largest image decoded: 64 megapixels (a 12 MP phone photo is 12).
pub const DEFAULT_MAX_PIXELS: u64 = 64_000_000;

/// Decoded 8-bit RGB pixels.
pub struct Pixels {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Row-major RGB bytes.
    pub rgb: Vec<u8>,
}

/// Why pixels were not decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PixelError {
    /// The header claims more pixels than the limit allows (a decompression bomb or a huge scan).
    #[error("the image claims {width} × {height} pixels, more than the limit of {limit} pixels")]
    TooLarge {
        /// Claimed width.
        width: u64,
        /// Claimed height.
        height: u64,
        /// The limit in force.
        limit: u64,
    },
    /// This format's pixels are not decoded (HEIF/HEIC: metadata only).
    #[error("pixels of {0} files are not decoded; metadata checks only")]
    Unsupported(&'static str),
    /// The decoder rejected the data.
    #[error("the pixels could not be decoded: {0}")]
    Corrupt(String),
}

/// Decodes `bytes` of `format` to RGB, refusing images over `max_pixels`.
pub fn decode(
    bytes: &[u8],
    format: Format,
    header: (Option<u32>, Option<u32>),
    max_pixels: u64,
) -> Result<Pixels, PixelError> {
    let fmt = match format {
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Png => image::ImageFormat::Png,
        Format::Webp => image::ImageFormat::WebP,
        Format::Tiff => image::ImageFormat::Tiff,
        other => return Err(PixelError::Unsupported(other.name())),
    };
    if let (Some(w), Some(h)) = header {
        check_size(w as u64, h as u64, max_pixels)?;
    }
    let reader = || {
        let mut r = image::ImageReader::with_format(Cursor::new(bytes), fmt);
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(max_pixels.saturating_mul(8).max(64 << 20));
        r.limits(limits);
        r
    };
    let (w, h) = reader()
        .into_dimensions()
        .map_err(|e| PixelError::Corrupt(e.to_string()))?;
    check_size(w as u64, h as u64, max_pixels)?;
    let img = reader()
        .decode()
        .map_err(|e| PixelError::Corrupt(e.to_string()))?;
    let rgb = img.into_rgb8();
    Ok(Pixels {
        width: rgb.width() as usize,
        height: rgb.height() as usize,
        rgb: rgb.into_raw(),
    })
}

fn check_size(w: u64, h: u64, limit: u64) -> Result<(), PixelError> {
    if w.saturating_mul(h) > limit {
        Err(PixelError::TooLarge {
            width: w,
            height: h,
            limit,
        })
    } else {
        Ok(())
    }
}

/// How well the EXIF thumbnail matches the main image.
#[derive(Debug, Clone, Serialize)]
pub struct ThumbnailCheck {
    /// Thumbnail width.
    pub width: usize,
    /// Thumbnail height.
    pub height: usize,
    /// Pearson correlation of the grey levels on a common grid (1 = same picture).
    pub correlation: f64,
    /// Mean absolute grey-level difference, 0 to 255, after matching brightness.
    pub mean_difference: f64,
    /// Whether the thumbnail's aspect ratio differs from the image's (letterboxing was removed).
    pub letterboxed: bool,
}

const GRID: usize = 24;

/// Compares an embedded JPEG thumbnail with the main image.
pub fn compare_thumbnail(thumb_jpeg: &[u8], main: &Pixels) -> Option<ThumbnailCheck> {
    let t = decode(thumb_jpeg, Format::Jpeg, (None, None), 4_000_000).ok()?;
    if t.width < 16 || t.height < 16 || main.width < 16 || main.height < 16 {
        return None;
    }
    let upright = grid(main, 0.0, 0.0, main.width as f64, main.height as f64);
    let mut best: Option<(f64, f64, bool)> = None;
    // The thumbnail may be stored upright while the main image is not: try the four
    // turns, each with the main picture's aspect as that turn shows it.
    for turn in 0..4u8 {
        let (w, h) = if turn % 2 == 1 {
            (main.height, main.width)
        } else {
            (main.width, main.height)
        };
        let (x0, y0, tw, th, letterboxed) = picture_area(&t, w as f64 / h as f64);
        let a = grid(&t, x0, y0, tw, th);
        let b = rotated(&upright, turn);
        let c = correlation(&a, &b);
        if best.is_none_or(|(bc, _, _)| c > bc) {
            best = Some((c, mean_difference(&a, &b), letterboxed));
        }
        if main.width != main.height && turn == 0 && c > 0.9 {
            break;
        }
    }
    let (correlation, mean_difference, letterboxed) = best?;
    Some(ThumbnailCheck {
        width: t.width,
        height: t.height,
        correlation,
        mean_difference,
        letterboxed,
    })
}

/// The part of thumbnail `t` that shows a picture of `aspect` (width / height):
/// thumbnails of another aspect carry black bars, left out here. Returns x, y, width,
/// height and whether there were bars.
fn picture_area(t: &Pixels, aspect: f64) -> (f64, f64, f64, f64, bool) {
    let (w, h) = (t.width as f64, t.height as f64);
    let thumb_aspect = w / h;
    if (aspect / thumb_aspect - 1.0).abs() <= 0.03 {
        (0.0, 0.0, w, h, false)
    } else if aspect > thumb_aspect {
        let th = w / aspect;
        (0.0, (h - th) / 2.0, w, th, true)
    } else {
        let tw = h * aspect;
        ((w - tw) / 2.0, 0.0, tw, h, true)
    }
}

/// Average grey level of GRID×GRID cells over a sub-rectangle.
fn grid(p: &Pixels, x0: f64, y0: f64, w: f64, h: f64) -> Vec<f64> {
    let mut sum = vec![0f64; GRID * GRID];
    let mut n = vec![0u32; GRID * GRID];
    let (xs, ys) = (x0.max(0.0) as usize, y0.max(0.0) as usize);
    let (xe, ye) = (
        ((x0 + w) as usize).min(p.width),
        ((y0 + h) as usize).min(p.height),
    );
    // Sample at most ~512×512 points for speed on large images.
    let step = ((xe - xs).max(ye - ys) / 512).max(1);
    for y in (ys..ye).step_by(step) {
        let gy = ((y - ys) * GRID / (ye - ys).max(1)).min(GRID - 1);
        for x in (xs..xe).step_by(step) {
            let gx = ((x - xs) * GRID / (xe - xs).max(1)).min(GRID - 1);
            let i = (y * p.width + x) * 3;
            let g =
                0.299 * p.rgb[i] as f64 + 0.587 * p.rgb[i + 1] as f64 + 0.114 * p.rgb[i + 2] as f64;
            sum[gy * GRID + gx] += g;
            n[gy * GRID + gx] += 1;
        }
    }
    sum.iter()
        .zip(&n)
        .map(|(s, &c)| if c > 0 { s / c as f64 } else { 0.0 })
        .collect()
}

/// The GRID×GRID cell means `g` turned a quarter `turn` times.
fn rotated(g: &[f64], turn: u8) -> Vec<f64> {
    if turn == 0 {
        return g.to_vec();
    }
    let mut out = vec![0f64; GRID * GRID];
    for y in 0..GRID {
        for x in 0..GRID {
            let (sx, sy) = match turn {
                1 => (y, GRID - 1 - x),
                2 => (GRID - 1 - x, GRID - 1 - y),
                _ => (GRID - 1 - y, x),
            };
            out[y * GRID + x] = g[sy * GRID + sx];
        }
    }
    out
}

fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa < 1e-9 || sbb < 1e-9 {
        return if (saa - sbb).abs() < 1e-9 { 1.0 } else { 0.0 };
    }
    sab / (saa * sbb).sqrt()
}

fn mean_difference(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    a.iter()
        .zip(b)
        .map(|(x, y)| ((x - ma) - (y - mb)).abs())
        .sum::<f64>()
        / n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A picture with a bright block in one corner and a ramp, so every turn differs.
    fn picture(width: usize, height: usize, seed: u32) -> Pixels {
        let mut rgb = Vec::with_capacity(width * height * 3);
        for y in 0..height {
            for x in 0..width {
                let corner = x < width / 3 && y < height / 3;
                let ramp = (x * 160 / width + y * 40 / height) as u32;
                let v = if corner {
                    250
                } else {
                    (ramp + seed * 37) % 200
                } as u8;
                rgb.extend_from_slice(&[v, v / 2, 255 - v]);
            }
        }
        Pixels { width, height, rgb }
    }

    /// `p` halved and turned a quarter clockwise, as a JPEG thumbnail.
    fn turned_thumbnail(p: &Pixels) -> Vec<u8> {
        let (w, h) = (p.height / 2, p.width / 2);
        let mut rgb = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                let (sx, sy) = (y * 2, (w - 1 - x) * 2);
                let i = (sy * p.width + sx) * 3;
                rgb.extend_from_slice(&p.rgb[i..i + 3]);
            }
        }
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode(&rgb, w as u32, h as u32, image::ExtendedColorType::Rgb8)
            .expect("encode");
        out
    }

    #[test]
    fn a_turned_thumbnail_of_the_same_picture_matches_and_another_does_not() {
        let main = picture(192, 144, 0);
        let same = compare_thumbnail(&turned_thumbnail(&main), &main).expect("compared");
        assert!(same.correlation > 0.9, "{}", same.correlation);
        let other = picture(144, 192, 3);
        let other = compare_thumbnail(&turned_thumbnail(&other), &main).expect("compared");
        assert!(other.correlation < 0.9, "{}", other.correlation);
    }
}
