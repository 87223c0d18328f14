//! The FEC ("Fichier des Écritures Comptables"), the French legal accounting export, read as
//! customer invoices with what is still owed on them.
//!
//! Format: tab- or pipe-separated (the more frequent in the header), UTF-8 with or without BOM or
//! Windows-1252 (detected as for invoice CSV files), any line endings, no quoting (a `"` is an
//! ordinary character). The header must name the 18 standard columns, in any case and order;
//! other columns (the 22-column layout) are ignored. A trailing separator, hence an empty last
//! field, is allowed. Values are trimmed, so fixed-width space padding is harmless; amounts take
//! a decimal comma or point and may be zero-padded; an empty amount is zero; dates are
//! `YYYYMMDD` (the other forms of `parse_date` are tolerated).
//!
//! Semantics, which are choices:
//! - Customer lines are those whose `CompteNum` starts with `411`. The customer is `CompAuxNum`
//!   (else `CompteNum`), named `CompAuxLib` (else `CompteLib`, else its reference); customers are
//!   businesses in `FecOptions::default_country` with no e-mail or phone.
//! - A line's movement is `Debit - Credit`; a line with both non-zero is a problem, and a
//!   negative debit therefore counts as a credit (and the reverse).
//! - An invoice is a customer line whose movement is a debit. Its number is `PieceRef` (else
//!   `EcritureNum`); when several invoices share it they become `PieceRef/EcritureNum`, then
//!   `/CustomerRef` is appended to those still equal, then `/1`, `/2`… in file order. Issue date
//!   = `PieceDate` when it is a valid date, else `EcritureDate`; due date = issue date +
//!   `payment_term_days` (the FEC has no due date); amount = the debit.
//! - Credits on customer lines are payments or credit notes. The lines of one customer with the
//!   same non-empty `EcritureLet` form a lettering group: its credits pay its debits oldest first
//!   (issue date, then file order). Credit left in a group, and unlettered credits, then pay the
//!   customer's debits still owed (lettered or not) oldest first, so a customer who paid is not
//!   chased because the accountant did not letter; what remains is `unapplied_credit`.
//! - Opening balances (journal `AN`/`ANO`, `PieceRef` `RAN`…) are ordinary lines: an unlettered
//!   opening debit is an open item.
//! - Dates and amounts of every line must parse; `PieceDate` may be empty or invalid (it falls
//!   back to `EcritureDate`). Unused columns (`DateLet`, `ValidDate`…) are not checked.
//! - Entries (`JournalCode`, `EcritureNum`) that do not balance are only counted in the summary:
//!   some real files number every entry 0.
//! - All problems are returned, up to `PROBLEMS_MAX`; reading stops there.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

use domain::customer::{CustomerDetails, CustomerError, CustomerKind, CustomerRef};
use domain::identifiers::CountryCode;
use domain::money::{Currency, Money};
use domain::receivable::{InvoiceDates, InvoiceDetails, InvoiceError, InvoiceNumber};
use jiff::ToSpan;
use jiff::civil::Date;

use crate::input::{LineEndings, is_blank, most_frequent_delimiter, record_start_line};
use crate::invoice_csv::{InvoiceRow, invoice_problem, read_failed};
use crate::problem::{Problem, ProblemKind};
use crate::text::{Decoder, parse_amount, parse_date};

