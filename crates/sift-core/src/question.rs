//! A first, deliberately small check for closed (yes/no) questions, used to lint framework
//! files. It looks only at the opening word in English and at the usual yes/no endings and
//! A-not-A forms in Chinese.

use crate::lead::Language;

const EN_CLOSED_OPENERS: &[&str] = &[
    "do", "does", "did", "is", "are", "was", "were", "am", "can", "could", "will", "would", "should", "shall", "may",
    "might", "have", "has", "had", "must", "don't", "doesn't", "didn't", "isn't", "aren't", "won't", "wouldn't",
    "can't", "couldn't", "haven't", "hasn't",
];

/// Polite requests that open with a modal but ask for an explanation ("Could you walk me
/// through...", "能讲讲……吗"): open in spirit whatever their grammar.
const EN_REQUEST_VERBS: &[&str] =
    &["walk", "describe", "tell", "explain", "share", "talk", "help", "give", "outline", "paint"];
const ZH_REQUEST_OPENERS: &[&str] = &[
    "能讲讲",
    "能说说",
    "能介绍",
    "能否讲讲",
    "能否介绍",
    "能否说说",
    "可以讲讲",
    "可以说说",
    "可以介绍",
    "请讲讲",
    "请介绍",
    "请说说",
    "能具体讲讲",
    "能具体说说",
];

const ZH_CLOSED_MARKERS: &[&str] = &["是不是", "有没有", "能不能", "会不会", "要不要", "可不可以", "对不对", "行不行"];

/// True when the question invites a yes or a no rather than an explanation.
pub fn looks_closed(question: &str, language: Language) -> bool {
    let q = question.trim();
    match language {
        Language::En => {
            let first = q
                .split(|c: char| c.is_whitespace() || c == ',')
                .next()
                .unwrap_or_default()
                .to_lowercase()
                .replace('\u{2019}', "'");
            if !EN_CLOSED_OPENERS.contains(&first.as_str()) {
                return false;
            }
            let words: Vec<String> = q.split_whitespace().take(4).map(|w| w.to_lowercase()).collect();
            let is_request = matches!(first.as_str(), "can" | "could" | "would" | "will")
                && words.get(1).is_some_and(|w| w == "you")
                && words
                    .iter()
                    .skip(2)
                    .any(|w| EN_REQUEST_VERBS.contains(&w.trim_matches(|c: char| !c.is_alphabetic())));
            !is_request
        }
        Language::Zh => {
            let body = q.trim_end_matches(['?', '？', '。', ' ']);
            if ZH_REQUEST_OPENERS.iter().any(|o| body.starts_with(o)) {
                return false;
            }
            body.ends_with('吗')
                || body.ends_with('么') && !body.ends_with("什么")
                || ZH_CLOSED_MARKERS.iter().any(|m| body.contains(m))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_no_questions_are_told_from_open_ones() {
        let check = |q: &str, lang: Language, closed: bool| assert_eq!(looks_closed(q, lang), closed, "{q}");
        check("Is this a priority?", Language::En, true);
        check("Do you have budget?", Language::En, true);
        check("Can't you decide alone?", Language::En, true);
        check("Could you walk me through the last purchase?", Language::En, false);
        check("Can you tell me who signs?", Language::En, false);
        check("Can you sign this quarter?", Language::En, true);
        check("能讲讲你们上一次采购的过程吗？", Language::Zh, false);
        check("Where does this sit on your list of priorities?", Language::En, false);
        check("Walk me through your process.", Language::En, false);
        check("How do you fund tools like this?", Language::En, false);
        check("这是优先事项吗？", Language::Zh, true);
        check("你们有没有预算？", Language::Zh, true);
        check("你们是怎样做决定的？", Language::Zh, false);
        check("是什么让你们现在开始寻找方案？", Language::Zh, false);
    }
}
