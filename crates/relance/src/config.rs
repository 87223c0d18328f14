//! Where the data lives and which database holds it.
//!
//! Resolution, first found wins: the command-line flag, the environment (`RELANCE_DATA_DIR`,
//! `RELANCE_DATABASE_URL`), the data directory's `relance.toml`, then the defaults: data in
//! `./relance-data/`, an embedded SQLite database `relance.db` inside it.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use app::Store;
use serde::{Deserialize, Serialize};

pub(crate) const DEFAULT_DATA_DIR: &str = "relance-data";
const CONFIG_FILE: &str = "relance.toml";
const SQLITE_FILE: &str = "relance.db";

/// The settings stored in `relance.toml`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConfig {
    /// A `postgres://` URL; absent means the embedded SQLite database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) database_url: Option<String>,
}

/// The database a command uses, once resolved.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "SQLite {}", path.display()),
            Database::Postgres(url) => write!(f, "PostgreSQL {}", redact_url(url)),
        }
    }
}

/// Hides the password of a database URL, for messages and logs.
pub(crate) fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

pub(crate) struct Config {
    pub(crate) data_dir: PathBuf,
    pub(crate) database: Database,
}

impl Config {
    /// Resolves the configuration of an existing or future data directory.
    pub(crate) fn resolve(data_dir: &Path, database_url: Option<&str>) -> anyhow::Result<Config> {
        let file = read_file_config(data_dir)?;
        let url = database_url.map(str::to_owned).or(file.database_url);
        let database = match url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Database::Postgres(url)
            }
            Some(url) if url.starts_with("sqlite://") => {
                Database::Sqlite(PathBuf::from(url.trim_start_matches("sqlite://")))
            }
            Some(url) => bail!(
                "unsupported database URL {:?}: expected postgres://… or sqlite://PATH",
                redact_url(&url)
            ),
            None => Database::Sqlite(data_dir.join(SQLITE_FILE)),
        };
        Ok(Config {
            data_dir: data_dir.to_owned(),
            database,
        })
    }

    /// Opens the database, which must already be initialised (`relance init`).
    pub(crate) async fn open_existing(&self) -> anyhow::Result<Store> {
        if let Database::Sqlite(path) = &self.database
            && !path.exists()
        {
            bail!(
                "no Relance data in {}: run `relance init --company \"…\"` (or `relance demo`) first",
                self.data_dir.display()
            );
        }
        self.open().await
    }

    /// Opens the database, creating the SQLite file if needed, and says loudly on standard
    /// error when its settings could lose committed work in a crash.
    pub(crate) async fn open(&self) -> anyhow::Result<Store> {
        let store = match &self.database {
            Database::Sqlite(path) => {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).with_context(|| {
                        format!("cannot create the data directory {}", parent.display())
                    })?;
                }
                Store::open_sqlite(path)
                    .await
                    .with_context(|| format!("cannot open the database {}", path.display()))?
            }
            Database::Postgres(url) => Store::open_postgres(url, None)
                .await
                .with_context(|| format!("cannot open the database {}", redact_url(url)))?,
        };
        let warnings = store
            .durability_warnings()
            .await
            .context("cannot read the database settings")?;
        if !warnings.is_empty() {
            let mut stderr = std::io::stderr().lock();
            for warning in warnings {
                writeln!(stderr, "warning: {warning}")?;
            }
        }
        Ok(store)
    }

    /// Writes `relance.toml` so that later commands find a PostgreSQL database without flags.
    pub(crate) fn save(&self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                self.data_dir.display()
            )
        })?;
        let file = FileConfig {
            database_url: match &self.database {
                Database::Postgres(url) => Some(url.clone()),
                Database::Sqlite(_) => None,
            },
        };
        let text = format!(
            "# Relance configuration. Environment variables (RELANCE_DATABASE_URL) and flags take precedence.\n{}",
            toml::to_string(&file).context("cannot write the configuration")?
        );
        let path = self.data_dir.join(CONFIG_FILE);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    }
}

fn read_file_config(data_dir: &Path) -> anyhow::Result<FileConfig> {
    let path = data_dir.join(CONFIG_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text)
            .with_context(|| format!("{} is not a valid configuration", path.display())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(FileConfig::default()),
        Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_appear_in_messages() {
        assert_eq!(
            redact_url("postgres://relance:s3cret@db:5432/relance"),
            "postgres://relance:***@db:5432/relance"
        );
        assert_eq!(
            redact_url("postgres://relance@db/relance"),
            "postgres://relance@db/relance"
        );
    }

    #[test]
    fn defaults_to_sqlite_inside_the_data_directory() {
        let directory = tempfile::tempdir().unwrap();
        let config = Config::resolve(directory.path(), None).unwrap();
        assert_eq!(
            config.database,
            Database::Sqlite(directory.path().join("relance.db"))
        );
    }

    #[test]
    fn the_saved_postgres_url_is_found_again() {
        let directory = tempfile::tempdir().unwrap();
        let url = "postgres://postgres@127.0.0.1:5432/test";
        Config {
            data_dir: directory.path().to_owned(),
            database: Database::Postgres(url.into()),
        }
        .save()
        .unwrap();
        let config = Config::resolve(directory.path(), None).unwrap();
        assert_eq!(config.database, Database::Postgres(url.into()));
    }

    #[test]
    fn an_unknown_scheme_is_refused() {
        let directory = tempfile::tempdir().unwrap();
        assert!(Config::resolve(directory.path(), Some("mysql://x")).is_err());
    }
}
