-- The audit log's own file, attached to every pooled connection as `audit` (see `connect.rs`).
-- Created here rather than by a numbered migration, so that a file lost or moved aside is
-- started again empty instead of breaking every request that records.
-- Without foreign keys: SQLite's cannot reach another file; the ids are the main file's.
-- Append-only: the triggers refuse to change or delete an entry, whoever asks.
CREATE TABLE IF NOT EXISTS audit.audit_log (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL,
    occurred_at  INTEGER NOT NULL,
    user_id      INTEGER,
    actor        TEXT NOT NULL CHECK (length(actor) > 0),
    via          TEXT NOT NULL CHECK (via = 'web' OR via = 'api' OR via = 'cli'),
    action       TEXT NOT NULL CHECK (length(action) > 0),
    customer_ref TEXT,
    record       TEXT,
    address      TEXT,
    status       INTEGER
) STRICT;

CREATE INDEX IF NOT EXISTS audit.audit_by_time ON audit_log (tenant_id, id);
CREATE INDEX IF NOT EXISTS audit.audit_by_customer ON audit_log (tenant_id, customer_ref, id);
CREATE INDEX IF NOT EXISTS audit.audit_by_actor ON audit_log (tenant_id, actor, id);

CREATE TRIGGER IF NOT EXISTS audit.audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER IF NOT EXISTS audit.audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
