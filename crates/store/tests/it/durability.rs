//! SQLite is durable on every pooled connection, not only the first.

use test_support::{TestBackend, TestDatabase};

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
