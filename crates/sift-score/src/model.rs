//! Model files and scoring one lead with its reasons.
//!
//! A model file is JSON, versioned (`format`, `format_version`) and self-describing: the
//! label, the feature schema (every column, its kind, levels, medians and scales), the
//! training data summary, the cross-validation report and the creation time. Scoring data
//! whose columns do not fit the schema is refused with an error naming the column.

use serde::{Deserialize, Serialize};

use crate::error::{Result, ScoreError};
use crate::features::{DroppedColumn, EncodeScratch, Encoder, FeatureSchema, MISSING_LEVEL, NONE};
use crate::gbm::{CompiledForest, Forest, ForestScratch};
use crate::logistic::{Logistic, sigmoid};
use crate::metrics::Platt;
use crate::odoo::{OdooNb, OdooScratch, OdooTables, STAGE_VARIABLE, TAG_VARIABLE, Variable};
use crate::table::find_column;
use crate::train::TrainReport;

pub const FORMAT: &str = "sift-score-model";
/// Version 2: `gbm` models hold Sift's own trees ([`crate::gbm::Forest`]). Version 1 files
/// are still read: their forust-ml booster is turned into the same trees on load.
pub const FORMAT_VERSION: u32 = 2;
/// The oldest format version still read.
pub const OLDEST_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    Logistic,
    Gbm,
    OdooNb,
}

impl ModelKind {
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Logistic => "logistic",
            ModelKind::Gbm => "gbm",
            ModelKind::OdooNb => "odoo-nb",
        }
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The model kind asked for: one kind, or `auto` (the default), which cross-validates the
/// candidate kinds on the same folds and keeps the best (see [`crate::select`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelChoice {
    #[default]
    Auto,
    Logistic,
    Gbm,
    OdooNb,
}

impl ModelChoice {
    /// The kind asked for, `None` for `auto`.
    pub fn kind(self) -> Option<ModelKind> {
        match self {
            ModelChoice::Auto => None,
            ModelChoice::Logistic => Some(ModelKind::Logistic),
            ModelChoice::Gbm => Some(ModelKind::Gbm),
            ModelChoice::OdooNb => Some(ModelKind::OdooNb),
        }
    }

    pub fn name(self) -> &'static str {
        self.kind().map_or("auto", ModelKind::name)
    }
}

impl From<ModelKind> for ModelChoice {
    fn from(kind: ModelKind) -> ModelChoice {
        match kind {
            ModelKind::Logistic => ModelChoice::Logistic,
            ModelKind::Gbm => ModelChoice::Gbm,
            ModelKind::OdooNb => ModelChoice::OdooNb,
        }
    }
}

impl std::fmt::Display for ModelChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LabelSpec {
    pub column: String,
    pub positive: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TrainingSummary {
    pub rows: usize,
    pub positives: usize,
    pub base_rate: f64,
    pub rows_without_label: usize,
    pub source: Option<String>,
}

/// Read by hand (see the `Deserialize` impl below); written with `kind` first.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ModelParams {
    Logistic(Logistic),
    Gbm {
        forest: Box<Forest>,
        /// Code of each one-hot feature's level in the tree matrix (see
        /// [`crate::features::Encoded::category_codes`]).
        category_codes: Vec<f64>,
    },
    OdooNb(OdooNb),
}

/// [`ModelParams`] as serde reads an internally tagged enum: the whole map buffered first,
/// whatever the place of `kind`.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum TaggedParams {
    Logistic(Logistic),
    Gbm { forest: Box<Forest>, category_codes: Vec<f64> },
    OdooNb(OdooNb),
}

impl From<TaggedParams> for ModelParams {
    fn from(params: TaggedParams) -> ModelParams {
        match params {
            TaggedParams::Logistic(lr) => ModelParams::Logistic(lr),
            TaggedParams::Gbm { forest, category_codes } => ModelParams::Gbm { forest, category_codes },
            TaggedParams::OdooNb(nb) => ModelParams::OdooNb(nb),
        }
    }
}

/// The fields of [`ModelParams::Gbm`].
#[derive(Deserialize)]
struct GbmFields {
    forest: Box<Forest>,
    category_codes: Vec<f64>,
}

