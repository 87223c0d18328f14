//! A second tenant in the same database sees nothing of the first.

use jiff::civil::date;
use store::InvoiceFilter;
use test_support::on_every_backend;

use crate::fixtures::{customer, import, invoice, new_tenant};

#[tokio::test]
async fn a_tenant_sees_nothing_of_another_with_the_same_references() {
    on_every_backend!(|database| {
        let store = &database.store;
        let first = new_tenant(store, "Premier").await;
        let second = new_tenant(store, "Second").await;
        // Identical shapes: the same customer reference and invoice number in both tenants.
        import(
            store,
            first,
            &[customer("C1", "Alpha")],
            &[invoice("F-1", "C1", date(2026, 10, 1), 1000, 1000)],
        )
        .await;
        import(
            store,
            second,
            &[customer("C1", "Beta")],
            &[invoice("F-1", "C1", date(2026, 10, 1), 5000, 2500)],
        )
        .await;

        let first_customers = store.tenant(first).customers().await.unwrap();
        let second_customers = store.tenant(second).customers().await.unwrap();
        assert_eq!(first_customers.len(), 1);
        assert_eq!(first_customers[0].legal_name, "Alpha");
        assert_eq!(first_customers[0].outstanding.minor(), 1000);
        assert_eq!(second_customers[0].legal_name, "Beta");
        assert_eq!(second_customers[0].outstanding.minor(), 2500);

        let first_invoices = store
            .tenant(first)
            .invoices(&InvoiceFilter::default())
            .await
            .unwrap();
        assert_eq!(first_invoices.len(), 1);
        assert_eq!(first_invoices[0].amount.minor(), 1000);
        let open = store.tenant(second).open_items().await.unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].outstanding.minor(), 2500);

        let tenants = store.tenants().await.unwrap();
        assert_eq!(
            tenants
                .iter()
                .map(|tenant| tenant.profile.company_name.as_str())
                .collect::<Vec<_>>(),
            ["Premier", "Second"]
        );
        assert_eq!(
            store.tenant(first).profile().await.unwrap().company_name,
            "Premier"
        );
    });
}

#[tokio::test]
async fn an_allocation_cannot_cross_tenants() {
    on_every_backend!(|database| {
        let store = &database.store;
        let first = new_tenant(store, "Premier").await;
        let second = new_tenant(store, "Second").await;
        import(
            store,
            first,
            &[customer("C1", "Alpha")],
            &[invoice("F-1", "C1", date(2026, 10, 1), 1000, 1000)],
        )
        .await;
        let refused = database
            .execute_raw(
                "INSERT INTO payments (tenant_id, received_on, currency, amount_minor, idempotency_key, created_at) VALUES (2, '2026-11-01', 'EUR', 500, 'k', 'now');
                 INSERT INTO allocations (tenant_id, payment_id, invoice_id, amount_minor, created_at) VALUES (2, 1, 1, 500, 'now')",
                "INSERT INTO payments (tenant_id, received_on, currency, amount_minor, idempotency_key, created_at) VALUES (2, '2026-11-01', 'EUR', 500, 'k', now());
                 INSERT INTO allocations (tenant_id, payment_id, invoice_id, amount_minor, created_at) VALUES (2, 1, 1, 500, now())",
            )
            .await;
        assert!(refused.unwrap_err().contains("allocation crosses tenants"));
        let _ = second;
    });
}
