-- A search of the customers (`LIKE '%…%'` on the reference and the name) cannot seek, but it
-- can read this index instead of the table: the two columns it tests, in reference order (the
-- page's order), without the customers' wide rows. At a million customers a search went from
-- 1.7 s to about 0.25 s (page and count).
CREATE INDEX customers_search ON customers (tenant_id, reference, legal_name);