/// Reads `kind` and, when it comes first (as Sift writes it), the kind's fields straight
/// from the rest of the map: serde's own reading of a tagged enum buffers the whole map
/// first, most of an `odoo-nb` model's reading time. Otherwise the map is buffered and read
/// as before ([`TaggedParams`]).
impl<'de> Deserialize<'de> for ModelParams {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<ModelParams, D::Error> {
        struct ParamsVisitor;
        impl<'de> serde::de::Visitor<'de> for ParamsVisitor {
            type Value = ModelParams;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("model parameters")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<ModelParams, A::Error> {
                use serde::de::Error;
                use serde::de::value::MapAccessDeserializer;
                let first: Option<String> = map.next_key()?;
                if first.as_deref() == Some("kind") {
                    let kind: String = map.next_value()?;
                    let rest = MapAccessDeserializer::new(map);
                    return match kind.as_str() {
                        "logistic" => Logistic::deserialize(rest).map(ModelParams::Logistic),
                        "gbm" => GbmFields::deserialize(rest)
                            .map(|g| ModelParams::Gbm { forest: g.forest, category_codes: g.category_codes }),
                        "odoo-nb" => OdooNb::deserialize(rest).map(ModelParams::OdooNb),
                        other => Err(A::Error::unknown_variant(other, &["logistic", "gbm", "odoo-nb"])),
                    };
                }
                let mut entries = serde_json::Map::new();
                if let Some(key) = first {
                    let value: serde_json::Value = map.next_value()?;
                    entries.insert(key, value);
                }
                while let Some((key, value)) = map.next_entry::<String, serde_json::Value>()? {
                    entries.insert(key, value);
                }
                TaggedParams::deserialize(serde_json::Value::Object(entries))
                    .map(ModelParams::from)
                    .map_err(A::Error::custom)
            }
        }
        deserializer.deserialize_map(ParamsVisitor)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    pub format: String,
    pub format_version: u32,
    pub kind: ModelKind,
    pub created_at: String,
    pub created_by: String,
    pub label: LabelSpec,
    pub schema: FeatureSchema,
    pub dropped_columns: Vec<DroppedColumn>,
    pub training: TrainingSummary,
    pub report: TrainReport,
    /// Platt scaling fitted on the out-of-fold predictions (not for `odoo-nb`, whose
    /// probability is Odoo's own).
    pub calibration: Option<Platt>,
    pub params: ModelParams,
}

impl ModelFile {
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| ScoreError::Write(e.to_string()))
    }

    /// Reads a model file, checking the format and version before anything else.
    pub fn from_json(text: &str) -> Result<ModelFile> {
        // A file of the current format is read straight into the model, without a JSON tree
        // first (about half the reading time of a large model). Anything else, and any
        // error, takes the path below, which checks and reports as it always has.
        if let Ok(model) = serde_json::from_str::<ModelFile>(text)
            && model.format == FORMAT
            && model.format_version == FORMAT_VERSION
        {
            return model.checked();
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ScoreError::BadModelFile(format!("not JSON ({e})")))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(ScoreError::BadModelFile(format!("no `format: \"{FORMAT}\"` field")));
        }
        let version = value.get("format_version").and_then(|v| v.as_u64()).unwrap_or(0) as u32;
        if !(OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(&version) {
            return Err(ScoreError::UnsupportedModelVersion { found: version, supported: FORMAT_VERSION });
        }
        let mut value = value;
        if version < 2 {
            migrate_v1(&mut value)?;
        }
        let model: ModelFile = serde_json::from_value(value).map_err(|e| ScoreError::BadModelFile(e.to_string()))?;
        model.checked()
    }

    /// A model just read, upgraded and checked.
    fn checked(mut self) -> Result<ModelFile> {
        if let ModelParams::OdooNb(nb) = &mut self.params {
            nb.upgrade();
            nb.config.validate().map_err(|e| ScoreError::BadModelFile(e.to_string()))?;
        }
        let params_kind = match &self.params {
            ModelParams::Logistic(_) => ModelKind::Logistic,
            ModelParams::Gbm { .. } => ModelKind::Gbm,
            ModelParams::OdooNb(_) => ModelKind::OdooNb,
        };
        if params_kind != self.kind {
            return Err(ScoreError::BadModelFile(format!("kind `{}` but parameters of `{params_kind}`", self.kind)));
        }
        self.schema.validate()?;
        if let ModelParams::Gbm { forest, .. } = &self.params {
            forest.validate(self.schema.n_dense + self.schema.n_categorical)?;
        }
        Ok(self)
    }

    /// The columns a CSV must have to be scored by this model.
    pub fn required_columns(&self) -> Vec<String> {
        match &self.params {
            ModelParams::OdooNb(nb) => {
                let mut columns = nb.fields.clone();
                columns.extend(
                    [&nb.config.team_column, &nb.config.stage_column, &nb.config.tag_column]
                        .into_iter()
                        .flatten()
                        .cloned(),
                );
                columns
            }
            _ => self.schema.columns.iter().map(|c| c.name.clone()).collect(),
        }
    }
}

