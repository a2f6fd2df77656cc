//! AI generation: declared source types, generator metadata, C2PA, watermarks.

use super::{clip, Evidence};
use crate::format::Format;
use crate::signal::{Category::Ai, Direction::*, Signal, Text};
use crate::watermark::PAYLOADS;

/// IPTC digital source types that mean AI or synthetic content, with strength and wording.
const SOURCE_TYPES: &[(&str, f32, &str, &str)] = &[
    (
        "trainedAlgorithmicMedia",
        0.95,
        "was created by a generative AI model",
        "is gemaakt door een generatief AI-model",
    ),
    (
        "compositeWithTrainedAlgorithmicMedia",
        0.9,
        "contains parts made by a generative AI model",
        "bevat delen die door een generatief AI-model zijn gemaakt",
    ),
    (
        "compositeSynthetic",
        0.85,
        "is a composite that includes synthetic elements",
        "is een samenstelling met synthetische elementen",
    ),
    (
        "algorithmicMedia",
        0.85,
        "was created by software, not captured by a camera",
        "is door software gemaakt, niet met een camera vastgelegd",
    ),
];

/// PNG text keywords that generators write (lowercase).
const GENERATOR_KEYS: &[(&str, &str)] = &[
    ("parameters", "Stable Diffusion WebUI / Forge"),
    ("prompt", "ComfyUI"),
    ("workflow", "ComfyUI"),
    ("invokeai_metadata", "InvokeAI"),
    ("invokeai_graph", "InvokeAI"),
    ("sd-metadata", "InvokeAI"),
    ("dream", "InvokeAI"),
    ("fooocus_scheme", "Fooocus"),
    ("generation_data", "Stable Diffusion tool"),
    ("sui_image_params", "SwarmUI"),
];

/// Generator names found in software fields (matched on word boundaries).
const GENERATOR_NAMES: &[&str] = &[
    "Midjourney",
    "DALL-E",
    "DALL·E",
    "DALLE",
    "Stable Diffusion",
    "stable-diffusion",
    "NovelAI",
    "ComfyUI",
    "AUTOMATIC1111",
    "InvokeAI",
    "Fooocus",
    "Adobe Firefly",
    "Firefly",
    "Imagen",
    "Ideogram",
    "Leonardo.Ai",
    "FLUX",
    "Black Forest Labs",
    "Sora",
    "GPT-4o",
    "ChatGPT",
    "OpenAI",
    "Bing Image Creator",
    "Microsoft Designer",
    "Gemini",
    "Grok",
    "Recraft",
    "Krea",
    "Runway",
    "Kling",
    "Seedream",
    "Qwen-Image",
    "HiDream",
    "NightCafe",
    "Craiyon",
    "DreamStudio",
    "AI generated",
    "AI-generated",
    "Generative Fill",
    "SDXL",
];

pub(super) fn check(e: &Evidence, out: &mut Vec<Signal>) {
    source_type(e, out);
    iptc_ai_fields(e, out);
    generator_text(e, out);
    software_names(e, out);
    credentials(e, out);
    watermark(e, out);
}

fn source_type_of(value: &str) -> Option<&'static (&'static str, f32, &'static str, &'static str)> {
    let last = value
        .trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    SOURCE_TYPES
        .iter()
        .find(|(name, ..)| name.eq_ignore_ascii_case(last))
}

fn source_type(e: &Evidence, out: &mut Vec<Signal>) {
    let best = e
        .metadata
        .xmp_values("DigitalSourceType")
        .filter_map(|p| source_type_of(&p.value).map(|t| (t, p.value.clone())))
        .max_by(|a, b| a.0 .1.total_cmp(&b.0 .1));
    if let Some(((name, strength, en, nl), value)) = best {
        out.push(
            Signal::new(
                "ai.metadata.digital-source-type",
                Ai,
                Suspicious,
                *strength,
                Text::new(
                    format!("The file's own metadata declares that the picture {en} (IPTC source type \"{name}\")."),
                    format!("De eigen metadata van het bestand verklaart dat de afbeelding {nl} (IPTC-brontype \"{name}\")."),
                ),
            )
            .with("digital_source_type", value),
        );
    }
}

