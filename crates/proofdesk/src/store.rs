//! Where proofdesk keeps its own data: the data directory, or a database server.

use anyhow::{Context, Result};
use proofdesk_storage::db::SQLITE_FILE;
use proofdesk_storage::reuse::ReuseIndex;
use proofdesk_storage::Database;
use std::path::PathBuf;

/// The data directory and, when given, a database URL that replaces its SQLite file.
pub struct Store {
    /// The data directory (`--data-dir`, `PROOFDESK_DATA_DIR`).
    pub data_dir: PathBuf,
    /// A `postgres://` or `sqlite://` URL (`--database-url`, `PROOFDESK_DATABASE_URL`).
    pub database_url: Option<String>,
}

impl Store {
    /// A runtime for the database calls of one command.
    pub fn runtime(&self) -> Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the database runtime")
    }

    /// Whether a database exists to read from: a URL was given, or the data
    /// directory holds the SQLite file.
    pub fn has_database(&self) -> bool {
        self.database_url.is_some() || self.data_dir.join(SQLITE_FILE).is_file()
    }

    /// Opens the database (creating the SQLite file only when `create`); `None` when
    /// there is none yet and `create` is false.
    pub async fn open(&self, create: bool) -> Result<Option<Database>> {
        if !create && !self.has_database() {
            return Ok(None);
        }
        Ok(Some(
            Database::open(self.database_url.as_deref(), &self.data_dir).await?,
        ))
    }

    /// Opens the reuse index (loading its hashes into memory); `None` when there is no
    /// database yet and `create` is false.
    pub async fn open_index(&self, create: bool) -> Result<Option<ReuseIndex>> {
        match self.open(create).await? {
            Some(db) => Ok(Some(ReuseIndex::open(db).await?)),
            None => Ok(None),
        }
    }

    /// Where the data lives, for messages (passwords left out).
    pub fn describe(&self) -> String {
        match &self.database_url {
            Some(u) => proofdesk_storage::db::redact(u),
            None => self.data_dir.join(SQLITE_FILE).display().to_string(),
        }
    }
}
