-- The audit log: every change made through the web pages or the API, and every reading of a
-- customer's file, with who, when, what, on which customer or record, and from which address.
-- Append-only: the triggers refuse to change or delete an entry, whoever asks.
-- `occurred_at` is in Unix seconds, comparable on both backends; `id` orders entries of the same
-- second.
CREATE TABLE audit_log (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    BIGINT NOT NULL REFERENCES tenants (id),
    occurred_at  BIGINT NOT NULL,
    user_id      BIGINT REFERENCES users (id),
    actor        TEXT NOT NULL CHECK (length(actor) > 0),
    via          TEXT NOT NULL CHECK (via IN ('web', 'api', 'cli')),
    action       TEXT NOT NULL CHECK (length(action) > 0),
    customer_ref TEXT,
    record       TEXT,
    address      TEXT,
    status       INTEGER
);

CREATE INDEX audit_by_time ON audit_log (tenant_id, id);
CREATE INDEX audit_by_customer ON audit_log (tenant_id, customer_ref, id);
CREATE INDEX audit_by_actor ON audit_log (tenant_id, actor, id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
