//! Identity numbers printed on Dutch receipts and invoices: the BTW-id (VAT number),
//! the KvK number (Chamber of Commerce) and the IBAN. A number that cannot exist is a
//! tell of a receipt made up from scratch; a valid one proves nothing by itself.

/// What a check of one identity number found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdCheck {
    /// Well formed and its check digits agree.
    Valid,
    /// Not in the number's format (length, letters, digits); the rule it breaks.
    Malformed {
        /// The rule, in English.
        en: &'static str,
        /// The rule, in Dutch.
        nl: &'static str,
    },
    /// In the format, but the check digits do not agree: no such number is issued.
    BadChecksum,
}

/// Checks a Dutch BTW-id, `NL` + 9 digits + `B` + 2 digits (spaces and dots allowed).
///
/// Two schemes are in use: the older numbers of companies pass the eleven test on the
/// 9 digits (weights 9 … 2, the last digit −1); the numbers given to sole traders
/// since 2020 pass ISO 7064 mod 97-10 over the whole id (letters as 10 … 35). A
/// number passing either is valid.
pub fn btw_id(text: &str) -> IdCheck {
    let id = compact(text);
    let b = id.as_bytes();
    if b.len() != 14 {
        return IdCheck::Malformed { en: "a Dutch BTW-id has 14 characters: NL, 9 digits, B, 2 digits", nl: "een Nederlands btw-nummer heeft 14 tekens: NL, 9 cijfers, B, 2 cijfers" };
    }
    if &b[..2] != b"NL" || b[11] != b'B' {
        return IdCheck::Malformed { en: "a Dutch BTW-id starts with NL and has a B before its last 2 digits", nl: "een Nederlands btw-nummer begint met NL en heeft een B voor de laatste 2 cijfers" };
    }
    if !b[2..11].iter().chain(&b[12..]).all(u8::is_ascii_digit) {
        return IdCheck::Malformed { en: "a Dutch BTW-id has digits where a number is expected", nl: "een Nederlands btw-nummer heeft cijfers waar een getal hoort" };
    }
    let digits: Vec<u32> = b[2..11].iter().map(|d| u32::from(d - b'0')).collect();
    let eleven: i64 = digits[..8].iter().zip((2..=9).rev()).map(|(&d, w)| i64::from(d) * w).sum::<i64>() - i64::from(digits[8]);
    if eleven % 11 == 0 || mod97(&id) == Some(1) {
        IdCheck::Valid
    } else {
        IdCheck::BadChecksum
    }
}

/// Checks a KvK number: 8 digits (it carries no check digit since 2020, so the format
/// is all there is to check).
pub fn kvk(text: &str) -> IdCheck {
    let n = compact(text);
    if n.len() == 8 && n.bytes().all(|c| c.is_ascii_digit()) {
        IdCheck::Valid
    } else {
        IdCheck::Malformed { en: "a KvK number has 8 digits", nl: "een KvK-nummer heeft 8 cijfers" }
    }
}

/// Checks an IBAN (any country; spaces allowed): two letters, two check digits, up to
/// 30 letters and digits, the length of its country where known, mod 97 = 1.
pub fn iban(text: &str) -> IdCheck {
    let n = compact(text);
    let b = n.as_bytes();
    if b.len() < 15 || b.len() > 34 {
        return IdCheck::Malformed { en: "an IBAN has 15 to 34 characters", nl: "een IBAN heeft 15 tot 34 tekens" };
    }
    if !b[..2].iter().all(u8::is_ascii_uppercase) || !b[2..4].iter().all(u8::is_ascii_digit) {
        return IdCheck::Malformed { en: "an IBAN starts with a country code and two check digits", nl: "een IBAN begint met een landcode en twee controlecijfers" };
    }
    if !b.iter().all(u8::is_ascii_alphanumeric) {
        return IdCheck::Malformed { en: "an IBAN holds only letters and digits", nl: "een IBAN bevat alleen letters en cijfers" };
    }
    if let Some(&(_, len)) = IBAN_LENGTHS.iter().find(|(c, _)| c.as_bytes() == &b[..2]) {
        if b.len() != len {
            return IdCheck::Malformed { en: "the IBAN's length does not match its country", nl: "de lengte van de IBAN past niet bij het land" };
        }
    }
    let rotated = format!("{}{}", &n[4..], &n[..4]);
    if mod97(&rotated) == Some(1) {
        IdCheck::Valid
    } else {
        IdCheck::BadChecksum
    }
}

/// IBAN lengths of the countries a Dutch customer-contact team meets most.
const IBAN_LENGTHS: [(&str, usize); 12] = [
    ("NL", 18),
    ("BE", 16),
    ("DE", 22),
    ("FR", 27),
    ("LU", 20),
    ("GB", 22),
    ("ES", 24),
    ("IT", 27),
    ("AT", 20),
    ("IE", 22),
    ("PL", 28),
    ("PT", 25),
];

/// Upper case, without spaces, dots and dashes.
fn compact(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}')).flat_map(char::to_uppercase).collect()
}

/// The remainder mod 97 of the number spelt by `s`, letters as 10 … 35 (ISO 7064);
/// `None` for another character.
fn mod97(s: &str) -> Option<u32> {
    let mut r = 0u32;
    for c in s.chars() {
        let v = c.to_digit(36)?;
        r = if v < 10 { (r * 10 + v) % 97 } else { (r * 100 + v) % 97 };
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn btw_ids_of_both_schemes_pass_and_a_made_up_one_fails() {
        assert_eq!(btw_id("NL004495445B01"), IdCheck::Valid, "eleven test");
        assert_eq!(btw_id("NL002455799B11"), IdCheck::Valid, "mod 97");
        assert_eq!(btw_id("nl 0044.95.445 b01"), IdCheck::Valid, "as printed");
        assert_eq!(btw_id("NL123456789B01"), IdCheck::BadChecksum);
        assert!(matches!(btw_id("NL12345678B01"), IdCheck::Malformed { .. }));
        assert!(matches!(btw_id("DE004495445B01"), IdCheck::Malformed { .. }));
        assert!(matches!(btw_id("NL0044954X5B01"), IdCheck::Malformed { .. }));
    }

    #[test]
    fn kvk_numbers_have_eight_digits() {
        assert_eq!(kvk("3412 3456"), IdCheck::Valid);
        assert!(matches!(kvk("1234567"), IdCheck::Malformed { .. }));
        assert!(matches!(kvk("1234567A"), IdCheck::Malformed { .. }));
    }

    #[test]
    fn ibans_pass_mod_97_and_their_country_s_length() {
        assert_eq!(iban("NL91 ABNA 0417 1643 00"), IdCheck::Valid);
        assert_eq!(iban("DE89370400440532013000"), IdCheck::Valid);
        assert_eq!(iban("BE68539007547034"), IdCheck::Valid);
        // One digit changed, two digits swapped.
        assert_eq!(iban("NL91ABNA0417164301"), IdCheck::BadChecksum);
        assert_eq!(iban("NL91ABNA0417146300"), IdCheck::BadChecksum);
        assert!(matches!(iban("NL91ABNA041716430"), IdCheck::Malformed { .. }));
        assert!(matches!(iban("NL91ABNA04171643€0"), IdCheck::Malformed { .. }));
    }
}
