//! A small W3C WebDriver client: Debian's `chromedriver` driving headless `chromium`
//! over HTTP, enough for the workspace's browser tests (find, type, click, keys,
//! scripts, screenshots). `PROOFDESK_TEST_BROWSER=1` makes a missing browser a
//! failure instead of a skip (CI sets it after installing both).

use base64::Engine;
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key WebDriver's element references are stored under.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A browser session, closed (and its driver stopped) when dropped.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

/// Keys as WebDriver names them.
pub const TAB: &str = "\u{E004}";
/// Enter.
pub const ENTER: &str = "\u{E007}";
/// Space.
pub const SPACE: &str = " ";

impl Browser {
    /// Starts chromedriver and a headless Chromium, or `None` with a message when
    /// they are not installed and not required.
    pub fn start() -> Option<Browser> {
        let required = std::env::var("PROOFDESK_TEST_BROWSER").is_ok_and(|v| v == "1");
        let chromium = std::env::var("PROOFDESK_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let driver_bin = std::env::var("PROOFDESK_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        if !Path::new(&chromium).is_file() || !Path::new(&driver_bin).is_file() {
            assert!(!required, "PROOFDESK_TEST_BROWSER=1 but {chromium} or {driver_bin} is missing");
            eprintln!("skipped: no {chromium} and {driver_bin} (apt-get install chromium chromium-driver; .ci/run does)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while ureq::get(&format!("{base}/status")).call().is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         "--window-size=1280,1600", "--lang=nl-NL",
                         format!("--user-data-dir={}", profile.path().display())],
            }
        }}});
        let mut b = Browser { driver, base, session: String::new(), _profile: profile };
        let created = b.call("POST", "/session", Some(caps));
        b.session = created["sessionId"].as_str().expect("a session id").to_owned();
        Some(b)
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let req = ureq::request(method, &url).timeout(Duration::from_secs(120));
        let result = match body {
            Some(b) => req.set("Content-Type", "application/json").send_string(&b.to_string()),
            None if method == "POST" => req.set("Content-Type", "application/json").send_string("{}"),
            None => req.call(),
        };
        let text = match result {
            Ok(r) => r.into_string().unwrap_or_default(),
            Err(ureq::Error::Status(code, r)) => {
                panic!("WebDriver {method} {path}: {code} {}", r.into_string().unwrap_or_default())
            }
            Err(e) => panic!("WebDriver {method} {path}: {e}"),
        };
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        v.get("value").cloned().unwrap_or(Value::Null)
    }

    fn s(&self, path: &str) -> String {
        format!("/session/{}{path}", self.session)
    }

    /// Opens a URL and waits for the page to load.
    pub fn goto(&self, url: &str) {
        self.call("POST", &self.s("/url"), Some(json!({"url": url})));
    }

    /// The page's address.
    pub fn url(&self) -> String {
        self.call("GET", &self.s("/url"), None).as_str().unwrap_or("").to_owned()
    }

    /// Waits up to `secs` until the page's address contains `part`.
    pub fn wait_for_url(&self, part: &str, secs: u64) -> String {
        let started = Instant::now();
        loop {
            let url = self.url();
            if url.contains(part) {
                return url;
            }
            assert!(started.elapsed() < Duration::from_secs(secs), "still on {url}, waiting for {part}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Elements matching a CSS selector, now.
    pub fn all(&self, css: &str) -> Vec<String> {
        let v = self.call("POST", &self.s("/elements"), Some(json!({"using": "css selector", "value": css})));
        v.as_array()
            .map(|a| a.iter().filter_map(|e| e[ELEMENT].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }

    /// The first element matching `css`, waiting up to `secs` for it.
    pub fn find_within(&self, css: &str, secs: u64) -> String {
        let started = Instant::now();
        loop {
            if let Some(e) = self.all(css).into_iter().next() {
                return e;
            }
            assert!(started.elapsed() < Duration::from_secs(secs), "no element {css} on {}", self.url());
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The first element matching `css` (waiting up to 10 s).
    pub fn find(&self, css: &str) -> String {
        self.find_within(css, 10)
    }

    /// Types into an element (for a file input: the file's path).
    pub fn type_into(&self, element: &str, text: &str) {
        self.call("POST", &self.s(&format!("/element/{element}/value")), Some(json!({"text": text})));
    }

    /// Clicks an element.
    pub fn click(&self, element: &str) {
        self.call("POST", &self.s(&format!("/element/{element}/click")), None);
    }

    /// An element's visible text.
    pub fn text(&self, element: &str) -> String {
        self.call("GET", &self.s(&format!("/element/{element}/text")), None).as_str().unwrap_or("").to_owned()
    }

    /// Whether a form control is enabled.
    pub fn enabled(&self, element: &str) -> bool {
        self.call("GET", &self.s(&format!("/element/{element}/enabled")), None).as_bool().unwrap_or(false)
    }

    /// Presses keys, one after another, on whatever has the focus.
    pub fn keys(&self, keys: &[&str]) {
        let mut actions = Vec::new();
        for k in keys {
            for c in k.chars() {
                actions.push(json!({"type": "keyDown", "value": c.to_string()}));
                actions.push(json!({"type": "keyUp", "value": c.to_string()}));
            }
        }
        self.call("POST", &self.s("/actions"), Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})));
    }

    /// Runs a script (`return …`) in the page.
    pub fn script(&self, js: &str) -> Value {
        self.call("POST", &self.s("/execute/sync"), Some(json!({"script": js, "args": []})))
    }

    /// Runs an asynchronous script; it calls `arguments[arguments.length - 1](value)`.
    pub fn script_async(&self, js: &str) -> Value {
        self.call("POST", &self.s("/execute/async"), Some(json!({"script": js, "args": []})))
    }

    /// Waits up to `secs` until the script returns true.
    pub fn wait_until(&self, js: &str, secs: u64) -> bool {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(secs) {
            if self.script(js) == Value::Bool(true) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        false
    }

    /// Saves a PNG of the window.
    pub fn screenshot(&self, path: &Path) {
        let b64 = self.call("GET", &self.s("/screenshot"), None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or(""))
            .expect("a base64 screenshot");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, png).unwrap();
    }

    /// Sets the window's size (a taller window takes a longer screenshot).
    pub fn resize(&self, width: u32, height: u32) {
        self.call("POST", &self.s("/window/rect"), Some(json!({"width": width, "height": height})));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
