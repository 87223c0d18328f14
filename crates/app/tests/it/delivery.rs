//! Delivery on a real database, to a real SMTP server (aiosmtpd) and a real HTTP server on
//! loopback: each scheduled message goes once, inside the debtor's hours, with its headers,
//! both parts and the letter attached; temporary failures are retried later, a refused
//! recipient fails the channel and the next step takes another one; a message whose invoices
//! were paid meanwhile is not sent.

use app::clock::Clock;
use app::customer_details::{self, DetailsChanges};
use app::delivery::{self, CancelReason, Event, Transports};
use app::dunning::{self, ReportDetail, RunOptions};
use app::{Store, TenantRecord};
use channels::{GENERIC_BODY, SmsGateway, SmtpConfig};
use domain::customer::Language;
use jiff::Timestamp;
use jiff::civil::{Date, date};
use test_support::on_every_backend;
use test_support::sinks::{HttpSink, SmtpSink};

use crate::fixtures::{clock, creditor, import_csv};

const PORTFOLIO: &str = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,email,phone\n\
    LATE,Épicerie Lefèvre & Fils,F-1,2025-12-01,2026-01-05,1200.00,1200.00,compta@lefevre.fr,\n\
    LATE,Épicerie Lefèvre & Fils,F-2,2025-12-15,2026-01-05,300.00,300.00,compta@lefevre.fr,\n\
    SLOW,Boulangerie Mérel,F-3,2025-12-01,2026-01-05,480.00,480.00,later@merel.fr,\n\
    GONE,Garage Dufour,F-4,2025-12-01,2026-01-05,250.00,250.00,bounce@dufour.fr,+33612345678\n\
    TEXT,Fleurs Aubry,F-5,2025-12-01,2026-01-05,99.90,99.90,,+33698765432\n";

const FIRST_DAY: Date = date(2026, 1, 6);

fn at(text: &str) -> Clock {
    Clock::Fixed(text.parse::<Timestamp>().unwrap())
}

async fn setup(store: &Store) -> TenantRecord {
    let tenant = creditor(store, "Atelier Bellevue").await;
    import_csv(store, &tenant, "portfolio.csv", PORTFOLIO.as_bytes())
        .await
        .unwrap();
    // The customer who prefers SMS (and agreed to them), and the one whose e-mail bounces
    // has a postal address and a phone for the fallback.
    customer_details::set_details(
        store,
        &tenant,
        clock(),
        "TEXT",
        &DetailsChanges {
            preferred_channel: Some("sms"),
            consents: vec!["sms=yes"],
            ..DetailsChanges::default()
        },
    )
    .await
    .unwrap();
    customer_details::set_details(
        store,
        &tenant,
        clock(),
        "GONE",
        &DetailsChanges {
            consents: vec!["sms=yes"],
            address_line1: Some("12 rue des Forges"),
            postal_code: Some("42000"),
            city: Some("Saint-Étienne"),
            ..DetailsChanges::default()
        },
    )
    .await
    .unwrap();
    run(store, &tenant, FIRST_DAY).await;
    tenant
}

async fn run(store: &Store, tenant: &TenantRecord, day: Date) {
    dunning::run_day(
        store,
        tenant,
        clock(),
        RunOptions {
            date: Some(day),
            dry_run: false,
            language: Language::French,
            detail: ReportDetail::CountsOnly,
        },
    )
    .await
    .unwrap();
}

fn smtp(sink: &SmtpSink) -> Transports {
    Transports {
        smtp: Some(
            SmtpConfig::parse(
                &sink.url(),
                "Atelier Bellevue <compta@bellevue.example>",
                Some("Service recouvrement <recouvrement@bellevue.example>"),
            )
            .unwrap(),
        ),
        ..Transports::default()
    }
}

async fn action_of(store: &Store, tenant: &TenantRecord, customer: &str) -> app::ActionRecord {
    let actions = dunning::list_actions(store, tenant, None, Some(customer), None)
        .await
        .unwrap();
    actions.into_iter().next_back().unwrap()
}

