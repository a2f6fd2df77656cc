//! A receipt on the claim page: what was read from it (shop, date, total, items, VAT,
//! payments, numbers), each with the line it was read from, the fields a failed check
//! is about highlighted with the check's reason, and their boxes drawn over the picture.

use super::Say;
use maud::{html, Markup};
use proofdesk_engine::signal::{Direction, Signal};
use proofdesk_engine::Lang;
use serde_json::Value;

/// A field of the receipt object and the checks that are about it.
struct Row {
    key: &'static str,
    en: &'static str,
    nl: &'static str,
    checks: &'static [&'static str],
}

const ROWS: [Row; 13] = [
    Row { key: "merchant", en: "Shop", nl: "Winkel", checks: &[] },
    Row { key: "date", en: "Date", nl: "Datum", checks: &["receipt.date.differs", "receipt.date.weekday", "receipt.vat.rate", "context.receipt-in-future", "context.receipt-date-differs"] },
    Row { key: "time", en: "Time", nl: "Tijd", checks: &[] },
    Row { key: "items", en: "Items", nl: "Artikelen", checks: &["receipt.sum.items", "receipt.sum.line"] },
    Row { key: "subtotal", en: "Subtotal", nl: "Subtotaal", checks: &[] },
    Row { key: "total", en: "Total", nl: "Totaal", checks: &["receipt.sum.items", "receipt.sum.payments", "receipt.sum.vat-table", "context.claim-exceeds-receipt"] },
    Row { key: "payments", en: "Paid", nl: "Betaald", checks: &["receipt.sum.payments", "receipt.sum.cash-rounding"] },
    Row { key: "vat", en: "VAT", nl: "Btw", checks: &["receipt.vat.amount", "receipt.vat.rate", "receipt.sum.vat-table"] },
    Row { key: "receipt_number", en: "Receipt number", nl: "Bonnummer", checks: &[] },
    Row { key: "till", en: "Till or terminal", nl: "Kassa of terminal", checks: &[] },
    Row { key: "btw_id", en: "VAT number", nl: "Btw-nummer", checks: &["receipt.identity.btw-id"] },
    Row { key: "kvk", en: "KvK number", nl: "KvK-nummer", checks: &["receipt.identity.kvk"] },
    Row { key: "iban", en: "IBAN", nl: "IBAN", checks: &["receipt.identity.iban"] },
];

/// Cents as money in the reader's language: "€ 12,45" / "EUR 12.45".
fn money(lang: Lang, cents: i64) -> String {
    proofdesk_engine::receipt::money(cents, lang == Lang::Nl)
}

/// The value of a field (or a list of fields) as a person reads it.
fn shown(lang: Lang, key: &str, v: &Value) -> String {
    let cents = |v: &Value| v.as_i64().map(|c| money(lang, c)).unwrap_or_default();
    let value = |f: &Value| f.get("value").cloned().unwrap_or(Value::Null);
    match key {
        "total" | "subtotal" => cents(&value(v)),
        "items" => {
            let items = v.as_array().map(Vec::as_slice).unwrap_or_default();
            let sum: i64 = items.iter().filter_map(|i| value(i)["amount"].as_i64()).sum();
            format!("{} {}, {} {}", items.len(), lang.say("lines", "regels"), lang.say("together", "samen"), money(lang, sum))
        }
        "payments" => v
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|p| {
                let p = value(p);
                let how = if p["cash"] == Value::Bool(true) { lang.say("cash", "contant") } else { lang.say("card", "pin/kaart") };
                format!("{} {how}", cents(&p["amount"]))
            })
            .collect::<Vec<_>>()
            .join("; "),
        "vat" => v
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|l| {
                let l = value(l);
                let rate = l["basis_points"].as_f64().unwrap_or(0.0) / 100.0;
                format!("{rate} %: {}", cents(&l["vat"]))
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => match value(v) {
            Value::String(s) => s,
            other => other.to_string(),
        },
    }
}

