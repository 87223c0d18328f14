//! The daily run on a real database: each step recorded once, a re-run writes nothing, and what
//! collectors record (disputes, promises, holds, incidents, contacts) stops or redirects it.

use app::dunning::{self, ContactEntry, ReportDetail, RunOptions, RunReport};
use app::{Store, TenantRecord};
use domain::customer::Language;
use domain::engine::CaseProgress;
use jiff::civil::{Date, date};
use store::CaseUpdate;
use test_support::on_every_backend;

use crate::fixtures::{clock, creditor, import_csv};

/// Today is Friday 20 November 2026 (the fixed clock).
const PORTFOLIO: &str = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,email,phone\n\
    LATE,Retard SARL,F-1,2026-10-01,2026-11-02,1200.00,1200.00,compta@retard.fr,01 23 45 67 89\n\
    LATE,Retard SARL,F-2,2026-10-15,2026-11-19,300.00,300.00,compta@retard.fr,01 23 45 67 89\n\
    SOON,Bientot SAS,F-3,2026-10-23,2026-11-23,500.00,500.00,achats@bientot.fr,\n\
    PAID,Solde SA,F-4,2026-09-01,2026-10-01,800.00,0.00,compta@solde.fr,\n";

async fn setup(store: &Store) -> TenantRecord {
    let tenant = creditor(store, "Atelier Bellevue").await;
    import_csv(store, &tenant, "portfolio.csv", PORTFOLIO.as_bytes())
        .await
        .unwrap();
    tenant
}

async fn run(store: &Store, tenant: &TenantRecord, day: Date) -> RunReport {
    dunning::run_day(
        store,
        tenant,
        clock(),
        RunOptions {
            date: Some(day),
            dry_run: false,
            language: Language::English,
            detail: ReportDetail::Every,
        },
    )
    .await
    .unwrap()
}

/// The customers a run looked at, in the order it did.
fn looked_at(report: &RunReport) -> Vec<&str> {
    report
        .outcomes
        .iter()
        .map(|outcome| outcome.customer_ref.as_str())
        .collect()
}

async fn steps(
    store: &Store,
    tenant: &TenantRecord,
    customer: &str,
) -> Vec<(String, String, String)> {
    dunning::list_actions(store, tenant, None, Some(customer), None)
        .await
        .unwrap()
        .into_iter()
        .filter(|action| !action.companion)
        .map(|action| {
            (
                action.decided_on.to_string(),
                action.step_key,
                action.channel,
            )
        })
        .collect()
}

#[tokio::test]
async fn a_daily_run_ends_with_its_writes_in_the_database_file_and_an_empty_log() {
    let directory = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&directory.path().join("relance.db"))
        .await
        .unwrap();
    let tenant = setup(&store).await;
    let report = run(&store, &tenant, date(2026, 11, 20)).await;
    assert!(report.writes.actions > 0);
    // The batch writer never checkpoints during the run; left in the log, its writes would be
    // read back from there by the next process until some later checkpoint.
    let log = std::fs::metadata(directory.path().join("relance.db-wal")).unwrap();
    assert_eq!(log.len(), 0);
    store.close().await;
}

#[tokio::test]
async fn a_run_whose_writing_fails_stops_with_the_error_instead_of_waiting() {
    on_every_backend!(|database| {
        // Enough customers for four batches: the reading has run ahead and waits to hand on
        // the next one when the first batch's writing fails.
        let store = &database.store;
        let tenant = creditor(store, "Atelier Bellevue").await;
        let mut portfolio = String::from(
            "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,email\n",
        );
        for customer in 0..35_000 {
            portfolio.push_str(&format!(
                "C{customer},Client {customer},F-{customer},2026-10-01,2026-11-02,120.00,c{customer}@client.fr\n"
            ));
        }
        import_csv(store, &tenant, "portfolio.csv", portfolio.as_bytes())
            .await
            .unwrap();
        database
            .execute_raw(
                "CREATE TRIGGER refuse_actions BEFORE INSERT ON actions \
                 BEGIN SELECT RAISE(ABORT, 'the disk is full'); END",
                "CREATE FUNCTION refuse_actions() RETURNS trigger LANGUAGE plpgsql \
                 AS $$ BEGIN RAISE EXCEPTION 'the disk is full'; END $$; \
                 CREATE TRIGGER refuse_actions BEFORE INSERT ON actions \
                 FOR EACH ROW EXECUTE FUNCTION refuse_actions();",
            )
            .await
            .unwrap();

        let options = RunOptions {
            date: Some(date(2026, 11, 20)),
            dry_run: false,
            language: Language::English,
            detail: ReportDetail::CountsOnly,
        };
        let outcome = tokio::time::timeout(
            std::time::Duration::from_secs(120),
            dunning::run_day(store, &tenant, clock(), options),
        )
        .await
        .expect("the run stops instead of waiting for stages that stopped");
        let error = outcome
            .expect_err("the writing's error is the run's")
            .to_string();
        assert!(error.contains("the disk is full"), "{error}");
        let actions = dunning::list_actions(store, &tenant, None, None, None)
            .await
            .unwrap();
        assert!(actions.is_empty(), "{} actions written", actions.len());
    });
}

