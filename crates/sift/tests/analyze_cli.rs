//! `sift analyze` and `sift qualify --transcript` end to end, on the labelled fixture calls
//! (written for Sift's tests) and on bad input.

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

fn analyze_json(file: &Path, extra: &[&str]) -> Value {
    let out =
        sift().arg("analyze").arg(file).args(["--as-of", "2026-11-26", "--json"]).args(extra).output().expect("run");
    assert!(out.status.success(), "{}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn the_json_report_keeps_its_contract_for_every_format_and_language() {
    for (file, language, format) in [
        ("en-routing-good.txt", "en", "text"),
        ("en-pipeline-doubtful.vtt", "en", "vtt"),
        ("zh-crm-good.srt", "zh", "srt"),
        ("zh-crm-doubtful.json", "zh", "json"),
    ] {
        let v = analyze_json(&calls().join(file), &[]);
        assert_eq!(v["language"], language, "{file}");
        assert_eq!(v["format"], format, "{file}");
        for key in ["talk_ratio", "rep_questions", "open_questions", "closed_questions", "prospect_median_answer_words"]
        {
            assert!(v["metrics"][key].is_number(), "{file}: metrics.{key}");
        }
        let turns = v["turns"].as_array().expect("turns");
        let questions = v["questions"].as_array().expect("questions");
        assert!(!questions.is_empty(), "{file}: the rep asks questions");
        for q in questions {
            assert!(q["turn"].is_u64() && q["text"].is_string(), "{file}: {q}");
            assert!(q["form"] == "open" || q["form"] == "closed", "{file}: {q}");
            assert!(q.get("rewrite").is_some(), "{file}: rewrite key present (null for open questions)");
        }
        let signals = v["signals"].as_array().expect("signals");
        assert!(!signals.is_empty(), "{file}: every fixture call has signals");
        for s in signals {
            for key in ["kind", "polarity", "turn", "span", "quote", "explanation"] {
                assert!(s.get(key).is_some(), "{file}: signal without {key}: {s}");
            }
            // Spans are character offsets into the turn's text and cover the quote exactly.
            let text = turns[s["turn"].as_u64().expect("turn") as usize]["text"].as_str().expect("text");
            let (start, end) = (s["span"]["start"].as_u64().expect("start"), s["span"]["end"].as_u64().expect("end"));
            let covered: String = text.chars().skip(start as usize).take((end - start) as usize).collect();
            assert_eq!(covered, s["quote"].as_str().expect("quote"), "{file}: span and quote disagree");
        }
        let criteria = v["criteria"].as_array().expect("criteria");
        let frameworks: std::collections::BTreeSet<&str> =
            criteria.iter().filter_map(|c| c["framework"].as_str()).collect();
        assert!(frameworks.len() >= 7, "{file}: criteria for every built-in framework, got {frameworks:?}");
        for c in criteria {
            assert!(c["criterion"].is_string() && c["evidence"].is_array(), "{file}: {c}");
            let status = c["status"].as_str().expect("status");
            assert!(
                ["confirmed", "partial", "unknown", "negative", "contradicted"].contains(&status),
                "{file}: {status}"
            );
        }
    }
}

#[test]
fn the_terminal_report_names_the_rep_rule_and_the_html_report_marks_signals_in_place() {
    let file = calls().join("en-pipeline-doubtful.vtt");
    let out = sift().arg("analyze").arg(&file).args(["--as-of", "2026-11-26"]).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    for expected in ["Rep: Sam Rivera", "talks", "short_answers", "unrealistic_target", "Criteria (BANT)"] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let html = dir.path().join("report.html");
    sift().arg("analyze").arg(&file).arg("--html").arg(&html).assert().success();
    let page = std::fs::read_to_string(&html).expect("report written");
    assert!(page.starts_with("<!DOCTYPE html>"), "self-contained page");
    assert!(page.contains("<mark class=\"red\""), "red flags marked in the transcript");
    assert!(page.contains("quadruple revenue"), "the transcript is in the page");
    assert!(!page.contains("<script"), "no scripts needed");
}

#[test]
fn a_call_becomes_a_verdict_with_evidence() {
    let out = sift()
        .args(["qualify", "--framework", "meddic", "--as-of", "2026-11-26", "--json", "--transcript"])
        .arg(calls().join("en-pipeline-doubtful.vtt"))
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["verdict"], "disqualified");
    assert_eq!(v["failed_level"], "stakeholder");
    let text = v.to_string();
    assert!(text.contains("I have no say"), "the deciding evidence is quoted: {text}");
}

#[test]
fn free_text_answers_are_read_into_statuses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let answers = dir.path().join("answers.toml");
    std::fs::write(
        &answers,
        "framework = \"bant\"\n[criteria.budget]\nanswer = \"There is no budget for this until next year\"\n\
         [criteria.need]\nstatus = \"confirmed\"\n",
    )
    .expect("write");
    let out =
        sift().args(["qualify", "--as-of", "2026-11-26", "--json", "--answers"]).arg(&answers).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let budget = v["levels"]
        .as_array()
        .expect("levels")
        .iter()
        .flat_map(|l| l["findings"].as_array().cloned().unwrap_or_default())
        .find(|f| f["id"] == "budget")
        .expect("budget finding");
    assert_eq!(budget["status"], "negative", "{budget}");
}

