//! Honest evaluation of the analyser on labelled calls, scored **per call**: a signal kind is
//! present in the call or not; a concept's final status is right or not. This is what a user
//! sees (one verdict per call), so it is what we measure.
//!
//! Beside every figure stands the trivial baseline, so a number cannot look good by
//! accident: for signals, "no signal is ever present"; for statuses, "every criterion is
//! `confirmed`".
//!
//! The crate stays pure: callers read the label files and transcripts (the binary's
//! `sift evaluate calls DIR...` and the fixture tests do) and hand the texts in.
//!
//! Label files are the fixture format (`fixtures/calls/**/NAME.toml`, described in
//! `fixtures/calls/LABELLING.md`):
//!
//! ```toml
//! file = "en-foo.txt"        # the transcript, next to the label file
//! language = "en"            # en | zh
//! as_of = "2026-11-26"       # the call date
//! rep = ["Priya"]            # the rep's speaker name(s)
//! signals = [ { kind = "excuse", turn = 3 } ]
//! [concepts]
//! need = "confirmed"
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sift_core::{CriterionStatus, Language, Location};

use crate::analyze::{AnalyzeOptions, analyze};
use crate::meaning::{MeaningModel, Mode};
use crate::signal::SignalKind;

/// The four BANT criteria, by concept id, in the order reports list them.
pub const BANT: [&str; 4] = ["need", "budget", "authority", "timeline"];

/// What a label file says about one call.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallLabels {
    /// The transcript's file name, relative to the label file.
    pub file: String,
    pub language: Language,
    pub as_of: NaiveDate,
    pub rep: Vec<String>,
    #[serde(default)]
    pub signals: Vec<LabelledSignal>,
    #[serde(default)]
    pub concepts: BTreeMap<String, CriterionStatus>,
}

/// A signal a labeller marked, with the turn it is in (turns counted from 0 after
/// consecutive lines of one speaker are joined).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledSignal {
    pub kind: String,
    pub turn: usize,
}

/// Why a labelled call could not be evaluated: the file, where in it when known, and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{file}`{}: {message}", location.map(|l| format!(":{}:{}", l.line, l.column)).unwrap_or_default())]
pub struct EvalError {
    pub file: String,
    pub location: Option<Location>,
    pub message: String,
}

impl CallLabels {
    /// Parses a label file; `source` names it in errors. Signal kinds and concept ids are
    /// checked, so a typo in a label is an error rather than a silent miss.
    pub fn parse(source: &str, text: &str) -> Result<CallLabels, EvalError> {
        let error = |at: Option<usize>, message: String| EvalError {
            file: source.to_owned(),
            location: at.map(|offset| Location::from_offset(text, offset)),
            message,
        };
        let labels: CallLabels = toml::from_str(text)
            .map_err(|e| error(e.span().map(|s| s.start), format!("not a call label file: {}", e.message().trim())))?;
        for s in &labels.signals {
            if SignalKind::parse(&s.kind).is_none() {
                let known = SignalKind::ALL.map(SignalKind::as_str).join(", ");
                let at = text.find(&format!("\"{}\"", s.kind));
                return Err(error(at, format!("unknown signal kind `{}` (known: {known})", s.kind)));
            }
        }
        if let Some(concept) = labels.concepts.keys().find(|c| !crate::evidence::CONCEPTS.contains(&c.as_str())) {
            let at = text.find(concept.as_str());
            let known = crate::evidence::CONCEPTS.join(", ");
            return Err(error(at, format!("unknown concept `{concept}` (known: {known})")));
        }
        Ok(labels)
    }
}

/// One signal kind in one call: the turns labelled and what the analyser found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalOutcome {
    pub kind: SignalKind,
    pub labelled_turns: Vec<usize>,
    /// (turn, quote) of each signal of this kind the analyser reported.
    pub found: Vec<(usize, String)>,
}

impl SignalOutcome {
    pub fn labelled(&self) -> bool {
        !self.labelled_turns.is_empty()
    }
    pub fn detected(&self) -> bool {
        !self.found.is_empty()
    }
}

/// One labelled concept in one call: the label, the analyser's status and what decided it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConceptOutcome {
    pub concept: String,
    pub labelled: CriterionStatus,
    pub got: CriterionStatus,
    /// The evidence the analyser's status rests on, in words (`turn 5: "..." (note)`).
    pub decided_by: Option<String>,
}

