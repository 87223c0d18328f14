//! The rate tables of late-payment law as CSV files: the built-in copies compiled into the
//! binary, and a reader for the replacement files operators supply.
//!
//! Three files, told apart by their header (column order free, names in any case):
//! - `effective_date,rate_percent,source`: ECB main refinancing rate, one row per change in date
//!   order. The table vouches for nothing after its last row, so a half-year with no rate
//!   decision is added as a row repeating the rate on the date it was confirmed.
//! - `semester_start,creditor_category,rate_percent,source`: French legal interest rate, one row
//!   per semester (1 January or 1 July) and category (`natural_person_non_professional`,
//!   `all_other_cases`).
//! - `half_year_start,rate_percent,source`: German base rate (Basiszinssatz), one row per
//!   half-year.
//!
//! The source is required: every figure must be traceable to where it was published. Rates are
//! percentages with a decimal point or comma (`2.15`, `2,15`); dates as `formats` reads them
//! everywhere (ISO first). Delimiter: comma, semicolon or tab, as the header line shows. Every
//! problem is collected, each with its physical line, column and value, and the file is then
//! refused as a whole.

use std::fmt;
use std::io::Read;

use domain::customer::Language;
use domain::late_payment::{
    EcbRateChange, EcbRates, FrenchLegalRates, GermanBaseRate, GermanBaseRates, HalfYear,
    LegalRate, LegalRateCategory, Rate, RateTable, RateTableError, RateTableKind, RateTables,
};
use jiff::civil::Date;

use crate::input::{LineEndings, is_blank, most_frequent_delimiter, record_start_line};
use crate::problem::{ProblemKind, located, shown_value};
use crate::text::{Decoder, parse_date, trim};

const BUILTIN_ECB: &str = include_str!("../rates/ecb_mro_rates.csv");
const BUILTIN_FRENCH_LEGAL: &str = include_str!("../rates/fr_legal_interest_rates.csv");
const BUILTIN_GERMAN_BASE: &str = include_str!("../rates/de_base_rates.csv");

/// The CSV text of a built-in table, for showing or exporting it as a starting point.
pub fn builtin_csv(kind: RateTableKind) -> &'static str {
    match kind {
        RateTableKind::EcbMainRefinancing => BUILTIN_ECB,
        RateTableKind::FrenchLegalInterest => BUILTIN_FRENCH_LEGAL,
        RateTableKind::GermanBase => BUILTIN_GERMAN_BASE,
    }
}

/// The tables compiled into Relance (official figures, with their sources).
pub fn builtin_tables() -> RateTables {
    let read = |kind| {
        read_rate_table_as(kind, builtin_csv(kind).as_bytes()).unwrap_or_else(|problems| {
            panic!(
                "the built-in {} table is invalid: {problems:?}",
                kind.code()
            )
        })
    };
    match (
        read(RateTableKind::EcbMainRefinancing),
        read(RateTableKind::FrenchLegalInterest),
        read(RateTableKind::GermanBase),
    ) {
        (
            RateTable::EcbMainRefinancing(ecb),
            RateTable::FrenchLegalInterest(french_legal),
            RateTable::GermanBase(german_base),
        ) => RateTables {
            ecb,
            french_legal,
            german_base,
        },
        _ => unreachable!("read_rate_table_as returns the kind asked for"),
    }
}

/// The table as the CSV file `read_rate_table` reads back: UTF-8, comma separated, the
/// canonical header, rates with two to four decimals, ISO dates. This is the form a replacement
/// is kept in and shown as, so an operator can export a table, edit it and import it again.
pub fn write_rate_table(table: &RateTable) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let written: csv::Result<()> = (|| {
        writer.write_record(columns_of(table.kind()))?;
        match table {
            RateTable::EcbMainRefinancing(ecb) => {
                for change in ecb.changes() {
                    writer.write_record([
                        change.effective_on.to_string(),
                        change.rate.to_string(),
                        change.source.clone(),
                    ])?;
                }
            }
            RateTable::FrenchLegalInterest(legal) => {
                for entry in legal.entries() {
                    writer.write_record([
                        entry.half_year.start().to_string(),
                        entry.category.code().to_owned(),
                        entry.rate.to_string(),
                        entry.source.clone(),
                    ])?;
                }
            }
            RateTable::GermanBase(german) => {
                for entry in german.entries() {
                    writer.write_record([
                        entry.half_year.start().to_string(),
                        entry.rate.to_string(),
                        entry.source.clone(),
                    ])?;
                }
            }
        }
        writer.flush()?;
        Ok(())
    })();
    written.expect("writing CSV to memory cannot fail");
    let bytes = writer
        .into_inner()
        .expect("writing CSV to memory cannot fail");
    String::from_utf8(bytes).expect("every field is UTF-8 text")
}

