//! The background workers of one `sift serve` process.
//!
//! `settings.job_workers` workers each claim a due job from the jobs table, run it (the use
//! case in `sift_app::jobs`) while a companion task renews the job's lease every third of
//! the lease time (writing the job's progress with it), and settle the outcome. One
//! maintenance task per process turns new events into delivery jobs, returns jobs whose
//! lease ran out (a dead process's) to the queue, and queues the nurture scan on schedule.
//!
//! Several processes share one database: claims are exclusive (see `sift_store::jobs`), so
//! each job runs in one place at a time, and every process may do the maintenance.
//!
//! Shutdown: workers stop claiming, and the jobs running finish within the grace period;
//! past it, each running job is abandoned and its lease released at once, so another
//! process (or the next start) takes it over without waiting for the lease to run out.

use std::sync::Arc;
use std::time::Duration;

use sift_app::jobs::{JobEnv, ProgressHandle, Settled};
use sift_app::scoring::ModelCache;
use sift_store::Job;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::metrics::OutcomeLabels;
use crate::state::AppState;

/// What handlers and workers share: parsed models, and a bell rung when a request queues a
/// job (so an idle worker of this process starts at once instead of at its next poll).
#[derive(Default)]
pub struct Shared {
    pub models: ModelCache,
    pub wake: Notify,
}

/// How long an idle worker waits before looking for jobs again.
const IDLE_POLL: Duration = Duration::from_millis(250);
/// How often the maintenance task runs (dispatching events; lease recovery every 5th time).
const MAINTENANCE_TICK: Duration = Duration::from_millis(200);
/// Events turned into delivery jobs per transaction.
const DISPATCH_BATCH: i64 = 200;

/// The running workers of this process.
pub struct Workers {
    stop: watch::Sender<bool>,
    abandon: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// This process's name in `jobs.locked_by`: host, process id and a random tag.
fn process_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "sift".to_owned());
    let mut tag = [0u8; 2];
    let _ = getrandom::fill(&mut tag);
    format!("{host}:{}:{:02x}{:02x}", std::process::id(), tag[0], tag[1])
}

fn timestamp_in(d: Duration) -> String {
    let at = chrono::Utc::now() + chrono::Duration::from_std(d).unwrap_or_else(|_| chrono::Duration::seconds(60));
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Workers {
    /// Starts the workers and the maintenance task (with no workers, only the maintenance:
    /// a serve-only process still dispatches events for the workers elsewhere).
    pub fn start(state: &AppState, env: JobEnv) -> Workers {
        let (stop, stopped) = watch::channel(false);
        let (abandon, abandoned) = watch::channel(false);
        let process = process_name();
        let mut tasks = Vec::new();
        for n in 0..state.settings().job_workers {
            let worker = Worker {
                name: format!("{process}/w{n}"),
                state: state.clone(),
                env: env.clone(),
                stopped: stopped.clone(),
                abandoned: abandoned.clone(),
            };
            tasks.push(tokio::spawn(worker.run()));
        }
        tasks.push(tokio::spawn(maintenance(state.clone(), stopped)));
        tracing::info!(process = %process, workers = state.settings().job_workers, "job workers started");
        Workers { stop, abandon, tasks }
    }

    /// Stops claiming; waits up to `grace` for running jobs to finish, then abandons the
    /// rest (their leases are released) and waits for that.
    pub async fn drain(self, grace: Duration) {
        let _ = self.stop.send(true);
        let mut tasks = self.tasks;
        let all = futures_join(&mut tasks);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("jobs still running after the grace period: releasing them for another process");
            let _ = self.abandon.send(true);
            let _ = tokio::time::timeout(Duration::from_secs(10), futures_join(&mut tasks)).await;
        }
    }
}

/// Waits for every task still running (finished ones are skipped).
async fn futures_join(tasks: &mut [JoinHandle<()>]) {
    for task in tasks.iter_mut() {
        if !task.is_finished() {
            let _ = task.await;
        }
    }
}

struct Worker {
    name: String,
    state: AppState,
    env: JobEnv,
    stopped: watch::Receiver<bool>,
    abandoned: watch::Receiver<bool>,
}