#[tokio::test]
async fn a_due_reminder_goes_once_with_its_headers_and_both_parts() {
    on_every_backend!(|database| {
        // A server per backend: it remembers the recipients it deferred once.
        let sink = SmtpSink::start();
        let store = &database.store;
        let tenant = setup(store).await;
        let before = sink.received().len();
        // 08:00 in Paris: the reminder is scheduled for 09:00, not due yet.
        let early = delivery::dispatch(store, &tenant, at("2026-01-06T07:00:00Z"), &smtp(&sink))
            .await
            .unwrap();
        assert_eq!((early.queued, early.sent()), (0, 0));

        let report = delivery::dispatch(store, &tenant, at("2026-01-06T08:30:00Z"), &smtp(&sink))
            .await
            .unwrap();
        let sent: Vec<&str> = report
            .events
            .iter()
            .filter(|event| event.event == Event::Sent)
            .map(|event| event.customer_ref.as_str())
            .collect();
        assert_eq!(sent, ["LATE"], "{report:?}");
        let received = sink.received();
        assert_eq!(received.len(), before + 1);
        let mail = received.last().unwrap();
        let action = action_of(store, &tenant, "LATE").await;
        assert_eq!(action.status, "sent");
        assert!(
            action
                .status_note
                .as_deref()
                .unwrap()
                .contains("compta@lefevre.fr")
        );
        assert_eq!(
            mail.header("message_id"),
            format!(
                "<relance.{}.{}.email@bellevue.example>",
                tenant.id.0, action.id
            )
        );
        assert_eq!(
            mail.header("from"),
            "Atelier Bellevue <compta@bellevue.example>"
        );
        assert_eq!(
            mail.header("reply_to"),
            "Service recouvrement <recouvrement@bellevue.example>"
        );
        assert_eq!(mail.header("to"), "compta@lefevre.fr");
        assert_eq!(mail.summary["content_type"], "multipart/alternative");
        let subject = mail.header("subject");
        assert!(subject.contains("règlement"), "{subject}");
        let text = mail.part("text/plain").unwrap();
        let html = mail.part("text/html").unwrap();
        for expected in ["reçu le règlement", "F-1", "1\u{202F}200,00\u{A0}€", "F-2"] {
            assert!(text.contains(expected), "{expected:?} not in {text}");
            assert!(html.contains(expected), "{expected:?} not in {html}");
        }
        assert!(
            html.starts_with("<!DOCTYPE html>") || html.contains("<html"),
            "{html}"
        );

        // The same instant again: nothing is queued or sent a second time.
        let again = delivery::dispatch(store, &tenant, at("2026-01-06T08:30:00Z"), &smtp(&sink))
            .await
            .unwrap();
        assert_eq!((again.queued, again.sent()), (0, 0), "{again:?}");
        // Later, only the deferred message goes (see the retry test); never the sent one.
        let later = delivery::dispatch(store, &tenant, at("2026-01-06T10:00:00Z"), &smtp(&sink))
            .await
            .unwrap();
        assert!(
            later
                .events
                .iter()
                .all(|event| event.customer_ref == "SLOW"),
            "{later:?}"
        );
        let to_late = sink
            .received()
            .iter()
            .filter(|mail| mail.header("to") == "compta@lefevre.fr")
            .count();
        assert_eq!(to_late, 1);
        assert_eq!(sink.received().len(), before + 2);
    });
}

#[tokio::test]
async fn without_smtp_messages_wait_and_outside_hours_nothing_goes() {
    on_every_backend!(|database| {
        // A server per backend: it remembers the recipients it deferred once.
        let sink = SmtpSink::start();
        let store = &database.store;
        let tenant = setup(store).await;
        let before = sink.received().len();
        let none = delivery::dispatch(
            store,
            &tenant,
            at("2026-01-06T08:30:00Z"),
            &Transports::default(),
        )
        .await
        .unwrap();
        assert_eq!(none.sent(), 0);
        assert_eq!(none.waiting_no_smtp, 3, "{none:?}");
        assert_eq!(
            delivery::list(store, &tenant, Some("pending"))
                .await
                .unwrap()
                .len(),
            4
        );
        // 20:30 in Paris: outside the debtor's hours, the SMTP server is not even called.
        let night = delivery::dispatch(store, &tenant, at("2026-01-06T19:30:00Z"), &smtp(&sink))
            .await
            .unwrap();
        assert_eq!(night.sent(), 0);
        assert_eq!(night.outside_hours, 3);
        assert_eq!(sink.received().len(), before);
        let morning = delivery::dispatch(store, &tenant, at("2026-01-07T08:15:00Z"), &smtp(&sink))
            .await
            .unwrap();
        assert_eq!(morning.sent(), 1, "{morning:?}");
    });
}

#[tokio::test]
async fn a_temporary_failure_is_retried_after_the_backoff_and_sent_once() {
    on_every_backend!(|database| {
        // A server per backend: it remembers the recipients it deferred once.
        let sink = SmtpSink::start();
        let store = &database.store;
        let tenant = setup(store).await;
        let first = delivery::dispatch(store, &tenant, at("2026-01-06T08:30:00Z"), &smtp(&sink))
            .await
            .unwrap();
        let retry = first
            .events
            .iter()
            .find(|event| event.customer_ref == "SLOW")
            .unwrap();
        let Event::Retry { at: next, error } = &retry.event else {
            panic!("{retry:?}");
        };
        assert!(error.contains("451"), "{error}");
        assert_eq!(*next, "2026-01-06T08:31:00Z".parse::<Timestamp>().unwrap());
        let waiting = delivery::show(store, &tenant, retry.message).await.unwrap();
        assert_eq!(
            (waiting.status.as_str(), waiting.attempts),
            ("failed_temporary", 1)
        );

        let too_soon = delivery::dispatch(store, &tenant, at("2026-01-06T08:30:30Z"), &smtp(&sink))
            .await
            .unwrap();
        assert_eq!((too_soon.sent(), too_soon.waiting_retry), (0, 1));
        let later = delivery::dispatch(store, &tenant, at("2026-01-06T08:32:00Z"), &smtp(&sink))
            .await
            .unwrap();
        assert_eq!(later.sent(), 1, "{later:?}");
        let sent = delivery::show(store, &tenant, retry.message).await.unwrap();
        assert_eq!((sent.status.as_str(), sent.attempts), ("sent", 2));
        let to_slow = sink
            .received()
            .iter()
            .filter(|mail| mail.header("to") == "later@merel.fr")
            .count();
        assert_eq!(to_slow, 1);
    });
}