/// A version 1 file in the current format: a `gbm` model's forust-ml booster becomes a
/// [`Forest`] with the same trees; the other kinds did not change.
fn migrate_v1(value: &mut serde_json::Value) -> Result<()> {
    value["format_version"] = serde_json::json!(FORMAT_VERSION);
    let Some(params) = value.get_mut("params").and_then(|p| p.as_object_mut()) else { return Ok(()) };
    if params.get("kind").and_then(|k| k.as_str()) != Some("gbm") {
        return Ok(());
    }
    let Some(booster) = params.remove("booster") else { return Ok(()) };
    let booster: crate::gbm::legacy::Booster = serde_json::from_value(booster)
        .map_err(|e| ScoreError::BadModelFile(format!("gbm booster of a version 1 file: {e}")))?;
    let forest = booster.into_forest()?;
    params.insert("forest".into(), serde_json::to_value(forest).map_err(|e| ScoreError::BadModelFile(e.to_string()))?);
    Ok(())
}

/// One factor behind a score: a column (or Odoo variable), its value and its effect on the
/// log-odds, relative to an average training lead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    pub column: String,
    pub value: String,
    pub effect: f64,
}

/// A lead's score with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    pub probability: f64,
    /// 1..=99.
    pub score: u8,
    pub positive: Vec<Factor>,
    pub negative: Vec<Factor>,
}

pub fn score_1_99(probability: f64) -> u8 {
    (probability * 100.0).round().clamp(1.0, 99.0) as u8
}

/// Reusable per-thread buffers.
#[derive(Default)]
pub struct Scratch {
    dense: Vec<f64>,
    onehot: Vec<u32>,
    encode: EncodeScratch,
    full_row: Vec<f64>,
    forest: ForestScratch,
    /// (slot, effect): a slot is a schema column, or an index into `odoo.hits`. A gbm
    /// lists the columns its trees split on, in order (any other column's effect is always
    /// 0, never named); the other models every column.
    pub effects: Vec<(usize, f64)>,
    pub odoo: OdooScratch,
}

/// A forest with what turns a row into its features and its contributions into factors.
struct ForestEngine<'m> {
    forest: CompiledForest,
    encoder: Encoder<'m>,
    codes: &'m [f64],
    /// The features a tree splits on ([`CompiledForest::used_features`], ascending, so the
    /// dense ones first): the dense features, then the categorical columns' slots.
    used_dense: Vec<usize>,
    used_slots: Vec<usize>,
    /// The schema columns with a feature some tree splits on, ascending: the effects a row
    /// lists (every other column's effect is 0, never a factor).
    live_columns: Vec<usize>,
    /// For each used feature, the place of its column in `live_columns`.
    used_effect: Vec<usize>,
}

enum Engine<'m> {
    Logistic { model: &'m Logistic, encoder: Encoder<'m>, column_base: Vec<f64> },
    Gbm(ForestEngine<'m>),
    OdooNb { nb: &'m OdooNb, tables: Box<OdooTables> },
}

/// Scores rows of one input layout against one model.
pub struct Scorer<'m> {
    pub model: &'m ModelFile,
    /// For each required column, its index in the input.
    pub positions: Vec<usize>,
    engine: Engine<'m>,
    /// The names factors are given under: the schema's columns, or Odoo's variables (the
    /// fields, then the stage and the tags).
    names: Vec<FactorName>,
}

/// A factor's name as batch output writes it, with what it asks of the field around it,
/// found once per model instead of once per factor written.
pub struct FactorName {
    name: String,
    /// The name and `=`.
    pub written: Vec<u8>,
    /// `; `, the name and `=`: a factor after the first, in one append.
    pub separated: Vec<u8>,
    /// The name holds a byte that makes a CSV field quoted.
    pub needs_quotes: bool,
    /// A field that starts with this name reads as a spreadsheet formula.
    pub formula: bool,
    /// The values named are a numeric column's: a row is only written once each of its
    /// numeric cells has been read as a number or a yes/no word (or is missing), and neither
    /// holds a byte that asks for quotes, so the value need not be scanned for one.
    pub plain_values: bool,
}

impl FactorName {
    fn new(name: &str, plain_values: bool) -> FactorName {
        let written = [name.as_bytes(), b"="].concat();
        FactorName {
            name: name.to_string(),
            needs_quotes: sift_core::csv_out::needs_quotes(name.as_bytes()),
            // The `=` that follows the name keeps it from reading as a negative number.
            formula: sift_core::csv_out::is_formula(&written),
            separated: [b"; ", written.as_slice()].concat(),
            written,
            plain_values,
        }
    }
}

