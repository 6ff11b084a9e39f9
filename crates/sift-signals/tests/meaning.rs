//! The analysis with a learned reader of meaning, tested with a deterministic test double.
//!
//! The double reads bracketed marker words planted in the answers (`[pain]`, `[nomoney]`,
//! `[recommends]`...), so each test states exactly what "the model" says and checks how the
//! analysis combines it with the rules: the rules keep figures, dates and arithmetic; the
//! model decides what the words mean; every finding says which mode produced it.

use chrono::NaiveDate;
use sift_core::{CriterionStatus, Language};
use sift_signals::SignalKind;
use sift_signals::analyze::{Analysis, AnalyzeOptions, analyze};
use sift_signals::meaning::{
    AuthorityReading, BudgetReading, Exchange, ExchangeMeaning, MeaningError, MeaningModel, Mode, NeedReading, Scored,
    TimelineReading,
};

/// Reads marker words; a marker with `unsure-` is read with low confidence.
struct Double;

fn scored<T>(label: T, confidence: f32) -> Scored<T> {
    Scored { label, confidence }
}

impl Double {
    fn read(answer: &str) -> ExchangeMeaning {
        let has = |m: &str| answer.contains(&format!("[{m}]"));
        let need = if has("pain") {
            scored(NeedReading::Pain, 0.9)
        } else if has("nopain") {
            scored(NeedReading::NoPain, 0.9)
        } else if has("unsure-pain") {
            scored(NeedReading::Pain, 0.3)
        } else {
            scored(NeedReading::Unclear, 0.8)
        };
        let authority = if has("decides") {
            scored(AuthorityReading::Decides, 0.9)
        } else if has("recommends") {
            scored(AuthorityReading::Recommends, 0.9)
        } else if has("nosay") {
            scored(AuthorityReading::NoSay, 0.9)
        } else {
            scored(AuthorityReading::Unclear, 0.8)
        };
        let budget = if has("money") {
            scored(BudgetReading::Available, 0.9)
        } else if has("nomoney") {
            scored(BudgetReading::NotAvailable, 0.9)
        } else {
            scored(BudgetReading::Unclear, 0.8)
        };
        let timeline = if has("committed") {
            scored(TimelineReading::Committed, 0.9)
        } else if has("notcommitted") {
            scored(TimelineReading::NotCommitted, 0.9)
        } else {
            scored(TimelineReading::Unclear, 0.8)
        };
        ExchangeMeaning {
            need,
            authority,
            budget,
            timeline,
            excuse: if has("excuse") {
                0.96
            } else if has("unsure-excuse") {
                0.92
            } else {
                0.1
            },
            knowledge: if has("knows") { 0.96 } else { 0.1 },
        }
    }
}

impl MeaningModel for Double {
    fn describe(&self) -> String {
        "test double: reads marker words".to_owned()
    }

    fn read_exchanges(&self, exchanges: &[Exchange<'_>]) -> Result<Vec<ExchangeMeaning>, MeaningError> {
        Ok(exchanges.iter().map(|e| Double::read(e.answer)).collect())
    }

    fn contradiction(&self, pairs: &[(&str, &str)], _language: Language) -> Result<Vec<f32>, MeaningError> {
        Ok(pairs.iter().map(|(_, later)| if later.contains("[contradicts]") { 0.95 } else { 0.05 }).collect())
    }
}

/// A model that always fails.
struct Broken;

impl MeaningModel for Broken {
    fn describe(&self) -> String {
        "broken".to_owned()
    }
    fn read_exchanges(&self, _: &[Exchange<'_>]) -> Result<Vec<ExchangeMeaning>, MeaningError> {
        Err(MeaningError("the weights are missing".to_owned()))
    }
    fn contradiction(&self, _: &[(&str, &str)], _: Language) -> Result<Vec<f32>, MeaningError> {
        Err(MeaningError("the weights are missing".to_owned()))
    }
}

fn run(lines: &[&str], meaning: Option<&dyn MeaningModel>) -> Analysis {
    let text: String = lines
        .iter()
        .map(|l| match l.strip_prefix("R:") {
            Some(rest) => format!("Rep: {}\n", rest.trim()),
            None => format!("Lee: {l}\n"),
        })
        .collect();
    let reps = vec!["Rep".to_owned()];
    let options = AnalyzeOptions {
        reps: &reps,
        as_of: NaiveDate::from_ymd_opt(2026, 11, 26),
        meaning,
        ..AnalyzeOptions::default()
    };
    analyze(&text, &options).expect("analyses")
}

fn concept<'a>(analysis: &'a Analysis, name: &str) -> &'a sift_signals::evidence::ConceptEvidence {
    analysis.concepts.iter().find(|c| c.concept == name).expect("every concept is reported")
}

