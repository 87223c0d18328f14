//! Bank CSV exports, read through a column mapping saved for each bank.
//!
//! Every bank writes its CSV its own way: the delimiter, the decimal separator, the date
//! order, lines of account details before the header, a balance line after the rows, one
//! signed amount or separate debit and credit columns. None of it can be guessed safely (is
//! `01/04/20` the 1st of April or the 4th of January?), so a `BankCsvMapping` says it once per
//! bank and every file from that bank is read with it. `BankCsvMapping::french` gives the shape
//! of most French bank exports (semicolon, decimal comma, `dd/mm/yyyy`, Windows-1252 or UTF-8).
//!
//! Signs: a single amount column is positive for a credit and negative for a debit. With
//! separate columns, a value in the debit column is a debit whatever its sign (banks write
//! them both ways); a negative value in the credit column is refused, because it could be a
//! debit put in the wrong column or a refund, and guessing would create or hide a payment.

use domain::bank::{
    AccountId, BankEntry, BankReferences, BankStatement, Counterparty, Direction, Remittance,
};
use domain::money::{Currency, Money};
use jiff::civil::Date;

use super::{
    AmountStyle, BankFile, BankFormat, BankProblem, BankProblemKind, Field, Problems, clean_text,
    currency, decode, make_date, parse_amount,
};
use crate::text::TextEncoding;

/// How to read one bank's CSV export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankCsvMapping {
    pub delimiter: u8,
    /// `,` or `.`; the other one (and spaces) may group thousands.
    pub decimal_separator: char,
    pub date_format: DateFormat,
    /// Lines before the header (or before the first row): account details, periods.
    pub skip_lines: usize,
    /// Whether the first line after the skipped ones names the columns.
    pub has_header: bool,
    /// Rows to leave out at the end (a closing-balance line).
    pub footer_lines: usize,
    /// The account's currency, and the currency of rows without a currency column.
    pub currency: Currency,
    /// The account the file belongs to, as the bank names it (it keys the deduplication, so
    /// two accounts' files never collide).
    pub account: Option<String>,
    /// `None` reads UTF-8, and Windows-1252 when the file is not UTF-8.
    pub encoding: Option<TextEncoding>,
    pub columns: CsvColumns,
}

impl BankCsvMapping {
    /// The usual French export: `;`, decimal comma, `dd/mm/yyyy`, a header line, euros.
    pub fn french(columns: CsvColumns) -> BankCsvMapping {
        BankCsvMapping {
            delimiter: b';',
            decimal_separator: ',',
            date_format: DateFormat::parse("dd/mm/yyyy").expect("a valid pattern"),
            skip_lines: 0,
            has_header: true,
            footer_lines: 0,
            currency: Currency::EUR,
            account: None,
            encoding: None,
            columns,
        }
    }
}

/// A column, by its header name (any case) or its position from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvColumn {
    Named(String),
    Position(usize),
}

impl CsvColumn {
    pub fn named(name: &str) -> CsvColumn {
        CsvColumn::Named(name.to_owned())
    }
}

/// Where the amount is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvAmountColumns {
    /// One amount, negative for a debit.
    Signed(CsvColumn),
    /// A credit column and a debit column, one of them filled on each row.
    CreditDebit { credit: CsvColumn, debit: CsvColumn },
}

/// Which columns hold what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvColumns {
    /// The booking date.
    pub date: CsvColumn,
    pub value_date: Option<CsvColumn>,
    pub amount: CsvAmountColumns,
    /// Texts that become the remittance information, in this order (label, details…).
    pub label: Vec<CsvColumn>,
    pub counterparty: Option<CsvColumn>,
    pub counterparty_account: Option<CsvColumn>,
    /// A reference unique to the line, when the bank gives one (it keys the deduplication).
    pub reference: Option<CsvColumn>,
    /// A currency code per row, when the export mixes currencies.
    pub currency: Option<CsvColumn>,
}

