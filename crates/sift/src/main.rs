//! The `sift` command line: thin glue over the library crates.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod inputs;
mod output;
mod render;

/// Exit codes shared by all commands.
pub mod exit {
    /// The command did what was asked.
    pub const OK: u8 = 0;
    /// Something went wrong that is not the input's fault (a file could not be read...).
    pub const FAILURE: u8 = 1;
    /// The input is invalid: every problem has been printed with its location.
    pub const INVALID_INPUT: u8 = 2;
}

#[derive(Parser)]
#[command(
    name = "sift",
    version,
    about = "Qualify leads with reasons: lifecycle stages, frameworks (BANT, MEDDIC, CHAMP...) and a three-level gate",
    long_about = "Sift decides, with reasons, which leads deserve a rep's time.\n\n\
It checks a lead at three levels, in order: organization (does the account fit the ideal-customer \
profile?), opportunity (is there a need we meet?) and stakeholder (can this contact make or drive \
the decision?). Only a lead passing all three is qualified; a lead that is not ready yet goes to \
nurture with a date to re-engage; a misfit is disqualified at the first level it fails.\n\n\
Start with `sift demo`, then `sift import FILE`, `sift analyze CALL`, `sift qualify --help` and \
`sift frameworks list`.",
    after_help = "Exit codes: 0 success, 1 failure (e.g. a file could not be read), 2 invalid input \
(every problem is printed as FILE:LINE:COLUMN: message). `sift qualify --verdict-exit-code` adds \
verdict codes for scripts."
)]
struct Cli {
    /// Load an extra framework file (repeatable). Same format as `sift frameworks show ID --toml`.
    #[arg(long = "framework-file", global = true, value_name = "FILE")]
    framework_files: Vec<PathBuf>,

    /// The lead database: sqlite://PATH or postgres://USER@HOST/DB. Default: a SQLite file in
    /// your data directory.
    #[arg(long, global = true, env = "SIFT_DATABASE_URL", value_name = "URL")]
    db: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Qualify the bundled sample leads and print what the gate decided, with a funnel summary.
    Demo(cmd::demo::DemoArgs),
    /// Decide whether one lead advances: qualified, nurture, disqualified or needs_info, with reasons.
    Qualify(cmd::qualify::QualifyArgs),
    /// Read a discovery-call transcript: talk ratio, questions, good signs, red flags and
    /// evidence for each qualification criterion.
    Analyze(cmd::analyze::AnalyzeArgs),
    /// List, show and check qualification frameworks.
    #[command(subcommand)]
    Frameworks(cmd::frameworks::FrameworksCommand),
    /// List, show and check playbooks: segments with their own framework, ICP and owners.
    #[command(subcommand)]
    Playbooks(cmd::playbooks::PlaybooksCommand),
    /// Import leads from a CSV file (HubSpot, Salesforce or any spreadsheet export).
    Import(cmd::db::ImportArgs),
    /// Export stored leads as CSV or JSON (streamed: any number of leads in little memory).
    Export(cmd::db::ExportArgs),
    /// List import runs with their status (finished, interrupted, running) and counts.
    Imports(cmd::db::ImportsArgs),
    /// List, show and count stored leads; record their activity.
    #[command(subcommand)]
    Leads(cmd::db::LeadsCommand),
    /// Check discovery-call questions: open or closed, leading or not, with an open rewrite.
    #[command(subcommand)]
    Questions(cmd::questions::QuestionsCommand),
    /// Learn a lead-scoring model from closed leads, with a cross-validation report.
    Train(Box<cmd::score::TrainArgs>),
    /// Score a CSV of leads with a trained model (probability, score 1-99, top factors) or rule points.
    Score(cmd::score::ScoreArgs),
    /// Run the team server: the HTTP API on the embedded database (or PostgreSQL with --db).
    Serve(cmd::serve::ServeArgs),
    /// Add, list, disable and reset the passwords of the server's users.
    #[command(subcommand)]
    Users(cmd::users::UsersCommand),
    /// Measure call analysis against labelled calls, per call, beside trivial baselines.
    #[command(subcommand)]
    Evaluate(cmd::evaluate::EvaluateCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    output::quiet_panics_on_failed_output();
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(cli)));
    let result = match run {
        Ok(result) => result,
        Err(payload) => match output::failed_output(payload.as_ref()) {
            // A full disk or a closed pipe behind `>`: one line, no backtrace.
            Some(reason) => {
                output::error_line(&format!("error: cannot write to standard output: {reason}"));
                return ExitCode::from(exit::FAILURE);
            }
            None => std::panic::resume_unwind(payload),
        },
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => ExitCode::from(report(&error)),
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    let db = cli.db.clone().unwrap_or_else(cmd::db::default_database_url);
    match cli.command {
        Command::Demo(args) => cmd::demo::run(&cli.framework_files, &args),
        Command::Qualify(args) => cmd::qualify::run(&db, &cli.framework_files, &args),
        Command::Analyze(args) => cmd::analyze::run(&cli.framework_files, &args),
        Command::Frameworks(command) => cmd::frameworks::run(&cli.framework_files, &command),
        Command::Playbooks(command) => cmd::playbooks::run(&db, &cli.framework_files, &command),
        Command::Import(args) => cmd::db::import(&db, &cli.framework_files, &args),
        Command::Export(args) => cmd::db::export(&db, &args),
        Command::Imports(args) => cmd::db::imports(&db, &args),
        Command::Leads(command) => cmd::db::leads(&db, &command),
        Command::Questions(command) => cmd::questions::run(&command),
        Command::Train(args) => cmd::score::train_command(&db, &args),
        Command::Score(args) => cmd::score::score_command(&db, &args),
        Command::Serve(args) => cmd::serve::run(cli.db.as_deref(), &args),
        Command::Users(command) => cmd::users::run(&db, &command),
        Command::Evaluate(command) => cmd::evaluate::run(&command),
    }
}

