//! Asking a customer for better evidence: what can be asked and how it is explained
//! to them, whether a file that arrived looks like an original, and what the times of
//! a live re-capture say (the code shown, the photo taken, the photo received).

use proofdesk_engine::signal::{Category, Direction, Signal, Text};

/// What a request can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// The original file from the camera or phone, not a copy.
    OriginalFile,
    /// A new photo now, with the one-time code on paper beside the item.
    NewPhoto,
    /// The receipt or invoice.
    Receipt,
    /// A close-up of the serial number or type plate.
    SerialCloseup,
}

impl Ask {
    /// Every ask, in display order.
    pub const ALL: [Ask; 4] = [Ask::NewPhoto, Ask::OriginalFile, Ask::Receipt, Ask::SerialCloseup];

    /// Reads `original_file`, `new_photo`, `receipt` or `serial_closeup`.
    pub fn parse(s: &str) -> Option<Ask> {
        Ask::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }

    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Ask::OriginalFile => "original_file",
            Ask::NewPhoto => "new_photo",
            Ask::Receipt => "receipt",
            Ask::SerialCloseup => "serial_closeup",
        }
    }

    /// Its name for the team.
    pub fn title(self) -> Text {
        match self {
            Ask::OriginalFile => Text::new("the original file", "het originele bestand"),
            Ask::NewPhoto => Text::new("a new photo with a code", "een nieuwe foto met een code"),
            Ask::Receipt => Text::new("the receipt", "de aankoopbon"),
            Ask::SerialCloseup => Text::new("a close-up of the serial number", "een close-up van het serienummer"),
        }
    }

    /// What the customer is asked, in their words.
    pub fn instruction(self) -> Text {
        match self {
            Ask::OriginalFile => Text::new(
                "Send the photo as the original file, straight from your camera or phone. Please do not send a screenshot, and do not send it through WhatsApp or another messenger first: those make a copy that loses the details we need. On a phone, choose the photo from your photo library below.",
                "Stuur de foto als het originele bestand, rechtstreeks van uw camera of telefoon. Stuur liever geen schermafbeelding, en stuur de foto niet eerst via WhatsApp of een andere berichtenapp: die maken een kopie waarin de gegevens ontbreken die wij nodig hebben. Kies op een telefoon hieronder de foto uit uw fotobibliotheek.",
            ),
            Ask::NewPhoto => Text::new(
                "Write the code below on a piece of paper, put the paper next to the item and take a new photo in which both can be seen.",
                "Schrijf de code hieronder op een papiertje, leg het papier naast het product en maak een nieuwe foto waarop beide te zien zijn.",
            ),
            Ask::Receipt => Text::new(
                "Send a photo or PDF of the receipt or invoice, with the date and the amount readable.",
                "Stuur een foto of pdf van de aankoopbon of factuur, met de datum en het bedrag leesbaar.",
            ),
            Ask::SerialCloseup => Text::new(
                "Send a sharp close-up of the serial number or the type plate on the item.",
                "Stuur een scherpe close-up van het serienummer of het typeplaatje op het product.",
            ),
        }
    }
}

/// Reads a list of asks: at least one, each known, none twice.
pub fn parse_asks<S: AsRef<str>>(list: &[S]) -> Result<Vec<Ask>, String> {
    let mut asks = Vec::new();
    for s in list {
        let ask = Ask::parse(s.as_ref()).ok_or_else(|| {
            format!("unknown ask {:?}: use original_file, new_photo, receipt or serial_closeup", s.as_ref())
        })?;
        if !asks.contains(&ask) {
            asks.push(ask);
        }
    }
    if asks.is_empty() {
        return Err("ask for at least one thing: original_file, new_photo, receipt or serial_closeup".into());
    }
    Ok(asks)
}

/// Whether a file that arrived looks like an original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Originality {
    /// Camera metadata present and no trace of editing.
    Original,
    /// Camera metadata present, but saved by editing software since.
    Edited,
    /// No camera metadata: a screenshot, a messenger copy or an export.
    Copy,
}

impl Originality {
    /// From the screening's verdict (kebab-case) and whether the file names a camera.
    pub fn judge(verdict: &str, has_camera: bool) -> Originality {
        match (verdict, has_camera) {
            ("camera-original" | "credentials-valid", true) => Originality::Original,
            (_, true) => Originality::Edited,
            (_, false) => Originality::Copy,
        }
    }

    /// In words for the team.
    pub fn describe(self) -> Text {
        match self {
            Originality::Original => Text::new("looks like an original: camera metadata present, no trace of editing", "lijkt een origineel: cameragegevens aanwezig, geen spoor van bewerking"),
            Originality::Edited => Text::new("camera metadata present, but saved by other software since", "cameragegevens aanwezig, maar sindsdien door andere software opgeslagen"),
            Originality::Copy => Text::new("looks like a re-encoded copy: no camera metadata (a screenshot, messenger copy or export)", "lijkt een opnieuw opgeslagen kopie: geen cameragegevens (schermafbeelding, kopie uit een berichtenapp of export)"),
        }
    }
}

