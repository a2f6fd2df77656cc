//! PDQ, Meta's perceptual photo hash (256 bits), written from the published algorithm
//! (pdqhash-2017-10-09.pdf and the ThreatExchange reference): luma, a two-pass tent
//! ("Jarosz") blur, decimation to 64×64, the 16×16 lowest non-DC DCT coefficients, one
//! bit per coefficient above their median. The hex form and bit order are the
//! reference's, so hashes can be exchanged with other PDQ users.

use serde::{Serialize, Serializer};
use std::fmt;

/// Side of the downsampled image the DCT works on.
const SIDE: usize = 64;
/// Coefficients kept per axis.
const KEPT: usize = 16;
/// Images smaller than this on either side get an empty hash of quality 0.
const MIN_SIDE: usize = 5;

/// A 256-bit PDQ hash; bit `16 * i + j` is DCT coefficient (row `i`, column `j`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct PdqHash(pub [u64; 4]);

impl PdqHash {
    /// Number of differing bits.
    pub fn distance(&self, other: &PdqHash) -> u32 {
        (0..4).map(|k| (self.0[k] ^ other.0[k]).count_ones()).sum()
    }

    /// Parses the reference's 64-hex-digit form.
    pub fn from_hex(s: &str) -> Option<PdqHash> {
        if s.len() != 64 || !s.is_ascii() {
            return None;
        }
        let mut limbs = [0u64; 4];
        for (k, limb) in limbs.iter_mut().enumerate() {
            // The most significant limb comes first.
            let part = &s[(3 - k) * 16..(4 - k) * 16];
            *limb = u64::from_str_radix(part, 16).ok()?;
        }
        Some(PdqHash(limbs))
    }

    /// Bytes, most significant first (the order of the hex form).
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for k in 0..4 {
            out[(3 - k) * 8..(4 - k) * 8].copy_from_slice(&self.0[k].to_be_bytes());
        }
        out
    }

    /// Inverse of [`PdqHash::to_bytes`].
    pub fn from_bytes(b: &[u8; 32]) -> PdqHash {
        let mut limbs = [0u64; 4];
        for (k, limb) in limbs.iter_mut().enumerate() {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[(3 - k) * 8..(4 - k) * 8]);
            *limb = u64::from_be_bytes(w);
        }
        PdqHash(limbs)
    }

    /// 16-bit word `k` (0..16) of the hash, bits `16 k .. 16 k + 15`.
    pub fn word(&self, k: usize) -> u16 {
        (self.0[k / 4] >> ((k % 4) * 16)) as u16
    }
}

impl fmt::Display for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:016x}{:016x}{:016x}{:016x}",
            self.0[3], self.0[2], self.0[1], self.0[0]
        )
    }
}

impl fmt::Debug for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PdqHash({self})")
    }
}

impl Serialize for PdqHash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The eight ways a picture can be turned or mirrored, as a hash-domain transform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dihedral {
    /// As stored.
    Original,
    /// Turned a quarter clockwise.
    Rotate90,
    /// Turned upside down.
    Rotate180,
    /// Turned a quarter anticlockwise.
    Rotate270,
    /// Mirrored left to right.
    MirrorHorizontal,
    /// Mirrored top to bottom.
    MirrorVertical,
    /// Mirrored along the main diagonal (transposed).
    Transpose,
    /// Mirrored along the other diagonal.
    Transverse,
}

impl Dihedral {
    /// All eight, [`Dihedral::Original`] first.
    pub const ALL: [Dihedral; 8] = [
        Dihedral::Original,
        Dihedral::Rotate90,
        Dihedral::Rotate180,
        Dihedral::Rotate270,
        Dihedral::MirrorHorizontal,
        Dihedral::MirrorVertical,
        Dihedral::Transpose,
        Dihedral::Transverse,
    ];

    /// The transform that undoes this one (quarter turns swap; mirrors undo themselves).
    pub fn inverse(self) -> Dihedral {
        match self {
            Dihedral::Rotate90 => Dihedral::Rotate270,
            Dihedral::Rotate270 => Dihedral::Rotate90,
            other => other,
        }
    }

