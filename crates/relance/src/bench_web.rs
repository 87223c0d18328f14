//! `relance bench web`: the time to render the dashboard and the customers page over a
//! synthetic portfolio, through the real server on loopback.
//!
//! Steps (not measured): generate and import the portfolio into a fresh SQLite database, run the
//! day, create an account and open a session. Then each page is requested `--requests` times by
//! `--connections` keep-alive HTTP/1.1 connections at once, and the latencies are reported
//! (mean, p50, p99, max) with the rate reached. The client is a few lines of plain HTTP over
//! tokio's TCP, so that the binary carries no HTTP client.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use app::Store;
use app::accounts::{self, AccountInput};
use app::clock::Clock;
use app::dunning::{ReportDetail, RunOptions, run_day};
use app::import::{ImportInput, ImportOptions, InvoiceFileFormat, NoProgress, import_invoices};
use app::setup::{initialise, select_tenant};
use domain::customer::Language;
use jiff::civil::Date;
use synthetic::PortfolioSpec;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::bench_tools::{WorkDir, load_average, noisy_note, remove_database, say};
use crate::cli::BenchWebArgs;

/// The portfolio's day (the clock is fixed at 10:00 in Paris on it).
const AS_OF: Date = jiff::civil::date(2026, 11, 20);

pub(crate) async fn run(args: &BenchWebArgs) -> anyhow::Result<()> {
    let work_dir = WorkDir::new(args.work_dir.as_ref())?;
    let work_dir = work_dir.path();
    let load_1m = load_average();
    say(format!(
        "bench web: {} customers, {} invoices, as of {AS_OF}; {} requests per page over {} connections\nload average at start: {load_1m:.2}{}",
        args.customers,
        args.invoices,
        args.requests,
        args.connections,
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
    import_invoices(
        &store,
        &tenant,
        ImportInput::Path(&csv_path),
        ImportOptions {
            format: InvoiceFileFormat::Csv,
            payment_term_days: None,
        },
        &NoProgress,
        clock,
    )
    .await?;
    let run = run_day(
        &store,
        &tenant,
        clock,
        RunOptions {
            date: None,
            dry_run: false,
            language: Language::French,
            detail: ReportDetail::CountsOnly,
        },
    )
    .await?;
    say(format!(
        "prepared in {:.1} s (import and a cold run: {} actions today)",
        started.elapsed().as_secs_f64(),
        run.actions_decided()
    ))?;
    let password = accounts::random_hex()?;
    accounts::create_first_admin(
        &store,
        clock,
        None,
        AccountInput {
            email: "bench@relance.example",
            display_name: "Bench",
            password: &password,
        },
    )
    .await?;
    let (_, session) = accounts::login(&store, clock, "bench@relance.example", &password).await?;
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
    let cookie = format!("relance_session={}", session.secret);
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
        // One request first: checks the page answers 200, and warms the caches.
        get(&mut connect(address).await?, path, &cookie).await?;
        let started = Instant::now();
        let mut tasks = Vec::new();
        let per_connection = args.requests.div_ceil(args.connections.max(1));
        for _ in 0..args.connections.max(1) {
            let cookie = cookie.clone();
            tasks.push(tokio::spawn(async move {
                let mut stream = connect(address).await?;
                let mut latencies = Vec::with_capacity(per_connection as usize);
                for _ in 0..per_connection {
                    let at = Instant::now();
                    get(&mut stream, path, &cookie).await?;
                    latencies.push(at.elapsed());
                }
                anyhow::Ok(latencies)
            }));
        }
        let mut latencies: Vec<Duration> = Vec::new();
        for task in tasks {
            latencies.extend(task.await??);
        }
        let elapsed = started.elapsed();
        latencies.sort();
        let count = latencies.len();
        let percentile = |p: usize| latencies[(count * p / 100).min(count - 1)];
        let mean = latencies.iter().sum::<Duration>() / u32::try_from(count)?;
        say(format!(
            "{label:<28} {count} requests in {:.2} s: {:.0} req/s; mean {:.1} ms, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            elapsed.as_secs_f64(),
            count as f64 / elapsed.as_secs_f64(),
            ms(mean),
            ms(percentile(50)),
            ms(percentile(99)),
            ms(latencies[count - 1]),
        ))?;
    }
    let _ = stop.send(());
    server.await??;
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

async fn connect(address: std::net::SocketAddr) -> anyhow::Result<BufReader<TcpStream>> {
    let stream = TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    Ok(BufReader::new(stream))
}

/// One GET on a keep-alive connection; the body is read whole and dropped.
async fn get(stream: &mut BufReader<TcpStream>, path: &str, cookie: &str) -> anyhow::Result<()> {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: bench\r\nCookie: {cookie}\r\nConnection: keep-alive\r\n\r\n"
    );
    stream.get_mut().write_all(request.as_bytes()).await?;
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    if !line.starts_with("HTTP/1.1 200") {
        bail!("GET {path} answered {}", line.trim());
    }
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
    Ok(())
}
