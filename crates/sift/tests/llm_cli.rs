//! `--llm URL`: the binary asks a large model (here a local test server speaking the
//! OpenAI chat-completions format on 127.0.0.1, port 0), keeps what the transcript bears out,
//! marks it `llm`, and falls back to the local analysis, saying why, when the model fails.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use serde_json::{Value, json};

fn call() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sift-signals/fixtures/calls/en-routing-good.txt")
}

/// Answers every request with a completion holding `reading`; returns the base URL and the
/// request bodies seen.
fn serve(reading: Value) -> (String, Arc<Mutex<Vec<Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/v1", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let bodies = Arc::clone(&seen);
    let answer = json!({
        "id": "t", "object": "chat.completion",
        "choices": [{ "index": 0, "finish_reason": "stop", "message": { "role": "assistant", "content": reading.to_string() } }]
    })
    .to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let Ok(clone) = stream.try_clone() else { continue };
            let mut reader = BufReader::new(clone);
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_ok() {
                bodies.lock().expect("lock").push(serde_json::from_slice(&body).unwrap_or(Value::Null));
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                answer.len()
            );
            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(answer.as_bytes()));
        }
    });
    (url, seen)
}

fn analyze(url: &str, cache: &std::path::Path) -> Value {
    let out = Command::cargo_bin("sift")
        .expect("binary")
        .env("XDG_CACHE_HOME", cache)
        .env_remove("SIFT_LLM_API_KEY")
        .arg("analyze")
        .arg(call())
        .args(["--as-of", "2026-11-26", "--json", "--llm", url, "--llm-model", "test-model", "--llm-timeout", "10"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn concept<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["concepts"].as_array().and_then(|c| c.iter().find(|c| c["concept"] == id)).expect("concept")
}

#[test]
fn a_large_model_decides_where_its_quotes_hold_and_its_invented_claims_are_dropped() {
    let cache = tempfile::tempdir().expect("dir");
    let reading = json!({
        "criteria": [
            // Turn numbers count the joined turns from 0: Lee speaks in turns 1, 3, 5, 7...
            { "concept": "authority", "status": "partial", "reason": "the CFO signs above 50k",
              "quotes": [{ "turn": 9, "text": "our CFO Maria Chen signs anything over $50k" }] },
            { "concept": "budget", "status": "negative", "reason": "invented: no such words",
              "quotes": [{ "turn": 7, "text": "we have no money this year" }] }
        ],
        "signals": [
            { "kind": "knowledge", "turn": 9, "quote": "Procurement needs a security review", "reason": "knows the process" },
            { "kind": "excuse", "turn": 3, "quote": "the dog ate the plugin", "reason": "invented" }
        ]
    });
    let (url, seen) = serve(reading);
    let report = analyze(&url, cache.path());

    let authority = concept(&report, "authority");
    assert_eq!(authority["status"], "partial", "{authority:#}");
    assert_eq!(authority["mode"], "llm", "{authority:#}");
    assert!(authority["evidence"][0]["quote"].as_str().is_some_and(|q| q.contains("Maria Chen")), "{authority:#}");
    // The budget claim quoted words that are not in the call: dropped, the rules' reading stands.
    let budget = concept(&report, "budget");
    assert_eq!(budget["mode"], "rules", "{budget:#}");
    assert_ne!(budget["status"], "negative", "{budget:#}");
    let note = report["reading"]["note"].as_str().expect("note");
    assert!(note.contains("test-model") && note.contains("dropped"), "{note}");
    assert!(report["reading"]["modes"].as_array().is_some_and(|m| m.iter().any(|x| x == "llm")));
    let signals = report["signals"].as_array().expect("signals");
    assert!(!signals.iter().any(|s| s["quote"].as_str().is_some_and(|q| q.contains("dog"))), "invented signal kept");
    let sent = seen.lock().expect("lock");
    assert_eq!(sent.len(), 1, "one request");
    assert_eq!(sent[0]["model"], "test-model");
    assert!(sent[0].to_string().contains("Maria Chen"), "the transcript was sent");
    drop(sent);

    // The same call again is answered from the cache: no second request.
    let again = analyze(&url, cache.path());
    assert_eq!(concept(&again, "authority")["mode"], "llm");
    assert_eq!(seen.lock().expect("lock").len(), 1, "answered from the cache");
}

#[test]
fn an_unreachable_model_falls_back_to_the_local_analysis_and_says_so() {
    let cache = tempfile::tempdir().expect("dir");
    let url = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}/v1", listener.local_addr().expect("addr"))
    };
    let report = analyze(&url, cache.path());
    let note = report["reading"]["note"].as_str().expect("note");
    assert!(note.contains("the large model was not used"), "{note}");
    assert!(report["reading"]["modes"].as_array().is_some_and(|m| !m.iter().any(|x| x == "llm")));
    assert!(report["concepts"].as_array().expect("concepts").iter().all(|c| c["mode"] != "llm"));
}
