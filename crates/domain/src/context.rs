//! Context checks: does the evidence fit the claim? A photo of damage to a purchase
//! cannot be older than the purchase; a capture time in the future means a wrong clock
//! or an edit; one camera in different customers' claims links those claims. Each
//! finding is a `context.*` signal. Metadata can be wrong or edited, so these weigh as
//! reasons to look, never as proof.

use crate::claim::ClaimContext;
use proofdesk_engine::signal::{Category, Direction, Signal, Text};

/// Days of slack for time zones and camera clocks that are a little off.
pub(crate) const SLACK_DAYS: i64 = 1;

/// What the checks need from one evidence file.
#[derive(Debug, Clone, Default)]
pub struct EvidenceFacts {
    /// Capture time as the file records it (ISO 8601), if any.
    pub captured: Option<String>,
    /// Camera body serial number, if any.
    pub camera_serial: Option<String>,
    /// GPS position (latitude, longitude), if any.
    pub gps: Option<(f64, f64)>,
}

/// Another customer's claim with the same camera.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SameCamera {
    /// That claim's id.
    pub claim_id: String,
}

/// The context signals for one file of a claim received on `received` (`YYYY-MM-DD`).
pub fn check(
    claim: &ClaimContext,
    file: &EvidenceFacts,
    received: &str,
    same_camera: &[SameCamera],
) -> Vec<Signal> {
    let mut out = Vec::new();
    if let Some(day) = file
        .captured
        .as_deref()
        .and_then(|c| c.get(..10))
        .filter(|d| crate::claim::valid_date(d))
    {
        out.extend(date_signals(claim, day, received));
    }
    if let (Some((lat, lon)), Some(delivered)) = (file.gps, claim.delivery_country.as_deref()) {
        out.extend(place_signal(lat, lon, delivered));
    }
    if let (Some(serial), Some(first)) = (&file.camera_serial, same_camera.first()) {
        let more = same_camera.len() - 1;
        let (more_en, more_nl) = match more {
            0 => (String::new(), String::new()),
            n => (format!(" and {n} more"), format!(" en nog {n}")),
        };
        out.push(
            Signal::new(
                "context.camera-in-other-customers-claims",
                Category::Context,
                Direction::Suspicious,
                0.6,
                Text::new(
                    format!("The same camera (serial number {serial}) took photos for another customer's claim {}{more_en}.", first.claim_id),
                    format!("Dezelfde camera (serienummer {serial}) maakte foto's voor de claim {} van een andere klant{more_nl}.", first.claim_id),
                ),
            )
            .with("serial", serial.as_str())
            .with("claims", same_camera.iter().map(|s| s.claim_id.clone()).collect::<Vec<_>>()),
        );
    }
    out
}

fn date_signals(claim: &ClaimContext, day: &str, received: &str) -> Vec<Signal> {
    let mut out = Vec::new();
    let captured = days(day);
    fn before(captured: i64, other: &Option<String>) -> Option<&str> {
        other.as_deref().filter(|d| captured + SLACK_DAYS < days(d))
    }
    if let Some(purchase) = before(captured, &claim.purchase_date) {
        out.push(suspicious(
            "context.captured-before-purchase",
            0.7,
            format!("The photo was taken on {day}, before the purchase on {purchase}: it cannot show this purchase after it was bought."),
            format!("De foto is gemaakt op {day}, vóór de aankoop op {purchase}: hij kan deze aankoop niet na aankoop tonen."),
        ));
    }
    if let Some(incident) = before(captured, &claim.incident_date) {
        out.push(suspicious(
            "context.captured-before-incident",
            0.6,
            format!("The photo was taken on {day}, before the incident on {incident}."),
            format!("De foto is gemaakt op {day}, vóór het incident op {incident}."),
        ));
    }
    if captured > days(received) + SLACK_DAYS {
        out.push(suspicious(
            "context.captured-in-future",
            0.6,
            format!("The photo says it was taken on {day}, after the claim arrived ({received}): the camera clock was wrong or the date was edited."),
            format!("Volgens de foto is hij gemaakt op {day}, na binnenkomst van de claim ({received}): de cameraklok stond verkeerd of de datum is bewerkt."),
        ));
    }
    if out.is_empty() && (claim.purchase_date.is_some() || claim.incident_date.is_some()) {
        out.push(Signal::new(
            "context.capture-time-fits",
            Category::Context,
            Direction::SupportsAuthenticity,
            0.2,
            Text::new(
                format!("The photo was taken on {day}, which fits the claim's dates. Metadata can be edited, so this supports but does not prove it."),
                format!("De foto is gemaakt op {day}, wat past bij de data van de claim. Metadata is te bewerken, dus dit ondersteunt maar bewijst het niet."),
            ),
        ));
    }
    out
}

