//! Every text a call's analysis writes in Sift's words comes with its message, and is that
//! message's English; `messages::CODES` is every code the sources write, and the calls here
//! (the labelled fixtures, `fixtures/messages/` for the rare cases, and a model double for
//! the model's readings) make every one of them but `sift-llm`'s.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use sift_core::{Language, Registry};
use sift_signals::analyze::{Analysis, AnalyzeOptions, analyze};
use sift_signals::meaning::{
    AuthorityReading, BudgetReading, Exchange, ExchangeMeaning, MeaningError, MeaningModel, NeedReading, Scored,
    TimelineReading,
};
use sift_signals::messages::{CODES, nested, said};

include!("support/markers.rs");

/// Every fixture call analysed (the marker calls with the double as well), for every
/// built-in framework.
fn analyses() -> Vec<(String, Analysis)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    fixture_analyses(&root).into_iter().map(|(path, analysis)| (path.display().to_string(), analysis)).collect()
}

/// One fact of every kind.
fn facts() -> Vec<sift_signals::facts::Fact> {
    use sift_signals::facts::{Fact, RolePart, TimelineKind};
    let date = NaiveDate::from_ymd_opt(2027, 3, 31);
    vec![
        Fact::Money { amount: 40_000.0, currency: Some("USD".into()), per: Some("month".into()) },
        Fact::Timeline { kind: TimelineKind::Absolute, resolved: date, until: date },
        Fact::Timeline { kind: TimelineKind::Quarter, resolved: None, until: None },
        Fact::Count { value: 40.0, unit: "reps".into() },
        Fact::Percentage { value: 18.0 },
        Fact::Growth { factor: 2.0, horizon_days: Some(30) },
        Fact::Person { role: "cfo".into(), part: RolePart::Approves },
    ]
}

#[test]
fn every_text_an_analysis_writes_is_its_messages_english_and_every_code_is_made() {
    let mut seen = BTreeSet::new();
    for (name, analysis) in analyses() {
        for s in said(&analysis) {
            let message = s.message.unwrap_or_else(|| panic!("{name}: a {} without a message: {}", s.what, s.text));
            assert_eq!(message.english(), s.text, "{name}: {} {message:?}", s.what);
            seen.extend(nested(message).iter().map(|m| m.code.clone()));
        }
        // The notes a call leaves in a decision's answers nest the evidence's messages.
        for c in &analysis.criteria {
            for answer in sift_signals::evidence::to_answers(std::slice::from_ref(c)).values() {
                if let (Some(text), Some(message)) = (&answer.note, &answer.note_message) {
                    assert_eq!(&message.english(), text, "{name}");
                    seen.extend(nested(message).iter().map(|m| m.code.clone()));
                }
            }
        }
    }
    // A rep's free-text answer read for one concept.
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
    for (concept, text) in [("need", "tbd"), ("need", "they mentioned something about the weather")] {
        let c = sift_signals::evidence::evidence_from_answer(concept, text, Language::En, as_of);
        assert_eq!(c.rule_message.as_ref().map(|m| m.english()).as_deref(), Some(c.rule.as_str()));
        seen.extend(c.rule_message.iter().map(|m| m.code.clone()));
        for e in &c.evidence {
            assert_eq!(e.note_message.as_ref().map(|m| m.english()).as_deref(), Some(e.note.as_str()));
            seen.extend(e.note_message.iter().map(|m| m.code.clone()));
        }
    }
    // Every kind of fact (no reading leaves a date unresolved today, but a fact may be one).
    for fact in facts() {
        let message = fact.message();
        assert_eq!(message.english(), fact.describe());
        seen.insert(message.code);
    }
    let unknown: Vec<&String> = seen.iter().filter(|c| !CODES.contains(&c.as_str())).collect();
    assert!(unknown.is_empty(), "codes written but not in messages::CODES: {unknown:?}");
    let missing: Vec<&&str> = CODES.iter().filter(|c| !c.ends_with(".llm") && !seen.contains(**c)).collect();
    assert!(missing.is_empty(), "codes no fixture call makes (add a call to fixtures/messages/): {missing:?}");
}

/// `CODES` is every `call.*` code written in this crate's sources and in `sift-llm`'s.
#[test]
fn the_list_of_codes_is_every_code_in_the_sources() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let code = regex::Regex::new(r#""(call\.[a-z_]+(?:\.[a-z_0-9]+)*)""#).expect("pattern");
    let mut written = BTreeSet::new();
    for dir in [root.join("src"), root.join("../sift-llm/src")] {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|x| x == "rs") && !path.ends_with("messages.rs") {
                let text = std::fs::read_to_string(&path).expect("source");
                written.extend(code.captures_iter(&text).map(|c| c[1].to_owned()));
            }
        }
    }
    let listed: BTreeSet<String> = CODES.iter().map(|c| (*c).to_owned()).collect();
    assert_eq!(written, listed, "messages::CODES and the codes in the sources differ");
}
