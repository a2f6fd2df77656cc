//! Decoding a picture larger than the pixel limit as a reduced copy, without ever
//! holding the full-size picture: JPEG is scaled inside the decoder (1/2, 1/4 or 1/8 of
//! each side, from the DCT coefficients), PNG is read row by row and averaged over
//! square blocks. The checks then run on the copy instead of being skipped.

use super::{check_size, PixelError, Pixels};
use crate::format::Format;
use std::io::Cursor;

/// How many times larger than the pixel limit a picture may be and still be reduced;
/// beyond it decoding would cost too much time even when memory stays bounded.
pub const MAX_OVERSIZE: u64 = 16;
/// Memory a reducing decoder may use for its own buffers (JPEG coefficients, rows).
const DECODER_BUDGET: usize = 384 << 20;

/// A picture decoded at reduced size.
pub struct Reduced {
    /// The reduced pixels.
    pub pixels: Pixels,
    /// The picture's full width and height.
    pub original: (u64, u64),
    /// How many original pixels make one reduced pixel, along each side.
    pub factor: u32,
}

/// Decodes a picture of `width` × `height` (over `max_pixels`) as a copy of at most
/// `max_pixels` pixels. Only JPEG and PNG can be reduced while decoding.
pub fn decode(
    bytes: &[u8],
    format: Format,
    (width, height): (u64, u64),
    max_pixels: u64,
) -> Result<Reduced, PixelError> {
    let too_large = PixelError::TooLarge {
        width,
        height,
        limit: max_pixels,
    };
    if width.saturating_mul(height) > max_pixels.saturating_mul(MAX_OVERSIZE) {
        return Err(too_large);
    }
    let factor = factor_for(width, height, max_pixels);
    let (pixels, factor) = match format {
        Format::Jpeg => jpeg(bytes, (width, height), factor, max_pixels)?,
        Format::Png => (png(bytes, factor)?, factor),
        _ => return Err(too_large),
    };
    check_size(pixels.width as u64, pixels.height as u64, max_pixels)?;
    Ok(Reduced {
        pixels,
        original: (width, height),
        factor,
    })
}

/// The smallest whole reduction that brings `width` × `height` within `max_pixels`.
pub fn factor_for(width: u64, height: u64, max_pixels: u64) -> u32 {
    let mut k = 1u64;
    while width.div_ceil(k) * height.div_ceil(k) > max_pixels.max(1) {
        k += 1;
    }
    k as u32
}

/// JPEG: the decoder's own 1/2, 1/4 or 1/8 scaling, then block averaging for whatever
/// reduction is still needed.
fn jpeg(
    bytes: &[u8],
    (width, height): (u64, u64),
    factor: u32,
    max_pixels: u64,
) -> Result<(Pixels, u32), PixelError> {
    let corrupt = |e: jpeg_decoder::Error| PixelError::Corrupt(e.to_string());
    // The largest DCT scale that does not go below the wanted reduction.
    let dct = [8u32, 4, 2, 1]
        .into_iter()
        .find(|d| *d <= factor)
        .unwrap_or(1);
    let mut d = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    d.set_max_decoding_buffer_size(DECODER_BUDGET);
    d.read_info().map_err(corrupt)?;
    let want = |side: u64| (side.div_ceil(dct as u64)).min(u16::MAX as u64) as u16;
    let (w, h) = d.scale(want(width), want(height)).map_err(corrupt)?;
    let data = d.decode().map_err(corrupt)?;
    let info = d
        .info()
        .ok_or_else(|| PixelError::Corrupt("the JPEG header could not be read".into()))?;
    let (w, h) = (w as usize, h as usize);
    let rgb = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => data,
        jpeg_decoder::PixelFormat::L8 => data.iter().flat_map(|v| [*v, *v, *v]).collect(),
        jpeg_decoder::PixelFormat::L16 => data
            .chunks_exact(2)
            .flat_map(|v| [v[0], v[0], v[0]])
            .collect(),
        jpeg_decoder::PixelFormat::CMYK32 => data
            .chunks_exact(4)
            .flat_map(|p| {
                let k = p[3] as u32;
                [0, 1, 2].map(|i| (p[i] as u32 * k / 255) as u8)
            })
            .collect(),
    };
    let scaled = Pixels {
        width: w,
        height: h,
        rgb,
    };
    let done = (width as f64 / w.max(1) as f64).round().max(1.0) as u32;
    let rest = factor_for(w as u64, h as u64, max_pixels);
    if rest <= 1 {
        return Ok((scaled, done));
    }
    Ok((average(&scaled, rest), done * rest))
}

/// Averages `k` × `k` blocks of an RGB picture (partial blocks at the edges too).
fn average(p: &Pixels, k: u32) -> Pixels {
    let mut acc = Accumulator::new(p.width, k as usize);
    for row in p.rgb.chunks_exact(p.width * 3) {
        acc.push(row);
    }
    acc.finish()
}

