//! The optional large-model backend for call analysis.
//!
//! For teams that run a capable model behind an OpenAI-compatible endpoint (a llama.cpp
//! server, Ollama, vLLM...): the call goes out as numbered turns with a JSON schema for the
//! answer (criterion statuses and signals, each with quotes); what comes back is trusted only
//! where it is grounded: every quote must exist in the turn it names (or, if the turn number
//! is off, in exactly one other turn), and a claim whose quotes do not is dropped and counted.
//! Answers are cached by a hash of the model, the prompt version and the transcript. Any
//! failure (timeout, HTTP error, an answer outside the schema) becomes a [`LlmOutcome::Fallback`]
//! with a message, so the caller runs the local analysis instead.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod apply;
mod client;
mod grounding;
mod schema;

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sift_core::CriterionStatus;
use sift_signals::{SignalKind, Transcript};

pub use apply::apply;
pub use client::{LlmClient, LlmError};
pub use grounding::{ground, normalise};
pub use schema::{PROMPT_VERSION, RawReading, render_transcript, response_schema, system_prompt};

/// Where and how to ask.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmConfig {
    /// The API base, e.g. `http://127.0.0.1:8080/v1` (`/chat/completions` is appended).
    pub url: String,
    pub model: String,
    /// Sent as a bearer token when set.
    pub api_key: Option<String>,
    /// For the whole request, connection to last byte.
    pub timeout: Duration,
    /// Answers are kept here by transcript hash; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
}

impl LlmConfig {
    pub fn new(url: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            model: model.into(),
            api_key: None,
            timeout: Duration::from_secs(120),
            cache_dir: default_cache_dir(),
        }
    }
}

/// `${XDG_CACHE_HOME:-~/.cache}/sift/llm`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let cache = var("XDG_CACHE_HOME").or_else(|| var("HOME").map(|h| h.join(".cache")))?;
    Some(cache.join("sift").join("llm"))
}

/// The BANT concepts the model reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Concept {
    Need,
    Budget,
    Authority,
    Timeline,
}

/// A quote located in the transcript: the turn and the byte range inside its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    pub turn: usize,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroundedStatus {
    pub concept: Concept,
    pub status: CriterionStatus,
    pub quotes: Vec<Quote>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroundedSignal {
    pub kind: SignalKind,
    pub quote: Quote,
    pub reason: String,
}

/// What the large model said, keeping only what the transcript bears out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LlmAnalysis {
    /// The model, as configured.
    pub model: String,
    pub statuses: Vec<GroundedStatus>,
    pub signals: Vec<GroundedSignal>,
    /// Claims dropped because a quote was not in the transcript.
    pub dropped_claims: usize,
    /// Quotes that were not in the transcript (a claim may lose some and keep others).
    pub ungrounded_quotes: usize,
    pub from_cache: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum LlmOutcome {
    Analysed(LlmAnalysis),
    /// The local analysis should be used; the message says why.
    Fallback {
        message: String,
    },
}

/// Asks the model about one call, grounds its answer, and falls back on any failure.
pub fn analyse_call(transcript: &Transcript, config: &LlmConfig) -> LlmOutcome {
    match LlmClient::new(config.clone()).and_then(|client| client.read_call(transcript)) {
        Ok((reading, from_cache)) => {
            let mut analysis = ground(&reading, transcript);
            analysis.model = config.model.clone();
            analysis.from_cache = from_cache;
            LlmOutcome::Analysed(analysis)
        }
        Err(error) => LlmOutcome::Fallback { message: format!("{error}; the local analysis is used instead") },
    }
}
