//! `sift train` and `sift score`: predictive models learned from outcomes, batch scoring.

use std::fs::File;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anstream::{eprintln, println};
use anstyle::Style;
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use sift_app::AppError;
use sift_app::scoring::{STORED_SOURCE, train_csv};
use sift_score::batch::{BatchOptions, score_csv};
use sift_score::model::ModelFile;
use sift_score::odoo::{OdooConfig, parse_stages};
use sift_score::rules::{parse_date, parse_rules, read_events, score_rules_csv};
use sift_score::select::Selection;
use sift_score::train::{EarlyStopping, FoldSpec, GbmParams, TrainOptions, TrainReport, parse_folds};
use sift_score::{ModelKind, ScoreError};

use crate::exit;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const WARN: Style = Style::new().bold().fg_color(Some(anstyle::Color::Ansi(anstyle::AnsiColor::Yellow)));

#[derive(Clone, Copy, ValueEnum)]
pub enum ModelChoice {
    /// The default: cross-validate logistic and gbm (and odoo-nb on Odoo data) on the same
    /// folds, keep the best AUC (a simpler model within 0.002 of it wins the near-tie).
    Auto,
    /// Regularised logistic regression: the most explainable.
    Logistic,
    /// Gradient-boosted trees (histogram-based, our own): usually the most accurate.
    Gbm,
    /// Odoo's predictive lead scoring (naive Bayes on won/lost frequencies): the baseline.
    OdooNb,
}

/// When the gbm model stops boosting early.
#[derive(Clone, Copy, ValueEnum)]
pub enum EarlyStoppingArg {
    /// Above 10,000 rows.
    Auto,
    On,
    Off,
}

impl From<ModelChoice> for sift_score::ModelChoice {
    fn from(choice: ModelChoice) -> sift_score::ModelChoice {
        match choice {
            ModelChoice::Auto => sift_score::ModelChoice::Auto,
            ModelChoice::Logistic => ModelKind::Logistic.into(),
            ModelChoice::Gbm => ModelKind::Gbm.into(),
            ModelChoice::OdooNb => ModelKind::OdooNb.into(),
        }
    }
}

#[derive(Args)]
#[command(after_long_help = "\
Learns which leads convert from a CSV of closed leads (one row per lead, a won/lost column),
prints a k-fold cross-validation report (AUC, log loss, Brier score, top-decile precision and
lift, calibration table) and writes a self-describing model file for `sift score --model`.

The feature pipeline is learned from the data: numbers are standardised with missing-value
indicators, Yes/No columns become 0/1, text columns are one-hot encoded (values seen fewer than
10 times grouped as `(rare)`), placeholders such as `Select` and `unknown` count as missing, and
identifier-like columns (a distinct value on most rows) are dropped (odoo-nb keeps them, as Odoo
does).

