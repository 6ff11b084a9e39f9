//! The `sift` binary end to end: exit codes, JSON shapes and located errors.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn sift() -> Command {
    let mut cmd = Command::cargo_bin("sift").expect("binary built");
    cmd.env_remove("SIFT_DATA_DIR")
        .env_remove("SIFT_ICP")
        .env_remove("SIFT_NURTURE_HORIZON_DAYS")
        .env_remove("SIFT_DATABASE_URL");
    cmd
}

/// Runs `sift qualify` on a fixture with the test ICP, as of 2026-11-26, and returns the JSON.
fn qualify_json(answers: &str, extra: &[&str]) -> Value {
    let out = sift()
        .args(["qualify", "--answers"])
        .arg(fixture(answers))
        .arg("--icp")
        .arg(fixture("icp.toml"))
        .args(["--as-of", "2026-11-26", "--json"])
        .args(extra)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

#[test]
fn qualify_gives_the_verdicts_the_rules_imply() {
    let check = |file: &str, verdict: &str, failed_level: Value| {
        let json = qualify_json(file, &[]);
        assert_eq!(json["verdict"], verdict, "{file}: {json:#}");
        assert_eq!(json["failed_level"], failed_level, "{file}");
        for key in ["levels", "next_questions", "reasons", "next_step"] {
            assert!(json.get(key).is_some(), "{file}: `{key}` missing");
        }
        json
    };
    let q = check("qualified.toml", "qualified", Value::Null);
    assert_eq!(q["lead_type"]["stage"], "cql");
    assert_eq!(q["levels"].as_array().map(Vec::len), Some(3));
    check("no_pain.toml", "disqualified", "opportunity".into());
    let n = check("next_year.toml", "nurture", "opportunity".into());
    assert_eq!(n["nurture"]["track"], "future_timeline");
    assert_eq!(n["nurture"]["re_engage_on"], "2027-04-01");
    let zh = check("chinese.toml", "needs_info", Value::Null);
    assert_eq!(zh["language"], "zh");
    let first = zh["next_questions"][0]["question"].as_str().expect("a question");
    assert!(first.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{first}");
}

#[test]
fn qualify_can_judge_under_another_framework() {
    let json = qualify_json("qualified.toml", &["--framework", "anum"]);
    assert_eq!(json["framework"], "anum");
    assert_eq!(json["verdict"], "qualified", "{json:#}");
}

#[test]
fn verdict_exit_codes_are_opt_in() {
    sift()
        .args(["qualify", "--verdict-exit-code", "--as-of", "2026-11-26", "--answers"])
        .arg(fixture("no_pain.toml"))
        .assert()
        .code(11);
}

#[test]
fn human_output_names_the_verdict_levels_and_questions() {
    let out = sift()
        .args(["qualify", "--as-of", "2026-11-26", "--answers"])
        .arg(fixture("chinese.toml"))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for needle in ["Verdict: NEEDS_INFO", "organization", "opportunity", "stakeholder", "Ask next", "Next step"] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(!text.contains('\u{1b}'), "no colour codes when piped");
}

#[test]
fn bad_answers_files_report_every_problem_with_file_line_and_column() {
    let out = sift().args(["qualify", "--answers"]).arg(fixture("broken.toml")).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 4, "{err}");
    assert!(err.contains("broken.toml:7:10: criteria.budget: unknown variant `maybe`"), "{err}");
    assert!(err.contains("broken.toml:4:11: lead.country: `Atlantis`"), "{err}");
    assert!(err.contains("broken.toml:9:11: unknown criterion `money`"), "{err}");
    assert!(err.contains("broken.toml:14:8: criteria.timeline.date"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn unreadable_and_non_utf8_files_are_clear_errors() {
    let out = sift().args(["qualify", "--answers", "/no/such/file.toml"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read `/no/such/file.toml`"));

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("latin1.toml");
    std::fs::write(&path, b"framework = \"bant\"\n[lead]\ncompany = \"M\xfcller GmbH\"\n").expect("write");
    let out = sift().args(["qualify", "--answers"]).arg(&path).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("latin1.toml:3:13: the file is not valid UTF-8"), "{err}");
}

#[test]
fn frameworks_list_json_has_the_seven_frameworks_and_their_criteria() {
    let out = sift().args(["frameworks", "list", "--json"]).output().expect("runs");
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let ids: Vec<&str> = json.as_array().expect("array").iter().filter_map(|f| f["id"].as_str()).collect();
    assert_eq!(ids, ["bant", "meddic", "meddpicc", "champ", "gpctba-ci", "anum", "faint"]);
    let bant: Vec<&str> =
        json[0]["criteria"].as_array().expect("criteria").iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(bant, ["budget", "authority", "need", "timeline"]);
}

#[test]
fn frameworks_show_prints_questions_in_either_language() {
    let out = sift().args(["frameworks", "show", "champ", "--lang", "zh"]).output().expect("runs");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("？"));
    let out = sift().args(["frameworks", "show", "champ", "--json"]).output().expect("runs");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["id"], "champ");
    let out = sift().args(["frameworks", "show", "spin"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2), "an unknown framework is invalid input");
    assert!(String::from_utf8_lossy(&out.stderr).contains("known frameworks: bant"));
}

#[test]
fn frameworks_check_reports_every_problem_and_exits_non_zero() {
    let out = sift().args(["frameworks", "check"]).arg(fixture("bad_framework.toml")).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad_framework.toml:7:11: criterion `budget`: unknown concept `moolah`"), "{err}");
    assert!(err.contains("bad_framework.toml:9:10: criterion `budget`: weight must be greater than 0"), "{err}");
    assert!(err.contains("bad_framework.toml:1:6: framework id `Bad Id`"), "{err}");

    // A built-in file, printed by `show --toml`, checks clean and loads as a user framework
    // once renamed.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = sift().args(["frameworks", "show", "bant", "--toml"]).output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout).replacen("id = \"bant\"", "id = \"our-bant\"", 1);
    let path = dir.path().join("ours.toml");
    std::fs::write(&path, text).expect("write");
    sift().args(["frameworks", "check"]).arg(&path).assert().success();
    let out = sift().arg("--framework-file").arg(&path).args(["frameworks", "list", "--json"]).output().expect("runs");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json.as_array().map(Vec::len), Some(8));
}

#[test]
fn the_demo_qualifies_the_bundled_sample_and_shows_a_funnel() {
    let data = tempfile::tempdir().expect("tempdir");
    let out = sift().env("SIFT_DATA_DIR", data.path()).arg("demo").output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "Imported   bundled CRM export: 320 rows · 320 inserted · 0 rejected",
        "Funnel (read back from the database: 356 leads)",
        "SQL (qualified)",
        "nurture",
        "disqualified",
        "needs info",
        "won",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(data.path().join("demo.db").exists(), "the demo keeps its own database");
    // Running it again starts from a fresh database with the same result.
    let again = sift().env("SIFT_DATA_DIR", data.path()).arg("demo").output().expect("runs");
    assert!(String::from_utf8_lossy(&again.stdout).contains("356 leads"));
    let out = sift().args(["demo", "--json"]).output().expect("runs");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let verdicts: std::collections::BTreeSet<&str> =
        json.as_array().expect("array").iter().filter_map(|d| d["verdict"].as_str()).collect();
    assert_eq!(verdicts.len(), 4, "the sample shows every verdict: {verdicts:?}");
}

const CONTACTS: &str = "Record ID,First Name,Last Name,Email,Company Name,Number of Employees,Country/Region,Lifecycle Stage,First Conversion\n\
T1,Jana,Novak,jana@acme-logistics.example,Acme Logistics,400,Germany,lead,Demo request\n\
T2,Otto,Brandt,otto@formula.example,=2+3,50,DE,subscriber,\n\
T3,Bad,Row,not-an-email,Broken Co,10,DE,lead,\n";

fn with_db() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("sift.db").display());
    (dir, url)
}

