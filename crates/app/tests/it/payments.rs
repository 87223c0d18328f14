//! Money in, on a real database: a bank statement imported, credits matched and applied or
//! queued, the case closed with a receipt and thanks queued, re-imports and overlapping
//! statements creating nothing twice, reversals re-opening what they had paid, the review
//! queue, manual payments and the settings.

use app::dunning::{self, ReportDetail, RunOptions};
use app::payments::{self, ManualPayment, PaymentError, SettingsChange};
use app::{InvoiceFilter, Store, TenantRecord};
use domain::customer::Language;
use domain::identifiers::RfReference;
use jiff::civil::date;
use test_support::on_every_backend;

use crate::fixtures::{clock, creditor, import_csv};

/// Today is Friday 20 November 2026 (the fixed clock).
const PORTFOLIO: &str = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,email\n\
    LATE,Retard SARL,F-1,2026-10-01,2026-11-02,1200.00,1200.00,compta@retard.fr\n\
    LATE,Retard SARL,F-2,2026-10-15,2026-11-19,300.00,300.00,compta@retard.fr\n\
    SOON,Bientot Distribution SAS,F-3,2026-10-23,2026-11-23,500.00,500.00,\n\
    OTHER,Garage du Centre,F-4,2026-10-01,2026-11-01,990.00,990.00,garage@centre.fr\n";

/// One booked entry of a test statement.
struct Entry<'a> {
    amount: &'a str,
    credit: bool,
    reversal: bool,
    day: &'a str,
    payer: &'a str,
    payer_iban: &'a str,
    end_to_end: &'a str,
    rf: Option<&'a str>,
    text: &'a str,
}

impl Default for Entry<'_> {
    fn default() -> Self {
        Entry {
            amount: "0.00",
            credit: true,
            reversal: false,
            day: "2026-11-20",
            payer: "",
            payer_iban: "",
            end_to_end: "",
            rf: None,
            text: "",
        }
    }
}