fn iptc_ai_fields(e: &Evidence, out: &mut Vec<Signal>) {
    let fields: Vec<(String, String)> = e
        .metadata
        .xmp_all
        .iter()
        .filter(|p| {
            let last = p.path.rsplit('/').next().unwrap_or("");
            last.starts_with("Iptc4xmpExt:AI") || last.starts_with("plus:AI")
        })
        .map(|p| (p.path.clone(), clip(&p.value, 200)))
        .collect();
    if fields.is_empty() {
        return;
    }
    let system = fields
        .iter()
        .find(|(k, _)| k.ends_with("AISystemUsed"))
        .map(|(_, v)| v.clone());
    let name = system.clone().unwrap_or_else(|| "an AI system".into());
    out.push(
        Signal::new(
            "ai.metadata.iptc-ai-fields",
            Ai,
            Suspicious,
            0.9,
            Text::new(
                format!("The file's IPTC metadata says {name} was used to make it."),
                format!(
                    "De IPTC-metadata van het bestand zegt dat {name} is gebruikt om het te maken."
                ),
            ),
        )
        .with(
            "fields",
            serde_json::Value::Object(fields.into_iter().map(|(k, v)| (k, v.into())).collect()),
        ),
    );
}

/// Whether a PNG text chunk looks like generator output and not a stray word.
fn looks_generated(keyword: &str, text: &str) -> bool {
    let t = text.trim_start();
    match keyword {
        "parameters" => {
            t.contains("Steps:")
                || t.contains("Negative prompt:")
                || t.contains("Sampler")
                || t.starts_with('{')
        }
        "prompt" | "workflow" => t.starts_with('{') || t.starts_with('['),
        _ => !t.is_empty(),
    }
}

fn generator_text(e: &Evidence, out: &mut Vec<Signal>) {
    for chunk in &e.extracted.png_text {
        let key = chunk.keyword.to_lowercase();
        let hit = GENERATOR_KEYS
            .iter()
            .find(|(k, _)| *k == key)
            .filter(|_| looks_generated(&key, &chunk.text));
        let midjourney = key == "description"
            && (chunk.text.contains("Job ID:")
                || chunk.text.contains(" --v ")
                || chunk.text.contains(" --ar "));
        let (tool, found) = match (hit, midjourney) {
            (Some((_, tool)), _) => (*tool, true),
            (None, true) => ("Midjourney", true),
            _ => ("", false),
        };
        if found {
            let (en, nl) = (
                format!("its \"{}\" text", chunk.keyword),
                format!("de tekst \"{}\"", chunk.keyword),
            );
            out.push(
                generator_signal(tool, &en, &nl, &chunk.text)
                    .with("keyword", chunk.keyword.clone()),
            );
            return;
        }
    }
    // The same settings written into EXIF text fields (WebP, JPEG from ComfyUI or WebUI).
    let Some(x) = &e.metadata.exif else { return };
    for (field, value) in [
        ("Make", &x.make),
        ("Model", &x.model),
        ("ImageDescription", &x.image_description),
        ("UserComment", &x.user_comment),
    ] {
        let Some(v) = value else { continue };
        let t = v.trim_start();
        let comfy = (t.starts_with("workflow:") || t.starts_with("prompt:")) && t.contains('{');
        let webui = t.contains("Steps:")
            && (t.contains("Sampler:") || t.contains("CFG scale:") || t.contains("Seed:"));
        if comfy || webui {
            let tool = if comfy {
                "ComfyUI"
            } else {
                "Stable Diffusion WebUI"
            };
            let (en, nl) = (
                format!("its EXIF {field} field"),
                format!("het EXIF-veld {field}"),
            );
            out.push(generator_signal(tool, &en, &nl, v).with("field", field));
            return;
        }
    }
}

/// The signal for a generator's prompt and settings found in `place`.
fn generator_signal(tool: &str, place_en: &str, place_nl: &str, text: &str) -> Signal {
    Signal::new(
        "ai.metadata.generator-parameters",
        Ai,
        Suspicious,
        0.95,
        Text::new(
            format!("The file holds the prompt and settings of an AI image generator ({tool}) in {place_en}."),
            format!("Het bestand bevat de prompt en instellingen van een AI-beeldgenerator ({tool}) in {place_nl}."),
        ),
    )
    .with("generator", tool)
    .with("excerpt", clip(text, 200))
}

