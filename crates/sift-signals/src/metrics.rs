//! Conversation metrics and where the call stands against reference bands.
//!
//! Reference figures: Gong's research on recorded sales calls puts top performers' talk
//! ratio around 43% (rep) to 57% (prospect), with conversion dropping once the rep talks more
//! than about 65% of the time, and finds 11 to 14 questions typical of successful discovery
//! calls. The monologue and short-answer limits are Sift's own defaults, and say so.

use serde::Serialize;

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
    pub band: String,
    pub standing: Standing,
    pub source: &'static str,
    pub note: String,
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
    let pct = m.talk_ratio * 100.0;
    let (standing, note) = if pct > 65.0 {
        (Standing::High, format!("the rep talks {pct:.0}% of the time; conversion drops past 65%: ask, then listen"))
    } else if pct > 50.0 {
        (Standing::High, format!("the rep talks {pct:.0}% of the time, above the ~43% of top performers"))
    } else if pct < 25.0 {
        (Standing::Low, format!("the rep talks only {pct:.0}% of the time: make sure the call is being steered"))
    } else {
        (Standing::InBand, format!("the rep talks {pct:.0}% of the time, close to the ~43% of top performers"))
    };
    out.push(Assessment {
        metric: "talk_ratio",
        value: m.talk_ratio,
        band: "25%-50% rep (reference 43%)".into(),
        standing,
        source: GONG,
        note,
    });

    let q = m.rep_questions;
    let (standing, note) = if q < 11 {
        (
            Standing::Low,
            format!("{q} questions; successful discovery calls ask 11-14: the call may leave criteria unknown"),
        )
    } else if q > 14 {
        (Standing::High, format!("{q} questions; past 14 a discovery call starts to feel like an interrogation"))
    } else {
        (Standing::InBand, format!("{q} questions, within the 11-14 of successful discovery calls"))
    };
    out.push(Assessment {
        metric: "rep_questions",
        value: q as f64,
        band: "11-14".into(),
        standing,
        source: GONG,
        note,
    });

    if q > 0 {
        let closed = m.closed_questions as f64 / q as f64;
        let (standing, note) = if closed > 0.5 {
            (
                Standing::High,
                format!(
                    "{:.0}% of the questions are closed; open ones get fuller, more honest answers",
                    closed * 100.0
                ),
            )
        } else {
            (Standing::InBand, format!("{:.0}% of the questions are closed", closed * 100.0))
        };
        out.push(Assessment {
            metric: "closed_question_share",
            value: closed,
            band: "at most 50%".into(),
            standing,
            source: SIFT_DEFAULT,
            note,
        });
    }

    let rep = &m.longest_rep_monologue;
    let limit = if rep.unit == "seconds" { REP_MONOLOGUE_SECONDS } else { REP_MONOLOGUE_WORDS };
    let standing = if rep.amount > limit { Standing::High } else { Standing::InBand };
    let note = match standing {
        Standing::High => {
            format!("the rep's longest monologue runs {:.0} {}; break it up with a question", rep.amount, rep.unit)
        }
        _ => format!("the rep's longest monologue runs {:.0} {}", rep.amount, rep.unit),
    };
    out.push(Assessment {
        metric: "longest_rep_monologue",
        value: rep.amount,
        band: format!("at most {limit:.0} {}", rep.unit),
        standing,
        source: SIFT_DEFAULT,
        note,
    });

    let short = m.prospect_short_answer_share;
    let (standing, note) = if short >= 0.4 {
        (
            Standing::High,
            format!(
                "{:.0}% of the prospect's turns are 3 words or fewer: little engagement with the problem",
                short * 100.0
            ),
        )
    } else {
        (Standing::InBand, format!("{:.0}% of the prospect's turns are 3 words or fewer", short * 100.0))
    };
    out.push(Assessment {
        metric: "prospect_short_answer_share",
        value: short,
        band: "under 40%".into(),
        standing,
        source: SIFT_DEFAULT,
        note,
    });
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
