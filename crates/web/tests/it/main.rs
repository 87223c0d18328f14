//! The web application end to end: the real server on a loopback port, spoken to over HTTP, on
//! SQLite and (when `RELANCE_TEST_POSTGRES_URL` is set) PostgreSQL.

mod api_payments;
mod chromium;
mod harness;
mod memberships;
mod operations;
mod plans;
mod portal;
mod settings;
mod template_errors;

use app::clock::Clock;
use app::import::{ImportInput, ImportOptions, InvoiceFileFormat, NoProgress};
use app::{Store, TenantRecord};
use domain::customer::Language;
use harness::{Api, Browser, blocking, start};
use jiff::civil::date;
use test_support::{TestDatabase, fixed_now, on_every_backend};

const ADMIN: &str = "admin@atelier.example";
const ADMIN_PASSWORD: &str = "mot-de-passe-admin";

/// Five customers: one a formal notice late, one to call, one paid, one not yet due, one more.
pub(crate) const BOOKS: &str = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,email,phone
LATE,Dupont Bâtiment SARL,F-001,2026-08-01,2026-09-01,1200.00,1200.00,compta@dupont.example,+33612345678
CALL,Martin Services,F-002,2026-09-15,2026-10-15,450.00,450.00,contact@martin.example,+33687654321
CALL,Martin Services,F-003,2026-10-20,2026-11-19,300.00,300.00,contact@martin.example,+33687654321
PAID,Lefèvre Conseil,F-004,2026-10-01,2026-10-31,800.00,0.00,ap@lefevre.example,
FUT,Zeta Industries,F-005,2026-11-01,2026-12-15,5000.00,5000.00,ap@zeta.example,
DUP2,Dupuis et Fils,F-006,2026-07-01,2026-07-31,99.90,99.90,dupuis@example.org,
";

pub(crate) fn clock() -> Clock {
    Clock::Fixed(fixed_now())
}

/// The first-run form's company, name, e-mail and password.
pub(crate) fn first_run_company() -> (&'static str, &'static str, &'static str, &'static str) {
    ("Atelier Test SARL", "Alice Admin", ADMIN, ADMIN_PASSWORD)
}

/// Creates the first administrator (and the creditor) through the first-run page.
pub(crate) fn first_run(browser: &Browser) {
    let form = browser.get("/setup");
    assert_eq!(form.status, 200);
    let csrf = form.csrf();
    let done = browser.post(
        "/setup",
        &[
            ("csrf", &csrf),
            ("company", "Atelier Test SARL"),
            ("display_name", "Alice Admin"),
            ("email", ADMIN),
            ("password", ADMIN_PASSWORD),
        ],
    );
    assert_eq!(done.status, 303, "{}", done.text());
    assert_eq!(done.location.as_deref(), Some("/"));
}

pub(crate) async fn tenant(store: &Store) -> TenantRecord {
    app::setup::select_tenant(store, None).await.unwrap()
}

/// The books above, and the daily runs from September to today: LATE's formal notice waits for
/// approval.
pub(crate) async fn books(database: &TestDatabase) -> TenantRecord {
    let store = &database.store;
    let tenant = tenant(store).await;
    app::import::import_invoices(
        store,
        &tenant,
        ImportInput::Bytes {
            name: "books.csv",
            bytes: BOOKS.as_bytes(),
        },
        ImportOptions {
            format: InvoiceFileFormat::Csv,
            payment_term_days: None,
        },
        &NoProgress,
        clock(),
    )
    .await
    .unwrap();
    // The built-in ECB table stops at the start of 2026: these books need its second half.
    let ecb = format!(
        "{}2026-07-01,2.15,confirmation for the tests\n",
        include_str!("../../../formats/rates/ecb_mro_rates.csv")
    );
    app::late_payment::import_rate_table(store, clock(), "ecb.csv", ecb.as_bytes())
        .await
        .unwrap();
    let address = "UPDATE customers SET address_line1 = '4 rue Mercière', postal_code = '69002', city = 'Lyon' WHERE reference = 'LATE'";
    database.execute_raw(address, address).await.unwrap();
    app::dunning::simulate(
        store,
        &tenant,
        clock(),
        date(2026, 9, 2),
        date(2026, 11, 20),
        Language::French,
    )
    .await
    .unwrap();
    tenant
}

