//! Block descriptions for copy-move matching: 4×4 sub-block means of every 16×16 block.

use crate::forensics::gray::Gray;

/// Block side in working pixels.
pub const B: usize = 16;
/// Sub-block side; B / SUB sub-blocks per side.
const SUB: usize = 4;
/// Values in a block description.
pub const DIM: usize = (B / SUB) * (B / SUB);
/// Blocks whose sub-block means depart less than this from a plane (grey levels, RMS)
/// match anything and are not used as candidates.
pub const MIN_TEXTURE: f32 = 3.0;
/// Largest squared description distance of a match (about 1.5 grey levels per sub-block mean).
pub const MAX_DIST2: f32 = DIM as f32 * 2.25;
/// Largest pixel RMSE between a block and its copy, in grey levels, after a JPEG save
/// at quality 80 or better; see [`max_rmse`].
const MAX_PIXEL_RMSE: f32 = 3.0;
/// Mean of the 3×3 lowest-frequency luma steps at quality 80 (the standard table scaled).
const Q80_LOW_STEP: f32 = 5.2;

/// Largest pixel RMSE between a block and its copy: re-compression noise grows with the
/// quantisation steps, so coarser tables than quality 80 allow proportionally more.
pub fn max_rmse(luma_table: Option<&[u16; 64]>) -> f32 {
    let low = luma_table.map_or(Q80_LOW_STEP, |t| {
        (0..3)
            .flat_map(|v| (0..3).map(move |u| t[v * 8 + u] as f32))
            .sum::<f32>()
            / 9.0
    });
    MAX_PIXEL_RMSE * (low / Q80_LOW_STEP).max(1.0)
}

/// Every block position of a working image, described.
pub struct Blocks {
    /// Block positions per row.
    pub nx: usize,
    /// Block positions per column.
    pub ny: usize,
    /// Position id (`y * nx + x`) of each described block.
    pub pos: Vec<u32>,
    /// Description of each described block.
    pub feat: Vec<[f32; DIM]>,
    /// Texture of every position (not only described ones).
    pub texture: Vec<f32>,
    /// Description row of each position, `u32::MAX` for flat blocks.
    pub index: Vec<u32>,
    /// Largest pixel RMSE of a copy ([`max_rmse`]).
    pub max_rmse: f32,
}

/// RMS departure of the 4×4 sub-block means from their best-fitting plane.
#[inline(always)]
fn texture(f: &[f32; DIM]) -> f32 {
    let n = B / SUB;
    let c = (n as f32 - 1.0) / 2.0;
    let (mut m, mut bu, mut bv, mut uu) = (0f32, 0f32, 0f32, 0f32);
    for (k, v) in f.iter().enumerate() {
        let (u, w) = ((k % n) as f32 - c, (k / n) as f32 - c);
        m += v;
        bu += v * u;
        bv += v * w;
        uu += u * u;
    }
    m /= DIM as f32;
    let (bu, bv) = (bu / uu, bv / uu);
    let r: f32 = f
        .iter()
        .enumerate()
        .map(|(k, v)| {
            let (u, w) = ((k % n) as f32 - c, (k / n) as f32 - c);
            let e = v - m - bu * u - bv * w;
            e * e
        })
        .sum();
    (r / DIM as f32).sqrt()
}

/// Mean of every SUB×SUB box of `g`, at its top-left pixel (`(w - SUB + 1) × (h - SUB + 1)`,
/// row-major): each block's sixteen sub-block means are read from it.
#[inline(always)]
fn box_means(g: &Gray) -> (usize, Vec<f32>) {
    let (w, h) = (g.width, g.height);
    let (mw, mh) = ((w + 1).saturating_sub(SUB), (h + 1).saturating_sub(SUB));
    // Horizontal sums of SUB pixels, then vertical sums of SUB of those.
    let mut row_sums = vec![0f32; mw * h];
    for (src, dst) in g.data.chunks_exact(w).zip(row_sums.chunks_exact_mut(mw.max(1))) {
        for (x, d) in dst.iter_mut().enumerate() {
            *d = src[x..x + SUB].iter().sum();
        }
    }
    let mut means = vec![0f32; mw * mh];
    let norm = 1.0 / (SUB * SUB) as f32;
    for (y, dst) in means.chunks_exact_mut(mw.max(1)).enumerate() {
        for dy in 0..SUB {
            for (d, s) in dst.iter_mut().zip(&row_sums[(y + dy) * mw..][..mw]) {
                *d += s;
            }
        }
        dst.iter_mut().for_each(|d| *d *= norm);
    }
    (mw, means)
}

/// Describes every block position of `g`; smooth blocks get a texture but no description.
pub fn describe(g: &Gray, max_rmse: f32) -> Blocks {
    crate::simd::with_avx2(|| describe_all(g, max_rmse))
}

#[inline(always)]
fn describe_all(g: &Gray, max_rmse: f32) -> Blocks {
    let nx = (g.width + 1).saturating_sub(B);
    let ny = (g.height + 1).saturating_sub(B);
    let mut b = Blocks {
        nx,
        ny,
        pos: Vec::new(),
        feat: Vec::new(),
        texture: vec![0.0; nx * ny],
        index: vec![u32::MAX; nx * ny],
        max_rmse,
    };
    if nx == 0 || ny == 0 {
        return b;
    }
    let (mw, means) = box_means(g);
    for y in 0..ny {
        for x in 0..nx {
            let mut f = [0f32; DIM];
            for (k, v) in f.iter_mut().enumerate() {
                let (sx, sy) = (k % (B / SUB), k / (B / SUB));
                *v = means[(y + sy * SUB) * mw + x + sx * SUB];
            }
            let id = y * nx + x;
            // Clipped (blown-out or black) areas keep no detail to compare.
            let clipped = f.iter().filter(|v| **v > 245.0 || **v < 10.0).count();
            let t = if clipped * 4 >= DIM { 0.0 } else { texture(&f) };
            b.texture[id] = t;
            // Smooth gradients (sky, walls) repeat everywhere along their contour lines:
            // only blocks with structure beyond a plane are candidates.
            if t < MIN_TEXTURE {
                continue;
            }
            b.index[id] = b.pos.len() as u32;
            b.pos.push(id as u32);
            b.feat.push(f);
        }
    }
    b
}

