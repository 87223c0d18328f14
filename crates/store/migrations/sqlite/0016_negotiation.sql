-- Settlements close a case as payments do, and can be undone (issue: negotiation).
-- A closure names the settlement that closed it; undoing that settlement opens the case again
-- (the closure stays on record with the day it was reopened).
ALTER TABLE case_closures ADD COLUMN settlement_id INTEGER REFERENCES settlements (id);
ALTER TABLE case_closures ADD COLUMN reopened_on TEXT;
-- An undone settlement stays on record, with who undid it, when and why.
ALTER TABLE settlements ADD COLUMN undone_at TEXT;
ALTER TABLE settlements ADD COLUMN undone_by TEXT;
ALTER TABLE settlements ADD COLUMN undo_reason TEXT;
