//! Jobs end to end on both databases: imports, training, rescoring, nurture wake-ups and
//! webhook deliveries, each run by claiming it from the jobs table as a worker does, and
//! run again where a crash could make it run twice.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sift_app::Config;
use sift_app::imports::{ImportRequest, UploadWriter};
use sift_app::jobs::{self, Finished, JobEnv, Outcome, ProgressHandle, Settled};
use sift_app::scoring::{ModelCache, RescoreRequest, TrainRequest};
use sift_app::webhooks::{self, NewSubscription, Sender, WebhookPolicy};
use sift_core::Stage;
use sift_store::events::EventFilter;
use sift_store::testing::{TestDb, connect, databases, execute};
use sift_store::{Job, JobStatus, LeadFilter, Store};

fn env(store: &Store, dir: &std::path::Path) -> JobEnv {
    let policy = WebhookPolicy { allow_private: true, timeout: Duration::from_secs(5) };
    JobEnv {
        store: store.clone(),
        data_dir: dir.to_path_buf(),
        sender: Sender::new(policy).expect("client"),
        retry_base: Duration::from_millis(1),
    }
}

fn lease() -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(60)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Claims the next due job and runs one attempt of it, as a worker does.
async fn run_next(env: &JobEnv, config: &Config) -> Option<(Job, Finished, Settled)> {
    let job = env.store.claim_job("test-worker", &lease()).await.expect("claim")?;
    let progress = ProgressHandle::new();
    let finished = jobs::run(env, config, &job, &progress).await;
    let settled =
        jobs::settle(&env.store, &job, "test-worker", &finished, &progress, env.retry_base).await.expect("settle");
    Some((job, finished, settled))
}

