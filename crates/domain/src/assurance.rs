//! Assurance by amount: above an amount the policy sets, a claim whose evidence carries
//! no provenance at all (no camera metadata, no valid Content Credentials, no photo
//! taken live through an evidence link) is sent to a person, who is advised to ask for
//! a live photo. A generator can make any picture, but not one taken now, beside a
//! one-time code: it is a request to the customer, never a rejection.

use crate::claim::ClaimContext;
use proofdesk_engine::signal::{Category, Direction, Signal, Text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The signal's id.
pub const SIGNAL: &str = "context.no-provenance-above-amount";
/// Its strength: with the default context weight (40) it gives 26 points, review.
const STRENGTH: f32 = 0.65;
/// The default amount from which provenance is asked for: € 250.
const DEFAULT_EUR_MINOR: i64 = 25_000;

/// The amounts, per currency, from which evidence without provenance goes to review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assurance {
    /// Currency (ISO 4217) → amount in minor units. A currency not listed is not checked.
    pub live_capture_from: BTreeMap<String, i64>,
}

impl Default for Assurance {
    fn default() -> Self {
        Assurance {
            live_capture_from: [("EUR".to_owned(), DEFAULT_EUR_MINOR)].into(),
        }
    }
}

/// The policy file's `[assurance]` table: `live_capture_from = { EUR = 250, GBP = 220 }`
/// (whole or decimal amounts; a table given replaces the default entirely).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssuranceFile {
    live_capture_from: Option<BTreeMap<String, f64>>,
}

impl Assurance {
    /// The settings a policy file's table gives.
    pub fn with_file(f: &AssuranceFile) -> Result<Assurance, String> {
        let mut a = Assurance::default();
        if let Some(table) = &f.live_capture_from {
            a.live_capture_from.clear();
            for (currency, amount) in table {
                let valid = currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase());
                if !valid {
                    return Err(format!("assurance.live_capture_from: {currency:?} is not an ISO 4217 code such as \"EUR\""));
                }
                if !amount.is_finite() || *amount < 0.0 || *amount > 1e12 {
                    return Err(format!(
                        "assurance.live_capture_from.{currency} is {amount}; use 0 or more"
                    ));
                }
                a.live_capture_from
                    .insert(currency.clone(), (amount * 100.0).round() as i64);
            }
        }
        Ok(a)
    }

    /// The signal for a claim whose files have `provenance`, if it needs one.
    pub fn check(&self, claim: &ClaimContext, provenance: &[Provenance]) -> Option<Signal> {
        let (amount, currency) = (claim.claimed_amount_minor?, claim.currency.as_deref()?);
        let from = *self.live_capture_from.get(currency)?;
        if amount < from || provenance.is_empty() || provenance.iter().any(|p| p.any()) {
            return None;
        }
        let (a, f) = (money(amount, currency), money(from, currency));
        Some(
            Signal::new(
                SIGNAL,
                Category::Context,
                Direction::Suspicious,
                STRENGTH,
                Text::new(
                    format!("The claim is for {a}, at or above {f}, and none of its files shows where it comes from (no camera data, no Content Credentials, no photo taken live). Ask the customer for a live photo through an evidence link (new photo with the code): a generated picture cannot answer it."),
                    format!("De claim is voor {}, gelijk aan of boven {}, en geen van de bestanden laat zien waar het vandaan komt (geen cameragegevens, geen Content Credentials, geen live gemaakte foto). Vraag de klant via een bewijslink om een live foto (nieuwe foto met de code): een gegenereerde afbeelding kan daar niet aan voldoen.", a.replace('.', ","), f.replace('.', ",")),
                ),
            )
            .with("amount_minor", amount)
            .with("from_minor", from)
            .with("currency", currency)
            .with("suggested_action", "new_photo"),
        )
    }
}

/// What shows where one evidence file comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Provenance {
    /// Camera make, model or capture data in the file.
    pub camera: bool,
    /// Valid Content Credentials.
    pub credentials: bool,
    /// Taken live: the answer to an evidence request for a new photo with a code.
    pub live_capture: bool,
}

impl Provenance {
    /// Whether anything shows where the file comes from.
    pub fn any(self) -> bool {
        self.camera || self.credentials || self.live_capture
    }
}

fn money(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    format!("{currency} {sign}{}.{:02}", m / 100, m % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(amount: Option<i64>, currency: &str) -> ClaimContext {
        serde_json::from_value(serde_json::json!({
            "external_ref": "T-1",
            "customer_id": "c-1",
            "claimed_amount_minor": amount,
            "currency": currency,
        }))
        .unwrap()
    }

    const BARE: Provenance = Provenance {
        camera: false,
        credentials: false,
        live_capture: false,
    };

    #[test]
    fn bare_evidence_above_the_amount_asks_for_a_live_photo() {
        let a = Assurance::default();
        let s = a
            .check(&claim(Some(25_000), "EUR"), &[BARE, BARE])
            .expect("at the amount");
        assert_eq!(s.id, SIGNAL);
        assert!(
            s.summary.en.contains("EUR 250.00") && s.summary.en.contains("live photo"),
            "{}",
            s.summary.en
        );
        assert!(s.summary.nl.contains("EUR 250,00"), "{}", s.summary.nl);
        assert_eq!(s.details["suggested_action"], "new_photo");
        assert!(
            a.check(&claim(Some(24_999), "EUR"), &[BARE]).is_none(),
            "below the amount"
        );
        assert!(a.check(&claim(None, "EUR"), &[BARE]).is_none(), "no amount");
        assert!(
            a.check(&claim(Some(90_000), "SEK"), &[BARE]).is_none(),
            "a currency the policy does not name"
        );
        for one in [
            Provenance {
                camera: true,
                ..BARE
            },
            Provenance {
                credentials: true,
                ..BARE
            },
            Provenance {
                live_capture: true,
                ..BARE
            },
        ] {
            assert!(
                a.check(&claim(Some(90_000), "EUR"), &[BARE, one]).is_none(),
                "{one:?}"
            );
        }
    }

    #[test]
    fn the_policy_sets_the_amounts_per_currency() {
        let f: AssuranceFile =
            toml::from_str("live_capture_from = { EUR = 1000, GBP = 99.5 }").unwrap();
        let a = Assurance::with_file(&f).unwrap();
        assert_eq!(a.live_capture_from["EUR"], 100_000);
        assert_eq!(a.live_capture_from["GBP"], 9_950);
        assert!(a.check(&claim(Some(50_000), "EUR"), &[BARE]).is_none());
        assert!(a.check(&claim(Some(9_950), "GBP"), &[BARE]).is_some());
        for bad in [
            "live_capture_from = { eur = 1 }",
            "live_capture_from = { EUR = -1 }",
        ] {
            let f: AssuranceFile = toml::from_str(bad).unwrap();
            assert!(Assurance::with_file(&f).is_err(), "{bad}");
        }
    }
}
