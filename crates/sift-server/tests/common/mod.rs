//! The spawn-app pattern: a real server on a random loopback port over a fresh database,
//! and helpers to sign in, make users and tokens, and read problem documents.

#![allow(dead_code)]

use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};
use sift_server::Running;
use sift_server::settings::Settings;
use sift_store::testing::TestDb;

pub struct App {
    pub running: Running,
    pub base: String,
    pub client: Client,
    pub admin_token: String,
    pub db_name: &'static str,
    _dir: tempfile::TempDir,
}

pub const PASSWORD: &str = "a long enough password";

/// Test settings: loopback, port 0, cheap argon2 (tests only), generous rate limits.
pub fn settings(db: &TestDb, dir: &std::path::Path) -> Settings {
    let mut s = Settings::defaults(db.url.clone(), dir.to_path_buf());
    s.bind = "127.0.0.1:0".parse().expect("addr");
    s.argon2_memory_kib = 8;
    s.argon2_iterations = 1;
    s.requests_per_second = 100_000;
    s.sign_in_per_minute = 1_000;
    s.job_workers = 0;
    s
}

pub async fn spawn_with(db: &TestDb, tune: impl FnOnce(&mut Settings)) -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = settings(db, dir.path());
    tune(&mut s);
    let config = sift_app::Config::builtin().expect("config");
    let running = sift_server::start(s, config).await.expect("server starts");
    let base = format!("http://{}", running.addr);
    let client = Client::builder().cookie_store(false).build().expect("client");
    let (user, one_time) = running.first_admin.clone().expect("an empty database gets a first admin");
    assert_eq!(user, "admin");
    let mut app = App { running, base, client, admin_token: String::new(), db_name: db.name, _dir: dir };
    // First sign-in: the one-time password must be changed before anything else.
    let (cookie, csrf) = app.sign_in("admin", &one_time).await;
    let blocked = app.send(Method::GET, "/api/v1/leads", Auth::Session(&cookie, &csrf), None).await;
    assert_problem(blocked, StatusCode::FORBIDDEN, "password-change-required").await;
    let changed = app
        .send(
            Method::POST,
            "/api/v1/auth/password",
            Auth::Session(&cookie, &csrf),
            Some(json!({"current_password": one_time, "new_password": PASSWORD})),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    app.admin_token = app.token_for("admin", PASSWORD, "admin").await;
    app
}

pub async fn spawn(db: &TestDb) -> App {
    spawn_with(db, |_| {}).await
}

#[derive(Clone, Copy)]
pub enum Auth<'a> {
    None,
    Token(&'a str),
    /// Cookie value and CSRF token.
    Session(&'a str, &'a str),
    /// A session cookie without the CSRF header.
    SessionNoCsrf(&'a str),
}

impl App {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn send(&self, method: Method, path: &str, auth: Auth<'_>, body: Option<Value>) -> Response {
        let mut req = self.client.request(method, self.url(path));
        req = match auth {
            Auth::None => req,
            Auth::Token(t) => req.bearer_auth(t),
            Auth::Session(cookie, csrf) => {
                req.header("cookie", format!("sift_session={cookie}")).header("x-csrf-token", csrf)
            }
            Auth::SessionNoCsrf(cookie) => req.header("cookie", format!("sift_session={cookie}")),
        };
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.expect("request sent")
    }

    /// Signs in; returns the session cookie value and the CSRF token.
    pub async fn sign_in(&self, user: &str, password: &str) -> (String, String) {
        let res = self
            .send(Method::POST, "/api/v1/auth/login", Auth::None, Some(json!({"username": user, "password": password})))
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{} sign-in of {user}", self.db_name);
        let cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("sift_session=").map(|rest| rest.split(';').next().unwrap_or("").to_owned()))
            .expect("a session cookie");
        let set_cookie = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
        let body: Value = res.json().await.expect("json");
        (cookie, body["csrf_token"].as_str().expect("csrf").to_owned())
    }

    /// Signs in and creates a token with `scope`; returns its secret.
    pub async fn token_for(&self, user: &str, password: &str, scope: &str) -> String {
        let (cookie, csrf) = self.sign_in(user, password).await;
        let res = self
            .send(
                Method::POST,
                "/api/v1/tokens",
                Auth::Session(&cookie, &csrf),
                Some(json!({"name": format!("{user}-{scope}"), "scope": scope})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "{} token for {user}", self.db_name);
        let body: Value = res.json().await.expect("json");
        body["secret"].as_str().expect("secret").to_owned()
    }

    /// Adds a user with a password (no one-time password) and returns a token of `scope`.
    pub async fn user(&self, name: &str, role: &str, team: Option<&str>, scope: &str) -> (i64, String) {
        let res = self
            .send(
                Method::POST,
                "/api/v1/users",
                Auth::Token(&self.admin_token),
                Some(json!({"username": name, "role": role, "team": team, "password": PASSWORD})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "{} add {name}", self.db_name);
        let body: Value = res.json().await.expect("json");
        let id = body["user"]["id"].as_i64().expect("id");
        (id, self.token_for(name, PASSWORD, scope).await)
    }

    pub async fn create_lead(&self, token: &str, body: Value) -> Value {
        let res = self.send(Method::POST, "/api/v1/leads", Auth::Token(token), Some(body)).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{} create lead", self.db_name);
        res.json().await.expect("json")
    }

    pub async fn lead_count(&self) -> i64 {
        let res =
            self.send(Method::GET, "/api/v1/leads?count=true&limit=1", Auth::Token(&self.admin_token), None).await;
        let body: Value = res.json().await.expect("json");
        body["total"].as_i64().expect("total")
    }
}

/// Asserts a problem document of `kind` with `status`; returns it.
pub async fn assert_problem(res: Response, status: StatusCode, kind: &str) -> Value {
    let got = res.status();
    let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let text = res.text().await.expect("body");
    assert_eq!(got, status, "{text}");
    assert!(content_type.starts_with("application/problem+json"), "content type {content_type}: {text}");
    let body: Value = serde_json::from_str(&text).expect("problem json");
    assert_eq!(body["type"], format!("urn:sift:problem:{kind}"), "{text}");
    assert_eq!(body["status"], status.as_u16(), "{text}");
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{text}");
    body
}
