//! Rules and a learned reader of meaning, combined.
//!
//! Without a [`MeaningModel`] the analysis runs the rules alone and says so. With one, the
//! call's exchanges (each answer with the question it answers) are read by the model, and its
//! readings are combined with the rule evidence by one explicit policy:
//!
//! - **the rules stay authoritative for figures, dates, quotes and arithmetic**: a budget
//!   figure, a buying date, money lost, a metric against a benchmark, an approval limit
//!   weighed against the budget, and every fact-level conflict (two budget figures, two dates,
//!   two totals) keep their rule evidence whatever the model says;
//! - **the model decides what words mean**: in each answer it read with enough confidence
//!   ([`MIN_CONFIDENCE`]), its reading of need (pain / no pain), of this contact's authority
//!   (decides / recommends / no say), of budget (available / not) and of timeline (committed /
//!   not) replaces the rules' reading of the *words* of that answer (cue phrases, bare replies,
//!   described symptoms, named deciders). Where the model is unsure, the rules' reading stays.
//!   A reading of no pain counts only in an answer that speaks to need: its question asked
//!   about it, or the rules found evidence of need there. Read anywhere, pleasantries
//!   ("Sounds good, thanks.", "方便，你说。", "好 再见") looked like "things work as they are"
//!   to the model (on the tuning rounds: need right in 124 calls of 155 with this, 119
//!   without). A no to buying, to money or to a say is kept wherever it is read: gated the
//!   same way, timeline fell from 117 to 114 (prospects volunteer "nothing this year"). A no
//!   to buying is not read in an answer where the rules found urgency without a date ("the
//!   sooner the better", "越早越好"): that is a timeline partly known, a class the heads do
//!   not have, and they read it as no plan to buy;
//! - excuses and knowledge: the rules' phrase readings stand, and the model adds the ones it
//!   reads in words the phrases miss, at [`MIN_SIGNAL_CONFIDENCE`] (on the tuning rounds with
//!   heads v2, excuse F1 0.97 this way against
//!   0.90 when the model's reading replaced the rules' in every answer it read);
//! - contradictions between distant statements on the same topic are asked of the model pair
//!   by pair ([`MAX_PAIRS`] at most) and added to the rules' fact-level conflicts.
//!
//! Every piece of evidence, every signal and every conflict carries the [`Mode`] that produced
//! it. The model's readings are weighed like statements in words ([`Weight::Stated`]), so the
//! status precedence of [`crate::evidence`] applies unchanged: a figure still outweighs them.

use serde::Serialize;
use sift_core::{CriterionStatus, Message};

use crate::evidence::{AUTHORITY, BUDGET, CONCEPTS, Conflict, Evidence, Item, NEED, TIMELINE, Weight, bit};
use crate::exchange::CallExchange;
use crate::meaning::{
    AuthorityReading, BudgetReading, Exchange, ExchangeMeaning, MeaningError, MeaningModel, Mode, NeedReading, Scored,
    TimelineReading,
};
use crate::roles::FactRole;
use crate::transcript::{Role, Span, Transcript};

/// A label or probability below this is "unsure": the rules' reading stays. Chosen on the
/// tuning rounds (0.5 let wrong readings overturn right rule readings: `dev4` BANT 25 of 48
/// with the model at 0.5, 42 at 0.8, 45 at 0.9).
pub const MIN_CONFIDENCE: f32 = 0.9;

/// An excuse or knowledge the model reads where the rules' phrases found none is added only
/// above this probability. Chosen on the tuning rounds with heads v3 (trained balanced, so
/// more ready to say "yes" than v2): at 0.9 excuse F1 0.93 and knowledge 0.91 (false alarms 17
/// and 12 calls), at 0.95 0.95 and 0.92 (11 and 4), at 0.98 0.95 and 0.91 (6 and 2).
pub const MIN_SIGNAL_CONFIDENCE: f32 = 0.95;

/// A contradiction between two statements is acted on only above this probability: the
/// pairwise head is the model's weakest (held-out macro-F1 0.71), and a false conflict turns a
/// right status into `contradicted`. On the tuning rounds with heads v2, BANT right in 496
/// of 619 calls' criteria at 0.95, 493 at 0.85 (inconsistency F1 0.86 -> 0.88), 464 at 0.7.
pub const MIN_CONTRADICTION: f32 = 0.95;

/// At most this many statement pairs per call are checked for contradictions.
pub const MAX_PAIRS: usize = 32;

/// What the analysis read with, for reports: the modes used, the model if any, and a note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reading {
    pub modes: Vec<Mode>,
    /// What the model is (its `describe()`), when one was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub note: String,
}

