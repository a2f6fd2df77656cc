//! Receipt reading for `proofdesk eval`: per receipt, whether the total, the date and
//! the merchant were read exactly as the manifest's reference gives them
//! (`expect` = `receipt:{"company": …, "date": …, "total": …}`), and whether an honest
//! receipt was flagged.

use proofdesk_engine::receipt::{letters_and_digits, tokens};
use proofdesk_engine::FileReport;
use serde::Serialize;
use std::io::Write;

/// One receipt: the reference and what was read.
#[derive(Serialize)]
pub struct ReceiptRow {
    /// Path relative to the corpus.
    pub path: String,
    /// Reference total, as printed.
    pub total_expected: String,
    /// Total read, in the receipt's units (`11.40`).
    pub total_read: Option<String>,
    /// Reference date, as printed.
    pub date_expected: String,
    /// Date read (ISO 8601).
    pub date_read: Option<String>,
    /// Reference merchant.
    pub merchant_expected: String,
    /// Merchant read.
    pub merchant_read: Option<String>,
    /// Whether each was read exactly: total, date, merchant.
    pub exact: [bool; 3],
    /// Whether the honest receipt was flagged (ai-generated, manipulated or reused).
    pub false_alarm: bool,
    /// The receipt checks that failed on it (each sends a claim to review).
    pub checks_failed: Vec<String>,
}

/// The receipt part of the evaluation.
#[derive(Serialize)]
pub struct ReceiptEval {
    /// Receipts with a reference.
    pub receipts: usize,
    /// Receipts whose text was read at all.
    pub read: usize,
    /// Totals read exactly.
    pub total: usize,
    /// Dates read exactly.
    pub date: usize,
    /// Merchants read exactly (letters and digits compared, case ignored).
    pub merchant: usize,
    /// Honest receipts flagged.
    pub false_alarms: usize,
    /// Honest receipts with a failed receipt check.
    pub checks_failed: usize,
    /// Per receipt.
    pub rows: Vec<ReceiptRow>,
}

fn cents(text: &str) -> Option<i64> {
    tokens::amounts(text).first().map(|a| a.cents)
}

/// The receipt checks that failed on a report (suspicious `receipt.*` signals).
pub fn failed_checks(report: &FileReport) -> Vec<String> {
    report
        .signals
        .iter()
        .filter(|s| s.id.starts_with("receipt.") && s.direction == proofdesk_engine::signal::Direction::Suspicious)
        .map(|s| s.id.clone())
        .collect()
}

/// Compares each receipt row's reading (rows: path, expect, report) with its reference;
/// `None` when the corpus has no receipt references.
pub fn evaluate(rows: &[(&str, &str, &FileReport)]) -> Option<ReceiptEval> {
    let mut out = Vec::new();
    for (path, expect, report) in rows {
        let Some(json) = expect.strip_prefix("receipt:") else { continue };
        let Ok(reference) = serde_json::from_str::<serde_json::Value>(json) else { continue };
        let get = |k: &str| reference.get(k).and_then(|v| v.as_str()).unwrap_or("").to_owned();
        let (total_expected, date_expected, merchant_expected) = (get("total"), get("date"), get("company"));
        let fields = report.receipt.as_ref().map(|r| &r.fields);
        let total = fields.and_then(|f| f.total.as_ref()).map(|t| t.value);
        let date = fields.and_then(|f| f.date.as_ref()).map(|d| d.value);
        let merchant = fields.and_then(|f| f.merchant.as_ref()).map(|m| m.value.clone());
        // The reference is the date as printed: `19-03-18`, `26/02/2018` or `20180304`.
        let want_date = tokens::dates(&date_expected).first().or(tokens::compact_date(&date_expected).as_ref()).map(|d| d.date);
        let exact = [
            total.is_some() && total == cents(&total_expected),
            date.is_some() && date == want_date,
            merchant.as_deref().is_some_and(|m| letters_and_digits(m) == letters_and_digits(&merchant_expected)),
        ];
        out.push(ReceiptRow {
            path: path.to_string(),
            total_expected,
            total_read: total.map(|c| format!("{}.{:02}", c / 100, (c % 100).abs())),
            date_expected,
            date_read: date.map(|d| d.to_string()),
            merchant_expected,
            merchant_read: merchant,
            exact,
            false_alarm: report.verdict.is_flagged(),
            checks_failed: failed_checks(report),
        });
    }
    if out.is_empty() {
        return None;
    }
    let count = |i: usize| out.iter().filter(|r| r.exact[i]).count();
    Some(ReceiptEval {
        receipts: out.len(),
        read: rows
            .iter()
            .filter(|(_, e, r)| e.starts_with("receipt:") && r.receipt.as_ref().is_some_and(|x| !x.lines.is_empty()))
            .count(),
        total: count(0),
        date: count(1),
        merchant: count(2),
        false_alarms: out.iter().filter(|r| r.false_alarm).count(),
        checks_failed: out.iter().filter(|r| !r.checks_failed.is_empty()).count(),
        rows: out,
    })
}

/// The receipt part as text: the counts, then each receipt with a field not read
/// exactly.
pub fn write_table(out: &mut impl Write, e: &ReceiptEval) -> std::io::Result<()> {
    let pct = |n: usize| 100.0 * n as f64 / e.receipts.max(1) as f64;
    writeln!(
        out,
        "\nreceipts: {} with a reference, {} read; exact: total {} ({:.0} %), date {} ({:.0} %), merchant {} ({:.0} %); flagged {}; a check failed on {}",
        e.receipts,
        e.read,
        e.total,
        pct(e.total),
        e.date,
        pct(e.date),
        e.merchant,
        pct(e.merchant),
        e.false_alarms,
        e.checks_failed
    )?;
    for r in e.rows.iter().filter(|r| r.exact.contains(&false) || !r.checks_failed.is_empty()) {
        let mut notes = Vec::new();
        if !r.exact[0] {
            notes.push(format!("total {} read {}", r.total_expected, r.total_read.as_deref().unwrap_or("nothing")));
        }
        if !r.exact[1] {
            notes.push(format!("date {} read {}", r.date_expected, r.date_read.as_deref().unwrap_or("nothing")));
        }
        if !r.exact[2] {
            notes.push(format!("merchant {:?} read {:?}", r.merchant_expected, r.merchant_read.as_deref().unwrap_or("nothing")));
        }
        if !r.checks_failed.is_empty() {
            notes.push(format!("failed {}", r.checks_failed.join(", ")));
        }
        writeln!(out, "  {}  {}", r.path, notes.join("; "))?;
    }
    Ok(())
}
