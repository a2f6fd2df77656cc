//! HEIF / HEIC / AVIF (ISO base media file format): metadata items only.
//!
//! Pixels are HEVC- or AV1-coded and not decoded here; EXIF and XMP are items
//! located through the `meta` box's `iinf` and `iloc` tables.

use super::{be16, be32, contains_c2pa_jumbf, lossy_text, Extracted, MAX_BLOCK};

const MAX_DEPTH: usize = 8;
const MAX_ITEMS: usize = 10_000;

/// A box: its type and its payload range in the file.
struct Bx {
    kind: [u8; 4],
    start: usize,
    end: usize,
}

/// Lists the boxes in `b[from..to]`, stopping at the first malformed one.
fn boxes(b: &[u8], from: usize, to: usize, out: &mut Extracted) -> Vec<Bx> {
    let mut v = Vec::new();
    let mut pos = from;
    while pos + 8 <= to && v.len() < MAX_ITEMS {
        let Some(size32) = be32(b, pos) else { break };
        let kind: [u8; 4] = b[pos + 4..pos + 8].try_into().unwrap_or_default();
        let (header, size) = match size32 {
            0 => (8, (to - pos) as u64),
            1 => match (be32(b, pos + 8), be32(b, pos + 12)) {
                (Some(hi), Some(lo)) => (16, (hi as u64) << 32 | lo as u64),
                _ => break,
            },
            n => (8, n as u64),
        };
        if size < header as u64 {
            out.warn("an ISO box has an impossible size");
            break;
        }
        let end = pos as u64 + size;
        if end > to as u64 {
            out.truncated = true;
        }
        let end = end.min(to as u64) as usize;
        if pos + header > end {
            out.truncated = true;
            break;
        }
        v.push(Bx {
            kind,
            start: pos + header,
            end,
        });
        pos = end;
    }
    v
}

/// Item information: id to type (and MIME type for `mime` items).
struct Item {
    id: u32,
    kind: [u8; 4],
    content_type: String,
}

/// One item location: construction method and extents (offset, length).
struct Loc {
    id: u32,
    method: u8,
    base: u64,
    extents: Vec<(u64, u64)>,
}

/// Reads the metadata items of a HEIF file into `out`.
pub fn parse(b: &[u8], out: &mut Extracted) {
    out.brand = b.get(8..12).map(lossy_text);
    out.has_c2pa = contains_c2pa_jumbf(b);
    let top = boxes(b, 0, b.len(), out);
    let Some(meta) = top.iter().find(|x| &x.kind == b"meta") else {
        out.warn("no 'meta' box: not a HEIF image");
        return;
    };
    let inner = boxes(b, meta.start + 4, meta.end, out);
    let mut items = Vec::new();
    let mut locs = Vec::new();
    let mut idat = None;
    for bx in &inner {
        match &bx.kind {
            b"iinf" => items = parse_iinf(b, bx, out),
            b"iloc" => locs = parse_iloc(&b[bx.start..bx.end]).unwrap_or_default(),
            b"idat" => idat = Some((bx.start, bx.end)),
            b"iprp" => find_ispe(b, bx.start, bx.end, out, 0),
            _ => {}
        }
    }
    for item in &items {
        let is_exif = &item.kind == b"Exif";
        let is_xmp = &item.kind == b"mime" && item.content_type.contains("rdf+xml");
        if !is_exif && !is_xmp {
            continue;
        }
        let Some(loc) = locs.iter().find(|l| l.id == item.id) else {
            continue;
        };
        let Some(data) = item_bytes(b, loc, idat) else {
            out.truncated = true;
            continue;
        };
        if is_exif {
            // 4-byte offset to the TIFF header, usually past "Exif\0\0".
            let skip = be32(&data, 0).unwrap_or(0) as usize + 4;
            if let Some(tiff) = data.get(skip..) {
                out.exif.get_or_insert_with(|| tiff.to_vec());
            }
        } else {
            out.xmp.push(lossy_text(&data));
        }
    }
}

fn item_bytes(b: &[u8], loc: &Loc, idat: Option<(usize, usize)>) -> Option<Vec<u8>> {
    let (area, area_start) = match loc.method {
        0 => (b, 0usize),
        1 => {
            let (s, e) = idat?;
            (&b[s..e], s)
        }
        _ => return None,
    };
    let _ = area_start;
    let mut v = Vec::new();
    for &(off, len) in &loc.extents {
        let start = usize::try_from(loc.base.checked_add(off)?).ok()?;
        let len = if len == 0 {
            area.len().checked_sub(start)?
        } else {
            usize::try_from(len).ok()?
        };
        if v.len() + len > MAX_BLOCK {
            return None;
        }
        v.extend_from_slice(area.get(start..start.checked_add(len)?)?);
    }
    Some(v)
}

