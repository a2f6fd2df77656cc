//! The receipt checks' findings as signals, with a plain reason in English and Dutch.
//! Each is a "look closer" (strength [`STRENGTH`], below the verdict's "edited"
//! level): a misread digit fails a check as surely as a forged one, so a failed check
//! alone never decides; the reader's measured accuracy will set the weights.

use super::arithmetic::Mismatch;
use super::identity::IdCheck;
use super::vat::RateCheck;
use crate::date::Date;
use super::money as euros;
use crate::signal::{Category, Direction, Signal, Text};

/// Strength of every receipt-check signal.
pub const STRENGTH: f32 = 0.4;

/// Which identity number a check was of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// Dutch VAT number.
    BtwId,
    /// Chamber of Commerce number.
    Kvk,
    /// Bank account.
    Iban,
}

/// The signal for an identity number that cannot exist, or `None` when it is valid.
pub fn identity(kind: IdKind, printed: &str, check: &IdCheck) -> Option<Signal> {
    let (id, en, nl) = match kind {
        IdKind::BtwId => ("receipt.identity.btw-id", "VAT number", "btw-nummer"),
        IdKind::Kvk => ("receipt.identity.kvk", "KvK number", "KvK-nummer"),
        IdKind::Iban => ("receipt.identity.iban", "IBAN", "IBAN"),
    };
    let (why_en, why_nl) = match check {
        IdCheck::Valid => return None,
        IdCheck::BadChecksum => ("its check digits do not agree".to_string(), "de controlecijfers kloppen niet".to_string()),
        IdCheck::Malformed { en, nl } => (format!("it is not in the format ({en})"), format!("het heeft niet de juiste vorm ({nl})")),
    };
    let summary = Text::new(
        format!("The {en} {printed} on the receipt cannot exist: {why_en}. A made-up receipt, or a misread digit."),
        format!("Het {nl} {printed} op de bon kan niet bestaan: {why_nl}. Een verzonnen bon, of een verkeerd gelezen cijfer."),
    );
    Some(suspicious(id, summary).with("printed", printed))
}

/// The signal for a VAT rate not in force in the Netherlands on the receipt's date
/// (suspicious), or not Dutch at all (`receipt.vat.foreign`, neutral: a receipt from
/// abroad, named as such), or `None` when it was in force.
pub fn vat_rate(basis_points: u32, date: Option<Date>, check: &RateCheck) -> Option<Signal> {
    let rate = percent(basis_points);
    let on = date.map(|d| d.to_string()).unwrap_or_default();
    let summary = match check {
        RateCheck::InForce => return None,
        RateCheck::Ended { on: ended } => Text::new(
            format!("The receipt dated {on} charges {rate} VAT, a Dutch rate that ended on {ended}."),
            format!("De bon van {on} rekent {rate} btw, een Nederlands tarief dat op {ended} is afgeschaft."),
        ),
        RateCheck::NotYet { from } => Text::new(
            format!("The receipt dated {on} charges {rate} VAT, a Dutch rate that only began on {from}."),
            format!("De bon van {on} rekent {rate} btw, een Nederlands tarief dat pas op {from} inging."),
        ),
        RateCheck::NotDutch => {
            let summary = Text::new(
                format!("The receipt charges {rate} VAT, not a Dutch rate: a receipt from abroad (or a made-up one); the Dutch rate checks do not apply."),
                format!("De bon rekent {rate} btw, geen Nederlands tarief: een buitenlandse bon (of een verzonnen bon); de controles op Nederlandse tarieven gelden niet."),
            );
            return Some(
                Signal::new("receipt.vat.foreign", Category::Manipulation, Direction::Neutral, 0.0, summary)
                    .with("rate_basis_points", basis_points),
            );
        }
    };
    Some(suspicious("receipt.vat.rate", summary).with("rate_basis_points", basis_points))
}

/// The signal for a printed VAT amount that is not its rate's share of the gross
/// amount (`difference` = printed − expected, from [`super::vat::vat_difference`]).
pub fn vat_amount(gross_cents: i64, vat_cents: i64, basis_points: u32, difference: i64) -> Signal {
    let (rate, expected) = (percent(basis_points), vat_cents - difference);
    let summary = Text::new(
        format!(
            "The VAT printed ({}) is not {rate} of {} ({}): the amounts were changed, or misread.",
            euros(vat_cents, false),
            euros(gross_cents, false),
            euros(expected, false)
        ),
        format!(
            "De afgedrukte btw ({}) is geen {rate} van {} ({}): de bedragen zijn veranderd, of verkeerd gelezen.",
            euros(vat_cents, true),
            euros(gross_cents, true),
            euros(expected, true)
        ),
    );
    suspicious("receipt.vat.amount", summary).with("difference_cents", difference)
}

