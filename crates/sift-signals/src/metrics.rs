//! Conversation metrics and where the call stands against reference bands.
//!
//! Reference figures: Gong's research on recorded sales calls puts top performers' talk
//! ratio around 43% (rep) to 57% (prospect), with conversion dropping once the rep talks more
//! than about 65% of the time, and finds 11 to 14 questions typical of successful discovery
//! calls. The monologue and short-answer limits are Sift's own defaults, and say so.

use serde::Serialize;
use sift_core::Message;

use crate::signals::SHORT_REPLY_WORDS;
use crate::transcript::{Role, Transcript, word_count};

/// How a rep question was asked, as the question coach judged it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuestionTally {
    pub open: usize,
    pub closed: usize,
    pub leading: usize,
}

/// The longest uninterrupted stretch of one side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Monologue {
    pub turn: Option<usize>,
    pub amount: f64,
    /// `seconds` when the transcript has times, else `words`.
    pub unit: &'static str,
}

/// Where a figure stands against its reference band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Low,
    InBand,
    High,
}

/// One metric judged against its band, with the reason in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub metric: &'static str,
    pub value: f64,
    /// The reference band in words: `band_message`'s English.
    pub band: String,
    /// The band as a message (`call.band.*`), so a reader can say it in its own language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band_message: Option<Message>,
    pub standing: Standing,
    pub source: &'static str,
    /// Where the figure stands and what to do: `note_message`'s English.
    pub note: String,
    /// The note as a message (`call.metric.*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note_message: Option<Message>,
}

