//! Late-payment law on a real database: statements of account from stored invoices, payments
//! and formal notices; the creditor's settings, waivers and rate tables changing the figures;
//! a date the tables do not cover refused with the table to import.
//!
//! Figures are the worked examples of LAW.md §5 (V2, V5, V8) as a collector meets them.

use app::late_payment::{
    self, InputProblemKind, InterestRequest, LawError, LawRecord, MentionFor, PolicyChanges,
    PolicyField, RuleBook, WaiverAmount, WaiverRequest,
};
use app::{Store, TenantRecord};
use domain::customer::Language;
use domain::late_payment::{ClaimStatus, Jurisdiction, LatePaymentError, RateTableKind};
use domain::money::{Currency, Money};
use formats::rate_tables::builtin_csv;
use jiff::civil::{Date, date};
use store::{NewAction, NewPayment};
use test_support::{fixed_now, on_every_backend};

use crate::fixtures::{clock, creditor, import_csv};

/// ACME, a French business: F-1 (V5: 12,000 due 2025-01-31, 5,000 paid on 2025-03-02), F-2 (V2:
/// 5,000 due 2025-02-10, paid in full late on 2025-04-11), F-3 not due yet, F-4 paid on time.
/// DUPONT, a consumer: D-1 (V8: 2,500 due 2025-02-28). OTHER owns O-1.
const BOOKS: &str = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,customer_kind\n\
    ACME,Acme SARL,F-1,2025-01-01,2025-01-31,12000.00,12000.00,b2b\n\
    ACME,Acme SARL,F-2,2025-01-10,2025-02-10,5000.00,5000.00,b2b\n\
    ACME,Acme SARL,F-3,2025-04-01,2025-06-30,1000.00,1000.00,b2b\n\
    ACME,Acme SARL,F-4,2024-12-15,2025-01-15,800.00,800.00,b2b\n\
    DUPONT,Jean Dupont,D-1,2025-01-28,2025-02-28,2500.00,2500.00,b2c\n\
    OTHER,Autre SAS,O-1,2025-01-01,2025-01-31,100.00,100.00,b2b\n";

pub(crate) fn eur(text: &str) -> Money {
    Money::parse_decimal(text, Currency::EUR).unwrap()
}

pub(crate) async fn books(store: &Store) -> TenantRecord {
    let tenant = creditor(store, "Atelier Bellevue").await;
    import_csv(store, &tenant, "books.csv", BOOKS.as_bytes())
        .await
        .unwrap();
    for (number, paid_on, amount) in [
        ("F-1", date(2025, 3, 2), "5000.00"),
        ("F-2", date(2025, 4, 11), "5000.00"),
        ("F-4", date(2025, 1, 10), "800.00"),
    ] {
        pay(store, &tenant, number, paid_on, amount).await;
    }
    tenant
}

/// Records a payment and allocates it to the invoice, as a bank-statement import will.
pub(crate) async fn pay(
    store: &Store,
    tenant: &TenantRecord,
    number: &str,
    paid_on: Date,
    amount: &str,
) {
    let handle = store.tenant(tenant.id);
    let (invoice, customer) = handle.invoice_by_number(number).await.unwrap();
    let payment = handle
        .record_payment(
            &NewPayment {
                customer: Some(customer),
                received_on: paid_on,
                amount: eur(amount),
                reference: format!("virement {number}"),
                idempotency_key: format!("{number}-{paid_on}"),
            },
            fixed_now(),
        )
        .await
        .unwrap();
    handle
        .allocate_payment(payment, invoice, eur(amount), fixed_now())
        .await
        .unwrap()
        .unwrap();
}