/// A camt.053.001.02 statement of the creditor's account holding `entries`.
fn camt(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut body = String::new();
    for entry in entries {
        let indicator = if entry.credit { "CRDT" } else { "DBIT" };
        let reference = entry.rf.map_or(String::new(), |rf| {
            format!("<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp><Ref>{rf}</Ref></CdtrRefInf></Strd>")
        });
        let text = if entry.text.is_empty() {
            String::new()
        } else {
            format!("<Ustrd>{}</Ustrd>", entry.text)
        };
        let party = if entry.payer.is_empty() {
            String::new()
        } else {
            format!(
                "<RltdPties><Dbtr><Nm>{}</Nm></Dbtr><DbtrAcct><Id><IBAN>{}</IBAN></Id></DbtrAcct></RltdPties>",
                entry.payer, entry.payer_iban
            )
        };
        let refs = if entry.end_to_end.is_empty() {
            String::new()
        } else {
            format!("<Refs><EndToEndId>{}</EndToEndId></Refs>", entry.end_to_end)
        };
        body.push_str(&format!(
            "<Ntry><Amt Ccy=\"EUR\">{}</Amt><CdtDbtInd>{indicator}</CdtDbtInd><RvslInd>{}</RvslInd><Sts>BOOK</Sts>\
             <BookgDt><Dt>{}</Dt></BookgDt><ValDt><Dt>{}</Dt></ValDt>\
             <NtryDtls><TxDtls>{refs}{party}<RmtInf>{text}{reference}</RmtInf></TxDtls></NtryDtls></Ntry>\n",
            entry.amount, entry.reversal, entry.day, entry.day
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>\
         <GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-20T18:00:00+01:00</CreDtTm></GrpHdr>\n<Stmt><Id>S1</Id>\
         <CreDtTm>2026-11-20T18:00:00+01:00</CreDtTm><Acct><Id><IBAN>FR1420041010050500013M02606</IBAN></Id><Ccy>EUR</Ccy></Acct>\n{body}</Stmt></BkToCstmrStmt></Document>\n"
    )
    .into_bytes()
}

async fn setup(store: &Store) -> TenantRecord {
    let tenant = creditor(store, "Atelier Bellevue").await;
    import_csv(store, &tenant, "portfolio.csv", PORTFOLIO.as_bytes())
        .await
        .unwrap();
    tenant
}

async fn import(
    store: &Store,
    tenant: &TenantRecord,
    bytes: &[u8],
) -> Result<payments::BankImportReport, PaymentError> {
    payments::import_bank(
        store,
        tenant,
        clock(),
        bytes,
        "statement.xml",
        None,
        None,
        Language::French,
    )
    .await
}

async fn outstanding(store: &Store, tenant: &TenantRecord, number: &str) -> String {
    store
        .tenant(tenant.id)
        .invoices(&InvoiceFilter::default())
        .await
        .unwrap()
        .into_iter()
        .find(|invoice| invoice.number.as_str() == number)
        .unwrap()
        .outstanding
        .to_decimal_string()
}

fn late_reference() -> String {
    RfReference::for_customer("LATE").as_str().to_owned()
}

#[tokio::test]
async fn a_payment_with_the_customers_reference_pays_everything_closes_the_case_and_queues_a_receipt_and_thanks()
 {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
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
        let pending_before =
            dunning::list_actions(store, &tenant, None, Some("LATE"), Some("scheduled"))
                .await
                .unwrap();
        assert!(
            !pending_before.is_empty(),
            "the run scheduled a reminder for LATE"
        );
        store
            .tenant(tenant.id)
            .invoices(&InvoiceFilter::default())
            .await
            .unwrap();
        dunning::add_promise(
            store,
            &tenant,
            clock(),
            "LATE",
            "1500.00",
            date(2026, 11, 30),
            "virement",
        )
        .await
        .unwrap();
        dunning::add_promise(
            store,
            &tenant,
            clock(),
            "SOON",
            "500.00",
            date(2026, 11, 30),
            "",
        )
        .await
        .unwrap();
        let rf = late_reference();
        let file = camt(&[
            Entry {
                amount: "1500.00",
                payer: "RETARD SARL",
                payer_iban: "FR7630006000011234567890189",
                rf: Some(&rf),
                end_to_end: "E2E-1",
                ..Entry::default()
            },
            Entry {
                amount: "500.00",
                payer: "BIENTOT DISTRIB",
                text: "VIREMENT",
                ..Entry::default()
            },
            Entry {
                amount: "42.00",
                credit: false,
                payer: "FOURNISSEUR",
                text: "ACHAT",
                ..Entry::default()
            },
        ]);
        let report = import(store, &tenant, &file).await.unwrap();
        let outcome = &report.outcome;
        assert_eq!(
            (
                outcome.created,
                outcome.duplicates,
                outcome.applied,
                outcome.queued,
                outcome.outgoing
            ),
            (3, 0, 1, 1, 1)
        );
        assert_eq!(outcome.cases_closed, 1);
        assert_eq!((outcome.receipts_queued, outcome.thanks_queued), (1, 1));
        assert_eq!(outstanding(store, &tenant, "F-1").await, "0.00");
        assert_eq!(outstanding(store, &tenant, "F-2").await, "0.00");
        assert_eq!(
            outstanding(store, &tenant, "F-3").await,
            "500.00",
            "a name that only resembles the customer's never pays"
        );

        let actions = dunning::list_actions(store, &tenant, None, Some("LATE"), None)
            .await
            .unwrap();
        for action in &pending_before {
            let now = actions.iter().find(|a| a.id == action.id).unwrap();
            assert_eq!(now.status, "cancelled");
            assert!(now.status_note.as_deref().unwrap().contains("payées"));
        }
        let receipt = actions.iter().find(|a| a.step_key == "receipt").unwrap();
        let thanks = actions.iter().find(|a| a.step_key == "thank_you").unwrap();
        for queued in [receipt, thanks] {
            assert_eq!(queued.status, "scheduled");
            assert_eq!(queued.channel, "email");
            assert_eq!(queued.tone, "courteous");
            assert_eq!(
                queued.invoice_numbers,
                vec!["F-1".to_owned(), "F-2".to_owned()]
            );
        }
        assert_eq!(receipt.template, "receipt");
        let at: jiff::ZonedDateTime = receipt.scheduled_at.parse().unwrap();
        assert_eq!(at.time_zone().iana_name(), Some("Europe/Paris"));
        assert_eq!(thanks.template, "thank_you");
        let late = store
            .tenant(tenant.id)
            .customer_id(&domain::customer::CustomerRef::parse("LATE").unwrap())
            .await
            .unwrap();
        let (closures, credit) = payments::customer_payments(store, &tenant, late)
            .await
            .unwrap();
        assert_eq!(closures.len(), 1);
        assert_eq!(closures[0].closed_on, date(2026, 11, 20));
        assert!(credit.is_empty());

        let (late_file, _) = dunning::customer_file(store, &tenant, "LATE")
            .await
            .unwrap();
        assert_eq!(late_file.promises[0].status, "kept");
        let (soon_file, _) = dunning::customer_file(store, &tenant, "SOON")
            .await
            .unwrap();
        assert_eq!(soon_file.promises[0].status, "pending", "nothing was paid");

        // The same file again: nothing new, nothing paid twice.
        let again = import(store, &tenant, &file).await.unwrap();
        assert_eq!(
            (
                again.outcome.created,
                again.outcome.duplicates,
                again.outcome.applied
            ),
            (0, 3, 0)
        );
        let actions_after = dunning::list_actions(store, &tenant, None, Some("LATE"), None)
            .await
            .unwrap();
        assert_eq!(actions_after.len(), actions.len());

        // The review queue holds the name-only credit with its suggestion.
        let queue = payments::review_queue(store, &tenant).await.unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].customer.as_deref(), Some("SOON"));
        assert_eq!(queue[0].invoices[0].0, "F-3");
        assert_eq!(queue[0].line.state, "suggested");
        assert!(queue[0].line.explanation_en.contains("name"));
    });
}

