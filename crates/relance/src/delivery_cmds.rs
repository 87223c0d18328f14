//! Delivery: `relance dispatch`, `relance outbox list|show|resolve` and `relance calls`.
//!
//! The transports come from the environment (or the flags): `RELANCE_SMTP_URL`,
//! `RELANCE_SMTP_FROM`, `RELANCE_SMTP_REPLY_TO` for e-mail; `RELANCE_SMS_URL`,
//! `RELANCE_SMS_AUTH`, `RELANCE_SMS_BODY`, `RELANCE_SMS_SENDER` or `RELANCE_SMS_PRESET` with
//! `RELANCE_SMS_KEY` for SMS; else from the tenant's settings (`relance delivery set`).
//! Without either, messages wait in the outbox and the dispatcher says so.

use std::path::PathBuf;

use anyhow::Context;
use app::clock::Clock;
use app::delivery::{
    self, DeliverySettings, DispatchReport, Event, OutboxRecord, Resolution, Transports,
};
use app::setup::select_tenant;
use app::templates;
use clap::{Args, Subcommand};

use crate::casework::language;
use crate::cli::{Lang, OutputFormat};
use crate::commands::say;
use crate::config::Config;
use crate::output::{Table, print_json};
use crate::tr;

#[derive(Debug, Args)]
pub(crate) struct DispatchArgs {
    /// The instant to dispatch at (RFC 3339, e.g. 2026-03-02T09:30:00+01:00); default: now.
    /// Messages are sent only inside each debtor's contact hours at that instant.
    #[arg(long)]
    now: Option<jiff::Timestamp>,
    #[command(flatten)]
    transports: TransportArgs,
}

#[derive(Debug, Args)]
pub(crate) struct TransportArgs {
    /// SMTP server: smtp://user:password@host:587 (STARTTLS), smtps://…:465 (TLS), or
    /// smtp://host:port?tls=none (plain, local servers only). Default: the saved settings.
    #[arg(long, env = "RELANCE_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The sender of e-mails (From), e.g. "ACME Comptabilité <compta@acme.fr>".
    #[arg(long, env = "RELANCE_SMTP_FROM")]
    smtp_from: Option<String>,
    /// Where replies go (Reply-To): the collector's or accounts department's address.
    #[arg(long, env = "RELANCE_SMTP_REPLY_TO")]
    smtp_reply_to: Option<String>,
    /// SMS gateway URL receiving one JSON POST per message.
    #[arg(long, env = "RELANCE_SMS_URL")]
    sms_url: Option<String>,
    /// A header sent to the gateway, "Name: value" (e.g. "Authorization: Bearer …").
    #[arg(long, env = "RELANCE_SMS_AUTH", hide_env_values = true)]
    sms_auth: Option<String>,
    /// The JSON body, with {to}, {to_digits}, {text} and {sender}
    /// (default: {"to":"{to}","text":"{text}","sender":"{sender}"}).
    #[arg(long, env = "RELANCE_SMS_BODY")]
    sms_body: Option<String>,
    /// The sender name or number shown on the phone (default: Relance).
    #[arg(long, env = "RELANCE_SMS_SENDER")]
    sms_sender: Option<String>,
    /// A known gateway's format instead of --sms-url and --sms-body: brevo.
    #[arg(long, env = "RELANCE_SMS_PRESET")]
    sms_preset: Option<String>,
    /// The API key for --sms-preset.
    #[arg(long, env = "RELANCE_SMS_KEY", hide_env_values = true)]
    sms_key: Option<String>,
}

impl TransportArgs {
    pub(crate) fn settings(&self) -> DeliverySettings {
        DeliverySettings {
            smtp_url: self.smtp_url.clone(),
            smtp_from: self.smtp_from.clone(),
            smtp_reply_to: self.smtp_reply_to.clone(),
            sms_url: self.sms_url.clone(),
            sms_auth: self.sms_auth.clone(),
            sms_body: self.sms_body.clone(),
            sms_sender: self.sms_sender.clone(),
            sms_preset: self.sms_preset.clone(),
            sms_key: self.sms_key.clone(),
        }
    }
}

