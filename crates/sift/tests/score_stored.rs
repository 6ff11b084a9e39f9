//! `sift score --stored` saves scores on the stored leads; `sift leads list --sort score
//! --min-score N` lists them best first.

use assert_cmd::Command;
use serde_json::Value;

fn sift(db: &str) -> Command {
    let mut cmd = Command::cargo_bin("sift").expect("binary");
    cmd.env("NO_COLOR", "1").env_remove("SIFT_DATABASE_URL").args(["--db", db]);
    cmd
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn stored_leads_are_scored_saved_and_listed_best_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("sift.db").display());
    let csv = dir.path().join("leads.csv");
    let mut text = String::from("Record ID,Email,Company,Industry,Number of Employees,Converted\n");
    for n in 0..120 {
        let industry = ["Software", "Retail", "Logistics"][n % 3];
        let converts = industry == "Software" && n % 4 != 0;
        text.push_str(&format!(
            "C{n},c{n}@x{n}.example,Firm {n},{industry},{},{}\n",
            10 + n * 7,
            if converts { 1 } else { 0 }
        ));
    }
    std::fs::write(&csv, text).expect("write");
    run(sift(&db).arg("import").arg(&csv));

    // No model in the database yet.
    let out = sift(&db).args(["score", "--stored"]).output().expect("run");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no model is active"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let model = dir.path().join("model.json");
    run(sift(&db).args(["train", "--stored", "--exclude", "id", "-o"]).arg(&model));
    let said = run(sift(&db).args(["score", "--stored", "--model"]).arg(&model));
    assert!(said.contains("120 stored leads scored with model version 1"), "{said}");
    // The same file again is the same version; without --model the active one scores.
    let said = run(sift(&db).args(["score", "--stored", "--model"]).arg(&model));
    assert!(said.contains("model version 1"), "{said}");
    let said = run(sift(&db).args(["score", "--stored"]));
    assert!(said.contains("model version 1"), "{said}");

    let listed: Value = serde_json::from_str(&run(sift(&db).args([
        "leads",
        "list",
        "--sort",
        "score",
        "--min-score",
        "60",
        "--limit",
        "200",
        "--json",
    ])))
    .expect("json");
    let leads = listed.as_array().expect("array");
    assert!(!leads.is_empty());
    let scores: Vec<i64> = leads.iter().map(|l| l["score"]["score"].as_i64().expect("a score")).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
    assert!(scores.iter().all(|s| *s >= 60), "{scores:?}");
    assert!(leads.iter().all(|l| l["score"]["model"] == 1 && l["score"]["factors"]["positive"].is_array()));
    let software = leads.iter().filter(|l| l["industry"] == "Software").count();
    assert!(
        software * 2 > leads.len(),
        "high scores are mostly the converting industry: {software} of {}",
        leads.len()
    );
    let reversed: Value = serde_json::from_str(&run(sift(&db).args([
        "leads",
        "list",
        "--sort",
        "score",
        "--reverse",
        "--limit",
        "1",
        "--json",
    ])))
    .expect("json");
    assert!(reversed[0]["score"]["score"].as_i64() <= Some(scores[scores.len() - 1]));
    let table = run(sift(&db).args(["leads", "list", "--sort", "score", "--limit", "3"]));
    assert!(table.lines().next().is_some_and(|h| h.trim_end().ends_with("score")), "{table}");
    let out = sift(&db).args(["leads", "list", "--min-score", "120"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2), "a score is 1-99");
}
