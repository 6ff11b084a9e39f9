//! Closed-question detection measured on real, labelled telephone conversations: the
//! Switchboard dialogue-act corpus (SWBD-DAMSL tags), read from `../shared/data` when present.
//!
//! The train files are split by sorted file name: the first 80% is the tuning part (look at
//! its errors with `SWITCHBOARD_ERRORS=40`), the last 20% is held out and only ever measured.
//! Labels: closed = `qy` (yes/no), `qy^d` (declarative yes/no), `^g` (tag), `qrr` (or-clause);
//! open = `qw` (wh-), `qo` (open), `qw^d` (declarative wh-). Other utterances are not questions
//! of either form and are left out of the main figure.
//!
//! Run with `cargo test -p sift-signals --test switchboard -- --nocapture` to see the figures.

use std::path::{Path, PathBuf};
use std::time::Instant;

use sift_core::Language;
use sift_signals::questions::{QuestionForm, coach, is_question, split_questions};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Closed,
    Open,
    Other,
}

fn label(tag: &str) -> Label {
    match tag.trim() {
        "qy" | "qy^d" | "^g" | "qrr" => Label::Closed,
        "qw" | "qo" | "qw^d" => Label::Open,
        _ => Label::Other,
    }
}

struct Utterance {
    text: String,
    tag: String,
    label: Label,
}

/// Removes the corpus's transcription markup (`{F uh}`, `/`, `--`, `#`, `<laughter>`, `[ ]`,
/// `+`); the words stay as spoken.
fn clean(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' => {
                // `{F`, `{D`, `{C`, `{E`, `{A`: drop the code letter, keep the words.
                if chars.peek().is_some_and(|n| n.is_ascii_uppercase()) {
                    chars.next();
                }
            }
            '<' => {
                for n in chars.by_ref() {
                    if n == '>' {
                        break;
                    }
                }
            }
            // A transcriber's comment (`*two utts?`, `*typo`) runs to the end of the line.
            '*' => break,
            '}' | '#' | '/' | '[' | ']' | '+' => out.push(' '),
            '-' if chars.peek() == Some(&'-') => {
                chars.next();
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    let joined = out.split_whitespace().collect::<Vec<_>>().join(" ");
    joined.replace(" ,", ",").replace(" ?", "?").replace(" .", ".")
}

/// Speech-to-text output: the words without punctuation (apostrophes stay).
fn strip_punctuation(text: &str) -> String {
    let kept: String = text.chars().map(|c| if c.is_ascii_punctuation() && c != '\'' { ' ' } else { c }).collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn read_part(files: &[PathBuf]) -> Vec<Utterance> {
    let mut utterances = Vec::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("skipping unreadable {}", path.display());
            continue;
        };
        for line in text.lines() {
            let mut fields = line.rsplitn(2, '|');
            let (Some(tag), Some(rest)) = (fields.next(), fields.next()) else { continue };
            let utterance = rest.split_once('|').map_or(rest, |(_, u)| u);
            utterances.push(Utterance { text: clean(utterance), tag: tag.trim().to_owned(), label: label(tag) });
        }
    }
    utterances
}

#[derive(Debug, Default)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
    tn: usize,
}

impl Counts {
    fn add(&mut self, predicted_closed: bool, actually_closed: bool) {
        match (predicted_closed, actually_closed) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }
    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
    fn accuracy(&self) -> f64 {
        (self.tp + self.tn) as f64 / (self.tp + self.fp + self.fn_ + self.tn).max(1) as f64
    }
    fn line(&self, name: &str) -> String {
        format!(
            "{name}: precision {:.3} recall {:.3} F1 {:.3} accuracy {:.3} (tp {} fp {} fn {} tn {})",
            self.precision(),
            self.recall(),
            self.f1(),
            self.accuracy(),
            self.tp,
            self.fp,
            self.fn_,
            self.tn
        )
    }
}

struct Measured {
    /// Closed vs open among the labelled questions: the headline figure.
    form: Counts,
    /// Closed-question detection over every utterance: `is_question` and then `coach`.
    all: Counts,
    /// The same with every punctuation mark removed, as speech-to-text output reads.
    unpunctuated: Counts,
    /// Majority baseline on the same questions: everything closed.
    baseline: Counts,
    /// Time of `coach` alone, per labelled question.
    micros_per_question: f64,
}