impl Worker {
    async fn run(mut self) {
        let lease = Duration::from_secs(self.state.settings().job_lease_seconds);
        loop {
            if *self.stopped.borrow() {
                break;
            }
            match self.env.store.claim_job(&self.name, &timestamp_in(lease)).await {
                Ok(Some(job)) => self.run_job(job, lease).await,
                Ok(None) => {
                    let wake = self.state.jobs().wake.notified();
                    tokio::select! {
                        _ = tokio::time::sleep(IDLE_POLL) => {}
                        _ = wake => {}
                        changed = self.stopped.changed() => {
                            // The process dropped its workers without draining them.
                            if changed.is_err() {
                                break;
                            }
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(worker = %self.name, error = %e, "cannot claim a job; trying again shortly");
                    tokio::time::sleep(IDLE_POLL * 4).await;
                }
            }
        }
    }

    async fn run_job(&mut self, job: Job, lease: Duration) {
        let progress = Arc::new(ProgressHandle::new());
        let (lost_tx, mut lost) = watch::channel(false);
        let renewer = {
            let (store, name, progress, id) = (self.env.store.clone(), self.name.clone(), progress.clone(), job.id);
            tokio::spawn(async move {
                let mut every = tokio::time::interval((lease / 3).max(Duration::from_millis(100)));
                every.tick().await;
                loop {
                    every.tick().await;
                    match store.renew_job(id, &name, &timestamp_in(lease), &progress.snapshot()).await {
                        Ok(true) => {}
                        Ok(false) => {
                            let _ = lost_tx.send(true);
                            break;
                        }
                        Err(e) => tracing::warn!(job = id, error = %e, "cannot renew the lease"),
                    }
                }
            })
        };
        let config = self.state.config();
        let span = tracing::info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempts);
        let handler = sift_app::jobs::run(&self.env, &config, &job, &progress).instrument(span);
        let finished = tokio::select! {
            finished = handler => Some(finished),
            _ = lost.changed() => {
                tracing::warn!(job = job.id, "lost the lease (this process stalled); the job is another worker's now");
                None
            }
            _ = self.abandoned.changed() => {
                match self.env.store.release_job(job.id, &self.name).await {
                    Ok(_) => tracing::info!(job = job.id, "released on shutdown"),
                    Err(e) => tracing::warn!(job = job.id, error = %e, "cannot release; its lease will run out"),
                }
                None
            }
        };
        renewer.abort();
        let Some(finished) = finished else { return };
        let metrics = self.state.metrics();
        if let Some((event, outcome)) = &finished.delivery {
            metrics
                .webhook_deliveries
                .get_or_create(&OutcomeLabels { kind: event.clone(), outcome: (*outcome).to_owned() })
                .inc();
        }
        let settled =
            sift_app::jobs::settle(&self.env.store, &job, &self.name, &finished, &progress, self.env.retry_base).await;
        let outcome = match &settled {
            Ok(s) => s.name(),
            Err(e) => {
                tracing::warn!(job = job.id, error = %e, "cannot record the outcome; the lease will run out and it runs again");
                "unrecorded"
            }
        };
        match (&settled, &finished.outcome) {
            (
                Ok(Settled::Failed),
                sift_app::jobs::Outcome::Failed(e) | sift_app::jobs::Outcome::Retry { error: e, .. },
            ) => {
                tracing::warn!(job = job.id, error = %e, "job failed")
            }
            (Ok(Settled::Retried(at)), sift_app::jobs::Outcome::Retry { error, .. }) => {
                tracing::info!(job = job.id, error = %error, next = %at, "job will be retried")
            }
            _ => tracing::debug!(job = job.id, outcome, "job settled"),
        }
        metrics.jobs.get_or_create(&OutcomeLabels { kind: job.kind.clone(), outcome: outcome.to_owned() }).inc();
    }
}

/// Dispatches events, recovers expired leases, and queues the nurture scan on schedule.
async fn maintenance(state: AppState, mut stopped: watch::Receiver<bool>) {
    let store = state.store().clone();
    let scan_every = Duration::from_secs(state.settings().nurture_scan_seconds);
    let mut ticks: u64 = 0;
    let mut last_scan: Option<tokio::time::Instant> = None;
    let mut every = tokio::time::interval(MAINTENANCE_TICK);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = stopped.changed() => break,
        }
        if *stopped.borrow() {
            break;
        }
        ticks += 1;
        match sift_app::webhooks::dispatch(&store, DISPATCH_BATCH).await {
            Ok(d) if d.jobs > 0 => state.jobs().wake.notify_waiters(),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot dispatch events"),
        }
        if ticks % 5 == 0 {
            match store.recover_expired_jobs().await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::warn!(jobs = n, "jobs whose worker stopped renewing its lease are queued again");
                    state.jobs().wake.notify_waiters();
                }
                Err(e) => tracing::warn!(error = %e, "cannot recover expired jobs"),
            }
        }
        if last_scan.is_none_or(|at| at.elapsed() >= scan_every) {
            last_scan = Some(tokio::time::Instant::now());
            if let Err(e) = sift_app::jobs::enqueue_nurture_scan(&store).await {
                tracing::warn!(error = %e, "cannot queue the nurture scan");
            }
        }
    }
}
