//! Bank lines and what they pay: each booked entry stored once per tenant and account, a
//! payment and its effects written with the import or not at all, undoing a payment gives the
//! invoices back what it had paid.

use domain::customer::CustomerRef;
use domain::ids::TenantId;
use domain::money::{Currency, Money};
use jiff::civil::date;
use store::{
    BankImportMeta, InvoiceFilter, LinePlan, NewBankLine, PaymentEffects, Store, StoredProposal,
};
use test_support::{fixed_now, on_every_backend};

use crate::fixtures::{customer, import, invoice, new_tenant};

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR)
}

fn meta() -> BankImportMeta {
    BankImportMeta {
        file_name: "statement.xml".into(),
        format: "camt053".into(),
        file_hash: "h".into(),
        statements: 1,
    }
}

fn effects() -> PaymentEffects {
    PaymentEffects {
        today: date(2026, 11, 20),
        scheduled_at: "2026-11-20T09:00:00Z".into(),
        send_receipt: true,
        send_thank_you: false,
        cancel_note: "paid".into(),
        closure_note: "closed".into(),
        receipt_explanation: "receipt".into(),
        thank_you_explanation: "thanks".into(),
        undo_note: "undone".into(),
        write_off: None,
    }
}

fn line(account: &str, key: &str, amount: i64, plan: LinePlan) -> NewBankLine {
    NewBankLine {
        account: account.into(),
        dedup_key: key.into(),
        source_line: 7,
        booking_date: date(2026, 11, 20),
        value_date: None,
        credit: true,
        reversal: false,
        amount: eur(amount),
        counterparty_name: "ALPHA".into(),
        counterparty_account: String::new(),
        remittance: "F-1".into(),
        creditor_reference: String::new(),
        bank_reference: String::new(),
        end_to_end: String::new(),
        mandate: String::new(),
        plan,
    }
}

async fn books(store: &Store, name: &str) -> TenantId {
    let tenant = new_tenant(store, name).await;
    import(
        store,
        tenant,
        &[customer("C1", "Alpha"), customer("C2", "Beta")],
        &[
            invoice("F-1", "C1", date(2026, 10, 1), 1000, 1000),
            invoice("F-2", "C1", date(2026, 10, 15), 500, 500),
            invoice("F-3", "C2", date(2026, 10, 1), 700, 700),
        ],
    )
    .await;
    tenant
}

async fn outstanding(store: &Store, tenant: TenantId) -> Vec<(String, i64)> {
    let mut owed: Vec<(String, i64)> = store
        .tenant(tenant)
        .invoices(&InvoiceFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|invoice| (invoice.number.to_string(), invoice.outstanding.minor()))
        .collect();
    owed.sort();
    owed
}

async fn id_of(store: &Store, tenant: TenantId, number: &str) -> domain::ids::InvoiceId {
    store
        .tenant(tenant)
        .invoice_by_number(number)
        .await
        .unwrap()
        .0
}

