//! `sift questions lint` end to end: the JSON contract, files, languages and bad input.

use std::io::Write;

use assert_cmd::Command;
use serde_json::Value;

fn sift() -> Command {
    let mut cmd = Command::cargo_bin("sift").expect("binary built");
    cmd.env_remove("SIFT_DATA_DIR").env_remove("SIFT_DATABASE_URL").env("NO_COLOR", "1");
    cmd
}

fn lint_json(args: &[&str]) -> Vec<Value> {
    let out = sift().args(["questions", "lint", "--json"]).args(args).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    json.as_array().cloned().expect("a JSON array")
}

#[test]
fn json_is_an_array_in_input_order_with_the_contract_fields() {
    let items = lint_json(&[
        "Do you have a budget for this?",
        "What does success look like for you?",
        "Wouldn't you agree that this saves time?",
        "你们有预算吗？",
    ]);
    let check = |i: usize, text: &str, form: &str, leading: bool, rewrite: Option<&str>| {
        let item = &items[i];
        assert_eq!(item["text"], text, "{item:#}");
        assert_eq!(item["form"], form, "{item:#}");
        assert_eq!(item["leading"], leading, "{item:#}");
        match rewrite {
            Some(r) => assert_eq!(item["rewrite"], r, "{item:#}"),
            None => assert!(item["rewrite"].is_null(), "{item:#}"),
        }
        assert!(item["reasons"].as_array().is_some_and(|r| !r.is_empty()), "{item:#}");
    };
    assert_eq!(items.len(), 4);
    check(0, "Do you have a budget for this?", "closed", false, Some("How are you thinking about budget for this?"));
    check(1, "What does success look like for you?", "open", false, None);
    check(
        2,
        "Wouldn't you agree that this saves time?",
        "closed",
        true,
        Some("What's your view on whether this saves time?"),
    );
    check(3, "你们有预算吗？", "closed", false, Some("你们对这个项目的预算是怎么考虑的？"));
    assert_eq!(items[3]["language"], "zh", "auto detects Chinese by its characters");
}

#[test]
fn lang_forces_the_language() {
    let items = lint_json(&["--lang", "en", "Is this a priority?"]);
    assert_eq!(items[0]["language"], "en");
    assert_eq!(items[0]["rewrite"], "Where does this sit among your priorities?");
}

#[test]
fn a_file_gives_one_question_a_line_and_skips_blank_lines() {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    writeln!(file, "Is this a priority?\n\n   \nWho else is involved?\r\n能讲讲你们的审批流程吗？").expect("write");
    let path = file.path().to_str().expect("utf-8 path").to_owned();
    let items = lint_json(&["--file", &path]);
    let texts: Vec<&str> = items.iter().filter_map(|i| i["text"].as_str()).collect();
    assert_eq!(texts, ["Is this a priority?", "Who else is involved?", "能讲讲你们的审批流程吗？"]);
    let forms: Vec<&str> = items.iter().filter_map(|i| i["form"].as_str()).collect();
    assert_eq!(forms, ["closed", "open", "open"]);
}

#[test]
fn the_terminal_list_shows_form_leading_and_rewrite() {
    let out = sift().args(["questions", "lint", "You'd want faster onboarding, right?"]).output().expect("runs");
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("closed leading"), "{stdout}");
    assert!(stdout.contains("try: How accurate is it to say you'd want faster onboarding?"), "{stdout}");
    assert!(stdout.contains("1 question: 0 open, 1 closed, 1 leading."), "{stdout}");
}

#[test]
fn a_file_that_is_not_utf8_is_refused_with_its_name() {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(b"Do you have a budget?\nIs \xff\xfe a priority?\n").expect("write");
    let path = file.path().to_str().expect("utf-8 path").to_owned();
    let out = sift().args(["questions", "lint", "--file", &path]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&path), "{stderr}");
    assert!(stderr.contains("not valid UTF-8"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing is printed for a bad file");
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let out = sift().args(["questions", "lint", "--file", "no/such/questions.txt"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no/such/questions.txt"), "{stderr}");
}

#[test]
fn no_questions_is_a_usage_error() {
    let out = sift().args(["questions", "lint"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2), "clap reports the missing argument");
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    writeln!(file, "\n  \n").expect("write");
    let path = file.path().to_str().expect("utf-8 path").to_owned();
    let out = sift().args(["questions", "lint", "--file", &path]).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no questions"));
}
