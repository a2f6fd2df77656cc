//! Metadata: interprets the blocks the container parsers found.

pub mod exif;
pub mod iptc;
pub mod xmp;

use crate::container::{Extracted, JpegStructure};
use crate::jpeg_quality::{self, QualityEstimate};
use serde::Serialize;
use xmp::XmpProp;

/// A PNG text chunk as it appears in a report: keyword, size and an excerpt.
#[derive(Debug, Clone, Serialize)]
pub struct TextSummary {
    /// Chunk keyword.
    pub keyword: String,
    /// Chunk type.
    pub chunk: &'static str,
    /// Length of the text in bytes.
    pub length: usize,
    /// The first 160 characters.
    pub excerpt: String,
}

/// All metadata of one file, interpreted.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Metadata {
    /// Pixel width from the file header.
    pub width: Option<u32>,
    /// Pixel height from the file header.
    pub height: Option<u32>,
    /// EXIF facts.
    pub exif: Option<exif::ExifFacts>,
    /// Number of XMP properties read.
    pub xmp_properties: usize,
    /// XMP properties that matter for screening (source type, tools, history, AI fields).
    pub xmp: Vec<XmpProp>,
    /// IPTC-IIM datasets.
    pub iptc: Vec<(String, String)>,
    /// Photoshop image resources.
    pub photoshop: Option<iptc::Irb>,
    /// PNG text chunks.
    pub png_text: Vec<TextSummary>,
    /// JPEG comments.
    pub comments: Vec<String>,
    /// JPEG structure.
    pub jpeg: Option<JpegStructure>,
    /// JPEG quality estimated from the quantisation tables.
    pub jpeg_quality: Option<QualityEstimate>,
    /// Problems met while reading metadata.
    pub warnings: Vec<String>,
    /// Every XMP property (not serialised: can be large).
    #[serde(skip)]
    pub xmp_all: Vec<XmpProp>,
}

/// XMP paths kept in reports (prefix match on the flattened path).
const KEEP_XMP: &[&str] = &[
    "Iptc4xmpExt:DigitalSourceType",
    "Iptc4xmpExt:AI",
    "plus:DigitalSourceType",
    "xmp:CreatorTool",
    "xmpMM:History",
    "photoshop:",
    "dcterms:provenance",
    "crs:Version",
    "crs:ProcessVersion",
    "tiff:Make",
    "tiff:Model",
    "exif:DateTimeOriginal",
];

impl Metadata {
    /// Interprets everything `extracted` holds.
    pub fn from_extracted(x: &Extracted) -> Metadata {
        let mut m = Metadata {
            width: x.width,
            height: x.height,
            comments: x.comments.clone(),
            jpeg: x.jpeg.clone(),
            warnings: x.warnings.clone(),
            ..Default::default()
        };
        let mut xmp_packets: Vec<String> = x.xmp.clone();
        let mut irb_bytes = x.photoshop_irb.clone();
        let mut iim = x.iptc_iim.clone();
        if let Some(raw) = &x.exif {
            let e = exif::parse(raw);
            if let Some(p) = &e.xmp {
                xmp_packets.push(p.clone());
            }
            if irb_bytes.is_none() {
                irb_bytes = e.irb.clone();
            }
            if iim.is_none() {
                iim = e.iptc.clone();
            }
            if m.width.is_none() {
                m.width = e.width;
                m.height = e.height;
            }
            m.exif = Some(e);
        }
        for packet in &xmp_packets {
            let (props, err) = xmp::flatten(packet);
            if let Some(err) = err {
                m.warnings.push(err);
            }
            m.xmp_all.extend(props);
        }
        m.xmp_properties = m.xmp_all.len();
        m.xmp = m
            .xmp_all
            .iter()
            .filter(|p| KEEP_XMP.iter().any(|k| p.path.starts_with(k)))
            .take(200)
            .cloned()
            .collect();
        if let Some(b) = irb_bytes {
            let irb = iptc::parse_irb(&b);
            if iim.is_none() {
                iim = irb.iim.clone();
            }
            m.photoshop = Some(irb);
        }
        if let Some(b) = iim {
            m.iptc = iptc::parse_iim(&b);
        }
        m.png_text = x
            .png_text
            .iter()
            .map(|t| TextSummary {
                keyword: t.keyword.clone(),
                chunk: t.chunk,
                length: t.text.len(),
                excerpt: t.text.chars().take(160).collect(),
            })
            .collect();
        m.jpeg_quality = x
            .jpeg
            .as_ref()
            .and_then(|j| jpeg_quality::estimate(&j.quant_tables));
        m
    }

    /// Values of every XMP property whose last path element is `name` (any prefix).
    pub fn xmp_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a XmpProp> + 'a {
        self.xmp_all.iter().filter(move |p| {
            let last = p.path.rsplit('/').next().unwrap_or("");
            last == name || last.rsplit(':').next() == Some(name)
        })
    }

    /// The camera make and model, when EXIF names them.
    pub fn camera(&self) -> Option<String> {
        let e = self.exif.as_ref()?;
        match (&e.make, &e.model) {
            (Some(make), Some(model)) if model.to_lowercase().starts_with(&make.to_lowercase()) => {
                Some(model.clone())
            }
            (Some(make), Some(model)) => Some(format!("{make} {model}")),
            (None, Some(model)) => Some(model.clone()),
            (Some(make), None) => Some(make.clone()),
            (None, None) => None,
        }
    }
}
