//! Kept direct connections for the hot paths: reads (an API caller, a customer's file), the
//! audit log's appends, and the daily run's batches.
//!
//! Through sqlx each statement crosses to the connection's worker thread and back; a customer's
//! file is about ten statements, and at thousands of requests a second those crossings, not
//! SQLite, were the cost. Here a request's reads run together on one blocking thread, on a
//! kept connection whose statements stay prepared (`prepare_cached`), inside one read
//! transaction so that they all see the same snapshot. At most `READERS` run at once; that many
//! connections stay open between requests. The audit log's groups of entries are appended the
//! same way, one blocking call per group, on a connection of its own to the log's file.
//!
//! The daily run reads its next batch of cases while it writes the previous one's decisions:
//! each side has a connection of its own, kept from one batch to the next. A connection opened
//! per batch started with an empty page cache every time and read the same pages of the
//! customers, cases and indexes from the file again.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Params};
use tokio::sync::Semaphore;

use crate::StoreError;
use crate::dunning::Readable;
use crate::sqlite_direct::{self, ForeignKeys, crashed, store_error};

/// Reads at once: the machine's cores are what bounds them, and a few more hide the waits.
const READERS: usize = 4;

/// The kept connections of one SQLite store.
#[derive(Debug)]
pub struct Kept {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
    audit_file: PathBuf,
    /// One writer at a time (`AuditWriter` is one task anyway).
    audit: Slot,
    batch_reader: Slot,
    batch_writer: Slot,
}

/// A connection opened at its first use and kept; one user at a time.
#[derive(Debug, Default)]
struct Slot(Mutex<Option<Connection>>);

impl Slot {
    /// Runs `work` on the kept connection, opening it with `open` when there is none.
    fn run<T>(
        &self,
        open: impl FnOnce() -> rusqlite::Result<Connection>,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut kept = self.0.lock().map_err(|_| crashed())?;
        if kept.is_none() {
            *kept = Some(open().map_err(store_error)?);
        }
        let connection = kept.as_mut().ok_or_else(crashed)?;
        let result = work(connection);
        // A connection left inside a transaction by a failure is opened afresh next time.
        if !connection.is_autocommit() {
            *kept = None;
        }
        result
    }
}

impl Kept {
    pub(crate) fn new(path: PathBuf, audit_file: PathBuf) -> Arc<Kept> {
        Arc::new(Kept {
            path,
            idle: Mutex::new(Vec::with_capacity(READERS)),
            permits: Semaphore::new(READERS),
            audit_file,
            audit: Slot::default(),
            batch_reader: Slot::default(),
            batch_writer: Slot::default(),
        })
    }

    /// Runs `work` on the audit log's file (as the connection's main database), on a blocking
    /// thread.
    pub(crate) async fn on_audit_file<T, F>(self: &Arc<Self>, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let kept = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            kept.audit.run(|| open_audit_file(&kept.audit_file), work)
        })
        .await
        .map_err(|_| crashed())?
    }

    /// Runs `work` on the connection that reads the daily run's batches, on a blocking thread.
    pub(crate) async fn on_batch_reader<T, F>(self: &Arc<Self>, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.on_store_slot(|kept| &kept.batch_reader, false, work)
            .await
    }

    /// Runs `work` on the connection that writes the daily run's decisions, on a blocking
    /// thread.
    ///
    /// This connection never checkpoints the WAL (the reader does it, see `load_cases`): the
    /// writing is the run's longest stage, and the checkpoints after its commits took a fifth
    /// of it.
    pub(crate) async fn on_batch_writer<T, F>(self: &Arc<Self>, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.on_store_slot(|kept| &kept.batch_writer, true, work)
            .await
    }

    /// Runs `work` on `slot`'s connection to the store's file (see `sqlite_direct::open`).
    async fn on_store_slot<T, F>(
        self: &Arc<Self>,
        slot: fn(&Kept) -> &Slot,
        checkpoints_elsewhere: bool,
        work: F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let kept = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let open = || {
                let connection = sqlite_direct::open(&kept.path, ForeignKeys::PerRow)?;
                if checkpoints_elsewhere {
                    connection.pragma_update(None, "wal_autocheckpoint", 0)?;
                }
                Ok(connection)
            };
            slot(&kept).run(open, work)
        })
        .await
        .map_err(|_| crashed())?
    }

    /// Runs `work` on a kept connection, on a blocking thread, in one read transaction.
    pub(crate) async fn read<T, F>(self: &Arc<Self>, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let _permit = self.permits.acquire().await.map_err(|_| crashed())?;
        let kept = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let idle = kept.idle.lock().map_err(|_| crashed())?.pop();
            let connection = match idle {
                Some(connection) => connection,
                None => open(&kept.path).map_err(store_error)?,
            };
            let result = in_snapshot(&connection, work);
            // A connection left inside a transaction by a failure is not put back.
            if connection.is_autocommit() {
                kept.idle.lock().map_err(|_| crashed())?.push(connection);
            }
            result
        })
        .await
        .map_err(|_| crashed())?
    }
}

fn in_snapshot<T>(
    connection: &Connection,
    work: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    connection.execute_batch("BEGIN").map_err(store_error)?;
    let result = work(connection);
    connection.execute_batch("COMMIT").map_err(store_error)?;
    result
}

fn open(path: &std::path::Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(Duration::from_secs(10))?;
    // Reads only: a bug that tried to write here would fail rather than bypass the pool's
    // transactions.
    connection.pragma_update(None, "query_only", "ON")?;
    // Pages read through a memory map rather than a `read` call each: at thousands of files a
    // second the copies into each connection's own cache showed in profiles. Address space,
    // not memory: only the pages touched are resident, and they are the OS's page cache.
    connection.pragma_update(None, "mmap_size", 1_i64 << 30)?;
    connection.set_prepared_statement_cache_capacity(64);
    Ok(connection)
}

/// The audit log's file with the store's durability (see `connect`).
fn open_audit_file(path: &std::path::Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(Duration::from_secs(10))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    Ok(connection)
}

/// The records of type `T` that `sql` (SQLite's dialect) reads, with `params` bound from `?1`
/// on, through a statement kept prepared.
pub(crate) fn read<T: Readable>(
    connection: &Connection,
    sql: &str,
    params: impl Params,
) -> Result<Vec<T>, StoreError> {
    let mut statement = connection.prepare_cached(sql).map_err(store_error)?;
    let rows = statement
        .query_map(params, |row| T::Row::try_from(row))
        .map_err(store_error)?;
    rows.map(|row| T::from_row(row.map_err(store_error)?))
        .collect()
}
