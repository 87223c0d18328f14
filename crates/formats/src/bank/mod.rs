//! Bank statement readers: camt.053 and camt.054 (ISO 20022), OFX 1.x and 2.x, MT940, and CSV
//! read through a saved column mapping.
//!
//! Every reader takes the whole file as bytes and returns a `BankFile` of
//! `domain::bank::BankStatement`s, or every problem found (the first `PROBLEMS_MAX`), each
//! located by physical line and by field: the column of a CSV file, the element path of an XML
//! file, the tag of an MT940 or OFX file. A file with any problem is refused whole: a bank
//! statement read in part would record some payments and silently drop others.
//!
//! `detect` recognises the format for `--format auto`; `read_bank_file` reads a file in a
//! detected or given format. Bank files are small next to invoice files (a busy account gives a
//! few megabytes a month), so they are read from memory, which lets the XML reader give exact
//! line numbers and the text readers look back at earlier lines.
//!
//! XML safety: the camt reader refuses any document type declaration and any entity other than
//! the five XML predefines and character references, so no external entity is ever fetched and
//! no entity is ever expanded (XXE, "billion laughs"). The OFX reader is our own tokenizer with
//! the same refusals.

use std::borrow::Cow;
use std::fmt;

use domain::bank::{BankEntry, BankStatement, DedupKey};
use domain::customer::Language;
use domain::money::{Currency, Money, MoneyError};
use jiff::civil::Date;

use crate::problem::{AmountError, shown_value};

mod bank_csv;
mod camt;
mod csv_mapping_text;
mod mt940;
mod ofx;
mod xml;

pub use bank_csv::{BankCsvMapping, CsvAmountColumns, CsvColumn, CsvColumns, DateFormat, read_csv};
pub use camt::read_camt;
pub use csv_mapping_text::{MappingError, MappingSpec};
pub use mt940::read_mt940;
pub use ofx::read_ofx;

/// At most this many problems are listed for a refused file; the rest are counted.
pub const PROBLEMS_MAX: usize = 100;

/// The bank file formats Relance reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BankFormat {
    /// ISO 20022 bank-to-customer statement.
    Camt053,
    /// ISO 20022 bank-to-customer debit/credit notification.
    Camt054,
    /// Open Financial Exchange, 1.x (SGML) and 2.x (XML).
    Ofx,
    /// SWIFT MT940 customer statement.
    Mt940,
    /// A bank's CSV export, read through a `BankCsvMapping`.
    Csv,
}

impl BankFormat {
    pub const ALL: [BankFormat; 5] = [
        BankFormat::Camt053,
        BankFormat::Camt054,
        BankFormat::Ofx,
        BankFormat::Mt940,
        BankFormat::Csv,
    ];

    /// The name used on the command line (`--format camt053`).
    pub fn code(self) -> &'static str {
        match self {
            BankFormat::Camt053 => "camt053",
            BankFormat::Camt054 => "camt054",
            BankFormat::Ofx => "ofx",
            BankFormat::Mt940 => "mt940",
            BankFormat::Csv => "csv",
        }
    }

    /// Reads a command-line name, in any case, with or without the dot (`camt.053`).
    pub fn from_code(text: &str) -> Option<BankFormat> {
        let compact: String = text
            .trim()
            .chars()
            .filter(|c| *c != '.')
            .collect::<String>()
            .to_ascii_lowercase();
        BankFormat::ALL
            .into_iter()
            .find(|format| format.code() == compact)
    }

    /// The name people know the format by.
    pub fn name(self) -> &'static str {
        match self {
            BankFormat::Camt053 => "camt.053",
            BankFormat::Camt054 => "camt.054",
            BankFormat::Ofx => "OFX",
            BankFormat::Mt940 => "MT940",
            BankFormat::Csv => "CSV",
        }
    }
}

impl fmt::Display for BankFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A bank file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankFile {
    pub format: BankFormat,
    /// The version the file declares (`camt.053.001.02`, `OFX 102`), or the format's name.
    pub variant: String,
    pub statements: Vec<BankStatement>,
}

impl BankFile {
    /// Every booked entry, statement after statement.
    pub fn entries(&self) -> impl Iterator<Item = &BankEntry> {
        self.statements
            .iter()
            .flat_map(|statement| statement.entries.iter())
    }

    /// The deduplication key of every entry (`keys[statement][entry]`), see `domain::bank`.
    pub fn dedup_keys(&self) -> Vec<Vec<DedupKey>> {
        domain::bank::dedup_keys(&self.statements)
    }
}

/// Recognises a bank file from its first bytes; `None` when it is none of the formats.
///
/// A CSV file is recognised only as "delimited text": its columns differ from bank to bank, so
/// reading one always needs a mapping.
pub fn detect(bytes: &[u8]) -> Option<BankFormat> {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let text = String::from_utf8_lossy(head);
    let text =
        text.trim_start_matches(|c: char| c == '\u{feff}' || c.is_whitespace() || c.is_control());
    if text.starts_with('<') {
        if text.contains("BkToCstmrStmt") || text.contains(":xsd:camt.053") {
            return Some(BankFormat::Camt053);
        }
        if text.contains("BkToCstmrDbtCdtNtfctn") || text.contains(":xsd:camt.054") {
            return Some(BankFormat::Camt054);
        }
        if text.contains("<OFX>") || text.contains("<?OFX") || text.contains("<OFX ") {
            return Some(BankFormat::Ofx);
        }
        return None;
    }
    if text.starts_with("OFXHEADER") || text.contains("\n<OFX>") {
        return Some(BankFormat::Ofx);
    }
    let tags: Vec<&str> = text
        .lines()
        .map(|line| line.trim_start_matches(|c: char| c.is_control()))
        .filter(|line| line.starts_with(':'))
        .take(64)
        .collect();
    let has = |tag: &str| tags.iter().any(|line| line.starts_with(tag));
    if has(":20:") && (has(":25:") || has(":60F:") || has(":60M:") || has(":61:")) {
        return Some(BankFormat::Mt940);
    }
    if looks_delimited(text) {
        return Some(BankFormat::Csv);
    }
    None
}