#[tokio::test]
async fn the_daily_run_records_each_step_once_and_a_rerun_writes_nothing() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let first = run(store, &tenant, date(2026, 11, 20)).await;
        assert_eq!(
            first.customers_examined, 2,
            "every new customer who owes something is looked at once"
        );
        assert!(
            first
                .outcomes
                .iter()
                .all(|outcome| outcome.customer_ref != "PAID"),
            "the customer who owes nothing rests from the import on: nothing to decide"
        );
        assert!(steps(store, &tenant, "PAID").await.is_empty());
        let late = dunning::list_actions(store, &tenant, None, Some("LATE"), None)
            .await
            .unwrap();
        assert_eq!(late.len(), 1);
        assert_eq!(late[0].step_key, "first_reminder");
        assert_eq!(late[0].invoice_numbers, vec!["F-1", "F-2"]);
        assert_eq!(late[0].status, "scheduled");
        assert_eq!(
            late[0].scheduled_at,
            "2026-11-20T09:00:00+01:00[Europe/Paris]"
        );
        assert!(
            late[0]
                .explanation
                .render(Language::English)
                .starts_with("J+1, step 'first_reminder' (18 days past due)")
        );
        assert_eq!(
            steps(store, &tenant, "SOON").await,
            vec![(
                "2026-11-20".into(),
                "pre_due_reminder".into(),
                "email".into()
            )]
        );

        let again = run(store, &tenant, date(2026, 11, 20)).await;
        assert_eq!(again.customers_examined, 0);
        assert_eq!(again.writes.total(), 0);

        let dry = dunning::run_day(
            store,
            &tenant,
            clock(),
            RunOptions {
                date: Some(date(2026, 11, 30)),
                dry_run: true,
                language: Language::French,
                detail: ReportDetail::Every,
            },
        )
        .await
        .unwrap();
        assert!(dry.actions_decided() > 0);
        assert_eq!(dry.writes.total(), 0);
        assert_eq!(
            steps(store, &tenant, "LATE").await.len(),
            1,
            "a dry run records nothing"
        );

        // After a reset the cases start afresh, in a new episode whose actions are recorded.
        dunning::reset(store, &tenant).await.unwrap();
        let cold = run(store, &tenant, date(2026, 11, 27)).await;
        assert!(cold.actions_decided() > 0);
        assert_eq!(cold.writes.actions as usize, cold.actions_decided());
        let examined = looked_at(&cold);
        assert_eq!(
            examined,
            vec!["LATE", "SOON"],
            "a customer at rest has nothing to start afresh"
        );
    });
}