/// Everything compared for one call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallOutcome {
    /// The label file's name without `.toml`.
    pub name: String,
    pub language: Language,
    pub signals: Vec<SignalOutcome>,
    pub concepts: Vec<ConceptOutcome>,
    /// Which modes produced the analyser's findings in this call.
    pub modes: Vec<Mode>,
}

impl CallOutcome {
    /// One line per disagreement with the labels.
    pub fn disagreements(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.signals {
            match (s.labelled(), s.detected()) {
                (true, false) => out.push(format!("missed {} (labelled in turn {:?})", s.kind, s.labelled_turns)),
                (false, true) => {
                    let (turn, quote) = &s.found[0];
                    out.push(format!("invented {} (turn {turn}: {quote:?})", s.kind));
                }
                _ => {}
            }
        }
        for c in self.concepts.iter().filter(|c| c.labelled != c.got) {
            let why = c.decided_by.as_deref().map(|d| format!(", from {d}")).unwrap_or_default();
            out.push(format!("{} is {} (labelled {}){why}", c.concept, c.got.name(), c.labelled.name()));
        }
        out
    }
}

/// Analyses one labelled call and compares it with its labels; `meaning`, when given, is the
/// learned reader the analysis combines with the rules.
pub fn evaluate_call(
    name: &str,
    labels: &CallLabels,
    transcript: &str,
    meaning: Option<&dyn MeaningModel>,
) -> Result<CallOutcome, EvalError> {
    let options = AnalyzeOptions {
        reps: &labels.rep,
        language: Some(labels.language),
        as_of: Some(labels.as_of),
        meaning,
        ..AnalyzeOptions::default()
    };
    let analysis = analyze(transcript, &options).map_err(|e| EvalError {
        file: name.to_owned(),
        location: None,
        message: format!("the transcript cannot be read: {e}"),
    })?;
    let signals = SignalKind::ALL
        .into_iter()
        .map(|kind| {
            let mut labelled_turns: Vec<usize> =
                labels.signals.iter().filter(|s| s.kind == kind.as_str()).map(|s| s.turn).collect();
            labelled_turns.sort_unstable();
            labelled_turns.dedup();
            let found = analysis.signals.iter().filter(|s| s.kind == kind).map(|s| (s.turn, s.quote.clone())).collect();
            SignalOutcome { kind, labelled_turns, found }
        })
        .collect();
    let concepts = labels
        .concepts
        .iter()
        .map(|(concept, labelled)| {
            let found = analysis.concepts.iter().find(|c| &c.concept == concept);
            let got = found.map_or(CriterionStatus::Unknown, |c| c.status);
            let decided_by = found.and_then(|c| c.decisive()).map(|e| {
                let quote: String = e.quote.chars().take(90).collect();
                format!("turn {}: \"{quote}\" ({})", e.span.turn, e.note)
            });
            ConceptOutcome { concept: concept.clone(), labelled: *labelled, got, decided_by }
        })
        .collect();
    let mut modes: Vec<Mode> = analysis.signals.iter().map(|s| s.mode).collect();
    modes.extend(analysis.concepts.iter().flat_map(|c| c.evidence.iter().map(|e| e.mode)));
    modes.extend(analysis.reading.modes.iter().copied());
    modes.sort_by_key(|m| *m as u8);
    modes.dedup();
    Ok(CallOutcome { name: name.to_owned(), language: labels.language, signals, concepts, modes })
}

// ---------------------------------------------------------------------------------------
// Figures

/// Per-call agreement for one signal kind, with the all-absent baseline beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalFigure {
    pub kind: SignalKind,
    /// Calls where the labels mark this kind.
    pub labelled: usize,
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    pub tn: usize,
    /// `None` when the analyser never reported this kind.
    pub precision: Option<f64>,
    /// `None` when no call is labelled with this kind.
    pub recall: Option<f64>,
    /// `None` when neither labels nor analyser mark this kind in any call.
    pub f1: Option<f64>,
    /// Share of calls where presence was called right.
    pub accuracy: f64,
    /// The same for "never present".
    pub baseline_accuracy: f64,
}

