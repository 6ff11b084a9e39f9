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
use sift_core::{Activity, ActivityKind, LeadTypeDecision, LeadTypeRules, Stage, StageChange};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, SqlSafeStr};

use crate::record::{LeadRecord, StoredLead};

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
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    pub verdict: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// A qualification decision to keep with its lead.
#[derive(Debug, Clone)]
pub struct QualificationRecord {
    pub lead_id: i64,
    pub framework: String,
    pub framework_version: String,
    pub icp_version: Option<String>,
    pub verdict: String,
    pub failed_level: Option<String>,
    pub decision_json: String,
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

/// The history rows for stage moves found by an import: each move becomes the chain of
/// allowed moves that leads there (`unqualified -> sql -> opportunity -> customer` for a
/// new customer), so the stored history only holds moves the lifecycle allows.
pub(crate) fn import_history_steps(moves: &[(i64, String, Stage)]) -> Result<Vec<(i64, Stage, Stage, String)>> {
    let mut steps = Vec::with_capacity(moves.len());
    for (id, from, to) in moves {
        let from = Stage::from_str(from).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let path = from.path_to(*to).unwrap_or_else(|| vec![*to]);
        // Short: an import of a large file writes one of these for most leads.
        let reason = if path.len() > 1 {
            format!("stage from the imported file ({to}, by allowed moves)")
        } else {
            "stage from the imported file".to_owned()
        };
        let mut at = from;
        for step in path {
            steps.push((*id, at, step, reason.clone()));
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
                verdict: row.try_get("latest_verdict")?,
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
                let mut q = QueryBuilder::new("INSERT INTO stage_history (lead_id, from_stage, to_stage, at, actor, reason) ");
                q.push_values(chunk, |mut b, (id, from, to, reason)| {
                    b.push_bind(*id)
                        .push_bind(from.name())
                        .push_bind(to.name())
                        .push_bind(&now)
                        .push_bind("import")
                        .push_bind(reason.as_str());
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

    /// Refreshes the planner's statistics for `leads` on PostgreSQL (SQLite plans by
    /// index without them).
    pub async fn refresh_statistics(&self) -> Result<()> {
        if let Pool::Postgres(pool) = &self.pool {
            sqlx::query("ANALYZE leads").execute(pool).await?;
        }
        Ok(())
    }

    fn push_filter<DB: sqlx::Database>(q: &mut QueryBuilder<DB>, filter: &LeadFilter)
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
            q.push(" AND q.verdict = ").push_bind(verdict.clone());
        }
    }

    const LATEST_VERDICT: &'static str = " LEFT JOIN (SELECT q1.lead_id, q1.verdict FROM qualifications q1 \
        WHERE q1.id = (SELECT max(q2.id) FROM qualifications q2 WHERE q2.lead_id = q1.lead_id)) q ON q.lead_id = l.id";

    pub async fn count_leads(&self, filter: &LeadFilter) -> Result<i64> {
        on_pool!(self, pool => {
            let mut q = QueryBuilder::new("SELECT count(*) AS n FROM leads l");
            q.push(Self::LATEST_VERDICT);
            Self::push_filter(&mut q, filter);
            let row = q.build().fetch_one(pool).await?;
            Ok(row.try_get::<i64, _>("n")?)
        })
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
    fn lead_query<DB: sqlx::Database>(filter: &LeadFilter) -> QueryBuilder<DB>
    where
        String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
        i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    {
        let mut q = QueryBuilder::new("SELECT l.*, q.verdict AS latest_verdict FROM leads l");
        q.push(Self::LATEST_VERDICT);
        Self::push_filter(&mut q, filter);
        q.push(" ORDER BY l.id");
        if let Some(limit) = filter.limit {
            q.push(" LIMIT ").push_bind(limit);
        }
        if let Some(offset) = filter.offset {
            q.push(" OFFSET ").push_bind(offset);
        }
        q
    }

    pub async fn list_leads(&self, filter: &LeadFilter) -> Result<Vec<StoredLead>> {
        on_pool!(self, pool => {
            let rows = Self::lead_query(filter).build().fetch_all(pool).await?;
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
        on_pool!(self, pool => {
            let mut q = Self::lead_query(filter);
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
        on_pool!(self, pool => {
            // DISTINCT alone keeps only the distinct names; with ORDER BY, SQLite sorted one
            // row per lead and field (120 MB for 600,000 leads). Sorted here instead, and the
            // verdict join only when the filter needs it.
            let mut q = QueryBuilder::new("SELECT DISTINCT j.key AS name FROM leads l");
            if filter.verdict.is_some() {
                q.push(Self::LATEST_VERDICT);
            }
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
            let rows = sqlx::query("SELECT from_stage, to_stage, at, actor, reason FROM stage_history WHERE lead_id = $1 ORDER BY id")
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
                })
            }).collect()
        })
    }

    /// Records a new activity and re-runs the lead-type rules over all of the lead's
    /// activities, in one transaction. A lead still `unqualified` or `mql` moves to the type
    /// the rules give (a trial or a form outranks engagement points); a lead further down
    /// the funnel keeps its stage. Returns the classification and the move, if any.
    pub async fn record_activity(
        &self,
        lead_id: i64,
        activity: &Activity,
        rules: &LeadTypeRules,
    ) -> Result<(Option<LeadTypeDecision>, Option<(Stage, Stage)>)> {
        let now = now();
        let begin = self.begin_write();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let stage: Option<String> = sqlx::query("SELECT stage FROM leads WHERE id = $1")
                .bind(lead_id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get::<String, _>("stage"))
                .transpose()?;
            let Some(stage) = stage else { return Err(StoreError::NotFound(lead_id.to_string())) };
            let from = Stage::from_str(&stage).map_err(|_| StoreError::Corrupt(format!("lead {lead_id} has stage `{stage}`")))?;
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
            let decision = rules.classify(&all);
            let moved = decision
                .as_ref()
                .map(|d| (from, d.stage))
                .filter(|(from, to)| matches!(from, Stage::Unqualified | Stage::Mql) && from != to && from.can_move_to(*to));
            if let (Some((from, to)), Some(d)) = (moved, &decision) {
                sqlx::query("UPDATE leads SET stage = $1, lead_type_rule = $2, updated_at = $3 WHERE id = $4")
                    .bind(to.name())
                    .bind(&d.rule)
                    .bind(&now)
                    .bind(lead_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO stage_history (lead_id, from_stage, to_stage, at, actor, reason) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(lead_id)
                    .bind(from.name())
                    .bind(to.name())
                    .bind(&now)
                    .bind("lead-type rules")
                    .bind(&d.explanation)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok((decision, moved))
        })
    }

    /// Stores a decision and, when the verdict moves the lead, its new stage and the
    /// history entry, all in one transaction.
    pub async fn save_qualification(
        &self,
        q: &QualificationRecord,
        move_to: Option<(Stage, Stage, &str)>,
    ) -> Result<()> {
        let now = now();
        let begin = self.begin_write();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            sqlx::query("INSERT INTO qualifications (lead_id, framework, framework_version, icp_version, verdict, failed_level, decision, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(q.lead_id)
                .bind(&q.framework)
                .bind(&q.framework_version)
                .bind(&q.icp_version)
                .bind(&q.verdict)
                .bind(&q.failed_level)
                .bind(&q.decision_json)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            if let Some((from, to, reason)) = move_to {
                sqlx::query("UPDATE leads SET stage = $1, updated_at = $2 WHERE id = $3")
                    .bind(to.name())
                    .bind(&now)
                    .bind(q.lead_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO stage_history (lead_id, from_stage, to_stage, at, actor, reason) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(q.lead_id)
                    .bind(from.name())
                    .bind(to.name())
                    .bind(&now)
                    .bind("gate")
                    .bind(reason)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Runs the database's own consistency check (`PRAGMA integrity_check` on SQLite; on
    /// PostgreSQL, checks that no lead is duplicated and no history row is orphaned).
    pub async fn integrity_check(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                let row = sqlx::query("PRAGMA integrity_check").fetch_one(pool).await?;
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