/// A date pattern such as `dd/mm/yyyy`, `mm/dd/yyyy`, `yyyy-mm-dd`, `dd/mm/yy` or `yyyymmdd`.
///
/// With separators, day and month may have one or two digits (`9/4/2018`) and any non-digit
/// separates; without, the widths are the pattern's. Two-digit years are 2000 to 2099.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFormat {
    pattern: String,
    /// The parts in file order: `b'd'`, `b'm'`, `b'y'` with their widths in the pattern.
    parts: [(u8, usize); 3],
    separated: bool,
}

impl DateFormat {
    /// Reads a pattern; `None` unless it has one run each of `d`, `m` and `y` (two or four).
    pub fn parse(pattern: &str) -> Option<DateFormat> {
        let lower = pattern.trim().to_ascii_lowercase();
        let mut parts: Vec<(u8, usize)> = Vec::new();
        let mut separated = false;
        for byte in lower.bytes() {
            match byte {
                b'd' | b'm' | b'y' => match parts.last_mut() {
                    Some((kind, width)) if *kind == byte => *width += 1,
                    _ => parts.push((byte, 1)),
                },
                b'a'..=b'z' | b'0'..=b'9' => return None,
                _ => separated = true,
            }
        }
        let [first, second, third] = <[(u8, usize); 3]>::try_from(parts).ok()?;
        let mut kinds = [first.0, second.0, third.0];
        kinds.sort_unstable();
        let widths_valid = [first, second, third]
            .iter()
            .all(|&(kind, width)| match kind {
                b'y' => width == 2 || width == 4,
                _ => (1..=2).contains(&width) && (separated || width == 2),
            });
        (kinds == [b'd', b'm', b'y'] && widths_valid).then(|| DateFormat {
            pattern: pattern.trim().to_owned(),
            parts: [first, second, third],
            separated,
        })
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    pub fn read(&self, text: &str) -> Option<Date> {
        let text = text.trim();
        let numbers: Vec<&str> = if self.separated {
            text.split(|c: char| !c.is_ascii_digit()).collect()
        } else {
            let mut numbers = Vec::new();
            let mut rest = text;
            for &(_, width) in &self.parts {
                if rest.len() < width || !rest.is_char_boundary(width) {
                    return None;
                }
                numbers.push(&rest[..width]);
                rest = &rest[width..];
            }
            if !rest.is_empty() {
                return None;
            }
            numbers
        };
        if numbers.len() != 3 {
            return None;
        }
        let (mut year, mut month, mut day) = (0_i16, 0_i16, 0_i16);
        for (&(kind, width), number) in self.parts.iter().zip(&numbers) {
            let digits = number.as_bytes();
            let fits = match kind {
                b'y' => digits.len() == width,
                _ => (1..=2).contains(&digits.len()),
            };
            if !fits {
                return None;
            }
            let value = super::digits(digits)?;
            match kind {
                b'y' if width == 2 => year = 2000 + value,
                b'y' => year = value,
                b'm' => month = value,
                _ => day = value,
            }
        }
        make_date(year, month, day)
    }
}

/// Reads a CSV bank export with its bank's mapping: one statement of the mapping's account.
pub fn read_csv(bytes: &[u8], mapping: &BankCsvMapping) -> Result<BankFile, Vec<BankProblem>> {
    let text = match mapping.encoding {
        None => decode(bytes, false),
        Some(TextEncoding::Utf8) => decode(bytes, true),
        Some(TextEncoding::Windows1252) => Ok(encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
            .0),
    }
    .map_err(|problem| vec![problem])?;
    let (body, first_line) = after_lines(&text, mapping.skip_lines);
    // One `\n` per line break, so that a record's line can be counted from its byte offset
    // (the csv crate's own line count is off after CRLF and blank lines).
    let body = body.replace("\r\n", "\n").replace('\r', "\n");
    let line_at = |position: Option<&csv::Position>| -> u64 {
        let bytes = body.as_bytes();
        let mut offset = position.map_or(0, |position| {
            usize::try_from(position.byte())
                .unwrap_or(usize::MAX)
                .min(bytes.len())
        });
        while bytes.get(offset) == Some(&b'\n') {
            offset += 1;
        }
        first_line + memchr::memchr_iter(b'\n', &bytes[..offset]).count() as u64
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(mapping.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut rows: Vec<(u64, csv::StringRecord)> = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                if record.iter().any(|field| !field.trim().is_empty()) {
                    rows.push((line_at(record.position()), record));
                }
            }
            Err(error) => {
                return Err(vec![
                    BankProblem::new(line_at(error.position()), BankProblemKind::InvalidText)
                        .with_value(&error.to_string()),
                ]);
            }
        }
    }
    let header = if mapping.has_header && !rows.is_empty() {
        Some(rows.remove(0))
    } else {
        None
    };
    let keep = rows.len().saturating_sub(mapping.footer_lines);
    rows.truncate(keep);
    let mut problems = Problems::default();
    let columns = match Columns::resolve(&mapping.columns, header.as_ref()) {
        Ok(columns) => columns,
        Err(found) => {
            for problem in found {
                problems.push(problem);
            }
            return problems.finish(empty_file());
        }
    };
    let mut entries = Vec::with_capacity(rows.len());
    for (line, record) in &rows {
        match read_row(*line, record, &columns, mapping) {
            Ok(entry) => entries.push(entry),
            Err(found) => {
                for problem in found {
                    problems.push(problem);
                }
            }
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(BankProblem::new(first_line, BankProblemKind::NoStatement));
    }
    problems.finish(BankFile {
        format: BankFormat::Csv,
        variant: "CSV".to_owned(),
        statements: vec![BankStatement {
            account: mapping.account.as_deref().and_then(AccountId::parse),
            currency: mapping.currency,
            id: None,
            sequence: None,
            period: None,
            opening_balance: None,
            closing_balance: None,
            entries,
            skipped: Vec::new(),
        }],
    })
}

fn empty_file() -> BankFile {
    BankFile {
        format: BankFormat::Csv,
        variant: String::new(),
        statements: Vec::new(),
    }
}

/// The text after `count` physical lines, and the number of its first line.
fn after_lines(text: &str, count: usize) -> (&str, u64) {
    let mut rest = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut line = 1;
    for _ in 0..count {
        match rest.find(['\r', '\n']) {
            Some(end) => {
                let skip = if rest[end..].starts_with("\r\n") {
                    2
                } else {
                    1
                };
                rest = &rest[end + skip..];
                line += 1;
            }
            None => {
                rest = "";
                break;
            }
        }
    }
    (rest, line)
}

/// One resolved column: its index and how problems name it.
#[derive(Debug, Clone)]
struct Column {
    index: usize,
    name: String,
}

impl Column {
    fn text<'r>(&self, record: &'r csv::StringRecord) -> &'r str {
        record.get(self.index).unwrap_or("").trim()
    }

    fn problem(&self, line: u64, kind: BankProblemKind) -> BankProblem {
        BankProblem::new(line, kind).at(Field::Column(self.name.clone()))
    }
}

