-- The debtor portal: personal links to a customer's page, and what the debtor did there.
-- A link is stored as the SHA-256 of the random secret in its address: a copy of the database
-- opens no page. Expiry is in Unix seconds, comparable on both backends.
CREATE TABLE portal_links (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  TEXT
) STRICT;
CREATE INDEX portal_links_by_customer ON portal_links (tenant_id, customer_id);

-- What the debtor chose on the portal (a promise, a dispute, a plan asked for), for the staff
-- timeline; the promise, dispute or plan itself lives in its own table.
CREATE TABLE portal_events (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    kind        TEXT NOT NULL CHECK (kind IN ('promise', 'dispute', 'plan', 'plan-request')),
    note        TEXT NOT NULL DEFAULT '',
    occurred_on TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX portal_events_by_customer ON portal_events (tenant_id, customer_id, occurred_on);

-- A creditor's portal settings; no row: the defaults (links for 60 days, promises within 30).
CREATE TABLE portal_settings (
    tenant_id        INTEGER PRIMARY KEY REFERENCES tenants (id),
    link_days        INTEGER NOT NULL CHECK (link_days > 0),
    promise_max_days INTEGER NOT NULL CHECK (promise_max_days > 0),
    updated_at       TEXT NOT NULL
) STRICT;
