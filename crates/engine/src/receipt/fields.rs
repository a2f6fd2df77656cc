//! The fields of a receipt, from its printed lines: merchant, date, time and total (and,
//! from [`super::numbers`], identity numbers and VAT lines), each
//! with the text it was read from and its box, so that a person can check it on the
//! picture.

use super::lines::Line;
use super::tokens::{self, Amount};
use crate::date::Date;
use crate::ocr::TextBox;
use serde::Serialize;

/// A value read from a receipt, with the text it came from and where that is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field<T> {
    /// The value.
    pub value: T,
    /// The printed line it was read from.
    pub text: String,
    /// Where on the picture (the piece of text holding it).
    pub bbox: TextBox,
}

/// What a receipt says, as far as it could be read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReceiptFields {
    /// The shop or company, as printed at the top (without a registration number).
    pub merchant: Option<Field<String>>,
    /// The date of the sale.
    pub date: Option<Field<Date>>,
    /// The time of the sale, `HH:MM` (24-hour).
    pub time: Option<Field<String>>,
    /// The amount to pay, in cents.
    pub total: Option<Field<i64>>,
    /// The Dutch BTW-id (VAT number), as printed without spaces or dots.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub btw_id: Option<Field<String>>,
    /// The KvK number (Chamber of Commerce), its digits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kvk: Option<Field<String>>,
    /// An IBAN, without spaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iban: Option<Field<String>>,
    /// The VAT lines.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vat: Vec<Field<super::numbers::VatLine>>,
    /// The item lines above the total, discounts negative.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Field<super::arithmetic::Item>>,
    /// The subtotal, in cents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtotal: Option<Field<i64>>,
    /// The payment lines below the total.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub payments: Vec<Field<super::arithmetic::Payment>>,
    /// The change given, in cents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<Field<i64>>,
    /// The receipt (transaction) number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_number: Option<Field<String>>,
    /// The till or payment-terminal id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub till: Option<Field<String>>,
    /// Every date printed as the moment of the sale (with a time, or labelled).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sale_dates: Vec<Field<Date>>,
    /// A day of the week printed before a date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weekday: Option<Field<super::till::DatedWeekday>>,
    /// Whether every line above the total holding an amount was read as an item (only
    /// then are the items added up).
    #[serde(skip)]
    pub items_complete: bool,
    /// The summary amounts the items may add up to (subtotal, gross, total).
    #[serde(skip)]
    pub sums: Vec<i64>,
    /// Whether every payment or change line below the total had its amount read.
    #[serde(skip)]
    pub payments_complete: bool,
    /// Whether the receipt is Dutch (a Dutch BTW-id, or Dutch till words).
    #[serde(skip)]
    pub dutch: bool,
}

/// Reads the fields from a receipt's lines (top to bottom).
pub fn read(lines: &[Line]) -> ReceiptFields {
    let body = super::items::read(lines);
    let stamps = super::till::read(lines);
    let btw_id = super::numbers::btw_id(lines);
    let dutch = btw_id.as_ref().is_some_and(|b| b.value.starts_with("NL")) || lines.iter().any(|l| {
        let words = words_of(&l.text());
        l.text().contains('€') || DUTCH_WORDS.iter().any(|w| words.contains(&format!(" {w} ")))
    });
    ReceiptFields {
        merchant: merchant(lines),
        date: date(lines),
        time: time(lines),
        total: total(lines),
        btw_id,
        kvk: super::numbers::kvk(lines),
        iban: super::numbers::iban(lines),
        vat: super::numbers::vat_lines(lines),
        items: body.items,
        subtotal: body.subtotal,
        payments: body.payments,
        change: body.change,
        receipt_number: stamps.receipt_number,
        till: stamps.till,
        sale_dates: stamps.sale_dates,
        weekday: stamps.weekday,
        items_complete: body.items_complete,
        sums: body.sums,
        payments_complete: body.payments_complete,
        dutch,
    }
}

/// Words only a Dutch till prints.
const DUTCH_WORDS: [&str; 9] = ["btw", "totaal", "subtotaal", "te betalen", "kassabon", "wisselgeld", "contant", "bonnr", "omschrijving"];

