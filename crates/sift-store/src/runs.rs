//! Import runs: one row per `sift import`, kept up to date with every committed batch.
//!
//! A run is `running` while its process commits batches (each one also moves the run's
//! heartbeat and counts, in the same transaction), `finished` or `failed` when it ends, and
//! `interrupted` when it has no end and its process is gone: on the same Linux machine that
//! is seen at once (the run records host, boot and process id, and `/proc` says whether the
//! process still lives); elsewhere when its heartbeat stopped for longer than
//! [`STALE_AFTER`]. The counts of an interrupted run are
//! what it had committed. The next import of the same file takes the interrupted run over
//! (`resumes`): the rows already stored are found unchanged, and the rest are imported.

use std::time::Duration;

use serde::Serialize;
use sqlx::Row;

use crate::db::{BatchOutcome, Result, Store, StoreError, now, on_pool};
use crate::events::{EventKind, NewEvent, insert_event};

/// An unfinished run whose heartbeat is older than this counts as interrupted. Batches
/// commit every second or so; a minute leaves room for lock waits.
pub const STALE_AFTER: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportRunStatus {
    Running,
    Finished,
    Failed,
    Interrupted,
}

impl ImportRunStatus {
    pub fn name(self) -> &'static str {
        match self {
            ImportRunStatus::Running => "running",
            ImportRunStatus::Finished => "finished",
            ImportRunStatus::Failed => "failed",
            ImportRunStatus::Interrupted => "interrupted",
        }
    }

    fn parse(text: &str) -> Option<ImportRunStatus> {
        [ImportRunStatus::Running, ImportRunStatus::Finished, ImportRunStatus::Failed, ImportRunStatus::Interrupted]
            .into_iter()
            .find(|s| s.name() == text)
    }
}

/// One import run as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportRun {
    pub id: i64,
    pub file: String,
    pub status: ImportRunStatus,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// The last committed batch (or the start).
    pub heartbeat_at: Option<String>,
    /// Rows read, valid or not, in committed batches.
    pub rows_read: i64,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub duplicates: i64,
    pub rejected: i64,
    /// Why a failed run stopped.
    pub error: Option<String>,
    /// The interrupted run of the same file that this run took over.
    pub resumes: Option<i64>,
}

/// What a batch adds to its run: the rows read for it (valid or not) and those rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunProgress {
    pub run: i64,
    pub rows: u64,
    pub rejected: u64,
}

const PROGRESS_SQL: &str = "UPDATE import_runs SET heartbeat_at = $1, rows_read = rows_read + $2, \
    inserted = inserted + $3, updated = updated + $4, unchanged = unchanged + $5, duplicates = duplicates + $6, \
    rejected = rejected + $7 WHERE id = $8";

/// Adds a batch's outcome to its run inside the batch's transaction (a macro, so that it
/// expands for each database's connection type).
macro_rules! add_progress {
    ($conn:expr, $progress:expr, $outcome:expr, $now:expr) => {
        sqlx::query($crate::runs::progress_sql())
            .bind($now)
            .bind($progress.rows as i64)
            .bind($outcome.inserted as i64)
            .bind($outcome.updated as i64)
            .bind($outcome.unchanged as i64)
            .bind($outcome.duplicates as i64)
            .bind($progress.rejected as i64)
            .bind($progress.run)
            .execute($conn)
            .await?
    };
}
pub(crate) use add_progress;

pub(crate) fn progress_sql() -> &'static str {
    PROGRESS_SQL
}

const RUN_COLUMNS: &str = "id, file, status, started_at, finished_at, heartbeat_at, rows_read, inserted, updated, \
    unchanged, duplicates, rejected, error, resumes";

