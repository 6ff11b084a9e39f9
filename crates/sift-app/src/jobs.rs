//! Background jobs: the kinds, what each one does, and how an attempt ends.
//!
//! The jobs table and its leases are the store's (`sift_store::jobs`); the worker loop that
//! claims jobs, renews leases and stops on shutdown is the server's. This module holds the
//! use cases a job runs and the rules for its outcome:
//! - every handler is **idempotent in effect**, because a job whose process died after the
//!   work but before the job was marked done runs again: an import of an upload whose run
//!   finished returns that run; a training job finds the model it stored (one per job); a
//!   rescoring writes the same scores again; a nurture wake-up re-checks the lead's stage
//!   under its row lock; a webhook delivery sends the same `webhook-id`, which receivers
//!   use to drop repeats (delivery is at least once);
//! - an attempt ends `Done`, `Failed` (bad input: trying again cannot help) or `Retry`
//!   (the database, a receiver or the network failed), retried with exponential backoff
//!   until the job's attempts are used up.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use sift_core::{Decision, Trigger, plan_move};
use sift_store::jobs::{JobProgress, NewJob};
use sift_store::{Job, Store};

use crate::config::Config;
use crate::error::{AppError, Result};
use crate::webhooks::{DELIVER_KIND, Sender};

/// Imports an uploaded CSV file (`crate::imports`).
pub const IMPORT: &str = "import.csv";
/// Trains a model on the stored leads and stores it (`crate::scoring`).
pub const TRAIN: &str = "model.train";
/// Scores every stored lead with a stored model and keeps the scores.
pub const RESCORE: &str = "scores.rescore";
/// Finds nurtured leads whose re-engage date has come and queues a wake-up for each.
pub const NURTURE_SCAN: &str = "nurture.scan";
/// Brings one nurtured lead back (`lead.nurture_due`).
pub const NURTURE_WAKE: &str = "nurture.wake";

/// Every job kind, for listings and filters.
pub const KINDS: [&str; 6] = [IMPORT, TRAIN, RESCORE, NURTURE_SCAN, NURTURE_WAKE, DELIVER_KIND];

/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);

/// What a job needs from its process.
#[derive(Clone)]
pub struct JobEnv {
    pub store: Store,
    /// Uploads (`uploads/`) and job outputs (`imports/`) live here.
    pub data_dir: std::path::PathBuf,
    /// The client webhooks go out through.
    pub sender: Sender,
    /// The first retry waits this long; each next one twice as long.
    pub retry_base: Duration,
}

/// A running job's progress, shared between the handler (which moves it) and the worker
/// (which writes it to the job row with each lease renewal, so progress costs no extra
/// database writes).
#[derive(Debug, Default)]
pub struct ProgressHandle {
    done: AtomicI64,
    /// -1: unknown.
    total: AtomicI64,
    message: Mutex<Option<String>>,
}

impl ProgressHandle {
    pub fn new() -> ProgressHandle {
        ProgressHandle { done: AtomicI64::new(0), total: AtomicI64::new(-1), message: Mutex::new(None) }
    }

    pub fn set(&self, done: i64, total: Option<i64>) {
        self.done.store(done, Ordering::Relaxed);
        self.total.store(total.unwrap_or(-1), Ordering::Relaxed);
    }

    pub fn set_done(&self, done: i64) {
        self.done.store(done, Ordering::Relaxed);
    }

    pub fn say(&self, message: impl Into<String>) {
        let mut guard = match self.message.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Some(message.into());
    }

    pub fn snapshot(&self) -> JobProgress {
        let total = self.total.load(Ordering::Relaxed);
        let message = match self.message.lock() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        JobProgress { done: self.done.load(Ordering::Relaxed), total: (total >= 0).then_some(total), message }
    }
}

impl sift_store::import::Progress for &ProgressHandle {
    fn advance(&self, bytes: u64) {
        self.set_done(bytes as i64);
    }
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Done, with the job's result.
    Done(serde_json::Value),
    /// Failed in a way another attempt could fix; `after` overrides the backoff (a
    /// receiver's `Retry-After`).
    Retry { error: String, after: Option<Duration> },
    /// Failed for good (bad input, a missing upload...).
    Failed(String),
}

