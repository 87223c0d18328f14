//! The day totals the dashboard reads stay equal to the ledger they summarise, however the
//! ledger changes: a bulk first import, an updating import, a payment.

use std::collections::BTreeMap;

use domain::customer::CustomerRef;
use domain::ids::TenantId;
use domain::money::{Currency, Money};
use domain::receivable::{InvoiceDates, InvoiceDetails, InvoiceNumber};
use jiff::civil::{Date, date};
use store::{InvoiceFilter, NewPayment, Store};
use test_support::{fixed_now, on_every_backend};

use crate::fixtures::{customer, import, new_tenant};

fn invoice(
    number: &str,
    customer: &str,
    issued_on: Date,
    due_on: Date,
    amount: i64,
    outstanding: i64,
) -> InvoiceDetails {
    InvoiceDetails::new(
        InvoiceNumber::parse(number).unwrap(),
        CustomerRef::parse(customer).unwrap(),
        InvoiceDates {
            issued_on,
            due_on,
            service_on: None,
        },
        Money::from_minor(amount, Currency::EUR),
        Money::from_minor(outstanding, Currency::EUR),
    )
    .unwrap()
}

/// The totals as read by the dashboard, and the same computed from every invoice.
async fn totals_and_ledger(store: &Store, tenant: TenantId) -> [(BTreeMap<Date, i64>, i64); 2] {
    let scope = store.tenant(tenant);
    let (from, to) = (date(2026, 1, 1), date(2026, 3, 31));
    let read: BTreeMap<Date, i64> = scope
        .open_amounts_by_due_date()
        .await
        .unwrap()
        .into_iter()
        .map(|(day, amount)| (day, amount.minor()))
        .collect();
    let invoiced = scope
        .invoiced_between(from, to, Currency::EUR)
        .await
        .unwrap()
        .minor();
    let mut ledger = BTreeMap::new();
    let mut sales = 0;
    for row in scope.invoices(&InvoiceFilter::default()).await.unwrap() {
        if row.outstanding.minor() > 0 {
            *ledger.entry(row.due_on).or_insert(0) += row.outstanding.minor();
        }
        if (from..=to).contains(&row.issued_on) {
            sales += row.amount.minor();
        }
    }
    [(read, invoiced), (ledger, sales)]
}

#[tokio::test]
async fn the_day_totals_follow_imports_updates_and_payments() {
    on_every_backend!(|database| {
        let store = &database.store;
        let first = new_tenant(store, "Premier").await;
        let second = new_tenant(store, "Second").await;
        let customers = [customer("C1", "Alpha"), customer("C2", "Beta")];
        let ledger = [
            invoice(
                "F-1",
                "C1",
                date(2026, 1, 5),
                date(2026, 2, 4),
                10_000,
                10_000,
            ),
            invoice(
                "F-2",
                "C2",
                date(2026, 1, 5),
                date(2026, 2, 4),
                2_500,
                1_000,
            ),
            invoice(
                "F-3",
                "C1",
                date(2026, 3, 31),
                date(2026, 4, 30),
                7_000,
                7_000,
            ),
            invoice("F-4", "C2", date(2026, 4, 1), date(2026, 5, 1), 900, 0),
        ];
        // A first import into an empty tenant takes the bulk path, without the triggers.
        import(store, first, &customers, &ledger).await;
        import(store, second, &customers, &ledger[..1]).await;
        let [read, computed] = totals_and_ledger(store, first).await;
        assert_eq!(read, computed);
        assert_eq!(
            read,
            (
                BTreeMap::from([(date(2026, 2, 4), 11_000), (date(2026, 4, 30), 7_000)]),
                19_500
            )
        );

        // An updating import (the fixture's row hash is the outstanding amount): one paid down
        // and corrected upwards on the same days, one paid down and moved to another day, one
        // new.
        import(
            store,
            first,
            &customers,
            &[
                invoice(
                    "F-1",
                    "C1",
                    date(2026, 1, 5),
                    date(2026, 2, 4),
                    12_000,
                    4_000,
                ),
                invoice(
                    "F-3",
                    "C1",
                    date(2026, 3, 31),
                    date(2026, 5, 15),
                    7_000,
                    6_500,
                ),
                invoice("F-5", "C2", date(2026, 2, 1), date(2026, 2, 4), 300, 300),
            ],
        )
        .await;
        let [read, computed] = totals_and_ledger(store, first).await;
        assert_eq!(read, computed);
        assert_eq!(
            read,
            (
                BTreeMap::from([(date(2026, 2, 4), 5_300), (date(2026, 5, 15), 6_500)]),
                21_800
            )
        );

        // A payment allocated to F-2 settles what was left of it.
        let scope = store.tenant(first);
        let payment = scope
            .record_payment(
                &NewPayment {
                    customer: None,
                    received_on: date(2026, 11, 2),
                    amount: Money::from_minor(1_000, Currency::EUR),
                    reference: "VIR F-2".into(),
                    idempotency_key: "bank:totals".into(),
                },
                fixed_now(),
            )
            .await
            .unwrap();
        let f2 = scope
            .invoices(&InvoiceFilter::default())
            .await
            .unwrap()
            .into_iter()
            .find(|row| row.number.as_str() == "F-2")
            .unwrap();
        scope
            .allocate_payment(
                payment,
                f2.id,
                Money::from_minor(1_000, Currency::EUR),
                fixed_now(),
            )
            .await
            .unwrap()
            .unwrap();
        let [read, computed] = totals_and_ledger(store, first).await;
        assert_eq!(read, computed);
        assert_eq!(read.0[&date(2026, 2, 4)], 4_300);

        // The other creditor's totals are its own.
        let [read, computed] = totals_and_ledger(store, second).await;
        assert_eq!(read, computed);
        assert_eq!(read, (BTreeMap::from([(date(2026, 2, 4), 10_000)]), 10_000));
    });
}
