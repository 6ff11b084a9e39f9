//! Phrase- and pattern-based signals in the prospect's turns: `excuse` and `knowledge`
//! (good signs, from the `signals` lexicon) and `short_answers` (a red flag, from the shape
//! of the replies).

use std::sync::OnceLock;

use sift_core::{Language, Message};

use crate::lexicon::Lexicon;
use crate::meaning::Mode;
use crate::signal::{Polarity, Signal, SignalKind};
use crate::transcript::{Role, Span, Transcript, word_count};

/// A knowledge cue counts only in a turn of at least this many words: "our goal is... yes"
/// says nothing.
const KNOWLEDGE_MIN_WORDS: usize = 10;

/// Replies of at most this many words are short.
pub const SHORT_REPLY_WORDS: usize = 3;

/// Short replies form a pattern when there are at least this many...
const SHORT_PATTERN_MIN: usize = 3;
/// ...and they are at least this share of the prospect's replies to questions.
const SHORT_PATTERN_SHARE: f64 = 0.3;

fn builtin(language: Language) -> &'static Lexicon {
    static EN: OnceLock<Lexicon> = OnceLock::new();
    static ZH: OnceLock<Lexicon> = OnceLock::new();
    match language {
        Language::En => EN.get_or_init(|| Lexicon::builtin("signals", Language::En)),
        Language::Zh => ZH.get_or_init(|| Lexicon::builtin("signals", Language::Zh)),
    }
}

/// The built-in signals lexicon for a language, to extend with a user's entries.
pub fn signals_lexicon(language: Language) -> Lexicon {
    builtin(language).clone()
}

/// Excuses and knowledge, found by the lexicon in the prospect's turns. Both languages'
/// entries run on every turn, so a bilingual call is read in full. `extra` holds user
/// entries (kinds `excuse` and `knowledge`).
pub fn phrase_signals(transcript: &Transcript, extra: &[Lexicon]) -> Vec<Signal> {
    let extra: Vec<PhraseEntries<'_>> = extra.iter().map(PhraseEntries::of).collect();
    let lexicons: Vec<&PhraseEntries<'_>> =
        [builtin_phrases(Language::En), builtin_phrases(Language::Zh)].into_iter().chain(&extra).collect();
    let mut out = Vec::new();
    for turn in transcript.prospect_turns() {
        let mut words = None;
        for lexicon in &lexicons {
            for (entry, kind, polarity) in lexicon.matching(&turn.text) {
                // One hit per entry and turn is enough evidence.
                let Some(m) = entry.pattern.find(&turn.text) else { continue };
                if kind == SignalKind::Knowledge
                    && *words.get_or_insert_with(|| word_count(&turn.text)) < KNOWLEDGE_MIN_WORDS
                {
                    continue;
                }
                if out
                    .iter()
                    .rev()
                    .take_while(|s: &&Signal| s.turn == turn.index)
                    .any(|s| s.kind == kind && overlaps(s.span, m.range()))
                {
                    continue;
                }
                let span = Span { turn: turn.index, start: m.start(), end: m.end() };
                let mut explained = entry.message();
                explained.code = "call.signal.lexicon".to_owned();
                out.push(Signal {
                    kind,
                    polarity,
                    turn: turn.index,
                    span,
                    quote: m.as_str().to_owned(),
                    explanation: explained.english(),
                    explanation_message: Some(explained),
                    mode: Mode::Rules,
                });
            }
        }
    }
    out
}

/// A lexicon's excuse and knowledge entries, in order, with one set to find in a single pass
/// which of them can match a turn (a one-hour call has hundreds of turns and the lexicons
/// hundreds of entries).
struct PhraseEntries<'a> {
    entries: Vec<(&'a crate::lexicon::Entry, SignalKind, Polarity)>,
    set: Option<regex::RegexSet>,
}