/// The receipt panel of a file's report, or nothing when no receipt was read.
pub fn panel(lang: Lang, report: &Value, signals: &[Signal]) -> Markup {
    let Some(fields) = report.get("receipt").and_then(|r| r.get("fields")) else { return html! {} };
    let failed = |checks: &[&str]| -> Vec<&Signal> {
        signals.iter().filter(|s| s.direction == Direction::Suspicious && checks.contains(&s.id.as_str())).collect()
    };
    let missing: Vec<&Signal> = failed(&["receipt.missing-fields"]);
    html! {
        div.receipt role="region" aria-label=(lang.say("What the receipt says", "Wat er op de bon staat")) {
            h4 { (lang.say("What the receipt says", "Wat er op de bon staat")) }
            table.receipt {
                tbody {
                    @for row in &ROWS {
                        @if let Some(v) = fields.get(row.key).filter(|v| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty())) {
                            @let against = failed(row.checks);
                            tr class=(if against.is_empty() { "ok" } else { "failed" }) data-field=(row.key) {
                                th scope="row" { (lang.say(row.en, row.nl)) }
                                td {
                                    (shown(lang, row.key, v))
                                    @if let Some(text) = v.get("text").and_then(Value::as_str) {
                                        br; small.printed { (lang.say("printed", "gedrukt")) ": " q { (text) } }
                                    }
                                    @for s in &against {
                                        p.check { strong { (lang.say("Check failed", "Controle mislukt")) ": " } (s.summary.get(lang)) }
                                    }
                                }
                            }
                        }
                    }
                    @for s in &missing {
                        tr.failed data-field="missing" {
                            th scope="row" { (lang.say("Missing", "Ontbreekt")) }
                            td { p.check { strong { (lang.say("Check failed", "Controle mislukt")) ": " } (s.summary.get(lang)) } }
                        }
                    }
                }
            }
        }
    }
}

/// Boxes over the picture for the fields read (a failed check's fields marked), drawn
/// in the picture's own pixels; nothing when the picture is turned by its EXIF
/// orientation (the boxes are of the stored pixels) or no receipt was read.
pub fn overlay(report: &Value, signals: &[Signal]) -> Markup {
    let Some(fields) = report.get("receipt").and_then(|r| r.get("fields")) else { return html! {} };
    let meta = &report["metadata"];
    let (Some(w), Some(h)) = (meta["width"].as_u64(), meta["height"].as_u64()) else { return html! {} };
    let orientation = meta["exif"]["orientation"].as_u64().unwrap_or(1);
    if orientation != 1 {
        return html! {};
    }
    let mut boxes = Vec::new();
    for row in &ROWS {
        let failed = signals.iter().any(|s| s.direction == Direction::Suspicious && row.checks.contains(&s.id.as_str()));
        let found: Vec<&Value> = match fields.get(row.key) {
            Some(Value::Array(list)) => list.iter().collect(),
            Some(v) if !v.is_null() => vec![v],
            _ => Vec::new(),
        };
        for f in found {
            let b = &f["bbox"];
            if let (Some(x), Some(y), Some(bw), Some(bh)) = (b["x"].as_u64(), b["y"].as_u64(), b["width"].as_u64(), b["height"].as_u64()) {
                boxes.push((row.key, failed, x, y, bw, bh));
            }
        }
    }
    html! {
        svg.boxes viewBox={ "0 0 " (w) " " (h) } preserveAspectRatio="none" aria-hidden="true" {
            @for (key, failed, x, y, bw, bh) in boxes {
                rect class=(if failed { "failed" } else { "read" }) data-field=(key) x=(x) y=(y) width=(bw) height=(bh) {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proofdesk_engine::signal::{Category, Text};
    use serde_json::json;

    #[test]
    fn a_failed_check_highlights_its_field_with_the_reason() {
        let field = |v: Value, text: &str| json!({"value": v, "text": text, "bbox": {"x": 10, "y": 20, "width": 30, "height": 8}});
        let report = json!({
            "metadata": {"width": 600, "height": 900},
            "receipt": {"fields": {
                "merchant": field(json!("Bakkerij De Krakeling"), "Bakkerij De Krakeling"),
                "total": field(json!(7945), "TOTAAL EUR 79,45"),
                "payments": [field(json!({"amount": 2475, "cash": false}), "PIN 24,75")],
            }}
        });
        let s = Signal::new("receipt.sum.payments", Category::Manipulation, Direction::Suspicious, 0.4, Text::new("EUR 24.75 was paid, the receipt's total says EUR 79.45.", "Er is € 24,75 betaald, het totaal op de bon is € 79,45."));
        let html = panel(Lang::Nl, &report, std::slice::from_ref(&s)).into_string();
        assert!(html.contains(r#"<tr class="failed" data-field="total"><th scope="row">Totaal</th><td>€ 79,45"#), "{html}");
        assert!(html.contains("Controle mislukt: </strong>Er is € 24,75 betaald"), "{html}");
        assert!(html.contains(r#"<tr class="ok" data-field="merchant">"#), "{html}");
        let boxes = overlay(&report, &[s]).into_string();
        assert!(boxes.contains(r#"viewBox="0 0 600 900""#) && boxes.contains(r#"class="failed" data-field="total""#), "{boxes}");
        assert!(panel(Lang::En, &json!({}), &[]).into_string().is_empty());
    }
}
