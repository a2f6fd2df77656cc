//! Grey-level planes: luma from RGB, area-average downscaling.

/// Mean grey levels of an area that is neither near-black nor blown out.
pub const LIT: std::ops::Range<f32> = 12.0..243.0;

/// A single-channel image of `f32` grey levels (0 to 255).
#[derive(Debug, Clone)]
pub struct Gray {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Row-major values.
    pub data: Vec<f32>,
}

impl Gray {
    /// Luma (ITU-R BT.601, as JPEG uses) of row-major RGB bytes.
    pub fn from_rgb(rgb: &[u8], width: usize, height: usize) -> Gray {
        crate::simd::with_avx2(|| Self::luma_of(rgb, width, height))
    }

    #[inline(always)]
    fn luma_of(rgb: &[u8], width: usize, height: usize) -> Gray {
        let data = rgb
            .chunks_exact(3)
            .take(width * height)
            .map(|p| 0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32)
            .collect();
        Gray {
            width,
            height,
            data,
        }
    }

    /// Per `cell`×`cell` cell (a `cw`×`ch` grid from the top left), whether its mean grey
    /// level lies in [`LIT`]: near-black and blown-out areas keep no noise or compression
    /// trace worth comparing.
    pub fn lit_cells(&self, cell: usize, cw: usize, ch: usize) -> Vec<bool> {
        crate::simd::with_avx2(|| self.lit_cells_of(cell, cw, ch))
    }

    #[inline(always)]
    fn lit_cells_of(&self, cell: usize, cw: usize, ch: usize) -> Vec<bool> {
        let mut sum = vec![0f32; cw * ch];
        let mut n = vec![0usize; cw * ch];
        let width = (cw * cell).min(self.width);
        for y in 0..(ch * cell).min(self.height) {
            let row = &self.data[y * self.width..][..width];
            for (cx, part) in row.chunks(cell).enumerate() {
                let c = (y / cell) * cw + cx;
                sum[c] += part.iter().sum::<f32>();
                n[c] += part.len();
            }
        }
        (sum.iter().zip(&n))
            .map(|(s, &n)| n > 0 && LIT.contains(&(s / n as f32)))
            .collect()
    }

    /// The value at (x, y).
    #[inline]
    pub fn at(&self, x: usize, y: usize) -> f32 {
        self.data[y * self.width + x]
    }

    /// Area-average downscale so that the longer side is at most `max_side`
    /// (returns a copy when the image is already small enough). Also returns the scale factor
    /// (working pixels per original pixel, at most 1).
    pub fn downscaled(&self, max_side: usize) -> (Gray, f64) {
        crate::simd::with_avx2(|| self.area_average(max_side))
    }

    #[inline(always)]
    fn area_average(&self, max_side: usize) -> (Gray, f64) {
        let long = self.width.max(self.height);
        if long <= max_side || self.width == 0 || self.height == 0 {
            return (self.clone(), 1.0);
        }
        let scale = max_side as f64 / long as f64;
        let w = ((self.width as f64 * scale).round() as usize).max(1);
        let h = ((self.height as f64 * scale).round() as usize).max(1);
        // Each output pixel averages the source rectangle it covers (integer bounds).
        let xb: Vec<usize> = (0..=w)
            .map(|i| (i * self.width / w).min(self.width))
            .collect();
        let yb: Vec<usize> = (0..=h)
            .map(|j| (j * self.height / h).min(self.height))
            .collect();
        let mut col_sums = vec![0f32; w];
        let mut data = Vec::with_capacity(w * h);
        for j in 0..h {
            col_sums.iter_mut().for_each(|v| *v = 0.0);
            for y in yb[j]..yb[j + 1] {
                let row = &self.data[y * self.width..(y + 1) * self.width];
                for (i, s) in col_sums.iter_mut().enumerate() {
                    *s += row[xb[i]..xb[i + 1]].iter().sum::<f32>();
                }
            }
            let rows = (yb[j + 1] - yb[j]).max(1);
            for (i, s) in col_sums.iter().enumerate() {
                let n = (rows * (xb[i + 1] - xb[i]).max(1)) as f32;
                data.push(s / n);
            }
        }
        (
            Gray {
                width: w,
                height: h,
                data,
            },
            w as f64 / self.width as f64,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downscale_keeps_the_mean() {
        let g = Gray {
            width: 10,
            height: 6,
            data: (0..60).map(|v| v as f32).collect(),
        };
        let (d, s) = g.downscaled(5);
        assert_eq!((d.width, d.height), (5, 3));
        assert!((s - 0.5).abs() < 1e-9);
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
        assert!((mean(&d.data) - mean(&g.data)).abs() < 1e-3);
    }
}
