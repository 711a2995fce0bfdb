-- One commit per publish job for all its images (Git Data API: blobs, one tree, one commit,
-- then the branch moves). Each blob's SHA is kept once the blob is made, and the commit is
-- kept before the branch is moved, so a restart finds both: a recorded commit whose branch
-- update had no answer is looked for on the branch before anything is made again.
ALTER TABLE publish_job_images ADD COLUMN blob_sha TEXT;
ALTER TABLE publish_job_images ADD COLUMN planned_path TEXT;

CREATE TABLE publish_job_commits (
    job_id     INTEGER PRIMARY KEY REFERENCES publish_jobs (id) ON DELETE CASCADE,
    branch     TEXT    NOT NULL,
    parent_sha TEXT    NOT NULL,
    commit_sha TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