#[tokio::test]
async fn overlapping_statements_create_each_line_once() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let first = Entry {
            amount: "100.00",
            day: "2026-11-18",
            payer: "X",
            text: "ACOMPTE F-4",
            ..Entry::default()
        };
        let second = Entry {
            amount: "200.00",
            day: "2026-11-19",
            payer: "X",
            text: "ACOMPTE F-4 SUITE",
            ..Entry::default()
        };
        let third = Entry {
            amount: "300.00",
            day: "2026-11-20",
            payer: "X",
            text: "SOLDE PARTIEL F-4",
            ..Entry::default()
        };
        let a = import(store, &tenant, &camt(&[first, second]))
            .await
            .unwrap();
        assert_eq!((a.outcome.created, a.outcome.duplicates), (2, 0));
        let second = Entry {
            amount: "200.00",
            day: "2026-11-19",
            payer: "X",
            text: "ACOMPTE F-4 SUITE",
            ..Entry::default()
        };
        let b = import(store, &tenant, &camt(&[second, third]))
            .await
            .unwrap();
        assert_eq!((b.outcome.created, b.outcome.duplicates), (1, 1));
        // Partial payments naming the invoice, from an unknown payer: queued, never applied.
        assert_eq!(outstanding(store, &tenant, "F-4").await, "990.00");
        assert_eq!(
            payments::review_queue(store, &tenant).await.unwrap().len(),
            3
        );
    });
}

#[tokio::test]
async fn a_returned_direct_debit_reopens_what_its_credit_had_paid() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let collected = camt(&[Entry {
            amount: "990.00",
            day: "2026-11-16",
            payer: "GARAGE DU CENTRE",
            payer_iban: "FR7630006000011234567890189",
            end_to_end: "PRLV-F-4",
            text: "PRELEVEMENT FACTURE F-4",
            ..Entry::default()
        }]);
        let report = import(store, &tenant, &collected).await.unwrap();
        assert_eq!(report.outcome.applied, 1);
        assert_eq!(outstanding(store, &tenant, "F-4").await, "0.00");

        let returned = camt(&[
            Entry {
                amount: "990.00",
                credit: false,
                reversal: true,
                day: "2026-11-19",
                payer: "GARAGE DU CENTRE",
                payer_iban: "FR7630006000011234567890189",
                end_to_end: "PRLV-F-4",
                text: "RETOUR PRELEVEMENT AM04",
                ..Entry::default()
            },
            Entry {
                amount: "75.00",
                credit: false,
                reversal: true,
                day: "2026-11-19",
                payer: "INCONNU",
                end_to_end: "NOPE",
                ..Entry::default()
            },
        ]);
        let report = import(store, &tenant, &returned).await.unwrap();
        assert_eq!(report.outcome.reversals_applied, 1);
        assert_eq!(report.outcome.reversals_queued, 1);
        assert_eq!(outstanding(store, &tenant, "F-4").await, "990.00");
        let queue = payments::review_queue(store, &tenant).await.unwrap();
        assert_eq!(queue.len(), 1);
        assert!(
            queue[0]
                .line
                .explanation_fr
                .contains("crédit d'origine n'a pas été trouvé")
        );
        // Importing the return again changes nothing.
        let again = import(store, &tenant, &returned).await.unwrap();
        assert_eq!(
            (again.outcome.created, again.outcome.reversals_applied),
            (0, 0)
        );
        assert_eq!(outstanding(store, &tenant, "F-4").await, "990.00");
    });
}