impl Reading {
    /// Rules only, and why.
    pub fn rules_only(why: &str) -> Reading {
        Reading { modes: vec![Mode::Rules], model: None, note: format!("rules only: {why}") }
    }
}

/// The model's reading of one answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelReading {
    pub answer_turn: usize,
    pub meaning: ExchangeMeaning,
}

/// The exchanges of a call as the model reads them: the question text (or the rep's last
/// words) and the answer.
pub fn model_exchanges<'t>(
    transcript: &'t Transcript,
    exchanges: &[CallExchange],
    questions: &'t [String],
) -> Vec<Exchange<'t>> {
    exchanges
        .iter()
        .zip(questions)
        .filter_map(|(e, q)| {
            let answer = transcript.turns.get(e.answer_turn)?;
            Some(Exchange { question: q.as_str(), answer: answer.text.as_str(), language: transcript.language })
        })
        .collect()
}

/// Asks the model for its reading of every exchange of the call.
pub fn read(
    model: &dyn MeaningModel,
    transcript: &Transcript,
    exchanges: &[CallExchange],
) -> Result<Vec<ModelReading>, MeaningError> {
    let questions: Vec<String> = exchanges.iter().map(|e| e.question_text(transcript)).collect();
    let input = model_exchanges(transcript, exchanges, &questions);
    let meanings = model.read_exchanges(&input)?;
    if meanings.len() != input.len() {
        return Err(MeaningError(format!("read {} exchanges but returned {} readings", input.len(), meanings.len())));
    }
    Ok(exchanges
        .iter()
        .zip(meanings)
        .map(|(e, meaning)| ModelReading { answer_turn: e.answer_turn, meaning })
        .collect())
}

/// A piece of rule evidence the model's reading may replace: the rules' reading of words,
/// not of a figure, a date or arithmetic.
fn reads_words(concept: usize, evidence: &Evidence) -> bool {
    if evidence.mode != Mode::Rules {
        return false;
    }
    match (concept, evidence.role) {
        // Limits weighed against the budget are arithmetic.
        (_, Some(FactRole::Threshold)) => false,
        // Who decides is meaning: "Helen makes the call, not me", "I make the call".
        (AUTHORITY, _) => true,
        // Figures and dates: money lost, a budget figure, a buying date, a metric against a
        // benchmark.
        (_, Some(_)) => evidence.fact.is_none(),
        (_, None) => true,
    }
}

/// The model's reading of one concept in one answer, as evidence, when it is sure enough.
fn model_evidence(concept: usize, meaning: &ExchangeMeaning, span: Span, quote: &str) -> Option<Evidence> {
    fn sure<T: Copy>(s: &Scored<T>) -> Option<T> {
        (s.confidence >= MIN_CONFIDENCE).then_some(s.label)
    }
    let (says, what, confidence) = match concept {
        NEED => match sure(&meaning.need)? {
            NeedReading::Pain => (CriterionStatus::Confirmed, "need.pain", meaning.need.confidence),
            NeedReading::NoPain => (CriterionStatus::Negative, "need.no_pain", meaning.need.confidence),
            NeedReading::Unclear => return None,
        },
        AUTHORITY => match sure(&meaning.authority)? {
            AuthorityReading::Decides => {
                (CriterionStatus::Confirmed, "authority.decides", meaning.authority.confidence)
            }
            AuthorityReading::Recommends => {
                (CriterionStatus::Partial, "authority.recommends", meaning.authority.confidence)
            }
            AuthorityReading::NoSay => (CriterionStatus::Negative, "authority.no_say", meaning.authority.confidence),
            AuthorityReading::Unclear => return None,
        },
        BUDGET => match sure(&meaning.budget)? {
            BudgetReading::Available => (CriterionStatus::Confirmed, "budget.available", meaning.budget.confidence),
            BudgetReading::NotAvailable => {
                (CriterionStatus::Negative, "budget.not_available", meaning.budget.confidence)
            }
            BudgetReading::Unclear => return None,
        },
        TIMELINE => match sure(&meaning.timeline)? {
            TimelineReading::Committed => {
                (CriterionStatus::Confirmed, "timeline.committed", meaning.timeline.confidence)
            }
            TimelineReading::NotCommitted => {
                (CriterionStatus::Negative, "timeline.not_committed", meaning.timeline.confidence)
            }
            TimelineReading::Unclear => return None,
        },
        _ => return None,
    };
    let note =
        Message::new("call.note.model").with("reading", what).with("confidence", format!("{:.0}", confidence * 100.0));
    Some(Evidence {
        span,
        quote: quote.to_owned(),
        note: note.english(),
        note_message: Some(note),
        says,
        weight: Weight::Stated,
        mode: Mode::Model,
        fact: None,
        role: None,
    })
}

