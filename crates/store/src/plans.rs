//! Payment plans as stored (migration `0009_payment_plans`): the plan, the invoices it covers
//! with what each owed when it was proposed, its installments, and the tenant's limits.

use domain::ids::{CustomerId, InvoiceId};
use domain::money::{Currency, Money};
use domain::plan::{Frequency, IncludedCharges, Installment, PlanLimits};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::dunning::{corrupt, dialect, id_list};
use crate::{StoreError, TenantStore, parse_date, parse_timestamp, timestamp_text};

/// Where a plan is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanStatus {
    /// Offered, not yet accepted by the customer.
    Proposed,
    /// Accepted and running: dunning leaves its invoices aside.
    Active,
    Completed,
    /// In default beyond the grace period: dunning resumes, a conditional waiver is withdrawn.
    Lapsed,
    Cancelled,
}

impl PlanStatus {
    pub const ALL: [PlanStatus; 5] = [
        PlanStatus::Proposed,
        PlanStatus::Active,
        PlanStatus::Completed,
        PlanStatus::Lapsed,
        PlanStatus::Cancelled,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            PlanStatus::Proposed => "proposed",
            PlanStatus::Active => "active",
            PlanStatus::Completed => "completed",
            PlanStatus::Lapsed => "lapsed",
            PlanStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Option<PlanStatus> {
        PlanStatus::ALL
            .into_iter()
            .find(|status| status.code() == code)
    }
}

/// A plan to record, as proposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlan<'a> {
    pub customer: CustomerId,
    /// The invoices' balances and the charges included.
    pub covered: Money,
    /// The accrued charges it covers (part of `covered`), and which.
    pub charges: Money,
    pub included: IncludedCharges,
    pub every: Frequency,
    pub waive_charges: bool,
    /// The limits it goes beyond, as codes (empty: a collector may grant it).
    pub exceeded: &'a [String],
    pub proposed_by: &'a str,
    /// Each invoice covered and what it owed then.
    pub invoices: &'a [(InvoiceId, Money)],
    pub installments: &'a [Installment],
}

/// An invoice a plan covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanInvoice {
    pub id: InvoiceId,
    pub number: String,
    /// When the plan was proposed.
    pub outstanding_then: Money,
    pub outstanding_now: Money,
}

/// A plan as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRecord {
    pub id: i64,
    pub customer: CustomerId,
    pub customer_ref: String,
    pub status: PlanStatus,
    /// The invoices' balances when proposed, and the charges included.
    pub covered: Money,
    /// The accrued charges it covers (part of `covered`), and which.
    pub charges: Money,
    pub included: IncludedCharges,
    /// What the customer paid beyond its invoices (its credit), counted towards the charges.
    pub charges_paid: Money,
    pub every: Frequency,
    pub waive_charges: bool,
    pub exceeded: Vec<String>,
    pub proposed_by: String,
    pub proposed_at: Timestamp,
    pub approved_by: Option<String>,
    pub accepted_at: Option<Timestamp>,
    pub accepted_how: Option<String>,
    pub acceptance_note: Option<String>,
    pub ended_on: Option<Date>,
    pub end_reason: Option<String>,
    pub invoices: Vec<PlanInvoice>,
    pub installments: Vec<Installment>,
}

impl PlanRecord {
    /// What the customer paid towards the plan: how much the covered invoices came down since,
    /// and, for the charges it includes, what the customer paid beyond its invoices (payments
    /// go to invoices first; what is left is its credit).
    pub fn paid(&self) -> Money {
        let minor: i64 = self
            .invoices
            .iter()
            .map(|invoice| {
                (invoice.outstanding_then.minor() - invoice.outstanding_now.minor()).max(0)
            })
            .sum();
        let charges = self.charges_paid.minor().clamp(0, self.charges.minor());
        Money::from_minor(minor + charges, self.covered.currency())
    }
}

/// A tenant's plan settings: its limits and the grace after a missed installment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanSettings {
    pub limits: PlanLimits,
    pub grace_days: u32,
    pub include_charges: IncludedCharges,
}

