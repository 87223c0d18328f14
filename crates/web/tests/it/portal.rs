//! The debtor portal: a personal link, no login; what is owed, how to pay, and the debtor's
//! choices going through the same use cases as a collector's.

use app::clock::Clock;
use app::{Store, TenantRecord};
use domain::customer::Language;
use jiff::ToSpan;
use jiff::civil::{Date, date};
use test_support::{TestDatabase, fixed_now, on_every_backend};

use crate::harness::{Browser, blocking, start};
use crate::{books, clock, first_run};

/// A valid French IBAN (the creditor's), so the page offers a QR code.
const IBAN: &str = "FR7630006000011234567890189";

async fn creditor_with_books(database: &TestDatabase) -> TenantRecord {
    books(database).await;
    let iban = format!("UPDATE tenants SET iban = '{IBAN}'");
    database.execute_raw(&iban, &iban).await.unwrap();
    app::setup::select_tenant(&database.store, None)
        .await
        .unwrap()
}

async fn link(store: &Store, tenant: &TenantRecord, customer: &str) -> String {
    let link = app::portal::issue_link(store, tenant, clock(), customer, None)
        .await
        .unwrap();
    assert_eq!(link.expires_on, date(2026, 11, 20) + 60.days());
    format!("/p/{}", link.secret)
}

/// Actions decided for `customer` after `day`.
async fn actions_after(
    store: &Store,
    tenant: &TenantRecord,
    customer: &str,
    day: Date,
) -> Vec<app::ActionRecord> {
    app::dunning::list_actions(store, tenant, None, Some(customer), None)
        .await
        .unwrap()
        .into_iter()
        .filter(|action| action.decided_on > day)
        .collect()
}

async fn simulate(store: &Store, tenant: &TenantRecord, from: Date, to: Date) {
    app::dunning::simulate(store, tenant, clock(), from, to, Language::French)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_opens_the_customers_page_with_what_is_owed_and_how_to_pay_and_nothing_else() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = creditor_with_books(&database).await;
        let path = link(&database.store, &tenant, "CALL").await;
        let debtor = Browser::new(&server);
        blocking(|| {
            let page = debtor.get(&path);
            assert_eq!(page.status, 200, "{}", page.text());
            let text = page.text();
            assert!(text.contains("<html lang=\"fr\">"));
            assert!(text.contains("Martin Services"));
            assert!(text.contains("F-002") && text.contains("F-003"));
            assert_eq!(page.minor("portal-owed"), 75_000, "450.00 + 300.00");
            assert!(text.contains("750,00"), "amounts in French: {text}");
            assert!(text.contains("Décompte"));
            assert_eq!(
                page.element("portal-iban"),
                "FR76 3000 6000 0112 3456 7890 189"
            );
            assert!(page.element("portal-reference").starts_with("RF"));
            assert!(text.contains("<svg"), "the EPC QR code is drawn inline");
            for other in ["Dupont", "F-001", "Lefèvre", "F-004", "Zeta", "F-006"] {
                assert!(!text.contains(other), "another customer's {other} shows");
            }
            assert!(text.contains("id=\"promise-form\""));
            assert!(text.contains("id=\"plan-form\""));
            assert!(text.contains("id=\"dispute-form\""));
            debtor.get("/lang/en");
            let english = debtor.get(&path);
            assert!(english.text().contains("What is left to pay"));
            assert!(english.text().contains("750.00"));
            debtor.get("/lang/fr");
            // Another secret of the same shape opens nothing.
            let unknown = debtor.get(&format!("/p/{}", "0".repeat(64)));
            assert_eq!(unknown.status, 404);
            assert!(!unknown.text().contains("Martin"));
        });
    });
}

/// Two customers alike in every way, reminded since the same day.
const TWINS: &str =
    "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,email,phone
TWIN1,Jumeau Un SARL,T-001,2026-10-05,2026-11-05,200.00,200.00,un@jumeaux.example,
TWIN2,Jumeau Deux SARL,T-002,2026-10-05,2026-11-05,200.00,200.00,deux@jumeaux.example,
";

