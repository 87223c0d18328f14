//! Located problems: what is wrong with an input file, and where.
//!
//! A `Problem` names the physical line (the header is line 1), the column as the file spells it
//! and the offending value, so a user can find and fix it in a spreadsheet. The kind is a closed
//! enum rather than a message, so each problem can be described in the customer-facing
//! languages (`describe`) and tested without comparing prose.

use std::fmt;

use domain::customer::Language;
use domain::money::{Currency, Money};
use jiff::civil::Date;

/// Longest value kept in a problem: enough to recognise it, bounded so a corrupt file with a
/// megabyte-long field does not produce a megabyte-long message.
pub(crate) const VALUE_CHARS_MAX: usize = 120;

/// One thing wrong with an input file, at a physical line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based physical line number in the file; the header is line 1.
    pub line: u64,
    /// The header name as written in the file, when the problem concerns one column.
    pub column: Option<String>,
    /// The offending value, trimmed (and shortened when very long).
    pub value: Option<String>,
    pub kind: ProblemKind,
}

/// Both accepted names of a column of the invoice file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnName {
    pub english: &'static str,
    pub french: &'static str,
}

/// Why a text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    /// Not digits with an optional sign, separators and currency.
    NotANumber,
    /// Thousands separators that do not separate groups of three digits.
    BadGrouping,
    /// More decimals than the currency has.
    TooManyDecimals {
        currency: Currency,
    },
    TooLarge,
    /// A currency symbol or code other than the row's currency.
    OtherCurrency {
        found: String,
        expected: Currency,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The input holds no header at all.
    EmptyFile,
    /// The input could not be read (an I/O error from the caller's reader).
    ReadFailed {
        message: String,
    },
    /// The header of the invoice file lacks required columns.
    MissingColumns {
        columns: Vec<ColumnName>,
    },
    /// Two header names mean the same column (e.g. `amount` and `montant_ttc`); `column` is the
    /// second one, `first` the one seen before it.
    DuplicateColumn {
        first: String,
    },
    /// The header is not the header of a FEC: these standard columns are missing.
    NotAFecFile {
        missing: Vec<&'static str>,
    },
    /// A row does not have as many fields as the header.
    WrongFieldCount {
        expected: usize,
        found: usize,
    },
    /// The file was declared UTF-8 but this value is not valid UTF-8.
    InvalidUtf8,
    /// This value is not valid UTF-8 although earlier values were non-ASCII UTF-8.
    MixedEncoding,
    /// A required value is empty.
    EmptyRequired,
    InvalidAmount(AmountError),
    /// Negative invoice amount: credit notes are not imported from an invoice file.
    NegativeAmount,
    ZeroAmount,
    NegativeOutstanding,
    OutstandingAboveAmount {
        amount: Money,
    },
    InvalidDate,
    DueBeforeIssue {
        issued_on: Date,
    },
    /// A due date cannot be computed (the payment term runs past the calendar's end).
    DueDateOutOfRange,
    UnknownCurrency,
    InvalidKind,
    InvalidEmail,
    InvalidPhone,
    InvalidCountry,
    /// A reference or invoice number longer than the domain accepts.
    TooLong {
        max: usize,
    },
    /// A FEC line with both a debit and a credit.
    DebitAndCredit,
    /// An invoice number already given on `first_line` of the same file.
    DuplicateInvoice {
        first_line: u64,
    },
    /// A customer reference (the value) whose name, kind or country differ from `first_line`.
    InconsistentCustomer {
        first_line: u64,
    },
}

impl Problem {
    pub(crate) fn new(line: u64, kind: ProblemKind) -> Problem {
        Problem {
            line,
            column: None,
            value: None,
            kind,
        }
    }

    /// An invoice number given again on `line` after `first_line` (a check across rows, made by
    /// the importer once every row is read).
    pub fn duplicate_invoice(line: u64, first_line: u64) -> Problem {
        Problem::new(line, ProblemKind::DuplicateInvoice { first_line })
    }

    /// The customer `reference` described on `line` otherwise than on `first_line` (name, kind
    /// or country).
    pub fn inconsistent_customer(line: u64, reference: &str, first_line: u64) -> Problem {
        Problem::new(line, ProblemKind::InconsistentCustomer { first_line }).with_value(reference)
    }

    pub(crate) fn in_column(mut self, column: &str) -> Problem {
        self.column = Some(column.to_owned());
        self
    }

