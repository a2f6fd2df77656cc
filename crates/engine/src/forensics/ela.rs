//! Error level analysis at the file's own JPEG quality.
//!
//! Each aligned 8×8 luma block is transformed and re-quantised with the
//! standard table at the quality the file's own tables correspond to; the
//! error energy (equal in the DCT and pixel domains) is what a re-save at
//! that quality would change. It is divided by the error a block that was
//! never quantised on this grid would show (`min(c², q²/12)` per coefficient),
//! so texture alone does not light up: a block already on the lattice scores
//! near 0, one with a different history near 1. Runs at full resolution:
//! resampling would destroy the 8×8 grid it measures.

use super::dct::Dct8;
use super::gray::Gray;
use super::regions::{self, Anomaly};

/// Cells are 2×2 JPEG blocks (16 pixels).
const CELL: usize = 16;

/// Runs ELA with the 64-entry luma table `table` (natural order).
pub fn analyse(g: &Gray, table: &[u16; 64]) -> Anomaly {
    let (bw, bh) = (g.width / 8, g.height / 8);
    let (cw, ch) = (bw.div_ceil(2).max(1), bh.div_ceil(2).max(1));
    let mut err = vec![0f32; cw * ch];
    let mut expect = vec![0f32; cw * ch];
    let dct = Dct8::default();
    let mut c = [0f32; 64];
    let q: Vec<f32> = table.iter().map(|v| (*v).max(1) as f32).collect();
    for by in 0..bh {
        for bx in 0..bw {
            dct.forward(&g.data, g.width, bx * 8, by * 8, &mut c);
            let (mut e, mut x) = (0f32, 0f32);
            for k in 1..64 {
                let r = c[k] - q[k] * (c[k] / q[k]).round();
                e += r * r;
                x += (c[k] * c[k]).min(q[k] * q[k] / 12.0);
            }
            let cell = (by / 2) * cw + bx / 2;
            err[cell] += e;
            expect[cell] += x;
        }
    }
    // Cells with almost no AC energy carry no information (flat sky, black).
    let valid: Vec<bool> = expect.iter().map(|x| *x > 40.0).collect();
    let ratio: Vec<f32> = err
        .iter()
        .zip(&expect)
        .map(|(e, x)| if *x > 0.0 { e / x } else { 0.0 })
        .collect();
    let z = regions::robust_z(&ratio, &valid, 0.02);
    regions::anomaly(&z, cw, ch, CELL as f64, 4.0, 6, 48)
}
