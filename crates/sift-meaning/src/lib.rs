//! Sift's local meaning model: multilingual-e5-small sentence embeddings (English, Chinese and
//! about a hundred other languages) with small classifier heads trained by the project on
//! labelled question–answer exchanges. It implements [`sift_signals::meaning::MeaningModel`]:
//! need, authority of this contact, budget, timeline, excuse and knowledge per exchange, and
//! the probability that two statements contradict each other.
//!
//! The model runs in Rust on candle behind the cargo feature `candle`. Without it the crate
//! still builds (the heads, their training and the data parsing need no model) and
//! [`open_local_model`] says the model is unavailable, so Sift runs the rules alone.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod data;
#[cfg(feature = "candle")]
pub mod embed;
pub mod error;
pub mod features;
pub mod heads;
pub mod heads_file;
pub mod metrics;
pub mod model_dir;
pub mod reader;
pub mod training;

use std::path::Path;

pub use error::MeaningModelError;
pub use heads_file::HeadsFile;
pub use model_dir::{ModelDir, default_model_dir};
pub use reader::{MeaningReader, SentenceEmbedder};
use sift_signals::meaning::MeaningModel;

/// How to open the local model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalModelOptions<'a> {
    /// A standard model directory (`config.json`, `tokenizer.json`, `model.safetensors`).
    pub model_dir: &'a Path,
    /// Threads for inference.
    pub threads: usize,
}

/// Opens multilingual-e5-small from `options.model_dir` with the given heads (trained on the
/// same model). Fails with [`MeaningModelError::Unavailable`] when built without `candle`.
pub fn open_local_model(
    options: &LocalModelOptions<'_>,
    heads: HeadsFile,
) -> Result<Box<dyn MeaningModel>, MeaningModelError> {
    let dir = ModelDir::open(options.model_dir)?;
    open_with(&dir, options.threads, heads)
}

#[cfg(feature = "candle")]
fn open_with(dir: &ModelDir, threads: usize, heads: HeadsFile) -> Result<Box<dyn MeaningModel>, MeaningModelError> {
    let embedder_options = embed::EmbedderOptions { threads, ..embed::EmbedderOptions::default() };
    let embedder = embed::E5Embedder::load(dir, embedder_options)?;
    Ok(Box::new(MeaningReader::new(embedder, heads)?))
}

#[cfg(not(feature = "candle"))]
fn open_with(_dir: &ModelDir, _threads: usize, _heads: HeadsFile) -> Result<Box<dyn MeaningModel>, MeaningModelError> {
    Err(MeaningModelError::Unavailable)
}