fn measure(utterances: &[Utterance], show_errors: usize) -> Measured {
    let mut form = Counts::default();
    let mut all = Counts::default();
    let mut unpunctuated = Counts::default();
    let mut baseline = Counts::default();
    let mut shown = 0;
    let questions: Vec<&Utterance> = utterances.iter().filter(|u| u.label != Label::Other).collect();
    let started = Instant::now();
    let forms: Vec<QuestionForm> = questions.iter().map(|u| coach(&u.text, Language::En).form).collect();
    let micros_per_question = started.elapsed().as_secs_f64() * 1e6 / (questions.len().max(1) as f64);
    assert_eq!(forms.len(), questions.len());
    for u in utterances {
        let actually_closed = u.label == Label::Closed;
        let bare = strip_punctuation(&u.text);
        unpunctuated.add(
            is_question(&bare, Language::En) && coach(&bare, Language::En).form == QuestionForm::Closed,
            actually_closed,
        );
        if u.label == Label::Other {
            let detected =
                is_question(&u.text, Language::En) && coach(&u.text, Language::En).form == QuestionForm::Closed;
            all.add(detected, false);
            if detected && shown < show_errors && std::env::var_os("SWITCHBOARD_ALL").is_some() {
                shown += 1;
                eprintln!("  {} detected as a closed question: {:?}", u.tag, u.text);
            }
            continue;
        }
        let got = coach(&u.text, Language::En);
        let predicted_closed = got.form == QuestionForm::Closed;
        form.add(predicted_closed, actually_closed);
        baseline.add(true, actually_closed);
        let detected = predicted_closed && is_question(&u.text, Language::En);
        all.add(detected, actually_closed);
        if detected != actually_closed && shown < show_errors && std::env::var_os("SWITCHBOARD_ALL").is_some() {
            shown += 1;
            eprintln!(
                "  {} missed among all utterances (question: {}): {:?}",
                u.tag,
                is_question(&u.text, Language::En),
                u.text
            );
        }
        if predicted_closed != actually_closed && shown < show_errors {
            shown += 1;
            eprintln!("  {:?} predicted {}: {:?} {:?}", u.label, got.form.as_str(), u.text, got.reasons);
        }
    }
    Measured { form, all, unpunctuated, baseline, micros_per_question }
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/dialogue/switchboard-train/train")
}

#[test]
fn closed_question_detection_on_held_out_switchboard_calls() {
    let dir = data_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: Switchboard data not found at {} (../shared/data is absent)", dir.display());
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "expected the Switchboard train files in {}", dir.display());
    let split = files.len() * 8 / 10;
    let (tuning_files, held_out_files) = files.split_at(split);

    let show_errors = std::env::var("SWITCHBOARD_ERRORS").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let tuning = measure(&read_part(tuning_files), show_errors);
    // The held-out part never shows its errors: nobody tunes on it.
    let held_out = measure(&read_part(held_out_files), 0);

    for (name, files, m) in [("tuning", tuning_files.len(), &tuning), ("held-out", held_out_files.len(), &held_out)] {
        eprintln!("Switchboard {name} part ({files} calls):");
        eprintln!("  {}", m.form.line("closed vs open, labelled questions"));
        eprintln!("  {}", m.baseline.line("baseline, everything closed"));
        eprintln!("  {}", m.all.line("closed questions among all utterances"));
        eprintln!("  {}", m.unpunctuated.line("the same without punctuation (speech-to-text)"));
        eprintln!("  coach() time (debug build unless --release): {:.1} µs per question", m.micros_per_question);
    }
    // A one-hour call is about 10,000 words: split such a text into questions and coach each.
    let call: String = read_part(tuning_files)
        .iter()
        .map(|u| u.text.as_str())
        .scan(0usize, |words, text| {
            *words += text.split_whitespace().count();
            (*words <= 10_000).then_some(text)
        })
        .collect::<Vec<_>>()
        .join(" ");
    let started = Instant::now();
    let spans = split_questions(&call, Language::En);
    let coached: Vec<_> = spans.iter().map(|&(s, e)| coach(&call[s..e], Language::En)).collect();
    let elapsed = started.elapsed().as_secs_f64();
    eprintln!(
        "10,000 words ({} bytes): {} questions found and coached in {:.2} ms ({:.1} MB/s)",
        call.len(),
        coached.len(),
        elapsed * 1e3,
        call.len() as f64 / elapsed / 1e6
    );
    assert!(
        held_out.form.f1() >= 0.90,
        "closed-question F1 on the held-out part is {:.3}, below the 0.90 target",
        held_out.form.f1()
    );
    // Among all utterances the target is 0.85, and it is not met: about a third of the
    // closed questions in this corpus carry no question mark (declarative questions such as
    // "So you have a break too.", and the tails of questions split by an interruption, which
    // the corpus labels like the question they continue), and a question mark alone marks
    // echoes, backchannels and rhetorical questions as well. Even a perfect reading of every
    // utterance ending in "?" with today's reading of the rest would score about 0.85 on the
    // tuning part. The floor below guards against regressions; the README gives the figures.
    assert!(
        held_out.all.f1() >= 0.77,
        "closed questions among all utterances of the held-out part: F1 {:.3} fell below the 0.77 floor",
        held_out.all.f1()
    );
    if held_out.all.f1() < 0.85 {
        eprintln!("note: among all utterances the held-out F1 {:.3} is below the 0.85 target", held_out.all.f1());
    }
}

#[test]
fn markup_is_removed_and_words_are_kept() {
    assert_eq!(clean("{F uh, } do you -- / have # one? <laughter>"), "uh, do you have one?");
    assert_eq!(clean("[ I, + I ] think so"), "I, I think so");
    assert_eq!(clean("He's an aerobics instructor. *two utts?"), "He's an aerobics instructor.");
    assert_eq!(strip_punctuation("Do you, uh, have one? I'm not sure."), "Do you uh have one I'm not sure");
}
