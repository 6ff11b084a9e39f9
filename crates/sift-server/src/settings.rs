//! Server settings, layered: built-in defaults, then a TOML file, then `SIFT_*` environment
//! variables, then command-line flags (each layer overrides the ones before).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event.
    #[default]
    Text,
    /// One JSON object per event, for log collectors.
    Json,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Where to listen; the default is loopback only.
    pub bind: SocketAddr,
    pub database_url: String,
    /// Uploads and job files go here.
    pub data_dir: PathBuf,
    pub log_format: LogFormat,
    /// Largest JSON body accepted.
    pub max_body_bytes: usize,
    /// Largest upload (CSV, transcript) accepted.
    pub max_upload_bytes: usize,
    pub session_hours: i64,
    /// Mark cookies `Secure` (set when the server is reached over HTTPS, e.g. behind a proxy).
    pub secure_cookies: bool,
    /// argon2id cost.
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    /// Sign-in attempts allowed per client address per minute.
    pub sign_in_per_minute: u32,
    /// Requests allowed per credential (or address) per second, in bursts.
    pub requests_per_second: u32,
    /// How long to wait for running requests and jobs on shutdown.
    pub shutdown_grace_seconds: u64,
    /// Background job workers in this process (0: serve only, run no jobs).
    pub job_workers: usize,
    /// How long a claimed job is held without renewal before another process may take it
    /// over (workers renew every third of it).
    pub job_lease_seconds: u64,
    /// The first retry of a failed job waits this long; each next one twice as long.
    pub job_retry_base_seconds: u64,
    /// How long a webhook receiver may take to answer.
    pub webhook_timeout_seconds: u64,
    /// Allow webhooks to loopback and private addresses (off: only public targets, against
    /// server-side request forgery).
    pub webhook_allow_private: bool,
    /// How often nurtured leads whose re-engage date has come are looked for.
    pub nurture_scan_seconds: u64,
}

impl Settings {
    pub fn defaults(database_url: String, data_dir: PathBuf) -> Settings {
        Settings {
            bind: SocketAddr::from(([127, 0, 0, 1], 7340)),
            database_url,
            data_dir,
            log_format: LogFormat::Text,
            max_body_bytes: 2 * 1024 * 1024,
            max_upload_bytes: 200 * 1024 * 1024,
            session_hours: 12,
            secure_cookies: false,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            sign_in_per_minute: 10,
            requests_per_second: 200,
            shutdown_grace_seconds: 30,
            job_workers: 2,
            job_lease_seconds: 60,
            job_retry_base_seconds: 10,
            webhook_timeout_seconds: 15,
            webhook_allow_private: false,
            nurture_scan_seconds: 300,
        }
    }
}

/// One layer: every key optional; unknown keys are an error naming them.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub bind: Option<SocketAddr>,
    pub database_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub log_format: Option<LogFormat>,
    pub max_body_bytes: Option<usize>,
    pub max_upload_bytes: Option<usize>,
    pub session_hours: Option<i64>,
    pub secure_cookies: Option<bool>,
    pub argon2_memory_kib: Option<u32>,
    pub argon2_iterations: Option<u32>,
    pub sign_in_per_minute: Option<u32>,
    pub requests_per_second: Option<u32>,
    pub shutdown_grace_seconds: Option<u64>,
    pub job_workers: Option<usize>,
    pub job_lease_seconds: Option<u64>,
    pub job_retry_base_seconds: Option<u64>,
    pub webhook_timeout_seconds: Option<u64>,
    pub webhook_allow_private: Option<bool>,
    pub nurture_scan_seconds: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read the settings file `{path}`: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("environment variable `{name}`: `{value}` is not a valid value: {message}")]
    Env { name: String, value: String, message: String },
    #[error("setting `{name}`: {message}")]
    Range { name: &'static str, message: String },
}

impl Layer {
    /// Reads a TOML settings file.
    pub fn from_file(path: &Path) -> Result<Layer, SettingsError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| SettingsError::Read { path: path.display().to_string(), source })?;
        toml::from_str(&text).map_err(|e| SettingsError::Parse {
            path: path.display().to_string(),
            message: e.to_string().trim().replace('\n', " "),
        })
    }

    /// Reads the `SIFT_*` variables among `vars` (e.g. `std::env::vars()`).
    pub fn from_env(vars: impl IntoIterator<Item = (String, String)>) -> Result<Layer, SettingsError> {
        let mut table = toml::Table::new();
        for (name, value) in vars {
            let Some(key) = name.strip_prefix("SIFT_").map(str::to_lowercase) else { continue };
            let key = if key == "database_url" || key == "data_dir" { key } else { key.replace("server_", "") };
            if !KEYS.contains(&key.as_str()) {
                continue;
            }
            let parsed = match key.as_str() {
                "bind" | "database_url" | "data_dir" | "log_format" => toml::Value::String(value.clone()),
                "secure_cookies" | "webhook_allow_private" => match value.to_lowercase().as_str() {
                    "1" | "true" | "yes" | "on" => toml::Value::Boolean(true),
                    "0" | "false" | "no" | "off" => toml::Value::Boolean(false),
                    _ => {
                        return Err(SettingsError::Env { name, value, message: "use true or false".into() });
                    }
                },
                _ => match value.trim().parse::<i64>() {
                    Ok(n) => toml::Value::Integer(n),
                    Err(_) => return Err(SettingsError::Env { name, value, message: "not a whole number".into() }),
                },
            };
            table.insert(key, parsed);
        }
        toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| SettingsError::Parse { path: "environment".into(), message: e.to_string() })
    }

    /// Applies this layer over `settings`.
    pub fn apply(self, settings: &mut Settings) {
        macro_rules! take {
            ($($field:ident),*) => { $( if let Some(v) = self.$field { settings.$field = v; } )* };
        }
        take!(
            bind,
            database_url,
            data_dir,
            log_format,
            max_body_bytes,
            max_upload_bytes,
            session_hours,
            secure_cookies,
            argon2_memory_kib,
            argon2_iterations,
            sign_in_per_minute,
            requests_per_second,
            shutdown_grace_seconds,
            job_workers,
            job_lease_seconds,
            job_retry_base_seconds,
            webhook_timeout_seconds,
            webhook_allow_private,
            nurture_scan_seconds
        );
    }
}

