//! Lexicons: the phrases and patterns the analysers listen for, as data.
//!
//! Each built-in lexicon is a TOML file under `lexicons/<lang>/`, embedded at build time.
//! Every entry carries examples that must match and examples that must not; a test runs
//! them all, so a pattern that drifts from its examples fails the build. Users extend a
//! lexicon by loading more files of the same shape on top of the built-in one.
//!
//! ```toml
//! [[entry]]
//! id = "excuse.busy_quarter"          # unique within the lexicon
//! kind = "excuse"                     # what the analyser does with a hit
//! pattern = '(?i)\bbusy (quarter|season)\b'
//! explain = "Gives a reason for a delay rather than a flat no."
//! explain_zh = "给出了拖延的理由，而不是直接拒绝。"   # optional: the words in Chinese
//! matches = ["it's our busy season right now"]
//! rejects = ["we are not busy"]
//! ```

use std::fmt;

use regex::Regex;
use serde::Deserialize;
use sift_core::Language;

/// One compiled lexicon entry.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub kind: String,
    pub pattern: Regex,
    pub explain: String,
    /// The explanation in Chinese, for an entry written in another language: a Chinese page
    /// says a finding's note with it. The built-in English `evidence` and `signals` entries
    /// all have one.
    pub explain_zh: Option<String>,
    /// Optional replacement template (used by question rewrites); `$1`-style groups allowed.
    pub rewrite: Option<String>,
    pub matches: Vec<String>,
    pub rejects: Vec<String>,
}

