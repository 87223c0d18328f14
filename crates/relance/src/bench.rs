//! `relance bench import`: the invoice import measured against reference tools on the same file,
//! in the same run (benchmark I1).
//!
//! Steps: generate the CSV with the project's seeded generator; import it into a fresh SQLite
//! database with Relance (every field validated, indexes maintained); import the same file again
//! (must write nothing); import a copy with one bad line near its end (must be rejected, database
//! unchanged); then the references on the same file: the `csv` crate reading every record on one
//! core (the parse floor the bad file's rejection is judged against), `sqlite3`'s `.import` into
//! a table with the same indexes, and PostgreSQL's `COPY` followed by the same index builds.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use app::Store;
use app::clock::Clock;
use app::import::{
    ImportError, ImportInput, ImportOptions, InvoiceFileFormat, NoProgress, import_invoices,
};
use app::setup::{initialise, select_tenant};
use synthetic::{CsvColumns, PortfolioSpec};

use crate::bench_tools::{
    WorkDir, load_average, noisy_note, peak_rss_mib, remove_database, run_script, say,
};
use crate::cli::BenchImportArgs;

pub(crate) async fn import(args: &BenchImportArgs) -> anyhow::Result<()> {
    let work_dir = WorkDir::new(args.work_dir.as_ref())?;
    let work_dir = work_dir.path();
    let load_1m = load_average();
    let columns = if args.ledger_columns {
        CsvColumns::Ledger
    } else {
        CsvColumns::Every
    };
    say(format!(
        "bench import: {} rows ({} columns), seed {}, work dir {}\nload average at start: {load_1m:.2}{}",
        args.rows,
        columns.header().len(),
        args.seed,
        work_dir.display(),
        noisy_note(load_1m)
    ))?;

    let csv_path = work_dir.join("invoices.csv");
    let as_of = jiff::civil::date(2026, 11, 20);
    let spec = PortfolioSpec::benchmark(args.seed, args.rows, as_of);
    let started = Instant::now();
    let file = std::fs::File::create(&csv_path)
        .with_context(|| format!("cannot create {}", csv_path.display()))?;
    let rows = synthetic::write_invoice_csv_columns(
        &spec,
        columns,
        BufWriter::with_capacity(1 << 20, file),
    )?;
    let size = std::fs::metadata(&csv_path)?.len();
    say(format!(
        "generated {rows} rows, {:.1} MB, in {:.2} s",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    ))?;

    // Relance, first import.
    let database = work_dir.join("relance.db");
    remove_database(&database);
    let store = Store::open_sqlite(&database).await?;
    let profile = synthetic::demo_creditor();
    initialise(&store, &profile, Clock::System).await?;
    let tenant = select_tenant(&store, None).await?;
    let timed_import = async |path: &Path| {
        let options = ImportOptions {
            format: InvoiceFileFormat::Csv,
            payment_term_days: None,
        };
        let started = Instant::now();
        let result = import_invoices(
            &store,
            &tenant,
            ImportInput::Path(path),
            options,
            &NoProgress,
            Clock::System,
        )
        .await;
        (result, started.elapsed())
    };
    let (report, first) = timed_import(&csv_path).await;
    let report = report?;
    if report.invoices.created != rows {
        bail!(
            "the first import created {} invoices, expected {rows}",
            report.invoices.created
        );
    }
    let relance_rate = rows as f64 / first.as_secs_f64();
    say(format!(
        "relance first import:    {:>8.2} s  {:>10.0} rows/s  ({} customers)",
        first.as_secs_f64(),
        relance_rate,
        report.customers.created
    ))?;

    // Relance, the same file again.
    let (again, second) = timed_import(&csv_path).await;
    let again = again?;
    let written = again.invoices.created
        + again.invoices.updated
        + again.customers.created
        + again.customers.updated;
    say(format!(
        "relance re-import:       {:>8.2} s  rows written: {written}  (already imported: {})",
        second.as_secs_f64(),
        again.already_imported
    ))?;

    // Relance, a file with one bad line near its end.
    let bad_path = work_dir.join("invoices-bad.csv");
    let bad_line = write_with_bad_line(&csv_path, &bad_path, rows)?;
    let before = app::queries::ledger_checksum(&store, &tenant).await?;
    let (rejected, rejection) = timed_import(&bad_path).await;
    let after = app::queries::ledger_checksum(&store, &tenant).await?;
    match rejected {
        Err(ImportError::Rejected { problems, .. }) => say(format!(
            "relance bad file:        {:>8.2} s  rejected at line {} (bad line {bad_line}); database unchanged: {}",
            rejection.as_secs_f64(),
            problems.first().map_or(0, |problem| problem.line),
            before == after
        ))?,
        other => bail!("the bad file was not rejected: {other:?}"),
    }
    store.close().await;
    let peak_rss = peak_rss_mib();

    // References on the same file.
    let parse_floor = csv_parse_floor(&csv_path)?;
    let sqlite_reference = if args.no_references {
        None
    } else {
        sqlite3_import(work_dir, &csv_path, columns)?
    };
    let postgres_reference = match &args.postgres_url {
        Some(url) if !args.no_references => Some(postgres_copy(url, &csv_path, columns)?),
        _ => None,
    };

    say("\nresults")?;
    say(format!(
        "  relance (validate + upsert + indexes): {:>8.2} s  {:>10.0} rows/s",
        first.as_secs_f64(),
        relance_rate
    ))?;
    if let Some(reference) = sqlite_reference {
        say(format!(
            "  sqlite3 .import (indexed table):       {:>8.2} s  {:>10.0} rows/s  relance is {:.2}x",
            reference.as_secs_f64(),
            rows as f64 / reference.as_secs_f64(),
            reference.as_secs_f64() / first.as_secs_f64()
        ))?;
    } else {
        say(
            "  sqlite3 .import: not measured (--no-references, or the sqlite3 command is not installed)",
        )?;
    }
    match postgres_reference {
        Some(reference) => say(format!(
            "  PostgreSQL COPY + indexes:             {:>8.2} s  {:>10.0} rows/s  relance is {:.2}x",
            reference.as_secs_f64(),
            rows as f64 / reference.as_secs_f64(),
            reference.as_secs_f64() / first.as_secs_f64()
        ))?,
        None => say(
            "  PostgreSQL COPY: not measured (give --postgres-url or RELANCE_BENCH_POSTGRES_URL)",
        )?,
    }
    say(format!(
        "  re-import: {:.2} s, {written} rows written; bad file rejected in {:.2} s",
        second.as_secs_f64(),
        rejection.as_secs_f64()
    ))?;
    say(format!(
        "  csv parse floor (one core, no validation): {:.2} s; the bad file took {:.2}x that",
        parse_floor.as_secs_f64(),
        rejection.as_secs_f64() / parse_floor.as_secs_f64()
    ))?;
    say(format!("  peak RSS: {peak_rss} MiB"))?;
    Ok(())
}

