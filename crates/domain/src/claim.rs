//! A claim's context: who, what, when and where, as the integrator sends it. Parsing
//! reports every field that is wrong at once, so an integrator fixes a request in one go.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Longest free-text field accepted, in characters.
pub const MAX_TEXT: usize = 200;
/// Most serial numbers per claim.
pub const MAX_SERIALS: usize = 20;

/// The context of one claim.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClaimContext {
    /// The integrator's own reference (ticket or case number).
    pub external_ref: String,
    /// Pseudonymous customer id (never a name or e-mail address).
    pub customer_id: String,
    /// The client (brand) the claim is for, when teams serve several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// How the claim came in (web, email, phone, app, chat, store, other).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The customer's language, ISO 639-1 (`nl`, `en`, …): for messages and fairness monitoring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// What kind of claim (`damage`, `not-delivered`, …): lower-case letters, digits, hyphens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_type: Option<String>,
    /// The product claimed for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The shop it was bought from, as the customer or the order names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop: Option<String>,
    /// Claimed amount in minor units (cents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed_amount_minor: Option<i64>,
    /// ISO 4217 currency of the amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Purchase date, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purchase_date: Option<String>,
    /// Incident date, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident_date: Option<String>,
    /// Order number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
    /// Serial numbers of the goods.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serial_numbers: Vec<String>,
    /// Delivery postcode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_postcode: Option<String>,
    /// Delivery country, ISO 3166-1 alpha-2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_country: Option<String>,
}

/// One wrong field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name (JSON Pointer without the slash for top-level fields).
    pub field: String,
    /// What is wrong, in English.
    pub message: String,
}

/// Channels a claim can come in through.
pub const CHANNELS: [&str; 7] = ["web", "email", "phone", "app", "chat", "store", "other"];

const KNOWN: [&str; 17] = [
    "external_ref",
    "customer_id",
    "client",
    "channel",
    "language",
    "claim_type",
    "product",
    "shop",
    "claimed_amount",
    "currency",
    "purchase_date",
    "incident_date",
    "order_number",
    "serial_numbers",
    "delivery_postcode",
    "delivery_country",
    "claimed_amount_minor",
];

impl ClaimContext {
    /// Reads and checks a context object; every wrong field is reported.
    pub fn parse(value: &Value) -> Result<ClaimContext, Vec<FieldError>> {
        let mut errors = Vec::new();
        let Some(obj) = value.as_object() else {
            return Err(vec![err("", "the claim must be a JSON object")]);
        };
        for key in obj.keys() {
            if !KNOWN.contains(&key.as_str()) {
                errors.push(err(key, "unknown field"));
            }
        }
        let mut r = Reader {
            obj,
            errors: &mut errors,
        };
        let external_ref = r.text("external_ref", true).unwrap_or_default();
        let customer_id = r.text("customer_id", true).unwrap_or_default();
        let client = r.text("client", false);
        let channel = r.text("channel", false);
        if let Some(c) = &channel {
            if !CHANNELS.contains(&c.as_str()) {
                r.errors.push(err(
                    "channel",
                    &format!("must be one of {}", CHANNELS.join(", ")),
                ));
            }
        }
        let language = r.text("language", false);
        if let Some(l) = &language {
            if l.len() != 2 || !l.bytes().all(|b| b.is_ascii_lowercase()) {
                r.errors.push(err("language", "must be an ISO 639-1 code in lower case, such as nl or en"));
            }
        }
        let claim_type = r.text("claim_type", false);
        if let Some(t) = &claim_type {
            if !is_claim_type(t) {
                r.errors.push(err(
                    "claim_type",
                    "use lower-case letters, digits and hyphens (at most 40), e.g. damage or not-delivered",
                ));
            }
        }
        let product = r.text("product", false);
        let shop = r.text("shop", false);
        let claimed_amount_minor = r.amount("claimed_amount");
        let currency = r.text("currency", false);
        if let Some(c) = &currency {
            if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                r.errors
                    .push(err("currency", "must be an ISO 4217 code such as EUR"));
            }
        }
        let amount_given = obj.get("claimed_amount").is_some_and(|v| !v.is_null());
        if amount_given && currency.is_none() && !obj.contains_key("currency") {
            r.errors
                .push(err("currency", "is required with claimed_amount"));
        }
        let purchase_date = r.date("purchase_date");
        let incident_date = r.date("incident_date");
        let order_number = r.text("order_number", false);
        let serial_numbers = r.serials("serial_numbers");
        let delivery_postcode = r.text("delivery_postcode", false);
        let delivery_country = r.text("delivery_country", false);
        if let Some(c) = &delivery_country {
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                r.errors.push(err(
                    "delivery_country",
                    "must be an ISO 3166-1 alpha-2 code such as NL",
                ));
            }
        }
        if obj.contains_key("claimed_amount_minor") {
            errors.push(err(
                "claimed_amount_minor",
                "send claimed_amount as a decimal string, e.g. \"129.95\"",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ClaimContext {
            external_ref,
            customer_id,
            client,
            channel,
            language,
            claim_type,
            product,
            shop,
            claimed_amount_minor,
            currency,
            purchase_date,
            incident_date,
            order_number,
            serial_numbers,
            delivery_postcode,
            delivery_country,
        })
    }
}

