//! Money in: `relance import bank`, `relance payments review|match|unmatch|ignore|settings` and
//! `relance payment add`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, anyhow};
use app::clock::Clock;
use app::payments::{self, ManualPayment, PaymentError, SettingsChange};
use app::setup::select_tenant;
use clap::{Args, Subcommand, ValueEnum};
use formats::bank::{BankCsvMapping, BankFormat, MappingSpec};
use serde::Serialize;

use crate::casework::language;
use crate::cli::{Lang, OutputFormat};
use crate::commands::{emit, say};
use crate::config::Config;
use crate::output::{Table, human_amount, print_json};
use crate::{EXIT_REJECTED, Reported, tr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum BankFileFormat {
    Auto,
    Camt053,
    Camt054,
    Ofx,
    Mt940,
    Csv,
}

/// `relance import bank FILE`.
#[derive(Debug, Args)]
pub(crate) struct ImportBankArgs {
    /// The bank file: camt.053, camt.054, OFX, MT940, or a CSV export with --mapping.
    file: PathBuf,
    /// The file's format (default: detected).
    #[arg(long, value_enum, default_value_t = BankFileFormat::Auto)]
    format: BankFileFormat,
    /// A CSV export's mapping: `french` (the built-in convention: `;`, decimal comma,
    /// dd/mm/yyyy, euros, columns Date, Libellé, Montant) or one saved with
    /// `relance payments mapping save`; the --csv-… options change it for this file.
    #[arg(long)]
    mapping: Option<String>,
    #[command(flatten)]
    csv: CsvOptions,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    output: OutputFormat,
}

/// A CSV mapping's settings, each changing the mapping it starts from.
#[derive(Debug, Args, Default)]
pub(crate) struct CsvOptions {
    /// CSV: the booking date column (a header's name, or #N for the Nth column).
    #[arg(long)]
    csv_date: Option<String>,
    /// CSV: the value date column.
    #[arg(long)]
    csv_value_date: Option<String>,
    /// CSV: one signed amount column (positive: money in).
    #[arg(long, conflicts_with_all = ["csv_credit", "csv_debit"])]
    csv_amount: Option<String>,
    /// CSV: the credit column (with --csv-debit).
    #[arg(long, requires = "csv_debit")]
    csv_credit: Option<String>,
    /// CSV: the debit column (with --csv-credit).
    #[arg(long, requires = "csv_credit")]
    csv_debit: Option<String>,
    /// CSV: label and remittance columns, in order (repeat the option).
    #[arg(long)]
    csv_label: Vec<String>,
    /// CSV: the payer's name column.
    #[arg(long)]
    csv_counterparty: Option<String>,
    /// CSV: the payer's IBAN column.
    #[arg(long)]
    csv_counterparty_account: Option<String>,
    /// CSV: the bank's reference column (unique per line).
    #[arg(long)]
    csv_reference: Option<String>,
    /// CSV: the account the export is of (keeps two accounts' lines apart).
    #[arg(long)]
    csv_account: Option<String>,
    /// CSV: the date pattern (dd/mm/yyyy, yyyy-mm-dd, mm/dd/yyyy, yyyymmdd…).
    #[arg(long)]
    csv_date_format: Option<String>,
    /// CSV: the delimiter (`;`, `,`, `|`, `tab`).
    #[arg(long)]
    csv_delimiter: Option<String>,
    /// CSV: the decimal separator (`,` or `.`).
    #[arg(long)]
    csv_decimal: Option<String>,
    /// CSV: the encoding (auto, utf-8, windows-1252).
    #[arg(long)]
    csv_encoding: Option<String>,
    /// CSV: the currency of the amounts (ISO 4217).
    #[arg(long)]
    csv_currency: Option<String>,
    /// CSV: lines before the header.
    #[arg(long)]
    csv_skip_lines: Option<usize>,
    /// CSV: rows to leave out at the end (a closing-balance line).
    #[arg(long)]
    csv_footer_lines: Option<usize>,
}

impl CsvOptions {
    fn any(&self) -> bool {
        self.changes(MappingSpec::default()) != MappingSpec::default()
    }

    /// `spec` with what the options say instead.
    fn changes(&self, mut spec: MappingSpec) -> MappingSpec {
        let set = |target: &mut String, value: &Option<String>| {
            if let Some(value) = value {
                target.clone_from(value);
            }
        };
        let set_column = |target: &mut Option<String>, value: &Option<String>| {
            if value.is_some() {
                target.clone_from(value);
            }
        };
        set(&mut spec.date, &self.csv_date);
        set_column(&mut spec.value_date, &self.csv_value_date);
        if self.csv_amount.is_some() {
            spec.amount.clone_from(&self.csv_amount);
            spec.credit = None;
            spec.debit = None;
        }
        if self.csv_credit.is_some() {
            spec.amount = None;
            spec.credit.clone_from(&self.csv_credit);
            spec.debit.clone_from(&self.csv_debit);
        }
        if !self.csv_label.is_empty() {
            spec.label.clone_from(&self.csv_label);
        }
        set_column(&mut spec.payer, &self.csv_counterparty);
        set_column(&mut spec.payer_account, &self.csv_counterparty_account);
        set_column(&mut spec.reference, &self.csv_reference);
        set_column(&mut spec.account, &self.csv_account);
        set(&mut spec.date_format, &self.csv_date_format);
        set(&mut spec.delimiter, &self.csv_delimiter);
        set(&mut spec.decimal_separator, &self.csv_decimal);
        set(&mut spec.encoding, &self.csv_encoding);
        set(&mut spec.currency, &self.csv_currency);
        if let Some(skip) = self.csv_skip_lines {
            spec.skip_lines = skip;
        }
        if let Some(footer) = self.csv_footer_lines {
            spec.footer_lines = footer;
        }
        spec
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum PaymentsCommand {
    /// Bank credits waiting for a person, with the matcher's suggestion and its reasons.
    Review {
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Every imported bank line, or those in one state, with what it pays and why.
    Lines {
        /// auto_applied, suggested, unmatched, manual, ignored, reversed, reversal, outgoing.
        #[arg(long)]
        state: Option<String>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// The open invoices a bank line may pay, best first: the matcher's suggestion, those its
    /// text cites, the suggested customer's, those of exactly its amount.
    Candidates {
        line: i64,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Pay invoices (one customer's) with a bank line: oldest due first, the rest a credit.
    Match {
        line: i64,
        #[arg(required = true)]
        invoices: Vec<String>,
    },
    /// Undo what a bank line paid: the invoices owe it again, the line waits for review.
    Unmatch { line: i64 },
    /// Set a waiting line aside: it is not a customer's payment.
    Ignore { line: i64 },
    /// The matching threshold, the amount tolerance, receipts and thanks.
    #[command(subcommand)]
    Settings(PaymentSettingsCommand),
    /// Saved CSV mappings of bank exports, for `relance import bank FILE --mapping NAME`.
    #[command(subcommand)]
    Mapping(MappingCommand),
}

#[derive(Debug, Args)]
pub(crate) struct MappingSave {
    name: String,
    #[arg(long)]
    from: Option<String>,
    #[command(flatten)]
    csv: CsvOptions,
}

#[derive(Debug, Subcommand)]
pub(crate) enum MappingCommand {
    /// Save a mapping under a name (replacing one of that name): the mapping --from names
    /// (default `french`) with what the --csv-… options change.
    Save(Box<MappingSave>),
    /// The mappings an import can use.
    List {
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// One mapping's settings, as kept (TOML).
    Show { name: String },
    /// Delete a saved mapping.
    Delete { name: String },
}

#[derive(Debug, Subcommand)]
pub(crate) enum PaymentSettingsCommand {
    Show {
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Change what is given; the rest stays.
    Set {
        /// Apply matches at or above this confidence (0–100) without review.
        #[arg(long)]
        threshold: Option<u8>,
        /// How far a payment may be from what it pays (bank fees, rounding), e.g. 1.00.
        #[arg(long)]
        tolerance: Option<String>,
        /// Queue a receipt (quittance) when a customer has paid everything: yes or no.
        #[arg(long)]
        receipt: Option<YesNo>,
        /// Queue a thank-you when a customer has paid everything: yes or no.
        #[arg(long)]
        thank_you: Option<YesNo>,
        /// Write off what a payment leaves owing when it is this much or less (bank fees),
        /// e.g. 5.00; 0 turns it off (the default).
        #[arg(long)]
        write_off: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum YesNo {
    Yes,
    No,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PaymentCommand {
    /// Record a payment received outside a bank file (cheque, cash, card).
    Add(PaymentAddArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PaymentAddArgs {
    #[arg(long)]
    customer: String,
    #[arg(long)]
    amount: String,
    /// The day it was received.
    #[arg(long)]
    on: jiff::civil::Date,
    /// Invoices it pays (repeat); none: the customer's oldest first.
    #[arg(long = "invoice")]
    invoices: Vec<String>,
    #[arg(long, default_value = "")]
    reference: String,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
}

/// The mapping a CSV file is read with: the one named (`french` by default), changed by the
/// --csv-… options; none when the file is not read as CSV.
async fn csv_mapping(
    store: &app::Store,
    tenant: &app::TenantRecord,
    args: &ImportBankArgs,
    lang: Lang,
) -> anyhow::Result<Option<BankCsvMapping>> {
    let wants_csv = args.format == BankFileFormat::Csv || args.mapping.is_some() || args.csv.any();
    if !wants_csv {
        return Ok(None);
    }
    let name = args.mapping.as_deref().unwrap_or(payments::FRENCH_MAPPING);
    let spec = payments::mapping_spec(store, tenant, name)
        .await
        .map_err(|error| payment_error(error, lang))?;
    let mapping = args
        .csv
        .changes(spec)
        .mapping()
        .map_err(|error| anyhow!(error.describe(language(lang))))?;
    Ok(Some(mapping))
}

/// A payment error in the user's language where it has words of its own.
fn payment_error(error: PaymentError, lang: Lang) -> anyhow::Error {
    match error {
        PaymentError::UnknownMapping { name, known } => anyhow!(
            "{} {name:?} ({} {})",
            tr(lang, "correspondance CSV inconnue", "unknown CSV mapping"),
            tr(lang, "connues :", "known:"),
            known.join(", ")
        ),
        PaymentError::Mapping(error) => anyhow!(error.describe(language(lang))),
        other => other.into(),
    }
}

pub(crate) async fn import_bank(
    config: &Config,
    tenant: Option<i64>,
    args: &ImportBankArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let format = match args.format {
        BankFileFormat::Auto => None,
        BankFileFormat::Camt053 => Some(BankFormat::Camt053),
        BankFileFormat::Camt054 => Some(BankFormat::Camt054),
        BankFileFormat::Ofx => Some(BankFormat::Ofx),
        BankFileFormat::Mt940 => Some(BankFormat::Mt940),
        BankFileFormat::Csv => Some(BankFormat::Csv),
    };
    let mapping = csv_mapping(&store, &tenant, args, lang).await?;
    let file_name = args.file.display().to_string();
    let result = payments::import_bank(
        &store,
        &tenant,
        Clock::System,
        &bytes,
        &file_name,
        format,
        mapping.as_ref(),
        language(lang),
    )
    .await;
    match result {
        Ok(report) => {
            let outcome = &report.outcome;
            if args.output == OutputFormat::Json {
                #[derive(Serialize)]
                struct Json<'a> {
                    file: &'a str,
                    format: &'a str,
                    variant: &'a str,
                    statements: usize,
                    lines_read: u32,
                    created: u32,
                    duplicates: u32,
                    applied: u32,
                    queued: u32,
                    outgoing: u32,
                    reversals_applied: u32,
                    reversals_queued: u32,
                    write_offs: u32,
                    not_booked: usize,
                    cases_closed: u32,
                    receipts_queued: u32,
                    thanks_queued: u32,
                }
                return print_json(&Json {
                    file: &file_name,
                    format: report.format.code(),
                    variant: &report.variant,
                    statements: report.statements,
                    lines_read: outcome.lines_read,
                    created: outcome.created,
                    duplicates: outcome.duplicates,
                    applied: outcome.applied,
                    queued: outcome.queued,
                    outgoing: outcome.outgoing,
                    reversals_applied: outcome.reversals_applied,
                    reversals_queued: outcome.reversals_queued,
                    write_offs: outcome.write_offs,
                    not_booked: report.skipped,
                    cases_closed: outcome.cases_closed,
                    receipts_queued: outcome.receipts_queued,
                    thanks_queued: outcome.thanks_queued,
                });
            }
            let text = match lang {
                Lang::Fr => format!(
                    "{file_name} ({}, {} relevé(s)) : {} ligne(s) lue(s), {} créée(s), {} déjà importée(s).\n\
                     Paiements appliqués : {} ; en attente de revue : {} ; débits : {} ; retours appliqués : {} ; non comptabilisées ignorées : {}.\n\
                     Reliquats passés en perte : {} ; dossiers clos : {} (quittances : {}, remerciements : {}).",
                    report.variant,
                    report.statements,
                    outcome.lines_read,
                    outcome.created,
                    outcome.duplicates,
                    outcome.applied,
                    outcome.queued,
                    outcome.outgoing,
                    outcome.reversals_applied,
                    report.skipped,
                    outcome.write_offs,
                    outcome.cases_closed,
                    outcome.receipts_queued,
                    outcome.thanks_queued
                ),
                Lang::En => format!(
                    "{file_name} ({}, {} statement(s)): {} line(s) read, {} created, {} already imported.\n\
                     Payments applied: {}; waiting for review: {}; debits: {}; returns applied: {}; not booked, left out: {}.\n\
                     Remainders written off: {}; cases closed: {} (receipts: {}, thanks: {}).",
                    report.variant,
                    report.statements,
                    outcome.lines_read,
                    outcome.created,
                    outcome.duplicates,
                    outcome.applied,
                    outcome.queued,
                    outcome.outgoing,
                    outcome.reversals_applied,
                    report.skipped,
                    outcome.write_offs,
                    outcome.cases_closed,
                    outcome.receipts_queued,
                    outcome.thanks_queued
                ),
            };
            say(text)
        }
        Err(PaymentError::Rejected(problems)) => {
            let mut stderr = std::io::stderr().lock();
            match lang {
                Lang::Fr => writeln!(
                    stderr,
                    "{file_name} refusé : {} problème(s), rien n'a été importé.",
                    problems.len()
                )?,
                Lang::En => writeln!(
                    stderr,
                    "{file_name} rejected: {} problem(s), nothing was imported.",
                    problems.len()
                )?,
            }
            for problem in &problems {
                writeln!(stderr, "  {}", problem.describe(language(lang)))?;
            }
            Err(Reported(EXIT_REJECTED).into())
        }
        Err(other) => Err(other.into()),
    }
}

pub(crate) async fn payments_command(
    config: &Config,
    tenant: Option<i64>,
    command: PaymentsCommand,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    let clock = Clock::System;
    match command {
        PaymentsCommand::Review { format } => {
            let queue = payments::review_queue(&store, &tenant).await?;
            print_lines(&queue, format, lang)
        }
        PaymentsCommand::Lines { state, format } => {
            let lines = payments::list_lines(&store, &tenant, state.as_deref()).await?;
            print_lines(&lines, format, lang)
        }
        PaymentsCommand::Candidates { line, format } => {
            let (_, candidates) = payments::candidates(&store, &tenant, line).await?;
            print_candidates(&candidates, format, lang)
        }
        PaymentsCommand::Match { line, invoices } => {
            let applied =
                payments::match_line(&store, &tenant, clock, line, &invoices, language(lang))
                    .await?;
            say(applied_text(&applied, tenant.profile.currency, lang))
        }
        PaymentsCommand::Unmatch { line } => {
            let restored =
                payments::unmatch_line(&store, &tenant, clock, line, language(lang)).await?;
            say(match lang {
                Lang::Fr => format!(
                    "ligne {line} défaite : {} de nouveau dus ; elle attend une revue.",
                    human_amount(restored, lang)
                ),
                Lang::En => format!(
                    "line {line} undone: {} owed again; it waits for review.",
                    human_amount(restored, lang)
                ),
            })
        }
        PaymentsCommand::Ignore { line } => {
            payments::ignore_line(&store, &tenant, clock, line).await?;
            say(match lang {
                Lang::Fr => format!("ligne {line} mise de côté."),
                Lang::En => format!("line {line} set aside."),
            })
        }
        PaymentsCommand::Mapping(command) => mapping_command(&store, &tenant, command, lang).await,
        PaymentsCommand::Settings(PaymentSettingsCommand::Show { format }) => {
            let settings = payments::settings(&store, &tenant).await?;
            print_settings(&settings, format, lang)
        }
        PaymentsCommand::Settings(PaymentSettingsCommand::Set {
            threshold,
            tolerance,
            receipt,
            thank_you,
            write_off,
        }) => {
            let settings = payments::change_settings(
                &store,
                &tenant,
                clock,
                &SettingsChange {
                    auto_apply_threshold: threshold,
                    amount_tolerance: tolerance,
                    send_receipt: receipt.map(|value| value == YesNo::Yes),
                    send_thank_you: thank_you.map(|value| value == YesNo::Yes),
                    write_off,
                },
            )
            .await?;
            print_settings(&settings, OutputFormat::Table, lang)
        }
    }
}

fn explanation(line: &app::BankLineRecord, lang: Lang) -> &str {
    match lang {
        Lang::Fr => &line.explanation_fr,
        Lang::En => &line.explanation_en,
    }
}

fn print_candidates(
    candidates: &[payments::Candidate],
    format: OutputFormat,
    lang: Lang,
) -> anyhow::Result<()> {
    if format == OutputFormat::Json {
        #[derive(Serialize)]
        struct Json<'a> {
            reason: &'a str,
            invoice_number: &'a str,
            customer_ref: &'a str,
            customer_name: &'a str,
            due_on: String,
            outstanding: String,
            currency: String,
        }
        let items: Vec<Json<'_>> = candidates
            .iter()
            .map(|candidate| Json {
                reason: candidate.reason.code(),
                invoice_number: &candidate.invoice.number,
                customer_ref: &candidate.invoice.customer_ref,
                customer_name: &candidate.invoice.customer_name,
                due_on: candidate.due_on.to_string(),
                outstanding: candidate.invoice.outstanding.to_decimal_string(),
                currency: candidate.invoice.outstanding.currency().code().to_owned(),
            })
            .collect();
        return print_json(&items);
    }
    let table = Table {
        headers: if lang == Lang::Fr {
            vec![
                "pourquoi",
                "facture",
                "client",
                "raison_sociale",
                "échéance",
                "reste_dû",
            ]
        } else {
            vec!["why", "invoice", "customer", "name", "due", "outstanding"]
        },
        numeric: vec![false, false, false, false, false, true],
        rows: candidates
            .iter()
            .map(|candidate| {
                vec![
                    candidate.reason.describe(language(lang)).to_owned(),
                    candidate.invoice.number.clone(),
                    candidate.invoice.customer_ref.clone(),
                    candidate.invoice.customer_name.clone(),
                    candidate.due_on.to_string(),
                    if format == OutputFormat::Csv {
                        candidate.invoice.outstanding.to_decimal_string()
                    } else {
                        human_amount(candidate.invoice.outstanding, lang)
                    },
                ]
            })
            .collect(),
    };
    emit(&table, format)
}

fn print_lines(
    queue: &[payments::ReviewItem],
    format: OutputFormat,
    lang: Lang,
) -> anyhow::Result<()> {
    if format == OutputFormat::Json {
        #[derive(Serialize)]
        struct Suggestion {
            invoice_number: String,
            amount: String,
        }
        #[derive(Serialize)]
        struct Json {
            line: i64,
            booking_date: String,
            amount: String,
            currency: String,
            payer: String,
            payer_account: String,
            remittance: String,
            reference: String,
            state: String,
            confidence: u8,
            customer_ref: Option<String>,
            suggestion: Vec<Suggestion>,
            explanation: String,
        }
        let items: Vec<Json> = queue
            .iter()
            .map(|item| Json {
                line: item.line.id,
                booking_date: item.line.booking_date.to_string(),
                amount: item.line.amount.to_decimal_string(),
                currency: item.line.amount.currency().code().to_owned(),
                payer: item.line.counterparty_name.clone(),
                payer_account: item.line.counterparty_account.clone(),
                remittance: item.line.remittance.clone(),
                reference: item.line.creditor_reference.clone(),
                state: item.line.state.clone(),
                confidence: item.line.confidence,
                customer_ref: item.customer.clone(),
                suggestion: item
                    .invoices
                    .iter()
                    .map(|(number, amount)| Suggestion {
                        invoice_number: number.clone(),
                        amount: amount.to_decimal_string(),
                    })
                    .collect(),
                explanation: explanation(&item.line, lang).to_owned(),
            })
            .collect();
        return print_json(&items);
    }
    let table = Table {
        headers: if lang == Lang::Fr {
            vec![
                "ligne",
                "date",
                "montant",
                "payeur",
                "libellé",
                "état",
                "client",
                "factures",
                "explication",
            ]
        } else {
            vec![
                "line",
                "date",
                "amount",
                "payer",
                "text",
                "state",
                "customer",
                "invoices",
                "explanation",
            ]
        },
        numeric: vec![true, false, true, false, false, false, false, false, false],
        rows: queue
            .iter()
            .map(|item| {
                let amount = if format == OutputFormat::Csv {
                    item.line.amount.to_decimal_string()
                } else {
                    human_amount(item.line.amount, lang)
                };
                vec![
                    item.line.id.to_string(),
                    item.line.booking_date.to_string(),
                    amount,
                    item.line.counterparty_name.clone(),
                    shorten(&item.line.remittance, 40),
                    item.line.state.clone(),
                    item.customer.clone().unwrap_or_default(),
                    item.invoices
                        .iter()
                        .map(|(number, _)| number.clone())
                        .collect::<Vec<_>>()
                        .join(" "),
                    explanation(&item.line, lang).to_owned(),
                ]
            })
            .collect(),
    };
    emit(&table, format)
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(max - 1).collect();
        short.push('…');
        short
    }
}

async fn mapping_command(
    store: &app::Store,
    tenant: &app::TenantRecord,
    command: MappingCommand,
    lang: Lang,
) -> anyhow::Result<()> {
    match command {
        MappingCommand::Save(save) => {
            let MappingSave { name, from, csv } = *save;
            let base = payments::mapping_spec(
                store,
                tenant,
                from.as_deref().unwrap_or(payments::FRENCH_MAPPING),
            )
            .await
            .map_err(|error| payment_error(error, lang))?;
            payments::save_mapping(store, tenant, Clock::System, &name, &csv.changes(base))
                .await
                .map_err(|error| payment_error(error, lang))?;
            say(match lang {
                Lang::Fr => format!(
                    "correspondance {name:?} enregistrée : `relance import bank FICHIER --mapping {name}`."
                ),
                Lang::En => {
                    format!("mapping {name:?} saved: `relance import bank FILE --mapping {name}`.")
                }
            })
        }
        MappingCommand::List { format } => {
            let all = payments::mappings(store, tenant).await?;
            if format == OutputFormat::Json {
                let list: Vec<serde_json::Value> = all
                    .iter()
                    .map(|(name, spec)| serde_json::json!({ "name": name, "settings": spec }))
                    .collect();
                return print_json(&list);
            }
            let column = |value: &Option<String>| value.clone().unwrap_or_default();
            let table = Table {
                headers: if lang == Lang::Fr {
                    vec![
                        "nom",
                        "séparateur",
                        "décimale",
                        "dates",
                        "date",
                        "montant",
                        "libellé",
                        "payeur",
                    ]
                } else {
                    vec![
                        "name",
                        "delimiter",
                        "decimal",
                        "dates",
                        "date",
                        "amount",
                        "label",
                        "payer",
                    ]
                },
                numeric: vec![false; 8],
                rows: all
                    .iter()
                    .map(|(name, spec)| {
                        vec![
                            name.clone(),
                            spec.delimiter.clone(),
                            spec.decimal_separator.clone(),
                            spec.date_format.clone(),
                            spec.date.clone(),
                            match (&spec.amount, &spec.credit, &spec.debit) {
                                (Some(amount), _, _) => amount.clone(),
                                (None, credit, debit) => {
                                    format!("+{} −{}", column(credit), column(debit))
                                }
                            },
                            spec.label.join(" + "),
                            column(&spec.payer),
                        ]
                    })
                    .collect(),
            };
            emit(&table, format)
        }
        MappingCommand::Show { name } => {
            let spec = payments::mapping_spec(store, tenant, &name)
                .await
                .map_err(|error| payment_error(error, lang))?;
            let mut stdout = std::io::stdout().lock();
            write!(stdout, "{}", spec.to_toml())?;
            Ok(())
        }
        MappingCommand::Delete { name } => {
            payments::delete_mapping(store, tenant, &name)
                .await
                .map_err(|error| payment_error(error, lang))?;
            say(match lang {
                Lang::Fr => format!("correspondance {name:?} supprimée."),
                Lang::En => format!("mapping {name:?} deleted."),
            })
        }
    }
}

fn print_settings(
    settings: &payments::PaymentSettings,
    format: OutputFormat,
    lang: Lang,
) -> anyhow::Result<()> {
    if format == OutputFormat::Json {
        return print_json(&serde_json::json!({
            "auto_apply_threshold": settings.auto_apply_threshold,
            "amount_tolerance": settings.amount_tolerance.to_decimal_string(),
            "receipt": settings.send_receipt,
            "thank_you": settings.send_thank_you,
            "write_off": settings.write_off.to_decimal_string(),
        }));
    }
    let write_off = if settings.write_off.is_positive() {
        human_amount(settings.write_off, lang)
    } else {
        tr(lang, "jamais", "never").to_owned()
    };
    let yes_no = |value: bool| match (lang, value) {
        (Lang::Fr, true) => "oui",
        (Lang::Fr, false) => "non",
        (Lang::En, true) => "yes",
        (Lang::En, false) => "no",
    };
    say(match lang {
        Lang::Fr => format!(
            "Seuil d'application automatique : {} (confiance sur 100)\nTolérance de montant : {}\nQuittance à la clôture : {}\nRemerciement à la clôture : {}\nReliquat passé en perte jusqu'à : {}",
            settings.auto_apply_threshold,
            human_amount(settings.amount_tolerance, lang),
            yes_no(settings.send_receipt),
            yes_no(settings.send_thank_you),
            write_off
        ),
        Lang::En => format!(
            "Auto-apply threshold: {} (confidence out of 100)\nAmount tolerance: {}\nReceipt on closure: {}\nThank-you on closure: {}\nRemainder written off up to: {}",
            settings.auto_apply_threshold,
            human_amount(settings.amount_tolerance, lang),
            yes_no(settings.send_receipt),
            yes_no(settings.send_thank_you),
            write_off
        ),
    })
}

fn applied_text(
    applied: &app::AppliedPayment,
    currency: domain::money::Currency,
    lang: Lang,
) -> String {
    let money = |minor: i64| human_amount(domain::money::Money::from_minor(minor, currency), lang);
    if applied.already_recorded {
        return tr(
            lang,
            "ce paiement est déjà enregistré : rien n'a changé.",
            "this payment is already recorded: nothing changed.",
        )
        .to_owned();
    }
    let mut text = match lang {
        Lang::Fr => format!(
            "paiement {} : {} imputés, {} en avoir",
            applied.payment.map(|p| p.0).unwrap_or_default(),
            money(applied.allocated_minor),
            money(applied.unallocated_minor)
        ),
        Lang::En => format!(
            "payment {}: {} allocated, {} left as credit",
            applied.payment.map(|p| p.0).unwrap_or_default(),
            money(applied.allocated_minor),
            money(applied.unallocated_minor)
        ),
    };
    if applied.promises_kept > 0 {
        text.push_str(&match lang {
            Lang::Fr => format!("; promesses tenues : {}", applied.promises_kept),
            Lang::En => format!("; promises kept: {}", applied.promises_kept),
        });
    }
    if applied.actions_cancelled > 0 {
        text.push_str(&match lang {
            Lang::Fr => format!("; relances annulées : {}", applied.actions_cancelled),
            Lang::En => format!("; reminders cancelled: {}", applied.actions_cancelled),
        });
    }
    if applied.written_off_minor > 0 {
        text.push_str(&match lang {
            Lang::Fr => format!(
                "; reliquat passé en perte : {}",
                money(applied.written_off_minor)
            ),
            Lang::En => format!(
                "; remainder written off: {}",
                money(applied.written_off_minor)
            ),
        });
    }
    if applied.case_closed {
        text.push_str(tr(lang, "; dossier clos", "; case closed"));
        if applied.receipt_queued {
            text.push_str(tr(lang, ", quittance prévue", ", receipt queued"));
        }
        if applied.thank_you_queued {
            text.push_str(tr(lang, ", remerciement prévu", ", thank-you queued"));
        }
    }
    text.push('.');
    text
}

pub(crate) async fn payment_command(
    config: &Config,
    tenant: Option<i64>,
    command: PaymentCommand,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    let PaymentCommand::Add(args) = command;
    let applied = payments::add_payment(
        &store,
        &tenant,
        Clock::System,
        &ManualPayment {
            customer: &args.customer,
            amount: &args.amount,
            received_on: args.on,
            invoices: &args.invoices,
            reference: &args.reference,
        },
        language(lang),
    )
    .await?;
    if args.format == OutputFormat::Json {
        return print_json(&serde_json::json!({
            "payment": applied.payment.map(|p| p.0),
            "already_recorded": applied.already_recorded,
            "allocated": domain::money::Money::from_minor(applied.allocated_minor, tenant.profile.currency).to_decimal_string(),
            "credit": domain::money::Money::from_minor(applied.unallocated_minor, tenant.profile.currency).to_decimal_string(),
            "promises_kept": applied.promises_kept,
            "actions_cancelled": applied.actions_cancelled,
            "case_closed": applied.case_closed,
            "receipt_queued": applied.receipt_queued,
            "thank_you_queued": applied.thank_you_queued,
        }));
    }
    say(applied_text(&applied, tenant.profile.currency, lang))
}
