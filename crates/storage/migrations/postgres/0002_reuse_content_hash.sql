-- The PDQ hash of the picture inside a flat frame (screenshot bars, borders), when it has one.
ALTER TABLE reuse_sightings ADD COLUMN pdq_content BYTEA;
