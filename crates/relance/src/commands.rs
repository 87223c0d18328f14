//! One function per command: call the use case, print the result.

use std::io::Write;

use anyhow::{Context, bail};
use app::InvoiceFilter;
use app::clock::Clock;
use app::import::{
    ImportError, ImportInput, ImportOptions, ImportPhase, ImportProgress, ImportReport,
    InvoiceFileFormat,
};
use app::setup::select_tenant;
use domain::creditor::{CreditorProfile, PostalAddress, TimeZoneName};
use domain::customer::{CustomerRef, Language};
use domain::identifiers::{CountryCode, Iban, Siren};
use domain::money::{Currency, Money};
use domain::receivable::{days_past_due, status_of};
use domain::report::AgingReport;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::cli::{
    AgingArgs, BenchCommand, Cli, Command, CustomersCommand, DemoArgs, ImportCommand,
    ImportInvoicesArgs, InitArgs, InvoiceFormat, InvoiceListArgs, InvoicesCommand, Lang, ListArgs,
    OutputFormat, ReportCommand,
};
use crate::config::{Config, Database, redact_url};
use crate::output::{Table, human_amount, print_json};
use crate::{EXIT_REJECTED, Reported, tr};

/// Runs the command, then records it in the audit log if it changed something (or read a
/// customer's file) and succeeded.
pub(crate) async fn run(cli: Cli, audit: Option<crate::cli_audit::Entry>) -> anyhow::Result<()> {
    let config = Config::resolve(&cli.global.data_dir, cli.global.database_url.as_deref())?;
    let (tenant, lang) = (cli.global.tenant, cli.global.lang);
    dispatch(&config, cli).await?;
    if let Some(entry) = audit {
        crate::cli_audit::record(&config, tenant, &entry, lang).await;
    }
    Ok(())
}

async fn dispatch(config: &Config, cli: Cli) -> anyhow::Result<()> {
    let global = &cli.global;
    let lang = global.lang;
    match cli.command {
        Command::Init(args) => init(config, &args, lang).await,
        Command::Demo(args) => demo(config, &args, lang).await,
        Command::Serve(args) => crate::serve_cmd::serve(config, &args, lang).await,
        Command::Import(ImportCommand::Invoices(args)) => {
            import_invoices(config, global.tenant, &args, lang).await
        }
        Command::Import(ImportCommand::Bank(args)) => {
            crate::payment_cmds::import_bank(config, global.tenant, &args, lang).await
        }
        Command::Payments(command) => {
            crate::payment_cmds::payments_command(config, global.tenant, command, lang).await
        }
        Command::Payment(command) => {
            crate::payment_cmds::payment_command(config, global.tenant, command, lang).await
        }
        Command::Customers(CustomersCommand::List(args)) => {
            list_customers(config, global.tenant, &args, lang).await
        }
        Command::Invoices(InvoicesCommand::List(args)) => {
            list_invoices(config, global.tenant, &args, lang).await
        }
        Command::Report(ReportCommand::Aging(args)) => {
            aging(config, global.tenant, &args, lang).await
        }
        Command::Template(command) => {
            crate::template_cmds::template(config, global.tenant, command, lang).await
        }
        Command::Letter(args) => {
            crate::template_cmds::letter(config, global.tenant, args, lang).await
        }
        Command::Plan(command) => crate::plan_cmds::run(config, global.tenant, command, lang).await,
        Command::Portal(command) => {
            crate::portal_cmds::run(config, global.tenant, command, lang).await
        }
        Command::Audit(command) => {
            crate::audit_cmds::run(config, global.tenant, command, lang).await
        }
        Command::User(command) => crate::user_cmds::run(config, global.tenant, command, lang).await,
        Command::Dispatch(args) => {
            crate::delivery_cmds::dispatch(config, global.tenant, args, lang).await
        }
        Command::Outbox(command) => {
            crate::delivery_cmds::outbox(config, global.tenant, command, lang).await
        }
        Command::Calls(args) => {
            crate::delivery_cmds::calls(config, global.tenant, args, lang).await
        }
        Command::Delivery(command) => {
            crate::delivery_cmds::delivery_settings(config, global.tenant, command, lang).await
        }
        Command::Bench(BenchCommand::Import(args)) => crate::bench::import(&args).await,
        Command::Bench(BenchCommand::Run(args)) => crate::bench_run::run(&args).await,
        Command::Bench(BenchCommand::Match(args)) => crate::bench_match::run(&args).await,
        Command::Bench(BenchCommand::Web(args)) => crate::bench_web::run(&args).await,
        Command::Bench(BenchCommand::Load(args)) => crate::bench_web::load(&args).await,
        command @ (Command::Interest(_)
        | Command::Statement(_)
        | Command::Rates(_)
        | Command::LatePayment(_)
        | Command::Waiver(_)
        | Command::Recovery(_)
        | Command::Settlement(_)
        | Command::Mention(_)) => crate::law_cmds::run(config, global.tenant, command, lang).await,
        command => crate::casework::run(config, global.tenant, command, lang).await,
    }
}

