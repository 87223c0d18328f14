//! `relance serve`: the web application on this data directory.

use std::net::SocketAddr;

use anyhow::Context;
use app::accounts::{self, AccountInput};
use app::clock::Clock;
use app::dunning::{ReportDetail, RunOptions};
use app::setup::{SetupError, select_tenant};

use crate::cli::{Lang, ServeArgs};
use crate::commands::say;
use crate::config::Config;
use crate::tr;

/// The dispatcher inside the server: a pass over every creditor every `every`, one at a time (a
/// pass that takes longer delays the next, never overlaps it). What it did is printed; a pass
/// that fails is reported and the next one tries again.
async fn dispatch_loop(
    store: app::Store,
    given: app::delivery::DeliverySettings,
    every: std::time::Duration,
    lang: Lang,
) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let line = match app::delivery::dispatch_all(&store, Clock::System, &given).await {
            Ok(reports) => reports
                .into_iter()
                .filter_map(|(tenant, report)| match report {
                    Ok(report) if report.sent() > 0 => Some(match lang {
                        Lang::Fr => format!(
                            "{} : {} message(s) envoyé(s)",
                            tenant.profile.company_name,
                            report.sent()
                        ),
                        Lang::En => format!(
                            "{}: {} message(s) sent",
                            tenant.profile.company_name,
                            report.sent()
                        ),
                    }),
                    Ok(_) => None,
                    Err(error) => Some(format!("{}: {error}", tenant.profile.company_name)),
                })
                .collect::<Vec<_>>()
                .join("; "),
            Err(error) => error.to_string(),
        };
        if !line.is_empty() {
            let _ = say(line);
        }
    }
}

/// The demo's administrator.
const DEMO_ADMIN: &str = "admin@demo.relance.fr";

pub(crate) async fn serve(config: &Config, args: &ServeArgs, lang: Lang) -> anyhow::Result<()> {
    let store = config.open().await?;
    let clock = Clock::System;
    let mut login = None;
    if args.demo {
        match select_tenant(&store, None).await {
            Err(SetupError::NotInitialised) => {
                let as_of = clock.today_in("Europe/Paris");
                app::demo::create_demo(&store, 2026, as_of, clock).await?;
                config.save()?;
            }
            Ok(_) => {}
            Err(error) => return Err(error.into()),
        }
        let tenant = select_tenant(&store, None).await?;
        // Today's reminders, so that the queue has work in it (a second run the same day
        // decides nothing new).
        app::dunning::run_day(
            &store,
            &tenant,
            clock,
            RunOptions {
                date: None,
                dry_run: false,
                language: crate::casework::language(lang),
                detail: ReportDetail::CountsOnly,
            },
        )
        .await?;
        if accounts::needs_first_admin(&store).await? {
            let password = accounts::random_hex()?[..16].to_owned();
            accounts::create_first_admin(
                &store,
                clock,
                None,
                AccountInput {
                    email: DEMO_ADMIN,
                    display_name: "Admin démo",
                    password: &password,
                },
            )
            .await?;
            login = Some(password);
        }
    }
    let address: SocketAddr = args.listen.parse().with_context(|| {
        format!(
            "--listen {:?}: expected an address like 127.0.0.1:8080",
            args.listen
        )
    })?;
    let listener = web::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let url = format!("http://{}/", listener.local_addr()?);
    say(format!(
        "{} {url}",
        tr(lang, "Relance est ouvert sur", "Relance is open at")
    ))?;
    match login {
        Some(password) => say(match lang {
            Lang::Fr => format!("Connexion : {DEMO_ADMIN} / mot de passe : {password}"),
            Lang::En => format!("Log in: {DEMO_ADMIN} / password: {password}"),
        })?,
        None if accounts::needs_first_admin(&store).await? => say(tr(
            lang,
            "Ouvrez cette adresse pour créer le premier compte administrateur.",
            "Open this address to create the first administrator account.",
        ))?,
        None => {}
    }
    if args.dispatch_every > 0 {
        let every = std::time::Duration::from_secs(args.dispatch_every);
        tokio::spawn(dispatch_loop(
            store.clone(),
            args.transports.settings(),
            every,
            lang,
        ));
        say(match lang {
            Lang::Fr => format!(
                "Envoi des messages dus toutes les {} s (--dispatch-every 0 pour ne pas envoyer).",
                args.dispatch_every
            ),
            Lang::En => format!(
                "Due messages are sent every {} s (--dispatch-every 0 not to send).",
                args.dispatch_every
            ),
        })?;
    }
    say(tr(lang, "Ctrl+C pour arrêter.", "Ctrl+C to stop."))?;
    web::serve(listener, web::AppState::new(store, clock), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("the web server stopped")
}
