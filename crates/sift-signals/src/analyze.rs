//! One call, analysed: the entry point that runs every analyser and gathers the results.

use chrono::NaiveDate;
use serde::Serialize;
use sift_core::{CriterionStatus, Framework, Language};

use crate::combine::{ModelReading, Reading};
use crate::evidence::ConceptEvidence;
use crate::lexicon::Lexicon;
use crate::meaning::{MeaningModel, Mode};
use crate::metrics::{Metrics, QuestionTally, measure};
use crate::signal::{Polarity, Signal, SignalKind};
use crate::signals::{phrase_signals, short_answer_signals};
use crate::transcript::{
    Format, RepChoice, Span, Transcript, TranscriptError, choose_reps, into_transcript, parse_transcript,
};

/// What the caller knows about the call.
#[derive(Clone, Default)]
pub struct AnalyzeOptions<'a> {
    /// The rep's speaker names; empty: infer.
    pub reps: &'a [String],
    /// `None`: detect from the text.
    pub language: Option<Language>,
    /// Frameworks to report criteria for.
    pub frameworks: Vec<&'a Framework>,
    /// The date of the call, to resolve "next quarter".
    pub as_of: Option<NaiveDate>,
    /// The user's extra lexicon entries, of any kind: `excuse`/`knowledge` add signal
    /// phrases, question kinds add to question coaching, evidence kinds (`budget.confirmed`,
    /// `need.symptom`...) add criterion cues. An entry with a built-in id replaces it.
    pub extra_lexicons: &'a [Lexicon],
    /// A learned reader of meaning to combine with the rules ([`crate::combine`]); `None`:
    /// rules only, and the analysis says so.
    pub meaning: Option<&'a dyn MeaningModel>,
}

impl std::fmt::Debug for AnalyzeOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnalyzeOptions")
            .field("reps", &self.reps)
            .field("language", &self.language)
            .field("frameworks", &self.frameworks.iter().map(|fw| fw.id.as_str()).collect::<Vec<_>>())
            .field("as_of", &self.as_of)
            .field("extra_lexicons", &self.extra_lexicons.len())
            .field("meaning", &self.meaning.map(|m| m.describe()))
            .finish()
    }
}

/// A rep question, located in the call, with its coaching.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AskedQuestion {
    pub turn: usize,
    pub span: Span,
    pub text: String,
    pub form: crate::questions::QuestionForm,
    pub leading: bool,
    pub rewrite: Option<String>,
    pub reasons: Vec<String>,
}

/// Everything Sift read from one call.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub format: Format,
    pub language: Language,
    pub rep: RepChoice,
    pub transcript: Transcript,
    pub metrics: Metrics,
    pub questions: Vec<AskedQuestion>,
    pub signals: Vec<Signal>,
    pub concepts: Vec<crate::evidence::ConceptEvidence>,
    pub criteria: Vec<crate::evidence::CriterionEvidence>,
    /// What the analysis read with: rules only, or rules and a meaning model.
    pub reading: Reading,
}

/// Reads and analyses a call transcript in any of the supported formats.
pub fn analyze(text: &str, options: &AnalyzeOptions<'_>) -> Result<Analysis, TranscriptError> {
    let raw = parse_transcript(text)?;
    let format = raw.format;
    let rep = choose_reps(&raw, options.reps)?;
    let transcript = into_transcript(raw, &rep, options.language);
    Ok(analyze_transcript(transcript, format, rep, options))
}

