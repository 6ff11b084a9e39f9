//! The feature pipeline, learned from the training data and stored in the model file.
//!
//! Numeric columns: median-imputed, standardised, plus a missing-value indicator when the
//! training data had gaps. Boolean columns (`Yes`/`No`): 0/1, treated like numbers.
//! Categorical columns: lower-cased, one-hot encoded; values seen fewer than
//! [`MIN_FREQUENCY`] times share one `(rare)` column (unseen values at scoring go there
//! too); a missing value is a level of its own. This is the pipeline of the scikit-learn
//! reference baseline, so the two can be compared like for like.
//! Date columns (every present value a calendar date in one order, see [`crate::dates`]):
//! see [`ColumnKind::Date`].

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

use crate::dates::{DateFormat, DateReadings, read_date};
use crate::error::{Result, ScoreError};
use crate::table::{Table, category_key, parse_bool, parse_number};

/// Categories rarer than this in the training data are grouped into `(rare)`.
pub const MIN_FREQUENCY: usize = 10;
/// Share of numbers above which a column with a few non-numbers is an error, not a category.
pub const NUMERIC_SHARE: f64 = 0.95;
/// The level name of a missing categorical value.
pub const MISSING_LEVEL: &str = "(missing)";
/// The level name of grouped rare and unseen categorical values.
pub const RARE_LEVEL: &str = "(rare)";
/// Marks "no one-hot feature active" for a categorical column.
pub const NONE: u32 = u32::MAX;

/// The hasher of the maps on the hot path of batch scoring (category and value lookups):
/// keys are short strings, so it takes eight bytes per step (multiply and rotate, as rustc's
/// FxHash does) and mixes the result once at the end, so the low bits a table indexes by
/// depend on every byte. Not for keys an attacker picks to collide: these maps hold a
/// model's own levels and bounded memos.
#[derive(Default)]
pub struct Fnv(u64);
impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        // The 64-bit finaliser of MurmurHash3.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut hash = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            hash = (hash.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            hash = (hash.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        // The length, so "a" and "a\0" differ.
        self.0 = (hash.rotate_left(5) ^ bytes.len() as u64).wrapping_mul(K);
    }
}
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColumnKind {
    Numeric {
        /// `Yes`/`No` column read as 1/0.
        boolean: bool,
        median: f64,
        mean: f64,
        scale: f64,
        feature: u32,
        /// Missing-value indicator feature, with its mean and scale.
        missing_indicator: Option<(u32, f64, f64)>,
    },
    Categorical {
        /// Frequent levels, sorted; one one-hot feature each starting at `first_feature`.
        levels: Vec<String>,
        first_feature: u32,
        /// Feature of the `(rare)` bucket, when the training data had rare values.
        rare_feature: Option<u32>,
        /// Index of this column among the categorical columns.
        slot: u32,
    },
    /// A column of calendar dates, read in `format`, as days since 1970-01-01 (with the time
    /// as a fraction of the day), clamped to the training dates `first..=last`, for every
    /// model in two forms:
    /// - the days, imputed and standardised as a number (a dense feature);
    /// - the period they fall in: the training dates cut into up to [`DATE_BINS`] periods
    ///   of about equal counts, one-hot like a category (`slot`), so a linear model can
    ///   follow a rate that rises and falls over time, and trees split on the periods
    ///   ranked by their conversion rate as on any category.
    ///
    /// A date after every training date scores as the last training date does (before
    /// them, as the first): nothing is extrapolated. Chosen by cross-validated AUC on
    /// Maven's deals (the only dataset of `../shared/data` with a date): the days alone
    /// left logistic regression below reading the dates as text (0.5139 against 0.5454:
    /// the rate there is not monotonic in time), and gbm below scikit-learn's logistic; both
    /// forms together lift logistic to 0.557 and gbm to 0.553 (the crate README has the
    /// table). Absent from model files written before dates were read (they read the
    /// column as text, and still do).
    Date {
        format: DateFormat,
        /// The earliest and latest training dates, in days since 1970-01-01.
        first: f64,
        last: f64,
        median: f64,
        mean: f64,
        scale: f64,
        feature: u32,
        /// Missing-value indicator feature, with its mean and scale.
        missing_indicator: Option<(u32, f64, f64)>,
        /// Period edges in days, ascending: a date in period `p` has `p` edges below it.
        /// One one-hot feature per period, from `first_period_feature`.
        period_edges: Vec<f64>,
        first_period_feature: u32,
        /// Index of this column's period among the categorical slots.
        slot: u32,
    },
}

/// The most periods a date column is cut into (see [`ColumnKind::Date`]): twenty, each
/// about 5% of the training dates.
pub const DATE_BINS: usize = 20;

/// The period of a (clamped) date: how many edges lie below it.
fn period_of(edges: &[f64], days: f64) -> u32 {
    edges.partition_point(|&e| e < days) as u32
}

// No `deny_unknown_fields` here: serde does not support it with `flatten`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ColumnSpec {
    pub name: String,
    #[serde(flatten)]
    pub kind: ColumnKind,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DroppedColumn {
    pub name: String,
    pub reason: String,
    /// `reason` as a message (`model.dropped.*`), so a reader can say it in its own
    /// language; absent from reports kept before codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_message: Option<sift_core::Message>,
}

impl DroppedColumn {
    /// `name` left out for the reason `message` says (the reason is its English).
    pub fn new(name: &str, message: sift_core::Message) -> DroppedColumn {
        DroppedColumn { name: name.to_owned(), reason: message.english(), reason_message: Some(message) }
    }
}

/// The learned pipeline: which columns, how each is encoded, and the encoded feature names.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FeatureSchema {
    pub columns: Vec<ColumnSpec>,
    pub feature_names: Vec<String>,
    /// For each encoded feature, the index of its column in `columns`.
    pub feature_column: Vec<u32>,
    /// Mean of each encoded feature on the training data (explanations are relative to it).
    pub feature_means: Vec<f64>,
    /// Number of dense (numeric and indicator) features; one-hot features follow them.
    pub n_dense: usize,
    pub n_categorical: usize,
}

/// Encoded rows: dense features row-major, and for each categorical column the active
/// one-hot feature (or [`NONE`]).
#[derive(Debug, Clone, Default)]
pub struct Encoded {
    pub rows: usize,
    pub n_dense: usize,
    pub n_categorical: usize,
    pub n_features: usize,
    pub dense: Vec<f64>,
    pub onehot: Vec<u32>,
}