Model choice: by default (--model auto) logistic and gbm are cross-validated on the same folds
(odoo-nb too on Odoo data: --odoo-team, --odoo-stage, --odoo-tags or --odoo-export), the one
with the highest AUC is kept, except that a simpler model within 0.002 of the best wins the
near-tie (logistic, then odoo-nb, then gbm); the report shows every candidate's figures and
the reason for the choice. The winner is Platt-calibrated (odoo-nb keeps Odoo's probability)
and fitted on every row.

Leakage guard: columns filled in after the outcome (e.g. `Tags`, `Lead Quality`, `Last
Activity` in CRM exports) or that predict the label almost perfectly on their own are flagged,
and the accuracy without them is reported too. Exclude them with --exclude. For odoo-nb, a
listed stage that holds the won leads (the won stage) is flagged and left out the same way.

EXAMPLES:
  sift train --data Leads.csv --label Converted --exclude Tags --exclude 'Lead Quality' -o leads.model
  sift train --data bank.csv --label y --positive yes --exclude duration -o bank.model
  sift train --data bank.csv --label y --positive yes --exclude duration --model gbm --json
  sift train --data deals.csv --label won --model odoo-nb --odoo-team team --json
  sift train --data crm.lead.csv --model odoo-nb --odoo-export --odoo-stages New:1,Qualified:2,Proposition:2
  sift train --stored --model gbm -o crm.model")]
pub struct TrainArgs {
    /// The CSV of closed leads (delimiter , ; or tab detected).
    #[arg(long, value_name = "FILE", required_unless_present = "stored", conflicts_with = "stored")]
    data: Option<PathBuf>,
    /// Learn from the stored leads (see `sift import`) whose outcome is known (`converted`).
    /// Columns: their fields and custom fields; stage, CRM status and verdict are left out
    /// (they follow the outcome).
    #[arg(long)]
    stored: bool,
    /// The outcome column (default with --stored: `converted`; with --odoo-export, Odoo's
    /// `probability` and `active`).
    #[arg(long, value_name = "COLUMN", required_unless_present_any = ["stored", "odoo_export"], conflicts_with = "odoo_export")]
    label: Option<String>,
    /// The label value that means won/converted (default: 1, yes, true, won...).
    #[arg(long, value_name = "VALUE")]
    positive: Option<String>,
    /// A column not to learn from (repeatable).
    #[arg(long, value_name = "COLUMN")]
    exclude: Vec<String>,
    /// The kind of model; `auto` compares the candidates on the same folds and says why it
    /// chose one.
    #[arg(long, value_enum, default_value = "auto")]
    model: ModelChoice,
    /// Where to write the model file.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Number of cross-validation folds (stratified).
    #[arg(long, default_value_t = 5, value_parser = crate::inputs::ranged(sift_score::train::FOLDS))]
    folds: usize,
    /// Seed of the fold shuffle.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Fold numbers, one per data row (e.g. exported from scikit-learn to share folds).
    #[arg(long, value_name = "FILE")]
    folds_file: Option<PathBuf>,
    /// Inverse L2 regularisation strength of the logistic regression.
    #[arg(long, default_value_t = 1.0, value_name = "C")]
    c: f64,
    /// Boosting rounds of the gbm model.
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = crate::inputs::ranged(sift_score::train::GBM_ITERATIONS))]
    gbm_iterations: usize,
    /// gbm: hold back a tenth of the rows and stop boosting once 10 rounds in a row do not
    /// improve their log loss (the trees of those rounds stay). `auto` does so above 10,000
    /// rows, as scikit-learn's HistGradientBoosting does.
    #[arg(long, value_enum, default_value_t = EarlyStoppingArg::Auto, value_name = "WHEN")]
    gbm_early_stopping: EarlyStoppingArg,
    /// odoo-nb: the sales team column.
    #[arg(long, value_name = "COLUMN")]
    odoo_team: Option<String>,
    /// odoo-nb: the stage column (with --odoo-stages).
    #[arg(long, value_name = "COLUMN", requires = "odoo_stages")]
    odoo_stage: Option<String>,
    /// odoo-nb: the stages in pipeline order, comma-separated, or with Odoo's stage
    /// sequences (`new:1,qualified:2,proposition:2`: equal sequences count together).
    #[arg(long, value_name = "A,B,C", value_delimiter = ',')]
    odoo_stages: Vec<String>,
    /// odoo-nb: the won stage: a lead in it scores 100, as in Odoo; it is not counted as a
    /// stage (listed in --odoo-stages, the leakage guard leaves it out).
    #[arg(long, value_name = "STAGE")]
    odoo_won_stage: Option<String>,
    /// odoo-nb: the data is an Odoo CRM lead export, read by Odoo's field names: the outcome
    /// from `probability` (100 won; 0 and archived lost; open leads left out) and `active`;
    /// `team_id`, `stage_id`, `tag_ids`; the variables Odoo's scoring offers (`country_id`,
    /// `state_id`, `email_state`, `phone_state`, `source_id`, `lang_id`). Without
    /// --odoo-stages, Odoo's default pipeline (New, Qualified, Proposition); without
    /// --odoo-won-stage, `Won` is the won stage.
    #[arg(long)]
    odoo_export: bool,
    /// odoo-nb: a column of tags separated by `;` or `,`.
    #[arg(long, value_name = "COLUMN")]
    odoo_tags: Option<String>,
    /// Skip the second cross-validation that shows the accuracy the flagged columns would give.
    #[arg(long)]
    no_leakage_compare: bool,
    /// Learn from the columns the leakage guard flags too (left out by default: they are
    /// filled after the outcome, so they flatter the model and fail on new leads).
    #[arg(long)]
    keep_leaky: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
