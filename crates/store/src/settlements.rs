//! Settlements other than a payment (migration `0012_settlements`): recorded together with the
//! reduction of the invoice's outstanding amount, which the invoice trigger turns into a wake
//! of the customer's case.

use domain::ids::{CustomerId, InvoiceId};
use domain::money::{Currency, Money};
use domain::settlement::SettlementKind;
use jiff::Timestamp;
use jiff::civil::Date;

use crate::dunning::{corrupt, dialect};
use crate::{StoreError, TenantStore, parse_date, parse_timestamp, timestamp_text};

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
);

/// A settlement recorded; `$12` is the payment whose small remainder a write-off settled (see
/// `bank_lines`), else NULL.
pub(crate) const INSERT_SETTLEMENT: &str = "INSERT INTO settlements (tenant_id, customer_id, invoice_id, kind, currency, amount_minor, settled_on, \
     reason, decided_by, counterparty, created_at, payment_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8, $9, $10, $11::timestamptz, $12) RETURNING id";

const SELECT: &str = "SELECT s.id, s.customer_id, c.reference, s.invoice_id, i.number, s.kind, s.currency, s.amount_minor, \
     iso(s.settled_on), s.reason, s.decided_by, s.counterparty, iso(s.created_at) \
     FROM settlements s JOIN customers c ON c.id = s.customer_id JOIN invoices i ON i.id = s.invoice_id \
     WHERE s.tenant_id = $1";

impl TenantStore<'_> {
    /// Records the settlement and takes its amount off the invoice, in one transaction; `None`
    /// (and nothing written) when the invoice's outstanding amount is no longer the one given.
    pub async fn add_settlement(
        &self,
        settlement: &NewSettlement<'_>,
        now: Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        let reduce = dialect(
            self.store,
            "UPDATE invoices SET outstanding_minor = outstanding_minor - $3 \
             WHERE tenant_id = $1 AND id = $2 AND outstanding_minor = $4",
        );
        let insert = dialect(self.store, INSERT_SETTLEMENT);
        let id = with_pool!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let reduced = sqlx::query(sqlx::AssertSqlSafe(reduce.as_str()))
                .bind(self.tenant.0)
                .bind(settlement.invoice.0)
                .bind(settlement.amount.minor())
                .bind(settlement.outstanding_before.minor())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if reduced != 1 {
                tx.rollback().await?;
                None
            } else {
                let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(insert.as_str()))
                    .bind(self.tenant.0)
                    .bind(settlement.customer.0)
                    .bind(settlement.invoice.0)
                    .bind(settlement.kind.code())
                    .bind(settlement.amount.currency().code())
                    .bind(settlement.amount.minor())
                    .bind(settlement.settled_on.to_string())
                    .bind(settlement.reason)
                    .bind(settlement.decided_by)
                    .bind(settlement.counterparty)
                    .bind(timestamp_text(now))
                    .bind(None::<i64>)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                Some(id)
            }
        });
        Ok(id)
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
    })
}
