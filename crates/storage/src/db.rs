//! The project's database: SQLite embedded in the data directory by default,
//! PostgreSQL (a `postgres://` URL) when several machines share one.

use crate::Error;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{AnyConnection, AnyPool, Connection};
use std::borrow::Cow;
use std::path::Path;
use std::str::FromStr;

/// File name of the embedded database inside the data directory.
pub const SQLITE_FILE: &str = "proofdesk.sqlite";

/// Which database server is behind a [`Database`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, one file in the data directory.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A connection pool to the project's database, migrated to the current schema.
#[derive(Clone)]
pub struct Database {
    /// The pool; queries use `$1`-style placeholders, which both backends accept.
    pub pool: AnyPool,
    /// The server behind the pool.
    pub backend: Backend,
}

/// Schema changes, in order, for each backend; applied once each, recorded by sqlx.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "reuse index",
        include_str!("../migrations/sqlite/0001_reuse_index.sql"),
        include_str!("../migrations/postgres/0001_reuse_index.sql"),
    ),
    (
        2,
        "reuse content hash",
        include_str!("../migrations/sqlite/0002_reuse_content_hash.sql"),
        include_str!("../migrations/postgres/0002_reuse_content_hash.sql"),
    ),
    (
        3,
        "reuse local features",
        include_str!("../migrations/sqlite/0003_reuse_features.sql"),
        include_str!("../migrations/postgres/0003_reuse_features.sql"),
    ),
    (
        4,
        "claims, evidence and jobs",
        include_str!("../migrations/sqlite/0004_claims.sql"),
        include_str!("../migrations/postgres/0004_claims.sql"),
    ),
    (
        5,
        "camera serial per evidence file",
        include_str!("../migrations/sqlite/0005_camera_serial.sql"),
        include_str!("../migrations/postgres/0005_camera_serial.sql"),
    ),
    (
        6,
        "api keys and audit trail",
        include_str!("../migrations/sqlite/0006_access_and_audit.sql"),
        include_str!("../migrations/postgres/0006_access_and_audit.sql"),
    ),
    (
        7,
        "users, sessions and decisions",
        include_str!("../migrations/sqlite/0007_users_and_decisions.sql"),
        include_str!("../migrations/postgres/0007_users_and_decisions.sql"),
    ),
    (
        8,
        "financial authority, submitters, approved amounts",
        include_str!("../migrations/sqlite/0008_authority.sql"),
        include_str!("../migrations/postgres/0008_authority.sql"),
    ),
    (
        9,
        "personal api tokens",
        include_str!("../migrations/sqlite/0009_personal_tokens.sql"),
        include_str!("../migrations/postgres/0009_personal_tokens.sql"),
    ),
    (
        10,
        "related customers",
        include_str!("../migrations/sqlite/0010_related_customers.sql"),
        include_str!("../migrations/postgres/0010_related_customers.sql"),
    ),
    (
        11,
        "teams and clients",
        include_str!("../migrations/sqlite/0011_teams_and_clients.sql"),
        include_str!("../migrations/postgres/0011_teams_and_clients.sql"),
    ),
    (
        12,
        "authority per channel or claim type, assignments, insider flags",
        include_str!("../migrations/sqlite/0012_scoped_authority_assignments_flags.sql"),
        include_str!("../migrations/postgres/0012_scoped_authority_assignments_flags.sql"),
    ),
    (
        13,
        "evidence requests",
        include_str!("../migrations/sqlite/0013_evidence_requests.sql"),
        include_str!("../migrations/postgres/0013_evidence_requests.sql"),
    ),
    (
        14,
        "retention",
        include_str!("../migrations/sqlite/0014_retention.sql"),
        include_str!("../migrations/postgres/0014_retention.sql"),
    ),
    (
        15,
        "disclosure, customer keys, audit checkpoints",
        include_str!("../migrations/sqlite/0015_disclosure_customer_keys_audit_checkpoints.sql"),
        include_str!("../migrations/postgres/0015_disclosure_customer_keys_audit_checkpoints.sql"),
    ),
    (
        16,
        "AI register, evaluations, AI Act documents",
        include_str!("../migrations/sqlite/0016_compliance.sql"),
        include_str!("../migrations/postgres/0016_compliance.sql"),
    ),
    (
        17,
        "receipt sales",
        include_str!("../migrations/sqlite/0017_receipt_sales.sql"),
        include_str!("../migrations/postgres/0017_receipt_sales.sql"),
    ),
];

