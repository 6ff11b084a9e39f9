//! The HTTP side: one blocking chat-completions request with a timeout, and the cache.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sift_signals::Transcript;

use crate::LlmConfig;
use crate::schema::{PROMPT_VERSION, RawReading, render_transcript, response_schema, system_prompt};

#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("`{url}` is not an http(s) URL")]
    BadUrl { url: String },
    #[error("the large model at `{url}` did not answer within {seconds:.1} s")]
    Timeout { url: String, seconds: f64 },
    #[error("cannot reach the large model at `{url}`: {message}")]
    Transport { url: String, message: String },
    #[error("the large model at `{url}` answered HTTP {status}: {detail}")]
    Http { url: String, status: u16, detail: String },
    #[error("the large model's answer does not follow the schema: {message}")]
    BadAnswer { message: String },
}

pub struct LlmClient {
    config: LlmConfig,
    agent: ureq::Agent,
    endpoint: String,
}

impl LlmClient {
    pub fn new(config: LlmConfig) -> Result<Self, LlmError> {
        let base = config.url.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(LlmError::BadUrl { url: config.url.clone() });
        }
        let endpoint =
            if base.ends_with("/chat/completions") { base.to_owned() } else { format!("{base}/chat/completions") };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Ok(Self { config, agent, endpoint })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The request body for a call.
    pub fn request_body(&self, transcript: &Transcript) -> Value {
        json!({
            "model": self.config.model,
            "temperature": 0,
            "messages": [
                { "role": "system", "content": system_prompt() },
                { "role": "user", "content": render_transcript(transcript) }
            ],
            "response_format": {
                "type": "json_schema",
                "json_schema": { "name": "sift_call_reading", "strict": true, "schema": response_schema() }
            }
        })
    }

    /// The cache key: the model, where it runs, the prompt version and the call, hashed.
    pub fn cache_key(&self, transcript: &Transcript) -> String {
        let mut hasher = Sha256::new();
        hasher.update(format!("sift-llm prompt v{PROMPT_VERSION}\n{}\n{}\n", self.config.model, self.endpoint));
        hasher.update(render_transcript(transcript));
        hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn cache_path(&self, transcript: &Transcript) -> Option<PathBuf> {
        self.config.cache_dir.as_ref().map(|dir| dir.join(format!("{}.json", self.cache_key(transcript))))
    }

    /// The model's reading of the call, from the cache when it is there; the flag says so.
    pub fn read_call(&self, transcript: &Transcript) -> Result<(RawReading, bool), LlmError> {
        let cached = self.cache_path(transcript);
        if let Some(path) = &cached {
            // A cache entry that no longer parses is ignored and replaced.
            if let Some(reading) = std::fs::read_to_string(path).ok().and_then(|text| parse_reading(&text).ok()) {
                return Ok((reading, true));
            }
        }
        let content = self.ask(transcript)?;
        let reading = parse_reading(&content)?;
        if let Some(path) = &cached {
            // The cache is an optimisation: failing to write it costs a request next time, nothing more.
            let _ = write_atomically(path, &content);
        }
        Ok((reading, false))
    }

    /// Sends the request and returns the assistant message's content.
    fn ask(&self, transcript: &Transcript) -> Result<String, LlmError> {
        let url = self.endpoint.clone();
        let mut request = self.agent.post(&url).header("Content-Type", "application/json");
        if let Some(key) = &self.config.api_key {
            request = request.header("Authorization", format!("Bearer {key}"));
        }
        let mut response = request.send_json(self.request_body(transcript)).map_err(|e| self.transport(e))?;
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().map_err(|e| self.transport(e))?;
        if !(200..300).contains(&status) {
            let detail: String = body.chars().take(300).collect();
            return Err(LlmError::Http { url, status, detail: detail.trim().to_owned() });
        }
        let value: Value = serde_json::from_str(&body)
            .map_err(|e| LlmError::BadAnswer { message: format!("the response is not JSON: {e}") })?;
        value["choices"][0]["message"]["content"].as_str().map(str::to_owned).ok_or_else(|| LlmError::BadAnswer {
            message: "no `choices[0].message.content` in the response".to_owned(),
        })
    }

    fn transport(&self, error: ureq::Error) -> LlmError {
        let url = self.endpoint.clone();
        let timed_out = matches!(&error, ureq::Error::Timeout(_))
            || matches!(&error, ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut);
        if timed_out {
            LlmError::Timeout { url, seconds: self.config.timeout.as_secs_f64() }
        } else {
            LlmError::Transport { url, message: error.to_string() }
        }
    }
}

/// The content may come wrapped in a Markdown code fence by models that ignore the format.
fn parse_reading(content: &str) -> Result<RawReading, LlmError> {
    let trimmed = content.trim();
    let unfenced = trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|rest| rest.strip_suffix("```"))
        .unwrap_or(trimmed);
    serde_json::from_str(unfenced.trim()).map_err(|e| LlmError::BadAnswer { message: e.to_string() })
}

fn write_atomically(path: &Path, content: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temporary, content)?;
    std::fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenced_and_bare_answers_parse() {
        let bare = r#"{"criteria":[],"signals":[]}"#;
        assert!(parse_reading(bare).is_ok());
        assert!(parse_reading(&format!("```json\n{bare}\n```")).is_ok());
        let error = parse_reading("I think the budget is fine.").unwrap_err().to_string();
        assert!(error.starts_with("the large model's answer does not follow the schema"), "{error}");
    }

    #[test]
    fn urls_are_checked_and_completed() {
        let config = |url: &str| LlmConfig { cache_dir: None, ..LlmConfig::new(url, "m") };
        assert_eq!(
            LlmClient::new(config("http://127.0.0.1:8080/v1/")).unwrap().endpoint(),
            "http://127.0.0.1:8080/v1/chat/completions"
        );
        assert_eq!(
            LlmClient::new(config("https://api.example/v1/chat/completions")).unwrap().endpoint(),
            "https://api.example/v1/chat/completions"
        );
        let Err(error) = LlmClient::new(config("localhost:8080")) else { panic!("accepted a bare host") };
        assert_eq!(error.to_string(), "`localhost:8080` is not an http(s) URL");
    }
}
