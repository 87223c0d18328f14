-- Schedule, don't scan, one row per customer: every customer has its case row from its creation,
-- and the row carries the day the case next needs looking at. '0001-01-01': now (a new customer,
-- or a new fact); '9999-12-31': only a new fact wakes it. The run writes one narrow row per case
-- it decides (progress and next date together), not one row per open invoice.

DROP TRIGGER invoices_reschedule ON invoices;
DROP FUNCTION invoices_reschedule();
DROP INDEX invoices_next_action;
ALTER TABLE invoices DROP COLUMN next_action_on;

-- The run reads a batch of customers' open invoices from this index alone.
CREATE INDEX open_invoices_by_customer ON invoices (tenant_id, customer_id, due_on, number, outstanding_minor, currency, service_on)
    WHERE outstanding_minor > 0;

-- Actions are found by customer through their unique key (tenant, customer, episode, step,
-- channel); a second index by customer only made every recorded action a second random write.
DROP INDEX actions_by_customer;

-- wake_count counts the facts that woke the case: the run moves the date only when no fact
-- arrived between its reading the case and its writing the decision (a wake-up while the date
-- was already "now" changes only this count).
ALTER TABLE dunning_cases ALTER COLUMN episode SET DEFAULT 0;
ALTER TABLE dunning_cases ADD COLUMN next_review_on DATE NOT NULL DEFAULT DATE '0001-01-01';
ALTER TABLE dunning_cases ADD COLUMN wake_count BIGINT NOT NULL DEFAULT 0;
INSERT INTO dunning_cases (tenant_id, customer_id, updated_at)
    SELECT c.tenant_id, c.id, c.created_at FROM customers c
     WHERE NOT EXISTS (SELECT 1 FROM dunning_cases d WHERE d.tenant_id = c.tenant_id AND d.customer_id = c.id);
CREATE INDEX dunning_cases_next_review ON dunning_cases (tenant_id, next_review_on);

CREATE FUNCTION customers_open_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO dunning_cases (tenant_id, customer_id, updated_at) VALUES (NEW.tenant_id, NEW.id, NEW.created_at);
    RETURN NULL;
END;
$$;
CREATE TRIGGER customers_open_case AFTER INSERT ON customers
    FOR EACH ROW EXECUTE FUNCTION customers_open_case();

-- A change of what is owed, of when it falls due or of whose it is puts the case (both cases,
-- when the invoice changes hands) back in front of the engine. Inserting an invoice does not
-- fire anything: the import wakes the existing customers it gave new invoices to.
CREATE FUNCTION invoices_wake_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE dunning_cases SET next_review_on = DATE '0001-01-01', wake_count = wake_count + 1
     WHERE tenant_id = NEW.tenant_id AND customer_id IN (NEW.customer_id, OLD.customer_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER invoices_wake_customer AFTER UPDATE OF outstanding_minor, due_on, customer_id ON invoices
    FOR EACH ROW
    WHEN (NEW.outstanding_minor IS DISTINCT FROM OLD.outstanding_minor
          OR NEW.due_on IS DISTINCT FROM OLD.due_on
          OR NEW.customer_id IS DISTINCT FROM OLD.customer_id)
    EXECUTE FUNCTION invoices_wake_customer();
