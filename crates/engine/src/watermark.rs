//! Invisible watermarks: the Stable Diffusion `dwtDct` marks.
//!
//! The reference decoder (the `invisible-watermark` Python package) converts
//! BGR to YUV, takes a one-level Haar DWT of the U channel, and in each 4×4
//! block of the approximation band reads one bit from the largest non-DC
//! coefficient: `|v| mod 36 > 18`. Bit `k` of an `L`-bit message is the
//! majority over blocks `k, k+L, k+2L, ...`. We decode the same way but in
//! floating point (the reference rounds YUV to 8 bits first, which loses the
//! mark in many clean files), in both channel orders, for each known payload,
//! and decide by the bit error rate.

use serde::Serialize;

/// A known watermark payload.
#[derive(Debug, Clone, Copy)]
pub struct Payload {
    /// Short id used in reports.
    pub id: &'static str,
    /// The generator family that writes it.
    pub generator: &'static str,
    /// The message bits, most significant first.
    bits: &'static [u8],
    len: usize,
}

impl Payload {
    fn bit(&self, i: usize) -> u8 {
        (self.bits[i / 8] >> (7 - i % 8)) & 1
    }
}

/// Payloads written by public Stable Diffusion pipelines.
pub const PAYLOADS: &[Payload] = &[
    Payload {
        id: "sd1",
        generator: "Stable Diffusion 1.x",
        bits: b"StableDiffusionV1",
        len: 136,
    },
    Payload {
        id: "sd2",
        generator: "Stable Diffusion 2.x",
        bits: b"SDV2",
        len: 32,
    },
    Payload {
        id: "sdxl",
        generator: "Stable Diffusion XL",
        bits: &[0xB3, 0xEC, 0x90, 0x7B, 0xB1, 0x9E],
        len: 48,
    },
    // 0x2AFE879CF52E written through Python's bin(): the two leading zero bits are dropped.
    Payload {
        id: "svd",
        generator: "Stable Video Diffusion / SV3D",
        bits: &[0xAB, 0xFA, 0x1E, 0x73, 0xD4, 0xB8],
        len: 46,
    },
];

/// Probability, under "no watermark" (each bit a fair coin), of a match at
/// least this good in one test. Eight tests run per image (four payloads, two
/// channel orders), so the false-alarm rate per image stays below 1 in 10,000 (about 8 in 100,000).
pub const P_THRESHOLD: f64 = 1e-5;

/// The decoding result for one payload in one channel order.
#[derive(Debug, Clone, Serialize)]
pub struct Decoding {
    /// Payload id.
    pub payload: &'static str,
    /// `bgr` (as the reference reads files) or `rgb` (a pipeline that swapped channels).
    pub order: &'static str,
    /// Bits that differ from the payload.
    pub bit_errors: usize,
    /// Payload length.
    pub bits: usize,
    /// Bit errors / bits.
    pub bit_error_rate: f64,
    /// Chance of this many or fewer errors on an unmarked image.
    pub p_value: f64,
}

/// The watermark check of one image.
#[derive(Debug, Clone, Serialize)]
pub struct WatermarkReport {
    /// The best match, if it passes [`P_THRESHOLD`].
    pub found: Option<Decoding>,
    /// The best decoding per payload (lowest p-value).
    pub decodings: Vec<Decoding>,
}

/// Decodes the known payloads from RGB pixels (`rgb.len() == w * h * 3`).
///
/// Returns `None` when the image is too small for the reference method (it
/// refuses images under 256×256 pixels).
pub fn detect(rgb: &[u8], width: usize, height: usize) -> Option<WatermarkReport> {
    crate::simd::with_avx2(|| detect_impl(rgb, width, height))
}

#[inline(always)]
fn detect_impl(rgb: &[u8], width: usize, height: usize) -> Option<WatermarkReport> {
    if width * height < 256 * 256 || rgb.len() < width * height * 3 {
        return None;
    }
    let mut decodings = Vec::new();
    let [bgr, swapped] = block_scores(rgb, width, height);
    for (order, scores) in [("bgr", bgr), ("rgb", swapped)] {
        if scores.is_empty() {
            return None;
        }
        for p in PAYLOADS {
            decodings.push(score(p, order, &scores));
        }
    }
    let mut best: Vec<Decoding> = Vec::new();
    for p in PAYLOADS {
        if let Some(d) = decodings
            .iter()
            .filter(|d| d.payload == p.id)
            .min_by(|a, b| a.p_value.total_cmp(&b.p_value))
        {
            best.push(d.clone());
        }
    }
    let found = best
        .iter()
        .filter(|d| d.p_value < P_THRESHOLD)
        .min_by(|a, b| a.p_value.total_cmp(&b.p_value))
        .cloned();
    Some(WatermarkReport {
        found,
        decodings: best,
    })
}

