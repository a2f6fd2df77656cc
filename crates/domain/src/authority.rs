//! Financial authority: how much each person may approve on their own, per currency,
//! and the four-eyes rule above it. An approval within the decider's authority takes
//! effect at once; above it the claim waits for a second person whose authority covers
//! the amount, who is never the first. Nobody approves a claim they submitted.

use proofdesk_engine::signal::Text;
use std::collections::BTreeMap;

/// Largest amount accepted anywhere, in minor units (a hundred million in major units).
pub const MAX_MINOR: i64 = 10_000_000_000;

/// Currencies an amount may be in (ISO 4217; those of the EU and its neighbours).
pub const CURRENCIES: [&str; 12] = [
    "EUR", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "BGN", "USD",
];

/// An amount of money in minor units (cents).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money {
    /// Minor units.
    pub minor: i64,
    /// ISO 4217 code.
    pub currency: String,
}

impl Money {
    /// Reads `250EUR`, `250.00 EUR` or `EUR 129,95`; refuses negative, absurd and
    /// unknown amounts with a reason.
    pub fn parse(text: &str) -> Result<Money, String> {
        let t = text.trim().to_uppercase();
        let head = t.get(..3).filter(|h| h.chars().all(|c| c.is_ascii_alphabetic()));
        let (num, cur): (String, String) = if let Some(head) = head {
            (t[3..].trim().to_owned(), head.to_owned())
        } else {
            let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
            (t[..split].trim().to_owned(), t[split..].trim().to_owned())
        };
        if !CURRENCIES.contains(&cur.as_str()) {
            return Err(format!("unknown currency {cur:?}: use one of {}", CURRENCIES.join(", ")));
        }
        let minor = parse_minor(&num.replace(',', ".")).ok_or_else(|| {
            format!("{num:?} is not an amount: write it like 250 or 129.95, not negative")
        })?;
        if minor > MAX_MINOR {
            return Err(format!("{num} {cur} is more than any claim can be"));
        }
        Ok(Money { minor, currency: cur })
    }

    /// `€ 250.00`, `GBP 12.50`.
    pub fn display(&self) -> String {
        let sign = if self.currency == "EUR" { "€ ".to_owned() } else { format!("{} ", self.currency) };
        format!("{sign}{}.{:02}", self.minor / 100, self.minor % 100)
    }
}

/// Non-negative decimal with at most two decimals, in minor units.
fn parse_minor(s: &str) -> Option<i64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 12 {
        return None;
    }
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let cents = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse::<i64>().ok()?,
    };
    whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(cents)
}

/// What one person may approve alone, per currency (no entry: nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Authority {
    /// Currency → most minor units.
    pub limits: BTreeMap<String, i64>,
}

impl Authority {
    /// Whether the person may approve `amount` alone.
    pub fn covers(&self, amount: &Money) -> bool {
        self.limits.get(&amount.currency).is_some_and(|&max| amount.minor <= max)
    }

    /// The limit in a currency, if any.
    pub fn limit(&self, currency: &str) -> Option<Money> {
        self.limits.get(currency).map(|&minor| Money { minor, currency: currency.to_owned() })
    }
}

/// Who is approving what.
pub struct Approval<'a> {
    /// The approver's user id.
    pub user_id: &'a str,
    /// Their authority.
    pub authority: &'a Authority,
    /// The amount approved.
    pub amount: &'a Money,
    /// The claim's submitter (`user:ID` for a claim entered by hand, else the API key).
    pub submitted_by: Option<&'a str>,
    /// Who made the first approval, when the claim awaits a second.
    pub first_approver: Option<&'a str>,
    /// The amount the first approver approved, when the claim awaits a second.
    pub first_amount: Option<&'a Money>,
}

/// What an approval does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovalOutcome {
    /// Within authority (or the second of four eyes): the claim is approved.
    Decided,
    /// Above authority: the claim waits for a second approver.
    AwaitingSecond,
}

/// Why an approval is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalRefused {
    /// The approver submitted the claim.
    #[error("you submitted this claim, so someone else must decide it")]
    OwnClaim,
    /// The decider declared a relation with the claim's customer.
    #[error("you declared a relation with this customer, so someone else must decide their claims")]
    RelatedCustomer,
    /// The approver made the first approval.
    #[error("you made the first approval; a second person must complete it")]
    SameApprover,
    /// A second approver's authority does not cover the amount.
    #[error("your authority ({0}) does not cover {1}; a colleague with more authority or a supervisor must complete it")]
    AboveAuthority(String, String),
    /// The second approval names another amount than the first.
    #[error("the first approval was for {0}; approve that amount, or decide otherwise with a reason")]
    OtherAmount(String),
}

