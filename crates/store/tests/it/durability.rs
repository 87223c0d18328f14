//! SQLite is durable on every pooled connection, not only the first.

use std::path::PathBuf;

use test_support::{TestBackend, TestDatabase};

/// An empty directory of this test process, and the database file a test opens and reopens there.
fn scratch(name: &str) -> (PathBuf, PathBuf) {
    let directory = std::env::temp_dir().join(format!("relance-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let database = directory.join("relance.db");
    (directory, database)
}

#[tokio::test]
async fn every_pooled_sqlite_connection_uses_wal_with_full_sync_and_foreign_keys() {
    let database = TestDatabase::new(TestBackend::Sqlite).await;
    let settings = database.store.sqlite_connection_settings().await.unwrap();
    assert_eq!(settings.len(), 4, "the whole pool is inspected");
    for connection in settings {
        assert_eq!(connection.journal_mode, "wal");
        assert_eq!(connection.synchronous, 2, "synchronous=FULL");
        assert!(connection.foreign_keys);
        assert!(connection.busy_timeout_ms > 0);
    }
    assert!(
        database
            .store
            .durability_warnings()
            .await
            .unwrap()
            .is_empty()
    );
    database.cleanup().await;
}

#[tokio::test]
async fn postgres_durability_is_checked_when_configured() {
    test_support::on_every_backend!(|database| {
        let warnings = database.store.durability_warnings().await.unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
    });
}

#[tokio::test]
async fn the_audit_log_keeps_its_own_durable_file_and_records_while_a_job_holds_the_database() {
    let (directory, database) = scratch("audit-file");
    let store = store::Store::open_sqlite(&database).await.unwrap();
    assert!(directory.join("relance.audit.db").exists());
    assert!(store.durability_warnings().await.unwrap().is_empty());
    let tenant = store
        .create_tenant(
            &crate::fixtures::creditor("Atelier"),
            jiff::Timestamp::UNIX_EPOCH,
        )
        .await
        .unwrap();
    // An import holds the main file's write lock for as long as it runs.
    let mut job = rusqlite::Connection::open(&database).unwrap();
    let holding = job
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    let started = std::time::Instant::now();
    store
        .append_audit_entries(&[(
            tenant,
            store::NewAuditEntry {
                at: jiff::Timestamp::UNIX_EPOCH,
                user: None,
                actor: "alice@atelier.example",
                via: "web",
                action: "GET /customers/{reference}",
                customer_ref: Some("C1"),
                record: None,
                address: None,
                status: Some(200),
            },
        )])
        .await
        .unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "the entry did not wait for the job: {:?}",
        started.elapsed()
    );
    holding.rollback().unwrap();
    let (entries, total) = store
        .tenant(tenant)
        .audit_entries(&store::AuditFilter {
            limit: 10,
            ..store::AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!((entries.len(), total), (1, 1));
    store.close().await;
    let _ = std::fs::remove_dir_all(&directory);
}

#[tokio::test]
async fn entries_logged_before_the_audit_file_existed_move_to_it_with_their_ids() {
    let (directory, database) = scratch("audit-upgrade");
    let store = store::Store::open_sqlite(&database).await.unwrap();
    let tenant = store
        .create_tenant(
            &crate::fixtures::creditor("Atelier"),
            jiff::Timestamp::UNIX_EPOCH,
        )
        .await
        .unwrap();
    store.close().await;
    // The database as an installation before migration 22 left it: the log in the main file.
    {
        let before = rusqlite::Connection::open(&database).unwrap();
        before
            .execute_batch(include_str!("../../migrations/sqlite/0018_audit_log.sql"))
            .unwrap();
        before
            .execute_batch(&format!(
                "INSERT INTO audit_log (id, tenant_id, occurred_at, actor, via, action, customer_ref) \
                 VALUES (7, {0}, 100, 'alice@atelier.example', 'web', 'GET /customers/{{reference}}', 'C1'), \
                        (9, {0}, 200, 'alice@atelier.example', 'web', 'POST /customers/{{reference}}/calls', 'C1'); \
                 DELETE FROM schema_migrations WHERE version = 22;",
                tenant.0
            ))
            .unwrap();
    }
    for file in [
        "relance.audit.db",
        "relance.audit.db-wal",
        "relance.audit.db-shm",
    ] {
        let _ = std::fs::remove_file(directory.join(file));
    }
    let store = store::Store::open_sqlite(&database).await.unwrap();
    let (entries, total) = store
        .tenant(tenant)
        .audit_entries(&store::AuditFilter {
            limit: 10,
            ..store::AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 2);
    assert_eq!(
        entries.iter().map(|entry| entry.id).collect::<Vec<_>>(),
        [9, 7],
        "newest first, with the ids they had"
    );
    store.close().await;
    let main = rusqlite::Connection::open(&database).unwrap();
    let left: i64 = main
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'audit_log'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(left, 0, "the main file keeps no log of its own");
    let _ = std::fs::remove_dir_all(&directory);
}

/// Each invoice's number and what it still owes, in number order.
async fn outstanding_by_number(scope: store::TenantStore<'_>) -> Vec<(String, i64)> {
    scope
        .invoices(&store::InvoiceFilter::default())
        .await
        .unwrap()
        .iter()
        .map(|row| (row.number.to_string(), row.outstanding.minor()))
        .collect()
}

/// A table's columns, in their order.
async fn every_action(scope: store::TenantStore<'_>) -> Vec<store::ActionRecord> {
    scope
        .actions(&store::ActionFilter::default())
        .await
        .unwrap()
}

fn column_names(connection: &rusqlite::Connection, table: &str) -> Vec<String> {
    connection
        .prepare(&format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test]
async fn invoices_imported_before_migration_26_keep_everything_but_their_row_timestamps() {
    use crate::fixtures::{customer, import, invoice, new_tenant};
    use jiff::civil::date;

    let (directory, database) = scratch("invoice-upgrade");
    let store = store::Store::open_sqlite(&database).await.unwrap();
    let tenant = new_tenant(&store, "Atelier").await;
    let customers = [customer("C1", "Alpha"), customer("C2", "Beta")];
    import(
        &store,
        tenant,
        &customers,
        &[
            invoice("F-1", "C1", date(2026, 10, 1), 1000, 1000),
            invoice("F-2", "C2", date(2026, 11, 30), 2000, 500),
        ],
    )
    .await;
    store.close().await;
    // The invoices as an installation before migration 26 kept them: with their row's times.
    {
        let before = rusqlite::Connection::open(&database).unwrap();
        before
            .execute_batch(
                "ALTER TABLE invoices ADD COLUMN created_at TEXT NOT NULL DEFAULT '2026-11-01T08:00:00Z'; \
                 ALTER TABLE invoices ADD COLUMN updated_at TEXT NOT NULL DEFAULT '2026-11-02T08:00:00Z'; \
                 DELETE FROM schema_migrations WHERE version = 26;",
            )
            .unwrap();
    }

    let store = store::Store::open_sqlite(&database).await.unwrap();
    let scope = store.tenant(tenant);
    assert_eq!(
        outstanding_by_number(scope).await,
        [("F-1".to_owned(), 1000), ("F-2".to_owned(), 500)]
    );
    // The upgraded table takes the next import as a new one would.
    import(
        &store,
        tenant,
        &customers,
        &[invoice("F-1", "C1", date(2026, 10, 1), 1000, 250)],
    )
    .await;
    assert_eq!(
        outstanding_by_number(scope).await,
        [("F-1".to_owned(), 250), ("F-2".to_owned(), 500)]
    );
    store.close().await;
    let columns = column_names(&rusqlite::Connection::open(&database).unwrap(), "invoices");
    assert!(
        !columns.iter().any(|name| name.ends_with("_at")),
        "no row timestamps left: {columns:?}"
    );
    let _ = std::fs::remove_dir_all(&directory);
}

#[tokio::test]
async fn cases_and_actions_recorded_before_migration_27_keep_everything_but_their_row_timestamps() {
    use crate::fixtures::{customer, first_reminder, import, invoice, new_tenant};
    use jiff::civil::date;

    let (directory, database) = scratch("case-upgrade");
    let store = store::Store::open_sqlite(&database).await.unwrap();
    let tenant = new_tenant(&store, "Atelier").await;
    import(
        &store,
        tenant,
        &[customer("C1", "Alpha"), customer("C2", "Beta")],
        &[invoice("F-1", "C1", date(2026, 10, 1), 1000, 1000)],
    )
    .await;
    let scope = store.tenant(tenant);
    let alpha = scope
        .customer_id(&domain::customer::CustomerRef::parse("C1").unwrap())
        .await
        .unwrap();
    let (f1, _) = scope.invoice_by_number("F-1").await.unwrap();
    scope
        .propose_action(&first_reminder(alpha, f1))
        .await
        .unwrap();
    store.close().await;
    // Cases and actions as an installation before migration 27 kept them: with their rows'
    // times, and the trigger that opens a new customer's case writing one.
    {
        let before = rusqlite::Connection::open(&database).unwrap();
        before
            .execute_batch(
                "DROP TRIGGER customers_open_case; \
                 ALTER TABLE dunning_cases ADD COLUMN updated_at TEXT NOT NULL DEFAULT '2026-11-02T08:00:00Z'; \
                 CREATE TRIGGER customers_open_case AFTER INSERT ON customers BEGIN \
                     INSERT INTO dunning_cases (tenant_id, customer_id, updated_at) VALUES (NEW.tenant_id, NEW.id, NEW.created_at); \
                 END; \
                 ALTER TABLE actions ADD COLUMN created_at TEXT NOT NULL DEFAULT '2026-11-20T08:00:00Z'; \
                 ALTER TABLE actions ADD COLUMN updated_at TEXT NOT NULL DEFAULT '2026-11-20T08:00:00Z'; \
                 DELETE FROM schema_migrations WHERE version = 27;",
            )
            .unwrap();
    }

    let store = store::Store::open_sqlite(&database).await.unwrap();
    let scope = store.tenant(tenant);
    let actions = every_action(scope).await;
    assert_eq!(actions.len(), 1);
    assert_eq!(
        (actions[0].customer, actions[0].invoice_numbers.as_slice()),
        (alpha, ["F-1".to_owned()].as_slice())
    );
    // A customer created after the upgrade has its case, and a new action is recorded.
    import(&store, tenant, &[customer("C3", "Gamma")], &[]).await;
    assert!(
        scope
            .set_action_status(
                actions[0].id,
                &["scheduled"],
                "skipped",
                Some("paid by cheque")
            )
            .await
            .unwrap()
    );
    store.close().await;
    let upgraded = rusqlite::Connection::open(&database).unwrap();
    let cases: i64 = upgraded
        .query_row("SELECT count(*) FROM dunning_cases", [], |row| row.get(0))
        .unwrap();
    assert_eq!(cases, 3, "every customer, old and new, has its case");
    for table in ["dunning_cases", "actions"] {
        let columns = column_names(&upgraded, table);
        assert!(
            !columns
                .iter()
                .any(|name| name.ends_with("_at") && name != "scheduled_at"),
            "no row timestamps left in {table}: {columns:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&directory);
}

#[tokio::test]
async fn actions_recorded_before_migration_28_read_their_numbers_from_the_invoices_and_keep_their_words()
 {
    use crate::fixtures::{customer, first_reminder, import, invoice, new_tenant};
    use domain::customer::Language;
    use jiff::civil::date;
    use store::Explanation;

    let (directory, database) = scratch("action-upgrade");
    let store = store::Store::open_sqlite(&database).await.unwrap();
    let tenant = new_tenant(&store, "Atelier").await;
    import(
        &store,
        tenant,
        &[customer("C1", "Alpha")],
        &[
            invoice("F-1", "C1", date(2026, 10, 1), 1000, 1000),
            invoice("F-2", "C1", date(2026, 10, 5), 500, 500),
        ],
    )
    .await;
    let scope = store.tenant(tenant);
    let (f1, alpha) = scope.invoice_by_number("F-1").await.unwrap();
    let (f2, _) = scope.invoice_by_number("F-2").await.unwrap();
    let mut older = first_reminder(alpha, f1);
    // Listed in the action's own order, not the invoices'.
    older.invoice_ids = vec![f2, f1];
    scope.propose_action(&older).await.unwrap();
    store.close().await;
    // The action as an installation before migration 28 kept it: its invoices' numbers as JSON
    // beside their ids, its explanation in words.
    {
        let before = rusqlite::Connection::open(&database).unwrap();
        before
            .execute_batch(
                "DROP VIEW actions_listed; \
                 ALTER TABLE actions DROP COLUMN reasons; \
                 ALTER TABLE actions ADD COLUMN invoice_numbers TEXT NOT NULL DEFAULT '[\"F-2\",\"F-1\"]'; \
                 UPDATE actions SET explanation = 'J+1, étape « first_reminder »'; \
                 DELETE FROM schema_migrations WHERE version = 28;",
            )
            .unwrap();
    }

    let store = store::Store::open_sqlite(&database).await.unwrap();
    let scope = store.tenant(tenant);
    let actions = every_action(scope).await;
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].invoice_numbers, ["F-2", "F-1"]);
    assert_eq!(
        actions[0].explanation,
        Explanation::Text("J+1, étape « first_reminder »".to_owned())
    );
    // An action recorded after the upgrade keeps the engine's reasons, read in either language.
    let mut newer = first_reminder(alpha, f1);
    newer.episode = 2;
    scope.propose_action(&newer).await.unwrap();
    let actions = every_action(scope).await;
    let recorded = actions.iter().find(|a| a.episode == 2).unwrap();
    assert_eq!(recorded.explanation, newer.explanation);
    assert_eq!(recorded.invoice_numbers, ["F-1"]);
    assert_eq!(
        recorded.explanation.render(Language::French),
        "J+1, étape « first_reminder » (échéance dépassée de 50 j); aucun contact récent"
    );
    assert_eq!(
        recorded.explanation.render(Language::English),
        "J+1, step 'first_reminder' (50 days past due); no recent contact"
    );
    store.close().await;
    let upgraded = rusqlite::Connection::open(&database).unwrap();
    assert!(!column_names(&upgraded, "actions").contains(&"invoice_numbers".to_owned()));
    let words: String = upgraded
        .query_row(
            "SELECT explanation || '|' || reasons FROM actions WHERE episode = 2",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(
        words, "|due 1 50 first_reminder;nocontact",
        "reasons, no words"
    );
    let _ = std::fs::remove_dir_all(&directory);
}

#[tokio::test]
async fn a_committed_import_empties_the_write_ahead_log_file() {
    use crate::fixtures::{customer, import, invoice, new_tenant};
    use jiff::civil::date;

    let (directory, database) = scratch("wal-after-import");
    let log = directory.join("relance.db-wal");
    let store = store::Store::open_sqlite(&database).await.unwrap();
    let tenant = new_tenant(&store, "Atelier").await;
    assert!(
        std::fs::metadata(&log).unwrap().len() > 0,
        "the pool's writes are in the log"
    );
    let invoices: Vec<_> = (1..=500)
        .map(|n| invoice(&format!("F-{n}"), "C1", date(2026, 10, 1), 1000, 1000))
        .collect();
    import(&store, tenant, &[customer("C1", "Alpha")], &invoices).await;

    // Still open, the pool's connections would keep the file at its largest size.
    assert_eq!(std::fs::metadata(&log).unwrap().len(), 0);
    assert_eq!(
        store
            .tenant(tenant)
            .invoices(&store::InvoiceFilter::default())
            .await
            .unwrap()
            .len(),
        500,
        "everything committed is in the database"
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(&directory);
}