/// Reads any of the three tables, recognised by its header.
pub fn read_rate_table<R: Read>(reader: R) -> Result<RateTable, Vec<RateTableProblem>> {
    read(None, reader)
}

/// Reads the table of `kind`; a file of another table is refused on its header line.
pub fn read_rate_table_as<R: Read>(
    kind: RateTableKind,
    reader: R,
) -> Result<RateTable, Vec<RateTableProblem>> {
    read(Some(kind), reader)
}

/// One thing wrong with a rate file, at a physical line (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateTableProblem {
    pub line: u64,
    /// The header name as written in the file, when the problem concerns one column.
    pub column: Option<String>,
    /// The offending value, trimmed (and shortened when very long).
    pub value: Option<String>,
    pub kind: RateTableProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateTableProblemKind {
    EmptyFile,
    ReadFailed {
        message: String,
    },
    /// The header is that of none of the three tables.
    UnknownTable,
    /// The header is that of another table than the one asked for.
    WrongTable {
        expected: RateTableKind,
        found: RateTableKind,
    },
    MissingColumns {
        columns: Vec<&'static str>,
    },
    /// A column named twice in the header; `column` is the second.
    DuplicateColumn,
    WrongFieldCount {
        expected: usize,
        found: usize,
    },
    /// Not valid UTF-8, or not in the encoding of the rest of the file.
    InvalidText,
    EmptyRequired,
    InvalidDate,
    /// A semester or half-year start that is not a 1 January or 1 July.
    NotAHalfYearStart,
    InvalidRate,
    UnknownCategory,
    /// An ECB row dated before the row on `previous_line`.
    OutOfOrder {
        previous_line: u64,
    },
    /// The same date, or semester and category, as on `first_line`.
    Duplicate {
        first_line: u64,
    },
    /// A header and no rows.
    NoRows,
}

impl RateTableProblem {
    fn new(line: u64, kind: RateTableProblemKind) -> RateTableProblem {
        RateTableProblem {
            line,
            column: None,
            value: None,
            kind,
        }
    }

    fn in_column(mut self, column: &str) -> RateTableProblem {
        self.column = Some(column.to_owned());
        self
    }

    fn with_value(mut self, value: &str) -> RateTableProblem {
        self.value = shown_value(value);
        self
    }

    /// One sentence naming the line, the column and the reason, in `language`.
    pub fn describe(&self, language: Language) -> String {
        let mut text = located(language, self.line, self.column.as_deref());
        match language {
            Language::French => text.push_str(&self.reason_fr()),
            Language::English => text.push_str(&self.reason_en()),
        }
        text
    }

