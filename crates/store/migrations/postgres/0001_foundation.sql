-- Foundation: tenants (creditors), users, customers, invoices, credit notes, payments,
-- allocations, and the record of imports. Money is integer minor units.

CREATE TABLE tenants (
    id                        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    default_payment_term_days BIGINT NOT NULL DEFAULT 30 CHECK (default_payment_term_days >= 0),
    created_at                TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id     BIGINT NOT NULL REFERENCES tenants (id),
    email         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'collector', 'viewer')),
    password_hash TEXT,
    created_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, email)
);

CREATE TABLE customers (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id         BIGINT NOT NULL REFERENCES tenants (id),
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
    consent_email     BOOLEAN NOT NULL DEFAULT TRUE,
    consent_sms       BOOLEAN NOT NULL DEFAULT FALSE,
    consent_phone     BOOLEAN NOT NULL DEFAULT TRUE,
    consent_letter    BOOLEAN NOT NULL DEFAULT TRUE,
    preferred_channel TEXT NOT NULL DEFAULT 'email' CHECK (preferred_channel IN ('email', 'sms', 'phone', 'letter')),
    billing_entity    TEXT,
    row_hash          BIGINT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, reference)
);

CREATE TABLE imports (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id     BIGINT NOT NULL REFERENCES tenants (id),
    kind          TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    file_hash     TEXT NOT NULL,
    rows_read     BIGINT NOT NULL CHECK (rows_read >= 0),
    created       BIGINT NOT NULL CHECK (created >= 0),
    updated       BIGINT NOT NULL CHECK (updated >= 0),
    unchanged     BIGINT NOT NULL CHECK (unchanged >= 0),
    imported_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX imports_by_tenant ON imports (tenant_id, kind, id);

CREATE TABLE invoices (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id         BIGINT NOT NULL REFERENCES tenants (id),
    customer_id       BIGINT NOT NULL REFERENCES customers (id),
    number            TEXT NOT NULL CHECK (length(number) > 0),
    issued_on         DATE NOT NULL,
    due_on            DATE NOT NULL CHECK (due_on >= issued_on),
    service_on        DATE,
    currency          TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor      BIGINT NOT NULL CHECK (amount_minor > 0),
    outstanding_minor BIGINT NOT NULL CHECK (outstanding_minor >= 0 AND outstanding_minor <= amount_minor),
    row_hash          BIGINT NOT NULL,
    import_id         BIGINT REFERENCES imports (id),
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
-- A separate index rather than an inline UNIQUE: a large first import builds it once, sorted.
CREATE UNIQUE INDEX invoices_number ON invoices (tenant_id, number);
CREATE INDEX invoices_by_customer ON invoices (tenant_id, customer_id, due_on);
CREATE INDEX open_invoices_by_due_date ON invoices (tenant_id, due_on, customer_id, outstanding_minor, currency)
    WHERE outstanding_minor > 0;

CREATE TABLE credit_notes (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    BIGINT NOT NULL REFERENCES tenants (id),
    customer_id  BIGINT NOT NULL REFERENCES customers (id),
    invoice_id   BIGINT REFERENCES invoices (id),
    number       TEXT NOT NULL CHECK (length(number) > 0),
    issued_on    DATE NOT NULL,
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    reason       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, number)
);

CREATE TABLE payments (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id        BIGINT NOT NULL REFERENCES tenants (id),
    customer_id      BIGINT REFERENCES customers (id),
    received_on      DATE NOT NULL,
    currency         TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor     BIGINT NOT NULL CHECK (amount_minor > 0),
    allocated_minor  BIGINT NOT NULL DEFAULT 0 CHECK (allocated_minor >= 0 AND allocated_minor <= amount_minor),
    reference        TEXT NOT NULL DEFAULT '',
    idempotency_key  TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, idempotency_key)
);

CREATE TABLE allocations (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    BIGINT NOT NULL REFERENCES tenants (id),
    payment_id   BIGINT NOT NULL REFERENCES payments (id),
    invoice_id   BIGINT NOT NULL REFERENCES invoices (id),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX allocations_by_payment ON allocations (payment_id);
CREATE INDEX allocations_by_invoice ON allocations (invoice_id);

-- The allocations of a payment never exceed it: every allocation adds to the payment's
-- allocated total, which its CHECK bounds by the amount; an allocation stays within one tenant.
CREATE FUNCTION allocations_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT tenant_id FROM payments WHERE id = NEW.payment_id) IS DISTINCT FROM NEW.tenant_id
       OR (SELECT tenant_id FROM invoices WHERE id = NEW.invoice_id) IS DISTINCT FROM NEW.tenant_id THEN
        RAISE EXCEPTION 'allocation crosses tenants';
    END IF;
    UPDATE payments SET allocated_minor = allocated_minor + NEW.amount_minor WHERE id = NEW.payment_id;
    RETURN NEW;
END;
$$;
CREATE TRIGGER allocations_guard BEFORE INSERT ON allocations
    FOR EACH ROW EXECUTE FUNCTION allocations_guard();
