//! The settings pages over HTTP: every rule the command line changes is read and changed in the
//! browser through the same use cases, with the roles' limits, another creditor's identifiers
//! answering not found, and a refused change leaving the stored settings as they were.

use app::Store;
use app::import::{ImportInput, ImportOptions, InvoiceFileFormat, NoProgress};
use app::late_payment::{WaiverAmount, WaiverRequest};
use domain::scenario::Scenario;
use test_support::on_every_backend;
use test_support::sinks::{HttpSink, SmtpSink};

use crate::harness::{Browser, Reply, blocking, start};
use crate::{ADMIN, ADMIN_PASSWORD, add_user, books, clock, first_run, tenant};

/// A second creditor in the same database with a customer, a saved scenario, a customer policy
/// and a waiver: none of it may be reached from the first creditor's pages.
struct Other {
    waiver: i64,
}

async fn other_creditor(store: &Store) -> Other {
    let other = crate::other_creditor(store).await;
    let ladder = app::dunning::scenario_text(&Scenario::default_b2b())
        .replace("name = \"b2b-fr\"", "name = \"secret-ladder\"");
    app::dunning::import_scenario(store, &other, clock(), "secret.toml", &ladder)
        .await
        .unwrap();
    let policy = app::dunning::policy_text(store, &other, None)
        .await
        .unwrap();
    app::dunning::import_policy(store, &other, clock(), Some("SECRET"), "p.toml", &policy)
        .await
        .unwrap();
    let waiver = app::late_payment::add_waiver(
        store,
        &other,
        clock(),
        &WaiverRequest {
            customer: "SECRET",
            invoice: None,
            amount: WaiverAmount::All,
            charges: "both",
            reason: "geste commercial",
            granted_by: "Autre",
        },
    )
    .await
    .unwrap();
    Other { waiver: waiver.id }
}

fn logged_in(server: &crate::harness::Server, email: &str) -> Browser {
    let browser = Browser::new(server);
    assert_eq!(browser.login(email, "un-mot-de-passe").status, 303);
    browser
}

/// Posts a form shown on `page` (its token added).
fn submit(browser: &Browser, page: &str, action: &str, fields: &[(&str, &str)]) -> Reply {
    let csrf = browser.get(page).csrf();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    browser.post(action, &all)
}

async fn profile(store: &Store) -> domain::creditor::CreditorProfile {
    tenant(store).await.profile
}

/// A form's fields with some replaced (or added).
fn changed<'a>(
    mut fields: Vec<(&'a str, &'a str)>,
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    for (name, value) in changes {
        fields.retain(|(field, _)| field != name);
        fields.push((name, value));
    }
    fields
}

