//! Credit notes, settlements in kind, assignments and write-offs: each takes its amount off the
//! invoice at once, once, and the statement of account treats it as the law does.

use app::late_payment::{InputProblemKind, LawError};
use app::settlements::{self, SettlementRequest};
use domain::settlement::{SettlementError, SettlementKind};
use jiff::civil::date;
use test_support::on_every_backend;

use crate::fixtures::clock;
use crate::late_payment::{AS_OF, books, eur, statement};

fn request<'a>(
    customer: &'a str,
    invoice: &'a str,
    kind: &'a str,
    amount: Option<&'a str>,
) -> SettlementRequest<'a> {
    SettlementRequest {
        customer,
        invoice,
        kind,
        amount,
        on: date(2025, 4, 1),
        reason: "accord du 1er avril",
        by: "Claire Martin",
        counterparty: "",
    }
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
async fn a_credit_note_is_taken_off_from_the_start_and_a_settlement_in_kind_on_its_day() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let before = statement(store, &tenant, "ACME", AS_OF).await;

        let credit = settlements::record(
            store,
            &tenant,
            clock(),
            &request("ACME", "F-1", "credit-note", Some("2000.00")),
        )
        .await
        .unwrap();
        assert_eq!(credit.kind, SettlementKind::CreditNote);
        let again = settlements::record(
            store,
            &tenant,
            clock(),
            &request("ACME", "F-1", "credit-note", Some("2000.00")),
        )
        .await
        .unwrap();
        assert_eq!(again.id, credit.id, "recorded once");

        let credited = statement(store, &tenant, "ACME", AS_OF).await;
        // The credited part was never owed: counted as settled on the due date, no interest.
        assert_eq!(credited.notes[0].undated_paid, eur("2000.00"));
        assert!(
            credited.statement.lines[0].late_interest.interest.minor()
                < before.statement.lines[0].late_interest.interest.minor()
        );
        // Interest ran on 10,000 until the 5,000 of 2 March (30 days at 13.15 %: 108.08, paid
        // first), so 10,000 − 4,891.92 = 5,108.08 of principal is left.
        assert_eq!(credited.statement.lines[0].due_principal, eur("5108.08"));

        let mut in_kind = request("ACME", "F-1", "in-kind", Some("1000.00"));
        in_kind.counterparty = "two pallets of flour";
        settlements::record(store, &tenant, clock(), &in_kind)
            .await
            .unwrap();
        let settled = statement(store, &tenant, "ACME", AS_OF).await;
        let paid_on: Vec<_> = settled.statement.lines[0]
            .late_interest
            .payments
            .iter()
            .map(|payment| (payment.paid_on, payment.amount))
            .collect();
        assert!(
            paid_on.contains(&(date(2025, 4, 1), eur("1000.00"))),
            "{paid_on:?}"
        );
        assert_eq!(settled.notes[0].undated_paid, eur("2000.00"));
        let listed = settlements::list(store, &tenant, Some("ACME"), None)
            .await
            .unwrap();
        assert_eq!(listed.len(), 2);
    });
}

#[tokio::test]
async fn a_write_off_or_an_assignment_takes_the_whole_balance_and_nothing_is_claimed_after() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        settlements::record(
            store,
            &tenant,
            clock(),
            &request("DUPONT", "D-1", "write-off", None),
        )
        .await
        .unwrap();
        let written_off = statement(store, &tenant, "DUPONT", date(2025, 5, 9)).await;
        assert!(written_off.statement.lines.is_empty());
        assert_eq!(written_off.statement.totals.due, eur("0.00"));

        let refused = settlements::record(
            store,
            &tenant,
            clock(),
            &request("ACME", "F-1", "assignment", None),
        )
        .await
        .unwrap_err();
        assert!(matches!(
            problems(refused).as_slice(),
            [("counterparty", InputProblemKind::Empty)]
        ));
        let mut assignment = request("ACME", "F-1", "assignment", None);
        assignment.counterparty = "Factor SA";
        let assigned = settlements::record(store, &tenant, clock(), &assignment)
            .await
            .unwrap();
        assert_eq!(assigned.amount, eur("7000.00"), "the whole balance of F-1");
    });
}

#[tokio::test]
async fn impossible_settlements_are_refused_and_change_nothing() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let too_much = settlements::record(
            store,
            &tenant,
            clock(),
            &request("ACME", "F-1", "credit-note", Some("7000.01")),
        )
        .await
        .unwrap_err();
        assert!(matches!(
            problems(too_much).as_slice(),
            [(
                "amount",
                InputProblemKind::Settlement(SettlementError::MoreThanOwed { .. })
            )]
        ));
        let nonsense = settlements::record(
            store,
            &tenant,
            clock(),
            &request("ACME", "O-1", "gift", None),
        )
        .await
        .unwrap_err();
        let fields: Vec<_> = problems(nonsense)
            .into_iter()
            .map(|(field, _)| field)
            .collect();
        assert_eq!(fields, ["kind", "invoice"]);
        assert!(
            settlements::list(store, &tenant, None, None)
                .await
                .unwrap()
                .is_empty()
        );
        let unchanged = statement(store, &tenant, "ACME", AS_OF).await;
        assert_eq!(unchanged.statement.totals.due, eur("7470.07"));
    });
}
