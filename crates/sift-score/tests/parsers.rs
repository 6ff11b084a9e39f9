//! Property tests of sift-score's parsers: model files (models trained here, then damaged
//! at random, and arbitrary bytes), training and scoring CSV, rule files, folds files and
//! event files. Each gives a value or an error, never a panic; a damaged model that is
//! still accepted scores or errors, never panics; memory stays bounded.
//!
//! Cases per property: 64 in the normal test run; `PROPTEST_CASES=2000 cargo test -p
//! sift-score --test parsers` runs a longer search.

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::Config;
use sift_score::Table;
use sift_score::batch::{BatchOptions, score_csv};
use sift_score::model::{ModelFile, ModelKind};
use sift_score::rules::{parse_rules, read_events};
use sift_score::train::{TrainOptions, parse_folds, train};

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64);
    Config { cases, ..Config::default() }
}

const FIXTURE: &str = include_str!("fixtures/leads.csv");
const RULES: &str = include_str!("fixtures/rules.toml");
const EVENTS: &str = include_str!("fixtures/rules_events.csv");

const SPICE: &[&[u8]] = &[
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b"-1",
    b"1e999",
    b"NaN",
    b"null",
    b"999999999999",
    b"\n",
    b";",
    b"\xe4\xb8\xad",
    b"\xff",
    b"\0",
    b"=",
];

fn near_valid(seeds: Vec<String>) -> impl Strategy<Value = Vec<u8>> {
    let edit =
        (0u8..5, any::<prop::sample::Index>(), 1usize..30, prop::collection::vec(any::<u8>(), 0..6), 0..SPICE.len());
    (0..seeds.len(), prop::collection::vec(edit, 1..6)).prop_map(move |(seed, edits)| {
        let mut bytes = seeds[seed].as_bytes().to_vec();
        for (kind, at, len, random, spice) in edits {
            let at = at.index(bytes.len() + 1);
            let end = (at + len).min(bytes.len());
            match kind {
                0 => {
                    bytes.splice(at..at, random);
                }
                1 => {
                    bytes.drain(at..end);
                }
                2 => {
                    let copy = bytes[at..end].to_vec();
                    bytes.splice(at..at, copy);
                }
                3 => bytes.truncate(at),
                _ => {
                    bytes.splice(at..end.min(at + 1), SPICE[spice].iter().copied());
                }
            }
        }
        bytes
    })
}

fn arbitrary() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..2048)
}

fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb / 1024)
}

fn bounded() -> Result<(), TestCaseError> {
    if let Some(mb) = peak_rss_mb() {
        prop_assert!(mb < 1024, "peak memory {} MB", mb);
    }
    Ok(())
}

/// A model of each kind trained on the fixture, as JSON.
fn models() -> Vec<String> {
    static MODELS: OnceLock<Vec<String>> = OnceLock::new();
    MODELS
        .get_or_init(|| {
            let table = Table::read(FIXTURE.as_bytes()).expect("fixture");
            [ModelKind::Logistic, ModelKind::Gbm, ModelKind::OdooNb]
                .into_iter()
                .map(|kind| {
                    let mut options = TrainOptions::new("Converted", kind);
                    options.gbm.iterations = 5;
                    train(&table, &options).expect("trains").to_json().expect("json")
                })
                .collect()
        })
        .clone()
}

fn model_file(bytes: &[u8]) -> Result<(), TestCaseError> {
    match ModelFile::from_json(&String::from_utf8_lossy(bytes)) {
        Ok(model) => {
            // Accepted: scoring with it gives scores or an error, never a panic.
            let options = BatchOptions { threads: 1, block_bytes: 256, ..BatchOptions::default() };
            let _ = score_csv(&model, FIXTURE.as_bytes(), Vec::new(), &options, &|_| {});
        }
        Err(e) => prop_assert!(!e.to_string().trim().is_empty()),
    }
    bounded()
}

fn tables_rules_folds_events(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(table) = Table::read(bytes) {
        let mut options = TrainOptions::new("Converted", ModelKind::Logistic);
        options.folds = sift_score::FoldSpec::Stratified { k: 2, seed: 0 };
        options.compare_without_leaky = false;
        let _ = train(&table, &options);
    }
    let text = String::from_utf8_lossy(bytes);
    let _ = parse_rules(&text);
    let _ = parse_folds(&text);
    let _ = read_events(bytes);
    bounded()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn damaged_model_files_are_refused_or_score_without_panicking(bytes in near_valid(models())) {
        model_file(&bytes)?;
    }

    #[test]
    fn arbitrary_bytes_are_not_a_model_and_not_a_panic(bytes in arbitrary()) {
        model_file(&bytes)?;
        tables_rules_folds_events(&bytes)?;
    }

    #[test]
    fn training_csv_rules_and_events_never_panic_near_valid(
        bytes in near_valid(vec![FIXTURE.to_owned(), RULES.to_owned(), EVENTS.to_owned()])
    ) {
        tables_rules_folds_events(&bytes)?;
    }
}
