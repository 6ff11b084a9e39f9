//! Jobs, the event outbox, webhooks and stored models, each test run on SQLite and on
//! PostgreSQL.

mod common;

use std::collections::{BTreeMap, HashSet};

use common::{connect, databases, execute};
use sift_core::{MovePlan, Stage, StageMove, Verdict};
use sift_store::events::{DeliveryJobs, EventFilter, NewWebhook};
use sift_store::jobs::{JobFilter, JobProgress, NewJob};
use sift_store::models::{LeadScore, NewModel};
use sift_store::{EventKind, JobStatus, LeadFilter, LeadRecord, LeadSort, QualificationRecord, SortKey, Store};

fn job(kind: &str, n: i64) -> NewJob<'_> {
    NewJob {
        kind,
        payload: serde_json::json!({ "n": n }),
        max_attempts: 3,
        run_at: None,
        dedupe_key: None,
        created_by: None,
    }
}

fn lease(seconds: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(seconds)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn lead(key: &str) -> LeadRecord {
    LeadRecord {
        external_id: Some(key.to_owned()),
        company: Some(format!("{key} Ltd")),
        email: Some(format!("{key}@example.com")),
        ..LeadRecord::default()
    }
    .identify()
}

async fn event_kinds(store: &Store) -> Vec<String> {
    let mut events = store.list_events(&EventFilter { limit: 1000, ..EventFilter::default() }).await.expect("events");
    events.reverse();
    events.into_iter().map(|e| e.kind).collect()
}

#[tokio::test]
async fn a_job_is_claimed_once_renewed_finished_retried_and_released_by_its_worker_only() {
    for db in databases("job_life").await {
        let store = connect(&db).await;
        let id = store.enqueue_job(&job("test.echo", 1)).await.expect("enqueue").expect("new job");
        let claimed = store.claim_job("w1", &lease(30)).await.expect("claim").expect("a due job");
        assert_eq!((claimed.id, claimed.status, claimed.attempts), (id, JobStatus::Running, 1), "{}", db.name);
        assert!(store.claim_job("w2", &lease(30)).await.expect("claim").is_none(), "{}: claimed once", db.name);

        let progress = JobProgress { done: 5, total: Some(10), message: Some("half".into()) };
        assert!(store.renew_job(id, "w1", &lease(30), &progress).await.expect("renew"));
        assert!(!store.renew_job(id, "w2", &lease(30), &progress).await.expect("renew"), "{}: not w2's", db.name);
        assert!(!store.finish_job(id, "w2", &serde_json::json!({}), &progress).await.expect("finish"));

        // A retry goes back to the queue, due later.
        let later = lease(3600);
        assert!(store.retry_job(id, "w1", &later, "receiver said 503").await.expect("retry"));
        let queued = store.job(id).await.expect("read").expect("exists");
        assert_eq!((queued.status, queued.error.as_deref()), (JobStatus::Queued, Some("receiver said 503")));
        assert!(store.claim_job("w1", &lease(30)).await.expect("claim").is_none(), "{}: not due yet", db.name);

        // A release (shutdown) gives the attempt back.
        let second = store.enqueue_job(&job("test.echo", 2)).await.expect("enqueue").expect("new");
        let c = store.claim_job("w1", &lease(30)).await.expect("claim").expect("due");
        assert_eq!(c.id, second);
        assert!(store.release_job(second, "w1").await.expect("release"));
        let again = store.claim_job("w2", &lease(30)).await.expect("claim").expect("released job is due");
        assert_eq!((again.id, again.attempts), (second, 1), "{}: a release does not count", db.name);
        assert!(store.finish_job(second, "w2", &serde_json::json!({"ok": true}), &progress).await.expect("finish"));
        let done = store.job(second).await.expect("read").expect("exists");
        assert_eq!(done.status, JobStatus::Done);
        assert_eq!(done.result, Some(serde_json::json!({"ok": true})));
        assert_eq!(done.progress, progress);
        let failed = store.enqueue_job(&job("test.echo", 3)).await.expect("enqueue").expect("new");
        store.claim_job("w3", &lease(30)).await.expect("claim").expect("due");
        assert!(store.fail_job(failed, "w3", "bad input").await.expect("fail"));
        let counts = store.count_jobs(Some("test.echo")).await.expect("counts");
        assert_eq!(counts, BTreeMap::from([("done".into(), 1), ("failed".into(), 1), ("queued".into(), 1)]));
        let listed = store
            .list_jobs(&JobFilter { status: Some(JobStatus::Failed), limit: 10, ..JobFilter::default() })
            .await
            .expect("list");
        assert_eq!(listed.iter().map(|j| j.id).collect::<Vec<_>>(), [failed]);
    }
}

#[tokio::test]
async fn a_job_whose_worker_died_returns_to_the_queue_when_its_lease_runs_out_and_fails_without_attempts() {
    for db in databases("job_lease").await {
        let store = connect(&db).await;
        let id = store.enqueue_job(&job("test.echo", 1)).await.expect("enqueue").expect("new");
        store.claim_job("dead", &lease(-1)).await.expect("claim").expect("due");
        assert_eq!(store.recover_expired_jobs().await.expect("recover"), 1, "{}", db.name);
        let back = store.job(id).await.expect("read").expect("exists");
        assert_eq!(back.status, JobStatus::Queued);
        assert!(back.error.as_deref().is_some_and(|e| e.contains("`dead`")), "{:?}", back.error);
        // The dead worker's late answer changes nothing.
        let taken = store.claim_job("alive", &lease(30)).await.expect("claim").expect("due again");
        assert_eq!((taken.id, taken.attempts), (id, 2));
        assert!(!store.finish_job(id, "dead", &serde_json::json!({}), &JobProgress::default()).await.expect("finish"));
        // Out of attempts: an expired lease fails the job.
        execute(
            &db,
            &format!("UPDATE jobs SET max_attempts = 2, lease_until = '2000-01-01T00:00:00.000Z' WHERE id = {id}"),
        )
        .await;
        assert_eq!(store.recover_expired_jobs().await.expect("recover"), 1);
        assert_eq!(store.job(id).await.expect("read").expect("exists").status, JobStatus::Failed, "{}", db.name);
    }
}

#[tokio::test]
async fn a_dedupe_key_allows_one_live_job_at_a_time() {
    for db in databases("job_dedupe").await {
        let store = connect(&db).await;
        let keyed = |n| NewJob { dedupe_key: Some("nurture.scan:42".into()), ..job("test.scan", n) };
        let first = store.enqueue_job(&keyed(1)).await.expect("enqueue");
        assert!(first.is_some());
        assert_eq!(store.enqueue_job(&keyed(2)).await.expect("enqueue"), None, "{}: queued twin", db.name);
        let c = store.claim_job("w", &lease(30)).await.expect("claim").expect("due");
        assert_eq!(store.enqueue_job(&keyed(3)).await.expect("enqueue"), None, "{}: running twin", db.name);
        store.finish_job(c.id, "w", &serde_json::json!({}), &JobProgress::default()).await.expect("finish");
        assert!(store.enqueue_job(&keyed(4)).await.expect("enqueue").is_some(), "{}: after it ended", db.name);
    }
}

#[tokio::test]
async fn two_processes_claiming_at_once_take_every_job_exactly_once() {
    for db in databases("job_race").await {
        let setup = connect(&db).await;
        for n in 0..300 {
            setup.enqueue_job(&job("test.race", n)).await.expect("enqueue");
        }
        // Two stores: two pools, as two server processes would have.
        let mut tasks = Vec::new();
        for process in 0..2 {
            let store = connect(&db).await;
            for worker in 0..3 {
                let store = store.clone();
                tasks.push(tokio::spawn(async move {
                    let name = format!("p{process}w{worker}");
                    let mut mine = Vec::new();
                    while let Some(j) = store.claim_job(&name, &lease(30)).await.expect("claim") {
                        assert!(
                            store
                                .finish_job(j.id, &name, &serde_json::json!({}), &JobProgress::default())
                                .await
                                .expect("finish")
                        );
                        mine.push(j.id);
                    }
                    mine
                }));
            }
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.expect("worker"));
        }
        let distinct: HashSet<i64> = all.iter().copied().collect();
        assert_eq!((all.len(), distinct.len()), (300, 300), "{}: every job once", db.name);
        assert_eq!(setup.count_jobs(Some("test.race")).await.expect("count"), BTreeMap::from([("done".into(), 300)]));
    }
}