#[tokio::test]
async fn a_month_of_runs_climbs_the_ladder_within_the_contact_limits() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let blocked = dunning::simulate(
            store,
            &tenant,
            clock(),
            date(2026, 11, 20),
            date(2026, 12, 10),
            Language::English,
        )
        .await
        .unwrap();
        let last = blocked.last().unwrap();
        assert!(
            last.outcomes.is_empty()
                || blocked.iter().any(|day| day
                    .outcomes
                    .iter()
                    .any(|o| o.explanation.contains("step 'formal_notice' cannot go out"))),
            "without a postal address the formal notice waits, it is never passed over"
        );
        assert!(
            !steps(store, &tenant, "LATE")
                .await
                .iter()
                .any(|(_, key, _)| key == "handoff")
        );
        database
            .execute_raw(
                "UPDATE customers SET address_line1 = '4 rue Mercière', postal_code = '69002', city = 'Lyon' WHERE reference = 'LATE'",
                "UPDATE customers SET address_line1 = '4 rue Mercière', postal_code = '69002', city = 'Lyon' WHERE reference = 'LATE'",
            )
            .await
            .unwrap();
        let reports = dunning::simulate(
            store,
            &tenant,
            clock(),
            date(2026, 12, 11),
            date(2026, 12, 31),
            Language::French,
        )
        .await
        .unwrap();
        assert_eq!(reports.len(), 21);
        let late: Vec<(String, String)> = steps(store, &tenant, "LATE")
            .await
            .into_iter()
            .map(|(day, key, _)| (day, key))
            .collect();
        let keys: Vec<&str> = late.iter().map(|(_, key)| key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "first_reminder",
                "second_reminder",
                "phone_call",
                "formal_warning",
                "formal_notice"
            ]
        );
        // At least three days between two contacts.
        for pair in late.windows(2) {
            let a: Date = pair[0].0.parse().unwrap();
            let b: Date = pair[1].0.parse().unwrap();
            assert!((b - a).get_days() >= 3, "{pair:?}");
        }
        let notice = dunning::list_actions(
            store,
            &tenant,
            None,
            Some("LATE"),
            Some("awaiting_approval"),
        )
        .await
        .unwrap();
        let channels: Vec<&str> = notice.iter().map(|a| a.channel.as_str()).collect();
        assert_eq!(channels, ["registered_letter", "email"]);

        // Approval schedules the notice and its copy together; the next run moves on at J+45.
        dunning::approve_action(store, &tenant, notice[0].id)
            .await
            .unwrap();
        let scheduled =
            dunning::list_actions(store, &tenant, None, Some("LATE"), Some("scheduled"))
                .await
                .unwrap();
        assert!(scheduled.iter().any(|a| a.channel == "registered_letter"));
        assert!(
            scheduled
                .iter()
                .any(|a| a.channel == "email" && a.step_key == "formal_notice")
        );
    });
}

#[tokio::test]
async fn an_upheld_dispute_keeps_its_invoice_aside_and_a_rejected_one_brings_it_back() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        for number in ["F-1", "F-2", "F-3"] {
            dunning::open_dispute(store, &tenant, clock(), number, "price", "")
                .await
                .unwrap();
        }
        dunning::close_dispute(store, &tenant, clock(), "F-1", "upheld")
            .await
            .unwrap();
        dunning::close_dispute(store, &tenant, clock(), "F-2", "rejected")
            .await
            .unwrap();

        run(store, &tenant, date(2026, 11, 30)).await;
        let late =
            dunning::list_actions(store, &tenant, Some(date(2026, 11, 30)), Some("LATE"), None)
                .await
                .unwrap();
        assert_eq!(late.len(), 1);
        assert_eq!(late[0].invoice_numbers, vec!["F-2"]);
        assert!(
            steps(store, &tenant, "SOON").await.is_empty(),
            "an open dispute on the only invoice stops everything"
        );
    });
}

