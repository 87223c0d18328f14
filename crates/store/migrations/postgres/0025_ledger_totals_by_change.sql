-- On SQLite the day totals' update trigger is split so that a payment moves one row by the
-- difference (see the SQLite migration). PostgreSQL's trigger runs once per statement over its
-- transition tables, already one grouped upsert whatever changed: nothing to do.
SELECT 1;
