//! Credit notes, settlements in kind, assignments and write-offs: each takes its amount off the
//! invoice at once, once, and the statement of account treats it as the law does.

use app::dunning::{self, ReportDetail, RunOptions};
use app::late_payment::{InputProblemKind, LawError};
use app::payments;
use app::settlements::{self, SettlementRequest};
use domain::customer::{CustomerRef, Language};
use domain::settlement::{SettlementError, SettlementKind};
use jiff::civil::date;
use test_support::on_every_backend;

use crate::fixtures::{clock, creditor, ecb_rates_through_2027, import_csv};
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
        language: domain::customer::Language::English,
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
        assert_eq!(credit.record.kind, SettlementKind::CreditNote);
        let again = settlements::record(
            store,
            &tenant,
            clock(),
            &request("ACME", "F-1", "credit-note", Some("2000.00")),
        )
        .await
        .unwrap();
        assert_eq!(again.record.id, credit.record.id, "recorded once");
        assert_eq!(again.effects, None);

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
        assert_eq!(
            assigned.record.amount,
            eur("7000.00"),
            "the whole balance of F-1"
        );
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

/// Today is Friday 20 November 2026 (the fixed clock): LATE owes 1,200 and 300, both due.
const PORTFOLIO: &str = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,email\n\
    LATE,Retard SARL,F-1,2026-10-01,2026-11-02,1200.00,1200.00,compta@retard.fr\n\
    LATE,Retard SARL,F-2,2026-10-15,2026-11-19,300.00,300.00,compta@retard.fr\n\
    OTHER,Garage du Centre,F-4,2026-10-01,2026-11-01,990.00,990.00,garage@centre.fr\n";

async fn portfolio(store: &app::Store) -> app::TenantRecord {
    let tenant = creditor(store, "Atelier Bellevue").await;
    import_csv(store, &tenant, "portfolio.csv", PORTFOLIO.as_bytes())
        .await
        .unwrap();
    ecb_rates_through_2027(store).await;
    dunning::run_day(
        store,
        &tenant,
        clock(),
        RunOptions {
            date: Some(date(2026, 11, 20)),
            dry_run: false,
            language: Language::English,
            detail: ReportDetail::Every,
        },
    )
    .await
    .unwrap();
    tenant
}

fn settle<'a>(
    customer: &'a str,
    invoice: &'a str,
    kind: &'a str,
    amount: Option<&'a str>,
) -> SettlementRequest<'a> {
    SettlementRequest {
        on: date(2026, 11, 20),
        reason: "accord commercial",
        ..request(customer, invoice, kind, amount)
    }
}

async fn actions_of(
    store: &app::Store,
    tenant: &app::TenantRecord,
    customer: &str,
) -> Vec<app::ActionRecord> {
    dunning::list_actions(store, tenant, None, Some(customer), None)
        .await
        .unwrap()
}

async fn closures_of(
    store: &app::Store,
    tenant: &app::TenantRecord,
    customer: &str,
) -> Vec<store::ClosureRecord> {
    let id = store
        .tenant(tenant.id)
        .customer_id(&CustomerRef::parse(customer).unwrap())
        .await
        .unwrap();
    payments::customer_payments(store, tenant, id)
        .await
        .unwrap()
        .0
}

async fn owed(store: &app::Store, tenant: &app::TenantRecord, number: &str) -> String {
    store
        .tenant(tenant.id)
        .invoices(&app::InvoiceFilter::default())
        .await
        .unwrap()
        .into_iter()
        .find(|invoice| invoice.number.as_str() == number)
        .unwrap()
        .outstanding
        .to_decimal_string()
}

