//! What a generated Dutch till receipt says, line by line (42 columns, as an 80 mm
//! thermal printer prints them): shop, address, KvK and BTW-id, items with quantities
//! and weights, a discount, subtotal and total, payment, the VAT table, receipt number,
//! till and the moment of sale, and for a card payment the terminal's slip. Also the
//! template-made receipt a fraudster types from scratch.

use crate::rng::Rng;
use proofdesk_engine::date::Date;
use proofdesk_engine::receipt::identity;

/// Columns of a line.
pub const COLUMNS: usize = 42;

/// One printed line.
#[derive(Debug, Clone)]
pub struct PrintLine {
    /// Its text, at most [`COLUMNS`] characters.
    pub text: String,
    /// Printed bold (the total).
    pub bold: bool,
}

/// Where a piece of text is: line and char range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Line index.
    pub line: usize,
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
}

/// A receipt's content and the facts a reader should find.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// The lines, top to bottom.
    pub lines: Vec<PrintLine>,
    /// The shop's name as printed.
    pub merchant: String,
    /// Day of the sale.
    pub date: Date,
    /// The amount to pay, in cents.
    pub total: i64,
    /// The total's amount on the total line.
    pub total_at: Span,
    /// The sale date at the top or bottom of the receipt (not the slip's).
    pub date_at: Span,
}

struct Shop {
    name: &'static str,
    catalogue: &'static [(&'static str, i64, u32, bool)],
}

/// Shops (made-up names) and what they sell: (item, price in cents, VAT %, sold by weight).
const SHOPS: [Shop; 7] = [
    Shop {
        name: "Bakkerij De Gouden Krakeling",
        catalogue: &[
            ("Volkorenbrood", 310, 9, false), ("Croissant", 125, 9, false), ("Appeltaart", 1495, 9, false),
            ("Krentenbollen 6 st", 349, 9, false), ("Tompouce", 210, 9, false), ("Stokbrood", 225, 9, false),
            ("Koffie to go", 280, 9, false), ("Kaasbroodje", 235, 9, false),
        ],
    },
    Shop {
        name: "Buurtsuper Smit",
        catalogue: &[
            ("Melk halfvol 1 l", 119, 9, false), ("Jonge kaas", 1299, 9, true), ("Bananen", 199, 9, true),
            ("Koffiebonen 500 g", 649, 9, false), ("Wasmiddel", 999, 21, false), ("Tandpasta", 279, 21, false),
            ("Rode wijn", 699, 21, false), ("Chips paprika", 189, 9, false), ("Appels", 249, 9, true),
        ],
    },
    Shop {
        name: "Elektro Visser B.V.",
        catalogue: &[
            ("USB-C kabel 2 m", 1999, 21, false), ("Koptelefoon draadloos", 8900, 21, false), ("Powerbank 10000", 3995, 21, false),
            ("HDMI kabel", 1499, 21, false), ("Muis draadloos", 2999, 21, false), ("Telefoonhoes", 2495, 21, false),
            ("Oplader 65 W", 4499, 21, false),
        ],
    },
    Shop {
        name: "Eetcafe De Vergulde Lepel",
        catalogue: &[
            ("Koffie", 320, 9, false), ("Cappuccino", 360, 9, false), ("Tosti ham kaas", 650, 9, false),
            ("Bitterballen 8 st", 795, 9, false), ("Pils van de tap", 390, 21, false), ("Huiswijn glas", 550, 21, false),
            ("Biefstuk", 2450, 9, false), ("Dagmenu", 3250, 9, false),
        ],
    },
    Shop {
        name: "Bouwmarkt Hoekstra",
        catalogue: &[
            ("Schroevenset", 1249, 21, false), ("Accuboormachine", 7900, 21, false), ("Muurverf wit 2,5 l", 3495, 21, false),
            ("Kwast 50 mm", 699, 21, false), ("Plamuur", 849, 21, false), ("Afplaktape", 399, 21, false),
        ],
    },
    Shop {
        name: "Drogisterij Zuid",
        catalogue: &[
            ("Paracetamol 500 mg", 249, 9, false), ("Zonnebrand SPF30", 1299, 21, false), ("Shampoo", 429, 21, false),
            ("Vitamine C", 599, 9, false), ("Handcreme", 349, 21, false), ("Pleisters", 289, 21, false),
        ],
    },
    Shop {
        name: "Fietsenwinkel De Spaak",
        catalogue: &[
            ("Binnenband 28 inch", 895, 21, false), ("Fietsslot", 3995, 21, false), ("Reparatie band", 1750, 21, false),
            ("Fietslamp set", 2495, 21, false), ("Fietstas", 5995, 21, false),
        ],
    },
];

