//! Question coaching: tells open questions from closed ones, flags leading questions and
//! suggests an open rewrite for closed ones, in English and Chinese.
//!
//! Every pattern lives in the `questions` lexicon (`lexicons/<lang>/questions.toml`); this
//! module only decides in which order the kinds of entries are consulted. The order, and what
//! each kind means, is documented at the top of each lexicon file. Input is one question as a
//! rep would say or type it; disfluency markup of research corpora is the caller's business.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Captures;
use serde::Serialize;
use sift_core::Language;

use crate::lexicon::{Entry, Lexicon};
use crate::transcript::is_han;

/// Whether a question invites an explanation or a yes/no (or a pick among given options).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionForm {
    Open,
    Closed,
}

impl QuestionForm {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionForm::Open => "open",
            QuestionForm::Closed => "closed",
        }
    }
}

/// What the coach says about one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionCoaching {
    /// The question as given (trimmed).
    pub text: String,
    pub form: QuestionForm,
    /// The question presupposes its answer ("Wouldn't you agree...", "……对吧").
    pub leading: bool,
    /// An open, non-leading way to ask the same thing; `None` for open, non-leading questions.
    pub rewrite: Option<String>,
    /// Which lexicon entries fired, in words, each followed by its id in brackets.
    pub reasons: Vec<String>,
}

/// The built-in `questions` lexicon of a language, compiled once. Extend a copy with
/// [`Lexicon::extend`] and pass it to [`coach_with`] to add your own entries.
pub fn builtin_lexicon(language: Language) -> &'static Lexicon {
    static EN: OnceLock<Lexicon> = OnceLock::new();
    static ZH: OnceLock<Lexicon> = OnceLock::new();
    match language {
        Language::En => EN.get_or_init(|| Lexicon::builtin("questions", Language::En)),
        Language::Zh => ZH.get_or_init(|| Lexicon::builtin("questions", Language::Zh)),
    }
}

fn first<'a>(lexicon: &'a Lexicon, kind: &'a str, text: &str) -> Option<&'a Entry> {
    lexicon.of_kind(kind).find(|e| e.pattern.is_match(text))
}

fn reason(entry: &Entry) -> String {
    format!("{} [{}]", entry.explain, entry.id)
}

/// Characters trimmed around a question besides white space.
fn is_edge_noise(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '“' | '”' | '「' | '」' | '—' | '–' | '-' | '*' | '•' | '>' | '`')
}

/// Typographic apostrophes and full-width question marks folded, and hesitation sounds
/// (the lexicon's `filler` entries) removed, so that patterns stay simple.
fn normalize<'t>(lexicon: &Lexicon, text: &'t str) -> Cow<'t, str> {
    let language = lexicon.language;
    let mut text = Cow::Borrowed(text.trim_matches(is_edge_noise));
    if language == Language::En && text.contains(['\u{2019}', '\u{2018}', '？']) {
        text = Cow::Owned(text.replace(['\u{2019}', '\u{2018}'], "'").replace('？', "?"));
    }
    for filler in lexicon.of_kind("filler") {
        if filler.pattern.is_match(&text) {
            let removed = filler.pattern.replace_all(&text, " ");
            let removed = removed.split_whitespace().collect::<Vec<_>>().join(" ");
            let removed = removed.trim_matches(is_edge_noise).to_owned();
            if !removed.is_empty() {
                text = Cow::Owned(removed);
            }
        }
    }
    text
}

/// Removes discourse markers and fillers from the start ("So, uh, what..."), never the whole text.
fn strip_preamble<'t>(lexicon: &Lexicon, mut text: &'t str) -> &'t str {
    for _ in 0..8 {
        let stripped = lexicon.of_kind("preamble").find_map(|e| {
            let m = e.pattern.find(text)?;
            let rest = text[m.end()..].trim_start_matches(is_edge_noise);
            (m.start() == 0 && m.end() > 0 && !rest.trim_matches(|c: char| c.is_ascii_punctuation()).is_empty())
                .then_some(rest)
        });
        match stripped {
            Some(rest) => text = rest,
            None => break,
        }
    }
    text
}

/// Byte offsets just after each clause separator, where a new clause may begin.
fn clause_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    for (i, c) in text.char_indices() {
        let next_is_space = text[i + c.len_utf8()..].starts_with(char::is_whitespace);
        if matches!(c, ',' | ';' | ':' | '，' | '；' | '：' | '、' | '—' | '。' | '？' | '！')
            || (matches!(c, '.' | '?' | '!') && next_is_space)
        {
            starts.push(i + c.len_utf8());
        }
    }
    starts.extend(text.match_indices(" - ").chain(text.match_indices("--")).map(|(i, _)| i + 2));
    starts.sort_unstable();
    starts.dedup();
    starts
}

/// The clause of `text` that contains byte `at` (for Chinese rewrites of long turns).
fn clause_around(text: &str, at: usize) -> &str {
    let starts = clause_starts(text);
    let start = starts.iter().rev().find(|&&s| s <= at).copied().unwrap_or(0);
    let end = starts.iter().find(|&&s| s > at).map_or(text.len(), |&s| s - separator_len(text, s));
    text.get(start..end).unwrap_or(text).trim()
}

fn separator_len(text: &str, clause_start: usize) -> usize {
    text[..clause_start].chars().next_back().map_or(0, char::len_utf8)
}

/// The result of reading one question, before a rewrite is chosen.
struct Reading<'t> {
    form: QuestionForm,
    leading: bool,
    reasons: Vec<String>,
    /// The part of the question a rewrite should start from.
    core: &'t str,
    /// A rewrite carried by a leading entry.
    leading_rewrite: Option<String>,
}

fn expand(entry: &Entry, caps: &Captures<'_>) -> Option<String> {
    let template = entry.rewrite.as_deref()?;
    let mut out = String::new();
    caps.expand(template, &mut out);
    Some(out)
}

fn read_leading<'t>(lexicon: &Lexicon, text: &'t str) -> Reading<'t> {
    let mut reading =
        Reading { form: QuestionForm::Closed, leading: false, reasons: Vec::new(), core: text, leading_rewrite: None };
    for entry in lexicon.of_kind("leading") {
        if let Some(caps) = entry.pattern.captures(text) {
            reading.leading = true;
            reading.reasons.push(reason(entry));
            if reading.leading_rewrite.is_none() {
                reading.leading_rewrite = expand(entry, &caps);
            }
        }
    }
    reading
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count()
}