/// Two or more lines and a delimiter found on the first line and on most of the next ones.
fn looks_delimited(text: &str) -> bool {
    if text.contains('\0') {
        return false;
    }
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .take(20)
        .collect();
    if lines.len() < 2 {
        return false;
    }
    [b';', b',', b'\t', b'|'].iter().any(|&delimiter| {
        let with = lines
            .iter()
            .filter(|line| line.bytes().any(|byte| byte == delimiter))
            .count();
        with * 2 > lines.len()
    })
}

/// Reads a bank file in `format`, or in the detected format when `format` is `None`
/// (`--format auto`). A CSV file needs its bank's `mapping`.
pub fn read_bank_file(
    bytes: &[u8],
    format: Option<BankFormat>,
    mapping: Option<&BankCsvMapping>,
) -> Result<BankFile, Vec<BankProblem>> {
    if bytes
        .iter()
        .all(|byte| byte.is_ascii_whitespace() || *byte == 0)
    {
        return Err(vec![BankProblem::new(1, BankProblemKind::EmptyFile)]);
    }
    let detected = detect(bytes);
    let format = match (format, detected) {
        (Some(asked), _) => asked,
        (None, Some(found)) => found,
        (None, None) => return Err(vec![BankProblem::new(1, BankProblemKind::NotRecognised)]),
    };
    if let Some(found) = detected {
        let both_camt = matches!(found, BankFormat::Camt053 | BankFormat::Camt054)
            && matches!(format, BankFormat::Camt053 | BankFormat::Camt054);
        // A camt.053 given as camt.054 is reported by the camt reader, which knows the line of
        // the message element; a "CSV" guess never contradicts an explicit format.
        if found != format && found != BankFormat::Csv && !both_camt {
            return Err(vec![BankProblem::new(
                1,
                BankProblemKind::FormatMismatch {
                    expected: format,
                    found,
                },
            )]);
        }
    }
    match format {
        BankFormat::Camt053 | BankFormat::Camt054 => read_camt(bytes, Some(format)),
        BankFormat::Ofx => read_ofx(bytes),
        BankFormat::Mt940 => read_mt940(bytes),
        BankFormat::Csv => match mapping {
            Some(mapping) => read_csv(bytes, mapping),
            None => Err(vec![BankProblem::new(
                1,
                BankProblemKind::CsvMappingRequired,
            )]),
        },
    }
}

/// Where in a file a problem is, beyond its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// A CSV column, by its header name (or its position when the file has no header).
    Column(String),
    /// An XML element, by its path from the root (`Document/BkToCstmrStmt/Stmt/Ntry/Amt`).
    Element(String),
    /// An MT940 field (`:61:`) or an OFX element (`TRNAMT`).
    Tag(String),
}

/// One thing wrong with a bank file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankProblem {
    /// 1-based physical line.
    pub line: u64,
    pub field: Option<Field>,
    /// The offending value, trimmed (and shortened when very long).
    pub value: Option<String>,
    pub kind: BankProblemKind,
}

/// Why a bank file is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BankProblemKind {
    EmptyFile,
    /// The file is none of the bank formats Relance reads.
    NotRecognised,
    /// The file is in another format than the one asked for.
    FormatMismatch {
        expected: BankFormat,
        found: BankFormat,
    },
    /// An ISO 20022 message other than a statement or a notification (the value names it).
    UnsupportedMessage,
    /// Bytes that are not text in the file's encoding.
    InvalidText,
    /// The XML is not well formed.
    MalformedXml {
        reason: String,
    },
    /// A document type declaration (DTD): refused, as entities could be declared in it.
    DtdRefused,
    /// An entity other than the XML predefined ones (the value names it).
    EntityRefused,
    /// Elements nested deeper than any bank file needs.
    TooDeep,
    /// No statement, notification or transaction list at all.
    NoStatement,
    /// A required element, field or attribute is missing (the value names it).
    Missing,
    InvalidAmount(AmountError),
    InvalidDate,
    UnknownCurrency,
    /// A value outside its list (`CRDT` or `DBIT`, `C`, `D`, `RC` or `RD`…).
    NotOneOf {
        expected: &'static str,
    },
    /// A field whose layout is not the standard one.
    MalformedField {
        expected: &'static str,
    },
    /// A booked entry without any date it could be booked on.
    MissingBookingDate,
    /// An MT940 field before the `:20:` that starts a statement.
    OutsideStatement,
    /// An OFX correction of an earlier transaction, which only the bank can apply.
    CorrectionUnsupported,
    /// A CSV file read without a column mapping.
    CsvMappingRequired,
    /// A column of the mapping that the file does not have.
    MissingColumn,
    /// Neither a credit nor a debit on a CSV row.
    NoAmount,
    /// Both a credit and a debit on one CSV row.
    DebitAndCredit,
    /// A negative amount in a credit column, which could be a debit or a refund.
    NegativeCredit,
    /// This many more problems were found and not listed.
    MoreProblems {
        count: usize,
    },
}

