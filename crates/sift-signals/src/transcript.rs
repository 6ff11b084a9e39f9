//! Transcripts: the four input formats, read into speaker turns.

use serde::Serialize;
use sift_core::Language;

/// Who is speaking, from the rep's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Rep,
    Prospect,
}

/// One speaker turn: consecutive lines of one speaker joined with a space.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Turn {
    /// Position in the call, from 0.
    pub index: usize,
    pub speaker: String,
    pub role: Role,
    pub text: String,
    /// Seconds from the start of the call, when the format carries times.
    pub start: Option<f64>,
    pub end: Option<f64>,
}

/// A span of one turn's text, in byte offsets into `Turn::text` (reports convert to
/// character offsets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub turn: usize,
    pub start: usize,
    pub end: usize,
}

/// A whole call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transcript {
    pub turns: Vec<Turn>,
    pub language: Language,
}

impl Transcript {
    /// The prospect's turns, in order.
    pub fn prospect_turns(&self) -> impl Iterator<Item = &Turn> {
        self.turns.iter().filter(|t| t.role == Role::Prospect)
    }

    /// The rep's turns, in order.
    pub fn rep_turns(&self) -> impl Iterator<Item = &Turn> {
        self.turns.iter().filter(|t| t.role == Role::Rep)
    }

    /// The text a span covers.
    pub fn quote(&self, span: Span) -> &str {
        self.turns.get(span.turn).and_then(|t| t.text.get(span.start..span.end)).unwrap_or("")
    }

    /// Builds a transcript from (speaker, role, text) triples, for tests and examples.
    pub fn from_turns(language: Language, turns: &[(&str, Role, &str)]) -> Transcript {
        Transcript {
            turns: turns
                .iter()
                .enumerate()
                .map(|(index, (speaker, role, text))| Turn {
                    index,
                    speaker: (*speaker).to_owned(),
                    role: *role,
                    text: (*text).to_owned(),
                    start: None,
                    end: None,
                })
                .collect(),
            language,
        }
    }
}

/// The transcript formats Sift reads, detected from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One turn a line: `[hh:mm:ss] Name: text` or `Name: text`.
    Text,
    /// WebVTT with `<v Name>` voice tags.
    Vtt,
    /// SubRip with `Name:` prefixes.
    Srt,
    /// A JSON array of `{speaker, text, start?, end?}`.
    Json,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Vtt => "vtt",
            Format::Srt => "srt",
            Format::Json => "json",
        }
    }
}

/// Why a transcript could not be read; `line` is 1-based where there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct TranscriptError {
    pub line: Option<usize>,
    pub message: String,
}

fn error(line: Option<usize>, message: impl Into<String>) -> TranscriptError {
    TranscriptError { line, message: message.into() }
}

/// How the rep was told apart from the prospect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepChoice {
    pub reps: Vec<String>,
    /// In words: given on the command line, or how it was inferred.
    pub how: String,
}

/// A transcript as read, before roles are assigned.
#[derive(Debug, Clone, PartialEq)]
pub struct RawTranscript {
    pub format: Format,
    /// (speaker, text, start, end), one per line or cue, in order.
    pub lines: Vec<(String, String, Option<f64>, Option<f64>)>,
}

/// Detects the format and reads the speaker lines.
pub fn parse_transcript(text: &str) -> Result<RawTranscript, TranscriptError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(error(None, "the transcript is empty"));
    }
    let controls = text.chars().take(4096).filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')).count();
    if controls > 8 {
        return Err(error(None, "this looks like a binary file, not a transcript (it holds control characters)"));
    }
    let start = text.trim_start();
    let (format, lines) = if start.starts_with('[') && !looks_like_bracket_time(start) || start.starts_with('{') {
        (Format::Json, parse_json(text)?)
    } else if start.starts_with("WEBVTT") {
        (Format::Vtt, parse_cues(text, Format::Vtt)?)
    } else if looks_like_srt(start) {
        (Format::Srt, parse_cues(text, Format::Srt)?)
    } else {
        (Format::Text, parse_text(text)?)
    };
    if lines.is_empty() {
        return Err(error(None, format!("no speaker turns found in this {} transcript", format.name())));
    }
    Ok(RawTranscript { format, lines })
}

fn looks_like_bracket_time(s: &str) -> bool {
    s.split_once(']').is_some_and(|(head, _)| parse_clock(&head[1..]).is_some())
}