const STREETS: [&str; 8] = ["Dorpsstraat", "Kerkstraat", "Molenweg", "Stationsplein", "Marktplein", "Hoofdstraat", "Nieuwe Gracht", "Lindelaan"];
const CITIES: [(&str, &str); 8] = [
    ("Utrecht", "030"), ("Amersfoort", "033"), ("Zwolle", "038"), ("Haarlem", "023"), ("Groningen", "050"),
    ("Breda", "076"), ("Leiden", "071"), ("Arnhem", "026"),
];
const WEEKDAYS: [&str; 7] = ["Ma", "Di", "Wo", "Do", "Vr", "Za", "Zo"];
const CARDS: [&str; 4] = ["Maestro", "V PAY", "Mastercard", "Visa"];

/// `12,45` (Dutch decimal comma), `-0,50`.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{},{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// `05-03-2024`.
pub fn dmy(d: Date) -> String {
    format!("{:02}-{:02}-{:04}", d.day, d.month, d.year)
}

/// `left` and `right` on one line, `right` against the right edge.
fn columns(left: &str, right: &str) -> String {
    let pad = COLUMNS.saturating_sub(left.chars().count() + right.chars().count()).max(1);
    format!("{left}{}{right}", " ".repeat(pad))
}

fn centred(text: &str) -> String {
    let pad = COLUMNS.saturating_sub(text.chars().count()) / 2;
    format!("{}{text}", " ".repeat(pad))
}

fn digits(rng: &mut Rng, n: usize) -> String {
    (0..n).map(|i| char::from(b'0' + if i == 0 { 1 + rng.below(9) } else { rng.below(10) } as u8)).collect()
}

/// A BTW-id that passes the check (`valid`) or a made-up one that does not.
fn btw_id(rng: &mut Rng, valid: bool) -> String {
    loop {
        let id = format!("NL{}B{:02}", digits(rng, 9), 1 + rng.below(20));
        if (identity::btw_id(&id) == identity::IdCheck::Valid) == valid {
            return id;
        }
    }
}

/// 2021-01-01, in days since 1970-01-01: the first day a generated receipt can carry.
const FIRST_DAY: i64 = 18_628;

/// A random day from 2021 to 2026 and a time the shop is open.
fn sale_moment(rng: &mut Rng) -> (Date, String) {
    let start = FIRST_DAY;
    let day = start + rng.below(6 * 365) as i64;
    let date = Date::from_days(day);
    (date, format!("{:02}:{:02}", 8 + rng.below(14), rng.below(60)))
}

struct Sold {
    line: String,
    amount: i64,
    rate: u32,
}

/// Items: 2 to 7, some several times or weighed, sometimes a discount.
fn items(rng: &mut Rng, shop: &Shop) -> Vec<Sold> {
    let mut out = Vec::new();
    for _ in 0..2 + rng.below(6) {
        let &(name, price, rate, weighed) = rng.pick(shop.catalogue);
        let (label, amount) = if weighed {
            let grams = 150 + rng.below(1200) as i64;
            let amount = (grams * price + 500) / 1000;
            (format!("{name} {},{:03} kg x {}", grams / 1000, grams % 1000, money(price)), amount)
        } else if rng.unit() < 0.25 {
            let n = 2 + rng.below(3) as i64;
            (format!("{name} {n} x {}", money(price)), n * price)
        } else {
            (name.to_string(), price)
        };
        out.push(Sold { line: columns(&label, &money(amount)), amount, rate });
    }
    if rng.unit() < 0.2 {
        let last = out.last().map_or(9, |s| s.rate);
        let off = 25 * (1 + rng.below(8)) as i64;
        out.push(Sold { line: columns("Korting", &money(-off)), amount: -off, rate: last });
    }
    out
}