impl Encoded {
    pub fn dense_row(&self, row: usize) -> &[f64] {
        &self.dense[row * self.n_dense..(row + 1) * self.n_dense]
    }
    pub fn onehot_row(&self, row: usize) -> &[u32] {
        &self.onehot[row * self.n_categorical..(row + 1) * self.n_categorical]
    }
    /// Column-major matrix for tree models: the dense features, then one feature per
    /// categorical column holding its level's code (`codes[feature]`, NaN when no level).
    pub fn to_tree_matrix(&self, codes: &[f64]) -> Vec<f64> {
        let cols = self.n_dense + self.n_categorical;
        let mut data = vec![0.0; self.rows * cols];
        for row in 0..self.rows {
            for (f, &v) in self.dense_row(row).iter().enumerate() {
                data[f * self.rows + row] = v;
            }
            for (slot, &f) in self.onehot_row(row).iter().enumerate() {
                data[(self.n_dense + slot) * self.rows + row] = if f == NONE { f64::NAN } else { codes[f as usize] };
            }
        }
        data
    }

    /// Codes for [`Encoded::to_tree_matrix`]: each categorical level ranked by its training
    /// conversion rate within its column, so a tree splits categories as it splits numbers
    /// (the ordering LightGBM and scikit-learn use for categorical splits). One feature per
    /// column instead of one per level makes boosting several times faster.
    pub fn category_codes(&self, schema: &FeatureSchema, y: &[bool]) -> Vec<f64> {
        let mut counts = vec![(0.0f64, 0.0f64); self.n_features];
        for (row, &won) in y.iter().enumerate().take(self.rows) {
            for &f in self.onehot_row(row) {
                if f != NONE {
                    counts[f as usize].0 += 1.0;
                    counts[f as usize].1 += f64::from(u8::from(won));
                }
            }
        }
        let mut codes = vec![0.0; self.n_features];
        for column in &schema.columns {
            let mut features: Vec<u32> = match &column.kind {
                ColumnKind::Categorical { levels, first_feature, rare_feature, .. } => {
                    (*first_feature..first_feature + levels.len() as u32).chain(*rare_feature).collect()
                }
                ColumnKind::Date { period_edges, first_period_feature, .. } => {
                    (*first_period_feature..=first_period_feature + period_edges.len() as u32).collect()
                }
                ColumnKind::Numeric { .. } => continue,
            };
            // Smoothed rate (one pseudo-lead at 50%) so empty levels sort in the middle.
            let rate = |f: u32| (counts[f as usize].1 + 0.5) / (counts[f as usize].0 + 1.0);
            features.sort_by(|&a, &b| rate(a).total_cmp(&rate(b)).then(a.cmp(&b)));
            for (rank, f) in features.into_iter().enumerate() {
                codes[f as usize] = rank as f64;
            }
        }
        codes
    }

    /// Column-major dense copy with one-hot features expanded.
    pub fn to_column_major(&self) -> Vec<f64> {
        let mut data = vec![0.0; self.rows * self.n_features];
        for row in 0..self.rows {
            for (f, &v) in self.dense_row(row).iter().enumerate() {
                data[f * self.rows + row] = v;
            }
            for &f in self.onehot_row(row) {
                if f != NONE {
                    data[f as usize * self.rows + row] = 1.0;
                }
            }
        }
        data
    }
}

enum Detected {
    /// With every row's value, parsed once here (`None` when missing).
    Numeric {
        boolean: bool,
        values: Vec<Option<f64>>,
    },
    /// With every row's date in days (`None` when missing).
    Date {
        format: DateFormat,
        values: Vec<Option<f64>>,
    },
    Categorical,
}

/// A table's cells read once (numbers, booleans, category keys), so that the folds of a
/// cross-validation learn their pipelines from subsets of its rows without reading the text
/// again: [`FeatureSchema::fit_encode_rows`] gives what [`FeatureSchema::fit_encode`] gives
/// on a table of those rows.
pub struct ParsedTable<'t> {
    table: &'t Table,
    /// By table column; read for the columns asked for only.
    columns: Vec<Option<ParsedColumn>>,
}

struct ParsedColumn {
    numbers: Vec<Option<f64>>,
    booleans: Vec<Option<bool>>,
    /// Each cell's [`PRESENT`], [`NUMBER`], [`BOOLEAN`] and date-order flags
    /// ([`DATE_FLAGS`]): what a fold's detection counts, one byte a cell (reading the cells
    /// themselves was most of a fold's encoding).
    flags: Vec<u8>,
    /// Each cell's dates in the three orders; empty when no cell reads as a date.
    dates: Vec<DateReadings>,
    /// Each cell's category key as an index into `keys` (a missing cell's is
    /// [`MISSING_LEVEL`]); empty when no subset of the rows can be categorical (every value
    /// a number, or every value a boolean).
    key_ids: Vec<u32>,
    keys: Vec<String>,
}