#[command(after_long_help = "\
Scores every row of a CSV with a model from `sift train` (or with rule points, --rules),
streaming (memory stays small whatever the file size) on every core. Output columns: the lead's
id (the identifier column seen at training, or --id, else the row number), probability
(calibrated), score 1-99, top_positive and top_negative (the factors that moved this lead's score
most, with their effect on the log-odds relative to an average lead).

The input must have every column the model learned from (extra columns are ignored); otherwise
the error names the missing columns.

RULES FILE (TOML), for --rules:
  id_field = \"Lead ID\"              # joins --events rows; the output id
  stage_field = \"Lifecycle Stage\"   # optional current stage: moved only along allowed paths
  [stages]                          # the highest threshold reached is the lead's stage
  mql = 60
  sql = 90
  [caps]                            # most points a group may add
  engagement = 40
  [[rule]]                          # fit rule (group `fit`)
  name = \"target industry\"
  field = \"Industry\"
  in = [\"Software\", \"Logistics\"]  # or range = { min = 50, max = 5000 }, matches = [\"vp\"], free_mail = true
  points = 20
  [[rule]]                          # engagement rule (group `engagement`)
  name = \"demo request\"
  event = \"demo_request\"            # from --events (or count_field = \"Visits\", date_field = \"Last Visit\")
  points = 25
  half_life_days = 14               # points halve every 14 days since the event
Output for --rules: id, points, stage, previous_stage, reasons (each rule that fired, with points).

EXAMPLES:
  sift score --model leads.model new-leads.csv -o scored.csv
  sift score --model leads.model new-leads.csv --top 5 --threads 4
  sift score --rules scoring.toml leads.csv --events activities.csv --as-of 2026-11-01
  sift score --model crm.model --stored -o scored.csv")]
#[command(group(clap::ArgGroup::new("scorer").required(true).multiple(true).args(["model", "rules", "stored"])))]
pub struct ScoreArgs {
    /// A model file written by `sift train`.
    #[arg(long, value_name = "FILE", conflicts_with = "rules")]
    model: Option<PathBuf>,
    /// A rule-points file (TOML) instead of a model: fit and engagement rules, caps, decay,
    /// stage thresholds.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// With --rules: timestamped activities, a CSV with columns `lead`, `type`, `at`.
    #[arg(long, value_name = "FILE", requires = "rules")]
    events: Option<PathBuf>,
    /// With --rules: the day engagement decay is measured to (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "rules")]
    as_of: Option<String>,
    /// The CSV of leads to score.
    #[arg(required_unless_present = "stored", conflicts_with = "stored")]
    input: Option<PathBuf>,
    /// Score the stored leads and save each score on its lead, with the model version and
    /// the factors behind it (`sift leads list --sort score`). The model is --model FILE
    /// (kept in the database as a model version; the same file is found again, not stored
    /// twice; active when no model is) or, without --model, the database's active model.
    /// With --model and -o, the scored CSV is written too (its id column is the lead's id).
    #[arg(long, conflicts_with = "rules")]
    stored: bool,
    /// Where to write the scored CSV (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", value_parser = crate::inputs::ranged(BatchOptions::THREADS))]
    threads: Option<usize>,
    /// Factors listed on each side.
    #[arg(long, default_value_t = 3, value_name = "N", value_parser = crate::inputs::ranged(BatchOptions::TOP))]
    top: usize,
    /// Column copied to the output to identify each lead.
    #[arg(long, value_name = "COLUMN")]
    id: Option<String>,
}

/// The stored leads as the CSV table the models read (to score them, or to train on them).
fn stored_leads_csv(db: &str, training: bool) -> Result<Vec<u8>> {
    crate::cmd::db::runtime()?.block_on(async {
        let store = crate::cmd::db::open(db).await?;
        let csv = if training {
            sift_app::scoring::stored_training_csv(&store).await
        } else {
            sift_app::scoring::stored_leads_csv(&store).await
        };
        store.close().await;
        anyhow::Ok(csv?)
    })
}

/// Prints a library error; input errors exit 2, others 1.
fn report_error(context: &str, error: &ScoreError) -> u8 {
    if matches!(error, ScoreError::OutputClosed) {
        return exit::OK; // `sift score ... | head`: the reader has what it wanted
    }
    eprintln!("error: {context}: {error}");
    if error.is_invalid_input() { exit::INVALID_INPUT } else { exit::FAILURE }
}

fn open(path: &Path) -> Result<File> {
    File::open(path).with_context(|| format!("cannot open `{}`", path.display()))
}

pub fn train_command(db: &str, args: &TrainArgs) -> Result<u8> {
    let (source, data): (String, Box<dyn std::io::Read>) = match &args.data {
        Some(path) => (path.display().to_string(), Box::new(open(path)?)),
        None => (STORED_SOURCE.to_string(), Box::new(std::io::Cursor::new(stored_leads_csv(db, true)?))),
    };
    let label = match &args.label {
        Some(label) => label.clone(),
        None if args.odoo_export => sift_score::train::ODOO_PROBABILITY.to_string(),
        None => "converted".to_string(),
    };
    let (stages, stage_sequences) = match parse_stages(&args.odoo_stages) {
        Ok(stages) => stages,
        Err(e) => return Ok(report_error("--odoo-stages", &e)),
    };
    let folds = match &args.folds_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))?;
            match parse_folds(&text) {
                Ok(f) => FoldSpec::Given(f),
                Err(e) => return Ok(report_error(&path.display().to_string(), &e)),
            }
        }
        None => FoldSpec::Stratified { k: args.folds, seed: args.seed },
    };
    let options = TrainOptions {
        positive: args.positive.clone(),
        exclude: args.exclude.clone(),
        folds,
        c: args.c,
        gbm: GbmParams {
            iterations: args.gbm_iterations,
            early_stopping: match args.gbm_early_stopping {
                EarlyStoppingArg::Auto => EarlyStopping::Auto,
                EarlyStoppingArg::On => EarlyStopping::On,
                EarlyStoppingArg::Off => EarlyStopping::Off,
            },
            ..GbmParams::default()
        },
        odoo: OdooConfig {
            team_column: args.odoo_team.clone(),
            stage_column: args.odoo_stage.clone(),
            stages,
            stage_sequences,
            won_stage: args.odoo_won_stage.as_ref().map(|s| s.trim().to_lowercase()),
            tag_column: args.odoo_tags.clone(),
        },
        odoo_export: args.odoo_export,
        compare_without_leaky: !args.no_leakage_compare,
        keep_leaky: args.keep_leaky,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        source: match &args.data {
            Some(path) => path.file_name().map(|f| f.to_string_lossy().into_owned()),
            None => Some("stored leads".to_string()),
        },
        ..TrainOptions::new(&label, sift_score::ModelChoice::from(args.model))
    };
    let model = match train_csv(data, &source, &options) {
        Ok(m) => m,
        Err(AppError::Score { source_name, error }) => return Ok(report_error(&source_name, &error)),
        Err(e) => return Err(e.into()),
    };
    if let Some(path) = &args.output {
        let json = model.to_json()?;
        std::fs::write(path, json).with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&model.report)?);
    } else {
        print_report(&source, &model.report);
        match &args.output {
            Some(path) => println!("model written to {BOLD}{}{BOLD:#}", path.display()),
            None => println!("{DIM}no model written (pass -o FILE to keep it){DIM:#}"),
        }
    }
    Ok(exit::OK)
}