#[tokio::test]
async fn changes_write_their_events_in_their_transaction() {
    for db in databases("events_tx").await {
        let store = connect(&db).await;
        let created = store.insert_lead(&lead("E1"), None).await.expect("insert");
        // A refused insert (same key) leaves no event behind.
        assert!(store.insert_lead(&lead("E1"), None).await.is_err());
        store
            .move_stage(created.id, |from| {
                MovePlan::Move(StageMove {
                    from,
                    to: Stage::Mql,
                    actor: "tester".into(),
                    reason: "form".into(),
                    message: None,
                })
            })
            .await
            .expect("move");
        let q = QualificationRecord {
            lead_id: created.id,
            framework: "bant".into(),
            framework_version: "v".into(),
            icp_version: None,
            verdict: Verdict::Qualified,
            failed_level: None,
            decision_json: "{}".into(),
            decided_by: Some("tester".into()),
            re_engage_on: None,
        };
        store
            .save_qualification(&q, |from| {
                MovePlan::Move(StageMove {
                    from,
                    to: Stage::Sql,
                    actor: "gate".into(),
                    reason: "qualified".into(),
                    message: None,
                })
            })
            .await
            .expect("save");
        // A needs-info decision that moves nothing writes nothing.
        let unsure = QualificationRecord { verdict: Verdict::NeedsInfo, ..q.clone() };
        store
            .save_qualification(&unsure, |from| MovePlan::Stay { stage: from, reason: "unsure".into(), message: None })
            .await
            .expect("save");
        assert_eq!(
            event_kinds(&store).await,
            ["lead.created", "lead.stage_changed", "lead.stage_changed", "lead.qualified"],
            "{}",
            db.name
        );
        let events = store.list_events(&EventFilter { limit: 10, ..EventFilter::default() }).await.expect("events");
        let moved = events.iter().find(|e| e.kind == "lead.stage_changed").expect("a move");
        assert_eq!(moved.data["to"], "sql");
        assert_eq!(moved.lead_id, Some(created.id));
        let ids: HashSet<&str> = events.iter().map(|e| e.public_id.as_str()).collect();
        assert_eq!(ids.len(), events.len(), "public ids are unique");
        assert!(events.iter().all(|e| e.public_id.starts_with("msg_") && e.public_id.len() == 36));
        let body: serde_json::Value = serde_json::from_str(&moved.webhook_body()).expect("JSON body");
        assert_eq!(
            (body["type"].as_str(), body["data"]["lead_id"].as_i64()),
            (Some("lead.stage_changed"), Some(created.id))
        );
    }
}

