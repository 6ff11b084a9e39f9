//! The labelled data the heads learn from: question–answer exchanges and pairs of statements,
//! one JSON object per line (format in `data/README.md`). Every line is parsed strictly; a bad
//! line is an error naming the file and line.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sift_core::Language;
use sift_signals::meaning::{AuthorityReading, BudgetReading, NeedReading, TimelineReading};

use crate::error::MeaningModelError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    Train,
    Heldout,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn language(self) -> Language {
        match self {
            Lang::En => Language::En,
            Lang::Zh => Language::Zh,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

/// One labelled exchange (a rep question and the prospect's answer).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledExchange {
    pub id: String,
    pub lang: Lang,
    pub split: Split,
    #[serde(default)]
    pub industry: String,
    pub question: String,
    pub answer: String,
    pub need: NeedReading,
    pub authority: AuthorityReading,
    pub budget: BudgetReading,
    pub timeline: TimelineReading,
    pub excuse: bool,
    pub knowledge: bool,
    pub reason: String,
    /// Which author wrote it (from the file name, not the line).
    #[serde(skip)]
    pub author: String,
}

/// Two statements by one prospect, and whether they contradict each other.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledPair {
    pub id: String,
    pub lang: Lang,
    pub split: Split,
    #[serde(default)]
    pub topic: String,
    pub first: String,
    pub second: String,
    pub contradicts: bool,
    pub reason: String,
    #[serde(skip)]
    pub author: String,
}

trait Authored {
    fn set_author(&mut self, author: &str);
    fn id(&self) -> &str;
    /// What is wrong with the texts, if anything.
    fn empty_text(&self) -> Option<&'static str>;
}

impl Authored for LabelledExchange {
    fn set_author(&mut self, author: &str) {
        self.author = author.to_owned();
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn empty_text(&self) -> Option<&'static str> {
        // The question may be empty (an answer to no question); the answer may not.
        self.answer.trim().is_empty().then_some("an empty answer")
    }
}

impl Authored for LabelledPair {
    fn set_author(&mut self, author: &str) {
        self.author = author.to_owned();
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn empty_text(&self) -> Option<&'static str> {
        if self.first.trim().is_empty() {
            Some("an empty first statement")
        } else {
            self.second.trim().is_empty().then_some("an empty second statement")
        }
    }
}

/// Parses JSON lines; blank lines are skipped. `author` is recorded on every item.
fn parse_lines<T: for<'de> Deserialize<'de> + Authored>(
    path: &Path,
    text: &str,
    author: &str,
) -> Result<Vec<T>, MeaningModelError> {
    let mut items: Vec<T> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |message: String| MeaningModelError::BadLine { path: path.to_path_buf(), line: line_no, message };
        let mut item: T = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        if !seen.insert(item.id().to_owned()) {
            return Err(bad(format!("id `{}` appears twice", item.id())));
        }
        if let Some(problem) = item.empty_text() {
            return Err(bad(format!("`{}` has {problem}", item.id())));
        }
        item.set_author(author);
        items.push(item);
    }
    Ok(items)
}

pub fn parse_exchanges(path: &Path, text: &str, author: &str) -> Result<Vec<LabelledExchange>, MeaningModelError> {
    parse_lines(path, text, author)
}

pub fn parse_pairs(path: &Path, text: &str, author: &str) -> Result<Vec<LabelledPair>, MeaningModelError> {
    parse_lines(path, text, author)
}

/// All labelled data under a directory: `exchanges/*.jsonl` and `contradictions/*.jsonl`, the
/// author taken from each file's name (`author-1.jsonl` -> `author-1`), files in name order.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub exchanges: Vec<LabelledExchange>,
    pub pairs: Vec<LabelledPair>,
}

impl Dataset {
    pub fn load(dir: &Path) -> Result<Self, MeaningModelError> {
        let mut dataset = Dataset::default();
        for path in jsonl_files(&dir.join("exchanges"))? {
            let (text, author) = read_with_author(&path)?;
            dataset.exchanges.extend(parse_exchanges(&path, &text, &author)?);
        }
        for path in jsonl_files(&dir.join("contradictions"))? {
            let (text, author) = read_with_author(&path)?;
            dataset.pairs.extend(parse_pairs(&path, &text, &author)?);
        }
        Ok(dataset)
    }
}

fn jsonl_files(dir: &Path) -> Result<Vec<PathBuf>, MeaningModelError> {
    let entries = std::fs::read_dir(dir).map_err(|e| MeaningModelError::bad_file(dir, format!("cannot list: {e}")))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
        .collect();
    files.sort();
    Ok(files)
}

fn read_with_author(path: &Path) -> Result<(String, String), MeaningModelError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| MeaningModelError::bad_file(path, format!("cannot read: {e}")))?;
    let author = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok((text, author))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"id":"a1-en-001","lang":"en","split":"train","industry":"dental clinics","question":"How are reminders handled?","answer":"The front desk rings everyone the day before.","need":"pain","authority":"unclear","budget":"unclear","timeline":"unclear","excuse":false,"knowledge":false,"reason":"Staff time lost."}"#;

    #[test]
    fn an_exchange_line_parses_with_its_author() {
        let items = parse_exchanges(Path::new("a.jsonl"), &format!("{LINE}\n\n"), "author-1").unwrap();
        assert_eq!(items.len(), 1);
        let item = &items[0];
        assert_eq!((item.lang, item.split, item.need), (Lang::En, Split::Train, NeedReading::Pain));
        assert_eq!(item.author, "author-1");
    }

    #[test]
    fn bad_lines_name_the_file_and_line() {
        let check = |text: String, wanted: &str| {
            let message = parse_exchanges(Path::new("x/author-2.jsonl"), &text, "author-2").unwrap_err().to_string();
            assert!(message.starts_with("x/author-2.jsonl:2: "), "{message}");
            assert!(message.contains(wanted), "{message} lacks {wanted}");
        };
        check(format!("{LINE}\n{}", LINE.replace("\"pain\"", "\"agony\"")), "unknown variant `agony`");
        check(format!("{LINE}\n{}", LINE.replace("\"reason\"", "\"why\"")), "unknown field `why`");
        check(format!("{LINE}\n{LINE}"), "id `a1-en-001` appears twice");
        check(
            format!(
                "{LINE}\n{}",
                LINE.replace("a1-en-001", "a1-en-002").replace("The front desk rings everyone the day before.", " ")
            ),
            "has an empty answer",
        );
        check(format!("{LINE}\n{{not json"), "key must be a string");
    }

    #[test]
    fn a_pair_line_parses() {
        let line = r#"{"id":"a1-zh-c01","lang":"zh","split":"heldout","topic":"headcount","first":"我们销售一共十二个人。","second":"就八个顾问在打电话。","contradicts":true,"reason":"十二与八冲突。"}"#;
        let pairs = parse_pairs(Path::new("c.jsonl"), line, "author-3").unwrap();
        assert!(pairs[0].contradicts);
        assert_eq!(pairs[0].split, Split::Heldout);
        assert_eq!(pairs[0].lang.language(), Language::Zh);
    }
}
