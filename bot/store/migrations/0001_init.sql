-- Drafts, durable publish and announcement jobs, per-server settings, and small key/value state.
CREATE TABLE drafts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id      INTEGER NOT NULL,
    author_id     INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    labels        TEXT    NOT NULL DEFAULT '[]',
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    issue_number  INTEGER,
    issue_url     TEXT,
    published_at  TEXT
);
CREATE INDEX drafts_by_owner ON drafts (guild_id, author_id, updated_at);

CREATE TABLE publish_jobs (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id          INTEGER REFERENCES drafts (id) ON DELETE SET NULL,
    guild_id          INTEGER NOT NULL,
    author_id         INTEGER NOT NULL,
    author_name       TEXT    NOT NULL,
    author_avatar_url TEXT,
    idempotency_key   TEXT    NOT NULL UNIQUE,
    title             TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    labels            TEXT    NOT NULL DEFAULT '[]',
    state             TEXT    NOT NULL DEFAULT 'pending'
                              CHECK (state IN ('pending', 'done', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    outcome_unknown   INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   TEXT    NOT NULL,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    issue_number      INTEGER,
    issue_url         TEXT,
    error_key         TEXT,
    error_detail      TEXT
);
-- At most one publish in flight per draft: a second publish joins it.
CREATE UNIQUE INDEX publish_jobs_one_pending_per_draft
    ON publish_jobs (draft_id) WHERE state = 'pending';
CREATE INDEX publish_jobs_due ON publish_jobs (state, next_attempt_at);

CREATE TABLE announcements (
    channel_id        INTEGER NOT NULL,
    issue_number      INTEGER NOT NULL,
    title             TEXT    NOT NULL,
    url               TEXT    NOT NULL,
    excerpt           TEXT    NOT NULL,
    labels            TEXT    NOT NULL DEFAULT '[]',
    author_name       TEXT    NOT NULL,
    author_avatar_url TEXT,
    entry_created_at  TEXT    NOT NULL,
    state             TEXT    NOT NULL DEFAULT 'pending'
                              CHECK (state IN ('pending', 'done', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   TEXT    NOT NULL,
    message_id        INTEGER,
    updated_at        TEXT    NOT NULL,
    PRIMARY KEY (channel_id, issue_number)
);
CREATE INDEX announcements_due ON announcements (state, next_attempt_at);

CREATE TABLE guild_settings (
    guild_id            INTEGER PRIMARY KEY,
    announce_channel_id INTEGER,
    author_role_id      INTEGER,
    timezone            TEXT NOT NULL DEFAULT 'UTC',
    updated_at          TEXT NOT NULL
);

CREATE TABLE state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
