//! `proofdesk eval-personal-data`: a generated, labelled set of Dutch claim texts
//! (customer messages, decision reasons, notes) with personal data of every kind and
//! look-alikes (numbers that fail the 11-check or mod-97, order and tracking numbers,
//! amounts, storage sizes, ordinary dates), run through the recognisers; reports
//! precision and recall per kind. The same seed gives the same set; `--write-set`
//! saves it as JSON lines for other tools (scripts/presidio_compare.py).

use crate::rng::Rng;
use anyhow::{Context, Result};
use clap::Args;
use proofdesk_domain::personal_data::{bsn_valid, find, iban_valid, luhn_valid, Kind};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

/// `proofdesk eval-personal-data`.
#[derive(Args)]
pub struct EvalPersonalDataArgs {
    /// Texts in the set.
    #[arg(long, default_value_t = 600)]
    texts: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also write the set as JSON lines: `{"text", "spans": [{"kind", "start", "end"}]}`.
    #[arg(long)]
    write_set: Option<std::path::PathBuf>,
    /// JSON (schema proofdesk.personal-data-eval/1) instead of a table.
    #[arg(long)]
    json: bool,
    /// Also print each miss and false alarm with its text.
    #[arg(long)]
    show_errors: bool,
}

/// One labelled text.
pub struct Labelled {
    /// The text.
    pub text: String,
    /// What is in it: kind and byte span.
    pub spans: Vec<(Kind, usize, usize)>,
}

/// Builds a text piece by piece, noting where the personal data sits.
struct Builder {
    text: String,
    spans: Vec<(Kind, usize, usize)>,
}

impl Builder {
    fn say(&mut self, s: &str) {
        self.text.push_str(s);
    }
    fn value(&mut self, kind: Kind, v: &str) {
        let start = self.text.len();
        self.text.push_str(v);
        self.spans.push((kind, start, self.text.len()));
    }
}

fn digits(rng: &mut Rng, n: usize) -> String {
    (0..n).map(|_| char::from(b'0' + rng.below(10) as u8)).collect()
}

fn bsn(rng: &mut Rng) -> String {
    loop {
        let s = format!("{}{}", 1 + rng.below(9), digits(rng, 8));
        if bsn_valid(&s) {
            return s;
        }
    }
}

fn not_bsn(rng: &mut Rng) -> String {
    loop {
        let s = format!("{}{}", 1 + rng.below(9), digits(rng, 8));
        if !bsn_valid(&s) {
            return s;
        }
    }
}

fn iban(rng: &mut Rng, valid: bool) -> String {
    let (country, body) = match rng.below(4) {
        0 => ("DE", digits(rng, 18)),
        1 => ("BE", digits(rng, 12)),
        _ => ("NL", format!("{}{}", rng.pick(&["ABNA", "INGB", "RABO", "TRIO", "SNSB", "KNAB", "ASNB", "BUNQ"]), digits(rng, 10))),
    };
    let check = (0..100).find(|c| iban_valid(&format!("{country}{c:02}{body}"))).unwrap_or(0);
    let check = if valid { check } else { (check + 1 + rng.below(90) as u32) % 100 };
    let raw = format!("{country}{check:02}{body}");
    if rng.below(2) == 0 {
        raw.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap_or("")).collect::<Vec<_>>().join(" ")
    } else {
        raw
    }
}

fn phone(rng: &mut Rng) -> String {
    match rng.below(8) {
        5 => format!("06{}", digits(rng, 8)),
        6 => format!("+316{}", digits(rng, 8)),
        7 => format!("(020) {} {} {}", digits(rng, 3), digits(rng, 2), digits(rng, 2)),
        0 => format!("06-{}", digits(rng, 8)),
        1 => format!("06 {} {}", digits(rng, 4), digits(rng, 4)),
        2 => format!("+31 6 {}", digits(rng, 8)),
        3 => format!("020-{}", digits(rng, 7)),
        _ => format!("010 {} {}", digits(rng, 3), digits(rng, 4)),
    }
}