fn print_report(source: &str, report: &TrainReport) {
    if let Some(selection) = &report.selection {
        print_selection(selection, report.folds);
    }
    let m = &report.metrics;
    println!(
        "{BOLD}{}{BOLD:#} on {source}: {} rows, {:.1}% converted, {} columns -> {} features, {}-fold cross-validation",
        report.model,
        report.rows,
        report.base_rate * 100.0,
        report.columns_used.len(),
        report.features,
        report.folds
    );
    println!(
        "  AUC {:.4}   log loss {:.4}   Brier {:.4}   top decile: precision {:.1}%, lift {:.2}x",
        m.auc,
        m.log_loss,
        m.brier,
        m.top_decile_precision * 100.0,
        m.top_decile_lift
    );
    println!(
        "  {DIM}cross-validation fit {:.2} s, predict {:.2} s; final fit {:.2} s{DIM:#}",
        report.cv_fit_seconds, report.cv_predict_seconds, report.final_fit_seconds
    );
    if let Some(g) = report.gbm_trees {
        let why = if g.trees < g.iterations {
            format!(
                "early stopping ended the fit: {} rounds without improvement on held-back rows",
                sift_score::gbm::PATIENCE
            )
        } else {
            format!("every round asked for (early stopping: {})", g.early_stopping.as_str())
        };
        println!("  {DIM}final model: {} trees of {} rounds; {why}{DIM:#}", g.trees, g.iterations);
    }
    println!(
        "  calibration (out-of-fold{}):",
        if report.calibrated { ", after Platt scaling" } else { ", Odoo's probability as is" }
    );
    println!("    {:<8} {:>7} {:>10} {:>9}", "score", "leads", "predicted", "observed");
    for bin in &report.calibration {
        println!(
            "    {:<8} {:>7} {:>9.1}% {:>8.1}%",
            format!("{}-{}", bin.low, bin.high),
            bin.leads,
            bin.predicted * 100.0,
            bin.observed * 100.0
        );
    }
    for date in &report.date_columns {
        println!("  `{}` ({}): {}", date.column, date.format, date.note);
    }
    for dropped in &report.dropped_columns {
        println!("  {DIM}dropped `{}`: {}{DIM:#}", dropped.name, dropped.reason);
    }
    if !report.leakage_warnings.is_empty() {
        let kept = report.without_leaky_columns.is_some();
        println!(
            "{WARN}leakage warnings{WARN:#} ({}):",
            if kept {
                "kept with --keep-leaky; the honest accuracy is the one without them"
            } else {
                "left out of the model; --keep-leaky brings them back"
            }
        );
        for w in &report.leakage_warnings {
            println!("  `{}` (own AUC {:.3}): {}", w.column, w.single_column_auc, w.reason);
        }
        if let Some(clean) = &report.without_leaky_columns {
            println!(
                "  without them: AUC {:.4}   log loss {:.4}   Brier {:.4}   top-decile lift {:.2}x",
                clean.auc, clean.log_loss, clean.brier, clean.top_decile_lift
            );
        }
        if let Some(leaky) = &report.with_leaky_columns {
            println!(
                "  {DIM}with them it would read AUC {:.4} (flattering: they are filled after the outcome){DIM:#}",
                leaky.auc
            );
        }
    }
}