/// Open-question cues at the start of `clause`: a request to explain or a question word.
fn open_at_start<'a>(lexicon: &'a Lexicon, clause: &str) -> Option<&'a Entry> {
    first(lexicon, "open_request", clause).or_else(|| {
        if first(lexicon, "free_relative", clause).is_some() {
            return None;
        }
        first(lexicon, "open_start", clause)
    })
}

fn read_en<'t>(lexicon: &Lexicon, text: &'t str) -> Reading<'t> {
    let s = strip_preamble(lexicon, text);
    let mut reading = read_leading(lexicon, s);
    fn decide(reading: &mut Reading<'_>, form: QuestionForm, entry: &Entry) {
        reading.form = form;
        reading.reasons.push(reason(entry));
    }
    // A false start ("Do you, what do you think?", "What, are you serious?"): the question
    // the speaker restarts with is the one they ask.
    let starts = clause_starts(s);
    let first_clause = starts.first().map_or(s, |&end| &s[..end - separator_len(s, end)]);
    let restart = match starts.first() {
        Some(&next) if word_count(first_clause) <= 3 => clause_cue_en(lexicon, &s[next..]),
        _ => None,
    };
    if let Some((clause, form, e)) = restart {
        decide(&mut reading, form, e);
        reading.core = clause;
    } else if let Some(e) = open_at_start(lexicon, s) {
        decide(&mut reading, QuestionForm::Open, e);
    } else if let Some(e) = first(lexicon, "tag", s) {
        decide(&mut reading, QuestionForm::Closed, e);
    } else if let Some(e) = first(lexicon, "closed_start", s) {
        decide(&mut reading, QuestionForm::Closed, e);
        if let Some(choice) = first(lexicon, "choice", s) {
            reading.reasons.push(reason(choice));
        }
    } else if let Some(e) = first(lexicon, "open_embedded", s) {
        decide(&mut reading, QuestionForm::Open, e);
    } else if let Some((clause, form, e)) = later_clause_en(lexicon, s) {
        decide(&mut reading, form, e);
        reading.core = clause;
    } else if let Some(e) = first(lexicon, "choice", s) {
        decide(&mut reading, QuestionForm::Closed, e);
    } else if let Some(e) = first(lexicon, "open_end", s) {
        decide(&mut reading, QuestionForm::Open, e);
    } else {
        reading.form = QuestionForm::Closed;
        reading.reasons.push(
            "No question word and no inverted auxiliary: a statement asked as a question invites a yes or a no \
             [declarative]"
                .to_owned(),
        );
    }
    reading
}

/// A question asked after an introduction: "If you had to pick one, what would you choose?"
fn later_clause_en<'a, 't>(lexicon: &'a Lexicon, s: &'t str) -> Option<(&'t str, QuestionForm, &'a Entry)> {
    clause_starts(s).into_iter().find_map(|start| clause_cue_en(lexicon, &s[start..]))
}

/// The form a clause (the rest of the question from a clause start) opens with, if any.
fn clause_cue_en<'a, 't>(lexicon: &'a Lexicon, rest: &'t str) -> Option<(&'t str, QuestionForm, &'a Entry)> {
    let clause = strip_preamble(lexicon, rest.trim_start_matches(is_edge_noise));
    if word_count(clause) < 2 {
        return None;
    }
    if let Some(e) = open_at_start(lexicon, clause) {
        return Some((clause, QuestionForm::Open, e));
    }
    first(lexicon, "closed_start", clause).map(|e| (clause, QuestionForm::Closed, e))
}

fn read_zh<'t>(lexicon: &Lexicon, text: &'t str) -> Reading<'t> {
    let s = strip_preamble(lexicon, text);
    let mut reading = read_leading(lexicon, s);
    let clause_request = || {
        std::iter::once(0)
            .chain(clause_starts(s))
            .find_map(|start| first(lexicon, "open_request", strip_preamble(lexicon, s[start..].trim_start())))
    };
    let found = |kind: &'static str| -> Option<(&Entry, usize)> {
        lexicon.of_kind(kind).find_map(|e| e.pattern.find(s).map(|m| (e, m.start())))
    };
    let (form, entry, core) = if let Some(e) = clause_request() {
        (QuestionForm::Open, Some(e), s)
    } else if let Some(e) = first(lexicon, "tag", s) {
        (QuestionForm::Closed, Some(e), s)
    } else if let Some((e, at)) = found("closed_marker").or_else(|| found("closed_end")) {
        (QuestionForm::Closed, Some(e), clause_around(s, at))
    } else if let Some(e) = first(lexicon, "open_word", s).filter(|_| first(lexicon, "not_question", s).is_none()) {
        (QuestionForm::Open, Some(e), s)
    } else if let Some(e) = first(lexicon, "open_end", s) {
        (QuestionForm::Open, Some(e), s)
    } else if let Some((e, at)) = found("choice").or_else(|| found("closed_soft")) {
        (QuestionForm::Closed, Some(e), clause_around(s, at))
    } else {
        (QuestionForm::Closed, None, s)
    };
    reading.form = form;
    reading.core = core;
    match entry {
        Some(e) => reading.reasons.push(reason(e)),
        None => reading.reasons.push("没有疑问词，也不是正反问：陈述句当问句问，答案是或否。 [declarative]".to_owned()),
    }
    reading
}

/// Negative auxiliaries turned positive before a rewrite: "Isn't that a problem?" is
/// rewritten as "Is that a problem?" would be.
const EN_NEGATIVE_AUXILIARIES: &[(&str, &str)] = &[
    ("don't", "do"),
    ("doesn't", "does"),
    ("didn't", "did"),
    ("isn't", "is"),
    ("aren't", "are"),
    ("wasn't", "was"),
    ("weren't", "were"),
    ("wouldn't", "would"),
    ("won't", "will"),
    ("can't", "can"),
    ("couldn't", "could"),
    ("haven't", "have"),
    ("hasn't", "has"),
    ("shouldn't", "should"),
];

