//! The outbox: one message per action and channel whatever the number of dispatchers; a
//! message is claimed by one of them only, after the checks that it may still go; a send left
//! without its record becomes "delivery unknown" once its lease has run out, never pending;
//! a failed channel leaves the contact the engine's fallback reads.

use domain::ids::{CustomerId, InvoiceId, TenantId};
use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};
use store::{
    CancelReason, Claim, DeliverySettingsRecord, FailedContact, Finish, NewOutboxMessage,
    OutboxRecord, Resolution, Store,
};
use test_support::{fixed_now, on_every_backend};

use crate::fixtures::{creditor_with_one_invoice, first_reminder};

/// The tenant's customer C1 with a scheduled e-mail action about its invoice F-1.
async fn scheduled_email(store: &Store, tenant: TenantId) -> (CustomerId, InvoiceId, i64) {
    let handle = store.tenant(tenant);
    let customer = handle
        .customer_id(&domain::customer::CustomerRef::parse("C1").unwrap())
        .await
        .unwrap();
    let (invoice, _) = handle.invoice_by_number("F-1").await.unwrap();
    handle
        .propose_action(&first_reminder(customer, invoice))
        .await
        .unwrap();
    let action = handle.actions_without_message().await.unwrap();
    assert_eq!(action.len(), 1);
    (customer, invoice, action[0].id)
}

fn message(action: i64, customer: CustomerId, claimed_minor: i64) -> NewOutboxMessage {
    NewOutboxMessage {
        action,
        customer,
        channel: "email".to_owned(),
        message_id: format!("relance.1.{action}.email@exemple.fr"),
        recipient: "compta@exemple.fr".to_owned(),
        language: "fr".to_owned(),
        subject: "Facture en attente de règlement".to_owned(),
        body_text: "Bonjour,".to_owned(),
        body_html: Some("<p>Bonjour,</p>".to_owned()),
        sms_text: None,
        attachment_name: Some("lettre.pdf".to_owned()),
        attachment: Some(b"%PDF-1.7 test".to_vec()),
        claimed_minor,
    }
}

async fn only(store: &Store, tenant: TenantId) -> OutboxRecord {
    let mut all = store.tenant(tenant).outbox(None).await.unwrap();
    assert_eq!(all.len(), 1);
    all.pop().unwrap()
}

#[tokio::test]
async fn one_message_per_action_and_one_dispatcher_claims_it() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor_with_one_invoice(store, "Premier").await;
        let (customer, _, action) = scheduled_email(store, tenant).await;
        let handle = store.tenant(tenant);
        let now = fixed_now();
        let first = handle
            .enqueue(&message(action, customer, 1000), now)
            .await
            .unwrap();
        assert!(first.is_some());
        // A second dispatcher, or a re-run, writes nothing.
        assert_eq!(
            handle
                .enqueue(&message(action, customer, 1000), now)
                .await
                .unwrap(),
            None
        );
        assert!(handle.actions_without_message().await.unwrap().is_empty());
        let queued = only(store, tenant).await;
        assert_eq!(queued.status, "pending");
        assert_eq!(queued.attachment, None, "lists leave the bytes out");
        let full = handle.outbox_message(queued.id).await.unwrap();
        assert_eq!(full.attachment.as_deref(), Some(&b"%PDF-1.7 test"[..]));
        assert_eq!(full.subject, "Facture en attente de règlement");

        let today = date(2026, 11, 20);
        assert_eq!(
            handle.claim(&full, today, now).await.unwrap(),
            Claim::Claimed
        );
        // The other dispatcher, holding the same row, gets nothing.
        assert_eq!(handle.claim(&full, today, now).await.unwrap(), Claim::Taken);
        let sending = only(store, tenant).await;
        assert_eq!((sending.status.as_str(), sending.attempts), ("sending", 1));
        assert_eq!(sending.sending_at, Some(now));

        handle
            .finish(
                &sending,
                &Finish::Sent {
                    note: "e-mail sent".to_owned(),
                },
                now,
            )
            .await
            .unwrap();
        let sent = only(store, tenant).await;
        assert_eq!(sent.status, "sent");
        assert_eq!(sent.sent_at, Some(now));
        assert_eq!(handle.action(action).await.unwrap().status, "sent");
        // Finishing twice is refused: a message is recorded once.
        assert!(
            handle
                .finish(
                    &sent,
                    &Finish::Sent {
                        note: String::new()
                    },
                    now
                )
                .await
                .is_err()
        );
    });
}

