//! `relance settlement add|undo|list`: credit notes, settlements in kind, assignments,
//! write-offs, and undoing one recorded by mistake.

use app::clock::Clock;
use app::settlements::{self, SettlementRequest, kind_name};
use app::{SettlementRecord, Store, TenantRecord};
use clap::{Args, Subcommand};
use jiff::civil::Date;
use serde::Serialize;

use crate::casework::language;
use crate::cli::{Lang, OutputFormat};
use crate::commands::{cell_amount, emit, say};
use crate::output::{Table, human_amount, print_json};
use crate::tr;

#[derive(Debug, Subcommand)]
pub(crate) enum SettlementCommand {
    /// Take an amount off an invoice without a payment: a credit note, a settlement in kind
    /// (goods or services exchanged), an assignment of the receivable, a write-off.
    Add(AddArgs),
    /// Settlements recorded, for a customer or all (the report of what left the books without
    /// money), with totals by kind.
    List {
        #[arg(long)]
        customer: Option<String>,
        /// Only those settled from this day on.
        #[arg(long)]
        from: Option<Date>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Undo a settlement: the invoice owes again what it took, a case it closed opens again;
    /// the settlement stays listed as undone, with who undid it and why.
    Undo {
        id: i64,
        #[arg(long)]
        reason: String,
        /// Who undid it (default: RELANCE_USER, else the system user).
        #[arg(long, env = "RELANCE_USER")]
        by: Option<String>,
    },
}

#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    #[arg(long)]
    customer: String,
    #[arg(long)]
    invoice: String,
    /// credit-note, in-kind, assignment or write-off.
    #[arg(long)]
    kind: String,
    /// Required for a credit note or a settlement in kind; a write-off takes the whole balance
    /// without one; an assignment always does.
    #[arg(long)]
    amount: Option<String>,
    /// The day it took effect.
    #[arg(long)]
    on: Date,
    #[arg(long)]
    reason: String,
    /// Who decided it (default: RELANCE_USER, else the system user).
    #[arg(long, env = "RELANCE_USER")]
    by: Option<String>,
    /// The assignee, or what was exchanged in kind.
    #[arg(long, default_value = "")]
    counterparty: String,
}