#[test]
fn without_a_model_the_analysis_says_it_ran_rules_only() {
    let a = run(&["R: How is routing going?", "It works fine for us, we never got around to changing it."], None);
    assert_eq!(a.reading.modes, [Mode::Rules]);
    assert!(a.reading.note.starts_with("rules only"), "{}", a.reading.note);
    assert!(a.signals.iter().all(|s| s.mode == Mode::Rules));
    assert!(a.concepts.iter().flat_map(|c| c.evidence.iter()).all(|e| e.mode == Mode::Rules));
    let json = serde_json::to_value(&a).expect("serialises");
    assert_eq!(json["reading"]["modes"][0], "rules");
    assert_eq!(json["concepts"][2]["mode"], "rules", "{}", json["concepts"][2]);
}

#[test]
fn the_model_decides_what_the_words_mean() {
    let lines = ["R: How is routing going?", "It works fine for us. [pain]"];
    let rules = run(&lines, None);
    assert_eq!(concept(&rules, "need").status, CriterionStatus::Negative, "the rules read a denial");
    let a = run(&lines, Some(&Double));
    let need = concept(&a, "need");
    assert_eq!(need.status, CriterionStatus::Confirmed, "{need:#?}");
    assert_eq!(need.mode, Mode::Model);
    assert_eq!(need.decisive().map(|e| e.mode), Some(Mode::Model));
    assert_eq!(a.reading.modes, [Mode::Rules, Mode::Model]);
    assert_eq!(a.reading.model.as_deref(), Some("test double: reads marker words"));
    // A reading the model is unsure of leaves the rules' reading in place.
    let unsure = run(&["R: How is routing going?", "It works fine for us. [unsure-pain]"], Some(&Double));
    assert_eq!(concept(&unsure, "need").status, CriterionStatus::Negative);
    assert_eq!(concept(&unsure, "need").mode, Mode::Rules);
}

#[test]
fn the_rules_stay_authoritative_for_figures_dates_and_arithmetic() {
    let a = run(
        &[
            "R: What budget do you have?",
            "We have $45,000 set aside. [nomoney]",
            "R: When do you need it?",
            "Live by March 15. [notcommitted]",
            "R: Who signs off?",
            "Tom signs anything over 25k. [decides]",
        ],
        Some(&Double),
    );
    for (name, status) in [
        ("budget", CriterionStatus::Confirmed),
        ("timeline", CriterionStatus::Confirmed),
        ("authority", CriterionStatus::Partial),
    ] {
        let c = concept(&a, name);
        assert_eq!(c.status, status, "{name}: {c:#?}");
        assert_eq!(c.mode, Mode::Rules, "{name} is decided by a figure, a date or the limit against the budget");
    }
    // The model's readings are still there as evidence, weighed less than the figures.
    assert!(
        concept(&a, "budget").evidence.iter().any(|e| e.mode == Mode::Model && e.says == CriterionStatus::Negative)
    );
}

#[test]
fn a_reading_of_no_pain_counts_only_where_the_answer_speaks_to_need() {
    // A pleasantry at the end of a call is not a denial of pain, whatever the model reads.
    let lines = [
        "R: How are enquiries handled at the moment?",
        "We lose about a third of them over the weekend. [pain]",
        "R: I'll send the summary over tonight.",
        "Sounds good. Thanks. [nopain]",
    ];
    let a = run(&lines, Some(&Double));
    assert_eq!(concept(&a, "need").status, CriterionStatus::Confirmed, "{:#?}", concept(&a, "need"));
    // A no to buying is kept where it is volunteered.
    let volunteered_no = run(&["R: I'll send the summary over tonight.", "Fine. [notcommitted]"], Some(&Double));
    assert_eq!(concept(&volunteered_no, "timeline").status, CriterionStatus::Negative);
    // Asked about it, the same reading is a denial.
    let asked = run(&["R: How's that working for you?", "Sounds good to me. [nopain]"], Some(&Double));
    assert_eq!(concept(&asked, "need").status, CriterionStatus::Negative);
    assert_eq!(concept(&asked, "need").mode, Mode::Model);
    // A reading that something is there counts wherever it is said.
    let volunteered = run(&["R: I'll send the summary over tonight.", "Great. [pain]"], Some(&Double));
    assert_eq!(concept(&volunteered, "need").status, CriterionStatus::Confirmed);
}

