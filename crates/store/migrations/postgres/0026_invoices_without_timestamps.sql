-- An invoice row no longer carries its own creation and change times (see the SQLite migration):
-- `import_id` names the import that wrote it, allocations and settlements carry their own times.
ALTER TABLE invoices DROP COLUMN created_at, DROP COLUMN updated_at;
