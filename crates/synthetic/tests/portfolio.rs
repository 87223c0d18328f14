//! What the demo, the tests and the benchmarks rely on: determinism, the domain's invariants,
//! the performance spec's distributions and the import format.

use std::collections::{BTreeMap, BTreeSet};

use domain::customer::CustomerKind;
use domain::identifiers::{Iban, Siren};
use domain::money::{Currency, Money};
use domain::receivable::{InvoiceDates, InvoiceDetails};
use jiff::civil::{Date, date};
use synthetic::{
    Behaviour, CsvColumns, GeneratedInvoice, INVOICE_CSV_HEADER, PortfolioSpec, customers,
    demo_creditor, for_each_invoice, write_invoice_csv, write_invoice_csv_columns,
};

const AS_OF: Date = date(2025, 6, 30);

fn csv_bytes(spec: &PortfolioSpec) -> Vec<u8> {
    let mut bytes = Vec::new();
    let rows = write_invoice_csv(spec, &mut bytes).unwrap();
    assert_eq!(rows, spec.invoices);
    bytes
}

fn invoices(spec: &PortfolioSpec) -> Vec<GeneratedInvoice> {
    let mut invoices = Vec::new();
    for_each_invoice(spec, &customers(spec), |invoice| invoices.push(invoice));
    invoices
}

fn percent(part: usize, whole: usize) -> f64 {
    part as f64 * 100.0 / whole as f64
}

#[test]
fn the_same_seed_gives_byte_identical_csv() {
    let spec = PortfolioSpec::benchmark(11, 20_000, AS_OF);
    assert_eq!(csv_bytes(&spec), csv_bytes(&spec));
}

#[test]
fn a_different_seed_gives_a_different_csv() {
    let one = csv_bytes(&PortfolioSpec::benchmark(11, 20_000, AS_OF));
    let other = csv_bytes(&PortfolioSpec::benchmark(12, 20_000, AS_OF));
    assert_ne!(one, other);
}

#[test]
fn the_csv_header_is_exactly_the_import_format() {
    let bytes = csv_bytes(&PortfolioSpec::demo(1, AS_OF));
    let first_line = bytes.split(|byte| *byte == b'\n').next().unwrap();
    assert_eq!(
        std::str::from_utf8(first_line).unwrap(),
        "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,currency,\
         email,phone,customer_kind,country,service_date"
    );
    assert_eq!(
        INVOICE_CSV_HEADER.join(","),
        std::str::from_utf8(first_line).unwrap()
    );
}

#[test]
fn ledger_columns_are_the_first_seven_of_every_row_and_nothing_else() {
    // Several blocks, as above: the same rows whichever thread encoded them.
    let spec = PortfolioSpec::benchmark(5, 30_000, AS_OF);
    let mut ledger = Vec::new();
    let rows = write_invoice_csv_columns(&spec, CsvColumns::Ledger, &mut ledger).unwrap();
    assert_eq!(rows, spec.invoices);
    let every = csv_bytes(&spec);
    let mut full = csv::Reader::from_reader(every.as_slice());
    let mut lean = csv::Reader::from_reader(ledger.as_slice());
    assert_eq!(
        lean.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "customer_ref",
            "customer_name",
            "invoice_number",
            "issue_date",
            "due_date",
            "amount",
            "outstanding"
        ]
    );
    let mut compared = 0;
    for (full, lean) in full.records().zip(lean.records()) {
        let (full, lean) = (full.unwrap(), lean.unwrap());
        assert_eq!(lean.len(), 7);
        assert_eq!(
            lean.iter().collect::<Vec<_>>(),
            full.iter().take(7).collect::<Vec<_>>()
        );
        compared += 1;
    }
    assert_eq!(compared, spec.invoices);
    // A bare ledger is about the size of the reference ledger of benchmark I1 (83 bytes a row).
    let bytes_per_row = ledger.len() as u64 / spec.invoices;
    assert!(
        (70..=95).contains(&bytes_per_row),
        "{bytes_per_row} bytes a row"
    );
}