#[tokio::test]
async fn a_refused_recipient_fails_the_channel_and_the_next_step_takes_another() {
    on_every_backend!(|database| {
        // A server per backend: it remembers the recipients it deferred once.
        let sink = SmtpSink::start();
        let store = &database.store;
        let tenant = setup(store).await;
        let report = delivery::dispatch(store, &tenant, at("2026-01-06T08:30:00Z"), &smtp(&sink))
            .await
            .unwrap();
        let bounce = report
            .events
            .iter()
            .find(|event| event.customer_ref == "GONE")
            .unwrap();
        assert!(
            matches!(&bounce.event, Event::Failed { channel_failed: true, error } if error.contains("550")),
            "{bounce:?}"
        );
        let (file, _) = dunning::customer_file(store, &tenant, "GONE")
            .await
            .unwrap();
        assert!(
            file.contacts
                .iter()
                .any(|contact| contact.channel == "email" && contact.outcome == "bounced"),
            "{:?}",
            file.contacts
        );
        let first = file
            .actions
            .iter()
            .find(|action| action.channel == "email")
            .unwrap();
        assert_eq!(first.status, "cancelled");
        assert!(first.status_note.as_deref().unwrap().contains("550"));

        // The next written step of the ladder no longer uses e-mail.
        dunning::simulate(
            store,
            &tenant,
            clock(),
            date(2026, 1, 7),
            date(2026, 2, 10),
            Language::French,
        )
        .await
        .unwrap();
        let later: Vec<String> = dunning::customer_file(store, &tenant, "GONE")
            .await
            .unwrap()
            .0
            .actions
            .iter()
            .filter(|action| action.decided_on > FIRST_DAY)
            .map(|action| format!("{} {}", action.step_key, action.channel))
            .collect();
        assert!(!later.is_empty());
        assert!(
            later.iter().all(|action| !action.ends_with(" email")),
            "{later:?}"
        );
    });
}

#[tokio::test]
async fn a_message_whose_invoices_were_paid_meanwhile_is_cancelled_not_sent() {
    on_every_backend!(|database| {
        // A server per backend: it remembers the recipients it deferred once.
        let sink = SmtpSink::start();
        let store = &database.store;
        let tenant = setup(store).await;
        let before = sink.received().len();
        // Queued while no SMTP server is configured…
        delivery::dispatch(
            store,
            &tenant,
            at("2026-01-06T08:30:00Z"),
            &Transports::default(),
        )
        .await
        .unwrap();
        // …then paid before it could go.
        let paid = PORTFOLIO
            .replace(",1200.00,1200.00,", ",1200.00,0.00,")
            .replace(",300.00,300.00,", ",300.00,0.00,");
        import_csv(store, &tenant, "paid.csv", paid.as_bytes())
            .await
            .unwrap();
        let report = delivery::dispatch(store, &tenant, at("2026-01-06T09:00:00Z"), &smtp(&sink))
            .await
            .unwrap();
        let late = report
            .events
            .iter()
            .find(|event| event.customer_ref == "LATE")
            .unwrap();
        assert_eq!(late.event, Event::Cancelled(CancelReason::Paid));
        assert!(
            sink.received()[before..]
                .iter()
                .all(|mail| mail.header("to") != "compta@lefevre.fr")
        );
        assert_eq!(action_of(store, &tenant, "LATE").await.status, "cancelled");
    });
}

#[tokio::test]
async fn an_sms_goes_through_the_gateway_as_json_after_a_busy_answer() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let gateway = HttpSink::start(vec![503]);
        let transports = Transports {
            sms: Some(
                SmsGateway::new(
                    &gateway.url("/v1/sms"),
                    Some("Authorization: Bearer s3cret"),
                    GENERIC_BODY,
                    "BELLEVUE",
                )
                .unwrap(),
            ),
            ..Transports::default()
        };
        let first = delivery::dispatch(store, &tenant, at("2026-01-06T08:30:00Z"), &transports)
            .await
            .unwrap();
        let text = first
            .events
            .iter()
            .find(|event| event.customer_ref == "TEXT")
            .unwrap();
        assert!(
            matches!(&text.event, Event::Retry { error, .. } if error.contains("503")),
            "{text:?}"
        );
        let second = delivery::dispatch(store, &tenant, at("2026-01-06T08:35:00Z"), &transports)
            .await
            .unwrap();
        assert_eq!(second.sent(), 1, "{second:?}");
        let requests = gateway.received();
        assert_eq!(requests.len(), 2);
        let request = &requests[1];
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("POST", "/v1/sms")
        );
        assert_eq!(request.header("authorization"), Some("Bearer s3cret"));
        assert_eq!(request.header("content-type"), Some("application/json"));
        let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
        assert_eq!(body["to"], "+33698765432");
        assert_eq!(body["sender"], "BELLEVUE");
        let sms = body["text"].as_str().unwrap();
        assert!(sms.contains("99,90"), "{sms}");
        assert_eq!(requests[0].body, request.body);
        assert_eq!(action_of(store, &tenant, "TEXT").await.status, "sent");
    });
}

