//! `relance audit list`: the audit log of changes and readings of customer files.

use app::audit::{self, AuditQuery};
use app::setup::select_tenant;
use clap::Subcommand;
use serde::Serialize;

use crate::cli::{Lang, OutputFormat};
use crate::commands::emit;
use crate::config::Config;
use crate::output::{Table, print_json};
use crate::tr;

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// The log's entries, newest first: who, when, through what, what, customer, record,
    /// address.
    List {
        /// Only this customer's entries.
        #[arg(long)]
        customer: Option<String>,
        /// Only this account's entries (its e-mail or name, any case).
        #[arg(long)]
        user: Option<String>,
        /// From this day (in the creditor's time zone).
        #[arg(long)]
        since: Option<jiff::civil::Date>,
        /// At most this many entries.
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
}

#[derive(Serialize)]
struct EntryJson<'a> {
    id: i64,
    at: String,
    actor: &'a str,
    actor_name: Option<&'a str>,
    via: &'a str,
    action: &'a str,
    customer: Option<&'a str>,
    record: Option<&'a str>,
    address: Option<&'a str>,
    status: Option<u16>,
}

pub(crate) async fn run(
    config: &Config,
    tenant: Option<i64>,
    command: AuditCommand,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    let AuditCommand::List {
        customer,
        user,
        since,
        limit,
        format,
    } = command;
    let page = audit::list(
        &store,
        &tenant,
        None,
        &AuditQuery {
            user,
            customer,
            since,
            until: None,
            offset: 0,
            limit,
        },
    )
    .await?;
    if format == OutputFormat::Json {
        let entries: Vec<EntryJson<'_>> = page
            .entries
            .iter()
            .map(|entry| EntryJson {
                id: entry.id,
                at: entry.at.to_string(),
                actor: &entry.actor,
                actor_name: entry.actor_name.as_deref(),
                via: &entry.via,
                action: &entry.action,
                customer: entry.customer_ref.as_deref(),
                record: entry.record.as_deref(),
                address: entry.address.as_deref(),
                status: entry.status,
            })
            .collect();
        return print_json(&serde_json::json!({ "total": page.total, "entries": entries }));
    }
    let table = Table {
        headers: vec![
            tr(lang, "quand", "when"),
            tr(lang, "qui", "who"),
            tr(lang, "par", "via"),
            tr(lang, "quoi", "what"),
            tr(lang, "client", "customer"),
            tr(lang, "élément", "record"),
            tr(lang, "adresse", "address"),
        ],
        numeric: vec![false; 7],
        rows: page
            .entries
            .iter()
            .map(|entry| {
                vec![
                    audit::local_time(entry.at, &tenant),
                    entry.actor.clone(),
                    entry.via.clone(),
                    entry.action.clone(),
                    entry.customer_ref.clone().unwrap_or_default(),
                    entry.record.clone().unwrap_or_default(),
                    entry.address.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    };
    emit(&table, format)
}
