//! Imports, scoring, jobs and webhooks through the real server (started on port 0, with
//! its job workers), on SQLite and on PostgreSQL.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sift_server::settings::Settings;
use sift_store::accounts::{NewUser, Role, Scope};
use sift_store::testing::databases;

struct App {
    url: String,
    http: reqwest::Client,
    admin: String,
    viewer: String,
    running: Option<sift_server::Running>,
    dir: tempfile::TempDir,
}

impl App {
    async fn spawn(database_url: &str) -> App {
        App::spawn_with(database_url, |_| {}).await
    }

    async fn spawn_with(database_url: &str, adjust: impl FnOnce(&mut Settings)) -> App {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut settings = Settings::defaults(database_url.to_owned(), dir.path().to_path_buf());
        settings.bind = "127.0.0.1:0".parse().expect("addr");
        settings.argon2_memory_kib = 8;
        settings.argon2_iterations = 1;
        settings.requests_per_second = 100_000;
        settings.max_upload_bytes = 64 * 1024;
        settings.job_workers = 2;
        settings.job_lease_seconds = 2;
        settings.job_retry_base_seconds = 1;
        settings.webhook_allow_private = true;
        settings.nurture_scan_seconds = 1;
        settings.shutdown_grace_seconds = 5;
        adjust(&mut settings);
        let running =
            sift_server::start(settings, sift_app::Config::builtin().expect("built-ins")).await.expect("start");
        let store = running.state.store().clone();
        let hash = running.state.passwords().hash("a long enough password").expect("hash");
        let mut tokens = Vec::new();
        for (name, role, scope) in [("boss", Role::Admin, Scope::Admin), ("watcher", Role::Viewer, Scope::Read)] {
            let user = store
                .create_user(&NewUser {
                    username: name,
                    display_name: None,
                    role,
                    team: None,
                    language: None,
                    password_hash: &hash,
                    must_change_password: false,
                })
                .await
                .expect("user");
            tokens.push(
                sift_app::accounts::create_token(&store, &user, "tests", scope, sift_app::accounts::TokenExpiry::Never)
                    .await
                    .expect("token")
                    .1,
            );
        }
        App {
            url: format!("http://{}", running.addr),
            http: reqwest::Client::new(),
            viewer: tokens.pop().expect("viewer"),
            admin: tokens.pop().expect("admin"),
            running: Some(running),
            dir,
        }
    }

    fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    async fn call(&self, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.at(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, &self.admin, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, &self.admin, Some(body)).await
    }

