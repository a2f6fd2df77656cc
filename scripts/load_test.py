#!/usr/bin/env python3
"""Load test for `proofdesk serve` on loopback. Not a test: it reports, it does not judge.

Starts the service (SQLite in a temporary data directory, or PostgreSQL with
--database-url), makes an API key, and for --seconds keeps --concurrency clients
submitting claims of three photos each. It reports accepted claims per second and the
p50/p99 latency of `POST /v1/claims`, then waits until every claim is screened and
reports screened claims per minute.

Usage: scripts/load_test.py --proofdesk target/release/proofdesk [--database-url URL]
       [--seconds 20] [--concurrency 8] [--workers 2] [--photos DIR]
Photos default to three camera files of ../shared/corpus; without the corpus, three
generated JPEG-like files are used and the screening figures mean little.
"""
import argparse, http.client, json, os, statistics, subprocess, sys, tempfile, threading, time, uuid

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proofdesk", required=True)
    ap.add_argument("--database-url")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--photos", default=os.path.join(os.path.dirname(__file__), "../../shared/corpus/camera"))
    ap.add_argument("--drain-timeout", type=float, default=600)
    a = ap.parse_args()

    names = sorted(n for n in os.listdir(a.photos) if n.lower().endswith((".jpg", ".jpeg")))[:3] if os.path.isdir(a.photos) else []
    if len(names) < 3:
        print(f"note: no photos in {a.photos}; using generated files", file=sys.stderr)
        photos = [(f"gen{i}.jpg", os.urandom(200_000)) for i in range(3)]
    else:
        photos = [(n, open(os.path.join(a.photos, n), "rb").read()) for n in names]

    data = tempfile.mkdtemp(prefix="proofdesk-load-")
    base = [a.proofdesk, "--data-dir", data] + (["--database-url", a.database_url] if a.database_url else [])
    key = subprocess.run(base + ["api-key", "create", "--name", "load-test"], capture_output=True, text=True, check=True).stdout.strip()
    server = subprocess.Popen(base + ["serve", "--listen", "127.0.0.1:0", "--workers", str(a.workers)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline()
    host, port = line.split("http://")[1].split()[0].split(":")
    port = int(port)

    boundary = "proofdesk-load-boundary"
    def body(ref):
        claim = json.dumps({"external_ref": ref, "customer_id": "load-" + ref[-4:], "channel": "web"})
        parts = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"claim\"\r\nContent-Type: application/json\r\n\r\n{claim}\r\n".encode()]
        for n, b in photos:
            parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"{n}\"\r\nContent-Type: image/jpeg\r\n\r\n".encode() + b + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return b"".join(parts)

    latencies, ids, errors = [], [], []
    lock = threading.Lock()
    stop_at = time.monotonic() + a.seconds
    def client():
        conn = http.client.HTTPConnection(host, port, timeout=60)
        while time.monotonic() < stop_at:
            ref = "LT-" + uuid.uuid4().hex[:12]
            payload = body(ref)
            t = time.perf_counter()
            try:
                conn.request("POST", "/v1/claims", payload, {"Content-Type": f"multipart/form-data; boundary={boundary}", "Authorization": f"Bearer {key}", "Idempotency-Key": ref})
                r = conn.getresponse()
                text = r.read()
                dt = time.perf_counter() - t
                with lock:
                    if r.status == 202:
                        latencies.append(dt)
                        ids.append(json.loads(text)["id"])
                    else:
                        errors.append(f"{r.status} {text[:200]!r}")
            except Exception as e:
                with lock:
                    errors.append(str(e))
                conn = http.client.HTTPConnection(host, port, timeout=60)
    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(a.concurrency)]
    for t in threads: t.start()
    for t in threads: t.join()
    accept_s = time.monotonic() - started

    # Wait until every accepted claim is screened.
    conn = http.client.HTTPConnection(host, port, timeout=60)
    pending = set(ids)
    deadline = time.monotonic() + a.drain_timeout
    while pending and time.monotonic() < deadline:
        conn.request("GET", "/v1/claims?status=screened&limit=500", headers={"Authorization": f"Bearer {key}"})
        r = json.loads(conn.getresponse().read())
        # The list shows the newest 500; check the rest one by one when few remain.
        for c in r["claims"]:
            pending.discard(c["id"])
        if len(pending) < 50:
            for i in list(pending):
                conn.request("GET", f"/v1/claims/{i}", headers={"Authorization": f"Bearer {key}"})
                if json.loads(conn.getresponse().read())["status"] in ("screened", "failed"):
                    pending.discard(i)
        time.sleep(0.5)
    total_s = time.monotonic() - started
    server.terminate(); server.wait()

    lat = sorted(latencies)
    pct = lambda p: lat[min(len(lat) - 1, int(round(p * (len(lat) - 1))))] * 1000 if lat else 0
    db = "PostgreSQL" if a.database_url else "SQLite"
    print(f"{db}: {len(ids)} claims of 3 photos accepted in {accept_s:.1f} s = {len(ids) / accept_s:.1f} claims/s "
          f"(concurrency {a.concurrency}); POST latency p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms; errors {len(errors)}")
    for e in sorted(set(errors))[:5]:
        print(f"  error: {e}")
    done = len(ids) - len(pending)
    print(f"{db}: {done} screened by {a.workers} workers in {total_s:.1f} s from the first submission = {60 * done / total_s:.0f} claims/min"
          + (f"; {len(pending)} still waiting at the timeout" if pending else ""))

if __name__ == "__main__":
    main()
