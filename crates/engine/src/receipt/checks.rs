//! The checks run on what was read from a receipt: its identity numbers, its VAT lines
//! (rate in force on the receipt's date, VAT the rate's share of the amount), its sums
//! (items to the subtotal or total, payments to the total, cash to 5 cents), its dates
//! (the sale dates printed agree, a printed day of the week fits its date) and, on a
//! Dutch till receipt, what every Dutch till prints. Each failure is a signal
//! ([`super::signals`]).

use super::fields::ReceiptFields;
use super::signals::{self, IdKind};
use super::{arithmetic, identity, vat};
use crate::signal::Signal;

/// Every finding of the checks on the fields read, in the order above.
pub fn signals(fields: &ReceiptFields) -> Vec<Signal> {
    let mut out = Vec::new();
    let ids = [
        (IdKind::BtwId, fields.btw_id.as_ref(), identity::btw_id as fn(&str) -> identity::IdCheck),
        (IdKind::Kvk, fields.kvk.as_ref(), identity::kvk),
        (IdKind::Iban, fields.iban.as_ref(), identity::iban),
    ];
    for (kind, field, check) in ids {
        if let Some(f) = field {
            out.extend(signals::identity(kind, &f.value, &check(&f.value)));
        }
    }
    let date = fields.date.as_ref().map(|d| d.value);
    let mut rates_named = Vec::new();
    for line in &fields.vat {
        let v = line.value;
        if !rates_named.contains(&v.basis_points) {
            rates_named.push(v.basis_points);
            out.extend(signals::vat_rate(v.basis_points, date, &vat::dutch_rate(v.basis_points, date)));
        }
        // One VAT-amount finding per receipt (the first line that fails): each signal
        // adds routing points, and a badly read page must not escalate line by line.
        let named = out.iter().any(|s: &Signal| s.id == "receipt.vat.amount");
        // A Dutch receipt's only VAT line, printed without its amount: the VAT is the
        // rate's share of the total (21 % of the total is a made-up receipt's mistake).
        let only_line = fields.dutch && fields.vat.len() == 1;
        let gross = v.gross.or(only_line.then(|| fields.total.as_ref().map(|t| t.value)).flatten());
        if let (Some(gross), false) = (gross, named) {
            if let Some(difference) = vat::vat_difference(gross, v.vat, v.basis_points) {
                out.push(signals::vat_amount(gross, v.vat, v.basis_points, difference));
            }
        }
    }
    out.extend(sums(fields));
    out.extend(dates(fields));
    out.extend(missing(fields));
    out
}

/// The sums: items to the subtotal (else the total) when every item line was read,
/// payments less change to the total; the VAT table to the total and cash rounding only
/// on a Dutch receipt.
fn sums(fields: &ReceiptFields) -> Vec<Signal> {
    let Some(total) = fields.total.as_ref().map(|t| t.value) else { return Vec::new() };
    let mut out = Vec::new();
    if fields.items_complete {
        let items: Vec<arithmetic::Item> = fields.items.iter().map(|f| f.value.clone()).collect();
        let base = fields.subtotal.as_ref().map_or(total, |s| s.value);
        // The items may add up to any summary line (before a discount, tax or rounding
        // printed below them): a mismatch only when they add up to none.
        let adds_up = |to: i64| arithmetic::check(&items, to, &[], 0).iter().all(|m| !matches!(m, arithmetic::Mismatch::Items { .. }));
        let some_sum = fields.sums.iter().chain([&total]).any(|s| adds_up(*s));
        for mismatch in arithmetic::check(&items, base, &[], 0) {
            if !(some_sum && matches!(mismatch, arithmetic::Mismatch::Items { .. })) {
                out.push(signals::sum(base, &mismatch));
            }
        }
    }
    let gross: Option<Vec<i64>> = fields.vat.iter().map(|v| v.value.gross).collect();
    if let (true, Some(gross)) = (fields.dutch, gross) {
        out.extend(arithmetic::vat_table(&gross, total).map(|m| signals::sum(total, &m)));
    }
    let payments: Vec<arithmetic::Payment> =
        if fields.payments_complete { fields.payments.iter().map(|f| f.value.clone()).collect() } else { Vec::new() };
    let change = fields.change.as_ref().map_or(0, |c| c.value);
    for mismatch in arithmetic::check(&[], total, &payments, change) {
        if fields.dutch || !matches!(mismatch, arithmetic::Mismatch::CashRounding { .. }) {
            out.push(signals::sum(total, &mismatch));
        }
    }
    out
}

/// Sale dates more than a day apart (a sale just before midnight is paid just after);
/// a day of the week that is not the printed date's.
fn dates(fields: &ReceiptFields) -> Vec<Signal> {
    let mut out = Vec::new();
    let days = |f: &&super::fields::Field<crate::date::Date>| f.value.days();
    if let (Some(first), Some(last)) = (fields.sale_dates.iter().min_by_key(days), fields.sale_dates.iter().max_by_key(days)) {
        if last.value.days() - first.value.days() > 1 {
            out.push(signals::dates_differ(first.value, last.value));
        }
    }
    if let Some(w) = &fields.weekday {
        if w.value.date.weekday() != w.value.weekday {
            out.push(signals::weekday(w.value.weekday, w.value.date));
        }
    }
    out
}