#[tokio::test]
async fn a_line_is_stored_once_per_tenant_and_account_whatever_the_file_it_comes_in() {
    on_every_backend!(|database| {
        let store = &database.store;
        let first = books(store, "Premier").await;
        let second = books(store, "Second").await;
        let queued = || LinePlan::Review {
            proposal: StoredProposal::default(),
        };
        let scope = store.tenant(first);
        let outcome = scope
            .import_bank_lines(
                &meta(),
                &[
                    line("FR76A", "k1", 100, queued()),
                    line("FR76A", "k2", 200, queued()),
                ],
                &effects(),
                fixed_now(),
            )
            .await
            .unwrap();
        assert_eq!(
            (outcome.created, outcome.duplicates, outcome.queued),
            (2, 0, 2)
        );
        // An overlapping file: k2 again, k3 new; the same key on another account is another line.
        let outcome = scope
            .import_bank_lines(
                &meta(),
                &[
                    line("FR76A", "k2", 200, queued()),
                    line("FR76A", "k3", 300, queued()),
                    line("FR76B", "k1", 100, queued()),
                ],
                &effects(),
                fixed_now(),
            )
            .await
            .unwrap();
        assert_eq!((outcome.created, outcome.duplicates), (2, 1));
        // Another creditor's identical line is its own.
        let other = store
            .tenant(second)
            .import_bank_lines(
                &meta(),
                &[line("FR76A", "k1", 100, queued())],
                &effects(),
                fixed_now(),
            )
            .await
            .unwrap();
        assert_eq!(other.created, 1);
        let waiting = scope
            .bank_lines_in(&["suggested", "unmatched"])
            .await
            .unwrap();
        assert_eq!(waiting.len(), 4);
        assert_eq!(
            store
                .tenant(second)
                .bank_lines_in(&["unmatched"])
                .await
                .unwrap()
                .len(),
            1
        );
        let keys = scope
            .existing_bank_keys(&[("FR76A".into(), "k3".into()), ("FR76B".into(), "k3".into())])
            .await
            .unwrap();
        assert_eq!(keys.len(), 1);
    });
}

#[tokio::test]
async fn an_applied_line_pays_oldest_first_within_what_is_owed_and_keeps_the_rest_as_credit() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store, "Premier").await;
        let scope = store.tenant(tenant);
        let c1 = scope
            .customer_id(&CustomerRef::parse("C1").unwrap())
            .await
            .unwrap();
        let ids = [
            id_of(store, tenant, "F-1").await,
            id_of(store, tenant, "F-2").await,
        ];
        // A proposal asking more of F-2 than it owes (stale): F-2 takes what it owes.
        let plan = LinePlan::Apply {
            customer: c1,
            proposal: StoredProposal {
                customer: Some(c1),
                allocations: vec![(ids[0], eur(1000)), (ids[1], eur(900))],
                confidence: 97,
                explanation_fr: "ref".into(),
                explanation_en: "ref".into(),
            },
        };
        let outcome = scope
            .import_bank_lines(
                &meta(),
                &[line("FR76A", "k1", 1600, plan)],
                &effects(),
                fixed_now(),
            )
            .await
            .unwrap();
        assert_eq!(
            (
                outcome.applied,
                outcome.cases_closed,
                outcome.receipts_queued,
                outcome.thanks_queued
            ),
            (1, 1, 1, 0)
        );
        assert_eq!(
            outstanding(store, tenant).await,
            vec![("F-1".into(), 0), ("F-2".into(), 0), ("F-3".into(), 700)]
        );
        assert_eq!(scope.credit_balance(c1).await.unwrap(), vec![eur(100)]);
        assert_eq!(scope.case_closures(c1).await.unwrap().len(), 1);

        // Undone: the invoices owe again, the payment and its credit are gone.
        let line_id = scope.bank_lines_in(&["auto_applied"]).await.unwrap()[0].id;
        let restored = scope
            .unmatch_bank_line(line_id, "undone", fixed_now())
            .await
            .unwrap();
        assert_eq!(restored, eur(1500));
        assert_eq!(
            outstanding(store, tenant).await,
            vec![
                ("F-1".into(), 1000),
                ("F-2".into(), 500),
                ("F-3".into(), 700)
            ]
        );
        assert!(scope.credit_balance(c1).await.unwrap().is_empty());
        assert_eq!(
            scope.bank_line(line_id).await.unwrap().unwrap().state,
            "unmatched"
        );
    });
}

