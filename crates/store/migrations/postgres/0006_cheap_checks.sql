-- SQLite's version of this migration rewrites CHECK constraints with `IN` lists, which SQLite
-- evaluates through an ephemeral table at every row; PostgreSQL evaluates them cheaply, so
-- nothing changes here. The migration exists to keep the two schemas' versions in step.
SELECT 1;
