//! Reading a receipt or invoice and checking what it says. Its printed lines
//! ([`lines`], from the pieces [`crate::ocr`] read) give its fields ([`fields`], with
//! [`tokens`] for amounts, dates and times); the checks are of its identity numbers
//! ([`identity`]), its VAT ([`vat`]) and its sums ([`arithmetic`]), and their findings
//! become signals ([`signals`]). The checks take fields (amounts in cents) and say what
//! does not hold; a failed check is a reason for a person to look closer, never a
//! verdict on its own.

pub mod arithmetic;
pub mod checks;
pub mod fields;
pub mod identity;
pub mod items;
pub mod lines;
pub mod numbers;
pub mod sale;
pub mod signals;
pub mod till;
pub mod tokens;
pub mod vat;

use crate::ocr::{TextBox, Word};
use serde::Serialize;

/// Version of the `receipt` object in a screening report.
pub const RECEIPT_SCHEMA: &str = "proofdesk.receipt/1";

/// What was read from a receipt or invoice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReceiptReport {
    /// [`RECEIPT_SCHEMA`].
    pub schema: &'static str,
    /// The fields, each with its box.
    pub fields: fields::ReceiptFields,
    /// Every printed line read, top to bottom.
    pub lines: Vec<ReadLine>,
    /// Why the text could not be read, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One printed line as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadLine {
    /// Its text.
    pub text: String,
    /// Where it is.
    pub bbox: TextBox,
}

impl ReceiptReport {
    /// The report of a receipt whose text was read as `words`.
    pub fn from_words(words: &[Word]) -> ReceiptReport {
        let lines = lines::group(words);
        ReceiptReport {
            schema: RECEIPT_SCHEMA,
            fields: fields::read(&lines),
            lines: lines.iter().map(|l| ReadLine { text: l.text(), bbox: l.bbox }).collect(),
            error: None,
        }
    }

    /// The report of a receipt whose text could not be read.
    pub fn unread(error: String) -> ReceiptReport {
        ReceiptReport { schema: RECEIPT_SCHEMA, fields: fields::ReceiptFields::default(), lines: Vec::new(), error: Some(error) }
    }
}

/// The signals of a read receipt: its failed checks, or that neither a total nor a
/// date was found.
pub fn signals_of(report: &ReceiptReport) -> Vec<crate::signal::Signal> {
    let mut out = checks::signals(&report.fields);
    if report.fields.total.is_none() && report.fields.date.is_none() {
        out.push(signals::unread(report.lines.len()));
    }
    out
}

/// `n / d` (d > 0) in whole cents, rounded half away from zero, saturated to i64 (the
/// amounts come from reading a picture and may be absurd).
fn round_div(n: i128, d: i128) -> i64 {
    let (q, r) = (n.unsigned_abs() / d.unsigned_abs(), n.unsigned_abs() % d.unsigned_abs());
    let q = q + u128::from(2 * r >= d.unsigned_abs());
    let q = i64::try_from(q).unwrap_or(i64::MAX);
    if n < 0 { -q } else { q }
}

/// Cents as an amount in euros: "EUR 12.85" in English, "€ 12,85" in Dutch.
pub fn money(cents: i64, dutch: bool) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let (whole, rest) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
    if dutch {
        format!("{sign}€ {whole},{rest:02}")
    } else {
        format!("{sign}EUR {whole}.{rest:02}")
    }
}

/// Letters and digits only, upper case: how names and numbers read from a picture are
/// compared (spacing and punctuation vary between readings).
pub fn letters_and_digits(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

/// `a − b` without overflow.
fn difference(a: i64, b: i64) -> i128 {
    i128::from(a) - i128::from(b)
}

/// The sum of amounts, saturated to i64.
fn total(amounts: impl Iterator<Item = i64>) -> i64 {
    amounts.fold(0i64, i64::saturating_add)
}
