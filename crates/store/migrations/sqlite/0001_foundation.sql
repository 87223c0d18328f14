-- Foundation: tenants (creditors), users, customers, invoices, credit notes, payments,
-- allocations, and the record of imports. Money is integer minor units; dates are ISO text.

CREATE TABLE tenants (
    id                        INTEGER PRIMARY KEY,
    company_name              TEXT NOT NULL CHECK (length(company_name) > 0),
    siren                     TEXT,
    address_line1             TEXT NOT NULL DEFAULT '',
    address_line2             TEXT NOT NULL DEFAULT '',
    postal_code               TEXT NOT NULL DEFAULT '',
    city                      TEXT NOT NULL DEFAULT '',
    country                   TEXT NOT NULL DEFAULT 'FR',
    iban                      TEXT,
    time_zone                 TEXT NOT NULL,
    currency                  TEXT NOT NULL CHECK (length(currency) = 3),
    default_payment_term_days INTEGER NOT NULL DEFAULT 30 CHECK (default_payment_term_days >= 0),
    created_at                TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id),
    email         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'collector', 'viewer')),
    password_hash TEXT,
    created_at    TEXT NOT NULL,
    UNIQUE (tenant_id, email)
) STRICT;

CREATE TABLE customers (
    id                INTEGER PRIMARY KEY,
    tenant_id         INTEGER NOT NULL REFERENCES tenants (id),
    reference         TEXT NOT NULL CHECK (length(reference) > 0),
    legal_name        TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('b2b', 'b2c')),
    siren             TEXT,
    vat_number        TEXT,
    country           TEXT NOT NULL CHECK (length(country) = 2),
    language          TEXT NOT NULL CHECK (language IN ('fr', 'en')),
    time_zone         TEXT,
    address_line1     TEXT NOT NULL DEFAULT '',
    address_line2     TEXT NOT NULL DEFAULT '',
    postal_code       TEXT NOT NULL DEFAULT '',
    city              TEXT NOT NULL DEFAULT '',
    email             TEXT,
    phone             TEXT,
    consent_email     INTEGER NOT NULL DEFAULT 1 CHECK (consent_email IN (0, 1)),
    consent_sms       INTEGER NOT NULL DEFAULT 0 CHECK (consent_sms IN (0, 1)),
    consent_phone     INTEGER NOT NULL DEFAULT 1 CHECK (consent_phone IN (0, 1)),
    consent_letter    INTEGER NOT NULL DEFAULT 1 CHECK (consent_letter IN (0, 1)),
    preferred_channel TEXT NOT NULL DEFAULT 'email' CHECK (preferred_channel IN ('email', 'sms', 'phone', 'letter')),
    billing_entity    TEXT,
    row_hash          INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (tenant_id, reference)
) STRICT;

CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id),
    kind          TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    file_hash     TEXT NOT NULL,
    rows_read     INTEGER NOT NULL CHECK (rows_read >= 0),
    created       INTEGER NOT NULL CHECK (created >= 0),
    updated       INTEGER NOT NULL CHECK (updated >= 0),
    unchanged     INTEGER NOT NULL CHECK (unchanged >= 0),
    imported_at   TEXT NOT NULL
) STRICT;
CREATE INDEX imports_by_tenant ON imports (tenant_id, kind, id);

CREATE TABLE invoices (
    id                INTEGER PRIMARY KEY,
    tenant_id         INTEGER NOT NULL REFERENCES tenants (id),
    customer_id       INTEGER NOT NULL REFERENCES customers (id),
    number            TEXT NOT NULL CHECK (length(number) > 0),
    issued_on         TEXT NOT NULL,
    due_on            TEXT NOT NULL CHECK (due_on >= issued_on),
    service_on        TEXT,
    currency          TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor      INTEGER NOT NULL CHECK (amount_minor > 0),
    outstanding_minor INTEGER NOT NULL CHECK (outstanding_minor >= 0 AND outstanding_minor <= amount_minor),
    row_hash          INTEGER NOT NULL,
    import_id         INTEGER REFERENCES imports (id),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
) STRICT;
-- A separate index rather than an inline UNIQUE: a large first import builds it once, sorted.
CREATE UNIQUE INDEX invoices_number ON invoices (tenant_id, number);
CREATE INDEX invoices_by_customer ON invoices (tenant_id, customer_id, due_on);
CREATE INDEX open_invoices_by_due_date ON invoices (tenant_id, due_on, customer_id, outstanding_minor, currency)
    WHERE outstanding_minor > 0;

CREATE TABLE credit_notes (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    invoice_id   INTEGER REFERENCES invoices (id),
    number       TEXT NOT NULL CHECK (length(number) > 0),
    issued_on    TEXT NOT NULL,
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    reason       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (tenant_id, number)
) STRICT;

CREATE TABLE payments (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL REFERENCES tenants (id),
    customer_id      INTEGER REFERENCES customers (id),
    received_on      TEXT NOT NULL,
    currency         TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor     INTEGER NOT NULL CHECK (amount_minor > 0),
    allocated_minor  INTEGER NOT NULL DEFAULT 0 CHECK (allocated_minor >= 0 AND allocated_minor <= amount_minor),
    reference        TEXT NOT NULL DEFAULT '',
    idempotency_key  TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    UNIQUE (tenant_id, idempotency_key)
) STRICT;

CREATE TABLE allocations (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    payment_id   INTEGER NOT NULL REFERENCES payments (id),
    invoice_id   INTEGER NOT NULL REFERENCES invoices (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX allocations_by_payment ON allocations (payment_id);
CREATE INDEX allocations_by_invoice ON allocations (invoice_id);

-- The allocations of a payment never exceed it: every allocation adds to the payment's
-- allocated total, which its CHECK bounds by the amount.
CREATE TRIGGER allocations_fill_payment AFTER INSERT ON allocations
BEGIN
    UPDATE payments SET allocated_minor = allocated_minor + NEW.amount_minor WHERE id = NEW.payment_id;
END;

-- An allocation must stay within one tenant.
CREATE TRIGGER allocations_same_tenant BEFORE INSERT ON allocations
WHEN (SELECT tenant_id FROM payments WHERE id = NEW.payment_id) IS NOT NEW.tenant_id
  OR (SELECT tenant_id FROM invoices WHERE id = NEW.invoice_id) IS NOT NEW.tenant_id
BEGIN
    SELECT RAISE(ABORT, 'allocation crosses tenants');
END;
