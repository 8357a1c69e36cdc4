ALTER TABLE threads DROP COLUMN closed_at;
