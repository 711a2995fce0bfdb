-- A server's byline template (NULL: off), and the byline a publish job was recorded with: the
-- member's display name at publish time, so a retry after a restart writes the same text.
ALTER TABLE guild_settings ADD COLUMN byline TEXT;
ALTER TABLE publish_jobs ADD COLUMN byline TEXT;