    async fn upload(&self, name: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.at(&format!("/api/v1/imports/uploads?name={name}")))
            .bearer_auth(&self.admin)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("upload");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Polls a job until it ends.
    async fn finished(&self, job: &Value) -> Value {
        let id = job["id"].as_i64().expect("a job id");
        let started = Instant::now();
        loop {
            let (status, job) = self.get(&format!("/api/v1/jobs/{id}")).await;
            assert_eq!(status, StatusCode::OK, "{job}");
            if job["status"] == "done" || job["status"] == "failed" {
                return job;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "job {id} did not finish: {job}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await.expect("shutdown");
        }
    }
}

fn leads_csv() -> String {
    let mut csv = String::from("Record ID,Email,Company,Industry,Number of Employees,Converted\n");
    for n in 0..150 {
        let industry = ["Software", "Retail", "Logistics"][n % 3];
        let converts = industry == "Software" && n % 4 != 0;
        csv.push_str(&format!(
            "R{n},p{n}@firm{n}.example,Firm {n},{industry},{},{}\n",
            20 + (n * 37) % 900,
            if converts { "yes" } else { "no" }
        ));
    }
    csv.push_str("R-bad,bad@firm.example,Bad,Software,12,perhaps\n");
    csv
}

#[tokio::test]
async fn a_csv_is_uploaded_previewed_imported_as_a_job_and_its_rejects_downloaded() {
    for db in databases("api_import").await {
        let app = App::spawn(&db.url).await;
        // Path tricks in the name stay a display name.
        let (status, upload) = app.upload("..%2F..%2Fetc%2Fleads.csv", "text/csv", leads_csv().into_bytes()).await;
        assert_eq!(status, StatusCode::CREATED, "{}: {upload}", db.name);
        assert_eq!(upload["name"], "leads.csv");
        assert_eq!(upload["preview"]["delimiter"], ",");
        let fields: BTreeMap<String, String> = upload["preview"]["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .map(|c| (c["header"].as_str().unwrap_or("").to_owned(), c["field"].as_str().unwrap_or("").to_owned()))
            .collect();
        assert_eq!(fields["Email"], "email");
        assert_eq!(fields["Converted"], "converted");
        let id = upload["id"].as_str().expect("id").to_owned();
        let (status, preview) = app
            .post(&format!("/api/v1/imports/uploads/{id}/preview"), json!({"mapping": {"Industry": "custom"}}))
            .await;
        assert_eq!(status, StatusCode::OK, "{preview}");
        assert!(
            preview["columns"]
                .as_array()
                .expect("columns")
                .iter()
                .any(|c| c["header"] == "Industry" && c["field"] == "custom")
        );
        let (status, bad) = app
            .post(&format!("/api/v1/imports/uploads/{id}/preview"), json!({"mapping": {"Industry": "salary"}}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let (_, leads) = app.get("/api/v1/leads?count=true").await;
        assert_eq!(leads["total"], 0, "{}: a preview writes nothing", db.name);

        let (status, job) = app.post("/api/v1/imports", json!({"upload": id, "batch_size": 40})).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{job}");
        let job = app.finished(&job).await;
        assert_eq!(job["status"], "done", "{}: {job}", db.name);
        assert_eq!((job["result"]["inserted"].as_i64(), job["result"]["rejected"].as_i64()), (Some(150), Some(1)));
        assert_eq!(job["progress"]["done"], job["progress"]["total"]);
        let rejects = app
            .http
            .get(app.at(&format!("/api/v1/imports/{}/rejects", job["id"])))
            .bearer_auth(&app.admin)
            .send()
            .await
            .expect("rejects");
        assert_eq!(rejects.status(), StatusCode::OK);
        assert!(rejects.headers()["content-type"].to_str().expect("type").starts_with("text/csv"));
        let text = rejects.text().await.expect("text");
        assert!(text.contains("invalid_outcome") && text.contains("perhaps"), "{text}");
        let (_, events) = app.get("/api/v1/events?kind=import.finished").await;
        assert_eq!(events.as_array().map(Vec::len), Some(1), "{}: one event per import: {events}", db.name);

        // Too large: refused, nothing kept. Not text: refused, nothing kept.
        let (status, problem) = app.upload("big.csv", "text/csv", vec![b'a'; 70 * 1024]).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
        assert_eq!(problem["type"], "urn:sift:problem:payload-too-large");
        let (status, problem) = app.upload("x.csv", "application/octet-stream", vec![0, 159, 146, 150, 0, 0, 1]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let (status, _) = app.upload("x.json", "application/json", b"{}".to_vec()).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let kept = std::fs::read_dir(app.dir.path().join("uploads")).expect("uploads").count();
        assert_eq!(kept, 2, "{}: one upload and its record, nothing of the refused ones", db.name);

        // A browser form: multipart/form-data with a `file` part.
        let boundary = "XsiftX";
        let mut form = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\\\tmp\\\\crm.csv\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .into_bytes();
        form.extend_from_slice(b"Email,Company\nz@z.example,Zed\n");
        form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let (status, multipart) = app.upload("", &format!("multipart/form-data; boundary={boundary}"), form).await;
        assert_eq!(status, StatusCode::CREATED, "{multipart}");
        assert_eq!((multipart["name"].as_str(), multipart["bytes"].as_i64()), (Some("crm.csv"), Some(30)));

        // Viewers import nothing; others' jobs are not found.
        let (status, _) =
            app.call(reqwest::Method::POST, "/api/v1/imports", &app.viewer, Some(json!({"upload": id}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) =
            app.call(reqwest::Method::GET, &format!("/api/v1/jobs/{}", job["id"]), &app.viewer, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        app.stop().await;
    }
}

#[tokio::test]
async fn a_model_is_trained_activated_and_scores_leads_on_the_fly_and_in_batch() {
    for db in databases("api_scoring").await {
        let app = App::spawn(&db.url).await;
        let (_, upload) = app.upload("leads.csv", "text/csv", leads_csv().into_bytes()).await;
        let (_, job) = app.post("/api/v1/imports", json!({"upload": upload["id"]})).await;
        app.finished(&job).await;

        let (status, problem) = app.get("/api/v1/leads/1/score").await;
        assert_eq!(status, StatusCode::CONFLICT, "{}: no model yet: {problem}", db.name);
        let (status, problem) = app.post("/api/v1/models/train", json!({"kind": "forest"})).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("kind")));
        // `auto` is accepted by name (refused here for its folds, after the kind was read).
        let (status, problem) = app.post("/api/v1/models/train", json!({"kind": "auto", "folds": 1})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert!(problem.to_string().contains("folds `1` is out of range"), "{problem}");
        // Without a kind: auto, which says what it chose and why.
        let (status, job) = app.post("/api/v1/models/train", json!({})).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{job}");
        let job = app.finished(&job).await;
        assert_eq!(job["status"], "done", "{}: {job}", db.name);
        let (_, models) = app.get("/api/v1/models").await;
        let model = &models[0];
        let selection = &model["report"]["selection"];
        assert_eq!(model["kind"], selection["chosen"], "{models}");
        assert_eq!(selection["candidates"].as_array().map(Vec::len), Some(3), "{selection}");
        assert!(selection["reason"].as_str().is_some_and(|r| r.contains("is chosen")), "{selection}");
        assert_eq!(job["result"]["chosen_because"], selection["reason"], "{job}");
        assert_eq!(model["active"].as_bool(), Some(true), "{models}");
        assert!(model["report"]["auc"].as_f64().is_some_and(|auc| auc > 0.7), "{}", model["report"]);
        let version = model["version"].as_i64().expect("version");

        let (_, page) = app.get("/api/v1/leads?limit=200").await;
        let software =
            page["items"].as_array().expect("items").iter().find(|l| l["industry"] == "Software").expect("one");
        let (status, score) = app.get(&format!("/api/v1/leads/{}/score?top=2", software["id"])).await;
        assert_eq!(status, StatusCode::OK, "{score}");
        assert_eq!(score["model_version"], version);
        assert!(score["positive"].as_array().is_some_and(|p| p.len() <= 2));
        let (status, _) = app.get("/api/v1/leads/1/score?model=999").await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let (status, job) = app.post("/api/v1/scores/rescore", json!({})).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{job}");
        let job = app.finished(&job).await;
        assert_eq!(job["result"]["scored"], 150, "{job}");
        let (_, best) = app.get("/api/v1/leads?sort=-score&score_min=50&limit=500&count=true").await;
        let items = best["items"].as_array().expect("items");
        assert!(!items.is_empty(), "{}: {best}", db.name);
        let scores: Vec<i64> = items.iter().map(|l| l["score"]["score"].as_i64().expect("scored")).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]) && scores.iter().all(|s| *s >= 50), "{scores:?}");
        assert_eq!(items[0]["score"]["model_version"], version);
        // Keyset pages over the score order cover the same leads.
        let mut seen = Vec::new();
        let mut cursor = String::new();
        loop {
            let (_, page) = app.get(&format!("/api/v1/leads?sort=-score&score_min=50&limit=7{cursor}")).await;
            seen.extend(page["items"].as_array().expect("items").iter().map(|l| l["id"].as_i64().unwrap_or(0)));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen, items.iter().map(|l| l["id"].as_i64().unwrap_or(0)).collect::<Vec<_>>());
        let (status, problem) = app.get("/api/v1/leads?score_min=0").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let (status, _) =
            app.call(reqwest::Method::POST, &format!("/api/v1/models/{version}/activate"), &app.viewer, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app.post(&format!("/api/v1/models/{version}/activate"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let (_, events) = app.get("/api/v1/events?kind=model.trained").await;
        assert_eq!(events.as_array().map(Vec::len), Some(1));
        let metrics = app.http.get(app.at("/metrics")).send().await.expect("metrics").text().await.expect("text");
        assert!(metrics.contains("sift_jobs_total{kind=\"model.train\",outcome=\"done\"} 1"), "{metrics}");
        app.stop().await;
    }
}

/// What the receiver saw: webhook-id, timestamp, signature, body.
type Seen = Arc<Mutex<Vec<(String, i64, String, String)>>>;

async fn receiver() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post({
            let seen = seen.clone();
            move |headers: axum::http::HeaderMap, body: String| {
                let seen = seen.clone();
                async move {
                    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                    let first = {
                        let mut s = seen.lock().expect("lock");
                        s.push((
                            h("webhook-id"),
                            h("webhook-timestamp").parse().unwrap_or(0),
                            h("webhook-signature"),
                            body,
                        ));
                        s.len() == 1
                    };
                    // The first delivery fails, so that one retry is seen.
                    if first { axum::http::StatusCode::SERVICE_UNAVAILABLE } else { axum::http::StatusCode::NO_CONTENT }
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
async fn webhooks_are_managed_by_admins_and_deliver_signed_events_with_retries() {
    for db in databases("api_webhooks").await {
        let app = App::spawn(&db.url).await;
        let (url, seen) = receiver().await;
        let (status, problem) =
            app.post("/api/v1/webhooks", json!({"url": "file:///etc/passwd", "events": ["lead.created"]})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let (status, _) = app
            .call(
                reqwest::Method::POST,
                "/api/v1/webhooks",
                &app.viewer,
                Some(json!({"url": url, "events": ["lead.created"]})),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, created) =
            app.post("/api/v1/webhooks", json!({"url": url, "events": ["lead.created", "lead.stage_changed"]})).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let secret = created["secret"].as_str().expect("secret").to_owned();
        assert!(secret.starts_with("whsec_"));
        let hook = created["webhook"]["id"].as_i64().expect("id");
        let (_, listed) = app.get("/api/v1/webhooks").await;
        assert!(!listed.to_string().contains(&secret), "the secret is shown once");

        let (status, lead) = app.post("/api/v1/leads", json!({"external_id": "H-1", "company": "Hook Ltd"})).await;
        assert_eq!(status, StatusCode::CREATED, "{lead}");
        let started = Instant::now();
        while seen.lock().expect("lock").len() < 2 {
            assert!(started.elapsed() < Duration::from_secs(20), "{}: no delivery", db.name);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let seen_now = seen.lock().expect("lock").clone();
        assert_eq!(seen_now[0].0, seen_now[1].0, "the retry carries the same webhook-id");
        for (id, ts, sig, body) in &seen_now {
            assert!(sift_app::webhooks::verify(&secret, id, *ts, body.as_bytes(), sig), "{}: bad signature", db.name);
        }
        let (_, log) = app.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await;
        let outcomes: Vec<&str> =
            log.as_array().expect("log").iter().rev().map(|d| d["outcome"].as_str().unwrap_or("")).collect();
        assert_eq!(outcomes, ["failed", "delivered"], "{log}");

        // Paused: a new event is not sent; a redeliver by hand is.
        let (status, _) = app
            .call(
                reqwest::Method::PATCH,
                &format!("/api/v1/webhooks/{hook}"),
                &app.admin,
                Some(json!({"paused": true})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        app.post("/api/v1/leads", json!({"external_id": "H-2"})).await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(seen.lock().expect("lock").len(), 2, "{}: nothing sent while paused", db.name);
        let event = log[0]["event_id"].as_i64().expect("event");
        let (status, job) = app.post(&format!("/api/v1/webhooks/{hook}/redeliver"), json!({"event_id": event})).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{job}");
        app.finished(&job).await;
        assert_eq!(seen.lock().expect("lock").len(), 3);
        assert_eq!(seen.lock().expect("lock")[2].0, seen_now[0].0, "a redelivery keeps the webhook-id");

        // A new address: refused with what is wrong when it is not http(s) or a kind is
        // unknown, and then nothing changes; taken, resumed, the next event goes there.
        let at = format!("/api/v1/webhooks/{hook}");
        let patch = |body: Value| app.call(reqwest::Method::PATCH, &at, &app.admin, Some(body));
        let (status, problem) = patch(json!({"url": "file:///etc/passwd", "paused": false})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let (status, problem) = patch(json!({"url": "https://example.com/x", "events": ["lead.nope"]})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let (_, still) = app.get(&format!("/api/v1/webhooks/{hook}")).await;
        assert_eq!((still["url"].as_str(), &still["paused"]), (Some(url.as_str()), &json!(true)), "{still}");
        let (moved_to, seen_there) = receiver().await;
        let (status, moved) = patch(json!({"url": moved_to, "paused": false})).await;
        assert_eq!((status, moved["url"].as_str()), (StatusCode::OK, Some(moved_to.as_str())), "{moved}");
        app.post("/api/v1/leads", json!({"external_id": "H-3"})).await;
        let started = Instant::now();
        while seen_there.lock().expect("lock").is_empty() {
            assert!(started.elapsed() < Duration::from_secs(20), "{}: nothing at the new address", db.name);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (id, ts, sig, body) = seen_there.lock().expect("lock")[0].clone();
        assert!(sift_app::webhooks::verify(&secret, &id, ts, body.as_bytes(), &sig), "the secret stays");
        assert_eq!(seen.lock().expect("lock").len(), 3, "{}: nothing more at the old address", db.name);
        let (status, _) =
            app.call(reqwest::Method::DELETE, &format!("/api/v1/webhooks/{hook}"), &app.admin, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = app.get(&format!("/api/v1/webhooks/{hook}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let metrics = app.http.get(app.at("/metrics")).send().await.expect("metrics").text().await.expect("text");
        assert!(
            metrics.contains("sift_webhook_deliveries_total{kind=\"lead.created\",outcome=\"delivered\"}"),
            "{metrics}"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn the_scheduler_brings_nurtured_leads_back_when_their_date_comes() {
    for db in databases("api_nurture").await {
        let app = App::spawn(&db.url).await;
        let (_, lead) = app.post("/api/v1/leads", json!({"external_id": "Z-1"})).await;
        let id = lead["id"].as_i64().expect("id");
        sift_store::testing::execute(
            &db,
            &format!("UPDATE leads SET stage = 'nurture', re_engage_on = '2020-01-01' WHERE id = {id}"),
        )
        .await;
        let started = Instant::now();
        loop {
            let (_, lead) = app.get(&format!("/api/v1/leads/{id}")).await;
            if lead["stage"] == "mql" {
                assert_eq!(lead["re_engage_on"], Value::Null);
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "{}: still {lead}", db.name);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (_, events) = app.get(&format!("/api/v1/events?lead_id={id}&kind=lead.nurture_due")).await;
        assert_eq!(events.as_array().map(Vec::len), Some(1), "{events}");
        let (_, doc) = app.get("/api/v1/openapi.json").await;
        for path in [
            "/api/v1/jobs/{id}",
            "/api/v1/imports/uploads",
            "/api/v1/imports/{job}/rejects",
            "/api/v1/models/train",
            "/api/v1/leads/{id}/score",
            "/api/v1/scores/rescore",
            "/api/v1/webhooks/{id}/redeliver",
            "/api/v1/events",
        ] {
            assert!(doc["paths"].get(path).is_some(), "{path} is documented");
        }
        app.stop().await;
    }
}

/// A receiver that takes `delay` to answer.
async fn slow_receiver(delay: Duration) -> String {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || async move {
            tokio::time::sleep(delay).await;
            axum::http::StatusCode::OK
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// Starts a delivery that takes `delay`, waits until a worker runs it, and shuts down.
async fn shut_down_during_a_delivery(db: &sift_store::testing::TestDb, delay: Duration, grace: u64) -> sift_store::Job {
    let app = App::spawn_with(&db.url, |s| s.shutdown_grace_seconds = grace).await;
    let url = slow_receiver(delay).await;
    let (status, _) = app.post("/api/v1/webhooks", json!({"url": url, "events": ["lead.created"]})).await;
    assert_eq!(status, StatusCode::CREATED);
    app.post("/api/v1/leads", json!({"external_id": "S-1"})).await;
    let store = app.running.as_ref().expect("running").state.store().clone();
    let started = Instant::now();
    let job = loop {
        let running = store
            .list_jobs(&sift_store::jobs::JobFilter {
                status: Some(sift_store::JobStatus::Running),
                limit: 5,
                ..Default::default()
            })
            .await
            .expect("jobs");
        if let Some(job) = running.into_iter().find(|j| j.kind == "webhook.deliver") {
            break job;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{}: the delivery never started", db.name);
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    app.stop().await;
    store.job(job.id).await.expect("read").expect("exists")
}

#[tokio::test]
async fn shutdown_lets_running_jobs_finish_and_releases_those_past_the_grace_period() {
    for db in databases("api_shutdown").await {
        let finished = shut_down_during_a_delivery(&db, Duration::from_millis(300), 10).await;
        assert_eq!(finished.status, sift_store::JobStatus::Done, "{}: drained: {finished:?}", db.name);
    }
    for db in databases("api_shutdown_release").await {
        let released = shut_down_during_a_delivery(&db, Duration::from_secs(30), 1).await;
        assert_eq!(
            (released.status, released.attempts, released.locked_by.as_deref(), released.lease_until.as_deref()),
            (sift_store::JobStatus::Queued, 0, None, None),
            "{}: released for another process, the attempt not counted",
            db.name
        );
    }
}
