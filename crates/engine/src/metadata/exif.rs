//! EXIF (TIFF-structured) metadata through the `kamadak-exif` reader.

use exif::{Field, In, Tag, Value};
use serde::Serialize;

/// A GPS position in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Gps {
    /// Latitude, north positive.
    pub latitude: f64,
    /// Longitude, east positive.
    pub longitude: f64,
    /// Altitude in metres above sea level, if recorded.
    pub altitude: Option<f64>,
}

/// The EXIF facts a screener needs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExifFacts {
    /// Camera maker (`Make`).
    pub make: Option<String>,
    /// Camera model (`Model`).
    pub model: Option<String>,
    /// Camera body serial number.
    pub serial: Option<String>,
    /// Lens model.
    pub lens: Option<String>,
    /// Software that wrote the file (`Software`).
    pub software: Option<String>,
    /// Computer that wrote the file (`HostComputer`).
    pub host_computer: Option<String>,
    /// Free-text description.
    pub image_description: Option<String>,
    /// Free-text user comment.
    pub user_comment: Option<String>,
    /// Capture time as ISO 8601, with offset when the file records one.
    pub captured: Option<String>,
    /// Digitisation time as ISO 8601.
    pub digitized: Option<String>,
    /// Last modification time (`DateTime`) as ISO 8601.
    pub modified: Option<String>,
    /// GPS position.
    pub gps: Option<Gps>,
    /// EXIF orientation, 1 to 8.
    pub orientation: Option<u16>,
    /// Pixel width the EXIF claims.
    pub width: Option<u32>,
    /// Pixel height the EXIF claims.
    pub height: Option<u32>,
    /// Size in bytes of the embedded JPEG thumbnail.
    pub thumbnail_bytes: Option<usize>,
    /// Number of fields read.
    pub fields: usize,
    /// A parse problem, when the EXIF was read only in part or not at all.
    pub error: Option<String>,
    /// Embedded JPEG thumbnail.
    #[serde(skip)]
    pub thumbnail: Option<Vec<u8>>,
    /// XMP packet stored in tag 700 (TIFF files).
    #[serde(skip)]
    pub xmp: Option<String>,
    /// IPTC-IIM stored in tag 33723.
    #[serde(skip)]
    pub iptc: Option<Vec<u8>>,
    /// Photoshop IRB stored in tag 34377.
    #[serde(skip)]
    pub irb: Option<Vec<u8>>,
}

/// Parses TIFF-structured EXIF bytes. Partial data is used; errors are noted.
pub fn parse(tiff: &[u8]) -> ExifFacts {
    let mut facts = ExifFacts::default();
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    let exif = match reader.read_raw(tiff.to_vec()) {
        Ok(e) => e,
        Err(e) => match e.distill_partial_result(|errs| {
            facts.error = errs.first().map(|e| format!("EXIF read in part: {e}"));
        }) {
            Ok(e) => e,
            Err(e) => {
                facts.error = Some(format!("EXIF could not be read: {e}"));
                return facts;
            }
        },
    };
    let get = |tag: Tag| exif.get_field(tag, In::PRIMARY);
    let text = |tag: Tag| get(tag).and_then(ascii);
    facts.fields = exif.fields().len();
    facts.make = text(Tag::Make);
    facts.model = text(Tag::Model);
    facts.serial = text(Tag::BodySerialNumber);
    facts.lens = text(Tag::LensModel);
    facts.software = text(Tag::Software);
    facts.host_computer = get(Tag(exif::Context::Tiff, 0x013C)).and_then(ascii);
    facts.image_description = text(Tag::ImageDescription);
    facts.user_comment = get(Tag::UserComment).and_then(user_comment);
    facts.captured = date(text(Tag::DateTimeOriginal), text(Tag::OffsetTimeOriginal));
    facts.digitized = date(text(Tag::DateTimeDigitized), text(Tag::OffsetTimeDigitized));
    facts.modified = date(text(Tag::DateTime), text(Tag::OffsetTime));
    facts.orientation = get(Tag::Orientation)
        .and_then(|f| f.value.get_uint(0))
        .map(|v| v as u16);
    facts.width = get(Tag::PixelXDimension)
        .or(get(Tag::ImageWidth))
        .and_then(|f| f.value.get_uint(0));
    facts.height = get(Tag::PixelYDimension)
        .or(get(Tag::ImageLength))
        .and_then(|f| f.value.get_uint(0));
    facts.gps = gps(&exif);
    facts.xmp = get(Tag(exif::Context::Tiff, 700))
        .map(|f| crate::container::lossy_text(&raw_bytes(&f.value)));
    facts.iptc = get(Tag(exif::Context::Tiff, 33723)).map(|f| raw_bytes(&f.value));
    facts.irb = get(Tag(exif::Context::Tiff, 34377)).map(|f| raw_bytes(&f.value));
    let thumb_at = exif
        .get_field(Tag::JPEGInterchangeFormat, In::THUMBNAIL)
        .and_then(|f| f.value.get_uint(0));
    let thumb_len = exif
        .get_field(Tag::JPEGInterchangeFormatLength, In::THUMBNAIL)
        .and_then(|f| f.value.get_uint(0));
    if let (Some(at), Some(len)) = (thumb_at, thumb_len) {
        let (at, len) = (at as usize, len as usize);
        if let Some(t) = at.checked_add(len).and_then(|end| exif.buf().get(at..end)) {
            if t.starts_with(&[0xFF, 0xD8]) {
                facts.thumbnail_bytes = Some(len);
                facts.thumbnail = Some(t.to_vec());
            }
        }
    }
    facts
}

