//! The audit log, API tokens, idempotent API writes, and bank statements in the pages, through
//! the real server on loopback, on every backend.

use app::TenantRecord;
use test_support::{TestDatabase, on_every_backend};

use crate::harness::{Api, Browser, blocking, start};
use crate::{add_user, books, clock, first_run, tenant};

pub(crate) const PASSWORD: &str = "un-mot-de-passe";

/// A second creditor in the same database, with its customer SECRET and its own administrator.
pub(crate) async fn other_creditor(
    database: &TestDatabase,
) -> (TenantRecord, app::accounts::Account) {
    let store = &database.store;
    let other = crate::other_creditor(store).await;
    // The other creditor's first account is made as its own administrator would.
    let founder = app::accounts::Account {
        id: 0,
        tenant: other.id,
        email: "founder@autre.example".into(),
        display_name: "Founder".into(),
        role: app::accounts::Role::Admin,
    };
    let admin = app::accounts::create_user(
        store,
        clock(),
        &founder,
        app::accounts::AccountInput {
            email: "admin@autre.example",
            display_name: "Olga Autre",
            password: PASSWORD,
        },
        "admin",
    )
    .await
    .unwrap();
    (other, admin)
}

/// The creditor's audit log, newest first, or one customer's entries.
pub(crate) async fn audit_log(
    database: &TestDatabase,
    tenant: &TenantRecord,
    customer: Option<&str>,
) -> app::audit::AuditPage {
    app::audit::list(
        &database.store,
        tenant,
        None,
        &app::audit::AuditQuery {
            customer: customer.map(str::to_owned),
            limit: 50,
            ..app::audit::AuditQuery::default()
        },
    )
    .await
    .unwrap()
}

