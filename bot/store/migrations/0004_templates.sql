-- Per-server templates for new drafts: a strftime title format and a body to start from.
ALTER TABLE guild_settings ADD COLUMN title_format TEXT;
ALTER TABLE guild_settings ADD COLUMN body_template TEXT;
