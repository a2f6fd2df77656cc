//! `proofdesk user add|list|set-password|set-authority|disable`: the people who sign
//! in to the web workspace, and what they may approve alone. The first administrator is made here; passwords are asked for without
//! echo on a terminal, or read from the first line of standard input with
//! `--password-stdin` (for scripts), never taken as an argument.

use crate::Store;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use proofdesk_domain::authority::{LimitScope, Money};
use proofdesk_storage::decisions::Decisions;
use proofdesk_domain::decision::Role;
use proofdesk_storage::audit::{AuditLog, Entry};
use proofdesk_storage::time::{format_rfc3339, format_utc};
use proofdesk_storage::users::{password_problem, Users};
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

/// `proofdesk user`.
#[derive(Args)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account (sign-in names are case-insensitive).
    Add {
        /// Sign-in name.
        name: String,
        /// agent, fraud_analyst, supervisor or administrator.
        #[arg(long)]
        role: String,
        /// Name shown to colleagues (default: the sign-in name).
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List {
        /// JSON (`{schema: "proofdesk.users/1", users: [{id, name, display_name, role, created_at, disabled_at}]}`).
        #[arg(long)]
        json: bool,
    },
    /// Set a new password (also lifts a lock after wrong passwords).
    SetPassword {
        /// Sign-in name.
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set what a person may approve alone in a currency, e.g. `250EUR` (0 for nothing),
    /// for any claim or only for one channel or claim type (which then replaces the
    /// general limit for those claims; where both apply, the lower one counts).
    SetAuthority {
        /// Sign-in name.
        name: String,
        /// The most they may approve alone, with its currency: `250EUR`, `1000.00 GBP`.
        amount: String,
        /// Only for claims that came in through this channel (web, email, phone, app, chat, store, other).
        #[arg(long, conflicts_with = "claim_type")]
        channel: Option<String>,
        /// Only for claims of this type (`damage`, `not-delivered`, …).
        #[arg(long)]
        claim_type: Option<String>,
        /// Remove this limit instead of setting it (the amount's value is ignored; its currency counts).
        #[arg(long)]
        remove: bool,
    },
    /// Declare that this person has a relation with a customer (pseudonymous id): they
    /// will never decide or approve that customer's claims.
    Relate {
        /// Sign-in name.
        name: String,
        /// The customer's pseudonymous id, as claims carry it.
        customer_id: String,
    },
    /// Make a personal API token acting as this person (printed once), for deciding
    /// through `POST /v1/claims/{id}/decisions`.
    Token {
        /// Sign-in name.
        name: String,
    },
    /// Disable an account, end its sessions and revoke its tokens (its decisions stay on record).
    Disable {
        /// Sign-in name.
        name: String,
    },
}

/// Runs `proofdesk user`.
pub fn run(args: UserArgs, store: &Store) -> Result<ExitCode> {
    let rt = store.runtime()?;
    rt.block_on(async {
        let db = store.open(true).await?.context("no database")?;
        let users = Users::new(db.clone());
        let db_for_keys = db.clone();
        let audit = AuditLog::new(db);
        let record = |action: &'static str, detail: String| {
            let audit = audit.clone();
            async move {
                audit
                    .append(&Entry { actor: "cli", action, claim_id: None, detail: &detail })
                    .await
            }
        };
        match args.command {
            UserCommand::Add { name, role, display_name, password_stdin } => {
                let Some(role) = Role::parse(&role) else {
                    bail!("unknown role {role}: use agent, fraud_analyst, supervisor or administrator");
                };
                let name = name.trim().to_lowercase();
                if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_alphanumeric() || ".-_@".contains(c)) {
                    bail!("a sign-in name is 1–64 letters, digits, or . - _ @");
                }
                let password = password(password_stdin)?;
                let display = display_name.unwrap_or_else(|| name.clone());
                let Some(user) = users.create(&name, &display, role.as_str(), &password).await? else {
                    bail!("there is already a user {name}");
                };
                record("user.create", format!("{} ({}) as {}", user.id, user.name, role.as_str())).await?;
                println!("created {} ({}) as {}", user.name, user.id, role.as_str());
            }
            UserCommand::List { json } => {
                let list = users.list().await?;
                if json {
                    let rows: Vec<_> = list.iter().map(|u| serde_json::json!({
                        "id": u.id, "name": u.name, "display_name": u.display_name, "role": u.role,
                        "created_at": format_rfc3339(u.created_at),
                        "disabled_at": u.disabled_at.map(format_rfc3339),
                    })).collect();
                    println!("{}", serde_json::json!({"schema": "proofdesk.users/1", "users": rows}));
                } else {
                    for u in list {
                        let state = u.disabled_at.map_or("active".to_owned(), |t| format!("disabled {}", format_utc(t)));
                        println!("{}  {:<20} {:<14} {:<24} created {}  {state}", u.id, u.name, u.role, u.display_name, format_utc(u.created_at));
                    }
                }
            }
            UserCommand::SetPassword { name, password_stdin } => {
                let password = password(password_stdin)?;
                if !users.set_password(&name, &password).await? {
                    bail!("no user {name}");
                }
                record("user.set-password", name.trim().to_lowercase()).await?;
                println!("new password set for {}", name.trim().to_lowercase());
            }
            UserCommand::SetAuthority { name, amount, channel, claim_type, remove } => {
                let money = Money::parse(&amount).map_err(|e| anyhow::anyhow!("{e}"))?;
                let scope = LimitScope::from_parts(channel.as_deref(), claim_type.as_deref()).map_err(|e| anyhow::anyhow!("{e}"))?;
                let Some(user) = users.by_name(&name).await? else {
                    bail!("no user {name}");
                };
                let stored = scope.as_ref().map_or(String::new(), LimitScope::as_stored);
                let applies = scope.as_ref().map_or("any claim".to_owned(), |s| s.describe().en);
                if remove {
                    if !users.remove_authority(&user.id, &stored, &money.currency).await? {
                        bail!("{} has no {} limit for {applies}", user.name, money.currency);
                    }
                    record("user.remove-authority", format!("{} ({}) {} for {applies}", user.id, user.name, money.currency)).await?;
                    println!("{} no longer has a {} limit for {applies}", user.name, money.currency);
                } else {
                    users.set_authority(&user.id, &stored, &money.currency, money.minor, "cli").await?;
                    record("user.set-authority", authority_detail(&user, &money, scope.as_ref())).await?;
                    println!("{} may approve up to {} alone for {applies}", user.name, money.display());
                }
            }
            UserCommand::Relate { name, customer_id } => {
                let Some(user) = users.by_name(&name).await? else {
                    bail!("no user {name}");
                };
                let customer = customer_id.trim();
                if customer.is_empty() || customer.len() > 200 {
                    bail!("a customer id is 1–200 characters");
                }
                users.declare_related(&user.id, customer, "cli").await?;
                record("user.relate", format!("{} ({}) declared a relation with customer {customer}", user.id, user.name)).await?;
                println!("{} will not decide claims of customer {customer}", user.name);
            }
            UserCommand::Token { name } => {
                let Some(user) = users.by_name(&name).await? else {
                    bail!("no user {name}");
                };
                if user.disabled_at.is_some() {
                    bail!("{} is disabled", user.name);
                }
                if Role::parse(&user.role).is_some_and(|r| !r.handles_claims()) {
                    bail!("{} is a {}, who reads and decides no claims, so needs no token", user.name, user.role.replace('_', " "));
                }
                let keys = proofdesk_storage::api_keys::ApiKeys::new(db_for_keys.clone());
                let (key, secret) = keys.create_personal(&format!("personal: {}", user.name), &user.id).await?;
                record("user.token", format!("key {} for {} ({})", key.id, user.id, user.name)).await?;
                println!("{secret}");
                eprintln!("personal token {} for {}: shown once, store it now; it decides as {}.", key.id, user.name, user.name);
            }
            UserCommand::Disable { name } => {
                let pending = match users.by_name(&name).await? {
                    Some(u) => Decisions::new(db_for_keys.clone()).awaiting_second_after(&u.id).await?,
                    None => Vec::new(),
                };
                if !users.disable(&name).await? {
                    bail!("no active user {name}");
                }
                record("user.disable", name.trim().to_lowercase()).await?;
                println!("disabled {}", name.trim().to_lowercase());
                if !pending.is_empty() {
                    println!(
                        "{} claim(s) they approved still await a second approval: {}. Their approval stands; another person whose authority covers the amount completes or changes each.",
                        pending.len(),
                        pending.join(", ")
                    );
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The audit detail of an authority change: `ID (name) EUR 250.00[ for claims by phone]`.
pub fn authority_detail(user: &proofdesk_storage::users::User, money: &Money, scope: Option<&LimitScope>) -> String {
    let applies = scope.map_or(String::new(), |s| format!(" for {}", s.describe().en));
    format!("{} ({}) {} {}.{:02}{applies}", user.id, user.name, money.currency, money.minor / 100, money.minor % 100)
}

/// A new password: from standard input's first line, or asked twice on the terminal.
fn password(from_stdin: bool) -> Result<String> {
    let pw = if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("read the password")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        let first = rpassword::prompt_password("Password: ").context("read the password")?;
        let again = rpassword::prompt_password("Again: ").context("read the password")?;
        if first != again {
            bail!("the two passwords differ");
        }
        first
    };
    if let Some(problem) = password_problem(&pw) {
        bail!("{problem}");
    }
    Ok(pw)
}
