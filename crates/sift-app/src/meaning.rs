//! Opening the local meaning model for call analysis (`--model`, `SIFT_MODEL_DIR`).
//!
//! The model is optional twice over: at build time (the cargo feature `model`, which brings
//! candle) and at run time (a model directory). Without either, call analysis reads with the
//! rules alone and every report says so.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sift_meaning::{HeadsFile, LocalModelOptions, MeaningModelError};

use crate::config::MeaningHandle;
use crate::error::{AppError, Result};

/// Whether this build of Sift can run the meaning model at all.
pub const BUILT_WITH_MODEL: bool = cfg!(feature = "model");

/// Where a model is looked for when none is named: `SIFT_MODEL_DIR`, else the user's cache
/// (`~/.cache/sift/models/multilingual-e5-small`, where `scripts/fetch-model.sh` puts it).
pub fn default_dir() -> Option<PathBuf> {
    sift_meaning::default_model_dir()
}

/// Why `--model` cannot work in this build, and what to do.
const NOT_BUILT_IN: &str = "this build of Sift has no meaning model: build it with `cargo build --release --features model` \
     (or leave out --model to read calls with the rules alone)";

/// How calls are read with `meaning`, in words, for reports and start-up messages.
pub fn read_with(meaning: Option<&dyn sift_signals::meaning::MeaningModel>) -> String {
    meaning.map_or_else(|| "rules only".to_owned(), |m| format!("rules and {}", m.describe()))
}

/// Opens multilingual-e5-small from `dir` (or the default directory) with the heads bundled
/// with Sift, for `threads` inference threads.
pub fn open(dir: Option<&Path>, threads: usize) -> Result<MeaningHandle> {
    if !BUILT_WITH_MODEL {
        return Err(AppError::Unavailable(NOT_BUILT_IN.to_owned()));
    }
    let dir = match dir {
        Some(dir) => dir.to_path_buf(),
        None => default_dir().ok_or_else(|| {
            AppError::Unavailable(
                "no model directory: pass --model DIR or set SIFT_MODEL_DIR (scripts/fetch-model.sh makes one)"
                    .to_owned(),
            )
        })?,
    };
    let heads = HeadsFile::bundled().map_err(model_error)?;
    let options = LocalModelOptions { model_dir: &dir, threads: threads.max(1) };
    let model = sift_meaning::open_local_model(&options, heads).map_err(model_error)?;
    Ok(MeaningHandle(Arc::from(model)))
}

/// The threads to give the model by default: every core this process may use.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

fn model_error(e: MeaningModelError) -> AppError {
    match e {
        MeaningModelError::Unavailable => AppError::Unavailable(NOT_BUILT_IN.to_owned()),
        other => AppError::Unavailable(format!("cannot open the meaning model: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_directory_is_named_or_the_build_says_it_has_no_model() {
        let dir = tempfile::tempdir().expect("dir");
        let missing = dir.path().join("no-model-here");
        let err = open(Some(&missing), 1).expect_err("no model there");
        let text = err.to_string();
        if BUILT_WITH_MODEL {
            assert!(text.contains("no-model-here") && text.contains("does not exist"), "{text}");
        } else {
            assert!(text.contains("--features model"), "{text}");
        }
    }

    #[test]
    fn an_incomplete_directory_names_the_missing_file() {
        if !BUILT_WITH_MODEL {
            eprintln!("skipping: built without the `model` feature");
            return;
        }
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("config.json"), "{}").expect("write");
        let text = open(Some(dir.path()), 1).expect_err("incomplete").to_string();
        assert!(text.contains("tokenizer.json"), "{text}");
    }
}
