-- Draft queries look up each draft's latest publish job; without this index that lookup scans
-- every job, and lists slow down as entries accumulate.
CREATE INDEX publish_jobs_by_draft ON publish_jobs (draft_id, id);
