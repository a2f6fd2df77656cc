-- What each API key receives; per-customer evidence keys (destroyed to make a
-- customer's evidence unreadable); checkpoints where the oldest audit entries were pruned.
ALTER TABLE api_keys ADD COLUMN receives TEXT;   -- data categories, comma-separated; NULL: the default

CREATE TABLE customer_keys (
    id           TEXT    PRIMARY KEY,   -- c-HEX; a blob sealed with it names it in its header
    customer_ref TEXT    UNIQUE,        -- keyed pseudonym of the customer id; NULL once destroyed
    wrapped      TEXT,                  -- the key, AES-256-GCM under a keyring key, hex; NULL once destroyed
    wrapped_with TEXT,                  -- that keyring key's id
    created_at   BIGINT  NOT NULL,
    destroyed_at BIGINT
);

CREATE TABLE audit_checkpoints (
    seq      BIGINT PRIMARY KEY,         -- the last entry pruned
    hash     TEXT   NOT NULL,         -- its hash, which the next entry's prev_hash must equal
    at       BIGINT NOT NULL,            -- when (ms)
    entries  BIGINT NOT NULL             -- how many entries that pass pruned
);