/// Words that are lower-cased when they open a clause a rewrite quotes ("You'd want" inside
/// "How accurate is it to say you'd want...").
const EN_FUNCTION_WORDS: &[&str] = &[
    "you", "you'd", "you're", "you've", "you'll", "your", "we", "we're", "we'd", "our", "it", "it's", "this", "that",
    "that's", "there", "there's", "the", "they", "they're", "their", "these", "those", "a", "an", "any", "some", "do",
    "does", "did", "is", "are", "was", "were", "can", "could", "will", "would", "should", "have", "has", "had", "so",
    "surely", "or",
];

fn prepare_en(core: &str) -> String {
    let core = core.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '?' | '.' | '!' | ','));
    // "Or do you rent?" continues an earlier question; rewrite the question itself.
    let core = match core.get(..3) {
        Some(or) if or.eq_ignore_ascii_case("or ") => core[3..].trim_start(),
        _ => core,
    };
    let mut words = core.splitn(2, char::is_whitespace);
    let head = words.next().unwrap_or_default();
    let tail = words.next().unwrap_or_default();
    let lower = head.to_lowercase();
    let head = EN_NEGATIVE_AUXILIARIES
        .iter()
        .find(|(neg, _)| *neg == lower)
        .map(|(_, pos)| (*pos).to_owned())
        .unwrap_or_else(|| if EN_FUNCTION_WORDS.contains(&lower.as_str()) { lower } else { head.to_owned() });
    if tail.is_empty() { head } else { format!("{head} {tail}") }
}

fn prepare_zh(core: &str) -> String {
    core.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '?' | '？' | '。' | '!' | '！' | '，' | ','))
        .to_owned()
}

/// Tidies a filled-in template: single spaces, no space before punctuation, a capital first
/// letter and a final question mark or full stop.
fn tidy(rewrite: &str, language: Language) -> String {
    let mut out = rewrite.split_whitespace().collect::<Vec<_>>().join(" ");
    for (from, to) in [(" ?", "?"), (" ,", ","), (" .", "."), ("??", "?"), (",?", "?"), (",.", ".")] {
        out = out.replace(from, to);
    }
    let mut chars = out.chars();
    if let Some(c) = chars.next() {
        out = c.to_uppercase().chain(chars).collect();
    }
    if !out.ends_with(['?', '.', '!', '？', '。']) {
        out.push(if language == Language::Zh { '？' } else { '?' });
    }
    out
}

fn rewrite_for<'a>(lexicon: &'a Lexicon, core: &str) -> Option<(String, &'a Entry)> {
    let language = lexicon.language;
    let prepared = match language {
        Language::En => prepare_en(core),
        Language::Zh => prepare_zh(core),
    };
    lexicon.of_kind("rewrite").chain(lexicon.of_kind("rewrite_fallback")).find_map(|entry| {
        let caps = entry.pattern.captures(&prepared)?;
        Some((tidy(&expand(entry, &caps)?, language), entry))
    })
}

/// Coaches one question: open or closed, leading or not, and an open rewrite when useful.
pub fn coach(text: &str, language: Language) -> QuestionCoaching {
    coach_with(text, builtin_lexicon(language))
}

/// [`coach`] with a given `questions` lexicon (the built-in one extended with a user's
/// entries, say); the lexicon's language decides how the question is read.
pub fn coach_with(text: &str, lexicon: &Lexicon) -> QuestionCoaching {
    let language = lexicon.language;
    let trimmed = text.trim();
    let normalized = normalize(lexicon, trimmed);
    let reading = match language {
        Language::En => read_en(lexicon, &normalized),
        Language::Zh => read_zh(lexicon, &normalized),
    };
    let Reading { form, leading, mut reasons, core, leading_rewrite } = reading;
    let rewrite = match (form, leading_rewrite) {
        (_, Some(r)) => Some(tidy(&r, language)),
        (QuestionForm::Closed, None) => rewrite_for(lexicon, core).map(|(r, entry)| {
            reasons.push(reason(entry));
            r
        }),
        (QuestionForm::Open, None) if leading => {
            rewrite_for(lexicon, core).map(|(r, _)| r).filter(|r| r.as_str() != trimmed)
        }
        (QuestionForm::Open, None) => None,
    };
    QuestionCoaching { text: trimmed.to_owned(), form, leading, rewrite, reasons }
}

/// True when a sentence is a question: it ends with a question mark, or opens like one (a
/// question word, an inverted auxiliary, a request to explain; in Chinese a question particle,
/// an A-not-A form or a question word).
pub fn is_question(text: &str, language: Language) -> bool {
    let lexicon = builtin_lexicon(language);
    let normalized = normalize(lexicon, text.trim());
    let text = normalized.as_ref();
    let s = strip_preamble(lexicon, text);
    if text.is_empty() || (language == Language::En && first(lexicon, "not_question", s).is_some()) {
        return false;
    }
    if text.ends_with(['?', '？']) {
        return true;
    }
    match language {
        Language::En => {
            let starts_open = open_at_start(lexicon, s).is_some() && (word_count(s) >= 2 || s.ends_with('?'));
            starts_open
                || (word_count(s) >= 2 && first(lexicon, "closed_start", s).is_some())
                || lexicon.of_kind("tag").any(|e| e.id != "tag.confirmation" && e.pattern.is_match(s))
        }
        Language::Zh => {
            let terminated = text.ends_with(['。', '！', '!', '.']);
            let body = text.trim_end_matches(['。', '！', '!', '.', ' ']);
            let body_s = strip_preamble(lexicon, body);
            let ends_with_particle = body.ends_with(['吗', '呢', '嘛'])
                || (body.ends_with('么') && !body.ends_with("什么") && !body.ends_with("怎么"))
                || (!terminated && body.ends_with('吧'));
            ends_with_particle
                || ends_with_have_or_not(body)
                || first(lexicon, "open_request", body_s).is_some()
                || first(lexicon, "closed_marker", body_s).is_some()
                || (first(lexicon, "open_word", body_s).is_some() && first(lexicon, "not_question", body_s).is_none())
        }
    }
}

