//! `sift serve`: the team server on the embedded database by default.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use sift_server::settings::{Layer, LogFormat, Settings};

use crate::exit;

#[derive(Clone, Copy, ValueEnum)]
pub enum LogFormatArg {
    Text,
    Json,
}

#[derive(Args)]
#[command(after_long_help = "\
SETTINGS, lowest to highest precedence: built-in defaults, the --config file (TOML), SIFT_*
environment variables, then these flags. Keys (file and environment):
  bind = \"127.0.0.1:7340\"        SIFT_BIND
  database_url = \"postgres://...\" SIFT_DATABASE_URL (or the global --db)
  log_format = \"json\"            SIFT_LOG_FORMAT
  max_body_bytes, max_upload_bytes, session_hours, secure_cookies (set true behind HTTPS),
  argon2_memory_kib, argon2_iterations, sign_in_per_minute, requests_per_second,
  shutdown_grace_seconds, job_workers, job_lease_seconds, job_retry_base_seconds,
  webhook_timeout_seconds, webhook_allow_private (webhooks to loopback/private addresses;
  off by default), nurture_scan_seconds

FIRST RUN: on an empty database the server creates the user `admin` and prints a one-time
password, to be changed at the first sign-in. Add people with `sift users add`.

TEAMS: point every server process at one PostgreSQL database (--db postgres://...) and put a
reverse proxy in front (see the README); sessions live in the database, so any process can
answer any request.

DEMO: `sift serve --demo` starts on a fresh demo database with the sample leads loaded and
prints the address and the admin's one-time password; open the address in a browser.

EXAMPLES:
  sift serve --demo
  sift serve
  sift serve --bind 0.0.0.0:8080 --db postgres://sift@db/sift --log-format json")]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:7340: this machine only).
    #[arg(long, value_name = "ADDR")]
    bind: Option<std::net::SocketAddr>,
    /// A settings file (TOML); see the keys below.
    #[arg(long, value_name = "FILE", env = "SIFT_CONFIG")]
    config: Option<PathBuf>,
    /// How to write logs: readable text or JSON lines.
    #[arg(long, value_enum)]
    log_format: Option<LogFormatArg>,
    /// Serve the bundled demo data: a fresh SQLite database in the data directory
    /// (`serve-demo.db`, recreated each run, never your own database) with the sample leads
    /// qualified, and an `admin` whose one-time password is printed.
    #[arg(long)]
    demo: bool,

    #[command(flatten)]
    model: crate::inputs::ModelArgs,

    #[command(flatten)]
    llm: crate::inputs::LlmArgs,
}

pub fn run(db: Option<&str>, args: &ServeArgs) -> Result<u8> {
    let data_dir = crate::cmd::db::data_dir();
    let mut settings = Settings::defaults(crate::cmd::db::default_database_url(), data_dir);
    if let Some(path) = &args.config {
        Layer::from_file(path)?.apply(&mut settings);
    }
    Layer::from_env(std::env::vars())?.apply(&mut settings);
    if let Some(db) = db {
        if args.demo {
            anyhow::bail!("--demo serves its own fresh SQLite database; leave out --db");
        }
        settings.database_url = db.to_owned();
    }
    if args.demo {
        settings.database_url = fresh_demo_database(&settings.data_dir)?;
    }
    if let Some(bind) = args.bind {
        settings.bind = bind;
    }
    if let Some(f) = args.log_format {
        settings.log_format = match f {
            LogFormatArg::Text => LogFormat::Text,
            LogFormatArg::Json => LogFormat::Json,
        };
    }
    sift_server::init_logging(settings.log_format);
    // Loaded before the database is opened: a bad model directory stops the start at once.
    let meaning = args.model.open()?;
    crate::cmd::db::runtime()?.block_on(async {
        // The configuration stored with the database (ICP, rules, playbooks, frameworks,
        // lexicons); documents that no longer load are skipped and named.
        let store = crate::cmd::db::open(&settings.database_url).await?;
        let loaded = sift_app::config_docs::load(&store).await;
        store.close().await;
        let loaded = loaded?;
        crate::render::print_diagnostics(&loaded.warnings);
        let mut config = loaded.config;
        config.meaning = meaning;
        config.llm = args.llm.config();
        let read_with = sift_app::meaning::read_with(config.meaning());
        let mut demo_leads = None;
        if args.demo {
            config = sift_app::demo::demo_config(config)?;
            let outcomes = sift_app::demo::qualify_sample(&config)?;
            let store = crate::cmd::db::open(&settings.database_url).await?;
            let stored = sift_app::demo::store_sample(&config, &store, &settings.data_dir, &outcomes).await;
            let total = store.count_leads(&sift_store::LeadFilter::default()).await;
            store.close().await;
            stored?;
            demo_leads = Some((total?, outcomes.len()));
        }
        let running = sift_server::start(settings.clone(), config).await?;
        let url = format!("http://{}", running.addr);
        println!("Sift is serving {url}  (database: {})", sift_store::db::redact(&settings.database_url));
        println!("Web app: {url}/   API: {url}/api/v1   docs: {url}/api/docs   health: {url}/healthz");
        println!("Calls are read with: {read_with}");
        if let Some((total, qualified)) = demo_leads {
            println!(
                "Demo data: {total} sample leads, {qualified} of them qualified from their discovery calls (every company and person is fictional)."
            );
        }
        if let Some((user, password)) = &running.first_admin {
            println!();
            println!("First run: created the user `{user}` with the one-time password");
            println!("    {password}");
            println!(
                "Open {url}/ and sign in as `{user}` with it (or POST {url}/api/v1/auth/login); you then set your own password. It is not shown again."
            );
        }
        println!("Stop with Ctrl-C.");
        running.until(shutdown_signal()).await.context("the server stopped with an error")?;
        anyhow::Ok(())
    })?;
    Ok(exit::OK)
}

/// The demo's own database file, removed first so every run starts from the sample data.
fn fresh_demo_database(data_dir: &std::path::Path) -> Result<String> {
    std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create `{}`", data_dir.display()))?;
    let path = data_dir.join("serve-demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("cannot remove the old demo database `{}`", file.display()));
            }
        }
    }
    Ok(format!("sqlite://{}", path.display()))
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