#[test]
fn the_csv_rows_are_the_generated_invoices_with_their_customers() {
    // Bigger than one block of invoices, so that rows encoded on several threads are compared.
    let spec = PortfolioSpec::benchmark(5, 30_000, AS_OF);
    let customers = customers(&spec);
    let by_reference: BTreeMap<&str, _> = customers
        .iter()
        .map(|customer| (customer.details.reference.as_str(), &customer.details))
        .collect();
    let bytes = csv_bytes(&spec);
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let mut rows = reader.records();
    let mut count = 0;
    for_each_invoice(&spec, &customers, |invoice| {
        let row = rows.next().expect("a row per invoice").unwrap();
        let details = &invoice.details;
        let customer = by_reference[details.customer().as_str()];
        let money = |text: &str| Money::parse_decimal(text, Currency::EUR).unwrap();
        assert_eq!(&row[0], details.customer().as_str());
        assert_eq!(&row[1], customer.legal_name);
        assert_eq!(&row[2], details.number().as_str());
        assert_eq!(row[3].parse::<Date>().unwrap(), details.issued_on());
        assert_eq!(row[4].parse::<Date>().unwrap(), details.due_on());
        assert_eq!(money(&row[5]), details.amount());
        assert_eq!(money(&row[6]), details.outstanding());
        assert_eq!(&row[7], "EUR");
        assert_eq!(&row[8], customer.email.as_ref().unwrap().as_str());
        assert_eq!(
            &row[9],
            customer.phone.as_ref().map_or("", |phone| phone.as_str())
        );
        assert_eq!(&row[10], customer.kind.code());
        assert_eq!(&row[11], "FR");
        assert_eq!(row[12].parse::<Date>().ok(), details.service_on());
        count += 1;
    });
    assert!(rows.next().is_none());
    assert_eq!(count, 30_000);
}

#[test]
fn every_invoice_keeps_the_domain_invariants() {
    let spec = PortfolioSpec::benchmark(3, 20_000, AS_OF);
    let references: BTreeSet<String> = customers(&spec)
        .iter()
        .map(|customer| customer.details.reference.as_str().to_owned())
        .collect();
    let first_issue = AS_OF
        .checked_sub(jiff::Span::new().days(spec.history_days - 1))
        .unwrap();
    for invoice in invoices(&spec) {
        let details = &invoice.details;
        let rebuilt = InvoiceDetails::new(
            details.number().clone(),
            details.customer().clone(),
            InvoiceDates {
                issued_on: details.issued_on(),
                due_on: details.due_on(),
                service_on: details.service_on(),
            },
            details.amount(),
            details.outstanding(),
        );
        assert_eq!(rebuilt.as_ref(), Ok(details));
        assert!(references.contains(details.customer().as_str()));
        assert!((first_issue..=AS_OF).contains(&details.issued_on()));
        let service_on = details.service_on().unwrap();
        assert!(
            service_on <= details.issued_on()
                && (details.issued_on() - service_on).get_days() <= 10
        );
        assert!((100..=500_000_000).contains(&details.amount().minor()));
        match invoice.paid_on {
            Some(paid_on) => {
                assert!(details.outstanding().is_zero());
                assert!(details.issued_on() <= paid_on && paid_on <= AS_OF);
            }
            None => assert!(!details.outstanding().is_zero()),
        }
        if invoice.disputed {
            assert_eq!(details.outstanding(), details.amount());
        }
    }
}

#[test]
fn every_siren_and_iban_passes_the_domain_checks() {
    let spec = PortfolioSpec::benchmark(9, 100_000, AS_OF);
    let customers = customers(&spec);
    let mut sirens = BTreeSet::new();
    for customer in &customers {
        match (&customer.siren, customer.details.kind) {
            (Some(siren), CustomerKind::Business) => {
                assert_eq!(Siren::parse(siren.as_str()).as_ref(), Ok(siren));
                assert!(
                    sirens.insert(siren.as_str().to_owned()),
                    "SIRENs are unique"
                );
            }
            (None, CustomerKind::Consumer) => {}
            (siren, kind) => panic!("{kind:?} with SIREN {siren:?}"),
        }
    }
    let creditor = demo_creditor();
    assert_eq!(creditor.company_name, "Atelier Bellevue SAS");
    assert!(Siren::parse(creditor.siren.as_ref().unwrap().as_str()).is_ok());
    let iban = creditor.iban.as_ref().unwrap();
    assert!(Iban::parse(iban.as_str()).is_ok() && iban.as_str().starts_with("FR"));
    assert_eq!(creditor.address.city, "Lyon");
    assert_eq!(creditor.time_zone.as_str(), "Europe/Paris");
    assert_eq!(creditor.currency, Currency::EUR);
    assert_eq!(creditor.default_payment_term_days, 30);
}