/// Analyses a transcript already split into turns.
pub fn analyze_transcript(
    transcript: Transcript,
    format: Format,
    rep: RepChoice,
    options: &AnalyzeOptions<'_>,
) -> Analysis {
    let extended = |name: &str, language: Language| {
        let mut lexicon = Lexicon::builtin(name, language);
        for extra in options.extra_lexicons {
            lexicon.extend(extra.clone());
        }
        lexicon
    };
    let question_lexicon = (!options.extra_lexicons.is_empty()).then(|| extended("questions", transcript.language));
    let questions = rep_questions(&transcript, question_lexicon.as_ref());
    let tally = QuestionTally {
        open: questions.iter().filter(|q| q.form == crate::questions::QuestionForm::Open).count(),
        closed: questions.iter().filter(|q| q.form == crate::questions::QuestionForm::Closed).count(),
        leading: questions.iter().filter(|q| q.leading).count(),
    };
    let metrics = measure(&transcript, tally);
    let as_of = options.as_of.unwrap_or_default();
    let user_cues = (!options.extra_lexicons.is_empty())
        .then(|| crate::evidence::Cues::new(&extended("evidence", Language::En), &extended("evidence", Language::Zh)));
    let cues = user_cues.as_ref().unwrap_or_else(|| crate::evidence::Cues::builtin());
    let (call, reading) = match options.meaning {
        None => (
            crate::evidence::analyse_call_with(&transcript, as_of, cues),
            Reading::rules_only("no meaning model was given"),
        ),
        Some(model) => match crate::evidence::analyse_call_meaning(&transcript, as_of, cues, model) {
            Ok(call) => (
                call,
                Reading {
                    modes: vec![Mode::Rules, Mode::Model],
                    model: Some(model.describe()),
                    note: "rules for figures, dates and arithmetic; the model for what the words mean".to_owned(),
                },
            ),
            Err(e) => (
                crate::evidence::analyse_call_with(&transcript, as_of, cues),
                Reading { modes: vec![Mode::Rules], model: Some(model.describe()), note: format!("rules only: {e}") },
            ),
        },
    };
    let mut signals = phrase_signals(&transcript, options.extra_lexicons);
    signals.extend(short_answer_signals(&transcript));
    signals.extend(crate::fact_signals::fact_signals(&transcript, &call));
    if !call.readings.is_empty() {
        signals = meaning_signals(&transcript, signals, &call.readings);
    }
    let concepts = discount_unrealistic_targets(call.concepts, &signals);
    signals.sort_by_key(|s| (s.turn, s.span.start, s.kind));
    // One signal of a kind per turn and overlapping span: a phrase and a structural reading of
    // the same words are one finding. Sorted by turn, so only the kept tail of this turn can
    // hold the same finding.
    let mut kept: Vec<Signal> = Vec::with_capacity(signals.len());
    for s in signals {
        let same = kept.iter().rev().take_while(|k| k.turn == s.turn).any(|k| {
            k.kind == s.kind
                && k.turn == s.turn
                && (k.kind == SignalKind::Excuse || k.span.start < s.span.end && s.span.start < k.span.end)
        });
        if !same {
            kept.push(s);
        }
    }
    let signals = kept;
    let criteria =
        options.frameworks.iter().flat_map(|f| crate::evidence::criteria_for(f, &concepts)).collect::<Vec<_>>();
    Analysis {
        format,
        language: transcript.language,
        rep,
        transcript,
        metrics,
        questions,
        signals,
        concepts,
        criteria,
        reading,
    }
}

/// Excuses and knowledge the model reads in words are added where the rules' phrases found
/// none in that answer; the rules' readings stand.
fn meaning_signals(transcript: &Transcript, signals: Vec<Signal>, readings: &[ModelReading]) -> Vec<Signal> {
    let mut out = signals;
    for r in readings {
        let Some(turn) = transcript.turns.get(r.answer_turn) else { continue };
        let text = turn.text.trim();
        let start = turn.text.len() - turn.text.trim_start().len();
        let span = Span { turn: r.answer_turn, start, end: start + text.len() };
        for (kind, p) in [(SignalKind::Excuse, r.meaning.excuse), (SignalKind::Knowledge, r.meaning.knowledge)] {
            if p >= crate::combine::MIN_SIGNAL_CONFIDENCE
                && !out.iter().any(|s| s.kind == kind && s.turn == r.answer_turn)
            {
                let explained = sift_core::Message::new("call.signal.model")
                    .with("kind", kind.as_str())
                    .with("confidence", format!("{:.0}", p * 100.0));
                out.push(Signal {
                    kind,
                    polarity: Polarity::Good,
                    turn: r.answer_turn,
                    span,
                    quote: text.to_owned(),
                    explanation: explained.english(),
                    explanation_message: Some(explained),
                    mode: Mode::Model,
                });
            }
        }
    }
    out
}

/// A criterion backed only by an unrealistic target ("quadruple revenue in two weeks") is
/// not established: the figure shows poor grip on the business, not a metric to sell to.
fn discount_unrealistic_targets(mut concepts: Vec<ConceptEvidence>, signals: &[Signal]) -> Vec<ConceptEvidence> {
    let absurd: Vec<Span> =
        signals.iter().filter(|s| s.kind == SignalKind::UnrealisticTarget).map(|s| s.span).collect();
    let overlaps = |a: &Span, b: &Span| a.turn == b.turn && a.start < b.end && b.start < a.end;
    for c in &mut concepts {
        // Only what confirms counts here: a vague "sometime in the new year" beside a deadline
        // said inside an absurd target leaves the timeline partial, not confirmed.
        let absurd_at = |e: &crate::evidence::Evidence| absurd.iter().any(|u| overlaps(u, &e.span));
        let mut confirming = c.evidence.iter().filter(|e| e.says == CriterionStatus::Confirmed).peekable();
        let only_absurd = confirming.peek().is_some() && confirming.all(absurd_at);
        if c.status == CriterionStatus::Confirmed && only_absurd {
            c.status = CriterionStatus::Partial;
            for e in c.evidence.iter_mut().filter(|e| absurd_at(e)) {
                e.set_note(sift_core::Message::new("call.note.unrealistic").with_arg("note", e.note_arg()));
            }
        }
    }
    concepts
}