impl<'a> PhraseEntries<'a> {
    fn of(lexicon: &'a Lexicon) -> PhraseEntries<'a> {
        let entries: Vec<_> = lexicon
            .entries
            .iter()
            .filter_map(|entry| match entry.kind.as_str() {
                "excuse" => Some((entry, SignalKind::Excuse, Polarity::Good)),
                "knowledge" => Some((entry, SignalKind::Knowledge, Polarity::Good)),
                _ => None,
            })
            .collect();
        let set = crate::lexicon::prefilter_set(entries.iter().map(|(e, _, _)| e.pattern.as_str()));
        PhraseEntries { entries, set }
    }

    /// The entries that may match somewhere in `text` (the set's verdict), in lexicon order.
    fn matching(&self, text: &str) -> impl Iterator<Item = (&'a crate::lexicon::Entry, SignalKind, Polarity)> + '_ {
        let hits = self.set.as_ref().map(|set| set.matches(text));
        self.entries
            .iter()
            .enumerate()
            .filter(move |(i, _)| hits.as_ref().is_none_or(|h| h.matched(*i)))
            .map(|(_, e)| *e)
    }
}

fn builtin_phrases(language: Language) -> &'static PhraseEntries<'static> {
    static EN: OnceLock<PhraseEntries<'static>> = OnceLock::new();
    static ZH: OnceLock<PhraseEntries<'static>> = OnceLock::new();
    match language {
        Language::En => EN.get_or_init(|| PhraseEntries::of(builtin(Language::En))),
        Language::Zh => ZH.get_or_init(|| PhraseEntries::of(builtin(Language::Zh))),
    }
}

fn overlaps(span: Span, range: std::ops::Range<usize>) -> bool {
    span.start < range.end && range.start < span.end
}

/// Whether a rep turn asks something: a question among its sentences, punctuated or not.
fn asks(text: &str, language: Language) -> bool {
    text.contains(['?', '？']) || !crate::questions::split_questions(text, language).is_empty()
}

/// The prospect's replies to the rep's questions: (turn index, word count).
pub fn replies_to_questions(transcript: &Transcript) -> Vec<(usize, usize)> {
    transcript
        .turns
        .windows(2)
        .filter(|w| w[0].role == Role::Rep && w[1].role == Role::Prospect && asks(&w[0].text, transcript.language))
        .map(|w| (w[1].index, word_count(&w[1].text)))
        .collect()
}

/// A pattern of one-to-three-word replies to questions. A lone "yes" is not a pattern: at
/// least three short replies, making up at least 30% of the replies.
pub fn short_answer_signals(transcript: &Transcript) -> Vec<Signal> {
    let replies = replies_to_questions(transcript);
    let short: Vec<usize> = replies.iter().filter(|(_, w)| *w <= SHORT_REPLY_WORDS).map(|(t, _)| *t).collect();
    let share = if replies.is_empty() { 0.0 } else { short.len() as f64 / replies.len() as f64 };
    if short.len() < SHORT_PATTERN_MIN || share < SHORT_PATTERN_SHARE {
        return Vec::new();
    }
    short
        .iter()
        .map(|&index| {
            let text = &transcript.turns[index].text;
            let trimmed = text.trim();
            let start = text.find(trimmed).unwrap_or(0);
            let explained = Message::new("call.signal.short_answers")
                .with("short", short.len().to_string())
                .with("replies", replies.len().to_string())
                .with("words", SHORT_REPLY_WORDS.to_string())
                .with("share", format!("{:.0}", share * 100.0));
            Signal {
                kind: SignalKind::ShortAnswers,
                polarity: Polarity::Red,
                turn: index,
                span: Span { turn: index, start, end: start + trimmed.len() },
                quote: trimmed.to_owned(),
                explanation: explained.english(),
                explanation_message: Some(explained),
                mode: Mode::Rules,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(language: Language, lines: &[(&str, &str)]) -> Transcript {
        let turns: Vec<(&str, Role, &str)> = lines
            .iter()
            .map(|(who, text)| (*who, if *who == "rep" { Role::Rep } else { Role::Prospect }, *text))
            .collect();
        Transcript::from_turns(language, &turns)
    }

    /// Runs the phrase and short-answer analysers; returns (kind, quote) pairs.
    fn check(language: Language, lines: &[(&str, &str)], expected: &[(SignalKind, &str)]) {
        let t = call(language, lines);
        let mut found: Vec<(SignalKind, String)> =
            phrase_signals(&t, &[]).into_iter().chain(short_answer_signals(&t)).map(|s| (s.kind, s.quote)).collect();
        found.sort();
        let mut expected: Vec<(SignalKind, String)> = expected.iter().map(|(k, q)| (*k, (*q).to_owned())).collect();
        expected.sort();
        assert_eq!(found, expected, "{lines:?}");
    }

    #[test]
    fn excuses_and_knowledge_in_the_prospects_words() {
        use SignalKind::*;
        check(
            Language::En,
            &[
                ("rep", "What has stopped you fixing routing so far?"),
                ("prospect", "Honestly we never got around to it, other fires kept winning."),
            ],
            &[(Excuse, "never got around to"), (Excuse, "other fires kept winning")],
        );
        check(
            Language::En,
            &[
                ("rep", "What is the company focused on this year?"),
                (
                    "prospect",
                    "Our main goal this year is to cut first-response time to under an hour for every inbound lead.",
                ),
            ],
            &[(Knowledge, "Our main goal this year")],
        );
        check(Language::En, &[("rep", "We never got around to sending the deck, sorry.")], &[]);
        check(Language::En, &[("rep", "Goals?"), ("prospect", "Our goal is growth.")], &[]);
        check(
            Language::Zh,
            &[
                ("rep", "之前为什么没解决？"),
                ("prospect", "人手不够，所以一直没做，之前试过用表格管理，但是很快就乱了。"),
            ],
            &[(Excuse, "人手不够，所以一直没"), (Excuse, "之前试过用表格管理，但是")],
        );
        check(
            Language::Zh,
            &[
                ("rep", "今年公司的重点是什么？"),
                ("prospect", "我们今年的主要目标是把线索响应时间缩短到一小时以内，覆盖全部区域。"),
            ],
            &[(Knowledge, "我们今年的主要目标是")],
        );
    }

    #[test]
    fn short_answers_are_a_pattern_not_a_single_yes() {
        use SignalKind::*;
        let single_yes = [
            ("rep", "Is routing manual today?"),
            ("prospect", "Yes."),
            ("rep", "How long does it take each week?"),
            ("prospect", "About a day per rep, sometimes more when the campaign volume spikes."),
        ];
        check(Language::En, &single_yes, &[]);
        let terse = [
            ("rep", "How do you route leads today?"),
            ("prospect", "Manually."),
            ("rep", "What does that cost you?"),
            ("prospect", "Not sure."),
            ("rep", "Who else feels this?"),
            ("prospect", "Nobody really."),
            ("rep", "What would change if it were fixed?"),
            ("prospect", "We would probably save some time on the weekly reports, I guess."),
        ];
        check(
            Language::En,
            &terse,
            &[(ShortAnswers, "Manually."), (ShortAnswers, "Not sure."), (ShortAnswers, "Nobody really.")],
        );
        let zh = [
            ("rep", "现在怎么分配线索？"),
            ("prospect", "人工。"),
            ("rep", "花多少时间？"),
            ("prospect", "不清楚。"),
            ("rep", "谁负责？"),
            ("prospect", "我。"),
        ];
        check(Language::Zh, &zh, &[(ShortAnswers, "人工。"), (ShortAnswers, "不清楚。"), (ShortAnswers, "我。")]);
    }
}
