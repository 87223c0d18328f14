-- Settlements other than a payment (issue: negotiation): a credit note reducing an invoice, a
-- settlement in kind (goods or services exchanged, at their value), an assignment of the
-- receivable to a third party, and a write-off. Each reduces the invoice's outstanding amount in
-- the same transaction, with a reason and who decided it; never deleted.
CREATE TABLE settlements (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    BIGINT NOT NULL REFERENCES tenants (id),
    customer_id  BIGINT NOT NULL REFERENCES customers (id),
    invoice_id   BIGINT NOT NULL REFERENCES invoices (id),
    kind         TEXT NOT NULL CHECK (kind IN ('credit-note', 'in-kind', 'assignment', 'write-off')),
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    settled_on   DATE NOT NULL,
    reason       TEXT NOT NULL CHECK (length(reason) > 0),
    decided_by   TEXT NOT NULL CHECK (length(decided_by) > 0),
    -- The assignee, or what was exchanged in kind.
    counterparty TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX settlements_by_customer ON settlements (tenant_id, customer_id, id);
CREATE INDEX settlements_by_date ON settlements (tenant_id, settled_on);
