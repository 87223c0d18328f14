//! `relance`, the command line of Relance.
//!
//! Parses the command, resolves the configuration, calls one `app` use case and prints its
//! result in the user's language. Exit codes: 0 success, 1 failure, 2 bad usage (clap),
//! 3 input rejected (a file with problems: nothing was imported).

/// The daily run over a million cases allocates and frees millions of small records on three
/// threads at once (reading, deciding, writing); with glibc's allocator a fifth of its time went
/// to `malloc`, `free` and the consolidation of freed chunks, and a cold run at ten million
/// invoices took 10.3 to 11.0 s instead of 8.5 to 8.6 s (decision 0004).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's `mi_option_t` (`mimalloc.h`), which the Rust bindings
/// do not name.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Whether the command drops a large structure and then waits on another thread: the bank
/// import frees its matching index (300 MB at ten million invoices) and waits for its writer
/// thread for seconds. mimalloc returns freed memory only when the thread that freed it
/// allocates again, so the freed index still counted and the import peaked at 807 MiB instead
/// of about 500.
///
/// Other commands keep mimalloc's default: returning memory at once made the daily run, which
/// frees and allocates batch after batch, fault in fresh pages five times as often (380,000
/// against 75,000 page faults at ten million invoices) and take 6 % longer.
fn frees_a_large_index(cli: &Cli) -> bool {
    matches!(
        &cli.command,
        Command::Import(ImportCommand::Bank(_)) | Command::Bench(BenchCommand::Match(_))
    )
}

/// Memory freed goes back to the system at once (see `frees_a_large_index`).
#[allow(unsafe_code)]
fn release_freed_memory_at_once() {
    // SAFETY: sets a process-wide option before any other thread exists (the runtime is
    // started after it).
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

mod audit_cmds;
mod bench;
mod bench_match;
mod bench_run;
mod bench_tools;
mod bench_web;
mod casework;
mod cli;
mod cli_audit;
mod commands;
mod config;
mod customer_cmds;
mod delivery_cmds;
mod law_cmds;
mod output;
mod payment_cmds;
mod plan_cmds;
mod portal_cmds;
mod recovery_cmds;
mod serve_cmd;
mod settlement_cmds;
mod template_cmds;
mod user_cmds;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::{BenchCommand, Cli, Command, ImportCommand, Lang};

/// Exit code of a rejected input file.
const EXIT_REJECTED: u8 = 3;

/// An error already explained to the user, with the exit code to return.
#[derive(Debug)]
pub(crate) struct Reported(u8);

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "reported (exit {})", self.0)
    }
}

impl std::error::Error for Reported {}

/// French or English, as the user asked.
pub(crate) fn tr(lang: Lang, french: &'static str, english: &'static str) -> &'static str {
    match lang {
        Lang::Fr => french,
        Lang::En => english,
    }
}

fn main() -> ExitCode {
    // The matches are kept beside the typed command: the audit log reads a command's words.
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    if frees_a_large_index(&cli) {
        release_freed_memory_at_once();
    }
    let audit = cli_audit::entry(&matches);
    let lang = cli.global.lang;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln_error(lang, &anyhow::Error::new(error));
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli, audit)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => match error.downcast_ref::<Reported>() {
            Some(Reported(code)) => ExitCode::from(*code),
            // The reader of our output went away (`relance … | head`): nothing left to say.
            None if is_broken_pipe(&error) => ExitCode::SUCCESS,
            None => {
                eprintln_error(lang, &error);
                ExitCode::FAILURE
            }
        },
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    error.chain().any(|cause| {
        let io = cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind);
        let json = cause
            .downcast_ref::<serde_json::Error>()
            .and_then(serde_json::Error::io_error_kind);
        let csv = cause
            .downcast_ref::<csv::Error>()
            .and_then(|error| match error.kind() {
                csv::ErrorKind::Io(io) => Some(io.kind()),
                _ => None,
            });
        [io, json, csv].contains(&Some(BrokenPipe))
    })
}

#[expect(
    clippy::print_stderr,
    reason = "the binary reports errors on standard error"
)]
fn eprintln_error(lang: Lang, error: &anyhow::Error) {
    // A payment error has its own words in each language (a line or an invoice not found…).
    let text = match error.downcast_ref::<app::payments::PaymentError>() {
        Some(payment) => payment.describe(casework::language(lang)),
        None => format!("{error:#}"),
    };
    eprintln!("{} {text}", tr(lang, "erreur :", "error:"));
}
