//! `sift train` and `sift score` end to end on the scoring fixtures (written for the tests).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sift-score/tests/fixtures").join(name)
}

fn sift() -> Command {
    let mut cmd = Command::cargo_bin("sift").expect("binary");
    cmd.env("NO_COLOR", "1").env_remove("SIFT_DATABASE_URL");
    cmd
}

#[test]
fn each_model_kind_trains_with_a_report_and_scores_with_factors() {
    let dir = tempfile::tempdir().expect("tempdir");
    for kind in ["logistic", "gbm", "odoo-nb"] {
        let model = dir.path().join(format!("{kind}.json"));
        let out = sift()
            .args(["train", "--label", "Converted", "--json", "--model", kind, "--data"])
            .arg(fixture("leads.csv"))
            .arg("-o")
            .arg(&model)
            .output()
            .expect("run");
        assert!(out.status.success(), "{kind}: {}", String::from_utf8_lossy(&out.stderr));
        let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
        for key in ["auc", "log_loss", "brier", "folds", "rows", "leakage_warnings"] {
            assert!(report.get(key).is_some(), "{kind}: report without {key}: {report}");
        }
        assert_eq!(report["rows"], 80, "{kind}");
        let auc = report["auc"].as_f64().expect("auc");
        assert!((0.5..=1.0).contains(&auc), "{kind}: a model on this fixture beats chance, AUC {auc}");

        let scored = dir.path().join(format!("{kind}.csv"));
        sift()
            .args(["score", "--model"])
            .arg(&model)
            .arg(fixture("leads.csv"))
            .arg("-o")
            .arg(&scored)
            .assert()
            .success();
        let mut reader = csv::Reader::from_path(&scored).expect("scored csv");
        let headers = reader.headers().expect("headers").clone();
        for column in ["probability", "score", "top_positive", "top_negative"] {
            assert!(headers.iter().any(|h| h == column), "{kind}: no `{column}` in {headers:?}");
        }
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        assert_eq!(rows.len(), 80, "{kind}: one output row per input row, in order");
        let score_at = headers.iter().position(|h| h == "score").expect("score column");
        for row in &rows {
            let score: u32 = row[score_at].parse().expect("integer score");
            assert!((1..=99).contains(&score), "{kind}: score {score} outside 1-99");
        }
    }
}

#[test]
fn train_chooses_the_model_by_default_and_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("auto.json");
    // No --model: auto. The text report shows the table it chose from and the reason.
    let out = sift()
        .args(["train", "--label", "Converted", "--data"])
        .arg(fixture("leads.csv"))
        .arg("-o")
        .arg(&model)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("auto: the candidates on the same 5 folds, by cross-validated AUC"), "{text}");
    for kind in ["logistic", "gbm", "odoo-nb"] {
        assert!(text.lines().any(|l| l.trim_start_matches([' ', '*']).starts_with(kind)), "{kind} row: {text}");
    }
    assert!(text.contains("not a candidate: Odoo's model is for Odoo data"), "{text}");
    assert_eq!(text.lines().filter(|l| l.starts_with("  * ")).count(), 1, "one chosen: {text}");
    assert!(text.contains(" is chosen: "), "the reason in words: {text}");

    // The JSON report and the model file carry the same selection; the file's kind is the chosen one.
    let out = sift()
        .args(["train", "--label", "Converted", "--json", "--data"])
        .arg(fixture("leads.csv"))
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    let selection = &report["selection"];
    assert_eq!(report["model"], selection["chosen"], "{report}");
    let aucs: Vec<Option<f64>> =
        selection["candidates"].as_array().expect("candidates").iter().map(|c| c["metrics"]["auc"].as_f64()).collect();
    assert_eq!(aucs.iter().filter(|a| a.is_some()).count(), 2, "logistic and gbm cross-validated: {selection}");
    assert_eq!(selection["margin"], 0.002);
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&model).expect("model file")).expect("json");
    assert_eq!(file["kind"], selection["chosen"]);
    // (Trained twice: the same choice for the same reason; only the timings differ.)
    for key in ["chosen", "reason", "margin"] {
        assert_eq!(file["report"]["selection"][key], selection[key], "{key}");
    }
    sift().args(["score", "--model"]).arg(&model).arg(fixture("leads.csv")).assert().success();
}

