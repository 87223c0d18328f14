-- The audit log: every change made through the web pages or the API, and every reading of a
-- customer's file, with who, when, what, on which customer or record, and from which address.
-- Append-only: the triggers refuse to change or delete an entry, whoever asks.
-- `occurred_at` is in Unix seconds, comparable on both backends; `id` orders entries of the same
-- second.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    occurred_at  INTEGER NOT NULL,
    user_id      INTEGER REFERENCES users (id),
    actor        TEXT NOT NULL CHECK (length(actor) > 0),
    via          TEXT NOT NULL CHECK (via = 'web' OR via = 'api' OR via = 'cli'),
    action       TEXT NOT NULL CHECK (length(action) > 0),
    customer_ref TEXT,
    record       TEXT,
    address      TEXT,
    status       INTEGER
) STRICT;

CREATE INDEX audit_by_time ON audit_log (tenant_id, id);
CREATE INDEX audit_by_customer ON audit_log (tenant_id, customer_ref, id);
CREATE INDEX audit_by_actor ON audit_log (tenant_id, actor, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