/// A second creditor in the same database, with one customer, SECRET, owing invoice S-1.
pub(crate) async fn other_creditor(store: &Store) -> TenantRecord {
    let mut profile = tenant(store).await.profile;
    profile.company_name = "Autre Créancier SAS".into();
    let id = app::setup::add_creditor(store, &profile, clock())
        .await
        .unwrap();
    let other = app::setup::select_tenant(store, Some(id.0)).await.unwrap();
    app::import::import_invoices(
        store,
        &other,
        ImportInput::Bytes {
            name: "other.csv",
            bytes: b"customer_ref,customer_name,invoice_number,issue_date,due_date,amount\nSECRET,Client Secret SA,S-1,2026-01-01,2026-01-31,999.00\n",
        },
        ImportOptions {
            format: InvoiceFileFormat::Csv,
            payment_term_days: None,
        },
        &NoProgress,
        clock(),
    )
    .await
    .unwrap();
    other
}

/// An account with this role, created by the administrator on the accounts page.
pub(crate) fn add_user(admin: &Browser, email: &str, role: &str) {
    let page = admin.get("/admin");
    assert_eq!(page.status, 200);
    let added = admin.post(
        "/admin/users",
        &[
            ("csrf", &page.csrf()),
            ("display_name", role),
            ("email", email),
            ("password", "un-mot-de-passe"),
            ("role", role),
        ],
    );
    assert_eq!(added.status, 200, "{}", added.text());
    assert!(added.text().contains(email));
}