fn parse_iinf(b: &[u8], bx: &Bx, out: &mut Extracted) -> Vec<Item> {
    let d = &b[bx.start..bx.end];
    let version = d.first().copied().unwrap_or(0);
    let first = if version == 0 { 6 } else { 8 };
    let mut items = Vec::new();
    for infe in boxes(b, bx.start + first, bx.end, out) {
        if &infe.kind != b"infe" {
            continue;
        }
        let e = &b[infe.start..infe.end];
        let v = e.first().copied().unwrap_or(0);
        if v < 2 {
            continue;
        }
        let (id, p) = if v == 2 {
            (be16(e, 4).map(u32::from), 6)
        } else {
            (be32(e, 4), 8)
        };
        let (Some(id), Some(kind)) = (id, e.get(p + 2..p + 6)) else {
            continue;
        };
        let kind: [u8; 4] = kind.try_into().unwrap_or_default();
        let rest = e.get(p + 6..).unwrap_or_default();
        let mut parts = rest.split(|&c| c == 0);
        let _name = parts.next();
        let content_type = parts.next().map(lossy_text).unwrap_or_default();
        items.push(Item {
            id,
            kind,
            content_type,
        });
    }
    items
}

fn read_n(d: &[u8], p: &mut usize, n: u8) -> Option<u64> {
    let v = match n {
        0 => 0,
        2 => be16(d, *p)? as u64,
        4 => be32(d, *p)? as u64,
        8 => (be32(d, *p)? as u64) << 32 | be32(d, *p + 4)? as u64,
        _ => return None,
    };
    *p += n as usize;
    Some(v)
}

fn parse_iloc(d: &[u8]) -> Option<Vec<Loc>> {
    let version = *d.first()?;
    let sizes = *d.get(4)?;
    let sizes2 = *d.get(5)?;
    let (off_size, len_size, base_size) = (sizes >> 4, sizes & 15, sizes2 >> 4);
    let index_size = if version >= 1 { sizes2 & 15 } else { 0 };
    let mut p = 6;
    let count = if version < 2 {
        read_n(d, &mut p, 2)?
    } else {
        read_n(d, &mut p, 4)?
    };
    let mut locs = Vec::new();
    for _ in 0..count.min(MAX_ITEMS as u64) {
        let id = if version < 2 {
            read_n(d, &mut p, 2)?
        } else {
            read_n(d, &mut p, 4)?
        } as u32;
        let method = if version >= 1 {
            (read_n(d, &mut p, 2)? & 15) as u8
        } else {
            0
        };
        let _data_ref = read_n(d, &mut p, 2)?;
        let base = read_n(d, &mut p, base_size)?;
        let n_ext = read_n(d, &mut p, 2)?;
        let mut extents = Vec::new();
        for _ in 0..n_ext.min(1024) {
            let _index = read_n(d, &mut p, index_size)?;
            let off = read_n(d, &mut p, off_size)?;
            let len = read_n(d, &mut p, len_size)?;
            extents.push((off, len));
        }
        locs.push(Loc {
            id,
            method,
            base,
            extents,
        });
    }
    Some(locs)
}

/// Finds the largest `ispe` (image spatial extents) below `iprp`.
fn find_ispe(b: &[u8], from: usize, to: usize, out: &mut Extracted, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    for bx in boxes(b, from, to, out) {
        match &bx.kind {
            b"ipco" => find_ispe(b, bx.start, bx.end, out, depth + 1),
            b"ispe" => {
                if let (Some(w), Some(h)) = (be32(b, bx.start + 4), be32(b, bx.start + 8)) {
                    let area = |w: Option<u32>, h: Option<u32>| {
                        w.unwrap_or(0) as u64 * h.unwrap_or(0) as u64
                    };
                    if w as u64 * h as u64 > area(out.width, out.height) {
                        out.width = Some(w);
                        out.height = Some(h);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }

    fn sample() -> Vec<u8> {
        let tiff = b"\0\0\0\x06Exif\0\0MM\0*\0\0\0\x08\0\0";
        let mut infe = vec![2, 0, 0, 0, 0, 1, 0, 0];
        infe.extend_from_slice(b"Exif\0");
        let mut iinf = vec![0, 0, 0, 0, 0, 1];
        iinf.extend(bx(b"infe", &infe));
        // iloc v1: offset 4, length 4, base 0; one item, idat construction, one extent.
        let mut iloc = vec![1, 0, 0, 0, 0x44, 0x00, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1];
        iloc.extend_from_slice(&0u32.to_be_bytes());
        iloc.extend_from_slice(&(tiff.len() as u32).to_be_bytes());
        let mut meta = vec![0, 0, 0, 0];
        meta.extend(bx(b"iinf", &iinf));
        meta.extend(bx(b"iloc", &iloc));
        meta.extend(bx(b"idat", tiff));
        let mut f = bx(b"ftyp", b"heic\0\0\0\0mif1heic");
        f.extend(bx(b"meta", &meta));
        f
    }

    #[test]
    fn finds_exif_item_in_idat() {
        let mut out = Extracted::default();
        parse(&sample(), &mut out);
        assert!(
            out.exif.as_deref().is_some_and(|e| e.starts_with(b"MM\0*")),
            "{:?}",
            out.warnings
        );
    }

    #[test]
    fn every_truncation_is_handled() {
        let f = sample();
        for n in 0..f.len() {
            let mut out = Extracted::default();
            parse(&f[..n], &mut out);
        }
    }
}
