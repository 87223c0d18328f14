//! `relance bench run`: the daily dunning run measured against the same decisions written as
//! one SQL script, in the same run and on the same data (benchmarks D1 and D2).
//!
//! Steps: generate an invoice CSV with the project's seeded generator and import it into a fresh
//! SQLite database (not measured here: `relance bench import` measures it); copy the database
//! for the SQL reference; then, with Relance: a cold run (every open item never looked at), the
//! same day again (must write nothing), the next day (a "normal day"), and a cold run after a
//! reset. The references run the same SQL script (next step of each case by the offset of its
//! oldest open invoice, from a steps table made of the same scenarios; actions inserted; case
//! levels upserted) through the `sqlite3` command-line tool on the copy of Relance's file, in
//! PostgreSQL on the same CSV loaded with `COPY` into a schema of its own, and in DuckDB (the
//! PyPI package, through `python3` and `bench_run_duckdb.py`; skipped with a note when it cannot
//! be imported) on the same CSV loaded into a database file of its own.
//!
//! The script is a simplified but honest equivalent of the engine: no contact hours, consents,
//! channel fallbacks, holds, promises, disputes or contact limits beyond the minimum gap between
//! two steps. It scans every open invoice each time; that is what a SQL-only tool has to do.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context;
use app::Store;
use app::clock::Clock;
use app::dunning::{ReportDetail, RunOptions, RunReport, reset, run_day};
use app::import::{ImportInput, ImportOptions, InvoiceFileFormat, NoProgress, import_invoices};
use app::setup::{initialise, select_tenant};
use domain::contact_policy::ContactPolicy;
use domain::customer::Language;
use domain::scenario::Scenario;
use jiff::civil::Date;
use synthetic::PortfolioSpec;

use crate::bench_tools::{
    WorkDir, load_average, noisy_note, peak_rss_mib, remove_database, reset_peak_rss, run_script,
    say,
};
use crate::cli::BenchRunArgs;

/// The day the portfolio is seen from, and the day of the cold run.
const AS_OF: Date = jiff::civil::date(2026, 11, 20);
/// The schema the PostgreSQL reference works in; dropped at the start and at the end.
const PG_SCHEMA: &str = "relance_bench_run";
/// Runs a script in DuckDB and prints what it decided and the time DuckDB took.
const DUCKDB_HARNESS: &str = include_str!("bench_run_duckdb.py");

/// One measured run of Relance.
struct Measured {
    label: &'static str,
    date: Date,
    report: RunReport,
    elapsed: Duration,
    peak_rss_mib: u64,
}

/// One measured run of the SQL script.
struct Reference {
    elapsed: Duration,
    actions: u64,
}

