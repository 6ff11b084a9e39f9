//! One store, two databases: SQLite (the embedded default) and PostgreSQL.
//!
//! Every query is written once. The `on_pool!` macro expands the same body for each
//! database's pool type, so both implementations run identical SQL (with `$n` parameters,
//! which SQLite also accepts) and one test suite covers both.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sift_core::{Activity, ActivityKind, Level, MovePlan, Stage, StageChange, StageMove, Verdict};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, SqlSafeStr};

use crate::events::{EventKind, NewEvent, insert_event};
use crate::record::{LeadRecord, StoredLead};
use crate::search::{LeadCount, SearchMode, SearchPlan};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("cannot open the database at `{url}`: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("connection refused at {address}: is the database server running and listening there?")]
    Refused { address: String },
    #[error("no answer from the database server at {address} within {seconds} s")]
    NoAnswer { address: String, seconds: u64 },
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(String),
    #[error("cannot write the leads out: {0}")]
    Output(std::io::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("no stored lead with id `{0}`")]
    NotFound(String),
    /// A unique key is taken (a user name, a token).
    #[error("{0} already exists")]
    Duplicate(String),
    /// A write was based on a version that is no longer current.
    #[error("lead {id} changed since it was read (its ETag is now {current})")]
    Stale { id: i64, current: String },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool of either database.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::db::Pool::Sqlite($pool) => $body,
            $crate::db::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// What one batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rows of the batch that repeat an earlier row's key; the later one wins.
    pub duplicates: u64,
    /// Updated rows whose stage in the file cannot be reached from the stored stage by
    /// allowed moves (nothing leaves `customer`): the stored stage was kept.
    pub stage_kept: u64,
}

/// Which leads to list or count.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub id: Option<i64>,
    pub stage: Option<Stage>,
    pub source: Option<String>,
    pub verdict: Option<Verdict>,
    /// Leads owned by this user, or unassigned leads (`Some(None)`).
    pub owner: Option<Option<i64>>,
    /// Only what a user may see: see [`Visibility`].
    pub visible_to: Option<Visibility>,
    /// Words that must all appear in the name, email, company or external id.
    pub text: Option<String>,
    /// Nurtured leads whose re-engage date is on or before this day (`YYYY-MM-DD`).
    pub re_engage_due: Option<String>,
    /// Leads routed to this playbook, or not routed to any (`Some(None)`).
    pub playbook: Option<Option<String>>,
    /// Leads imported from this file (as the import run names it).
    pub source_file: Option<String>,
    /// Leads scored at least this (1-99); unscored leads never match a score bound.
    pub score_min: Option<i64>,
    /// Leads scored at most this (1-99).
    pub score_max: Option<i64>,
    pub sort: LeadSort,
    /// Keyset pagination: leads after this one in the sort order.
    pub after: Option<Cursor>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// A lead as the board's card shows it: who, the company, the stage, the latest score, the
/// owner and the last verdict ([`Store::list_lead_cards`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadCard {
    pub id: i64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub stage: Stage,
    pub score: Option<i64>,
    pub owner_id: Option<i64>,
    pub verdict: Option<Verdict>,
    /// The list's sort key for this lead as the database compares it, for the next page's
    /// cursor (see [`Cursor`]).
    pub sort_value: String,
}

impl LeadCard {
    /// "First Last", one of them, or none.
    pub fn name(&self) -> Option<String> {
        match (self.first_name.as_deref(), self.last_name.as_deref()) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            (Some(n), None) | (None, Some(n)) => Some(n.to_owned()),
            (None, None) => None,
        }
    }
}

/// Which leads a user may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    Everything,
    /// A rep: the leads they own.
    OwnedBy(i64),
    /// A manager: leads owned by anyone in the team, their own and unassigned ones.
    Team {
        user_id: i64,
        team: Option<String>,
    },
}

/// What lists are ordered by. Every key ends with the lead id, so the order is total and
/// keyset pagination never skips or repeats a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    #[default]
    Id,
    Created,
    Updated,
    Company,
    Name,
    /// The latest score; unscored leads count as 0 (last when descending).
    Score,
}

impl SortKey {
    pub const ALL: [SortKey; 6] =
        [SortKey::Id, SortKey::Created, SortKey::Updated, SortKey::Company, SortKey::Name, SortKey::Score];

    pub fn name(self) -> &'static str {
        match self {
            SortKey::Id => "id",
            SortKey::Created => "created",
            SortKey::Updated => "updated",
            SortKey::Company => "company",
            SortKey::Name => "name",
            SortKey::Score => "score",
        }
    }

    /// The SQL expression (fixed text, never from the request).
    fn expression(self) -> &'static str {
        match self {
            SortKey::Id => "l.id",
            SortKey::Created => "l.created_at",
            SortKey::Updated => "l.updated_at",
            SortKey::Company => "coalesce(lower(l.company), '')",
            SortKey::Name => "coalesce(lower(l.last_name), '') || ' ' || coalesce(lower(l.first_name), '')",
            SortKey::Score => "coalesce(l.score, 0)",
        }
    }

    /// The value of the sort key for a lead, as the database compares it.
    pub fn value_of(self, lead: &StoredLead) -> String {
        let r = &lead.record;
        match self {
            SortKey::Id => lead.id.to_string(),
            SortKey::Created => lead.created_at.clone(),
            SortKey::Updated => lead.updated_at.clone(),
            SortKey::Company => r.company.as_deref().unwrap_or("").to_lowercase(),
            SortKey::Name => format!(
                "{} {}",
                r.last_name.as_deref().unwrap_or("").to_lowercase(),
                r.first_name.as_deref().unwrap_or("").to_lowercase()
            ),
            SortKey::Score => lead.score.as_ref().map_or(0, |s| s.score).to_string(),
        }
    }
}

impl FromStr for SortKey {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<SortKey, String> {
        SortKey::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("`{s}` is not a sort key; one of: {}", SortKey::ALL.map(SortKey::name).join(", ")))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LeadSort {
    pub key: SortKey,
    pub descending: bool,
}

/// Where the previous page ended: the last lead's sort value and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub value: String,
    pub id: i64,
}

/// A qualification decision to keep with its lead.
#[derive(Debug, Clone)]
pub struct QualificationRecord {
    pub lead_id: i64,
    pub framework: String,
    pub framework_version: String,
    pub icp_version: Option<String>,
    pub verdict: Verdict,
    pub failed_level: Option<Level>,
    pub decision_json: String,
    /// Who asked for the decision (a user name, `gate`, `cli`).
    pub decided_by: Option<String>,
    /// For a nurture verdict: when to look at the lead again (`YYYY-MM-DD`).
    pub re_engage_on: Option<String>,
}

/// What `readiness` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    pub backend: Backend,
    pub applied: usize,
    /// Migrations this build knows that the database has not applied.
    pub missing: Vec<i64>,
}

/// The Sift database.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: Pool,
    url: String,
    /// The database file, for SQLite.
    sqlite_path: Option<std::path::PathBuf>,
}

/// Schema migrations, oldest first: (version, name, SQLite text, PostgreSQL text). A landed
/// migration is never edited; a change to the schema is a new entry.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../migrations/sqlite/0001_init.sql"),
        include_str!("../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "import_indexes",
        include_str!("../migrations/sqlite/0002_import_indexes.sql"),
        include_str!("../migrations/postgres/0002_import_indexes.sql"),
    ),
    (
        3,
        "import_run_progress",
        include_str!("../migrations/sqlite/0003_import_run_progress.sql"),
        include_str!("../migrations/postgres/0003_import_run_progress.sql"),
    ),
    (
        4,
        "external_id_by_key",
        include_str!("../migrations/sqlite/0004_external_id_by_key.sql"),
        include_str!("../migrations/postgres/0004_external_id_by_key.sql"),
    ),
    (
        10,
        "accounts",
        include_str!("../migrations/sqlite/0010_accounts.sql"),
        include_str!("../migrations/postgres/0010_accounts.sql"),
    ),
    (
        11,
        "jobs_events_webhooks",
        include_str!("../migrations/sqlite/0011_jobs_events_webhooks.sql"),
        include_str!("../migrations/postgres/0011_jobs_events_webhooks.sql"),
    ),
    (
        12,
        "models_scores",
        include_str!("../migrations/sqlite/0012_models_scores.sql"),
        include_str!("../migrations/postgres/0012_models_scores.sql"),
    ),
    (
        13,
        "config_and_playbooks",
        include_str!("../migrations/sqlite/0013_config_and_playbooks.sql"),
        include_str!("../migrations/postgres/0013_config_and_playbooks.sql"),
    ),
    (
        15,
        "list_indexes",
        include_str!("../migrations/sqlite/0015_list_indexes.sql"),
        include_str!("../migrations/postgres/0015_list_indexes.sql"),
    ),
    (
        16,
        "calls",
        include_str!("../migrations/sqlite/0016_calls.sql"),
        include_str!("../migrations/postgres/0016_calls.sql"),
    ),
    (
        17,
        "board_index",
        include_str!("../migrations/sqlite/0017_board_index.sql"),
        include_str!("../migrations/postgres/0017_board_index.sql"),
    ),
    (
        18,
        "reports",
        include_str!("../migrations/sqlite/0018_reports.sql"),
        include_str!("../migrations/postgres/0018_reports.sql"),
    ),
    (
        19,
        "token_expiry",
        include_str!("../migrations/sqlite/0019_token_expiry.sql"),
        include_str!("../migrations/postgres/0019_token_expiry.sql"),
    ),
    (
        20,
        "board_filter_indexes",
        include_str!("../migrations/sqlite/0020_board_filter_indexes.sql"),
        include_str!("../migrations/postgres/0020_board_filter_indexes.sql"),
    ),
    (
        21,
        "stage_reason_message",
        include_str!("../migrations/sqlite/0021_stage_reason_message.sql"),
        include_str!("../migrations/postgres/0021_stage_reason_message.sql"),
    ),
    (
        22,
        "last_sign_in",
        include_str!("../migrations/sqlite/0022_last_sign_in.sql"),
        include_str!("../migrations/postgres/0022_last_sign_in.sql"),
    ),
    (
        23,
        "lead_search",
        include_str!("../migrations/sqlite/0023_lead_search.sql"),
        include_str!("../migrations/postgres/0023_lead_search.sql"),
    ),
    (
        24,
        "search_statistics",
        include_str!("../migrations/sqlite/0024_search_statistics.sql"),
        include_str!("../migrations/postgres/0024_search_statistics.sql"),
    ),
];

