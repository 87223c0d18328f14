//! `relance bench web`: the web application under load, through the real server on loopback
//! (benchmarks A1–A3 of the performance plan).
//!
//! Steps (not measured): generate and import the portfolio into a fresh SQLite database, run the
//! day, create an account, a session and an API token. Then:
//! - **A1**, the customer file through the API (`GET /api/v1/customers/{reference}`, random
//!   customers) driven by `wrk` at 50 and 200 connections, against the bare prepared SQLite
//!   reads of the same file (the customer, its open invoices, its last twenty actions) measured
//!   on the same database just before;
//! - **A2**, the same at 50 connections while a cold run, then an import, runs in the server's
//!   process, against each job's time alone;
//! - **A3**, promises posted at a fixed rate (100, then 400 a second) while two connections read,
//!   against the disk's rate of single-row durable commits;
//! - the dashboard (`GET /` through a staff session) at fixed rates;
//! - with `--pages`, the staff pages (dashboard, customers, a customer file) over keep-alive
//!   connections, with the built-in client.
//!
//! `wrk` (Debian's package) is an external load generator, so that the client's work is not the
//! server's runtime's; A1 and A2 are skipped with a note when it is missing. A3 posts with the
//! built-in client: `wrk` cannot hold a fixed rate.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use app::Store;
use app::TenantRecord;
use app::accounts::{self, Account, AccountInput};
use app::clock::Clock;
use app::dunning::{ReportDetail, RunOptions, reset, run_day};
use app::import::{ImportInput, ImportOptions, InvoiceFileFormat, NoProgress, import_invoices};
use app::reference::{self, RateSample};
use app::setup::{add_creditor, initialise, select_tenant};
use domain::customer::Language;
use jiff::civil::Date;
use synthetic::PortfolioSpec;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::bench_tools::{WorkDir, load_average, noisy_note, remove_database, say};
use crate::cli::{BenchLoadArgs, BenchWebArgs};

/// The portfolio's day (the clock is fixed at 10:00 in Paris on it).
const AS_OF: Date = jiff::civil::date(2026, 11, 20);

/// How many customers the load is spread over.
const SAMPLE: usize = 10_000;

/// A1's target share of the raw read rate (performance plan, benchmark A1).
const A1_SHARE: f64 = 0.40;

