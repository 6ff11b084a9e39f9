//! Training with k-fold cross-validation, the leakage guard and the final model.

use std::collections::HashSet;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use sift_core::{Arg, Message};

use crate::error::{Result, ScoreError};
use crate::features::{DroppedColumn, Encoded, FeatureSchema, ParsedTable};
use crate::gbm::{self, Forest};
use crate::logistic::{Logistic, sigmoid};
use crate::metrics::{CalibrationBin, Metrics, Platt, calibration_table, round4};
use crate::model::{
    FORMAT, FORMAT_VERSION, LabelSpec, ModelChoice, ModelFile, ModelKind, ModelParams, TrainingSummary,
};
use crate::odoo::{DEFAULT_STAGES, EXPORT_FIELDS, OdooConfig, OdooLead, OdooNb, odoo_lead};
use crate::select::{self, Selection};
use crate::table::{Table, category_key, parse_bool, parse_label, parse_number};

/// Columns that CRMs fill in after the outcome is known (sales notes, post-call fields).
/// Matched case-insensitively on the whole name.
pub const POST_OUTCOME_COLUMNS: &[&str] =
    &["tags", "lead quality", "last activity", "last notable activity", "duration", "lead status", "deal stage"];
/// A single column whose own AUC reaches this predicts the label almost perfectly.
pub const LEAKY_AUC: f64 = 0.95;
/// Columns with more distinct values than this share of rows are identifiers, not features.
pub const ID_LIKE_SHARE: f64 = 0.9;
/// How the reason of a column dropped as an identifier begins (batch scoring copies such a
/// column to its output to name each lead).
pub const ID_LIKE_REASON: &str = "identifier-like";

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GbmParams {
    /// Boosting rounds at most (fewer when early stopping ends the fit).
    pub iterations: usize,
    pub learning_rate: f32,
    pub max_depth: usize,
    pub min_leaf_weight: f32,
    pub l2: f32,
    /// Whether a tenth of the training rows is held back to stop boosting once it no longer
    /// improves their log loss (see [`crate::gbm`]). Models trained before it existed read
    /// as `auto`.
    #[serde(default)]
    pub early_stopping: EarlyStopping,
}

impl Default for GbmParams {
    fn default() -> Self {
        GbmParams {
            iterations: 100,
            learning_rate: 0.1,
            max_depth: 5,
            min_leaf_weight: 1.0,
            l2: 1.0,
            early_stopping: EarlyStopping::Auto,
        }
    }
}

/// A column read as calendar dates (see [`crate::features::ColumnKind::Date`]): its order
/// and the range of its training dates, outside which a date scores as the nearest end.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DateColumn {
    pub column: String,
    /// How its dates were read: `YYYY-MM-DD`, `DD/MM/YYYY` or `MM/DD/YYYY`.
    pub format: String,
    /// The earliest and latest training dates, `YYYY-MM-DD`.
    pub first: String,
    pub last: String,
    /// What a date outside them scores as, in English.
    pub note: String,
    /// `note` as a message (`model.date.range`).
    pub note_message: Message,
}

impl DateColumn {
    fn of(schema: &FeatureSchema) -> Vec<DateColumn> {
        schema
            .columns
            .iter()
            .filter_map(|c| match &c.kind {
                crate::features::ColumnKind::Date { format, first, last, .. } => {
                    let (first, last) = (crate::dates::format_day(*first), crate::dates::format_day(*last));
                    let message =
                        Message::new("model.date.range").with("first", first.as_str()).with("last", last.as_str());
                    Some(DateColumn {
                        column: c.name.clone(),
                        format: format.pattern().to_string(),
                        first,
                        last,
                        note: message.english(),
                        note_message: message,
                    })
                }
                _ => None,
            })
            .collect()
    }
}

/// The size of a fitted gbm model against the rounds asked for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct GbmTrees {
    pub trees: usize,
    pub iterations: usize,
    pub early_stopping: EarlyStopping,
}

/// When the gbm model stops boosting early.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum EarlyStopping {
    /// On above [`EarlyStopping::AUTO_ROWS`] training rows, as scikit-learn's
    /// HistGradientBoosting does: with fewer, holding rows back costs more than it saves.
    #[default]
    Auto,
    On,
    Off,
}

impl EarlyStopping {
    /// `auto` stops early above this many training rows.
    pub const AUTO_ROWS: usize = 10_000;

