-- API keys for integrators (only a hash of each key is kept), and the audit trail:
-- every change and read of a claim, each entry chained to the one before by its hash.
CREATE TABLE api_keys (
    id          TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    key_sha256  TEXT    NOT NULL UNIQUE,
    scopes      TEXT    NOT NULL,          -- comma-separated
    created_at  BIGINT  NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE audit_log (
    seq         BIGINT  PRIMARY KEY,       -- 1, 2, 3 … without gaps
    at          BIGINT  NOT NULL,          -- milliseconds since 1970 UTC
    actor       TEXT    NOT NULL,          -- api-key:ID, worker:NAME, cli
    action      TEXT    NOT NULL,          -- claim.create, claim.read, claims.list, claim.screen …
    claim_id    TEXT,
    detail      TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE INDEX audit_log_claim ON audit_log (claim_id);
