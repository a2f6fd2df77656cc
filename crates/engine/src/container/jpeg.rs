//! JPEG segment walker.

use super::{be16, contains_c2pa_jumbf, lossy_text, Extracted, JpegStructure, MAX_BLOCK};
use std::collections::BTreeMap;

const XMP_MAIN: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const XMP_EXT: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";
const MAX_SEGMENTS: usize = 10_000;

/// Walks the segments of a JPEG file and fills `out`.
pub fn parse(b: &[u8], out: &mut Extracted) {
    let mut js = JpegStructure::default();
    let mut ext_xmp: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
    let mut ext_len = 0usize;
    let mut pos = 2; // after SOI
    let mut segments = 0;
    let mut ended = false;
    while pos < b.len() {
        segments += 1;
        if segments > MAX_SEGMENTS {
            out.warn("more than 10,000 JPEG segments; the rest was not read");
            break;
        }
        if b[pos] != 0xFF {
            out.warn(format!("expected a JPEG marker at byte {pos}"));
            break;
        }
        // Skip fill bytes.
        while pos < b.len() && b[pos] == 0xFF {
            pos += 1;
        }
        let Some(&marker) = b.get(pos) else { break };
        pos += 1;
        match marker {
            0xD8 | 0x01 | 0xD0..=0xD7 => continue,
            0xD9 => {
                ended = true;
                break;
            }
            _ => {}
        }
        let Some(len) = be16(b, pos) else {
            out.truncated = true;
            break;
        };
        let len = len as usize;
        if len < 2 {
            out.warn(format!(
                "JPEG segment 0x{marker:02X} has an impossible length {len}"
            ));
            break;
        }
        let end = pos + len;
        if end > b.len() {
            out.truncated = true;
        }
        let data = &b[(pos + 2).min(b.len())..end.min(b.len())];
        handle_segment(marker, data, out, &mut js, &mut ext_xmp, &mut ext_len);
        pos = end;
        if marker == 0xDA {
            match skip_entropy(b, pos) {
                Some(next) => pos = next,
                None => {
                    out.truncated = true;
                    pos = b.len();
                }
            }
        }
    }
    if !ended {
        out.truncated = true;
    } else {
        let tail = &b[(pos).min(b.len())..];
        js.trailing_bytes = tail.len();
        js.trailing_jpeg = memchr::memmem::find(tail, &[0xFF, 0xD8, 0xFF]).is_some();
    }
    if !ext_xmp.is_empty() {
        let mut whole = Vec::new();
        for (_, chunk) in ext_xmp {
            whole.extend_from_slice(&chunk);
        }
        out.xmp.push(lossy_text(&whole));
    }
    out.jpeg = Some(js);
}

/// Returns the position of the first marker after entropy-coded data.
fn skip_entropy(b: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        let off = memchr::memchr(0xFF, b.get(pos..)?)?;
        let at = pos + off;
        let next = *b.get(at + 1)?;
        match next {
            0x00 | 0xD0..=0xD7 | 0xFF => pos = at + 1,
            _ => return Some(at),
        }
    }
}

fn handle_segment(
    marker: u8,
    data: &[u8],
    out: &mut Extracted,
    js: &mut JpegStructure,
    ext_xmp: &mut BTreeMap<u32, Vec<u8>>,
    ext_len: &mut usize,
) {
    match marker {
        0xC0..=0xCF if marker != 0xC4 && marker != 0xC8 && marker != 0xCC => {
            js.sof_marker.get_or_insert(marker);
            if out.width.is_none() && data.len() >= 6 {
                out.height = be16(data, 1).map(u32::from);
                out.width = be16(data, 3).map(u32::from);
                let n = data[5] as usize;
                let mut s = Vec::new();
                for i in 0..n.min(4) {
                    if let Some(&f) = data.get(6 + i * 3 + 1) {
                        s.push(format!("{}x{}", f >> 4, f & 15));
                    }
                }
                js.sampling = Some(s.join(","));
            }
        }
        0xDB => parse_dqt(data, js),
        0xFE if out.comments.len() < 16 => {
            out.comments
                .push(lossy_text(&data[..data.len().min(64 << 10)]));
        }
        0xE0..=0xEF => {
            let n = marker - 0xE0;
            let id = app_id(data);
            if js.app_segments.len() < 64 {
                js.app_segments.push(format!("APP{n}:{id}"));
            }
            if n == 1 && data.starts_with(b"Exif\0") && out.exif.is_none() {
                // "Exif\0\0" normally, but some writers use a single NUL.
                let skip = if data.get(5) == Some(&0) { 6 } else { 5 };
                out.exif = Some(data[skip.min(data.len())..].to_vec());
            } else if n == 1 && data.starts_with(XMP_MAIN) {
                out.xmp.push(lossy_text(&data[XMP_MAIN.len()..]));
            } else if n == 1 && data.starts_with(XMP_EXT) {
                let d = &data[XMP_EXT.len()..];
                if d.len() > 40 && *ext_len + d.len() <= MAX_BLOCK {
                    let offset = super::be32(d, 36).unwrap_or(0);
                    *ext_len += d.len() - 40;
                    ext_xmp.insert(offset, d[40..].to_vec());
                }
            } else if n == 13 && data.starts_with(b"Photoshop 3.0\0") {
                let irb = &data[14..];
                match &mut out.photoshop_irb {
                    Some(v) if v.len() + irb.len() <= MAX_BLOCK => v.extend_from_slice(irb),
                    None => out.photoshop_irb = Some(irb.to_vec()),
                    _ => {}
                }
            } else if n == 11 && contains_c2pa_jumbf(data) {
                out.has_c2pa = true;
            }
        }
        _ => {}
    }
}

/// A short printable identifier for an application segment.
fn app_id(data: &[u8]) -> String {
    let end = data
        .iter()
        .take(32)
        .position(|&c| c == 0 || !(0x20..0x7F).contains(&c))
        .unwrap_or(data.len().min(32));
    String::from_utf8_lossy(&data[..end]).into_owned()
}

fn parse_dqt(data: &[u8], js: &mut JpegStructure) {
    let mut p = 0;
    while p < data.len() {
        let pq = data[p] >> 4;
        let tq = data[p] & 15;
        p += 1;
        let size = if pq == 0 { 64 } else { 128 };
        let Some(t) = data.get(p..p + size) else {
            return;
        };
        let table: Vec<u16> = if pq == 0 {
            t.iter().map(|&v| v as u16).collect()
        } else {
            t.chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect()
        };
        js.quant_tables.retain(|(id, _)| *id != tq);
        js.quant_tables.push((tq, table));
        p += size;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_jpeg_is_reported_not_panicking() {
        let mut out = Extracted::default();
        parse(&[0xFF, 0xD8, 0xFF, 0xE1, 0x40, 0x00, b'E'], &mut out);
        assert!(out.truncated);
    }

    #[test]
    fn reads_comment_and_dimensions() {
        let mut f = vec![0xFF, 0xD8];
        f.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x07]);
        f.extend_from_slice(b"hello");
        f.extend_from_slice(&[
            0xFF, 0xC0, 0x00, 0x0B, 8, 0x00, 0x10, 0x00, 0x20, 1, 1, 0x11, 0,
        ]);
        f.extend_from_slice(&[0xFF, 0xD9]);
        let mut out = Extracted::default();
        parse(&f, &mut out);
        assert_eq!(out.comments, vec!["hello".to_string()]);
        assert_eq!((out.width, out.height), (Some(32), Some(16)));
        assert!(!out.truncated);
    }
}
