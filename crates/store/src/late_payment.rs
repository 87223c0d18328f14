//! Late-payment law as stored: the operator's replacement rate tables, each tenant's
//! late-payment policy, a customer's own rule set and contract rate, the waivers granted, and
//! the dated payments a statement of account imputes.
//!
//! Rate tables are the one install-wide record here (on `Store`, not `TenantStore`): they are
//! published figures every creditor computes with, not a creditor's data. They are kept as the
//! CSV text `formats` writes, and read by `app`, because this crate knows no file format.
//! Statements are written in PostgreSQL's dialect and converted for SQLite, like the dunning
//! state's.

use domain::ids::{CustomerId, InvoiceId};
use domain::late_payment::{
    BelowFloorPolicy, ClaimStart, ContractRate, CreditorKind, DayCount, EarlyPaymentDiscount,
    Jurisdiction, LatePaymentPolicy, LatePaymentSettings, PaymentOrder, PostJudgmentIncrease, Rate,
    RateTableKind, Share, StatutoryRateFloor, WaivedCharges, Waiver, WaiverExtent,
};
use domain::money::{Currency, Money};
use domain::receivable::InvoiceNumber;
use jiff::Timestamp;
use jiff::civil::Date;

use crate::dunning::{corrupt, dialect};
use crate::{Store, StoreError, TenantStore, parse_date, parse_timestamp, timestamp_text};

/// An operator's replacement of a built-in rate table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateTableRecord {
    pub kind: RateTableKind,
    /// The table as `formats::rate_tables::write_rate_table` writes it.
    pub csv: String,
    pub imported_at: Timestamp,
}

/// A customer's own late-payment terms; `None` fields: what its country and kind give.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CustomerTermsRecord {
    pub jurisdiction: Option<Jurisdiction>,
    pub contract_rate: Option<ContractRate>,
}

/// A waiver to record, with its codes already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWaiver<'a> {
    pub customer: CustomerId,
    pub invoice: Option<InvoiceId>,
    pub extent: WaiverExtent,
    pub charges: WaivedCharges,
    pub reason: &'a str,
    pub granted_by: &'a str,
}

/// A waiver as stored, withdrawn or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverRecord {
    pub id: i64,
    pub customer: CustomerId,
    pub invoice: Option<InvoiceId>,
    /// What it gives up, as the statement applies it.
    pub waiver: Waiver,
    pub reason: String,
    pub granted_by: String,
    pub granted_at: Timestamp,
    pub withdrawn_at: Option<Timestamp>,
    pub withdrawal_reason: Option<String>,
}

impl WaiverRecord {
    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn_at.is_some()
    }
}

/// Part of a payment allocated to an invoice, on the day it was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoicePayment {
    pub invoice: InvoiceId,
    pub received_on: Date,
    pub amount: Money,
}

fn rate_table_kind(code: &str) -> Result<RateTableKind, StoreError> {
    RateTableKind::ALL
        .into_iter()
        .find(|kind| kind.code() == code)
        .ok_or_else(|| corrupt(format!("rate table kind {code:?}")))
}

impl Store {
    /// The latest replacement of each kind of rate table, if any.
    pub async fn rate_tables(&self) -> Result<Vec<RateTableRecord>, StoreError> {
        let sql = sqlx::AssertSqlSafe(dialect(
            self,
            "SELECT kind, csv, iso(imported_at) FROM rate_tables \
             WHERE id IN (SELECT MAX(id) FROM rate_tables GROUP BY kind) ORDER BY kind",
        ));
        let rows: Vec<(String, String, String)> =
            with_pool!(self, |pool| sqlx::query_as(sql).fetch_all(pool).await?);
        rows.into_iter()
            .map(|(kind, csv, imported_at)| {
                Ok(RateTableRecord {
                    kind: rate_table_kind(&kind)?,
                    csv,
                    imported_at: parse_timestamp(&imported_at)?,
                })
            })
            .collect()
    }

