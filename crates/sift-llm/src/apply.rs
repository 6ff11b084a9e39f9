//! Merging a grounded large-model reading into the local analysis of the same call: the
//! model's statuses decide the BANT concepts it answered (with its quotes as the evidence),
//! its signals join the local ones, and every finding it produced says so (`Mode::Llm`).

use sift_core::Message;
use sift_signals::analyze::Analysis;
use sift_signals::evidence::{Evidence, Weight};
use sift_signals::meaning::Mode;
use sift_signals::{Polarity, Signal, SignalKind, Span};

use crate::{Concept, LlmAnalysis, Quote};

/// The concept id the local analysis uses for `concept`.
fn concept_id(concept: Concept) -> &'static str {
    match concept {
        Concept::Need => "need",
        Concept::Budget => "budget",
        Concept::Authority => "authority",
        Concept::Timeline => "timeline",
    }
}

fn polarity(kind: SignalKind) -> Polarity {
    match kind {
        SignalKind::Excuse | SignalKind::Specificity | SignalKind::Knowledge => Polarity::Good,
        SignalKind::Inconsistency | SignalKind::ShortAnswers | SignalKind::UnrealisticTarget => Polarity::Red,
    }
}

fn span(q: &Quote) -> Span {
    Span { turn: q.turn, start: q.start, end: q.end }
}

/// Applies `llm` to `analysis`. A concept the model gave no grounded status for keeps the
/// local one; a signal the rules already found in the same turn is not repeated.
pub fn apply(analysis: &mut Analysis, llm: &LlmAnalysis) {
    for status in &llm.statuses {
        let id = concept_id(status.concept);
        let note = Message::new("call.note.llm").with("reason", status.reason.as_str());
        let rule =
            Message::new("call.rule.llm").with("model", llm.model.as_str()).with("reason", status.reason.as_str());
        let evidence: Vec<Evidence> = status
            .quotes
            .iter()
            .map(|q| Evidence {
                span: span(q),
                quote: q.text.clone(),
                note: note.english(),
                note_message: Some(note.clone()),
                says: status.status,
                weight: Weight::Stated,
                mode: Mode::Llm,
                fact: None,
                role: None,
            })
            .collect();
        for concept in analysis.concepts.iter_mut().filter(|c| c.concept == id) {
            concept.status = status.status;
            concept.mode = Mode::Llm;
            concept.decided_by.clone_from(&evidence);
            concept.rule = rule.english();
            concept.rule_message = Some(rule.clone());
            concept.evidence.splice(0..0, evidence.iter().cloned());
        }
        for criterion in analysis.criteria.iter_mut().filter(|c| c.concept == id) {
            criterion.status = status.status;
            criterion.evidence.splice(0..0, evidence.iter().cloned());
        }
    }
    for signal in &llm.signals {
        let turn = signal.quote.turn;
        if analysis.signals.iter().any(|s| s.kind == signal.kind && s.turn == turn) {
            continue;
        }
        let explained = Message::new("call.signal.llm").with("reason", signal.reason.as_str());
        analysis.signals.push(Signal {
            kind: signal.kind,
            polarity: polarity(signal.kind),
            turn,
            span: span(&signal.quote),
            quote: signal.quote.text.clone(),
            explanation: explained.english(),
            explanation_message: Some(explained),
            mode: Mode::Llm,
        });
    }
    analysis.signals.sort_by_key(|s| (s.turn, s.span.start));
    if !analysis.reading.modes.contains(&Mode::Llm) {
        analysis.reading.modes.push(Mode::Llm);
    }
    let dropped = if llm.dropped_claims > 0 {
        format!("; {} of its claims dropped (their quotes are not in the transcript)", llm.dropped_claims)
    } else {
        String::new()
    };
    let cached = if llm.from_cache { " (cached answer)" } else { "" };
    analysis.reading.note = format!(
        "{}; BANT statuses and signals from the large model {}{cached}{dropped}",
        analysis.reading.note, llm.model
    );
}

#[cfg(test)]
mod tests {
    use sift_core::{CriterionStatus, Language};
    use sift_signals::analyze::{AnalyzeOptions, analyze};
    use sift_signals::messages::{nested, said};

    use super::*;
    use crate::GroundedStatus;

    /// What the large model adds says its words through messages too (`call.*.llm`), and
    /// each text is its message's English.
    #[test]
    fn the_large_models_findings_are_said_by_their_messages() {
        let text = "Rep: Is there money for this?\nProspect: We have forty grand approved.\n";
        let mut analysis = analyze(text, &AnalyzeOptions { language: Some(Language::En), ..AnalyzeOptions::default() })
            .expect("analysed");
        let quote = Quote { turn: 1, start: 0, end: 7, text: "We have".into() };
        let llm = LlmAnalysis {
            model: "local-model".into(),
            statuses: vec![GroundedStatus {
                concept: Concept::Budget,
                status: CriterionStatus::Confirmed,
                quotes: vec![quote.clone()],
                reason: "approved budget".into(),
            }],
            signals: vec![crate::GroundedSignal {
                kind: SignalKind::Knowledge,
                quote,
                reason: "knows the numbers".into(),
            }],
            dropped_claims: 0,
            ungrounded_quotes: 0,
            from_cache: false,
        };
        apply(&mut analysis, &llm);
        let mut codes = std::collections::BTreeSet::new();
        for s in said(&analysis) {
            let message = s.message.unwrap_or_else(|| panic!("no message for {}", s.text));
            assert_eq!(message.english(), s.text);
            codes.extend(nested(message).iter().map(|m| m.code.clone()));
        }
        for code in ["call.note.llm", "call.signal.llm", "call.rule.llm"] {
            assert!(codes.contains(code), "{code} in {codes:?}");
        }
    }
}
