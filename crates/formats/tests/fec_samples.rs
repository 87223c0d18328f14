//! The public FEC samples in `shared/samples/fec/` (see `SOURCES.md`), read end to end.
//!
//! The figures were checked outside this crate: invoice counts with awk on the files, the
//! settled/open split and leftover credits with an independent script applying the same
//! lettering rules, and the individual invoices below by reading their lines.

use domain::identifiers::CountryCode;
use domain::money::Currency;
use formats::fec::{FecImport, FecOptions, read_fec};
use formats::invoice_csv::InvoiceRow;

fn read_sample(name: &str) -> FecImport {
    let path = format!(
        "{}/../../../shared/samples/fec/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let file = std::fs::File::open(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
    let options = FecOptions {
        currency: Currency::EUR,
        default_country: CountryCode::FRANCE,
        payment_term_days: 30,
    };
    read_fec(std::io::BufReader::new(file), &options).unwrap_or_else(|problems| {
        panic!(
            "{name}: {}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

fn invoice<'a>(import: &'a FecImport, number: &str) -> &'a InvoiceRow {
    import
        .rows
        .iter()
        .find(|row| row.invoice.number().as_str() == number)
        .unwrap_or_else(|| panic!("no invoice {number}"))
}

/// (line, customer, amount, outstanding) in cents.
fn facts(row: &InvoiceRow) -> (u64, &str, i64, i64) {
    (
        row.line,
        row.customer.reference.as_str(),
        row.invoice.amount().minor(),
        row.invoice.outstanding().minor(),
    )
}

fn unapplied(import: &FecImport) -> Vec<(&str, i64)> {
    import
        .summary
        .unapplied_credit
        .iter()
        .map(|(customer, money)| (customer.as_str(), money.minor()))
        .collect()
}

fn split(import: &FecImport) -> (u64, u64, u64, u64) {
    let summary = &import.summary;
    (
        summary.invoices,
        summary.settled,
        summary.partly_settled,
        summary.open,
    )
}

#[test]
fn the_tab_separated_sample_with_a_bom_is_read() {
    let import = read_sample("0000000001FEC20220831.txt");
    let summary = &import.summary;
    assert_eq!(
        (summary.lines, summary.entries, summary.unbalanced_entries),
        (5422, 2033, 0)
    );
    assert_eq!(summary.customer_lines, 538);
    assert_eq!(split(&import), (400, 377, 0, 23));
    // Lettered AABI with the bank line 3612 of 6110.03: settled.
    assert_eq!(
        facts(invoice(&import, "FA  220363")),
        (5318, "CLAURE", 611_003, 0)
    );
    // Lettered AAEQ, but no credit carries that code: still owed.
    assert_eq!(
        facts(invoice(&import, "FA  220394")),
        (5413, "CPMTN0", 1_807_004, 1_807_004)
    );
    // Unlettered, paid by the unlettered transfer of 8194.19 on line 4143; 79.13 is left over.
    assert_eq!(
        facts(invoice(&import, "FA  220272")),
        (5030, "CNOURR", 811_506, 0)
    );
    assert_eq!(unapplied(&import), [("CNOURR", 7_913)]);
    // Seven opening balances share PieceRef RAN and EcritureNum 1.
    assert_eq!(
        facts(invoice(&import, "RAN/1/CFLORE")),
        (43, "CFLORE", 3_471, 0)
    );
    assert_eq!(
        invoice(&import, "RAN/1/CFLORE").customer.legal_name,
        "JARDIN DE FLORETTE"
    );
}

#[test]
fn the_22_column_sample_with_unnumbered_entries_is_read() {
    let import = read_sample("000000000FEC20231231.txt");
    let summary = &import.summary;
    // Every EcritureNum is 0, so an entry is a whole journal.
    assert_eq!(
        (summary.lines, summary.entries, summary.unbalanced_entries),
        (2102, 6, 0)
    );
    assert_eq!(split(&import), (20, 10, 3, 7));
    // No lettering on customer accounts: CCHQ's 1510.50 of receipts pay its debits oldest
    // first, leaving 105.50 of the 153.00 of June 2022.
    assert_eq!(
        facts(invoice(&import, "06/2022")),
        (1875, "CCHQ", 15_300, 10_550)
    );
    assert_eq!(
        facts(invoice(&import, "12/2022")),
        (2060, "CCHQ", 9_000, 9_000)
    );
    assert_eq!(
        facts(invoice(&import, "01/2023/0/CESP")),
        (52, "CESP", 1_033_315, 708_815)
    );
    assert!(unapplied(&import).is_empty());
}

#[test]
fn the_pipe_sample_with_a_trailing_pipe_and_zero_padded_amounts_is_read() {
    let import = read_sample("111111111FEC20221231.TXT");
    let summary = &import.summary;
    assert_eq!(
        (summary.lines, summary.entries, summary.customer_lines),
        (934, 248, 151)
    );
    assert_eq!(split(&import), (100, 72, 0, 28));
    // Lettered AA with the CIC receipt on line 680.
    let settled = invoice(&import, "VE  0123/00000001");
    assert_eq!(facts(settled), (6, "41101590", 7_470, 0));
    assert_eq!(settled.customer.legal_name, "E.LECLERC CARPENTR");
    // Unlettered and never paid.
    assert_eq!(
        facts(invoice(&import, "VE  0523/00000056")),
        (347, "41101050", 643_994, 643_994)
    );
    // An unlettered opening credit of a customer whose invoices are all lettered and paid.
    assert_eq!(unapplied(&import), [("41104251", 5_603)]);
}

#[test]
fn the_sample_with_cr_cr_lf_line_endings_is_read_with_awk_line_numbers() {
    let import = read_sample("123456789FEC20500930.txt");
    let summary = &import.summary;
    assert_eq!(
        (summary.lines, summary.entries, summary.customer_lines),
        (10_756, 4001, 4)
    );
    assert_eq!(split(&import), (3, 1, 0, 2));
    // The opening debit lettered AAAF with the inventory credit of the same amount.
    assert_eq!(facts(invoice(&import, "5")), (77, "411100000", 215_338, 0));
    assert_eq!(
        facts(invoice(&import, "OD000000095")),
        (8980, "411100000", 7_578_450, 7_578_450)
    );
    assert_eq!(
        invoice(&import, "OD000000095").invoice.due_on(),
        jiff::civil::date(2023, 5, 26)
    );
}