/// A formal notice of the dunning run listing `number`, with `status`, sent on `on`.
async fn formal_notice(
    store: &Store,
    tenant: &TenantRecord,
    number: &str,
    on: Date,
    status: &'static str,
) {
    let handle = store.tenant(tenant.id);
    let (invoice, customer) = handle.invoice_by_number(number).await.unwrap();
    handle
        .propose_action(&NewAction {
            customer,
            episode: 0,
            step_key: format!("formal_notice-{on}"),
            channel: "registered_letter".into(),
            companion: false,
            tone: "formal".into(),
            template: "formal_notice".into(),
            invoice_ids: vec![invoice],
            decided_on: on,
            scheduled_at: format!("{on}T09:00:00+01:00[Europe/Paris]"),
            status,
            explanation: store::Explanation::Text("mise en demeure".into()),
        })
        .await
        .unwrap();
}

pub(crate) async fn statement(
    store: &Store,
    tenant: &TenantRecord,
    customer: &str,
    as_of: Date,
) -> late_payment::CustomerStatement {
    late_payment::statement(store, tenant, clock(), customer, Some(as_of))
        .await
        .unwrap()
}

/// Each line as (invoice, interest accrued, indemnity, waived, due).
pub(crate) fn lines(
    found: &late_payment::CustomerStatement,
) -> Vec<(String, Money, Money, Money, Money)> {
    found
        .statement
        .lines
        .iter()
        .map(|line| {
            (
                line.invoice.to_string(),
                line.late_interest.interest,
                line.late_interest.indemnity,
                line.interest_waived
                    .checked_add(line.indemnity_waived)
                    .unwrap(),
                line.due,
            )
        })
        .collect()
}

pub(crate) fn line(
    invoice: &str,
    interest: &str,
    indemnity: &str,
    waived: &str,
    due: &str,
) -> (String, Money, Money, Money, Money) {
    (
        invoice.to_owned(),
        eur(interest),
        eur(indemnity),
        eur(waived),
        eur(due),
    )
}

pub(crate) const AS_OF: Date = date(2025, 4, 30);

#[tokio::test]
async fn a_b2b_statement_charges_interest_on_what_is_unpaid_and_40_euros_per_late_invoice() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let found = statement(store, &tenant, "ACME", AS_OF).await;
        assert_eq!(found.terms.effective.jurisdiction, Jurisdiction::FrB2b);
        assert_eq!(
            lines(&found),
            [
                // V5 B: the 5,000 of 2 March pays the 129.70 accrued first, then 151.55 accrue
                // on the 7,129.70 left.
                line("F-1", "281.25", "40.00", "0.00", "7321.25"),
                // V2: 108.08 for 60 days; the payment of the invoice's amount pays them first,
                // so 108.08 of principal is still owed and bears 0.74 until 30 April.
                line("F-2", "108.82", "40.00", "0.00", "148.82"),
            ],
            "F-3 is not due, F-4 was paid on time"
        );
        let first = &found.statement.lines[0];
        assert_eq!(first.due_principal, eur("7129.70"));
        assert_eq!(first.late_interest.payments[0].to_interest, eur("129.70"));
        assert_eq!(found.statement.totals.indemnity_claimed, eur("80.00"));
        assert_eq!(found.statement.totals.paid, eur("10000.00"));
        assert_eq!(found.statement.totals.due, eur("7470.07"));
        assert_eq!(found.notes[0].undated_paid, eur("0.00"));

        // The same invoices seen before F-2 was paid: its payment is not counted yet.
        let earlier = statement(store, &tenant, "ACME", date(2025, 4, 10)).await;
        assert_eq!(earlier.statement.lines[1].late_interest.paid, eur("0.00"));
        assert_eq!(earlier.statement.lines[1].due_principal, eur("5000.00"));
    });
}

#[tokio::test]
async fn a_part_paid_without_a_dated_payment_is_taken_as_paid_on_time() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor(store, "Atelier Bellevue").await;
        let books = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding\n\
            ACME,Acme SARL,F-9,2025-01-01,2025-02-10,8000.00,5000.00\n\
            ACME,Acme SARL,F-10,2025-01-01,2025-02-10,300.00,0.00\n";
        import_csv(store, &tenant, "books.csv", books.as_bytes())
            .await
            .unwrap();
        let found = statement(store, &tenant, "ACME", date(2025, 4, 11)).await;
        // V2 on the 5,000 still owed; F-10 was paid, no one knows when: not in the statement.
        assert_eq!(
            lines(&found),
            [line("F-9", "108.08", "40.00", "0.00", "5148.08")]
        );
        assert_eq!(found.notes[0].undated_paid, eur("3000.00"));
    });
}