/// The embedded migrations for one backend.
#[derive(Debug)]
struct Embedded(Backend);

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(
        self,
    ) -> futures_core::future::BoxFuture<'s, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        let list = MIGRATIONS
            .iter()
            .map(|&(version, name, sqlite, postgres)| {
                let sql = if self.0 == Backend::Sqlite {
                    sqlite
                } else {
                    postgres
                };
                Migration::new(
                    version,
                    Cow::Borrowed(name),
                    MigrationType::Simple,
                    Cow::Borrowed(sql),
                    false,
                )
            })
            .collect();
        Box::pin(async move { Ok(list) })
    }
}

impl Database {
    /// Starts a transaction that writes. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`, waiting out the busy timeout): a deferred transaction that
    /// reads first fails at its first write, without waiting, with "database is locked"
    /// when another connection wrote in between.
    pub async fn begin_write(
        &self,
        what: &'static str,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
        .map_err(Error::query(what))
    }

    /// Opens the database at `url` (`sqlite://FILE` or `postgres://…`) and brings its
    /// schema up to date.
    pub async fn connect(url: &str) -> Result<Database, Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(Error::UnsupportedUrl(redact(url)));
        };
        let options = AnyConnectOptions::from_str(url)
            .map_err(|e| Error::Connect(redact(url), e.to_string()))?;
        // One direct attempt first: a refused connection fails at once, where the pool
        // would retry until its acquire timeout.
        AnyConnection::connect_with(&options)
            .await
            .map_err(|e| Error::Connect(redact(url), e.to_string()))?
            .close()
            .await
            .map_err(|e| Error::Connect(redact(url), e.to_string()))?;
        // A request waits at most 5 s for a connection; when the server is gone it then
        // gets a 503 (with Retry-After) rather than hanging.
        let mut pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(std::time::Duration::from_secs(5));
        if backend == Backend::Sqlite {
            // Several workers share one file: readers never block the writer, and a
            // writer waits for another instead of failing at once.
            pool = pool.after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::query("PRAGMA journal_mode = WAL")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA busy_timeout = 10000")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA synchronous = NORMAL")
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            });
        }
        let pool = pool
            .connect_with(options)
            .await
            .map_err(|e| Error::Connect(redact(url), e.to_string()))?;
        let migrator = Migrator::new(Embedded(backend))
            .await
            .map_err(|e| Error::Migrate(e.to_string()))?;
        migrator
            .run(&pool)
            .await
            .map_err(|e| Error::Migrate(e.to_string()))?;
        Ok(Database { pool, backend })
    }

    /// Opens (creating when missing) the SQLite database in `data_dir`.
    pub async fn open_data_dir(data_dir: &Path) -> Result<Database, Error> {
        std::fs::create_dir_all(data_dir).map_err(|e| Error::DataDir(data_dir.into(), e))?;
        let file = data_dir.join(SQLITE_FILE);
        Database::connect(&format!("sqlite://{}?mode=rwc", file.display())).await
    }

    /// The database named by `url` when given, else the SQLite file in `data_dir`.
    pub async fn open(url: Option<&str>, data_dir: &Path) -> Result<Database, Error> {
        match url {
            Some(u) => Database::connect(u).await,
            None => Database::open_data_dir(data_dir).await,
        }
    }
}

/// `url` without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            super::redact("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(super::redact("sqlite://a.db"), "sqlite://a.db");
    }
}
