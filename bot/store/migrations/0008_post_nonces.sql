-- Channel posts keyed on Discord's side. Each announcement and each reminder day has a nonce,
-- stored before the first attempt and sent with `enforce_nonce`, so Discord answers a repeat
-- within its few-minute window with the earlier message. `post_started_at` is when the first
-- attempt that may have posted began: past the window, the bot looks for the post before
-- posting again. `outcome_unknown` stays set from such an attempt until the post is recorded.
ALTER TABLE announcements ADD COLUMN nonce TEXT;
ALTER TABLE announcements ADD COLUMN post_started_at TEXT;
ALTER TABLE announcements ADD COLUMN outcome_unknown INTEGER NOT NULL DEFAULT 0;
UPDATE announcements SET nonce = 'a' || lower(hex(randomblob(12))) WHERE nonce IS NULL;

-- A reminder turned off keeps its row (and so the days it handled): turning it on again the
-- same day never posts that day a second time.
ALTER TABLE reminders ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE reminders ADD COLUMN nonce TEXT;
ALTER TABLE reminders ADD COLUMN post_started_at TEXT;