/// `relance delivery show|set`: the tenant's saved SMTP server and SMS gateway.
#[derive(Debug, Subcommand)]
pub(crate) enum DeliveryCommand {
    /// The saved settings (passwords and keys hidden).
    Show,
    /// Change the saved settings: each option given replaces its value ("" removes it); the
    /// whole is checked before it is saved. The environment and dispatch's options win over them.
    Set(Box<DeliverySetArgs>),
}

#[derive(Debug, Args)]
pub(crate) struct DeliverySetArgs {
    #[arg(long)]
    smtp_url: Option<String>,
    #[arg(long)]
    smtp_from: Option<String>,
    #[arg(long)]
    smtp_reply_to: Option<String>,
    #[arg(long)]
    sms_url: Option<String>,
    #[arg(long)]
    sms_auth: Option<String>,
    #[arg(long)]
    sms_body: Option<String>,
    #[arg(long)]
    sms_sender: Option<String>,
    #[arg(long)]
    sms_preset: Option<String>,
    #[arg(long)]
    sms_key: Option<String>,
}

fn localise_settings(error: delivery::DeliveryError, lang: Lang) -> anyhow::Error {
    use delivery::{DeliveryError, SettingsError};
    match (&error, lang) {
        (DeliveryError::Settings(SettingsError::NoSender), Lang::Fr) => anyhow::anyhow!(
            "un serveur SMTP est donné mais pas l'expéditeur : donnez RELANCE_SMTP_FROM (ou --smtp-from)"
        ),
        (DeliveryError::Settings(SettingsError::NoKey), Lang::Fr) => anyhow::anyhow!(
            "une passerelle SMS connue est donnée mais pas sa clé d'API : donnez RELANCE_SMS_KEY (ou --sms-key)"
        ),
        _ => error.into(),
    }
}

fn hidden(value: &Option<String>, secret: bool) -> String {
    match value {
        None => "—".to_owned(),
        Some(_) if secret => "***".to_owned(),
        Some(text) => text.clone(),
    }
}

fn hide_url_password(url: &Option<String>) -> String {
    match url {
        None => "—".to_owned(),
        Some(url) => crate::config::redact_url(url),
    }
}

pub(crate) async fn delivery_settings(
    config: &Config,
    tenant: Option<i64>,
    command: DeliveryCommand,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    let shown = match command {
        DeliveryCommand::Show => delivery::settings(&store, &tenant).await?,
        DeliveryCommand::Set(args) => delivery::save_settings(
            &store,
            &tenant,
            Clock::System,
            &DeliverySettings {
                smtp_url: args.smtp_url,
                smtp_from: args.smtp_from,
                smtp_reply_to: args.smtp_reply_to,
                sms_url: args.sms_url,
                sms_auth: args.sms_auth,
                sms_body: args.sms_body,
                sms_sender: args.sms_sender,
                sms_preset: args.sms_preset,
                sms_key: args.sms_key,
            },
        )
        .await
        .map_err(|error| localise_settings(error, lang))?,
    };
    say(crate::output::labelled(
        &[
            (
                tr(lang, "Serveur SMTP", "SMTP server"),
                hide_url_password(&shown.smtp_url),
            ),
            (
                tr(lang, "Expéditeur", "Sender"),
                hidden(&shown.smtp_from, false),
            ),
            (
                tr(lang, "Réponses à", "Replies to"),
                hidden(&shown.smtp_reply_to, false),
            ),
            (
                tr(lang, "Passerelle SMS", "SMS gateway"),
                hidden(&shown.sms_url, false),
            ),
            (
                tr(lang, "En-tête SMS", "SMS header"),
                hidden(&shown.sms_auth, true),
            ),
            (
                tr(lang, "Corps SMS", "SMS body"),
                hidden(&shown.sms_body, false),
            ),
            (
                tr(lang, "Émetteur SMS", "SMS sender"),
                hidden(&shown.sms_sender, false),
            ),
            (
                tr(lang, "Passerelle connue", "SMS preset"),
                hidden(&shown.sms_preset, false),
            ),
            (
                tr(lang, "Clé d'API SMS", "SMS API key"),
                hidden(&shown.sms_key, true),
            ),
        ],
        lang,
    ))
}

