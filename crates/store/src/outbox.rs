//! The outbox (migration `0010_outbox`): one row per message to send, unique on its action and
//! channel, with the rendered content, the recipient and the delivery state.
//!
//! The dispatcher's guarantee rests on three statements here: `enqueue` inserts under the
//! unique key and does nothing when the row exists; `claim` moves a row to `sending` only from
//! `pending` or `failed_temporary` (so of two dispatchers, one wins) after checking, in the same
//! transaction, that the message may still go; and `stale_sending_to_unknown` turns a
//! `sending` row whose dispatcher is gone into `delivery_unknown`, never back to `pending`.

use domain::ids::{CustomerId, InvoiceId};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::dunning::{corrupt, dialect, id_list};
use crate::{Store, StoreError, TenantStore, timestamp_text};

/// Every status a message can have, as the schema's CHECK lists them.
pub const OUTBOX_STATUSES: [&str; 7] = [
    "pending",
    "sending",
    "sent",
    "failed_temporary",
    "failed",
    "delivery_unknown",
    "cancelled",
];

/// A rendered message to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutboxMessage {
    pub action: i64,
    pub customer: CustomerId,
    /// `email` or `sms`.
    pub channel: String,
    pub message_id: String,
    pub recipient: String,
    pub language: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub sms_text: Option<String>,
    pub attachment_name: Option<String>,
    pub attachment: Option<Vec<u8>>,
    /// What the message asks for, in minor units; 0 when it asks for nothing.
    pub claimed_minor: i64,
}

/// A message as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRecord {
    pub id: i64,
    pub action: i64,
    pub customer: CustomerId,
    pub customer_ref: String,
    pub channel: String,
    pub message_id: String,
    pub recipient: String,
    pub language: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub sms_text: Option<String>,
    pub attachment_name: Option<String>,
    /// Only read by `outbox_message`; lists leave it out.
    pub attachment: Option<Vec<u8>>,
    pub claimed_minor: i64,
    pub status: String,
    pub attempts: u32,
    pub next_attempt_at: Option<Timestamp>,
    pub last_error: Option<String>,
    pub status_note: Option<String>,
    pub created_at: Timestamp,
    pub sending_at: Option<Timestamp>,
    pub sent_at: Option<Timestamp>,
    /// The invoices of the message's action.
    pub invoice_ids: Vec<InvoiceId>,
    /// The action's scheduled time (RFC 9557, the debtor's zone).
    pub scheduled_at: String,
}

/// Why a message was not sent after all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelReason {
    /// Every invoice it asks for is paid.
    Paid,
    /// One of its invoices is under an open dispute.
    Disputed,
    /// The customer made a promise to pay that is still pending.
    Promised,
    /// The case is on hold.
    OnHold,
    /// Every invoice it asks for is covered by a payment plan accepted since.
    InPlan,
    /// The customer withdrew consent to this channel.
    NoConsent,
    /// The action is no longer scheduled (skipped or cancelled by a person).
    Withdrawn,
    /// A person cancelled the message.
    ByHand,
}

impl CancelReason {
    pub fn code(&self) -> &'static str {
        match self {
            CancelReason::Paid => "paid",
            CancelReason::Disputed => "disputed",
            CancelReason::Promised => "promised",
            CancelReason::OnHold => "on_hold",
            CancelReason::InPlan => "in_plan",
            CancelReason::NoConsent => "no_consent",
            CancelReason::Withdrawn => "withdrawn",
            CancelReason::ByHand => "by_hand",
        }
    }
}

/// What `claim` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The message is now `sending`, committed: send it.
    Claimed,
    /// Another dispatcher has it, or it is no longer due.
    Taken,
    /// What is owed or the recipient changed since it was written: render it again.
    Changed,
    /// It must not go; it is cancelled (and its action), with this reason.
    Cancelled(CancelReason),
}

/// A contact to record with a failure (the engine's channel fallback reads it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedContact {
    /// `email` or `sms` (the contacts table's channel codes).
    pub channel: &'static str,
    /// `bounced` or `wrong-number`.
    pub outcome: &'static str,
    /// The debtor's calendar date.
    pub on: Date,
}

