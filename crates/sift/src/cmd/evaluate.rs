//! `sift evaluate calls DIR...`: how well call analysis agrees with labelled calls, scored
//! per call, with the trivial baselines beside every figure.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use sift_core::{Diagnostic, Diagnostics};
use sift_signals::eval::{CallLabels, EvalError, RoundReport, evaluate_call, render_text, round_report};

use crate::exit;
use crate::inputs::{read_text, read_transcript};

#[derive(Subcommand)]
pub enum EvaluateCommand {
    /// Score call analysis on directories of labelled calls (one round per directory).
    #[command(after_long_help = "\
Each DIR is one round: every NAME.toml label file directly inside it (subdirectories are
rounds of their own) names its transcript, the call date, the rep, the signals a careful
listener marks and each concept's status at the end of the call. The format and the label
definitions: crates/sift-signals/fixtures/calls/LABELLING.md.

Scoring is per call: a signal kind is present in the call or not (precision, recall, F1 per
kind, macro-F1 over the kinds); a concept's final status is right or not (BANT accuracy
overall and per criterion). Beside each figure stands the trivial baseline: no signal ever
present; every criterion `confirmed`. Figures are given overall and per language.

EXAMPLES:
  sift evaluate calls crates/sift-signals/fixtures/calls/holdout3
  sift evaluate calls crates/sift-signals/fixtures/calls crates/sift-signals/fixtures/calls/holdout --details
  sift evaluate calls my-calls --json | jq '.rounds[0].all.macro_f1'")]
    Calls(CallsArgs),
}

#[derive(Args)]
pub struct CallsArgs {
    /// Directories of labelled calls (`NAME.toml` next to its transcript).
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,

    /// Print the reports as JSON (every call's outcome and the figures).
    #[arg(long)]
    json: bool,

    /// List every disagreement with the labels, call by call.
    #[arg(long)]
    details: bool,

    #[command(flatten)]
    model: crate::inputs::ModelArgs,
}

pub fn run(command: &EvaluateCommand) -> Result<u8> {
    match command {
        EvaluateCommand::Calls(args) => calls(args),
    }
}

fn calls(args: &CallsArgs) -> Result<u8> {
    let model = args.model.open()?;
    let meaning = model.as_ref().map(|m| &*m.0);
    let mut reports = Vec::new();
    for dir in &args.dirs {
        reports.push(evaluate_round(dir, meaning)?);
    }
    if args.json {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            rounds: &'a [RoundReport],
        }
        let out = std::io::stdout().lock();
        serde_json::to_writer_pretty(out, &Out { rounds: &reports })?;
        anstream::println!();
    } else {
        let read_with = sift_app::meaning::read_with(meaning);
        anstream::println!("Read with: {read_with}\n");
        for report in &reports {
            anstream::println!("{}", render_text(report, args.details));
        }
    }
    Ok(exit::OK)
}

/// A round's name: the directory's own name (`holdout3`), or the path when it has none.
fn round_name(dir: &Path) -> String {
    dir.file_name().map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned())
}

fn evaluate_round(dir: &Path, meaning: Option<&dyn sift_signals::meaning::MeaningModel>) -> Result<RoundReport> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read the directory `{}`", dir.display()))?;
    let mut label_files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    label_files.sort();
    if label_files.is_empty() {
        anyhow::bail!("no label files (`NAME.toml`) in `{}`", dir.display());
    }
    let mut outcomes = Vec::with_capacity(label_files.len());
    for path in &label_files {
        let source = path.display().to_string();
        let labels = CallLabels::parse(&source, &read_text(path)?).map_err(diagnostic)?;
        let transcript_path = path.parent().unwrap_or(dir).join(&labels.file);
        let transcript = read_transcript(&transcript_path)
            .with_context(|| format!("`{source}` names the transcript `{}`", labels.file))?;
        let name = path.file_stem().map_or_else(|| source.clone(), |s| s.to_string_lossy().into_owned());
        let outcome = evaluate_call(&name, &labels, &transcript.text, meaning).map_err(|e| {
            diagnostic(EvalError { file: transcript_path.display().to_string(), location: None, message: e.message })
        })?;
        outcomes.push(outcome);
    }
    Ok(round_report(&round_name(dir), outcomes))
}

/// A label problem as a located diagnostic (printed as FILE:LINE:COLUMN, exit code 2).
fn diagnostic(e: EvalError) -> anyhow::Error {
    Diagnostics(vec![Diagnostic { source: e.file, location: e.location, message: e.message }]).into()
}
