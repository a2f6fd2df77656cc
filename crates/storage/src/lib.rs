//! proofdesk's storage: the project database (SQLite embedded in the data directory,
//! PostgreSQL when several machines share one) and what lives in it: the reuse index
//! of every picture seen, claims with their evidence, and the job queue; and the
//! encrypted evidence store.
#![deny(missing_docs)]

pub mod api_keys;
pub mod audit;
pub mod claims;
pub mod compliance;
pub mod db;
pub mod decisions;
pub mod evidence;
pub mod flags;
pub mod jobs;
pub mod receipt_sales;
pub mod report_facts;
pub mod requests;
pub mod retention;
pub mod subjects;
pub mod reuse;
pub mod teams;
pub mod time;
pub mod users;

pub use db::{Backend, Database};

use std::path::PathBuf;

/// What went wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database URL is neither `sqlite:` nor `postgres:`.
    #[error("unsupported database URL {0}: use sqlite://FILE or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// The database could not be reached or opened.
    #[error("cannot open the database {0}: {1}")]
    Connect(String, String),
    /// The schema could not be brought up to date.
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(String),
    /// The data directory could not be created.
    #[error("cannot create the data directory {0}: {1}")]
    DataDir(PathBuf, std::io::Error),
    /// A password could not be hashed.
    #[error("cannot hash the password: {0}")]
    Password(String),
    /// A query failed.
    #[error("the database failed to {what}: {source}")]
    Query {
        /// What was being done.
        what: &'static str,
        /// The driver's error.
        source: sqlx::Error,
    },
}

impl Error {
    /// Wraps a driver error with what was being done, for `map_err`.
    pub fn query(what: &'static str) -> impl Fn(sqlx::Error) -> Error {
        move |source| Error::Query { what, source }
    }
}
