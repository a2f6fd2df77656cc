//! Heatmap pictures a person can read without help: the photo in grey, the
//! method's map in yellow to red over it, the regions outlined, and a legend
//! strip saying what the colours mean. Pure: pixels in, pixels (or PNG bytes) out.

use super::{Method, MethodResult};
use crate::pixels::Pixels;
use crate::signal::Lang;
use font8x8::legacy::{BASIC_LEGACY, LATIN_LEGACY};

/// Longest side of a rendered heatmap.
pub const MAX_SIDE: usize = 1600;
const LEGEND: usize = 64;

/// What a method's colours mean, for the legend.
fn legend(method: Method, lang: Lang) -> (&'static str, &'static str) {
    match (method, lang) {
        (Method::CopyMove, Lang::En) => ("Copy-move", "Red: two regions with the same content; one is probably a copy of the other (A, B)."),
        (Method::CopyMove, Lang::Nl) => ("Kopiëren-plakken", "Rood: twee gebieden met dezelfde inhoud; het ene is waarschijnlijk een kopie van het andere (A, B)."),
        (Method::Noise, Lang::En) => ("Noise", "Red: the grain (noise) here differs from the rest of the photo. Also natural in very smooth or blurred areas."),
        (Method::Noise, Lang::Nl) => ("Ruis", "Rood: de korrel (ruis) wijkt hier af van de rest van de foto. Ook normaal in zeer gladde of onscherpe delen."),
        (Method::Ela, Lang::En) => ("Error level", "Red: these blocks react differently to re-saving than the rest, a sign of a different editing history."),
        (Method::Ela, Lang::Nl) => ("Foutniveau", "Rood: deze blokken reageren anders op opnieuw opslaan dan de rest, een teken van een andere bewerkingsgeschiedenis."),
        (Method::JpegHistory, Lang::En) => ("JPEG history", "Red: this part was compressed differently from the rest (no trace of the earlier save, or block edges off the grid)."),
        (Method::JpegHistory, Lang::Nl) => ("JPEG-geschiedenis", "Rood: dit deel is anders gecomprimeerd dan de rest (geen spoor van de eerdere opslag, of blokranden naast het raster)."),
    }
}

/// Renders one method's map over a greyed copy of the photo, with a legend below.
pub fn overlay(px: &Pixels, result: &MethodResult, lang: Lang) -> Pixels {
    let s = (MAX_SIDE as f64 / px.width.max(px.height) as f64).min(1.0);
    let w = ((px.width as f64 * s).round() as usize).max(1);
    let h = ((px.height as f64 * s).round() as usize).max(1);
    let mut out = Pixels {
        width: w.max(480),
        height: h + LEGEND,
        rgb: vec![0; w.max(480) * (h + LEGEND) * 3],
    };
    for y in 0..h {
        let sy = ((y as f64 / s) as usize).min(px.height - 1);
        for x in 0..w {
            let sx = ((x as f64 / s) as usize).min(px.width - 1);
            let i = (sy * px.width + sx) * 3;
            let grey = 0.299 * px.rgb[i] as f32
                + 0.587 * px.rgb[i + 1] as f32
                + 0.114 * px.rgb[i + 2] as f32;
            let g = 50.0 + grey * 0.6;
            let v = result.heatmap.at_pixel(sx, sy);
            let (r, gg, b) = ramp(v);
            // At most 60 % colour, so the photo stays visible under the map.
            let a = ((v - 0.15) / 0.6).clamp(0.0, 0.6);
            put(&mut out, x, y, [mix(g, r, a), mix(g, gg, a), mix(g, b, a)]);
        }
    }
    for (k, r) in result.regions.iter().take(6).enumerate() {
        let rect = |v: u32| (v as f64 * s) as usize;
        let (x0, y0, x1, y1) = (
            rect(r.x),
            rect(r.y),
            rect(r.x + r.width),
            rect(r.y + r.height),
        );
        let colour = [255, 255, 255];
        outline(&mut out, x0, y0, x1.min(w - 1), y1.min(h - 1), colour);
        let label = match r.role {
            Some("copy-a") => "A".to_string(),
            Some("copy-b") => "B".to_string(),
            _ => format!("{}", k + 1),
        };
        text(&mut out, x0 + 3, y0 + 3, &label, 2, colour);
    }
    // Legend: title and score, the sentence, and a colour bar from typical to strong.
    for y in h..h + LEGEND {
        for x in 0..out.width {
            put(&mut out, x, y, [24, 24, 28]);
        }
    }
    let (title, sentence) = legend(result.method, lang);
    let score = match lang {
        Lang::En => format!("{title}  score {:.2} (0.50 = look closer)", result.score),
        Lang::Nl => format!("{title}  score {:.2} (0,50 = beter bekijken)", result.score)
            .replace("0.", "0,"),
    };
    text(&mut out, 8, h + 6, &score, 2, [255, 255, 255]);
    let max_chars = (out.width.saturating_sub(16)) / 8;
    let line: String = sentence.chars().take(max_chars).collect();
    text(&mut out, 8, h + 28, &line, 1, [220, 220, 220]);
    let (bar_x, bar_w) = (8, (out.width / 3).min(240));
    for x in 0..bar_w {
        let v = x as f32 / bar_w as f32;
        let (r, g, b) = ramp(v);
        let a = ((v - 0.15) / 0.6).clamp(0.0, 0.8);
        for y in h + 44..h + 56 {
            put(
                &mut out,
                bar_x + x,
                y,
                [mix(110.0, r, a), mix(110.0, g, a), mix(110.0, b, a)],
            );
        }
    }
    let (lo, hi) = match lang {
        Lang::En => ("typical", "stands out"),
        Lang::Nl => ("gewoon", "valt op"),
    };
    text(
        &mut out,
        bar_x + bar_w + 8,
        h + 46,
        &format!("{lo} -> {hi}"),
        1,
        [220, 220, 220],
    );
    out
}

