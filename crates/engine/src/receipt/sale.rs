//! A receipt's sale as text: the shop, the day, the time, the total and the receipt
//! number. The same receipt photographed again, cropped or scanned gives the same key
//! (its pixels differ, its text does not), so the reuse index can find a receipt sent
//! with two claims; the same receipt number with another total is an edit. Two
//! different sales of one shop never share a key.

use super::fields::ReceiptFields;
use super::{letters_and_digits, money};
use crate::date::Date;
use crate::signal::{Category, Direction, Signal, Text};

/// What identifies one sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleKey {
    /// The shop's name: letters and digits, upper case.
    pub merchant: String,
    /// Day of the sale.
    pub date: Date,
    /// Time of the sale, `HH:MM`, when printed.
    pub time: Option<String>,
    /// The total, in cents.
    pub total: i64,
    /// The receipt number: letters and digits, upper case, when printed.
    pub number: Option<String>,
}

/// A sale seen before, in another claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierSale {
    /// Its key.
    pub key: SaleKey,
    /// The claim it came with.
    pub source: String,
    /// When it was received (RFC 3339).
    pub seen_at: String,
}

/// The key of a receipt's sale: needs the shop, the date, the total, and the time or
/// the receipt number (a shop's sales of one day and amount are told apart by them).
pub fn key(fields: &ReceiptFields) -> Option<SaleKey> {
    let merchant = letters_and_digits(&fields.merchant.as_ref()?.value);
    let number = fields.receipt_number.as_ref().map(|n| letters_and_digits(&n.value)).filter(|n| n.len() >= 3);
    let time = fields.time.as_ref().map(|t| t.value.clone());
    if merchant.chars().filter(|c| c.is_alphabetic()).count() < 3 || (number.is_none() && time.is_none()) {
        return None;
    }
    Some(SaleKey { merchant, date: fields.date.as_ref()?.value, time, total: fields.total.as_ref()?.value, number })
}

/// How an earlier sale relates to this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The same sale: same shop, day, total, and the same receipt number (or, without
    /// numbers, the same minute).
    Same {
        /// Matched on the receipt number (else on the minute alone).
        by_number: bool,
    },
    /// The same receipt number of the same shop and day with another total.
    OtherTotal,
    /// Another sale.
    Other,
}

/// How `earlier` relates to `this`.
pub fn relation(this: &SaleKey, earlier: &SaleKey) -> Relation {
    if this.merchant != earlier.merchant || this.date != earlier.date {
        return Relation::Other;
    }
    match (&this.number, &earlier.number) {
        (Some(a), Some(b)) if a == b => {
            if this.total == earlier.total {
                Relation::Same { by_number: true }
            } else {
                Relation::OtherTotal
            }
        }
        (Some(_), Some(_)) => Relation::Other,
        _ if this.time.is_some() && this.time == earlier.time && this.total == earlier.total => Relation::Same { by_number: false },
        _ => Relation::Other,
    }
}