/// An attempt's outcome, and for a webhook delivery the event kind and delivery outcome
/// (delivered, failed, gone, skipped) for the metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    pub outcome: Outcome,
    pub delivery: Option<(String, &'static str)>,
}

impl Finished {
    pub fn plain(outcome: Outcome) -> Finished {
        Finished { outcome, delivery: None }
    }

    /// A use case's result: an error in the input fails the job, any other error retries.
    pub fn from_result(result: Result<serde_json::Value>) -> Finished {
        Finished::plain(match result {
            Ok(value) => Outcome::Done(value),
            Err(e) if e.is_invalid_input() => Outcome::Failed(e.to_string()),
            Err(e) => Outcome::Retry { error: e.to_string(), after: None },
        })
    }
}

/// Runs one attempt of a claimed job.
pub async fn run(env: &JobEnv, config: &Config, job: &Job, progress: &ProgressHandle) -> Finished {
    match job.kind.as_str() {
        IMPORT => Finished::from_result(crate::imports::run_import_job(env, config, job, progress).await),
        TRAIN => Finished::from_result(crate::scoring::run_train_job(env, job, progress).await),
        RESCORE => Finished::from_result(crate::scoring::run_rescore_job(env, job, progress).await),
        NURTURE_SCAN => Finished::from_result(nurture_scan(&env.store, progress).await),
        NURTURE_WAKE => Finished::from_result(nurture_wake(&env.store, job).await),
        DELIVER_KIND => env.sender.deliver(&env.store, job).await,
        other => Finished::plain(Outcome::Failed(format!(
            "no handler for job kind `{other}` in this version of Sift; known kinds: {}",
            KINDS.join(", ")
        ))),
    }
}

/// The wait before attempt `attempt + 1`: `base` doubled for each attempt made, capped at
/// [`MAX_BACKOFF`], with up to 20% random jitter (so that a receiver coming back is not hit
/// by every retry at once); a receiver's `Retry-After` is honoured when longer.
pub fn backoff(attempt: i64, base: Duration, retry_after: Option<Duration>) -> Duration {
    let exponent = attempt.clamp(1, 30) as u32 - 1;
    let wait = base.saturating_mul(2u32.saturating_pow(exponent)).min(MAX_BACKOFF);
    let mut byte = [0u8; 1];
    let jitter = if getrandom::fill(&mut byte).is_ok() { f64::from(byte[0]) / 255.0 * 0.2 } else { 0.0 };
    let wait = wait.mul_f64(1.0 + jitter).min(MAX_BACKOFF);
    match retry_after {
        Some(after) if after > wait => after.min(Duration::from_secs(24 * 3600)),
        _ => wait,
    }
}

/// How a job's attempt was settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    Done,
    /// Queued again to run at this time.
    Retried(String),
    Failed,
    /// The worker no longer held the job (its lease ran out and another worker may have
    /// taken it over): nothing was written.
    LeaseLost,
}

impl Settled {
    /// The outcome label in metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Settled::Done => "done",
            Settled::Retried(_) => "retried",
            Settled::Failed => "failed",
            Settled::LeaseLost => "lease_lost",
        }
    }
}

/// Writes an attempt's outcome to the job: done, queued again after the backoff, or failed
/// when it failed for good or has no attempts left. Only the worker holding the job can.
pub async fn settle(
    store: &Store,
    job: &Job,
    worker: &str,
    finished: &Finished,
    progress: &ProgressHandle,
    retry_base: Duration,
) -> Result<Settled> {
    let settled = match &finished.outcome {
        Outcome::Done(result) => {
            store.finish_job(job.id, worker, result, &progress.snapshot()).await?.then_some(Settled::Done)
        }
        Outcome::Failed(error) => store.fail_job(job.id, worker, error).await?.then_some(Settled::Failed),
        Outcome::Retry { error, .. } if job.attempts >= job.max_attempts => {
            let error = format!("gave up after {} attempts; the last one: {error}", job.attempts);
            store.fail_job(job.id, worker, &error).await?.then_some(Settled::Failed)
        }
        Outcome::Retry { error, after } => {
            let wait = backoff(job.attempts, retry_base, *after);
            let at =
                chrono::Utc::now() + chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::seconds(60));
            let at = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            store.retry_job(job.id, worker, &at, error).await?.then_some(Settled::Retried(at))
        }
    };
    Ok(settled.unwrap_or(Settled::LeaseLost))
}