#[derive(Debug, Subcommand)]
pub(crate) enum OutboxCommand {
    /// List messages (default: all), oldest first.
    List {
        /// pending, sending, sent, failed-temporary, failed, delivery-unknown, cancelled.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// One message as sent (or to be sent): headers, text, SMS; --attachment saves its PDF.
    Show {
        id: i64,
        #[arg(long, value_name = "FILE.pdf")]
        attachment: Option<PathBuf>,
    },
    /// Decide about a message whose delivery is unknown: it arrived (--sent), send it again
    /// (--resend), or do not send it (--cancel).
    Resolve(ResolveArgs),
    /// Read bounce notices (raw e-mails saved from the sender's mailbox, .eml): a permanent
    /// failure marks the e-mail channel failed for that customer, and the next step takes
    /// another channel. Reading a notice twice records it once.
    Bounce {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("decision").required(true).multiple(false)))]
pub(crate) struct ResolveArgs {
    id: i64,
    #[arg(long, group = "decision")]
    sent: bool,
    #[arg(long, group = "decision")]
    resend: bool,
    #[arg(long, group = "decision")]
    cancel: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CallsArgs {
    /// The day of the phone steps (default: today).
    #[arg(long)]
    date: Option<jiff::civil::Date>,
}

pub(crate) async fn dispatch(
    config: &Config,
    tenant: Option<i64>,
    args: DispatchArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    let mut transports = delivery::transports(&store, &tenant, &args.transports.settings())
        .await
        .map_err(|error| localise_settings(error, lang))?;
    transports.abort_after_send = std::env::var_os("RELANCE_TEST_ABORT_AFTER_SEND").is_some();
    let clock = args.now.map_or(Clock::System, Clock::Fixed);
    let report = delivery::dispatch(&store, &tenant, clock, &transports).await?;
    print_report(&report, &transports, lang)
}

fn print_report(
    report: &DispatchReport,
    transports: &Transports,
    lang: Lang,
) -> anyhow::Result<()> {
    let language = language(lang);
    for id in &report.became_unknown {
        say(match lang {
            Lang::Fr => format!(
                "message {id} : envoi interrompu, remis ou non ? à vérifier (relance outbox resolve {id} --sent|--resend|--cancel)"
            ),
            Lang::En => format!(
                "message {id}: send interrupted, delivered or not? check it (relance outbox resolve {id} --sent|--resend|--cancel)"
            ),
        })?;
    }
    for skipped in &report.not_queued {
        say(format!(
            "{} {} ({}) : {} {}",
            tr(lang, "action", "action"),
            skipped.action,
            skipped.customer_ref,
            tr(lang, "rien à envoyer —", "nothing to send —"),
            skipped.reason
        ))?;
    }
    for event in &report.events {
        let what = match &event.event {
            Event::Sent => tr(lang, "envoyé", "sent").to_owned(),
            Event::Retry { at, error } => match lang {
                Lang::Fr => format!("échec temporaire, nouvel essai à {at} ({error})"),
                Lang::En => format!("temporary failure, next attempt at {at} ({error})"),
            },
            Event::Failed {
                error,
                channel_failed: true,
            } => match lang {
                Lang::Fr => format!("refusé par le destinataire, canal en échec ({error})"),
                Lang::En => format!("refused by the recipient, channel failed ({error})"),
            },
            Event::Failed { error, .. } => format!("{} ({error})", tr(lang, "échec", "failed")),
            Event::Unknown { error } => match lang {
                Lang::Fr => format!("remise incertaine, à vérifier ({error})"),
                Lang::En => format!("delivery unknown, to check ({error})"),
            },
            Event::NotSent { error } => match lang {
                Lang::Fr => format!("non envoyé, configuration à corriger ({error})"),
                Lang::En => format!("not sent, configuration to fix ({error})"),
            },
            Event::Cancelled(reason) => format!(
                "{} : {}",
                tr(lang, "annulé", "cancelled"),
                delivery::describe_cancel(*reason, language)
            ),
        };
        say(format!(
            "message {} {} {} → {} : {what}",
            event.message, event.customer_ref, event.channel, event.recipient
        ))?;
    }
    say(match lang {
        Lang::Fr => format!(
            "{} message(s) mis en file, {} envoyé(s) ; en attente : {} hors des heures de contact, {} avant leur nouvel essai.",
            report.queued,
            report.sent(),
            report.outside_hours,
            report.waiting_retry
        ),
        Lang::En => format!(
            "{} message(s) queued, {} sent; waiting: {} outside contact hours, {} before their next attempt.",
            report.queued,
            report.sent(),
            report.outside_hours,
            report.waiting_retry
        ),
    })?;
    if report.waiting_unusable > 0 {
        say(match lang {
            Lang::Fr => format!(
                "{} message(s) non tentés : leur serveur a refusé la configuration (voir l'erreur ci-dessus).",
                report.waiting_unusable
            ),
            Lang::En => format!(
                "{} message(s) not tried: their server refused the configuration (see the error above).",
                report.waiting_unusable
            ),
        })?;
    }
    if report.waiting_no_smtp > 0 && transports.smtp.is_none() {
        say(match lang {
            Lang::Fr => format!(
                "{} e-mail(s) restent dans la file : aucun serveur SMTP n'est configuré (RELANCE_SMTP_URL et RELANCE_SMTP_FROM).",
                report.waiting_no_smtp
            ),
            Lang::En => format!(
                "{} e-mail(s) stay in the outbox: no SMTP server is configured (RELANCE_SMTP_URL and RELANCE_SMTP_FROM).",
                report.waiting_no_smtp
            ),
        })?;
    }
    if report.waiting_no_sms > 0 && transports.sms.is_none() {
        say(match lang {
            Lang::Fr => format!(
                "{} SMS restent dans la file : aucune passerelle SMS n'est configurée (RELANCE_SMS_URL ou RELANCE_SMS_PRESET).",
                report.waiting_no_sms
            ),
            Lang::En => format!(
                "{} SMS stay in the outbox: no SMS gateway is configured (RELANCE_SMS_URL or RELANCE_SMS_PRESET).",
                report.waiting_no_sms
            ),
        })?;
    }
    Ok(())
}

fn status_code(text: &str) -> String {
    text.trim().replace('-', "_")
}

fn status_label(status: &str) -> String {
    status.replace('_', "-")
}

pub(crate) async fn outbox(
    config: &Config,
    tenant: Option<i64>,
    command: OutboxCommand,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    match command {
        OutboxCommand::List { status, format } => {
            let status = status.as_deref().map(status_code);
            let messages = delivery::list(&store, &tenant, status.as_deref())
                .await
                .with_context(|| {
                    tr(
                        lang,
                        "statuts : pending, sending, sent, failed-temporary, failed, delivery-unknown, cancelled",
                        "statuses: pending, sending, sent, failed-temporary, failed, delivery-unknown, cancelled",
                    )
                })?;
            print_messages(&messages, format, lang)
        }
        OutboxCommand::Show { id, attachment } => {
            let message = delivery::show(&store, &tenant, id).await?;
            print_message(&message, lang)?;
            if let Some(path) = attachment {
                let bytes = message.attachment.as_deref().ok_or_else(|| {
                    anyhow::anyhow!(tr(
                        lang,
                        "ce message n'a pas de pièce jointe",
                        "this message has no attachment"
                    ))
                })?;
                std::fs::write(&path, bytes).with_context(|| format!("{}", path.display()))?;
            }
            Ok(())
        }
        OutboxCommand::Bounce { files } => {
            let mut notices = Vec::with_capacity(files.len());
            for file in &files {
                notices.push(std::fs::read(file).with_context(|| file.display().to_string())?);
            }
            let outcomes =
                delivery::record_bounces(&store, &tenant, Clock::System, &notices).await?;
            for (file, outcome) in files.iter().zip(outcomes) {
                let what = match outcome {
                    delivery::BounceOutcome::Recorded {
                        message,
                        customer_ref,
                        recipient,
                    } => match lang {
                        Lang::Fr => format!(
                            "message {message} ({customer_ref}, {recipient}) non distribué : l'e-mail est marqué en échec, la prochaine étape passera par un autre canal"
                        ),
                        Lang::En => format!(
                            "message {message} ({customer_ref}, {recipient}) bounced: e-mail is marked failed, the next step takes another channel"
                        ),
                    },
                    delivery::BounceOutcome::Delayed => tr(
                        lang,
                        "avis de retard : le serveur réessaie, rien ne change",
                        "delay notice: the server is still trying, nothing changes",
                    )
                    .to_owned(),
                    delivery::BounceOutcome::AlreadyKnown { message } => match lang {
                        Lang::Fr => format!("message {message} : déjà enregistré, rien ne change"),
                        Lang::En => format!("message {message}: already recorded, nothing changes"),
                    },
                    delivery::BounceOutcome::Unclear => tr(
                        lang,
                        "aucun statut lisible : à examiner",
                        "no readable status: to be looked at",
                    )
                    .to_owned(),
                    delivery::BounceOutcome::NotOurs => tr(
                        lang,
                        "ne concerne aucun message de ce créancier",
                        "about no message of this creditor",
                    )
                    .to_owned(),
                };
                say(format!("{}: {what}", file.display()))?;
            }
            Ok(())
        }
        OutboxCommand::Resolve(args) => {
            let resolution = if args.sent {
                Resolution::Sent
            } else if args.resend {
                Resolution::Resend
            } else {
                Resolution::Cancel
            };
            delivery::resolve(
                &store,
                &tenant,
                Clock::System,
                args.id,
                resolution,
                language(lang),
            )
            .await?;
            say(format!(
                "message {} : {}",
                args.id,
                match resolution {
                    Resolution::Sent => tr(lang, "enregistré comme envoyé", "recorded as sent"),
                    Resolution::Resend => tr(
                        lang,
                        "sera renvoyé au prochain passage",
                        "will be sent again at the next dispatch"
                    ),
                    Resolution::Cancel => tr(lang, "annulé", "cancelled"),
                }
            ))
        }
    }
}

fn print_messages(
    messages: &[OutboxRecord],
    format: OutputFormat,
    lang: Lang,
) -> anyhow::Result<()> {
    if format == OutputFormat::Json {
        let rows: Vec<serde_json::Value> = messages
            .iter()
            .map(|message| {
                serde_json::json!({
                    "id": message.id,
                    "action": message.action,
                    "customer": message.customer_ref,
                    "channel": message.channel,
                    "recipient": message.recipient,
                    "subject": message.subject,
                    "message_id": message.message_id,
                    "status": status_label(&message.status),
                    "attempts": message.attempts,
                    "next_attempt_at": message.next_attempt_at.map(|at| at.to_string()),
                    "last_error": message.last_error,
                    "sent_at": message.sent_at.map(|at| at.to_string()),
                })
            })
            .collect();
        return print_json(&rows);
    }
    let table = Table {
        headers: vec![
            "id",
            tr(lang, "client", "customer"),
            tr(lang, "canal", "channel"),
            tr(lang, "destinataire", "recipient"),
            tr(lang, "statut", "status"),
            tr(lang, "essais", "attempts"),
            tr(lang, "objet", "subject"),
            tr(lang, "détail", "detail"),
        ],
        numeric: vec![true, false, false, false, false, true, false, false],
        rows: messages
            .iter()
            .map(|message| {
                vec![
                    message.id.to_string(),
                    message.customer_ref.clone(),
                    message.channel.clone(),
                    message.recipient.clone(),
                    status_label(&message.status),
                    message.attempts.to_string(),
                    message.subject.clone(),
                    message
                        .last_error
                        .clone()
                        .or_else(|| message.status_note.clone())
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    };
    match format {
        OutputFormat::Csv => table.write_csv(std::io::stdout().lock()),
        _ => say(table.render().trim_end()),
    }
}

fn print_message(message: &OutboxRecord, lang: Lang) -> anyhow::Result<()> {
    let mut lines = vec![
        format!("{} {}", tr(lang, "Message", "Message"), message.id),
        format!("Message-ID: <{}>", message.message_id),
        format!(
            "{}: {}",
            tr(lang, "Client", "Customer"),
            message.customer_ref
        ),
        format!("{}: {}", tr(lang, "Canal", "Channel"), message.channel),
        format!("{}: {}", tr(lang, "À", "To"), message.recipient),
        format!("{}: {}", tr(lang, "Objet", "Subject"), message.subject),
        format!(
            "{}: {} ({} {})",
            tr(lang, "Statut", "Status"),
            status_label(&message.status),
            message.attempts,
            tr(lang, "essai(s)", "attempt(s)")
        ),
    ];
    if let Some(at) = message.sent_at {
        lines.push(format!("{}: {at}", tr(lang, "Envoyé le", "Sent at")));
    }
    if let Some(error) = &message.last_error {
        lines.push(format!(
            "{}: {error}",
            tr(lang, "Dernière erreur", "Last error")
        ));
    }
    if let Some(note) = &message.status_note {
        lines.push(format!("{}: {note}", tr(lang, "Note", "Note")));
    }
    if let Some(name) = &message.attachment_name {
        lines.push(format!(
            "{}: {name} ({} {})",
            tr(lang, "Pièce jointe", "Attachment"),
            message.attachment.as_ref().map_or(0, Vec::len),
            tr(lang, "octets", "bytes")
        ));
    }
    lines.push(String::new());
    match message.channel.as_str() {
        "sms" => lines.push(message.sms_text.clone().unwrap_or_default()),
        _ => lines.push(message.body_text.clone()),
    }
    say(lines.join("\n"))
}

pub(crate) async fn calls(
    config: &Config,
    tenant: Option<i64>,
    args: CallsArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    let date = args
        .date
        .unwrap_or_else(|| Clock::System.today_in(tenant.profile.time_zone.as_str()));
    let tasks = templates::call_tasks(&store, &tenant, date).await?;
    if tasks.is_empty() {
        return say(match lang {
            Lang::Fr => format!("Aucun appel prévu le {date}."),
            Lang::En => format!("No call scheduled on {date}."),
        });
    }
    for task in &tasks {
        let mut lines = vec![
            "=".repeat(72),
            format!(
                "{} {} — {} ({}) — {}",
                tr(lang, "Appel", "Call"),
                task.action.id,
                task.name,
                task.action.customer_ref,
                if task.phone.is_empty() {
                    tr(lang, "pas de numéro", "no number").to_owned()
                } else {
                    task.phone.clone()
                }
            ),
            match lang {
                Lang::Fr => format!(
                    "Dû : {} sur {} facture(s), {} jour(s) de retard ; étape {}",
                    task.outstanding, task.invoices, task.days_late, task.action.step_key
                ),
                Lang::En => format!(
                    "Owed: {} on {} invoice(s), {} day(s) late; step {}",
                    task.outstanding, task.invoices, task.days_late, task.action.step_key
                ),
            },
        ];
        if !task.history.is_empty() {
            lines.push(tr(lang, "Dernières nouvelles :", "Latest history:").to_owned());
            lines.extend(task.history.iter().map(|line| format!("  {line}")));
        }
        lines.push(String::new());
        lines.push(task.script.trim_end().to_owned());
        say(lines.join("\n"))?;
    }
    Ok(())
}

/// `relance letter --registered-list DATE`: the post office's list.
pub(crate) async fn registered_list(
    config: &Config,
    tenant: Option<i64>,
    date: jiff::civil::Date,
    format: OutputFormat,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    let list = templates::registered_list(&store, &tenant, date).await?;
    if format == OutputFormat::Json {
        let rows: Vec<serde_json::Value> = list
            .iter()
            .map(|letter| {
                serde_json::json!({
                    "action": letter.action.id,
                    "customer": letter.action.customer_ref,
                    "recipient": letter.name,
                    "address": letter.address,
                    "reference": letter.reference,
                    "pages": letter.pages,
                    "weight_grams": letter.weight_grams,
                })
            })
            .collect();
        return print_json(&rows);
    }
    let table = Table {
        headers: vec![
            tr(lang, "destinataire", "recipient"),
            tr(lang, "adresse", "address"),
            tr(lang, "référence", "reference"),
            tr(lang, "client", "customer"),
            "pages",
            tr(lang, "poids_g", "weight_g"),
        ],
        numeric: vec![false, false, false, false, true, true],
        rows: list
            .iter()
            .map(|letter| {
                vec![
                    letter.name.clone(),
                    letter.address.join(", "),
                    letter.reference.clone(),
                    letter.action.customer_ref.clone(),
                    letter.pages.to_string(),
                    letter.weight_grams.to_string(),
                ]
            })
            .collect(),
    };
    match format {
        OutputFormat::Csv => table.write_csv(std::io::stdout().lock()),
        _ => {
            say(table.render().trim_end())?;
            say(match lang {
                Lang::Fr => format!("{} lettre(s) recommandée(s) du {date}.", list.len()),
                Lang::En => format!("{} registered letter(s) of {date}.", list.len()),
            })
        }
    }
}