    /// Records the offending value; an empty one is no value.
    pub(crate) fn with_value(mut self, value: &str) -> Problem {
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
            ProblemKind::EmptyFile => "the file is empty".to_owned(),
            ProblemKind::ReadFailed { message } => {
                format!("the file could not be read ({message})")
            }
            ProblemKind::MissingColumns { columns } => {
                let names: Vec<String> = columns
                    .iter()
                    .map(|name| format!("\"{}\" (or \"{}\")", name.english, name.french))
                    .collect();
                let noun = if columns.len() == 1 {
                    "column"
                } else {
                    "columns"
                };
                format!("missing required {noun} {}", names.join(", "))
            }
            ProblemKind::DuplicateColumn { first } => {
                format!("this column means the same as \"{first}\"; keep only one of them")
            }
            ProblemKind::NotAFecFile { missing } => {
                format!(
                    "this is not a FEC file (missing columns: {})",
                    missing.join(", ")
                )
            }
            ProblemKind::WrongFieldCount { expected, found } => {
                format!("expected {expected} fields as in the header, found {found}")
            }
            ProblemKind::InvalidUtf8 => format!("{value} is not valid UTF-8 text"),
            ProblemKind::MixedEncoding => format!(
                "{value} is not valid UTF-8 although earlier lines were UTF-8 (the file mixes encodings)"
            ),
            ProblemKind::EmptyRequired => "a value is required here".to_owned(),
            ProblemKind::InvalidAmount(reason) => match reason {
                AmountError::NotANumber => format!("{value} is not an amount"),
                AmountError::BadGrouping => {
                    format!(
                        "{value} is not an amount (thousands separators must separate groups of three digits)"
                    )
                }
                AmountError::TooManyDecimals { currency } => {
                    format!(
                        "{value} has more decimals than {currency} allows ({})",
                        currency.exponent()
                    )
                }
                AmountError::TooLarge => format!("{value} is too large"),
                AmountError::OtherCurrency { found, expected } => {
                    format!("{value} is in {found} but the invoice is in {expected}")
                }
            },
            ProblemKind::NegativeAmount => {
                format!("{value} is negative: credit notes are not imported from an invoice file")
            }
            ProblemKind::ZeroAmount => {
                format!("{value} is zero: an invoice must have a positive amount")
            }
            ProblemKind::NegativeOutstanding => {
                format!("{value}: the amount still due cannot be negative")
            }
            ProblemKind::OutstandingAboveAmount { amount } => {
                format!("{value} is more than the invoice amount ({amount})")
            }
            ProblemKind::InvalidDate => {
                format!("{value} is not a date (expected YYYY-MM-DD, DD/MM/YYYY or YYYYMMDD)")
            }
            ProblemKind::DueBeforeIssue { issued_on } => {
                format!("the due date {value} is before the issue date {issued_on}")
            }
            ProblemKind::DueDateOutOfRange => format!("no due date can be computed from {value}"),
            ProblemKind::UnknownCurrency => format!("{value} is not a known currency code"),
            ProblemKind::InvalidKind => {
                format!("{value} is not a customer kind (expected b2b or b2c)")
            }
            ProblemKind::InvalidEmail => format!("{value} is not an e-mail address"),
            ProblemKind::InvalidPhone => format!("{value} is not a phone number"),
            ProblemKind::InvalidCountry => {
                format!("{value} is not a country code (two letters, such as FR)")
            }
            ProblemKind::TooLong { max } => format!("{value} is longer than {max} characters"),
            ProblemKind::DebitAndCredit => "the line has both a debit and a credit".to_owned(),
            ProblemKind::DuplicateInvoice { first_line } => {
                format!("this invoice number is already on line {first_line}")
            }
            ProblemKind::InconsistentCustomer { first_line } => format!(
                "customer {value} has another name, kind or country than on line {first_line}"
            ),
        }
    }

    fn reason_fr(&self) -> String {
        let value = match &self.value {
            Some(value) => format!("« {value} »"),
            None => "la valeur".to_owned(),
        };
        match &self.kind {
            ProblemKind::EmptyFile => "le fichier est vide".to_owned(),
            ProblemKind::ReadFailed { message } => {
                format!("le fichier n'a pas pu être lu ({message})")
            }
            ProblemKind::MissingColumns { columns } => {
                let names: Vec<String> = columns
                    .iter()
                    .map(|name| format!("« {} » (ou « {} »)", name.english, name.french))
                    .collect();
                if columns.len() == 1 {
                    format!("la colonne obligatoire {} est absente", names.join(", "))
                } else {
                    format!(
                        "les colonnes obligatoires {} sont absentes",
                        names.join(", ")
                    )
                }
            }
            ProblemKind::DuplicateColumn { first } => {
                format!("cette colonne fait double emploi avec « {first} » ; n'en gardez qu'une")
            }
            ProblemKind::NotAFecFile { missing } => {
                format!(
                    "ce n'est pas un fichier FEC (colonnes absentes : {})",
                    missing.join(", ")
                )
            }
            ProblemKind::WrongFieldCount { expected, found } => {
                format!("{found} champs trouvés alors que l'en-tête en compte {expected}")
            }
            ProblemKind::InvalidUtf8 => format!("{value} n'est pas un texte UTF-8 valide"),
            ProblemKind::MixedEncoding => format!(
                "{value} n'est pas de l'UTF-8 valide alors que les lignes précédentes l'étaient (le fichier mélange les encodages)"
            ),
            ProblemKind::EmptyRequired => "une valeur est obligatoire ici".to_owned(),
            ProblemKind::InvalidAmount(reason) => match reason {
                AmountError::NotANumber => format!("{value} n'est pas un montant"),
                AmountError::BadGrouping => format!(
                    "{value} n'est pas un montant (les séparateurs de milliers doivent séparer des groupes de trois chiffres)"
                ),
                AmountError::TooManyDecimals { currency } => format!(
                    "{value} a plus de décimales que la devise {currency} n'en permet ({})",
                    currency.exponent()
                ),
                AmountError::TooLarge => format!("{value} est trop grand"),
                AmountError::OtherCurrency { found, expected } => {
                    format!("{value} est en {found} alors que la facture est en {expected}")
                }
            },
            ProblemKind::NegativeAmount => format!(
                "{value} est négatif : les avoirs ne sont pas importés depuis un fichier de factures"
            ),
            ProblemKind::ZeroAmount => {
                format!("{value} est nul : une facture doit avoir un montant positif")
            }
            ProblemKind::NegativeOutstanding => {
                format!("{value} : le reste dû ne peut pas être négatif")
            }
            ProblemKind::OutstandingAboveAmount { amount } => {
                format!("{value} dépasse le montant de la facture ({amount})")
            }
            ProblemKind::InvalidDate => format!(
                "{value} n'est pas une date (formats attendus : AAAA-MM-JJ, JJ/MM/AAAA ou AAAAMMJJ)"
            ),
            ProblemKind::DueBeforeIssue { issued_on } => {
                format!("l'échéance {value} précède la date de facture {issued_on}")
            }
            ProblemKind::DueDateOutOfRange => {
                format!("aucune échéance ne peut être calculée à partir de {value}")
            }
            ProblemKind::UnknownCurrency => format!("{value} n'est pas un code de devise connu"),
            ProblemKind::InvalidKind => {
                format!("{value} n'est pas un type de client (b2b ou b2c attendu)")
            }
            ProblemKind::InvalidEmail => format!("{value} n'est pas une adresse e-mail"),
            ProblemKind::InvalidPhone => format!("{value} n'est pas un numéro de téléphone"),
            ProblemKind::InvalidCountry => {
                format!("{value} n'est pas un code pays (deux lettres, par exemple FR)")
            }
            ProblemKind::TooLong { max } => format!("{value} dépasse {max} caractères"),
            ProblemKind::DebitAndCredit => {
                "la ligne porte à la fois un débit et un crédit".to_owned()
            }
            ProblemKind::DuplicateInvoice { first_line } => {
                format!("ce numéro de facture figure déjà à la ligne {first_line}")
            }
            ProblemKind::InconsistentCustomer { first_line } => format!(
                "le client {value} n'a pas le même nom, type ou pays qu'à la ligne {first_line}"
            ),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(Language::English))
    }
}

