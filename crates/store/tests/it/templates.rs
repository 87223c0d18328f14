//! Edited templates: saved per tenant, key and language, replaced by a later edit, removed by a
//! reset; never seen by another tenant.

use domain::customer::Language;
use store::TemplateRecord;
use test_support::{fixed_now, on_every_backend};

use crate::fixtures::creditor_with_one_invoice;

fn edit(key: &str, language: Language, subject: &str) -> TemplateRecord {
    TemplateRecord {
        key: key.to_owned(),
        language,
        subject: subject.to_owned(),
        text: "Bonjour {{ customer.name }},\n\n@invoices".to_owned(),
        html: None,
        sms: Some("SMS".to_owned()),
        updated_at: fixed_now(),
    }
}

#[tokio::test]
async fn edits_are_saved_replaced_reset_and_kept_to_their_tenant() {
    on_every_backend!(|database| {
        let store = &database.store;
        let first = creditor_with_one_invoice(store, "Premier").await;
        let second = creditor_with_one_invoice(store, "Second").await;
        let ours = store.tenant(first);
        assert_eq!(ours.templates().await.unwrap(), vec![]);
        assert_eq!(
            ours.template("first_reminder", Language::French)
                .await
                .unwrap(),
            None
        );

        let french = edit("first_reminder", Language::French, "Petit rappel");
        ours.save_template(&french, fixed_now()).await.unwrap();
        let english = TemplateRecord {
            html: Some("<p>Hello</p>".to_owned()),
            sms: None,
            ..edit("first_reminder", Language::English, "Gentle reminder")
        };
        ours.save_template(&english, fixed_now()).await.unwrap();
        assert_eq!(
            ours.template("first_reminder", Language::French)
                .await
                .unwrap(),
            Some(french.clone())
        );
        assert_eq!(
            ours.templates().await.unwrap(),
            vec![english.clone(), french]
        );

        // A second edit replaces the first.
        let later = fixed_now() + jiff::SignedDuration::from_secs(60);
        let again = edit("first_reminder", Language::French, "Rappel amical");
        ours.save_template(&again, later).await.unwrap();
        let read = ours
            .template("first_reminder", Language::French)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read.subject, "Rappel amical");
        assert_eq!(read.updated_at, later);

        // The other tenant sees none of it, and its reset touches nothing of ours.
        let theirs = store.tenant(second);
        assert_eq!(theirs.templates().await.unwrap(), vec![]);
        assert_eq!(
            theirs
                .delete_template("first_reminder", None)
                .await
                .unwrap(),
            0
        );
        assert_eq!(ours.templates().await.unwrap().len(), 2);

        assert_eq!(
            ours.delete_template("first_reminder", Some(Language::English))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            ours.delete_template("first_reminder", None).await.unwrap(),
            1
        );
        assert_eq!(ours.templates().await.unwrap(), vec![]);
    });
}

#[tokio::test]
async fn the_database_refuses_an_empty_subject_or_an_unknown_language() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor_with_one_invoice(store, "Premier").await;
        let empty = TemplateRecord {
            subject: String::new(),
            ..edit("first_reminder", Language::French, "")
        };
        assert!(matches!(
            store
                .tenant(tenant)
                .save_template(&empty, fixed_now())
                .await,
            Err(store::StoreError::RuleViolated { .. })
        ));
        let sql = format!(
            "INSERT INTO message_templates (tenant_id, key, language, subject, text, updated_at) VALUES ({}, 'k', 'de', 's', 't', '2026-01-01T00:00:00Z')",
            tenant.0
        );
        assert!(database.execute_raw(&sql, &sql).await.is_err());
    });
}