enum Amounts {
    Signed(Column),
    CreditDebit { credit: Column, debit: Column },
}

struct Columns {
    date: Column,
    value_date: Option<Column>,
    amount: Amounts,
    label: Vec<Column>,
    counterparty: Option<Column>,
    counterparty_account: Option<Column>,
    reference: Option<Column>,
    currency: Option<Column>,
}

impl Columns {
    fn resolve(
        mapping: &CsvColumns,
        header: Option<&(u64, csv::StringRecord)>,
    ) -> Result<Columns, Vec<BankProblem>> {
        let mut problems = Vec::new();
        let header_line = header.map_or(1, |(line, _)| *line);
        let mut find = |column: &CsvColumn| -> Option<Column> {
            match column {
                CsvColumn::Position(position) if *position >= 1 => {
                    let index = position - 1;
                    let name = header
                        .and_then(|(_, names)| names.get(index))
                        .map(|name| name.trim().to_owned())
                        .filter(|name| !name.is_empty())
                        .unwrap_or_else(|| format!("#{position}"));
                    Some(Column { index, name })
                }
                CsvColumn::Position(_) => {
                    problems.push(
                        BankProblem::new(header_line, BankProblemKind::MissingColumn)
                            .with_value("#0"),
                    );
                    None
                }
                CsvColumn::Named(wanted) => {
                    let found = header.and_then(|(_, names)| {
                        names.iter().position(|name| {
                            name.trim_start_matches('\u{feff}')
                                .trim()
                                .eq_ignore_ascii_case(wanted.trim())
                        })
                    });
                    match found {
                        Some(index) => Some(Column {
                            index,
                            name: wanted.trim().to_owned(),
                        }),
                        None => {
                            problems.push(
                                BankProblem::new(header_line, BankProblemKind::MissingColumn)
                                    .with_value(wanted),
                            );
                            None
                        }
                    }
                }
            }
        };
        let date = find(&mapping.date);
        let value_date = mapping.value_date.as_ref().map(&mut find);
        let amount = match &mapping.amount {
            CsvAmountColumns::Signed(column) => find(column).map(Amounts::Signed),
            CsvAmountColumns::CreditDebit { credit, debit } => match (find(credit), find(debit)) {
                (Some(credit), Some(debit)) => Some(Amounts::CreditDebit { credit, debit }),
                _ => None,
            },
        };
        let label: Vec<Option<Column>> = mapping.label.iter().map(&mut find).collect();
        let counterparty = mapping.counterparty.as_ref().map(&mut find);
        let counterparty_account = mapping.counterparty_account.as_ref().map(&mut find);
        let reference = mapping.reference.as_ref().map(&mut find);
        let currency = mapping.currency.as_ref().map(&mut find);
        if !problems.is_empty() {
            return Err(problems);
        }
        let (Some(date), Some(amount)) = (date, amount) else {
            unreachable!("a column not found is a problem");
        };
        Ok(Columns {
            date,
            value_date: value_date.flatten(),
            amount,
            label: label.into_iter().flatten().collect(),
            counterparty: counterparty.flatten(),
            counterparty_account: counterparty_account.flatten(),
            reference: reference.flatten(),
            currency: currency.flatten(),
        })
    }
}