#[tokio::test]
async fn each_event_fans_out_once_to_the_unpaused_webhooks_that_want_it_even_with_two_dispatchers() {
    for db in databases("dispatch").await {
        let store = connect(&db).await;
        let hook = |url: &'static str, events: &'static [EventKind]| NewWebhook {
            url,
            events,
            secret: "whsec_dGVzdA==",
            description: None,
            created_by: None,
        };
        let everything = store.create_webhook(&hook("http://a.example/hook", &EventKind::ALL)).await.expect("hook");
        let created_only =
            store.create_webhook(&hook("http://b.example/hook", &[EventKind::LeadCreated])).await.expect("hook");
        let paused = store.create_webhook(&hook("http://c.example/hook", &EventKind::ALL)).await.expect("hook");
        assert!(store.set_webhook_paused(paused.id, true, Some("by an admin")).await.expect("pause"));
        for n in 0..40 {
            store.insert_lead(&lead(&format!("D{n}")), None).await.expect("insert");
        }
        let other = connect(&db).await;
        let jobs = DeliveryJobs { kind: "webhook.deliver", max_attempts: 5 };
        let (a, b) = tokio::join!(
            async {
                let mut total = sift_store::events::Dispatched::default();
                loop {
                    let d = store.dispatch_events(7, jobs).await.expect("dispatch");
                    if d.events == 0 {
                        break total;
                    }
                    total.events += d.events;
                    total.jobs += d.jobs;
                }
            },
            async {
                let mut total = sift_store::events::Dispatched::default();
                loop {
                    let d = other.dispatch_events(5, jobs).await.expect("dispatch");
                    if d.events == 0 {
                        break total;
                    }
                    total.events += d.events;
                    total.jobs += d.jobs;
                }
            }
        );
        assert_eq!((a.events + b.events, a.jobs + b.jobs), (40, 80), "{}", db.name);
        let deliveries = store
            .list_jobs(&JobFilter { kind: Some("webhook.deliver".into()), limit: 1000, ..JobFilter::default() })
            .await
            .expect("jobs");
        let pairs: HashSet<(i64, i64)> = deliveries
            .iter()
            .map(|j| (j.payload["event_id"].as_i64().unwrap_or(0), j.payload["webhook_id"].as_i64().unwrap_or(0)))
            .collect();
        assert_eq!(pairs.len(), 80, "{}: one job per event and webhook", db.name);
        assert!(pairs.iter().all(|(_, w)| *w == everything.id || *w == created_only.id));
        assert_eq!(store.dispatch_events(100, jobs).await.expect("dispatch").events, 0);
        assert!(store.delete_webhook(created_only.id).await.expect("delete"));
        assert_eq!(store.webhooks().await.expect("list").len(), 2);
    }
}