#[tokio::test]
async fn backoff_doubles_from_one_minute_up_to_six_hours() {
    let minutes: Vec<i64> = (1..=12)
        .map(|attempts| delivery::backoff(attempts).as_secs() / 60)
        .collect();
    assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360, 360]);
}

fn pdftotext(path: &std::path::Path) -> String {
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils)");
    String::from_utf8(output.stdout)
        .unwrap()
        .replace(['\u{A0}', '\u{202F}'], " ")
}

#[tokio::test]
async fn the_formal_notice_copy_carries_the_letter_and_old_reminders_expire() {
    on_every_backend!(|database| {
        let store = &database.store;
        let sink = SmtpSink::start();
        let tenant = creditor(store, "Atelier Bellevue").await;
        import_csv(store, &tenant, "portfolio.csv", PORTFOLIO.as_bytes())
            .await
            .unwrap();
        customer_details::set_details(
            store,
            &tenant,
            clock(),
            "LATE",
            &DetailsChanges {
                address_line1: Some("3 place des Célestins"),
                postal_code: Some("69002"),
                city: Some("Lyon"),
                phone: Some("+33478000000"),
                ..DetailsChanges::default()
            },
        )
        .await
        .unwrap();
        dunning::simulate(
            store,
            &tenant,
            clock(),
            FIRST_DAY,
            date(2026, 2, 10),
            Language::French,
        )
        .await
        .unwrap();
        let waiting = dunning::list_actions(
            store,
            &tenant,
            None,
            Some("LATE"),
            Some("awaiting_approval"),
        )
        .await
        .unwrap();
        let notice = waiting
            .iter()
            .find(|action| action.channel == "registered_letter")
            .unwrap_or_else(|| panic!("no formal notice: {waiting:?}"));
        dunning::approve_action(store, &tenant, notice.id)
            .await
            .unwrap();
        let copy = dunning::list_actions(store, &tenant, None, Some("LATE"), Some("scheduled"))
            .await
            .unwrap()
            .into_iter()
            .find(|action| action.channel == "email" && action.template == "formal_notice")
            .expect("the e-mail copy follows the approved letter");
        let scheduled: jiff::ZonedDateTime = copy.scheduled_at.parse().unwrap();
        let when = Clock::Fixed(scheduled.timestamp() + jiff::SignedDuration::from_mins(30));

        let report = delivery::dispatch(store, &tenant, when, &smtp(&sink))
            .await
            .unwrap();
        // The reminders never dispatched during the weeks simulated are not sent now.
        assert!(
            report
                .not_queued
                .iter()
                .any(|skipped| skipped.customer_ref == "LATE"
                    && skipped.reason.starts_with("expired")),
            "{report:?}"
        );
        let to_late: Vec<_> = sink
            .received()
            .into_iter()
            .filter(|mail| mail.header("to") == "compta@lefevre.fr")
            .collect();
        assert_eq!(to_late.len(), 1, "{report:?}");
        let mail = &to_late[0];
        assert_eq!(mail.summary["content_type"], "multipart/mixed");
        assert!(
            mail.header("subject").contains("Mise en demeure"),
            "{}",
            mail.header("subject")
        );
        assert!(mail.part("text/plain").is_some() && mail.part("text/html").is_some());
        let (name, file) = &mail.attachments[0];
        assert_eq!(name, "formal-notice-LATE.pdf");
        assert!(std::fs::read(file).unwrap().starts_with(b"%PDF"));
        let letter = pdftotext(file);
        for expected in [
            "Mise en demeure de payer",
            "Épicerie Lefèvre & Fils",
            "3 place des Célestins",
            "1 500,00 €",
        ] {
            assert!(letter.contains(expected), "{expected:?} not in:\n{letter}");
        }

        // The registered letter itself is on the post office's list of its day.
        let list = app::templates::registered_list(store, &tenant, notice.decided_on)
            .await
            .unwrap();
        assert_eq!(list.len(), 1);
        let registered = &list[0];
        assert_eq!(registered.name, "Épicerie Lefèvre & Fils");
        assert!(
            registered
                .address
                .iter()
                .any(|line| line == "3 place des Célestins")
        );
        assert!(
            registered.reference.starts_with("RF"),
            "{}",
            registered.reference
        );
        assert!(registered.pages >= 1);
        assert_eq!(registered.weight_grams, 5 * registered.pages + 5);

        // The phone step of the ladder is a call task with its script and the file in brief.
        let call = dunning::list_actions(store, &tenant, None, Some("LATE"), None)
            .await
            .unwrap()
            .into_iter()
            .find(|action| action.channel == "phone_task")
            .expect("a phone step");
        let tasks = app::templates::call_tasks(store, &tenant, call.decided_on)
            .await
            .unwrap();
        let task = tasks
            .iter()
            .find(|task| task.action.customer_ref == "LATE")
            .unwrap();
        assert_eq!(task.phone, "+33478000000");
        assert_eq!(task.invoices, 2);
        assert!(!task.script.trim().is_empty());
    });
}

