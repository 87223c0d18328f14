//! Message templates and letters: `relance template list|show|edit|reset|preview` and
//! `relance letter`.
//!
//! The template language is the global `--lang` (French by default): `relance template show
//! first_reminder --lang en` prints the English text, `edit … --lang en` saves it.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use app::clock::Clock;
use app::setup::select_tenant;
use app::templates::{self, Origin, TemplateError};
use clap::{Args, Subcommand};
use documents::variables::VARIABLES;
use domain::customer::Language;
use serde::Serialize;

use crate::casework::language;
use crate::cli::{Lang, OutputFormat};
use crate::commands::{emit, say};
use crate::config::Config;
use crate::output::{Table, print_json};
use crate::{EXIT_REJECTED, Reported, tr};

#[derive(Debug, Subcommand)]
pub(crate) enum TemplateCommand {
    /// Every template, what it is for, and the languages you edited it in.
    List {
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Print a template (in --lang) as the file `edit` takes; with --variables, the variables.
    Show {
        /// The template's key (`relance template list`); not needed with --variables.
        #[arg(required_unless_present = "variables")]
        key: Option<String>,
        /// List the variables a template can use, with what they hold.
        #[arg(long)]
        variables: bool,
    },
    /// Check a template file and save it as your version of KEY (in --lang). A file with a
    /// problem is refused whole, every problem named by line and column.
    Edit {
        key: String,
        #[arg(long)]
        file: PathBuf,
    },
    /// Go back to the built-in text of KEY (both languages unless --language).
    Reset {
        key: String,
        /// Only this language: fr or en.
        #[arg(long)]
        language: Option<String>,
    },
    /// Render a template (in --lang) with a customer's data, or with sample data.
    Preview(PreviewArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PreviewArgs {
    key: String,
    /// A customer's reference: its open invoices and statement of account today.
    #[arg(long)]
    customer: Option<String>,
    /// Also write the message as a PDF letter.
    #[arg(long, value_name = "OUT.pdf")]
    pdf: Option<PathBuf>,
    /// Also write the e-mail's HTML body.
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
    /// The date the message bears, and of the statement of account (default: today).
    #[arg(long)]
    date: Option<jiff::civil::Date>,
}

/// `relance letter --action ID --out FILE.pdf`, the day's print batch with `--batch --date`, or
/// the registered-letter list with `--registered-list DATE`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["action", "batch", "registered_list"]))]
pub(crate) struct LetterArgs {
    /// A recorded action (a formal notice…): its letter, from the customer's data.
    #[arg(long)]
    action: Option<i64>,
    /// Every postal letter scheduled on the day --date, in one PDF for the printer.
    #[arg(long)]
    batch: bool,
    /// The date the letter bears, and of the batch (default: today).
    #[arg(long)]
    date: Option<jiff::civil::Date>,
    /// With --batch: a blank page after each letter with an odd number of pages, for
    /// printing on both sides.
    #[arg(long)]
    duplex: bool,
    /// The registered letters of this day's batch, for the post office: recipient, address,
    /// reference, pages and weight (printed, no --out).
    #[arg(long, value_name = "DATE")]
    registered_list: Option<jiff::civil::Date>,
    /// With --registered-list: table, csv or json.
    #[arg(long, value_enum, default_value_t = crate::cli::OutputFormat::Table)]
    format: crate::cli::OutputFormat,
    #[arg(
        long,
        value_name = "FILE.pdf",
        required_unless_present = "registered_list"
    )]
    out: Option<PathBuf>,
}

fn write_file(path: &PathBuf, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Prints every problem of a refused template, then exits with the code of rejected input.
fn report_problems(
    key: &str,
    problems: &[documents::TemplateProblem],
    lang: Lang,
    stored: bool,
) -> anyhow::Error {
    let result = (|| -> std::io::Result<()> {
        let mut stderr = std::io::stderr().lock();
        let count = problems.len();
        match (lang, stored) {
            (Lang::Fr, false) => writeln!(
                stderr,
                "modèle {key} refusé : {count} problème(s), rien n'a été enregistré."
            )?,
            (Lang::En, false) => writeln!(
                stderr,
                "template {key} refused: {count} problem(s), nothing was saved."
            )?,
            (Lang::Fr, true) => writeln!(
                stderr,
                "le modèle {key} enregistré n'est plus valide ({count} problème(s)) : corrigez-le avec `relance template edit` ou revenez au texte d'origine avec `relance template reset`."
            )?,
            (Lang::En, true) => writeln!(
                stderr,
                "the saved template {key} is no longer valid ({count} problem(s)): fix it with `relance template edit` or go back to the built-in text with `relance template reset`."
            )?,
        }
        for problem in problems {
            writeln!(stderr, "  {}", problem.describe(language(lang)))?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => Reported(EXIT_REJECTED).into(),
        Err(error) => error.into(),
    }
}

fn localise(error: TemplateError, lang: Lang) -> anyhow::Error {
    match error {
        TemplateError::Invalid { key, problems, .. } => {
            report_problems(&key, &problems, lang, false)
        }
        TemplateError::StoredInvalid { key, problems, .. } => {
            report_problems(&key, &problems, lang, true)
        }
        other => anyhow::anyhow!(other.describe(language(lang))),
    }
}

pub(crate) async fn template(
    config: &Config,
    tenant: Option<i64>,
    command: TemplateCommand,
    lang: Lang,
) -> anyhow::Result<()> {
    if let TemplateCommand::Show {
        variables: true, ..
    } = command
    {
        return print_variables(language(lang));
    }
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    let clock = Clock::System;
    let language = language(lang);
    match command {
        TemplateCommand::List { format } => {
            let summaries = templates::list(&store, &tenant)
                .await
                .map_err(|error| localise(error, lang))?;
            if format == OutputFormat::Json {
                #[derive(Serialize)]
                struct TemplateJson {
                    key: &'static str,
                    kind: &'static str,
                    title: &'static str,
                    edited: Vec<&'static str>,
                    sms: bool,
                }
                let rows: Vec<TemplateJson> = summaries
                    .iter()
                    .map(|summary| TemplateJson {
                        key: summary.builtin.key,
                        kind: summary.builtin.kind.code(),
                        title: summary.builtin.title(language),
                        edited: summary.edited.iter().map(Language::code).collect(),
                        sms: summary.builtin.source(language).sms.is_some(),
                    })
                    .collect();
                return print_json(&rows);
            }
            let table = Table {
                headers: match lang {
                    Lang::Fr => vec!["modèle", "type", "usage", "modifié"],
                    Lang::En => vec!["template", "kind", "purpose", "edited"],
                },
                numeric: vec![false, false, false, false],
                rows: summaries
                    .iter()
                    .map(|summary| {
                        vec![
                            summary.builtin.key.to_owned(),
                            templates::kind_label(summary.builtin.kind, language).to_owned(),
                            summary.builtin.title(language).to_owned(),
                            summary
                                .edited
                                .iter()
                                .map(Language::code)
                                .collect::<Vec<_>>()
                                .join(", "),
                        ]
                    })
                    .collect(),
            };
            emit(&table, format)
        }
        TemplateCommand::Show { key, .. } => {
            let key = key.expect("clap requires KEY without --variables");
            let text = templates::text(&store, &tenant, &key, language)
                .await
                .map_err(|error| localise(error, lang))?;
            let mut stdout = std::io::stdout().lock();
            write!(stdout, "{}", text.source.to_file())?;
            Ok(())
        }
        TemplateCommand::Edit { key, file } => {
            let content = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let saved = templates::edit(&store, &tenant, clock, &key, language, &content)
                .await
                .map_err(|error| localise(error, lang))?;
            say(match lang {
                Lang::Fr => format!(
                    "Modèle {key} ({}) enregistré : vérifié avec les données d'exemple, il servira aux prochains envois.\nAperçu : relance template preview {key} --lang {}",
                    saved.language.code(),
                    saved.language.code()
                ),
                Lang::En => format!(
                    "Template {key} ({}) saved: checked with the sample data, it will be used from the next message on.\nPreview: relance template preview {key} --lang {}",
                    saved.language.code(),
                    saved.language.code()
                ),
            })
        }
        TemplateCommand::Reset { key, language } => {
            let only = match language.as_deref() {
                None => None,
                Some(code) => Some(
                    Language::parse(code)
                        .with_context(|| format!("--language {code:?}: expected fr or en"))?,
                ),
            };
            let removed = templates::reset(&store, &tenant, &key, only)
                .await
                .map_err(|error| localise(error, lang))?;
            say(match (lang, removed) {
                (Lang::Fr, 0) => format!(
                    "{key} : aucune modification à annuler, le texte d'origine est déjà utilisé."
                ),
                (Lang::Fr, n) => format!(
                    "{key} : {n} version(s) modifiée(s) supprimée(s), le texte d'origine est de nouveau utilisé."
                ),
                (Lang::En, 0) => {
                    format!("{key}: no edit to undo, the built-in text is already used.")
                }
                (Lang::En, n) => format!(
                    "{key}: {n} edited version(s) removed, the built-in text is used again."
                ),
            })
        }
        TemplateCommand::Preview(args) => preview(&store, &tenant, clock, args, lang).await,
    }
}

async fn preview(
    store: &app::Store,
    tenant: &app::TenantRecord,
    clock: Clock,
    args: PreviewArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    let clock = match args.date {
        // Noon in the creditor's zone: that day wherever "today" is read.
        Some(date) => Clock::Fixed(
            date.at(12, 0, 0, 0)
                .in_tz(tenant.profile.time_zone.as_str())
                .map(|zoned| zoned.timestamp())
                .context("--date")?,
        ),
        None => clock,
    };
    let preview = templates::preview(
        store,
        tenant,
        clock,
        &args.key,
        language(lang),
        args.customer.as_deref(),
    )
    .await
    .map_err(|error| localise(error, lang))?;
    let rendered = &preview.rendered;
    let origin = match (preview.origin, lang) {
        (Origin::BuiltIn, Lang::Fr) => "texte d'origine".to_owned(),
        (Origin::BuiltIn, Lang::En) => "built-in text".to_owned(),
        (Origin::Edited { updated_at }, Lang::Fr) => format!("modifié le {updated_at}"),
        (Origin::Edited { updated_at }, Lang::En) => format!("edited on {updated_at}"),
    };
    let data = match (&args.customer, lang) {
        (Some(reference), Lang::Fr) => format!("client {reference}"),
        (Some(reference), Lang::En) => format!("customer {reference}"),
        (None, Lang::Fr) => "données d'exemple".to_owned(),
        (None, Lang::En) => "sample data".to_owned(),
    };
    let mut out = format!(
        "== {} ({}, {origin}, {data}) ==\n{} {}\n\n{}",
        args.key,
        rendered.language.code(),
        tr(lang, "Objet :", "Subject:"),
        rendered.subject,
        rendered.text
    );
    if let Some(sms) = &rendered.sms {
        out.push_str(&match lang {
            Lang::Fr => format!(
                "\n== SMS ({} caractères, {}, {} SMS) ==\n{}\n",
                sms.text.chars().count(),
                sms.length.encoding.code(),
                sms.length.segments,
                sms.text
            ),
            Lang::En => format!(
                "\n== SMS ({} characters, {}, {} message(s)) ==\n{}\n",
                sms.text.chars().count(),
                sms.length.encoding.code(),
                sms.length.segments,
                sms.text
            ),
        });
    }
    if let Some(path) = &args.html {
        write_file(path, rendered.html.as_bytes())?;
        out.push_str(&format!("\nHTML : {}\n", path.display()));
    }
    if let Some(path) = &args.pdf {
        write_file(path, &preview.pdf()?)?;
        out.push_str(&format!("\nPDF : {}\n", path.display()));
    }
    let mut stdout = std::io::stdout().lock();
    write!(stdout, "{out}")?;
    Ok(())
}

fn print_variables(language: Language) -> anyhow::Result<()> {
    let table = Table {
        headers: match language {
            Language::French => vec!["variable", "type", "contenu"],
            Language::English => vec!["variable", "kind", "holds"],
        },
        numeric: vec![false, false, false],
        rows: VARIABLES
            .iter()
            .map(|variable| {
                vec![
                    variable.name.to_owned(),
                    variable.kind.label(language).to_owned(),
                    variable.description(language).to_owned(),
                ]
            })
            .collect(),
    };
    let blocks = match language {
        Language::French => {
            "\nBlocs (une ligne seule dans text ou html) : @invoices (les factures), @statement (le décompte), @payment (le règlement, avec le QR code dans une lettre)."
        }
        Language::English => {
            "\nBlocks (a line of their own in text or html): @invoices (the invoices), @statement (the statement of account), @payment (payment instructions, with the QR code in a letter)."
        }
    };
    let mut stdout = std::io::stdout().lock();
    write!(stdout, "{}", table.render())?;
    writeln!(stdout, "{blocks}")?;
    Ok(())
}

pub(crate) async fn letter(
    config: &Config,
    tenant: Option<i64>,
    args: LetterArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    if let Some(date) = args.registered_list {
        return crate::delivery_cmds::registered_list(config, tenant, date, args.format, lang)
            .await;
    }
    let Some(out) = args.out.clone() else {
        anyhow::bail!("--out FILE.pdf");
    };
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    let date = args
        .date
        .unwrap_or_else(|| Clock::System.today_in(tenant.profile.time_zone.as_str()));
    if let Some(id) = args.action {
        let letter = templates::letter_for_action(&store, &tenant, id, date)
            .await
            .map_err(|error| localise(error, lang))?;
        let pdf = documents::letter_pdf(&documents::Letter {
            rendered: &letter.rendered,
            context: &letter.context,
        })
        .map_err(|error| anyhow::anyhow!(error.describe(language(lang))))?;
        write_file(&out, &pdf)?;
        return say(match lang {
            Lang::Fr => format!(
                "{} : {} pour {} ({}), {}.",
                out.display(),
                letter.rendered.subject,
                letter.action.customer_ref,
                letter.context.totals.outstanding,
                letter.action.step_key
            ),
            Lang::En => format!(
                "{}: {} for {} ({}), {}.",
                out.display(),
                letter.rendered.subject,
                letter.action.customer_ref,
                letter.context.totals.outstanding,
                letter.action.step_key
            ),
        });
    }
    let (pdf, letters) = templates::print_batch_for(&store, &tenant, date, args.duplex)
        .await
        .map_err(|error| localise(error, lang))?;
    write_file(&out, &pdf)?;
    let registered = letters
        .iter()
        .filter(|letter| letter.context.message.registered)
        .count();
    say(match lang {
        Lang::Fr => format!(
            "{} : {} courrier(s) du {date}, dont {registered} recommandé(s).",
            out.display(),
            letters.len()
        ),
        Lang::En => format!(
            "{}: {} letter(s) of {date}, {registered} of them registered.",
            out.display(),
            letters.len()
        ),
    })
}
