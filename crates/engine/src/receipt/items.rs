//! The body of a till receipt: the item lines above the total (with quantity × unit
//! price where printed), the subtotal, and the payments and change below the total —
//! what [`super::arithmetic`] adds up.

use super::arithmetic::{Item, Payment};
use super::fields::{field, words_of, Field, NOT_TOTAL, PAYMENT_WORDS, TAX_WORDS, TOTAL_LABELS};
use super::lines::Line;
use super::tokens;

/// Item lines, subtotal, payments and change, as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Body {
    /// The item lines above the subtotal or total, discounts as negative amounts.
    pub items: Vec<Field<Item>>,
    /// Whether every line above the total that holds an amount was understood as an
    /// item (only then are the items added up: a line not understood would be missing).
    pub items_complete: bool,
    /// The subtotal, when printed.
    pub subtotal: Option<Field<i64>>,
    /// The amounts of the summary lines between the items and the total (subtotal,
    /// gross, total before a discount or rounding) and the total's: what the items may
    /// add up to.
    pub sums: Vec<i64>,
    /// The payment lines below the total.
    pub payments: Vec<Field<Payment>>,
    /// The change given, when printed.
    pub change: Option<Field<i64>>,
    /// Whether every payment or change line in the block below the total had one
    /// amount read (only then are the payments added up).
    pub payments_complete: bool,
}

/// Words that make an item line a discount (its amount taken off).
const DISCOUNT_WORDS: [&str; 6] = ["korting", "discount", "bonus", "actie", "saving", "voordeel"];

/// Words of the change given back.
const CHANGE_WORDS: [&str; 5] = ["change", "wisselgeld", "retour", "terug", "baki"];

/// Words of a summary line that ends the items (besides subtotal and total labels).
const SUMMARY_WORDS: [&str; 5] = ["gross", "nett", "net amount", "amount due", "jumlah"];

/// Units after a number that make it a quantity, not an amount ("39.42 litre").
const UNITS: [&str; 8] = ["l", "ltr", "litre", "liter", "kg", "g", "ml", "m"];

/// Words of a cash payment.
const CASH_WORDS: [&str; 3] = ["cash", "contant", "tunai"];

/// Reads the body of the receipt from its lines (top to bottom).
pub fn read(lines: &[Line]) -> Body {
    let texts: Vec<String> = lines.iter().map(|l| words_of(&l.text())).collect();
    let has = |i: usize, w: &str| texts[i].contains(&format!(" {w} "));
    let starts = |i: usize, w: &str| texts[i].contains(&format!(" {w}"));
    let is_total = |i: usize| TOTAL_LABELS.iter().any(|l| has(i, l)) || has(i, "te betalen");
    let is_subtotal = |i: usize| ["subtotal", "sub total", "subtotaal"].iter().any(|w| starts(i, w)) || SUMMARY_WORDS.iter().any(|w| has(i, w));
    let is_payment = |i: usize| PAYMENT_WORDS.iter().any(|w| has(i, w)) || CHANGE_WORDS.iter().any(|w| starts(i, w));
    let end = (0..lines.len()).find(|&i| is_subtotal(i) || is_total(i) || is_payment(i)).unwrap_or(lines.len());
    let mut body = Body { items_complete: true, payments_complete: true, ..Body::default() };
    for (i, line) in lines.iter().enumerate().take(end) {
        let text = line.text();
        let amounts: Vec<tokens::Amount> = tokens::amounts(&text).into_iter().filter(|a| !is_quantity(&text, a)).collect();
        let Some(last) = amounts.last() else { continue };
        let tax_line = TAX_WORDS.iter().any(|w| has(i, w));
        let other = NOT_TOTAL.iter().any(|w| starts(i, w)) && !DISCOUNT_WORDS.iter().any(|w| starts(i, w));
        if tax_line || other || !tokens::dates(&text).is_empty() || tokens::time(&text).is_some() {
            continue;
        }
        let discount = DISCOUNT_WORDS.iter().any(|w| starts(i, w));
        let priced = quantity_and_price(&text, &amounts);
        let amount = match priced {
            // "2 x 1,99" alone: the quantity of the item above when its amount is that
            // product, else not understood.
            Some(((q, _), price_at)) if price_at == amounts.len() - 1 => {
                let price = amounts[price_at].cents;
                match body.items.last_mut() {
                    Some(above) if above.value.quantity_milli.is_none() && (super::round_div(i128::from(q) * i128::from(price), 1000) - above.value.amount).abs() <= 1 => {
                        above.value.quantity_milli = Some(q);
                        above.value.unit_price = Some(price);
                    }
                    _ => body.items_complete = false,
                }
                continue;
            }
            // A zero last amount is a discount column, not the line's amount.
            _ if last.cents == 0 => {
                body.items_complete = false;
                continue;
            }
            _ => last.cents,
        };
        let amount = if discount { -amount.abs() } else { amount };
        let (quantity_milli, unit_price) = match priced {
            Some(((q, _), at)) => (Some(q), Some(amounts[at].cents)),
            None => (None, None),
        };
        let item = Item { quantity_milli, unit_price, discount: 0, amount };
        body.items.push(field(line, item, last.start));
    }
    body.subtotal = lines[end.min(lines.len())..].iter().enumerate().find_map(|(k, line)| {
        let text = line.text();
        let [amount] = tokens::amounts(&text)[..] else { return None };
        is_subtotal(end + k).then(|| field(line, amount.cents, amount.start))
    });
    let total_line = (end..lines.len()).find(|&i| is_total(i) && !is_subtotal(i));
    for (k, line) in lines.iter().enumerate().take(total_line.map_or(end, |t| t + 1)).skip(end) {
        if let [amount] = tokens::amounts(&line.text())[..] {
            if is_subtotal(k) || is_total(k) {
                body.sums.push(amount.cents);
            }
        }
    }
    if let Some(total_line) = total_line {
        payments(lines, &texts, total_line, &mut body);
    }
    if body.items.is_empty() {
        body.items_complete = false;
    }
    body
}

