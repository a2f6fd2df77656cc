//! The 8×8 DCT-II of JPEG, orthonormal, so that coefficient-domain error
//! energy equals pixel-domain error energy (Parseval).

/// The DCT basis: `BASIS[u][x] = c(u) cos((2x + 1) u π / 16)`.
fn basis() -> [[f32; 8]; 8] {
    let mut b = [[0f32; 8]; 8];
    for (u, row) in b.iter_mut().enumerate() {
        let c = if u == 0 {
            (1.0f64 / 8.0).sqrt()
        } else {
            (2.0f64 / 8.0).sqrt()
        };
        for (x, v) in row.iter_mut().enumerate() {
            *v = (c * ((2 * x + 1) as f64 * u as f64 * std::f64::consts::PI / 16.0).cos()) as f32;
        }
    }
    b
}

/// A reusable forward transform.
pub struct Dct8 {
    /// `b[u][x]`: basis function `u` at pixel `x`.
    b: [[f32; 8]; 8],
    /// The transpose, `bt[x][u]`, for the row pass.
    bt: [[f32; 8]; 8],
}

impl Default for Dct8 {
    fn default() -> Self {
        let b = basis();
        let mut bt = [[0f32; 8]; 8];
        for (u, row) in b.iter().enumerate() {
            for (x, v) in row.iter().enumerate() {
                bt[x][u] = *v;
            }
        }
        Self { b, bt }
    }
}

impl Dct8 {
    /// Transforms the 8×8 block at (x0, y0) of a row-major plane of width `stride`,
    /// level-shifted by 128 as JPEG does, into `out` (row-major, `out[v * 8 + u]`).
    /// JPEG's coefficients are these values, so `round(out[k] / q[k])` is the stored level.
    #[inline(always)]
    pub fn forward(&self, plane: &[f32], stride: usize, x0: usize, y0: usize, out: &mut [f32; 64]) {
        // Both passes accumulate whole rows of eight, which the compiler keeps in
        // vector registers (a dot product per coefficient does not vectorise).
        // Rows: tmp[y][u] = sum_x b[u][x] * p[y][x].
        let mut tmp = [[0f32; 8]; 8];
        for (y, t) in tmp.iter_mut().enumerate() {
            let row = &plane[(y0 + y) * stride + x0..][..8];
            for (p, bx) in row.iter().zip(&self.bt) {
                let p = p - 128.0;
                for (acc, b) in t.iter_mut().zip(bx) {
                    *acc += b * p;
                }
            }
        }
        // Columns: out[v][u] = sum_y b[v][y] * tmp[y][u].
        for (bv, o) in self.b.iter().zip(out.chunks_exact_mut(8)) {
            let mut acc = [0f32; 8];
            for (b, t) in bv.iter().zip(&tmp) {
                for (a, x) in acc.iter_mut().zip(t) {
                    *a += b * x;
                }
            }
            o.copy_from_slice(&acc);
        }
    }
}

/// Calls `f(bx, by, coefficients)` for every whole 8×8 block of `g` on the grid from
/// the top left (JPEG's own grid), in row order. Built for AVX2 where the CPU has it
/// (`simd::with_avx2`): the rows of eight fill its vectors exactly, about twice as fast.
pub fn for_each_block(g: &super::gray::Gray, f: impl FnMut(usize, usize, &[f32; 64])) {
    crate::simd::with_avx2(|| blocks(g, f))
}

#[inline(always)]
fn blocks(g: &super::gray::Gray, mut f: impl FnMut(usize, usize, &[f32; 64])) {
    let dct = Dct8::default();
    let mut c = [0f32; 64];
    for by in 0..g.height / 8 {
        for bx in 0..g.width / 8 {
            dct.forward(&g.data, g.width, bx * 8, by * 8, &mut c);
            f(bx, by, &c);
        }
    }
}

/// `x` rounded to the nearest integer, halves away from zero (as `f32::round` and
/// JPEG encoders do), for |x| < 2³¹. Inline arithmetic: `f32::round` is a library call
/// on the baseline x86-64 target, which made it a tenth of the forensics' time.
#[inline(always)]
pub fn round(x: f32) -> f32 {
    (x + 0.5f32.copysign(x)) as i32 as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_block_has_only_dc_and_energy_is_preserved() {
        let d = Dct8::default();
        let plane = vec![138.0f32; 64];
        let mut out = [0f32; 64];
        d.forward(&plane, 8, 0, 0, &mut out);
        assert!(
            (out[0] - 80.0).abs() < 1e-3,
            "DC of a flat block of +10 is 8 * 10"
        );
        assert!(out[1..].iter().all(|v| v.abs() < 1e-3));
        let plane: Vec<f32> = (0..64).map(|i| ((i * 37) % 255) as f32).collect();
        d.forward(&plane, 8, 0, 0, &mut out);
        let e_px: f32 = plane.iter().map(|v| (v - 128.0) * (v - 128.0)).sum();
        let e_dct: f32 = out.iter().map(|v| v * v).sum();
        assert!((e_px - e_dct).abs() / e_px < 1e-4);
    }

    #[test]
    fn the_vectorised_pass_gives_the_baseline_s_coefficients_bit_for_bit() {
        let g = crate::forensics::gray::Gray {
            width: 40,
            height: 24,
            data: (0..40 * 24).map(|i| ((i * 7919) % 256) as f32 * 0.97).collect(),
        };
        let (mut fast, mut base) = (Vec::new(), Vec::new());
        for_each_block(&g, |bx, by, c| fast.push((bx, by, *c)));
        blocks(&g, |bx, by, c| base.push((bx, by, *c)));
        assert_eq!(fast.len(), 15);
        assert_eq!(fast, base);
    }

    #[test]
    fn rounding_matches_the_standard_library_away_from_ties() {
        for i in -20_000..20_000 {
            let x = i as f32 * 0.0137 + 0.001;
            assert_eq!(round(x), x.round(), "{x}");
        }
        assert_eq!(round(2.5), 3.0);
        assert_eq!(round(-2.5), -3.0);
        assert_eq!(round(-0.2), 0.0);
    }
}