/// Most problems returned for one file; past it, reading stops.
pub const PROBLEMS_MAX: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FecOptions {
    /// The currency of the books (`Debit` and `Credit`).
    pub currency: Currency,
    pub default_country: CountryCode,
    /// The FEC has no due date: due = issue + this many days.
    pub payment_term_days: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FecImport {
    /// The invoices, in file order, with what is still owed on each.
    pub rows: Vec<InvoiceRow>,
    pub summary: FecSummary,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FecSummary {
    /// Data lines read (the header and blank lines excluded).
    pub lines: u64,
    /// Distinct (`JournalCode`, `EcritureNum`) pairs.
    pub entries: u64,
    /// Entries whose debits and credits differ; a warning, not an error.
    pub unbalanced_entries: u64,
    /// Lines on customer accounts (`411…`).
    pub customer_lines: u64,
    pub invoices: u64,
    pub settled: u64,
    pub partly_settled: u64,
    pub open: u64,
    /// Credit left once every debit of the customer is paid, by customer reference.
    pub unapplied_credit: Vec<(CustomerRef, Money)>,
}

/// The columns this import reads.
#[derive(Debug, Clone, Copy)]
enum Column {
    JournalCode,
    EcritureNum,
    EcritureDate,
    CompteNum,
    CompteLib,
    CompAuxNum,
    CompAuxLib,
    PieceRef,
    PieceDate,
    Debit,
    Credit,
    EcritureLet,
}

/// Standard names of the columns read, indexed by `Column as usize`.
const USED_COLUMNS: [&str; 12] = [
    "JournalCode",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "Debit",
    "Credit",
    "EcritureLet",
];

/// The 18 standard columns a FEC header must name.
const STANDARD_COLUMNS: [&str; 18] = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
];

/// A line on a customer account with a non-zero movement.
struct CustomerLine {
    line: u64,
    customer: CustomerRef,
    name: String,
    entry_number: String,
    piece_ref: String,
    issued_on: Date,
    /// Positive: a debit (an invoice); negative: a credit.
    movement: i64,
    lettering: String,
}

/// An invoice being built: the index of its line and what is still owed.
struct Debit {
    line: usize,
    outstanding: i64,
}

/// Reads a whole FEC; returns every problem found (up to `PROBLEMS_MAX`) or the invoices.
pub fn read_fec(reader: impl Read, options: &FecOptions) -> Result<FecImport, Vec<Problem>> {
    let mut parsed = parse_lines(reader, options)?;
    let mut debits: Vec<Debit> = parsed
        .customer_lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.movement > 0)
        .map(|(index, line)| Debit {
            line: index,
            outstanding: line.movement,
        })
        .collect();
    let unapplied = allocate_credits(&parsed.customer_lines, &mut debits);
    let numbers = invoice_numbers(&parsed.customer_lines, &debits);

    let mut rows = Vec::with_capacity(debits.len());
    let mut problems = Vec::new();
    for (debit, number) in debits.iter().zip(numbers) {
        let line = &parsed.customer_lines[debit.line];
        match invoice_row(line, debit, &number, options, &parsed.header) {
            Ok(row) => rows.push(row),
            Err(problem) if problems.len() < PROBLEMS_MAX => problems.push(problem),
            Err(_) => {}
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let summary = &mut parsed.summary;
    summary.invoices = rows.len() as u64;
    for row in &rows {
        let (amount, outstanding) = (row.invoice.amount(), row.invoice.outstanding());
        if outstanding.is_zero() {
            summary.settled += 1;
        } else if outstanding == amount {
            summary.open += 1;
        } else {
            summary.partly_settled += 1;
        }
    }
    summary.unapplied_credit = unapplied
        .into_iter()
        .map(|(customer, minor)| (customer, Money::from_minor(minor, options.currency)))
        .collect();
    Ok(FecImport {
        rows,
        summary: parsed.summary,
    })
}

struct Parsed {
    customer_lines: Vec<CustomerLine>,
    summary: FecSummary,
    /// Header names as written, indexed by `Column as usize`, for problems found later.
    header: Vec<String>,
}

fn parse_lines(reader: impl Read, options: &FecOptions) -> Result<Parsed, Vec<Problem>> {
    let mut input = LineEndings::new(reader);
    let first_line = input
        .first_line()
        .map_err(|error| vec![read_failed(1, &error)])?;
    let delimiter = most_frequent_delimiter(first_line, b"\t|", false).unwrap_or(b'\t');
    let mut decoder = Decoder::new(None, input.had_bom());
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .quoting(false)
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    let header_line = loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) if is_blank(record.as_slice()) => continue,
            Ok(true) => break record_start_line(csv.position().line(), &record),
            Ok(false) => return Err(vec![Problem::new(1, ProblemKind::EmptyFile)]),
            Err(error) => return Err(vec![read_failed(1, &error)]),
        }
    };
    let header =
        read_header(&record, header_line, &mut decoder).map_err(|problem| vec![problem])?;

    let mut problems = Vec::new();
    let mut customer_lines = Vec::new();
    let mut summary = FecSummary::default();
    let mut balances: HashMap<(String, String), i128> = HashMap::new();
    while problems.len() < PROBLEMS_MAX {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                problems.push(read_failed(csv.position().line(), &error));
                break;
            }
        }
        if is_blank(record.as_slice()) {
            continue;
        }
        summary.lines += 1;
        let line = record_start_line(csv.position().line(), &record);
        if !header.accepts_field_count(&record) {
            let kind = ProblemKind::WrongFieldCount {
                expected: header.field_count,
                found: record.len(),
            };
            problems.push(Problem::new(line, kind));
            continue;
        }
        let mut row = FecRow {
            record: &record,
            header: &header,
            decoder: &mut decoder,
            line,
            problems: Vec::new(),
        };
        let parsed = row.read(options.currency);
        problems.extend(row.problems);
        let Some(parsed) = parsed else { continue };
        let balance = balances
            .entry((parsed.journal, parsed.entry_number.clone()))
            .or_default();
        *balance += i128::from(parsed.movement);
        if let Some(customer) = parsed.customer {
            summary.customer_lines += 1;
            if parsed.movement != 0 {
                customer_lines.push(CustomerLine {
                    line,
                    customer: customer.reference,
                    name: customer.name,
                    entry_number: parsed.entry_number,
                    piece_ref: customer.piece_ref,
                    issued_on: customer.issued_on,
                    movement: parsed.movement,
                    lettering: customer.lettering,
                });
            }
        }
    }
    problems.truncate(PROBLEMS_MAX);
    if !problems.is_empty() {
        return Err(problems);
    }
    summary.entries = balances.len() as u64;
    summary.unbalanced_entries = balances.values().filter(|balance| **balance != 0).count() as u64;
    let header = header.names_by_column();
    Ok(Parsed {
        customer_lines,
        summary,
        header,
    })
}

struct Header {
    /// Position in the file of each column read.
    columns: [usize; USED_COLUMNS.len()],
    names: Vec<String>,
    field_count: usize,
}

impl Header {
    /// The header's field count, or one more with an empty last field (a trailing separator),
    /// or one less when the header itself ends with a separator.
    fn accepts_field_count(&self, record: &csv::ByteRecord) -> bool {
        let found = record.len();
        let header_ends_empty = self.names.last().is_some_and(String::is_empty);
        found == self.field_count
            || (found == self.field_count + 1 && record.get(found - 1).is_some_and(is_blank))
            || (header_ends_empty && found + 1 == self.field_count)
    }