/// Runs every due job (retries included, their backoff being a millisecond).
async fn run_all(env: &JobEnv, config: &Config) -> Vec<(Job, Finished, Settled)> {
    let mut ran = Vec::new();
    for _ in 0..10_000 {
        match run_next(env, config).await {
            Some(r) => ran.push(r),
            None => {
                let queued = env.store.count_jobs(None).await.expect("count").get("queued").copied().unwrap_or(0);
                if queued == 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    }
    ran
}

async fn kinds(store: &Store) -> Vec<String> {
    let mut events = store.list_events(&EventFilter { limit: 1000, ..EventFilter::default() }).await.expect("events");
    events.reverse();
    events.into_iter().map(|e| e.kind).collect()
}

async fn upload(dir: &std::path::Path, name: &str, text: &str) -> String {
    let mut w = UploadWriter::create(dir, name, 10 << 20, None).await.expect("upload");
    for chunk in text.as_bytes().chunks(1000) {
        w.write(chunk).await.expect("write");
    }
    w.finish().await.expect("finish").id
}

/// 240 leads whose conversion follows industry and size (a learnable signal), and two bad rows.
fn training_csv() -> String {
    let mut csv = String::from("Email,Company,Industry,Number of Employees,Converted\n");
    for n in 0..240 {
        let industry = ["Software", "Retail", "Logistics"][n % 3];
        let employees = 20 + (n * 37) % 900;
        let converts = (industry == "Software" && n % 5 != 0) || (industry == "Logistics" && employees > 500);
        csv.push_str(&format!(
            "p{n}@firm{n}.example,Firm {n},{industry},{employees},{}\n",
            if converts { "yes" } else { "no" }
        ));
    }
    csv.push_str("broken@firm.example,Broken,Software,12,maybe\n");
    csv.push_str("short-row\n");
    csv
}

#[tokio::test]
async fn a_training_job_without_a_kind_chooses_the_model_on_the_same_folds_and_says_why() {
    let config = Config::builtin().expect("built-ins");
    let default: TrainRequest = serde_json::from_str("{}").expect("defaults");
    assert_eq!(default.kind, sift_score::ModelChoice::Auto, "auto is the default");
    let named: TrainRequest = serde_json::from_str(r#"{"kind": "auto"}"#).expect("auto by name");
    assert_eq!(named.kind, sift_score::ModelChoice::Auto);
    for db in databases("app_train_auto").await {
        let store = connect(&db).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let env = env(&store, dir.path());
        let id = upload(dir.path(), "leads.csv", &training_csv()).await;
        let request = ImportRequest { upload: id, ..ImportRequest::default() };
        sift_app::imports::enqueue_import(&store, dir.path(), &config, &request, None).await.expect("queued");
        run_all(&env, &config).await;

        let train = TrainRequest { exclude: vec!["id".into()], ..default.clone() };
        sift_app::scoring::enqueue_training(&store, &train, None).await.expect("queued");
        let (_, finished, settled) = run_next(&env, &config).await.expect("a job");
        assert_eq!(settled, Settled::Done, "{}: {:?}", db.name, finished.outcome);
        let model = store.active_model().await.expect("active").expect("a model");
        let selection = &model.report["selection"];
        let chosen = selection["chosen"].as_str().expect("the stored report says what auto chose");
        assert_eq!(model.kind, chosen, "{}: the stored kind is the chosen one", db.name);
        let candidates = selection["candidates"].as_array().expect("candidates");
        let kinds: Vec<&str> = candidates.iter().filter_map(|c| c["kind"].as_str()).collect();
        assert_eq!(kinds.len(), 3, "{kinds:?}");
        for kind in ["logistic", "gbm", "odoo-nb"] {
            assert!(kinds.contains(&kind), "{}: {kind} listed: {kinds:?}", db.name);
        }
        let chosen_auc = candidates.iter().find(|c| c["chosen"] == true).and_then(|c| c["metrics"]["auc"].as_f64());
        assert_eq!(chosen_auc, model.report["auc"].as_f64(), "the report's AUC is the winner's");
        let reason = selection["reason"].as_str().expect("a reason in words");
        assert!(reason.contains(&format!("{chosen} is chosen")), "{reason}");
        let Outcome::Done(result) = finished.outcome else { panic!("not done") };
        assert_eq!(result["chosen_because"].as_str(), Some(reason), "{result}");
    }
}

/// Regression (the server benchmark): a field only open leads have, such as a partner code
/// set on new leads, stopped training from stored leads ("column has no values"). The training
/// table keeps a field only when a lead with a known outcome has it; scoring keeps every field.
#[tokio::test]
async fn training_on_stored_leads_leaves_out_fields_only_open_leads_have() {
    let config = Config::builtin().expect("built-ins");
    for db in databases("app_train_open_fields").await {
        let store = connect(&db).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let env = env(&store, dir.path());
        let mut csv = training_csv().replace("Converted\n", "Converted,Partner Code\n");
        csv = csv
            .lines()
            .map(|l| if l.starts_with("Email") { l.to_owned() } else { format!("{l},") })
            .collect::<Vec<_>>()
            .join("\n");
        csv.push('\n');
        for n in 0..20 {
            csv.push_str(&format!("open{n}@new{n}.example,New {n},Retail,40,,P-{n}\n"));
        }
        let id = upload(dir.path(), "leads.csv", &csv).await;
        let request = ImportRequest { upload: id, ..ImportRequest::default() };
        sift_app::imports::enqueue_import(&store, dir.path(), &config, &request, None).await.expect("queued");
        run_all(&env, &config).await;

        let scoring =
            String::from_utf8(sift_app::scoring::stored_leads_csv(&store).await.expect("table")).expect("utf8");
        let training =
            String::from_utf8(sift_app::scoring::stored_training_csv(&store).await.expect("table")).expect("utf8");
        let header = |t: &str| t.lines().next().unwrap_or_default().to_owned();
        assert!(header(&scoring).contains("Partner Code"), "{}: {}", db.name, header(&scoring));
        assert!(!header(&training).contains("Partner Code"), "{}: {}", db.name, header(&training));

        let defaults: TrainRequest = serde_json::from_str("{}").expect("defaults");
        let train = TrainRequest { exclude: vec!["id".into()], ..defaults };
        sift_app::scoring::enqueue_training(&store, &train, None).await.expect("queued");
        let (_, finished, settled) = run_next(&env, &config).await.expect("a job");
        assert_eq!(settled, Settled::Done, "{}: {:?}", db.name, finished.outcome);
    }
}

#[tokio::test]
async fn an_import_job_imports_an_upload_once_with_progress_rejects_and_one_event() {
    let config = Config::builtin().expect("built-ins");
    for db in databases("app_import_job").await {
        let store = connect(&db).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let env = env(&store, dir.path());
        let id = upload(dir.path(), "../../etc/leads.csv", &training_csv()).await;
        let (_, path) = sift_app::imports::open_upload(dir.path(), &id).expect("upload");
        assert!(path.starts_with(dir.path().join("uploads")), "{}", path.display());
        let (shown, dialect, mapping) =
            sift_app::imports::preview_upload(dir.path(), &id, Default::default()).await.expect("preview");
        assert_eq!((shown.name.as_str(), dialect.delimiter), ("leads.csv", ','));
        assert_eq!(mapping.columns.len(), 5);
        assert_eq!(store.count_leads(&LeadFilter::default()).await.expect("count"), 0, "a preview writes nothing");

        let request = ImportRequest { upload: id.clone(), batch_size: Some(50), ..ImportRequest::default() };
        let job_id =
            sift_app::imports::enqueue_import(&store, dir.path(), &config, &request, None).await.expect("queued");
        let again = sift_app::imports::enqueue_import(&store, dir.path(), &config, &request, None).await;
        assert!(matches!(again, Err(sift_app::AppError::Conflict(_))), "{}: one live import per upload", db.name);
        let (job, finished, settled) = run_next(&env, &config).await.expect("a job");
        assert_eq!((job.id, &settled), (job_id, &Settled::Done), "{}: {:?}", db.name, finished.outcome);
        let done = store.job(job_id).await.expect("read").expect("exists");
        assert_eq!(done.result.as_ref().and_then(|r| r["inserted"].as_i64()), Some(240));
        assert_eq!(done.result.as_ref().and_then(|r| r["rejected"].as_i64()), Some(2));
        assert_eq!(done.progress.total, done.progress.total.map(|_| done.progress.done), "progress at the end");
        let rejects = std::fs::read_to_string(sift_app::imports::rejects_path(dir.path(), job_id)).expect("rejects");
        assert!(rejects.contains("invalid_outcome") && rejects.contains("wrong_field_count"), "{rejects}");

        // The process died after the import but before the job was marked done: the job
        // runs again and finds the finished run instead of importing twice.
        let env2 = env.clone();
        let rerun = jobs::run(&env2, &config, &done, &ProgressHandle::new()).await;
        let Outcome::Done(result) = rerun.outcome else { panic!("{}: {:?}", db.name, rerun.outcome) };
        assert_eq!(result["inserted"], 240);
        assert_eq!(kinds(&store).await, ["import.finished"], "{}: one event for the import", db.name);
        assert_eq!(store.count_leads(&LeadFilter::default()).await.expect("count"), 240);
    }
}

#[tokio::test]
async fn uploads_stay_in_their_folder_and_under_the_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (raw, shown) in [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\leads.csv", "leads.csv"),
        ("..", "upload.csv"),
        ("", "upload.csv"),
        ("a\u{0}b\nc.csv", "abc.csv"),
        (".hidden.csv", "hidden.csv"),
    ] {
        assert_eq!(sift_app::imports::upload_name(raw), shown, "{raw:?}");
    }
    let mut w = UploadWriter::create(dir.path(), "big.csv", 10, None).await.expect("writer");
    w.write(b"0123456789").await.expect("at the limit");
    let e = w.write(b"x").await.expect_err("over the limit");
    assert!(matches!(e, sift_app::AppError::TooLarge { limit: 10 }), "{e}");
    drop(w);
    let left: Vec<_> = std::fs::read_dir(dir.path().join("uploads")).expect("dir").collect();
    assert!(left.is_empty(), "a refused upload leaves nothing behind");
    for bad in ["../x", "0123", "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ", "../../../../../../etc/passwd"] {
        assert!(sift_app::imports::open_upload(dir.path(), bad).expect_err(bad).is_invalid_input());
    }
}

#[tokio::test]
async fn training_stores_one_model_per_job_and_rescoring_keeps_scores_with_the_model_version() {
    let config = Config::builtin().expect("built-ins");
    for db in databases("app_train_job").await {
        let store = connect(&db).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let env = env(&store, dir.path());
        let id = upload(dir.path(), "leads.csv", &training_csv()).await;
        let request = ImportRequest { upload: id, ..ImportRequest::default() };
        sift_app::imports::enqueue_import(&store, dir.path(), &config, &request, None).await.expect("queued");
        run_all(&env, &config).await;

        let bad = TrainRequest { folds: Some(1), ..serde_json::from_str("{}").expect("defaults") };
        assert!(sift_app::scoring::enqueue_training(&store, &bad, None).await.expect_err("folds").is_invalid_input());
        let train: TrainRequest = serde_json::from_str(r#"{"kind": "logistic", "exclude": ["id"]}"#).expect("request");
        let job_id = sift_app::scoring::enqueue_training(&store, &train, None).await.expect("queued");
        let (_, finished, settled) = run_next(&env, &config).await.expect("a job");
        assert_eq!(settled, Settled::Done, "{}: {:?}", db.name, finished.outcome);
        let model = store.active_model().await.expect("active").expect("the first model becomes active");
        assert_eq!((model.job_id, model.kind.as_str()), (Some(job_id), "logistic"));
        let auc = model.report["auc"].as_f64().expect("an AUC");
        assert!(auc > 0.75, "{}: the signal is learnable, AUC {auc}", db.name);
        // Run again (a crash before the job was marked done): the same model, no second one.
        let job = store.job(job_id).await.expect("read").expect("exists");
        let rerun = jobs::run(&env, &config, &job, &ProgressHandle::new()).await;
        let Outcome::Done(result) = rerun.outcome else { panic!("{:?}", rerun.outcome) };
        assert_eq!(result["model_version"], model.id);
        assert_eq!(store.models().await.expect("models").len(), 1);

        let rescore =
            sift_app::scoring::enqueue_rescore(&store, &RescoreRequest::default(), None).await.expect("queued");
        let (_, finished, settled) = run_next(&env, &config).await.expect("a job");
        assert_eq!(settled, Settled::Done, "{:?}", finished.outcome);
        let job = store.job(rescore).await.expect("read").expect("exists");
        assert_eq!(job.result.as_ref().and_then(|r| r["scored"].as_i64()), Some(240));
        assert_eq!((job.progress.done, job.progress.total), (240, Some(240)));
        let leads = store.list_leads(&LeadFilter::default()).await.expect("leads");
        assert!(leads.iter().all(|l| l.score.as_ref().is_some_and(|s| s.model == model.id)), "{}", db.name);
        // The stored score is the one computed on the fly.
        let cache = ModelCache::default();
        let one = &leads[7];
        let fly = sift_app::scoring::score_lead(&store, &cache, one, None, 3).await.expect("score");
        assert_eq!(Some(fly.score), one.score.as_ref().map(|s| s.score));
        assert!(!fly.positive.is_empty() || !fly.negative.is_empty(), "every score names its factors");
        let software_high = leads
            .iter()
            .filter(|l| l.record.industry.as_deref() == Some("Software"))
            .filter_map(|l| l.score.as_ref().map(|s| s.score))
            .sum::<i64>()
            / 80;
        let retail = leads
            .iter()
            .filter(|l| l.record.industry.as_deref() == Some("Retail"))
            .filter_map(|l| l.score.as_ref().map(|s| s.score))
            .sum::<i64>()
            / 80;
        assert!(software_high > retail + 20, "{}: software {software_high} vs retail {retail}", db.name);
        assert_eq!(kinds(&store).await, ["import.finished", "model.trained"], "{}", db.name);
    }
}

async fn nurture(db: &TestDb, store: &Store, key: &str, due: &str) -> i64 {
    let record =
        sift_store::LeadRecord { external_id: Some(key.into()), company: Some(key.into()), ..Default::default() };
    let lead = store.insert_lead(&record.identify(), None).await.expect("insert");
    execute(db, &format!("UPDATE leads SET stage = 'nurture', re_engage_on = '{due}' WHERE id = {}", lead.id)).await;
    lead.id
}

#[tokio::test]
async fn nurtured_leads_come_back_once_when_their_date_comes() {
    let config = Config::builtin().expect("built-ins");
    for db in databases("app_nurture").await {
        let store = connect(&db).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let env = env(&store, dir.path());
        let due = nurture(&db, &store, "N-due", "2020-01-01").await;
        let later = nurture(&db, &store, "N-later", "2999-01-01").await;
        assert!(jobs::enqueue_nurture_scan(&store).await.expect("scan").is_some());
        assert!(jobs::enqueue_nurture_scan(&store).await.expect("scan").is_none(), "one live scan");
        let ran = run_all(&env, &config).await;
        let kinds_run: Vec<&str> = ran.iter().map(|(j, _, _)| j.kind.as_str()).collect();
        assert_eq!(kinds_run, [jobs::NURTURE_SCAN, jobs::NURTURE_WAKE], "{}", db.name);
        let back = store.lead(due).await.expect("read").expect("exists");
        assert_eq!(back.record.stage, Stage::Mql);
        let history = store.stage_history(due).await.expect("history");
        assert_eq!(history.last().map(|h| h.reason.as_str()), Some("re-engage date reached"));
        let code = history.last().and_then(|h| h.reason_message.as_ref()).map(|m| m.code.as_str());
        assert_eq!(code, Some("lifecycle.re_engaged"), "{}", db.name);
        assert_eq!(store.lead(later).await.expect("read").expect("exists").record.stage, Stage::Nurture);
        // A second scan finds nothing due; a wake-up run twice moves the lead once.
        jobs::enqueue_nurture_scan(&store).await.expect("scan");
        let ran = run_all(&env, &config).await;
        assert_eq!(ran.len(), 1);
        let wake = store
            .list_jobs(&sift_store::jobs::JobFilter {
                kind: Some(jobs::NURTURE_WAKE.into()),
                limit: 5,
                ..Default::default()
            })
            .await
            .expect("jobs")
            .remove(0);
        let rerun = jobs::run(&env, &config, &wake, &ProgressHandle::new()).await;
        assert_eq!(
            rerun.outcome,
            Outcome::Done(
                serde_json::json!({"lead_id": due, "woke": false, "explanation": "no longer nurtured or not due"})
            )
        );
        assert_eq!(store.stage_history(due).await.expect("history").len(), history.len());
        let k = kinds(&store).await;
        assert_eq!(k.iter().filter(|k| *k == "lead.nurture_due").count(), 1, "{}: {k:?}", db.name);
    }
}

/// What the test receiver saw: (webhook-id, timestamp, signature, body).
type Seen = Arc<Mutex<Vec<(String, i64, String, String)>>>;

/// A receiver on 127.0.0.1 that answers with the statuses given in turn (then 200).
async fn receiver(statuses: Vec<u16>) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let answers = Arc::new(Mutex::new(statuses));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post({
            let seen = seen.clone();
            move |headers: axum::http::HeaderMap, body: String| {
                let seen = seen.clone();
                let answers = answers.clone();
                async move {
                    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                    let ts = h("webhook-timestamp").parse::<i64>().unwrap_or(0);
                    seen.lock().expect("lock").push((h("webhook-id"), ts, h("webhook-signature"), body));
                    let mut a = answers.lock().expect("lock");
                    let status = if a.is_empty() { 200 } else { a.remove(0) };
                    (axum::http::StatusCode::from_u16(status).expect("status"), "thanks")
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

#[tokio::test]
async fn events_are_delivered_signed_retried_with_the_same_id_and_logged() {
    let config = Config::builtin().expect("built-ins");
    for db in databases("app_webhooks").await {
        let store = connect(&db).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let env = env(&store, dir.path());
        let (url, seen) = receiver(vec![503, 500]).await;
        let strict = WebhookPolicy::default();
        let refused = webhooks::create(
            &store,
            &NewSubscription { url: &url, events: &["lead.created".into()], description: None },
            None,
            &strict,
        )
        .await;
        assert!(refused.expect_err("loopback refused").to_string().contains("public"), "{}", db.name);
        let bad_events = webhooks::create(
            &store,
            &NewSubscription { url: &url, events: &["lead.created".into(), "lead.exploded".into()], description: None },
            None,
            &WebhookPolicy { allow_private: true, ..strict },
        )
        .await;
        assert!(bad_events.expect_err("unknown kind").to_string().contains("lead.exploded"));
        let (hook, secret) = webhooks::create(
            &store,
            &NewSubscription { url: &url, events: &["lead.created".into()], description: Some("CRM") },
            None,
            &WebhookPolicy { allow_private: true, ..strict },
        )
        .await
        .expect("created");
        let record = sift_store::LeadRecord { external_id: Some("W-1".into()), ..Default::default() }.identify();
        let lead = store.insert_lead(&record, None).await.expect("insert");
        assert_eq!(webhooks::dispatch(&store, 100).await.expect("dispatch").jobs, 1);
        let ran = run_all(&env, &config).await;
        let settled: Vec<&str> = ran.iter().map(|(_, _, s)| s.name()).collect();
        assert_eq!(settled, ["retried", "retried", "done"], "{}", db.name);
        assert_eq!(ran[2].1.delivery, Some(("lead.created".to_owned(), "delivered")));
        let seen = seen.lock().expect("lock").clone();
        assert_eq!(seen.len(), 3);
        let ids: std::collections::HashSet<&str> = seen.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(ids.len(), 1, "{}: one webhook-id across retries", db.name);
        for (id, ts, signature, body) in &seen {
            assert!(webhooks::verify(&secret, id, *ts, body.as_bytes(), signature), "{}: signature", db.name);
            let payload: serde_json::Value = serde_json::from_str(body).expect("JSON");
            assert_eq!(
                (payload["type"].as_str(), payload["data"]["lead_id"].as_i64()),
                (Some("lead.created"), Some(lead.id))
            );
        }
        let log = store.deliveries(hook.id, None, None, 10).await.expect("log");
        let statuses: Vec<(Option<i64>, &str)> =
            log.iter().rev().map(|d| (d.status_code, d.outcome.as_str())).collect();
        assert_eq!(statuses, [(Some(503), "failed"), (Some(500), "failed"), (Some(200), "delivered")]);
        assert_eq!(log[0].response.as_deref(), Some("thanks"));
        assert!(log[2].error.as_deref().is_some_and(|e| e.contains("503")));

        // A manual redeliver sends the same event again with the same id.
        let event =
            store.list_events(&EventFilter { limit: 1, ..EventFilter::default() }).await.expect("events").remove(0);
        webhooks::redeliver(&store, hook.id, event.id, None).await.expect("queued");
        let conflict = webhooks::redeliver(&store, hook.id, event.id, None).await;
        assert!(matches!(conflict, Err(sift_app::AppError::Conflict(_))), "one live delivery per event and webhook");
        run_all(&env, &config).await;
        assert_eq!(store.deliveries(hook.id, Some(event.id), None, 10).await.expect("log").len(), 4);
    }
}

#[tokio::test]
async fn a_receiver_that_answers_410_gone_pauses_its_webhook_and_a_dead_one_fails_after_its_attempts() {
    let config = Config::builtin().expect("built-ins");
    for db in databases("app_webhook_gone").await {
        let store = connect(&db).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let env = env(&store, dir.path());
        let (url, _) = receiver(vec![410]).await;
        let policy = WebhookPolicy { allow_private: true, timeout: Duration::from_secs(2) };
        let events = vec!["lead.created".to_owned()];
        let (gone, _) =
            webhooks::create(&store, &NewSubscription { url: &url, events: &events, description: None }, None, &policy)
                .await
                .expect("created");
        // Nothing listens on this port (it was bound and released).
        let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
        let (dead, _) = webhooks::create(
            &store,
            &NewSubscription { url: &format!("http://{free}/hook"), events: &events, description: None },
            None,
            &policy,
        )
        .await
        .expect("created");
        let record = sift_store::LeadRecord { external_id: Some("G-1".into()), ..Default::default() }.identify();
        store.insert_lead(&record, None).await.expect("insert");
        webhooks::dispatch(&store, 100).await.expect("dispatch");
        run_all(&env, &config).await;
        let gone = store.webhook(gone.id).await.expect("read").expect("exists");
        assert!(
            gone.paused && gone.paused_reason.as_deref().is_some_and(|r| r.contains("410")),
            "{}: {gone:?}",
            db.name
        );
        let failed = store
            .list_jobs(&sift_store::jobs::JobFilter {
                status: Some(JobStatus::Failed),
                limit: 10,
                ..Default::default()
            })
            .await
            .expect("jobs");
        assert_eq!(failed.len(), 1, "{}", db.name);
        assert_eq!(failed[0].attempts, webhooks::DELIVERY_ATTEMPTS);
        assert!(
            failed[0].error.as_deref().is_some_and(|e| e.contains("gave up after 10 attempts")),
            "{:?}",
            failed[0].error
        );
        assert_eq!(store.deliveries(dead.id, None, None, 100).await.expect("log").len(), 10);
    }
}

#[test]
fn backoff_doubles_with_jitter_caps_and_honours_retry_after() {
    let base = Duration::from_secs(10);
    for attempt in 1..=5 {
        let wait = jobs::backoff(attempt, base, None);
        let plain = base * 2u32.pow(attempt as u32 - 1);
        assert!(wait >= plain && wait <= plain.mul_f64(1.2), "attempt {attempt}: {wait:?}");
    }
    assert_eq!(jobs::backoff(40, base, None), jobs::MAX_BACKOFF);
    assert_eq!(jobs::backoff(1, base, Some(Duration::from_secs(120))), Duration::from_secs(120));
    assert!(jobs::backoff(1, base, Some(Duration::from_secs(1))) >= base);
}