    /// (transpose first, then mirror left-right, then mirror top-bottom).
    pub(crate) fn steps(self) -> (bool, bool, bool) {
        match self {
            Dihedral::Original => (false, false, false),
            Dihedral::Rotate90 => (true, true, false),
            Dihedral::Rotate180 => (false, true, true),
            Dihedral::Rotate270 => (true, false, true),
            Dihedral::MirrorHorizontal => (false, true, false),
            Dihedral::MirrorVertical => (false, false, true),
            Dihedral::Transpose => (true, false, false),
            Dihedral::Transverse => (true, true, true),
        }
    }
}

/// The 16×16 DCT coefficients a hash is made from; row `i` is vertical frequency `i + 1`.
#[derive(Clone)]
pub struct Coefficients(pub [[f32; KEPT]; KEPT]);

impl Coefficients {
    /// The hash: one bit per coefficient above the median (the 128th smallest).
    pub fn hash(&self) -> PdqHash {
        let mut sorted: Vec<f32> = self.0.iter().flatten().copied().collect();
        sorted.sort_by(f32::total_cmp);
        let median = sorted[KEPT * KEPT / 2 - 1];
        let mut h = PdqHash::default();
        for (i, row) in self.0.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                if v > median {
                    let k = i * KEPT + j;
                    h.0[k / 64] |= 1 << (k % 64);
                }
            }
        }
        h
    }

    /// The coefficients of the same picture turned or mirrored by `t`: a mirror flips
    /// the sign of the odd frequencies along its axis, a transpose swaps the axes.
    pub fn transformed(&self, t: Dihedral) -> Coefficients {
        let (transpose, mirror_lr, mirror_tb) = t.steps();
        let mut out = [[0f32; KEPT]; KEPT];
        for (i, row) in out.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                let mut c = if transpose {
                    self.0[j][i]
                } else {
                    self.0[i][j]
                };
                // Index j is frequency j + 1: odd frequencies sit at even indices.
                if mirror_lr && j % 2 == 0 {
                    c = -c;
                }
                if mirror_tb && i % 2 == 0 {
                    c = -c;
                }
                *v = c;
            }
        }
        Coefficients(out)
    }
}

/// A picture's PDQ hash, its quality, and the coefficients behind it.
#[derive(Clone)]
pub struct Pdq {
    /// The hash of the picture as stored (EXIF orientation not applied, as in the reference).
    pub hash: PdqHash,
    /// 0–100: how much detail the hash rests on; PDQ advises not matching below 50.
    pub quality: u8,
    /// The DCT coefficients, for the turned and mirrored variants.
    pub coefficients: Coefficients,
}

impl Pdq {
    /// The hashes of the picture in all eight orientations, [`Dihedral::Original`] first.
    pub fn dihedral(&self) -> [(Dihedral, PdqHash); 8] {
        Dihedral::ALL.map(|t| (t, self.coefficients.transformed(t).hash()))
    }
}

/// Hashes 8-bit RGB pixels (row-major, 3 bytes per pixel).
pub fn from_rgb(rgb: &[u8], width: usize, height: usize) -> Pdq {
    if rgb.len() < width * height * 3 || width < MIN_SIDE || height < MIN_SIDE {
        return Downsampler::new(0, 0).finish();
    }
    let mut d = Downsampler::new(width, height);
    let mut row = vec![0f32; width];
    for (y, line) in rgb.chunks_exact(width * 3).take(height).enumerate() {
        luma_row(line, &mut row);
        d.push_row(y, &row);
    }
    d.finish()
}

/// Luma (Rec. 601 weights, as the reference) of 8-bit RGB pixels.
pub fn luma(rgb: &[u8], width: usize, height: usize) -> Vec<f32> {
    let mut out = vec![0f32; (rgb.len() / 3).min(width * height)];
    luma_row(rgb, &mut out);
    out
}

/// Luma of a run of 8-bit RGB pixels into `out` (as many as both hold). Each channel's
/// products come from a table: the same f32 products and sums as computing them per
/// pixel, without the conversions.
pub fn luma_row(rgb: &[u8], out: &mut [f32]) {
    static TABLES: std::sync::OnceLock<[[f32; 256]; 3]> = std::sync::OnceLock::new();
    let [r, g, b] = TABLES
        .get_or_init(|| [0.299f32, 0.587, 0.114].map(|k| std::array::from_fn(|v| k * v as f32)));
    for (o, p) in out.iter_mut().zip(rgb.chunks_exact(3)) {
        *o = r[p[0] as usize] + g[p[1] as usize] + b[p[2] as usize];
    }
}