    fn name(&self, column: Column) -> &str {
        &self.names[self.columns[column as usize]]
    }

    fn names_by_column(&self) -> Vec<String> {
        self.columns
            .iter()
            .map(|&index| self.names[index].clone())
            .collect()
    }
}

fn read_header(
    record: &csv::ByteRecord,
    line: u64,
    decoder: &mut Decoder,
) -> Result<Header, Problem> {
    let mut names = Vec::with_capacity(record.len());
    for bytes in record {
        let name = decoder
            .decode(bytes)
            .map_err(|kind| Problem::new(line, kind).with_value(&String::from_utf8_lossy(bytes)))?;
        names.push(name.trim().to_owned());
    }
    let position = |wanted: &str| {
        names
            .iter()
            .position(|name| name.eq_ignore_ascii_case(wanted))
    };
    let missing: Vec<&'static str> = STANDARD_COLUMNS
        .into_iter()
        .filter(|standard| position(standard).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(Problem::new(line, ProblemKind::NotAFecFile { missing }));
    }
    let mut columns = [0; USED_COLUMNS.len()];
    for (slot, used) in columns.iter_mut().zip(USED_COLUMNS) {
        *slot = position(used).unwrap_or_default();
    }
    Ok(Header {
        columns,
        field_count: names.len(),
        names,
    })
}

/// What one line says, as far as this import cares.
struct LineFacts {
    journal: String,
    entry_number: String,
    /// `Debit - Credit`, in minor units.
    movement: i64,
    customer: Option<CustomerFacts>,
}

struct CustomerFacts {
    reference: CustomerRef,
    name: String,
    piece_ref: String,
    issued_on: Date,
    lettering: String,
}

struct FecRow<'a> {
    record: &'a csv::ByteRecord,
    header: &'a Header,
    decoder: &'a mut Decoder,
    line: u64,
    problems: Vec<Problem>,
}

impl<'a> FecRow<'a> {
    /// The line's facts, or `None` with its problems recorded.
    fn read(&mut self, currency: Currency) -> Option<LineFacts> {
        let journal = self.text(Column::JournalCode)?.into_owned();
        let entry_number = self.text(Column::EcritureNum)?.into_owned();
        let entry_date = self.text(Column::EcritureDate)?;
        let entry_date = match parse_date(&entry_date) {
            Some(date) => Some(date),
            None => self.fail(Column::EcritureDate, ProblemKind::InvalidDate, &entry_date),
        };
        let debit = self.amount(Column::Debit, currency);
        let credit = self.amount(Column::Credit, currency);
        let (entry_date, debit, credit) = (entry_date?, debit?, credit?);
        if debit != 0 && credit != 0 {
            self.problems
                .push(Problem::new(self.line, ProblemKind::DebitAndCredit));
            return None;
        }
        let movement = debit - credit;
        let account = self.text(Column::CompteNum)?;
        if !account.starts_with("411") {
            return Some(LineFacts {
                journal,
                entry_number,
                movement,
                customer: None,
            });
        }
        let auxiliary = self.text(Column::CompAuxNum)?;
        let (reference_column, reference_text) = if auxiliary.is_empty() {
            (Column::CompteNum, account)
        } else {
            (Column::CompAuxNum, auxiliary)
        };
        let reference = match CustomerRef::parse(&reference_text) {
            Ok(reference) => reference,
            Err(error) => {
                let kind = match error {
                    CustomerError::ReferenceTooLong { max, .. } => ProblemKind::TooLong { max },
                    _ => ProblemKind::EmptyRequired,
                };
                return self.fail(reference_column, kind, &reference_text);
            }
        };
        let mut name = self.text(Column::CompAuxLib)?;
        if name.is_empty() {
            name = self.text(Column::CompteLib)?;
        }
        let name = if name.is_empty() {
            reference.as_str().to_owned()
        } else {
            name.into_owned()
        };
        let piece_date = self.text(Column::PieceDate)?;
        let issued_on = parse_date(&piece_date).unwrap_or(entry_date);
        let customer = CustomerFacts {
            reference,
            name,
            piece_ref: self.text(Column::PieceRef)?.into_owned(),
            issued_on,
            lettering: self.text(Column::EcritureLet)?.into_owned(),
        };
        Some(LineFacts {
            journal,
            entry_number,
            movement,
            customer: Some(customer),
        })
    }

    fn fail<T>(&mut self, column: Column, kind: ProblemKind, value: &str) -> Option<T> {
        let problem = Problem::new(self.line, kind)
            .in_column(self.header.name(column))
            .with_value(value);
        self.problems.push(problem);
        None
    }

    /// The trimmed value of a standard column.
    fn text(&mut self, column: Column) -> Option<Cow<'a, str>> {
        let bytes = self
            .record
            .get(self.header.columns[column as usize])
            .unwrap_or_default();
        match self.decoder.decode(bytes) {
            Ok(Cow::Borrowed(text)) => Some(Cow::Borrowed(text.trim())),
            Ok(Cow::Owned(text)) => Some(Cow::Owned(text.trim().to_owned())),
            Err(kind) => self.fail(column, kind, &String::from_utf8_lossy(bytes)),
        }
    }

    /// An amount in minor units; empty is zero.
    fn amount(&mut self, column: Column, currency: Currency) -> Option<i64> {
        let text = self.text(column)?;
        if text.is_empty() {
            return Some(0);
        }
        match parse_amount(&text, currency, &mut String::new()) {
            Ok(money) => Some(money.minor()),
            Err(reason) => self.fail(column, ProblemKind::InvalidAmount(reason), &text),
        }
    }
}

