//! Content Credentials (C2PA) through the official SDK, offline.
//!
//! No OCSP requests and no remote manifests are fetched: the SDK is built
//! without HTTP features and told not to try. Trust is checked against the
//! SDK's trust settings (none configured by default), so a correctly signed
//! manifest from a signer on no trust list reads as `valid`, not `trusted`.

use serde::Serialize;
use std::io::Cursor;
use std::sync::{Arc, OnceLock};

/// The overall result of validating a file's Content Credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CredentialState {
    /// Signature and bindings check out and the signer is on a configured trust list.
    Trusted,
    /// Signature and bindings check out; the signer is on no configured trust list.
    Valid,
    /// A check failed: see [`Credentials::failing_check`].
    Invalid,
}

/// One action recorded in the manifest (`c2pa.created`, `c2pa.edited`, ...).
#[derive(Debug, Clone, Serialize)]
pub struct Action {
    /// Action label.
    pub action: String,
    /// Software that performed it.
    pub software_agent: Option<String>,
    /// IPTC digital source type, when the action declares one.
    pub digital_source_type: Option<String>,
}

/// One ingredient (an earlier file this one was made from).
#[derive(Debug, Clone, Serialize)]
pub struct IngredientSummary {
    /// Ingredient title (usually its file name).
    pub title: Option<String>,
    /// `parentOf`, `componentOf` or `inputTo`.
    pub relationship: String,
    /// Whether the ingredient carried credentials of its own.
    pub has_manifest: bool,
}

/// One failed validation check.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// C2PA status code, e.g. `assertion.dataHash.mismatch`.
    pub code: String,
    /// The SDK's explanation.
    pub explanation: Option<String>,
    /// The part of the manifest it concerns.
    pub url: Option<String>,
}

/// What the Content Credentials of a file say.
#[derive(Debug, Clone, Serialize)]
pub struct Credentials {
    /// Overall validation result.
    pub state: CredentialState,
    /// The check that failed, in plain words, for invalid credentials.
    pub failing_check: Option<String>,
    /// Every failed check.
    pub failures: Vec<Failure>,
    /// Whether the signer is on no configured trust list.
    pub untrusted_signer: bool,
    /// The tool that made the claim.
    pub claim_generator: Option<String>,
    /// The manifest's title.
    pub title: Option<String>,
    /// Certificate issuer of the signer.
    pub signer_issuer: Option<String>,
    /// Certificate common name of the signer.
    pub signer_name: Option<String>,
    /// Signing time.
    pub signed_at: Option<String>,
    /// Actions in the active manifest.
    pub actions: Vec<Action>,
    /// Digital source types declared anywhere in the active manifest.
    pub digital_source_types: Vec<String>,
    /// Digital source types declared in the manifests of ingredients.
    pub ingredient_digital_source_types: Vec<String>,
    /// The capturing device named in signed EXIF (`stds.exif`), e.g. "Google Pixel 5".
    pub capture_device: Option<String>,
    /// Whether the credentials say a camera captured this picture (a capture source
    /// type, or signed camera EXIF with no ingredients).
    pub camera_capture: bool,
    /// Ingredients of the active manifest.
    pub ingredients: Vec<IngredientSummary>,
    /// Number of manifests in the store.
    pub manifests: usize,
}

fn context() -> Option<&'static Arc<c2pa::Context>> {
    static CTX: OnceLock<Option<Arc<c2pa::Context>>> = OnceLock::new();
    CTX.get_or_init(|| {
        let settings = r#"{"verify": {"ocsp_fetch": false, "remote_manifest_fetch": false, "verify_trust": true}}"#;
        c2pa::Context::new().with_settings(settings).ok().map(|c| c.into_shared())
    })
    .as_ref()
}

