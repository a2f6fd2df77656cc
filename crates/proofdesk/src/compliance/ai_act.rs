//! The AI Act technical documentation: a dated, numbered edition made from what the
//! system measures and records — the register, the latest recorded evaluation of the
//! deployed version, the routing policy in force, the oversight and fairness figures,
//! the audit chain, retention and the customer notices, and the change history from
//! the audit trail. Nothing in it that can be measured is typed by hand; the few
//! sentences that describe purpose and limits are fixed text, the same in every
//! edition. Each figure from the evaluation carries `data-figure`, so a test can
//! compare it with what `proofdesk eval` reports.

use super::{fairness_outcomes, localized, month_of, oversight_trails, register, Field, DAY_MS};
use crate::serve::web::Say;
use anyhow::Result;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use proofdesk_domain::ai_register::RiskClass;
use proofdesk_domain::routing::Policy;
use proofdesk_domain::transparency::NOTICES;
use proofdesk_domain::{fairness, oversight};
use proofdesk_engine::signal::Text;
use proofdesk_engine::Lang;
use proofdesk_storage::audit::{AuditLog, Verified};
use proofdesk_storage::compliance::{AiSystem, Compliance, Evaluation};
use proofdesk_storage::time::{format_utc, now_ms};
use proofdesk_storage::Database;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Days of decisions the oversight figures cover.
pub const OVERSIGHT_DAYS: i64 = 90;
/// Days of claims the fairness figures cover.
pub const FAIRNESS_DAYS: i64 = 365;

/// Everything an edition is made of.
pub struct Inputs {
    /// Its number.
    pub edition: i64,
    /// When (ms).
    pub generated_at: i64,
    /// Who asked for it (a name, or `cli`).
    pub generated_by: String,
    /// Its language.
    pub lang: Lang,
    /// The policy in force.
    pub policy: Policy,
    /// Where the policy came from (a file and its SHA-256, or the defaults).
    pub policy_source: String,
    /// The register.
    pub systems: Vec<AiSystem>,
    /// The latest `proofdesk eval` recorded for this version.
    pub evaluation: Option<Evaluation>,
    /// The latest `proofdesk eval --detector` recorded for this version.
    pub detector: Option<Evaluation>,
    /// Oversight over the last [`OVERSIGHT_DAYS`].
    pub oversight: oversight::Report,
    /// Fairness over the last [`FAIRNESS_DAYS`].
    pub fairness: fairness::Report,
    /// The audit chain's state.
    pub audit: Verified,
    /// Register, evaluation, edition and key changes, oldest first.
    pub history: Vec<(i64, String, String, String)>,
}

/// Reads everything for the next edition.
pub async fn gather(db: &Database, policy: &Policy, policy_source: &str, lang: Lang, by: &str) -> Result<Inputs> {
    let c = Compliance::new(db.clone());
    let version = env!("CARGO_PKG_VERSION");
    let now = now_ms();
    let systems = register(&c).await?;
    // One read of the year serves both: oversight looks at its last 90 days.
    let facts = proofdesk_storage::report_facts::read(db, now - FAIRNESS_DAYS * DAY_MS, now + 1, None).await?;
    Ok(Inputs {
        edition: c.next_edition().await?,
        generated_at: now,
        generated_by: by.to_owned(),
        lang,
        policy: policy.clone(),
        policy_source: policy_source.to_owned(),
        systems,
        evaluation: c.latest_evaluation("screen", Some(version)).await?,
        detector: c.latest_evaluation("detector", Some(version)).await?,
        oversight: oversight::report(&oversight_trails(&facts, now - OVERSIGHT_DAYS * DAY_MS, now), &month_of),
        fairness: fairness::monitor(&fairness_outcomes(&facts), &policy.fairness),
        audit: AuditLog::new(db.clone()).verify().await?,
        history: c.change_history().await?,
    })
}

