//! A streaming reader of customer-invoice CSV exports, one `InvoiceRow` or `Problem` per row.
//!
//! Built for files of millions of rows: one `ByteRecord` is reused, fields are decoded to
//! borrowed text when they are valid UTF-8, and only the strings that end up in domain values
//! are allocated.
//!
//! What it accepts, and the choices made:
//! - Delimiter: comma, semicolon or tab, the most frequent of the three outside quotes in the
//!   header line (ties: semicolon, then tab, then comma). Quoted fields may hold delimiters and
//!   line breaks.
//! - Encoding: UTF-8 with or without BOM, or Windows-1252, detected field by field (see the
//!   `text` module), or fixed by `InvoiceCsvOptions::encoding`.
//! - Header: English or French names, matched after lower-casing, removing accents and turning
//!   spaces and hyphens into underscores (`Numéro facture` is `numero_facture`). Unknown columns
//!   are ignored; a missing required column or a column given twice is a problem on the header.
//! - Rows: blank rows are skipped; a row with another field count than the header is a problem;
//!   values are trimmed and an empty optional value is absent. Amounts follow `parse_amount`
//!   (decimal comma or point, thousands separators, `€` or ISO code), dates `parse_date` (ISO,
//!   `YYYYMMDD`, or day first). Zero and negative amounts are refused: credit notes do not come
//!   from an invoice file. `outstanding` defaults to the amount and must lie between zero and it.
//! - Line numbers are physical lines of the file (header = 1), also after quoted multi-line
//!   values, blank lines and CRLF or bare-CR line endings.
//!
//! A large file can be read in two halves on two threads: `continuation_start` finds where the
//! second half may start, `InvoiceCsvReader::continuation` reads it with the first half's header
//! (counting its lines from 1), and the first half's reader then says whether the cut fell
//! between two records (`ended_between_records`), which line the second half starts on
//! (`next_line`) and whether both halves decoded text as one reader would have (`decodes_like`).

use std::borrow::Cow;
use std::io::Read;

use domain::customer::{
    CustomerDetails, CustomerError, CustomerKind, CustomerRef, EmailAddress, PhoneNumber,
};
use domain::identifiers::CountryCode;
use domain::money::{Currency, Money};
use domain::receivable::{InvoiceDates, InvoiceDetails, InvoiceError, InvoiceNumber};
use jiff::civil::Date;

use crate::input::{LineEndings, is_blank, most_frequent_delimiter, record_start_line};
use crate::problem::{ColumnName, Problem, ProblemKind};
pub use crate::text::TextEncoding;
use crate::text::{Decoder, parse_amount, parse_date, trim};

/// One invoice row: the customer it is addressed to and the invoice itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRow {
    /// Physical line of the row in the file (the header is line 1).
    pub line: u64,
    pub customer: CustomerDetails,
    pub invoice: InvoiceDetails,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoiceCsvOptions {
    /// Currency of rows without a currency column or value.
    pub default_currency: Currency,
    /// Country of customers without a country column or value.
    pub default_country: CountryCode,
    /// `None` detects UTF-8 or Windows-1252.
    pub encoding: Option<TextEncoding>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    CustomerRef,
    CustomerName,
    InvoiceNumber,
    IssueDate,
    DueDate,
    Amount,
    Outstanding,
    Currency,
    Email,
    Phone,
    CustomerKind,
    Country,
    ServiceDate,
}

const FIELD_COUNT: usize = 13;

struct FieldSpec {
    field: Field,
    names: ColumnName,
    /// Further normalised names accepted for the column.
    aliases: &'static [&'static str],
    required: bool,
}

const fn spec(
    field: Field,
    english: &'static str,
    french: &'static str,
    aliases: &'static [&'static str],
    required: bool,
) -> FieldSpec {
    FieldSpec {
        field,
        names: ColumnName { english, french },
        aliases,
        required,
    }
}

/// The columns the reader knows, required ones first.
const FIELDS: [FieldSpec; FIELD_COUNT] = [
    spec(Field::CustomerRef, "customer_ref", "code_client", &[], true),
    spec(
        Field::CustomerName,
        "customer_name",
        "raison_sociale",
        &[],
        true,
    ),
    spec(
        Field::InvoiceNumber,
        "invoice_number",
        "numero_facture",
        &[],
        true,
    ),
    spec(Field::IssueDate, "issue_date", "date_facture", &[], true),
    spec(Field::DueDate, "due_date", "date_echeance", &[], true),
    spec(Field::Amount, "amount", "montant_ttc", &[], true),
    spec(Field::Outstanding, "outstanding", "reste_du", &[], false),
    spec(Field::Currency, "currency", "devise", &[], false),
    spec(Field::Email, "email", "courriel", &["e_mail"], false),
    spec(Field::Phone, "phone", "telephone", &[], false),
    spec(
        Field::CustomerKind,
        "customer_kind",
        "type_client",
        &[],
        false,
    ),
    spec(Field::Country, "country", "pays", &[], false),
    spec(
        Field::ServiceDate,
        "service_date",
        "date_prestation",
        &[],
        false,
    ),
];

/// Reads invoice rows one by one; see the module documentation for the accepted format.
pub struct InvoiceCsvReader<R: Read> {
    csv: csv::Reader<LineEndings<R>>,
    record: csv::ByteRecord,
    /// Position of each field's column in the file.
    columns: [Option<usize>; FIELD_COUNT],
    /// The field of each column of the file, `None` for ignored columns.
    field_of_column: Vec<Option<Field>>,
    /// Header names as written (trimmed), for problems.
    headers: Vec<String>,
    decoder: Decoder,
    options: InvoiceCsvOptions,
    canonical: String,
    /// The last currency code read and its currency, so a currency column costs no lookup.
    last_currency: Option<(String, Currency)>,
    /// The parser's line count after the previous record.
    line_after: u64,
    done: bool,
    delimiter: u8,
    /// Whether a used field held non-ASCII bytes: the encoding detection may then have moved.
    decoded_non_ascii: bool,
    /// Whether the last record read ended with a line feed inside a value: at the end of the
    /// input, the sign that the input was cut inside a quoted value.
    ended_in_value: bool,
}

/// The bytes that start a UTF-8 byte order mark, which a reader drops at the start of its input.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where, in `window` (bytes from the middle of a file up to a little further), a second reader
/// may start: just after a line feed, and not where a reader would take the next bytes for a
/// byte order mark. The cut may still fall inside a quoted value; the first half's reader tells
/// (`ended_between_records`).
pub fn continuation_start(window: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'\n', window)
        .map(|position| position + 1)
        .find(|&start| {
            let rest = &window[start..];
            rest.len() >= BOM.len() && !rest.starts_with(BOM)
        })
}