/// The span of a whole answer, trimmed.
fn answer_span(transcript: &Transcript, turn: usize) -> (Span, String) {
    let text = transcript.turns.get(turn).map(|t| t.text.as_str()).unwrap_or("");
    let lead = text.len() - text.trim_start().len();
    let span = Span { turn, start: lead, end: lead + text.trim().len() };
    (span, transcript.quote(span).to_owned())
}

/// Combines the model's readings with the rule evidence items of the evidence pass, in place.
/// `asked` holds, per reading (the exchanges in order), the concepts its question asked about
/// as [`bit`]s.
pub(crate) fn combine_items(transcript: &Transcript, readings: &[ModelReading], asked: &[u32], items: &mut Vec<Item>) {
    for (r, reading) in readings.iter().enumerate() {
        let (span, quote) = answer_span(transcript, reading.answer_turn);
        let here = |i: &&Item| i.at.0 == reading.answer_turn;
        // Read before the model's evidence replaces any rule item of this answer.
        let about_need =
            asked.get(r).is_some_and(|t| t & bit(NEED) != 0) || items.iter().filter(here).any(|i| i.concept == NEED);
        // Urgency without a date is the rules' call: the heads know committed, not
        // committed and unclear, and read "the sooner the better" as no plan to buy.
        let urgent = items.iter().filter(here).any(|i| {
            i.concept == TIMELINE && i.evidence.note_message.as_ref().is_some_and(|m| m.code == "call.note.urgency")
        });
        for concept in [NEED, AUTHORITY, BUDGET, TIMELINE] {
            let Some(evidence) = model_evidence(concept, &reading.meaning, span, &quote) else { continue };
            let denial = evidence.says == CriterionStatus::Negative;
            if denial && (concept == NEED && !about_need || concept == TIMELINE && urgent) {
                continue;
            }
            items.retain(|i| {
                !(i.concept == concept && i.at.0 == reading.answer_turn && reads_words(concept, &i.evidence))
            });
            items.push(Item { concept, at: (reading.answer_turn, span.start), evidence });
        }
    }
}

/// Statement pairs worth asking about: for each BANT concept, each answer with evidence for
/// it against the latest earlier answer with evidence for it, at least one turn apart
/// (within one turn the last statement stands).
pub(crate) fn contradiction_candidates(transcript: &Transcript, items: &[Item]) -> Vec<(usize, usize, usize)> {
    let mut pairs = Vec::new();
    for concept in [NEED, AUTHORITY, BUDGET, TIMELINE] {
        let mut turns: Vec<usize> = items
            .iter()
            .filter(|i| i.concept == concept)
            .map(|i| i.at.0)
            .filter(|t| transcript.turns.get(*t).is_some_and(|turn| turn.role == Role::Prospect))
            .collect();
        turns.sort_unstable();
        turns.dedup();
        for pair in turns.windows(2) {
            if pair[1] > pair[0] + 1 {
                pairs.push((concept, pair[0], pair[1]));
            }
        }
    }
    pairs.truncate(MAX_PAIRS);
    pairs
}

/// Asks the model which candidate pairs contradict each other; each one it is sure of becomes
/// a conflict (mode `model`).
pub(crate) fn model_conflicts(
    model: &dyn MeaningModel,
    transcript: &Transcript,
    candidates: &[(usize, usize, usize)],
) -> Result<Vec<Conflict>, MeaningError> {
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let texts: Vec<(String, String)> =
        candidates.iter().map(|(_, a, b)| (answer_span(transcript, *a).1, answer_span(transcript, *b).1)).collect();
    let pairs: Vec<(&str, &str)> = texts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let probabilities = model.contradiction(&pairs, transcript.language)?;
    if probabilities.len() != pairs.len() {
        return Err(MeaningError(format!(
            "checked {} pairs but returned {} probabilities",
            pairs.len(),
            probabilities.len()
        )));
    }
    Ok(candidates
        .iter()
        .zip(probabilities)
        .filter(|(_, p)| *p >= MIN_CONTRADICTION)
        .map(|(&(concept, a, b), p)| {
            let (earlier, earlier_quote) = answer_span(transcript, a);
            let (later, later_quote) = answer_span(transcript, b);
            let explanation = Message::new("call.conflict.model")
                .with("later_turn", b.to_string())
                .with("turn", a.to_string())
                .with("concept", CONCEPTS[concept])
                .with("confidence", format!("{:.0}", p * 100.0))
                .with("quote", earlier_quote.as_str());
            Conflict {
                subject: CONCEPTS[concept].to_owned(),
                concept: Some(CONCEPTS[concept].to_owned()),
                mode: Mode::Model,
                explanation: explanation.english(),
                explanation_message: Some(explanation),
                earlier,
                earlier_quote,
                later,
                later_quote,
            }
        })
        .collect())
}
