-- A tenant's edits of the built-in message templates. The built-ins live in the binary; a row
-- here replaces one template in one language, and resetting the template deletes the row.
-- Version 5 is taken by the late-payment migration; the runner applies each version once, in
-- the order of its list, whatever gaps the numbering has.
CREATE TABLE message_templates (
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    key        TEXT NOT NULL CHECK (length(key) > 0),
    language   TEXT NOT NULL CHECK (language IN ('fr', 'en')),
    subject    TEXT NOT NULL CHECK (length(subject) > 0),
    text       TEXT NOT NULL CHECK (length(text) > 0),
    html       TEXT,
    sms        TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, key, language)
) STRICT;
