//! The public bank samples in `shared/samples/` (camt053, camt054, ofx, mt940, csv-bank; see
//! `SOURCES.md`), read end to end through the public API.
//!
//! `OUTCOMES` lists every sample with what it must give (statements and booked entries, or the
//! problems it is refused with), and `every_sample_is_listed` fails when a file is added to
//! the folders without an expected outcome. Then one test per sample checks concrete figures:
//! lines, dates, amounts, directions, reversals, batches, counterparties, references.
//!
//! The figures were checked outside Relance: entry counts with grep on the files, batch sums
//! with a Python script over the XML, and the strongest check of all, the balances: for every
//! real bank export here (as opposed to hand-made parser fixtures), the opening balance plus
//! the booked entries gives the closing balance to the cent, which only holds when every
//! amount, direction, reversal and batch breakdown is read right (`balances_reconcile`).

use std::collections::HashSet;

use domain::bank::{
    AccountId, BankEntry, BankStatement, Batch, CreditorReference, Direction, KeyLayer,
};
use domain::customer::Language;
use domain::money::Currency;
use formats::bank::{
    BankCsvMapping, BankFile, BankFormat, BankProblem, BankProblemKind, CsvAmountColumns,
    CsvColumn, CsvColumns, DateFormat, Field, detect, read_bank_file, read_csv,
};
use formats::problem::AmountError;
use jiff::civil::date;

const FOLDERS: [&str; 5] = ["camt053", "camt054", "ofx", "mt940", "csv-bank"];

fn samples_dir() -> String {
    format!("{}/../../../shared/samples", env!("CARGO_MANIFEST_DIR"))
}