/// A Chinese yes-or-no question closed by 不, or by 没 or 没有 after what it asks about: "心里有个数没",
/// "你们试过没有", "报价看了没". The last clause must hold 有, 了 or 过 before it, and 没 must not
/// follow an adverb that makes it a plain denial ("一分钱也没有", "是真没有", "后来没有").
fn ends_with_have_or_not(body: &str) -> bool {
    let body = body.trim_end();
    if let Some(head) = body.strip_suffix('不') {
        // "心里有个数不", "说话方便不": a sentence does not end on 不 unless it asks.
        let before = head.chars().next_back();
        return before.is_some_and(|c| is_han(c) && !"也都还真并从就啥又再可要".contains(c));
    }
    let Some(head) = body.strip_suffix("没有").or_else(|| body.strip_suffix('没')) else {
        return false;
    };
    let clause = head.rsplit(['，', ',', '。', '；', ' ', '、']).next().unwrap_or(head);
    let before = clause.chars().next_back();
    before.is_some_and(|c| !"也都还真并从就啥又再可".contains(c)) && clause.contains(['有', '了', '过'])
}

/// Words after which a new question may start in unpunctuated speech ("okay so what...",
/// "...for this and who signs off").
const EN_QUESTION_JOINS: &[&str] = &[
    "so",
    "and",
    "but",
    "okay",
    "ok",
    "now",
    "then",
    "also",
    "well",
    "right",
    "great",
    "cool",
    "perfect",
    "thanks",
    "anyway",
    "alright",
    "sure",
    "good",
    "yeah",
    "got",
    "it",
    "understood",
    "makes",
    "sense",
    "or",
    "because",
];

/// Conjunctions that end a stretch only because the next question starts after them.
const EN_TRAILING_JOINS: &[&str] = &["and", "so", "but", "or", "then", "also", "okay", "ok", "now", "well", "because"];

/// Where questions start inside an unpunctuated stretch of English speech: a question word
/// followed by an auxiliary or a noun ("what budget", "who signs", "how many"), or an
/// auxiliary followed by a subject pronoun ("do you", "is there"), at the start of the
/// stretch or right after a discourse word or conjunction. Each question runs to the next
/// start or to the end. Chinese questions carry their own markers (吗, 呢, 多少, A不A) and
/// are found by [`is_question`] on the stretch.
fn questions_inside(text: &str, language: Language) -> Vec<(usize, usize)> {
    // A stretch that ends with a full stop was punctuated by whoever wrote it: trust that.
    let terminated = text.trim_end().ends_with(['.', '!', '。', '！']);
    if language != Language::En || terminated || text.split_whitespace().count() < 3 {
        return Vec::new();
    }
    static START: OnceLock<regex::Regex> = OnceLock::new();
    let start = START.get_or_init(|| {
        #[allow(clippy::expect_used)]
        crate::lexicon::compile(
            r"(?i)^(?:(?:what|which|who|whom|whose|how|when|where|why)(?:'s|'re)?\s+(?:[a-z']+)|(?:do|does|did|is|are|was|were|can|could|will|would|should|have|has)\s+(?:you|your|we|they|there|anyone|anybody|someone|it|that|this|he|she)\b)",
        )
        .expect("built-in pattern")
    });
    // "...for teams like yours do you have a budget": an auxiliary with "you" starts a
    // question wherever it stands ("do you know" excepted: it is mostly a filler), and so does
    // "how many weddings do you run" ("tell me a bit about the firm how many ...").
    static STRONG: OnceLock<regex::Regex> = OnceLock::new();
    let strong = STRONG.get_or_init(|| {
        #[allow(clippy::expect_used)]
        crate::lexicon::compile(
            r"(?i)^(?:(?:do|does|did|are|have|has|can|could|would|will)\s+(?:you|your)\s+(?:[a-z]+)|how\s+(?:many|much)\s+[a-z]+\s+(?:do|does|did|are|have|has|can|could|would|will|is)\s+(?:you|your|we|they)\b)",
        )
            .expect("built-in pattern")
    });
    // "and if you did go for something would that be your call": an auxiliary and its subject
    // after a conditional clause ask the question that the clause opened.
    static AFTER_IF: OnceLock<regex::Regex> = OnceLock::new();
    let after_if = AFTER_IF.get_or_init(|| {
        #[allow(clippy::expect_used)]
        crate::lexicon::compile(
            r"(?i)^(?:would|could|will|can|should|is|are|does|do)\s+(?:that|it|you|your|they|he|she|we|there|this)\b",
        )
        .expect("built-in pattern")
    });
    let mut starts: Vec<usize> = Vec::new();
    // Whether the previous word lets a question start here (the stretch's start counts).
    let mut after_join = true;
    let mut words_since_start = usize::MAX / 2;
    // Where an "if" clause opened (after a join word), and how many words it has run.
    let mut open_if: Option<(usize, usize)> = None;
    let mut offset = 0;
    for token in text.split_inclusive(char::is_whitespace) {
        let at = offset;
        offset += token.len();
        let word = token.trim();
        if word.is_empty() {
            continue;
        }
        let rest = &text[at..];
        let bare = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'').to_ascii_lowercase();
        let filler = rest.get(..12).is_some_and(|h| h.to_ascii_lowercase().starts_with("do you know"));
        // "what budget have you...": the auxiliary belongs to the question just begun.
        let inside_one = words_since_start < 4;
        let if_start = open_if.filter(|&(_, words)| (3..=12).contains(&words)).map(|(if_at, _)| if_at);
        if let Some(if_at) = if_start.filter(|_| after_if.is_match(rest) && is_question(rest, language)) {
            if starts.last() != Some(&if_at) {
                starts.push(if_at);
            }
            open_if = None;
            words_since_start = 0;
        } else if (after_join && start.is_match(rest) || strong.is_match(rest) && !filler && !inside_one)
            && is_question(rest, language)
        {
            starts.push(at);
            words_since_start = 0;
            open_if = None;
        }
        words_since_start += 1;
        open_if = match open_if {
            Some((if_at, words)) => Some((if_at, words + 1)),
            None if after_join && bare == "if" => Some((at, 1)),
            None => None,
        };
        after_join = word.ends_with([',', ';', ':']) || EN_QUESTION_JOINS.contains(&bare.as_str());
    }
    starts
        .iter()
        .enumerate()
        .map(|(k, &a)| {
            let b = starts.get(k + 1).copied().unwrap_or(text.len());
            let piece = &text[a..b];
            let mut piece = piece.trim_end().trim_end_matches([',', ';', ':']).trim_end();
            // A join word that opens the next question is not part of this one.
            while let Some((head, last)) = piece.rsplit_once(char::is_whitespace) {
                if EN_TRAILING_JOINS.contains(&last.to_ascii_lowercase().as_str()) {
                    piece = head.trim_end().trim_end_matches([',', ';', ':']).trim_end();
                } else {
                    break;
                }
            }
            (a, a + piece.len())
        })
        .collect()
}

