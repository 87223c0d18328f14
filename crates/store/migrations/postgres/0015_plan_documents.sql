-- The documents of a payment plan, kept with the file: the agreement as generated when the plan
-- was accepted (the exact document, with its SHA-256) and the scanned copy the customer signed.
CREATE TABLE plan_documents (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id  BIGINT NOT NULL REFERENCES tenants (id),
    plan_id    BIGINT NOT NULL REFERENCES payment_plans (id),
    kind       TEXT NOT NULL CHECK (kind IN ('agreement', 'signed_copy')),
    file_name  TEXT NOT NULL CHECK (length(file_name) > 0),
    sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
    content    BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (plan_id, kind)
);