/// On a Dutch till receipt with a total: the VAT table, the receipt number and the
/// till or terminal id — two or more of them missing is how a receipt made from
/// scratch looks.
fn missing(fields: &ReceiptFields) -> Option<Signal> {
    if !fields.dutch || fields.total.is_none() {
        return None;
    }
    let missing: Vec<signals::TillField> = [
        (fields.vat.is_empty(), signals::TillField::VatTable),
        (fields.receipt_number.is_none(), signals::TillField::ReceiptNumber),
        (fields.till.is_none(), signals::TillField::Till),
    ]
    .into_iter()
    .filter_map(|(gone, f)| gone.then_some(f))
    .collect();
    (missing.len() >= 2).then(|| signals::missing(&missing))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipt::{fields, lines::printed};

    fn read(texts: &[&str]) -> ReceiptFields {
        fields::read(&printed(texts))
    }

    fn ids(texts: &[&str]) -> Vec<String> {
        signals(&read(texts)).into_iter().map(|s| s.id).collect()
    }

    #[test]
    fn an_honest_dutch_receipt_passes_and_each_forgery_is_named() {
        let honest = [
            "Bakkerij de Krakeling B.V.",
            "KvK 12345678 BTW NL004495445B01",
            "Datum 05-03-2024",
            "Totaal 12,50",
            "BTW 21% over 10,33 2,17",
            "Bonnr 4711 Kassa 2",
        ];
        assert!(ids(&honest).is_empty(), "{:?}", ids(&honest));
        // An edited VAT amount, a made-up BTW-id, a date before the 9 % rate.
        let edited: Vec<&str> = honest.iter().map(|l| if l.starts_with("BTW 21%") { "BTW 21% over 10,33 3,17" } else { l }).collect();
        // (The VAT line no longer reads as net and VAT, so its table no longer adds up either.)
        assert_eq!(ids(&edited), ["receipt.vat.amount", "receipt.sum.vat-table"]);
        let twice: Vec<&str> = edited.iter().copied().chain(["BTW 9% 11,44 2,03 13,47"]).collect();
        let found = ids(&twice);
        assert_eq!(found.iter().filter(|id| *id == "receipt.vat.amount").count(), 1, "one VAT-amount finding per receipt: {found:?}");
        assert_eq!(ids(&["KvK 12345678 BTW NL123456789B01"]), ["receipt.identity.btw-id"]);
        assert_eq!(ids(&["Datum 05-03-2018", "BTW 9% 11,44 1,03 12,47"]), ["receipt.vat.rate"]);
    }

    #[test]
    fn a_foreign_rate_is_named_not_suspected() {
        // 20 %: France, Austria, the UK.
        let s = signals(&read(&["Date 12/06/2024", "TVA 20% 10,00 2,00 12,00"]));
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].id, "receipt.vat.foreign");
        assert!(!s[0].is_suspicious());
    }

    #[test]
    fn sums_dates_and_missing_till_fields_on_a_dutch_receipt() {
        let honest = [
            "Bakkerij de Krakeling",
            "2 x 1,99 Croissant 3,98",
            "Volkorenbrood 3,10",
            "Subtotaal 7,08",
            "TOTAAL 7,08",
            "PIN 7,08",
            "BTW 9% 6,50 0,58 7,08",
            "Bonnr 4711 Kassa 2",
            "Di 05-03-2024 14:02",
            "Datum 05/03/2024 14:02",
        ];
        assert!(ids(&honest).is_empty(), "{:?}", ids(&honest));
        let with = |from: &str, to: &'static str| -> Vec<String> {
            ids(&honest.iter().map(|l| if *l == from { to } else { l }).collect::<Vec<_>>())
        };
        // An edited total: the items and the payment no longer agree with it.
        let edited = with("TOTAAL 7,08", "TOTAAL 17,08");
        assert_eq!(edited, ["receipt.sum.vat-table", "receipt.sum.payments"]);
        // An item's amount edited: the items add up to no sum printed.
        assert_eq!(with("Volkorenbrood 3,10", "Volkorenbrood 5,10"), ["receipt.sum.items"]);
        assert_eq!(with("2 x 1,99 Croissant 3,98", "2 x 1,99 Croissant 4,98"), ["receipt.sum.line", "receipt.sum.items"]);
        // A changed date: the slip's date, and the day of the week, give it away.
        assert_eq!(with("Di 05-03-2024 14:02", "Di 15-03-2024 14:02"), ["receipt.date.differs", "receipt.date.weekday"]);
        // Made from scratch: no VAT table, no receipt number or till.
        let scratch = ["Bakkerij de Krakeling", "Volkorenbrood 3,10", "TOTAAL 3,10", "PIN 3,10", "Datum 05/03/2024"];
        assert_eq!(ids(&scratch), ["receipt.missing-fields"]);
        // Its VAT worked out as 21 % of the total (0,65), not the rate's share (0,54).
        let naive = ["Bakkerij de Krakeling", "TOTAAL 3,10", "BTW 21% 0,65", "Bonnr 12345 Kassa 1", "Datum 05/03/2024"];
        assert_eq!(ids(&naive), ["receipt.vat.amount"]);
        assert!(ids(&["Bakkerij de Krakeling", "TOTAAL 3,10", "BTW 21% 0,54", "Bonnr 12345 Kassa 1"]).is_empty());
        let s = signals(&read(&scratch));
        assert!(s[0].summary.nl.contains("btw-specificatie, bonnummer, kassa- of terminalnummer"), "{}", s[0].summary.nl);
    }

    #[test]
    fn a_foreign_receipt_is_not_held_to_dutch_till_habits() {
        // Malaysian: no VAT table or till number, cash not rounded to 5 cents.
        assert!(ids(&["KEDAI RUNCIT", "MILO 3.33", "TOTAL 3.33", "CASH 3.33"]).is_empty());
    }
}