/// Applies credits to the debits: lettering groups first, then what is left per customer,
/// oldest debit first. Returns the credit left over per customer.
fn allocate_credits(lines: &[CustomerLine], debits: &mut [Debit]) -> BTreeMap<CustomerRef, i64> {
    let oldest_first = |debits: &[Debit], indices: &mut Vec<usize>| {
        indices.sort_by_key(|&index| {
            let line = &lines[debits[index].line];
            (line.issued_on, line.line)
        });
    };
    let mut groups: BTreeMap<(&CustomerRef, &str), (Vec<usize>, i128)> = BTreeMap::new();
    let mut by_customer: BTreeMap<&CustomerRef, Vec<usize>> = BTreeMap::new();
    for (index, debit) in debits.iter().enumerate() {
        let line = &lines[debit.line];
        by_customer.entry(&line.customer).or_default().push(index);
        if !line.lettering.is_empty() {
            groups
                .entry((&line.customer, &line.lettering))
                .or_default()
                .0
                .push(index);
        }
    }
    let mut credit_left: BTreeMap<&CustomerRef, i128> = BTreeMap::new();
    for line in lines.iter().filter(|line| line.movement < 0) {
        let credit = -i128::from(line.movement);
        if line.lettering.is_empty() {
            *credit_left.entry(&line.customer).or_default() += credit;
        } else {
            groups
                .entry((&line.customer, &line.lettering))
                .or_default()
                .1 += credit;
        }
    }
    for ((customer, _), (mut group, credit)) in groups {
        oldest_first(debits, &mut group);
        let left = pay(debits, &group, credit);
        if left > 0 {
            *credit_left.entry(customer).or_default() += left;
        }
    }
    let mut unapplied = BTreeMap::new();
    for (customer, credit) in credit_left {
        let mut owed: Vec<usize> = by_customer
            .get(customer)
            .map(|indices| {
                indices
                    .iter()
                    .copied()
                    .filter(|&index| debits[index].outstanding > 0)
                    .collect()
            })
            .unwrap_or_default();
        oldest_first(debits, &mut owed);
        let left = pay(debits, &owed, credit);
        if left > 0 {
            unapplied.insert(customer.clone(), i64::try_from(left).unwrap_or(i64::MAX));
        }
    }
    unapplied
}

/// Pays `debits` (indices, in order) from `credit`; returns the credit left.
fn pay(debits: &mut [Debit], order: &[usize], mut credit: i128) -> i128 {
    for &index in order {
        if credit <= 0 {
            break;
        }
        let debit = &mut debits[index];
        let paid = credit.min(i128::from(debit.outstanding));
        // `paid` is at most `outstanding`, an i64.
        debit.outstanding -= i64::try_from(paid).unwrap_or(debit.outstanding);
        credit -= paid;
    }
    credit
}

/// Unique invoice numbers for the debits, in the same order.
fn invoice_numbers(lines: &[CustomerLine], debits: &[Debit]) -> Vec<String> {
    let line_of = |index: usize| &lines[debits[index].line];
    let mut names: Vec<String> = (0..debits.len())
        .map(|index| {
            let line = line_of(index);
            if line.piece_ref.is_empty() {
                line.entry_number.clone()
            } else {
                line.piece_ref.clone()
            }
        })
        .collect();
    refine_collisions(&mut names, |index| line_of(index).entry_number.clone());
    refine_collisions(&mut names, |index| {
        line_of(index).customer.as_str().to_owned()
    });
    let mut counters: HashMap<String, usize> = HashMap::new();
    let counts = occurrences(&names);
    for name in &mut names {
        if counts.get(name).is_some_and(|&count| count > 1) {
            let counter = counters.entry(name.clone()).or_default();
            *counter += 1;
            *name = format!("{name}/{counter}");
        }
    }
    // A generated name can still meet a written one (PieceRef "F1/2" beside "F1" made "F1/2").
    let mut used = HashSet::new();
    for name in &mut names {
        if !used.insert(name.clone()) {
            let mut counter = 2;
            while !used.insert(format!("{name}/{counter}")) {
                counter += 1;
            }
            *name = format!("{name}/{counter}");
        }
    }
    names
}

/// Appends `/suffix` to every name that occurs more than once.
fn refine_collisions(names: &mut [String], suffix: impl Fn(usize) -> String) {
    let counts = occurrences(names);
    for (index, name) in names.iter_mut().enumerate() {
        if counts.get(name.as_str()).is_some_and(|&count| count > 1) {
            *name = format!("{name}/{}", suffix(index));
        }
    }
}

fn occurrences(names: &[String]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for name in names {
        *counts.entry(name.clone()).or_default() += 1;
    }
    counts
}