impl BankProblem {
    pub(crate) fn new(line: u64, kind: BankProblemKind) -> BankProblem {
        BankProblem {
            line,
            field: None,
            value: None,
            kind,
        }
    }

    pub(crate) fn at(mut self, field: Field) -> BankProblem {
        self.field = Some(field);
        self
    }

    /// Records the offending value; an empty one is no value.
    pub(crate) fn with_value(mut self, value: &str) -> BankProblem {
        self.value = shown_value(value);
        self
    }

    /// One sentence naming the line, the field and the reason, in `language`.
    pub fn describe(&self, language: Language) -> String {
        let mut text = match (language, &self.field) {
            (Language::French, None) => format!("ligne {} : ", self.line),
            (Language::English, None) => format!("line {}: ", self.line),
            (Language::French, Some(field)) => {
                let (noun, name) = match field {
                    Field::Column(name) => ("colonne", name),
                    Field::Element(name) => ("élément", name),
                    Field::Tag(name) => ("champ", name),
                };
                format!("ligne {}, {noun} « {name} » : ", self.line)
            }
            (Language::English, Some(field)) => {
                let (noun, name) = match field {
                    Field::Column(name) => ("column", name),
                    Field::Element(name) => ("element", name),
                    Field::Tag(name) => ("field", name),
                };
                format!("line {}, {noun} \"{name}\": ", self.line)
            }
        };
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
            BankProblemKind::EmptyFile => "the file is empty".to_owned(),
            BankProblemKind::NotRecognised => "this is not a bank statement Relance reads \
                 (camt.053, camt.054, OFX, MT940, or CSV with --format csv and a column mapping)"
                .to_owned(),
            BankProblemKind::FormatMismatch { expected, found } => {
                format!("this is a {found} file, not {expected}")
            }
            BankProblemKind::UnsupportedMessage => format!(
                "{value} is not a statement or a notification (expected camt.053 or camt.054)"
            ),
            BankProblemKind::InvalidText => {
                format!("{value} is not valid text in the file's encoding")
            }
            BankProblemKind::MalformedXml { reason } => {
                format!("the XML is not well formed ({reason})")
            }
            BankProblemKind::DtdRefused => "the file declares a document type (DTD); \
                 bank files never need one and it is refused for safety"
                .to_owned(),
            BankProblemKind::EntityRefused => format!(
                "the entity {value} is refused for safety (only &amp; &lt; &gt; &quot; &apos; and character references are read)"
            ),
            BankProblemKind::TooDeep => "elements are nested too deeply".to_owned(),
            BankProblemKind::NoStatement => {
                "the file holds no statement, notification or transaction list".to_owned()
            }
            BankProblemKind::Missing => format!("{value} is missing"),
            BankProblemKind::InvalidAmount(reason) => match reason {
                AmountError::NotANumber => format!("{value} is not an amount"),
                AmountError::BadGrouping => format!(
                    "{value} is not an amount (thousands separators must separate groups of three digits)"
                ),
                AmountError::TooManyDecimals { currency } => format!(
                    "{value} has more decimals than {currency} allows ({}); Relance does not round amounts from a bank",
                    currency.exponent()
                ),
                AmountError::TooLarge => format!("{value} is too large"),
                AmountError::OtherCurrency { found, expected } => {
                    format!("{value} is in {found} but the account is in {expected}")
                }
            },
            BankProblemKind::InvalidDate => format!("{value} is not a date"),
            BankProblemKind::UnknownCurrency => {
                format!("{value} is not a currency Relance knows")
            }
            BankProblemKind::NotOneOf { expected } => {
                format!("{value} is not one of {expected}")
            }
            BankProblemKind::MalformedField { expected } => {
                format!("{value} does not have the expected layout ({expected})")
            }
            BankProblemKind::MissingBookingDate => {
                "the entry has no booking date, no value date, and its statement covers several days"
                    .to_owned()
            }
            BankProblemKind::OutsideStatement => {
                "this field comes before the :20: field that starts a statement".to_owned()
            }
            BankProblemKind::CorrectionUnsupported => "this transaction corrects or deletes an \
                 earlier one (CORRECTACTION); ask the bank for a statement without corrections"
                .to_owned(),
            BankProblemKind::CsvMappingRequired => {
                "a CSV bank file needs a column mapping (which columns hold the date, the amount, the label)"
                    .to_owned()
            }
            BankProblemKind::MissingColumn => {
                format!("the mapping's column {value} is not in the file")
            }
            BankProblemKind::NoAmount => "the row has neither a credit nor a debit".to_owned(),
            BankProblemKind::DebitAndCredit => "the row has both a credit and a debit".to_owned(),
            BankProblemKind::NegativeCredit => format!(
                "{value} is negative in a credit column: it could be a debit or a refund, so the file is refused rather than guessed"
            ),
            BankProblemKind::MoreProblems { count } => {
                format!("{count} more problems were found and not listed")
            }
        }
    }

    fn reason_fr(&self) -> String {
        let value = match &self.value {
            Some(value) => format!("« {value} »"),
            None => "la valeur".to_owned(),
        };
        match &self.kind {
            BankProblemKind::EmptyFile => "le fichier est vide".to_owned(),
            BankProblemKind::NotRecognised => "ce n'est pas un relevé bancaire que Relance sait lire \
                 (camt.053, camt.054, OFX, MT940, ou CSV avec --format csv et un paramétrage des colonnes)"
                .to_owned(),
            BankProblemKind::FormatMismatch { expected, found } => {
                format!("c'est un fichier {found}, pas {expected}")
            }
            BankProblemKind::UnsupportedMessage => format!(
                "{value} n'est ni un relevé ni un avis d'opérations (camt.053 ou camt.054 attendu)"
            ),
            BankProblemKind::InvalidText => {
                format!("{value} n'est pas un texte valide dans l'encodage du fichier")
            }
            BankProblemKind::MalformedXml { reason } => {
                format!("le XML est mal formé ({reason})")
            }
            BankProblemKind::DtdRefused => "le fichier déclare un type de document (DTD) ; \
                 un fichier bancaire n'en a jamais besoin et il est refusé par sécurité"
                .to_owned(),
            BankProblemKind::EntityRefused => format!(
                "l'entité {value} est refusée par sécurité (seules &amp; &lt; &gt; &quot; &apos; et les références de caractères sont lues)"
            ),
            BankProblemKind::TooDeep => "les éléments sont imbriqués trop profondément".to_owned(),
            BankProblemKind::NoStatement => {
                "le fichier ne contient ni relevé, ni avis d'opérations, ni liste d'opérations"
                    .to_owned()
            }
            BankProblemKind::Missing => format!("{value} est absent"),
            BankProblemKind::InvalidAmount(reason) => match reason {
                AmountError::NotANumber => format!("{value} n'est pas un montant"),
                AmountError::BadGrouping => format!(
                    "{value} n'est pas un montant (les séparateurs de milliers doivent séparer des groupes de trois chiffres)"
                ),
                AmountError::TooManyDecimals { currency } => format!(
                    "{value} a plus de décimales que {currency} n'en permet ({}) ; Relance n'arrondit pas les montants d'une banque",
                    currency.exponent()
                ),
                AmountError::TooLarge => format!("{value} est trop grand"),
                AmountError::OtherCurrency { found, expected } => {
                    format!("{value} est en {found} mais le compte est en {expected}")
                }
            },
            BankProblemKind::InvalidDate => format!("{value} n'est pas une date"),
            BankProblemKind::UnknownCurrency => {
                format!("{value} n'est pas une devise connue de Relance")
            }
            BankProblemKind::NotOneOf { expected } => {
                format!("{value} n'est pas l'une des valeurs {expected}")
            }
            BankProblemKind::MalformedField { expected } => {
                format!("{value} n'a pas la forme attendue ({expected})")
            }
            BankProblemKind::MissingBookingDate => {
                "l'opération n'a ni date de comptabilisation ni date de valeur, et son relevé couvre plusieurs jours"
                    .to_owned()
            }
            BankProblemKind::OutsideStatement => {
                "ce champ précède le champ :20: qui ouvre un relevé".to_owned()
            }
            BankProblemKind::CorrectionUnsupported => "cette opération corrige ou annule une \
                 opération antérieure (CORRECTACTION) ; demandez à la banque un relevé sans corrections"
                .to_owned(),
            BankProblemKind::CsvMappingRequired => {
                "un fichier bancaire CSV demande un paramétrage des colonnes (où sont la date, le montant, le libellé)"
                    .to_owned()
            }
            BankProblemKind::MissingColumn => {
                format!("la colonne {value} du paramétrage est absente du fichier")
            }
            BankProblemKind::NoAmount => "la ligne n'a ni crédit ni débit".to_owned(),
            BankProblemKind::DebitAndCredit => "la ligne a à la fois un crédit et un débit".to_owned(),
            BankProblemKind::NegativeCredit => format!(
                "{value} est négatif dans une colonne de crédits : ce peut être un débit ou un remboursement, le fichier est donc refusé plutôt que deviné"
            ),
            BankProblemKind::MoreProblems { count } => {
                format!("{count} autres problèmes ont été trouvés et ne sont pas listés")
            }
        }
    }
}

