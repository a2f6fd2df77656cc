//! Ground truth for crop matches in the evaluation: two files a crop match links share
//! content when the region whose details line up looks the same in both, pixel by pixel
//! (grey, coarse). Whole-picture thumbnails cannot tell, since a crop shows only part.

use proofdesk_engine::pixels::Pixels;
use proofdesk_engine::reuse::geometry::Alignment;
use proofdesk_engine::reuse::{render, Dihedral};

/// Longest side of a [`View`].
/// (coarse, like the whole-picture thumbnails, so resampling noise does not count).
const SIDE: usize = 96;
/// Sample grid over the shared region, per side.
const GRID: usize = 24;
/// Fewest overlapping samples for a verdict.
const MIN_SAMPLES: usize = 64;

/// A small grey copy of a picture.
pub struct View {
    w: usize,
    h: usize,
    px: Vec<f32>,
}

impl View {
    /// Area-averages a picture down to at most [`SIDE`] pixels a side.
    pub fn of(p: &Pixels) -> View {
        let scale = (SIDE as f32 / p.width.max(p.height).max(1) as f32).min(1.0);
        let (w, h) = (
            ((p.width as f32 * scale) as usize).max(1),
            ((p.height as f32 * scale) as usize).max(1),
        );
        let mut sum = vec![0f32; w * h];
        let mut n = vec![0f32; w * h];
        for y in 0..p.height {
            let ty = (y * h / p.height).min(h - 1);
            for x in 0..p.width {
                let i = (y * p.width + x) * 3;
                let g = 0.299 * p.rgb[i] as f32
                    + 0.587 * p.rgb[i + 1] as f32
                    + 0.114 * p.rgb[i + 2] as f32;
                let k = ty * w + (x * w / p.width).min(w - 1);
                sum[k] += g;
                n[k] += 1.0;
            }
        }
        View {
            w,
            h,
            px: sum.iter().zip(&n).map(|(s, c)| s / c.max(1.0)).collect(),
        }
    }

    fn turned(&self, t: Dihedral) -> View {
        let p = Pixels {
            width: self.w,
            height: self.h,
            rgb: self.px.iter().flat_map(|&v| [v as u8; 3]).collect(),
        };
        let r = render::turn(&p, t);
        View {
            w: r.width,
            h: r.height,
            px: r.rgb.chunks_exact(3).map(|c| c[0] as f32).collect(),
        }
    }

    /// The sample nearest to (`fx`, `fy`), given as shares of the width and height.
    fn at(&self, fx: f32, fy: f32) -> f32 {
        let x = ((fx * self.w as f32) as usize).min(self.w - 1);
        let y = ((fy * self.h as f32) as usize).min(self.h - 1);
        self.px[y * self.w + x]
    }
}

/// Pearson correlation, over the region whose details line up (the bounding box of the
/// agreeing matches), of the query (turned by `t`; its
/// working picture `query_size`) and the earlier picture (working picture
/// `earlier_size`) laid over each other by `a`; 0 when they share too little.
pub fn correlation(
    query: &View,
    t: Dihedral,
    query_size: (u32, u32),
    earlier: &View,
    earlier_size: (u32, u32),
    a: &Alignment,
) -> f32 {
    let q = query.turned(t);
    let (qw, qh) = (query_size.0 as f32, query_size.1 as f32);
    let (ew, eh) = (earlier_size.0 as f32, earlier_size.1 as f32);
    let (x0, y0, x1, y1) = a.query_box;
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for j in 0..GRID {
        for i in 0..GRID {
            let u = x0 + (i as f32 + 0.5) / GRID as f32 * (x1 - x0);
            let v = y0 + (j as f32 + 0.5) / GRID as f32 * (y1 - y0);
            let (ex, ey) = (a.scale * u + a.shift.0, a.scale * v + a.shift.1);
            if !(0.0..ew).contains(&ex) || !(0.0..eh).contains(&ey) {
                continue;
            }
            xs.push(q.at(u / qw, v / qh));
            ys.push(earlier.at(ex / ew, ey / eh));
        }
    }
    if xs.len() < MIN_SAMPLES {
        return 0.0;
    }
    // An object painted in or placed over a shared background differs there only: the
    // least-alike share of the samples is left out before the final correlation.
    let (zx, zy) = (standardised(&xs), standardised(&ys));
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&a, &b| (zx[a] - zy[a]).abs().total_cmp(&(zx[b] - zy[b]).abs()));
    order.truncate(((1.0 - LEFT_OUT) * xs.len() as f32) as usize);
    let kept = |v: &[f32]| order.iter().map(|&i| v[i]).collect::<Vec<f32>>();
    pearson(&kept(&xs), &kept(&ys))
}

/// Share of the samples left out as "changed" ([`correlation`]).
const LEFT_OUT: f32 = 0.3;

fn standardised(v: &[f32]) -> Vec<f32> {
    let n = v.len() as f32;
    let m = v.iter().sum::<f32>() / n;
    let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f32>() / n)
        .sqrt()
        .max(1e-6);
    v.iter().map(|x| (x - m) / sd).collect()
}

/// Pearson correlation of two equally long series.
pub fn pearson(xs: &[f32], ys: &[f32]) -> f32 {
    let n = xs.len().max(1) as f32;
    let (mx, my) = (xs.iter().sum::<f32>() / n, ys.iter().sum::<f32>() / n);
    let (mut sxy, mut sxx, mut syy) = (0f32, 0f32, 0f32);
    for (x, y) in xs.iter().zip(ys) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx).powi(2);
        syy += (y - my).powi(2);
    }
    sxy / (sxx * syy).sqrt().max(1e-6)
}
