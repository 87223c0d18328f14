-- The dunning engine's state: scenarios and contact policies as the user wrote them, each
-- customer's case, the actions decided, and what happened around them (contacts, promises,
-- disputes, holds, incidents).

ALTER TABLE customers ADD COLUMN risk_segment TEXT NOT NULL DEFAULT 'standard' CHECK (risk_segment IN ('low', 'standard', 'high'));
-- The scenario assigned to the customer; NULL: the default for its kind.
ALTER TABLE customers ADD COLUMN scenario TEXT;

-- Schedule, don't scan: the day the invoice's case next needs looking at. NULL: never looked
-- at yet (new); '9999-12-31': only a new fact wakes it.
ALTER TABLE invoices ADD COLUMN next_action_on TEXT;
CREATE INDEX invoices_next_action ON invoices (tenant_id, next_action_on, customer_id) WHERE outstanding_minor > 0;

-- A change of what is owed or when it falls due puts the invoice back in front of the engine.
CREATE TRIGGER invoices_reschedule AFTER UPDATE OF outstanding_minor, due_on ON invoices
WHEN NEW.next_action_on IS NOT NULL
  AND (NEW.outstanding_minor IS NOT OLD.outstanding_minor OR NEW.due_on IS NOT OLD.due_on)
BEGIN
    UPDATE invoices SET next_action_on = NULL WHERE id = NEW.id;
END;

CREATE TABLE scenarios (
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    name        TEXT NOT NULL CHECK (length(name) > 0),
    definition  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name)
) STRICT;

-- customer_id NULL: the tenant's policy; otherwise a customer's override.
CREATE TABLE contact_policies (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    customer_id INTEGER REFERENCES customers (id),
    definition  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX contact_policies_tenant ON contact_policies (tenant_id) WHERE customer_id IS NULL;
CREATE UNIQUE INDEX contact_policies_customer ON contact_policies (tenant_id, customer_id) WHERE customer_id IS NOT NULL;

CREATE TABLE dunning_cases (
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    episode     INTEGER NOT NULL CHECK (episode >= 0),
    anchor_on   TEXT,
    level       INTEGER CHECK (level >= 0),
    level_on    TEXT,
    handed_off  INTEGER NOT NULL DEFAULT 0 CHECK (handed_off IN (0, 1)),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, customer_id)
) STRICT;

CREATE TABLE actions (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL REFERENCES tenants (id),
    customer_id      INTEGER NOT NULL REFERENCES customers (id),
    episode          INTEGER NOT NULL,
    step_key         TEXT NOT NULL,
    channel          TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'letter', 'registered_letter', 'phone_task', 'agency_handoff', 'legal')),
    companion        INTEGER NOT NULL CHECK (companion IN (0, 1)),
    tone             TEXT NOT NULL CHECK (tone IN ('courteous', 'firm', 'formal')),
    template         TEXT NOT NULL,
    invoice_ids      TEXT NOT NULL,
    invoice_numbers  TEXT NOT NULL,
    decided_on       TEXT NOT NULL,
    scheduled_at     TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('awaiting_approval', 'scheduled', 'skipped', 'sent', 'cancelled')),
    explanation      TEXT NOT NULL,
    status_note      TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (tenant_id, customer_id, episode, step_key, channel)
) STRICT;
CREATE INDEX actions_by_customer ON actions (tenant_id, customer_id, decided_on);
CREATE INDEX actions_by_date ON actions (tenant_id, decided_on);

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    channel      TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'phone', 'letter')),
    outcome      TEXT NOT NULL CHECK (outcome IN ('sent', 'reached', 'no-answer', 'wrong-number', 'bounced')),
    reason       TEXT CHECK (reason IN ('forgot', 'cash-flow', 'dispute', 'wrong-entity', 'bad-faith', 'insolvency', 'other')),
    note         TEXT NOT NULL DEFAULT '',
    occurred_on  TEXT NOT NULL,
    created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX contacts_by_customer ON contacts (tenant_id, customer_id, occurred_on);

CREATE TABLE promises (
    id                      INTEGER PRIMARY KEY,
    tenant_id               INTEGER NOT NULL REFERENCES tenants (id),
    customer_id             INTEGER NOT NULL REFERENCES customers (id),
    currency                TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor            INTEGER NOT NULL CHECK (amount_minor > 0),
    balance_when_made_minor INTEGER NOT NULL CHECK (balance_when_made_minor >= 0),
    due_on                  TEXT NOT NULL,
    status                  TEXT NOT NULL CHECK (status IN ('pending', 'kept', 'broken')),
    note                    TEXT NOT NULL DEFAULT '',
    created_at              TEXT NOT NULL,
    resolved_on             TEXT
) STRICT;
CREATE INDEX promises_by_customer ON promises (tenant_id, customer_id, status);

CREATE TABLE disputes (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    invoice_id  INTEGER NOT NULL REFERENCES invoices (id),
    reason      TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    opened_on   TEXT NOT NULL,
    closed_on   TEXT,
    outcome     TEXT CHECK (outcome IN ('upheld', 'rejected', 'credit-note')),
    created_at  TEXT NOT NULL,
    CHECK ((closed_on IS NULL) = (outcome IS NULL))
) STRICT;
CREATE UNIQUE INDEX disputes_open ON disputes (tenant_id, invoice_id) WHERE closed_on IS NULL;
CREATE INDEX disputes_by_invoice ON disputes (tenant_id, invoice_id);

CREATE TABLE holds (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    until_on    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX holds_by_customer ON holds (tenant_id, customer_id);

CREATE TABLE incidents (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    note        TEXT NOT NULL,
    opened_on   TEXT NOT NULL,
    resolved_on TEXT,
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX incidents_by_customer ON incidents (tenant_id, customer_id);