/// The piece of the line holding char offset `at` of [`Line::text`].
fn word_box(line: &Line, at: usize) -> TextBox {
    let mut start = 0;
    for w in &line.words {
        let end = start + w.text.chars().count();
        if at < end {
            return w.bbox;
        }
        start = end + 1;
    }
    line.bbox
}

/// A field read from char offset `at` of the line's text.
pub(super) fn field<T>(line: &Line, value: T, at: usize) -> Field<T> {
    Field { value, text: line.text(), bbox: word_box(line, at) }
}

/// Lowercase letters and digits, everything else one space.
pub(super) fn words_of(text: &str) -> String {
    let mut s = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            s.push(c);
        } else if !s.ends_with(' ') {
            s.push(' ');
        }
    }
    format!(" {} ", s.trim())
}

/// The first date; a line labelled as the date wins over an earlier one.
fn date(lines: &[Line]) -> Option<Field<Date>> {
    let mut first = None;
    for line in lines {
        let text = line.text();
        let labelled = ["date", "datum", "tarikh", "dated"].iter().any(|l| words_of(&text).contains(&format!(" {l} ")));
        let found = tokens::dates(&text).into_iter().next();
        // Eight digits are a date only where the line says so (a KvK number has eight).
        let Some(found) = found.or_else(|| tokens::compact_date(&text).filter(|_| labelled)) else { continue };
        let f = field(line, found.date, found.start);
        if labelled {
            return Some(f);
        }
        first.get_or_insert(f);
    }
    first
}

fn time(lines: &[Line]) -> Option<Field<String>> {
    lines.iter().find_map(|line| {
        let text = line.text();
        let (h, m) = tokens::time(&text)?;
        Some(Field { value: format!("{h:02}:{m:02}"), text, bbox: line.bbox })
    })
}

/// Labels of the amount to pay: the final amount whatever comes before it.
const FINAL_LABELS: [&str; 13] = [
    "grand total", "rounded", "nett total", "net total", "payable", "amount due", "total due", "te betalen",
    "total to pay", "zu zahlen", "total ttc", "a payer", "à payer",
];

/// Labels of a total (matched on whole words, currency words left out: "Total RM Incl.
/// of GST" is "total incl of gst").
pub(super) const TOTAL_LABELS: [&str; 7] = ["total", "totaal", "totale", "summe", "tot", "totaalbedrag", "gesamtbetrag"];

/// Currency words, left out when matching labels.
const CURRENCY_WORDS: [&str; 7] = ["rm", "eur", "euro", "usd", "myr", "sgd", "gbp"];

/// Parts of a line that make it something else than the amount to pay (each the start
/// of a word).
pub(super) const NOT_TOTAL: [&str; 17] = [
    "subtotal", "sub total", "subtotaal", "excl", "total qty", "total quantity", "total item", "qty", "discount",
    "korting", "saving", "change", "wisselgeld", "retour", "service", "rounding adj", "item",
];

/// Taxes: a line naming one is a tax line unless it says the total includes it.
pub(super) const TAX_WORDS: [&str; 6] = ["gst", "vat", "btw", "tax", "sst", "mwst"];

/// Payment lines: what was paid, by cash or card.
pub(super) const PAYMENT_WORDS: [&str; 15] = [
    "cash", "tunai", "contant", "pin", "card", "visa", "mastercard", "maestro", "debit", "credit", "betaald", "paid", "payment",
    "betaling", "bayaran",
];