#[tokio::test]
async fn consumer_interest_runs_only_from_the_formal_notice_at_the_legal_rate_without_indemnity() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let as_of = date(2025, 5, 9);
        let before = statement(store, &tenant, "DUPONT", as_of).await;
        assert_eq!(before.terms.effective.jurisdiction, Jurisdiction::FrB2c);
        assert_eq!(
            lines(&before),
            [line("D-1", "0.00", "0.00", "0.00", "2500.00")]
        );
        assert!(before.statement.lines[0].late_interest.periods.is_empty());

        // A notice still awaiting a manager's approval has not been sent.
        formal_notice(store, &tenant, "D-1", date(2025, 3, 5), "awaiting_approval").await;
        let pending = statement(store, &tenant, "DUPONT", as_of).await;
        assert_eq!(pending.statement.totals.due, eur("2500.00"));

        formal_notice(store, &tenant, "D-1", date(2025, 3, 10), "scheduled").await;
        let after = statement(store, &tenant, "DUPONT", as_of).await;
        // V8: 60 days at 3.71 % (all other cases, 2025 S1) from 11 March.
        assert_eq!(
            lines(&after),
            [line("D-1", "15.25", "0.00", "0.00", "2515.25")]
        );
        assert_eq!(after.notes[0].formal_notice_on, Some(date(2025, 3, 10)));
        assert_eq!(
            after.statement.lines[0].late_interest.interest_starts_on,
            Some(date(2025, 3, 11))
        );
    });
}

#[tokio::test]
async fn a_waiver_offered_in_a_negotiation_applies_until_it_is_withdrawn() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let request = WaiverRequest {
            customer: "ACME",
            invoice: Some("F-2"),
            amount: WaiverAmount::All,
            charges: "both",
            reason: "échéancier accepté le 30 avril",
            granted_by: "Claire Martin",
        };
        let waiver = late_payment::add_waiver(store, &tenant, clock(), &request)
            .await
            .unwrap();
        assert_eq!(waiver.granted_by, "Claire Martin");
        let waived = statement(store, &tenant, "ACME", AS_OF).await;
        assert_eq!(
            lines(&waived),
            [
                line("F-1", "281.25", "40.00", "0.00", "7321.25"),
                // Interest waived: the payment went to the principal, which it settled; the
                // 108.08 of V2 and the 40 EUR are given up.
                line("F-2", "108.08", "40.00", "148.08", "0.00"),
            ]
        );
        assert_eq!(waived.waivers.len(), 1);
        assert_eq!(waived.statement.waivers[0].interest, eur("108.08"));

        let withdrawn =
            late_payment::withdraw_waiver(store, &tenant, clock(), waiver.id, "échéance manquée")
                .await
                .unwrap();
        assert_eq!(
            withdrawn.withdrawal_reason.as_deref(),
            Some("échéance manquée")
        );
        let claimed_again = statement(store, &tenant, "ACME", AS_OF).await;
        assert_eq!(claimed_again.statement.totals.due, eur("7470.07"));
        assert!(claimed_again.waivers.is_empty());
        let listed = late_payment::waivers(store, &tenant, "ACME").await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].is_withdrawn());

        assert!(matches!(
            late_payment::withdraw_waiver(store, &tenant, clock(), waiver.id, "encore").await,
            Err(LawError::AlreadyWithdrawn { .. })
        ));
        assert!(matches!(
            late_payment::withdraw_waiver(store, &tenant, clock(), 999, "?").await,
            Err(LawError::UnknownRecord {
                record: LawRecord::Waiver,
                id: 999
            })
        ));
    });
}

