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
    b: [[f32; 8]; 8],
}

impl Default for Dct8 {
    fn default() -> Self {
        Self { b: basis() }
    }
}

impl Dct8 {
    /// Transforms the 8×8 block at (x0, y0) of a row-major plane of width `stride`,
    /// level-shifted by 128 as JPEG does, into `out` (row-major, `out[v * 8 + u]`).
    /// JPEG's coefficients are these values, so `round(out[k] / q[k])` is the stored level.
    pub fn forward(&self, plane: &[f32], stride: usize, x0: usize, y0: usize, out: &mut [f32; 64]) {
        let mut tmp = [0f32; 64];
        // Rows: tmp[y][u] = sum_x b[u][x] * p[y][x].
        for y in 0..8 {
            let row = &plane[(y0 + y) * stride + x0..(y0 + y) * stride + x0 + 8];
            for u in 0..8 {
                tmp[y * 8 + u] = self.b[u].iter().zip(row).map(|(b, p)| b * (p - 128.0)).sum();
            }
        }
        // Columns: out[v][u] = sum_y b[v][y] * tmp[y][u].
        for v in 0..8 {
            for u in 0..8 {
                let mut s = 0.0;
                for y in 0..8 {
                    s += self.b[v][y] * tmp[y * 8 + u];
                }
                out[v * 8 + u] = s;
            }
        }
    }
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
}
