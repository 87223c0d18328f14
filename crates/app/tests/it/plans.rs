//! Payment plans from the seeds: the customer in temporary difficulty who asks for three
//! installments and honours them, and the one who pays two and stops.

use app::dunning::{self, ReportDetail, RunOptions};
use app::payments::{self, ManualPayment};
use app::plans::{self, Acceptance, PlanError, PlanRequest, SplitRequest};
use app::{PlanStatus, Store, TenantRecord};
use domain::customer::Language;
use domain::money::Money;
use domain::plan::{IncludedCharges, PlanState};
use jiff::civil::{Date, date};
use test_support::on_every_backend;

use crate::fixtures::{clock, creditor, ecb_rates_through_2027, import_csv};
use crate::late_payment::{eur, pay, statement};

/// ACME owes 3,000 due on 30 September 2026 and 500 due on 31 October; today is 20 November.
const BOOKS: &str = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,email\n\
    ACME,Acme SARL,F-1,2026-08-31,2026-09-30,3000.00,compta@acme.example\n\
    ACME,Acme SARL,F-2,2026-09-30,2026-10-31,500.00,compta@acme.example\n";

async fn books(store: &Store) -> TenantRecord {
    let tenant = creditor(store, "Atelier Bellevue").await;
    import_csv(store, &tenant, "books.csv", BOOKS.as_bytes())
        .await
        .unwrap();
    ecb_rates_through_2027(store).await;
    tenant
}

fn three_installments(invoices: &[String]) -> PlanRequest<'_> {
    PlanRequest {
        customer: "ACME",
        invoices,
        split: SplitRequest::Installments(3),
        first_on: date(2026, 11, 30),
        every: "1m",
        down_payment: None,
        waive_charges: true,
        by: "Camille Durand",
    }
}

