//! The API end to end: a real server on a random port, on SQLite and on PostgreSQL.

mod common;

use common::{App, Auth, PASSWORD, assert_problem, spawn, spawn_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sift_store::testing::{databases, execute};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_get_health_readiness_metrics_and_an_offline_docs_page() {
    for db in databases("srv_ops").await {
        let app = spawn(&db).await;
        let ready: Value = app.send(Method::GET, "/readyz", Auth::None, None).await.json().await.expect("json");
        assert_eq!(ready["status"], "ready", "{}: {ready}", db.name);
        assert_eq!(ready["migrations_missing"], json!([]));
        let metrics = app.send(Method::GET, "/metrics", Auth::None, None).await.text().await.expect("text");
        assert!(
            metrics.contains("sift_http_requests_total{method=\"POST\",route=\"/api/v1/auth/login\",status=\"200\"}"),
            "{metrics}"
        );
        assert!(metrics.contains("sift_http_request_duration_seconds_bucket"), "{metrics}");
        let spec: Value =
            app.send(Method::GET, "/api/v1/openapi.json", Auth::None, None).await.json().await.expect("json");
        assert!(spec["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", spec["openapi"]);
        assert!(spec["paths"]["/api/v1/leads/{id}"]["put"].is_object());
        let docs = app.send(Method::GET, "/api/docs", Auth::None, None).await;
        let csp = docs.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let page = docs.text().await.expect("page");
        assert!(page.contains("/api/v1/leads/{id}") && !page.contains("<script"), "docs render without script");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
        app.running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_is_created_read_changed_only_with_its_etag_and_deleted() {
    for db in databases("srv_etag").await {
        let app = spawn(&db).await;
        let t = app.admin_token.clone();
        let created = app
            .create_lead(&t, json!({"first_name": "Jana", "last_name": "Novak", "email": "Jana@Acme.example", "company": "Acme", "country": "DE"}))
            .await;
        let id = created["id"].as_i64().expect("id");
        assert_eq!(created["email"], "jana@acme.example", "emails are stored lower-case");
        let res = app.send(Method::GET, &format!("/api/v1/leads/{id}"), Auth::Token(&t), None).await;
        let etag = res.headers().get("etag").and_then(|v| v.to_str().ok()).expect("etag").to_owned();
        let change = json!({"first_name": "Jana", "last_name": "Novak", "email": "jana@acme.example", "company": "Acme GmbH", "country": "DE"});
        // Without If-Match: 428. With a stale one: 412. With the right one: 200 and a new ETag.
        let res = app.send(Method::PUT, &format!("/api/v1/leads/{id}"), Auth::Token(&t), Some(change.clone())).await;
        assert_problem(res, StatusCode::PRECONDITION_REQUIRED, "precondition-required").await;
        let stale = app
            .client
            .put(app.url(&format!("/api/v1/leads/{id}")))
            .bearer_auth(&t)
            .header("if-match", "\"0000000000000000\"")
            .json(&change)
            .send()
            .await
            .expect("sent");
        assert_problem(stale, StatusCode::PRECONDITION_FAILED, "precondition-failed").await;
        let ok = app
            .client
            .put(app.url(&format!("/api/v1/leads/{id}")))
            .bearer_auth(&t)
            .header("if-match", &etag)
            .json(&change)
            .send()
            .await
            .expect("sent");
        assert_eq!(ok.status(), StatusCode::OK, "{}", db.name);
        let new_etag = ok.headers().get("etag").and_then(|v| v.to_str().ok()).expect("etag").to_owned();
        assert_ne!(new_etag, etag);
        let body: Value = ok.json().await.expect("json");
        assert_eq!(body["company"], "Acme GmbH");
        // The old ETag no longer writes.
        let again = app
            .client
            .put(app.url(&format!("/api/v1/leads/{id}")))
            .bearer_auth(&t)
            .header("if-match", &etag)
            .json(&change)
            .send()
            .await
            .expect("sent");
        assert_eq!(again.status(), StatusCode::PRECONDITION_FAILED);
        // A duplicate key is a conflict, not a second lead.
        let dup =
            app.send(Method::POST, "/api/v1/leads", Auth::Token(&t), Some(json!({"email": "jana@acme.example"}))).await;
        assert_problem(dup, StatusCode::CONFLICT, "conflict").await;
        let del = app.send(Method::DELETE, &format!("/api/v1/leads/{id}"), Auth::Token(&t), None).await;
        assert_eq!(del.status(), StatusCode::NO_CONTENT);
        let gone = app.send(Method::GET, &format!("/api/v1/leads/{id}"), Auth::Token(&t), None).await;
        assert_problem(gone, StatusCode::NOT_FOUND, "not-found").await;
        app.running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_follow_the_sort_order_without_skipping_or_repeating_a_lead() {
    for db in databases("srv_pages").await {
        let app = spawn(&db).await;
        let t = app.admin_token.clone();
        // Companies repeat, so ties are broken by id.
        for i in 0..23 {
            let company = ["Borealis", "acme", "Cobalt", "acme"][i % 4];
            app.create_lead(&t, json!({"external_id": format!("P-{i:02}"), "company": company, "source": if i % 3 == 0 { "Webinar" } else { "Ads" }})).await;
        }
        for sort in ["-company", "company", "id", "-created", "name"] {
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let mut path = format!("/api/v1/leads?limit=5&sort={sort}");
                if let Some(c) = &cursor {
                    path.push_str(&format!("&cursor={c}"));
                }
                let page: Value = app.send(Method::GET, &path, Auth::Token(&t), None).await.json().await.expect("json");
                let items = page["items"].as_array().expect("items");
                assert!(items.len() <= 5);
                seen.extend(
                    items
                        .iter()
                        .map(|l| (l["company"].as_str().unwrap_or("").to_lowercase(), l["id"].as_i64().unwrap_or(0))),
                );
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = Some(c.to_owned()),
                    None => break,
                }
            }
            assert_eq!(seen.len(), 23, "{} {sort}: every lead once", db.name);
            let mut ids: Vec<i64> = seen.iter().map(|s| s.1).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), 23, "{} {sort}: no repeats", db.name);
            if sort == "-company" {
                assert!(seen.windows(2).all(|w| w[0].0 >= w[1].0), "{} {sort}: {seen:?}", db.name);
            }
        }
        let filtered: Value = app
            .send(Method::GET, "/api/v1/leads?source=webinar&count=true", Auth::Token(&t), None)
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(filtered["total"], 8, "{}: source filter is case-insensitive", db.name);
        let found: Value =
            app.send(Method::GET, "/api/v1/leads?q=cob%20P-0", Auth::Token(&t), None).await.json().await.expect("json");
        assert_eq!(found["items"].as_array().map(Vec::len), Some(2), "{}: every word must match: {found}", db.name);
        // A cursor is tied to its sort order; bad sort keys and limits are refused, not run.
        let first: Value = app
            .send(Method::GET, "/api/v1/leads?limit=5&sort=company", Auth::Token(&t), None)
            .await
            .json()
            .await
            .expect("json");
        let c = first["next_cursor"].as_str().expect("cursor");
        let res = app.send(Method::GET, &format!("/api/v1/leads?sort=id&cursor={c}"), Auth::Token(&t), None).await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        for bad in [
            "sort=company;DROP%20TABLE%20leads",
            "sort=id%20desc",
            "limit=0",
            "limit=100000",
            "cursor=garbage",
            "stage=won",
            "verdict=maybe",
            "owner=x",
            "re_engage_due=tomorrow",
            "unknown=1",
        ] {
            let res = app.send(Method::GET, &format!("/api/v1/leads?{bad}"), Auth::Token(&t), None).await;
            assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        }
        for hostile in ["%27%20OR%201%3D1%20--", "%25", "_", "%5C", "%22%3B%20DELETE%20FROM%20leads%3B"] {
            let res = app.send(Method::GET, &format!("/api/v1/leads?q={hostile}"), Auth::Token(&t), None).await;
            assert_eq!(res.status(), StatusCode::OK, "{}: q={hostile}", db.name);
            let body: Value = res.json().await.expect("json");
            assert_eq!(body["items"].as_array().map(Vec::len), Some(0), "{}: q={hostile} matches nothing", db.name);
        }
        assert_eq!(app.lead_count().await, 23, "{}: nothing was harmed", db.name);
        app.running.shutdown().await.expect("clean shutdown");
    }
}

/// One cell of the matrix: who, credentials, method, path, body, expected status.
type MatrixRow<'a> = (&'a str, Auth<'a>, Method, String, Option<Value>, u16);

/// What a principal should get on one route.
fn expect(status: u16) -> StatusCode {
    StatusCode::from_u16(status).expect("status")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authorization_matrix_holds_for_every_role_and_credential() {
    for db in databases("srv_authz").await {
        let app = spawn(&db).await;
        let (rep_id, rep) = app.user("rita", "rep", Some("emea"), "write").await;
        let (_, rep2) = app.user("raj", "rep", Some("emea"), "write").await;
        let (_, manager) = app.user("mona", "manager", Some("emea"), "write").await;
        let (_, other_manager) = app.user("omar", "manager", Some("apac"), "write").await;
        let (_, viewer) = app.user("vic", "viewer", None, "read").await;
        let (_, rep_read) = (0, app.token_for("rita", PASSWORD, "read").await);
        let (_, apac_rep) = app.user("amy", "rep", Some("apac"), "write").await;
        let admin = app.admin_token.clone();

        // Rita's lead (a rep's new lead is hers) and an unassigned lead made by the admin.
        let mine = app.create_lead(&rep, json!({"external_id": "M-1", "company": "Mine Ltd"})).await;
        assert_eq!(mine["owner_id"], rep_id, "a rep's new lead is theirs");
        let mine = mine["id"].as_i64().expect("id");
        let unassigned = app.create_lead(&admin, json!({"external_id": "U-1", "company": "Nobody Inc"})).await["id"]
            .as_i64()
            .expect("id");

        // Revoked token and expired session.
        let revoked = app.token_for("raj", PASSWORD, "write").await;
        let tokens: Value =
            app.send(Method::GET, "/api/v1/tokens", Auth::Token(&revoked), None).await.json().await.expect("json");
        let revoked_id = tokens.as_array().and_then(|a| a.last()).and_then(|t| t["id"].as_i64()).expect("token id");
        let res = app.send(Method::DELETE, &format!("/api/v1/tokens/{revoked_id}"), Auth::Token(&revoked), None).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let (expired_cookie, expired_csrf) = app.sign_in("raj", PASSWORD).await;
        execute(&db, "UPDATE sessions SET expires_at = '2000-01-01T00:00:00.000Z' WHERE user_id = (SELECT id FROM users WHERE username = 'raj')").await;
        let (session_cookie, session_csrf) = app.sign_in("rita", PASSWORD).await;

        let lead_body = json!({"external_id": "X-9", "company": "Matrix Co"});
        let stage_body = json!({"to": "disqualified", "reason": "test"});
        let activity = json!({"kind": "page_view"});
        let qualify = json!({"answers": {"framework": "bant", "criteria": {"need": {"status": "negative"}}}});
        let rows: Vec<MatrixRow<'_>> = vec![
            // Nobody, bad credentials.
            ("none", Auth::None, Method::GET, "/api/v1/leads".into(), None, 401),
            ("none", Auth::None, Method::POST, "/api/v1/leads".into(), Some(lead_body.clone()), 401),
            ("revoked", Auth::Token(&revoked), Method::GET, "/api/v1/leads".into(), None, 401),
            ("garbage", Auth::Token("sift_not-a-real-token"), Method::GET, "/api/v1/me".into(), None, 401),
            ("expired", Auth::Session(&expired_cookie, &expired_csrf), Method::GET, "/api/v1/leads".into(), None, 401),
            // Sessions: reads fine; changes need the CSRF header.
            (
                "session",
                Auth::Session(&session_cookie, &session_csrf),
                Method::GET,
                format!("/api/v1/leads/{mine}"),
                None,
                200,
            ),
            (
                "session-no-csrf",
                Auth::SessionNoCsrf(&session_cookie),
                Method::POST,
                format!("/api/v1/leads/{mine}/activities"),
                Some(activity.clone()),
                403,
            ),
            (
                "session",
                Auth::Session(&session_cookie, &session_csrf),
                Method::POST,
                format!("/api/v1/leads/{mine}/activities"),
                Some(activity.clone()),
                201,
            ),
            // Rep: own lead yes, someone else's (or unassigned) lead does not exist for them.
            ("rep", Auth::Token(&rep), Method::GET, format!("/api/v1/leads/{mine}"), None, 200),
            ("rep", Auth::Token(&rep), Method::GET, format!("/api/v1/leads/{unassigned}"), None, 404),
            ("other rep", Auth::Token(&rep2), Method::GET, format!("/api/v1/leads/{mine}"), None, 404),
            (
                "other rep",
                Auth::Token(&rep2),
                Method::POST,
                format!("/api/v1/leads/{mine}/stage"),
                Some(stage_body.clone()),
                404,
            ),
            (
                "rep",
                Auth::Token(&rep),
                Method::POST,
                format!("/api/v1/leads/{mine}/qualify"),
                Some(qualify.clone()),
                200,
            ),
            ("rep read token", Auth::Token(&rep_read), Method::GET, format!("/api/v1/leads/{mine}"), None, 200),
            (
                "rep read token",
                Auth::Token(&rep_read),
                Method::POST,
                format!("/api/v1/leads/{mine}/activities"),
                Some(activity.clone()),
                403,
            ),
            ("rep", Auth::Token(&rep), Method::DELETE, format!("/api/v1/leads/{mine}"), None, 403),
            ("rep", Auth::Token(&rep), Method::GET, "/api/v1/users".into(), None, 403),
            ("rep", Auth::Token(&rep), Method::GET, "/api/v1/audit".into(), None, 403),
            (
                "rep",
                Auth::Token(&rep),
                Method::POST,
                "/api/v1/leads".into(),
                Some(json!({"company": "Assign", "owner_id": 1})),
                403,
            ),
            // Manager: the team's leads and unassigned ones; another team's manager: not.
            ("manager", Auth::Token(&manager), Method::GET, format!("/api/v1/leads/{mine}"), None, 200),
            ("manager", Auth::Token(&manager), Method::GET, format!("/api/v1/leads/{unassigned}"), None, 200),
            (
                "manager",
                Auth::Token(&manager),
                Method::POST,
                format!("/api/v1/leads/{unassigned}/activities"),
                Some(activity.clone()),
                201,
            ),
            ("other manager", Auth::Token(&other_manager), Method::GET, format!("/api/v1/leads/{mine}"), None, 404),
            ("apac rep", Auth::Token(&apac_rep), Method::GET, format!("/api/v1/leads/{unassigned}"), None, 404),
            ("manager", Auth::Token(&manager), Method::GET, "/api/v1/users".into(), None, 403),
            // Viewer: reads everything, changes nothing.
            ("viewer", Auth::Token(&viewer), Method::GET, format!("/api/v1/leads/{mine}"), None, 200),
            ("viewer", Auth::Token(&viewer), Method::GET, format!("/api/v1/leads/{unassigned}"), None, 200),
            ("viewer", Auth::Token(&viewer), Method::POST, "/api/v1/leads".into(), Some(lead_body.clone()), 403),
            (
                "viewer",
                Auth::Token(&viewer),
                Method::POST,
                format!("/api/v1/leads/{mine}/stage"),
                Some(stage_body.clone()),
                403,
            ),
            ("viewer", Auth::Token(&viewer), Method::POST, "/api/v1/qualify".into(), Some(qualify.clone()), 200),
            // Configuration: admins only; playbooks are readable by everyone signed in;
            // routing a lead is for managers and admins.
            ("rep", Auth::Token(&rep), Method::GET, "/api/v1/config".into(), None, 403),
            ("manager", Auth::Token(&manager), Method::GET, "/api/v1/config/icp".into(), None, 403),
            ("viewer", Auth::Token(&viewer), Method::GET, "/api/v1/playbooks".into(), None, 200),
            ("rep", Auth::Token(&rep), Method::POST, format!("/api/v1/leads/{mine}/route"), None, 403),
            ("admin", Auth::Token(&admin), Method::GET, "/api/v1/config".into(), None, 200),
            // Jobs: each sees their own (another's job does not exist for them); models are
            // readable by everyone signed in, trained and activated by managers with write;
            // imports by managers; webhooks and the event log by admins.
            ("rep", Auth::Token(&rep), Method::GET, "/api/v1/jobs".into(), None, 200),
            ("viewer", Auth::Token(&viewer), Method::GET, "/api/v1/jobs/999999".into(), None, 404),
            ("none", Auth::None, Method::GET, "/api/v1/jobs".into(), None, 401),
            ("viewer", Auth::Token(&viewer), Method::GET, "/api/v1/models".into(), None, 200),
            ("rep", Auth::Token(&rep), Method::POST, "/api/v1/models/train".into(), Some(json!({})), 403),
            ("viewer", Auth::Token(&viewer), Method::POST, "/api/v1/models/train".into(), Some(json!({})), 403),
            ("rep", Auth::Token(&rep), Method::POST, "/api/v1/models/1/activate".into(), None, 403),
            ("rep", Auth::Token(&rep), Method::POST, "/api/v1/scores/rescore".into(), Some(json!({})), 403),
            ("rep", Auth::Token(&rep), Method::POST, "/api/v1/imports/uploads".into(), None, 403),
            ("viewer", Auth::Token(&viewer), Method::POST, "/api/v1/imports".into(), Some(json!({"upload": "x"})), 403),
            ("manager", Auth::Token(&manager), Method::GET, "/api/v1/webhooks".into(), None, 403),
            (
                "manager",
                Auth::Token(&manager),
                Method::POST,
                "/api/v1/webhooks".into(),
                Some(json!({"url": "https://example.com/hook", "events": ["lead.created"]})),
                403,
            ),
            ("rep", Auth::Token(&rep), Method::GET, "/api/v1/events".into(), None, 403),
            ("manager", Auth::Token(&manager), Method::GET, "/api/v1/webhooks/1/deliveries".into(), None, 403),
            ("admin", Auth::Token(&admin), Method::GET, "/api/v1/webhooks".into(), None, 200),
            ("admin", Auth::Token(&admin), Method::GET, "/api/v1/events".into(), None, 200),
            ("admin", Auth::Token(&admin), Method::GET, "/api/v1/jobs".into(), None, 200),
            // Admin: everything.
            ("admin", Auth::Token(&admin), Method::GET, format!("/api/v1/leads/{mine}"), None, 200),
            ("admin", Auth::Token(&admin), Method::GET, "/api/v1/users".into(), None, 200),
            ("admin", Auth::Token(&admin), Method::GET, "/api/v1/audit".into(), None, 200),
            (
                "admin",
                Auth::Token(&admin),
                Method::POST,
                format!("/api/v1/leads/{unassigned}/stage"),
                Some(stage_body.clone()),
                200,
            ),
            ("admin", Auth::Token(&admin), Method::DELETE, format!("/api/v1/leads/{unassigned}"), None, 204),
        ];
        let mut failures = Vec::new();
        for (who, auth, method, path, body, want) in rows {
            let res = app.send(method.clone(), &path, auth, body).await;
            let got = res.status();
            let text = res.text().await.unwrap_or_default();
            if got != expect(want) {
                failures.push(format!("{who} {method} {path}: expected {want}, got {got}: {text}"));
            } else if !got.is_success() {
                let problem: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if !problem["type"].as_str().is_some_and(|t| t.starts_with("urn:sift:problem:")) {
                    failures.push(format!("{who} {method} {path}: not a problem document: {text}"));
                }
            }
        }
        assert!(failures.is_empty(), "{}:\n{}", db.name, failures.join("\n"));
        // A disabled user's tokens stop working at once.
        let users: Value =
            app.send(Method::GET, "/api/v1/users", Auth::Token(&admin), None).await.json().await.expect("json");
        let rita = users.as_array().and_then(|u| u.iter().find(|u| u["username"] == "rita")).expect("rita");
        let res = app
            .send(
                Method::PATCH,
                &format!("/api/v1/users/{}", rita["id"]),
                Auth::Token(&admin),
                Some(json!({"disabled": true})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_problem(
            app.send(Method::GET, "/api/v1/me", Auth::Token(&rep), None).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
        // Every change above is in the audit log, with who made it.
        let audit: Value = app
            .send(Method::GET, "/api/v1/audit?limit=500", Auth::Token(&admin), None)
            .await
            .json()
            .await
            .expect("json");
        let actions: Vec<(&str, &str)> = audit
            .as_array()
            .expect("entries")
            .iter()
            .map(|e| (e["actor"].as_str().unwrap_or(""), e["action"].as_str().unwrap_or("")))
            .collect();
        for needed in [
            ("rita", "lead.created"),
            ("rita", "lead.qualified"),
            ("mona", "lead.activity"),
            ("admin", "lead.deleted"),
            ("admin", "user.updated"),
        ] {
            assert!(actions.contains(&needed), "{}: {needed:?} audited in {actions:?}", db.name);
        }
        app.running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_get_a_problem_and_nothing_is_half_stored() {
    for db in databases("srv_hostile").await {
        let app = spawn_with(&db, |s| s.max_body_bytes = 256 * 1024).await;
        let t = app.admin_token.clone();
        app.create_lead(&t, json!({"external_id": "H-1", "company": "Before"})).await;
        let post_raw = |body: Vec<u8>, content_type: &'static str| {
            app.client
                .post(app.url("/api/v1/leads"))
                .bearer_auth(&t)
                .header("content-type", content_type)
                .body(body)
                .send()
        };
        let big = format!("{{\"company\": \"{}\"}}", "x".repeat(300 * 1024));
        assert_problem(
            post_raw(big.into_bytes(), "application/json").await.expect("sent"),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
        )
        .await;
        assert_problem(
            post_raw(b"{\"company\": ".to_vec(), "application/json").await.expect("sent"),
            StatusCode::BAD_REQUEST,
            "bad-request",
        )
        .await;
        let nested = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        assert_problem(
            post_raw(nested.into_bytes(), "application/json").await.expect("sent"),
            StatusCode::BAD_REQUEST,
            "bad-request",
        )
        .await;
        let wide: serde_json::Map<String, Value> = (0..10_000).map(|i| (format!("f{i}"), json!(i))).collect();
        let res = app.send(Method::POST, "/api/v1/leads", Auth::Token(&t), Some(Value::Object(wide))).await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert_problem(
            post_raw(b"company=x".to_vec(), "application/x-www-form-urlencoded").await.expect("sent"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
        )
        .await;
        let res = app
            .send(
                Method::POST,
                "/api/v1/leads",
                Auth::Token(&t),
                Some(json!({"company": "X", "employees": -5, "email": "not-an-email", "country": "Atlantis"})),
            )
            .await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        let fields: Vec<&str> =
            problem["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
        assert_eq!(fields, ["email", "country", "employees"], "every bad field is named: {problem}");
        let res = app
            .send(Method::POST, "/api/v1/leads", Auth::Token(&t), Some(json!({"company": "X", "stage": "customer"})))
            .await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        for path in [
            "/api/v1/leads/abc",
            "/api/v1/leads/99999999999999999999",
            "/api/v1/leads/..%2F..%2Fetc%2Fpasswd",
            "/api/v1/../../etc/passwd",
            "/api/v1/leads/1%00",
        ] {
            let res = app.send(Method::GET, path, Auth::Token(&t), None).await;
            let status = res.status();
            assert!(status.is_client_error(), "{path}: {status}");
            assert_problem(res, status, if status == StatusCode::NOT_FOUND { "not-found" } else { "bad-request" })
                .await;
        }
        assert_problem(
            app.send(Method::PATCH, "/api/v1/leads", Auth::Token(&t), None).await,
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
        )
        .await;
        let injection = json!({"company": "Robert'); DROP TABLE leads;--", "custom_fields": {"=HYPERLINK(\"x\")": "<script>alert(1)</script>"}});
        let stored = app.create_lead(&t, injection).await;
        assert_eq!(stored["company"], "Robert'); DROP TABLE leads;--", "stored as text");
        let bulk = app
            .send(Method::POST, "/api/v1/leads/bulk", Auth::Token(&t), Some(json!([{"external_id": "B-1", "company": "Fine"}, {"external_id": "B-2", "email": "nope"}, {"company": "no id"}, "not an object"])))
            .await;
        assert_eq!(bulk.status(), StatusCode::MULTI_STATUS);
        let results: Value = bulk.json().await.expect("json");
        let statuses: Vec<i64> =
            results.as_array().expect("results").iter().filter_map(|r| r["status"].as_i64()).collect();
        assert_eq!(statuses, [201, 422, 422, 422], "{results}");
        assert_eq!(app.lead_count().await, 3, "{}: only whole, valid leads were stored", db.name);
        app.running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qualifying_over_the_api_saves_the_decision_and_moves_the_stage() {
    for db in databases("srv_qualify").await {
        let app = spawn(&db).await;
        let t = app.admin_token.clone();
        let lead = app.create_lead(&t, json!({"external_id": "Q-1", "company": "Acme", "industry": "Logistics", "country": "DE", "title": "VP Sales"})).await;
        let id = lead["id"].as_i64().expect("id");
        let answers = json!({"answers": {"framework": "bant", "criteria": {
            "need": {"status": "confirmed", "note": "Reps lose a day a week to manual routing"},
            "budget": {"answer": "We set aside $40k for this in Q1, already approved"},
            "authority": {"status": "confirmed"},
            "timeline": {"status": "confirmed", "date": "2027-01-15"}
        }}, "as_of": "2026-11-26"});
        let res = app.send(Method::POST, &format!("/api/v1/leads/{id}/qualify"), Auth::Token(&t), Some(answers)).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", db.name);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["decision"]["verdict"], "qualified", "{body}");
        assert_eq!(body["saved"]["plan"]["plan"], "move", "{body}");
        assert_eq!(body["saved"]["plan"]["to"], "sql");
        let lead: Value = app
            .send(Method::GET, &format!("/api/v1/leads/{id}"), Auth::Token(&t), None)
            .await
            .json()
            .await
            .expect("json");
        assert_eq!((lead["stage"].as_str(), lead["verdict"].as_str()), (Some("sql"), Some("qualified")));
        // A move the lifecycle forbids is a conflict that says why.
        let res = app
            .send(
                Method::POST,
                &format!("/api/v1/leads/{id}/stage"),
                Auth::Token(&t),
                Some(json!({"to": "mql", "reason": "oops"})),
            )
            .await;
        let problem = assert_problem(res, StatusCode::CONFLICT, "conflict").await;
        assert!(problem["detail"].as_str().is_some_and(|d| d.contains("cannot move from sql to mql")), "{problem}");
        // Bad answers are located.
        let res = app
            .send(
                Method::POST,
                &format!("/api/v1/leads/{id}/qualify"),
                Auth::Token(&t),
                Some(json!({"answers": {"framework": "bant", "criteria": {"need": {"stauts": "confirmed"}}}})),
            )
            .await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(problem.to_string().contains("stauts"), "{problem}");
        // A call transcript alone.
        let call = "Dana: What made you look at lead routing now?\nLi: We lose about 30 leads a month because nobody picks them up within a day.\nDana: Who signs off on a tool like this?\nLi: I do, anything under 50k is my call.\n";
        let res = app
            .send(
                Method::POST,
                "/api/v1/qualify",
                Auth::Token(&t),
                Some(json!({"transcript": {"text": call, "reps": ["Dana"]}})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.expect("json");
        assert!(body["call"]["criteria_with_evidence"].as_u64().is_some_and(|n| n > 0), "{body}");
        let analysis = app
            .client
            .post(app.url("/api/v1/calls/analyze?rep=Dana&framework=bant"))
            .bearer_auth(&t)
            .body(call)
            .send()
            .await
            .expect("sent");
        assert_eq!(analysis.status(), StatusCode::OK);
        let report: Value = analysis.json().await.expect("json");
        assert_eq!(report["turns"].as_array().map(Vec::len), Some(4));
        // Attached to the lead: listed (newest first) and read back whole.
        let attached = app
            .client
            .post(app.url(&format!("/api/v1/leads/{id}/calls?rep=Dana&name=C:%5Ccalls%5Cmonday.txt")))
            .bearer_auth(&t)
            .body(call)
            .send()
            .await
            .expect("sent");
        assert_eq!(attached.status(), StatusCode::CREATED, "{}", db.name);
        let attached: Value = attached.json().await.expect("json");
        let call_id = attached["call_id"].as_i64().expect("call id");
        let listed: Value = app
            .send(Method::GET, &format!("/api/v1/leads/{id}/calls"), Auth::Token(&t), None)
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(listed[0]["id"], call_id, "{listed}");
        assert_eq!(listed[0]["source_name"], "monday.txt", "only the file name is kept: {listed}");
        let full: Value = app
            .send(Method::GET, &format!("/api/v1/calls/{call_id}"), Auth::Token(&t), None)
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(full["transcript"], call);
        assert_eq!(full["analysis"]["turns"].as_array().map(Vec::len), Some(4));
        let missing = app
            .client
            .post(app.url("/api/v1/leads/999999/calls"))
            .bearer_auth(&t)
            .body(call)
            .send()
            .await
            .expect("sent");
        assert_problem(missing, StatusCode::NOT_FOUND, "not-found").await;
        let bad = app
            .client
            .post(app.url("/api/v1/calls/analyze?name=../../x.txt"))
            .bearer_auth(&t)
            .body("only one line")
            .send()
            .await
            .expect("sent");
        let problem = assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(problem.to_string().contains("x.txt") && !problem.to_string().contains("../"), "{problem}");
        app.running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_is_rate_limited_with_retry_after() {
    for db in databases("srv_limits").await {
        let app: App = spawn_with(&db, |s| s.sign_in_per_minute = 3).await;
        // The admin's setup used some attempts; keep trying until the limit answers.
        let mut limited = None;
        for _ in 0..6 {
            let res = app
                .send(
                    Method::POST,
                    "/api/v1/auth/login",
                    Auth::None,
                    Some(json!({"username": "admin", "password": "wrong password!"})),
                )
                .await;
            if res.status() == StatusCode::TOO_MANY_REQUESTS {
                limited = Some(res);
                break;
            }
            assert_problem(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
        }
        let res = limited.expect("the limit was reached");
        let retry = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        assert!(retry.is_some_and(|s| s >= 1), "Retry-After: {retry:?}");
        assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "rate-limited").await;
        app.running.shutdown().await.expect("clean shutdown");
    }
}
