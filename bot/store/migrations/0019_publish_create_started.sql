-- When the latest issue creation of a publish job was sent: after an unknown outcome, the key
-- is looked for only once GitHub has had time to finish that creation.
ALTER TABLE publish_jobs ADD COLUMN create_started_at TEXT;