/// The payment and change lines in the block below the total line, up to the VAT table
/// or a date (a payment-terminal slip further down repeats the amount).
fn payments(lines: &[Line], texts: &[String], total_line: usize, body: &mut Body) {
    for (k, line) in lines.iter().enumerate().skip(total_line + 1).take(6) {
        let words = &texts[k];
        let text = line.text();
        if TAX_WORDS.iter().any(|w| words.contains(&format!(" {w} "))) || !tokens::dates(&text).is_empty() {
            break;
        }
        let change = CHANGE_WORDS.iter().any(|w| words.contains(&format!(" {w}")));
        let paid = PAYMENT_WORDS.iter().any(|w| words.contains(&format!(" {w} ")));
        let [amount] = tokens::amounts(&text)[..] else {
            // "CHANGE RM .10": a payment line whose amount was not read.
            if change || (paid && text.chars().any(|c| c.is_ascii_digit())) {
                body.payments_complete = false;
            }
            continue;
        };
        if change {
            body.change = Some(field(line, amount.cents.abs(), amount.start));
        } else if paid {
            let cash = CASH_WORDS.iter().any(|w| words.contains(&format!(" {w} ")));
            body.payments.push(field(line, Payment { amount: amount.cents.abs(), cash }, amount.start));
        }
    }
}

/// Whether the amount is a quantity with its unit after it ("39.42 litre").
fn is_quantity(text: &str, amount: &tokens::Amount) -> bool {
    let after: String = text.chars().skip(amount.end).collect();
    let word: String = after.trim_start().chars().take_while(|c| c.is_alphabetic()).collect::<String>().to_lowercase();
    UNITS.contains(&word.as_str())
}

/// A quantity printed before a unit price, `2 x 1,99`, `0,452 kg x 12,99`, `3 @ 2.50`:
/// ((quantity in thousandths, its char offset), index of the price in `amounts`).
fn quantity_and_price(text: &str, amounts: &[tokens::Amount]) -> Option<((i64, usize), usize)> {
    let chars: Vec<char> = text.chars().collect();
    amounts.iter().enumerate().find_map(|(index, a)| {
        let mut i = a.start;
        let skip_spaces = |i: &mut usize| {
            while *i > 0 && chars[*i - 1] == ' ' {
                *i -= 1;
            }
        };
        skip_spaces(&mut i);
        // A currency between the sign and the price: "05 X RM 12.50".
        let before: String = chars[..i].iter().collect::<String>().to_lowercase();
        for currency in ["rm", "eur", "€"] {
            if before.ends_with(currency) && before[..before.len() - currency.len()].ends_with(' ') {
                i -= currency.chars().count();
                skip_spaces(&mut i);
                break;
            }
        }
        if i == 0 || !matches!(chars[i - 1], 'x' | 'X' | '×' | '@' | '*') {
            return None;
        }
        i -= 1;
        skip_spaces(&mut i);
        // A unit between the quantity and the sign: "0,452 kg x".
        let before: String = chars[..i].iter().collect::<String>().to_lowercase();
        for unit in ["kg", "st", "stk", "pcs"] {
            if before.ends_with(unit) {
                i -= unit.len();
                skip_spaces(&mut i);
                break;
            }
        }
        let end = i;
        while i > 0 && (chars[i - 1].is_ascii_digit() || chars[i - 1] == ',' || chars[i - 1] == '.') {
            i -= 1;
        }
        let number: String = chars[i..end].iter().collect();
        let milli = quantity_milli(&number)?;
        Some(((milli, i), index))
    })
}

