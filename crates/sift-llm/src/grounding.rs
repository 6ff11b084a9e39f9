//! Grounding: a claim counts only if its quotes are the prospect's words in the transcript.
//!
//! Matching forgives what copying text through a model changes without changing the words:
//! runs of whitespace, curly against straight quotes, ASCII case, surrounding quote marks and
//! ellipses. Nothing else: a paraphrase is not a quote.

use sift_signals::{Role, SignalKind, Transcript};

use crate::schema::{RawReading, RawSignalKind};
use crate::{Concept, GroundedSignal, GroundedStatus, LlmAnalysis, Quote};
use sift_core::CriterionStatus;

/// The text in comparable form, with the byte offset in the original of each character kept.
pub fn normalise(text: &str) -> (String, Vec<usize>) {
    let mut out = String::new();
    let mut offsets = Vec::new();
    let mut pending_space: Option<usize> = None;
    for (at, c) in text.char_indices() {
        if c.is_whitespace() {
            pending_space.get_or_insert(at);
            continue;
        }
        if let Some(space_at) = pending_space.take() {
            if !out.is_empty() {
                out.push(' ');
                offsets.push(space_at);
            }
        }
        let folded = match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201F}' => '"',
            other => other.to_ascii_lowercase(),
        };
        out.push(folded);
        offsets.push(at);
    }
    (out, offsets)
}

/// The quote without what a model tends to wrap it in.
fn trimmed_quote(quote: &str) -> String {
    let (normalised, _) = normalise(quote);
    normalised
        .trim_matches(|c: char| matches!(c, '"' | '\'' | '「' | '」' | '“' | '”' | ' ' | '…'))
        .trim_end_matches("...")
        .trim_start_matches("...")
        .trim()
        .to_owned()
}

/// Finds `quote` in one turn; the byte range in the turn's original text.
fn find_in(text: &str, quote: &str) -> Option<(usize, usize)> {
    let (haystack, offsets) = normalise(text);
    let at = haystack.find(quote)?;
    let first = haystack[..at].chars().count();
    let count = quote.chars().count();
    let start = *offsets.get(first)?;
    let last = *offsets.get(first + count - 1)?;
    let end = last + text[last..].chars().next().map_or(0, char::len_utf8);
    Some((start, end))
}

/// Locates a quote among the prospect's turns: the named turn first, else the nearest other
/// prospect turn holding it. `None` when it is nowhere (or too short to mean anything).
fn locate(transcript: &Transcript, turn: usize, quote: &str) -> Option<Quote> {
    let wanted = trimmed_quote(quote);
    if wanted.chars().count() < 2 {
        return None;
    }
    let mut candidates: Vec<&sift_signals::Turn> = transcript.prospect_turns().collect();
    candidates.sort_by_key(|t| t.index.abs_diff(turn));
    candidates.into_iter().find_map(|t| {
        find_in(&t.text, &wanted).map(|(start, end)| Quote {
            turn: t.index,
            start,
            end,
            text: t.text[start..end].to_owned(),
        })
    })
}

fn signal_kind(kind: RawSignalKind) -> SignalKind {
    match kind {
        RawSignalKind::Excuse => SignalKind::Excuse,
        RawSignalKind::Specificity => SignalKind::Specificity,
        RawSignalKind::Knowledge => SignalKind::Knowledge,
        RawSignalKind::Inconsistency => SignalKind::Inconsistency,
        RawSignalKind::ShortAnswers => SignalKind::ShortAnswers,
        RawSignalKind::UnrealisticTarget => SignalKind::UnrealisticTarget,
    }
}

