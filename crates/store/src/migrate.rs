//! Schema migrations, embedded in the binary and applied in order at start.
//!
//! A small runner of our own rather than sqlx's: sqlx's embedded migrations need its proc-macro
//! crate, which would compile the database drivers a second time. Each migration runs in its own
//! transaction together with the row that records it, so a failed migration leaves no trace.

use sqlx::{Executor, PgPool, SqlitePool};

use crate::StoreError;

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sql: include_str!("../migrations/sqlite/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "dunning",
        sql: include_str!("../migrations/sqlite/0002_dunning.sql"),
    },
    Migration {
        version: 3,
        name: "review_schedule",
        sql: include_str!("../migrations/sqlite/0003_review_schedule.sql"),
    },
    Migration {
        version: 4,
        name: "customer_details",
        sql: include_str!("../migrations/sqlite/0004_customer_details.sql"),
    },
    Migration {
        version: 5,
        name: "late_payment",
        sql: include_str!("../migrations/sqlite/0005_late_payment.sql"),
    },
    Migration {
        version: 6,
        name: "cheap_checks",
        sql: include_str!("../migrations/sqlite/0006_cheap_checks.sql"),
    },
    Migration {
        version: 7,
        name: "templates",
        sql: include_str!("../migrations/sqlite/0007_templates.sql"),
    },
    Migration {
        version: 8,
        name: "recovery_steps",
        sql: include_str!("../migrations/sqlite/0008_recovery_steps.sql"),
    },
    Migration {
        version: 9,
        name: "payment_plans",
        sql: include_str!("../migrations/sqlite/0009_payment_plans.sql"),
    },
    Migration {
        version: 10,
        name: "outbox",
        sql: include_str!("../migrations/sqlite/0010_outbox.sql"),
    },
    Migration {
        version: 11,
        name: "bank_payments",
        sql: include_str!("../migrations/sqlite/0011_bank_payments.sql"),
    },
    Migration {
        version: 12,
        name: "settlements",
        sql: include_str!("../migrations/sqlite/0012_settlements.sql"),
    },
    Migration {
        version: 13,
        name: "accounts",
        sql: include_str!("../migrations/sqlite/0013_accounts.sql"),
    },
    Migration {
        version: 14,
        name: "portal",
        sql: include_str!("../migrations/sqlite/0014_portal.sql"),
    },
    Migration {
        version: 15,
        name: "plan_documents",
        sql: include_str!("../migrations/sqlite/0015_plan_documents.sql"),
    },
    Migration {
        version: 16,
        name: "negotiation",
        sql: include_str!("../migrations/sqlite/0016_negotiation.sql"),
    },
    Migration {
        version: 17,
        name: "bank_mappings",
        sql: include_str!("../migrations/sqlite/0017_bank_mappings.sql"),
    },
    Migration {
        version: 18,
        name: "audit_log",
        sql: include_str!("../migrations/sqlite/0018_audit_log.sql"),
    },
    Migration {
        version: 19,
        name: "idempotency_keys",
        sql: include_str!("../migrations/sqlite/0019_idempotency_keys.sql"),
    },
    Migration {
        version: 20,
        name: "creditor_bic_language",
        sql: include_str!("../migrations/sqlite/0020_creditor_bic_language.sql"),
    },
    Migration {
        version: 21,
        name: "memberships",
        sql: include_str!("../migrations/sqlite/0021_memberships.sql"),
    },
    Migration {
        version: 22,
        name: "audit_file",
        sql: include_str!("../migrations/sqlite/0022_audit_file.sql"),
    },
    Migration {
        version: 23,
        name: "ledger_totals",
        sql: include_str!("../migrations/sqlite/0023_ledger_totals.sql"),
    },
    Migration {
        version: 24,
        name: "customer_search",
        sql: include_str!("../migrations/sqlite/0024_customer_search.sql"),
    },
    Migration {
        version: 25,
        name: "ledger_totals_by_change",
        sql: include_str!("../migrations/sqlite/0025_ledger_totals_by_change.sql"),
    },
    Migration {
        version: 26,
        name: "invoices_without_timestamps",
        sql: include_str!("../migrations/sqlite/0026_invoices_without_timestamps.sql"),
    },
    Migration {
        version: 27,
        name: "actions_and_cases_without_timestamps",
        sql: include_str!("../migrations/sqlite/0027_actions_and_cases_without_timestamps.sql"),
    },
    Migration {
        version: 28,
        name: "actions_name_invoices_by_id",
        sql: include_str!("../migrations/sqlite/0028_actions_name_invoices_by_id.sql"),
    },
];

