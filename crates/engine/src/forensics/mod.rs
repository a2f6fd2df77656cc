//! Pixel forensics: where in a photo was something changed?
//!
//! Four classic, explainable analyses, each giving a heatmap, regions and a
//! calibrated score (0.5 = the level at which a person should look):
//!
//! | method | finds | resolution |
//! | --- | --- | --- |
//! | [`ela`] | blocks whose JPEG history differs (error level at the file's own quality) | full: needs the 8×8 grid |
//! | [`noise`] | regions whose sensor noise differs from the rest | full: downscaling averages noise away |
//! | [`copy_move`] | a region duplicated inside the picture | at most 1600 px long side: copies big enough to matter survive it, cost stays flat |
//! | [`jpeg_history`] | a region without the file's double-compression pattern, or with block edges off its grid | full: needs the 8×8 grid |
//!
//! The integrity score is the highest calibrated score. Calibration constants
//! come from the `camera` group of the shared corpus (see README); they are
//! set so that honest camera photos score low.

pub mod copy_move;
pub mod dct;
pub mod ela;
pub mod gray;
pub mod jpeg_history;
pub mod noise;
pub mod regions;
pub mod render;

use crate::pixels::Pixels;
use gray::Gray;
use serde::Serialize;
use std::time::Instant;

/// Score at and above which a method's finding is reported as suspicious.
pub const FLAG_AT: f32 = 0.5;

/// A rectangle in original-image pixels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Region {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// How strongly it stands out (method-specific units; larger is stronger).
    pub strength: f32,
    /// For copy-move: `copy-a` or `copy-b` (one is a copy of the other).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'static str>,
}

/// A coarse map over the image: 0 = typical, 1 = stands out; 0.5 and above is inside a region.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    /// Cells across.
    pub width: usize,
    /// Cells down.
    pub height: usize,
    /// Original-image pixels per cell side.
    pub cell: f64,
    /// Row-major cell values.
    pub values: Vec<f32>,
}

impl Heatmap {
    /// The value covering original pixel (x, y), 0 outside the map.
    pub fn at_pixel(&self, x: usize, y: usize) -> f32 {
        let (cx, cy) = (
            (x as f64 / self.cell) as usize,
            (y as f64 / self.cell) as usize,
        );
        if cx < self.width && cy < self.height {
            self.values[cy * self.width + cx]
        } else {
            0.0
        }
    }
}

/// The analyses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Error level analysis.
    Ela,
    /// Noise residual inconsistency.
    Noise,
    /// Copy-move (duplicated regions).
    CopyMove,
    /// JPEG history (double compression, misaligned block grids).
    JpegHistory,
}

impl Method {
    /// Every method, in report order.
    pub const ALL: [Method; 4] = [
        Method::CopyMove,
        Method::JpegHistory,
        Method::Noise,
        Method::Ela,
    ];

    /// The name a person reads, in English and Dutch.
    pub fn title(self) -> (&'static str, &'static str) {
        match self {
            Method::Ela => ("error level", "foutniveau"),
            Method::Noise => ("noise", "ruis"),
            Method::CopyMove => ("copy-move", "kopiëren-plakken"),
            Method::JpegHistory => ("JPEG history", "JPEG-geschiedenis"),
        }
    }

    /// Kebab-case name, as in JSON and file names.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Ela => "ela",
            Method::Noise => "noise",
            Method::CopyMove => "copy-move",
            Method::JpegHistory => "jpeg-history",
        }
    }

    /// Calibration: raw score at which the calibrated score is 0.5, and the logistic width.
    fn calibration(self) -> (f32, f32) {
        match self {
            Method::Ela => (13.0, 2.0),
            Method::Noise => (10.0, 1.5),
            Method::CopyMove => (copy_move::REPORT_BLOCKS, 100.0),
            Method::JpegHistory => (8.0, 1.0),
        }
    }

    /// Maps a raw score to 0..1 (0.5 at the flagging level).
    pub fn calibrate(self, raw: f32) -> f32 {
        let (c, w) = self.calibration();
        if raw <= 0.0 {
            return 0.0;
        }
        1.0 / (1.0 + (-(raw - c) / w).exp())
    }
}

/// One analysis's result.
#[derive(Debug, Clone, Serialize)]
pub struct MethodResult {
    /// Which analysis.
    pub method: Method,
    /// Calibrated score, 0 to 1; [`FLAG_AT`] and above is suspicious.
    pub score: f32,
    /// The uncalibrated score (method-specific units, documented in docs/json-schema.md).
    pub raw: f32,
    /// Regions that stand out, strongest first.
    pub regions: Vec<Region>,
    /// Copy-move pairs (copy-move only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pairs: Vec<copy_move::CopyPair>,
    /// Width and height the analysis ran at.
    pub resolution: (usize, usize),
    /// Time the analysis took, in milliseconds (one core).
    pub millis: f64,
    /// The map, for rendering and evaluation (not in JSON).
    #[serde(skip)]
    pub heatmap: Heatmap,
}

/// Why an analysis did not run.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// Which analysis.
    pub method: Method,
    /// Why, in English.
    pub reason: String,
}

/// All pixel forensics for one image.
#[derive(Debug, Clone, Serialize)]
pub struct ForensicsReport {
    /// Highest calibrated method score, 0 to 1.
    pub integrity_score: f32,
    /// Results, in [`Method::ALL`] order.
    pub methods: Vec<MethodResult>,
    /// Analyses that did not run, and why.
    pub skipped: Vec<Skipped>,
    /// Image width and height.
    pub size: (usize, usize),
}

