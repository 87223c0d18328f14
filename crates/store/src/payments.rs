//! Payments and their allocations to invoices. Money only moves forward: an allocation is a new
//! row, and the invoice's outstanding and the payment's allocated total move with it in the same
//! transaction, checked by `domain::payment::allocate` first and by the database's constraints
//! and triggers as the last line of defence.

use domain::ids::{CustomerId, InvoiceId, PaymentId};
use domain::money::{Currency, Money};
use domain::payment::{AllocationCheck, AllocationError, allocate};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::{Store, StoreError, TenantStore, timestamp_text};

/// A payment received, identified by a key the caller chooses, so that recording it twice
/// records it once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    pub customer: Option<CustomerId>,
    pub received_on: Date,
    pub amount: Money,
    pub reference: String,
    pub idempotency_key: String,
}

impl TenantStore<'_> {
    /// Records a payment; with a key already used, returns the payment recorded then.
    pub async fn record_payment(
        &self,
        payment: &NewPayment,
        now: Timestamp,
    ) -> Result<PaymentId, StoreError> {
        let (insert, existing) = match self.store {
            Store::Sqlite(..) => (
                "INSERT INTO payments (tenant_id, customer_id, received_on, currency, amount_minor, reference, idempotency_key, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING id",
                "SELECT id FROM payments WHERE tenant_id = ?1 AND idempotency_key = ?2",
            ),
            Store::Postgres(_) => (
                "INSERT INTO payments (tenant_id, customer_id, received_on, currency, amount_minor, reference, idempotency_key, created_at) VALUES ($1, $2, $3::date, $4, $5, $6, $7, $8::timestamptz) ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING id",
                "SELECT id FROM payments WHERE tenant_id = $1 AND idempotency_key = $2",
            ),
        };
        let inserted: Option<i64> = with_pool!(self.store, |pool| {
            sqlx::query_scalar(insert)
                .bind(self.tenant.0)
                .bind(payment.customer.map(|customer| customer.0))
                .bind(payment.received_on.to_string())
                .bind(payment.amount.currency().code())
                .bind(payment.amount.minor())
                .bind(&payment.reference)
                .bind(&payment.idempotency_key)
                .bind(timestamp_text(now))
                .fetch_optional(pool)
                .await?
        });
        let id = match inserted {
            Some(id) => id,
            None => with_pool!(self.store, |pool| {
                sqlx::query_scalar(existing)
                    .bind(self.tenant.0)
                    .bind(&payment.idempotency_key)
                    .fetch_one(pool)
                    .await?
            }),
        };
        Ok(PaymentId(id))
    }

    /// Allocates part of a payment to an invoice, in one transaction.
    pub async fn allocate_payment(
        &self,
        payment: PaymentId,
        invoice: InvoiceId,
        amount: Money,
        now: Timestamp,
    ) -> Result<Result<Money, AllocationError>, StoreError> {
        let tenant = self.tenant.0;
        let now = timestamp_text(now);
        macro_rules! run {
            ($tx:ident, $payment_sql:expr, $invoice_sql:expr, $insert_sql:expr, $update_sql:expr) => {{
                let payment_row: Option<(String, i64, i64)> = sqlx::query_as($payment_sql)
                    .bind(tenant)
                    .bind(payment.0)
                    .fetch_optional(&mut *$tx)
                    .await?;
                let (currency, payment_amount, allocated) =
                    payment_row.ok_or_else(|| StoreError::NotFound {
                        what: format!("payment {payment}"),
                    })?;
                let invoice_row: Option<(String, i64)> = sqlx::query_as($invoice_sql)
                    .bind(tenant)
                    .bind(invoice.0)
                    .fetch_optional(&mut *$tx)
                    .await?;
                let (invoice_currency, outstanding) =
                    invoice_row.ok_or_else(|| StoreError::NotFound {
                        what: format!("invoice {invoice}"),
                    })?;
                let currency = Currency::from_code(&currency).map_err(|_| StoreError::Corrupt {
                    what: format!("payment {payment}: currency"),
                })?;
                let invoice_currency =
                    Currency::from_code(&invoice_currency).map_err(|_| StoreError::Corrupt {
                        what: format!("invoice {invoice}: currency"),
                    })?;
                let check = AllocationCheck {
                    payment_amount: Money::from_minor(payment_amount, currency),
                    already_allocated: Money::from_minor(allocated, currency),
                    invoice_outstanding: Money::from_minor(outstanding, invoice_currency),
                };
                let remaining = match allocate(check, amount) {
                    Ok(remaining) => remaining,
                    Err(refusal) => return Ok(Err(refusal)),
                };
                sqlx::query($insert_sql)
                    .bind(tenant)
                    .bind(payment.0)
                    .bind(invoice.0)
                    .bind(amount.minor())
                    .bind(&now)
                    .execute(&mut *$tx)
                    .await?;
                sqlx::query($update_sql)
                    .bind(remaining.minor())
                    .bind(tenant)
                    .bind(invoice.0)
                    .execute(&mut *$tx)
                    .await?;
                $tx.commit().await?;
                Ok(Ok(remaining))
            }};
        }
        match self.store {
            Store::Sqlite(pool, _) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                run!(
                    tx,
                    "SELECT currency, amount_minor, allocated_minor FROM payments WHERE tenant_id = ?1 AND id = ?2",
                    "SELECT currency, outstanding_minor FROM invoices WHERE tenant_id = ?1 AND id = ?2",
                    "INSERT INTO allocations (tenant_id, payment_id, invoice_id, amount_minor, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    "UPDATE invoices SET outstanding_minor = ?1 WHERE tenant_id = ?2 AND id = ?3"
                )
            }
            Store::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                run!(
                    tx,
                    "SELECT currency, amount_minor, allocated_minor FROM payments WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
                    "SELECT currency, outstanding_minor FROM invoices WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
                    "INSERT INTO allocations (tenant_id, payment_id, invoice_id, amount_minor, created_at) VALUES ($1, $2, $3, $4, $5::timestamptz)",
                    "UPDATE invoices SET outstanding_minor = $1 WHERE tenant_id = $2 AND id = $3"
                )
            }
        }
    }
}