fn bytes(name: &str) -> Vec<u8> {
    let path = format!("{}/{name}", samples_dir());
    std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn read(name: &str) -> Result<BankFile, Vec<BankProblem>> {
    read_bank_file(&bytes(name), None, None)
}

fn ok(name: &str) -> BankFile {
    read(name).unwrap_or_else(|problems| {
        panic!(
            "{name}:\n{}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

fn refused(name: &str) -> Vec<String> {
    match read(name) {
        Ok(file) => panic!("{name} was read: {} entries", file.entries().count()),
        Err(problems) => problems.iter().map(ToString::to_string).collect(),
    }
}

/// `L50 2014-01-05 -754.25 EUR reversal AC06 part 1/2`: where, when, which way, how much.
fn brief(entry: &BankEntry) -> String {
    let mut text = format!(
        "L{} {} {}{}",
        entry.line,
        entry.booking_date,
        match entry.direction {
            Direction::Credit => "+",
            Direction::Debit => "-",
        },
        entry.amount
    );
    if entry.reversal {
        text.push_str(" reversal");
        if let Some(reason) = &entry.return_reason {
            text.push(' ');
            text.push_str(reason);
        }
    }
    match entry.batch {
        Some(Batch::Part { index, count }) => text.push_str(&format!(" part {index}/{count}")),
        Some(Batch::Whole { count }) => text.push_str(&format!(" batch of {count}")),
        None => {}
    }
    text
}

fn briefs(file: &BankFile) -> Vec<String> {
    file.entries().map(brief).collect()
}

fn entry(file: &BankFile, line: u64) -> &BankEntry {
    file.entries()
        .find(|entry| entry.line == line)
        .unwrap_or_else(|| panic!("no entry on line {line}"))
}

/// `name account`, `-` for what is missing.
fn party(entry: &BankEntry) -> String {
    format!(
        "{} {}",
        entry.counterparty.name.as_deref().unwrap_or("-"),
        entry
            .counterparty
            .account
            .as_ref()
            .map_or("-", AccountId::as_str)
    )
}

fn account(statement: &BankStatement) -> &str {
    statement.account.as_ref().map_or("-", AccountId::as_str)
}

/// `(opening, closing)` in minor units.
fn balances(statement: &BankStatement) -> (Option<i64>, Option<i64>) {
    (
        statement
            .opening_balance
            .map(|balance| balance.amount.minor()),
        statement
            .closing_balance
            .map(|balance| balance.amount.minor()),
    )
}

fn total(file: &BankFile, direction: Direction) -> i64 {
    file.entries()
        .filter(|entry| entry.direction == direction)
        .map(|entry| entry.amount.minor())
        .sum()
}

enum Outcome {
    /// Statements, booked entries, entries skipped as not booked.
    Read(usize, usize, usize),
    /// Refused with problems of these kinds, on these lines.
    Refused(&'static [(u64, &'static str)]),
}

/// Every sample and its outcome; a refused file names its problems by line and kind.
const OUTCOMES: &[(&str, Outcome)] = &[
    ("camt053/2024-03-07.xml", Outcome::Read(2, 3, 0)),
    (
        "camt053/BE68793230773034-202411.xml",
        Outcome::Read(1, 268, 0),
    ),
    (
        "camt053/camt.053_P_CH0309000000250090342_380000000_0_2016053100163801.xml",
        Outcome::Read(1, 32, 0),
    ),
    (
        "camt053/camt053.v2.five.decimals.xml",
        Outcome::Read(1, 1, 0),
    ),
    ("camt053/camt053.v2.minimal.xml", Outcome::Read(1, 1, 0)),
    (
        "camt053/camt053.v2.multi.statement.xml",
        Outcome::Read(2, 2, 0),
    ),
    ("camt053/camt053.v8.xml", Outcome::Read(1, 1, 0)),
    ("camt053/test-camt053", Outcome::Read(1, 4, 0)),
    ("camt053/test-camt053-txdtls", Outcome::Read(1, 2, 0)),
    ("camt053/valid_example.xml", Outcome::Read(1, 5, 0)),
    (
        "camt053/valid_example_with_batch.xml",
        Outcome::Read(1, 3, 0),
    ),
    (
        "camt053/valid_example_with_instdamt.xml",
        Outcome::Read(1, 1, 0),
    ),
    (
        "camt054/200519_camt.054_P_CH2909000000250094239_1111091335_0_2020061900081727_v2019.xml",
        Outcome::Read(1, 2, 0),
    ),
    ("camt054/2024-03-07.xml", Outcome::Read(1, 0, 1)),
    (
        "camt054/camt.054-ES_P_CH0309000000250090342_38000000_0_2016052723011813.xml",
        Outcome::Read(1, 8, 0),
    ),
    ("camt054/camt054.v4.xml", Outcome::Read(1, 1, 0)),
    (
        "camt054/camt_054_Beispiel_NoCrdtBookedNotReversed.xml",
        Outcome::Read(1, 2, 1),
    ),
    (
        "camt054/camt_054_Beispiel_NotificationMissing.xml",
        Outcome::Refused(&[(1, "NotRecognised")]),
    ),
    ("camt054/test-camt054", Outcome::Read(1, 1, 0)),
    ("camt054/valid_example.xml", Outcome::Read(1, 5, 0)),
    ("ofx/anzcc.ofx", Outcome::Read(1, 1, 0)),
    ("ofx/bank_medium.ofx", Outcome::Read(1, 3, 0)),
    ("ofx/checking.ofx", Outcome::Read(1, 3, 0)),
    (
        "ofx/decimal_error.ofx",
        Outcome::Refused(&[(36, "InvalidDate"), (37, "InvalidAmount(NotANumber)")]),
    ),
    ("ofx/multiple_accounts.ofx", Outcome::Read(2, 0, 0)),
    ("ofx/ofx-v102-empty-tags.ofx", Outcome::Read(1, 1, 0)),
    ("ofx/ofxdata-bb.ofx", Outcome::Read(1, 1, 0)),
    ("ofx/ofxdata-bpbfc.ofx", Outcome::Read(1, 6, 0)),
    ("ofx/ofxdata-cmfr.ofx", Outcome::Read(1, 42, 0)),
    ("ofx/ofxdata-memoWithAmpersand.ofx", Outcome::Read(1, 16, 0)),
    ("ofx/suncorp.ofx", Outcome::Read(1, 1, 0)),
    (
        "mt940/0708271685_09022020_164516.940.txt",
        Outcome::Read(31, 8, 0),
    ),
    ("mt940/171011_01234945.sta", Outcome::Read(1, 3, 0)),
    ("mt940/abnamro.sta", Outcome::Read(2, 10, 0)),
    (
        "mt940/cmxl/mt940.sta",
        Outcome::Refused(&[(4, "UnknownCurrency"), (27, "UnknownCurrency")]),
    ),
    ("mt940/ing.sta", Outcome::Read(1, 7, 0)),
    ("mt940/knab.sta", Outcome::Read(2, 3, 0)),
    ("mt940/malformed_details.sta", Outcome::Read(1, 1, 0)),
    ("mt940/mt940.sta", Outcome::Read(1, 3, 0)),
    ("mt940/postfinance.sta", Outcome::Read(2, 4, 0)),
    ("mt940/rabobank.sta", Outcome::Read(4, 5, 0)),
    ("mt940/sepa_mt9401.sta", Outcome::Read(26, 97, 0)),
    // CSV files need their bank's mapping: `--format auto` recognises them as CSV and asks
    // for one. Each is read with its mapping in the `csv_*` tests below.
    (
        "csv-bank/debit_credit_amount.csv",
        Outcome::Refused(&[(1, "CsvMappingRequired")]),
    ),
    (
        "csv-bank/meta_data_separated_credit_debit.csv",
        Outcome::Refused(&[(1, "CsvMappingRequired")]),
    ),
    (
        "csv-bank/sample_statement_en.csv",
        Outcome::Refused(&[(1, "CsvMappingRequired")]),
    ),
    (
        "csv-bank/statement_en.csv",
        Outcome::Refused(&[(1, "CsvMappingRequired")]),
    ),
];

fn kind_name(kind: &BankProblemKind) -> String {
    let debug = format!("{kind:?}");
    match kind {
        BankProblemKind::InvalidAmount(reason) => format!("InvalidAmount({reason:?})"),
        _ => debug
            .split([' ', '{', '('])
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

#[test]
fn every_sample_is_listed() {
    let listed: HashSet<&str> = OUTCOMES.iter().map(|(name, _)| *name).collect();
    let mut found = Vec::new();
    for folder in FOLDERS {
        let mut pending = vec![folder.to_owned()];
        while let Some(relative) = pending.pop() {
            let path = format!("{}/{relative}", samples_dir());
            for item in std::fs::read_dir(&path).unwrap_or_else(|error| panic!("{path}: {error}")) {
                let item = item.unwrap_or_else(|error| panic!("{path}: {error}"));
                let name = format!("{relative}/{}", item.file_name().to_string_lossy());
                if item.path().is_dir() {
                    pending.push(name);
                } else {
                    found.push(name);
                }
            }
        }
    }
    let unlisted: Vec<&String> = found
        .iter()
        .filter(|name| !listed.contains(name.as_str()))
        .collect();
    assert!(
        unlisted.is_empty(),
        "samples without an expected outcome: {unlisted:?}"
    );
    assert_eq!(found.len(), OUTCOMES.len(), "a listed sample is missing");
}

#[test]
fn every_sample_imports_or_is_refused_as_expected() {
    for (name, outcome) in OUTCOMES {
        match (read(name), outcome) {
            (Ok(file), Outcome::Read(statements, entries, skipped)) => {
                let found = (
                    file.statements.len(),
                    file.entries().count(),
                    file.statements
                        .iter()
                        .map(|statement| statement.skipped.len())
                        .sum::<usize>(),
                );
                assert_eq!(found, (*statements, *entries, *skipped), "{name}");
            }
            (Err(problems), Outcome::Refused(expected)) => {
                let found: Vec<(u64, String)> = problems
                    .iter()
                    .map(|problem| (problem.line, kind_name(&problem.kind)))
                    .collect();
                let expected: Vec<(u64, String)> = expected
                    .iter()
                    .map(|(line, kind)| (*line, (*kind).to_owned()))
                    .collect();
                assert_eq!(found, expected, "{name}");
                for problem in &problems {
                    assert_ne!(
                        problem.describe(Language::French),
                        problem.describe(Language::English)
                    );
                }
            }
            (Ok(file), Outcome::Refused(_)) => {
                panic!("{name} was read ({} entries)", file.entries().count())
            }
            (Err(problems), Outcome::Read(..)) => panic!(
                "{name} was refused:\n{}",
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        }
    }
}

#[test]
fn every_sample_is_detected_as_its_format() {
    for (name, _) in OUTCOMES {
        let expected = match name.split('/').next() {
            Some("camt053") => Some(BankFormat::Camt053),
            Some("camt054") => Some(BankFormat::Camt054),
            Some("ofx") => Some(BankFormat::Ofx),
            Some("mt940") => Some(BankFormat::Mt940),
            Some("csv-bank") => Some(BankFormat::Csv),
            _ => None,
        };
        // An empty `<Document/>` names no message: nothing tells it is a notification.
        let expected = if name.ends_with("NotificationMissing.xml") {
            None
        } else {
            expected
        };
        assert_eq!(detect(&bytes(name)), expected, "{name}");
    }
}

/// For the real bank exports, opening balance + entries = closing balance, statement by
/// statement, to the cent. The parser fixtures whose balances were typed by hand (and do not
/// add up in the files themselves) are left out.
#[test]
fn balances_reconcile() {
    let real = [
        "camt053/2024-03-07.xml",
        "camt053/BE68793230773034-202411.xml",
        "camt053/camt.053_P_CH0309000000250090342_380000000_0_2016053100163801.xml",
        "camt053/camt053.v2.multi.statement.xml",
        "camt053/test-camt053-txdtls",
        "camt053/valid_example.xml",
        "mt940/0708271685_09022020_164516.940.txt",
        "mt940/171011_01234945.sta",
        "mt940/mt940.sta",
        "mt940/sepa_mt9401.sta",
    ];
    let mut checked = 0;
    for name in real {
        for statement in ok(name).statements {
            let (Some(opening), Some(closing)) =
                (statement.opening_balance, statement.closing_balance)
            else {
                panic!("{name}: a statement without balances");
            };
            let moved: i64 = statement
                .entries
                .iter()
                .map(|entry| entry.signed_amount().minor())
                .sum();
            assert_eq!(
                opening.amount.minor() + moved,
                closing.amount.minor(),
                "{name}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 67);
}

#[test]
fn keys_are_unique_in_each_file_and_stable_across_reads() {
    for (name, outcome) in OUTCOMES {
        if let Outcome::Read(..) = outcome {
            let keys: Vec<_> = ok(name).dedup_keys().into_iter().flatten().collect();
            let unique: HashSet<_> = keys.iter().collect();
            assert_eq!(unique.len(), keys.len(), "{name}");
            let again: Vec<_> = ok(name).dedup_keys().into_iter().flatten().collect();
            assert_eq!(keys, again, "{name}");
        }
    }
}

/// ASN's file holds one statement a day for January 2020. Two overlapping extracts (days 1 to
/// 26 and 5 to 31) share the entries of days 5 to 26, and those get the same keys in both:
/// importing the second after the first adds only what is new, and the two together key
/// exactly what the whole month keys.
#[test]
fn an_overlapping_mt940_extract_gives_the_shared_entries_the_same_keys() {
    let text =
        String::from_utf8(bytes("mt940/0708271685_09022020_164516.940.txt")).unwrap_or_default();
    let messages: Vec<&str> = text.split_inclusive("-}{5:}\n").collect();
    assert_eq!(messages.len(), 31);
    let keyed = |file: &BankFile| -> Vec<(String, String)> {
        let keys = file.dedup_keys();
        file.statements
            .iter()
            .zip(keys)
            .flat_map(|(statement, keys)| {
                statement
                    .entries
                    .iter()
                    .zip(keys)
                    .map(|(entry, key)| {
                        (
                            format!("{} {}", entry.booking_date, entry.signed_amount()),
                            key.to_string(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let extract = |days: std::ops::Range<usize>| {
        let text: String = messages[days].concat();
        let file = read_bank_file(text.as_bytes(), None, None)
            .unwrap_or_else(|problems| panic!("{problems:?}"));
        keyed(&file)
    };
    let first = extract(0..26);
    let second = extract(4..31);
    let shared: Vec<&str> = first
        .iter()
        .filter(|key| second.contains(key))
        .map(|(what, _)| what.as_str())
        .collect();
    assert_eq!(
        shared,
        [
            "2020-01-05 1000.00 EUR",
            "2020-01-05 -801.55 EUR",
            "2020-01-25 -1.65 EUR"
        ]
    );
    let mut union: Vec<&(String, String)> = first.iter().chain(&second).collect();
    union.sort();
    union.dedup();
    let whole = keyed(&ok("mt940/0708271685_09022020_164516.940.txt"));
    let mut all: Vec<&(String, String)> = whole.iter().collect();
    all.sort();
    assert_eq!(union, all);
}

/// PostFinance sends the same collective credit in a camt.054 notification (the day it
/// arrives) and in the month's camt.053 statement: its eight payments get the same keys in
/// both, so importing the statement after the notification pays nothing twice.
#[test]
fn a_notification_and_the_statement_booking_it_give_the_same_keys() {
    let keys_of = |name: &str, lines: &[u64]| -> Vec<String> {
        let file = ok(name);
        let keys = file.dedup_keys();
        let mut found = Vec::new();
        for (statement, keys) in file.statements.iter().zip(keys) {
            for (entry, key) in statement.entries.iter().zip(keys) {
                if lines.is_empty() || lines.contains(&entry.line) {
                    assert_eq!(key.layer(), KeyLayer::BankReference);
                    found.push(key.to_string());
                }
            }
        }
        found
    };
    let notification = keys_of(
        "camt054/camt.054-ES_P_CH0309000000250090342_38000000_0_2016052723011813.xml",
        &[],
    );
    let statement_file =
        "camt053/camt.053_P_CH0309000000250090342_380000000_0_2016053100163801.xml";
    let statement = ok(statement_file);
    let batch_lines: Vec<u64> = statement
        .entries()
        .filter(|entry| matches!(entry.batch, Some(Batch::Part { count: 8, .. })))
        .map(|entry| entry.line)
        .collect();
    assert_eq!(batch_lines.len(), 8);
    assert_eq!(notification, keys_of(statement_file, &batch_lines));
    // The direct debits of 10 April and their two refunds, notified then booked.
    let debits = keys_of("camt054/valid_example.xml", &[]);
    let booked: Vec<String> = keys_of(statement_file, &[])
        .into_iter()
        .filter(|key| debits.contains(key))
        .collect();
    assert_eq!(booked.len(), 5);
}

#[test]
fn camt053_lithuanian_export_with_batches_and_no_booking_dates() {
    let file = ok("camt053/2024-03-07.xml");
    assert_eq!(file.variant, "camt.053.001.08");
    assert_eq!(
        briefs(&file),
        [
            "L2 2024-03-07 +828531.98 EUR batch of 86",
            "L2 2024-03-07 -0.20 EUR",
            "L2 2024-03-07 -5793.97 EUR batch of 3",
        ]
    );
    let statement = &file.statements[0];
    assert_eq!(account(statement), "LT625883379695428516");
    assert_eq!(statement.id.as_deref(), Some("MSG66141212-AUHHDI"));
    assert_eq!(
        balances(statement),
        (Some(2_108_122_258), Some(2_190_396_039))
    );
    assert_eq!(account(&file.statements[1]), "LT414319056143772570");
    assert!(file.statements[1].entries.is_empty());
    assert_eq!(
        file.entries()
            .next()
            .and_then(|entry| entry.references.bank.clone()),
        Some("REF000000025239".to_owned())
    );
}

#[test]
fn camt053_belgian_month_of_268_entries() {
    let file = ok("camt053/BE68793230773034-202411.xml");
    let statement = &file.statements[0];
    assert_eq!(account(statement), "BE68793230773034");
    assert!(matches!(statement.account, Some(AccountId::Iban(_))));
    assert_eq!(
        statement.period.map(|period| (period.from, period.to)),
        Some((date(2024, 11, 1), date(2024, 11, 30)))
    );
    let credits: Vec<String> = file
        .entries()
        .filter(|entry| entry.is_credit())
        .map(brief)
        .collect();
    assert_eq!(
        credits,
        [
            "L56 2024-11-29 +50000.00 EUR",
            "L4940 2024-11-21 +50000.00 EUR",
            "L9956 2024-11-12 +50000.00 EUR",
            "L14312 2024-11-05 +30000.00 EUR",
        ]
    );
    assert_eq!(total(&file, Direction::Credit), 18_000_000);
    assert_eq!(total(&file, Direction::Debit), 15_183_125);
    let first = entry(&file, 56);
    assert_eq!(party(first), "Stellar Ltd BE91516952884376");
    assert_eq!(first.remittance.lines, ["Transfer ref HBAVHC9717"]);
    assert_eq!(
        first.references.end_to_end.as_deref(),
        Some("E2ESEKOZLQO41354223")
    );
    assert_eq!(first.references.transaction.as_deref(), Some("125079"));
    assert_eq!(first.transaction_code.as_deref(), Some("PMNT/RCDT/ESCT"));
    // No AcctSvcrRef in this bank's file: every key is a content key.
    assert!(
        file.dedup_keys()
            .iter()
            .flatten()
            .all(|key| key.layer() == KeyLayer::Content)
    );
}

#[test]
fn camt053_postfinance_charges_batches_and_returned_direct_debits() {
    let file = ok("camt053/camt.053_P_CH0309000000250090342_380000000_0_2016053100163801.xml");
    assert_eq!(file.variant, "camt.053.001.04");
    let all = briefs(&file);
    assert_eq!(
        all[..7],
        [
            "L53 2016-04-30 -24.00 CHF",
            "L85 2016-04-30 -328.75 CHF",
            "L117 2016-04-30 -200.80 CHF",
            "L149 2016-04-30 -638.15 CHF",
            "L181 2016-04-30 -24.00 CHF",
            "L213 2016-04-30 -35.72 CHF",
            "L294 2016-05-27 +100.00 CHF part 1/10",
        ]
    );
    assert_eq!(
        all[all.len() - 2..],
        [
            "L1904 2016-04-10 -6.00 CHF reversal MD06",
            "L2017 2016-04-10 -15.53 CHF reversal MD06",
        ]
    );
    // Collective credits of 10, 8, 3 and 2 payments, each broken down.
    for count in [10, 8, 3, 2] {
        let parts = file
            .entries()
            .filter(|entry| matches!(entry.batch, Some(Batch::Part { count: c, .. }) if c == count))
            .count();
        assert_eq!(parts, count as usize);
    }
    let first_part = entry(&file, 294);
    assert_eq!(
        first_part.remittance.creditor_reference,
        Some(CreditorReference::Other {
            scheme: Some("ISR Reference".into()),
            reference: "000000000002015110002913192".into()
        })
    );
    assert_eq!(
        first_part.references.bank.as_deref(),
        Some("160527CH00T3L0GE")
    );
    assert_eq!(party(entry(&file, 365)), "Rutschmann Pia -");
    let refund = entry(&file, 1904);
    assert_eq!(party(refund), "Bernasconi Maria CH3709000000250094580");
    assert_eq!(file.statements[0].sequence.as_deref(), Some("85"));
}

#[test]
fn camt053_five_decimals_are_read_when_the_extra_ones_are_zeros() {
    let file = ok("camt053/camt053.v2.five.decimals.xml");
    assert_eq!(briefs(&file), ["L61 2014-12-31 +8.85 EUR"]);
    // `18.150` and `27.050`: three decimals, the third a zero.
    assert_eq!(balances(&file.statements[0]), (Some(1815), Some(2705)));
    // The same file with a significant third decimal is refused, not rounded.
    let text = String::from_utf8(bytes("camt053/camt053.v2.five.decimals.xml"))
        .unwrap_or_default()
        .replace("8.850", "8.855");
    let problems = read_bank_file(text.as_bytes(), None, None).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].kind,
        BankProblemKind::InvalidAmount(AmountError::TooManyDecimals {
            currency: Currency::EUR
        })
    );
    assert_eq!(
        problems[0].field,
        Some(Field::Element(
            "Document/BkToCstmrStmt/Stmt/Ntry/Amt".into()
        ))
    );
    assert_eq!(
        problems[0].describe(Language::French),
        "ligne 62, élément « Document/BkToCstmrStmt/Stmt/Ntry/Amt » : « 8.855 » a plus de décimales que EUR n'en permet (2) ; Relance n'arrondit pas les montants d'une banque"
    );
}

#[test]
fn camt053_minimal_and_v8_read_the_same_payment() {
    for (name, line) in [
        ("camt053/camt053.v2.minimal.xml", 90),
        ("camt053/camt053.v8.xml", 110),
    ] {
        let file = ok(name);
        let payment = entry(&file, line);
        assert_eq!(brief(payment), format!("L{line} 2014-12-31 +8.85 EUR"));
        assert_eq!(payment.value_date, Some(date(2015, 1, 2)));
        // The payer (Dbtr) of a credit, found in `Nm` (v2) and in `Pty/Nm` (v8).
        assert_eq!(party(payment), "NAME NAME NL56AGDH9619008421");
        assert_eq!(
            payment.remittance.creditor_reference,
            Some(CreditorReference::Other {
                scheme: Some("SCOR".into()),
                reference: "4654654654654654".into()
            })
        );
        // The closing balance is in SEK although the account is in EUR: kept as written.
        let statement = &file.statements[0];
        assert_eq!(statement.currency, Currency::EUR);
        assert_eq!(
            statement
                .closing_balance
                .map(|balance| balance.amount.to_string()),
            Some("-27.00 SEK".to_owned())
        );
    }
    let v8 = ok("camt053/camt053.v8.xml");
    assert_eq!(v8.variant, "camt.053.001.08");
    let payment = entry(&v8, 110);
    assert_eq!(
        payment.references.bank.as_deref(),
        Some("AAAASESS-FP-CN_98765/01")
    );
    assert_eq!(
        payment.references.end_to_end.as_deref(),
        Some("MUELL/FINP/RA12345")
    );
    // `Othr/Id` account identification (v8).
    assert_eq!(account(&v8.statements[0]), "NL26VAYB8060476890");
}

#[test]
fn camt053_two_statements_in_one_message() {
    let file = ok("camt053/camt053.v2.multi.statement.xml");
    assert_eq!(
        briefs(&file),
        ["L66 2014-12-31 +8.85 EUR", "L145 2014-12-31 -7.00 EUR"]
    );
    let ids: Vec<Option<&str>> = file
        .statements
        .iter()
        .map(|statement| statement.id.as_deref())
        .collect();
    assert_eq!(
        ids,
        [
            Some("253EURNL26VAYB8060476890"),
            Some("254EURNL26VAYB8060476890")
        ]
    );
    assert_eq!(balances(&file.statements[1]), (Some(2700), Some(2000)));
    assert_eq!(
        party(entry(&file, 145)),
        "Company Name 2 NL56AGDH9619008421"
    );
}

#[test]
fn camt053_returned_direct_debits_are_reversals() {
    let file = ok("camt053/test-camt053");
    assert_eq!(
        briefs(&file),
        [
            "L50 2014-01-05 -754.25 EUR",
            "L144 2014-01-05 -564.05 EUR reversal AC06 part 1/2",
            "L185 2014-01-05 -100.00 EUR reversal AC06 part 2/2",
            "L228 2014-01-05 +1405.31 EUR",
        ]
    );
    let statement = &file.statements[0];
    assert_eq!(account(statement), "NL77ABNA0574908765");
    assert_eq!(statement.sequence.as_deref(), Some("2"));
    let insurance = entry(&file, 50);
    // An IBAN whose check digits fail is kept as written, not as an IBAN.
    assert_eq!(
        insurance.counterparty.account,
        Some(AccountId::Other("NL46ABNA0499998748".into()))
    );
    assert_eq!(
        insurance.references.mandate.as_deref(),
        Some("1880000341866")
    );
    assert_eq!(
        insurance.remittance.lines,
        ["Insurance policy 857239PERIOD 01.01.2014 - 31.12.2014"]
    );
    let returned = entry(&file, 144);
    assert_eq!(party(returned), "Test Customer NL46ABNA0499998748");
    assert_eq!(
        returned.references.end_to_end.as_deref(),
        Some("TESTBANK/NL/20141229/01206408")
    );
    let credit = entry(&file, 228);
    assert_eq!(party(credit), "3rd party Media NL69ABNA0522123643");
    assert_eq!(
        credit.additional_info.as_deref(),
        Some("#RD PARTY MEDIA CUSNO 90782 4210773")
    );
}

#[test]
fn camt053_swiss_batch_sharing_one_reference() {
    let file = ok("camt053/test-camt053-txdtls");
    assert_eq!(
        briefs(&file),
        [
            "L79 2017-03-22 +2187.00 CHF part 1/2",
            "L144 2017-03-22 +1296.00 CHF part 2/2",
        ]
    );
    let parts: Vec<&BankEntry> = file.entries().collect();
    assert_eq!(
        party(parts[0]),
        "Banque Cantonale Vaudoise CH2222000000123456789"
    );
    assert_eq!(
        party(parts[1]),
        "Banque Cantonale Vaudoise CH3333000000123456789"
    );
    for part in &parts {
        assert_eq!(part.references.bank.as_deref(), Some("123456CHCAFEBABE"));
        assert_eq!(part.value_date, Some(date(2017, 3, 23)));
    }
    assert_eq!(
        parts[1]
            .remittance
            .creditor_reference
            .as_ref()
            .map(CreditorReference::reference),
        Some("302388292000022222222222222")
    );
    assert_eq!(
        parts[0].additional_info.as_deref(),
        Some(
            "CRÉDIT GROUPÉ BVR TRAITEMENT DU 22.03.2017 NUMÉRO CLIENT 01-70884-3 PAQUET ID: 123456CHCAFEBABE"
        )
    );
    let keys = file.dedup_keys();
    assert_ne!(keys[0][0], keys[0][1]);
}

#[test]
fn camt053_german_volksbank_with_proprietary_codes() {
    let file = ok("camt053/valid_example.xml");
    assert_eq!(
        briefs(&file),
        [
            "L60 2013-12-27 -2.00 EUR",
            "L158 2013-12-27 -3.00 EUR",
            "L219 2013-12-27 +1.00 EUR",
            "L277 2013-12-27 -3.50 EUR part 1/2",
            "L321 2013-12-27 -2.50 EUR part 2/2",
        ]
    );
    let first = entry(&file, 60);
    assert_eq!(first.transaction_code.as_deref(), Some("NTRF+020"));
    assert_eq!(
        first.references.bank.as_deref(),
        Some("2013122710583450000")
    );
    assert_eq!(
        first.references.transaction.as_deref(),
        Some("UniqueTransactionId")
    );
    // The statement's own account, written as the payee of its own debit, is not taken as
    // the counterparty.
    assert_eq!(
        party(entry(&file, 277)),
        "Testkonto Nummer 2 DE58740618130100033626"
    );
    assert_eq!(
        entry(&file, 158).remittance.lines,
        ["Test+berweisung mit BIC und IBAN SEPA IBAN: DE58740618130100033626 BIC: GENODEF1PFK"]
    );
}

#[test]
fn camt053_ing_batch_without_details_stays_one_entry() {
    let file = ok("camt053/valid_example_with_batch.xml");
    assert_eq!(
        briefs(&file),
        [
            "L115 2019-05-21 -4753.74 EUR batch of 3",
            "L148 2019-06-13 +2688.00 EUR",
            "L208 2019-06-18 +5000.00 EUR",
        ]
    );
    let refund = entry(&file, 148);
    assert_eq!(refund.remittance.lines, ["TERUGGAAF"]);
    assert_eq!(party(refund), "TEST NL86INGB00066666666");
    assert_eq!(party(entry(&file, 208)), "Bedrijf BV NL11INGB0001234567");
}

#[test]
fn camt053_instructed_amount_and_charges_do_not_replace_the_booked_amount() {
    let file = ok("camt053/valid_example_with_instdamt.xml");
    assert_eq!(briefs(&file), ["L83 2019-05-13 +4500.00 CHF"]);
    let payment = entry(&file, 83);
    assert_eq!(payment.remittance.lines, ["Praxis am Weiher"]);
    assert_eq!(payment.references.bank.as_deref(), Some("1340044232"));
    assert_eq!(payment.references.entry.as_deref(), Some("1340044232"));
}

#[test]
fn camt054_swiss_2019_qr_references() {
    let file = ok(
        "camt054/200519_camt.054_P_CH2909000000250094239_1111091335_0_2020061900081727_v2019.xml",
    );
    assert_eq!(file.variant, "camt.054.001.08");
    assert_eq!(
        briefs(&file),
        [
            "L57 2020-06-18 +778.29 CHF part 1/2",
            "L133 2020-06-18 +913.93 CHF part 2/2",
        ]
    );
    let first = entry(&file, 57);
    assert_eq!(
        first.remittance.creditor_reference,
        Some(CreditorReference::Other {
            scheme: Some("QRR".into()),
            reference: "539115429773825311971477453".into()
        })
    );
    assert_eq!(party(first), "Bernasconi Maria CH5109000000250092291");
    assert_eq!(first.references.bank.as_deref(), Some("2000000000000000"));
}

#[test]
fn camt054_information_only_entries_are_skipped_not_booked() {
    let file = ok("camt054/2024-03-07.xml");
    assert_eq!(file.variant, "camt.054.001.10");
    let statement = &file.statements[0];
    assert!(statement.entries.is_empty());
    assert_eq!(statement.skipped.len(), 1);
    let skipped = &statement.skipped[0];
    assert_eq!(
        (
            skipped.line,
            skipped.status.as_str(),
            skipped.amount.minor(),
            skipped.direction
        ),
        (17, "INFO", 632_900, Direction::Credit)
    );
    assert_eq!(account(statement), "LT809872649478701594");
}

#[test]
fn camt054_postfinance_collective_credit_of_eight() {
    let file = ok("camt054/camt.054-ES_P_CH0309000000250090342_38000000_0_2016052723011813.xml");
    assert_eq!(
        briefs(&file),
        [
            "L76 2016-05-27 +50.00 CHF part 1/8",
            "L134 2016-05-27 +20.00 CHF part 2/8",
            "L192 2016-05-27 +100.00 CHF part 3/8",
            "L251 2016-05-27 +100.00 CHF part 4/8",
            "L324 2016-05-27 +30.00 CHF part 5/8",
            "L397 2016-05-27 +50.00 CHF part 6/8",
            "L472 2016-05-27 +20.00 CHF part 7/8",
            "L531 2016-05-27 +250.00 CHF part 8/8",
        ]
    );
    assert_eq!(total(&file, Direction::Credit), 62_000);
    assert_eq!(
        entry(&file, 192).remittance.lines,
        [
            "MUSTER MITTEILUNG 1",
            "MUSTER MITTEILUNG 2",
            "MUSTER MITTEILUNG 3",
            "MUSTER MITTEILUNG 4",
            "?REJECT?0",
            "?ERROR?000"
        ]
    );
}

#[test]
fn camt054_batch_whose_details_do_not_add_up_stays_whole() {
    let file = ok("camt054/camt054.v4.xml");
    assert_eq!(briefs(&file), ["L63 2007-10-18 -200000.00 SEK batch of 3"]);
    let batch = entry(&file, 63);
    // Three payees: no single counterparty, every text and reference kept.
    assert_eq!(party(batch), "- -");
    assert_eq!(batch.remittance.creditor_reference, None);
    assert_eq!(batch.remittance.lines.len(), 10);
    assert!(
        batch
            .remittance
            .lines
            .contains(&"ISR ref number V2".to_owned())
    );
    assert_eq!(
        batch.references.bank.as_deref(),
        Some("ACSR160617103200001")
    );
}

#[test]
fn camt054_reversed_credit_and_pending_entry() {
    let file = ok("camt054/camt_054_Beispiel_NoCrdtBookedNotReversed.xml");
    assert_eq!(
        briefs(&file),
        [
            "L20 2017-07-26 +111.00 CHF reversal",
            "L89 2017-07-26 -3.00 CHF"
        ]
    );
    assert_eq!(party(entry(&file, 20)), "Ada Lovelace -");
    let skipped = &file.statements[0].skipped;
    assert_eq!(
        skipped
            .iter()
            .map(|entry| (entry.line, entry.status.as_str(), entry.amount.minor()))
            .collect::<Vec<_>>(),
        [(56, "PDNG", 200)]
    );
}

#[test]
fn camt054_document_without_notification_is_refused() {
    let bytes = bytes("camt054/camt_054_Beispiel_NotificationMissing.xml");
    let auto = read_bank_file(&bytes, None, None).unwrap_err();
    assert_eq!(auto[0].kind, BankProblemKind::NotRecognised);
    let asked = read_bank_file(&bytes, Some(BankFormat::Camt054), None).unwrap_err();
    assert_eq!(
        asked.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "line 2, element \"Document\": the file holds no statement, notification or transaction list"
        ]
    );
}

#[test]
fn camt054_qr_reference_and_entry_information() {
    let file = ok("camt054/test-camt054");
    assert_eq!(briefs(&file), ["L31 2022-01-26 +5.00 EUR"]);
    let payment = entry(&file, 31);
    assert_eq!(
        payment.additional_info.as_deref(),
        Some("Additional entry info")
    );
    assert_eq!(
        payment.references.end_to_end.as_deref(),
        Some("ENDTOENDID-01")
    );
    assert_eq!(
        payment
            .remittance
            .creditor_reference
            .as_ref()
            .map(CreditorReference::reference),
        Some("000000000000000000000000003")
    );
}

#[test]
fn camt054_direct_debits_refunded_by_debtors() {
    let file = ok("camt054/valid_example.xml");
    assert_eq!(
        briefs(&file),
        [
            "L54 2016-04-10 +15.00 CHF part 1/2",
            "L96 2016-04-10 +9.00 CHF part 2/2",
            "L139 2016-04-10 +56.56 CHF",
            "L208 2016-04-10 -6.00 CHF reversal MD06",
            "L321 2016-04-10 -15.53 CHF reversal MD06",
        ]
    );
    // The refund's counterparty is the debtor of the direct debit it undoes.
    assert_eq!(
        party(entry(&file, 321)),
        "Rutschmann Pia CH4409000000495962779"
    );
    assert_eq!(entry(&file, 54).remittance.lines, ["Mitteilung 132"]);
}

#[test]
fn mt940_asn_daily_messages_in_swift_envelopes() {
    let file = ok("mt940/0708271685_09022020_164516.940.txt");
    assert_eq!(
        briefs(&file),
        [
            "L6 2020-01-01 -65.00 EUR",
            "L42 2020-01-05 +1000.00 EUR",
            "L50 2020-01-05 -801.55 EUR",
            "L198 2020-01-25 -1.65 EUR",
            "L233 2020-01-29 +828.72 EUR",
            "L241 2020-01-29 -1000.00 EUR",
            "L263 2020-01-31 +1000.18 EUR",
            "L271 2020-01-31 -903.76 EUR",
        ]
    );
    // The counterparty's IBAN is the :61: reference, its name the supplementary line.
    let first = entry(&file, 6);
    assert_eq!(party(first), "hr gjlm paulissen NL47INGB9999999999");
    assert_eq!(first.remittance.lines[1], "Betaling sieraden");
    let statements: Vec<&str> = file
        .statements
        .iter()
        .filter_map(|statement| statement.sequence.as_deref())
        .collect();
    assert_eq!(statements.first(), Some(&"1/1"));
    assert_eq!(statements.last(), Some(&"31/1"));
}

#[test]
fn mt940_sberbank_hungarian_forints_with_non_standard_fields() {
    let file = ok("mt940/171011_01234945.sta");
    assert_eq!(
        briefs(&file),
        [
            "L12 2017-10-11 -2402.00 HUF",
            "L24 2017-10-11 -3460.00 HUF",
            "L35 2017-10-11 -3575.00 HUF",
        ]
    );
    let statement = &file.statements[0];
    assert_eq!(account(statement), "1966315302010001");
    assert_eq!(balances(statement), (Some(62_731_130), Some(61_787_430)));
}

#[test]
fn mt940_abn_amro_with_bank_headers_between_statements() {
    let file = ok("mt940/abnamro.sta");
    assert_eq!(file.entries().count(), 10);
    assert_eq!(
        briefs(&file)[..3],
        [
            "L8 2011-05-24 -9.00 EUR",
            "L12 2011-05-23 -11.59 EUR",
            "L14 2011-05-23 -11.63 EUR",
        ]
    );
    assert_eq!(
        briefs(&file)[6..8],
        ["L23 2011-05-23 -107.00 EUR", "L25 2011-05-23 -141.48 EUR"]
    );
    let first = entry(&file, 8);
    assert_eq!(first.value_date, Some(date(2011, 5, 24)));
    assert_eq!(
        first.remittance.lines,
        [
            "GIRO 428428 KPN - DIGITENNE BETALINGSKENM. 000000042188659",
            "5314606715 BETREFT FACTUUR D.D. 20-05-2011",
            "INCL. 1,44 BTW",
        ]
    );
    // The entry date (23 May) comes before the value date (21 May) is booked on the former.
    let card = entry(&file, 12);
    assert_eq!(card.value_date, Some(date(2011, 5, 21)));
    assert_eq!(file.statements[1].sequence.as_deref(), Some("19322/1"));
    assert_eq!(
        balances(&file.statements[1]),
        (Some(287_684), Some(184_975))
    );
}

#[test]
fn mt940_three_statements_one_in_pre_euro_marks_is_refused() {
    assert_eq!(
        refused("mt940/cmxl/mt940.sta"),
        [
            "line 4, field \":60F:\": \"DEM\" is not a currency Relance knows",
            "line 27, field \":62F:\": \"DEM\" is not a currency Relance knows",
        ]
    );
}

#[test]
fn mt940_ing_with_soft_hyphens_and_a_statement_summary() {
    let file = ok("mt940/ing.sta");
    assert_eq!(file.entries().count(), 7);
    assert_eq!(
        briefs(&file)[5..],
        ["L20 2010-07-22 +3.68 EUR", "L22 2010-07-23 +1.00 EUR"]
    );
    let ideal = entry(&file, 14);
    assert_eq!(ideal.references.customer.as_deref(), Some("TMG TANGO"));
    assert!(ideal.remittance.lines[0].contains("10\u{ad}06\u{ad}2010"));
    assert_eq!(
        entry(&file, 22).remittance.lines,
        [
            "0111111111 Hr S Marechal",
            "ROSMALEN Hr S Marechal ROSMALEN",
            "Betaling transactiedatum: 22-07-2010",
        ]
    );
}

#[test]
fn mt940_knab_bank_references_and_counterparties() {
    let file = ok("mt940/knab.sta");
    assert_eq!(
        briefs(&file),
        [
            "L5 2014-05-07 +500.00 EUR",
            "L14 2014-07-29 -7260.00 EUR",
            "L17 2014-07-29 +500.00 EUR",
        ]
    );
    let invoice = entry(&file, 14);
    assert_eq!(invoice.references.bank.as_deref(), Some("B4G29PGCVO7Q06US"));
    assert_eq!(party(invoice), "PICQER NL65INGB0123456789");
    assert_eq!(invoice.remittance.lines[0], "FACTUUR 201403110, 201403113");
    let order = entry(&file, 17);
    assert_eq!(
        order.references.customer.as_deref(),
        Some("29-07-2014 10:05")
    );
    assert_eq!(party(order), "MMS ONLINE NEDERLAND B.V. NL84INGB0234561789");
}

#[test]
fn mt940_malformed_german_details_are_read_as_far_as_they_go() {
    let file = ok("mt940/malformed_details.sta");
    assert_eq!(briefs(&file), ["L5 2017-09-14 -233.15 EUR"]);
    let debit = entry(&file, 5);
    assert_eq!(
        party(debit),
        "Finanzamt Muenchen Abteilung Erhebung DE99700500000000012345"
    );
    assert_eq!(debit.references.mandate.as_deref(), Some("BYA12345678901"));
    assert_eq!(
        debit.references.end_to_end.as_deref(),
        Some("123/123/12345-----L1101234567890123")
    );
    assert_eq!(debit.transaction_code.as_deref(), Some("NMSC/105"));
    assert!(debit.remittance.lines[0].starts_with("STEUERNR 123/123/12345 KOERPST 3VJ.17"));
}

#[test]
fn mt940_mbank_polish_statement_behind_a_control_byte() {
    let file = ok("mt940/mt940.sta");
    assert_eq!(
        briefs(&file),
        [
            "L6 2017-01-19 +0.01 PLN",
            "L12 2017-01-19 +0.01 PLN",
            "L18 2017-01-19 +0.01 PLN",
        ]
    );
    let statement = &file.statements[0];
    assert!(matches!(statement.account, Some(AccountId::Iban(_))));
    assert_eq!(statement.id.as_deref(), Some("ST170119CYC/1"));
    let first = entry(&file, 6);
    assert_eq!(first.references.bank.as_deref(), Some("MB170119012058"));
    assert_eq!(first.additional_info.as_deref(), Some("911-TRANSAKCJA IPH"));
}

#[test]
fn mt940_postfinance_with_an_intermediate_closing_balance() {
    let file = ok("mt940/postfinance.sta");
    assert_eq!(
        briefs(&file),
        [
            "L5 2013-12-09 +79.70 CHF",
            "L9 2013-12-09 +149.50 CHF",
            "L19 2013-12-16 -79.90 CHF",
            "L24 2013-12-18 +10.10 CHF",
        ]
    );
    assert_eq!(balances(&file.statements[0]), (Some(0), Some(22_920)));
    let first = entry(&file, 5);
    assert_eq!(first.references.customer.as_deref(), Some("01916"));
    assert_eq!(first.references.bank, None);
    assert_eq!(
        first.additional_info.as_deref(),
        Some("20131209007602198765432000000012")
    );
}

#[test]
fn mt940_old_rabobank_with_zero_padded_amounts() {
    let file = ok("mt940/rabobank.sta");
    assert_eq!(
        briefs(&file),
        [
            "L6 2011-05-27 -1213.28 EUR",
            "L23 2011-06-17 -44.95 EUR",
            "L26 2011-07-21 -236.56 EUR",
            "L34 2012-08-29 -88.10 EUR",
            "L39 2012-08-29 -6.20 EUR",
        ]
    );
    let returned = entry(&file, 6);
    // Old Rabobank files say "Terugboeking" in words only, with no RC/RD mark: not flagged.
    assert!(!returned.reversal);
    assert_eq!(returned.references.customer.as_deref(), Some("0121470966"));
    assert_eq!(returned.additional_info.as_deref(), Some("W.P. Jansen"));
    assert_eq!(returned.remittance.lines.len(), 4);
    assert_eq!(account(&file.statements[0]), "1291.99.348EUR");
    assert!(file.statements[1].entries.is_empty());
}

#[test]
fn mt940_german_sepa_returns_reversals_and_structured_details() {
    let file = ok("mt940/sepa_mt9401.sta");
    assert_eq!(file.statements.len(), 26);
    assert_eq!(
        briefs(&file)[..7],
        [
            "L5 2007-09-04 +300.00 EUR reversal 914",
            "L8 2007-09-04 +335.33 EUR reversal 914",
            "L11 2007-09-04 +15000.00 EUR reversal 914",
            "L14 2007-09-04 +66295.08 EUR",
            "L16 2007-09-04 +915311.55 EUR reversal 903",
            "L19 2007-09-04 -204.88 EUR reversal",
            "L21 2007-09-04 -999946.95 EUR",
        ]
    );
    let reversals = file.entries().filter(|entry| entry.reversal).count();
    // Two RC/RD marks and 17 returned transfers (business code 159).
    assert_eq!(reversals, 19);
    let returned = entry(&file, 5);
    assert_eq!(returned.transaction_code.as_deref(), Some("NTRF/159"));
    assert_eq!(
        returned.references.bank.as_deref(),
        Some("0724710345313905")
    );
    let credit = entry(&file, 48);
    assert_eq!(
        party(credit),
        "Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx DE42100100100043921105"
    );
    assert_eq!(credit.counterparty.bic.as_deref(), Some("PBNKDEFF100"));
    assert_eq!(
        credit.remittance.lines,
        ["Keine Buchung zu: TO13 TF52001 MINT"]
    );
    assert_eq!(
        credit.references.end_to_end.as_deref(),
        Some("EndToEndIdTFNR5200100001")
    );
    assert_eq!(
        balances(&file.statements[0]),
        (Some(-123_471_836), Some(-123_762_823))
    );
}

#[test]
fn ofx_102_sgml_checking_account() {
    let file = ok("ofx/checking.ofx");
    assert_eq!(file.variant, "OFX 102");
    assert_eq!(
        briefs(&file),
        [
            "L46 2011-03-31 +0.01 USD",
            "L54 2011-04-05 -34.51 USD",
            "L62 2011-04-07 -25.00 USD",
        ]
    );
    let statement = &file.statements[0];
    assert_eq!(account(statement), "5472369148 1452687~7");
    assert_eq!(
        statement.period.map(|period| (period.from, period.to)),
        Some((date(2000, 1, 1), date(2013, 5, 25)))
    );
    assert_eq!(
        statement
            .closing_balance
            .map(|balance| (balance.amount.minor(), balance.date)),
        Some((10_099, date(2013, 5, 25)))
    );
    let check = entry(&file, 62);
    assert_eq!(check.references.bank.as_deref(), Some("0000488"));
    assert_eq!(check.references.cheque.as_deref(), Some("319"));
    assert_eq!(check.transaction_code.as_deref(), Some("CHECK"));
}

#[test]
fn ofx_aggregates_on_one_line_with_time_zones() {
    let file = ok("ofx/bank_medium.ofx");
    assert_eq!(
        briefs(&file),
        [
            "L15 2009-04-01 -6.60 CAD",
            "L16 2009-04-02 -316.67 CAD",
            "L17 2009-04-03 -22.00 CAD",
        ]
    );
    assert_eq!(party(entry(&file, 16)), "Joe's Bald Hairstyles -");
    assert_eq!(entry(&file, 16).references.cheque, Some("0".to_owned()));
    assert_eq!(
        account(&file.statements[0]),
        "160000100 00 12300 000012345678"
    );
}

#[test]
fn ofx_200_xml_with_cdata() {
    let file = ok("ofx/suncorp.ofx");
    assert_eq!(file.variant, "OFX 200");
    assert_eq!(briefs(&file), ["L35 2013-12-15 -16.85 AUD"]);
    let purchase = entry(&file, 35);
    assert_eq!(party(purchase), "EFTPOS WDL HANDYWAY ALDI STORE -");
    assert_eq!(
        purchase.remittance.lines,
        ["EFTPOS WDL HANDYWAY ALDI STORE GEELONG WEST VICAU"]
    );
}

#[test]
fn ofx_credit_card_with_xml_header_and_sgml_body() {
    let file = ok("ofx/anzcc.ofx");
    assert_eq!(file.variant, "OFX 203");
    assert_eq!(briefs(&file), ["L29 2017-05-08 -5.50 AUD"]);
    assert_eq!(balances(&file.statements[0]), (None, Some(-12_345)));
    assert_eq!(account(&file.statements[0]), "1234123412341234");
}

#[test]
fn ofx_several_accounts_with_balances_only() {
    let file = ok("ofx/multiple_accounts.ofx");
    let accounts: Vec<(&str, Option<i64>)> = file
        .statements
        .iter()
        .map(|statement| (account(statement), balances(statement).1))
        .collect();
    assert_eq!(
        accounts,
        [("123 00 9100", Some(11_100)), ("123 00 9200", Some(22_200))]
    );
}

#[test]
fn ofx_empty_tags_and_a_currency_given_per_transaction() {
    let file = ok("ofx/ofx-v102-empty-tags.ofx");
    assert_eq!(briefs(&file), ["L23 2018-05-07 +12.34 AUD"]);
    let statement = &file.statements[0];
    assert_eq!(statement.currency.code(), "AUD");
    assert_eq!(statement.closing_balance, None);
    let credit = entry(&file, 23);
    assert_eq!(credit.references.bank, None);
    assert_eq!(credit.value_date, Some(date(2018, 5, 7)));
    assert_eq!(credit.remittance.lines, ["CBA:Transfer"]);
    assert_eq!(file.dedup_keys()[0][0].layer(), KeyLayer::Content);
}

#[test]
fn ofx_without_header_with_an_impossible_date_and_a_dollar_sign_is_refused() {
    assert_eq!(
        refused("ofx/decimal_error.ofx"),
        [
            "line 36, field \"DTPOSTED\": \"201120000000\" is not a date",
            "line 37, field \"TRNAMT\": \"$120\" is not an amount",
        ]
    );
}

#[test]
fn ofx_utf8_bytes_under_a_windows_1252_header() {
    let file = ok("ofx/ofxdata-bb.ofx");
    assert_eq!(briefs(&file), ["L43 2015-11-03 +239.55 BRL"]);
    assert_eq!(entry(&file, 43).remittance.lines, ["DOC CRÉDITO EM CONTA"]);
}

#[test]
fn ofx_french_banque_populaire_export() {
    let file = ok("ofx/ofxdata-bpbfc.ofx");
    assert_eq!(
        briefs(&file),
        [
            "L41 2016-04-29 -13.50 EUR",
            "L50 2016-04-28 -6.00 EUR",
            "L59 2016-04-27 -8.50 EUR",
            "L68 2016-04-26 -5.50 EUR",
            "L77 2016-04-22 -10.00 EUR",
            "L86 2016-04-22 -9.99 EUR",
        ]
    );
    assert_eq!(
        entry(&file, 41).references.cheque.as_deref(),
        Some("5IIWR0X")
    );
    assert_eq!(
        entry(&file, 41).references.bank.as_deref(),
        Some("201600400034BD27")
    );
}

#[test]
fn ofx_french_credit_mutuel_export() {
    let file = ok("ofx/ofxdata-cmfr.ofx");
    assert_eq!(file.entries().count(), 42);
    assert_eq!(
        briefs(&file)[..3],
        [
            "L40 2016-06-01 -1978.78 EUR",
            "L48 2016-06-01 -1610.29 EUR",
            "L56 2016-06-01 -1800.00 EUR",
        ]
    );
    assert_eq!(total(&file, Direction::Credit), 770_798);
    assert_eq!(total(&file, Direction::Debit), 2_119_957);
    assert_eq!(
        entry(&file, 40).references.bank.as_deref(),
        Some("LLDT4L5OCF")
    );
}

#[test]
fn ofx_memos_with_bare_ampersands_and_quotes() {
    let file = ok("ofx/ofxdata-memoWithAmpersand.ofx");
    assert_eq!(file.entries().count(), 16);
    assert_eq!(
        entry(&file, 40).remittance.lines,
        ["Amazon.Com.Br Amazon & Cloud 3/3"]
    );
    assert_eq!(
        entry(&file, 72).remittance.lines,
        ["IOF de \"Leupay.Eu\" & Whoelse"]
    );
    assert_eq!(briefs(&file)[7], "L96 2018-09-20 +600.00 BRL");
    assert_eq!(balances(&file.statements[0]), (None, Some(-73_405)));
}

fn english_columns(amount: CsvAmountColumns) -> CsvColumns {
    CsvColumns {
        date: CsvColumn::named("Date"),
        value_date: None,
        amount,
        label: vec![CsvColumn::named("Label")],
        counterparty: Some(CsvColumn::named("Partner Name")),
        counterparty_account: Some(CsvColumn::named("Bank Account")),
        reference: None,
        currency: None,
    }
}

fn english_mapping(columns: CsvColumns) -> BankCsvMapping {
    BankCsvMapping {
        delimiter: b',',
        decimal_separator: '.',
        date_format: DateFormat::parse("mm/dd/yyyy").unwrap_or_else(|| panic!("pattern")),
        skip_lines: 0,
        has_header: true,
        footer_lines: 0,
        currency: Currency::from_code("USD").unwrap_or(Currency::EUR),
        account: Some("123456789".into()),
        encoding: None,
        columns,
    }
}

/// A negative amount in the credit column (line 3) could be a refund or a debit in the wrong
/// column: the file is refused, with the line and column named.
#[test]
fn csv_debit_credit_with_a_negative_credit_is_refused() {
    let mapping = english_mapping(english_columns(CsvAmountColumns::CreditDebit {
        credit: CsvColumn::named("Credit"),
        debit: CsvColumn::named("Debit"),
    }));
    let problems = read_csv(&bytes("csv-bank/debit_credit_amount.csv"), &mapping).unwrap_err();
    assert_eq!(
        problems
            .iter()
            .map(|problem| problem.describe(Language::French))
            .collect::<Vec<_>>(),
        [
            "ligne 3, colonne « Credit » : « -13.50 » est négatif dans une colonne de crédits : ce peut être un débit ou un remboursement, le fichier est donc refusé plutôt que deviné"
        ]
    );
    // Without that line, the rest reads: debits written positive or negative are debits.
    let text = String::from_utf8(bytes("csv-bank/debit_credit_amount.csv")).unwrap_or_default();
    let kept: String = text
        .lines()
        .filter(|line| !line.contains("-13.50"))
        .map(|line| format!("{line}\n"))
        .collect();
    let file =
        read_csv(kept.as_bytes(), &mapping).unwrap_or_else(|problems| panic!("{problems:?}"));
    assert_eq!(
        briefs(&file),
        [
            "L2 2018-12-15 +20.00 USD",
            "L3 2018-12-15 -33.50 USD",
            "L4 2018-12-15 -1500.00 USD",
        ]
    );
    assert_eq!(party(entry(&file, 2)), "John Doe 123456789");
}

/// A French-style export: four lines of account details before the header, a balance line
/// after the rows, separate debit and credit columns, decimal commas, `dd/mm/yy` dates.
#[test]
fn csv_french_style_export_with_details_before_and_a_balance_after() {
    let mapping = BankCsvMapping {
        delimiter: b',',
        skip_lines: 4,
        footer_lines: 1,
        date_format: DateFormat::parse("dd/mm/yy").unwrap_or_else(|| panic!("pattern")),
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
    let file = read_csv(
        &bytes("csv-bank/meta_data_separated_credit_debit.csv"),
        &mapping,
    )
    .unwrap_or_else(|problems| panic!("{problems:?}"));
    assert_eq!(
        briefs(&file),
        [
            "L6 2020-04-01 -50.00 EUR",
            "L7 2020-04-01 -100.00 EUR",
            "L8 2020-04-02 -80.68 EUR",
            "L9 2020-04-02 +1300.00 EUR",
        ]
    );
    let credit = entry(&file, 9);
    assert_eq!(credit.remittance.lines, ["LABEL 4", "DETAILS 3"]);
    assert_eq!(credit.references.bank.as_deref(), Some("UNIQUE OP 4"));
    assert_eq!(account(&file.statements[0]), "08088804068");
    assert!(
        file.dedup_keys()[0]
            .iter()
            .all(|key| key.layer() == KeyLayer::BankReference)
    );
    // Without the footer setting, the balance line is named as the problem it is.
    let problems = read_csv(
        &bytes("csv-bank/meta_data_separated_credit_debit.csv"),
        &BankCsvMapping {
            footer_lines: 0,
            ..mapping
        },
    )
    .unwrap_err();
    assert_eq!(
        problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["line 10, column \"Date\": \"Balance at start of period\" is not a date"]
    );
}

#[test]
fn csv_one_signed_amount_column_and_a_currency_per_row() {
    let mut columns = english_columns(CsvAmountColumns::Signed(CsvColumn::named("Amount")));
    columns.currency = Some(CsvColumn::named("Currency"));
    let file = read_csv(
        &bytes("csv-bank/sample_statement_en.csv"),
        &english_mapping(columns),
    )
    .unwrap_or_else(|problems| panic!("{problems:?}"));
    assert_eq!(
        briefs(&file),
        ["L2 2018-12-15 -33.50 USD", "L3 2018-12-15 +1525.00 EUR"]
    );
    assert_eq!(party(entry(&file, 3)), "Azure Interior -");
    assert_eq!(
        entry(&file, 3).remittance.lines,
        ["Your payment on 12/15/2018"]
    );
}

/// PayPal: net amounts (what reached the balance), a currency per row, the transaction id as
/// the reference and the invoice id in the remittance text.
#[test]
fn csv_paypal_activity_export() {
    let mapping = BankCsvMapping {
        date_format: DateFormat::parse("m/d/yyyy").unwrap_or_else(|| panic!("pattern")),
        account: Some("paypal:merchant".into()),
        ..english_mapping(CsvColumns {
            date: CsvColumn::named("Date"),
            value_date: None,
            amount: CsvAmountColumns::Signed(CsvColumn::named("Net")),
            label: vec![
                CsvColumn::named("Description"),
                CsvColumn::named("Invoice ID"),
            ],
            counterparty: Some(CsvColumn::named("Name")),
            counterparty_account: Some(CsvColumn::named("From Email Address")),
            reference: Some(CsvColumn::named("Transaction ID")),
            currency: Some(CsvColumn::named("Currency")),
        })
    };
    let file = read_csv(&bytes("csv-bank/statement_en.csv"), &mapping)
        .unwrap_or_else(|problems| panic!("{problems:?}"));
    assert_eq!(file.entries().count(), 19);
    let sale = entry(&file, 10);
    assert_eq!(brief(sale), "L10 2018-09-04 +1261.04 USD");
    assert_eq!(party(sale), "Partner 1 paypal@partner1.com");
    assert_eq!(sale.remittance.lines, ["Express Checkout Payment", "361"]);
    assert_eq!(sale.references.bank.as_deref(), Some("TID9"));
    assert_eq!(brief(entry(&file, 8)), "L8 2018-09-27 -9648.13 EUR");
    let usd: i64 = file
        .entries()
        .filter(|entry| entry.amount.currency().code() == "USD")
        .map(|entry| entry.signed_amount().minor())
        .sum();
    assert_eq!(usd, 28_030);
}

/// An XML file declaring an external entity (XXE) is refused at its document type
/// declaration: nothing is read from the disk or the network.
#[test]
fn an_xxe_file_is_refused() {
    let xxe = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE Document [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt><Stmt><Id>&xxe;</Id></Stmt></BkToCstmrStmt>
</Document>"#;
    for format in [None, Some(BankFormat::Camt053)] {
        let problems = read_bank_file(xxe.as_bytes(), format, None).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            (problems[0].line, &problems[0].kind),
            (2, &BankProblemKind::DtdRefused)
        );
        assert!(!problems[0].to_string().contains("root:"));
    }
    // The same entity used without its declaration is refused too.
    let undeclared = xxe.replace(
        "<!DOCTYPE Document [\n  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n",
        "",
    );
    let problems = read_bank_file(undeclared.as_bytes(), None, None).unwrap_err();
    assert_eq!(problems[0].kind, BankProblemKind::EntityRefused);
    assert_eq!(problems[0].value.as_deref(), Some("&xxe;"));
    assert_eq!(problems[0].line, 3);
}

/// "Billion laughs": ten levels of entities each ten times the one below would expand to a
/// billion strings. It is refused at once, at its declaration, in well under a second.
#[test]
fn a_billion_laughs_file_is_refused() {
    let mut declarations = String::from("  <!ENTITY lol0 \"lol\">\n");
    for level in 1..10 {
        let below = format!("&lol{};", level - 1).repeat(10);
        declarations.push_str(&format!("  <!ENTITY lol{level} \"{below}\">\n"));
    }
    let bomb = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE Document [\n{declarations}]>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.04\"><BkToCstmrDbtCdtNtfctn><Ntfctn><Id>&lol9;</Id></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"
    );
    for format in [None, Some(BankFormat::Camt054), Some(BankFormat::Ofx)] {
        let problems = read_bank_file(bomb.as_bytes(), format, None).unwrap_err();
        assert_eq!(problems.len(), 1, "{format:?}");
        let expected = match format {
            Some(BankFormat::Ofx) => BankProblemKind::FormatMismatch {
                expected: BankFormat::Ofx,
                found: BankFormat::Camt054,
            },
            _ => BankProblemKind::DtdRefused,
        };
        assert_eq!(problems[0].kind, expected);
    }
    // The OFX reader refuses declarations the same way.
    let ofx = bomb
        .replace("<Document", "<OFX><Document")
        .replace("</Document>", "</Document></OFX>");
    let problems = formats::bank::read_ofx(ofx.as_bytes()).unwrap_err();
    assert_eq!(
        (problems[0].line, &problems[0].kind),
        (2, &BankProblemKind::DtdRefused)
    );
}

#[test]
fn a_file_in_another_format_than_asked_is_refused() {
    let problems =
        read_bank_file(&bytes("ofx/checking.ofx"), Some(BankFormat::Mt940), None).unwrap_err();
    assert_eq!(
        problems
            .iter()
            .map(|problem| problem.describe(Language::French))
            .collect::<Vec<_>>(),
        ["ligne 1 : c'est un fichier OFX, pas MT940"]
    );
    let problems = read_bank_file(
        &bytes("camt053/test-camt053"),
        Some(BankFormat::Camt054),
        None,
    )
    .unwrap_err();
    assert_eq!(
        problems[0].to_string(),
        "line 2, element \"Document/BkToCstmrStmt\": this is a camt.053 file, not camt.054"
    );
    let problems = read_bank_file(b"  \n", None, None).unwrap_err();
    assert_eq!(problems[0].kind, BankProblemKind::EmptyFile);
}
