//! Report output: the versioned JSON document and the human-readable table.

use proofdesk_engine::{Direction, FileReport, Lang, Verdict, SCHEMA_VERSION};
use serde::Serialize;
use std::io::Write;

/// One screened file in the JSON document.
#[derive(Serialize)]
pub struct FileEntry {
    /// The path as given or found.
    pub path: String,
    /// The engine's report.
    #[serde(flatten)]
    pub report: FileReport,
}

/// The JSON document `proofdesk screen --json` prints (schema in docs/json-schema.md).
#[derive(Serialize)]
pub struct ScreenDocument<'a> {
    /// Schema id and version.
    pub schema: &'static str,
    /// proofdesk version.
    pub proofdesk: &'static str,
    /// Every file, in input order.
    pub files: &'a [FileEntry],
}

/// Writes the JSON document.
pub fn write_json(out: &mut impl Write, files: &[FileEntry]) -> std::io::Result<()> {
    let doc = ScreenDocument {
        schema: SCHEMA_VERSION,
        proofdesk: env!("CARGO_PKG_VERSION"),
        files,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// The verdict in the user's language.
pub fn verdict_label(v: Verdict, lang: Lang) -> &'static str {
    match (v, lang) {
        (Verdict::AiGenerated, Lang::En) => "AI-generated",
        (Verdict::AiGenerated, Lang::Nl) => "AI-gegenereerd",
        (Verdict::Manipulated, Lang::En) => "manipulated",
        (Verdict::Manipulated, Lang::Nl) => "gemanipuleerd",
        (Verdict::Reused, Lang::En) => "seen before",
        (Verdict::Reused, Lang::Nl) => "eerder gezien",
        (Verdict::Edited, Lang::En) => "edited",
        (Verdict::Edited, Lang::Nl) => "bewerkt",
        (Verdict::CameraOriginal, Lang::En) => "camera original",
        (Verdict::CameraOriginal, Lang::Nl) => "camera-origineel",
        (Verdict::CredentialsValid, Lang::En) => "valid Content Credentials",
        (Verdict::CredentialsValid, Lang::Nl) => "geldige inhoudsreferenties",
        (Verdict::Unknown, Lang::En) => "unknown origin",
        (Verdict::Unknown, Lang::Nl) => "herkomst onbekend",
        (Verdict::Error, Lang::En) => "not analysed",
        (Verdict::Error, Lang::Nl) => "niet onderzocht",
    }
}

/// Writes the readable report: per file its verdict and strongest reasons.
pub fn write_table(
    out: &mut impl Write,
    files: &[FileEntry],
    lang: Lang,
    all_signals: bool,
) -> std::io::Result<()> {
    for f in files {
        let r = &f.report;
        writeln!(
            out,
            "{}  [{}]  {}",
            f.path,
            r.format.name().to_uppercase(),
            verdict_label(r.verdict, lang).to_uppercase()
        )?;
        if let Some(e) = &r.error {
            let prefix = if lang == Lang::Nl { "fout" } else { "error" };
            writeln!(out, "    {prefix}: {e}")?;
        }
        let shown: Vec<_> = if all_signals {
            r.signals.iter().collect()
        } else {
            r.reasons
                .iter()
                .filter_map(|id| r.signals.iter().find(|s| &s.id == id))
                .collect()
        };
        for s in shown {
            let mark = match s.direction {
                Direction::Suspicious => "!",
                Direction::SupportsAuthenticity => "+",
                Direction::Neutral => "·",
            };
            writeln!(out, "    {mark} {}", s.summary.get(lang))?;
        }
        if let Some(line) = r.receipt.as_ref().and_then(|receipt| receipt_line(&receipt.fields, lang)) {
            writeln!(out, "    {line}")?;
        }
    }
    Ok(())
}

/// What was read from a receipt, on one line: "receipt: SHOP, 2018-03-19 21:06, total
/// 11.40" (Dutch: "bon: …, totaal 11,40"); `None` when nothing was read.
fn receipt_line(f: &proofdesk_engine::receipt::fields::ReceiptFields, lang: Lang) -> Option<String> {
    let nl = lang == Lang::Nl;
    let mut parts = Vec::new();
    if let Some(m) = &f.merchant {
        parts.push(m.value.clone());
    }
    match (&f.date, &f.time) {
        (Some(d), Some(t)) => parts.push(format!("{} {}", d.value, t.value)),
        (Some(d), None) => parts.push(d.value.to_string()),
        _ => {}
    }
    if let Some(t) = &f.total {
        let (sign, c) = (if t.value < 0 { "-" } else { "" }, t.value.unsigned_abs());
        let amount = format!("{sign}{}{}{:02}", c / 100, if nl { ',' } else { '.' }, c % 100);
        parts.push(format!("{} {amount}", if nl { "totaal" } else { "total" }));
    }
    (!parts.is_empty()).then(|| format!("{} {}", if nl { "bon:" } else { "receipt:" }, parts.join(", ")))
}

/// Writes one summary line: how many files got each verdict.
pub fn write_summary(out: &mut impl Write, files: &[FileEntry], lang: Lang) -> std::io::Result<()> {
    let order = [
        Verdict::AiGenerated,
        Verdict::Manipulated,
        Verdict::Reused,
        Verdict::Edited,
        Verdict::CredentialsValid,
        Verdict::CameraOriginal,
        Verdict::Unknown,
        Verdict::Error,
    ];
    let parts: Vec<String> = order
        .iter()
        .filter_map(|v| {
            let n = files.iter().filter(|f| f.report.verdict == *v).count();
            (n > 0).then(|| format!("{n} {}", verdict_label(*v, lang)))
        })
        .collect();
    let files_word = if lang == Lang::Nl {
        "bestanden"
    } else {
        "files"
    };
    writeln!(out, "\n{} {files_word}: {}", files.len(), parts.join(", "))
}
