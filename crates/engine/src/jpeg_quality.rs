//! JPEG quantisation tables: estimated quality and whether they are the
//! standard (IJG / Annex K) tables that libjpeg-based software writes.

use serde::Serialize;

/// Zig-zag position to natural (row-major) index.
const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// The standard (Annex K) luminance table, natural order, quality 50.
pub const STD_LUMA: [u16; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
    92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

const STD_CHROMA: [u16; 64] = [
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
    47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

/// What the quantisation tables say about the encoder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityEstimate {
    /// Estimated IJG-equivalent quality, 1 to 100.
    pub quality: u8,
    /// True when every table equals the standard table scaled to that quality.
    pub standard_tables: bool,
    /// Mean absolute difference to the closest standard table, per coefficient.
    pub distance: f32,
}

/// Scales a standard table to an IJG quality, as libjpeg does (baseline, 8-bit).
pub fn scaled(std: &[u16; 64], quality: u8) -> [u16; 64] {
    let q = quality.clamp(1, 100) as u32;
    let scale = if q < 50 { 5000 / q } else { 200 - 2 * q };
    let mut t = [0u16; 64];
    for (i, v) in std.iter().enumerate() {
        t[i] = ((*v as u32 * scale + 50) / 100).clamp(1, 255) as u16;
    }
    t
}

/// A stored (zig-zag) table in natural, row-major order.
fn natural(zz: &[u16]) -> [u16; 64] {
    let mut t = [0u16; 64];
    for (k, v) in zz.iter().take(64).enumerate() {
        t[ZIGZAG[k]] = *v;
    }
    t
}

/// The luma table (id 0, else the first) of a JPEG's stored tables, in natural order.
pub fn luma_table(tables: &[(u8, Vec<u16>)]) -> Option<[u16; 64]> {
    let t = &tables.iter().find(|(id, _)| *id == 0).or(tables.first())?.1;
    (t.len() >= 64).then(|| natural(t))
}

/// Estimates quality from the tables of a JPEG (as stored: zig-zag order).
pub fn estimate(tables: &[(u8, Vec<u16>)]) -> Option<QualityEstimate> {
    let luma = natural(&tables.iter().find(|(id, _)| *id == 0).or(tables.first())?.1);
    let chroma = tables
        .iter()
        .find(|(id, _)| *id == 1)
        .map(|(_, t)| natural(t));
    let mut best = (u64::MAX, 0u8);
    for q in 1..=100u8 {
        let mut d = diff(&luma, &scaled(&STD_LUMA, q));
        if let Some(c) = &chroma {
            d += diff(c, &scaled(&STD_CHROMA, q));
        }
        if d < best.0 {
            best = (d, q);
        }
    }
    let n = if chroma.is_some() { 128.0 } else { 64.0 };
    Some(QualityEstimate {
        quality: best.1,
        standard_tables: best.0 == 0,
        distance: best.0 as f32 / n,
    })
}

fn diff(a: &[u16; 64], b: &[u16; 64]) -> u64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (*x as i64 - *y as i64).unsigned_abs())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zigzag(t: &[u16; 64]) -> Vec<u16> {
        ZIGZAG.iter().map(|&i| t[i]).collect()
    }

    #[test]
    fn recognises_standard_tables() {
        for q in [50u8, 75, 90, 95] {
            let tables = vec![
                (0, zigzag(&scaled(&STD_LUMA, q))),
                (1, zigzag(&scaled(&STD_CHROMA, q))),
            ];
            let e = estimate(&tables).unwrap();
            assert_eq!(e.quality, q);
            assert!(e.standard_tables);
        }
    }

    #[test]
    fn custom_tables_are_not_standard() {
        let mut t = scaled(&STD_LUMA, 90);
        t[5] += 3;
        let e = estimate(&[(0, zigzag(&t))]).unwrap();
        assert!(!e.standard_tables);
        assert!((88..=92).contains(&e.quality));
    }
}
