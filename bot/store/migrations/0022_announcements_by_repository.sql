-- Several diaries: a member's own repository numbers its issues from 1 like the server's diary,
-- so an announcement is keyed by (channel, repository, issue number). `repository` is
-- `owner/name` in lower case. Rows from before name no repository: they get '' here, which the
-- bot replaces with GITHUB_REPOSITORY (the server diary, the only one there was) when it starts
-- (Store.claim_server_diary), before any worker runs.
-- The issue's own page is kept on the row from now on (it was looked up on the publish job by
-- number, which repositories share); rows that lacked it take it from the job here.
CREATE TABLE announcements_new (
    channel_id           INTEGER NOT NULL,
    repository           TEXT    NOT NULL,
    issue_number         INTEGER NOT NULL,
    title                TEXT    NOT NULL,
    url                  TEXT    NOT NULL,
    excerpt              TEXT    NOT NULL,
    labels               TEXT    NOT NULL DEFAULT '[]',
    author_name          TEXT    NOT NULL,
    author_avatar_url    TEXT,
    entry_created_at     TEXT    NOT NULL,
    state                TEXT    NOT NULL DEFAULT 'pending'
                                 CHECK (state IN ('pending', 'done', 'failed')),
    attempts             INTEGER NOT NULL DEFAULT 0,
    next_attempt_at      TEXT    NOT NULL,
    message_id           INTEGER,
    updated_at           TEXT    NOT NULL,
    entry_state          TEXT    NOT NULL DEFAULT 'open'
                                 CHECK (entry_state IN ('open', 'closed', 'deleted')),
    entry_updated_at     TEXT,
    revision             INTEGER NOT NULL DEFAULT 0,
    shown_revision       INTEGER NOT NULL DEFAULT 0,
    edit_attempts        INTEGER NOT NULL DEFAULT 0,
    edit_next_attempt_at TEXT,
    issue_url            TEXT,
    page_deadline        TEXT,
    nonce                TEXT,
    post_started_at      TEXT,
    outcome_unknown      INTEGER NOT NULL DEFAULT 0,
    image_url            TEXT,
    PRIMARY KEY (channel_id, repository, issue_number)
);
INSERT INTO announcements_new (channel_id, repository, issue_number, title, url, excerpt, labels,
    author_name, author_avatar_url, entry_created_at, state, attempts, next_attempt_at,
    message_id, updated_at, entry_state, entry_updated_at, revision, shown_revision,
    edit_attempts, edit_next_attempt_at, issue_url, page_deadline, nonce, post_started_at,
    outcome_unknown, image_url)
SELECT a.channel_id, '', a.issue_number, a.title, a.url, a.excerpt, a.labels, a.author_name,
    a.author_avatar_url, a.entry_created_at, a.state, a.attempts, a.next_attempt_at,
    a.message_id, a.updated_at, a.entry_state, a.entry_updated_at, a.revision, a.shown_revision,
    a.edit_attempts, a.edit_next_attempt_at,
    COALESCE(a.issue_url, (SELECT j.issue_url FROM publish_jobs j
        WHERE j.issue_number = a.issue_number AND j.state = 'done'
        ORDER BY j.id DESC LIMIT 1)),
    a.page_deadline, a.nonce, a.post_started_at, a.outcome_unknown, a.image_url
FROM announcements a;
DROP TABLE announcements;
ALTER TABLE announcements_new RENAME TO announcements;
CREATE INDEX announcements_due ON announcements (state, next_attempt_at, entry_created_at);
CREATE INDEX announcements_edits_due ON announcements (edit_next_attempt_at)
    WHERE edit_next_attempt_at IS NOT NULL;
-- An entry's announcements in every channel (edits, deletions).
CREATE INDEX announcements_by_entry ON announcements (repository, issue_number);

-- What the watcher remembers of each repository it follows (was one JSON value, key 'watcher'
-- of `state`, for the server diary alone): the last ETag of its issue list, the highest issue
-- number seen (the baseline: nothing up to it is announced as new; `baseline_at` NULL: no
-- baseline taken yet), the newest `updated_at` seen, and how its last check went.
CREATE TABLE watched_repositories (
    repository    TEXT    PRIMARY KEY,
    baseline_at   TEXT,
    etag          TEXT,
    newest        INTEGER NOT NULL DEFAULT 0,
    seen_until    TEXT,
    checked_at    TEXT,
    result        TEXT,
    failures      INTEGER NOT NULL DEFAULT 0,
    next_check_at TEXT
);
INSERT OR IGNORE INTO watched_repositories (repository, baseline_at, etag, newest, seen_until)
SELECT lower(json_extract(value, '$.repository')), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
    json_extract(value, '$.etag'),
    CAST(json_extract(value, '$.newest') AS INTEGER), json_extract(value, '$.seen_until')
FROM state
WHERE key = 'watcher' AND json_valid(value)
    AND json_type(value, '$.repository') = 'text' AND json_type(value, '$.newest') = 'integer';
DELETE FROM state WHERE key = 'watcher';
