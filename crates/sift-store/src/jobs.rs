//! Background jobs in a table of our own.
//!
//! A job is `queued` until its `run_at` comes and a worker claims it; it is then `running`
//! under a lease (`locked_by`, `lease_until`) that the worker renews while the job runs,
//! and ends `done`, `failed`, or `queued` again with a later `run_at` (a retry). A job whose
//! lease ran out (its process died or hung) is put back in the queue by
//! [`Store::recover_expired_jobs`], or failed when it has no attempts left.
//!
//! Claiming takes one job in one statement: on PostgreSQL the candidate row is selected
//! `FOR UPDATE SKIP LOCKED`, so several processes claim different jobs without waiting for
//! each other; on SQLite the statement runs inside `BEGIN IMMEDIATE`, which serialises
//! writers. Every change a worker makes to a running job names the worker, so a worker that
//! lost its lease (and whose job another worker took over) changes nothing.

use serde::Serialize;
use sqlx::Row;

use crate::db::{Backend, Result, Store, StoreError, now, on_pool};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobStatus {
    pub const ALL: [JobStatus; 4] = [JobStatus::Queued, JobStatus::Running, JobStatus::Done, JobStatus::Failed];

    pub fn name(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }
}

impl std::str::FromStr for JobStatus {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<JobStatus, String> {
        JobStatus::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| {
            format!("`{s}` is not a job status; one of: {}", JobStatus::ALL.map(JobStatus::name).join(", "))
        })
    }
}

/// How far a job has come: `done` of `total` units (rows, bytes, leads) and a sentence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JobProgress {
    pub done: i64,
    pub total: Option<i64>,
    pub message: Option<String>,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub status: JobStatus,
    /// Attempts started so far (the running one included).
    pub attempts: i64,
    pub max_attempts: i64,
    /// When the job may run (next).
    pub run_at: String,
    /// The worker running it (or that ran it last).
    pub locked_by: Option<String>,
    pub lease_until: Option<String>,
    pub progress: JobProgress,
    pub result: Option<serde_json::Value>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub payload: serde_json::Value,
    pub max_attempts: i64,
    /// Default: now.
    pub run_at: Option<String>,
    /// At most one queued or running job has this key; enqueueing a second one does nothing.
    pub dedupe_key: Option<String>,
    pub created_by: Option<i64>,
}

/// Which jobs to list.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub kind: Option<String>,
    pub status: Option<JobStatus>,
    pub created_by: Option<i64>,
    /// Jobs with a smaller id (newest first pages).
    pub before: Option<i64>,
    pub limit: i64,
}

pub(crate) const JOB_COLUMNS: &str = "id, kind, payload, status, attempts, max_attempts, run_at, locked_by, lease_until, \
    progress_done, progress_total, progress_message, result, error, created_by, created_at, started_at, finished_at";

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

pub(crate) fn job_from_row<R: Row>(row: &R) -> Result<Job>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let status: String = row.try_get("status")?;
    let payload: String = row.try_get("payload")?;
    let result: Option<String> = row.try_get("result")?;
    Ok(Job {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        payload: serde_json::from_str(&payload).map_err(|e| corrupt("jobs.payload", e))?,
        status: status.parse().map_err(|e: String| corrupt("jobs.status", e))?,
        attempts: row.try_get("attempts")?,
        max_attempts: row.try_get("max_attempts")?,
        run_at: row.try_get("run_at")?,
        locked_by: row.try_get("locked_by")?,
        lease_until: row.try_get("lease_until")?,
        progress: JobProgress {
            done: row.try_get("progress_done")?,
            total: row.try_get("progress_total")?,
            message: row.try_get("progress_message")?,
        },
        result: result.map(|r| serde_json::from_str(&r)).transpose().map_err(|e| corrupt("jobs.result", e))?,
        error: row.try_get("error")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
    })
}

