-- Every picture proofdesk has seen, with its fingerprints: the reuse index.
CREATE TABLE reuse_sightings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256      BLOB    NOT NULL,          -- 32 bytes
    pdq         BLOB,                      -- 32 bytes, hex order; NULL when the pixels could not be decoded
    pdq_quality INTEGER NOT NULL,          -- 0-100
    source      TEXT    NOT NULL,          -- the claim, case or file it came with
    location    TEXT,                      -- where the file itself can be read again
    seen_at     INTEGER NOT NULL           -- milliseconds since 1970-01-01 UTC
);
CREATE INDEX reuse_sightings_sha256 ON reuse_sightings (sha256);
CREATE INDEX reuse_sightings_source ON reuse_sightings (source);