fn looks_like_srt(s: &str) -> bool {
    let mut lines = s.lines();
    lines.next().is_some_and(|l| l.trim().parse::<u64>().is_ok()) && lines.next().is_some_and(|l| l.contains("-->"))
}

/// `hh:mm:ss`, `mm:ss`, with optional `.mmm` or `,mmm`, to seconds.
fn parse_clock(s: &str) -> Option<f64> {
    let s = s.trim();
    let (main, frac) = match s.split_once(['.', ',']) {
        Some((m, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            (m, format!("0.{f}").parse::<f64>().ok()?)
        }
        Some(_) => return None,
        None => (s, 0.0),
    };
    let parts: Vec<&str> = main.split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty() || p.len() > 2 && p != &parts[0]) {
        return None;
    }
    let mut seconds = 0.0;
    for p in &parts {
        if !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        seconds = seconds * 60.0 + p.parse::<f64>().ok()?;
    }
    Some(seconds + frac)
}

/// `Name: text` (ASCII or full-width colon), where the name is short and looks like a name.
fn split_speaker(line: &str) -> Option<(&str, &str)> {
    let (at, colon_len) = [(line.find(':'), 1), (line.find('：'), '：'.len_utf8())]
        .into_iter()
        .filter_map(|(i, len)| i.map(|i| (i, len)))
        .min_by_key(|(i, _)| *i)?;
    let name = line[..at].trim();
    let rest = line[at + colon_len..].trim();
    let plausible = !name.is_empty()
        && name.chars().count() <= 40
        && name.split_whitespace().count() <= 5
        && !name.contains(['?', '!', '.', '？', '。', '"', '“'])
        && !name.starts_with("http");
    plausible.then_some((name, rest))
}

type Line = (String, String, Option<f64>, Option<f64>);

fn parse_text(text: &str) -> Result<Vec<Line>, TranscriptError> {
    let mut out: Vec<Line> = Vec::new();
    let mut unattributed = None;
    for (i, raw) in text.lines().enumerate() {
        let mut line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let mut start = None;
        if let Some(rest) = line.strip_prefix('[') {
            if let Some((clock, after)) = rest.split_once(']') {
                if let Some(s) = parse_clock(clock) {
                    start = Some(s);
                    line = after.trim();
                }
            }
        }
        match split_speaker(line) {
            Some((name, said)) => out.push((name.to_owned(), said.to_owned(), start, None)),
            None => match out.last_mut() {
                // A line without a speaker continues the previous turn.
                Some(last) => {
                    last.1.push(' ');
                    last.1.push_str(line);
                }
                None => {
                    unattributed.get_or_insert(i + 1);
                }
            },
        }
    }
    if out.is_empty() {
        return Err(error(
            unattributed,
            "no `Name: text` lines found; write one turn a line as `Name: text` or `[00:01:02] Name: text`",
        ));
    }
    Ok(out)
}

/// WebVTT and SRT: blocks separated by blank lines, each with a timing line.
fn parse_cues(text: &str, format: Format) -> Result<Vec<Line>, TranscriptError> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if let Some((from, to)) = line.split_once("-->") {
            let start =
                parse_clock(from).ok_or_else(|| error(Some(i + 1), format!("bad cue start time `{}`", from.trim())))?;
            // Cue settings may follow the end time (`00:00:04.000 align:start`).
            let to = to.split_whitespace().next().unwrap_or("");
            let end = parse_clock(to).ok_or_else(|| error(Some(i + 1), format!("bad cue end time `{to}`")))?;
            i += 1;
            let mut body = Vec::new();
            while i < lines.len() && !lines[i].trim().is_empty() {
                body.push(lines[i].trim());
                i += 1;
            }
            for text in body {
                let (speaker, said) = match format {
                    Format::Vtt => match voice(text) {
                        Some((name, said)) => (Some(name), said),
                        None => (None, strip_tags(text)),
                    },
                    _ => match split_speaker(text) {
                        Some((name, said)) => (Some(name.to_owned()), strip_tags(said)),
                        None => (None, strip_tags(text)),
                    },
                };
                match speaker {
                    Some(name) => out.push((name, said, Some(start), Some(end))),
                    None => {
                        let Some(last) = out.last_mut() else {
                            return Err(error(
                                Some(i),
                                "a cue without a speaker (`<v Name>` or `Name:`) opens the file",
                            ));
                        };
                        last.1.push(' ');
                        last.1.push_str(&said);
                        last.3 = Some(end);
                    }
                }
            }
        } else {
            i += 1;
        }
    }
    Ok(out)
}