fn stale_cutoff() -> String {
    let cutoff = chrono::Utc::now() - chrono::Duration::from_std(STALE_AFTER).unwrap_or(chrono::Duration::zero());
    cutoff.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Reads an `ImportRun` from a row of `RUN_COLUMNS` (a macro for both row types).
macro_rules! run_from_row {
    ($row:expr) => {{
        let status: String = $row.try_get("status")?;
        ImportRun {
            id: $row.try_get("id")?,
            file: $row.try_get("file")?,
            status: ImportRunStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("import run with status `{status}`")))?,
            started_at: $row.try_get("started_at")?,
            finished_at: $row.try_get("finished_at")?,
            heartbeat_at: $row.try_get("heartbeat_at")?,
            rows_read: $row.try_get("rows_read")?,
            inserted: $row.try_get("inserted")?,
            updated: $row.try_get("updated")?,
            unchanged: $row.try_get("unchanged")?,
            duplicates: $row.try_get("duplicates")?,
            rejected: $row.try_get("rejected")?,
            error: $row.try_get("error")?,
            resumes: $row.try_get("resumes")?,
        }
    }};
}

/// This process as `HOST BOOT-ID PID` (Linux), for [`ImportRun`]'s owner.
fn this_process() -> Option<String> {
    let read = |path: &str| std::fs::read_to_string(path).ok().map(|s| s.trim().to_owned());
    let host = read("/proc/sys/kernel/hostname")?;
    let boot = read("/proc/sys/kernel/random/boot_id")?;
    Some(format!("{host} {boot} {}", std::process::id()))
}

/// True when `owner` names a process of this machine and boot that no longer exists.
fn owner_is_gone(owner: &str) -> bool {
    let Some(me) = this_process() else { return false };
    let mut mine = me.rsplitn(2, ' ');
    let mut theirs = owner.rsplitn(2, ' ');
    let (Some(_), Some(my_machine)) = (mine.next(), mine.next()) else { return false };
    let (Some(pid), Some(their_machine)) = (theirs.next(), theirs.next()) else { return false };
    my_machine == their_machine
        && pid
            .parse::<u32>()
            .is_ok_and(|pid| pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists())
}

impl Store {
    /// Marks unfinished runs whose process is gone (same machine) or whose heartbeat
    /// stopped (any machine) as interrupted; returns how many.
    pub async fn mark_interrupted_import_runs(&self) -> Result<u64> {
        let cutoff = stale_cutoff();
        on_pool!(self, pool => {
            let stale = sqlx::query(
                "UPDATE import_runs SET status = 'interrupted' WHERE status = 'running' \
                 AND coalesce(heartbeat_at, started_at) < $1",
            )
            .bind(&cutoff)
            .execute(pool)
            .await?
            .rows_affected();
            let mut gone = Vec::new();
            for row in sqlx::query("SELECT id, owner FROM import_runs WHERE status = 'running' AND owner IS NOT NULL")
                .fetch_all(pool)
                .await?
            {
                let owner: String = row.try_get("owner")?;
                if owner_is_gone(&owner) {
                    gone.push(row.try_get::<i64, _>("id")?);
                }
            }
            for id in &gone {
                sqlx::query("UPDATE import_runs SET status = 'interrupted' WHERE id = $1 AND status = 'running'")
                    .bind(id)
                    .execute(pool)
                    .await?;
            }
            Ok(stale + gone.len() as u64)
        })
    }

    /// Records the start of an import and returns its id, with the interrupted run of the
    /// same file it takes over, if the file's latest run was interrupted.
    pub async fn start_import_run(&self, file: &str) -> Result<(i64, Option<ImportRun>)> {
        self.mark_interrupted_import_runs().await?;
        let latest = on_pool!(self, pool => {
            let sql = format!("SELECT {RUN_COLUMNS} FROM import_runs WHERE file = $1 ORDER BY id DESC LIMIT 1");
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(file).fetch_optional(pool).await? {
                Some(r) => Some(run_from_row!(r)),
                None => None,
            }
        });
        let resumes = latest.filter(|r| r.status == ImportRunStatus::Interrupted);
        let now = now();
        let id = on_pool!(self, pool => {
            let row = sqlx::query(
                "INSERT INTO import_runs (file, started_at, heartbeat_at, status, resumes, owner) \
                 VALUES ($1, $2, $2, 'running', $3, $4) RETURNING id",
            )
            .bind(file)
            .bind(&now)
            .bind(resumes.as_ref().map(|r| r.id))
            .bind(this_process())
            .fetch_one(pool)
            .await?;
            row.try_get::<i64, _>("id")?
        });
        Ok((id, resumes))
    }