fn invoice_row(
    line: &CustomerLine,
    debit: &Debit,
    number: &str,
    options: &FecOptions,
    header: &[String],
) -> Result<InvoiceRow, Problem> {
    let column = |column: Column| header[column as usize].as_str();
    let problem = |column_name: Column, kind: ProblemKind, value: &str| {
        Problem::new(line.line, kind)
            .in_column(column(column_name))
            .with_value(value)
    };
    let number = InvoiceNumber::parse(number).map_err(|error| {
        let kind = match error {
            InvoiceError::NumberTooLong { max, .. } => ProblemKind::TooLong { max },
            _ => ProblemKind::EmptyRequired,
        };
        problem(Column::PieceRef, kind, number)
    })?;
    let issued_on = line.issued_on;
    let due_on = issued_on
        .checked_add(i64::from(options.payment_term_days).days())
        .map_err(|_| {
            problem(
                Column::PieceDate,
                ProblemKind::DueDateOutOfRange,
                &issued_on.to_string(),
            )
        })?;
    let amount = Money::from_minor(line.movement, options.currency);
    let outstanding = Money::from_minor(debit.outstanding, options.currency);
    let dates = InvoiceDates {
        issued_on,
        due_on,
        service_on: None,
    };
    let invoice = InvoiceDetails::new(number, line.customer.clone(), dates, amount, outstanding)
        .map_err(|error| {
            problem(
                Column::Debit,
                invoice_problem(&error),
                &amount.to_decimal_string(),
            )
        })?;
    let customer = CustomerDetails {
        reference: line.customer.clone(),
        legal_name: line.name.clone(),
        kind: CustomerKind::Business,
        country: options.default_country,
        email: None,
        phone: None,
    };
    Ok(InvoiceRow {
        line: line.line,
        customer,
        invoice,
    })
}

#[cfg(test)]
mod tests {
    use domain::customer::Language;
    use jiff::civil::date;

    use super::*;

    const HEADER: &str = "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise";

    fn options() -> FecOptions {
        FecOptions {
            currency: Currency::EUR,
            default_country: CountryCode::FRANCE,
            payment_term_days: 30,
        }
    }

    /// One line on customer `aux` (account 411000): (journal, entry, date, piece, debit, credit, letter).
    fn customer(fields: [&str; 8]) -> String {
        let [journal, entry, day, aux, piece, debit, credit, letter] = fields;
        format!(
            "{journal}\tJournal\t{entry}\t{day}\t411000\tClients\t{aux}\tClient {aux}\t{piece}\t{day}\tlibellé\t{debit}\t{credit}\t{letter}\t\t{day}\t\t"
        )
    }

    /// The other side of an entry, on account `account`.
    fn other(
        journal: &str,
        entry: &str,
        day: &str,
        account: &str,
        piece: &str,
        debit: &str,
        credit: &str,
    ) -> String {
        format!(
            "{journal}\tJournal\t{entry}\t{day}\t{account}\tCompte\t\t\t{piece}\t{day}\tlibellé\t{debit}\t{credit}\t\t\t{day}\t\t"
        )
    }

    fn fec(lines: &[String]) -> String {
        let mut text = HEADER.to_owned();
        for line in lines {
            text.push('\n');
            text.push_str(line);
        }
        text.push('\n');
        text
    }

