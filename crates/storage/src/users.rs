//! People who sign in to the web workspace, and their sessions. Passwords are kept
//! only as argon2id hashes; five wrong passwords in a row lock the account for a
//! quarter of an hour. A session is a random token in a cookie, of which only the
//! SHA-256 is stored, with its own CSRF token; it ends after two idle hours, twelve at
//! most, when the user signs out, or when the account is disabled.

use crate::evidence::{random_bytes, random_hex, to_hex};
use crate::time::now_ms;
use crate::Error;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Wrong passwords in a row that lock an account.
pub const MAX_FAILED_SIGN_INS: i64 = 5;
/// How long a locked account stays locked.
pub const LOCK_MS: i64 = 15 * 60 * 1000;
/// A session ends after this long without a request.
pub const IDLE_MS: i64 = 2 * 60 * 60 * 1000;
/// A session ends this long after sign-in, however busy.
pub const LIFETIME_MS: i64 = 12 * 60 * 60 * 1000;

/// A person's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Id (shown in the audit trail as `user:ID`).
    pub id: String,
    /// Sign-in name, lower case.
    pub name: String,
    /// Name shown to others.
    pub display_name: String,
    /// Role, as stored (`agent`, `fraud_analyst`, `supervisor`, `administrator`).
    pub role: String,
    /// Created (ms since 1970 UTC).
    pub created_at: i64,
    /// Disabled, if it was.
    pub disabled_at: Option<i64>,
}

/// One limit of a person's authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    /// `''` for any claim, else `channel:NAME` or `type:NAME`.
    pub scope: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Most minor units approved alone.
    pub max_minor: i64,
}

/// The outcome of a sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// Name and password match an enabled account.
    Accepted(User),
    /// Unknown name, wrong password or disabled account (not told apart, on purpose).
    Refused,
    /// Too many wrong passwords: no sign-in before this time (ms).
    Locked(i64),
}

/// A signed-in session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Whose.
    pub user: User,
    /// The token its forms must carry.
    pub csrf: String,
}

/// What is wrong with a new password, if anything.
pub fn password_problem(password: &str) -> Option<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Some(format!(
            "a password needs at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if password.trim() != password {
        return Some("a password cannot start or end with a space".into());
    }
    None
}

/// The accounts and sessions of one database.
#[derive(Clone)]
pub struct Users {
    db: crate::Database,
}

const USER_COLUMNS: &str = "id, name, display_name, role, created_at, disabled_at";

impl Users {
    /// Accounts in `db`.
    pub fn new(db: crate::Database) -> Users {
        Users { db }
    }

    /// Creates an account; `None` when the name is taken.
    pub async fn create(
        &self,
        name: &str,
        display_name: &str,
        role: &str,
        password: &str,
    ) -> Result<Option<User>, Error> {
        let name = name.trim().to_lowercase();
        if self.by_name(&name).await?.is_some() {
            return Ok(None);
        }
        let hash = hash_password(password).await?;
        let user = User {
            id: format!("usr_{}", random_hex(6)),
            name,
            display_name: display_name.trim().to_owned(),
            role: role.to_owned(),
            created_at: now_ms(),
            disabled_at: None,
        };
        let inserted = sqlx::query(
            "INSERT INTO users (id, name, display_name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&user.id)
        .bind(&user.name)
        .bind(&user.display_name)
        .bind(&user.role)
        .bind(&hash)
        .bind(user.created_at)
        .execute(&self.db.pool)
        .await;
        match inserted {
            Ok(_) => Ok(Some(user)),
            // Another process created the same name at the same moment.
            Err(_) if self.by_name(&user.name).await?.is_some() => Ok(None),
            Err(e) => Err(Error::Query {
                what: "record a user",
                source: e,
            }),
        }
    }

    /// The account with this sign-in name.
    pub async fn by_name(&self, name: &str) -> Result<Option<User>, Error> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE name = $1"))
            .bind(name.trim().to_lowercase())
            .fetch_optional(&self.db.pool)
            .await
            .map_err(Error::query("read a user"))?;
        row.as_ref().map(user_row).transpose()
    }

