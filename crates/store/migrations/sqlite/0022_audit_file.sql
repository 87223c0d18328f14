-- The audit log moves to a file of its own (`relance.audit.db` beside `relance.db`, attached as
-- `audit`). Every reading of a customer's file appends an entry; in the main file those appends
-- waited for the write lock behind an import of millions of rows or a daily run, so readings
-- stalled for as long as the job held it. In its own file the log has its own lock.
-- Entries keep their ids, so a copy interrupted and run again adds nothing twice.
INSERT OR IGNORE INTO audit.audit_log SELECT * FROM main.audit_log;
DROP TABLE main.audit_log;
