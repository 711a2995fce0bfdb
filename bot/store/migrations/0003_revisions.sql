-- Every change to a draft is kept as a revision: the draft's state after the change.
CREATE TABLE draft_revisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id   INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    labels     TEXT    NOT NULL DEFAULT '[]',
    reason     TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    undone     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX draft_revisions_by_draft ON draft_revisions (draft_id, id);

-- Drafts written before revisions existed start with their current state.
INSERT INTO draft_revisions (draft_id, title, body, labels, reason, created_at)
SELECT id, title, body, labels, 'create', updated_at FROM drafts;
