-- Each draft keeps its newest 50 revisions (REVISIONS_PER_DRAFT in bot/limits.py when this was
-- written; the store trims to the current number at every new revision). This drops the older
-- history that drafts piled up before there was a bound.
DELETE FROM draft_revisions WHERE id IN (
    SELECT id FROM (
        SELECT id, ROW_NUMBER() OVER (PARTITION BY draft_id ORDER BY id DESC) AS newer
        FROM draft_revisions
    ) WHERE newer > 50
);