/// Copies the file, replacing the amount of the second-to-last row with garbage.
fn write_with_bad_line(source: &Path, target: &Path, rows: u64) -> anyhow::Result<u64> {
    let reader = BufReader::with_capacity(1 << 20, std::fs::File::open(source)?);
    let mut writer = BufWriter::with_capacity(1 << 20, std::fs::File::create(target)?);
    let bad_line = rows.max(2);
    for (index, line) in reader.lines().enumerate() {
        let line = line?;
        let number = index as u64 + 1;
        if number == bad_line {
            let mut fields: Vec<&str> = line.split(',').collect();
            if fields.len() > 5 {
                fields[5] = "12x34";
            }
            writeln!(writer, "{}", fields.join(","))?;
        } else {
            writeln!(writer, "{line}")?;
        }
    }
    writer.flush()?;
    Ok(bad_line)
}

/// The `csv` crate reading every record of the file into one reused `ByteRecord` on one core,
/// touching each field: what parsing alone costs, without decoding or validating anything.
fn csv_parse_floor(csv: &Path) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let file = std::fs::File::open(csv)?;
    let mut reader = csv::ReaderBuilder::new()
        .buffer_capacity(1 << 16)
        .from_reader(file);
    let mut record = csv::ByteRecord::new();
    let mut bytes = 0_usize;
    while reader.read_byte_record(&mut record)? {
        bytes += record.iter().map(<[u8]>::len).sum::<usize>();
    }
    std::hint::black_box(bytes);
    Ok(started.elapsed())
}

/// A table of text columns named as the file's.
fn reference_table(name: &str, columns: CsvColumns) -> String {
    let columns: Vec<String> = columns
        .header()
        .iter()
        .map(|column| format!("{column} TEXT"))
        .collect();
    format!("CREATE TABLE {name} ({})", columns.join(", "))
}
const REFERENCE_INDEXES: &str = "CREATE UNIQUE INDEX invoices_number ON invoices (invoice_number); CREATE INDEX invoices_customer ON invoices (customer_ref, due_date);";

/// sqlite3's `.import` into a WAL database with `synchronous=FULL` and the same indexes.
fn sqlite3_import(
    work_dir: &Path,
    csv: &Path,
    columns: CsvColumns,
) -> anyhow::Result<Option<Duration>> {
    if Command::new("sqlite3").arg("-version").output().is_err() {
        return Ok(None);
    }
    let database = work_dir.join("reference.db");
    remove_database(&database);
    let script = format!(
        "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\n{};\n{REFERENCE_INDEXES}\n.mode csv\n.import --skip 1 {} invoices\n",
        reference_table("invoices", columns),
        csv.display()
    );
    let (_, elapsed) =
        run_script(Command::new("sqlite3").arg(&database), &script).context("sqlite3 .import")?;
    Ok(Some(elapsed))
}

/// PostgreSQL's `COPY` into a fresh table, then the same index builds.
fn postgres_copy(url: &str, csv: &Path, columns: CsvColumns) -> anyhow::Result<Duration> {
    let script = format!(
        "DROP TABLE IF EXISTS relance_bench_reference;\n{};\n\\copy relance_bench_reference FROM '{}' WITH (FORMAT csv, HEADER true)\n{}\nDROP TABLE relance_bench_reference;\n",
        reference_table("relance_bench_reference", columns),
        csv.display(),
        REFERENCE_INDEXES
            .replace("ON invoices", "ON relance_bench_reference")
            .replace("invoices_number", "relance_bench_number")
            .replace("invoices_customer", "relance_bench_customer")
    );
    let (_, elapsed) = run_script(
        Command::new("psql").args([url, "-v", "ON_ERROR_STOP=1", "-q"]),
        &script,
    )
    .context("PostgreSQL COPY")?;
    Ok(elapsed)
}
