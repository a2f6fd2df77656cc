//! Recognisers for Dutch and European personal data in free text: BSN (11-check),
//! IBAN (mod-97), e-mail addresses, Dutch phone numbers, postcodes with house number,
//! KvK and BTW numbers, licence plates, dates of birth and payment card numbers
//! (Luhn). Each finding has a type, a byte span and a confidence; context words
//! ("BSN", "rekeningnummer") raise it, order and invoice words lower it. `redact`
//! replaces what is found with its type, for logs and anything else that must not
//! hold the values.

use regex::Regex;
use std::sync::OnceLock;

/// Kinds of personal data recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Burgerservicenummer (9 digits, 11-check).
    Bsn,
    /// International bank account number (mod-97).
    Iban,
    /// E-mail address.
    Email,
    /// Dutch phone number.
    Phone,
    /// Dutch postcode, with the house number when it follows.
    Postcode,
    /// Chamber of Commerce number (8 digits, with a KvK context word).
    Kvk,
    /// Dutch VAT number (`NL…B..`).
    Btw,
    /// Dutch licence plate.
    LicencePlate,
    /// A date with a birth context word.
    DateOfBirth,
    /// Payment card number (Luhn).
    PaymentCard,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 10] = [
        Kind::Bsn,
        Kind::Iban,
        Kind::Email,
        Kind::Phone,
        Kind::Postcode,
        Kind::Kvk,
        Kind::Btw,
        Kind::LicencePlate,
        Kind::DateOfBirth,
        Kind::PaymentCard,
    ];

    /// Its name in reports and redactions.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Bsn => "bsn",
            Kind::Iban => "iban",
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Postcode => "postcode",
            Kind::Kvk => "kvk",
            Kind::Btw => "btw",
            Kind::LicencePlate => "licence-plate",
            Kind::DateOfBirth => "date-of-birth",
            Kind::PaymentCard => "payment-card",
        }
    }
}

/// One piece of personal data found.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// What it is.
    pub kind: Kind,
    /// Byte offset where it starts.
    pub start: usize,
    /// Byte offset just after it.
    pub end: usize,
    /// How sure, 0 to 1.
    pub confidence: f32,
}

/// Findings below this confidence are not reported.
pub const THRESHOLD: f32 = 0.5;

struct Patterns {
    bsn: Regex,
    iban: Regex,
    email: Regex,
    phone: Regex,
    postcode: Regex,
    street: Regex,
    kvk: Regex,
    btw: Regex,
    plate: Regex,
    date: Regex,
    card: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let r = |s: &str| Regex::new(s).expect("a valid pattern");
        Patterns {
            bsn: r(r"\b\d{3}[. ]?\d{3}[. ]?\d{3}\b|\b\d{2}[. ]?\d{3}[. ]?\d{3}\b"),
            iban: r(r"(?i)\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b"),
            email: r(r"(?i)\b[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,24}\b"),
            phone: r(r"(?:\+31|\b0031|\b0)[ -]?(?:\(0\)[ -]?)?(?:\d[ -]?){8}\d\b|\(0\d{2,3}\)[ -]?(?:\d[ -]?){5,6}\d\b"),
            postcode: r(r"\b[1-9]\d{3} ?(?i:[A-Z]{2})\b(?:[ ,]+(\d{1,5}(?:[ -]?[a-zA-Z])?)\b)?"),
            street: r(r"\b[A-Z][a-z]+(?:straat|laan|weg|plein|gracht|kade|singel|dijk|hof|pad|steeg|dreef|park|baan|markt)\s+\d{1,5}(?:[ -]?[a-zA-Z]\b)?"),
            kvk: r(r"\b\d{8}\b|\b\d{2}[. ]\d{3}[. ]\d{3}\b"),
            btw: r(r"(?i)\bNL ?\d{9} ?B ?\d{2}\b"),
            plate: r(concat!(
                r"\b(?:[A-Z]{2}-\d{2}-\d{2}|\d{2}-\d{2}-[A-Z]{2}|\d{2}-[A-Z]{2}-\d{2}|[A-Z]{2}-\d{2}-[A-Z]{2}|",
                r"[A-Z]{2}-[A-Z]{2}-\d{2}|\d{2}-[A-Z]{2}-[A-Z]{2}|\d{2}-[A-Z]{3}-\d|\d-[A-Z]{3}-\d{2}|",
                r"[A-Z]{2}-\d{3}-[A-Z]|[A-Z]-\d{3}-[A-Z]{2}|[A-Z]{3}-\d{2}-[A-Z]|[A-Z]-\d{2}-[A-Z]{3}|",
                r"\d-[A-Z]{2}-\d{3}|\d{3}-[A-Z]{2}-\d)\b"
            )),
            date: r(concat!(
                r"(?i)\b(?:\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d{2}|(?:19|20)\d{2}-\d{2}-\d{2}|",
                r"\d{1,2} (?:jan(?:uari)?|feb(?:ruari)?|maart|mrt|apr(?:il)?|mei|jun(?:i)?|jul(?:i)?|aug(?:ustus)?|sep(?:tember)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?|",
                r"january|february|march|may|june|july|october) (?:19|20)\d{2})\b"
            )),
            card: r(r"\b\d(?:[ -]?\d){12,18}\b"),
        }
    })
}

