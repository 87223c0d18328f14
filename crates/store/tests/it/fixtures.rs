//! Small builders for the contract tests.

use domain::creditor::{
    CreditorProfile, FRENCH_DEFAULT_PAYMENT_TERM_DAYS, PostalAddress, TimeZoneName,
};
use domain::customer::{CustomerDetails, CustomerKind, CustomerRef, EmailAddress};
use domain::engine::Reason;
use domain::identifiers::CountryCode;
use domain::ids::{CustomerId, InvoiceId, TenantId};
use domain::money::{Currency, Money};
use domain::receivable::{InvoiceDates, InvoiceDetails, InvoiceNumber};
use jiff::civil::{Date, date};
use store::{
    CustomerUpsert, Explanation, ImportCounts, ImportMeta, InvoiceUpsert, NewAction, Store,
};
use test_support::fixed_now;

pub(crate) fn creditor(name: &str) -> CreditorProfile {
    CreditorProfile {
        company_name: name.to_owned(),
        siren: None,
        address: PostalAddress::default(),
        iban: None,
        bic: None,
        language: domain::customer::Language::French,
        time_zone: TimeZoneName::europe_paris(),
        currency: Currency::EUR,
        default_payment_term_days: FRENCH_DEFAULT_PAYMENT_TERM_DAYS,
    }
}

pub(crate) fn customer(reference: &str, name: &str) -> CustomerDetails {
    CustomerDetails {
        reference: CustomerRef::parse(reference).unwrap(),
        legal_name: name.to_owned(),
        kind: CustomerKind::Business,
        country: CountryCode::FRANCE,
        email: Some(EmailAddress::parse("compta@exemple.fr").unwrap()),
        phone: None,
    }
}

pub(crate) fn invoice(
    number: &str,
    customer: &str,
    due_on: Date,
    amount: i64,
    outstanding: i64,
) -> InvoiceDetails {
    InvoiceDetails::new(
        InvoiceNumber::parse(number).unwrap(),
        CustomerRef::parse(customer).unwrap(),
        InvoiceDates {
            issued_on: date(2026, 1, 5),
            due_on,
            service_on: None,
        },
        Money::from_minor(amount, Currency::EUR),
        Money::from_minor(outstanding, Currency::EUR),
    )
    .unwrap()
}

/// Writes customers and invoices through one import transaction, the way `app` does.
pub(crate) async fn import(
    store: &Store,
    tenant: TenantId,
    customers: &[CustomerDetails],
    invoices: &[InvoiceDetails],
) {
    let scope = store.tenant(tenant);
    let meta = ImportMeta {
        kind: "invoices".into(),
        file_name: "test.csv".into(),
        file_hash: "hash".into(),
        started_at: fixed_now(),
        expected_rows: invoices.len() as u64,
    };
    let mut tx = scope.begin_import(&meta).await.unwrap();
    let upserts: Vec<CustomerUpsert> = customers
        .iter()
        .map(|details| CustomerUpsert {
            details,
            row_hash: 1,
        })
        .collect();
    let mut ids: std::collections::HashMap<String, domain::ids::CustomerId> = scope
        .customer_hashes()
        .await
        .unwrap()
        .into_iter()
        .map(|(reference, id, _)| (reference, id))
        .collect();
    ids.extend(tx.upsert_customers(&upserts).await.unwrap());
    let rows: Vec<InvoiceUpsert> = invoices
        .iter()
        .map(|invoice| InvoiceUpsert {
            customer: ids[invoice.customer().as_str()],
            invoice,
            row_hash: invoice.outstanding().minor(),
        })
        .collect();
    tx.upsert_invoices(&rows).await.unwrap();
    tx.commit(ImportCounts {
        rows_read: rows.len() as i64,
        created: rows.len() as i64,
        ..ImportCounts::default()
    })
    .await
    .unwrap();
}

/// A new creditor, created at the fixed test time.
pub(crate) async fn new_tenant(store: &Store, name: &str) -> TenantId {
    store
        .create_tenant(&creditor(name), fixed_now())
        .await
        .unwrap()
}

/// A new creditor holding customer C1 "Alpha" and its open invoice F-1 of 10.00 EUR, due
/// 2026-10-01: the smallest ledger the money rules can be tried on.
pub(crate) async fn creditor_with_one_invoice(store: &Store, name: &str) -> TenantId {
    let tenant = new_tenant(store, name).await;
    import(
        store,
        tenant,
        &[customer("C1", "Alpha")],
        &[invoice("F-1", "C1", date(2026, 10, 1), 1000, 1000)],
    )
    .await;
    tenant
}

/// The first reminder by e-mail of `invoice`, scheduled for 20 November 2026 at 09:00 in Paris,
/// with the engine's reasons.
pub(crate) fn first_reminder(customer: CustomerId, invoice: InvoiceId) -> NewAction {
    NewAction {
        customer,
        episode: 1,
        step_key: "first_reminder".to_owned(),
        channel: "email".to_owned(),
        companion: false,
        tone: "courteous".to_owned(),
        template: "first_reminder".to_owned(),
        invoice_ids: vec![invoice],
        decided_on: date(2026, 11, 20),
        scheduled_at: "2026-11-20T09:00:00+01:00[Europe/Paris]".to_owned(),
        status: "scheduled",
        explanation: Explanation::Reasons(vec![
            Reason::StepDue {
                key: "first_reminder".to_owned(),
                offset: 1,
                days_overdue: 50,
            },
            Reason::NoPriorContact,
        ]),
    }
}
