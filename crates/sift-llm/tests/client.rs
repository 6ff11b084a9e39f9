//! The client against a local test server on 127.0.0.1 (port 0): the request, grounding of the
//! answer, the cache, and every failure turning into a fallback. A live test runs only when
//! `SIFT_LLM_URL` is set (with `SIFT_LLM_MODEL`, and `SIFT_LLM_KEY` if the server wants one).
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use sift_core::{CriterionStatus, Language};
use sift_llm::{Concept, LlmConfig, LlmOutcome, analyse_call};
use sift_signals::{Role, SignalKind, Transcript};

enum Reply {
    /// Status and body.
    Http(u16, String),
    /// Accept, read the request, never answer.
    Silence,
}

struct Request {
    headers: String,
    body: Value,
}

struct TestServer {
    url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    // Dropping it releases connections held open by `Reply::Silence`.
    _release: mpsc::Sender<()>,
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut headers = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        headers.push_str(&line);
    }
    let length = headers
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0))
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request { headers, body: serde_json::from_slice(&body).unwrap_or(Value::Null) })
}

/// Serves the replies in order (the last one repeats), one request per connection.
fn serve(replies: Vec<Reply>) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let (release, released) = mpsc::channel::<()>();
    let seen = Arc::clone(&requests);
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for (i, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { break };
            let Some(request) = read_request(&mut stream) else { continue };
            seen.lock().unwrap().push(request);
            match &replies[i.min(replies.len() - 1)] {
                Reply::Http(status, body) => {
                    let head = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body.as_bytes()));
                }
                Reply::Silence => held.push(stream),
            }
            if released.try_recv().is_err_and(|e| e == mpsc::TryRecvError::Disconnected) {
                break;
            }
        }
    });
    TestServer { url, requests, _release: release }
}

/// A chat-completions response whose message content is `reading`.
fn completion(reading: &Value) -> String {
    json!({
        "id": "test",
        "object": "chat.completion",
        "choices": [{ "index": 0, "finish_reason": "stop", "message": { "role": "assistant", "content": reading.to_string() } }]
    })
    .to_string()
}

fn call() -> Transcript {
    Transcript::from_turns(
        Language::En,
        &[
            ("Dana", Role::Rep, "What happens to a quote request today?"),
            (
                "Jordan",
                Role::Prospect,
                "It sits in a shared inbox until Wednesday and we lose the shipper. We lost a pharma account that way.",
            ),
            ("Dana", Role::Rep, "Who would sign off on fixing it?"),
            ("Jordan", Role::Prospect, "Not me. Linda signs anything over 25k."),
        ],
    )
}

fn reading() -> Value {
    json!({
        "criteria": [
            { "concept": "need", "status": "confirmed", "reason": "slow replies lose accounts",
              "quotes": [{ "turn": 1, "text": "we lose the shipper" }, { "turn": 1, "text": "we lost a pharma account that way" }] },
            { "concept": "authority", "status": "partial", "reason": "Linda signs",
              "quotes": [{ "turn": 3, "text": "Linda signs anything over 25k" }] },
            { "concept": "budget", "status": "confirmed", "reason": "invented",
              "quotes": [{ "turn": 3, "text": "we have 40k set aside" }] },
            { "concept": "timeline", "status": "unknown", "reason": "", "quotes": [] }
        ],
        "signals": [
            { "kind": "knowledge", "turn": 3, "quote": "Linda signs anything over 25k", "reason": "approval threshold" },
            { "kind": "excuse", "turn": 1, "quote": "nobody had time to fix it", "reason": "invented" }
        ]
    })
}

fn config(server: &TestServer) -> LlmConfig {
    LlmConfig { timeout: Duration::from_secs(10), cache_dir: None, ..LlmConfig::new(&server.url, "test-model") }
}

#[test]
fn a_grounded_answer_keeps_what_the_transcript_bears_out() {
    let server = serve(vec![Reply::Http(200, completion(&reading()))]);
    let config = LlmConfig { api_key: Some("secret".into()), ..config(&server) };
    let LlmOutcome::Analysed(analysis) = analyse_call(&call(), &config) else { panic!("fell back") };
    let statuses: Vec<(Concept, CriterionStatus)> = analysis.statuses.iter().map(|s| (s.concept, s.status)).collect();
    assert_eq!(
        statuses,
        vec![
            (Concept::Need, CriterionStatus::Confirmed),
            (Concept::Authority, CriterionStatus::Partial),
            (Concept::Timeline, CriterionStatus::Unknown)
        ]
    );
    assert_eq!(analysis.statuses[0].quotes.len(), 2);
    assert_eq!(analysis.statuses[0].quotes[1].text, "We lost a pharma account that way");
    assert_eq!(analysis.signals.len(), 1);
    assert_eq!(analysis.signals[0].kind, SignalKind::Knowledge);
    assert_eq!((analysis.dropped_claims, analysis.ungrounded_quotes), (2, 2));
    assert!(!analysis.from_cache);
    assert_eq!(analysis.model, "test-model");

    let requests = server.requests.lock().unwrap();
    let request = &requests[0];
    assert!(request.headers.starts_with("POST /v1/chat/completions "), "{}", request.headers);
    assert!(request.headers.to_ascii_lowercase().contains("authorization: bearer secret"));
    assert_eq!(request.body["model"], "test-model");
    assert_eq!(request.body["response_format"]["json_schema"]["name"], "sift_call_reading");
    assert_eq!(request.body["response_format"]["json_schema"]["schema"], sift_llm::response_schema());
    let user = request.body["messages"][1]["content"].as_str().unwrap();
    assert!(user.contains("[3] prospect (Jordan): Not me. Linda signs anything over 25k."), "{user}");
}

