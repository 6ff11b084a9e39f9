//! Two `sift serve` processes share one PostgreSQL database: 1,000 jobs (nurture wake-ups,
//! each moving a lead and writing two events) and their 2,000 webhook deliveries. One
//! process is killed with SIGKILL midway. Every job must end done exactly once in effect
//! (one move and one pair of events per lead), and every event must reach the receiver at
//! least once, always under the same `webhook-id`, none lost.
//!
//! PostgreSQL only (SQLite serves one process); skipped with a message when no server
//! answers, unless `SIFT_REQUIRE_POSTGRES=1`.

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sift_store::accounts::{NewUser, Role};
use sift_store::testing::{TestDb, databases, execute};
use sift_store::{LeadRecord, Store};
use sqlx::Row;

const LEADS: usize = 1_000;
/// Kill the first process once this many wake-ups and this many deliveries are done.
const KILL_AFTER: i64 = 300;
const DEADLINE: Duration = Duration::from_secs(50);

/// Deliveries seen by the receiver: webhook-id -> (times received, signatures all valid).
type Received = Arc<Mutex<HashMap<String, (u32, bool)>>>;

async fn receiver(secret: Arc<Mutex<String>>) -> (String, Received) {
    let received: Received = Arc::default();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post({
            let received = received.clone();
            move |headers: axum::http::HeaderMap, body: String| {
                let received = received.clone();
                let secret = secret.clone();
                async move {
                    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                    let (id, sig) = (h("webhook-id"), h("webhook-signature"));
                    let ts = h("webhook-timestamp").parse::<i64>().unwrap_or(0);
                    let key = secret.lock().expect("lock").clone();
                    let valid = sift_app::webhooks::verify(&key, &id, ts, body.as_bytes(), &sig);
                    {
                        let mut seen = received.lock().expect("lock");
                        let entry = seen.entry(id).or_insert((0, true));
                        entry.0 += 1;
                        entry.1 &= valid;
                    }
                    // Counted on arrival, answered after a little work: a sender killed in
                    // between never learns it was delivered, and sends it again.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    axum::http::StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

fn serve(db: &TestDb, data_dir: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_sift"))
        .args(["--db", &db.url, "serve", "--bind", "127.0.0.1:0"])
        .env("SIFT_DATA_DIR", data_dir)
        .env("SIFT_JOB_WORKERS", "4")
        .env("SIFT_JOB_LEASE_SECONDS", "2")
        .env("SIFT_JOB_RETRY_BASE_SECONDS", "1")
        .env("SIFT_WEBHOOK_ALLOW_PRIVATE", "true")
        .env("SIFT_NURTURE_SCAN_SECONDS", "86400")
        .env("SIFT_ARGON2_MEMORY_KIB", "8")
        .env("SIFT_ARGON2_ITERATIONS", "1")
        .env("SIFT_SHUTDOWN_GRACE_SECONDS", "5")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sift serve")
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url).await.expect("connect");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&mut conn).await.expect(sql);
    row.try_get::<i64, _>(0).expect("a count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_one_killed_every_job_done_once_and_every_event_delivered() {
    let Some(db) = databases("kill").await.into_iter().find(|d| d.name == "postgres") else {
        eprintln!("two_servers_one_killed: skipped, it needs PostgreSQL (see SIFT_TEST_POSTGRES_URL)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::connect(&db.url).await.expect("connect");
    // A user exists, so that neither process creates the first admin (they would race).
    store
        .create_user(&NewUser {
            username: "owner",
            display_name: None,
            role: Role::Admin,
            team: None,
            language: None,
            password_hash: "not-a-hash",
            must_change_password: false,
        })
        .await
        .expect("user");
    let records: Vec<LeadRecord> = (0..LEADS)
        .map(|n| {
            LeadRecord {
                external_id: Some(format!("K{n:04}")),
                company: Some(format!("Firm {n}")),
                ..Default::default()
            }
            .identify()
        })
        .collect();
    store.upsert_leads(&records).await.expect("leads");
    execute(&db, "UPDATE leads SET stage = 'nurture', re_engage_on = '2020-01-01'").await;
    let secret = Arc::new(Mutex::new(String::new()));
    let (url, received) = receiver(secret.clone()).await;
    let policy = sift_app::webhooks::WebhookPolicy { allow_private: true, timeout: Duration::from_secs(5) };
    let events = ["lead.nurture_due".to_owned(), "lead.stage_changed".to_owned()];
    let (_, key) = sift_app::webhooks::create(
        &store,
        &sift_app::webhooks::NewSubscription { url: &url, events: &events, description: None },
        None,
        &policy,
    )
    .await
    .expect("webhook");
    *secret.lock().expect("lock") = key;
    let ids: Vec<i64> =
        store.list_leads(&sift_store::LeadFilter::default()).await.expect("leads").iter().map(|l| l.id).collect();
    // The wake-ups fall due over six seconds from three seconds on (once the servers are
    // up), so that wake-ups and deliveries run side by side when the kill comes.
    let mut last_job = 0;
    let first_due = chrono::Utc::now() + chrono::Duration::seconds(3);
    for (n, id) in ids.iter().enumerate() {
        let run_at = first_due + chrono::Duration::milliseconds(6 * n as i64);
        let job = sift_store::jobs::NewJob {
            kind: sift_app::jobs::NURTURE_WAKE,
            payload: serde_json::json!({ "lead_id": id }),
            max_attempts: 5,
            run_at: Some(run_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            dedupe_key: Some(format!("{}:{id}", sift_app::jobs::NURTURE_WAKE)),
            created_by: None,
        };
        last_job = store.enqueue_job(&job).await.expect("enqueue").expect("a new job");
    }

    let started = Instant::now();
    let mut doomed = serve(&db, dir.path());
    let mut survivor = serve(&db, dir.path());
    let wakes_done =
        format!("SELECT count(*) FROM jobs WHERE kind = 'nurture.wake' AND status = 'done' AND id <= {last_job}");
    let wakes_done = wakes_done.as_str();
    let deliveries_done = "SELECT count(*) FROM jobs WHERE kind = 'webhook.deliver' AND status = 'done'";
    loop {
        let done = count(&db, wakes_done).await;
        let delivered = count(&db, deliveries_done).await;
        if done >= KILL_AFTER && delivered >= KILL_AFTER {
            break;
        }
        assert!(started.elapsed() < DEADLINE, "only {done} wake-ups and {delivered} deliveries done");
        assert!(doomed.try_wait().expect("wait").is_none(), "the first server stopped by itself");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let doomed_pid = doomed.id();
    doomed.kill().expect("SIGKILL");
    let _ = doomed.wait();
    let killed_at = started.elapsed();
    let done_at_kill = count(&db, wakes_done).await;
    let held_deliveries = count(
        &db,
        &format!("SELECT count(*) FROM jobs WHERE status = 'running' AND kind = 'webhook.deliver' AND locked_by LIKE '%:{doomed_pid}:%'"),
    )
    .await;
    let delivered_at_kill = count(&db, deliveries_done).await;
    let held_at_kill = count(
        &db,
        &format!("SELECT count(*) FROM jobs WHERE status = 'running' AND locked_by LIKE '%:{doomed_pid}:%'"),
    )
    .await;

    // The survivor finishes everything, the killed process's jobs included.
    let expected_events = 2 * LEADS;
    loop {
        let open = count(&db, "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')").await;
        let undispatched = count(&db, "SELECT count(*) FROM events WHERE dispatched_at IS NULL").await;
        let distinct = received.lock().expect("lock").len();
        if open == 0 && undispatched == 0 && distinct >= expected_events {
            break;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "not finished in time: {open} jobs open, {undispatched} events undispatched, {distinct} events received"
        );
        assert!(survivor.try_wait().expect("wait").is_none(), "the surviving server stopped");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    // A graceful stop of the survivor (SIGTERM).
    let _ = Command::new("kill").args(["-TERM", &survivor.id().to_string()]).status();
    let stop = Instant::now();
    let status = loop {
        if let Some(s) = survivor.try_wait().expect("wait") {
            break s;
        }
        if stop.elapsed() > Duration::from_secs(10) {
            let _ = survivor.kill();
            panic!("the survivor did not stop on SIGTERM");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "the survivor stopped with {status}");

    // Every job done, none failed. (The scheduler's nurture scan, run at each start, may
    // queue a wake-up for a lead whose own just finished; that one finds the lead awake and
    // does nothing: counted below as a no-op.)
    assert_eq!(count(&db, wakes_done).await, LEADS as i64);
    assert_eq!(count(&db, "SELECT count(*) FROM jobs WHERE status <> 'done'").await, 0, "every job done");
    let no_ops =
        count(&db, &format!("SELECT count(*) FROM jobs WHERE kind = 'nurture.wake' AND id > {last_job}")).await;
    // Exactly once in effect: one move and one pair of events per lead.
    assert_eq!(
        count(&db, "SELECT count(*) FROM leads WHERE stage = 'mql' AND re_engage_on IS NULL").await,
        LEADS as i64
    );
    assert_eq!(count(&db, "SELECT count(*) FROM stage_history WHERE from_stage = 'nurture'").await, LEADS as i64);
    assert_eq!(
        count(&db, "SELECT count(DISTINCT lead_id) FROM stage_history WHERE from_stage = 'nurture'").await,
        LEADS as i64
    );
    for kind in ["lead.nurture_due", "lead.stage_changed"] {
        let sql = format!("SELECT count(DISTINCT lead_id) FROM events WHERE kind = '{kind}'");
        assert_eq!(count(&db, &sql).await, LEADS as i64, "{kind}");
        let sql = format!("SELECT count(*) FROM events WHERE kind = '{kind}'");
        assert_eq!(count(&db, &sql).await, LEADS as i64, "{kind}: one per lead");
    }
    // Every event delivered at least once, under its own id, signed; none lost.
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url).await.expect("connect");
    let public: HashSet<String> = sqlx::query("SELECT public_id FROM events")
        .fetch_all(&mut conn)
        .await
        .expect("events")
        .iter()
        .map(|r| r.try_get::<String, _>(0).expect("id"))
        .collect();
    let received = received.lock().expect("lock").clone();
    let got: HashSet<String> = received.keys().cloned().collect();
    assert_eq!(public.len(), expected_events);
    assert_eq!(got, public, "every event delivered, and nothing else");
    assert!(received.values().all(|(_, valid)| *valid), "every delivery signed with the webhook's secret");
    let deliveries: u32 = received.values().map(|(n, _)| n).sum();
    let duplicates = deliveries as usize - received.len();
    let reclaimed = count(&db, "SELECT count(*) FROM jobs WHERE attempts > 1").await;
    assert!(done_at_kill < LEADS as i64, "the kill came before the end ({done_at_kill} done)");
    eprintln!(
        "kill test: {LEADS} wake-up jobs + {} delivery jobs on 2 processes; SIGKILL at {:.2} s with {done_at_kill} wake-ups and {delivered_at_kill} deliveries done and {held_at_kill} jobs held by the killed process ({held_deliveries} deliveries); \
         {} events, {deliveries} deliveries ({duplicates} duplicates), {reclaimed} jobs taken over after a lease ran out, {no_ops} extra no-op wake-ups from the start-up scans; all done in {:.2} s",
        expected_events,
        killed_at.as_secs_f64(),
        expected_events,
        elapsed.as_secs_f64()
    );
}