/// The lower-cased text just before `start` in the same sentence (up to `width`
/// bytes, on a char boundary).
fn before(text: &str, start: usize, width: usize) -> String {
    let mut from = start.saturating_sub(width);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let window = &text[from..start];
    // A full stop after a short word is an abbreviation ("geb.", "tel."), not a sentence end.
    let ends_sentence = |i: usize| {
        let word = window[..i].rsplit(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
        let abbreviation = (1..=3).contains(&word.chars().count()) && word.chars().all(char::is_alphabetic);
        !(window[i..].starts_with(". ") && abbreviation)
    };
    let sentence = window
        .match_indices(['.', '!', '?', '\n'])
        .filter(|(i, m)| (*m == "\n" || window[i + 1..].starts_with(' ')) && ends_sentence(*i))
        .map(|(i, m)| i + m.len())
        .max()
        .unwrap_or(0);
    window[sentence..].to_lowercase()
}

fn any_word(window: &str, words: &[&str]) -> bool {
    words.iter().any(|w| window.contains(w))
}

const ORDER_WORDS: [&str; 15] = [
    "order", "bestel", "factuur", "invoice", "referentie", "ref", "klantnummer", "artikel", "zending", "track", "dossier", "ticket",
    "bonnummer", "serienummer", "serial",
];

fn digits(s: &str) -> Vec<u32> {
    s.chars().filter_map(|c| c.to_digit(10)).collect()
}

/// The 11-check of a BSN (9 digits, or 8 with a leading zero left off).
pub fn bsn_valid(s: &str) -> bool {
    let mut d = digits(s);
    if d.len() == 8 {
        d.insert(0, 0);
    }
    if d.len() != 9 || d.iter().all(|x| *x == 0) {
        return false;
    }
    let sum: i64 = d[..8].iter().enumerate().map(|(i, x)| (9 - i as i64) * *x as i64).sum::<i64>() - d[8] as i64;
    sum % 11 == 0
}

/// Lengths of IBANs per country (the common European ones).
fn iban_length(country: &str) -> Option<usize> {
    Some(match country {
        "NL" => 18,
        "BE" => 16,
        "DE" => 22,
        "FR" | "IT" | "MC" => 27,
        "ES" | "SE" | "SK" | "CZ" => 24,
        "GB" | "IE" => 22,
        "LU" | "AT" => 20,
        "PT" => 25,
        "PL" | "HU" => 28,
        "DK" | "FI" => 18,
        "CH" | "LI" | "LV" => 21,
        "NO" => 15,
        "GR" => 27,
        _ => return None,
    })
}

/// The mod-97 check of an IBAN (spaces ignored) with its country's length.
pub fn iban_valid(s: &str) -> bool {
    let c: String = s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    if c.len() < 15 || iban_length(&c[..2]) != Some(c.len()) {
        return false;
    }
    let rearranged = format!("{}{}", &c[4..], &c[..4]);
    let mut rem: u32 = 0;
    for ch in rearranged.chars() {
        let v = match ch.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
    }
    rem == 1
}

/// The Luhn check of a card number.
pub fn luhn_valid(s: &str) -> bool {
    let d = digits(s);
    if !(13..=19).contains(&d.len()) {
        return false;
    }
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, x)| if i % 2 == 1 { let y = x * 2; if y > 9 { y - 9 } else { y } } else { *x })
        .sum();
    sum.is_multiple_of(10)
}

/// A Dutch VAT number's check: mod-97 (since 2020) or the 11-check of the old form.
fn btw_valid(s: &str) -> bool {
    let c: String = s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    if c.len() != 14 {
        return false;
    }
    let numeric: String = c
        .chars()
        .map(|ch| ch.to_digit(36).map_or(String::new(), |v| v.to_string()))
        .collect();
    let mod97 = numeric.bytes().fold(0u32, |rem, b| (rem * 10 + (b - b'0') as u32) % 97) == 1;
    mod97 || bsn_valid(&c[2..11])
}