fn migrations(backend: Backend) -> Migrator {
    Migrator::with_migrations(
        MIGRATIONS
            .iter()
            .map(|(version, name, sqlite, postgres)| {
                let sql: &'static str = match backend {
                    Backend::Sqlite => sqlite,
                    Backend::Postgres => postgres,
                };
                Migration::new(*version, (*name).into(), MigrationType::Simple, sql.into_sql_str(), false)
            })
            .collect(),
    )
}

pub fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// True for SQLite's "database is locked" (`SQLITE_BUSY` and its extended codes).
fn is_sqlite_busy(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| code & 0xff == 5)
}

/// Opens the SQLite pool. Switching a new database file into WAL mode needs an exclusive
/// lock that SQLite's busy timeout does not wait for, so two processes creating the same
/// file at once can see "database is locked" here; that is retried for a few seconds (once
/// the file is in WAL mode, which is permanent, it no longer happens).
async fn open_sqlite_pool(options: SqliteConnectOptions) -> Result<SqlitePool, sqlx::Error> {
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        match SqlitePoolOptions::new().max_connections(4).connect_with(options.clone()).await {
            Ok(pool) => return Ok(pool),
            Err(e) if is_sqlite_busy(&e) && started.elapsed() < Duration::from_secs(10) => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Opens one connection before the pool does: a pool retries a refused connection until
/// its acquire timeout and then reports only "pool timed out", which hides the cause. Here
/// a refused connection (or any other failure: authentication, a missing database) is
/// reported at once.
async fn probe_postgres(url: &str, options: &PgConnectOptions) -> Result<()> {
    const WAIT: Duration = Duration::from_secs(10);
    let address = match options.get_socket() {
        Some(socket) => socket.display().to_string(),
        None => format!("{}:{}", options.get_host(), options.get_port()),
    };
    match tokio::time::timeout(WAIT, <PgConnection as sqlx::Connection>::connect_with(options)).await {
        Err(_) => Err(StoreError::NoAnswer { address, seconds: WAIT.as_secs() }),
        Ok(Ok(conn)) => {
            let _ = sqlx::Connection::close(conn).await;
            Ok(())
        }
        Ok(Err(sqlx::Error::Io(e))) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            Err(StoreError::Refused { address })
        }
        Ok(Err(source)) => Err(StoreError::Connect { url: redact(url), source }),
    }
}

const INSERT_LEADS: &str = "INSERT INTO leads (dedupe_key, external_id, first_name, last_name, email, phone, title, \
    company, domain, industry, employees, annual_revenue, country, source, stage, crm_status, converted, lead_type_rule, \
    custom_fields, row_hash, source_file, source_row, created_at, updated_at) ";

/// Makes `INSERT_LEADS` replace a row whose content changed (and leave an identical one alone).
const UPDATE_ON_CONFLICT: &str = " ON CONFLICT (dedupe_key) DO UPDATE SET external_id = excluded.external_id, \
    first_name = excluded.first_name, last_name = excluded.last_name, email = excluded.email, \
    phone = excluded.phone, title = excluded.title, company = excluded.company, \
    domain = excluded.domain, industry = excluded.industry, employees = excluded.employees, \
    annual_revenue = excluded.annual_revenue, country = excluded.country, source = excluded.source, \
    stage = excluded.stage, crm_status = excluded.crm_status, converted = excluded.converted, \
    lead_type_rule = excluded.lead_type_rule, custom_fields = excluded.custom_fields, \
    row_hash = excluded.row_hash, source_file = excluded.source_file, \
    source_row = excluded.source_row, updated_at = excluded.updated_at \
    WHERE leads.row_hash <> excluded.row_hash";

/// Binds one lead's columns in the order of `INSERT_LEADS` (a macro, so that it expands
/// for each database's concrete builder type like the rest of `on_pool!`).
macro_rules! push_lead_values {
    ($b:expr, $r:expr, $now:expr) => {
        $b.push_bind(&$r.dedupe_key)
            .push_bind(&$r.external_id)
            .push_bind(&$r.first_name)
            .push_bind(&$r.last_name)
            .push_bind(&$r.email)
            .push_bind(&$r.phone)
            .push_bind(&$r.title)
            .push_bind(&$r.company)
            .push_bind(&$r.domain)
            .push_bind(&$r.industry)
            .push_bind($r.employees)
            .push_bind($r.annual_revenue)
            .push_bind(&$r.country)
            .push_bind(&$r.source)
            .push_bind($r.stage.name())
            .push_bind(&$r.crm_status)
            .push_bind($r.converted)
            .push_bind(&$r.lead_type_rule)
            .push_bind(serde_json::to_string(&$r.custom_fields).unwrap_or_else(|_| "{}".into()))
            .push_bind(&$r.row_hash)
            .push_bind(&$r.source_file)
            .push_bind($r.source_row)
            .push_bind($now)
            .push_bind($now)
    };
}

/// One stage move an import records: lead id, from, to, reason, the reason's message (JSON).
pub(crate) type ImportStep = (i64, Stage, Stage, String, String);

/// The history rows for stage moves found by an import: each move becomes the chain of
/// allowed moves that leads there (`unqualified -> sql -> opportunity -> customer` for a
/// new customer), so the stored history only holds moves the lifecycle allows.
/// Each step carries its reason and that reason's message as stored JSON (`import.stage`,
/// `import.stage_path`), so a reader can say it in its own language.
pub(crate) fn import_history_steps(moves: &[(i64, String, Stage)]) -> Result<Vec<ImportStep>> {
    let mut steps = Vec::with_capacity(moves.len());
    // Short and made once per target stage: an import of a large file writes one of these
    // for most leads.
    let mut said: std::collections::HashMap<(Stage, bool), (String, String)> = std::collections::HashMap::new();
    for (id, from, to) in moves {
        let from = Stage::from_str(from).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let path = from.path_to(*to).unwrap_or_else(|| vec![*to]);
        let (reason, message) = said
            .entry((*to, path.len() > 1))
            .or_insert_with(|| {
                let message = if path.len() > 1 {
                    sift_core::Message::new("import.stage_path").with("stage", to.name())
                } else {
                    sift_core::Message::new("import.stage")
                };
                (message.english(), serde_json::to_string(&message).unwrap_or_default())
            })
            .clone();
        let mut at = from;
        for step in path {
            steps.push((*id, at, step, reason.clone(), message.clone()));
            at = step;
        }
    }
    Ok(steps)
}

/// Reads a [`StoredLead`] from a row of `leads` with `latest_verdict` (a macro, for both
/// databases' row types).
macro_rules! stored_lead_from_row {
    ($row:expr) => {{
        let row = $row;
        (|| -> Result<StoredLead> {
            let custom: String = row.try_get("custom_fields")?;
            let stage: String = row.try_get("stage")?;
            Ok(StoredLead {
                id: row.try_get("id")?,
                record: LeadRecord {
                    dedupe_key: row.try_get("dedupe_key")?,
                    external_id: row.try_get("external_id")?,
                    first_name: row.try_get("first_name")?,
                    last_name: row.try_get("last_name")?,
                    email: row.try_get("email")?,
                    phone: row.try_get("phone")?,
                    title: row.try_get("title")?,
                    company: row.try_get("company")?,
                    domain: row.try_get("domain")?,
                    industry: row.try_get("industry")?,
                    employees: row.try_get("employees")?,
                    annual_revenue: row.try_get("annual_revenue")?,
                    country: row.try_get("country")?,
                    source: row.try_get("source")?,
                    stage: stage.parse().map_err(|e| StoreError::Corrupt(format!("{e}")))?,
                    crm_status: row.try_get("crm_status")?,
                    converted: row.try_get("converted")?,
                    lead_type_rule: row.try_get("lead_type_rule")?,
                    custom_fields: serde_json::from_str(&custom)
                        .map_err(|e| StoreError::Corrupt(format!("custom fields: {e}")))?,
                    row_hash: row.try_get("row_hash")?,
                    source_file: row.try_get("source_file")?,
                    source_row: row.try_get("source_row")?,
                },
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
                owner_id: row.try_get("owner_id")?,
                re_engage_on: row.try_get("re_engage_on")?,
                playbook: row.try_get("playbook")?,
                verdict: row
                    .try_get::<Option<String>, _>("verdict")?
                    .map(|v| v.parse::<Verdict>().map_err(|e| StoreError::Corrupt(e.to_string())))
                    .transpose()?,
                score: match (
                    row.try_get::<Option<i64>, _>("score")?,
                    row.try_get::<Option<f64>, _>("score_probability")?,
                    row.try_get::<Option<i64>, _>("score_model")?,
                    row.try_get::<Option<String>, _>("scored_at")?,
                ) {
                    (Some(score), Some(probability), Some(model), Some(scored_at)) => Some(crate::models::LeadScore {
                        score,
                        probability,
                        model,
                        factors: row
                            .try_get::<Option<String>, _>("score_factors")?
                            .map(|f| serde_json::from_str(&f))
                            .transpose()
                            .map_err(|e| StoreError::Corrupt(format!("leads.score_factors: {e}")))?
                            .unwrap_or(serde_json::Value::Null),
                        scored_at,
                    }),
                    _ => None,
                },
            })
        })()
    }};
}

/// A deadlock or serialization failure (PostgreSQL), worth running the transaction again.
fn is_retryable(error: &sqlx::Error) -> bool {
    error.as_database_error().and_then(|e| e.code()).is_some_and(|code| code == "40P01" || code == "40001")
}

/// Brings a SQLite schema up to date under the database's write lock. sqlx's migrator takes
/// no lock on SQLite, so two processes opening a new database at once both saw it empty and
/// both ran the first migration ("table leads already exists"). Here the migrator runs
/// inside a `BEGIN IMMEDIATE` transaction: the second process waits (busy timeout) and then
/// finds the schema done. The migrator's own per-migration transactions become savepoints.
async fn migrate_sqlite(pool: &SqlitePool) -> Result<()> {
    let mut conn = pool.acquire().await?;
    let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?;
    migrations(Backend::Sqlite).run(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

impl Store {
    /// Opens (creating and migrating on first use) the database at `url`:
    /// `sqlite://PATH` (WAL mode) or `postgres://...`.
    pub async fn connect(url: &str) -> Result<Store> {
        let connect_error = |source| StoreError::Connect { url: redact(url), source };
        let mut sqlite_path = None;
        let pool = if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| connect_error(sqlx::Error::Io(e)))?;
            }
            let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
                .map_err(connect_error)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30))
                // 8 MiB of page cache per pooled connection (four of them): imports write
                // through their own connection with a 64 MiB cache (`sqlite_writer`), and a
                // large cache here let an export of 600,000 leads grow to 250 MB.
                .pragma("cache_size", "-8192")
                .pragma("temp_store", "memory");
            let pool = open_sqlite_pool(options.clone()).await.map_err(connect_error)?;
            migrate_sqlite(&pool).await?;
            sqlite_path = Some(options.get_filename().to_path_buf());
            Pool::Sqlite(pool)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url).map_err(connect_error)?;
            probe_postgres(url, &options).await?;
            let pool = PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(connect_error)?;
            migrations(Backend::Postgres).run(&pool).await?;
            sqlx::raw_sql(crate::search::SEARCH_INDEX_LATE).execute(&pool).await?;
            Pool::Postgres(pool)
        } else {
            return Err(StoreError::UnsupportedUrl(redact(url)));
        };
        Ok(Store { pool, url: url.to_owned(), sqlite_path })
    }

    /// Starts write transactions so that they hold the write lock from the start: on
    /// SQLite a deferred transaction that reads first cannot upgrade to a writer once
    /// another connection has committed, and fails with SQLITE_BUSY_SNAPSHOT.
    pub(crate) fn begin_write(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    /// The database file, when the store is SQLite.
    pub fn sqlite_path(&self) -> Option<&Path> {
        self.sqlite_path.as_deref()
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// The URL with any password hidden, for messages.
    pub fn display_url(&self) -> String {
        redact(&self.url)
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }

    /// Writes a batch of imported leads in one transaction: new keys are inserted, changed
    /// rows updated (with a stage-history entry when the stage moved), identical rows left
    /// alone, and the outcome says exactly what this batch did, even while another import
    /// writes the same keys:
    ///
    /// 1. keys not seen in a first (unlocked) read are inserted with `ON CONFLICT DO
    ///    NOTHING`; the rows the database returns are the ones this batch inserted (a key
    ///    another import inserted meanwhile is not returned: the database waited for that
    ///    import's transaction and skipped the row);
    /// 2. the rest are read again with a row lock (`FOR UPDATE` on PostgreSQL; SQLite's
    ///    `BEGIN IMMEDIATE` already holds the write lock), and only those whose content
    ///    differs are updated, with the stage they had under the lock as the move's start.
    ///
    /// A batch that loses a deadlock against a concurrent import is retried.
    pub async fn upsert_leads(&self, batch: &[LeadRecord]) -> Result<BatchOutcome> {
        self.upsert_leads_tracked(batch, None).await
    }

    /// [`Store::upsert_leads`], also adding the batch to its import run's counts in the same
    /// transaction: the run row always says what was committed, even after a crash.
    pub async fn upsert_leads_tracked(
        &self,
        batch: &[LeadRecord],
        progress: Option<&crate::runs::RunProgress>,
    ) -> Result<BatchOutcome> {
        if let Some(path) = self.sqlite_path.clone() {
            // One SQLite write path: the import's prepared-statement writer, on a blocking
            // thread (it does file I/O under the write lock).
            let batch = batch.to_vec();
            let progress = progress.copied();
            return tokio::task::spawn_blocking(move || {
                crate::sqlite_writer::SqliteWriter::open(&path)?.write(&batch, progress.as_ref())
            })
            .await
            .map_err(|e| StoreError::Sqlite(format!("the writer thread failed: {e}")))?;
        }
        let mut attempt = 0;
        loop {
            match self.upsert_leads_once(batch, progress).await {
                Err(StoreError::Database(e)) if attempt < 3 && is_retryable(&e) => attempt += 1,
                other => return other,
            }
        }
    }

    async fn upsert_leads_once(
        &self,
        batch: &[LeadRecord],
        progress: Option<&crate::runs::RunProgress>,
    ) -> Result<BatchOutcome> {
        // Later rows with the same key win, as if applied in file order.
        let mut by_key: BTreeMap<&str, &LeadRecord> = BTreeMap::new();
        let mut repeats = 0;
        for record in batch {
            if by_key.insert(&record.dedupe_key, record).is_some() {
                repeats += 1;
            }
        }
        let now = now();
        let begin = self.begin_write();
        let lock = match self.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let keys: Vec<&str> = by_key.keys().copied().collect();
            let mut existing: HashMap<String, String> = HashMap::new();
            for chunk in keys.chunks(500) {
                let mut q = QueryBuilder::new("SELECT dedupe_key, row_hash FROM leads WHERE dedupe_key IN (");
                let mut sep = q.separated(", ");
                for k in chunk {
                    sep.push_bind(*k);
                }
                q.push(")");
                for row in q.build().fetch_all(&mut *tx).await? {
                    existing.insert(row.try_get("dedupe_key")?, row.try_get("row_hash")?);
                }
            }
            let mut outcome = BatchOutcome { duplicates: repeats, ..BatchOutcome::default() };
            let mut fresh: Vec<&LeadRecord> = Vec::new();
            let mut known: Vec<&LeadRecord> = Vec::new();
            for (key, record) in &by_key {
                match existing.get(*key) {
                    None => fresh.push(record),
                    Some(hash) if *hash == record.row_hash => outcome.unchanged += 1,
                    Some(_) => known.push(record),
                }
            }
            let mut moves: Vec<(i64, String, Stage)> = Vec::new();
            let mut inserted: HashSet<String> = HashSet::with_capacity(fresh.len());
            for chunk in fresh.chunks(400) {
                let mut q = QueryBuilder::new(INSERT_LEADS);
                q.push_values(chunk, |mut b, r| {
                    push_lead_values!(b, r, &now);
                });
                q.push(" ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key");
                for row in q.build().fetch_all(&mut *tx).await? {
                    let key: String = row.try_get("dedupe_key")?;
                    let id: i64 = row.try_get("id")?;
                    if let Some(record) = by_key.get(key.as_str())
                        && record.stage != Stage::Unqualified
                    {
                        moves.push((id, Stage::Unqualified.name().to_owned(), record.stage));
                    }
                    inserted.insert(key);
                }
            }
            outcome.inserted = inserted.len() as u64;
            // Keys another writer inserted between the first read and our insert.
            known.extend(fresh.iter().filter(|r| !inserted.contains(&r.dedupe_key)));
            known.sort_by(|a, b| a.dedupe_key.cmp(&b.dedupe_key));
            let mut locked: HashMap<String, (i64, String, String)> = HashMap::with_capacity(known.len());
            for chunk in known.chunks(500) {
                let mut q = QueryBuilder::new("SELECT id, dedupe_key, row_hash, stage FROM leads WHERE dedupe_key IN (");
                let mut sep = q.separated(", ");
                for r in chunk {
                    sep.push_bind(r.dedupe_key.as_str());
                }
                q.push(") ORDER BY dedupe_key");
                q.push(lock);
                for row in q.build().fetch_all(&mut *tx).await? {
                    locked.insert(
                        row.try_get("dedupe_key")?,
                        (row.try_get("id")?, row.try_get("row_hash")?, row.try_get("stage")?),
                    );
                }
            }
            let mut changed: Vec<std::borrow::Cow<'_, LeadRecord>> = Vec::with_capacity(known.len());
            for record in known {
                match locked.get(&record.dedupe_key) {
                    Some((_, hash, _)) if *hash == record.row_hash => outcome.unchanged += 1,
                    Some((id, _, stage)) => {
                        let stored = Stage::from_str(stage).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                        if stored != record.stage && stored.path_to(record.stage).is_none() {
                            outcome.stage_kept += 1;
                            changed.push(std::borrow::Cow::Owned(LeadRecord { stage: stored, ..record.clone() }));
                            continue;
                        }
                        if stored != record.stage {
                            moves.push((*id, stage.clone(), record.stage));
                        }
                        changed.push(std::borrow::Cow::Borrowed(record));
                    }
                    // Deleted meanwhile: nothing of ours to update.
                    None => outcome.unchanged += 1,
                }
            }
            outcome.updated = changed.len() as u64;
            for chunk in changed.chunks(400) {
                let mut q = QueryBuilder::new(INSERT_LEADS);
                q.push_values(chunk, |mut b, r| {
                    push_lead_values!(b, r, &now);
                });
                q.push(UPDATE_ON_CONFLICT);
                q.build().execute(&mut *tx).await?;
            }
            let steps = import_history_steps(&moves)?;
            for chunk in steps.chunks(500) {
                let mut q = QueryBuilder::new(
                    "INSERT INTO stage_history (lead_id, from_stage, to_stage, at, actor, reason, reason_message) ",
                );
                q.push_values(chunk, |mut b, (id, from, to, reason, message)| {
                    b.push_bind(*id)
                        .push_bind(from.name())
                        .push_bind(to.name())
                        .push_bind(&now)
                        .push_bind("import")
                        .push_bind(reason.as_str())
                        .push_bind(message.as_str());
                });
                q.build().execute(&mut *tx).await?;
            }
            if let Some(progress) = progress {
                crate::runs::add_progress!(&mut *tx, progress, &outcome, &now);
            }
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// Stores one new lead (e.g. from the API) owned by `owner`; a lead with the same key
    /// (external id, else email) is [`StoreError::Duplicate`].
    pub async fn insert_lead(&self, record: &LeadRecord, owner: Option<i64>) -> Result<StoredLead> {
        let now = now();
        let begin = self.begin_write();
        let inserted: Result<std::result::Result<i64, sqlx::Error>> = on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let row = sqlx::query("INSERT INTO leads (dedupe_key, external_id, first_name, last_name, email, phone, title, company, \
                 domain, industry, employees, annual_revenue, country, source, stage, crm_status, converted, lead_type_rule, \
                 custom_fields, row_hash, source_file, source_row, created_at, updated_at, owner_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25) RETURNING id")
                .bind(&record.dedupe_key)
                .bind(&record.external_id)
                .bind(&record.first_name)
                .bind(&record.last_name)
                .bind(&record.email)
                .bind(&record.phone)
                .bind(&record.title)
                .bind(&record.company)
                .bind(&record.domain)
                .bind(&record.industry)
                .bind(record.employees)
                .bind(record.annual_revenue)
                .bind(&record.country)
                .bind(&record.source)
                .bind(record.stage.name())
                .bind(&record.crm_status)
                .bind(record.converted)
                .bind(&record.lead_type_rule)
                .bind(serde_json::to_string(&record.custom_fields).unwrap_or_else(|_| "{}".into()))
                .bind(&record.row_hash)
                .bind(&record.source_file)
                .bind(record.source_row)
                .bind(&now)
                .bind(&now)
                .bind(owner)
                .fetch_one(&mut *tx)
                .await;
            match row {
                Ok(row) => {
                    let id: i64 = row.try_get("id")?;
                    let data = serde_json::json!({
                        "lead_id": id,
                        "external_id": record.external_id,
                        "email": record.email,
                        "company": record.company,
                        "stage": record.stage.name(),
                        "owner_id": owner,
                    });
                    let event = NewEvent::new(EventKind::LeadCreated, Some(id), data, &now)?;
                    insert_event!(&mut *tx, &event);
                    tx.commit().await?;
                    Ok(Ok(id))
                }
                Err(e) => Ok(Err(e)),
            }
        });
        let id = match inserted? {
            Ok(id) => id,
            Err(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
                return Err(StoreError::Duplicate(format!("a lead with key `{}`", record.dedupe_key)));
            }
            Err(e) => return Err(e.into()),
        };
        self.lead(id).await?.ok_or_else(|| StoreError::NotFound(id.to_string()))
    }

    /// One lead by its dedupe key (`ext:...`, `email:...`).
    pub async fn find_lead_by_key(&self, key: &str) -> Result<Option<StoredLead>> {
        let id: Option<i64> = on_pool!(self, pool => {
            sqlx::query("SELECT id FROM leads WHERE dedupe_key = $1")
                .bind(key)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<i64, _>("id"))
                .transpose()?
        });
        match id {
            Some(id) => self.lead(id).await,
            None => Ok(None),
        }
    }

    /// One lead by database id.
    pub async fn lead(&self, id: i64) -> Result<Option<StoredLead>> {
        Ok(self.list_leads(&LeadFilter { id: Some(id), ..LeadFilter::default() }).await?.pop())
    }

    /// Replaces a lead's fields and owner when its ETag is still `expected`; the stage is
    /// not touched (stages move through the lifecycle). A changed key that another lead has
    /// is [`StoreError::Duplicate`]; a changed lead is [`StoreError::Stale`].
    pub async fn update_lead(
        &self,
        id: i64,
        record: &LeadRecord,
        owner: Option<i64>,
        expected: Option<&str>,
    ) -> Result<StoredLead> {
        let now = now();
        let begin = self.begin_write();
        let result: Result<()> = on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let row = sqlx::query("SELECT id, row_hash, stage, owner_id, playbook, verdict, updated_at FROM leads WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else { return Err(StoreError::NotFound(id.to_string())) };
            let current = crate::record::etag_of(
                id,
                &row.try_get::<String, _>("row_hash")?,
                &row.try_get::<String, _>("stage")?,
                row.try_get("owner_id")?,
                row.try_get::<Option<String>, _>("playbook")?.as_deref(),
                row.try_get::<Option<String>, _>("verdict")?.as_deref(),
                &row.try_get::<String, _>("updated_at")?,
            );
            if expected.is_some_and(|e| e != current) {
                return Err(StoreError::Stale { id, current });
            }
            let written = sqlx::query("UPDATE leads SET dedupe_key = $1, external_id = $2, first_name = $3, last_name = $4, email = $5, \
                 phone = $6, title = $7, company = $8, domain = $9, industry = $10, employees = $11, annual_revenue = $12, \
                 country = $13, source = $14, custom_fields = $15, row_hash = $16, owner_id = $17, updated_at = $18 WHERE id = $19")
                .bind(&record.dedupe_key)
                .bind(&record.external_id)
                .bind(&record.first_name)
                .bind(&record.last_name)
                .bind(&record.email)
                .bind(&record.phone)
                .bind(&record.title)
                .bind(&record.company)
                .bind(&record.domain)
                .bind(&record.industry)
                .bind(record.employees)
                .bind(record.annual_revenue)
                .bind(&record.country)
                .bind(&record.source)
                .bind(serde_json::to_string(&record.custom_fields).unwrap_or_else(|_| "{}".into()))
                .bind(&record.row_hash)
                .bind(owner)
                .bind(&now)
                .bind(id)
                .execute(&mut *tx)
                .await;
            match written {
                Ok(_) => {}
                Err(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
                    return Err(StoreError::Duplicate(format!("a lead with key `{}`", record.dedupe_key)));
                }
                Err(e) => return Err(e.into()),
            }
            tx.commit().await?;
            Ok(())
        });
        result?;
        self.lead(id).await?.ok_or_else(|| StoreError::NotFound(id.to_string()))
    }

    /// Deletes a lead with its history, activities and decisions; false when there was none.
    pub async fn delete_lead(&self, id: i64) -> Result<bool> {
        on_pool!(self, pool => {
            let done = sqlx::query("DELETE FROM leads WHERE id = $1").bind(id).execute(pool).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Moves a lead as `plan` decides from its current stage, in one transaction.
    pub async fn move_stage<F>(&self, id: i64, plan: F) -> Result<MovePlan>
    where
        F: FnOnce(Stage) -> MovePlan + Send,
    {
        let now = now();
        let begin = self.begin_write();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let from = Self::locked_stage(&mut tx, id).await?;
            let plan = plan(from);
            if let MovePlan::Move(m) = &plan {
                Self::apply_move(&mut tx, id, m, &now).await?;
            }
            tx.commit().await?;
            Ok(plan)
        })
    }

    /// Refreshes the planner's statistics for `leads` on PostgreSQL (SQLite plans by
    /// index without them).
    pub async fn refresh_statistics(&self) -> Result<()> {
        if let Pool::Postgres(pool) = &self.pool {
            sqlx::query("ANALYZE leads").execute(pool).await?;
        }
        Ok(())
    }

    pub(crate) fn push_filter<DB: sqlx::Database>(q: &mut QueryBuilder<DB>, filter: &LeadFilter)
    where
        String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
        i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    {
        Self::push_filter_in(q, filter, SearchMode::Inline);
    }

    /// [`Store::push_filter`], with the search applied as `mode` says.
    fn push_filter_in<DB: sqlx::Database>(q: &mut QueryBuilder<DB>, filter: &LeadFilter, mode: SearchMode)
    where
        String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
        i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    {
        q.push(" WHERE 1 = 1");
        if let Some(id) = filter.id {
            q.push(" AND l.id = ").push_bind(id);
        }
        if let Some(stage) = filter.stage {
            q.push(" AND l.stage = ").push_bind(stage.name().to_owned());
        }
        if let Some(source) = &filter.source {
            q.push(" AND lower(l.source) = lower(").push_bind(source.clone()).push(")");
        }
        if let Some(verdict) = &filter.verdict {
            q.push(" AND l.verdict = ").push_bind(verdict.name().to_owned());
        }
        match filter.owner {
            Some(Some(owner)) => {
                q.push(" AND l.owner_id = ").push_bind(owner);
            }
            Some(None) => {
                q.push(" AND l.owner_id IS NULL");
            }
            None => {}
        }
        match &filter.visible_to {
            None | Some(Visibility::Everything) => {}
            Some(Visibility::OwnedBy(user)) => {
                q.push(" AND l.owner_id = ").push_bind(*user);
            }
            Some(Visibility::Team { user_id, team }) => {
                q.push(" AND (l.owner_id IS NULL OR l.owner_id = ").push_bind(*user_id);
                if let Some(team) = team {
                    q.push(" OR l.owner_id IN (SELECT id FROM users WHERE team = ").push_bind(team.clone()).push(")");
                }
                q.push(")");
            }
        }
        if let Some(text) = &filter.text {
            match mode {
                SearchMode::Inline => crate::search::push_text_filter(q, text),
                SearchMode::FromHits => {
                    q.push(" AND l.id IN (SELECT id FROM hits)");
                }
                SearchMode::Probe => crate::search::push_text_probe(q, text),
            }
        }
        match &filter.playbook {
            Some(Some(playbook)) => {
                q.push(" AND l.playbook = ").push_bind(playbook.clone());
            }
            Some(None) => {
                q.push(" AND l.playbook IS NULL");
            }
            None => {}
        }
        if let Some(file) = &filter.source_file {
            q.push(" AND l.source_file = ").push_bind(file.clone());
        }
        if let Some(day) = &filter.re_engage_due {
            q.push(" AND l.stage = 'nurture' AND l.re_engage_on <= ").push_bind(day.clone());
        }
        match filter.score_min {
            // The same leads as `l.score >= min` (an unscored lead counts as 0 and never
            // reaches a bound of 1 or more), written as the board indexes' expression so a
            // count under it reads the index alone.
            Some(min) if min >= 1 => {
                q.push(" AND coalesce(l.score, 0) >= ").push_bind(min);
            }
            Some(min) => {
                q.push(" AND l.score >= ").push_bind(min);
            }
            None => {}
        }
        if let Some(max) = filter.score_max {
            q.push(" AND l.score <= ").push_bind(max);
        }
        if let Some(after) = &filter.after {
            let (expr, op) = (filter.sort.key.expression(), if filter.sort.descending { "<" } else { ">" });
            if filter.sort.key == SortKey::Id {
                q.push(format!(" AND l.id {op} ")).push_bind(after.id);
            } else if filter.sort.key == SortKey::Score {
                // A number: compared as one (the cursor carries it as text).
                let value = after.value.parse::<i64>().unwrap_or(0);
                q.push(format!(" AND ({expr} {op} ")).push_bind(value);
                q.push(format!(" OR ({expr} = ")).push_bind(value);
                q.push(format!(" AND l.id {op} ")).push_bind(after.id).push("))");
            } else {
                q.push(format!(" AND ({expr} {op} ")).push_bind(after.value.clone());
                q.push(format!(" OR ({expr} = ")).push_bind(after.value.clone());
                q.push(format!(" AND l.id {op} ")).push_bind(after.id).push("))");
            }
        }
    }

    pub async fn count_leads(&self, filter: &LeadFilter) -> Result<i64> {
        let plan = self.plan_search(&LeadFilter { after: None, ..filter.clone() }).await?;
        self.count_planned(&plan).await
    }

    /// Every lead `plan` selects, counted.
    async fn count_planned(&self, plan: &SearchPlan) -> Result<i64> {
        let (filter, table, mode) = (&plan.filter, plan.table, plan.count_mode(self.backend() == Backend::Sqlite));
        on_pool!(self, pool => {
            let mut q = QueryBuilder::new(format!("SELECT count(*) AS n FROM {table}"));
            Self::push_filter_in(&mut q, filter, mode);
            let row = q.build().fetch_one(pool).await?;
            Ok(row.try_get::<i64, _>("n")?)
        })
    }

    /// [`Store::count_leads`], except that under a free-text search the count stops at
    /// `search_cap` ([`LeadCount::capped`] when more leads match): a search that finds many
    /// leads is checked lead by lead until one more than the cap is found (see
    /// [`SearchPlan::counts_by_probing`]). Without a search the count is exact.
    pub async fn count_leads_up_to(&self, filter: &LeadFilter, search_cap: i64) -> Result<LeadCount> {
        let plan = self.plan_search(&LeadFilter { after: None, ..filter.clone() }).await?;
        if !plan.searching {
            return Ok(LeadCount::exact(self.count_planned(&plan).await?));
        }
        if !plan.counts_by_probing() {
            return Ok(LeadCount::up_to(self.count_planned(&plan).await?, search_cap));
        }
        let (filter, table) = (&plan.filter, plan.table);
        let n: i64 = on_pool!(self, pool => {
            let mut q = QueryBuilder::new(format!("SELECT count(*) AS n FROM (SELECT 1 FROM {table}"));
            Self::push_filter_in(&mut q, filter, SearchMode::Probe);
            q.push(" LIMIT ").push_bind(search_cap.saturating_add(1)).push(") AS counted");
            q.build().fetch_one(pool).await?.try_get("n")?
        });
        Ok(LeadCount::up_to(n, search_cap))
    }

    /// How many leads `filter` matches in each of `stages` (its own stage, cursor, sort and
    /// page ignored), counted in SQL. Without a free-text search every count is exact: one
    /// statement of a `count(*)` per stage, each a range of an index that starts with the
    /// stage or with a filter's column (on SQLite a third of the time of one `GROUP BY stage`
    /// over the same leads: no comparison of stages).
    ///
    /// Under a search each count stops at `search_cap` ([`LeadCount::capped`] beyond it). A
    /// search that finds many leads is counted per stage along the filter's sort order (the
    /// index the board's cards are read by), each count ending once it has one more than the
    /// cap, rather than over every lead the search finds (a word every lead holds cost 70 to
    /// 160 ms a board at 100,000 leads). One that finds few is one `GROUP BY stage` over its
    /// hits, read once, and then capped, so a count reads the same whichever way it was made.
    pub async fn count_leads_in_stages(
        &self,
        filter: &LeadFilter,
        stages: &[Stage],
        search_cap: i64,
    ) -> Result<BTreeMap<Stage, LeadCount>> {
        if stages.is_empty() {
            return Ok(BTreeMap::new());
        }
        let plan = self.plan_search(filter).await?;
        self.count_planned_in_stages(&plan, stages, search_cap).await
    }

    /// The board: how many leads `filter` matches in each of `stages`
    /// ([`Store::count_leads_in_stages`], up to `search_cap` under a search), then the cards of
    /// every stage that has any ([`Store::list_lead_cards`]), with the search planned once
    /// for both.
    pub async fn lead_board(
        &self,
        filter: &LeadFilter,
        stages: &[Stage],
        search_cap: i64,
    ) -> Result<(BTreeMap<Stage, LeadCount>, Vec<LeadCard>)> {
        if stages.is_empty() {
            return Ok((BTreeMap::new(), Vec::new()));
        }
        let plan = self.plan_search(filter).await?;
        let counts = self.count_planned_in_stages(&plan, stages, search_cap).await?;
        let filled: Vec<Stage> =
            stages.iter().copied().filter(|s| counts.get(s).is_some_and(|n| n.count > 0)).collect();
        let cards = self.cards_planned(&plan, &filled).await?;
        Ok((counts, cards))
    }

    /// [`Store::count_leads_in_stages`] for a search already planned.
    async fn count_planned_in_stages(
        &self,
        plan: &SearchPlan,
        stages: &[Stage],
        search_cap: i64,
    ) -> Result<BTreeMap<Stage, LeadCount>> {
        let mut counts = BTreeMap::new();
        let (filter, table) = (&plan.filter, plan.table);
        if plan.counts_by_probing() {
            on_pool!(self, pool => {
                let mut q = QueryBuilder::new("SELECT ");
                for (i, stage) in stages.iter().enumerate() {
                    if i > 0 {
                        q.push(", ");
                    }
                    q.push(format!("(SELECT count(*) FROM (SELECT 1 FROM {table}"));
                    let counted = LeadFilter {
                        stage: Some(*stage),
                        after: None,
                        limit: Some(search_cap.saturating_add(1)),
                        offset: None,
                        ..plan.filter.clone()
                    };
                    Self::push_order_and_page(&mut q, &counted, SearchMode::Probe);
                    q.push(format!(") AS s{i}) AS c{i}"));
                }
                let row = q.build().fetch_one(pool).await?;
                for (i, stage) in stages.iter().enumerate() {
                    counts.insert(*stage, LeadCount::up_to(row.try_get::<i64, _>(i)?, search_cap));
                }
            });
            return Ok(counts);
        }
        if plan.searching {
            let counted = LeadFilter { stage: None, after: None, limit: None, offset: None, ..plan.filter.clone() };
            let mode = plan.count_mode(self.backend() == Backend::Sqlite);
            on_pool!(self, pool => {
                let mut q = QueryBuilder::new(format!("SELECT l.stage AS stage, count(*) AS n FROM {table}"));
                Self::push_filter_in(&mut q, &counted, mode);
                q.push(" AND l.stage IN (");
                let mut names = q.separated(", ");
                for stage in stages {
                    names.push_bind(stage.name().to_owned());
                }
                q.push(") GROUP BY l.stage");
                for stage in stages {
                    counts.insert(*stage, LeadCount::exact(0));
                }
                for row in q.build().fetch_all(pool).await? {
                    let stage: String = row.try_get("stage")?;
                    let stage = Stage::from_str(&stage).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    counts.insert(stage, LeadCount::up_to(row.try_get::<i64, _>("n")?, search_cap));
                }
            });
            return Ok(counts);
        }
        on_pool!(self, pool => {
            let mut q = QueryBuilder::new("SELECT ");
            for (i, stage) in stages.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.push(format!("(SELECT count(*) FROM {table}"));
                let counted = LeadFilter { stage: Some(*stage), after: None, limit: None, offset: None, ..filter.clone() };
                Self::push_filter(&mut q, &counted);
                q.push(format!(") AS c{i}"));
            }
            let row = q.build().fetch_one(pool).await?;
            for (i, stage) in stages.iter().enumerate() {
                counts.insert(*stage, LeadCount::exact(row.try_get::<i64, _>(i)?));
            }
        });
        Ok(counts)
    }

    /// Number of leads in each stage.
    pub async fn count_by_stage(&self) -> Result<BTreeMap<String, i64>> {
        on_pool!(self, pool => {
            let rows = sqlx::query("SELECT stage, count(*) AS n FROM leads GROUP BY stage").fetch_all(pool).await?;
            let mut counts = BTreeMap::new();
            for row in rows {
                counts.insert(row.try_get::<String, _>("stage")?, row.try_get::<i64, _>("n")?);
            }
            Ok(counts)
        })
    }

    /// The query behind [`Store::list_leads`] and [`Store::for_each_lead`].
    fn lead_query<DB: sqlx::Database>(filter: &LeadFilter, table: &str, mode: SearchMode) -> QueryBuilder<DB>
    where
        String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
        i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    {
        let mut q = QueryBuilder::new(format!("SELECT l.* FROM {table}"));
        Self::push_order_and_page(&mut q, filter, mode);
        q
    }

    /// `filter`'s conditions, order, limit and offset.
    fn push_order_and_page<DB: sqlx::Database>(q: &mut QueryBuilder<DB>, filter: &LeadFilter, mode: SearchMode)
    where
        String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
        i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    {
        Self::push_filter_in(q, filter, mode);
        let direction = if filter.sort.descending { "DESC" } else { "ASC" };
        if filter.sort.key == SortKey::Id {
            q.push(format!(" ORDER BY l.id {direction}"));
        } else {
            q.push(format!(" ORDER BY {} {direction}, l.id {direction}", filter.sort.key.expression()));
        }
        if let Some(limit) = filter.limit {
            q.push(" LIMIT ").push_bind(limit);
        }
        if let Some(offset) = filter.offset {
            q.push(" OFFSET ").push_bind(offset);
        }
    }

    /// The leads `filter` selects in each of `stages` (its sort, cursor and limit applied
    /// per stage, its own stage ignored), as the board's cards, in the filter's order.
    ///
    /// One statement: each stage's page is its own subquery (read in index order, cut at its
    /// own limit), and the few hundred cards come back as **one** JSON array, as decoding and
    /// handing over a row costs far more than reading it (about 35 µs a full lead through
    /// sqlx on SQLite; a board of 450 cards spent most of its time there). The aggregate's
    /// name is the one thing that differs between the databases.
    pub async fn list_lead_cards(&self, filter: &LeadFilter, stages: &[Stage]) -> Result<Vec<LeadCard>> {
        if stages.is_empty() {
            return Ok(Vec::new());
        }
        let plan = self.plan_search(filter).await?;
        self.cards_planned(&plan, stages).await
    }

    /// [`Store::list_lead_cards`] for a search already planned.
    async fn cards_planned(&self, plan: &SearchPlan, stages: &[Stage]) -> Result<Vec<LeadCard>> {
        if stages.is_empty() {
            return Ok(Vec::new());
        }
        let (aggregate, array) = match self.backend() {
            Backend::Sqlite => ("json_group_array", "json_array"),
            Backend::Postgres => ("json_agg", "json_build_array"),
        };
        let (filter, table) = (&plan.filter, plan.table);
        let (sort, direction) = (filter.sort.key.expression(), if filter.sort.descending { "DESC" } else { "ASC" });
        // A search that finds few leads is found once (`hits`) for every stage's page; one
        // that finds many is checked along each stage's index until its page is full.
        let mode = match (plan.searching, plan.selective) {
            (true, true) => SearchMode::FromHits,
            (true, false) => SearchMode::Probe,
            (false, _) => SearchMode::Inline,
        };
        let text: Option<String> = on_pool!(self, pool => {
            let mut q = QueryBuilder::new("");
            if mode == SearchMode::FromHits {
                crate::search::push_search_hits(&mut q, filter);
            }
            q.push(format!(
                "SELECT CAST({aggregate}({array}(id, first_name, last_name, company, stage, score, owner_id, verdict, board_sort) \
                 ORDER BY board_part, board_sort {direction}, id {direction}) AS TEXT) AS cards FROM ("
            ));
            for (i, stage) in stages.iter().enumerate() {
                if i > 0 {
                    q.push(" UNION ALL ");
                }
                q.push(format!(
                    "SELECT * FROM (SELECT l.id, l.first_name, l.last_name, l.company, l.stage, l.score, l.owner_id, \
                     l.verdict, {i} AS board_part, {sort} AS board_sort FROM {table}",
                ));
                Self::push_order_and_page(&mut q, &LeadFilter { stage: Some(*stage), ..filter.clone() }, mode);
                q.push(format!(") AS s{i}"));
            }
            q.push(") AS cards");
            let row = q.build().fetch_one(pool).await?;
            row.try_get::<Option<String>, _>("cards")?
        });
        let Some(text) = text else { return Ok(Vec::new()) };
        type CardRow = (
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            Option<i64>,
            Option<i64>,
            Option<String>,
            serde_json::Value,
        );
        let rows: Vec<CardRow> =
            serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("the board's cards: {e}")))?;
        rows.into_iter()
            .map(|(id, first_name, last_name, company, stage, score, owner_id, verdict, sort)| {
                Ok(LeadCard {
                    id,
                    first_name,
                    last_name,
                    company,
                    stage: Stage::from_str(&stage).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    score,
                    owner_id,
                    verdict: verdict
                        .map(|v| v.parse::<Verdict>().map_err(|e| StoreError::Corrupt(e.to_string())))
                        .transpose()?,
                    sort_value: match sort {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    },
                })
            })
            .collect()
    }

    pub async fn list_leads(&self, filter: &LeadFilter) -> Result<Vec<StoredLead>> {
        let plan = self.plan_search(filter).await?;
        let mode = plan.list_mode();
        on_pool!(self, pool => {
            let rows = Self::lead_query(&plan.filter, plan.table, mode).build().fetch_all(pool).await?;
            rows.iter().map(|row| stored_lead_from_row!(row)).collect()
        })
    }

    /// Hands each lead that `filter` selects to `each`, in id order, streaming: memory stays
    /// at a few rows whatever the number of leads. Stops at the first error of `each`.
    /// Returns the number of leads handed over.
    pub async fn for_each_lead<F>(&self, filter: &LeadFilter, mut each: F) -> Result<u64>
    where
        F: FnMut(StoredLead) -> std::io::Result<()>,
    {
        use futures_util::TryStreamExt;
        let mut count = 0u64;
        let plan = self.plan_search(filter).await?;
        let mode = plan.list_mode();
        on_pool!(self, pool => {
            let mut q = Self::lead_query(&plan.filter, plan.table, mode);
            let mut rows = q.build().fetch(pool);
            while let Some(row) = rows.try_next().await? {
                let lead = stored_lead_from_row!(&row)?;
                each(lead).map_err(StoreError::Output)?;
                count += 1;
            }
        });
        Ok(count)
    }

    /// The names of the custom fields that the leads `filter` selects have, sorted.
    pub async fn custom_field_names(&self, filter: &LeadFilter) -> Result<Vec<String>> {
        let keys = match self.backend() {
            Backend::Sqlite => " CROSS JOIN json_each(l.custom_fields) j",
            Backend::Postgres => " CROSS JOIN LATERAL json_object_keys(l.custom_fields::json) AS j(key)",
        };
        let plan = self.plan_search(filter).await?;
        let (filter, table) = (&plan.filter, plan.table);
        on_pool!(self, pool => {
            // DISTINCT alone keeps only the distinct names; with ORDER BY, SQLite sorted one
            // row per lead and field (120 MB for 600,000 leads). Sorted here instead.
            let mut q = QueryBuilder::new(format!("SELECT DISTINCT j.key AS name FROM {table}"));
            q.push(keys);
            Self::push_filter(&mut q, filter);
            let mut names = Vec::new();
            for row in q.build().fetch_all(pool).await? {
                names.push(row.try_get::<String, _>("name")?);
            }
            names.sort();
            Ok(names)
        })
    }

    /// One lead by database id, or by external id or email, tried in that order; each is an
    /// index lookup.
    pub async fn find_lead(&self, key: &str) -> Result<Option<StoredLead>> {
        let id: Option<i64> = on_pool!(self, pool => {
            let by_id = match key.parse::<i64>() {
                Ok(id) => sqlx::query("SELECT id FROM leads WHERE id = $1").bind(id).fetch_optional(pool).await?,
                Err(_) => None,
            };
            let found = match by_id {
                Some(row) => Some(row),
                None => {
                    // An external id is always the lead's key (`ext:<id>`): the unique index.
                    sqlx::query("SELECT id FROM leads WHERE dedupe_key = $1")
                        .bind(format!("ext:{key}"))
                        .fetch_optional(pool)
                        .await?
                }
            };
            let found = match found {
                Some(row) => Some(row),
                None => {
                    sqlx::query("SELECT min(id) AS id FROM leads WHERE lower(email) = lower($1) HAVING count(*) > 0")
                        .bind(key)
                        .fetch_optional(pool)
                        .await?
                }
            };
            found.map(|row| row.try_get::<i64, _>("id")).transpose()?
        });
        let Some(id) = id else { return Ok(None) };
        Ok(self.list_leads(&LeadFilter { id: Some(id), ..LeadFilter::default() }).await?.pop())
    }

    /// The lead's stage history, oldest first.
    pub async fn stage_history(&self, lead_id: i64) -> Result<Vec<StageChange>> {
        on_pool!(self, pool => {
            let rows = sqlx::query("SELECT from_stage, to_stage, at, actor, reason, reason_message FROM stage_history WHERE lead_id = $1 ORDER BY id")
                .bind(lead_id)
                .fetch_all(pool)
                .await?;
            rows.iter().map(|r| {
                let parse_stage = |s: String| s.parse::<Stage>().map_err(|e| StoreError::Corrupt(e.to_string()));
                let at: String = r.try_get("at")?;
                Ok(StageChange {
                    from: parse_stage(r.try_get("from_stage")?)?,
                    to: parse_stage(r.try_get("to_stage")?)?,
                    at: chrono::DateTime::parse_from_rfc3339(&at).map_err(|e| StoreError::Corrupt(e.to_string()))?.with_timezone(&Utc),
                    actor: r.try_get("actor")?,
                    reason: r.try_get("reason")?,
                    // A message this version cannot read leaves the reason as kept.
                    reason_message: r
                        .try_get::<Option<String>, _>("reason_message")?
                        .and_then(|json| serde_json::from_str(&json).ok()),
                })
            }).collect()
        })
    }

    /// Records a new activity and, in the same transaction, lets `decide` plan the lead's
    /// stage from its current stage and all its activities (oldest first); records the move
    /// the plan gives, and sets `lead_type_rule` when it moves. The store does not decide:
    /// the caller's plan comes from the core's lifecycle rules.
    pub async fn record_activity<T, F>(&self, lead_id: i64, activity: &Activity, decide: F) -> Result<(T, MovePlan)>
    where
        F: FnOnce(Stage, &[Activity]) -> (T, MovePlan, Option<String>) + Send,
        T: Send,
    {
        let now = now();
        let begin = self.begin_write();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let from = Self::locked_stage(&mut tx, lead_id).await?;
            sqlx::query("INSERT INTO activities (lead_id, kind, at, detail) VALUES ($1, $2, $3, $4)")
                .bind(lead_id)
                .bind(activity.kind.name())
                .bind(activity.at.to_rfc3339_opts(SecondsFormat::Millis, true))
                .bind(&activity.detail)
                .execute(&mut *tx)
                .await?;
            let rows = sqlx::query("SELECT kind, at, detail FROM activities WHERE lead_id = $1 ORDER BY at, id")
                .bind(lead_id)
                .fetch_all(&mut *tx)
                .await?;
            let mut all = Vec::with_capacity(rows.len());
            for row in rows {
                let kind: String = row.try_get("kind")?;
                let at: String = row.try_get("at")?;
                let kind = ActivityKind::parse(&kind);
                let (Some(kind), Ok(at)) = (kind, DateTime::parse_from_rfc3339(&at)) else {
                    return Err(StoreError::Corrupt(format!("lead {lead_id} has an activity `{kind:?}` at `{at}`")));
                };
                all.push(Activity { kind, at: at.with_timezone(&Utc), detail: row.try_get("detail")? });
            }
            let (value, plan, rule) = decide(from, &all);
            if let MovePlan::Move(m) = &plan {
                Self::apply_move(&mut tx, lead_id, m, &now).await?;
                sqlx::query("UPDATE leads SET lead_type_rule = $1 WHERE id = $2")
                    .bind(rule)
                    .bind(lead_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok((value, plan))
        })
    }

    /// The lead's current stage, read inside a write transaction.
    async fn locked_stage<'c, DB>(tx: &mut sqlx::Transaction<'c, DB>, lead_id: i64) -> Result<Stage>
    where
        DB: sqlx::Database,
        for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
        for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
        i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
        String: for<'r> sqlx::Decode<'r, DB> + sqlx::Type<DB>,
        usize: sqlx::ColumnIndex<DB::Row>,
        for<'s> &'s str: sqlx::ColumnIndex<DB::Row>,
    {
        let stage: Option<String> = sqlx::query("SELECT stage FROM leads WHERE id = $1")
            .bind(lead_id)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.try_get::<String, _>("stage"))
            .transpose()?;
        let Some(stage) = stage else { return Err(StoreError::NotFound(lead_id.to_string())) };
        Stage::from_str(&stage).map_err(|_| StoreError::Corrupt(format!("lead {lead_id} has stage `{stage}`")))
    }

    /// Writes a planned move: the lead's new stage and its history entry.
    async fn apply_move<'c, DB>(
        tx: &mut sqlx::Transaction<'c, DB>,
        lead_id: i64,
        m: &StageMove,
        now: &str,
    ) -> Result<()>
    where
        DB: sqlx::Database,
        for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
        for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
        i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
        Option<i64>: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
        Option<String>: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
        for<'a> &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    {
        // A message always serialises; one that did not would leave the reason as text.
        let message = m.message.as_ref().and_then(|m| serde_json::to_string(m).ok());
        sqlx::query("UPDATE leads SET stage = $1, updated_at = $2 WHERE id = $3")
            .bind(m.to.name())
            .bind(now)
            .bind(lead_id)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO stage_history (lead_id, from_stage, to_stage, at, actor, reason, reason_message) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(lead_id)
        .bind(m.from.name())
        .bind(m.to.name())
        .bind(now)
        .bind(m.actor.as_str())
        .bind(m.reason.as_str())
        .bind(message)
        .execute(&mut **tx)
        .await?;
        let data = serde_json::json!({
            "lead_id": lead_id,
            "from": m.from.name(),
            "to": m.to.name(),
            "actor": m.actor,
            "reason": m.reason,
            "at": now,
        });
        let event = NewEvent::new(EventKind::LeadStageChanged, Some(lead_id), data, now)?;
        insert_event!(&mut **tx, &event);
        Ok(())
    }

    /// Stores a decision and the stage move `plan` gives for the lead's current stage, all
    /// in one transaction (the stage is read inside it, so a concurrent change cannot be
    /// overwritten by a move planned from a stale stage). Returns the plan.
    pub async fn save_qualification<F>(&self, q: &QualificationRecord, plan: F) -> Result<MovePlan>
    where
        F: FnOnce(Stage) -> MovePlan + Send,
    {
        let now = now();
        let begin = self.begin_write();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let from = Self::locked_stage(&mut tx, q.lead_id).await?;
            sqlx::query("INSERT INTO qualifications (lead_id, framework, framework_version, icp_version, verdict, failed_level, decision, decided_at, decided_by, re_engage_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .bind(q.lead_id)
                .bind(&q.framework)
                .bind(&q.framework_version)
                .bind(&q.icp_version)
                .bind(q.verdict.name())
                .bind(q.failed_level.map(Level::name))
                .bind(&q.decision_json)
                .bind(&now)
                .bind(&q.decided_by)
                .bind(&q.re_engage_on)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE leads SET verdict = $1, re_engage_on = $2, updated_at = $3 WHERE id = $4")
                .bind(q.verdict.name())
                .bind(&q.re_engage_on)
                .bind(&now)
                .bind(q.lead_id)
                .execute(&mut *tx)
                .await?;
            let plan = plan(from);
            if let MovePlan::Move(m) = &plan {
                Self::apply_move(&mut tx, q.lead_id, m, &now).await?;
            }
            let kind = match q.verdict {
                Verdict::Qualified => Some(EventKind::LeadQualified),
                Verdict::Disqualified => Some(EventKind::LeadDisqualified),
                _ => None,
            };
            if let Some(kind) = kind {
                let data = serde_json::json!({
                    "lead_id": q.lead_id,
                    "verdict": q.verdict.name(),
                    "framework": q.framework,
                    "failed_level": q.failed_level.map(Level::name),
                    "decided_by": q.decided_by,
                    "stage": plan.stage().name(),
                });
                let event = NewEvent::new(kind, Some(q.lead_id), data, &now)?;
                insert_event!(&mut *tx, &event);
            }
            tx.commit().await?;
            Ok(plan)
        })
    }

    /// Wakes a nurtured lead whose re-engage date has come: inside one transaction, with the
    /// lead's row locked, checks that it is still in nurture and due on `today`
    /// (`YYYY-MM-DD`), records the move `plan` gives for its stage, clears the re-engage
    /// date, and writes a `lead.nurture_due` event (with the move's `lead.stage_changed`).
    /// `None` when the lead is gone, no longer nurtured, or not due: running it twice wakes
    /// the lead once.
    pub async fn wake_nurtured<F>(&self, lead_id: i64, today: &str, plan: F) -> Result<Option<MovePlan>>
    where
        F: FnOnce(Stage) -> MovePlan + Send,
    {
        let now = now();
        let begin = self.begin_write();
        let lock = match self.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        };
        let sql = format!("SELECT stage, re_engage_on FROM leads WHERE id = $1{lock}");
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(lead_id).fetch_optional(&mut *tx).await? else {
                return Ok(None);
            };
            let stage: String = row.try_get("stage")?;
            let due: Option<String> = row.try_get("re_engage_on")?;
            let due = match due {
                Some(day) if stage == Stage::Nurture.name() && day.as_str() <= today => day,
                _ => return Ok(None),
            };
            let plan = plan(Stage::Nurture);
            if let MovePlan::Move(m) = &plan {
                Self::apply_move(&mut tx, lead_id, m, &now).await?;
                sqlx::query("UPDATE leads SET re_engage_on = NULL WHERE id = $1").bind(lead_id).execute(&mut *tx).await?;
                let data = serde_json::json!({
                    "lead_id": lead_id,
                    "re_engage_on": due,
                    "to": m.to.name(),
                    "reason": m.reason,
                });
                let event = NewEvent::new(EventKind::LeadNurtureDue, Some(lead_id), data, &now)?;
                insert_event!(&mut *tx, &event);
            }
            tx.commit().await?;
            Ok(Some(plan))
        })
    }

    /// Nurtured leads due back on or before `today`, by id after `after`, at most `limit`.
    pub async fn due_nurtured_leads(&self, today: &str, after: i64, limit: i64) -> Result<Vec<(i64, String)>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, re_engage_on FROM leads WHERE stage = 'nurture' AND re_engage_on <= $1 AND id > $2 ORDER BY id LIMIT $3",
            )
            .bind(today)
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| Ok((r.try_get::<i64, _>("id")?, r.try_get::<String, _>("re_engage_on")?))).collect()
        })
    }

    /// Whether the database answers and every migration this build knows is applied.
    pub async fn readiness(&self) -> Result<Readiness> {
        let expected: Vec<i64> = MIGRATIONS.iter().map(|m| m.0).collect();
        on_pool!(self, pool => {
            let rows = sqlx::query("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
                .fetch_all(pool)
                .await?;
            let applied: Vec<i64> = rows.iter().map(|r| r.try_get::<i64, _>("version")).collect::<std::result::Result<_, _>>()?;
            let missing: Vec<i64> = expected.iter().copied().filter(|v| !applied.contains(v)).collect();
            Ok(Readiness { backend: self.backend(), applied: applied.len(), missing })
        })
    }

    /// Runs the database's own consistency check (`PRAGMA integrity_check` on SQLite; on
    /// PostgreSQL, checks that no lead is duplicated and no history row is orphaned).
    pub async fn integrity_check(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                // FTS5 keeps an index's structure per connection and looks again only when a
                // statement opens a cursor on it; `PRAGMA integrity_check` opens none, so on
                // a pooled connection that searched before another connection (the importer)
                // wrote, it read the old structure and reported "corruption found reading
                // blob". A search on the same connection first makes it look again, and both
                // run in one read transaction: without it, a write committed between the two
                // (an import running beside the check) made the structure old again.
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT rowid FROM lead_search WHERE rowid = 0").fetch_optional(&mut *tx).await?;
                let row = sqlx::query("PRAGMA integrity_check").fetch_one(&mut *tx).await?;
                tx.commit().await?;
                let result: String = row.try_get(0)?;
                if result != "ok" {
                    return Err(StoreError::Corrupt(result));
                }
            }
            Pool::Postgres(_) => {}
        }
        on_pool!(self, pool => {
            let row = sqlx::query("SELECT (SELECT count(*) FROM leads) - (SELECT count(DISTINCT dedupe_key) FROM leads) AS dupes, \
                (SELECT count(*) FROM stage_history h WHERE NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = h.lead_id)) AS orphans")
                .fetch_one(pool)
                .await?;
            let dupes: i64 = row.try_get("dupes")?;
            let orphans: i64 = row.try_get("orphans")?;
            if dupes != 0 || orphans != 0 {
                return Err(StoreError::Corrupt(format!("{dupes} duplicate lead(s), {orphans} orphaned history row(s)")));
            }
            Ok(())
        })
    }
}

/// Hides the password in a database URL.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