impl fmt::Display for BankProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(Language::English))
    }
}

impl std::error::Error for BankProblem {}

/// The problems of one file, the first `PROBLEMS_MAX` kept and the others counted.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    list: Vec<BankProblem>,
    more: usize,
}

impl Problems {
    pub(crate) fn push(&mut self, problem: BankProblem) {
        if self.list.len() < PROBLEMS_MAX {
            self.list.push(problem);
        } else {
            self.more += 1;
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The value when nothing was wrong, else every problem (and how many were not listed).
    /// Problems come in line order, whatever order the reader found them in.
    pub(crate) fn finish<T>(mut self, value: T) -> Result<T, Vec<BankProblem>> {
        if self.list.is_empty() {
            return Ok(value);
        }
        self.list.sort_by_key(|problem| problem.line);
        if self.more > 0 {
            let line = self.list.last().map_or(1, |problem| problem.line);
            self.list.push(BankProblem::new(
                line,
                BankProblemKind::MoreProblems { count: self.more },
            ));
        }
        Err(self.list)
    }
}

/// The file as text: UTF-8 (a BOM dropped), UTF-16 with a BOM, or else Windows-1252, the
/// encoding of older French and German bank exports. With `utf8_only` (an XML file that
/// declares UTF-8, or declares nothing), bytes that are not UTF-8 are a problem at their line.
pub(crate) fn decode(bytes: &[u8], utf8_only: bool) -> Result<Cow<'_, str>, BankProblem> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return decode(rest, true);
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let encoding = if bytes[0] == 0xFF {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        let (text, had_errors) = encoding.decode_with_bom_removal(bytes);
        if had_errors {
            return Err(BankProblem::new(1, BankProblemKind::InvalidText));
        }
        return Ok(Cow::Owned(text.into_owned()));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(error) if utf8_only => {
            let start = error.valid_up_to();
            let line = line_of(bytes, start);
            let end = (start + 16).min(bytes.len());
            Err(BankProblem::new(line, BankProblemKind::InvalidText)
                .with_value(&String::from_utf8_lossy(&bytes[start..end])))
        }
        Err(_) => Ok(encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0),
    }
}

/// The 1-based line of a byte offset.
pub(crate) fn line_of(bytes: &[u8], offset: usize) -> u64 {
    memchr::memchr_iter(b'\n', &bytes[..offset.min(bytes.len())]).count() as u64 + 1
}

/// Physical lines with their numbers; `\r\n`, `\r` and `\n` all end a line.
pub(crate) fn numbered_lines(text: &str) -> Vec<(u64, &str)> {
    let mut lines = Vec::new();
    let mut number = 1;
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find(['\r', '\n']) {
            Some(end) => {
                lines.push((number, &rest[..end]));
                let skip = if rest[end..].starts_with("\r\n") {
                    2
                } else {
                    1
                };
                rest = &rest[end + skip..];
            }
            None => {
                lines.push((number, rest));
                rest = "";
            }
        }
        number += 1;
    }
    lines
}