/// `<v Name>text</v>` or `<v.class Name>text`.
fn voice(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix("<v")?;
    let close = rest.find('>')?;
    let tag = &rest[..close];
    let name = tag.split_once(' ').map(|(_, n)| n.trim()).unwrap_or("").to_owned();
    if name.is_empty() {
        return None;
    }
    Some((name, strip_tags(&rest[close + 1..])))
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_owned()
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonTurn {
    speaker: String,
    text: String,
    start: Option<f64>,
    end: Option<f64>,
}

fn parse_json(text: &str) -> Result<Vec<Line>, TranscriptError> {
    let turns: Vec<JsonTurn> = serde_json::from_str(text)
        .map_err(|e| error(Some(e.line()), format!("not a JSON array of {{speaker, text, start?, end?}}: {e}")))?;
    Ok(turns
        .into_iter()
        .filter(|t| !t.text.trim().is_empty())
        .map(|t| (t.speaker.trim().to_owned(), t.text.trim().to_owned(), t.start, t.end))
        .collect())
}

/// A Chinese (Han) character: the CJK unified ideographs and extension A.
/// The last `bytes` bytes of `text` before `end` (fewer when a character straddles the start),
/// for cue words that must stand just before a figure. Empty when `end` is not in `text`.
pub(crate) fn text_before(text: &str, end: usize, bytes: usize) -> &str {
    if end > text.len() {
        return "";
    }
    let mut from = end.saturating_sub(bytes);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    text.get(from..end).unwrap_or("")
}

pub(crate) fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// Chinese when at least a fifth of the letters are Han characters.
pub fn detect_language(text: &str) -> Language {
    let (mut han, mut letters) = (0usize, 0usize);
    for c in text.chars().take(200_000) {
        if is_han(c) {
            han += 1;
            letters += 1;
        } else if c.is_alphabetic() {
            letters += 1;
        }
    }
    if letters > 0 && han * 5 >= letters { Language::Zh } else { Language::En }
}

/// Words for talk-time purposes: Latin words count one each, Han characters one each.
pub fn word_count(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for c in text.chars() {
        if is_han(c) {
            count += 1;
            in_word = false;
        } else if c.is_alphanumeric() || c == '\'' || c == '’' {
            if !in_word {
                count += 1;
                in_word = true;
            }
        } else {
            in_word = false;
        }
    }
    count
}

/// Speaker labels that say who is selling and who is buying.
const REP_LABELS: &[&str] =
    &["rep", "sales", "seller", "ae", "sdr", "bdr", "account executive", "销售", "客户经理", "顾问"];
const PROSPECT_LABELS: &[&str] = &["prospect", "customer", "client", "buyer", "lead", "客户", "买方"];

fn label_matches(speaker: &str, labels: &[&str]) -> bool {
    let lower = speaker.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    labels.iter().any(|l| {
        if l.is_ascii() {
            words.contains(l) || lower == *l
        } else {
            lower.contains(l) && !(l == &"客户" && lower.contains("客户经理"))
        }
    })
}

/// Decides who the rep is: the names given, else a speaker labelled as sales, else the
/// speaker who asks the most questions (discovery calls are led by the rep's questions).
pub fn choose_reps(raw: &RawTranscript, given: &[String]) -> Result<RepChoice, TranscriptError> {
    let mut speakers: Vec<&str> = Vec::new();
    for (s, ..) in &raw.lines {
        if !speakers.contains(&s.as_str()) {
            speakers.push(s);
        }
    }
    if !given.is_empty() {
        let mut reps = Vec::new();
        for g in given {
            match speakers.iter().find(|s| s.eq_ignore_ascii_case(g.trim())) {
                Some(s) => reps.push((*s).to_owned()),
                None => {
                    return Err(error(
                        None,
                        format!("--rep `{g}` is not a speaker in this call; speakers: {}", speakers.join(", ")),
                    ));
                }
            }
        }
        return Ok(RepChoice { reps, how: "given with --rep".into() });
    }
    if speakers.len() < 2 {
        return Err(error(
            None,
            format!(
                "only one speaker (`{}`) in this call; a discovery call needs a rep and a prospect",
                speakers.join("")
            ),
        ));
    }
    let labelled: Vec<&str> = speakers.iter().copied().filter(|s| label_matches(s, REP_LABELS)).collect();
    if !labelled.is_empty() && labelled.len() < speakers.len() {
        return Ok(RepChoice {
            reps: labelled.iter().map(|s| (*s).to_owned()).collect(),
            how: format!(
                "inferred from the speaker label{} {}",
                if labelled.len() > 1 { "s" } else { "" },
                labelled.join(", ")
            ),
        });
    }
    let prospects: Vec<&str> = speakers.iter().copied().filter(|s| label_matches(s, PROSPECT_LABELS)).collect();
    if !prospects.is_empty() && prospects.len() < speakers.len() {
        let reps: Vec<String> = speakers.iter().filter(|s| !prospects.contains(s)).map(|s| (*s).to_owned()).collect();
        return Ok(RepChoice { how: format!("inferred: {} labelled as the buyer", prospects.join(", ")), reps });
    }
    let questions = |speaker: &str| {
        raw.lines.iter().filter(|(s, ..)| s == speaker).map(|(_, t, ..)| t.matches(['?', '？']).count()).sum::<usize>()
    };
    let (best, asked) =
        speakers.iter().map(|s| (*s, questions(s))).fold(("", 0), |acc, x| if x.1 > acc.1 { x } else { acc });
    if asked == 0 {
        return Ok(RepChoice {
            reps: vec![speakers[0].to_owned()],
            how: format!(
                "guessed: nobody asks a question, so the first speaker ({}) is taken as the rep; pass --rep to say",
                speakers[0]
            ),
        });
    }
    Ok(RepChoice {
        reps: vec![best.to_owned()],
        how: format!("inferred: {best} asks the most questions ({asked}); pass --rep to override"),
    })
}

/// Assigns roles and joins consecutive lines of one speaker into one turn.
pub fn into_transcript(raw: RawTranscript, reps: &RepChoice, language: Option<Language>) -> Transcript {
    let mut turns: Vec<Turn> = Vec::new();
    for (speaker, text, start, end) in raw.lines {
        if text.is_empty() {
            continue;
        }
        match turns.last_mut() {
            Some(last) if last.speaker == speaker => {
                let joiner = if last.text.ends_with(is_han) || text.starts_with(is_han) { "" } else { " " };
                last.text.push_str(joiner);
                last.text.push_str(&text);
                last.end = end.or(last.end);
            }
            _ => {
                let role = if reps.reps.contains(&speaker) { Role::Rep } else { Role::Prospect };
                turns.push(Turn { index: turns.len(), speaker, role, text, start, end });
            }
        }
    }
    // A turn without an end ends when the next one starts.
    for i in 0..turns.len().saturating_sub(1) {
        if turns[i].end.is_none() {
            turns[i].end = turns[i + 1].start;
        }
    }
    let language = language.unwrap_or_else(|| {
        let sample: String = turns.iter().take(200).map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ");
        detect_language(&sample)
    });
    Transcript { turns, language }
}

#[cfg(test)]
mod tests {
    use super::*;

    type ReadTurn = (String, Role, String, Option<f64>);

    #[test]
    fn text_before_starts_on_a_character() {
        let text = "预算二十万";
        // Four bytes back from the end land inside 二: the window starts at 十.
        assert_eq!(text_before(text, text.len(), 4), "万");
        assert_eq!(text_before(text, text.len(), 6), "十万");
        assert_eq!(text_before("we put 30k", 7, 40), "we put ");
        assert_eq!(text_before("abc", 9, 2), "");
    }

    /// Reads `text`, infers roles, and returns (format, [(speaker, role, text, start)]).
    fn read(text: &str) -> (Format, Vec<ReadTurn>) {
        let raw = parse_transcript(text).expect("parses");
        let format = raw.format;
        let reps = choose_reps(&raw, &[]).expect("roles");
        let t = into_transcript(raw, &reps, None);
        (format, t.turns.into_iter().map(|t| (t.speaker, t.role, t.text, t.start)).collect())
    }

    #[test]
    fn the_four_formats_give_the_same_turns() {
        let text = "[00:00:01] Dana: What made you look at this now?\n[00:00:05] Lee: Our reps lose a day a week.\n\
                    [00:00:09] Lee: Routing is manual.\n[00:00:15] Dana: How do you route today?\n";
        let vtt = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\n<v Dana>What made you look at this now?</v>\n\n\
                   00:00:05.000 --> 00:00:08.500 align:start\n<v Lee>Our reps lose a day a week.\n\n\
                   00:00:09.000 --> 00:00:14.000\n<v Lee>Routing is manual.\n\n00:00:15.000 --> 00:00:18.000\n<v Dana>How do you route <i>today</i>?\n";
        let srt = "1\n00:00:01,000 --> 00:00:04,000\nDana: What made you look at this now?\n\n2\n00:00:05,000 --> 00:00:08,500\n\
                   Lee: Our reps lose a day a week.\n\n3\n00:00:09,000 --> 00:00:14,000\nLee: Routing is manual.\n\n\
                   4\n00:00:15,000 --> 00:00:18,000\nDana: How do you route today?\n";
        let json = r#"[{"speaker":"Dana","text":"What made you look at this now?","start":1},
                       {"speaker":"Lee","text":"Our reps lose a day a week.","start":5},
                       {"speaker":"Lee","text":"Routing is manual.","start":9},
                       {"speaker":"Dana","text":"How do you route today?","start":15}]"#;
        let expected = vec![
            ("Dana".to_owned(), Role::Rep, "What made you look at this now?".to_owned(), Some(1.0)),
            ("Lee".to_owned(), Role::Prospect, "Our reps lose a day a week. Routing is manual.".to_owned(), Some(5.0)),
            ("Dana".to_owned(), Role::Rep, "How do you route today?".to_owned(), Some(15.0)),
        ];
        for (input, format) in [(text, Format::Text), (vtt, Format::Vtt), (srt, Format::Srt), (json, Format::Json)] {
            assert_eq!(read(input), (format, expected.clone()), "{format:?}");
        }
    }

    #[test]
    fn chinese_lines_with_full_width_colons_join_without_spaces() {
        let (_, turns) = read("销售：你们现在怎么分配线索？\n王经理：靠人工。\n王经理：每周要花一天。\n");
        assert_eq!(turns[0].1, Role::Rep, "the speaker labelled 销售 is the rep");
        assert_eq!(turns[1].2, "靠人工。每周要花一天。");
        let raw = parse_transcript("销售：你们现在怎么分配线索？\n王经理：靠人工。").expect("parses");
        let t = into_transcript(raw.clone(), &choose_reps(&raw, &[]).expect("roles"), None);
        assert_eq!(t.language, Language::Zh);
    }

    #[test]
    fn the_rep_is_given_or_inferred_and_the_choice_says_how() {
        let raw = parse_transcript("A: Hi.\nB: What is slowing your team down? Who else is involved?\nA: Routing.\n")
            .expect("parses");
        let inferred = choose_reps(&raw, &[]).expect("inferred");
        assert_eq!(inferred.reps, ["B"]);
        assert!(inferred.how.contains("asks the most questions"), "{}", inferred.how);
        let given = choose_reps(&raw, &["a".into()]).expect("given");
        assert_eq!((given.reps, given.how.as_str()), (vec!["A".to_owned()], "given with --rep"));
        let unknown = choose_reps(&raw, &["Zed".into()]).expect_err("not a speaker");
        assert!(unknown.message.contains("speakers: A, B"), "{unknown}");
    }

    #[test]
    fn bad_input_is_a_clear_error_never_a_panic() {
        let cases: &[(&str, &str)] = &[
            ("", "empty"),
            ("   \n\n", "empty"),
            ("just some prose without any speaker labels at all\n", "no `Name: text` lines"),
            ("\u{0}\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}\u{e}\u{f}", "binary"),
            ("[{\"speaker\": \"A\"}]", "line 1"),
            ("WEBVTT\n\n00:00:01.000 --> xx\n<v A>hi\n", "bad cue end time `xx`"),
            ("Only: me talking here\nOnly: still me\n", ""),
        ];
        for (input, expected) in cases {
            match parse_transcript(input).and_then(|raw| choose_reps(&raw, &[])) {
                Ok(_) => panic!("{input:?} should fail"),
                Err(e) => assert!(e.to_string().contains(expected), "{input:?}: {e}"),
            }
        }
    }

    #[test]
    fn words_count_latin_words_and_han_characters() {
        for (text, n) in [("We lose a day a week.", 6), ("靠人工", 3), ("用 Excel 分配", 4), ("don't", 1), ("", 0)]
        {
            assert_eq!(word_count(text), n, "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_errors_without_panicking(text in "\\PC{0,300}") {
            if let Ok(raw) = parse_transcript(&text) {
                if let Ok(reps) = choose_reps(&raw, &[]) {
                    let t = into_transcript(raw, &reps, None);
                    proptest::prop_assert!(t.turns.iter().enumerate().all(|(i, turn)| turn.index == i));
                }
            }
        }
    }
}
