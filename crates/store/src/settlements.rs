//! Settlements other than a payment (migration `0012_settlements`): recorded together with the
//! reduction of the invoice's outstanding amount, which the invoice trigger turns into a wake
//! of the customer's case, and with what a payment bringing the balance down would do
//! (`close_if_settled!`: pending reminders stopped, the case closed when nothing is owed, the
//! receipt and thanks queued). Undoing one (migration `0016_negotiation`) gives the amount back
//! to the invoice and opens again the case it closed; the settlement stays on record.

use domain::ids::{CustomerId, InvoiceId};
use domain::money::{Currency, Money};
use domain::settlement::SettlementKind;
use jiff::Timestamp;
use jiff::civil::Date;

use crate::bank_lines::{Closing, PaymentEffects, q, requeue_sql};
use crate::dunning::{bind_action, corrupt, id_list};
use crate::{Store, StoreError, TenantStore, parse_date, parse_timestamp, timestamp_text};

/// A settlement to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSettlement<'a> {
    pub customer: CustomerId,
    pub invoice: InvoiceId,
    pub kind: SettlementKind,
    pub amount: Money,
    /// The invoice's outstanding amount the settlement was computed from: the reduction is made
    /// only if it is still that (nothing half-applied when something changed meanwhile).
    pub outstanding_before: Money,
    pub settled_on: Date,
    pub reason: &'a str,
    pub decided_by: &'a str,
    pub counterparty: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementRecord {
    pub id: i64,
    pub customer: CustomerId,
    pub customer_ref: String,
    pub invoice: InvoiceId,
    pub invoice_number: String,
    pub kind: SettlementKind,
    pub amount: Money,
    pub settled_on: Date,
    pub reason: String,
    pub decided_by: String,
    pub counterparty: String,
    pub recorded_at: Timestamp,
    pub undone: Option<SettlementUndo>,
}

/// Who undid a settlement, when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementUndo {
    pub at: Timestamp,
    pub by: String,
    pub reason: String,
}

/// What recording a settlement did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettlementOutcome {
    pub id: i64,
    pub actions_cancelled: u32,
    pub case_closed: bool,
    pub receipt_queued: bool,
    pub thank_you_queued: bool,
}

/// An undoing to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementUndoing<'a> {
    pub by: &'a str,
    pub reason: &'a str,
    /// The day the case it closed opens again.
    pub today: Date,
    /// The first day a plan completed thanks to the settlement could have ended (the day it
    /// was recorded): such a plan runs again.
    pub recorded_on: Date,
    /// The note on a receipt or thank-you not sent yet, cancelled with the closure.
    pub cancel_note: &'a str,
}

/// What undoing a settlement did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UndoneSettlement {
    /// It had been undone already: nothing was written.
    pub already_undone: bool,
    /// What the invoice owes again.
    pub restored: Money,
    pub case_reopened: bool,
    pub messages_cancelled: u32,
    pub plans_resumed: u32,
}