fn card(rng: &mut Rng, valid: bool) -> String {
    loop {
        let s = format!("{}{}", rng.pick(&["4", "5"]), digits(rng, 15));
        if luhn_valid(&s) == valid {
            return s.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap_or("")).collect::<Vec<_>>().join(" ");
        }
    }
}

/// An IMEI: 15 digits with a Luhn check digit, as phones carry (not personal data here).
fn imei(rng: &mut Rng) -> String {
    loop {
        let s = format!("35{}", digits(rng, 13));
        if luhn_valid(&s) {
            return s;
        }
    }
}

fn plate(rng: &mut Rng) -> String {
    let l = |rng: &mut Rng, n: usize| -> String { (0..n).map(|_| char::from(*rng.pick(b"BDFGHJKLNPRSTVXZ"))).collect() };
    match rng.below(4) {
        0 => format!("{}-{}-{}", l(rng, 2), digits(rng, 3), l(rng, 1)),
        1 => format!("{}-{}-{}", digits(rng, 1), l(rng, 3), digits(rng, 2)),
        2 => format!("{}-{}-{}", l(rng, 2), l(rng, 2), digits(rng, 2)),
        _ => format!("{}-{}-{}", digits(rng, 2), l(rng, 3), digits(rng, 1)),
    }
}

const NAMES: [&str; 8] = ["jan.jansen", "p.devries", "sanne_bakker", "m.elyoussfi", "kees1978", "anouk.visser", "t.nguyen", "lisa.smit"];
const DOMAINS: [&str; 5] = ["example.nl", "ziggo.nl", "gmail.com", "hotmail.com", "kpnmail.nl"];
const STREETS: [&str; 6] = ["Kerkstraat", "Dorpsweg", "Stationsplein", "Molenlaan", "Prinsengracht", "Julianastraat"];
const PRODUCTS: [&str; 6] = ["wasmachine", "koffiezetapparaat", "fiets", "laptop", "koelkast", "telefoon"];