/// The company form as it stands, with some fields changed.
fn company_fields<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let fields = vec![
        ("company_name", "Atelier Test SARL"),
        ("siren", ""),
        ("address_line1", ""),
        ("address_line2", ""),
        ("postal_code", ""),
        ("city", ""),
        ("country", "FR"),
        ("iban", ""),
        ("bic", ""),
        ("time_zone", "Europe/Paris"),
        ("currency", "EUR"),
        ("payment_term_days", "30"),
        ("language", "fr"),
    ];
    changed(fields, changes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_company_is_read_by_everyone_and_changed_by_an_administrator_only() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            add_user(&admin, "maud@atelier.example", "manager");
            add_user(&admin, "val@atelier.example", "viewer");
        });
        let before = profile(&database.store).await;
        blocking(|| {
            let viewer = logged_in(&server, "val@atelier.example");
            let shown = viewer.get("/settings/company");
            assert_eq!(shown.status, 200);
            assert!(shown.text().contains("Atelier Test SARL"));
            assert!(shown.text().contains("readonly"));
            let manager = logged_in(&server, "maud@atelier.example");
            let refused = submit(
                &manager,
                "/settings/company",
                "/settings/company",
                &company_fields(&[("company_name", "Pris par un responsable")]),
            );
            assert_eq!(refused.status, 403);

            // Bad values are named next to their field, and nothing is saved.
            let bad = submit(
                &admin,
                "/settings/company",
                "/settings/company",
                &company_fields(&[
                    ("company_name", "Nouveau nom"),
                    ("siren", "123456789"),
                    ("bic", "BNP"),
                    ("time_zone", "Europe/Lyon"),
                ]),
            );
            assert_eq!(bad.status, 422, "{}", bad.text());
            assert!(bad.element("error-siren").contains("SIREN"));
            assert!(bad.element("error-bic").contains("BIC"));
            assert!(bad.element("error-time_zone").contains("fuseau"));
            assert!(
                bad.text().contains("value=\"Nouveau nom\""),
                "what was typed stays"
            );
        });
        assert_eq!(profile(&database.store).await, before);
        blocking(|| {
            let saved = submit(
                &admin,
                "/settings/company",
                "/settings/company",
                &company_fields(&[
                    ("company_name", "Atelier Renommé SAS"),
                    ("siren", "732 829 320"),
                    ("address_line1", "4 rue de la Paix"),
                    ("postal_code", "75002"),
                    ("city", "Paris"),
                    ("iban", "FR76 3000 6000 0112 3456 7890 189"),
                    ("bic", "agrifrpp"),
                    ("language", "en"),
                ]),
            );
            assert_eq!(saved.status, 200, "{}", saved.text());
            assert!(saved.text().contains("AGRIFRPP"));
            // The creditor's language is the pages' language until a person picks another.
            assert!(admin.get("/settings").text().contains("Dunning scenarios"));
        });
        let after = profile(&database.store).await;
        assert_eq!(after.company_name, "Atelier Renommé SAS");
        assert_eq!(after.siren.unwrap().as_str(), "732829320");
        assert_eq!(after.bic.unwrap().as_str(), "AGRIFRPP");
        assert_eq!(after.address.city, "Paris");
        assert_eq!(after.language, domain::customer::Language::English);
        blocking(|| {
            let french = Browser::new(&server);
            french.login(ADMIN, ADMIN_PASSWORD);
            french.get("/lang/fr");
            assert!(french.get("/settings").text().contains("Réglages"));
        });
    });
}

/// The fields of the B2B scenario's form as the page shows them, in order.
fn scenario_form(page: &Reply) -> Vec<(String, String)> {
    let text = page.text();
    let mut fields = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("name=\"s") {
        let tag_start = rest[..at].rfind('<').unwrap();
        let tag_end = at + rest[at..].find('>').unwrap();
        let tag = &rest[tag_start..tag_end];
        let name_start = at + 6;
        let name = &rest[name_start..name_start + rest[name_start..].find('"').unwrap()];
        if tag.starts_with("<input") {
            let value = tag
                .split_once("value=\"")
                .map(|(_, v)| &v[..v.find('"').unwrap()])
                .unwrap_or("");
            let checkbox = tag.contains("type=\"checkbox\"");
            if !checkbox || tag.contains("checked") {
                fields.push((name.to_owned(), value.to_owned()));
            }
        } else if tag.starts_with("<select") {
            let close = tag_end + rest[tag_end..].find("</select>").unwrap();
            let options = &rest[tag_end..close];
            let value = options
                .split("<option")
                .find(|option| option.contains("selected"))
                .and_then(|option| option.split_once("value=\""))
                .map(|(_, v)| &v[..v.find('"').unwrap()])
                .unwrap_or("");
            fields.push((name.to_owned(), value.to_owned()));
        }
        rest = &rest[tag_end..];
    }
    fields
}

fn with_value(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(n, v)| {
            (
                n.clone(),
                if n == name {
                    value.to_owned()
                } else {
                    v.clone()
                },
            )
        })
        .collect()
}