/// Per-block bits in row-major block order, one per 4×4 block of the LL band,
/// for both channel orders (`[bgr, rgb]`).
///
/// U is linear in R, G and B, so the Haar LL value of a 2×2 cell is U applied to
/// the cell's channel sums: one pass over the pixels serves both orders.
fn block_scores(rgb: &[u8], width: usize, height: usize) -> [Vec<u8>; 2] {
    let (w4, h4) = (width / 4 * 4, height / 4 * 4);
    let (lw, lh) = (w4 / 2, h4 / 2);
    // OpenCV BGR2YUV: U = 0.492111 (B - Y) + 128, Y = 0.299 R + 0.587 G + 0.114 B.
    // Over a 2x2 cell (sums of 4 pixels) the LL band is sum(U) / 2.
    let u_of = |r: f32, g: f32, b: f32| {
        (0.492_111 * (b - (0.299 * r + 0.587 * g + 0.114 * b)) + 4.0 * 128.0) / 2.0
    };
    let mut ll = [vec![0f32; lw * lh], vec![0f32; lw * lh]];
    let [ll_bgr, ll_rgb] = &mut ll;
    for y in 0..lh {
        let row0 = &rgb[(2 * y) * width * 3..][..w4 * 3];
        let row1 = &rgb[(2 * y + 1) * width * 3..][..w4 * 3];
        let out_bgr = &mut ll_bgr[y * lw..][..lw];
        let out_rgb = &mut ll_rgb[y * lw..][..lw];
        // Two horizontal pixels of two rows make one LL cell: 6 bytes from each row.
        for (((a, b), ob), or) in row0
            .chunks_exact(6)
            .zip(row1.chunks_exact(6))
            .zip(out_bgr.iter_mut())
            .zip(out_rgb.iter_mut())
        {
            let r = (a[0] as u32 + a[3] as u32 + b[0] as u32 + b[3] as u32) as f32;
            let g = (a[1] as u32 + a[4] as u32 + b[1] as u32 + b[4] as u32) as f32;
            let bl = (a[2] as u32 + a[5] as u32 + b[2] as u32 + b[5] as u32) as f32;
            *ob = u_of(r, g, bl);
            *or = u_of(bl, g, r);
        }
    }
    let (bw, bh) = (lw / 4, lh / 4);
    ll.map(|band| {
        let mut scores = Vec::with_capacity(bw * bh);
        for by in 0..bh {
            for bx in 0..bw {
                let mut best = -1f32;
                for k in 1..16 {
                    let v = band[(by * 4 + k / 4) * lw + bx * 4 + k % 4].abs();
                    if v > best {
                        best = v;
                    }
                }
                // |v| mod 36 > 18, without a libm call.
                scores.push(u8::from(best - (best / 36.0).floor() * 36.0 > 18.0));
            }
        }
        scores
    })
}

fn score(p: &Payload, order: &'static str, scores: &[u8]) -> Decoding {
    let mut ones = vec![0u32; p.len];
    let mut count = vec![0u32; p.len];
    for chunk in scores.chunks(p.len) {
        for (k, s) in chunk.iter().enumerate() {
            ones[k] += *s as u32;
            count[k] += 1;
        }
    }
    let errors = (0..p.len)
        .filter(|&k| {
            let avg = ones[k] as f64 / count[k].max(1) as f64;
            let bit = u8::from(avg * 255.0 > 127.0);
            bit != p.bit(k)
        })
        .count();
    Decoding {
        payload: p.id,
        order,
        bit_errors: errors,
        bits: p.len,
        bit_error_rate: errors as f64 / p.len as f64,
        p_value: binomial_cdf_half(p.len, errors),
    }
}

/// P(X ≤ k) for X ~ Binomial(n, 1/2).
fn binomial_cdf_half(n: usize, k: usize) -> f64 {
    let mut c = 1f64; // C(n, 0)
    let mut sum = 0f64;
    for i in 0..=k.min(n) {
        if i > 0 {
            c = c * (n - i + 1) as f64 / i as f64;
        }
        sum += c;
    }
    (sum * 0.5f64.powi(n as i32)).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_bits_match_the_published_messages() {
        let sdxl = &PAYLOADS[2];
        let bits: String = (0..48).map(|i| char::from(b'0' + sdxl.bit(i))).collect();
        assert_eq!(bits, "101100111110110010010000011110111011000110011110");
        let svd = &PAYLOADS[3];
        let bits: String = (0..46).map(|i| char::from(b'0' + svd.bit(i))).collect();
        assert_eq!(bits, format!("{:b}", 0x2AFE879CF52Eu64));
    }

    #[test]
    fn binomial_tail() {
        assert!((binomial_cdf_half(1, 0) - 0.5).abs() < 1e-12);
        assert!((binomial_cdf_half(48, 48) - 1.0).abs() < 1e-9);
        assert!(binomial_cdf_half(48, 5) < 1e-8);
    }

    #[test]
    fn flat_image_has_no_mark() {
        let rgb = vec![128u8; 512 * 512 * 3];
        let r = detect(&rgb, 512, 512).unwrap();
        assert!(r.found.is_none());
    }
}