/// A named set of entries for one language.
#[derive(Debug, Clone)]
pub struct Lexicon {
    pub name: String,
    pub language: Language,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSyntax {
    #[serde(default)]
    entry: Vec<EntrySyntax>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntrySyntax {
    id: String,
    kind: String,
    pattern: String,
    explain: String,
    explain_zh: Option<String>,
    rewrite: Option<String>,
    #[serde(default)]
    matches: Vec<String>,
    #[serde(default)]
    rejects: Vec<String>,
}

/// Everything wrong with a lexicon file, each problem with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexiconError {
    pub source: String,
    pub problems: Vec<String>,
}

impl fmt::Display for LexiconError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lexicon `{}` is invalid:", self.source)?;
        for p in &self.problems {
            write!(f, "\n  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LexiconError {}

/// Names of the built-in lexicons, shipped for both languages.
pub const BUILTIN: &[&str] = &["questions", "signals", "evidence"];

/// The text of a built-in lexicon, if it exists.
pub fn builtin_text(name: &str, language: Language) -> Option<&'static str> {
    Some(match (name, language) {
        ("questions", Language::En) => include_str!("../lexicons/en/questions.toml"),
        ("questions", Language::Zh) => include_str!("../lexicons/zh/questions.toml"),
        ("signals", Language::En) => include_str!("../lexicons/en/signals.toml"),
        ("signals", Language::Zh) => include_str!("../lexicons/zh/signals.toml"),
        ("evidence", Language::En) => include_str!("../lexicons/en/evidence.toml"),
        ("evidence", Language::Zh) => include_str!("../lexicons/zh/evidence.toml"),
        _ => return None,
    })
}

impl Entry {
    /// The entry's explanation as a message (`call.lexicon`): its words, and its Chinese
    /// words when it has them.
    pub fn message(&self) -> sift_core::Message {
        sift_core::Message::new("call.lexicon")
            .with("id", self.id.as_str())
            .with("explain", self.explain.as_str())
            .with_opt("explain_zh", self.explain_zh.as_deref())
    }
}

impl Lexicon {
    /// The built-in lexicon `name` for `language`.
    ///
    /// # Panics
    /// Never for the shipped files: the test suite parses every one of them.
    pub fn builtin(name: &str, language: Language) -> Lexicon {
        let text = builtin_text(name, language).unwrap_or("");
        let source = format!("builtin:{}/{name}.toml", language.code());
        #[allow(clippy::expect_used)]
        Lexicon::parse(name, language, &source, text).expect("built-in lexicons are checked by tests")
    }

    /// Parses and compiles a lexicon file, reporting every problem at once.
    pub fn parse(name: &str, language: Language, source: &str, text: &str) -> Result<Lexicon, LexiconError> {
        let error = |problems| LexiconError { source: source.to_owned(), problems };
        let file: FileSyntax = toml::from_str(text).map_err(|e| error(vec![e.to_string().trim().to_owned()]))?;
        let mut lexicon = Lexicon { name: name.to_owned(), language, entries: Vec::new() };
        let mut problems = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, e) in file.entry.into_iter().enumerate() {
            let at = format!("entry {} (`{}`)", i + 1, e.id);
            if !seen.insert(e.id.clone()) {
                problems.push(format!("{at}: duplicate id"));
                continue;
            }
            match compile(&e.pattern) {
                Ok(pattern) => lexicon.entries.push(Entry {
                    id: e.id,
                    kind: e.kind,
                    pattern,
                    explain: e.explain,
                    explain_zh: e.explain_zh,
                    rewrite: e.rewrite,
                    matches: e.matches,
                    rejects: e.rejects,
                }),
                Err(err) => problems.push(format!("{at}: bad pattern: {err}")),
            }
        }
        if problems.is_empty() { Ok(lexicon) } else { Err(error(problems)) }
    }

    /// Adds a user's entries; an entry with an existing id replaces the built-in one.
    pub fn extend(&mut self, other: Lexicon) {
        for e in other.entries {
            match self.entries.iter_mut().find(|x| x.id == e.id) {
                Some(slot) => *slot = e,
                None => self.entries.push(e),
            }
        }
    }

    /// Entries of one kind.
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.kind == kind)
    }

    /// Checks every entry against its own examples; returns one line per failure.
    pub fn check_examples(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for e in &self.entries {
            if e.matches.is_empty() {
                failures.push(format!(
                    "{}/{}: `{}` has no example that must match",
                    self.language.code(),
                    self.name,
                    e.id
                ));
            }
            for m in &e.matches {
                if !e.pattern.is_match(m) {
                    failures.push(format!("{}/{}: `{}` should match {m:?}", self.language.code(), self.name, e.id));
                }
            }
            for r in &e.rejects {
                if e.pattern.is_match(r) {
                    failures.push(format!("{}/{}: `{}` should not match {r:?}", self.language.code(), self.name, e.id));
                }
            }
        }
        failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A finding's note comes from its entry's words: every built-in entry a finding can
    /// quote says it in Chinese, the English lexicons in `explain_zh`.
    #[test]
    fn every_builtin_evidence_and_signal_entry_has_chinese_words() {
        let han = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for name in ["evidence", "signals"] {
            for e in &Lexicon::builtin(name, Language::En).entries {
                let zh = e.explain_zh.as_deref().unwrap_or_default();
                assert!(han(zh) && !zh.contains(['a', 'e', 'o']), "en/{name} `{}`: explain_zh {zh:?}", e.id);
            }
            for e in &Lexicon::builtin(name, Language::Zh).entries {
                assert!(han(&e.explain), "zh/{name} `{}`: {:?}", e.id, e.explain);
            }
        }
    }

    #[test]
    fn every_builtin_entry_matches_its_examples_and_rejects_its_counterexamples() {
        let mut failures = Vec::new();
        for name in BUILTIN {
            for language in [Language::En, Language::Zh] {
                let text = builtin_text(name, language).unwrap_or_default();
                match Lexicon::parse(name, language, name, text) {
                    Ok(lexicon) => failures.extend(lexicon.check_examples()),
                    Err(e) => failures.push(e.to_string()),
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn a_bad_file_reports_every_problem_with_its_entry() {
        let text = r#"
[[entry]]
id = "a"
kind = "x"
pattern = "("
explain = "broken"
[[entry]]
id = "a"
kind = "x"
pattern = "a"
explain = "dup"
"#;
        let err = Lexicon::parse("t", Language::En, "user.toml", text).expect_err("invalid");
        assert_eq!(err.problems.len(), 2, "{err}");
        assert!(err.problems[0].starts_with("entry 1 (`a`): bad pattern"), "{err}");
        assert_eq!(err.problems[1], "entry 2 (`a`): duplicate id");
    }

    #[test]
    fn a_user_entry_replaces_the_builtin_with_the_same_id() {
        let base = "[[entry]]\nid = \"a\"\nkind = \"k\"\npattern = \"x\"\nexplain = \"old\"\nmatches = [\"x\"]\n";
        let user = "[[entry]]\nid = \"a\"\nkind = \"k\"\npattern = \"y\"\nexplain = \"new\"\nmatches = [\"y\"]\n";
        let mut lexicon = Lexicon::parse("t", Language::En, "base", base).expect("base");
        lexicon.extend(Lexicon::parse("t", Language::En, "user", user).expect("user"));
        assert_eq!(lexicon.entries.len(), 1);
        assert_eq!(lexicon.entries[0].explain, "new");
    }
}

/// The lazy DFA's cache for a set of many patterns scanned in one pass. The regex crate's
/// default (2 MiB) is soon exhausted on varied real speech with a few hundred cue patterns:
/// the search then falls back to the PikeVM, 30 to 40 times slower (measured with
/// `bench/analyze.sh` on realistic calls: 0.5 s for a one-hour call). The cache grows only
/// as far as a text needs it.
const SET_DFA_CACHE_BYTES: usize = 64 << 20;

/// A [`regex::RegexSet`] of `patterns` with room for its lazy DFA; `None` when one does not
/// compile (the caller then runs the patterns one by one).
pub(crate) fn regex_set<I, S>(patterns: I) -> Option<regex::RegexSet>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    regex::RegexSetBuilder::new(patterns).dfa_size_limit(SET_DFA_CACHE_BYTES).build().ok()
}

/// Compiles a built-in or user pattern the way every pattern of the analyser is compiled:
/// with [`spoken_apostrophes`], so a contraction in the pattern also matches speech
/// recognition output that drops the apostrophe.
pub(crate) fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&spoken_apostrophes(pattern))
}

/// Speech recognition output usually has no apostrophes ("thatd be me", "i dont need to",
/// "ive got"): the apostrophe of each contraction in `pattern` (written `'`, `’` or the class
/// `['’]`) becomes optional. It stays required where the word without it is another common
/// word: before `re` and `ll` after "we", "he" or "she" (were, well, hell, shell), and before
/// `re` and `ll` after a group, whose last word is unknown here. Apostrophes inside a wider
/// character class are left alone.
pub(crate) fn spoken_apostrophes(pattern: &str) -> String {
    const CLASS: &str = "['’]";
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            out.push(c);
            if let Some(&next) = chars.get(i + 1) {
                out.push(next);
            }
            i += 2;
            continue;
        }
        let width = if in_class {
            0
        } else if chars[i..].iter().take(4).copied().eq(CLASS.chars()) {
            4
        } else if matches!(c, '\'' | '’') {
            1
        } else {
            0
        };
        if width == 0 {
            match c {
                '[' if !in_class => in_class = true,
                ']' if in_class => in_class = false,
                _ => {}
            }
            out.push(c);
            i += 1;
            continue;
        }
        let word: String = {
            let mut w: Vec<char> = chars[..i].iter().rev().take_while(|c| c.is_ascii_alphabetic()).copied().collect();
            w.reverse();
            // `\bwe'`: the `b` belongs to the escape, not to the word.
            if i > w.len() && chars[i - w.len() - 1] == '\\' && !w.is_empty() {
                w.remove(0);
            }
            w.into_iter().collect::<String>().to_ascii_lowercase()
        };
        let after: String = chars[i + width..].iter().take(2).collect::<String>().to_ascii_lowercase();
        let after_word = i > 0 && (chars[i - 1].is_ascii_alphabetic() || chars[i - 1] == ')');
        let short = after.starts_with(['t', 'd', 'm', 's']) || after == "ve";
        let long =
            (after == "re" || after == "ll") && !word.is_empty() && !matches!(word.as_str(), "we" | "he" | "she");
        out.extend(chars[i..i + width].iter());
        if after_word && (short || long) {
            out.push('?');
        }
        i += width;
    }
    out
}