#[tokio::test]
async fn a_collector_matches_unmatches_and_records_payments_by_hand() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let report = import(
            store,
            &tenant,
            &camt(&[Entry {
                amount: "500.00",
                payer: "BIENTOT DISTRIB",
                text: "VIREMENT",
                ..Entry::default()
            }]),
        )
        .await
        .unwrap();
        assert_eq!(report.outcome.queued, 1);
        let line = payments::review_queue(store, &tenant).await.unwrap()[0]
            .line
            .id;

        let applied = payments::match_line(
            store,
            &tenant,
            clock(),
            line,
            &["F-3".to_owned()],
            Language::French,
        )
        .await
        .unwrap();
        assert_eq!(applied.allocated_minor, 50_000);
        assert!(applied.case_closed);
        assert_eq!(outstanding(store, &tenant, "F-3").await, "0.00");
        assert!(
            payments::review_queue(store, &tenant)
                .await
                .unwrap()
                .is_empty()
        );
        // The same match again changes nothing; another one is refused until unmatched.
        let again = payments::match_line(
            store,
            &tenant,
            clock(),
            line,
            &["F-3".to_owned()],
            Language::French,
        )
        .await
        .unwrap();
        assert!(again.already_recorded);
        assert_eq!(outstanding(store, &tenant, "F-3").await, "0.00");
        assert!(
            payments::match_line(
                store,
                &tenant,
                clock(),
                line,
                &["F-4".to_owned()],
                Language::French
            )
            .await
            .is_err()
        );
        let restored = payments::unmatch_line(store, &tenant, clock(), line, Language::French)
            .await
            .unwrap();
        assert_eq!(restored.to_decimal_string(), "500.00");
        assert_eq!(outstanding(store, &tenant, "F-3").await, "500.00");
        assert_eq!(
            payments::review_queue(store, &tenant).await.unwrap().len(),
            1
        );
        assert!(
            payments::unmatch_line(store, &tenant, clock(), line, Language::French)
                .await
                .is_err()
        );

        let receipt_status = |actions: Vec<app::ActionRecord>| {
            actions
                .into_iter()
                .find(|action| action.step_key == "receipt")
                .map(|action| action.status)
        };
        let soon = dunning::list_actions(store, &tenant, None, Some("SOON"), None)
            .await
            .unwrap();
        assert_eq!(
            receipt_status(soon).as_deref(),
            Some("cancelled"),
            "the undone payment's receipt is not sent"
        );
        let again = payments::match_line(
            store,
            &tenant,
            clock(),
            line,
            &["F-3".to_owned()],
            Language::French,
        )
        .await
        .unwrap();
        assert!(again.case_closed && again.receipt_queued);
        let soon = dunning::list_actions(store, &tenant, None, Some("SOON"), None)
            .await
            .unwrap();
        assert_eq!(receipt_status(soon).as_deref(), Some("scheduled"));

        // A cheque for more than LATE owes: oldest first, the rest a credit balance.
        let cheque = ManualPayment {
            customer: "LATE",
            amount: "1600.00",
            received_on: date(2026, 11, 20),
            invoices: &[],
            reference: "CHQ 1234567",
        };
        let first = payments::add_payment(store, &tenant, clock(), &cheque, Language::English)
            .await
            .unwrap();
        assert_eq!(
            (first.allocated_minor, first.unallocated_minor),
            (150_000, 10_000)
        );
        assert!(first.case_closed && first.receipt_queued && first.thank_you_queued);
        let second = payments::add_payment(store, &tenant, clock(), &cheque, Language::English)
            .await
            .unwrap();
        assert!(second.already_recorded);
        let late = store
            .tenant(tenant.id)
            .customer_id(&domain::customer::CustomerRef::parse("LATE").unwrap())
            .await
            .unwrap();
        let (_, credit) = payments::customer_payments(store, &tenant, late)
            .await
            .unwrap();
        assert_eq!(credit.len(), 1);
        assert_eq!(credit[0].to_decimal_string(), "100.00");

        // Naming another customer's invoice is refused.
        let wrong = ManualPayment {
            customer: "SOON",
            amount: "10.00",
            received_on: date(2026, 11, 20),
            invoices: &["F-4".to_owned()],
            reference: "",
        };
        assert!(
            payments::add_payment(store, &tenant, clock(), &wrong, Language::English)
                .await
                .is_err()
        );
    });
}