    fn reason_en(&self) -> String {
        let value = match &self.value {
            Some(value) => format!("\"{value}\""),
            None => "the value".to_owned(),
        };
        match &self.kind {
            RateTableProblemKind::EmptyFile => "the file is empty".to_owned(),
            RateTableProblemKind::ReadFailed { message } => {
                format!("the file could not be read ({message})")
            }
            RateTableProblemKind::UnknownTable => format!(
                "this is not a rate table (expected the header {}, {} or {})",
                header_of(RateTableKind::EcbMainRefinancing),
                header_of(RateTableKind::FrenchLegalInterest),
                header_of(RateTableKind::GermanBase)
            ),
            RateTableProblemKind::WrongTable { expected, found } => format!(
                "this is the table of {}, not of {}",
                table_name_en(*found),
                table_name_en(*expected)
            ),
            RateTableProblemKind::MissingColumns { columns } => {
                let noun = if columns.len() == 1 {
                    "column"
                } else {
                    "columns"
                };
                format!("missing required {noun} {}", quoted_en(columns))
            }
            RateTableProblemKind::DuplicateColumn => {
                "this column is given twice; keep only one".to_owned()
            }
            RateTableProblemKind::WrongFieldCount { expected, found } => {
                format!("expected {expected} fields as in the header, found {found}")
            }
            RateTableProblemKind::InvalidText => format!("{value} is not valid UTF-8 text"),
            RateTableProblemKind::EmptyRequired => "a value is required here".to_owned(),
            RateTableProblemKind::InvalidDate => {
                format!("{value} is not a date (expected YYYY-MM-DD)")
            }
            RateTableProblemKind::NotAHalfYearStart => {
                format!("{value} is not the first day of a half-year (1 January or 1 July)")
            }
            RateTableProblemKind::InvalidRate => format!(
                "{value} is not a rate (expected a percentage with at most four decimals, such as 2.15)"
            ),
            RateTableProblemKind::UnknownCategory => format!(
                "{value} is not a category (expected natural_person_non_professional or all_other_cases)"
            ),
            RateTableProblemKind::OutOfOrder { previous_line } => format!(
                "{value} is not after the date on line {previous_line}: rows must be in date order"
            ),
            RateTableProblemKind::Duplicate { first_line } => {
                format!("this rate is already given on line {first_line}")
            }
            RateTableProblemKind::NoRows => "the table has no rows".to_owned(),
        }
    }

    fn reason_fr(&self) -> String {
        let value = match &self.value {
            Some(value) => format!("« {value} »"),
            None => "la valeur".to_owned(),
        };
        match &self.kind {
            RateTableProblemKind::EmptyFile => "le fichier est vide".to_owned(),
            RateTableProblemKind::ReadFailed { message } => {
                format!("le fichier n'a pas pu être lu ({message})")
            }
            RateTableProblemKind::UnknownTable => format!(
                "ce n'est pas une table de taux (en-têtes attendus : {}, {} ou {})",
                header_of(RateTableKind::EcbMainRefinancing),
                header_of(RateTableKind::FrenchLegalInterest),
                header_of(RateTableKind::GermanBase)
            ),
            RateTableProblemKind::WrongTable { expected, found } => format!(
                "c'est la table {}, pas la table {}",
                table_name_fr(*found),
                table_name_fr(*expected)
            ),
            RateTableProblemKind::MissingColumns { columns } => {
                if columns.len() == 1 {
                    format!("la colonne obligatoire {} est absente", quoted_fr(columns))
                } else {
                    format!(
                        "les colonnes obligatoires {} sont absentes",
                        quoted_fr(columns)
                    )
                }
            }
            RateTableProblemKind::DuplicateColumn => {
                "cette colonne figure deux fois ; n'en gardez qu'une".to_owned()
            }
            RateTableProblemKind::WrongFieldCount { expected, found } => {
                format!("{found} champs trouvés alors que l'en-tête en compte {expected}")
            }
            RateTableProblemKind::InvalidText => {
                format!("{value} n'est pas un texte UTF-8 valide")
            }
            RateTableProblemKind::EmptyRequired => "une valeur est obligatoire ici".to_owned(),
            RateTableProblemKind::InvalidDate => {
                format!("{value} n'est pas une date (format attendu : AAAA-MM-JJ)")
            }
            RateTableProblemKind::NotAHalfYearStart => format!(
                "{value} n'est pas le premier jour d'un semestre (1er janvier ou 1er juillet)"
            ),
            RateTableProblemKind::InvalidRate => format!(
                "{value} n'est pas un taux (pourcentage attendu, quatre décimales au plus, par exemple 2,15)"
            ),
            RateTableProblemKind::UnknownCategory => format!(
                "{value} n'est pas une catégorie (natural_person_non_professional ou all_other_cases attendu)"
            ),
            RateTableProblemKind::OutOfOrder { previous_line } => format!(
                "{value} ne suit pas la date de la ligne {previous_line} : les lignes doivent être dans l'ordre des dates"
            ),
            RateTableProblemKind::Duplicate { first_line } => {
                format!("ce taux figure déjà à la ligne {first_line}")
            }
            RateTableProblemKind::NoRows => "la table ne contient aucune ligne".to_owned(),
        }
    }
}