#[test]
fn urgency_without_a_date_is_not_read_as_no_plan_to_buy() {
    let a = run(
        &["R: When would you want this running?", "The sooner the better, honestly. [notcommitted]"],
        Some(&Double),
    );
    let timeline = concept(&a, "timeline");
    assert_eq!(timeline.status, CriterionStatus::Partial, "{timeline:#?}");
    // Without urgency the model's no stands.
    let b = run(&["R: When would you want this running?", "We'll see. [notcommitted]"], Some(&Double));
    assert_eq!(concept(&b, "timeline").status, CriterionStatus::Negative);
}

#[test]
fn the_model_reads_this_contacts_authority() {
    let a = run(&["R: Who makes the call?", "I make the call. [recommends]"], Some(&Double));
    let authority = concept(&a, "authority");
    assert_eq!(authority.status, CriterionStatus::Partial, "{authority:#?}");
    assert_eq!(authority.mode, Mode::Model);
}

#[test]
fn the_model_adds_excuses_and_knowledge_the_rules_phrases_miss() {
    let lines = [
        "R: What has stopped you fixing it so far?",
        "Honestly we never got around to it, other fires kept winning.",
        "R: What is the company focused on?",
        "The board cares most about retention this year. [knows]",
        "R: Anything else?",
        "Our old vendor left us in the lurch last spring. [excuse]",
        "R: Who signs?",
        "Our CFO signs anything over 50k.",
        "R: And before that?",
        "We had a temp who looked at it once. [unsure-excuse]",
    ];
    let rules = run(&lines, None);
    assert!(rules.signals.iter().any(|s| s.kind == SignalKind::Excuse && s.turn == 1), "the rules read an excuse");
    let a = run(&lines, Some(&Double));
    let kinds = |turn: usize| -> Vec<(SignalKind, Mode)> {
        a.signals.iter().filter(|s| s.turn == turn).map(|s| (s.kind, s.mode)).collect()
    };
    // The model reads no excuse where the rules' phrases found one: the phrase stands.
    assert!(kinds(1).contains(&(SignalKind::Excuse, Mode::Rules)), "{:?}", kinds(1));
    assert!(kinds(3).contains(&(SignalKind::Knowledge, Mode::Model)), "{:?}", kinds(3));
    assert!(kinds(5).contains(&(SignalKind::Excuse, Mode::Model)), "{:?}", kinds(5));
    // The model reads no knowledge in the threshold answer; the threshold still shows it.
    assert!(kinds(7).contains(&(SignalKind::Knowledge, Mode::Rules)), "the threshold stays: {:?}", kinds(7));
    // A reading under `MIN_SIGNAL_CONFIDENCE` adds nothing.
    assert!(!kinds(9).iter().any(|(kind, _)| *kind == SignalKind::Excuse), "{:?}", kinds(9));
}

#[test]
fn the_model_finds_contradictions_between_distant_statements() {
    let lines = [
        "R: Is there money for this?",
        "We're covered on that front. [money]",
        "R: Who else is involved?",
        "Just my team.",
        "R: And the budget again?",
        "We can't spend anything this year. [nomoney] [contradicts]",
    ];
    let a = run(&lines, Some(&Double));
    let budget = concept(&a, "budget");
    assert_eq!(budget.status, CriterionStatus::Contradicted, "{budget:#?}");
    assert_eq!(budget.mode, Mode::Model);
    let s = a.signals.iter().find(|s| s.kind == SignalKind::Inconsistency).expect("an inconsistency");
    assert_eq!((s.turn, s.mode), (5, Mode::Model));
    // Without the marker the model sees no contradiction: the latest clear reading stands.
    let calm = run(&lines.map(|l| l.replace(" [contradicts]", "")).each_ref().map(String::as_str), Some(&Double));
    assert_eq!(concept(&calm, "budget").status, CriterionStatus::Negative);
}

#[test]
fn a_failing_model_falls_back_to_the_rules_and_says_why() {
    let a = run(&["R: How is routing going?", "It works fine for us."], Some(&Broken));
    assert_eq!(a.reading.modes, [Mode::Rules]);
    assert!(a.reading.note.contains("the weights are missing"), "{}", a.reading.note);
    assert_eq!(concept(&a, "need").status, CriterionStatus::Negative);
}