async fn run(store: &Store, tenant: &TenantRecord, day: Date) -> dunning::CaseOutcome {
    let report = dunning::run_day(
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
    .unwrap();
    report
        .outcomes
        .into_iter()
        .find(|outcome| outcome.customer_ref == "ACME")
        .expect("ACME is reviewed")
}

/// The message queued under `step_key`, rendered as the dispatcher renders it.
async fn plan_message(
    store: &Store,
    tenant: &TenantRecord,
    step_key: &str,
) -> documents::render::Rendered {
    let action = store
        .tenant(tenant.id)
        .actions(&store::ActionFilter::default())
        .await
        .unwrap()
        .into_iter()
        .find(|action| action.step_key == step_key)
        .unwrap_or_else(|| panic!("{step_key} queued"));
    assert_eq!(action.status, "scheduled");
    assert_eq!(action.channel, "email");
    let day = action.decided_on;
    app::templates::message_for_action(store, tenant, action, day)
        .await
        .unwrap()
        .rendered
}

async fn accepted_plan(store: &Store, tenant: &TenantRecord) -> i64 {
    let proposed = plans::propose(store, tenant, clock(), &three_installments(&[]))
        .await
        .unwrap();
    let id = proposed.plan.id;
    accept_on_paper(store, tenant, id).await;
    id
}

/// The customer signed plan `id`; the copy is in its folder.
async fn accept_on_paper(store: &Store, tenant: &TenantRecord, id: i64) {
    plans::accept(
        store,
        tenant,
        clock(),
        id,
        &Acceptance {
            approved_by: None,
            note: "signed copy in the customer's folder",
            signed_copy: None,
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn three_installments_honoured_close_the_plan_and_the_waiver_stays() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let proposed = plans::propose(store, &tenant, clock(), &three_installments(&[]))
            .await
            .unwrap();
        let plan = &proposed.plan;
        assert_eq!(plan.status, PlanStatus::Proposed);
        assert_eq!(plan.covered, eur("3500.00"), "both overdue invoices");
        let amounts: Vec<_> = plan
            .installments
            .iter()
            .map(|i| (i.due_on, i.amount))
            .collect();
        assert_eq!(
            amounts,
            [
                (date(2026, 11, 30), eur("1166.66")),
                (date(2026, 12, 30), eur("1166.66")),
                (date(2027, 1, 30), eur("1166.68")),
            ]
        );
        assert!(plan.exceeded.is_empty(), "within the default limits");
        let again = plans::propose(store, &tenant, clock(), &three_installments(&[]))
            .await
            .unwrap();
        assert_eq!(again.plan.id, plan.id, "proposed once");

        let id = accepted_plan(store, &tenant).await;
        let waived = statement(store, &tenant, "ACME", date(2026, 11, 21)).await;
        assert_eq!(
            waived.waivers.len(),
            2,
            "one conditional waiver per invoice"
        );
        assert_eq!(waived.statement.totals.interest_claimed, eur("0.00"));
        assert_eq!(waived.statement.totals.indemnity_claimed, eur("0.00"));

        let paused = run(store, &tenant, date(2026, 11, 23)).await;
        assert_eq!(paused.outcome, "paused", "{}", paused.explanation);
        assert!(
            paused.explanation.contains("payment plan"),
            "{}",
            paused.explanation
        );

        for (number, on, amount) in [
            ("F-1", date(2026, 11, 30), "1166.66"),
            ("F-1", date(2026, 12, 30), "1166.66"),
            ("F-1", date(2027, 1, 29), "666.68"),
            ("F-2", date(2027, 1, 29), "500.00"),
        ] {
            pay(store, &tenant, number, on, amount).await;
        }
        let review = plans::review(store, &tenant, clock(), date(2027, 1, 31))
            .await
            .unwrap();
        assert_eq!(review.completed, [id]);
        let again = plans::review(store, &tenant, clock(), date(2027, 1, 31))
            .await
            .unwrap();
        assert!(
            again.completed.is_empty(),
            "a second review changes nothing"
        );
        let done = plans::show(store, &tenant, clock(), id).await.unwrap();
        assert_eq!(done.plan.status, PlanStatus::Completed);
        let kept = statement(store, &tenant, "ACME", date(2027, 2, 1)).await;
        assert_eq!(
            kept.waivers.len(),
            2,
            "the waivers stay once the plan is honoured"
        );
    });
}

#[tokio::test]
async fn two_installments_then_nothing_lapse_the_plan_withdraw_the_waiver_and_resume_dunning() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let id = accepted_plan(store, &tenant).await;
        // Three days before the first installment, a courteous reminder; once.
        let review = plans::review(store, &tenant, clock(), date(2026, 11, 27))
            .await
            .unwrap();
        assert_eq!(review.messages, 1);
        let again = plans::review(store, &tenant, clock(), date(2026, 11, 28))
            .await
            .unwrap();
        assert_eq!(again.messages, 0, "queued once");
        let reminder = plan_message(store, &tenant, &format!("plan-{id}-before-1")).await;
        assert!(
            reminder
                .text
                .contains("1\u{202f}166,66\u{a0}€, arrive le 30 novembre 2026"),
            "{}",
            reminder.text
        );

        pay(store, &tenant, "F-1", date(2026, 11, 30), "1166.66").await;
        let review = plans::review(store, &tenant, clock(), date(2026, 12, 1))
            .await
            .unwrap();
        assert_eq!(review.messages, 1, "the first installment is confirmed");
        let received = plan_message(store, &tenant, &format!("plan-{id}-paid-1")).await;
        assert!(
            received.subject.contains("versement bien reçu"),
            "{}",
            received.subject
        );
        pay(store, &tenant, "F-1", date(2026, 12, 30), "1166.66").await;

        // Within the 5 days of grace after 30 January, the plan is late but runs.
        let late = plans::show(
            store,
            &tenant,
            app::clock::Clock::Fixed("2027-02-04T10:00:00Z".parse().unwrap()),
            id,
        )
        .await
        .unwrap();
        assert_eq!(
            late.standing.unwrap().state,
            PlanState::Late {
                installment: 3,
                grace_ends_on: date(2027, 2, 4)
            }
        );
        let review = plans::review(store, &tenant, clock(), date(2027, 2, 4))
            .await
            .unwrap();
        assert!(review.lapsed.is_empty());
        let missed = plan_message(store, &tenant, &format!("plan-{id}-missed-3")).await;
        assert!(
            missed.text.contains("au plus tard le 4 février 2027"),
            "{}",
            missed.text
        );

        // The daily run of 5 February lapses it and resumes dunning on the same run.
        let resumed = run(store, &tenant, date(2027, 2, 5)).await;
        let ended = plans::show(store, &tenant, clock(), id).await.unwrap();
        assert_eq!(ended.plan.status, PlanStatus::Lapsed);
        assert_eq!(ended.plan.ended_on, Some(date(2027, 2, 5)));
        assert_ne!(resumed.outcome, "paused", "{}", resumed.explanation);
        let claimed = statement(store, &tenant, "ACME", date(2027, 2, 5)).await;
        assert!(
            claimed.waivers.is_empty(),
            "the conditional waivers are withdrawn"
        );
        assert!(claimed.statement.totals.indemnity_claimed.is_positive());
    });
}