#[tokio::test]
async fn receipts_and_thanks_can_be_switched_off_and_the_threshold_changed() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let defaults = payments::settings(store, &tenant).await.unwrap();
        assert_eq!(defaults.auto_apply_threshold, 90);
        assert!(defaults.send_receipt && defaults.send_thank_you);
        let changed = payments::change_settings(
            store,
            &tenant,
            clock(),
            &SettingsChange {
                send_receipt: Some(false),
                amount_tolerance: Some("2.50".into()),
                ..SettingsChange::default()
            },
        )
        .await
        .unwrap();
        assert!(!changed.send_receipt && changed.send_thank_you);
        assert_eq!(changed.amount_tolerance.to_decimal_string(), "2.50");
        assert!(
            matches!(
                payments::change_settings(
                    store,
                    &tenant,
                    clock(),
                    &SettingsChange {
                        auto_apply_threshold: Some(101),
                        ..SettingsChange::default()
                    },
                )
                .await,
                Err(PaymentError::InvalidSetting {
                    field: "auto_apply_threshold",
                    ..
                })
            ),
            "the refusal names the setting"
        );

        let rf = late_reference();
        // 2.00 short of what LATE owes (bank fees): within the tolerance, applied.
        let report = import(
            store,
            &tenant,
            &camt(&[Entry {
                amount: "1498.00",
                rf: Some(&rf),
                ..Entry::default()
            }]),
        )
        .await
        .unwrap();
        assert_eq!(report.outcome.applied, 1);
        assert_eq!(
            (report.outcome.receipts_queued, report.outcome.thanks_queued),
            (0, 0)
        );
        // The 2.00 left stays owed: nothing closes.
        assert_eq!(outstanding(store, &tenant, "F-2").await, "2.00");
    });
}

fn bank_samples() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples");
    let mut files = Vec::new();
    let mut dirs: Vec<std::path::PathBuf> = ["camt053", "camt054", "ofx", "mt940", "csv-bank"]
        .iter()
        .map(|dir| root.join(dir))
        .collect();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The samples a bank file reader refuses (decision 0007), and every CSV export, which needs
/// its bank's column mapping.
fn refused(path: &std::path::Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy();
    name == "camt_054_Beispiel_NotificationMissing.xml"
        || name == "decimal_error.ofx"
        || path.ends_with("cmxl/mt940.sta")
        || name.ends_with(".csv")
}

#[tokio::test]
async fn every_bank_sample_is_stored_once_or_refused_with_located_problems() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let samples = bank_samples();
        assert!(samples.len() >= 30, "{} samples", samples.len());
        let mut stored = 0;
        for path in &samples {
            let bytes = std::fs::read(path).unwrap();
            let result = import(store, &tenant, &bytes).await;
            if refused(path) {
                let Err(PaymentError::Rejected(problems)) = result else {
                    panic!("{} should be refused: {result:?}", path.display());
                };
                assert!(!problems.is_empty() && problems.iter().all(|p| p.line >= 1));
                continue;
            }
            let report = result.unwrap_or_else(|error| panic!("{}: {error:?}", path.display()));
            let read = formats::bank::read_bank_file(&bytes, None, None).unwrap();
            let entries = read.entries().count() as u32;
            let outcome = &report.outcome;
            assert_eq!(outcome.lines_read, entries, "{}", path.display());
            assert_eq!(
                outcome.created + outcome.duplicates,
                entries,
                "{}",
                path.display()
            );
            stored += outcome.created;
        }
        assert!(stored > 500, "{stored} lines stored");
        // Everything again: nothing is created, nothing is applied twice.
        for path in samples.iter().filter(|path| !refused(path)) {
            let bytes = std::fs::read(path).unwrap();
            let report = import(store, &tenant, &bytes).await.unwrap();
            assert_eq!(report.outcome.created, 0, "{}", path.display());
            assert_eq!(report.outcome.applied, 0, "{}", path.display());
        }
    });
}

#[tokio::test]
async fn a_notification_then_the_statement_booking_it_store_its_payments_once() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples");
        let notification =
            std::fs::read(root.join(
                "camt054/camt.054-ES_P_CH0309000000250090342_38000000_0_2016052723011813.xml",
            ))
            .unwrap();
        let statement = std::fs::read(
            root.join("camt053/camt.053_P_CH0309000000250090342_380000000_0_2016053100163801.xml"),
        )
        .unwrap();
        let first = import(store, &tenant, &notification).await.unwrap();
        assert_eq!(first.outcome.created, 8);
        let second = import(store, &tenant, &statement).await.unwrap();
        assert_eq!(second.outcome.duplicates, 8);
        assert_eq!(second.outcome.created, 32 - 8);
    });
}

