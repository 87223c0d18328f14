-- Closing an incident says why contact may resume; the note exists only once it is resolved.
ALTER TABLE incidents ADD COLUMN resolution_note TEXT CHECK (resolution_note IS NULL OR resolved_on IS NOT NULL);