/// The VAT table's rows: (rate, net, VAT, gross) per rate, VAT the rate's share of the gross.
fn vat_rows(sold: &[Sold]) -> Vec<(u32, i64, i64, i64)> {
    let mut rows = Vec::new();
    for rate in [9u32, 21] {
        let gross: i64 = sold.iter().filter(|s| s.rate == rate).map(|s| s.amount).sum();
        if gross != 0 {
            let vat = (gross * i64::from(rate) * 2 + (100 + i64::from(rate))) / (2 * (100 + i64::from(rate)));
            rows.push((rate, gross - vat, vat, gross));
        }
    }
    rows
}

fn line(text: impl Into<String>) -> PrintLine {
    PrintLine { text: text.into(), bold: false }
}

/// A genuine receipt as a Dutch till prints it.
pub fn genuine(rng: &mut Rng) -> Receipt {
    let shop = rng.pick(&SHOPS);
    let (city, area) = *rng.pick(&CITIES);
    let (date, time) = sale_moment(rng);
    let mut lines = Vec::new();
    if rng.unit() < 0.3 {
        lines.push(line(centred("KASSABON")));
    }
    lines.push(line(centred(shop.name)));
    lines.push(line(centred(&format!("{} {}", rng.pick(&STREETS), 1 + rng.below(180)))));
    lines.push(line(centred(&format!("{} {}{} {city}", digits(rng, 4), char::from(b'A' + rng.below(26) as u8), char::from(b'A' + rng.below(26) as u8)))));
    lines.push(line(centred(&format!("Tel. {area}-{}", digits(rng, 7)))));
    lines.push(line(centred(&format!("KvK {}  BTW {}", digits(rng, 8), btw_id(rng, true)))));
    lines.push(line(""));
    lines.push(line(columns("Omschrijving", "Bedrag")));
    lines.push(line("-".repeat(COLUMNS)));
    let sold = items(rng, shop);
    lines.extend(sold.iter().map(|s| line(s.line.clone())));
    let total: i64 = sold.iter().map(|s| s.amount).sum();
    lines.push(line("-".repeat(COLUMNS)));
    lines.push(line(columns("Subtotaal", &money(total))));
    let total_line = lines.len();
    let amount = money(total);
    lines.push(PrintLine { text: columns("TOTAAL", &format!("EUR  {amount}")), bold: true });
    let total_at = Span { line: total_line, start: COLUMNS - amount.chars().count(), end: COLUMNS };
    let card = rng.unit() < 0.75;
    if card {
        lines.push(line(columns("PIN", &money(total))));
    } else {
        let rounded = (total + 2) / 5 * 5;
        let given = [500, 1000, 2000, 5000, 10000, 20000].into_iter().find(|g| *g >= rounded).unwrap_or(rounded);
        lines.push(line(columns("Contant", &money(given))));
        lines.push(line(columns("Wisselgeld", &money(given - rounded))));
    }
    lines.push(line("-".repeat(COLUMNS)));
    lines.push(line("BTW%        Excl        BTW       Incl"));
    for (rate, net, vat, gross) in vat_rows(&sold) {
        lines.push(line(format!("{:<7}{:>10}{:>11}{:>11}", format!("{rate}%"), money(net), money(vat), money(gross))));
    }
    lines.push(line("-".repeat(COLUMNS)));
    lines.push(line(format!("Bonnr: {}  Kassa: {}  Mdw: {}", digits(rng, 5), 1 + rng.below(8), 10 + rng.below(80))));
    let weekday = rng.unit() < 0.7;
    let stamp = if weekday {
        format!("{} {} {time}", WEEKDAYS[usize::from(date.weekday() - 1)], dmy(date))
    } else {
        format!("{}  {time}", dmy(date))
    };
    let date_start = if weekday { 3 } else { 0 };
    let date_at = Span { line: lines.len(), start: date_start, end: date_start + 10 };
    lines.push(line(stamp));
    lines.push(line(""));
    lines.push(line(centred("Bedankt en tot ziens!")));
    if card {
        lines.push(line("=".repeat(COLUMNS)));
        lines.push(line(centred("Klantticket")));
        lines.push(line(columns("Terminal:", &format!("CT{}", digits(rng, 6)))));
        lines.push(line(columns("Merchant:", &digits(rng, 7))));
        lines.push(line(columns("Transactie:", &digits(rng, 8))));
        lines.push(line(*rng.pick(&CARDS)));
        lines.push(line(columns("Kaart:", &format!("xxxxxxxxxxxx{}", digits(rng, 4)))));
        lines.push(line(columns("Datum:", &format!("{} {time}", dmy(date).replace('-', "/")))));
        lines.push(line(columns("Autorisatiecode:", &digits(rng, 6))));
        lines.push(line(columns("Bedrag:", &format!("EUR {}", money(total)))));
        lines.push(line(centred("Akkoord")));
    }
    Receipt { lines, merchant: shop.name.to_string(), date, total, total_at, date_at }
}

