//! Dunning commands: the daily run, actions, scenarios, policy, and what collectors record
//! (promises, disputes, holds, incidents, contacts), and the customer's file.

use anyhow::Context;
use app::ActionRecord;
use app::clock::Clock;
use app::customer_details;
use app::dunning::{self, CaseOutcome, ContactEntry, ReportDetail, RunOptions, RunReport};
use app::setup::select_tenant;
use domain::customer::Language;
use serde::Serialize;

use crate::cli::{
    ActionsCommand, Command, ContactCommand, CustomerCommand, DisputeCommand, Lang, OutputFormat,
    PolicyCommand, PromiseCommand, ScenarioCommand,
};
use crate::commands::{cell_amount, emit, say};
use crate::config::Config;
use crate::customer_cmds::{DetailsJson, details_json, details_text};
use crate::output::{Table, print_json};
use crate::tr;

pub(crate) fn language(lang: Lang) -> Language {
    match lang {
        Lang::Fr => Language::French,
        Lang::En => Language::English,
    }
}

pub(crate) async fn run(
    config: &Config,
    tenant: Option<i64>,
    command: Command,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    let clock = Clock::System;
    match command {
        Command::Run(args) => {
            let options = RunOptions {
                date: args.date,
                dry_run: args.dry_run,
                language: language(lang),
                detail: if args.all {
                    ReportDetail::Every
                } else if args.summary {
                    ReportDetail::CountsOnly
                } else {
                    ReportDetail::Acting
                },
            };
            let report = dunning::run_day(&store, &tenant, clock, options).await?;
            print_run(&report, args.all, args.format, lang)
        }
        Command::Simulate(args) => {
            let reports =
                dunning::simulate(&store, &tenant, clock, args.from, args.to, language(lang))
                    .await?;
            if args.format == OutputFormat::Json {
                let days: Vec<RunJson> = reports.iter().map(|r| run_json(r, false)).collect();
                return print_json(&days);
            }
            let table = Table {
                headers: if lang == Lang::Fr {
                    vec!["date", "clients_examinés", "actions", "écritures"]
                } else {
                    vec!["date", "customers_examined", "actions", "rows_written"]
                },
                numeric: vec![false, true, true, true],
                rows: reports
                    .iter()
                    .map(|report| {
                        vec![
                            report.date.to_string(),
                            report.customers_examined.to_string(),
                            report.actions_decided().to_string(),
                            report.writes.total().to_string(),
                        ]
                    })
                    .collect(),
            };
            emit(&table, args.format)
        }
        Command::Actions(ActionsCommand::List(args)) => {
            let actions = dunning::list_actions(
                &store,
                &tenant,
                args.date,
                args.customer.as_deref(),
                args.status.as_deref(),
            )
            .await?;
            print_actions(&actions, args.format, lang)
        }
        Command::Actions(ActionsCommand::Approve { id }) => {
            let action = dunning::approve_action(&store, &tenant, id).await?;
            say(format!(
                "{} {id} ({}, {}) : {}",
                tr(lang, "Action", "Action"),
                action.step_key,
                action.customer_ref,
                tr(lang, "validée, programmée", "approved, scheduled")
            ))
        }
        Command::Actions(ActionsCommand::Skip { id, reason }) => {
            let action = dunning::skip_action(&store, &tenant, id, &reason).await?;
            say(format!(
                "{} {id} ({}, {}) : {}",
                tr(lang, "Action", "Action"),
                action.step_key,
                action.customer_ref,
                tr(lang, "passée", "skipped")
            ))
        }
        Command::Scenario(ScenarioCommand::Show { name }) => {
            let rules = dunning::rules(&store, &tenant).await?;
            let mut shown = 0;
            for scenario in &rules.scenarios {
                if name
                    .as_deref()
                    .is_none_or(|wanted| wanted == scenario.name())
                {
                    say(dunning::scenario_text(scenario))?;
                    shown += 1;
                }
            }
            if shown == 0 {
                let known: Vec<&str> = rules.scenarios.iter().map(|s| s.name()).collect();
                anyhow::bail!(
                    "{} {:?} ({} {})",
                    tr(lang, "scénario inconnu", "unknown scenario"),
                    name.unwrap_or_default(),
                    tr(lang, "connus :", "known:"),
                    known.join(", ")
                );
            }
            Ok(())
        }
        Command::Scenario(ScenarioCommand::Import { file }) => {
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("{}", file.display()))?;
            let name = dunning::import_scenario(
                &store,
                &tenant,
                clock,
                &file.display().to_string(),
                &text,
            )
            .await
            .map_err(|error| localise(error, lang))?;
            say(format!(
                "{} « {name} » {}",
                tr(lang, "Scénario", "Scenario"),
                tr(lang, "enregistré.", "saved.")
            ))
        }
        Command::Scenario(ScenarioCommand::Assign { customer, name }) => {
            let name = (name != "default").then_some(name);
            dunning::assign_scenario(&store, &tenant, &customer, name.as_deref()).await?;
            say(format!(
                "{customer} : {}",
                name.as_deref()
                    .unwrap_or(tr(lang, "scénario par défaut", "default scenario"))
            ))
        }
        Command::Policy(PolicyCommand::Show { customer }) => {
            say(dunning::policy_text(&store, &tenant, customer.as_deref()).await?)
        }
        Command::Policy(PolicyCommand::Import { file, customer }) => {
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("{}", file.display()))?;
            dunning::import_policy(
                &store,
                &tenant,
                clock,
                customer.as_deref(),
                &file.display().to_string(),
                &text,
            )
            .await
            .map_err(|error| localise(error, lang))?;
            say(tr(
                lang,
                "Politique de contact enregistrée.",
                "Contact policy saved.",
            ))
        }
        Command::Promise(PromiseCommand::Add {
            customer,
            amount,
            date,
            note,
        }) => {
            let id = dunning::add_promise(&store, &tenant, clock, &customer, &amount, date, &note)
                .await?;
            say(format!(
                "{} {id} : {customer}, {amount} {} {date}",
                tr(lang, "Promesse", "Promise"),
                tr(lang, "pour le", "by")
            ))
        }
        Command::Dispute(DisputeCommand::Open {
            invoice,
            reason,
            note,
        }) => {
            dunning::open_dispute(&store, &tenant, clock, &invoice, &reason, &note).await?;
            say(format!(
                "{invoice} : {}",
                tr(
                    lang,
                    "litige ouvert, facture sortie des relances",
                    "dispute opened, invoice out of dunning"
                )
            ))
        }
        Command::Dispute(DisputeCommand::Close { invoice, outcome }) => {
            let outcome =
                dunning::close_dispute(&store, &tenant, clock, &invoice, &outcome).await?;
            say(format!(
                "{invoice} : {} ({})",
                tr(lang, "litige clos", "dispute closed"),
                outcome.code()
            ))
        }
        Command::Hold(args) => {
            dunning::hold(
                &store,
                &tenant,
                clock,
                &args.customer,
                args.until,
                &args.reason,
            )
            .await?;
            say(format!(
                "{} : {} {}",
                args.customer,
                tr(lang, "en suspens jusqu'au", "on hold until"),
                args.until
            ))
        }
        Command::Incident(args) => {
            crate::customer_cmds::incident(&store, &tenant, clock, args, lang).await
        }
        Command::Contact(ContactCommand::Log(args)) => {
            dunning::log_contact(
                &store,
                &tenant,
                clock,
                &ContactEntry {
                    customer: &args.customer,
                    channel: &args.channel,
                    outcome: &args.outcome,
                    reason: args.reason.as_deref(),
                    note: &args.note,
                    on: args.date,
                },
            )
            .await?;
            say(tr(lang, "Contact enregistré.", "Contact logged."))
        }
        Command::Customer(CustomerCommand::Show { reference, format }) => {
            customer_show(&store, &tenant, &reference, format, lang).await
        }
        Command::Customer(CustomerCommand::Set(args)) => {
            crate::customer_cmds::set(&store, &tenant, clock, *args, lang).await
        }
        Command::Init(_)
        | Command::Demo(_)
        | Command::Serve(_)
        | Command::Import(_)
        | Command::Customers(_)
        | Command::Invoices(_)
        | Command::Report(_)
        | Command::Bench(_)
        | Command::Interest(_)
        | Command::Statement(_)
        | Command::Rates(_)
        | Command::LatePayment(_)
        | Command::Waiver(_)
        | Command::Recovery(_)
        | Command::Settlement(_)
        | Command::Plan(_)
        | Command::Portal(_)
        | Command::Audit(_)
        | Command::User(_)
        | Command::Mention(_)
        | Command::Template(_)
        | Command::Letter(_)
        | Command::Payments(_)
        | Command::Payment(_)
        | Command::Dispatch(_)
        | Command::Outbox(_)
        | Command::Calls(_)
        | Command::Delivery(_) => unreachable!("handled by commands::dispatch"),
    }
}