#[tokio::test]
async fn a_bad_waiver_is_refused_with_every_problem_and_nothing_recorded() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let request = WaiverRequest {
            customer: "ACME",
            invoice: Some("O-1"),
            amount: WaiverAmount::Percent("150"),
            charges: "penalties",
            reason: " ",
            granted_by: "Claire Martin",
        };
        let Err(LawError::Invalid { problems }) =
            late_payment::add_waiver(store, &tenant, clock(), &request).await
        else {
            panic!("a waiver with bad values must be refused");
        };
        let fields: Vec<&str> = problems.iter().map(|problem| problem.field).collect();
        assert_eq!(fields, ["invoice", "percent", "what", "reason"]);
        assert_eq!(
            problems[0].kind,
            InputProblemKind::InvoiceOfAnotherCustomer {
                customer: "OTHER".into()
            }
        );
        assert!(
            problems[2]
                .describe(Language::French)
                .contains("interest, indemnity, both")
        );
        assert!(
            late_payment::waivers(store, &tenant, "ACME")
                .await
                .unwrap()
                .is_empty()
        );
    });
}

#[tokio::test]
async fn settings_changes_take_effect_on_the_next_statement() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let never = PolicyChanges {
            claim_start: Some("never"),
            ..PolicyChanges::default()
        };
        let update = late_payment::set_policy(store, &tenant, clock(), &never)
            .await
            .unwrap();
        assert_eq!(update.changed, [PolicyField::ClaimStart]);
        let found = statement(store, &tenant, "ACME", AS_OF).await;
        assert!(
            found
                .statement
                .lines
                .iter()
                .all(|line| line.status == ClaimStatus::NotClaimed)
        );
        // Nothing claimed, so the payments went to the principal: 7,000 left on F-1.
        assert_eq!(found.statement.totals.due, eur("7000.00"));
        assert_eq!(found.statement.totals.interest_accrued, eur("386.57"));

        let principal_first = PolicyChanges {
            claim_start: Some("due-date"),
            payment_order: Some("principal-first"),
            ..PolicyChanges::default()
        };
        late_payment::set_policy(store, &tenant, clock(), &principal_first)
            .await
            .unwrap();
        let found = statement(store, &tenant, "ACME", AS_OF).await;
        assert_eq!(
            lines(&found),
            [
                // V5 A.
                line("F-1", "278.49", "40.00", "0.00", "7318.49"),
                line("F-2", "108.08", "40.00", "0.00", "148.08"),
            ]
        );

        // The same values again change nothing; a bad value changes nothing either.
        let again = late_payment::set_policy(store, &tenant, clock(), &principal_first)
            .await
            .unwrap();
        assert!(again.changed.is_empty());
        let bad = PolicyChanges {
            day_count: Some("actual-360"),
            claim_start: Some("never"),
            ..PolicyChanges::default()
        };
        let Err(LawError::Invalid { problems }) =
            late_payment::set_policy(store, &tenant, clock(), &bad).await
        else {
            panic!("an unknown day count must be refused");
        };
        assert_eq!(problems[0].field, "day_count");
        let policy = late_payment::policy(store, &tenant).await.unwrap();
        assert_eq!(PolicyField::ClaimStart.value(&policy), "due-date");
    });
}

#[tokio::test]
async fn the_mention_follows_the_settings_and_the_customers_terms() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let discount = PolicyChanges {
            early_payment_discount: Some("1,5:10"),
            ..PolicyChanges::default()
        };
        late_payment::set_policy(store, &tenant, clock(), &discount)
            .await
            .unwrap();
        let text = late_payment::mention(
            store,
            &tenant,
            MentionFor::Jurisdiction("fr-b2b"),
            Language::French,
        )
        .await
        .unwrap();
        assert!(text.contains("40 euros"), "{text}");
        assert!(
            text.contains("1,5 % en cas de paiement dans les 10 jours"),
            "{text}"
        );
        let consumer = late_payment::mention(
            store,
            &tenant,
            MentionFor::Customer("DUPONT"),
            Language::English,
        )
        .await
        .unwrap();
        assert!(consumer.contains("from the formal notice"), "{consumer}");
    });
}

