-- An account may work for several creditors (a collection agency's staff works for each of its
-- clients): one membership per creditor, with the role held there. Memberships are what an
-- account may see and do; `users.tenant_id` stays the creditor the account was made in, where a
-- new session starts, and `users.role` the role it was made with.
CREATE TABLE memberships (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id  BIGINT NOT NULL REFERENCES tenants (id),
    role       TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'collector', 'viewer')),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, tenant_id)
);

CREATE INDEX memberships_by_tenant ON memberships (tenant_id, user_id);

INSERT INTO memberships (user_id, tenant_id, role, created_at)
SELECT id, tenant_id, role, created_at FROM users;

-- The creditor a session works on, switched by its account among its memberships; the
-- sessions open before this migration get their account's.
ALTER TABLE sessions ADD COLUMN tenant_id BIGINT REFERENCES tenants (id);

UPDATE sessions SET tenant_id = (SELECT users.tenant_id FROM users WHERE users.id = sessions.user_id);

ALTER TABLE sessions ALTER COLUMN tenant_id SET NOT NULL;
