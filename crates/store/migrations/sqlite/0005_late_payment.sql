-- Late-payment law: the operator's replacement rate tables, each tenant's late-payment policy,
-- a customer's own rule set and contract rate, and the waivers granted to customers.

-- Rate tables are public facts shared by every creditor of an installation, not a tenant's data:
-- an operator replaces the ECB, French legal or German base rate table once for all. The latest
-- row of a kind wins over the table compiled in. `csv` is the table as `formats` writes it.
CREATE TABLE rate_tables (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('ecb', 'fr-legal', 'de-base')),
    csv         TEXT NOT NULL CHECK (length(csv) > 0),
    imported_at TEXT NOT NULL
) STRICT;
CREATE INDEX rate_tables_latest ON rate_tables (kind, id);

-- One row per tenant that changed anything; no row: the French defaults. Codes are those of
-- `domain::late_payment` (checked there when read back).
CREATE TABLE late_payment_settings (
    tenant_id              INTEGER PRIMARY KEY REFERENCES tenants (id),
    claim_start            TEXT NOT NULL,
    day_count              TEXT NOT NULL,
    payment_order          TEXT NOT NULL,
    below_floor            TEXT NOT NULL,
    statutory_rate_floor   TEXT NOT NULL,
    post_judgment_increase TEXT NOT NULL,
    creditor_kind          TEXT NOT NULL,
    -- An early-payment discount: both NULL (none offered) or both given.
    discount_hundredths_of_percent INTEGER CHECK (discount_hundredths_of_percent > 0 AND discount_hundredths_of_percent <= 10000),
    discount_within_days   INTEGER CHECK (discount_within_days >= 0),
    updated_at             TEXT NOT NULL,
    CHECK ((discount_hundredths_of_percent IS NULL) = (discount_within_days IS NULL))
) STRICT;

-- A customer's own terms: a rule set other than the one its country and kind give, and a rate
-- its contract states (fixed, in hundredths of a basis point, or a multiple of the legal rate).
CREATE TABLE customer_late_payment_terms (
    tenant_id                INTEGER NOT NULL REFERENCES tenants (id),
    customer_id              INTEGER NOT NULL REFERENCES customers (id),
    jurisdiction             TEXT,
    contract_rate_units      INTEGER CHECK (contract_rate_units >= 0),
    contract_times_legal     INTEGER CHECK (contract_times_legal > 0),
    updated_at               TEXT NOT NULL,
    CHECK (contract_rate_units IS NULL OR contract_times_legal IS NULL),
    PRIMARY KEY (tenant_id, customer_id)
) STRICT;

-- Charges a creditor gives up, on one invoice or on every invoice of a customer. A waiver is
-- never deleted: withdrawing it (when the agreement it was offered for is broken) records when
-- and why, and the charges are claimed again.
CREATE TABLE waivers (
    id                INTEGER PRIMARY KEY,
    tenant_id         INTEGER NOT NULL REFERENCES tenants (id),
    customer_id       INTEGER NOT NULL REFERENCES customers (id),
    invoice_id        INTEGER REFERENCES invoices (id),
    extent            TEXT NOT NULL CHECK (extent IN ('full', 'amount', 'share')),
    currency          TEXT CHECK (length(currency) = 3),
    amount_minor      INTEGER CHECK (amount_minor > 0),
    share_hundredths_of_percent INTEGER CHECK (share_hundredths_of_percent > 0 AND share_hundredths_of_percent <= 10000),
    charges           TEXT NOT NULL CHECK (charges IN ('interest', 'indemnity', 'both')),
    reason            TEXT NOT NULL CHECK (length(reason) > 0),
    granted_by        TEXT NOT NULL CHECK (length(granted_by) > 0),
    granted_at        TEXT NOT NULL,
    withdrawn_at      TEXT,
    withdrawal_reason TEXT,
    CHECK ((amount_minor IS NOT NULL) = (extent = 'amount') AND (currency IS NOT NULL) = (extent = 'amount')),
    CHECK ((share_hundredths_of_percent IS NOT NULL) = (extent = 'share')),
    CHECK ((withdrawn_at IS NULL) = (withdrawal_reason IS NULL))
) STRICT;
CREATE INDEX waivers_by_customer ON waivers (tenant_id, customer_id, id);
