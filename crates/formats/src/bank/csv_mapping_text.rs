//! A `BankCsvMapping` as a creditor saves it: every setting as text (the command line's
//! options, the TOML kept per tenant), turned into a mapping by `MappingSpec::mapping`, whose
//! errors name the setting and the value.
//!
//! A column is its header's name (any case) or `#N`, its position from 1, for exports
//! without a header. The decimal separator may be the delimiter too: amounts are then quoted
//! (`"-50,00"` in a comma-separated export, as a sample bank does). `MappingSpec::default()` is the French convention (`;`, decimal comma,
//! `dd/mm/yyyy`, euros, columns `Date`, `Libellé`, `Montant`), the mapping called `french`.

use domain::customer::Language;
use domain::money::Currency;
use serde::{Deserialize, Serialize};

use super::bank_csv::{BankCsvMapping, CsvAmountColumns, CsvColumn, CsvColumns, DateFormat};
use crate::text::TextEncoding;

/// A mapping's settings as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingSpec {
    /// One character; `tab` for a tab.
    pub delimiter: String,
    /// `,` or `.`.
    pub decimal_separator: String,
    /// `dd/mm/yyyy`, `mm/dd/yyyy`, `yyyy-mm-dd`, `yyyymmdd`…
    pub date_format: String,
    /// `auto` (UTF-8, or Windows-1252 when the file is not UTF-8), `utf-8` or `windows-1252`.
    pub encoding: String,
    /// Lines before the header (bank and account details).
    pub skip_lines: usize,
    pub has_header: bool,
    /// Rows to leave out at the end (a closing balance).
    pub footer_lines: usize,
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The booking date's column.
    pub date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_date: Option<String>,
    /// One signed amount (positive: money in)…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// …or a credit and a debit column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debit: Option<String>,
    /// The label and remittance columns, in order.
    #[serde(default)]
    pub label: Vec<String>,
    /// The payer's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer: Option<String>,
    /// The payer's account (IBAN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_account: Option<String>,
    /// The bank's reference of the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// A currency per row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_column: Option<String>,
}

impl Default for MappingSpec {
    /// The French convention.
    fn default() -> MappingSpec {
        MappingSpec {
            delimiter: ";".to_owned(),
            decimal_separator: ",".to_owned(),
            date_format: "dd/mm/yyyy".to_owned(),
            encoding: "auto".to_owned(),
            skip_lines: 0,
            has_header: true,
            footer_lines: 0,
            currency: "EUR".to_owned(),
            account: None,
            date: "Date".to_owned(),
            value_date: None,
            amount: Some("Montant".to_owned()),
            credit: None,
            debit: None,
            label: vec!["Libellé".to_owned()],
            payer: None,
            payer_account: None,
            reference: None,
            currency_column: None,
        }
    }
}

/// A setting that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingError {
    /// The setting, as `MappingSpec` and the TOML name it (`date_format`, `amount`…).
    pub setting: &'static str,
    pub value: String,
    pub reason_en: &'static str,
    pub reason_fr: &'static str,
}

impl MappingError {
    fn new(
        setting: &'static str,
        value: &str,
        reason_en: &'static str,
        reason_fr: &'static str,
    ) -> MappingError {
        MappingError {
            setting,
            value: value.to_owned(),
            reason_en,
            reason_fr,
        }
    }

    pub fn describe(&self, language: Language) -> String {
        match language {
            Language::French => format!(
                "réglage « {} » ({:?}) : {}",
                self.setting, self.value, self.reason_fr
            ),
            Language::English => format!(
                "setting \"{}\" ({:?}): {}",
                self.setting, self.value, self.reason_en
            ),
        }
    }
}

impl std::fmt::Display for MappingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe(Language::English))
    }
}

impl std::error::Error for MappingError {}

fn column(setting: &'static str, text: &str) -> Result<CsvColumn, MappingError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(MappingError::new(
            setting,
            text,
            "a column is its header's name or #N, its position from 1",
            "une colonne est le nom de son en-tête ou #N, sa position à partir de 1",
        ));
    }
    match text.strip_prefix('#') {
        Some(position) => match position.parse::<usize>() {
            Ok(position) if position >= 1 => Ok(CsvColumn::Position(position)),
            _ => Err(MappingError::new(
                setting,
                text,
                "a column position is #1, #2…",
                "une position de colonne s'écrit #1, #2…",
            )),
        },
        None => Ok(CsvColumn::named(text)),
    }
}

