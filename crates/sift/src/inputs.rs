//! Reading the user's files: the only place the binary touches the file system for input.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sift_app::Config;
use sift_app::calls::{MAX_TRANSCRIPT_BYTES, TranscriptText, decode_transcript};
use sift_core::{Diagnostic, Diagnostics};

/// Files bigger than this are refused: a framework, ICP or answers file is a few kilobytes.
const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a UTF-8 text file, with an error naming the file when it cannot be read, is too
/// big or is not UTF-8 (giving the byte offset of the first bad byte).
pub fn read_text(path: &Path) -> Result<String> {
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    if meta.len() > MAX_INPUT_BYTES {
        bail!("`{}` is {} bytes; input files are limited to {} bytes", path.display(), meta.len(), MAX_INPUT_BYTES);
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text)),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&e.into_bytes()[..offset]).into_owned();
            let location = sift_core::Location::from_offset(&text, offset);
            Err(Diagnostics(vec![Diagnostic {
                source: path.display().to_string(),
                location: Some(location),
                message: "the file is not valid UTF-8; save it as UTF-8".into(),
            }])
            .into())
        }
    }
}

/// The built-in frameworks plus the user's framework files (their warnings printed).
pub fn config(framework_files: &[PathBuf]) -> Result<Config> {
    let mut config = Config::builtin()?;
    for path in framework_files {
        let warnings = config.load_framework(&path.display().to_string(), &read_text(path)?)?;
        crate::render::print_diagnostics(&warnings);
    }
    Ok(config)
}

/// `--model[=DIR]`: read calls with the local meaning model (the commands that read calls).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ModelArgs {
    /// Read meaning with the local model (multilingual-e5-small and Sift's trained heads) on
    /// top of the rules. `--model=DIR` names the model directory; plain `--model` uses
    /// SIFT_MODEL_DIR or ~/.cache/sift/models/multilingual-e5-small (scripts/fetch-model.sh
    /// makes it). Needs a build with `--features model`. Without it calls are read by rules
    /// alone, and every report says which mode produced each finding.
    #[arg(long, value_name = "DIR", num_args = 0..=1, require_equals = true)]
    pub model: Option<Option<PathBuf>>,

    /// Threads for the model (default: every core).
    #[arg(long, value_name = "N", requires = "model", value_parser = ranged(1..=256))]
    pub model_threads: Option<usize>,
}

impl ModelArgs {
    /// The model, when `--model` was given; a clear error when it cannot be opened.
    pub fn open(&self) -> Result<Option<sift_app::config::MeaningHandle>> {
        let Some(dir) = &self.model else { return Ok(None) };
        let threads = self.model_threads.unwrap_or_else(sift_app::meaning::default_threads);
        let started = std::time::Instant::now();
        let handle = sift_app::meaning::open(dir.as_deref(), threads)?;
        anstream::eprintln!("note: loaded {} in {:.1} s", handle.0.describe(), started.elapsed().as_secs_f64());
        Ok(Some(handle))
    }
}

/// `--llm URL`: ask a user's large model about each call (an OpenAI-compatible endpoint).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct LlmArgs {
    /// Ask a large model behind an OpenAI-compatible endpoint (llama.cpp server, Ollama,
    /// vLLM...), e.g. `http://127.0.0.1:8080/v1`. Its BANT statuses and signals replace or
    /// join the local ones only where every quote it gives is found in the transcript;
    /// answers are cached by transcript; on a timeout or an error the local analysis stands
    /// and the report says why. The key, if the endpoint needs one: SIFT_LLM_API_KEY.
    #[arg(long, value_name = "URL")]
    pub llm: Option<String>,

    /// The model name sent to the endpoint.
    #[arg(long, value_name = "NAME", requires = "llm", default_value = "default")]
    pub llm_model: String,

    /// Seconds to wait for the large model before falling back to the local analysis.
    #[arg(long, value_name = "SECONDS", requires = "llm", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub llm_timeout: u64,
}

impl LlmArgs {
    pub fn config(&self) -> Option<sift_llm::LlmConfig> {
        let url = self.llm.as_ref()?;
        let mut config = sift_llm::LlmConfig::new(url.clone(), self.llm_model.clone());
        config.api_key = std::env::var("SIFT_LLM_API_KEY").ok().filter(|k| !k.is_empty());
        config.timeout = std::time::Duration::from_secs(self.llm_timeout);
        Some(config)
    }
}

/// Reads a transcript file (size-capped) and decodes it; see [`decode_transcript`].
pub fn read_transcript(path: &Path) -> Result<TranscriptText> {
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    if meta.is_dir() {
        bail!("`{}` is a directory; give a transcript file", path.display());
    }
    if meta.len() > MAX_TRANSCRIPT_BYTES {
        bail!(
            "`{}` is {} MB; transcripts are limited to {} MB (a one-hour call is about 70 KB; split longer recordings)",
            path.display(),
            meta.len() / (1024 * 1024),
            MAX_TRANSCRIPT_BYTES / (1024 * 1024)
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    Ok(decode_transcript(&bytes))
}

/// A clap parser for a `usize` flag limited to `range` (the library's own limits, so the
/// command line refuses what the library would, naming the allowed range).
pub fn ranged(range: std::ops::RangeInclusive<usize>) -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(*range.start() as u64..=*range.end() as u64)
}