#[tokio::test]
async fn a_line_paying_another_customers_invoice_writes_nothing_of_its_file() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store, "Premier").await;
        let scope = store.tenant(tenant);
        let c1 = scope
            .customer_id(&CustomerRef::parse("C1").unwrap())
            .await
            .unwrap();
        let f3 = id_of(store, tenant, "F-3").await;
        let bad = LinePlan::Apply {
            customer: c1,
            proposal: StoredProposal {
                customer: Some(c1),
                allocations: vec![(f3, eur(700))],
                ..StoredProposal::default()
            },
        };
        let queued = LinePlan::Review {
            proposal: StoredProposal::default(),
        };
        let refused = scope
            .import_bank_lines(
                &meta(),
                &[
                    line("FR76A", "k0", 50, queued),
                    line("FR76A", "k1", 700, bad),
                ],
                &effects(),
                fixed_now(),
            )
            .await;
        assert!(refused.is_err());
        assert!(
            scope
                .bank_lines_in(&["unmatched", "suggested"])
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(outstanding(store, tenant).await[2].1, 700);
    });
}

#[tokio::test]
async fn deleting_an_allocation_gives_the_amount_back_to_its_payment() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store, "Premier").await;
        let scope = store.tenant(tenant);
        let payment = scope
            .record_payment(
                &store::NewPayment {
                    customer: None,
                    received_on: date(2026, 11, 2),
                    amount: eur(600),
                    reference: String::new(),
                    idempotency_key: "p".into(),
                },
                fixed_now(),
            )
            .await
            .unwrap();
        let f1 = id_of(store, tenant, "F-1").await;
        scope
            .allocate_payment(payment, f1, eur(600), fixed_now())
            .await
            .unwrap()
            .unwrap();
        let delete = format!("DELETE FROM allocations WHERE payment_id = {payment}");
        database.execute_raw(&delete, &delete).await.unwrap();
        // The full amount can be allocated again: the payment's allocated total came back down.
        assert!(
            scope
                .allocate_payment(payment, f1, eur(400), fixed_now())
                .await
                .unwrap()
                .is_ok()
        );
    });
}

#[tokio::test]
async fn a_credit_returned_later_in_the_same_file_leaves_the_books_as_they_were() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store, "Premier").await;
        let scope = store.tenant(tenant);
        let c2 = scope
            .customer_id(&CustomerRef::parse("C2").unwrap())
            .await
            .unwrap();
        let f3 = id_of(store, tenant, "F-3").await;
        let paid = LinePlan::Apply {
            customer: c2,
            proposal: StoredProposal {
                customer: Some(c2),
                allocations: vec![(f3, eur(700))],
                confidence: 98,
                ..StoredProposal::default()
            },
        };
        let mut credit = line("FR76A", "k1", 700, paid);
        credit.end_to_end = "E2E-7".into();
        let mut returned = line(
            "FR76A",
            "k2",
            700,
            LinePlan::Reversal {
                not_found_fr: "introuvable".into(),
                not_found_en: "not found".into(),
            },
        );
        returned.credit = false;
        returned.reversal = true;
        returned.end_to_end = "E2E-7".into();
        let mut fee = line("FR76A", "k3", 35, LinePlan::Outgoing);
        fee.credit = false;
        let outcome = scope
            .import_bank_lines(
                &meta(),
                &[credit.clone(), returned, fee, credit],
                &effects(),
                fixed_now(),
            )
            .await
            .unwrap();
        assert_eq!(
            (
                outcome.lines_read,
                outcome.created,
                outcome.duplicates,
                outcome.applied,
                outcome.reversals_applied,
                outcome.outgoing,
                outcome.cases_closed,
                outcome.receipts_queued
            ),
            (4, 3, 1, 1, 1, 1, 1, 1)
        );
        // The payment came and went: F-3 owes all of it again, and the receipt will not go.
        assert_eq!(outstanding(store, tenant).await[2], ("F-3".into(), 700));
        assert!(scope.credit_balance(c2).await.unwrap().is_empty());
        let reversed = scope.bank_lines_in(&["reversed"]).await.unwrap();
        assert_eq!(reversed.len(), 1);
        assert_eq!(reversed[0].payment, None);
        assert_eq!(scope.bank_lines_in(&["reversal"]).await.unwrap().len(), 1);
        assert_eq!(scope.bank_lines_in(&["outgoing"]).await.unwrap().len(), 1);
        let closures = scope.case_closures(c2).await.unwrap();
        assert_eq!((closures.len(), closures[0].payment), (1, None));
        let receipts = scope
            .actions(&store::ActionFilter {
                customer: Some(c2),
                ..store::ActionFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(receipts.len(), 1);
        assert_eq!(
            (receipts[0].step_key.as_str(), receipts[0].status.as_str()),
            ("receipt", "cancelled")
        );
    });
}

