-- Announcements follow their entry after posting: GitHub changes become durable edit jobs.
-- `revision` counts changes of what the message should show; `shown_revision` is what it shows.
-- An edit is due while revision > shown_revision and edit_next_attempt_at is set.
ALTER TABLE announcements ADD COLUMN entry_state TEXT NOT NULL DEFAULT 'open'
    CHECK (entry_state IN ('open', 'closed', 'deleted'));
ALTER TABLE announcements ADD COLUMN entry_updated_at TEXT;
ALTER TABLE announcements ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE announcements ADD COLUMN shown_revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE announcements ADD COLUMN edit_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE announcements ADD COLUMN edit_next_attempt_at TEXT;
-- The issue's own page, the fallback link when the blog page is not live in time.
ALTER TABLE announcements ADD COLUMN issue_url TEXT;
-- Set when the announcer starts waiting for the blog page (WAIT_FOR_PAGE).
ALTER TABLE announcements ADD COLUMN page_deadline TEXT;
CREATE INDEX announcements_edits_due ON announcements (edit_next_attempt_at)
    WHERE edit_next_attempt_at IS NOT NULL;

-- Webhook deliveries already handled (X-GitHub-Delivery), so a redelivery does nothing.
-- Only the most recent ones are kept.
CREATE TABLE webhook_deliveries (
    delivery_id TEXT PRIMARY KEY,
    received_at TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (received_at);
