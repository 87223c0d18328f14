-- A payment changes an invoice's outstanding amount and nothing else: one row of the day totals
-- moves, by the difference. The update trigger of 0023 took the invoice out of both of its rows
-- and put it back (four statements), the largest part of applying a payment. Each row now has
-- its own trigger, firing only when what it sums changed; the names keep the `ledger_totals_`
-- prefix, by which a bulk first import finds and defers them.
DROP TRIGGER ledger_totals_update;

-- Outstanding changed, the invoice stays on the same day, tenant and currency.
CREATE TRIGGER ledger_totals_outstanding AFTER UPDATE OF outstanding_minor ON invoices
WHEN NEW.outstanding_minor IS NOT OLD.outstanding_minor
 AND NEW.tenant_id IS OLD.tenant_id AND NEW.due_on IS OLD.due_on AND NEW.currency IS OLD.currency
BEGIN
    UPDATE ledger_day_totals SET open_due_minor = open_due_minor + NEW.outstanding_minor - OLD.outstanding_minor
        WHERE tenant_id = NEW.tenant_id AND day = NEW.due_on AND currency = NEW.currency;
END;

-- The invoice moved to another due day (or tenant, or currency): out of one row, into another,
-- with whatever it now owes.
CREATE TRIGGER ledger_totals_due_moved AFTER UPDATE OF tenant_id, due_on, currency ON invoices
WHEN NEW.tenant_id IS NOT OLD.tenant_id OR NEW.due_on IS NOT OLD.due_on OR NEW.currency IS NOT OLD.currency
BEGIN
    UPDATE ledger_day_totals SET open_due_minor = open_due_minor - OLD.outstanding_minor
        WHERE tenant_id = OLD.tenant_id AND day = OLD.due_on AND currency = OLD.currency;
    INSERT INTO ledger_day_totals VALUES (NEW.tenant_id, NEW.due_on, NEW.currency, NEW.outstanding_minor, 0)
        ON CONFLICT DO UPDATE SET open_due_minor = open_due_minor + excluded.open_due_minor;
END;

-- What was invoiced, by issue day: moves with the amount, the issue date, the tenant or the
-- currency.
CREATE TRIGGER ledger_totals_issued AFTER UPDATE OF tenant_id, issued_on, currency, amount_minor ON invoices
WHEN NEW.tenant_id IS NOT OLD.tenant_id OR NEW.issued_on IS NOT OLD.issued_on
  OR NEW.currency IS NOT OLD.currency OR NEW.amount_minor IS NOT OLD.amount_minor
BEGIN
    UPDATE ledger_day_totals SET issued_minor = issued_minor - OLD.amount_minor
        WHERE tenant_id = OLD.tenant_id AND day = OLD.issued_on AND currency = OLD.currency;
    INSERT INTO ledger_day_totals VALUES (NEW.tenant_id, NEW.issued_on, NEW.currency, 0, NEW.amount_minor)
        ON CONFLICT DO UPDATE SET issued_minor = issued_minor + excluded.issued_minor;
END;
