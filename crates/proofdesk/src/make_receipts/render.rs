//! Printing and scanning a generated receipt: glyphs from a real font (Hack, monospaced
//! like a till's printer font; Ubuntu Light, proportional like a word processor's) laid
//! on a print head's 576 dots, thermal print (uneven heat, faded rows, a worn dot,
//! paper grain), then a scan or flat photo (scale, a slight turn, blur) — and where each
//! character landed, for the forgeries.

use super::content::{PrintLine, Span};
use crate::rng::Rng;
use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use anyhow::{Context, Result};
use proofdesk_engine::pixels::Pixels;

/// Dots across an 80 mm thermal print head at 203 dpi.
pub const PRINT_WIDTH: usize = 576;

/// A font at a size.
pub struct Typeface {
    font: FontRef<'static>,
    scale: PxScale,
    /// Monospaced (each character one column).
    pub monospaced: bool,
}

impl Typeface {
    /// Hack, sized so that 42 columns fill the print width less margins.
    pub fn till() -> Result<Typeface> {
        let font = FontRef::try_from_slice(epaint_default_fonts::HACK_REGULAR).context("the Hack font")?;
        let advance = font.as_scaled(PxScale::from(100.0)).h_advance(font.glyph_id('0')) / 100.0;
        let size = (PRINT_WIDTH as f32 - 24.0) / (super::content::COLUMNS as f32 * advance);
        Ok(Typeface { font, scale: PxScale::from(size), monospaced: true })
    }

    /// Ubuntu Light at a word processor's size.
    pub fn template() -> Result<Typeface> {
        let font = FontRef::try_from_slice(epaint_default_fonts::UBUNTU_LIGHT).context("the Ubuntu font")?;
        Ok(Typeface { font, scale: PxScale::from(25.0), monospaced: false })
    }

    /// The same font at `factor` times the size.
    pub fn scaled(&self, factor: f32) -> Typeface {
        Typeface { font: self.font.clone(), scale: PxScale::from(self.scale.y * factor), monospaced: self.monospaced }
    }

    /// Pixel size.
    pub fn size(&self) -> f32 {
        self.scale.y
    }

    fn advance(&self, c: char) -> f32 {
        self.font.as_scaled(self.scale).h_advance(self.font.glyph_id(c))
    }

    /// Height of a printed line.
    pub fn line_height(&self) -> f32 {
        let s = self.font.as_scaled(self.scale);
        (s.ascent() - s.descent() + s.line_gap()).ceil() + 4.0
    }

    fn ascent(&self) -> f32 {
        self.font.as_scaled(self.scale).ascent()
    }

    /// Draws `text` with its baseline at `y` from `x` into a coverage map of
    /// `width` columns (0 … 1 per pixel, the maximum kept), returning each char's left
    /// edge and the end.
    pub fn draw(&self, cover: &mut [f32], width: usize, (x, y): (f32, f32), text: &str, bold: bool) -> Vec<f32> {
        let height = cover.len() / width.max(1);
        let mut edges = Vec::new();
        let mut pen = x;
        for c in text.chars() {
            edges.push(pen);
            let id = self.font.glyph_id(c);
            for dx in if bold { &[0.0, 0.8][..] } else { &[0.0][..] } {
                let glyph = id.with_scale_and_position(self.scale, point(pen + dx, y));
                if let Some(outline) = self.font.outline_glyph(glyph) {
                    let b = outline.px_bounds();
                    outline.draw(|gx, gy, v| {
                        let (px, py) = (b.min.x as i64 + i64::from(gx), b.min.y as i64 + i64::from(gy));
                        if (0..width as i64).contains(&px) && (0..height as i64).contains(&py) {
                            let at = py as usize * width + px as usize;
                            cover[at] = cover[at].max(v.min(1.0));
                        }
                    });
                }
            }
            pen += self.advance(c);
        }
        edges.push(pen);
        edges
    }
}