#[tokio::test]
async fn a_settlement_that_leaves_nothing_owed_closes_the_case_as_a_payment_does() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = portfolio(store).await;
        let reminders: Vec<i64> = actions_of(store, &tenant, "LATE")
            .await
            .iter()
            .filter(|action| matches!(action.status.as_str(), "scheduled" | "awaiting_approval"))
            .map(|action| action.id)
            .collect();
        assert!(!reminders.is_empty(), "the run scheduled a reminder");

        // A credit note on F-2 leaves F-1 owed: nothing closes, the reminder still holds.
        let partial = settlements::record(
            store,
            &tenant,
            clock(),
            &settle("LATE", "F-2", "credit-note", Some("300.00")),
        )
        .await
        .unwrap();
        let effects = partial.effects.unwrap();
        assert!(!effects.case_closed);
        assert_eq!(effects.actions_cancelled, 0);
        assert!(closures_of(store, &tenant, "LATE").await.is_empty());

        // Writing F-1 off leaves nothing owed: the case closes as after a payment.
        let closing = settlements::record(
            store,
            &tenant,
            clock(),
            &settle("LATE", "F-1", "write-off", None),
        )
        .await
        .unwrap();
        let effects = closing.effects.unwrap();
        assert!(effects.case_closed);
        assert!(effects.receipt_queued && effects.thank_you_queued);
        assert_eq!(effects.actions_cancelled as usize, reminders.len());
        let closures = closures_of(store, &tenant, "LATE").await;
        assert_eq!(closures.len(), 1);
        assert_eq!(closures[0].closed_on, date(2026, 11, 20));
        assert_eq!(closures[0].settlement, Some(closing.record.id));
        assert_eq!(closures[0].payment, None);
        assert_eq!(closures[0].reopened_on, None);
        let actions = actions_of(store, &tenant, "LATE").await;
        for id in &reminders {
            let reminder = actions.iter().find(|action| action.id == *id).unwrap();
            assert_eq!(reminder.status, "cancelled");
            assert!(
                reminder
                    .status_note
                    .as_deref()
                    .unwrap()
                    .contains("settled (write-off)"),
                "{:?}",
                reminder.status_note
            );
        }
        for key in ["receipt", "thank_you"] {
            let queued = actions
                .iter()
                .find(|action| action.step_key == key)
                .unwrap();
            assert_eq!(queued.status, "scheduled");
            assert_eq!(queued.channel, "email");
            assert_eq!(queued.invoice_numbers, ["F-1"], "the invoice it settled");
        }
        // The same settlement again writes nothing more.
        let again = settlements::record(
            store,
            &tenant,
            clock(),
            &settle("LATE", "F-1", "write-off", None),
        )
        .await
        .unwrap();
        assert_eq!(again.record.id, closing.record.id);
        assert_eq!(again.effects, None);
        assert_eq!(closures_of(store, &tenant, "LATE").await.len(), 1);
        assert_eq!(
            actions_of(store, &tenant, "LATE").await.len(),
            actions.len()
        );

        // The tenant's payment settings hold for settlements too: no receipt, thanks only.
        payments::change_settings(
            store,
            &tenant,
            clock(),
            &payments::SettingsChange {
                send_receipt: Some(false),
                ..payments::SettingsChange::default()
            },
        )
        .await
        .unwrap();
        let mut assignment = settle("OTHER", "F-4", "assignment", None);
        assignment.counterparty = "Factor SA";
        let assigned = settlements::record(store, &tenant, clock(), &assignment)
            .await
            .unwrap()
            .effects
            .unwrap();
        assert!(assigned.case_closed);
        assert!(!assigned.receipt_queued && assigned.thank_you_queued);
        let other = actions_of(store, &tenant, "OTHER").await;
        assert!(!other.iter().any(|action| action.step_key == "receipt"));
        assert!(other.iter().any(|action| action.step_key == "thank_you"));
    });
}

