//! The web app in a real browser: headless Chromium driven over WebDriver (Debian's
//! `chromium` and `chromium-driver`), axe-core (vendored from npm, MPL-2.0, beside this
//! file) run on every page visited: no serious or critical violations. Screenshots of each
//! step go to `target/browser-screenshots/` for a person to look at.
//!
//! Without `chromedriver` on the PATH the test says so and passes, unless
//! `SIFT_REQUIRE_BROWSER=1` makes that a failure. It runs on SQLite only: the pages are the
//! same on both databases, which `tests/web.rs` covers.

mod common;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Auth, PASSWORD, spawn};
use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::{Method, StatusCode};
use serde_json::json;
use sift_store::testing::databases;

const AXE: &str = include_str!("browser/axe-4.14.1.min.js");

/// The chromedriver this test started; stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("chromedriver")).find(|p| p.is_file())
}

/// Starts chromedriver on a free loopback port and waits until it answers.
fn start_driver(binary: &std::path::Path) -> (Driver, String) {
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let child = Command::new(binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver(child);
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
    (driver, format!("http://127.0.0.1:{port}"))
}

async fn browser(webdriver: &str) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_owned(),
        json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1280,900", "--lang=en-US"]}),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(webdriver)
        .await
        .expect("a browser session")
}

fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

/// Saves a screenshot and runs axe-core on the page; fails on serious or critical findings.
async fn check_page(client: &Client, step: &str) {
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(screenshot_dir().join(format!("{step}.png")), png).expect("write screenshot");
    client.execute(AXE, vec![]).await.expect("axe loads");
    let found = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['violations']})
                .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.impact + ' ' + v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("axe runs");
    let found: Vec<String> = serde_json::from_value(found).expect("a list");
    assert!(found.is_empty(), "{step}: accessibility violations:\n{}", found.join("\n"));
}

/// Waits (up to 10 s) until the page's `selector` text satisfies `ok`; returns it.
async fn wait_for_text(client: &Client, selector: &str, ok: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let text = match client.find(Locator::Css(selector)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if ok(&text) {
            return text;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "`{selector}` never matched; last text: {text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_signs_in_works_the_day_searches_reads_a_lead_and_switches_to_chinese() {
    let Some(binary) = chromedriver() else {
        assert!(
            std::env::var("SIFT_REQUIRE_BROWSER").is_err(),
            "SIFT_REQUIRE_BROWSER is set but chromedriver is missing"
        );
        eprintln!("browser test skipped: no chromedriver on the PATH (apt-get install chromium chromium-driver)");
        return;
    };
    let db = databases("web_browser").await.into_iter().next().expect("SQLite");
    let app = spawn(&db).await;
    let (rep_id, _) = app.user("dana", "rep", None, "write").await;
    let t = app.admin_token.clone();
    let lead = app
        .create_lead(
            &t,
            json!({"first_name": "小明", "last_name": "王", "company": "深圳市星河科技有限公司",
            "industry": "Logistics", "country": "CN", "title": "VP Sales", "owner_id": rep_id}),
        )
        .await;
    let id = lead["id"].as_i64().expect("id");
    app.create_lead(
        &t,
        json!({"first_name": "Nora", "last_name": "Field", "company": "Field & Co", "owner_id": rep_id}),
    )
    .await;
    let answers = json!({"answers": {"framework": "bant", "criteria": {
        "need": {"status": "confirmed", "note": "Reps lose a day a week to manual routing"},
        "budget": {"status": "confirmed", "note": "40k set aside for Q1"},
        "authority": {"status": "confirmed"},
        "timeline": {"status": "confirmed", "date": "2027-01-15"}
    }}, "as_of": "2026-11-26"});
    let res = app.send(Method::POST, &format!("/api/v1/leads/{id}/qualify"), Auth::Token(&t), Some(answers)).await;
    assert_eq!(res.status(), StatusCode::OK);

    let (_driver, webdriver) = start_driver(&binary);
    let client = browser(&webdriver).await;
    // The steps run in their own task so that a failing step still closes the browser
    // (chromedriver does not take Chromium down with it), then fails the test.
    let steps = tokio::spawn(walk_through(client.clone(), app.base.clone(), id));
    let outcome = steps.await;
    let _ = client.close().await;
    if let Err(failed) = outcome {
        std::panic::resume_unwind(failed.into_panic());
    }
    app.running.shutdown().await.expect("clean shutdown");
}

fn page_url(base: &str, path: &str) -> String {
    format!("{base}{path}")
}

/// A rep's walk through the app, from signing in to signing out.
async fn walk_through(client: Client, base: String, id: i64) {
    // Not signed in: the sign-in page, which brings the rep back afterwards.
    client.goto(&page_url(&base, "/")).await.expect("open");
    let url = client.current_url().await.expect("url");
    assert_eq!((url.path(), url.query()), ("/signin", Some("next=/")));
    check_page(&client, "01-sign-in").await;
    client.find(Locator::Css("#username")).await.expect("user name").send_keys("dana").await.expect("type");
    client.find(Locator::Css("#password")).await.expect("password").send_keys(PASSWORD).await.expect("type");
    client.find(Locator::Css("button[type=submit]")).await.expect("button").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h == "Today").await;
    let call_first = wait_for_text(&client, "section[aria-labelledby=call-first]", |s| s.contains("小明 王")).await;
    assert!(call_first.contains("last verdict: Qualified"), "{call_first}");
    check_page(&client, "02-today").await;

    // The list: typing in the search updates the results in place (htmx), and the URL.
    client.find(Locator::Css("a[href='/leads']")).await.expect("nav").click().await.expect("click");
    wait_for_text(&client, "#results", |r| r.contains("Nora Field") && r.contains("小明 王")).await;
    client.find(Locator::Css("#q")).await.expect("search").send_keys("星河").await.expect("type");
    wait_for_text(&client, "#results", |r| r.contains("小明 王") && !r.contains("Nora Field")).await;
    let url = client.current_url().await.expect("url");
    assert!(url.query().is_some_and(|q| q.contains("q=")), "the search is in the URL: {url}");
    check_page(&client, "03-leads-search").await;

    // The lead page: the verdict first.
    client
        .find(Locator::Css(&format!("a[href='/leads/{id}']")))
        .await
        .expect("lead link")
        .click()
        .await
        .expect("click");
    let verdict = wait_for_text(&client, "#verdict", |v| !v.is_empty()).await;
    assert!(verdict.contains("Qualified"), "{verdict}");
    check_page(&client, "04-lead").await;

    // The switch: the page again, in Chinese, and it stays so.
    client.find(Locator::Css("form[action='/language'] button")).await.expect("switch").click().await.expect("click");
    wait_for_text(&client, "#levels", |h| h == "三个层级").await;
    check_page(&client, "05-lead-zh").await;
    client.goto(&page_url(&base, "/")).await.expect("open");
    wait_for_text(&client, "h1", |h| h == "今日").await;
    check_page(&client, "06-today-zh").await;

    // Sign out: back to the sign-in page, and the pages are closed again.
    client.find(Locator::Css("form[action='/signout'] button")).await.expect("sign out").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h == "登录 Sift" || h == "Sign in to Sift").await;
    client.goto(&page_url(&base, "/leads")).await.expect("open");
    assert_eq!(client.current_url().await.expect("url").path(), "/signin");
}
