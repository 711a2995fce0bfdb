-- The job loops look up only the job due next (LIMIT 1) after each job. These indexes give
-- that order without sorting the backlog, and find an announcement's issue page by number.
DROP INDEX IF EXISTS announcements_due;
CREATE INDEX announcements_due ON announcements (state, next_attempt_at, entry_created_at);
CREATE INDEX IF NOT EXISTS publish_jobs_by_issue ON publish_jobs (issue_number)
    WHERE issue_number IS NOT NULL;