pub(crate) async fn awaiting_approval(
    store: &Store,
    tenant: &TenantRecord,
) -> Vec<app::ActionRecord> {
    app::dunning::list_actions(store, tenant, None, None, Some("awaiting_approval"))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_installation_asks_for_its_first_administrator_then_never_again() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let browser = Browser::new(&server);
        blocking(|| {
            let home = browser.get("/");
            assert_eq!(home.status, 303);
            assert_eq!(home.location.as_deref(), Some("/setup"));
            let form = browser.get("/setup");
            assert!(
                form.text().contains("name=\"company\""),
                "no creditor yet: its name is asked"
            );
            assert!(
                form.text()
                    .contains("Créer le premier compte administrateur")
            );
            first_run(&browser);
            assert!(browser.has_cookie("relance_session"));
            let dashboard = browser.get("/");
            assert_eq!(dashboard.status, 200);
            assert!(dashboard.text().contains("Tableau de bord"));
            assert!(dashboard.text().contains("Alice Admin"));

            // Once an account exists, the first-run form is gone, even for a new visitor.
            let stranger = Browser::new(&server);
            let again = stranger.get("/setup");
            assert_eq!(again.status, 303);
            assert_eq!(again.location.as_deref(), Some("/login"));
            let csrf = stranger.get("/login").csrf();
            let replay = stranger.post(
                "/setup",
                &[
                    ("csrf", &csrf),
                    ("display_name", "Mallory"),
                    ("email", "mallory@example.org"),
                    ("password", "takeover-attempt"),
                ],
            );
            assert_eq!(replay.location.as_deref(), Some("/login"));
            assert!(!stranger.has_cookie("relance_session"));
        });
        let accounts = database.store.user_count().await.unwrap();
        assert_eq!(accounts, 1);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_needs_the_right_password_and_logout_ends_the_session() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        blocking(|| {
            first_run(&Browser::new(&server));
            let browser = Browser::new(&server);
            let wrong = browser.login(ADMIN, "not-the-password");
            assert_eq!(wrong.status, 401);
            assert!(
                wrong
                    .text()
                    .contains("Adresse e-mail ou mot de passe incorrect.")
            );
            let unknown = browser.login("nobody@atelier.example", ADMIN_PASSWORD);
            assert_eq!(
                unknown.status, 401,
                "an unknown e-mail gets the same answer"
            );
            assert!(!browser.has_cookie("relance_session"));

            let ok = browser.login(ADMIN, ADMIN_PASSWORD);
            assert_eq!(ok.status, 303);
            assert_eq!(browser.get("/").status, 200);
            let csrf = browser.get("/").csrf();
            let out = browser.post("/logout", &[("csrf", &csrf)]);
            assert_eq!(out.location.as_deref(), Some("/login"));
            assert!(!browser.has_cookie("relance_session"));
            assert_eq!(browser.get("/").location.as_deref(), Some("/login"));
        });
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_without_the_sessions_token_is_refused_and_changes_nothing() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = books(&database).await;
        let notice = awaiting_approval(&database.store, &tenant).await;
        assert!(!notice.is_empty());
        let id = notice[0].id;
        blocking(|| {
            let missing = admin.post(&format!("/actions/{id}/approve"), &[]);
            assert_eq!(missing.status, 403);
            assert!(missing.text().contains("Le formulaire a expiré"));
            let forged = admin.post(
                &format!("/actions/{id}/approve"),
                &[("csrf", &"0".repeat(64))],
            );
            assert_eq!(forged.status, 403);
            // Another session's token is no better.
            let other = Browser::new(&server);
            other.login(ADMIN, ADMIN_PASSWORD);
            let theirs = other.get("/").csrf();
            let crossed = admin.post(&format!("/actions/{id}/approve"), &[("csrf", &theirs)]);
            assert_eq!(crossed.status, 403);
            // Before login too: the login form checks its own token.
            let stranger = Browser::new(&server);
            let refused = stranger.post(
                "/login",
                &[
                    ("csrf", "x"),
                    ("email", ADMIN),
                    ("password", ADMIN_PASSWORD),
                ],
            );
            assert_eq!(refused.status, 403);
        });
        let still = awaiting_approval(&database.store, &tenant).await;
        assert!(still.iter().any(|action| action.id == id));
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_cannot_approve_a_formal_notice_and_a_manager_can_after_reading_it() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            add_user(&admin, "colin@atelier.example", "collector");
            add_user(&admin, "maud@atelier.example", "manager");
        });
        let tenant = books(&database).await;
        let notice = awaiting_approval(&database.store, &tenant).await;
        let letter = notice
            .iter()
            .find(|action| action.channel == "registered_letter")
            .expect("LATE's formal notice waits for approval");
        let id = letter.id;
        blocking(|| {
            let collector = Browser::new(&server);
            assert_eq!(
                collector
                    .login("colin@atelier.example", "un-mot-de-passe")
                    .status,
                303
            );
            let queue = collector.get("/actions");
            assert!(queue.text().contains(&format!("id=\"action-{id}\"")));
            let csrf = queue.csrf();
            let refused =
                collector.htmx_post(&format!("/actions/{id}/approve"), &[("csrf", &csrf)]);
            assert_eq!(refused.status, 403);
            assert!(
                refused.text().contains("Responsable"),
                "names the role needed"
            );
            let skip = collector.htmx_post(
                &format!("/actions/{id}/skip"),
                &[("csrf", &csrf), ("reason", "pas envie")],
            );
            assert_eq!(
                skip.status, 403,
                "dropping a step awaiting approval is a manager's call"
            );
            assert!(!collector.get("/admin").text().contains("Ajouter un compte"));
            assert_eq!(collector.get("/admin").status, 403);

            let manager = Browser::new(&server);
            manager.login("maud@atelier.example", "un-mot-de-passe");
            let pdf = manager.get(&format!("/actions/{id}/letter.pdf"));
            assert_eq!(pdf.status, 200, "{}", pdf.text());
            assert_eq!(pdf.content_type, "application/pdf");
            assert!(pdf.body.starts_with(b"%PDF"));
            let csrf = manager.get("/actions").csrf();
            let approved = manager.htmx_post(&format!("/actions/{id}/approve"), &[("csrf", &csrf)]);
            assert_eq!(approved.status, 200, "{}", approved.text());
            assert!(
                approved
                    .text()
                    .starts_with(&format!("<tr id=\"action-{id}\"")),
                "htmx gets the row"
            );
            assert!(approved.text().contains("Programmée"));
        });
        let action = app::calls::action(&database.store, &tenant, id)
            .await
            .unwrap();
        assert_eq!(action.status, "scheduled");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_is_paged_with_approvals_first_then_the_days_actions_by_customer() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = books(&database).await;
        // The day of the simulation with the most actions not waiting for approval.
        let every = app::dunning::list_actions(&database.store, &tenant, None, None, None)
            .await
            .unwrap();
        let mut per_day = std::collections::BTreeMap::new();
        for action in every
            .iter()
            .filter(|action| action.status != "awaiting_approval")
        {
            *per_day.entry(action.decided_on).or_insert(0) += 1;
        }
        let day = per_day
            .iter()
            .max_by_key(|(_, count)| **count)
            .map(|(day, _)| *day)
            .expect("the simulation decided actions");
        let mut expected = awaiting_approval(&database.store, &tenant).await;
        assert!(
            !expected.is_empty(),
            "the books have a formal notice waiting"
        );
        let approvals = expected.len();
        let mut of_the_day =
            app::dunning::list_actions(&database.store, &tenant, Some(day), None, None)
                .await
                .unwrap();
        of_the_day.retain(|action| action.status != "awaiting_approval");
        of_the_day.sort_by(|a, b| (&a.customer_ref, a.id).cmp(&(&b.customer_ref, b.id)));
        expected.sort_by(|a, b| (&a.customer_ref, a.id).cmp(&(&b.customer_ref, b.id)));
        expected.extend(of_the_day);
        assert!(expected.len() > approvals, "and actions decided that day");

        // One action a page: the pages, in turn, are the whole queue in its order.
        let mut paged = Vec::new();
        for offset in 0..=expected.len() as u32 {
            let (total, page) =
                app::overview::action_queue(&database.store, &tenant, day, offset, 1)
                    .await
                    .unwrap();
            assert_eq!(total, expected.len() as i64);
            paged.extend(page.into_iter().map(|action| action.id));
        }
        let ids: Vec<i64> = expected.iter().map(|action| action.id).collect();
        assert_eq!(paged, ids);

        blocking(|| {
            let queue = admin.get(&format!("/actions?date={day}"));
            assert_eq!(queue.element("total"), expected.len().to_string());
            assert!(queue.text().contains(&format!("id=\"action-{}\"", ids[0])));
        });
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_skips_a_scheduled_action_with_a_reason_and_only_with_one() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            add_user(&admin, "colin@atelier.example", "collector");
        });
        let tenant = books(&database).await;
        let scheduled = app::dunning::list_actions(
            &database.store,
            &tenant,
            None,
            Some("CALL"),
            Some("scheduled"),
        )
        .await
        .unwrap();
        let id = scheduled.last().expect("CALL has reminders").id;
        blocking(|| {
            let collector = Browser::new(&server);
            collector.login("colin@atelier.example", "un-mot-de-passe");
            let csrf = collector.get("/actions").csrf();
            let without = collector.htmx_post(
                &format!("/actions/{id}/skip"),
                &[("csrf", &csrf), ("reason", "  ")],
            );
            assert_eq!(without.status, 200);
            assert!(without.text().contains("class=\"error\""));
            let skipped = collector.htmx_post(
                &format!("/actions/{id}/skip"),
                &[
                    ("csrf", &csrf),
                    ("reason", "paiement annoncé par téléphone"),
                ],
            );
            assert_eq!(skipped.status, 200);
            assert!(skipped.text().contains("Ignorée"));
            assert!(skipped.text().contains("paiement annoncé par téléphone"));
        });
        let action = app::calls::action(&database.store, &tenant, id)
            .await
            .unwrap();
        assert_eq!(action.status, "skipped");
        assert_eq!(
            action.status_note.as_deref(),
            Some("paiement annoncé par téléphone")
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_the_same_figures_as_the_aging_report() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = books(&database).await;
        let today = clock().today_in("Europe/Paris");
        let report = app::queries::aging_report(&database.store, &tenant, today, None)
            .await
            .unwrap();
        let page = blocking(|| admin.get("/"));
        assert_eq!(page.status, 200);
        assert_eq!(page.minor("total-outstanding"), report.total.minor());
        assert_eq!(
            report.total.minor(),
            120_000 + 45_000 + 30_000 + 500_000 + 9_990
        );
        assert_eq!(page.minor("total-overdue"), report.total.minor() - 500_000);
        for bucket in &report.buckets {
            assert_eq!(
                page.bucket_minor(&bucket.label),
                bucket.amount.minor(),
                "{}",
                bucket.label
            );
        }
        assert!(page.text().contains("<svg class=\"chart\""));
        let approvals = awaiting_approval(&database.store, &tenant).await;
        assert_eq!(page.element("approvals-count"), approvals.len().to_string());
        // DSO: 7,049.90 owed over 6,550.00 invoiced in the 90 days from Aug 23 to Nov 20,
        // times 90: 96.87, so 97 days.
        assert_eq!(page.element("dso"), "97 jours");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_are_searched_by_name_or_reference_in_any_case_sorted_and_paged() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        books(&database).await;
        blocking(|| {
            let all = admin.get("/customers");
            assert_eq!(all.element("total"), "5");
            let dup = admin.get("/customers?q=DUP");
            assert_eq!(dup.element("total"), "2", "Dupont and Dupuis");
            assert!(dup.text().contains("Dupont Bâtiment SARL"));
            assert!(!dup.text().contains("Martin Services"));
            let by_reference = admin.get("/customers?q=call");
            assert_eq!(by_reference.element("total"), "1");
            // LIKE's wildcards are plain characters in a search.
            assert_eq!(admin.get("/customers?q=%25").element("total"), "0");
            let open = admin.get("/customers?open=1&sort=outstanding");
            assert_eq!(open.element("total"), "4", "Lefèvre paid everything");
            let text = open.text();
            let zeta = text.find("Zeta Industries").unwrap();
            let dupont = text.find("Dupont Bâtiment").unwrap();
            let martin = text.find("Martin Services").unwrap();
            assert!(
                zeta < dupont && dupont < martin,
                "largest outstanding first"
            );
        });
        let page = app::overview::customer_page(
            &database.store,
            &tenant(&database.store).await,
            &app::CustomerQuery {
                search: None,
                open_only: false,
                sort: app::CustomerSort::Name,
                offset: 2,
                limit: 2,
            },
        )
        .await
        .unwrap();
        assert_eq!(page.total, 5);
        let names: Vec<&str> = page
            .customers
            .iter()
            .map(|c| c.legal_name.as_str())
            .collect();
        assert_eq!(names, ["Lefèvre Conseil", "Martin Services"]);
        // A page's totals (read from indexes) are the customer list's (summed from the invoices).
        let every = app::overview::customer_page(
            &database.store,
            &tenant(&database.store).await,
            &app::CustomerQuery {
                limit: 10,
                ..app::CustomerQuery::default()
            },
        )
        .await
        .unwrap();
        let mut listed = database
            .store
            .tenant(tenant(&database.store).await.id)
            .customers()
            .await
            .unwrap();
        listed.sort_by(|a, b| a.reference.as_str().cmp(b.reference.as_str()));
        assert_eq!(every.customers, listed);
        assert!(
            every
                .customers
                .iter()
                .any(|c| c.open_invoices == 0 && c.invoices > 0)
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_file_shows_invoices_timeline_and_statement_on_one_page() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        books(&database).await;
        blocking(|| {
            let file = admin.get("/customers/LATE");
            assert_eq!(file.status, 200);
            let text = file.text();
            assert!(text.contains("F-001"));
            assert!(text.contains("01/09/2026"), "the due date");
            assert!(
                text.contains("formal_notice"),
                "the timeline has the notice"
            );
            assert!(text.contains("Décompte"));
            assert!(text.contains("Enregistrer un appel"));
            assert_eq!(admin.get("/customers/NOPE").status, 404);
            admin.get("/lang/en");
            let english = admin.get("/customers/LATE");
            assert!(english.text().contains("Statement of account"));
            assert!(english.text().contains("<html lang=\"en\">"));
        });
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_file_shows_payment_plans_and_settlements() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = books(&database).await;
        let store = &database.store;
        let proposed = app::plans::propose(
            store,
            &tenant,
            clock(),
            &app::plans::PlanRequest {
                customer: "LATE",
                invoices: &[],
                split: app::plans::SplitRequest::Installments(3),
                first_on: date(2026, 11, 30),
                every: "1m",
                down_payment: None,
                waive_charges: true,
                by: "Camille Durand",
            },
        )
        .await
        .unwrap();
        app::settlements::record(
            store,
            &tenant,
            clock(),
            &app::settlements::SettlementRequest {
                customer: "CALL",
                invoice: "F-003",
                kind: "write-off",
                amount: None,
                on: date(2026, 11, 20),
                reason: "liquidation clôturée",
                by: "Claire Martin",
                counterparty: "",
                language: domain::customer::Language::French,
            },
        )
        .await
        .unwrap();
        blocking(|| {
            let text = admin.get("/customers/LATE").text();
            assert!(text.contains("Échéanciers"), "{text}");
            assert!(
                text.contains(&format!("Échéancier {}", proposed.plan.id)),
                "{text}"
            );
            assert!(text.contains("proposé"));
            assert!(text.contains("30/11/2026"), "the first installment");
            let call = admin.get("/customers/CALL").text();
            assert!(call.contains("passage en perte"), "{call}");
            assert!(call.contains("liquidation clôturée"));
        });
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_with_a_promise_records_the_contact_and_the_promise_or_nothing() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = books(&database).await;
        let before = app::dunning::customer_file(&database.store, &tenant, "CALL")
            .await
            .unwrap()
            .0;
        blocking(|| {
            let csrf = admin.get("/customers/CALL").csrf();
            let bad = admin.htmx_post(
                "/customers/CALL/calls",
                &[
                    ("csrf", &csrf),
                    ("outcome", "reached"),
                    ("reason", "cash-flow"),
                    ("promise_on", "2026-12-01"),
                    ("promise_amount", "trois cents"),
                    ("note", ""),
                ],
            );
            assert!(bad.text().contains("class=\"error\""), "{}", bad.text());
        });
        let unchanged = app::dunning::customer_file(&database.store, &tenant, "CALL")
            .await
            .unwrap()
            .0;
        assert_eq!(
            unchanged.contacts.len(),
            before.contacts.len(),
            "nothing half-written"
        );
        blocking(|| {
            let csrf = admin.get("/customers/CALL").csrf();
            let saved = admin.htmx_post(
                "/customers/CALL/calls",
                &[
                    ("csrf", &csrf),
                    ("outcome", "reached"),
                    ("reason", "cash-flow"),
                    ("promise_on", "2026-12-01"),
                    ("promise_amount", "300.00"),
                    ("dispute_invoice", ""),
                    ("note", "paiera le 1er"),
                ],
            );
            assert_eq!(saved.status, 200);
            let text = saved.text();
            assert!(text.contains("Appel enregistré."), "{text}");
            assert!(text.contains("hx-swap-oob"), "the timeline is refreshed");
            assert!(text.contains("paiera le 1er"));
        });
        let after = app::dunning::customer_file(&database.store, &tenant, "CALL")
            .await
            .unwrap()
            .0;
        assert_eq!(after.contacts.len(), before.contacts.len() + 1);
        let call = after.contacts.last().unwrap();
        assert_eq!(
            (call.channel.as_str(), call.outcome.as_str()),
            ("phone", "reached")
        );
        assert_eq!(call.reason.as_deref(), Some("cash-flow"));
        let promise = after.promises.last().unwrap();
        assert_eq!(promise.amount.minor(), 30_000);
        assert_eq!(promise.due_on, date(2026, 12, 1));
        assert_eq!(promise.status, "pending");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_invoice_file_is_imported_with_its_report_or_refused_by_line() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            let csrf = admin.get("/import").csrf();
            let report = admin.upload(
                "/import",
                &[("csrf", &csrf), ("format", "auto")],
                "books.csv",
                BOOKS.as_bytes(),
            );
            assert_eq!(report.status, 200, "{}", report.text());
            assert_eq!(report.element("invoices-created"), "6");
            let again = admin.upload(
                "/import",
                &[("csrf", &csrf), ("format", "csv")],
                "books.csv",
                BOOKS.as_bytes(),
            );
            assert!(again.text().contains("identique au dernier import"));
            let bad = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount\nX1,Client X,F-900,2026-01-01,2026-01-31,12.00\nX2,Client Y,F-901,2026-13-45,2026-01-31,abc\n";
            let refused = admin.upload("/import", &[("csrf", &csrf)], "bad.csv", bad.as_bytes());
            assert_eq!(refused.status, 422);
            assert!(
                refused.text().contains("<td class=\"num\">3</td>"),
                "{}",
                refused.text()
            );
            let forged = admin.upload(
                "/import",
                &[("csrf", "nope")],
                "books.csv",
                BOOKS.as_bytes(),
            );
            assert_eq!(forged.status, 403);
        });
        let tenant = tenant(&database.store).await;
        let (count, _, _) = app::queries::ledger_checksum(&database.store, &tenant)
            .await
            .unwrap();
        assert_eq!(count, 6, "the refused file wrote nothing");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_only_a_valid_token_and_round_trips_json() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        let token = blocking(|| {
            first_run(&admin);
            let csrf = admin.get("/admin").csrf();
            let page = admin.post("/admin/tokens", &[("csrf", &csrf), ("name", "erp")]);
            assert_eq!(page.status, 200);
            page.element("new-token")
        });
        assert!(token.starts_with("rl_"));
        let tenant = books(&database).await;
        blocking(|| {
            let anonymous = Api::new(&server, "");
            assert_eq!(anonymous.get("/customers").status, 401);
            assert_eq!(Api::new(&server, "rl_0000").get("/customers").status, 401);

            let api = Api::new(&server, &token);
            let list = api.get("/customers?q=dup&sort=name");
            assert_eq!(list.status, 200);
            let body = list.json();
            assert_eq!(body["total"], 2);
            assert_eq!(body["customers"][0]["reference"], "LATE");
            assert_eq!(body["customers"][0]["outstanding"]["amount"], "1200.00");
            assert_eq!(body["customers"][0]["outstanding"]["currency"], "EUR");
            let invoices = api.get("/customers/CALL/invoices").json();
            assert_eq!(invoices["invoices"][0]["number"], "F-002");
            assert_eq!(invoices["invoices"][0]["due_on"], "2026-10-15");
            assert_eq!(api.get("/customers/NOPE").status, 404);

            let promise = api.post_json(
                "/customers/CALL/promises",
                serde_json::json!({"amount": "450.00", "due_on": "2026-12-10", "note": "by transfer"}),
            );
            assert_eq!(promise.status, 201, "{}", promise.text());
            let file = api.get("/customers/CALL").json();
            let promises = file["promises"].as_array().unwrap();
            assert_eq!(promises.last().unwrap()["amount"]["amount"], "450.00");
            assert_eq!(promises.last().unwrap()["due_on"], "2026-12-10");
            let past = api.post_json(
                "/customers/CALL/promises",
                serde_json::json!({"amount": "10.00", "due_on": "2026-01-01"}),
            );
            assert_eq!(past.status, 422);
            assert!(
                past.json()["error"]
                    .as_str()
                    .unwrap()
                    .contains("already past")
            );

            let imported = api.post("/imports/invoices?name=more.csv", "text/csv",
                b"customer_ref,customer_name,invoice_number,issue_date,due_date,amount\nNEW,Nouveau Client,F-100,2026-11-01,2026-12-01,75.00\n");
            assert_eq!(imported.status, 200, "{}", imported.text());
            assert_eq!(imported.json()["invoices"]["created"], 1);
            let rejected = api.post("/imports/invoices", "text/csv",
                b"customer_ref,customer_name,invoice_number,issue_date,due_date,amount\nBAD,Bad,F-101,2026-11-01,2026-12-01,-\n");
            assert_eq!(rejected.status, 422);
            assert_eq!(rejected.json()["problems"][0]["line"], 2);
        });
        let waiting = awaiting_approval(&database.store, &tenant).await;
        let id = waiting[0].id;
        blocking(|| {
            let api = Api::new(&server, &token);
            let day = waiting[0].decided_on.to_string();
            let actions = api.get(&format!("/actions?date={day}")).json();
            assert!(
                actions["actions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a["id"] == id)
            );
            // A page at a time, in the order decided: the pages make up the whole day.
            let whole: Vec<serde_json::Value> = actions["actions"].as_array().unwrap().clone();
            assert!(whole.len() > 1, "a day with several actions");
            assert_eq!(actions["total"], whole.len());
            assert!(
                whole
                    .windows(2)
                    .all(|pair| pair[0]["id"].as_i64() < pair[1]["id"].as_i64())
            );
            let paged: Vec<serde_json::Value> = (0..whole.len())
                .flat_map(|offset| {
                    let page = api
                        .get(&format!("/actions?date={day}&offset={offset}&limit=1"))
                        .json();
                    assert_eq!(page["total"], whole.len());
                    page["actions"].as_array().unwrap().clone()
                })
                .collect();
            assert_eq!(paged, whole);
            let approved = api.post(&format!("/actions/{id}/approve"), "application/json", b"");
            assert_eq!(approved.status, 200, "{}", approved.text());
            assert_eq!(approved.json()["status"], "scheduled");
            let twice = api.post(&format!("/actions/{id}/approve"), "application/json", b"");
            assert_eq!(twice.status, 422);
            let skipped = api.post_json(
                &format!("/actions/{id}/skip"),
                serde_json::json!({"reason": "paid at the counter"}),
            );
            assert_eq!(skipped.json()["status"], "skipped");
            assert_eq!(skipped.json()["status_note"], "paid at the counter");
            let spec = api.get("/openapi.yaml");
            assert!(spec.text().starts_with("openapi: 3.1.0"));
        });
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_creditors_customers_and_actions_answer_not_found() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        let token = blocking(|| {
            first_run(&admin);
            let csrf = admin.get("/admin").csrf();
            admin
                .post("/admin/tokens", &[("csrf", &csrf), ("name", "erp")])
                .element("new-token")
        });
        books(&database).await;
        // A second creditor in the same database, with a customer and a pending approval.
        let other = other_creditor(&database.store).await;
        app::dunning::report_incident(
            &database.store,
            &other,
            clock(),
            "SECRET",
            "menaces au téléphone",
            Language::French,
        )
        .await
        .unwrap();
        let theirs = awaiting_approval(&database.store, &other).await[0].id;
        blocking(|| {
            assert_eq!(admin.get("/customers/SECRET").status, 404);
            assert_eq!(admin.get("/customers?q=secret").element("total"), "0");
            assert_eq!(
                admin.get(&format!("/actions/{theirs}/letter.pdf")).status,
                404
            );
            let csrf = admin.get("/actions").csrf();
            let approve = admin.post(&format!("/actions/{theirs}/approve"), &[("csrf", &csrf)]);
            assert_eq!(approve.status, 404);
            assert!(!approve.text().contains("Client Secret"));
            let api = Api::new(&server, &token);
            assert_eq!(api.get("/customers/SECRET").status, 404);
            assert_eq!(api.get("/customers/SECRET/invoices").status, 404);
            assert_eq!(api.get("/customers?q=secret").json()["total"], 0);
            assert_eq!(
                api.post(
                    &format!("/actions/{theirs}/approve"),
                    "application/json",
                    b""
                )
                .status,
                404
            );
            let promise = api.post_json(
                "/customers/SECRET/promises",
                serde_json::json!({"amount": "1.00", "due_on": "2026-12-01"}),
            );
            assert_eq!(promise.status, 404);
        });
        let still = awaiting_approval(&database.store, &other).await;
        assert!(still.iter().any(|action| action.id == theirs));
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_passwords_lock_the_login_of_that_email_for_a_while() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        blocking(|| {
            first_run(&Browser::new(&server));
            let browser = Browser::new(&server);
            for _ in 0..5 {
                assert_eq!(browser.login(ADMIN, "guess-guess").status, 401);
            }
            let locked = browser.login(ADMIN, ADMIN_PASSWORD);
            assert_eq!(locked.status, 429, "even the right password waits");
            assert!(
                locked.text().contains("Réessayez dans 15 min."),
                "{}",
                locked.text()
            );
            assert!(!browser.has_cookie("relance_session"));
        });
    });
}
