//! `sift serve --demo`: the README's first command starts the server on a fresh demo
//! database, prints where and how to sign in, and the sample leads are there in the browser.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the demo server and reads its banner up to the one-time password.
fn start(data_dir: &std::path::Path) -> (Server, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sift"))
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .env("SIFT_DATA_DIR", data_dir)
        .env("SIFT_ARGON2_MEMORY_KIB", "8")
        .env("SIFT_ARGON2_ITERATIONS", "1")
        .env("SIFT_JOB_WORKERS", "0")
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sift serve --demo");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    let mut banner = Vec::new();
    let (mut url, mut password) = (None, None);
    while let Some(Ok(line)) = lines.next() {
        if let Some(rest) = line.strip_prefix("Sift is serving ") {
            url = rest.split_whitespace().next().map(str::to_owned);
        }
        if banner.last().is_some_and(|l: &String| l.contains("one-time password")) {
            password = Some(line.trim().to_owned());
        }
        banner.push(line);
        if banner.last().is_some_and(|l| l.starts_with("Stop with Ctrl-C")) {
            break;
        }
    }
    let text = banner.join("\n");
    assert!(text.contains("Demo data: ") && text.contains("sign in as `admin`"), "{text}");
    (server, url.unwrap_or_else(|| panic!("no address in {text}")), password.unwrap_or_else(|| panic!("{text}")))
}

fn cookie(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")).map(|rest| rest.split(';').next().unwrap_or("").to_owned()))
        .unwrap_or_else(|| panic!("no {name} cookie"))
}

fn form_token(page: &str) -> String {
    let start = page.find("name=\"csrf_token\" value=\"").expect("a csrf_token field") + 25;
    page[start..].split('"').next().expect("value").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_prints_how_to_sign_in_and_serves_the_sample_leads() {
    // reqwest is built without a default TLS provider in this workspace (see Cargo.toml).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("tempdir");
    let (_server, url, one_time) = start(dir.path());
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let sign_in = |password: String| {
        let client = client.clone();
        let url = url.clone();
        async move {
            let res = client.get(format!("{url}/signin")).send().await.expect("sign-in page");
            let jar = format!("sift_sign_in={}", cookie(&res, "sift_sign_in"));
            let token = form_token(&res.text().await.expect("page"));
            let form = [("username", "admin"), ("password", password.as_str()), ("csrf_token", &token)];
            let res =
                client.post(format!("{url}/signin")).header("cookie", jar).form(&form).send().await.expect("post");
            assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
            format!("sift_session={}", cookie(&res, "sift_session"))
        }
    };
    // The one-time password signs in, and the first page asks for a password of one's own.
    let session = sign_in(one_time.clone()).await;
    let res = client.get(format!("{url}/")).header("cookie", &session).send().await.expect("today");
    assert_eq!(res.headers().get("location").and_then(|v| v.to_str().ok()), Some("/password"));
    let page = client.get(format!("{url}/password")).header("cookie", &session).send().await.expect("page");
    let token = form_token(&page.text().await.expect("page"));
    let own = "a password of my own".to_owned();
    let form = [("csrf_token", token.as_str()), ("current_password", &one_time), ("new_password", &own)];
    let res = client.post(format!("{url}/password")).header("cookie", &session).form(&form).send().await.expect("post");
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    // Then Today and the list show the sample leads.
    let session = sign_in(own).await;
    let today = client.get(format!("{url}/")).header("cookie", &session).send().await.expect("today");
    assert_eq!(today.status(), reqwest::StatusCode::OK);
    let today = today.text().await.expect("page");
    assert!(today.contains("href=\"/leads/"), "the demo leads are on Today: {today}");
    let list = client.get(format!("{url}/leads?stage=nurture")).header("cookie", &session).send().await.expect("list");
    let list = list.text().await.expect("page");
    assert!(list.contains("verdict-nurture"), "nurtured sample leads with their verdict: {list}");
    assert!(dir.path().join("serve-demo.db").exists(), "the demo keeps its own database");
}
