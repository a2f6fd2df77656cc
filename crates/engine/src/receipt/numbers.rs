//! The numbers a receipt identifies its seller and its VAT by: a Dutch BTW-id, a KvK
//! number, an IBAN, and the VAT lines (rate, VAT amount, and the amount it is charged
//! on where printed). Read as printed; [`super::checks`] says whether they hold.

use super::fields::Field;
use super::lines::Line;
use super::tokens;
use serde::Serialize;

/// A VAT line: a rate and the VAT at that rate, with the net or gross amount when the
/// line prints one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VatLine {
    /// The rate in basis points (21 % = 2100).
    pub basis_points: u32,
    /// The VAT amount, in cents.
    pub vat: i64,
    /// The amount without VAT, when printed.
    pub net: Option<i64>,
    /// The amount with VAT, when printed.
    pub gross: Option<i64>,
}

/// Words that name a tax.
const TAX_WORDS: [&str; 9] = ["btw", "vat", "gst", "tax", "mwst", "tva", "iva", "sst", "ust"];

/// Letters and digits of the text, upper case, with their char offset in it and
/// whether a letter comes right before them in the text (then they start no number).
fn compact(text: &str) -> (String, Vec<usize>, Vec<bool>) {
    let mut s = String::new();
    let (mut at, mut glued) = (Vec::new(), Vec::new());
    let mut previous = ' ';
    for (i, c) in text.chars().enumerate() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_uppercase());
            at.push(i);
            glued.push(previous.is_alphabetic());
        }
        previous = c;
    }
    (s, at, glued)
}

fn has_word(text: &str, words: &[&str]) -> bool {
    text.split(|c: char| !c.is_alphanumeric()).any(|w| words.iter().any(|x| w.eq_ignore_ascii_case(x)))
}

/// A Dutch BTW-id: `NL`, nine characters, `B`, two, in letters and digits with spaces
/// or dots between (a misread digit is kept, for the check to name).
pub fn btw_id(lines: &[Line]) -> Option<Field<String>> {
    lines.iter().find_map(|line| {
        let text = line.text();
        let (c, at, glued) = compact(&text);
        let b = c.as_bytes();
        (0..b.len().saturating_sub(13)).find_map(|i| {
            let shaped = &b[i..i + 2] == b"NL" && b[i + 11] == b'B' && b[i + 2..i + 5].iter().all(u8::is_ascii_digit);
            (shaped && !glued[i]).then(|| super::fields::field(line, c[i..i + 14].to_string(), at[i]))
        })
    })
}

/// A KvK number: the digits after "KvK" on its line (as printed, so that a number of
/// the wrong length is kept for the check).
pub fn kvk(lines: &[Line]) -> Option<Field<String>> {
    lines.iter().find_map(|line| {
        let text = line.text();
        let lower = text.to_lowercase();
        let start = lower.find("kvk")? + 3;
        let rest: String = text.chars().skip(lower[..start].chars().count()).collect();
        let digits_at = rest.find(|c: char| c.is_ascii_digit())?;
        let number: String = rest[digits_at..].chars().take_while(|c| c.is_ascii_digit() || *c == ' ' || *c == '.').collect();
        let number: String = number.chars().filter(char::is_ascii_digit).collect();
        (number.len() >= 6).then(|| super::fields::field(line, number, lower[..start].chars().count()))
    })
}

/// An IBAN: in the Dutch shape `NL00BANK0123456789` anywhere (spaces allowed), or after
/// the word "IBAN" (groups of up to four letters and digits).
pub fn iban(lines: &[Line]) -> Option<Field<String>> {
    lines.iter().find_map(|line| {
        let text = line.text();
        let (c, at, glued) = compact(&text);
        let b = c.as_bytes();
        let dutch = (0..b.len().saturating_sub(17)).find(|&i| {
            &b[i..i + 2] == b"NL"
                && !glued[i]
                && b[i + 2..i + 4].iter().all(u8::is_ascii_digit)
                && b[i + 4..i + 8].iter().all(u8::is_ascii_uppercase)
                && b[i + 8..i + 18].iter().all(u8::is_ascii_digit)
        });
        if let Some(i) = dutch {
            return Some(super::fields::field(line, c[i..i + 18].to_string(), at[i]));
        }
        let lower: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
        let label = lower.windows(4).position(|w| w == ['i', 'b', 'a', 'n'])?;
        let rest: String = text.chars().skip(label + 4).collect();
        let mut number = String::new();
        for token in rest.split_whitespace().map(|t| t.trim_matches(|c: char| !c.is_ascii_alphanumeric())) {
            let upper = token.to_ascii_uppercase();
            if upper.is_empty() && number.is_empty() {
                continue;
            }
            let label = ["BIC", "SWIFT", "TNV", "BANK"].contains(&upper.as_str());
            let next_group = number.is_empty() || (upper.len() <= 4 && !label);
            if upper.is_empty() || !upper.chars().all(|c| c.is_ascii_alphanumeric()) || !next_group || number.len() + upper.len() > 34 {
                break;
            }
            number.push_str(&upper);
        }
        (number.len() >= 8).then(|| super::fields::field(line, number, label))
    })
}