impl<'t> ParsedTable<'t> {
    pub fn new(table: &'t Table, columns: &[usize]) -> ParsedTable<'t> {
        let mut parsed: Vec<Option<ParsedColumn>> = (0..table.columns.len()).map(|_| None).collect();
        let mut key = String::new();
        for &c in columns {
            if parsed[c].is_some() {
                continue;
            }
            let cells = &table.columns[c];
            // Each distinct text is read once: a column of lead data repeats a few values.
            const MISSING_TEXT: u32 = u32::MAX;
            let mut text_ids: FastMap<&str, u32> = FastMap::default();
            let mut texts: Vec<&str> = Vec::new();
            let cell_texts: Vec<u32> = cells
                .iter()
                .map(|cell| match cell.as_deref() {
                    None => MISSING_TEXT,
                    Some(text) => *text_ids.entry(text).or_insert_with(|| {
                        texts.push(text);
                        texts.len() as u32 - 1
                    }),
                })
                .collect();
            let (text_numbers, text_booleans): (Vec<Option<f64>>, Vec<Option<bool>>) =
                texts.iter().map(|text| (parse_number(text), parse_bool(text))).unzip();
            // Dates are looked for among the texts that are neither numbers nor booleans.
            let text_dates: Vec<Option<DateReadings>> = texts
                .iter()
                .zip(text_numbers.iter().zip(&text_booleans))
                .map(|(text, (n, b))| if n.is_some() || b.is_some() { None } else { read_date(text) })
                .collect();
            let dates: Vec<DateReadings> = if text_dates.iter().any(Option::is_some) {
                cell_texts
                    .iter()
                    .map(|&id| if id == MISSING_TEXT { None } else { text_dates[id as usize] }.unwrap_or_default())
                    .collect()
            } else {
                Vec::new()
            };
            fn read<T: Copy>(values: &[Option<T>], id: u32) -> Option<T> {
                if id == MISSING_TEXT { None } else { values[id as usize] }
            }
            let numbers: Vec<Option<f64>> = cell_texts.iter().map(|&id| read(&text_numbers, id)).collect();
            let booleans: Vec<Option<bool>> = cell_texts.iter().map(|&id| read(&text_booleans, id)).collect();
            let (mut key_ids, mut keys) = (Vec::new(), Vec::new());
            if text_numbers.iter().any(Option::is_none) && text_booleans.iter().any(Option::is_none) {
                // Key ids in order of first appearance, as reading every cell would give them.
                let mut ids: FastMap<String, u32> = FastMap::default();
                let mut text_keys = vec![u32::MAX; texts.len()];
                let mut id_of = |level: &str, keys: &mut Vec<String>| match ids.get(level) {
                    Some(&id) => id,
                    None => {
                        let id = keys.len() as u32;
                        keys.push(level.to_string());
                        ids.insert(level.to_string(), id);
                        id
                    }
                };
                key_ids = cell_texts
                    .iter()
                    .map(|&text| {
                        if text == MISSING_TEXT {
                            return id_of(MISSING_LEVEL, &mut keys);
                        }
                        if text_keys[text as usize] == u32::MAX {
                            category_key(texts[text as usize], &mut key);
                            text_keys[text as usize] = id_of(&key, &mut keys);
                        }
                        text_keys[text as usize]
                    })
                    .collect();
            }
            let flags = cells
                .iter()
                .zip(numbers.iter().zip(&booleans))
                .enumerate()
                .map(|(r, (cell, (number, boolean)))| {
                    let flag = |set: bool, flag: u8| if set { flag } else { 0 };
                    let date = dates.get(r).map_or(0, |d| {
                        DATE_FLAGS.iter().zip(d.days).fold(0, |all, (&f, days)| all | flag(days.is_some(), f))
                    });
                    flag(cell.is_some(), PRESENT)
                        | flag(number.is_some(), NUMBER)
                        | flag(boolean.is_some(), BOOLEAN)
                        | date
                })
                .collect();
            parsed[c] = Some(ParsedColumn { numbers, booleans, flags, dates, key_ids, keys });
        }
        ParsedTable { table, columns: parsed }
    }

    fn column(&self, c: usize) -> Result<&ParsedColumn> {
        self.columns
            .get(c)
            .and_then(Option::as_ref)
            .ok_or_else(|| ScoreError::Training(format!("column `{}` was not read", self.table.headers[c])))
    }
}

/// [`ParsedColumn::flags`]: the cell is not missing, reads as a number, reads as a boolean.
const PRESENT: u8 = 1;
const NUMBER: u8 = 2;
const BOOLEAN: u8 = 4;
/// [`ParsedColumn::flags`]: the cell reads as a date in each order of [`DateFormat::ALL`].
const DATE_FLAGS: [u8; 3] = [8, 16, 32];
/// Share of dates (in one order) above which a column with a few other values is an error,
/// not a category, as for numbers.
pub const DATE_SHARE: f64 = NUMERIC_SHARE;

/// The order in which every present value of a column reads as a date, if there is one
/// (see [`DateFormat::settle`]): the columns [`FeatureSchema::fit_encode`] reads as dates.
pub fn date_column_format<'a>(values: impl Iterator<Item = &'a str>) -> Option<DateFormat> {
    let (mut counts, mut present) = ([0usize; 3], 0);
    for value in values {
        present += 1;
        if parse_number(value).is_some() || parse_bool(value).is_some() {
            return None;
        }
        let readings = read_date(value)?;
        for (count, days) in counts.iter_mut().zip(readings.days) {
            *count += usize::from(days.is_some());
        }
    }
    DateFormat::settle(counts, present)
}

/// What a column of the given rows holds, as [`FeatureSchema::fit_encode`] decides it: numbers
/// (an error when a few values are not), booleans, or categories. Errors name a row by its
/// place among `rows`.
fn detect(name: &str, cells: &[Option<String>], parsed: &ParsedColumn, rows: &[usize]) -> Result<Detected> {
    let count = |flag: u8| rows.iter().filter(|&&r| parsed.flags[r] & flag != 0).count();
    let present = count(PRESENT);
    if present == 0 {
        return Err(ScoreError::AllMissingColumn { column: name.to_string() });
    }
    let numbers = count(NUMBER);
    if numbers == present {
        let values = rows.iter().map(|&r| parsed.numbers[r]).collect();
        return Ok(Detected::Numeric { boolean: false, values });
    }
    if rows.iter().all(|&r| parsed.flags[r] & PRESENT == 0 || parsed.flags[r] & BOOLEAN != 0) {
        let values = rows.iter().map(|&r| parsed.booleans[r].map(|b| if b { 1.0 } else { 0.0 })).collect();
        return Ok(Detected::Numeric { boolean: true, values });
    }
    let date_counts = DATE_FLAGS.map(count);
    if let Some(format) = DateFormat::settle(date_counts, present) {
        let values = rows.iter().map(|&r| parsed.dates.get(r).and_then(|d| d.days[format as usize])).collect();
        return Ok(Detected::Date { format, values });
    }
    let share = numbers as f64 / present as f64;
    let (best_order, dates) = date_counts.iter().copied().enumerate().max_by_key(|&(_, n)| n).unwrap_or((0, 0));
    let date_share = dates as f64 / present as f64;
    if share < NUMERIC_SHARE && dates < present && date_share >= DATE_SHARE {
        let format = DateFormat::ALL[best_order];
        let flag = DATE_FLAGS[best_order];
        let (row, value) = rows
            .iter()
            .enumerate()
            .find_map(|(i, &r)| cells[r].as_deref().filter(|_| parsed.flags[r] & flag == 0).map(|v| (i, v)))
            .unwrap_or((0, ""));
        return Err(ScoreError::NonDateValue {
            column: name.to_string(),
            row: row + 1,
            value: value.to_string(),
            share: date_share * 100.0,
            format: format.pattern(),
        });
    }
    if share >= NUMERIC_SHARE {
        let (row, value) = rows
            .iter()
            .enumerate()
            .find_map(|(i, &r)| cells[r].as_deref().filter(|_| parsed.numbers[r].is_none()).map(|v| (i, v)))
            .unwrap_or((0, ""));
        return Err(ScoreError::NonNumericValue {
            column: name.to_string(),
            row: row + 1,
            value: value.to_string(),
            share: share * 100.0,
        });
    }
    Ok(Detected::Categorical)
}