#[tokio::test]
async fn a_message_that_keeps_failing_temporarily_is_given_up_after_eight_attempts() {
    on_every_backend!(|database| {
        let store = &database.store;
        let sink = SmtpSink::start();
        let tenant = creditor(store, "Atelier Bellevue").await;
        let busy = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,email\n\
            BUSY,Café Roux,F-9,2025-12-01,2026-01-05,80.00,80.00,busy@roux.fr\n";
        import_csv(store, &tenant, "busy.csv", busy.as_bytes())
            .await
            .unwrap();
        run(store, &tenant, FIRST_DAY).await;
        let mut now: Timestamp = "2026-01-06T08:30:00Z".parse().unwrap();
        let mut waits = Vec::new();
        for _ in 0..8 {
            let report = delivery::dispatch(store, &tenant, Clock::Fixed(now), &smtp(&sink))
                .await
                .unwrap();
            assert_eq!(report.events.len(), 1, "{report:?}");
            match &report.events[0].event {
                Event::Retry { at, .. } => {
                    waits.push(at.duration_since(now).as_secs() / 60);
                    now = *at;
                }
                Event::Failed {
                    error,
                    channel_failed: false,
                } => {
                    assert!(error.starts_with("gave up after 8 attempts"), "{error}");
                    waits.push(-1);
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, -1]);
        let message = &delivery::list(store, &tenant, Some("failed"))
            .await
            .unwrap()[0];
        assert_eq!(message.attempts, 8);
        assert!(sink.received().is_empty());
    });
}

#[tokio::test]
async fn the_smtp_login_is_used_and_a_refused_one_leaves_the_message_waiting() {
    on_every_backend!(|database| {
        let store = &database.store;
        let sink = SmtpSink::with_login("relance", "p@ss w0rd");
        let tenant = setup(store).await;
        let with = |password: &str| Transports {
            smtp: Some(
                SmtpConfig::parse(
                    &format!("smtp://relance:{password}@127.0.0.1:{}?tls=none", sink.port),
                    "compta@bellevue.example",
                    None,
                )
                .unwrap(),
            ),
            ..Transports::default()
        };
        let refused =
            delivery::dispatch(store, &tenant, at("2026-01-06T08:30:00Z"), &with("wrong"))
                .await
                .unwrap();
        // The first message finds the login refused; the others of the pass are not tried.
        assert_eq!(refused.events.len(), 1, "{refused:?}");
        let first = &refused.events[0];
        assert!(
            matches!(&first.event, Event::NotSent { error } if error.contains("535")),
            "{first:?}"
        );
        assert_eq!(refused.waiting_unusable, 2);
        for message in delivery::list(store, &tenant, Some("pending"))
            .await
            .unwrap()
        {
            assert_eq!(message.attempts, 0);
        }
        assert_eq!(
            delivery::list(store, &tenant, Some("pending"))
                .await
                .unwrap()
                .len(),
            4
        );
        assert!(sink.received().is_empty());

        // The password percent-encoded in the URL, as URLs require.
        let accepted = delivery::dispatch(
            store,
            &tenant,
            at("2026-01-06T08:31:00Z"),
            &with("p%40ss%20w0rd"),
        )
        .await
        .unwrap();
        assert!(
            accepted
                .events
                .iter()
                .any(|event| event.customer_ref == "LATE" && event.event == Event::Sent),
            "{accepted:?}"
        );
        assert!(
            sink.received()
                .iter()
                .any(|mail| mail.header("to") == "compta@lefevre.fr")
        );
    });
}

#[tokio::test]
async fn a_scheduled_thank_you_goes_like_any_action_and_says_what_was_paid() {
    on_every_backend!(|database| {
        let store = &database.store;
        let sink = SmtpSink::start();
        let tenant = setup(store).await;
        let paid = PORTFOLIO
            .replace(",1200.00,1200.00,", ",1200.00,0.00,")
            .replace(",300.00,300.00,", ",300.00,0.00,");
        import_csv(store, &tenant, "paid.csv", paid.as_bytes())
            .await
            .unwrap();
        let late = action_of(store, &tenant, "LATE").await;
        // As the payments work records it: a scheduled action of the thank_you template.
        store
            .tenant(tenant.id)
            .propose_action(&store::NewAction {
                customer: late.customer,
                episode: late.episode,
                step_key: "thank_you".to_owned(),
                channel: "email".to_owned(),
                companion: false,
                tone: "courteous".to_owned(),
                template: "thank_you".to_owned(),
                invoice_ids: late.invoice_ids.clone(),
                decided_on: FIRST_DAY,
                scheduled_at: late.scheduled_at.clone(),
                status: "scheduled",
                explanation: store::Explanation::Text("paid in full".to_owned()),
            })
            .await
            .unwrap();
        let report = delivery::dispatch(store, &tenant, at("2026-01-06T08:30:00Z"), &smtp(&sink))
            .await
            .unwrap();
        // The reminder was cancelled (paid), the thank-you went.
        let events: Vec<(String, Event)> = report
            .events
            .iter()
            .filter(|event| event.customer_ref == "LATE")
            .map(|event| (event.recipient.clone(), event.event.clone()))
            .collect();
        assert_eq!(
            events
                .iter()
                .filter(|(_, event)| *event == Event::Sent)
                .count(),
            1,
            "{report:?}"
        );
        let mail = sink
            .received()
            .into_iter()
            .find(|mail| mail.header("to") == "compta@lefevre.fr")
            .unwrap();
        assert_eq!(mail.header("subject"), "Merci pour votre règlement");
        let text = mail.part("text/plain").unwrap();
        assert!(
            text.contains("votre règlement de 1\u{202F}500,00\u{A0}€"),
            "{text}"
        );
        assert!(text.contains("votre compte est désormais à jour"), "{text}");
    });
}

#[tokio::test]
async fn a_partial_payment_rewrites_the_message_and_a_promise_or_a_hold_stops_it() {
    on_every_backend!(|database| {
        let store = &database.store;
        let sink = SmtpSink::start();
        let tenant = setup(store).await;
        // Queued while no SMTP server is configured…
        delivery::dispatch(
            store,
            &tenant,
            at("2026-01-06T08:30:00Z"),
            &Transports::default(),
        )
        .await
        .unwrap();
        // …then 1,000.00 of F-1 is paid, SLOW promises to pay and GONE's case is held.
        let partly = PORTFOLIO.replace(",1200.00,1200.00,", ",1200.00,200.00,");
        import_csv(store, &tenant, "partly.csv", partly.as_bytes())
            .await
            .unwrap();
        let meanwhile = at("2026-01-06T08:45:00Z");
        dunning::add_promise(
            store,
            &tenant,
            meanwhile,
            "SLOW",
            "480.00",
            date(2026, 1, 20),
            "",
        )
        .await
        .unwrap();
        dunning::hold(
            store,
            &tenant,
            clock(),
            "GONE",
            date(2026, 1, 31),
            "en travaux",
        )
        .await
        .unwrap();
        let report = delivery::dispatch(store, &tenant, at("2026-01-06T09:00:00Z"), &smtp(&sink))
            .await
            .unwrap();
        let event = |customer: &str| {
            report
                .events
                .iter()
                .find(|event| event.customer_ref == customer)
                .map(|event| event.event.clone())
        };
        assert_eq!(event("LATE"), Some(Event::Sent), "{report:?}");
        assert_eq!(
            event("SLOW"),
            Some(Event::Cancelled(CancelReason::Promised))
        );
        assert_eq!(event("GONE"), Some(Event::Cancelled(CancelReason::OnHold)));
        let received = sink.received();
        assert_eq!(received.len(), 1);
        // The message says what is owed now: 200.00 + 300.00, not the 1,500.00 first written.
        let text = received[0].part("text/plain").unwrap();
        assert!(text.contains("200,00\u{A0}€"), "{text}");
        assert!(!text.contains("1\u{202F}200,00"), "{text}");
        let sent = &delivery::list(store, &tenant, Some("sent")).await.unwrap()[0];
        assert_eq!(sent.claimed_minor, 50_000);
    });
}

#[tokio::test]
async fn an_sms_refused_by_the_brevo_style_gateway_fails_the_number() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let gateway = HttpSink::start(vec![400]);
        let mut sms =
            SmsGateway::preset(channels::SmsPreset::Brevo, "xkeysib-test", "BELLEVUE").unwrap();
        // Brevo's request format, posted to the loopback server instead of api.brevo.com.
        sms.url = gateway.url("/v3/transactionalSMS/send");
        let transports = Transports {
            sms: Some(sms),
            ..Transports::default()
        };
        let report = delivery::dispatch(store, &tenant, at("2026-01-06T08:30:00Z"), &transports)
            .await
            .unwrap();
        let text = report
            .events
            .iter()
            .find(|event| event.customer_ref == "TEXT")
            .unwrap();
        assert!(
            matches!(&text.event, Event::Failed { channel_failed: true, error } if error.contains("400")),
            "{text:?}"
        );
        let requests = gateway.received();
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].header("api-key"), Some("xkeysib-test"));
        let body: serde_json::Value = serde_json::from_str(&requests[0].body).unwrap();
        assert_eq!(body["recipient"], "33698765432");
        assert_eq!(body["sender"], "BELLEVUE");
        assert_eq!(body["type"], "transactional");
        assert!(body["content"].as_str().unwrap().contains("99,90"));
        let (file, _) = dunning::customer_file(store, &tenant, "TEXT")
            .await
            .unwrap();
        assert!(
            file.contacts
                .iter()
                .any(|contact| contact.channel == "sms" && contact.outcome == "wrong-number"),
            "{:?}",
            file.contacts
        );
    });
}

