//! The web app end to end: a real server on a random port, on SQLite and on PostgreSQL,
//! driven as a browser would (forms, cookies, redirects not followed).

mod common;

use common::{App, Auth, PASSWORD, spawn, spawn_with};
use reqwest::header::{ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};
use sift_store::testing::{databases, execute};

const HOSTILE_SCRIPT: &str = "<script>alert(1)</script>";
const HOSTILE_ATTR: &str = "\"><img src=x onerror=alert(1)>";

/// A browser: no redirects followed, cookies sent by hand so each test sees them.
fn browser() -> Client {
    Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

fn header(res: &Response, name: reqwest::header::HeaderName) -> String {
    res.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
}

/// The value of cookie `name` among a response's `Set-Cookie` headers.
fn set_cookie(res: &Response, name: &str) -> Option<(String, String)> {
    res.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|line| {
        let value = line.strip_prefix(&format!("{name}="))?;
        Some((value.split(';').next().unwrap_or("").to_owned(), line.to_owned()))
    })
}

/// The hidden CSRF field of the first form on a page.
fn form_token(page: &str) -> String {
    let start = page.find("name=\"csrf_token\" value=\"").expect("a csrf_token field") + 25;
    page[start..].split('"').next().expect("value").to_owned()
}

struct Page {
    status: StatusCode,
    location: String,
    body: String,
}

async fn get(app: &App, path: &str, session: Option<&str>, lang: Option<&str>) -> Page {
    let mut req = browser().get(app.url(path));
    if let Some(cookie) = session {
        req = req.header(COOKIE, format!("sift_session={cookie}"));
    }
    if let Some(lang) = lang {
        req = req.header(ACCEPT_LANGUAGE, lang);
    }
    let res = req.send().await.expect("sent");
    let status = res.status();
    let location = header(&res, LOCATION);
    if status.is_success() || status.is_client_error() {
        assert!(header(&res, CONTENT_TYPE).starts_with("text/html"), "{path}: {}", header(&res, CONTENT_TYPE));
    }
    Page { status, location, body: res.text().await.expect("body") }
}

async fn post_form(app: &App, path: &str, cookies: &str, form: &[(&str, &str)]) -> Response {
    let mut req = browser().post(app.url(path)).form(form);
    if !cookies.is_empty() {
        req = req.header(COOKIE, cookies);
    }
    req.send().await.expect("sent")
}

