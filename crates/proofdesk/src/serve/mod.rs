//! `proofdesk serve` and `proofdesk worker`: the HTTP API that takes claims in, and
//! the workers that screen and route them. Both open the same database (SQLite in the
//! data directory, or PostgreSQL) and evidence store, so API servers and workers can
//! run on different machines.

/// Writes a line to the server's log with personal data redacted: nothing a customer
/// typed (a BSN, an account number, an address) reaches the log as it was.
macro_rules! log {
    ($($arg:tt)*) => { $crate::serve::log_line(&format!($($arg)*)) };
}

/// The log line, redacted ([`proofdesk_domain::personal_data::redact`]).
pub fn log_line(line: &str) {
    eprintln!("{}", proofdesk_domain::personal_data::redact(line));
}

mod claims;
mod customer;
mod deciding;
mod decisions_api;
mod evidence_requests;
mod insider;
mod key_reload;
mod openapi;
mod problem;
mod retention_api;
mod subjects_api;
mod upload;
pub(crate) mod web;
mod webhook;
mod worker;

use crate::Store;
use anyhow::{Context, Result};
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{Json, Router};
use clap::Args;
use proofdesk_domain::disclosure::Receives;
use proofdesk_domain::routing::Policy;
use proofdesk_storage::api_keys::{ApiKey, ApiKeys};
use proofdesk_storage::audit::{AuditLog, Entry};
use proofdesk_storage::claims::Claims;
use proofdesk_storage::decisions::Decisions;
use proofdesk_storage::flags::Flags;
use proofdesk_storage::requests::Requests;
use proofdesk_storage::teams::Teams;
use proofdesk_storage::users::Users;
use proofdesk_storage::evidence::{EvidenceStore, Keyring};
use proofdesk_storage::jobs::Queue;
use proofdesk_storage::reuse::ReuseIndex;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::sync::{Mutex, Notify};

/// What every handler and worker shares.
pub struct App {
    claims: Claims,
    keys: ApiKeys,
    audit: AuditLog,
    /// People who sign in to the workspace, and their sessions.
    users: Users,
    /// People's decisions on claims.
    decisions: Decisions,
    /// Teams and the clients they serve (who sees which claims).
    teams: Teams,
    /// The insider flags raised.
    flags: Flags,
    /// Requests to customers for better evidence.
    requests: Requests,
    /// What the customer pages say, and where their links point.
    customer: customer::Settings,
    /// Requests counted per link and address on the customer pages.
    limiter: customer::Limiter,
    /// Heatmaps rendered for the workspace lately.
    heatmaps: web::files::HeatmapCache,
    store: EvidenceStore,
    /// Woken when a claim arrives, so an idle worker starts at once.
    wake: Notify,
    /// Largest request body, in bytes.
    max_request: usize,
    /// Weights and bands for routing.
    policy: Policy,
    /// Where the policy came from (its file and SHA-256, or the defaults).
    policy_source: String,
    /// The database, for the compliance reports.
    db: proofdesk_storage::Database,
    /// The AI register, evaluations and documentation editions.
    compliance: proofdesk_storage::compliance::Compliance,
    /// Where to announce screened claims, if anywhere.
    webhook: Option<webhook::Webhook>,
}

/// Where evidence is and the keys that open it (`serve`, `worker`, `subject`).
#[derive(Args)]
pub struct EvidenceArgs {
    /// Evidence key file: lines `id=64 hex digits`, the last encrypts new evidence
    /// (default: DATA_DIR/keys/evidence.keys, created with a new key when missing).
    #[arg(long, env = "PROOFDESK_EVIDENCE_KEY_FILE")]
    evidence_key_file: Option<PathBuf>,
    /// Evidence keys given in the environment instead of a file (for containers and
    /// secret managers): `id=HEX` entries separated by `;` or newlines, the last
    /// encrypts. Only as a variable, so keys stay out of process listings.
    #[arg(
        long = "evidence-keys-from-env",
        hide = true,
        env = "PROOFDESK_EVIDENCE_KEYS",
        hide_env_values = true,
        conflicts_with = "evidence_key_file"
    )]
    evidence_keys: Option<String>,
    /// Evidence store: a directory, or `s3://BUCKET[/PREFIX]` for any S3-compatible
    /// server (credentials from `AWS_*`, `AWS_ENDPOINT_URL` for non-AWS servers);
    /// default DATA_DIR/evidence.
    #[arg(long, env = "PROOFDESK_EVIDENCE_STORE")]
    evidence_store: Option<String>,
    /// Seal each customer's new evidence with a key of their own, kept wrapped in the
    /// database; erasing the customer destroys it, so copies in backups cannot be read.
    #[arg(long, env = "PROOFDESK_PER_CUSTOMER_KEYS")]
    per_customer_keys: bool,
}