pub(crate) async fn run(args: &BenchWebArgs) -> anyhow::Result<()> {
    let work_dir = WorkDir::new(args.work_dir.as_ref())?;
    let work_dir = work_dir.path();
    let load_1m = load_average();
    say(format!(
        "bench web: {} customers, {} invoices, as of {AS_OF}; {} s per measure\nload average at start: {load_1m:.2}{}",
        args.customers,
        args.invoices,
        args.seconds,
        noisy_note(load_1m)
    ))?;
    let csv_path = work_dir.join("invoices.csv");
    let spec = PortfolioSpec {
        customers: args.customers.max(1),
        ..PortfolioSpec::benchmark(args.seed, args.invoices, AS_OF)
    };
    let file = std::fs::File::create(&csv_path)
        .with_context(|| format!("cannot create {}", csv_path.display()))?;
    synthetic::write_invoice_csv(&spec, file)?;
    let database = work_dir.join("relance.db");
    remove_database(&database);
    let store = Store::open_sqlite(&database).await?;
    // The clock is the portfolio's day, so that the pages show what the generator meant.
    let clock = Clock::Fixed("2026-11-20T09:00:00Z".parse()?);
    initialise(&store, &synthetic::demo_creditor(), clock).await?;
    let tenant = select_tenant(&store, None).await?;
    let started = Instant::now();
    import(&store, &tenant, &csv_path, clock).await?;
    let import_alone = started.elapsed();
    let first = cold_run(&store, &tenant, clock, AS_OF).await?;
    // The cold run A2 compares with: after a reset, as A2's own.
    let started = Instant::now();
    let actions = cold_run(&store, &tenant, clock, AS_OF.tomorrow()?).await?;
    let run_alone = started.elapsed();
    say(format!(
        "prepared: import {:.1} s ({first} actions on the first run); a cold run after a reset {:.1} s ({actions} actions)",
        import_alone.as_secs_f64(),
        run_alone.as_secs_f64(),
    ))?;
    let password = accounts::random_hex()?;
    let (admin, session) = sign_in(&store, clock, &password).await?;
    let token = accounts::create_api_token(&store, clock, &admin, "bench").await?;
    let listener = web::bind("127.0.0.1:0".parse()?).await?;
    let address = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(web::serve(
        listener,
        web::AppState::new(store.clone(), clock),
        async {
            let _ = stopped.await;
        },
    ));
    let references = reference::sample_customer_references(&database, tenant.id.0, SAMPLE)?;
    if references.is_empty() {
        bail!("the portfolio has no customer");
    }
    let seconds = Duration::from_secs(args.seconds.max(1));
    let wrk = Wrk::find(work_dir, address, &token, &references)?;
    // One request first: checks the route answers, and warms the caches.
    let mut probe = connect(address).await?;
    let bearer = format!("Authorization: Bearer {token}\r\n");
    request(
        &mut probe,
        "GET",
        &format!("/api/v1/customers/{}", references[0]),
        &bearer,
        None,
    )
    .await?;
    let target = Target {
        work_dir,
        address,
        token: &token,
        session: &session.secret,
    };
    a1(
        &database,
        tenant.id.0,
        &references,
        wrk.as_ref(),
        &target,
        seconds,
    )
    .await?;
    dashboard(&target, seconds).await?;
    match &wrk {
        Some(wrk) => {
            a2(
                &store,
                clock,
                &csv_path,
                wrk,
                (run_alone, import_alone),
                &tenant,
            )
            .await?
        }
        None => say("A2: skipped, `wrk` is not installed (apt-get install wrk)")?,
    }
    a3(
        work_dir,
        address,
        &bearer,
        &references,
        wrk.as_ref(),
        seconds,
    )
    .await?;
    if args.pages {
        pages(
            address,
            &format!("relance_session={}", session.secret),
            args,
        )
        .await?;
    }
    let _ = stop.send(());
    server.await??;
    Ok(())
}

async fn import(
    store: &Store,
    tenant: &TenantRecord,
    csv_path: &Path,
    clock: Clock,
) -> anyhow::Result<()> {
    import_invoices(
        store,
        tenant,
        ImportInput::Path(csv_path),
        ImportOptions {
            format: InvoiceFileFormat::Csv,
            payment_term_days: None,
        },
        &NoProgress,
        clock,
    )
    .await?;
    Ok(())
}

/// Forgets every case's level, then runs `day`: every customer is decided from scratch.
async fn cold_run(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    day: Date,
) -> anyhow::Result<usize> {
    reset(store, tenant).await?;
    let run = run_day(
        store,
        tenant,
        clock,
        RunOptions {
            date: Some(day),
            dry_run: false,
            language: Language::French,
            detail: ReportDetail::CountsOnly,
        },
    )
    .await?;
    Ok(run.actions_decided())
}

async fn sign_in(
    store: &Store,
    clock: Clock,
    password: &str,
) -> anyhow::Result<(Account, accounts::NewSession)> {
    accounts::create_first_admin(
        store,
        clock,
        None,
        AccountInput {
            email: "bench@relance.example",
            display_name: "Bench",
            password,
        },
    )
    .await?;
    Ok(accounts::login(store, clock, "bench@relance.example", password).await?)
}

/// The server under test, as a client reaches it.
struct Target<'a> {
    work_dir: &'a Path,
    address: SocketAddr,
    token: &'a str,
    /// A staff session's secret, for the pages.
    session: &'a str,
}

impl Target<'_> {
    async fn at_fixed_rate(
        &self,
        header: &str,
        paths: &[String],
        rate: u32,
        connections: u32,
        seconds: Duration,
    ) -> anyhow::Result<LoadResult> {
        let (work_dir, address, header, paths) = (
            self.work_dir.to_owned(),
            self.address,
            header.to_owned(),
            paths.to_vec(),
        );
        tokio::task::spawn_blocking(move || {
            fixed_rate(
                &work_dir,
                address,
                &header,
                &paths,
                (rate, connections),
                seconds,
            )
        })
        .await?
    }
}