/// How a send attempt ended, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finish {
    /// Accepted by the server; the note goes on the action (the customer's timeline).
    Sent { note: String },
    /// A clear temporary failure: try again at `next_attempt_at`.
    Retry {
        error: String,
        next_attempt_at: Timestamp,
    },
    /// A permanent failure; with a contact when the channel itself failed (a bounce).
    Failed {
        error: String,
        contact: Option<FailedContact>,
    },
    /// It is not known whether the message left: a person decides.
    Unknown { error: String },
    /// Certainly not sent (the transport is not usable): back to pending, attempt not counted.
    NotSent { error: String },
}

/// How a person resolves a message whose delivery is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// It did arrive: record it as sent.
    Sent,
    /// It did not: send it again.
    Resend,
    /// Do not send it.
    Cancel,
}

type OutboxRow = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
);

fn parse_timestamp(id: i64, text: &str) -> Result<Timestamp, StoreError> {
    text.parse()
        .map_err(|_| corrupt(format!("message {id}: timestamp {text:?}")))
}

fn record(row: OutboxRow) -> Result<OutboxRecord, StoreError> {
    let (
        id,
        action,
        customer,
        customer_ref,
        channel,
        message_id,
        recipient,
        language,
        subject,
        body_text,
        body_html,
        sms_text,
        attachment_name,
        claimed_minor,
        status,
        attempts,
        next_attempt_at,
        last_error,
        status_note,
        created_at,
        sending_at,
        sent_at,
        invoice_ids,
        scheduled_at,
    ) = row;
    let optional = |text: Option<String>| {
        text.as_deref()
            .map(|text| parse_timestamp(id, text))
            .transpose()
    };
    let invoice_ids = invoice_ids
        .split(',')
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().map(InvoiceId))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| corrupt(format!("message {id}: invoice ids")))?;
    Ok(OutboxRecord {
        id,
        action,
        customer: CustomerId(customer),
        customer_ref,
        channel,
        message_id,
        recipient,
        language,
        subject,
        body_text,
        body_html,
        sms_text,
        attachment_name,
        attachment: None,
        claimed_minor,
        status,
        attempts: u32::try_from(attempts).map_err(|_| corrupt("message attempts"))?,
        next_attempt_at: optional(next_attempt_at)?,
        last_error,
        status_note,
        created_at: parse_timestamp(id, &created_at)?,
        sending_at: optional(sending_at)?,
        sent_at: optional(sent_at)?,
        invoice_ids,
        scheduled_at,
    })
}

