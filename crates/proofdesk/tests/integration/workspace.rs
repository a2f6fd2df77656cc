//! The web workspace over plain HTTP (no browser): sign-in and its refusals, CSRF and
//! cross-origin protection, the decision rules (reject only by a fraud analyst or
//! supervisor, always with a reason, once a claim is closed no more), who sees the
//! overview, and `proofdesk user add` refusing weak passwords and taken names.

use crate::browser::add_user;
use crate::server::Server;
use crate::server::jpeg;
use crate::util::{blocks, proofdesk_in};
use std::time::Duration;

/// A browser-like client: its own cookies, no redirects followed.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    cookies: Vec<(String, String)>,
}

/// A response: status, Location, body.
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Client {
    pub fn new(server: &Server) -> Client {
        Client {
            agent: ureq::AgentBuilder::new().redirects(0).timeout(Duration::from_secs(60)).build(),
            base: server.base.clone(),
            cookies: Vec::new(),
        }
    }

    fn keep(&mut self, r: &ureq::Response) {
        for c in r.all("set-cookie") {
            let pair = c.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.retain(|(n, _)| n != k);
                if !v.is_empty() {
                    self.cookies.push((k.to_owned(), v.to_owned()));
                }
            }
        }
    }

    fn send(&mut self, req: ureq::Request, form: Option<&[(&str, &str)]>) -> Page {
        let cookie: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let req = req.set("Cookie", &cookie.join("; "));
        let result = match form {
            Some(f) => req.send_form(f),
            None => req.call(),
        };
        let r = match result {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("request failed: {e}"),
        };
        self.keep(&r);
        Page {
            status: r.status(),
            location: r.header("location").map(str::to_owned),
            body: r.into_string().unwrap_or_default(),
        }
    }

    pub fn get(&mut self, path: &str) -> Page {
        let req = self.agent.get(&format!("{}{path}", self.base));
        self.send(req, None)
    }

    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let req = self.agent.post(&format!("{}{path}", self.base));
        self.send(req, Some(form))
    }

    /// Enters a claim through the new-claim form with one JPEG (`fields` besides the tokens).
    fn upload(&mut self, fields: &[(&str, &str)], file: &[u8]) -> Page {
        let page = self.get("/claims/new");
        let (csrf, once) = (hidden(&page.body, "csrf"), hidden(&page.body, "once"));
        let mut all = vec![("csrf", csrf.as_str()), ("once", once.as_str())];
        all.extend_from_slice(fields);
        let (content_type, body) = form_with_file(&all, file);
        let cookie: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let sent = self
            .agent
            .post(&format!("{}/claims/new", self.base))
            .set("Cookie", &cookie.join("; "))
            .set("Content-Type", &content_type)
            .send_bytes(&body);
        let r = match sent {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("request failed: {e}"),
        };
        Page {
            status: r.status(),
            location: r.header("location").map(str::to_owned),
            body: r.into_string().unwrap_or_default(),
        }
    }

    pub fn sign_in(&mut self, name: &str, password: &str) -> Page {
        let page = self.get("/sign-in");
        let token = hidden(&page.body, "form");
        self.post("/sign-in", &[("name", name), ("password", password), ("form", &token), ("next", "/queue")])
    }
}

/// A user's id, from `proofdesk user list --json`.
fn user_id(data: &std::path::Path, name: &str) -> String {
    let list = proofdesk_in(data, &["user", "list", "--json"]).json();
    let user = list["users"].as_array().unwrap().iter().find(|u| u["name"] == name).cloned();
    user.and_then(|u| u["id"].as_str().map(str::to_owned)).unwrap_or_else(|| panic!("no user {name}"))
}

/// The value of a hidden input.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name} field")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

