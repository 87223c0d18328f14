//! Recovery steps taken outside Relance and proven collection costs, as the statement of
//! account counts them.

use app::late_payment::{InputProblemKind, LawError, LawRecord};
use app::recovery::{self, CollectionCostRequest, RecoveryStepRequest};
use app::{RecoveryStepKind, Store, TenantRecord};
use domain::late_payment::{Rate, RateBasis};
use jiff::civil::{Date, date};
use test_support::on_every_backend;

use crate::fixtures::clock;
use crate::late_payment::{AS_OF, books, eur, line, lines, statement};

async fn notice(
    store: &Store,
    tenant: &TenantRecord,
    customer: &str,
    invoices: &[String],
    on: Date,
) -> Result<Vec<app::RecoveryStepRecord>, LawError> {
    let request = RecoveryStepRequest {
        customer,
        invoices,
        kind: RecoveryStepKind::FormalNotice,
        occurred_on: on,
        served_on: None,
        reference: "LRAR 1A 234 567 8901 2",
        note: "envoyée par le cabinet d'avocats",
    };
    recovery::record_step(store, tenant, clock(), &request).await
}

async fn cost(
    store: &Store,
    tenant: &TenantRecord,
    customer: &str,
    amount: &str,
    on: Date,
) -> Result<app::CollectionCostRecord, LawError> {
    let request = CollectionCostRequest {
        customer,
        amount,
        incurred_on: on,
        description: "Huissier : sommation de payer",
    };
    recovery::record_cost(store, tenant, clock(), &request).await
}

fn problems(error: LawError) -> Vec<(&'static str, InputProblemKind)> {
    match error {
        LawError::Invalid { problems } => problems
            .into_iter()
            .map(|problem| (problem.field, problem.kind))
            .collect(),
        other => panic!("expected invalid input, got {other}"),
    }
}

#[tokio::test]
async fn a_formal_notice_sent_outside_relance_starts_a_consumers_interest_once_however_often_recorded()
 {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let as_of = date(2025, 5, 9);
        // No invoice named: every invoice overdue and unpaid that day, here D-1.
        let recorded = notice(store, &tenant, "DUPONT", &[], date(2025, 3, 10))
            .await
            .unwrap();
        assert_eq!(recorded.len(), 1);
        assert_eq!(recorded[0].invoice_number.as_str(), "D-1");
        // V8: 60 days at 3.71 % (all other cases, 2025 S1) from 11 March.
        let after = statement(store, &tenant, "DUPONT", as_of).await;
        assert_eq!(
            lines(&after),
            [line("D-1", "15.25", "0.00", "0.00", "2515.25")]
        );
        assert_eq!(after.notes[0].formal_notice_on, Some(date(2025, 3, 10)));

        let again = notice(
            store,
            &tenant,
            "DUPONT",
            &["D-1".to_owned()],
            date(2025, 3, 10),
        )
        .await
        .unwrap();
        assert_eq!(again, recorded, "recorded once");
        let file = recovery::recovery_file(store, &tenant, "DUPONT")
            .await
            .unwrap();
        assert_eq!(file.steps.len(), 1);

        let withdrawn =
            recovery::withdraw_step(store, &tenant, clock(), recorded[0].id, "mauvais dossier")
                .await
                .unwrap();
        assert!(withdrawn.is_withdrawn());
        let back = statement(store, &tenant, "DUPONT", as_of).await;
        assert_eq!(back.statement.totals.due, eur("2500.00"));
        assert!(matches!(
            recovery::withdraw_step(store, &tenant, clock(), recorded[0].id, "encore").await,
            Err(LawError::AlreadyWithdrawn {
                record: LawRecord::RecoveryStep,
                ..
            })
        ));
        assert!(matches!(
            recovery::withdraw_cost(store, &tenant, clock(), 999, "?").await,
            Err(LawError::UnknownRecord {
                record: LawRecord::CollectionCost,
                id: 999
            })
        ));
    });
}

