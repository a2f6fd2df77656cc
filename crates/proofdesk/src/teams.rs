//! `proofdesk team add|join|list`: teams and the clients (brands) they serve. Once any
//! team exists, people see and decide only claims of their teams' clients
//! (administrators see all).

use crate::Store;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use proofdesk_storage::audit::{AuditLog, Entry};
use proofdesk_storage::teams::Teams;
use proofdesk_storage::users::Users;
use std::process::ExitCode;

/// `proofdesk team`.
#[derive(Args)]
pub struct TeamArgs {
    #[command(subcommand)]
    command: TeamCommand,
}

#[derive(Subcommand)]
enum TeamCommand {
    /// Create a team serving clients (or add clients to an existing team).
    Add {
        /// The team's name.
        name: String,
        /// The clients (brands) it serves, comma-separated, as claims name them.
        #[arg(long, value_delimiter = ',', required = true)]
        clients: Vec<String>,
    },
    /// Put a person in a team.
    Join {
        /// The team's name.
        team: String,
        /// The person's sign-in name.
        user: String,
    },
    /// List the teams and their clients.
    List,
}

/// Runs `proofdesk team`.
pub fn run(args: TeamArgs, store: &Store) -> Result<ExitCode> {
    let rt = store.runtime()?;
    rt.block_on(async {
        let db = store.open(true).await?.context("no database")?;
        let teams = Teams::new(db.clone());
        let audit = AuditLog::new(db.clone());
        let record = |action: &'static str, detail: String| {
            let audit = audit.clone();
            async move { audit.append(&Entry { actor: "cli", action, claim_id: None, detail: &detail }).await }
        };
        match args.command {
            TeamCommand::Add { name, clients } => {
                let name = name.trim().to_owned();
                let clients: Vec<String> = clients.iter().map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect();
                if name.is_empty() || clients.is_empty() {
                    bail!("a team needs a name and at least one client");
                }
                let id = teams.add(&name, &clients).await?;
                record("team.add", format!("{id} ({name}) serves {}", clients.join(", "))).await?;
                println!("team {name} serves {}", clients.join(", "));
            }
            TeamCommand::Join { team, user } => {
                let Some(u) = Users::new(db.clone()).by_name(&user).await? else {
                    bail!("no user {user}");
                };
                if !teams.join(team.trim(), &u.id).await? {
                    bail!("no team {team}");
                }
                record("team.join", format!("{} ({}) in {team}", u.id, u.name)).await?;
                println!("{} is in team {team}", u.name);
            }
            TeamCommand::List => {
                for (name, clients) in teams.list().await? {
                    println!("{name:<24} {}", clients.join(", "));
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
