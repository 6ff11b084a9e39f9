//! `sift playbooks`, `qualify --playbook` and `import --playbook` end to end.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn sift() -> Command {
    let mut cmd = Command::cargo_bin("sift").expect("binary built");
    cmd.env_remove("SIFT_DATA_DIR")
        .env_remove("SIFT_ICP")
        .env_remove("SIFT_PLAYBOOKS")
        .env_remove("SIFT_NURTURE_HORIZON_DAYS")
        .env_remove("SIFT_DATABASE_URL");
    cmd
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = sift().args(args).output().expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

#[test]
fn the_built_in_examples_are_listed_shown_and_copied() {
    let (code, out, err) = run(&["playbooks", "list", "--json"]);
    assert_eq!(code, Some(0), "{err}");
    let list: Value = serde_json::from_str(&out).expect("json");
    let ids: Vec<&str> = list.as_array().expect("array").iter().filter_map(|p| p["id"].as_str()).collect();
    assert_eq!(ids, ["smb-self-serve", "enterprise"]);
    assert_eq!(list[1]["framework"], "meddic");
    assert_eq!(list[1]["assignment"]["strategy"], "territory");

    let (code, out, _) = run(&["playbooks", "show", "enterprise"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("Framework   MEDDIC (meddic)") && out.contains("by territory"), "{out}");

    let (code, out, _) = run(&["playbooks", "show", "smb-self-serve", "--toml"]);
    assert_eq!(code, Some(0));
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sift-core/playbooks/smb-self-serve.toml");
    assert_eq!(out, std::fs::read_to_string(file).expect("read"));

    let (code, _, err) = run(&["playbooks", "show", "nowhere"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no playbook `nowhere`") && err.contains("known: smb-self-serve, enterprise"), "{err}");
}

#[test]
fn check_reports_every_problem_with_file_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = write(
        dir.path(),
        "bad.toml",
        "[[playbooks]]\nid = \"x\"\nframework = \"meddik\"\nowners = []\n[playbooks.segment]\nemployees = { min = 10, max = 1 }\n",
    );
    let (code, out, err) = run(&["playbooks", "check", &bad]);
    assert_eq!(code, Some(2), "{out}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(lines[0].starts_with(&format!("{bad}:3:13: playbook `x`: unknown framework `meddik`")), "{err}");
    assert!(lines[1].starts_with(&format!("{bad}:4:10: playbook `x`: the owner pool is empty")), "{err}");
    assert!(lines[2].starts_with(&format!("{bad}:6:21: playbook `x`: segment: employees: `min` (10)")), "{err}");

    let (code, out, _) = run(&["playbooks", "show", "enterprise", "--toml"]);
    assert_eq!(code, Some(0));
    let good = write(dir.path(), "good.toml", &out);
    let (code, out, err) = run(&["playbooks", "check", &good, "--json"]);
    assert_eq!(code, Some(0), "{err}");
    let results: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(results[0]["ok"], true);
    assert_eq!(results[0]["playbooks"], serde_json::json!(["enterprise"]));
}

#[test]
fn qualify_with_a_playbook_uses_its_framework_and_icp_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, enterprise, _) = run(&["playbooks", "show", "enterprise", "--toml"]);
    let playbook = write(dir.path(), "enterprise.toml", &enterprise);
    let answers = std::fs::read_to_string(fixture("qualified.toml"))
        .expect("fixture")
        .replace("employees = 400", "employees = 4000");
    let answers = write(dir.path(), "big.toml", &answers);
    let qualify = |extra: &[&str]| {
        let mut args = vec!["qualify", "--answers", answers.as_str(), "--playbook", playbook.as_str(), "--json"];
        args.extend_from_slice(extra);
        let (code, out, err) = run(&args);
        assert_eq!(code, Some(0), "{err}");
        serde_json::from_str::<Value>(&out).expect("json")
    };
    let v = qualify(&[]);
    assert_eq!(v["framework"], "meddic");
    assert_eq!(v["playbook"]["id"], "enterprise");
    assert_eq!(v["playbook"]["icp"], "ICP `enterprise-fit` of playbook `enterprise`");
    // The enterprise profile's revenue floor keeps this 52-million company out.
    assert_eq!(
        (v["verdict"].as_str(), v["failed_level"].as_str()),
        (Some("disqualified"), Some("organization")),
        "{v:#}"
    );
    let v = qualify(&["--framework", "bant"]);
    assert_eq!(v["framework"], "bant");
    assert!(v["playbook"].get("framework").is_none(), "{v:#}");

    // A lead that fits no playbook is judged as without one.
    let (code, out, _) = run(&[
        "qualify",
        "--answers",
        fixture("qualified.toml").to_str().expect("path"),
        "--playbook",
        &playbook,
        "--json",
    ]);
    assert_eq!(code, Some(0));
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["framework"], "bant");
    assert!(v.get("playbook").is_none(), "{v:#}");
}

#[test]
fn import_with_a_playbook_routes_the_new_leads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("sift.db").display());
    let playbooks = write(
        dir.path(),
        "playbooks.toml",
        "[[playbooks]]\nid = \"big\"\nframework = \"meddic\"\nowners = [\"maria\"]\n[playbooks.segment]\nemployees = { min = 1000 }\n\n\
         [[playbooks]]\nid = \"small\"\nframework = \"anum\"\nowners = [\"sam\"]\n[playbooks.segment]\nemployees = { max = 999 }\n",
    );
    let csv = write(
        dir.path(),
        "leads.csv",
        "Email,Company,Number of Employees\na@one.example,One,20\nb@two.example,Two,3000\nc@three.example,Three,\n",
    );
    let (code, _, err) = run(&["users", "add", "sam", "--role", "rep", "--db", &db]);
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = run(&["import", &csv, "--playbook", &playbooks, "--json", "--db", &db]);
    assert_eq!(code, Some(0), "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["inserted"], 3);
    let routing = &v["routing"];
    assert_eq!(routing["considered"], 3, "{v:#}");
    assert_eq!(routing["by_playbook"], serde_json::json!({"big": 1, "small": 1}));
    assert_eq!(routing["unmatched"], 1);
    // `maria` is not a user of this database: her lead is routed but stays unassigned.
    assert_eq!(routing["assigned"], serde_json::json!({"sam": 1}));

    let (code, out, _) = run(&["import", &csv, "--playbook", &playbooks, "--db", &db]);
    assert_eq!(code, Some(0));
    assert!(out.contains("Routed 1 lead(s) without a playbook: none fitted a playbook; 1 fit no playbook"), "{out}");
}