impl<R: Read> InvoiceCsvReader<R> {
    /// Reads and checks the header; a missing or repeated column is a problem on the header line.
    pub fn new(reader: R, options: InvoiceCsvOptions) -> Result<Self, Problem> {
        let mut input = LineEndings::new(reader);
        let first_line = input.first_line().map_err(|error| read_failed(1, &error))?;
        let delimiter = most_frequent_delimiter(first_line, b";\t,", true).unwrap_or(b',');
        let had_bom = input.had_bom();
        let mut csv = csv_reader(delimiter, input);
        let mut decoder = Decoder::new(options.encoding, had_bom);
        let mut record = csv::ByteRecord::new();
        let line = loop {
            match csv.read_byte_record(&mut record) {
                Ok(true) if is_blank(record.as_slice()) => continue,
                Ok(true) => break record_start_line(csv.position().line(), &record),
                Ok(false) => return Err(Problem::new(1, ProblemKind::EmptyFile)),
                Err(error) => return Err(read_failed(1, &error)),
            }
        };
        let (columns, headers) = read_header(&record, line, &mut decoder)?;
        let line_after = csv.position().line();
        let mut field_of_column = vec![None; headers.len()];
        for spec in &FIELDS {
            if let Some(index) = columns[spec.field as usize] {
                field_of_column[index] = Some(spec.field);
            }
        }
        Ok(InvoiceCsvReader {
            csv,
            record,
            columns,
            field_of_column,
            headers,
            decoder,
            options,
            canonical: String::new(),
            last_currency: None,
            line_after,
            done: false,
            delimiter,
            decoded_non_ascii: false,
            ended_in_value: false,
        })
    }

    /// A reader of the rest of the same file, from a point where `continuation_start` allows it,
    /// with this reader's header and the encoding it had detected from it. Its line numbers count
    /// from 1 at that point: add `next_line() - 1` of the reader of the first half. Build it
    /// before this reader reads any row.
    pub fn continuation<S: Read>(&self, rest: S) -> InvoiceCsvReader<S> {
        InvoiceCsvReader {
            csv: csv_reader(self.delimiter, LineEndings::new(rest)),
            record: csv::ByteRecord::new(),
            columns: self.columns,
            field_of_column: self.field_of_column.clone(),
            headers: self.headers.clone(),
            decoder: self.decoder.clone(),
            options: self.options,
            canonical: String::new(),
            last_currency: None,
            line_after: 1,
            done: false,
            delimiter: self.delimiter,
            decoded_non_ascii: false,
            ended_in_value: false,
        }
    }

    /// The line the next record would start on; after the last one, one past the end.
    pub fn next_line(&self) -> u64 {
        self.csv.position().line()
    }

    /// At the end of the input: whether it ended between two records, not inside a quoted
    /// value (a value ending with a line break is taken for the latter).
    pub fn ended_between_records(&self) -> bool {
        !self.ended_in_value
    }

    /// Whether `rest`, a continuation of this reader read to its end, decoded its text exactly
    /// as this reader would have, going on: it did unless both halves held non-ASCII text and
    /// their detections settled on different encodings.
    pub fn decodes_like<S: Read>(&self, rest: &InvoiceCsvReader<S>) -> bool {
        !self.decoded_non_ascii || !rest.decoded_non_ascii || self.encoding() == rest.encoding()
    }

    /// The encoding of the whole file, read as this reader then its continuation `rest`.
    pub fn encoding_with<S: Read>(&self, rest: &InvoiceCsvReader<S>) -> TextEncoding {
        if rest.decoded_non_ascii {
            rest.encoding()
        } else {
            self.encoding()
        }
    }

    /// The encoding as detected so far (UTF-8 until a value proves otherwise).
    pub fn encoding(&self) -> TextEncoding {
        self.decoder.encoding()
    }

    /// Bytes taken from the underlying reader so far, for progress reporting.
    pub fn bytes_read(&self) -> u64 {
        self.csv.get_ref().bytes_read()
    }

    fn read_row(&mut self, line: u64) -> Result<InvoiceRow, Problem> {
        let mut row = Row {
            values: Default::default(),
            headers: &self.headers,
            columns: &self.columns,
            line,
        };
        row.decode(
            &self.record,
            &self.field_of_column,
            &mut self.decoder,
            &mut self.decoded_non_ascii,
        )?;

        let reference_text = row.required(Field::CustomerRef)?;
        let reference = CustomerRef::parse(&reference_text).map_err(|error| {
            let kind = match error {
                CustomerError::ReferenceTooLong { max, .. } => ProblemKind::TooLong { max },
                _ => ProblemKind::EmptyRequired,
            };
            row.problem(Field::CustomerRef, kind, &reference_text)
        })?;
        let legal_name = row.required(Field::CustomerName)?.into_owned();
        let number_text = row.required(Field::InvoiceNumber)?;
        let number = InvoiceNumber::parse(&number_text).map_err(|error| {
            row.problem(Field::InvoiceNumber, invoice_problem(&error), &number_text)
        })?;

        let issue_text = row.required(Field::IssueDate)?;
        let issued_on = row.date(Field::IssueDate, &issue_text)?;
        let due_text = row.required(Field::DueDate)?;
        let due_on = row.date(Field::DueDate, &due_text)?;
        if due_on < issued_on {
            return Err(row.problem(
                Field::DueDate,
                ProblemKind::DueBeforeIssue { issued_on },
                &due_text,
            ));
        }
        let service_on = match row.optional(Field::ServiceDate) {
            Some(text) => Some(row.date(Field::ServiceDate, &text)?),
            None => None,
        };

        let currency = match row.optional(Field::Currency) {
            None => self.options.default_currency,
            Some(code) => match &self.last_currency {
                Some((last, currency)) if last.eq_ignore_ascii_case(&code) => *currency,
                _ => {
                    let currency = Currency::from_code(&code).map_err(|_| {
                        row.problem(Field::Currency, ProblemKind::UnknownCurrency, &code)
                    })?;
                    self.last_currency = Some((code.into_owned(), currency));
                    currency
                }
            },
        };
        let amount_text = row.required(Field::Amount)?;
        let amount = row.amount(Field::Amount, &amount_text, currency, &mut self.canonical)?;
        if amount.is_negative() {
            return Err(row.problem(Field::Amount, ProblemKind::NegativeAmount, &amount_text));
        }
        if amount.is_zero() {
            return Err(row.problem(Field::Amount, ProblemKind::ZeroAmount, &amount_text));
        }
        let outstanding_text = row.optional(Field::Outstanding);
        let outstanding = match &outstanding_text {
            Some(text) => row.amount(Field::Outstanding, text, currency, &mut self.canonical)?,
            None => amount,
        };

        let kind = match row.optional(Field::CustomerKind) {
            None => CustomerKind::Business,
            Some(text) if text.eq_ignore_ascii_case("b2b") => CustomerKind::Business,
            Some(text) if text.eq_ignore_ascii_case("b2c") => CustomerKind::Consumer,
            Some(text) => CustomerKind::parse(&text)
                .map_err(|_| row.problem(Field::CustomerKind, ProblemKind::InvalidKind, &text))?,
        };
        let country = match row.optional(Field::Country) {
            None => self.options.default_country,
            Some(text) => CountryCode::parse(&text)
                .map_err(|_| row.problem(Field::Country, ProblemKind::InvalidCountry, &text))?,
        };
        let email = match row.optional(Field::Email) {
            None => None,
            Some(text) => Some(
                EmailAddress::parse(&text)
                    .map_err(|_| row.problem(Field::Email, ProblemKind::InvalidEmail, &text))?,
            ),
        };
        let phone = match row.optional(Field::Phone) {
            None => None,
            Some(text) => Some(
                PhoneNumber::parse(&text)
                    .map_err(|_| row.problem(Field::Phone, ProblemKind::InvalidPhone, &text))?,
            ),
        };

        let dates = InvoiceDates {
            issued_on,
            due_on,
            service_on,
        };
        let invoice = InvoiceDetails::new(number, reference.clone(), dates, amount, outstanding)
            .map_err(|error| {
                let (field, text) = match &error {
                    InvoiceError::OutstandingNegative { .. }
                    | InvoiceError::OutstandingAboveAmount { .. }
                    | InvoiceError::CurrencyMismatch { .. } => (
                        Field::Outstanding,
                        outstanding_text.as_deref().unwrap_or(&amount_text),
                    ),
                    InvoiceError::DueBeforeIssue { .. } => (Field::DueDate, &*due_text),
                    InvoiceError::AmountNotPositive { .. } => (Field::Amount, &*amount_text),
                    InvoiceError::EmptyNumber | InvoiceError::NumberTooLong { .. } => {
                        (Field::InvoiceNumber, &*number_text)
                    }
                };
                row.problem(field, invoice_problem(&error), text)
            })?;
        let customer = CustomerDetails {
            reference,
            legal_name,
            kind,
            country,
            email,
            phone,
        };
        Ok(InvoiceRow {
            line,
            customer,
            invoice,
        })
    }
}

