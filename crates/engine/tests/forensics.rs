//! Each pixel-forensics method on small synthetic images with a known edit:
//! it finds the edit where it was made and stays quiet on the unedited image.

use proofdesk_engine::forensics::{
    self, copy_move, ela, gray::Gray, jpeg_history, noise, Inputs, Method, Region, FLAG_AT,
};
use proofdesk_engine::jpeg_quality::{scaled, STD_LUMA};
use proofdesk_engine::pixels::Pixels;

/// Deterministic pseudo-random numbers in [0, 1).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
    fn gauss(&mut self) -> f32 {
        (0..12).map(|_| self.next()).sum::<f32>() - 6.0
    }
}

/// A grey, non-repeating texture: smooth blobs on a 6-pixel lattice plus fine noise.
fn texture(w: usize, h: usize, seed: u64) -> Gray {
    let mut rng = Rng(seed);
    let (lw, lh) = (w / 6 + 2, h / 6 + 2);
    let lattice: Vec<f32> = (0..lw * lh).map(|_| 60.0 + 140.0 * rng.next()).collect();
    let mut data = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32 / 6.0, y as f32 / 6.0);
            let (ix, iy) = (fx as usize, fy as usize);
            let (tx, ty) = (fx - ix as f32, fy - iy as f32);
            let l = |a: usize, b: usize| lattice[b * lw + a];
            let v = l(ix, iy) * (1.0 - tx) * (1.0 - ty)
                + l(ix + 1, iy) * tx * (1.0 - ty)
                + l(ix, iy + 1) * (1.0 - tx) * ty
                + l(ix + 1, iy + 1) * tx * ty;
            data.push(v + 2.0 * rng.gauss());
        }
    }
    Gray {
        width: w,
        height: h,
        data,
    }
}

/// Round-trips a grey image through a JPEG encoder at `quality`.
fn jpeg(g: &Gray, quality: u8) -> Gray {
    let bytes: Vec<u8> = g
        .data
        .iter()
        .map(|v| v.round().clamp(0.0, 255.0) as u8)
        .collect();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode(
            &bytes,
            g.width as u32,
            g.height as u32,
            image::ExtendedColorType::L8,
        )
        .unwrap();
    let img = image::load_from_memory(&out).unwrap().into_luma8();
    Gray {
        width: g.width,
        height: g.height,
        data: img.into_raw().into_iter().map(f32::from).collect(),
    }
}

fn paste(
    dst: &mut Gray,
    src: &Gray,
    (sx, sy): (usize, usize),
    (dx, dy): (usize, usize),
    size: usize,
) {
    for y in 0..size {
        for x in 0..size {
            dst.data[(dy + y) * dst.width + dx + x] = src.data[(sy + y) * src.width + sx + x];
        }
    }
}

fn overlaps(r: &Region, (x, y): (usize, usize), size: usize) -> bool {
    let (rx, ry, rw, rh) = (
        r.x as usize,
        r.y as usize,
        r.width as usize,
        r.height as usize,
    );
    rx < x + size && x < rx + rw && ry < y + size && y < ry + rh
}

#[test]
fn copy_move_finds_a_cloned_patch_after_jpeg_resave_and_ignores_the_original() {
    let original = texture(480, 360, 7);
    let mut edited = original.clone();
    let clone = original.clone();
    paste(&mut edited, &clone, (40, 50), (300, 220), 64);
    let found = copy_move::analyse(&jpeg(&edited, 90), None);
    assert!(
        Method::CopyMove.calibrate(found.raw) >= FLAG_AT,
        "raw {}",
        found.raw
    );
    let p = &found.pairs[0];
    let (a, b) = (&p.a, &p.b);
    assert!(
        overlaps(a, (40, 50), 64) && overlaps(b, (300, 220), 64)
            || overlaps(b, (40, 50), 64) && overlaps(a, (300, 220), 64),
        "{p:?}"
    );
    assert_eq!(p.shift.0.abs(), 260);
    let quiet = copy_move::analyse(&jpeg(&original, 90), None);
    assert!(
        Method::CopyMove.calibrate(quiet.raw) < FLAG_AT,
        "unedited raw {}",
        quiet.raw
    );
}

#[test]
fn noise_finds_a_region_with_other_grain_and_ignores_uniform_grain() {
    let mut rng = Rng(11);
    let (w, h) = (512, 384);
    let base: Vec<f32> = (0..w * h)
        .map(|i| 90.0 + 60.0 * ((i % w) as f32 / w as f32) + 4.0 * rng.gauss())
        .collect();
    let plain = Gray {
        width: w,
        height: h,
        data: base.clone(),
    };
    let mut edited = plain.clone();
    // A 256×256 patch pasted from a much noisier camera.
    for y in 64..320 {
        for x in 192..448 {
            edited.data[y * w + x] = 120.0 + 24.0 * rng.gauss();
        }
    }
    let found = noise::analyse(&edited);
    assert!(
        Method::Noise.calibrate(found.raw) >= FLAG_AT,
        "raw {}",
        found.raw
    );
    assert!(
        overlaps(&found.regions[0], (192, 64), 256),
        "{:?}",
        found.regions
    );
    let quiet = noise::analyse(&plain);
    assert!(
        Method::Noise.calibrate(quiet.raw) < FLAG_AT,
        "unedited raw {}",
        quiet.raw
    );
}