#[tokio::test]
async fn a_nurtured_lead_is_woken_once() {
    for db in databases("wake").await {
        let store = connect(&db).await;
        let l = store.insert_lead(&lead("N1"), None).await.expect("insert");
        execute(&db, &format!("UPDATE leads SET stage = 'nurture', re_engage_on = '2026-01-10' WHERE id = {}", l.id))
            .await;
        let plan = |from| {
            MovePlan::Move(StageMove {
                from,
                to: Stage::Mql,
                actor: "nurture schedule".into(),
                reason: "due".into(),
                message: None,
            })
        };
        assert_eq!(store.due_nurtured_leads("2026-01-09", 0, 10).await.expect("due"), []);
        assert!(store.wake_nurtured(l.id, "2026-01-09", plan).await.expect("wake").is_none(), "not due yet");
        assert_eq!(store.due_nurtured_leads("2026-01-10", 0, 10).await.expect("due"), [(l.id, "2026-01-10".into())]);
        let woke = store.wake_nurtured(l.id, "2026-01-10", plan).await.expect("wake");
        assert_eq!(woke.map(|p| p.stage()), Some(Stage::Mql), "{}", db.name);
        assert!(store.wake_nurtured(l.id, "2026-01-10", plan).await.expect("wake").is_none(), "{}: once", db.name);
        let after = store.lead(l.id).await.expect("read").expect("exists");
        assert_eq!((after.record.stage, after.re_engage_on), (Stage::Mql, None));
        assert_eq!(
            event_kinds(&store).await,
            ["lead.created", "lead.stage_changed", "lead.nurture_due"],
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn one_model_is_active_and_scores_filter_and_sort_leads() {
    for db in databases("models").await {
        let store = connect(&db).await;
        let report = serde_json::json!({ "auc": 0.8, "rows": 100 });
        let new = |activate, job_id| NewModel {
            kind: "logistic",
            label: "converted",
            report: &report,
            model: "{}",
            content_hash: "h1",
            source: Some("stored leads"),
            job_id,
            created_by: "tester",
            activate,
            trained_event: true,
        };
        let first = store.insert_model(&new(true, Some(1))).await.expect("insert");
        let second = store.insert_model(&new(true, Some(2))).await.expect("insert");
        assert!(store.insert_model(&new(false, Some(2))).await.is_err(), "{}: one model per job", db.name);
        assert_eq!(store.active_model().await.expect("active").map(|m| m.id), Some(second.id));
        assert!(store.activate_model(first.id).await.expect("activate"));
        assert!(!store.activate_model(9999).await.expect("activate"));
        let models = store.models().await.expect("models");
        assert_eq!(models.iter().filter(|m| m.active).map(|m| m.id).collect::<Vec<_>>(), [first.id], "{}", db.name);
        assert_eq!(store.model_by_job(2).await.expect("by job").map(|m| m.id), Some(second.id));
        assert_eq!(event_kinds(&store).await, ["model.trained", "model.trained"]);

        let mut ids = Vec::new();
        for n in 0..5 {
            ids.push(store.insert_lead(&lead(&format!("S{n}")), None).await.expect("insert").id);
        }
        let scores: Vec<(i64, LeadScore)> = ids
            .iter()
            .take(4)
            .enumerate()
            .map(|(i, id)| {
                let score = [40, 90, 10, 90][i];
                let s = LeadScore {
                    score,
                    probability: score as f64 / 100.0,
                    model: first.id,
                    factors: serde_json::json!({ "positive": [], "negative": [] }),
                    scored_at: "2026-01-01T00:00:00.000Z".into(),
                };
                (*id, s)
            })
            .collect();
        assert_eq!(store.save_scores(&scores).await.expect("save"), 4);
        let etag_before = store.lead(ids[0]).await.expect("read").expect("exists");
        assert_eq!(etag_before.score.as_ref().map(|s| (s.score, s.model)), Some((40, first.id)));
        let filter = LeadFilter {
            score_min: Some(40),
            sort: LeadSort { key: SortKey::Score, descending: true },
            ..LeadFilter::default()
        };
        let found: Vec<i64> = store.list_leads(&filter).await.expect("list").iter().map(|l| l.id).collect();
        assert_eq!(found, [ids[3], ids[1], ids[0]], "{}: best first, ties by id", db.name);
        // Keyset pages over the score order.
        let mut page = LeadFilter { limit: Some(2), ..filter.clone() };
        let first_page = store.list_leads(&page).await.expect("page");
        let last = first_page.last().expect("a lead");
        page.after = Some(sift_store::Cursor { value: SortKey::Score.value_of(last), id: last.id });
        let second_page: Vec<i64> = store.list_leads(&page).await.expect("page").iter().map(|l| l.id).collect();
        assert_eq!(second_page, [ids[0]], "{}", db.name);
        let low = LeadFilter { score_max: Some(10), ..LeadFilter::default() };
        assert_eq!(store.count_leads(&low).await.expect("count"), 1);
    }
}

#[tokio::test]
async fn an_import_writes_one_import_finished_event() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("leads.csv");
    let mut csv = String::from("Email,Company\n");
    for n in 0..25 {
        csv.push_str(&format!("p{n}@example.com,Firm {n}\n"));
    }
    std::fs::write(&path, csv).expect("write");
    for db in databases("import_event").await {
        let store = connect(&db).await;
        let options = sift_store::import::ImportOptions { batch_size: 10, ..Default::default() };
        sift_store::import::import_csv(&store, &path, &options, None, &()).await.expect("import");
        let events = store.list_events(&EventFilter { limit: 100, ..EventFilter::default() }).await.expect("events");
        assert_eq!(events.len(), 1, "{}: one event per import, none per row", db.name);
        assert_eq!((events[0].kind.as_str(), events[0].data["inserted"].as_i64()), ("import.finished", Some(25)));
        let run = store.latest_import_run(&path.display().to_string()).await.expect("run").expect("a run");
        assert_eq!(run.inserted, 25);
    }
}