/// The countries (ISO 3166-1 alpha-2) at a position; empty at sea or for a bad one.
/// Borders: OpenStreetMap via the `country-boundaries` crate (ODbL data).
pub fn countries_at(lat: f64, lon: f64) -> Vec<String> {
    use country_boundaries::{CountryBoundaries, LatLon, BOUNDARIES_ODBL_360X180};
    static BORDERS: std::sync::OnceLock<Option<CountryBoundaries>> = std::sync::OnceLock::new();
    let Some(borders) =
        BORDERS.get_or_init(|| CountryBoundaries::from_reader(BOUNDARIES_ODBL_360X180).ok())
    else {
        return Vec::new();
    };
    let Ok(at) = LatLon::new(lat, lon) else {
        return Vec::new();
    };
    borders
        .ids(at)
        .into_iter()
        .filter(|id| id.len() == 2)
        .map(str::to_owned)
        .collect()
}

/// Whether the photo's GPS position lies in the delivery country.
fn place_signal(lat: f64, lon: f64, delivered: &str) -> Option<Signal> {
    let countries = countries_at(lat, lon);
    let here = countries.first()?;
    if countries.iter().any(|c| c == delivered) {
        return Some(Signal::new(
            "context.place-fits",
            Category::Context,
            Direction::SupportsAuthenticity,
            0.1,
            Text::new(
                format!("The photo's GPS position ({lat:.3}, {lon:.3}) is in {delivered}, the delivery country. GPS data can be edited, so this supports but does not prove it."),
                format!("De GPS-positie van de foto ({lat:.3}, {lon:.3}) ligt in {delivered}, het afleverland. GPS-gegevens zijn te bewerken, dus dit ondersteunt maar bewijst het niet."),
            ),
        ));
    }
    Some(
        Signal::new(
            "context.place-elsewhere",
            Category::Context,
            Direction::Suspicious,
            0.5,
            Text::new(
                format!("The photo's GPS position ({lat:.3}, {lon:.3}) is in {here}, not in {delivered}, where the order was delivered. People travel, so ask before concluding."),
                format!("De GPS-positie van de foto ({lat:.3}, {lon:.3}) ligt in {here}, niet in {delivered}, waar de bestelling is afgeleverd. Mensen reizen, dus vraag het na voordat u conclusies trekt."),
            ),
        )
        .with("country", here.as_str())
        .with("delivery_country", delivered),
    )
}

/// A suspicious context signal.
pub(crate) fn suspicious(id: &str, strength: f32, en: String, nl: String) -> Signal {
    Signal::new(
        id,
        Category::Context,
        Direction::Suspicious,
        strength,
        Text::new(en, nl),
    )
}

