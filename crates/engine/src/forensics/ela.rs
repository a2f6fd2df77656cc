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

use super::gray::Gray;
use super::regions::{self, Anomaly};

/// Cells are 2×2 JPEG blocks (16 pixels).
const CELL: usize = 16;

/// Runs ELA with the 64-entry luma table `table` (natural order).
pub fn analyse(g: &Gray, table: &[u16; 64]) -> Anomaly {
    let mut ela = Ela::new(g, table);
    super::dct::for_each_block(g, |bx, by, c| ela.add(bx, by, c));
    ela.finish()
}

/// ELA fed block by block (so that it can share one transform pass with
/// [`super::jpeg_history`]).
pub struct Ela {
    cw: usize,
    ch: usize,
    err: Vec<f32>,
    expect: Vec<f32>,
    q: [f32; 64],
    inv_q: [f32; 64],
    floor: [f32; 64],
}

impl Ela {
    /// An empty accumulator for `g`'s blocks, re-quantising with `table`.
    pub fn new(g: &Gray, table: &[u16; 64]) -> Ela {
        let (bw, bh) = (g.width / 8, g.height / 8);
        let (cw, ch) = (bw.div_ceil(2).max(1), bh.div_ceil(2).max(1));
        let q = table.map(|v| v.max(1) as f32);
        Ela {
            cw,
            ch,
            err: vec![0f32; cw * ch],
            expect: vec![0f32; cw * ch],
            q,
            inv_q: q.map(|q| 1.0 / q),
            floor: q.map(|q| q * q / 12.0),
        }
    }

    /// Adds block (bx, by) with DCT coefficients `c`.
    #[inline(always)]
    pub fn add(&mut self, bx: usize, by: usize, c: &[f32; 64]) {
        let (mut e, mut x) = (0f32, 0f32);
        // The AC coefficients (k ≥ 1).
        let steps = self.q.iter().zip(&self.inv_q).zip(&self.floor);
        for (c, ((q, inv), floor)) in c.iter().zip(steps).skip(1) {
            let r = c - q * super::dct::round(c * inv);
            e += r * r;
            x += (c * c).min(*floor);
        }
        let cell = (by / 2) * self.cw + bx / 2;
        self.err[cell] += e;
        self.expect[cell] += x;
    }

    /// The anomaly map of the blocks added.
    pub fn finish(self) -> Anomaly {
        let (err, expect) = (self.err, self.expect);
        // Cells with almost no AC energy carry no information (flat sky, black).
        let valid: Vec<bool> = expect.iter().map(|x| *x > 40.0).collect();
        let ratio: Vec<f32> = err
            .iter()
            .zip(&expect)
            .map(|(e, x)| if *x > 0.0 { e / x } else { 0.0 })
            .collect();
        let z = regions::robust_z(&ratio, &valid, 0.02);
        regions::anomaly(&z, self.cw, self.ch, CELL as f64, 4.0, 6, 48)
    }
}