    /// Records a replacement table, unless the latest of its kind is the same text; returns
    /// whether anything was written, so that importing a file twice changes nothing.
    pub async fn save_rate_table(
        &self,
        kind: RateTableKind,
        csv: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let latest = sqlx::AssertSqlSafe(dialect(
            self,
            "SELECT csv FROM rate_tables WHERE kind = $1 ORDER BY id DESC LIMIT 1",
        ));
        let insert = sqlx::AssertSqlSafe(dialect(
            self,
            "INSERT INTO rate_tables (kind, csv, imported_at) VALUES ($1, $2, $3::timestamptz)",
        ));
        let written = with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let current: Option<String> = sqlx::query_scalar(latest)
                .bind(kind.code())
                .fetch_optional(&mut *tx)
                .await?;
            if current.as_deref() == Some(csv) {
                false
            } else {
                sqlx::query(insert)
                    .bind(kind.code())
                    .bind(csv)
                    .bind(timestamp_text(now))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                true
            }
        });
        Ok(written)
    }
}

/// A settings row as read, before its codes are checked.
type PolicyRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
);

/// A waiver row as read, before its codes are checked.
type WaiverRow = (
    i64,
    i64,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

const WAIVER_SELECT: &str = "SELECT w.id, w.customer_id, w.invoice_id, i.number, w.extent, w.currency, w.amount_minor, \
     w.share_hundredths_of_percent, w.charges, w.reason, w.granted_by, iso(w.granted_at), iso(w.withdrawn_at), w.withdrawal_reason \
     FROM waivers w LEFT JOIN invoices i ON i.id = w.invoice_id WHERE w.tenant_id = $1";

impl TenantStore<'_> {
    /// The tenant's late-payment policy; `None` when it never changed the defaults.
    pub async fn late_payment_policy(&self) -> Result<Option<LatePaymentPolicy>, StoreError> {
        let sql = self.sql(
            "SELECT claim_start, day_count, payment_order, below_floor, statutory_rate_floor, post_judgment_increase, \
             creditor_kind, discount_hundredths_of_percent, discount_within_days \
             FROM late_payment_settings WHERE tenant_id = $1",
        );
        let row: Option<PolicyRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .fetch_optional(pool)
                .await?
        });
        let Some((claim, day, order, below, floor, increase, creditor, discount, within)) = row
        else {
            return Ok(None);
        };
        fn code<T>(parse: fn(&str) -> Option<T>, text: &str, what: &str) -> Result<T, StoreError> {
            parse(text).ok_or_else(|| corrupt(format!("late-payment setting {what} {text:?}")))
        }
        let early_payment_discount = match (discount, within) {
            (Some(hundredths), Some(days)) => EarlyPaymentDiscount::Offered {
                hundredths_of_percent: u32::try_from(hundredths)
                    .map_err(|_| corrupt("early-payment discount"))?,
                within_days: u16::try_from(days).map_err(|_| corrupt("early-payment discount"))?,
            },
            _ => EarlyPaymentDiscount::NotOffered,
        };
        Ok(Some(LatePaymentPolicy {
            settings: LatePaymentSettings {
                day_count: code(DayCount::parse, &day, "day_count")?,
                payment_order: code(PaymentOrder::parse, &order, "payment_order")?,
                below_floor: code(BelowFloorPolicy::parse, &below, "below_floor")?,
                statutory_rate_floor: code(StatutoryRateFloor::parse, &floor, "floor")?,
                post_judgment_increase: code(PostJudgmentIncrease::parse, &increase, "increase")?,
            },
            claim_start: code(ClaimStart::parse, &claim, "claim_start")?,
            creditor: code(CreditorKind::parse, &creditor, "creditor_kind")?,
            early_payment_discount,
        }))
    }

    /// Stores the tenant's whole policy in place of the one before.
    pub async fn save_late_payment_policy(
        &self,
        policy: &LatePaymentPolicy,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = self.sql(
            "INSERT INTO late_payment_settings (tenant_id, claim_start, day_count, payment_order, below_floor, \
             statutory_rate_floor, post_judgment_increase, creditor_kind, discount_hundredths_of_percent, \
             discount_within_days, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::timestamptz) \
             ON CONFLICT (tenant_id) DO UPDATE SET claim_start = excluded.claim_start, day_count = excluded.day_count, \
             payment_order = excluded.payment_order, below_floor = excluded.below_floor, \
             statutory_rate_floor = excluded.statutory_rate_floor, post_judgment_increase = excluded.post_judgment_increase, \
             creditor_kind = excluded.creditor_kind, discount_hundredths_of_percent = excluded.discount_hundredths_of_percent, \
             discount_within_days = excluded.discount_within_days, updated_at = excluded.updated_at",
        );
        let settings = &policy.settings;
        let (discount, within) = match policy.early_payment_discount {
            EarlyPaymentDiscount::NotOffered => (None, None),
            EarlyPaymentDiscount::Offered {
                hundredths_of_percent,
                within_days,
            } => (
                Some(i64::from(hundredths_of_percent)),
                Some(i64::from(within_days)),
            ),
        };
        with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(policy.claim_start.code())
                .bind(settings.day_count.code())
                .bind(settings.payment_order.code())
                .bind(settings.below_floor.code())
                .bind(settings.statutory_rate_floor.code())
                .bind(settings.post_judgment_increase.code())
                .bind(policy.creditor.code())
                .bind(discount)
                .bind(within)
                .bind(timestamp_text(now))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// The customer's own late-payment terms (none: everything from its country and kind).
    pub async fn customer_late_payment_terms(
        &self,
        customer: CustomerId,
    ) -> Result<CustomerTermsRecord, StoreError> {
        let sql = self.sql(
            "SELECT jurisdiction, contract_rate_units, contract_times_legal FROM customer_late_payment_terms \
             WHERE tenant_id = $1 AND customer_id = $2",
        );
        let row: Option<(Option<String>, Option<i64>, Option<i64>)> =
            with_pool!(self.store, |pool| {
                sqlx::query_as(sql)
                    .bind(self.tenant.0)
                    .bind(customer.0)
                    .fetch_optional(pool)
                    .await?
            });
        let Some((jurisdiction, units, times)) = row else {
            return Ok(CustomerTermsRecord::default());
        };
        let bad = |what: &str| corrupt(format!("customer {customer}: {what}"));
        let jurisdiction = jurisdiction
            .map(|code| Jurisdiction::parse(&code).map_err(|_| bad("jurisdiction")))
            .transpose()?;
        let contract_rate = match (units, times) {
            (Some(units), None) => Some(ContractRate::Fixed(Rate::from_hundredths_of_basis_point(
                units,
            ))),
            (None, Some(times)) => Some(ContractRate::TimesLegalRate(
                u32::try_from(times).map_err(|_| bad("contract rate"))?,
            )),
            (None, None) => None,
            (Some(_), Some(_)) => return Err(bad("contract rate")),
        };
        Ok(CustomerTermsRecord {
            jurisdiction,
            contract_rate,
        })
    }

    /// Replaces the customer's own late-payment terms.
    pub async fn save_customer_late_payment_terms(
        &self,
        customer: CustomerId,
        terms: &CustomerTermsRecord,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = self.sql(
            "INSERT INTO customer_late_payment_terms (tenant_id, customer_id, jurisdiction, contract_rate_units, \
             contract_times_legal, updated_at) VALUES ($1, $2, $3, $4, $5, $6::timestamptz) \
             ON CONFLICT (tenant_id, customer_id) DO UPDATE SET jurisdiction = excluded.jurisdiction, \
             contract_rate_units = excluded.contract_rate_units, contract_times_legal = excluded.contract_times_legal, \
             updated_at = excluded.updated_at",
        );
        let (units, times) = match terms.contract_rate {
            Some(ContractRate::Fixed(rate)) => (Some(rate.hundredths_of_basis_point()), None),
            Some(ContractRate::TimesLegalRate(times)) => (None, Some(i64::from(times))),
            None => (None, None),
        };
        with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(customer.0)
                .bind(
                    terms
                        .jurisdiction
                        .map(|jurisdiction| jurisdiction.to_string()),
                )
                .bind(units)
                .bind(times)
                .bind(timestamp_text(now))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    pub async fn add_waiver(
        &self,
        waiver: &NewWaiver<'_>,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let sql = self.sql(
            "INSERT INTO waivers (tenant_id, customer_id, invoice_id, extent, currency, amount_minor, \
             share_hundredths_of_percent, charges, reason, granted_by, granted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::timestamptz) RETURNING id",
        );
        let (extent, amount, share) = match waiver.extent {
            WaiverExtent::Full => ("full", None, None),
            WaiverExtent::Amount(money) => ("amount", Some(money), None),
            WaiverExtent::Share(share) => (
                "share",
                None,
                Some(i64::from(share.hundredths_of_percent())),
            ),
        };
        let id: i64 = with_pool!(self.store, |pool| {
            sqlx::query_scalar(sql)
                .bind(self.tenant.0)
                .bind(waiver.customer.0)
                .bind(waiver.invoice.map(|invoice| invoice.0))
                .bind(extent)
                .bind(amount.map(|money| money.currency().code().to_owned()))
                .bind(amount.map(|money| money.minor()))
                .bind(share)
                .bind(waiver.charges.code())
                .bind(waiver.reason)
                .bind(waiver.granted_by)
                .bind(timestamp_text(now))
                .fetch_one(pool)
                .await?
        });
        Ok(id)
    }

    /// Every waiver of the customer, withdrawn ones too, in the order they were granted.
    pub async fn waivers_of(&self, customer: CustomerId) -> Result<Vec<WaiverRecord>, StoreError> {
        self.read_waivers(&format!(
            "{WAIVER_SELECT} AND w.customer_id = {} ORDER BY w.id",
            customer.0
        ))
        .await
    }

    pub async fn waiver(&self, id: i64) -> Result<WaiverRecord, StoreError> {
        self.read_waivers(&format!("{WAIVER_SELECT} AND w.id = {id}"))
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound {
                what: format!("waiver {id}"),
            })
    }

    /// Withdraws a waiver still in force; false when it was already withdrawn.
    pub async fn withdraw_waiver(
        &self,
        id: i64,
        reason: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = self.sql(
            "UPDATE waivers SET withdrawn_at = $3::timestamptz, withdrawal_reason = $4 \
             WHERE tenant_id = $1 AND id = $2 AND withdrawn_at IS NULL",
        );
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

    /// The allocations to the customer's invoices, with the day each payment was received.
    pub async fn invoice_payments(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<InvoicePayment>, StoreError> {
        let sql = self.sql(
            "SELECT a.invoice_id, iso(p.received_on), p.currency, a.amount_minor \
             FROM allocations a JOIN payments p ON p.id = a.payment_id JOIN invoices i ON i.id = a.invoice_id \
             WHERE a.tenant_id = $1 AND i.tenant_id = $1 AND i.customer_id = $2 \
             ORDER BY a.invoice_id, p.received_on, a.id",
        );
        let rows: Vec<(i64, String, String, i64)> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .bind(customer.0)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(invoice, received_on, currency, amount)| {
                let currency = Currency::from_code(&currency)
                    .map_err(|_| corrupt(format!("invoice {invoice}: payment currency")))?;
                Ok(InvoicePayment {
                    invoice: InvoiceId(invoice),
                    received_on: parse_date(&received_on)?,
                    amount: Money::from_minor(amount, currency),
                })
            })
            .collect()
    }

    async fn read_waivers(&self, sql: &str) -> Result<Vec<WaiverRecord>, StoreError> {
        let sql = self.sql(sql);
        let rows: Vec<WaiverRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(waiver_from_row).collect()
    }
}

