//! The command line's changes in the audit log, recorded in one place for every command.
//!
//! The entry is read from the parsed command line rather than from each command's arguments:
//! its action is the command's words (`promise add`, `payments settings set`), its customer the
//! `--customer` option (or `customer show REF`), its record the id it names (`actions approve
//! 12` is `action 12`, whose customer the log looks up). A command added later is recorded
//! without anyone remembering to; only the ones listed here as reading are left out. As on the
//! web, an entry is written once the command has succeeded, after its change, by the system
//! user running the command (`RELANCE_USER`, else the login name) or the `--by` it names.

use app::audit::{Actor, AuditEvent, RecordRef, Via};
use app::clock::Clock;
use app::setup::{SetupError, select_tenant};
use clap::ArgMatches;
use clap::parser::ValueSource;

use crate::cli::Lang;
use crate::config::Config;
use crate::tr;

/// Commands that change nothing and read no customer's file.
const READING_COMMANDS: &[&str] = &[
    "serve",
    "bench",
    "customers",
    "invoices",
    "report",
    "interest",
    "mention",
    "calls",
    "audit",
];

/// Last words of the subcommands that only read (`template show`, `payments review`…).
const READING_WORDS: &[&str] = &[
    "list",
    "show",
    "review",
    "lines",
    "preview",
    "documents",
    "agreement",
];

/// Options of every command, which change nothing by themselves.
const GLOBAL_OPTIONS: &[&str] = &["data_dir", "database_url", "tenant", "lang", "format"];

/// Whether a command was given any option of its own (`plan settings` alone shows the
/// settings; with an option it changes them).
fn given_any(matches: &ArgMatches) -> bool {
    matches.ids().any(|id| {
        !GLOBAL_OPTIONS.contains(&id.as_str())
            && matches!(
                matches.value_source(id.as_str()),
                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
            )
    })
}

/// Readings of a customer's file: recorded although they change nothing, as the web's are.
const FILE_VIEWS: &[&str] = &["customer show", "statement", "letter"];

/// The kind of record a command's id names, where it is not the command's own name.
const RECORD_KINDS: &[(&str, &str)] = &[("actions", "action"), ("outbox", "message")];

/// What the log will say of a command, read before it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    action: String,
    customer: Option<String>,
    record: Option<(String, i64)>,
    actor: String,
}

fn text(matches: &ArgMatches, id: &str) -> Option<String> {
    matches
        .try_get_one::<String>(id)
        .ok()
        .flatten()
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

fn number(matches: &ArgMatches, id: &str) -> Option<i64> {
    matches.try_get_one::<i64>(id).ok().flatten().copied()
}

/// The entry a command line calls for, or `None` for a command that only reads.
pub(crate) fn entry(matches: &ArgMatches) -> Option<Entry> {
    let mut words = Vec::new();
    let mut leaf = matches;
    while let Some((name, sub)) = leaf.subcommand() {
        words.push(name);
        leaf = sub;
    }
    let action = words.join(" ");
    let top = *words.first()?;
    let last = *words.last()?;
    let view = FILE_VIEWS.contains(&action.as_str());
    let dry_run = leaf
        .try_get_one::<bool>("dry_run")
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false);
    let shown = last == "settings" && !given_any(leaf);
    if !view
        && (READING_COMMANDS.contains(&top) || READING_WORDS.contains(&last) || dry_run || shown)
    {
        return None;
    }
    let customer = text(leaf, "customer").or_else(|| {
        if top == "customer" {
            text(leaf, "reference")
        } else {
            None
        }
    });
    let kind = RECORD_KINDS
        .iter()
        .find(|(command, _)| *command == top)
        .map_or(top, |(_, kind)| kind);
    let record = number(leaf, "id")
        .map(|id| (kind.to_owned(), id))
        .or_else(|| number(leaf, "line").map(|id| ("bank-line".to_owned(), id)))
        .or_else(|| number(leaf, "action").map(|id| ("action".to_owned(), id)));
    let actor = text(leaf, "by")
        .or_else(|| std::env::var("RELANCE_USER").ok())
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| "relance".to_owned());
    Some(Entry {
        action,
        customer,
        record,
        actor,
    })
}

/// Appends the entry of a command that succeeded to the log of the creditor it worked on: the
/// one `--tenant` names or the only one; for `init`, the creditor it made; for a command on no
/// creditor in particular (`rates import` with several), every creditor's. A failure to write
/// it is reported and does not undo the command's change.
pub(crate) async fn record(config: &Config, tenant: Option<i64>, entry: &Entry, lang: Lang) {
    if let Err(error) = append(config, tenant, entry).await {
        warn(lang, &entry.action, &error);
    }
}

