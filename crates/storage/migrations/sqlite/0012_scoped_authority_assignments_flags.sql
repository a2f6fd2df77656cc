-- Limits for one channel or claim type beside the general one; the decider's limit,
-- payout reference and queue position at each decision; claims a person took; the
-- insider flags raised.
CREATE TABLE user_authority_scoped (
    user_id     TEXT    NOT NULL REFERENCES users (id),
    scope       TEXT    NOT NULL,          -- '' for any claim, channel:NAME or type:NAME
    currency    TEXT    NOT NULL,          -- ISO 4217
    max_minor   INTEGER NOT NULL,          -- most minor units (cents) approved alone
    set_by      TEXT    NOT NULL,          -- cli or user:ID
    set_at      INTEGER NOT NULL,          -- milliseconds since 1970 UTC
    PRIMARY KEY (user_id, scope, currency)
);
INSERT INTO user_authority_scoped (user_id, scope, currency, max_minor, set_by, set_at)
    SELECT user_id, '', currency, max_minor, set_by, set_at FROM user_authority;
DROP TABLE user_authority;
ALTER TABLE user_authority_scoped RENAME TO user_authority;

ALTER TABLE claims ADD COLUMN assigned_to TEXT;                -- user id of the person who took it
ALTER TABLE decisions ADD COLUMN limit_minor INTEGER;          -- approvals: the decider's limit then
ALTER TABLE decisions ADD COLUMN payout_ref TEXT;              -- approvals: pseudonymised payout account
ALTER TABLE decisions ADD COLUMN outside_queue INTEGER NOT NULL DEFAULT 0; -- the claim was a colleague's

CREATE TABLE insider_flags (
    rule        TEXT    NOT NULL,          -- near-limit, split-claim, …
    user_id     TEXT    NOT NULL REFERENCES users (id),
    claims      TEXT    NOT NULL,          -- claim ids, space-separated, sorted
    facts_en    TEXT    NOT NULL,
    facts_nl    TEXT    NOT NULL,
    raised_at   INTEGER NOT NULL,          -- first raised (ms)
    updated_at  INTEGER NOT NULL,          -- its claims last changed (ms)
    PRIMARY KEY (rule, user_id)
);