pub(crate) async fn run(args: &BenchRunArgs) -> anyhow::Result<()> {
    let work_dir = WorkDir::new(args.work_dir.as_ref())?;
    let work_dir = work_dir.path();
    let load_1m = load_average();
    say(format!(
        "bench run: {} customers, {} invoices, seed {}, as of {AS_OF}, work dir {}\nload average at start: {load_1m:.2}{}",
        args.customers,
        args.invoices,
        args.seed,
        work_dir.display(),
        noisy_note(load_1m)
    ))?;

    // The portfolio.
    let csv_path = work_dir.join("invoices.csv");
    let spec = PortfolioSpec {
        customers: args.customers.max(1),
        ..PortfolioSpec::benchmark(args.seed, args.invoices, AS_OF)
    };
    let started = Instant::now();
    let file = std::fs::File::create(&csv_path)
        .with_context(|| format!("cannot create {}", csv_path.display()))?;
    let rows = synthetic::write_invoice_csv(&spec, file)?;
    say(format!(
        "generated {rows} invoices in {:.2} s",
        started.elapsed().as_secs_f64()
    ))?;

    let database = work_dir.join("relance.db");
    remove_database(&database);
    let store = Store::open_sqlite(&database).await?;
    initialise(&store, &synthetic::demo_creditor(), Clock::System).await?;
    let tenant = select_tenant(&store, None).await?;
    let started = Instant::now();
    let imported = import_invoices(
        &store,
        &tenant,
        ImportInput::Path(&csv_path),
        ImportOptions {
            format: InvoiceFileFormat::Csv,
            payment_term_days: None,
        },
        &NoProgress,
        Clock::System,
    )
    .await?;
    say(format!(
        "imported {} invoices, {} customers in {:.2} s (measured by `relance bench import`)",
        imported.invoices.created,
        imported.customers.created,
        started.elapsed().as_secs_f64()
    ))?;
    // The reference works on a copy of the file as it is now: imported, never looked at.
    store.close().await;
    let reference_db = work_dir.join("reference.db");
    remove_database(&reference_db);
    // With its write-ahead log, in case the last checkpoint did not empty it: nothing writes now.
    // The copy is written to disk before the runs are timed: left to the kernel, its gigabytes
    // were written back during the first run, whose commits waited for the disk (a cold run
    // of 4.6 s took 7.7 s).
    for suffix in ["", "-wal"] {
        let source = PathBuf::from(format!("{}{suffix}", database.display()));
        if source.exists() {
            let target = format!("{}{suffix}", reference_db.display());
            std::fs::copy(&source, &target).context("cannot copy the database")?;
            std::fs::File::open(&target)
                .and_then(|copy| copy.sync_all())
                .context("cannot write the copy of the database to disk")?;
        }
    }
    let store = Store::open_sqlite(&database).await?;

    // Relance.
    let next_day = AS_OF.tomorrow()?;
    let mut measured = Vec::new();
    measured.push(measure(&store, &tenant, "cold run", AS_OF).await?);
    measured.push(measure(&store, &tenant, "same day again", AS_OF).await?);
    measured.push(measure(&store, &tenant, "normal day (next day)", next_day).await?);
    let started = Instant::now();
    reset(&store, &tenant).await?;
    let reset_time = started.elapsed();
    measured.push(measure(&store, &tenant, "cold run after reset", next_day).await?);
    store.close().await;

    say("\nrelance")?;
    say(format!(
        "  {:<24} {:<10} {:>10} {:>8} {:>9} {:>9} {:>9}",
        "run", "date", "examined", "actions", "rows", "seconds", "peak MiB"
    ))?;
    for run in &measured {
        say(format!(
            "  {:<24} {:<10} {:>10} {:>8} {:>9} {:>9.3} {:>9}",
            run.label,
            run.date,
            run.report.customers_examined,
            run.report.actions_decided(),
            run.report.writes.total(),
            run.elapsed.as_secs_f64(),
            run.peak_rss_mib
        ))?;
    }
    let rerun = &measured[1];
    say(format!(
        "  reset: {:.3} s; rows written by the same-day re-run: {}{}",
        reset_time.as_secs_f64(),
        rerun.report.writes.total(),
        if rerun.report.writes.total() == 0 {
            ""
        } else {
            " (should be 0)"
        }
    ))?;

    // References: the same script, cold on the imported data, then the same day and the next.
    let steps = steps_rows();
    let min_gap = i64::from(ContactPolicy::french_default().min_days_between_contacts);
    let days = [
        ("cold run", AS_OF),
        ("same day again", AS_OF),
        ("normal day (next day)", next_day),
    ];
    let sqlite_reference = if Command::new("sqlite3").arg("-version").output().is_ok() {
        let setup = format!(
            "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\n{}",
            steps_table(&steps)
        );
        run_script(Command::new("sqlite3").arg(&reference_db), &setup)
            .map(|(_, elapsed)| elapsed)
            .context("sqlite3 setup")?;
        let mut results = Vec::new();
        for (_, date) in days {
            let script = dunning_script(Dialect::Sqlite, tenant.id.0, date, min_gap);
            results.push(reference_run(
                Command::new("sqlite3").arg(&reference_db),
                &script,
            )?);
        }
        Some(results)
    } else {
        None
    };
    let postgres_reference = match &args.postgres_url {
        Some(url) => {
            let psql = || {
                let mut command = Command::new("psql");
                command.args([url.as_str(), "-v", "ON_ERROR_STOP=1", "-q", "-t", "-A"]);
                command
            };
            let load = postgres_load(&csv_path, tenant.id.0, &steps);
            let load_time = run_script(&mut psql(), &load)
                .map(|(_, elapsed)| elapsed)
                .context("PostgreSQL load")?;
            let mut results = Vec::new();
            for (_, date) in days {
                let script = format!(
                    "SET search_path TO {PG_SCHEMA};\n{}",
                    dunning_script(Dialect::Postgres, tenant.id.0, date, min_gap)
                );
                results.push(reference_run(&mut psql(), &script)?);
            }
            run_script(&mut psql(), &format!("DROP SCHEMA {PG_SCHEMA} CASCADE;\n"))
                .context("PostgreSQL clean-up")?;
            Some((load_time, results))
        }
        None => None,
    };
    let duckdb_reference =
        duckdb_reference(work_dir, &csv_path, tenant.id.0, &steps, &days, min_gap)
            .context("DuckDB reference")?;

    say("\nreferences (the same decisions as one SQL script, on the same data)")?;
    match &sqlite_reference {
        Some(results) => {
            print_reference("sqlite3 on a copy of relance.db", &days, results, &measured)?
        }
        None => say("  sqlite3: not measured (the sqlite3 command is not installed)")?,
    }
    match &postgres_reference {
        Some((load_time, results)) => {
            say(format!(
                "  (PostgreSQL: CSV loaded with COPY, tables and indexes built in {:.2} s, not counted)",
                load_time.as_secs_f64()
            ))?;
            print_reference("PostgreSQL", &days, results, &measured)?;
        }
        None => say("  PostgreSQL: skipped (give --postgres-url or RELANCE_BENCH_POSTGRES_URL)")?,
    }
    match &duckdb_reference {
        Some((load_time, results)) => {
            say(format!(
                "  (DuckDB: CSV read into a database file in {:.2} s, not counted; times inside DuckDB)",
                load_time.as_secs_f64()
            ))?;
            print_reference("DuckDB", &days, results, &measured)?;
        }
        None => {
            say("  DuckDB: skipped (python3 cannot import duckdb: `pip install duckdb` to run it)")?
        }
    }
    Ok(())
}

