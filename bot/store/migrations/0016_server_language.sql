-- The language of posts no member triggered (reminders, notes on deleted entries): `ja` or
-- `en`, set with /diary-admin config language: or, until then, from the first admin who configures
-- the server. NULL: not chosen yet (Discord's preferred locale is used meanwhile).
ALTER TABLE guild_settings ADD COLUMN language TEXT;