/// Signs in through the sign-in form; returns the session cookie value.
async fn sign_in_with_form(app: &App, user: &str, password: &str) -> String {
    let res = browser().get(app.url("/signin")).send().await.expect("sent");
    let (token_cookie, _) = set_cookie(&res, "sift_sign_in").expect("the sign-in page sets its token cookie");
    let token = form_token(&res.text().await.expect("page"));
    let res = post_form(
        app,
        "/signin",
        &format!("sift_sign_in={token_cookie}"),
        &[("username", user), ("password", password), ("csrf_token", &token), ("next", "/")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{} sign-in of {user}", app.db_name);
    set_cookie(&res, "sift_session").expect("a session").0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_through_the_form_needs_its_token_and_pages_need_a_session() {
    for db in databases("web_sign_in").await {
        let app = spawn(&db).await;
        // Not signed in: every page sends the browser to sign in, and back afterwards.
        for (path, next) in [("/", "%2F"), ("/leads?stage=mql", "%2Fleads%3Fstage%3Dmql"), ("/leads/1", "%2Fleads%2F1")]
        {
            let page = get(&app, path, None, None).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{}: {path}", db.name);
            assert_eq!(page.location, format!("/signin?next={}", next.replace("%2F", "/")), "{path}");
        }
        let page = get(&app, "/", Some("not-a-live-session"), None).await;
        assert_eq!((page.status, page.location.as_str()), (StatusCode::SEE_OTHER, "/signin?next=/"));
        // htmx is told to send the whole window to sign in, not to swap it into the list.
        let res = browser().get(app.url("/leads?q=a")).header("hx-request", "true").send().await.expect("sent");
        assert_eq!(
            (res.status(), header(&res, "hx-redirect".parse().expect("name"))),
            (StatusCode::UNAUTHORIZED, "/signin?next=/leads%3Fq%3Da".to_owned())
        );

        let res = browser().get(app.url("/signin?next=/leads")).send().await.expect("sent");
        let (token_cookie, line) = set_cookie(&res, "sift_sign_in").expect("token cookie");
        assert!(line.contains("HttpOnly") && line.contains("SameSite=Strict"), "{line}");
        let token = form_token(&res.text().await.expect("page"));
        assert_eq!(token, token_cookie, "double submit: the same value in the cookie and the form");
        let jar = format!("sift_sign_in={token_cookie}");
        let good = [("username", "admin"), ("password", PASSWORD), ("csrf_token", token.as_str()), ("next", "/leads")];

        // Without the cookie, or with another token, the right password still does not sign in.
        for (cookies, sent) in [("", token.as_str()), (jar.as_str(), "forged"), (jar.as_str(), "")] {
            let mut form = good;
            form[2] = ("csrf_token", sent);
            let res = post_form(&app, "/signin", cookies, &form).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}: cookie {cookies:?} token {sent:?}", db.name);
            assert!(set_cookie(&res, "sift_session").is_none_or(|(v, _)| v.is_empty()));
        }
        // A wrong password: 401, the user name kept, no session.
        let mut wrong = good;
        wrong[1] = ("password", "not the password at all");
        let res = post_form(&app, "/signin", &jar, &wrong).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(set_cookie(&res, "sift_session").is_none());
        let body = res.text().await.expect("page");
        assert!(body.contains("The user name or the password is not right.") && body.contains("value=\"admin\""));

        // The right one: a session cookie, then where the user was headed.
        let res = post_form(&app, "/signin", &jar, &good).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", db.name);
        assert_eq!(header(&res, LOCATION), "/leads");
        let (session, line) = set_cookie(&res, "sift_session").expect("session cookie");
        assert!(line.contains("HttpOnly") && line.contains("SameSite=Lax"), "{line}");
        let today = get(&app, "/", Some(&session), None).await;
        assert_eq!(today.status, StatusCode::OK);
        assert!(today.body.contains("<h1>Today</h1>"), "{}", today.body);

        // Only paths on this site are followed after signing in.
        for evil in ["//evil.example/", "https://evil.example/"] {
            let mut form = good;
            form[3] = ("next", evil);
            let res = post_form(&app, "/signin", &jar, &form).await;
            assert_eq!(header(&res, LOCATION), "/", "{evil}");
        }

        // Signing out needs the session's token too.
        let cookies = format!("sift_session={session}");
        let res = post_form(&app, "/signout", &cookies, &[("csrf_token", "forged")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(get(&app, "/", Some(&session), None).await.status, StatusCode::OK, "still signed in");
        let csrf = form_token(&today.body);
        let res = post_form(&app, "/signout", &cookies, &[("csrf_token", &csrf)]).await;
        assert_eq!((res.status(), header(&res, LOCATION)), (StatusCode::SEE_OTHER, "/signin".to_owned()));
        let after = get(&app, "/", Some(&session), None).await;
        assert_eq!((after.status, after.location.as_str()), (StatusCode::SEE_OTHER, "/signin?next=/"));
        app.running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_time_password_is_changed_in_the_browser_before_anything_else() {
    for db in databases("web_one_time").await {
        let app = spawn(&db).await;
        let res = app
            .send(
                Method::POST,
                "/api/v1/users",
                Auth::Token(&app.admin_token),
                Some(json!({"username": "newrep", "role": "rep"})),
            )
            .await;
        let body: Value = res.json().await.expect("json");
        let one_time = body["one_time_password"].as_str().expect("a one-time password").to_owned();
        let session = sign_in_with_form(&app, "newrep", &one_time).await;
        let page = get(&app, "/leads", Some(&session), None).await;
        assert_eq!((page.status, page.location.as_str()), (StatusCode::SEE_OTHER, "/password"), "{}", db.name);
        let form = get(&app, "/password", Some(&session), None).await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = form_token(&form.body);
        let cookies = format!("sift_session={session}");
        // Too short: the error sits next to its field and nothing changes.
        let res = post_form(
            &app,
            "/password",
            &cookies,
            &[("csrf_token", &csrf), ("current_password", &one_time), ("new_password", "short")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.expect("page");
        assert!(body.contains("id=\"new_password_error\"") && body.contains("at least 12 characters"), "{body}");
        let res = post_form(
            &app,
            "/password",
            &cookies,
            &[("csrf_token", &csrf), ("current_password", &one_time), ("new_password", PASSWORD)],
        )
        .await;
        assert_eq!((res.status(), header(&res, LOCATION)), (StatusCode::SEE_OTHER, "/signin?changed=1".to_owned()));
        let session = sign_in_with_form(&app, "newrep", PASSWORD).await;
        assert_eq!(get(&app, "/leads", Some(&session), None).await.status, StatusCode::OK);
        // Later, the same page changes the password without speaking of a one-time one.
        let form = get(&app, "/password", Some(&session), None).await;
        assert!(form.body.contains("<h1>Change password</h1>") && !form.body.contains("one-time password. Choose"));
        app.running.shutdown().await.expect("clean shutdown");
    }
}

/// Two reps with a lead each (the first qualified and with a nurtured lead due back), and
/// an unassigned lead; returns the reps' sessions and the lead ids.
struct Team {
    rep1: String,
    rep2: String,
    qualified: i64,
    due: i64,
    others: i64,
    unassigned: i64,
}

async fn team(app: &App, db: &sift_store::testing::TestDb) -> Team {
    let (rep1_id, _) = app.user("rep1", "rep", None, "write").await;
    let (rep2_id, _) = app.user("rep2", "rep", None, "write").await;
    let t = &app.admin_token;
    let lead = |v: Value| async move { app.create_lead(t, v).await["id"].as_i64().expect("id") };
    let qualified = lead(json!({"first_name": "小明", "last_name": "王", "company": "深圳市星河科技有限公司",
        "industry": "Logistics", "country": "CN", "title": "VP Sales", "owner_id": rep1_id}))
    .await;
    let due =
        lead(json!({"first_name": "Nora", "last_name": "Due", "company": "Later Ltd", "owner_id": rep1_id})).await;
    let others = lead(json!({"first_name": "Otto", "last_name": "Elsewhere", "company": "Other Rep GmbH",
        "owner_id": rep2_id}))
    .await;
    let unassigned = lead(json!({"first_name": "Una", "last_name": "Nobody", "company": "Unowned AB"})).await;
    let answers = json!({"answers": {"framework": "bant", "criteria": {
        "need": {"status": "confirmed", "note": "Reps lose a day a week to manual routing"},
        "budget": {"status": "confirmed", "note": "40k set aside for Q1"},
        "authority": {"status": "confirmed"},
        "timeline": {"status": "confirmed", "date": "2027-01-15"}
    }}, "as_of": "2026-11-26"});
    let res =
        app.send(Method::POST, &format!("/api/v1/leads/{qualified}/qualify"), Auth::Token(t), Some(answers)).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", db.name);
    execute(db, &format!("UPDATE leads SET stage = 'nurture', re_engage_on = '2020-01-01' WHERE id = {due}")).await;
    let attached = attach_call(app, qualified, "monday.txt", CALL).await;
    assert!(attached["report"]["signals"].as_array().is_some_and(|s| !s.is_empty()), "{attached}");
    let rep1 = sign_in_with_form(app, "rep1", PASSWORD).await;
    let rep2 = sign_in_with_form(app, "rep2", PASSWORD).await;
    Team { rep1, rep2, qualified, due, others, unassigned }
}

/// A discovery call written for the signal tests (Dana is the rep).
const CALL: &str = include_str!("../../sift-signals/fixtures/calls/en-routing-good.txt");

/// Attaches a call to a lead through the API; returns the answer.
async fn attach_call(app: &App, lead: i64, name: &str, text: &str) -> Value {
    let res = app
        .client
        .post(app.url(&format!("/api/v1/leads/{lead}/calls?rep=Dana&as_of=2026-11-26&name={}", url_encode(name))))
        .bearer_auth(&app.admin_token)
        .body(text.to_owned())
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::CREATED, "{}", app.db_name);
    res.json().await.expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_sees_their_own_leads_on_today_the_list_and_the_lead_page() {
    for db in databases("web_rep").await {
        let app = spawn(&db).await;
        let team = team(&app, &db).await;

        let today = get(&app, "/", Some(&team.rep1), None).await;
        assert_eq!(today.status, StatusCode::OK, "{}", db.name);
        let call_first = today.body.split("id=\"nurture-due\"").next().expect("call-first part");
        let nurture = today.body.split("id=\"nurture-due\"").nth(1).expect("nurture part");
        assert!(call_first.contains(&format!("href=\"/leads/{}\"", team.qualified)), "{}", today.body);
        assert!(
            call_first.contains("小明 王") && call_first.contains("深圳市星河科技有限公司"),
            "Chinese names render"
        );
        assert!(call_first.contains("last verdict: Qualified"), "the reason is shown: {call_first}");
        assert!(nurture.contains(&format!("href=\"/leads/{}\"", team.due)) && nurture.contains("2020-01-01"));
        for hidden in [team.others, team.unassigned] {
            assert!(!today.body.contains(&format!("/leads/{hidden}\"")), "lead {hidden} is not rep1's");
        }
        let other_today = get(&app, "/", Some(&team.rep2), None).await;
        assert!(other_today.body.contains("Otto Elsewhere") && !other_today.body.contains("小明"));

        assert!(today.body.contains("<a href=\"/\" aria-current=\"page\">Today</a>"), "the current section");
        let list = get(&app, "/leads", Some(&team.rep1), None).await;
        assert!(list.body.contains("<a href=\"/leads\" aria-current=\"page\">Leads</a>"));
        assert!(list.body.contains("小明 王") && list.body.contains("Nora Due"));
        assert!(!list.body.contains("Otto Elsewhere") && !list.body.contains("Una Nobody"));
        // Filters come from the URL: a stage, a search.
        let nurtured = get(&app, "/leads?stage=nurture", Some(&team.rep1), None).await;
        assert!(nurtured.body.contains("Nora Due") && !nurtured.body.contains("小明 王"), "{}", nurtured.body);
        let searched = get(&app, "/leads?q=%E6%98%9F%E6%B2%B3", Some(&team.rep1), None).await;
        assert!(searched.body.contains("小明 王") && !searched.body.contains("Nora Due"), "search in Chinese");
        let bad = get(&app, "/leads?stage=won", Some(&team.rep1), None).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        // The admin sees everyone's, and can pick unassigned ones.
        let admin = sign_in_with_form(&app, "admin", PASSWORD).await;
        let unowned = get(&app, "/leads?owner=none", Some(&admin), None).await;
        assert!(unowned.body.contains("Una Nobody") && !unowned.body.contains("Otto Elsewhere"));

        // The lead page: the decision first, then the levels, the history, the calls.
        let page = get(&app, &format!("/leads/{}", team.qualified), Some(&team.rep1), None).await;
        assert_eq!(page.status, StatusCode::OK);
        let body = &page.body;
        let verdict = body.find("verdict-qualified").expect("the verdict badge");
        let levels = body.find("id=\"levels\"").expect("levels");
        assert!(verdict < levels, "the verdict comes before the levels");
        for text in [
            "Organization",
            "Opportunity",
            "Stakeholder",
            "Next step",
            "Reps lose a day a week to manual routing",
            "Stage history",
            "monday.txt",
            "Call date 2026-11-26",
        ] {
            assert!(body.contains(text), "{}: lead page lacks {text:?}", db.name);
        }
        // Each signal of the call is shown with its quote.
        let calls = &body[body.find("id=\"calls\"").expect("calls")..];
        let attached: Value = app
            .send(Method::GET, &format!("/api/v1/leads/{}/calls", team.qualified), Auth::Token(&app.admin_token), None)
            .await
            .json()
            .await
            .expect("json");
        let call: Value = app
            .send(Method::GET, &format!("/api/v1/calls/{}", attached[0]["id"]), Auth::Token(&app.admin_token), None)
            .await
            .json()
            .await
            .expect("json");
        for signal in call["analysis"]["signals"].as_array().expect("signals") {
            let quote = signal["quote"].as_str().expect("quote");
            assert!(calls.contains(&format!("“{quote}”")), "{}: the signal's quote {quote:?} in {calls}", db.name);
        }
        // And each criterion the call spoke to, with the quote that decided it.
        let need = call["analysis"]["concepts"].as_array().expect("concepts").iter().find(|c| c["concept"] == "need");
        let quote = need.and_then(|c| c["decided_by"][0]["quote"].as_str()).expect("the call confirms a need");
        assert!(calls.contains(&format!("“{quote}”")), "{}: the need's quote in {calls}", db.name);
        let history = &body[body.find("id=\"history\"").expect("history")..];
        assert!(
            history.contains("<td>admin</td>") && history.contains("→ SQL"),
            "the move to SQL with its actor: {history}"
        );
        // Another rep's lead does not exist for rep1; neither does a missing one.
        for id in [team.others.to_string(), "999999".to_owned(), "abc".to_owned()] {
            let page = get(&app, &format!("/leads/{id}"), Some(&team.rep1), None).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "/leads/{id}");
            assert!(page.body.contains("Not found") && !page.body.contains("Otto"));
        }
        app.running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_strings_render_as_text_on_every_page() {
    for db in databases("web_xss").await {
        let app = spawn(&db).await;
        let t = app.admin_token.clone();
        let lead = app
            .create_lead(
                &t,
                json!({"first_name": HOSTILE_SCRIPT, "last_name": HOSTILE_ATTR, "company": HOSTILE_ATTR,
                    "title": HOSTILE_SCRIPT, "source": HOSTILE_ATTR, "custom_fields": {HOSTILE_SCRIPT: HOSTILE_ATTR}}),
            )
            .await;
        let id = lead["id"].as_i64().expect("id");
        let answers = json!({"answers": {"framework": "bant", "criteria": {
            "need": {"status": "confirmed", "note": HOSTILE_SCRIPT},
            "budget": {"status": "partial", "note": HOSTILE_ATTR},
        }}, "as_of": "2026-11-26"});
        let res = app.send(Method::POST, &format!("/api/v1/leads/{id}/qualify"), Auth::Token(&t), Some(answers)).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", db.name);
        let hostile_call = format!(
            "Dana: What made you look at this now? {HOSTILE_ATTR}\nLi: We lose about 30 leads a month {HOSTILE_SCRIPT} because nobody picks them up.\n"
        );
        attach_call(&app, id, HOSTILE_SCRIPT, &hostile_call).await;
        let session = sign_in_with_form(&app, "admin", PASSWORD).await;
        let q: String = url_encode(HOSTILE_ATTR);
        let pages = [
            "/".to_owned(),
            "/leads".to_owned(),
            format!("/leads?q={q}"),
            format!("/leads?stage={q}"),
            format!("/leads/{id}"),
            "/board".to_owned(),
            format!("/board?q={q}&source={q}"),
            format!("/leads/{id}/stage"),
            format!("/signin?next={q}"),
        ];
        for path in &pages {
            let page = get(&app, path, Some(&session), None).await;
            let body = &page.body;
            assert!(
                !body.contains("<script>alert") && !body.contains("<img src=x"),
                "{}: {path} is not escaped:\n{body}",
                db.name
            );
            if !path.starts_with("/signin") && !path.contains("stage=") {
                assert!(
                    body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || body.contains("&quot;&gt;&lt;img src=x"),
                    "{path}: the hostile text is shown, escaped:\n{body}"
                );
            }
            // Every script on the page is one of our files; no inline handlers or styles.
            for tag in body.match_indices("<script").map(|(i, _)| &body[i..]) {
                let tag = &tag[..tag.find('>').expect("tag end")];
                assert!(tag.contains("src=\"/assets/"), "{path}: inline script {tag}");
            }
            // (Escaped, the hostile text still reads ` onerror=`, but never inside a tag.)
            assert!(!body.contains("<img") && !body.contains("style=\""), "{path}");
        }
        // The sign-in page echoes a failed user name escaped.
        let res = browser().get(app.url("/signin")).send().await.expect("sent");
        let (cookie, _) = set_cookie(&res, "sift_sign_in").expect("cookie");
        let token = form_token(&res.text().await.expect("page"));
        let res = post_form(
            &app,
            "/signin",
            &format!("sift_sign_in={cookie}"),
            &[("username", HOSTILE_ATTR), ("password", "x"), ("csrf_token", &token), ("next", HOSTILE_SCRIPT)],
        )
        .await;
        let body = res.text().await.expect("page");
        assert!(!body.contains("<img src=x") && !body.contains("<script>alert"), "{body}");
        app.running.shutdown().await.expect("clean shutdown");
    }
}

fn url_encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ui_speaks_chinese_by_setting_then_by_accept_language() {
    for db in databases("web_lang").await {
        let app = spawn(&db).await;
        let team = team(&app, &db).await;
        // The browser's language when the user has no setting.
        let zh = get(&app, "/", Some(&team.rep1), Some("zh-CN,zh;q=0.9,en;q=0.8")).await;
        assert!(zh.body.contains("<html lang=\"zh-CN\">") && zh.body.contains("<h1>今日</h1>"), "{}", zh.body);
        assert!(zh.body.contains("优先联系") && zh.body.contains("上次结论：合格"), "{}", zh.body);
        let en = get(&app, "/", Some(&team.rep1), Some("fr-FR, en;q=0.8")).await;
        assert!(en.body.contains("<h1>Today</h1>"));
        let signin = get(&app, "/signin", None, Some("zh")).await;
        assert!(signin.body.contains("登录 Sift"));
        let switched = get(&app, "/signin?lang=zh", None, Some("en")).await;
        assert!(switched.body.contains("登录 Sift"), "the switch on the sign-in page");
        let lead = get(&app, &format!("/leads/{}", team.qualified), Some(&team.rep1), Some("zh")).await;
        assert!(lead.body.contains("三个层级") && lead.body.contains("组织层") && lead.body.contains("合格"));

        // The switch saves the user's setting, which then wins over the browser.
        let csrf = form_token(&en.body);
        let cookies = format!("sift_session={}", team.rep1);
        let res =
            post_form(&app, "/language", &cookies, &[("csrf_token", "forged"), ("lang", "zh"), ("next", "/leads")])
                .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}", db.name);
        let res =
            post_form(&app, "/language", &cookies, &[("csrf_token", &csrf), ("lang", "zh"), ("next", "/leads")]).await;
        assert_eq!((res.status(), header(&res, LOCATION)), (StatusCode::SEE_OTHER, "/leads".to_owned()));
        let page = get(&app, "/leads", Some(&team.rep1), Some("en-US")).await;
        assert!(page.body.contains("<h1>线索</h1>"), "{}", page.body);
        let other = get(&app, "/", Some(&team.rep2), Some("en-US")).await;
        assert!(other.body.contains("<h1>Today</h1>"), "another user's setting is their own");
        let res = post_form(&app, "/language", &cookies, &[("csrf_token", &csrf), ("lang", "fr"), ("next", "/")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        app.running.shutdown().await.expect("clean shutdown");
    }
}

/// English sentences the engine writes; on a Chinese page none is left where it wrote a code.
const ENGINE_ENGLISH: [&str; 16] = [
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
    "Move to the",
    "take it out of the active funnel",
    "the questions below",
];

/// The text of a page without its tags (entities left as they are).
fn page_text(body: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// A page's text from `from` to `to` (markers in the HTML).
fn part<'a>(body: &'a str, from: &str, to: &str) -> &'a str {
    let start = body.find(from).unwrap_or_else(|| panic!("{from} in {body}"));
    let end = body[start..].find(to).map_or(body.len(), |e| start + e);
    &body[start..end]
}

fn strip_messages(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| !key.ends_with("_message") && !key.ends_with("_messages"));
            map.values_mut().for_each(strip_messages);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_messages),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engines_words_read_in_chinese_from_their_codes_and_old_decisions_keep_their_text() {
    for db in databases("web_engine_zh").await {
        let app = spawn(&db).await;
        let t = app.admin_token.clone();
        let res = app
            .send(
                Method::PUT,
                "/api/v1/config/icp",
                Auth::Token(&t),
                Some(json!({"text": "territories = [\"DE\"]\nindustries = [\"Software\"]\nemployees = { min = 50, max = 5000 }\n"})),
            )
            .await;
        assert!(res.status().is_success(), "{}: {}", db.name, res.status());
        let lead = |v: Value| {
            let app = &app;
            let t = &t;
            async move { app.create_lead(t, v).await["id"].as_i64().expect("id") }
        };
        let qualify = |id: i64, criteria: Value| {
            let app = &app;
            let t = &t;
            async move {
                let body = json!({"answers": {"framework": "bant", "criteria": criteria}, "as_of": "2026-11-26"});
                let res =
                    app.send(Method::POST, &format!("/api/v1/leads/{id}/qualify"), Auth::Token(t), Some(body)).await;
                assert_eq!(res.status(), StatusCode::OK, "{}", app.db_name);
                res.json::<Value>().await.expect("json")["decision"].clone()
            }
        };
        let outside = lead(json!({"first_name": "Olga", "company": "Far Away Inc", "country": "US",
            "industry": "Retail", "employees": 12}))
        .await;
        let out = qualify(outside, json!({"need": {"status": "confirmed"}})).await;
        assert_eq!(out["verdict"], "disqualified");
        assert_eq!(out["reason_messages"][0]["code"], "gate.reason.fails", "the API returns the codes: {out}");
        let later = lead(json!({"first_name": "Lena", "company": "Later GmbH", "country": "DE",
            "industry": "Software", "employees": 300}))
        .await;
        let nurtured = qualify(
            later,
            json!({"need": {"status": "confirmed", "note": "路由太慢"},
            "budget": {"status": "negative"}, "authority": {"status": "confirmed"},
            "timeline": {"status": "confirmed", "date": "2027-01-15"}}),
        )
        .await;
        assert_eq!(nurtured["verdict"], "nurture");
        let open = lead(json!({"first_name": "Ines", "company": "Open SA", "country": "DE"})).await;
        qualify(open, json!({"need": {"status": "contradicted"}, "budget": {"status": "partial"}})).await;
        execute(
            &db,
            &format!(
                "UPDATE leads SET score = 72, score_probability = 0.72, score_model = 1, \
            score_factors = '{{\"positive\": [{{\"column\": \"source\", \"value\": \"(missing)\", \"effect\": 0.4}}], \
            \"negative\": [{{\"column\": \"industry\", \"value\": \"(rare)\", \"effect\": -0.2}}]}}', \
            scored_at = '2026-11-26T00:00:00Z' WHERE id = {open}"
            ),
        )
        .await;
        let session = sign_in_with_form(&app, "admin", PASSWORD).await;

        let page = get(&app, &format!("/leads/{outside}"), Some(&session), Some("zh-CN")).await;
        let decision =
            page_text(part(&page.body, "<section class=\"decision\"", "<section aria-labelledby=\"history\""));
        for english in ENGINE_ENGLISH {
            assert!(!decision.contains(english), "{}: `{english}` on a Chinese page: {decision}", db.name);
        }
        for said in [
            "组织层未通过：",
            "US 不在我们的销售区域内（DE）",
            "“Retail”不在我们的目标行业内（software）",
            "员工人数 12 不在目标范围内（50 至 5,000）",
            "这家公司不符合理想客户画像",
            "销售区域",
            "需求：已确认",
        ] {
            assert!(decision.contains(said), "{}: `{said}` in {decision}", db.name);
        }
        let page = get(&app, &format!("/leads/{later}"), Some(&session), Some("zh-CN")).await;
        let decision =
            page_text(part(&page.body, "<section class=\"decision\"", "<section aria-labelledby=\"history\""));
        for said in [
            "转入培育路径“等预算周期”",
            "预算：目前还没有",
            "需求：已确认（“路由太慢”）",
            "时间表：已确认，计划在 2027-01-15",
            "3 项决定性检查全部通过",
        ] {
            assert!(decision.contains(said), "{}: `{said}` in {decision}", db.name);
        }
        let page = get(&app, &format!("/leads/{open}"), Some(&session), Some("zh-CN")).await;
        let text = page_text(&page.body);
        for said in ["说法矛盾", "先弄清楚谁真正了解情况", "加分因素: 来源：（未填写）", "减分因素: 行业：（少见取值）"]
        {
            assert!(text.contains(said), "{}: `{said}` in {text}", db.name);
        }
        for english in ENGINE_ENGLISH {
            assert!(!text.contains(english), "{}: `{english}` on a Chinese page: {text}", db.name);
        }
        // The same page in English says what the engine stored.
        let page = get(&app, &format!("/leads/{open}"), Some(&session), Some("en")).await;
        assert!(
            page.body.contains("Some answers contradict each other")
                && page.body.contains("Raised by: source: (missing)")
        );
        // Today puts the score factor in Chinese words too.
        let today = get(&app, "/", Some(&session), Some("zh-CN")).await;
        assert!(today.body.contains("来源：（未填写）"), "{}", today.body);
        // The preview on the playbook page is said from the codes as well.
        let playbook = get(&app, &format!("/leads/{outside}/qualify"), Some(&session), Some("zh-CN")).await;
        let outcome = page_text(part(&playbook.body, "id=\"outcome\"", "</section>"));
        assert!(outcome.contains("组织层未通过") && !outcome.contains("level fails"), "{outcome}");

        // The stage history and the reports say a verdict's move in Chinese too.
        let page = get(&app, &format!("/leads/{outside}"), Some(&session), Some("zh-CN")).await;
        let history = page_text(part(&page.body, "<section aria-labelledby=\"history\"", "</section>"));
        assert!(history.contains("结论为“不合格”：组织层未通过：US 不在我们的销售区域内（DE）"), "{history}");
        assert!(!history.contains("disqualified: organization level fails"), "{history}");
        let reports = get(&app, "/reports", Some(&session), Some("zh-CN")).await;
        let table = page_text(part(&reports.body, "id=\"disqualified-table\"", "</table>"));
        assert!(table.contains("结论为“不合格”：组织层未通过：US 不在我们的销售区域内（DE）"), "{table}");
        for english in ENGINE_ENGLISH {
            assert!(!table.contains(english), "{}: `{english}` in the reports: {table}", db.name);
        }
        // A problem page says what happened in Chinese.
        let missing = get(&app, "/leads/999999", Some(&session), Some("zh-CN")).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(
            missing.body.contains("这里没有你要找的内容，或者你无权查看。")
                && !missing.body.contains("not one you may see")
        );
        // A decision stored before codes: its text, as stored, in either language.
        let mut old = out.clone();
        strip_messages(&mut old);
        let old = old.to_string().replace('\'', "''");
        execute(&db, &format!("UPDATE qualifications SET decision = '{old}' WHERE lead_id = {outside}")).await;
        // And its move, kept before moves kept their messages.
        execute(&db, &format!("UPDATE stage_history SET reason_message = NULL WHERE lead_id = {outside}")).await;
        let page = get(&app, &format!("/leads/{outside}"), Some(&session), Some("zh-CN")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("organization level fails: `US` is outside our territories (DE)"), "{}", page.body);
        let history = page_text(part(&page.body, "<section aria-labelledby=\"history\"", "</section>"));
        assert!(history.contains("disqualified: organization level fails: `US`"), "the move's text as kept: {history}");
        app.running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_are_embedded_with_their_types_and_cached_and_pages_keep_the_csp() {
    for db in databases("web_assets").await {
        let app = spawn(&db).await;
        let session = sign_in_with_form(&app, "admin", PASSWORD).await;
        let res =
            browser().get(app.url("/")).header(COOKIE, format!("sift_session={session}")).send().await.expect("sent");
        let csp = header(&res, reqwest::header::CONTENT_SECURITY_POLICY);
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(header(&res, CACHE_CONTROL), "no-store", "pages are not cached");
        let page = res.text().await.expect("page");
        let href = |prefix: &str| {
            let start = page.find(prefix).unwrap_or_else(|| panic!("{prefix} in {page}")) + prefix.len();
            page[start..].split('"').next().expect("path").to_owned()
        };
        let css = href("rel=\"stylesheet\" href=\"");
        let scripts: Vec<String> = page
            .match_indices("<script src=\"")
            .map(|(i, m)| page[i + m.len()..].split('"').next().expect("path").to_owned())
            .collect();
        let [htmx, ours] = scripts.as_slice() else { panic!("htmx and our script: {scripts:?}") };
        assert_eq!(htmx, "/assets/htmx-2.0.11.min.js");
        assert!(css.starts_with("/assets/sift-") && css.ends_with(".css"), "{css}");
        assert!(ours.starts_with("/assets/sift-") && ours.ends_with(".js"), "{ours}");
        for (path, content_type, marker) in [
            (css.as_str(), "text/css", ".verdict-qualified"),
            (htmx.as_str(), "text/javascript", "htmx"),
            (ours.as_str(), "text/javascript", "keydown"),
        ] {
            let res = browser().get(app.url(path)).send().await.expect("sent");
            assert_eq!(res.status(), StatusCode::OK, "{}: {path}", db.name);
            assert!(header(&res, CONTENT_TYPE).starts_with(content_type), "{path}: {}", header(&res, CONTENT_TYPE));
            assert_eq!(header(&res, CACHE_CONTROL), "public, max-age=31536000, immutable");
            assert!(res.text().await.expect("body").contains(marker), "{path}");
        }
        let missing = browser().get(app.url("/assets/sift-0000.css")).send().await.expect("sent");
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        app.running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_form_shares_the_apis_limit_on_attempts_and_says_so_as_a_page() {
    for db in databases("web_sign_in_limit").await {
        // The helper signs in twice through the API; the form gets the rest of the minute's five.
        let app = spawn_with(&db, |s| s.sign_in_per_minute = 5).await;
        let res = browser().get(app.url("/signin")).send().await.expect("sent");
        let (cookie, _) = set_cookie(&res, "sift_sign_in").expect("cookie");
        let token = form_token(&res.text().await.expect("page"));
        let form = [("username", "admin"), ("password", "wrong password"), ("csrf_token", token.as_str())];
        let mut statuses = Vec::new();
        for _ in 0..5 {
            let res = post_form(&app, "/signin", &format!("sift_sign_in={cookie}"), &form).await;
            statuses.push(res.status());
            if res.status() == StatusCode::TOO_MANY_REQUESTS {
                assert!(header(&res, CONTENT_TYPE).starts_with("text/html"), "a page for the browser");
                assert!(header(&res, reqwest::header::RETRY_AFTER).parse::<u64>().is_ok_and(|s| s > 0));
                assert!(res.text().await.expect("page").contains("Too many sign-in attempts"));
                break;
            }
        }
        // Three wrong passwords, then refused (a slow machine may earn one more attempt back:
        // the quota refills one every 12 s).
        let (last, before) = statuses.split_last().expect("attempts");
        assert_eq!(*last, StatusCode::TOO_MANY_REQUESTS, "{}: {statuses:?}", db.name);
        assert!(before.len() >= 3 && before.iter().all(|s| *s == StatusCode::UNAUTHORIZED), "{statuses:?}");
        app.running.shutdown().await.expect("clean shutdown");
    }
}

/// The BANT answers of the playbook form: every criterion with a status, then `extra`.
fn bant_form<'a>(csrf: &'a str, statuses: [&'a str; 4], extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![("csrf_token", csrf), ("framework", "bant")];
    for (criterion, status) in
        ["status.budget", "status.authority", "status.need", "status.timeline"].into_iter().zip(statuses)
    {
        form.push((criterion, status));
    }
    form.extend_from_slice(extra);
    form
}

/// The verdict class of the outcome fragment in a page or fragment.
fn outcome_verdict(body: &str) -> String {
    let outcome = &body[body.find("id=\"outcome\"").unwrap_or_else(|| panic!("an outcome section in {body}"))..];
    let start = outcome.find("verdict-").expect("a verdict badge") + "verdict-".len();
    outcome[start..].split('"').next().expect("class").to_owned()
}

async fn stage_of(app: &App, id: i64) -> String {
    let lead: Value = app
        .send(Method::GET, &format!("/api/v1/leads/{id}"), Auth::Token(&app.admin_token), None)
        .await
        .json()
        .await
        .expect("json");
    lead["stage"].as_str().expect("stage").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_playbook_page_asks_in_the_reps_language_previews_the_verdict_and_saves_for_those_who_may() {
    for db in databases("web_playbook").await {
        let app = spawn(&db).await;
        let team = team(&app, &db).await;
        let (rep1_id, _) = (
            app.send(Method::GET, "/api/v1/users", Auth::Token(&app.admin_token), None)
                .await
                .json::<Value>()
                .await
                .expect("json")
                .as_array()
                .expect("users")
                .iter()
                .find(|u| u["username"] == "rep1")
                .and_then(|u| u["id"].as_i64())
                .expect("rep1"),
            (),
        );
        let lead = app
            .create_lead(
                &app.admin_token,
                json!({"first_name": "Pia", "last_name": "Plan", "company": "Plan AG", "owner_id": rep1_id}),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        let path = format!("/leads/{lead}/qualify");
        let page = get(&app, &path, Some(&team.rep1), None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", db.name);
        for text in [
            "How do you usually fund tools like this",
            "name=\"status.budget\"",
            "<label for=\"status-budget\">",
            "<label for=\"note-need\">",
            "type=\"date\" name=\"date.timeline\"",
            "name=\"action\" value=\"save\"",
            "No playbook applies to this lead, so BANT is used.",
            "hx-post=\"/leads/",
        ] {
            assert!(page.body.contains(text), "{}: the playbook page lacks {text:?}", db.name);
        }
        assert_eq!(outcome_verdict(&page.body), "needs_info", "nothing answered yet");
        let zh = get(&app, &path, Some(&team.rep1), Some("zh-CN")).await;
        assert!(zh.body.contains("这类工具通常从哪里出预算") && zh.body.contains("保存结论"), "questions in Chinese");
        let meddic = get(&app, &format!("{path}?framework=meddic"), Some(&team.rep1), None).await;
        assert!(
            meddic.body.contains("name=\"status.economic_buyer\"") && !meddic.body.contains("name=\"status.budget\"")
        );
        assert!(meddic.body.contains("You switched framework"), "{}", meddic.body);
        // The link from the lead page.
        let lead_page = get(&app, &format!("/leads/{lead}"), Some(&team.rep1), None).await;
        assert!(lead_page.body.contains(&format!("href=\"/leads/{lead}/qualify\"")));
        assert!(lead_page.body.contains(&format!("href=\"/leads/{lead}/calls/new\"")));

        // The preview fragment follows the statuses; it changes nothing.
        let csrf = form_token(&page.body);
        let cookies = format!("sift_session={}", team.rep1);
        for (statuses, want) in [
            (["confirmed", "confirmed", "confirmed", "confirmed"], "qualified"),
            (["negative", "confirmed", "confirmed", "confirmed"], "nurture"),
            (["confirmed", "confirmed", "negative", "confirmed"], "disqualified"),
            (["unknown", "confirmed", "confirmed", "unknown"], "needs_info"),
        ] {
            let res = post_form(&app, &format!("{path}/preview"), &cookies, &bant_form(&csrf, statuses, &[])).await;
            assert_eq!(res.status(), StatusCode::OK, "{}", db.name);
            let fragment = res.text().await.expect("fragment");
            assert!(
                fragment.starts_with("<section") && fragment.contains("id=\"outcome\"") && !fragment.contains("<html"),
                "a fragment, not a page: {fragment}"
            );
            assert_eq!(outcome_verdict(&fragment), want, "{statuses:?}");
        }
        // A timeline a year out nurtures, with the date read from the form.
        let res = post_form(
            &app,
            &format!("{path}/preview"),
            &cookies,
            &bant_form(&csrf, ["confirmed"; 4], &[("date.timeline", "2099-01-01")]),
        )
        .await;
        assert_eq!(outcome_verdict(&res.text().await.expect("fragment")), "nurture");
        assert_eq!(stage_of(&app, lead).await, "unqualified", "previews save nothing");

        // Every post needs the session's token.
        for (target, form) in [
            (format!("{path}/preview"), bant_form("forged", ["confirmed"; 4], &[])),
            (path.clone(), bant_form("", ["confirmed"; 4], &[("action", "save")])),
            ("/questions/lint".to_owned(), vec![("csrf_token", "forged"), ("question", "Is it?")]),
        ] {
            let res = post_form(&app, &target, &cookies, &form).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}: {target}", db.name);
        }
        assert_eq!(stage_of(&app, lead).await, "unqualified");

        // Switching framework keeps what was answered for the concepts both share.
        let switch = [
            ("csrf_token", csrf.as_str()),
            ("answered_under", "bant"),
            ("framework", "meddic"),
            ("status.need", "confirmed"),
            ("note.need", "Reps lose a day a week"),
            ("status.authority", "negative"),
            ("status.budget", "confirmed"),
            ("action", "switch"),
        ];
        let res = post_form(&app, &path, &cookies, &switch).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", db.name);
        let body = res.text().await.expect("page");
        let card = |id: &str| {
            body[body.find(&format!("id=\"card-{id}\"")).expect("card")..]
                .split("</fieldset>")
                .next()
                .expect("card")
                .to_owned()
        };
        assert!(card("identify_pain").contains("<option value=\"confirmed\" selected>"), "{}", card("identify_pain"));
        assert!(card("identify_pain").contains("value=\"Reps lose a day a week\""));
        assert!(card("economic_buyer").contains("<option value=\"negative\" selected>"));
        assert!(body.contains("name=\"answered_under\" value=\"meddic\""));
        assert_eq!(outcome_verdict(&body), "disqualified", "MEDDIC judges the carried answers");

        // Without JavaScript: the whole page again with its outcome, and a bad date marked.
        let res = post_form(
            &app,
            &path,
            &cookies,
            &bant_form(
                &csrf,
                ["confirmed"; 4],
                &[("note.need", "Loses 30 leads a month"), ("date.timeline", "soon"), ("action", "save")],
            ),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.expect("page");
        assert!(body.contains("id=\"date-timeline-error\"") && body.contains("value=\"soon\""), "{body}");
        assert!(body.contains("value=\"Loses 30 leads a month\""), "what was typed is kept");
        assert_eq!(stage_of(&app, lead).await, "unqualified", "nothing saved with a field to fix");
        let res = post_form(&app, &path, &cookies, &bant_form(&csrf, ["confirmed"; 4], &[("action", "preview")])).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(outcome_verdict(&res.text().await.expect("page")), "qualified");

        // A viewer reads the page without a save button and cannot save.
        app.user("vera", "viewer", None, "read").await;
        let viewer = sign_in_with_form(&app, "vera", PASSWORD).await;
        let read_only = get(&app, &path, Some(&viewer), None).await;
        assert_eq!(read_only.status, StatusCode::OK);
        assert!(read_only.body.contains("id=\"read-only\"") && !read_only.body.contains("value=\"save\""));
        let viewer_csrf = form_token(&read_only.body);
        let res = post_form(
            &app,
            &path,
            &format!("sift_session={viewer}"),
            &bant_form(&viewer_csrf, ["confirmed"; 4], &[("action", "save")]),
        )
        .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}", db.name);
        assert_eq!(stage_of(&app, lead).await, "unqualified");
        // Another rep does not see the lead at all.
        assert_eq!(get(&app, &path, Some(&team.rep2), None).await.status, StatusCode::NOT_FOUND);

        // The owner saves: the decision is stored, the stage moves, the lead page says so.
        let res = post_form(&app, &path, &cookies, &bant_form(&csrf, ["confirmed"; 4], &[("action", "save")])).await;
        assert_eq!(
            (res.status(), header(&res, LOCATION)),
            (StatusCode::SEE_OTHER, format!("/leads/{lead}?saved=moved"))
        );
        assert_eq!(stage_of(&app, lead).await, "sql", "{}", db.name);
        let saved = get(&app, &format!("/leads/{lead}?saved=moved"), Some(&team.rep1), None).await;
        assert!(saved.body.contains("Decision saved. The lead moved to SQL."), "{}", saved.body);
        assert!(saved.body.contains("verdict-qualified"));
        // Opened again, the page starts from the saved answers.
        let again = get(&app, &path, Some(&team.rep1), None).await;
        assert_eq!(outcome_verdict(&again.body), "qualified");
        let audit: Value = app
            .send(Method::GET, "/api/v1/audit", Auth::Token(&app.admin_token), None)
            .await
            .json()
            .await
            .expect("json");
        assert!(audit.to_string().contains("lead.qualified"), "the save is audited as the API's is");
        app.running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_the_rep_types_is_coached_and_an_open_rewrite_offered() {
    for db in databases("web_question_lint").await {
        let app = spawn(&db).await;
        let session = sign_in_with_form(&app, "admin", PASSWORD).await;
        let csrf = form_token(&get(&app, "/", Some(&session), None).await.body);
        let cookies = format!("sift_session={session}");
        let lint = |question: &'static str| {
            let (app, cookies, csrf) = (&app, cookies.clone(), csrf.clone());
            async move {
                let res =
                    post_form(app, "/questions/lint", &cookies, &[("csrf_token", &csrf), ("question", question)]).await;
                assert_eq!(res.status(), StatusCode::OK);
                res.text().await.expect("fragment")
            }
        };
        let closed = lint("Do you have a budget for this?").await;
        assert!(closed.contains("Closed question") && closed.contains("Try instead:"), "{}: {closed}", db.name);
        assert!(closed.contains("name=\"use_rewrite\""), "{closed}");
        let open = lint("What would success look like for your team?").await;
        assert!(open.contains("Open question") && !open.contains("Try instead"), "{open}");
        let zh = lint("你们有预算吗？").await;
        assert!(zh.contains("lint-closed") && zh.contains("use_rewrite"), "{zh}");
        // Taking the rewrite gives the question block back holding it.
        let rewrite = closed.split("id=\"rewrite-text\">").nth(1).and_then(|r| r.split('<').next()).expect("rewrite");
        let res =
            post_form(&app, "/questions/lint", &cookies, &[("csrf_token", &csrf), ("use_rewrite", rewrite)]).await;
        let block = res.text().await.expect("fragment");
        assert!(
            block.starts_with("<section id=\"custom-question\"")
                && !block.contains("<html")
                && block.contains(&format!("value=\"{rewrite}\"")),
            "{block}"
        );
        assert!(block.contains("Open question"), "{block}");
        app.running.shutdown().await.expect("clean shutdown");
    }
}

/// A multipart/form-data body: (name, file name, value) parts.
fn multipart(parts: &[(&str, Option<&str>, &str)]) -> (String, Vec<u8>) {
    let boundary = "sift-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, file, value) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/plain\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_multipart(
    app: &App,
    path: &str,
    session: &str,
    parts: &[(&str, Option<&str>, &str)],
) -> (StatusCode, String) {
    let (content_type, body) = multipart(parts);
    let res = browser()
        .post(app.url(path))
        .header(COOKIE, format!("sift_session={session}"))
        .header(CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .expect("sent");
    let status = res.status();
    if status == StatusCode::SEE_OTHER {
        return (status, header(&res, LOCATION));
    }
    (status, res.text().await.expect("page"))
}

/// Uploads a call for a lead: 303 to the kept call's page; returns that page.
async fn upload_for_lead(app: &App, lead: i64, session: &str, parts: &[(&str, Option<&str>, &str)]) -> String {
    let (status, location) = post_multipart(app, &format!("/leads/{lead}/calls"), session, parts).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}: {location}", app.db_name);
    assert!(location.starts_with(&format!("/leads/{lead}/calls/")), "{location}");
    let page = get(app, &location, Some(session), None).await;
    assert_eq!(page.status, StatusCode::OK, "{location}");
    page.body
}

fn unescape(html: &str) -> String {
    html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// Each finding listed under the conversation (number, quote) and the text of the marks
/// that carry it, in order.
fn findings_and_marks(body: &str) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    for item in body.split("<li id=\"f-").skip(1) {
        let n: usize = item.split('"').next().and_then(|n| n.parse().ok()).expect("finding number");
        let quote = item.split("<q>").nth(1).and_then(|q| q.split("</q>").next()).expect("quote");
        let key = format!("f{n}");
        let mut marked = String::new();
        for mark in body.split("<mark ").skip(1) {
            let (tag, rest) = mark.split_once('>').expect("tag");
            let ids = tag.split("data-findings=\"").nth(1).and_then(|v| v.split('"').next()).unwrap_or("");
            if ids.split(' ').any(|id| id == key) {
                marked.push_str(rest.split("</mark>").next().expect("mark end"));
            }
        }
        out.push((n, unescape(quote), unescape(&marked)));
    }
    out
}

/// Every text in Sift's own English words under `value` (a note, an explanation, a rule, a
/// band, a reason) that is a sentence: two words or more.
fn english_sentences(value: &Value, out: &mut Vec<String>) {
    let sentence = |t: &str| {
        let words: Vec<&str> = t.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() >= 2).collect();
        words.len() >= 2 && t.contains(' ')
    };
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let said = ["explanation", "note", "rule", "band", "reason", "reasons", "next_step", "evidence"];
                match v {
                    Value::String(t) if said.contains(&key.as_str()) && sentence(t) => out.push(t.clone()),
                    Value::Array(items) if key == "reasons" => {
                        out.extend(items.iter().filter_map(Value::as_str).filter(|t| sentence(t)).map(str::to_owned));
                    }
                    _ => english_sentences(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| english_sentences(v, out)),
        _ => {}
    }
}

/// An English call on a Chinese page: the call's page and its lead's page (the decision
/// from the call, the call's signals, the lead-type rules' move in the history) carry none of
/// the sentences the engine wrote in English, each said from its code; a call kept before
/// codes shows its signals as kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_and_its_lead_read_in_chinese_with_none_of_the_engines_english() {
    for db in databases("web_call_zh").await {
        let app = spawn(&db).await;
        let t = app.admin_token.clone();
        let lead = app
            .create_lead(
                &t,
                json!({"first_name": "Lee", "last_name": "Park", "company": "Routewise",
                "country": "DE", "title": "Head of Sales Operations", "employees": 300}),
            )
            .await;
        let id = lead["id"].as_i64().expect("id");
        // The lead-type rules move it, with their reason.
        let res = app
            .send(
                Method::POST,
                &format!("/api/v1/leads/{id}/activities"),
                Auth::Token(&t),
                Some(json!({"kind": "trial_signup", "at": "2026-11-20T09:00:00Z", "detail": "14-day"})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "{}", db.name);
        let typed: Value = res.json().await.expect("json");
        let call = include_str!("../../sift-signals/fixtures/calls/en-routing-good.txt");
        let kept = attach_call(&app, id, "routing.txt", call).await;
        let call_id = kept["call_id"].as_i64().expect("call id");
        let body = json!({"transcript": {"text": call, "reps": ["Dana"]}, "framework": "bant", "as_of": "2026-11-26"});
        let res = app.send(Method::POST, &format!("/api/v1/leads/{id}/qualify"), Auth::Token(&t), Some(body)).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", db.name);
        let decided: Value = res.json().await.expect("json");
        // What the engine wrote in English: the call's analysis, the decision, the rules.
        let mut english = Vec::new();
        english_sentences(&kept["report"], &mut english);
        english_sentences(&decided["decision"], &mut english);
        english_sentences(&typed, &mut english);
        english.sort();
        english.dedup();
        assert!(english.len() > 40, "{}: {english:?}", db.name);
        assert!(english.iter().any(|e| e.starts_with("rule `product_signal`: trial_signup")), "{english:?}");
        let session = sign_in_with_form(&app, "admin", PASSWORD).await;

        let page = get(&app, &format!("/leads/{id}/calls/{call_id}"), Some(&session), Some("zh-CN")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", db.name);
        let said = unescape(&page.body);
        for sentence in &english {
            assert!(!said.contains(sentence.as_str()), "{}: the call page says `{sentence}` in English", db.name);
        }
        for chinese in ["预算金额：$60,000", "给出了预算金额（$60,000）。", "销售占 25%–50%（参考值 43%）", "11–14 个"]
        {
            assert!(said.contains(chinese), "{}: `{chinese}` on the call page", db.name);
        }

        let page = get(&app, &format!("/leads/{id}"), Some(&session), Some("zh-CN")).await;
        let said = unescape(&page.body);
        for sentence in &english {
            assert!(!said.contains(sentence.as_str()), "{}: the lead page says `{sentence}` in English", db.name);
        }
        let history = page_text(part(&page.body, "<section aria-labelledby=\"history\"", "</section>"));
        assert!(history.contains("规则 product_signal：2026-11-20 注册试用（14-day）"), "{}: {history}", db.name);
        let calls = page_text(part(&page.body, "<section aria-labelledby=\"calls\"", "</section>"));
        assert!(calls.contains("给出了预算金额（$60,000）。") && calls.contains("预算"), "{}: {calls}", db.name);
        // The same pages in English say what the engine stored.
        let page = get(&app, &format!("/leads/{id}/calls/{call_id}"), Some(&session), Some("en")).await;
        assert!(unescape(&page.body).contains("Gives a budget figure ($60,000)."), "{}", db.name);

        // A call kept before codes: its signals as kept, in either language.
        let mut old = kept["report"].clone();
        strip_messages(&mut old);
        let stored = old.to_string().replace('\'', "''");
        execute(&db, &format!("UPDATE calls SET analysis = '{stored}' WHERE id = {call_id}")).await;
        let page = get(&app, &format!("/leads/{id}"), Some(&session), Some("zh-CN")).await;
        let calls = unescape(&page_text(part(&page.body, "<section aria-labelledby=\"calls\"", "</section>")));
        assert!(calls.contains("Gives a budget figure ($60,000)."), "{}: the stored text: {calls}", db.name);
        app.running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_call_is_kept_with_the_lead_and_every_finding_is_marked_at_its_quote() {
    for db in databases("web_calls").await {
        let app = spawn(&db).await;
        let team = team(&app, &db).await;
        let new_call = get(&app, &format!("/leads/{}/calls/new", team.qualified), Some(&team.rep1), None).await;
        assert_eq!(new_call.status, StatusCode::OK, "{}", db.name);
        for text in [
            "enctype=\"multipart/form-data\"",
            "<label for=\"file\">",
            "<label for=\"text\">",
            &format!("action=\"/leads/{}/calls\"", team.qualified),
        ] {
            assert!(new_call.body.contains(text), "{}: the upload form lacks {text:?}", db.name);
        }
        let csrf = form_token(&new_call.body);
        let path = format!("/leads/{}/calls", team.qualified);
        let zh_call = include_str!("../../sift-signals/fixtures/calls/zh-crm-good.srt");
        for (file, text, lang) in [("monday.txt", CALL, "en"), ("crm.srt", zh_call, "zh")] {
            let body = upload_for_lead(
                &app,
                team.qualified,
                &team.rep1,
                &[
                    ("csrf_token", None, &csrf),
                    ("file", Some(file), text),
                    ("text", None, ""),
                    ("lang", None, "auto"),
                    ("call_date", None, "2026-11-26"),
                ],
            )
            .await;
            assert!(body.contains("Saved with the lead."), "{file}");
            let found = findings_and_marks(&body);
            assert!(found.len() >= 3, "{file}: findings {found:?}");
            for (n, quote, marked) in &found {
                assert_eq!(marked, quote, "{}: {file}: finding {n} is marked exactly at its quote", db.name);
            }
            // The same call as the API keeps it: each stored signal is among the findings.
            let calls: Value = app
                .send(
                    Method::GET,
                    &format!("/api/v1/leads/{}/calls", team.qualified),
                    Auth::Token(&app.admin_token),
                    None,
                )
                .await
                .json()
                .await
                .expect("json");
            let stored =
                calls.as_array().expect("calls").iter().find(|c| c["source_name"] == file).expect("stored call");
            let call: Value = app
                .send(Method::GET, &format!("/api/v1/calls/{}", stored["id"]), Auth::Token(&app.admin_token), None)
                .await
                .json()
                .await
                .expect("json");
            assert_eq!(call["language"], lang, "{file}");
            for signal in call["analysis"]["signals"].as_array().expect("signals") {
                let quote = signal["quote"].as_str().expect("quote");
                assert!(found.iter().any(|(_, q, _)| q == quote), "{file}: signal quote {quote:?} is highlighted");
            }
            assert!(
                body.contains("Rep&#39;s share of the talking") || body.contains("Rep's share of the talking"),
                "{file}: metrics"
            );
            assert!(body.contains("25%-50% rep"), "{file}: the talk ratio's band");
            let ask = &body[body.find("id=\"ask-next\"").expect("ask next")..];
            assert!(ask.contains("Judged under BANT"), "{file}: {ask}");
        }
        // The lead page links each kept call; only those who see the lead open it.
        let listed: Value = app
            .send(Method::GET, &format!("/api/v1/leads/{}/calls", team.qualified), Auth::Token(&app.admin_token), None)
            .await
            .json()
            .await
            .expect("json");
        let call_id = listed[0]["id"].as_i64().expect("a call");
        let lead_page = get(&app, &format!("/leads/{}", team.qualified), Some(&team.rep1), None).await;
        assert!(lead_page.body.contains(&format!("href=\"/leads/{}/calls/{call_id}\"", team.qualified)));
        for (session, path) in [
            (&team.rep2, format!("/leads/{}/calls/{call_id}", team.qualified)),
            (&team.rep2, format!("/leads/{}/calls/{call_id}", team.others)),
            (&team.rep1, format!("/leads/{}/calls/999999", team.qualified)),
        ] {
            assert_eq!(get(&app, &path, Some(session), None).await.status, StatusCode::NOT_FOUND, "{path}");
        }
        // Analysed without a lead, a call is shown and not kept.
        let (status, body) = post_multipart(
            &app,
            "/calls",
            &team.rep1,
            &[("csrf_token", None, &csrf), ("text", None, zh_call), ("lang", None, "zh")],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("Not saved: this call is not attached to a lead."));
        // A post without the token, an empty one, and a viewer saving are refused.
        let (status, _) =
            post_multipart(&app, &path, &team.rep1, &[("csrf_token", None, "forged"), ("text", None, CALL)]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{}", db.name);
        let (status, body) =
            post_multipart(&app, &path, &team.rep1, &[("csrf_token", None, &csrf), ("text", None, "  ")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("Choose a file or paste a transcript."));
        app.user("vera", "viewer", None, "read").await;
        let viewer = sign_in_with_form(&app, "vera", PASSWORD).await;
        let form = get(&app, &format!("/leads/{}/calls/new", team.qualified), Some(&viewer), None).await;
        assert!(form.body.contains("id=\"read-only\"") && form.body.contains("action=\"/calls\""), "{}", form.body);
        let (status, _) = post_multipart(
            &app,
            &path,
            &viewer,
            &[("csrf_token", None, &form_token(&form.body)), ("text", None, CALL)],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let calls: Value = app
            .send(Method::GET, &path.replace("/leads", "/api/v1/leads"), Auth::Token(&app.admin_token), None)
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(calls.as_array().map(Vec::len), Some(3), "the team's call and the two uploads, nothing else");
        app.running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_strings_in_a_note_a_question_and_a_transcript_render_as_text() {
    for db in databases("web_xss_pages").await {
        let app = spawn(&db).await;
        let id = app.create_lead(&app.admin_token, json!({"first_name": "Hal", "company": "Hostile Inc"})).await["id"]
            .as_i64()
            .expect("id");
        let session = sign_in_with_form(&app, "admin", PASSWORD).await;
        let cookies = format!("sift_session={session}");
        let page = get(&app, &format!("/leads/{id}/qualify"), Some(&session), None).await;
        let csrf = form_token(&page.body);
        let path = format!("/leads/{id}/qualify");
        let check = |what: &str, body: &str| {
            assert!(
                !body.contains("<script>alert") && !body.contains("<img"),
                "{}: {what} is not escaped:\n{body}",
                db.name
            );
            assert!(
                body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || body.contains("&quot;&gt;&lt;img src=x"),
                "{what}: the hostile text is shown, escaped:\n{body}"
            );
        };
        let form = bant_form(
            &csrf,
            ["confirmed"; 4],
            &[("note.need", HOSTILE_SCRIPT), ("question", HOSTILE_ATTR), ("action", "preview")],
        );
        let res = post_form(&app, &path, &cookies, &form).await;
        let body = res.text().await.expect("page");
        check("the note", &body);
        assert!(
            body.contains("value=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""),
            "the question, escaped: {body}"
        );
        let res =
            post_form(&app, "/questions/lint", &cookies, &[("csrf_token", &csrf), ("use_rewrite", HOSTILE_ATTR)]).await;
        check("a rewrite taken", &res.text().await.expect("fragment"));
        // Saved, the note shows on the lead page escaped too.
        let form = bant_form(&csrf, ["confirmed"; 4], &[("note.need", HOSTILE_SCRIPT), ("action", "save")]);
        assert_eq!(post_form(&app, &path, &cookies, &form).await.status(), StatusCode::SEE_OTHER);
        check("the saved note", &get(&app, &format!("/leads/{id}"), Some(&session), None).await.body);
        let again = get(&app, &path, Some(&session), None).await;
        check("the note opened again", &again.body);
        // A transcript (and its file name) with markup in it.
        let call = format!(
            "Dana: What made you look at this now? {HOSTILE_ATTR}\nLi: We lose about 30 leads a month {HOSTILE_SCRIPT} because nobody picks them up.\n"
        );
        let body =
            upload_for_lead(&app, id, &session, &[("csrf_token", None, &csrf), ("file", Some("<script>x.txt"), &call)])
                .await;
        check("the transcript", &body);
        for tag in body.match_indices("<script").map(|(i, _)| &body[i..]) {
            assert!(tag[..tag.find('>').expect("end")].contains("src=\"/assets/"), "only our own scripts");
        }
        assert!(!body.contains("style=\""), "no inline style");
        app.running.shutdown().await.expect("clean shutdown");
    }
}

/// Stores the demo's CRM export (63 leads with a known outcome), as a demo server does.
async fn store_demo_leads(app: &App) {
    let config = sift_app::Config::builtin().expect("config");
    let dir = tempfile::tempdir().expect("dir");
    sift_app::demo::store_sample(&config, app.running.state.store(), dir.path(), &[]).await.expect("demo stored");
}

/// Imports a CSV file the way the demo does.
async fn import_csv(app: &App, csv: &str) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("leads.csv");
    std::fs::write(&path, csv).expect("csv written");
    let options = sift_store::import::ImportOptions::default();
    sift_app::imports::import_file(app.running.state.store(), &path, &options, None, &()).await.expect("imported");
}

/// Starts training from the models page and follows its progress fragment (as htmx polls
/// it) until the job is done; returns the new model's version.
async fn train_in_page(app: &App, session: &str, kind: &str) -> i64 {
    let fragment = start_training(app, session, kind).await;
    assert!(fragment.contains("data-status=\"done\""), "{}: training failed: {fragment}", app.db_name);
    assert!(fragment.contains("<div id=\"model-list\" hx-swap-oob=\"true\">"), "{fragment}");
    let start = fragment.find("id=\"new-model\" href=\"/models/").expect("a link to the new model") + 29;
    fragment[start..].split('"').next().and_then(|v| v.parse().ok()).expect("a version")
}

/// Starts training from the models page and follows its progress fragment until the job
/// ends; returns the last fragment.
async fn start_training(app: &App, session: &str, kind: &str) -> String {
    let page = get(app, "/models", Some(session), None).await;
    let csrf = form_token(&page.body);
    let res =
        post_form(app, "/models/train", &format!("sift_session={session}"), &[("csrf_token", &csrf), ("kind", kind)])
            .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.db_name);
    let to = header(&res, LOCATION);
    let job = to.strip_prefix("/models?job=").expect("back to the list with the job").to_owned();
    // Without JavaScript the fragment's address leads to the page, which shows the job.
    let direct = get(app, &format!("/models/jobs/{job}"), Some(session), None).await;
    assert_eq!((direct.status, direct.location.as_str()), (StatusCode::SEE_OTHER, to.as_str()));
    let listed = get(app, &to, Some(session), None).await;
    assert!(listed.body.contains("id=\"training\""), "{}", listed.body);
    let started = std::time::Instant::now();
    loop {
        let res = browser()
            .get(app.url(&format!("/models/jobs/{job}")))
            .header(COOKIE, format!("sift_session={session}"))
            .header("hx-request", "true")
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), StatusCode::OK);
        let fragment = res.text().await.expect("fragment");
        assert!(!fragment.contains("<html"), "a fragment, not a page: {fragment}");
        if fragment.contains("data-status=\"done\"") || fragment.contains("data-status=\"failed\"") {
            assert!(!fragment.contains("hx-trigger"), "polling stops when the job ends: {fragment}");
            return fragment;
        }
        assert!(fragment.contains("hx-trigger=\"every 1s\""), "polled while it runs: {fragment}");
        assert!(started.elapsed() < std::time::Duration::from_secs(180), "training did not finish: {fragment}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// The numbers of an SVG path's `d` ("M x y L x y ...") as points.
fn path_points(d: &str) -> Vec<(f64, f64)> {
    let numbers: Vec<f64> =
        d.split(|c: char| c == 'M' || c == 'L' || c.is_whitespace()).filter_map(|t| t.parse().ok()).collect();
    numbers.chunks(2).map(|p| (p[0], p[1])).collect()
}

/// The value of attribute `name` of the first element with `class="{class}"`.
fn attribute_of(body: &str, class: &str, name: &str) -> String {
    let at = body.find(&format!("class=\"{class}\"")).unwrap_or_else(|| panic!("no element of class {class}"));
    let tag_end = body[at..].find('>').map_or(body.len(), |e| at + e);
    let tag = &body[at..tag_end];
    let start = tag.find(&format!(" {name}=\"")).unwrap_or_else(|| panic!("no {name} in {tag}")) + name.len() + 3;
    tag[start..].split('"').next().unwrap_or("").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_models_page_trains_on_the_demo_outcomes_draws_the_report_and_switches_the_active_model() {
    for db in databases("web_models").await {
        let app = spawn_with(&db, |s| s.job_workers = 1).await;
        let admin = sign_in_with_form(&app, "admin", PASSWORD).await;
        app.user("rep1", "rep", None, "write").await;
        let rep = sign_in_with_form(&app, "rep1", PASSWORD).await;

        // Nothing yet: the page teaches, and only a manager or admin gets the form.
        let page = get(&app, "/models", Some(&admin), None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", db.name);
        assert!(page.body.contains("No model yet") && page.body.contains("action=\"/models/train\""), "{}", page.body);
        assert!(page.body.contains("<option value=\"auto\" selected>"), "auto is the default: {}", page.body);
        assert!(page.body.contains("href=\"/models\" aria-current=\"page\""), "the nav marks the section");
        let page = get(&app, "/models", Some(&rep), None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("id=\"read-only\"") && !page.body.contains("action=\"/models/train\""));
        let zh = get(&app, "/models", Some(&rep), Some("zh-CN")).await;
        assert!(zh.body.contains("<h1>评分模型</h1>") && zh.body.contains("只有经理和管理员"), "{}", zh.body);

        // A rep may not train (with the session's own token).
        let rep_csrf = form_token(&page.body);
        let res = post_form(
            &app,
            "/models/train",
            &format!("sift_session={rep}"),
            &[("csrf_token", &rep_csrf), ("kind", "auto")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}", db.name);
        // Nor anyone without the form's token.
        let res = post_form(&app, "/models/train", &format!("sift_session={admin}"), &[("csrf_token", "forged")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let admin_csrf = form_token(&get(&app, "/models", Some(&admin), None).await.body);
        let res = post_form(
            &app,
            "/models/train",
            &format!("sift_session={admin}"),
            &[("csrf_token", &admin_csrf), ("kind", "forest")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "an unknown kind is refused");

        // With no outcome stored yet, the job fails and the page says why.
        let fragment = start_training(&app, &admin, "auto").await;
        assert!(fragment.contains("data-status=\"failed\"") && fragment.contains("Training failed:"), "{fragment}");
        assert!(!fragment.contains("model-list"), "{fragment}");

        store_demo_leads(&app).await;
        let first = train_in_page(&app, &admin, "auto").await;
        let page = get(&app, &format!("/models/{first}"), Some(&admin), None).await;
        assert_eq!(page.status, StatusCode::OK);
        let body = &page.body;
        // The four charts, each an image with a title and a description and its numbers.
        for chart in ["roc", "calibration", "lift", "factors"] {
            assert!(body.contains(&format!("<svg class=\"chart {chart}\"")), "{chart}: {body}");
            assert!(body.contains(&format!("<title id=\"{chart}-title\">")), "{chart}");
            assert!(body.contains(&format!("<desc id=\"{chart}-desc\">")), "{chart}");
            assert!(body.contains(&format!("aria-labelledby=\"{chart}-title {chart}-desc\"")), "{chart}");
        }
        assert_eq!(body.matches("<details class=\"numbers\">").count(), 4, "each chart has its table");
        assert!(!body.contains(" style="), "no inline style (the CSP forbids it)");
        // The ROC curve: from the bottom-left corner to the top-right, never going back,
        // inside the plot, with the diagonal.
        let roc = path_points(&attribute_of(body, "roc-line", "d"));
        assert!(roc.len() >= 3, "{roc:?}");
        assert!(roc.windows(2).all(|w| w[1].0 >= w[0].0 && w[1].1 <= w[0].1), "monotone: {roc:?}");
        assert!(roc.iter().all(|&(x, y)| (52.0..=342.0).contains(&x) && (14.0..=244.0).contains(&y)), "{roc:?}");
        assert_eq!((roc[0], roc[roc.len() - 1]), ((52.0, 244.0), (342.0, 14.0)));
        assert_eq!(path_points(&attribute_of(body, "diagonal", "d")), [(52.0, 244.0), (342.0, 14.0)]);
        assert!(body.matches("class=\"lift-bar\"").count() >= 5, "lift bars");
        // On 63 demo leads the calibrated scores may fall into a single bin (the outcomes there
        // are close to noise), so one point is enough; the ideal line is always drawn.
        assert!(body.matches("class=\"calibration-point\"").count() >= 1, "calibration points");
        assert!(body.contains("class=\"factor-bar raises\"") && body.contains("class=\"factor-bar lowers\""));
        // `auto`: the candidates and why this one.
        assert!(body.contains("id=\"candidates\"") && body.contains("is chosen"), "{body}");
        // The first model became active by itself; the list says so.
        let list = get(&app, "/models", Some(&rep), None).await;
        assert!(list.body.contains(&format!("href=\"/models/{first}\"")) && list.body.contains("model-active"));

        // A second model is not active until someone activates it.
        let second = train_in_page(&app, &admin, "logistic").await;
        assert_ne!(first, second);
        let page = get(&app, &format!("/models/{second}"), Some(&rep), None).await;
        assert!(!page.body.contains("/activate\""), "a rep gets no activate button");
        let res = post_form(
            &app,
            &format!("/models/{second}/activate"),
            &format!("sift_session={rep}"),
            &[("csrf_token", &rep_csrf)],
        )
        .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}", db.name);
        let page = get(&app, &format!("/models/{second}"), Some(&admin), None).await;
        assert!(page.body.contains(&format!("action=\"/models/{second}/activate\"")), "{}", page.body);
        assert!(!page.body.contains("id=\"candidates\""), "a kind asked for has no selection");
        let res = post_form(
            &app,
            &format!("/models/{second}/activate"),
            &format!("sift_session={admin}"),
            &[("csrf_token", &admin_csrf)],
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(header(&res, LOCATION), format!("/models/{second}?activated=1"));
        let page = get(&app, &format!("/models/{second}?activated=1"), Some(&admin), None).await;
        assert!(page.body.contains("id=\"activated\"") && !page.body.contains("/activate\""), "{}", page.body);
        let res = app.send(Method::GET, "/api/v1/models", Auth::Token(&app.admin_token), None).await;
        let models: Value = res.json().await.expect("json");
        let active: Vec<i64> = models
            .as_array()
            .expect("list")
            .iter()
            .filter(|m| m["active"] == true)
            .filter_map(|m| m["version"].as_i64())
            .collect();
        assert_eq!(active, [second], "{models}");
        let page = get(&app, "/models/999999", Some(&admin), None).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        let res = post_form(
            &app,
            "/models/999999/activate",
            &format!("sift_session={admin}"),
            &[("csrf_token", &admin_csrf)],
        )
        .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_field_name_used_as_a_factor_renders_as_text_on_the_model_page() {
    for db in databases("web_models_hostile").await {
        let app = spawn_with(&db, |s| s.job_workers = 1).await;
        let mut csv = format!("Email,Company,Industry,{HOSTILE_SCRIPT},Converted\n");
        for n in 0..90 {
            let hostile = if n % 3 == 0 { HOSTILE_ATTR } else { "plain" };
            let converted = if (n % 3 == 0) != (n % 10 == 0) { "yes" } else { "no" };
            csv.push_str(&format!(
                "p{n}@firm{n}.example,Firm {n},{},\"{}\",{converted}\n",
                ["Software", "Retail"][n % 2],
                hostile.replace('"', "\"\"")
            ));
        }
        import_csv(&app, &csv).await;
        let admin = sign_in_with_form(&app, "admin", PASSWORD).await;
        let version = train_in_page(&app, &admin, "logistic").await;
        let page = get(&app, &format!("/models/{version}"), Some(&admin), None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", db.name);
        assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt; = "), "the field is a factor: {}", page.body);
        assert!(!page.body.contains(HOSTILE_SCRIPT) && !page.body.contains("<img src=x"), "{}", page.body);
    }
}

/// The count in the heading of a stage's column on a board page ("3 leads · 2 shown").
fn column_count(body: &str, stage: &str) -> Option<String> {
    let heading = &body[body.find(&format!("<h2 id=\"stage-{stage}\">"))?..];
    let start = heading.find("<span class=\"muted count\">")? + 26;
    Some(heading[start..].split('<').next()?.to_owned())
}

/// The stage column a lead's card is in on a board page, if it is shown.
fn board_column_of(body: &str, id: i64) -> Option<String> {
    let card = body.find(&format!("href=\"/leads/{id}\""))?;
    let marker = "<section class=\"column\" aria-labelledby=\"stage-";
    let before = &body[..card];
    let column = before.rfind(marker)? + marker.len();
    Some(before[column..].split('"').next()?.to_owned())
}

async fn owner_of(app: &App, id: i64) -> Option<i64> {
    let lead: Value = app
        .send(Method::GET, &format!("/api/v1/leads/{id}"), Auth::Token(&app.admin_token), None)
        .await
        .json()
        .await
        .expect("json");
    lead["owner_id"].as_i64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_groups_by_stage_filters_from_the_url_and_assigns_as_the_api_allows() {
    for db in databases("web_board").await {
        let app = spawn(&db).await;
        let (rep_a, _) = app.user("rep_a", "rep", Some("north"), "write").await;
        let (rep_b, _) = app.user("rep_b", "rep", Some("north"), "write").await;
        app.user("boss", "manager", Some("north"), "write").await;
        let (app_ref, t) = (&app, &app.admin_token);
        let lead = |v: Value| async move { app_ref.create_lead(t, v).await["id"].as_i64().expect("id") };
        let a1 = lead(json!({"first_name": "Ada", "last_name": "First", "company": "Acme Freight",
            "source": "webinar", "owner_id": rep_a}))
        .await;
        let a2 = lead(json!({"first_name": "Alan", "last_name": "Second", "company": "Beta Ports",
            "source": "ads", "owner_id": rep_a}))
        .await;
        let b1 =
            lead(json!({"first_name": "Bea", "last_name": "Other", "company": "Gamma Rail", "owner_id": rep_b})).await;
        let u1 = lead(json!({"first_name": "Una", "last_name": "Owned", "company": "Delta Air"})).await;
        let scored = "score_probability = 0.5, score_model = 1, scored_at = '2026-12-01T00:00:00Z'";
        execute(&db, &format!("UPDATE leads SET stage = 'mql', score = 80, {scored} WHERE id = {a2}")).await;
        execute(&db, &format!("UPDATE leads SET score = 30, {scored} WHERE id = {a1}")).await;

        // Columns by stage: every stage has one, each lead sits in its stage's.
        let admin = sign_in_with_form(&app, "admin", PASSWORD).await;
        let board = get(&app, "/board", Some(&admin), None).await;
        assert_eq!(board.status, StatusCode::OK, "{}", db.name);
        for stage in ["unqualified", "mql", "pql", "cql", "sql", "opportunity", "nurture", "disqualified", "customer"] {
            assert!(board.body.contains(&format!("id=\"stage-{stage}\"")), "{}: column {stage}", db.name);
        }
        assert!(board.body.contains("<a href=\"/board\" aria-current=\"page\">Board</a>"));
        for (id, stage) in [(a1, "unqualified"), (a2, "mql"), (b1, "unqualified"), (u1, "unqualified")] {
            assert_eq!(board_column_of(&board.body, id).as_deref(), Some(stage), "{}: lead {id}", db.name);
        }
        // A card: name, company, score, owner, last verdict.
        let card = &board.body[board.body.find(&format!("href=\"/leads/{a2}\"")).expect("card")..];
        let card = &card[..card.find("</li>").expect("card end")];
        for text in ["Alan Second", "Beta Ports", "Score: 80", "Owner: rep_a", "No verdict yet"] {
            assert!(card.contains(text), "{}: the card lacks {text:?}: {card}", db.name);
        }

        // Filters come from the URL.
        let shown = |body: &str| {
            [a1, a2, b1, u1].into_iter().filter(|id| board_column_of(body, *id).is_some()).collect::<Vec<_>>()
        };
        for (query, want) in [
            ("source=webinar", vec![a1]),
            ("q=gamma", vec![b1]),
            ("score_min=50", vec![a2]),
            ("score_min=10&score_max=50", vec![a1]),
            ("owner=none", vec![u1]),
            (&*format!("owner={rep_a}"), vec![a1, a2]),
            ("verdict=qualified", vec![]),
            ("stage=mql", vec![a2]),
            ("source=&q=&score_min=", vec![a1, a2, b1, u1]),
        ] {
            let page = get(&app, &format!("/board?{query}"), Some(&admin), None).await;
            assert_eq!(page.status, StatusCode::OK, "{}: {query}", db.name);
            assert_eq!(shown(&page.body), want, "{}: /board?{query}", db.name);
        }
        let one_column = get(&app, "/board?stage=mql", Some(&admin), None).await;
        assert!(!one_column.body.contains("id=\"stage-unqualified\""), "one stage's column only");
        // Each column counts its leads under the filters, counted in SQL.
        let counts =
            |body: &str| ["unqualified", "mql", "sql"].map(|stage| column_count(body, stage).unwrap_or_default());
        for (query, want) in [
            ("", ["3 leads", "1 lead", "0 leads"]),
            ("source=webinar", ["1 lead", "0 leads", "0 leads"]),
            (&*format!("owner={rep_a}"), ["1 lead", "1 lead", "0 leads"]),
            ("score_min=50", ["0 leads", "1 lead", "0 leads"]),
            ("q=a", ["3 leads", "1 lead", "0 leads"]),
        ] {
            let page = get(&app, &format!("/board?{query}"), Some(&admin), None).await;
            assert_eq!(counts(&page.body), want, "{}: /board?{query}", db.name);
        }
        assert_eq!(column_count(&one_column.body, "mql").as_deref(), Some("1 lead"), "{}", db.name);
        let zh = get(&app, "/board", Some(&admin), Some("zh-CN")).await;
        assert_eq!(column_count(&zh.body, "unqualified").as_deref(), Some("3 条线索"), "{}", db.name);
        for bad in ["score_min=abc", "score_min=120", "stage=won", "verdict=maybe"] {
            let page = get(&app, &format!("/board?{bad}"), Some(&admin), None).await;
            assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {bad}", db.name);
        }
        // A rep sees only their own leads.
        let session_a = sign_in_with_form(&app, "rep_a", PASSWORD).await;
        let mine = get(&app, "/board", Some(&session_a), None).await;
        assert_eq!(shown(&mine.body), vec![a1, a2], "{}", db.name);
        assert_eq!(counts(&mine.body), ["1 lead", "1 lead", "0 leads"], "a rep counts their own leads only");

        // Bulk assignment by a manager: the team's leads and unassigned ones go to rep_b.
        let boss = sign_in_with_form(&app, "boss", PASSWORD).await;
        let page = get(&app, "/board", Some(&boss), None).await;
        let csrf = form_token(&page.body);
        let cookies = format!("sift_session={boss}");
        let (a1s, u1s, rep_bs) = (a1.to_string(), u1.to_string(), rep_b.to_string());
        let forged =
            post_form(&app, "/board/assign", &cookies, &[("csrf_token", "forged"), ("owner", &rep_bs), ("lead", &a1s)])
                .await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "{}", db.name);
        assert_eq!(owner_of(&app, a1).await, Some(rep_a), "a forged post changes nothing");
        let res = post_form(
            &app,
            "/board/assign",
            &cookies,
            &[("csrf_token", &csrf), ("owner", &rep_bs), ("lead", &a1s), ("lead", &u1s), ("back", "source=webinar")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", db.name);
        let location = header(&res, LOCATION);
        assert_eq!(location, "/board?assigned=2&refused=0&source=webinar");
        assert_eq!((owner_of(&app, a1).await, owner_of(&app, u1).await), (Some(rep_b), Some(rep_b)));
        let after = get(&app, &location, Some(&boss), None).await;
        assert!(after.body.contains("Assigned: <strong>2</strong>"), "{}", after.body);
        assert_eq!(shown(&after.body), vec![a1], "the filters are kept");

        // A rep may take nothing from another rep, nor give their own leads away.
        let csrf = form_token(&mine.body);
        let cookies = format!("sift_session={session_a}");
        let a2s = a2.to_string();
        let b1s = b1.to_string();
        let res = post_form(
            &app,
            "/board/assign",
            &cookies,
            &[("csrf_token", &csrf), ("owner", "me"), ("lead", &b1s), ("lead", &a2s)],
        )
        .await;
        assert_eq!(header(&res, LOCATION), "/board?assigned=1&refused=1", "{}", db.name);
        assert_eq!(owner_of(&app, b1).await, Some(rep_b), "rep_b's lead stays rep_b's");
        let res =
            post_form(&app, "/board/assign", &cookies, &[("csrf_token", &csrf), ("owner", &rep_bs), ("lead", &a2s)])
                .await;
        assert_eq!(header(&res, LOCATION), "/board?assigned=0&refused=1", "{}", db.name);
        assert_eq!(owner_of(&app, a2).await, Some(rep_a));
        let refused = get(&app, "/board?assigned=0&refused=1", Some(&session_a), None).await;
        assert!(refused.body.contains("not yours to give"), "{}", refused.body);
        app.running.shutdown().await.expect("clean shutdown");
    }
}

/// Under a search the board's column counts stop at 200 ("200+", "超过 200") and the API's
/// total at 1,000 (`total_capped`); below the caps, and without a search, they are exact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_most_leads_match_is_counted_up_to_a_cap_on_the_board_and_in_the_api() {
    for db in databases("web_board_cap").await {
        let app = spawn(&db).await;
        let mut csv = String::from("Email,First Name,Company\n");
        for i in 0..1100 {
            let company = if i % 110 == 0 { "Rare Co" } else { "Plain Co" };
            csv.push_str(&format!("b{i}@bulk.example,Bulk {i},{company}\n"));
        }
        import_csv(&app, &csv).await;
        let admin = sign_in_with_form(&app, "admin", PASSWORD).await;
        for (query, want, capped) in [
            ("q=bulk", "200+ leads · 50 shown", true),
            ("q=bulk%20co", "200+ leads · 50 shown", true),
            ("q=rare", "10 leads", false),
            ("q=bulk&stage=unqualified", "200+ leads · 50 shown", true),
            ("", "1,100 leads · 50 shown", false),
        ] {
            let page = get(&app, &format!("/board?{query}"), Some(&admin), None).await;
            assert_eq!(page.status, StatusCode::OK, "{}: {query}", db.name);
            assert_eq!(column_count(&page.body, "unqualified").as_deref(), Some(want), "{}: /board?{query}", db.name);
            assert_eq!(page.body.contains("id=\"count-capped\""), capped, "{}: /board?{query}", db.name);
        }
        let page = get(&app, "/board?q=bulk", Some(&admin), None).await;
        assert!(page.body.contains("While searching, each column counts up to 200 leads."), "{}", page.body);
        let zh = get(&app, "/board?q=bulk", Some(&admin), Some("zh-CN")).await;
        assert_eq!(
            column_count(&zh.body, "unqualified").as_deref(),
            Some("超过 200 条线索 · 显示 50 条"),
            "{}",
            db.name
        );
        assert!(zh.body.contains("搜索时每列最多统计 200 条线索。"), "{}", zh.body);

        for (query, total, capped) in [("q=bulk", 1000, true), ("q=rare", 10, false), ("sort=id", 1100, false)] {
            let page: Value = app
                .send(Method::GET, &format!("/api/v1/leads?{query}&count=true"), Auth::Token(&app.admin_token), None)
                .await
                .json()
                .await
                .expect("json");
            assert_eq!(
                (&page["total"], &page["total_capped"]),
                (&json!(total), &json!(capped)),
                "{}: {query}",
                db.name
            );
        }
        let page: Value = app
            .send(Method::GET, "/api/v1/leads?q=bulk", Auth::Token(&app.admin_token), None)
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(
            (&page["total"], &page["total_capped"]),
            (&Value::Null, &Value::Null),
            "{}: no count asked",
            db.name
        );
        app.running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stage_move_without_a_reason_shows_the_error_at_its_field_and_changes_nothing() {
    for db in databases("web_stage_move").await {
        let app = spawn(&db).await;
        let (rep, _) = app.user("mover", "rep", None, "write").await;
        let id = app
            .create_lead(&app.admin_token, json!({"first_name": "Mia", "company": "Move AB", "owner_id": rep}))
            .await["id"]
            .as_i64()
            .expect("id");
        let session = sign_in_with_form(&app, "mover", PASSWORD).await;
        let path = format!("/leads/{id}/stage");
        let form = get(&app, &path, Some(&session), None).await;
        assert_eq!(form.status, StatusCode::OK, "{}", db.name);
        assert!(form.body.contains("id=\"move-stage\"") && form.body.contains("<option value=\"mql\""));
        let lead_page = get(&app, &format!("/leads/{id}"), Some(&session), None).await;
        assert!(lead_page.body.contains(&format!("href=\"{path}\"")), "the lead page links to the move");
        let csrf = form_token(&form.body);
        let cookies = format!("sift_session={session}");

        // No reason: the rules refuse, the error sits at the reason field, nothing moves.
        let res = post_form(&app, &path, &cookies, &[("csrf_token", &csrf), ("to", "mql"), ("reason", "  ")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", db.name);
        let body = res.text().await.expect("page");
        assert!(body.contains("id=\"reason_error\"") && body.contains("Say why the lead moves"), "{body}");
        assert!(body.contains("aria-invalid=\"true\""));
        assert_eq!(stage_of(&app, id).await, "unqualified");
        // A move the lifecycle does not allow: the error at the stage.
        let res =
            post_form(&app, &path, &cookies, &[("csrf_token", &csrf), ("to", "customer"), ("reason", "why not")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.expect("page");
        assert!(body.contains("id=\"to_error\"") && body.contains("does not allow"), "{body}");
        assert!(body.contains("value=\"why not\""), "what was typed is kept");
        assert_eq!(stage_of(&app, id).await, "unqualified");
        // Without the session's token, nothing either.
        let res = post_form(&app, &path, &cookies, &[("csrf_token", "forged"), ("to", "mql"), ("reason", "x")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(stage_of(&app, id).await, "unqualified");

        // With a reason it moves, and the reason is in the history.
        let res = post_form(
            &app,
            &path,
            &cookies,
            &[("csrf_token", &csrf), ("to", "mql"), ("reason", "Downloaded the pricing guide")],
        )
        .await;
        assert_eq!((res.status(), header(&res, LOCATION)), (StatusCode::SEE_OTHER, format!("{path}?moved=1")));
        assert_eq!(stage_of(&app, id).await, "mql");
        let lead_page = get(&app, &format!("/leads/{id}"), Some(&session), None).await;
        assert!(lead_page.body.contains("Downloaded the pricing guide"), "{}", db.name);
        let moved = get(&app, &format!("{path}?moved=1"), Some(&session), None).await;
        assert!(moved.body.contains("The lead moved to MQL."), "{}", moved.body);

        // Another rep cannot see the lead, so cannot move it.
        app.user("other", "rep", None, "write").await;
        let other = sign_in_with_form(&app, "other", PASSWORD).await;
        assert_eq!(get(&app, &path, Some(&other), None).await.status, StatusCode::NOT_FOUND);
        let page = get(&app, "/", Some(&other), None).await;
        let res = post_form(
            &app,
            &path,
            &format!("sift_session={other}"),
            &[("csrf_token", &form_token(&page.body)), ("to", "sql"), ("reason", "mine now")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(stage_of(&app, id).await, "mql");
        app.running.shutdown().await.expect("clean shutdown");
    }
}

/// A CRM export with a column the importer cannot place (`Firma Size`), two rows it would
/// reject and hostile cells.
const CRM_EXPORT: &str = "Record ID,First Name,Last Name,Email,Company,Firma Size,Converted,Notes\n\
R1,Ada,Lovelace,ada@engines.example,Analytical Engines,120,yes,\"=HYPERLINK(\"\"http://evil.example\"\")\"\n\
R2,Grace,Hopper,grace@navy.example,Navy Labs,5000,no,<script>alert(1)</script>\n\
R3,Alan,Turing,not-an-email,Bletchley,80,no,\n\
R4,Edsger,Dijkstra,ed@tue.example,TU Eindhoven,900,perhaps,\n";

/// The `selected` option of a select on a page.
fn selected_option(body: &str, select_id: &str) -> String {
    let select = &body[body.find(&format!("id=\"{select_id}\"")).expect("the select")..];
    let select = &select[..select.find("</select>").expect("end")];
    let at = select.find(" selected").expect("a selected option");
    let start = select[..at].rfind("value=\"").expect("value") + 7;
    select[start..].split('"').next().expect("value").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_is_mapped_and_checked_before_anything_is_written_then_runs_as_a_job() {
    for db in databases("web_import").await {
        let app = spawn_with(&db, |s| s.job_workers = 1).await;
        // Viewers (and reps) do not import.
        app.user("looker", "viewer", None, "read").await;
        let viewer = sign_in_with_form(&app, "looker", PASSWORD).await;
        assert_eq!(get(&app, "/imports/new", Some(&viewer), None).await.status, StatusCode::FORBIDDEN, "{}", db.name);
        let viewer_page = get(&app, "/", Some(&viewer), None).await;
        assert!(!viewer_page.body.contains("href=\"/imports/new\""), "no import link for a viewer");
        let (status, _) = post_multipart(
            &app,
            "/imports/new",
            &viewer,
            &[("csrf_token", None, &form_token(&viewer_page.body)), ("file", Some("crm.csv"), CRM_EXPORT)],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let admin = sign_in_with_form(&app, "admin", PASSWORD).await;
        let form = get(&app, "/imports/new", Some(&admin), None).await;
        assert_eq!(form.status, StatusCode::OK, "{}", db.name);
        let csrf = form_token(&form.body);
        let (status, _) = post_multipart(
            &app,
            "/imports/new",
            &admin,
            &[("csrf_token", None, "forged"), ("file", Some("crm.csv"), CRM_EXPORT)],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a forged upload is refused");
        let (status, body) = post_multipart(
            &app,
            "/imports/new",
            &admin,
            &[("csrf_token", None, &csrf), ("file", Some("bin.csv"), "\u{0}\u{1}\u{2}binary")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("id=\"file_error\""), "the error sits at the file field: {body}");
        let (status, location) = post_multipart(
            &app,
            "/imports/new",
            &admin,
            &[("csrf_token", None, &csrf), ("file", Some("crm.csv"), CRM_EXPORT)],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{}: {location}", db.name);
        assert!(location.starts_with("/imports/uploads/"), "{location}");

        // The mapping step: the detected field of each column, the first rows, the rejects.
        let step = get(&app, &location, Some(&admin), None).await;
        assert_eq!(step.status, StatusCode::OK);
        for (column, field) in [("col0", "external_id"), ("col3", "email"), ("col5", "custom"), ("col6", "converted")] {
            assert_eq!(selected_option(&step.body, column), field, "{}: {column}", db.name);
        }
        let rejects = &step.body[step.body.find("id=\"rejects\"").expect("rejects")..];
        assert!(rejects.contains("not-an-email") && rejects.contains("perhaps"), "{rejects}");
        assert!(rejects.contains("(2 / 4 rows checked)"), "{rejects}");
        // Hostile cells are text.
        assert!(step.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !step.body.contains("<script>alert"));
        assert!(step.body.contains("=HYPERLINK(&quot;http://evil.example&quot;)"), "a formula cell is shown as text");
        assert_eq!(app.lead_count().await, 0, "{}: the mapping step writes nothing", db.name);

        // A changed mapping, checked again: still nothing written.
        let res = post_form(
            &app,
            &location,
            &format!("sift_session={admin}"),
            &[("csrf_token", &csrf), ("col5", "employees"), ("action", "check")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        let checked = res.text().await.expect("page");
        assert_eq!(selected_option(&checked, "col5"), "employees");
        let res = post_form(
            &app,
            &location,
            &format!("sift_session={admin}"),
            &[("csrf_token", &csrf), ("col5", "salary"), ("action", "import")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.expect("page").contains("id=\"col5_error\""), "the error at its column");
        let res = post_form(
            &app,
            &location,
            &format!("sift_session={admin}"),
            &[("csrf_token", "forged"), ("col5", "employees"), ("action", "import")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.lead_count().await, 0, "{}: nothing written before the import is confirmed", db.name);

        // Confirmed: the import runs as a job; its page shows progress, then the summary.
        let res = post_form(
            &app,
            &location,
            &format!("sift_session={admin}"),
            &[("csrf_token", &csrf), ("col5", "employees"), ("action", "import")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", db.name);
        let job_page = header(&res, LOCATION);
        assert!(job_page.starts_with("/imports/jobs/"), "{job_page}");
        let started = std::time::Instant::now();
        let summary = loop {
            let page = get(&app, &job_page, Some(&admin), None).await;
            assert_eq!(page.status, StatusCode::OK);
            if page.body.contains("id=\"summary\"") {
                break page.body;
            }
            assert!(page.body.contains("hx-trigger=\"every 1s\"") && page.body.contains("Refresh"), "{}", page.body);
            assert!(started.elapsed() < std::time::Duration::from_secs(60), "the import did not finish");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        for (key, count) in [("inserted", 2), ("rejected", 2), ("rows", 4), ("matched_by_content", 0)] {
            assert!(
                summary.contains(&format!("data-count=\"{key}\">{count}<")),
                "{}: {key} {count} in {summary}",
                db.name
            );
        }
        let fragment = get(&app, &format!("{job_page}/progress"), Some(&admin), None).await;
        assert!(
            fragment.body.starts_with("<div id=\"job\"") && !fragment.body.contains("hx-trigger"),
            "{}",
            fragment.body
        );
        assert_eq!(app.lead_count().await, 2);
        // The changed mapping was honoured.
        let leads: Value = app
            .send(Method::GET, "/api/v1/leads?q=lovelace", Auth::Token(&app.admin_token), None)
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(leads["items"][0]["employees"], 120, "{}: {leads}", db.name);
        assert!(leads["items"][0]["custom_fields"].get("Firma Size").is_none(), "{leads}");
        // The rejects download, with the session.
        let marker = "id=\"rejects-file\" href=\"";
        let start = summary.find(marker).expect("the rejects link") + marker.len();
        let href = summary[start..].split('"').next().expect("href").to_owned();
        let res =
            browser().get(app.url(&href)).header(COOKIE, format!("sift_session={admin}")).send().await.expect("sent");
        assert_eq!(res.status(), StatusCode::OK, "{href}");
        let text = res.text().await.expect("csv");
        assert!(text.contains("invalid_email") && text.contains("invalid_outcome"), "{text}");
        // Another manager's job is not found.
        app.user("other_boss", "manager", None, "write").await;
        let other = sign_in_with_form(&app, "other_boss", PASSWORD).await;
        assert_eq!(get(&app, &job_page, Some(&other), None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(get(&app, &location, Some(&other), None).await.status, StatusCode::NOT_FOUND);
        app.running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_waiting_for_a_worker_shows_its_progress_polled_and_a_refresh_link_in_both_languages() {
    for db in databases("web_import_waiting").await {
        // No job workers: the import stays queued.
        let app = spawn(&db).await;
        let admin = sign_in_with_form(&app, "admin", PASSWORD).await;
        let csrf = form_token(&get(&app, "/imports/new", Some(&admin), None).await.body);
        let (status, location) = post_multipart(
            &app,
            "/imports/new",
            &admin,
            &[("csrf_token", None, &csrf), ("file", Some("crm.csv"), CRM_EXPORT)],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{}: {location}", db.name);
        let res = post_form(
            &app,
            &location,
            &format!("sift_session={admin}"),
            &[("csrf_token", &csrf), ("action", "import")],
        )
        .await;
        let job_page = header(&res, LOCATION);
        let page = get(&app, &job_page, Some(&admin), None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", db.name);
        for text in [
            "Waiting to start",
            "<progress id=\"job-progress\"",
            &format!("hx-get=\"{job_page}/progress\""),
            "hx-trigger=\"every 1s\"",
            &format!("<a href=\"{job_page}\">Refresh</a>"),
        ] {
            assert!(page.body.contains(text), "{}: {text:?} in {}", db.name, page.body);
        }
        let fragment = get(&app, &format!("{job_page}/progress"), Some(&admin), None).await;
        assert!(fragment.body.starts_with("<div id=\"job\"") && fragment.body.contains("every 1s"));
        assert!(!fragment.body.contains("<html"), "a fragment, not a page");
        let zh = get(&app, &job_page, Some(&admin), Some("zh-CN")).await;
        assert!(zh.body.contains("等待开始") && zh.body.contains("刷新"), "{}", zh.body);
        let board = get(&app, "/board", Some(&admin), Some("zh-CN")).await;
        assert!(board.body.contains("<h1>看板</h1>") && board.body.contains("把选中的线索分配给"), "{}", board.body);
        let mapping = get(&app, &location, Some(&admin), Some("zh-CN")).await;
        assert!(mapping.body.contains("核对各列") && mapping.body.contains("保留为自定义字段"));
        assert_eq!(app.lead_count().await, 0, "nothing imported while no worker runs");
        app.running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_board_column_shows_its_best_fifty_and_links_to_the_rest() {
    for db in databases("web_board_pages").await {
        let app = spawn(&db).await;
        let items: Vec<Value> = (0..57)
            .map(|n| json!({"external_id": format!("P{n}"), "first_name": format!("Pql{n:02}"), "company": "Paged Co"}))
            .collect();
        let res = app.send(Method::POST, "/api/v1/leads/bulk", Auth::Token(&app.admin_token), Some(json!(items))).await;
        assert_eq!(res.status(), StatusCode::MULTI_STATUS, "{}", db.name);
        // Scores 1..57 by external id number; one lead elsewhere.
        execute(
            &db,
            "UPDATE leads SET stage = 'pql', score = CAST(substr(external_id, 2) AS INTEGER) + 1, \
             score_probability = 0.5, score_model = 1, scored_at = '2026-12-01T00:00:00Z'",
        )
        .await;
        let admin = sign_in_with_form(&app, "admin", PASSWORD).await;
        let board = get(&app, "/board", Some(&admin), None).await;
        let column = &board.body[board.body.find("id=\"stage-pql\"").expect("the PQL column")..];
        let column = &column[..column.find("</section>").expect("column end")];
        assert_eq!(column.matches("<li class=\"card\"").count(), 50, "{}", db.name);
        assert!(column.contains("Pql56") && !column.contains("Pql06<"), "the best-scored first");
        let order: Vec<u32> =
            column.split(">Pql").skip(1).filter_map(|s| s.get(..2).and_then(|n| n.parse().ok())).collect();
        assert_eq!(order, (7..57).rev().collect::<Vec<u32>>(), "{}: in score order", db.name);
        assert_eq!(column_count(&board.body, "pql").as_deref(), Some("57 leads · 50 shown"), "{}", db.name);
        assert_eq!(column_count(&board.body, "mql").as_deref(), Some("0 leads"), "{}", db.name);
        let start = column.find("<p><a href=\"").expect("the more link") + 12;
        let more = unescape(column[start..].split('"').next().expect("href"));
        assert!(more.starts_with("/board?stage=pql&cursor="), "{more}");
        let rest = get(&app, &more, Some(&admin), None).await;
        assert_eq!(rest.status, StatusCode::OK, "{more}");
        assert_eq!(rest.body.matches("<li class=\"card\"").count(), 7, "{}", db.name);
        assert_eq!(column_count(&rest.body, "pql").as_deref(), Some("57 leads · 7 shown"), "the second page");
        for n in 0..7 {
            assert!(rest.body.contains(&format!(">Pql{n:02}<")), "Pql{n:02} on the second page");
        }
        assert!(!rest.body.contains("id=\"stage-mql\"") && !rest.body.contains("More in this stage"));
        app.running.shutdown().await.expect("clean shutdown");
    }
}

/// The secret shown on the page that answered a token's creation.
fn shown_secret(body: &str) -> Option<String> {
    let at = body.find("id=\"secret\"")?;
    let start = body[at..].find("value=\"")? + at + 7;
    body[start..].split('"').next().map(str::to_owned)
}

/// The API's answer to listing one's leads with a token.
async fn api_status_with(app: &App, secret: &str) -> StatusCode {
    app.send(Method::GET, "/api/v1/leads", Auth::Token(secret), None).await.status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_page_creates_a_token_shown_once_that_works_on_the_api_until_revoked() {
    for db in databases("web_account").await {
        let app = spawn(&db).await;
        app.user("rep1", "rep", None, "read").await;
        let session = sign_in_with_form(&app, "rep1", PASSWORD).await;
        let cookies = format!("sift_session={session}");
        let page = get(&app, "/account", Some(&session), None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", db.name);
        assert!(page.body.contains("rep1") && page.body.contains("Rep"), "{}", page.body);
        assert!(page.body.contains("href=\"/password\""));
        assert!(page.body.contains("rep1-read"), "the token made through the API is listed");
        // A rep is offered read and write, never admin.
        assert!(page.body.contains("value=\"write\"") && !page.body.contains("value=\"admin\""), "{}", page.body);
        let csrf = form_token(&page.body);

        // Without the session's CSRF token nothing is created.
        let res = post_form(
            &app,
            "/account/tokens",
            &cookies,
            &[("csrf_token", "forged"), ("name", "forged"), ("scope", "read")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(!get(&app, "/account", Some(&session), None).await.body.contains("forged"));
        // A scope beyond the role is refused at its field, and nothing is created.
        let res = post_form(
            &app,
            "/account/tokens",
            &cookies,
            &[("csrf_token", &csrf), ("name", "too-mighty"), ("scope", "admin")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", db.name);
        let body = res.text().await.expect("page");
        assert!(body.contains("id=\"token_scope_error\"") && body.contains("only an admin"), "{body}");
        assert!(shown_secret(&body).is_none());
        let res =
            post_form(&app, "/account/tokens", &cookies, &[("csrf_token", &csrf), ("name", "  "), ("scope", "read")])
                .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.expect("page").contains("id=\"token_name_error\""));
        let listed = app.send(Method::GET, "/api/v1/tokens", Auth::Session(&session, &csrf), None).await;
        let listed: Value = listed.json().await.expect("json");
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");

        // Created: the secret is on this answer, works on the API, and is on no later page.
        let res = post_form(
            &app,
            "/account/tokens",
            &cookies,
            &[("csrf_token", &csrf), ("name", HOSTILE_SCRIPT), ("scope", "write")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED, "{}", db.name);
        let body = res.text().await.expect("page");
        let secret = shown_secret(&body).expect("the secret is shown");
        assert!(secret.starts_with("sift_") && secret.len() > 20, "{secret}");
        assert!(body.contains("shown this once") && body.contains("hx-history=\"false\""));
        assert!(!body.contains(HOSTILE_SCRIPT) && body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert_eq!(api_status_with(&app, &secret).await, StatusCode::OK);
        let back = get(&app, "/account/tokens", Some(&session), None).await;
        assert_eq!((back.status, back.location.as_str()), (StatusCode::SEE_OTHER, "/account"));
        assert!(!back.body.contains(&secret));
        let again = get(&app, "/account", Some(&session), None).await;
        assert!(!again.body.contains(&secret) && shown_secret(&again.body).is_none(), "shown once only");
        assert!(!again.body.contains(HOSTILE_SCRIPT) && again.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        let audit = app.send(Method::GET, "/api/v1/audit?limit=500", Auth::Token(&app.admin_token), None).await;
        let audit = audit.text().await.expect("audit");
        assert!(audit.contains("token.created") && !audit.contains(&secret), "the audit log never holds the secret");

        // Revoking needs the CSRF token, and then the API refuses the secret.
        let listed = app.send(Method::GET, "/api/v1/tokens", Auth::Session(&session, &csrf), None).await;
        let listed: Value = listed.json().await.expect("json");
        let id = listed
            .as_array()
            .and_then(|a| a.iter().find(|t| t["name"] == HOSTILE_SCRIPT))
            .and_then(|t| t["id"].as_i64())
            .expect("the new token is listed");
        let path = format!("/account/tokens/{id}/revoke");
        let res = post_form(&app, &path, &cookies, &[("csrf_token", "forged")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(api_status_with(&app, &secret).await, StatusCode::OK, "still live");
        let res = post_form(&app, &path, &cookies, &[("csrf_token", &csrf)]).await;
        assert_eq!((res.status(), header(&res, LOCATION)), (StatusCode::SEE_OTHER, "/account?revoked=1".to_owned()));
        assert_eq!(api_status_with(&app, &secret).await, StatusCode::UNAUTHORIZED);
        let after = get(&app, "/account?revoked=1", Some(&session), None).await;
        assert!(after.body.contains("it no longer works") && after.body.contains("Revoked"), "{}", after.body);
        // Another user's token, or one already revoked, cannot be revoked from here.
        let res = post_form(&app, &path, &cookies, &[("csrf_token", &csrf)]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let admin = sign_in_with_form(&app, "admin", PASSWORD).await;
        let admin_page = get(&app, "/account", Some(&admin), None).await;
        assert!(admin_page.body.contains("value=\"admin\""), "an admin may give the admin scope");
        let res = post_form(
            &app,
            &format!("/account/tokens/{}/revoke", id - 1),
            &format!("sift_session={admin}"),
            &[("csrf_token", &form_token(&admin_page.body))],
        )
        .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "rep1's first token is not the admin's");
        app.running.shutdown().await.expect("clean shutdown");
    }
}

/// The account page's row of the token named `name`: its cells' text, tags removed.
fn token_row(body: &str, name: &str) -> Option<String> {
    let rows = body.split("<tr data-token=").skip(1);
    let row =
        rows.map(|r| &r[..r.find("</tr>").unwrap_or(r.len())]).find(|r| r.contains(&format!("<td>{name}</td>")))?;
    let mut text = String::new();
    let mut in_tag = false;
    for c in row.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_expires_when_its_creator_chose_and_is_then_refused_with_401() {
    for db in databases("web_token_expiry").await {
        let app = spawn(&db).await;
        app.user("rep1", "rep", None, "read").await;
        let session = sign_in_with_form(&app, "rep1", PASSWORD).await;
        let cookies = format!("sift_session={session}");
        let page = get(&app, "/account", Some(&session), None).await;
        // The form offers 30 to 365 days and never, 90 days chosen unless the user picks.
        assert!(page.body.contains("<label for=\"token_expiry\">Expires after</label>"), "{}", page.body);
        assert!(page.body.contains("<option value=\"90\" selected>90 days</option>"), "{}", page.body);
        assert!(page.body.contains("<option value=\"never\">Never</option>"), "{}", page.body);
        let csrf = form_token(&page.body);
        let create = |name: &'static str, expiry: &'static str| {
            let (app, cookies, csrf) = (&app, &cookies, &csrf);
            async move {
                let mut form = vec![("csrf_token", csrf.as_str()), ("name", name), ("scope", "read")];
                if !expiry.is_empty() {
                    form.push(("expires_in_days", expiry));
                }
                post_form(app, "/account/tokens", cookies, &form).await
            }
        };
        // A bad expiry is refused at its field, with what was typed kept; nothing is created.
        for (bad, says) in [("soon", "not a number of days"), ("0", "out of range"), ("4000", "out of range")] {
            let res = create("bad-expiry", bad).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}: {bad}", db.name);
            let body = res.text().await.expect("page");
            assert!(body.contains("id=\"token_expiry_error\"") && body.contains(says), "{bad}: {body}");
            assert!(body.contains("value=\"bad-expiry\""), "the name typed is kept");
            assert!(shown_secret(&body).is_none());
        }
        // The default, 90 days; 30 days; never.
        let before = chrono::Utc::now();
        let mut secrets = Vec::new();
        for (name, expiry) in [("default", ""), ("month", "30"), ("forever", "never")] {
            let res = create(name, expiry).await;
            assert_eq!(res.status(), StatusCode::CREATED, "{}: {name}", db.name);
            secrets.push(shown_secret(&res.text().await.expect("page")).expect("secret"));
        }
        let listed: Value = app
            .send(Method::GET, "/api/v1/tokens", Auth::Session(&session, &csrf), None)
            .await
            .json()
            .await
            .expect("json");
        let expires = |name: &str| {
            let t = listed.as_array().and_then(|a| a.iter().find(|t| t["name"] == name)).expect(name);
            t["expires_at"].as_str().map(|at| {
                let at = chrono::DateTime::parse_from_rfc3339(at).expect("rfc 3339").with_timezone(&chrono::Utc);
                (at - before).num_days()
            })
        };
        assert!(!listed.to_string().contains("bad-expiry"), "refused, so not created: {listed}");
        assert_eq!((expires("default"), expires("month"), expires("forever")), (Some(90), Some(30), None), "{listed}");
        for secret in &secrets {
            assert_eq!(api_status_with(&app, secret).await, StatusCode::OK);
        }
        let page = get(&app, "/account", Some(&session), None).await;
        let in_90 = (before + chrono::Duration::days(90)).format("%Y-%m-%d").to_string();
        let row = token_row(&page.body, "default").expect("the default token's row");
        assert!(row.contains(&in_90) && row.contains("Live"), "{row}");
        let row = token_row(&page.body, "forever").expect("the forever token's row");
        assert!(row.contains("Never Live"), "never used, never expires: {row}");

        // Its time comes: the API refuses it with 401 and says so; the page marks it.
        execute(&db, "UPDATE api_tokens SET expires_at = '2026-01-02T03:04:05.000Z' WHERE name = 'month'").await;
        let res = app.send(Method::GET, "/api/v1/leads", Auth::Token(&secrets[1]), None).await;
        assert!(res.headers().contains_key("www-authenticate"));
        let problem = common::assert_problem(res, StatusCode::UNAUTHORIZED, "token-expired").await;
        let detail = problem["detail"].as_str().expect("detail");
        assert!(detail.contains("`month`") && detail.contains("expired at 2026-01-02T03:04:05.000Z"), "{detail}");
        assert!(!detail.contains(&secrets[1]), "the secret is never echoed");
        assert_eq!(api_status_with(&app, &secrets[0]).await, StatusCode::OK, "the others still work");
        assert_eq!(api_status_with(&app, &secrets[2]).await, StatusCode::OK);
        let row = token_row(&get(&app, "/account", Some(&session), None).await.body, "month").expect("row");
        assert!(row.contains("2026-01-02 03:04") && row.contains("Expired") && !row.contains("Revoke"), "{row}");
        let zh = get(&app, "/account", Some(&session), Some("zh-CN")).await;
        assert!(zh.body.contains("已过期") && zh.body.contains("永不过期") && zh.body.contains("90 天"), "{}", zh.body);

        // The API: a number of days or a time, checked; neither is a token that never expires.
        let api = |body: Value| {
            let (app, session, csrf) = (&app, &session, &csrf);
            async move { app.send(Method::POST, "/api/v1/tokens", Auth::Session(session, csrf), Some(body)).await }
        };
        let res = api(json!({"name": "week", "scope": "read", "expires_in_days": 7})).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{}", db.name);
        let made: Value = res.json().await.expect("json");
        let at = made["token"]["expires_at"].as_str().expect("expires_at");
        let at = chrono::DateTime::parse_from_rfc3339(at).expect("time").with_timezone(&chrono::Utc);
        assert_eq!((at - before).num_days(), 7, "{made}");
        let res = api(json!({"name": "day", "scope": "read", "expires_at": "2099-03-01"})).await;
        let made: Value = res.json().await.expect("json");
        assert_eq!(made["token"]["expires_at"], "2099-03-01T00:00:00.000Z", "{made}");
        let res = api(json!({"name": "plain", "scope": "read"})).await;
        let made: Value = res.json().await.expect("json");
        assert!(made["token"]["expires_at"].is_null(), "{made}");
        for (body, field) in [
            (json!({"name": "past", "scope": "read", "expires_at": "2020-01-01T00:00:00Z"}), "expires_at"),
            (json!({"name": "both", "scope": "read", "expires_at": "2099-01-01", "expires_in_days": 3}), "expires_at"),
            (json!({"name": "word", "scope": "read", "expires_at": "tomorrow"}), "expires_at"),
            (json!({"name": "long", "scope": "read", "expires_in_days": 100000}), "expires_in_days"),
        ] {
            let problem =
                common::assert_problem(api(body.clone()).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
            assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
        }
        app.running.shutdown().await.expect("clean shutdown");
    }
}

/// Where a nurture row of lead `id` sits on the page, and whether it is marked due.
fn nurture_row(body: &str, id: i64) -> Option<(usize, bool)> {
    let at = body.find(&format!("<tr data-lead=\"{id}\""))?;
    let tag = &body[at..at + body[at..].find('>')?];
    Some((at, tag.contains("class=\"due\"")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nurture_lists_due_leads_first_and_a_pull_back_needs_a_reason_and_the_right_to_move() {
    for db in databases("web_nurture").await {
        let app = spawn(&db).await;
        let team = team(&app, &db).await;
        let t = &app.admin_token;
        let rep1_id = owner_of(&app, team.due).await.expect("rep1 owns the due lead");
        let later = app.create_lead(t, json!({"first_name": "Lena", "last_name": "Later", "owner_id": rep1_id})).await;
        let later = later["id"].as_i64().expect("id");
        let earliest =
            app.create_lead(t, json!({"first_name": "Ed", "last_name": "Earliest", "owner_id": rep1_id})).await;
        let earliest = earliest["id"].as_i64().expect("id");
        for (id, day) in [(later, "2099-05-01"), (earliest, "2019-03-03"), (team.others, "2019-01-01")] {
            execute(&db, &format!("UPDATE leads SET stage = 'nurture', re_engage_on = '{day}' WHERE id = {id}")).await;
        }

        // rep1 sees their three, by date, the two whose date has come marked; not rep2's.
        let page = get(&app, "/nurture", Some(&team.rep1), None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", db.name);
        let rows: Vec<(usize, bool)> = [earliest, team.due, later]
            .iter()
            .map(|id| nurture_row(&page.body, *id).unwrap_or_else(|| panic!("lead {id} listed: {}", page.body)))
            .collect();
        assert!(rows[0].0 < rows[1].0 && rows[1].0 < rows[2].0, "ordered by re-engage date: {rows:?}");
        assert_eq!(rows.iter().map(|r| r.1).collect::<Vec<_>>(), [true, true, false], "due ones marked");
        assert!(nurture_row(&page.body, team.others).is_none(), "another rep's lead is not shown");
        assert!(page.body.contains("2019-03-03") && page.body.contains("2099-05-01"));
        let csrf = form_token(&page.body);
        let rep1 = format!("sift_session={}", team.rep1);
        let path = format!("/nurture/{later}/pull-back");

        // CSRF first; then a missing reason is shown at that lead's field and changes nothing.
        let res = post_form(&app, &path, &rep1, &[("csrf_token", "forged"), ("reason", "budget freed up")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = post_form(&app, &path, &rep1, &[("csrf_token", &csrf), ("reason", "  ")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", db.name);
        let body = res.text().await.expect("page");
        assert!(body.contains(&format!("id=\"reason-{later}-error\"")) && body.contains("needs a reason"), "{body}");
        assert_eq!(stage_of(&app, later).await, "nurture");

        // rep2 may not pull back rep1's lead (it is not theirs to see), nor rep1 rep2's.
        let page2 = get(&app, "/nurture", Some(&team.rep2), None).await;
        assert!(nurture_row(&page2.body, team.others).is_some() && nurture_row(&page2.body, later).is_none());
        let rep2 = format!("sift_session={}", team.rep2);
        let res =
            post_form(&app, &path, &rep2, &[("csrf_token", &form_token(&page2.body)), ("reason", "mine now")]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = post_form(
            &app,
            &format!("/nurture/{}/pull-back", team.others),
            &rep1,
            &[("csrf_token", &csrf), ("reason", HOSTILE_SCRIPT)],
        )
        .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(stage_of(&app, later).await, "nurture");
        assert_eq!(stage_of(&app, team.others).await, "nurture");

        // With a reason: back to MQL, gone from the list, the reason on the lead's history.
        let res = post_form(&app, &path, &rep1, &[("csrf_token", &csrf), ("reason", HOSTILE_SCRIPT)]).await;
        assert_eq!(
            (res.status(), header(&res, LOCATION)),
            (StatusCode::SEE_OTHER, format!("/nurture?pulled={later}")),
            "{}",
            db.name
        );
        assert_eq!(stage_of(&app, later).await, "mql");
        let after = get(&app, &format!("/nurture?pulled={later}"), Some(&team.rep1), None).await;
        assert!(after.body.contains("The lead is back in MQL.") && nurture_row(&after.body, later).is_none());
        let lead = get(&app, &format!("/leads/{later}"), Some(&team.rep1), None).await;
        assert!(!lead.body.contains(HOSTILE_SCRIPT) && lead.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        // Not in nurture any more: pulling it back again is refused and says why.
        let res = post_form(&app, &path, &rep1, &[("csrf_token", &csrf), ("reason", "again")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.expect("page").contains("only a nurtured lead is pulled back"));
        assert_eq!(stage_of(&app, later).await, "mql");
        app.running.shutdown().await.expect("clean shutdown");
    }
}

/// The cells (`td`) of the row headed `header` in the element with id `section`.
fn report_row(body: &str, section: &str, header: &str) -> Option<Vec<String>> {
    let start = body.find(&format!("id=\"{section}\""))?;
    let rest = &body[start..];
    let end = rest[1..].find("<section").map_or(rest.len(), |e| e + 1);
    let part = &rest[..end];
    let at = part.find(&format!(">{header}</th>"))?;
    let row = &part[at..];
    let row = &row[..row.find("</tr>")?];
    Some(
        row.split("<td")
            .skip(1)
            .map(|cell| {
                let inner = &cell[cell.find('>').map_or(0, |i| i + 1)..];
                inner[..inner.find("</td>").unwrap_or(inner.len())].to_owned()
            })
            .collect(),
    )
}

/// The first value under `key` anywhere in `value`.
fn find_key<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) => {
            map.get(key).filter(|v| !v.is_null()).or_else(|| map.values().find_map(|v| find_key(v, key)))
        }
        Value::Array(items) => items.iter().find_map(|v| find_key(v, key)),
        _ => None,
    }
}

/// Qualifies a lead through the API under BANT (need, budget, authority, timeline).
async fn qualify_bant(app: &App, id: i64, [need, budget, authority, timeline]: [&str; 4]) -> Value {
    let answers = json!({"answers": {"framework": "bant", "criteria": {
        "need": {"status": need}, "budget": {"status": budget},
        "authority": {"status": authority}, "timeline": {"status": timeline, "date": "2027-01-15"}
    }}, "as_of": "2026-11-26"});
    let res = app
        .send(Method::POST, &format!("/api/v1/leads/{id}/qualify"), Auth::Token(&app.admin_token), Some(answers))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", app.db_name);
    res.json().await.expect("json")
}

async fn move_to(app: &App, id: i64, to: &str, reason: &str) {
    let res = app
        .send(
            Method::POST,
            &format!("/api/v1/leads/{id}/stage"),
            Auth::Token(&app.admin_token),
            Some(json!({"to": to, "reason": reason})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}: lead {id} to {to}", app.db_name);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reports_count_the_funnel_disqualifications_and_verdicts_exactly_for_who_may_see_them() {
    for db in databases("web_reports").await {
        let app = spawn(&db).await;
        let (rep_a, _) = app.user("rep_a", "rep", Some("north"), "write").await;
        let (rep_b, _) = app.user("rep_b", "rep", Some("north"), "write").await;
        app.user("boss", "manager", Some("north"), "write").await;
        app.user("watcher", "viewer", None, "read").await;
        let (app_ref, t) = (&app, &app.admin_token);
        let lead = |v: Value| async move { app_ref.create_lead(t, v).await["id"].as_i64().expect("id") };
        // Won: webinar, playbook pb-one, rep_a.
        let won = lead(json!({"company": "Won Co", "source": "webinar", "owner_id": rep_a})).await;
        for (to, why) in [("mql", "engaged"), ("sql", "qualified"), ("opportunity", "deal"), ("customer", "signed")] {
            move_to(&app, won, to, why).await;
        }
        // Nurtured by a decision, back at SQL, then disqualified by hand with a hostile reason.
        let lost = lead(json!({"company": "Lost Co", "source": "webinar", "owner_id": rep_a})).await;
        let nurtured = qualify_bant(&app, lost, ["confirmed", "negative", "confirmed", "confirmed"]).await;
        assert_eq!(stage_of(&app, lost).await, "nurture", "{nurtured}");
        move_to(&app, lost, "sql", "came back").await;
        move_to(&app, lost, "disqualified", HOSTILE_SCRIPT).await;
        // A hostile source, needs info, then MQL and nurture.
        let odd = lead(json!({"company": "Odd Co", "source": HOSTILE_SCRIPT, "owner_id": rep_b})).await;
        qualify_bant(&app, odd, ["unknown", "unknown", "unknown", "unknown"]).await;
        move_to(&app, odd, "mql", "engaged").await;
        move_to(&app, odd, "nurture", "later").await;
        // Disqualified by a decision (the authority said no), created long ago.
        let refused = lead(json!({"company": "Refused Co", "source": "ads", "owner_id": rep_b})).await;
        let decision = qualify_bant(&app, refused, ["confirmed", "confirmed", "negative", "confirmed"]).await;
        assert_eq!(stage_of(&app, refused).await, "disqualified", "{decision}");
        let level = find_key(&decision, "failed_level").and_then(Value::as_str).expect("a failed level").to_owned();
        // Qualified, no source, unassigned, playbook pb-one.
        let good = lead(json!({"company": "Good Co"})).await;
        qualify_bant(&app, good, ["confirmed", "confirmed", "confirmed", "confirmed"]).await;
        assert_eq!(stage_of(&app, good).await, "sql");
        execute(&db, &format!("UPDATE leads SET playbook = 'pb-one' WHERE id IN ({won}, {good})")).await;
        execute(&db, &format!("UPDATE leads SET created_at = '2026-01-05T10:00:00.000Z' WHERE id = {refused}")).await;

        let boss = sign_in_with_form(&app, "boss", PASSWORD).await;
        let page = get(&app, "/reports", Some(&boss), None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", db.name);
        let body = &page.body;
        assert!(body.contains("<a href=\"/reports\" aria-current=\"page\">Reports</a>"), "{}", db.name);
        // The overall funnel: 5 leads, 4 reached MQL, 3 SQL, 1 opportunity, 1 won.
        for (step, want) in [
            ("MQL", ["4", "80.0%"]),
            ("SQL", ["3", "75.0%"]),
            ("Opportunity", ["1", "33.3%"]),
            ("Won", ["1", "100.0%"]),
        ] {
            assert_eq!(report_row(body, "funnel", step), Some(want.map(str::to_owned).to_vec()), "{}: {step}", db.name);
        }
        assert!(body.contains("class=\"funnel-bar\""), "the chart");
        let hostile = "&lt;script&gt;alert(1)&lt;/script&gt;";
        for (section, group, want) in [
            ("by-source", "webinar", ["2", "2", "100.0%", "2", "100.0%", "1", "50.0%", "1", "100.0%"]),
            ("by-source", hostile, ["1", "1", "100.0%", "0", "0.0%", "0", "–", "0", "–"]),
            ("by-source", "ads", ["1", "0", "0.0%", "0", "–", "0", "–", "0", "–"]),
            ("by-source", "No source", ["1", "1", "100.0%", "1", "100.0%", "0", "0.0%", "0", "–"]),
            ("by-playbook", "pb-one", ["2", "2", "100.0%", "2", "100.0%", "1", "50.0%", "1", "100.0%"]),
            ("by-playbook", "No playbook", ["3", "2", "66.7%", "1", "50.0%", "0", "0.0%", "0", "–"]),
        ] {
            let want: Vec<String> = want.map(str::to_owned).to_vec();
            assert_eq!(report_row(body, section, group), Some(want), "{}: {section} {group}", db.name);
        }
        assert!(!body.contains(HOSTILE_SCRIPT), "{}: hostile strings render as text", db.name);
        // The week of creation: the lead created in January is out of the last 12 weeks.
        let week = &body[body.find("id=\"by-week\"").expect("weeks")..];
        let week = &week[..week.find("</section>").expect("end")];
        assert_eq!(week.matches("<th scope=\"row\">").count(), 1, "{}: {week}", db.name);
        // Disqualifications by level: the decision's level and the move by hand, each 1.
        let by_level = |body: &str, level: &str| -> String {
            let at = body.find(&format!("data-level=\"{level}\"")).unwrap_or_else(|| panic!("{level} in {body}"));
            body[at..body[at..].find("</tbody>").map_or(body.len(), |e| at + e)].to_owned()
        };
        assert!(by_level(body, &level).contains("<td class=\"num\">1</td>"), "{}", db.name);
        let by_hand = by_level(body, "none");
        assert!(by_hand.contains("No decision (moved by hand or imported)") && by_hand.contains(hostile), "{by_hand}");
        // Verdicts per rep: qualified, nurture, disqualified, needs info.
        assert_eq!(report_row(body, "verdicts", "rep_a"), Some(vec!["0".into(), "1".into(), "0".into(), "0".into()]));
        assert_eq!(report_row(body, "verdicts", "rep_b"), Some(vec!["0".into(), "0".into(), "1".into(), "1".into()]));
        assert_eq!(
            report_row(body, "verdicts", "Unassigned"),
            Some(vec!["1".into(), "0".into(), "0".into(), "0".into()])
        );

        // Filters in the URL: a playbook, a range of creation days.
        let pb = get(&app, "/reports?playbook=pb-one", Some(&boss), None).await;
        assert_eq!(report_row(&pb.body, "funnel", "MQL"), Some(vec!["2".into(), "100.0%".into()]), "{}", db.name);
        assert!(pb.body.contains("<option value=\"pb-one\" selected>") || pb.body.contains("pb-one"));
        let recent = get(&app, "/reports?from=2026-06-01&to=&playbook=", Some(&boss), None).await;
        assert!(report_row(&recent.body, "by-source", "ads").is_none(), "{}", db.name);
        assert_eq!(report_row(&recent.body, "funnel", "MQL"), Some(vec!["4".into(), "100.0%".into()]));
        let january = get(&app, "/reports?from=2026-01-01&to=2026-01-05", Some(&boss), None).await;
        assert_eq!(report_row(&january.body, "by-source", "ads").map(|r| r[0].clone()).as_deref(), Some("1"));
        let none = get(&app, "/reports?to=2025-01-01", Some(&boss), None).await;
        assert!(none.body.contains("id=\"reports-empty\""), "{}: the empty state", db.name);
        let bad = get(&app, "/reports?from=yesterday", Some(&boss), None).await;
        assert!(bad.status.is_client_error(), "{}: {:?}", db.name, bad.status);

        // A rep sees the numbers of their own leads only; a viewer, everything (as in lists).
        let rep = sign_in_with_form(&app, "rep_a", PASSWORD).await;
        let mine = get(&app, "/reports", Some(&rep), None).await;
        assert_eq!(mine.status, StatusCode::OK);
        assert_eq!(report_row(&mine.body, "funnel", "MQL"), Some(vec!["2".into(), "100.0%".into()]), "{}", db.name);
        assert!(
            report_row(&mine.body, "verdicts", "rep_b").is_none()
                && report_row(&mine.body, "by-source", "ads").is_none()
        );
        let viewer = sign_in_with_form(&app, "watcher", PASSWORD).await;
        let all = get(&app, "/reports", Some(&viewer), None).await;
        assert_eq!(report_row(&all.body, "funnel", "MQL"), Some(vec!["4".into(), "80.0%".into()]), "{}", db.name);

        // Chinese words.
        let zh = get(&app, "/reports", Some(&boss), Some("zh-CN")).await;
        assert!(zh.body.contains("<h1>报表</h1>") && zh.body.contains("按来源的漏斗"), "{}", db.name);

        // Each level shows its leads and its five most frequent reasons, cut by the database.
        let mut reasons = vec!["alpha"; 3];
        reasons.extend(["beta"; 2]);
        reasons.extend(["c1", "c2", "c3", "c4", "c5"]);
        for (i, reason) in reasons.into_iter().enumerate() {
            let id = lead(json!({"company": format!("Bulk {i}"), "source": "bulk"})).await;
            move_to(&app, id, "disqualified", reason).await;
        }
        let page = get(&app, "/reports", Some(&boss), None).await;
        let by_hand = by_level(&page.body, "none");
        let cells: Vec<&str> = by_hand
            .split("<td")
            .skip(1)
            .map(|c| &c[c.find('>').expect("cell") + 1..c.find("</td>").expect("end")])
            .collect();
        assert_eq!(
            cells,
            ["11", "alpha", "3", "beta", "2", hostile, "1", "c1", "1", "c2", "1"],
            "{}: {by_hand}",
            db.name
        );
        app.running.shutdown().await.expect("clean shutdown");
    }
}

// ---- Settings (issue 10): configuration as TOML, users, webhooks; admins only. ----

/// The textarea's text on an editor page, unescaped.
fn editor_text(body: &str) -> String {
    let start = body.find("<textarea id=\"text\"").expect("the editor's textarea");
    let open = start + body[start..].find('>').expect("tag end") + 1;
    let close = open + body[open..].find("</textarea>").expect("textarea end");
    unescape(&body[open..close])
}

/// The value of the hidden field `name` of a page's form.
fn hidden(body: &str, name: &str) -> Option<String> {
    let at = body.find(&format!("name=\"{name}\" value=\""))? + name.len() + 15;
    body[at..].split('"').next().map(str::to_owned)
}

/// The first "Line L, column C" a problem list shows.
fn first_place(body: &str) -> Option<(usize, usize)> {
    let at = body.find("data-line=\"")? + 11;
    let line = body[at..].split('"').next()?.parse().ok()?;
    let at = body.find("data-column=\"")? + 13;
    let column = body[at..].split('"').next()?.parse().ok()?;
    Some((line, column))
}

/// Qualifies one lead (nothing stored) that fits everything but the ICP's territories.
async fn verdict_for_us_lead(app: &App) -> (String, String) {
    let answers = json!({"answers": {"framework": "bant",
        "lead": {"company": "Acme Freight", "industry": "Logistics", "employees": 4000, "country": "US", "contact_title": "VP Sales"},
        "criteria": {"budget": {"status": "confirmed"}, "authority": {"status": "confirmed"},
            "need": {"status": "confirmed"}, "timeline": {"status": "confirmed", "date": "2027-01-15"}}},
        "as_of": "2026-11-26"});
    let res = app.send(Method::POST, "/api/v1/qualify", Auth::Token(&app.admin_token), Some(answers)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.expect("json");
    let d = &v["decision"];
    (d["verdict"].as_str().unwrap_or("").to_owned(), d["failed_level"].as_str().unwrap_or("").to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_the_icp_is_checked_with_problems_at_their_line_saved_as_versions_and_a_stale_save_refused() {
    for db in databases("web_settings_icp").await {
        let app = spawn(&db).await;
        let name = db.name;
        let session = sign_in_with_form(&app, "admin", PASSWORD).await;
        let cookies = format!("sift_session={session}");
        let index = get(&app, "/settings", Some(&session), None).await;
        assert_eq!(index.status, StatusCode::OK, "{name}");
        assert!(index.body.contains("href=\"/settings\" aria-current=\"page\""), "the nav's Settings link");
        assert!(index.body.contains("Not set: organization fit is not checked."), "{}", index.body);
        let page = get(&app, "/settings/config/icp", Some(&session), None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<label for=\"text\">TOML text</label>"), "a labelled textarea");
        assert_eq!(hidden(&page.body, "version").as_deref(), Some("0"), "no version stored yet");
        assert!(page.body.contains("href=\"/settings/config/icp?from=example\""), "the empty state offers the example");
        let csrf = form_token(&page.body);
        assert_eq!(verdict_for_us_lead(&app).await.0, "qualified", "{name}: no ICP yet");

        // A syntax error: every problem with its line and column and the line quoted; the text
        // stays in the box and nothing is saved, by Check or by Save.
        let bad = "territories = [\"DE\", \"FR\"]\nemployees = { min = 50, max = }\n";
        let res = post_form(
            &app,
            "/settings/config/icp/check",
            &cookies,
            &[("csrf_token", &csrf), ("text", bad), ("version", "0")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let body = res.text().await.expect("page");
        let (line, column) = first_place(&body).expect("a located problem");
        assert_eq!(line, 2, "{body}");
        assert!(body.contains(&format!("Line 2, column {column}")), "{body}");
        assert!(body.contains("<pre class=\"quote\"><code>employees = { min = 50, max = }"), "the line quoted: {body}");
        assert!(body.contains("<span class=\"bad\">2</span>"), "the line number is marked");
        assert_eq!(editor_text(&body), bad, "the text is kept");
        // The same place as the API gives.
        let res = app
            .client
            .put(app.url("/api/v1/config/icp"))
            .bearer_auth(&app.admin_token)
            .header(CONTENT_TYPE, "text/plain")
            .body(bad)
            .send()
            .await
            .expect("sent");
        let problem: Value = res.json().await.expect("problem");
        assert_eq!(problem["errors"][0]["field"], format!("2:{column}"), "{name}: {problem}");
        // With htmx: only the problem list and the marked line numbers come back.
        let res = browser()
            .post(app.url("/settings/config/icp/check"))
            .header(COOKIE, &cookies)
            .header("hx-request", "true")
            .form(&[("csrf_token", csrf.as_str()), ("text", bad), ("version", "0")])
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), StatusCode::OK);
        let fragment = res.text().await.expect("fragment");
        assert!(fragment.contains("Line 2, column") && !fragment.contains("<html"), "{fragment}");
        assert!(fragment.contains("id=\"gutter\"") && fragment.contains("hx-swap-oob=\"true\""), "{fragment}");
        let res = post_form(
            &app,
            "/settings/config/icp",
            &cookies,
            &[("csrf_token", &csrf), ("text", bad), ("version", "0"), ("action", "save")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.expect("page");
        assert!(body.contains("1 problem; nothing was saved"), "{body}");
        assert_eq!(editor_text(&body), bad);
        let res = app.send(Method::GET, "/api/v1/config/icp", Auth::Token(&app.admin_token), None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{name}: nothing stored");
        // Without the session's token nothing is saved either.
        let good = "territories = [\"DE\", \"FR\"]\n";
        let res = post_form(
            &app,
            "/settings/config/icp",
            &cookies,
            &[("csrf_token", "forged"), ("text", good), ("version", "0")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        // A version that is not a number is a 400 page naming the field.
        let res = post_form(
            &app,
            "/settings/config/icp",
            &cookies,
            &[("csrf_token", &csrf), ("text", good), ("version", "x")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.text().await.expect("page").contains("version"));

        // A valid save (CRLF as browsers send it): version 1, and the next qualification uses it.
        let res = post_form(
            &app,
            "/settings/config/icp",
            &cookies,
            &[
                ("csrf_token", &csrf),
                ("text", "territories = [\"DE\", \"FR\"]\r\n"),
                ("version", "0"),
                ("action", "save"),
            ],
        )
        .await;
        assert_eq!(
            (res.status(), header(&res, LOCATION)),
            (StatusCode::SEE_OTHER, "/settings/config/icp?saved=1".to_owned())
        );
        let page = get(&app, "/settings/config/icp?saved=1", Some(&session), None).await;
        assert!(page.body.contains("Saved as version 1."), "{}", page.body);
        assert_eq!(hidden(&page.body, "version").as_deref(), Some("1"));
        assert_eq!(editor_text(&page.body), good, "stored with the browser's CRLF made LF");
        assert_eq!(verdict_for_us_lead(&app).await, ("disqualified".to_owned(), "organization".to_owned()), "{name}");

        // Someone else saves version 2 through the API; a save based on version 1 is refused,
        // the user's text kept beside theirs; saving over theirs is a choice.
        let res = app
            .client
            .put(app.url("/api/v1/config/icp"))
            .bearer_auth(&app.admin_token)
            .header(CONTENT_TYPE, "text/plain")
            .body("territories = [\"US\"]\n")
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), StatusCode::OK);
        let mine = "territories = [\"GB\"]\n";
        let res = post_form(
            &app,
            "/settings/config/icp",
            &cookies,
            &[("csrf_token", &csrf), ("text", mine), ("version", "1"), ("action", "save")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "{name}");
        let body = res.text().await.expect("page");
        assert!(
            body.contains("Someone else saved a newer version meanwhile") && body.contains("Their version: 2."),
            "{body}"
        );
        assert_eq!(editor_text(&body), mine, "the user's text is never lost");
        assert_eq!(hidden(&body, "version").as_deref(), Some("1"), "still based on what they read");
        assert!(
            body.contains("territories = [&quot;US&quot;]") || body.contains("territories = [\"US\"]"),
            "theirs shown"
        );
        let stored: Value = app
            .send(Method::GET, "/api/v1/config/icp", Auth::Token(&app.admin_token), None)
            .await
            .json()
            .await
            .expect("json");
        assert_eq!((stored["version"].as_i64(), stored["text"].as_str()), (Some(2), Some("territories = [\"US\"]\n")));
        let res = post_form(
            &app,
            "/settings/config/icp",
            &cookies,
            &[("csrf_token", &csrf), ("text", mine), ("version", "1"), ("latest", "2"), ("action", "overwrite")],
        )
        .await;
        assert_eq!(header(&res, LOCATION), "/settings/config/icp?saved=3", "{name}");

        // The history: every version, and an old one loads into the editor.
        let page = get(&app, "/settings/config/icp", Some(&session), None).await;
        for v in 1..=2 {
            assert!(page.body.contains(&format!("href=\"/settings/config/icp?version={v}\"")), "{}", page.body);
        }
        let old = get(&app, "/settings/config/icp?version=1", Some(&session), None).await;
        assert_eq!(editor_text(&old.body), good);
        assert_eq!(hidden(&old.body, "version").as_deref(), Some("3"), "saving it goes on top of the current one");
        assert_eq!(
            get(&app, "/settings/config/icp?version=9", Some(&session), None).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let index = get(&app, "/settings", Some(&session), None).await;
        assert!(index.body.contains("<td class=\"num\">3</td><td>admin</td>"), "{}", index.body);
        // Chinese: the same place in Chinese words.
        let res = browser()
            .post(app.url("/settings/config/icp/check"))
            .header(COOKIE, &cookies)
            .header(ACCEPT_LANGUAGE, "zh-CN")
            .form(&[("csrf_token", csrf.as_str()), ("text", bad), ("version", "3")])
            .send()
            .await
            .expect("sent");
        let body = res.text().await.expect("page");
        assert!(body.contains(&format!("第 2 行第 {column} 列")) && body.contains("检查"), "{body}");
        app.running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_are_for_admins_only_and_a_rep_gets_the_apis_403() {
    for db in databases("web_settings_rep").await {
        let app = spawn(&db).await;
        app.user("rosa", "rep", None, "write").await;
        let session = sign_in_with_form(&app, "rosa", PASSWORD).await;
        let cookies = format!("sift_session={session}");
        let today = get(&app, "/", Some(&session), None).await;
        assert!(!today.body.contains("href=\"/settings\""), "{}: no Settings link for a rep", db.name);
        let csrf = form_token(&today.body);
        for path in [
            "/settings",
            "/settings/users",
            "/settings/webhooks",
            "/settings/webhooks/1",
            "/settings/config/icp",
            "/settings/config/frameworks/mine",
            "/settings/config/lexicons?name=x",
        ] {
            let page = get(&app, path, Some(&session), None).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{}: {path}", db.name);
            assert!(page.body.contains("only an admin may do this"), "{path}: {}", page.body);
        }
        for (path, form) in [
            ("/settings/config/icp", vec![("text", "territories = [\"DE\"]\n"), ("version", "0")]),
            ("/settings/config/icp/check", vec![("text", "x"), ("version", "0")]),
            ("/settings/users", vec![("username", "sneaky"), ("role", "admin")]),
            ("/settings/users/1/role", vec![("role", "rep")]),
            ("/settings/users/1/disable", vec![]),
            ("/settings/webhooks", vec![("url", "https://example.com/"), ("events", "lead.created")]),
        ] {
            let mut fields = vec![("csrf_token", csrf.as_str())];
            fields.extend(form);
            let res = post_form(&app, path, &cookies, &fields).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}: POST {path}", db.name);
        }
        let users: Value = app
            .send(Method::GET, "/api/v1/users", Auth::Token(&app.admin_token), None)
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(users.as_array().map(Vec::len), Some(2), "{}: nobody was added", db.name);
        // For an admin, an address that names no document is a 404.
        let admin = sign_in_with_form(&app, "admin", PASSWORD).await;
        assert_eq!(get(&app, "/settings/config/passwords", Some(&admin), None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(get(&app, "/settings/config/widgets/x", Some(&admin), None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(get(&app, "/settings/webhooks/999", Some(&admin), None).await.status, StatusCode::NOT_FOUND);
        app.running.shutdown().await.expect("clean shutdown");
    }
}

/// The one-time password shown on a users page, if any.
fn one_time_password(body: &str) -> Option<String> {
    let at = body.find("id=\"one-time-password\"")?;
    let value = at + body[at..].find("value=\"")? + 7;
    body[value..].split('"').next().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_users_are_added_with_a_one_time_password_shown_once_and_the_last_admin_stays() {
    for db in databases("web_settings_users").await {
        let app = spawn(&db).await;
        let name = db.name;
        let session = sign_in_with_form(&app, "admin", PASSWORD).await;
        let cookies = format!("sift_session={session}");
        let page = get(&app, "/settings/users", Some(&session), None).await;
        assert_eq!(page.status, StatusCode::OK, "{name}");
        let csrf = form_token(&page.body);
        let admin_id = 1;
        assert!(page.body.contains("href=\"/password\""), "one's own row offers the password page");
        assert!(
            !page.body.contains(&format!("action=\"/settings/users/{admin_id}/disable\"")),
            "no disable for oneself"
        );

        // Added with a one-time password, shown in this answer only; a hostile display name is text.
        let res = post_form(
            &app,
            "/settings/users",
            &cookies,
            &[
                ("csrf_token", &csrf),
                ("username", "mei"),
                ("display_name", HOSTILE_SCRIPT),
                ("role", "rep"),
                ("team", "north"),
                ("language", "zh"),
            ],
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED, "{name}");
        let body = res.text().await.expect("page");
        assert!(body.contains("hx-history=\"false\""), "htmx keeps no copy of the password");
        assert!(body.contains("Pass it on to them yourself"), "{body}");
        let one_time = one_time_password(&body).expect("the one-time password");
        assert_eq!(one_time.len(), 23, "{one_time}");
        assert!(!body.contains(HOSTILE_SCRIPT) && body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{body}");
        let list = get(&app, "/settings/users", Some(&session), None).await;
        assert!(!list.body.contains(&one_time), "{name}: shown once");
        assert!(list.body.contains("Has not set a password yet"), "{}", list.body);
        let mei: Value = app
            .send(Method::GET, "/api/v1/users", Auth::Token(&app.admin_token), None)
            .await
            .json::<Value>()
            .await
            .expect("json")
            .as_array()
            .and_then(|u| u.iter().find(|u| u["username"] == "mei").cloned())
            .expect("mei");
        assert_eq!(
            (mei["role"].as_str(), mei["team"].as_str(), mei["language"].as_str()),
            (Some("rep"), Some("north"), Some("zh"))
        );
        let mei_id = mei["id"].as_i64().expect("id");
        let mei_session = sign_in_with_form(&app, "mei", &one_time).await;
        let first = get(&app, "/", Some(&mei_session), None).await;
        assert_eq!(first.location, "/password", "{name}: the one-time password must be changed first");

        // Refusals at their field, the typed values kept (as text).
        let res = post_form(
            &app,
            "/settings/users",
            &cookies,
            &[("csrf_token", &csrf), ("username", HOSTILE_ATTR), ("role", "rep")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.expect("page");
        assert!(body.contains("id=\"add-username-error\"") && body.contains("is not a valid user name"), "{body}");
        assert!(!body.contains(HOSTILE_ATTR) && body.contains("&quot;&gt;&lt;img"), "{body}");
        let res = post_form(
            &app,
            "/settings/users",
            &cookies,
            &[("csrf_token", &csrf), ("username", "mei"), ("role", "rep")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert!(res.text().await.expect("page").contains("id=\"add-username-error\""));
        let res = post_form(
            &app,
            "/settings/users",
            &cookies,
            &[("csrf_token", &csrf), ("username", "kit"), ("role", "boss")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.expect("page").contains("id=\"add-role-error\""));

        // The last admin cannot disable themself or give up the role; refused at their row.
        let res =
            post_form(&app, &format!("/settings/users/{admin_id}/disable"), &cookies, &[("csrf_token", &csrf)]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let body = res.text().await.expect("page");
        assert!(
            body.contains(&format!("id=\"user-{admin_id}-error\"")) && body.contains("you cannot disable yourself"),
            "{body}"
        );
        let res = post_form(
            &app,
            &format!("/settings/users/{admin_id}/role"),
            &cookies,
            &[("csrf_token", &csrf), ("role", "rep")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(get(&app, "/settings", Some(&session), None).await.status, StatusCode::OK, "{name}: still an admin");

        // Another user: role, disable (their session ends), enable, a new one-time password.
        let res = post_form(
            &app,
            &format!("/settings/users/{mei_id}/role"),
            &cookies,
            &[("csrf_token", &csrf), ("role", "manager")],
        )
        .await;
        assert_eq!(header(&res, LOCATION), format!("/settings/users?changed={mei_id}#user-{mei_id}"));
        let page = get(&app, &format!("/settings/users?changed={mei_id}"), Some(&session), None).await;
        assert!(page.body.contains("Role changed: mei → Manager"), "{}", page.body);
        let res =
            post_form(&app, &format!("/settings/users/{mei_id}/disable"), &cookies, &[("csrf_token", &csrf)]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(get(&app, "/password", Some(&mei_session), None).await.status, StatusCode::SEE_OTHER, "signed out");
        let page = get(&app, &format!("/settings/users?disabled={mei_id}"), Some(&session), None).await;
        assert!(page.body.contains(&format!("action=\"/settings/users/{mei_id}/enable\"")), "{}", page.body);
        let res =
            post_form(&app, &format!("/settings/users/{mei_id}/enable"), &cookies, &[("csrf_token", &csrf)]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res =
            post_form(&app, &format!("/settings/users/{mei_id}/reset-password"), &cookies, &[("csrf_token", &csrf)])
                .await;
        assert_eq!(res.status(), StatusCode::OK);
        let again = one_time_password(&res.text().await.expect("page")).expect("a new one-time password");
        assert_ne!(again, one_time);
        sign_in_with_form(&app, "mei", &again).await;
        let res =
            post_form(&app, &format!("/settings/users/{mei_id}/disable"), &cookies, &[("csrf_token", "forged")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        // Every change is audited as the API's.
        let audit: Value = app
            .send(Method::GET, "/api/v1/audit?limit=100", Auth::Token(&app.admin_token), None)
            .await
            .json()
            .await
            .expect("json");
        let actions: Vec<&str> =
            audit.as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
        for action in ["user.created", "user.updated", "user.password_reset"] {
            assert!(actions.contains(&action), "{name}: {action} in {actions:?}");
        }
        app.running.shutdown().await.expect("clean shutdown");
    }
}

/// The users page's "Last sign-in" cell of one user, as text.
fn last_sign_in_cell(body: &str, user: i64) -> String {
    let row = body.find(&format!("<tr id=\"user-{user}\"")).unwrap_or_else(|| panic!("user {user}'s row: {body}"));
    let cell = row + body[row..].find("class=\"last-sign-in\"").expect("the last sign-in cell");
    let end = cell + body[cell..].find("</td>").expect("the cell's end");
    page_text(&body[cell..end]).trim_start_matches(|c| c != ' ').split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `2026-12-04T23:19:43.123Z` as the pages show it: `2026-12-04 23:19`.
fn shown_time(at: &str) -> String {
    at[..16].replace('T', " ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_users_show_each_last_sign_in_and_the_account_page_each_tokens_last_use() {
    for db in databases("web_settings_last_sign_in").await {
        let app = spawn(&db).await;
        let name = db.name;
        let users_api = || async {
            let res = app.send(Method::GET, "/api/v1/users", Auth::Token(&app.admin_token), None).await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<Value>().await.expect("json")
        };
        let last_of = |users: &Value, who: &str| -> Value {
            users.as_array().expect("users").iter().find(|u| u["username"] == who).expect(who)["last_sign_in_at"]
                .clone()
        };
        // Lee is added and has not signed in yet.
        let res = app
            .send(
                Method::POST,
                "/api/v1/users",
                Auth::Token(&app.admin_token),
                Some(json!({"username": "lee", "role": "rep", "password": PASSWORD})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "{name}");
        let lee: Value = res.json().await.expect("json");
        let lee_id = lee["user"]["id"].as_i64().expect("id");
        assert_eq!(lee["user"]["last_sign_in_at"], Value::Null, "{name}: the API says never");
        let session = sign_in_with_form(&app, "admin", PASSWORD).await;
        let page = get(&app, "/settings/users", Some(&session), None).await;
        assert!(page.body.contains("<th scope=\"col\">Last sign-in</th>"), "{}", page.body);
        assert_eq!(last_sign_in_cell(&page.body, lee_id), "Never", "{name}");
        let admin_at = last_of(&users_api().await, "admin").as_str().expect("the admin has signed in").to_owned();
        let admin_id = page.body.split("<tr id=\"user-").nth(1).and_then(|r| r.split('"').next()).expect("first row");
        assert_eq!(last_sign_in_cell(&page.body, admin_id.parse().expect("id")), shown_time(&admin_at), "{name}");
        assert!(page.body.contains(&format!("<time datetime=\"{admin_at}\">")), "{}", page.body);
        let zh = get(&app, "/settings/users", Some(&session), Some("zh-CN")).await;
        assert!(zh.body.contains("<th scope=\"col\">最近登录</th>"), "{}", zh.body);
        assert_eq!(last_sign_in_cell(&zh.body, lee_id), "从未登录", "{name}");

        // A wrong password is no sign-in; the right one, through the form, is shown.
        let res = browser().get(app.url("/signin")).send().await.expect("sent");
        let (token_cookie, _) = set_cookie(&res, "sift_sign_in").expect("the sign-in token cookie");
        let token = form_token(&res.text().await.expect("page"));
        let res = post_form(
            &app,
            "/signin",
            &format!("sift_sign_in={token_cookie}"),
            &[("username", "lee"), ("password", "not the password"), ("csrf_token", &token), ("next", "/")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(last_of(&users_api().await, "lee"), Value::Null, "{name}: a failed sign-in is not recorded");
        let before = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let lee_session = sign_in_with_form(&app, "lee", PASSWORD).await;
        let lee_at = last_of(&users_api().await, "lee").as_str().expect("recorded").to_owned();
        assert!(lee_at >= before, "{name}: {lee_at} >= {before}");
        let page = get(&app, "/settings/users", Some(&session), None).await;
        assert_eq!(last_sign_in_cell(&page.body, lee_id), shown_time(&lee_at), "{name}");
        // The API's sign-in counts too.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        app.sign_in("lee", PASSWORD).await;
        let later = last_of(&users_api().await, "lee").as_str().expect("recorded").to_owned();
        assert!(later > lee_at, "{name}: {later} > {lee_at}");

        // A token's use is its "last used" on the account page; it is not a sign-in.
        let (cookie, csrf) = app.sign_in("lee", PASSWORD).await;
        let res = app
            .send(
                Method::POST,
                "/api/v1/tokens",
                Auth::Session(&cookie, &csrf),
                Some(json!({"name": "nightly", "scope": "read", "expires_in_days": 30})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let secret = res.json::<Value>().await.expect("json")["secret"].as_str().expect("secret").to_owned();
        let signed_in_at = last_of(&users_api().await, "lee");
        let account = get(&app, "/account", Some(&lee_session), None).await;
        let row = token_row(&account.body, "nightly").expect("the token's row");
        assert!(row.contains(" Never "), "{name}: not used yet: {row}");
        let res = app.send(Method::GET, "/api/v1/me", Auth::Token(&secret), None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let tokens: Value =
            app.send(Method::GET, "/api/v1/tokens", Auth::Token(&secret), None).await.json().await.expect("json");
        let used_at = tokens.as_array().expect("tokens").iter().find(|t| t["name"] == "nightly").expect("nightly")
            ["last_used_at"]
            .as_str()
            .expect("its use is recorded")
            .to_owned();
        let account = get(&app, "/account", Some(&lee_session), None).await;
        let row = token_row(&account.body, "nightly").expect("the token's row");
        assert!(row.contains(&shown_time(&used_at)) && !row.contains(" Never "), "{name}: {row}");
        assert_eq!(last_of(&users_api().await, "lee"), signed_in_at, "{name}: a token's use is not a sign-in");

        // Only admins see anyone's last sign-in.
        assert_eq!(get(&app, "/settings/users", Some(&lee_session), None).await.status, StatusCode::FORBIDDEN);
        let res = app.send(Method::GET, "/api/v1/users", Auth::Token(&secret), None).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{name}");
        app.running.shutdown().await.expect("clean shutdown");
    }
}

/// A receiver that answers every delivery 204.
async fn webhook_receiver() -> String {
    let app = axum::Router::new().route("/hook", axum::routing::post(|| async { StatusCode::NO_CONTENT }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_a_webhook_is_created_with_its_secret_shown_once_and_its_delivery_log_lists_a_delivery() {
    for db in databases("web_settings_webhooks").await {
        let app = spawn_with(&db, |s| {
            s.job_workers = 1;
            s.webhook_allow_private = true;
        })
        .await;
        let name = db.name;
        let url = webhook_receiver().await;
        let session = sign_in_with_form(&app, "admin", PASSWORD).await;
        let cookies = format!("sift_session={session}");
        let page = get(&app, "/settings/webhooks", Some(&session), None).await;
        assert!(page.body.contains("No webhook yet."), "{}", page.body);
        let csrf = form_token(&page.body);
        // Refusals at their field: no event, a scheme that is not http.
        let res = post_form(&app, "/settings/webhooks", &cookies, &[("csrf_token", &csrf), ("url", &url)]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.expect("page").contains("id=\"webhook-events-error\""));
        let res = post_form(
            &app,
            "/settings/webhooks",
            &cookies,
            &[("csrf_token", &csrf), ("url", "file:///etc/passwd"), ("events", "lead.created")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.expect("page");
        assert!(body.contains("id=\"webhook-url-error\"") && body.contains("value=\"file:///etc/passwd\""), "{body}");

        let res = post_form(
            &app,
            "/settings/webhooks",
            &cookies,
            &[
                ("csrf_token", &csrf),
                ("url", &url),
                ("events", "lead.created"),
                ("events", "lead.stage_changed"),
                ("description", HOSTILE_SCRIPT),
            ],
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED, "{name}");
        let body = res.text().await.expect("page");
        let at = body.find("id=\"secret\"").expect("the secret") + 10;
        let secret = body[at..].split("value=\"").nth(1).and_then(|v| v.split('"').next()).expect("value").to_owned();
        assert!(secret.starts_with("whsec_"), "{secret}");
        assert!(body.contains("hx-history=\"false\"") && !body.contains(HOSTILE_SCRIPT), "{body}");
        let list = get(&app, "/settings/webhooks", Some(&session), None).await;
        assert!(!list.body.contains(&secret), "{name}: the secret is shown once");
        assert!(list.body.contains("<code>lead.created</code>, <code>lead.stage_changed</code>"), "{}", list.body);
        let hooks: Value = app
            .send(Method::GET, "/api/v1/webhooks", Auth::Token(&app.admin_token), None)
            .await
            .json()
            .await
            .expect("json");
        let hook = hooks[0]["id"].as_i64().expect("id");

        // A new lead: its event is delivered and the log lists the attempt.
        app.create_lead(&app.admin_token, json!({"company": "Hook Ltd"})).await;
        let started = std::time::Instant::now();
        let detail = loop {
            let page = get(&app, &format!("/settings/webhooks/{hook}"), Some(&session), None).await;
            if page.body.contains("data-delivery=") {
                break page.body;
            }
            assert!(started.elapsed() < std::time::Duration::from_secs(20), "{name}: no delivery: {}", page.body);
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        assert!(detail.contains("<code>lead.created</code> #"), "{detail}");
        assert!(detail.contains("Delivered") && detail.contains("<td class=\"num\">204</td>"), "{detail}");
        let list = get(&app, "/settings/webhooks", Some(&session), None).await;
        assert!(list.body.contains("Delivered") && list.body.contains("<code>204</code>"), "{}", list.body);

        // Redeliver: a job, then a second attempt in the log.
        let event = detail.split("data-event=\"").nth(1).and_then(|s| s.split('"').next()).expect("event").to_owned();
        let res = post_form(
            &app,
            &format!("/settings/webhooks/{hook}/redeliver"),
            &cookies,
            &[("csrf_token", &csrf), ("event_id", &event)],
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{name}");
        assert!(header(&res, LOCATION).starts_with(&format!("/settings/webhooks/{hook}?redelivered=")));
        let started = std::time::Instant::now();
        while get(&app, &format!("/settings/webhooks/{hook}"), Some(&session), None)
            .await
            .body
            .matches("data-delivery=")
            .count()
            < 2
        {
            assert!(started.elapsed() < std::time::Duration::from_secs(20), "{name}: not redelivered");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }

        // Pause and resume from the list; delete needs the box ticked.
        let res = post_form(
            &app,
            &format!("/settings/webhooks/{hook}/pause"),
            &cookies,
            &[("csrf_token", &csrf), ("back", "list")],
        )
        .await;
        assert_eq!(header(&res, LOCATION), "/settings/webhooks?paused=1");
        let list = get(&app, "/settings/webhooks?paused=1", Some(&session), None).await;
        assert!(list.body.contains("Paused") && list.body.contains("paused by admin"), "{}", list.body);
        assert!(list.body.contains(&format!("action=\"/settings/webhooks/{hook}/resume\"")));
        let res =
            post_form(&app, &format!("/settings/webhooks/{hook}/resume"), &cookies, &[("csrf_token", &csrf)]).await;
        assert_eq!(header(&res, LOCATION), format!("/settings/webhooks/{hook}?resumed=1"));
        let res =
            post_form(&app, &format!("/settings/webhooks/{hook}/delete"), &cookies, &[("csrf_token", &csrf)]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.expect("page").contains("id=\"delete-confirm-error\""), "{name}: at the box");
        let res = post_form(
            &app,
            &format!("/settings/webhooks/{hook}/delete"),
            &cookies,
            &[("csrf_token", &csrf), ("confirm", "yes")],
        )
        .await;
        assert_eq!(header(&res, LOCATION), "/settings/webhooks?deleted=1");
        assert_eq!(
            get(&app, &format!("/settings/webhooks/{hook}"), Some(&session), None).await.status,
            StatusCode::NOT_FOUND
        );
        app.running.shutdown().await.expect("clean shutdown");
    }
}

/// A receiver that answers every delivery 204 and keeps the `type` of each event it got.
async fn recording_receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let kept = kept.clone();
            async move {
                let kind =
                    serde_json::from_str::<Value>(&body).ok().and_then(|v| v["type"].as_str().map(str::to_owned));
                kept.lock().expect("lock").push(kind.unwrap_or_default());
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

/// A server that may post to loopback, with one webhook for `lead.created` to a recording
/// receiver (the kinds it got).
struct WebhookPage {
    app: App,
    hook: i64,
    url: String,
    got: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

/// Posts `fields` to an admin's form at `path` with a forged token (as the admin, `cookies`)
/// and then as a new rep, `rosa`, with her own token: both are refused with 403.
async fn forged_and_rep_refused(app: &App, path: &str, cookies: &str, fields: &[(&str, &str)], name: &str) {
    let mut forged = vec![("csrf_token", "forged")];
    forged.extend_from_slice(fields);
    let res = post_form(app, path, cookies, &forged).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "{name}: a forged form");
    app.user("rosa", "rep", None, "write").await;
    let rep = sign_in_with_form(app, "rosa", PASSWORD).await;
    let rep_csrf = form_token(&get(app, "/", Some(&rep), None).await.body);
    let mut form = vec![("csrf_token", rep_csrf.as_str())];
    form.extend_from_slice(fields);
    let res = post_form(app, path, &format!("sift_session={rep}"), &form).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "{name}: a rep");
}

async fn webhook_page(db: &sift_store::testing::TestDb) -> WebhookPage {
    let app = spawn_with(db, |s| {
        s.job_workers = 1;
        s.webhook_allow_private = true;
    })
    .await;
    let (url, got) = recording_receiver().await;
    let res = app
        .send(
            Method::POST,
            "/api/v1/webhooks",
            Auth::Token(&app.admin_token),
            Some(json!({"url": url, "events": ["lead.created"]})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", db.name);
    let hook = res.json::<Value>().await.expect("json")["webhook"]["id"].as_i64().expect("id");
    WebhookPage { app, hook, url, got }
}

/// Whether the webhook page's box for an event kind is ticked.
fn event_ticked(body: &str, kind: &str) -> bool {
    let id = format!("id=\"edit-event-{}\"", kind.replace('.', "-"));
    let at = body.find(&id).unwrap_or_else(|| panic!("{kind}'s box: {body}"));
    body[at..at + body[at..].find('>').expect("tag end")].contains("checked")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_a_webhooks_events_are_changed_on_its_page_and_then_decide_what_is_delivered() {
    for db in databases("web_settings_webhook_events").await {
        let WebhookPage { app, hook, url: _, got } = webhook_page(&db).await;
        let name = db.name;
        let events_of = || async {
            let path = format!("/api/v1/webhooks/{hook}");
            let res = app.send(Method::GET, &path, Auth::Token(&app.admin_token), None).await;
            res.json::<Value>().await.expect("json")["events"].clone()
        };
        let session = sign_in_with_form(&app, "admin", PASSWORD).await;
        let cookies = format!("sift_session={session}");
        let path = format!("/settings/webhooks/{hook}");
        let page = get(&app, &path, Some(&session), None).await;
        assert!(page.body.contains("<h2 id=\"events-heading\">Change the events</h2>"), "{}", page.body);
        assert!(event_ticked(&page.body, "lead.created") && !event_ticked(&page.body, "lead.stage_changed"));
        let csrf = form_token(&page.body);
        let events_path = format!("{path}/events");

        // None ticked, or a kind Sift does not know: refused at the group, nothing changed.
        let res = post_form(&app, &events_path, &cookies, &[("csrf_token", &csrf)]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let body = res.text().await.expect("page");
        assert!(
            part(&body, "id=\"events-error\"", "</p>").contains("Tick at least one event.")
                && body.contains("aria-describedby=\"events-intro events-error\""),
            "{body}"
        );
        assert!(!event_ticked(&body, "lead.created"), "{name}: the boxes as posted");
        let res = browser()
            .post(app.url(&events_path))
            .header(COOKIE, &cookies)
            .header(ACCEPT_LANGUAGE, "zh-CN")
            .form(&[("csrf_token", csrf.as_str())])
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.expect("page").contains("请至少勾选一个事件。"), "{name}");
        let res = post_form(
            &app,
            &events_path,
            &cookies,
            &[("csrf_token", &csrf), ("events", "lead.qualified"), ("events", "lead.exploded")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let body = res.text().await.expect("page");
        assert!(part(&body, "id=\"events-error\"", "</p>").contains("lead.exploded"), "{body}");
        assert!(event_ticked(&body, "lead.qualified"), "{name}: the boxes as posted");
        assert_eq!(events_of().await, json!(["lead.created"]), "{name}: nothing changed");
        // A forged form, a rep, a webhook that does not exist.
        forged_and_rep_refused(&app, &events_path, &cookies, &[("events", "lead.qualified")], name).await;
        let res = post_form(
            &app,
            "/settings/webhooks/999/events",
            &cookies,
            &[("csrf_token", &csrf), ("events", "lead.qualified")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{name}");
        assert_eq!(events_of().await, json!(["lead.created"]), "{name}: nothing changed");

        // Stage changes instead of new leads: saved, said, and used for the next deliveries.
        let res =
            post_form(&app, &events_path, &cookies, &[("csrf_token", &csrf), ("events", "lead.stage_changed")]).await;
        assert_eq!(
            (res.status(), header(&res, LOCATION)),
            (StatusCode::SEE_OTHER, format!("{path}?events=1")),
            "{name}"
        );
        let page = get(&app, &format!("{path}?events=1"), Some(&session), None).await;
        assert!(page.body.contains("Events saved. From now on it receives: lead.stage_changed."), "{}", page.body);
        assert!(event_ticked(&page.body, "lead.stage_changed") && !event_ticked(&page.body, "lead.created"));
        assert_eq!(events_of().await, json!(["lead.stage_changed"]), "{name}: the API's view");
        let lead = app.create_lead(&app.admin_token, json!({"company": "Hook Ltd"})).await;
        let id = lead["id"].as_i64().expect("lead id");
        move_to(&app, id, "mql", "asked for a demo").await;
        let started = std::time::Instant::now();
        while !got.lock().expect("lock").iter().any(|k| k == "lead.stage_changed") {
            assert!(started.elapsed() < std::time::Duration::from_secs(20), "{name}: nothing delivered");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let received = got.lock().expect("lock").clone();
        assert!(received.iter().all(|k| k == "lead.stage_changed"), "{name}: only the kinds chosen: {received:?}");
        let log = get(&app, &path, Some(&session), None).await;
        assert!(
            log.body.contains("<code>lead.stage_changed</code> #") && !log.body.contains("<code>lead.created</code> #"),
            "{}",
            log.body
        );
        let zh = get(&app, &path, Some(&session), Some("zh-CN")).await;
        assert!(zh.body.contains("修改推送事件") && zh.body.contains("保存事件"), "{}", zh.body);
        let audit: Value = app
            .send(Method::GET, "/api/v1/audit?limit=100", Auth::Token(&app.admin_token), None)
            .await
            .json()
            .await
            .expect("json");
        assert!(
            audit.as_array().expect("entries").iter().any(|e| e["action"] == "webhook.updated"
                && e["target"] == format!("webhook:{hook}")
                && e["detail"]["events"] == json!(["lead.stage_changed"])),
            "{name}: {audit}"
        );
        app.running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_a_webhooks_address_is_changed_on_its_page() {
    for db in databases("web_settings_webhook_url").await {
        let WebhookPage { app, hook, url, got: _ } = webhook_page(&db).await;
        let name = db.name;
        let url_of = || async {
            let path = format!("/api/v1/webhooks/{hook}");
            let res = app.send(Method::GET, &path, Auth::Token(&app.admin_token), None).await;
            res.json::<Value>().await.expect("json")["url"].clone()
        };
        let session = sign_in_with_form(&app, "admin", PASSWORD).await;
        let cookies = format!("sift_session={session}");
        let path = format!("/settings/webhooks/{hook}");
        let page = get(&app, &path, Some(&session), None).await;
        let form = part(&page.body, "id=\"address\"", "</form>");
        assert!(form.contains("<label for=\"edit-url\">Address</label>"), "{form}");
        assert!(form.contains(&format!("value=\"{url}\"")), "{name}: the address as it is: {form}");
        let csrf = form_token(&page.body);
        let url_path = format!("{path}/url");

        // Not http(s): refused at the field with what was typed, nothing changed.
        let res =
            post_form(&app, &url_path, &cookies, &[("csrf_token", &csrf), ("url", "ftp://files.example/in")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let body = res.text().await.expect("page");
        assert!(part(&body, "id=\"url-error\"", "</p>").len() > 20, "{body}");
        assert!(body.contains("value=\"ftp://files.example/in\"") && body.contains("aria-invalid=\"true\""), "{body}");
        assert_eq!(url_of().await, json!(url), "{name}: nothing changed");
        // A forged form, a rep.
        forged_and_rep_refused(&app, &url_path, &cookies, &[("url", "https://x.example/h")], name).await;
        assert_eq!(url_of().await, json!(url), "{name}: nothing changed");

        // Taken: saved, said, the API's view.
        let (moved_to, _) = recording_receiver().await;
        let res =
            post_form(&app, &url_path, &cookies, &[("csrf_token", &csrf), ("url", &format!(" {moved_to} "))]).await;
        assert_eq!((res.status(), header(&res, LOCATION)), (StatusCode::SEE_OTHER, format!("{path}?url=1")), "{name}");
        let page = get(&app, &format!("{path}?url=1"), Some(&session), None).await;
        assert!(page.body.contains(&format!("Address saved. Deliveries now go to {moved_to}")), "{}", page.body);
        assert_eq!(url_of().await, json!(moved_to), "{name}");
        let zh = get(&app, &path, Some(&session), Some("zh-CN")).await;
        assert!(zh.body.contains("修改推送地址") && zh.body.contains("保存地址"), "{}", zh.body);
        app.running.shutdown().await.expect("clean shutdown");
    }
}

/// Saves a configuration document through the API as the admin; returns its version.
async fn put_config(app: &App, path: &str, text: &str) -> i64 {
    let res = app
        .client
        .put(app.url(path))
        .bearer_auth(&app.admin_token)
        .header(CONTENT_TYPE, "text/plain")
        .body(text.to_owned())
        .send()
        .await
        .expect("sent");
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body["document"]["version"].as_i64().expect("version")
}

/// The history row of one version on an editor page, as text.
fn history_row(body: &str, version: i64) -> String {
    let row =
        body.find(&format!("<tr data-version=\"{version}\"")).unwrap_or_else(|| panic!("version {version}: {body}"));
    let end = row + body[row..].find("</tr>").expect("row end");
    page_text(&body[row..end]).split_whitespace().skip(1).collect::<Vec<_>>().join(" ")
}

const ENTERPRISE_ON: &str = r#"[[playbooks]]
id = "enterprise"
framework = "FRAMEWORK"
owners = ["maria"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_a_document_is_deleted_once_confirmed_and_refused_with_the_reason_while_a_playbook_uses_it() {
    for db in databases("web_settings_delete").await {
        let app = spawn(&db).await;
        let name = db.name;
        app.user("maria", "rep", None, "read").await;
        let meddic =
            sift_core::framework::BUILTIN_FRAMEWORKS.iter().find(|(n, _)| *n == "meddic.toml").expect("meddic").1;
        let lite = meddic.replacen("id = \"meddic\"", "id = \"meddic-lite\"", 1);
        assert_eq!(put_config(&app, "/api/v1/config/frameworks/meddic-lite", &lite).await, 1);
        put_config(&app, "/api/v1/config/playbooks", &ENTERPRISE_ON.replace("FRAMEWORK", "meddic-lite")).await;
        let session = sign_in_with_form(&app, "admin", PASSWORD).await;
        let cookies = format!("sift_session={session}");
        let path = "/settings/config/frameworks/meddic-lite";
        let page = get(&app, path, Some(&session), None).await;
        assert_eq!(page.status, StatusCode::OK, "{name}");
        assert!(page.body.contains("<h2 id=\"delete-heading\">Delete this document</h2>"), "{}", page.body);
        assert!(
            part(&page.body, "id=\"delete-used-by\"", "</p>").contains("<code>enterprise</code>"),
            "{name}: the playbook that uses it is named before anyone tries"
        );
        assert!(page.body.contains(&format!("action=\"{path}#delete-document\"")), "{}", page.body);
        let csrf = form_token(&page.body);

        // Without the box ticked: refused at the box, nothing deleted.
        let res =
            post_form(&app, path, &cookies, &[("csrf_token", &csrf), ("version", "1"), ("action", "delete")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let body = res.text().await.expect("page");
        assert!(
            body.contains("aria-describedby=\"delete-problem\"")
                && part(&body, "id=\"delete-problem\"", "</div>").contains("Tick the box to confirm the deletion."),
            "{body}"
        );
        // Ticked, while a playbook uses it: refused with the reason (409), nothing deleted.
        let confirmed = [("csrf_token", csrf.as_str()), ("version", "1"), ("action", "delete"), ("confirm", "yes")];
        let res = post_form(&app, path, &cookies, &confirmed).await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "{name}");
        let body = res.text().await.expect("page");
        let why = part(&body, "id=\"delete-problem\"", "</div>");
        assert!(why.contains("Not deleted:") && why.contains("used by playbook `enterprise`"), "{name}: {why}");
        let res = browser()
            .post(app.url(path))
            .header(COOKIE, &cookies)
            .header(ACCEPT_LANGUAGE, "zh-CN")
            .form(&confirmed)
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let body = res.text().await.expect("page");
        let why = part(&body, "id=\"delete-problem\"", "</div>");
        assert!(
            why.contains("未删除：") && why.contains("销售打法 <code>enterprise</code> 正在使用此评估框架"),
            "{name}: {why}"
        );
        assert!(why.contains("lang=\"en\"") && why.contains("used by playbook `enterprise`"), "{why}");
        let stored =
            app.send(Method::GET, "/api/v1/config/frameworks/meddic-lite", Auth::Token(&app.admin_token), None);
        assert_eq!(stored.await.status(), StatusCode::OK, "{name}: still there");

        // Once no playbook uses it: a version changed meanwhile is not deleted unseen...
        put_config(&app, "/api/v1/config/playbooks", &ENTERPRISE_ON.replace("FRAMEWORK", "meddic")).await;
        let stale = [("csrf_token", csrf.as_str()), ("version", "7"), ("action", "delete"), ("confirm", "yes")];
        let res = post_form(&app, path, &cookies, &stale).await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "{name}");
        let body = res.text().await.expect("page");
        assert!(body.contains("Someone else changed this document meanwhile") && body.contains("version 1."), "{body}");
        // ...and the one shown is deleted, the deletion a version of its own in the history.
        let res = post_form(&app, path, &cookies, &confirmed).await;
        assert_eq!(
            (res.status(), header(&res, LOCATION)),
            (StatusCode::SEE_OTHER, format!("{path}?deleted=2")),
            "{name}"
        );
        let page = get(&app, &format!("{path}?deleted=2"), Some(&session), None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Deleted. The deletion is version 2."), "{}", page.body);
        assert!(history_row(&page.body, 2).starts_with("✕ Deleted admin"), "{}", history_row(&page.body, 2));
        assert!(history_row(&page.body, 1).starts_with("Saved admin"), "{}", history_row(&page.body, 1));
        assert!(!page.body.contains("id=\"delete-document\""), "{name}: nothing left to delete");
        let res = app.send(Method::GET, "/api/v1/config/frameworks/meddic-lite", Auth::Token(&app.admin_token), None);
        assert_eq!(res.await.status(), StatusCode::NOT_FOUND, "{name}");
        let index = get(&app, "/settings", Some(&session), None).await;
        assert!(!index.body.contains(&format!("href=\"{path}\"")), "{name}: no longer listed");
        let zh = get(&app, path, Some(&session), Some("zh-CN")).await;
        assert!(history_row(&zh.body, 2).starts_with("✕ 删除 admin"), "{}", history_row(&zh.body, 2));
        // The last version saved brings it back.
        let old = get(&app, &format!("{path}?version=1"), Some(&session), None).await;
        assert_eq!((editor_text(&old.body), hidden(&old.body, "version")), (lite.clone(), Some("0".to_owned())));
        let res = post_form(
            &app,
            path,
            &cookies,
            &[("csrf_token", &csrf), ("text", &lite), ("version", "0"), ("action", "save")],
        )
        .await;
        assert_eq!(header(&res, LOCATION), format!("{path}?saved=3"), "{name}");

        // Single documents the same way: without playbooks, leads are not routed; without the
        // ICP, organization fit is not checked.
        let page = get(&app, "/settings/config/playbooks", Some(&session), None).await;
        assert!(page.body.contains("New leads are no longer routed"), "{}", page.body);
        let res = post_form(
            &app,
            "/settings/config/playbooks",
            &cookies,
            &[("csrf_token", &csrf), ("version", "2"), ("action", "delete"), ("confirm", "yes")],
        )
        .await;
        assert_eq!(header(&res, LOCATION), "/settings/config/playbooks?deleted=3", "{name}");
        put_config(&app, "/api/v1/config/icp", "territories = [\"DE\"]\n").await;
        assert_eq!(verdict_for_us_lead(&app).await.0, "disqualified", "{name}");
        let page = get(&app, "/settings/config/icp", Some(&session), None).await;
        assert!(page.body.contains("Without an ICP, organization fit is not checked."), "{}", page.body);
        let res = post_form(
            &app,
            "/settings/config/icp",
            &cookies,
            &[("csrf_token", &csrf), ("version", "1"), ("action", "delete"), ("confirm", "yes")],
        )
        .await;
        assert_eq!(header(&res, LOCATION), "/settings/config/icp?deleted=2", "{name}");
        assert_eq!(verdict_for_us_lead(&app).await.0, "qualified", "{name}: the next decision runs without it");
        let index = get(&app, "/settings", Some(&session), None).await;
        assert!(index.body.contains("Not set: organization fit is not checked."), "{}", index.body);

        // A built-in framework cannot be deleted, and the answer says so (the API's too).
        assert!(index.body.contains("which cannot be changed or deleted but can be copied"), "{}", index.body);
        let res = post_form(
            &app,
            "/settings/config/frameworks/bant",
            &cookies,
            &[("csrf_token", &csrf), ("version", "0"), ("action", "delete"), ("confirm", "yes")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "{name}");
        let body = res.text().await.expect("page");
        assert!(
            body.contains("`bant` is a built-in framework: built-in frameworks cannot be changed or deleted"),
            "{body}"
        );
        // Nothing stored has no box to tick: the answer says why, ticked or not.
        let res = post_form(
            &app,
            "/settings/config/frameworks/bant",
            &cookies,
            &[("csrf_token", &csrf), ("version", "0"), ("action", "delete")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "{name}");
        assert!(res.text().await.expect("page").contains("is a built-in framework"));
        let res = post_form(
            &app,
            "/settings/config/lexicons/nothing-here",
            &cookies,
            &[("csrf_token", &csrf), ("version", "0"), ("action", "delete")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{name}");
        assert!(res.text().await.expect("page").contains("lexicon/nothing-here"));
        let res = app.send(Method::DELETE, "/api/v1/config/frameworks/bant", Auth::Token(&app.admin_token), None).await;
        let problem = common::assert_problem(res, StatusCode::CONFLICT, "conflict").await;
        assert!(problem["detail"].as_str().unwrap_or("").contains("is a built-in framework"), "{problem}");

        // Bad input: a version that is not a number (400 naming it), a forged form (403),
        // a rep (403); nothing deleted by any of them.
        let res = post_form(
            &app,
            path,
            &cookies,
            &[("csrf_token", &csrf), ("version", "three"), ("action", "delete"), ("confirm", "yes")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{name}");
        assert!(res.text().await.expect("page").contains("version"));
        let res = post_form(
            &app,
            path,
            &cookies,
            &[("csrf_token", "forged"), ("version", "3"), ("action", "delete"), ("confirm", "yes")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{name}");
        let rep = sign_in_with_form(&app, "maria", PASSWORD).await;
        let rep_csrf = form_token(&get(&app, "/", Some(&rep), None).await.body);
        let res = post_form(
            &app,
            path,
            &format!("sift_session={rep}"),
            &[("csrf_token", &rep_csrf), ("version", "3"), ("action", "delete"), ("confirm", "yes")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{name}");
        let res = app.send(Method::GET, "/api/v1/config/frameworks/meddic-lite", Auth::Token(&app.admin_token), None);
        assert_eq!(res.await.status(), StatusCode::OK, "{name}: still there");

        // Every deletion is audited as the API's.
        let audit: Value = app
            .send(Method::GET, "/api/v1/audit?limit=100", Auth::Token(&app.admin_token), None)
            .await
            .json()
            .await
            .expect("json");
        let deleted: Vec<&str> = audit
            .as_array()
            .expect("entries")
            .iter()
            .filter(|e| e["action"] == "config.deleted")
            .filter_map(|e| e["target"].as_str())
            .collect();
        assert_eq!(deleted, ["config:icp", "config:playbooks", "config:framework/meddic-lite"], "{name}");
        app.running.shutdown().await.expect("clean shutdown");
    }
}

const HOSTILE_FRAMEWORK: &str = r#"id = "mine"
name = "<script>alert(1)</script>"
summary.en = "\"><img src=x onerror=alert(1)>"

[[criteria]]
id = "need"
concept = "need"
level = "opportunity"
weight = 2
name.en = "Need"
description.en = "</textarea><script>alert(2)</script>"
questions.en = ["What does the problem cost you?"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_hostile_strings_in_a_framework_text_render_as_text_and_a_new_framework_starts_from_a_built_in() {
    for db in databases("web_settings_framework").await {
        let app = spawn(&db).await;
        let name = db.name;
        let session = sign_in_with_form(&app, "admin", PASSWORD).await;
        let cookies = format!("sift_session={session}");
        // A new framework by name, started from a built-in one with its id changed.
        let res = get(&app, "/settings/config/frameworks?name=ours&from=anum", Some(&session), None).await;
        assert_eq!(
            (res.status, res.location.as_str()),
            (StatusCode::SEE_OTHER, "/settings/config/frameworks/ours?from=anum")
        );
        let page = get(&app, &res.location, Some(&session), None).await;
        assert_eq!(page.status, StatusCode::OK, "{name}");
        let text = editor_text(&page.body);
        assert!(text.contains("id = \"ours\"") && text.contains("name = \"ANUM\""), "{text}");
        // A built-in id or a bad name is refused at the field on the index.
        let res = get(&app, "/settings/config/frameworks?name=bant&from=bant", Some(&session), None).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body.contains("id=\"new-framework-error\"") && res.body.contains("is a built-in framework"),
            "{}",
            res.body
        );
        let res = get(&app, "/settings/config/lexicons?name=Not%20OK", Some(&session), None).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("id=\"new-lexicon-error\"") && res.body.contains("value=\"Not OK\""), "{}", res.body);

        // Hostile strings in the text: in the box and in the quoted lines, as text.
        let page = get(&app, "/settings/config/frameworks/mine", Some(&session), None).await;
        let csrf = form_token(&page.body);
        let broken = HOSTILE_FRAMEWORK.replace("weight = 2", "weight = 0");
        let res = post_form(
            &app,
            "/settings/config/frameworks/mine",
            &cookies,
            &[("csrf_token", &csrf), ("text", &broken), ("version", "0"), ("action", "save")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let body = res.text().await.expect("page");
        assert!(body.contains("Line 9, column"), "{body}");
        assert_eq!(editor_text(&body), broken);
        for raw in ["<script>alert", "<img src=x", "</textarea><script>"] {
            assert!(!body.contains(raw), "{name}: {raw} must be escaped: {body}");
        }
        let res = post_form(
            &app,
            "/settings/config/frameworks/mine",
            &cookies,
            &[("csrf_token", &csrf), ("text", HOSTILE_FRAMEWORK), ("version", "0"), ("action", "save")],
        )
        .await;
        assert_eq!(header(&res, LOCATION), "/settings/config/frameworks/mine?saved=1", "{name}");
        let page = get(&app, "/settings/config/frameworks/mine?saved=1", Some(&session), None).await;
        assert_eq!(editor_text(&page.body), HOSTILE_FRAMEWORK);
        assert!(!page.body.contains("</textarea><script>") && !page.body.contains("<script>alert"), "{}", page.body);
        assert!(
            page.body.contains("Warnings (the text can be saved):"),
            "a missing translation is a warning: {}",
            page.body
        );
        let index = get(&app, "/settings", Some(&session), None).await;
        assert!(index.body.contains("href=\"/settings/config/frameworks/mine\""), "{}", index.body);
        app.running.shutdown().await.expect("clean shutdown");
    }
}
