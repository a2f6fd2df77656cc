//! Pixel-forensics metrics for `proofdesk eval`: image-level AUC, detection and
//! false-alarm rates, and pixel-level F1 and IoU of each method's thresholded
//! map against the corpus masks (`expect` = `forgery:KIND;mask=PATH`).

use proofdesk_engine::forensics::{Heatmap, Method, FLAG_AT};
use proofdesk_engine::{FileReport, Format};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// Groups whose files are honest photos: any flag there is a false alarm.
pub const AUTHENTIC_GROUPS: [&str; 3] = ["camera", "orientation", "real"];

/// What one forged file scored against its mask.
struct MaskScore {
    kind: String,
    /// Per method and "combined": (image score, F1, IoU).
    by: Vec<(String, f32, f64, f64)>,
}

/// Metrics for one method (or "combined").
#[derive(Serialize)]
pub struct MethodMetrics {
    /// Method name, or `combined` (the integrity score and the maximum of the maps).
    pub method: String,
    /// Image-level AUC: forged files against the authentic groups' files.
    pub auc: Option<f64>,
    /// Share of forged files scoring at or above the flag level.
    pub detection_rate: f64,
    /// Share of authentic files scoring at or above the flag level, per group and overall.
    pub false_alarm_rate: Vec<(String, f64)>,
    /// Mean pixel-level F1 of the thresholded map against the mask, over forged files, per forgery kind and overall.
    pub pixel_f1: Vec<(String, f64)>,
    /// Mean pixel-level IoU, likewise.
    pub pixel_iou: Vec<(String, f64)>,
}

/// The pixel-forensics part of the evaluation.
#[derive(Serialize)]
pub struct PixelEval {
    /// Forged files with a mask.
    pub forged: usize,
    /// Authentic files per group.
    pub authentic: Vec<(String, usize)>,
    /// Flag level the rates use.
    pub threshold: f32,
    /// Per method, then `combined`.
    pub methods: Vec<MethodMetrics>,
}

fn names() -> Vec<String> {
    let mut v: Vec<String> = Method::ALL.iter().map(|m| m.as_str().to_owned()).collect();
    v.push("combined".into());
    v
}

fn score_of(r: &FileReport, name: &str) -> f32 {
    let Some(f) = &r.forensics else { return 0.0 };
    if name == "combined" {
        return f.integrity_score;
    }
    f.methods
        .iter()
        .find(|m| m.method.as_str() == name)
        .map_or(0.0, |m| m.score)
}

/// Pixel F1 and IoU of `predicted(x, y)` against the mask (white = changed).
fn overlap(
    mask: &[bool],
    w: usize,
    h: usize,
    predicted: impl Fn(usize, usize) -> bool,
) -> (f64, f64) {
    let (mut tp, mut fp, mut fneg) = (0u64, 0u64, 0u64);
    for y in 0..h {
        for x in 0..w {
            match (predicted(x, y), mask[y * w + x]) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fneg += 1,
                _ => {}
            }
        }
    }
    let f1 = if tp == 0 {
        0.0
    } else {
        2.0 * tp as f64 / (2 * tp + fp + fneg) as f64
    };
    let iou = if tp == 0 {
        0.0
    } else {
        tp as f64 / (tp + fp + fneg) as f64
    };
    (f1, iou)
}

fn load_mask(path: &Path) -> Option<(Vec<bool>, usize, usize)> {
    let bytes = std::fs::read(path).ok()?;
    let px =
        proofdesk_engine::pixels::decode(&bytes, Format::detect(&bytes), (None, None), 100_000_000)
            .ok()?;
    let mask = px
        .rgb
        .chunks_exact(3)
        .map(|p| p[0] as u32 + p[1] as u32 + p[2] as u32 > 3 * 127)
        .collect();
    Some((mask, px.width, px.height))
}

fn mask_score(r: &FileReport, kind: &str, mask_path: &Path) -> Option<MaskScore> {
    let f = r.forensics.as_ref()?;
    let (mask, w, h) = load_mask(mask_path)?;
    if (w, h) != f.size {
        return None;
    }
    let maps: Vec<(&str, &Heatmap, f32)> = f
        .methods
        .iter()
        .map(|m| (m.method.as_str(), &m.heatmap, m.score))
        .collect();
    let mut by = Vec::new();
    for (name, map, score) in &maps {
        let (f1, iou) = overlap(&mask, w, h, |x, y| map.at_pixel(x, y) >= 0.5);
        by.push((name.to_string(), *score, f1, iou));
    }
    let (f1, iou) = overlap(&mask, w, h, |x, y| {
        maps.iter().any(|(_, m, _)| m.at_pixel(x, y) >= 0.5)
    });
    by.push(("combined".into(), f.integrity_score, f1, iou));
    Some(MaskScore {
        kind: kind.to_owned(),
        by,
    })
}

/// Area under the ROC curve (Mann–Whitney), ties counting half.
pub fn auc(pos: &[f32], neg: &[f32]) -> Option<f64> {
    if pos.is_empty() || neg.is_empty() {
        return None;
    }
    let mut s = 0.0;
    for p in pos {
        for n in neg {
            s += if p > n {
                1.0
            } else if p == n {
                0.5
            } else {
                0.0
            };
        }
    }
    Some(s / (pos.len() * neg.len()) as f64)
}