/// The keys a layer may set (environment: `SIFT_` + the key in capitals; `bind`,
/// `log_format`... may also be written `SIFT_SERVER_BIND`).
pub const KEYS: [&str; 19] = [
    "bind",
    "database_url",
    "data_dir",
    "log_format",
    "max_body_bytes",
    "max_upload_bytes",
    "session_hours",
    "secure_cookies",
    "argon2_memory_kib",
    "argon2_iterations",
    "sign_in_per_minute",
    "requests_per_second",
    "shutdown_grace_seconds",
    "job_workers",
    "job_lease_seconds",
    "job_retry_base_seconds",
    "webhook_timeout_seconds",
    "webhook_allow_private",
    "nurture_scan_seconds",
];

impl Settings {
    /// Refuses values that cannot work, naming the setting and the allowed range.
    pub fn check(&self) -> Result<(), SettingsError> {
        let range = |name: &'static str, ok: bool, allowed: &str| {
            if ok { Ok(()) } else { Err(SettingsError::Range { name, message: format!("must be {allowed}") }) }
        };
        range("max_body_bytes", (1024..=64 * 1024 * 1024).contains(&self.max_body_bytes), "1 KiB to 64 MiB")?;
        range("max_upload_bytes", (1024..=(4 << 30)).contains(&self.max_upload_bytes), "1 KiB to 4 GiB")?;
        range("session_hours", (1..=24 * 90).contains(&self.session_hours), "1 to 2160 hours")?;
        range("argon2_memory_kib", (8..=4 * 1024 * 1024).contains(&self.argon2_memory_kib), "8 to 4194304 KiB")?;
        range("argon2_iterations", (1..=50).contains(&self.argon2_iterations), "1 to 50")?;
        range("sign_in_per_minute", (1..=10_000).contains(&self.sign_in_per_minute), "1 to 10000")?;
        range("requests_per_second", (1..=1_000_000).contains(&self.requests_per_second), "1 to 1000000")?;
        range("shutdown_grace_seconds", self.shutdown_grace_seconds <= 3600, "0 to 3600")?;
        range("job_workers", self.job_workers <= 64, "0 to 64")?;
        range("job_lease_seconds", (1..=3600).contains(&self.job_lease_seconds), "1 to 3600")?;
        range("job_retry_base_seconds", (1..=3600).contains(&self.job_retry_base_seconds), "1 to 3600")?;
        range("webhook_timeout_seconds", (1..=120).contains(&self.webhook_timeout_seconds), "1 to 120")?;
        range("nurture_scan_seconds", (1..=86_400).contains(&self.nurture_scan_seconds), "1 to 86400")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_override_in_order_and_bad_values_name_themselves() {
        let mut s = Settings::defaults("sqlite://x.db".into(), "/tmp".into());
        let file: Layer = toml::from_str("bind = \"127.0.0.1:9000\"\njob_workers = 4").expect("file layer");
        file.apply(&mut s);
        let env = Layer::from_env([
            ("SIFT_JOB_WORKERS".to_owned(), "1".to_owned()),
            ("SIFT_LOG_FORMAT".to_owned(), "json".to_owned()),
            ("HOME".to_owned(), "/root".to_owned()),
        ])
        .expect("env layer");
        env.apply(&mut s);
        assert_eq!((s.bind.port(), s.job_workers, s.log_format), (9000, 1, LogFormat::Json));
        let err = Layer::from_env([("SIFT_JOB_WORKERS".to_owned(), "many".to_owned())]).expect_err("not a number");
        assert!(err.to_string().contains("SIFT_JOB_WORKERS"), "{err}");
        let err = toml::from_str::<Layer>("bnd = 1").expect_err("unknown key");
        assert!(err.to_string().contains("bnd"), "{err}");
        s.session_hours = 0;
        assert!(s.check().expect_err("range").to_string().contains("session_hours"));
    }
}
