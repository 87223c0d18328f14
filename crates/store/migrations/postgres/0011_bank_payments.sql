-- Bank statements brought in, their booked lines, what each credit paid and how sure the
-- matcher was, the review queue, the creditor's payment settings, and closed cases.

-- One row per bank file imported (a file that brings nothing new leaves no row).
CREATE TABLE bank_imports (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    file_name   TEXT NOT NULL,
    format      TEXT NOT NULL,
    file_hash   TEXT NOT NULL,
    statements  BIGINT NOT NULL CHECK (statements >= 0),
    lines_read  BIGINT NOT NULL CHECK (lines_read >= 0),
    created     BIGINT NOT NULL CHECK (created >= 0),
    duplicates  BIGINT NOT NULL CHECK (duplicates >= 0),
    imported_at TIMESTAMPTZ NOT NULL
);

-- Each booked entry once, under its layered key (domain::bank::dedup_keys), per account: a
-- repeated or overlapping statement finds its lines already here and creates nothing.
-- state: credits wait in the review queue ('suggested', 'unmatched') or are paid
-- ('auto_applied', 'manual'), set aside ('ignored'), or undone by a reversal ('reversed');
-- 'reversal' is the debit that undid a credit; 'outgoing' any other debit (not a payment).
CREATE TABLE bank_lines (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id             BIGINT NOT NULL REFERENCES tenants (id),
    import_id             BIGINT NOT NULL REFERENCES bank_imports (id),
    account               TEXT NOT NULL,
    dedup_key             TEXT NOT NULL,
    source_line           BIGINT NOT NULL,
    booking_date          DATE NOT NULL,
    value_date            DATE,
    direction             TEXT NOT NULL CHECK (direction = 'credit' OR direction = 'debit'),
    reversal              BIGINT NOT NULL CHECK (reversal IN (0, 1)),
    currency              TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor          BIGINT NOT NULL CHECK (amount_minor > 0),
    counterparty_name     TEXT NOT NULL DEFAULT '',
    counterparty_account  TEXT NOT NULL DEFAULT '',
    remittance            TEXT NOT NULL DEFAULT '',
    creditor_reference    TEXT NOT NULL DEFAULT '',
    bank_reference        TEXT NOT NULL DEFAULT '',
    end_to_end            TEXT NOT NULL DEFAULT '',
    mandate               TEXT NOT NULL DEFAULT '',
    state                 TEXT NOT NULL CHECK (state = 'auto_applied' OR state = 'suggested' OR state = 'unmatched'
        OR state = 'manual' OR state = 'ignored' OR state = 'reversed' OR state = 'reversal' OR state = 'outgoing'),
    confidence            BIGINT NOT NULL DEFAULT 0 CHECK (confidence >= 0 AND confidence <= 100),
    explanation_fr        TEXT NOT NULL DEFAULT '',
    explanation_en        TEXT NOT NULL DEFAULT '',
    -- The matcher's proposal while the line waits: a customer and 'invoice_id:minor' pairs.
    suggested_customer_id BIGINT REFERENCES customers (id),
    suggestion            TEXT NOT NULL DEFAULT '',
    payment_id            BIGINT REFERENCES payments (id),
    reverses_line_id      BIGINT REFERENCES bank_lines (id),
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, account, dedup_key)
);
CREATE INDEX bank_lines_by_state ON bank_lines (tenant_id, state, booking_date);
CREATE INDEX bank_lines_by_payment ON bank_lines (payment_id) WHERE payment_id IS NOT NULL;

-- Undoing an allocation (unmatching a line, a returned direct debit) gives the amount back to
-- its payment.
CREATE FUNCTION allocations_unfill_payment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE payments SET allocated_minor = allocated_minor - OLD.amount_minor WHERE id = OLD.payment_id;
    RETURN OLD;
END;
$$;
CREATE TRIGGER allocations_unfill_payment AFTER DELETE ON allocations
    FOR EACH ROW EXECUTE FUNCTION allocations_unfill_payment();

-- One row per tenant that changed a default. The threshold is a confidence from 0 to 100.
CREATE TABLE payment_settings (
    tenant_id              BIGINT PRIMARY KEY REFERENCES tenants (id),
    auto_apply_threshold   BIGINT NOT NULL CHECK (auto_apply_threshold >= 0 AND auto_apply_threshold <= 100),
    amount_tolerance_minor BIGINT NOT NULL CHECK (amount_tolerance_minor >= 0),
    send_receipt           BIGINT NOT NULL CHECK (send_receipt IN (0, 1)),
    send_thank_you         BIGINT NOT NULL CHECK (send_thank_you IN (0, 1)),
    updated_at             TIMESTAMPTZ NOT NULL
);

-- A customer's case closed by the payment that settled everything it owed.
CREATE TABLE case_closures (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    payment_id  BIGINT REFERENCES payments (id),
    closed_on   DATE NOT NULL,
    note        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_closures_by_customer ON case_closures (tenant_id, customer_id, closed_on);