impl ApprovalRefused {
    /// The refusal in both languages.
    pub fn text(&self) -> Text {
        let nl = match self {
            ApprovalRefused::OwnClaim => "u hebt deze claim zelf ingediend, dus een ander moet erover beslissen".to_owned(),
            ApprovalRefused::RelatedCustomer => "u hebt een relatie met deze klant gemeld, dus een ander moet over diens claims beslissen".to_owned(),
            ApprovalRefused::SameApprover => "u deed de eerste goedkeuring; een tweede persoon moet die afronden".to_owned(),
            ApprovalRefused::AboveAuthority(limit, amount) => format!("uw bevoegdheid ({limit}) dekt {amount} niet; een collega met meer bevoegdheid of een teamleider moet dit afronden"),
            ApprovalRefused::OtherAmount(first) => format!("de eerste goedkeuring was voor {first}; keur dat bedrag goed, of beslis anders met een reden"),
        };
        Text::new(self.to_string(), nl)
    }
}

/// Applies the four-eyes rule to an approval.
pub fn approve(a: &Approval<'_>) -> Result<ApprovalOutcome, ApprovalRefused> {
    if a.submitted_by == Some(format!("user:{}", a.user_id).as_str()) {
        return Err(ApprovalRefused::OwnClaim);
    }
    let limit_text = || {
        a.authority
            .limit(&a.amount.currency)
            .map_or_else(|| "none".to_owned(), |m| m.display())
    };
    match a.first_approver {
        Some(first) if first == a.user_id => Err(ApprovalRefused::SameApprover),
        Some(_) => {
            if let Some(first_amount) = a.first_amount.filter(|m| *m != a.amount) {
                return Err(ApprovalRefused::OtherAmount(first_amount.display()));
            }
            if a.authority.covers(a.amount) {
                Ok(ApprovalOutcome::Decided)
            } else {
                Err(ApprovalRefused::AboveAuthority(limit_text(), a.amount.display()))
            }
        }
        None if a.authority.covers(a.amount) => Ok(ApprovalOutcome::Decided),
        None => Ok(ApprovalOutcome::AwaitingSecond),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn authority(max: &str) -> Authority {
        let m = eur(max);
        Authority { limits: [(m.currency, m.minor)].into_iter().collect() }
    }

    #[test]
    fn amounts_are_read_strictly() {
        assert_eq!(eur("250EUR"), Money { minor: 25_000, currency: "EUR".into() });
        assert_eq!(eur("EUR 129,95"), Money { minor: 12_995, currency: "EUR".into() });
        assert_eq!(eur(" 0.5 gbp"), Money { minor: 50, currency: "GBP".into() });
        for bad in ["€250", "-5EUR", "12.345EUR", "1e3EUR", "250", "250XYZ", "EUR", "999999999999999EUR", "12,34,56EUR"] {
            assert!(Money::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(eur("250EUR").display(), "€ 250.00");
    }

    #[test]
    fn four_eyes_above_authority() {
        let small = authority("250EUR");
        let big = authority("5000EUR");
        let amount = eur("900EUR");
        let first = Approval {
            user_id: "ann",
            authority: &small,
            amount: &amount,
            submitted_by: Some("api-key:crm"),
            first_approver: None,
            first_amount: None,
        };
        assert_eq!(approve(&first), Ok(ApprovalOutcome::AwaitingSecond));
        let within = Approval { amount: &eur("200EUR"), ..first };
        assert_eq!(approve(&within), Ok(ApprovalOutcome::Decided));
        // The same person cannot be the second; a colleague without authority cannot either.
        let again = Approval { first_approver: Some("ann"), first_amount: Some(&amount), ..first };
        assert_eq!(approve(&again), Err(ApprovalRefused::SameApprover));
        let colleague = Approval { user_id: "bob", ..again };
        assert!(matches!(approve(&colleague), Err(ApprovalRefused::AboveAuthority(..))));
        let supervisor = Approval { user_id: "sue", authority: &big, ..again };
        assert_eq!(approve(&supervisor), Ok(ApprovalOutcome::Decided));
        let other = Approval { amount: &eur("950EUR"), ..supervisor };
        assert!(matches!(approve(&other), Err(ApprovalRefused::OtherAmount(_))));
        // No authority in a currency is none at all.
        let pounds = Approval { amount: &eur("10GBP"), ..first };
        assert_eq!(approve(&pounds), Ok(ApprovalOutcome::AwaitingSecond));
    }

    #[test]
    fn nobody_approves_their_own_claim() {
        let big = authority("5000EUR");
        let a = Approval {
            user_id: "ann",
            authority: &big,
            amount: &eur("10EUR"),
            submitted_by: Some("user:ann"),
            first_approver: None,
            first_amount: None,
        };
        assert_eq!(approve(&a), Err(ApprovalRefused::OwnClaim));
    }
}