/// Hashes a luma image (row-major, 0–255).
pub fn from_luma(luma: Vec<f32>, width: usize, height: usize) -> Pdq {
    if luma.len() < width * height || width < MIN_SIDE || height < MIN_SIDE {
        return Downsampler::new(0, 0).finish();
    }
    let mut d = Downsampler::new(width, height);
    for (y, row) in luma.chunks_exact(width).take(height).enumerate() {
        d.push_row(y, row);
    }
    d.finish()
}

/// PDQ of a picture fed row by row, so no full-size copy of it is needed.
///
/// The reference filters the whole picture with two passes of box filters along rows
/// and columns (a tent filter whose support is one output pixel) and takes each of the
/// 64×64 output pixels' centre sample. Rows and columns filter independently, so here
/// each sample is one weighted sum ([`tent`]), computed only where the samples need
/// it: every row that comes is added, weighted, into the (one or two) of the 64
/// sampled rows whose tent covers it; at the end 64 columns of those are filtered.
pub struct Downsampler {
    width: usize,
    /// Per sampled row: the first source row of its tent and the weights.
    taps: Vec<(usize, Vec<f32>)>,
    /// The 64 sampled rows, filtered along the columns, full width.
    rows: Vec<f32>,
    /// First sampled row whose tent may still grow.
    open: usize,
}

impl Downsampler {
    /// Ready for the rows of a `width` × `height` picture (smaller than 5 on a side:
    /// the hash of nothing, quality 0).
    pub fn new(width: usize, height: usize) -> Downsampler {
        let usable = width >= MIN_SIDE && height >= MIN_SIDE;
        let taps = if usable {
            let wy = height.div_ceil(2 * SIDE);
            (0..SIDE)
                .map(|i| tent(centre(i, height), height, wy))
                .collect()
        } else {
            Vec::new()
        };
        Downsampler {
            width,
            taps,
            rows: vec![0f32; if usable { SIDE * width } else { 0 }],
            open: 0,
        }
    }

    /// Adds source row `y` (rows come in order; each `width` luma values).
    pub fn push_row(&mut self, y: usize, row: &[f32]) {
        while self.open < self.taps.len()
            && self.taps[self.open].0 + self.taps[self.open].1.len() <= y
        {
            self.open += 1;
        }
        for i in self.open..self.taps.len() {
            let (first, weights) = &self.taps[i];
            if *first > y {
                break;
            }
            let w = weights[y - first];
            let out = &mut self.rows[i * self.width..(i + 1) * self.width];
            for (d, s) in out.iter_mut().zip(row) {
                *d += w * s;
            }
        }
    }

    /// The hash, its quality and its coefficients.
    pub fn finish(self) -> Pdq {
        if self.taps.is_empty() {
            return Pdq {
                hash: PdqHash::default(),
                quality: 0,
                coefficients: Coefficients([[0.0; KEPT]; KEPT]),
            };
        }
        let wx = self.width.div_ceil(2 * SIDE);
        let mut small = vec![0f32; SIDE * SIDE];
        for j in 0..SIDE {
            let (first, weights) = tent(centre(j, self.width), self.width, wx);
            for i in 0..SIDE {
                let at = i * self.width + first;
                let src = &self.rows[at..at + weights.len()];
                small[i * SIDE + j] = weights.iter().zip(src).map(|(w, s)| w * s).sum();
            }
        }
        let quality = quality(&small);
        let coefficients = dct_16(&small);
        Pdq {
            hash: coefficients.hash(),
            quality,
            coefficients,
        }
    }
}

/// The source position of output pixel `k` of 64 along a side of `n`: its centre.
fn centre(k: usize, n: usize) -> usize {
    ((k as f64 + 0.5) * n as f64 / SIDE as f64) as usize
}

