//! Read-only use cases: lists and reports.

use domain::money::Currency;
use domain::report::{AgingBuckets, AgingReport, aged_balance};
use jiff::civil::Date;
use store::{CustomerSummary, InvoiceFilter, InvoiceRecord, Store, StoreError, TenantRecord};

pub async fn list_customers(
    store: &Store,
    tenant: &TenantRecord,
) -> Result<Vec<CustomerSummary>, StoreError> {
    store.tenant(tenant.id).customers().await
}

pub async fn list_invoices(
    store: &Store,
    tenant: &TenantRecord,
    filter: &InvoiceFilter,
) -> Result<Vec<InvoiceRecord>, StoreError> {
    store.tenant(tenant.id).invoices(filter).await
}

/// The aged balance on `as_of` in `currency` (default: the creditor's).
pub async fn aging_report(
    store: &Store,
    tenant: &TenantRecord,
    as_of: Date,
    currency: Option<Currency>,
) -> Result<AgingReport, StoreError> {
    let items = store.tenant(tenant.id).open_items().await?;
    let currency = currency.unwrap_or(tenant.profile.currency);
    Ok(aged_balance(
        as_of,
        currency,
        &AgingBuckets::standard(),
        items,
    ))
}

/// The number of invoices and the sums of amounts and outstanding: proves a rejected import or
/// a repeated run left the ledger as it was.
pub async fn ledger_checksum(
    store: &Store,
    tenant: &TenantRecord,
) -> Result<(i64, i64, i64), StoreError> {
    store.tenant(tenant.id).ledger_checksum().await
}
