//! Customer details and incident resolution: only what differs is written, and nothing crosses
//! tenants.

use domain::customer::CustomerRef;
use jiff::civil::date;
use store::{IncidentResolution, StoreError};
use test_support::{fixed_now, on_every_backend};

use crate::fixtures::creditor_with_one_invoice;

fn no_proposal(_: i64) -> String {
    String::new()
}

#[tokio::test]
async fn settings_write_only_what_differs_and_stay_in_their_tenant() {
    on_every_backend!(|database| {
        let store = &database.store;
        let first = creditor_with_one_invoice(store, "Premier").await;
        let second = creditor_with_one_invoice(store, "Second").await;
        let c1 = CustomerRef::parse("C1").unwrap();
        let ours = store.tenant(first).customer_id(&c1).await.unwrap();
        let theirs = store.tenant(second).customer_id(&c1).await.unwrap();
        let handle = store.tenant(first);
        let read = handle.customer_details(ours).await.unwrap();
        assert_eq!(read.settings.email.as_deref(), Some("compta@exemple.fr"));
        assert_eq!(read.settings.time_zone, None);

        // Two collectors start from the same reading and change different details.
        let mut email = read.settings.clone();
        email.email = Some("relances@exemple.fr".to_owned());
        assert!(
            handle
                .update_customer_settings(ours, &read.settings, &email, fixed_now())
                .await
                .unwrap()
        );
        let mut zone = read.settings.clone();
        zone.time_zone = Some("America/Montreal".to_owned());
        zone.consent.sms = true;
        assert!(
            handle
                .update_customer_settings(ours, &read.settings, &zone, fixed_now())
                .await
                .unwrap()
        );
        let now = handle.customer_details(ours).await.unwrap().settings;
        assert_eq!(now.email.as_deref(), Some("relances@exemple.fr"));
        assert_eq!(now.time_zone.as_deref(), Some("America/Montreal"));
        assert!(now.consent.sms);

        assert!(
            !handle
                .update_customer_settings(ours, &now, &now.clone(), fixed_now())
                .await
                .unwrap(),
            "nothing differs, nothing is written"
        );
        let other = store.tenant(second).customer_details(theirs).await.unwrap();
        assert_eq!(other.settings, read.settings, "the other tenant's C1");
        assert!(matches!(
            handle.customer_details(theirs).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            handle
                .update_customer_settings(theirs, &read.settings, &zone, fixed_now())
                .await,
            Err(StoreError::NotFound { .. })
        ));
    });
}

#[tokio::test]
async fn open_incidents_are_resolved_once_with_their_note() {
    on_every_backend!(|database| {
        let store = &database.store;
        let first = creditor_with_one_invoice(store, "Premier").await;
        let second = creditor_with_one_invoice(store, "Second").await;
        let c1 = CustomerRef::parse("C1").unwrap();
        let ours = store.tenant(first).customer_id(&c1).await.unwrap();
        let theirs = store.tenant(second).customer_id(&c1).await.unwrap();
        let opened = date(2026, 11, 2);
        let incident = store
            .tenant(first)
            .add_incident(ours, "insultes", opened, fixed_now())
            .await
            .unwrap();
        store
            .tenant(second)
            .add_incident(theirs, "menaces", opened, fixed_now())
            .await
            .unwrap();

        let resolution = IncidentResolution {
            customer: ours,
            on: date(2026, 11, 20),
            note: Some("excuses"),
            proposal_key: no_proposal,
            cancellation_note: "",
        };
        let resolved = store
            .tenant(first)
            .resolve_incidents(&resolution)
            .await
            .unwrap();
        assert_eq!(resolved.incidents, [incident]);
        let again = store
            .tenant(first)
            .resolve_incidents(&resolution)
            .await
            .unwrap();
        assert!(again.incidents.is_empty());

        let ours_now = store.tenant(first).incidents_of(ours).await.unwrap();
        assert_eq!(ours_now[0].opened_on, opened);
        assert_eq!(ours_now[0].resolved_on, Some(date(2026, 11, 20)));
        assert_eq!(ours_now[0].resolution_note.as_deref(), Some("excuses"));
        let theirs_now = store.tenant(second).incidents_of(theirs).await.unwrap();
        assert_eq!(
            theirs_now[0].resolved_on, None,
            "the other tenant's incident"
        );
        assert!(!store.tenant(first).is_handed_off(ours).await.unwrap());
    });
}