fn numeric_value(value: &str, boolean: bool) -> Option<f64> {
    if boolean { parse_bool(value).map(|b| if b { 1.0 } else { 0.0 }) } else { parse_number(value) }
}

/// A numeric or date column's dense features of the training rows (its values parsed).
fn encode_dense(kind: &ColumnKind, values: &[Option<f64>], encoded: &mut Encoded) {
    let n_dense = encoded.n_dense;
    if let ColumnKind::Numeric { median, mean, scale, feature, missing_indicator, .. }
    | ColumnKind::Date { median, mean, scale, feature, missing_indicator, .. } = kind
    {
        for (row, x) in values.iter().enumerate() {
            encoded.dense[row * n_dense + *feature as usize] = (x.unwrap_or(*median) - mean) / scale;
            if let Some((f, m, s)) = missing_indicator {
                encoded.dense[row * n_dense + *f as usize] = (if x.is_none() { 1.0 } else { 0.0 } - m) / s;
            }
        }
    }
}

impl FeatureSchema {
    /// Learns the pipeline from the given columns of `table`.
    pub fn fit(table: &Table, columns: &[usize]) -> Result<FeatureSchema> {
        Ok(FeatureSchema::fit_encode(table, columns)?.0)
    }

    /// Learns the pipeline and returns the training rows encoded with it.
    pub fn fit_encode(table: &Table, columns: &[usize]) -> Result<(FeatureSchema, Encoded)> {
        let rows: Vec<usize> = (0..table.rows).collect();
        FeatureSchema::fit_encode_rows(&ParsedTable::new(table, columns), columns, &rows)
    }

    /// [`FeatureSchema::fit_encode`] on the table of `rows` of a parsed table, in that order.
    pub fn fit_encode_rows(
        parsed: &ParsedTable,
        columns: &[usize],
        rows: &[usize],
    ) -> Result<(FeatureSchema, Encoded)> {
        if columns.is_empty() {
            return Err(ScoreError::NoFeatures);
        }
        let table = parsed.table;
        let detected: Vec<Detected> = columns
            .iter()
            .map(|&c| detect(&table.headers[c], &table.columns[c], parsed.column(c)?, rows))
            .collect::<Result<_>>()?;
        let mut specs = Vec::new();
        let mut feature_names = Vec::new();
        let mut feature_column = Vec::new();
        // For each spec, its column in the table and (numbers) its parsed values.
        let mut sources: Vec<(usize, Option<&[Option<f64>]>)> = Vec::new();
        // Dense features first, then one-hot blocks, so a row's active features are sorted.
        // A date column's periods: its spec's index and the periods' feature names.
        let mut date_periods: Vec<(usize, Vec<String>)> = Vec::new();
        for (&c, kind) in columns.iter().zip(&detected) {
            let (values, date) = match kind {
                Detected::Numeric { values, .. } => (values, None),
                Detected::Date { format, values } => (values, Some(*format)),
                Detected::Categorical => continue,
            };
            sources.push((c, Some(values)));
            let name = &table.headers[c];
            let present = SortedValues::new(values.iter().flatten().copied());
            let median = present.median();
            let n = rows.len() as f64;
            let missing = rows.len() - present.len;
            let imputed_sum: f64 = present.iter().sum::<f64>() + missing as f64 * median;
            let mean = imputed_sum / n;
            let var = (present.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
                + missing as f64 * (median - mean).powi(2))
                / n;
            let scale = if var > 1e-24 { var.sqrt() } else { 1.0 };
            let column_index = specs.len() as u32;
            let feature = feature_names.len() as u32;
            feature_names.push(name.clone());
            feature_column.push(column_index);
            let missing_indicator = (missing > 0).then(|| {
                let m = missing as f64 / n;
                let s = (m * (1.0 - m)).sqrt();
                let f = feature_names.len() as u32;
                feature_names.push(format!("{name} is missing"));
                feature_column.push(column_index);
                (f, m, if s > 1e-12 { s } else { 1.0 })
            });
            let kind = match (kind, date) {
                (_, Some(format)) => {
                    let (first, last) = (present.nth(0), present.nth(present.len.saturating_sub(1)));
                    let period_edges = present.period_edges(DATE_BINS);
                    // Each period named by its first and last training dates.
                    let mut ends: Vec<(f64, f64)> = vec![(f64::NAN, f64::NAN); period_edges.len() + 1];
                    for &(days, _) in &present.distinct {
                        let end = &mut ends[period_of(&period_edges, days) as usize];
                        *end = (if end.0.is_nan() { days } else { end.0 }, days);
                    }
                    let names = ends
                        .iter()
                        .map(|&(from, to)| {
                            format!("{name} {}..{}", crate::dates::format_day(from), crate::dates::format_day(to))
                        })
                        .collect();
                    date_periods.push((column_index as usize, names));
                    // The periods' features follow the dense ones: numbered below.
                    ColumnKind::Date {
                        format,
                        first,
                        last,
                        median,
                        mean,
                        scale,
                        feature,
                        missing_indicator,
                        period_edges,
                        first_period_feature: 0,
                        slot: 0,
                    }
                }
                (Detected::Numeric { boolean, .. }, None) => {
                    ColumnKind::Numeric { boolean: *boolean, median, mean, scale, feature, missing_indicator }
                }
                _ => continue,
            };
            specs.push(ColumnSpec { name: name.clone(), kind });
        }
        let n_dense = feature_names.len();
        let mut slot = 0;
        let mut date_periods = date_periods.into_iter();
        for (&c, kind) in columns.iter().zip(&detected) {
            if let Detected::Date { .. } = kind {
                // The date's periods, in the column's place among the categories.
                let Some((column_index, names)) = date_periods.next() else { continue };
                if let ColumnKind::Date { first_period_feature, slot: date_slot, .. } = &mut specs[column_index].kind {
                    *first_period_feature = feature_names.len() as u32;
                    *date_slot = slot;
                }
                slot += 1;
                feature_column.extend(names.iter().map(|_| column_index as u32));
                feature_names.extend(names);
                continue;
            }
            let Detected::Categorical = kind else { continue };
            sources.push((c, None));
            let name = &table.headers[c];
            let column = parsed.column(c)?;
            let mut counts = vec![0usize; column.keys.len()];
            for &r in rows {
                counts[column.key_ids[r] as usize] += 1;
            }
            let seen = || counts.iter().enumerate().filter(|(_, n)| **n > 0);
            let mut levels: Vec<String> =
                seen().filter(|(_, n)| **n >= MIN_FREQUENCY).map(|(id, _)| column.keys[id].clone()).collect();
            levels.sort();
            let has_rare = seen().any(|(_, &n)| n < MIN_FREQUENCY);
            let column_index = specs.len() as u32;
            let first_feature = feature_names.len() as u32;
            for level in &levels {
                feature_names.push(format!("{name}={level}"));
                feature_column.push(column_index);
            }
            let rare_feature = has_rare.then(|| {
                feature_names.push(format!("{name}={RARE_LEVEL}"));
                feature_column.push(column_index);
                (feature_names.len() - 1) as u32
            });
            specs.push(ColumnSpec {
                name: name.clone(),
                kind: ColumnKind::Categorical { levels, first_feature, rare_feature, slot },
            });
            slot += 1;
        }
        let mut schema = FeatureSchema {
            columns: specs,
            n_dense,
            n_categorical: slot as usize,
            feature_means: vec![0.0; feature_names.len()],
            feature_names,
            feature_column,
        };
        let encoded = schema.encode_training(parsed, rows, &sources)?;
        let mut means = vec![0.0; schema.feature_names.len()];
        for row in 0..encoded.rows {
            for (f, v) in encoded.dense_row(row).iter().enumerate() {
                means[f] += v;
            }
            for &f in encoded.onehot_row(row) {
                if f != NONE {
                    means[f as usize] += 1.0;
                }
            }
        }
        means.iter_mut().for_each(|m| *m /= encoded.rows.max(1) as f64);
        schema.feature_means = means;
        Ok((schema, encoded))
    }