impl<'m> Scorer<'m> {
    /// Maps the input's header to the model's columns; a missing column is an error naming it.
    pub fn new(model: &'m ModelFile, headers: &[String]) -> Result<Scorer<'m>> {
        let required = model.required_columns();
        let mut positions = Vec::with_capacity(required.len());
        let mut missing = Vec::new();
        for column in &required {
            match find_column(headers, column) {
                Ok(i) => positions.push(i),
                Err(_) => missing.push(format!("`{column}`")),
            }
        }
        if !missing.is_empty() {
            return Err(ScoreError::SchemaMismatch(format!(
                "the model (label `{}`, trained on {} rows) needs column{} {} that the input does not have",
                model.label.column,
                model.training.rows,
                if missing.len() > 1 { "s" } else { "" },
                missing.join(", ")
            )));
        }
        let engine = match &model.params {
            ModelParams::Logistic(lr) => {
                if lr.weights.len() != model.schema.n_features() {
                    return Err(ScoreError::BadModelFile("weights do not match the feature schema".into()));
                }
                let mut column_base = vec![0.0; model.schema.columns.len()];
                for (f, &c) in model.schema.feature_column.iter().enumerate() {
                    column_base[c as usize] += lr.weights[f] * model.schema.feature_means[f];
                }
                Engine::Logistic { model: lr, encoder: model.schema.encoder(), column_base }
            }
            ModelParams::Gbm { forest, category_codes } => {
                let schema = &model.schema;
                if category_codes.len() != schema.n_features() {
                    return Err(ScoreError::BadModelFile("category codes do not match the feature schema".into()));
                }
                // Tree features: the dense ones, then one per categorical column (by slot).
                let mut tree_feature_column: Vec<usize> =
                    schema.feature_column[..schema.n_dense].iter().map(|&c| c as usize).collect();
                let mut slots: Vec<(u32, usize)> = schema
                    .columns
                    .iter()
                    .enumerate()
                    .filter_map(|(i, c)| match c.kind {
                        crate::features::ColumnKind::Categorical { slot, .. }
                        | crate::features::ColumnKind::Date { slot, .. } => Some((slot, i)),
                        crate::features::ColumnKind::Numeric { .. } => None,
                    })
                    .collect();
                slots.sort();
                tree_feature_column.extend(slots.into_iter().map(|(_, i)| i));
                let forest = forest.compile();
                let used = forest.used_features();
                if used.iter().any(|&f| f >= tree_feature_column.len()) {
                    return Err(ScoreError::BadModelFile("a tree splits on a feature the schema lacks".into()));
                }
                let used_dense = used.iter().copied().filter(|&f| f < schema.n_dense).collect();
                let used_slots = used.iter().filter_map(|&f| f.checked_sub(schema.n_dense)).collect();
                let mut live_columns: Vec<usize> = used.iter().map(|&f| tree_feature_column[f]).collect();
                live_columns.sort_unstable();
                live_columns.dedup();
                let used_effect = used
                    .iter()
                    .map(|&f| live_columns.binary_search(&tree_feature_column[f]).unwrap_or_default())
                    .collect();
                Engine::Gbm(ForestEngine {
                    forest,
                    encoder: schema.encoder(),
                    codes: category_codes,
                    used_dense,
                    used_slots,
                    live_columns,
                    used_effect,
                })
            }
            ModelParams::OdooNb(nb) => Engine::OdooNb { nb, tables: Box::new(OdooTables::new(nb, &nb.prepare())) },
        };
        let names = match &model.params {
            ModelParams::OdooNb(nb) => nb
                .fields
                .iter()
                .map(String::as_str)
                .chain([
                    nb.config.stage_column.as_deref().unwrap_or(STAGE_VARIABLE),
                    nb.config.tag_column.as_deref().unwrap_or(TAG_VARIABLE),
                ])
                .map(|name| FactorName::new(name, false))
                .collect(),
            _ => model
                .schema
                .columns
                .iter()
                .map(|c| FactorName::new(&c.name, matches!(c.kind, crate::features::ColumnKind::Numeric { .. })))
                .collect(),
        };
        Ok(Scorer { model, positions, engine, names })
    }

    /// Scores one row. `cell(i)` is the raw value of required column `i` (`None` when
    /// missing); `row` is for error messages. Fills `scratch.effects`; returns the
    /// (calibrated) probability.
    pub fn score<'c>(&self, cell: impl Fn(usize) -> Option<&'c str>, row: usize, scratch: &mut Scratch) -> Result<f64> {
        let mut probability = 0.0;
        self.score_rows(1, |_, i| cell(i), row, scratch, |_, p, _| probability = p)?;
        Ok(probability)
    }