#[tokio::test]
async fn a_plan_beyond_the_limits_needs_a_manager_and_an_invoice_is_in_one_plan_at_most() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let long = PlanRequest {
            split: SplitRequest::Installments(24),
            ..three_installments(&[])
        };
        let proposed = plans::propose(store, &tenant, clock(), &long)
            .await
            .unwrap();
        assert_eq!(proposed.plan.exceeded, ["max-installments", "max-months"]);
        let refused = plans::accept(
            store,
            &tenant,
            clock(),
            proposed.plan.id,
            &Acceptance {
                approved_by: None,
                note: "",
                signed_copy: None,
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(refused, PlanError::NeedsApproval { .. }));

        let second = plans::propose(
            store,
            &tenant,
            clock(),
            &three_installments(&["F-1".to_owned()]),
        )
        .await
        .unwrap_err();
        let PlanError::Invalid { problems } = second else {
            panic!("{second}")
        };
        assert_eq!(problems[0].field, "invoice");
        assert!(
            problems[0]
                .describe(Language::English)
                .contains(&format!("payment plan {}", proposed.plan.id))
        );

        let approved = plans::accept(
            store,
            &tenant,
            clock(),
            proposed.plan.id,
            &Acceptance {
                approved_by: Some("Claire Martin"),
                note: "",
                signed_copy: None,
            },
        )
        .await
        .unwrap();
        assert_eq!(approved.plan.status, PlanStatus::Active);
        assert_eq!(approved.plan.approved_by.as_deref(), Some("Claire Martin"));

        let past = PlanRequest {
            first_on: date(2026, 11, 1),
            every: "fortnight",
            ..three_installments(&[])
        };
        let PlanError::Invalid { problems } = plans::propose(store, &tenant, clock(), &past)
            .await
            .unwrap_err()
        else {
            panic!("invalid input expected")
        };
        let fields: Vec<&str> = problems.iter().map(|problem| problem.field).collect();
        assert_eq!(fields, ["first", "every", "invoice"]);
    });
}

/// The penalties and indemnities the statement of `on` still claims of ACME's invoices.
async fn charges_claimed(store: &Store, tenant: &TenantRecord, on: Date) -> Money {
    let found = statement(store, tenant, "ACME", on).await;
    let mut total = eur("0.00");
    for line in &found.statement.lines {
        total = total.checked_add(line.due_interest).unwrap();
        total = total.checked_add(line.due_indemnity).unwrap();
    }
    total
}

