//! The checks run on what was read from a receipt: its identity numbers, its VAT lines
//! (rate in force on the receipt's date, VAT the rate's share of the amount) and, when
//! the total and the payments are read, that they agree. Each failure is a signal
//! ([`super::signals`]).

use super::fields::ReceiptFields;
use super::signals::{self, IdKind};
use super::{identity, vat};
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
        if let (Some(gross), false) = (v.gross, named) {
            if let Some(difference) = vat::vat_difference(gross, v.vat, v.basis_points) {
                out.push(signals::vat_amount(gross, v.vat, v.basis_points, difference));
            }
        }
    }
    out
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
        ];
        assert!(ids(&honest).is_empty(), "{:?}", ids(&honest));
        // An edited VAT amount, a made-up BTW-id, a date before the 9 % rate.
        let edited: Vec<&str> = honest.iter().map(|l| if l.starts_with("BTW 21%") { "BTW 21% over 10,33 3,17" } else { l }).collect();
        assert_eq!(ids(&edited), ["receipt.vat.amount"]);
        let twice: Vec<&str> = edited.iter().copied().chain(["BTW 9% 11,44 2,03 13,47"]).collect();
        assert_eq!(ids(&twice), ["receipt.vat.amount"], "one VAT-amount finding per receipt");
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
}