fn optional(
    setting: &'static str,
    text: &Option<String>,
) -> Result<Option<CsvColumn>, MappingError> {
    text.as_deref()
        .map(|text| column(setting, text))
        .transpose()
}

fn column_text(column: &CsvColumn) -> String {
    match column {
        CsvColumn::Named(name) => name.clone(),
        CsvColumn::Position(position) => format!("#{position}"),
    }
}

impl MappingSpec {
    /// The mapping these settings describe; the first setting that cannot be used is named.
    pub fn mapping(&self) -> Result<BankCsvMapping, MappingError> {
        let delimiter = match self.delimiter.as_str() {
            "tab" | "\\t" | "\t" => b'\t',
            text => match text.as_bytes() {
                [byte] if byte.is_ascii_punctuation() && *byte != b'"' => *byte,
                _ => {
                    return Err(MappingError::new(
                        "delimiter",
                        text,
                        "one punctuation character such as ; , | or tab",
                        "un signe de ponctuation comme ; , | ou tab",
                    ));
                }
            },
        };
        let decimal_separator = match self.decimal_separator.as_str() {
            "," => ',',
            "." => '.',
            text => {
                return Err(MappingError::new(
                    "decimal_separator",
                    text,
                    "the decimal separator is , or .",
                    "le séparateur décimal est , ou .",
                ));
            }
        };
        let date_format = DateFormat::parse(&self.date_format).ok_or_else(|| {
            MappingError::new(
                "date_format",
                &self.date_format,
                "a pattern with dd, mm and yyyy (or yy), such as dd/mm/yyyy or yyyymmdd",
                "un motif fait de dd, mm et yyyy (ou yy), comme dd/mm/yyyy ou yyyymmdd",
            )
        })?;
        let encoding = match self.encoding.to_ascii_lowercase().as_str() {
            "auto" => None,
            "utf-8" | "utf8" => Some(TextEncoding::Utf8),
            "windows-1252" | "cp1252" | "latin-1" | "iso-8859-1" => Some(TextEncoding::Windows1252),
            _ => {
                return Err(MappingError::new(
                    "encoding",
                    &self.encoding,
                    "auto, utf-8 or windows-1252",
                    "auto, utf-8 ou windows-1252",
                ));
            }
        };
        let currency = Currency::from_code(self.currency.trim()).map_err(|_| {
            MappingError::new(
                "currency",
                &self.currency,
                "an ISO 4217 currency code such as EUR",
                "un code de devise ISO 4217 comme EUR",
            )
        })?;
        let amount = match (&self.amount, &self.credit, &self.debit) {
            (Some(amount), None, None) => CsvAmountColumns::Signed(column("amount", amount)?),
            (None, Some(credit), Some(debit)) => CsvAmountColumns::CreditDebit {
                credit: column("credit", credit)?,
                debit: column("debit", debit)?,
            },
            (Some(amount), _, _) => {
                return Err(MappingError::new(
                    "amount",
                    amount,
                    "one signed amount column, or a credit and a debit column, not both",
                    "une colonne de montant signé, ou une colonne crédit et une colonne débit, pas les deux",
                ));
            }
            (None, credit, debit) => {
                let (setting, value) = if credit.is_some() {
                    ("debit", "")
                } else {
                    ("credit", debit.as_deref().unwrap_or(""))
                };
                return Err(MappingError::new(
                    setting,
                    value,
                    "an amount column is needed: one signed amount, or a credit and a debit column",
                    "il faut une colonne de montant : un montant signé, ou une colonne crédit et une colonne débit",
                ));
            }
        };
        let label = self
            .label
            .iter()
            .map(|text| column("label", text))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BankCsvMapping {
            delimiter,
            decimal_separator,
            date_format,
            skip_lines: self.skip_lines,
            has_header: self.has_header,
            footer_lines: self.footer_lines,
            currency,
            account: self
                .account
                .as_deref()
                .map(str::trim)
                .filter(|account| !account.is_empty())
                .map(str::to_owned),
            encoding,
            columns: CsvColumns {
                date: column("date", &self.date)?,
                value_date: optional("value_date", &self.value_date)?,
                amount,
                label,
                counterparty: optional("payer", &self.payer)?,
                counterparty_account: optional("payer_account", &self.payer_account)?,
                reference: optional("reference", &self.reference)?,
                currency: optional("currency_column", &self.currency_column)?,
            },
        })
    }

    /// The settings of a mapping, as they are saved.
    pub fn of(mapping: &BankCsvMapping) -> MappingSpec {
        let columns = &mapping.columns;
        let (amount, credit, debit) = match &columns.amount {
            CsvAmountColumns::Signed(amount) => (Some(column_text(amount)), None, None),
            CsvAmountColumns::CreditDebit { credit, debit } => {
                (None, Some(column_text(credit)), Some(column_text(debit)))
            }
        };
        MappingSpec {
            delimiter: if mapping.delimiter == b'\t' {
                "tab".to_owned()
            } else {
                char::from(mapping.delimiter).to_string()
            },
            decimal_separator: mapping.decimal_separator.to_string(),
            date_format: mapping.date_format.pattern().to_owned(),
            encoding: match mapping.encoding {
                None => "auto",
                Some(TextEncoding::Utf8) => "utf-8",
                Some(TextEncoding::Windows1252) => "windows-1252",
            }
            .to_owned(),
            skip_lines: mapping.skip_lines,
            has_header: mapping.has_header,
            footer_lines: mapping.footer_lines,
            currency: mapping.currency.code().to_owned(),
            account: mapping.account.clone(),
            date: column_text(&columns.date),
            value_date: columns.value_date.as_ref().map(column_text),
            amount,
            credit,
            debit,
            label: columns.label.iter().map(column_text).collect(),
            payer: columns.counterparty.as_ref().map(column_text),
            payer_account: columns.counterparty_account.as_ref().map(column_text),
            reference: columns.reference.as_ref().map(column_text),
            currency_column: columns.currency.as_ref().map(column_text),
        }
    }

    /// The settings as TOML, the way they are kept.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a mapping's settings serialise")
    }

    /// Settings kept as TOML.
    pub fn from_toml(text: &str) -> Result<MappingSpec, toml::de::Error> {
        toml::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_the_french_convention_and_settings_survive_being_kept() {
        let french = MappingSpec::default().mapping().unwrap();
        assert_eq!(
            french,
            BankCsvMapping::french(CsvColumns {
                date: CsvColumn::named("Date"),
                value_date: None,
                amount: CsvAmountColumns::Signed(CsvColumn::named("Montant")),
                label: vec![CsvColumn::named("Libellé")],
                counterparty: None,
                counterparty_account: None,
                reference: None,
                currency: None,
            })
        );
        let spec = MappingSpec {
            delimiter: "tab".into(),
            decimal_separator: ".".into(),
            date_format: "mm/dd/yyyy".into(),
            encoding: "windows-1252".into(),
            skip_lines: 4,
            footer_lines: 1,
            account: Some("FR7630006000011234567890189".into()),
            amount: None,
            credit: Some("Credit".into()),
            debit: Some("#4".into()),
            payer_account: Some("IBAN".into()),
            value_date: Some("Valeur".into()),
            ..MappingSpec::default()
        };
        let mapping = spec.mapping().unwrap();
        assert_eq!(mapping.delimiter, b'\t');
        assert_eq!(
            mapping.columns.amount,
            CsvAmountColumns::CreditDebit {
                credit: CsvColumn::named("Credit"),
                debit: CsvColumn::Position(4)
            }
        );
        let kept = MappingSpec::from_toml(&spec.to_toml()).unwrap();
        assert_eq!(kept, spec);
        assert_eq!(MappingSpec::of(&mapping), spec);
    }

    #[test]
    fn a_setting_that_cannot_be_used_is_named_with_its_value() {
        let cases = [
            (
                MappingSpec {
                    date_format: "jj/mm/aaaa".into(),
                    ..MappingSpec::default()
                },
                "date_format",
            ),
            (
                MappingSpec {
                    delimiter: "ab".into(),
                    ..MappingSpec::default()
                },
                "delimiter",
            ),
            (
                MappingSpec {
                    decimal_separator: ";".into(),
                    ..MappingSpec::default()
                },
                "decimal_separator",
            ),
            (
                MappingSpec {
                    amount: None,
                    credit: Some("Crédit".into()),
                    ..MappingSpec::default()
                },
                "debit",
            ),
            (
                MappingSpec {
                    payer: Some("#0".into()),
                    ..MappingSpec::default()
                },
                "payer",
            ),
            (
                MappingSpec {
                    encoding: "ebcdic".into(),
                    ..MappingSpec::default()
                },
                "encoding",
            ),
            (
                MappingSpec {
                    currency: "EURO".into(),
                    ..MappingSpec::default()
                },
                "currency",
            ),
        ];
        for (spec, setting) in cases {
            let error = spec.mapping().unwrap_err();
            assert_eq!(error.setting, setting, "{error}");
            assert!(error.describe(Language::French).contains(setting));
        }
    }
}
