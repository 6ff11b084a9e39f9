//! The binary with the meaning model (`--features model`): `--model` reads calls with it and
//! every finding says which mode produced it. Skips without the model directory, unless
//! `SIFT_REQUIRE_MODEL=1` (CI) makes that a failure.
#![cfg(feature = "model")]

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn calls(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sift-signals/fixtures/calls").join(name)
}

/// The model directory, or `None` (with a message) when it is absent and not required.
fn model_dir() -> Option<PathBuf> {
    let dir = sift_app::meaning::default_dir().filter(|d| d.join("model.safetensors").is_file());
    let required = std::env::var("SIFT_REQUIRE_MODEL").is_ok_and(|v| v == "1");
    match dir {
        Some(dir) => Some(dir),
        None if required => panic!("SIFT_REQUIRE_MODEL=1 but no model: run scripts/fetch-model.sh"),
        None => {
            eprintln!("skipping: no model directory (scripts/fetch-model.sh, or set SIFT_MODEL_DIR)");
            None
        }
    }
}

fn sift() -> Command {
    let mut cmd = Command::cargo_bin("sift").expect("binary built");
    cmd.env_remove("SIFT_DATA_DIR").env_remove("SIFT_DATABASE_URL");
    cmd
}

fn analyze_json(extra: &[&str]) -> Value {
    let out = sift()
        .arg("analyze")
        .arg(calls("en-routing-good.txt"))
        .args(["--as-of", "2026-11-26", "--json"])
        .args(extra)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn analyze_with_the_model_says_so_and_marks_the_findings_it_produced() {
    let Some(dir) = model_dir() else { return };
    let with = analyze_json(&[&format!("--model={}", dir.display()), "--model-threads", "2"]);
    let reading = &with["reading"];
    assert!(reading["model"].as_str().is_some_and(|m| m.contains("e5")), "{reading:#}");
    assert!(reading["modes"].as_array().is_some_and(|m| m.iter().any(|x| x == "model")), "{reading:#}");
    let by_model = with["concepts"]
        .as_array()
        .expect("concepts")
        .iter()
        .filter(|c| c["evidence"].as_array().is_some_and(|e| e.iter().any(|x| x["mode"] == "model")))
        .count();
    assert!(by_model > 0, "no evidence read by the model: {:#}", with["concepts"]);

    let without = analyze_json(&[]);
    assert!(without["reading"].get("model").is_none(), "{:#}", without["reading"]);
    let modes: Vec<&Value> = without["signals"].as_array().expect("signals").iter().map(|s| &s["mode"]).collect();
    assert!(modes.iter().all(|m| *m == "rules"), "{modes:?}");
}

#[test]
fn a_bad_model_directory_is_named_and_nothing_is_analysed() {
    let dir = tempfile::tempdir().expect("dir");
    let out = sift()
        .arg("analyze")
        .arg(calls("en-routing-good.txt"))
        .arg(format!("--model={}", dir.path().display()))
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("config.json") && err.contains(&dir.path().display().to_string()), "{err}");
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn evaluate_with_the_model_names_the_model_it_read_with() {
    let Some(dir) = model_dir() else { return };
    let out = sift()
        .args(["evaluate", "calls"])
        .arg(calls("holdout3"))
        .arg(format!("--model={}", dir.display()))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Read with: rules and") && text.contains("e5"), "{text}");
}
