//! Checking a question a rep plans to ask: open or closed, leading or not, and an open
//! rewrite. The same coach as `sift questions lint`, with the user's lexicon entries added.

use sift_core::Language;
use sift_signals::questions::{QuestionCoaching, builtin_lexicon, coach_with};

use crate::config::Config;

/// The language of a question: Chinese when it holds Han characters, else English.
pub fn language_of(text: &str) -> Language {
    let han = |c: char| matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}');
    if text.chars().any(han) { Language::Zh } else { Language::En }
}

/// Coaches one question in `language` (else the language it is written in); `None` for an
/// empty one.
pub fn lint(config: &Config, text: &str, language: Option<Language>) -> Option<QuestionCoaching> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let language = language.unwrap_or_else(|| language_of(text));
    let own: Vec<_> = config.lexicons.iter().filter(|l| l.language == language).collect();
    if own.is_empty() {
        return Some(coach_with(text, builtin_lexicon(language)));
    }
    let mut lexicon = builtin_lexicon(language).clone();
    for extra in own {
        lexicon.extend(extra.clone());
    }
    Some(coach_with(text, &lexicon))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_questions_get_an_open_rewrite_in_their_own_language() {
        let config = Config::builtin().expect("config");
        for (text, closed) in [
            ("Do you have a budget for this?", true),
            ("What would success look like for your team?", false),
            ("你们有预算吗？", true),
            ("   ", false),
        ] {
            let coached = lint(&config, text, None);
            if text.trim().is_empty() {
                assert!(coached.is_none());
                continue;
            }
            let coached = coached.expect("coached");
            assert_eq!(coached.form == sift_signals::questions::QuestionForm::Closed, closed, "{text}");
            assert_eq!(coached.rewrite.is_some(), closed, "{text}: {coached:?}");
        }
    }
}