/// Everything found in `text`, in order, overlaps resolved (the more certain wins).
pub fn find(text: &str) -> Vec<Finding> {
    let p = patterns();
    let mut out: Vec<Finding> = Vec::new();
    let mut push = |kind: Kind, start: usize, end: usize, confidence: f32| {
        if confidence >= THRESHOLD {
            out.push(Finding { kind, start, end, confidence: confidence.min(1.0) });
        }
    };
    for m in p.email.find_iter(text) {
        push(Kind::Email, m.start(), m.end(), 0.97);
    }
    // Account-number-shaped text, valid or not: numbers inside it are not phones or BSNs.
    let mut accountish: Vec<(usize, usize)> = Vec::new();
    for m in p.iban.find_iter(text) {
        accountish.push((m.start(), m.end()));
        if iban_valid(m.as_str()) {
            push(Kind::Iban, m.start(), m.end(), 0.98);
        }
    }
    let inside_account = |start: usize, end: usize| accountish.iter().any(|&(s, e)| start < e && s < end);
    for m in p.btw.find_iter(text) {
        if btw_valid(m.as_str()) {
            push(Kind::Btw, m.start(), m.end(), 0.95);
        }
    }
    for m in p.card.find_iter(text) {
        if luhn_valid(m.as_str()) && matches!(m.as_str().as_bytes()[0], b'2'..=b'6') && !inside_account(m.start(), m.end()) {
            let window = before(text, m.start(), 30);
            let ctx = any_word(&window, &["kaart", "card", "visa", "mastercard", "amex", "maestro", "betaald"]);
            // Phones carry a Luhn-checked IMEI (15 digits); serial numbers may pass by chance.
            let device = any_word(&window, &["imei", "serie", "serial", "toestel"]) || any_word(&window, &ORDER_WORDS);
            let length = digits(m.as_str()).len();
            let confidence = match (ctx, device) {
                (true, _) => 0.97,
                (false, true) => 0.1,
                (false, false) if length == 15 && m.as_str().starts_with("35") => 0.3,
                (false, false) => 0.7,
            };
            push(Kind::PaymentCard, m.start(), m.end(), confidence);
        }
    }
    for m in p.bsn.find_iter(text) {
        if !bsn_valid(m.as_str()) || inside_account(m.start(), m.end()) {
            continue;
        }
        let window = before(text, m.start(), 40);
        let bsn_word = any_word(&window, &["bsn", "burgerservice", "sofi", "persoonsnummer", "citizen service"]);
        let order_word = any_word(&window, &ORDER_WORDS) || any_word(&window, &["kvk", "btw", "tel", "bel", "rekening"]);
        let nine = digits(m.as_str()).len() == 9;
        let confidence = match (bsn_word, order_word, nine) {
            (true, _, _) => 0.97,
            (false, true, _) => 0.2,
            (false, false, true) => 0.6,
            (false, false, false) => 0.3,
        };
        push(Kind::Bsn, m.start(), m.end(), confidence);
    }
    for m in p.kvk.find_iter(text) {
        let window = before(text, m.start(), 30);
        if any_word(&window, &["kvk", "kamer van koophandel", "handelsregister", "chamber of commerce"]) {
            push(Kind::Kvk, m.start(), m.end(), 0.9);
        }
    }
    for m in p.phone.find_iter(text) {
        let d = digits(m.as_str());
        let national = match d.first() {
            Some(3) if m.as_str().starts_with("+31") => d.len() == 11 || d.len() == 12,
            Some(0) if m.as_str().starts_with("0031") => d.len() == 13 || d.len() == 14,
            Some(0) => d.len() == 10,
            _ => false,
        };
        if !national || inside_account(m.start(), m.end()) {
            continue;
        }
        let window = before(text, m.start(), 30);
        let ctx = any_word(&window, &["tel", "bel", "mobiel", "nummer", "phone", "gsm", "06"]);
        let order = any_word(&window, &ORDER_WORDS);
        push(Kind::Phone, m.start(), m.end(), if order { 0.3 } else if ctx { 0.95 } else { 0.85 });
    }
    for c in p.postcode.captures_iter(text) {
        let m = c.get(0).expect("a match");
        let letters = &m.as_str()[m.as_str().len().min(4)..].trim_start();
        let pair: String = letters.chars().filter(|c| c.is_ascii_alphabetic()).take(2).collect::<String>().to_uppercase();
        if ["SA", "SD", "SS"].contains(&pair.as_str()) {
            continue;
        }
        let upper: String = m.as_str().chars().filter(|c| c.is_ascii_alphabetic()).take(2).collect::<String>();
        let lower_case = upper.chars().any(|c| c.is_ascii_lowercase());
        let unit = ["KB", "MB", "GB", "TB", "KG", "KM", "CM", "MM", "ML", "PK", "KW", "GR", "XL", "XS"].contains(&upper.to_uppercase().as_str());
        let window = before(text, m.start(), 40);
        let ctx = any_word(&window, &["postcode", "adres", "woon", "straat", "laan", "weg", "plein", "gracht", "address"]);
        let not_address = any_word(&window, &["model", "type", "maat", "versie", "serie", "in ", "sinds", "jaar"]);
        let year_like = m.as_str().starts_with("19") || m.as_str().starts_with("20");
        let house = c.get(1).is_some();
        let confidence = match (ctx, unit || not_address, lower_case, house, year_like) {
            (true, _, _, _, _) => 0.95,
            (false, true, _, _, _) => 0.2,
            (false, false, true, _, _) => 0.3,
            (false, false, false, true, _) => 0.9,
            (false, false, false, false, true) => 0.45,
            (false, false, false, false, false) => 0.75,
        };
        push(Kind::Postcode, m.start(), m.end(), confidence);
    }
    for m in p.street.find_iter(text) {
        push(Kind::Postcode, m.start(), m.end(), 0.85);
    }
    for m in p.plate.find_iter(text) {
        let window = before(text, m.start(), 30);
        let ctx = any_word(&window, &["kenteken", "auto", "plate", "voertuig", "wagen"]);
        push(Kind::LicencePlate, m.start(), m.end(), if ctx { 0.95 } else { 0.8 });
    }
    for m in p.date.find_iter(text) {
        let window = before(text, m.start(), 30);
        if any_word(&window, &["geboren", "geboortedatum", "geb.", "born", "date of birth", "birth", "dob"]) {
            push(Kind::DateOfBirth, m.start(), m.end(), 0.95);
        }
    }
    // Overlaps: the more certain finding wins; at equal certainty, the longer one.
    out.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then((b.end - b.start).cmp(&(a.end - a.start))));
    let mut kept: Vec<Finding> = Vec::new();
    for f in out {
        if !kept.iter().any(|k| f.start < k.end && k.start < f.end) {
            kept.push(f);
        }
    }
    kept.sort_by_key(|f| f.start);
    kept
}