/// A set that finds, in one pass, which of `patterns` *may* match: each pattern without its
/// word boundaries (`\b`), so it matches wherever the pattern does and possibly more. The
/// lazy DFA cannot apply a Unicode word boundary to non-ASCII text (it would fall back to
/// the PikeVM on every Chinese turn), so the set leaves the boundaries to the patterns
/// themselves, run only where the set says they may match.
pub(crate) fn prefilter_set<I, S>(patterns: I) -> Option<regex::RegexSet>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    regex_set(patterns.into_iter().map(|p| without_word_boundaries(p.as_ref())))
}

/// `pattern` with every `\b` assertion removed (an escaped backslash followed by `b` stays).
fn without_word_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => {}
            Some(next) => {
                out.push(c);
                out.push(next);
            }
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod spoken_tests {
    use super::{compile, spoken_apostrophes};

    #[test]
    fn contractions_match_without_their_apostrophe() {
        for (pattern, text) in [
            (r"\bthat['’]d\s+be\s+me\b", "thatd be me its my call"),
            (r"\bdon't\s+need\b", "i dont need to run it past anyone"),
            (r"(?i)(?:I|we)['’]ve\s+got", "ive got fifteen minutes"),
            (r"\b(?:can|couldn)['’]t\b", "couldnt tell you"),
            (r"(?i)\bI'll\s+take\s+it\b", "ill take it to greg"),
            (r"\bthey['’]re\b", "theyre in on monday"),
        ] {
            let re = compile(pattern).expect("pattern");
            assert!(re.is_match(text), "{pattern} -> {} should match {text:?}", re.as_str());
        }
        // The written forms still match.
        assert!(compile(r"\bdon't\s+need\b").expect("pattern").is_match("I don't need it"));
        assert!(compile(r"\bthat['’]d\b").expect("pattern").is_match("that’d be me"));
    }

    #[test]
    fn words_of_their_own_keep_the_apostrophe_required() {
        // "we're" must not read "were", "we'll" not "well", "he'll" not "hell".
        for (pattern, text) in [
            (r"\bwe['’]re\s+ready\b", "were ready last year"),
            (r"\bwe'll\s+see\b", "well see what happens"),
            (r"\bhe['’]ll\b", "hell no"),
            (r"(?:you|they)['’]re\b", "they were"),
        ] {
            assert!(!compile(pattern).expect("pattern").is_match(text), "{pattern} must not match {text:?}");
        }
        // An apostrophe inside a wider class, an escaped one and one already optional stay as
        // they are.
        assert_eq!(spoken_apostrophes(r"[\w'’-]+"), r"[\w'’-]+");
        assert_eq!(spoken_apostrophes(r"how['’]?s"), r"how['’]?s");
        assert_eq!(spoken_apostrophes(r"don\'t"), r"don\'t");
        assert_eq!(spoken_apostrophes(r"you'd|we['’]ve"), r"you'?d|we['’]?ve");
    }
}