/// A receipt typed from scratch in a template or by an image generator: shop, items,
/// total and payment as a fraudster would write them, usually without the VAT table,
/// the receipt number or the till, VAT (when given) often worked out on the wrong base,
/// and a BTW-id made up.
pub fn from_scratch(rng: &mut Rng) -> Receipt {
    let shop = rng.pick(&SHOPS);
    let (city, _) = *rng.pick(&CITIES);
    let (date, time) = sale_moment(rng);
    let mut lines = vec![line(centred(shop.name)), line(centred(&format!("{} {}, {city}", rng.pick(&STREETS), 1 + rng.below(180))))];
    if rng.unit() < 0.6 {
        let valid = rng.unit() < 0.2;
        let id = btw_id(rng, valid);
        lines.push(line(centred(&format!("BTW {id}"))));
    }
    lines.push(line(""));
    lines.push(line(format!("Datum: {}   Tijd: {time}", dmy(date))));
    let date_at = Span { line: lines.len() - 1, start: 7, end: 17 };
    lines.push(line(""));
    let sold = items(rng, shop);
    lines.extend(sold.iter().map(|s| line(s.line.clone())));
    let total: i64 = sold.iter().map(|s| s.amount).sum();
    lines.push(line(""));
    let amount = money(total);
    let total_line = lines.len();
    lines.push(PrintLine { text: columns("Totaal", &format!("EUR {amount}")), bold: true });
    let total_at = Span { line: total_line, start: COLUMNS - amount.chars().count(), end: COLUMNS };
    let vat = rng.unit();
    if vat < 0.3 {
        // 21 % of the total, as if it were the amount without VAT.
        lines.push(line(columns("BTW 21%", &money((total * 21 + 50) / 100))));
    } else if vat < 0.5 {
        for (rate, net, vat, gross) in vat_rows(&sold) {
            lines.push(line(format!("BTW {:<5}{:>10}{:>11}{:>11}", format!("{rate}%"), money(net), money(vat), money(gross))));
        }
    }
    lines.push(line(columns("Betaald PIN", &money(total))));
    if rng.unit() < 0.3 {
        lines.push(line(format!("Bonnummer: {}", digits(rng, 6))));
    }
    lines.push(line(""));
    lines.push(line(centred("Bedankt voor uw aankoop!")));
    Receipt { lines, merchant: shop.name.to_string(), date, total, total_at, date_at }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_genuine_receipt_adds_up() {
        assert_eq!(Date::from_days(FIRST_DAY), Date::new(2021, 1, 1).unwrap());
        let mut rng = Rng::seeded(3);
        for _ in 0..20 {
            let r = genuine(&mut rng);
            assert!(r.lines.iter().all(|l| l.text.chars().count() <= COLUMNS), "{:?}", r.lines);
            let total_line = &r.lines[r.total_at.line].text;
            assert_eq!(&total_line[r.total_at.start..r.total_at.end], money(r.total));
            let date_line = &r.lines[r.date_at.line].text;
            assert_eq!(&date_line[r.date_at.start..r.date_at.end], dmy(r.date));
        }
    }
}
