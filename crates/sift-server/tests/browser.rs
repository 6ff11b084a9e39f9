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

use common::{Auth, PASSWORD, spawn, spawn_with};
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
    wait_for_text_within(client, selector, Duration::from_secs(10), ok).await
}

/// [`wait_for_text`] with its own limit (a job such as training takes longer).
async fn wait_for_text_within(client: &Client, selector: &str, limit: Duration, ok: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let text = match client.find(Locator::Css(selector)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if ok(&text) {
            return text;
        }
        assert!(started.elapsed() < limit, "`{selector}` never matched; last text: {text}");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_runs_the_playbook_to_each_verdict_and_reads_uploaded_calls_in_both_languages() {
    let Some(binary) = chromedriver() else {
        assert!(
            std::env::var("SIFT_REQUIRE_BROWSER").is_err(),
            "SIFT_REQUIRE_BROWSER is set but chromedriver is missing"
        );
        eprintln!("browser test skipped: no chromedriver on the PATH (apt-get install chromium chromium-driver)");
        return;
    };
    let db = databases("web_browser_playbook").await.into_iter().next().expect("SQLite");
    let app = spawn(&db).await;
    let (rep_id, _) = app.user("dana", "rep", None, "write").await;
    let t = app.admin_token.clone();
    let mut leads = Vec::new();
    for (first, company) in
        [("Quinn", "Qualified Ltd"), ("Nell", "Later GmbH"), ("Dirk", "No Pain AB"), ("Ines", "Open Questions SA")]
    {
        let lead = app.create_lead(&t, json!({"first_name": first, "company": company, "owner_id": rep_id})).await;
        leads.push(lead["id"].as_i64().expect("id"));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let en = dir.path().join("monday.txt");
    std::fs::write(&en, include_str!("../../sift-signals/fixtures/calls/en-routing-good.txt")).expect("write");
    let zh = dir.path().join("crm-call.srt");
    std::fs::write(&zh, include_str!("../../sift-signals/fixtures/calls/zh-crm-good.srt")).expect("write");

    let (_driver, webdriver) = start_driver(&binary);
    let client = browser(&webdriver).await;
    let steps = tokio::spawn(playbook_and_calls(client.clone(), app.base.clone(), leads, [en, zh]));
    let outcome = steps.await;
    let _ = client.close().await;
    if let Err(failed) = outcome {
        std::panic::resume_unwind(failed.into_panic());
    }
    let stages: Vec<String> = {
        let mut out = Vec::new();
        for id in [1, 2, 3, 4] {
            let lead: serde_json::Value = app
                .send(Method::GET, &format!("/api/v1/leads/{id}"), Auth::Token(&t), None)
                .await
                .json()
                .await
                .expect("json");
            out.push(lead["stage"].as_str().unwrap_or("").to_owned());
        }
        out
    };
    assert_eq!(stages, ["sql", "nurture", "disqualified", "unqualified"], "the stages the verdicts moved the leads to");
    app.running.shutdown().await.expect("clean shutdown");
}

/// One run of the playbook: the answers given, the verdict and the notice after saving.
struct Run {
    lead: i64,
    statuses: Vec<(&'static str, &'static str)>,
    verdict: &'static str,
    notice: &'static str,
    step: &'static str,
}

/// Picks a status for each criterion of the playbook form.
async fn answer(client: &Client, statuses: &[(&str, &str)]) {
    for (criterion, status) in statuses {
        client
            .find(Locator::Css(&format!("#status-{criterion}")))
            .await
            .expect("a status select")
            .select_by_value(status)
            .await
            .expect("select");
    }
}

async fn playbook_and_calls(client: Client, base: String, leads: Vec<i64>, calls: [PathBuf; 2]) {
    client.goto(&page_url(&base, "/signin")).await.expect("open");
    client.find(Locator::Css("#username")).await.expect("user name").send_keys("dana").await.expect("type");
    client.find(Locator::Css("#password")).await.expect("password").send_keys(PASSWORD).await.expect("type");
    client.find(Locator::Css("button[type=submit]")).await.expect("button").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h == "Today").await;

    // From the lead page to its playbook.
    client.goto(&page_url(&base, &format!("/leads/{}", leads[0]))).await.expect("open");
    client
        .find(Locator::Css(&format!("a[href='/leads/{}/qualify']", leads[0])))
        .await
        .expect("link")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "h1", |h| h.starts_with("Discovery call")).await;
    wait_for_text(&client, "#outcome-verdict", |v| v.contains("Needs info")).await;
    check_page(&client, "10-playbook-open").await;

    // The rep's own question: coached as typed, the open rewrite taken with one button.
    client
        .find(Locator::Css("#question"))
        .await
        .expect("question")
        .send_keys("Do you have a budget for this?")
        .await
        .expect("type");
    wait_for_text(&client, "#question-lint", |l| l.contains("Closed question")).await;
    check_page(&client, "11-playbook-closed-question").await;
    let rewrite = client.find(Locator::Css("#rewrite-text")).await.expect("rewrite").text().await.expect("text");
    client.find(Locator::Css("button[name=use_rewrite]")).await.expect("use it").click().await.expect("click");
    wait_for_text(&client, "#question-lint", |l| l.contains("Open question")).await;
    let typed = client.find(Locator::Css("#question")).await.expect("question").prop("value").await.expect("value");
    assert_eq!(typed.as_deref(), Some(rewrite.as_str()), "the rewrite replaced the question");

    // Switching framework with the select: what was answered follows where concepts match.
    answer(&client, &[("need", "confirmed")]).await;
    client
        .find(Locator::Css("#framework-switch"))
        .await
        .expect("select")
        .select_by_value("meddic")
        .await
        .expect("pick");
    wait_for_text(&client, "#framework-origin", |o| o.contains("You switched framework")).await;
    let carried = client
        .find(Locator::Css("#status-identify_pain"))
        .await
        .expect("MEDDIC's pain")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(carried.as_deref(), Some("confirmed"), "need carried to MEDDIC's identify pain");
    check_page(&client, "11b-playbook-switched-meddic").await;
    client.find(Locator::Css("#framework-switch")).await.expect("select").select_by_value("bant").await.expect("pick");
    wait_for_text(&client, "#framework-origin", |o| o.contains("No playbook applies")).await;
    let back =
        client.find(Locator::Css("#status-need")).await.expect("BANT's need").prop("value").await.expect("value");
    assert_eq!(back.as_deref(), Some("confirmed"), "and back again");

    let confirmed =
        [("budget", "confirmed"), ("authority", "confirmed"), ("need", "confirmed"), ("timeline", "confirmed")];
    let runs = [
        Run {
            lead: leads[0],
            statuses: confirmed.to_vec(),
            verdict: "Qualified",
            notice: "Decision saved. The lead moved to SQL.",
            step: "qualified",
        },
        Run {
            lead: leads[1],
            statuses: vec![
                ("budget", "negative"),
                ("authority", "confirmed"),
                ("need", "confirmed"),
                ("timeline", "confirmed"),
            ],
            verdict: "Nurture",
            notice: "Decision saved. The lead moved to Nurture.",
            step: "nurture",
        },
        Run {
            lead: leads[2],
            statuses: vec![
                ("budget", "confirmed"),
                ("authority", "confirmed"),
                ("need", "negative"),
                ("timeline", "partial"),
            ],
            verdict: "Disqualified",
            notice: "Decision saved. The lead moved to Disqualified.",
            step: "disqualified",
        },
        Run {
            lead: leads[3],
            statuses: vec![("budget", "partial"), ("need", "confirmed")],
            verdict: "Needs info",
            notice: "Decision saved. The stage stays Not qualified yet.",
            step: "needs-info",
        },
    ];
    for (i, Run { lead: id, statuses, verdict, notice, step }) in runs.into_iter().enumerate() {
        if i > 0 {
            client.goto(&page_url(&base, &format!("/leads/{id}/qualify"))).await.expect("open");
            wait_for_text(&client, "#outcome-verdict", |v| v.contains("Needs info")).await;
        }
        answer(&client, &statuses).await;
        // The levels and the verdict follow the answers before anything is saved.
        wait_for_text(&client, "#outcome-verdict", |v| v.contains(verdict)).await;
        check_page(&client, &format!("{}-playbook-{step}", 12 + 2 * i)).await;
        client.find(Locator::Css("button[value=save]")).await.expect("save").click().await.expect("click");
        wait_for_text(&client, "#saved", |s| s == notice).await;
        let url = client.current_url().await.expect("url");
        assert_eq!(url.path(), format!("/leads/{id}"), "on to the lead page");
        let shown = wait_for_text(&client, "#verdict", |v| !v.is_empty()).await;
        assert!(shown.contains(verdict), "{shown}");
        check_page(&client, &format!("{}-lead-{step}-saved", 13 + 2 * i)).await;
    }

    // A call for the first lead: uploaded as a file, every finding marked at its quote.
    for (n, (call, lang)) in calls.iter().zip(["en", "zh"]).enumerate() {
        if lang == "zh" {
            // The switch on the answer page comes back to the upload form, now in Chinese.
            client
                .find(Locator::Css("form[action='/language'] button"))
                .await
                .expect("switch")
                .click()
                .await
                .expect("click");
            wait_for_text(&client, "h1", |h| h.starts_with("通话分析")).await;
        }
        client.goto(&page_url(&base, &format!("/leads/{}/calls/new", leads[0]))).await.expect("open");
        wait_for_text(&client, "h1", |h| h.contains("Quinn")).await;
        if n == 0 {
            check_page(&client, "20-call-upload").await;
        }
        client
            .find(Locator::Css("#file"))
            .await
            .expect("file")
            .send_keys(&call.display().to_string())
            .await
            .expect("file");
        client
            .find(Locator::Css("form.upload button[type=submit]"))
            .await
            .expect("submit")
            .click()
            .await
            .expect("click");
        let saved = wait_for_text(&client, "#call-saved", |s| !s.is_empty()).await;
        assert!(saved == "Saved with the lead." || saved == "已保存到这条线索。", "{saved}");
        let marks = client.find_all(Locator::Css("mark.hl")).await.expect("marks");
        assert!(marks.len() >= 3, "{lang}: the findings are marked ({} marks)", marks.len());
        let first = marks[0].attr("title").await.expect("title").unwrap_or_default();
        assert!(!first.is_empty(), "a mark says what it is and why");
        let said = wait_for_text(&client, "ol.turns", |t| !t.is_empty()).await;
        if lang == "zh" {
            assert!(said.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "the Chinese call reads as Chinese");
            wait_for_text(&client, "#ask-next-title", |h| h == "接下来要问").await;
        } else {
            wait_for_text(&client, "#metrics", |h| h.starts_with("Metrics")).await;
        }
        check_page(&client, &format!("2{}-call-{lang}", n + 1)).await;
    }
}

/// English sentences the engine writes beside a code; a Chinese page says them in Chinese.
const ENGINE_ENGLISH: [&str; 43] = [
    "level fails",
    "level open",
    "level passes",
    "not yet established",
    "deciding checks pass",
    ": confirmed",
    ": clearly lacking",
    ": not there now",
    "only partly established",
    "not established yet",
    "our territories",
    "target industry",
    "target range",
    "target persona",
    "exclusion list",
    "Advance to SQL",
    "Move to the",
    "the questions below",
    "from the call:",
    "ideal-customer profile",
    // A call's analysis: notes, signals, metrics and their bands.
    "budget figure",
    "buying or go-live",
    "approval threshold",
    "Gives a",
    "Knows the",
    "Says plainly",
    "Contradicts an earlier",
    "the large model",
    "the model reads",
    "a question about",
    "the rep talks",
    "questions;",
    "questions, within",
    "of the questions are closed",
    "longest monologue",
    "of the prospect's turns",
    "reference 43%",
    "at most",
    // The lead-type rules.
    "engagement points",
    "rule `",
    // A model's report.
    "Candidates compared",
    "is chosen",
    "identifier-like",
];

/// Polls a job through the API until it ends; fails unless it is done.
async fn job_done(app: &common::App, job: serde_json::Value) {
    let href = job["href"].as_str().expect("a job to poll").to_owned();
    let started = Instant::now();
    loop {
        let now: serde_json::Value =
            app.send(Method::GET, &href, Auth::Token(&app.admin_token), None).await.json().await.expect("json");
        match now["status"].as_str() {
            Some("done") => return,
            Some("failed") => panic!("job failed: {now}"),
            _ => {}
        }
        assert!(started.elapsed() < Duration::from_secs(180), "the job did not end: {now}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_reads_in_chinese_with_the_engines_words_in_chinese() {
    let Some(binary) = chromedriver() else {
        assert!(
            std::env::var("SIFT_REQUIRE_BROWSER").is_err(),
            "SIFT_REQUIRE_BROWSER is set but chromedriver is missing"
        );
        eprintln!("browser test skipped: no chromedriver on the PATH (apt-get install chromium chromium-driver)");
        return;
    };
    let db = databases("web_browser_zh").await.into_iter().next().expect("SQLite");
    let app = spawn_with(&db, |s| s.job_workers = 1).await;
    let t = app.admin_token.clone();
    // The demo's leads with their decisions under the demo ICP, which the server keeps too.
    let config = sift_app::demo::demo_config(sift_app::Config::builtin().expect("config")).expect("demo config");
    let outcomes = sift_app::demo::qualify_sample(&config).expect("demo qualified");
    let dir = tempfile::tempdir().expect("tempdir");
    sift_app::demo::store_sample(&config, app.running.state.store(), dir.path(), &outcomes).await.expect("demo stored");
    let res = app
        .send(Method::PUT, "/api/v1/config/icp", Auth::Token(&t), Some(json!({"text": sift_app::demo::DEMO_ICP})))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    // A model trained on the demo's outcomes scores every lead, so factors show.
    // Trained by `auto`, so the report says how it chose.
    let res = app.send(Method::POST, "/api/v1/models/train", Auth::Token(&t), Some(json!({"kind": "auto"}))).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    job_done(&app, res.json().await.expect("job")).await;
    let res = app.send(Method::POST, "/api/v1/scores/rescore", Auth::Token(&t), Some(json!({}))).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    job_done(&app, res.json().await.expect("job")).await;
    // A Chinese lead qualified from a Chinese call, with the call kept.
    let lead = app
        .create_lead(
            &t,
            json!({"first_name": "伟", "last_name": "王", "company": "深圳市星河科技有限公司", "industry": "Logistics",
                "country": "CN", "title": "销售副总裁", "employees": 300, "annual_revenue": 80_000_000.0}),
        )
        .await;
    let id = lead["id"].as_i64().expect("id");
    // The lead-type rules move it, with their reason.
    let activity = json!({"kind": "trial_signup", "at": "2026-11-20T09:00:00Z"});
    let res = app.send(Method::POST, &format!("/api/v1/leads/{id}/activities"), Auth::Token(&t), Some(activity)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let call = include_str!("../../sift-signals/fixtures/calls/zh-crm-good.srt");
    let res = app
        .client
        .post(app.url(&format!("/api/v1/leads/{id}/calls?as_of=2026-11-26&name=crm-call.srt")))
        .bearer_auth(&t)
        .body(call.to_owned())
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::CREATED);
    let kept: serde_json::Value = res.json().await.expect("json");
    let call_id = kept["call_id"].as_i64().expect("the call's id");
    let body = json!({"transcript": {"text": call}, "framework": "bant", "as_of": "2026-11-26"});
    let res = app.send(Method::POST, &format!("/api/v1/leads/{id}/qualify"), Auth::Token(&t), Some(body)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let decided: serde_json::Value = res.json().await.expect("json");
    let notes = decided["decision"]["levels"].to_string();
    assert!(notes.contains("call.evidence_note"), "the call's evidence is a note with a code: {notes}");

    let (_driver, webdriver) = start_driver(&binary);
    let client = browser(&webdriver).await;
    let steps = tokio::spawn(every_page_in_chinese(client.clone(), app.base.clone(), id, call_id));
    let outcome = steps.await;
    let _ = client.close().await;
    if let Err(failed) = outcome {
        std::panic::resume_unwind(failed.into_panic());
    }
    app.running.shutdown().await.expect("clean shutdown");
}

/// The text of `selector` has none of the engine's English sentences.
async fn no_engine_english(client: &Client, page: &str, selector: &str) -> String {
    let text = wait_for_text(client, selector, |t| !t.is_empty()).await;
    for english in ENGINE_ENGLISH {
        assert!(!text.contains(english), "{page}: `{english}` left in English in {selector}:\n{text}");
    }
    text
}

/// An admin switches to Chinese and visits every page: each one reads in Chinese, the
/// engine's words included, and passes the accessibility check.
async fn every_page_in_chinese(client: Client, base: String, id: i64, call: i64) {
    client.goto(&page_url(&base, "/signin")).await.expect("open");
    client.find(Locator::Css("#username")).await.expect("user name").send_keys("admin").await.expect("type");
    client.find(Locator::Css("#password")).await.expect("password").send_keys(PASSWORD).await.expect("type");
    client.find(Locator::Css("button[type=submit]")).await.expect("button").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h == "Today").await;
    client.find(Locator::Css("form[action='/language'] button")).await.expect("switch").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h == "今日").await;

    // Today: why to call each lead, score factors included, in Chinese words.
    let today = no_engine_english(&client, "today", "main").await;
    assert!(!today.contains("(missing)") && !today.contains("(rare)") && !today.contains("last verdict"), "{today}");
    check_page(&client, "zh-01-today").await;

    client.goto(&page_url(&base, "/board")).await.expect("open");
    wait_for_text(&client, "h1", |h| h == "看板").await;
    no_engine_english(&client, "board", "main").await;
    check_page(&client, "zh-02-board").await;

    // The lead page: the verdict's reasons, the next step, each level, each finding and its
    // evidence from the call, and the stage history.
    client.goto(&page_url(&base, &format!("/leads/{id}"))).await.expect("open");
    wait_for_text(&client, "#levels", |h| h == "三个层级").await;
    let decision = no_engine_english(&client, "lead", "section.decision").await;
    assert!(decision.contains("下一步"), "{decision}");
    let levels = no_engine_english(&client, "lead", "section[aria-labelledby=levels]").await;
    assert!(levels.contains("来自通话：第") && levels.contains("组织层"), "{levels}");
    assert!(levels.contains("销售区域") && levels.contains("在我们的销售区域内"), "{levels}");
    let history = no_engine_english(&client, "lead", "section[aria-labelledby=history]").await;
    assert!(history.contains("规则 product_signal："), "{history}");
    no_engine_english(&client, "lead", "section[aria-labelledby=calls]").await;
    if client.find(Locator::Css("section[aria-labelledby=next-questions]")).await.is_ok() {
        no_engine_english(&client, "lead", "section[aria-labelledby=next-questions]").await;
    }
    check_page(&client, "zh-03-lead").await;
    client.execute("document.getElementById('levels').scrollIntoView()", vec![]).await.expect("scroll");
    check_page(&client, "zh-03b-lead-levels").await;

    client.goto(&page_url(&base, &format!("/leads/{id}/qualify"))).await.expect("open");
    wait_for_text(&client, "h1", |h| h.starts_with("需求沟通")).await;
    no_engine_english(&client, "playbook", "#outcome").await;
    // The notes Sift wrote from the call open in Chinese words too.
    let notes = client
        .execute(
            "return Array.from(document.querySelectorAll('form input[type=text], form textarea')).map(e => e.value).join('\\n')",
            vec![],
        )
        .await
        .expect("the form's values");
    let notes = notes.as_str().unwrap_or_default().to_owned();
    assert!(notes.contains("来自通话"), "{notes}");
    assert!(ENGINE_ENGLISH.iter().all(|english| !notes.contains(english)), "{notes}");
    check_page(&client, "zh-04-playbook").await;

    client.goto(&page_url(&base, &format!("/leads/{id}/calls/{call}"))).await.expect("open");
    wait_for_text(&client, "#ask-next-title", |h| h == "接下来要问").await;
    no_engine_english(&client, "call", "#ask-next").await;
    // The findings, each signal's and note's why, and the metrics against their bands.
    let call_page = no_engine_english(&client, "call", "main").await;
    assert!(call_page.contains("销售占 25%–50%（参考值 43%）"), "{call_page}");
    let why = client
        .execute(
            "return Array.from(document.querySelectorAll('mark[title], tr[title]')).map(e => e.title).join('\\n')",
            vec![],
        )
        .await
        .expect("the marks' and metrics' titles");
    let why = why.as_str().unwrap_or_default().to_owned();
    assert!(!why.is_empty() && ENGINE_ENGLISH.iter().all(|english| !why.contains(english)), "{why}");
    check_page(&client, "zh-05-call").await;

    for (step, path, heading) in [
        ("zh-06-import", "/imports/new", "h1"),
        ("zh-07-nurture", "/nurture", "h1"),
        ("zh-08-models", "/models", "h1"),
        ("zh-09-model-report", "/models/1", "h1"),
        ("zh-10-reports", "/reports", "h1"),
        ("zh-11-account", "/account", "h1"),
        ("zh-12-settings", "/settings", "h1"),
    ] {
        client.goto(&page_url(&base, path)).await.expect("open");
        let title = wait_for_text(&client, heading, |h| !h.is_empty()).await;
        assert!(title.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{path}: the title is Chinese: {title}");
        let lang = client.find(Locator::Css("html")).await.expect("html").attr("lang").await.expect("lang");
        assert_eq!(lang.as_deref(), Some("zh-CN"), "{path}");
        no_engine_english(&client, path, "main").await;
        if path == "/models/1" {
            let chose = no_engine_english(&client, path, "#selection-reason").await;
            assert!(chose.contains("各候选模型在相同的交叉验证折上比较 AUC。选择"), "{chose}");
            no_engine_english(&client, path, "#candidates").await;
        }
        if path == "/reports" {
            // The disqualification reasons, said from the decisions behind the moves.
            let reasons = no_engine_english(&client, path, "#disqualified-table").await;
            assert!(reasons.contains("结论为“不合格”："), "{reasons}");
            client
                .execute("document.getElementById('disqualified-table').scrollIntoView()", vec![])
                .await
                .expect("scroll");
        }
        check_page(&client, step).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_trains_a_model_in_the_browser_and_reads_its_charts() {
    let Some(binary) = chromedriver() else {
        assert!(
            std::env::var("SIFT_REQUIRE_BROWSER").is_err(),
            "SIFT_REQUIRE_BROWSER is set but chromedriver is missing"
        );
        eprintln!("browser test skipped: no chromedriver on the PATH (apt-get install chromium chromium-driver)");
        return;
    };
    let db = databases("web_browser_models").await.into_iter().next().expect("SQLite");
    let app = spawn_with(&db, |s| s.job_workers = 1).await;
    let config = sift_app::Config::builtin().expect("config");
    let dir = tempfile::tempdir().expect("tempdir");
    sift_app::demo::store_sample(&config, app.running.state.store(), dir.path(), &[]).await.expect("demo stored");

    let (_driver, webdriver) = start_driver(&binary);
    let client = browser(&webdriver).await;
    let steps = tokio::spawn(train_and_read(client.clone(), app.base.clone()));
    let outcome = steps.await;
    let _ = client.close().await;
    if let Err(failed) = outcome {
        std::panic::resume_unwind(failed.into_panic());
    }
    app.running.shutdown().await.expect("clean shutdown");
}

/// A manager's visit to the models: train on the demo outcomes, watch the job, read the
/// report, open a chart's numbers, read it in Chinese.
async fn train_and_read(client: Client, base: String) {
    client.goto(&page_url(&base, "/models")).await.expect("open");
    client.find(Locator::Css("#username")).await.expect("user name").send_keys("admin").await.expect("type");
    client.find(Locator::Css("#password")).await.expect("password").send_keys(PASSWORD).await.expect("type");
    client.find(Locator::Css("button[type=submit]")).await.expect("button").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h == "Scoring models").await;
    check_page(&client, "models-01-empty").await;

    let kind = client.find(Locator::Css("#kind")).await.expect("kind");
    assert_eq!(kind.prop("value").await.expect("value").as_deref(), Some("auto"));
    client
        .find(Locator::Css("form[action='/models/train'] button"))
        .await
        .expect("train")
        .click()
        .await
        .expect("click");
    // The job's progress is polled in place until it is done.
    wait_for_text(&client, "#training", |t| !t.is_empty()).await;
    let url = client.current_url().await.expect("url");
    assert!(url.query().is_some_and(|q| q.starts_with("job=")), "{url}");
    wait_for_text_within(&client, "#training", Duration::from_secs(120), |t| t.contains("Done.")).await;
    // The list came with the finished job: the new model is there, active, without a reload.
    let list = wait_for_text(&client, "#model-list", |t| t.contains("Model 1")).await;
    assert!(list.contains("Active"), "{list}");
    check_page(&client, "models-02-trained").await;

    client.find(Locator::Css("#new-model")).await.expect("the new model").click().await.expect("click");
    wait_for_text(&client, "#roc-heading", |h| h == "ROC curve").await;
    for chart in ["roc", "calibration", "lift", "factors"] {
        let svg = client.find(Locator::Css(&format!("svg.chart.{chart}"))).await.expect(chart);
        assert!(svg.is_displayed().await.expect("displayed"), "{chart} is drawn");
    }
    check_page(&client, "models-03-report").await;
    // A chart's numbers, for those who would rather read them.
    client.find(Locator::Css("#roc details summary")).await.expect("numbers").click().await.expect("click");
    let table = wait_for_text(&client, "#roc details table", |t| !t.is_empty()).await;
    assert!(table.contains("True positive rate"), "{table}");
    client.execute("document.getElementById('factors').scrollIntoView()", vec![]).await.expect("scroll");
    check_page(&client, "models-04-factors").await;

    client.find(Locator::Css("form[action='/language'] button")).await.expect("switch").click().await.expect("click");
    wait_for_text(&client, "#roc-heading", |h| h == "ROC 曲线").await;
    check_page(&client, "models-05-report-zh").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_imports_a_csv_through_the_mapping_step_and_finds_a_lead_on_the_board() {
    let Some(binary) = chromedriver() else {
        assert!(
            std::env::var("SIFT_REQUIRE_BROWSER").is_err(),
            "SIFT_REQUIRE_BROWSER is set but chromedriver is missing"
        );
        eprintln!("browser test skipped: no chromedriver on the PATH (apt-get install chromium chromium-driver)");
        return;
    };
    let db = databases("web_browser_import").await.into_iter().next().expect("SQLite");
    let app = spawn_with(&db, |s| s.job_workers = 1).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("crm-export.csv");
    std::fs::write(
        &csv,
        "Record ID,First Name,Last Name,Email,Company,Firma Size,Converted,Notes\n\
         R1,Ada,Lovelace,ada@engines.example,Analytical Engines,120,,=SUM(A1:A2)\n\
         R2,Grace,Hopper,grace@navy.example,Navy Labs,5000,yes,<script>alert(1)</script>\n\
         R3,Alan,Turing,not-an-email,Bletchley,80,no,\n",
    )
    .expect("write");

    let (_driver, webdriver) = start_driver(&binary);
    let client = browser(&webdriver).await;
    let steps = tokio::spawn(import_and_board(client.clone(), app.base.clone(), csv));
    let outcome = steps.await;
    let _ = client.close().await;
    if let Err(failed) = outcome {
        std::panic::resume_unwind(failed.into_panic());
    }
    let leads: serde_json::Value = app
        .send(Method::GET, "/api/v1/leads?q=lovelace", Auth::Token(&app.admin_token), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(leads["items"][0]["employees"], 120, "the column mapped in the browser: {leads}");
    app.running.shutdown().await.expect("clean shutdown");
}

async fn import_and_board(client: Client, base: String, csv: PathBuf) {
    client.goto(&page_url(&base, "/signin")).await.expect("open");
    client.find(Locator::Css("#username")).await.expect("user name").send_keys("admin").await.expect("type");
    client.find(Locator::Css("#password")).await.expect("password").send_keys(PASSWORD).await.expect("type");
    client.find(Locator::Css("button[type=submit]")).await.expect("button").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h == "Today").await;

    // Upload, then the mapping step: one column's field changed and checked again.
    client.find(Locator::Css("a[href='/imports/new']")).await.expect("nav").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h == "Import leads").await;
    check_page(&client, "21-import-upload").await;
    client.find(Locator::Css("#file")).await.expect("file").send_keys(&csv.display().to_string()).await.expect("file");
    client.find(Locator::Css("#upload button[type=submit]")).await.expect("button").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h.starts_with("Check the columns")).await;
    let rejects = wait_for_text(&client, "section[aria-labelledby=rejects]", |r| !r.is_empty()).await;
    assert!(rejects.contains("not-an-email"), "{rejects}");
    let rows = wait_for_text(&client, "section[aria-labelledby=first-rows]", |r| !r.is_empty()).await;
    assert!(rows.contains("<script>alert(1)</script>") && rows.contains("=SUM(A1:A2)"), "cells shown as text: {rows}");
    check_page(&client, "22-import-mapping").await;
    client.find(Locator::Css("#col5")).await.expect("select").select_by_value("employees").await.expect("pick");
    client.find(Locator::Css("button[value=check]")).await.expect("check").click().await.expect("click");
    let started = Instant::now();
    loop {
        let chosen = client
            .execute("return document.querySelector('#col5 option[selected]')?.value ?? '';", vec![])
            .await
            .expect("script");
        if chosen == "employees" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the checked mapping never came back: {chosen}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    client.find(Locator::Css("button[value=import]")).await.expect("import").click().await.expect("click");
    // The job's page: progress, then the summary (polled by htmx).
    let summary = wait_for_text(&client, "#job", |s| s.contains("Imported")).await;
    assert!(summary.contains("Created 2") && summary.contains("Rejected 1"), "{summary}");
    client.find(Locator::Css("#rejects-file")).await.expect("the rejects download");
    check_page(&client, "23-import-summary").await;

    // The board: find the lead by search, open it.
    client.find(Locator::Css("a[href='/board']")).await.expect("nav").click().await.expect("click");
    let board = wait_for_text(&client, ".board", |b| b.contains("Grace Hopper")).await;
    assert!(board.contains("Ada Lovelace"), "{board}");
    check_page(&client, "24-board").await;
    client.find(Locator::Css("#q")).await.expect("search").send_keys("Lovelace").await.expect("type");
    client.find(Locator::Css("#board-filters button[type=submit]")).await.expect("apply").click().await.expect("click");
    let board = wait_for_text(&client, ".board", |b| b.contains("Ada Lovelace") && !b.contains("Grace Hopper")).await;
    // Each column heading counts the leads the search leaves in it.
    let headings: Vec<String> = board.lines().filter(|l| l.contains(" lead")).map(str::to_owned).collect();
    assert!(headings.iter().filter(|h| h.ends_with("1 lead")).count() == 1, "one column holds her: {headings:?}");
    assert!(headings.iter().filter(|h| h.ends_with("0 leads")).count() == 8, "{headings:?}");
    let url = client.current_url().await.expect("url");
    assert!(url.query().is_some_and(|q| q.contains("q=Lovelace")), "the search is in the URL: {url}");
    check_page(&client, "25-board-search").await;
    // Bulk assignment: tick the card, keep "Me", assign (htmx sends the ticked box with the form).
    client.find(Locator::Css(".card input[type=checkbox]")).await.expect("a checkbox").click().await.expect("tick");
    client.find(Locator::Css("#assign button[type=submit]")).await.expect("assign").click().await.expect("click");
    let result = wait_for_text(&client, "#assign-result", |r| !r.is_empty()).await;
    assert!(result.contains("Assigned: 1") && result.contains("Refused: 0"), "{result}");
    wait_for_text(&client, ".board", |b| b.contains("Owner: Administrator")).await;
    client.find(Locator::LinkText("Ada Lovelace")).await.expect("the card").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h.starts_with("Ada Lovelace")).await;

    // Moving it without a reason: the rules' error at the field.
    client.find(Locator::LinkText("Move stage")).await.expect("move link").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h.starts_with("Move to another stage")).await;
    client.find(Locator::Css("#move-stage button[type=submit]")).await.expect("move").click().await.expect("click");
    let error = wait_for_text(&client, "#reason_error", |e| !e.is_empty()).await;
    assert!(error.contains("Say why"), "{error}");
    check_page(&client, "26-move-needs-reason").await;
    client.find(Locator::Css("#reason")).await.expect("reason").send_keys("Asked for a demo").await.expect("type");
    client.find(Locator::Css("#move-stage button[type=submit]")).await.expect("move").click().await.expect("click");
    wait_for_text(&client, "#moved", |m| m.contains("moved to")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_creates_and_revokes_an_api_token_on_the_account_page() {
    let Some(binary) = chromedriver() else {
        assert!(
            std::env::var("SIFT_REQUIRE_BROWSER").is_err(),
            "SIFT_REQUIRE_BROWSER is set but chromedriver is missing"
        );
        eprintln!("browser test skipped: no chromedriver on the PATH (apt-get install chromium chromium-driver)");
        return;
    };
    let db = databases("web_browser_account").await.into_iter().next().expect("SQLite");
    let app = spawn(&db).await;
    app.user("dana", "rep", None, "read").await;
    let (_driver, webdriver) = start_driver(&binary);
    let client = browser(&webdriver).await;
    let steps = tokio::spawn(account_tokens(client.clone(), app.base.clone()));
    let outcome = steps.await;
    let _ = client.close().await;
    let secret = match outcome {
        Ok(secret) => secret,
        Err(failed) => std::panic::resume_unwind(failed.into_panic()),
    };
    // Revoked in the browser: the API refuses it.
    let res = app.send(Method::GET, "/api/v1/leads", Auth::Token(&secret), None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    app.running.shutdown().await.expect("clean shutdown");
}

/// A rep's visit to their account: create a token, copy its secret, revoke it. Returns the
/// secret.
async fn account_tokens(client: Client, base: String) -> String {
    client.goto(&page_url(&base, "/account")).await.expect("open");
    client.find(Locator::Css("#username")).await.expect("user name").send_keys("dana").await.expect("type");
    client.find(Locator::Css("#password")).await.expect("password").send_keys(PASSWORD).await.expect("type");
    client.find(Locator::Css("button[type=submit]")).await.expect("button").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h == "Your account").await;
    check_page(&client, "account-01").await;

    client.find(Locator::Css("#token_name")).await.expect("name").send_keys("CRM sync").await.expect("type");
    // It expires in 30 days rather than the default 90.
    client.find(Locator::Css("#token_expiry")).await.expect("expiry").select_by_value("30").await.expect("pick");
    client
        .find(Locator::Css("form[action='/account/tokens'] button"))
        .await
        .expect("create")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#new-token-heading", |h| h == "Your new token").await;
    let secret = client
        .find(Locator::Css("#secret"))
        .await
        .expect("secret")
        .prop("value")
        .await
        .expect("value")
        .expect("a secret");
    assert!(secret.starts_with("sift_"), "{secret}");
    check_page(&client, "account-02-created").await;

    // Back to the page: the secret is gone for good.
    client.find(Locator::Css("#new-token a[href='/account']")).await.expect("done").click().await.expect("click");
    let tokens = wait_for_text(&client, "section[aria-labelledby=tokens]", |t| t.contains("CRM sync")).await;
    assert!(client.find(Locator::Css("#secret")).await.is_err() && !tokens.contains(&secret));
    let in_30 = (chrono::Utc::now() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
    assert!(tokens.contains(&in_30), "the token expires in 30 days ({in_30}): {tokens}");
    client
        .find(Locator::Css("button[aria-label='Revoke CRM sync']"))
        .await
        .expect("revoke")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "p.notice", |n| n.contains("no longer works")).await;
    check_page(&client, "account-03-revoked").await;
    secret
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_pulls_a_nurtured_lead_back_early() {
    let Some(binary) = chromedriver() else {
        assert!(
            std::env::var("SIFT_REQUIRE_BROWSER").is_err(),
            "SIFT_REQUIRE_BROWSER is set but chromedriver is missing"
        );
        eprintln!("browser test skipped: no chromedriver on the PATH (apt-get install chromium chromium-driver)");
        return;
    };
    let db = databases("web_browser_nurture").await.into_iter().next().expect("SQLite");
    let app = spawn(&db).await;
    let (rep_id, _) = app.user("dana", "rep", None, "write").await;
    let t = app.admin_token.clone();
    let mut ids = Vec::new();
    for (first, day) in [("Nora", "2020-01-01"), ("Lena", "2099-05-01")] {
        let lead = app
            .create_lead(
                &t,
                json!({"first_name": first, "last_name": "Nurtured", "company": "Wait & See Ltd", "owner_id": rep_id}),
            )
            .await;
        let id = lead["id"].as_i64().expect("id");
        sift_store::testing::execute(
            &db,
            &format!("UPDATE leads SET stage = 'nurture', re_engage_on = '{day}' WHERE id = {id}"),
        )
        .await;
        ids.push(id);
    }
    let (_driver, webdriver) = start_driver(&binary);
    let client = browser(&webdriver).await;
    let steps = tokio::spawn(pull_back(client.clone(), app.base.clone(), ids[1]));
    let outcome = steps.await;
    let _ = client.close().await;
    if let Err(failed) = outcome {
        std::panic::resume_unwind(failed.into_panic());
    }
    let lead = app.send(Method::GET, &format!("/api/v1/leads/{}", ids[1]), Auth::Token(&t), None).await;
    let lead: serde_json::Value = lead.json().await.expect("json");
    assert_eq!(lead["stage"], "mql", "pulled back: {lead}");
    app.running.shutdown().await.expect("clean shutdown");
}

/// A rep's visit to nurture: the due lead first, a pull-back without a reason refused at its
/// field, then with one.
async fn pull_back(client: Client, base: String, id: i64) {
    client.goto(&page_url(&base, "/nurture")).await.expect("open");
    client.find(Locator::Css("#username")).await.expect("user name").send_keys("dana").await.expect("type");
    client.find(Locator::Css("#password")).await.expect("password").send_keys(PASSWORD).await.expect("type");
    client.find(Locator::Css("button[type=submit]")).await.expect("button").click().await.expect("click");
    let table = wait_for_text(&client, "#nurture", |t| t.contains("Lena Nurtured")).await;
    let (nora, lena) = (table.find("Nora").expect("Nora"), table.find("Lena").expect("Lena"));
    assert!(nora < lena, "the due lead first: {table}");
    check_page(&client, "nurture-01").await;

    let button = format!("form[action='/nurture/{id}/pull-back'] button");
    client.find(Locator::Css(&button)).await.expect("pull back").click().await.expect("click");
    wait_for_text(&client, &format!("#reason-{id}-error"), |e| e.contains("needs a reason")).await;
    check_page(&client, "nurture-02-needs-reason").await;
    client
        .find(Locator::Css(&format!("#reason-{id}")))
        .await
        .expect("reason")
        .send_keys("Budget freed up early")
        .await
        .expect("type");
    client.find(Locator::Css(&button)).await.expect("pull back").click().await.expect("click");
    wait_for_text(&client, "p.notice", |n| n.contains("back in MQL")).await;
    let table = wait_for_text(&client, "#nurture", |t| !t.contains("Lena")).await;
    assert!(table.contains("Nora"), "{table}");
    check_page(&client, "nurture-03-pulled").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_reads_where_the_funnel_leaks_in_both_languages() {
    let Some(binary) = chromedriver() else {
        assert!(
            std::env::var("SIFT_REQUIRE_BROWSER").is_err(),
            "SIFT_REQUIRE_BROWSER is set but chromedriver is missing"
        );
        eprintln!("browser test skipped: no chromedriver on the PATH (apt-get install chromium chromium-driver)");
        return;
    };
    let db = databases("web_browser_reports").await.into_iter().next().expect("SQLite");
    let app = spawn(&db).await;
    app.user("boss", "manager", None, "write").await;
    let config = sift_app::Config::builtin().expect("config");
    let dir = tempfile::tempdir().expect("tempdir");
    sift_app::demo::store_sample(&config, app.running.state.store(), dir.path(), &[]).await.expect("demo stored");

    let (_driver, webdriver) = start_driver(&binary);
    let client = browser(&webdriver).await;
    let steps = tokio::spawn(read_reports(client.clone(), app.base.clone()));
    let outcome = steps.await;
    let _ = client.close().await;
    if let Err(failed) = outcome {
        std::panic::resume_unwind(failed.into_panic());
    }
    app.running.shutdown().await.expect("clean shutdown");
}

/// A manager's look at the reports: the funnel chart and its tables, the filter form (a
/// plain GET, so the URL keeps it), the empty state, then the same in Chinese.
async fn read_reports(client: Client, base: String) {
    client.goto(&page_url(&base, "/signin")).await.expect("open");
    client.find(Locator::Css("#username")).await.expect("user name").send_keys("boss").await.expect("type");
    client.find(Locator::Css("#password")).await.expect("password").send_keys(PASSWORD).await.expect("type");
    client.find(Locator::Css("button[type=submit]")).await.expect("button").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h == "Today").await;
    client.find(Locator::Css("a[href='/reports']")).await.expect("nav").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h == "Reports").await;
    let svg = client.find(Locator::Css("svg.chart.funnel")).await.expect("the funnel chart");
    assert!(svg.is_displayed().await.expect("displayed"));
    let source = wait_for_text(&client, "#by-source caption", |t| !t.is_empty()).await;
    assert_eq!(source, "Funnel by source");
    check_page(&client, "reports-01-funnel").await;
    client.execute("document.getElementById('disqualified').scrollIntoView()", vec![]).await.expect("scroll");
    check_page(&client, "reports-02-disqualified").await;

    // The filters are a GET form: the URL holds them.
    client.goto(&page_url(&base, "/reports?to=2000-01-01")).await.expect("open");
    let empty = wait_for_text(&client, "#reports-empty", |t| !t.is_empty()).await;
    assert!(empty.contains("nothing to count"), "{empty}");
    client.find(Locator::Css("form.filters button")).await.expect("show").click().await.expect("click");
    // The page before the click has the same heading: wait for the new URL itself.
    let holds_filters =
        |url: &reqwest::Url| url.query().is_some_and(|q| q.contains("to=2000-01-01") && q.contains("playbook="));
    let started = Instant::now();
    let mut url = client.current_url().await.expect("url");
    while !holds_filters(&url) && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        url = client.current_url().await.expect("url");
    }
    assert!(holds_filters(&url), "{url}");
    wait_for_text(&client, "h1", |h| h == "Reports").await;
    check_page(&client, "reports-03-empty").await;

    client.goto(&page_url(&base, "/reports")).await.expect("open");
    client.find(Locator::Css("form[action='/language'] button")).await.expect("switch").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h == "报表").await;
    check_page(&client, "reports-04-zh").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_edits_the_icp_as_toml_adds_a_user_and_reads_a_webhooks_delivery_log() {
    let Some(binary) = chromedriver() else {
        assert!(
            std::env::var("SIFT_REQUIRE_BROWSER").is_err(),
            "SIFT_REQUIRE_BROWSER is set but chromedriver is missing"
        );
        eprintln!("browser test skipped: no chromedriver on the PATH (apt-get install chromium chromium-driver)");
        return;
    };
    let db = databases("web_browser_settings").await.into_iter().next().expect("SQLite");
    let app = spawn_with(&db, |s| {
        s.job_workers = 1;
        s.webhook_allow_private = true;
    })
    .await;
    // A receiver, and a webhook with one delivery in its log.
    let receiver = axum::Router::new().route("/hook", axum::routing::post(|| async { StatusCode::NO_CONTENT }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, receiver).await });
    let t = app.admin_token.clone();
    let res = app
        .send(
            Method::POST,
            "/api/v1/webhooks",
            Auth::Token(&t),
            Some(json!({"url": url, "events": ["lead.created"], "description": "CRM sync"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let hook = res.json::<serde_json::Value>().await.expect("json")["webhook"]["id"].as_i64().expect("id");
    app.create_lead(&t, json!({"company": "Hook Ltd"})).await;
    // A framework of our own that a playbook uses, for the deletion steps.
    let meddic = sift_core::framework::BUILTIN_FRAMEWORKS.iter().find(|(n, _)| *n == "meddic.toml").expect("meddic").1;
    for (path, text) in [
        ("/api/v1/config/frameworks/lite", meddic.replacen("id = \"meddic\"", "id = \"lite\"", 1)),
        ("/api/v1/config/playbooks", PLAYBOOK_ON.replace("FRAMEWORK", "lite")),
    ] {
        let res = app
            .client
            .put(app.url(path))
            .bearer_auth(&t)
            .header("content-type", "text/plain")
            .body(text)
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    let started = Instant::now();
    loop {
        let log = app.send(Method::GET, &format!("/api/v1/webhooks/{hook}/deliveries"), Auth::Token(&t), None).await;
        if log.json::<serde_json::Value>().await.expect("json").as_array().is_some_and(|d| !d.is_empty()) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no delivery");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let (_driver, webdriver) = start_driver(&binary);
    let client = browser(&webdriver).await;
    let steps = tokio::spawn(settings_walk(client.clone(), app.base.clone(), hook));
    let outcome = steps.await;
    let _ = client.close().await;
    if let Err(failed) = outcome {
        std::panic::resume_unwind(failed.into_panic());
    }
    // The ICP saved in the browser decides the next qualification.
    let stored = app.send(Method::GET, "/api/v1/config/icp", Auth::Token(&t), None).await;
    let stored: serde_json::Value = stored.json().await.expect("json");
    assert_eq!((stored["version"].as_i64(), stored["changed_by"].as_str()), (Some(1), Some("admin")));
    app.running.shutdown().await.expect("clean shutdown");
}

const PLAYBOOK_ON: &str = "[[playbooks]]\nid = \"enterprise\"\nframework = \"FRAMEWORK\"\nowners = [\"admin\"]\n";

/// An admin's round of the settings: the index, the ICP with a TOML error found by Check
/// (htmx) and shown at its line, fixed and saved; a user added (the one-time password shown
/// once) and the users' last sign-in; a webhook's delivery log; the Chinese editor; a
/// framework a playbook uses refused deletion, then deleted once the playbook moves off it;
/// a webhook's events changed (none ticked refused at the group first).
async fn settings_walk(client: Client, base: String, hook: i64) {
    client.goto(&page_url(&base, "/signin")).await.expect("open");
    client.find(Locator::Css("#username")).await.expect("user name").send_keys("admin").await.expect("type");
    client.find(Locator::Css("#password")).await.expect("password").send_keys(PASSWORD).await.expect("type");
    client.find(Locator::Css("button[type=submit]")).await.expect("button").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h == "Today").await;
    client.find(Locator::Css("a[href='/settings']")).await.expect("nav").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h == "Settings").await;
    check_page(&client, "settings-01-index").await;

    // The ICP: a TOML error found by Check, in place (htmx), at its line; nothing saved.
    client.find(Locator::Css("a[href='/settings/config/icp']")).await.expect("ICP").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h.starts_with("Ideal-customer profile")).await;
    let text = client.find(Locator::Css("#text")).await.expect("the editor");
    text.send_keys("territories = [\"DE\", \"FR\"]\nemployees = { min = 50, max = }\n").await.expect("type");
    let gutter = wait_for_text(&client, "#gutter", |g| g.ends_with('3')).await;
    assert_eq!(gutter, "1\n2\n3", "the line numbers follow the typing");
    client.find(Locator::Css("button[value=check]")).await.expect("check").click().await.expect("click");
    let problems = wait_for_text(&client, "#problems", |p| p.contains("Line 2, column 31")).await;
    assert!(problems.contains("1 problem") && !problems.contains("nothing was saved"), "{problems}");
    assert_eq!(client.current_url().await.expect("url").path(), "/settings/config/icp", "swapped in place");
    let marked = client.find(Locator::Css("#gutter .bad")).await.expect("a marked line").text().await.expect("text");
    assert_eq!(marked, "2");
    // The problem's link puts the cursor at its line and column.
    client.find(Locator::Css("#problems a.at")).await.expect("link").click().await.expect("click");
    let caret = client
        .execute(
            "const t = document.getElementById('text'); return [document.activeElement === t, t.selectionStart];",
            vec![],
        )
        .await
        .expect("caret");
    assert_eq!(caret, json!([true, 27 + 30]), "line 2 starts at 27; column 31 is 30 further");
    check_page(&client, "settings-02-icp-error").await;

    // Fixed and saved: the confirmation names the version.
    let text = client.find(Locator::Css("#text")).await.expect("the editor");
    text.clear().await.expect("clear");
    text.send_keys("territories = [\"DE\", \"FR\"]\nemployees = { min = 50, max = 5000 }\n").await.expect("type");
    client.find(Locator::Css("button[value=save]")).await.expect("save").click().await.expect("click");
    wait_for_text(&client, "p.notice", |n| n.contains("Saved as version 1")).await;
    let status = wait_for_text(&client, "#document-status", |s| !s.is_empty()).await;
    assert!(status.contains("Version 1") && status.contains("admin"), "{status}");
    check_page(&client, "settings-03-icp-saved").await;

    // A user added: the one-time password shown once, with the note to pass it on.
    client.goto(&page_url(&base, "/settings/users")).await.expect("open");
    wait_for_text(&client, "h1", |h| h == "Users").await;
    client.find(Locator::Css("#add-username")).await.expect("user name").send_keys("mei").await.expect("type");
    client.find(Locator::Css("#add-display-name")).await.expect("name").send_keys("王美").await.expect("type");
    client
        .find(Locator::Css("form[action='/settings/users'] button"))
        .await
        .expect("add")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#one-time-heading", |h| h.contains("mei")).await;
    let password = client
        .find(Locator::Css("#one-time-password"))
        .await
        .expect("password")
        .prop("value")
        .await
        .expect("value")
        .expect("a password");
    assert_eq!(password.len(), 23, "{password}");
    check_page(&client, "settings-04-user-added").await;
    client.find(Locator::Css("#one-time a[href='/settings/users']")).await.expect("done").click().await.expect("click");
    let users = wait_for_text(&client, "#users", |t| t.contains("王美")).await;
    assert!(!users.contains(&password) && client.find(Locator::Css("#one-time-password")).await.is_err());
    // Each user's last sign-in: the admin's just now, mei's never.
    assert!(users.contains("Last sign-in"), "{users}");
    let mei = client.find(Locator::XPath(
        "//tr[td[1][starts-with(normalize-space(.), 'mei')]]/td[contains(@class, 'last-sign-in')]",
    ));
    assert_eq!(mei.await.expect("mei's row").text().await.expect("text"), "Never");
    let admin = client.find(Locator::Css("#users tbody tr:first-child td.last-sign-in time")).await.expect("a time");
    assert!(admin.attr("datetime").await.expect("attr").is_some_and(|at| at.ends_with('Z')), "the admin signed in");
    check_page(&client, "settings-05-users").await;

    // Webhooks: the list with the latest delivery, then one webhook's delivery log.
    client.goto(&page_url(&base, "/settings/webhooks")).await.expect("open");
    let list = wait_for_text(&client, "#webhooks", |t| t.contains("Delivered")).await;
    assert!(list.contains("CRM sync") && list.contains("204"), "{list}");
    check_page(&client, "settings-06-webhooks").await;
    client
        .find(Locator::Css(&format!("a[href='/settings/webhooks/{hook}']")))
        .await
        .expect("open")
        .click()
        .await
        .expect("click");
    let log = wait_for_text(&client, "#deliveries", |t| t.contains("lead.created")).await;
    assert!(log.contains("Delivered") && log.contains("Redeliver"), "{log}");
    check_page(&client, "settings-07-webhook-log").await;

    // A framework started from a built-in one, and the ICP editor in Chinese.
    client.goto(&page_url(&base, "/settings")).await.expect("open");
    client.find(Locator::Css("#new-framework")).await.expect("name").send_keys("ours").await.expect("type");
    client
        .find(Locator::Css("form[action='/settings/config/frameworks'] button"))
        .await
        .expect("go")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "h1", |h| h == "Framework ours").await;
    let value = client.find(Locator::Css("#text")).await.expect("editor").prop("value").await.expect("value");
    assert!(value.is_some_and(|v| v.contains("id = \"ours\"")), "the built-in copied with its id changed");
    check_page(&client, "settings-08-new-framework").await;
    client.goto(&page_url(&base, "/settings/config/icp")).await.expect("open");
    client.find(Locator::Css("form[action='/language'] button")).await.expect("switch").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h.starts_with("理想客户画像")).await;
    check_page(&client, "settings-09-icp-zh").await;
    client.goto(&page_url(&base, "/settings/users")).await.expect("open");
    let users = wait_for_text(&client, "#users", |t| t.contains("最近登录")).await;
    assert!(users.contains("从未登录"), "{users}");
    check_page(&client, "settings-10-users-zh").await;
    client.find(Locator::Css("form[action='/language'] button")).await.expect("switch").click().await.expect("click");
    wait_for_text(&client, "h1", |h| h == "Users").await;

    // A framework a playbook uses: the page says so, and a deletion is refused with the reason.
    client.goto(&page_url(&base, "/settings/config/frameworks/lite")).await.expect("open");
    let used = wait_for_text(&client, "#delete-used-by", |t| !t.is_empty()).await;
    assert!(used.contains("enterprise"), "{used}");
    // The box by keyboard: focus it and press space.
    client.find(Locator::Css("#delete-confirm")).await.expect("the box").send_keys(" ").await.expect("tick");
    let ticked = client.execute("return document.getElementById('delete-confirm').checked;", vec![]).await;
    assert_eq!(ticked.expect("checked"), json!(true), "space ticks the box");
    client.find(Locator::Css("button[value=delete]")).await.expect("delete").click().await.expect("click");
    let why = wait_for_text(&client, "#delete-problem", |t| !t.is_empty()).await;
    assert!(why.starts_with("✕ Not deleted:") && why.contains("used by playbook `enterprise`"), "{why}");
    assert_eq!(
        client.current_url().await.expect("url").fragment(),
        Some("delete-document"),
        "the answer opens at the form"
    );
    check_page(&client, "settings-11-delete-refused").await;

    // The playbook moves to a built-in framework in its editor; then the deletion goes through
    // and the history lists it.
    client.goto(&page_url(&base, "/settings/config/playbooks")).await.expect("open");
    let text = client.find(Locator::Css("#text")).await.expect("the editor");
    text.clear().await.expect("clear");
    text.send_keys(&PLAYBOOK_ON.replace("FRAMEWORK", "meddic")).await.expect("type");
    client.find(Locator::Css("button[value=save]")).await.expect("save").click().await.expect("click");
    wait_for_text(&client, "p.notice", |n| n.contains("Saved as version 2")).await;
    client.goto(&page_url(&base, "/settings/config/frameworks/lite")).await.expect("open");
    wait_for_text(&client, "h1", |h| h == "Framework lite").await;
    assert!(client.find(Locator::Css("#delete-used-by")).await.is_err(), "no playbook uses it now");
    client.find(Locator::Css("#delete-confirm")).await.expect("the box").click().await.expect("tick");
    client.find(Locator::Css("button[value=delete]")).await.expect("delete").click().await.expect("click");
    wait_for_text(&client, "p.notice", |n| n.contains("Deleted. The deletion is version 2.")).await;
    let history = wait_for_text(&client, "#versions", |t| t.contains("Deleted")).await;
    assert!(history.contains("2 ✕ Deleted admin") && history.contains("1 Saved admin"), "{history}");
    check_page(&client, "settings-12-deleted").await;

    // A webhook's events: none ticked is refused at the group; then stage changes instead.
    client.goto(&page_url(&base, &format!("/settings/webhooks/{hook}"))).await.expect("open");
    client.find(Locator::Css("#edit-event-lead-created")).await.expect("box").click().await.expect("untick");
    client.find(Locator::Css("#events button[type=submit]")).await.expect("save").click().await.expect("click");
    let error = wait_for_text(&client, "#events-error", |t| !t.is_empty()).await;
    assert_eq!(error, "Tick at least one event.");
    check_page(&client, "settings-13-webhook-events-refused").await;
    client.find(Locator::Css("#edit-event-lead-stage_changed")).await.expect("box").click().await.expect("tick");
    client.find(Locator::Css("#events button[type=submit]")).await.expect("save").click().await.expect("click");
    let notice = wait_for_text(&client, "p.notice", |n| n.starts_with("Events saved")).await;
    assert!(notice.ends_with("lead.stage_changed."), "{notice}");
    let facts = client.find(Locator::Css("dl.facts")).await.expect("facts").text().await.expect("text");
    assert!(facts.contains("lead.stage_changed") && !facts.contains("lead.created"), "{facts}");
    check_page(&client, "settings-14-webhook-events-saved").await;
}
