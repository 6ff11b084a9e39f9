//! The labelled fixture calls in `fixtures/calls/` (written for these tests), scored per
//! call with `sift_signals::eval`: a signal kind is present in the call or not; a concept's
//! final status is right or not.
//!
//! Rounds: the calls directly in `fixtures/calls/` and in `dev*/` are tuning data (the
//! analyser was developed against them), so their figures are held to floors that catch a
//! regression. `holdout*/` rounds are measured and printed, never asserted: a floor on them
//! would invite tuning against them. Run with `--nocapture` to see every round's figures.

use std::path::{Path, PathBuf};

use sift_signals::eval::{CallLabels, RoundReport, evaluate_call, render_text, round_report};

fn calls_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/calls")
}

/// Every labelled call directly in `dir` (subdirectories are rounds of their own).
fn round(dir: &Path, name: &str) -> RoundReport {
    let mut labels: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    labels.sort();
    assert!(labels.len() >= 2, "expected labelled calls in {}, found {}", dir.display(), labels.len());
    let outcomes = labels
        .iter()
        .map(|path| {
            let call = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(path).expect("read labels");
            let labels = CallLabels::parse(&path.display().to_string(), &text).unwrap_or_else(|e| panic!("{e}"));
            let transcript = std::fs::read_to_string(dir.join(&labels.file)).expect("read call");
            evaluate_call(&call, &labels, &transcript, None).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    round_report(name, outcomes)
}

fn rounds_named(prefix: &str) -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(calls_dir())
        .expect("fixtures/calls")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().into_owned();
            name.starts_with(prefix).then_some((name, p))
        })
        .collect();
    found.sort();
    found
}

/// Floors for the tuning rounds: the figures reached when the rules were last changed, so a
/// change that loses a call shows. (They are tuning figures: the rules were developed on
/// these calls.)
const TUNING_MACRO_F1: f64 = 0.95;
const TUNING_BANT: f64 = 0.95;

#[test]
fn the_tuning_calls_do_not_regress() {
    let mut rounds = vec![("tuning".to_owned(), calls_dir())];
    rounds.extend(rounds_named("dev"));
    for (name, dir) in rounds {
        let report = round(&dir, &name);
        eprintln!("{}", render_text(&report, true));
        let f = &report.all;
        let macro_f1 = f.macro_f1.unwrap_or(0.0);
        assert!(
            macro_f1 >= TUNING_MACRO_F1,
            "{name}: signal macro-F1 {macro_f1:.2} regressed (floor {TUNING_MACRO_F1})"
        );
        let bant = f.bant.accuracy.unwrap_or(0.0);
        assert!(bant >= TUNING_BANT, "{name}: BANT status accuracy {bant:.2} regressed (floor {TUNING_BANT})");
    }
}

#[test]
fn the_held_out_rounds_are_measured_not_asserted() {
    let rounds = rounds_named("holdout");
    assert!(rounds.len() >= 3, "expected the held-out rounds, found {rounds:?}");
    for (name, dir) in rounds {
        let report = round(&dir, &name);
        eprintln!("{}", render_text(&report, false));
        assert_eq!(report.calls.len(), report.all.calls);
    }
}