impl PlanSettings {
    pub fn defaults(currency: Currency) -> PlanSettings {
        PlanSettings {
            limits: PlanLimits::defaults(currency),
            grace_days: 5,
            include_charges: IncludedCharges::DEFAULT,
        }
    }
}

/// A document kept with a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanDocumentKind {
    /// The agreement as generated when the plan was accepted.
    Agreement,
    /// The copy the customer signed, scanned.
    SignedCopy,
}

impl PlanDocumentKind {
    pub fn code(&self) -> &'static str {
        match self {
            PlanDocumentKind::Agreement => "agreement",
            PlanDocumentKind::SignedCopy => "signed_copy",
        }
    }

    pub fn parse(code: &str) -> Option<PlanDocumentKind> {
        match code {
            "agreement" => Some(PlanDocumentKind::Agreement),
            "signed_copy" => Some(PlanDocumentKind::SignedCopy),
            _ => None,
        }
    }
}

/// A plan's document, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDocumentRecord {
    pub kind: PlanDocumentKind,
    pub file_name: String,
    pub sha256: String,
    pub size: i64,
    pub created_at: Timestamp,
}

/// How a plan ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanEnd<'a> {
    pub status: PlanStatus,
    pub on: Date,
    pub reason: &'a str,
}

type PlanRow = (
    i64,
    i64,
    String,
    String,
    String,
    i64,
    String,
    bool,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The rest of a plan's row (a tuple reads at most 16 columns), with the customer's credit.
type PlanEndRow = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    i64,
    i64,
);

const PLAN_SELECT: &str = "SELECT p.id, p.customer_id, c.reference, p.status, p.currency, p.covered_minor, p.frequency, \
     p.waive_charges, p.exceeded, p.proposed_by, iso(p.proposed_at), p.approved_by, iso(p.accepted_at), p.accepted_how \
     FROM payment_plans p JOIN customers c ON c.id = p.customer_id WHERE p.tenant_id = $1";

