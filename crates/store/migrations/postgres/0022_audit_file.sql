-- On SQLite the audit log moves to a file of its own (see the SQLite migration). PostgreSQL
-- locks rows, not the database: appends to the log never wait behind an import. Nothing to do.
SELECT 1;
