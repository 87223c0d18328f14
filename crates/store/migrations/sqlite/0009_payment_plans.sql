-- Payment plans (échéanciers): the invoices a plan covers, its installments, how it was agreed,
-- and each tenant's limits on what a collector may grant without a manager. While a plan is
-- active, dunning leaves its invoices aside.

CREATE TABLE payment_plans (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL REFERENCES tenants (id),
    customer_id      INTEGER NOT NULL REFERENCES customers (id),
    status           TEXT NOT NULL CHECK (status = 'proposed' OR status = 'active' OR status = 'completed' OR status = 'lapsed' OR status = 'cancelled'),
    currency         TEXT NOT NULL CHECK (length(currency) = 3),
    covered_minor    INTEGER NOT NULL CHECK (covered_minor > 0),
    frequency        TEXT NOT NULL,
    -- Penalties and indemnities waived if the plan is honoured (withdrawn if it lapses).
    waive_charges    INTEGER NOT NULL CHECK (waive_charges IN (0, 1)),
    -- The tenant limits it goes beyond, as codes; empty: a collector may grant it.
    exceeded         TEXT NOT NULL,
    proposed_by      TEXT NOT NULL CHECK (length(proposed_by) > 0),
    proposed_at      TEXT NOT NULL,
    approved_by      TEXT,
    accepted_at      TEXT,
    -- 'paper' (a signed copy kept) or 'portal'.
    accepted_how     TEXT,
    acceptance_note  TEXT,
    ended_on         TEXT,
    end_reason       TEXT,
    CHECK ((accepted_at IS NULL) = (accepted_how IS NULL))
) STRICT;
CREATE INDEX payment_plans_by_customer ON payment_plans (tenant_id, customer_id, id);
CREATE INDEX payment_plans_by_status ON payment_plans (tenant_id, status);

CREATE TABLE payment_plan_invoices (
    plan_id           INTEGER NOT NULL REFERENCES payment_plans (id),
    invoice_id        INTEGER NOT NULL REFERENCES invoices (id),
    -- The invoice's outstanding amount when the plan was proposed.
    outstanding_minor INTEGER NOT NULL CHECK (outstanding_minor > 0),
    PRIMARY KEY (plan_id, invoice_id)
) STRICT;
-- The daily run asks, for each open invoice, whether an active plan covers it.
CREATE INDEX payment_plan_invoices_by_invoice ON payment_plan_invoices (invoice_id);

CREATE TABLE payment_plan_installments (
    plan_id      INTEGER NOT NULL REFERENCES payment_plans (id),
    number       INTEGER NOT NULL CHECK (number >= 0),
    due_on       TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (plan_id, number)
) STRICT;

-- No row: the defaults (`domain::plan::PlanLimits::defaults`, 5 days of grace).
CREATE TABLE plan_settings (
    tenant_id            INTEGER PRIMARY KEY REFERENCES tenants (id),
    max_installments     INTEGER NOT NULL CHECK (max_installments > 0),
    min_installment_minor INTEGER NOT NULL CHECK (min_installment_minor >= 0),
    max_months           INTEGER NOT NULL CHECK (max_months > 0),
    grace_days           INTEGER NOT NULL CHECK (grace_days >= 0),
    updated_at           TEXT NOT NULL
) STRICT;