impl TenantStore<'_> {
    pub async fn plan_settings(&self) -> Result<Option<PlanSettings>, StoreError> {
        let sql = self.sql(
            "SELECT max_installments, min_installment_minor, max_months, grace_days, include_charges \
             FROM plan_settings WHERE tenant_id = $1",
        );
        let row: Option<(i64, i64, i64, i64, String)> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .fetch_optional(pool)
                .await?
        });
        let currency = self.currency().await?;
        row.map(
            |(max_installments, min_installment, max_months, grace_days, include_charges)| {
                let count = |value: i64, what: &str| {
                    u32::try_from(value).map_err(|_| corrupt(format!("plan settings: {what}")))
                };
                Ok(PlanSettings {
                    limits: PlanLimits {
                        max_installments: count(max_installments, "max_installments")?,
                        min_installment: Money::from_minor(min_installment, currency),
                        max_months: count(max_months, "max_months")?,
                    },
                    grace_days: count(grace_days, "grace_days")?,
                    include_charges: IncludedCharges::parse(&include_charges)
                        .ok_or_else(|| corrupt("plan settings: include_charges"))?,
                })
            },
        )
        .transpose()
    }

    pub async fn save_plan_settings(
        &self,
        settings: &PlanSettings,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = self.sql(
            "INSERT INTO plan_settings (tenant_id, max_installments, min_installment_minor, max_months, grace_days, updated_at, include_charges) \
             VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7) \
             ON CONFLICT (tenant_id) DO UPDATE SET max_installments = excluded.max_installments, \
             min_installment_minor = excluded.min_installment_minor, max_months = excluded.max_months, \
             grace_days = excluded.grace_days, updated_at = excluded.updated_at, include_charges = excluded.include_charges",
        );
        with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(i64::from(settings.limits.max_installments))
                .bind(settings.limits.min_installment.minor())
                .bind(i64::from(settings.limits.max_months))
                .bind(i64::from(settings.grace_days))
                .bind(timestamp_text(now))
                .bind(settings.include_charges.code())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Records a proposed plan with its invoices and installments, all or nothing.
    pub async fn add_plan(&self, plan: &NewPlan<'_>, now: Timestamp) -> Result<i64, StoreError> {
        let insert_plan = dialect(
            self.store,
            "INSERT INTO payment_plans (tenant_id, customer_id, status, currency, covered_minor, frequency, \
             waive_charges, exceeded, proposed_by, proposed_at, included_charges, charges_minor) \
             VALUES ($1, $2, 'proposed', $3, $4, $5, $6, $7, $8, $9::timestamptz, $10, $11) RETURNING id",
        );
        let insert_invoice = dialect(
            self.store,
            "INSERT INTO payment_plan_invoices (plan_id, invoice_id, outstanding_minor) VALUES ($1, $2, $3)",
        );
        let insert_installment = dialect(
            self.store,
            "INSERT INTO payment_plan_installments (plan_id, number, due_on, amount_minor) \
             VALUES ($1, $2, $3::date, $4)",
        );
        let id = with_pool!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(insert_plan.as_str()))
                .bind(self.tenant.0)
                .bind(plan.customer.0)
                .bind(plan.covered.currency().code())
                .bind(plan.covered.minor())
                .bind(plan.every.code())
                .bind(plan.waive_charges)
                .bind(plan.exceeded.join(","))
                .bind(plan.proposed_by)
                .bind(timestamp_text(now))
                .bind(plan.included.code())
                .bind(plan.charges.minor())
                .fetch_one(&mut *tx)
                .await?;
            for (invoice, outstanding) in plan.invoices {
                sqlx::query(sqlx::AssertSqlSafe(insert_invoice.as_str()))
                    .bind(id)
                    .bind(invoice.0)
                    .bind(outstanding.minor())
                    .execute(&mut *tx)
                    .await?;
            }
            for installment in plan.installments {
                sqlx::query(sqlx::AssertSqlSafe(insert_installment.as_str()))
                    .bind(id)
                    .bind(i64::from(installment.number))
                    .bind(installment.due_on.to_string())
                    .bind(installment.amount.minor())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    pub async fn plan(&self, id: i64) -> Result<PlanRecord, StoreError> {
        self.read_plans(&format!("{PLAN_SELECT} AND p.id = {id}"))
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound {
                what: format!("payment plan {id}"),
            })
    }

    /// Plans in `status` (any when `None`) of `customer` (any when `None`), oldest first.
    pub async fn plans(
        &self,
        status: Option<PlanStatus>,
        customer: Option<CustomerId>,
    ) -> Result<Vec<PlanRecord>, StoreError> {
        let mut sql = PLAN_SELECT.to_owned();
        if let Some(status) = status {
            sql.push_str(&format!(" AND p.status = '{}'", status.code()));
        }
        if let Some(customer) = customer {
            sql.push_str(&format!(" AND p.customer_id = {}", customer.0));
        }
        sql.push_str(" ORDER BY p.id");
        self.read_plans(&sql).await
    }

    /// A proposed plan becomes active; false when it was no longer proposed.
    pub async fn activate_plan(
        &self,
        id: i64,
        approved_by: Option<&str>,
        how: &str,
        note: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = self.sql(
            "UPDATE payment_plans SET status = 'active', approved_by = $3, accepted_at = $4::timestamptz, \
             accepted_how = $5, acceptance_note = $6 \
             WHERE tenant_id = $1 AND id = $2 AND status = 'proposed'",
        );
        let updated = with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(id)
                .bind(approved_by)
                .bind(timestamp_text(now))
                .bind(how)
                .bind(note)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(updated == 1)
    }

    /// Ends a proposed or active plan; false when it had already ended.
    pub async fn end_plan(&self, id: i64, end: &PlanEnd<'_>) -> Result<bool, StoreError> {
        let sql = self.sql(
            "UPDATE payment_plans SET status = $3, ended_on = $4::date, end_reason = $5 \
             WHERE tenant_id = $1 AND id = $2 AND status IN ('proposed', 'active')",
        );
        let updated = with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(id)
                .bind(end.status.code())
                .bind(end.on.to_string())
                .bind(end.reason)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(updated == 1)
    }

    /// Keeps a document with plan `id`; false (and nothing written) when one of that kind is
    /// already kept.
    pub async fn add_plan_document(
        &self,
        id: i64,
        kind: PlanDocumentKind,
        file_name: &str,
        sha256: &str,
        content: &[u8],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = self.sql(
            "INSERT INTO plan_documents (tenant_id, plan_id, kind, file_name, sha256, content, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz) ON CONFLICT (plan_id, kind) DO NOTHING",
        );
        let written = with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(id)
                .bind(kind.code())
                .bind(file_name)
                .bind(sha256)
                .bind(content)
                .bind(timestamp_text(now))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(written == 1)
    }

    /// The documents kept with plan `id`, oldest first.
    pub async fn plan_documents(&self, id: i64) -> Result<Vec<PlanDocumentRecord>, StoreError> {
        let sql = self.sql(
            "SELECT kind, file_name, sha256, CAST(length(content) AS BIGINT), iso(created_at) FROM plan_documents \
             WHERE tenant_id = $1 AND plan_id = $2 ORDER BY id",
        );
        let rows: Vec<(String, String, String, i64, String)> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .bind(id)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(kind, file_name, sha256, size, created_at)| {
                Ok(PlanDocumentRecord {
                    kind: PlanDocumentKind::parse(&kind)
                        .ok_or_else(|| corrupt(format!("payment plan {id}: document kind")))?,
                    file_name,
                    sha256,
                    size,
                    created_at: parse_timestamp(&created_at)?,
                })
            })
            .collect()
    }

    /// The content of a plan's document of `kind`, if one is kept.
    pub async fn plan_document(
        &self,
        id: i64,
        kind: PlanDocumentKind,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let sql = self.sql(
            "SELECT content FROM plan_documents WHERE tenant_id = $1 AND plan_id = $2 AND kind = $3",
        );
        let content: Option<Vec<u8>> = with_pool!(self.store, |pool| {
            sqlx::query_scalar(sql)
                .bind(self.tenant.0)
                .bind(id)
                .bind(kind.code())
                .fetch_optional(pool)
                .await?
        });
        Ok(content)
    }

    async fn currency(&self) -> Result<Currency, StoreError> {
        let sql = self.sql("SELECT currency FROM tenants WHERE id = $1");
        let code: String = with_pool!(self.store, |pool| {
            sqlx::query_scalar(sql)
                .bind(self.tenant.0)
                .fetch_one(pool)
                .await?
        });
        Currency::from_code(&code).map_err(|_| corrupt("tenant currency"))
    }

    async fn read_plans(&self, sql: &str) -> Result<Vec<PlanRecord>, StoreError> {
        let sql = self.sql(sql);
        let rows: Vec<PlanRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .fetch_all(pool)
                .await?
        });
        let mut plans = rows
            .into_iter()
            .map(plan_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        if plans.is_empty() {
            return Ok(plans);
        }
        let ids = id_list(plans.iter().map(|plan| plan.id));
        let ends = self.sql(&format!(
            "SELECT p.id, p.acceptance_note, iso(p.ended_on), p.end_reason, p.included_charges, p.charges_minor, \
             CAST((SELECT COALESCE(SUM(amount_minor - allocated_minor), 0) FROM payments pay \
             WHERE pay.tenant_id = p.tenant_id AND pay.customer_id = p.customer_id AND pay.currency = p.currency) AS BIGINT) \
             FROM payment_plans p WHERE p.tenant_id = $1 AND p.id IN ({ids})"
        ));
        let end_rows: Vec<PlanEndRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(ends)
                .bind(self.tenant.0)
                .fetch_all(pool)
                .await?
        });
        let invoices = self.sql(&format!(
            "SELECT pi.plan_id, i.id, i.number, pi.outstanding_minor, i.outstanding_minor \
             FROM payment_plan_invoices pi JOIN invoices i ON i.id = pi.invoice_id \
             WHERE i.tenant_id = $1 AND pi.plan_id IN ({ids}) ORDER BY pi.plan_id, i.due_on, i.number"
        ));
        let invoice_rows: Vec<(i64, i64, String, i64, i64)> = with_pool!(self.store, |pool| {
            sqlx::query_as(invoices)
                .bind(self.tenant.0)
                .fetch_all(pool)
                .await?
        });
        let installments = self.sql(&format!(
            "SELECT plan_id, number, iso(due_on), amount_minor FROM payment_plan_installments \
             WHERE plan_id IN ({ids}) AND $1 = $1 ORDER BY plan_id, number"
        ));
        let installment_rows: Vec<(i64, i64, String, i64)> = with_pool!(self.store, |pool| {
            sqlx::query_as(installments)
                .bind(self.tenant.0)
                .fetch_all(pool)
                .await?
        });
        for plan in &mut plans {
            let currency = plan.covered.currency();
            if let Some((_, note, ended_on, end_reason, included, charges, credit)) =
                end_rows.iter().find(|row| row.0 == plan.id)
            {
                plan.acceptance_note = note.clone();
                plan.ended_on = ended_on.as_deref().map(parse_date).transpose()?;
                plan.end_reason = end_reason.clone();
                plan.included = IncludedCharges::parse(included).ok_or_else(|| {
                    corrupt(format!("payment plan {}: included charges", plan.id))
                })?;
                plan.charges = Money::from_minor(*charges, currency);
                plan.charges_paid = Money::from_minor(*credit, currency);
            }
            plan.invoices = invoice_rows
                .iter()
                .filter(|row| row.0 == plan.id)
                .map(|(_, id, number, then, now)| PlanInvoice {
                    id: InvoiceId(*id),
                    number: number.clone(),
                    outstanding_then: Money::from_minor(*then, currency),
                    outstanding_now: Money::from_minor(*now, currency),
                })
                .collect();
            plan.installments = installment_rows
                .iter()
                .filter(|row| row.0 == plan.id)
                .map(|(_, number, due_on, amount)| {
                    Ok(Installment {
                        number: u32::try_from(*number)
                            .map_err(|_| corrupt(format!("payment plan {}: number", plan.id)))?,
                        due_on: parse_date(due_on)?,
                        amount: Money::from_minor(*amount, currency),
                    })
                })
                .collect::<Result<_, StoreError>>()?;
        }
        Ok(plans)
    }
}

