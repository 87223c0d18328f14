-- The debtor portal: personal links to a customer's page, and what the debtor did there.
-- A link is stored as the SHA-256 of the random secret in its address: a copy of the database
-- opens no page. Expiry is in Unix seconds, comparable on both backends.
CREATE TABLE portal_links (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX portal_links_by_customer ON portal_links (tenant_id, customer_id);

-- What the debtor chose on the portal (a promise, a dispute, a plan asked for), for the staff
-- timeline; the promise, dispute or plan itself lives in its own table.
CREATE TABLE portal_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    kind        TEXT NOT NULL CHECK (kind IN ('promise', 'dispute', 'plan', 'plan-request')),
    note        TEXT NOT NULL DEFAULT '',
    occurred_on DATE NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX portal_events_by_customer ON portal_events (tenant_id, customer_id, occurred_on);

-- A creditor's portal settings; no row: the defaults (links for 60 days, promises within 30).
CREATE TABLE portal_settings (
    tenant_id        BIGINT PRIMARY KEY REFERENCES tenants (id),
    link_days        BIGINT NOT NULL CHECK (link_days > 0),
    promise_max_days BIGINT NOT NULL CHECK (promise_max_days > 0),
    updated_at       TIMESTAMPTZ NOT NULL
);