/// The signals for this sale against sales seen in other claims: the same receipt
/// again (reuse: strong when the receipt number matches, a "look closer" when only
/// the minute does), or its number with another total (an edit).
pub fn signals(this: &SaleKey, earlier: &[EarlierSale]) -> Vec<Signal> {
    let mut out = Vec::new();
    let same: Vec<(&EarlierSale, bool)> = earlier
        .iter()
        .filter_map(|e| match relation(this, &e.key) {
            Relation::Same { by_number } => Some((e, by_number)),
            _ => None,
        })
        .collect();
    if let Some((first, _)) = same.first() {
        let by_number = same.iter().any(|(_, b)| *b);
        let claims: Vec<&str> = same.iter().map(|(e, _)| e.source.as_str()).collect();
        let how_en = if by_number { "the same shop, day, receipt number and total" } else { "the same shop, day, minute and total" };
        let how_nl = if by_number { "dezelfde winkel, dag, bonnummer en totaal" } else { "dezelfde winkel, dag, minuut en totaal" };
        let summary = Text::new(
            format!("This receipt was sent before, with claim {} on {}: {how_en}, even if the picture differs.", first.source, first.seen_at),
            format!("Deze bon is eerder ingestuurd, bij claim {} op {}: {how_nl}, ook al verschilt de foto.", first.source, first.seen_at),
        );
        let strength = if by_number { 0.9 } else { 0.6 };
        out.push(
            Signal::new("receipt.seen-before", Category::Reuse, Direction::Suspicious, strength, summary)
                .with("source", first.source.clone())
                .with("claims", claims.join(" "))
                .with("by_receipt_number", by_number),
        );
    }
    if let Some(e) = earlier.iter().find(|e| relation(this, &e.key) == Relation::OtherTotal) {
        let number = this.number.clone().unwrap_or_default();
        let (a, b) = (e.key.total, this.total);
        let summary = Text::new(
            format!("Receipt number {number} of this shop and day was sent before with claim {} with a total of {}; this copy says {}. One of the two was edited.", e.source, money(a, false), money(b, false)),
            format!("Bonnummer {number} van deze winkel en dag is eerder ingestuurd bij claim {} met een totaal van {}; deze zegt {}. Een van beide is bewerkt.", e.source, money(a, true), money(b, true)),
        );
        out.push(
            Signal::new("receipt.number-other-total", Category::Manipulation, Direction::Suspicious, 0.7, summary)
                .with("source", e.source.clone())
                .with("earlier_total_cents", e.key.total)
                .with("receipt_number", number),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipt::{fields, lines::printed};

    fn sale(texts: &[&str]) -> SaleKey {
        key(&fields::read(&printed(texts))).expect("a key")
    }

    fn earlier(key: SaleKey) -> EarlierSale {
        EarlierSale { key, source: "clm_1".into(), seen_at: "2026-12-01T10:00:00Z".into() }
    }

    const RECEIPT: [&str; 5] = ["Bakkerij De Krakeling", "Croissant 1,25", "TOTAAL 1,25", "Bonnr: 4711 Kassa 2", "Di 05-03-2024 14:02"];

    #[test]
    fn the_same_receipt_again_is_found_and_another_total_is_an_edit() {
        let first = sale(&RECEIPT);
        assert_eq!((first.merchant.as_str(), first.number.as_deref(), first.total), ("BAKKERIJDEKRAKELING", Some("4711"), 125));
        // Read again from another photo: the shop's name read with other spacing.
        let again = sale(&["Bakkerij de  Krakeling", "Croissant 1,25", "TOTAAL 1,25", "Bonnr 4711", "Di 05-03-2024 14:02"]);
        let s = signals(&again, &[earlier(first.clone())]);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].id.as_str(), s[0].strength), ("receipt.seen-before", 0.9));
        assert!(s[0].summary.nl.starts_with("Deze bon is eerder ingestuurd, bij claim clm_1"), "{}", s[0].summary.nl);
        let edited = sale(&["Bakkerij De Krakeling", "Croissant 1,25", "TOTAAL 71,25", "Bonnr: 4711 Kassa 2", "Di 05-03-2024 14:02"]);
        let s = signals(&edited, &[earlier(first.clone())]);
        assert_eq!(s.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["receipt.number-other-total"]);
        assert!(s[0].summary.en.contains("with a total of EUR 1.25; this copy says EUR 71.25"), "{}", s[0].summary.en);
        assert!(s[0].summary.nl.contains("met een totaal van € 1,25; deze zegt € 71,25"), "{}", s[0].summary.nl);
    }

    #[test]
    fn two_sales_of_one_shop_are_never_the_same() {
        let first = sale(&RECEIPT);
        let next = sale(&["Bakkerij De Krakeling", "Croissant 1,25", "TOTAAL 1,25", "Bonnr: 4712 Kassa 2", "Di 05-03-2024 14:02"]);
        assert_eq!(relation(&next, &first), Relation::Other, "same minute and amount, another receipt number");
        assert!(signals(&next, &[earlier(first)]).is_empty());
        // Without numbers the minute tells them apart; a match on it alone is weaker.
        let a = sale(&["Bakkerij De Krakeling", "TOTAAL 1,25", "05-03-2024 14:02"]);
        let b = sale(&["Bakkerij De Krakeling", "TOTAAL 1,25", "05-03-2024 14:03"]);
        assert_eq!(relation(&a, &b), Relation::Other);
        assert_eq!(relation(&a, &a), Relation::Same { by_number: false });
        assert_eq!(signals(&a, &[earlier(a.clone())])[0].strength, 0.6);
        assert!(key(&fields::read(&printed(&["Bakkerij De Krakeling", "TOTAAL 1,25", "05-03-2024"]))).is_none(), "no time, no number");
    }
}