fn plan_from_row(row: PlanRow) -> Result<PlanRecord, StoreError> {
    let (
        id,
        customer,
        customer_ref,
        status,
        currency,
        covered,
        frequency,
        waive_charges,
        exceeded,
        proposed_by,
        proposed_at,
        approved_by,
        accepted_at,
        accepted_how,
    ) = row;
    let bad = |what: &str| corrupt(format!("payment plan {id}: {what}"));
    let currency = Currency::from_code(&currency).map_err(|_| bad("currency"))?;
    Ok(PlanRecord {
        id,
        customer: CustomerId(customer),
        customer_ref,
        status: PlanStatus::parse(&status).ok_or_else(|| bad("status"))?,
        covered: Money::from_minor(covered, currency),
        charges: Money::zero(currency),
        included: IncludedCharges::None,
        charges_paid: Money::zero(currency),
        every: Frequency::parse(&frequency).ok_or_else(|| bad("frequency"))?,
        waive_charges,
        exceeded: exceeded
            .split(',')
            .filter(|code| !code.is_empty())
            .map(str::to_owned)
            .collect(),
        proposed_by,
        proposed_at: parse_timestamp(&proposed_at)?,
        approved_by,
        accepted_at: accepted_at.as_deref().map(parse_timestamp).transpose()?,
        accepted_how,
        acceptance_note: None,
        ended_on: None,
        end_reason: None,
        invoices: Vec::new(),
        installments: Vec::new(),
    })
}
