-- Accounts of the web application. `users` exists since the foundation (tenant, e-mail, role,
-- password hash); a login names one account, so an e-mail is unique across the installation.
-- Sessions and API tokens are stored as the SHA-256 of the random secret the client holds: a
-- copy of the database lets nobody in. Expiry is in Unix seconds, comparable on both backends.
CREATE UNIQUE INDEX users_by_email ON users (email);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL CHECK (length(csrf_token) >= 32),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id  BIGINT NOT NULL REFERENCES tenants (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    name       TEXT NOT NULL CHECK (length(name) > 0),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

-- The customers page sorts by name as well as by reference.
CREATE INDEX customers_by_name ON customers (tenant_id, legal_name);