#[cfg(test)]
mod prefilter_tests {
    use super::*;

    #[test]
    fn word_boundaries_are_removed_and_escaped_backslashes_kept() {
        assert_eq!(without_word_boundaries(r"\bbudget\b"), "budget");
        assert_eq!(without_word_boundaries(r"a\\b\d"), r"a\\b\d");
        assert_eq!(without_word_boundaries(r"(?i)\bwho\b.*\?"), r"(?i)who.*\?");
    }

    #[test]
    fn the_prefilter_finds_every_pattern_that_matches_in_chinese_and_english_text() {
        let patterns = [r"\bwho (?:signs|decides)\b", r"\bbudget\b", r"谁(?:拍板|签字)"];
        let set = prefilter_set(patterns).expect("set");
        for text in ["Who signs off on the budget?", "预算谁签字？", "budgeting is hard", "这个谁拍板 budget"]
        {
            let may = set.matches(text);
            for (i, p) in patterns.iter().enumerate() {
                if regex::Regex::new(p).expect("pattern").is_match(text) {
                    assert!(may.matched(i), "{p} matches {text:?} but the prefilter missed it");
                }
            }
        }
        // And it is a filter: a text with none of the words passes nothing.
        assert!(!set.is_match("We ship pallets on Tuesdays."));
    }
}