/// Ink coverage at print resolution and where each character is.
pub struct Print {
    /// Width in dots.
    pub width: usize,
    /// Height in dots.
    pub height: usize,
    /// Coverage 0 … 1, row-major.
    pub cover: Vec<f32>,
    /// Per line: baseline y and each char's left edge (and the end).
    pub places: Vec<(f32, Vec<f32>)>,
    /// Pixel size of the font.
    pub font_size: f32,
}

impl Print {
    /// The box of a span of characters at print resolution: (x0, y0, x1, y1).
    pub fn span_box(&self, span: Span) -> (f32, f32, f32, f32) {
        let (baseline, edges) = &self.places[span.line];
        let x0 = edges[span.start.min(edges.len() - 1)];
        let x1 = edges[span.end.min(edges.len() - 1)];
        (x0, baseline - self.font_size * 0.8, x1, baseline + self.font_size * 0.25)
    }
}

/// Lays the lines out and draws them.
pub fn print(lines: &[PrintLine], face: &Typeface) -> Print {
    let margin = 12.0;
    let line_height = face.line_height();
    let height = (margin * 2.0 + line_height * (lines.len() as f32 + 2.0)).ceil() as usize;
    let mut cover = vec![0f32; PRINT_WIDTH * height];
    let mut places = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let baseline = margin + line_height * (i as f32 + 1.0) + face.ascent() * 0.2;
        let edges = face.draw(&mut cover, PRINT_WIDTH, (margin, baseline), &line.text, line.bold);
        places.push((baseline, edges));
    }
    Print { width: PRINT_WIDTH, height, cover, places, font_size: face.size() }
}

/// How the print was scanned or photographed: the picture's pixel for a print dot.
#[derive(Debug, Clone, Copy)]
pub struct Geometry {
    scale: f32,
    cos: f32,
    sin: f32,
    centre: (f32, f32),
    out_centre: (f32, f32),
}

impl Geometry {
    /// Where print dot (x, y) is on the picture.
    pub fn to_picture(&self, (x, y): (f32, f32)) -> (f32, f32) {
        let (dx, dy) = ((x - self.centre.0) * self.scale, (y - self.centre.1) * self.scale);
        (self.out_centre.0 + self.cos * dx - self.sin * dy, self.out_centre.1 + self.sin * dx + self.cos * dy)
    }

    /// Scale from print dots to picture pixels.
    pub fn scale(&self) -> f32 {
        self.scale
    }

    /// A print box's bounding box on the picture, in whole pixels.
    pub fn box_on_picture(&self, (x0, y0, x1, y1): (f32, f32, f32, f32)) -> (usize, usize, usize, usize) {
        let corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)].map(|p| self.to_picture(p));
        let (mut a, mut b, mut c, mut d) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for (x, y) in corners {
            (a, b, c, d) = (a.min(x), b.min(y), c.max(x), d.max(y));
        }
        (a.max(0.0) as usize, b.max(0.0) as usize, c.max(0.0).ceil() as usize, d.max(0.0).ceil() as usize)
    }

    fn from_picture(&self, (x, y): (f32, f32)) -> (f32, f32) {
        let (dx, dy) = (x - self.out_centre.0, y - self.out_centre.1);
        let (rx, ry) = (self.cos * dx + self.sin * dy, -self.sin * dx + self.cos * dy);
        (self.centre.0 + rx / self.scale, self.centre.1 + ry / self.scale)
    }
}