#[tokio::test]
async fn disputes_promises_holds_and_incidents_stop_the_reminders() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        run(store, &tenant, date(2026, 11, 20)).await;

        dunning::open_dispute(store, &tenant, clock(), "F-1", "defective", "pièce cassée")
            .await
            .unwrap();
        let error = dunning::open_dispute(store, &tenant, clock(), "F-1", "price", "")
            .await
            .unwrap_err();
        assert!(error.to_string().contains("already has an open dispute"));
        dunning::add_promise(
            store,
            &tenant,
            clock(),
            "SOON",
            "500",
            date(2026, 12, 4),
            "",
        )
        .await
        .unwrap();

        run(store, &tenant, date(2026, 11, 30)).await;
        let late =
            dunning::list_actions(store, &tenant, Some(date(2026, 11, 30)), Some("LATE"), None)
                .await
                .unwrap();
        assert_eq!(late.len(), 1);
        assert_eq!(
            late[0].invoice_numbers,
            vec!["F-2"],
            "the disputed invoice is left aside"
        );
        assert!(
            steps(store, &tenant, "SOON").await.len() == 1,
            "no reminder during the promise"
        );

        dunning::hold(
            store,
            &tenant,
            clock(),
            "LATE",
            date(2026, 12, 31),
            "redressement en cours",
        )
        .await
        .unwrap();
        dunning::report_incident(
            store,
            &tenant,
            clock(),
            "SOON",
            "insultes au téléphone",
            Language::French,
        )
        .await
        .unwrap();
        dunning::simulate(
            store,
            &tenant,
            clock(),
            date(2026, 12, 1),
            date(2026, 12, 31),
            Language::English,
        )
        .await
        .unwrap();
        let after: Vec<_> = dunning::list_actions(store, &tenant, None, None, None)
            .await
            .unwrap()
            .into_iter()
            .filter(|action| action.decided_on > date(2026, 11, 30))
            .collect();
        assert!(
            after.is_empty(),
            "nothing during a hold or after an incident: {after:?}"
        );
        let legal = dunning::list_actions(
            store,
            &tenant,
            None,
            Some("SOON"),
            Some("awaiting_approval"),
        )
        .await
        .unwrap();
        assert_eq!(legal.len(), 1);
        assert_eq!(legal[0].channel, "legal");
        assert!(
            legal[0]
                .explanation
                .render(Language::English)
                .contains("voie judiciaire proposée (insultes au téléphone)")
        );
        let error = dunning::list_actions(store, &tenant, None, None, Some("done"))
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("unknown status \"done\""),
            "{error}"
        );

        // The dispute is rejected: the invoice comes back into the reminders after the hold.
        dunning::close_dispute(store, &tenant, clock(), "F-1", "rejected")
            .await
            .unwrap();
        run(store, &tenant, date(2027, 1, 4)).await;
        let back =
            dunning::list_actions(store, &tenant, Some(date(2027, 1, 4)), Some("LATE"), None)
                .await
                .unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].invoice_numbers, vec!["F-1", "F-2"]);
    });
}

#[tokio::test]
async fn a_bounced_email_sends_the_next_reminder_by_letter() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        run(store, &tenant, date(2026, 11, 20)).await;
        let entry = ContactEntry {
            customer: "LATE",
            channel: "email",
            outcome: "bounced",
            reason: None,
            note: "adresse inconnue",
            on: Some(date(2026, 11, 21)),
        };
        dunning::log_contact(store, &tenant, clock(), &entry)
            .await
            .unwrap();
        let reached = ContactEntry {
            outcome: "reached",
            channel: "phone",
            ..entry
        };
        let error = dunning::log_contact(store, &tenant, clock(), &reached)
            .await
            .unwrap_err();
        assert!(error.to_string().contains("--reason"));
        // No e-mail, and no postal address for a letter: the written reminder cannot go out,
        // so the case moves on to the phone call, and says why.
        run(store, &tenant, date(2026, 11, 26)).await;
        let actions =
            dunning::list_actions(store, &tenant, Some(date(2026, 11, 26)), Some("LATE"), None)
                .await
                .unwrap();
        assert_eq!(actions.len(), 1, "{actions:?}");
        assert_eq!(actions[0].channel, "phone_task");
        assert!(
            actions[0]
                .explanation
                .render(Language::English)
                .contains("step 'second_reminder' passed over: no usable channel"),
            "{}",
            actions[0].explanation.render(Language::English)
        );
    });
}

#[tokio::test]
async fn scenarios_and_policies_are_files_the_user_edits() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let rules = dunning::rules(store, &tenant).await.unwrap();
        let b2b = rules
            .scenarios
            .iter()
            .find(|s| s.name() == "b2b-fr")
            .unwrap();
        let text = dunning::scenario_text(b2b).replace("name = \"b2b-fr\"", "name = \"gentle\"");
        let name = dunning::import_scenario(store, &tenant, clock(), "gentle.toml", &text)
            .await
            .unwrap();
        assert_eq!(name, "gentle");
        dunning::assign_scenario(store, &tenant, "LATE", Some("gentle"))
            .await
            .unwrap();
        let error = dunning::assign_scenario(store, &tenant, "LATE", Some("harsh"))
            .await
            .unwrap_err();
        assert!(error.to_string().contains("unknown scenario"));

        let hasty = text.replace("offset_days = 45", "offset_days = 20");
        let error = dunning::import_scenario(store, &tenant, clock(), "hasty.toml", &hasty)
            .await
            .unwrap_err();
        assert!(error.to_string().contains("hasty.toml"), "{error}");

        let policy = dunning::policy_text(store, &tenant, None).await.unwrap();
        let stricter = policy.replace(
            "min_days_between_contacts = 3",
            "min_days_between_contacts = 5",
        );
        dunning::import_policy(store, &tenant, clock(), None, "policy.toml", &stricter)
            .await
            .unwrap();
        let rules = dunning::rules(store, &tenant).await.unwrap();
        assert_eq!(rules.policy.min_days_between_contacts, 5);
    });
}