/// "2" → 2000, "0,452" → 452, "1.5" → 1500; `None` for no number or more than three decimals.
fn quantity_milli(number: &str) -> Option<i64> {
    let (whole, fraction) = match number.find([',', '.']) {
        Some(at) => (&number[..at], &number[at + 1..]),
        None => (number, ""),
    };
    if whole.is_empty() || whole.len() > 6 || fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = if fraction.is_empty() { 0 } else { format!("{fraction:0<3}").parse().ok()? };
    Some(whole * 1000 + fraction)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipt::lines::printed;

    #[test]
    fn items_with_quantities_a_discount_the_subtotal_and_the_payments() {
        let body = read(&printed(&[
            "Bakkerij de Krakeling",
            "Dorpsstraat 12",
            "Omschrijving Bedrag",
            "2 x 1,99 Croissant 3,98",
            "Volkorenbrood 3,10",
            "0,452 kg x 12,99 Kaas 5,87",
            "Korting 0,50",
            "Subtotaal 12,45",
            "TOTAAL EUR 12,45",
            "Contant 20,00",
            "Wisselgeld 7,55",
            "BTW 9% 11,42 1,03 12,45",
            "PIN 12,45",
        ]));
        let items: Vec<(Option<i64>, Option<i64>, i64)> =
            body.items.iter().map(|f| (f.value.quantity_milli, f.value.unit_price, f.value.amount)).collect();
        assert_eq!(items, [(Some(2000), Some(199), 398), (None, None, 310), (Some(452), Some(1299), 587), (None, None, -50)]);
        assert!(body.items_complete);
        assert_eq!(body.subtotal.map(|s| s.value), Some(1245));
        let paid: Vec<(i64, bool)> = body.payments.iter().map(|p| (p.value.amount, p.value.cash)).collect();
        assert_eq!(paid, [(2000, true)], "the PIN line below the VAT table is not a payment of this block");
        assert_eq!(body.change.map(|c| c.value), Some(755));
        assert_eq!(body.sums, [1245, 1245]);
    }

    #[test]
    fn layouts_of_other_tills() {
        // The quantity below the item; a quantity in litres; a gross amount ends the items.
        let body = read(&printed(&[
            "2506 LOKAM MNDRN S RM62.50 z",
            "05 X RM 12.50",
            "39.42 litre Pump # 09",
            "FuelSave 95 RM 85.54 C",
            "Gross Amount : 148.04",
            "Total (RM) 148.04",
            "CASH RM 150.00",
            "CHANGE RM .10",
        ]));
        let items: Vec<(Option<i64>, i64)> = body.items.iter().map(|f| (f.value.quantity_milli, f.value.amount)).collect();
        assert_eq!(items, [(Some(5000), 6250), (None, 8554)]);
        assert!(body.items_complete);
        assert_eq!(body.sums, [14804, 14804]);
        assert!(!body.payments_complete, "the change was not read");
    }

    #[test]
    fn a_quantity_line_without_its_amount_makes_the_items_incomplete() {
        let body = read(&printed(&["SHOP", "2 x 1.99", "CROISSANT 3.98", "TOTAL 3.98", "CASH 5.00", "CHANGE 1.02"]));
        assert!(!body.items_complete);
        assert_eq!(body.payments.len(), 1);
        assert_eq!(quantity_milli("1.5"), Some(1500));
        assert_eq!(quantity_milli("1.2345"), None);
    }
}