    /// Scores `count` rows: `cell(r, i)` is the raw value of required column `i` in row `r`
    /// (`None` when missing), numbered from `first_row` in error messages. Calls
    /// `each(r, probability, scratch)` for each row in order, with `scratch.effects` filled
    /// as [`Scorer::score`] fills them. A row that cannot be encoded stops the call with its
    /// error before any row is handed on. The same results, bit for bit, as scoring the
    /// rows one by one; a forest walks them together (see
    /// [`CompiledForest::contributions_of_rows`]), so give a few dozen at a time.
    pub fn score_rows<'c>(
        &self,
        count: usize,
        cell: impl Fn(usize, usize) -> Option<&'c str>,
        first_row: usize,
        scratch: &mut Scratch,
        mut each: impl FnMut(usize, f64, &Scratch),
    ) -> Result<()> {
        if let Engine::Gbm(engine) = &self.engine {
            return self.score_forest_rows(engine, count, cell, first_row, scratch, each);
        }
        for r in 0..count {
            let probability = self.score_row(|i| cell(r, i), first_row + r, scratch)?;
            each(r, probability, scratch);
        }
        Ok(())
    }

    /// [`Scorer::score_rows`] for a forest.
    fn score_forest_rows<'c>(
        &self,
        engine: &ForestEngine<'_>,
        count: usize,
        cell: impl Fn(usize, usize) -> Option<&'c str>,
        first_row: usize,
        scratch: &mut Scratch,
        mut each: impl FnMut(usize, f64, &Scratch),
    ) -> Result<()> {
        let ForestEngine { forest, encoder, codes, used_dense, used_slots, live_columns, used_effect } = engine;
        let schema = &self.model.schema;
        scratch.dense.resize(schema.n_dense, 0.0);
        scratch.onehot.resize(schema.n_categorical, NONE);
        scratch.full_row.clear();
        for r in 0..count {
            encoder.encode(
                |i| cell(r, i),
                first_row + r,
                &mut scratch.dense,
                &mut scratch.onehot,
                &mut scratch.encode,
            )?;
            // Only the features a tree splits on: the walk reads no other.
            let (dense, onehot) = (scratch.dense.as_slice(), scratch.onehot.as_slice());
            scratch.full_row.extend(used_dense.iter().map(|&f| dense[f]));
            scratch.full_row.extend(used_slots.iter().map(|&s| match onehot[s] {
                NONE => f64::NAN,
                f => codes[f as usize],
            }));
        }
        // Per-feature contributions (Saabas) add up to the tree outputs: one pass gives both
        // the prediction and its explanation.
        forest.contributions_of_used(&scratch.full_row, &mut scratch.forest);
        let width = used_effect.len();
        for r in 0..count {
            let contributions = &scratch.forest.contributions()[r * width..(r + 1) * width];
            let z = forest.log_odds(contributions);
            scratch.effects.clear();
            scratch.effects.extend(live_columns.iter().map(|&c| (c, 0.0)));
            // Through a slice: indexing the vector reloaded its pointer and length for
            // every feature. Each column's features added in order, as over every feature:
            // the ones left out add 0.0 to a sum that starts at 0.0, which changes no bit.
            let effects = scratch.effects.as_mut_slice();
            for (&v, &e) in contributions.iter().zip(used_effect) {
                effects[e].1 += v;
            }
            each(r, self.calibrated(sigmoid(z)), scratch);
        }
        Ok(())
    }

    /// [`Scorer::score`] for the models that score a row at a time.
    fn score_row<'c>(&self, cell: impl Fn(usize) -> Option<&'c str>, row: usize, scratch: &mut Scratch) -> Result<f64> {
        scratch.effects.clear();
        let schema = &self.model.schema;
        match &self.engine {
            Engine::Logistic { model, encoder, column_base } => {
                scratch.dense.resize(schema.n_dense, 0.0);
                scratch.onehot.resize(schema.n_categorical, NONE);
                encoder.encode(&cell, row, &mut scratch.dense, &mut scratch.onehot, &mut scratch.encode)?;
                let z = model.decision(&scratch.dense, &scratch.onehot);
                let effects = &mut scratch.effects;
                effects.extend(column_base.iter().map(|b| -b).enumerate());
                for (f, &x) in scratch.dense.iter().enumerate() {
                    let c = schema.feature_column[f] as usize;
                    effects[c].1 += model.weights[f] * x;
                }
                for &f in &scratch.onehot {
                    if f != NONE {
                        effects[schema.feature_column[f as usize] as usize].1 += model.weights[f as usize];
                    }
                }
                Ok(self.calibrated(sigmoid(z)))
            }
            Engine::Gbm(engine) => {
                let mut probability = 0.0;
                self.score_forest_rows(engine, 1, |_, i| cell(i), row, scratch, |_, p, _| probability = p)?;
                Ok(probability)
            }
            Engine::OdooNb { tables, .. } => {
                let percent = tables.probability(&cell, &mut scratch.odoo).unwrap_or(0.0);
                scratch.effects.extend(scratch.odoo.hits.iter().enumerate().map(|(i, h)| (i, h.2)));
                Ok(percent / 100.0)
            }
        }
    }

    /// The probability after the model's calibration, when it has one.
    fn calibrated(&self, raw: f64) -> f64 {
        match &self.model.calibration {
            Some(platt) => platt.apply(raw),
            None => raw,
        }
    }

    /// The name and value of an effect slot, for display.
    pub fn factor_label<'s, 'c>(
        &'s self,
        slot: usize,
        cell: impl Fn(usize) -> Option<&'c str>,
        scratch: &'s Scratch,
    ) -> (&'s str, FactorValue<'s, 'c>) {
        let (name, value) = self.factor_written(slot, cell, scratch);
        (name.name.as_str(), value)
    }

    /// [`Scorer::factor_label`] with the name as batch output writes it.
    pub fn factor_written<'s, 'c>(
        &'s self,
        slot: usize,
        cell: impl Fn(usize) -> Option<&'c str>,
        scratch: &'s Scratch,
    ) -> (&'s FactorName, FactorValue<'s, 'c>) {
        match &self.engine {
            Engine::OdooNb { nb, tables } => {
                let (variable, value) = tables.factor(scratch.odoo.hits[slot]);
                let name = match variable {
                    Variable::Field(i) => i,
                    Variable::Stage => nb.fields.len(),
                    Variable::Tag => nb.fields.len() + 1,
                };
                (&self.names[name], FactorValue::Owned(value))
            }
            _ => {
                let value = match cell(slot) {
                    Some(v) => FactorValue::Cell(v),
                    None => FactorValue::Owned(MISSING_LEVEL),
                };
                (&self.names[slot], value)
            }
        }
    }

    /// Scores one row and names its top `k` positive and negative factors.
    pub fn explain<'c>(
        &self,
        cell: impl Fn(usize) -> Option<&'c str> + Copy,
        row: usize,
        k: usize,
        scratch: &mut Scratch,
    ) -> Result<Scored> {
        let probability = self.score(cell, row, scratch)?;
        let (positive, negative) = top_factors(&scratch.effects, k);
        let factor = |&(slot, effect): &(usize, f64)| {
            let (column, value) = self.factor_label(slot, cell, scratch);
            Factor { column: column.to_string(), value: value.as_str().to_string(), effect }
        };
        Ok(Scored {
            probability,
            score: score_1_99(probability),
            positive: positive.iter().map(factor).collect(),
            negative: negative.iter().map(factor).collect(),
        })
    }
}

