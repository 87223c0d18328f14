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