/// The signal for a sum that does not add up.
pub fn sum(total_cents: i64, mismatch: &Mismatch) -> Signal {
    let t = |nl| euros(total_cents, nl);
    let (id, summary) = match mismatch {
        Mismatch::Line { index, expected } => (
            "receipt.sum.line",
            Text::new(
                format!("Line {} of the receipt is not quantity × price ({}).", index + 1, euros(*expected, false)),
                format!("Regel {} van de bon is niet aantal × prijs ({}).", index + 1, euros(*expected, true)),
            ),
        ),
        Mismatch::Items { sum } => (
            "receipt.sum.items",
            Text::new(
                format!("The items add up to {}, the receipt's total says {}.", euros(*sum, false), t(false)),
                format!("De artikelen tellen op tot {}, het totaal op de bon is {}.", euros(*sum, true), t(true)),
            ),
        ),
        Mismatch::Payments { paid } => (
            "receipt.sum.payments",
            Text::new(
                format!("{} was paid, the receipt's total says {}.", euros(*paid, false), t(false)),
                format!("Er is {} betaald, het totaal op de bon is {}.", euros(*paid, true), t(true)),
            ),
        ),
        Mismatch::VatTable { sum } => (
            "receipt.sum.vat-table",
            Text::new(
                format!("The VAT table adds up to {}, the receipt's total says {}.", euros(*sum, false), t(false)),
                format!("De btw-specificatie telt op tot {}, het totaal op de bon is {}.", euros(*sum, true), t(true)),
            ),
        ),
        Mismatch::CashRounding { cash } => (
            "receipt.sum.cash-rounding",
            Text::new(
                format!("{} was paid in cash, not rounded to 5 cents as Dutch tills do.", euros(*cash, false)),
                format!("Er is {} contant betaald, niet afgerond op 5 cent zoals Nederlandse kassa's doen.", euros(*cash, true)),
            ),
        ),
    };
    suspicious(id, summary)
}

/// The signal for two sale dates on one receipt that differ (by more than a day).
pub fn dates_differ(first: Date, last: Date) -> Signal {
    let summary = Text::new(
        format!("The receipt prints two different dates of sale, {first} and {last}: one of them may have been changed."),
        format!("De bon vermeldt twee verschillende verkoopdata, {first} en {last}: een ervan is misschien veranderd."),
    );
    suspicious("receipt.date.differs", summary).with("first", first.to_string()).with("last", last.to_string())
}

/// The signal for a day of the week printed before a date it does not belong to.
pub fn weekday(printed: u8, date: Date) -> Signal {
    let name = |d: u8, nl: bool| {
        let i = usize::from(d.clamp(1, 7) - 1);
        if nl {
            ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"][i]
        } else {
            ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][i]
        }
    };
    let actual = date.weekday();
    let summary = Text::new(
        format!("The receipt prints {} {date}, but {date} was a {}: the date may have been changed.", name(printed, false), name(actual, false)),
        format!("De bon vermeldt {} {date}, maar {date} was een {}: de datum is misschien veranderd.", name(printed, true), name(actual, true)),
    );
    suspicious("receipt.date.weekday", summary).with("printed_weekday", printed).with("date", date.to_string())
}

/// Something every Dutch till prints on a receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TillField {
    /// The VAT table (rate, amount).
    VatTable,
    /// The receipt or transaction number.
    ReceiptNumber,
    /// The till or payment-terminal id.
    Till,
}

/// The signal for a Dutch receipt without what every Dutch till prints (`missing`:
/// two or more of them).
pub fn missing(missing: &[TillField]) -> Signal {
    let names = |nl: bool| {
        let names: Vec<&str> = missing
            .iter()
            .map(|f| match (f, nl) {
                (TillField::VatTable, false) => "VAT table",
                (TillField::VatTable, true) => "btw-specificatie",
                (TillField::ReceiptNumber, false) => "receipt number",
                (TillField::ReceiptNumber, true) => "bonnummer",
                (TillField::Till, false) => "till or terminal number",
                (TillField::Till, true) => "kassa- of terminalnummer",
            })
            .collect();
        names.join(", ")
    };
    let summary = Text::new(
        format!("This Dutch receipt has no {}, which every Dutch till prints: receipts made from scratch often leave them out (or they were not read).", names(false)),
        format!("Deze Nederlandse bon heeft geen {}, wat elke Nederlandse kassa afdrukt: zelfgemaakte bonnen laten die vaak weg (of ze zijn niet gelezen).", names(true)),
    );
    suspicious("receipt.missing-fields", summary).with("missing", names(false))
}

/// The signal for a document whose text gave neither a total nor a date (`lines`:
/// how many printed lines were read): upside down, skewed, blurred, or no receipt.
pub fn unread(lines: usize) -> Signal {
    let summary = Text::new(
        format!("The document was read ({lines} lines) but neither a total nor a date was found: it may be upside down, skewed or blurred, or not a receipt. Check it by eye, or ask for a straight, sharp photo."),
        format!("Het document is gelezen ({lines} regels), maar er is geen totaal en geen datum gevonden: het staat misschien op zijn kop, scheef of is onscherp, of het is geen bon. Bekijk het zelf, of vraag om een rechte, scherpe foto."),
    );
    Signal::new("receipt.unread", Category::Integrity, Direction::Neutral, 0.0, summary).with("lines", lines)
}