/// The DuckDB reference: the CSV read into a database file of its own, then the script in
/// PostgreSQL's dialect, which DuckDB reads as it is. `None` when `python3` cannot import
/// `duckdb`.
fn duckdb_reference(
    work_dir: &Path,
    csv: &Path,
    tenant: i64,
    steps: &[StepRow],
    days: &[(&str, Date)],
    min_gap: i64,
) -> anyhow::Result<Option<(Duration, Vec<Reference>)>> {
    let available = Command::new("python3")
        .args(["-c", "import duckdb"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !available {
        return Ok(None);
    }
    let harness = work_dir.join("bench_run_duckdb.py");
    std::fs::write(&harness, DUCKDB_HARNESS)
        .with_context(|| format!("cannot write {}", harness.display()))?;
    let database = work_dir.join("reference.duckdb");
    let remove = || {
        for suffix in ["", ".wal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
        }
    };
    remove();
    let duckdb = || {
        let mut command = Command::new("python3");
        command.arg(&harness).arg(&database);
        command
    };
    let load = duckdb_run(&mut duckdb(), &duckdb_load(csv, tenant, steps))?;
    let mut results = Vec::new();
    for (_, date) in days {
        let script = dunning_script(Dialect::Postgres, tenant, *date, min_gap);
        results.push(duckdb_run(&mut duckdb(), &script)?);
    }
    remove();
    Ok(Some((load.elapsed, results)))
}

/// Runs a script through the DuckDB harness and reads its line: the actions decided, then the
/// seconds DuckDB took.
fn duckdb_run(command: &mut Command, script: &str) -> anyhow::Result<Reference> {
    let (output, _) = run_script(command, script)?;
    let line = output.trim();
    let parsed = line
        .split_once(' ')
        .and_then(|(actions, seconds)| Some((actions.parse().ok()?, seconds.parse().ok()?)));
    let (actions, seconds): (u64, f64) =
        parsed.with_context(|| format!("unexpected output of the DuckDB harness: {line:?}"))?;
    Ok(Reference {
        elapsed: Duration::from_secs_f64(seconds),
        actions,
    })
}

/// The DuckDB reference's data: the CSV read with `read_csv`, then the tables the script uses.
/// A columnar engine scans rather than seeks, so the invoices get no secondary index; the
/// cases and actions have the keys the script's upserts need.
fn duckdb_load(csv: &Path, tenant: i64, steps: &[StepRow]) -> String {
    format!(
        "CREATE TABLE raw AS SELECT * FROM read_csv('{csv}', header = true, all_varchar = true);
CREATE TABLE customers AS
  SELECT row_number() OVER (ORDER BY customer_ref) AS id, {tenant}::BIGINT AS tenant_id,
         customer_ref AS reference, coalesce(nullif(min(customer_kind), ''), 'b2b') AS kind
  FROM raw GROUP BY customer_ref;
CREATE TABLE invoices AS
  SELECT row_number() OVER () AS id, {tenant}::BIGINT AS tenant_id, c.id AS customer_id,
         r.invoice_number AS number, r.due_date::DATE AS due_on,
         round(coalesce(nullif(r.outstanding, ''), r.amount)::DECIMAL(18, 2) * 100)::BIGINT AS outstanding_minor
  FROM raw r JOIN customers c ON c.reference = r.customer_ref;
DROP TABLE raw;
CREATE TABLE dunning_cases (tenant_id BIGINT NOT NULL, customer_id BIGINT NOT NULL, episode BIGINT NOT NULL,
  anchor_on DATE, level BIGINT, level_on DATE, handed_off INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, customer_id));
CREATE SEQUENCE action_ids;
CREATE TABLE actions (id BIGINT PRIMARY KEY DEFAULT nextval('action_ids'), tenant_id BIGINT NOT NULL,
  customer_id BIGINT NOT NULL, episode BIGINT NOT NULL, step_key TEXT NOT NULL, channel TEXT NOT NULL,
  companion INTEGER NOT NULL, tone TEXT NOT NULL, template TEXT NOT NULL, invoice_ids TEXT NOT NULL,
  decided_on DATE NOT NULL, scheduled_at TEXT NOT NULL, status TEXT NOT NULL, explanation TEXT NOT NULL,
  status_note TEXT,
  UNIQUE (tenant_id, customer_id, episode, step_key, channel));
{}CHECKPOINT;
",
        steps_table(steps),
        csv = csv.display()
    )
}

async fn measure(
    store: &Store,
    tenant: &app::TenantRecord,
    label: &'static str,
    date: Date,
) -> anyhow::Result<Measured> {
    reset_peak_rss();
    let options = RunOptions {
        date: Some(date),
        dry_run: false,
        language: Language::English,
        detail: ReportDetail::CountsOnly,
    };
    let started = Instant::now();
    let report = run_day(store, tenant, Clock::System, options).await?;
    let elapsed = started.elapsed();
    Ok(Measured {
        label,
        date,
        report,
        elapsed,
        peak_rss_mib: peak_rss_mib(),
    })
}

fn print_reference(
    name: &str,
    days: &[(&str, Date)],
    results: &[Reference],
    measured: &[Measured],
) -> anyhow::Result<()> {
    say(format!("  {name}"))?;
    for ((label, date), result) in days.iter().zip(results) {
        let relance = measured
            .iter()
            .find(|run| run.label == *label)
            .expect("every reference day is measured");
        say(format!(
            "    {label:<24} {date}  {:>9.3} s  {:>8} actions   relance {:>8.3} s, {:>8} actions   reference / relance: {:.2}",
            result.elapsed.as_secs_f64(),
            result.actions,
            relance.elapsed.as_secs_f64(),
            relance.report.actions_decided(),
            result.elapsed.as_secs_f64() / relance.elapsed.as_secs_f64().max(1e-9)
        ))?;
    }
    Ok(())
}

/// One step of a scenario, one row per channel (the main one, then its companions).
struct StepRow {
    kind: &'static str,
    level: usize,
    key: String,
    offset_days: i32,
    channel: &'static str,
    companion: bool,
    tone: &'static str,
    template: String,
    approval: bool,
}

fn steps_rows() -> Vec<StepRow> {
    let mut rows = Vec::new();
    for (kind, scenario) in [
        ("b2b", Scenario::default_b2b()),
        ("b2c", Scenario::default_b2c()),
    ] {
        for (level, step) in scenario.steps().iter().enumerate() {
            let channels = std::iter::once((step.channel, false))
                .chain(step.also.iter().map(|channel| (*channel, true)));
            for (channel, companion) in channels {
                rows.push(StepRow {
                    kind,
                    level,
                    key: step.key.clone(),
                    offset_days: step.offset_days,
                    channel: channel.code(),
                    companion,
                    tone: step.tone.code(),
                    template: step.template.clone(),
                    approval: step.requires_approval,
                });
            }
        }
    }
    rows
}

fn steps_table(rows: &[StepRow]) -> String {
    let values: Vec<String> = rows
        .iter()
        .map(|row| {
            format!(
                "('{}', {}, '{}', {}, '{}', {}, '{}', '{}', {})",
                row.kind,
                row.level,
                row.key,
                row.offset_days,
                row.channel,
                i32::from(row.companion),
                row.tone,
                row.template,
                i32::from(row.approval)
            )
        })
        .collect();
    format!(
        "DROP TABLE IF EXISTS bench_steps;\n\
         CREATE TABLE bench_steps (kind TEXT NOT NULL, level INTEGER NOT NULL, step_key TEXT NOT NULL, \
         offset_days INTEGER NOT NULL, channel TEXT NOT NULL, companion INTEGER NOT NULL, tone TEXT NOT NULL, \
         template TEXT NOT NULL, approval INTEGER NOT NULL, PRIMARY KEY (kind, level, channel));\n\
         INSERT INTO bench_steps VALUES {};\n",
        values.join(",\n  ")
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Sqlite,
    Postgres,
}

/// The daily run as one SQL script, in one transaction: each customer with open invoices, the
/// days since the due date of its oldest one, its next step (the lowest level above the case's,
/// pre-due steps only before the due date), taken when its date has come and the minimum gap
/// since the last step has passed; one action per channel, then the case's new level. Prints the
/// number of actions decided.
fn dunning_script(dialect: Dialect, tenant: i64, today: Date, min_gap: i64) -> String {
    let (days, level_gap, ids) = match dialect {
        Dialect::Sqlite => (
            format!("CAST(julianday('{today}') - julianday(o.anchor) AS INTEGER)"),
            format!("CAST(julianday('{today}') - julianday(dc.level_on) AS INTEGER)"),
            "group_concat(i.id, ',')",
        ),
        Dialect::Postgres => (
            format!("(DATE '{today}' - o.anchor)"),
            format!("(DATE '{today}' - dc.level_on)"),
            "string_agg(i.id::text, ',')",
        ),
    };
    let date = match dialect {
        Dialect::Sqlite => format!("'{today}'"),
        Dialect::Postgres => format!("DATE '{today}'"),
    };
    format!(
        "BEGIN;
DROP TABLE IF EXISTS pick;
CREATE TEMP TABLE pick AS
WITH open_items AS (
  SELECT customer_id, min(due_on) AS anchor FROM invoices
  WHERE tenant_id = {tenant} AND outstanding_minor > 0 GROUP BY customer_id
), cases AS (
  SELECT o.customer_id, c.kind, o.anchor, {days} AS days,
         coalesce(dc.level, -1) AS level, coalesce(dc.episode, 1) AS episode,
         CASE WHEN dc.level_on IS NULL THEN 1000000 ELSE {level_gap} END AS since_last
  FROM open_items o
  JOIN customers c ON c.id = o.customer_id
  LEFT JOIN dunning_cases dc ON dc.tenant_id = {tenant} AND dc.customer_id = o.customer_id
), next_step AS (
  SELECT s.*, (SELECT min(b.level) FROM bench_steps b
               WHERE b.kind = s.kind AND b.companion = 0 AND b.level > s.level
                 AND (b.offset_days >= 0 OR s.days < 0)) AS next_level
  FROM cases s
)
SELECT n.customer_id, n.kind, n.anchor, n.episode, n.next_level, b.step_key, b.offset_days,
       b.tone, b.template, b.approval
FROM next_step n
JOIN bench_steps b ON b.kind = n.kind AND b.level = n.next_level AND b.companion = 0
WHERE n.days >= b.offset_days AND n.since_last >= {min_gap};
CREATE INDEX pick_customer ON pick (customer_id);
INSERT INTO actions (tenant_id, customer_id, episode, step_key, channel, companion, tone, template,
                     invoice_ids, decided_on, scheduled_at, status, explanation)
SELECT {tenant}, p.customer_id, p.episode, p.step_key, b.channel, b.companion, p.tone, p.template,
       l.ids, {date}, '{today}T09:00:00+01:00[Europe/Paris]',
       CASE WHEN p.approval = 1 THEN 'awaiting_approval' ELSE 'scheduled' END,
       'step ' || p.step_key || ' due (SQL reference)'
FROM pick p
JOIN bench_steps b ON b.kind = p.kind AND b.level = p.next_level
JOIN (SELECT i.customer_id, {ids} AS ids
      FROM invoices i JOIN pick q ON q.customer_id = i.customer_id
      WHERE i.tenant_id = {tenant} AND i.outstanding_minor > 0
        AND (i.due_on <= {date} OR q.offset_days < 0)
      GROUP BY i.customer_id) l ON l.customer_id = p.customer_id
WHERE true
ON CONFLICT (tenant_id, customer_id, episode, step_key, channel) DO NOTHING;
SELECT count(*) FROM pick p JOIN bench_steps b ON b.kind = p.kind AND b.level = p.next_level;
INSERT INTO dunning_cases (tenant_id, customer_id, episode, anchor_on, level, level_on, handed_off)
SELECT {tenant}, customer_id, episode, anchor, next_level, {date}, 0 FROM pick WHERE true
ON CONFLICT (tenant_id, customer_id) DO UPDATE SET level = excluded.level, level_on = excluded.level_on,
  anchor_on = excluded.anchor_on;
COMMIT;
"
    )
}

/// The PostgreSQL reference's data: the CSV loaded with `COPY`, then typed tables with the same
/// columns, keys and indexes the script uses in Relance's schema.
fn postgres_load(csv: &Path, tenant: i64, steps: &[StepRow]) -> String {
    format!(
        "DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE;
CREATE SCHEMA {PG_SCHEMA};
SET search_path TO {PG_SCHEMA};
CREATE TABLE raw (customer_ref TEXT, customer_name TEXT, invoice_number TEXT, issue_date TEXT, due_date TEXT,
  amount TEXT, outstanding TEXT, currency TEXT, email TEXT, phone TEXT, customer_kind TEXT, country TEXT,
  service_date TEXT);
\\copy raw FROM '{csv}' WITH (FORMAT csv, HEADER true)
CREATE TABLE customers AS
  SELECT row_number() OVER (ORDER BY customer_ref) AS id, {tenant}::bigint AS tenant_id,
         customer_ref AS reference, coalesce(nullif(min(customer_kind), ''), 'b2b') AS kind
  FROM raw GROUP BY customer_ref;
ALTER TABLE customers ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX customers_reference ON customers (tenant_id, reference);
CREATE TABLE invoices AS
  SELECT row_number() OVER () AS id, {tenant}::bigint AS tenant_id, c.id AS customer_id,
         r.invoice_number AS number, r.due_date::date AS due_on,
         round(coalesce(nullif(r.outstanding, ''), r.amount)::numeric * 100)::bigint AS outstanding_minor
  FROM raw r JOIN customers c ON c.reference = r.customer_ref;
ALTER TABLE invoices ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX invoices_number ON invoices (tenant_id, number);
CREATE INDEX invoices_by_customer ON invoices (tenant_id, customer_id, due_on);
CREATE INDEX open_invoices_by_due_date ON invoices (tenant_id, due_on, customer_id, outstanding_minor)
  WHERE outstanding_minor > 0;
CREATE INDEX open_invoices_by_customer ON invoices (tenant_id, customer_id, due_on, number, outstanding_minor)
  WHERE outstanding_minor > 0;
DROP TABLE raw;
CREATE TABLE dunning_cases (tenant_id BIGINT NOT NULL, customer_id BIGINT NOT NULL, episode BIGINT NOT NULL,
  anchor_on DATE, level BIGINT, level_on DATE, handed_off INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, customer_id));
CREATE TABLE actions (id BIGSERIAL PRIMARY KEY, tenant_id BIGINT NOT NULL, customer_id BIGINT NOT NULL,
  episode BIGINT NOT NULL, step_key TEXT NOT NULL, channel TEXT NOT NULL, companion INTEGER NOT NULL,
  tone TEXT NOT NULL, template TEXT NOT NULL, invoice_ids TEXT NOT NULL,
  decided_on DATE NOT NULL, scheduled_at TEXT NOT NULL, status TEXT NOT NULL, explanation TEXT NOT NULL,
  status_note TEXT,
  UNIQUE (tenant_id, customer_id, episode, step_key, channel));
CREATE INDEX actions_by_date ON actions (tenant_id, decided_on);
{}
VACUUM ANALYZE;
",
        steps_table(steps),
        csv = csv.display()
    )
}

/// Runs the script and reads the number of actions it printed.
fn reference_run(command: &mut Command, script: &str) -> anyhow::Result<Reference> {
    let (output, elapsed) = run_script(command, script)?;
    let actions = output
        .lines()
        .rev()
        .find_map(|line| line.trim().parse::<u64>().ok())
        .with_context(|| format!("no action count in the script's output: {output:?}"))?;
    Ok(Reference { elapsed, actions })
}
