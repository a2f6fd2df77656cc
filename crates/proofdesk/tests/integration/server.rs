//! A `proofdesk serve` process on loopback, driven over real HTTP, and what its tests
//! share: multipart bodies, JPEG pictures, a PostgreSQL schema of their own.

use image::RgbImage;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server, stopped when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    /// An API key with both scopes.
    pub key: String,
}

/// Makes an API key with `proofdesk api-key create`.
pub fn create_key(data: &Path, extra: &[&str], scope: &str) -> String {
    let db: Vec<&str> = extra
        .windows(2)
        .find(|w| w[0] == "--database-url")
        .map(|w| w.to_vec())
        .unwrap_or_default();
    let out = Command::new(env!("CARGO_BIN_EXE_proofdesk"))
        .args(&db)
        .args(["api-key", "create", "--name", "tests", "--scope", scope])
        .env("PROOFDESK_DATA_DIR", data)
        .env_remove("PROOFDESK_DATABASE_URL")
        .output()
        .expect("api-key create runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

impl Server {
    pub fn start(data: &Path, extra: &[&str]) -> Server {
        Server::start_with_env(data, extra, &[])
    }

    pub fn start_with_env(data: &Path, extra: &[&str], envs: &[(&str, &str)]) -> Server {
        Server::spawn(data, extra, envs, Stdio::null())
    }

    /// A server whose log (standard error) goes to `log`.
    pub fn start_logging_to(data: &Path, extra: &[&str], log: &Path) -> Server {
        Server::spawn(data, extra, &[], Stdio::from(std::fs::File::create(log).unwrap()))
    }

    fn spawn(data: &Path, extra: &[&str], envs: &[(&str, &str)], stderr: Stdio) -> Server {
        let key = create_key(data, extra, "claims:write,claims:read");
        let mut child = Command::new(env!("CARGO_BIN_EXE_proofdesk"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .envs(envs.iter().copied())
            .env("PROOFDESK_DATA_DIR", data)
            .env_remove("PROOFDESK_DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Server {
            child,
            base: format!("http://{addr}"),
            key,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `(status, body as JSON)` of a JSON POST to `path` with the API key or token `token`.
    pub fn post_json(&self, token: &str, path: &str, body: &str) -> (u16, Value) {
        let req = ureq::post(&self.url(path))
            .set("Authorization", &format!("Bearer {token}"))
            .set("Content-Type", "application/json");
        let (status, _, doc) = reply(req.send_string(body));
        (status, doc)
    }

    /// `(status, headers' Location, body as JSON)` of a request.
    pub fn call(
        &self,
        req: ureq::Request,
        body: Option<(&str, &[u8])>,
    ) -> (u16, Option<String>, Value) {
        let req = req.set("Authorization", &format!("Bearer {}", self.key));
        Server::send(req, body)
    }

    /// A request with whatever authorisation `req` carries.
    pub fn send(req: ureq::Request, body: Option<(&str, &[u8])>) -> (u16, Option<String>, Value) {
        let (status, headers, body) = reply(match body {
            Some((content_type, bytes)) => req.set("Content-Type", content_type).send_bytes(bytes),
            None => req.call(),
        });
        (status, headers("location"), body)
    }

    /// Submits a claim; `key` is the Idempotency-Key.
    pub fn submit(
        &self,
        claim: &str,
        files: &[(&str, &[u8])],
        key: Option<&str>,
    ) -> (u16, Option<String>, Value) {
        let (content_type, body) = multipart(claim, files);
        let mut req = ureq::post(&self.url("/v1/claims"));
        if let Some(k) = key {
            req = req.set("Idempotency-Key", k);
        }
        self.call(req, Some((&content_type, &body)))
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        let (s, _, v) = self.call(ureq::get(&self.url(path)), None);
        (s, v)
    }

    /// Polls a claim until it is screened (or failed), at most a minute.
    pub fn screened(&self, id: &str) -> Value {
        let started = Instant::now();
        loop {
            let (_, doc) = self.get(&format!("/v1/claims/{id}"));
            if doc["status"] == "screened" || doc["status"] == "failed" {
                return doc;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "not screened: {doc}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status, a header reader and the body (as JSON when it is) of a response,
/// error statuses included; a request that got no response fails the test.
pub fn reply(
    result: Result<ureq::Response, ureq::Error>,
) -> (u16, impl Fn(&str) -> Option<String>, Value) {
    let resp = match result {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("request failed: {e}"),
    };
    let status = resp.status();
    let headers: Vec<(String, String)> = resp
        .headers_names()
        .into_iter()
        .filter_map(|n| resp.header(&n).map(|v| (n.to_lowercase(), v.to_owned())))
        .collect();
    let text = resp.into_string().unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    let header = move |name: &str| {
        headers
            .iter()
            .find(|(n, _)| *n == name.to_lowercase())
            .map(|(_, v)| v.clone())
    };
    (status, header, body)
}

/// A multipart/form-data body with a `claim` JSON part and `evidence` files.
pub fn multipart(claim: &str, files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "proofdesk-test-boundary-7d1f";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"claim\"\r\nContent-Type: application/json\r\n\r\n{claim}\r\n").as_bytes(),
    );
    for (name, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A JPEG at quality 90.
pub fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(img)
        .unwrap();
    out
}

/// A PostgreSQL schema of its own for one test, dropped afterwards, so earlier runs'
/// claims and pictures do not interfere.
pub struct PgSchema {
    admin_url: String,
    name: String,
    /// A database URL whose connections work in this schema.
    pub url: String,
}

impl PgSchema {
    /// A new schema on the server `PROOFDESK_TEST_POSTGRES` names, or `None` (with a
    /// message) when it is not set.
    pub fn create(purpose: &str) -> Option<PgSchema> {
        let Ok(admin_url) = std::env::var("PROOFDESK_TEST_POSTGRES") else {
            eprintln!("skipped: set PROOFDESK_TEST_POSTGRES to run {purpose} on PostgreSQL");
            return None;
        };
        let name = format!(
            "proofdesk_service_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options=-c%20search_path%3D{name}");
        let schema = PgSchema {
            admin_url,
            name,
            url,
        };
        schema.execute(&format!("CREATE SCHEMA {}", schema.name));
        Some(schema)
    }

    /// `url` with its host and port replaced by `addr` (e.g. a proxy's).
    pub fn url_via(&self, addr: &str) -> String {
        let (scheme, rest) = self.url.split_once("://").expect("a URL");
        let (authority, path) = rest.split_once('/').expect("a database path");
        let host_start = authority.rfind('@').map(|i| i + 1).unwrap_or(0);
        format!("{scheme}://{}{addr}/{path}", &authority[..host_start])
    }

    /// The host and port of the server.
    pub fn server_addr(&self) -> String {
        let rest = self.admin_url.split_once("://").expect("a URL").1;
        let authority = rest.split('/').next().unwrap_or(rest);
        let hostport = authority.rsplit('@').next().unwrap_or(authority);
        if hostport.contains(':') {
            hostport.to_owned()
        } else {
            format!("{hostport}:5432")
        }
    }

    fn execute(&self, sql: &str) {
        let url = self.admin_url.clone();
        let sql = sql.to_owned();
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(&url).await.expect("PostgreSQL");
                sqlx::query(&sql).execute(&mut c).await.expect("schema");
            })
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        self.execute(&format!("DROP SCHEMA {} CASCADE", self.name));
    }
}