/// `text` with every finding replaced by its kind in brackets (`[iban]`).
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in find(text) {
        out.push_str(&text[at..f.start]);
        out.push('[');
        out.push_str(f.kind.as_str());
        out.push(']');
        at = f.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        find(text).into_iter().map(|f| (f.kind, &text[f.start..f.end])).collect()
    }

    #[test]
    fn checksums() {
        assert!(bsn_valid("111222333") && bsn_valid("123456782") && !bsn_valid("123456789"));
        assert!(iban_valid("NL91 ABNA 0417 1643 00") && !iban_valid("NL91 ABNA 0417 1643 01"));
        assert!(iban_valid("DE89370400440532013000") && !iban_valid("NL91ABNA04171643"));
        assert!(luhn_valid("4111 1111 1111 1111") && !luhn_valid("4111 1111 1111 1112"));
        assert!(btw_valid("NL000099998B57"));
    }

    #[test]
    fn dutch_claim_text() {
        let text = "Mijn BSN is 111222333 en mijn rekeningnummer NL91 ABNA 0417 1643 00. Bel 06-12345678 of mail jan.jansen@example.nl. \
                    Ik woon op Kerkstraat 12, 1234 AB Amsterdam. Kenteken XT-123-B. Geboren op 12-03-1985. Ordernummer 123456782.";
        let found = kinds(text);
        for (kind, value) in [
            (Kind::Bsn, "111222333"),
            (Kind::Iban, "NL91 ABNA 0417 1643 00"),
            (Kind::Phone, "06-12345678"),
            (Kind::Email, "jan.jansen@example.nl"),
            (Kind::LicencePlate, "XT-123-B"),
            (Kind::DateOfBirth, "12-03-1985"),
        ] {
            assert!(found.contains(&(kind, value)), "{kind:?} {value} in {found:?}");
        }
        assert!(found.iter().any(|(k, v)| *k == Kind::Postcode && v.starts_with("1234 AB")), "{found:?}");
        assert!(found.contains(&(Kind::Postcode, "Kerkstraat 12")), "{found:?}");
        assert!(!found.iter().any(|(_, v)| *v == "123456782"), "an order number that passes the 11-check is not a BSN");
        let redacted = redact(text);
        assert!(!redacted.contains("111222333") && !redacted.contains("ABNA") && redacted.contains("[bsn]") && redacted.contains("[iban]"), "{redacted}");
    }

    #[test]
    fn look_alikes_are_left_alone() {
        for text in ["Bedrag 1500 EUR, 64 GB geheugen", "Bestelling 123456789 van 12-03-2024", "IBAN NL91 ABNA 0417 1643 01 (fout)", "Artikel 4111 1111 1111 1112"] {
            let found = kinds(text);
            assert!(found.is_empty(), "{text}: {found:?}");
        }
    }
}