/// Inserts a job inside any transaction or pool (a macro, so that it expands for each
/// database's executor type); evaluates to the new id, or `None` when a live job has the
/// same dedupe key.
macro_rules! insert_job {
    ($conn:expr, $job:expr, $now:expr) => {{
        let job: &$crate::jobs::NewJob<'_> = $job;
        let now: &str = $now;
        let row = sqlx::query(
            "INSERT INTO jobs (kind, payload, status, dedupe_key, max_attempts, run_at, created_by, created_at) \
             VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(job.kind)
        .bind(job.payload.to_string())
        .bind(job.dedupe_key.as_deref())
        .bind(job.max_attempts)
        .bind(job.run_at.as_deref().unwrap_or(now))
        .bind(job.created_by)
        .bind(now)
        .fetch_optional($conn)
        .await?;
        match row {
            Some(r) => Some(sqlx::Row::try_get::<i64, _>(&r, "id")?),
            None => None,
        }
    }};
}
pub(crate) use insert_job;

impl Store {
    /// Enqueues a job; returns its id, or `None` when a queued or running job already has
    /// its dedupe key.
    pub async fn enqueue_job(&self, job: &NewJob<'_>) -> Result<Option<i64>> {
        let now = now();
        on_pool!(self, pool => Ok(insert_job!(pool, job, &now)))
    }

    /// Claims the next job that is due: marks it running under `worker`'s lease until
    /// `lease_until` and counts the attempt. `None` when nothing is due.
    pub async fn claim_job(&self, worker: &str, lease_until: &str) -> Result<Option<Job>> {
        let now = now();
        let skip_locked = match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE jobs SET status = 'running', locked_by = $1, lease_until = $2, attempts = attempts + 1, \
             started_at = coalesce(started_at, $3), error = NULL \
             WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $3 ORDER BY run_at, id LIMIT 1{skip_locked}) \
             AND status = 'queued' RETURNING {JOB_COLUMNS}"
        );
        let begin = self.begin_write();
        on_pool!(self, pool => {
            // Idle workers poll: answer "nothing due" with a read, without taking SQLite's
            // write lock (or a PostgreSQL row lock).
            let due = sqlx::query("SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $1 LIMIT 1")
                .bind(&now)
                .fetch_optional(pool)
                .await?;
            if due.is_none() {
                return Ok(None);
            }
            let mut tx = pool.begin_with(begin).await?;
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(worker)
                .bind(lease_until)
                .bind(&now)
                .fetch_optional(&mut *tx)
                .await?;
            tx.commit().await?;
            row.as_ref().map(job_from_row).transpose()
        })
    }

    /// Extends a running job's lease and records its progress; false when `worker` no
    /// longer holds the job (its lease ran out and it was put back or taken over).
    pub async fn renew_job(&self, id: i64, worker: &str, lease_until: &str, progress: &JobProgress) -> Result<bool> {
        on_pool!(self, pool => {
            let done = sqlx::query(
                "UPDATE jobs SET lease_until = $1, progress_done = $2, progress_total = $3, progress_message = $4 \
                 WHERE id = $5 AND locked_by = $6 AND status = 'running'",
            )
            .bind(lease_until)
            .bind(progress.done)
            .bind(progress.total)
            .bind(progress.message.as_deref())
            .bind(id)
            .bind(worker)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Ends a running job as done with its result; false when `worker` no longer holds it.
    pub async fn finish_job(
        &self,
        id: i64,
        worker: &str,
        result: &serde_json::Value,
        progress: &JobProgress,
    ) -> Result<bool> {
        let now = now();
        on_pool!(self, pool => {
            let done = sqlx::query(
                "UPDATE jobs SET status = 'done', result = $1, error = NULL, finished_at = $2, lease_until = NULL, \
                 progress_done = $3, progress_total = $4, progress_message = $5 \
                 WHERE id = $6 AND locked_by = $7 AND status = 'running'",
            )
            .bind(result.to_string())
            .bind(&now)
            .bind(progress.done)
            .bind(progress.total)
            .bind(progress.message.as_deref())
            .bind(id)
            .bind(worker)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Ends a running job as failed, for good; false when `worker` no longer holds it.
    pub async fn fail_job(&self, id: i64, worker: &str, error: &str) -> Result<bool> {
        let now = now();
        on_pool!(self, pool => {
            let done = sqlx::query(
                "UPDATE jobs SET status = 'failed', error = $1, finished_at = $2, lease_until = NULL \
                 WHERE id = $3 AND locked_by = $4 AND status = 'running'",
            )
            .bind(error)
            .bind(&now)
            .bind(id)
            .bind(worker)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Puts a running job back in the queue to run again at `run_at`, keeping the error of
    /// this attempt; false when `worker` no longer holds it.
    pub async fn retry_job(&self, id: i64, worker: &str, run_at: &str, error: &str) -> Result<bool> {
        on_pool!(self, pool => {
            let done = sqlx::query(
                "UPDATE jobs SET status = 'queued', run_at = $1, error = $2, locked_by = NULL, lease_until = NULL \
                 WHERE id = $3 AND locked_by = $4 AND status = 'running'",
            )
            .bind(run_at)
            .bind(error)
            .bind(id)
            .bind(worker)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Gives a running job back to the queue at once without counting the attempt (a
    /// process shutting down); false when `worker` no longer holds it.
    pub async fn release_job(&self, id: i64, worker: &str) -> Result<bool> {
        let now = now();
        on_pool!(self, pool => {
            let done = sqlx::query(
                "UPDATE jobs SET status = 'queued', run_at = $1, locked_by = NULL, lease_until = NULL, \
                 attempts = attempts - 1 WHERE id = $2 AND locked_by = $3 AND status = 'running'",
            )
            .bind(&now)
            .bind(id)
            .bind(worker)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Puts running jobs whose lease ran out back in the queue (their worker died or hung),
    /// or fails those without attempts left; returns how many.
    pub async fn recover_expired_jobs(&self) -> Result<u64> {
        let now = now();
        on_pool!(self, pool => {
            let expired = sqlx::query("SELECT id FROM jobs WHERE status = 'running' AND lease_until < $1 LIMIT 1")
                .bind(&now)
                .fetch_optional(pool)
                .await?;
            if expired.is_none() {
                return Ok(0);
            }
            let done = sqlx::query(
                "UPDATE jobs SET \
                 status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END, \
                 finished_at = CASE WHEN attempts >= max_attempts THEN $1 ELSE NULL END, \
                 error = 'the worker `' || coalesce(locked_by, '?') || '` stopped renewing its lease (its process died or hung)', \
                 run_at = $1, locked_by = NULL, lease_until = NULL \
                 WHERE status = 'running' AND lease_until < $1",
            )
            .bind(&now)
            .execute(pool)
            .await?;
            Ok(done.rows_affected())
        })
    }

    pub async fn job(&self, id: i64) -> Result<Option<Job>> {
        on_pool!(self, pool => {
            let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            row.as_ref().map(job_from_row).transpose()
        })
    }

    /// Jobs, newest first.
    pub async fn list_jobs(&self, filter: &JobFilter) -> Result<Vec<Job>> {
        on_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new(format!("SELECT {JOB_COLUMNS} FROM jobs WHERE 1 = 1"));
            if let Some(kind) = &filter.kind {
                q.push(" AND kind = ").push_bind(kind.clone());
            }
            if let Some(status) = filter.status {
                q.push(" AND status = ").push_bind(status.name());
            }
            if let Some(user) = filter.created_by {
                q.push(" AND created_by = ").push_bind(user);
            }
            if let Some(before) = filter.before {
                q.push(" AND id < ").push_bind(before);
            }
            q.push(" ORDER BY id DESC LIMIT ").push_bind(filter.limit.clamp(1, 1000));
            let rows = q.build().fetch_all(pool).await?;
            rows.iter().map(job_from_row).collect()
        })
    }

    /// How many jobs of `kind` (or of every kind) are in each status.
    pub async fn count_jobs(&self, kind: Option<&str>) -> Result<std::collections::BTreeMap<String, i64>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT status, count(*) AS n FROM jobs WHERE ($1 IS NULL OR kind = $1) GROUP BY status",
            )
            .bind(kind)
            .fetch_all(pool)
            .await?;
            let mut counts = std::collections::BTreeMap::new();
            for row in rows {
                counts.insert(row.try_get::<String, _>("status")?, row.try_get::<i64, _>("n")?);
            }
            Ok(counts)
        })
    }
}