/// Thermal print scanned: uneven heat and fading, a worn dot column, paper grain,
/// then scaled 0.95–1.45×, turned up to ±0.8°, slightly blurred; the scanner's bed
/// shows as light grey outside the paper.
pub fn thermal_scan(print: &Print, rng: &mut Rng) -> (Pixels, Geometry) {
    let (w, h) = (print.width, print.height);
    let darkness = 0.65 + 0.35 * rng.unit() as f32;
    let worn = rng.below(w);
    let row_heat: Vec<f32> = {
        let mut heat = 1.0f32;
        (0..h).map(|_| {
            heat = (heat + (rng.unit() as f32 - 0.5) * 0.04).clamp(0.8, 1.0);
            heat
        }).collect()
    };
    let paper = 236.0 + 14.0 * rng.unit() as f32;
    // Paper fibre (blotches of a few pixels) and the print head's dots (each burns a
    // little differently), then fine grain.
    let fibre = smooth_noise((w, h), 6, rng);
    let dots = smooth_noise((w, h), 2, rng);
    let mut grey = vec![0f32; w * h];
    for y in 0..h {
        let fade = 1.0 - 0.25 * (y as f32 / h as f32) * darkness;
        for x in 0..w {
            let i = y * w + x;
            let mut ink = print.cover[i] * darkness * row_heat[y] * fade * (0.8 + 0.35 * dots[i]).min(1.0);
            if x == worn || (ink > 0.0 && rng.unit() < 0.03) {
                ink *= 0.35;
            }
            let grain = (rng.unit() as f32 - 0.5) * 8.0 + (fibre[i] - 0.5) * 10.0;
            grey[i] = paper - ink * (paper - 28.0) + grain;
        }
    }
    let scale = 0.95 + 0.5 * rng.unit() as f32;
    let angle = ((rng.unit() as f32) - 0.5) * 1.6f32.to_radians();
    let (ow, oh) = ((w as f32 * scale).round() as usize, (h as f32 * scale).round() as usize);
    let geometry = Geometry {
        scale,
        cos: angle.cos(),
        sin: angle.sin(),
        centre: (w as f32 / 2.0, h as f32 / 2.0),
        out_centre: (ow as f32 / 2.0, oh as f32 / 2.0),
    };
    let bed = 226.0;
    let mut rgb = vec![0u8; ow * oh * 3];
    let tint = [1.0f32, 0.995, 0.975];
    for y in 0..oh {
        for x in 0..ow {
            let (sx, sy) = geometry.from_picture((x as f32 + 0.5, y as f32 + 0.5));
            let v = sample(&grey, (w, h), (sx - 0.5, sy - 0.5)).unwrap_or(bed);
            for (c, t) in tint.iter().enumerate() {
                rgb[(y * ow + x) * 3 + c] = (v * t).clamp(0.0, 255.0) as u8;
            }
        }
    }
    (Pixels { width: ow, height: oh, rgb }, geometry)
}

/// Noise 0 … 1 that varies smoothly over `cell` pixels.
fn smooth_noise((w, h): (usize, usize), cell: usize, rng: &mut Rng) -> Vec<f32> {
    let (cw, ch) = (w / cell + 2, h / cell + 2);
    let coarse: Vec<f32> = (0..cw * ch).map(|_| rng.unit() as f32).collect();
    let mut out = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32 / cell as f32, y as f32 / cell as f32);
            out[y * w + x] = sample(&coarse, (cw, ch), (fx, fy)).unwrap_or(0.5);
        }
    }
    out
}

/// A template's clean render: pure white, black anti-aliased text, nothing turned.
pub fn clean(print: &Print) -> Pixels {
    let rgb = print.cover.iter().flat_map(|c| [(255.0 - c * 245.0) as u8; 3]).collect();
    Pixels { width: print.width, height: print.height, rgb }
}

/// Bilinear sample of a grey map; `None` outside it.
fn sample(grey: &[f32], (w, h): (usize, usize), (x, y): (f32, f32)) -> Option<f32> {
    if x < 0.0 || y < 0.0 || x > (w - 1) as f32 || y > (h - 1) as f32 {
        return None;
    }
    let (x0, y0) = (x as usize, y as usize);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let top = grey[y0 * w + x0] * (1.0 - fx) + grey[y0 * w + x1] * fx;
    let bottom = grey[y1 * w + x0] * (1.0 - fx) + grey[y1 * w + x1] * fx;
    Some(top * (1.0 - fy) + bottom * fy)
}

/// The picture as a JPEG at `quality`.
pub fn jpeg(px: &Pixels, quality: u8) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode(&px.rgb, px.width as u32, px.height as u32, image::ExtendedColorType::Rgb8)
        .context("encoding the receipt as JPEG")?;
    Ok(out)
}
