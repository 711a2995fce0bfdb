-- `/entry add` as a durable job: recorded before the reply says it is saved, with its hidden key
-- (`<!-- diary-bot:key -->`) at the end of `body`. `outcome_unknown` is set before each request
-- and cleared when its outcome is recorded: a job found with it set looks for the key among the
-- issue's comments before posting again, so the addendum is posted exactly once.
CREATE TABLE comment_jobs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    issue_number     INTEGER NOT NULL,
    guild_id         INTEGER NOT NULL,
    author_id        INTEGER NOT NULL,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    body             TEXT    NOT NULL,
    state            TEXT    NOT NULL DEFAULT 'pending'
                             CHECK (state IN ('pending', 'done', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    outcome_unknown  INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    comment_url      TEXT,
    error_key        TEXT,
    error_detail     TEXT
);
CREATE INDEX comment_jobs_due ON comment_jobs (state, next_attempt_at);