/// Two passes of the reference's box filter (window `w`, clipped at the ends of `n`
/// samples; it reaches `(w + 2) / 2 - 1` samples ahead and the rest behind) at output
/// `o`, as weights on consecutive inputs: `(first input, weights)`.
fn tent(o: usize, n: usize, w: usize) -> (usize, Vec<f32>) {
    let ahead = (w + 2) / 2 - 1;
    let behind = w - 1 - ahead;
    let window = |p: usize| (p.saturating_sub(behind), (p + ahead).min(n - 1));
    let (lo, hi) = window(o);
    let first = lo.saturating_sub(behind);
    let last = (hi + ahead).min(n - 1);
    let mut weights = vec![0f64; last - first + 1];
    let outer = (hi - lo + 1) as f64;
    for j in lo..=hi {
        let (a, b) = window(j);
        let share = 1.0 / (outer * (b - a + 1) as f64);
        for v in &mut weights[a - first..=b - first] {
            *v += share;
        }
    }
    (first, weights.into_iter().map(|v| v as f32).collect())
}

/// The reference's quality heuristic: the sum of neighbouring differences of the 64×64
/// image, each in whole percent of full scale, divided by 90 and capped at 100.
fn quality(small: &[f32]) -> u8 {
    let pct = |u: f32, v: f32| (((u - v) * 100.0) / 255.0) as i32;
    let mut sum = 0i64;
    for i in 0..SIDE - 1 {
        for j in 0..SIDE {
            sum += pct(small[i * SIDE + j], small[(i + 1) * SIDE + j]).abs() as i64;
        }
    }
    for i in 0..SIDE {
        for j in 0..SIDE - 1 {
            sum += pct(small[i * SIDE + j], small[i * SIDE + j + 1]).abs() as i64;
        }
    }
    (sum / 90).min(100) as u8
}