/// `auto`: the table the model was chosen from, and why.
fn print_selection(selection: &Selection, folds: usize) {
    println!(
        "{BOLD}auto{BOLD:#}: the candidates on the same {folds} folds, by cross-validated AUC (a simpler model within \
         {} of the best wins the near-tie):",
        selection.margin
    );
    println!("    {:<9} {:>7} {:>9} {:>7} {:>9}  note", "model", "AUC", "log loss", "Brier", "CV fit");
    for c in &selection.candidates {
        let mark = if c.chosen { "*" } else { " " };
        match &c.metrics {
            Some(m) => println!(
                "  {mark} {:<9} {:>7.4} {:>9.4} {:>7.4} {:>7.2} s  {}",
                c.kind.name(),
                m.auc,
                m.log_loss,
                m.brier,
                c.cv_fit_seconds.unwrap_or(0.0),
                c.note
            ),
            None => println!(
                "  {mark} {:<9} {:>7} {:>9} {:>7} {:>9}  {DIM}{}{DIM:#}",
                c.kind.name(),
                "-",
                "-",
                "-",
                "-",
                c.note
            ),
        }
    }
    println!("  {}", selection.reason);
    println!();
}

fn score_with_rules(args: &ScoreArgs, path: &Path) -> Result<u8> {
    let text = crate::inputs::read_text(path)?;
    let rules = match parse_rules(&text) {
        Ok(r) => r,
        Err(e) => return Ok(report_error(&path.display().to_string(), &e)),
    };
    let events = match &args.events {
        Some(p) => match read_events(open(p)?) {
            Ok(events) => events,
            Err(e) => return Ok(report_error(&p.display().to_string(), &e)),
        },
        None => Default::default(),
    };
    let as_of = match &args.as_of {
        Some(text) => match parse_date(text) {
            Some(d) => d,
            None => {
                eprintln!("error: --as-of: `{text}` is not a date (YYYY-MM-DD)");
                return Ok(exit::INVALID_INPUT);
            }
        },
        None => chrono::Utc::now().date_naive(),
    };
    let Some(input_path) = &args.input else { anyhow::bail!("--rules scores a CSV file: give its path") };
    let input = open(input_path)?;
    let result = match &args.output {
        Some(out) => {
            let file = File::create(out).with_context(|| format!("cannot create `{}`", out.display()))?;
            score_rules_csv(&rules, input, &events, std::io::BufWriter::new(file), as_of, args.id.as_deref())
        }
        None => score_rules_csv(&rules, input, &events, std::io::stdout().lock(), as_of, args.id.as_deref()),
    };
    match result {
        Ok(rows) => {
            if let Some(out) = &args.output {
                eprintln!("{rows} rows scored with {} rules -> {}", rules.rules.len(), out.display());
            }
            Ok(exit::OK)
        }
        Err(e) => Ok(report_error(&input_display(args), &e)),
    }
}