/// Status accuracy for a group of labelled concepts, with the all-`confirmed` baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusFigure {
    pub name: String,
    pub right: usize,
    pub total: usize,
    pub accuracy: Option<f64>,
    pub baseline_right: usize,
    pub baseline_accuracy: Option<f64>,
}

impl StatusFigure {
    fn new(name: &str, pairs: &[(CriterionStatus, CriterionStatus)]) -> StatusFigure {
        let total = pairs.len();
        let right = pairs.iter().filter(|(l, g)| l == g).count();
        let baseline_right = pairs.iter().filter(|(l, _)| *l == CriterionStatus::Confirmed).count();
        let share = |n: usize| (total > 0).then(|| n as f64 / total as f64);
        StatusFigure {
            name: name.to_owned(),
            right,
            total,
            accuracy: share(right),
            baseline_right,
            baseline_accuracy: share(baseline_right),
        }
    }
}

/// The figures of a set of calls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub calls: usize,
    pub signals: Vec<SignalFigure>,
    /// Mean F1 over the kinds that have an F1 (see `macro_kinds`).
    pub macro_f1: Option<f64>,
    /// How many of the six kinds the macro-F1 covers (a kind neither labelled nor reported
    /// in any call has no F1).
    pub macro_kinds: usize,
    /// Macro-F1 of "never present" over the same kinds: zero whenever any kind is labelled.
    pub baseline_macro_f1: Option<f64>,
    /// BANT statuses, all four criteria together.
    pub bant: StatusFigure,
    /// Need, budget, authority, timeline.
    pub bant_criteria: Vec<StatusFigure>,
    /// Every other labelled concept (competition, metrics, ...).
    pub other_concepts: StatusFigure,
}

/// Figures over `calls`.
pub fn figures(calls: &[&CallOutcome]) -> Figures {
    let signals: Vec<SignalFigure> = SignalKind::ALL
        .into_iter()
        .map(|kind| {
            let (mut tp, mut fp, mut fn_, mut tn) = (0, 0, 0, 0);
            for call in calls {
                let Some(s) = call.signals.iter().find(|s| s.kind == kind) else { continue };
                match (s.labelled(), s.detected()) {
                    (true, true) => tp += 1,
                    (false, true) => fp += 1,
                    (true, false) => fn_ += 1,
                    (false, false) => tn += 1,
                }
            }
            let n = (tp + fp + fn_ + tn).max(1) as f64;
            let precision = (tp + fp > 0).then(|| tp as f64 / (tp + fp) as f64);
            let recall = (tp + fn_ > 0).then(|| tp as f64 / (tp + fn_) as f64);
            let f1 = (tp + fp + fn_ > 0).then(|| 2.0 * tp as f64 / (2 * tp + fp + fn_) as f64);
            SignalFigure {
                kind,
                labelled: tp + fn_,
                tp,
                fp,
                fn_,
                tn,
                precision,
                recall,
                f1,
                accuracy: (tp + tn) as f64 / n,
                baseline_accuracy: (fp + tn) as f64 / n,
            }
        })
        .collect();
    let scored: Vec<f64> = signals.iter().filter_map(|s| s.f1).collect();
    let macro_f1 = (!scored.is_empty()).then(|| scored.iter().sum::<f64>() / scored.len() as f64);
    // "Never present" has F1 0 on every kind with a label, and no F1 where nothing is labelled.
    let baseline_kinds = signals.iter().filter(|s| s.labelled > 0).count();
    let baseline_macro_f1 = (baseline_kinds > 0).then_some(0.0);
    let pairs = |pick: &dyn Fn(&str) -> bool| -> Vec<(CriterionStatus, CriterionStatus)> {
        calls.iter().flat_map(|c| c.concepts.iter()).filter(|c| pick(&c.concept)).map(|c| (c.labelled, c.got)).collect()
    };
    let bant = StatusFigure::new("bant", &pairs(&|c| BANT.contains(&c)));
    let bant_criteria = BANT.iter().map(|name| StatusFigure::new(name, &pairs(&|c| c == *name))).collect();
    let other_concepts = StatusFigure::new("other concepts", &pairs(&|c| !BANT.contains(&c)));
    Figures {
        calls: calls.len(),
        signals,
        macro_f1,
        macro_kinds: scored.len(),
        baseline_macro_f1,
        bant,
        bant_criteria,
        other_concepts,
    }
}

