-- The draft limit and `/draft list` look at a member's unpublished drafts first; a daily
-- writer keeps thousands of published ones, which these lookups should not have to read.
CREATE INDEX drafts_unpublished_by_owner ON drafts (guild_id, author_id, updated_at)
    WHERE issue_number IS NULL;
