-- People who sign in to the web workspace, their sessions, and the decisions they record.
CREATE TABLE users (
    id            TEXT    PRIMARY KEY,       -- usr_ and 12 hex digits
    name          TEXT    NOT NULL UNIQUE,   -- sign-in name, lower case
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL,          -- agent | fraud_analyst | supervisor | administrator
    password_hash TEXT    NOT NULL,          -- argon2id, PHC string
    failed_logins INTEGER NOT NULL DEFAULT 0,-- wrong passwords in a row
    locked_until  INTEGER,                   -- no sign-in before (ms), after too many wrong passwords
    created_at    INTEGER NOT NULL,          -- milliseconds since 1970 UTC
    disabled_at   INTEGER
);

CREATE TABLE sessions (
    token_sha256  TEXT    PRIMARY KEY,       -- only a hash of the cookie's token is kept
    user_id       TEXT    NOT NULL REFERENCES users (id),
    csrf          TEXT    NOT NULL,          -- the token every form of this session carries
    created_at    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE decisions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id      TEXT    NOT NULL REFERENCES claims (id),
    kind          TEXT    NOT NULL,          -- approve | reject | request_evidence | escalate
    reason        TEXT    NOT NULL,          -- the person's own words
    user_id       TEXT    NOT NULL REFERENCES users (id),
    band          TEXT,                      -- the routing band when it was decided
    decided_at    INTEGER NOT NULL
);
CREATE INDEX decisions_claim ON decisions (claim_id, decided_at);
CREATE INDEX decisions_user ON decisions (user_id, decided_at);

-- The latest decision on each claim, for the queues.
ALTER TABLE claims ADD COLUMN decision TEXT;
ALTER TABLE claims ADD COLUMN decided_at INTEGER;