    pub fn as_str(self) -> &'static str {
        match self {
            EarlyStopping::Auto => "auto",
            EarlyStopping::On => "on",
            EarlyStopping::Off => "off",
        }
    }

    pub fn applies(self, rows: usize) -> bool {
        match self {
            EarlyStopping::Auto => rows > Self::AUTO_ROWS,
            EarlyStopping::On => true,
            EarlyStopping::Off => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum FoldSpec {
    /// Stratified folds drawn with a seed.
    Stratified { k: usize, seed: u64 },
    /// One fold number per data row (e.g. exported from scikit-learn, to share folds).
    Given(Vec<usize>),
}

#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub label: String,
    pub positive: Option<String>,
    pub exclude: Vec<String>,
    /// A model kind, or [`ModelChoice::Auto`]: cross-validate the candidates on the same
    /// folds and keep the best (see [`crate::select`]).
    pub kind: ModelChoice,
    pub folds: FoldSpec,
    /// Inverse L2 strength of the logistic regression (scikit-learn's `C`).
    pub c: f64,
    pub gbm: GbmParams,
    pub odoo: OdooConfig,
    /// The data is an Odoo CRM lead export, read by Odoo's own field names (odoo-nb only).
    /// The outcome is Odoo's: won when `probability` is 100, lost when it is 0 and the lead
    /// is archived (`active` false; without an `active` column, 0 is lost); other rows are
    /// open leads and are left out. The variables are Odoo's scoring fields the file has
    /// ([`EXPORT_FIELDS`]); `team_id`, `stage_id` and `tag_ids` are the team, stage and tags.
    /// Without a stage list Odoo's default pipeline is assumed ([`DEFAULT_STAGES`]), and
    /// without a won stage, `won`.
    pub odoo_export: bool,
    /// Also cross-validate with the other choice of the columns the leakage guard flags
    /// (with them when they are left out, without them when they are kept).
    pub compare_without_leaky: bool,
    /// Learn from the columns the leakage guard flags too. Off by default: they are left out
    /// (and listed in `dropped_columns` with the reason), so a model never fits on leakage
    /// silently.
    pub keep_leaky: bool,
    /// RFC 3339 creation time (the caller owns the clock).
    pub created_at: String,
    pub source: Option<String>,
}

/// The allowed number of cross-validation folds: at least two (one to fit, one to test).
pub const FOLDS: std::ops::RangeInclusive<usize> = 2..=100;
/// The allowed boosting rounds: each round adds a tree; 10,000 trees of depth 5 already
/// take minutes on a large file and far more rounds only overfit.
pub const GBM_ITERATIONS: std::ops::RangeInclusive<usize> = 1..=10_000;
/// The allowed tree depths.
pub const GBM_MAX_DEPTH: std::ops::RangeInclusive<usize> = 1..=30;

fn out_of_range(what: &str, value: impl std::fmt::Display, allowed: &str) -> ScoreError {
    ScoreError::Options(format!("{what} `{value}` is out of range: give {allowed}"))
}

impl TrainOptions {
    /// Refuses settings out of range, naming the allowed range (the CLI and the API refuse
    /// the same values).
    pub fn validate(&self) -> Result<()> {
        if let FoldSpec::Stratified { k, .. } = self.folds
            && !FOLDS.contains(&k)
        {
            return Err(out_of_range("folds", k, &format!("{} to {}", FOLDS.start(), FOLDS.end())));
        }
        let gbm = &self.gbm;
        if !GBM_ITERATIONS.contains(&gbm.iterations) {
            let allowed = format!("{} to {}", GBM_ITERATIONS.start(), GBM_ITERATIONS.end());
            return Err(out_of_range("gbm iterations", gbm.iterations, &allowed));
        }
        if !GBM_MAX_DEPTH.contains(&gbm.max_depth) {
            let allowed = format!("{} to {}", GBM_MAX_DEPTH.start(), GBM_MAX_DEPTH.end());
            return Err(out_of_range("gbm max depth", gbm.max_depth, &allowed));
        }
        if !(gbm.learning_rate.is_finite() && gbm.learning_rate > 0.0 && gbm.learning_rate <= 1.0) {
            return Err(out_of_range("gbm learning rate", gbm.learning_rate, "a number above 0 and at most 1"));
        }
        if !(gbm.min_leaf_weight.is_finite() && gbm.min_leaf_weight >= 0.0) {
            return Err(out_of_range("gbm min leaf weight", gbm.min_leaf_weight, "a finite number of 0 or more"));
        }
        if !(gbm.l2.is_finite() && gbm.l2 >= 0.0) {
            return Err(out_of_range("gbm l2", gbm.l2, "a finite number of 0 or more"));
        }
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(out_of_range("C", self.c, "a finite number above 0"));
        }
        if self.odoo_export && !matches!(self.kind, ModelChoice::OdooNb | ModelChoice::Auto) {
            return Err(ScoreError::Options(format!(
                "an Odoo lead export is read by the odoo-nb model, not `{}`",
                self.kind
            )));
        }
        self.odoo.validate()
    }

    pub fn new(label: &str, kind: impl Into<ModelChoice>) -> TrainOptions {
        TrainOptions {
            label: label.to_string(),
            positive: None,
            exclude: Vec::new(),
            kind: kind.into(),
            folds: FoldSpec::Stratified { k: 5, seed: 0 },
            c: 1.0,
            gbm: GbmParams::default(),
            odoo: OdooConfig::default(),
            odoo_export: false,
            compare_without_leaky: true,
            keep_leaky: false,
            created_at: String::new(),
            source: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LeakageWarning {
    pub column: String,
    pub reason: String,
    /// `reason` as a message (`model.leakage.*`); absent from reports kept before codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_message: Option<Message>,
    /// The column's own AUC (target rate by value), in-sample.
    pub single_column_auc: f64,
}

impl LeakageWarning {
    /// `column` flagged for the reason `message` says (the reason is its English).
    fn new(column: String, message: Message, single_column_auc: f64) -> LeakageWarning {
        LeakageWarning { column, reason: message.english(), reason_message: Some(message), single_column_auc }
    }
}

/// The cross-validation report printed by `sift train` and stored in the model file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrainReport {
    pub model: ModelKind,
    pub rows: usize,
    pub positives: usize,
    pub base_rate: f64,
    pub folds: usize,
    #[serde(flatten)]
    pub metrics: Metrics,
    /// Out-of-fold predictions, after the model's calibration, in ten bins.
    pub calibration: Vec<CalibrationBin>,
    pub calibrated: bool,
    pub leakage_warnings: Vec<LeakageWarning>,
    /// The same cross-validation without the flagged columns, when they were kept
    /// (`keep_leaky`).
    pub without_leaky_columns: Option<Metrics>,
    /// The same cross-validation with the flagged columns, when they were left out (the
    /// default): what the leakage would have seemed to be worth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_leaky_columns: Option<Metrics>,
    pub columns_used: Vec<String>,
    pub dropped_columns: Vec<DroppedColumn>,
    /// Identifier-like columns that were kept (odoo-nb keeps every variable, as Odoo does);
    /// batch scoring copies the first to its output to name each lead.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifier_columns: Vec<String>,
    /// The columns read as calendar dates, with their training range. Absent from reports
    /// of models trained before dates were read, and when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub date_columns: Vec<DateColumn>,
    pub features: usize,
    pub cv_fit_seconds: f64,
    pub cv_predict_seconds: f64,
    pub final_fit_seconds: f64,
    /// gbm: the trees of the final model and the rounds asked for (fewer trees when early
    /// stopping ended the fit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gbm_trees: Option<GbmTrees>,
    /// How `auto` chose this model: every candidate's cross-validated figures on the same
    /// folds, and the reason in words. Absent when a kind was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection: Option<Selection>,
    /// The ROC curve of the out-of-fold predictions (after calibration), about a hundred
    /// points. Absent from models trained before it was kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roc: Vec<crate::curves::RocPoint>,
    /// Lift by decile of the out-of-fold predictions, best first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lift: Vec<crate::curves::LiftDecile>,
    /// The values that raise and lower the final model's scores most over the training
    /// leads (see [`crate::curves::overall_factors`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub top_factors: Vec<crate::curves::OverallFactor>,
}

/// Small deterministic generator (SplitMix64) for fold shuffling.
struct SplitMix(u64);
impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Stratified fold numbers: each class shuffled, then dealt round-robin.
pub fn stratified_folds(y: &[bool], k: usize, seed: u64) -> Vec<usize> {
    let mut rng = SplitMix(seed);
    let mut folds = vec![0; y.len()];
    let mut next = 0;
    for class in [true, false] {
        let mut idx: Vec<usize> = (0..y.len()).filter(|&i| y[i] == class).collect();
        for i in (1..idx.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            idx.swap(i, j);
        }
        for i in idx {
            folds[i] = next % k;
            next += 1;
        }
    }
    folds
}

/// Reads a folds file: one fold number per data row.
pub fn parse_folds(text: &str) -> Result<Vec<usize>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            l.trim()
                .parse::<usize>()
                .map_err(|_| ScoreError::BadFolds(format!("line {}: `{}` is not a fold number", i + 1, l.trim())))
        })
        .collect()
}