    /// No columns: the schema of a model without a pipeline (`odoo-nb` reads raw values).
    pub fn empty() -> FeatureSchema {
        FeatureSchema {
            columns: Vec::new(),
            feature_names: Vec::new(),
            feature_column: Vec::new(),
            feature_means: Vec::new(),
            n_dense: 0,
            n_categorical: 0,
        }
    }

    pub fn n_features(&self) -> usize {
        self.feature_names.len()
    }

    /// Checks a schema read from a file is consistent, so a damaged or hand-edited model file
    /// is an error rather than a panic while scoring.
    pub fn validate(&self) -> Result<()> {
        let n = self.n_features();
        let bad = |what: String| Err(ScoreError::BadModelFile(format!("feature schema: {what}")));
        if self.feature_column.len() != n || self.feature_means.len() != n || self.n_dense > n {
            return bad("feature lists of different lengths".into());
        }
        if let Some(c) = self.feature_column.iter().find(|&&c| c as usize >= self.columns.len()) {
            return bad(format!("feature of unknown column {c}"));
        }
        for column in &self.columns {
            let ok = match &column.kind {
                ColumnKind::Numeric { feature, missing_indicator, .. } => {
                    (*feature as usize) < self.n_dense
                        && missing_indicator.is_none_or(|(f, _, _)| (f as usize) < self.n_dense)
                }
                ColumnKind::Date {
                    feature,
                    missing_indicator,
                    first,
                    last,
                    period_edges,
                    first_period_feature,
                    slot,
                    ..
                } => {
                    (*feature as usize) < self.n_dense
                        && missing_indicator.is_none_or(|(f, _, _)| (f as usize) < self.n_dense)
                        && first.is_finite()
                        && last.is_finite()
                        && first <= last
                        && period_edges.windows(2).all(|w| w[0] < w[1])
                        && (*first_period_feature as usize) >= self.n_dense
                        && *first_period_feature as usize + period_edges.len() < n
                        && (*slot as usize) < self.n_categorical
                }
                ColumnKind::Categorical { levels, first_feature, rare_feature, slot } => {
                    (*first_feature as usize) >= self.n_dense
                        && *first_feature as usize + levels.len() <= n
                        && rare_feature.is_none_or(|f| (f as usize) < n && (f as usize) >= self.n_dense)
                        && (*slot as usize) < self.n_categorical
                }
            };
            if !ok {
                return bad(format!("column `{}` points outside the features", column.name));
            }
        }
        Ok(())
    }

    /// Encodes the rows the schema was just fitted on, as [`FeatureSchema::encode_table`]
    /// would (the same arithmetic), with each number parsed once by `detect` rather than
    /// again per row: parsing was most of the encoding time of a cross-validation fold.
    fn encode_training(
        &self,
        parsed: &ParsedTable,
        rows: &[usize],
        sources: &[(usize, Option<&[Option<f64>]>)],
    ) -> Result<Encoded> {
        let (n_rows, n_dense, n_categorical) = (rows.len(), self.n_dense, self.n_categorical);
        let mut encoded = Encoded {
            rows: n_rows,
            n_dense,
            n_categorical,
            n_features: self.n_features(),
            dense: vec![0.0; n_rows * n_dense],
            onehot: vec![NONE; n_rows * n_categorical],
        };
        let encoder = self.encoder();
        for (i, (spec, &(column, values))) in self.columns.iter().zip(sources).enumerate() {
            match (&spec.kind, values) {
                (ColumnKind::Date { period_edges, first_period_feature, slot, .. }, Some(values)) => {
                    // Training dates lie within `first..=last`: no clamping to do.
                    for (row, x) in values.iter().enumerate() {
                        encoded.onehot[row * n_categorical + *slot as usize] =
                            x.map_or(NONE, |d| first_period_feature + period_of(period_edges, d));
                    }
                    encode_dense(&spec.kind, values, &mut encoded);
                }
                (ColumnKind::Numeric { .. }, Some(values)) => encode_dense(&spec.kind, values, &mut encoded),
                (ColumnKind::Categorical { rare_feature, slot, .. }, _) => {
                    // Each key's feature once, then every row by its key.
                    let column = parsed.column(column)?;
                    let features: Vec<u32> = column
                        .keys
                        .iter()
                        .map(|key| encoder.lookups[i].get(key.as_str()).copied().or(*rare_feature).unwrap_or(NONE))
                        .collect();
                    for (row, &r) in rows.iter().enumerate() {
                        encoded.onehot[row * n_categorical + *slot as usize] = features[column.key_ids[r] as usize];
                    }
                }
                (ColumnKind::Numeric { .. } | ColumnKind::Date { .. }, None) => {}
            }
        }
        Ok(encoded)
    }

