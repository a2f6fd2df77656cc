//! PNG chunk walker: text chunks, eXIf, XMP and C2PA.

use super::{be32, lossy_text, Extracted, TextChunk, MAX_BLOCK};
use std::io::Read;

const MAX_CHUNKS: usize = 100_000;
const MAX_TEXT_TOTAL: usize = 32 << 20;

/// Walks the chunks of a PNG file and fills `out`.
pub fn parse(b: &[u8], out: &mut Extracted) {
    let mut pos = 8;
    let mut text_total = 0usize;
    let mut ended = false;
    for _ in 0..MAX_CHUNKS {
        let (Some(len), Some(kind)) = (be32(b, pos), b.get(pos + 4..pos + 8)) else {
            break;
        };
        let len = len as usize;
        let start = pos + 8;
        let end = start.saturating_add(len);
        if end.saturating_add(4) > b.len() {
            out.truncated = true;
        }
        let data = &b[start.min(b.len())..end.min(b.len())];
        match kind {
            b"IHDR" => {
                out.width = be32(data, 0);
                out.height = be32(data, 4);
            }
            b"tEXt" | b"zTXt" | b"iTXt" => {
                if text_total < MAX_TEXT_TOTAL {
                    if let Some(chunk) = text_chunk(kind, data, out) {
                        text_total += chunk.text.len();
                        if chunk.keyword == "XML:com.adobe.xmp" {
                            out.xmp.push(chunk.text);
                        } else {
                            out.png_text.push(chunk);
                        }
                    }
                } else {
                    out.warn("more than 32 MiB of PNG text; the rest was not read");
                }
            }
            b"eXIf" if out.exif.is_none() => out.exif = Some(data.to_vec()),
            b"caBX" => out.has_c2pa = true,
            b"IEND" => {
                ended = true;
                break;
            }
            _ => {}
        }
        pos = end.saturating_add(4);
        if pos >= b.len() {
            break;
        }
    }
    if !ended {
        out.truncated = true;
    }
}

fn text_chunk(kind: &[u8], data: &[u8], out: &mut Extracted) -> Option<TextChunk> {
    let nul = memchr::memchr(0, data)?;
    let keyword = lossy_text(&data[..nul]);
    let rest = &data[nul + 1..];
    let (text, chunk) = match kind {
        b"tEXt" => (latin1(rest), "tEXt"),
        b"zTXt" => (latin1(&inflate(rest.get(1..)?, out)?), "zTXt"),
        _ => {
            let compressed = *rest.first()? == 1;
            let rest = rest.get(2..)?;
            let lang_end = memchr::memchr(0, rest)?;
            let rest = &rest[lang_end + 1..];
            let tr_end = memchr::memchr(0, rest)?;
            let body = &rest[tr_end + 1..];
            let bytes = if compressed {
                inflate(body, out)?
            } else {
                body.to_vec()
            };
            (String::from_utf8_lossy(&bytes).into_owned(), "iTXt")
        }
    };
    Some(TextChunk {
        keyword,
        text,
        chunk,
    })
}

fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| c as char).collect()
}

/// Inflates zlib data, refusing to produce more than [`MAX_BLOCK`] bytes.
fn inflate(data: &[u8], out: &mut Extracted) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut z = flate2::read::ZlibDecoder::new(data).take(MAX_BLOCK as u64 + 1);
    if z.read_to_end(&mut buf).is_err() {
        out.warn("a compressed PNG text chunk is corrupt");
        if buf.is_empty() {
            return None;
        }
    }
    if buf.len() > MAX_BLOCK {
        out.warn("a compressed PNG text chunk inflates to more than 16 MiB; it was cut");
        buf.truncate(MAX_BLOCK);
    }
    Some(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0, 0, 0, 0]);
        c
    }

    #[test]
    fn reads_text_chunks() {
        let mut f = b"\x89PNG\r\n\x1a\n".to_vec();
        f.extend(chunk(b"IHDR", &[0, 0, 1, 0, 0, 0, 0, 200, 8, 2, 0, 0, 0]));
        f.extend(chunk(b"tEXt", b"parameters\0a cat, Steps: 20"));
        f.extend(chunk(b"IEND", b""));
        let mut out = Extracted::default();
        parse(&f, &mut out);
        assert_eq!(out.width, Some(256));
        assert_eq!(out.png_text[0].keyword, "parameters");
        assert!(!out.truncated);
    }

    #[test]
    fn zip_bomb_text_is_capped() {
        use flate2::{write::ZlibEncoder, Compression};
        use std::io::Write;
        let mut e = ZlibEncoder::new(Vec::new(), Compression::best());
        for _ in 0..40 {
            e.write_all(&vec![b'a'; 1 << 20]).unwrap();
        }
        let z = e.finish().unwrap();
        let mut data = b"prompt\0\0".to_vec();
        data.extend(z);
        let mut f = b"\x89PNG\r\n\x1a\n".to_vec();
        f.extend(chunk(b"zTXt", &data));
        let mut out = Extracted::default();
        parse(&f, &mut out);
        assert_eq!(out.png_text[0].text.len(), MAX_BLOCK);
        assert!(out.truncated, "no IEND");
    }
}