#[test]
fn sign_in_csrf_and_decision_rules() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    add_user(&data, "ann", "fraud_analyst", "Ann");
    add_user(&data, "bob", "agent", "Bob");
    add_user(&data, "sue", "supervisor", "Sue");

    let picture = jpeg(&blocks(320, 240, 5));
    let (_, _, doc) = server.submit(r#"{"external_ref": "ZD-7", "customer_id": "c-7"}"#, &[("a.jpg", &picture)], None);
    let id = doc["id"].as_str().unwrap().to_owned();
    server.screened(&id);
    let claim = format!("/claims/{id}");

    let mut bob = Client::new(&server);
    let page = bob.get(&claim);
    assert_eq!(page.status, 303);
    assert_eq!(page.location.as_deref(), Some(format!("/sign-in?next={claim}").as_str()));
    assert_eq!(bob.sign_in("bob", "wrong password!").status, 401);
    let forged = bob.post("/sign-in", &[("name", "bob"), ("password", "correct horse battery"), ("form", "guess")]);
    assert_eq!(forged.status, 403, "a sign-in form must come from this site's page");
    let ok = bob.sign_in("BOB", "correct horse battery");
    assert_eq!((ok.status, ok.location.as_deref()), (303, Some("/queue")));
    let page = bob.get(&claim);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("ZD-7"));
    let csrf = hidden(&page.body, "csrf");

    // An agent cannot reject, even by posting the form by hand; nothing is recorded.
    let why = "the photo does not show the product at all";
    let refused = bob.post(&format!("{claim}/decisions"), &[("csrf", &csrf), ("kind", "reject"), ("reason", why)]);
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("fraudeanalist"), "the refusal is explained");
    // No reason, no decision.
    let refused = bob.post(&format!("{claim}/decisions"), &[("csrf", &csrf), ("kind", "approve"), ("reason", "ok")]);
    assert_eq!(refused.status, 422);
    // A form without the session's token, or from another site, is refused.
    assert_eq!(bob.post(&format!("{claim}/decisions"), &[("csrf", "x"), ("kind", "approve"), ("reason", why)]).status, 403);
    let req = bob.agent.post(&format!("{}{claim}/decisions", server.base)).set("Origin", "http://evil.example");
    assert_eq!(bob.send(req, Some(&[("csrf", &csrf), ("kind", "approve"), ("reason", why)])).status, 403);
    let audit = proofdesk_in(&data, &["audit", "show", "--claim", &id]);
    assert!(!audit.stdout.contains("claim.decide "), "nothing was decided: {}", audit.stdout);
    assert!(audit.stdout.contains("claim.decide-refused"), "the refused reject is on record");

    // A fraud analyst rejects, with a reason; then the claim is closed.
    let mut ann = Client::new(&server);
    ann.sign_in("ann", "correct horse battery");
    let csrf_ann = hidden(&ann.get(&claim).body, "csrf");
    let done = ann.post(&format!("{claim}/decisions"), &[("csrf", &csrf_ann), ("kind", "reject"), ("reason", why)]);
    assert_eq!(done.status, 303);
    let page = ann.get(&claim);
    assert!(page.body.contains(why) && page.body.contains("afgesloten"));
    let again = bob.post(&format!("{claim}/decisions"), &[("csrf", &csrf), ("kind", "approve"), ("reason", "the customer sent the receipt")]);
    assert_eq!(again.status, 422, "a closed claim takes no further decision");
    let audit = proofdesk_in(&data, &["audit", "show", "--claim", &id]);
    assert!(audit.stdout.contains("claim.decide ") && audit.stdout.contains("reject"), "{}", audit.stdout);
    assert!(!audit.stdout.contains(why), "the audit trail holds a hash of the reason, not its words");
    assert_eq!(proofdesk_in(&data, &["audit", "verify"]).code, 0);

    // The overview is for supervisors and administrators.
    assert_eq!(bob.get("/overview").status, 403);
    let mut sue = Client::new(&server);
    sue.sign_in("sue", "correct horse battery");
    let overview = sue.get("/overview");
    assert_eq!(overview.status, 200);
    assert!(overview.body.contains("Ann"), "decisions per reviewer name Ann");

    // Supervisors set others' authority in the web UI, never their own.
    let people = sue.get("/people");
    assert_eq!(people.status, 200);
    let bob_id = user_id(&data, "bob");
    let csrf_people = hidden(&people.body, "csrf");
    let set = sue.post(&format!("/people/{bob_id}/authority"), &[("csrf", &csrf_people), ("amount", "250"), ("currency", "EUR")]);
    assert_eq!(set.status, 303);
    assert!(sue.get("/people").body.contains("€ 250.00"));
    let bad = sue.post(&format!("/people/{bob_id}/authority"), &[("csrf", &csrf_people), ("amount", "-3"), ("currency", "EUR")]);
    assert_eq!(bad.status, 422);
    let sue_id = user_id(&data, "sue");
    let own = sue.post(&format!("/people/{sue_id}/authority"), &[("csrf", &csrf_people), ("amount", "99999"), ("currency", "EUR")]);
    assert_eq!(own.status, 422, "nobody sets their own authority");
    assert_eq!(bob.get("/people").status, 403, "agents do not set authority");
    assert!(proofdesk_in(&data, &["audit", "show"]).stdout.contains("user.set-authority"));

    // Signing out ends the session.
    let csrf_sue = hidden(&sue.get("/queue").body, "csrf");
    let saved = sue.cookies.clone();
    assert_eq!(sue.post("/sign-out", &[("csrf", &csrf_sue)]).status, 303);
    sue.cookies = saved;
    assert_eq!(sue.get("/queue").status, 303, "the old cookie no longer works");
}

