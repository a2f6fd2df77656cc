//! WebP (RIFF) chunk walker.

use super::{contains_c2pa_jumbf, le32, lossy_text, Extracted};

/// Walks the chunks of a WebP file and fills `out`.
pub fn parse(b: &[u8], out: &mut Extracted) {
    let declared = le32(b, 4).map(|n| n as usize + 8).unwrap_or(0);
    if declared > b.len() {
        out.truncated = true;
    }
    let mut pos = 12;
    for _ in 0..10_000 {
        let (Some(kind), Some(len)) = (b.get(pos..pos + 4), le32(b, pos + 4)) else {
            break;
        };
        let start = pos + 8;
        let end = start.saturating_add(len as usize);
        if end > b.len() {
            out.truncated = true;
        }
        let data = &b[start.min(b.len())..end.min(b.len())];
        match kind {
            b"VP8X" if data.len() >= 10 => {
                out.width = Some(u24(&data[4..7]) + 1);
                out.height = Some(u24(&data[7..10]) + 1);
            }
            b"VP8 " if data.len() >= 10 && out.width.is_none() => {
                out.width = Some((u16::from_le_bytes([data[6], data[7]]) & 0x3FFF) as u32);
                out.height = Some((u16::from_le_bytes([data[8], data[9]]) & 0x3FFF) as u32);
            }
            b"VP8L" if data.len() >= 5 && out.width.is_none() => {
                let v = u32::from_le_bytes([data[1], data[2], data[3], data[4]]);
                out.width = Some((v & 0x3FFF) + 1);
                out.height = Some(((v >> 14) & 0x3FFF) + 1);
            }
            b"EXIF" if out.exif.is_none() => {
                // Some writers keep the JPEG-style "Exif\0\0" prefix.
                let d = data.strip_prefix(b"Exif\0\0").unwrap_or(data);
                out.exif = Some(d.to_vec());
            }
            b"XMP " => out.xmp.push(lossy_text(data)),
            b"C2PA" => out.has_c2pa = out.has_c2pa || contains_c2pa_jumbf(data) || !data.is_empty(),
            _ => {}
        }
        // Chunks are padded to an even size.
        pos = end.saturating_add(len as usize & 1);
        if pos >= b.len() {
            break;
        }
    }
}

fn u24(b: &[u8]) -> u32 {
    b[0] as u32 | (b[1] as u32) << 8 | (b[2] as u32) << 16
}