/// Keeps the grounded part of a reading. A status other than `unknown` needs at least one
/// grounded quote; a signal needs its quote; a second entry for one concept is dropped.
pub fn ground(reading: &RawReading, transcript: &Transcript) -> LlmAnalysis {
    let mut analysis = LlmAnalysis {
        model: String::new(),
        statuses: Vec::new(),
        signals: Vec::new(),
        dropped_claims: 0,
        ungrounded_quotes: 0,
        from_cache: false,
    };
    let mut seen: Vec<Concept> = Vec::new();
    for criterion in &reading.criteria {
        if seen.contains(&criterion.concept) {
            analysis.dropped_claims += 1;
            continue;
        }
        seen.push(criterion.concept);
        let mut quotes = Vec::new();
        for quote in &criterion.quotes {
            match locate(transcript, quote.turn, &quote.text) {
                Some(found) => quotes.push(found),
                None => analysis.ungrounded_quotes += 1,
            }
        }
        if criterion.status != CriterionStatus::Unknown && quotes.is_empty() {
            analysis.dropped_claims += 1;
            continue;
        }
        if criterion.status == CriterionStatus::Unknown {
            quotes.clear();
        }
        analysis.statuses.push(GroundedStatus {
            concept: criterion.concept,
            status: criterion.status,
            quotes,
            reason: criterion.reason.clone(),
        });
    }
    for signal in &reading.signals {
        match locate(transcript, signal.turn, &signal.quote) {
            Some(quote) => analysis.signals.push(GroundedSignal {
                kind: signal_kind(signal.kind),
                quote,
                reason: signal.reason.clone(),
            }),
            None => {
                analysis.ungrounded_quotes += 1;
                analysis.dropped_claims += 1;
            }
        }
    }
    // Rep turns never ground anything: `locate` searches prospect turns only.
    debug_assert!(analysis.signals.iter().all(|s| transcript.turns[s.quote.turn].role == Role::Prospect));
    analysis
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{RawCriterion, RawQuote, RawSignal};
    use sift_core::Language;

    fn call() -> Transcript {
        Transcript::from_turns(
            Language::En,
            &[
                ("Dana", Role::Rep, "How much have you set aside for this?"),
                ("Jordan", Role::Prospect, "We’ve got about   40,000 EUR approved for Q3."),
                ("Dana", Role::Rep, "And who signs?"),
                ("Jordan", Role::Prospect, "Not me. Linda signs anything over 25k."),
                ("Dana", Role::Rep, "我们下个月能上线吗？"),
                ("Jordan", Role::Prospect, "下个月可以，合同年底前要签。"),
            ],
        )
    }

    fn quote(turn: usize, text: &str) -> RawQuote {
        RawQuote { turn, text: text.into() }
    }

    #[test]
    fn quotes_are_found_despite_spacing_case_and_curly_marks() {
        let t = call();
        let found = locate(&t, 1, "\"we've got about 40,000 eur approved\"").unwrap();
        assert_eq!((found.turn, found.text.as_str()), (1, "We’ve got about   40,000 EUR approved"));
        assert_eq!(&t.turns[1].text[found.start..found.end], found.text);
        // Chinese, and a wrong turn number corrected to the turn that holds the words.
        let found = locate(&t, 3, "合同年底前要签").unwrap();
        assert_eq!((found.turn, found.text.as_str()), (5, "合同年底前要签"));
    }

    #[test]
    fn paraphrases_rep_words_and_empty_quotes_are_not_grounded() {
        let t = call();
        assert_eq!(locate(&t, 1, "we have forty thousand euros"), None);
        assert_eq!(locate(&t, 0, "How much have you set aside"), None, "the rep's words never ground");
        assert_eq!(locate(&t, 1, " … "), None);
        assert_eq!(locate(&t, 1, "W"), None);
    }

    #[test]
    fn ungrounded_claims_are_dropped_and_counted() {
        let reading = RawReading {
            criteria: vec![
                RawCriterion {
                    concept: Concept::Budget,
                    status: CriterionStatus::Confirmed,
                    quotes: vec![quote(1, "40,000 EUR approved"), quote(1, "a big budget")],
                    reason: "amount approved".into(),
                },
                RawCriterion {
                    concept: Concept::Need,
                    status: CriterionStatus::Confirmed,
                    quotes: vec![quote(3, "we lose deals every week")],
                    reason: "invented".into(),
                },
                RawCriterion {
                    concept: Concept::Timeline,
                    status: CriterionStatus::Unknown,
                    quotes: vec![],
                    reason: String::new(),
                },
                RawCriterion {
                    concept: Concept::Budget,
                    status: CriterionStatus::Negative,
                    quotes: vec![quote(1, "40,000 EUR")],
                    reason: "a second budget entry".into(),
                },
            ],
            signals: vec![
                RawSignal {
                    kind: RawSignalKind::Knowledge,
                    turn: 3,
                    quote: "Linda signs anything over 25k".into(),
                    reason: String::new(),
                },
                RawSignal {
                    kind: RawSignalKind::Excuse,
                    turn: 3,
                    quote: "we never had the time".into(),
                    reason: String::new(),
                },
            ],
        };
        let analysis = ground(&reading, &call());
        let concepts: Vec<Concept> = analysis.statuses.iter().map(|s| s.concept).collect();
        assert_eq!(concepts, vec![Concept::Budget, Concept::Timeline]);
        assert_eq!(analysis.statuses[0].quotes.len(), 1);
        assert_eq!(analysis.signals.len(), 1);
        assert_eq!(analysis.signals[0].kind, SignalKind::Knowledge);
        // need (invented quote), the duplicate budget, the invented excuse.
        assert_eq!(analysis.dropped_claims, 3);
        // "a big budget", "we lose deals every week", "we never had the time".
        assert_eq!(analysis.ungrounded_quotes, 3);
    }
}