/// ACME pays, by transfers the books allocate oldest first (what is left is its credit).
async fn transfer(store: &Store, tenant: &TenantRecord, on: Date, amount: &str) {
    payments::add_payment(
        store,
        tenant,
        clock(),
        &ManualPayment {
            customer: "ACME",
            amount,
            received_on: on,
            invoices: &[],
            reference: "virement échéancier",
        },
        Language::French,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn accrued_charges_are_covered_by_the_plan_and_never_claimed_twice() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let accrued = charges_claimed(store, &tenant, date(2026, 11, 20)).await;
        assert!(
            accrued.minor() > 8_000,
            "interest and two 40 EUR indemnities: {accrued:?}"
        );
        let mut request = three_installments(&[]);
        request.waive_charges = false;
        let proposed = plans::propose(store, &tenant, clock(), &request)
            .await
            .unwrap()
            .plan;
        assert_eq!(proposed.included, IncludedCharges::All, "the default");
        assert_eq!(proposed.charges, accrued, "the statement's figures");
        assert_eq!(
            proposed.covered,
            eur("3500.00").checked_add(accrued).unwrap()
        );
        let scheduled: i64 = proposed.installments.iter().map(|i| i.amount.minor()).sum();
        assert_eq!(scheduled, proposed.covered.minor());
        let pdf = plans::agreement(store, &tenant, clock(), proposed.id, None)
            .await
            .unwrap();
        let text = crate::templates::pdftotext(&pdf)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let charges = accrued.to_decimal_string().replace('.', ",");
        assert!(
            text.contains(&format!(
                "dont {charges} € de pénalités de retard et d'indemnités échues à ce jour"
            )) && text.contains("sont comprises dans la somme ci-dessus"),
            "{text}"
        );
        accept_on_paper(store, &tenant, proposed.id).await;
        // While the plan runs the statement (what letters claim) leaves its charges to it.
        assert_eq!(
            charges_claimed(store, &tenant, date(2026, 12, 15)).await,
            eur("0.00")
        );

        for installment in &proposed.installments {
            transfer(
                store,
                &tenant,
                installment.due_on,
                &installment.amount.to_decimal_string(),
            )
            .await;
        }
        let review = plans::review(store, &tenant, clock(), date(2027, 1, 31))
            .await
            .unwrap();
        assert_eq!(review.completed, [proposed.id]);
        let done = plans::show(store, &tenant, clock(), proposed.id)
            .await
            .unwrap();
        assert_eq!(done.plan.paid(), done.plan.covered);
        // Paid once through the plan, never claimed again.
        assert_eq!(
            charges_claimed(store, &tenant, date(2027, 3, 1)).await,
            eur("0.00")
        );
    });
}

#[tokio::test]
async fn charges_taken_over_by_a_plan_are_claimed_again_when_it_lapses() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let mut request = three_installments(&[]);
        request.waive_charges = false;
        let proposed = plans::propose(store, &tenant, clock(), &request)
            .await
            .unwrap()
            .plan;
        accept_on_paper(store, &tenant, proposed.id).await;
        let first = &proposed.installments[0];
        transfer(
            store,
            &tenant,
            first.due_on,
            &first.amount.to_decimal_string(),
        )
        .await;
        let review = plans::review(store, &tenant, clock(), date(2027, 1, 10))
            .await
            .unwrap();
        assert_eq!(review.lapsed, [proposed.id]);
        let found = statement(store, &tenant, "ACME", date(2027, 1, 10)).await;
        assert_eq!(found.statement.totals.indemnity_claimed, eur("80.00"));
        assert!(found.statement.totals.interest_claimed.is_positive());
    });
}

#[tokio::test]
async fn a_tenant_may_keep_charges_out_of_its_plans() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let refused = plans::set_settings(
            store,
            &tenant,
            clock(),
            &plans::SettingsChanges {
                include_charges: Some("some"),
                ..plans::SettingsChanges::default()
            },
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&refused, PlanError::Invalid { problems } if problems[0].field == "include_charges")
        );
        let settings = plans::set_settings(
            store,
            &tenant,
            clock(),
            &plans::SettingsChanges {
                include_charges: Some("none"),
                ..plans::SettingsChanges::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(settings.include_charges, IncludedCharges::None);
        let mut request = three_installments(&[]);
        request.waive_charges = false;
        let proposed = plans::propose(store, &tenant, clock(), &request)
            .await
            .unwrap()
            .plan;
        assert_eq!(proposed.covered, eur("3500.00"));
        assert_eq!(proposed.charges, eur("0.00"));
    });
}