#[test]
fn user_add_refuses_weak_passwords_taken_names_and_unknown_roles() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let add = |name: &str, role: &str, password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_proofdesk"))
            .args(["user", "add", name, "--role", role, "--password-stdin"])
            .env("PROOFDESK_DATA_DIR", &data)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        let out = child.wait_with_output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    assert!(add("root", "administrator", "a long enough passphrase").0);
    let (ok, err) = add("eve", "agent", "short");
    assert!(!ok && err.contains("12 characters"), "{err}");
    let (ok, err) = add("ROOT", "agent", "a long enough passphrase");
    assert!(!ok && err.contains("already"), "{err}");
    let (ok, err) = add("eve", "god", "a long enough passphrase");
    assert!(!ok && err.contains("unknown role"), "{err}");
    let list = proofdesk_in(&data, &["user", "list", "--json"]).json();
    assert_eq!(list["schema"], "proofdesk.users/1");
    assert_eq!(list["users"].as_array().unwrap().len(), 1);
    assert_eq!(list["users"][0]["role"], "administrator");
}

/// A multipart form with text fields and one JPEG.
fn form_with_file(fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "proofdesk-web-test-5c1e";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes());
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[test]
fn four_eyes_above_authority_and_never_on_ones_own_claim() {
    use crate::browser::set_authority;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    add_user(&data, "ann", "fraud_analyst", "Ann");
    add_user(&data, "bob", "agent", "Bob");
    add_user(&data, "sue", "supervisor", "Sue");
    set_authority(&data, "bob", "100EUR");
    set_authority(&data, "sue", "1000 EUR");
    let bad = proofdesk_in(&data, &["user", "set-authority", "bob", "-5EUR"]);
    assert_ne!(bad.code, 0, "a negative authority is refused");

    let picture = jpeg(&blocks(320, 240, 9));
    let (_, _, doc) = server.submit(
        r#"{"external_ref": "ZD-8", "customer_id": "c-8", "claimed_amount": "500", "currency": "EUR"}"#,
        &[("a.jpg", &picture)],
        None,
    );
    let id = doc["id"].as_str().unwrap().to_owned();
    server.screened(&id);
    let claim = format!("/claims/{id}");
    let decide = format!("{claim}/decisions");
    let reason = "receipt and photo match the order";
    let sign = |name: &str| {
        let mut c = Client::new(&server);
        c.sign_in(name, "correct horse battery");
        let page = c.get(&claim);
        assert!(page.body.contains("class=\"authority\""), "{name} is told their authority");
        let csrf = hidden(&page.body, "csrf");
        (c, csrf)
    };
    let (mut bob, bob_csrf) = sign("bob");
    let (mut ann, ann_csrf) = sign("ann");
    let (mut sue, sue_csrf) = sign("sue");
    let approve = |c: &mut Client, csrf: &str, amount: &str| {
        c.post(&decide, &[("csrf", csrf), ("kind", "approve"), ("reason", reason), ("amount", amount), ("currency", "EUR")])
    };
    for wrong in ["-5", "abc", "1e3", "12.345", ""] {
        assert_eq!(approve(&mut bob, &bob_csrf, wrong).status, 422, "amount {wrong:?}");
    }
    let unknown = bob.post(&decide, &[("csrf", &bob_csrf), ("kind", "approve"), ("reason", reason), ("amount", "5"), ("currency", "XYZ")]);
    assert_eq!(unknown.status, 422, "an unknown currency");

    // Above Bob's authority: the claim waits for a second approval.
    assert_eq!(approve(&mut bob, &bob_csrf, "500").status, 303);
    assert!(bob.get(&claim).body.contains("Wacht op een tweede goedkeuring"));
    let again = approve(&mut bob, &bob_csrf, "500");
    assert_eq!(again.status, 422);
    assert!(again.body.contains("eerste goedkeuring"), "the first approver cannot be the second");
    let short = approve(&mut ann, &ann_csrf, "500");
    assert_eq!(short.status, 422);
    assert!(short.body.contains("bevoegdheid"), "a colleague without enough authority cannot complete it");
    let other = approve(&mut sue, &sue_csrf, "400");
    assert_eq!(other.status, 422, "the second approval is for the same amount");
    assert_eq!(approve(&mut sue, &sue_csrf, "500").status, 303, "a supervisor with the authority completes it");
    assert!(sue.get(&claim).body.contains("afgesloten"));
    let audit = proofdesk_in(&data, &["audit", "show", "--claim", &id]).stdout;
    assert!(audit.contains("approve_pending") && audit.contains("500.00 EUR"), "{audit}");
    assert!(audit.contains("approval refused"), "refusals are on record: {audit}");

    // Nobody decides a claim they entered themselves.
    let location = bob.upload(&[("external_ref", "ZD-9"), ("customer_id", "c-9")], &picture).location;
    let own = location.expect("the new claim's page");
    let own_id = own.trim_start_matches("/claims/").to_owned();
    server.screened(&own_id);
    let refused = bob.post(&format!("{own}/decisions"), &[("csrf", &bob_csrf), ("kind", "approve"), ("reason", reason), ("amount", "5"), ("currency", "EUR")]);
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("zelf ingediend"), "one's own claim is refused");
}