    fn import(text: &str) -> FecImport {
        read_fec(text.as_bytes(), &options()).unwrap_or_else(|problems| {
            panic!(
                "{}",
                problems
                    .iter()
                    .map(Problem::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })
    }

    fn refused(text: &[u8]) -> Vec<Problem> {
        match read_fec(text, &options()) {
            Ok(import) => panic!("accepted: {:?}", import.summary),
            Err(problems) => problems,
        }
    }

    /// (invoice number, amount, outstanding) in minor units, in file order.
    fn balances(import: &FecImport) -> Vec<(String, i64, i64)> {
        import
            .rows
            .iter()
            .map(|row| {
                let invoice = &row.invoice;
                (
                    invoice.number().as_str().to_owned(),
                    invoice.amount().minor(),
                    invoice.outstanding().minor(),
                )
            })
            .collect()
    }

    fn owed(number: &str, amount: i64, outstanding: i64) -> (String, i64, i64) {
        (number.to_owned(), amount, outstanding)
    }

    #[test]
    fn a_sale_becomes_an_open_invoice_due_after_the_payment_term() {
        let text = fec(&[
            customer(["VE", "1", "20250110", "C1", "F1", "120,00", "0,00", ""]),
            other("VE", "1", "20250110", "706000", "F1", "0,00", "100,00"),
            other("VE", "1", "20250110", "445710", "F1", "0,00", "20,00"),
        ]);
        let import = import(&text);
        assert_eq!(balances(&import), [owed("F1", 12_000, 12_000)]);
        let row = &import.rows[0];
        assert_eq!(row.line, 2);
        assert_eq!(row.invoice.issued_on(), date(2025, 1, 10));
        assert_eq!(row.invoice.due_on(), date(2025, 2, 9));
        assert_eq!(row.customer.reference.as_str(), "C1");
        assert_eq!(row.customer.legal_name, "Client C1");
        assert_eq!(row.customer.kind, CustomerKind::Business);
        let summary = &import.summary;
        assert_eq!(
            (summary.lines, summary.entries, summary.customer_lines),
            (3, 1, 1)
        );
        assert_eq!(
            (
                summary.invoices,
                summary.settled,
                summary.partly_settled,
                summary.open
            ),
            (1, 0, 0, 1)
        );
        assert_eq!(summary.unbalanced_entries, 0);
    }

    #[test]
    fn lettering_groups_settle_their_debits() {
        let text = fec(&[
            customer(["VE", "1", "20250110", "C1", "F1", "100,00", "0,00", "AA"]),
            customer(["VE", "2", "20250111", "C1", "F2", "50,00", "0,00", "AB"]),
            customer(["BQ", "3", "20250201", "C1", "VIR1", "0,00", "100,00", "AA"]),
        ]);
        let import = import(&text);
        assert_eq!(
            balances(&import),
            [owed("F1", 10_000, 0), owed("F2", 5_000, 5_000)]
        );
        assert_eq!((import.summary.settled, import.summary.open), (1, 1));
    }

    #[test]
    fn a_lettering_code_is_a_group_per_customer_only() {
        let text = fec(&[
            customer(["VE", "1", "20250110", "C1", "F1", "100,00", "0,00", "AA"]),
            customer(["VE", "2", "20250110", "C2", "F2", "100,00", "0,00", "AA"]),
            customer(["BQ", "3", "20250201", "C2", "VIR", "0,00", "100,00", "AA"]),
        ]);
        assert_eq!(
            balances(&import(&text)),
            [owed("F1", 10_000, 10_000), owed("F2", 10_000, 0)]
        );
    }

    #[test]
    fn partial_lettering_pays_the_oldest_debits_of_the_group_first() {
        let text = fec(&[
            customer(["VE", "2", "20250120", "C1", "F2", "80,00", "0,00", "AA"]),
            customer(["VE", "1", "20250110", "C1", "F1", "100,00", "0,00", "AA"]),
            customer(["BQ", "3", "20250201", "C1", "VIR", "0,00", "130,00", "AA"]),
        ]);
        let import = import(&text);
        assert_eq!(
            balances(&import),
            [owed("F2", 8_000, 5_000), owed("F1", 10_000, 0)]
        );
        assert_eq!(
            (import.summary.settled, import.summary.partly_settled),
            (1, 1)
        );
    }

    #[test]
    fn unlettered_credits_pay_the_oldest_open_debits_and_the_rest_is_reported() {
        let text = fec(&[
            customer(["VE", "1", "20250110", "C1", "F1", "100,00", "0,00", ""]),
            customer(["VE", "2", "20250105", "C1", "F2", "60,00", "0,00", ""]),
            customer(["VE", "3", "20250120", "C1", "F3", "40,00", "0,00", "ZZ"]),
            customer(["BQ", "4", "20250201", "C1", "VIR", "0,00", "90,00", ""]),
            customer(["BQ", "5", "20250202", "C2", "VIR", "0,00", "15,00", ""]),
        ]);
        let import = import(&text);
        // F2 (5 January) is paid first, then 30 of F1; the lettered F3 waits its turn.
        assert_eq!(
            balances(&import),
            [
                owed("F1", 10_000, 7_000),
                owed("F2", 6_000, 0),
                owed("F3", 4_000, 4_000)
            ]
        );
        let unapplied: Vec<(String, i64)> = import
            .summary
            .unapplied_credit
            .iter()
            .map(|(customer, money)| (customer.as_str().to_owned(), money.minor()))
            .collect();
        assert_eq!(unapplied, [("C2".to_owned(), 1_500)]);
    }

    #[test]
    fn credit_left_in_a_lettering_group_pays_other_debits_of_the_customer() {
        let text = fec(&[
            customer(["AN", "1", "20250101", "C1", "RAN", "30,00", "0,00", ""]),
            customer(["VE", "2", "20250110", "C1", "F1", "100,00", "0,00", "AA"]),
            customer(["BQ", "3", "20250201", "C1", "VIR", "0,00", "150,00", "AA"]),
        ]);
        let import = import(&text);
        assert_eq!(
            balances(&import),
            [owed("RAN", 3_000, 0), owed("F1", 10_000, 0)]
        );
        assert_eq!(import.summary.unapplied_credit.len(), 1);
        assert_eq!(import.summary.unapplied_credit[0].1.minor(), 2_000);
    }

    #[test]
    fn an_unlettered_opening_balance_is_an_open_item() {
        let text = fec(&[
            customer(["AN", "1", "20250101", "C1", "RAN", "250,00", "0,00", ""]),
            other("AN", "1", "20250101", "890000", "RAN", "0,00", "250,00"),
        ]);
        assert_eq!(balances(&import(&text)), [owed("RAN", 25_000, 25_000)]);
    }

    #[test]
    fn piece_ref_collisions_are_disambiguated_deterministically() {
        let text = fec(&[
            customer(["VE", "1", "20250110", "C1", "F1", "10,00", "0,00", ""]),
            customer(["VE", "2", "20250110", "C1", "F1", "20,00", "0,00", ""]),
            customer(["AN", "0", "20250101", "C1", "RAN", "30,00", "0,00", ""]),
            customer(["AN", "0", "20250101", "C2", "RAN", "40,00", "0,00", ""]),
            customer(["OD", "7", "20250101", "C3", "X", "1,00", "0,00", ""]),
            customer(["OD", "7", "20250101", "C3", "X", "2,00", "0,00", ""]),
            customer(["VE", "3", "20250110", "C4", "UNIQUE", "5,00", "0,00", ""]),
        ]);
        let numbers: Vec<String> = balances(&import(&text))
            .into_iter()
            .map(|(number, _, _)| number)
            .collect();
        assert_eq!(
            numbers,
            [
                "F1/1", "F1/2", "RAN/0/C1", "RAN/0/C2", "X/7/C3/1", "X/7/C3/2", "UNIQUE"
            ]
        );
    }

    #[test]
    fn numbers_stay_unique_when_a_generated_number_meets_a_written_one() {
        let text = fec(&[
            customer(["VE", "1", "20250110", "C1", "F1", "10,00", "0,00", ""]),
            customer(["VE", "2", "20250110", "C1", "F1", "20,00", "0,00", ""]),
            customer(["VE", "3", "20250110", "C1", "F1/2", "30,00", "0,00", ""]),
        ]);
        let numbers: Vec<String> = balances(&import(&text))
            .into_iter()
            .map(|(number, _, _)| number)
            .collect();
        // "F1/2" made from the second F1 meets the written "F1/2": both go on to the next step.
        assert_eq!(numbers, ["F1/1", "F1/2/C1/1", "F1/2/C1/2"]);
        let text = fec(&[
            customer(["VE", "1", "20250110", "C1", "X", "10,00", "0,00", ""]),
            customer(["VE", "1", "20250110", "C1", "X", "20,00", "0,00", ""]),
            customer(["VE", "2", "20250110", "C1", "X/1/C1/1", "30,00", "0,00", ""]),
        ]);
        let numbers: Vec<String> = balances(&import(&text))
            .into_iter()
            .map(|(number, _, _)| number)
            .collect();
        // Past the last step, the first in file order keeps the name.
        assert_eq!(numbers, ["X/1/C1/1", "X/1/C1/2", "X/1/C1/1/2"]);
    }

    #[test]
    fn a_bad_date_is_a_problem_naming_its_line_and_column() {
        let text = fec(&[
            customer(["VE", "1", "20250110", "C1", "F1", "10,00", "0,00", ""]),
            customer(["VE", "2", "20250231", "C1", "F2", "10,00", "0,00", ""]),
        ]);
        let problems = refused(text.as_bytes());
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].describe(Language::French),
            "ligne 3, colonne « EcritureDate » : « 20250231 » n'est pas une date (formats attendus : AAAA-MM-JJ, JJ/MM/AAAA ou AAAAMMJJ)"
        );
    }