/// Encodes RGB pixels as PNG bytes.
pub fn png(px: &Pixels) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    let enc = image::codecs::png::PngEncoder::new(&mut buf);
    image::ImageEncoder::write_image(
        enc,
        &px.rgb,
        px.width as u32,
        px.height as u32,
        image::ExtendedColorType::Rgb8,
    )
    .map_err(|e| e.to_string())?;
    Ok(buf)
}

fn ramp(v: f32) -> (f32, f32, f32) {
    let t = ((v - 0.25) / 0.5).clamp(0.0, 1.0);
    (255.0, 220.0 * (1.0 - t), 0.0)
}

fn mix(base: f32, over: f32, a: f32) -> u8 {
    (base * (1.0 - a) + over * a).clamp(0.0, 255.0) as u8
}

pub(crate) fn put(p: &mut Pixels, x: usize, y: usize, c: [u8; 3]) {
    if x < p.width && y < p.height {
        let i = (y * p.width + x) * 3;
        p.rgb[i..i + 3].copy_from_slice(&c);
    }
}

pub(crate) fn outline(p: &mut Pixels, x0: usize, y0: usize, x1: usize, y1: usize, c: [u8; 3]) {
    for t in 0..2 {
        for x in x0..=x1 {
            put(p, x, y0 + t, c);
            put(p, x, y1.saturating_sub(t), c);
        }
        for y in y0..=y1 {
            put(p, x0 + t, y, c);
            put(p, x1.saturating_sub(t), y, c);
        }
    }
}

/// Draws text with the public-domain 8×8 font, `scale` pixels per font pixel.
pub(crate) fn text(p: &mut Pixels, x: usize, y: usize, s: &str, scale: usize, c: [u8; 3]) {
    for (k, ch) in s.chars().enumerate() {
        let code = ch as u32;
        let glyph = match code {
            0..=127 => BASIC_LEGACY[code as usize],
            0xA0..=0xFF => LATIN_LEGACY[(code - 0xA0) as usize],
            _ => BASIC_LEGACY[b'?' as usize],
        };
        for (row, bits) in glyph.iter().enumerate() {
            for col in 0..8 {
                if bits >> col & 1 == 1 {
                    for dy in 0..scale {
                        for dx in 0..scale {
                            put(p, x + (k * 8 + col) * scale + dx, y + row * scale + dy, c);
                        }
                    }
                }
            }
        }
    }
}
