//! IPTC-IIM records and Photoshop image resource blocks (IRB).

use crate::container::{be16, be32, lossy_text};
use serde::Serialize;

/// Facts from a Photoshop image resource block.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Irb {
    /// Resource ids present, in order (first 64).
    pub resources: Vec<u16>,
    /// Writer named by the version-info resource (0x0421), e.g. "Adobe Photoshop".
    pub writer: Option<String>,
    /// Whether a Photoshop thumbnail resource (0x0409/0x040C) is present.
    pub photoshop_thumbnail: bool,
    /// IPTC-IIM bytes from resource 0x0404.
    #[serde(skip)]
    pub iim: Option<Vec<u8>>,
}

/// Parses a Photoshop image resource block.
pub fn parse_irb(b: &[u8]) -> Irb {
    let mut irb = Irb::default();
    let mut p = 0;
    while p + 12 <= b.len() && &b[p..p + 4] == b"8BIM" {
        let Some(id) = be16(b, p + 4) else { break };
        let name_len = b[p + 6] as usize;
        let name_total = (1 + name_len + 1) & !1;
        let size_at = p + 6 + name_total;
        let Some(size) = be32(b, size_at) else { break };
        let start = size_at + 4;
        let Some(end) = start.checked_add(size as usize).filter(|&e| e <= b.len()) else {
            break;
        };
        let data = &b[start..end];
        if irb.resources.len() < 64 {
            irb.resources.push(id);
        }
        match id {
            0x0404 => irb.iim = Some(data.to_vec()),
            0x0409 | 0x040C => irb.photoshop_thumbnail = true,
            0x0421 => irb.writer = version_writer(data),
            _ => {}
        }
        p = (end + 1) & !1;
    }
    irb
}

/// The writer name from a version-info resource: u32 version, u8 flag, unicode strings.
fn version_writer(d: &[u8]) -> Option<String> {
    let n = be32(d, 5)? as usize;
    let s = d.get(9..9 + n.checked_mul(2)?)?;
    let units: Vec<u16> = s
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    let w = String::from_utf16_lossy(&units)
        .trim_end_matches('\0')
        .to_owned();
    (!w.is_empty()).then_some(w)
}

/// Parses IPTC-IIM datasets into `(name, value)` pairs (record 2 only).
pub fn parse_iim(b: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut p = 0;
    while p + 5 <= b.len() && b[p] == 0x1C && out.len() < 1000 {
        let (record, dataset) = (b[p + 1], b[p + 2]);
        let Some(len) = be16(b, p + 3) else { break };
        let mut start = p + 5;
        let len = if len & 0x8000 != 0 {
            // Extended dataset: the low bits give the size of the length field.
            let n = (len & 0x7FFF) as usize;
            if n > 4 {
                break;
            }
            let mut v = 0usize;
            for i in 0..n {
                v = v << 8 | *b.get(start + i).unwrap_or(&0) as usize;
            }
            start += n;
            v
        } else {
            len as usize
        };
        let Some(data) = start.checked_add(len).and_then(|e| b.get(start..e)) else {
            break;
        };
        if record == 2 {
            let name = match dataset {
                5 => "ObjectName",
                25 => "Keywords",
                55 => "DateCreated",
                60 => "TimeCreated",
                65 => "OriginatingProgram",
                70 => "ProgramVersion",
                80 => "By-line",
                110 => "Credit",
                115 => "Source",
                116 => "CopyrightNotice",
                120 => "Caption-Abstract",
                _ => "",
            };
            if !name.is_empty() {
                out.push((name.to_owned(), lossy_text(data)));
            }
        }
        p = start + len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_iim_program() {
        let mut b = vec![0x1C, 2, 65, 0, 9];
        b.extend_from_slice(b"Photoshop");
        assert_eq!(
            parse_iim(&b),
            vec![("OriginatingProgram".into(), "Photoshop".into())]
        );
    }

    #[test]
    fn hostile_irb_lengths_stop_cleanly() {
        let mut b = b"8BIM\x04\x04\0\0".to_vec();
        b.extend_from_slice(&u32::MAX.to_be_bytes());
        let irb = parse_irb(&b);
        assert!(irb.iim.is_none());
    }
}