    /// The account with this id.
    pub async fn by_id(&self, id: &str) -> Result<Option<User>, Error> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(Error::query("read a user"))?;
        row.as_ref().map(user_row).transpose()
    }

    /// Every account, oldest first.
    pub async fn list(&self) -> Result<Vec<User>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY created_at, id"
        ))
        .fetch_all(&self.db.pool)
        .await
        .map_err(Error::query("list users"))?;
        rows.iter().map(user_row).collect()
    }

    /// Checks a name and password, counting wrong passwords towards a lock.
    pub async fn sign_in(&self, name: &str, password: &str) -> Result<SignIn, Error> {
        let row = sqlx::query(
            "SELECT id, password_hash, failed_logins, locked_until, disabled_at FROM users WHERE name = $1",
        )
        .bind(name.trim().to_lowercase())
        .fetch_optional(&self.db.pool)
        .await
        .map_err(Error::query("read a user"))?;
        let Some(row) = row else {
            // Spend the same time as for a known name, so names cannot be probed.
            let dummy = tokio::task::spawn_blocking(dummy_hash).await.unwrap_or_default();
            verify_password(password, dummy).await;
            return Ok(SignIn::Refused);
        };
        let e = Error::query("read a user");
        let id: String = row.try_get(0).map_err(&e)?;
        let stored: String = row.try_get(1).map_err(&e)?;
        let failed: i64 = row.try_get(2).map_err(&e)?;
        let locked_until: Option<i64> = row.try_get(3).map_err(&e)?;
        let disabled: Option<i64> = row.try_get(4).map_err(&e)?;
        let now = now_ms();
        if let Some(until) = locked_until.filter(|&u| u > now) {
            return Ok(SignIn::Locked(until));
        }
        let matches = verify_password(password, stored).await;
        if !matches {
            let failed = failed + 1;
            let lock = (failed >= MAX_FAILED_SIGN_INS).then_some(now + LOCK_MS);
            sqlx::query("UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1")
                .bind(&id)
                .bind(if lock.is_some() { 0 } else { failed })
                .bind(lock)
                .execute(&self.db.pool)
                .await
                .map_err(Error::query("count a failed sign-in"))?;
            return Ok(match lock {
                Some(until) => SignIn::Locked(until),
                None => SignIn::Refused,
            });
        }
        if disabled.is_some() {
            return Ok(SignIn::Refused);
        }
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(&id)
            .execute(&self.db.pool)
            .await
            .map_err(Error::query("record a sign-in"))?;
        Ok(self
            .by_id(&id)
            .await?
            .map_or(SignIn::Refused, SignIn::Accepted))
    }

    /// Sets a new password (and lifts a lock); `false` when there is no such account.
    pub async fn set_password(&self, name: &str, password: &str) -> Result<bool, Error> {
        let hash = hash_password(password).await?;
        let n = sqlx::query(
            "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE name = $1",
        )
        .bind(name.trim().to_lowercase())
        .bind(hash)
        .execute(&self.db.pool)
        .await
        .map_err(Error::query("set a password"))?
        .rows_affected();
        Ok(n == 1)
    }

    /// Disables an account, ends its sessions and revokes its personal tokens; `false`
    /// when there is no such enabled account.
    pub async fn disable(&self, name: &str) -> Result<bool, Error> {
        let Some(user) = self.by_name(name).await? else {
            return Ok(false);
        };
        let n = sqlx::query("UPDATE users SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL")
            .bind(&user.id)
            .bind(now_ms())
            .execute(&self.db.pool)
            .await
            .map_err(Error::query("disable a user"))?
            .rows_affected();
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(&user.id)
            .execute(&self.db.pool)
            .await
            .map_err(Error::query("end a user's sessions"))?;
        sqlx::query("UPDATE api_keys SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(&user.id)
            .bind(now_ms())
            .execute(&self.db.pool)
            .await
            .map_err(Error::query("revoke a user's tokens"))?;
        Ok(n == 1)
    }

    /// Sets what a person may approve alone in a currency, for any claim (`scope` empty)
    /// or for one channel or claim type (`channel:phone`, `type:damage`), replacing the
    /// earlier limit of that scope.
    pub async fn set_authority(&self, user_id: &str, scope: &str, currency: &str, max_minor: i64, set_by: &str) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO user_authority (user_id, scope, currency, max_minor, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (user_id, scope, currency) DO UPDATE SET max_minor = $4, set_by = $5, set_at = $6",
        )
        .bind(user_id)
        .bind(scope)
        .bind(currency)
        .bind(max_minor)
        .bind(set_by)
        .bind(now_ms())
        .execute(&self.db.pool)
        .await
        .map_err(Error::query("set a user's authority"))?;
        Ok(())
    }

    /// Removes a person's limit of one scope and currency; whether there was one.
    pub async fn remove_authority(&self, user_id: &str, scope: &str, currency: &str) -> Result<bool, Error> {
        let n = sqlx::query("DELETE FROM user_authority WHERE user_id = $1 AND scope = $2 AND currency = $3")
            .bind(user_id)
            .bind(scope)
            .bind(currency)
            .execute(&self.db.pool)
            .await
            .map_err(Error::query("remove a user's authority"))?
            .rows_affected();
        Ok(n > 0)
    }

    /// What a person may approve alone: (scope, currency, most minor units), the
    /// general limits (scope empty) first.
    pub async fn authority(&self, user_id: &str) -> Result<Vec<Limit>, Error> {
        let rows = sqlx::query("SELECT scope, currency, max_minor FROM user_authority WHERE user_id = $1 ORDER BY scope, currency")
            .bind(user_id)
            .fetch_all(&self.db.pool)
            .await
            .map_err(Error::query("read a user's authority"))?;
        let e = Error::query("read a user's authority");
        rows.iter()
            .map(|r| {
                Ok(Limit {
                    scope: r.try_get(0).map_err(&e)?,
                    currency: r.try_get(1).map_err(&e)?,
                    max_minor: r.try_get(2).map_err(&e)?,
                })
            })
            .collect()
    }

    /// Records that a person has a relation with a customer (idempotent).
    pub async fn declare_related(&self, user_id: &str, customer_id: &str, declared_by: &str) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO user_related_customers (user_id, customer_id, declared_by, declared_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, customer_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(customer_id.trim())
        .bind(declared_by)
        .bind(now_ms())
        .execute(&self.db.pool)
        .await
        .map_err(Error::query("declare a related customer"))?;
        Ok(())
    }

    /// Whether a person declared a relation with a customer.
    pub async fn is_related(&self, user_id: &str, customer_id: &str) -> Result<bool, Error> {
        let row = sqlx::query("SELECT 1 FROM user_related_customers WHERE user_id = $1 AND customer_id = $2")
            .bind(user_id)
            .bind(customer_id)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(Error::query("check a related customer"))?;
        Ok(row.is_some())
    }

    /// Starts a session; returns the cookie's token (not kept) and the CSRF token.
    pub async fn start_session(&self, user_id: &str) -> Result<(String, String), Error> {
        let token = random_hex(32);
        let csrf = random_hex(32);
        let now = now_ms();
        sqlx::query(
            "INSERT INTO sessions (token_sha256, user_id, csrf, created_at, last_seen, expires_at) VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(&csrf)
        .bind(now)
        .bind(now + IDLE_MS)
        .execute(&self.db.pool)
        .await
        .map_err(Error::query("start a session"))?;
        // Sessions that ran out are of no use to anyone.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
            .execute(&self.db.pool)
            .await
            .map_err(Error::query("remove ended sessions"))?;
        Ok((token, csrf))
    }

    /// The live session of a cookie's token, kept alive by this use.
    pub async fn session(&self, token: &str) -> Result<Option<Session>, Error> {
        let now = now_ms();
        let row = sqlx::query(
            "SELECT s.csrf, s.created_at, s.last_seen, u.id, u.name, u.display_name, u.role, u.created_at, u.disabled_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_sha256 = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL",
        )
        .bind(token_hash(token))
        .bind(now)
        .fetch_optional(&self.db.pool)
        .await
        .map_err(Error::query("read a session"))?;
        let Some(r) = row else { return Ok(None) };
        let e = Error::query("read a session");
        let created: i64 = r.try_get(1).map_err(&e)?;
        let last_seen: i64 = r.try_get(2).map_err(&e)?;
        if created + LIFETIME_MS <= now {
            return Ok(None);
        }
        // Slide the idle limit, at most once a minute to spare the database.
        if now - last_seen > 60_000 {
            sqlx::query("UPDATE sessions SET last_seen = $2, expires_at = $3 WHERE token_sha256 = $1")
                .bind(token_hash(token))
                .bind(now)
                .bind((now + IDLE_MS).min(created + LIFETIME_MS))
                .execute(&self.db.pool)
                .await
                .map_err(Error::query("keep a session alive"))?;
        }
        Ok(Some(Session {
            csrf: r.try_get(0).map_err(&e)?,
            user: User {
                id: r.try_get(3).map_err(&e)?,
                name: r.try_get(4).map_err(&e)?,
                display_name: r.try_get(5).map_err(&e)?,
                role: r.try_get(6).map_err(&e)?,
                created_at: r.try_get(7).map_err(&e)?,
                disabled_at: r.try_get(8).map_err(&e)?,
            },
        }))
    }

    /// Ends a session (signing out).
    pub async fn end_session(&self, token: &str) -> Result<(), Error> {
        sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1")
            .bind(token_hash(token))
            .execute(&self.db.pool)
            .await
            .map_err(Error::query("end a session"))?;
        Ok(())
    }
}

fn token_hash(token: &str) -> String {
    to_hex(&Sha256::digest(token.as_bytes()))
}

/// argon2id with the OWASP parameters (19 MiB, 2 passes), off the async threads.
async fn hash_password(password: &str) -> Result<String, Error> {
    let password = password.to_owned();
    let hashed = tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r);
    hashed.map_err(Error::Password)
}

fn hash_now(password: &str) -> Result<String, String> {
    let salt = SaltString::encode_b64(&random_bytes(16)).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

async fn verify_password(password: &str, stored: String) -> bool {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash of no one's password, to verify against for unknown names.
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| hash_now(&random_hex(16)).unwrap_or_default())
        .clone()
}

fn user_row(r: &sqlx::any::AnyRow) -> Result<User, Error> {
    let e = Error::query("read a user");
    Ok(User {
        id: r.try_get(0).map_err(&e)?,
        name: r.try_get(1).map_err(&e)?,
        display_name: r.try_get(2).map_err(&e)?,
        role: r.try_get(3).map_err(&e)?,
        created_at: r.try_get(4).map_err(&e)?,
        disabled_at: r.try_get(5).map_err(&e)?,
    })
}
