-- What last went wrong with a member's connection (a message key such as connect.again, when
-- GitHub refused the refresh token) and when; cleared when new tokens are stored. Shown to the
-- server's admins by /diary-admin status (the primary key's guild_id prefix serves that list).
ALTER TABLE member_connections ADD COLUMN failure TEXT;
ALTER TABLE member_connections ADD COLUMN failed_at TEXT;