fn json_of(cmd: &mut Command) -> Value {
    let out = cmd.output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn import_export_and_leads_work_end_to_end_on_the_embedded_database() {
    let (dir, url) = with_db();
    let file = dir.path().join("contacts.csv");
    std::fs::write(&file, CONTACTS).expect("write");

    let dry = json_of(sift().args(["--db", &url, "import", "--dry-run", "--json"]).arg(&file));
    assert_eq!(dry["dialect"]["delimiter"], ",");
    assert_eq!(dry["mapping"][4], serde_json::json!(["Company Name", "company"]));

    let errors = dir.path().join("errors.csv");
    let summary = json_of(sift().args(["--db", &url, "import", "--json", "--errors"]).arg(&errors).arg(&file));
    assert_eq!((summary["inserted"].as_u64(), summary["rejected"].as_u64()), (Some(2), Some(1)));
    let report = std::fs::read_to_string(&errors).expect("report");
    assert!(report.lines().nth(1).is_some_and(|l| l.starts_with("4,Email,invalid_email,")), "{report}");

    let again = json_of(sift().args(["--db", &url, "import", "--json"]).arg(&file));
    assert_eq!((again["inserted"].as_u64(), again["unchanged"].as_u64()), (Some(0), Some(2)));

    let count = json_of(sift().args(["--db", &url, "leads", "count", "--json"]));
    assert_eq!(count["total"], 2);
    assert_eq!(count["by_stage"]["cql"], 1, "the demo request made T1 a CQL: {count}");

    let list = json_of(sift().args(["--db", &url, "leads", "list", "--json", "--stage", "cql"]));
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["external_id"], "T1");

    let out = sift().args(["--db", &url, "export", "--format", "csv"]).output().expect("runs");
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.contains(",'=2+3,"), "formula neutralised: {csv}");

    let out = sift()
        .args(["--db", &url, "qualify", "--lead", "T1", "--as-of", "2026-11-26", "--answers"])
        .arg(fixture("qualified.toml"))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("moved from cql to sql"));
    let shown = json_of(sift().args(["--db", &url, "leads", "show", "T1", "--json"]));
    assert_eq!(shown["lead"]["stage"], "sql");
    assert_eq!(shown["lead"]["verdict"], "qualified");
    assert_eq!(shown["history"].as_array().map(Vec::len), Some(2));
}

