-- Image bytes are needed only until the entry is in the repository. When a draft becomes an
-- entry, the bytes of each of its images are dropped (set to an empty blob) if the image was
-- committed by some publish job, no unpublished draft links it, and no pending job still has to
-- commit it. The row stays: its hash, size and type, and the committed path in
-- publish_job_images. A new draft adding the same image stores the bytes again.
CREATE TRIGGER drop_published_image_data
AFTER UPDATE OF issue_number ON drafts
WHEN NEW.issue_number IS NOT NULL AND OLD.issue_number IS NULL
BEGIN
    UPDATE image_blobs SET data = x''
    WHERE length(data) > 0
    AND sha256 IN (SELECT sha256 FROM draft_images WHERE draft_id = NEW.id)
    AND sha256 IN (SELECT sha256 FROM publish_job_images WHERE committed_at IS NOT NULL)
    AND sha256 NOT IN (SELECT i.sha256 FROM draft_images i JOIN drafts d ON d.id = i.draft_id
                       WHERE d.issue_number IS NULL)
    AND sha256 NOT IN (SELECT i.sha256 FROM publish_job_images i
                       JOIN publish_jobs j ON j.id = i.job_id
                       WHERE j.state = 'pending' AND i.committed_at IS NULL);
END;

-- Entries published before this version let go of their images' bytes the same way.
UPDATE image_blobs SET data = x''
WHERE length(data) > 0
AND sha256 IN (SELECT i.sha256 FROM draft_images i JOIN drafts d ON d.id = i.draft_id
               WHERE d.issue_number IS NOT NULL)
AND sha256 IN (SELECT sha256 FROM publish_job_images WHERE committed_at IS NOT NULL)
AND sha256 NOT IN (SELECT i.sha256 FROM draft_images i JOIN drafts d ON d.id = i.draft_id
                   WHERE d.issue_number IS NULL)
AND sha256 NOT IN (SELECT i.sha256 FROM publish_job_images i
                   JOIN publish_jobs j ON j.id = i.job_id
                   WHERE j.state = 'pending' AND i.committed_at IS NULL);