#[test]
fn answers_are_cached_by_transcript() {
    let server = serve(vec![Reply::Http(200, completion(&reading()))]);
    let cache = tempfile::tempdir().unwrap();
    let config = LlmConfig { cache_dir: Some(cache.path().to_path_buf()), ..config(&server) };
    let LlmOutcome::Analysed(first) = analyse_call(&call(), &config) else { panic!("fell back") };
    let LlmOutcome::Analysed(second) = analyse_call(&call(), &config) else { panic!("fell back") };
    assert!(!first.from_cache && second.from_cache);
    assert_eq!(first.statuses, second.statuses);
    assert_eq!(server.requests.lock().unwrap().len(), 1, "the second reading came from the cache");
    let mut other = call();
    other.turns[3].text.push_str(" Maybe the owners too.");
    let LlmOutcome::Analysed(third) = analyse_call(&other, &config) else { panic!("fell back") };
    assert!(!third.from_cache);
    assert_eq!(server.requests.lock().unwrap().len(), 2);
    // A different model is a different cache entry.
    let LlmOutcome::Analysed(fourth) = analyse_call(&call(), &LlmConfig { model: "other".into(), ..config }) else {
        panic!("fell back")
    };
    assert!(!fourth.from_cache);
}

#[test]
fn failures_fall_back_with_a_message() {
    let check = |replies: Vec<Reply>, timeout: Duration, wanted: &str| {
        let server = serve(replies);
        let outcome = analyse_call(&call(), &LlmConfig { timeout, ..config(&server) });
        let LlmOutcome::Fallback { message } = outcome else { panic!("no fallback for {wanted}") };
        assert!(message.contains(wanted), "{message} lacks {wanted}");
        assert!(message.ends_with("the local analysis is used instead"), "{message}");
    };
    let second = Duration::from_secs(10);
    check(
        vec![Reply::Http(500, "{\"error\":\"model not loaded\"}".into())],
        second,
        "answered HTTP 500: {\"error\":\"model not loaded\"}",
    );
    check(vec![Reply::Http(200, "not json".into())], second, "the response is not JSON");
    check(vec![Reply::Http(200, "{\"choices\":[]}".into())], second, "no `choices[0].message.content`");
    check(
        vec![Reply::Http(200, completion(&json!({ "verdict": "great lead" })))],
        second,
        "does not follow the schema",
    );
    check(vec![Reply::Silence], Duration::from_millis(300), "did not answer within 0.3 s");
}

#[test]
fn an_unreachable_server_falls_back() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    drop(listener);
    let outcome = analyse_call(&call(), &LlmConfig { cache_dir: None, ..LlmConfig::new(url, "m") });
    let LlmOutcome::Fallback { message } = outcome else { panic!("no fallback") };
    assert!(message.starts_with("cannot reach the large model at"), "{message}");
}

/// Against a real model: only with `SIFT_LLM_URL` set.
#[test]
fn live_model_when_configured() {
    let Ok(url) = std::env::var("SIFT_LLM_URL") else {
        eprintln!("skipping: set SIFT_LLM_URL (and SIFT_LLM_MODEL) to run against a real model");
        return;
    };
    let model = std::env::var("SIFT_LLM_MODEL").unwrap_or_else(|_| "default".into());
    let config = LlmConfig {
        api_key: std::env::var("SIFT_LLM_KEY").ok(),
        timeout: Duration::from_secs(300),
        cache_dir: None,
        ..LlmConfig::new(url, model)
    };
    match analyse_call(&call(), &config) {
        LlmOutcome::Analysed(analysis) => {
            eprintln!(
                "live: {} statuses, {} signals kept; {} claims dropped, {} quotes not in the transcript",
                analysis.statuses.len(),
                analysis.signals.len(),
                analysis.dropped_claims,
                analysis.ungrounded_quotes
            );
            for status in &analysis.statuses {
                for quote in &status.quotes {
                    assert_eq!(&call().turns[quote.turn].text[quote.start..quote.end], quote.text);
                }
            }
        }
        LlmOutcome::Fallback { message } => panic!("the live model failed: {message}"),
    }
}