pub(crate) fn say(text: impl AsRef<str>) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", text.as_ref())?;
    Ok(())
}

async fn init(config: &Config, args: &InitArgs, lang: Lang) -> anyhow::Result<()> {
    let currency = Currency::from_code(&args.currency).context("--currency")?;
    let profile = CreditorProfile {
        company_name: args.company.trim().to_owned(),
        siren: args
            .siren
            .as_deref()
            .map(Siren::parse)
            .transpose()
            .context("--siren")?,
        address: PostalAddress {
            country: Some(CountryCode::FRANCE),
            ..PostalAddress::default()
        },
        iban: args
            .iban
            .as_deref()
            .map(Iban::parse)
            .transpose()
            .context("--iban")?,
        bic: None,
        language: domain::customer::Language::French,
        time_zone: TimeZoneName::parse(&args.timezone).context("--timezone")?,
        currency,
        default_payment_term_days: args.payment_term_days,
    };
    if profile.company_name.is_empty() {
        bail!(
            "{}",
            tr(
                lang,
                "--company ne peut pas être vide",
                "--company cannot be empty"
            )
        );
    }
    let store = config.open().await?;
    let tenant = if args.add_creditor {
        app::setup::add_creditor(&store, &profile, Clock::System).await?
    } else {
        app::setup::initialise(&store, &profile, Clock::System)
            .await
            .with_context(|| {
                tr(
                    lang,
                    "pour ajouter un autre créancier : --add-creditor",
                    "to add another creditor: --add-creditor",
                )
            })?
    };
    config.save()?;
    let where_ = match &config.database {
        Database::Sqlite(path) => path.display().to_string(),
        Database::Postgres(url) => redact_url(url),
    };
    say(match lang {
        Lang::Fr => format!(
            "Dossier créé pour « {} » (créancier n° {tenant}).\nDonnées : {where_}\n\nEnsuite :\n  relance import invoices factures.csv\n  relance report aging",
            profile.company_name
        ),
        Lang::En => format!(
            "Books created for \"{}\" (creditor #{tenant}).\nData: {where_}\n\nNext:\n  relance import invoices invoices.csv\n  relance report aging",
            profile.company_name
        ),
    })
}

async fn demo(config: &Config, args: &DemoArgs, lang: Lang) -> anyhow::Result<()> {
    let store = config.open().await?;
    let clock = Clock::System;
    let as_of = args.as_of.unwrap_or_else(|| clock.today_in("Europe/Paris"));
    let report = app::demo::create_demo(&store, args.seed, as_of, clock).await?;
    config.save()?;
    let import = &report.import;
    let behaviours: Vec<String> = report
        .behaviours
        .iter()
        .map(|(behaviour, count)| format!("{} {count}", behaviour_label(*behaviour, lang)))
        .collect();
    let data = match &config.database {
        Database::Sqlite(path) => path.display().to_string(),
        Database::Postgres(url) => redact_url(url),
    };
    let counts = format!(
        "{} {} / {} {}",
        import.customers.created + import.customers.updated + import.customers.unchanged,
        tr(lang, "clients", "customers"),
        import.rows_read,
        tr(lang, "factures", "invoices"),
    );
    say(match lang {
        Lang::Fr => format!(
            "Démo prête : « {} », {counts} sur 18 mois au {} (graine {}).\n\
             Dont {} particuliers. Comportements : {}.\n\
             Import : {} factures créées, {} modifiées, {} inchangées.\n\
             Données : {data}\n\n\
             À essayer (depuis les sources : cargo run --release -- …) :\n  relance report aging\n  relance invoices list --overdue\n  relance run --dry-run                     (les relances du jour, expliquées)\n  relance run && relance actions list\n  relance customer show C000001\n  relance scenario show\n  relance interest --jurisdiction fr-b2b --amount 1000 --due 2026-01-31 --until 2026-06-30",
            report.company_name,
            report.as_of,
            report.seed,
            report.consumers,
            behaviours.join(", "),
            import.invoices.created,
            import.invoices.updated,
            import.invoices.unchanged,
        ),
        Lang::En => format!(
            "Demo ready: \"{}\", {counts} over 18 months as of {} (seed {}).\n\
             Including {} consumers. Behaviours: {}.\n\
             Import: {} invoices created, {} updated, {} unchanged.\n\
             Data: {data}\n\n\
             Try next (from the sources: cargo run --release -- …):\n  relance report aging\n  relance invoices list --overdue\n  relance run --dry-run                     (today's reminders, explained)\n  relance run && relance actions list\n  relance customer show C000001\n  relance scenario show\n  relance interest --jurisdiction fr-b2b --amount 1000 --due 2026-01-31 --until 2026-06-30",
            report.company_name,
            report.as_of,
            report.seed,
            report.consumers,
            behaviours.join(", "),
            import.invoices.created,
            import.invoices.updated,
            import.invoices.unchanged,
        ),
    })
}

