-- Settlements close a case as payments do, and can be undone (issue: negotiation).
-- A closure names the settlement that closed it; undoing that settlement opens the case again
-- (the closure stays on record with the day it was reopened).
ALTER TABLE case_closures ADD COLUMN settlement_id BIGINT REFERENCES settlements (id);
ALTER TABLE case_closures ADD COLUMN reopened_on DATE;
-- An undone settlement stays on record, with who undid it, when and why.
ALTER TABLE settlements ADD COLUMN undone_at TIMESTAMPTZ;
ALTER TABLE settlements ADD COLUMN undone_by TEXT;
ALTER TABLE settlements ADD COLUMN undo_reason TEXT;
ALTER TABLE settlements ADD CONSTRAINT settlements_undone_whole
    CHECK ((undone_at IS NULL) = (undone_by IS NULL) AND (undone_at IS NULL) = (undo_reason IS NULL));

-- A plan covers accrued late-payment charges as the tenant settles ('none', 'penalties' or
-- 'all'; default 'all'): the tenant's choice, and what each plan included, in minor units.
ALTER TABLE plan_settings ADD COLUMN include_charges TEXT NOT NULL DEFAULT 'all'
    CHECK (include_charges = 'none' OR include_charges = 'penalties' OR include_charges = 'all');
ALTER TABLE payment_plans ADD COLUMN included_charges TEXT NOT NULL DEFAULT 'none'
    CHECK (included_charges = 'none' OR included_charges = 'penalties' OR included_charges = 'all');
ALTER TABLE payment_plans ADD COLUMN charges_minor BIGINT NOT NULL DEFAULT 0 CHECK (charges_minor >= 0);