#[tokio::test]
async fn a_reminder_whose_invoices_went_into_a_payment_plan_is_cancelled_not_sent() {
    on_every_backend!(|database| {
        let sink = SmtpSink::start();
        let store = &database.store;
        let tenant = setup(store).await;
        let before = sink.received().len();
        // Queued while no SMTP server is configured…
        delivery::dispatch(
            store,
            &tenant,
            at("2026-01-06T08:30:00Z"),
            &Transports::default(),
        )
        .await
        .unwrap();
        // …then the customer agreed a plan for both invoices before it could go.
        let plan = app::plans::propose(
            store,
            &tenant,
            at("2026-01-06T08:40:00Z"),
            &app::plans::PlanRequest {
                customer: "LATE",
                invoices: &[],
                split: app::plans::SplitRequest::Installments(3),
                first_on: date(2026, 1, 31),
                every: "1m",
                down_payment: None,
                waive_charges: false,
                by: "Camille Durand",
            },
        )
        .await
        .unwrap();
        app::plans::accept(
            store,
            &tenant,
            at("2026-01-06T08:45:00Z"),
            plan.plan.id,
            &app::plans::Acceptance {
                approved_by: None,
                note: "",
                signed_copy: None,
            },
        )
        .await
        .unwrap();
        let report = delivery::dispatch(store, &tenant, at("2026-01-06T09:00:00Z"), &smtp(&sink))
            .await
            .unwrap();
        let late = report
            .events
            .iter()
            .find(|event| event.customer_ref == "LATE")
            .unwrap();
        assert_eq!(late.event, Event::Cancelled(CancelReason::InPlan));
        assert!(
            sink.received()[before..]
                .iter()
                .all(|mail| mail.header("to") != "compta@lefevre.fr")
        );
    });
}