fn waiver_from_row(row: WaiverRow) -> Result<WaiverRecord, StoreError> {
    let (
        id,
        customer,
        invoice,
        number,
        extent,
        currency,
        amount,
        share,
        charges,
        reason,
        granted_by,
        granted_at,
        withdrawn_at,
        withdrawal_reason,
    ) = row;
    let bad = |what: &str| corrupt(format!("waiver {id}: {what}"));
    let extent = match (extent.as_str(), currency, amount, share) {
        ("full", None, None, None) => WaiverExtent::Full,
        ("amount", Some(currency), Some(amount), None) => WaiverExtent::Amount(Money::from_minor(
            amount,
            Currency::from_code(&currency).map_err(|_| bad("currency"))?,
        )),
        ("share", None, None, Some(share)) => WaiverExtent::Share(
            u16::try_from(share)
                .ok()
                .and_then(Share::from_hundredths_of_percent)
                .ok_or_else(|| bad("share"))?,
        ),
        _ => return Err(bad("extent")),
    };
    let invoice_number = number
        .map(|number| InvoiceNumber::parse(&number).map_err(|_| bad("invoice number")))
        .transpose()?;
    Ok(WaiverRecord {
        id,
        customer: CustomerId(customer),
        invoice: invoice.map(InvoiceId),
        waiver: Waiver {
            invoice: invoice_number,
            extent,
            charges: WaivedCharges::parse(&charges).ok_or_else(|| bad("charges"))?,
        },
        reason,
        granted_by,
        granted_at: parse_timestamp(&granted_at)?,
        withdrawn_at: withdrawn_at.as_deref().map(parse_timestamp).transpose()?,
        withdrawal_reason,
    })
}