#[tokio::test]
async fn a_customers_own_rule_set_and_contract_rate_are_used_and_checked() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        let changes = app::customer_details::DetailsChanges {
            contract_rate: Some("3x-legal"),
            ..Default::default()
        };
        let update = app::customer_details::set_details(store, &tenant, clock(), "ACME", &changes)
            .await
            .unwrap();
        assert_eq!(
            update.changed,
            [app::customer_details::DetailField::ContractRate]
        );
        let found = statement(store, &tenant, "ACME", AS_OF).await;
        // Three times the 2025 S1 legal rate (3.71): 11.13 %, below ECB + 10 but at the floor.
        assert_eq!(
            found.statement.lines[0].late_interest.periods[0]
                .rate
                .to_string(),
            "11.13"
        );

        let consumer = app::customer_details::DetailsChanges {
            contract_rate: Some("12"),
            ..Default::default()
        };
        let refused =
            app::customer_details::set_details(store, &tenant, clock(), "DUPONT", &consumer).await;
        assert!(
            matches!(&refused, Err(app::customer_details::CustomerDetailsError::Invalid { problems, .. })
                if problems[0].field == app::customer_details::DetailField::ContractRate),
            "{refused:?}"
        );

        let fixed = app::customer_details::DetailsChanges {
            jurisdiction: Some("contract:8"),
            ..Default::default()
        };
        app::customer_details::set_details(store, &tenant, clock(), "DUPONT", &fixed)
            .await
            .unwrap();
        let found = statement(store, &tenant, "DUPONT", date(2025, 3, 30)).await;
        // 2,500 at 8 % for 30 days, from the due date, no indemnity: 16.44.
        assert_eq!(
            lines(&found),
            [line("D-1", "16.44", "0.00", "0.00", "2516.44")]
        );
    });
}

/// The French legal rate table with 2025 S1 "all other cases" at `rate` instead of 3.71.
fn french_legal_with_2025_s1(rate: &str) -> String {
    let builtin = builtin_csv(RateTableKind::FrenchLegalInterest);
    let marker = "2025-01-01,all_other_cases,3.71,";
    assert!(builtin.contains(marker));
    builtin.replace(marker, &format!("2025-01-01,all_other_cases,{rate},"))
}

#[tokio::test]
async fn an_imported_rate_table_replaces_the_builtin_one_and_a_bad_file_changes_nothing() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = books(store).await;
        formal_notice(store, &tenant, "D-1", date(2025, 3, 10), "sent").await;
        let as_of = date(2025, 5, 9);

        let bad = "semester_start,creditor_category,rate_percent,source\n\
            2025-01-01,all_other_cases,4.00,arrêté\n\
            2025-02-01,all_other_cases,abc,arrêté\n";
        let Err(LawError::RejectedRateTable { problems, .. }) =
            late_payment::import_rate_table(store, clock(), "bad.csv", bad.as_bytes()).await
        else {
            panic!("a bad rate file must be refused");
        };
        let described: Vec<String> = problems
            .iter()
            .map(|problem| problem.describe(Language::English))
            .collect();
        assert_eq!(
            described,
            [
                "line 3, column \"semester_start\": \"2025-02-01\" is not the first day of a half-year (1 January or 1 July)",
                "line 3, column \"rate_percent\": \"abc\" is not a rate (expected a percentage with at most four decimals, such as 2.15)",
            ]
        );
        assert!(
            store.rate_tables().await.unwrap().is_empty(),
            "nothing written"
        );
        let unchanged = statement(store, &tenant, "DUPONT", as_of).await;
        assert_eq!(unchanged.statement.totals.interest_claimed, eur("15.25"));

        let file = french_legal_with_2025_s1("4.00");
        let import = late_payment::import_rate_table(store, clock(), "legal.csv", file.as_bytes())
            .await
            .unwrap();
        assert_eq!(import.kind, RateTableKind::FrenchLegalInterest);
        assert!(import.changed);
        // 2,500 at 4.00 % for 60 days.
        let replaced = statement(store, &tenant, "DUPONT", as_of).await;
        assert_eq!(replaced.statement.totals.interest_claimed, eur("16.44"));
        let in_force = late_payment::rate_tables(store).await.unwrap();
        assert!(in_force[1].imported_at.is_some());
        assert!(
            in_force[0].imported_at.is_none(),
            "the ECB table is still the built-in one"
        );

        let again = late_payment::import_rate_table(store, clock(), "legal.csv", file.as_bytes())
            .await
            .unwrap();
        assert!(!again.changed, "the table in force again: nothing written");
        assert_eq!(store.rate_tables().await.unwrap().len(), 1);
    });
}