fn bounce_notice(message_id: &str, action: &str, status: &str) -> Vec<u8> {
    format!(
        "From: MAILER-DAEMON@mx.lefevre.fr\r\n\
         Subject: Undelivered Mail Returned to Sender\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: message/delivery-status\r\n\r\n\
         Final-Recipient: rfc822; compta@lefevre.fr\r\nAction: {action}\r\nStatus: {status}\r\n\
         --b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{message_id}>\r\n--b--\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn a_bounce_notice_received_later_fails_the_channel_once_and_a_delay_changes_nothing() {
    on_every_backend!(|database| {
        let sink = SmtpSink::start();
        let store = &database.store;
        let tenant = setup(store).await;
        delivery::dispatch(store, &tenant, at("2026-01-06T09:00:00Z"), &smtp(&sink))
            .await
            .unwrap();
        let sent = delivery::list(store, &tenant, Some("sent"))
            .await
            .unwrap()
            .into_iter()
            .find(|message| message.customer_ref == "LATE")
            .expect("LATE's reminder went out");

        let delayed = delivery::record_bounces(
            store,
            &tenant,
            at("2026-01-06T12:00:00Z"),
            &[bounce_notice(&sent.message_id, "delayed", "4.4.7")],
        )
        .await
        .unwrap();
        assert_eq!(delayed, [delivery::BounceOutcome::Delayed]);

        let notice = bounce_notice(&sent.message_id, "failed", "5.1.1");
        let outcomes = delivery::record_bounces(
            store,
            &tenant,
            at("2026-01-07T08:00:00Z"),
            std::slice::from_ref(&notice),
        )
        .await
        .unwrap();
        assert!(
            matches!(&outcomes[..], [delivery::BounceOutcome::Recorded { customer_ref, .. }] if customer_ref == "LATE"),
            "{outcomes:?}"
        );
        let again = delivery::record_bounces(store, &tenant, at("2026-01-07T08:05:00Z"), &[notice])
            .await
            .unwrap();
        assert!(matches!(
            &again[..],
            [delivery::BounceOutcome::AlreadyKnown { .. }]
        ));
        let (file, _) = dunning::customer_file(store, &tenant, "LATE")
            .await
            .unwrap();
        let bounced: Vec<_> = file
            .contacts
            .iter()
            .filter(|contact| contact.outcome == "bounced")
            .collect();
        assert_eq!(bounced.len(), 1, "recorded once");
        assert_eq!(bounced[0].channel, "email");

        let foreign = bounce_notice("relance.999.1.email@bellevue.example", "failed", "5.1.1");
        assert_eq!(
            delivery::record_bounces(store, &tenant, clock(), &[foreign])
                .await
                .unwrap(),
            [delivery::BounceOutcome::NotOurs]
        );
    });
}

#[tokio::test]
async fn one_dispatch_pass_serves_every_creditor_with_its_own_settings() {
    on_every_backend!(|database| {
        let sink = SmtpSink::start();
        let store = &database.store;
        let tenant = setup(store).await;
        // A second creditor with nothing to send.
        creditor(store, "Autre Créancier").await;
        let given = delivery::DeliverySettings {
            smtp_url: Some(sink.url()),
            smtp_from: Some("Atelier Bellevue <compta@bellevue.example>".to_owned()),
            ..delivery::DeliverySettings::default()
        };
        let reports = delivery::dispatch_all(store, at("2026-01-06T09:00:00Z"), &given)
            .await
            .unwrap();
        assert_eq!(reports.len(), 2);
        let (first, report) = &reports[0];
        assert_eq!(first.id, tenant.id);
        assert!(report.as_ref().unwrap().sent() > 0);
        let (_, other) = &reports[1];
        assert_eq!(other.as_ref().unwrap().sent(), 0);
        // A second pass sends only what was deferred (retried after its backoff), never a
        // message twice.
        delivery::dispatch_all(store, at("2026-01-06T09:05:00Z"), &given)
            .await
            .unwrap();
        let ids: Vec<String> = sink
            .received()
            .iter()
            .map(|mail| mail.header("message_id"))
            .collect();
        let mut distinct = ids.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), ids.len(), "{ids:?}");
    });
}

