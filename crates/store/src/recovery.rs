//! Recovery steps taken outside Relance that the law counts, and proven collection costs
//! (migration `0008_recovery_steps`): a formal notice sent by other means, a money judgment, the
//! costs a creditor can prove. Never deleted: a withdrawal records when and why.

use domain::ids::{CustomerId, InvoiceId};
use domain::money::{Currency, Money};
use domain::receivable::InvoiceNumber;
use jiff::Timestamp;
use jiff::civil::Date;

use crate::dunning::corrupt;
use crate::{StoreError, TenantStore, parse_date, parse_timestamp, timestamp_text};

/// What a recovery step was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecoveryStepKind {
    /// A formal notice (mise en demeure) sent outside Relance, by a lawyer or a bailiff say.
    FormalNotice,
    /// A money judgment (or an order to pay) that became enforceable.
    Judgment,
}

impl RecoveryStepKind {
    pub fn code(&self) -> &'static str {
        match self {
            RecoveryStepKind::FormalNotice => "formal_notice",
            RecoveryStepKind::Judgment => "judgment",
        }
    }

    fn parse(code: &str) -> Option<RecoveryStepKind> {
        match code {
            "formal_notice" => Some(RecoveryStepKind::FormalNotice),
            "judgment" => Some(RecoveryStepKind::Judgment),
            _ => None,
        }
    }
}

/// A step to record, for each of `invoices` (one row each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecoveryStep<'a> {
    pub customer: CustomerId,
    pub invoices: &'a [InvoiceId],
    pub kind: RecoveryStepKind,
    /// The notice's sending day, or the day the judgment became enforceable.
    pub occurred_on: Date,
    /// The day the judgment was served; `None` for a notice.
    pub served_on: Option<Date>,
    pub reference: &'a str,
    pub note: &'a str,
}

/// A recovery step as stored, for one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryStepRecord {
    pub id: i64,
    pub customer: CustomerId,
    pub invoice: InvoiceId,
    pub invoice_number: InvoiceNumber,
    pub kind: RecoveryStepKind,
    pub occurred_on: Date,
    pub served_on: Option<Date>,
    pub reference: String,
    pub note: String,
    pub recorded_at: Timestamp,
    pub withdrawn_at: Option<Timestamp>,
    pub withdrawal_reason: Option<String>,
}

impl RecoveryStepRecord {
    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn_at.is_some()
    }
}

/// Collection costs to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCollectionCost<'a> {
    pub customer: CustomerId,
    pub amount: Money,
    pub incurred_on: Date,
    pub description: &'a str,
}

/// Collection costs as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionCostRecord {
    pub id: i64,
    pub customer: CustomerId,
    pub amount: Money,
    pub incurred_on: Date,
    pub description: String,
    pub recorded_at: Timestamp,
    pub withdrawn_at: Option<Timestamp>,
    pub withdrawal_reason: Option<String>,
}

impl CollectionCostRecord {
    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn_at.is_some()
    }
}

type StepRow = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

const STEP_SELECT: &str = "SELECT s.id, s.customer_id, s.invoice_id, i.number, s.kind, iso(s.occurred_on), \
     iso(s.served_on), s.reference, s.note, iso(s.recorded_at), iso(s.withdrawn_at), s.withdrawal_reason \
     FROM recovery_steps s JOIN invoices i ON i.id = s.invoice_id WHERE s.tenant_id = $1";

type CostRow = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

const COST_SELECT: &str = "SELECT c.id, c.customer_id, c.currency, c.amount_minor, iso(c.incurred_on), \
     c.description, iso(c.recorded_at), iso(c.withdrawn_at), c.withdrawal_reason \
     FROM collection_costs c WHERE c.tenant_id = $1";

