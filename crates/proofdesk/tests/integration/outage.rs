//! The database goes away while the service runs: requests get `503` with
//! `Retry-After`, nothing half-stored appears, and once the database is back every
//! accepted claim is still there and gets screened.

use crate::server::{jpeg, multipart, reply, PgSchema, Server};
use crate::util::blocks;
use serde_json::Value;
use std::io;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A TCP proxy in front of the database server that can be switched off: when off,
/// it stops listening (connections are refused, as when a server is down) and cuts
/// every open connection.
struct Proxy {
    addr: String,
    up: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let addr = listener.local_addr().unwrap().to_string();
        let proxy = Proxy {
            addr: addr.clone(),
            up: Arc::new(AtomicBool::new(true)),
            stop: Arc::new(AtomicBool::new(false)),
            open: Arc::new(Mutex::new(Vec::new())),
        };
        let (up, stop, open) = (proxy.up.clone(), proxy.stop.clone(), proxy.open.clone());
        std::thread::spawn(move || {
            let mut listener = Some(listener);
            while !stop.load(Ordering::SeqCst) {
                match (&listener, up.load(Ordering::SeqCst)) {
                    (Some(_), false) => {
                        listener = None;
                        for s in open.lock().unwrap().drain(..) {
                            let _ = s.shutdown(Shutdown::Both);
                        }
                    }
                    (None, true) => listener = TcpListener::bind(&addr).ok(),
                    _ => {}
                }
                let Some(l) = &listener else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                l.set_nonblocking(true).unwrap();
                match l.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        if let Ok(server) = TcpStream::connect(&upstream) {
                            pipe(client, server, &open);
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    Err(_) => {}
                }
            }
        });
        proxy
    }

    fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
        // Let the proxy's loop act on it.
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Copies bytes both ways between `a` and `b`, remembering both so they can be cut.
fn pipe(a: TcpStream, b: TcpStream, open: &Mutex<Vec<TcpStream>>) {
    let mut list = open.lock().unwrap();
    list.push(a.try_clone().unwrap());
    list.push(b.try_clone().unwrap());
    for (mut from, mut to) in [(a.try_clone().unwrap(), b.try_clone().unwrap()), (b, a)] {
        std::thread::spawn(move || {
            let _ = io::copy(&mut from, &mut to);
            let _ = to.shutdown(Shutdown::Both);
        });
    }
}

/// `(status, Retry-After, body)` of a claim submission.
fn submit(server: &Server, claim: &str, photo: &[u8], key: &str) -> (u16, Option<String>, Value) {
    let (content_type, body) = multipart(claim, &[("photo.jpg", photo)]);
    let (status, headers, body) = reply(
        ureq::post(&server.url("/v1/claims"))
            .set("Authorization", &format!("Bearer {}", server.key))
            .set("Idempotency-Key", key)
            .set("Content-Type", &content_type)
            .send_bytes(&body),
    );
    (status, headers("retry-after"), body)
}

#[test]
fn while_the_database_is_away_requests_get_503_and_no_accepted_claim_is_lost() {
    let Some(schema) = PgSchema::create("the database-outage test") else {
        return;
    };
    let proxy = Proxy::start(schema.server_addr());
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        &dir.path().join("data"),
        &[
            "--database-url",
            &schema.url_via(&proxy.addr),
            "--lease-seconds",
            "3",
        ],
    );
    let claim = |n: u32| format!(r#"{{"external_ref":"ZD-out-{n}","customer_id":"c-out-{n}"}}"#);
    let photo = |n: u32| jpeg(&blocks(800, 600, 60 + n));

    let (status, _, first) = submit(&server, &claim(1), &photo(1), "out-1");
    assert_eq!(status, 202, "{first}");
    let first_id = first["id"].as_str().unwrap().to_owned();
    let before = server.screened(&first_id);
    assert_eq!(before["status"], "screened", "{before}");
    // Accepted just before the outage; its screening may be cut off by it.
    let (status, _, second) = submit(&server, &claim(2), &photo(2), "out-2");
    assert_eq!(status, 202, "{second}");
    let second_id = second["id"].as_str().unwrap().to_owned();

    proxy.set_up(false);
    let (status, retry, problem) = submit(&server, &claim(3), &photo(3), "out-3");
    assert_eq!(status, 503, "{problem}");
    assert_eq!(problem["status"], 503, "{problem}");
    assert!(
        problem["type"]
            .as_str()
            .unwrap_or("")
            .ends_with("unavailable"),
        "{problem}"
    );
    assert!(retry.is_some(), "a 503 says when to try again");
    let (status, read) = server.get(&format!("/v1/claims/{first_id}"));
    assert_eq!(status, 503, "{read}");

    proxy.set_up(true);
    // The refused submission was not stored: the same key now makes a new claim.
    let (status, _, third) = submit(&server, &claim(3), &photo(3), "out-3");
    assert_eq!(status, 202, "{third}");
    let third_id = third["id"].as_str().unwrap().to_owned();
    assert_eq!(
        server.screened(&first_id),
        before,
        "unchanged by the outage"
    );
    for id in [&second_id, &third_id] {
        assert_eq!(server.screened(id)["status"], "screened", "claim {id}");
    }
    let (_, list) = server.get("/v1/claims?limit=100");
    let ids: Vec<&str> = list["claims"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 3, "three accepted claims, no more: {list}");
    for id in [&first_id, &second_id, &third_id] {
        assert!(ids.contains(&id.as_str()), "{id} kept: {list}");
    }
}
