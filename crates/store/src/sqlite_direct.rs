//! Direct `rusqlite` connections to the store's SQLite file, for the bulk paths.
//!
//! Through sqlx every statement and every bound value crosses to sqlx's worker thread: for the
//! bulk paths (an import of ten million rows, a daily run over a million cases) that crossing
//! cost more than SQLite's own work. Those paths open a connection of their own to the same file
//! (the same `libsqlite3-sys` build as sqlx's), with the pool's durability settings, and run on a
//! blocking thread.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use sqlx::SqlitePool;

use crate::StoreError;

/// The file behind a pool.
pub(crate) fn path_of(pool: &SqlitePool) -> PathBuf {
    pool.connect_options().get_filename().to_owned()
}

/// Whether the connection checks foreign keys row by row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ForeignKeys {
    PerRow,
    /// The caller checks them itself, once (see `sqlite_import`).
    Deferred,
}

/// How long a statement waits for another connection's lock, as the pool's connections do.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection with the pool's durability (WAL, `synchronous=FULL`, busy timeout).
pub(crate) fn open(path: &Path, foreign_keys: ForeignKeys) -> rusqlite::Result<Connection> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    // The same durability as every pooled connection (see `connect`).
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(
        None,
        "foreign_keys",
        if foreign_keys == ForeignKeys::PerRow {
            "ON"
        } else {
            "OFF"
        },
    )?;
    // The pool's page cache for writing; index builds may sort on both cores.
    connection.pragma_update(None, "cache_size", -65_536)?;
    connection.pragma_update(None, "threads", 2)?;
    Ok(connection)
}

/// After a bulk transaction has committed: empties the write-ahead log's file.
///
/// The commit's automatic checkpoint has already copied the log into the database, but SQLite
/// keeps the file at its largest size until the next writer restarts it, and a process that
/// ends without closing every connection leaves it behind. After a first import of ten million
/// invoices that was a 1.8 GB file; the next process to open the database then rebuilt its
/// index of the log and read pages from the log instead of the database until a checkpoint
/// (a full aging report took 24 s instead of 15 s). A reader still on an older snapshot would
/// make the checkpoint wait: the wait is bounded, and if it runs out the file simply stays
/// until a later checkpoint; nothing committed depends on it.
pub(crate) fn empty_wal(connection: &Connection) {
    // Failures are left unreported on purpose (see above).
    let _ = connection.busy_timeout(Duration::from_millis(500));
    let _ = connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    let _ = connection.busy_timeout(BUSY_TIMEOUT);
}

/// Runs `work` with a fresh connection on a blocking thread.
pub(crate) async fn with_connection<T, F>(
    pool: &SqlitePool,
    foreign_keys: ForeignKeys,
    work: F,
) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
{
    let path = path_of(pool);
    tokio::task::spawn_blocking(move || {
        let mut connection = open(&path, foreign_keys).map_err(store_error)?;
        work(&mut connection)
    })
    .await
    .map_err(|_| crashed())?
}

pub(crate) fn crashed() -> StoreError {
    StoreError::Database(sqlx::Error::WorkerCrashed)
}

/// SQLite's errors in the store's terms: a refused constraint is named as such.
pub(crate) fn store_error(error: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(failure, message) = &error
        && failure.code == rusqlite::ErrorCode::ConstraintViolation
    {
        let message = message.clone().unwrap_or_else(|| error.to_string());
        return match failure.extended_code {
            rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                StoreError::AlreadyExists { what: message }
            }
            _ => StoreError::RuleViolated { message },
        };
    }
    StoreError::Database(sqlx::Error::Io(std::io::Error::other(error)))
}

/// `EXPLAIN QUERY PLAN` of `sql` (in PostgreSQL's dialect) on a freshly migrated SQLite
/// database, one line per step.
#[cfg(test)]
pub(crate) async fn sqlite_plan(sql: &str) -> String {
    static PLANS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let plan = PLANS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let directory =
        std::env::temp_dir().join(format!("relance-plan-{}-{plan}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("a temporary directory");
    let store = crate::Store::open_sqlite(&directory.join("plan.db"))
        .await
        .expect("a fresh database");
    let crate::Store::Sqlite(pool, _) = &store else {
        unreachable!("opened as SQLite")
    };
    let explain = format!("EXPLAIN QUERY PLAN {}", crate::dunning::sqlite_dialect(sql));
    let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(explain))
        .fetch_all(pool)
        .await
        .expect("a plan");
    store.close().await;
    let _ = std::fs::remove_dir_all(&directory);
    rows.into_iter()
        .map(|(.., detail)| detail)
        .collect::<Vec<_>>()
        .join("\n")
}