/// Generates, stores and returns a new edition: (number, HTML).
pub async fn generate(db: &Database, policy: &Policy, policy_source: &str, lang: Lang, by_actor: &str, by_name: &str) -> Result<(i64, String)> {
    let inputs = gather(db, policy, policy_source, lang, by_name).await?;
    let html = render(&inputs);
    let sha = crate::index::hex(&Sha256::digest(html.as_bytes()));
    let eval_id = inputs.evaluation.as_ref().map(|e| e.id);
    let edition = Compliance::new(db.clone()).add_edition(by_actor, env!("CARGO_PKG_VERSION"), eval_id, &sha, &html).await?;
    Ok((edition, html))
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        "–".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

fn num(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

fn t(lang: Lang, text: &Text) -> String {
    text.get(lang).to_owned()
}

/// The document's style: print-friendly, no script, nothing from elsewhere.
const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}\
h1{font-size:1.7rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #bbb}h3{font-size:1.05rem}\
table{border-collapse:collapse;margin:.5rem 0;width:100%}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}\
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}.meta{color:#444}.warn{background:#fff3cd;padding:.5rem;border-left:4px solid #b58100}\
.alert{background:#fde2e1;padding:.5rem;border-left:4px solid #b3261e}code{font-size:.9em}\
@media print{body{margin:0;max-width:none;font-size:11pt}h2{break-after:avoid}table{break-inside:avoid}a{color:inherit;text-decoration:none}}";

/// The edition as a standalone HTML document.
pub fn render(i: &Inputs) -> String {
    let lang = i.lang;
    let s = |en: &'static str, nl: &'static str| lang.say(en, nl);
    let title = s("AI Act technical documentation — proofdesk", "Technische documentatie AI-verordening — proofdesk");
    let markup = html! {
        (DOCTYPE)
        html lang=(if lang == Lang::En { "en" } else { "nl" }) {
            head {
                meta charset="utf-8";
                title { (title) " · " (s("edition", "editie")) " " (i.edition) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (title) }
                p.meta {
                    (s("Edition", "Editie")) " " strong data-figure="edition" { (i.edition) } " · "
                    (s("generated", "gemaakt")) " " (format_utc(i.generated_at)) " " (s("by", "door")) " " (i.generated_by) " · "
                    "proofdesk " (env!("CARGO_PKG_VERSION")) " · " (s("policy", "beleid")) ": " (i.policy_source)
                }
                p { (s(
                    "Generated by proofdesk from its own records. Figures are measured, not typed: the evaluation on a labelled corpus, the decisions people recorded, the audit trail. Fixed text (purpose, limits) is marked as such.",
                    "Gemaakt door proofdesk uit de eigen vastleggingen. Cijfers zijn gemeten, niet ingetypt: de evaluatie op een gelabeld corpus, de beslissingen die mensen vastlegden, de audittrail. Vaste tekst (doel, grenzen) is als zodanig aangegeven.")) }
                (purpose(lang))
                (register_section(lang, &i.systems))
                (evaluation_section(lang, i.evaluation.as_ref(), i.detector.as_ref()))
                (policy_section(lang, &i.policy))
                (oversight_section(lang, &i.oversight))
                (fairness_section(lang, &i.fairness))
                (logging_section(lang, &i.audit, &i.policy))
                (notices_section(lang))
                (history_section(lang, &i.history))
            }
        }
    };
    markup.into_string()
}

fn purpose(lang: Lang) -> Markup {
    let s = |en: &'static str, nl: &'static str| lang.say(en, nl);
    html! {
        h2 { "1. " (s("System and intended purpose", "Systeem en beoogd doel")) " " small.meta { (s("(fixed text)", "(vaste tekst)")) } }
        p { (s(
            "proofdesk screens the photos, receipts and screenshots customers send with a claim for signs of AI generation, editing and reuse, checks them against the claim's dates, amounts and place, and routes each claim to clear, review or escalate with the signals behind it. People decide every claim; a machine never turns a customer down.",
            "proofdesk controleert de foto's, bonnen en schermafbeeldingen die klanten bij een claim sturen op tekenen van AI-generatie, bewerking en hergebruik, vergelijkt ze met de data, bedragen en plaats van de claim, en stuurt elke claim naar afhandelen, beoordelen of doorzetten met de signalen erachter. Mensen beslissen over elke claim; een machine wijst een klant nooit af.")) }
        h3 { (s("Limits: what it is not for", "Grenzen: waar het niet voor is")) }
        ul {
            li { (s("Not for deciding a claim, or any consequence for a customer, without a person.", "Niet om zonder mens over een claim, of enig gevolg voor een klant, te beslissen.")) }
            li { (s("Not proof of fraud: a signal is a reason to look. Stripped metadata (usual after messaging apps) is never an accusation.", "Geen bewijs van fraude: een signaal is een reden om te kijken. Verwijderde metadata (gewoon na berichtenapps) is nooit een beschuldiging.")) }
            li { (s("Not for identifying or profiling people, and never routing on who the customer is: channel, language, region and customer history are used only to monitor fairness.", "Niet om mensen te identificeren of te profileren, en nooit routeren op wie de klant is: kanaal, taal, regio en klantgeschiedenis dienen alleen om eerlijkheid te bewaken.")) }
            li { (s("A JPEG re-save erases invisible watermarks; a picture without metadata cannot be dated. The figures below say how well each check does.", "Een JPEG die opnieuw is opgeslagen verliest onzichtbare watermerken; een foto zonder metadata kan niet worden gedateerd. De cijfers hieronder laten zien hoe goed elke controle het doet.")) }
        }
    }
}

fn register_section(lang: Lang, systems: &[AiSystem]) -> Markup {
    let s = |en: &'static str, nl: &'static str| lang.say(en, nl);
    html! {
        h2 { "2. " (s("The register of AI systems", "Het register van AI-systemen")) }
        table {
            thead { tr { th { (s("System", "Systeem")) } th { (s("Risk class", "Risicoklasse")) } th { (s("Reasoning", "Onderbouwing")) } th { (s("Owner", "Eigenaar")) } th { (s("Review", "Herbeoordeling")) } } }
            tbody {
                @for sys in systems {
                    tr {
                        td { strong { (localized(lang, sys, Field::Name)) } br; (localized(lang, sys, Field::Purpose)) }
                        td data-figure={ "register/" (sys.id) "/class" } { (RiskClass::parse(&sys.risk_class).map(|c| t(lang, &c.title())).unwrap_or_else(|| sys.risk_class.clone())) }
                        td { ul { @for r in serde_json::from_str::<Vec<Text>>(&sys.reasoning_json).unwrap_or_default() { li { (t(lang, &r)) } } } }
                        td { @if sys.owner.is_empty() { em { (s("not yet assigned", "nog niet toegewezen")) } } @else { (sys.owner) } }
                        td { (sys.review_due) }
                    }
                }
            }
        }
    }
}

fn evaluation_section(lang: Lang, eval: Option<&Evaluation>, detector: Option<&Evaluation>) -> Markup {
    let s = |en: &'static str, nl: &'static str| lang.say(en, nl);
    let Some(e) = eval else {
        return html! {
            h2 { "3. " (s("Measured performance", "Gemeten prestaties")) }
            p.warn { (s(
                "No evaluation of this version has been recorded. Run `proofdesk eval CORPUS --record` on the deployed version, then generate a new edition.",
                "Er is geen evaluatie van deze versie vastgelegd. Voer `proofdesk eval CORPUS --record` uit op de gebruikte versie en maak daarna een nieuwe editie.")) }
        };
    };
    let doc: Value = serde_json::from_str(&e.document).unwrap_or(Value::Null);
    let groups = doc["groups"].as_array().cloned().unwrap_or_default();
    let sum = |label: &str, f: &dyn Fn(&Value) -> u64| groups.iter().filter(|g| g["label"] == label).map(f).sum::<u64>();
    let ai_files = sum("ai-generated", &|g| num(&g["files"]));
    let ai_found = sum("ai-generated", &|g| num(&g["verdicts"]["ai-generated"]));
    let auth_files = sum("authentic", &|g| num(&g["files"]));
    let auth_alarms = sum("authentic", &|g| num(&g["false_alarms"]));
    html! {
        h2 { "3. " (s("Measured performance", "Gemeten prestaties")) }
        p.meta {
            (s("Evaluation", "Evaluatie")) " " (e.id) " · proofdesk " (e.proofdesk_version) " · " (format_utc(e.recorded_at)) " · "
            (s("corpus manifest", "corpusmanifest")) " sha256 " code { (e.corpus_sha256.get(..16).unwrap_or("")) "…" }
            @if doc["pixels"] == false { " · " (s("metadata checks only (no pixel analysis)", "alleen metadatacontroles (geen pixelanalyse)")) }
        }
        p {
            (s("AI-generated files found", "AI-gegenereerde bestanden gevonden")) ": "
            strong data-figure="summary/ai-detection" { (pct(ai_found, ai_files)) } " (" (ai_found) "/" (ai_files) "); "
            (s("false alarms on authentic files", "vals alarm op echte bestanden")) ": "
            strong data-figure="summary/false-alarm-rate" { (pct(auth_alarms, auth_files)) } " (" (auth_alarms) "/" (auth_files) ")."
        }
        table {
            thead { tr {
                th { (s("Group", "Groep")) } th { (s("Label", "Label")) } th.num { (s("Files", "Bestanden")) }
                th.num { (s("As expected", "Zoals verwacht")) } th.num { (s("False alarms", "Vals alarm")) } th { (s("Verdicts", "Oordelen")) }
            } }
            tbody {
                @for g in &groups {
                    @let key = format!("{}/{}", g["group"].as_str().unwrap_or(""), g["label"].as_str().unwrap_or(""));
                    tr {
                        td { (g["group"].as_str().unwrap_or("")) } td { (g["label"].as_str().unwrap_or("")) }
                        td.num data-figure={ "group/" (key) "/files" } { (num(&g["files"])) }
                        td.num data-figure={ "group/" (key) "/agree" } { (num(&g["agree"])) }
                        td.num data-figure={ "group/" (key) "/false_alarms" } { (num(&g["false_alarms"])) }
                        td { @for (k, v) in g["verdicts"].as_object().into_iter().flatten() { (k) " " (num(v)) "; " } }
                    }
                }
            }
        }
        (failure_modes(lang, &groups))
        (pixel_table(lang, &doc["pixel_forensics"]))
        (reuse_summary(lang, &doc["reuse"]))
        (calibration(lang, detector))
    }
}

/// Known failure modes, from the evaluation: every group where files came out other than expected.
fn failure_modes(lang: Lang, groups: &[Value]) -> Markup {
    let s = |en: &'static str, nl: &'static str| lang.say(en, nl);
    let misses: Vec<&Value> = groups.iter().filter(|g| num(&g["agree"]) < num(&g["files"]) || num(&g["false_alarms"]) > 0).collect();
    html! {
        h3 { (s("Known failure modes (measured)", "Bekende faalwijzen (gemeten)")) }
        @if misses.is_empty() {
            p { (s("Every file of every group came out as expected.", "Elk bestand van elke groep kwam uit zoals verwacht.")) }
        } @else {
            ul { @for g in misses {
                li { (g["group"].as_str().unwrap_or("")) " / " (g["label"].as_str().unwrap_or("")) ": "
                    (num(&g["files"]) - num(&g["agree"]).min(num(&g["files"]))) " " (s("of", "van")) " " (num(&g["files"])) " "
                    (s("not as expected", "niet zoals verwacht")) ", " (num(&g["false_alarms"])) " " (s("false alarms", "vals alarm")) }
            } }
        }
    }
}

fn pixel_table(lang: Lang, p: &Value) -> Markup {
    let s = |en: &'static str, nl: &'static str| lang.say(en, nl);
    let Some(methods) = p["methods"].as_array() else { return html! {} };
    let f3 = |v: &Value| v.as_f64().map_or("–".to_string(), |x| format!("{x:.3}"));
    html! {
        h3 { (s("Pixel forensics (forged files with a mask)", "Pixelforensisch onderzoek (vervalste bestanden met masker)")) }
        table {
            thead { tr { th { (s("Method", "Methode")) } th.num { "AUC" } th.num { (s("Detection rate", "Detectie")) } th.num { (s("False alarms (all authentic)", "Vals alarm (alle echte)")) } } }
            tbody { @for m in methods {
                @let name = m["method"].as_str().unwrap_or("");
                @let overall = m["false_alarm_rate"].as_array().and_then(|a| a.iter().find(|x| x[0] == "all")).map(|x| x[1].clone()).unwrap_or(Value::Null);
                tr { td { (name) }
                    td.num data-figure={ "pixel/" (name) "/auc" } { (f3(&m["auc"])) }
                    td.num data-figure={ "pixel/" (name) "/detection_rate" } { (f3(&m["detection_rate"])) }
                    td.num { (f3(&overall)) } }
            } }
        }
    }
}

fn reuse_summary(lang: Lang, r: &Value) -> Markup {
    let s = |en: &'static str, nl: &'static str| lang.say(en, nl);
    if r.is_null() {
        return html! {};
    }
    html! {
        h3 { (s("Reuse (the same picture in another claim)", "Hergebruik (dezelfde foto in een andere claim)")) }
        p { (s("False matches", "Valse overeenkomsten")) ": " span data-figure="reuse/false_matches" { (num(&r["false_matches"])) } " " (s("of", "van")) " "
            span data-figure="reuse/pairs" { (num(&r["pairs"])) } " " (s("pairs of different pictures.", "paren verschillende foto's.")) }
    }
}

fn calibration(lang: Lang, detector: Option<&Evaluation>) -> Markup {
    let s = |en: &'static str, nl: &'static str| lang.say(en, nl);
    let Some(d) = detector else {
        return html! { h3 { (s("Pixel-level AI detector: calibration", "AI-detector op pixelniveau: kalibratie")) }
            p.warn { (s("Not recorded for this version: run `proofdesk eval CORPUS --detector --record`.", "Niet vastgelegd voor deze versie: voer `proofdesk eval CORPUS --detector --record` uit.")) } };
    };
    let doc: Value = serde_json::from_str(&d.document).unwrap_or(Value::Null);
    let c = &doc["calibration"];
    html! {
        h3 { (s("Pixel-level AI detector: calibration", "AI-detector op pixelniveau: kalibratie")) }
        p { (s("Leave-one-source-out validation; Brier score", "Validatie met één bron steeds buiten de training; Brier-score")) " "
            strong data-figure="detector/brier" { (c["brier"]) } "; " (s("operating threshold", "werkdrempel")) " " span data-figure="detector/threshold" { (doc["threshold"]) } "." }
        table {
            thead { tr { th { (s("Probability", "Kans")) } th.num { (s("Pictures", "Foto's")) } th.num { (s("Mean probability", "Gemiddelde kans")) } th.num { (s("Share AI", "Aandeel AI")) } } }
            tbody { @for (i, b) in c["bins"].as_array().into_iter().flatten().enumerate() {
                tr { td { (b["from"]) "–" (b["to"]) } td.num data-figure={ "detector/bin/" (i) "/pictures" } { (b["pictures"]) }
                     td.num { (b["mean_probability"]) } td.num data-figure={ "detector/bin/" (i) "/share_ai" } { (b["share_ai"]) } }
            } }
        }
    }
}

fn policy_section(lang: Lang, p: &Policy) -> Markup {
    let s = |en: &'static str, nl: &'static str| lang.say(en, nl);
    html! {
        h2 { "4. " (s("The routing policy in force", "Het geldende routeringsbeleid")) }
        p { (s("Review from", "Beoordelen vanaf")) " " strong { (p.review_from) } " " (s("points, escalate from", "punten, doorzetten vanaf")) " " strong { (p.escalate_from) } ". "
            (s("Each suspicious signal adds weight × strength. The policy cannot weigh a customer group: a weight that names one is refused when the policy is read.",
               "Elk verdacht signaal telt gewicht × sterkte op. Het beleid kan geen klantgroep wegen: een gewicht dat er een noemt wordt geweigerd bij het inlezen.")) }
        table {
            thead { tr { th { (s("Category or signal", "Categorie of signaal")) } th.num { (s("Weight", "Gewicht")) } } }
            tbody {
                @for (k, v) in &p.category_weights { tr { td { (k) } td.num { (v) } } }
                @for (k, v) in &p.signal_weights { tr { td { code { (k) } } td.num { (v) } } }
            }
        }
    }
}

fn oversight_section(lang: Lang, r: &oversight::Report) -> Markup {
    let s = |en: &'static str, nl: &'static str| lang.say(en, nl);
    let all = &r.overall;
    let sum = |f: &dyn Fn(&oversight::PeriodRow) -> usize| all.periods.iter().map(f).sum::<usize>() as u64;
    html! {
        h2 { "5. " (s("Human oversight", "Menselijk toezicht")) }
        ul {
            li { (s("Every claim is decided by a person, who writes the reason; approvals above their authority need a second person; nobody decides their own or a related customer's claim.", "Over elke claim beslist een mens, die de reden opschrijft; goedkeuringen boven de eigen bevoegdheid vragen een tweede persoon; niemand beslist over een eigen claim of die van een verwante klant.")) }
            li { (s("Only a fraud analyst or supervisor may reject. Insider-pattern rules flag unusual decision patterns to supervisors.", "Alleen een fraudeanalist of teamleider mag afwijzen. Regels voor fraude van binnenuit melden ongebruikelijke beslispatronen aan teamleiders.")) }
        }
        p { (s("The last 90 days", "De afgelopen 90 dagen")) ": "
            (sum(&|p| p.first_decisions)) " " (s("claims decided first", "claims voor het eerst beslist")) ", "
            (pct(sum(&|p| p.followed), sum(&|p| p.first_decisions))) " " (s("in line with the band", "in lijn met de band")) ", "
            (sum(&|p| p.stricter)) " " (s("overruled as stricter", "strenger dan de band")) ", "
            (sum(&|p| p.lenient)) " " (s("as more lenient", "milder dan de band")) "; "
            (pct(sum(&|p| p.without_evidence), sum(&|p| p.final_decisions))) " " (s("of approvals and rejections made without opening the evidence", "van de goedkeuringen en afwijzingen zonder het bewijs te openen")) "."
        }
    }
}

fn fairness_section(lang: Lang, r: &fairness::Report) -> Markup {
    let s = |en: &'static str, nl: &'static str| lang.say(en, nl);
    html! {
        h2 { "6. " (s("Fairness monitoring", "Bewaking van gelijke behandeling")) }
        p { (s("The last 365 days", "De afgelopen 365 dagen")) ": " (r.claims) " " (s("claims", "claims")) ", " (r.comparisons) " "
            (s("comparisons of a group with all other claims; an alert needs a ratio outside", "vergelijkingen van een groep met alle andere claims; een melding vraagt een verhouding buiten"))
            " " (r.settings.ratio_low) "–" (r.settings.ratio_high) " " (s("and a simultaneous", "en een simultaan")) " " (r.settings.confidence * 100.0) "% "
            (s("interval that excludes 1. Groups under", "interval zonder 1. Groepen onder")) " " (r.settings.min_group) " " (s("claims are not shown.", "claims worden niet getoond.")) }
        @if r.alerts.is_empty() {
            p { (s("No alert.", "Geen melding.")) }
        } @else {
            @for a in &r.alerts {
                p.alert { (lang.say(a.attribute.title().0, a.attribute.title().1)) " = " strong { (a.group) } ": " (lang.say(a.metric.title().0, a.metric.title().1)) " ×" (format!("{:.2}", a.ratio))
                    " (" (fairness::interval(a.low, a.high)) ")" }
            }
        }
    }
}

fn logging_section(lang: Lang, audit: &Verified, p: &Policy) -> Markup {
    let s = |en: &'static str, nl: &'static str| lang.say(en, nl);
    html! {
        h2 { "7. " (s("Logging and retention", "Logging en bewaartermijnen")) }
        p { (s("Every access and decision is in a hash-chained audit trail", "Elke inzage en beslissing staat in een audittrail met hashketen")) ": "
            strong data-figure="audit/entries" { (audit.entries) } " " (s("entries,", "regels,")) " "
            @match &audit.broken {
                None => { (s("chain intact", "keten intact")) }
                Some((seq, what)) => { strong { (s("chain broken at entry", "keten gebroken bij regel")) " " (seq) ": " (what) } }
            }
            @if let Some(n) = audit.pruned_through { "; " (s("entries up to", "regels tot en met")) " " (n) " " (s("pruned by retention", "verwijderd volgens bewaartermijn")) }
            ". " (s("Audit entries are kept", "Auditregels worden bewaard")) " " (p.retention.audit_days) " " (s("days.", "dagen.")) }
        p { (s("Evidence files are deleted", "Bewijsbestanden worden verwijderd")) " " (p.retention.default.evidence_days_after_decision) " "
            (s("days after the decision; the claim is pseudonymised", "dagen na de beslissing; de claim wordt gepseudonimiseerd")) " " (p.retention.default.pseudonymise_after_days) " "
            (s("days after receipt", "dagen na ontvangst")) @if !p.retention.clients.is_empty() { " (" (p.retention.clients.len()) " " (s("clients with their own periods", "opdrachtgevers met eigen termijnen")) ")" } "." }
    }
}

fn notices_section(lang: Lang) -> Markup {
    let s = |en: &'static str, nl: &'static str| lang.say(en, nl);
    html! {
        h2 { "8. " (s("What customers are told", "Wat klanten te lezen krijgen")) }
        table {
            thead { tr { th { (s("Notice", "Tekst")) } th.num { (s("Version", "Versie")) } th { (s("Where", "Waar")) } th { (s("Text", "Tekst")) } } }
            tbody { @for n in &NOTICES {
                tr { td { code { (n.id) } } td.num data-figure={ "notice/" (n.id) "/version" } { (n.version) } td { (lang.say(n.shown.0, n.shown.1)) " · " (s("since", "sinds")) " " (n.since) }
                     td { @for line in n.text(lang, None).lines() { (line) br; } } }
            } }
        }
    }
}

fn history_section(lang: Lang, history: &[(i64, String, String, String)]) -> Markup {
    let s = |en: &'static str, nl: &'static str| lang.say(en, nl);
    html! {
        h2 { "9. " (s("Change history", "Wijzigingsgeschiedenis")) }
        @if history.is_empty() { p { (s("No changes recorded yet.", "Nog geen wijzigingen vastgelegd.")) } }
        @else {
            table {
                thead { tr { th { (s("When", "Wanneer")) } th { (s("Who", "Wie")) } th { (s("What", "Wat")) } } }
                tbody { @for (at, actor, action, detail) in history.iter().rev().take(200) {
                    tr { td { (format_utc(*at)) } td { (actor) } td { code { (action) } " " (detail) } }
                } }
            }
        }
    }
}
