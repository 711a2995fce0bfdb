-- The first image of an announced entry, shown as the announcement embed's image.
ALTER TABLE announcements ADD COLUMN image_url TEXT;