impl ForensicsReport {
    /// The result of one method, if it ran.
    pub fn get(&self, m: Method) -> Option<&MethodResult> {
        self.methods.iter().find(|r| r.method == m)
    }
}

/// What the analyses need besides pixels.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Estimated JPEG quality (JPEG files only): ELA re-quantises at this quality.
    pub jpeg_quality: Option<u8>,
    /// The file's luma quantisation table in natural (row-major) order (JPEG files only).
    pub luma_table: Option<[u16; 64]>,
    /// The pixels are a reduced copy of a picture over the pixel limit: the 8×8 grid
    /// the JPEG analyses need is gone.
    pub reduced: bool,
}

/// Smallest side analysed; smaller images are skipped.
pub const MIN_SIDE: usize = 64;

/// Runs every analysis on decoded pixels.
pub fn analyse(px: &Pixels, inputs: &Inputs) -> ForensicsReport {
    let g = Gray::from_rgb(&px.rgb, px.width, px.height);
    analyse_gray(&g, inputs)
}

/// Runs every analysis on a luma plane.
pub fn analyse_gray(g: &Gray, inputs: &Inputs) -> ForensicsReport {
    let mut methods = Vec::new();
    let mut skipped = Vec::new();
    let size = (g.width, g.height);
    if g.width < MIN_SIDE || g.height < MIN_SIDE {
        for m in Method::ALL {
            skipped.push(Skipped {
                method: m,
                reason: format!("the image is smaller than {MIN_SIDE} pixels on a side"),
            });
        }
        return ForensicsReport {
            integrity_score: 0.0,
            methods,
            skipped,
            size,
        };
    }
    let t = Instant::now();
    let cm = copy_move::analyse(g, inputs.luma_table.as_ref());
    methods.push(result(
        Method::CopyMove,
        cm.raw,
        regions_of(&cm.pairs),
        cm.pairs,
        cm.working,
        cm.heatmap,
        millis_since(t),
    ));
    let t = Instant::now();
    let nz = noise::analyse(g);
    methods.push(result(
        Method::Noise,
        nz.raw,
        nz.regions,
        Vec::new(),
        size,
        nz.heatmap,
        millis_since(t),
    ));
    // ELA and JPEG history read the same block transforms: one pass feeds both, and
    // each is credited with half of its time.
    let t = Instant::now();
    let ela_table = inputs
        .jpeg_quality
        .map(|q| crate::jpeg_quality::scaled(&crate::jpeg_quality::STD_LUMA, q));
    let mut ela = ela_table.as_ref().map(|table| ela::Ela::new(g, table));
    let mut levels = inputs
        .luma_table
        .as_ref()
        .map(|table| jpeg_history::Levels::new(g, table));
    if ela.is_some() || levels.is_some() {
        dct::for_each_block(g, |bx, by, c| {
            if let Some(e) = ela.as_mut() {
                e.add(bx, by, c);
            }
            if let Some(l) = levels.as_mut() {
                l.add(c);
            }
        });
    }
    let sharing = usize::from(ela.is_some()) + usize::from(levels.is_some());
    let pass = millis_since(t) / sharing.max(1) as f64;
    let no_grid = "the picture was analysed as a reduced copy, which has no JPEG block grid";
    match levels {
        Some(levels) => {
            let t = Instant::now();
            let h = jpeg_history::analyse_levels(g, &levels);
            methods.push(result(
                Method::JpegHistory,
                h.anomaly.raw,
                h.anomaly.regions,
                Vec::new(),
                size,
                h.anomaly.heatmap,
                pass + millis_since(t),
            ));
        }
        None => skipped.push(Skipped {
            method: Method::JpegHistory,
            reason: if inputs.reduced {
                no_grid.into()
            } else {
                "not a JPEG: there is no compression history to read".into()
            },
        }),
    }
    match ela {
        Some(e) => {
            let t = Instant::now();
            let e = e.finish();
            methods.push(result(
                Method::Ela,
                e.raw,
                e.regions,
                Vec::new(),
                size,
                e.heatmap,
                pass + millis_since(t),
            ));
        }
        None => skipped.push(Skipped {
            method: Method::Ela,
            reason: if inputs.reduced {
                no_grid.into()
            } else {
                "not a JPEG: there is no compression quality to match".into()
            },
        }),
    }
    let integrity_score = methods.iter().map(|m| m.score).fold(0.0, f32::max);
    ForensicsReport {
        integrity_score,
        methods,
        skipped,
        size,
    }
}

/// Milliseconds since `t`.
fn millis_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn regions_of(pairs: &[copy_move::CopyPair]) -> Vec<Region> {
    pairs
        .iter()
        .flat_map(|p| {
            let s = p.blocks as f32;
            [
                Region {
                    strength: s,
                    role: Some("copy-a"),
                    ..p.a.clone()
                },
                Region {
                    strength: s,
                    role: Some("copy-b"),
                    ..p.b.clone()
                },
            ]
        })
        .collect()
}

fn result(
    method: Method,
    raw: f32,
    regions: Vec<Region>,
    pairs: Vec<copy_move::CopyPair>,
    resolution: (usize, usize),
    heatmap: Heatmap,
    millis: f64,
) -> MethodResult {
    MethodResult {
        method,
        score: method.calibrate(raw),
        raw,
        regions,
        pairs,
        resolution,
        millis,
        heatmap,
    }
}