type SettlementRow = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A settlement recorded; `$12` is the payment whose small remainder a write-off settled (see
/// `bank_lines`), else NULL.
pub(crate) const INSERT_SETTLEMENT: &str = "INSERT INTO settlements (tenant_id, customer_id, invoice_id, kind, currency, amount_minor, settled_on, \
     reason, decided_by, counterparty, created_at, payment_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8, $9, $10, $11::timestamptz, $12) RETURNING id";

const SELECT: &str = "SELECT s.id, s.customer_id, c.reference, s.invoice_id, i.number, s.kind, s.currency, s.amount_minor, \
     iso(s.settled_on), s.reason, s.decided_by, s.counterparty, iso(s.created_at), iso(s.undone_at), s.undone_by, s.undo_reason \
     FROM settlements s JOIN customers c ON c.id = s.customer_id JOIN invoices i ON i.id = s.invoice_id \
     WHERE s.tenant_id = $1";

impl TenantStore<'_> {
    /// Records the settlement, takes its amount off the invoice and writes what follows as a
    /// payment's effects would be written, in one transaction (the tenant's payment writers take
    /// turns); `None` (and nothing written) when the invoice's outstanding amount is no longer
    /// the one given.
    pub async fn add_settlement(
        &self,
        settlement: &NewSettlement<'_>,
        effects: &PaymentEffects,
        now: Timestamp,
    ) -> Result<Option<SettlementOutcome>, StoreError> {
        let now = timestamp_text(now);
        let store = self.store;
        let tenant = self.tenant.0;
        transaction!(self, |tx| {
            let reduced = sqlx::query(q(
                store,
                "UPDATE invoices SET outstanding_minor = outstanding_minor - $3 \
                 WHERE tenant_id = $1 AND id = $2 AND outstanding_minor = $4",
            ))
            .bind(tenant)
            .bind(settlement.invoice.0)
            .bind(settlement.amount.minor())
            .bind(settlement.outstanding_before.minor())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if reduced != 1 {
                return Ok(None);
            }
            let id: i64 = sqlx::query_scalar(q(store, INSERT_SETTLEMENT))
                .bind(tenant)
                .bind(settlement.customer.0)
                .bind(settlement.invoice.0)
                .bind(settlement.kind.code())
                .bind(settlement.amount.currency().code())
                .bind(settlement.amount.minor())
                .bind(settlement.settled_on.to_string())
                .bind(settlement.reason)
                .bind(settlement.decided_by)
                .bind(settlement.counterparty)
                .bind(now.clone())
                .bind(None::<i64>)
                .fetch_one(&mut *tx)
                .await?;
            let settled: Vec<i64> = if settlement.amount == settlement.outstanding_before {
                vec![settlement.invoice.0]
            } else {
                Vec::new()
            };
            let closing: Closing = close_if_settled!(
                tx,
                store,
                tenant,
                settlement.customer,
                &settled,
                true,
                effects,
                &now,
                (None, Some(id))
            );
            Ok::<_, StoreError>(Some(SettlementOutcome {
                id,
                actions_cancelled: closing.actions_cancelled,
                case_closed: closing.case_closed,
                receipt_queued: closing.receipt_queued,
                thank_you_queued: closing.thank_you_queued,
            }))
        })
    }

    /// Undoes a settlement in one transaction: its amount goes back to the invoice, the case it
    /// closed opens again (its receipt and thanks not sent yet cancelled), a plan completed
    /// since it was recorded runs again, and the settlement keeps who undid it and why. Undoing
    /// it again writes nothing.
    pub async fn undo_settlement(
        &self,
        id: i64,
        undoing: &SettlementUndoing<'_>,
        now: Timestamp,
    ) -> Result<UndoneSettlement, StoreError> {
        let now = timestamp_text(now);
        let store = self.store;
        let tenant = self.tenant.0;
        transaction!(self, |tx| {
            let row: Option<(i64, i64, String, i64, Option<String>)> = sqlx::query_as(q(
                store,
                "SELECT customer_id, invoice_id, currency, amount_minor, undone_by FROM settlements WHERE tenant_id = $1 AND id = $2",
            ))
            .bind(tenant)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let (customer, invoice, code, amount, undone_by) =
                row.ok_or_else(|| StoreError::NotFound {
                    what: format!("settlement {id}"),
                })?;
            let currency = Currency::from_code(&code)
                .map_err(|_| corrupt(format!("settlement {id}: currency")))?;
            let mut outcome = UndoneSettlement {
                already_undone: undone_by.is_some(),
                restored: Money::from_minor(0, currency),
                case_reopened: false,
                messages_cancelled: 0,
                plans_resumed: 0,
            };
            if outcome.already_undone {
                return Ok(outcome);
            }
            sqlx::query(q(
                store,
                "UPDATE invoices SET outstanding_minor = outstanding_minor + $1 WHERE tenant_id = $2 AND id = $3",
            ))
            .bind(amount)
            .bind(tenant)
            .bind(invoice)
            .execute(&mut *tx)
            .await?;
            outcome.restored = Money::from_minor(amount, currency);
            sqlx::query(q(
                store,
                "UPDATE settlements SET undone_at = $1::timestamptz, undone_by = $2, undo_reason = $3 WHERE tenant_id = $4 AND id = $5",
            ))
            .bind(now.clone())
            .bind(undoing.by)
            .bind(undoing.reason)
            .bind(tenant)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let reopened = sqlx::query(q(
                store,
                "UPDATE case_closures SET reopened_on = $1::date WHERE tenant_id = $2 AND settlement_id = $3 AND reopened_on IS NULL",
            ))
            .bind(undoing.today.to_string())
            .bind(tenant)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if reopened > 0 {
                outcome.case_reopened = true;
                let cancelled = sqlx::query(q(
                    store,
                    "UPDATE actions SET status = 'cancelled', status_note = $1 \
                     WHERE tenant_id = $2 AND customer_id = $3 AND status = 'scheduled' AND (step_key = 'receipt' OR step_key = 'thank_you')",
                ))
                .bind(undoing.cancel_note)
                .bind(tenant)
                .bind(customer)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                outcome.messages_cancelled = u32::try_from(cancelled).unwrap_or(u32::MAX);
            }
            let resumed = sqlx::query(q(
                store,
                "UPDATE payment_plans SET status = 'active', ended_on = NULL, end_reason = NULL \
                 WHERE tenant_id = $1 AND status = 'completed' AND ended_on >= $2::date \
                 AND EXISTS (SELECT 1 FROM payment_plan_invoices p WHERE p.plan_id = payment_plans.id AND p.invoice_id = $3)",
            ))
            .bind(tenant)
            .bind(undoing.recorded_on.to_string())
            .bind(invoice)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            outcome.plans_resumed = u32::try_from(resumed).unwrap_or(u32::MAX);
            Ok::<_, StoreError>(outcome)
        })
    }

    /// Settlements of a customer (every customer when `None`), settled from `from` on, in the
    /// order recorded.
    pub async fn settlements(
        &self,
        customer: Option<CustomerId>,
        from: Option<Date>,
    ) -> Result<Vec<SettlementRecord>, StoreError> {
        let mut sql = SELECT.to_owned();
        if let Some(customer) = customer {
            sql.push_str(&format!(" AND s.customer_id = {}", customer.0));
        }
        if let Some(from) = from {
            sql.push_str(&format!(" AND s.settled_on >= '{from}'"));
        }
        sql.push_str(" ORDER BY s.id");
        let sql = self.sql(&sql);
        let rows: Vec<SettlementRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(settlement_from_row).collect()
    }
}