impl fmt::Display for RateTableProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(Language::English))
    }
}

impl std::error::Error for RateTableProblem {}

fn table_name_en(kind: RateTableKind) -> &'static str {
    match kind {
        RateTableKind::EcbMainRefinancing => "ECB main refinancing rates",
        RateTableKind::FrenchLegalInterest => "French legal interest rates",
        RateTableKind::GermanBase => "German base rates",
    }
}

fn table_name_fr(kind: RateTableKind) -> &'static str {
    match kind {
        RateTableKind::EcbMainRefinancing => "des taux de refinancement de la BCE",
        RateTableKind::FrenchLegalInterest => "des taux de l'intérêt légal",
        RateTableKind::GermanBase => "des taux de base allemands",
    }
}

fn quoted_en(columns: &[&str]) -> String {
    let names: Vec<String> = columns.iter().map(|name| format!("\"{name}\"")).collect();
    names.join(", ")
}

fn quoted_fr(columns: &[&str]) -> String {
    let names: Vec<String> = columns.iter().map(|name| format!("« {name} »")).collect();
    names.join(", ")
}

// --- Columns ------------------------------------------------------------------------------------

const EFFECTIVE_DATE: &str = "effective_date";
const SEMESTER_START: &str = "semester_start";
const HALF_YEAR_START: &str = "half_year_start";
const CREDITOR_CATEGORY: &str = "creditor_category";
const RATE_PERCENT: &str = "rate_percent";
const SOURCE: &str = "source";

fn columns_of(kind: RateTableKind) -> &'static [&'static str] {
    match kind {
        RateTableKind::EcbMainRefinancing => &[EFFECTIVE_DATE, RATE_PERCENT, SOURCE],
        RateTableKind::FrenchLegalInterest => {
            &[SEMESTER_START, CREDITOR_CATEGORY, RATE_PERCENT, SOURCE]
        }
        RateTableKind::GermanBase => &[HALF_YEAR_START, RATE_PERCENT, SOURCE],
    }
}

fn header_of(kind: RateTableKind) -> String {
    columns_of(kind).join(",")
}

/// The table a header is for: its column of dates tells.
fn kind_of_header(names: &[String]) -> Option<RateTableKind> {
    let has = |column: &str| names.iter().any(|name| name == column);
    if has(SEMESTER_START) || has(CREDITOR_CATEGORY) {
        Some(RateTableKind::FrenchLegalInterest)
    } else if has(HALF_YEAR_START) {
        Some(RateTableKind::GermanBase)
    } else if has(EFFECTIVE_DATE) {
        Some(RateTableKind::EcbMainRefinancing)
    } else {
        None
    }
}

/// A row's values, by the table's columns in `columns_of` order.
struct Row {
    line: u64,
    values: Vec<String>,
}

/// The table's columns as found in the header.
struct Header {
    kind: RateTableKind,
    /// For each of `columns_of(kind)`, its position in the file.
    positions: Vec<usize>,
    /// Header names as written, for problems.
    names: Vec<String>,
    field_count: usize,
}

impl Header {
    fn name(&self, column: usize) -> &str {
        &self.names[self.positions[column]]
    }
}

