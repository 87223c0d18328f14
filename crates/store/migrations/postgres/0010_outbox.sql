-- The outbox: each message the dispatcher sends is one row, under a unique key derived from its
-- action (one message per action and channel), so a re-run or a second dispatcher can neither
-- write nor send a second one. The rendered content is kept as sent: the customer's timeline
-- shows exactly what went out.
--
-- status: pending → sending → sent; sending is committed before the network call, so a crash
-- between the call and its record leaves the row in sending, which the next dispatcher turns
-- into delivery_unknown for a person to resolve (never resent blindly). failed_temporary waits
-- for next_attempt_at; failed is final; cancelled says why in status_note.
CREATE TABLE outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    action_id       BIGINT NOT NULL REFERENCES actions (id),
    customer_id     BIGINT NOT NULL REFERENCES customers (id),
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    message_id      TEXT NOT NULL CHECK (length(message_id) > 0),
    recipient       TEXT NOT NULL CHECK (length(recipient) > 0),
    language        TEXT NOT NULL CHECK (language IN ('fr', 'en')),
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT,
    sms_text        TEXT,
    attachment_name TEXT,
    attachment      BYTEA,
    -- What the message asks for, in minor units (0 for a receipt or a thank-you): the check
    -- before sending compares it with what is still owed.
    claimed_minor   BIGINT NOT NULL CHECK (claimed_minor >= 0),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed_temporary', 'failed', 'delivery_unknown', 'cancelled')),
    attempts        BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TIMESTAMPTZ,
    last_error      TEXT,
    status_note     TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    sending_at      TIMESTAMPTZ,
    sent_at         TIMESTAMPTZ,
    UNIQUE (tenant_id, action_id, channel),
    UNIQUE (tenant_id, message_id)
);
CREATE INDEX outbox_by_status ON outbox (tenant_id, status);
CREATE INDEX outbox_by_customer ON outbox (tenant_id, customer_id);

-- How a tenant's messages leave: its SMTP server and SMS gateway (the environment or the
-- command line, when given, take precedence). Checked by the application before saving.
CREATE TABLE delivery_settings (
    tenant_id     BIGINT PRIMARY KEY REFERENCES tenants (id),
    smtp_url      TEXT,
    smtp_from     TEXT,
    smtp_reply_to TEXT,
    sms_url       TEXT,
    sms_auth      TEXT,
    sms_body      TEXT,
    sms_sender    TEXT,
    sms_preset    TEXT,
    sms_key       TEXT,
    updated_at    TIMESTAMPTZ NOT NULL
);
