//! What an integration receives. A CRM's API key and the webhook are each configured
//! with data categories; a claim document sent to them carries the outcome (id,
//! reference, status, band, score and the reasons) and only the categories granted.

use serde_json::Value;
use std::collections::BTreeSet;

/// A kind of data an integration may be configured to receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    /// The customer id the CRM gave the claim.
    Customer,
    /// The claim's context: order, amounts, dates, address.
    Context,
    /// Each evidence file's screening: verdict, reasons, signals.
    Evidence,
    /// Exact GPS positions in signals (otherwise only the country).
    Positions,
}

impl Category {
    /// Every category, in order.
    pub const ALL: [Category; 4] = [Category::Customer, Category::Context, Category::Evidence, Category::Positions];

    /// The name used in options and in the API key list.
    pub fn name(self) -> &'static str {
        match self {
            Category::Customer => "customer",
            Category::Context => "context",
            Category::Evidence => "evidence",
            Category::Positions => "positions",
        }
    }
}

/// The categories one integration receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receives(BTreeSet<Category>);

/// Signal details that hold an exact position.
pub const POSITION_DETAILS: [&str; 3] = ["latitude", "longitude", "altitude"];

impl Receives {
    /// Parses `customer,context,evidence,positions` (any subset; `none` or empty for
    /// the outcome alone); an unknown name is an error that lists the known ones.
    pub fn parse(list: &str) -> Result<Receives, String> {
        let mut set = BTreeSet::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty() && *n != "none") {
            let c = Category::ALL.iter().find(|c| c.name() == name).ok_or_else(|| {
                let known: Vec<&str> = Category::ALL.iter().map(|c| c.name()).collect();
                format!("unknown data category {name}: use {} or none", known.join(", "))
            })?;
            set.insert(*c);
        }
        Ok(Receives(set))
    }

    /// The outcome alone.
    pub fn outcome_only() -> Receives {
        Receives(BTreeSet::new())
    }

    /// What an API key receives unless told otherwise: everything but exact positions.
    pub fn api_default() -> Receives {
        Receives([Category::Customer, Category::Context, Category::Evidence].into())
    }

    /// What the webhook receives unless told otherwise: the outcome and the customer id.
    pub fn webhook_default() -> Receives {
        Receives([Category::Customer].into())
    }

    /// Whether `c` is granted.
    pub fn has(&self, c: Category) -> bool {
        self.0.contains(&c)
    }

    /// The granted names, comma-separated (`none` for the outcome alone).
    pub fn names(&self) -> String {
        if self.0.is_empty() {
            return "none".to_owned();
        }
        self.0.iter().map(|c| c.name()).collect::<Vec<_>>().join(",")
    }

    /// Removes from a claim document (as `GET /v1/claims/{id}` builds it) what is not
    /// granted: `customer_id`, `context`, `evidence`, and exact positions in evidence
    /// signals, which become `country` (ISO codes, as the agents see them).
    pub fn apply(&self, doc: &mut Value) {
        let Some(map) = doc.as_object_mut() else { return };
        if !self.has(Category::Customer) {
            map.remove("customer_id");
        }
        if !self.has(Category::Context) {
            map.remove("context");
        }
        if !self.has(Category::Evidence) {
            map.remove("evidence");
        }
        if self.has(Category::Positions) {
            return;
        }
        let files = map.get_mut("evidence").and_then(Value::as_array_mut);
        for file in files.into_iter().flatten() {
            let signals = file.get_mut("signals").and_then(Value::as_array_mut);
            for details in signals.into_iter().flatten().filter_map(|s| s.get_mut("details")).filter_map(Value::as_object_mut) {
                if !POSITION_DETAILS.iter().any(|k| details.contains_key(*k)) {
                    continue;
                }
                let at = (details.get("latitude").and_then(Value::as_f64), details.get("longitude").and_then(Value::as_f64));
                for k in POSITION_DETAILS {
                    details.remove(k);
                }
                if let (Some(lat), Some(lon)) = at {
                    details.insert("country".into(), crate::context::countries_at(lat, lon).into());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claim() -> Value {
        json!({
            "id": "clm_1", "band": "review", "customer_id": "c-1", "reasons": [],
            "context": {"delivery_address": "Damrak 1, Amsterdam"},
            "evidence": [{"signals": [
                {"id": "provenance.gps", "details": {"latitude": 52.3731, "longitude": 4.8926, "altitude": 2.0}},
                {"id": "ai.c2pa", "details": {"generator": "x"}}
            ]}],
        })
    }

    #[test]
    fn an_integration_receives_the_outcome_and_only_the_granted_categories() {
        let mut doc = claim();
        Receives::parse("none").unwrap().apply(&mut doc);
        assert_eq!(doc, json!({"id": "clm_1", "band": "review", "reasons": []}));

        let mut doc = claim();
        Receives::api_default().apply(&mut doc);
        let gps = &doc["evidence"][0]["signals"][0]["details"];
        assert_eq!(gps, &json!({"country": ["NL"]}), "positions become the country");
        assert_eq!(doc["evidence"][0]["signals"][1]["details"]["generator"], "x");
        assert_eq!(doc["context"]["delivery_address"], "Damrak 1, Amsterdam");

        let mut doc = claim();
        Receives::parse("evidence, positions").unwrap().apply(&mut doc);
        assert_eq!(doc["evidence"][0]["signals"][0]["details"]["latitude"], 52.3731);
        assert!(doc.get("customer_id").is_none() && doc.get("context").is_none());
    }

    #[test]
    fn category_lists_are_checked_and_named_back() {
        assert_eq!(Receives::parse("context,customer").unwrap().names(), "customer,context");
        assert_eq!(Receives::parse("").unwrap().names(), "none");
        let e = Receives::parse("customer,iban").unwrap_err();
        assert!(e.contains("unknown data category iban") && e.contains("positions"), "{e}");
    }
}
