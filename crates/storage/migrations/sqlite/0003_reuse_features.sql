-- Local features for finding cropped copies: the strongest features' index words (loaded at
-- start) and every feature with its place and descriptor (read to verify a candidate).
ALTER TABLE reuse_sightings ADD COLUMN feature_words BLOB;
ALTER TABLE reuse_sightings ADD COLUMN features BLOB;
