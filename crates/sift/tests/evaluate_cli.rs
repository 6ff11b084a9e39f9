//! `sift evaluate calls` end to end: figures per call with baselines, JSON, and located
//! errors for bad label files.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn calls() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sift-signals/fixtures/calls")
}

fn sift() -> Command {
    let mut cmd = Command::cargo_bin("sift").expect("binary");
    cmd.env("NO_COLOR", "1").env_remove("SIFT_DATABASE_URL");
    cmd
}

#[test]
fn a_round_is_scored_per_call_with_baselines_in_text_and_json() {
    let dir = calls().join("holdout2");
    let out = sift().args(["evaluate", "calls"]).arg(&dir).arg("--details").output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "round holdout2: 2 calls",
        "macro-F1",
        "baseline, no signal ever",
        "base: all confirmed",
        "[en]",
        "[zh]",
        "disagreements",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }

    let out =
        sift().args(["evaluate", "calls"]).arg(&dir).arg(calls().join("holdout")).arg("--json").output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let rounds = v["rounds"].as_array().expect("rounds");
    assert_eq!(rounds.len(), 2);
    assert_eq!(rounds[0]["round"], "holdout2");
    assert_eq!(rounds[1]["round"], "holdout");
    assert_eq!(rounds[1]["calls"].as_array().map(Vec::len), Some(4));
    let all = &rounds[1]["all"];
    assert_eq!(all["signals"].as_array().map(Vec::len), Some(6));
    assert!(all["bant"]["accuracy"].is_number() && all["bant"]["baseline_accuracy"].is_number(), "{all}");
    assert_eq!(all["bant_criteria"].as_array().map(Vec::len), Some(4));
    assert!(rounds[1]["languages"]["en"]["calls"].is_u64());
}

#[test]
fn bad_label_files_and_missing_transcripts_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let labels = "file = \"call.txt\"\nlanguage = \"en\"\nas_of = \"2026-11-26\"\nrep = [\"Rep\"]\nsignals = [{ kind = \"excuses\", turn = 1 }]\n";
    std::fs::write(dir.path().join("call.toml"), labels).expect("write");
    std::fs::write(dir.path().join("call.txt"), "Rep: Hi?\nLee: Hello.\n").expect("write");
    let out = sift().args(["evaluate", "calls"]).arg(dir.path()).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("call.toml:5:21: unknown signal kind `excuses`"), "{err}");

    std::fs::write(dir.path().join("call.toml"), labels.replace("excuses", "excuse").replace("call.txt", "gone.txt"))
        .expect("write");
    let out = sift().args(["evaluate", "calls"]).arg(dir.path()).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("names the transcript `gone.txt`"), "{err}");

    let empty = tempfile::tempdir().expect("tempdir");
    let out = sift().args(["evaluate", "calls"]).arg(empty.path()).output().expect("run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no label files"), "{out:?}");
}
