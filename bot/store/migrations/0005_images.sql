-- Images attached to drafts: the bytes once per content (keyed by SHA-256), linked to drafts
-- in order with their alt text. Publish jobs commit them into the repository one by one.
CREATE TABLE image_blobs (
    sha256     TEXT    PRIMARY KEY,
    data       BLOB    NOT NULL,
    size       INTEGER NOT NULL,
    media_type TEXT    NOT NULL
                       CHECK (media_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp')),
    created_at TEXT    NOT NULL
);

CREATE TABLE draft_images (
    draft_id INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    sha256   TEXT    NOT NULL REFERENCES image_blobs (sha256),
    filename TEXT    NOT NULL,
    alt      TEXT    NOT NULL,
    added_at TEXT    NOT NULL,
    PRIMARY KEY (draft_id, position),
    UNIQUE (draft_id, sha256)
);
CREATE INDEX draft_images_by_blob ON draft_images (sha256);

-- The images of a publish job, copied from its draft at the job's first attempt (the draft
-- cannot change while the job is pending). `committed_at` is set once the file is in the
-- repository, so a restart between two uploads resumes without sending one twice.
-- No foreign key to image_blobs: a blob may go once every job that needs it is finished.
CREATE TABLE publish_job_images (
    job_id       INTEGER NOT NULL REFERENCES publish_jobs (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    alt          TEXT    NOT NULL,
    media_type   TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    path         TEXT,
    url          TEXT,
    committed_at TEXT,
    PRIMARY KEY (job_id, position)
);
CREATE INDEX publish_job_images_by_blob ON publish_job_images (sha256, committed_at);

-- 1 once the job's images were copied from its draft (possibly none).
ALTER TABLE publish_jobs ADD COLUMN images_planned INTEGER NOT NULL DEFAULT 0;