#[tokio::test]
async fn a_message_is_rewritten_when_what_is_owed_changed_and_cancelled_once_disputed() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor_with_one_invoice(store, "Premier").await;
        let (customer, invoice, action) = scheduled_email(store, tenant).await;
        let handle = store.tenant(tenant);
        let now = fixed_now();
        let today = date(2026, 11, 20);
        handle
            .enqueue(&message(action, customer, 1000), now)
            .await
            .unwrap();
        let queued = handle
            .outbox_message(only(store, tenant).await.id)
            .await
            .unwrap();

        // What is owed changed since it was written: render again, nothing claimed.
        let stale = OutboxRecord {
            claimed_minor: 900,
            ..queued.clone()
        };
        assert_eq!(
            handle.claim(&stale, today, now).await.unwrap(),
            Claim::Changed
        );
        assert_eq!(only(store, tenant).await.status, "pending");

        // An open dispute on its invoice.
        handle
            .open_dispute(invoice, "quality", "", today, now)
            .await
            .unwrap();
        assert_eq!(
            handle.claim(&queued, today, now).await.unwrap(),
            Claim::Cancelled(CancelReason::Disputed)
        );
        let cancelled = only(store, tenant).await;
        assert_eq!(
            (cancelled.status.as_str(), cancelled.attempts),
            ("cancelled", 0)
        );
        assert_eq!(
            cancelled.status_note.as_deref(),
            Some("cancelled before sending: disputed")
        );
        let action = handle.action(action).await.unwrap();
        assert_eq!(action.status, "cancelled");
        // Once cancelled, it cannot be claimed.
        assert_eq!(
            handle.claim(&queued, today, now).await.unwrap(),
            Claim::Taken
        );
    });
}

#[tokio::test]
async fn a_send_without_its_record_becomes_delivery_unknown_after_its_lease() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor_with_one_invoice(store, "Premier").await;
        let (customer, _, action) = scheduled_email(store, tenant).await;
        let handle = store.tenant(tenant);
        let now = fixed_now();
        handle
            .enqueue(&message(action, customer, 1000), now)
            .await
            .unwrap();
        let queued = handle
            .outbox_message(only(store, tenant).await.id)
            .await
            .unwrap();
        assert_eq!(
            handle
                .claim(&queued, date(2026, 11, 20), now)
                .await
                .unwrap(),
            Claim::Claimed
        );
        // Another dispatcher starting meanwhile leaves a send in flight alone…
        let lease = SignedDuration::from_secs(300);
        let soon: Timestamp = now + SignedDuration::from_secs(60);
        assert!(
            handle
                .stale_sending_to_unknown(soon - lease, soon)
                .await
                .unwrap()
                .is_empty()
        );
        // …but once no send can still be running, the message is for a person to decide.
        let later: Timestamp = now + SignedDuration::from_secs(600);
        assert_eq!(
            handle
                .stale_sending_to_unknown(later - lease, later)
                .await
                .unwrap(),
            vec![queued.id]
        );
        let unknown = only(store, tenant).await;
        assert_eq!(unknown.status, "delivery_unknown");
        assert!(handle.outbox_waiting().await.unwrap().is_empty());
        assert_eq!(
            store
                .tenant(tenant)
                .outbox(Some("delivery_unknown"))
                .await
                .unwrap()
                .len(),
            1
        );

        // Resend: it waits again (and is claimed again by the next pass).
        assert!(
            handle
                .resolve_message(unknown.id, Resolution::Resend, "to send again", later)
                .await
                .unwrap()
        );
        assert_eq!(only(store, tenant).await.status, "pending");
        // Only a message whose delivery is unknown is resolved.
        assert!(
            !handle
                .resolve_message(unknown.id, Resolution::Cancel, "no", later)
                .await
                .unwrap()
        );
    });
}

