//! Fuzzes the container walkers and metadata interpreters with arbitrary bytes
//! under every format, and the XMP flattener with arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use proofdesk_engine::container::extract;
use proofdesk_engine::metadata::{xmp, Metadata};
use proofdesk_engine::Format;

fuzz_target!(|data: &[u8]| {
    for format in [Format::Jpeg, Format::Png, Format::Webp, Format::Tiff, Format::Heif] {
        let x = extract(format, data);
        let _ = Metadata::from_extracted(&x);
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = xmp::flatten(s);
    }
});
