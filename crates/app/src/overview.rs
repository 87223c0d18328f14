//! What the staff pages show at a glance: the dashboard's figures and lists, and pages of
//! customers searched and sorted by the database.

use domain::money::Money;
use domain::report::{AgingBuckets, AgingReport, aged_totals, days_sales_outstanding};
use jiff::ToSpan;
use jiff::civil::Date;
use store::{
    ActionRecord, CustomerPage, CustomerQuery, PromiseOfCustomer, Store, StoreError, TenantRecord,
};

/// The DSO's period: the last 90 days of sales, the usual quarter.
pub const DSO_PERIOD_DAYS: u32 = 90;
/// How far back the dashboard lists broken promises.
pub const BROKEN_PROMISES_DAYS: i32 = 7;
/// How many actions of each list the dashboard carries (the counts are of all).
pub const DASHBOARD_SAMPLE: u32 = 15;
/// The largest page of customers served.
pub const MAX_PAGE: u32 = 200;

#[derive(Debug, Clone)]
pub struct Dashboard {
    pub as_of: Date,
    /// The same aged balance as `relance report aging` on the day.
    pub aging: AgingReport,
    pub overdue: Money,
    /// Invoiced over the DSO period.
    pub invoiced: Money,
    pub dso_days: Option<i64>,
    /// How many actions were decided today, whatever their status, and the first
    /// `DASHBOARD_SAMPLE` of them.
    pub actions_today_count: i64,
    pub actions_today: Vec<ActionRecord>,
    /// How many actions wait for a manager, whenever decided, and the first of them.
    pub approvals_waiting_count: i64,
    pub approvals_waiting: Vec<ActionRecord>,
    pub promises_due_today: Vec<PromiseOfCustomer>,
    pub promises_broken: Vec<PromiseOfCustomer>,
}

/// The dashboard on `as_of` (today in the creditor's time zone, for the pages).
pub async fn dashboard(
    store: &Store,
    tenant: &TenantRecord,
    as_of: Date,
) -> Result<Dashboard, StoreError> {
    let handle = store.tenant(tenant.id);
    let aging = aged_totals(
        as_of,
        tenant.profile.currency,
        &AgingBuckets::standard(),
        handle.open_amounts_by_due_date().await?,
    );
    let period_start = as_of
        .checked_sub(i64::from(DSO_PERIOD_DAYS - 1).days())
        .unwrap_or(as_of);
    let invoiced = handle
        .invoiced_between(period_start, as_of, aging.currency)
        .await?;
    let dso_days = days_sales_outstanding(aging.total, invoiced, DSO_PERIOD_DAYS);
    let (actions_today_count, actions_today) = handle
        .actions_sample(Some(as_of), None, 0, DASHBOARD_SAMPLE)
        .await?;
    let (approvals_waiting_count, approvals_waiting) = handle
        .actions_sample(None, Some("awaiting_approval"), 0, DASHBOARD_SAMPLE)
        .await?;
    let broken_since = as_of
        .checked_sub((BROKEN_PROMISES_DAYS - 1).days())
        .unwrap_or(as_of);
    Ok(Dashboard {
        as_of,
        overdue: aging.overdue(),
        invoiced,
        dso_days,
        actions_today_count,
        actions_today,
        approvals_waiting_count,
        approvals_waiting,
        promises_due_today: handle.promises_due_on(as_of).await?,
        promises_broken: handle.promises_broken_since(broken_since).await?,
        aging,
    })
}

/// A page of the action queue of `day` (what waits for approval first, then the day's actions,
/// by customer reference), and how many actions it holds in all; the page size is capped at
/// `MAX_PAGE`.
pub async fn action_queue(
    store: &Store,
    tenant: &TenantRecord,
    day: Date,
    offset: u32,
    limit: u32,
) -> Result<(i64, Vec<ActionRecord>), StoreError> {
    store
        .tenant(tenant.id)
        .action_queue(day, offset, limit.clamp(1, MAX_PAGE))
        .await
}

/// A page of customers; the page size is capped at `MAX_PAGE`.
pub async fn customer_page(
    store: &Store,
    tenant: &TenantRecord,
    query: &CustomerQuery,
) -> Result<CustomerPage, StoreError> {
    let mut query = query.clone();
    query.limit = query.limit.clamp(1, MAX_PAGE);
    store.tenant(tenant.id).customer_page(&query).await
}
