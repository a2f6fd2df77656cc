-- Limits for one channel or claim type beside the general one; the decider's limit,
-- payout reference and queue position at each decision; claims a person took; the
-- insider flags raised.
ALTER TABLE user_authority ADD COLUMN scope TEXT NOT NULL DEFAULT '';  -- '' for any claim, channel:NAME or type:NAME
ALTER TABLE user_authority DROP CONSTRAINT user_authority_pkey;
ALTER TABLE user_authority ADD PRIMARY KEY (user_id, scope, currency);

ALTER TABLE claims ADD COLUMN assigned_to TEXT;                -- user id of the person who took it
ALTER TABLE decisions ADD COLUMN limit_minor BIGINT;           -- approvals: the decider's limit then
ALTER TABLE decisions ADD COLUMN payout_ref TEXT;              -- approvals: pseudonymised payout account
ALTER TABLE decisions ADD COLUMN outside_queue BIGINT NOT NULL DEFAULT 0; -- the claim was a colleague's

CREATE TABLE insider_flags (
    rule        TEXT    NOT NULL,          -- near-limit, split-claim, …
    user_id     TEXT    NOT NULL REFERENCES users (id),
    claims      TEXT    NOT NULL,          -- claim ids, space-separated, sorted
    facts_en    TEXT    NOT NULL,
    facts_nl    TEXT    NOT NULL,
    raised_at   BIGINT  NOT NULL,          -- first raised (ms)
    updated_at  BIGINT  NOT NULL,          -- its claims last changed (ms)
    PRIMARY KEY (rule, user_id)
);