/// Every question the rep asks, one per question sentence, coached (with the user's
/// extended lexicon when there is one).
fn rep_questions(transcript: &Transcript, lexicon: Option<&Lexicon>) -> Vec<AskedQuestion> {
    let mut out = Vec::new();
    for turn in transcript.rep_turns() {
        for (start, end) in crate::questions::split_questions(&turn.text, transcript.language) {
            let text = turn.text[start..end].trim();
            let coaching = match lexicon {
                Some(lexicon) => crate::questions::coach_with(text, lexicon),
                None => crate::questions::coach(text, transcript.language),
            };
            out.push(AskedQuestion {
                turn: turn.index,
                span: Span { turn: turn.index, start, end },
                text: text.to_owned(),
                form: coaching.form,
                leading: coaching.leading,
                rewrite: coaching.rewrite,
                reasons: coaching.reasons,
            });
        }
    }
    out
}

impl Analysis {
    /// The same analysis with every span in characters (Unicode scalar values) of its turn's
    /// text instead of bytes: what reports for other programs use.
    pub fn with_char_spans(mut self) -> Analysis {
        let turns = &self.transcript.turns;
        let convert = |span: &mut Span| {
            if let Some(turn) = turns.get(span.turn) {
                let start = char_offset(&turn.text, span.start);
                span.end = start + turn.text.get(span.start..span.end).map_or(0, |s| s.chars().count());
                span.start = start;
            }
        };
        self.questions.iter_mut().for_each(|q| convert(&mut q.span));
        self.signals.iter_mut().for_each(|s| convert(&mut s.span));
        for c in &mut self.concepts {
            c.evidence.iter_mut().for_each(|e| convert(&mut e.span));
        }
        for c in &mut self.criteria {
            c.evidence.iter_mut().for_each(|e| convert(&mut e.span));
        }
        self
    }
}

/// Byte offset to character offset within a text.
pub fn char_offset(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or_else(|| text.chars().count(), |s| s.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unrealistic_target_does_not_confirm_the_metric_it_states() {
        let text = "Rep: What are you hoping to achieve?\nBuyer: We want to quadruple revenue in the next two weeks.\n\
                    Rep: What does success look like?\nBuyer: Honestly, just fewer leads dropped.\n";
        let reps = vec!["Rep".to_owned()];
        let options =
            AnalyzeOptions { reps: &reps, as_of: NaiveDate::from_ymd_opt(2026, 11, 26), ..AnalyzeOptions::default() };
        let analysis = analyze(text, &options).expect("analyses");
        assert!(analysis.signals.iter().any(|s| s.kind == SignalKind::UnrealisticTarget), "{:#?}", analysis.signals);
        let backed: Vec<&ConceptEvidence> =
            analysis.concepts.iter().filter(|c| c.evidence.iter().any(|e| e.quote.contains("quadruple"))).collect();
        assert!(!backed.is_empty(), "the target is read as evidence for some concept (metrics, goals)");
        for c in backed {
            assert_eq!(c.status, CriterionStatus::Partial, "{} confirmed by an absurd target: {c:#?}", c.concept);
        }
    }

    /// A deadline said inside an absurd target, beside a vague window said later: the
    /// timeline stays partial.
    #[test]
    fn a_deadline_inside_an_absurd_target_does_not_confirm_the_timeline() {
        let text = "Rep: What would you want it to do?\n\
                    Buyer: ideally we go from first call to signed contract in one day right now it's about six weeks and i want that by april\n\
                    Rep: And when would you want to be up and running?\n\
                    Buyer: sometime in the new year-ish, no fixed date\n";
        let reps = vec!["Rep".to_owned()];
        let options =
            AnalyzeOptions { reps: &reps, as_of: NaiveDate::from_ymd_opt(2026, 12, 1), ..AnalyzeOptions::default() };
        let analysis = analyze(text, &options).expect("analyses");
        assert!(analysis.signals.iter().any(|s| s.kind == SignalKind::UnrealisticTarget), "{:#?}", analysis.signals);
        let timeline = analysis.concepts.iter().find(|c| c.concept == "timeline").expect("timeline");
        assert_eq!(timeline.status, CriterionStatus::Partial, "{timeline:#?}");
    }
}