fn input_display(args: &ScoreArgs) -> String {
    args.input.as_ref().map_or_else(|| "stored leads".to_string(), |p| p.display().to_string())
}

/// `sift score --stored`: scores every stored lead with a stored model and saves the scores.
fn score_stored(db: &str, args: &ScoreArgs) -> Result<u8> {
    let model_file = match &args.model {
        Some(path) => Some((
            path.display().to_string(),
            std::fs::read_to_string(path).with_context(|| format!("cannot read the model `{}`", path.display()))?,
        )),
        None => None,
    };
    let top = args.top;
    let outcome = crate::cmd::db::runtime()?.block_on(async {
        let store = crate::cmd::db::open(db).await?;
        let result = async {
            let version = match &model_file {
                Some((source, text)) => {
                    Some(sift_app::scoring::store_model_file(&store, source, text, "cli").await?.id)
                }
                None => None,
            };
            let bar = if std::io::stderr().is_terminal() { ProgressBar::new(0) } else { ProgressBar::hidden() };
            let progress = |done: i64, total: i64| {
                bar.set_length(total.max(0) as u64);
                bar.set_position(done.max(0) as u64);
            };
            let summary = sift_app::scoring::rescore(&store, version, top, &progress).await;
            bar.finish_and_clear();
            summary
        }
        .await;
        store.close().await;
        anyhow::Ok(result)
    })?;
    let summary = match outcome {
        Ok(s) => s,
        Err(AppError::Score { source_name, error }) => return Ok(report_error(&source_name, &error)),
        Err(e) => return Err(e.into()),
    };
    println!(
        "{} stored leads scored with model version {} ({}) and saved; list them with `sift leads list --sort score`",
        summary.scored, summary.model_version, summary.model_kind
    );
    for (column, missing) in &summary.missing_values {
        println!("  {DIM}`{column}`: no value on {missing} lead(s), scored as missing{DIM:#}");
    }
    Ok(exit::OK)
}

