//! Errors of the meaning model: a missing or broken model directory, a bad heads file, bad
//! labelled data, inference failures. Each names the file (and line) it is about.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum MeaningModelError {
    /// The crate was built without the `candle` feature.
    #[error("the local meaning model is unavailable: sift was built without the `candle` feature")]
    Unavailable,
    #[error("{}: the model directory does not exist", .dir.display())]
    NoModelDir { dir: PathBuf },
    #[error("{}: `{file}` is missing from the model directory (expected config.json, tokenizer.json and model.safetensors; scripts/fetch-model.sh makes one)", .dir.display())]
    MissingFile { dir: PathBuf, file: &'static str },
    #[error("{}: {message}", .path.display())]
    BadFile { path: PathBuf, message: String },
    #[error("{}:{line}: {message}", .path.display())]
    BadLine { path: PathBuf, line: usize, message: String },
    #[error("the heads were trained on embeddings of {expected} dimensions, the model gives {found}")]
    DimensionMismatch { expected: usize, found: usize },
    #[error("the heads were trained on `{heads}`, the model directory holds `{model}`")]
    ModelMismatch { heads: String, model: String },
    #[error("inference failed: {0}")]
    Inference(String),
    #[error("training failed: {0}")]
    Training(String),
}

impl MeaningModelError {
    pub(crate) fn bad_file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::BadFile { path: path.into(), message: message.into() }
    }
}
