//! `proofdesk`: screen claim evidence for AI generation, manipulation and reuse.
//!
//! Exit codes: 0 nothing flagged, 1 at least one file flagged (ai-generated or
//! manipulated), 2 an error (bad arguments, unreadable or unanalysable file).

mod admin;
mod clip_train;
mod compliance;
mod detector_train;
mod eval;
mod eval_personal_data;
mod eval_overlap;
mod eval_pixels;
mod eval_receipts;
mod eval_reuse;
mod files;
mod heatmaps;
mod index;
mod models;
mod index_bench;
mod index_load_bench;
mod keys;
mod make_receipts;
mod output;
mod retention;
mod reuse;
mod rng;
mod screen;
mod simulate;
mod serve;
mod store;
mod subject;
mod teams;
mod users;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
pub use store::Store;

/// Screen photos, receipts and screenshots sent as claim evidence.
#[derive(Parser)]
#[command(name = "proofdesk", version, about, arg_required_else_help = true)]
struct Cli {
    /// Directory for proofdesk's own data (index, database, evidence store).
    #[arg(
        long,
        global = true,
        env = "PROOFDESK_DATA_DIR",
        default_value = "proofdesk-data"
    )]
    data_dir: PathBuf,
    /// Database to use instead of the SQLite file in the data directory
    /// (postgres://USER@HOST/DB when several machines share one).
    #[arg(
        long,
        global = true,
        env = "PROOFDESK_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Screen files and folders (recursively) and explain what each file is.
    Screen(screen::ScreenArgs),
    /// Screen a labelled corpus (MANIFEST.csv) and report agreement per group.
    Eval(eval::EvalArgs),
    /// The reuse index: record pictures, and find where a picture was seen before.
    Index(index::IndexArgs),
    /// Run the HTTP API (claims in, screened and routed) and the web workspace, with screening workers.
    Serve(serve::ServeArgs),
    /// Run screening workers only, sharing the database with `serve` elsewhere.
    Worker(serve::WorkerArgs),
    /// API keys for integrators: create (printed once), list, revoke.
    ApiKey(admin::ApiKeyArgs),
    /// The audit trail: verify that no entry was changed, removed or reordered.
    Audit(admin::AuditArgs),
    /// People who sign in to the web workspace: add, list, set-password, set-authority, relate, token, disable.
    User(users::UserArgs),
    /// Simulate a contact centre's decisions with injected insiders and report what the insider rules flag.
    SimulateDecisions(simulate::SimulateArgs),
    /// Teams and the clients they serve: add, join, list.
    Team(teams::TeamArgs),
    /// Train the feature-based pixel detector (the fallback without the CLIP encoder) and report its validation.
    TrainDetector(detector_train::TrainArgs),
    /// Train the pixel-level AI detector's probe on CLIP embeddings and report its leave-one-source-out validation.
    TrainClipProbe(clip_train::ClipTrainArgs),
    /// Measure the personal-data recognisers on a generated, labelled set of Dutch claim texts.
    EvalPersonalData(eval_personal_data::EvalPersonalDataArgs),
    /// A customer's data-subject request: export everything held about them, or erase it.
    Subject(subject::SubjectArgs),
    /// Retention: delete and pseudonymise what the policy says is due; legal holds.
    Retention(retention::RetentionArgs),
    /// Evidence encryption keys: rotate, and re-encrypt older evidence under the newest.
    Keys(keys::KeysArgs),
    /// The register of AI systems and their EU AI Act risk class: list, questions, set, remove.
    AiRegister(compliance::cli::RegisterArgs),
    /// Compliance reports: the AI Act documentation, human oversight, fairness.
    Report(compliance::cli::ReportArgs),
    /// Simulate a year of claims under a fair and an unfair policy and report what the fairness monitor says.
    SimulateFairness(compliance::simulate_fairness::SimulateFairnessArgs),
    /// Generate Dutch till receipts and forgeries of them (a labelled set for `eval`).
    MakeReceipts(make_receipts::MakeReceiptsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let store = Store {
        data_dir: cli.data_dir,
        database_url: cli.database_url,
    };
    let result = match cli.command {
        Command::Screen(args) => screen::run(args, &store),
        Command::Eval(args) => eval::run(args, &store),
        Command::Index(args) => index::run(args, &store),
        Command::Serve(args) => serve::serve(args, &store),
        Command::Worker(args) => serve::work(args, &store),
        Command::ApiKey(args) => admin::api_key(args, &store),
        Command::Audit(args) => admin::audit(args, &store),
        Command::User(args) => users::run(args, &store),
        Command::TrainDetector(args) => detector_train::run(args),
        Command::TrainClipProbe(args) => clip_train::run(args),
        Command::Team(args) => teams::run(args, &store),
        Command::SimulateDecisions(args) => simulate::run(args),
        Command::EvalPersonalData(args) => eval_personal_data::run(args),
        Command::Subject(args) => subject::run(args, &store),
        Command::Retention(args) => retention::run(args, &store),
        Command::Keys(args) => keys::run(args, &store),
        Command::AiRegister(args) => compliance::cli::ai_register(args, &store),
        Command::Report(args) => compliance::cli::report(args, &store),
        Command::SimulateFairness(args) => compliance::simulate_fairness::run(args),
        Command::MakeReceipts(args) => make_receipts::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // A reader that went away (`| head`) is not an error.
            let broken_pipe = e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
                    || c.downcast_ref::<serde_json::Error>()
                        .and_then(|j| j.io_error_kind())
                        == Some(std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("proofdesk: {e:#}");
            ExitCode::from(2)
        }
    }
}
