-- Bank statements brought in, their booked lines, what each credit paid and how sure the
-- matcher was, the review queue, the creditor's payment settings, and closed cases.

-- One row per bank file imported (a file that brings nothing new leaves no row).
CREATE TABLE bank_imports (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    file_name   TEXT NOT NULL,
    format      TEXT NOT NULL,
    file_hash   TEXT NOT NULL,
    statements  INTEGER NOT NULL CHECK (statements >= 0),
    lines_read  INTEGER NOT NULL CHECK (lines_read >= 0),
    created     INTEGER NOT NULL CHECK (created >= 0),
    duplicates  INTEGER NOT NULL CHECK (duplicates >= 0),
    imported_at TEXT NOT NULL
) STRICT;

-- Each booked entry once, under its layered key (domain::bank::dedup_keys), per account: a
-- repeated or overlapping statement finds its lines already here and creates nothing.
-- state: credits wait in the review queue ('suggested', 'unmatched') or are paid
-- ('auto_applied', 'manual'), set aside ('ignored'), or undone by a reversal ('reversed');
-- 'reversal' is the debit that undid a credit; 'outgoing' any other debit (not a payment).
CREATE TABLE bank_lines (
    id                    INTEGER PRIMARY KEY,
    tenant_id             INTEGER NOT NULL REFERENCES tenants (id),
    import_id             INTEGER NOT NULL REFERENCES bank_imports (id),
    account               TEXT NOT NULL,
    dedup_key             TEXT NOT NULL,
    source_line           INTEGER NOT NULL,
    booking_date          TEXT NOT NULL,
    value_date            TEXT,
    direction             TEXT NOT NULL CHECK (direction = 'credit' OR direction = 'debit'),
    reversal              INTEGER NOT NULL CHECK (reversal IN (0, 1)),
    currency              TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor          INTEGER NOT NULL CHECK (amount_minor > 0),
    counterparty_name     TEXT NOT NULL DEFAULT '',
    counterparty_account  TEXT NOT NULL DEFAULT '',
    remittance            TEXT NOT NULL DEFAULT '',
    creditor_reference    TEXT NOT NULL DEFAULT '',
    bank_reference        TEXT NOT NULL DEFAULT '',
    end_to_end            TEXT NOT NULL DEFAULT '',
    mandate               TEXT NOT NULL DEFAULT '',
    state                 TEXT NOT NULL CHECK (state = 'auto_applied' OR state = 'suggested' OR state = 'unmatched'
        OR state = 'manual' OR state = 'ignored' OR state = 'reversed' OR state = 'reversal' OR state = 'outgoing'),
    confidence            INTEGER NOT NULL DEFAULT 0 CHECK (confidence >= 0 AND confidence <= 100),
    explanation_fr        TEXT NOT NULL DEFAULT '',
    explanation_en        TEXT NOT NULL DEFAULT '',
    -- The matcher's proposal while the line waits: a customer and 'invoice_id:minor' pairs.
    suggested_customer_id INTEGER REFERENCES customers (id),
    suggestion            TEXT NOT NULL DEFAULT '',
    payment_id            INTEGER REFERENCES payments (id),
    reverses_line_id      INTEGER REFERENCES bank_lines (id),
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    UNIQUE (tenant_id, account, dedup_key)
) STRICT;
CREATE INDEX bank_lines_by_state ON bank_lines (tenant_id, state, booking_date);
CREATE INDEX bank_lines_by_payment ON bank_lines (payment_id) WHERE payment_id IS NOT NULL;

-- Undoing an allocation (unmatching a line, a returned direct debit) gives the amount back to
-- its payment.
CREATE TRIGGER allocations_unfill_payment AFTER DELETE ON allocations
BEGIN
    UPDATE payments SET allocated_minor = allocated_minor - OLD.amount_minor WHERE id = OLD.payment_id;
END;

-- One row per tenant that changed a default. The threshold is a confidence from 0 to 100.
CREATE TABLE payment_settings (
    tenant_id              INTEGER PRIMARY KEY REFERENCES tenants (id),
    auto_apply_threshold   INTEGER NOT NULL CHECK (auto_apply_threshold >= 0 AND auto_apply_threshold <= 100),
    amount_tolerance_minor INTEGER NOT NULL CHECK (amount_tolerance_minor >= 0),
    send_receipt           INTEGER NOT NULL CHECK (send_receipt IN (0, 1)),
    send_thank_you         INTEGER NOT NULL CHECK (send_thank_you IN (0, 1)),
    updated_at             TEXT NOT NULL
) STRICT;

-- A customer's case closed by the payment that settled everything it owed.
CREATE TABLE case_closures (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    payment_id  INTEGER REFERENCES payments (id),
    closed_on   TEXT NOT NULL,
    note        TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX case_closures_by_customer ON case_closures (tenant_id, customer_id, closed_on);