/// How a format writes amounts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AmountStyle {
    /// The decimal separator.
    pub(crate) decimal: char,
    /// Whether a leading `+` or `-` may be written.
    pub(crate) signed: bool,
    /// Whether thousands may be grouped (with the other of `.` and `,`, spaces or `'`).
    pub(crate) grouping: bool,
}

/// ISO 20022 amounts: `1234.56`, no sign (the credit/debit indicator carries it).
pub(crate) const ISO_AMOUNT: AmountStyle = AmountStyle {
    decimal: '.',
    signed: false,
    grouping: false,
};

/// Reads an amount written in `style`, exactly: more decimals than `currency` has are refused
/// unless they are zeros (`18.150` EUR is 18.15, `8.855` EUR is an error), because a bank that
/// writes sub-cent figures either means them or has a broken export, and Relance must not
/// invent the cent it would round to.
pub(crate) fn parse_amount(
    text: &str,
    currency: Currency,
    style: AmountStyle,
) -> Result<Money, AmountError> {
    let text = text.trim();
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') if style.signed => (true, text[1..].trim_start()),
        Some(b'+') if style.signed => (false, text[1..].trim_start()),
        _ => (false, text),
    };
    let (whole, fraction) = match unsigned.split_once(style.decimal) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let fraction = fraction.unwrap_or("");
    if (whole.is_empty() && fraction.is_empty())
        || !fraction.bytes().all(|byte| byte.is_ascii_digit())
    {
        return Err(AmountError::NotANumber);
    }
    let mut canonical = String::with_capacity(text.len() + 1);
    if negative {
        canonical.push('-');
    }
    push_whole_digits(whole, style, &mut canonical)?;
    if !fraction.is_empty() {
        canonical.push('.');
        canonical.push_str(fraction);
    }
    Money::parse_decimal(&canonical, currency).map_err(|error| match error {
        MoneyError::TooManyDecimals { .. } => AmountError::TooManyDecimals { currency },
        MoneyError::TooLarge { .. } | MoneyError::Overflow => AmountError::TooLarge,
        _ => AmountError::NotANumber,
    })
}

/// Appends the digits of the whole part, checking that grouping marks, when allowed, cut it
/// into a first group of one to three digits and further groups of three.
fn push_whole_digits(
    whole: &str,
    style: AmountStyle,
    canonical: &mut String,
) -> Result<(), AmountError> {
    let group_mark = if style.decimal == '.' { ',' } else { '.' };
    let mut group_length = 0_usize;
    let mut groups = 0_usize;
    let mut mark: Option<char> = None;
    for c in whole.chars() {
        if c.is_ascii_digit() {
            canonical.push(c);
            group_length += 1;
            continue;
        }
        let is_mark = style.grouping
            && (c == group_mark || c == '\'' || c == ' ' || c == '\u{a0}' || c == '\u{202f}');
        if !is_mark {
            return Err(AmountError::NotANumber);
        }
        if mark.is_some_and(|known| known != c) {
            return Err(AmountError::BadGrouping);
        }
        mark = Some(c);
        let valid = if groups == 0 {
            (1..=3).contains(&group_length)
        } else {
            group_length == 3
        };
        if !valid {
            return Err(AmountError::BadGrouping);
        }
        groups += 1;
        group_length = 0;
    }
    if groups > 0 && group_length != 3 {
        return Err(AmountError::BadGrouping);
    }
    Ok(())
}

/// An ISO 8601 date (`2014-01-05`), or the date of a date-time as the bank wrote it
/// (`2014-12-31T13:15:00+01:00` is 31 December: the bank's own calendar day).
pub(crate) fn parse_iso_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let date_part = match text.split_once('T') {
        Some((date, _time)) => date,
        None => text,
    };
    let bytes = date_part.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    make_date(
        digits(&bytes[0..4])?,
        digits(&bytes[5..7])?,
        digits(&bytes[8..10])?,
    )
}