/// A file error described in the user's language.
fn localise(error: dunning::DunningError, lang: Lang) -> anyhow::Error {
    match error {
        dunning::DunningError::BadFile { what, problem } => {
            anyhow::anyhow!("{what} : {}", problem.describe(language(lang)))
        }
        other => other.into(),
    }
}

/// A table cell stays readable for a customer with many invoices; JSON and CSV give them all.
fn invoice_cell(numbers: &[String], format: OutputFormat) -> String {
    const SHOWN: usize = 3;
    if format == OutputFormat::Csv || numbers.len() <= SHOWN {
        numbers.join(" ")
    } else {
        format!(
            "{} (+{})",
            numbers[..SHOWN].join(" "),
            numbers.len() - SHOWN
        )
    }
}

/// RFC 3339 with the offset; the stored text also names the zone in brackets.
fn rfc3339(text: &str) -> String {
    text.split('[').next().unwrap_or(text).to_owned()
}

#[derive(Serialize)]
struct DecisionJson<'a> {
    customer_ref: &'a str,
    outcome: &'a str,
    step: Option<&'a str>,
    channels: &'a [String],
    invoice_numbers: &'a [String],
    scheduled_at: Option<String>,
    requires_approval: bool,
    next_review_on: Option<String>,
    explanation: &'a str,
}

