//! The API's payments, disputes, bank statements, CSV mappings and payment settings, and the
//! payment settings pages, through the real server on loopback, on every backend.

use serde_json::json;
use test_support::{TestDatabase, on_every_backend};

use crate::harness::{Api, Browser, Server, blocking, start};
use crate::operations::{
    BANK_CSV, PASSWORD, audit_log, import_french_csv, new_token, owed, waiting_line,
};
use crate::{add_user, books, clock, first_run};

/// A token acting with `role`: made by an administrator account that is then given the role
/// (tokens are made by administrators; they act with their account's role as it is now).
async fn token_with_role(
    database: &TestDatabase,
    server: &Server,
    admin: &Browser,
    email: &str,
    role: &str,
) -> String {
    let token = blocking(|| {
        add_user(admin, email, "admin");
        let person = Browser::new(server);
        person.login(email, PASSWORD);
        new_token(&person, role)
    });
    // The role held at the creditor (the account was made an administrator to make a token).
    let change = format!(
        "UPDATE memberships SET role = '{role}' WHERE user_id = (SELECT id FROM users WHERE email = '{email}')"
    );
    database.execute_raw(&change, &change).await.unwrap();
    token
}

/// A viewer's, a collector's and a manager's.
struct Tokens {
    viewer: String,
    collector: String,
    manager: String,
}