impl Assessment {
    fn new(
        metric: &'static str,
        value: f64,
        band: Message,
        standing: Standing,
        source: &'static str,
        note: Message,
    ) -> Assessment {
        Assessment {
            metric,
            value,
            band: band.english(),
            band_message: Some(band),
            standing,
            source,
            note: note.english(),
            note_message: Some(note),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub turns: usize,
    pub rep_words: usize,
    pub prospect_words: usize,
    /// The rep's share of the words spoken, 0 to 1.
    pub talk_ratio: f64,
    pub rep_questions: usize,
    pub open_questions: usize,
    pub closed_questions: usize,
    pub leading_questions: usize,
    pub longest_rep_monologue: Monologue,
    pub longest_prospect_monologue: Monologue,
    /// Median words per prospect turn.
    pub prospect_median_answer_words: f64,
    /// Share of prospect turns of three words or fewer, 0 to 1.
    pub prospect_short_answer_share: f64,
    /// From the first start to the last end, when the transcript has times.
    pub duration_seconds: Option<f64>,
    pub assessments: Vec<Assessment>,
}

const GONG: &str = "Gong research on recorded sales calls";
const SIFT_DEFAULT: &str = "Sift default";

/// Rep monologues longer than this lose the prospect (Sift's default).
const REP_MONOLOGUE_SECONDS: f64 = 150.0;
const REP_MONOLOGUE_WORDS: f64 = 350.0;

fn longest(transcript: &Transcript, role: Role, timed: bool) -> Monologue {
    let unit = if timed { "seconds" } else { "words" };
    transcript
        .turns
        .iter()
        .filter(|t| t.role == role)
        .map(|t| {
            let amount = match (timed, t.start, t.end) {
                (true, Some(s), Some(e)) if e >= s => e - s,
                (true, ..) => 0.0,
                (false, ..) => word_count(&t.text) as f64,
            };
            Monologue { turn: Some(t.index), amount, unit }
        })
        .fold(Monologue { turn: None, amount: 0.0, unit }, |best, m| if m.amount > best.amount { m } else { best })
}

fn median(values: &mut [usize]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    if values.len() % 2 == 0 { (values[mid - 1] + values[mid]) as f64 / 2.0 } else { values[mid] as f64 }
}

/// Computes the metrics of a call whose rep questions were tallied by the coach.
pub fn measure(transcript: &Transcript, questions: QuestionTally) -> Metrics {
    let (mut rep_words, mut prospect_words) = (0, 0);
    let mut answers = Vec::new();
    for t in &transcript.turns {
        let words = word_count(&t.text);
        match t.role {
            Role::Rep => rep_words += words,
            Role::Prospect => {
                prospect_words += words;
                answers.push(words);
            }
        }
    }
    let total = rep_words + prospect_words;
    let talk_ratio = if total == 0 { 0.0 } else { rep_words as f64 / total as f64 };
    let short = answers.iter().filter(|w| **w <= SHORT_REPLY_WORDS).count();
    let short_share = if answers.is_empty() { 0.0 } else { short as f64 / answers.len() as f64 };
    let timed = !transcript.turns.is_empty() && transcript.turns.iter().all(|t| t.start.is_some());
    let duration_seconds = if timed {
        let first = transcript.turns.first().and_then(|t| t.start);
        let last = transcript.turns.last().and_then(|t| t.end.or(t.start));
        first.zip(last).map(|(a, b)| (b - a).max(0.0))
    } else {
        None
    };
    let mut metrics = Metrics {
        turns: transcript.turns.len(),
        rep_words,
        prospect_words,
        talk_ratio,
        rep_questions: questions.open + questions.closed,
        open_questions: questions.open,
        closed_questions: questions.closed,
        leading_questions: questions.leading,
        longest_rep_monologue: longest(transcript, Role::Rep, timed),
        longest_prospect_monologue: longest(transcript, Role::Prospect, timed),
        prospect_median_answer_words: median(&mut answers),
        prospect_short_answer_share: short_share,
        duration_seconds,
        assessments: Vec::new(),
    };
    metrics.assessments = assess(&metrics);
    metrics
}

fn assess(m: &Metrics) -> Vec<Assessment> {
    let mut out = Vec::new();
    let percent = |share: f64| format!("{:.0}", share * 100.0);
    let said = |code: &str, key: &str, value: String| Message::new(code).with(key, value);
    let pct = m.talk_ratio * 100.0;
    let talk = |code: &str| said(code, "pct", percent(m.talk_ratio));
    let (standing, note) = if pct > 65.0 {
        (Standing::High, talk("call.metric.talk_ratio.over_65"))
    } else if pct > 50.0 {
        (Standing::High, talk("call.metric.talk_ratio.over_50"))
    } else if pct < 25.0 {
        (Standing::Low, talk("call.metric.talk_ratio.under_25"))
    } else {
        (Standing::InBand, talk("call.metric.talk_ratio.in_band"))
    };
    let band = Message::new("call.band.talk_ratio");
    out.push(Assessment::new("talk_ratio", m.talk_ratio, band, standing, GONG, note));

    let q = m.rep_questions;
    let asked = |code: &str| said(code, "count", q.to_string());
    let (standing, note) = if q < 11 {
        (Standing::Low, asked("call.metric.questions.few"))
    } else if q > 14 {
        (Standing::High, asked("call.metric.questions.many"))
    } else {
        (Standing::InBand, asked("call.metric.questions.in_band"))
    };
    out.push(Assessment::new("rep_questions", q as f64, Message::new("call.band.questions"), standing, GONG, note));

    if q > 0 {
        let closed = m.closed_questions as f64 / q as f64;
        let (standing, code) = if closed > 0.5 {
            (Standing::High, "call.metric.closed.many")
        } else {
            (Standing::InBand, "call.metric.closed.in_band")
        };
        let band = Message::new("call.band.closed_share");
        let note = said(code, "pct", percent(closed));
        out.push(Assessment::new("closed_question_share", closed, band, standing, SIFT_DEFAULT, note));
    }

    let rep = &m.longest_rep_monologue;
    let limit = if rep.unit == "seconds" { REP_MONOLOGUE_SECONDS } else { REP_MONOLOGUE_WORDS };
    let standing = if rep.amount > limit { Standing::High } else { Standing::InBand };
    let code = match standing {
        Standing::High => "call.metric.monologue.long",
        _ => "call.metric.monologue.in_band",
    };
    let note = said(code, "amount", format!("{:.0}", rep.amount)).with("unit", rep.unit);
    let band = said("call.band.monologue", "limit", format!("{limit:.0}")).with("unit", rep.unit);
    out.push(Assessment::new("longest_rep_monologue", rep.amount, band, standing, SIFT_DEFAULT, note));

    let short = m.prospect_short_answer_share;
    let (standing, code) = if short >= 0.4 {
        (Standing::High, "call.metric.short_answers.many")
    } else {
        (Standing::InBand, "call.metric.short_answers.in_band")
    };
    let band = Message::new("call.band.short_answers");
    let note = said(code, "pct", percent(short));
    out.push(Assessment::new("prospect_short_answer_share", short, band, standing, SIFT_DEFAULT, note));
    out
}

#[cfg(test)]
mod tests {
    use sift_core::Language;

    use super::*;
    use crate::transcript::Turn;

    fn timed(turns: &[(Role, &str, f64, f64)]) -> Transcript {
        Transcript {
            turns: turns
                .iter()
                .enumerate()
                .map(|(index, (role, text, start, end))| Turn {
                    index,
                    speaker: if *role == Role::Rep { "Rep".into() } else { "Buyer".into() },
                    role: *role,
                    text: (*text).into(),
                    start: Some(*start),
                    end: Some(*end),
                })
                .collect(),
            language: Language::En,
        }
    }

    #[test]
    fn talk_ratio_monologues_and_answer_lengths() {
        let t = timed(&[
            (Role::Rep, "What made you take this call today?", 0.0, 4.0),
            (Role::Prospect, "Our reps lose a day every week routing leads by hand.", 4.0, 30.0),
            (Role::Rep, "Is that a priority?", 30.0, 33.0),
            (Role::Prospect, "Yes.", 33.0, 34.0),
        ]);
        let m = measure(&t, QuestionTally { open: 1, closed: 1, leading: 0 });
        assert_eq!((m.rep_words, m.prospect_words), (11, 12));
        assert!((m.talk_ratio - 11.0 / 23.0).abs() < 1e-9);
        assert_eq!(m.longest_prospect_monologue, Monologue { turn: Some(1), amount: 26.0, unit: "seconds" });
        assert_eq!(m.longest_rep_monologue.amount, 4.0);
        assert_eq!(m.prospect_median_answer_words, 6.0);
        assert_eq!(m.prospect_short_answer_share, 0.5);
        assert_eq!(m.duration_seconds, Some(34.0));
        let standing = |name: &str| m.assessments.iter().find(|a| a.metric == name).map(|a| a.standing);
        assert_eq!(standing("talk_ratio"), Some(Standing::InBand));
        assert_eq!(standing("rep_questions"), Some(Standing::Low));
        assert_eq!(standing("prospect_short_answer_share"), Some(Standing::High));
    }

    #[test]
    fn without_times_monologues_are_in_words_and_a_talkative_rep_is_flagged() {
        let t = Transcript::from_turns(
            Language::En,
            &[
                (
                    "Rep",
                    Role::Rep,
                    "Let me tell you all about our platform and every feature we have built over ten years.",
                ),
                ("Buyer", Role::Prospect, "Okay."),
            ],
        );
        let m = measure(&t, QuestionTally { open: 0, closed: 0, leading: 0 });
        assert_eq!(m.longest_rep_monologue.unit, "words");
        assert_eq!(m.duration_seconds, None);
        let talk = m.assessments.iter().find(|a| a.metric == "talk_ratio").expect("assessed");
        assert_eq!(talk.standing, Standing::High);
        assert!(talk.note.contains("conversion drops past 65%"), "{}", talk.note);
    }
}