impl<R: Read> Iterator for InvoiceCsvReader<R> {
    type Item = Result<InvoiceRow, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.csv.read_byte_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => self.done = true,
                Err(error) => {
                    self.done = true;
                    return Some(Err(read_failed(self.csv.position().line(), &error)));
                }
            }
            if self.done {
                continue;
            }
            self.ended_in_value = self.record.as_slice().last() == Some(&b'\n');
            if is_blank(self.record.as_slice()) {
                self.line_after = self.csv.position().line();
                continue;
            }
            let line_after = self.csv.position().line();
            // A record that took one line starts on the line before; only records that span
            // several lines (blank lines before, or line breaks inside quotes) need counting.
            let line = if line_after == self.line_after + 1 {
                self.line_after
            } else {
                record_start_line(line_after, &self.record)
            };
            self.line_after = line_after;
            if self.record.len() != self.headers.len() {
                let kind = ProblemKind::WrongFieldCount {
                    expected: self.headers.len(),
                    found: self.record.len(),
                };
                return Some(Err(Problem::new(line, kind)));
            }
            return Some(self.read_row(line));
        }
        None
    }
}

/// The decoded, trimmed values of the row being read, with what is needed to locate problems.
struct Row<'a> {
    /// By `Field as usize`; `None` when the column is absent or the value empty.
    values: [Option<Cow<'a, str>>; FIELD_COUNT],
    headers: &'a [String],
    columns: &'a [Option<usize>; FIELD_COUNT],
    line: u64,
}

impl<'a> Row<'a> {
    /// Decodes the used fields of `record`. A record that is valid UTF-8 as a whole (the usual
    /// case) is validated once and its fields are sliced out of it without copying.
    fn decode(
        &mut self,
        record: &'a csv::ByteRecord,
        field_of_column: &[Option<Field>],
        decoder: &mut Decoder,
        decoded_non_ascii: &mut bool,
    ) -> Result<(), Problem> {
        let whole = if decoder.reads_utf8() {
            std::str::from_utf8(record.as_slice()).ok()
        } else {
            None
        };
        // Once non-ASCII text was decoded nothing more is to be learnt; until then one look at
        // the whole record spares looking at its fields.
        let look = !*decoded_non_ascii && !record.as_slice().is_ascii();
        for (index, field) in field_of_column.iter().enumerate() {
            let Some(field) = field else { continue };
            let Some(range) = record.range(index) else {
                continue;
            };
            if look && !record.as_slice()[range.clone()].is_ascii() {
                *decoded_non_ascii = true;
            }
            let text = match whole.and_then(|whole| whole.get(range.clone())) {
                Some(text) => {
                    decoder.saw_utf8(text);
                    Cow::Borrowed(trim(text))
                }
                // Cut inside a character, or Windows-1252 text: decoded on its own.
                None => {
                    let bytes = &record.as_slice()[range];
                    match decoder.decode(bytes) {
                        Ok(Cow::Borrowed(text)) => Cow::Borrowed(trim(text)),
                        Ok(Cow::Owned(text)) => Cow::Owned(trim(&text).to_owned()),
                        Err(kind) => {
                            let problem = Problem::new(self.line, kind)
                                .with_value(&String::from_utf8_lossy(bytes));
                            return Err(match self.headers.get(index) {
                                Some(header) => problem.in_column(header),
                                None => problem,
                            });
                        }
                    }
                }
            };
            if !text.is_empty() {
                self.values[*field as usize] = Some(text);
            }
        }
        Ok(())
    }

    #[cold]
    fn problem(&self, field: Field, kind: ProblemKind, value: &str) -> Problem {
        let problem = Problem::new(self.line, kind).with_value(value);
        match self.columns[field as usize].and_then(|index| self.headers.get(index)) {
            Some(header) => problem.in_column(header),
            None => problem,
        }
    }

