//! `relance portal link|revoke`: the debtor portal's personal links.

use app::clock::Clock;
use app::portal::{self, DEFAULT_BASE_URL};
use app::setup::select_tenant;
use clap::Subcommand;

use crate::cli::Lang;
use crate::commands::say;
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub(crate) enum PortalCommand {
    /// A new personal link to the customer's page (what is owed, how to pay, promise, plan,
    /// dispute); its address is printed once. Links given before stay valid.
    Link {
        #[arg(long)]
        customer: String,
        /// The portal's public address (the server's, as the debtor reaches it).
        #[arg(long, env = "RELANCE_PUBLIC_URL", default_value = DEFAULT_BASE_URL)]
        base_url: String,
        /// How many days the link works (default 60).
        #[arg(long)]
        days: Option<u32>,
    },
    /// Revoke every link of the customer: their pages answer that the link no longer works.
    Revoke {
        #[arg(long)]
        customer: String,
    },
    /// How long a new link works and how far ahead a debtor may promise to pay on the portal:
    /// shown, or changed with the options given.
    Settings {
        /// Days a new link works (default 60).
        #[arg(long)]
        link_days: Option<u32>,
        /// Days ahead a promise may be made on the portal (default 30).
        #[arg(long)]
        promise_days: Option<u32>,
    },
}

pub(crate) async fn run(
    config: &Config,
    tenant: Option<i64>,
    command: PortalCommand,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = config.open_existing().await?;
    let tenant = select_tenant(&store, tenant).await?;
    match command {
        PortalCommand::Link {
            customer,
            base_url,
            days,
        } => {
            let link = portal::issue_link(&store, &tenant, Clock::System, &customer, days).await?;
            say(link.url(&base_url))?;
            #[expect(
                clippy::print_stderr,
                reason = "the address alone goes to standard output, for scripts"
            )]
            {
                eprintln!(
                    "{} {}",
                    crate::tr(lang, "Valable jusqu'au", "Valid until"),
                    link.expires_on
                );
            }
            Ok(())
        }
        PortalCommand::Settings {
            link_days,
            promise_days,
        } => {
            let settings = if link_days.is_none() && promise_days.is_none() {
                portal::settings(&store, &tenant).await?
            } else {
                portal::set_settings(&store, &tenant, Clock::System, link_days, promise_days)
                    .await?
            };
            say(match lang {
                Lang::Fr => format!(
                    "Liens valables {} jours ; promesses acceptées jusqu'à {} jours.",
                    settings.link_days, settings.promise_max_days
                ),
                Lang::En => format!(
                    "Links work for {} days; promises accepted up to {} days ahead.",
                    settings.link_days, settings.promise_max_days
                ),
            })
        }
        PortalCommand::Revoke { customer } => {
            let count = portal::revoke(&store, &tenant, Clock::System, &customer).await?;
            say(match lang {
                Lang::Fr => format!("{count} lien(s) révoqué(s) pour {customer}."),
                Lang::En => format!("{count} link(s) revoked for {customer}."),
            })
        }
    }
}