fn read<R: Read>(
    expected: Option<RateTableKind>,
    reader: R,
) -> Result<RateTable, Vec<RateTableProblem>> {
    let read_failed = |line, error: &dyn fmt::Display| {
        vec![RateTableProblem::new(
            line,
            RateTableProblemKind::ReadFailed {
                message: error.to_string(),
            },
        )]
    };
    let mut input = LineEndings::new(reader);
    let first_line = input.first_line().map_err(|error| read_failed(1, &error))?;
    let delimiter = most_frequent_delimiter(first_line, b",;\t", true).unwrap_or(b',');
    let mut decoder = Decoder::new(None, input.had_bom());
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();

    let header_line = loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) if is_blank(record.as_slice()) => continue,
            Ok(true) => break record_start_line(csv.position().line(), &record),
            Ok(false) => {
                return Err(vec![RateTableProblem::new(
                    1,
                    RateTableProblemKind::EmptyFile,
                )]);
            }
            Err(error) => return Err(read_failed(1, &error)),
        }
    };
    let header = read_header(&record, header_line, expected, &mut decoder).map_err(|p| vec![p])?;

    let mut problems = Vec::new();
    let mut rows = Vec::new();
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) if is_blank(record.as_slice()) => continue,
            Ok(true) => {
                let line = record_start_line(csv.position().line(), &record);
                match read_row(&record, line, &header, &mut decoder) {
                    Ok(row) => rows.push(row),
                    Err(problem) => problems.push(problem),
                }
            }
            Ok(false) => break,
            Err(error) => {
                let line = csv.position().line();
                problems.extend(read_failed(line, &error));
                break;
            }
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(RateTableProblem::new(
            header_line,
            RateTableProblemKind::NoRows,
        ));
    }
    let table = match header.kind {
        RateTableKind::EcbMainRefinancing => ecb_table(&header, &rows, &mut problems),
        RateTableKind::FrenchLegalInterest => french_legal_table(&header, &rows, &mut problems),
        RateTableKind::GermanBase => german_base_table(&header, &rows, &mut problems),
    };
    match table {
        Some(table) if problems.is_empty() => Ok(table),
        _ => {
            problems.sort_by_key(|problem| problem.line);
            Err(problems)
        }
    }
}

fn read_header(
    record: &csv::ByteRecord,
    line: u64,
    expected: Option<RateTableKind>,
    decoder: &mut Decoder,
) -> Result<Header, RateTableProblem> {
    let mut names = Vec::with_capacity(record.len());
    for field in record {
        let text = decoder
            .decode(field)
            .map_err(|_| RateTableProblem::new(line, RateTableProblemKind::InvalidText))?;
        names.push(trim(&text).to_owned());
    }
    let normalised: Vec<String> = names.iter().map(|name| name.to_lowercase()).collect();
    let kind = match (kind_of_header(&normalised), expected) {
        (Some(found), Some(expected)) if found != expected => {
            return Err(RateTableProblem::new(
                line,
                RateTableProblemKind::WrongTable { expected, found },
            ));
        }
        (Some(found), _) => found,
        (None, Some(expected)) => expected,
        (None, None) => {
            return Err(RateTableProblem::new(
                line,
                RateTableProblemKind::UnknownTable,
            ));
        }
    };
    let mut positions = Vec::new();
    let mut missing = Vec::new();
    for &column in columns_of(kind) {
        let mut found = normalised
            .iter()
            .enumerate()
            .filter(|(_, name)| *name == column)
            .map(|(position, _)| position);
        match (found.next(), found.next()) {
            (Some(position), None) => positions.push(position),
            (Some(_), Some(second)) => {
                return Err(
                    RateTableProblem::new(line, RateTableProblemKind::DuplicateColumn)
                        .in_column(&names[second]),
                );
            }
            (None, _) => missing.push(column),
        }
    }
    if !missing.is_empty() {
        return Err(RateTableProblem::new(
            line,
            RateTableProblemKind::MissingColumns { columns: missing },
        ));
    }
    Ok(Header {
        kind,
        positions,
        field_count: names.len(),
        names,
    })
}

fn read_row(
    record: &csv::ByteRecord,
    line: u64,
    header: &Header,
    decoder: &mut Decoder,
) -> Result<Row, RateTableProblem> {
    if record.len() != header.field_count {
        return Err(RateTableProblem::new(
            line,
            RateTableProblemKind::WrongFieldCount {
                expected: header.field_count,
                found: record.len(),
            },
        ));
    }
    let mut values = Vec::with_capacity(header.positions.len());
    for (column, &position) in header.positions.iter().enumerate() {
        let text = decoder.decode(&record[position]).map_err(|kind| {
            debug_assert!(matches!(
                kind,
                ProblemKind::InvalidUtf8 | ProblemKind::MixedEncoding
            ));
            RateTableProblem::new(line, RateTableProblemKind::InvalidText)
                .in_column(header.name(column))
        })?;
        let value = trim(&text);
        if value.is_empty() {
            return Err(
                RateTableProblem::new(line, RateTableProblemKind::EmptyRequired)
                    .in_column(header.name(column)),
            );
        }
        values.push(value.to_owned());
    }
    Ok(Row { line, values })
}