/// Generates one claim text with a few pieces of personal data and look-alikes.
fn text(rng: &mut Rng) -> Labelled {
    let mut b = Builder { text: String::new(), spans: Vec::new() };
    let product = *rng.pick(&PRODUCTS);
    b.say(&format!("Goedemiddag, mijn {product} is beschadigd aangekomen. "));
    let pieces = 2 + rng.below(4);
    for _ in 0..pieces {
        match rng.below(20) {
            0 => {
                b.say(rng.pick::<&str>(&["Mijn BSN is ", "Burgerservicenummer: ", "bsn ", "Mijn sofinummer is "]));
                let v = bsn(rng);
                b.value(Kind::Bsn, &v);
                b.say(". ");
            }
            1 => {
                b.say(rng.pick::<&str>(&["Mijn nummer is ", "Voor de verzekering: ", "BSN "]));
                let raw = bsn(rng);
                let v = if rng.below(2) == 0 { format!("{}.{}.{}", &raw[..3], &raw[3..6], &raw[6..]) } else { raw };
                b.value(Kind::Bsn, &v);
                b.say(". ");
            }
            2 => {
                b.say(rng.pick::<&str>(&["Graag terugstorten op ", "Rekeningnummer ", "IBAN: ", "Mijn rekening is "]));
                let v = iban(rng, true);
                b.value(Kind::Iban, &v);
                b.say(". ");
            }
            3 => {
                b.say(rng.pick::<&str>(&["Mail mij op ", "E-mail: ", "U kunt mailen naar "]));
                let v = match rng.below(3) {
                    0 => format!("{}+claims@mail.{}", rng.pick(&NAMES), rng.pick(&DOMAINS)),
                    _ => format!("{}@{}", rng.pick(&NAMES), rng.pick(&DOMAINS)),
                };
                b.value(Kind::Email, &v);
                b.say(". ");
            }
            4 => {
                b.say(rng.pick::<&str>(&["Bel mij op ", "Telefoon: ", "Mijn mobiele nummer is ", "Bereikbaar op "]));
                let v = phone(rng);
                b.value(Kind::Phone, &v);
                b.say(". ");
            }
            5 => {
                b.say("Ik woon op ");
                let street = format!("{} {}", rng.pick(&STREETS), 1 + rng.below(200));
                b.value(Kind::Postcode, &street);
                b.say(", ");
                let letters = ["AB", "CD", "EK", "GH", "LM", "RT", "XZ"][rng.below(7)];
                let pc = match rng.below(3) {
                    0 => format!("{}{}{}", 1 + rng.below(9), digits(rng, 3), letters),
                    1 => format!("{}{} {}", 1 + rng.below(9), digits(rng, 3), letters.to_lowercase()),
                    _ => format!("{}{} {}", 1 + rng.below(9), digits(rng, 3), letters),
                };
                b.value(Kind::Postcode, &pc);
                b.say(" Utrecht. ");
            }
            6 => {
                b.say("Ons bedrijf staat bij de KvK onder ");
                let v = digits(rng, 8);
                b.value(Kind::Kvk, &v);
                b.say(". ");
            }
            7 => {
                b.say("Btw-nummer ");
                let v = format!("NL{}B01", bsn(rng));
                b.value(Kind::Btw, &v);
                b.say(". ");
            }
            8 => {
                b.say(rng.pick::<&str>(&["De schade zit aan de auto met kenteken ", "Kenteken: ", "Auto "]));
                let v = plate(rng);
                b.value(Kind::LicencePlate, &v);
                b.say(". ");
            }
            9 => {
                b.say(rng.pick::<&str>(&["Ik ben geboren op ", "Geboortedatum: ", "geb. "]));
                let months = ["januari", "maart", "mei", "juli", "oktober", "december"];
                let v = match rng.below(3) {
                    0 => format!("{} {} {}", 1 + rng.below(28), rng.pick(&months), 1940 + rng.below(65)),
                    1 => format!("{:02}/{:02}/{}", 1 + rng.below(28), 1 + rng.below(12), 1940 + rng.below(65)),
                    _ => format!("{}-{:02}-{}", 1 + rng.below(28), 1 + rng.below(12), 1940 + rng.below(65)),
                };
                b.value(Kind::DateOfBirth, &v);
                b.say(". ");
            }
            10 => {
                b.say(rng.pick::<&str>(&["Betaald met creditcard ", "Kaartnummer "]));
                let v = card(rng, true);
                b.value(Kind::PaymentCard, &v);
                b.say(". ");
            }
            // Look-alikes, none of them personal data.
            11 => b.say(&format!("Ordernummer {}. ", if rng.below(2) == 0 { bsn(rng) } else { not_bsn(rng) })),
            12 => b.say(&format!("Referentie {} en artikel {}. ", not_bsn(rng), digits(rng, 8))),
            13 => b.say(&format!("Het bedrag was € {},{:02} ({} EUR), {} GB opslag. ", 100 + rng.below(1900), rng.below(100), 100 + rng.below(1900), rng.pick(&["64", "128", "256"]))),
            14 => b.say(&format!("Gekocht op {}-{:02}-2025, bezorgd op {}-{:02}-2025. ", 1 + rng.below(28), 1 + rng.below(12), 1 + rng.below(28), 1 + rng.below(12))),
            15 => b.say(&format!("Een oude rekening {} klopt niet meer. Track & trace 3S{}. ", iban(rng, false), digits(rng, 12))),
            16 => b.say(&format!("Serienummer {} en bonnummer {}. ", card(rng, false).replace(' ', ""), digits(rng, 10))),
            17 => b.say(&format!("Het is model {} XL, IMEI {}. ", 2000 + rng.below(26), imei(rng))),
            18 => b.say(&format!("Klantnummer 0{} en EAN 87{}. ", digits(rng, 9), digits(rng, 11))),
            _ => b.say(&format!("In {} is het toestel {} keer gerepareerd. ", 2015 + rng.below(10), 2 + rng.below(5))),
        }
    }
    b.say("Met vriendelijke groet.");
    Labelled { text: b.text, spans: b.spans }
}

