//! API keys for integrators. A key is shown once when it is made; only its SHA-256 is
//! stored (keys carry 128 random bits, so a fast hash is as safe as a slow one here).
//! Each key has scopes, such as `claims:write` and `claims:read`.

use crate::evidence::{random_hex, to_hex};
use crate::time::now_ms;
use crate::Error;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// Scopes a key can have (`decisions:write` only on personal tokens).
pub const SCOPES: [&str; 3] = ["claims:write", "claims:read", "decisions:write"];

/// A key's public facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// Id (shown in the audit trail).
    pub id: String,
    /// The name it was given.
    pub name: String,
    /// Its scopes.
    pub scopes: Vec<String>,
    /// Created (ms since 1970 UTC).
    pub created_at: i64,
    /// Revoked, if it was.
    pub revoked_at: Option<i64>,
    /// For a personal token: the user it acts as.
    pub user_id: Option<String>,
    /// The data categories it receives, comma-separated; `None` for the default
    /// (keys made before categories existed get it too).
    pub receives: Option<String>,
}

impl ApiKey {
    /// Whether the key has `scope`.
    pub fn allows(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// The API keys of one database.
#[derive(Clone)]
pub struct ApiKeys {
    db: crate::Database,
}

impl ApiKeys {
    /// Keys in `db`.
    pub fn new(db: crate::Database) -> ApiKeys {
        ApiKeys { db }
    }

    /// Makes a key; returns its facts and the secret key, which is not kept.
    pub async fn create(&self, name: &str, scopes: &[String]) -> Result<(ApiKey, String), Error> {
        self.create_as(name, scopes, None, None).await
    }

    /// Makes a key that receives only the data categories in `receives`
    /// (comma-separated, checked by the caller).
    pub async fn create_receiving(&self, name: &str, scopes: &[String], receives: &str) -> Result<(ApiKey, String), Error> {
        self.create_as(name, scopes, None, Some(receives)).await
    }

    /// Makes a personal token acting as `user_id` (scopes `claims:read`, `decisions:write`).
    pub async fn create_personal(&self, name: &str, user_id: &str) -> Result<(ApiKey, String), Error> {
        let scopes = ["claims:read".to_owned(), "decisions:write".to_owned()];
        self.create_as(name, &scopes, Some(user_id), None).await
    }

    async fn create_as(&self, name: &str, scopes: &[String], user_id: Option<&str>, receives: Option<&str>) -> Result<(ApiKey, String), Error> {
        let id = random_hex(4);
        let secret = format!("pdk_{id}_{}", random_hex(16));
        let now = now_ms();
        sqlx::query("INSERT INTO api_keys (id, name, key_sha256, scopes, created_at, user_id, receives) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&id)
            .bind(name)
            .bind(hash(&secret))
            .bind(scopes.join(","))
            .bind(now)
            .bind(user_id)
            .bind(receives)
            .execute(&self.db.pool)
            .await
            .map_err(Error::query("record an API key"))?;
        let key = ApiKey {
            id,
            name: name.to_owned(),
            scopes: scopes.to_vec(),
            created_at: now,
            revoked_at: None,
            user_id: user_id.map(str::to_owned),
            receives: receives.map(str::to_owned),
        };
        Ok((key, secret))
    }

    /// The unrevoked key a secret belongs to.
    pub async fn verify(&self, secret: &str) -> Result<Option<ApiKey>, Error> {
        let row = sqlx::query(
            "SELECT id, name, scopes, created_at, revoked_at, user_id, receives FROM api_keys WHERE key_sha256 = $1 AND revoked_at IS NULL",
        )
        .bind(hash(secret))
        .fetch_optional(&self.db.pool)
        .await
        .map_err(Error::query("check an API key"))?;
        row.as_ref().map(key_row).transpose()
    }

    /// Every key, oldest first.
    pub async fn list(&self) -> Result<Vec<ApiKey>, Error> {
        let rows = sqlx::query(
            "SELECT id, name, scopes, created_at, revoked_at, user_id, receives FROM api_keys ORDER BY created_at, id",
        )
        .fetch_all(&self.db.pool)
        .await
        .map_err(Error::query("list API keys"))?;
        rows.iter().map(key_row).collect()
    }

    /// Revokes a key; `false` when there is no such unrevoked key.
    pub async fn revoke(&self, id: &str) -> Result<bool, Error> {
        let n =
            sqlx::query("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                .bind(id)
                .bind(now_ms())
                .execute(&self.db.pool)
                .await
                .map_err(Error::query("revoke an API key"))?
                .rows_affected();
        Ok(n == 1)
    }
}

fn hash(secret: &str) -> String {
    to_hex(&Sha256::digest(secret.as_bytes()))
}

fn key_row(r: &sqlx::any::AnyRow) -> Result<ApiKey, Error> {
    let e = Error::query("read an API key");
    let scopes: String = r.try_get(2).map_err(&e)?;
    Ok(ApiKey {
        id: r.try_get(0).map_err(&e)?,
        name: r.try_get(1).map_err(&e)?,
        scopes: scopes
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        created_at: r.try_get(3).map_err(&e)?,
        revoked_at: r.try_get(4).map_err(&e)?,
        user_id: r.try_get(5).map_err(&e)?,
        receives: r.try_get(6).map_err(&e)?,
    })
}