/// Prints an error the one way Sift prints errors and returns the exit code: a problem
/// with the user's input as `FILE:LINE:COLUMN: message` or `FILE: message` (exit 2), any
/// other failure as `error: ...` with each cause once (exit 1).
fn report(error: &anyhow::Error) -> u8 {
    use sift_core::{Diagnostic, Diagnostics};
    let problem = |source: &str, message: String| Diagnostic { source: source.to_owned(), location: None, message };
    for cause in error.chain() {
        if let Some(problems) = cause.downcast_ref::<Diagnostics>() {
            render::print_diagnostics(problems);
            return exit::INVALID_INPUT;
        }
        if let Some(sift_app::AppError::Invalid(problems)) = cause.downcast_ref::<sift_app::AppError>() {
            render::print_diagnostics(problems);
            return exit::INVALID_INPUT;
        }
        let import_error = cause.downcast_ref::<sift_store::import::ImportError>().or_else(|| {
            // The use cases wrap import errors (transparently, so they are not a cause of their own).
            match cause.downcast_ref::<sift_app::AppError>() {
                Some(sift_app::AppError::Import(e)) => Some(e),
                _ => None,
            }
        });
        if let Some(e) = import_error
            && let Some((file, message)) = e.input_problem()
        {
            match file {
                Some(file) => render::print_diagnostics(&Diagnostics(vec![problem(file, message)])),
                None => output::error_line(&format!("error: {message}")),
            }
            return exit::INVALID_INPUT;
        }
        if let Some(e) = cause.downcast_ref::<sift_signals::lexicon::LexiconError>() {
            let problems = e.problems.iter().map(|p| problem(&e.source, p.clone())).collect();
            render::print_diagnostics(&Diagnostics(problems));
            return exit::INVALID_INPUT;
        }
    }
    let input = error.chain().any(|cause| {
        cause.is::<sift_signals::transcript::TranscriptError>()
            || cause.downcast_ref::<sift_app::AppError>().is_some_and(sift_app::AppError::is_invalid_input)
            || cause.downcast_ref::<sift_score::ScoreError>().is_some_and(sift_score::ScoreError::is_invalid_input)
    });
    output::error_line(&format!("error: {}", output::without_repeats(error)));
    if input { exit::INVALID_INPUT } else { exit::FAILURE }
}