#[tokio::test]
async fn payments_of_customers_interleaved_in_a_file_have_the_outcome_of_the_files_order() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store, "Premier").await;
        let scope = store.tenant(tenant);
        let [c1, c2] = [
            scope
                .customer_id(&CustomerRef::parse("C1").unwrap())
                .await
                .unwrap(),
            scope
                .customer_id(&CustomerRef::parse("C2").unwrap())
                .await
                .unwrap(),
        ];
        let pays = |customer, number_id, amount| LinePlan::Apply {
            customer,
            proposal: StoredProposal {
                customer: Some(customer),
                allocations: vec![(number_id, eur(amount))],
                confidence: 97,
                explanation_fr: "ref".into(),
                explanation_en: "ref".into(),
            },
        };
        let [f1, f2, f3] = [
            id_of(store, tenant, "F-1").await,
            id_of(store, tenant, "F-2").await,
            id_of(store, tenant, "F-3").await,
        ];
        // C1 pays F-1, C2 pays F-3 (its case closes), then C1 pays F-2: only then does C1 owe
        // nothing, and its case closes once, after its second payment.
        let outcome = scope
            .import_bank_lines(
                &meta(),
                &[
                    line("FR76A", "k1", 1000, pays(c1, f1, 1000)),
                    line("FR76A", "k2", 700, pays(c2, f3, 700)),
                    line("FR76A", "k3", 500, pays(c1, f2, 500)),
                ],
                &effects(),
                fixed_now(),
            )
            .await
            .unwrap();
        assert_eq!(
            (
                outcome.applied,
                outcome.cases_closed,
                outcome.receipts_queued
            ),
            (3, 2, 2)
        );
        assert_eq!(scope.case_closures(c1).await.unwrap().len(), 1);
        assert_eq!(scope.case_closures(c2).await.unwrap().len(), 1);
        let lines = scope.bank_lines_in(&["auto_applied"]).await.unwrap();
        let mut paid_by_line = Vec::new();
        for line in &lines {
            let payment = line.payment.expect("an applied line has its payment");
            let customer = if line.amount == eur(700) { c2 } else { c1 };
            let record = scope
                .customer_payments(customer)
                .await
                .unwrap()
                .into_iter()
                .find(|record| record.id == payment)
                .expect("the line's payment is its customer's");
            paid_by_line.push((line.amount, record.allocations));
        }
        paid_by_line.sort_by_key(|(amount, _)| amount.minor());
        assert_eq!(
            paid_by_line,
            vec![
                (eur(500), vec![("F-2".to_owned(), eur(500))]),
                (eur(700), vec![("F-3".to_owned(), eur(700))]),
                (eur(1000), vec![("F-1".to_owned(), eur(1000))]),
            ]
        );
        let first = lines.iter().min_by_key(|line| line.id).unwrap();
        assert_eq!(first.amount, eur(1000), "the lines keep the file's order");
    });
}

