-- Claims as the service receives them, their evidence files, and the durable job queue.
CREATE TABLE claims (
    id               TEXT    PRIMARY KEY,
    idempotency_key  TEXT    UNIQUE,           -- the client's Idempotency-Key, when it sent one
    request_sha256   TEXT    NOT NULL,         -- of the request, to refuse a reused key with another body
    external_ref     TEXT    NOT NULL,
    customer_id      TEXT    NOT NULL,
    context          TEXT    NOT NULL,         -- the claim context, JSON
    status           TEXT    NOT NULL,         -- received | screening | screened | failed
    score            REAL,
    band             TEXT,                     -- clear | review | escalate
    routing          TEXT,                     -- score, band and reasons, JSON
    created_at       INTEGER NOT NULL,         -- milliseconds since 1970 UTC
    updated_at       INTEGER NOT NULL
);
CREATE INDEX claims_status ON claims (status, created_at);
CREATE INDEX claims_customer ON claims (customer_id);

CREATE TABLE claim_evidence (
    claim_id    TEXT    NOT NULL REFERENCES claims (id),
    position    INTEGER NOT NULL,
    filename    TEXT,
    media_type  TEXT,
    sha256      TEXT    NOT NULL,              -- address in the evidence store
    size        INTEGER NOT NULL,
    key_id      TEXT    NOT NULL,              -- the evidence key it is encrypted with
    report      TEXT,                          -- the screening report, JSON
    PRIMARY KEY (claim_id, position)
);
CREATE INDEX claim_evidence_sha256 ON claim_evidence (sha256);

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id     TEXT    NOT NULL REFERENCES claims (id),
    kind         TEXT    NOT NULL,             -- screen
    state        TEXT    NOT NULL,             -- queued | running | done | failed
    attempts     INTEGER NOT NULL DEFAULT 0,
    run_after    INTEGER NOT NULL,             -- not before (ms), for backoff
    locked_by    TEXT,                         -- worker holding the lease
    locked_until INTEGER,                      -- lease end (ms); an expired lease is taken over
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX jobs_ready ON jobs (state, run_after);