/// A certificate authority and a certificate for 127.0.0.1 signed by it, made with openssl in
/// `directory`: (the authority, the server's certificate, its key).
fn certificates(
    directory: &std::path::Path,
) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let run = |args: &[&str]| {
        let output = std::process::Command::new("openssl")
            .args(args)
            .current_dir(directory)
            .output()
            .expect("openssl runs");
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Relance test authority",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        directory.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    ]);
    (
        directory.join("ca.pem"),
        directory.join("server.pem"),
        directory.join("server.key"),
    )
}

#[tokio::test]
async fn starttls_is_required_and_the_server_certificate_checked_against_a_trusted_authority() {
    on_every_backend!(|database| {
        let directory = tempfile::tempdir().unwrap();
        let (authority, certificate, key) = certificates(directory.path());
        let sink = SmtpSink::with_starttls(&certificate, &key);
        let store = &database.store;
        let tenant = setup(store).await;
        let transports = |url: String| Transports {
            smtp: Some(
                SmtpConfig::parse(&url, "Atelier Bellevue <compta@bellevue.example>", None)
                    .unwrap(),
            ),
            ..Transports::default()
        };
        // A certificate no trusted authority signed: nothing leaves, the message waits.
        let untrusted = delivery::dispatch(
            store,
            &tenant,
            at("2026-01-06T09:00:00Z"),
            &transports(format!("smtp://127.0.0.1:{}", sink.port)),
        )
        .await
        .unwrap();
        assert_eq!(untrusted.sent(), 0);
        assert!(sink.received().is_empty());
        // Trusting the internal authority, STARTTLS goes through and the mail arrives.
        let trusted = delivery::dispatch(
            store,
            &tenant,
            at("2026-01-06T09:01:00Z"),
            &transports(format!(
                "smtp://127.0.0.1:{}?ca={}",
                sink.port,
                authority.display()
            )),
        )
        .await
        .unwrap();
        assert!(
            trusted.sent() > 0,
            "{:?} / first: {:?}",
            trusted.events,
            untrusted.events
        );
        assert!(
            sink.received()
                .iter()
                .any(|mail| mail.header("to") == "compta@lefevre.fr")
        );
    });
}
#[tokio::test]
async fn a_customer_with_a_portal_link_gets_a_link_of_its_own_in_the_first_reminder() {
    on_every_backend!(|database| {
        let sink = SmtpSink::start();
        let store = &database.store;
        let tenant = setup(store).await;
        let given = app::portal::issue_link(store, &tenant, clock(), "LATE", None)
            .await
            .unwrap();
        let before = sink.received().len();
        delivery::dispatch(store, &tenant, at("2026-01-06T08:30:00Z"), &smtp(&sink))
            .await
            .unwrap();
        let received = sink.received();
        let mail = received[before..]
            .iter()
            .find(|mail| mail.header("to") == "compta@lefevre.fr")
            .expect("LATE's first reminder");
        let text = mail.part("text/plain").unwrap();
        let base = format!("{}/p/", app::portal::public_base_url());
        let at = text
            .find(&base)
            .unwrap_or_else(|| panic!("no portal address in {text}"))
            + base.len();
        let secret = &text[at..at + 64];
        assert_ne!(
            secret, given.secret,
            "each message carries a link of its own"
        );
        assert!(text.contains("votre page personnelle"));
        let opened = app::portal::open(store, at_clock(), secret).await.unwrap();
        let app::portal::Opened::Live(access) = opened else {
            panic!("the message's link does not open: {opened:?}");
        };
        assert_eq!(access.customer_ref.as_str(), "LATE");
        app::portal::revoke(store, &tenant, clock(), "LATE")
            .await
            .unwrap();
        assert!(matches!(
            app::portal::open(store, at_clock(), secret).await.unwrap(),
            app::portal::Opened::Gone
        ));
    });
}

fn at_clock() -> Clock {
    at("2026-01-06T09:00:00Z")
}