/// The set for a seed.
pub fn generate(n: usize, seed: u64) -> Vec<Labelled> {
    let mut rng = Rng::seeded(seed);
    (0..n).map(|_| text(&mut rng)).collect()
}

/// Counts per kind: (true positives, false positives, false negatives).
pub fn score(set: &[Labelled]) -> BTreeMap<Kind, (usize, usize, usize)> {
    let mut counts: BTreeMap<Kind, (usize, usize, usize)> = Kind::ALL.iter().map(|k| (*k, (0, 0, 0))).collect();
    for l in set {
        let found = find(&l.text);
        let mut matched = vec![false; l.spans.len()];
        for f in &found {
            let hit = l.spans.iter().enumerate().find(|(i, (k, s, e))| !matched[*i] && *k == f.kind && f.start < *e && *s < f.end);
            let c = counts.entry(f.kind).or_default();
            match hit {
                Some((i, _)) => {
                    matched[i] = true;
                    c.0 += 1;
                }
                None => c.1 += 1,
            }
        }
        for (i, (k, ..)) in l.spans.iter().enumerate() {
            if !matched[i] {
                counts.entry(*k).or_default().2 += 1;
            }
        }
    }
    counts
}

/// Runs the evaluation.
pub fn run(args: EvalPersonalDataArgs) -> Result<ExitCode> {
    let set = generate(args.texts.max(1), args.seed);
    if let Some(path) = &args.write_set {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path).with_context(|| format!("create {}", path.display()))?);
        for l in &set {
            let spans: Vec<_> = l.spans.iter().map(|(k, s, e)| json!({"kind": k.as_str(), "start": s, "end": e})).collect();
            writeln!(f, "{}", json!({"text": l.text, "spans": spans}))?;
        }
    }
    if args.show_errors {
        for l in &set {
            let found = find(&l.text);
            for (k, s, e) in &l.spans {
                if !found.iter().any(|f| f.kind == *k && f.start < *e && *s < f.end) {
                    eprintln!("missed {}: {:?} in {:?}", k.as_str(), &l.text[*s..*e], l.text);
                }
            }
            for f in &found {
                if !l.spans.iter().any(|(k, s, e)| f.kind == *k && f.start < *e && *s < f.end) {
                    eprintln!("false {}: {:?} in {:?}", f.kind.as_str(), &l.text[f.start..f.end], l.text);
                }
            }
        }
    }
    let counts = score(&set);
    let mut out = std::io::stdout().lock();
    let ratio = |a: usize, b: usize| if b == 0 { None } else { Some(a as f64 / b as f64) };
    if args.json {
        let kinds: Vec<_> = counts
            .iter()
            .map(|(k, &(tp, fp, fnn))| json!({"kind": k.as_str(), "true_positives": tp, "false_positives": fp, "false_negatives": fnn,
                "precision": ratio(tp, tp + fp), "recall": ratio(tp, tp + fnn)}))
            .collect();
        writeln!(out, "{}", json!({"schema": "proofdesk.personal-data-eval/1", "texts": set.len(), "seed": args.seed, "kinds": kinds}))?;
    } else {
        writeln!(out, "{} generated texts (seed {}), {} labelled values", set.len(), args.seed, set.iter().map(|l| l.spans.len()).sum::<usize>())?;
        writeln!(out, "{:<15} {:>6} {:>5} {:>5} {:>10} {:>8}", "kind", "values", "fp", "fn", "precision", "recall")?;
        let pct = |r: Option<f64>| r.map_or("–".to_owned(), |r| format!("{:.1}%", r * 100.0));
        for (k, &(tp, fp, fnn)) in &counts {
            writeln!(out, "{:<15} {:>6} {:>5} {:>5} {:>10} {:>8}", k.as_str(), tp + fnn, fp, fnn, pct(ratio(tp, tp + fp)), pct(ratio(tp, tp + fnn)))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
