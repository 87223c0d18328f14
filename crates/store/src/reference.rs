//! Yardsticks for the benchmarks, measured on the store's own SQLite file with bare `rusqlite`:
//! what SQLite itself does when nothing else (HTTP, JSON, authentication, the audit log) is in
//! the way. A benchmark reports Relance's figures as a share of these, taken in the same run on
//! the same file, so that a slower machine or a busier day does not read as a regression.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, params};

use crate::StoreError;
use crate::sqlite_direct::store_error;

/// How many operations ran, for how long, and each one's latency.
#[derive(Debug, Clone, Default)]
pub struct RateSample {
    pub operations: u64,
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
}

impl RateSample {
    pub fn per_second(&self) -> f64 {
        self.operations as f64 / self.elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
    }

    /// The latency below which `percent` of the operations finished.
    pub fn percentile(&self, percent: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        let Some(last) = sorted.len().checked_sub(1) else {
            return Duration::ZERO;
        };
        // Nearest rank, rounded up: the p99 of 100 samples is the 99th.
        let rank = ((percent / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.saturating_sub(1).min(last)]
    }
}

fn open_read_only(path: &Path) -> Result<Connection, StoreError> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(store_error)?;
    connection
        .busy_timeout(Duration::from_secs(10))
        .map_err(store_error)?;
    Ok(connection)
}

/// Up to `count` references of the creditor's customers, in an order that looks random but is
/// the same at every run (a multiplicative hash of the row id).
pub fn sample_customer_references(
    path: &Path,
    tenant: i64,
    count: usize,
) -> Result<Vec<String>, StoreError> {
    let connection = open_read_only(path)?;
    let mut statement = connection
        .prepare(
            "SELECT reference FROM customers WHERE tenant_id = ?1 \
             ORDER BY (id * 2654435761) % 4294967296 LIMIT ?2",
        )
        .map_err(store_error)?;
    let limit = i64::try_from(count).unwrap_or(i64::MAX);
    statement
        .query_map(params![tenant, limit], |row| row.get(0))
        .map_err(store_error)?
        .collect::<Result<Vec<String>, _>>()
        .map_err(store_error)
}

/// The three reads behind a customer's file (the customer, its open invoices, its last twenty
/// actions) as bare prepared statements, every column copied out as the API would, for the
/// customers of `references` in turn, on `threads` threads at once for `duration`.
pub fn customer_file_reads(
    path: &Path,
    tenant: i64,
    references: &[String],
    threads: usize,
    duration: Duration,
) -> Result<RateSample, StoreError> {
    if references.is_empty() {
        return Ok(RateSample::default());
    }
    let started = Instant::now();
    let samples = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|thread| {
                scope.spawn(move || {
                    let connection = open_read_only(path)?;
                    read_files(&connection, tenant, references, thread, duration)
                        .map_err(store_error)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|_| Err(crate::sqlite_direct::crashed()))
            })
            .collect::<Result<Vec<_>, StoreError>>()
    })?;
    let mut total = RateSample {
        elapsed: started.elapsed(),
        ..RateSample::default()
    };
    for sample in samples {
        total.operations += sample.operations;
        total.latencies.extend(sample.latencies);
    }
    Ok(total)
}

type CustomerColumns = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
);
type InvoiceColumns = (String, String, String, Option<String>, String, i64, i64);
type ActionColumns = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

fn read_files(
    connection: &Connection,
    tenant: i64,
    references: &[String],
    thread: usize,
    duration: Duration,
) -> rusqlite::Result<RateSample> {
    let mut customer = connection.prepare(
        "SELECT id, reference, legal_name, kind, email, phone, language FROM customers \
         WHERE tenant_id = ?1 AND reference = ?2",
    )?;
    let mut invoices = connection.prepare(
        "SELECT number, issued_on, due_on, service_on, currency, amount_minor, outstanding_minor \
         FROM invoices WHERE tenant_id = ?1 AND customer_id = ?2 AND outstanding_minor > 0 \
         ORDER BY due_on, number",
    )?;
    let mut actions = connection.prepare(
        "SELECT id, step_key, channel, tone, status, decided_on, scheduled_at, invoice_numbers, \
         explanation, reasons FROM actions_listed WHERE tenant_id = ?1 AND customer_id = ?2 \
         ORDER BY id DESC LIMIT 20",
    )?;
    let mut sample = RateSample::default();
    // Each thread starts at its own place in the list, so that they do not read in step.
    let mut next = thread * references.len() / 2 % references.len();
    let started = Instant::now();
    while started.elapsed() < duration {
        let at = Instant::now();
        let reference = &references[next];
        next = (next + 1) % references.len();
        let found: Option<CustomerColumns> = customer
            .query_map(params![tenant, reference], |row| {
                CustomerColumns::try_from(row)
            })?
            .next()
            .transpose()?;
        if let Some(found) = found {
            let open = invoices
                .query_map(params![tenant, found.0], |row| {
                    InvoiceColumns::try_from(row)
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let recent = actions
                .query_map(params![tenant, found.0], |row| ActionColumns::try_from(row))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            std::hint::black_box((found, open, recent));
        }
        sample.latencies.push(at.elapsed());
        sample.operations += 1;
    }
    sample.elapsed = started.elapsed();
    Ok(sample)
}

/// Single-row inserts, each its own durable transaction (WAL, `synchronous=FULL`, the store's
/// settings), into a scratch file, for `duration`: the most interactive writes a second the
/// disk allows.
pub fn durable_commits(scratch: &Path, duration: Duration) -> Result<RateSample, StoreError> {
    let run = || -> rusqlite::Result<RateSample> {
        let connection = Connection::open(scratch)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.execute_batch(
            "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, text TEXT NOT NULL)",
        )?;
        let mut insert = connection.prepare("INSERT INTO notes (at, text) VALUES (?1, ?2)")?;
        let mut sample = RateSample::default();
        let started = Instant::now();
        while started.elapsed() < duration {
            let at = Instant::now();
            // Outside an explicit transaction each statement commits on its own.
            insert.execute(params![
                i64::try_from(sample.operations).unwrap_or(i64::MAX),
                "promised for next Friday"
            ])?;
            sample.latencies.push(at.elapsed());
            sample.operations += 1;
        }
        sample.elapsed = started.elapsed();
        Ok(sample)
    };
    run().map_err(store_error)
}
