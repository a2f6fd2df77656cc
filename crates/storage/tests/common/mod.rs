//! Shared by the storage tests: a PostgreSQL schema of the test's own on the machine's
//! server (`PROOFDESK_TEST_POSTGRES`, default postgres://postgres@127.0.0.1:5432/test;
//! skipped with a message when unreachable unless that variable is set).

use sqlx::Connection;

/// A fresh schema; drop it with [`TestSchema::drop`].
pub struct TestSchema {
    admin: sqlx::PgConnection,
    name: String,
    /// A URL whose connections use the schema.
    pub url: String,
}

impl TestSchema {
    /// Creates the schema, or `None` (with a message) when no server is there and none
    /// is required.
    pub async fn create() -> Option<TestSchema> {
        let required = std::env::var("PROOFDESK_TEST_POSTGRES").ok();
        let base = required
            .clone()
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
        let mut admin = match sqlx::PgConnection::connect(&base).await {
            Ok(c) => c,
            Err(e) if required.is_none() => {
                eprintln!("skipped: no PostgreSQL at {base} ({e}); set PROOFDESK_TEST_POSTGRES to require it");
                return None;
            }
            Err(e) => panic!("PostgreSQL at {base}: {e}"),
        };
        let name = format!(
            "proofdesk_test_{}_{}",
            std::process::id(),
            proofdesk_storage::time::now_ms()
        );
        sqlx::query(&format!("CREATE SCHEMA {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{name}");
        Some(TestSchema { admin, name, url })
    }

    /// Removes the schema and everything in it.
    pub async fn drop(mut self) {
        sqlx::query(&format!("DROP SCHEMA {} CASCADE", self.name))
            .execute(&mut self.admin)
            .await
            .unwrap();
    }
}

/// Runs a scenario on a SQLite file of its own.
#[allow(dead_code)]
pub async fn on_sqlite<F: std::future::Future<Output = ()>>(scenario: impl FnOnce(String) -> F) {
    let dir = tempfile::tempdir().unwrap();
    scenario(format!("sqlite://{}?mode=rwc", dir.path().join("p.sqlite").display())).await;
}

/// Runs a scenario in a PostgreSQL schema of its own, dropped afterwards (skipped with
/// a message when there is no server and none is required).
#[allow(dead_code)]
pub async fn on_postgres<F: std::future::Future<Output = ()>>(scenario: impl FnOnce(String) -> F) {
    let Some(schema) = TestSchema::create().await else {
        return;
    };
    scenario(schema.url.clone()).await;
    schema.drop().await;
}