impl TenantStore<'_> {
    /// A timestamp column read back as RFC 3339 text on both backends.
    pub(crate) fn instant(&self, column: &str) -> String {
        match self.store {
            Store::Postgres(_) => {
                format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
            }
            Store::Sqlite(..) => column.to_owned(),
        }
    }

    fn outbox_select(&self, condition: &str) -> String {
        format!(
            "SELECT o.id, o.action_id, o.customer_id, c.reference, o.channel, o.message_id, o.recipient, o.language, \
             o.subject, o.body_text, o.body_html, o.sms_text, o.attachment_name, o.claimed_minor, o.status, o.attempts, \
             {}, o.last_error, o.status_note, {}, {}, {}, a.invoice_ids, a.scheduled_at \
             FROM outbox o JOIN customers c ON c.id = o.customer_id JOIN actions a ON a.id = o.action_id \
             WHERE o.tenant_id = $1 AND {condition} ORDER BY o.id",
            self.instant("o.next_attempt_at"),
            self.instant("o.created_at"),
            self.instant("o.sending_at"),
            self.instant("o.sent_at"),
        )
    }

    async fn outbox_where(&self, condition: &str) -> Result<Vec<OutboxRecord>, StoreError> {
        let sql = self.sql(&self.outbox_select(condition));
        // Wider than the tuples sqlx decodes at once: read column by column.
        let rows: Vec<OutboxRow> = with_pool!(self.store, |pool| {
            let rows = sqlx::query(sql).bind(self.tenant.0).fetch_all(pool).await?;
            rows.iter()
                .map(|row| {
                    use sqlx::Row as _;
                    Ok::<OutboxRow, sqlx::Error>((
                        row.try_get(0)?,
                        row.try_get(1)?,
                        row.try_get(2)?,
                        row.try_get(3)?,
                        row.try_get(4)?,
                        row.try_get(5)?,
                        row.try_get(6)?,
                        row.try_get(7)?,
                        row.try_get(8)?,
                        row.try_get(9)?,
                        row.try_get(10)?,
                        row.try_get(11)?,
                        row.try_get(12)?,
                        row.try_get(13)?,
                        row.try_get(14)?,
                        row.try_get(15)?,
                        row.try_get(16)?,
                        row.try_get(17)?,
                        row.try_get(18)?,
                        row.try_get(19)?,
                        row.try_get(20)?,
                        row.try_get(21)?,
                        row.try_get(22)?,
                        row.try_get(23)?,
                    ))
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        rows.into_iter().map(record).collect()
    }

    /// Scheduled e-mail and SMS actions that have no message yet (their time not checked).
    pub async fn actions_without_message(&self) -> Result<Vec<crate::ActionRecord>, StoreError> {
        self.read_where::<crate::ActionRecord>(
            "a.status = 'scheduled' AND a.channel IN ('email', 'sms') \
             AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.tenant_id = a.tenant_id AND o.action_id = a.id)",
        )
        .await
    }

    /// Queues a message; `None` when its action already has one (nothing is written).
    pub async fn enqueue(
        &self,
        message: &NewOutboxMessage,
        now: Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        let sql = self.sql(
            "INSERT INTO outbox (tenant_id, action_id, customer_id, channel, message_id, recipient, language, subject, body_text, \
             body_html, sms_text, attachment_name, attachment, claimed_minor, status, attempts, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'pending', 0, $15::timestamptz, $15::timestamptz) \
             ON CONFLICT DO NOTHING RETURNING id",
        );
        Ok(with_pool!(self.store, |pool| {
            sqlx::query_scalar(sql)
                .bind(self.tenant.0)
                .bind(message.action)
                .bind(message.customer.0)
                .bind(&message.channel)
                .bind(&message.message_id)
                .bind(&message.recipient)
                .bind(&message.language)
                .bind(&message.subject)
                .bind(&message.body_text)
                .bind(&message.body_html)
                .bind(&message.sms_text)
                .bind(&message.attachment_name)
                .bind(&message.attachment)
                .bind(message.claimed_minor)
                .bind(timestamp_text(now))
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Replaces the content of a message not sent yet (what is owed, or the address, changed).
    pub async fn rewrite_message(
        &self,
        id: i64,
        message: &NewOutboxMessage,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = self.sql(
            "UPDATE outbox SET recipient = $3, language = $4, subject = $5, body_text = $6, body_html = $7, sms_text = $8, \
             attachment_name = $9, attachment = $10, claimed_minor = $11, updated_at = $12::timestamptz \
             WHERE tenant_id = $1 AND id = $2 AND status IN ('pending', 'failed_temporary')",
        );
        let changed = with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(id)
                .bind(&message.recipient)
                .bind(&message.language)
                .bind(&message.subject)
                .bind(&message.body_text)
                .bind(&message.body_html)
                .bind(&message.sms_text)
                .bind(&message.attachment_name)
                .bind(&message.attachment)
                .bind(message.claimed_minor)
                .bind(timestamp_text(now))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(changed == 1)
    }

    /// Messages, oldest first: those with this status, or all.
    pub async fn outbox(&self, status: Option<&str>) -> Result<Vec<OutboxRecord>, StoreError> {
        match status {
            None => self.outbox_where("1 = 1").await,
            Some(status) => {
                let status = OUTBOX_STATUSES
                    .iter()
                    .find(|known| **known == status)
                    .ok_or_else(|| StoreError::NotFound {
                        what: format!("message status {status:?}"),
                    })?;
                self.outbox_where(&format!("o.status = '{status}'")).await
            }
        }
    }

    /// A customer's messages, oldest first.
    pub async fn outbox_of(&self, customer: CustomerId) -> Result<Vec<OutboxRecord>, StoreError> {
        self.outbox_where(&format!("o.customer_id = {}", customer.0))
            .await
    }

    /// Messages waiting to be sent or retried (their time not checked).
    pub async fn outbox_waiting(&self) -> Result<Vec<OutboxRecord>, StoreError> {
        self.outbox_where("o.status IN ('pending', 'failed_temporary')")
            .await
    }

    /// One message with its attachment.
    pub async fn outbox_message(&self, id: i64) -> Result<OutboxRecord, StoreError> {
        let mut message = self
            .outbox_where(&format!("o.id = {id}"))
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound {
                what: format!("message {id}"),
            })?;
        let sql = self.sql("SELECT attachment FROM outbox WHERE tenant_id = $1 AND id = $2");
        message.attachment = with_pool!(self.store, |pool| {
            sqlx::query_scalar::<_, Option<Vec<u8>>>(sql)
                .bind(self.tenant.0)
                .bind(id)
                .fetch_one(pool)
                .await?
        });
        Ok(message)
    }

    /// Turns every `sending` message whose send began before `before` into `delivery_unknown`:
    /// its dispatcher stopped between the send and its record, so whether it left is unknown.
    pub async fn stale_sending_to_unknown(
        &self,
        before: Timestamp,
        now: Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        let stale: Vec<i64> = self
            .outbox_where("o.status = 'sending'")
            .await?
            .into_iter()
            .filter(|message| message.sending_at.is_none_or(|at| at < before))
            .map(|message| message.id)
            .collect();
        let sql = dialect(
            self.store,
            "UPDATE outbox SET status = 'delivery_unknown', updated_at = $3::timestamptz, \
             last_error = 'the dispatcher stopped after starting the send and before recording its result' \
             WHERE tenant_id = $1 AND id = $2 AND status = 'sending'",
        );
        let mut turned = Vec::new();
        for id in stale {
            let changed = with_pool!(self.store, |pool| {
                sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(self.tenant.0)
                    .bind(id)
                    .bind(timestamp_text(now))
                    .execute(pool)
                    .await?
                    .rows_affected()
            });
            if changed == 1 {
                turned.push(id);
            }
        }
        Ok(turned)
    }

    /// Moves a message to `sending` (committed before anything goes out) after checking, in the
    /// same transaction, that it may still go: its action still scheduled, its invoices still
    /// owed as written (for a message that asks for money), none disputed, no pending promise,
    /// no hold running on `today` (the creditor's date), the channel still consented and the
    /// address unchanged.
    pub async fn claim(
        &self,
        message: &OutboxRecord,
        today: Date,
        now: Timestamp,
    ) -> Result<Claim, StoreError> {
        let tenant = self.tenant.0;
        let now_text = timestamp_text(now);
        let take = self.sql(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, sending_at = $3::timestamptz, updated_at = $3::timestamptz \
             WHERE tenant_id = $1 AND id = $2 AND status IN ('pending', 'failed_temporary')",
        );
        let action_status = self.sql("SELECT status FROM actions WHERE tenant_id = $1 AND id = $2");
        let invoices = id_list(message.invoice_ids.iter().map(|id| id.0));
        let invoices = if invoices.is_empty() {
            "0".to_owned()
        } else {
            invoices
        };
        let owed = self.sql(&format!(
            "SELECT CAST(COALESCE(SUM(outstanding_minor), 0) AS BIGINT) FROM invoices WHERE tenant_id = $1 AND id IN ({invoices})"
        ));
        let disputed = self.sql(&format!(
            "SELECT COUNT(*) FROM disputes WHERE tenant_id = $1 AND closed_on IS NULL AND invoice_id IN ({invoices})"
        ));
        let promised = self.sql(
            "SELECT COUNT(*) FROM promises WHERE tenant_id = $1 AND customer_id = $2 AND status = 'pending'",
        );
        let held = self.sql(
            "SELECT COUNT(*) FROM holds WHERE tenant_id = $1 AND customer_id = $2 AND until_on >= $3::date",
        );
        let planned = self.sql(&format!(
            "SELECT COUNT(DISTINCT i.id) FROM invoices i JOIN payment_plan_invoices pi ON pi.invoice_id = i.id \
             JOIN payment_plans p ON p.id = pi.plan_id \
             WHERE i.tenant_id = $1 AND p.status = 'active' AND i.outstanding_minor > 0 AND i.id IN ({invoices})"
        ));
        let open_invoices = self.sql(&format!(
            "SELECT COUNT(*) FROM invoices WHERE tenant_id = $1 AND outstanding_minor > 0 AND id IN ({invoices})"
        ));
        let contact = self.sql(
            "SELECT consent_email, consent_sms, email, phone FROM customers WHERE tenant_id = $1 AND id = $2",
        );
        let cancel = self.sql(
            "UPDATE outbox SET status = 'cancelled', attempts = attempts - 1, status_note = $3, updated_at = $4::timestamptz \
             WHERE tenant_id = $1 AND id = $2",
        );
        let cancel_action = self.sql(
            "UPDATE actions SET status = 'cancelled', status_note = $3 \
             WHERE tenant_id = $1 AND id = $2 AND status = 'scheduled'",
        );
        let customer = message.customer.0;
        let asks_payment = message.claimed_minor > 0;
        let outcome = with_pool!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let taken = sqlx::query(take)
                .bind(tenant)
                .bind(message.id)
                .bind(&now_text)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if taken != 1 {
                tx.rollback().await?;
                return Ok(Claim::Taken);
            }
            let status: String = sqlx::query_scalar(action_status)
                .bind(tenant)
                .bind(message.action)
                .fetch_one(&mut *tx)
                .await?;
            let (email_ok, sms_ok, email, phone): (bool, bool, Option<String>, Option<String>) =
                sqlx::query_as(contact)
                    .bind(tenant)
                    .bind(customer)
                    .fetch_one(&mut *tx)
                    .await?;
            let mut reason = None;
            let mut changed = false;
            if status != "scheduled" {
                reason = Some(CancelReason::Withdrawn);
            }
            let (consented, address) = match message.channel.as_str() {
                "email" => (email_ok, email),
                _ => (sms_ok, phone),
            };
            if reason.is_none() && !consented {
                reason = Some(CancelReason::NoConsent);
            }
            if reason.is_none() && address.as_deref() != Some(message.recipient.as_str()) {
                match address {
                    Some(_) => changed = true,
                    None => reason = Some(CancelReason::NoConsent),
                }
            }
            if reason.is_none() && !changed && asks_payment {
                let owed_now: i64 = sqlx::query_scalar(owed)
                    .bind(tenant)
                    .fetch_one(&mut *tx)
                    .await?;
                let disputes: i64 = sqlx::query_scalar(disputed)
                    .bind(tenant)
                    .fetch_one(&mut *tx)
                    .await?;
                let promises: i64 = sqlx::query_scalar(promised)
                    .bind(tenant)
                    .bind(customer)
                    .fetch_one(&mut *tx)
                    .await?;
                let holds: i64 = sqlx::query_scalar(held)
                    .bind(tenant)
                    .bind(customer)
                    .bind(today.to_string())
                    .fetch_one(&mut *tx)
                    .await?;
                let in_plan: i64 = sqlx::query_scalar(planned)
                    .bind(tenant)
                    .fetch_one(&mut *tx)
                    .await?;
                let still_open: i64 = sqlx::query_scalar(open_invoices)
                    .bind(tenant)
                    .fetch_one(&mut *tx)
                    .await?;
                if owed_now == 0 {
                    reason = Some(CancelReason::Paid);
                } else if disputes > 0 {
                    reason = Some(CancelReason::Disputed);
                } else if promises > 0 {
                    reason = Some(CancelReason::Promised);
                } else if holds > 0 {
                    reason = Some(CancelReason::OnHold);
                } else if in_plan > 0 && in_plan == still_open {
                    reason = Some(CancelReason::InPlan);
                } else if owed_now != message.claimed_minor {
                    changed = true;
                }
            }
            match (reason, changed) {
                (Some(reason), _) => {
                    let note = format!("cancelled before sending: {}", reason.code());
                    sqlx::query(cancel)
                        .bind(tenant)
                        .bind(message.id)
                        .bind(&note)
                        .bind(&now_text)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(cancel_action)
                        .bind(tenant)
                        .bind(message.action)
                        .bind(&note)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Claim::Cancelled(reason)
                }
                (None, true) => {
                    tx.rollback().await?;
                    Claim::Changed
                }
                (None, false) => {
                    tx.commit().await?;
                    Claim::Claimed
                }
            }
        });
        Ok(outcome)
    }

    /// Records how a send attempt of a `sending` message ended, with its action and, for a
    /// failed channel, a contact that the engine's fallback reads (and the case woken).
    pub async fn finish(
        &self,
        message: &OutboxRecord,
        finish: &Finish,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.finish_from(message, finish, now, "sending").await
    }

    async fn finish_from(
        &self,
        message: &OutboxRecord,
        finish: &Finish,
        now: Timestamp,
        from: &str,
    ) -> Result<(), StoreError> {
        let tenant = self.tenant.0;
        let now_text = timestamp_text(now);
        let (status, error, note, next_at, attempts_back) = match finish {
            Finish::Sent { note } => ("sent", None, Some(note.clone()), None, 0),
            Finish::Retry {
                error,
                next_attempt_at,
            } => (
                "failed_temporary",
                Some(error.clone()),
                None,
                Some(timestamp_text(*next_attempt_at)),
                0,
            ),
            Finish::Failed { error, .. } => ("failed", Some(error.clone()), None, None, 0),
            Finish::Unknown { error } => ("delivery_unknown", Some(error.clone()), None, None, 0),
            Finish::NotSent { error } => ("pending", Some(error.clone()), None, None, 1),
        };
        let update = self.sql(&format!(
            "UPDATE outbox SET status = $3, last_error = COALESCE($4, last_error), status_note = COALESCE($5, status_note), \
             next_attempt_at = $6::timestamptz, attempts = attempts - $7, updated_at = $8::timestamptz, \
             sent_at = CASE WHEN $3 = 'sent' THEN $8::timestamptz ELSE sent_at END \
             WHERE tenant_id = $1 AND id = $2 AND status = '{}'",
            from.replace('\'', "")
        ));
        let action = self.sql(
            "UPDATE actions SET status = $3, status_note = $4 \
             WHERE tenant_id = $1 AND id = $2 AND status IN ('scheduled', 'sent')",
        );
        let contact = self.sql(
            "INSERT INTO contacts (tenant_id, customer_id, channel, outcome, note, occurred_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6::date, $7::timestamptz)",
        );
        let wake = self.sql(
            "UPDATE dunning_cases SET next_review_on = '0001-01-01'::date, wake_count = wake_count + 1 WHERE tenant_id = $1 AND customer_id = $2",
        );
        let action_change = match finish {
            Finish::Sent { note } => Some(("sent", note.clone())),
            Finish::Failed { error, .. } => {
                Some(("cancelled", format!("delivery failed: {error}")))
            }
            _ => None,
        };
        with_pool!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query(update)
                .bind(tenant)
                .bind(message.id)
                .bind(status)
                .bind(error)
                .bind(note)
                .bind(next_at)
                .bind(attempts_back)
                .bind(&now_text)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed != 1 {
                tx.rollback().await?;
                return Err(StoreError::NotFound {
                    what: format!("message {} in status {from}", message.id),
                });
            }
            if let Some((to, note)) = action_change {
                sqlx::query(action)
                    .bind(tenant)
                    .bind(message.action)
                    .bind(to)
                    .bind(note)
                    .execute(&mut *tx)
                    .await?;
            }
            if let Finish::Failed {
                error,
                contact: Some(failed),
            } = finish
            {
                sqlx::query(contact)
                    .bind(tenant)
                    .bind(message.customer.0)
                    .bind(failed.channel)
                    .bind(failed.outcome)
                    .bind(format!("message {}: {error}", message.id))
                    .bind(failed.on.to_string())
                    .bind(&now_text)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(wake)
                    .bind(tenant)
                    .bind(message.customer.0)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// The message carrying `message_id` (as Relance writes them: letters, digits, dots, `@`,
    /// `-`, `_`; anything else finds nothing).
    pub async fn message_with_id(
        &self,
        message_id: &str,
    ) -> Result<Option<OutboxRecord>, StoreError> {
        let safe = message_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-' | '_'));
        if !safe || message_id.is_empty() {
            return Ok(None);
        }
        Ok(self
            .outbox_where(&format!("o.message_id = '{message_id}'"))
            .await?
            .pop())
    }

    /// A message that was sent came back (a bounce notice): it failed after all, the channel is
    /// recorded as failed on `on` (the engine's fallback reads it) and the case wakes; false when
    /// the message is not `sent` (already recorded, or never sent).
    pub async fn bounce(
        &self,
        message: &OutboxRecord,
        error: &str,
        on: Date,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let finish = Finish::Failed {
            error: error.to_owned(),
            contact: Some(FailedContact {
                channel: "email",
                outcome: "bounced",
                on,
            }),
        };
        match self.finish_from(message, &finish, now, "sent").await {
            Ok(()) => Ok(true),
            Err(StoreError::NotFound { .. }) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// A person's decision about a message whose delivery is unknown; false when the message
    /// is not in that state.
    pub async fn resolve_message(
        &self,
        id: i64,
        resolution: Resolution,
        note: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let message = self.outbox_message(id).await?;
        if message.status != "delivery_unknown" {
            return Ok(false);
        }
        match resolution {
            Resolution::Sent => {
                self.finish_from(
                    &message,
                    &Finish::Sent {
                        note: note.to_owned(),
                    },
                    now,
                    "delivery_unknown",
                )
                .await?;
            }
            Resolution::Resend | Resolution::Cancel => {
                let (status, action_note) = match resolution {
                    Resolution::Resend => ("pending", None),
                    _ => ("cancelled", Some(note.to_owned())),
                };
                let update = self.sql(
                    "UPDATE outbox SET status = $3, status_note = $4, next_attempt_at = NULL, updated_at = $5::timestamptz \
                     WHERE tenant_id = $1 AND id = $2 AND status = 'delivery_unknown'",
                );
                let action = self.sql(
                    "UPDATE actions SET status = 'cancelled', status_note = $3 \
                     WHERE tenant_id = $1 AND id = $2 AND status = 'scheduled'",
                );
                let now_text = timestamp_text(now);
                with_pool!(self.store, |pool| {
                    let mut tx = pool.begin().await?;
                    sqlx::query(update)
                        .bind(self.tenant.0)
                        .bind(id)
                        .bind(status)
                        .bind(note)
                        .bind(&now_text)
                        .execute(&mut *tx)
                        .await?;
                    if let Some(action_note) = action_note {
                        sqlx::query(action)
                            .bind(self.tenant.0)
                            .bind(message.action)
                            .bind(action_note)
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                });
            }
        }
        Ok(true)
    }
}

/// A tenant's delivery settings, as saved (checked by `app` before).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliverySettingsRecord {
    pub smtp_url: Option<String>,
    pub smtp_from: Option<String>,
    pub smtp_reply_to: Option<String>,
    pub sms_url: Option<String>,
    pub sms_auth: Option<String>,
    pub sms_body: Option<String>,
    pub sms_sender: Option<String>,
    pub sms_preset: Option<String>,
    pub sms_key: Option<String>,
}

type SettingsRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl TenantStore<'_> {
    /// The tenant's delivery settings; all empty when never saved.
    pub async fn delivery_settings(&self) -> Result<DeliverySettingsRecord, StoreError> {
        let sql = self.sql(
            "SELECT smtp_url, smtp_from, smtp_reply_to, sms_url, sms_auth, sms_body, sms_sender, sms_preset, sms_key \
             FROM delivery_settings WHERE tenant_id = $1",
        );
        let row: Option<SettingsRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .fetch_optional(pool)
                .await?
        });
        Ok(row
            .map(
                |(
                    smtp_url,
                    smtp_from,
                    smtp_reply_to,
                    sms_url,
                    sms_auth,
                    sms_body,
                    sms_sender,
                    sms_preset,
                    sms_key,
                )| DeliverySettingsRecord {
                    smtp_url,
                    smtp_from,
                    smtp_reply_to,
                    sms_url,
                    sms_auth,
                    sms_body,
                    sms_sender,
                    sms_preset,
                    sms_key,
                },
            )
            .unwrap_or_default())
    }

    /// Replaces the tenant's delivery settings.
    pub async fn save_delivery_settings(
        &self,
        settings: &DeliverySettingsRecord,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = self.sql(
            "INSERT INTO delivery_settings (tenant_id, smtp_url, smtp_from, smtp_reply_to, sms_url, sms_auth, sms_body, sms_sender, \
             sms_preset, sms_key, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::timestamptz) \
             ON CONFLICT (tenant_id) DO UPDATE SET smtp_url = excluded.smtp_url, smtp_from = excluded.smtp_from, \
             smtp_reply_to = excluded.smtp_reply_to, sms_url = excluded.sms_url, sms_auth = excluded.sms_auth, \
             sms_body = excluded.sms_body, sms_sender = excluded.sms_sender, sms_preset = excluded.sms_preset, \
             sms_key = excluded.sms_key, updated_at = excluded.updated_at",
        );
        with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(&settings.smtp_url)
                .bind(&settings.smtp_from)
                .bind(&settings.smtp_reply_to)
                .bind(&settings.sms_url)
                .bind(&settings.sms_auth)
                .bind(&settings.sms_body)
                .bind(&settings.sms_sender)
                .bind(&settings.sms_preset)
                .bind(&settings.sms_key)
                .bind(timestamp_text(now))
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
