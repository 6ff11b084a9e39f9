//! The built-in frameworks: the embedded list matches the files, the ids are the documented
//! ones, and every question is open-ended and translated.

use std::collections::BTreeSet;
use std::path::Path;

use sift_core::Registry;
use sift_core::framework::{BUILTIN_FRAMEWORKS, parse_framework};

#[test]
fn the_embedded_list_matches_the_files_on_disk() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("frameworks");
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("frameworks dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml") && n != "concepts.toml")
        .collect();
    let embedded: BTreeSet<String> = BUILTIN_FRAMEWORKS.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(on_disk, embedded);
    for (name, text) in BUILTIN_FRAMEWORKS {
        assert_eq!(std::fs::read_to_string(dir.join(name)).expect("read"), *text, "{name}");
    }
}

#[test]
fn the_seven_frameworks_have_the_documented_ids_and_criteria() {
    let registry = Registry::builtin().expect("built-ins load");
    let expected: &[(&str, &[&str])] = &[
        ("bant", &["budget", "authority", "need", "timeline"]),
        (
            "meddic",
            &["metrics", "economic_buyer", "decision_criteria", "decision_process", "identify_pain", "champion"],
        ),
        (
            "meddpicc",
            &[
                "metrics",
                "economic_buyer",
                "decision_criteria",
                "decision_process",
                "identify_pain",
                "champion",
                "paper_process",
                "competition",
            ],
        ),
        ("champ", &["challenges", "authority", "money", "prioritization"]),
        (
            "gpctba-ci",
            &[
                "goals",
                "plans",
                "challenges",
                "timeline",
                "budget",
                "authority",
                "negative_consequences",
                "positive_implications",
            ],
        ),
        ("anum", &["authority", "need", "urgency", "money"]),
        ("faint", &["funds", "authority", "interest", "need", "timing"]),
    ];
    assert_eq!(registry.ids(), expected.iter().map(|(id, _)| *id).collect::<Vec<_>>());
    for (id, criteria) in expected {
        let f = registry.get(id).expect("framework");
        assert_eq!(f.criterion_ids(), *criteria, "{id}");
    }
}

#[test]
fn equivalent_criteria_share_a_concept() {
    let registry = Registry::builtin().expect("built-ins load");
    let concept = |f: &str, c: &str| registry.get(f).and_then(|f| f.criterion(c)).map(|c| c.concept.clone());
    let groups: &[&[(&str, &str)]] = &[
        &[("bant", "budget"), ("champ", "money"), ("anum", "money"), ("faint", "funds"), ("gpctba-ci", "budget")],
        &[
            ("bant", "need"),
            ("champ", "challenges"),
            ("meddic", "identify_pain"),
            ("anum", "need"),
            ("faint", "need"),
            ("gpctba-ci", "challenges"),
        ],
        &[("bant", "timeline"), ("anum", "urgency"), ("faint", "timing"), ("gpctba-ci", "timeline")],
        &[
            ("bant", "authority"),
            ("champ", "authority"),
            ("anum", "authority"),
            ("faint", "authority"),
            ("meddic", "economic_buyer"),
        ],
    ];
    for group in groups {
        let concepts: BTreeSet<_> = group.iter().map(|(f, c)| concept(f, c).expect("exists")).collect();
        assert_eq!(concepts.len(), 1, "{group:?} -> {concepts:?}");
    }
}

#[test]
fn every_built_in_question_is_open_ended_and_translated() {
    let registry = Registry::builtin().expect("built-ins load");
    for (name, text) in BUILTIN_FRAMEWORKS {
        let loaded = parse_framework(name, text, registry.concepts()).expect("valid");
        assert!(loaded.warnings.is_empty(), "{name}:\n{}", loaded.warnings);
        for c in &loaded.framework.criteria {
            assert!(c.questions.en.len() >= 3, "{name} {}: at least three questions", c.id);
            assert_eq!(c.questions.en.len(), c.questions.zh.len(), "{name} {}", c.id);
            assert!(c.name.zh.is_some() && c.description.zh.is_some(), "{name} {}: Chinese name and description", c.id);
        }
    }
}
