-- The dashboard's totals, kept as the ledger changes: what is outstanding by due date (the aged
-- balance) and what was invoiced by issue date (the DSO's sales), per tenant, day and currency.
-- A page then reads a few hundred rows instead of millions of invoices. A bulk first import
-- drops the triggers and adds its own rows' totals in one pass before commit
-- (`sqlite_import.rs`); every other write keeps them through the triggers.
CREATE TABLE ledger_day_totals (
    tenant_id      INTEGER NOT NULL REFERENCES tenants (id),
    day            TEXT NOT NULL,
    currency       TEXT NOT NULL,
    -- Outstanding of the invoices due on `day`.
    open_due_minor INTEGER NOT NULL,
    -- Amount of the invoices issued on `day`.
    issued_minor   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, day, currency)
) STRICT, WITHOUT ROWID;

INSERT INTO ledger_day_totals (tenant_id, day, currency, open_due_minor, issued_minor)
SELECT tenant_id, day, currency, SUM(open_due), SUM(issued) FROM (
    SELECT tenant_id, due_on AS day, currency, outstanding_minor AS open_due, 0 AS issued FROM invoices
    UNION ALL
    SELECT tenant_id, issued_on, currency, 0, amount_minor FROM invoices
) GROUP BY tenant_id, day, currency;

CREATE TRIGGER ledger_totals_insert AFTER INSERT ON invoices BEGIN
    INSERT INTO ledger_day_totals VALUES (NEW.tenant_id, NEW.due_on, NEW.currency, NEW.outstanding_minor, 0)
        ON CONFLICT DO UPDATE SET open_due_minor = open_due_minor + excluded.open_due_minor;
    INSERT INTO ledger_day_totals VALUES (NEW.tenant_id, NEW.issued_on, NEW.currency, 0, NEW.amount_minor)
        ON CONFLICT DO UPDATE SET issued_minor = issued_minor + excluded.issued_minor;
END;

CREATE TRIGGER ledger_totals_update
AFTER UPDATE OF tenant_id, issued_on, due_on, currency, amount_minor, outstanding_minor ON invoices BEGIN
    UPDATE ledger_day_totals SET open_due_minor = open_due_minor - OLD.outstanding_minor
        WHERE tenant_id = OLD.tenant_id AND day = OLD.due_on AND currency = OLD.currency;
    UPDATE ledger_day_totals SET issued_minor = issued_minor - OLD.amount_minor
        WHERE tenant_id = OLD.tenant_id AND day = OLD.issued_on AND currency = OLD.currency;
    INSERT INTO ledger_day_totals VALUES (NEW.tenant_id, NEW.due_on, NEW.currency, NEW.outstanding_minor, 0)
        ON CONFLICT DO UPDATE SET open_due_minor = open_due_minor + excluded.open_due_minor;
    INSERT INTO ledger_day_totals VALUES (NEW.tenant_id, NEW.issued_on, NEW.currency, 0, NEW.amount_minor)
        ON CONFLICT DO UPDATE SET issued_minor = issued_minor + excluded.issued_minor;
END;

CREATE TRIGGER ledger_totals_delete AFTER DELETE ON invoices BEGIN
    UPDATE ledger_day_totals SET open_due_minor = open_due_minor - OLD.outstanding_minor
        WHERE tenant_id = OLD.tenant_id AND day = OLD.due_on AND currency = OLD.currency;
    UPDATE ledger_day_totals SET issued_minor = issued_minor - OLD.amount_minor
        WHERE tenant_id = OLD.tenant_id AND day = OLD.issued_on AND currency = OLD.currency;
END;

-- The dashboard counts and lists the actions waiting for a manager, whenever decided.
CREATE INDEX actions_awaiting_approval ON actions (tenant_id, id) WHERE status = 'awaiting_approval';