fn behaviour_label(behaviour: synthetic::Behaviour, lang: Lang) -> &'static str {
    use synthetic::Behaviour;
    match behaviour {
        Behaviour::PaysOnTime => tr(lang, "paie à l'heure", "pays on time"),
        Behaviour::Forgets => tr(lang, "oublie", "forgets"),
        Behaviour::LateInDifficulty => tr(lang, "en difficulté", "late, in difficulty"),
        Behaviour::Disputes => tr(lang, "conteste", "disputes"),
        Behaviour::PaysInParts => tr(lang, "paie en plusieurs fois", "pays in parts"),
        Behaviour::NeverPays => tr(lang, "ne paie jamais", "never pays"),
    }
}

/// A progress bar on standard error, shown only for files large enough to wait for.
struct ProgressBars {
    bar: Option<ProgressBar>,
    lang: Lang,
}

/// Below this size an import takes well under a second: no bar.
const PROGRESS_BAR_MIN_BYTES: u64 = 4 << 20;

impl ProgressBars {
    fn new(total: u64, lang: Lang) -> ProgressBars {
        let bar = (total >= PROGRESS_BAR_MIN_BYTES).then(|| {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template("{msg:>12} [{bar:40}] {bytes}/{total_bytes} ({eta})")
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            bar
        });
        ProgressBars { bar, lang }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl ImportProgress for ProgressBars {
    fn update(&self, phase: ImportPhase, done: u64, total: u64) {
        let Some(bar) = &self.bar else { return };
        let label = match phase {
            ImportPhase::Checking => tr(self.lang, "empreinte", "checking"),
            ImportPhase::Validating => tr(self.lang, "vérification", "validating"),
            ImportPhase::Writing => tr(self.lang, "écriture", "writing"),
        };
        bar.set_message(label);
        bar.set_length(total.max(1));
        bar.set_position(done.min(total));
    }
}

async fn import_invoices(
    config: &Config,
    tenant: Option<i64>,
    args: &ImportInvoicesArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    let format = match args.format {
        Some(InvoiceFormat::Fec) => InvoiceFileFormat::Fec,
        Some(InvoiceFormat::Csv) => InvoiceFileFormat::Csv,
        None => InvoiceFileFormat::from_file_name(&args.file.to_string_lossy()),
    };
    let total = std::fs::metadata(&args.file)
        .map(|metadata| metadata.len())
        .unwrap_or(0);
    let progress = ProgressBars::new(total, lang);
    let result = app::import::import_invoices(
        &store,
        &tenant,
        ImportInput::Path(&args.file),
        ImportOptions {
            format,
            payment_term_days: args.payment_term_days,
        },
        &progress,
        Clock::System,
    )
    .await;
    progress.finish();
    match result {
        Ok(report) => print_import_report(&report, args.output, lang),
        Err(ImportError::Rejected {
            file,
            problems,
            more,
        }) => {
            let language = match lang {
                Lang::Fr => Language::French,
                Lang::En => Language::English,
            };
            let mut stderr = std::io::stderr().lock();
            let total = problems.len() as u64 + more;
            match lang {
                Lang::Fr => writeln!(
                    stderr,
                    "{file} refusé : {total} problème(s), rien n'a été importé."
                )?,
                Lang::En => writeln!(
                    stderr,
                    "{file} rejected: {total} problem(s), nothing was imported."
                )?,
            }
            for problem in &problems {
                writeln!(stderr, "  {}", problem.describe(language))?;
            }
            if more > 0 {
                match lang {
                    Lang::Fr => writeln!(stderr, "  … et {more} autre(s).")?,
                    Lang::En => writeln!(stderr, "  … and {more} more.")?,
                }
            }
            Err(Reported(EXIT_REJECTED).into())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Serialize)]
struct ImportJson {
    file: String,
    rows_read: u64,
    already_imported: bool,
    customers: CountsJson,
    invoices: CountsJson,
}

#[derive(Serialize)]
struct CountsJson {
    created: u64,
    updated: u64,
    unchanged: u64,
}

fn print_import_report(
    report: &ImportReport,
    format: OutputFormat,
    lang: Lang,
) -> anyhow::Result<()> {
    if format == OutputFormat::Json {
        let counts = |counts: &app::import::RowCounts| CountsJson {
            created: counts.created,
            updated: counts.updated,
            unchanged: counts.unchanged,
        };
        return print_json(&ImportJson {
            file: report.file_name.clone(),
            rows_read: report.rows_read,
            already_imported: report.already_imported,
            customers: counts(&report.customers),
            invoices: counts(&report.invoices),
        });
    }
    let (customers, invoices) = (&report.customers, &report.invoices);
    let mut text = match lang {
        Lang::Fr => format!(
            "{} : {} lignes lues.\n  factures : {} créées, {} modifiées, {} inchangées\n  clients  : {} créés, {} modifiés, {} inchangés",
            report.file_name,
            report.rows_read,
            invoices.created,
            invoices.updated,
            invoices.unchanged,
            customers.created,
            customers.updated,
            customers.unchanged
        ),
        Lang::En => format!(
            "{}: {} rows read.\n  invoices:  {} created, {} updated, {} unchanged\n  customers: {} created, {} updated, {} unchanged",
            report.file_name,
            report.rows_read,
            invoices.created,
            invoices.updated,
            invoices.unchanged,
            customers.created,
            customers.updated,
            customers.unchanged
        ),
    };
    if report.already_imported {
        text.push_str(tr(
            lang,
            "\n  Ce fichier est identique au dernier import : rien n'a changé.",
            "\n  This file is identical to the last import: nothing changed.",
        ));
    } else if !report.changed_anything() {
        text.push_str(tr(lang, "\n  Rien n'a changé.", "\n  Nothing changed."));
    }
    if let Some(fec) = &report.fec {
        for (customer, credit) in &fec.unapplied_credit {
            text.push_str(&match lang {
                Lang::Fr => format!(
                    "\n  Avoir ou paiement non lettré restant pour {customer} : {}",
                    human_amount(*credit, lang)
                ),
                Lang::En => format!(
                    "\n  Unapplied credit left for {customer}: {}",
                    human_amount(*credit, lang)
                ),
            });
        }
    }
    say(text)
}

#[derive(Serialize)]
struct CustomerJson {
    customer_ref: String,
    name: String,
    kind: &'static str,
    country: String,
    email: Option<String>,
    phone: Option<String>,
    invoices: i64,
    open_invoices: i64,
    outstanding: String,
    currency: String,
}

async fn list_customers(
    config: &Config,
    tenant: Option<i64>,
    args: &ListArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    let customers = app::queries::list_customers(&store, &tenant).await?;
    if args.format == OutputFormat::Json {
        let rows: Vec<CustomerJson> = customers
            .iter()
            .map(|customer| CustomerJson {
                customer_ref: customer.reference.to_string(),
                name: customer.legal_name.clone(),
                kind: customer.kind.code(),
                country: customer.country.as_str().to_owned(),
                email: customer.email.clone(),
                phone: customer.phone.clone(),
                invoices: customer.invoices,
                open_invoices: customer.open_invoices,
                outstanding: customer.outstanding.to_decimal_string(),
                currency: customer.outstanding.currency().code().to_owned(),
            })
            .collect();
        return print_json(&rows);
    }
    let amount = |money: Money| cell_amount(money, args.format, lang);
    let table = Table {
        headers: match lang {
            Lang::Fr => vec![
                "code_client",
                "raison_sociale",
                "type",
                "pays",
                "email",
                "telephone",
                "factures",
                "ouvertes",
                "reste_du",
            ],
            Lang::En => vec![
                "customer_ref",
                "name",
                "kind",
                "country",
                "email",
                "phone",
                "invoices",
                "open",
                "outstanding",
            ],
        },
        numeric: vec![false, false, false, false, false, false, true, true, true],
        rows: customers
            .iter()
            .map(|customer| {
                vec![
                    customer.reference.to_string(),
                    customer.legal_name.clone(),
                    customer.kind.code().to_owned(),
                    customer.country.as_str().to_owned(),
                    customer.email.clone().unwrap_or_default(),
                    customer.phone.clone().unwrap_or_default(),
                    customer.invoices.to_string(),
                    customer.open_invoices.to_string(),
                    amount(customer.outstanding),
                ]
            })
            .collect(),
    };
    emit(&table, args.format)
}

/// An amount as a table cell: canonical in CSV, the reader's way in a table.
pub(crate) fn cell_amount(money: Money, format: OutputFormat, lang: Lang) -> String {
    if format == OutputFormat::Csv {
        money.to_decimal_string()
    } else {
        human_amount(money, lang)
    }
}

pub(crate) fn emit(table: &Table, format: OutputFormat) -> anyhow::Result<()> {
    match format {
        OutputFormat::Csv => table.write_csv(std::io::stdout().lock()),
        _ => {
            let mut stdout = std::io::stdout().lock();
            write!(stdout, "{}", table.render())?;
            Ok(())
        }
    }
}

#[derive(Serialize)]
struct InvoiceJson {
    invoice_number: String,
    customer_ref: String,
    customer_name: String,
    issue_date: String,
    due_date: String,
    service_date: Option<String>,
    amount: String,
    outstanding: String,
    currency: String,
    status: &'static str,
    days_past_due: i32,
}

async fn list_invoices(
    config: &Config,
    tenant: Option<i64>,
    args: &InvoiceListArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    let as_of = args
        .as_of
        .unwrap_or_else(|| Clock::System.today_in(tenant.profile.time_zone.as_str()));
    let filter = InvoiceFilter {
        customer: args
            .customer
            .as_deref()
            .map(CustomerRef::parse)
            .transpose()
            .context("--customer")?,
        overdue_on: args.overdue.then_some(as_of),
    };
    let invoices = app::queries::list_invoices(&store, &tenant, &filter).await?;
    if args.format == OutputFormat::Json {
        let rows: Vec<InvoiceJson> = invoices
            .iter()
            .map(|invoice| InvoiceJson {
                invoice_number: invoice.number.to_string(),
                customer_ref: invoice.customer.to_string(),
                customer_name: invoice.customer_name.clone(),
                issue_date: invoice.issued_on.to_string(),
                due_date: invoice.due_on.to_string(),
                service_date: invoice.service_on.map(|date| date.to_string()),
                amount: invoice.amount.to_decimal_string(),
                outstanding: invoice.outstanding.to_decimal_string(),
                currency: invoice.amount.currency().code().to_owned(),
                status: status_of(invoice.outstanding).code(),
                days_past_due: days_past_due(invoice.due_on, as_of).max(0),
            })
            .collect();
        return print_json(&rows);
    }
    let amount = |money: Money| cell_amount(money, args.format, lang);
    let table = Table {
        headers: match lang {
            Lang::Fr => vec![
                "numero_facture",
                "code_client",
                "raison_sociale",
                "date_facture",
                "date_echeance",
                "montant_ttc",
                "reste_du",
                "devise",
                "statut",
                "jours_retard",
            ],
            Lang::En => vec![
                "invoice_number",
                "customer_ref",
                "customer_name",
                "issue_date",
                "due_date",
                "amount",
                "outstanding",
                "currency",
                "status",
                "days_past_due",
            ],
        },
        numeric: vec![
            false, false, false, false, false, true, true, false, false, true,
        ],
        rows: invoices
            .iter()
            .map(|invoice| {
                let status = status_of(invoice.outstanding);
                vec![
                    invoice.number.to_string(),
                    invoice.customer.to_string(),
                    invoice.customer_name.clone(),
                    invoice.issued_on.to_string(),
                    invoice.due_on.to_string(),
                    amount(invoice.amount),
                    amount(invoice.outstanding),
                    invoice.amount.currency().code().to_owned(),
                    match (status, lang) {
                        (domain::receivable::InvoiceStatus::Paid, Lang::Fr) => "payée".to_owned(),
                        (domain::receivable::InvoiceStatus::Open, Lang::Fr) => "ouverte".to_owned(),
                        (status, Lang::En) => status.code().to_owned(),
                    },
                    days_past_due(invoice.due_on, as_of).max(0).to_string(),
                ]
            })
            .collect(),
    };
    emit(&table, args.format)
}

#[derive(Serialize)]
struct AgingJson {
    as_of: String,
    currency: String,
    total: String,
    buckets: Vec<BucketJson>,
    customers: Vec<CustomerAgingJson>,
}

#[derive(Serialize)]
struct BucketJson {
    label: String,
    amount: String,
}

#[derive(Serialize)]
struct CustomerAgingJson {
    customer_ref: String,
    total: String,
    buckets: Vec<BucketJson>,
}

fn buckets_json(buckets: &[domain::report::BucketAmount]) -> Vec<BucketJson> {
    buckets
        .iter()
        .map(|bucket| BucketJson {
            label: bucket.label.clone(),
            amount: bucket.amount.to_decimal_string(),
        })
        .collect()
}

async fn aging(
    config: &Config,
    tenant: Option<i64>,
    args: &AgingArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    let as_of = args
        .as_of
        .unwrap_or_else(|| Clock::System.today_in(tenant.profile.time_zone.as_str()));
    let currency = args
        .currency
        .as_deref()
        .map(Currency::from_code)
        .transpose()
        .context("--currency")?;
    let report = app::queries::aging_report(&store, &tenant, as_of, currency).await?;
    match args.format {
        OutputFormat::Json => print_json(&AgingJson {
            as_of: report.as_of.to_string(),
            currency: report.currency.code().to_owned(),
            total: report.total.to_decimal_string(),
            buckets: buckets_json(&report.buckets),
            customers: report
                .customers
                .iter()
                .map(|customer| CustomerAgingJson {
                    customer_ref: customer.customer.to_string(),
                    total: customer.total.to_decimal_string(),
                    buckets: buckets_json(&customer.buckets),
                })
                .collect(),
        }),
        OutputFormat::Csv => aging_table(&report, lang, |money| money.to_decimal_string())
            .write_csv(std::io::stdout().lock()),
        OutputFormat::Table => {
            let table = aging_table(&report, lang, |money| human_amount(money, lang));
            let mut text = match lang {
                Lang::Fr => format!("Balance âgée au {} ({})\n\n", report.as_of, report.currency),
                Lang::En => format!(
                    "Aged balance as of {} ({})\n\n",
                    report.as_of, report.currency
                ),
            };
            text.push_str(&table.render());
            for (currency, amount) in &report.other_currencies {
                text.push_str(&match lang {
                    Lang::Fr => format!("\nAussi {} {currency} dû, hors de ce rapport (--currency {currency}).", human_amount(*amount, lang)),
                    Lang::En => format!("\nAlso {} {currency} outstanding, not in this report (--currency {currency}).", human_amount(*amount, lang)),
                });
            }
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{text}")?;
            Ok(())
        }
    }
}

/// The aged balance as a table: a total row, then one row per customer, largest first.
fn aging_table(report: &AgingReport, lang: Lang, amount: impl Fn(Money) -> String) -> Table {
    let mut headers = vec![tr(lang, "code_client", "customer_ref"), "total"];
    for bucket in &report.buckets {
        headers.push(match (bucket.label.as_str(), lang) {
            ("not_due", Lang::Fr) => "non_echu",
            ("not_due", Lang::En) => "not_due",
            ("1-30", _) => "1-30",
            ("31-60", _) => "31-60",
            ("61-90", _) => "61-90",
            ("91+", _) => "91+",
            _ => "?",
        });
    }
    let numeric = std::iter::once(false)
        .chain(std::iter::repeat_n(true, headers.len() - 1))
        .collect();
    let mut rows = vec![
        std::iter::once(tr(lang, "TOTAL", "TOTAL").to_owned())
            .chain(std::iter::once(amount(report.total)))
            .chain(report.buckets.iter().map(|bucket| amount(bucket.amount)))
            .collect::<Vec<_>>(),
    ];
    rows.extend(report.customers.iter().map(|customer| {
        std::iter::once(customer.customer.to_string())
            .chain(std::iter::once(amount(customer.total)))
            .chain(customer.buckets.iter().map(|bucket| amount(bucket.amount)))
            .collect()
    }));
    Table {
        headers,
        numeric,
        rows,
    }
}