/// Case-insensitive match of `name` in `hay` on word boundaries.
pub(super) fn has_word(hay: &str, name: &str) -> bool {
    let h = hay.to_lowercase();
    let n = name.to_lowercase();
    let mut start = 0;
    while let Some(i) = h[start..].find(&n) {
        let at = start + i;
        let before = h[..at].chars().next_back();
        let after = h[at + n.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if boundary(before) && boundary(after) {
            return true;
        }
        start = at + n.len();
    }
    false
}

/// Every software-like field, named.
pub(super) fn software_fields(e: &Evidence) -> Vec<(String, String)> {
    let m = e.metadata;
    let mut v = Vec::new();
    if let Some(x) = &m.exif {
        for (k, val) in [
            ("EXIF Software", &x.software),
            ("EXIF Make", &x.make),
            ("EXIF Model", &x.model),
            ("EXIF HostComputer", &x.host_computer),
        ] {
            if let Some(s) = val {
                v.push((k.to_owned(), s.clone()));
            }
        }
    }
    for p in &m.xmp_all {
        let last = p.path.rsplit('/').next().unwrap_or("");
        if matches!(
            last,
            "xmp:CreatorTool" | "stEvt:softwareAgent" | "tiff:Software" | "tiff:Make"
        ) {
            v.push((format!("XMP {}", last), p.value.clone()));
        }
    }
    for (k, val) in &m.iptc {
        if k == "OriginatingProgram" {
            v.push(("IPTC OriginatingProgram".into(), val.clone()));
        }
    }
    for t in &e.extracted.png_text {
        if t.keyword.eq_ignore_ascii_case("Software") || t.keyword.eq_ignore_ascii_case("Source") {
            v.push((format!("PNG {}", t.keyword), t.text.clone()));
        }
    }
    v
}

fn software_names(e: &Evidence, out: &mut Vec<Signal>) {
    for (field, value) in software_fields(e) {
        if let Some(name) = GENERATOR_NAMES.iter().find(|n| has_word(&value, n)) {
            out.push(
                Signal::new(
                    "ai.metadata.generator-software",
                    Ai,
                    Suspicious,
                    0.9,
                    Text::new(
                        format!(
                            "The file's {field} names an AI image generator: \"{}\".",
                            clip(&value, 80)
                        ),
                        format!(
                            "Het veld {field} van het bestand noemt een AI-beeldgenerator: \"{}\".",
                            clip(&value, 80)
                        ),
                    ),
                )
                .with("field", field)
                .with("value", clip(&value, 200))
                .with("generator", *name),
            );
            return;
        }
    }
}

fn credentials(e: &Evidence, out: &mut Vec<Signal>) {
    let Ok(Some(c)) = e.credentials else { return };
    let best = c
        .digital_source_types
        .iter()
        .filter_map(|d| source_type_of(d).map(|t| (t, d)))
        .max_by(|a, b| a.0 .1.total_cmp(&b.0 .1));
    let Some(((name, strength, en, nl), value)) = best else {
        ingredient_ai(c, out);
        return;
    };
    let tool = c
        .claim_generator
        .as_deref()
        .map(|s| clip(s, 60))
        .unwrap_or_else(|| "an unnamed tool".into());
    out.push(
        Signal::new(
            "ai.c2pa.declared",
            Ai,
            Suspicious,
            (strength + 0.03).min(0.99),
            Text::new(
                format!("The Content Credentials, made with {tool}, declare that the picture {en} (\"{name}\")."),
                format!("De inhoudsreferenties, gemaakt met {tool}, verklaren dat de afbeelding {nl} (\"{name}\")."),
            ),
        )
        .with("digital_source_type", value.clone())
        .with("claim_generator", c.claim_generator.clone())
        .with("credentials_state", serde_json::to_value(c.state).unwrap_or_default()),
    );
}

/// An ingredient's own credentials declare AI: the picture was made from AI material.
fn ingredient_ai(c: &crate::credentials::Credentials, out: &mut Vec<Signal>) {
    let Some(((name, ..), value)) = c
        .ingredient_digital_source_types
        .iter()
        .filter_map(|d| source_type_of(d).map(|t| (t, d)))
        .next()
    else {
        return;
    };
    out.push(
        Signal::new(
            "ai.c2pa.ingredient-declared",
            Ai,
            Suspicious,
            0.85,
            Text::new(
                format!("The Content Credentials show this picture was made from material that its own credentials declare AI-generated (\"{name}\")."),
                format!("De inhoudsreferenties tonen dat deze afbeelding is gemaakt van materiaal dat volgens de eigen referenties door AI is gegenereerd (\"{name}\")."),
            ),
        )
        .with("digital_source_type", value.clone()),
    );
}

/// The neutral signal for a watermark test that JPEG compression made inconclusive.
fn inconclusive(en: String, nl: String) -> Signal {
    Signal::new(
        "ai.watermark.inconclusive",
        Ai,
        Neutral,
        0.0,
        Text::new(en, nl),
    )
}

fn watermark(e: &Evidence, out: &mut Vec<Signal>) {
    if let Some(q) = e.watermark_skipped_quality {
        out.push(
            inconclusive(
                format!("Not tested for invisible AI watermarks: this JPEG was saved at about quality {q}, which erases them, so the test would be inconclusive."),
                format!("Niet getest op onzichtbare AI-watermerken: deze JPEG is opgeslagen op ongeveer kwaliteit {q}, wat ze wist, dus de test zou niets zeggen."),
            )
            .with("jpeg_quality", q)
            .with("tested", false),
        );
        return;
    }
    let Some(w) = e.watermark else { return };
    let decodings = serde_json::to_value(&w.decodings).unwrap_or_default();
    if let Some(d) = &w.found {
        let gen = PAYLOADS
            .iter()
            .find(|p| p.id == d.payload)
            .map(|p| p.generator)
            .unwrap_or("Stable Diffusion");
        out.push(
            Signal::new(
                "ai.watermark.stable-diffusion",
                Ai,
                Suspicious,
                0.97,
                Text::new(
                    format!("An invisible {gen} watermark was found in the pixels ({} of {} bits differ; chance of this on an unmarked image below one in 100,000).", d.bit_errors, d.bits),
                    format!("In de pixels is een onzichtbaar watermerk van {gen} gevonden ({} van {} bits wijken af; kans hierop bij een afbeelding zonder watermerk kleiner dan één op 100.000).", d.bit_errors, d.bits),
                ),
            )
            .with("payload", d.payload)
            .with("channel_order", d.order)
            .with("bit_error_rate", d.bit_error_rate)
            .with("p_value", d.p_value)
            .with("decodings", decodings),
        );
    } else if e.format == Format::Jpeg {
        out.push(
            inconclusive(
                "No invisible AI watermark was found, but this is a JPEG: saving as JPEG usually erases these marks, so the test is inconclusive.".into(),
                "Er is geen onzichtbaar AI-watermerk gevonden, maar dit is een JPEG: opslaan als JPEG wist deze merktekens meestal, dus de test is niet doorslaggevend.".into(),
            )
            .with("decodings", decodings),
        );
    } else {
        out.push(
            Signal::new(
                "ai.watermark.none",
                Ai,
                Neutral,
                0.0,
                Text::new(
                    "No known invisible AI watermark was found. Many generators add none, so this does not show the picture is real.",
                    "Er is geen bekend onzichtbaar AI-watermerk gevonden. Veel generatoren voegen er geen toe, dus dit bewijst niet dat de afbeelding echt is.",
                ),
            )
            .with("decodings", decodings),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_boundaries() {
        assert!(has_word("Made with FLUX.1 [dev]", "FLUX"));
        assert!(!has_word("Influx camera", "FLUX"));
        assert!(has_word("AI generated;flux-dev", "AI generated"));
    }

    #[test]
    fn source_type_forms() {
        assert!(source_type_of(
            "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
        )
        .is_some());
        assert!(source_type_of("compositeWithTrainedAlgorithmicMedia").is_some());
        assert!(
            source_type_of("http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture")
                .is_none()
        );
    }
}
