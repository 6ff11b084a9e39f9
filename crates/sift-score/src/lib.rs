//! Lead scoring: rule points, predictive models learned from outcomes, and their evaluation.
//!
//! Pure: no async, no database, no clock (callers pass the creation time); CSV is read from
//! any `Read` given in. Every score comes with the factors behind it.
//!
//! - [`table`]: CSV into columns (delimiter sniffing, placeholders as missing).
//! - [`features`]: the learned feature pipeline, stored in the model file.
//! - [`dates`]: calendar dates in cells, the orders a column settles.
//! - [`logistic`], [`gbm`] (our gradient-boosted trees) and [`odoo`]: the three model kinds.
//! - [`train`]: k-fold cross-validation, the leakage guard, the final fit.
//! - [`select`]: `auto`: the candidate kinds compared on the same folds, the choice explained.
//! - [`metrics`]: AUC, log loss, Brier, top-decile lift, calibration.
//! - [`curves`]: the report's ROC curve, lift by decile and overall factors.
//! - [`model`]: versioned, self-describing model files; scoring with reasons.
//! - [`batch`]: streaming batch scoring of a CSV on every core.
//! - [`rules`]: rule points (fit and engagement rules, caps, decay, stage thresholds).

pub mod batch;
pub mod curves;
pub mod dates;
pub mod error;
pub mod features;
pub mod gbm;
pub mod logistic;
pub mod metrics;
pub mod model;
pub mod odoo;
pub mod rules;
pub mod select;
pub mod table;
pub mod train;

pub use error::ScoreError;
pub use model::{ModelChoice, ModelFile, ModelKind, Scored, Scorer};
pub use table::Table;
pub use train::{FoldSpec, TrainOptions, TrainReport, train};