#[derive(Serialize)]
struct RunJson<'a> {
    date: String,
    dry_run: bool,
    customers_examined: usize,
    actions: usize,
    rows_written: u64,
    decisions: Vec<DecisionJson<'a>>,
}

fn run_json(report: &RunReport, all: bool) -> RunJson<'_> {
    RunJson {
        date: report.date.to_string(),
        dry_run: report.dry_run,
        customers_examined: report.customers_examined,
        actions: report.actions_decided(),
        rows_written: report.writes.total(),
        decisions: report
            .outcomes
            .iter()
            .filter(|outcome| all || outcome.outcome == "act")
            .map(decision_json)
            .collect(),
    }
}

fn decision_json(outcome: &CaseOutcome) -> DecisionJson<'_> {
    DecisionJson {
        customer_ref: &outcome.customer_ref,
        outcome: outcome.outcome,
        step: outcome.step.as_deref(),
        channels: &outcome.channels,
        invoice_numbers: &outcome.invoice_numbers,
        scheduled_at: outcome
            .scheduled_at
            .as_ref()
            .map(|at| rfc3339(&at.to_string())),
        requires_approval: outcome.requires_approval,
        next_review_on: outcome.next_review_on.map(|date| date.to_string()),
        explanation: &outcome.explanation,
    }
}