/// Puts every customer's case to sleep until a new fact wakes it, as a run that decided
/// nothing is due would.
async fn put_every_case_to_sleep(store: &Store, tenant: TenantId) {
    let scope = store.tenant(tenant);
    let today = date(2026, 11, 20);
    let due = scope.customers_due(today).await.unwrap();
    let batch = scope.load_cases(&due, today).await.unwrap();
    let updates = due
        .iter()
        .map(|customer| {
            let read = batch.cases[customer].clone();
            store::CaseUpdate {
                customer: *customer,
                progress: read.progress.clone(),
                next_review_on: None,
                previous: Some(read),
                actions: Vec::new(),
                promise_updates: Vec::new(),
            }
        })
        .collect();
    scope.record_cases(updates, fixed_now()).await.unwrap();
    assert!(scope.customers_due(today).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_bank_import_wakes_the_cases_of_the_customers_it_paid_and_only_theirs() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store, "Premier").await;
        let scope = store.tenant(tenant);
        let today = date(2026, 11, 20);
        let c1 = scope
            .customer_id(&CustomerRef::parse("C1").unwrap())
            .await
            .unwrap();
        let c2 = scope
            .customer_id(&CustomerRef::parse("C2").unwrap())
            .await
            .unwrap();
        let [f1, f2] = [
            id_of(store, tenant, "F-1").await,
            id_of(store, tenant, "F-2").await,
        ];
        put_every_case_to_sleep(store, tenant).await;

        // C1 pays both its invoices, in two lines; C2's line waits for review.
        let pays = |invoice, amount| LinePlan::Apply {
            customer: c1,
            proposal: StoredProposal {
                customer: Some(c1),
                allocations: vec![(invoice, eur(amount))],
                confidence: 97,
                ..StoredProposal::default()
            },
        };
        let review = LinePlan::Review {
            proposal: StoredProposal {
                customer: Some(c2),
                ..StoredProposal::default()
            },
        };
        scope
            .import_bank_lines(
                &meta(),
                &[
                    line("FR76A", "k1", 1000, pays(f1, 1000)),
                    line("FR76A", "k2", 700, review),
                    line("FR76A", "k3", 500, pays(f2, 500)),
                ],
                &effects(),
                fixed_now(),
            )
            .await
            .unwrap();
        assert_eq!(
            scope.customers_due(today).await.unwrap(),
            vec![c1],
            "the payer's case is looked at again; the other one sleeps on"
        );

        // The rule that wakes a case when an invoice's balance changes outlives the import:
        // a payment recorded by hand afterwards wakes C2.
        put_every_case_to_sleep(store, tenant).await;
        let payment = scope
            .record_payment(
                &store::NewPayment {
                    customer: Some(c2),
                    received_on: today,
                    amount: eur(100),
                    reference: "cheque".into(),
                    idempotency_key: "cheque-1".into(),
                },
                fixed_now(),
            )
            .await
            .unwrap();
        let f3 = id_of(store, tenant, "F-3").await;
        scope
            .allocate_payment(payment, f3, eur(100), fixed_now())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(scope.customers_due(today).await.unwrap(), vec![c2]);
    });
}

#[tokio::test]
async fn open_invoices_are_picked_one_by_one_and_named_for_the_tenant_alone() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store, "Picker").await;
        let other = books(store, "Other").await;
        let scope = store.tenant(tenant);
        let mut picked = scope
            .pick_open_items(|open| (open.outstanding.minor() >= 700).then_some(open.number))
            .await
            .unwrap();
        picked.sort();
        assert_eq!(picked, vec!["F-1".to_owned(), "F-3".to_owned()]);
        let owners = scope
            .pick_open_items(|open| Some(open.customer))
            .await
            .unwrap();
        assert_eq!(
            owners.len(),
            3,
            "the other tenant's invoices are not offered"
        );

        let mut names = scope.customer_names(owners).await.unwrap();
        names.sort();
        names.dedup();
        let names: Vec<(String, String)> = names
            .into_iter()
            .map(|(_, reference, name)| (reference, name))
            .collect();
        assert_eq!(
            names,
            vec![
                ("C1".to_owned(), "Alpha".to_owned()),
                ("C2".to_owned(), "Beta".to_owned())
            ]
        );
        let strangers = store
            .tenant(other)
            .pick_open_items(|open| Some(open.customer))
            .await
            .unwrap();
        assert!(
            scope.customer_names(strangers).await.unwrap().is_empty(),
            "another tenant's customers have no name here"
        );
        assert!(scope.customer_names(Vec::new()).await.unwrap().is_empty());
    });
}