/// One round of labelled calls, evaluated: every call's outcome and the figures overall and
/// per language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundReport {
    pub round: String,
    pub calls: Vec<CallOutcome>,
    pub all: Figures,
    pub languages: BTreeMap<&'static str, Figures>,
}

/// Gathers call outcomes into a round report.
pub fn round_report(round: &str, calls: Vec<CallOutcome>) -> RoundReport {
    let all = figures(&calls.iter().collect::<Vec<_>>());
    let mut languages = BTreeMap::new();
    for language in [Language::En, Language::Zh] {
        let subset: Vec<&CallOutcome> = calls.iter().filter(|c| c.language == language).collect();
        if !subset.is_empty() {
            languages.insert(language.code(), figures(&subset));
        }
    }
    RoundReport { round: round.to_owned(), calls, all, languages }
}

fn ratio(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"))
}

/// The report as text: per-signal and per-criterion tables with baselines, overall and per
/// language; with `details`, every disagreement per call.
pub fn render_text(report: &RoundReport, details: bool) -> String {
    let mut out = String::new();
    let modes: BTreeSet<&str> = report
        .calls
        .iter()
        .flat_map(|c| c.modes.iter())
        .map(|m| match m {
            Mode::Rules => "rules",
            Mode::Model => "model",
            Mode::Llm => "llm",
        })
        .collect();
    let modes = if modes.is_empty() { "rules".to_owned() } else { modes.into_iter().collect::<Vec<_>>().join(" + ") };
    let _ =
        writeln!(out, "round {}: {} calls, scored per call (findings by {modes})", report.round, report.calls.len());
    let mut sections: Vec<(String, &Figures)> = vec![("all".to_owned(), &report.all)];
    if report.languages.len() > 1 {
        sections.extend(report.languages.iter().map(|(l, f)| ((*l).to_owned(), f)));
    }
    for (name, f) in sections {
        let _ = writeln!(
            out,
            "\n  [{name}] {} calls ('calls' below: calls labelled with the kind; base: no signal ever)",
            f.calls
        );
        let _ = writeln!(
            out,
            "  {:<19} {:>5} {:>5} {:>5} {:>5}   {:>9} {:>5}   {:>8} {:>7}",
            "signal", "calls", "prec", "rec", "F1", "tp/fp/fn", "acc", "base acc", "base F1"
        );
        for s in &f.signals {
            let counts = format!("{}/{}/{}", s.tp, s.fp, s.fn_);
            let base_f1 = if s.labelled > 0 { "0.00" } else { "-" };
            let _ = writeln!(
                out,
                "  {:<19} {:>5} {:>5} {:>5} {:>5}   {:>9} {:>5.2}   {:>8.2} {:>7}",
                s.kind.as_str(),
                s.labelled,
                ratio(s.precision),
                ratio(s.recall),
                ratio(s.f1),
                counts,
                s.accuracy,
                s.baseline_accuracy,
                base_f1
            );
        }
        let _ = writeln!(
            out,
            "  macro-F1 {} over {} kinds (baseline, no signal ever: {})",
            ratio(f.macro_f1),
            f.macro_kinds,
            ratio(f.baseline_macro_f1)
        );
        let _ = writeln!(out, "  {:<19} {:>11} {:>6}   {:>17}", "status", "right", "acc", "base: all confirmed");
        for s in std::iter::once(&f.bant).chain(&f.bant_criteria).chain(std::iter::once(&f.other_concepts)) {
            let _ = writeln!(
                out,
                "  {:<19} {:>11} {:>6}   {:>9} {:>7}",
                s.name,
                format!("{}/{}", s.right, s.total),
                ratio(s.accuracy),
                format!("{}/{}", s.baseline_right, s.total),
                ratio(s.baseline_accuracy)
            );
        }
    }
    if details {
        let _ = writeln!(out, "\n  disagreements with the labels:");
        for call in &report.calls {
            let lines = call.disagreements();
            if lines.is_empty() {
                let _ = writeln!(out, "  {}: none", call.name);
            }
            for line in lines {
                let _ = writeln!(out, "  {}: {line}", call.name);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(
        language: Language,
        present: &[(SignalKind, bool, bool)],
        concepts: &[(&str, CriterionStatus, CriterionStatus)],
    ) -> CallOutcome {
        CallOutcome {
            name: "c".into(),
            language,
            signals: SignalKind::ALL
                .into_iter()
                .map(|kind| {
                    let (l, d) = present.iter().find(|(k, ..)| *k == kind).map_or((false, false), |(_, l, d)| (*l, *d));
                    SignalOutcome {
                        kind,
                        labelled_turns: if l { vec![1] } else { vec![] },
                        found: if d { vec![(1, "q".into())] } else { vec![] },
                    }
                })
                .collect(),
            concepts: concepts
                .iter()
                .map(|(c, l, g)| ConceptOutcome { concept: (*c).into(), labelled: *l, got: *g, decided_by: None })
                .collect(),
            modes: vec![Mode::Rules],
        }
    }

    #[test]
    fn figures_are_per_call_with_baselines() {
        use CriterionStatus::*;
        use SignalKind::*;
        let calls = vec![
            outcome(
                Language::En,
                &[(Excuse, true, true), (Specificity, false, true)],
                &[("need", Confirmed, Confirmed), ("budget", Partial, Confirmed)],
            ),
            outcome(
                Language::En,
                &[(Excuse, true, false)],
                &[("need", Negative, Negative), ("competition", Unknown, Unknown)],
            ),
            outcome(Language::Zh, &[(ShortAnswers, true, true)], &[("authority", Partial, Partial)]),
        ];
        let report = round_report("t", calls);
        let excuse = &report.all.signals[0];
        assert_eq!((excuse.tp, excuse.fp, excuse.fn_, excuse.tn), (1, 0, 1, 1));
        assert_eq!(excuse.f1, Some(2.0 / 3.0));
        assert!((excuse.baseline_accuracy - 1.0 / 3.0).abs() < 1e-9);
        let specificity = &report.all.signals[1];
        assert_eq!((specificity.precision, specificity.recall, specificity.f1), (Some(0.0), None, Some(0.0)));
        let knowledge = &report.all.signals[2];
        assert_eq!(knowledge.f1, None, "neither labelled nor found: no F1");
        // excuse 2/3, specificity 0, short answers 1: three kinds scored.
        assert_eq!(report.all.macro_kinds, 3);
        assert!((report.all.macro_f1.unwrap_or(0.0) - (2.0 / 3.0 + 1.0) / 3.0).abs() < 1e-9);
        assert_eq!(report.all.baseline_macro_f1, Some(0.0));
        assert_eq!((report.all.bant.right, report.all.bant.total, report.all.bant.baseline_right), (3, 4, 1));
        assert_eq!((report.all.other_concepts.right, report.all.other_concepts.total), (1, 1));
        let need = &report.all.bant_criteria[0];
        assert_eq!((need.name.as_str(), need.right, need.total), ("need", 2, 2));
        assert_eq!(report.languages.len(), 2);
        assert_eq!(report.languages["zh"].calls, 1);
        let text = render_text(&report, true);
        assert!(text.contains("macro-F1 0.56 over 3 kinds"), "{text}");
        assert!(text.contains("budget is confirmed (labelled partial)"), "{text}");
    }

    #[test]
    fn bad_labels_are_errors_naming_the_file() {
        let ok = "file = \"a.txt\"\nlanguage = \"en\"\nas_of = \"2026-11-26\"\nrep = [\"R\"]\n";
        assert!(CallLabels::parse("a.toml", ok).is_ok());
        let typo = format!("{ok}signals = [{{ kind = \"excuses\", turn = 1 }}]\n");
        let e = CallLabels::parse("a.toml", &typo).expect_err("unknown kind");
        assert!(e.to_string().starts_with("`a.toml`:5:21: unknown signal kind `excuses`"), "{e}");
        let concept = format!("{ok}[concepts]\nneeds = \"confirmed\"\n");
        assert!(CallLabels::parse("a.toml", &concept).expect_err("concept").to_string().contains("`needs`"));
        let field = format!("{ok}extra = 1\n");
        let e = CallLabels::parse("a.toml", &field).expect_err("field").to_string();
        assert!(e.starts_with("`a.toml`:5:1: not a call label file: unknown field `extra`"), "{e}");
    }
}