/// Frequencies 1..=16 of the 2-D DCT-II of the 64×64 image, both axes.
fn dct_16(a: &[f32]) -> Coefficients {
    let scale = (2.0f64 / SIDE as f64).sqrt();
    let mut d = [[0f32; SIDE]; KEPT];
    for (i, row) in d.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            let angle =
                std::f64::consts::PI / 2.0 / SIDE as f64 * (i + 1) as f64 * (2 * j + 1) as f64;
            *v = (scale * angle.cos()) as f32;
        }
    }
    // T = D·A (16×64), then B = T·Dᵀ (16×16).
    let mut t = [[0f32; SIDE]; KEPT];
    for (i, trow) in t.iter_mut().enumerate() {
        for (k, &dk) in d[i].iter().enumerate() {
            let arow = &a[k * SIDE..(k + 1) * SIDE];
            for (tv, av) in trow.iter_mut().zip(arow) {
                *tv += dk * av;
            }
        }
    }
    let mut b = [[0f32; KEPT]; KEPT];
    for (i, brow) in b.iter_mut().enumerate() {
        for (j, v) in brow.iter_mut().enumerate() {
            *v = t[i].iter().zip(&d[j]).map(|(x, y)| x * y).sum();
        }
    }
    Coefficients(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_in_the_reference_order() {
        let mut h = PdqHash::default();
        h.0[0] = 1; // bit 0: the last hex digit
        h.0[3] = 1 << 63; // bit 255: the first
        let s = h.to_string();
        assert!(s.starts_with('8') && s.ends_with('1'), "{s}");
        assert_eq!(PdqHash::from_hex(&s), Some(h));
        assert_eq!(PdqHash::from_bytes(&h.to_bytes()), h);
        assert_eq!(h.word(0), 1);
        assert_eq!(h.word(15), 0x8000);
    }

    /// The reference's box filter: the mean over a window of `w` samples around each
    /// position, clipped at the ends, reaching `(w + 2) / 2 - 1` ahead.
    fn box_1d(input: &[f32], w: usize) -> Vec<f32> {
        let ahead = (w + 2) / 2 - 1;
        let behind = w - 1 - ahead;
        (0..input.len())
            .map(|o| {
                let (lo, hi) = (o.saturating_sub(behind), (o + ahead).min(input.len() - 1));
                input[lo..=hi].iter().sum::<f32>() / (hi - lo + 1) as f32
            })
            .collect()
    }

    #[test]
    fn box_filter_windows_match_the_reference_layout() {
        // Window 7 on 16 samples: out[0] = mean(0..=3), out[4] = mean(1..=7), out[15] = mean(12..=15).
        let input: Vec<f32> = (0..16).map(|v| v as f32).collect();
        let out = box_1d(&input, 7);
        assert_eq!((out[0], out[4], out[15]), (1.5, 4.0, 13.5));
        // Window 8: out[0] = mean(0..=4), out[4] = mean(1..=8).
        let out = box_1d(&input, 8);
        assert_eq!((out[0], out[4]), (2.0, 4.5));
    }

    #[test]
    fn tent_weights_are_two_box_passes() {
        for (n, w) in [(16, 7), (16, 8), (100, 1), (100, 2), (3000, 24), (37, 37)] {
            let input: Vec<f32> = (0..n)
                .map(|k| ((k * 37 % 101) as f32).sqrt() * 9.0)
                .collect();
            let twice = box_1d(&box_1d(&input, w), w);
            for o in [0, 1, n / 3, n / 2, n - 2, n - 1] {
                let (first, weights) = tent(o, n, w);
                let sum: f32 = weights.iter().sum();
                assert!((sum - 1.0).abs() < 1e-5, "weights sum to one");
                let v: f32 = weights
                    .iter()
                    .zip(&input[first..])
                    .map(|(a, b)| a * b)
                    .sum();
                assert!(
                    (v - twice[o]).abs() < 1e-3,
                    "n {n} w {w} at {o}: {v} vs {}",
                    twice[o]
                );
            }
        }
    }

    fn picture(w: usize, h: usize) -> Vec<f32> {
        (0..w * h)
            .map(|k| {
                let (x, y) = ((k % w) as f32, (k / w) as f32);
                // A few blobs and waves at different scales, no symmetry.
                128.0
                    + 50.0 * (x / 23.0).sin() * (y / 37.0 + 0.4).cos()
                    + 30.0 * ((x + 2.0 * y) / 41.0).sin()
                    + 40.0 * (-((x - 70.0).powi(2) + (y - 40.0).powi(2)) / 900.0).exp()
            })
            .collect()
    }

    #[test]
    fn turned_pictures_match_their_hash_domain_variants() {
        let (w, h) = (256, 192);
        let img = picture(w, h);
        let base = from_luma(img.clone(), w, h);
        let at = |x: usize, y: usize| img[y * w + x];
        // Rotate 90° clockwise: new(x, y) = old(y, h - 1 - x), size h × w.
        let rot90: Vec<f32> = (0..w * h).map(|k| at(k / h, h - 1 - k % h)).collect();
        let mirror: Vec<f32> = (0..w * h).map(|k| at(w - 1 - k % w, k / w)).collect();
        for (t, pixels, (pw, ph)) in [
            (Dihedral::Rotate90, rot90, (h, w)),
            (Dihedral::MirrorHorizontal, mirror, (w, h)),
        ] {
            let direct = from_luma(pixels, pw, ph).hash;
            let variant = base.coefficients.transformed(t).hash();
            // Sampling is not symmetric, so a turned copy lands near, not on, its variant
            // (the reference implementation differs by 22 bits on this picture).
            let d = direct.distance(&variant);
            assert!(d <= super::super::DEFAULT_THRESHOLD, "{t:?}: {d}");
            assert!(
                direct.distance(&base.hash) > 64,
                "{t:?} should differ from the original"
            );
        }
    }

    #[test]
    fn flat_and_tiny_pictures_have_low_quality() {
        assert_eq!(from_luma(vec![90.0; 100 * 100], 100, 100).quality, 0);
        assert_eq!(from_luma(vec![90.0; 16], 4, 4).quality, 0);
        assert!(from_luma(picture(300, 200), 300, 200).quality >= 50);
    }

    #[test]
    fn rgb_rows_hash_as_their_luma_picture_and_short_input_hashes_as_nothing() {
        let (w, h) = (301, 203);
        let rgb: Vec<u8> = (0..w * h * 3).map(|i| ((i * 7919) % 253) as u8).collect();
        let streamed = from_rgb(&rgb, w, h);
        let whole = from_luma(luma(&rgb, w, h), w, h);
        assert_eq!(
            (streamed.hash, streamed.quality),
            (whole.hash, whole.quality)
        );
        let short = from_rgb(&rgb[..rgb.len() - 3], w, h);
        assert_eq!((short.hash, short.quality), (PdqHash::default(), 0));
    }
}