    #[test]
    fn an_invalid_piece_date_falls_back_to_the_entry_date() {
        let line = customer(["VE", "1", "20250110", "C1", "F1", "10,00", "0,00", ""]).replacen(
            "F1\t20250110",
            "F1\t2025",
            1,
        );
        let import = import(&fec(&[line]));
        assert_eq!(import.rows[0].invoice.issued_on(), date(2025, 1, 10));
    }

    #[test]
    fn all_problems_are_returned_with_their_lines() {
        let text = fec(&[
            customer(["VE", "1", "20250110", "C1", "F1", "10,0,0", "0,00", ""]),
            customer(["VE", "2", "20250110", "C1", "F2", "10,00", "5,00", ""]),
            "VE\tshort".to_owned(),
            customer(["VE", "3", "2025011", "C1", "F3", "x", "0,00", ""]),
        ]);
        let located: Vec<(u64, Option<String>)> = refused(text.as_bytes())
            .into_iter()
            .map(|problem| (problem.line, problem.column))
            .collect();
        assert_eq!(
            located,
            [
                (2, Some("Debit".to_owned())),
                (3, None),
                (4, None),
                (5, Some("EcritureDate".to_owned())),
                (5, Some("Debit".to_owned())),
            ]
        );
    }

    #[test]
    fn problems_are_capped() {
        let lines: Vec<String> = (0..500)
            .map(|entry| customer(["VE", &entry.to_string(), "2025", "C1", "F", "1", "0", ""]))
            .collect();
        assert_eq!(refused(fec(&lines).as_bytes()).len(), PROBLEMS_MAX);
    }

    #[test]
    fn pipe_files_with_a_trailing_separator_and_padding_are_read() {
        let header = format!(
            "{}|",
            HEADER
                .replace('\t', "|")
                .replace("Montantdevise", "MontantDevise")
        );
        let line = "VE  |VE11|00000001|20230109|41100000|CLIENTS     |41101590|E.LECLERC   |VE  0123|20230109|VENTE |0000000074,70|0000000000,00|  |        |20240331|||";
        let import = import(&format!("{header}\n{line}\n"));
        assert_eq!(balances(&import), [owed("VE  0123", 7_470, 7_470)]);
        assert_eq!(import.rows[0].customer.reference.as_str(), "41101590");
        assert_eq!(import.rows[0].customer.legal_name, "E.LECLERC");
    }

    #[test]
    fn a_bom_is_ignored() {
        let text = format!(
            "\u{feff}{}",
            fec(&[customer([
                "VE", "1", "20250110", "C1", "F1", "10,00", "0,00", ""
            ])])
        );
        assert_eq!(import(&text).rows.len(), 1);
    }

