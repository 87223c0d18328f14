-- Actions and dunning cases no longer carry creation and change times (see the SQLite
-- migration): nothing read them, and the daily run wrote them on every case and action.
CREATE OR REPLACE FUNCTION customers_open_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO dunning_cases (tenant_id, customer_id) VALUES (NEW.tenant_id, NEW.id);
    RETURN NULL;
END;
$$;
ALTER TABLE dunning_cases DROP COLUMN updated_at;
ALTER TABLE actions DROP COLUMN created_at, DROP COLUMN updated_at;
