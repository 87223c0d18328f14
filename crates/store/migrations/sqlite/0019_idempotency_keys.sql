-- Idempotency keys of API writes: the first answer to a key, per creditor and token, replayed
-- when the same request comes again with it. `status` is NULL while the first request is being
-- served. Instants are Unix seconds; a key is forgotten once `expires_at` has passed.
CREATE TABLE idempotency_keys (
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    token_id     INTEGER NOT NULL REFERENCES api_tokens (id),
    key          TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash TEXT NOT NULL,
    status       INTEGER,
    content_type TEXT,
    body         BLOB,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, token_id, key)
) STRICT;

CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (tenant_id, expires_at);
