//! Exchanges: each prospect answer paired with the rep question(s) it answers.
//!
//! What an answer is about comes from the question actually asked, not from words anywhere
//! in the rep's turn: "We help teams cut costs. When do you need this live?" asks about
//! timing, not money. Short answers ("Not me.", "Linda. Or the owners.", "不是我") are read
//! with their question.
//!
//! Rules, in order:
//! - the question sentences of the rep turn right before the answer (found among all of the
//!   turn's sentences, punctuated or not, by [`crate::questions::split_questions`]); at most
//!   the last [`MAX_QUESTIONS`] of them, since an answer addresses what was asked last;
//! - a rep turn that only acknowledges ("Mm-hm.", "Got it.", "好的。"), with no question of its
//!   own, carries the previous exchange's question over: the prospect is still answering it;
//! - otherwise (the rep pitched or told something) the exchange has no question, and the
//!   rep's last sentence is kept as context.

use serde::Serialize;
use sift_core::Language;

use crate::transcript::{Role, Span, Transcript, word_count};

/// An answer addresses at most this many of the questions asked in the rep turn before it.
pub const MAX_QUESTIONS: usize = 3;

/// A rep turn of at most this many words without a question is an acknowledgement.
const ACKNOWLEDGEMENT_WORDS: usize = 6;

/// One prospect answer and what it answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallExchange {
    /// The prospect turn.
    pub answer_turn: usize,
    /// The question sentences the answer responds to, as spans of rep turns; empty when the
    /// rep asked nothing.
    pub questions: Vec<Span>,
    /// The question was asked before an acknowledgement and carried over to this answer.
    pub carried: bool,
    /// When no question was asked: the rep's last sentence before the answer, for context.
    pub context: Option<Span>,
}

impl CallExchange {
    /// The question text (the question sentences joined), or the rep's last sentence when
    /// nothing was asked, or "".
    pub fn question_text(&self, transcript: &Transcript) -> String {
        let spans: Vec<Span> =
            if self.questions.is_empty() { self.context.into_iter().collect() } else { self.questions.clone() };
        let joiner = if transcript.language == Language::Zh { "" } else { " " };
        spans.iter().map(|s| transcript.quote(*s)).collect::<Vec<_>>().join(joiner)
    }

    /// Whether the rep asked a question this answer responds to.
    pub fn asked(&self) -> bool {
        !self.questions.is_empty()
    }
}

/// The exchanges of a call, one per prospect turn, in order.
pub fn exchanges(transcript: &Transcript) -> Vec<CallExchange> {
    let language = transcript.language;
    let mut out: Vec<CallExchange> = Vec::new();
    let mut last_questions: Vec<Span> = Vec::new();
    for (i, turn) in transcript.turns.iter().enumerate() {
        if turn.role != Role::Prospect {
            continue;
        }
        let rep = i.checked_sub(1).and_then(|j| transcript.turns.get(j)).filter(|t| t.role == Role::Rep);
        let mut exchange = CallExchange { answer_turn: i, questions: Vec::new(), carried: false, context: None };
        if let Some(rep) = rep {
            let found = crate::questions::split_questions(&rep.text, language);
            if found.is_empty() {
                if word_count(&rep.text) <= ACKNOWLEDGEMENT_WORDS && !last_questions.is_empty() {
                    exchange.questions.clone_from(&last_questions);
                    exchange.carried = true;
                } else {
                    exchange.context =
                        last_sentence(&rep.text).map(|(start, end)| Span { turn: rep.index, start, end });
                    last_questions.clear();
                }
            } else {
                let skip = found.len().saturating_sub(MAX_QUESTIONS);
                exchange.questions =
                    found.into_iter().skip(skip).map(|(start, end)| Span { turn: rep.index, start, end }).collect();
                last_questions.clone_from(&exchange.questions);
            }
        }
        out.push(exchange);
    }
    out
}

/// The byte range of the last sentence of a text, trimmed.
fn last_sentence(text: &str) -> Option<(usize, usize)> {
    let ranges = crate::facts::sentences(text);
    ranges.into_iter().rev().find(|(a, b)| !text[*a..*b].trim().is_empty()).map(|(a, b)| {
        let piece = &text[a..b];
        let lead = piece.len() - piece.trim_start().len();
        (a + lead, a + piece.trim_end().len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(language: Language, lines: &[&str]) -> Transcript {
        let turns: Vec<(&str, Role, &str)> = lines
            .iter()
            .map(|l| match l.strip_prefix("R:") {
                Some(rest) => ("Rep", Role::Rep, rest.trim()),
                None => ("Prospect", Role::Prospect, l.trim()),
            })
            .collect();
        Transcript::from_turns(language, &turns)
    }

    fn questions(language: Language, lines: &[&str]) -> Vec<String> {
        let t = call(language, lines);
        exchanges(&t).iter().map(|e| e.question_text(&t)).collect()
    }

    #[test]
    fn the_question_is_the_question_sentences_not_the_pitch() {
        assert_eq!(
            questions(
                Language::En,
                &["R: We help teams cut costs and budgets stretch further. When do you need this live?", "By March."]
            ),
            ["When do you need this live?"]
        );
        assert_eq!(
            questions(Language::En, &["R: okay great so what budget have you set aside for this", "about forty k"]),
            ["what budget have you set aside for this"]
        );
        assert_eq!(questions(Language::Zh, &["R: 我们服务过很多客户。最后谁来拍板？", "不是我。"]), ["最后谁来拍板？"]);
    }

    #[test]
    fn an_acknowledgement_carries_the_question_over_and_a_pitch_does_not() {
        let t = call(
            Language::En,
            &[
                "R: Who signs off on this?",
                "Linda.",
                "R: Mm-hm.",
                "Or the owners.",
                "R: We integrate with every CRM on the market, which our customers love.",
                "Nice.",
            ],
        );
        let found = exchanges(&t);
        assert_eq!(found.len(), 3);
        assert_eq!(found[1].question_text(&t), "Who signs off on this?");
        assert!(found[1].carried && found[1].asked());
        assert!(!found[2].asked());
        assert_eq!(found[2].question_text(&t), "We integrate with every CRM on the market, which our customers love.");
    }

    #[test]
    fn many_questions_in_one_turn_keep_the_last_ones() {
        let t = call(Language::En, &["R: Hi. How are you? Is it sunny? What's the team size? Who decides?", "Me."]);
        let found = exchanges(&t);
        assert_eq!(found[0].questions.len(), MAX_QUESTIONS);
        assert_eq!(found[0].question_text(&t), "Is it sunny? What's the team size? Who decides?");
        let opening = call(Language::En, &["Hello?", "R: Hi, is this Lee?"]);
        assert_eq!(exchanges(&opening)[0].question_text(&opening), "");
    }
}