impl std::error::Error for Problem {}

/// An offending value as a problem shows it: trimmed, shortened past `VALUE_CHARS_MAX`
/// characters; an empty one is no value. Shared by every reader's problems.
pub(crate) fn shown_value(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        None
    } else if value.chars().count() > VALUE_CHARS_MAX {
        let mut short: String = value.chars().take(VALUE_CHARS_MAX).collect();
        short.push('…');
        Some(short)
    } else {
        Some(value.to_owned())
    }
}

/// The start of a problem's sentence: the line and, when known, the column.
pub(crate) fn located(language: Language, line: u64, column: Option<&str>) -> String {
    match (language, column) {
        (Language::French, Some(column)) => format!("ligne {line}, colonne « {column} » : "),
        (Language::French, None) => format!("ligne {line} : "),
        (Language::English, Some(column)) => format!("line {line}, column \"{column}\": "),
        (Language::English, None) => format!("line {line}: "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad_amount() -> Problem {
        Problem::new(12, ProblemKind::InvalidAmount(AmountError::BadGrouping))
            .in_column("montant_ttc")
            .with_value(" 12,3,4 ")
    }

    #[test]
    fn an_amount_problem_names_line_column_and_value_in_french() {
        assert_eq!(
            bad_amount().describe(Language::French),
            "ligne 12, colonne « montant_ttc » : « 12,3,4 » n'est pas un montant (les séparateurs de milliers doivent séparer des groupes de trois chiffres)"
        );
    }

    #[test]
    fn display_is_the_english_description() {
        let problem = Problem::new(12, ProblemKind::InvalidAmount(AmountError::NotANumber))
            .in_column("montant_ttc")
            .with_value("12,3,4");
        assert_eq!(
            problem.to_string(),
            "line 12, column \"montant_ttc\": \"12,3,4\" is not an amount"
        );
        assert_eq!(
            problem.describe(Language::French),
            "ligne 12, colonne « montant_ttc » : « 12,3,4 » n'est pas un montant"
        );
    }

    #[test]
    fn problems_without_a_column_name_only_the_line() {
        let problem = Problem::new(1, ProblemKind::EmptyFile);
        assert_eq!(
            problem.describe(Language::French),
            "ligne 1 : le fichier est vide"
        );
        assert_eq!(
            problem.describe(Language::English),
            "line 1: the file is empty"
        );
    }

    #[test]
    fn missing_columns_give_both_accepted_names() {
        let problem = Problem::new(
            1,
            ProblemKind::MissingColumns {
                columns: vec![ColumnName {
                    english: "amount",
                    french: "montant_ttc",
                }],
            },
        );
        assert_eq!(
            problem.describe(Language::French),
            "ligne 1 : la colonne obligatoire « amount » (ou « montant_ttc ») est absente"
        );
        assert_eq!(
            problem.describe(Language::English),
            "line 1: missing required column \"amount\" (or \"montant_ttc\")"
        );
    }

    #[test]
    fn problems_across_rows_name_the_first_line() {
        assert_eq!(
            Problem::duplicate_invoice(9, 4).describe(Language::French),
            "ligne 9 : ce numéro de facture figure déjà à la ligne 4"
        );
        assert_eq!(
            Problem::inconsistent_customer(7, "C1", 2).to_string(),
            "line 7: customer \"C1\" has another name, kind or country than on line 2"
        );
    }

    #[test]
    fn very_long_values_are_shortened() {
        let problem = Problem::new(3, ProblemKind::InvalidDate).with_value(&"9".repeat(10_000));
        let value = problem.value.unwrap_or_default();
        assert_eq!(value.chars().count(), VALUE_CHARS_MAX + 1);
        assert!(value.ends_with('…'));
    }

    #[test]
    fn every_kind_has_a_description_in_both_languages() {
        let kinds = [
            ProblemKind::EmptyFile,
            ProblemKind::ReadFailed {
                message: "disk".into(),
            },
            ProblemKind::DuplicateColumn {
                first: "amount".into(),
            },
            ProblemKind::NotAFecFile {
                missing: vec!["Debit", "Credit"],
            },
            ProblemKind::WrongFieldCount {
                expected: 8,
                found: 7,
            },
            ProblemKind::InvalidUtf8,
            ProblemKind::MixedEncoding,
            ProblemKind::EmptyRequired,
            ProblemKind::InvalidAmount(AmountError::TooLarge),
            ProblemKind::InvalidAmount(AmountError::TooManyDecimals {
                currency: Currency::EUR,
            }),
            ProblemKind::InvalidAmount(AmountError::OtherCurrency {
                found: "USD".into(),
                expected: Currency::EUR,
            }),
            ProblemKind::NegativeAmount,
            ProblemKind::ZeroAmount,
            ProblemKind::NegativeOutstanding,
            ProblemKind::OutstandingAboveAmount {
                amount: Money::from_minor(100, Currency::EUR),
            },
            ProblemKind::InvalidDate,
            ProblemKind::DueBeforeIssue {
                issued_on: jiff::civil::date(2025, 1, 10),
            },
            ProblemKind::DueDateOutOfRange,
            ProblemKind::UnknownCurrency,
            ProblemKind::InvalidKind,
            ProblemKind::InvalidEmail,
            ProblemKind::InvalidPhone,
            ProblemKind::InvalidCountry,
            ProblemKind::TooLong { max: 64 },
            ProblemKind::DebitAndCredit,
            ProblemKind::DuplicateInvoice { first_line: 1 },
            ProblemKind::InconsistentCustomer { first_line: 1 },
        ];
        for kind in kinds {
            let problem = Problem::new(2, kind).in_column("x").with_value("v");
            let french = problem.describe(Language::French);
            let english = problem.describe(Language::English);
            assert!(french.starts_with("ligne 2, colonne « x » : "), "{french}");
            assert!(english.starts_with("line 2, column \"x\": "), "{english}");
            assert_ne!(french, english);
        }
    }
}