/// Pictures at least this many times longer than wide are named when not read.
pub const STRIP_RATIO: usize = 10;

/// The signal for a picture too long and narrow to be read (a photographed or scanned
/// till roll of several metres), or `None` for a picture of ordinary shape. Nothing of
/// its text was checked, so it goes to a person (strength 1.0: review).
pub fn too_long(width: usize, height: usize) -> Option<Signal> {
    let (short, long) = (width.min(height).max(1), width.max(height));
    if long < STRIP_RATIO * short {
        return None;
    }
    let ratio = long / short;
    let summary = Text::new(
        format!("The picture is {width} × {height} pixels, {ratio} times longer than wide (a long till roll?): its text was not read, so no receipt check ran. Check it by eye, or ask for a photo of the part that matters (shop, date, total)."),
        format!("De afbeelding is {width} × {height} pixels, {ratio} keer zo lang als breed (een lange kassarol?): de tekst is niet gelezen, dus er is geen controle van de bon gedaan. Bekijk hem zelf, of vraag om een foto van het deel dat ertoe doet (winkel, datum, totaal)."),
    );
    Some(Signal::new("receipt.too-long", Category::Integrity, Direction::Suspicious, 1.0, summary).with("width", width).with("height", height))
}

fn suspicious(id: &str, summary: Text) -> Signal {
    Signal::new(id, Category::Manipulation, Direction::Suspicious, STRENGTH, summary)
}

/// A rate in basis points as a percentage: 2100 → "21 %", 550 → "5.5 %".
fn percent(basis_points: u32) -> String {
    let (whole, rest) = (basis_points / 100, basis_points % 100);
    if rest == 0 {
        format!("{whole} %")
    } else {
        format!("{}.{} %", whole, format!("{rest:02}").trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{arithmetic, identity, vat};
    use super::*;

    #[test]
    fn a_ten_metre_roll_is_named_and_a_panorama_is_not() {
        let roll = too_long(700, 40_000).expect("named");
        assert!(roll.is_suspicious() && roll.summary.en.contains("57 times longer"), "{}", roll.summary.en);
        assert!(too_long(6000, 1000).is_none());
        assert!(too_long(1000, 9999).is_none());
    }

    #[test]
    fn a_made_up_btw_id_gets_a_reason_in_both_languages() {
        let printed = "NL123456789B01";
        let s = identity(IdKind::BtwId, printed, &identity::btw_id(printed)).expect("invalid");
        assert_eq!((s.id.as_str(), s.category, s.strength), ("receipt.identity.btw-id", Category::Manipulation, STRENGTH));
        assert!(s.summary.en.contains("NL123456789B01 on the receipt cannot exist: its check digits"), "{}", s.summary.en);
        assert!(s.summary.nl.contains("btw-nummer NL123456789B01"), "{}", s.summary.nl);
        assert!(identity(IdKind::BtwId, "NL004495445B01", &identity::btw_id("NL004495445B01")).is_none());
        let short = identity(IdKind::Kvk, "1234567", &identity::kvk("1234567")).expect("7 digits");
        assert!(short.summary.nl.ends_with("(een KvK-nummer heeft 8 cijfers). Een verzonnen bon, of een verkeerd gelezen cijfer."), "{}", short.summary.nl);
    }

    #[test]
    fn an_ended_rate_names_the_day_it_ended() {
        let date = Date::new(2021, 3, 4);
        let s = vat_rate(600, date, &vat::dutch_rate(600, date)).expect("6 % had ended");
        assert_eq!(s.summary.en, "The receipt dated 2021-03-04 charges 6 % VAT, a Dutch rate that ended on 2019-01-01.");
        assert!(s.summary.nl.contains("op 2019-01-01 is afgeschaft"));
        assert!(vat_rate(900, date, &vat::dutch_rate(900, date)).is_none());
        assert_eq!(percent(550), "5.5 %");
        assert_eq!(percent(2100), "21 %");
    }

    #[test]
    fn an_edited_total_is_named_with_both_amounts() {
        let found = arithmetic::check(&[], 2285, &[arithmetic::Payment { amount: 1285, cash: false }], 0);
        let s = sum(2285, &found[0]);
        assert_eq!(s.id, "receipt.sum.payments");
        assert_eq!(s.summary.en, "EUR 12.85 was paid, the receipt's total says EUR 22.85.");
        assert_eq!(s.summary.nl, "Er is € 12,85 betaald, het totaal op de bon is € 22,85.");
        let v = vat_amount(12100, 2100, 900, vat::vat_difference(12100, 2100, 900).unwrap());
        assert!(v.summary.en.contains("(EUR 21.00) is not 9 % of EUR 121.00 (EUR 9.99)"), "{}", v.summary.en);
        assert_eq!(euros(-5, false), "-EUR 0.05");
    }
}