/// PNG: rows are read one at a time and added into block sums, so memory is a few rows
/// of the original plus the reduced picture.
fn png(bytes: &[u8], factor: u32) -> Result<Pixels, PixelError> {
    let corrupt = |e: png::DecodingError| PixelError::Corrupt(e.to_string());
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    decoder.set_limits(png::Limits {
        bytes: DECODER_BUDGET,
    });
    let mut reader = decoder.read_info().map_err(corrupt)?;
    if reader.info().interlaced {
        return Err(PixelError::Corrupt(
            "an interlaced PNG this large cannot be reduced while decoding".into(),
        ));
    }
    let width = reader.info().width as usize;
    let (color, _) = reader.output_color_type();
    let channels = color.samples();
    let mut acc = Accumulator::new(width, factor as usize);
    let mut rgb_row = vec![0u8; width * 3];
    while let Some(row) = reader.next_row().map_err(corrupt)? {
        let data = row.data();
        for (x, out) in rgb_row.chunks_exact_mut(3).enumerate() {
            let px = &data[x * channels..(x + 1) * channels];
            match channels {
                1 | 2 => out.fill(px[0]),
                _ => out.copy_from_slice(&px[..3]),
            }
        }
        acc.push(&rgb_row);
    }
    Ok(acc.finish())
}

/// Block sums of RGB rows, `k` rows at a time.
struct Accumulator {
    width: usize,
    k: usize,
    out_width: usize,
    sums: Vec<u32>,
    rows: usize,
    out: Vec<u8>,
    out_height: usize,
}

impl Accumulator {
    fn new(width: usize, k: usize) -> Self {
        let out_width = width.div_ceil(k);
        Self {
            width,
            k,
            out_width,
            sums: vec![0; out_width * 3],
            rows: 0,
            out: Vec::new(),
            out_height: 0,
        }
    }

    fn push(&mut self, row: &[u8]) {
        for (x, px) in row.chunks_exact(3).take(self.width).enumerate() {
            let o = (x / self.k) * 3;
            for (sum, v) in self.sums[o..o + 3].iter_mut().zip(px) {
                *sum += *v as u32;
            }
        }
        self.rows += 1;
        if self.rows == self.k {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.rows == 0 {
            return;
        }
        for ox in 0..self.out_width {
            let cols = (self.width - ox * self.k).min(self.k);
            let n = (cols * self.rows) as u32;
            for c in 0..3 {
                let s = &mut self.sums[ox * 3 + c];
                self.out.push(((*s + n / 2) / n) as u8);
                *s = 0;
            }
        }
        self.rows = 0;
        self.out_height += 1;
    }

    fn finish(mut self) -> Pixels {
        self.flush();
        Pixels {
            width: self.out_width,
            height: self.out_height,
            rgb: self.out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: u32, h: u32) -> image::RgbImage {
        image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([
                (x * 255 / w) as u8,
                (y * 255 / h) as u8,
                ((x + y) % 256) as u8,
            ])
        })
    }

    fn encode(img: &image::RgbImage, fmt: image::ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, fmt).unwrap();
        out.into_inner()
    }

    #[test]
    fn the_factor_is_the_smallest_that_fits() {
        assert_eq!(factor_for(100, 100, 10_000), 1);
        assert_eq!(factor_for(101, 100, 10_000), 2);
        assert_eq!(factor_for(10_001, 10_001, 64_000_000), 2);
        assert_eq!(factor_for(10_001, 10_001, 1_000_000), 11);
    }

    #[test]
    fn an_oversized_png_and_jpeg_decode_as_a_faithful_reduced_copy() {
        let img = gradient(1000, 600);
        for fmt in [image::ImageFormat::Png, image::ImageFormat::Jpeg] {
            let bytes = encode(&img, fmt);
            let format = Format::detect(&bytes);
            let r = decode(&bytes, format, (1000, 600), 100_000).unwrap();
            assert!(r.pixels.width * r.pixels.height <= 100_000, "{fmt:?}");
            assert_eq!(r.original, (1000, 600));
            assert!(r.factor >= 3, "{fmt:?}: factor {}", r.factor);
            assert_eq!(r.pixels.rgb.len(), r.pixels.width * r.pixels.height * 3);
            // The reduced copy shows the same picture: compare the middle pixel.
            let (cx, cy) = (r.pixels.width / 2, r.pixels.height / 2);
            let i = (cy * r.pixels.width + cx) * 3;
            let (ox, oy) = (cx as u32 * r.factor, cy as u32 * r.factor);
            let want = img.get_pixel(ox.min(999), oy.min(599));
            for c in 0..2 {
                let d = (r.pixels.rgb[i + c] as i32 - want[c] as i32).abs();
                assert!(
                    d <= 12,
                    "{fmt:?} channel {c}: {} vs {}",
                    r.pixels.rgb[i + c],
                    want[c]
                );
            }
        }
    }

    #[test]
    fn far_too_large_or_unreducible_pictures_are_refused_with_the_limit() {
        let bytes = encode(&gradient(64, 64), image::ImageFormat::Png);
        let e = decode(&bytes, Format::Png, (100_000, 100_000), 1_000_000)
            .err()
            .unwrap();
        assert!(matches!(
            e,
            PixelError::TooLarge {
                limit: 1_000_000,
                ..
            }
        ));
        let tiff = encode(&gradient(64, 64), image::ImageFormat::Tiff);
        assert!(decode(&tiff, Format::Tiff, (64, 64), 1000).is_err());
    }
}