impl Blocks {
    /// Position of block `id` in working pixels.
    pub fn xy(&self, id: usize) -> (i32, i32) {
        ((id % self.nx) as i32, (id / self.nx) as i32)
    }

    /// Id of the block at `(x, y)`, if inside.
    pub fn id(&self, x: i32, y: i32) -> Option<usize> {
        (x >= 0 && y >= 0 && (x as usize) < self.nx && (y as usize) < self.ny)
            .then(|| y as usize * self.nx + x as usize)
    }
}

/// Squared distance of two block descriptions.
#[inline(always)]
pub fn dist2(a: &[f32; DIM], b: &[f32; DIM]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Pixel RMSE between the blocks at positions `pa` and `pb`.
#[inline(always)]
pub fn pixel_rmse(g: &Gray, blocks: &Blocks, pa: usize, pb: usize) -> f32 {
    let ((ax, ay), (bx, by)) = (blocks.xy(pa), blocks.xy(pb));
    let (ax, ay, bx, by) = (ax as usize, ay as usize, bx as usize, by as usize);
    let mut e = 0f32;
    for y in 0..B {
        let ra = &g.data[(ay + y) * g.width + ax..][..B];
        let rb = &g.data[(by + y) * g.width + bx..][..B];
        e += ra
            .iter()
            .zip(rb)
            .map(|(p, q)| (p - q) * (p - q))
            .sum::<f32>();
    }
    (e / (B * B) as f32).sqrt()
}

/// Pixel-level check of a match: a copy differs only by re-compression noise; and a copy
/// matches at its exact offset clearly better than a few pixels beside it, which smooth
/// areas (alike at every offset) do not. One of the probes lies along the offset itself:
/// a straight edge matches itself anywhere along its length, and a chance match along an
/// edge has its offset parallel to the edge.
pub fn same_pixels(g: &Gray, blocks: &Blocks, pa: usize, pb: usize) -> bool {
    let e = pixel_rmse(g, blocks, pa, pb);
    if e > blocks.max_rmse {
        return false;
    }
    let ((ax, ay), (bx, by)) = (blocks.xy(pa), blocks.xy(pb));
    let (dx, dy) = ((bx - ax) as f32, (by - ay) as f32);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let along = (
        (ALONG_STEP * dx / len).round() as i32,
        (ALONG_STEP * dy / len).round() as i32,
    );
    let s = SHARP_STEP;
    [
        (s, 0),
        (-s, 0),
        (0, s),
        (0, -s),
        along,
        (-along.0, -along.1),
    ]
    .iter()
    .filter_map(|(dx, dy)| blocks.id(bx + dx, by + dy))
    .all(|q| e <= SHARPNESS * pixel_rmse(g, blocks, pa, q))
}

/// Distance (pixels) of the probes along the offset.
const ALONG_STEP: f32 = 4.0;
/// Offset step (pixels) at which a copy's match must already be clearly worse.
const SHARP_STEP: i32 = 2;
/// Largest ratio of the match error at the offset to the error beside it.
const SHARPNESS: f32 = 0.6;

/// Quantisation step of the bucket keys, in grey levels.
pub const BUCKET: f32 = 4.0;

/// Bucket key: mean, left-right, top-bottom and diagonal contrast of the 2×2 quadrants.
#[inline(always)]
pub fn bucket(f: &[f32; DIM], offset: f32) -> u64 {
    let n = B / SUB;
    let h = n / 2;
    let mut q = [0f32; 4];
    for (k, v) in f.iter().enumerate() {
        let (x, y) = (k % n, k / n);
        q[(y / h) * 2 + x / h] += v / (h * h) as f32;
    }
    let keys = [
        (q[0] + q[1] + q[2] + q[3]) / 4.0,
        (q[1] + q[3] - q[0] - q[2]) / 2.0,
        (q[2] + q[3] - q[0] - q[1]) / 2.0,
        q[0] + q[3] - q[1] - q[2],
    ];
    keys.iter().fold(0u64, |acc, v| {
        (acc << 16) | (((v + offset) / BUCKET).floor() as i64 + 32768).clamp(0, 65535) as u64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_means_are_the_means_of_each_four_by_four_box() {
        let (w, h) = (11, 7);
        let g = Gray {
            width: w,
            height: h,
            data: (0..w * h).map(|i| ((i * 37) % 251) as f32).collect(),
        };
        let (mw, means) = box_means(&g);
        assert_eq!((mw, means.len()), (8, 8 * 4));
        for y in 0..4 {
            for x in 0..mw {
                let direct: f32 = (0..SUB)
                    .flat_map(|dy| (0..SUB).map(move |dx| (x + dx, y + dy)))
                    .map(|(px, py)| g.data[py * w + px])
                    .sum::<f32>()
                    / 16.0;
                assert!((means[y * mw + x] - direct).abs() < 1e-3, "({x}, {y})");
            }
        }
    }
}