fn read_row(
    line: u64,
    record: &csv::StringRecord,
    columns: &Columns,
    mapping: &BankCsvMapping,
) -> Result<BankEntry, Vec<BankProblem>> {
    let mut problems = Vec::new();
    let date = |column: &Column, required: bool| -> Result<Option<Date>, BankProblem> {
        let text = column.text(record);
        if text.is_empty() {
            return if required {
                Err(column
                    .problem(line, BankProblemKind::Missing)
                    .with_value(&column.name))
            } else {
                Ok(None)
            };
        }
        mapping.date_format.read(text).map(Some).ok_or_else(|| {
            column
                .problem(line, BankProblemKind::InvalidDate)
                .with_value(text)
        })
    };
    let booking_date = date(&columns.date, true).map_err(|problem| problems.push(problem));
    let value_date = match &columns.value_date {
        Some(column) => date(column, false).map_err(|problem| problems.push(problem)),
        None => Ok(None),
    };
    let row_currency = match &columns.currency {
        Some(column) if !column.text(record).is_empty() => {
            let code = column.text(record);
            currency(code)
                .map_err(|kind| problems.push(column.problem(line, kind).with_value(code)))
        }
        _ => Ok(mapping.currency),
    };
    let movement = match row_currency {
        Ok(currency) => amount(
            line,
            record,
            &columns.amount,
            currency,
            mapping.decimal_separator,
        )
        .map_err(|problem| problems.push(problem)),
        Err(()) => Err(()),
    };
    let (Ok(Some(booking_date)), Ok(value_date), Ok((direction, amount))) =
        (booking_date, value_date, movement)
    else {
        return Err(problems);
    };
    Ok(BankEntry {
        line,
        booking_date,
        value_date,
        amount,
        direction,
        reversal: false,
        return_reason: None,
        counterparty: Counterparty {
            name: columns
                .counterparty
                .as_ref()
                .and_then(|column| clean_text(column.text(record))),
            account: columns
                .counterparty_account
                .as_ref()
                .and_then(|column| AccountId::parse(column.text(record))),
            bic: None,
        },
        remittance: Remittance {
            lines: columns
                .label
                .iter()
                .filter_map(|column| clean_text(column.text(record)))
                .collect(),
            creditor_reference: None,
        },
        references: BankReferences {
            bank: columns
                .reference
                .as_ref()
                .and_then(|column| BankReferences::clean(column.text(record))),
            ..BankReferences::default()
        },
        transaction_code: None,
        additional_info: None,
        batch: None,
    })
}