/// A date written `YYYYMMDD` at the start of `text` (OFX dates carry a time and zone after).
pub(crate) fn parse_compact_date(text: &str) -> Option<Date> {
    let bytes = text.trim().as_bytes();
    if bytes.len() < 8 {
        return None;
    }
    make_date(
        digits(&bytes[0..4])?,
        digits(&bytes[4..6])?,
        digits(&bytes[6..8])?,
    )
}

/// The value of ASCII digits (at most four).
pub(crate) fn digits(bytes: &[u8]) -> Option<i16> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    let mut value: i16 = 0;
    for &byte in bytes {
        if !byte.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i16::from(byte - b'0');
    }
    Some(value)
}

pub(crate) fn make_date(year: i16, month: i16, day: i16) -> Option<Date> {
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// A currency the file names, or the problem to report.
pub(crate) fn currency(code: &str) -> Result<Currency, BankProblemKind> {
    let code = code.trim();
    if code.len() != 3 {
        return Err(BankProblemKind::UnknownCurrency);
    }
    Currency::from_code(code).map_err(|_| BankProblemKind::UnknownCurrency)
}

/// Text with every run of whitespace made one space, or `None` when nothing is left.
pub(crate) fn clean_text(text: &str) -> Option<String> {
    let cleaned = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!cleaned.is_empty()).then_some(cleaned)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn currency_of(code: &str) -> Currency {
        Currency::from_code(code).unwrap_or(Currency::EUR)
    }

    const MT940: AmountStyle = AmountStyle {
        decimal: ',',
        signed: false,
        grouping: false,
    };

    const FRENCH: AmountStyle = AmountStyle {
        decimal: ',',
        signed: true,
        grouping: true,
    };

    const ENGLISH: AmountStyle = AmountStyle {
        decimal: '.',
        signed: true,
        grouping: true,
    };

    fn minor(text: &str, style: AmountStyle) -> Result<i64, AmountError> {
        parse_amount(text, Currency::EUR, style).map(|money| money.minor())
    }

    #[test]
    fn iso_amounts_are_exact_and_unsigned() {
        assert_eq!(minor("1405.31", ISO_AMOUNT), Ok(140_531));
        assert_eq!(minor("50000", ISO_AMOUNT), Ok(5_000_000));
        assert_eq!(minor("0.2", ISO_AMOUNT), Ok(20));
        assert_eq!(minor("8.850", ISO_AMOUNT), Ok(885));
        assert_eq!(
            minor("8.855", ISO_AMOUNT),
            Err(AmountError::TooManyDecimals {
                currency: Currency::EUR
            })
        );
        assert_eq!(minor("-5.00", ISO_AMOUNT), Err(AmountError::NotANumber));
        assert_eq!(minor("1,405.31", ISO_AMOUNT), Err(AmountError::NotANumber));
        assert_eq!(
            parse_amount("2700", currency_of("JPY"), ISO_AMOUNT).map(|m| m.minor()),
            Ok(2700)
        );
    }

    #[test]
    fn mt940_amounts_may_end_with_their_comma() {
        assert_eq!(minor("9,", MT940), Ok(900));
        assert_eq!(minor("000000001213,28", MT940), Ok(121_328));
        assert_eq!(minor("500", MT940), Ok(50_000));
        assert_eq!(minor("0,", MT940), Ok(0));
        assert_eq!(minor(",", MT940), Err(AmountError::NotANumber));
        assert_eq!(minor("1.213,28", MT940), Err(AmountError::NotANumber));
    }

    #[test]
    fn grouped_amounts_follow_the_decimal_separator_given() {
        assert_eq!(minor("1,500.00", ENGLISH), Ok(150_000));
        assert_eq!(minor("1,234", ENGLISH), Ok(123_400));
        assert_eq!(minor("-1 234,56", FRENCH), Ok(-123_456));
        assert_eq!(minor("+31070,11", FRENCH), Ok(3_107_011));
        assert_eq!(minor("1.234.567,8", FRENCH), Ok(123_456_780));
        assert_eq!(minor("12,34,5", ENGLISH), Err(AmountError::BadGrouping));
        assert_eq!(minor("1.234 567,8", FRENCH), Err(AmountError::BadGrouping));
        assert_eq!(minor("$120", ENGLISH), Err(AmountError::NotANumber));
        assert_eq!(
            minor("99999999999999999999", ENGLISH),
            Err(AmountError::TooLarge)
        );
    }

    proptest! {
        /// Any amount written with the currency's decimals, a few trailing zeros, either
        /// separator and optional grouping reads back to the same minor units.
        #[test]
        fn written_amounts_read_back_exactly(
            minor_units in -99_999_999_999_i64..99_999_999_999,
            code in prop::sample::select(vec!["EUR", "JPY", "TND", "CHF"]),
            trailing_zeros in 0_usize..3,
            comma in any::<bool>(),
            grouped in any::<bool>(),
        ) {
            let currency = currency_of(code);
            let exponent = u32::from(currency.exponent());
            let scale = 10_i64.pow(exponent);
            let magnitude = minor_units.unsigned_abs();
            let whole = (magnitude / scale.unsigned_abs()).to_string();
            let whole = if grouped {
                let digits: Vec<char> = whole.chars().collect();
                let mut out = String::new();
                for (index, digit) in digits.iter().enumerate() {
                    if index > 0 && (digits.len() - index).is_multiple_of(3) {
                        out.push(if comma { '.' } else { ',' });
                    }
                    out.push(*digit);
                }
                out
            } else {
                whole
            };
            let mut text = String::new();
            if minor_units < 0 {
                text.push('-');
            }
            text.push_str(&whole);
            if exponent > 0 || trailing_zeros > 0 {
                text.push(if comma { ',' } else { '.' });
                let fraction = magnitude % scale.unsigned_abs();
                if exponent > 0 {
                    text.push_str(&format!("{fraction:0width$}", width = exponent as usize));
                }
                text.push_str(&"0".repeat(trailing_zeros));
            }
            let style = AmountStyle { decimal: if comma { ',' } else { '.' }, signed: true, grouping: true };
            prop_assert_eq!(
                parse_amount(&text, currency, style).map(|money| money.minor()),
                Ok(minor_units),
                "{}", text
            );
        }

        /// A non-zero digit beyond the currency's decimals is always refused, never rounded.
        #[test]
        fn a_sub_unit_digit_is_refused(
            whole in 0_u32..1_000_000,
            digit in 1_u8..10,
            code in prop::sample::select(vec!["EUR", "JPY", "TND"]),
        ) {
            let currency = currency_of(code);
            let text = format!("{whole}.{}{digit}", "0".repeat(usize::from(currency.exponent())));
            prop_assert_eq!(
                parse_amount(&text, currency, ISO_AMOUNT),
                Err(AmountError::TooManyDecimals { currency })
            );
        }
    }

    /// Pieces of every format, glued at random: whatever the bytes, a reader returns statements
    /// or problems and never panics.
    fn soup() -> impl Strategy<Value = Vec<u8>> {
        let pieces = prop::sample::select(vec![
            "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">",
            "<BkToCstmrStmt>",
            "<Stmt>",
            "<Ntry>",
            "</Ntry>",
            "<Amt Ccy=\"EUR\">",
            "</Amt>",
            "<CdtDbtInd>CRDT</CdtDbtInd>",
            "<BookgDt><Dt>2026-03-02</Dt></BookgDt>",
            "<NtryDtls>",
            "<TxDtls>",
            "</TxDtls>",
            "<Btch><NbOfTxs>2</NbOfTxs></Btch>",
            "<Acct><Id><IBAN>",
            "&amp;",
            "&#xE9;",
            "&x;",
            "<![CDATA[",
            "]]>",
            "<!--",
            "-->",
            "<?xml version=\"1.0\"?>",
            "<OFX>",
            "<STMTRS>",
            "<CURDEF>EUR",
            "<STMTTRN>",
            "<TRNAMT>-1,5",
            "<DTPOSTED>20260302",
            "</STMTTRN>",
            "<BANKTRANLIST>",
            "OFXHEADER:100\n",
            ":20:X\n",
            ":25:FR76\n",
            ":60F:C260301EUR1,\n",
            ":61:2603020302RCR1,5NTRFNONREF//B1\n",
            ":86:166?00A?20B?3\n",
            "/EREF/x//CNTP/a/b/c/",
            "-\n",
            "{1:F01}{4:\n",
            "12,50;",
            "01/02/2026;",
            "\"",
            "\n",
            "\r",
            "é",
            "\u{feff}",
            "?",
            "//",
            "1234567890",
            " ",
        ]);
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200),
            prop::collection::vec(pieces, 0..60).prop_map(|pieces| pieces.concat().into_bytes()),
        ]
    }

    proptest! {
        #[test]
        fn no_input_makes_a_reader_panic(bytes in soup()) {
            let mapping = BankCsvMapping::french(CsvColumns {
                date: CsvColumn::Position(2),
                value_date: None,
                amount: CsvAmountColumns::Signed(CsvColumn::Position(1)),
                label: vec![CsvColumn::Position(3)],
                counterparty: None,
                counterparty_account: None,
                reference: None,
                currency: None,
            });
            let _ = read_bank_file(&bytes, None, Some(&mapping));
            for format in BankFormat::ALL {
                let _ = read_bank_file(&bytes, Some(format), Some(&mapping));
            }
            let _ = read_camt(&bytes, None);
            let _ = read_ofx(&bytes);
            let _ = read_mt940(&bytes);
        }
    }

    #[test]
    fn iso_dates_and_the_day_of_date_times() {
        assert_eq!(
            parse_iso_date("2014-12-31T13:15:00+01:00"),
            Some(jiff::civil::date(2014, 12, 31))
        );
        assert_eq!(
            parse_iso_date(" 2016-04-30 "),
            Some(jiff::civil::date(2016, 4, 30))
        );
        assert_eq!(parse_iso_date("2016-02-30"), None);
        assert_eq!(parse_iso_date("20160430"), None);
    }

    #[test]
    fn compact_dates_ignore_the_time_and_zone_after_them() {
        assert_eq!(
            parse_compact_date("20090401122017.000[-5:EST]"),
            Some(jiff::civil::date(2009, 4, 1))
        );
        assert_eq!(
            parse_compact_date("20131215"),
            Some(jiff::civil::date(2013, 12, 15))
        );
        assert_eq!(parse_compact_date("201120000000"), None);
        assert_eq!(parse_compact_date("2013121"), None);
    }

    #[test]
    fn lines_are_numbered_whatever_their_ending() {
        let lines = numbered_lines("a\r\nb\rc\n\nd");
        assert_eq!(lines, vec![(1, "a"), (2, "b"), (3, "c"), (4, ""), (5, "d")]);
    }

    #[test]
    fn the_format_is_recognised_from_the_first_bytes() {
        assert_eq!(
            detect(b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">"),
            Some(BankFormat::Camt053)
        );
        assert_eq!(
            detect(b"<Document><BkToCstmrDbtCdtNtfctn>"),
            Some(BankFormat::Camt054)
        );
        assert_eq!(
            detect(b"OFXHEADER:100\nDATA:OFXSGML\n"),
            Some(BankFormat::Ofx)
        );
        assert_eq!(detect(b"\r\n<OFX>\r\n"), Some(BankFormat::Ofx));
        assert_eq!(
            detect(b"\x01\n:20:ST1\n:25:PL29\n:28C:1/1\n"),
            Some(BankFormat::Mt940)
        );
        assert_eq!(
            detect(b"Date;Libell\xe9;Montant\n01/02/2026;VIR ACME;12,50\n"),
            Some(BankFormat::Csv)
        );
        assert_eq!(detect(b"<html><body>hello</body></html>"), None);
        assert_eq!(detect(b"just some words"), None);
    }

    #[test]
    fn format_names_are_read_as_the_command_line_writes_them() {
        assert_eq!(BankFormat::from_code("camt.053"), Some(BankFormat::Camt053));
        assert_eq!(BankFormat::from_code("MT940"), Some(BankFormat::Mt940));
        assert_eq!(BankFormat::from_code("auto"), None);
        for format in BankFormat::ALL {
            assert_eq!(BankFormat::from_code(format.code()), Some(format));
        }
    }

    #[test]
    fn problems_beyond_the_first_hundred_are_counted() {
        let mut problems = Problems::default();
        for line in 1..=130 {
            problems.push(BankProblem::new(line, BankProblemKind::InvalidDate));
        }
        let listed = problems.finish(()).unwrap_err();
        assert_eq!(listed.len(), PROBLEMS_MAX + 1);
        assert_eq!(
            listed.last().map(|problem| &problem.kind),
            Some(&BankProblemKind::MoreProblems { count: 30 })
        );
    }

    #[test]
    fn problems_name_the_field_by_what_it_is_in_both_languages() {
        let problem = BankProblem::new(58, BankProblemKind::InvalidAmount(AmountError::NotANumber))
            .at(Field::Element(
                "Document/BkToCstmrStmt/Stmt/Ntry/Amt".into(),
            ))
            .with_value("12,50");
        assert_eq!(
            problem.describe(Language::French),
            "ligne 58, élément « Document/BkToCstmrStmt/Stmt/Ntry/Amt » : « 12,50 » n'est pas un montant"
        );
        assert_eq!(
            problem.to_string(),
            "line 58, element \"Document/BkToCstmrStmt/Stmt/Ntry/Amt\": \"12,50\" is not an amount"
        );
        let tag = BankProblem::new(7, BankProblemKind::InvalidDate)
            .at(Field::Tag(":61:".into()))
            .with_value("110231");
        assert_eq!(
            tag.describe(Language::French),
            "ligne 7, champ « :61: » : « 110231 » n'est pas une date"
        );
        let column = BankProblem::new(3, BankProblemKind::NegativeCredit)
            .at(Field::Column("Credit".into()))
            .with_value("-13.50");
        assert!(
            column
                .describe(Language::English)
                .starts_with("line 3, column \"Credit\": \"-13.50\" is negative")
        );
    }

    #[test]
    fn every_kind_has_a_description_in_both_languages() {
        let kinds = [
            BankProblemKind::EmptyFile,
            BankProblemKind::NotRecognised,
            BankProblemKind::FormatMismatch {
                expected: BankFormat::Camt053,
                found: BankFormat::Ofx,
            },
            BankProblemKind::UnsupportedMessage,
            BankProblemKind::InvalidText,
            BankProblemKind::MalformedXml { reason: "x".into() },
            BankProblemKind::DtdRefused,
            BankProblemKind::EntityRefused,
            BankProblemKind::TooDeep,
            BankProblemKind::NoStatement,
            BankProblemKind::Missing,
            BankProblemKind::InvalidAmount(AmountError::NotANumber),
            BankProblemKind::InvalidAmount(AmountError::BadGrouping),
            BankProblemKind::InvalidAmount(AmountError::TooManyDecimals {
                currency: Currency::EUR,
            }),
            BankProblemKind::InvalidAmount(AmountError::TooLarge),
            BankProblemKind::InvalidDate,
            BankProblemKind::UnknownCurrency,
            BankProblemKind::NotOneOf { expected: "C or D" },
            BankProblemKind::MalformedField { expected: "x" },
            BankProblemKind::MissingBookingDate,
            BankProblemKind::OutsideStatement,
            BankProblemKind::CorrectionUnsupported,
            BankProblemKind::CsvMappingRequired,
            BankProblemKind::MissingColumn,
            BankProblemKind::NoAmount,
            BankProblemKind::DebitAndCredit,
            BankProblemKind::NegativeCredit,
            BankProblemKind::MoreProblems { count: 3 },
        ];
        for kind in kinds {
            let problem = BankProblem::new(2, kind)
                .at(Field::Tag("x".into()))
                .with_value("v");
            let french = problem.describe(Language::French);
            let english = problem.describe(Language::English);
            assert!(french.starts_with("ligne 2, champ « x » : "), "{french}");
            assert!(english.starts_with("line 2, field \"x\": "), "{english}");
            assert_ne!(french, english);
        }
    }
}
