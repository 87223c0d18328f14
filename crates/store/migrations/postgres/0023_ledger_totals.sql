-- The dashboard's totals, kept as the ledger changes: what is outstanding by due date (the aged
-- balance) and what was invoiced by issue date (the DSO's sales), per tenant, day and currency.
-- A page then reads a few hundred rows instead of millions of invoices. The triggers work a
-- statement at a time on its transition tables: a batch of a thousand invoices costs one
-- grouped upsert, not a thousand.
CREATE TABLE ledger_day_totals (
    tenant_id      BIGINT NOT NULL REFERENCES tenants (id),
    day            DATE NOT NULL,
    currency       TEXT NOT NULL,
    -- Outstanding of the invoices due on `day`.
    open_due_minor BIGINT NOT NULL,
    -- Amount of the invoices issued on `day`.
    issued_minor   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, day, currency)
);

INSERT INTO ledger_day_totals (tenant_id, day, currency, open_due_minor, issued_minor)
SELECT tenant_id, day, currency, SUM(open_due), SUM(issued) FROM (
    SELECT tenant_id, due_on AS day, currency, outstanding_minor AS open_due, 0 AS issued FROM invoices
    UNION ALL
    SELECT tenant_id, issued_on, currency, 0, amount_minor FROM invoices
) AS entries GROUP BY tenant_id, day, currency;

-- Adds the new rows' amounts and takes the old rows' away, in one upsert in key order (two
-- transactions touching the same days then lock them in the same order and cannot deadlock).
CREATE FUNCTION ledger_totals_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO ledger_day_totals (tenant_id, day, currency, open_due_minor, issued_minor)
        SELECT tenant_id, day, currency, SUM(open_due), SUM(issued) FROM (
            SELECT tenant_id, due_on AS day, currency, outstanding_minor AS open_due, 0 AS issued FROM new_rows
            UNION ALL
            SELECT tenant_id, issued_on, currency, 0, amount_minor FROM new_rows
        ) AS entries GROUP BY tenant_id, day, currency ORDER BY tenant_id, day, currency
        ON CONFLICT (tenant_id, day, currency) DO UPDATE
            SET open_due_minor = ledger_day_totals.open_due_minor + excluded.open_due_minor,
                issued_minor = ledger_day_totals.issued_minor + excluded.issued_minor;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO ledger_day_totals (tenant_id, day, currency, open_due_minor, issued_minor)
        SELECT tenant_id, day, currency, SUM(open_due), SUM(issued) FROM (
            SELECT tenant_id, due_on AS day, currency, outstanding_minor AS open_due, 0 AS issued FROM new_rows
            UNION ALL
            SELECT tenant_id, issued_on, currency, 0, amount_minor FROM new_rows
            UNION ALL
            SELECT tenant_id, due_on, currency, -outstanding_minor, 0 FROM old_rows
            UNION ALL
            SELECT tenant_id, issued_on, currency, 0, -amount_minor FROM old_rows
        ) AS entries GROUP BY tenant_id, day, currency
        HAVING SUM(open_due) <> 0 OR SUM(issued) <> 0
        ORDER BY tenant_id, day, currency
        ON CONFLICT (tenant_id, day, currency) DO UPDATE
            SET open_due_minor = ledger_day_totals.open_due_minor + excluded.open_due_minor,
                issued_minor = ledger_day_totals.issued_minor + excluded.issued_minor;
    ELSE
        INSERT INTO ledger_day_totals (tenant_id, day, currency, open_due_minor, issued_minor)
        SELECT tenant_id, day, currency, SUM(open_due), SUM(issued) FROM (
            SELECT tenant_id, due_on AS day, currency, -outstanding_minor AS open_due, 0 AS issued FROM old_rows
            UNION ALL
            SELECT tenant_id, issued_on, currency, 0, -amount_minor FROM old_rows
        ) AS entries GROUP BY tenant_id, day, currency ORDER BY tenant_id, day, currency
        ON CONFLICT (tenant_id, day, currency) DO UPDATE
            SET open_due_minor = ledger_day_totals.open_due_minor + excluded.open_due_minor,
                issued_minor = ledger_day_totals.issued_minor + excluded.issued_minor;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_totals_insert AFTER INSERT ON invoices
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_totals_change();
CREATE TRIGGER ledger_totals_update AFTER UPDATE ON invoices
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_totals_change();
CREATE TRIGGER ledger_totals_delete AFTER DELETE ON invoices
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_totals_change();

-- The dashboard counts and lists the actions waiting for a manager, whenever decided.
CREATE INDEX actions_awaiting_approval ON actions (tenant_id, id) WHERE status = 'awaiting_approval';
