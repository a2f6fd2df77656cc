//! What a compliance officer keeps: the register of AI systems, the evaluations
//! recorded for a deployed version, and every edition of the generated AI Act
//! documentation. Each change is in the audit trail, which is where the
//! documentation's change history comes from.

use crate::audit::{append_in, Entry};
use crate::time::now_ms;
use crate::Error;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A system in the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiSystem {
    /// Slug, e.g. `proofdesk-routing`.
    pub id: String,
    /// Name.
    pub name: String,
    /// What it is for.
    pub purpose: String,
    /// The person or role accountable.
    pub owner: String,
    /// Who uses its outputs.
    pub users: String,
    /// What data it uses.
    pub data_used: String,
    /// The questionnaire's yes answers.
    pub answers: Vec<String>,
    /// The risk class the answers give.
    pub risk_class: String,
    /// The reasoning, JSON list of `{en, nl}`.
    pub reasoning_json: String,
    /// Next review (`YYYY-MM-DD`).
    pub review_due: String,
    /// One of proofdesk's own components.
    pub builtin: bool,
    /// First recorded (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
    /// Who changed it last (`user:ID`, `cli`).
    pub updated_by: String,
}

/// A recorded evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// Its number.
    pub id: i64,
    /// `screen` or `detector`.
    pub kind: String,
    /// The proofdesk version evaluated.
    pub proofdesk_version: String,
    /// SHA-256 of the corpus's MANIFEST.csv.
    pub corpus_sha256: String,
    /// The evaluation's JSON document.
    pub document: String,
    /// When (ms).
    pub recorded_at: i64,
    /// Who.
    pub recorded_by: String,
}

/// One edition of the AI Act documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edition {
    /// 1, 2, 3 …
    pub edition: i64,
    /// When (ms).
    pub generated_at: i64,
    /// Who.
    pub generated_by: String,
    /// The proofdesk version it documents.
    pub proofdesk_version: String,
    /// The evaluation it reports, if one was recorded.
    pub evaluation_id: Option<i64>,
    /// SHA-256 of the HTML.
    pub sha256: String,
}

/// The compliance records of one database.
#[derive(Clone)]
pub struct Compliance {
    db: crate::Database,
}

/// The number the next edition gets.
const NEXT_EDITION: &str = "SELECT COALESCE(MAX(edition), 0) + 1 FROM ai_act_documents";

const SYSTEM_COLUMNS: &str = "id, name, purpose, owner, users, data_used, answers, risk_class, reasoning, review_due, builtin, created_at, updated_at, updated_by";

fn system(r: &AnyRow) -> Result<AiSystem, Error> {
    let e = Error::query("read the AI register");
    let answers: String = r.try_get(6).map_err(&e)?;
    Ok(AiSystem {
        id: r.try_get(0).map_err(&e)?,
        name: r.try_get(1).map_err(&e)?,
        purpose: r.try_get(2).map_err(&e)?,
        owner: r.try_get(3).map_err(&e)?,
        users: r.try_get(4).map_err(&e)?,
        data_used: r.try_get(5).map_err(&e)?,
        answers: answers.split(',').filter(|a| !a.is_empty()).map(str::to_owned).collect(),
        risk_class: r.try_get(7).map_err(&e)?,
        reasoning_json: r.try_get(8).map_err(&e)?,
        review_due: r.try_get(9).map_err(&e)?,
        builtin: r.try_get::<i64, _>(10).map_err(&e)? != 0,
        created_at: r.try_get(11).map_err(&e)?,
        updated_at: r.try_get(12).map_err(&e)?,
        updated_by: r.try_get(13).map_err(&e)?,
    })
}

impl Compliance {
    /// The records in `db`.
    pub fn new(db: crate::Database) -> Compliance {
        Compliance { db }
    }

    /// Every system in the register, proofdesk's own first, then by name.
    pub async fn systems(&self) -> Result<Vec<AiSystem>, Error> {
        let sql = format!("SELECT {SYSTEM_COLUMNS} FROM ai_systems ORDER BY builtin DESC, name");
        let rows = sqlx::query(&sql).fetch_all(&self.db.pool).await.map_err(Error::query("read the AI register"))?;
        rows.iter().map(system).collect()
    }

