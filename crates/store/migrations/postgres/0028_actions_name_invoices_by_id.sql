-- Actions name their invoices by id only, and the daily run's keep the engine's reasons in a
-- compact form rather than words (see the SQLite migration).
ALTER TABLE actions DROP COLUMN invoice_numbers;
ALTER TABLE actions ADD COLUMN reasons TEXT;
-- The actions as people read them: with their invoices' numbers, in the action's order.
CREATE VIEW actions_listed AS
SELECT a.*,
       coalesce((SELECT json_agg(i.number ORDER BY o.position)::text
                   FROM unnest(string_to_array(a.invoice_ids, ',')::bigint[])
                        WITH ORDINALITY AS o (id, position)
                   JOIN invoices AS i ON i.id = o.id), '[]') AS invoice_numbers
  FROM actions AS a;