/// Computes the metrics from (group, expect, report) rows and the corpus folder.
pub fn evaluate(corpus: &Path, rows: &[(&str, &str, &FileReport)]) -> Option<PixelEval> {
    let mut forged = Vec::new();
    for (_, expect, r) in rows {
        let Some(rest) = expect.strip_prefix("forgery:") else {
            continue;
        };
        let (kind, mask) = rest.split_once(";mask=").unwrap_or((rest, ""));
        if let Some(s) = mask_score(r, kind, &corpus.join(mask)) {
            forged.push(s);
        }
    }
    if forged.is_empty() {
        return None;
    }
    let authentic: Vec<(&str, &FileReport)> = rows
        .iter()
        .filter(|(g, _, r)| AUTHENTIC_GROUPS.contains(g) && r.forensics.is_some())
        .map(|(g, _, r)| (*g, *r))
        .collect();
    let mut kinds: Vec<String> = forged.iter().map(|f| f.kind.clone()).collect();
    kinds.sort();
    kinds.dedup();
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let methods = names()
        .into_iter()
        .map(|name| {
            let pos: Vec<f32> = forged
                .iter()
                .map(|f| f.by.iter().find(|b| b.0 == name).map_or(0.0, |b| b.1))
                .collect();
            let neg: Vec<f32> = authentic.iter().map(|(_, r)| score_of(r, &name)).collect();
            let rate = |v: &[f32]| {
                if v.is_empty() {
                    0.0
                } else {
                    v.iter().filter(|s| **s >= FLAG_AT).count() as f64 / v.len() as f64
                }
            };
            let mut false_alarm_rate: Vec<(String, f64)> = AUTHENTIC_GROUPS
                .iter()
                .map(|g| {
                    let v: Vec<f32> = authentic
                        .iter()
                        .filter(|(gg, _)| gg == g)
                        .map(|(_, r)| score_of(r, &name))
                        .collect();
                    (g.to_string(), rate(&v))
                })
                .collect();
            false_alarm_rate.push(("all".into(), rate(&neg)));
            let per = |k: Option<&str>, pick: fn(&(String, f32, f64, f64)) -> f64| {
                let v: Vec<f64> = forged
                    .iter()
                    .filter(|f| k.is_none_or(|k| f.kind == k))
                    .filter_map(|f| f.by.iter().find(|b| b.0 == name).map(pick))
                    .collect();
                mean(&v)
            };
            let split = |pick: fn(&(String, f32, f64, f64)) -> f64| {
                let mut v: Vec<(String, f64)> = kinds
                    .iter()
                    .map(|k| (k.clone(), per(Some(k), pick)))
                    .collect();
                v.push(("all".into(), per(None, pick)));
                v
            };
            MethodMetrics {
                auc: auc(&pos, &neg),
                detection_rate: rate(&pos),
                false_alarm_rate,
                pixel_f1: split(|b| b.2),
                pixel_iou: split(|b| b.3),
                method: name,
            }
        })
        .collect();
    let authentic_counts = AUTHENTIC_GROUPS
        .iter()
        .map(|g| {
            (
                g.to_string(),
                authentic.iter().filter(|(gg, _)| gg == g).count(),
            )
        })
        .collect();
    Some(PixelEval {
        forged: forged.len(),
        authentic: authentic_counts,
        threshold: FLAG_AT,
        methods,
    })
}

/// Writes the metrics as a table.
pub fn write_table(out: &mut impl Write, e: &PixelEval) -> std::io::Result<()> {
    let counts: Vec<String> = e
        .authentic
        .iter()
        .map(|(g, n)| format!("{g} {n}"))
        .collect();
    writeln!(
        out,
        "\npixel forensics: {} forged files with masks; authentic: {}; flag level {:.2}",
        e.forged,
        counts.join(", "),
        e.threshold
    )?;
    let kinds: Vec<&str> = e
        .methods
        .first()
        .map(|m| m.pixel_f1.iter().map(|(k, _)| k.as_str()).collect())
        .unwrap_or_default();
    write!(
        out,
        "{:<12} {:>6} {:>9}  false alarms (camera/orientation/real/all)",
        "method", "AUC", "detected"
    )?;
    for k in &kinds {
        write!(out, "  F1/IoU {k}")?;
    }
    writeln!(out)?;
    for m in &e.methods {
        let fa: Vec<String> = m
            .false_alarm_rate
            .iter()
            .map(|(_, r)| format!("{:.0}%", r * 100.0))
            .collect();
        let auc = m.auc.map_or("-".into(), |a| format!("{a:.3}"));
        write!(
            out,
            "{:<12} {:>6} {:>8.0}%  {:<42}",
            m.method,
            auc,
            m.detection_rate * 100.0,
            fa.join(" / ")
        )?;
        for (f, i) in m.pixel_f1.iter().zip(&m.pixel_iou) {
            write!(
                out,
                "  {:.2}/{:.2}{}",
                f.1,
                i.1,
                " ".repeat(f.0.len().saturating_sub(2))
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_and_overlap_are_right_on_known_cases() {
        assert_eq!(auc(&[0.9, 0.8], &[0.1, 0.2]), Some(1.0));
        assert_eq!(auc(&[0.1], &[0.9]), Some(0.0));
        assert_eq!(auc(&[0.5], &[0.5]), Some(0.5));
        let mask = vec![true, true, false, false];
        let (f1, iou) = overlap(&mask, 2, 2, |x, y| y == 0 && x == 0);
        assert!((f1 - 2.0 / 3.0).abs() < 1e-9 && (iou - 0.5).abs() < 1e-9);
    }
}