    /// One system, if registered.
    pub async fn system(&self, id: &str) -> Result<Option<AiSystem>, Error> {
        let sql = format!("SELECT {SYSTEM_COLUMNS} FROM ai_systems WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.db.pool).await.map_err(Error::query("read the AI register"))?;
        row.as_ref().map(system).transpose()
    }

    /// Adds a system, or changes it when its id is registered already (the creation
    /// time and builtin mark stay); audited `register.add` or `register.change` with
    /// its class and answers. Returns whether it was new.
    pub async fn save(&self, s: &AiSystem, actor: &str) -> Result<bool, Error> {
        let now = now_ms();
        let mut tx = self.db.begin_write("start a transaction").await?;
        let exists = sqlx::query("SELECT 1 FROM ai_systems WHERE id = $1")
            .bind(&s.id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(Error::query("read the AI register"))?
            .is_some();
        let answers = s.answers.join(",");
        let q = if exists {
            sqlx::query(
                "UPDATE ai_systems SET name = $2, purpose = $3, owner = $4, users = $5, data_used = $6, answers = $7, \
                 risk_class = $8, reasoning = $9, review_due = $10, updated_at = $11, updated_by = $12 WHERE id = $1",
            )
        } else {
            sqlx::query(
                "INSERT INTO ai_systems (id, name, purpose, owner, users, data_used, answers, risk_class, reasoning, review_due, created_at, updated_at, updated_by, builtin) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13)",
            )
        };
        let q = q
            .bind(&s.id)
            .bind(&s.name)
            .bind(&s.purpose)
            .bind(&s.owner)
            .bind(&s.users)
            .bind(&s.data_used)
            .bind(&answers)
            .bind(&s.risk_class)
            .bind(&s.reasoning_json)
            .bind(&s.review_due)
            .bind(now)
            .bind(actor);
        let q = if exists { q } else { q.bind(i64::from(s.builtin)) };
        q.execute(&mut *tx).await.map_err(Error::query("save to the AI register"))?;
        let detail = format!("{}: {} ({}); answers: {}; review {}", s.id, s.name, s.risk_class, if answers.is_empty() { "none" } else { &answers }, s.review_due);
        let action = if exists { "register.change" } else { "register.add" };
        append_in(&mut tx, self.db.backend, &Entry { actor, action, claim_id: None, detail: &detail }).await?;
        tx.commit().await.map_err(Error::query("commit to the AI register"))?;
        Ok(!exists)
    }

    /// Removes a system that is not one of proofdesk's own; whether it was there.
    pub async fn remove(&self, id: &str, actor: &str) -> Result<bool, Error> {
        let mut tx = self.db.begin_write("start a transaction").await?;
        let done = sqlx::query("DELETE FROM ai_systems WHERE id = $1 AND builtin = 0")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(Error::query("remove from the AI register"))?
            .rows_affected()
            > 0;
        if done {
            append_in(&mut tx, self.db.backend, &Entry { actor, action: "register.remove", claim_id: None, detail: id }).await?;
        }
        tx.commit().await.map_err(Error::query("commit to the AI register"))?;
        Ok(done)
    }

    /// Records an evaluation (audited `eval.record`); its number.
    pub async fn record_evaluation(&self, kind: &str, version: &str, corpus_sha256: &str, document: &str, actor: &str) -> Result<i64, Error> {
        let mut tx = self.db.begin_write("start a transaction").await?;
        let id: i64 = sqlx::query(
            "INSERT INTO evaluations (kind, proofdesk_version, corpus_sha256, document, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(kind)
        .bind(version)
        .bind(corpus_sha256)
        .bind(document)
        .bind(now_ms())
        .bind(actor)
        .fetch_one(&mut *tx)
        .await
        .and_then(|r| r.try_get(0))
        .map_err(Error::query("record an evaluation"))?;
        let detail = format!("evaluation {id}: {kind} of proofdesk {version} on corpus {}", &corpus_sha256[..corpus_sha256.len().min(12)]);
        append_in(&mut tx, self.db.backend, &Entry { actor, action: "eval.record", claim_id: None, detail: &detail }).await?;
        tx.commit().await.map_err(Error::query("commit an evaluation"))?;
        Ok(id)
    }

    /// The latest evaluation of a kind for a version (any version when `None`).
    pub async fn latest_evaluation(&self, kind: &str, version: Option<&str>) -> Result<Option<Evaluation>, Error> {
        let row = sqlx::query(
            "SELECT id, kind, proofdesk_version, corpus_sha256, document, recorded_at, recorded_by FROM evaluations \
             WHERE kind = $1 AND ($2 = '' OR proofdesk_version = $2) ORDER BY recorded_at DESC, id DESC LIMIT 1",
        )
        .bind(kind)
        .bind(version.unwrap_or(""))
        .fetch_optional(&self.db.pool)
        .await
        .map_err(Error::query("read evaluations"))?;
        let e = Error::query("read evaluations");
        row.map(|r| {
            Ok(Evaluation {
                id: r.try_get(0).map_err(&e)?,
                kind: r.try_get(1).map_err(&e)?,
                proofdesk_version: r.try_get(2).map_err(&e)?,
                corpus_sha256: r.try_get(3).map_err(&e)?,
                document: r.try_get(4).map_err(&e)?,
                recorded_at: r.try_get(5).map_err(&e)?,
                recorded_by: r.try_get(6).map_err(&e)?,
            })
        })
        .transpose()
    }

    /// Stores a new edition of the documentation (audited `report.ai-act`); its number.
    pub async fn add_edition(&self, by: &str, version: &str, evaluation_id: Option<i64>, sha256: &str, html: &str) -> Result<i64, Error> {
        let mut tx = self.db.begin_write("start a transaction").await?;
        let edition: i64 = sqlx::query(NEXT_EDITION)
            .fetch_one(&mut *tx)
            .await
            .and_then(|r| r.try_get(0))
            .map_err(Error::query("number an edition"))?;
        sqlx::query(
            "INSERT INTO ai_act_documents (edition, generated_at, generated_by, proofdesk_version, evaluation_id, sha256, html) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(edition)
        .bind(now_ms())
        .bind(by)
        .bind(version)
        .bind(evaluation_id)
        .bind(sha256)
        .bind(html)
        .execute(&mut *tx)
        .await
        .map_err(Error::query("store an edition"))?;
        let detail = format!("edition {edition} for proofdesk {version}, sha256 {sha256}");
        append_in(&mut tx, self.db.backend, &Entry { actor: by, action: "report.ai-act", claim_id: None, detail: &detail }).await?;
        tx.commit().await.map_err(Error::query("commit an edition"))?;
        Ok(edition)
    }

    /// The number the next edition will get.
    pub async fn next_edition(&self) -> Result<i64, Error> {
        sqlx::query(NEXT_EDITION)
            .fetch_one(&self.db.pool)
            .await
            .and_then(|r| r.try_get(0))
            .map_err(Error::query("number an edition"))
    }

    /// Every edition, newest first.
    pub async fn editions(&self) -> Result<Vec<Edition>, Error> {
        let rows = sqlx::query(
            "SELECT edition, generated_at, generated_by, proofdesk_version, evaluation_id, sha256 FROM ai_act_documents ORDER BY edition DESC",
        )
        .fetch_all(&self.db.pool)
        .await
        .map_err(Error::query("read editions"))?;
        let e = Error::query("read editions");
        rows.iter()
            .map(|r| {
                Ok(Edition {
                    edition: r.try_get(0).map_err(&e)?,
                    generated_at: r.try_get(1).map_err(&e)?,
                    generated_by: r.try_get(2).map_err(&e)?,
                    proofdesk_version: r.try_get(3).map_err(&e)?,
                    evaluation_id: r.try_get(4).map_err(&e)?,
                    sha256: r.try_get(5).map_err(&e)?,
                })
            })
            .collect()
    }

    /// One edition's HTML.
    pub async fn edition_html(&self, edition: i64) -> Result<Option<String>, Error> {
        sqlx::query("SELECT html FROM ai_act_documents WHERE edition = $1")
            .bind(edition)
            .fetch_optional(&self.db.pool)
            .await
            .and_then(|r| r.map(|r| r.try_get(0)).transpose())
            .map_err(Error::query("read an edition"))
    }

    /// Records `policy.change` when the policy in force (`source`: its file and
    /// SHA-256) differs from the one last recorded; whether it did.
    pub async fn note_policy(&self, source: &str) -> Result<bool, Error> {
        let last: Option<String> = sqlx::query("SELECT detail FROM audit_log WHERE action = 'policy.change' ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.db.pool)
            .await
            .and_then(|r| r.map(|r| r.try_get(0)).transpose())
            .map_err(Error::query("read the policy history"))?;
        if last.as_deref() == Some(source) {
            return Ok(false);
        }
        crate::audit::AuditLog::new(self.db.clone())
            .append(&Entry { actor: "serve", action: "policy.change", claim_id: None, detail: source })
            .await?;
        Ok(true)
    }

    /// The audit entries the change history is made of (register, evaluations,
    /// editions, policy and key changes), oldest first.
    pub async fn change_history(&self) -> Result<Vec<(i64, String, String, String)>, Error> {
        let rows = sqlx::query(
            "SELECT at, actor, action, detail FROM audit_log WHERE action IN \
             ('register.add', 'register.change', 'register.remove', 'eval.record', 'report.ai-act', 'policy.change', 'keys.rotate', 'audit.prune') \
             ORDER BY seq",
        )
        .fetch_all(&self.db.pool)
        .await
        .map_err(Error::query("read the change history"))?;
        let e = Error::query("read the change history");
        rows.iter()
            .map(|r| Ok((r.try_get(0).map_err(&e)?, r.try_get(1).map_err(&e)?, r.try_get(2).map_err(&e)?, r.try_get(3).map_err(&e)?)))
            .collect()
    }
}
