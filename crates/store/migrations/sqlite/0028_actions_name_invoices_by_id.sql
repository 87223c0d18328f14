-- The daily run writes an action for every step it decides: at ten million invoices a cold run
-- writes 451,525, every byte twice (the write-ahead log, then the database). Two of their
-- columns held what can be kept smaller.
--
-- An action names its invoices by id only; their numbers are read from the invoices, which
-- never change number nor go away. The numbers as JSON were 82 of an action's 440 bytes.
ALTER TABLE actions DROP COLUMN invoice_numbers;
-- The run's actions keep the engine's reasons in a compact form (`domain::explanation`), put
-- into words in the reader's language when read, and no words: 204 bytes an action in words,
-- about 95 as reasons. Actions proposed with words (an incident's legal route, a plan's
-- reminder, a receipt) keep them, without reasons, as do the actions recorded before.
ALTER TABLE actions ADD COLUMN reasons TEXT;
-- The actions as people read them: with their invoices' numbers, in the action's order. The
-- order is the inner query's (`json_each` gives the list's positions as `key`), so that the
-- view reads in SQLite versions without ORDER BY inside an aggregate (the `sqlite3` shell a
-- backup may be taken with).
CREATE VIEW actions_listed AS
SELECT a.*,
       (SELECT json_group_array(number)
          FROM (SELECT i.number AS number
                  FROM json_each('[' || a.invoice_ids || ']') AS j
                  JOIN invoices AS i ON i.id = j.value
                 ORDER BY j.key)) AS invoice_numbers
  FROM actions AS a;