#[tokio::test]
async fn a_judgment_adds_5_points_to_the_legal_rate_from_the_day_after_two_months_from_its_service()
{
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        notice(store, &tenant, "DUPONT", &[], date(2025, 3, 10))
            .await
            .unwrap();
        let judgment = RecoveryStepRequest {
            customer: "DUPONT",
            invoices: &["D-1".to_owned()],
            kind: RecoveryStepKind::Judgment,
            occurred_on: date(2025, 4, 1),
            served_on: Some(date(2025, 4, 15)),
            reference: "TJ Lyon, RG 25/01234",
            note: "",
        };
        recovery::record_step(store, &tenant, clock(), &judgment)
            .await
            .unwrap();
        let found = statement(store, &tenant, "DUPONT", date(2025, 6, 30)).await;
        assert_eq!(found.notes[0].judgment_on, Some(date(2025, 4, 15)));
        let periods = &found.statement.lines[0].late_interest.periods;
        let increased: Vec<(Date, Option<Rate>)> = periods
            .iter()
            .map(|period| match period.basis {
                RateBasis::FrenchLegalRate {
                    judgment_increase, ..
                } => (period.from, judgment_increase),
                other => panic!("legal rate expected, got {other:?}"),
            })
            .collect();
        assert_eq!(
            increased,
            [
                (date(2025, 3, 11), None),
                (date(2025, 6, 16), Some(Rate::percentage_points(5)))
            ],
            "served on 15 April: two months pass on 15 June, the increase runs from the 16th"
        );
    });
}

#[tokio::test]
async fn proven_costs_are_claimed_beyond_the_40_euro_indemnities_and_once() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let recorded = cost(store, &tenant, "ACME", "250.00", date(2025, 4, 20))
            .await
            .unwrap();
        let found = statement(store, &tenant, "ACME", AS_OF).await;
        let costs = found.statement.costs.unwrap();
        assert_eq!(costs.proven, eur("250.00"));
        assert_eq!(costs.covered_by_indemnities, eur("80.00"));
        assert_eq!(costs.claimed, eur("170.00"));
        assert_eq!(found.costs.len(), 1);
        // 7,470.07 without costs (see the late-payment tests).
        assert_eq!(found.statement.totals.due, eur("7640.07"));
        // Costs incurred after the statement's day are not in it.
        let earlier = statement(store, &tenant, "ACME", date(2025, 4, 19)).await;
        assert_eq!(earlier.statement.costs, None);

        let again = cost(store, &tenant, "ACME", "250.00", date(2025, 4, 20))
            .await
            .unwrap();
        assert_eq!(again.id, recorded.id, "recorded once");

        recovery::withdraw_cost(store, &tenant, clock(), recorded.id, "non justifiés")
            .await
            .unwrap();
        let without = statement(store, &tenant, "ACME", AS_OF).await;
        assert_eq!(without.statement.totals.due, eur("7470.07"));
    });
}

#[tokio::test]
async fn costs_are_refused_for_a_consumer_and_bad_input_is_named_field_by_field() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let refused = cost(store, &tenant, "DUPONT", "250.00", date(2025, 4, 20))
            .await
            .unwrap_err();
        assert!(matches!(
            problems(refused).as_slice(),
            [("customer", InputProblemKind::CostsNotChargeable { .. })]
        ));

        let future = date(2027, 1, 1);
        let bad = cost(store, &tenant, "ACME", "-3", future)
            .await
            .unwrap_err();
        assert!(matches!(
            problems(bad).as_slice(),
            [
                ("amount", InputProblemKind::NotPositive),
                ("on", InputProblemKind::InTheFuture { .. })
            ]
        ));

        let foreign = notice(
            store,
            &tenant,
            "ACME",
            &["O-1".to_owned()],
            date(2025, 3, 1),
        )
        .await
        .unwrap_err();
        assert!(matches!(
            problems(foreign).as_slice(),
            [("invoice", InputProblemKind::InvoiceOfAnotherCustomer { customer })] if customer == "OTHER"
        ));
        // On 20 January only F-4 was due, and it had been paid on the 10th.
        let nothing = notice(store, &tenant, "ACME", &[], date(2025, 1, 20))
            .await
            .unwrap_err();
        assert!(matches!(
            problems(nothing).as_slice(),
            [("invoice", InputProblemKind::NothingOverdue { .. })]
        ));
        let file = recovery::recovery_file(store, &tenant, "ACME")
            .await
            .unwrap();
        assert!(
            file.steps.is_empty() && file.costs.is_empty(),
            "nothing half-recorded"
        );
    });
}
