//! Imports write all or nothing, and an unchanged row is not rewritten.

use domain::ids::CustomerId;
use jiff::civil::date;
use store::{InvoiceFilter, StoreError};
use test_support::{fixed_now, on_every_backend};

use crate::fixtures::{customer, import, invoice, new_tenant};

#[tokio::test]
async fn an_import_dropped_before_commit_leaves_nothing() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = new_tenant(store, "Premier").await;
        let scope = store.tenant(tenant);
        let meta = store::ImportMeta {
            kind: "invoices".into(),
            file_name: "bad.csv".into(),
            file_hash: "h".into(),
            started_at: fixed_now(),
            expected_rows: 1,
        };
        {
            let mut tx = scope.begin_import(&meta).await.unwrap();
            let details = customer("C1", "Alpha");
            tx.upsert_customers(&[store::CustomerUpsert {
                details: &details,
                row_hash: 1,
            }])
            .await
            .unwrap();
        }
        assert!(scope.customers().await.unwrap().is_empty());
        assert_eq!(scope.latest_import("invoices").await.unwrap(), None);
    });
}

#[tokio::test]
async fn an_upsert_updates_changed_invoices_and_keeps_the_others() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = new_tenant(store, "Premier").await;
        let customers = [customer("C1", "Alpha"), customer("C2", "Beta")];
        import(
            store,
            tenant,
            &customers,
            &[
                invoice("F-1", "C1", date(2026, 10, 1), 1000, 1000),
                invoice("F-2", "C2", date(2026, 11, 30), 2000, 2000),
            ],
        )
        .await;
        import(
            store,
            tenant,
            &customers,
            &[invoice("F-1", "C1", date(2026, 10, 1), 1000, 300)],
        )
        .await;

        let scope = store.tenant(tenant);
        let invoices = scope.invoices(&InvoiceFilter::default()).await.unwrap();
        let outstanding: Vec<(String, i64)> = invoices
            .iter()
            .map(|row| (row.number.to_string(), row.outstanding.minor()))
            .collect();
        assert_eq!(
            outstanding,
            [("F-1".to_owned(), 300), ("F-2".to_owned(), 2000)]
        );

        let mut hashes = Vec::new();
        scope
            .for_each_invoice_hash(|number, hash| hashes.push((number.to_owned(), hash)))
            .await
            .unwrap();
        hashes.sort();
        assert_eq!(hashes, [("F-1".to_owned(), 300), ("F-2".to_owned(), 2000)]);

        let overdue = scope
            .invoices(&InvoiceFilter {
                overdue_on: Some(date(2026, 11, 20)),
                customer: None,
            })
            .await
            .unwrap();
        assert_eq!(overdue.len(), 1);
        assert_eq!(overdue[0].number.as_str(), "F-1");
        let of_c2 = scope
            .invoices(&InvoiceFilter {
                customer: Some(customers[1].reference.clone()),
                overdue_on: None,
            })
            .await
            .unwrap();
        assert_eq!(of_c2.len(), 1);
        assert_eq!(of_c2[0].customer_name, "Beta");
        assert_eq!(
            scope
                .latest_import("invoices")
                .await
                .unwrap()
                .unwrap()
                .rows_read,
            1
        );
    });
}

#[tokio::test]
async fn a_large_first_import_rebuilds_the_indexes_exactly_as_the_migrations_made_them() {
    let database = test_support::TestDatabase::new(test_support::TestBackend::Sqlite).await;
    let store = &database.store;
    let tenant = new_tenant(store, "Premier").await;
    let before = database.sqlite_schema().await;
    // Deferred on both tables: the invoices' indexes and the customers' (name, search).
    for index in [
        "open_invoices_by_due_date",
        "customers_by_name",
        "customers_search",
    ] {
        assert!(before.iter().any(|(name, _)| name == index), "{index}");
    }
    import(
        store,
        tenant,
        &[customer("C1", "Alpha")],
        &[invoice("F-1", "C1", date(2026, 10, 1), 1000, 1000)],
    )
    .await;
    assert_eq!(database.sqlite_schema().await, before);
    let overdue = store
        .tenant(tenant)
        .invoices(&InvoiceFilter {
            overdue_on: Some(date(2026, 11, 20)),
            customer: None,
        })
        .await
        .unwrap();
    assert_eq!(overdue.len(), 1, "the rebuilt index serves queries");
    database.cleanup().await;
}