async fn append(config: &Config, tenant: Option<i64>, entry: &Entry) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenants = if entry.action == "init" && tenant.is_none() {
        store
            .tenants()
            .await?
            .into_iter()
            .last()
            .into_iter()
            .collect()
    } else {
        match select_tenant(&store, tenant).await {
            Ok(tenant) => vec![tenant],
            Err(SetupError::SeveralTenants { .. }) => store.tenants().await?,
            Err(error) => return Err(error.into()),
        }
    };
    let event = AuditEvent {
        via: Via::Cli,
        action: &entry.action,
        customer_ref: entry.customer.as_deref(),
        record: entry
            .record
            .as_ref()
            .map(|(kind, id)| RecordRef { kind, id: *id }),
        address: None,
        status: None,
    };
    for tenant in tenants {
        app::audit::record(
            &store,
            tenant.id,
            Clock::System,
            Actor::System(&entry.actor),
            &event,
        )
        .await?;
    }
    Ok(())
}

#[expect(
    clippy::print_stderr,
    reason = "the command succeeded: its missing audit entry is a warning on standard error"
)]
fn warn(lang: Lang, action: &str, error: &anyhow::Error) {
    eprintln!(
        "{} {action}: {error:#}",
        tr(
            lang,
            "attention : fait, mais non inscrit au journal d'audit :",
            "warning: done, but not written to the audit log:"
        )
    );
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, FromArgMatches};

    use super::*;
    use crate::cli::Cli;

    fn entry_of(line: &[&str]) -> Option<Entry> {
        let matches = Cli::command().try_get_matches_from(line).unwrap();
        Cli::from_arg_matches(&matches).unwrap();
        entry(&matches)
    }

    #[test]
    fn a_change_is_named_by_its_command_words_and_the_customer_it_names() {
        let promise = entry_of(&[
            "relance",
            "promise",
            "add",
            "--customer",
            "C-1",
            "--amount",
            "10",
            "--date",
            "2026-12-01",
        ])
        .unwrap();
        assert_eq!(promise.action, "promise add");
        assert_eq!(promise.customer.as_deref(), Some("C-1"));
        let set = entry_of(&[
            "relance",
            "customer",
            "set",
            "C-2",
            "--email",
            "a@b.example",
        ])
        .unwrap();
        assert_eq!(
            (set.action.as_str(), set.customer.as_deref()),
            ("customer set", Some("C-2"))
        );
    }

    #[test]
    fn an_id_on_the_command_line_names_its_record() {
        let approve = entry_of(&["relance", "actions", "approve", "12"]).unwrap();
        assert_eq!(approve.record, Some(("action".to_owned(), 12)));
        let unmatch = entry_of(&["relance", "payments", "unmatch", "7"]).unwrap();
        assert_eq!(unmatch.record, Some(("bank-line".to_owned(), 7)));
    }

    #[test]
    fn readings_and_dry_runs_are_not_recorded_but_a_customers_file_is() {
        for line in [
            &["relance", "customers", "list"][..],
            &["relance", "actions", "list"],
            &["relance", "template", "show", "reminder_courteous"],
            &["relance", "report", "aging"],
            &["relance", "run", "--dry-run"],
            &["relance", "audit", "list"],
        ] {
            assert_eq!(entry_of(line), None, "{line:?}");
        }
        let view = entry_of(&["relance", "customer", "show", "C-1"]).unwrap();
        assert_eq!(view.customer.as_deref(), Some("C-1"));
        assert!(entry_of(&["relance", "statement", "--customer", "C-1"]).is_some());
        assert!(entry_of(&["relance", "run"]).is_some());
        assert_eq!(
            entry_of(&["relance", "--tenant", "2", "plan", "settings"]),
            None
        );
        let set = entry_of(&["relance", "plan", "settings", "--grace-days", "5"]).unwrap();
        assert_eq!(set.action, "plan settings");
    }

    #[test]
    fn the_author_is_the_by_option_when_a_command_names_one() {
        let undo = entry_of(&[
            "relance",
            "settlement",
            "undo",
            "3",
            "--reason",
            "erreur",
            "--by",
            "Camille",
        ])
        .unwrap();
        assert_eq!(undo.actor, "Camille");
        assert_eq!(undo.record, Some(("settlement".to_owned(), 3)));
    }
}
