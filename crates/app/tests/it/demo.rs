//! The demo portfolio: realistic, deterministic under its seed, and imported like a user's file.

use jiff::civil::date;
use test_support::on_every_backend;

use crate::fixtures::{clock, ledger};

#[tokio::test]
async fn the_demo_creates_a_creditor_with_300_customers_and_3000_invoices() {
    on_every_backend!(|database| {
        let store = &database.store;
        let report = app::demo::create_demo(store, 7, date(2026, 11, 20), clock())
            .await
            .unwrap();
        assert_eq!(report.import.invoices.created, 3000);
        // Customers are created from their invoices; the skewed draw can leave one without any.
        assert!(
            (290..=300).contains(&report.import.customers.created),
            "{:?}",
            report.import.customers
        );
        assert!(report.consumers > 0 && report.consumers < 100);
        assert!(
            report.behaviours.iter().all(|(_, count)| *count > 0),
            "{:?}",
            report.behaviours
        );
        let tenant = app::setup::select_tenant(store, None).await.unwrap();
        assert!(tenant.profile.siren.is_some() && tenant.profile.iban.is_some());
        assert_eq!(tenant.profile.time_zone.as_str(), "Europe/Paris");
        let aging = app::queries::aging_report(store, &tenant, date(2026, 11, 20), None)
            .await
            .unwrap();
        assert!(
            aging
                .buckets
                .iter()
                .all(|bucket| bucket.amount.is_positive()),
            "every bucket has something"
        );

        let again = app::demo::create_demo(store, 7, date(2026, 11, 20), clock())
            .await
            .unwrap();
        assert!(
            again.import.already_imported,
            "running the demo twice changes nothing"
        );
    });
}

#[tokio::test]
async fn the_same_seed_gives_the_same_portfolio() {
    let first = test_support::TestDatabase::new(test_support::TestBackend::Sqlite).await;
    let second = test_support::TestDatabase::new(test_support::TestBackend::Sqlite).await;
    app::demo::create_demo(&first.store, 11, date(2026, 11, 20), clock())
        .await
        .unwrap();
    app::demo::create_demo(&second.store, 11, date(2026, 11, 20), clock())
        .await
        .unwrap();
    let tenant = app::setup::select_tenant(&first.store, None).await.unwrap();
    let other = app::setup::select_tenant(&second.store, None)
        .await
        .unwrap();
    assert_eq!(
        ledger(&first.store, &tenant).await,
        ledger(&second.store, &other).await
    );
    first.cleanup().await;
    second.cleanup().await;
}

#[tokio::test]
async fn the_demo_refuses_a_database_holding_real_books() {
    let database = test_support::TestDatabase::new(test_support::TestBackend::Sqlite).await;
    crate::fixtures::creditor(&database.store, "Vraie Société").await;
    let error = app::demo::create_demo(&database.store, 1, date(2026, 11, 20), clock())
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        app::demo::DemoError::NotADemoDatabase { .. }
    ));
    database.cleanup().await;
}