/// Milliseconds since 1970 UTC of an ISO 8601 time with an offset
/// (`2026-12-03T14:03:55+01:00`); `None` without an offset, since a camera's local
/// time alone cannot be placed.
pub fn instant_ms(iso: &str) -> Option<i64> {
    let b = iso.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[10] != b'T' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| iso.get(r).and_then(|s| s.parse::<i64>().ok());
    let (h, m, s) = (n(11..13)?, n(14..16)?, n(17..19)?);
    let mut rest = &iso[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset_min = match rest {
        "Z" => 0,
        o if o.len() == 6 && (o.starts_with('+') || o.starts_with('-')) => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            sign * (o[1..3].parse::<i64>().ok()? * 60 + o[4..6].parse::<i64>().ok()?)
        }
        _ => return None,
    };
    let day = crate::context::days(&iso[..10]);
    Some(((day * 86_400 + h * 3600 + m * 60 + s) - offset_min * 60) * 1000)
}

/// What the times of a live re-capture say, for the fraud team: the photo taken
/// before the code was shown (it cannot show the code), or long after.
pub fn recapture_note(code_shown_ms: i64, captured: Option<&str>) -> Option<Text> {
    let taken = instant_ms(captured?)?;
    let minutes = (taken - code_shown_ms) as f64 / 60_000.0;
    if minutes < -2.0 {
        Some(Text::new(
            format!("the photo says it was taken {:.0} minutes before the code was shown, so it cannot show this code", -minutes),
            format!("volgens de foto is die {:.0} minuten voordat de code werd getoond gemaakt, dus kan die deze code niet tonen", -minutes),
        ))
    } else if minutes > 24.0 * 60.0 {
        Some(Text::new(
            format!("the photo says it was taken {:.0} hours after the code was shown", minutes / 60.0),
            format!("volgens de foto is die {:.0} uur nadat de code werd getoond gemaakt", minutes / 60.0),
        ))
    } else {
        None
    }
}

/// What a file sent in answer to a request shows, as signals for the routing: a
/// requested original that arrived as a copy, a requested new photo taken before its
/// code was shown (it cannot show the code).
pub fn answer_signals(asks: &[Ask], code_shown_ms: Option<i64>, captured: Option<&str>, verdict: &str, has_camera: bool) -> Vec<Signal> {
    let mut out = Vec::new();
    if asks.contains(&Ask::OriginalFile) {
        let o = Originality::judge(verdict, has_camera);
        let (direction, strength) = match o {
            Originality::Copy => (Direction::Suspicious, 0.3),
            Originality::Edited => (Direction::Neutral, 0.0),
            Originality::Original => (Direction::SupportsAuthenticity, 0.3),
        };
        let d = o.describe();
        out.push(Signal::new(
            "context.requested-original",
            Category::Context,
            direction,
            strength,
            Text::new(format!("Asked for the original file; this one {}.", d.en), format!("Gevraagd om het originele bestand; dit bestand {}.", d.nl)),
        ));
    }
    if asks.contains(&Ask::NewPhoto) {
        if let (Some(shown), Some(note)) = (code_shown_ms, code_shown_ms.and_then(|s| recapture_note(s, captured))) {
            let before = instant_ms(captured.unwrap_or("")).is_some_and(|t| t < shown);
            out.push(Signal::new(
                "context.recapture-timing",
                Category::Context,
                Direction::Suspicious,
                if before { 0.8 } else { 0.3 },
                Text::new(format!("Asked for a new photo with a code: {}.", note.en), format!("Gevraagd om een nieuwe foto met een code: {}.", note.nl)),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_are_read_strictly() {
        assert_eq!(parse_asks(&["new_photo", "receipt", "new_photo"]), Ok(vec![Ask::NewPhoto, Ask::Receipt]));
        assert!(parse_asks::<&str>(&[]).is_err());
        assert!(parse_asks(&["selfie"]).unwrap_err().contains("unknown ask"));
    }

    #[test]
    fn an_original_has_camera_metadata_and_no_editing() {
        assert_eq!(Originality::judge("camera-original", true), Originality::Original);
        assert_eq!(Originality::judge("edited", true), Originality::Edited);
        assert_eq!(Originality::judge("unknown", false), Originality::Copy);
    }

    #[test]
    fn answers_become_signals() {
        let shown = instant_ms("2026-12-03T14:00:00Z").unwrap();
        let old = answer_signals(&[Ask::NewPhoto], Some(shown), Some("2026-11-01T10:00:00+01:00"), "camera-original", true);
        assert_eq!((old[0].id.as_str(), old[0].strength), ("context.recapture-timing", 0.8));
        assert!(answer_signals(&[Ask::NewPhoto], Some(shown), Some("2026-12-03T15:02:00+01:00"), "camera-original", true).is_empty());
        let copy = answer_signals(&[Ask::OriginalFile], None, None, "unknown", false);
        assert_eq!((copy[0].direction, copy[0].summary.en.contains("re-encoded copy")), (Direction::Suspicious, true));
    }

    #[test]
    fn capture_times_with_an_offset_are_placed() {
        assert_eq!(instant_ms("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(instant_ms("2026-12-03T14:03:55.120Z"), Some(1_796_306_635_000));
        assert_eq!(instant_ms("2026-12-03T14:03:55"), None, "local time alone");
        let shown = instant_ms("2026-12-03T14:00:00Z").unwrap();
        assert!(recapture_note(shown, Some("2026-12-03T15:01:00+01:00")).is_none(), "a minute after");
        assert!(recapture_note(shown, Some("2026-12-02T09:00:00+01:00")).unwrap().en.contains("before the code"));
        assert!(recapture_note(shown, Some("2026-12-03T14:01:00")).is_none());
    }
}
