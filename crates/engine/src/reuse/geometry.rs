//! Geometric verification: whether two pictures' features ([`super::keypoints`]) show
//! one picture, cropped, shifted or scaled. Descriptor matches alone can be chance; a
//! copy's matches agree on one scale and one shift, which chance matches do not.

use super::keypoints::{Feature, Features};

/// Largest descriptor distance (of 256 bits) of a candidate feature match.
pub const MAX_DESCRIPTOR_DISTANCE: u32 = 64;
/// A match must be clearly better than the second-best candidate: distance at most
/// this share of the second best (Lowe's ratio test).
const RATIO: f32 = 0.85;
/// Largest distance, in working-picture pixels, of an agreeing match from where the
/// scale and shift put it.
const INLIER_PIXELS: f32 = 6.0;
/// Agreeing matches needed to call two pictures one.
pub const MIN_INLIERS: usize = 12;
/// Matches tried as hypotheses (the closest ones).
const HYPOTHESES_FROM: usize = 48;

/// How a query's features map onto an earlier picture's: `earlier = scale · query + shift`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Alignment {
    /// Matches that agree with the mapping.
    pub inliers: usize,
    /// Scale from the query's working picture to the earlier one's.
    pub scale: f32,
    /// Shift, in the earlier working picture's pixels.
    pub shift: (f32, f32),
    /// Share of the earlier picture's area the query covers (1 for an uncropped copy).
    pub coverage: f32,
    /// Bounding box of the agreeing matches in the query's working picture
    /// (`x0, y0, x1, y1`): the part of the query the two pictures share for certain.
    pub query_box: (f32, f32, f32, f32),
}

/// Candidate matches: for each query feature, its nearest earlier feature when it is
/// close and unambiguous. Returns `(query, earlier, distance)`, closest first.
pub fn candidate_matches(query: &Features, earlier: &Features) -> Vec<(usize, usize, u32)> {
    let mut out = Vec::new();
    for (qi, q) in query.points.iter().enumerate() {
        let (mut best, mut second, mut best_i) = (u32::MAX, u32::MAX, 0);
        for (ei, e) in earlier.points.iter().enumerate() {
            let d = q.distance(e);
            if d < best {
                (second, best, best_i) = (best, d, ei);
            } else if d < second {
                second = d;
            }
        }
        if best <= MAX_DESCRIPTOR_DISTANCE && (best as f32) <= RATIO * second as f32 {
            out.push((qi, best_i, best));
        }
    }
    out.sort_by_key(|m| m.2);
    out
}

/// The scale-and-shift that most matches agree on, when at least [`MIN_INLIERS`] do.
pub fn align(query: &Features, earlier: &Features) -> Option<Alignment> {
    let matches = candidate_matches(query, earlier);
    if matches.len() < MIN_INLIERS {
        return None;
    }
    let pt = |f: &Feature| (f.x, f.y);
    let pairs: Vec<((f32, f32), (f32, f32))> = matches
        .iter()
        .map(|&(q, e, _)| (pt(&query.points[q]), pt(&earlier.points[e])))
        .collect();
    let n = pairs.len().min(HYPOTHESES_FROM);
    let mut best: Option<(usize, f32, (f32, f32))> = None;
    for i in 0..n {
        for j in i + 1..n {
            let Some((s, t)) = hypothesis(pairs[i], pairs[j]) else {
                continue;
            };
            let inliers = count_inliers(&pairs, s, t);
            if best.is_none_or(|b| inliers > b.0) {
                best = Some((inliers, s, t));
            }
        }
    }
    let (inliers, scale, shift) = best?;
    if inliers < MIN_INLIERS {
        return None;
    }
    let (ew, eh) = (earlier.width as f32, earlier.height as f32);
    let (qw, qh) = (query.width as f32 * scale, query.height as f32 * scale);
    let ix = (shift.0 + qw).min(ew) - shift.0.max(0.0);
    let iy = (shift.1 + qh).min(eh) - shift.1.max(0.0);
    let coverage = (ix.max(0.0) * iy.max(0.0)) / (ew * eh).max(1.0);
    let mut query_box = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for (q, e) in &pairs {
        if (scale * q.0 + shift.0 - e.0).hypot(scale * q.1 + shift.1 - e.1) <= INLIER_PIXELS {
            query_box = (
                query_box.0.min(q.0),
                query_box.1.min(q.1),
                query_box.2.max(q.0),
                query_box.3.max(q.1),
            );
        }
    }
    Some(Alignment {
        inliers,
        scale,
        shift,
        coverage,
        query_box,
    })
}

/// Scale and shift from two matches, when they are far enough apart and point the same
/// way (no rotation: turned copies are handled by describing the turned query).
fn hypothesis(
    a: ((f32, f32), (f32, f32)),
    b: ((f32, f32), (f32, f32)),
) -> Option<(f32, (f32, f32))> {
    let (dq, de) = (
        (b.0 .0 - a.0 .0, b.0 .1 - a.0 .1),
        (b.1 .0 - a.1 .0, b.1 .1 - a.1 .1),
    );
    let (lq, le) = (dq.0.hypot(dq.1), de.0.hypot(de.1));
    if lq < 20.0 || le < 20.0 {
        return None;
    }
    let cos = (dq.0 * de.0 + dq.1 * de.1) / (lq * le);
    let s = le / lq;
    if cos < 0.99 || !(0.3..=3.5).contains(&s) {
        return None;
    }
    Some((s, (a.1 .0 - s * a.0 .0, a.1 .1 - s * a.0 .1)))
}

/// A point in one picture and the point it matched in the other.
type PointPair = ((f32, f32), (f32, f32));

fn count_inliers(pairs: &[PointPair], s: f32, t: (f32, f32)) -> usize {
    pairs
        .iter()
        .filter(|(q, e)| (s * q.0 + t.0 - e.0).hypot(s * q.1 + t.1 - e.1) <= INLIER_PIXELS)
        .count()
}
