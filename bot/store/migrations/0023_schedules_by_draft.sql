-- A draft's schedules by draft: every read of a draft asks whether it has a schedule to show
-- (`has_extras`), and a preview or `/draft list` asks for each draft's latest one. Without
-- this index each of those questions read the whole table.
CREATE INDEX draft_schedules_by_draft ON draft_schedules (draft_id, id);
