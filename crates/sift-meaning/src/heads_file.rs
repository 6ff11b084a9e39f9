//! The trained heads as data: one JSON file with a format version, the model the heads were
//! trained on, the exchange layout, every head, how they were trained, and the held-out
//! report. Loading checks all of it against what the reader needs.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sift_signals::meaning::{AuthorityReading, BudgetReading, NeedReading, TimelineReading};

use crate::error::MeaningModelError;
use crate::features::{ExchangeLayout, pair_dim};
use crate::heads::{SoftmaxHead, TrainConfig};
use crate::metrics::Scores;

pub const FORMAT: &str = "sift-meaning-heads";
pub const FORMAT_VERSION: u32 = 1;

/// The heads trained by `examples/train-heads.rs` on the data in `data/`, shipped with Sift.
pub const BUNDLED_HEADS: &str = include_str!("../heads/heads.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadsFile {
    pub format: String,
    pub version: u32,
    /// The embedding model the heads were trained on (`intfloat/multilingual-e5-small`).
    pub model: String,
    pub embedding_dim: usize,
    pub layout: ExchangeLayout,
    pub need: SoftmaxHead,
    pub authority: SoftmaxHead,
    pub budget: SoftmaxHead,
    pub timeline: SoftmaxHead,
    pub excuse: SoftmaxHead,
    pub knowledge: SoftmaxHead,
    pub contradiction: SoftmaxHead,
    pub training: TrainingRecord,
    pub report: Report,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingRecord {
    /// Where the labelled data is (relative to the crate).
    pub data: String,
    pub authors: Vec<String>,
    pub exchanges_train: usize,
    pub exchanges_heldout: usize,
    pub pairs_train: usize,
    pub pairs_heldout: usize,
    /// How the layout and each head's settings were chosen (never on held-out data).
    pub selection: String,
    pub configs: BTreeMap<String, TrainConfig>,
}

/// Figures for one head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadReport {
    pub classes: Vec<String>,
    pub train_counts: Vec<usize>,
    /// Out-of-fold figures within the training split (tuning figures: settings were chosen on these).
    pub cross_validation: Scores,
    pub heldout: Scores,
    /// The majority class of the training split, predicted for every held-out item.
    pub heldout_baseline: Scores,
    pub heldout_by_language: BTreeMap<String, Scores>,
    pub heldout_baseline_by_language: BTreeMap<String, Scores>,
    /// Mean absolute gap between confidence and accuracy over ten confidence bins (held out).
    pub heldout_calibration_error: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferReport {
    /// Heads trained on the English training exchanges only, scored on the Chinese held-out ones.
    pub zh_heldout: Scores,
    /// The same, on every Chinese exchange (none was seen by these heads).
    pub zh_all: Scores,
    /// Majority class of the English training exchanges, on every Chinese exchange.
    pub zh_all_baseline: Scores,
    /// For comparison: heads trained on both languages, on the Chinese held-out exchanges.
    pub both_languages_zh_heldout: Scores,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub heads: BTreeMap<String, HeadReport>,
    pub transfer: BTreeMap<String, TransferReport>,
    /// Cross-validated macro-F1 of each layout (mean over the six exchange heads).
    pub layout_selection: BTreeMap<String, f64>,
}

/// The class names each head must have, in order.
pub fn expected_classes(head: &str) -> Option<Vec<String>> {
    fn names<T: Serialize>(values: &[T]) -> Vec<String> {
        values
            .iter()
            .map(|v| serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default())
            .collect()
    }
    Some(match head {
        "need" => names(&[NeedReading::Pain, NeedReading::NoPain, NeedReading::Unclear]),
        "authority" => names(&[
            AuthorityReading::Decides,
            AuthorityReading::Recommends,
            AuthorityReading::NoSay,
            AuthorityReading::Unclear,
        ]),
        "budget" => names(&[BudgetReading::Available, BudgetReading::NotAvailable, BudgetReading::Unclear]),
        "timeline" => names(&[TimelineReading::Committed, TimelineReading::NotCommitted, TimelineReading::Unclear]),
        "excuse" | "knowledge" | "contradiction" => vec!["false".to_owned(), "true".to_owned()],
        _ => return None,
    })
}

pub const EXCHANGE_HEADS: [&str; 6] = ["need", "authority", "budget", "timeline", "excuse", "knowledge"];

impl HeadsFile {
    pub fn head(&self, name: &str) -> Option<&SoftmaxHead> {
        Some(match name {
            "need" => &self.need,
            "authority" => &self.authority,
            "budget" => &self.budget,
            "timeline" => &self.timeline,
            "excuse" => &self.excuse,
            "knowledge" => &self.knowledge,
            "contradiction" => &self.contradiction,
            _ => return None,
        })
    }

    /// Parses and checks a heads file; `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Self, MeaningModelError> {
        let file: HeadsFile = serde_json::from_str(text).map_err(|e| MeaningModelError::BadLine {
            path: origin.to_path_buf(),
            line: e.line(),
            message: e.to_string(),
        })?;
        file.check().map_err(|message| MeaningModelError::bad_file(origin, message))?;
        Ok(file)
    }

    pub fn load(path: &Path) -> Result<Self, MeaningModelError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| MeaningModelError::bad_file(path, format!("cannot read: {e}")))?;
        Self::parse(&text, path)
    }

    /// The heads shipped with Sift.
    pub fn bundled() -> Result<Self, MeaningModelError> {
        Self::parse(BUNDLED_HEADS, Path::new("crates/sift-meaning/heads/heads.json"))
    }

    fn check(&self) -> Result<(), String> {
        if self.format != FORMAT {
            return Err(format!("`format` is `{}`, expected `{FORMAT}`", self.format));
        }
        if self.version != FORMAT_VERSION {
            return Err(format!("`version` is {}, this Sift reads version {FORMAT_VERSION}", self.version));
        }
        let exchange_dim = self.layout.dim(self.embedding_dim);
        for name in EXCHANGE_HEADS.iter().chain(&["contradiction"]) {
            let head = self.head(name).ok_or_else(|| format!("no head `{name}`"))?;
            head.validate().map_err(|e| format!("head `{name}`: {e}"))?;
            let wanted = expected_classes(name).unwrap_or_default();
            if head.classes != wanted {
                return Err(format!("head `{name}` has classes {:?}, expected {:?}", head.classes, wanted));
            }
            let dim = if *name == "contradiction" { pair_dim(self.embedding_dim) } else { exchange_dim };
            if head.dim() != dim {
                return Err(format!("head `{name}` takes {} features, the layout gives {dim}", head.dim()));
            }
        }
        Ok(())
    }
}