#[tokio::test]
async fn an_invoice_of_a_customer_that_does_not_exist_is_refused_and_nothing_is_written() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = new_tenant(store, "Premier").await;
        let scope = store.tenant(tenant);
        // One id below every customer's (checked by a lookup), one above (by the largest id).
        for unknown in [CustomerId(0), CustomerId(1_000_000)] {
            let meta = store::ImportMeta {
                kind: "invoices".into(),
                file_name: "orphans.csv".into(),
                file_hash: "h".into(),
                started_at: fixed_now(),
                expected_rows: 2,
            };
            let mut tx = scope.begin_import(&meta).await.unwrap();
            let details = customer("C1", "Alpha");
            let ids = tx
                .upsert_customers(&[store::CustomerUpsert {
                    details: &details,
                    row_hash: 1,
                }])
                .await
                .unwrap();
            let known = invoice("F-1", "C1", date(2026, 10, 1), 1000, 1000);
            let orphan = invoice("F-2", "C1", date(2026, 10, 1), 1000, 1000);
            let rows = [
                store::InvoiceUpsert {
                    customer: ids["C1"],
                    invoice: &known,
                    row_hash: 1,
                },
                store::InvoiceUpsert {
                    customer: unknown,
                    invoice: &orphan,
                    row_hash: 1,
                },
            ];
            let written = async {
                tx.upsert_invoices(&rows).await?;
                tx.commit(store::ImportCounts::default()).await
            }
            .await;
            assert!(
                matches!(written, Err(StoreError::RuleViolated { .. })),
                "{written:?}"
            );
            assert!(scope.customers().await.unwrap().is_empty());
            assert!(
                scope
                    .invoices(&InvoiceFilter::default())
                    .await
                    .unwrap()
                    .is_empty()
            );
            assert_eq!(scope.latest_import("invoices").await.unwrap(), None);
        }
    });
}

#[tokio::test]
async fn an_import_opens_a_case_for_every_new_customer_due_only_if_it_owes_something() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = new_tenant(store, "Premier").await;
        // More customers than one statement writes, every third one owing nothing.
        let references: Vec<String> = (0..250).map(|n| format!("C{n:03}")).collect();
        let customers: Vec<_> = references
            .iter()
            .map(|reference| customer(reference, "Client"))
            .collect();
        let invoices: Vec<_> = references
            .iter()
            .enumerate()
            .map(|(n, reference)| {
                let outstanding = if n.is_multiple_of(3) { 0 } else { 500 };
                invoice(
                    &format!("F-{n}"),
                    reference,
                    date(2026, 10, 1),
                    500,
                    outstanding,
                )
            })
            .collect();
        import(store, tenant, &customers, &invoices).await;

        let scope = store.tenant(tenant);
        let mut owing: Vec<CustomerId> = scope
            .customers()
            .await
            .unwrap()
            .into_iter()
            .filter(|customer| {
                let n: usize = customer.reference.as_str()[1..].parse().unwrap();
                !n.is_multiple_of(3)
            })
            .map(|customer| customer.id)
            .collect();
        owing.sort();
        let mut due = scope.customers_due(date(2026, 11, 20)).await.unwrap();
        due.sort();
        assert_eq!(due.len(), 166);
        assert_eq!(due, owing, "only the customers who owe something are due");
        assert_eq!(
            scope.customers_due(date(9999, 12, 31)).await.unwrap().len(),
            250,
            "every customer has its case, the resting ones too"
        );
    });
}