/// Days since 1970-01-01 of a valid `YYYY-MM-DD` (proleptic Gregorian); check it
/// with [`crate::claim::valid_date`] first (anything else counts as 1970-01-01).
pub fn days(date: &str) -> i64 {
    proofdesk_engine::date::Date::parse_iso(date).map_or(0, |d| d.days())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claim(purchase: &str, incident: Option<&str>) -> ClaimContext {
        let mut v =
            json!({"external_ref": "ZD-1", "customer_id": "c-1", "purchase_date": purchase});
        if let Some(i) = incident {
            v["incident_date"] = json!(i);
        }
        ClaimContext::parse(&v).unwrap()
    }

    fn ids(s: &[Signal]) -> Vec<&str> {
        s.iter().map(|s| s.id.as_str()).collect()
    }

    fn at(t: &str) -> EvidenceFacts {
        EvidenceFacts {
            captured: Some(t.into()),
            ..Default::default()
        }
    }

    #[test]
    fn capture_dates_are_checked_against_the_claim() {
        let c = claim("2024-05-01", Some("2024-06-10"));
        assert_eq!(
            ids(&check(&c, &at("2023-12-24T10:00:00"), "2024-06-12", &[])),
            [
                "context.captured-before-purchase",
                "context.captured-before-incident"
            ]
        );
        assert_eq!(
            ids(&check(
                &c,
                &at("2024-06-09T23:30:00+02:00"),
                "2024-06-12",
                &[]
            )),
            ["context.capture-time-fits"],
            "a day of slack"
        );
        assert_eq!(
            ids(&check(&c, &at("2024-07-30T08:00:00"), "2024-06-12", &[])),
            ["context.captured-in-future"]
        );
        assert!(
            check(&c, &EvidenceFacts::default(), "2024-06-12", &[]).is_empty(),
            "no capture time: nothing to say"
        );
        let s = &check(&c, &at("2023-12-24T10:00:00"), "2024-06-12", &[])[0];
        assert!(
            s.summary.en.contains("2023-12-24") && s.summary.nl.contains("2024-05-01"),
            "{s:?}"
        );
    }

    #[test]
    fn one_camera_in_other_customers_claims_is_named() {
        let c = claim("2024-05-01", None);
        let f = EvidenceFacts {
            camera_serial: Some("0420103214".into()),
            ..Default::default()
        };
        let others = [
            SameCamera {
                claim_id: "clm_a".into(),
            },
            SameCamera {
                claim_id: "clm_b".into(),
            },
        ];
        let s = check(&c, &f, "2024-06-12", &others);
        assert_eq!(ids(&s), ["context.camera-in-other-customers-claims"]);
        assert!(
            s[0].summary.en.contains("clm_a and 1 more"),
            "{:?}",
            s[0].summary
        );
        assert!(check(&c, &f, "2024-06-12", &[]).is_empty());
    }

    #[test]
    fn a_photo_taken_abroad_is_a_reason_to_look() {
        let mut v = serde_json::json!({"external_ref": "ZD-1", "customer_id": "c-1", "delivery_country": "NL"});
        let c = ClaimContext::parse(&v).unwrap();
        let at = |lat, lon| EvidenceFacts {
            gps: Some((lat, lon)),
            ..Default::default()
        };
        assert_eq!(
            ids(&check(&c, &at(52.370, 4.895), "2024-06-12", &[])),
            ["context.place-fits"],
            "Amsterdam"
        );
        let antwerp = check(&c, &at(51.219, 4.402), "2024-06-12", &[]);
        assert_eq!(ids(&antwerp), ["context.place-elsewhere"]);
        assert!(
            antwerp[0].summary.en.contains("in BE, not in NL"),
            "{:?}",
            antwerp[0].summary
        );
        assert!(
            check(&c, &at(54.0, 3.0), "2024-06-12", &[]).is_empty(),
            "the North Sea: nothing to say"
        );
        v["delivery_country"] = serde_json::json!("BE");
        let c = ClaimContext::parse(&v).unwrap();
        assert_eq!(
            ids(&check(&c, &at(51.219, 4.402), "2024-06-12", &[])),
            ["context.place-fits"]
        );
    }

    #[test]
    fn day_numbers() {
        assert_eq!(days("1970-01-01"), 0);
        assert_eq!(days("2000-03-01") - days("2000-02-28"), 2);
        assert_eq!(days("2024-01-01") - days("2023-01-01"), 365);
    }
}