/// The amount to pay: on the last line with a final-amount label ("Grand total", "Te
/// betalen", "Rounded"), else on the last total line. A total line holds one amount (a
/// line with several is a row of the VAT table); a label alone on its line takes the
/// amount on the next line. Without a total line: what was paid less the change.
fn total(lines: &[Line]) -> Option<Field<i64>> {
    let mut best: Option<(bool, Field<i64>)> = None;
    for (i, line) in lines.iter().enumerate() {
        let text = line.text();
        let words: String = words_of(&text).split(' ').filter(|w| !CURRENCY_WORDS.contains(w)).collect::<Vec<_>>().join(" ");
        let has = |l: &str| words.contains(&format!(" {l} "));
        let starts = |l: &str| words.contains(&format!(" {l}"));
        let tax_line = TAX_WORDS.iter().any(|t| has(t)) && !["incl", "inclusive", "includes", "including", "inkl"].iter().any(|w| starts(w));
        if NOT_TOTAL.iter().any(|n| starts(n)) || tax_line {
            continue;
        }
        let last = FINAL_LABELS.iter().any(|l| has(l));
        if !last && !TOTAL_LABELS.iter().any(|l| has(l)) {
            continue;
        }
        let amounts = tokens::amounts(&text);
        let here = match amounts.len() {
            0 => None,
            1 => Some((line, amounts[0])),
            _ => continue,
        };
        let next = || {
            let next = lines.get(i + 1)?;
            let t = next.text();
            let a: Amount = tokens::amounts(&t).into_iter().next()?;
            Some((next, a))
        };
        let Some((at, amount)) = here.or_else(next) else { continue };
        if amount.cents <= 0 {
            continue;
        }
        if best.as_ref().is_none_or(|(final_label, _)| last || !final_label) {
            best = Some((last, field(at, amount.cents, amount.start)));
        }
    }
    best.map(|(_, f)| f).or_else(|| paid_less_change(lines))
}

/// The amount paid (cash or card) less the change given, when both are printed once.
fn paid_less_change(lines: &[Line]) -> Option<Field<i64>> {
    let mut paid: Option<Field<i64>> = None;
    let mut change = 0i64;
    for line in lines {
        let text = line.text();
        let words = words_of(&text);
        let amounts = tokens::amounts(&text);
        let [amount] = amounts.as_slice() else { continue };
        if ["change", "wisselgeld", "retour", "baki"].iter().any(|w| words.contains(&format!(" {w}"))) {
            change = amount.cents.abs();
        } else if paid.is_none() && PAYMENT_WORDS.iter().any(|w| words.contains(&format!(" {w} "))) {
            paid = Some(field(line, amount.cents.abs(), amount.start));
        }
    }
    let mut paid = paid?;
    paid.value -= change;
    (paid.value > 0).then_some(paid)
}

/// Lines at the top that name no shop.
const NOT_MERCHANT: [&str; 24] = [
    "tax invoice", "invoice", "receipt", "official receipt", "cash sale", "cash bill", "simplified tax invoice", "kassabon",
    "bon", "factuur", "kwitantie", "welcome", "welkom", "tel", "telefoon", "fax", "gst", "btw", "kvk", "reg no", "co reg",
    "company reg", "www", "email",
];

/// Words that finish a company's name on the line below it.
const NAME_ENDINGS: [&str; 10] = ["sdn bhd", "sdn bhd.", "s b", "bhd", "b v", "bv", "v o f", "vof", "n v", "gmbh"];

/// The first line near the top that can be a name: letters, not a heading, an
/// address or a phone number; a registration number in brackets is left off, and a
/// legal form printed on the next line is added.
fn merchant(lines: &[Line]) -> Option<Field<String>> {
    for (i, line) in lines.iter().take(6).enumerate() {
        let text = line.text();
        if !tokens::dates(&text).is_empty() || !tokens::amounts(&text).is_empty() {
            break;
        }
        let words = words_of(&text);
        let mut name = without_registration(&text);
        let letters = name.chars().filter(|c| c.is_alphabetic()).count();
        let digits = name.chars().filter(char::is_ascii_digit).count();
        if letters < 3 || digits * 2 > letters || NOT_MERCHANT.iter().any(|n| words.starts_with(&format!(" {n} "))) {
            continue;
        }
        // "LIAN CHI PU TIAN VEGETARIAN" / "RESTAURANT SDN BHD": a short line without
        // digits that ends in a legal form finishes the name.
        if let Some(next) = lines.get(i + 1) {
            let next_text = without_registration(&next.text());
            let next_words = words_of(&next_text);
            let short = next_words.split_whitespace().count() <= 5;
            let no_digits = !next_text.chars().any(|c| c.is_ascii_digit());
            if short && no_digits && NAME_ENDINGS.iter().any(|e| next_words.ends_with(&format!(" {e} "))) {
                name = format!("{name} {next_text}");
            }
        }
        if name.chars().filter(|c| c.is_alphabetic()).count() < 3 {
            continue;
        }
        return Some(Field { value: name, text, bbox: line.bbox });
    }
    None
}