#[tokio::test]
async fn a_csv_export_imports_through_its_mapping_and_only_once() {
    use formats::bank::{
        BankCsvMapping, BankFormat, CsvAmountColumns, CsvColumn, CsvColumns, DateFormat,
    };
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples");
        let bytes =
            std::fs::read(root.join("csv-bank/meta_data_separated_credit_debit.csv")).unwrap();
        let mapping = BankCsvMapping {
            delimiter: b',',
            skip_lines: 4,
            footer_lines: 1,
            date_format: DateFormat::parse("dd/mm/yy").unwrap(),
            account: Some("08088804068".into()),
            ..BankCsvMapping::french(CsvColumns {
                date: CsvColumn::named("Date"),
                value_date: None,
                amount: CsvAmountColumns::CreditDebit {
                    credit: CsvColumn::named("Credit"),
                    debit: CsvColumn::named("Debit"),
                },
                label: vec![CsvColumn::named("Label"), CsvColumn::named("Detail")],
                counterparty: None,
                counterparty_account: None,
                reference: Some(CsvColumn::named("Operation Number")),
                currency: None,
            })
        };
        let import_csv = async || {
            payments::import_bank(
                store,
                &tenant,
                clock(),
                &bytes,
                "export.csv",
                Some(BankFormat::Csv),
                Some(&mapping),
                Language::French,
            )
            .await
            .unwrap()
        };
        let first = import_csv().await;
        assert_eq!(
            (
                first.outcome.created,
                first.outcome.outgoing,
                first.outcome.queued
            ),
            (4, 3, 1)
        );
        let again = import_csv().await;
        assert_eq!((again.outcome.created, again.outcome.duplicates), (0, 4));
    });
}

#[tokio::test]
async fn a_small_remainder_is_written_off_with_its_payment_and_the_case_closes_only_when_asked() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let statement = || {
            camt(&[
                // Bank fees took 1.50 of F-4's 990.00; 5.00 short of F-1's 1,200.00.
                Entry {
                    amount: "988.50",
                    payer: "GARAGE DU CENTRE",
                    text: "FACT F-4",
                    end_to_end: "E-4",
                    ..Entry::default()
                },
                Entry {
                    amount: "1195.00",
                    payer: "RETARD SARL",
                    text: "FACT F-1",
                    end_to_end: "E-1",
                    ..Entry::default()
                },
            ])
        };
        // By default nothing is given up.
        let shown = payments::settings(store, &tenant).await.unwrap();
        assert!(shown.write_off.is_zero());
        payments::change_settings(
            store,
            &tenant,
            clock(),
            &SettingsChange {
                write_off: Some("2.00".into()),
                ..SettingsChange::default()
            },
        )
        .await
        .unwrap();
        let report = import(store, &tenant, &statement()).await.unwrap();
        assert_eq!(
            (
                report.outcome.applied,
                report.outcome.write_offs,
                report.outcome.cases_closed
            ),
            (2, 1, 1)
        );
        assert_eq!(outstanding(store, &tenant, "F-4").await, "0.00");
        assert_eq!(outstanding(store, &tenant, "F-1").await, "5.00");
        let settled = app::settlements::list(store, &tenant, Some("OTHER"), None)
            .await
            .unwrap();
        assert_eq!(settled.len(), 1);
        assert_eq!(
            (
                settled[0].kind,
                settled[0].amount.to_decimal_string(),
                settled[0].invoice_number.as_str(),
                settled[0].settled_on
            ),
            (
                domain::settlement::SettlementKind::WriteOff,
                "1.50".to_owned(),
                "F-4",
                date(2026, 11, 20)
            )
        );
        assert!(settled[0].reason.contains("2.00"), "{}", settled[0].reason);
        let (closures, credit) = payments::customer_payments(store, &tenant, settled[0].customer)
            .await
            .unwrap();
        assert_eq!((closures.len(), credit.len()), (1, 0));
        assert!(
            app::settlements::list(store, &tenant, Some("LATE"), None)
                .await
                .unwrap()
                .is_empty()
        );

        // Importing again writes nothing off twice.
        let again = import(store, &tenant, &statement()).await.unwrap();
        assert_eq!((again.outcome.created, again.outcome.write_offs), (0, 0));

        // Undoing the payment undoes its write-off: F-4 owes all of it again.
        let line = payments::list_lines(store, &tenant, Some("auto_applied"))
            .await
            .unwrap()
            .into_iter()
            .find(|item| item.line.amount.to_decimal_string() == "988.50")
            .unwrap();
        let restored =
            payments::unmatch_line(store, &tenant, clock(), line.line.id, Language::English)
                .await
                .unwrap();
        assert_eq!(restored.to_decimal_string(), "990.00");
        assert_eq!(outstanding(store, &tenant, "F-4").await, "990.00");
        assert!(
            app::settlements::list(store, &tenant, Some("OTHER"), None)
                .await
                .unwrap()
                .is_empty()
        );
    });
}

