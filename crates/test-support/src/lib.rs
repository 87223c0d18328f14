//! Test fixtures shared by the crates' test suites (a dev-dependency only).
//!
//! - `TestDatabase`: a fresh store on SQLite (a temporary file) or PostgreSQL (a private schema
//!   in the database named by `RELANCE_TEST_POSTGRES_URL`).
//! - `backends()`: the backends a contract test must run on. PostgreSQL is included whenever
//!   `RELANCE_TEST_POSTGRES_URL` is set; if it is set and the server cannot be reached, the test
//!   fails: it never skips silently.
//! - `fixed_now()`: the instant tests use instead of a clock.
//! - `sinks`: real servers on loopback that delivery tests send to (SMTP through Python's
//!   aiosmtpd, HTTP for the SMS gateway).

pub mod sinks;

use std::sync::atomic::{AtomicU32, Ordering};

use store::Store;

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_URL_VARIABLE: &str = "RELANCE_TEST_POSTGRES_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

/// The backends to test on: SQLite always, PostgreSQL when configured.
pub fn backends() -> Vec<TestBackend> {
    let mut backends = vec![TestBackend::Sqlite];
    if std::env::var_os(POSTGRES_URL_VARIABLE).is_some() {
        backends.push(TestBackend::Postgres);
    }
    backends
}

/// A store on a fresh, empty database, removed when dropped (SQLite) or by `cleanup`
/// (PostgreSQL's schema).
pub struct TestDatabase {
    pub store: Store,
    pub backend: TestBackend,
    schema: Option<(String, String)>,
    _directory: Option<tempfile::TempDir>,
}

static SCHEMA_COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDatabase {
    pub async fn new(backend: TestBackend) -> TestDatabase {
        match backend {
            TestBackend::Sqlite => {
                let directory = tempfile::tempdir().expect("a temporary directory");
                let store = Store::open_sqlite(&directory.path().join("relance.db"))
                    .await
                    .expect("the SQLite test database opens");
                TestDatabase {
                    store,
                    backend,
                    schema: None,
                    _directory: Some(directory),
                }
            }
            TestBackend::Postgres => {
                let url = std::env::var(POSTGRES_URL_VARIABLE).unwrap_or_else(|_| {
                    panic!("{POSTGRES_URL_VARIABLE} must be set to test on PostgreSQL")
                });
                let schema = format!(
                    "relance_test_{}_{}",
                    std::process::id(),
                    SCHEMA_COUNTER.fetch_add(1, Ordering::Relaxed)
                );
                let store = Store::open_postgres(&url, Some(&schema)).await.unwrap_or_else(|error| {
                    panic!("{POSTGRES_URL_VARIABLE} is set to {url} but PostgreSQL cannot be used: {error}")
                });
                TestDatabase {
                    store,
                    backend,
                    schema: Some((url, schema)),
                    _directory: None,
                }
            }
        }
    }

    /// Drops the PostgreSQL schema (SQLite's file goes with the temporary directory).
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some((url, schema)) = self.schema {
            use sqlx::{Connection, Executor};
            let mut connection = sqlx::PgConnection::connect(&url)
                .await
                .expect("PostgreSQL reachable for cleanup");
            connection
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
                )))
                .await
                .expect("the test schema drops");
        }
    }
}

/// The instant tests run at: 2026-11-20 10:00 in Paris.
pub fn fixed_now() -> jiff::Timestamp {
    "2026-11-20T09:00:00Z".parse().expect("a valid timestamp")
}

/// Runs `$body` once on every configured backend, with `$database` bound to a fresh
/// `TestDatabase`. Use inside an async test.
#[macro_export]
macro_rules! on_every_backend {
    (|$database:ident| $body:block) => {
        for backend in $crate::backends() {
            let $database = $crate::TestDatabase::new(backend).await;
            $body
            $database.cleanup().await;
        }
    };
}

impl TestDatabase {
    /// Runs raw SQL, bypassing the store's checks, to prove the database's own constraints.
    /// Returns the database's error message when the statement is refused.
    pub async fn execute_raw(&self, sqlite_sql: &str, postgres_sql: &str) -> Result<(), String> {
        let result = match &self.store {
            Store::Sqlite(pool, _) => sqlx::raw_sql(sqlx::AssertSqlSafe(sqlite_sql.to_owned()))
                .execute(pool)
                .await
                .map(|_| ()),
            Store::Postgres(pool) => sqlx::raw_sql(sqlx::AssertSqlSafe(postgres_sql.to_owned()))
                .execute(pool)
                .await
                .map(|_| ()),
        };
        result.map_err(|error| error.to_string())
    }
}

/// A private, empty PostgreSQL schema and a URL whose connections use it, for tests that drive
/// the `relance` binary itself. `None` when `RELANCE_TEST_POSTGRES_URL` is not set.
pub struct PostgresSchema {
    pub url: String,
    server_url: String,
    schema: String,
}

impl PostgresSchema {
    pub async fn create() -> Option<PostgresSchema> {
        use sqlx::{Connection, Executor};
        let server_url = std::env::var(POSTGRES_URL_VARIABLE).ok()?;
        let schema = format!(
            "relance_cli_{}_{}",
            std::process::id(),
            SCHEMA_COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut connection = sqlx::PgConnection::connect(&server_url).await.unwrap_or_else(|error| {
            panic!("{POSTGRES_URL_VARIABLE} is set to {server_url} but PostgreSQL cannot be used: {error}")
        });
        connection
            .execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
            .await
            .expect("the test schema is created");
        let separator = if server_url.contains('?') { '&' } else { '?' };
        let url = format!("{server_url}{separator}options[search_path]={schema}");
        Some(PostgresSchema {
            url,
            server_url,
            schema,
        })
    }

    pub async fn drop_schema(self) {
        use sqlx::{Connection, Executor};
        let mut connection = sqlx::PgConnection::connect(&self.server_url)
            .await
            .expect("PostgreSQL reachable for cleanup");
        connection
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
                self.schema
            )))
            .await
            .expect("the test schema drops");
    }
}

impl TestDatabase {
    /// SQLite only: every index and table definition, as `sqlite_master` holds it.
    pub async fn sqlite_schema(&self) -> Vec<(String, Option<String>)> {
        let Store::Sqlite(pool, _) = &self.store else {
            return Vec::new();
        };
        sqlx::query_as("SELECT name, sql FROM sqlite_master ORDER BY type, name")
            .fetch_all(pool)
            .await
            .expect("sqlite_master is readable")
    }
}