/// A problem with the value of `column` (its index in `columns_of`) of `row`.
fn problem(
    header: &Header,
    row: &Row,
    column: usize,
    kind: RateTableProblemKind,
) -> RateTableProblem {
    RateTableProblem::new(row.line, kind)
        .in_column(header.name(column))
        .with_value(&row.values[column])
}

fn date_at(header: &Header, row: &Row, column: usize) -> Result<Date, RateTableProblem> {
    parse_date(&row.values[column])
        .ok_or_else(|| problem(header, row, column, RateTableProblemKind::InvalidDate))
}

fn half_year_at(header: &Header, row: &Row, column: usize) -> Result<HalfYear, RateTableProblem> {
    let day = date_at(header, row, column)?;
    HalfYear::starting_on(day)
        .ok_or_else(|| problem(header, row, column, RateTableProblemKind::NotAHalfYearStart))
}

fn rate_at(header: &Header, row: &Row, column: usize) -> Result<Rate, RateTableProblem> {
    Rate::parse(&row.values[column])
        .map_err(|_| problem(header, row, column, RateTableProblemKind::InvalidRate))
}

/// Keeps the value, or records the problem and gives nothing.
fn keep<T>(result: Result<T, RateTableProblem>, problems: &mut Vec<RateTableProblem>) -> Option<T> {
    result.map_err(|problem| problems.push(problem)).ok()
}

/// A domain table error on entry `index`, located on its row; the reader's own checks come
/// first, so this only reports what they let through.
fn table_problem(header: &Header, rows: &[Row], error: &RateTableError) -> RateTableProblem {
    match *error {
        RateTableError::Empty => RateTableProblem::new(1, RateTableProblemKind::NoRows),
        RateTableError::OutOfOrder { index, .. } => problem(
            header,
            &rows[index],
            0,
            RateTableProblemKind::OutOfOrder {
                previous_line: rows[index.saturating_sub(1)].line,
            },
        ),
        RateTableError::Duplicate {
            index, first_index, ..
        } => problem(
            header,
            &rows[index],
            0,
            RateTableProblemKind::Duplicate {
                first_line: rows[first_index].line,
            },
        ),
    }
}

fn ecb_table(
    header: &Header,
    rows: &[Row],
    problems: &mut Vec<RateTableProblem>,
) -> Option<RateTable> {
    let mut changes = Vec::with_capacity(rows.len());
    let mut previous: Option<(Date, u64)> = None;
    for row in rows {
        let effective_on = keep(date_at(header, row, 0), problems);
        let rate = keep(rate_at(header, row, 1), problems);
        let (Some(effective_on), Some(rate)) = (effective_on, rate) else {
            continue;
        };
        if let Some((previous_on, previous_line)) = previous {
            if effective_on == previous_on {
                problems.push(problem(
                    header,
                    row,
                    0,
                    RateTableProblemKind::Duplicate {
                        first_line: previous_line,
                    },
                ));
            } else if effective_on < previous_on {
                problems.push(problem(
                    header,
                    row,
                    0,
                    RateTableProblemKind::OutOfOrder { previous_line },
                ));
            }
        }
        previous = Some((effective_on, row.line));
        changes.push(EcbRateChange {
            effective_on,
            rate,
            source: row.values[2].clone(),
        });
    }
    if !problems.is_empty() {
        return None;
    }
    EcbRates::new(changes)
        .map(RateTable::EcbMainRefinancing)
        .map_err(|error| problems.push(table_problem(header, rows, &error)))
        .ok()
}

