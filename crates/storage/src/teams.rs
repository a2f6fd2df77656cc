//! Teams and the clients (brands) they serve. A person in teams sees and decides only
//! claims of the clients those teams serve; an administrator, or anyone while no team
//! exists (one organisation deciding its own claims), sees every claim.

use crate::evidence::random_hex;
use crate::time::now_ms;
use crate::Error;
use sqlx::Row;

/// Which claims a person may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every claim.
    All,
    /// Only claims of these clients (none: no claim at all).
    Clients(Vec<String>),
}

impl Scope {
    /// Whether a claim of `client` is within the scope.
    pub fn allows(&self, client: Option<&str>) -> bool {
        match self {
            Scope::All => true,
            Scope::Clients(list) => client.is_some_and(|c| list.iter().any(|l| l == c)),
        }
    }
}

/// The teams of one database.
#[derive(Clone)]
pub struct Teams {
    db: crate::Database,
}

impl Teams {
    /// Teams in `db`.
    pub fn new(db: crate::Database) -> Teams {
        Teams { db }
    }

    /// Creates a team serving `clients`, or adds the clients to an existing team;
    /// returns the team's id.
    pub async fn add(&self, name: &str, clients: &[String]) -> Result<String, Error> {
        let found = sqlx::query("SELECT id FROM teams WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(Error::query("read a team"))?;
        let id = match found {
            Some(r) => r.try_get(0).map_err(Error::query("read a team"))?,
            None => {
                let id = format!("team_{}", random_hex(6));
                sqlx::query("INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3)")
                    .bind(&id)
                    .bind(name)
                    .bind(now_ms())
                    .execute(&self.db.pool)
                    .await
                    .map_err(Error::query("record a team"))?;
                id
            }
        };
        for c in clients {
            sqlx::query("INSERT INTO team_clients (team_id, client) VALUES ($1, $2) ON CONFLICT (team_id, client) DO NOTHING")
                .bind(&id)
                .bind(c)
                .execute(&self.db.pool)
                .await
                .map_err(Error::query("record a team's client"))?;
        }
        Ok(id)
    }

    /// Puts a person in a team; `false` when there is no such team.
    pub async fn join(&self, team: &str, user_id: &str) -> Result<bool, Error> {
        let Some(row) = sqlx::query("SELECT id FROM teams WHERE name = $1")
            .bind(team)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(Error::query("read a team"))?
        else {
            return Ok(false);
        };
        let id: String = row.try_get(0).map_err(Error::query("read a team"))?;
        sqlx::query("INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT (team_id, user_id) DO NOTHING")
            .bind(&id)
            .bind(user_id)
            .execute(&self.db.pool)
            .await
            .map_err(Error::query("add a team member"))?;
        Ok(true)
    }

    /// Every team with its clients, by name.
    pub async fn list(&self) -> Result<Vec<(String, Vec<String>)>, Error> {
        let rows = sqlx::query(
            "SELECT t.name, c.client FROM teams t LEFT JOIN team_clients c ON c.team_id = t.id ORDER BY t.name, c.client",
        )
        .fetch_all(&self.db.pool)
        .await
        .map_err(Error::query("list teams"))?;
        let e = Error::query("list teams");
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for r in &rows {
            let name: String = r.try_get(0).map_err(&e)?;
            let client: Option<String> = r.try_get(1).map_err(&e)?;
            if out.last().map(|l| &l.0) != Some(&name) {
                out.push((name, Vec::new()));
            }
            if let (Some(c), Some(last)) = (client, out.last_mut()) {
                last.1.push(c);
            }
        }
        Ok(out)
    }

    /// Every person's teams: `(user id, team name)`.
    pub async fn memberships(&self) -> Result<Vec<(String, String)>, Error> {
        let rows = sqlx::query("SELECT m.user_id, t.name FROM team_members m JOIN teams t ON t.id = m.team_id ORDER BY t.name")
            .fetch_all(&self.db.pool)
            .await
            .map_err(Error::query("read team members"))?;
        let e = Error::query("read team members");
        rows.iter()
            .map(|r| Ok((r.try_get(0).map_err(&e)?, r.try_get(1).map_err(&e)?)))
            .collect()
    }

    /// Which claims a person sees (`administrator`: all; `compliance_officer`: none).
    pub async fn scope(&self, user_id: &str, role: &str) -> Result<Scope, Error> {
        if role == "administrator" {
            return Ok(Scope::All);
        }
        if role == "compliance_officer" {
            // Figures, never a claim: the compliance reports are not scoped by client.
            return Ok(Scope::Clients(Vec::new()));
        }
        let any: Option<sqlx::any::AnyRow> = sqlx::query("SELECT id FROM teams LIMIT 1")
            .fetch_optional(&self.db.pool)
            .await
            .map_err(Error::query("read teams"))?;
        if any.is_none() {
            return Ok(Scope::All);
        }
        let rows = sqlx::query(
            "SELECT DISTINCT c.client FROM team_members m JOIN team_clients c ON c.team_id = m.team_id WHERE m.user_id = $1 ORDER BY c.client",
        )
        .bind(user_id)
        .fetch_all(&self.db.pool)
        .await
        .map_err(Error::query("read a person's clients"))?;
        let e = Error::query("read a person's clients");
        Ok(Scope::Clients(rows.iter().map(|r| r.try_get(0).map_err(&e)).collect::<Result<_, _>>()?))
    }
}
