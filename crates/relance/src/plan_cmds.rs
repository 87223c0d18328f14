//! `relance plan propose|accept|show|list|cancel|settings`: payment plans (échéanciers).

use anyhow::{Context, anyhow};
use app::clock::Clock;
use app::plans::{
    self, Acceptance, PlanError, PlanRequest, PlanView, SettingsChanges, SignedCopy, SplitRequest,
    exceeded_text, status_name,
};
use app::setup::select_tenant;
use app::{PlanDocumentKind, PlanSettings, PlanStatus, Store, TenantRecord};
use clap::{Args, Subcommand};
use domain::plan::PlanState;
use jiff::civil::Date;
use serde::Serialize;

use crate::casework::language;
use crate::cli::{Lang, OutputFormat};
use crate::commands::{cell_amount, emit, say};
use crate::config::Config;
use crate::output::{Table, human_amount, labelled, print_json};
use crate::tr;

#[derive(Debug, Subcommand)]
pub(crate) enum PlanCommand {
    /// Propose a schedule to a customer: from a number of installments or an amount it can
    /// afford, a first date and a frequency; says whether a manager must approve it.
    Propose(ProposeArgs),
    /// The customer accepted (a signed copy is on file): the plan starts and dunning leaves its
    /// invoices aside.
    Accept {
        id: i64,
        /// The manager approving a plan beyond the limits a collector may grant.
        #[arg(long)]
        approved_by: Option<String>,
        /// Where the signed copy is kept, or how the customer agreed.
        #[arg(long, default_value = "")]
        note: String,
        /// The signed copy, scanned (PDF or image): kept with the plan. Can also be given
        /// after the acceptance, with the same command.
        #[arg(long, value_name = "FILE")]
        signed_copy: Option<std::path::PathBuf>,
    },
    /// The documents kept with a plan (the agreement accepted and the signed copy), or one of
    /// them written to a file with --kind and --out.
    Documents {
        id: i64,
        /// agreement or signed-copy.
        #[arg(long, requires = "out")]
        kind: Option<String>,
        #[arg(long, value_name = "FILE", requires = "kind")]
        out: Option<std::path::PathBuf>,
    },
    /// One plan: its invoices, its schedule and where it stands.
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Plans, oldest first.
    List {
        /// proposed, active, completed, lapsed or cancelled.
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        customer: Option<String>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// The written agreement as a PDF to print and have signed (the customer's language).
    Agreement {
        id: i64,
        #[arg(long, value_name = "FILE.pdf")]
        out: std::path::PathBuf,
        /// The date it bears (default: today).
        #[arg(long)]
        date: Option<Date>,
    },
    /// Cancel a proposed plan, or end a running one by agreement (its waivers are withdrawn).
    Cancel {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// The limits within which a collector may grant a plan, and the grace after a missed
    /// installment: shown, or changed with the options given.
    Settings(SettingsArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("split").required(true).args(["installments", "monthly"])))]
pub(crate) struct ProposeArgs {
    #[arg(long)]
    customer: String,
    /// This many installments, as equal as cents allow (the last takes the odd cents).
    #[arg(long)]
    installments: Option<u32>,
    /// Installments of this amount until the total is covered (what the customer can afford).
    #[arg(long)]
    monthly: Option<String>,
    /// The first installment's date (or the down payment's).
    #[arg(long)]
    first: Date,
    /// 1w, 2w, 1m or 3m.
    #[arg(long, default_value = "1m")]
    every: String,
    #[arg(long)]
    down_payment: Option<String>,
    /// Waive penalties and indemnities if the plan is honoured (withdrawn if it lapses).
    #[arg(long)]
    waive_penalties: bool,
    /// An invoice the plan covers, once per invoice (default: every overdue invoice).
    #[arg(long)]
    invoice: Vec<String>,
    /// Who proposes it (default: RELANCE_USER, else the system user).
    #[arg(long, env = "RELANCE_USER")]
    by: Option<String>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
}

#[derive(Debug, Args)]
pub(crate) struct SettingsArgs {
    #[arg(long)]
    max_installments: Option<u32>,
    #[arg(long)]
    min_installment: Option<String>,
    #[arg(long)]
    max_months: Option<u32>,
    #[arg(long)]
    grace_days: Option<u32>,
    /// The accrued charges a plan covers besides the balances: none, penalties (interest) or
    /// all (interest and the 40 EUR indemnities, never a consumer's).
    #[arg(long)]
    include_charges: Option<String>,
}

pub(crate) async fn run(
    config: &Config,
    tenant: Option<i64>,
    command: PlanCommand,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    with_tenant(&store, &tenant, Clock::System, command, lang)
        .await
        .map_err(|error| match error.downcast::<PlanError>() {
            Ok(error) => localise(error, lang),
            Err(other) => other,
        })
}

async fn with_tenant(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    command: PlanCommand,
    lang: Lang,
) -> anyhow::Result<()> {
    let settings = plans::settings(store, tenant).await?;
    match command {
        PlanCommand::Propose(args) => {
            let by = args.by.clone().unwrap_or_else(whoami);
            let request = PlanRequest {
                customer: &args.customer,
                invoices: &args.invoice,
                split: match (&args.monthly, args.installments) {
                    (Some(amount), _) => SplitRequest::Amount(amount),
                    (None, Some(count)) => SplitRequest::Installments(count),
                    (None, None) => unreachable!("clap requires one"),
                },
                first_on: args.first,
                every: &args.every,
                down_payment: args.down_payment.as_deref(),
                waive_charges: args.waive_penalties,
                by: &by,
            };
            let view = plans::propose(store, tenant, clock, &request).await?;
            print_plan(&view, &settings, args.format, lang)
        }
        PlanCommand::Accept {
            id,
            approved_by,
            note,
            signed_copy,
        } => {
            let copy = match &signed_copy {
                Some(path) => Some((
                    path.file_name()
                        .map(|name| name.to_string_lossy().into_owned())
                        .unwrap_or_else(|| "signed-copy".to_owned()),
                    std::fs::read(path).with_context(|| path.display().to_string())?,
                )),
                None => None,
            };
            let acceptance = Acceptance {
                approved_by: approved_by.as_deref(),
                note: &note,
                signed_copy: copy
                    .as_ref()
                    .map(|(file_name, content)| SignedCopy { file_name, content }),
            };
            let view = plans::accept(store, tenant, clock, id, &acceptance).await?;
            say(match lang {
                Lang::Fr => format!(
                    "Échéancier n° {id} en cours : {} échéance(s), la relance de ses factures est suspendue tant qu'il est respecté.",
                    view.plan.installments.len()
                ),
                Lang::En => format!(
                    "Payment plan #{id} active: {} installment(s); dunning of its invoices is paused while it is honoured.",
                    view.plan.installments.len()
                ),
            })
        }
        PlanCommand::Show { id, format } => {
            let view = plans::show(store, tenant, clock, id).await?;
            print_plan(&view, &settings, format, lang)
        }
        PlanCommand::List {
            status,
            customer,
            format,
        } => {
            let status = match status.as_deref() {
                None => None,
                Some(code) => Some(PlanStatus::parse(code.trim()).ok_or_else(|| {
                    anyhow!(
                        "--status {code:?}: {}",
                        tr(
                            lang,
                            "proposed, active, completed, lapsed ou cancelled",
                            "proposed, active, completed, lapsed or cancelled"
                        )
                    )
                })?),
            };
            let views = plans::list(store, tenant, clock, status, customer.as_deref()).await?;
            print_list(&views, format, lang)
        }
        PlanCommand::Documents { id, kind, out } => {
            if let (Some(kind), Some(out)) = (kind, out) {
                let kind = match kind.trim() {
                    "agreement" => PlanDocumentKind::Agreement,
                    "signed-copy" | "signed_copy" => PlanDocumentKind::SignedCopy,
                    other => {
                        return Err(anyhow!(
                            "--kind {other:?}: {}",
                            tr(lang, "agreement ou signed-copy", "agreement or signed-copy")
                        ));
                    }
                };
                let content = plans::document(store, tenant, id, kind)
                    .await?
                    .ok_or_else(|| {
                        anyhow!(tr(
                            lang,
                            "aucun document de ce type n'est conservé pour cet échéancier",
                            "no document of that kind is kept for this plan"
                        ))
                    })?;
                std::fs::write(&out, content).with_context(|| out.display().to_string())?;
                return say(out.display().to_string());
            }
            let documents = plans::documents(store, tenant, id).await?;
            if documents.is_empty() {
                return say(tr(
                    lang,
                    "aucun document conservé (l'accord est conservé à l'acceptation)",
                    "no document kept (the agreement is kept when the plan is accepted)",
                ));
            }
            for document in documents {
                say(format!(
                    "{}  {}  {} {}  sha256 {}  {}",
                    match document.kind {
                        PlanDocumentKind::Agreement => "agreement  ",
                        PlanDocumentKind::SignedCopy => "signed-copy",
                    },
                    document.file_name,
                    document.size,
                    tr(lang, "octets", "bytes"),
                    document.sha256,
                    document.created_at.strftime("%Y-%m-%d %H:%M")
                ))?;
            }
            Ok(())
        }
        PlanCommand::Agreement { id, out, date } => {
            let pdf = plans::agreement(store, tenant, clock, id, date).await?;
            std::fs::write(&out, pdf).with_context(|| out.display().to_string())?;
            say(match lang {
                Lang::Fr => format!(
                    "Échéancier n° {id} écrit dans {} : à faire signer, puis `relance plan accept {id}`.",
                    out.display()
                ),
                Lang::En => format!(
                    "Payment plan #{id} written to {}: have it signed, then `relance plan accept {id}`.",
                    out.display()
                ),
            })
        }
        PlanCommand::Cancel { id, reason } => {
            plans::cancel(store, tenant, clock, id, &reason).await?;
            say(match lang {
                Lang::Fr => format!("Échéancier n° {id} annulé : {}", reason.trim()),
                Lang::En => format!("Payment plan #{id} cancelled: {}", reason.trim()),
            })
        }
        PlanCommand::Settings(args) => {
            let changes = SettingsChanges {
                max_installments: args.max_installments,
                min_installment: args.min_installment.as_deref(),
                max_months: args.max_months,
                grace_days: args.grace_days,
                include_charges: args.include_charges.as_deref(),
            };
            let settings = if changes == SettingsChanges::default() {
                settings
            } else {
                plans::set_settings(store, tenant, clock, &changes).await?
            };
            say(labelled(
                &[
                    (
                        tr(lang, "Échéances au plus", "At most installments"),
                        settings.limits.max_installments.to_string(),
                    ),
                    (
                        tr(lang, "Échéance minimale", "Smallest installment"),
                        human_amount(settings.limits.min_installment, lang),
                    ),
                    (
                        tr(lang, "Durée maximale (mois)", "Longest (months)"),
                        settings.limits.max_months.to_string(),
                    ),
                    (
                        tr(lang, "Délai de grâce (jours)", "Grace (days)"),
                        settings.grace_days.to_string(),
                    ),
                    (
                        tr(lang, "Pénalités incluses", "Charges included"),
                        settings.include_charges.code().to_owned(),
                    ),
                ],
                lang,
            ))
        }
    }
}

fn whoami() -> String {
    std::env::var("USER").unwrap_or_else(|_| "relance".to_owned())
}

fn localise(error: PlanError, lang: Lang) -> anyhow::Error {
    match error {
        PlanError::Invalid { problems } => {
            let mut text = tr(
                lang,
                "rien n'a été fait, car :",
                "nothing was done, because:",
            )
            .to_owned();
            for problem in &problems {
                text.push_str("\n  ");
                text.push_str(&problem.option_line(language(lang)));
            }
            anyhow!(text)
        }
        other => anyhow!(other.describe(language(lang))),
    }
}

fn state_text(view: &PlanView, lang: Lang) -> String {
    let status = status_name(view.plan.status, language(lang)).to_owned();
    match view.standing.as_ref().map(|standing| standing.state) {
        Some(PlanState::Late {
            installment,
            grace_ends_on,
        }) => match lang {
            Lang::Fr => format!(
                "{status}, échéance n° {installment} en retard (grâce jusqu'au {grace_ends_on})"
            ),
            Lang::En => {
                format!("{status}, installment #{installment} late (grace until {grace_ends_on})")
            }
        },
        Some(PlanState::Defaulted { installment }) => match lang {
            Lang::Fr => {
                format!("{status}, échéance n° {installment} impayée : caduc au prochain passage")
            }
            Lang::En => {
                format!("{status}, installment #{installment} unpaid: lapses at the next run")
            }
        },
        _ => status,
    }
}

#[derive(Serialize)]
struct InstallmentJson {
    number: u32,
    due_date: String,
    amount: String,
}

#[derive(Serialize)]
struct PlanJson {
    id: i64,
    customer_ref: String,
    status: &'static str,
    covered: String,
    /// The accrued penalties and indemnities included in `covered`.
    charges: String,
    included_charges: &'static str,
    currency: String,
    every: &'static str,
    waive_penalties: bool,
    needs_approval: bool,
    exceeded: Vec<String>,
    invoices: Vec<String>,
    installments: Vec<InstallmentJson>,
    paid: String,
    installments_paid: Option<u32>,
    proposed_by: String,
    approved_by: Option<String>,
    accepted_at: Option<String>,
    ended_on: Option<String>,
    end_reason: Option<String>,
}

fn plan_json(view: &PlanView) -> PlanJson {
    let plan = &view.plan;
    PlanJson {
        id: plan.id,
        customer_ref: plan.customer_ref.clone(),
        status: plan.status.code(),
        covered: plan.covered.to_decimal_string(),
        charges: plan.charges.to_decimal_string(),
        included_charges: plan.included.code(),
        currency: plan.covered.currency().code().to_owned(),
        every: plan.every.code(),
        waive_penalties: plan.waive_charges,
        needs_approval: !plan.exceeded.is_empty(),
        exceeded: plan.exceeded.clone(),
        invoices: plan.invoices.iter().map(|i| i.number.clone()).collect(),
        installments: plan
            .installments
            .iter()
            .map(|installment| InstallmentJson {
                number: installment.number,
                due_date: installment.due_on.to_string(),
                amount: installment.amount.to_decimal_string(),
            })
            .collect(),
        paid: plan.paid().to_decimal_string(),
        installments_paid: view.standing.as_ref().map(|standing| standing.paid),
        proposed_by: plan.proposed_by.clone(),
        approved_by: plan.approved_by.clone(),
        accepted_at: plan.accepted_at.map(|at| at.to_string()),
        ended_on: plan.ended_on.map(|day| day.to_string()),
        end_reason: plan.end_reason.clone(),
    }
}

fn print_plan(
    view: &PlanView,
    settings: &PlanSettings,
    format: OutputFormat,
    lang: Lang,
) -> anyhow::Result<()> {
    if format == OutputFormat::Json {
        return print_json(&plan_json(view));
    }
    let plan = &view.plan;
    let paid_count = view.standing.as_ref().map_or(0, |standing| standing.paid);
    let schedule = Table {
        headers: match (lang, format) {
            (_, OutputFormat::Csv) => vec!["number", "due_date", "amount", "paid"],
            (Lang::Fr, _) => vec!["n°", "échéance", "montant", "réglée"],
            (Lang::En, _) => vec!["#", "due", "amount", "paid"],
        },
        numeric: vec![true, false, true, false],
        rows: plan
            .installments
            .iter()
            .enumerate()
            .map(|(index, installment)| {
                let paid = (index as u32) < paid_count;
                vec![
                    if installment.number == 0 {
                        tr(lang, "acompte", "down").to_owned()
                    } else {
                        installment.number.to_string()
                    },
                    installment.due_on.to_string(),
                    cell_amount(installment.amount, format, lang),
                    if paid { tr(lang, "oui", "yes") } else { "" }.to_owned(),
                ]
            })
            .collect(),
    };
    if format == OutputFormat::Csv {
        return emit(&schedule, format);
    }
    let invoices: Vec<&str> = plan.invoices.iter().map(|i| i.number.as_str()).collect();
    let mut lines = vec![
        (
            tr(lang, "Échéancier", "Payment plan"),
            format!("n° {} — {}", plan.id, plan.customer_ref),
        ),
        (tr(lang, "État", "Status"), state_text(view, lang)),
        (tr(lang, "Factures", "Invoices"), invoices.join(", ")),
        (
            tr(lang, "Montant couvert", "Amount covered"),
            human_amount(plan.covered, lang),
        ),
        (
            tr(lang, "Déjà réglé", "Paid so far"),
            human_amount(plan.paid(), lang),
        ),
        (
            tr(lang, "Pénalités", "Penalties"),
            if plan.waive_charges {
                tr(
                    lang,
                    "remises si l'échéancier est respecté",
                    "waived if the plan is honoured",
                )
                .to_owned()
            } else if plan.charges.is_positive() {
                format!(
                    "{} {}",
                    human_amount(plan.charges, lang),
                    tr(
                        lang,
                        "échues, comprises dans le montant couvert",
                        "accrued, included in the amount covered"
                    )
                )
            } else {
                tr(lang, "restent dues", "still due").to_owned()
            },
        ),
    ];
    if !plan.exceeded.is_empty() {
        let texts: Vec<String> = plan
            .exceeded
            .iter()
            .map(|code| exceeded_text(code, &settings.limits, language(lang)))
            .collect();
        lines.push((
            tr(lang, "Validation", "Approval"),
            match lang {
                Lang::Fr => format!("un responsable doit valider ({})", texts.join(", ")),
                Lang::En => format!("a manager must approve ({})", texts.join(", ")),
            },
        ));
    }
    say(labelled(&lines, lang))?;
    say("")?;
    emit(&schedule, format)
}

fn print_list(views: &[PlanView], format: OutputFormat, lang: Lang) -> anyhow::Result<()> {
    if format == OutputFormat::Json {
        return print_json(&views.iter().map(plan_json).collect::<Vec<_>>());
    }
    let table = Table {
        headers: match (lang, format) {
            (_, OutputFormat::Csv) => vec![
                "id",
                "customer_ref",
                "status",
                "covered",
                "installments",
                "paid",
                "first_date",
                "last_date",
            ],
            (Lang::Fr, _) => vec![
                "n°",
                "client",
                "état",
                "couvert",
                "échéances",
                "réglé",
                "première",
                "dernière",
            ],
            (Lang::En, _) => vec![
                "id",
                "customer",
                "status",
                "covered",
                "installments",
                "paid",
                "first",
                "last",
            ],
        },
        numeric: vec![true, false, false, true, true, true, false, false],
        rows: views
            .iter()
            .map(|view| {
                let plan = &view.plan;
                let date = |day: Option<&domain::plan::Installment>| {
                    day.map(|installment| installment.due_on.to_string())
                        .unwrap_or_default()
                };
                vec![
                    plan.id.to_string(),
                    plan.customer_ref.clone(),
                    if format == OutputFormat::Csv {
                        plan.status.code().to_owned()
                    } else {
                        state_text(view, lang)
                    },
                    cell_amount(plan.covered, format, lang),
                    plan.installments.len().to_string(),
                    cell_amount(plan.paid(), format, lang),
                    date(plan.installments.first()),
                    date(plan.installments.last()),
                ]
            })
            .collect(),
    };
    emit(&table, format)
}