    /// Encodes every row of a table holding (at least) the schema's columns.
    pub fn encode_table(&self, table: &Table) -> Result<Encoded> {
        let positions: Vec<usize> = self.columns.iter().map(|c| table.column_index(&c.name)).collect::<Result<_>>()?;
        let encoder = self.encoder();
        let mut encoded = Encoded {
            rows: table.rows,
            n_dense: self.n_dense,
            n_categorical: self.n_categorical,
            n_features: self.n_features(),
            dense: vec![0.0; table.rows * self.n_dense],
            onehot: vec![NONE; table.rows * self.n_categorical],
        };
        let mut scratch = EncodeScratch::default();
        for row in 0..table.rows {
            let (dense, onehot) = (
                &mut encoded.dense[row * self.n_dense..(row + 1) * self.n_dense],
                &mut encoded.onehot[row * self.n_categorical..(row + 1) * self.n_categorical],
            );
            encoder.encode(|i| table.columns[positions[i]][row].as_deref(), row + 1, dense, onehot, &mut scratch)?;
        }
        Ok(encoded)
    }

    /// A fast encoder with hash lookups for the categorical levels.
    pub fn encoder(&self) -> Encoder<'_> {
        let lookups = self
            .columns
            .iter()
            .map(|c| match &c.kind {
                ColumnKind::Categorical { levels, first_feature, .. } => {
                    levels.iter().enumerate().map(|(i, l)| (l.clone(), first_feature + i as u32)).collect()
                }
                ColumnKind::Numeric { .. } | ColumnKind::Date { .. } => FastMap::default(),
            })
            .collect::<Vec<FastMap<String, u32>>>();
        let missing = self
            .columns
            .iter()
            .zip(&lookups)
            .map(|(c, lookup)| match &c.kind {
                ColumnKind::Categorical { rare_feature, .. } => {
                    lookup.get(MISSING_LEVEL).copied().or(*rare_feature).unwrap_or(NONE)
                }
                ColumnKind::Numeric { .. } | ColumnKind::Date { .. } => NONE,
            })
            .collect();
        Encoder { schema: self, lookups, missing }
    }
}

/// Values in order (by `f64::total_cmp`) as distinct bit patterns with their counts: a
/// numeric column of lead data holds few distinct values, which a hash table counts faster
/// than its values sort.
struct SortedValues {
    distinct: Vec<(f64, usize)>,
    len: usize,
}

impl SortedValues {
    /// Distinct values counted by hashing up to this many, else sorted.
    const HASHED: usize = 4096;

    fn new(values: impl Iterator<Item = f64> + Clone) -> SortedValues {
        let mut counts: FastMap<u64, usize> = FastMap::default();
        let mut hashed = true;
        for v in values.clone() {
            *counts.entry(v.to_bits()).or_insert(0) += 1;
            if counts.len() > Self::HASHED {
                hashed = false;
                break;
            }
        }
        let mut distinct: Vec<(f64, usize)> = if hashed {
            counts.into_iter().map(|(bits, count)| (f64::from_bits(bits), count)).collect()
        } else {
            let mut all: Vec<f64> = values.collect();
            all.sort_unstable_by(f64::total_cmp);
            let mut distinct: Vec<(f64, usize)> = Vec::new();
            for v in all {
                match distinct.last_mut() {
                    Some((last, count)) if last.to_bits() == v.to_bits() => *count += 1,
                    _ => distinct.push((v, 1)),
                }
            }
            distinct
        };
        distinct.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let len = distinct.iter().map(|d| d.1).sum();
        SortedValues { distinct, len }
    }

    /// Every value, in order.
    fn iter(&self) -> impl Iterator<Item = f64> + '_ {
        self.distinct.iter().flat_map(|&(v, count)| std::iter::repeat_n(v, count))
    }

    /// The value at place `k` in order (`k < len`).
    fn nth(&self, mut k: usize) -> f64 {
        for &(v, count) in &self.distinct {
            if k < count {
                return v;
            }
            k -= count;
        }
        f64::NAN
    }

    /// Edges cutting the values into at most `bins` runs of about equal counts, each edge
    /// halfway between two distinct values (as gbm bins its features).
    fn period_edges(&self, bins: usize) -> Vec<f64> {
        let per_bin = self.len as f64 / bins as f64;
        let mut edges = Vec::new();
        let mut seen = 0usize;
        for pair in self.distinct.windows(2) {
            let ((v, count), (next, _)) = (pair[0], pair[1]);
            seen += count;
            if edges.len() + 1 < bins && seen as f64 >= per_bin * (edges.len() + 1) as f64 {
                edges.push(v + (next - v) / 2.0);
            }
        }
        edges
    }

    fn median(&self) -> f64 {
        match self.len {
            0 => 0.0,
            n if n % 2 == 1 => self.nth(n / 2),
            n => (self.nth(n / 2 - 1) + self.nth(n / 2)) / 2.0,
        }
    }
}

/// Raw spellings remembered per column and thread (bounds memory on free-text columns).
const MEMO_LIMIT: usize = 4096;

/// Per-thread buffers of the encoder.
#[derive(Default)]
pub struct EncodeScratch {
    key: String,
    memo: Vec<FastMap<Box<str>, u32>>,
    /// Per column, raw values seen lately and their features, each in the one of
    /// [`RECENT`] places its length and end bytes pick: a text column of a lead export
    /// repeats a few values (`No`, `Select`, a dozen sources), and comparing one costs less
    /// than hashing it for the memo (which held the one last value, and was asked about a
    /// third of the categorical cells).
    recent: Vec<[(String, u32); RECENT]>,
}

/// Places per column of [`EncodeScratch::recent`]: a power of two.
const RECENT: usize = 16;

