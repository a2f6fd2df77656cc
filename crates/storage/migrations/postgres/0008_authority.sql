-- What each person may approve alone, per currency; who submitted each claim; the
-- amount of each approval.
CREATE TABLE user_authority (
    user_id     TEXT    NOT NULL REFERENCES users (id),
    currency    TEXT    NOT NULL,          -- ISO 4217
    max_minor   BIGINT  NOT NULL,          -- most minor units (cents) approved alone
    set_by      TEXT    NOT NULL,          -- cli or user:ID
    set_at      BIGINT  NOT NULL,          -- milliseconds since 1970 UTC
    PRIMARY KEY (user_id, currency)
);

ALTER TABLE claims ADD COLUMN submitted_by TEXT;       -- api-key:ID or user:ID
ALTER TABLE decisions ADD COLUMN amount_minor BIGINT; -- approvals: the amount
ALTER TABLE decisions ADD COLUMN currency TEXT;
