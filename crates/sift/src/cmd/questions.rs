//! `sift questions lint`: open or closed, leading or not, and an open rewrite, for the
//! questions a rep plans to ask.

use std::path::PathBuf;

use anstream::println;
use anstyle::{AnsiColor, Style};
use anyhow::{Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use sift_core::Language;
use sift_signals::questions::{QuestionCoaching, QuestionForm, coach};

use crate::exit;
use crate::inputs::read_text;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const OPEN: Style = AnsiColor::Green.on_default().bold();
const CLOSED: Style = AnsiColor::Yellow.on_default().bold();
const LEADING: Style = AnsiColor::Red.on_default().bold();

#[derive(Subcommand)]
pub enum QuestionsCommand {
    /// Check questions before a call: open or closed, leading or not, and an open rewrite.
    #[command(after_help = "Examples:\n  sift questions lint \"Do you have a budget for this?\"\n  \
sift questions lint --json \"Is this a priority?\" \"What does success look like?\"\n  \
sift questions lint --file my-questions.txt --lang zh")]
    Lint(LintArgs),
}

#[derive(Args)]
pub struct LintArgs {
    /// The questions to check (quote each one).
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    questions: Vec<String>,
    /// Read the questions from a UTF-8 file, one a line (blank lines are skipped).
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// Language of the questions; `auto` reads a question with Chinese characters as Chinese.
    #[arg(long, value_enum, default_value = "auto")]
    lang: QuestionLang,
    /// Print a JSON array, in input order, of {text, form, leading, rewrite, reasons}.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum QuestionLang {
    Auto,
    En,
    Zh,
}

impl QuestionLang {
    fn for_text(self, text: &str) -> Language {
        match self {
            QuestionLang::En => Language::En,
            QuestionLang::Zh => Language::Zh,
            QuestionLang::Auto if text.chars().any(is_han) => Language::Zh,
            QuestionLang::Auto => Language::En,
        }
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

#[derive(Serialize)]
struct Linted<'a> {
    text: &'a str,
    language: Language,
    form: QuestionForm,
    leading: bool,
    rewrite: Option<&'a str>,
    reasons: &'a [String],
}

pub fn run(command: &QuestionsCommand) -> Result<u8> {
    match command {
        QuestionsCommand::Lint(args) => lint(args),
    }
}

fn lint(args: &LintArgs) -> Result<u8> {
    let questions: Vec<String> = match &args.file {
        Some(path) => read_text(path)?.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
        None => args.questions.iter().map(|q| q.trim().to_owned()).filter(|q| !q.is_empty()).collect(),
    };
    if questions.is_empty() {
        bail!("no questions to check: give them as arguments or with --file (one a line)");
    }
    let coached: Vec<(Language, QuestionCoaching)> = questions
        .iter()
        .map(|q| {
            let language = args.lang.for_text(q);
            (language, coach(q, language))
        })
        .collect();
    if args.json {
        let linted: Vec<Linted<'_>> = coached
            .iter()
            .map(|(language, c)| Linted {
                text: &c.text,
                language: *language,
                form: c.form,
                leading: c.leading,
                rewrite: c.rewrite.as_deref(),
                reasons: &c.reasons,
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&linted)?);
        return Ok(exit::OK);
    }
    for (i, (_, c)) in coached.iter().enumerate() {
        // Fixed-width columns: styles add escape codes, so pad by hand.
        let form = match c.form {
            QuestionForm::Open => format!("{OPEN}open{OPEN:#}  "),
            QuestionForm::Closed => format!("{CLOSED}closed{CLOSED:#}"),
        };
        let leading = if c.leading { format!("{LEADING}leading{LEADING:#}") } else { " ".repeat(7) };
        println!("{:>3}. {form} {leading}  {BOLD}{}{BOLD:#}", i + 1, c.text);
        if let Some(rewrite) = &c.rewrite {
            println!("     {DIM}try:{DIM:#} {rewrite}");
        }
    }
    let closed = coached.iter().filter(|(_, c)| c.form == QuestionForm::Closed).count();
    let leading = coached.iter().filter(|(_, c)| c.leading).count();
    println!(
        "\n{} question{}: {} open, {closed} closed, {leading} leading.",
        coached.len(),
        if coached.len() == 1 { "" } else { "s" },
        coached.len() - closed
    );
    Ok(exit::OK)
}
