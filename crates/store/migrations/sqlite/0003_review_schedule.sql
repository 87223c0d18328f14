-- Schedule, don't scan, one date per customer: the day the customer's case next needs looking
-- at. '0001-01-01': now (a new customer, or a new fact); '9999-12-31': only a new fact wakes it.
-- One date per customer instead of one per open invoice: a cold run writes one row per case,
-- not one per invoice.

DROP TRIGGER invoices_reschedule;
DROP INDEX invoices_next_action;
ALTER TABLE invoices DROP COLUMN next_action_on;

-- The run reads a batch of customers' open invoices from this index alone (no table lookups):
-- the narrow projection of open items, kept by the database.
CREATE INDEX open_invoices_by_customer ON invoices (tenant_id, customer_id, due_on, number, outstanding_minor, currency, service_on)
    WHERE outstanding_minor > 0;

ALTER TABLE customers ADD COLUMN next_review_on TEXT NOT NULL DEFAULT '0001-01-01';
-- Counts the facts that woke the case: the run moves the date only when no fact arrived
-- between its reading the customer and its writing the decision (a wake-up while the date was
-- already "now" changes only this count).
ALTER TABLE customers ADD COLUMN wake_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX customers_next_review ON customers (tenant_id, next_review_on);

-- A change of what is owed, of when it falls due or of whose it is puts the case (both cases,
-- when the invoice changes hands) back in front of the engine. Inserting an invoice does not
-- fire anything: the import wakes the existing customers it gave new invoices to, once each,
-- where a trigger would look the customer up once per row.
CREATE TRIGGER invoices_wake_customer AFTER UPDATE OF outstanding_minor, due_on, customer_id ON invoices
WHEN NEW.outstanding_minor IS NOT OLD.outstanding_minor
  OR NEW.due_on IS NOT OLD.due_on
  OR NEW.customer_id IS NOT OLD.customer_id
BEGIN
    UPDATE customers SET next_review_on = '0001-01-01', wake_count = wake_count + 1
     WHERE id IN (NEW.customer_id, OLD.customer_id);
END;