fn print_run(
    report: &RunReport,
    all: bool,
    format: OutputFormat,
    lang: Lang,
) -> anyhow::Result<()> {
    if format == OutputFormat::Json {
        return print_json(&run_json(report, all));
    }
    let table = Table {
        headers: if lang == Lang::Fr {
            vec![
                "client",
                "décision",
                "étape",
                "canaux",
                "factures",
                "programmée",
                "explication",
            ]
        } else {
            vec![
                "customer",
                "decision",
                "step",
                "channels",
                "invoices",
                "scheduled",
                "explanation",
            ]
        },
        numeric: vec![false; 7],
        rows: report
            .outcomes
            .iter()
            .filter(|outcome| all || outcome.outcome == "act")
            .map(|outcome| {
                vec![
                    outcome.customer_ref.clone(),
                    outcome.outcome.to_owned(),
                    outcome.step.clone().unwrap_or_default(),
                    outcome.channels.join("+"),
                    invoice_cell(&outcome.invoice_numbers, format),
                    outcome
                        .scheduled_at
                        .as_ref()
                        .map(|at| at.strftime("%Y-%m-%d %H:%M %Z").to_string())
                        .unwrap_or_default(),
                    outcome.explanation.clone(),
                ]
            })
            .collect(),
    };
    if format == OutputFormat::Csv {
        return emit(&table, format);
    }
    if !table.rows.is_empty() {
        emit(&table, format)?;
    }
    let summary = match lang {
        Lang::Fr => format!(
            "{} : {} client(s) examiné(s), {} action(s) décidée(s), {} écriture(s){}",
            report.date,
            report.customers_examined,
            report.actions_decided(),
            report.writes.total(),
            if report.dry_run {
                " (simulation : rien n'est enregistré)"
            } else {
                ""
            }
        ),
        Lang::En => format!(
            "{}: {} customer(s) examined, {} action(s) decided, {} row(s) written{}",
            report.date,
            report.customers_examined,
            report.actions_decided(),
            report.writes.total(),
            if report.dry_run {
                " (dry run: nothing recorded)"
            } else {
                ""
            }
        ),
    };
    say(summary)
}

#[derive(Serialize)]
struct ActionJson<'a> {
    id: i64,
    customer_ref: &'a str,
    invoice_numbers: &'a [String],
    step: &'a str,
    channel: &'a str,
    companion: bool,
    tone: &'a str,
    status: &'a str,
    decided_on: String,
    scheduled_at: String,
    explanation: String,
    status_note: Option<&'a str>,
}

fn action_json(action: &ActionRecord, lang: Lang) -> ActionJson<'_> {
    ActionJson {
        id: action.id,
        customer_ref: &action.customer_ref,
        invoice_numbers: &action.invoice_numbers,
        step: &action.step_key,
        channel: &action.channel,
        companion: action.companion,
        tone: &action.tone,
        status: &action.status,
        decided_on: action.decided_on.to_string(),
        scheduled_at: rfc3339(&action.scheduled_at),
        explanation: action.explanation.render(language(lang)),
        status_note: action.status_note.as_deref(),
    }
}

fn actions_table(actions: &[ActionRecord], format: OutputFormat, lang: Lang) -> Table {
    Table {
        headers: if lang == Lang::Fr {
            vec![
                "id",
                "client",
                "étape",
                "canal",
                "ton",
                "statut",
                "programmée",
                "factures",
            ]
        } else {
            vec![
                "id",
                "customer",
                "step",
                "channel",
                "tone",
                "status",
                "scheduled",
                "invoices",
            ]
        },
        numeric: vec![true, false, false, false, false, false, false, false],
        rows: actions
            .iter()
            .map(|action| {
                vec![
                    action.id.to_string(),
                    action.customer_ref.clone(),
                    action.step_key.clone(),
                    action.channel.clone(),
                    action.tone.clone(),
                    action.status.clone(),
                    rfc3339(&action.scheduled_at),
                    invoice_cell(&action.invoice_numbers, format),
                ]
            })
            .collect(),
    }
}

fn print_actions(actions: &[ActionRecord], format: OutputFormat, lang: Lang) -> anyhow::Result<()> {
    if format == OutputFormat::Json {
        let rows: Vec<ActionJson<'_>> = actions
            .iter()
            .map(|action| action_json(action, lang))
            .collect();
        return print_json(&rows);
    }
    emit(&actions_table(actions, format, lang), format)
}