    /// Adds rows that never reached a batch (all rejected) to the run, and beats its heart.
    pub async fn record_import_progress(&self, progress: &RunProgress) -> Result<()> {
        let now = now();
        let none = BatchOutcome::default();
        on_pool!(self, pool => {
            add_progress!(pool, progress, none, &now);
            Ok(())
        })
    }

    /// Ends a run. The counts are the run's own (added batch by batch); `outcome` and
    /// `rejected` are the importer's totals, written too so that the two always agree.
    /// The run's `import.finished` event is written in the same transaction: one event per
    /// import, never one per imported row.
    pub async fn finish_import_run(&self, id: i64, outcome: BatchOutcome, rejected: u64) -> Result<()> {
        let now = now();
        let begin = self.begin_write();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let row = sqlx::query("SELECT file FROM import_runs WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
            let file: Option<String> = row.map(|r| r.try_get("file")).transpose()?;
            sqlx::query(
                "UPDATE import_runs SET status = 'finished', finished_at = $1, heartbeat_at = $1, inserted = $2, \
                 updated = $3, unchanged = $4, duplicates = $5, rejected = $6 WHERE id = $7",
            )
            .bind(&now)
            .bind(outcome.inserted as i64)
            .bind(outcome.updated as i64)
            .bind(outcome.unchanged as i64)
            .bind(outcome.duplicates as i64)
            .bind(rejected as i64)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let data = serde_json::json!({
                "import_run": id,
                "file": file,
                "inserted": outcome.inserted,
                "updated": outcome.updated,
                "unchanged": outcome.unchanged,
                "duplicates": outcome.duplicates,
                "rejected": rejected,
            });
            let event = NewEvent::new(EventKind::ImportFinished, None, data, &now)?;
            insert_event!(&mut *tx, &event);
            tx.commit().await?;
            Ok(())
        })
    }

    /// The latest run of `file`, if any.
    pub async fn latest_import_run(&self, file: &str) -> Result<Option<ImportRun>> {
        self.mark_interrupted_import_runs().await?;
        on_pool!(self, pool => {
            let sql = format!("SELECT {RUN_COLUMNS} FROM import_runs WHERE file = $1 ORDER BY id DESC LIMIT 1");
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(file).fetch_optional(pool).await? {
                Some(r) => Ok(Some(run_from_row!(r))),
                None => Ok(None),
            }
        })
    }

    /// Ends a run that stopped on an error, keeping the error.
    pub async fn fail_import_run(&self, id: i64, error: &str) -> Result<()> {
        let now = now();
        on_pool!(self, pool => {
            sqlx::query("UPDATE import_runs SET status = 'failed', finished_at = $1, heartbeat_at = $1, error = $2 WHERE id = $3")
                .bind(&now)
                .bind(error)
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// The latest import runs, newest first (interrupted ones marked as such).
    pub async fn import_runs(&self, limit: i64) -> Result<Vec<ImportRun>> {
        self.mark_interrupted_import_runs().await?;
        on_pool!(self, pool => {
            let sql = format!("SELECT {RUN_COLUMNS} FROM import_runs ORDER BY id DESC LIMIT $1");
            let mut runs = Vec::new();
            for r in sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(pool).await? {
                runs.push(run_from_row!(r));
            }
            Ok(runs)
        })
    }

    /// One import run by id.
    pub async fn import_run(&self, id: i64) -> Result<Option<ImportRun>> {
        self.mark_interrupted_import_runs().await?;
        on_pool!(self, pool => {
            let sql = format!("SELECT {RUN_COLUMNS} FROM import_runs WHERE id = $1");
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await? {
                Some(r) => Ok(Some(run_from_row!(r))),
                None => Ok(None),
            }
        })
    }
}