/// The label column of an Odoo export.
pub const ODOO_PROBABILITY: &str = "probability";
/// The column of an Odoo export that says whether a lead is archived (lost leads are).
pub const ODOO_ACTIVE: &str = "active";

/// Odoo's outcome of an exported lead: won at probability 100, lost at 0 when archived (or
/// when the export has no `active` column), open otherwise.
fn read_odoo_outcome(table: &Table) -> Result<(usize, Vec<Option<bool>>)> {
    let column = table.column_index(ODOO_PROBABILITY)?;
    let active = table.column_index(ODOO_ACTIVE).ok();
    let bad = |row: usize, value: &str| ScoreError::BadLabel {
        column: table.headers[column].clone(),
        row: row + 1,
        value: value.to_string(),
    };
    let labels = (0..table.rows)
        .map(|row| {
            let Some(value) = table.columns[column][row].as_deref() else { return Ok(None) };
            let probability = parse_number(value).ok_or_else(|| bad(row, value))?;
            let archived = match active {
                None => true,
                Some(a) => match table.columns[a][row].as_deref() {
                    None => false,
                    Some(v) => !parse_bool(v).ok_or_else(|| ScoreError::BadLabel {
                        column: table.headers[a].clone(),
                        row: row + 1,
                        value: v.to_string(),
                    })?,
                },
            };
            Ok(if probability == 100.0 {
                Some(true)
            } else if probability == 0.0 && archived {
                Some(false)
            } else {
                None
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((column, labels))
}

/// The label as booleans, with rows lacking a label left out.
fn read_label(table: &Table, options: &TrainOptions) -> Result<(usize, Vec<Option<bool>>)> {
    if options.odoo_export {
        return read_odoo_outcome(table);
    }
    let column = table.column_index(&options.label)?;
    let name = &table.headers[column];
    let labels = table.columns[column]
        .iter()
        .enumerate()
        .map(|(row, v)| match v {
            None => Ok(None),
            Some(v) => parse_label(v, options.positive.as_deref()).map(Some).ok_or_else(|| ScoreError::BadLabel {
                column: name.clone(),
                row: row + 1,
                value: v.clone(),
            }),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((column, labels))
}

/// In-sample AUC of a column on its own: target rate per value (rare values pooled) or the
/// number itself, whichever direction is better.
fn single_column_auc(values: &[Option<String>], y: &[bool]) -> f64 {
    let numbers: Vec<Option<f64>> = values.iter().map(|v| v.as_deref().and_then(crate::table::parse_number)).collect();
    let present = values.iter().filter(|v| v.is_some()).count();
    let numeric = present > 0 && numbers.iter().filter(|v| v.is_some()).count() == present;
    let score: Vec<f64> = if numeric {
        numbers.iter().map(|v| v.unwrap_or(f64::MIN)).collect()
    } else {
        let mut key = String::new();
        let keys: Vec<String> = values
            .iter()
            .map(|v| match v {
                Some(v) => {
                    category_key(v, &mut key);
                    key.clone()
                }
                None => String::new(),
            })
            .collect();
        let mut counts: std::collections::HashMap<&str, (f64, f64)> = std::collections::HashMap::new();
        for (k, &y) in keys.iter().zip(y) {
            let e = counts.entry(k.as_str()).or_default();
            e.0 += 1.0;
            e.1 += f64::from(u8::from(y));
        }
        let (rare_n, rare_pos) = counts.values().filter(|c| c.0 < 10.0).fold((0.0, 0.0), |a, c| (a.0 + c.0, a.1 + c.1));
        keys.iter()
            .map(|k| {
                let c = counts[k.as_str()];
                if c.0 < 10.0 { rare_pos / rare_n } else { c.1 / c.0 }
            })
            .collect()
    };
    let auc = crate::metrics::auc(y, &score).unwrap_or(0.5);
    auc.max(1.0 - auc)
}

enum Fitted {
    Logistic(Logistic),
    Gbm(Box<Forest>, Vec<f64>),
    OdooNb(OdooNb),
}

struct Pipeline<'a> {
    kind: ModelKind,
    options: &'a TrainOptions,
    /// odoo-nb: the team, stages and tags as resolved for this data.
    odoo: OdooConfig,
}

impl Pipeline<'_> {
    fn odoo_leads(&self, table: &Table, columns: &[usize]) -> Result<(Vec<String>, Vec<OdooLead>)> {
        let fields: Vec<String> = columns.iter().map(|&c| table.headers[c].clone()).collect();
        let mut positions: Vec<usize> = columns.to_vec();
        let config = &self.odoo;
        for column in [&config.team_column, &config.stage_column, &config.tag_column].into_iter().flatten() {
            positions.push(table.column_index(column)?);
        }
        let leads = (0..table.rows)
            .map(|row| odoo_lead(&fields, config, |i| table.columns[positions[i]][row].as_deref()))
            .collect();
        Ok((fields, leads))
    }

    fn fit(&self, table: &Table, y: &[bool], columns: &[usize]) -> Result<(FeatureSchema, Fitted)> {
        Ok(match self.kind {
            ModelKind::OdooNb => {
                // Odoo reads every value as text and has no pipeline: nothing to learn but counts.
                let (fields, leads) = self.odoo_leads(table, columns)?;
                let nb = OdooNb::fit(fields, self.odoo.clone(), leads.iter().zip(y.iter().copied()));
                (FeatureSchema::empty(), Fitted::OdooNb(nb))
            }
            ModelKind::Logistic | ModelKind::Gbm => {
                let (schema, encoded) = FeatureSchema::fit_encode(table, columns)?;
                self.fit_encoded(schema, &encoded, y)?
            }
        })
    }

    /// The model of a learned pipeline from its encoded training rows (logistic or gbm).
    fn fit_encoded(&self, schema: FeatureSchema, encoded: &Encoded, y: &[bool]) -> Result<(FeatureSchema, Fitted)> {
        Ok(match self.kind {
            ModelKind::Gbm => {
                let codes = encoded.category_codes(&schema, y);
                let data = encoded.to_tree_matrix(&codes);
                let forest =
                    gbm::fit(&data, encoded.rows, encoded.n_dense + encoded.n_categorical, y, &self.options.gbm)?;
                (schema, Fitted::Gbm(Box::new(forest), codes))
            }
            _ => {
                let model = Logistic::fit(encoded, y, self.options.c)?;
                (schema, Fitted::Logistic(model))
            }
        })
    }

    fn predict(&self, schema: &FeatureSchema, fitted: &Fitted, table: &Table, columns: &[usize]) -> Result<Vec<f64>> {
        Ok(match fitted {
            Fitted::Logistic(model) => {
                let x = schema.encode_table(table)?;
                (0..x.rows).map(|r| sigmoid(model.decision(x.dense_row(r), x.onehot_row(r)))).collect()
            }
            Fitted::Gbm(forest, codes) => {
                let x = schema.encode_table(table)?;
                let data = x.to_tree_matrix(codes);
                let forest = forest.compile();
                let features = x.n_dense + x.n_categorical;
                let mut row = vec![0.0; features];
                let mut scratch = gbm::ForestScratch::default();
                (0..x.rows)
                    .map(|r| {
                        row.iter_mut().enumerate().for_each(|(f, v)| *v = data[f * x.rows + r]);
                        sigmoid(forest.predict(&row, &mut scratch))
                    })
                    .collect()
            }
            Fitted::OdooNb(nb) => {
                let mut results = nb.prepare();
                // Odoo's "a lead in the won stage scores 100" would read a closed lead's
                // outcome here: out of fold, its stage is simply not counted.
                results.won_stage = None;
                let (_, leads) = self.odoo_leads(table, columns)?;
                leads.iter().map(|l| results.probability(l).map_or(0.0, |(p, _)| p / 100.0)).collect()
            }
        })
    }

    /// Out-of-fold predictions and the time spent fitting and predicting.
    fn cross_validate(
        &self,
        table: &Table,
        y: &[bool],
        columns: &[usize],
        folds: &[usize],
    ) -> Result<(Vec<f64>, f64, f64)> {
        let k = folds.iter().max().map_or(0, |m| m + 1);
        let mut predictions = vec![0.0; y.len()];
        let (mut fit_s, mut predict_s) = (0.0, 0.0);
        // The cells are read once for every fold (the time counts as fitting); odoo-nb reads
        // raw values and has no pipeline.
        let started = Instant::now();
        let parsed = (self.kind != ModelKind::OdooNb).then(|| ParsedTable::new(table, columns));
        fit_s += started.elapsed().as_secs_f64();
        for fold in 0..k {
            let train: Vec<usize> = (0..y.len()).filter(|&i| folds[i] != fold).collect();
            let test: Vec<usize> = (0..y.len()).filter(|&i| folds[i] == fold).collect();
            if test.is_empty() {
                continue;
            }
            let train_y: Vec<bool> = train.iter().map(|&i| y[i]).collect();
            if train_y.iter().all(|&v| v) || !train_y.iter().any(|&v| v) {
                return Err(ScoreError::Training(format!("fold {fold}: the training part has a single class")));
            }
            let (schema, fitted) = match &parsed {
                Some(parsed) => {
                    let started = Instant::now();
                    let (schema, encoded) = FeatureSchema::fit_encode_rows(parsed, columns, &train)?;
                    let fitted = self.fit_encoded(schema, &encoded, &train_y)?;
                    fit_s += started.elapsed().as_secs_f64();
                    fitted
                }
                None => {
                    let train_table = table.select_rows(&train);
                    let started = Instant::now();
                    let fitted = self.fit(&train_table, &train_y, columns)?;
                    fit_s += started.elapsed().as_secs_f64();
                    fitted
                }
            };
            let started = Instant::now();
            let test_table = table.select_rows(&test);
            let p = self.predict(&schema, &fitted, &test_table, columns)?;
            predict_s += started.elapsed().as_secs_f64();
            for (&i, p) in test.iter().zip(p) {
                predictions[i] = p;
            }
        }
        Ok((predictions, fit_s, predict_s))
    }
}

/// The team, stage and tag columns and the stages odoo-nb reads: as given, or for an Odoo
/// export, Odoo's own field names and default pipeline where none were given.
fn resolve_odoo_config(table: &Table, options: &TrainOptions) -> Result<OdooConfig> {
    let mut config = options.odoo.clone();
    if options.odoo_export {
        let named = |name: &str| table.column_index(name).ok().map(|c| table.headers[c].clone());
        config.team_column = config.team_column.or_else(|| named("team_id"));
        config.stage_column = config.stage_column.or_else(|| named("stage_id"));
        config.tag_column = config.tag_column.or_else(|| named("tag_ids"));
        // Odoo's default pipeline: New, Qualified, Proposition counted; Won the won stage.
        let (won, counted) = DEFAULT_STAGES.split_last().map_or((None, DEFAULT_STAGES), |(w, c)| (Some(w), c));
        if config.stage_column.is_some() && config.stages.is_empty() {
            config.stages = counted.iter().map(|(name, _)| name.to_string()).collect();
            config.stage_sequences = counted.iter().map(|(_, sequence)| *sequence).collect();
        }
        if config.stage_column.is_some() {
            config.won_stage = config.won_stage.or_else(|| won.map(|(name, _)| name.to_string()));
        }
    }
    if config.stage_column.is_some() && config.stages.is_empty() {
        return Err(ScoreError::Options(
            "a stage column needs the stages in sequence order (--odoo-stages NEW,QUALIFIED,...)".into(),
        ));
    }
    config.validate()?;
    Ok(config)
}

/// A listed stage that gives a closed lead's outcome away.
struct OutcomeStage {
    stage: String,
    reason: Message,
    /// AUC of "the lead is in this stage" as a predictor of winning.
    auc: f64,
}

/// Checks every lead's stage is listed (or is the won stage) and finds the listed stages
/// that hold the outcome: the declared won stage, or a stage so full of won leads and empty
/// of lost ones that being in it predicts winning with an AUC of [`LEAKY_AUC`] or more.
fn outcome_stages(table: &Table, y: &[bool], config: &OdooConfig, kept: &[usize]) -> Result<Vec<OutcomeStage>> {
    let Some(column) = &config.stage_column else { return Ok(Vec::new()) };
    let c = table.column_index(column)?;
    let mut counts = vec![(0usize, 0usize); config.stages.len()];
    let mut key = String::new();
    for (row, value) in table.columns[c].iter().enumerate() {
        let Some(value) = value else { continue };
        category_key(value, &mut key);
        match config.stages.iter().position(|s| *s == key) {
            Some(i) if y[row] => counts[i].0 += 1,
            Some(i) => counts[i].1 += 1,
            None if config.won_stage.as_deref() == Some(key.as_str()) => {}
            None => {
                return Err(ScoreError::UnknownStage {
                    column: table.headers[c].clone(),
                    row: kept.get(row).map_or(row, |&r| r) + 1,
                    value: value.clone(),
                    stages: config.stages.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "),
                });
            }
        }
    }
    let won = y.iter().filter(|&&w| w).count().max(1) as f64;
    let lost = y.iter().filter(|&&w| !w).count().max(1) as f64;
    let mut flagged = Vec::new();
    for (stage, &(won_in, lost_in)) in config.stages.iter().zip(&counts) {
        let auc = round4(0.5 * (won_in as f64 / won + 1.0 - lost_in as f64 / lost));
        let declared = config.won_stage.as_deref() == Some(stage.as_str());
        if declared || auc >= LEAKY_AUC {
            flagged.push(OutcomeStage {
                stage: stage.clone(),
                reason: Message::new("model.leakage.stage")
                    .with("declared", if declared { "yes" } else { "no" })
                    .with("won_in", won_in.to_string())
                    .with("won", (won as usize).to_string())
                    .with("lost_in", lost_in.to_string())
                    .with("lost", (lost as usize).to_string()),
                auc,
            });
        }
    }
    Ok(flagged)
}

/// The labelled rows, shared by every model kind: the same rows and the same folds.
struct Labelled {
    /// The rows with a label.
    table: Table,
    y: Vec<bool>,
    folds: Vec<usize>,
    fold_count: usize,
    /// Each kept row's row in the input.
    kept: Vec<usize>,
    label_column: usize,
    label_name: String,
    positives: usize,
    rows_without_label: usize,
}

fn read_labelled(table: &Table, options: &TrainOptions) -> Result<Labelled> {
    let (label_column, labels) = read_label(table, options)?;
    let label_name = table.headers[label_column].clone();
    let kept: Vec<usize> = (0..table.rows).filter(|&r| labels[r].is_some()).collect();
    let rows_without_label = table.rows - kept.len();
    let table = if rows_without_label > 0 { table.select_rows(&kept) } else { table.clone() };
    let y: Vec<bool> = kept.iter().filter_map(|&r| labels[r]).collect();
    let positives = y.iter().filter(|&&v| v).count();
    if positives == 0 || positives == y.len() {
        let value = table.columns[label_column].iter().flatten().next().cloned().unwrap_or_default();
        return Err(ScoreError::OneClassLabel { column: label_name, value, rows: y.len() });
    }
    let folds = match &options.folds {
        FoldSpec::Stratified { k, seed } => stratified_folds(&y, *k, *seed),
        FoldSpec::Given(given) => {
            if given.len() != labels.len() {
                return Err(ScoreError::BadFolds(format!(
                    "{} fold numbers for {} data rows",
                    given.len(),
                    labels.len()
                )));
            }
            kept.iter().map(|&r| given[r]).collect()
        }
    };
    let fold_count = folds.iter().max().map_or(0, |m| m + 1);
    Ok(Labelled { table, y, folds, fold_count, kept, label_column, label_name, positives, rows_without_label })
}

/// What one model kind learns from, after the column rules and the leakage guard.
struct Prepared {
    kind: ModelKind,
    /// The columns the model learns from.
    columns: Vec<usize>,
    /// The columns without the flagged ones, and every column, for the leakage comparison.
    clean: Vec<usize>,
    all_columns: Vec<usize>,
    any_leaky: bool,
    odoo_has_variables: bool,
    /// odoo-nb: the configuration used, and the one without / with the stages flagged.
    odoo: OdooConfig,
    odoo_without_leaky_stages: OdooConfig,
    odoo_with_leaky_stages: OdooConfig,
    dropped: Vec<DroppedColumn>,
    identifier_columns: Vec<String>,
    leakage_warnings: Vec<LeakageWarning>,
}

/// Column rules and the leakage guard for one model kind.
fn prepare(input: &Table, data: &Labelled, options: &TrainOptions, kind: ModelKind) -> Result<Prepared> {
    let table = &data.table;
    let y = &data.y;
    let odoo_mode = kind == ModelKind::OdooNb;
    let mut odoo = if odoo_mode { resolve_odoo_config(table, options)? } else { options.odoo.clone() };

    // Which columns to learn from.
    let mut excluded: HashSet<usize> = HashSet::from([data.label_column]);
    for name in &options.exclude {
        excluded.insert(table.column_index(name)?);
    }
    if odoo_mode {
        for column in [&odoo.team_column, &odoo.stage_column, &odoo.tag_column].into_iter().flatten() {
            excluded.insert(table.column_index(column)?);
        }
        if options.odoo_export
            && let Ok(active) = table.column_index(ODOO_ACTIVE)
        {
            excluded.insert(active);
        }
    }
    let mut dropped = Vec::new();
    let mut columns = Vec::new();
    let mut identifier_columns = Vec::new();
    for (c, name) in table.headers.iter().enumerate() {
        if excluded.contains(&c) {
            continue;
        }
        let present: Vec<&str> = table.columns[c].iter().flatten().map(String::as_str).collect();
        if name.is_empty() {
            if present.is_empty() {
                continue; // the empty column after a trailing comma
            }
            dropped.push(DroppedColumn::new("", Message::new("model.dropped.no_header")));
            continue;
        }
        let distinct: HashSet<&str> = present.iter().copied().collect();
        // Dates and times are no identifiers, however many distinct values they hold.
        let id_like = distinct.len() as f64 > ID_LIKE_SHARE * table.rows as f64
            && crate::features::date_column_format(distinct.iter().copied()).is_none();
        // Its English begins with `ID_LIKE_REASON`.
        let identifier = || {
            Message::new("model.dropped.identifier")
                .with("distinct", distinct.len().to_string())
                .with("rows", table.rows.to_string())
        };
        if options.odoo_export && !EXPORT_FIELDS.iter().any(|f| name.eq_ignore_ascii_case(f)) {
            let reason = if id_like { identifier() } else { Message::new("model.dropped.not_odoo_field") };
            dropped.push(DroppedColumn::new(name, reason));
            continue;
        }
        // Odoo keeps a variable whatever its number of values: so does its reproduction.
        if id_like && !odoo_mode {
            dropped.push(DroppedColumn::new(name, identifier()));
            continue;
        }
        if id_like {
            identifier_columns.push(name.clone());
        }
        columns.push(c);
    }
    let odoo_has_variables = odoo.stage_column.is_some() || odoo.tag_column.is_some();
    if columns.is_empty() && !(odoo_mode && odoo_has_variables) {
        return Err(ScoreError::NoFeatures);
    }

    // Learn the pipeline on every row once first: a column's kind (and any bad value in it)
    // is then decided on the whole data, with the real row number, not inside one fold.
    // Odoo has no pipeline: every value is text to it.
    if !odoo_mode {
        FeatureSchema::fit(input, &columns)?;
    }

    // Leakage guard.
    let mut leakage_warnings = Vec::new();
    let mut leaky = Vec::new();
    for &c in &columns {
        let name = &table.headers[c];
        let auc = round4(single_column_auc(&table.columns[c], y));
        let known = POST_OUTCOME_COLUMNS.iter().any(|p| name.trim().eq_ignore_ascii_case(p));
        let reason = if known {
            Some(Message::new("model.leakage.post_outcome"))
        } else if auc >= LEAKY_AUC {
            Some(Message::new("model.leakage.predicts").with("auc", format!("{auc:.3}")))
        } else {
            None
        };
        if let Some(reason) = reason {
            leakage_warnings.push(LeakageWarning::new(name.clone(), reason, auc));
            leaky.push(c);
        }
    }
    // odoo-nb: a listed stage that holds the won leads (the won stage) gives a closed lead's
    // outcome away; it is left out of the counted stages and becomes the won stage.
    let leaky_stages = if odoo_mode { outcome_stages(table, y, &odoo, &data.kept)? } else { Vec::new() };
    let odoo_without_leaky_stages = {
        let mut config = odoo.clone();
        for warning in &leaky_stages {
            if let Some(i) = config.stages.iter().position(|s| *s == warning.stage) {
                config.stages.remove(i);
                if !config.stage_sequences.is_empty() {
                    config.stage_sequences.remove(i);
                }
            }
            if config.won_stage.is_none() {
                config.won_stage = Some(warning.stage.clone());
            }
        }
        config
    };
    let stage_column_name = odoo.stage_column.clone().unwrap_or_default();
    for warning in &leaky_stages {
        leakage_warnings.push(LeakageWarning::new(
            format!("{stage_column_name} = {}", warning.stage),
            warning.reason.clone(),
            warning.auc,
        ));
    }

    // Flagged columns are left out unless asked for: a model never fits on leakage silently.
    let clean: Vec<usize> = columns.iter().copied().filter(|c| !leaky.contains(c)).collect();
    let all_columns = columns.clone();
    let any_leaky = !leaky.is_empty() || !leaky_stages.is_empty();
    let odoo_with_leaky_stages = odoo.clone();
    if !options.keep_leaky && any_leaky {
        if clean.is_empty() && !(odoo_mode && odoo_has_variables) {
            return Err(ScoreError::OnlyLeakyColumns(
                leakage_warnings.iter().map(|w| format!("`{}`", w.column)).collect::<Vec<_>>().join(", "),
            ));
        }
        for w in &leakage_warnings {
            let reason = match &w.reason_message {
                Some(m) => Arg::Message(m.clone()),
                None => Arg::Text(w.reason.clone()),
            };
            dropped.push(DroppedColumn::new(&w.column, Message::new("model.dropped.leaky").with_arg("reason", reason)));
        }
        columns = clean.clone();
        odoo = odoo_without_leaky_stages.clone();
    }
    Ok(Prepared {
        kind,
        columns,
        clean,
        all_columns,
        any_leaky,
        odoo_has_variables,
        odoo,
        odoo_without_leaky_stages,
        odoo_with_leaky_stages,
        dropped,
        identifier_columns,
        leakage_warnings,
    })
}

/// Out-of-fold predictions of one model kind on the shared folds.
struct CrossValidated {
    oof: Vec<f64>,
    metrics: Metrics,
    fit_seconds: f64,
    predict_seconds: f64,
}

fn cross_validate_prepared(data: &Labelled, options: &TrainOptions, prepared: &Prepared) -> Result<CrossValidated> {
    let pipeline = Pipeline { kind: prepared.kind, options, odoo: prepared.odoo.clone() };
    let (oof, fit_seconds, predict_seconds) =
        pipeline.cross_validate(&data.table, &data.y, &prepared.columns, &data.folds)?;
    let metrics = Metrics::compute(&data.y, &oof);
    Ok(CrossValidated { oof, metrics, fit_seconds, predict_seconds })
}

/// Trains a model: cross-validation report, leakage guard, final fit on every row. With
/// [`ModelChoice::Auto`] the candidate kinds are cross-validated on the same folds and the
/// best (see [`crate::select`]) is fitted, its choice explained in `report.selection`.
pub fn train(input: &Table, options: &TrainOptions) -> Result<ModelFile> {
    options.validate()?;
    let data = read_labelled(input, options)?;
    match options.kind.kind() {
        Some(kind) => {
            let prepared = prepare(input, &data, options, kind)?;
            let cv = cross_validate_prepared(&data, options, &prepared)?;
            finish(&data, options, prepared, cv, None)
        }
        None => {
            let (candidates, not_candidates) = select::candidates(options);
            let mut outcomes: Vec<(ModelKind, select::Outcome)> = Vec::new();
            let mut trained = Vec::new();
            let mut first_error = None;
            for kind in candidates {
                let outcome = prepare(input, &data, options, kind)
                    .and_then(|prepared| Ok((cross_validate_prepared(&data, options, &prepared)?, prepared)));
                match outcome {
                    Ok((cv, prepared)) => {
                        let trained_outcome =
                            select::Outcome::Trained { metrics: cv.metrics.clone(), fit_seconds: cv.fit_seconds };
                        outcomes.push((kind, trained_outcome));
                        trained.push((prepared, cv));
                    }
                    // Nothing this kind can learn from (another kind may): noted, not fatal.
                    Err(e @ (ScoreError::NoFeatures | ScoreError::OnlyLeakyColumns(_) | ScoreError::Training(_))) => {
                        let why = match &e {
                            ScoreError::OnlyLeakyColumns(columns) => {
                                Message::new("model.error.only_leaky").with("columns", columns.as_str())
                            }
                            ScoreError::Training(detail) => {
                                Message::new("model.error.training").with("detail", detail.as_str())
                            }
                            _ => Message::new("model.error.no_features"),
                        };
                        outcomes.push((kind, select::Outcome::Failed(why)));
                        first_error.get_or_insert(e);
                    }
                    Err(e) => return Err(e),
                }
            }
            outcomes.extend(not_candidates.into_iter().map(|(kind, why)| (kind, select::Outcome::NotCandidate(why))));
            let Some(selection) = select::choose(outcomes) else {
                return Err(first_error.unwrap_or(ScoreError::NoFeatures));
            };
            let Some(position) = trained.iter().position(|(p, _)| p.kind == selection.chosen) else {
                return Err(ScoreError::Training(format!("the chosen `{}` was not trained", selection.chosen)));
            };
            let (prepared, cv) = trained.swap_remove(position);
            finish(&data, options, prepared, cv, Some(selection))
        }
    }
}

/// The leakage comparison, calibration and the final fit on every row, for the chosen kind.
fn finish(
    data: &Labelled,
    options: &TrainOptions,
    prepared: Prepared,
    cv: CrossValidated,
    selection: Option<Selection>,
) -> Result<ModelFile> {
    let table = &data.table;
    let y = &data.y;
    let folds = &data.folds;
    let kind = prepared.kind;
    let pipeline = Pipeline { kind, options, odoo: prepared.odoo.clone() };
    let compare = options.compare_without_leaky && prepared.any_leaky;
    let without_leaky_columns =
        if compare && options.keep_leaky && (!prepared.clean.is_empty() || prepared.odoo_has_variables) {
            let pipeline = Pipeline { odoo: prepared.odoo_without_leaky_stages.clone(), ..pipeline };
            let (p, _, _) = pipeline.cross_validate(table, y, &prepared.clean, folds)?;
            Some(Metrics::compute(y, &p))
        } else {
            None
        };
    let with_leaky_columns = if compare && !options.keep_leaky {
        let pipeline = Pipeline { odoo: prepared.odoo_with_leaky_stages.clone(), ..pipeline };
        let (p, _, _) = pipeline.cross_validate(table, y, &prepared.all_columns, folds)?;
        Some(Metrics::compute(y, &p))
    } else {
        None
    };
    let pipeline = Pipeline { odoo: prepared.odoo, ..pipeline };
    let calibration = match kind {
        ModelKind::OdooNb => None,
        _ => Some(Platt::fit(y, &cv.oof)),
    };
    let calibrated_oof: Vec<f64> = match &calibration {
        Some(platt) => cv.oof.iter().map(|&p| platt.apply(p)).collect(),
        None => cv.oof.clone(),
    };

    let started = Instant::now();
    let (schema, fitted) = pipeline.fit(table, y, &prepared.columns)?;
    let final_fit_seconds = started.elapsed().as_secs_f64();
    let features = match &fitted {
        // Odoo's features are its (variable, value) rows.
        Fitted::OdooNb(nb) => nb.frequencies.len(),
        _ => schema.n_features(),
    };
    let gbm_trees = match &fitted {
        Fitted::Gbm(forest, _) => Some(GbmTrees {
            trees: forest.trees.len(),
            iterations: options.gbm.iterations,
            early_stopping: options.gbm.early_stopping,
        }),
        _ => None,
    };
    let params = match fitted {
        Fitted::Logistic(m) => ModelParams::Logistic(m),
        Fitted::Gbm(forest, category_codes) => ModelParams::Gbm { forest, category_codes },
        Fitted::OdooNb(nb) => ModelParams::OdooNb(nb),
    };
    let positives = data.positives;
    let base_rate = round4(positives as f64 / y.len() as f64);
    let report = TrainReport {
        model: kind,
        rows: y.len(),
        positives,
        base_rate,
        folds: data.fold_count,
        metrics: cv.metrics,
        calibration: calibration_table(y, &calibrated_oof),
        roc: crate::curves::roc_curve(y, &calibrated_oof),
        lift: crate::curves::lift_by_decile(y, &calibrated_oof),
        top_factors: Vec::new(),
        calibrated: calibration.is_some(),
        leakage_warnings: prepared.leakage_warnings,
        without_leaky_columns,
        with_leaky_columns,
        columns_used: prepared.columns.iter().map(|&c| table.headers[c].clone()).collect(),
        dropped_columns: prepared.dropped.clone(),
        identifier_columns: prepared.identifier_columns,
        date_columns: DateColumn::of(&schema),
        features,
        cv_fit_seconds: round4(cv.fit_seconds),
        cv_predict_seconds: round4(cv.predict_seconds),
        final_fit_seconds: round4(final_fit_seconds),
        gbm_trees,
        selection,
    };
    let mut model = ModelFile {
        format: FORMAT.to_string(),
        format_version: FORMAT_VERSION,
        kind,
        created_at: options.created_at.clone(),
        created_by: concat!("sift-score ", env!("CARGO_PKG_VERSION")).to_string(),
        label: LabelSpec { column: data.label_name.clone(), positive: options.positive.clone() },
        schema,
        dropped_columns: prepared.dropped,
        training: TrainingSummary {
            rows: y.len(),
            positives,
            base_rate,
            rows_without_label: data.rows_without_label,
            source: options.source.clone(),
        },
        report,
        calibration,
        params,
    };
    model.report.top_factors = crate::curves::overall_factors(&model, table, TOP_FACTORS);
    Ok(model)
}

/// Values named on each side in the report's `top_factors`.
const TOP_FACTORS: usize = 8;
