//! `relance recovery notice|judgment|cost|list|withdraw`: what happened in the recovery outside
//! Relance and counts in the statement of account.

use app::clock::Clock;
use app::recovery::{self, CollectionCostRequest, RecoveryFile, RecoveryStepRequest, step_name};
use app::{CollectionCostRecord, RecoveryStepKind, RecoveryStepRecord, Store, TenantRecord};
use clap::{Args, Subcommand, ValueEnum};
use jiff::civil::Date;
use serde::Serialize;

use crate::casework::language;
use crate::cli::{Lang, OutputFormat};
use crate::commands::{cell_amount, emit, say};
use crate::output::{Table, human_amount, print_json};
use crate::tr;

#[derive(Debug, Subcommand)]
pub(crate) enum RecoveryCommand {
    /// Record a formal notice (mise en demeure) sent outside Relance, by a lawyer or a bailiff:
    /// a consumer's interest runs from it, and a creditor claiming from the formal notice claims.
    Notice(NoticeArgs),
    /// Record a money judgment (or an order to pay) that became enforceable: the legal rate
    /// rises by 5 points two months after it was enforceable and served (C. mon. fin. L313-3).
    Judgment(JudgmentArgs),
    /// Record collection costs you can prove (bailiff, lawyer): a business debtor owes what
    /// exceeds the 40 EUR indemnities (C. com. L441-10 II); never a consumer.
    Cost(CostArgs),
    /// The customer's recorded notices, judgments and costs, withdrawn ones too.
    List {
        #[arg(long)]
        customer: String,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Withdraw a step or costs recorded by mistake (kept, marked withdrawn, with the reason).
    Withdraw {
        #[arg(value_enum)]
        what: Withdrawable,
        id: i64,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Withdrawable {
    Step,
    Cost,
}

#[derive(Debug, Args)]
pub(crate) struct NoticeArgs {
    #[arg(long)]
    customer: String,
    /// The day it was sent.
    #[arg(long)]
    on: Date,
    /// An invoice it concerns, once per invoice (default: every invoice overdue and unpaid that day).
    #[arg(long)]
    invoice: Vec<String>,
    /// The registered letter's number, or the bailiff's deed.
    #[arg(long, default_value = "")]
    reference: String,
    #[arg(long, default_value = "")]
    note: String,
}

#[derive(Debug, Args)]
pub(crate) struct JudgmentArgs {
    #[arg(long)]
    customer: String,
    /// The day the decision became enforceable.
    #[arg(long)]
    enforceable_on: Date,
    /// The day it was served (signification); the increase counts from the later of the two.
    #[arg(long)]
    served_on: Option<Date>,
    /// An invoice it concerns, once per invoice (default: every invoice overdue and unpaid that day).
    #[arg(long)]
    invoice: Vec<String>,
    /// The court and the docket number (RG).
    #[arg(long, default_value = "")]
    reference: String,
    #[arg(long, default_value = "")]
    note: String,
}

#[derive(Debug, Args)]
pub(crate) struct CostArgs {
    #[arg(long)]
    customer: String,
    /// In the creditor's currency (1234.56).
    #[arg(long)]
    amount: String,
    /// The day they were incurred.
    #[arg(long)]
    on: Date,
    /// What they were ("Huissier : signification du jugement").
    #[arg(long)]
    description: String,
}

pub(crate) async fn run(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    command: RecoveryCommand,
    lang: Lang,
) -> anyhow::Result<()> {
    match command {
        RecoveryCommand::Notice(args) => {
            let request = RecoveryStepRequest {
                customer: &args.customer,
                invoices: &args.invoice,
                kind: RecoveryStepKind::FormalNotice,
                occurred_on: args.on,
                served_on: None,
                reference: &args.reference,
                note: &args.note,
            };
            let records = recovery::record_step(store, tenant, clock, &request).await?;
            say(step_recorded(&records, lang))
        }
        RecoveryCommand::Judgment(args) => {
            let request = RecoveryStepRequest {
                customer: &args.customer,
                invoices: &args.invoice,
                kind: RecoveryStepKind::Judgment,
                occurred_on: args.enforceable_on,
                served_on: args.served_on,
                reference: &args.reference,
                note: &args.note,
            };
            let records = recovery::record_step(store, tenant, clock, &request).await?;
            say(step_recorded(&records, lang))
        }
        RecoveryCommand::Cost(args) => {
            let request = CollectionCostRequest {
                customer: &args.customer,
                amount: &args.amount,
                incurred_on: args.on,
                description: &args.description,
            };
            let cost = recovery::record_cost(store, tenant, clock, &request).await?;
            say(match lang {
                Lang::Fr => format!(
                    "Frais n° {} enregistrés : {} le {} ({}). Le décompte réclame ce qui dépasse les indemnités forfaitaires.",
                    cost.id,
                    human_amount(cost.amount, lang),
                    cost.incurred_on,
                    cost.description
                ),
                Lang::En => format!(
                    "Costs #{} recorded: {} on {} ({}). The statement claims what exceeds the fixed indemnities.",
                    cost.id,
                    human_amount(cost.amount, lang),
                    cost.incurred_on,
                    cost.description
                ),
            })
        }
        RecoveryCommand::List { customer, format } => {
            let file = recovery::recovery_file(store, tenant, &customer).await?;
            print_file(&file, format, lang)
        }
        RecoveryCommand::Withdraw { what, id, reason } => {
            let reason = reason.trim();
            match what {
                Withdrawable::Step => {
                    recovery::withdraw_step(store, tenant, clock, id, reason).await?;
                    say(match lang {
                        Lang::Fr => format!(
                            "Étape n° {id} retirée : {reason} ; le décompte ne la compte plus."
                        ),
                        Lang::En => format!(
                            "Step #{id} withdrawn: {reason}; the statement no longer counts it."
                        ),
                    })
                }
                Withdrawable::Cost => {
                    recovery::withdraw_cost(store, tenant, clock, id, reason).await?;
                    say(match lang {
                        Lang::Fr => format!(
                            "Frais n° {id} retirés : {reason} ; le décompte ne les compte plus."
                        ),
                        Lang::En => format!(
                            "Costs #{id} withdrawn: {reason}; the statement no longer counts them."
                        ),
                    })
                }
            }
        }
    }
}

fn step_recorded(records: &[RecoveryStepRecord], lang: Lang) -> String {
    let Some(first) = records.first() else {
        return String::new();
    };
    let numbers: Vec<String> = records
        .iter()
        .map(|record| format!("{} (#{})", record.invoice_number, record.id))
        .collect();
    let name = step_name(first.kind, language(lang));
    match lang {
        Lang::Fr => format!(
            "{}{} du {} enregistré(e) pour : {}.",
            name[..1].to_uppercase(),
            &name[1..],
            first.occurred_on,
            numbers.join(", ")
        ),
        Lang::En => format!(
            "{}{} of {} recorded for: {}.",
            name[..1].to_uppercase(),
            &name[1..],
            first.occurred_on,
            numbers.join(", ")
        ),
    }
}

#[derive(Serialize)]
struct StepJson {
    id: i64,
    kind: &'static str,
    invoice_number: String,
    date: String,
    served_on: Option<String>,
    reference: String,
    note: String,
    recorded_at: String,
    withdrawn_at: Option<String>,
    withdrawal_reason: Option<String>,
}

#[derive(Serialize)]
struct CostJson {
    id: i64,
    amount: String,
    currency: String,
    date: String,
    description: String,
    recorded_at: String,
    withdrawn_at: Option<String>,
    withdrawal_reason: Option<String>,
}

#[derive(Serialize)]
struct FileJson {
    steps: Vec<StepJson>,
    costs: Vec<CostJson>,
}

fn print_file(file: &RecoveryFile, format: OutputFormat, lang: Lang) -> anyhow::Result<()> {
    if format == OutputFormat::Json {
        return print_json(&FileJson {
            steps: file.steps.iter().map(step_json).collect(),
            costs: file.costs.iter().map(cost_json).collect(),
        });
    }
    let steps = Table {
        headers: match (lang, format) {
            (_, OutputFormat::Csv) => vec![
                "id",
                "kind",
                "invoice_number",
                "date",
                "served_on",
                "reference",
                "state",
            ],
            (Lang::Fr, _) => vec![
                "n°",
                "étape",
                "facture",
                "date",
                "signifié le",
                "référence",
                "état",
            ],
            (Lang::En, _) => vec![
                "id",
                "step",
                "invoice",
                "date",
                "served on",
                "reference",
                "state",
            ],
        },
        numeric: vec![true, false, false, false, false, false, false],
        rows: file
            .steps
            .iter()
            .map(|record| {
                vec![
                    record.id.to_string(),
                    if format == OutputFormat::Csv {
                        record.kind.code().to_owned()
                    } else {
                        step_name(record.kind, language(lang)).to_owned()
                    },
                    record.invoice_number.to_string(),
                    record.occurred_on.to_string(),
                    record
                        .served_on
                        .map(|day| day.to_string())
                        .unwrap_or_default(),
                    record.reference.clone(),
                    state(
                        record.withdrawn_at.as_ref(),
                        record.withdrawal_reason.as_deref(),
                        lang,
                    ),
                ]
            })
            .collect(),
    };
    if format == OutputFormat::Csv {
        return emit(&steps, format);
    }
    let costs = Table {
        headers: match lang {
            Lang::Fr => vec!["n°", "frais", "date", "objet", "état"],
            Lang::En => vec!["id", "costs", "date", "description", "state"],
        },
        numeric: vec![true, true, false, false, false],
        rows: file
            .costs
            .iter()
            .map(|record| {
                vec![
                    record.id.to_string(),
                    cell_amount(record.amount, format, lang),
                    record.incurred_on.to_string(),
                    record.description.clone(),
                    state(
                        record.withdrawn_at.as_ref(),
                        record.withdrawal_reason.as_deref(),
                        lang,
                    ),
                ]
            })
            .collect(),
    };
    say(tr(lang, "Étapes hors Relance :", "Steps outside Relance:"))?;
    if file.steps.is_empty() {
        say(tr(lang, "  aucune", "  none"))?;
    } else {
        emit(&steps, format)?;
    }
    say(tr(lang, "\nFrais de recouvrement :", "\nCollection costs:"))?;
    if file.costs.is_empty() {
        say(tr(lang, "  aucun", "  none"))
    } else {
        emit(&costs, format)
    }
}

fn state(withdrawn_at: Option<&jiff::Timestamp>, reason: Option<&str>, lang: Lang) -> String {
    match withdrawn_at {
        Some(at) => format!(
            "{} {} : {}",
            tr(lang, "retiré le", "withdrawn on"),
            at.strftime("%Y-%m-%d"),
            reason.unwrap_or("")
        ),
        None => tr(lang, "en vigueur", "in force").to_owned(),
    }
}

fn step_json(record: &RecoveryStepRecord) -> StepJson {
    StepJson {
        id: record.id,
        kind: record.kind.code(),
        invoice_number: record.invoice_number.to_string(),
        date: record.occurred_on.to_string(),
        served_on: record.served_on.map(|day| day.to_string()),
        reference: record.reference.clone(),
        note: record.note.clone(),
        recorded_at: record.recorded_at.to_string(),
        withdrawn_at: record.withdrawn_at.map(|at| at.to_string()),
        withdrawal_reason: record.withdrawal_reason.clone(),
    }
}

fn cost_json(record: &CollectionCostRecord) -> CostJson {
    CostJson {
        id: record.id,
        amount: record.amount.to_decimal_string(),
        currency: record.amount.currency().code().to_owned(),
        date: record.incurred_on.to_string(),
        description: record.description.clone(),
        recorded_at: record.recorded_at.to_string(),
        withdrawn_at: record.withdrawn_at.map(|at| at.to_string()),
        withdrawal_reason: record.withdrawal_reason.clone(),
    }
}