#[tokio::test]
async fn a_saved_mapping_is_the_tenants_own_and_reads_its_banks_exports_by_name() {
    use formats::bank::{BankFormat, MappingSpec};
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let other = creditor(store, "Autre Atelier").await;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples");
        let spec = MappingSpec {
            delimiter: ",".into(),
            date_format: "dd/mm/yy".into(),
            skip_lines: 4,
            footer_lines: 1,
            account: Some("08088804068".into()),
            amount: None,
            credit: Some("Credit".into()),
            debit: Some("Debit".into()),
            label: vec!["Label".into(), "Detail".into()],
            reference: Some("Operation Number".into()),
            ..MappingSpec::default()
        };
        payments::save_mapping(store, &tenant, clock(), "banque-1", &spec)
            .await
            .unwrap();
        // Saved twice: replaced, not doubled.
        payments::save_mapping(store, &tenant, clock(), "banque-1", &spec)
            .await
            .unwrap();
        let names: Vec<String> = payments::mappings(store, &tenant)
            .await
            .unwrap()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(names, ["french", "banque-1"]);
        let kept = payments::mapping_spec(store, &tenant, "banque-1")
            .await
            .unwrap();
        assert_eq!(kept, spec);
        let bytes =
            std::fs::read(root.join("csv-bank/meta_data_separated_credit_debit.csv")).unwrap();
        let report = payments::import_bank(
            store,
            &tenant,
            clock(),
            &bytes,
            "export.csv",
            Some(BankFormat::Csv),
            Some(&kept.mapping().unwrap()),
            Language::French,
        )
        .await
        .unwrap();
        assert_eq!((report.outcome.created, report.outcome.outgoing), (4, 3));

        // Another creditor does not see it; an unknown name lists the known ones.
        let Err(PaymentError::UnknownMapping { name, known }) =
            payments::mapping_spec(store, &other, "banque-1").await
        else {
            panic!("another tenant's mapping was found");
        };
        assert_eq!(
            (name.as_str(), known),
            ("banque-1", vec!["french".to_owned()])
        );
        // The built-in name is kept for the built-in mapping.
        assert!(matches!(
            payments::save_mapping(store, &tenant, clock(), "French", &spec).await,
            Err(PaymentError::Invalid(_))
        ));
        // A setting that cannot work is refused by name before anything is saved.
        let broken = MappingSpec {
            date_format: "jj/mm/aa".into(),
            ..spec.clone()
        };
        let Err(PaymentError::Mapping(error)) =
            payments::save_mapping(store, &tenant, clock(), "banque-2", &broken).await
        else {
            panic!("a broken mapping was saved");
        };
        assert_eq!(error.setting, "date_format");
        assert_eq!(payments::mappings(store, &tenant).await.unwrap().len(), 2);

        payments::delete_mapping(store, &tenant, "banque-1")
            .await
            .unwrap();
        assert!(matches!(
            payments::delete_mapping(store, &tenant, "banque-1").await,
            Err(PaymentError::UnknownMapping { .. })
        ));
        assert_eq!(payments::mappings(store, &tenant).await.unwrap().len(), 1);
    });
}