/// The row's direction and amount (never negative), by the sign rules of the module.
fn amount(
    line: u64,
    record: &csv::StringRecord,
    amounts: &Amounts,
    currency: Currency,
    decimal: char,
) -> Result<(Direction, Money), BankProblem> {
    let style = AmountStyle {
        decimal,
        signed: true,
        grouping: true,
    };
    let read = |column: &Column| -> Result<Option<Money>, BankProblem> {
        let text = column.text(record);
        if text.is_empty() {
            return Ok(None);
        }
        parse_amount(text, currency, style)
            .map(Some)
            .map_err(|reason| {
                column
                    .problem(line, BankProblemKind::InvalidAmount(reason))
                    .with_value(text)
            })
    };
    let magnitude = |money: Money| Money::from_minor(money.minor().abs(), money.currency());
    match amounts {
        Amounts::Signed(column) => match read(column)? {
            Some(money) if money.is_negative() => Ok((Direction::Debit, magnitude(money))),
            Some(money) => Ok((Direction::Credit, money)),
            None => Err(BankProblem::new(line, BankProblemKind::NoAmount)),
        },
        Amounts::CreditDebit { credit, debit } => {
            let credit_amount = read(credit)?;
            let debit_amount = read(debit)?;
            let filled = |money: &Option<Money>| money.is_some_and(|money| !money.is_zero());
            match (filled(&credit_amount), filled(&debit_amount)) {
                (true, true) => Err(BankProblem::new(line, BankProblemKind::DebitAndCredit)),
                (true, false) => {
                    let money = credit_amount.unwrap_or(Money::zero(currency));
                    if money.is_negative() {
                        Err(credit
                            .problem(line, BankProblemKind::NegativeCredit)
                            .with_value(credit.text(record)))
                    } else {
                        Ok((Direction::Credit, money))
                    }
                }
                (false, true) => Ok((
                    Direction::Debit,
                    magnitude(debit_amount.unwrap_or(Money::zero(currency))),
                )),
                (false, false) if credit_amount.is_some() || debit_amount.is_some() => {
                    Ok((Direction::Credit, Money::zero(currency)))
                }
                (false, false) => Err(BankProblem::new(line, BankProblemKind::NoAmount)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn date_patterns_read_their_order_and_widths() {
        let french = DateFormat::parse("dd/mm/yyyy").unwrap();
        assert_eq!(french.read("07/03/2026"), Some(date(2026, 3, 7)));
        assert_eq!(french.read("7/3/2026"), Some(date(2026, 3, 7)));
        assert_eq!(french.read("07/03/26"), None);
        assert_eq!(french.read("31/02/2026"), None);
        let american = DateFormat::parse("m/d/yyyy").unwrap();
        assert_eq!(american.read("9/27/2018"), Some(date(2018, 9, 27)));
        let short = DateFormat::parse("dd/mm/yy").unwrap();
        assert_eq!(short.read("01/04/20"), Some(date(2020, 4, 1)));
        let compact = DateFormat::parse("yyyymmdd").unwrap();
        assert_eq!(compact.read("20260307"), Some(date(2026, 3, 7)));
        assert_eq!(compact.read("2026037"), None);
        assert_eq!(
            DateFormat::parse("yyyy-mm-dd").unwrap().read("2026-03-07"),
            Some(date(2026, 3, 7))
        );
        for invalid in [
            "dd/mm",
            "dd/mm/yyy",
            "ddmyyyy",
            "dd/mm/yyyy hh",
            "yyyy/dd/dd",
        ] {
            assert_eq!(DateFormat::parse(invalid), None, "{invalid}");
        }
    }

    fn french_columns() -> CsvColumns {
        CsvColumns {
            date: CsvColumn::named("Date"),
            value_date: Some(CsvColumn::named("Date de valeur")),
            amount: CsvAmountColumns::CreditDebit {
                credit: CsvColumn::named("Crédit"),
                debit: CsvColumn::named("Débit"),
            },
            label: vec![CsvColumn::named("Libellé")],
            counterparty: None,
            counterparty_account: None,
            reference: None,
            currency: None,
        }
    }

    /// A French bank's export as it comes: Windows-1252, semicolons, decimal commas, debits
    /// written negative, thousands grouped with spaces.
    #[test]
    fn a_french_export_in_windows_1252_is_read() {
        let text = "Date;Date de valeur;Libell\u{e9};D\u{e9}bit;Cr\u{e9}dit\r\n\
                    02/03/2026;03/03/2026;VIR ATELIER DUPONT FACT F-17;;1 200,00\r\n\
                    04/03/2026;04/03/2026;PRLV URSSAF;-2 345,67;\r\n";
        let bytes: Vec<u8> = text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
            .collect();
        let mut mapping = BankCsvMapping::french(french_columns());
        mapping.account = Some("FR76 3000 6000 0112 3456 7890 189".into());
        let file = read_csv(&bytes, &mapping).unwrap();
        let entries: Vec<(u64, Date, Direction, i64, String)> = file
            .entries()
            .map(|entry| {
                (
                    entry.line,
                    entry.booking_date,
                    entry.direction,
                    entry.amount.minor(),
                    entry.remittance.text(),
                )
            })
            .collect();
        assert_eq!(
            entries,
            vec![
                (
                    2,
                    date(2026, 3, 2),
                    Direction::Credit,
                    120_000,
                    "VIR ATELIER DUPONT FACT F-17".into()
                ),
                (
                    3,
                    date(2026, 3, 4),
                    Direction::Debit,
                    234_567,
                    "PRLV URSSAF".into()
                ),
            ]
        );
        assert!(matches!(
            file.statements[0].account,
            Some(AccountId::Iban(_))
        ));
    }

    #[test]
    fn every_bad_row_is_reported_by_line_and_column() {
        let text = "Date;Date de valeur;Libellé;Débit;Crédit\n\
                    32/03/2026;;A;;12,00\n\
                    02/03/2026;;B;;-5,00\n\
                    02/03/2026;;C;1,00;2,00\n\
                    02/03/2026;;D;;\n\
                    02/03/2026;;E;12,345;\n";
        let problems =
            read_csv(text.as_bytes(), &BankCsvMapping::french(french_columns())).unwrap_err();
        let found: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            vec![
                "line 2, column \"Date\": \"32/03/2026\" is not a date",
                "line 3, column \"Crédit\": \"-5,00\" is negative in a credit column: it could be a debit or a refund, so the file is refused rather than guessed",
                "line 4: the row has both a credit and a debit",
                "line 5: the row has neither a credit nor a debit",
                "line 6, column \"Débit\": \"12,345\" has more decimals than EUR allows (2); Relance does not round amounts from a bank",
            ]
        );
    }

    #[test]
    fn a_mapping_column_missing_from_the_file_is_named() {
        let problems = read_csv(
            b"Date;Montant\n02/03/2026;12,00\n",
            &BankCsvMapping::french(french_columns()),
        )
        .unwrap_err();
        let missing: Vec<Option<&str>> = problems
            .iter()
            .map(|problem| problem.value.as_deref())
            .collect();
        assert_eq!(
            missing,
            vec![
                Some("Date de valeur"),
                Some("Crédit"),
                Some("Débit"),
                Some("Libellé")
            ]
        );
        assert!(
            problems
                .iter()
                .all(|problem| problem.kind == BankProblemKind::MissingColumn)
        );
    }
}
