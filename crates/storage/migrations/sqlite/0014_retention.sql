-- Retention: a legal hold suspends it for a claim; when evidence was deleted and when
-- the context was pseudonymised.
ALTER TABLE claims ADD COLUMN legal_hold TEXT;            -- why, while the claim is on hold
ALTER TABLE claims ADD COLUMN evidence_purged_at INTEGER; -- evidence files deleted (ms)
ALTER TABLE claims ADD COLUMN pseudonymised_at INTEGER;   -- context pseudonymised (ms)