/// Queues a nurture scan unless one is queued or running (every process's scheduler calls
/// this; the dedupe key keeps one live scan for the whole cluster).
pub async fn enqueue_nurture_scan(store: &Store) -> Result<Option<i64>> {
    let job = NewJob {
        kind: NURTURE_SCAN,
        payload: serde_json::json!({}),
        max_attempts: 3,
        run_at: None,
        dedupe_key: Some(NURTURE_SCAN.to_owned()),
        created_by: None,
    };
    Ok(store.enqueue_job(&job).await?)
}

/// Queues the wake-up of one nurtured lead (at most one live wake-up per lead).
pub async fn enqueue_nurture_wake(store: &Store, lead_id: i64) -> Result<Option<i64>> {
    let job = NewJob {
        kind: NURTURE_WAKE,
        payload: serde_json::json!({ "lead_id": lead_id }),
        max_attempts: 5,
        run_at: None,
        dedupe_key: Some(format!("{NURTURE_WAKE}:{lead_id}")),
        created_by: None,
    };
    Ok(store.enqueue_job(&job).await?)
}

fn today() -> String {
    chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string()
}

/// Queues a wake-up for every nurtured lead due today or earlier.
pub async fn nurture_scan(store: &Store, progress: &ProgressHandle) -> Result<serde_json::Value> {
    let today = today();
    let (mut after, mut due, mut queued) = (0i64, 0i64, 0i64);
    loop {
        let page = store.due_nurtured_leads(&today, after, 500).await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        for (lead_id, _) in &page {
            due += 1;
            if enqueue_nurture_wake(store, *lead_id).await?.is_some() {
                queued += 1;
            }
        }
        progress.set(due, None);
    }
    Ok(serde_json::json!({ "due": due, "queued": queued, "as_of": today }))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WakePayload {
    lead_id: i64,
}

/// Brings one nurtured lead back if its re-engage date has come: the lifecycle moves it
/// (to MQL, with the reason it was nurtured), and `lead.nurture_due` fires, in one
/// transaction. A lead no longer nurtured or not yet due is left alone.
pub async fn nurture_wake(store: &Store, job: &Job) -> Result<serde_json::Value> {
    let p: WakePayload = serde_json::from_value(job.payload.clone())
        .map_err(|e| AppError::invalid("payload", format!("not a nurture wake-up: {e}")))?;
    let reason = match store.latest_qualification(p.lead_id).await? {
        Some(q) => serde_json::from_str::<Decision>(&q.decision_json)
            .ok()
            .and_then(|d| d.nurture.map(|n| n.reason))
            .unwrap_or_default(),
        None => String::new(),
    };
    let plan = store
        .wake_nurtured(p.lead_id, &today(), |from| {
            plan_move(from, Trigger::ReEngage { reason: &reason }, "nurture schedule")
        })
        .await?;
    Ok(match plan {
        Some(plan) => {
            serde_json::json!({ "lead_id": p.lead_id, "woke": plan.as_move().is_some(), "stage": plan.stage(), "explanation": plan.describe() })
        }
        None => {
            serde_json::json!({ "lead_id": p.lead_id, "woke": false, "explanation": "no longer nurtured or not due" })
        }
    })
}

/// A job as a person may see it: what it is, how far it came, how it ended.
pub async fn job(store: &Store, id: i64) -> Result<Job> {
    store.job(id).await?.ok_or_else(|| AppError::NotFound { what: "job", key: id.to_string(), hint: String::new() })
}