/// Options shared by `serve` and `worker`.
#[derive(Args)]
pub struct Common {
    #[command(flatten)]
    evidence: EvidenceArgs,
    /// Seconds a worker holds a job before another may take it over.
    #[arg(long, default_value_t = 120)]
    lease_seconds: u64,
    /// Routing policy (TOML: band thresholds, weights per category or signal);
    /// proofdesk's defaults without it.
    #[arg(long, env = "PROOFDESK_POLICY")]
    policy: Option<PathBuf>,
    /// URL to POST a signed `claim.screened` event to when a claim is screened.
    #[arg(long, env = "PROOFDESK_WEBHOOK_URL", requires = "webhook_secret_file")]
    webhook_url: Option<String>,
    /// File holding the webhook's shared HMAC secret (at least 16 characters).
    #[arg(long, env = "PROOFDESK_WEBHOOK_SECRET_FILE")]
    webhook_secret_file: Option<PathBuf>,
    /// What the webhook receives besides the outcome: data categories
    /// `customer,context,evidence,positions`, or `none`.
    #[arg(long, env = "PROOFDESK_WEBHOOK_RECEIVES", default_value = "customer")]
    webhook_receives: String,
    /// The address customers reach proofdesk at (`https://claims.example.nl`), for the
    /// links in evidence requests; default: the host the request came to.
    #[arg(long, env = "PROOFDESK_PUBLIC_URL")]
    public_url: Option<String>,
    /// How customers reach a person, as shown on their page ("Bel 020 123 45 67").
    #[arg(long, env = "PROOFDESK_CUSTOMER_CONTACT")]
    customer_contact: Option<String>,
    /// Days evidence is kept after a claim is closed, as the customer page tells them.
    #[arg(long, env = "PROOFDESK_RETENTION_DAYS", default_value_t = 365)]
    retention_days: u32,
    /// Hours an evidence request's link works unless the request says otherwise.
    #[arg(long, env = "PROOFDESK_EVIDENCE_REQUEST_HOURS", default_value_t = 72)]
    evidence_request_hours: i64,
}

/// `proofdesk serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "PROOFDESK_LISTEN")]
    listen: String,
    /// Screening workers inside this process (0: the API only; run `proofdesk worker`).
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Largest request (a claim with its files), in MiB.
    #[arg(long, default_value_t = 64)]
    max_request_mib: usize,
    /// Apply the retention periods every this many hours, the first time ten minutes
    /// after the start (0: never; then run `proofdesk retention run` from a timer).
    #[arg(long, env = "PROOFDESK_RETENTION_EVERY_HOURS", default_value_t = 24)]
    retention_every_hours: u64,
    #[command(flatten)]
    common: Common,
}

/// `proofdesk worker`.
#[derive(Args)]
pub struct WorkerArgs {
    /// Screening workers in this process.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    #[command(flatten)]
    common: Common,
}

/// The key file the options name (the default one in the data directory), or `None`
/// when the keys come from the environment.
pub fn key_file(store: &Store, args: &EvidenceArgs) -> Option<PathBuf> {
    if args.evidence_keys.is_some() {
        return None;
    }
    Some(args.evidence_key_file.clone().unwrap_or_else(|| store.data_dir.join("keys").join("evidence.keys")))
}

/// The evidence store and its keys, as the options say (the key file is created with
/// a new key when missing and not named).
pub fn evidence_store(store: &Store, args: &EvidenceArgs, db: &proofdesk_storage::Database) -> Result<EvidenceStore> {
    let key_file = args
        .evidence_key_file
        .clone()
        .unwrap_or_else(|| store.data_dir.join("keys").join("evidence.keys"));
    let keys = if let Some(text) = &args.evidence_keys {
        Keyring::parse(&text.replace(';', "\n")).context("PROOFDESK_EVIDENCE_KEYS")?
    } else if args.evidence_key_file.is_some() {
        Keyring::from_file(&key_file)?
    } else {
        let (keys, created) = Keyring::open_or_create(&key_file)?;
        if created {
            log!("proofdesk: created evidence key {} in {}: keep a copy, evidence cannot be read without it", keys.current_id(), key_file.display());
        }
        keys
    };
    let evidence = match args.evidence_store.as_deref() {
        Some(url) if url.starts_with("s3://") => EvidenceStore::s3(url, keys)?,
        Some(dir) => EvidenceStore::local(std::path::Path::new(dir), keys)?,
        None => EvidenceStore::local(&store.data_dir.join("evidence"), keys)?,
    };
    Ok(evidence.with_customer_keys(db.clone(), args.per_customer_keys))
}

