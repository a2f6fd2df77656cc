//! The sums a till makes: line items to the total, payments to the total, cash
//! rounded to 5 cents. An edited total or a receipt typed from scratch often fails
//! one of them. Amounts are in cents.

/// One line item as printed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Item {
    /// Quantity in thousandths (1 = 1000; 0.452 kg = 452), when printed.
    pub quantity_milli: Option<i64>,
    /// Unit price, when printed.
    pub unit_price: Option<i64>,
    /// Discount on the line (positive), when printed.
    pub discount: i64,
    /// The line's amount.
    pub amount: i64,
}

/// A sum that does not add up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// A line's quantity × unit price − discount is not its amount (within a cent).
    Line {
        /// The line's position, from 0.
        index: usize,
        /// What quantity × price − discount gives.
        expected: i64,
    },
    /// The items do not add up to the total (within a cent per line).
    Items {
        /// Their sum.
        sum: i64,
    },
    /// The payments do not add up to the total (cash change accounted for).
    Payments {
        /// What was paid, less change.
        paid: i64,
    },
    /// The amounts with VAT in the VAT table do not add up to the total (within a cent
    /// per line, and cash rounding).
    VatTable {
        /// Their sum.
        sum: i64,
    },
    /// A cash total not rounded to 5 cents, as Dutch tills round cash payments.
    CashRounding {
        /// The cash amount.
        cash: i64,
    },
}

/// How a receipt was paid.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Payment {
    /// The amount of the payment line.
    pub amount: i64,
    /// Paid in cash.
    pub cash: bool,
}

/// Checks the sums of a receipt: each line, the lines to `total`, the payments less
/// `change` to `total`, and cash to 5 cents. An empty list of items or payments is not
/// checked (not printed, or not read).
pub fn check(items: &[Item], total: i64, payments: &[Payment], change: i64) -> Vec<Mismatch> {
    use super::difference;
    let mut found = Vec::new();
    for (index, item) in items.iter().enumerate() {
        if let (Some(q), Some(price)) = (item.quantity_milli, item.unit_price) {
            let expected = super::round_div(i128::from(q) * i128::from(price), 1000).saturating_sub(item.discount);
            if difference(expected, item.amount).abs() > 1 {
                found.push(Mismatch::Line { index, expected });
            }
        }
    }
    if !items.is_empty() {
        let sum = super::total(items.iter().map(|i| i.amount));
        if difference(sum, total).abs() > items.len() as i128 {
            found.push(Mismatch::Items { sum });
        }
    }
    if !payments.is_empty() {
        let paid = super::total(payments.iter().map(|p| p.amount)).saturating_sub(change);
        let only_cash = payments.iter().all(|p| p.cash);
        // Cash is rounded to 5 cents: paying cash, the customer may pay up to 2 cents
        // less or more than the total.
        let slack = if only_cash { 2 } else { 0 };
        if difference(paid, total).abs() > slack {
            found.push(Mismatch::Payments { paid });
        }
        if only_cash && paid % 5 != 0 {
            found.push(Mismatch::CashRounding { cash: paid });
        }
    }
    found
}

/// Checks that the VAT table's amounts with VAT (`gross`, one per rate) add up to
/// `total`, within a cent per line and 2 cents of cash rounding.
pub fn vat_table(gross: &[i64], total: i64) -> Option<Mismatch> {
    let sum = super::total(gross.iter().copied());
    (!gross.is_empty() && super::difference(sum, total).abs() > 2 + gross.len() as i128).then_some(Mismatch::VatTable { sum })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(q: i64, price: i64, discount: i64, amount: i64) -> Item {
        Item { quantity_milli: Some(q), unit_price: Some(price), discount, amount }
    }

    #[test]
    fn a_till_s_sums_pass() {
        // 2 × 1.99, 0.452 kg × 12.99 = 5.87, a line with 0.50 off.
        let items = [item(2000, 199, 0, 398), item(452, 1299, 0, 587), item(1000, 350, 50, 300)];
        assert_eq!(check(&items, 1285, &[Payment { amount: 1285, cash: false }], 0), []);
        // Cash: 12.85 paid with 20.00, 7.15 back.
        assert_eq!(check(&items, 1285, &[Payment { amount: 2000, cash: true }], 715), []);
    }

    #[test]
    fn an_edited_total_fails_the_items_and_the_payments() {
        let items = [item(2000, 199, 0, 398), item(1000, 887, 0, 887)];
        let found = check(&items, 2285, &[Payment { amount: 1285, cash: false }], 0);
        assert_eq!(found, [Mismatch::Items { sum: 1285 }, Mismatch::Payments { paid: 1285 }]);
    }

    #[test]
    fn a_line_whose_amount_is_not_quantity_times_price_is_named() {
        let items = [item(3000, 250, 0, 850), item(1000, 100, 0, 100)];
        assert_eq!(check(&items, 950, &[], 0), [Mismatch::Line { index: 0, expected: 750 }]);
    }

    #[test]
    fn absurd_amounts_read_from_a_picture_are_reported_not_a_panic() {
        let items = [item(i64::MAX, i64::MAX, i64::MIN, i64::MAX), item(1000, 100, 0, i64::MAX)];
        let found = check(&items, i64::MIN, &[Payment { amount: i64::MAX, cash: true }], i64::MIN);
        assert!(found.contains(&Mismatch::Items { sum: i64::MAX }), "{found:?}");
        assert!(found.contains(&Mismatch::Payments { paid: i64::MAX }), "{found:?}");
        assert_eq!(super::super::vat::vat_difference(i64::MIN, i64::MAX, 2100).map(|d| d > 0), Some(true));
    }

    #[test]
    fn the_vat_table_adds_up_to_the_total() {
        assert_eq!(vat_table(&[1247, 310], 1557), None);
        assert_eq!(vat_table(&[1247, 310], 1555), None, "cash rounding");
        assert_eq!(vat_table(&[1247, 310], 4557), Some(Mismatch::VatTable { sum: 1557 }));
        assert_eq!(vat_table(&[], 4557), None);
    }

    #[test]
    fn cash_is_rounded_to_five_cents() {
        let items = [item(1000, 1283, 0, 1283)];
        // 12.83 rounds to 12.85 in cash: fine. Paid 12.83 exactly in cash: not a Dutch till.
        assert_eq!(check(&items, 1283, &[Payment { amount: 1285, cash: true }], 0), []);
        assert_eq!(
            check(&items, 1283, &[Payment { amount: 1283, cash: true }], 0),
            [Mismatch::CashRounding { cash: 1283 }]
        );
    }
}