/// Reads and validates the Content Credentials in `bytes`.
///
/// Returns `Ok(None)` when the file has none, `Err` with a plain message when
/// the SDK could not read a store that is present.
pub fn read(bytes: &[u8], mime: &str) -> Result<Option<Credentials>, String> {
    let ctx = context().ok_or("the C2PA SDK could not be configured")?;
    let reader = match c2pa::Reader::from_shared_context(ctx).with_stream(mime, Cursor::new(bytes))
    {
        Ok(r) => r,
        Err(c2pa::Error::JumbfNotFound) | Err(c2pa::Error::ProvenanceMissing) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let mut failures: Vec<Failure> = Vec::new();
    if let Some(results) = reader.validation_results() {
        let mut codes: Vec<&c2pa::validation_status::ValidationStatus> = Vec::new();
        if let Some(active) = results.active_manifest() {
            codes.extend(active.failure());
        }
        for delta in results.ingredient_deltas().into_iter().flatten() {
            codes.extend(delta.validation_deltas().failure());
        }
        failures.extend(codes.into_iter().map(failure));
    } else if let Some(status) = reader.validation_status() {
        failures.extend(status.iter().filter(|s| !s.passed()).map(failure));
    }
    let untrusted_signer = failures
        .iter()
        .any(|f| f.code == "signingCredential.untrusted");
    failures.retain(|f| f.code != "signingCredential.untrusted");
    let state = match reader.validation_state() {
        c2pa::ValidationState::Invalid => CredentialState::Invalid,
        _ if !failures.is_empty() => CredentialState::Invalid,
        c2pa::ValidationState::Trusted => CredentialState::Trusted,
        c2pa::ValidationState::Valid => CredentialState::Valid,
    };
    // The most telling failure names the check: a missing claim or changed pixels
    // explain the rest, which often follow from them.
    let failing_check = failures
        .iter()
        .map(|f| plain_check(&f.code))
        .min_by_key(|c| check_rank(c))
        .map(str::to_owned);
    let manifest = reader.active_manifest();
    let mut creds = Credentials {
        state,
        failing_check,
        failures,
        untrusted_signer,
        claim_generator: manifest
            .and_then(|m| m.claim_generator())
            .map(str::to_owned),
        title: manifest.and_then(|m| m.title()).map(str::to_owned),
        signer_issuer: manifest
            .and_then(|m| m.signature_info())
            .and_then(|s| s.issuer.clone()),
        signer_name: manifest
            .and_then(|m| m.signature_info())
            .and_then(|s| s.common_name.clone()),
        signed_at: manifest
            .and_then(|m| m.signature_info())
            .and_then(|s| s.time.clone()),
        actions: Vec::new(),
        digital_source_types: Vec::new(),
        ingredient_digital_source_types: Vec::new(),
        capture_device: None,
        camera_capture: false,
        ingredients: Vec::new(),
        manifests: reader.manifests().len(),
    };
    if let Some(m) = manifest {
        if creds.claim_generator.is_none() {
            creds.claim_generator =
                m.claim_generator_info
                    .as_ref()
                    .and_then(|v| v.first())
                    .map(|g| match &g.version {
                        Some(v) => format!("{} {v}", g.name),
                        None => g.name.clone(),
                    });
        }
        for a in m.assertions() {
            if let Ok(value) = a.value() {
                collect_assertion(a.label(), value, &mut creds);
            }
        }
        for i in m.ingredients() {
            creds.ingredients.push(IngredientSummary {
                title: i.title().map(str::to_owned),
                relationship: format!("{:?}", i.relationship()),
                has_manifest: i.active_manifest().is_some(),
            });
        }
    }
    let active = reader.active_label().map(str::to_owned);
    for m in reader
        .iter_manifests()
        .filter(|m| m.label().map(str::to_owned) != active)
    {
        let mut inner = Vec::new();
        for a in m.assertions() {
            if let (true, Ok(v)) = (a.label().starts_with("c2pa.actions"), a.value()) {
                for act in v
                    .get("actions")
                    .and_then(|x| x.as_array())
                    .into_iter()
                    .flatten()
                {
                    if let Some(d) = act.get("digitalSourceType").and_then(|d| d.as_str()) {
                        inner.push(d.to_owned());
                    }
                }
            }
        }
        creds.ingredient_digital_source_types.extend(inner);
    }
    creds.digital_source_types.sort();
    creds.digital_source_types.dedup();
    creds.ingredient_digital_source_types.sort();
    creds.ingredient_digital_source_types.dedup();
    let capture_type = creds
        .digital_source_types
        .iter()
        .any(|d| d.ends_with("/digitalCapture") || d.ends_with("/computationalCapture"));
    creds.camera_capture =
        capture_type || (creds.capture_device.is_some() && creds.ingredients.is_empty());
    Ok(Some(creds))
}

fn failure(s: &c2pa::validation_status::ValidationStatus) -> Failure {
    Failure {
        code: s.code().to_owned(),
        explanation: s.explanation().map(str::to_owned),
        url: s.url().map(str::to_owned),
    }
}

fn collect_assertion(label: &str, value: &serde_json::Value, creds: &mut Credentials) {
    if label.starts_with("c2pa.actions") {
        for a in value
            .get("actions")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            let get = |k: &str| a.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            let agent = a.get("softwareAgent").and_then(|v| match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Object(o) => {
                    o.get("name").and_then(|n| n.as_str()).map(str::to_owned)
                }
                _ => None,
            });
            let dst = get("digitalSourceType");
            if let Some(d) = &dst {
                creds.digital_source_types.push(d.clone());
            }
            creds.actions.push(Action {
                action: get("action").unwrap_or_default(),
                software_agent: agent,
                digital_source_type: dst,
            });
        }
    } else if label.starts_with("stds.exif") || label.starts_with("c2pa.metadata") {
        let get = |k: &str| {
            value
                .get(k)
                .and_then(|v| v.as_str())
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        let (make, model) = (
            get("EXIF:Make").or(get("tiff:Make")),
            get("EXIF:Model").or(get("tiff:Model")),
        );
        let device = match (make, model) {
            (Some(a), Some(b)) if b.starts_with(&a) => Some(b),
            (Some(a), Some(b)) => Some(format!("{a} {b}")),
            (a, b) => a.or(b),
        };
        if device.is_some() {
            creds.capture_device = device;
        }
    } else if let Some(d) = value.get("digitalSourceType").and_then(|v| v.as_str()) {
        creds.digital_source_types.push(d.to_owned());
    }
}

/// Order in which failed checks explain a failure (lower first).
fn check_rank(check: &str) -> u8 {
    match check {
        "claim missing" => 0,
        "hard-binding hash" => 1,
        "signature" => 2,
        "assertion tampered" => 3,
        "signing certificate" => 4,
        "time stamp" => 5,
        _ => 6,
    }
}

/// Names the failed check in words an analyst understands.
pub fn plain_check(code: &str) -> &'static str {
    match code {
        c if c.starts_with("claimSignature") => "signature",
        c if c.starts_with("signingCredential") => "signing certificate",
        c if c.starts_with("timeStamp") => "time stamp",
        c if c.contains("dataHash")
            || c.contains("bmffHash")
            || c.contains("boxesHash")
            || c.contains("collectionHash") =>
        {
            "hard-binding hash"
        }
        c if c.starts_with("assertion.hashedURI") || c.starts_with("assertion.missing") => {
            "assertion tampered"
        }
        c if c.starts_with("claim.missing")
            || c.starts_with("manifest.missing")
            || c == "ingredient.manifest.missing" =>
        {
            "claim missing"
        }
        c if c.starts_with("ingredient") => "ingredient",
        c if c.starts_with("assertion") => "assertion",
        c if c.starts_with("claim") => "claim",
        _ => "other",
    }
}