#[test]
fn ela_finds_blocks_that_were_not_compressed_with_the_rest() {
    let fresh = texture(512, 384, 23);
    let saved = jpeg(&fresh, 60);
    let mut edited = saved.clone();
    // Pasted after the JPEG save, from an uncompressed source: not on the quality-60 lattice.
    paste(&mut edited, &fresh, (0, 0), (256, 128), 96);
    let table = scaled(&STD_LUMA, 60);
    let found = ela::analyse(&edited, &table);
    assert!(
        Method::Ela.calibrate(found.raw) >= FLAG_AT,
        "raw {}",
        found.raw
    );
    assert!(
        overlaps(&found.regions[0], (256, 128), 96),
        "{:?}",
        found.regions
    );
    let quiet = ela::analyse(&saved, &table);
    assert!(
        Method::Ela.calibrate(quiet.raw) < FLAG_AT,
        "unedited raw {}",
        quiet.raw
    );
}

#[test]
fn jpeg_history_finds_a_region_missing_the_earlier_compression() {
    let fresh = texture(512, 384, 31);
    // Saved at quality 60, then a region pasted from an uncompressed source, then saved
    // again at 90 on the same grid: everywhere but the paste carries the first save.
    let mut edited = jpeg(&fresh, 60);
    let other = texture(512, 384, 32);
    paste(&mut edited, &other, (64, 64), (256, 128), 128);
    let edited = jpeg(&edited, 90);
    let table = scaled(&STD_LUMA, 90);
    let found = jpeg_history::analyse(&edited, &table);
    assert!(found.periodic_coefficients > 0);
    let raw = found.anomaly.raw;
    assert!(Method::JpegHistory.calibrate(raw) >= FLAG_AT, "raw {raw}");
    let regions = &found.anomaly.regions;
    assert!(overlaps(&regions[0], (256, 128), 128), "{regions:?}");
    // Saved twice without an edit, and saved once: nothing stands out.
    for quiet in [jpeg(&jpeg(&fresh, 60), 90), jpeg(&fresh, 90)] {
        let raw = jpeg_history::analyse(&quiet, &table).anomaly.raw;
        assert!(
            Method::JpegHistory.calibrate(raw) < FLAG_AT,
            "unedited raw {raw}"
        );
    }
}

#[test]
fn jpeg_history_finds_a_pasted_jpeg_whose_blocks_are_off_the_grid() {
    let fresh = texture(512, 384, 41);
    let donor = jpeg(&texture(512, 384, 42), 30);
    let mut edited = fresh.clone();
    // The donor's 8×8 grid lands 3 columns and 5 rows off the file's grid.
    paste(&mut edited, &donor, (61, 59), (256, 128), 192);
    let edited = jpeg(&edited, 95);
    let table = scaled(&STD_LUMA, 95);
    let found = jpeg_history::analyse(&edited, &table);
    let raw = found.anomaly.raw;
    assert!(Method::JpegHistory.calibrate(raw) >= FLAG_AT, "raw {raw}");
    let regions = &found.anomaly.regions;
    assert!(overlaps(&regions[0], (256, 128), 192), "{regions:?}");
    let raw = jpeg_history::analyse(&jpeg(&fresh, 95), &table).anomaly.raw;
    assert!(
        Method::JpegHistory.calibrate(raw) < FLAG_AT,
        "unedited raw {raw}"
    );
}

#[test]
fn the_full_report_combines_methods_and_skips_tiny_images() {
    let g = texture(300, 200, 3);
    let rgb: Vec<u8> = g
        .data
        .iter()
        .flat_map(|v| [v.round().clamp(0.0, 255.0) as u8; 3])
        .collect();
    let px = Pixels {
        width: 300,
        height: 200,
        rgb,
    };
    let r = forensics::analyse(
        &px,
        &Inputs {
            jpeg_quality: Some(90),
            luma_table: None,
            reduced: false,
        },
    );
    assert_eq!(r.methods.len(), 3);
    assert_eq!(r.skipped.len(), 1, "JPEG history needs the file's table");
    assert!(
        r.integrity_score < FLAG_AT,
        "{:?}",
        r.methods
            .iter()
            .map(|m| (m.method, m.raw))
            .collect::<Vec<_>>()
    );
    let tiny = Pixels {
        width: 20,
        height: 20,
        rgb: vec![128; 1200],
    };
    let t = forensics::analyse(&tiny, &Inputs::default());
    assert!(t.methods.is_empty() && t.skipped.len() == 4);
}