    /// The trimmed value, `None` when the column is absent or the value empty.
    fn optional(&mut self, field: Field) -> Option<Cow<'a, str>> {
        self.values[field as usize].take()
    }

    fn required(&mut self, field: Field) -> Result<Cow<'a, str>, Problem> {
        self.optional(field)
            .ok_or_else(|| self.problem(field, ProblemKind::EmptyRequired, ""))
    }

    fn date(&self, field: Field, text: &str) -> Result<Date, Problem> {
        parse_date(text).ok_or_else(|| self.problem(field, ProblemKind::InvalidDate, text))
    }

    fn amount(
        &self,
        field: Field,
        text: &str,
        currency: Currency,
        canonical: &mut String,
    ) -> Result<Money, Problem> {
        let amount = parse_amount(text, currency, canonical)
            .map_err(|reason| self.problem(field, ProblemKind::InvalidAmount(reason), text))?;
        if field == Field::Outstanding && amount.is_negative() {
            return Err(self.problem(field, ProblemKind::NegativeOutstanding, text));
        }
        Ok(amount)
    }
}

fn csv_reader<R: Read>(delimiter: u8, input: LineEndings<R>) -> csv::Reader<LineEndings<R>> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(64 * 1024)
        .from_reader(input)
}

pub(crate) fn invoice_problem(error: &InvoiceError) -> ProblemKind {
    match error {
        InvoiceError::EmptyNumber => ProblemKind::EmptyRequired,
        InvoiceError::NumberTooLong { max, .. } => ProblemKind::TooLong { max: *max },
        InvoiceError::AmountNotPositive { .. } => ProblemKind::ZeroAmount,
        InvoiceError::OutstandingNegative { .. } => ProblemKind::NegativeOutstanding,
        InvoiceError::OutstandingAboveAmount { amount, .. } => {
            ProblemKind::OutstandingAboveAmount { amount: *amount }
        }
        InvoiceError::CurrencyMismatch { .. } => ProblemKind::UnknownCurrency,
        InvoiceError::DueBeforeIssue { issued_on, .. } => ProblemKind::DueBeforeIssue {
            issued_on: *issued_on,
        },
    }
}

pub(crate) fn read_failed(line: u64, error: &dyn std::fmt::Display) -> Problem {
    Problem::new(
        line,
        ProblemKind::ReadFailed {
            message: error.to_string(),
        },
    )
}

type Header = ([Option<usize>; FIELD_COUNT], Vec<String>);

/// Maps the header's columns to fields; refuses repeated and missing required columns.
fn read_header(
    record: &csv::ByteRecord,
    line: u64,
    decoder: &mut Decoder,
) -> Result<Header, Problem> {
    let mut columns = [None; FIELD_COUNT];
    let mut headers = Vec::with_capacity(record.len());
    for (index, bytes) in record.iter().enumerate() {
        let name = decoder
            .decode(bytes)
            .map_err(|kind| Problem::new(line, kind).with_value(&String::from_utf8_lossy(bytes)))?;
        let name = name.trim();
        let normalised = normalise_header(name);
        let field = FIELDS.iter().find(|spec| {
            normalised == spec.names.english
                || normalised == spec.names.french
                || spec.aliases.contains(&normalised.as_str())
        });
        if let Some(spec) = field {
            let slot = &mut columns[spec.field as usize];
            if let Some(first) = *slot {
                let first: &String = &headers[first];
                let kind = ProblemKind::DuplicateColumn {
                    first: first.clone(),
                };
                return Err(Problem::new(line, kind).in_column(name));
            }
            *slot = Some(index);
        }
        headers.push(name.to_owned());
    }
    let missing: Vec<ColumnName> = FIELDS
        .iter()
        .filter(|spec| spec.required && columns[spec.field as usize].is_none())
        .map(|spec| spec.names)
        .collect();
    if !missing.is_empty() {
        return Err(Problem::new(
            line,
            ProblemKind::MissingColumns { columns: missing },
        ));
    }
    Ok((columns, headers))
}

/// Lower case, accents removed, runs of spaces, hyphens and underscores as one underscore.
fn normalise_header(name: &str) -> String {
    let mut normalised = String::with_capacity(name.len());
    let mut separator = false;
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_whitespace() || c == '-' || c == '_' {
            separator = !normalised.is_empty();
            continue;
        }
        if separator {
            normalised.push('_');
            separator = false;
        }
        normalised.push(match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            other => other,
        });
    }
    normalised
}

#[cfg(test)]
mod tests {
    use domain::customer::Language;
    use jiff::civil::date;

    use super::*;
    use crate::problem::AmountError;

    fn options() -> InvoiceCsvOptions {
        InvoiceCsvOptions {
            default_currency: Currency::EUR,
            default_country: CountryCode::FRANCE,
            encoding: None,
        }
    }

    fn read_with(input: &[u8], options: InvoiceCsvOptions) -> Vec<Result<InvoiceRow, Problem>> {
        match InvoiceCsvReader::new(input, options) {
            Ok(reader) => reader.collect(),
            Err(problem) => panic!("header refused: {problem}"),
        }
    }

    fn read(input: &str) -> Vec<Result<InvoiceRow, Problem>> {
        read_with(input.as_bytes(), options())
    }

    fn rows(input: &str) -> Vec<InvoiceRow> {
        read(input)
            .into_iter()
            .map(|row| row.unwrap_or_else(|problem| panic!("{problem}")))
            .collect()
    }

    fn problems(input: &str) -> Vec<Problem> {
        read(input).into_iter().filter_map(Result::err).collect()
    }

    fn header_problem(input: &[u8]) -> Problem {
        match InvoiceCsvReader::new(input, options()) {
            Ok(_) => panic!("header accepted"),
            Err(problem) => problem,
        }
    }

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    const ENGLISH: &str = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount";
    const FRENCH: &str =
        "code_client;raison_sociale;numero_facture;date_facture;date_echeance;montant_ttc";