#[test]
fn decisions_through_the_api_with_personal_tokens() {
    decisions_through_the_api(&[]);
}

#[test]
fn decisions_through_the_api_with_personal_tokens_on_postgres() {
    let Some(schema) = crate::server::PgSchema::create("the decisions API") else {
        return;
    };
    decisions_through_the_api(&["--database-url", &schema.url]);
}

/// The decision rules through the API, on the database `db` names (SQLite without).
fn decisions_through_the_api(db: &[&str]) {
    use crate::browser::{add_user_in, set_authority_in};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, db);
    let cli = |args: &[&str]| proofdesk_in(&data, &[db, args].concat());
    add_user_in(&data, db, "bob", "agent", "Bob");
    add_user_in(&data, db, "sue", "supervisor", "Sue");
    add_user_in(&data, db, "ann", "fraud_analyst", "Ann");
    set_authority_in(&data, db, "bob", "100EUR");
    set_authority_in(&data, db, "sue", "1000EUR");
    set_authority_in(&data, db, "ann", "1000EUR");
    let token = |name: &str| {
        let run = cli(&["user", "token", name]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout.trim().to_owned()
    };
    let (bob, sue, ann) = (token("bob"), token("sue"), token("ann"));
    let picture = jpeg(&blocks(320, 240, 11));
    let new_claim = |n: u32| {
        let claim = format!(r#"{{"external_ref": "ZD-{n}", "customer_id": "c-{n}", "claimed_amount": "500", "currency": "EUR"}}"#);
        let (_, _, doc) = server.submit(&claim, &[("a.jpg", &picture)], None);
        let id = doc["id"].as_str().unwrap().to_owned();
        server.screened(&id);
        id
    };
    let post = |tok: &str, id: &str, body: &str| server.post_json(tok, &format!("/v1/claims/{id}/decisions"), body);
    let approve = r#"{"action": "approve", "amount": "500", "currency": "EUR", "reason": "receipt and photo match the order"}"#;
    let id = new_claim(1);
    assert_eq!(post(&server.key, &id, approve).0, 403, "an integration key does not decide");
    assert_eq!(post(&bob, "clm_nope", approve).0, 404);
    assert_eq!(post(&bob, &id, "not json").0, 400);
    assert_eq!(post(&bob, &id, r#"{"action": "approve", "reason": "x", "bonus": 1}"#).0, 400, "unknown fields");
    assert_eq!(post(&bob, &id, r#"{"action": "pay", "reason": "receipt and photo match"}"#).0, 422);
    assert_eq!(post(&bob, &id, r#"{"action": "approve", "amount": "-1", "currency": "EUR", "reason": "receipt and photo match"}"#).0, 422);
    assert_eq!(post(&bob, &id, r#"{"action": "approve", "amount": "5", "currency": "XXX", "reason": "receipt and photo match"}"#).0, 422);
    let (s, doc) = post(&bob, &id, r#"{"action": "reject", "reason": "the photo is from the internet"}"#);
    assert_eq!(s, 403, "an agent does not reject: {doc}");

    let (s, doc) = post(&bob, &id, approve);
    assert_eq!((s, doc["status"].as_str()), (200, Some("awaiting_second_approval")), "{doc}");
    let (s, doc) = post(&bob, &id, approve);
    assert_eq!(s, 403, "not the same approver twice: {doc}");
    assert!(doc["detail"].as_str().unwrap().contains("first approval"));
    let (s, doc) = post(&sue, &id, approve);
    assert_eq!((s, doc["status"].as_str()), (200, Some("decided")), "{doc}");
    assert_eq!(post(&ann, &id, approve).0, 409, "a decided claim takes no further decision");

    // Two people completing the same approval at the same moment: one wins, one gets 409.
    let id = new_claim(2);
    assert_eq!(post(&bob, &id, approve).0, 200);
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| post(&sue, &id, approve).0);
        let b = s.spawn(|| post(&ann, &id, approve).0);
        (a.join().unwrap(), b.join().unwrap())
    });
    let mut statuses = [a, b];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);

    // Nobody decides a claim of a customer they declared a relation with.
    let id = new_claim(4);
    assert_eq!(cli(&["user", "relate", "sue", "c-4"]).code, 0);
    let (s, doc) = post(&sue, &id, approve);
    assert_eq!(s, 403, "{doc}");
    assert!(doc["detail"].as_str().unwrap().contains("relation with this customer"));
    assert_eq!(post(&ann, &id, approve).0, 200, "a colleague without the relation may");

    // A disabled user's token stops working.
    assert_eq!(cli(&["user", "disable", "bob"]).code, 0);
    assert_eq!(post(&bob, &new_claim(3), approve).0, 401);
}

#[test]
fn an_outsourcers_agent_sees_only_the_clients_their_team_serves() {
    outsourcers_agent_sees_only_their_clients(&[]);
}

#[test]
fn an_outsourcers_agent_sees_only_the_clients_their_team_serves_on_postgres() {
    let Some(schema) = crate::server::PgSchema::create("the teams test") else {
        return;
    };
    outsourcers_agent_sees_only_their_clients(&["--database-url", &schema.url]);
}

/// Teams and clients, on the database `db` names (SQLite without).
fn outsourcers_agent_sees_only_their_clients(db: &[&str]) {
    use crate::browser::add_user_in;
    use crate::server::reply;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, db);
    let cli = |args: &[&str]| proofdesk_in(&data, &[db, args].concat());
    add_user_in(&data, db, "ina", "agent", "Ina");
    add_user_in(&data, db, "otto", "agent", "Otto");
    add_user_in(&data, db, "adm", "administrator", "Admin");
    for args in [
        &["team", "add", "inhouse", "--clients", "brand-a"][..],
        &["team", "add", "partner", "--clients", "brand-b"],
        &["team", "join", "inhouse", "ina"],
        &["team", "join", "partner", "otto"],
    ] {
        let run = cli(args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    }
    assert_ne!(cli(&["team", "join", "nope", "ina"]).code, 0);
    let picture = jpeg(&blocks(320, 240, 13));
    let submit = |client: &str, reference: &str| {
        let claim = format!(r#"{{"external_ref": "{reference}", "customer_id": "c-{reference}", "client": "{client}"}}"#);
        let (_, _, doc) = server.submit(&claim, &[("a.jpg", &picture)], None);
        let id = doc["id"].as_str().unwrap().to_owned();
        server.screened(&id);
        id
    };
    let a = submit("brand-a", "ZD-A");
    let b = submit("brand-b", "ZD-B");

    let mut otto = Client::new(&server);
    otto.sign_in("otto", "correct horse battery");
    let queue = otto.get("/queue?state=all").body;
    assert!(queue.contains("ZD-B") && !queue.contains("ZD-A"), "the queue holds only brand-b's claims");
    let page = otto.get(&format!("/claims/{b}"));
    assert_eq!(page.status, 200);
    let csrf = hidden(&page.body, "csrf");
    assert_eq!(otto.get(&format!("/claims/{a}")).status, 404, "another client's claim does not exist for him");
    assert_eq!(otto.get(&format!("/claims/{a}/files/0")).status, 404);
    assert_eq!(otto.get(&format!("/claims/{a}/files/0/original")).status, 404);
    let decide = otto.post(&format!("/claims/{a}/decisions"), &[("csrf", &csrf), ("kind", "escalate"), ("reason", "looks like the same photo as before")]);
    assert_eq!(decide.status, 404);

    // The API with his personal token: the same.
    let token = cli(&["user", "token", "otto"]).stdout.trim().to_owned();
    let get = |path: &str| {
        let (s, _, doc) = reply(ureq::get(&server.url(path)).set("Authorization", &format!("Bearer {token}")).call());
        (s, doc)
    };
    assert_eq!(get(&format!("/v1/claims/{a}")).0, 404);
    assert_eq!(get(&format!("/v1/claims/{b}")).0, 200);
    let (_, listed) = get("/v1/claims");
    let refs: Vec<&str> = listed["claims"].as_array().unwrap().iter().filter_map(|c| c["external_ref"].as_str()).collect();
    assert_eq!(refs, ["ZD-B"]);
    let (s, _, _) = reply(
        ureq::post(&server.url(&format!("/v1/claims/{a}/decisions")))
            .set("Authorization", &format!("Bearer {token}"))
            .set("Content-Type", "application/json")
            .send_string(r#"{"action": "escalate", "reason": "looks like the same photo as before"}"#),
    );
    assert_eq!(s, 404);

    // In-house sees brand-a only; the administrator sees both; the integration key too.
    let mut ina = Client::new(&server);
    ina.sign_in("ina", "correct horse battery");
    let queue = ina.get("/queue?state=all").body;
    assert!(queue.contains("ZD-A") && !queue.contains("ZD-B"));
    let mut adm = Client::new(&server);
    adm.sign_in("adm", "correct horse battery");
    let queue = adm.get("/queue?state=all").body;
    assert!(queue.contains("ZD-A") && queue.contains("ZD-B"));
    assert_eq!(server.get(&format!("/v1/claims/{a}")).0, 200);
    assert_eq!(adm.get("/audit").status, 200);

    // A supervisor of the partner: the overview counts only brand-b, the audit trail
    // (which spans every client) is not for him.
    add_user_in(&data, db, "pia", "supervisor", "Pia");
    assert_eq!(cli(&["team", "join", "partner", "pia"]).code, 0);
    let mut pia = Client::new(&server);
    pia.sign_in("pia", "correct horse battery");
    let overview = pia.get("/overview");
    assert_eq!(overview.status, 200);
    assert!(overview.body.contains("<strong>1</strong><span>claims ontvangen"), "one claim of brand-b");
    assert_eq!(pia.get("/audit").status, 403);

    // Entering a claim for a client one's team does not serve is refused.
    assert!(otto.get("/claims/new").body.contains("<option value=\"brand-b\""), "the form offers his team's clients");
    let status = otto
        .upload(&[("external_ref", "ZD-X"), ("customer_id", "c-x"), ("client", "brand-a")], &picture)
        .status;
    assert_eq!(status, 422);
}

#[test]
fn approvals_just_below_the_limit_reach_the_supervisors_overview() {
    use crate::browser::set_authority;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    add_user(&data, "bob", "agent", "Bob");
    add_user(&data, "sue", "supervisor", "Sue");
    set_authority(&data, "bob", "100EUR");
    let picture = jpeg(&blocks(320, 240, 17));
    let mut bob = Client::new(&server);
    bob.sign_in("bob", "correct horse battery");
    for n in 0..5 {
        let claim = format!(r#"{{"external_ref": "ZD-N{n}", "customer_id": "c-n{n}", "claimed_amount": "95", "currency": "EUR"}}"#);
        let (_, _, doc) = server.submit(&claim, &[("a.jpg", &picture)], None);
        let id = doc["id"].as_str().unwrap().to_owned();
        server.screened(&id);
        let csrf = hidden(&bob.get(&format!("/claims/{id}")).body, "csrf");
        let done = bob.post(
            &format!("/claims/{id}/decisions"),
            &[("csrf", &csrf), ("kind", "approve"), ("reason", "receipt matches the order"), ("amount", "95"), ("currency", "EUR")],
        );
        assert_eq!(done.status, 303);
    }
    let rules = bob.get("/rules");
    assert_eq!(rules.status, 200, "the rules are there for the people they apply to");
    assert!(rules.body.contains("near-limit") && rules.body.contains("nooit een sanctie"));
    let mut sue = Client::new(&server);
    sue.sign_in("sue", "correct horse battery");
    let overview = sue.get("/overview").body;
    assert!(overview.contains("near-limit") && overview.contains("<strong>Bob</strong>"), "the flag names Bob and the rule");
    assert!(overview.contains("5 van 5 goedkeuringen net onder de bevoegdheid"), "with the facts");
}
