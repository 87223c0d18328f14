-- Payment plans (échéanciers): the invoices a plan covers, its installments, how it was agreed,
-- and each tenant's limits on what a collector may grant without a manager. While a plan is
-- active, dunning leaves its invoices aside.

CREATE TABLE payment_plans (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id        BIGINT NOT NULL REFERENCES tenants (id),
    customer_id      BIGINT NOT NULL REFERENCES customers (id),
    status           TEXT NOT NULL CHECK (status IN ('proposed', 'active', 'completed', 'lapsed', 'cancelled')),
    currency         TEXT NOT NULL CHECK (length(currency) = 3),
    covered_minor    BIGINT NOT NULL CHECK (covered_minor > 0),
    frequency        TEXT NOT NULL,
    -- Penalties and indemnities waived if the plan is honoured (withdrawn if it lapses).
    waive_charges    BOOLEAN NOT NULL,
    -- The tenant limits it goes beyond, as codes; empty: a collector may grant it.
    exceeded         TEXT NOT NULL,
    proposed_by      TEXT NOT NULL CHECK (length(proposed_by) > 0),
    proposed_at      TIMESTAMPTZ NOT NULL,
    approved_by      TEXT,
    accepted_at      TIMESTAMPTZ,
    -- 'paper' (a signed copy kept) or 'portal'.
    accepted_how     TEXT,
    acceptance_note  TEXT,
    ended_on         DATE,
    end_reason       TEXT,
    CHECK ((accepted_at IS NULL) = (accepted_how IS NULL))
);
CREATE INDEX payment_plans_by_customer ON payment_plans (tenant_id, customer_id, id);
CREATE INDEX payment_plans_by_status ON payment_plans (tenant_id, status);

CREATE TABLE payment_plan_invoices (
    plan_id           BIGINT NOT NULL REFERENCES payment_plans (id),
    invoice_id        BIGINT NOT NULL REFERENCES invoices (id),
    -- The invoice's outstanding amount when the plan was proposed.
    outstanding_minor BIGINT NOT NULL CHECK (outstanding_minor > 0),
    PRIMARY KEY (plan_id, invoice_id)
);
-- The daily run asks, for each open invoice, whether an active plan covers it.
CREATE INDEX payment_plan_invoices_by_invoice ON payment_plan_invoices (invoice_id);

CREATE TABLE payment_plan_installments (
    plan_id      BIGINT NOT NULL REFERENCES payment_plans (id),
    number       BIGINT NOT NULL CHECK (number >= 0),
    due_on       DATE NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (plan_id, number)
);

-- No row: the defaults (`domain::plan::PlanLimits::defaults`, 5 days of grace).
CREATE TABLE plan_settings (
    tenant_id            BIGINT PRIMARY KEY REFERENCES tenants (id),
    max_installments     BIGINT NOT NULL CHECK (max_installments > 0),
    min_installment_minor BIGINT NOT NULL CHECK (min_installment_minor >= 0),
    max_months           BIGINT NOT NULL CHECK (max_months > 0),
    grace_days           BIGINT NOT NULL CHECK (grace_days >= 0),
    updated_at           TIMESTAMPTZ NOT NULL
);