#[test]
fn a_large_portfolio_follows_the_performance_spec() {
    let spec = PortfolioSpec::benchmark(2025, 200_000, AS_OF);
    let invoices = invoices(&spec);
    let total = invoices.len();
    assert_eq!(total, 200_000);

    let paid = invoices
        .iter()
        .filter(|invoice| invoice.details.outstanding().is_zero())
        .count();
    let open = invoices
        .iter()
        .filter(|invoice| invoice.details.outstanding() == invoice.details.amount())
        .count();
    let partial = total - paid - open;
    for (name, actual, expected) in [
        ("paid", percent(paid, total), 72.0),
        ("partial", percent(partial, total), 6.4),
        ("open", percent(open, total), 21.6),
    ] {
        assert!(
            (actual - expected).abs() <= 2.0,
            "{name}: {actual:.2} % instead of {expected} %"
        );
    }

    let mut amounts: Vec<i64> = invoices
        .iter()
        .map(|invoice| invoice.details.amount().minor())
        .collect();
    amounts.sort_unstable();
    let median = amounts[total / 2] as f64 / 100.0;
    assert!((median - 400.0).abs() <= 40.0, "median amount {median}");

    for (term, expected) in [(0, 5.0), (30, 50.0), (45, 20.0), (60, 25.0)] {
        let count = invoices
            .iter()
            .filter(|invoice| {
                (invoice.details.due_on() - invoice.details.issued_on()).get_days() == term
            })
            .count();
        let actual = percent(count, total);
        assert!(
            (actual - expected).abs() <= 2.0,
            "term {term}: {actual:.2} % instead of {expected} %"
        );
    }
}

#[test]
fn invoices_not_yet_due_are_mostly_unpaid() {
    let invoices = invoices(&PortfolioSpec::benchmark(4, 100_000, AS_OF));
    let not_due: Vec<_> = invoices
        .iter()
        .filter(|invoice| invoice.details.due_on() > AS_OF)
        .collect();
    let unpaid = not_due
        .iter()
        .filter(|invoice| !invoice.details.outstanding().is_zero())
        .count();
    assert!(
        percent(unpaid, not_due.len()) > 70.0,
        "{unpaid} of {}",
        not_due.len()
    );
}

#[test]
fn a_few_customers_hold_many_invoices() {
    let spec = PortfolioSpec::benchmark(6, 100_000, AS_OF);
    let mut per_customer: BTreeMap<String, usize> = BTreeMap::new();
    for invoice in invoices(&spec) {
        *per_customer
            .entry(invoice.details.customer().as_str().to_owned())
            .or_default() += 1;
    }
    let mut counts: Vec<usize> = per_customer.into_values().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    // u² skew: the top 1 % of customers get √0.01 = 10 % of the invoices.
    let top = counts
        .iter()
        .take(spec.customers as usize / 100)
        .sum::<usize>();
    assert!((8.0..12.0).contains(&percent(top, 100_000)), "{top}");
}

#[test]
fn invoice_numbers_are_unique_and_follow_issue_dates() {
    let invoices = invoices(&PortfolioSpec::benchmark(8, 20_000, AS_OF));
    for pair in invoices.windows(2) {
        assert!(pair[0].details.issued_on() <= pair[1].details.issued_on());
    }
    for (position, invoice) in invoices.iter().enumerate() {
        let expected = format!(
            "F{}-{:06}",
            invoice.details.issued_on().year(),
            position + 1
        );
        assert_eq!(invoice.details.number().as_str(), expected);
    }
}

#[test]
fn the_demo_portfolio_has_what_the_demo_shows() {
    let spec = PortfolioSpec::demo(2025, AS_OF);
    let customers = customers(&spec);
    assert_eq!(customers.len(), 300);
    let consumers = customers
        .iter()
        .filter(|customer| customer.details.kind == CustomerKind::Consumer)
        .count();
    assert!((5..=50).contains(&consumers), "{consumers} consumers");
    let behaviours: BTreeSet<Behaviour> = customers
        .iter()
        .map(|customer| customer.behaviour)
        .collect();
    assert_eq!(behaviours, Behaviour::ALL.into_iter().collect());
    let emails: BTreeSet<&str> = customers
        .iter()
        .map(|customer| customer.details.email.as_ref().unwrap().as_str())
        .collect();
    assert_eq!(emails.len(), 300);

    let invoices = invoices(&spec);
    assert_eq!(invoices.len(), 3_000);
    let numbers: BTreeSet<&str> = invoices
        .iter()
        .map(|invoice| invoice.details.number().as_str())
        .collect();
    assert_eq!(numbers.len(), 3_000);
    let first_issue = AS_OF.checked_sub(jiff::Span::new().days(547)).unwrap();
    assert!(
        invoices
            .iter()
            .all(|invoice| invoice.details.issued_on() >= first_issue)
    );
    assert!(invoices.iter().any(|invoice| invoice.disputed));
}