async fn open(
    store: &Store,
    common: &Common,
    max_request: usize,
) -> Result<(Arc<App>, proofdesk_storage::Database)> {
    let db = store.open(true).await?.context("no database")?;
    let evidence = evidence_store(store, &common.evidence, &db)?;
    let (policy, policy_source) = crate::compliance::load_policy_and_source(common.policy.as_deref())?;
    let compliance = proofdesk_storage::compliance::Compliance::new(db.clone());
    compliance.note_policy(&policy_source).await?;
    let app = App {
        claims: Claims::new(db.clone()),
        keys: ApiKeys::new(db.clone()),
        audit: AuditLog::new(db.clone()),
        users: Users::new(db.clone()),
        decisions: Decisions::new(db.clone()),
        teams: Teams::new(db.clone()),
        flags: Flags::new(db.clone()),
        requests: Requests::new(db.clone()),
        customer: customer::Settings {
            contact: common.customer_contact.clone(),
            retention_days: common.retention_days,
            request_hours: common.evidence_request_hours.clamp(1, evidence_requests::MAX_HOURS),
            public_url: common.public_url.clone(),
        },
        limiter: Default::default(),
        heatmaps: Default::default(),
        store: evidence,
        wake: Notify::new(),
        max_request,
        policy,
        policy_source,
        db: db.clone(),
        compliance,
        webhook: match (&common.webhook_url, &common.webhook_secret_file) {
            (Some(url), Some(secret)) => {
                let receives = Receives::parse(&common.webhook_receives).map_err(|e| anyhow::anyhow!("--webhook-receives: {e}"))?;
                Some(webhook::Webhook::new(url, secret, receives)?)
            }
            _ => None,
        },
    };
    Ok((Arc::new(app), db))
}

async fn start_workers(
    app: &Arc<App>,
    db: &proofdesk_storage::Database,
    n: usize,
    lease_seconds: u64,
) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    let index = Arc::new(Mutex::new(ReuseIndex::open(db.clone()).await?));
    for k in 0..n {
        let name = format!("{}-{}-{k}", hostname(), std::process::id());
        let queue = Queue::new(db.clone(), &name, lease_seconds.saturating_mul(1000) as i64);
        tokio::spawn(worker::run(app.clone(), queue, index.clone()));
    }
    Ok(())
}

/// Applies retention now and then, for the life of the server; several servers doing
/// it at once is harmless (each step happens once).
async fn retain(app: Arc<App>, db: proofdesk_storage::Database, every_hours: u64) {
    tokio::time::sleep(std::time::Duration::from_secs(600)).await;
    loop {
        match crate::retention::apply(&db, &app.store, &app.policy.retention, false).await {
            Ok(r) => {
                if !r.evidence_deleted.is_empty() {
                    app.heatmaps.clear();
                }
                log!(
                "proofdesk retention: evidence of {} claims deleted ({} files), {} contexts pseudonymised, {} claims on hold",
                r.evidence_deleted.len(),
                r.blobs_deleted,
                r.pseudonymised.len(),
                r.on_hold
            )
            }
            Err(e) => log!("proofdesk retention: could not run: {e:#}"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(every_hours.saturating_mul(3600))).await;
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "worker".into())
}

impl App {
    /// The API key in the `Authorization: Bearer` header, when it has `scope`.
    async fn authorize(
        &self,
        headers: &axum::http::HeaderMap,
        scope: &str,
    ) -> Result<ApiKey, problem::Problem> {
        let given = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| problem::Problem::unauthorized("send `Authorization: Bearer <key>`; create a key with `proofdesk api-key create`"))?;
        let key = self
            .keys
            .verify(given)
            .await
            .map_err(|e| problem::Problem::unavailable(e.to_string()))?
            .ok_or_else(|| {
                problem::Problem::unauthorized("this API key is unknown or was revoked")
            })?;
        if !key.allows(scope) {
            return Err(problem::Problem::forbidden(scope));
        }
        Ok(key)
    }

    /// Which claims a key may see: an integration key all, a personal token its
    /// person's (their teams' clients).
    async fn scope_of(&self, key: &ApiKey) -> Result<proofdesk_storage::teams::Scope, problem::Problem> {
        let Some(user_id) = &key.user_id else {
            return Ok(proofdesk_storage::teams::Scope::All);
        };
        let unavailable = |e: proofdesk_storage::Error| problem::Problem::unavailable(e.to_string());
        let user = self.users.by_id(user_id).await.map_err(unavailable)?;
        let role = user.map(|u| u.role).unwrap_or_default();
        self.teams.scope(user_id, &role).await.map_err(unavailable)
    }

    /// Appends to the audit trail; an entry that cannot be written fails the request,
    /// so nothing happens unrecorded.
    async fn record(
        &self,
        actor: &str,
        action: &str,
        claim_id: Option<&str>,
        detail: &str,
    ) -> Result<(), problem::Problem> {
        self.audit
            .append(&Entry {
                actor,
                action,
                claim_id,
                detail,
            })
            .await
            .map(|_| ())
            .map_err(|e| {
                problem::Problem::unavailable(format!("the audit trail cannot be written: {e}"))
            })
    }
}