pub(crate) async fn run(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    command: SettlementCommand,
    lang: Lang,
) -> anyhow::Result<()> {
    let user = |by: Option<String>| {
        by.unwrap_or_else(|| std::env::var("USER").unwrap_or_else(|_| "relance".to_owned()))
    };
    match command {
        SettlementCommand::Add(args) => {
            let by = user(args.by.clone());
            let request = SettlementRequest {
                customer: &args.customer,
                invoice: &args.invoice,
                kind: &args.kind,
                amount: args.amount.as_deref(),
                on: args.on,
                reason: &args.reason,
                by: &by,
                counterparty: &args.counterparty,
                language: language(lang),
            };
            let settled = settlements::record(store, tenant, clock, &request).await?;
            let record = &settled.record;
            say(match lang {
                Lang::Fr => format!(
                    "{} n° {} : {} retiré de la facture {} ; la relance suit le nouveau solde.",
                    capitalised(kind_name(record.kind, language(lang))),
                    record.id,
                    human_amount(record.amount, lang),
                    record.invoice_number
                ),
                Lang::En => format!(
                    "{} #{}: {} taken off invoice {}; dunning follows the new balance.",
                    capitalised(kind_name(record.kind, language(lang))),
                    record.id,
                    human_amount(record.amount, lang),
                    record.invoice_number
                ),
            })?;
            match settled.effects {
                None => say(tr(
                    lang,
                    "Déjà enregistré : rien n'a changé.",
                    "Recorded already: nothing changed.",
                )),
                Some(effects) if effects.case_closed => say(match lang {
                    Lang::Fr => format!(
                        "Le client ne doit plus rien : dossier clos{}{}.",
                        if effects.receipt_queued {
                            ", quittance prévue"
                        } else {
                            ""
                        },
                        if effects.thank_you_queued {
                            ", remerciement prévu"
                        } else {
                            ""
                        }
                    ),
                    Lang::En => format!(
                        "The customer owes nothing more: case closed{}{}.",
                        if effects.receipt_queued {
                            ", receipt queued"
                        } else {
                            ""
                        },
                        if effects.thank_you_queued {
                            ", thank-you queued"
                        } else {
                            ""
                        }
                    ),
                }),
                Some(_) => Ok(()),
            }
        }
        SettlementCommand::Undo { id, reason, by } => {
            let by = user(by);
            let (record, undone) =
                settlements::undo(store, tenant, clock, id, &by, &reason, language(lang)).await?;
            if undone.already_undone {
                return say(match lang {
                    Lang::Fr => {
                        format!("Le règlement n° {id} était déjà annulé : rien n'a changé.")
                    }
                    Lang::En => format!("Settlement #{id} was undone already: nothing changed."),
                });
            }
            say(match lang {
                Lang::Fr => format!(
                    "Règlement n° {id} annulé : la facture {} doit de nouveau {}{}.",
                    record.invoice_number,
                    human_amount(undone.restored, lang),
                    if undone.case_reopened {
                        " ; le dossier est rouvert"
                    } else {
                        ""
                    }
                ),
                Lang::En => format!(
                    "Settlement #{id} undone: invoice {} owes {} again{}.",
                    record.invoice_number,
                    human_amount(undone.restored, lang),
                    if undone.case_reopened {
                        "; the case is open again"
                    } else {
                        ""
                    }
                ),
            })
        }
        SettlementCommand::List {
            customer,
            from,
            format,
        } => {
            let records = settlements::list(store, tenant, customer.as_deref(), from).await?;
            print_list(&records, format, lang)
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

#[derive(Serialize)]
struct SettlementJson {
    id: i64,
    customer_ref: String,
    invoice_number: String,
    kind: &'static str,
    amount: String,
    currency: String,
    date: String,
    reason: String,
    decided_by: String,
    counterparty: String,
    undone_at: Option<String>,
    undone_by: Option<String>,
    undo_reason: Option<String>,
}

fn print_list(
    records: &[SettlementRecord],
    format: OutputFormat,
    lang: Lang,
) -> anyhow::Result<()> {
    if format == OutputFormat::Json {
        return print_json(
            &records
                .iter()
                .map(|record| SettlementJson {
                    id: record.id,
                    customer_ref: record.customer_ref.clone(),
                    invoice_number: record.invoice_number.clone(),
                    kind: record.kind.code(),
                    amount: record.amount.to_decimal_string(),
                    currency: record.amount.currency().code().to_owned(),
                    date: record.settled_on.to_string(),
                    reason: record.reason.clone(),
                    decided_by: record.decided_by.clone(),
                    counterparty: record.counterparty.clone(),
                    undone_at: record.undone.as_ref().map(|undo| undo.at.to_string()),
                    undone_by: record.undone.as_ref().map(|undo| undo.by.clone()),
                    undo_reason: record.undone.as_ref().map(|undo| undo.reason.clone()),
                })
                .collect::<Vec<_>>(),
        );
    }
    let table = Table {
        headers: match (lang, format) {
            (_, OutputFormat::Csv) => vec![
                "id",
                "customer_ref",
                "invoice_number",
                "kind",
                "amount",
                "date",
                "reason",
                "decided_by",
                "counterparty",
                "undone",
            ],
            (Lang::Fr, _) => vec![
                "n°", "client", "facture", "nature", "montant", "date", "motif", "par", "tiers",
                "annulé",
            ],
            (Lang::En, _) => vec![
                "id",
                "customer",
                "invoice",
                "kind",
                "amount",
                "date",
                "reason",
                "by",
                "third party",
                "undone",
            ],
        },
        numeric: vec![
            true, false, false, false, true, false, false, false, false, false,
        ],
        rows: records
            .iter()
            .map(|record| {
                vec![
                    record.id.to_string(),
                    record.customer_ref.clone(),
                    record.invoice_number.clone(),
                    if format == OutputFormat::Csv {
                        record.kind.code().to_owned()
                    } else {
                        kind_name(record.kind, language(lang)).to_owned()
                    },
                    cell_amount(record.amount, format, lang),
                    record.settled_on.to_string(),
                    record.reason.clone(),
                    record.decided_by.clone(),
                    record.counterparty.clone(),
                    record
                        .undone
                        .as_ref()
                        .map(|undo| {
                            format!(
                                "{} ({}) — {}",
                                undo.at.strftime("%Y-%m-%d"),
                                undo.by,
                                undo.reason
                            )
                        })
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    };
    emit(&table, format)?;
    if format == OutputFormat::Csv || records.is_empty() {
        return Ok(());
    }
    let mut totals: Vec<(domain::settlement::SettlementKind, domain::money::Money)> = Vec::new();
    // An undone settlement took nothing off the books.
    for record in records.iter().filter(|record| record.undone.is_none()) {
        match totals.iter_mut().find(|(kind, total)| {
            *kind == record.kind && total.currency() == record.amount.currency()
        }) {
            Some((_, total)) => *total = total.checked_add(record.amount)?,
            None => totals.push((record.kind, record.amount)),
        }
    }
    say(tr(lang, "\nTotaux :", "\nTotals:"))?;
    for (kind, total) in totals {
        say(format!(
            "  {} : {} {}",
            kind_name(kind, language(lang)),
            human_amount(total, lang),
            total.currency().code()
        ))?;
    }
    Ok(())
}