/// The place of a raw value in [`EncodeScratch::recent`].
#[inline]
fn recent_place(v: &str) -> usize {
    let bytes = v.as_bytes();
    let (first, last) = (bytes.first().copied().unwrap_or(0), bytes.last().copied().unwrap_or(0));
    let key = (bytes.len() as u32) ^ (u32::from(first) << 8) ^ (u32::from(last) << 16);
    (key.wrapping_mul(0x9e37_79b9) >> (32 - RECENT.trailing_zeros())) as usize
}

/// Encodes one row at a time; shared by training and batch scoring.
pub struct Encoder<'a> {
    pub schema: &'a FeatureSchema,
    lookups: Vec<FastMap<String, u32>>,
    /// Per column, the feature of a missing value: looked up once, not for every missing
    /// cell (a few in every lead of a CRM export).
    missing: Vec<u32>,
}

impl Encoder<'_> {
    /// `cell(i)` gives the raw value of schema column `i` (`None` when missing); `row` is
    /// used in error messages.
    pub fn encode<'c>(
        &self,
        cell: impl Fn(usize) -> Option<&'c str>,
        row: usize,
        dense: &mut [f64],
        onehot: &mut [u32],
        scratch: &mut EncodeScratch,
    ) -> Result<()> {
        for (i, spec) in self.schema.columns.iter().enumerate() {
            let value = cell(i);
            match &spec.kind {
                ColumnKind::Numeric { boolean, median, mean, scale, feature, missing_indicator } => {
                    let x = match value {
                        None => None,
                        Some(v) => Some(numeric_value(v, *boolean).ok_or_else(|| ScoreError::NotANumber {
                            column: spec.name.clone(),
                            row,
                            value: v.to_string(),
                        })?),
                    };
                    dense[*feature as usize] = (x.unwrap_or(*median) - mean) / scale;
                    if let Some((f, m, s)) = missing_indicator {
                        dense[*f as usize] = (if x.is_none() { 1.0 } else { 0.0 } - m) / s;
                    }
                }
                ColumnKind::Date {
                    format,
                    first,
                    last,
                    median,
                    mean,
                    scale,
                    feature,
                    missing_indicator,
                    period_edges,
                    first_period_feature,
                    slot,
                } => {
                    let x = match value {
                        None => None,
                        Some(v) => Some(format.days(v).ok_or_else(|| ScoreError::NotADate {
                            column: spec.name.clone(),
                            row,
                            value: v.to_string(),
                            format: format.pattern(),
                        })?),
                    };
                    let x = x.map(|d| d.clamp(*first, *last));
                    dense[*feature as usize] = (x.unwrap_or(*median) - mean) / scale;
                    if let Some((f, m, s)) = missing_indicator {
                        dense[*f as usize] = (if x.is_none() { 1.0 } else { 0.0 } - m) / s;
                    }
                    onehot[*slot as usize] = x.map_or(NONE, |d| first_period_feature + period_of(period_edges, d));
                }
                ColumnKind::Categorical { rare_feature, slot, .. } => {
                    onehot[*slot as usize] = self.level(i, *rare_feature, value, scratch);
                }
            }
        }
        Ok(())
    }
    /// The one-hot feature of categorical column `i`'s value (or [`NONE`]). Inlined: most
    /// cells are missing or repeat a value the column had lately.
    #[inline]
    fn level(&self, i: usize, rare_feature: Option<u32>, value: Option<&str>, scratch: &mut EncodeScratch) -> u32 {
        let Some(v) = value else {
            return self.missing[i];
        };
        match scratch.recent.get(i).map(|recent| &recent[recent_place(v)]) {
            Some((seen, f)) if *f != NONE && seen == v => *f,
            _ => self.level_of(i, rare_feature, v, scratch),
        }
    }

    /// [`Encoder::level`] of a value not in the column's recent places.
    fn level_of(&self, i: usize, rare_feature: Option<u32>, v: &str, scratch: &mut EncodeScratch) -> u32 {
        if scratch.memo.len() != self.lookups.len() {
            scratch.memo = vec![FastMap::default(); self.lookups.len()];
            scratch.recent = (0..self.lookups.len()).map(|_| std::array::from_fn(|_| (String::new(), NONE))).collect();
        }
        // Raw spellings seen before skip the lower-casing copy.
        let f = match scratch.memo[i].get(v) {
            Some(&f) => f,
            None => {
                category_key(v, &mut scratch.key);
                let f = self.lookups[i].get(scratch.key.as_str()).copied().or(rare_feature).unwrap_or(NONE);
                if scratch.memo[i].len() < MEMO_LIMIT {
                    scratch.memo[i].insert(v.into(), f);
                }
                f
            }
        };
        let seen = &mut scratch.recent[i][recent_place(v)];
        seen.0.clear();
        seen.0.push_str(v);
        seen.1 = f;
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A categorical value's feature is the same whether it was found in the column's
    /// recent places, in the memo or afresh: values that share a place, change case, are
    /// rare or unseen, in any order, each encoded with a scratch kept across rows and with
    /// a new one.
    #[test]
    fn a_recent_value_encodes_as_it_does_afresh() {
        let spellings: Vec<String> = (0..60)
            .map(|i| match i % 6 {
                0 => format!("level {}", i % 23),
                1 => format!("LEVEL {}", i % 23),
                2 => format!("x{}x", i % 7),
                3 => format!("{}", i % 11),
                4 => "Ünïcode ".to_string(),
                _ => format!("unseen {i}"),
            })
            .collect();
        let training: Vec<String> = (0..400).map(|i| spellings[(i * 7) % 40].clone()).collect();
        let rows: Vec<Vec<&str>> = training.iter().map(|v| vec![v.as_str()]).collect();
        let table = Table::from_rows(&["colour"], &rows);
        let (schema, _) = FeatureSchema::fit_encode(&table, &[0]).expect("fits");
        let encoder = schema.encoder();
        let encode = |v: &str, scratch: &mut EncodeScratch| {
            let mut dense = vec![0.0; schema.n_dense];
            let mut onehot = vec![NONE; schema.n_categorical];
            encoder.encode(|_| Some(v), 1, &mut dense, &mut onehot, scratch).expect("encodes");
            onehot
        };
        let mut kept = EncodeScratch::default();
        let mut state = 5u64;
        for _ in 0..5_000 {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let v = &spellings[(state >> 33) as usize % spellings.len()];
            assert_eq!(encode(v, &mut kept), encode(v, &mut EncodeScratch::default()), "{v}");
        }
    }

    #[test]
    fn sorted_values_are_the_values_sorted() {
        // Few distinct values (hashed), with 0 and -0; and more than the hash counts (sorted).
        for (n, distinct) in [(0usize, 1u64), (1, 1), (10, 3), (5000, 7), (20_000, 9000)] {
            let mut values: Vec<f64> =
                (0..n as u64).map(|i| (i.wrapping_mul(0x9e37_79b9) % distinct) as f64 * 0.5 - 1.0).collect();
            values.extend([0.0, -0.0, 0.0]);
            let sorted = SortedValues::new(values.iter().copied());
            values.sort_unstable_by(f64::total_cmp);
            let bits = |v: &mut dyn Iterator<Item = f64>| v.map(f64::to_bits).collect::<Vec<_>>();
            assert_eq!(bits(&mut sorted.iter()), bits(&mut values.iter().copied()), "{n} values");
            let m = values.len();
            let median = if m % 2 == 1 { values[m / 2] } else { (values[m / 2 - 1] + values[m / 2]) / 2.0 };
            assert_eq!(sorted.median().to_bits(), median.to_bits(), "{n} values");
        }
    }

    /// A fold learns from a parsed table's rows what it would learn from a table of just
    /// those rows: the same schema, the same encoded rows bit for bit, the same errors.
    #[test]
    fn a_fold_learns_from_parsed_rows_what_a_table_of_them_gives() {
        let mut state = 7u64;
        let mut next = |n: usize| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % n
        };
        let headers = [
            "number",
            "gappy",
            "flag",
            "colour",
            "mostly numbers",
            "rarely text",
            "sparse",
            "region",
            "engaged",
            "signed",
        ];
        let colours = ["Red", "red ", "BLUE", "green", "Ünïcode", "x", "", "(missing)"];
        let rows: Vec<Vec<String>> = (0..400)
            .map(|i| {
                vec![
                    format!("{}", next(1000) as f64 / 7.0),
                    if next(5) == 0 { String::new() } else { format!("{}", next(50)) },
                    ["Yes", "no", "1", "0", "TRUE", ""][next(6)].to_string(),
                    colours[next(colours.len())].to_string(),
                    // One text value in 400: an error on a table that holds it.
                    if i == 17 { "n/a?".to_string() } else { format!("{}", next(9)) },
                    // Text in about a tenth of the rows: categorical.
                    if next(10) == 0 { "some text".to_string() } else { format!("{}", next(3)) },
                    // Missing but in a few rows: all missing in some folds.
                    if i % 97 == 3 { "here".to_string() } else { String::new() },
                    // A frequent level only in rows that fold 0 leaves out: not a rare one there.
                    if i % 5 == 0 && i < 60 { "island".to_string() } else { ["north", "south"][next(2)].to_string() },
                    // ISO dates with gaps and a time now and then; one that is no date.
                    match (i, next(8)) {
                        (123, _) => "2020-02-30".to_string(),
                        (_, 0) => String::new(),
                        (_, 1) => format!("2020-{:02}-{:02}T10:30:00Z", next(12) + 1, next(28) + 1),
                        _ => format!("2020-{:02}-{:02}", next(12) + 1, next(28) + 1),
                    },
                    // Day first, settled by the few days above 12 (not in every fold).
                    if i % 45 == 1 {
                        format!("{}/{}/2021", next(15) + 13, next(12) + 1)
                    } else {
                        format!("{}/{}/2021", next(12) + 1, next(12) + 1)
                    },
                ]
            })
            .collect();
        let rows: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
        let table = Table::from_rows(&headers, &rows);
        let columns_sets: [&[usize]; 6] = [&[0, 1, 2, 3, 5], &[0, 4], &[3, 6], &[2, 5, 1, 7], &[9, 3, 1], &[8, 0]];
        let mut checked = (0, 0);
        for columns in columns_sets {
            let parsed = ParsedTable::new(&table, columns);
            for fold in 0..5 {
                // Every fifth row left out, and one fold that keeps only the first rows.
                let subset: Vec<usize> =
                    if fold == 4 { (0..15).collect() } else { (0..table.rows).filter(|r| r % 5 != fold).collect() };
                let from_table = FeatureSchema::fit_encode(&table.select_rows(&subset), columns);
                let from_parsed = FeatureSchema::fit_encode_rows(&parsed, columns, &subset);
                match (from_table, from_parsed) {
                    (Ok((schema_a, a)), Ok((schema_b, b))) => {
                        assert_eq!(schema_a, schema_b, "columns {columns:?}, fold {fold}");
                        assert_eq!(
                            (a.rows, a.n_dense, a.n_categorical, a.n_features),
                            (b.rows, b.n_dense, b.n_categorical, b.n_features)
                        );
                        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                        assert_eq!(bits(&a.dense), bits(&b.dense), "columns {columns:?}, fold {fold}");
                        assert_eq!(a.onehot, b.onehot, "columns {columns:?}, fold {fold}");
                        checked.0 += 1;
                    }
                    (Err(a), Err(b)) => {
                        assert_eq!(a.to_string(), b.to_string());
                        checked.1 += 1;
                    }
                    (a, b) => panic!("columns {columns:?}, fold {fold}: {:?} against {:?}", a.err(), b.err()),
                }
            }
        }
        // Both outcomes were compared: pipelines, and errors (a text value among numbers, a
        // column missing in every row of a fold).
        assert!(checked.0 >= 8 && checked.1 >= 3, "{checked:?}");
        // The dates were read as dates in some folds, and the day-first column as text where
        // no day above 12 settled its order.
        let parsed = ParsedTable::new(&table, &[8, 9]);
        let kind = |column: usize, rows: &[usize]| {
            let (schema, _) = FeatureSchema::fit_encode_rows(&parsed, &[column], rows).expect("fits");
            schema.columns[0].kind.clone()
        };
        let without_bad_date: Vec<usize> = (0..table.rows).filter(|&r| r != 123).collect();
        assert!(matches!(kind(8, &without_bad_date), ColumnKind::Date { format: DateFormat::YearFirst, .. }));
        assert!(matches!(kind(9, &without_bad_date), ColumnKind::Date { format: DateFormat::DayFirst, .. }));
        let unsettled: Vec<usize> = (0..table.rows).filter(|&r| r % 45 != 1).collect();
        assert!(matches!(kind(9, &unsettled), ColumnKind::Categorical { .. }));
    }
}