    #[test]
    fn bare_cr_and_doubled_cr_line_endings_keep_lines_right() {
        let lines = [
            customer(["VE", "1", "20250110", "C1", "F1", "10,00", "0,00", ""]),
            customer(["VE", "2", "20250110", "C1", "F2", "10,00", "0,00", ""]),
        ];
        for newline in ["\r", "\r\r\n", "\r\n"] {
            let text = format!(
                "{HEADER}{newline}{}{newline}{}{newline}",
                lines[0], lines[1]
            );
            let import = import(&text);
            let lines: Vec<u64> = import.rows.iter().map(|row| row.line).collect();
            assert_eq!(lines, [2, 3], "{newline:?}");
            let bad = text.replace(
                "20250110\t411000\tClients\tC1\tClient C1\tF2",
                "2025x\t411000\tClients\tC1\tClient C1\tF2",
            );
            assert_eq!(refused(bad.as_bytes())[0].line, 3, "{newline:?}");
        }
    }

    #[test]
    fn windows_1252_labels_are_decoded() {
        let mut text = HEADER.as_bytes().to_vec();
        text.extend_from_slice(b"\nVE\tVentes\t1\t20250110\t411000\tClients\tC1\tSoci\xe9t\xe9\tF1\t20250110\tx\t10,00\t0,00\t\t\t\t\t\n");
        assert_eq!(import_bytes(&text).rows[0].customer.legal_name, "Société");
    }

    fn import_bytes(text: &[u8]) -> FecImport {
        read_fec(text, &options()).unwrap_or_else(|problems| panic!("{problems:?}"))
    }

    #[test]
    fn a_file_without_the_fec_columns_is_refused() {
        let problems = refused(b"customer_ref;amount\nC1;10\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 1);
        assert!(
            matches!(&problems[0].kind, ProblemKind::NotAFecFile { missing } if missing.len() == 18)
        );
        let partial = refused(HEADER.replace("\tIdevise", "").as_bytes());
        assert_eq!(
            partial[0].kind,
            ProblemKind::NotAFecFile {
                missing: vec!["Idevise"]
            }
        );
        assert!(
            partial[0]
                .describe(Language::French)
                .contains("ce n'est pas un fichier FEC")
        );
        assert_eq!(refused(b"")[0].kind, ProblemKind::EmptyFile);
    }

    #[test]
    fn header_names_are_case_insensitive_and_extra_columns_ignored() {
        let header = format!("{}\tDateRglt\tModeRglt", HEADER.to_uppercase());
        let line = format!(
            "{}\t20250110\tCH",
            customer(["VE", "1", "20250110", "C1", "F1", "10,00", "0,00", ""])
        );
        assert_eq!(import(&format!("{header}\n{line}\n")).rows.len(), 1);
    }

    #[test]
    fn customers_without_an_auxiliary_account_use_the_general_account() {
        let line = "VE\tVentes\t1\t20250110\t411100000\tCLIENTS\t\t\tF1\t20250110\tx\t10,00\t0,00\t\t\t\t\t";
        let import = import(&format!("{HEADER}\n{line}\n"));
        assert_eq!(import.rows[0].customer.reference.as_str(), "411100000");
        assert_eq!(import.rows[0].customer.legal_name, "CLIENTS");
    }

    #[test]
    fn a_negative_debit_counts_as_a_credit() {
        let text = fec(&[
            customer(["VE", "1", "20250110", "C1", "F1", "100,00", "0,00", ""]),
            customer(["VE", "2", "20250111", "C1", "AV1", "-40,00", "0,00", ""]),
        ]);
        assert_eq!(balances(&import(&text)), [owed("F1", 10_000, 6_000)]);
    }

    #[test]
    fn unbalanced_entries_are_counted_not_refused() {
        let text = fec(&[
            customer(["VE", "1", "20250110", "C1", "F1", "100,00", "0,00", ""]),
            other("VE", "1", "20250110", "706000", "F1", "0,00", "99,00"),
            other("OD", "1", "20250110", "471000", "X", "5,00", "0,00"),
            other("OD", "1", "20250110", "472000", "X", "0,00", "5,00"),
        ]);
        let summary = import(&text).summary;
        assert_eq!((summary.entries, summary.unbalanced_entries), (2, 1));
    }

    #[test]
    fn quotes_are_ordinary_characters() {
        let line = "VE\tVentes\t1\t20250110\t411000\tClients\tC1\t\"Le \"Bon\" Pain\tF1\t20250110\tx\t10,00\t0,00\t\t\t\t\t";
        assert_eq!(
            import(&format!("{HEADER}\n{line}\n")).rows[0]
                .customer
                .legal_name,
            "\"Le \"Bon\" Pain"
        );
    }

    #[test]
    fn no_input_makes_the_fec_reader_panic() {
        let alphabet: &[u8] = b"\t|\r\n 0123456789,.-411AZ\"\xe9\xc3\xa9";
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..2_000 {
            let mut input = format!("{HEADER}\n").into_bytes();
            input.extend_from_slice(
                customer(["VE", "1", "20250110", "C1", "F1", "10,00", "0,00", "A"]).as_bytes(),
            );
            let length = (next() % 300) as usize;
            for _ in 0..length {
                input.push(alphabet[(next() % alphabet.len() as u64) as usize]);
            }
            if let Ok(import) = read_fec(&input[..], &options()) {
                for row in import.rows {
                    assert!(row.invoice.outstanding().minor() <= row.invoice.amount().minor());
                }
            }
        }
    }
}