/// A1: the customer file through the API against the bare reads of the same file: as fast as
/// `wrk` can ask, then at fixed rates from a process of its own.
async fn a1(
    database: &Path,
    tenant: i64,
    references: &[String],
    wrk: Option<&Wrk>,
    target: &Target<'_>,
    seconds: Duration,
) -> anyhow::Result<()> {
    say(
        "A1: the customer file through the API (GET /api/v1/customers/{reference}, random customers)",
    )?;
    let mut best_raw = 0.0_f64;
    for threads in [1, 2] {
        let database = database.to_owned();
        let references = references.to_vec();
        let raw = tokio::task::spawn_blocking(move || {
            reference::customer_file_reads(&database, tenant, &references, threads, seconds)
        })
        .await??;
        best_raw = best_raw.max(raw.per_second());
        say(format!(
            "  bare prepared SQLite reads (customer, open invoices, last 20 actions), {threads} thread{}: {:.0} files/s; p50 {:.3} ms, p99 {:.3} ms",
            if threads == 1 { "" } else { "s" },
            raw.per_second(),
            ms(raw.percentile(50.0)),
            ms(raw.percentile(99.0)),
        ))?;
    }
    match wrk {
        Some(wrk) => {
            for connections in [50, 200] {
                let result = wrk.run(connections, Some(seconds))?.finish()?;
                say(format!(
                    "  HTTP as fast as wrk asks, {connections} connections: {}; {:.0} % of the bare rate (target ≥ {:.0} %, p99 ≤ 25 ms, no error)",
                    result.summary(),
                    100.0 * result.per_second() / best_raw.max(f64::MIN_POSITIVE),
                    100.0 * A1_SHARE,
                ))?;
            }
        }
        None => say("  HTTP as fast as wrk asks: skipped, `wrk` is not installed")?,
    }
    let files: Vec<String> = references
        .iter()
        .map(|reference| format!("/api/v1/customers/{reference}"))
        .collect();
    let bearer = format!("Authorization: Bearer {}", target.token);
    for rate in [3_000, 6_000] {
        let result = target
            .at_fixed_rate(&bearer, &files, rate, 200, seconds)
            .await?;
        say(format!(
            "  HTTP at a fixed {rate} req/s over 200 connections: {} (target at 6000: p99 ≤ 25 ms, no error)",
            result.summary(),
        ))?;
    }
    Ok(())
}

/// The staff dashboard (`GET /`, as a session) at fixed rates: every request reads the day's
/// figures afresh (aged balance, DSO, today's actions, approvals, promises) and renders the page.
async fn dashboard(target: &Target<'_>, seconds: Duration) -> anyhow::Result<()> {
    say("Dashboard (GET / through a staff session):")?;
    let cookie = format!("Cookie: relance_session={}", target.session);
    for rate in [50, 100] {
        let result = target
            .at_fixed_rate(&cookie, &["/".to_owned()], rate, 20, seconds)
            .await?;
        say(format!(
            "  at a fixed {rate} req/s over 20 connections: {}",
            result.summary(),
        ))?;
    }
    Ok(())
}

