-- The CSV mappings a creditor saved, one per bank export it reads: by name, per tenant. The
-- definition is the mapping as text (`formats::bank::MappingSpec::to_toml`), read back with
-- its checks; the store keeps it as written.
CREATE TABLE bank_csv_mappings (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id  BIGINT NOT NULL REFERENCES tenants (id),
    name       TEXT NOT NULL CHECK (length(name) > 0),
    definition TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, name)
);

-- A remainder a payment leaves on an invoice, at or below this amount (minor units of the
-- creditor's currency), is written off with the payment; 0: never.
ALTER TABLE payment_settings ADD COLUMN write_off_minor BIGINT NOT NULL DEFAULT 0 CHECK (write_off_minor >= 0);

-- The payment whose small remainder a write-off settled: undoing the payment undoes it.
ALTER TABLE settlements ADD COLUMN payment_id BIGINT REFERENCES payments (id);
CREATE INDEX settlements_by_payment ON settlements (payment_id) WHERE payment_id IS NOT NULL;
