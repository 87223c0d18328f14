//! Store errors: absent is not broken, and a broken constraint is named.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {what}")]
    NotFound { what: String },
    #[error("already exists: {what}")]
    AlreadyExists { what: String },
    /// A CHECK, foreign key or trigger refused a write: a bug above, or a concurrent change.
    #[error("a database rule refused the write: {message}")]
    RuleViolated { message: String },
    #[error("stored data cannot be read back: {what}")]
    Corrupt { what: String },
    #[error("cannot apply migration {version} ({name}): {source}")]
    Migration {
        version: i64,
        name: &'static str,
        source: sqlx::Error,
    },
    #[error(transparent)]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> StoreError {
        if let sqlx::Error::Database(database_error) = &error {
            let message = database_error.message().to_owned();
            if database_error.is_unique_violation() {
                return StoreError::AlreadyExists { what: message };
            }
            if database_error.is_check_violation() || database_error.is_foreign_key_violation() {
                return StoreError::RuleViolated { message };
            }
            // Triggers raise plain errors (SQLite: RAISE(ABORT), PostgreSQL: RAISE EXCEPTION).
            if message.contains("allocation crosses tenants") {
                return StoreError::RuleViolated { message };
            }
        }
        StoreError::Database(error)
    }
}