pub fn score_command(db: &str, args: &ScoreArgs) -> Result<u8> {
    if args.stored {
        let code = score_stored(db, args)?;
        if code != exit::OK || args.output.is_none() || args.model.is_none() {
            return Ok(code);
        }
    }
    let model_path = match (&args.model, &args.rules) {
        (_, Some(rules)) => return score_with_rules(args, rules),
        (Some(model), None) => model,
        (None, None) => anyhow::bail!("give --model FILE, --rules FILE or --stored"),
    };
    let model_text = std::fs::read_to_string(model_path)
        .with_context(|| format!("cannot read the model `{}`", model_path.display()))?;
    let model = match ModelFile::from_json(&model_text) {
        Ok(m) => m,
        Err(e) => return Ok(report_error(&model_path.display().to_string(), &e)),
    };
    if args.stored {
        let csv = stored_leads_csv(db, false)?;
        let options = BatchOptions {
            top: args.top,
            id_column: Some(args.id.clone().unwrap_or_else(|| "id".into())),
            ..BatchOptions::default()
        };
        let result = match &args.output {
            Some(path) => {
                let file = File::create(path).with_context(|| format!("cannot create `{}`", path.display()))?;
                score_csv(&model, csv.as_slice(), file, &options, &|_| {})
            }
            None => score_csv(&model, csv.as_slice(), std::io::stdout().lock(), &options, &|_| {}),
        };
        return match result {
            Ok(summary) => {
                if let Some(path) = &args.output {
                    eprintln!(
                        "{} stored leads scored with the {} model -> {}",
                        summary.rows,
                        model.kind,
                        path.display()
                    );
                }
                Ok(exit::OK)
            }
            Err(e) => Ok(report_error("stored leads", &e)),
        };
    }
    let Some(input_path) = &args.input else { anyhow::bail!("give a CSV file to score, or --stored") };
    let input = open(input_path)?;
    let size = input.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = if std::io::stderr().is_terminal() && args.output.is_some() {
        ProgressBar::new(size)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} scoring {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut options = BatchOptions { top: args.top, id_column: args.id.clone(), ..BatchOptions::default() };
    if let Some(threads) = args.threads {
        options.threads = threads.max(1);
    }
    let progress = |bytes: u64| bar.set_position(bytes);
    let result = match &args.output {
        Some(path) => {
            let file = File::create(path).with_context(|| format!("cannot create `{}`", path.display()))?;
            score_csv(&model, input, file, &options, &progress)
        }
        None => score_csv(&model, input, std::io::stdout().lock(), &options, &progress),
    };
    bar.finish_and_clear();
    match result {
        Ok(summary) => {
            if let Some(path) = &args.output {
                eprintln!(
                    "{} rows scored with the {} model ({} AUC {:.3}) -> {}",
                    summary.rows,
                    model.kind,
                    "cross-validated",
                    model.report.metrics.auc,
                    path.display()
                );
            }
            Ok(exit::OK)
        }
        Err(e) => Ok(report_error(&input_display(args), &e)),
    }
}