#[tokio::test]
async fn a_reminder_still_claiming_an_unpaid_invoice_is_not_stopped_and_the_case_stays_open() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
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
        let before = dunning::list_actions(store, &tenant, None, Some("LATE"), Some("scheduled"))
            .await
            .unwrap();
        assert!(
            before.iter().any(|a| a.invoice_numbers.len() == 2),
            "{before:?}"
        );
        let rf = late_reference();
        let report = import(
            store,
            &tenant,
            &camt(&[Entry {
                amount: "1200.00",
                rf: Some(&rf),
                text: "F-1",
                ..Entry::default()
            }]),
        )
        .await
        .unwrap();
        assert_eq!(
            (report.outcome.applied, report.outcome.cases_closed),
            (1, 0)
        );
        assert_eq!(outstanding(store, &tenant, "F-1").await, "0.00");
        assert_eq!(outstanding(store, &tenant, "F-2").await, "300.00");
        let after = dunning::list_actions(store, &tenant, None, Some("LATE"), None)
            .await
            .unwrap();
        for action in &before {
            let now = after.iter().find(|a| a.id == action.id).unwrap();
            assert_eq!(now.status, "scheduled", "F-2 is still owed");
        }
        assert!(
            !after
                .iter()
                .any(|a| a.step_key == "receipt" || a.step_key == "thank_you")
        );
    });
}

#[tokio::test]
async fn a_bank_payment_of_an_installment_pays_the_customers_plan() {
    use app::plans::{self, Acceptance, PlanRequest, SplitRequest};
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        // The plan includes the accrued charges, which the statement computes.
        crate::fixtures::ecb_rates_through_2027(store).await;
        let request = PlanRequest {
            customer: "LATE",
            invoices: &[],
            split: SplitRequest::Installments(3),
            first_on: date(2026, 11, 30),
            every: "1m",
            down_payment: None,
            waive_charges: false,
            by: "Camille Durand",
        };
        let proposed = plans::propose(store, &tenant, clock(), &request)
            .await
            .unwrap();
        let id = proposed.plan.id;
        plans::accept(
            store,
            &tenant,
            clock(),
            id,
            &Acceptance {
                approved_by: None,
                note: "",
                signed_copy: None,
            },
        )
        .await
        .unwrap();
        let installment = proposed.plan.installments[0].amount;
        let rf = late_reference();
        let amount = installment.to_decimal_string();
        let report = import(
            store,
            &tenant,
            &camt(&[Entry {
                amount: &amount,
                rf: Some(&rf),
                text: "ECHEANCE 1",
                ..Entry::default()
            }]),
        )
        .await
        .unwrap();
        assert_eq!(
            report.outcome.applied, 1,
            "the customer's reference, the oldest first"
        );
        let view = plans::show(store, &tenant, clock(), id).await.unwrap();
        assert_eq!(view.standing.unwrap().paid, 1);
    });
}

#[tokio::test]
async fn the_receipt_and_thanks_of_a_closed_case_are_sent_by_the_dispatcher_once() {
    use app::delivery::{self, Event, Transports};
    use channels::SmtpConfig;
    use test_support::sinks::SmtpSink;
    on_every_backend!(|database| {
        let store = &database.store;
        let sink = SmtpSink::start();
        let tenant = setup(store).await;
        let rf = late_reference();
        let report = import(
            store,
            &tenant,
            &camt(&[Entry {
                amount: "1500.00",
                rf: Some(&rf),
                ..Entry::default()
            }]),
        )
        .await
        .unwrap();
        assert_eq!(
            (report.outcome.receipts_queued, report.outcome.thanks_queued),
            (1, 1)
        );
        let transports = Transports {
            smtp: Some(
                SmtpConfig::parse(
                    &sink.url(),
                    "Atelier Bellevue <compta@bellevue.example>",
                    None,
                )
                .unwrap(),
            ),
            ..Transports::default()
        };
        let sent = delivery::dispatch(store, &tenant, clock(), &transports)
            .await
            .unwrap();
        let late: Vec<&Event> = sent
            .events
            .iter()
            .filter(|event| event.customer_ref == "LATE")
            .map(|event| &event.event)
            .collect();
        assert_eq!(
            late.iter().filter(|event| ***event == Event::Sent).count(),
            2,
            "{sent:?}"
        );
        let mails: Vec<_> = sink
            .received()
            .into_iter()
            .filter(|mail| mail.header("to") == "compta@retard.fr")
            .collect();
        assert_eq!(mails.len(), 2);
        assert!(
            mails
                .iter()
                .any(|mail| mail.header("subject") == "Merci pour votre règlement"),
            "{:?}",
            mails
                .iter()
                .map(|m| m.header("subject"))
                .collect::<Vec<_>>()
        );
        // Dispatching again sends nothing more.
        let again = delivery::dispatch(store, &tenant, clock(), &transports)
            .await
            .unwrap();
        assert!(
            !again
                .events
                .iter()
                .any(|event| event.customer_ref == "LATE" && event.event == Event::Sent)
        );
    });
}