async fn setup(database: &TestDatabase, server: &Server) -> (Tokens, app::TenantRecord) {
    let admin = Browser::new(server);
    blocking(|| first_run(&admin));
    let viewer = token_with_role(database, server, &admin, "vera@atelier.example", "viewer").await;
    let collector = token_with_role(
        database,
        server,
        &admin,
        "colin@atelier.example",
        "collector",
    )
    .await;
    let manager =
        token_with_role(database, server, &admin, "maud@atelier.example", "manager").await;
    let tenant = books(database).await;
    (
        Tokens {
            viewer,
            collector,
            manager,
        },
        tenant,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_recorded_through_the_api_pays_the_invoices_named_and_is_recorded_once() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let (tokens, tenant) = setup(&database, &server).await;
        crate::other_creditor(&database.store).await;
        let payment = json!({
            "customer": "CALL", "amount": "500.00", "received_on": "2026-11-20",
            "invoices": ["F-002", "F-003"], "reference": "CHQ 1234",
        });
        blocking(|| {
            let viewer = Api::new(&server, &tokens.viewer);
            let refused = viewer.post_json("/payments", payment.clone());
            assert_eq!(refused.status, 403, "{}", refused.text());
            assert!(
                refused.json()["error"]
                    .as_str()
                    .unwrap()
                    .contains("collector")
            );

            let api = Api::new(&server, &tokens.collector);
            let first =
                api.send_with_key("POST", "/payments", "cheque-1234", Some(payment.clone()));
            assert_eq!(first.status, 201, "{}", first.text());
            let body = first.json();
            assert_eq!(body["allocated"]["amount"], "500.00");
            assert_eq!(body["credit"]["amount"], "0.00");
            assert_eq!(body["allocations"][0]["invoice"], "F-002");
            assert_eq!(body["allocations"][0]["amount"]["amount"], "450.00");
            assert_eq!(body["allocations"][1]["invoice"], "F-003");
            assert_eq!(body["allocations"][1]["amount"]["amount"], "50.00");
            let again =
                api.send_with_key("POST", "/payments", "cheque-1234", Some(payment.clone()));
            assert_eq!(again.status, 201);
            assert_eq!(again.header("idempotent-replayed"), Some("true"));
            assert_eq!(again.json(), body);
            // Without the key, the same payment is still recorded once: the use case knows it.
            let same = api.post_json("/payments", payment.clone());
            assert_eq!(same.status, 200, "{}", same.text());
            assert_eq!(same.json()["already_recorded"], true);

            let listed = Api::new(&server, &tokens.viewer).get("/customers/CALL/payments");
            assert_eq!(listed.status, 200, "{}", listed.text());
            let payments = listed.json()["payments"].as_array().unwrap().clone();
            assert_eq!(payments.len(), 1);
            assert_eq!(payments[0]["amount"]["amount"], "500.00");
            assert_eq!(payments[0]["reference"], "CHQ 1234");
            assert_eq!(payments[0]["received_on"], "2026-11-20");

            let bad_day = api.post_json(
                "/payments",
                json!({"customer": "CALL", "amount": "1.00", "received_on": "20/11/2026"}),
            );
            assert_eq!(bad_day.status, 422);
            assert_eq!(bad_day.json()["field"], "received_on");
            let bad_amount = api.post_json(
                "/payments",
                json!({"customer": "CALL", "amount": "-3", "received_on": "2026-11-20"}),
            );
            assert_eq!(bad_amount.status, 422);
            assert!(
                bad_amount.text().contains("positive"),
                "{}",
                bad_amount.text()
            );
            let unknown_field = api.post_json(
                "/payments",
                json!({"customer": "CALL", "amount": "1", "received_on": "2026-11-20", "currency": "USD"}),
            );
            assert_eq!(unknown_field.status, 422);
            assert!(
                unknown_field.text().contains("currency"),
                "{}",
                unknown_field.text()
            );

            // Another creditor's customer is unknown here, to read or to pay.
            assert_eq!(api.get("/customers/SECRET/payments").status, 404);
            let theirs = api.post_json(
                "/payments",
                json!({"customer": "SECRET", "amount": "999.00", "received_on": "2026-11-20"}),
            );
            assert_eq!(theirs.status, 404);
            assert!(!theirs.text().contains("Client Secret"));
            let their_invoice = api.post_json(
                "/payments",
                json!({"customer": "CALL", "amount": "1.00", "received_on": "2026-11-20", "invoices": ["S-1"]}),
            );
            assert_eq!(their_invoice.status, 404);
        });
        assert_eq!(owed(&database, &tenant, "CALL", "F-002").await, "0.00");
        assert_eq!(owed(&database, &tenant, "CALL", "F-003").await, "250.00");
        let log = audit_log(&database, &tenant, Some("CALL")).await;
        assert!(
            log.entries
                .iter()
                .any(|entry| entry.action == "GET /api/v1/customers/{reference}/payments"),
            "reading a customer's payments is a reading of the file"
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispute_opened_through_the_api_names_the_customers_invoice_and_is_closed_with_an_outcome()
 {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let (tokens, tenant) = setup(&database, &server).await;
        crate::other_creditor(&database.store).await;
        blocking(|| {
            let dispute = json!({"invoice": "F-002", "reason": "price", "note": "tarif contesté"});
            let viewer = Api::new(&server, &tokens.viewer);
            assert_eq!(
                viewer
                    .post_json("/customers/CALL/disputes", dispute.clone())
                    .status,
                403
            );
            let api = Api::new(&server, &tokens.collector);
            let opened = api.send_with_key(
                "POST",
                "/customers/CALL/disputes",
                "dispute-1",
                Some(dispute.clone()),
            );
            assert_eq!(opened.status, 201, "{}", opened.text());
            let body = opened.json();
            assert_eq!(body["invoice"], "F-002");
            assert_eq!(body["reason"], "price");
            assert_eq!(body["closed_on"], serde_json::Value::Null);
            let replayed = api.send_with_key(
                "POST",
                "/customers/CALL/disputes",
                "dispute-1",
                Some(dispute.clone()),
            );
            assert_eq!(replayed.header("idempotent-replayed"), Some("true"));
            assert_eq!(replayed.json(), body, "not 'already disputed'");
            let twice = api.post_json("/customers/CALL/disputes", dispute.clone());
            assert_eq!(twice.status, 422);
            assert!(twice.text().contains("already has an open dispute"));
            let id = body["id"].as_i64().unwrap();
            let file = api.get("/customers/CALL").json();
            assert_eq!(file["disputes"][0]["id"], id);

            let not_theirs = api.post_json(
                "/customers/CALL/disputes",
                json!({"invoice": "F-001", "reason": "price"}),
            );
            assert_eq!(not_theirs.status, 404, "F-001 is LATE's");
            assert_eq!(not_theirs.json()["field"], "invoice");
            let bad_reason = api.post_json(
                "/customers/CALL/disputes",
                json!({"invoice": "F-003", "reason": "mood"}),
            );
            assert_eq!(bad_reason.status, 422);
            assert!(bad_reason.text().contains("unknown dispute reason"));
            let secret = api.post_json(
                "/customers/SECRET/disputes",
                json!({"invoice": "S-1", "reason": "price"}),
            );
            assert_eq!(secret.status, 404);

            let close = format!("/customers/CALL/disputes/{id}/close");
            assert_eq!(
                viewer
                    .post_json(&close, json!({"outcome": "rejected"}))
                    .status,
                403
            );
            assert_eq!(
                api.post_json(
                    &format!("/customers/LATE/disputes/{id}/close"),
                    json!({"outcome": "rejected"})
                )
                .status,
                404,
                "the dispute is CALL's"
            );
            let bad = api.post_json(&close, json!({"outcome": "maybe"}));
            assert_eq!(bad.status, 422);
            let closed = api.post_json(&close, json!({"outcome": "rejected"}));
            assert_eq!(closed.status, 200, "{}", closed.text());
            assert_eq!(closed.json()["outcome"], "rejected");
            assert_eq!(closed.json()["closed_on"], "2026-11-20");
            let again = api.post_json(&close, json!({"outcome": "rejected"}));
            assert_eq!(again.status, 422);
            assert!(again.text().contains("no open dispute"));
        });
        let log = audit_log(&database, &tenant, Some("CALL")).await;
        let actions: Vec<(&str, Option<&str>)> = log
            .entries
            .iter()
            .filter(|entry| entry.action.contains("disputes"))
            .map(|entry| (entry.action.as_str(), entry.record.as_deref()))
            .collect();
        assert_eq!(actions.len(), 2, "{actions:?}");
        assert_eq!(
            actions[0].0,
            "POST /api/v1/customers/{reference}/disputes/{id}/close"
        );
        assert!(actions[0].1.unwrap().starts_with("dispute "), "{actions:?}");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bank_file_posted_to_the_api_is_imported_whole_or_refused_naming_its_line_and_column() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let (tokens, tenant) = setup(&database, &server).await;
        blocking(|| {
            let viewer = Api::new(&server, &tokens.viewer);
            let refused = viewer.post("/imports/bank?format=csv", "text/csv", BANK_CSV.as_bytes());
            assert_eq!(refused.status, 403);

            let api = Api::new(&server, &tokens.collector);
            let report = api.post(
                "/imports/bank?format=csv&name=releve.csv",
                "text/csv",
                BANK_CSV.as_bytes(),
            );
            assert_eq!(report.status, 200, "{}", report.text());
            let body = report.json();
            assert_eq!(body["file"], "releve.csv");
            assert_eq!(body["format"], "csv");
            assert_eq!(body["lines_read"], 4);
            assert_eq!(body["created"], 4);
            assert_eq!(body["duplicates"], 0);
            assert_eq!(body["outgoing"], 1);
            assert!(body["queued"].as_u64().unwrap() >= 2, "{body}");
            let again = api.post(
                "/imports/bank?mapping=french",
                "text/csv",
                BANK_CSV.as_bytes(),
            );
            assert_eq!(again.json()["created"], 0);
            assert_eq!(again.json()["duplicates"], 4);

            let bad = "Date;Libellé;Montant\n20/11/2026;VIR A;10,00\n20/11/2026;VIR B;douze\n";
            let rejected = api.post("/imports/bank?format=csv", "text/csv", bad.as_bytes());
            assert_eq!(rejected.status, 422, "{}", rejected.text());
            let problems = rejected.json()["problems"].as_array().unwrap().clone();
            assert_eq!(problems[0]["line"], 3);
            assert_eq!(problems[0]["field"], "Montant");
            assert_eq!(problems[0]["field_kind"], "column");
            assert_eq!(problems[0]["value"], "douze");
            assert!(
                rejected.json()["error"]
                    .as_str()
                    .unwrap()
                    .contains("nothing was imported")
            );

            let unknown_mapping = api.post(
                "/imports/bank?mapping=nope",
                "text/csv",
                BANK_CSV.as_bytes(),
            );
            assert_eq!(unknown_mapping.status, 422);
            assert_eq!(unknown_mapping.json()["field"], "mapping");
            let unknown_format =
                api.post("/imports/bank?format=pdf", "text/csv", BANK_CSV.as_bytes());
            assert_eq!(unknown_format.status, 422);
            assert_eq!(unknown_format.json()["field"], "format");
        });
        let lines = app::payments::bank_lines(&database.store, &tenant)
            .await
            .unwrap();
        assert_eq!(lines.len(), 4, "the refused files wrote nothing");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bank_lines_are_listed_shown_with_candidates_matched_undone_and_set_aside_through_the_api()
{
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let (tokens, tenant) = setup(&database, &server).await;
        let (other, _) = crate::operations::other_creditor(&database).await;
        for (creditor, file) in [
            (
                &other,
                "Date;Libellé;Montant\n20/11/2026;VIR CLIENT SECRET SA;999,00\n",
            ),
            (&tenant, BANK_CSV),
        ] {
            import_french_csv(&database, creditor, file).await;
        }
        let unexplained = waiting_line(&database, &tenant, "123.45").await;
        let unknown = waiting_line(&database, &tenant, "77.00").await;
        let their_line = app::payments::bank_lines(&database.store, &other)
            .await
            .unwrap()[0]
            .clone();
        let theirs = their_line.id;
        blocking(|| {
            let viewer = Api::new(&server, &tokens.viewer);
            let all = viewer.get("/bank-lines");
            assert_eq!(all.status, 200, "{}", all.text());
            assert_eq!(all.json()["lines"].as_array().unwrap().len(), 4);
            let outgoing = viewer.get("/bank-lines?status=outgoing").json();
            assert_eq!(outgoing["lines"].as_array().unwrap().len(), 1);
            assert_eq!(outgoing["lines"][0]["amount"]["amount"], "25.00");
            assert_eq!(outgoing["lines"][0]["credit"], false, "a debit");
            let bad = viewer.get("/bank-lines?status=lost");
            assert_eq!(bad.status, 422);
            assert_eq!(bad.json()["field"], "status");

            let shown = viewer.get(&format!("/bank-lines/{unexplained}"));
            assert_eq!(shown.status, 200, "{}", shown.text());
            let shown = shown.json();
            assert_eq!(shown["remittance"], "VIREMENT RECU REF 99812");
            assert!(shown["candidates"].is_array());
            assert!(shown["explanation"]["en"].is_string());

            let path = format!("/bank-lines/{unexplained}/match");
            assert_eq!(
                viewer
                    .post_json(&path, json!({"invoices": ["F-003"]}))
                    .status,
                403
            );
            let api = Api::new(&server, &tokens.collector);
            let none = api.post_json(&path, json!({"invoices": []}));
            assert_eq!(none.status, 422);
            assert!(none.text().contains("at least one invoice"));
            let matched = api.send_with_key(
                "POST",
                &path,
                "match-1",
                Some(json!({"invoices": ["F-003"]})),
            );
            assert_eq!(matched.status, 200, "{}", matched.text());
            assert_eq!(matched.json()["line"]["status"], "manual");
            assert_eq!(matched.json()["payment"]["allocated"]["amount"], "123.45");
            let replay = api.send_with_key(
                "POST",
                &path,
                "match-1",
                Some(json!({"invoices": ["F-003"]})),
            );
            assert_eq!(replay.header("idempotent-replayed"), Some("true"));
            let other_key = api.send_with_key(
                "POST",
                &path,
                "match-1",
                Some(json!({"invoices": ["F-002"]})),
            );
            assert_eq!(other_key.status, 422, "one key, one request");

            let undone = api.post(
                &format!("/bank-lines/{unexplained}/unmatch"),
                "application/json",
                b"",
            );
            assert_eq!(undone.status, 200, "{}", undone.text());
            assert_eq!(undone.json()["undone"]["amount"], "123.45");
            assert_eq!(undone.json()["line"]["status"], "unmatched");
            let aside = api.post(
                &format!("/bank-lines/{unknown}/ignore"),
                "application/json",
                b"",
            );
            assert_eq!(aside.status, 200);
            assert_eq!(aside.json()["line"]["status"], "ignored");

            // Another creditor's line is not there, to read or to change.
            assert_eq!(api.get(&format!("/bank-lines/{theirs}")).status, 404);
            for action in ["unmatch", "ignore"] {
                let answer = api.post(
                    &format!("/bank-lines/{theirs}/{action}"),
                    "application/json",
                    b"",
                );
                assert_eq!(answer.status, 404, "{action}");
            }
            let stolen = api.post_json(
                &format!("/bank-lines/{theirs}/match"),
                json!({"invoices": ["F-003"]}),
            );
            assert_eq!(stolen.status, 404);
            assert!(!stolen.text().contains("SECRET"));
            let their_invoice = api.post_json(
                &format!("/bank-lines/{unexplained}/match"),
                json!({"invoices": ["S-1"]}),
            );
            assert_eq!(their_invoice.status, 404);
        });
        assert_eq!(owed(&database, &tenant, "CALL", "F-003").await, "300.00");
        let still = app::payments::line(&database.store, &other, theirs)
            .await
            .unwrap();
        assert_eq!(still.line, their_line, "untouched");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_saves_csv_mappings_and_payment_settings_through_the_api() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let (tokens, tenant) = setup(&database, &server).await;
        let (other, _) = crate::operations::other_creditor(&database).await;
        let spec = app::payments::MappingSpec {
            delimiter: "|".into(),
            ..app::payments::MappingSpec::default()
        };
        app::payments::save_mapping(&database.store, &other, clock(), "leur-banque", &spec)
            .await
            .unwrap();
        let mine = json!({
            "delimiter": ",", "decimal_separator": ".", "date_format": "yyyy-mm-dd",
            "date": "Booked", "credit": "In", "debit": "Out", "label": ["Details"],
        });
        blocking(|| {
            let collector = Api::new(&server, &tokens.collector);
            assert_eq!(
                collector
                    .put_json("/bank-mappings/ma-banque", mine.clone())
                    .status,
                403
            );
            let api = Api::new(&server, &tokens.manager);
            let saved = api.send_with_key(
                "PUT",
                "/bank-mappings/ma-banque",
                "mapping-1",
                Some(mine.clone()),
            );
            assert_eq!(saved.status, 200, "{}", saved.text());
            assert_eq!(saved.json()["settings"]["credit"], "In");
            assert_eq!(saved.json()["settings"]["amount"], serde_json::Value::Null);
            assert_eq!(saved.json()["settings"]["encoding"], "auto", "from french");
            let replay = api.send_with_key(
                "PUT",
                "/bank-mappings/ma-banque",
                "mapping-1",
                Some(mine.clone()),
            );
            assert_eq!(replay.header("idempotent-replayed"), Some("true"));

            let listed = collector.get("/bank-mappings").json();
            let names: Vec<&str> = listed["mappings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["name"].as_str().unwrap())
                .collect();
            assert_eq!(names, ["french", "ma-banque"], "not the other creditor's");
            let shown = collector.get("/bank-mappings/ma-banque").json();
            assert!(
                shown["toml"]
                    .as_str()
                    .unwrap()
                    .contains("date_format = \"yyyy-mm-dd\"")
            );

            let file = "Booked,Details,In,Out\n2026-11-20,VIR MARTIN F-002,450.00,\n2026-11-20,FRAIS,,3.50\n";
            let imported = Api::new(&server, &tokens.collector).post(
                "/imports/bank?mapping=ma-banque",
                "text/csv",
                file.as_bytes(),
            );
            assert_eq!(imported.status, 200, "{}", imported.text());
            assert_eq!(imported.json()["created"], 2);

            let bad_pattern =
                api.put_json("/bank-mappings/ma-banque", json!({"date_format": "dd.mm"}));
            assert_eq!(bad_pattern.status, 422);
            assert_eq!(bad_pattern.json()["field"], "date_format");
            let bad_kind = api.put_json("/bank-mappings/ma-banque", json!({"skip_lines": "two"}));
            assert_eq!(bad_kind.status, 422);
            assert_eq!(bad_kind.json()["field"], "skip_lines");
            let both = api.put_json(
                "/bank-mappings/ma-banque",
                json!({"amount": "Montant", "credit": "In", "debit": "Out"}),
            );
            assert_eq!(both.status, 422);
            assert_eq!(both.json()["field"], "amount");
            let built_in = api.put_json("/bank-mappings/french", json!({"delimiter": ","}));
            assert_eq!(built_in.status, 422);
            assert!(built_in.text().contains("built-in"));
            assert_eq!(
                collector.get("/bank-mappings/ma-banque").json()["settings"]["date_format"],
                "yyyy-mm-dd",
                "refusals changed nothing"
            );

            // Another creditor's mapping is unknown here.
            assert_eq!(api.get("/bank-mappings/leur-banque").status, 404);
            assert_eq!(api.delete("/bank-mappings/leur-banque").status, 404);

            assert_eq!(collector.delete("/bank-mappings/ma-banque").status, 403);
            assert_eq!(api.delete("/bank-mappings/ma-banque").status, 204);
            assert_eq!(api.get("/bank-mappings/ma-banque").status, 404);
            assert_eq!(api.delete("/bank-mappings/french").status, 422);

            let settings = collector.get("/settings/payments");
            assert_eq!(settings.status, 200);
            assert_eq!(settings.json()["write_off"]["amount"], "0.00");
            assert_eq!(
                collector
                    .put_json("/settings/payments", json!({"write_off": "5.00"}))
                    .status,
                403
            );
            let changed = api.put_json(
                "/settings/payments",
                json!({"write_off": "5.00", "send_thank_you": false}),
            );
            assert_eq!(changed.status, 200, "{}", changed.text());
            assert_eq!(changed.json()["write_off"]["amount"], "5.00");
            assert_eq!(changed.json()["send_thank_you"], false);
            assert_eq!(
                changed.json()["send_receipt"],
                true,
                "what is not given stays"
            );
            let negative = api.put_json("/settings/payments", json!({"write_off": "-1.00"}));
            assert_eq!(negative.status, 422);
            assert_eq!(negative.json()["field"], "write_off");
            let threshold =
                api.put_json("/settings/payments", json!({"auto_apply_threshold": 101}));
            assert_eq!(threshold.status, 422);
            assert_eq!(threshold.json()["field"], "auto_apply_threshold");
        });
        let kept = app::payments::settings(&database.store, &tenant)
            .await
            .unwrap();
        assert_eq!(kept.write_off.to_decimal_string(), "5.00");
        let theirs = app::payments::settings(&database.store, &other)
            .await
            .unwrap();
        assert!(
            !theirs.write_off.is_positive(),
            "the other creditor's settings are its own"
        );
        assert_eq!(
            app::payments::mapping_spec(&database.store, &other, "leur-banque")
                .await
                .unwrap()
                .delimiter,
            "|"
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_sets_the_write_off_limit_and_keeps_bank_csv_mappings_in_the_settings_pages() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            add_user(&admin, "maud@atelier.example", "manager");
            add_user(&admin, "colin@atelier.example", "collector");
        });
        let tenant = crate::tenant(&database.store).await;
        blocking(|| {
            let maud = Browser::new(&server);
            maud.login("maud@atelier.example", PASSWORD);
            let index = maud.get("/settings");
            assert!(index.text().contains("href=\"/settings/payments\""));
            let page = maud.get("/settings/payments");
            assert_eq!(page.status, 200, "{}", page.text());
            assert!(page.text().contains("Reliquat passé en perte jusqu'à"));
            assert!(page.text().contains("Modèles CSV des relevés bancaires"));
            assert!(page.text().contains("id=\"mapping-french\""));
            let csrf = page.csrf();
            let saved = maud.post(
                "/settings/payments",
                &[
                    ("csrf", &csrf),
                    ("auto_apply_threshold", "90"),
                    ("amount_tolerance", "1.00"),
                    ("write_off", "2.50"),
                    ("send_receipt", "1"),
                ],
            );
            assert_eq!(saved.status, 200, "{}", saved.text());
            assert!(saved.text().contains("id=\"saved\""));
            let refused = maud.post(
                "/settings/payments",
                &[
                    ("csrf", &csrf),
                    ("auto_apply_threshold", "90"),
                    ("amount_tolerance", "-1"),
                    ("write_off", "2.50"),
                ],
            );
            assert_eq!(refused.status, 422);
            assert!(refused.text().contains("id=\"error-amount_tolerance\""));
            assert!(refused.text().contains("ne peut pas être négative"));

            let form = maud.get("/settings/payments/mappings/french");
            assert_eq!(form.status, 200, "{}", form.text());
            let fields = [
                ("csrf", csrf.as_str()),
                ("name", "banque-pro"),
                ("delimiter", ","),
                ("decimal_separator", "."),
                ("date_format", "yyyy-mm-dd"),
                ("encoding", "auto"),
                ("currency", "EUR"),
                ("date", "Booked"),
                ("amount", ""),
                ("credit", "In"),
                ("debit", "Out"),
                ("label", "Details\nMore"),
                ("skip_lines", "2"),
                ("footer_lines", "0"),
                ("has_header", "1"),
            ];
            let created = maud.post("/settings/payments/mappings", &fields);
            assert_eq!(created.status, 200, "{}", created.text());
            assert!(created.text().contains("id=\"saved\""));
            let mut wrong = fields.to_vec();
            wrong[4] = ("date_format", "dd.mm");
            let wrong = maud.post("/settings/payments/mappings", &wrong);
            assert_eq!(wrong.status, 422);
            assert!(
                wrong.text().contains("id=\"error-date_format\""),
                "{}",
                wrong.text()
            );
            let listed = maud.get("/settings/payments");
            assert!(listed.text().contains("id=\"mapping-banque-pro\""));
            // The bank upload offers it, and reads a file with it.
            let bank = maud.get("/bank");
            assert!(bank.text().contains("value=\"csv:banque-pro\""));
            let statement = "Banque Exemple\nCompte 123\nBooked,Details,More,In,Out\n2026-11-20,VIR MARTIN,F-002,450.00,\n2026-11-20,FRAIS,,,3.50\n";
            let report = maud.upload(
                "/bank/import",
                &[("csrf", &csrf), ("format", "csv:banque-pro")],
                "export.csv",
                statement.as_bytes(),
            );
            assert_eq!(report.status, 200, "{}", report.text());
            assert_eq!(report.element("lines-created"), "2");

            let colin = Browser::new(&server);
            colin.login("colin@atelier.example", PASSWORD);
            let read = colin.get("/settings/payments/mappings/banque-pro");
            assert_eq!(read.status, 200, "everyone reads the settings");
            assert!(!read.text().contains("id=\"delete-mapping\""));
            let colin_csrf = read.csrf();
            let not_allowed = colin.post(
                "/settings/payments/mappings/banque-pro/delete",
                &[("csrf", &colin_csrf)],
            );
            assert_eq!(not_allowed.status, 403);
            assert_eq!(
                colin
                    .post(
                        "/settings/payments",
                        &[("csrf", &colin_csrf), ("write_off", "100")]
                    )
                    .status,
                403
            );
            assert_eq!(colin.get("/settings/payments/mappings/nope").status, 404);

            let deleted = maud.post(
                "/settings/payments/mappings/banque-pro/delete",
                &[("csrf", &csrf)],
            );
            assert_eq!(deleted.status, 303);
            assert_eq!(
                maud.get("/settings/payments/mappings/banque-pro").status,
                404
            );

            maud.get("/lang/en");
            let english = maud.get("/settings/payments");
            assert!(
                english.text().contains("Remainder written off up to"),
                "{}",
                english.text()
            );
        });
        let kept = app::payments::settings(&database.store, &tenant)
            .await
            .unwrap();
        assert_eq!(kept.write_off.to_decimal_string(), "2.50");
        assert_eq!(kept.auto_apply_threshold, 90);
        assert!(kept.send_receipt);
        assert!(!kept.send_thank_you, "an unticked box turns thanks off");
    });
}