#[test]
fn bad_transcripts_get_a_clear_error_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        p
    };
    // A transcript that cannot be read as a call is bad input (exit 2); a file that cannot
    // be opened is a failure (exit 1).
    let cases: Vec<(PathBuf, &str, i32)> = vec![
        (write("empty.txt", b""), "the transcript is empty", 2),
        (write("junk.bin", &[0u8, 1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 0, 0, 0, 200, 201]), "binary", 2),
        (write("prose.txt", b"This is a memo without any speakers in it.\nIt goes on.\n"), "no `Name: text` lines", 2),
        (write("solo.txt", b"Dana: hello?\nDana: anyone there?\n"), "only one speaker", 2),
        (write("bad.json", b"[{\"speaker\": \"A\", \"text\": 3}]"), "bad.json:1:1", 2),
        (dir.path().to_path_buf(), "is a directory", 1),
        (dir.path().join("missing.txt"), "cannot read", 1),
    ];
    for (path, expected, code) in cases {
        let out = sift().arg("analyze").arg(&path).output().expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{}: {err}", path.display());
        assert!(err.contains(expected), "{}: expected {expected:?} in {err}", path.display());
        assert!(err.contains(&*path.file_name().unwrap_or_default().to_string_lossy()), "names the file: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let huge = dir.path().join("huge.txt");
    std::fs::File::create(&huge).and_then(|f| f.set_len(50 * 1024 * 1024)).expect("sparse file");
    let out = sift().arg("analyze").arg(&huge).output().expect("run");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("limited to 16 MB"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_mixed_encoding_file_is_read_and_the_lenient_lines_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mixed.txt");
    let mut bytes = "Dana: What made you look at this now?\n".as_bytes().to_vec();
    bytes.extend_from_slice(b"J\xfcrgen: Our reps lose a day a week, na\xefve routing.\n");
    bytes.extend_from_slice("Dana: Who else is involved?\nJürgen: Our CFO signs.\n".as_bytes());
    std::fs::write(&path, bytes).expect("write");
    let out = sift().arg("analyze").arg(&path).arg("--json").output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("read as Windows-1252 (line 2)"));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["turns"][1]["speaker"], "Jürgen");
    assert_eq!(v["turns"][3]["speaker"], "Jürgen", "both spellings are the same speaker");
}

#[test]
fn a_users_lexicon_adds_phrases_and_a_pattern_that_fails_its_examples_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let call = dir.path().join("call.txt");
    std::fs::write(
        &call,
        "Dana: What's new on your side?\nLee: Procurement froze every tool purchase, so it sat in the queue.\n\
         Dana: Who decides?\nLee: I do.\n",
    )
    .expect("write");
    let good = dir.path().join("ours.toml");
    std::fs::write(
        &good,
        "[[entry]]\nid = \"excuse.freeze\"\nkind = \"excuse\"\npattern = '(?i)\\bfroze (every|all) (tool )?purchases?\\b'\n\
         explain = \"A purchasing freeze explains the delay.\"\nmatches = [\"procurement froze every tool purchase\"]\n\
         rejects = [\"we froze the design\"]\n",
    )
    .expect("write");
    let v = analyze_json(&call, &["--lexicon", good.to_str().expect("utf-8 path")]);
    let excuse =
        v["signals"].as_array().expect("signals").iter().find(|s| s["kind"] == "excuse").expect("user phrase fired");
    assert!(excuse["explanation"].as_str().expect("text").contains("excuse.freeze"), "{excuse}");
    let without = analyze_json(&call, &[]);
    assert!(!without["signals"].as_array().expect("signals").iter().any(|s| s["kind"] == "excuse"), "not built in");

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[entry]]\nid = \"excuse.typo\"\nkind = \"excuse\"\npattern = 'frozen'\nexplain = \"x\"\nmatches = [\"froze\"]\n",
    )
    .expect("write");
    let out = sift().arg("analyze").arg(&call).arg("--lexicon").arg(&bad).output().expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("bad.toml") && err.contains("should match \"froze\""), "{err}");
    std::fs::write(&bad, "[[entry]]\nid = \"x\"\nkind = \"excuse\"\npattern = '('\nexplain = \"x\"\n").expect("write");
    let out = sift().arg("analyze").arg(&call).arg("--lexicon").arg(&bad).output().expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "a lexicon that does not parse is bad input: {err}");
    assert!(
        err.starts_with(&format!("{}:4:11: entry 1 (`x`): bad pattern", bad.display())),
        "located at the pattern: {err}"
    );
}

/// A build without the model feature refuses `--model` with how to get one, before reading.
#[cfg(not(feature = "model"))]
#[test]
fn the_model_flag_on_a_build_without_the_model_says_how_to_build_one() {
    let out = sift().arg("analyze").arg(calls().join("en-routing-good.txt")).arg("--model").output().expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--features model"), "{err}");
    assert!(out.stdout.is_empty());
}
