-- The dunning engine's state: scenarios and contact policies as the user wrote them, each
-- customer's case, the actions decided, and what happened around them (contacts, promises,
-- disputes, holds, incidents).

ALTER TABLE customers ADD COLUMN risk_segment TEXT NOT NULL DEFAULT 'standard' CHECK (risk_segment IN ('low', 'standard', 'high'));
-- The scenario assigned to the customer; NULL: the default for its kind.
ALTER TABLE customers ADD COLUMN scenario TEXT;

-- Schedule, don't scan: the day the invoice's case next needs looking at. NULL: never looked
-- at yet (new); '9999-12-31': only a new fact wakes it.
ALTER TABLE invoices ADD COLUMN next_action_on DATE;
CREATE INDEX invoices_next_action ON invoices (tenant_id, next_action_on, customer_id) WHERE outstanding_minor > 0;

-- A change of what is owed or when it falls due puts the invoice back in front of the engine.
CREATE FUNCTION invoices_reschedule() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.next_action_on IS NOT NULL
       AND (NEW.outstanding_minor IS DISTINCT FROM OLD.outstanding_minor OR NEW.due_on IS DISTINCT FROM OLD.due_on) THEN
        NEW.next_action_on := NULL;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER invoices_reschedule BEFORE UPDATE ON invoices
    FOR EACH ROW EXECUTE FUNCTION invoices_reschedule();

-- Dates read back as ISO text whatever the server's DateStyle.
CREATE FUNCTION iso(d DATE) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$ SELECT to_char(d, 'YYYY-MM-DD') $$;

CREATE TABLE scenarios (
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    name        TEXT NOT NULL CHECK (length(name) > 0),
    definition  TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

-- customer_id NULL: the tenant's policy; otherwise a customer's override.
CREATE TABLE contact_policies (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    customer_id BIGINT REFERENCES customers (id),
    definition  TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX contact_policies_tenant ON contact_policies (tenant_id) WHERE customer_id IS NULL;
CREATE UNIQUE INDEX contact_policies_customer ON contact_policies (tenant_id, customer_id) WHERE customer_id IS NOT NULL;

CREATE TABLE dunning_cases (
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    episode     BIGINT NOT NULL CHECK (episode >= 0),
    anchor_on   DATE,
    level       BIGINT CHECK (level >= 0),
    level_on    DATE,
    handed_off  BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, customer_id)
);

CREATE TABLE actions (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id        BIGINT NOT NULL REFERENCES tenants (id),
    customer_id      BIGINT NOT NULL REFERENCES customers (id),
    episode          BIGINT NOT NULL,
    step_key         TEXT NOT NULL,
    channel          TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'letter', 'registered_letter', 'phone_task', 'agency_handoff', 'legal')),
    companion        BOOLEAN NOT NULL,
    tone             TEXT NOT NULL CHECK (tone IN ('courteous', 'firm', 'formal')),
    template         TEXT NOT NULL,
    invoice_ids      TEXT NOT NULL,
    invoice_numbers  TEXT NOT NULL,
    decided_on       DATE NOT NULL,
    scheduled_at     TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('awaiting_approval', 'scheduled', 'skipped', 'sent', 'cancelled')),
    explanation      TEXT NOT NULL,
    status_note      TEXT,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, customer_id, episode, step_key, channel)
);
CREATE INDEX actions_by_customer ON actions (tenant_id, customer_id, decided_on);
CREATE INDEX actions_by_date ON actions (tenant_id, decided_on);

CREATE TABLE contacts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    BIGINT NOT NULL REFERENCES tenants (id),
    customer_id  BIGINT NOT NULL REFERENCES customers (id),
    channel      TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'phone', 'letter')),
    outcome      TEXT NOT NULL CHECK (outcome IN ('sent', 'reached', 'no-answer', 'wrong-number', 'bounced')),
    reason       TEXT CHECK (reason IN ('forgot', 'cash-flow', 'dispute', 'wrong-entity', 'bad-faith', 'insolvency', 'other')),
    note         TEXT NOT NULL DEFAULT '',
    occurred_on  DATE NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX contacts_by_customer ON contacts (tenant_id, customer_id, occurred_on);

CREATE TABLE promises (
    id                      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id               BIGINT NOT NULL REFERENCES tenants (id),
    customer_id             BIGINT NOT NULL REFERENCES customers (id),
    currency                TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor            BIGINT NOT NULL CHECK (amount_minor > 0),
    balance_when_made_minor BIGINT NOT NULL CHECK (balance_when_made_minor >= 0),
    due_on                  DATE NOT NULL,
    status                  TEXT NOT NULL CHECK (status IN ('pending', 'kept', 'broken')),
    note                    TEXT NOT NULL DEFAULT '',
    created_at              TIMESTAMPTZ NOT NULL,
    resolved_on             DATE
);
CREATE INDEX promises_by_customer ON promises (tenant_id, customer_id, status);

CREATE TABLE disputes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    invoice_id  BIGINT NOT NULL REFERENCES invoices (id),
    reason      TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    opened_on   DATE NOT NULL,
    closed_on   DATE,
    outcome     TEXT CHECK (outcome IN ('upheld', 'rejected', 'credit-note')),
    created_at  TIMESTAMPTZ NOT NULL,
    CHECK ((closed_on IS NULL) = (outcome IS NULL))
);
CREATE UNIQUE INDEX disputes_open ON disputes (tenant_id, invoice_id) WHERE closed_on IS NULL;
CREATE INDEX disputes_by_invoice ON disputes (tenant_id, invoice_id);

CREATE TABLE holds (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    until_on    DATE NOT NULL,
    reason      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX holds_by_customer ON holds (tenant_id, customer_id);

CREATE TABLE incidents (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    note        TEXT NOT NULL,
    opened_on   DATE NOT NULL,
    resolved_on DATE,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX incidents_by_customer ON incidents (tenant_id, customer_id);
