-- Requests to a customer for better evidence: a one-time link (only its SHA-256 kept),
-- what is asked, the challenge code for a new photo, and when the link was opened, the
-- code shown and the answer received. Evidence files say which request they answered.
CREATE TABLE evidence_requests (
    id            TEXT    PRIMARY KEY,       -- req_…
    claim_id      TEXT    NOT NULL REFERENCES claims (id),
    asks          TEXT    NOT NULL,          -- comma-separated: original_file, new_photo, receipt, serial_closeup
    token_sha256  TEXT    NOT NULL UNIQUE,   -- of the link's secret
    code          TEXT,                      -- the one-time code to photograph (new_photo)
    lang          TEXT    NOT NULL,          -- nl or en: the page's first language
    created_by    TEXT    NOT NULL,          -- user:ID or api-key:ID
    created_at    INTEGER NOT NULL,          -- milliseconds since 1970 UTC
    expires_at    INTEGER NOT NULL,
    opened_at     INTEGER,                   -- first opened
    code_shown_at INTEGER,                   -- the code first shown
    answered_at   INTEGER,                   -- the files received
    revoked_at    INTEGER,
    files         INTEGER NOT NULL DEFAULT 0 -- files received
);
CREATE INDEX evidence_requests_claim ON evidence_requests (claim_id, created_at);
ALTER TABLE claim_evidence ADD COLUMN request_id TEXT; -- the evidence request it answered
ALTER TABLE claim_evidence ADD COLUMN received_at INTEGER; -- when it arrived, for files sent later