fn post_scenario(browser: &Browser, name: &str, fields: &[(String, String)]) -> Reply {
    let path = format!("/settings/scenarios/{name}");
    let csrf = browser.get(&path).csrf();
    let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    all.extend(fields.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    browser.post(&path, &all)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_edits_a_scenarios_steps_with_the_checks_of_the_command_line() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            add_user(&admin, "colin@atelier.example", "collector");
            add_user(&admin, "maud@atelier.example", "manager");
        });
        let tenant = books(&database).await;
        other_creditor(&database.store).await;
        let rules_before = app::dunning::rules(&database.store, &tenant).await.unwrap();
        blocking(|| {
            let collector = logged_in(&server, "colin@atelier.example");
            let list = collector.get("/settings/scenarios");
            assert_eq!(list.status, 200);
            assert!(list.text().contains("b2b-fr") && list.text().contains("b2c-fr"));
            assert!(!list.text().contains("secret-ladder"));
            assert_eq!(
                collector.get("/settings/scenarios/secret-ladder").status,
                404
            );
            let form = scenario_form(&collector.get("/settings/scenarios/b2b-fr"));
            assert_eq!(post_scenario(&collector, "b2b-fr", &form).status, 403);

            let manager = logged_in(&server, "maud@atelier.example");
            let page = manager.get("/settings/scenarios/b2b-fr");
            let form = scenario_form(&page);
            assert!(form.contains(&("s6_channel".into(), "agency_handoff".into())));
            // A hand-off before 30 days overdue: refused on that step's offset.
            let early = with_value(
                &with_value(&form, "s5_offset_days", "20"),
                "s6_offset_days",
                "29",
            );
            let refused = post_scenario(&manager, "b2b-fr", &early);
            assert_eq!(refused.status, 422, "{}", refused.text());
            assert!(
                refused.element("error-s6-offset_days").contains("30 jours"),
                "{}",
                refused.element("error-s6-offset_days")
            );
            // Steps going backwards: refused on the step that goes back.
            let backwards = with_value(&form, "s2_offset_days", "-10");
            let refused = post_scenario(&manager, "b2b-fr", &backwards);
            assert_eq!(refused.status, 422);
            assert!(refused.element("error-s2-offset_days").contains("arrière"));
            let typo = with_value(&form, "s1_offset_days", "un");
            assert_eq!(post_scenario(&manager, "b2b-fr", &typo).status, 422);
        });
        let unchanged = app::dunning::rules(&database.store, &tenant).await.unwrap();
        assert_eq!(unchanged.scenarios, rules_before.scenarios);
        blocking(|| {
            let manager = logged_in(&server, "maud@atelier.example");
            let form = scenario_form(&manager.get("/settings/scenarios/b2b-fr"));
            // The second reminder a day later, and a new step in a blank row.
            let mut changed = with_value(&form, "s2_offset_days", "9");
            changed = with_value(&changed, "s7_key", "last_call");
            changed = with_value(&changed, "s7_offset_days", "60");
            changed = with_value(&changed, "s7_channel", "phone_task");
            changed = with_value(&changed, "s7_tone", "firm");
            changed = with_value(&changed, "s7_template", "call_script");
            let saved = post_scenario(&manager, "b2b-fr", &changed);
            assert_eq!(saved.status, 200, "{}", saved.text());
            assert!(saved.element("saved").contains("Enregistré"));
        });
        blocking(|| {
            let manager = logged_in(&server, "maud@atelier.example");
            let mut form = scenario_form(&manager.get("/settings/scenarios/b2c-fr"));
            form.push(("name".into(), "b2c-patient".into()));
            let copy = post_scenario(&manager, "b2c-fr", &form);
            assert_eq!(copy.status, 303);
            assert_eq!(
                copy.location.as_deref(),
                Some("/settings/scenarios/b2c-patient")
            );
            assert!(
                manager
                    .get("/settings/scenarios")
                    .text()
                    .contains("b2c-patient")
            );
        });
        let rules = app::dunning::rules(&database.store, &tenant).await.unwrap();
        assert!(rules.scenarios.iter().any(|s| s.name() == "b2c-patient"));
        assert!(
            rules.scenarios.iter().any(|s| s.name() == "b2c-fr"),
            "the original stays"
        );
        let b2b = rules
            .scenarios
            .iter()
            .find(|s| s.name() == "b2b-fr")
            .unwrap();
        assert_eq!(b2b.steps()[2].offset_days, 9);
        assert_eq!(b2b.steps().last().unwrap().key, "last_call");
        assert_eq!(b2b.steps().len(), 8);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_tomorrows_run_would_send_is_shown_and_nothing_is_written() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = books(&database).await;
        // Due on the 24th: its pre-due reminder (J-3) is tomorrow's.
        app::import::import_invoices(
            &database.store,
            &tenant,
            ImportInput::Bytes {
                name: "soon.csv",
                bytes: b"customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,email\nSOON,Bientot SARL,F-100,2026-10-25,2026-11-24,640.00,640.00,ap@bientot.example\n",
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
        let before = app::dunning::list_actions(&database.store, &tenant, None, None, None)
            .await
            .unwrap();
        let expected = app::dunning::run_day(
            &database.store,
            &tenant,
            clock(),
            app::dunning::RunOptions {
                date: Some(jiff::civil::date(2026, 11, 21)),
                dry_run: true,
                language: domain::customer::Language::French,
                detail: app::dunning::ReportDetail::Acting,
            },
        )
        .await
        .unwrap();
        assert!(
            expected.outcomes.iter().any(|o| o.customer_ref == "SOON"),
            "SOON's pre-due reminder is tomorrow's"
        );
        blocking(|| {
            let page = admin.get("/settings/scenarios/tomorrow");
            assert_eq!(page.status, 200);
            assert!(page.text().contains("21/11/2026"), "{}", page.text());
            assert_eq!(
                page.element("decided"),
                expected.actions_decided().to_string()
            );
            for outcome in &expected.outcomes {
                assert!(
                    page.text()
                        .contains(&format!("data-customer=\"{}\"", outcome.customer_ref)),
                    "{}",
                    outcome.customer_ref
                );
            }
        });
        let after = app::dunning::list_actions(&database.store, &tenant, None, None, None)
            .await
            .unwrap();
        assert_eq!(after.len(), before.len());
    });
}