#[tokio::test]
async fn a_date_the_tables_do_not_cover_is_an_error_naming_the_table_never_a_zero() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor(store, "Atelier Bellevue").await;
        let books = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding\n\
            ACME,Acme SARL,F-20,2026-05-15,2026-06-15,1000.00,1000.00\n";
        import_csv(store, &tenant, "books.csv", books.as_bytes())
            .await
            .unwrap();
        // Today (20 November 2026) is in 2026 H2, whose ECB reference rate is not confirmed.
        let error = late_payment::statement(store, &tenant, clock(), "ACME", None)
            .await
            .unwrap_err();
        assert!(
            matches!(
                &error,
                LawError::InvoiceComputation {
                    source: LatePaymentError::EcbRateUnknown { .. },
                    ..
                }
            ),
            "{error:?}"
        );
        let french = error.describe(Language::French);
        assert!(
            french.starts_with("facture F-20 : le taux de la BCE au 2026-07-01"),
            "{french}"
        );
        assert!(french.contains("relance rates import"), "{french}");
        // Through 30 June 2026 the tables answer.
        let covered = statement(store, &tenant, "ACME", date(2026, 6, 30)).await;
        assert_eq!(covered.statement.totals.interest_claimed, eur("4.99"));

        let one_off = late_payment::compute_interest(
            &RuleBook::builtin(),
            Currency::EUR,
            &InterestRequest {
                jurisdiction: "fr-b2c",
                contract_rate: None,
                amount: "1000.00",
                due_on: date(2026, 5, 31),
                until: date(2026, 8, 1),
                payments: Vec::new(),
                formal_notice_on: Some(date(2026, 6, 10)),
            },
        );
        assert!(matches!(
            one_off,
            Err(LawError::Computation(
                LatePaymentError::LegalRateUnknown { .. }
            ))
        ));
    });
}

#[tokio::test]
async fn one_off_interest_checks_every_value_and_names_its_option() {
    let request = InterestRequest {
        jurisdiction: "fr",
        contract_rate: Some("3x-legal"),
        amount: "-5",
        due_on: date(2025, 1, 31),
        until: date(2025, 4, 30),
        payments: vec!["2025-03-02", "2025-03-02:abc"],
        formal_notice_on: None,
    };
    let Err(LawError::Invalid { problems }) =
        late_payment::compute_interest(&RuleBook::builtin(), Currency::EUR, &request)
    else {
        panic!("bad values must be refused");
    };
    let fields: Vec<&str> = problems.iter().map(|problem| problem.field).collect();
    assert_eq!(fields, ["jurisdiction", "amount", "payment", "payment"]);

    // V5 B through the one-off computation.
    let v5 = InterestRequest {
        jurisdiction: "fr-b2b",
        contract_rate: None,
        amount: "12000.00",
        due_on: date(2025, 1, 31),
        until: date(2025, 4, 30),
        payments: vec!["2025-03-02:5000.00", "2025-04-30:7281.25"],
        formal_notice_on: None,
    };
    let result = late_payment::compute_interest(&RuleBook::builtin(), Currency::EUR, &v5).unwrap();
    assert_eq!(result.interest, eur("281.25"));
    assert_eq!(result.balance.total, eur("40.00"));
}