fn ascii(f: &Field) -> Option<String> {
    match &f.value {
        // Several NUL-separated strings may follow; readers (ExifTool too) take the first.
        Value::Ascii(v) => v
            .iter()
            .map(|x| crate::container::lossy_text(x).trim().to_owned())
            .find(|s| !s.is_empty()),
        Value::Byte(b) | Value::Undefined(b, _) => {
            let s = crate::container::lossy_text(b).trim().to_owned();
            (!s.is_empty()).then_some(s)
        }
        _ => None,
    }
}

fn raw_bytes(v: &Value) -> Vec<u8> {
    match v {
        Value::Byte(b) | Value::Undefined(b, _) => b.clone(),
        Value::Ascii(v) => v.concat(),
        Value::Long(v) => v.iter().flat_map(|x| x.to_be_bytes()).collect(),
        _ => Vec::new(),
    }
}

/// UserComment starts with an 8-byte character-code header.
fn user_comment(f: &Field) -> Option<String> {
    let Value::Undefined(b, _) = &f.value else {
        return ascii(f);
    };
    let (code, body) = b.split_at(b.len().min(8));
    let s = if code.starts_with(b"UNICODE") {
        let units: Vec<u16> = body
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        crate::container::lossy_text(body)
    };
    let s = s
        .trim_matches(|c: char| c == '\0' || c.is_whitespace())
        .to_owned();
    (!s.is_empty()).then_some(s)
}

/// "2021:07:04 10:11:12" plus "+02:00" into "2021-07-04T10:11:12+02:00".
fn date(dt: Option<String>, offset: Option<String>) -> Option<String> {
    let dt = dt?;
    let b = dt.as_bytes();
    if b.len() < 19
        || !b[..19].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b':' || *c == b'-',
            10 => *c == b' ' || *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
    {
        return None;
    }
    if &dt[..4] == "0000" {
        return None;
    }
    let mut s = format!("{}-{}-{}T{}", &dt[0..4], &dt[5..7], &dt[8..10], &dt[11..19]);
    if let Some(off) = offset.filter(|o| o.len() == 6 && (o.starts_with('+') || o.starts_with('-')))
    {
        s.push_str(&off);
    }
    Some(s)
}

/// Rational values as floats; some writers use signed rationals where EXIF says unsigned.
fn rationals(v: &Value) -> Option<Vec<f64>> {
    match v {
        Value::Rational(r) => Some(
            r.iter()
                .map(|x| if x.denom == 0 { f64::NAN } else { x.to_f64() })
                .collect(),
        ),
        Value::SRational(r) => Some(
            r.iter()
                .map(|x| if x.denom == 0 { f64::NAN } else { x.to_f64() })
                .collect(),
        ),
        _ => None,
    }
}

fn gps(exif: &exif::Exif) -> Option<Gps> {
    let coord = |tag: Tag, reference: Tag, negative: u8| -> Option<f64> {
        let f = exif.get_field(tag, In::PRIMARY)?;
        let r = rationals(&f.value)?;
        if r.len() < 3 || r.iter().take(3).any(|x| !x.is_finite()) {
            return None;
        }
        let v = r[0] + r[1] / 60.0 + r[2] / 3600.0;
        let neg = exif
            .get_field(reference, In::PRIMARY)
            .and_then(ascii)
            .is_some_and(|s| s.as_bytes().first() == Some(&negative));
        Some(if neg { -v } else { v })
    };
    let latitude = coord(Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S')?;
    let longitude = coord(Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W')?;
    if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
        return None;
    }
    let altitude = exif.get_field(Tag::GPSAltitude, In::PRIMARY).and_then(|f| {
        let a = *rationals(&f.value)?.first().filter(|a| a.is_finite())?;
        let below = exif
            .get_field(Tag::GPSAltitudeRef, In::PRIMARY)
            .and_then(|f| f.value.get_uint(0))
            == Some(1);
        Some(if below { -a } else { a })
    });
    Some(Gps {
        latitude,
        longitude,
        altitude,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_take_offsets() {
        assert_eq!(
            date(Some("2021:07:04 10:11:12".into()), Some("+02:00".into())).as_deref(),
            Some("2021-07-04T10:11:12+02:00")
        );
        assert_eq!(date(Some("0000:00:00 00:00:00".into()), None), None);
        assert_eq!(date(Some("garbage".into()), None), None);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let f = parse(b"II*\0\xff\xff\xff\xff");
        assert!(f.error.is_some());
    }
}