pub(crate) fn new_token(admin: &Browser, name: &str) -> String {
    let csrf = admin.get("/admin").csrf();
    let page = admin.post("/admin/tokens", &[("csrf", &csrf), ("name", name)]);
    assert_eq!(page.status, 200, "{}", page.text());
    page.element("new-token")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_and_every_reading_of_a_file_is_in_the_audit_log_for_administrators_only() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        let token = blocking(|| {
            first_run(&admin);
            add_user(&admin, "colin@atelier.example", "collector");
            new_token(&admin, "erp")
        });
        books(&database).await;
        blocking(|| {
            let collector = Browser::new(&server);
            collector.login("colin@atelier.example", PASSWORD);
            let file = collector.get("/customers/CALL");
            assert_eq!(file.status, 200);
            let call = collector.htmx_post(
                "/customers/CALL/calls",
                &[
                    ("csrf", &file.csrf()),
                    ("outcome", "no-answer"),
                    ("note", "messagerie"),
                ],
            );
            assert_eq!(call.status, 200, "{}", call.text());
            // A refused request changed nothing and is not a change in the log.
            assert_eq!(collector.get("/customers/NOPE").status, 404);
            let api = Api::new(&server, &token);
            assert_eq!(api.get("/customers/LATE").status, 200);
            // The customers list reads no file.
            collector.get("/customers");

            let refused = collector.get("/admin/audit");
            assert_eq!(refused.status, 403, "the log is the administrators'");

            let log = admin.get("/admin/audit");
            assert_eq!(log.status, 200, "{}", log.text());
            let text = log.text();
            assert!(text.contains("Journal d'audit"));
            assert!(text.contains("consultation du dossier"), "{text}");
            assert!(text.contains("appel enregistré"));
            assert!(text.contains("colin@atelier.example"));
            assert!(text.contains("127.0.0.1"), "the address it came from");
            assert!(text.contains("jeton d'API créé"));
            assert!(!text.contains("NOPE"));

            let call_only = admin.get("/admin/audit?customer=CALL");
            assert_eq!(call_only.element("total"), "2", "{}", call_only.text());
            let by_api = admin.get("/admin/audit?customer=LATE");
            assert_eq!(by_api.element("total"), "1");
            assert!(by_api.text().contains(">API<"));
            let by_user = admin.get("/admin/audit?user=COLIN@atelier.example");
            assert_eq!(by_user.element("total"), "2");
            let by_name = admin.get("/admin/audit?user=alice%20admin");
            assert_eq!(
                by_name.element("total"),
                "3",
                "the token made, the collector added, the API's reading: {}",
                by_name.text()
            );
            assert_eq!(
                admin.get("/admin/audit?from=2026-11-21").element("total"),
                "0",
                "nothing happened after today"
            );
            assert_eq!(
                admin
                    .get("/admin/audit?from=2026-11-20&to=2026-11-20")
                    .element("total"),
                "5"
            );
            let bad_date = admin.get("/admin/audit?from=hier");
            assert_eq!(bad_date.status, 422);
            assert!(bad_date.text().contains("Du"), "names the field");
            admin.get("/lang/en");
            assert!(admin.get("/admin/audit").text().contains("call recorded"));
        });
        let tenant = tenant(&database.store).await;
        let page = audit_log(&database, &tenant, Some("CALL")).await;
        let newest = &page.entries[0];
        assert_eq!(newest.action, "POST /customers/{reference}/calls");
        assert_eq!((newest.via.as_str(), newest.status), ("web", Some(200)));
        assert_eq!(newest.actor_name.as_deref(), Some("collector"));
        assert_eq!(page.entries[1].action, "GET /customers/{reference}");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_can_be_neither_changed_nor_erased() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        books(&database).await;
        blocking(|| assert_eq!(admin.get("/customers/LATE").status, 200));
        let update = "UPDATE audit_log SET actor = 'nobody'";
        let refused = database.execute_raw(update, update).await;
        assert!(
            refused
                .as_ref()
                .is_err_and(|error| error.contains("append-only")),
            "{refused:?}"
        );
        let delete = "DELETE FROM audit_log";
        assert!(database.execute_raw(delete, delete).await.is_err());
        let tenant = tenant(&database.store).await;
        let page = audit_log(&database, &tenant, None).await;
        assert_eq!(page.total, 1);
        assert_eq!(page.entries[0].actor, "admin@atelier.example");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_reads_only_their_own_creditors_audit_log() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        books(&database).await;
        let (_, other_admin) = other_creditor(&database).await;
        blocking(|| {
            let olga = Browser::new(&server);
            assert_eq!(olga.login(&other_admin.email, PASSWORD).status, 303);
            assert_eq!(olga.get("/customers/SECRET").status, 200);
            assert_eq!(admin.get("/customers/LATE").status, 200);
            let ours = admin.get("/admin/audit");
            assert_eq!(ours.element("total"), "1");
            assert!(!ours.text().contains("SECRET"));
            assert!(!ours.text().contains("autre.example"));
            let filtered = admin.get("/admin/audit?customer=SECRET");
            assert_eq!(filtered.element("total"), "0");
            let theirs = olga.get("/admin/audit");
            assert_eq!(theirs.element("total"), "1");
            assert!(theirs.text().contains("SECRET"));
            assert!(!theirs.text().contains("LATE"));
        });
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_lists_and_revokes_tokens_and_a_revoked_token_is_refused_at_once() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        let (erp, script) = blocking(|| {
            first_run(&admin);
            add_user(&admin, "maud@atelier.example", "manager");
            (new_token(&admin, "erp"), new_token(&admin, "script"))
        });
        let tenant = books(&database).await;
        let (_, other_admin) = other_creditor(&database).await;
        let other_token =
            app::accounts::create_api_token(&database.store, clock(), &other_admin, "theirs")
                .await
                .unwrap();
        blocking(|| {
            let page = admin.get("/admin");
            let text = page.text();
            assert!(text.contains("erp") && text.contains("script"), "{text}");
            assert!(!text.contains(&erp), "a secret is shown once, when made");
            let erp_api = Api::new(&server, &erp);
            assert_eq!(erp_api.get("/customers").status, 200);
            let listed = erp_api.get("/tokens");
            assert_eq!(listed.status, 200, "{}", listed.text());
            let tokens = listed.json()["tokens"].as_array().unwrap().clone();
            assert_eq!(tokens.len(), 2);
            assert!(
                !listed.text().contains("rl_"),
                "no secret, not even hashed, leaves the server"
            );
            let script_id = tokens.iter().find(|t| t["name"] == "script").unwrap()["id"]
                .as_i64()
                .unwrap();
            let erp_id = tokens.iter().find(|t| t["name"] == "erp").unwrap()["id"]
                .as_i64()
                .unwrap();

            // A manager may not see or revoke tokens, in the pages or the API.
            let maud = Browser::new(&server);
            maud.login("maud@atelier.example", PASSWORD);
            let csrf = maud.get("/").csrf();
            let refused = maud.post(
                &format!("/admin/tokens/{script_id}/revoke"),
                &[("csrf", &csrf)],
            );
            assert_eq!(refused.status, 403);

            // Revoked from the page with htmx: the row says so, and the token is refused.
            let csrf = page.csrf();
            let row = admin.htmx_post(
                &format!("/admin/tokens/{script_id}/revoke"),
                &[("csrf", &csrf)],
            );
            assert_eq!(row.status, 200, "{}", row.text());
            assert!(
                row.text()
                    .starts_with(&format!("<tr id=\"token-{script_id}\""))
            );
            assert!(row.text().contains("révoqué le"));
            let script_api = Api::new(&server, &script);
            assert_eq!(script_api.get("/customers").status, 401);
            let again = admin.post(
                &format!("/admin/tokens/{script_id}/revoke"),
                &[("csrf", &csrf)],
            );
            assert_eq!(again.status, 303, "revoking twice changes nothing");

            // Another creditor's administrator knows nothing of these tokens.
            let olga = Browser::new(&server);
            olga.login(&other_admin.email, PASSWORD);
            let theirs = olga.get("/admin");
            assert!(!theirs.text().contains("erp"));
            let csrf = theirs.csrf();
            let crossed = olga.post(
                &format!("/admin/tokens/{erp_id}/revoke"),
                &[("csrf", &csrf)],
            );
            assert_eq!(crossed.status, 404);
            assert_eq!(erp_api.get("/customers").status, 200, "still valid");

            // Another creditor's token knows nothing of these tokens either.
            let theirs = Api::new(&server, &other_token);
            assert_eq!(theirs.delete(&format!("/tokens/{erp_id}")).status, 404);
            let listed = theirs.get("/tokens");
            assert_eq!(listed.json()["tokens"].as_array().unwrap().len(), 1);
            assert!(!listed.text().contains("\"erp\""));
            assert_eq!(erp_api.get("/customers").status, 200, "still valid");

            // Through the API a token may revoke itself; the next request is refused.
            let gone = erp_api.delete(&format!("/tokens/{erp_id}"));
            assert_eq!(gone.status, 204, "{}", gone.text());
            assert_eq!(erp_api.get("/customers").status, 401);
        });
        let log = audit_log(&database, &tenant, None).await;
        let revocations: Vec<&str> = log
            .entries
            .iter()
            .filter(|entry| entry.action.contains("revoke") || entry.action.starts_with("DELETE"))
            .map(|entry| entry.record.as_deref().unwrap_or_default())
            .collect();
        assert_eq!(revocations.len(), 3, "{revocations:?}");
        assert!(
            revocations
                .iter()
                .all(|record| record.starts_with("token "))
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_write_sent_again_with_its_idempotency_key_is_answered_again_and_done_once() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        let (token, second) = blocking(|| {
            first_run(&admin);
            (new_token(&admin, "erp"), new_token(&admin, "other program"))
        });
        let tenant = books(&database).await;
        let promises = |file: &app::CustomerFile| file.promises.len();
        let before = app::dunning::customer_file(&database.store, &tenant, "CALL")
            .await
            .unwrap()
            .0;
        let promise = serde_json::json!({"amount": "450.00", "due_on": "2026-12-10"});
        blocking(|| {
            let api = Api::new(&server, &token);
            let first = api.send_with_key(
                "POST",
                "/customers/CALL/promises",
                "order-7",
                Some(promise.clone()),
            );
            assert_eq!(first.status, 201, "{}", first.text());
            assert_eq!(first.header("idempotent-replayed"), None);
            let again = api.send_with_key(
                "POST",
                "/customers/CALL/promises",
                "order-7",
                Some(promise.clone()),
            );
            assert_eq!(again.status, 201);
            assert_eq!(again.header("idempotent-replayed"), Some("true"));
            assert_eq!(again.json(), first.json(), "the first answer, the same id");
            assert!(again.content_type.starts_with("application/json"));

            let changed = api.send_with_key(
                "POST",
                "/customers/CALL/promises",
                "order-7",
                Some(serde_json::json!({"amount": "1.00", "due_on": "2026-12-10"})),
            );
            assert_eq!(changed.status, 422);
            assert!(
                changed.json()["error"]
                    .as_str()
                    .unwrap()
                    .contains("Idempotency-Key")
            );
            let elsewhere = api.send_with_key(
                "POST",
                "/customers/LATE/promises",
                "order-7",
                Some(promise.clone()),
            );
            assert_eq!(
                elsewhere.status, 422,
                "a key names one request, path included"
            );

            // Keys are per token: another program's same key is its own.
            let other = Api::new(&server, &second);
            let theirs = other.send_with_key(
                "POST",
                "/customers/CALL/promises",
                "order-7",
                Some(promise.clone()),
            );
            assert_eq!(theirs.status, 201);
            assert_eq!(theirs.header("idempotent-replayed"), None);

            // A refusal is an answer too, and is given again.
            let past = serde_json::json!({"amount": "10.00", "due_on": "2026-01-01"});
            let refused = api.send_with_key(
                "POST",
                "/customers/CALL/promises",
                "late-1",
                Some(past.clone()),
            );
            assert_eq!(refused.status, 422);
            let refused_again =
                api.send_with_key("POST", "/customers/CALL/promises", "late-1", Some(past));
            assert_eq!(refused_again.status, 422);
            assert_eq!(refused_again.header("idempotent-replayed"), Some("true"));

            let too_long = api.send_with_key(
                "POST",
                "/customers/CALL/promises",
                &"k".repeat(256),
                Some(promise.clone()),
            );
            assert_eq!(too_long.status, 400);
            assert!(
                too_long.json()["error"]
                    .as_str()
                    .unwrap()
                    .contains("Idempotency-Key")
            );
            // Without a key, a write is done each time it is sent.
            assert_eq!(
                api.post_json("/customers/CALL/promises", promise.clone())
                    .status,
                201
            );
        });
        let after = app::dunning::customer_file(&database.store, &tenant, "CALL")
            .await
            .unwrap()
            .0;
        assert_eq!(
            promises(&after),
            promises(&before) + 3,
            "order-7 once per token, and the one without a key"
        );
        let log = audit_log(&database, &tenant, Some("CALL")).await;
        assert_eq!(
            log.total, 3,
            "a replay changes nothing and is no change in the log"
        );

        // A key lasts a day: then the same request is served anew.
        let caller = app::accounts::api_caller(&database.store, &token)
            .await
            .unwrap()
            .unwrap();
        let hash = app::idempotency::fingerprint(
            "POST",
            "/api/v1/customers/CALL/promises",
            promise.to_string().as_bytes(),
        );
        let within = app::clock::Clock::Fixed(
            test_support::fixed_now() + jiff::SignedDuration::from_hours(23),
        );
        assert!(matches!(
            app::idempotency::claim(&database.store, within, &caller, "order-7", &hash)
                .await
                .unwrap(),
            app::idempotency::Claim::Replay(_)
        ));
        let later = app::clock::Clock::Fixed(
            test_support::fixed_now()
                + jiff::SignedDuration::from_hours(app::idempotency::KEY_HOURS),
        );
        assert_eq!(
            app::idempotency::claim(&database.store, later, &caller, "order-7", &hash)
                .await
                .unwrap(),
            app::idempotency::Claim::Serve
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_write_takes_an_idempotency_key_and_the_openapi_document_says_so() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        let token = blocking(|| {
            first_run(&admin);
            new_token(&admin, "erp")
        });
        let tenant = books(&database).await;
        let waiting = app::dunning::list_actions(
            &database.store,
            &tenant,
            None,
            None,
            Some("awaiting_approval"),
        )
        .await
        .unwrap();
        let id = waiting[0].id;
        blocking(|| {
            let api = Api::new(&server, &token);
            let approve = format!("/actions/{id}/approve");
            let first = api.send_with_key("POST", &approve, "approve-1", None);
            assert_eq!(first.status, 200, "{}", first.text());
            let again = api.send_with_key("POST", &approve, "approve-1", None);
            assert_eq!(again.status, 200, "not 'no longer awaiting approval'");
            assert_eq!(again.json(), first.json());
            let skip = format!("/actions/{id}/skip");
            let reason = serde_json::json!({"reason": "paid at the counter"});
            assert_eq!(
                api.send_with_key("POST", &skip, "skip-1", Some(reason.clone()))
                    .status,
                200
            );
            assert_eq!(
                api.send_with_key("POST", &skip, "skip-1", Some(reason))
                    .header("idempotent-replayed"),
                Some("true")
            );
            let listed = api.get("/tokens").json();
            let own = listed["tokens"][0]["id"].as_i64().unwrap();
            let spare = new_token(&admin, "spare");
            let spare_id = Api::new(&server, &spare).get("/tokens").json()["tokens"][0]["id"]
                .as_i64()
                .unwrap();
            assert_ne!(own, spare_id);
            let gone = api.send_with_key(
                "DELETE",
                &format!("/tokens/{spare_id}"),
                "revoke-spare",
                None,
            );
            assert_eq!(gone.status, 204);
            let gone_again = api.send_with_key(
                "DELETE",
                &format!("/tokens/{spare_id}"),
                "revoke-spare",
                None,
            );
            assert_eq!(gone_again.status, 204);
            assert_eq!(gone_again.header("idempotent-replayed"), Some("true"));

            let spec = Browser::new(&server).get("/api/openapi.json");
            assert_eq!(spec.status, 200);
            assert!(spec.content_type.starts_with("application/json"));
            let spec = spec.json();
            assert_eq!(spec["openapi"], "3.1.0");
            let mut writes = 0;
            for (path, operations) in spec["paths"].as_object().unwrap() {
                for (method, operation) in operations.as_object().unwrap() {
                    if !["post", "put", "patch", "delete"].contains(&method.as_str()) {
                        continue;
                    }
                    writes += 1;
                    let parameters = operation["parameters"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    assert!(
                        parameters
                            .iter()
                            .any(|p| p["$ref"] == "#/components/parameters/IdempotencyKey"),
                        "{method} {path} documents no Idempotency-Key"
                    );
                    assert!(
                        operation["responses"]["409"].is_object(),
                        "{method} {path}: 409"
                    );
                }
            }
            assert!(writes >= 5, "{writes}");
        });
    });
}

/// A French bank export: a transfer citing F-002, two credits nothing explains, and bank fees.
pub(crate) const BANK_CSV: &str = "Date;Libellé;Montant\n\
20/11/2026;VIR MARTIN SERVICES FACTURE F-002;450,00\n\
20/11/2026;VIREMENT RECU REF 99812;123,45\n\
20/11/2026;VIR SEPA INCONNU;77,00\n\
20/11/2026;FRAIS TENUE DE COMPTE;-25,00\n";

/// A statement in the usual French CSV layout, imported for `creditor` as `relance import bank
/// FILE --format csv` does.
pub(crate) async fn import_french_csv(
    database: &TestDatabase,
    creditor: &TenantRecord,
    file: &str,
) {
    app::payments::import_bank(
        &database.store,
        creditor,
        clock(),
        file.as_bytes(),
        "releve.csv",
        Some(app::payments::BankFormat::Csv),
        Some(&app::payments::french_csv_mapping()),
        domain::customer::Language::French,
    )
    .await
    .unwrap();
}

pub(crate) async fn waiting_line(
    database: &TestDatabase,
    tenant: &TenantRecord,
    amount: &str,
) -> i64 {
    app::payments::review_queue(&database.store, tenant)
        .await
        .unwrap()
        .into_iter()
        .find(|item| item.line.amount.to_decimal_string() == amount)
        .unwrap_or_else(|| panic!("no line of {amount} waits for review"))
        .line
        .id
}

pub(crate) async fn owed(
    database: &TestDatabase,
    tenant: &TenantRecord,
    customer: &str,
    number: &str,
) -> String {
    let (_, invoices) = app::dunning::customer_file(&database.store, tenant, customer)
        .await
        .unwrap();
    invoices
        .iter()
        .find(|invoice| invoice.number.as_str() == number)
        .unwrap()
        .outstanding
        .to_decimal_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bank_file_uploaded_is_imported_once_whole_or_refused_whole_with_its_lines() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            add_user(&admin, "colin@atelier.example", "collector");
            add_user(&admin, "vera@atelier.example", "viewer");
        });
        let tenant = books(&database).await;
        blocking(|| {
            let colin = Browser::new(&server);
            colin.login("colin@atelier.example", PASSWORD);
            let page = colin.get("/bank");
            assert_eq!(page.status, 200, "{}", page.text());
            assert!(page.text().contains("Relevés bancaires"));
            let csrf = page.csrf();
            let report = colin.upload(
                "/bank/import",
                &[("csrf", &csrf), ("format", "csv")],
                "releve.csv",
                BANK_CSV.as_bytes(),
            );
            assert_eq!(report.status, 200, "{}", report.text());
            assert_eq!(report.element("lines-read"), "4");
            assert_eq!(report.element("lines-created"), "4");
            assert_eq!(report.element("lines-duplicates"), "0");
            let queued: u32 = report.element("lines-queued").parse().unwrap();
            assert!(queued >= 2, "the two unexplained credits wait: {queued}");
            assert!(
                report.text().contains("VIREMENT RECU REF 99812"),
                "the queue is on the page"
            );
            assert_eq!(
                colin.get("/bank").element("queue-count"),
                queued.to_string()
            );

            let again = colin.upload(
                "/bank/import",
                &[("csrf", &csrf), ("format", "csv")],
                "releve.csv",
                BANK_CSV.as_bytes(),
            );
            assert_eq!(again.element("lines-created"), "0");
            assert_eq!(again.element("lines-duplicates"), "4");

            let bad = "Date;Libellé;Montant\n20/11/2026;VIR A;10,00\n31/02/2026;VIR B;douze\n";
            let refused = colin.upload(
                "/bank/import",
                &[("csrf", &csrf), ("format", "csv")],
                "bad.csv",
                bad.as_bytes(),
            );
            assert_eq!(refused.status, 422, "{}", refused.text());
            assert!(
                refused.text().contains("<td class=\"num\">3</td>"),
                "{}",
                refused.text()
            );
            assert!(refused.text().contains("rien n'a été importé"));

            let forged = colin.upload(
                "/bank/import",
                &[("csrf", "nope")],
                "releve.csv",
                BANK_CSV.as_bytes(),
            );
            assert_eq!(forged.status, 403);
            let vera = Browser::new(&server);
            vera.login("vera@atelier.example", PASSWORD);
            let viewer_page = vera.get("/bank");
            assert_eq!(viewer_page.status, 200);
            assert!(
                !viewer_page.text().contains("action=\"/bank/import\""),
                "no upload form for a viewer"
            );
            let csrf = viewer_page.csrf();
            let not_allowed = vera.upload(
                "/bank/import",
                &[("csrf", &csrf), ("format", "csv")],
                "autre.csv",
                b"Date;Libell\xc3\xa9;Montant\n20/11/2026;VIR C;5,00\n",
            );
            assert_eq!(not_allowed.status, 403);
        });
        let lines = app::payments::bank_lines(&database.store, &tenant)
            .await
            .unwrap();
        assert_eq!(
            lines.len(),
            4,
            "the refused and the forbidden files wrote nothing"
        );
        // A page of the queue at a time: the pages, in turn, are the whole queue in its order.
        let whole: Vec<i64> = app::payments::review_queue(&database.store, &tenant)
            .await
            .unwrap()
            .iter()
            .map(|item| item.line.id)
            .collect();
        assert!(whole.len() >= 2);
        let mut paged = Vec::new();
        for offset in 0..whole.len() as u32 {
            let (total, page) =
                app::payments::review_queue_page(&database.store, &tenant, offset, 1)
                    .await
                    .unwrap();
            assert_eq!(total, whole.len() as i64);
            paged.extend(page.iter().map(|item| item.line.id));
        }
        assert_eq!(paged, whole);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_matches_a_bank_line_by_hand_undoes_it_and_sets_another_aside() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            add_user(&admin, "colin@atelier.example", "collector");
            add_user(&admin, "vera@atelier.example", "viewer");
        });
        let tenant = books(&database).await;
        import_french_csv(&database, &tenant, BANK_CSV).await;
        let unexplained = waiting_line(&database, &tenant, "123.45").await;
        let unknown = waiting_line(&database, &tenant, "77.00").await;
        blocking(|| {
            let colin = Browser::new(&server);
            colin.login("colin@atelier.example", PASSWORD);
            let line = colin.get(&format!("/bank-lines/{unexplained}"));
            assert_eq!(line.status, 200, "{}", line.text());
            assert!(line.text().contains("VIREMENT RECU REF 99812"));
            let csrf = line.csrf();
            let none = colin.htmx_post(
                &format!("/bank-lines/{unexplained}/match"),
                &[("csrf", &csrf)],
            );
            assert_eq!(none.status, 200, "htmx shows the problem in the row");
            assert!(none.text().contains("class=\"error\""), "{}", none.text());
            assert!(
                none.text().contains("indiquez au moins une facture"),
                "{}",
                none.text()
            );
            let matched = colin.htmx_post(
                &format!("/bank-lines/{unexplained}/match"),
                &[("csrf", &csrf), ("invoices", "F-003")],
            );
            assert_eq!(matched.status, 200, "{}", matched.text());
            assert!(
                matched
                    .text()
                    .starts_with(&format!("<tr id=\"bank-line-{unexplained}\""))
            );
            assert!(
                matched.text().contains("rapproché à la main"),
                "{}",
                matched.text()
            );
            assert!(matched.text().contains("Défaire"));
        });
        assert_eq!(owed(&database, &tenant, "CALL", "F-003").await, "176.55");
        blocking(|| {
            let colin = Browser::new(&server);
            colin.login("colin@atelier.example", PASSWORD);
            let csrf = colin.get("/bank").csrf();
            let undone = colin.htmx_post(
                &format!("/bank-lines/{unexplained}/unmatch"),
                &[("csrf", &csrf)],
            );
            assert_eq!(undone.status, 200, "{}", undone.text());
            assert!(
                undone.text().contains("Rapprocher à la main"),
                "it waits again"
            );
            let aside =
                colin.htmx_post(&format!("/bank-lines/{unknown}/ignore"), &[("csrf", &csrf)]);
            assert_eq!(aside.status, 200);
            assert!(aside.text().contains("mis de côté"));
            // Without htmx, the browser goes back to the page.
            let plain = colin.post(
                &format!("/bank-lines/{unexplained}/match"),
                &[("csrf", &csrf), ("invoice", "F-003")],
            );
            assert_eq!(plain.status, 303);
            assert_eq!(plain.location.as_deref(), Some("/bank"));

            let vera = Browser::new(&server);
            vera.login("vera@atelier.example", PASSWORD);
            let csrf = vera.get("/bank").csrf();
            let refused = vera.post(
                &format!("/bank-lines/{unexplained}/unmatch"),
                &[("csrf", &csrf)],
            );
            assert_eq!(refused.status, 403, "a viewer changes nothing");
        });
        assert_eq!(owed(&database, &tenant, "CALL", "F-003").await, "176.55");
        let after = app::payments::line(&database.store, &tenant, unknown)
            .await
            .unwrap();
        assert_eq!(after.line.state, "ignored");
        let log = audit_log(&database, &tenant, None).await;
        let on_line: Vec<&str> = log
            .entries
            .iter()
            .filter(|entry| entry.record.as_deref() == Some(&format!("bank-line {unexplained}")))
            .map(|entry| entry.action.as_str())
            .collect();
        assert_eq!(
            on_line,
            [
                "POST /bank-lines/{id}/match",
                "POST /bank-lines/{id}/unmatch",
                "POST /bank-lines/{id}/match",
            ],
            "newest first; the refused attempts changed nothing"
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_creditors_bank_lines_and_invoices_answer_not_found() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = books(&database).await;
        let (other, _) = other_creditor(&database).await;
        for (creditor, file) in [
            (
                &other,
                "Date;Libellé;Montant\n20/11/2026;VIR CLIENT SECRET SA;999,00\n20/11/2026;VIR MYSTERE;1,00\n",
            ),
            (&tenant, BANK_CSV),
        ] {
            import_french_csv(&database, creditor, file).await;
        }
        let theirs = waiting_line(&database, &other, "1.00").await;
        let ours = waiting_line(&database, &tenant, "77.00").await;
        blocking(|| {
            let page = admin.get("/bank");
            assert!(
                !page.text().contains("MYSTERE"),
                "another creditor's lines are not listed"
            );
            assert!(!page.text().contains("SECRET"));
            let csrf = page.csrf();
            assert_eq!(admin.get(&format!("/bank-lines/{theirs}")).status, 404);
            for action in ["match", "unmatch", "ignore"] {
                let answer = admin.htmx_post(
                    &format!("/bank-lines/{theirs}/{action}"),
                    &[("csrf", &csrf), ("invoices", "F-002")],
                );
                assert_eq!(answer.status, 404, "{action}");
                assert!(!answer.text().contains("MYSTERE"));
            }
            let their_invoice = admin.htmx_post(
                &format!("/bank-lines/{ours}/match"),
                &[("csrf", &csrf), ("invoices", "S-1")],
            );
            assert_eq!(their_invoice.status, 404);
            assert!(!their_invoice.text().contains("Secret"));
        });
        let still = app::payments::line(&database.store, &other, theirs)
            .await
            .unwrap();
        assert_eq!(still.line.state, "unmatched");
        assert_eq!(owed(&database, &other, "SECRET", "S-1").await, "999.00");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_from_the_application_are_said_in_the_pages_language() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        books(&database).await;
        blocking(|| {
            // A call recorded without its reason, through htmx and without.
            let csrf = admin.get("/customers/CALL").csrf();
            let call = [
                ("csrf", csrf.as_str()),
                ("outcome", "reached"),
                ("note", ""),
            ];
            let fragment = admin.htmx_post("/customers/CALL/calls", &call);
            assert!(
                fragment
                    .text()
                    .contains("le débiteur a été joint : dites pourquoi il est en retard"),
                "{}",
                fragment.text()
            );
            let page = admin.post("/customers/CALL/calls", &call);
            assert_eq!(page.status, 422);
            assert!(
                page.text().contains("dites pourquoi il est en retard"),
                "{}",
                page.text()
            );
            let past = admin.post(
                "/customers/CALL/calls",
                &[
                    ("csrf", csrf.as_str()),
                    ("outcome", "reached"),
                    ("reason", "cash-flow"),
                    ("promise_on", "2026-01-05"),
                    ("promise_amount", "10.00"),
                ],
            );
            assert!(
                past.text()
                    .contains("la date promise 2026-01-05 est déjà passée"),
                "{}",
                past.text()
            );
            // An account refused.
            let csrf = admin.get("/admin").csrf();
            let weak = admin.post(
                "/admin/users",
                &[
                    ("csrf", csrf.as_str()),
                    ("display_name", "Paul"),
                    ("email", "paul@atelier.example"),
                    ("password", "court"),
                    ("role", "viewer"),
                ],
            );
            assert_eq!(weak.status, 422);
            assert!(
                weak.text()
                    .contains("un mot de passe compte au moins 10 caractères"),
                "{}",
                weak.text()
            );

            admin.get("/lang/en");
            let english = admin.htmx_post("/customers/CALL/calls", &call);
            assert!(
                english
                    .text()
                    .contains("the debtor was reached: say why they are late")
            );
            let csrf = admin.get("/admin").csrf();
            let weak = admin.post(
                "/admin/users",
                &[
                    ("csrf", csrf.as_str()),
                    ("display_name", "Paul"),
                    ("email", "paul@atelier.example"),
                    ("password", "court"),
                    ("role", "viewer"),
                ],
            );
            assert!(
                weak.text()
                    .contains("a password needs at least 10 characters")
            );
        });
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_whose_account_is_no_longer_an_administrator_cannot_list_or_revoke_tokens() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        let token = blocking(|| {
            first_run(&admin);
            add_user(&admin, "maud@atelier.example", "admin");
            let maud = Browser::new(&server);
            maud.login("maud@atelier.example", PASSWORD);
            new_token(&maud, "maud's script")
        });
        // The role held at this creditor is the membership's.
        let demote = "UPDATE memberships SET role = 'manager' \
             WHERE user_id = (SELECT id FROM users WHERE email = 'maud@atelier.example')";
        database.execute_raw(demote, demote).await.unwrap();
        blocking(|| {
            let api = Api::new(&server, &token);
            assert_eq!(api.get("/customers").status, 200, "a manager reads");
            let list = api.get("/tokens");
            assert_eq!(list.status, 403);
            assert!(list.json()["error"].as_str().unwrap().contains("admin"));
            let listed = admin.get("/admin").text();
            let id_at = listed.find("<tr id=\"token-").unwrap() + "<tr id=\"token-".len();
            let id: String = listed[id_at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            assert_eq!(api.delete(&format!("/tokens/{id}")).status, 403);
            assert_eq!(api.get("/customers").status, 200, "not revoked");
        });
    });
}