#[tokio::test]
async fn a_new_invoice_or_a_payment_puts_a_sleeping_case_back_in_front_of_the_run() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        run(store, &tenant, date(2026, 11, 20)).await;
        assert_eq!(
            run(store, &tenant, date(2026, 11, 20))
                .await
                .customers_examined,
            0
        );

        // PAID owed nothing and sleeps; a new overdue invoice for it arrives with the next export,
        // with two new customers: one who owes, one who has already paid (who rests at once).
        let with_new_invoice = format!(
            "{PORTFOLIO}PAID,Solde SA,F-5,2026-10-01,2026-11-05,90.00,90.00,compta@solde.fr,\n\
             NEWLATE,Nouveau Retard SAS,F-6,2026-10-01,2026-11-05,70.00,70.00,compta@nr.fr,\n\
             NEWPAID,Nouveau Solde SAS,F-7,2026-10-01,2026-11-05,60.00,0.00,compta@ns.fr,\n"
        );
        import_csv(
            store,
            &tenant,
            "portfolio-2.csv",
            with_new_invoice.as_bytes(),
        )
        .await
        .unwrap();
        let woken = run(store, &tenant, date(2026, 11, 20)).await;
        let examined = looked_at(&woken);
        assert_eq!(
            examined,
            vec!["PAID", "NEWLATE"],
            "only the customers with something new to collect"
        );
        assert_eq!(
            steps(store, &tenant, "PAID").await,
            vec![("2026-11-20".into(), "first_reminder".into(), "email".into())]
        );

        // LATE pays part of F-1: the changed balance wakes its case, and only its case.
        let part_paid = with_new_invoice.replace(
            "F-1,2026-10-01,2026-11-02,1200.00,1200.00",
            "F-1,2026-10-01,2026-11-02,1200.00,200.00",
        );
        import_csv(store, &tenant, "portfolio-3.csv", part_paid.as_bytes())
            .await
            .unwrap();
        let after_payment = run(store, &tenant, date(2026, 11, 20)).await;
        let examined = looked_at(&after_payment);
        assert_eq!(examined, vec!["LATE"]);
        assert_eq!(
            after_payment.writes.actions, 0,
            "the same step is not taken twice"
        );
    });
}

#[tokio::test]
async fn a_fact_recorded_while_the_run_decides_is_not_overwritten_by_it() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let handle = store.tenant(tenant.id);
        let today = date(2026, 11, 20);
        let late = handle.customers_due(today).await.unwrap()[0];
        let batch = handle.load_cases(&[late], today).await.unwrap();
        let read = batch.cases[&late].clone();
        assert_eq!(
            read.next_review_on,
            date(1, 1, 1),
            "a new customer is due now"
        );

        // A collector records a fact about LATE after the run read it and before it writes.
        handle.wake_customer(late).await.unwrap();
        let level_taken = CaseProgress {
            level: Some(1),
            level_on: Some(today),
            ..read.progress.clone()
        };
        let decided = CaseUpdate {
            customer: late,
            progress: level_taken.clone(),
            next_review_on: Some(date(2026, 11, 27)),
            previous: Some(read),
            actions: Vec::new(),
            promise_updates: Vec::new(),
        };
        handle
            .record_cases(vec![decided], test_support::fixed_now())
            .await
            .unwrap();
        assert!(
            handle.customers_due(today).await.unwrap().contains(&late),
            "the case is looked at again today, with the new fact"
        );
        let after = handle.load_cases(&[late], today).await.unwrap();
        assert_eq!(
            after.cases[&late].progress, level_taken,
            "the step the run took is remembered"
        );
    });
}
