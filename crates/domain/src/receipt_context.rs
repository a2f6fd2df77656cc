//! Does a receipt fit the claim? Its date against the purchase date the claim states,
//! the incident and the day the claim arrived, its total against the amount claimed,
//! its shop against the claim's. Each finding is a
//! `context.receipt-*` signal: a reason to look, since the receipt's fields come from
//! reading a picture and a misread digit fails as surely as an edit.

use crate::claim::ClaimContext;
use crate::context::{days, suspicious, SLACK_DAYS};
use proofdesk_engine::receipt::letters_and_digits;
use proofdesk_engine::Signal;

/// What the checks need from a receipt read in a claim's evidence.
#[derive(Debug, Clone, Default)]
pub struct ReceiptFacts {
    /// The receipt's date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The receipt's total in minor units (cents).
    pub total_minor: Option<i64>,
    /// The shop's name as printed.
    pub merchant: Option<String>,
}

/// Claim types whose receipts come after the incident: costs it caused (a delayed
/// flight's meal, a hotel night), not the purchase of what was damaged.
fn expenses(claim_type: Option<&str>) -> bool {
    claim_type.is_some_and(|t| ["expense", "kosten", "delay", "vertraging", "cost"].iter().any(|w| t.contains(w)))
}

/// The context signals for one receipt of a claim received on `received` (`YYYY-MM-DD`).
pub fn check(claim: &ClaimContext, receipt: &ReceiptFacts, received: &str) -> Vec<Signal> {
    let mut out = Vec::new();
    if let Some(day) = receipt.date.as_deref().filter(|d| crate::claim::valid_date(d)) {
        if crate::claim::valid_date(received) && days(day) > days(received) + SLACK_DAYS {
            out.push(suspicious(
                "context.receipt-in-future",
                0.7,
                format!("The receipt is dated {day}, after the claim arrived ({received}): a receipt cannot be printed later than it was sent."),
                format!("De bon is gedateerd {day}, na binnenkomst van de claim ({received}): een bon kan niet later geprint zijn dan hij is verstuurd."),
            ));
        }
        if let Some(incident) = claim.incident_date.as_deref().filter(|p| crate::claim::valid_date(p)) {
            if days(day) > days(incident) + SLACK_DAYS && !expenses(claim.claim_type.as_deref()) {
                out.push(suspicious(
                    "context.receipt-after-incident",
                    0.5,
                    format!("The receipt is dated {day}, after the incident on {incident}: as proof of purchase it should be older (for costs the incident caused, this is expected)."),
                    format!("De bon is gedateerd {day}, na het voorval op {incident}: als aankoopbewijs hoort hij ouder te zijn (voor kosten door het voorval is dit normaal)."),
                ));
            }
        }
        if let Some(purchase) = claim.purchase_date.as_deref().filter(|p| crate::claim::valid_date(p)) {
            if (days(day) - days(purchase)).abs() > SLACK_DAYS {
                out.push(suspicious(
                    "context.receipt-date-differs",
                    0.5,
                    format!("The receipt is dated {day}, but the claim says the purchase was on {purchase}."),
                    format!("De bon is gedateerd {day}, maar volgens de claim was de aankoop op {purchase}."),
                ));
            }
        }
    }
    if let (Some(printed), Some(shop)) = (receipt.merchant.as_deref(), claim.shop.as_deref()) {
        let (a, b) = (letters_and_digits(printed), letters_and_digits(shop));
        // "Coolblue" and "COOLBLUE B.V.": one name holds the other.
        if a.len() >= 3 && b.len() >= 3 && !a.contains(&b) && !b.contains(&a) {
            out.push(
                suspicious(
                    "context.receipt-other-shop",
                    0.5,
                    format!("The receipt is from {printed}, but the claim says it was bought from {shop}."),
                    format!("De bon is van {printed}, maar volgens de claim is het gekocht bij {shop}."),
                )
                .with("printed", printed.to_owned())
                .with("claimed", shop.to_owned()),
            );
        }
    }
    if let (Some(total), Some(claimed)) = (receipt.total_minor, claim.claimed_amount_minor) {
        if claimed > total && total > 0 {
            let money = |c: i64| format!("{}.{:02}", c / 100, c % 100);
            let money_nl = |c: i64| format!("{},{:02}", c / 100, c % 100);
            out.push(
                suspicious(
                    "context.claim-exceeds-receipt",
                    0.7,
                    format!("The claim asks for {}, more than the receipt's total of {}.", money(claimed), money(total)),
                    format!("De claim vraagt {}, meer dan het totaal van de bon ({}).", money_nl(claimed), money_nl(total)),
                )
                .with("claimed_minor", claimed)
                .with("receipt_total_minor", total),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(purchase: Option<&str>, amount: Option<i64>) -> ClaimContext {
        let mut c: ClaimContext = serde_json::from_value(serde_json::json!({"external_ref": "T-1", "customer_id": "c1"})).expect("a context");
        c.purchase_date = purchase.map(str::to_owned);
        c.claimed_amount_minor = amount;
        c
    }

    fn ids(c: &ClaimContext, date: Option<&str>, total: Option<i64>) -> Vec<String> {
        let facts = ReceiptFacts { date: date.map(str::to_owned), total_minor: total, merchant: None };
        check(c, &facts, "2024-03-10").into_iter().map(|s| s.id).collect()
    }

    #[test]
    fn a_receipt_that_fits_says_nothing_and_each_misfit_is_named() {
        let c = claim(Some("2024-03-05"), Some(1250));
        assert!(ids(&c, Some("2024-03-05"), Some(1250)).is_empty());
        assert!(ids(&c, Some("2024-03-06"), Some(2000)).is_empty(), "a day of slack; a partial claim");
        assert_eq!(ids(&c, Some("2024-02-01"), Some(1250)), ["context.receipt-date-differs"]);
        assert_eq!(ids(&c, Some("2024-03-12"), Some(1250)), ["context.receipt-in-future", "context.receipt-date-differs"]);
        assert_eq!(ids(&c, None, Some(999)), ["context.claim-exceeds-receipt"]);
        assert!(ids(&claim(None, None), Some("2024-01-01"), Some(5)).is_empty());
    }

    #[test]
    fn a_receipt_after_the_incident_or_from_another_shop_is_named() {
        let mut c = claim(None, None);
        c.incident_date = Some("2024-03-01".into());
        c.shop = Some("Coolblue".into());
        let facts = |date: &str, shop: &str| ReceiptFacts { date: Some(date.into()), total_minor: None, merchant: Some(shop.into()) };
        let ids = |c: &ClaimContext, f: &ReceiptFacts| check(c, f, "2024-03-10").into_iter().map(|s| s.id).collect::<Vec<_>>();
        assert!(ids(&c, &facts("2024-02-20", "COOLBLUE B.V.")).is_empty(), "bought before, the same shop in other letters");
        let after = check(&c, &facts("2024-03-05", "MediaMarkt Utrecht"), "2024-03-10");
        assert_eq!(after.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["context.receipt-after-incident", "context.receipt-other-shop"]);
        assert_eq!(after[1].summary.nl, "De bon is van MediaMarkt Utrecht, maar volgens de claim is het gekocht bij Coolblue.");
        // A delay claim's receipts are the costs it caused: after the incident is expected.
        c.claim_type = Some("delay-expenses".into());
        assert!(ids(&c, &facts("2024-03-05", "Coolblue")).is_empty());
    }
}