fn settlement_from_row(row: SettlementRow) -> Result<SettlementRecord, StoreError> {
    let (
        id,
        customer,
        customer_ref,
        invoice,
        invoice_number,
        kind,
        currency,
        amount,
        settled_on,
        reason,
        decided_by,
        counterparty,
        created_at,
        undone_at,
        undone_by,
        undo_reason,
    ) = row;
    let bad = |what: &str| corrupt(format!("settlement {id}: {what}"));
    let currency = Currency::from_code(&currency).map_err(|_| bad("currency"))?;
    Ok(SettlementRecord {
        id,
        customer: CustomerId(customer),
        customer_ref,
        invoice: InvoiceId(invoice),
        invoice_number,
        kind: SettlementKind::parse(&kind).ok_or_else(|| bad("kind"))?,
        amount: Money::from_minor(amount, currency),
        settled_on: parse_date(&settled_on)?,
        reason,
        decided_by,
        counterparty,
        recorded_at: parse_timestamp(&created_at)?,
        undone: match (undone_at, undone_by, undo_reason) {
            (Some(at), Some(by), Some(reason)) => Some(SettlementUndo {
                at: parse_timestamp(&at)?,
                by,
                reason,
            }),
            (None, None, None) => None,
            _ => return Err(bad("undoing")),
        },
    })
}