/// The API's and the web workspace's routes.
pub fn router(app: Arc<App>) -> Router {
    let limit = app.max_request;
    Router::new()
        .merge(web::routes())
        .merge(customer::routes())
        .route(
            "/v1/claims",
            // Uploads are limited by `upload::limited`, which lets a refused client
            // finish sending and read why.
            axum::routing::post(claims::submit)
                .layer(DefaultBodyLimit::disable())
                .get(claims::list),
        )
        .route("/v1/claims/{id}", get(claims::get))
        .route("/v1/claims/{id}/decisions", axum::routing::post(decisions_api::decide))
        .route(
            "/v1/claims/{id}/evidence-requests",
            axum::routing::post(evidence_requests::create).get(evidence_requests::list),
        )
        .route(
            "/v1/claims/{id}/evidence-requests/{request}",
            axum::routing::delete(evidence_requests::revoke),
        )
        .route("/v1/subjects/{customer}", axum::routing::delete(subjects_api::erase))
        .route("/v1/retention", get(retention_api::preview))
        .route(
            "/v1/claims/{id}/legal-hold",
            axum::routing::put(retention_api::hold).delete(retention_api::release),
        )
        .route("/v1/subjects/{customer}/export", get(subjects_api::export))
        .route("/openapi.json", get(|| async { Json(openapi::document()) }))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { problem::Problem::not_found("no such endpoint; see /openapi.json") })
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn(web::security_headers))
        .with_state(app)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("start the async runtime")
}

/// Runs `proofdesk serve`.
pub fn serve(args: ServeArgs, store: &Store) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let max_request = args.max_request_mib.clamp(1, 4096) << 20;
        let (app, db) = open(store, &args.common, max_request).await?;
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .with_context(|| format!("listen on {}", args.listen))?;
        let addr = listener.local_addr()?;
        start_workers(&app, &db, args.workers, args.common.lease_seconds).await?;
        if args.retention_every_hours > 0 {
            tokio::spawn(retain(app.clone(), db.clone(), args.retention_every_hours));
        }
        if let Some(path) = key_file(store, &args.common.evidence) {
            tokio::spawn(key_reload::watch(app.clone(), db.clone(), path, true));
        }
        println!(
            "proofdesk listening on http://{addr} ({} workers, data in {}, evidence in {})",
            args.workers,
            store.describe(),
            app.store.describe()
        );
        std::io::stdout().flush()?;
        axum::serve(listener, router(app).into_make_service_with_connect_info::<std::net::SocketAddr>())
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("serve")?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Runs `proofdesk worker`.
pub fn work(args: WorkerArgs, store: &Store) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let (app, db) = open(store, &args.common, 0).await?;
        start_workers(&app, &db, args.workers.max(1), args.common.lease_seconds).await?;
        if let Some(path) = key_file(store, &args.common.evidence) {
            tokio::spawn(key_reload::watch(app.clone(), db.clone(), path, false));
        }
        println!(
            "proofdesk worker: {} workers on {}",
            args.workers.max(1),
            store.describe()
        );
        std::io::stdout().flush()?;
        let _ = tokio::signal::ctrl_c().await;
        Ok(ExitCode::SUCCESS)
    })
}