#[tokio::test]
async fn undoing_a_settlement_gives_back_what_it_took_and_reopens_the_case_it_closed() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = portfolio(store).await;
        settlements::record(
            store,
            &tenant,
            clock(),
            &settle("LATE", "F-2", "credit-note", Some("100.00")),
        )
        .await
        .unwrap();
        let mut in_kind = settle("LATE", "F-2", "in-kind", Some("200.00"));
        in_kind.counterparty = "deux palettes de farine";
        let in_kind = settlements::record(store, &tenant, clock(), &in_kind)
            .await
            .unwrap()
            .record;
        let write_off = settlements::record(
            store,
            &tenant,
            clock(),
            &settle("LATE", "F-1", "write-off", None),
        )
        .await
        .unwrap();
        assert!(write_off.effects.unwrap().case_closed);

        let (record, undone) = undo_as_camille(
            store,
            &tenant,
            write_off.record.id,
            "passé en perte par erreur",
        )
        .await
        .unwrap();
        assert!(!undone.already_undone);
        assert!(undone.case_reopened);
        assert_eq!(undone.restored, eur("1200.00"));
        assert_eq!(undone.messages_cancelled, 2, "the receipt and the thanks");
        assert_eq!(owed(store, &tenant, "F-1").await, "1200.00");
        assert_eq!(owed(store, &tenant, "F-2").await, "0.00");
        let undo = record.undone.as_ref().unwrap();
        assert_eq!(
            (undo.by.as_str(), undo.reason.as_str()),
            ("Camille Durand", "passé en perte par erreur")
        );
        let closures = closures_of(store, &tenant, "LATE").await;
        assert_eq!(closures.len(), 1, "the closure stays on record");
        assert_eq!(closures[0].reopened_on, Some(date(2026, 11, 20)));
        let actions = actions_of(store, &tenant, "LATE").await;
        for key in ["receipt", "thank_you"] {
            let message = actions
                .iter()
                .find(|action| action.step_key == key)
                .unwrap();
            assert_eq!(message.status, "cancelled");
        }
        let listed = settlements::list(store, &tenant, Some("LATE"), None)
            .await
            .unwrap();
        assert_eq!(listed.len(), 3, "an undone settlement stays listed");
        assert!(listed[2].undone.is_some());

        // Undoing it again changes nothing.
        let (_, twice) = undo_as_camille(store, &tenant, write_off.record.id, "encore")
            .await
            .unwrap();
        assert!(twice.already_undone);
        assert_eq!(owed(store, &tenant, "F-1").await, "1200.00");
        let listed = settlements::list(store, &tenant, Some("LATE"), None)
            .await
            .unwrap();
        assert_eq!(
            listed[2].undone.as_ref().unwrap().reason,
            "passé en perte par erreur"
        );

        // The settlement in kind undone: the statement no longer counts it as paid on its day.
        undo_as_camille(store, &tenant, in_kind.id, "palettes refusées")
            .await
            .unwrap();
        assert_eq!(owed(store, &tenant, "F-2").await, "200.00");
        let statement = app::late_payment::statement(store, &tenant, clock(), "LATE", None)
            .await
            .unwrap();
        let f2 = statement
            .statement
            .lines
            .iter()
            .find(|line| line.invoice.as_str() == "F-2")
            .unwrap();
        let paid: Vec<_> = f2
            .late_interest
            .payments
            .iter()
            .map(|payment| (payment.paid_on, payment.amount))
            .collect();
        assert_eq!(
            paid,
            [(date(2026, 11, 19), eur("100.00"))],
            "only the credit note, from the due date"
        );

        // Written off again, F-1 is settled by a new record; F-2 still owes 200.
        let again = settlements::record(
            store,
            &tenant,
            clock(),
            &settle("LATE", "F-1", "write-off", None),
        )
        .await
        .unwrap();
        assert_ne!(again.record.id, write_off.record.id);
        assert!(!again.effects.unwrap().case_closed, "F-2 owes 200 again");
        // Once F-2 is written off too the case closes again, its receipt queued again.
        let closed = settlements::record(
            store,
            &tenant,
            clock(),
            &settle("LATE", "F-2", "write-off", None),
        )
        .await
        .unwrap()
        .effects
        .unwrap();
        assert!(closed.case_closed && closed.receipt_queued);
        let receipt = actions_of(store, &tenant, "LATE")
            .await
            .into_iter()
            .find(|action| action.step_key == "receipt")
            .unwrap();
        assert_eq!(receipt.status, "scheduled");
        assert_eq!(closures_of(store, &tenant, "LATE").await.len(), 2);

        let unknown = undo_as_camille(store, &tenant, 9999, "?")
            .await
            .unwrap_err();
        assert!(matches!(unknown, LawError::UnknownRecord { id: 9999, .. }));
        let no_reason = undo_as_camille(store, &tenant, in_kind.id, " ")
            .await
            .unwrap_err();
        assert!(matches!(
            problems(no_reason).as_slice(),
            [("reason", InputProblemKind::Empty)]
        ));
    });
}

/// Camille Durand undoes settlement `id`.
async fn undo_as_camille(
    store: &app::Store,
    tenant: &app::TenantRecord,
    id: i64,
    reason: &str,
) -> Result<(app::SettlementRecord, store::UndoneSettlement), LawError> {
    settlements::undo(
        store,
        tenant,
        clock(),
        id,
        "Camille Durand",
        reason,
        Language::English,
    )
    .await
}
