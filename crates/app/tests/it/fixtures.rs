//! Shared helpers: a creditor, an import from bytes, a checksum of what is stored.

use app::clock::Clock;
use app::import::{
    ImportError, ImportInput, ImportOptions, ImportReport, InvoiceFileFormat, NoProgress,
    import_invoices,
};
use app::{InvoiceFilter, Store, TenantRecord};
use domain::creditor::{CreditorProfile, PostalAddress, TimeZoneName};
use domain::identifiers::CountryCode;
use domain::money::Currency;
use test_support::fixed_now;

pub(crate) fn clock() -> Clock {
    Clock::Fixed(fixed_now())
}

pub(crate) async fn creditor(store: &Store, name: &str) -> TenantRecord {
    let profile = CreditorProfile {
        company_name: name.to_owned(),
        siren: None,
        address: PostalAddress {
            country: Some(CountryCode::FRANCE),
            ..PostalAddress::default()
        },
        iban: None,
        bic: None,
        language: domain::customer::Language::French,
        time_zone: TimeZoneName::europe_paris(),
        currency: Currency::EUR,
        default_payment_term_days: 30,
    };
    let id = app::setup::add_creditor(store, &profile, clock())
        .await
        .unwrap();
    store
        .tenants()
        .await
        .unwrap()
        .into_iter()
        .find(|tenant| tenant.id == id)
        .unwrap()
}

pub(crate) async fn import_csv(
    store: &Store,
    tenant: &TenantRecord,
    name: &str,
    bytes: &[u8],
) -> Result<ImportReport, ImportError> {
    import_invoices(
        store,
        tenant,
        ImportInput::Bytes { name, bytes },
        ImportOptions {
            format: InvoiceFileFormat::Csv,
            payment_term_days: None,
        },
        &NoProgress,
        clock(),
    )
    .await
}

pub(crate) async fn import_fec(
    store: &Store,
    tenant: &TenantRecord,
    path: &std::path::Path,
) -> Result<ImportReport, ImportError> {
    import_invoices(
        store,
        tenant,
        ImportInput::Path(path),
        ImportOptions {
            format: InvoiceFileFormat::Fec,
            payment_term_days: None,
        },
        &NoProgress,
        clock(),
    )
    .await
}

/// Every stored invoice as `number customer due amount outstanding`, in order: a checksum that
/// reads like the data.
pub(crate) async fn ledger(store: &Store, tenant: &TenantRecord) -> Vec<String> {
    app::queries::list_invoices(store, tenant, &InvoiceFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|invoice| {
            format!(
                "{} {} {} {} {}",
                invoice.number,
                invoice.customer,
                invoice.due_on,
                invoice.amount.to_decimal_string(),
                invoice.outstanding.to_decimal_string()
            )
        })
        .collect()
}

pub(crate) fn counts(report: &ImportReport) -> [u64; 6] {
    [
        report.invoices.created,
        report.invoices.updated,
        report.invoices.unchanged,
        report.customers.created,
        report.customers.updated,
        report.customers.unchanged,
    ]
}

/// The ECB rate of 1 July 2026 is not in the built-in table yet: statements of late 2026 need
/// one, so the operator's table carries the rate unchanged (a test figure).
pub(crate) async fn ecb_rates_through_2027(store: &Store) {
    let mut ecb =
        formats::rate_tables::builtin_csv(domain::late_payment::RateTableKind::EcbMainRefinancing)
            .to_owned();
    ecb.push_str("2026-07-01,2.15,test figure (not a published rate)\n");
    ecb.push_str("2027-01-01,2.15,test figure (not a published rate)\n");
    app::late_payment::import_rate_table(store, clock(), "ecb.csv", ecb.as_bytes())
        .await
        .unwrap();
}
