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

/// What one person may approve alone, per currency (no entry: nothing), with
/// optional limits for one channel or claim type that replace the general one there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Authority {
    /// Currency → most minor units, for any claim.
    pub limits: BTreeMap<String, i64>,
    /// (scope, currency) → most minor units, for claims of that channel or type.
    pub scoped: BTreeMap<(LimitScope, String), i64>,
}

/// Which claims a limit applies to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LimitScope {
    /// Claims that came in through this channel (`phone`, `web`, …).
    Channel(String),
    /// Claims of this type (`damage`, `not-delivered`, …).
    ClaimType(String),
}

impl LimitScope {
    /// The scope for a channel or a claim type as given (`None`: any claim), checked:
    /// a known channel, a well-formed type, not both.
    pub fn from_parts(channel: Option<&str>, claim_type: Option<&str>) -> Result<Option<LimitScope>, String> {
        let channel = channel.map(str::trim).filter(|c| !c.is_empty());
        let claim_type = claim_type.map(str::trim).filter(|t| !t.is_empty());
        match (channel, claim_type) {
            (Some(_), Some(_)) => Err("a limit is for one channel or one claim type, not both".into()),
            (Some(c), None) if crate::claim::CHANNELS.contains(&c) => Ok(Some(LimitScope::Channel(c.to_owned()))),
            (Some(c), None) => Err(format!("unknown channel {c:?}: use one of {}", crate::claim::CHANNELS.join(", "))),
            (None, Some(t)) if crate::claim::is_claim_type(t) => Ok(Some(LimitScope::ClaimType(t.to_owned()))),
            (None, Some(t)) => Err(format!("{t:?} cannot be a claim type: use lower-case letters, digits and hyphens")),
            (None, None) => Ok(None),
        }
    }

    /// Reads the stored form: `channel:phone` or `type:damage`.
    pub fn parse(stored: &str) -> Option<LimitScope> {
        match stored.split_once(':')? {
            ("channel", c) if !c.is_empty() => Some(LimitScope::Channel(c.to_owned())),
            ("type", t) if !t.is_empty() => Some(LimitScope::ClaimType(t.to_owned())),
            _ => None,
        }
    }

    /// The stored form.
    pub fn as_stored(&self) -> String {
        match self {
            LimitScope::Channel(c) => format!("channel:{c}"),
            LimitScope::ClaimType(t) => format!("type:{t}"),
        }
    }

    /// Whether the scope covers a claim of this channel and type.
    pub fn matches(&self, channel: Option<&str>, claim_type: Option<&str>) -> bool {
        match self {
            LimitScope::Channel(c) => channel == Some(c.as_str()),
            LimitScope::ClaimType(t) => claim_type == Some(t.as_str()),
        }
    }

    /// In words, both languages: "claims by phone", "claims of type damage".
    pub fn describe(&self) -> Text {
        match self {
            LimitScope::Channel(c) => Text::new(format!("claims by {c}"), format!("claims via {c}")),
            LimitScope::ClaimType(t) => Text::new(format!("claims of type {t}"), format!("claims van het type {t}")),
        }
    }
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

    /// The limit that applies to one claim in a currency, and the scope it comes from
    /// (`None`: the general limit). A limit for the claim's channel or type replaces
    /// the general one; when both a channel and a type limit apply, the lower one does.
    pub fn applying(&self, channel: Option<&str>, claim_type: Option<&str>, currency: &str) -> Option<(i64, Option<LimitScope>)> {
        let specific = self
            .scoped
            .iter()
            .filter(|((scope, cur), _)| cur == currency && scope.matches(channel, claim_type))
            .min_by_key(|(_, &minor)| minor);
        match specific {
            Some(((scope, _), &minor)) => Some((minor, Some(scope.clone()))),
            None => self.limits.get(currency).map(|&minor| (minor, None)),
        }
    }

    /// The authority that applies to one claim ([`Authority::applying`] per currency).
    pub fn for_claim(&self, channel: Option<&str>, claim_type: Option<&str>) -> Authority {
        let currencies: std::collections::BTreeSet<&String> = self.limits.keys().chain(self.scoped.keys().map(|k| &k.1)).collect();
        let limits = currencies
            .into_iter()
            .filter_map(|c| self.applying(channel, claim_type, c).map(|(minor, _)| (c.clone(), minor)))
            .collect();
        Authority { limits, scoped: BTreeMap::new() }
    }
}

/// Reads a payout account (IBAN, card token or the payment system's reference):
/// spaces, dots and hyphens dropped, upper case, 4–34 letters and digits.
pub fn payout_account(raw: &str) -> Result<String, String> {
    let clean: String = raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect::<String>().to_uppercase();
    if (4..=34).contains(&clean.len()) && clean.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(clean)
    } else {
        Err("a payout reference is 4 to 34 letters and digits (an IBAN or the payment system's reference)".into())
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
        Authority { limits: [(m.currency, m.minor)].into_iter().collect(), ..Authority::default() }
    }

    #[test]
    fn payout_accounts_are_read_alike() {
        assert_eq!(payout_account("nl91 abna-0417.1643 00"), Ok("NL91ABNA0417164300".into()));
        for bad in ["", "12", "NL91 ABNA 0417 1643 00 ∞", &"9".repeat(35)] {
            assert!(payout_account(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_limit_for_a_channel_or_type_replaces_the_general_one_there() {
        let mut a = authority("250EUR");
        a.scoped.insert((LimitScope::Channel("phone".into()), "EUR".into()), 10_000);
        a.scoped.insert((LimitScope::ClaimType("damage".into()), "EUR".into()), 50_000);
        a.scoped.insert((LimitScope::ClaimType("damage".into()), "GBP".into()), 20_000);
        let limit = |channel, kind| a.for_claim(channel, kind).limit("EUR").map(|m| m.minor);
        assert_eq!(limit(None, None), Some(25_000));
        assert_eq!(limit(Some("web"), None), Some(25_000));
        assert_eq!(limit(Some("phone"), None), Some(10_000));
        assert_eq!(limit(Some("web"), Some("damage")), Some(50_000));
        assert_eq!(limit(Some("phone"), Some("damage")), Some(10_000), "both apply: the lower");
        assert_eq!(a.for_claim(None, Some("damage")).limit("GBP").map(|m| m.minor), Some(20_000));
        assert_eq!(a.for_claim(None, None).limit("GBP"), None);
        assert_eq!(a.applying(Some("phone"), Some("damage"), "EUR"), Some((10_000, Some(LimitScope::Channel("phone".into())))));
        assert_eq!(a.applying(None, None, "EUR"), Some((25_000, None)));
        assert_eq!(LimitScope::parse("type:damage"), Some(LimitScope::ClaimType("damage".into())));
        assert_eq!(LimitScope::parse(&LimitScope::Channel("phone".into()).as_stored()), Some(LimitScope::Channel("phone".into())));
        assert_eq!(LimitScope::parse("colour:red"), None);
        assert_eq!(LimitScope::from_parts(Some("phone"), None), Ok(Some(LimitScope::Channel("phone".into()))));
        assert_eq!(LimitScope::from_parts(Some(" "), Some("")), Ok(None));
        assert!(LimitScope::from_parts(Some("pigeon"), None).unwrap_err().contains("unknown channel"));
        assert!(LimitScope::from_parts(None, Some("Big Damage")).is_err());
        assert!(LimitScope::from_parts(Some("phone"), Some("damage")).unwrap_err().contains("not both"));
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