/// A2: A1 at 50 connections while a cold run, then an import, runs in the server's process.
async fn a2(
    store: &Store,
    clock: Clock,
    csv_path: &Path,
    wrk: &Wrk,
    (run_alone, import_alone): (Duration, Duration),
    tenant: &TenantRecord,
) -> anyhow::Result<()> {
    say("A2: the same at 50 connections while a job runs in the same process")?;
    let load = wrk.run(50, None)?;
    let started = Instant::now();
    let actions = cold_run(store, tenant, clock, AS_OF.tomorrow()?.tomorrow()?).await?;
    let run_loaded = started.elapsed();
    let result = load.finish()?;
    say(format!(
        "  during a cold run ({actions} actions): {}; the run took {:.2} s against {:.2} s alone ({:+.0} %; target p99 ≤ 100 ms, ≤ +25 %)",
        result.summary(),
        run_loaded.as_secs_f64(),
        run_alone.as_secs_f64(),
        slowdown(run_loaded, run_alone),
    ))?;
    // The same file into another creditor of the same database: a first import of the same
    // size, as the one timed alone.
    let other = add_creditor(store, &synthetic::demo_creditor(), clock).await?;
    let other = select_tenant(store, Some(other.0)).await?;
    let load = wrk.run(50, None)?;
    let started = Instant::now();
    import(store, &other, csv_path, clock).await?;
    let import_loaded = started.elapsed();
    let result = load.finish()?;
    say(format!(
        "  during an import: {}; the import took {:.2} s against {:.2} s alone ({:+.0} %)",
        result.summary(),
        import_loaded.as_secs_f64(),
        import_alone.as_secs_f64(),
        slowdown(import_loaded, import_alone),
    ))?;
    Ok(())
}

fn slowdown(loaded: Duration, alone: Duration) -> f64 {
    100.0 * (loaded.as_secs_f64() / alone.as_secs_f64().max(f64::MIN_POSITIVE) - 1.0)
}

/// A3: promises posted at a fixed rate while two connections read customer files.
async fn a3(
    work_dir: &Path,
    address: SocketAddr,
    bearer: &str,
    references: &[String],
    wrk: Option<&Wrk>,
    seconds: Duration,
) -> anyhow::Result<()> {
    say(
        "A3: durable interactive writes (POST /api/v1/customers/{reference}/promises at a fixed rate)",
    )?;
    let scratch = work_dir.join("commits.db");
    remove_database(&scratch);
    let raw = {
        let scratch = scratch.clone();
        tokio::task::spawn_blocking(move || reference::durable_commits(&scratch, seconds)).await??
    };
    remove_database(&scratch);
    say(format!(
        "  bare single-row durable commits (WAL, synchronous=FULL): {:.0}/s; p50 {:.2} ms, p99 {:.2} ms",
        raw.per_second(),
        ms(raw.percentile(50.0)),
        ms(raw.percentile(99.0)),
    ))?;
    let mut offset = 0;
    for rate in [100_u32, 400] {
        let readers = wrk.map(|wrk| wrk.run(2, None)).transpose()?;
        let due_on = AS_OF
            .checked_add(jiff::Span::new().days(10))
            .context("a promise date")?;
        let calls: Vec<Call> = references[offset..]
            .iter()
            .map(|customer| Call {
                method: "POST",
                path: format!("/api/v1/customers/{customer}/promises"),
                json: Some(format!(
                    r#"{{"amount":"10.00","due_on":"{due_on}","note":"bench"}}"#
                )),
            })
            .collect();
        // Enough connections that each sends at most one request every 25 ms.
        let posted = at_rate(address, bearer, &calls, rate, rate.div_ceil(40), seconds).await?;
        offset = (offset + posted.sample.latencies.len()) % references.len().max(1);
        let readers = readers.map(Running::finish).transpose()?;
        say(format!(
            "  {rate} promises/s asked: {:.0}/s written, {} refused or failed; p50 {:.2} ms, p99 {:.2} ms (target p99 ≤ 20 ms at 100/s){}",
            posted.sample.per_second(),
            posted.errors,
            ms(posted.sample.percentile(50.0)),
            ms(posted.sample.percentile(99.0)),
            readers.map_or_else(String::new, |result| format!(
                "; the 2 readers: {}",
                result.summary()
            )),
        ))?;
    }
    Ok(())
}

struct Posted {
    sample: RateSample,
    errors: u64,
}

/// One request of a load: method, path and JSON body.
#[derive(Clone)]
struct Call {
    method: &'static str,
    path: String,
    json: Option<String>,
}