/// The text without a trailing bracketed number (`(519537-X)`, `(Co. No. 1234)`).
fn without_registration(text: &str) -> String {
    let trimmed = text.trim();
    if let Some(open) = trimmed.rfind('(') {
        let inside = &trimmed[open..];
        if inside.chars().any(|c| c.is_ascii_digit()) {
            return trimmed[..open].trim().to_string();
        }
    }
    trimmed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipt::lines::printed as lines;

    #[test]
    fn the_final_total_comes_after_a_rounding_and_a_name_continues_on_the_next_line() {
        let l = lines(&[
            "POPULAR BOOK",
            "CO. (M) SDN BHD",
            "(Co. No. 113825-W)",
            "Total RM Incl. of GST 49.39",
            "Rounding Adj 0.01",
            "Total RM 49.40",
            "Cash -50.00",
        ]);
        let f = read(&l);
        assert_eq!(f.merchant.map(|m| m.value).as_deref(), Some("POPULAR BOOK CO. (M) SDN BHD"));
        assert_eq!(f.total.map(|t| t.value), Some(4940));
    }

    #[test]
    fn a_malaysian_till_receipt() {
        let l = lines(&[
            "99 SPEED MART S/B (519537-X)",
            "LOT P.T. 2811, JALAN ANGSA,",
            "GST ID. NO: 000181747712",
            "INVOICE NO:18341/103/T0138",
            "-09:06PM 569547 19-03-18",
            "103 SUNQUICK OREN 840ML RM11.40 s",
            "Total Sales (Inclusive GST) RM 11.40",
            "CASH RM 11.40",
            "CHANGE RM .00",
            "GST Summary Amount(RM) Tax(RM)",
        ]);
        let f = read(&l);
        assert_eq!(f.merchant.map(|m| m.value).as_deref(), Some("99 SPEED MART S/B"));
        assert_eq!(f.date.map(|d| d.value.to_string()).as_deref(), Some("2018-03-19"));
        assert_eq!(f.time.map(|t| t.value).as_deref(), Some("21:06"));
        let total = f.total.expect("a total");
        assert_eq!(total.value, 1140);
        assert_eq!(total.bbox.y, 240);
    }

    #[test]
    fn a_dutch_receipt_with_a_subtotal_a_vat_table_and_a_rounded_total() {
        let l = lines(&[
            "KASSABON",
            "Bakkerij de Gouden Krakeling B.V.",
            "Dorpsstraat 12, 1234 AB Ergens",
            "Subtotaal 12,47",
            "Totaal 12,47",
            "Afgerond te betalen 12,45",
            "BTW 9% over 11,44 1,03",
            "Contant 20,00",
            "Wisselgeld 7,55",
            "Datum: 05-03-2024 14:02",
        ]);
        let f = read(&l);
        assert_eq!(f.merchant.map(|m| m.value).as_deref(), Some("Bakkerij de Gouden Krakeling B.V."));
        assert_eq!(f.total.map(|t| t.value), Some(1245));
        // Without a total line: paid less change.
        let l = lines(&["Bakkerij", "Brood 3,10", "Contant 5,00", "Wisselgeld 1,90"]);
        assert_eq!(read(&l).total.map(|t| t.value), Some(310));
        assert_eq!(f.date.map(|d| d.value.to_string()).as_deref(), Some("2024-03-05"));
    }

    #[test]
    fn a_label_alone_takes_the_amount_below_and_a_legal_form_below_the_name_joins_it() {
        let l = lines(&["SUN WONG KUT", "SDN BHD", "Total (Excluding GST): 83.18", "GST payable (6%): 4.99", "TOTAL", "RM 88.17", "Total: 83.18 4.99"]);
        let f = read(&l);
        assert_eq!(f.merchant.map(|m| m.value).as_deref(), Some("SUN WONG KUT SDN BHD"));
        assert_eq!(f.total.map(|t| t.value), Some(8817));
        assert_eq!(read(&lines(&["no receipt here"])).total, None);
    }
}