/// Whether `t` can name a claim type: 1–40 lower-case letters, digits and hyphens.
pub fn is_claim_type(t: &str) -> bool {
    (1..=40).contains(&t.len())
        && t.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !t.starts_with('-')
}

fn err(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

struct Reader<'a> {
    obj: &'a Map<String, Value>,
    errors: &'a mut Vec<FieldError>,
}

impl Reader<'_> {
    fn text(&mut self, field: &str, required: bool) -> Option<String> {
        match self.obj.get(field) {
            None | Some(Value::Null) => {
                if required {
                    self.errors.push(err(field, "is required"));
                }
                None
            }
            Some(Value::String(s)) => {
                let t = s.trim();
                if t.is_empty() {
                    self.errors.push(err(field, "must not be empty"));
                    None
                } else if t.chars().count() > MAX_TEXT {
                    self.errors
                        .push(err(field, &format!("is longer than {MAX_TEXT} characters")));
                    None
                } else if t.chars().any(char::is_control) {
                    self.errors.push(err(field, "contains control characters"));
                    None
                } else {
                    Some(t.to_owned())
                }
            }
            Some(_) => {
                self.errors.push(err(field, "must be a string"));
                None
            }
        }
    }

    /// A decimal amount with at most two decimals, as a string ("129.95") or number.
    fn amount(&mut self, field: &str) -> Option<i64> {
        let raw = match self.obj.get(field) {
            None | Some(Value::Null) => return None,
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => {
                self.errors
                    .push(err(field, "must be a decimal amount such as \"129.95\""));
                return None;
            }
        };
        match parse_minor(&raw) {
            Some(v) => Some(v),
            None => {
                self.errors.push(err(
                    field,
                    "must be a non-negative amount with at most two decimals, such as \"129.95\"",
                ));
                None
            }
        }
    }

    fn date(&mut self, field: &str) -> Option<String> {
        let s = self.text(field, false)?;
        if valid_date(&s) {
            Some(s)
        } else {
            self.errors
                .push(err(field, "must be a calendar date as YYYY-MM-DD"));
            None
        }
    }

    fn serials(&mut self, field: &str) -> Vec<String> {
        match self.obj.get(field) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) if items.len() <= MAX_SERIALS => {
                let mut out = Vec::new();
                for (i, v) in items.iter().enumerate() {
                    match v.as_str().map(str::trim) {
                        Some(s) if !s.is_empty() && s.len() <= MAX_TEXT => out.push(s.to_owned()),
                        _ => self
                            .errors
                            .push(err(&format!("{field}/{i}"), "must be a non-empty string")),
                    }
                }
                out
            }
            Some(Value::Array(_)) => {
                self.errors.push(err(
                    field,
                    &format!("holds more than {MAX_SERIALS} serial numbers"),
                ));
                Vec::new()
            }
            Some(_) => {
                self.errors.push(err(field, "must be an array of strings"));
                Vec::new()
            }
        }
    }
}

/// "129.95" → 12995; `None` for anything else than a plain non-negative decimal.
fn parse_minor(s: &str) -> Option<i64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || whole.len() > 12
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let cents = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse::<i64>().ok()?,
    };
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)
}

/// Whether `s` is a real `YYYY-MM-DD` date between 1900 and 2999.
pub fn valid_date(s: &str) -> bool {
    proofdesk_engine::date::Date::parse_iso(s).is_some_and(|d| (1900..3000).contains(&d.year))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_full_context_is_read() {
        let c = ClaimContext::parse(&json!({
            "external_ref": "ZD-1042", "customer_id": "c-77f3", "channel": "web",
            "claimed_amount": "129.95", "currency": "EUR", "purchase_date": "2024-02-29",
            "serial_numbers": ["SN1", "SN2"], "delivery_country": "NL", "claim_type": "not-delivered"
        }))
        .unwrap();
        assert_eq!(c.claimed_amount_minor, Some(12995));
        assert_eq!(c.claim_type.as_deref(), Some("not-delivered"));
        assert_eq!(c.serial_numbers, vec!["SN1", "SN2"]);
    }

    #[test]
    fn every_wrong_field_is_named() {
        let e = ClaimContext::parse(&json!({
            "customer_id": 5, "channel": "pigeon", "claimed_amount": "12.345",
            "purchase_date": "2023-02-29", "delivery_country": "nl", "colour": "red",
            "serial_numbers": ["ok", ""], "claim_type": "Damage!"
        }))
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        for f in [
            "external_ref",
            "customer_id",
            "channel",
            "claimed_amount",
            "currency",
            "purchase_date",
            "delivery_country",
            "colour",
            "serial_numbers/1",
            "claim_type",
        ] {
            assert!(fields.contains(&f), "{f} missing in {e:?}");
        }
    }

    #[test]
    fn amounts_and_dates() {
        assert_eq!(parse_minor("0.5"), Some(50));
        assert_eq!(parse_minor("7"), Some(700));
        assert_eq!(parse_minor("-1"), None);
        assert_eq!(parse_minor("1e3"), None);
        assert!(valid_date("2024-02-29") && !valid_date("2023-02-29") && !valid_date("2024-13-01"));
    }
}
