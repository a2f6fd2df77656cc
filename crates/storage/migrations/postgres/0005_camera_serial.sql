-- The camera serial number each screened file records, to link claims made with one camera.
ALTER TABLE claim_evidence ADD COLUMN camera_serial TEXT;
CREATE INDEX claim_evidence_camera_serial ON claim_evidence (camera_serial);
