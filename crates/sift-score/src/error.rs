//! The one error type of the crate. Messages are lowercase, name the column in backticks and
//! give the row (1-based data row, the header is row 0) where there is one.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ScoreError {
    #[error("cannot read the CSV: {0}")]
    Csv(String),
    #[error("the CSV has no header row")]
    NoHeader,
    #[error("the CSV has no data rows")]
    NoRows,
    #[error("column `{0}` appears twice in the header")]
    DuplicateColumn(String),
    #[error("no column `{column}` in the data (columns: {available})")]
    MissingColumn { column: String, available: String },
    #[error("label column `{column}` has only one class (`{value}`) in {rows} rows: nothing to learn")]
    OneClassLabel { column: String, value: String, rows: usize },
    #[error(
        "label column `{column}` row {row}: cannot read `{value}` as an outcome (use 0/1, yes/no, true/false, won/lost, or pass --positive VALUE)"
    )]
    BadLabel { column: String, row: usize, value: String },
    #[error(
        "column `{column}` has no values (every row is empty or a placeholder): exclude it with --exclude `{column}`"
    )]
    AllMissingColumn { column: String },
    #[error(
        "column `{column}` row {row}: `{value}` is not a number, but the column is numeric ({share:.0}% of its values are numbers)"
    )]
    NonNumericValue { column: String, row: usize, value: String, share: f64 },
    #[error("column `{column}` row {row}: `{value}` is not a number, and the model treats `{column}` as numeric")]
    NotANumber { column: String, row: usize, value: String },
    #[error(
        "column `{column}` row {row}: `{value}` is not a date, but the column holds dates ({share:.0}% of its values are dates in the order {format})"
    )]
    NonDateValue { column: String, row: usize, value: String, share: f64, format: &'static str },
    #[error(
        "column `{column}` row {row}: `{value}` is not a date in the order {format}, and the model treats `{column}` as dates"
    )]
    NotADate { column: String, row: usize, value: String, format: &'static str },
    #[error(
        "column `{column}` row {row}: stage `{value}` is not among the stages given ({stages}): list every stage in sequence order (--odoo-stages) or name the won stage (--odoo-won-stage)"
    )]
    UnknownStage { column: String, row: usize, value: String, stages: String },
    #[error("every column was excluded or dropped: nothing left to learn from")]
    NoFeatures,
    #[error(
        "every column left is flagged by the leakage guard ({0}): nothing honest to learn from (--keep-leaky learns from them anyway)"
    )]
    OnlyLeakyColumns(String),
    #[error("the data does not fit the model: {0}")]
    SchemaMismatch(String),
    #[error("not a Sift model file: {0}")]
    BadModelFile(String),
    #[error("model file format version {found} is not supported (this build reads version {supported})")]
    UnsupportedModelVersion { found: u32, supported: u32 },
    /// A setting outside its allowed range (the message names the range).
    #[error("{0}")]
    Options(String),
    #[error("bad folds file: {0}")]
    BadFolds(String),
    #[error("bad rules file: {0}")]
    BadRules(String),
    #[error("training failed: {0}")]
    Training(String),
    #[error("cannot write the output: {0}")]
    Write(String),
    /// The reader of the output went away (e.g. `sift score ... | head`).
    #[error("the output was closed")]
    OutputClosed,
}

impl ScoreError {
    /// True when the error is the input's fault (the CLI exits with code 2), false for an
    /// environment failure such as a write error.
    pub fn is_invalid_input(&self) -> bool {
        !matches!(self, ScoreError::Write(_) | ScoreError::Training(_) | ScoreError::OutputClosed)
    }
}

pub type Result<T, E = ScoreError> = std::result::Result<T, E>;
