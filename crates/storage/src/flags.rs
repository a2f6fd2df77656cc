//! The insider flags raised so far: one per rule and person, holding the claims
//! behind it. A flag is recorded, with an audit entry, when it first appears and
//! whenever the claims behind it change, so every flag is in the audit trail.

use crate::time::now_ms;
use crate::Error;
use sqlx::Row;

/// A flag as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFlag {
    /// The rule's name.
    pub rule: String,
    /// Whose decisions.
    pub user_id: String,
    /// The claims behind it, sorted.
    pub claims: Vec<String>,
    /// What was seen, in English.
    pub facts_en: String,
    /// What was seen, in Dutch.
    pub facts_nl: String,
    /// First raised (ms).
    pub raised_at: i64,
    /// Its claims last changed (ms).
    pub updated_at: i64,
}

/// A flag to record.
pub struct NewFlag<'a> {
    /// The rule's name.
    pub rule: &'a str,
    /// Whose decisions.
    pub user_id: &'a str,
    /// The claims behind it.
    pub claims: &'a [String],
    /// What was seen, in English.
    pub facts_en: &'a str,
    /// What was seen, in Dutch.
    pub facts_nl: &'a str,
}

/// The flags of one database.
#[derive(Clone)]
pub struct Flags {
    db: crate::Database,
}

impl Flags {
    /// Flags in `db`.
    pub fn new(db: crate::Database) -> Flags {
        Flags { db }
    }

    /// Records a flag unless it is already recorded with the same claims; whether it
    /// was new or changed (and so audited, actor `rules`).
    pub async fn raise(&self, f: &NewFlag<'_>) -> Result<bool, Error> {
        let mut claims = f.claims.to_vec();
        claims.sort();
        claims.dedup();
        let joined = claims.join(" ");
        let now = now_ms();
        let mut tx = self.db.begin_write("start a transaction").await?;
        let before: Option<String> = sqlx::query("SELECT claims FROM insider_flags WHERE rule = $1 AND user_id = $2")
            .bind(f.rule)
            .bind(f.user_id)
            .fetch_optional(&mut *tx)
            .await
            .and_then(|r| r.map(|r| r.try_get(0)).transpose())
            .map_err(Error::query("read a flag"))?;
        if before.as_deref() == Some(joined.as_str()) {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO insider_flags (rule, user_id, claims, facts_en, facts_nl, raised_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (rule, user_id) \
             DO UPDATE SET claims = $3, facts_en = $4, facts_nl = $5, updated_at = $6",
        )
        .bind(f.rule)
        .bind(f.user_id)
        .bind(&joined)
        .bind(f.facts_en)
        .bind(f.facts_nl)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(Error::query("record a flag"))?;
        let detail = format!("{} for user:{}: {} (claims {joined})", f.rule, f.user_id, f.facts_en);
        let entry = crate::audit::Entry { actor: "rules", action: "insider.flag", claim_id: None, detail: &detail };
        crate::audit::append_in(&mut tx, self.db.backend, &entry).await?;
        tx.commit().await.map_err(Error::query("commit a flag"))?;
        Ok(true)
    }

    /// The flags whose claims changed since `since_ms`, newest first.
    pub async fn since(&self, since_ms: i64) -> Result<Vec<StoredFlag>, Error> {
        let rows = sqlx::query(
            "SELECT rule, user_id, claims, facts_en, facts_nl, raised_at, updated_at FROM insider_flags \
             WHERE updated_at >= $1 ORDER BY updated_at DESC, rule, user_id",
        )
        .bind(since_ms)
        .fetch_all(&self.db.pool)
        .await
        .map_err(Error::query("read flags"))?;
        let e = Error::query("read flags");
        rows.iter()
            .map(|r| {
                let claims: String = r.try_get(2).map_err(&e)?;
                Ok(StoredFlag {
                    rule: r.try_get(0).map_err(&e)?,
                    user_id: r.try_get(1).map_err(&e)?,
                    claims: claims.split(' ').filter(|c| !c.is_empty()).map(str::to_owned).collect(),
                    facts_en: r.try_get(3).map_err(&e)?,
                    facts_nl: r.try_get(4).map_err(&e)?,
                    raised_at: r.try_get(5).map_err(&e)?,
                    updated_at: r.try_get(6).map_err(&e)?,
                })
            })
            .collect()
    }
}
