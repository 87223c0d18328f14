//! Payment plans from the customer file, over HTTP: a collector drafts a schedule, sees the
//! limits, proposes it, prints the agreement and records the signed copy; beyond the limits
//! only a manager may; another creditor's plans answer not found.

use crate::harness::{Browser, blocking, start};
use crate::{add_user, books, clock, first_run};
use test_support::on_every_backend;

/// The form's fields for `count` monthly installments from 20 December.
fn installments<'a>(csrf: &'a str, count: &'a str, action: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("do", action),
        ("split", "installments"),
        ("installments", count),
        ("first", "2026-12-20"),
        ("every", "1m"),
        ("down_payment", ""),
    ]
}

/// The plan's number in a `/customers/REF/plan/ID` address.
fn plan_id(location: Option<&str>) -> i64 {
    location
        .and_then(|location| location.rsplit('/').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not a plan's page: {location:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_proposes_a_plan_within_the_limits_prints_it_and_records_the_signed_copy() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            add_user(&admin, "colin@atelier.example", "collector");
        });
        let tenant = books(&database).await;
        let id = blocking(|| {
            let collector = Browser::new(&server);
            collector.login("colin@atelier.example", "un-mot-de-passe");
            let file = collector.get("/customers/CALL");
            assert!(file.text().contains("href=\"/customers/CALL/plan\""));
            let form = collector.get("/customers/CALL/plan");
            assert_eq!(form.status, 200, "{}", form.text());
            let csrf = form.csrf();

            let preview =
                collector.post("/customers/CALL/plan", &installments(&csrf, "3", "preview"));
            assert_eq!(preview.status, 200, "{}", preview.text());
            // 750.00 overdue, with the two 40 EUR indemnities and the interest accrued to date.
            assert_eq!(preview.element("plan-covered"), "835,49\u{a0}€");
            assert_eq!(preview.element("plan-charges"), "85,49\u{a0}€");
            assert!(preview.element("plan-limits").contains("Dans les limites"));
            assert!(preview.text().contains("value=\"propose\""));
            assert!(
                app_plans_none(&database.store, &tenant),
                "a preview records nothing"
            );

            let bad = collector.post(
                "/customers/CALL/plan",
                &installments(&csrf, "trois", "preview"),
            );
            assert_eq!(bad.status, 422);
            let error = bad.element("plan-error");
            assert!(error.contains("Nombre d'échéances"), "{error}");

            let proposed =
                collector.post("/customers/CALL/plan", &installments(&csrf, "3", "propose"));
            assert_eq!(proposed.status, 303, "{}", proposed.text());
            let id = plan_id(proposed.location.as_deref());
            let page = collector.get(&format!("/customers/CALL/plan/{id}"));
            assert_eq!(page.status, 200);
            assert_eq!(page.element("plan-status"), "proposé");
            let pdf = collector.get(&format!("/customers/CALL/plan/{id}/agreement.pdf"));
            assert_eq!(pdf.status, 200);
            assert_eq!(pdf.content_type, "application/pdf");
            assert!(pdf.body.starts_with(b"%PDF"));

            let csrf = page.csrf();
            let without_scan = collector.upload(
                &format!("/customers/CALL/plan/{id}/accept"),
                &[("csrf", &csrf), ("note", "signé en rendez-vous")],
                "scan.pdf",
                b"",
            );
            assert_eq!(without_scan.status, 422, "{}", without_scan.text());
            let accepted = collector.upload(
                &format!("/customers/CALL/plan/{id}/accept"),
                &[("csrf", &csrf), ("note", "signé en rendez-vous")],
                "scan.pdf",
                b"%PDF-1.4 signed scan",
            );
            assert_eq!(accepted.status, 303, "{}", accepted.text());
            let page = collector.get(&format!("/customers/CALL/plan/{id}"));
            assert_eq!(page.element("plan-status"), "en cours");
            assert!(page.text().contains("exemplaire signé · scan.pdf"));

            collector.get("/lang/en");
            let english = collector.get(&format!("/customers/CALL/plan/{id}"));
            assert!(english.text().contains("Agreement to sign (PDF)"));
            assert!(english.element("plan-limits").contains("Within the limits"));
            id
        });
        let view = app::plans::show(&database.store, &tenant, clock(), id)
            .await
            .unwrap();
        assert_eq!(view.plan.status, app::PlanStatus::Active);
        assert_eq!(view.plan.proposed_by, "collector");
        let documents = app::plans::documents(&database.store, &tenant, id)
            .await
            .unwrap();
        assert!(
            documents
                .iter()
                .any(|document| document.kind == app::PlanDocumentKind::SignedCopy)
        );
    });
}

