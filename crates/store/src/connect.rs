//! Opening the database with durable settings, and proving they hold.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Executor};

use crate::kept::Kept;
use crate::migrate::{migrate_postgres, migrate_sqlite};
use crate::{Store, StoreError};

/// The settings one SQLite connection reports about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteSettings {
    pub journal_mode: String,
    /// 2 = FULL, 3 = EXTRA.
    pub synchronous: i64,
    pub foreign_keys: bool,
    pub busy_timeout_ms: i64,
}

/// The audit log's file beside the database's: `relance.db` keeps it in `relance.audit.db`.
pub(crate) fn audit_file_of(database: &Path) -> std::path::PathBuf {
    database.with_extension("audit.db")
}

const AUDIT_FILE_SCHEMA: &str = include_str!("../migrations/sqlite/audit_file.sql");

/// Connections in the SQLite pool. SQLite has one writer at a time; a few readers suffice.
const SQLITE_POOL_SIZE: u32 = 4;

impl Store {
    /// Opens (creating if needed) the SQLite database at `path`, in WAL mode with
    /// `synchronous=FULL` and foreign keys on every pooled connection, and migrates it.
    pub async fn open_sqlite(path: &Path) -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Imports write hundreds of megabytes in one transaction; a larger page cache keeps
            // the B-tree pages of the indexes being filled in memory.
            .pragma("cache_size", "-65536")
            // Index builds (a large first import rebuilds three) may sort on both cores.
            .pragma("threads", "2");
        let audit_file = audit_file_of(path).to_string_lossy().into_owned();
        let pool = SqlitePoolOptions::new()
            .max_connections(SQLITE_POOL_SIZE)
            .after_connect(move |connection, _| {
                let audit_file = audit_file.clone();
                Box::pin(async move {
                    sqlx::query("ATTACH DATABASE ?1 AS audit")
                        .bind(audit_file)
                        .execute(&mut *connection)
                        .await?;
                    // The same durability as the main file's.
                    connection
                        .execute(
                            "PRAGMA audit.journal_mode = WAL; PRAGMA audit.synchronous = FULL;",
                        )
                        .await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        pool.execute(AUDIT_FILE_SCHEMA).await?;
        migrate_sqlite(&pool).await?;
        let kept = Kept::new(path.to_owned(), audit_file_of(path));
        Ok(Store::Sqlite(pool, kept))
    }

    /// Connects to PostgreSQL at `url` and migrates. With `schema`, every connection works in
    /// that schema (created if missing): tests use it to get a private database cheaply.
    pub async fn open_postgres(url: &str, schema: Option<&str>) -> Result<Store, StoreError> {
        let mut options = PgConnectOptions::from_str(url)?;
        if let Some(schema) = schema {
            let mut connection = sqlx::PgConnection::connect_with(&options).await?;
            let create = format!(
                "CREATE SCHEMA IF NOT EXISTS \"{}\"",
                schema.replace('"', "")
            );
            connection.execute(sqlx::AssertSqlSafe(create)).await?;
            connection.close().await?;
            options = options.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        migrate_postgres(&pool).await?;
        Ok(Store::Postgres(pool))
    }

    /// Reads the durability settings of every connection the SQLite pool can hand out, holding
    /// them all at once so that each one is a different connection.
    pub async fn sqlite_connection_settings(&self) -> Result<Vec<SqliteSettings>, StoreError> {
        let Store::Sqlite(pool, _) = self else {
            return Ok(Vec::new());
        };
        let mut connections = Vec::new();
        for _ in 0..SQLITE_POOL_SIZE {
            connections.push(pool.acquire().await?);
        }
        let mut settings = Vec::new();
        for connection in &mut connections {
            let journal_mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(&mut **connection)
                .await?;
            let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(&mut **connection)
                .await?;
            let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
                .fetch_one(&mut **connection)
                .await?;
            let busy_timeout_ms: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
                .fetch_one(&mut **connection)
                .await?;
            settings.push(SqliteSettings {
                journal_mode,
                synchronous,
                foreign_keys: foreign_keys == 1,
                busy_timeout_ms,
            });
        }
        Ok(settings)
    }

    /// Warnings about settings that weaken durability, to show at start: PostgreSQL running with
    /// `fsync` or `synchronous_commit` off can lose acknowledged payments on a crash.
    pub async fn durability_warnings(&self) -> Result<Vec<String>, StoreError> {
        let mut warnings = Vec::new();
        match self {
            Store::Sqlite(pool, _) => {
                for settings in self.sqlite_connection_settings().await? {
                    if settings.journal_mode != "wal" || settings.synchronous < 2 {
                        warnings.push(format!("SQLite connection is not durable: {settings:?}"));
                    }
                }
                let mut connection = pool.acquire().await?;
                let journal_mode: String = sqlx::query_scalar("PRAGMA audit.journal_mode")
                    .fetch_one(&mut *connection)
                    .await?;
                let synchronous: i64 = sqlx::query_scalar("PRAGMA audit.synchronous")
                    .fetch_one(&mut *connection)
                    .await?;
                if journal_mode != "wal" || synchronous < 2 {
                    warnings.push(format!(
                        "the audit log's SQLite file is not durable: journal_mode {journal_mode}, synchronous {synchronous}"
                    ));
                }
            }
            Store::Postgres(pool) => {
                for setting in ["fsync", "synchronous_commit"] {
                    let value: String =
                        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SHOW {setting}")))
                            .fetch_one(pool)
                            .await?;
                    if value == "off" {
                        warnings.push(format!(
                            "PostgreSQL runs with {setting}=off: a crash can lose committed work"
                        ));
                    }
                }
            }
        }
        Ok(warnings)
    }
}
