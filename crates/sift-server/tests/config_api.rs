//! The configuration API and playbooks through a real server on a random port, on SQLite and
//! PostgreSQL: a bad document answers 422 with line:column and changes nothing; a good one
//! changes the next qualification; playbooks route new leads; a second server process picks
//! the change up by itself.

use std::time::{Duration, Instant};

use reqwest::{Client, Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use sift_server::Running;
use sift_server::settings::Settings;
use sift_store::testing::{TestDb, databases};

const PASSWORD: &str = "a long enough password";

struct Server {
    running: Running,
    base: String,
    client: Client,
    _dir: tempfile::TempDir,
}

async fn start(db: &TestDb) -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = Settings::defaults(db.url.clone(), dir.path().to_path_buf());
    settings.bind = "127.0.0.1:0".parse().expect("addr");
    settings.argon2_memory_kib = 8;
    settings.argon2_iterations = 1;
    settings.requests_per_second = 100_000;
    settings.sign_in_per_minute = 1_000;
    settings.job_workers = 0;
    let running = sift_server::start(settings, sift_app::Config::builtin().expect("config")).await.expect("starts");
    let base = format!("http://{}", running.addr);
    Server { running, base, client: Client::new(), _dir: dir }
}

impl Server {
    fn request(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base)).bearer_auth(token)
    }

    async fn json(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.request(method, path, token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("sent");
        let status = res.status();
        let text = res.text().await.expect("body");
        (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("json body") })
    }

    /// PUTs a TOML document as text/plain; returns status, content type and body.
    async fn put_toml(
        &self,
        path: &str,
        token: &str,
        text: &str,
        if_match: Option<&str>,
    ) -> (StatusCode, String, Value) {
        let mut req = self.request(Method::PUT, path, token).header("content-type", "text/plain").body(text.to_owned());
        if let Some(tag) = if_match {
            req = req.header("if-match", tag);
        }
        let res = req.send().await.expect("sent");
        let status = res.status();
        let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        (status, content_type, res.json().await.unwrap_or(Value::Null))
    }

    /// The first admin's token (after the one-time password is changed).
    async fn admin_token(&self) -> String {
        let (user, one_time) = self.running.first_admin.clone().expect("first admin");
        let (cookie, csrf) = self.sign_in(&user, &one_time).await;
        let res = self
            .client
            .post(format!("{}/api/v1/auth/password", self.base))
            .header("cookie", format!("sift_session={cookie}"))
            .header("x-csrf-token", &csrf)
            .json(&json!({"current_password": one_time, "new_password": PASSWORD}))
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        self.token(&user, PASSWORD, "admin").await
    }

    async fn sign_in(&self, user: &str, password: &str) -> (String, String) {
        let res = self
            .client
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"username": user, "password": password}))
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), StatusCode::OK, "sign-in of {user}");
        let cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("sift_session=").map(|r| r.split(';').next().unwrap_or("").to_owned()))
            .expect("cookie");
        let body: Value = res.json().await.expect("json");
        (cookie, body["csrf_token"].as_str().expect("csrf").to_owned())
    }

    async fn token(&self, user: &str, password: &str, scope: &str) -> String {
        let (cookie, csrf) = self.sign_in(user, password).await;
        let res = self
            .client
            .post(format!("{}/api/v1/tokens", self.base))
            .header("cookie", format!("sift_session={cookie}"))
            .header("x-csrf-token", csrf)
            .json(&json!({"name": "test", "scope": scope}))
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.expect("json");
        body["secret"].as_str().expect("secret").to_owned()
    }

    /// Adds a user with a password of their own; returns a token of `scope`.
    async fn user(&self, admin: &str, name: &str, role: &str, scope: &str) -> String {
        let (status, body) = self
            .json(
                Method::POST,
                "/api/v1/users",
                admin,
                Some(json!({"username": name, "role": role, "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        self.token(name, PASSWORD, scope).await
    }
}

const ANSWERS: &str = r#"{
  "framework": "bant",
  "lead": {"company": "Acme Freight", "industry": "Logistics", "employees": 4000, "country": "US", "contact_title": "VP Sales"},
  "criteria": {
    "budget": {"status": "confirmed"}, "authority": {"status": "confirmed"},
    "need": {"status": "confirmed"}, "timeline": {"status": "confirmed", "date": "2027-01-15"}
  }
}"#;

/// Qualifies the lead of `ANSWERS` (nothing stored) and returns the answer.
async fn qualify(server: &Server, admin: &str) -> Value {
    let body: Value = serde_json::from_str(ANSWERS).expect("answers");
    let (status, v) = server
        .json(Method::POST, "/api/v1/qualify", admin, Some(json!({"answers": body, "as_of": "2026-11-26"})))
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

const PLAYBOOKS: &str = r#"[[playbooks]]
id = "enterprise"
name = "Enterprise"
framework = "meddic"
owners = ["maria"]
[playbooks.segment]
employees = { min = 1000 }

[[playbooks]]
id = "smb"
framework = "anum"
owners = ["sam"]
"#;

#[tokio::test]
async fn the_configuration_api_checks_saves_and_applies_documents() {
    for db in databases("config_api").await {
        let server = start(&db).await;
        let name = db.name;
        let admin = server.admin_token().await;
        let before = qualify(&server, &admin).await;
        assert_eq!(before["decision"]["verdict"], "qualified", "{name}: no ICP yet");

        // A bad ICP: 422 problem+json, every problem with line:column, nothing stored.
        let bad = "territories = [\"DE\", \"Atlantis\"]\nemployees = { min = 500, max = 10 }\n";
        let (status, content_type, problem) = server.put_toml("/api/v1/config/icp", &admin, bad, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {problem}");
        assert_eq!(content_type, "application/problem+json");
        assert_eq!(problem["type"], "urn:sift:problem:validation");
        let errors: Vec<(String, String)> = problem["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| (e["field"].as_str().unwrap_or("").to_owned(), e["message"].as_str().unwrap_or("").to_owned()))
            .collect();
        assert_eq!(errors.len(), 2, "{problem}");
        assert_eq!(errors[0].0, "1:22");
        assert!(errors[0].1.starts_with("territories: `Atlantis` is not a country"), "{errors:?}");
        assert_eq!(errors[1], ("2:21".to_owned(), "employees: `min` (500) is greater than `max` (10)".to_owned()));
        let (status, _) = server.json(Method::GET, "/api/v1/config/icp", &admin, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{name}: nothing was saved");
        let again = qualify(&server, &admin).await;
        assert_eq!(again["decision"]["verdict"], "qualified", "{name}: the bad ICP changed nothing");

        // A good ICP (as JSON this time) changes the next qualification.
        let (status, saved) = server
            .json(Method::PUT, "/api/v1/config/icp", &admin, Some(json!({"text": "territories = [\"DE\", \"FR\"]\n"})))
            .await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        assert_eq!(saved["document"]["version"], 1);
        let after = qualify(&server, &admin).await;
        assert_eq!(
            (after["decision"]["verdict"].as_str(), after["decision"]["failed_level"].as_str()),
            (Some("disqualified"), Some("organization")),
            "{name}: {after}"
        );
        let res = server.request(Method::GET, "/api/v1/config/icp", &admin).send().await.expect("sent");
        assert_eq!(res.headers().get("etag").and_then(|v| v.to_str().ok()), Some("\"1\""));
        let doc: Value = res.json().await.expect("json");
        assert_eq!(
            (doc["text"].as_str(), doc["changed_by"].as_str()),
            (Some("territories = [\"DE\", \"FR\"]\n"), Some("admin"))
        );
        // A write based on an old version is refused.
        let (status, _, problem) =
            server.put_toml("/api/v1/config/icp", &admin, "territories = [\"US\"]\n", Some("\"0\"")).await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{problem}");
        let res = server
            .request(Method::PUT, "/api/v1/config/rules", &admin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("x")
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

        // Playbooks: owners must be users; then new leads are routed and qualified under them.
        let (status, _, problem) = server.put_toml("/api/v1/config/playbooks", &admin, PLAYBOOKS, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["field"], "5:11", "{problem}");
        assert!(
            problem["errors"][0]["message"].as_str().unwrap_or("").contains("owner `maria` is not an enabled user"),
            "{problem}"
        );
        let rep = server.user(&admin, "maria", "rep", "write").await;
        server.user(&admin, "sam", "rep", "write").await;
        let (status, _, saved) = server.put_toml("/api/v1/config/playbooks", &admin, PLAYBOOKS, None).await;
        assert_eq!(status, StatusCode::OK, "{saved}");

        let (status, list) = server.json(Method::GET, "/api/v1/playbooks", &rep, None).await;
        assert_eq!(status, StatusCode::OK);
        let ids: Vec<&str> = list.as_array().expect("list").iter().filter_map(|p| p["id"].as_str()).collect();
        assert_eq!(ids, ["enterprise", "smb"], "{name}: any signed-in user sees the playbooks");
        let (status, _, _) = server.put_toml("/api/v1/config/playbooks", &rep, PLAYBOOKS, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}: only admins change configuration");

        let answered = qualify(&server, &admin).await;
        assert_eq!(answered["decision"]["framework"], "meddic", "{answered}");
        assert_eq!(answered["decision"]["playbook"]["id"], "enterprise");
        assert_eq!(answered["decision"]["playbook"]["icp"], "the configuration's ICP");

        let (status, lead) = server
            .json(
                Method::POST,
                "/api/v1/leads",
                &admin,
                Some(json!({"company": "Big Co", "employees": 5000, "country": "DE"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{lead}");
        assert_eq!(lead["playbook"], "enterprise", "{name}: routed on creation");
        let maria_id = lead["owner_id"].as_i64().expect("an owner from the pool");
        let id = lead["id"].as_i64().expect("id");
        let (status, leads) = server.json(Method::GET, "/api/v1/leads?playbook=enterprise", &rep, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(leads["items"][0]["id"], id, "{name}: maria owns it and can find it by playbook");
        assert_eq!(leads["items"][0]["owner_id"], maria_id);

        // Re-routing after the playbooks change: the lead moves to the catch-all.
        let moved = PLAYBOOKS.replace("min = 1000", "min = 10000");
        let (status, _, _) = server.put_toml("/api/v1/config/playbooks", &admin, &moved, Some("\"1\"")).await;
        assert_eq!(status, StatusCode::OK);
        let (status, routed) = server.json(Method::POST, &format!("/api/v1/leads/{id}/route"), &admin, None).await;
        assert_eq!(status, StatusCode::OK, "{routed}");
        assert_eq!(routed["lead"]["playbook"], "smb");
        assert!(
            routed["routing"]["explanation"]
                .as_str()
                .unwrap_or("")
                .contains("passed over: `enterprise`: employees 5,000 is outside the range (at least 10,000)"),
            "{routed}"
        );
        assert_eq!(routed["owner"]["owner"], "sam", "{routed}");
        let (status, _) = server.json(Method::POST, &format!("/api/v1/leads/{id}/route"), &rep, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{name}: no longer maria's lead, so she cannot see it");

        // A framework a playbook uses cannot be deleted.
        let meddic =
            sift_core::framework::BUILTIN_FRAMEWORKS.iter().find(|(n, _)| *n == "meddic.toml").expect("meddic").1;
        let lite = meddic.replacen("id = \"meddic\"", "id = \"meddic-lite\"", 1);
        let (status, _, saved) = server.put_toml("/api/v1/config/frameworks/meddic-lite", &admin, &lite, None).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        let (status, _, _) = server
            .put_toml("/api/v1/config/playbooks", &admin, &PLAYBOOKS.replace("\"meddic\"", "\"meddic-lite\""), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, problem) =
            server.json(Method::DELETE, "/api/v1/config/frameworks/meddic-lite", &admin, None).await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert!(problem["detail"].as_str().unwrap_or("").contains("used by playbook `enterprise`"), "{problem}");
        let (status, problem) = server.json(Method::GET, "/api/v1/config/secrets", &admin, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");

        // Every change is in the audit log.
        let (status, audit) = server.json(Method::GET, "/api/v1/audit", &admin, None).await;
        assert_eq!(status, StatusCode::OK);
        let actions: Vec<(&str, &str)> = audit
            .as_array()
            .expect("entries")
            .iter()
            .filter(|e| e["action"].as_str().is_some_and(|a| a.starts_with("config.") || a == "lead.routed"))
            .map(|e| (e["action"].as_str().unwrap_or(""), e["target"].as_str().unwrap_or("")))
            .collect();
        for expected in [
            ("config.saved", "config:icp"),
            ("config.saved", "config:playbooks"),
            ("config.saved", "config:framework/meddic-lite"),
            ("lead.routed", "lead:1"),
        ] {
            assert!(
                actions.iter().any(|a| a.0 == expected.0 && (a.1 == expected.1 || expected.0 == "lead.routed")),
                "{name}: {expected:?} in {actions:?}"
            );
        }
        let (status, listed) = server.json(Method::GET, "/api/v1/config", &admin, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(listed.as_array().map(Vec::len), Some(3), "{listed}");

        // The routes are documented.
        let (status, doc) = server.json(Method::GET, "/api/v1/openapi.json", &admin, None).await;
        assert_eq!(status, StatusCode::OK);
        for path in [
            "/api/v1/config",
            "/api/v1/config/{document}",
            "/api/v1/config/{collection}/{name}",
            "/api/v1/playbooks",
            "/api/v1/leads/{id}/route",
        ] {
            assert!(doc["paths"].get(path).is_some(), "{path} is not documented");
        }
        let put = &doc["paths"]["/api/v1/config/{document}"]["put"]["requestBody"]["content"];
        assert!(put.get("text/plain").is_some() && put.get("application/json").is_some(), "{put}");

        // A second server process on the same database sees the stored playbooks at start
        // (when the caller loads them) and later changes by itself.
        let second = start(&db).await;
        let (status, list) = second.json(Method::GET, "/api/v1/playbooks", &rep, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list.as_array().map(Vec::len), Some(0), "started with the built-in configuration only");
        let started = Instant::now();
        let ids = loop {
            server
                .put_toml(
                    "/api/v1/config/rules",
                    &admin,
                    "[[rules]]\nid = \"any\"\nstage = \"mql\"\nmin_points = 1\n",
                    None,
                )
                .await;
            let (_, list) = second.json(Method::GET, "/api/v1/playbooks", &rep, None).await;
            let ids: Vec<String> =
                list.as_array().expect("list").iter().filter_map(|p| p["id"].as_str().map(str::to_owned)).collect();
            if !ids.is_empty() || started.elapsed() > Duration::from_secs(20) {
                break ids;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        assert_eq!(ids, ["enterprise", "smb"], "{name}: the second process reloaded the stored configuration");
        second.running.shutdown().await.expect("stops");
        server.running.shutdown().await.expect("stops");
    }
}