/// The enum value of each class name of a head (the names were checked on load).
pub(crate) fn class_values<T: DeserializeOwned>(head: &SoftmaxHead) -> Result<Vec<T>, MeaningModelError> {
    head.classes
        .iter()
        .map(|c| {
            serde_json::from_value(serde_json::Value::String(c.clone()))
                .map_err(|e| MeaningModelError::Inference(format!("class `{c}`: {e}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_heads_load_and_carry_their_report() {
        let heads = HeadsFile::bundled().unwrap();
        assert_eq!(heads.model, "intfloat/multilingual-e5-small");
        // The bundled heads were trained on the data in the repository, all of it.
        let data = crate::data::Dataset::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data")).unwrap();
        let mut authors: Vec<&str> = data.exchanges.iter().map(|e| e.author.as_str()).collect();
        authors.dedup();
        assert_eq!(heads.training.authors, authors);
        assert_eq!(heads.training.exchanges_train + heads.training.exchanges_heldout, data.exchanges.len());
        assert_eq!(heads.training.pairs_train + heads.training.pairs_heldout, data.pairs.len());
        for name in EXCHANGE_HEADS.iter().chain(&["contradiction"]) {
            let report = &heads.report.heads[*name];
            assert!(report.heldout.n > 0, "{name}");
            // Every head beats the trivial answer on data it never saw.
            assert!(report.heldout.macro_f1 > report.heldout_baseline.macro_f1 + 0.2, "{name}");
        }
    }

    #[test]
    fn a_broken_heads_file_says_what_is_wrong() {
        let good = serde_json::to_value(HeadsFile::bundled().unwrap()).unwrap();
        let check = |edit: &dyn Fn(&mut serde_json::Value), wanted: &str| {
            let mut value = good.clone();
            edit(&mut value);
            let message = HeadsFile::parse(&value.to_string(), Path::new("h.json")).unwrap_err().to_string();
            assert!(message.starts_with("h.json"), "{message}");
            assert!(message.contains(wanted), "{message} lacks {wanted}");
        };
        check(&|v| v["version"] = 2.into(), "this Sift reads version 1");
        check(&|v| v["format"] = "other".into(), "`format` is `other`");
        check(&|v| v["need"]["classes"][0] = "agony".into(), "head `need` has classes");
        check(&|v| v["layout"] = "joint".into(), "head `need` takes 768 features, the layout gives 384");
        check(&|v| v["excuse"]["temperature"] = (-1.0).into(), "head `excuse`: `temperature` must be positive");
        check(&|v| v["extra"] = 1.into(), "unknown field `extra`");
    }
}