const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sql: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "dunning",
        sql: include_str!("../migrations/postgres/0002_dunning.sql"),
    },
    Migration {
        version: 3,
        name: "review_schedule",
        sql: include_str!("../migrations/postgres/0003_review_schedule.sql"),
    },
    Migration {
        version: 4,
        name: "customer_details",
        sql: include_str!("../migrations/postgres/0004_customer_details.sql"),
    },
    Migration {
        version: 5,
        name: "late_payment",
        sql: include_str!("../migrations/postgres/0005_late_payment.sql"),
    },
    Migration {
        version: 6,
        name: "cheap_checks",
        sql: include_str!("../migrations/postgres/0006_cheap_checks.sql"),
    },
    Migration {
        version: 7,
        name: "templates",
        sql: include_str!("../migrations/postgres/0007_templates.sql"),
    },
    Migration {
        version: 8,
        name: "recovery_steps",
        sql: include_str!("../migrations/postgres/0008_recovery_steps.sql"),
    },
    Migration {
        version: 9,
        name: "payment_plans",
        sql: include_str!("../migrations/postgres/0009_payment_plans.sql"),
    },
    Migration {
        version: 10,
        name: "outbox",
        sql: include_str!("../migrations/postgres/0010_outbox.sql"),
    },
    Migration {
        version: 11,
        name: "bank_payments",
        sql: include_str!("../migrations/postgres/0011_bank_payments.sql"),
    },
    Migration {
        version: 12,
        name: "settlements",
        sql: include_str!("../migrations/postgres/0012_settlements.sql"),
    },
    Migration {
        version: 13,
        name: "accounts",
        sql: include_str!("../migrations/postgres/0013_accounts.sql"),
    },
    Migration {
        version: 14,
        name: "portal",
        sql: include_str!("../migrations/postgres/0014_portal.sql"),
    },
    Migration {
        version: 15,
        name: "plan_documents",
        sql: include_str!("../migrations/postgres/0015_plan_documents.sql"),
    },
    Migration {
        version: 16,
        name: "negotiation",
        sql: include_str!("../migrations/postgres/0016_negotiation.sql"),
    },
    Migration {
        version: 17,
        name: "bank_mappings",
        sql: include_str!("../migrations/postgres/0017_bank_mappings.sql"),
    },
    Migration {
        version: 18,
        name: "audit_log",
        sql: include_str!("../migrations/postgres/0018_audit_log.sql"),
    },
    Migration {
        version: 19,
        name: "idempotency_keys",
        sql: include_str!("../migrations/postgres/0019_idempotency_keys.sql"),
    },
    Migration {
        version: 20,
        name: "creditor_bic_language",
        sql: include_str!("../migrations/postgres/0020_creditor_bic_language.sql"),
    },
    Migration {
        version: 21,
        name: "memberships",
        sql: include_str!("../migrations/postgres/0021_memberships.sql"),
    },
    Migration {
        version: 22,
        name: "audit_file",
        sql: include_str!("../migrations/postgres/0022_audit_file.sql"),
    },
    Migration {
        version: 23,
        name: "ledger_totals",
        sql: include_str!("../migrations/postgres/0023_ledger_totals.sql"),
    },
    Migration {
        version: 24,
        name: "customer_search",
        sql: include_str!("../migrations/postgres/0024_customer_search.sql"),
    },
    Migration {
        version: 25,
        name: "ledger_totals_by_change",
        sql: include_str!("../migrations/postgres/0025_ledger_totals_by_change.sql"),
    },
    Migration {
        version: 26,
        name: "invoices_without_timestamps",
        sql: include_str!("../migrations/postgres/0026_invoices_without_timestamps.sql"),
    },
    Migration {
        version: 27,
        name: "actions_and_cases_without_timestamps",
        sql: include_str!("../migrations/postgres/0027_actions_and_cases_without_timestamps.sql"),
    },
    Migration {
        version: 28,
        name: "actions_name_invoices_by_id",
        sql: include_str!("../migrations/postgres/0028_actions_name_invoices_by_id.sql"),
    },
];

/// The same steps on either backend; the SQL differs only in types and placeholders.
struct Dialect {
    create_table: &'static str,
    /// Taken inside each migration's transaction, so that two servers starting together do not
    /// both migrate (empty where the database has a single writer anyway).
    lock: Option<&'static str>,
    applied: &'static str,
    record: &'static str,
}

const SQLITE_DIALECT: Dialect = Dialect {
    create_table: "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))",
    lock: None,
    applied: "SELECT version FROM schema_migrations WHERE version = ?1",
    record: "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
};

const POSTGRES_DIALECT: Dialect = Dialect {
    create_table: "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    lock: Some("LOCK TABLE schema_migrations IN EXCLUSIVE MODE"),
    applied: "SELECT version FROM schema_migrations WHERE version = $1",
    record: "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
};

macro_rules! migrate {
    ($pool:expr, $dialect:expr, $migrations:expr) => {{
        let dialect = $dialect;
        $pool.execute(dialect.create_table).await?;
        for migration in $migrations {
            let mut tx = $pool.begin().await?;
            if let Some(lock) = dialect.lock {
                sqlx::query(lock).execute(&mut *tx).await?;
            }
            let applied: Option<i64> = sqlx::query_scalar(dialect.applied)
                .bind(migration.version)
                .fetch_optional(&mut *tx)
                .await?;
            if applied.is_some() {
                continue;
            }
            tx.execute(migration.sql)
                .await
                .map_err(|source| StoreError::Migration {
                    version: migration.version,
                    name: migration.name,
                    source,
                })?;
            sqlx::query(dialect.record)
                .bind(migration.version)
                .bind(migration.name)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(())
    }};
}

pub(crate) async fn migrate_sqlite(pool: &SqlitePool) -> Result<(), StoreError> {
    migrate!(pool, SQLITE_DIALECT, SQLITE)
}

pub(crate) async fn migrate_postgres(pool: &PgPool) -> Result<(), StoreError> {
    migrate!(pool, POSTGRES_DIALECT, POSTGRES)
}