/// Abbreviations whose full stop does not end a sentence.
const EN_ABBREVIATIONS: &[&str] =
    &["mr", "mrs", "ms", "dr", "vs", "etc", "inc", "ltd", "co", "jr", "sr", "st", "approx"];

fn ends_sentence(text: &str, i: usize, c: char) -> bool {
    match c {
        '?' | '!' | '。' | '？' | '！' | '\n' => true,
        '.' => {
            let before = &text[..i];
            let next = text[i + 1..].chars().next();
            if before.chars().next_back().is_some_and(|p| p.is_ascii_digit())
                && next.is_some_and(|n| n.is_ascii_digit())
            {
                return false;
            }
            let word: String =
                before.chars().rev().take_while(|c| c.is_alphabetic()).collect::<Vec<_>>().into_iter().rev().collect();
            let single_letter = word.chars().count() == 1 && word.chars().all(|c| c.is_ascii_alphabetic());
            !(single_letter || EN_ABBREVIATIONS.contains(&word.to_lowercase().as_str()))
        }
        _ => false,
    }
}

/// Byte ranges of the question sentences inside a longer turn, in order. A turn may mix
/// statements and several questions: "Thanks. Do you have a budget? And who signs?"
///
/// Speech-recognition output often has no punctuation at all ("okay great so what budget
/// have you set aside for this and who signs off"): a long stretch without a question mark
/// that is not a question as a whole is searched for the points where a question starts
/// (a question word or an inverted auxiliary after a discourse word or a conjunction), and
/// each such question runs to the next one or to the end of the stretch.
pub fn split_questions(turn_text: &str, language: Language) -> Vec<(usize, usize)> {
    let mut questions = Vec::new();
    let mut start = 0;
    let mut chars = turn_text.char_indices().peekable();
    let mut push = |start: usize, end: usize| {
        let piece = &turn_text[start..end];
        let lead = piece.len() - piece.trim_start().len();
        let trail = piece.len() - piece.trim_end().len();
        let (s, e) = (start + lead, end - trail);
        if s >= e {
            return;
        }
        let piece = &turn_text[s..e];
        if is_question(piece, language) {
            let inside = if piece.contains(['?', '？']) { Vec::new() } else { questions_inside(piece, language) };
            match inside.first() {
                // A run-on stretch that opens like a question may hold more than one.
                Some(&(0, _)) => questions.extend(inside.iter().map(|&(a, b)| (s + a, s + b))),
                // "so tell me a bit about the shop how many vans do you run": a request, then
                // a question of its own.
                Some(&(a, _)) if is_question(&turn_text[s..s + a], language) => {
                    questions.push((s, s + turn_text[s..s + a].trim_end().len()));
                    questions.extend(inside.iter().map(|&(a, b)| (s + a, s + b)));
                }
                _ => questions.push((s, e)),
            }
        } else if !piece.contains(['?', '？']) {
            questions.extend(questions_inside(piece, language).into_iter().map(|(a, b)| (s + a, s + b)));
        }
    };
    while let Some((i, c)) = chars.next() {
        if !ends_sentence(turn_text, i, c) {
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            if matches!(d, '?' | '!' | '.' | '。' | '？' | '！' | '"' | '”' | '’' | ')' | '）' | '」') {
                end = j + d.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        push(start, end);
        start = end;
    }
    if start < turn_text.len() {
        push(start, turn_text.len());
    }
    questions
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `expected` is `open` or `closed`, then `leading` when the question leads, then
    /// optionally `-> REWRITE` (`-> none` for no rewrite).
    fn check(language: Language, input: &str, expected: &str) {
        let got = coach(input, language);
        let (flags, rewrite) = match expected.split_once(" -> ") {
            Some((flags, rewrite)) => (flags, Some(rewrite)),
            None => (expected, None),
        };
        let mut flags = flags.split_whitespace();
        let form = flags.next().unwrap_or_default();
        let leading = flags.next() == Some("leading");
        assert_eq!(got.form.as_str(), form, "form of {input:?}: {got:#?}");
        assert_eq!(got.leading, leading, "leading of {input:?}: {got:#?}");
        match rewrite {
            Some("none") => assert_eq!(got.rewrite, None, "rewrite of {input:?}"),
            Some(r) => assert_eq!(got.rewrite.as_deref(), Some(r), "rewrite of {input:?}: {got:#?}"),
            None => {}
        }
        assert!(!got.reasons.is_empty(), "no reasons for {input:?}");
        if got.form == QuestionForm::Closed {
            assert!(got.rewrite.is_some(), "a closed question gets a rewrite: {input:?}");
        }
        if let Some(r) = &got.rewrite {
            let again = coach(r, language);
            assert_eq!(again.form, QuestionForm::Open, "the rewrite {r:?} of {input:?} is not open: {again:#?}");
            assert!(!again.leading, "the rewrite {r:?} of {input:?} leads: {again:#?}");
        }
    }

    #[test]
    fn english_open_questions() {
        let en = |input, expected| check(Language::En, input, expected);
        en("What does your process look like today?", "open -> none");
        en("How are you handling lead routing right now?", "open -> none");
        en("Why did you start looking at this now?", "open -> none");
        en("Who else will be involved in the decision?", "open -> none");
        en("Which tools are you using today?", "open");
        en("Tell me about your current process.", "open");
        en("Walk me through a typical week for your reps.", "open");
        en("Could you walk me through how a lead gets assigned?", "open");
        en("Can you tell me about the team that would use this?", "open");
        en("Would you mind sharing how you decided last time?", "open");
        en("So, uh, what's driving this project?", "open");
        en("Okay. How about your timeline?", "open");
        en("If you had to pick one, what would you choose?", "open");
        en("I'm curious how you handle renewals today.", "open");
        en("And that costs how much?", "open");
        en("To what extent is this on the leadership's radar?", "open");
        en("What’s the biggest blocker so far?", "open");
        en("I'd love to understand how your team prioritizes leads.", "open");
        en("Help me understand how budget decisions get made.", "open");
        en("If you could wave a magic wand, what would you fix first?", "open");
        en("Do you, what do you think about the pricing?", "open");
        en("By when do you need this in place?", "open");
        en("And you?", "open");
        en("You're in what region?", "open");
        en("When your team evaluates tools, who's involved?", "open");
    }

    #[test]
    fn english_closed_questions_and_rewrites() {
        let en = |input, expected| check(Language::En, input, expected);
        en("Do you have a budget for this?", "closed -> How are you thinking about budget for this?");
        en("Is this a priority?", "closed -> Where does this sit among your priorities?");
        en(
            "Is fixing routing a top priority for you right now?",
            "closed -> Where does fixing routing sit among your priorities right now?",
        );
        en("Are you the decision maker?", "closed -> Who else will be involved in this decision?");
        en("Can you sign off on this yourself?", "closed -> Who else will be involved in this decision?");
        en("Do you have a deadline for this?", "closed -> What timeline are you working toward for this?");
        en("Is this urgent?", "closed -> What's driving the timing of this?");
        en(
            "Are you happy with your current CRM?",
            "closed -> What's working well with your current CRM, and what isn't?",
        );
        en("Is onboarding a problem for you?", "closed -> How much of a problem is onboarding for you?");
        en("Are you looking at other vendors?", "closed -> Which other vendors are you considering?");
        en("Have you tried Salesforce?", "closed -> What has your experience been with Salesforce?");
        en("Would you be interested in a demo?", "closed -> How would a demo fit with what you're working on?");
        en("Do you want to move forward?", "closed -> What would need to happen for you to move forward?");
        en("Do you need to get approval from legal?", "closed -> What does it take to get approval from legal?");
        en("Is there anything else I should know?", "closed -> What else should I know?");
        en("Is there a deadline?", "closed -> Tell me about the deadline.");
        en("Do you have any questions?", "closed -> What questions do you have?");
        en("Do you have a CRM?", "closed -> Tell me about your CRM.");
        en("Are you using spreadsheets for this?", "closed -> How are you using spreadsheets for this today?");
        en(
            "Do you think this would help your team?",
            "closed -> What's your view on whether this would help your team?",
        );
        en("Do you know how many users you have?", "closed -> Tell me how many users you have.");
        en(
            "Can we schedule a follow-up call next week?",
            "closed -> When would suit you for a follow-up call next week?",
        );
        en("Can you sign by Friday?", "closed -> What would it take for you to sign by Friday?");
        en("Does your team handle renewals?", "closed -> How does your team handle renewals?");
        en("Do you work with agencies?", "closed -> Tell me about how you work with agencies.");
        en("Did you get my email?", "closed -> Tell me more about that.");
        en("Has the budget been approved?", "closed -> Where does the budget stand?");
        en("So, is anyone else involved?", "closed -> Who else will be involved in this decision?");
        en(
            "We help teams like yours, do you have a budget for this?",
            "closed -> How are you thinking about budget for this?",
        );
        en(
            "Is this something you need to solve this quarter?",
            "closed -> How does this fit with what you need to solve this quarter?",
        );
        en(
            "Is your team struggling with lead routing?",
            "closed -> Tell me about how your team is struggling with lead routing.",
        );
        en("Is price your main concern?", "closed -> What matters most to you here, and where does price fit?");
        en("Does your boss need to approve this?", "closed -> What does the approval process for this look like?");
        en("Do you see value in automating this?", "closed -> What value, if any, do you see in automating this?");
        en(
            "Is it fair to say that manual work is slowing you down?",
            "closed -> How accurate is it to say manual work is slowing you down?",
        );
        en("Will you be making the final decision?", "closed -> Who else will be involved in this decision?");
        en("Is security a big concern for you?", "closed -> How much of a concern is security for you?");
        en(
            "Would it make sense to set up a demo next week?",
            "closed -> What would make it worthwhile to set up a demo next week?",
        );
        en("Have you looked at other solutions?", "closed -> Which other solutions are you considering?");
        en("Is your CFO involved in the decision?", "closed -> Who is involved in the decision, and in what role?");
        en("Did you have a chance to review the proposal?", "closed -> What stood out to you in the proposal?");
        en(
            "Do your reps spend a lot of time on data entry?",
            "closed -> Tell me about how your reps spend a lot of time on data entry.",
        );
        en("Is onboarding time important to you?", "closed -> How important is onboarding time to you?");
        en(
            "So you're looking to replace Salesforce?",
            "closed -> What would need to happen for you to replace Salesforce?",
        );
        en(
            "You mentioned churn is a problem?",
            "closed -> You mentioned churn is a problem: what does that look like in practice?",
        );
        en("Is now a good time to talk?", "closed -> When would be a good time to talk?");
        en("Can I send you a proposal?", "closed -> What would you want to see in a proposal?");
        en("Should we loop in your IT team?", "closed -> Who else should be part of this conversation?");
        en("Was the last rollout successful?", "closed -> How did the last rollout go?");
        en("Any questions so far?", "closed -> What questions do you have so far?");
        en("Anything else I should know?", "closed -> What else should I know?");
        en("Does that make sense?", "closed -> How does that land with you?");
        en("Would your team use this daily?", "closed -> How would your team use this daily?");
        en(
            "Is compliance an issue in your industry?",
            "closed -> How much of an issue is compliance in your industry?",
        );
        en("Do you, uh, currently use a CRM?", "closed -> How are you using a CRM today?");
        en("2) Is this a priority?", "closed -> Where does this sit among your priorities?");
        en("Q3: How do you measure success?", "open");
        en("You have about fifty reps?", "closed -> How many reps do you have?");
        en("Or do you rent?", "closed -> Tell me about how you rent.");
        en("Budget's approved?", "closed");
    }

    #[test]
    fn english_tag_and_choice_questions() {
        let en = |input, expected| check(Language::En, input, expected);
        en(
            "You have about fifty reps, right?",
            "closed leading -> How accurate is it to say you have about fifty reps?",
        );
        en("That's a big change, isn't it?", "closed leading -> How accurate is it to say that's a big change?");
        en("The rollout went fine, did it?", "closed");
        en(
            "Would you prefer monthly or annual billing?",
            "closed -> How would you weigh monthly against annual billing?",
        );
        en("Is it the price or the features?", "closed -> How would you weigh the price against the features?");
        en("Or do you rent?", "closed");
        en("What, are you serious?", "closed");
        en("You just use spreadsheets, or what?", "closed");
        en("When you buy drinks, do they charge a deposit?", "closed");
        en("Do you want to go ahead or not?", "closed -> What would decide whether you want to go ahead?");
    }

    #[test]
    fn english_leading_questions() {
        let en = |input, expected| check(Language::En, input, expected);
        en(
            "Wouldn't you agree that this saves time?",
            "closed leading -> What's your view on whether this saves time?",
        );
        en(
            "Don't you think your team deserves better tools?",
            "closed leading -> What's your view on whether your team deserves better tools?",
        );
        en(
            "Isn't it true that manual routing loses you deals?",
            "closed leading -> What's your view on whether manual routing loses you deals?",
        );
        en("Surely you want to grow faster?", "closed leading -> What's your view on whether you want to grow faster?");
        en(
            "You'd want faster onboarding, right?",
            "closed leading -> How accurate is it to say you'd want faster onboarding?",
        );
        en(
            "Why wouldn't you want to save ten hours a week?",
            "open leading -> What would make you hesitate to save ten hours a week?",
        );
        en("Isn't that a problem for you?", "closed leading -> How much of a problem is that for you?");
        en(
            "Don't you want more qualified leads?",
            "closed leading -> What role would more qualified leads play for you?",
        );
    }

    #[test]
    fn chinese_questions() {
        let zh = |input, expected| check(Language::Zh, input, expected);
        zh("你们现在的流程是怎样的？", "open -> none");
        zh("为什么现在开始考虑这个问题？", "open");
        zh("预算大概是多少？", "open");
        zh("团队有几个人会用？", "open");
        zh("能讲讲你们现在的审批流程吗？", "open");
        zh("请介绍一下你们的销售团队。", "open");
        zh("那预算呢？", "open");
        zh("你们有预算吗？", "closed -> 你们对这个项目的预算是怎么考虑的？");
        zh("你们有没有预算？", "closed -> 你们对这个项目的预算是怎么考虑的？");
        zh("这个项目是你们的优先事项吗？", "closed -> 这个项目在你们目前的优先事项里排在什么位置？");
        zh("你是决策人吗？", "closed -> 这个决定还会有哪些人参与？");
        zh("你们有时间表吗？", "closed -> 你们计划在什么时间节点之前完成？");
        zh("你们对现在的系统满意吗？", "closed -> 现在的系统哪些地方好用，哪些地方不太好用？");
        zh("你们有没有在看其他供应商？", "closed -> 你们还在考虑哪些其他供应商？");
        zh("你们有CRM吗？", "closed -> 你们在CRM方面目前是什么情况？");
        zh("你们能在周五前签约吗？", "closed -> 要在周五前签约，需要满足哪些条件？");
        zh("你觉得这个方案可行吗？", "closed -> 你觉得这个方案怎么样？");
        zh("你们打算今年换系统吗？", "closed -> 对于今年换系统，你们是怎么打算的？");
        zh("你们有什么顾虑吗？", "closed");
        zh("你们想先试用还是直接采购？", "closed");
        zh("你们已经有系统了吧？", "closed");
        zh("是否需要法务审批？", "closed");
        zh("我们的客户都很满意，你们有预算吗？", "closed -> 你们对这个项目的预算是怎么考虑的？");
        zh("预算二十万？", "closed");
        zh("3. 你们有预算吗？", "closed -> 你们对这个项目的预算是怎么考虑的？");
        zh("你们是不是已经有系统了？", "closed -> 你们目前在系统方面是什么情况？");
        zh("你们有没有考虑过换一个CRM？", "closed -> 关于换一个CRM，你们是怎么考虑的？");
        zh("你们的预算够吗？", "closed -> 你们对这个项目的预算是怎么考虑的？");
        zh("预算批下来了吗？", "closed -> 预算现在进展到哪一步了？");
        zh("你们今年会招更多销售吗？", "closed -> 对于招更多销售，你们今年有什么计划？");
        zh("你们是想先试用还是直接采购？", "closed -> 在先试用和直接采购之间，你们会怎么权衡？");
        zh("这个项目急吗？", "closed -> 是什么在推动这个项目的时间安排？");
        zh("这个功能对你们重要吗？", "closed -> 这个功能对你们来说有多重要？");
        zh("你们下周方便开个会吗？", "closed -> 下周什么时间方便开个会？");
        zh("您是最终拍板的人吗？", "closed -> 这个决定还会有哪些人参与？");
        zh("你们现在在用Excel吗？", "closed -> 你们现在是怎么使用Excel的？");
        zh("你们有没有遇到过这个问题？", "closed -> 你们在这个问题上遇到过哪些情况？");
        zh("这是你们的问题吗？", "closed -> 能具体说说你们在这方面的情况吗？");
        zh("除了你，还有谁会参与这个决定？", "open -> none");
        zh("如果不解决这个问题，会有什么后果？", "open");
        zh("你觉得我们的方案怎么样？", "open");
        zh("这个问题对业务的影响有多大？", "open");
    }

    #[test]
    fn chinese_leading_questions() {
        let zh = |input, expected| check(Language::Zh, input, expected);
        zh("难道你们不想提高效率吗？", "closed leading -> 关于这一点，你是怎么看的？");
        zh("你不觉得现在的流程太慢了吗？", "closed leading -> 关于现在的流程太慢了，你是怎么看的？");
        zh("你们下个月要上线，对吧？", "closed leading -> 我的理解是“你们下个月要上线”，实际情况是怎样的？");
        zh("你们是不是应该先换系统？", "closed leading -> 你觉得下一步怎么做比较合适？");
        zh("你们肯定想节省时间吧？", "closed leading");
    }

    #[test]
    fn questions_are_told_from_statements() {
        let check = |text: &str, language: Language, expected: bool| {
            assert_eq!(is_question(text, language), expected, "{text:?}");
        };
        check("Do you have a budget?", Language::En, true);
        check("do you have a budget", Language::En, true);
        check("what does your process look like", Language::En, true);
        check("Tell me about your team.", Language::En, true);
        check("You have a budget?", Language::En, true);
        check("We have a budget.", Language::En, false);
        check("What a great idea.", Language::En, false);
        check("What we need is a pilot.", Language::En, false);
        check("Have a look at the proposal.", Language::En, false);
        check("Oh, really?", Language::En, false);
        check("Is that right?", Language::En, false);
        check("Is that right for your team?", Language::En, true);
        check("Oh, you do?", Language::En, false);
        check("Pardon?", Language::En, false);
        check("Isn't that amazing?", Language::En, false);
        check("Do you?", Language::En, false);
        check("Why?", Language::En, true);
        check("", Language::En, false);
        check("你们有预算吗", Language::Zh, true);
        check("你们的预算是多少", Language::Zh, true);
        check("你们有没有预算", Language::Zh, true);
        check("那预算呢", Language::Zh, true);
        check("能讲讲你们的流程", Language::Zh, true);
        check("我们下周再聊吧。", Language::Zh, false);
        check("我们有预算。", Language::Zh, false);
        check("不管怎么样我们都会做。", Language::Zh, false);
        // 没 or 没有 closing what is asked about ("有……没"), not a plain denial.
        check("那报价这块您心里有个底没", Language::Zh, true);
        check("上次发的资料看了没有", Language::Zh, true);
        check("这种系统你们以前用过没", Language::Zh, true);
        check("钱现在是真没有", Language::Zh, false);
        check("我们一分钱也没有", Language::Zh, false);
        check("之前想过要弄，但后来没有", Language::Zh, false);
        check("没有", Language::Zh, false);
        check("那费用这块您心里大概有个数不", Language::Zh, true);
        check("下午三点方便不", Language::Zh, true);
        check("要不", Language::Zh, false);
    }

    #[test]
    fn questions_are_found_inside_a_turn() {
        let check = |turn: &str, language: Language, expected: &[&str]| {
            let got: Vec<&str> = split_questions(turn, language).into_iter().map(|(s, e)| &turn[s..e]).collect();
            assert_eq!(got, expected, "{turn:?}");
        };
        check(
            "Thanks for the context. Do you have a budget for this? And who else signs off?",
            Language::En,
            &["Do you have a budget for this?", "And who else signs off?"],
        );
        check("We cut costs by 3.5 percent. What drove that?", Language::En, &["What drove that?"]);
        check("I spoke to Mr. Smith. Great!", Language::En, &[]);
        check("So tell me about your team. We can help.", Language::En, &["So tell me about your team."]);
        check("好的。你们有预算吗？谁来拍板？我们下周再聊。", Language::Zh, &["你们有预算吗？", "谁来拍板？"]);
        check("", Language::En, &[]);
        check("what is your budget", Language::En, &["what is your budget"]);
        check(
            "so tell me a bit about the shop how many vans do you run",
            Language::En,
            &["so tell me a bit about the shop", "how many vans do you run"],
        );
        // Speech-to-text without punctuation.
        check(
            "okay great so what budget have you set aside for this and who signs off",
            Language::En,
            &["what budget have you set aside for this", "who signs off"],
        );
        check(
            "thanks for that we help teams like yours do you have a budget for this",
            Language::En,
            &["do you have a budget for this"],
        );
        check("we route them by hand and what we need is speed", Language::En, &[]);
        check("we tried one last year you know it did not stick", Language::En, &[]);
        check(
            "how many reps are on the team and when do you need it live",
            Language::En,
            &["how many reps are on the team", "when do you need it live"],
        );
        check("好的明白那你们预算大概多少", Language::Zh, &["好的明白那你们预算大概多少"]);
        check("got it so when do you need it", Language::En, &["when do you need it"]);
        // A conditional clause before the inverted auxiliary belongs to the question.
        check(
            "and if you did go for something would that be your call",
            Language::En,
            &["if you did go for something would that be your call"],
        );
        check(
            "okay and if the price was right is there money for it this year",
            Language::En,
            &["if the price was right is there money for it this year"],
        );
        // A statement with an "if" clause stays a statement.
        check("if it breaks again we will just fix it by hand like always", Language::En, &[]);
        check("and if you did go for something that would be great", Language::En, &[]);
    }

    #[test]
    fn coaching_serializes_with_lowercase_forms() {
        let json = serde_json::to_value(coach("Do you have a budget?", Language::En)).unwrap_or_default();
        assert_eq!(json["form"], "closed");
        assert_eq!(json["leading"], false);
        assert!(json["rewrite"].is_string());
    }

    #[test]
    fn a_users_rewrite_extends_the_builtin_lexicon() {
        let user = r#"
[[entry]]
id = "rewrite.roi_tracked"
kind = "rewrite"
pattern = '(?i)^roi tracked(?P<rest>.*)$'
explain = "Asks how the return is measured."
rewrite = "How do you measure the return on tools like this${rest}?"
matches = ["ROI tracked today"]
rejects = ["do you track ROI"]
"#;
        let mut lexicon = builtin_lexicon(Language::En).clone();
        assert_eq!(coach_with("ROI tracked?", &lexicon).rewrite.as_deref(), Some("Tell me more about that."));
        let extra = Lexicon::parse("questions", Language::En, "user.toml", user);
        lexicon.extend(extra.unwrap_or_else(|e| panic!("{e}")));
        let got = coach_with("ROI tracked?", &lexicon);
        assert_eq!(got.rewrite.as_deref(), Some("How do you measure the return on tools like this?"));
        assert!(got.reasons.iter().any(|r| r.contains("[rewrite.roi_tracked]")), "{got:#?}");
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_an_answer_and_valid_spans(text in "\\PC{0,80}") {
            for language in [Language::En, Language::Zh] {
                let got = coach(&text, language);
                proptest::prop_assert!(!got.reasons.is_empty());
                let has_words = text.chars().any(char::is_alphanumeric);
                proptest::prop_assert!(got.form == QuestionForm::Open || got.rewrite.is_some() || !has_words);
                let _ = is_question(&text, language);
                let mut previous_end = 0;
                for (start, end) in split_questions(&text, language) {
                    proptest::prop_assert!(previous_end <= start && start < end && end <= text.len());
                    proptest::prop_assert!(text.get(start..end).is_some());
                    previous_end = end;
                }
            }
        }
    }

    #[test]
    fn odd_input_never_panics() {
        for text in ["", "?", "？", "   ", "uh", "so,", "or", "吗", "，，", "right?", "—", "...?", "é?", "Do"] {
            for language in [Language::En, Language::Zh] {
                let _ = coach(text, language);
                let _ = is_question(text, language);
                let _ = split_questions(text, language);
            }
        }
    }
}