/// Sends `calls` in turn at `rate` a second for `duration`, over `connections` connections
/// (each sends one request every `connections / rate` seconds). A latency counts from when the
/// request was due, not from when it left, so that a server falling behind shows in it.
async fn at_rate(
    address: SocketAddr,
    headers: &str,
    calls: &[Call],
    rate: u32,
    connections: u32,
    duration: Duration,
) -> anyhow::Result<Posted> {
    let rate = rate.max(1);
    let connections = connections.clamp(1, rate);
    let period = Duration::from_secs_f64(f64::from(connections) / f64::from(rate));
    // Connected before the clock starts: what is measured is the requests, not the handshakes.
    let mut streams = Vec::with_capacity(connections as usize);
    for _ in 0..connections {
        streams.push(connect(address).await?);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    // Each connection takes every `connections`-th call; fewer calls than connections are
    // shared round (a single page asked by every connection).
    let per_connection = calls.len().div_ceil(connections as usize);
    for (connection, mut stream) in (0..connections).zip(streams) {
        let mine: Vec<Call> = calls
            .iter()
            .cycle()
            .skip(connection as usize)
            .step_by(connections as usize)
            .take(per_connection)
            .cloned()
            .collect();
        let headers = headers.to_owned();
        tasks.push(tokio::spawn(async move {
            // The connections' ticks are spread over the period: started together, they would
            // send in bursts of one request each, the rate being right only on average.
            let offset = period.mul_f64(f64::from(connection) / f64::from(connections));
            let mut ticks =
                tokio::time::interval_at(tokio::time::Instant::from_std(started) + offset, period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut sample = RateSample::default();
            let mut errors = 0_u64;
            let mut calls = mine.iter().cycle();
            while started.elapsed() < duration {
                let due = ticks.tick().await;
                let Some(call) = calls.next() else {
                    break;
                };
                let answered = request(
                    &mut stream,
                    call.method,
                    &call.path,
                    &headers,
                    call.json.as_deref(),
                )
                .await;
                match answered {
                    Ok(()) => {
                        sample.latencies.push(due.elapsed());
                        sample.operations += 1;
                    }
                    Err(_) => {
                        errors += 1;
                        stream = connect(address).await?;
                    }
                }
            }
            anyhow::Ok((sample, errors))
        }));
    }
    let mut posted = Posted {
        sample: RateSample::default(),
        errors: 0,
    };
    for task in tasks {
        let (sample, errors) = task.await??;
        posted.sample.operations += sample.operations;
        posted.sample.latencies.extend(sample.latencies);
        posted.errors += errors;
    }
    posted.sample.elapsed = started.elapsed();
    Ok(posted)
}

/// `relance bench load`: GETs at a fixed rate from a process of its own, so that the client's
/// work is not the server's runtime's; prints one line of figures for `bench web` to read.
pub(crate) async fn load(args: &BenchLoadArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.paths)
        .with_context(|| format!("cannot read {}", args.paths.display()))?;
    let calls: Vec<Call> = text
        .lines()
        .filter(|line| !line.is_empty())
        .map(|path| Call {
            method: "GET",
            path: path.to_owned(),
            json: None,
        })
        .collect();
    if calls.is_empty() {
        bail!("{} lists no path", args.paths.display());
    }
    let loaded = at_rate(
        args.address,
        &format!("{}\r\n", args.header.trim_end()),
        &calls,
        args.rate,
        args.connections,
        Duration::from_secs(args.seconds.max(1)),
    )
    .await?;
    let micros = |percent: f64| loaded.sample.percentile(percent).as_micros();
    say(format!(
        "relance-load {} {} {} {} {} {} {}",
        loaded.sample.operations,
        loaded.sample.elapsed.as_micros(),
        micros(50.0),
        micros(99.0),
        micros(99.9),
        micros(100.0),
        loaded.errors,
    ))
}

/// GETs of `paths` at a fixed rate, with `header` (the token or the session's cookie):
/// `bench load` in a process of its own.
fn fixed_rate(
    work_dir: &Path,
    address: SocketAddr,
    header: &str,
    paths: &[String],
    (rate, connections): (u32, u32),
    seconds: Duration,
) -> anyhow::Result<LoadResult> {
    let list: String = paths.iter().map(|path| format!("{path}\n")).collect();
    let paths = work_dir.join("load_paths.txt");
    std::fs::write(&paths, list).with_context(|| format!("cannot write {}", paths.display()))?;
    let output = Command::new(std::env::current_exe().context("this program's path")?)
        .args(["bench", "load", "--address"])
        .arg(address.to_string())
        .arg("--paths")
        .arg(&paths)
        .arg("--rate")
        .arg(rate.to_string())
        .arg("--connections")
        .arg(connections.to_string())
        .arg("--seconds")
        .arg(seconds.as_secs().max(1).to_string())
        .env("RELANCE_BENCH_HEADER", header)
        .output()
        .context("cannot run bench load")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix("relance-load "))
        .with_context(|| {
            format!(
                "bench load printed no figures: {stdout}{}",
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
    figures(line)
}

/// `wrk` with a script that asks for the customer file of a random customer of the sample.
struct Wrk {
    script: PathBuf,
    url: String,
}

impl Wrk {
    fn find(
        work_dir: &Path,
        address: SocketAddr,
        token: &str,
        references: &[String],
    ) -> anyhow::Result<Option<Wrk>> {
        let installed = Command::new("wrk")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        if !installed {
            return Ok(None);
        }
        let script = work_dir.join("customer_file.lua");
        std::fs::write(&script, wrk_script(token, references))
            .with_context(|| format!("cannot write {}", script.display()))?;
        Ok(Some(Wrk {
            script,
            url: format!("http://{address}"),
        }))
    }

    /// Starts the load: for `duration`, or until `Running::finish` interrupts it.
    fn run(&self, connections: u32, duration: Option<Duration>) -> anyhow::Result<Running> {
        // Long enough for any job; `finish` interrupts it.
        let seconds = duration.map_or(3_600, |duration| duration.as_secs().max(1));
        let child = Command::new("wrk")
            .args(["-t1", "--timeout", "10s"])
            .arg(format!("-c{connections}"))
            .arg(format!("-d{seconds}s"))
            .arg("-s")
            .arg(&self.script)
            .arg(&self.url)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot start wrk")?;
        Ok(Running {
            child,
            interrupt: duration.is_none(),
        })
    }
}

/// The Lua script: random customers of the sample, the token, and a last line with the
/// figures in microseconds for `Running::finish` to read.
fn wrk_script(token: &str, references: &[String]) -> String {
    let list = references
        .iter()
        .map(|reference| format!("{reference:?}"))
        .collect::<Vec<_>>()
        .join(",");
    format!(
        r#"local customers = {{{list}}}
wrk.headers["Authorization"] = "Bearer {token}"
math.randomseed(1)
request = function()
  return wrk.format("GET", "/api/v1/customers/" .. customers[math.random(#customers)])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("relance-wrk %d %d %d %d %d %d %d %d\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(99), latency:percentile(99.9),
    latency.max, e.connect + e.read + e.write + e.timeout, e.status))
end
"#
    )
}

struct Running {
    child: Child,
    interrupt: bool,
}

impl Running {
    /// Stops the load if it has no end of its own (wrk reports on SIGINT), then reads the figures.
    fn finish(self) -> anyhow::Result<LoadResult> {
        if self.interrupt {
            Command::new("kill")
                .arg("-INT")
                .arg(self.child.id().to_string())
                .status()
                .context("cannot interrupt wrk")?;
        }
        let output = self
            .child
            .wait_with_output()
            .context("wrk did not finish")?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line = stdout
            .lines()
            .find_map(|line| line.strip_prefix("relance-wrk "))
            .with_context(|| {
                format!(
                    "wrk printed no figures: {stdout}{}",
                    String::from_utf8_lossy(&output.stderr)
                )
            })?;
        figures(line)
    }
}

/// A load's figures as `wrk`'s script and `bench load` print them: requests, duration, p50,
/// p99, p99.9 and maximum in microseconds, then error counts (added up).
fn figures(line: &str) -> anyhow::Result<LoadResult> {
    let numbers = line
        .split_whitespace()
        .map(str::parse::<u64>)
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("the load's figures are not numbers: {line}"))?;
    let [requests, duration_us, p50, p99, p999, max, ref errors @ ..] = numbers[..] else {
        bail!("the load's figures are fewer than expected: {line}");
    };
    Ok(LoadResult {
        requests,
        elapsed: Duration::from_micros(duration_us),
        p50: Duration::from_micros(p50),
        p99: Duration::from_micros(p99),
        p999: Duration::from_micros(p999),
        max: Duration::from_micros(max),
        errors: errors.iter().sum(),
    })
}

/// A load's figures, from `wrk` or `bench load`.
struct LoadResult {
    requests: u64,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
    p999: Duration,
    max: Duration,
    errors: u64,
}

impl LoadResult {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
    }

    fn summary(&self) -> String {
        format!(
            "{:.0} req/s; p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.1} ms; {} errors",
            self.per_second(),
            ms(self.p50),
            ms(self.p99),
            ms(self.p999),
            ms(self.max),
            self.errors,
        )
    }
}

/// The staff pages over keep-alive connections, with the built-in client.
async fn pages(address: SocketAddr, cookie: &str, args: &BenchWebArgs) -> anyhow::Result<()> {
    say("Pages, through a staff session:")?;
    let cookie_header = format!("Cookie: {cookie}\r\n");
    for (label, path) in [
        ("dashboard", "/"),
        ("customers, first page", "/customers"),
        ("customers, search", "/customers?q=dupont"),
        (
            "customers, by outstanding",
            "/customers?sort=outstanding&open=1",
        ),
        ("customer file", "/customers/C000001"),
    ] {
        request(
            &mut connect(address).await?,
            "GET",
            path,
            &cookie_header,
            None,
        )
        .await?;
        let started = Instant::now();
        let mut tasks = Vec::new();
        let per_connection = args.requests.div_ceil(args.connections.max(1));
        for _ in 0..args.connections.max(1) {
            let cookie_header = cookie_header.clone();
            tasks.push(tokio::spawn(async move {
                let mut stream = connect(address).await?;
                let mut latencies = Vec::with_capacity(per_connection as usize);
                for _ in 0..per_connection {
                    let at = Instant::now();
                    request(&mut stream, "GET", path, &cookie_header, None).await?;
                    latencies.push(at.elapsed());
                }
                anyhow::Ok(latencies)
            }));
        }
        let mut sample = RateSample::default();
        for task in tasks {
            sample.latencies.extend(task.await??);
        }
        sample.elapsed = started.elapsed();
        sample.operations = sample.latencies.len() as u64;
        say(format!(
            "  {label:<28} {} requests over {} connections: {:.0} req/s; p50 {:.1} ms, p99 {:.1} ms",
            sample.operations,
            args.connections.max(1),
            sample.per_second(),
            ms(sample.percentile(50.0)),
            ms(sample.percentile(99.0)),
        ))?;
    }
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

async fn connect(address: SocketAddr) -> anyhow::Result<BufReader<TcpStream>> {
    let stream = TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    Ok(BufReader::new(stream))
}

/// One request on a keep-alive connection (`headers`: whole lines, each ending in CRLF); the
/// answer must be a success, and its body is read whole and dropped.
async fn request(
    stream: &mut BufReader<TcpStream>,
    method: &str,
    path: &str,
    headers: &str,
    json: Option<&str>,
) -> anyhow::Result<()> {
    let body = json.map_or_else(String::new, |json| {
        format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{json}",
            json.len()
        )
    });
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: bench\r\n{headers}Connection: keep-alive\r\n{}",
        if body.is_empty() { "\r\n" } else { &body }
    );
    stream.get_mut().write_all(request.as_bytes()).await?;
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let success = line.starts_with("HTTP/1.1 2");
    let status = line.trim().to_owned();
    let mut length = None;
    loop {
        line.clear();
        stream.read_line(&mut line).await?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = Some(value.trim().parse::<usize>()?);
        }
    }
    let length = length.context("the answer has no Content-Length")?;
    let mut body = vec![0_u8; length];
    stream.read_exact(&mut body).await?;
    if !success {
        bail!(
            "{method} {path} answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    Ok(())
}
