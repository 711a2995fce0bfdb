-- Members' own diaries: where a job's issue (or comment) goes and whose credential acts there.
-- `repository` is `owner/name`; `member_guild_id`/`member_user_id` name the member whose
-- connection (member_connections) gives the user token at each attempt: a job never holds a
-- token. All NULL: the server diary (GITHUB_TOKEN on GITHUB_REPOSITORY), as every job before.
ALTER TABLE publish_jobs ADD COLUMN repository TEXT;
ALTER TABLE publish_jobs ADD COLUMN member_guild_id INTEGER;
ALTER TABLE publish_jobs ADD COLUMN member_user_id INTEGER;
ALTER TABLE comment_jobs ADD COLUMN repository TEXT;
ALTER TABLE comment_jobs ADD COLUMN member_guild_id INTEGER;
ALTER TABLE comment_jobs ADD COLUMN member_user_id INTEGER;
-- Where a published draft's issue lives: its author's own repository, or NULL for the server
-- diary (issue numbers are per repository, so #12 of two diaries are two entries).
ALTER TABLE drafts ADD COLUMN issue_repository TEXT;
