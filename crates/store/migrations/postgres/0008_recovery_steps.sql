-- What happened in the recovery outside Relance that the law counts, recorded by the creditor:
-- a formal notice sent by other means (consumers' interest at the legal rate runs from it), a
-- money judgment (the 5-point increase of the legal rate runs two months after it became
-- enforceable and was served), and the collection costs the creditor can prove beyond the fixed
-- indemnity (C. com. L441-10 II). Rows are never deleted: a withdrawal records when and why.

-- One row per invoice the step concerns.
CREATE TABLE recovery_steps (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id         BIGINT NOT NULL REFERENCES tenants (id),
    customer_id       BIGINT NOT NULL REFERENCES customers (id),
    invoice_id        BIGINT NOT NULL REFERENCES invoices (id),
    kind              TEXT NOT NULL CHECK (kind IN ('formal_notice', 'judgment')),
    -- The notice's sending day, or the day the judgment became enforceable.
    occurred_on       DATE NOT NULL,
    -- The day the judgment was served (signification); a notice has none.
    served_on         DATE,
    reference         TEXT NOT NULL,
    note              TEXT NOT NULL,
    recorded_at       TIMESTAMPTZ NOT NULL,
    withdrawn_at      TIMESTAMPTZ,
    withdrawal_reason TEXT,
    CHECK (kind = 'judgment' OR served_on IS NULL),
    CHECK ((withdrawn_at IS NULL) = (withdrawal_reason IS NULL))
);
CREATE INDEX recovery_steps_by_customer ON recovery_steps (tenant_id, customer_id, id);

CREATE TABLE collection_costs (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id         BIGINT NOT NULL REFERENCES tenants (id),
    customer_id       BIGINT NOT NULL REFERENCES customers (id),
    currency          TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor      BIGINT NOT NULL CHECK (amount_minor > 0),
    incurred_on       DATE NOT NULL,
    description       TEXT NOT NULL CHECK (length(description) > 0),
    recorded_at       TIMESTAMPTZ NOT NULL,
    withdrawn_at      TIMESTAMPTZ,
    withdrawal_reason TEXT,
    CHECK ((withdrawn_at IS NULL) = (withdrawal_reason IS NULL))
);
CREATE INDEX collection_costs_by_customer ON collection_costs (tenant_id, customer_id, id);