#[tokio::test]
async fn a_refused_recipient_records_the_failed_channel_and_cancels_the_action() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor_with_one_invoice(store, "Premier").await;
        let (customer, _, action) = scheduled_email(store, tenant).await;
        let handle = store.tenant(tenant);
        let now = fixed_now();
        handle
            .enqueue(&message(action, customer, 1000), now)
            .await
            .unwrap();
        let queued = handle
            .outbox_message(only(store, tenant).await.id)
            .await
            .unwrap();
        handle
            .claim(&queued, date(2026, 11, 20), now)
            .await
            .unwrap();
        handle
            .finish(
                &queued,
                &Finish::Failed {
                    error: "550 mailbox unavailable".to_owned(),
                    contact: Some(FailedContact {
                        channel: "email",
                        outcome: "bounced",
                        on: date(2026, 11, 20),
                    }),
                },
                now,
            )
            .await
            .unwrap();
        let failed = only(store, tenant).await;
        assert_eq!(failed.status, "failed");
        assert_eq!(
            failed.last_error.as_deref(),
            Some("550 mailbox unavailable")
        );
        let file = handle.customer_file(customer).await.unwrap();
        let bounced: Vec<(&str, &str)> = file
            .contacts
            .iter()
            .map(|contact| (contact.channel.as_str(), contact.outcome.as_str()))
            .collect();
        assert_eq!(bounced, [("email", "bounced")]);
        let action = handle.action(action).await.unwrap();
        assert_eq!(action.status, "cancelled");
        assert!(action.status_note.unwrap().contains("550"));
    });
}

#[tokio::test]
async fn a_temporary_failure_waits_for_its_next_attempt() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor_with_one_invoice(store, "Premier").await;
        let (customer, _, action) = scheduled_email(store, tenant).await;
        let handle = store.tenant(tenant);
        let now = fixed_now();
        handle
            .enqueue(&message(action, customer, 1000), now)
            .await
            .unwrap();
        let queued = handle
            .outbox_message(only(store, tenant).await.id)
            .await
            .unwrap();
        handle
            .claim(&queued, date(2026, 11, 20), now)
            .await
            .unwrap();
        let next: Timestamp = now + SignedDuration::from_secs(60);
        handle
            .finish(
                &queued,
                &Finish::Retry {
                    error: "451 try later".to_owned(),
                    next_attempt_at: next,
                },
                now,
            )
            .await
            .unwrap();
        let waiting = handle.outbox_waiting().await.unwrap();
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].status, "failed_temporary");
        assert_eq!(waiting[0].next_attempt_at, Some(next));
        assert_eq!(waiting[0].attempts, 1);
        assert_eq!(handle.action(action).await.unwrap().status, "scheduled");
        // The next attempt claims it again and counts it.
        let again = handle.outbox_message(waiting[0].id).await.unwrap();
        assert_eq!(
            handle
                .claim(&again, date(2026, 11, 20), next)
                .await
                .unwrap(),
            Claim::Claimed
        );
        assert_eq!(only(store, tenant).await.attempts, 2);
    });
}

#[tokio::test]
async fn delivery_settings_are_saved_replaced_and_kept_to_their_tenant() {
    on_every_backend!(|database| {
        let store = &database.store;
        let first = creditor_with_one_invoice(store, "Premier").await;
        let second = creditor_with_one_invoice(store, "Second").await;
        let ours = store.tenant(first);
        assert_eq!(
            ours.delivery_settings().await.unwrap(),
            DeliverySettingsRecord::default()
        );
        let settings = DeliverySettingsRecord {
            smtp_url: Some("smtps://compta:secret@smtp.exemple.fr".to_owned()),
            smtp_from: Some("Compta <compta@exemple.fr>".to_owned()),
            sms_preset: Some("brevo".to_owned()),
            sms_key: Some("xkeysib-1".to_owned()),
            ..DeliverySettingsRecord::default()
        };
        ours.save_delivery_settings(&settings, fixed_now())
            .await
            .unwrap();
        assert_eq!(ours.delivery_settings().await.unwrap(), settings);
        let replaced = DeliverySettingsRecord {
            sms_preset: None,
            sms_key: None,
            ..settings.clone()
        };
        ours.save_delivery_settings(&replaced, fixed_now())
            .await
            .unwrap();
        assert_eq!(ours.delivery_settings().await.unwrap(), replaced);
        assert_eq!(
            store.tenant(second).delivery_settings().await.unwrap(),
            DeliverySettingsRecord::default()
        );
    });
}
