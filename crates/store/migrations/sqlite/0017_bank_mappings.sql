-- The CSV mappings a creditor saved, one per bank export it reads: by name, per tenant. The
-- definition is the mapping as text (`formats::bank::MappingSpec::to_toml`), read back with
-- its checks; the store keeps it as written.
CREATE TABLE bank_csv_mappings (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    name       TEXT NOT NULL CHECK (length(name) > 0),
    definition TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, name)
) STRICT;