#[test]
fn a_model_refuses_data_of_another_schema_naming_the_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("m.json");
    sift()
        .args(["train", "--label", "Converted", "--data"])
        .arg(fixture("leads.csv"))
        .arg("-o")
        .arg(&model)
        .assert()
        .success();
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "Lead ID,Source,Visits\nX-1,Ads,3\n").expect("write");
    let out = sift().args(["score", "--model"]).arg(&model).arg(&other).output().expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("Industry") && err.contains("Employees"), "names the missing columns: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn training_on_one_class_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("won.csv");
    std::fs::write(&data, "Source,Visits,Converted\nAds,3,Yes\nReferral,5,Yes\nAds,1,Yes\n").expect("write");
    let out = sift()
        .args(["train", "--label", "Converted", "--data"])
        .arg(&data)
        .arg("-o")
        .arg(dir.path().join("m.json"))
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("Converted"), "names the label column: {err}");
    assert!(!dir.path().join("m.json").exists(), "no model file is written");
}

#[test]
fn rule_points_list_their_rules_and_move_stages_only_forward() {
    let out = sift()
        .args(["score", "--rules"])
        .arg(fixture("rules.toml"))
        .arg(fixture("rules_leads.csv"))
        .arg("--events")
        .arg(fixture("rules_events.csv"))
        .args(["--as-of", "2026-11-26"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let r1 = rows.iter().find(|r| &r[0] == "R-1").expect("R-1");
    assert_eq!((&r1[2], &r1[3]), ("mql", "unqualified"), "42 points pass the MQL threshold of 30");
    assert!(r1[4].contains("target industry +20"), "reasons name each rule: {}", &r1[4]);
    let r5 = rows.iter().find(|r| &r[0] == "R-5").expect("R-5");
    assert_eq!(&r5[2], "customer", "a customer never moves back");
}

#[test]
fn an_odoo_crm_lead_export_trains_odoo_nb_by_its_field_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("odoo.json");
    let out = sift()
        .args(["train", "--model", "odoo-nb", "--odoo-export", "--json", "--data"])
        .arg(fixture("odoo_crm_lead.csv"))
        .arg("-o")
        .arg(&model)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    let used: Vec<&str> =
        report["columns_used"].as_array().expect("columns").iter().filter_map(Value::as_str).collect();
    assert_eq!(used, ["email_state", "phone_state", "country_id", "source_id"]);

    // Stages with Odoo's sequences; the won stage listed among them is caught by the guard.
    let out = sift()
        .args([
            "train",
            "--model",
            "odoo-nb",
            "--odoo-export",
            "--odoo-stages",
            "New:1,Qualified:2,Proposition:2,Won:70",
        ])
        .arg("--data")
        .arg(fixture("odoo_crm_lead.csv"))
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("`stage_id = won`") && text.contains("the won stage"), "{text}");

    // Sequences for some stages only, and an export read by another model, are refused.
    for (args, want) in [
        (
            vec!["--model", "odoo-nb", "--odoo-export", "--odoo-stages", "New:1,Qualified"],
            "give a sequence to every stage",
        ),
        (vec!["--model", "logistic", "--odoo-export"], "read by the odoo-nb model"),
    ] {
        let out =
            sift().arg("train").args(&args).arg("--data").arg(fixture("odoo_crm_lead.csv")).output().expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
    // Without --model (auto), an export is trained by odoo-nb, the one kind that reads it.
    let out = sift()
        .args(["train", "--odoo-export", "--json", "--data"])
        .arg(fixture("odoo_crm_lead.csv"))
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(report["model"], "odoo-nb", "{report}");
    assert!(report["selection"]["reason"].as_str().is_some_and(|r| r.contains("only candidate")), "{report}");
}