/// A rate printed as `21%`, `21 %`, `@6%`, `5,5%`: basis points and the char offset after it.
fn rate(text: &str) -> Option<(u32, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let pct = chars.iter().position(|&c| c == '%')?;
    let mut end = pct;
    while end > 0 && chars[end - 1] == ' ' {
        end -= 1;
    }
    let start = (0..end).rev().take_while(|&i| chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == ',').last()?;
    let number: String = chars[start..end].iter().map(|&c| if c == ',' { '.' } else { c }).collect();
    let (whole, frac) = number.split_once('.').unwrap_or((&number, ""));
    let whole: u32 = whole.parse().ok()?;
    let frac: u32 = match frac.len() {
        0 => 0,
        1 => frac.parse::<u32>().ok()? * 10,
        2 => frac.parse().ok()?,
        _ => return None,
    };
    (whole <= 30).then_some((whole * 100 + frac, pct + 1))
}

/// The VAT lines: a line with a rate and an amount after it, which names a tax or sits
/// under a heading that does (within three lines). The amounts after the rate are read
/// as VAT alone; net and VAT; net, VAT and gross; gross, net and VAT; or as gross and
/// VAT when the VAT is the rate's share of the gross rather than of the net.
pub fn vat_lines(lines: &[Line]) -> Vec<Field<VatLine>> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let text = line.text();
        let Some((bp, after)) = rate(&text) else { continue };
        let context = lines[i.saturating_sub(3)..=i].iter().any(|l| has_word(&l.text(), &TAX_WORDS));
        let discount = has_word(&text, &["korting", "discount", "rabatt", "remise", "off", "saving", "savings", "reba", "rebate"]);
        if !context || discount {
            continue;
        }
        let amounts: Vec<tokens::Amount> = tokens::amounts(&text).into_iter().filter(|a| a.start >= after).collect();
        let v: Vec<i64> = amounts.iter().map(|a| a.cents).collect();
        let share_of_net = |net: i64, vat: i64| (super::round_div(i128::from(net) * i128::from(bp), 10_000) - vat).abs() <= 2;
        let vat_line = match v.as_slice() {
            [] => continue,
            [vat] => VatLine { basis_points: bp, vat: *vat, net: None, gross: None },
            [a, b] if share_of_net(*a, *b) => VatLine { basis_points: bp, vat: *b, net: Some(*a), gross: Some(a + b) },
            [a, b] => VatLine { basis_points: bp, vat: *b, net: None, gross: Some(*a) },
            [a, b, c, ..] if (a + b - c).abs() <= 1 => VatLine { basis_points: bp, vat: *b, net: Some(*a), gross: Some(*c) },
            [a, b, c, ..] if (b + c - a).abs() <= 1 => VatLine { basis_points: bp, vat: *c, net: Some(*b), gross: Some(*a) },
            [.., a, b] => VatLine { basis_points: bp, vat: *b, net: None, gross: Some(*a) },
        };
        let at = amounts.iter().find(|a| a.cents == vat_line.vat).map_or(after, |a| a.start);
        out.push(super::fields::field(line, vat_line, at));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipt::lines::printed as lines;

    #[test]
    fn identity_numbers_as_printed() {
        let l = lines(&["Bakkerij B.V.", "KvK: 1234 5678", "BTW-nr NL0044.95.445.B01", "IBAN: NL91 ABNA 0417 1643 00", "Bon 20180304"]);
        assert_eq!(btw_id(&l).map(|f| f.value).as_deref(), Some("NL004495445B01"));
        assert_eq!(kvk(&l).map(|f| f.value).as_deref(), Some("12345678"));
        assert_eq!(iban(&l).map(|f| f.value).as_deref(), Some("NL91ABNA0417164300"));
        // Malaysian numbers are none of these.
        let l = lines(&["GST ID. NO: 000181747712", "Doc No :CS00011955", "INVOICE NO:18341/103/T0138"]);
        assert!(btw_id(&l).is_none() && kvk(&l).is_none() && iban(&l).is_none());
        let l = lines(&["IBAN DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX"]);
        assert_eq!(iban(&l).map(|f| f.value).as_deref(), Some("DE89370400440532013000"));
    }

    #[test]
    fn vat_lines_in_the_layouts_tills_print() {
        let l = lines(&[
            "BTW 21% over 10,33 2,17",
            "9% 11,44 1,03 12,47",
            "GST Summary Amount(RM) Tax(RM)",
            "SR @ 6% 15.00 0.90",
            "Korting 10% 1,00",
        ]);
        let v: Vec<VatLine> = vat_lines(&l).into_iter().map(|f| f.value).collect();
        assert_eq!(v[0], VatLine { basis_points: 2100, vat: 217, net: Some(1033), gross: Some(1250) });
        assert_eq!(v[1], VatLine { basis_points: 900, vat: 103, net: Some(1144), gross: Some(1247) });
        assert_eq!(v[2], VatLine { basis_points: 600, vat: 90, net: Some(1500), gross: Some(1590) });
        assert_eq!(v.len(), 3, "a discount line is not a VAT line: {v:?}");
        let gross_first = lines(&["BTW hoog 21% 12,50 2,17"]);
        assert_eq!(vat_lines(&gross_first)[0].value.gross, Some(1250));
        assert_eq!(rate("BTW 5,5%"), Some((550, 8)));
    }
}