fn french_legal_table(
    header: &Header,
    rows: &[Row],
    problems: &mut Vec<RateTableProblem>,
) -> Option<RateTable> {
    let mut entries = Vec::with_capacity(rows.len());
    let mut seen: Vec<((HalfYear, LegalRateCategory), u64)> = Vec::new();
    for row in rows {
        let half_year = keep(half_year_at(header, row, 0), problems);
        let category = keep(
            LegalRateCategory::parse(&row.values[1])
                .ok_or_else(|| problem(header, row, 1, RateTableProblemKind::UnknownCategory)),
            problems,
        );
        let rate = keep(rate_at(header, row, 2), problems);
        let (Some(half_year), Some(category), Some(rate)) = (half_year, category, rate) else {
            continue;
        };
        if let Some((_, first_line)) = seen.iter().find(|(key, _)| *key == (half_year, category)) {
            problems.push(problem(
                header,
                row,
                0,
                RateTableProblemKind::Duplicate {
                    first_line: *first_line,
                },
            ));
        }
        seen.push(((half_year, category), row.line));
        entries.push(LegalRate {
            half_year,
            category,
            rate,
            source: row.values[3].clone(),
        });
    }
    if !problems.is_empty() {
        return None;
    }
    FrenchLegalRates::new(entries)
        .map(RateTable::FrenchLegalInterest)
        .map_err(|error| problems.push(table_problem(header, rows, &error)))
        .ok()
}

fn german_base_table(
    header: &Header,
    rows: &[Row],
    problems: &mut Vec<RateTableProblem>,
) -> Option<RateTable> {
    let mut entries = Vec::with_capacity(rows.len());
    let mut seen: Vec<(HalfYear, u64)> = Vec::new();
    for row in rows {
        let half_year = keep(half_year_at(header, row, 0), problems);
        let rate = keep(rate_at(header, row, 1), problems);
        let (Some(half_year), Some(rate)) = (half_year, rate) else {
            continue;
        };
        if let Some((_, first_line)) = seen.iter().find(|(seen, _)| *seen == half_year) {
            problems.push(problem(
                header,
                row,
                0,
                RateTableProblemKind::Duplicate {
                    first_line: *first_line,
                },
            ));
        }
        seen.push((half_year, row.line));
        entries.push(GermanBaseRate {
            half_year,
            rate,
            source: row.values[2].clone(),
        });
    }
    if !problems.is_empty() {
        return None;
    }
    GermanBaseRates::new(entries)
        .map(RateTable::GermanBase)
        .map_err(|error| problems.push(table_problem(header, rows, &error)))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_kind_has_a_description_in_both_languages() {
        let kinds = [
            RateTableProblemKind::EmptyFile,
            RateTableProblemKind::ReadFailed {
                message: "disk".into(),
            },
            RateTableProblemKind::UnknownTable,
            RateTableProblemKind::WrongTable {
                expected: RateTableKind::GermanBase,
                found: RateTableKind::EcbMainRefinancing,
            },
            RateTableProblemKind::MissingColumns {
                columns: vec![SOURCE],
            },
            RateTableProblemKind::DuplicateColumn,
            RateTableProblemKind::WrongFieldCount {
                expected: 3,
                found: 2,
            },
            RateTableProblemKind::InvalidText,
            RateTableProblemKind::EmptyRequired,
            RateTableProblemKind::InvalidDate,
            RateTableProblemKind::NotAHalfYearStart,
            RateTableProblemKind::InvalidRate,
            RateTableProblemKind::UnknownCategory,
            RateTableProblemKind::OutOfOrder { previous_line: 2 },
            RateTableProblemKind::Duplicate { first_line: 2 },
            RateTableProblemKind::NoRows,
        ];
        for kind in kinds {
            let problem = RateTableProblem::new(3, kind)
                .in_column("x")
                .with_value("v");
            let french = problem.describe(Language::French);
            let english = problem.describe(Language::English);
            assert!(french.starts_with("ligne 3, colonne « x » : "), "{french}");
            assert!(english.starts_with("line 3, column \"x\": "), "{english}");
            assert_ne!(french, english);
        }
    }

    #[test]
    fn every_builtin_table_reads() {
        for kind in RateTableKind::ALL {
            let table = read_rate_table(builtin_csv(kind).as_bytes()).unwrap();
            assert_eq!(table.kind(), kind);
        }
    }
}