/// The contact policy form with some fields changed.
fn policy_fields<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let fields = vec![
        ("monday", "09:00-12:00, 14:00-18:00"),
        ("tuesday", "09:00-12:00, 14:00-18:00"),
        ("wednesday", "09:00-12:00, 14:00-18:00"),
        ("thursday", "09:00-12:00, 14:00-18:00"),
        ("friday", "09:00-12:00, 14:00-17:00"),
        ("saturday", ""),
        ("sunday", ""),
        ("holidays", "fr"),
        ("min_days_between_contacts", "3"),
        ("max_contacts_per_7_days", "2"),
        ("max_contacts_per_30_days", "6"),
        ("max_phone_attempts_per_day", "1"),
        ("promise_grace_days", "3"),
        ("written_fallback", "email"),
        ("written_fallback", "letter"),
    ];
    changed(fields, changes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contact_policy_and_a_customers_own_are_changed_in_a_form() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            add_user(&admin, "val@atelier.example", "viewer");
        });
        let tenant = books(&database).await;
        other_creditor(&database.store).await;
        let before = app::dunning::policy_text(&database.store, &tenant, None)
            .await
            .unwrap();
        blocking(|| {
            let viewer = logged_in(&server, "val@atelier.example");
            let page = viewer.get("/settings/policy");
            assert_eq!(page.status, 200);
            assert!(page.text().contains("Lundi"));
            let refused = submit(
                &viewer,
                "/settings/policy",
                "/settings/policy",
                &policy_fields(&[]),
            );
            assert_eq!(refused.status, 403);
            // Another creditor's customer and its override are not found.
            assert_eq!(admin.get("/settings/policy?customer=SECRET").status, 404);
            assert!(!admin.get("/settings/policy").text().contains("SECRET"));
            let overlapping = submit(
                &admin,
                "/settings/policy",
                "/settings/policy",
                &policy_fields(&[("tuesday", "09:00-12:00, 11:00-13:00")]),
            );
            assert_eq!(overlapping.status, 422);
            assert!(overlapping.element("error-tuesday").contains("chevauchent"));
            let monthly = submit(
                &admin,
                "/settings/policy",
                "/settings/policy",
                &policy_fields(&[("max_contacts_per_30_days", "1")]),
            );
            assert_eq!(monthly.status, 422);
            assert!(
                monthly
                    .text()
                    .contains("id=\"error-max_contacts_per_30_days\"")
            );
        });
        assert_eq!(
            app::dunning::policy_text(&database.store, &tenant, None)
                .await
                .unwrap(),
            before
        );
        blocking(|| {
            let saved = submit(
                &admin,
                "/settings/policy",
                "/settings/policy",
                &policy_fields(&[("saturday", "10:00-12:00"), ("promise_grace_days", "5")]),
            );
            assert_eq!(saved.status, 200, "{}", saved.text());
            let page = admin.get("/settings/policy?customer=CALL");
            assert!(
                page.element("override-state")
                    .contains("suit la politique générale")
            );
            let own = submit(
                &admin,
                "/settings/policy?customer=CALL",
                "/settings/policy",
                &policy_fields(&[("customer", "CALL"), ("max_phone_attempts_per_day", "3")]),
            );
            assert_eq!(own.status, 200, "{}", own.text());
            assert!(
                own.element("override-state")
                    .contains("sa propre politique")
            );
            assert!(
                admin
                    .get("/settings/policy")
                    .text()
                    .contains("?customer=CALL")
            );
            let theirs = submit(
                &admin,
                "/settings/policy",
                "/settings/policy",
                &policy_fields(&[("customer", "SECRET")]),
            );
            assert_eq!(theirs.status, 404);
        });
        let (general, _) = app::dunning::policy_in_force(&database.store, &tenant, None)
            .await
            .unwrap();
        assert_eq!(general.promise_grace_days, 5);
        assert!(
            !general
                .hours
                .ranges(jiff::civil::Weekday::Saturday)
                .is_empty()
        );
        let (call, own) = app::dunning::policy_in_force(&database.store, &tenant, Some("CALL"))
            .await
            .unwrap();
        assert!(own);
        assert_eq!(call.max_phone_attempts_per_day, 3);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_is_previewed_as_typed_for_a_customer_saved_when_valid_and_reset() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            add_user(&admin, "colin@atelier.example", "collector");
        });
        let tenant = books(&database).await;
        other_creditor(&database.store).await;
        let builtin = app::templates::text(
            &database.store,
            &tenant,
            "first_reminder",
            domain::customer::Language::French,
        )
        .await
        .unwrap()
        .source
        .to_file();
        blocking(|| {
            let list = admin.get("/settings/templates");
            assert!(
                list.text()
                    .contains("/settings/templates/first_reminder/fr")
            );
            assert!(
                list.text()
                    .contains("/settings/templates/first_reminder/en")
            );
            assert_eq!(
                admin.get("/settings/templates/first_reminder/de").status,
                404
            );
            assert_eq!(
                admin.get("/settings/templates/no_such_template/fr").status,
                404
            );
            let page = admin.get("/settings/templates/first_reminder/fr");
            assert_eq!(page.status, 200);
            assert!(
                page.text()
                    .contains("hx-trigger=\"input changed delay:400ms\"")
            );
            let csrf = page.csrf();
            let edited = builtin.replacen(
                "=== text ===\n",
                "=== text ===\nMessage relu par Alice.\n",
                1,
            );
            let preview = admin.htmx_post(
                "/settings/templates/first_reminder/fr/preview",
                &[("csrf", &csrf), ("file", &edited), ("customer", "LATE")],
            );
            assert_eq!(preview.status, 200);
            assert!(
                preview
                    .element("preview-text")
                    .contains("Message relu par Alice.")
            );
            assert!(
                preview.text().contains("F-001"),
                "LATE's invoice: {}",
                preview.text()
            );
            assert!(!preview.text().contains("<html"), "a fragment, not a page");
            let broken = admin.htmx_post(
                "/settings/templates/first_reminder/fr/preview",
                &[
                    ("csrf", &csrf),
                    ("file", &builtin.replace("}}", "")),
                    ("customer", ""),
                ],
            );
            assert!(broken.text().contains("id=\"preview-problems\""));
            let theirs = admin.htmx_post(
                "/settings/templates/first_reminder/fr/preview",
                &[("csrf", &csrf), ("file", &builtin), ("customer", "SECRET")],
            );
            assert_eq!(theirs.status, 404);

            let collector = logged_in(&server, "colin@atelier.example");
            let csrf_c = collector
                .get("/settings/templates/first_reminder/fr")
                .csrf();
            let forbidden = collector.post(
                "/settings/templates/first_reminder/fr",
                &[("csrf", &csrf_c), ("file", &edited)],
            );
            assert_eq!(forbidden.status, 403);
            let refused = admin.post(
                "/settings/templates/first_reminder/fr",
                &[
                    ("csrf", &csrf),
                    ("file", &builtin.replace("=== subject ===", "")),
                ],
            );
            assert_eq!(refused.status, 422);
            assert!(refused.text().contains("id=\"problems\""));
        });
        let still = app::templates::text(
            &database.store,
            &tenant,
            "first_reminder",
            domain::customer::Language::French,
        )
        .await
        .unwrap();
        assert_eq!(still.origin, app::templates::Origin::BuiltIn);
        blocking(|| {
            let csrf = admin.get("/settings/templates/first_reminder/fr").csrf();
            let edited = builtin.replacen(
                "=== text ===\n",
                "=== text ===\nMessage relu par Alice.\n",
                1,
            );
            let saved = admin.post(
                "/settings/templates/first_reminder/fr",
                &[("csrf", &csrf), ("file", &edited)],
            );
            assert_eq!(saved.status, 200, "{}", saved.text());
            assert!(saved.text().contains("(modifié)") || saved.text().contains("modifié"));
            assert!(
                admin
                    .get("/settings/templates")
                    .text()
                    .contains("FR</a> (modifié)")
            );
        });
        let edited = app::templates::text(
            &database.store,
            &tenant,
            "first_reminder",
            domain::customer::Language::French,
        )
        .await
        .unwrap();
        assert!(edited.source.text.contains("Message relu par Alice."));
        blocking(|| {
            let csrf = admin.get("/settings/templates/first_reminder/fr").csrf();
            let reset = admin.post(
                "/settings/templates/first_reminder/fr/reset",
                &[("csrf", &csrf)],
            );
            assert_eq!(reset.status, 303);
        });
        let reset = app::templates::text(
            &database.store,
            &tenant,
            "first_reminder",
            domain::customer::Language::French,
        )
        .await
        .unwrap();
        assert_eq!(reset.origin, app::templates::Origin::BuiltIn);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_late_payment_policy_and_waivers_are_set_as_the_law_commands_set_them() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            add_user(&admin, "colin@atelier.example", "collector");
        });
        let tenant = books(&database).await;
        let other = other_creditor(&database.store).await;
        let before = app::late_payment::policy(&database.store, &tenant)
            .await
            .unwrap();
        blocking(|| {
            let collector = logged_in(&server, "colin@atelier.example");
            let page = collector.get("/settings/penalties");
            assert_eq!(page.status, 200);
            assert!(page.text().contains("40 €"));
            let forbidden = submit(
                &collector,
                "/settings/penalties",
                "/settings/penalties",
                &[("claim_from", "never")],
            );
            assert_eq!(forbidden.status, 403);
            let refused = submit(
                &admin,
                "/settings/penalties",
                "/settings/penalties",
                &[
                    ("claim_from", "never"),
                    ("early_payment_discount", "beaucoup"),
                ],
            );
            assert_eq!(refused.status, 422);
            assert!(
                refused
                    .text()
                    .contains("id=\"error-early_payment_discount\"")
            );
        });
        assert_eq!(
            app::late_payment::policy(&database.store, &tenant)
                .await
                .unwrap(),
            before
        );
        blocking(|| {
            let saved = submit(
                &admin,
                "/settings/penalties",
                "/settings/penalties",
                &[
                    ("claim_from", "formal-notice"),
                    ("early_payment_discount", "2:10"),
                ],
            );
            assert_eq!(saved.status, 200, "{}", saved.text());
            // Waivers: another creditor's customer and waiver are not found.
            assert_eq!(admin.get("/settings/penalties?customer=SECRET").status, 404);
            let theirs = submit(
                &admin,
                "/settings/penalties",
                &format!("/settings/penalties/waivers/{}/withdraw", other.waiver),
                &[("reason", "accord rompu"), ("customer", "LATE")],
            );
            assert_eq!(theirs.status, 404);
            let bad = submit(
                &admin,
                "/settings/penalties",
                "/settings/penalties/waivers",
                &[
                    ("customer", "LATE"),
                    ("what", "both"),
                    ("extent", "amount"),
                    ("size", "dix"),
                    ("reason", "geste"),
                ],
            );
            assert_eq!(bad.status, 422);
            assert!(bad.text().contains("id=\"error-amount\""));
            let granted = submit(
                &admin,
                "/settings/penalties",
                "/settings/penalties/waivers",
                &[
                    ("customer", "LATE"),
                    ("what", "indemnity"),
                    ("extent", "all"),
                    ("reason", "client fidèle"),
                ],
            );
            assert_eq!(granted.status, 303, "{}", granted.text());
            let list = admin.get("/settings/penalties?customer=LATE");
            assert!(list.text().contains("client fidèle"));
            assert!(list.text().contains("indemnité de toutes les factures"));
        });
        let policy = app::late_payment::policy(&database.store, &tenant)
            .await
            .unwrap();
        assert_eq!(policy.claim_start.code(), "formal-notice");
        let waivers = app::late_payment::waivers(&database.store, &tenant, "LATE")
            .await
            .unwrap();
        assert_eq!(waivers.len(), 1);
        assert_eq!(waivers[0].granted_by, "Alice Admin");
        let id = waivers[0].id;
        blocking(|| {
            let withdrawn = submit(
                &admin,
                "/settings/penalties",
                &format!("/settings/penalties/waivers/{id}/withdraw"),
                &[("reason", "promesse non tenue"), ("customer", "LATE")],
            );
            assert_eq!(withdrawn.status, 303);
        });
        let waivers = app::late_payment::waivers(&database.store, &tenant, "LATE")
            .await
            .unwrap();
        assert!(waivers[0].is_withdrawn());
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channel_settings_never_show_a_secret_and_a_test_message_goes_out_with_them() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            add_user(&admin, "maud@atelier.example", "manager");
            add_user(&admin, "val@atelier.example", "viewer");
        });
        let tenant = tenant(&database.store).await;
        let sink = SmtpSink::with_login("relance", "s3cret-pass");
        let gateway = HttpSink::start(vec![201]);
        let sms_url = gateway.url("/sms");
        let url = format!(
            "smtp://relance:s3cret-pass@127.0.0.1:{}?tls=none",
            sink.port
        );
        blocking(|| {
            let viewer = logged_in(&server, "val@atelier.example");
            assert_eq!(viewer.get("/settings/channels").status, 403);
            let manager = logged_in(&server, "maud@atelier.example");
            assert_eq!(manager.get("/settings/channels").status, 200);
            let forbidden = submit(
                &manager,
                "/settings/channels",
                "/settings/channels",
                &[
                    ("smtp_url", &url),
                    ("smtp_from", "relances@atelier.example"),
                ],
            );
            assert_eq!(forbidden.status, 403);
            // A server without a sender cannot work: refused, named on the sender.
            let refused = submit(
                &admin,
                "/settings/channels",
                "/settings/channels",
                &[("smtp_url", &url)],
            );
            assert_eq!(refused.status, 422);
            assert!(refused.element("error-smtp_from").contains("besoin"));
        });
        let untouched = app::delivery::settings(&database.store, &tenant)
            .await
            .unwrap();
        assert_eq!(untouched.smtp_url, None);
        blocking(|| {
            let saved = submit(
                &admin,
                "/settings/channels",
                "/settings/channels",
                &[
                    ("smtp_url", &url),
                    ("smtp_from", "relances@atelier.example"),
                    ("sms_preset", "brevo"),
                    ("sms_url", &sms_url),
                    ("sms_key", "xkeysib-secret-key"),
                ],
            );
            assert_eq!(saved.status, 200, "{}", saved.text());
            for page in [saved, admin.get("/settings/channels")] {
                assert!(!page.text().contains("s3cret-pass"));
                assert!(!page.text().contains("xkeysib-secret-key"));
                assert!(page.text().contains("smtp://relance@127.0.0.1"));
            }
            // Saving the page as shown keeps the secrets.
            let again = submit(
                &admin,
                "/settings/channels",
                "/settings/channels",
                &[
                    (
                        "smtp_url",
                        &format!("smtp://relance@127.0.0.1:{}?tls=none", sink.port),
                    ),
                    ("smtp_from", "relances@atelier.example"),
                    ("sms_preset", "brevo"),
                    ("sms_url", &sms_url),
                    ("sms_key", ""),
                ],
            );
            assert_eq!(again.status, 200, "{}", again.text());
            let test = submit(
                &admin,
                "/settings/channels",
                "/settings/channels/test",
                &[("channel", "email"), ("to", "alice@atelier.example")],
            );
            assert_eq!(test.status, 200, "{}", test.text());
            assert!(test.element("test-result").contains("essai envoyé"));
            let sms = submit(
                &admin,
                "/settings/channels",
                "/settings/channels/test",
                &[("channel", "sms"), ("to", "+33612345678")],
            );
            assert_eq!(sms.status, 200, "{}", sms.text());
        });
        assert_eq!(gateway.received().len(), 1);
        assert!(gateway.received()[0].body.contains("33612345678"));
        let kept = app::delivery::settings(&database.store, &tenant)
            .await
            .unwrap();
        assert_eq!(kept.smtp_url.as_deref(), Some(url.as_str()));
        assert_eq!(kept.sms_key.as_deref(), Some("xkeysib-secret-key"));
        let received = sink.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].header("to"), "alice@atelier.example");
        assert!(received[0].header("subject").contains("Atelier Test SARL"));
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_settings_page_needs_a_login_and_answers_in_both_languages() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            let stranger = Browser::new(&server);
            for path in [
                "/settings",
                "/settings/company",
                "/settings/scenarios",
                "/settings/scenarios/b2b-fr",
                "/settings/scenarios/tomorrow",
                "/settings/policy",
                "/settings/templates",
                "/settings/templates/first_reminder/en",
                "/settings/penalties",
                "/settings/plans",
                "/settings/channels",
            ] {
                assert_eq!(
                    stranger.get(path).location.as_deref(),
                    Some("/login"),
                    "{path}"
                );
                let french = admin.get(path);
                assert_eq!(french.status, 200, "{path}");
                assert!(french.text().contains("<html lang=\"fr\">"));
            }
            admin.get("/lang/en");
            let english = admin.get("/settings");
            assert!(english.text().contains("Dunning scenarios"));
            assert!(admin.get("/settings/policy").text().contains("Monday"));
        });
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_limits_and_portal_durations_are_changed_by_a_manager_within_their_bounds() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            add_user(&admin, "colin@atelier.example", "collector");
        });
        let tenant = tenant(&database.store).await;
        let plans_before = app::plans::settings(&database.store, &tenant)
            .await
            .unwrap();
        let portal_before = app::portal::settings(&database.store, &tenant)
            .await
            .unwrap();
        blocking(|| {
            let collector = logged_in(&server, "colin@atelier.example");
            assert_eq!(collector.get("/settings/plans").status, 200);
            let limits = [
                ("max_installments", "6"),
                ("min_installment", "100.00"),
                ("max_months", "6"),
                ("grace_days", "3"),
            ];
            assert_eq!(
                submit(&collector, "/settings/plans", "/settings/plans", &limits).status,
                403
            );
            let typo = submit(
                &admin,
                "/settings/plans",
                "/settings/plans",
                &[
                    ("max_installments", "6"),
                    ("min_installment", "100.00"),
                    ("max_months", "6"),
                    ("grace_days", "trois"),
                ],
            );
            assert_eq!(typo.status, 422);
            assert!(typo.text().contains("id=\"error-grace_days\""));
            let bad = submit(
                &admin,
                "/settings/plans",
                "/settings/plans",
                &[
                    ("max_installments", "0"),
                    ("min_installment", "cent"),
                    ("max_months", "6"),
                    ("grace_days", "3"),
                ],
            );
            assert_eq!(bad.status, 422);
            for field in ["max_installments", "min_installment"] {
                assert!(
                    bad.text().contains(&format!("id=\"error-{field}\"")),
                    "{field}"
                );
            }
            let long = submit(
                &admin,
                "/settings/plans",
                "/settings/portal",
                &[("link_days", "400"), ("promise_max_days", "30")],
            );
            assert_eq!(long.status, 422);
            assert!(long.element("error-portal").contains("366"));
        });
        assert_eq!(
            app::plans::settings(&database.store, &tenant)
                .await
                .unwrap(),
            plans_before
        );
        assert_eq!(
            app::portal::settings(&database.store, &tenant)
                .await
                .unwrap(),
            portal_before
        );
        blocking(|| {
            let limits = [
                ("max_installments", "6"),
                ("min_installment", "100.00"),
                ("max_months", "6"),
                ("grace_days", "3"),
            ];
            let saved = submit(&admin, "/settings/plans", "/settings/plans", &limits);
            assert_eq!(saved.status, 200, "{}", saved.text());
            let portal = submit(
                &admin,
                "/settings/plans",
                "/settings/portal",
                &[("link_days", "90"), ("promise_max_days", "15")],
            );
            assert_eq!(portal.status, 200, "{}", portal.text());
        });
        let plans = app::plans::settings(&database.store, &tenant)
            .await
            .unwrap();
        assert_eq!(plans.limits.max_installments, 6);
        assert_eq!(plans.limits.min_installment.minor(), 10_000);
        assert_eq!(plans.grace_days, 3);
        let portal = app::portal::settings(&database.store, &tenant)
            .await
            .unwrap();
        assert_eq!((portal.link_days, portal.promise_max_days), (90, 15));
    });
}
