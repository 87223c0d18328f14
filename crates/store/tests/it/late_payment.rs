//! Late-payment records: a tenant's policy and waivers stay its own, a waiver is withdrawn once,
//! the database refuses an inconsistent waiver, and a rate table saved twice is stored once.

use domain::late_payment::{
    ClaimStart, ContractRate, Jurisdiction, LatePaymentPolicy, Rate, RateTableKind, Share,
    WaivedCharges, WaiverExtent,
};
use domain::money::{Currency, Money};
use jiff::civil::date;
use store::{CustomerTermsRecord, NewWaiver};
use test_support::{fixed_now, on_every_backend};

use crate::fixtures::{customer, import, invoice, new_tenant};

#[tokio::test]
async fn policies_terms_and_waivers_belong_to_their_tenant() {
    on_every_backend!(|database| {
        let store = &database.store;
        let first = new_tenant(store, "Premier").await;
        let second = new_tenant(store, "Second").await;
        for tenant in [first, second] {
            import(
                store,
                tenant,
                &[customer("C1", "Alpha")],
                &[invoice("F-1", "C1", date(2026, 1, 31), 1000, 1000)],
            )
            .await;
        }
        let (one, two) = (store.tenant(first), store.tenant(second));
        assert_eq!(one.late_payment_policy().await.unwrap(), None);
        let policy = LatePaymentPolicy {
            claim_start: ClaimStart::FromFormalNotice,
            ..LatePaymentPolicy::french_defaults()
        };
        one.save_late_payment_policy(&policy, fixed_now())
            .await
            .unwrap();
        assert_eq!(one.late_payment_policy().await.unwrap(), Some(policy));
        assert_eq!(two.late_payment_policy().await.unwrap(), None);

        let (invoice_id, customer_id) = one.invoice_by_number("F-1").await.unwrap();
        let terms = CustomerTermsRecord {
            jurisdiction: Some(Jurisdiction::FrB2b),
            contract_rate: Some(ContractRate::Fixed(Rate::from_basis_points(1550))),
        };
        one.save_customer_late_payment_terms(customer_id, &terms, fixed_now())
            .await
            .unwrap();
        assert_eq!(
            one.customer_late_payment_terms(customer_id).await.unwrap(),
            terms
        );

        let waiver = one
            .add_waiver(
                &NewWaiver {
                    customer: customer_id,
                    invoice: Some(invoice_id),
                    extent: WaiverExtent::Share(Share::parse("25").unwrap()),
                    charges: WaivedCharges::Interest,
                    reason: "accord",
                    granted_by: "Claire",
                },
                fixed_now(),
            )
            .await
            .unwrap();
        let stored = one.waiver(waiver).await.unwrap();
        assert_eq!(stored.waiver.invoice.unwrap().as_str(), "F-1");
        assert_eq!(stored.granted_at, fixed_now());
        assert!(two.waiver(waiver).await.is_err(), "another tenant's waiver");
        assert!(!two.withdraw_waiver(waiver, "x", fixed_now()).await.unwrap());
        assert!(
            one.withdraw_waiver(waiver, "rompu", fixed_now())
                .await
                .unwrap()
        );
        assert!(
            !one.withdraw_waiver(waiver, "encore", fixed_now())
                .await
                .unwrap(),
            "withdrawn once"
        );
        let listed = one.waivers_of(customer_id).await.unwrap();
        assert_eq!(listed[0].withdrawn_at, Some(fixed_now()));
        assert_eq!(listed[0].withdrawal_reason.as_deref(), Some("rompu"));
        let amount = Money::from_minor(500, Currency::EUR);
        let full = one
            .add_waiver(
                &NewWaiver {
                    customer: customer_id,
                    invoice: None,
                    extent: WaiverExtent::Amount(amount),
                    charges: WaivedCharges::Both,
                    reason: "accord",
                    granted_by: "Claire",
                },
                fixed_now(),
            )
            .await
            .unwrap();
        assert_eq!(
            one.waiver(full).await.unwrap().waiver.extent,
            WaiverExtent::Amount(amount)
        );
    });
}

#[tokio::test]
async fn the_database_refuses_a_waiver_whose_extent_and_amount_disagree() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = new_tenant(store, "Premier").await;
        import(store, tenant, &[customer("C1", "Alpha")], &[]).await;
        let columns = "tenant_id, customer_id, extent, charges, reason, granted_by, granted_at";
        let refused = database
            .execute_raw(
                &format!("INSERT INTO waivers ({columns}) VALUES ({}, 1, 'amount', 'both', 'r', 'b', '2026-11-20T09:00:00Z')", tenant.0),
                &format!("INSERT INTO waivers ({columns}) VALUES ({}, (SELECT id FROM customers LIMIT 1), 'amount', 'both', 'r', 'b', now())", tenant.0),
            )
            .await;
        assert!(refused.is_err(), "an amount waiver needs its amount");
    });
}

#[tokio::test]
async fn a_rate_table_saved_twice_is_stored_once_and_the_latest_of_each_kind_is_read() {
    on_every_backend!(|database| {
        let store = &database.store;
        let first = "effective_date,rate_percent,source\n2026-01-01,2.15,ECB\n";
        let second = "effective_date,rate_percent,source\n2026-07-01,2.40,ECB\n";
        let kind = RateTableKind::EcbMainRefinancing;
        assert!(
            store
                .save_rate_table(kind, first, fixed_now())
                .await
                .unwrap()
        );
        assert!(
            !store
                .save_rate_table(kind, first, fixed_now())
                .await
                .unwrap()
        );
        assert!(
            store
                .save_rate_table(kind, second, fixed_now())
                .await
                .unwrap()
        );
        let tables = store.rate_tables().await.unwrap();
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].csv, second);
        assert_eq!(tables[0].imported_at, fixed_now());
    });
}