impl TenantStore<'_> {
    /// Records `step` for each of its invoices, all or none; returns the new ids in order.
    pub async fn add_recovery_step(
        &self,
        step: &NewRecoveryStep<'_>,
        now: Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        let sql = crate::dunning::dialect(
            self.store,
            "INSERT INTO recovery_steps (tenant_id, customer_id, invoice_id, kind, occurred_on, served_on, \
             reference, note, recorded_at) \
             VALUES ($1, $2, $3, $4, $5::date, $6::date, $7, $8, $9::timestamptz) RETURNING id",
        );
        let ids = with_pool!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let mut ids = Vec::with_capacity(step.invoices.len());
            for invoice in step.invoices {
                let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(self.tenant.0)
                    .bind(step.customer.0)
                    .bind(invoice.0)
                    .bind(step.kind.code())
                    .bind(step.occurred_on.to_string())
                    .bind(step.served_on.map(|date| date.to_string()))
                    .bind(step.reference)
                    .bind(step.note)
                    .bind(timestamp_text(now))
                    .fetch_one(&mut *tx)
                    .await?;
                ids.push(id);
            }
            tx.commit().await?;
            ids
        });
        Ok(ids)
    }

    /// Every recovery step of the customer, withdrawn ones too, in the order recorded.
    pub async fn recovery_steps_of(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<RecoveryStepRecord>, StoreError> {
        self.read_steps(&format!(
            "{STEP_SELECT} AND s.customer_id = {} ORDER BY s.id",
            customer.0
        ))
        .await
    }

    pub async fn recovery_step(&self, id: i64) -> Result<RecoveryStepRecord, StoreError> {
        self.read_steps(&format!("{STEP_SELECT} AND s.id = {id}"))
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound {
                what: format!("recovery step {id}"),
            })
    }

    /// Withdraws a step recorded by mistake; false when it was already withdrawn.
    pub async fn withdraw_recovery_step(
        &self,
        id: i64,
        reason: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.withdraw("recovery_steps", id, reason, now).await
    }

    pub async fn add_collection_cost(
        &self,
        cost: &NewCollectionCost<'_>,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let sql = self.sql(
            "INSERT INTO collection_costs (tenant_id, customer_id, currency, amount_minor, incurred_on, \
             description, recorded_at) VALUES ($1, $2, $3, $4, $5::date, $6, $7::timestamptz) RETURNING id",
        );
        let id: i64 = with_pool!(self.store, |pool| {
            sqlx::query_scalar(sql)
                .bind(self.tenant.0)
                .bind(cost.customer.0)
                .bind(cost.amount.currency().code())
                .bind(cost.amount.minor())
                .bind(cost.incurred_on.to_string())
                .bind(cost.description)
                .bind(timestamp_text(now))
                .fetch_one(pool)
                .await?
        });
        Ok(id)
    }

    /// Every collection cost of the customer, withdrawn ones too, in the order recorded.
    pub async fn collection_costs_of(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<CollectionCostRecord>, StoreError> {
        self.read_costs(&format!(
            "{COST_SELECT} AND c.customer_id = {} ORDER BY c.id",
            customer.0
        ))
        .await
    }

    pub async fn collection_cost(&self, id: i64) -> Result<CollectionCostRecord, StoreError> {
        self.read_costs(&format!("{COST_SELECT} AND c.id = {id}"))
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound {
                what: format!("collection cost {id}"),
            })
    }

    /// Withdraws costs recorded by mistake or given up; false when already withdrawn.
    pub async fn withdraw_collection_cost(
        &self,
        id: i64,
        reason: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.withdraw("collection_costs", id, reason, now).await
    }

    async fn withdraw(
        &self,
        table: &str,
        id: i64,
        reason: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = self.sql(&format!(
            "UPDATE {table} SET withdrawn_at = $3::timestamptz, withdrawal_reason = $4 \
             WHERE tenant_id = $1 AND id = $2 AND withdrawn_at IS NULL"
        ));
        let updated = with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(id)
                .bind(timestamp_text(now))
                .bind(reason)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(updated == 1)
    }

    async fn read_steps(&self, sql: &str) -> Result<Vec<RecoveryStepRecord>, StoreError> {
        let sql = self.sql(sql);
        let rows: Vec<StepRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(step_from_row).collect()
    }

    async fn read_costs(&self, sql: &str) -> Result<Vec<CollectionCostRecord>, StoreError> {
        let sql = self.sql(sql);
        let rows: Vec<CostRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(cost_from_row).collect()
    }
}

fn step_from_row(row: StepRow) -> Result<RecoveryStepRecord, StoreError> {
    let (
        id,
        customer,
        invoice,
        number,
        kind,
        occurred_on,
        served_on,
        reference,
        note,
        recorded_at,
        withdrawn_at,
        withdrawal_reason,
    ) = row;
    let bad = |what: &str| corrupt(format!("recovery step {id}: {what}"));
    Ok(RecoveryStepRecord {
        id,
        customer: CustomerId(customer),
        invoice: InvoiceId(invoice),
        invoice_number: InvoiceNumber::parse(&number).map_err(|_| bad("invoice number"))?,
        kind: RecoveryStepKind::parse(&kind).ok_or_else(|| bad("kind"))?,
        occurred_on: parse_date(&occurred_on)?,
        served_on: served_on.as_deref().map(parse_date).transpose()?,
        reference,
        note,
        recorded_at: parse_timestamp(&recorded_at)?,
        withdrawn_at: withdrawn_at.as_deref().map(parse_timestamp).transpose()?,
        withdrawal_reason,
    })
}

fn cost_from_row(row: CostRow) -> Result<CollectionCostRecord, StoreError> {
    let (
        id,
        customer,
        currency,
        amount,
        incurred_on,
        description,
        recorded_at,
        withdrawn_at,
        withdrawal_reason,
    ) = row;
    let currency = Currency::from_code(&currency)
        .map_err(|_| corrupt(format!("collection cost {id}: currency")))?;
    Ok(CollectionCostRecord {
        id,
        customer: CustomerId(customer),
        amount: Money::from_minor(amount, currency),
        incurred_on: parse_date(&incurred_on)?,
        description,
        recorded_at: parse_timestamp(&recorded_at)?,
        withdrawn_at: withdrawn_at.as_deref().map(parse_timestamp).transpose()?,
        withdrawal_reason,
    })
}
