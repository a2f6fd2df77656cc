//! The side-by-side picture of a reuse match: this photo next to the earlier one,
//! turned the same way, with a caption a person can read without help.

use super::Dihedral;
use crate::forensics::render::{put, text};
use crate::pixels::Pixels;

/// Height of each picture in the side-by-side view.
const HEIGHT: usize = 400;
/// Space between the pictures and around the caption.
const GAP: usize = 8;
/// Height of the caption strip.
const CAPTION: usize = 44;

/// `px` turned or mirrored by `t` (the pixel-domain twin of the hash transform).
pub fn turn(px: &Pixels, t: Dihedral) -> Pixels {
    let (transpose, mirror_lr, mirror_tb) = t.steps();
    let (w, h) = if transpose {
        (px.height, px.width)
    } else {
        (px.width, px.height)
    };
    let mut rgb = vec![0u8; w * h * 3];
    for y in 0..h {
        for x in 0..w {
            let x1 = if mirror_lr { w - 1 - x } else { x };
            let y1 = if mirror_tb { h - 1 - y } else { y };
            let (sx, sy) = if transpose { (y1, x1) } else { (x1, y1) };
            let s = (sy * px.width + sx) * 3;
            rgb[(y * w + x) * 3..][..3].copy_from_slice(&px.rgb[s..s + 3]);
        }
    }
    Pixels {
        width: w,
        height: h,
        rgb,
    }
}

/// `this` and `earlier` side by side at one height, each captioned (one line each).
pub fn side_by_side(this: &Pixels, earlier: &Pixels, captions: [&str; 2]) -> Pixels {
    let width_at = |p: &Pixels| (p.width * HEIGHT / p.height.max(1)).clamp(1, 3 * HEIGHT);
    let (wa, wb) = (width_at(this), width_at(earlier));
    let width = (wa + wb + 3 * GAP).max(640);
    let height = HEIGHT + 2 * GAP + CAPTION;
    let mut out = Pixels {
        width,
        height,
        rgb: vec![0; width * height * 3],
    };
    for y in 0..height {
        for x in 0..width {
            put(&mut out, x, y, [24, 24, 28]);
        }
    }
    for (p, x0, w) in [(this, GAP, wa), (earlier, 2 * GAP + wa, wb)] {
        for y in 0..HEIGHT {
            let sy = (y * p.height / HEIGHT).min(p.height - 1);
            for x in 0..w {
                let sx = (x * p.width / w).min(p.width - 1);
                let i = (sy * p.width + sx) * 3;
                put(
                    &mut out,
                    x0 + x,
                    GAP + y,
                    [p.rgb[i], p.rgb[i + 1], p.rgb[i + 2]],
                );
            }
        }
    }
    let max_chars = |w: usize| w / 8;
    for (k, (caption, x0, w)) in [(captions[0], GAP, wa), (captions[1], 2 * GAP + wa, wb)]
        .into_iter()
        .enumerate()
    {
        // Long captions wrap at spaces onto further lines under their own picture.
        let room = max_chars(w.max(200)).max(10);
        let colour = if k == 0 {
            [255, 255, 255]
        } else {
            [255, 210, 120]
        };
        for (line, s) in wrap(caption, room).iter().take(3).enumerate() {
            text(&mut out, x0, HEIGHT + 2 * GAP + line * 12, s, 1, colour);
        }
    }
    out
}

/// `s` in lines of at most `room` characters, broken at spaces where possible.
fn wrap(s: &str, room: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        let fits = line.chars().count() + 1 + word.chars().count() <= room;
        if !line.is_empty() && !fits {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        // A word longer than a line is cut.
        while line.chars().count() > room {
            let head: String = line.chars().take(room).collect();
            line = line.chars().skip(room).collect();
            lines.push(head);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    #[test]
    fn captions_wrap_at_spaces() {
        assert_eq!(
            super::wrap("Seen 2026-12-01 with claim 7 (10 of 256 bits differ)", 20),
            ["Seen 2026-12-01 with", "claim 7 (10 of 256", "bits differ)"]
        );
        assert_eq!(super::wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
    }

    use super::*;

    #[test]
    fn turning_then_undoing_gives_the_original() {
        let px = Pixels {
            width: 3,
            height: 2,
            rgb: (0..18).collect(),
        };
        for t in Dihedral::ALL {
            let turned = turn(&px, t);
            let again = turn(&turned, t.inverse());
            assert_eq!((again.width, again.height), (3, 2), "{t:?}");
            assert_eq!(again.rgb, px.rgb, "{t:?}");
        }
        // A quarter turn clockwise puts the bottom-left pixel at the top left.
        let r = turn(&px, Dihedral::Rotate90);
        assert_eq!(&r.rgb[..3], &px.rgb[9..12]);
    }
}
