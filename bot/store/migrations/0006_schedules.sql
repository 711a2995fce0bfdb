-- Scheduled publishes: `/draft publish when:` records one; when it is due the scheduler hands the
-- draft to the ordinary durable publish job. `claimed_at` is set before that handover, so after a
-- crash in the middle a publish job of the draft created since then means the handover happened.
CREATE TABLE draft_schedules (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id          INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    guild_id          INTEGER NOT NULL,
    author_id         INTEGER NOT NULL,
    due_at            TEXT    NOT NULL,
    -- The labels option as given (checked when scheduled); NULL: the draft's labels when due.
    labels            TEXT,
    author_name       TEXT    NOT NULL,
    author_avatar_url TEXT,
    state             TEXT    NOT NULL DEFAULT 'pending'
                              CHECK (state IN ('pending', 'done', 'cancelled', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   TEXT    NOT NULL,
    claimed_at        TEXT,
    job_id            INTEGER REFERENCES publish_jobs (id) ON DELETE SET NULL,
    error_key         TEXT,
    error_detail      TEXT,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL
);
-- At most one pending schedule per draft: scheduling again replaces it.
CREATE UNIQUE INDEX draft_schedules_one_pending_per_draft
    ON draft_schedules (draft_id) WHERE state = 'pending';
CREATE INDEX draft_schedules_due ON draft_schedules (state, next_attempt_at);

-- The daily reminder of a server: a time of day in the server's time zone, and the last local
-- date (YYYY-MM-DD) it was handled (sent, skipped or given up), so a day is handled once.
-- `outcome` 'sending' is written before the post: a crash then never leads to a second post.
CREATE TABLE reminders (
    guild_id        INTEGER PRIMARY KEY,
    channel_id      INTEGER NOT NULL,
    time_of_day     TEXT    NOT NULL,
    on_this_day     INTEGER NOT NULL DEFAULT 0,
    last_date       TEXT,
    outcome         TEXT
                    CHECK (outcome IN ('sending', 'retrying', 'sent', 'skipped', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    message_id      INTEGER,
    updated_at      TEXT    NOT NULL
);

-- Stats, streaks and reminders look up published entries of a server by time.
CREATE INDEX drafts_published ON drafts (guild_id, published_at) WHERE published_at IS NOT NULL;