    #[test]
    fn comma_files_with_english_headers_are_read() {
        let input = format!(
            "{ENGLISH},outstanding,currency,email,phone,customer_kind,country,service_date\n\
             C001,Boulangerie Martin,F-2025-001,2025-01-15,2025-02-14,1234.56,234.56,EUR,compta@martin.fr,01 23 45 67 89,b2c,BE,2025-01-10\n"
        );
        let rows = rows(&input);
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.line, 2);
        assert_eq!(row.customer.reference.as_str(), "C001");
        assert_eq!(row.customer.legal_name, "Boulangerie Martin");
        assert_eq!(row.customer.kind, CustomerKind::Consumer);
        assert_eq!(row.customer.country.as_str(), "BE");
        assert_eq!(
            row.customer.email.as_ref().map(EmailAddress::as_str),
            Some("compta@martin.fr")
        );
        assert_eq!(
            row.customer.phone.as_ref().map(PhoneNumber::as_str),
            Some("01 23 45 67 89")
        );
        assert_eq!(row.invoice.number().as_str(), "F-2025-001");
        assert_eq!(row.invoice.customer().as_str(), "C001");
        assert_eq!(row.invoice.issued_on(), date(2025, 1, 15));
        assert_eq!(row.invoice.due_on(), date(2025, 2, 14));
        assert_eq!(row.invoice.service_on(), Some(date(2025, 1, 10)));
        assert_eq!(row.invoice.amount(), eur(123_456));
        assert_eq!(row.invoice.outstanding(), eur(23_456));
    }

    #[test]
    fn semicolon_files_with_decimal_commas_are_read() {
        let input = format!(
            "{FRENCH};reste_du\nC1;Dupont SARL;F1;15/01/2025;14/02/2025;1 234,56;1.000,00\n"
        );
        let rows = rows(&input);
        assert_eq!(rows[0].invoice.amount(), eur(123_456));
        assert_eq!(rows[0].invoice.outstanding(), eur(100_000));
        assert_eq!(rows[0].invoice.issued_on(), date(2025, 1, 15));
    }

    #[test]
    fn tab_files_are_read() {
        let input = "customer_ref\tcustomer_name\tinvoice_number\tissue_date\tdue_date\tamount\n\
                     C1\tDupont, fils & Cie\tF1\t20250115\t20250214\t12.50\n";
        let rows = rows(input);
        assert_eq!(rows[0].customer.legal_name, "Dupont, fils & Cie");
        assert_eq!(rows[0].invoice.amount(), eur(1250));
    }

    #[test]
    fn the_delimiter_is_the_most_frequent_outside_quotes() {
        let input = "\"customer_ref,a\";customer_name;invoice_number;issue_date;due_date;amount;\"x,y,z,w,v,u\"\n\
                     C1;Dupont;F1;2025-01-15;2025-02-14;12,50;\n";
        let problem = header_problem(input.as_bytes());
        assert_eq!(
            problem.kind,
            ProblemKind::MissingColumns {
                columns: vec![ColumnName {
                    english: "customer_ref",
                    french: "code_client"
                }]
            }
        );
        let input = "customer_ref;customer_name;invoice_number;issue_date;due_date;amount;\"x,y,z,w,v,u\"\n\
                     C1;Dupont;F1;2025-01-15;2025-02-14;12,50;\n";
        assert_eq!(rows(input)[0].invoice.amount(), eur(1250));
    }

    #[test]
    fn quoted_fields_may_hold_delimiters_and_line_breaks_and_lines_stay_physical() {
        let input = format!(
            "{FRENCH}\n\
             C1;\"Dupont; fils\net associés\";F1;15/01/2025;14/02/2025;10\n\
             C2;\"Durand \"\"SA\"\"\";F2;15/01/2025;14/02/2025;20\n\
             C3;Martin;F3;15/01/2025;14/02/2025;x\n"
        );
        let results = read(&input);
        let first = results[0]
            .as_ref()
            .map(|row| (row.line, row.customer.legal_name.clone()));
        assert_eq!(first, Ok((2, "Dupont; fils\net associés".to_owned())));
        let second = results[1]
            .as_ref()
            .map(|row| (row.line, row.customer.legal_name.clone()));
        assert_eq!(second, Ok((4, "Durand \"SA\"".to_owned())));
        let third = results[2].as_ref().map(|row| row.line);
        assert_eq!(third.map_err(|problem| problem.line), Err(5));
    }

    #[test]
    fn crlf_and_bare_cr_files_report_physical_lines() {
        for newline in ["\r\n", "\r", "\n"] {
            let input = [
                ENGLISH,
                "C1,A,F1,2025-01-15,2025-02-14,10",
                "",
                "C2,B,F2,2025-01-15,2025-02-14,oops",
            ]
            .join(newline);
            let results = read(&input);
            assert_eq!(results.len(), 2, "{newline:?}");
            assert_eq!(
                results[0].as_ref().map(|row| row.line).ok(),
                Some(2),
                "{newline:?}"
            );
            assert_eq!(
                results[1].as_ref().err().map(|problem| problem.line),
                Some(4),
                "{newline:?}"
            );
        }
    }

    #[test]
    fn blank_lines_are_skipped_and_do_not_shift_line_numbers() {
        let input = format!("{FRENCH}\n\n;;;;;\n  ; ;;;;\nC1;A;F1;15/01/2025;14/02/2025;10\n\n");
        let rows = rows(&input);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 5);
    }

    #[test]
    fn a_bom_does_not_end_up_in_the_first_header() {
        let input = format!("\u{feff}{FRENCH}\nC1;A;F1;15/01/2025;14/02/2025;10\n");
        let rows = rows(&input);
        assert_eq!(rows[0].customer.reference.as_str(), "C1");
    }

    #[test]
    fn windows_1252_files_are_detected() {
        let mut input = b"Code client;Raison sociale;Num\xe9ro facture;Date facture;Date \xe9ch\xe9ance;Montant TTC\n".to_vec();
        input.extend_from_slice(b"C1;Soci\xe9t\xe9 G\xe9n\xe9rale;F1;15/01/2025;14/02/2025;10\n");
        let mut reader = match InvoiceCsvReader::new(&input[..], options()) {
            Ok(reader) => reader,
            Err(problem) => panic!("{problem}"),
        };
        assert_eq!(reader.encoding(), TextEncoding::Windows1252);
        let row = reader
            .next()
            .and_then(Result::ok)
            .map(|row| row.customer.legal_name);
        assert_eq!(row.as_deref(), Some("Société Générale"));
    }

    #[test]
    fn ascii_lines_before_the_first_windows_1252_value_read_the_same() {
        let mut input = format!("{FRENCH}\nC1;Durand;F1;15/01/2025;14/02/2025;10\n").into_bytes();
        input.extend_from_slice(b"C2;Fran\xe7ois;F2;15/01/2025;14/02/2025;10\n");
        let results = read_with(&input, options());
        let names: Vec<String> = results
            .into_iter()
            .filter_map(Result::ok)
            .map(|row| row.customer.legal_name)
            .collect();
        assert_eq!(names, ["Durand", "François"]);
    }

    #[test]
    fn a_non_utf8_value_after_utf8_text_is_a_mixed_encoding_problem() {
        let mut input = format!("{FRENCH}\nC1;Société;F1;15/01/2025;14/02/2025;10\n").into_bytes();
        input.extend_from_slice(b"C2;Fran\xe7ois;F2;15/01/2025;14/02/2025;10\n");
        let results = read_with(&input, options());
        assert!(results[0].is_ok());
        let problem = results[1].as_ref().err();
        assert_eq!(
            problem.map(|p| (p.line, p.kind.clone())),
            Some((3, ProblemKind::MixedEncoding))
        );
        assert_eq!(
            problem.and_then(|p| p.column.as_deref()),
            Some("raison_sociale")
        );
    }

    #[test]
    fn a_declared_encoding_skips_detection() {
        let input = format!("{FRENCH}\nC1;Société;F1;15/01/2025;14/02/2025;10\n");
        let windows = InvoiceCsvOptions {
            encoding: Some(TextEncoding::Windows1252),
            ..options()
        };
        let results = read_with(input.as_bytes(), windows);
        let name = results[0]
            .as_ref()
            .map(|row| row.customer.legal_name.as_str());
        assert_eq!(name, Ok("SociÃ©tÃ©"));

        let mut latin = format!("{FRENCH}\n").into_bytes();
        latin.extend_from_slice(b"C1;Fran\xe7ois;F1;15/01/2025;14/02/2025;10\n");
        let utf8 = InvoiceCsvOptions {
            encoding: Some(TextEncoding::Utf8),
            ..options()
        };
        let results = read_with(&latin, utf8);
        assert_eq!(
            results[0].as_ref().err().map(|p| p.kind.clone()),
            Some(ProblemKind::InvalidUtf8)
        );
    }

    #[test]
    fn accented_spaced_and_cased_header_names_are_recognised() {
        let input = "  Code Client ;RAISON SOCIALE;Numéro facture;Date-Facture;date_échéance;Montant  TTC;Reste dû;Type client\n\
                     C1;A;F1;15/01/2025;14/02/2025;10;4;particulier\n";
        let rows = rows(input);
        assert_eq!(rows[0].invoice.outstanding(), eur(400));
        assert_eq!(rows[0].customer.kind, CustomerKind::Consumer);
    }

    #[test]
    fn unknown_columns_are_ignored() {
        // The undecodable byte in an ignored column does not count for encoding detection.
        let mut input = format!(
            "commentaire;{FRENCH};autre\n\"n'importe quoi\";C1;A;F1;15/01/2025;14/02/2025;10;"
        )
        .into_bytes();
        input.extend_from_slice(b"\xFF\n");
        let results = read_with(&input, options());
        assert_eq!(
            results[0].as_ref().map(|row| row.invoice.amount()),
            Ok(eur(1000))
        );
    }

    #[test]
    fn a_missing_required_column_is_a_problem_on_line_1_naming_both_names() {
        let problem = header_problem(b"code_client;raison_sociale;numero_facture;date_facture;Date d'\xc3\xa9ch\xc3\xa9ance;montant_ttc\n");
        assert_eq!(problem.line, 1);
        assert_eq!(
            problem.kind,
            ProblemKind::MissingColumns {
                columns: vec![ColumnName {
                    english: "due_date",
                    french: "date_echeance"
                }]
            }
        );
        assert_eq!(
            problem.describe(Language::French),
            "ligne 1 : la colonne obligatoire « due_date » (ou « date_echeance ») est absente"
        );
    }

    #[test]
    fn a_column_given_twice_is_a_problem_on_line_1() {
        let problem = header_problem(format!("{FRENCH};Amount\n").as_bytes());
        assert_eq!(problem.line, 1);
        assert_eq!(problem.column.as_deref(), Some("Amount"));
        assert_eq!(
            problem.kind,
            ProblemKind::DuplicateColumn {
                first: "montant_ttc".to_owned()
            }
        );
    }

    #[test]
    fn an_empty_file_is_a_problem() {
        for input in [&b""[..], b"\xEF\xBB\xBF", b"\n\r\n  \n"] {
            assert_eq!(
                header_problem(input).kind,
                ProblemKind::EmptyFile,
                "{input:?}"
            );
        }
    }

    #[test]
    fn a_header_alone_gives_no_rows() {
        assert!(read(FRENCH).is_empty());
    }

    #[test]
    fn rows_with_another_field_count_are_problems_and_reading_continues() {
        let input = format!(
            "{FRENCH}\nC1;A;F1;15/01/2025;14/02/2025\nC2;B;F2;15/01/2025;14/02/2025;10;x\nC3;C;F3;15/01/2025;14/02/2025;10\n"
        );
        let results = read(&input);
        let kinds: Vec<Result<u64, (u64, ProblemKind)>> = results
            .into_iter()
            .map(|result| {
                result
                    .map(|row| row.line)
                    .map_err(|problem| (problem.line, problem.kind))
            })
            .collect();
        assert_eq!(
            kinds,
            [
                Err((
                    2,
                    ProblemKind::WrongFieldCount {
                        expected: 6,
                        found: 5
                    }
                )),
                Err((
                    3,
                    ProblemKind::WrongFieldCount {
                        expected: 6,
                        found: 7
                    }
                )),
                Ok(4),
            ]
        );
    }

    #[test]
    fn amounts_in_every_notation_are_read() {
        let amounts = [
            "1234.56",
            "1234,56",
            "1 234,56",
            "1\u{a0}234,56 €",
            "1.234,56",
            "1,234.56",
            "€1,234.56",
            "EUR 1234.56",
            "+1234.56",
        ];
        let mut input = FRENCH.to_owned();
        for (index, amount) in amounts.iter().enumerate() {
            input.push_str(&format!(
                "\nC1;A;F{index};15/01/2025;14/02/2025;\"{amount}\""
            ));
        }
        for row in rows(&input) {
            assert_eq!(row.invoice.amount(), eur(123_456), "line {}", row.line);
        }
    }

    #[test]
    fn a_malformed_amount_is_a_problem_on_its_column() {
        let input = format!("{FRENCH}\nC1;A;F1;15/01/2025;14/02/2025;\"12,3,4\"\n");
        let problem = &problems(&input)[0];
        assert_eq!(
            problem.kind,
            ProblemKind::InvalidAmount(AmountError::BadGrouping)
        );
        assert_eq!(problem.value.as_deref(), Some("12,3,4"));
        assert!(
            problem
                .describe(Language::French)
                .starts_with("ligne 2, colonne « montant_ttc » : « 12,3,4 » n'est pas un montant")
        );
        assert!(
            problem
                .to_string()
                .starts_with("line 2, column \"montant_ttc\": \"12,3,4\" is not an amount")
        );
    }

    #[test]
    fn negative_and_zero_amounts_are_refused_as_credit_notes() {
        let input = format!(
            "{FRENCH}\nC1;A;F1;15/01/2025;14/02/2025;-10,00\nC1;A;F2;15/01/2025;14/02/2025;0,00\n"
        );
        let problems = problems(&input);
        assert_eq!(problems[0].kind, ProblemKind::NegativeAmount);
        assert_eq!(problems[1].kind, ProblemKind::ZeroAmount);
        assert!(
            problems[0]
                .to_string()
                .contains("credit notes are not imported from an invoice file")
        );
    }

    #[test]
    fn outstanding_defaults_to_the_amount_and_must_stay_within_it() {
        let input = format!(
            "{FRENCH};reste_du\n\
             C1;A;F1;15/01/2025;14/02/2025;10;\n\
             C1;A;F2;15/01/2025;14/02/2025;10;0\n\
             C1;A;F3;15/01/2025;14/02/2025;10;-1\n\
             C1;A;F4;15/01/2025;14/02/2025;10;10,01\n"
        );
        let results = read(&input);
        assert_eq!(
            results[0].as_ref().map(|row| row.invoice.outstanding()),
            Ok(eur(1000))
        );
        assert_eq!(
            results[1].as_ref().map(|row| row.invoice.outstanding()),
            Ok(eur(0))
        );
        let problem = |index: usize| {
            results[index]
                .as_ref()
                .err()
                .map(|p| (p.column.clone(), p.kind.clone()))
        };
        assert_eq!(
            problem(2),
            Some((
                Some("reste_du".to_owned()),
                ProblemKind::NegativeOutstanding
            ))
        );
        assert_eq!(
            problem(3),
            Some((
                Some("reste_du".to_owned()),
                ProblemKind::OutstandingAboveAmount { amount: eur(1000) }
            ))
        );
    }

    #[test]
    fn dates_in_every_accepted_format_are_read() {
        let dates = [
            "2025-01-15",
            "15/01/2025",
            "15-01-2025",
            "15.01.2025",
            "20250115",
        ];
        let mut input = FRENCH.to_owned();
        for date_text in dates {
            input.push_str(&format!("\nC1;A;F1;{date_text};{date_text};10"));
        }
        for row in rows(&input) {
            assert_eq!(row.invoice.issued_on(), date(2025, 1, 15));
        }
    }

    #[test]
    fn an_impossible_date_is_a_problem() {
        let input = format!("{FRENCH}\nC1;A;F1;31/02/2025;14/03/2025;10\n");
        let problem = &problems(&input)[0];
        assert_eq!(
            (problem.line, problem.kind.clone()),
            (2, ProblemKind::InvalidDate)
        );
        assert_eq!(problem.column.as_deref(), Some("date_facture"));
        assert_eq!(problem.value.as_deref(), Some("31/02/2025"));
    }

    #[test]
    fn a_due_date_before_the_issue_date_is_a_problem_on_the_due_date_column() {
        let input = format!("{FRENCH}\nC1;A;F1;15/01/2025;14/01/2025;10\n");
        let problem = &problems(&input)[0];
        assert_eq!(
            problem.kind,
            ProblemKind::DueBeforeIssue {
                issued_on: date(2025, 1, 15)
            }
        );
        assert_eq!(problem.column.as_deref(), Some("date_echeance"));
    }

    #[test]
    fn empty_optional_values_are_absent_and_take_the_defaults() {
        let input = format!(
            "{FRENCH};devise;email;telephone;type_client;pays;date_prestation\nC1;A;F1;15/01/2025;14/02/2025;10; ;;  ;;;\n"
        );
        let row = &rows(&input)[0];
        assert_eq!(row.invoice.amount().currency(), Currency::EUR);
        assert_eq!(row.customer.country, CountryCode::FRANCE);
        assert_eq!(row.customer.kind, CustomerKind::Business);
        assert_eq!(
            (row.customer.email.clone(), row.customer.phone.clone()),
            (None, None)
        );
        assert_eq!(row.invoice.service_on(), None);
    }

    #[test]
    fn a_currency_column_sets_each_row_currency() {
        let input = format!(
            "{FRENCH};devise\nC1;A;F1;15/01/2025;14/02/2025;1 500;jpy\nC1;A;F2;15/01/2025;14/02/2025;15;EUR\n"
        );
        let rows = rows(&input);
        assert_eq!(rows[0].invoice.amount().currency().code(), "JPY");
        assert_eq!(rows[0].invoice.amount().minor(), 1500);
        assert_eq!(rows[1].invoice.amount(), eur(1500));
    }

    #[test]
    fn optional_values_are_checked() {
        let input = format!(
            "{FRENCH};devise;email;telephone;type_client;pays\n\
             C1;A;F1;15/01/2025;14/02/2025;10;XYZ;;;;\n\
             C1;A;F2;15/01/2025;14/02/2025;10;;compta;;;\n\
             C1;A;F3;15/01/2025;14/02/2025;10;;;12;;\n\
             C1;A;F4;15/01/2025;14/02/2025;10;;;;b2x;\n\
             C1;A;F5;15/01/2025;14/02/2025;10;;;;;France\n\
             C1;A;F6;15/01/2025;14/02/2025;10 USD;;;;;\n"
        );
        let kinds: Vec<(Option<String>, ProblemKind)> = problems(&input)
            .into_iter()
            .map(|problem| (problem.column, problem.kind))
            .collect();
        let column = |name: &str| Some(name.to_owned());
        assert_eq!(
            kinds,
            [
                (column("devise"), ProblemKind::UnknownCurrency),
                (column("email"), ProblemKind::InvalidEmail),
                (column("telephone"), ProblemKind::InvalidPhone),
                (column("type_client"), ProblemKind::InvalidKind),
                (column("pays"), ProblemKind::InvalidCountry),
                (
                    column("montant_ttc"),
                    ProblemKind::InvalidAmount(AmountError::OtherCurrency {
                        found: "USD".to_owned(),
                        expected: Currency::EUR
                    })
                ),
            ]
        );
    }

    #[test]
    fn an_empty_required_value_is_a_problem() {
        let input = format!("{FRENCH}\nC1;  ;F1;15/01/2025;14/02/2025;10\n");
        let problem = &problems(&input)[0];
        assert_eq!(
            (problem.column.as_deref(), &problem.kind),
            (Some("raison_sociale"), &ProblemKind::EmptyRequired)
        );
        assert_eq!(problem.value, None);
        assert_eq!(
            problem.describe(Language::French),
            "ligne 2, colonne « raison_sociale » : une valeur est obligatoire ici"
        );
    }

    #[test]
    fn overlong_references_are_problems_not_truncations() {
        let long = "X".repeat(65);
        let input = format!(
            "{FRENCH}\n{long};A;F1;15/01/2025;14/02/2025;10\nC1;A;{long};15/01/2025;14/02/2025;10\n"
        );
        let kinds: Vec<ProblemKind> = problems(&input)
            .into_iter()
            .map(|problem| problem.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                ProblemKind::TooLong { max: 64 },
                ProblemKind::TooLong { max: 64 }
            ]
        );
    }

    #[test]
    fn bytes_read_grows_as_rows_are_read() {
        let mut input = FRENCH.to_owned();
        for index in 0..20_000 {
            input.push_str(&format!("\nC1;A;F{index};15/01/2025;14/02/2025;10"));
        }
        let mut reader = match InvoiceCsvReader::new(input.as_bytes(), options()) {
            Ok(reader) => reader,
            Err(problem) => panic!("{problem}"),
        };
        let early = reader.bytes_read();
        assert!(early > 0 && early < input.len() as u64);
        assert_eq!(reader.by_ref().count(), 20_000);
        assert_eq!(reader.bytes_read(), input.len() as u64);
    }

    #[test]
    fn a_failing_reader_is_a_problem_not_a_panic() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let header = format!("{FRENCH}\nC1;A;F1;15/01/2025;14/02/2025;10\n");
                if self.0 == 0 && out.len() >= header.len() {
                    out[..header.len()].copy_from_slice(header.as_bytes());
                    self.0 = 1;
                    return Ok(header.len());
                }
                Err(std::io::Error::other("disk unplugged"))
            }
        }
        let results: Vec<_> = match InvoiceCsvReader::new(Failing(0), options()) {
            Ok(reader) => reader.collect(),
            Err(problem) => vec![Err(problem)],
        };
        assert!(matches!(
            results.last(),
            Some(Err(Problem {
                kind: ProblemKind::ReadFailed { .. },
                ..
            }))
        ));
    }

    /// Reads `input` in two halves cut at the first place `continuation_start` allows after
    /// `middle`, as the import does: `None` when the halves cannot stand for one reader.
    fn read_in_halves(input: &[u8], middle: usize) -> Option<Vec<Result<InvoiceRow, Problem>>> {
        let cut = middle + continuation_start(&input[middle..])?;
        let mut first = InvoiceCsvReader::new(&input[..cut], options()).ok()?;
        let mut second = first.continuation(&input[cut..]);
        let mut results: Vec<_> = first.by_ref().collect();
        let offset = first.next_line() - 1;
        for result in second.by_ref() {
            results.push(match result {
                Ok(row) => Ok(InvoiceRow {
                    line: row.line + offset,
                    ..row
                }),
                Err(problem) => Err(Problem {
                    line: problem.line + offset,
                    ..problem
                }),
            });
        }
        (first.ended_between_records() && first.decodes_like(&second)).then_some(results)
    }

    #[test]
    fn a_continuation_starts_after_a_line_feed_and_not_on_a_byte_order_mark() {
        assert_eq!(continuation_start(b"ab\ncd\nef"), Some(3));
        assert_eq!(continuation_start(b"ab\n\xEF\xBB\xBFx\ncdef"), Some(8));
        assert_eq!(continuation_start(b"no line feed"), None);
        // What follows the line feed must be seen to tell.
        assert_eq!(continuation_start(b"ab\nc"), None);
    }

    #[test]
    fn a_file_read_in_halves_reads_as_in_one_piece() {
        let mut input = format!("{FRENCH};reste_du\r\n\r\n");
        for index in 0..40 {
            let name = if index % 7 == 3 {
                "\"Dupont;\r\nfils\"".to_owned()
            } else {
                format!("Nom {index}")
            };
            let amount = if index % 11 == 5 { "x" } else { "10,50" };
            input.push_str(&format!(
                "C{index};{name};F{index};15/01/2025;14/02/2025;{amount};1\r\n"
            ));
            if index % 9 == 0 {
                input.push_str("\r\n");
            }
        }
        let input = input.as_bytes();
        let whole = read_with(input, options());
        let (mut read, mut refused) = (0, 0);
        for middle in (FRENCH.len() + 2..input.len()).step_by(7) {
            let Some(cut) = continuation_start(&input[middle..]).map(|start| middle + start) else {
                continue;
            };
            match read_in_halves(input, middle) {
                Some(halves) => {
                    assert_eq!(halves, whole, "cut at byte {cut}");
                    read += 1;
                }
                // Only a cut inside the quoted two-line names may be refused.
                None => {
                    assert_eq!(&input[cut..cut + 4], b"fils", "cut at byte {cut}");
                    refused += 1;
                }
            }
        }
        assert!(read > 50 && refused > 0, "{read} read, {refused} refused");
    }

    #[test]
    fn halves_that_detected_different_encodings_do_not_stand_for_one_reader() {
        let mut input = format!("{FRENCH}\nC1;Société;F1;15/01/2025;14/02/2025;10\n").into_bytes();
        let middle = input.len() - 1;
        input.extend_from_slice(b"C2;Fran\xe7ois;F2;15/01/2025;14/02/2025;10\n");
        assert_eq!(read_in_halves(&input, middle), None);
        assert_eq!(
            read_with(&input, options())[1]
                .as_ref()
                .err()
                .map(|p| p.kind.clone()),
            Some(ProblemKind::MixedEncoding)
        );

        // Windows-1252 in both halves, or non-ASCII text in one only, read as in one piece.
        for (first, second) in [
            (&b"Fran\xe7ois"[..], &b"Soci\xe9t\xe9"[..]),
            (b"Durand", "Société".as_bytes()),
            ("Société".as_bytes(), b"Durand"),
        ] {
            let mut input = format!("{FRENCH}\nC1;").into_bytes();
            input.extend_from_slice(first);
            input.extend_from_slice(b";F1;15/01/2025;14/02/2025;10\n");
            let middle = input.len() - 1;
            input.extend_from_slice(b"C2;");
            input.extend_from_slice(second);
            input.extend_from_slice(b";F2;15/01/2025;14/02/2025;10\n");
            assert_eq!(
                read_in_halves(&input, middle),
                Some(read_with(&input, options()))
            );
        }
    }

    #[test]
    fn no_input_makes_the_reader_panic() {
        // A small deterministic generator: the alphabet is what breaks parsers.
        let alphabet: &[u8] =
            b";,\t\"\r\n 0123456789-/.,\xe9\xc3\xa9\xef\xbb\xbfabcEUR\xe2\x82\xac";
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3_000 {
            let mut input = format!("{FRENCH};reste_du;devise;date_prestation\n").into_bytes();
            let length = (next() % 200) as usize;
            for _ in 0..length {
                input.push(alphabet[(next() % alphabet.len() as u64) as usize]);
            }
            if let Ok(reader) = InvoiceCsvReader::new(&input[..], options()) {
                for result in reader {
                    if let Err(problem) = result {
                        let _ = problem.describe(Language::French);
                    }
                }
            }
            let _ = InvoiceCsvReader::new(&input[40..], options()).map(Iterator::count);
        }
    }
}
