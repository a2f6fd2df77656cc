//! What a till stamps on every receipt besides the money: the receipt number, the till
//! or payment-terminal id, and the moment of the sale — printed once at the top or
//! bottom and again on the payment slip, often with the day of the week.

use super::fields::{field, words_of, Field};
use super::lines::Line;
use super::tokens;
use crate::date::Date;
use serde::Serialize;

/// Labels of the receipt's own number (one or two words, lowercase).
const NUMBER_LABELS: [&str; 16] = [
    "bonnr", "bon nr", "bonnummer", "receipt no", "receipt nr", "receipt", "invoice no", "inv no", "bill no", "transactie",
    "transactienr", "trans", "ticket", "ticketnr", "doc no", "volgnr",
];

/// Labels of the till or the payment terminal.
const TILL_LABELS: [&str; 7] = ["kassa", "kassanr", "terminal", "till", "pos", "tid", "counter"];

/// A day of the week printed before a date: (names, 1 = Monday … 7 = Sunday).
const WEEKDAYS: [(&[&str], u8); 7] = [
    (&["ma", "maandag", "mon", "monday", "mo", "montag"], 1),
    (&["di", "dinsdag", "tue", "tues", "tuesday", "dienstag"], 2),
    (&["wo", "woensdag", "wed", "wednesday", "mi", "mittwoch"], 3),
    (&["do", "donderdag", "thu", "thur", "thurs", "thursday", "donnerstag"], 4),
    (&["vr", "vrijdag", "fri", "friday", "fr", "freitag"], 5),
    (&["za", "zaterdag", "sat", "saturday", "sa", "samstag"], 6),
    (&["zo", "zondag", "sun", "sunday", "so", "sonntag"], 7),
];

/// A day of the week printed with a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DatedWeekday {
    /// The day printed, 1 (Monday) … 7 (Sunday).
    pub weekday: u8,
    /// The date printed after it.
    pub date: Date,
}

/// The till's stamps on a receipt, as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stamps {
    /// The receipt (transaction, ticket) number.
    pub receipt_number: Option<Field<String>>,
    /// The till or payment terminal.
    pub till: Option<Field<String>>,
    /// Every date printed as the moment of a sale: with a time beside it, or labelled.
    pub sale_dates: Vec<Field<Date>>,
    /// A day of the week printed before a date.
    pub weekday: Option<Field<DatedWeekday>>,
}

/// Reads the stamps from the receipt's lines.
pub fn read(lines: &[Line]) -> Stamps {
    let mut stamps = Stamps::default();
    for line in lines {
        let text = line.text();
        stamps.receipt_number = stamps.receipt_number.or_else(|| labelled(line, &text, &NUMBER_LABELS));
        stamps.till = stamps.till.or_else(|| labelled(line, &text, &TILL_LABELS));
        let words = words_of(&text);
        let labelled_date = ["date", "datum", "tarikh"].iter().any(|l| words.contains(&format!(" {l} ")));
        for found in tokens::dates(&text) {
            if labelled_date || tokens::time(&text[byte_at(&text, found.end)..]).is_some() {
                stamps.sale_dates.push(field(line, found.date, found.start));
            }
            if stamps.weekday.is_none() {
                if let Some(weekday) = weekday_before(&text, found.start) {
                    stamps.weekday = Some(field(line, DatedWeekday { weekday, date: found.date }, found.start));
                }
            }
        }
    }
    stamps
}

/// Byte offset of char offset `chars` in `text`.
fn byte_at(text: &str, chars: usize) -> usize {
    text.char_indices().nth(chars).map_or(text.len(), |(b, _)| b)
}

/// The value after one of `labels` on the line: the next word holding a digit
/// ("Bonnr: 4711", "Kassa 2", "Terminal T3K8Z2").
fn labelled(line: &Line, text: &str, labels: &[&str]) -> Option<Field<String>> {
    let words: Vec<(usize, String)> = word_offsets(text);
    for i in 0..words.len() {
        for label in labels {
            let parts: Vec<&str> = label.split(' ').collect();
            let matches = parts.iter().enumerate().all(|(k, p)| words.get(i + k).is_some_and(|(_, w)| w == p));
            if !matches {
                continue;
            }
            let value = words[i + parts.len()..].iter().take(3).find(|(_, v)| v.chars().any(|c| c.is_ascii_digit()));
            if let Some((at, _)) = value {
                let token: String = text.chars().skip(*at).take_while(|c| !c.is_whitespace()).collect();
                let original: String = token.chars().take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | '.')).collect();
                let original = original.trim_end_matches(['.', '-', '/']).to_string();
                if !original.is_empty() && tokens::amounts(&token).is_empty() {
                    return Some(field(line, original, *at));
                }
            }
        }
    }
    None
}

/// The line's words, lowercase with punctuation around them removed, with their char
/// offsets.
fn word_offsets(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (i, c) in text.chars().enumerate() {
        if c.is_whitespace() || matches!(c, ':' | '#') {
            if !current.is_empty() {
                out.push((start, std::mem::take(&mut current)));
            }
        } else {
            if current.is_empty() {
                start = i;
            }
            current.extend(c.to_lowercase());
        }
    }
    if !current.is_empty() {
        out.push((start, current));
    }
    out.into_iter().map(|(at, w)| (at, w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())).collect()
}

/// The day of the week named by the word just before char offset `at`.
fn weekday_before(text: &str, at: usize) -> Option<u8> {
    let before: String = text.chars().take(at).collect();
    let word = before.trim_end().trim_end_matches([',', '.']).rsplit(|c: char| !c.is_alphabetic()).next()?.to_lowercase();
    WEEKDAYS.iter().find(|(names, _)| names.contains(&word.as_str())).map(|(_, d)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipt::lines::printed;

    #[test]
    fn number_till_sale_dates_and_weekday() {
        let s = read(&printed(&[
            "Bakkerij de Krakeling",
            "Ruilen tot 05-04-2024",
            "Bonnr: 4711 Kassa 2 Medewerker 14",
            "Di 05-03-2024 14:02",
            "Terminal T3K8Z2",
            "Datum 05/03/2024",
        ]));
        assert_eq!(s.receipt_number.map(|f| f.value).as_deref(), Some("4711"));
        assert_eq!(s.till.map(|f| f.value).as_deref(), Some("2"));
        let dates: Vec<String> = s.sale_dates.iter().map(|f| f.value.to_string()).collect();
        assert_eq!(dates, ["2024-03-05", "2024-03-05"], "the return-by date is not a sale date");
        let w = s.weekday.expect("a weekday").value;
        assert_eq!((w.weekday, w.date.to_string()), (2, "2024-03-05".to_string()));
    }

    #[test]
    fn an_amount_is_not_a_receipt_number() {
        let s = read(&printed(&["Receipt 12,50", "Trans 000123/77"]));
        assert_eq!(s.receipt_number.map(|f| f.value).as_deref(), Some("000123/77"));
        assert_eq!(weekday_before("Sat, 12/06/2024", 5), Some(6));
        assert_eq!(weekday_before("Total 12/06/2024", 6), None);
    }
}