fn app_plans_none(store: &app::Store, tenant: &app::TenantRecord) -> bool {
    tokio::runtime::Handle::current().block_on(async {
        app::plans::list(store, tenant, clock(), None, None)
            .await
            .unwrap()
            .is_empty()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_beyond_the_limits_is_proposed_and_accepted_by_a_manager_only() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            add_user(&admin, "colin@atelier.example", "collector");
            add_user(&admin, "maud@atelier.example", "manager");
        });
        let tenant = books(&database).await;
        let id = blocking(|| {
            let collector = Browser::new(&server);
            collector.login("colin@atelier.example", "un-mot-de-passe");
            let csrf = collector.get("/customers/LATE/plan").csrf();
            let preview = collector.post(
                "/customers/LATE/plan",
                &installments(&csrf, "24", "preview"),
            );
            assert_eq!(preview.status, 200, "{}", preview.text());
            assert!(
                preview
                    .element("plan-limits")
                    .contains("seul un responsable"),
                "{}",
                preview.element("plan-limits")
            );
            assert!(
                !preview.text().contains("value=\"propose\""),
                "no button the collector may not use"
            );
            let refused = collector.post(
                "/customers/LATE/plan",
                &installments(&csrf, "24", "propose"),
            );
            assert_eq!(refused.status, 403);

            let manager = Browser::new(&server);
            manager.login("maud@atelier.example", "un-mot-de-passe");
            let csrf = manager.get("/customers/LATE/plan").csrf();
            let proposed = manager.post(
                "/customers/LATE/plan",
                &installments(&csrf, "24", "propose"),
            );
            assert_eq!(proposed.status, 303, "{}", proposed.text());
            let id = plan_id(proposed.location.as_deref());

            let page = collector.get(&format!("/customers/LATE/plan/{id}"));
            assert!(page.text().contains("Seul un responsable peut accepter"));
            let csrf = page.csrf();
            let refused = collector.upload(
                &format!("/customers/LATE/plan/{id}/accept"),
                &[("csrf", &csrf), ("note", "")],
                "scan.pdf",
                b"%PDF-1.4 signed",
            );
            assert_eq!(refused.status, 403);
            let csrf = manager.get(&format!("/customers/LATE/plan/{id}")).csrf();
            let accepted = manager.upload(
                &format!("/customers/LATE/plan/{id}/accept"),
                &[("csrf", &csrf), ("note", "accord de la direction")],
                "scan.pdf",
                b"%PDF-1.4 signed",
            );
            assert_eq!(accepted.status, 303, "{}", accepted.text());
            id
        });
        let view = app::plans::show(&database.store, &tenant, clock(), id)
            .await
            .unwrap();
        assert_eq!(view.plan.status, app::PlanStatus::Active);
        assert_eq!(view.plan.approved_by.as_deref(), Some("manager"));
        assert!(!view.plan.exceeded.is_empty());
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_creditors_plans_answer_not_found() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let mine = books(&database).await;
        let mut profile = mine.profile.clone();
        profile.company_name = "Autre Créancier SAS".into();
        let other_id = app::setup::add_creditor(&database.store, &profile, clock())
            .await
            .unwrap();
        let other = app::setup::select_tenant(&database.store, Some(other_id.0))
            .await
            .unwrap();
        app::import::import_invoices(
            &database.store,
            &other,
            app::import::ImportInput::Bytes {
                name: "other.csv",
                bytes: b"customer_ref,customer_name,invoice_number,issue_date,due_date,amount\nSECRET,Client Secret SA,S-1,2026-01-01,2026-01-31,999.00\nCALL,Homonyme SA,S-2,2026-01-01,2026-01-31,500.00\n",
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
        let theirs = app::plans::propose(
            &database.store,
            &other,
            clock(),
            &app::plans::PlanRequest {
                customer: "CALL",
                invoices: &[],
                split: app::plans::SplitRequest::Installments(2),
                first_on: jiff::civil::date(2026, 12, 20),
                every: "1m",
                down_payment: None,
                waive_charges: true,
                by: "someone else",
            },
        )
        .await
        .unwrap()
        .plan
        .id;
        blocking(|| {
            assert_eq!(admin.get("/customers/SECRET/plan").status, 404);
            for path in [
                format!("/customers/CALL/plan/{theirs}"),
                format!("/customers/CALL/plan/{theirs}/agreement.pdf"),
                format!("/customers/SECRET/plan/{theirs}"),
            ] {
                assert_eq!(admin.get(&path).status, 404, "{path}");
            }
            let csrf = admin.get("/customers/CALL/plan").csrf();
            let accept = admin.upload(
                &format!("/customers/CALL/plan/{theirs}/accept"),
                &[("csrf", &csrf), ("note", "")],
                "scan.pdf",
                b"%PDF-1.4",
            );
            assert_eq!(accept.status, 404);
            let propose = admin.post(
                "/customers/SECRET/plan",
                &installments(&csrf, "3", "propose"),
            );
            assert_eq!(propose.status, 404);
        });
        let view = app::plans::show(&database.store, &other, clock(), theirs)
            .await
            .unwrap();
        assert_eq!(view.plan.status, app::PlanStatus::Proposed, "untouched");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_undoes_a_settlement_from_the_customer_file_with_a_reason() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            add_user(&admin, "colin@atelier.example", "collector");
        });
        let tenant = books(&database).await;
        let settled = app::settlements::record(
            &database.store,
            &tenant,
            clock(),
            &app::settlements::SettlementRequest {
                customer: "CALL",
                invoice: "F-003",
                kind: "write-off",
                amount: None,
                on: jiff::civil::date(2026, 11, 20),
                reason: "liquidation clôturée",
                by: "Claire Martin",
                counterparty: "",
                language: domain::customer::Language::French,
            },
        )
        .await
        .unwrap()
        .record
        .id;
        let path = format!("/customers/CALL/settlements/{settled}/undo");
        blocking(|| {
            let collector = Browser::new(&server);
            collector.login("colin@atelier.example", "un-mot-de-passe");
            let page = collector.get("/customers/CALL");
            assert!(
                !page.text().contains(&path),
                "no undo button for a collector"
            );
            let refused = collector.post(&path, &[("csrf", &page.csrf()), ("reason", "erreur")]);
            assert_eq!(refused.status, 403);

            let page = admin.get("/customers/CALL");
            assert!(page.text().contains(&path));
            let csrf = page.csrf();
            let without = admin.post(&path, &[("csrf", &csrf), ("reason", " ")]);
            assert_eq!(without.status, 422);
            let elsewhere = admin.post(
                &format!("/customers/LATE/settlements/{settled}/undo"),
                &[("csrf", &csrf), ("reason", "erreur")],
            );
            assert_eq!(elsewhere.status, 404, "another customer's address");
            let undone = admin.post(&path, &[("csrf", &csrf), ("reason", "saisi par erreur")]);
            assert_eq!(undone.status, 303, "{}", undone.text());
            let page = admin.get("/customers/CALL");
            assert!(
                page.element(&format!("settlement-{settled}-undone"))
                    .contains("saisi par erreur (Alice Admin)")
            );
        });
        let invoices = database
            .store
            .tenant(tenant.id)
            .invoices(&app::InvoiceFilter::default())
            .await
            .unwrap();
        let f003 = invoices
            .iter()
            .find(|invoice| invoice.number.as_str() == "F-003")
            .unwrap();
        assert_eq!(f003.outstanding.to_decimal_string(), "300.00");
    });
}