/// A factor's value: borrowed from the input cell or from the model/scratch.
pub enum FactorValue<'s, 'c> {
    Cell(&'c str),
    Owned(&'s str),
}

impl FactorValue<'_, '_> {
    pub fn as_str(&self) -> &str {
        match self {
            FactorValue::Cell(v) => crate::table::trim(v),
            FactorValue::Owned(v) => v,
        }
    }
}

/// Effects smaller than this (in log-odds) are not worth naming.
pub const NEGLIGIBLE_EFFECT: f64 = 0.005;

/// The `k` largest positive and `k` most negative effects (ignoring negligible ones).
/// Effects as (slot, log-odds), strongest first.
pub type Effects = Vec<(usize, f64)>;

pub fn top_factors(effects: &[(usize, f64)], k: usize) -> (Effects, Effects) {
    let (mut positive, mut negative) = (Vec::with_capacity(k), Vec::with_capacity(k));
    top_factors_into(effects, k, &mut positive, &mut negative);
    (positive, negative)
}

/// [`top_factors`] into reused buffers: a bounded insertion, no sort of the whole list.
/// Most effects are weaker than the `k`-th strongest seen so far on their side, so they are
/// turned away by one comparison with that side's bar.
pub fn top_factors_into(
    effects: &[(usize, f64)],
    k: usize,
    positive: &mut Vec<(usize, f64)>,
    negative: &mut Vec<(usize, f64)>,
) {
    top_side_into::<false>(effects, k, positive);
    top_side_into::<true>(effects, k, negative);
}

/// One side of [`top_factors_into`]: the `k` strongest positive effects, or with
/// `NEGATIVE` the `k` most negative, strongest first (the first seen wins a tie). A pass of
/// its own per side: an effect is turned away by one comparison with the side's bar (the
/// `k`-th strength so far, negligible until the side holds `k`), which a NaN, a zero and
/// any effect of the other side fail too, where a single pass over both sides looked at an
/// effect's side first and then its bar, and mispredicted the one or the other.
#[inline]
fn top_side_into<const NEGATIVE: bool>(effects: &[(usize, f64)], k: usize, list: &mut Vec<(usize, f64)>) {
    list.clear();
    if k == 0 {
        return;
    }
    let strength = |effect: f64| if NEGATIVE { -effect } else { effect };
    let mut bar = NEGLIGIBLE_EFFECT;
    for &(slot, effect) in effects {
        let this = strength(effect);
        // One comparison turns away a weaker effect and a NaN alike.
        let stronger = this > bar;
        if !stronger {
            continue;
        }
        if list.len() == k {
            list[k - 1] = (slot, effect);
        } else {
            list.push((slot, effect));
        }
        // Up past the weaker ones; an equal one stays ahead (the first seen wins a tie).
        let mut at = list.len() - 1;
        while at > 0 && this > strength(list[at - 1].1) {
            list.swap(at, at - 1);
            at -= 1;
        }
        if list.len() == k {
            bar = strength(list[k - 1].1);
        }
    }
}

/// [`top_factors_into`] as it was, a single pass over both sides: what the tests hold it to.
#[cfg(test)]
fn top_many_into(
    effects: &[(usize, f64)],
    k: usize,
    positive: &mut Vec<(usize, f64)>,
    negative: &mut Vec<(usize, f64)>,
) {
    positive.clear();
    negative.clear();
    if k == 0 {
        return;
    }
    // What an effect must beat on each side: negligible until the side holds `k`.
    let mut bar = [NEGLIGIBLE_EFFECT; 2];
    // The lower of the two bars: most effects do not beat it, and are turned away before
    // their side is looked at.
    let mut floor = NEGLIGIBLE_EFFECT;
    for &(slot, effect) in effects {
        let strength = effect.abs();
        // A NaN effect is never named: it is not greater than any bar.
        if strength <= floor || strength.is_nan() {
            continue;
        }
        let side = usize::from(effect < 0.0);
        let stronger = strength > bar[side];
        if !stronger {
            continue;
        }
        let list = if side == 0 { &mut *positive } else { &mut *negative };
        if list.len() == k {
            list[k - 1] = (slot, effect);
        } else {
            list.push((slot, effect));
        }
        // Up past the weaker ones; an equal one stays ahead (the first seen wins a tie).
        let mut at = list.len() - 1;
        while at > 0 && strength > list[at - 1].1.abs() {
            list.swap(at, at - 1);
            at -= 1;
        }
        if list.len() == k {
            bar[side] = list[k - 1].1.abs();
            floor = bar[0].min(bar[1]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A gbm lists the effects of the columns its trees split on, and each, with the
    /// probability, has the bits of the straightforward computation: every feature of the
    /// encoded row walked ([`CompiledForest::contributions_of_rows`]), every feature's
    /// contribution added to its column in order, the log-odds over every feature. The
    /// columns no tree splits on (constant here) have an effect of exactly 0 there. Rows
    /// with missing, rare and unseen values, one by one and in blocks.
    #[test]
    fn a_gbm_lists_the_columns_its_trees_split_on_with_the_bits_of_every_feature_walked() {
        use crate::features::ColumnKind;
        use crate::train::{TrainOptions, train};
        let mut state = 7u64;
        let mut next = |n: u64| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        let sources = ["web", "Web ", "fair", "call", "partner", "mail", "ad"];
        let mut text: Vec<Vec<String>> = Vec::new();
        for _ in 0..600 {
            let visits = next(12);
            let source = sources[next(7) as usize];
            let converted = (visits + next(6)) % 3 == 0 || source == "fair";
            let visits = if next(10) == 0 { String::new() } else { visits.to_string() };
            let segment = if next(8) == 0 { "" } else { ["a", "b"][next(2) as usize] };
            text.push(
                [
                    visits,
                    "3".into(),
                    "No".into(),
                    source.into(),
                    "blue".into(),
                    segment.into(),
                    u8::from(converted).to_string(),
                ]
                .to_vec(),
            );
        }
        let headers = ["Visits", "Constant", "Newsletter", "Source", "Colour", "Segment", "Converted"];
        let rows: Vec<Vec<&str>> = text.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
        let table = crate::Table::from_rows(&headers, &rows);
        let options = TrainOptions {
            created_at: "2026-01-01T00:00:00Z".into(),
            ..TrainOptions::new("Converted", ModelKind::Gbm)
        };
        let model = train(&table, &options).expect("trains");
        let scorer = Scorer::new(&model, &table.headers).expect("fits");
        let Engine::Gbm(engine) = &scorer.engine else { panic!("a gbm") };
        let schema = &model.schema;
        // Each feature's column, straightforwardly: dense features by the schema, then one
        // feature per categorical or date column, in slot order.
        let mut column_of: Vec<usize> = schema.feature_column[..schema.n_dense].iter().map(|&c| c as usize).collect();
        let mut slots: Vec<(u32, usize)> = schema
            .columns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match c.kind {
                ColumnKind::Categorical { slot, .. } | ColumnKind::Date { slot, .. } => Some((slot, i)),
                ColumnKind::Numeric { .. } => None,
            })
            .collect();
        slots.sort();
        column_of.extend(slots.iter().map(|&(_, i)| i));
        let dead: Vec<&str> = (0..schema.columns.len())
            .filter(|c| !engine.live_columns.contains(c))
            .map(|c| schema.columns[c].name.as_str())
            .collect();
        assert!(dead.contains(&"Constant") && dead.contains(&"Colour"), "{dead:?}");
        assert!(engine.live_columns.len() >= 2, "{:?}", engine.live_columns);
        let ModelParams::Gbm { forest, category_codes } = &model.params else { panic!("a gbm") };
        let full = forest.compile();
        let encoder = schema.encoder();
        let mut extra: Vec<Vec<&str>> = vec![vec!["", "", "", "", "", ""], vec!["99", "3", "No", "unseen", "red", "c"]];
        extra.extend(rows.iter().map(|r| r[..6].to_vec()));
        let mut scratch = Scratch::default();
        let mut block = Scratch::default();
        let mut reference = crate::features::EncodeScratch::default();
        let mut blocked = Vec::new();
        scorer
            .score_rows(
                extra.len(),
                |r, i| (!extra[r][i].is_empty()).then_some(extra[r][i]),
                1,
                &mut block,
                |_, p, s| {
                    blocked.push((p.to_bits(), s.effects.iter().map(|&(c, e)| (c, e.to_bits())).collect::<Vec<_>>()))
                },
            )
            .expect("scores");
        for (r, row) in extra.iter().enumerate() {
            let cell = |i: usize| (!row[i].is_empty()).then_some(row[i]);
            let p = scorer.score(cell, r + 1, &mut scratch).expect("scores");
            let mut dense = vec![0.0; schema.n_dense];
            let mut onehot = vec![NONE; schema.n_categorical];
            encoder.encode(cell, r + 1, &mut dense, &mut onehot, &mut reference).expect("encodes");
            let mut values = dense.clone();
            values.extend(onehot.iter().map(|&f| if f == NONE { f64::NAN } else { category_codes[f as usize] }));
            let mut walked = crate::gbm::ForestScratch::default();
            full.contributions_of_rows(&values, values.len(), &mut walked);
            let mut effects = vec![0.0; schema.columns.len()];
            for (&v, &c) in walked.contributions().iter().zip(&column_of) {
                effects[c] += v;
            }
            let want_p = scorer.calibrated(sigmoid(full.log_odds(walked.contributions())));
            assert_eq!(p.to_bits(), want_p.to_bits(), "row {r}");
            let want: Vec<(usize, u64)> = engine.live_columns.iter().map(|&c| (c, effects[c].to_bits())).collect();
            let got: Vec<(usize, u64)> = scratch.effects.iter().map(|&(c, e)| (c, e.to_bits())).collect();
            assert_eq!(got, want, "row {r}");
            for (c, e) in effects.iter().enumerate() {
                assert!(engine.live_columns.contains(&c) || e.to_bits() == 0, "column {c}: {e}");
            }
            assert_eq!(blocked[r], (p.to_bits(), got), "row {r} in a block");
        }
    }

    /// A pass per side names the same factors, in the same order, with the same bits, as one
    /// pass over both sides: ties (first seen first), negligible and zero effects, both
    /// zeros, NaN and infinities, sides filled or not.
    #[test]
    fn a_pass_per_side_names_what_one_pass_over_both_did() {
        let mut state = 11u64;
        let mut next = |n: u64| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        let special = [
            0.0,
            -0.0,
            NEGLIGIBLE_EFFECT,
            -NEGLIGIBLE_EFFECT,
            0.0050000001,
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.25,
            -0.25,
            1.0,
            -1.0,
        ];
        for round in 0..20_000 {
            let n = next(40) as usize;
            let effects: Vec<(usize, f64)> = (0..n)
                .map(|i| {
                    let effect = match next(4) {
                        0 => special[next(special.len() as u64) as usize],
                        // Few distinct values: many ties.
                        1 => (next(7) as f64 - 3.0) * 0.125,
                        _ => (next(2_000_001) as f64 - 1_000_000.0) * 1e-6 * if round % 2 == 0 { 1.0 } else { 0.01 },
                    };
                    (i, effect)
                })
                .collect();
            for k in [0, 1, 2, 3, 4, 7, 50] {
                let (mut want_p, mut want_n) = (Vec::new(), Vec::new());
                top_many_into(&effects, k, &mut want_p, &mut want_n);
                let (mut got_p, mut got_n) = (vec![(9, 9.0)], vec![(9, 9.0)]);
                top_factors_into(&effects, k, &mut got_p, &mut got_n);
                let bits = |v: &[(usize, f64)]| v.iter().map(|&(s, e)| (s, e.to_bits())).collect::<Vec<_>>();
                assert_eq!(bits(&got_p), bits(&want_p), "k {k}, {effects:?}");
                assert_eq!(bits(&got_n), bits(&want_n), "k {k}, {effects:?}");
            }
        }
    }
}