#[test]
fn a_bad_database_url_or_missing_file_is_a_clear_error() {
    let out = sift().args(["--db", "mysql://x", "leads", "count"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
    let (_dir, url) = with_db();
    let out = sift().args(["--db", &url, "import", "/no/such.csv"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read `/no/such.csv`"));
}

#[test]
fn regression_a_full_standard_output_is_one_line_and_exit_1_not_a_panic() {
    if !std::path::Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full on this system");
        return;
    }
    for args in [&["frameworks", "list"][..], &["frameworks", "show", "bant"], &["frameworks", "list", "--json"]] {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("open /dev/full");
        let out =
            std::process::Command::new(env!("CARGO_BIN_EXE_sift")).args(args).stdout(full).output().expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: cannot write to standard output: No space left on device"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn regression_bad_input_files_are_file_colon_message_and_exit_2_and_no_message_repeats() {
    let (dir, url) = with_db();
    let utf16: Vec<u8> = "Email,Company\r\nx@y.example,Y\r\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, b"\n\n").expect("write");
    let wide = dir.path().join("utf16.csv");
    std::fs::write(&wide, &utf16).expect("write");
    for (file, expected) in [
        (&empty, "empty.csv: the file is empty"),
        (&wide, "utf16.csv: not a CSV text file: it is UTF-16 little-endian text"),
    ] {
        let out = sift().args(["--db", &url, "import"]).arg(file).output().expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(expected), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    // A directory: a failure to read (exit 1), each cause said once.
    let out = sift().args(["--db", &url, "import"]).arg(dir.path()).output().expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let parts: Vec<&str> = err.trim().split(": ").collect();
    let mut seen = std::collections::HashSet::new();
    assert!(parts.iter().all(|p| seen.insert(*p)), "a repeated message: {err}");
    let map = dir.path().join("map.toml");
    std::fs::write(&map, "[columns]\n\"Firma\" = \"company\"\n").expect("write");
    let csv = dir.path().join("c.csv");
    std::fs::write(&csv, "Email,Company\nx@y.example,Y\n").expect("write");
    let out = sift().args(["--db", &url, "import", "--mapping"]).arg(&map).arg(&csv).output().expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "a mapping naming a missing column is bad input: {err}");
    assert!(err.contains("c.csv: the mapping names columns this file does not have: `Firma`"), "{err}");
}

#[test]
fn a_dry_run_names_the_key_and_the_outcomes_and_sift_imports_lists_the_runs() {
    let (dir, url) = with_db();
    let csv = dir.path().join("deals.csv");
    std::fs::write(&csv, "Deal Ref,Company,Outcome\nD-1,Acme,Closed Won\nD-2,Borealis,Closed Lost\nD-3,Cobalt,\n")
        .expect("write");
    let out = sift()
        .args(["--db", &url, "import"])
        .arg(&csv)
        .args(["--dry-run", "--key", "Deal Ref"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("Deal Ref") && text.contains("identified by"), "the key is named: {text}");
    assert!(text.contains("Dry run: nothing was imported."), "{text}");
    let runs = json_of(sift().args(["--db", &url, "imports", "--json"]));
    assert_eq!(runs.as_array().map(Vec::len), Some(0), "a dry run imports nothing");
    let imported = json_of(sift().args(["--db", &url, "import"]).arg(&csv).args(["--key", "Deal Ref", "--json"]));
    assert_eq!(imported["inserted"], 3, "{imported}");
    let runs = json_of(sift().args(["--db", &url, "imports", "--json"]));
    assert_eq!(runs[0]["status"], "finished", "{runs}");
    assert_eq!(runs[0]["inserted"], 3);
    let listed = sift().args(["--db", &url, "imports"]).output().expect("runs");
    assert!(String::from_utf8_lossy(&listed.stdout).contains("deals.csv"));
    // The export streams the same leads, with their stages from the outcome words.
    let exported = json_of(sift().args(["--db", &url, "export", "--format", "json"]));
    let stages: Vec<&str> = exported.as_array().expect("leads").iter().filter_map(|l| l["stage"].as_str()).collect();
    assert_eq!(stages.len(), 3);
    assert!(stages.contains(&"customer") && stages.contains(&"disqualified"), "{stages:?}");
}
