//! Money invariants hold in the database itself, not only in the code above it.

use domain::ids::PaymentId;
use domain::money::{Currency, Money};
use domain::payment::AllocationError;
use jiff::civil::date;
use store::{InvoiceFilter, NewPayment};
use test_support::{fixed_now, on_every_backend};

use crate::fixtures::creditor_with_one_invoice;

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR)
}

#[tokio::test]
async fn the_database_refuses_an_outstanding_above_the_amount_or_below_zero() {
    on_every_backend!(|database| {
        let store = &database.store;
        creditor_with_one_invoice(store, "Premier").await;
        for outstanding in [1001, -1] {
            let sql = format!("UPDATE invoices SET outstanding_minor = {outstanding}");
            let refused = database.execute_raw(&sql, &sql).await;
            assert!(
                refused.unwrap_err().to_lowercase().contains("check"),
                "outstanding {outstanding}"
            );
        }
        let zero_amount = "UPDATE invoices SET amount_minor = 0, outstanding_minor = 0";
        assert!(
            database
                .execute_raw(zero_amount, zero_amount)
                .await
                .is_err()
        );
    });
}

#[tokio::test]
async fn allocations_never_exceed_the_payment_even_written_directly() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor_with_one_invoice(store, "Premier").await;
        let payment = NewPayment {
            customer: None,
            received_on: date(2026, 11, 2),
            amount: eur(600),
            reference: "VIR F-1".into(),
            idempotency_key: "bank:1".into(),
        };
        store
            .tenant(tenant)
            .record_payment(&payment, fixed_now())
            .await
            .unwrap();
        let (sqlite, postgres) = (
            "INSERT INTO allocations (tenant_id, payment_id, invoice_id, amount_minor, created_at) VALUES (1, 1, 1, 601, 'now')",
            "INSERT INTO allocations (tenant_id, payment_id, invoice_id, amount_minor, created_at) VALUES (1, 1, 1, 601, now())",
        );
        let refused = database.execute_raw(sqlite, postgres).await;
        assert!(refused.unwrap_err().to_lowercase().contains("check"));
    });
}

#[tokio::test]
async fn a_payment_recorded_twice_under_one_key_is_recorded_once_and_allocates_exactly() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor_with_one_invoice(store, "Premier").await;
        let scope = store.tenant(tenant);
        let payment = NewPayment {
            customer: None,
            received_on: date(2026, 11, 2),
            amount: eur(600),
            reference: "VIR F-1".into(),
            idempotency_key: "bank:1".into(),
        };
        let first = scope.record_payment(&payment, fixed_now()).await.unwrap();
        let again = scope.record_payment(&payment, fixed_now()).await.unwrap();
        assert_eq!(first, again);

        let invoice_id = scope.invoices(&InvoiceFilter::default()).await.unwrap()[0].id;
        assert_eq!(
            scope
                .allocate_payment(first, invoice_id, eur(400), fixed_now())
                .await
                .unwrap(),
            Ok(eur(600))
        );
        let refused = scope
            .allocate_payment(first, invoice_id, eur(201), fixed_now())
            .await
            .unwrap();
        assert!(matches!(
            refused,
            Err(AllocationError::ExceedsPayment { .. })
        ));
        assert_eq!(
            scope
                .allocate_payment(first, invoice_id, eur(200), fixed_now())
                .await
                .unwrap(),
            Ok(eur(400))
        );
        assert_eq!(
            scope.invoices(&InvoiceFilter::default()).await.unwrap()[0].outstanding,
            eur(400)
        );
        assert!(
            scope
                .allocate_payment(PaymentId(99), invoice_id, eur(1), fixed_now())
                .await
                .is_err()
        );
    });
}
