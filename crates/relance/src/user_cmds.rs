//! `relance user`: the accounts that work for a creditor, and giving an existing account a role
//! on it (an agency's staff working for several creditors). Accounts themselves are made on the
//! web pages (the first run, then `/admin`).

use app::accounts;
use app::clock::Clock;
use app::setup::select_tenant;
use clap::Subcommand;

use crate::casework::language;
use crate::cli::{Lang, OutputFormat};
use crate::commands::{emit, say};
use crate::config::Config;
use crate::output::{Table, print_json};
use crate::tr;

#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// The accounts working for the creditor, with the role each holds there.
    List {
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Give an existing account (made for this creditor or another) a role on the creditor, or
    /// change the role it holds there; it then switches to this creditor in the page header.
    Grant {
        /// The account's e-mail.
        #[arg(long)]
        email: String,
        /// admin, manager, collector or viewer.
        #[arg(long)]
        role: String,
    },
}

pub(crate) async fn run(
    config: &Config,
    tenant: Option<i64>,
    command: UserCommand,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    let describe = |error: accounts::AccountError| anyhow::anyhow!(error.describe(language(lang)));
    match command {
        UserCommand::Grant { email, role } => {
            let member =
                accounts::grant_role_as_operator(&store, Clock::System, tenant.id, &email, &role)
                    .await
                    .map_err(describe)?;
            say(format!(
                "{} {} → {} ({})",
                tr(lang, "Rôle donné :", "Role given:"),
                member.email,
                tenant.profile.company_name,
                member.role.code()
            ))
        }
        UserCommand::List { format } => {
            let members = accounts::members(&store, tenant.id)
                .await
                .map_err(describe)?;
            if format == OutputFormat::Json {
                let rows: Vec<serde_json::Value> = members
                    .iter()
                    .map(|member| {
                        serde_json::json!({
                            "email": member.email,
                            "name": member.display_name,
                            "role": member.role.code(),
                        })
                    })
                    .collect();
                return print_json(&rows);
            }
            let table = Table {
                headers: vec![
                    tr(lang, "e-mail", "e-mail"),
                    tr(lang, "nom", "name"),
                    tr(lang, "rôle", "role"),
                ],
                numeric: vec![false; 3],
                rows: members
                    .iter()
                    .map(|member| {
                        vec![
                            member.email.clone(),
                            member.display_name.clone(),
                            member.role.code().to_owned(),
                        ]
                    })
                    .collect(),
            };
            emit(&table, format)
        }
    }
}