async fn customer_show(
    store: &app::Store,
    tenant: &app::TenantRecord,
    reference: &str,
    format: OutputFormat,
    lang: Lang,
) -> anyhow::Result<()> {
    let (file, invoices) = dunning::customer_file(store, tenant, reference).await?;
    let details = customer_details::details(store, tenant, reference).await?;
    let incidents = customer_details::incidents(store, tenant, reference).await?;
    let terms = app::late_payment::customer_terms(store, tenant, reference).await?;
    let (closures, credit) =
        app::payments::customer_payments(store, tenant, file.debtor.id).await?;
    let today = Clock::System.today_in(tenant.profile.time_zone.as_str());
    let first_missed = invoices
        .iter()
        .filter(|invoice| invoice.due_on < today && invoice.outstanding.is_positive())
        .map(|invoice| invoice.due_on)
        .min();
    if format == OutputFormat::Json {
        #[derive(Serialize)]
        struct InvoiceLine {
            invoice_number: String,
            service_date: Option<String>,
            issue_date: String,
            due_date: String,
            amount: String,
            outstanding: String,
        }
        #[derive(Serialize)]
        struct FileJson<'a> {
            customer_ref: &'a str,
            name: &'a str,
            kind: &'a str,
            #[serde(flatten)]
            details: DetailsJson<'a>,
            first_missed_due_date: Option<String>,
            invoices: Vec<InvoiceLine>,
            actions: Vec<ActionJson<'a>>,
            contacts: Vec<serde_json::Value>,
            promises: Vec<serde_json::Value>,
            disputes: Vec<serde_json::Value>,
            holds: Vec<serde_json::Value>,
            incidents: Vec<serde_json::Value>,
            closures: Vec<serde_json::Value>,
            credit_balance: Vec<String>,
        }
        let value = FileJson {
            customer_ref: file.debtor.reference.as_str(),
            name: &file.debtor.legal_name,
            kind: file.debtor.kind.code(),
            details: details_json(&details, &terms, tenant),
            first_missed_due_date: first_missed.map(|date| date.to_string()),
            invoices: invoices
                .iter()
                .map(|invoice| InvoiceLine {
                    invoice_number: invoice.number.to_string(),
                    service_date: invoice.service_on.map(|d| d.to_string()),
                    issue_date: invoice.issued_on.to_string(),
                    due_date: invoice.due_on.to_string(),
                    amount: invoice.amount.to_decimal_string(),
                    outstanding: invoice.outstanding.to_decimal_string(),
                })
                .collect(),
            actions: file.actions.iter().map(|action| action_json(action, lang)).collect(),
            contacts: file
                .contacts
                .iter()
                .map(|c| serde_json::json!({"date": c.occurred_on.to_string(), "channel": c.channel, "outcome": c.outcome, "reason": c.reason, "note": c.note}))
                .collect(),
            promises: file
                .promises
                .iter()
                .map(|p| serde_json::json!({"id": p.id, "amount": p.amount.to_decimal_string(), "date": p.due_on.to_string(), "status": p.status, "note": p.note}))
                .collect(),
            disputes: file
                .disputes
                .iter()
                .map(|d| serde_json::json!({"invoice_number": d.invoice_number, "reason": d.reason, "note": d.note, "opened_on": d.opened_on.to_string(), "closed_on": d.closed_on.map(|x| x.to_string()), "outcome": d.outcome}))
                .collect(),
            holds: file
                .holds
                .iter()
                .map(|h| serde_json::json!({"until": h.until.to_string(), "reason": h.reason}))
                .collect(),
            incidents: incidents
                .iter()
                .map(|i| serde_json::json!({"opened_on": i.opened_on.to_string(), "note": i.note, "resolved_on": i.resolved_on.map(|x| x.to_string()), "resolution_note": i.resolution_note}))
                .collect(),
            closures: closures
                .iter()
                .map(|c| serde_json::json!({"closed_on": c.closed_on.to_string(), "payment": c.payment.map(|p| p.0), "settlement": c.settlement, "note": c.note, "reopened_on": c.reopened_on.map(|d| d.to_string())}))
                .collect(),
            credit_balance: credit.iter().map(|m| format!("{} {}", m.to_decimal_string(), m.currency().code())).collect(),
        };
        return print_json(&value);
    }

    let debtor = &file.debtor;
    let mut text = format!(
        "{} — {} ({})\n",
        debtor.reference,
        debtor.legal_name,
        debtor.kind.code()
    );
    text.push_str(&details_text(&details, &terms, tenant, lang));
    text.push('\n');
    if let Some(first) = first_missed {
        text.push_str(&format!(
            "{} {first}\n",
            tr(
                lang,
                "Première échéance manquée :",
                "First missed due date:"
            )
        ));
    }
    say(text)?;
    let table_format = if format == OutputFormat::Csv {
        OutputFormat::Csv
    } else {
        OutputFormat::Table
    };
    say(tr(lang, "Factures", "Invoices"))?;
    emit(
        &Table {
            headers: if lang == Lang::Fr {
                vec![
                    "facture",
                    "prestation",
                    "émise",
                    "échéance",
                    "montant",
                    "reste_dû",
                ]
            } else {
                vec![
                    "invoice",
                    "service",
                    "issued",
                    "due",
                    "amount",
                    "outstanding",
                ]
            },
            numeric: vec![false, false, false, false, true, true],
            rows: invoices
                .iter()
                .map(|invoice| {
                    vec![
                        invoice.number.to_string(),
                        invoice
                            .service_on
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                        invoice.issued_on.to_string(),
                        invoice.due_on.to_string(),
                        cell_amount(invoice.amount, table_format, lang),
                        cell_amount(invoice.outstanding, table_format, lang),
                    ]
                })
                .collect(),
        },
        table_format,
    )?;

    // One timeline: what Relance decided and what people recorded, oldest first.
    let mut timeline: Vec<(String, String, String)> = Vec::new();
    for action in &file.actions {
        timeline.push((
            action.decided_on.to_string(),
            format!(
                "{} {} ({})",
                tr(lang, "action", "action"),
                action.step_key,
                action.channel
            ),
            // The note says how it went out (which message, to whom, when: `relance outbox
            // show` gives its content) or why it did not.
            format!(
                "{} — {}{}",
                action.status,
                action.explanation.render(language(lang)),
                action
                    .status_note
                    .as_deref()
                    .map(|note| format!(" — {note}"))
                    .unwrap_or_default()
            ),
        ));
    }
    for contact in &file.contacts {
        timeline.push((
            contact.occurred_on.to_string(),
            format!("{} ({})", tr(lang, "contact", "contact"), contact.channel),
            format!(
                "{}{}{}",
                contact.outcome,
                contact
                    .reason
                    .as_deref()
                    .map(|r| format!(", {r}"))
                    .unwrap_or_default(),
                if contact.note.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", contact.note)
                }
            ),
        ));
    }
    for promise in &file.promises {
        timeline.push((
            promise.due_on.to_string(),
            tr(lang, "promesse", "promise").to_owned(),
            format!(
                "{} {} — {}",
                promise.amount.to_decimal_string(),
                promise.amount.currency().code(),
                promise.status
            ),
        ));
    }
    for dispute in &file.disputes {
        timeline.push((
            dispute.opened_on.to_string(),
            format!(
                "{} {}",
                tr(lang, "litige", "dispute"),
                dispute.invoice_number
            ),
            format!(
                "{}{}",
                dispute.reason,
                dispute
                    .outcome
                    .as_deref()
                    .map(|o| format!(" → {o}"))
                    .unwrap_or_default()
            ),
        ));
    }
    for hold in &file.holds {
        timeline.push((
            hold.until.to_string(),
            tr(lang, "suspension jusqu'au", "hold until").to_owned(),
            hold.reason.clone(),
        ));
    }
    for incident in &incidents {
        timeline.push((
            incident.opened_on.to_string(),
            tr(lang, "incident", "incident").to_owned(),
            incident.note.clone(),
        ));
        if let Some(resolved_on) = incident.resolved_on {
            timeline.push((
                resolved_on.to_string(),
                tr(lang, "incident résolu", "incident resolved").to_owned(),
                incident.resolution_note.clone().unwrap_or_default(),
            ));
        }
    }
    for settlement in app::settlements::list(store, tenant, Some(reference), None).await? {
        timeline.push((
            settlement.settled_on.to_string(),
            format!(
                "{} {}",
                app::settlements::kind_name(settlement.kind, language(lang)),
                settlement.invoice_number
            ),
            format!(
                "{} {} — {} ({}){}",
                settlement.amount.to_decimal_string(),
                settlement.amount.currency().code(),
                settlement.reason,
                settlement.decided_by,
                if settlement.counterparty.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", settlement.counterparty)
                }
            ),
        ));
        if let Some(undo) = &settlement.undone {
            timeline.push((
                undo.at
                    .in_tz(tenant.profile.time_zone.as_str())
                    .map(|zoned| zoned.date().to_string())
                    .unwrap_or_else(|_| undo.at.strftime("%Y-%m-%d").to_string()),
                format!(
                    "{} {} {}",
                    tr(lang, "annulation du règlement", "settlement undone"),
                    settlement.id,
                    settlement.invoice_number
                ),
                format!("{} ({})", undo.reason, undo.by),
            ));
        }
    }
    for view in app::plans::list(store, tenant, Clock::System, None, Some(reference)).await? {
        let plan = &view.plan;
        timeline.push((
            plan.proposed_at.strftime("%Y-%m-%d").to_string(),
            format!("{} {}", tr(lang, "échéancier", "payment plan"), plan.id),
            format!(
                "{} {} {}, {} — {}",
                plan.covered.to_decimal_string(),
                plan.covered.currency().code(),
                tr(lang, "en", "in"),
                plan.installments.len(),
                app::plans::status_name(plan.status, language(lang))
            ),
        ));
        if let (Some(ended_on), Some(reason)) = (plan.ended_on, &plan.end_reason) {
            timeline.push((
                ended_on.to_string(),
                format!(
                    "{} {}",
                    tr(lang, "fin de l'échéancier", "plan ended"),
                    plan.id
                ),
                reason.clone(),
            ));
        }
    }
    let recovery = app::recovery::recovery_file(store, tenant, reference).await?;
    for step in recovery.steps.iter().filter(|step| !step.is_withdrawn()) {
        timeline.push((
            step.occurred_on.to_string(),
            format!(
                "{} {}",
                app::recovery::step_name(step.kind, language(lang)),
                step.invoice_number
            ),
            step.reference.clone(),
        ));
    }
    for closure in &closures {
        timeline.push((
            closure.closed_on.to_string(),
            tr(lang, "dossier clos", "case closed").to_owned(),
            closure.note.clone(),
        ));
        if let Some(reopened_on) = closure.reopened_on {
            timeline.push((
                reopened_on.to_string(),
                tr(lang, "dossier rouvert", "case reopened").to_owned(),
                tr(
                    lang,
                    "le règlement qui le soldait a été annulé",
                    "the settlement that closed it was undone",
                )
                .to_owned(),
            ));
        }
    }
    for balance in &credit {
        say(format!(
            "{} {}",
            tr(lang, "Avoir (trop-perçu) :", "Credit balance (overpaid):"),
            crate::output::human_amount(*balance, lang)
        ))?;
    }
    timeline.sort();
    say(format!("\n{}", tr(lang, "Historique", "Timeline")))?;
    emit(
        &Table {
            headers: if lang == Lang::Fr {
                vec!["date", "quoi", "détail"]
            } else {
                vec!["date", "what", "detail"]
            },
            numeric: vec![false; 3],
            rows: timeline
                .into_iter()
                .map(|(date, what, detail)| vec![date, what, detail])
                .collect(),
        },
        table_format,
    )
}