async fn twins(database: &TestDatabase, tenant: &TenantRecord) {
    let store = &database.store;
    app::import::import_invoices(
        store,
        tenant,
        app::import::ImportInput::Bytes {
            name: "twins.csv",
            bytes: TWINS.as_bytes(),
        },
        app::import::ImportOptions {
            format: app::import::InvoiceFileFormat::Csv,
            payment_term_days: None,
        },
        &app::import::NoProgress,
        clock(),
    )
    .await
    .unwrap();
    // A postal address, so that the formal notice can follow the e-mails.
    let address = "UPDATE customers SET address_line1 = '1 rue des Jumeaux', postal_code = '69003', city = 'Lyon' WHERE reference LIKE 'TWIN%'";
    database.execute_raw(address, address).await.unwrap();
    simulate(store, tenant, date(2026, 11, 6), date(2026, 11, 20)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promise_on_the_portal_pauses_dunning_until_its_date_and_shows_on_the_staff_timeline() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = creditor_with_books(&database).await;
        let store = &database.store;
        twins(&database, &tenant).await;
        let path = link(store, &tenant, "TWIN1").await;
        let debtor = Browser::new(&server);
        blocking(|| {
            let page = debtor.get(&path);
            let too_far = debtor.post(
                &format!("{path}/promise"),
                &[
                    ("csrf", &page.csrf()),
                    ("due_on", "2027-01-15"),
                    ("amount", ""),
                ],
            );
            assert_eq!(too_far.status, 422, "beyond the 30 days the portal accepts");
            assert!(too_far.text().contains("pas pu être enregistrée"));
            let saved = debtor.post(
                &format!("{path}/promise"),
                &[
                    ("csrf", &page.csrf()),
                    ("due_on", "2026-12-10"),
                    ("amount", ""),
                ],
            );
            assert_eq!(saved.status, 303, "{}", saved.text());
            let location = saved.location.clone().unwrap();
            assert_eq!(location, format!("{path}?done=promise"));
            assert!(
                debtor
                    .get(&location)
                    .text()
                    .contains("votre engagement est enregistré")
            );
        });
        let (file, _) = app::dunning::customer_file(store, &tenant, "TWIN1")
            .await
            .unwrap();
        assert_eq!(file.promises.len(), 1, "the refused promise wrote nothing");
        let promise = &file.promises[0];
        assert_eq!(promise.amount.minor(), 20_000, "no amount: everything owed");
        assert_eq!(promise.due_on, date(2026, 12, 10));
        assert_eq!(promise.status, "pending");

        simulate(store, &tenant, date(2026, 11, 21), date(2026, 12, 10)).await;
        assert!(
            !actions_after(store, &tenant, "TWIN2", date(2026, 11, 20))
                .await
                .is_empty(),
            "the twin without a promise is reminded"
        );
        assert!(
            actions_after(store, &tenant, "TWIN1", date(2026, 11, 20))
                .await
                .is_empty(),
            "no reminder while the promise runs"
        );
        blocking(|| {
            let file = admin.get("/customers/TWIN1");
            let text = file.text();
            assert!(text.contains("Promesse (portail)"), "{text}");
            assert!(text.contains("portal: promise of 200.00 by 2026-12-10"));
        });
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispute_on_the_portal_stops_dunning_of_that_invoice_and_shows_on_the_staff_timeline() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = creditor_with_books(&database).await;
        let store = &database.store;
        twins(&database, &tenant).await;
        let path = link(store, &tenant, "TWIN1").await;
        let debtor = Browser::new(&server);
        blocking(|| {
            let csrf = debtor.get(&path).csrf();
            let foreign = debtor.post(
                &format!("{path}/dispute"),
                &[
                    ("csrf", &csrf),
                    ("invoice", "T-002"),
                    ("reason", "defective"),
                    ("comment", ""),
                ],
            );
            assert_eq!(
                foreign.status, 422,
                "another customer's invoice is unknown here"
            );
            assert!(!foreign.text().contains("Jumeau Deux"));
            let saved = debtor.post(
                &format!("{path}/dispute"),
                &[
                    ("csrf", &csrf),
                    ("invoice", "T-001"),
                    ("reason", "defective"),
                    ("comment", "livraison incomplète"),
                ],
            );
            assert_eq!(saved.status, 303, "{}", saved.text());
            let page = debtor.get(saved.location.as_deref().unwrap());
            assert!(page.text().contains("votre contestation est enregistrée"));
            assert!(page.text().contains("T-001 (contestée)"));
        });
        let twin = app::dunning::customer_file(store, &tenant, "TWIN2")
            .await
            .unwrap()
            .0;
        assert!(
            twin.disputes.is_empty(),
            "nothing written on another customer"
        );
        let (file, _) = app::dunning::customer_file(store, &tenant, "TWIN1")
            .await
            .unwrap();
        assert_eq!(file.disputes.len(), 1);
        let dispute = &file.disputes[0];
        assert_eq!(
            (dispute.invoice_number.as_str(), dispute.reason.as_str()),
            ("T-001", "defective")
        );
        assert!(dispute.note.contains("livraison incomplète"));
        assert!(dispute.closed_on.is_none());

        simulate(store, &tenant, date(2026, 11, 21), date(2026, 12, 31)).await;
        assert!(
            !actions_after(store, &tenant, "TWIN2", date(2026, 11, 20))
                .await
                .is_empty(),
            "the twin without a dispute is reminded"
        );
        assert!(
            actions_after(store, &tenant, "TWIN1", date(2026, 11, 20))
                .await
                .is_empty(),
            "the disputed invoice is left aside"
        );
        blocking(|| {
            let text = admin.get("/customers/TWIN1").text();
            assert!(text.contains("Litige (portail)"), "{text}");
            assert!(text.contains("portal: dispute of T-001 (defective) livraison incomplète"));
        });
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_asked_for_on_the_portal_is_proposed_within_the_limits_and_left_to_a_collector_beyond()
 {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = creditor_with_books(&database).await;
        let store = &database.store;
        let path = link(store, &tenant, "CALL").await;
        let debtor = Browser::new(&server);
        blocking(|| {
            let csrf = debtor.get(&path).csrf();
            let beyond = debtor.post(
                &format!("{path}/plan"),
                &[("csrf", &csrf), ("installments", "24")],
            );
            assert_eq!(
                beyond.location.as_deref(),
                Some(format!("{path}?done=plan-request").as_str())
            );
        });
        let plans = app::plans::list(store, &tenant, clock(), None, Some("CALL"))
            .await
            .unwrap();
        assert!(
            plans.is_empty(),
            "24 installments exceed the 12 a collector may grant"
        );
        blocking(|| {
            let csrf = debtor.get(&path).csrf();
            let within = debtor.post(
                &format!("{path}/plan"),
                &[("csrf", &csrf), ("installments", "3")],
            );
            assert_eq!(
                within.location.as_deref(),
                Some(format!("{path}?done=plan").as_str())
            );
            let page = debtor.get(&format!("{path}?done=plan"));
            assert!(page.text().contains("Échéancier (PDF)"), "{}", page.text());
            let again = debtor.post(
                &format!("{path}/plan"),
                &[("csrf", &csrf), ("installments", "3")],
            );
            assert_eq!(again.status, 303, "the same request again: the same plan");
        });
        let plans = app::plans::list(store, &tenant, clock(), None, Some("CALL"))
            .await
            .unwrap();
        assert_eq!(plans.len(), 1);
        let plan = &plans[0].plan;
        assert_eq!(plan.status, app::PlanStatus::Proposed);
        assert_eq!(plan.installments.len(), 3);
        assert_eq!(plan.proposed_by, "debtor portal");
        assert_eq!(
            plan.covered.minor() - plan.charges.minor(),
            75_000,
            "every overdue invoice, with its accrued charges"
        );
        assert!(plan.charges.is_positive());
        let events = app::portal::events(store, &tenant, "CALL").await.unwrap();
        let kinds: Vec<&str> = events.iter().map(|event| event.kind.as_str()).collect();
        assert_eq!(kinds, ["plan-request", "plan"], "each answer noted once");
        blocking(|| {
            let pdf = debtor.get(&format!("{path}/plan/{}", plan.id));
            assert_eq!(pdf.status, 200);
            assert!(pdf.body.starts_with(b"%PDF"));
            let text = admin.get("/customers/CALL").text();
            assert!(
                text.contains("Demande d&#x27;échéancier (portail)")
                    || text.contains("Demande d'échéancier (portail)"),
                "{text}"
            );
            assert!(text.contains("Échéancier proposé (portail)"));
        });
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_or_expired_link_answers_gone_and_shows_nothing() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = creditor_with_books(&database).await;
        let store = &database.store;
        let revoked = link(store, &tenant, "CALL").await;
        assert_eq!(
            app::portal::revoke(store, &tenant, clock(), "CALL")
                .await
                .unwrap(),
            1
        );
        let two_days_ago = Clock::Fixed(fixed_now() - 48.hours());
        let expired = app::portal::issue_link(store, &tenant, two_days_ago, "LATE", Some(1))
            .await
            .unwrap();
        let live = link(store, &tenant, "CALL").await;
        let debtor = Browser::new(&server);
        blocking(|| {
            for path in [revoked.clone(), format!("/p/{}", expired.secret)] {
                let page = debtor.get(&path);
                assert_eq!(page.status, 410, "{path}");
                let text = page.text();
                assert!(
                    text.contains("Ce lien n'est plus valable")
                        || text.contains("Ce lien n&#x27;est plus valable"),
                    "{text}"
                );
                for secret in ["Martin", "Dupont", "F-00", "€"] {
                    assert!(!text.contains(secret), "{secret} shows on a closed link");
                }
                let csrf = debtor.get(&live).csrf();
                let post = debtor.post(
                    &format!("{path}/promise"),
                    &[("csrf", &csrf), ("due_on", "2026-12-01"), ("amount", "")],
                );
                assert_eq!(post.status, 410, "a closed link takes no choice");
            }
            assert_eq!(
                debtor.get(&live).status,
                200,
                "a new link works after revoking"
            );
        });
        let (file, _) = app::dunning::customer_file(store, &tenant, "CALL")
            .await
            .unwrap();
        assert!(file.promises.is_empty());
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_form_without_its_token_is_refused_and_changes_nothing() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = creditor_with_books(&database).await;
        let store = &database.store;
        let path = link(store, &tenant, "CALL").await;
        let debtor = Browser::new(&server);
        let forger = Browser::new(&server);
        blocking(|| {
            let csrf = debtor.get(&path).csrf();
            let forged = forger.post(
                &format!("{path}/promise"),
                &[("csrf", &csrf), ("due_on", "2026-12-01"), ("amount", "")],
            );
            assert_eq!(forged.status, 403, "the token without its cookie");
            let missing = debtor.post(
                &format!("{path}/dispute"),
                &[
                    ("invoice", "F-002"),
                    ("reason", "defective"),
                    ("comment", ""),
                ],
            );
            assert_eq!(missing.status, 403, "no token at all");
            let wrong = debtor.post(
                &format!("{path}/plan"),
                &[("csrf", &"a".repeat(64)), ("installments", "3")],
            );
            assert_eq!(wrong.status, 403);
        });
        let (file, _) = app::dunning::customer_file(store, &tenant, "CALL")
            .await
            .unwrap();
        assert!(file.promises.is_empty() && file.disputes.is_empty());
        assert!(
            app::plans::list(store, &tenant, clock(), None, Some("CALL"))
                .await
                .unwrap()
                .is_empty()
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_creditor_sets_how_long_links_work_and_how_far_ahead_a_promise_may_be() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = creditor_with_books(&database).await;
        let store = &database.store;
        let settings = app::portal::set_settings(store, &tenant, clock(), Some(5), Some(10))
            .await
            .unwrap();
        assert_eq!((settings.link_days, settings.promise_max_days), (5, 10));
        assert!(
            app::portal::set_settings(store, &tenant, clock(), Some(0), None)
                .await
                .is_err()
        );
        let link = app::portal::issue_link(store, &tenant, clock(), "CALL", None)
            .await
            .unwrap();
        assert_eq!(link.expires_on, date(2026, 11, 25));
        let path = format!("/p/{}", link.secret);
        let debtor = Browser::new(&server);
        blocking(|| {
            let page = debtor.get(&path);
            assert!(
                page.text().contains("max=\"2026-11-30\""),
                "{}",
                page.text()
            );
            let too_far = debtor.post(
                &format!("{path}/promise"),
                &[
                    ("csrf", &page.csrf()),
                    ("due_on", "2026-12-01"),
                    ("amount", "100"),
                ],
            );
            assert_eq!(too_far.status, 422);
            let within = debtor.post(
                &format!("{path}/promise"),
                &[
                    ("csrf", &page.csrf()),
                    ("due_on", "2026-11-30"),
                    ("amount", "100,50"),
                ],
            );
            assert_eq!(within.status, 303, "{}", within.text());
        });
        let (file, _) = app::dunning::customer_file(store, &tenant, "CALL")
            .await
            .unwrap();
        assert_eq!(file.promises.len(), 1);
        assert_eq!(
            file.promises[0].amount.minor(),
            10_050,
            "a decimal comma is read"
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_english_speaking_customer_reads_the_page_in_english_until_choosing_french() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = creditor_with_books(&database).await;
        let english = "UPDATE customers SET language = 'en' WHERE reference = 'CALL'";
        database.execute_raw(english, english).await.unwrap();
        let path = link(&database.store, &tenant, "CALL").await;
        let debtor = Browser::new(&server);
        blocking(|| {
            let page = debtor.get(&path);
            assert!(page.text().contains("<html lang=\"en\">"));
            assert!(page.text().contains("What is left to pay"));
            let refused = debtor.post(
                &format!("{path}/promise"),
                &[("csrf", &page.csrf()), ("due_on", "demain"), ("amount", "")],
            );
            assert_eq!(refused.status, 422);
            assert!(
                refused
                    .text()
                    .contains("Your request could not be recorded: Payment date")
            );
            debtor.get("/lang/fr");
            assert!(debtor.get(&path).text().contains("Ce qui reste à régler"));
        });
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_formal_notice_once_sent_is_downloaded_by_its_customer_only() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = creditor_with_books(&database).await;
        let store = &database.store;
        let late = link(store, &tenant, "LATE").await;
        let call = link(store, &tenant, "CALL").await;
        let notice = app::dunning::list_actions(store, &tenant, None, Some("LATE"), None)
            .await
            .unwrap()
            .into_iter()
            .find(|action| action.template == "formal_notice")
            .expect("LATE's formal notice");
        let debtor = Browser::new(&server);
        blocking(|| {
            assert!(
                !debtor.get(&late).text().contains("Mise en demeure (PDF)"),
                "not before it is sent"
            );
            assert_eq!(
                debtor.get(&format!("{late}/notice/{}", notice.id)).status,
                404
            );
        });
        let sent = format!(
            "UPDATE actions SET status = 'sent' WHERE id = {}",
            notice.id
        );
        database.execute_raw(&sent, &sent).await.unwrap();
        blocking(|| {
            let page = debtor.get(&late);
            assert!(
                page.text()
                    .contains(&format!("{late}/notice/{}", notice.id))
            );
            let pdf = debtor.get(&format!("{late}/notice/{}", notice.id));
            assert_eq!(pdf.status, 200);
            assert_eq!(pdf.content_type, "application/pdf");
            assert!(pdf.body.starts_with(b"%PDF"));
            let foreign = debtor.get(&format!("{call}/notice/{}", notice.id));
            assert_eq!(foreign.status, 404, "another customer's notice");
            assert!(!foreign.body.starts_with(b"%PDF"));
        });
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_gives_a_link_from_the_customer_file_and_revokes_it_there() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        creditor_with_books(&database).await;
        let debtor = Browser::new(&server);
        blocking(|| {
            let csrf = admin.get("/customers/CALL").csrf();
            let forged = admin.post("/customers/CALL/portal", &[("csrf", ""), ("do", "link")]);
            assert_eq!(forged.status, 403);
            let given = admin.post("/customers/CALL/portal", &[("csrf", &csrf), ("do", "link")]);
            assert_eq!(given.status, 200, "{}", given.text());
            let url = given.element("portal-url");
            let path = &url[url.find("/p/").unwrap()..];
            assert_eq!(path.len(), 3 + 64);
            assert!(debtor.get(path).text().contains("Martin Services"));
            let revoked = admin.post(
                "/customers/CALL/portal",
                &[("csrf", &csrf), ("do", "revoke")],
            );
            assert_eq!(
                revoked.element("portal-revoked").trim(),
                "Liens révoqués : 1"
            );
            assert_eq!(debtor.get(path).status, 410);
            let unknown = admin.post("/customers/NOPE/portal", &[("csrf", &csrf), ("do", "link")]);
            assert_eq!(unknown.status, 404);
        });
    });
}

/// The value of the hidden `document` field in a page (the agreement's fingerprint).
fn fingerprint_in(page: &str) -> String {
    let start = page
        .find("name=\"document\" value=\"")
        .expect("an acceptance form")
        + "name=\"document\" value=\"".len();
    page[start..start + 64].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_debtor_accepts_a_proposed_plan_with_a_typed_name_consent_and_the_documents_fingerprint()
 {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = creditor_with_books(&database).await;
        let store = &database.store;
        let path = link(store, &tenant, "CALL").await;
        let debtor = Browser::new(&server);
        let fingerprint = blocking(|| {
            let csrf = debtor.get(&path).csrf();
            debtor.post(
                &format!("{path}/plan"),
                &[("csrf", &csrf), ("installments", "3")],
            );
            fingerprint_in(&debtor.get(&path).text())
        });
        let plan = app::plans::list(store, &tenant, clock(), None, Some("CALL"))
            .await
            .unwrap()
            .remove(0)
            .plan;
        blocking(|| {
            let csrf = debtor.get(&path).csrf();
            let action = format!("{path}/plan/{}/accept", plan.id);
            // Without consent, or for another document than the one shown: nothing starts.
            let no_consent = debtor.post(
                &action,
                &[
                    ("csrf", &csrf),
                    ("name", "Paul Martin"),
                    ("document", &fingerprint),
                ],
            );
            assert_eq!(no_consent.status, 422);
            let other = "0".repeat(64);
            let tampered = debtor.post(
                &action,
                &[
                    ("csrf", &csrf),
                    ("name", "Paul Martin"),
                    ("consent", "yes"),
                    ("document", &other),
                ],
            );
            assert_eq!(tampered.status, 422);
            assert!(tampered.text().contains("relisez"), "{}", tampered.text());
            let accepted = debtor.post(
                &action,
                &[
                    ("csrf", &csrf),
                    ("name", "Paul Martin"),
                    ("consent", "yes"),
                    ("document", &fingerprint),
                ],
            );
            assert_eq!(
                accepted.location.as_deref(),
                Some(format!("{path}?done=plan-accepted").as_str())
            );
        });
        let accepted = app::plans::show(store, &tenant, clock(), plan.id)
            .await
            .unwrap()
            .plan;
        assert_eq!(accepted.status, app::PlanStatus::Active);
        assert_eq!(accepted.accepted_how.as_deref(), Some("portal"));
        let note = accepted.acceptance_note.unwrap();
        assert!(
            note.contains("Paul Martin")
                && note.contains("127.0.0.1")
                && note.contains(&fingerprint),
            "{note}"
        );
        let documents = app::plans::documents(store, &tenant, plan.id)
            .await
            .unwrap();
        assert_eq!(documents.len(), 1);
        assert_eq!(
            documents[0].sha256, fingerprint,
            "the exact document accepted is kept"
        );
        let events = app::portal::events(store, &tenant, "CALL").await.unwrap();
        assert!(
            events
                .iter()
                .any(|event| event.note.contains("accepted online"))
        );
    });
}
