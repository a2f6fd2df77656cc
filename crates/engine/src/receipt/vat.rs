//! Dutch VAT (btw) on receipts: which rates were in force on a date, and whether a
//! printed VAT amount is the share of the gross amount its rate gives.

use crate::date::Date;

/// One Dutch VAT rate and when it applied (`until` is the first day it no longer did).
struct Period {
    basis_points: u32,
    from: Date,
    until: Option<Date>,
}

/// Dutch rates since 2001: the high rate 19 % became 21 % on 2012-10-01, the low rate
/// 6 % became 9 % on 2019-01-01; 0 % throughout.
const DUTCH: [Period; 5] = [
    Period { basis_points: 1900, from: Date { year: 2001, month: 1, day: 1 }, until: Some(Date { year: 2012, month: 10, day: 1 }) },
    Period { basis_points: 2100, from: Date { year: 2012, month: 10, day: 1 }, until: None },
    Period { basis_points: 600, from: Date { year: 2001, month: 1, day: 1 }, until: Some(Date { year: 2019, month: 1, day: 1 }) },
    Period { basis_points: 900, from: Date { year: 2019, month: 1, day: 1 }, until: None },
    Period { basis_points: 0, from: Date { year: 2001, month: 1, day: 1 }, until: None },
];

/// Whether a rate printed on a receipt was a Dutch rate on the receipt's date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateCheck {
    /// A Dutch rate in force on that date.
    InForce,
    /// A Dutch rate, but it had ended before the date.
    Ended {
        /// The first day it no longer applied.
        on: Date,
    },
    /// A Dutch rate, but it only began after the date.
    NotYet {
        /// The day it began.
        from: Date,
    },
    /// Never a Dutch rate since 2001: a foreign receipt, or a made-up rate.
    NotDutch,
}

/// Checks a rate in basis points (21 % = 2100) against the date (before 2001, or
/// without a date, only whether it is a Dutch rate at all).
pub fn dutch_rate(basis_points: u32, date: Option<Date>) -> RateCheck {
    let periods: Vec<&Period> = DUTCH.iter().filter(|p| p.basis_points == basis_points).collect();
    if periods.is_empty() {
        return RateCheck::NotDutch;
    }
    let Some(date) = date.filter(|d| d.year >= 2001) else { return RateCheck::InForce };
    if periods.iter().any(|p| p.from <= date && p.until.is_none_or(|u| date < u)) {
        return RateCheck::InForce;
    }
    match periods.iter().find(|p| p.from > date) {
        Some(p) => RateCheck::NotYet { from: p.from },
        None => RateCheck::Ended { on: periods.iter().filter_map(|p| p.until).max().unwrap_or(date) },
    }
}

/// The VAT share of a gross amount at a rate, in cents, rounded half away from zero:
/// gross × r / (100 + r).
pub fn vat_in_gross(gross_cents: i64, basis_points: u32) -> i64 {
    super::round_div(i128::from(gross_cents) * i128::from(basis_points), 10_000 + i128::from(basis_points))
}

/// Tolerance of a printed VAT amount, in cents (tills round per line or per total).
pub const VAT_TOLERANCE_CENTS: i64 = 2;

/// Whether a printed VAT amount agrees with its gross amount and rate, within
/// [`VAT_TOLERANCE_CENTS`]; the difference (printed − expected) when it does not.
pub fn vat_difference(gross_cents: i64, vat_cents: i64, basis_points: u32) -> Option<i64> {
    let difference = super::difference(vat_cents, vat_in_gross(gross_cents, basis_points));
    let reported = i64::try_from(difference).unwrap_or(if difference < 0 { i64::MIN } else { i64::MAX });
    (difference.abs() > i128::from(VAT_TOLERANCE_CENTS)).then_some(reported)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Option<Date> {
        Some(Date::new(y, m, day).unwrap())
    }

    #[test]
    fn rates_are_checked_against_the_receipt_s_date() {
        assert_eq!(dutch_rate(2100, d(2024, 5, 1)), RateCheck::InForce);
        assert_eq!(dutch_rate(900, d(2019, 1, 1)), RateCheck::InForce, "the first day of 9 %");
        assert_eq!(dutch_rate(600, d(2018, 12, 31)), RateCheck::InForce, "the last day of 6 %");
        assert_eq!(dutch_rate(600, d(2019, 1, 1)), RateCheck::Ended { on: Date::new(2019, 1, 1).unwrap() });
        assert_eq!(dutch_rate(1900, d(2012, 10, 1)), RateCheck::Ended { on: Date::new(2012, 10, 1).unwrap() });
        assert_eq!(dutch_rate(1900, d(2012, 9, 30)), RateCheck::InForce);
        assert_eq!(dutch_rate(2100, d(2012, 9, 30)), RateCheck::NotYet { from: Date::new(2012, 10, 1).unwrap() });
        assert_eq!(dutch_rate(0, d(2025, 2, 3)), RateCheck::InForce);
        assert_eq!(dutch_rate(2000, d(2025, 2, 3)), RateCheck::NotDutch, "20 %: UK, France");
        assert_eq!(dutch_rate(600, None), RateCheck::InForce, "a Dutch rate, date unknown");
    }

    #[test]
    fn vat_is_the_rate_s_share_of_the_gross_amount() {
        assert_eq!(vat_in_gross(12100, 2100), 2100, "EUR 121.00 at 21 %");
        assert_eq!(vat_in_gross(1090, 900), 90);
        assert_eq!(vat_in_gross(1000, 2100), 174, "173.55… rounds to 174");
        assert_eq!(vat_in_gross(-1000, 2100), -174, "a refund");
        assert_eq!(vat_difference(1000, 175, 2100), None, "a cent off is within tolerance");
        assert_eq!(vat_difference(1000, 176, 2100), None);
        assert_eq!(vat_difference(1000, 177, 2100), Some(3));
        assert_eq!(vat_difference(12100, 2100, 900), Some(2100 - 999), "the high rate's VAT under the low rate");
    }
}
