//! `sift analyze`: read a discovery call and say what it shows.

use std::path::PathBuf;

use anstream::println;
use anstyle::{AnsiColor, Style};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use sift_app::Config;
use sift_app::calls::{CallRequest, analyze_call};
use sift_core::{Framework, Language, Registry};
use sift_signals::analyze::Analysis;
use sift_signals::lexicon::Lexicon;
use sift_signals::metrics::Standing;
use sift_signals::{Polarity, Role};

use crate::exit;
use crate::inputs::{ModelArgs, config, read_text, read_transcript};

#[derive(Args)]
#[command(after_long_help = "\
FORMATS (detected automatically):
  text    one turn a line: `[00:01:02] Dana: What made you look at this now?` or `Dana: ...`
  vtt     WebVTT, speakers in voice tags: `<v Dana>What made you...</v>`
  srt     SubRip, speakers as `Dana: ...` at the start of the cue text
  json    an array of {\"speaker\": \"Dana\", \"text\": \"...\", \"start\": 62.0, \"end\": 65.5}
Consecutive lines of one speaker form one turn. Files may be UTF-8, UTF-16 (with BOM), or
mixed UTF-8 / Windows-1252 (such lines are named in a note).

WHO IS THE REP: `--rep NAME` (repeatable). Without it Sift looks for a speaker labelled as
sales (Rep, AE, SDR, 销售...) or as the buyer (Prospect, Customer, 客户...), else takes the
speaker who asks the most questions, and says which rule it used.

SIGNALS: good signs excuse, specificity, knowledge; red flags inconsistency, short_answers,
unrealistic_target. Each comes with the turn, the quote and why it counts.

EXAMPLES:
  sift analyze call.vtt
  sift analyze call.txt --rep Dana --framework meddic
  sift analyze call.json --json | jq '.signals[] | select(.polarity == \"red\")'
  sift analyze call.srt --html report.html")]
pub struct AnalyzeArgs {
    /// The call transcript: plain text, WebVTT, SRT or JSON.
    file: PathBuf,

    /// The rep's speaker name as written in the transcript (repeatable).
    #[arg(long, value_name = "NAME")]
    rep: Vec<String>,

    /// Report criteria for this framework (bant, meddic, champ...); default: every built-in one
    /// in JSON and HTML, BANT in the terminal.
    #[arg(long, value_name = "ID")]
    framework: Option<String>,

    /// The call's language; `auto` detects it from the text.
    #[arg(long, value_enum, default_value_t = LangChoice::Auto)]
    lang: LangChoice,

    /// The date of the call (YYYY-MM-DD), to resolve "next quarter"; default today.
    #[arg(long, value_name = "DATE")]
    as_of: Option<NaiveDate>,

    /// Extra lexicon entries (TOML, the format of `crates/sift-signals/lexicons/`; repeatable):
    /// kinds `excuse`/`knowledge` add signal phrases, question kinds (`closed_start`...) add to
    /// question coaching, evidence kinds (`budget.confirmed`, `need.symptom`...) add criterion
    /// cues. An entry with a built-in id replaces it. Every entry's examples are checked.
    #[arg(long, value_name = "FILE")]
    lexicon: Vec<PathBuf>,

    /// Print the analysis as JSON.
    #[arg(long, conflicts_with = "html")]
    json: bool,

    /// Write a self-contained HTML report with the transcript and the signals marked in place.
    #[arg(long, value_name = "OUT")]
    html: Option<PathBuf>,

    #[command(flatten)]
    model: ModelArgs,

    #[command(flatten)]
    llm: crate::inputs::LlmArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangChoice {
    Auto,
    En,
    Zh,
}

impl LangChoice {
    pub fn language(self) -> Option<Language> {
        match self {
            LangChoice::Auto => None,
            LangChoice::En => Some(Language::En),
            LangChoice::Zh => Some(Language::Zh),
        }
    }
}

/// Reads the user's extra lexicon files; an entry whose own examples fail is refused.
fn load_lexicons(paths: &[PathBuf], language: Language) -> Result<Vec<Lexicon>> {
    paths
        .iter()
        .map(|p| Ok(sift_app::calls::parse_lexicon(&p.display().to_string(), &read_text(p)?, language)?))
        .collect()
}

fn frameworks<'r>(config: &'r Config, id: Option<&str>, all_by_default: bool) -> Result<Vec<&'r Framework>> {
    match id {
        Some(id) => Ok(vec![config.framework(id)?]),
        None if all_by_default => Ok(config.registry.frameworks().iter().collect()),
        None => Ok(config.registry.get("bant").into_iter().collect()),
    }
}

pub fn run(framework_files: &[PathBuf], args: &AnalyzeArgs) -> Result<u8> {
    let mut config = config(framework_files)?;
    config.meaning = args.model.open()?;
    config.llm = args.llm.config();
    let registry = &config.registry;
    let machine = args.json || args.html.is_some();
    let frameworks = frameworks(&config, args.framework.as_deref(), machine)?;
    let lexicons = load_lexicons(&args.lexicon, args.lang.language().unwrap_or_default())?;
    let as_of = args.as_of.unwrap_or_else(crate::cmd::qualify::today);
    let input = read_transcript(&args.file)?;
    if let Some(note) = &input.note {
        anstream::eprintln!("note: {}: {note}", args.file.display());
    }
    let source = args.file.display().to_string();
    let request = CallRequest {
        source: &source,
        text: &input.text,
        reps: &args.rep,
        language: args.lang.language(),
        as_of,
        lexicons: &lexicons,
        meaning: config.meaning(),
        llm: config.llm.as_ref(),
    };
    let analysis = analyze_call(&request, frameworks)?;
    if args.json {
        write_json(analysis, std::io::stdout().lock())?;
    } else if let Some(out) = &args.html {
        let page = html_report(&analysis, &args.file.display().to_string());
        std::fs::write(out, page.into_string()).with_context(|| format!("cannot write `{}`", out.display()))?;
        println!(
            "Wrote {} ({} turns, {} signals).",
            out.display(),
            analysis.transcript.turns.len(),
            analysis.signals.len()
        );
    } else {
        print_report(&analysis, registry);
    }
    Ok(exit::OK)
}

/// The JSON contract (see [`sift_app::calls::CallReport`]), written straight to `out`.
pub fn write_json(analysis: Analysis, out: impl std::io::Write) -> Result<()> {
    let report = sift_app::calls::CallReport::from(analysis);
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &report)?;
    std::io::Write::write_all(&mut out, b"\n")?;
    std::io::Write::flush(&mut out)?;
    Ok(())
}

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const GOOD: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default();
const WARN: Style = AnsiColor::Yellow.on_default();

/// Which part of Sift produced a finding, as printed after it.
pub fn mode_name(mode: sift_signals::meaning::Mode) -> &'static str {
    match mode {
        sift_signals::meaning::Mode::Rules => "rules",
        sift_signals::meaning::Mode::Model => "model",
        sift_signals::meaning::Mode::Llm => "llm",
    }
}

fn short(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

fn print_report(a: &Analysis, registry: &Registry) {
    let m = &a.metrics;
    let duration =
        m.duration_seconds.map(|s| format!(", {}:{:02}", (s / 60.0) as u64, (s % 60.0) as u64)).unwrap_or_default();
    println!(
        "{BOLD}Call analysis{BOLD:#} ({} transcript, {}, {} turns{duration})",
        a.format.name(),
        if a.language == Language::Zh { "Chinese" } else { "English" },
        m.turns
    );
    println!("{DIM}Rep: {} ({}){DIM:#}", a.rep.reps.join(", "), a.rep.how);
    println!("{DIM}Read with: {}{DIM:#}", a.reading.note);

    println!("\n{BOLD}How the call was run{BOLD:#}");
    for x in &m.assessments {
        let (style, mark) = match x.standing {
            Standing::InBand => (GOOD, "ok "),
            Standing::Low | Standing::High => (WARN, "!! "),
        };
        println!("  {style}{mark}{style:#}{} {DIM}[{}; {}]{DIM:#}", x.note, x.band, x.source);
    }
    println!(
        "  {DIM}prospect: median answer {:.0} words, longest stretch {:.0} {}{DIM:#}",
        m.prospect_median_answer_words, m.longest_prospect_monologue.amount, m.longest_prospect_monologue.unit
    );

    println!("\n{BOLD}Signals{BOLD:#}");
    if a.signals.is_empty() {
        println!("  none found");
    }
    for s in &a.signals {
        let style = if s.polarity == Polarity::Good { GOOD } else { RED };
        let speaker = a.transcript.turns.get(s.turn).map_or("", |t| t.speaker.as_str());
        println!(
            "  {style}{:<4} {:<18}{style:#} turn {:>3} {speaker}: \"{}\"\n       {DIM}{} [{}]{DIM:#}",
            if s.polarity == Polarity::Good { "good" } else { "red" },
            s.kind.as_str(),
            s.turn,
            short(&s.quote, 80),
            s.explanation,
            mode_name(s.mode)
        );
    }

    println!(
        "\n{BOLD}Questions the rep asked{BOLD:#} ({} open, {} closed, {} leading)",
        m.open_questions, m.closed_questions, m.leading_questions
    );
    for q in &a.questions {
        let form = match q.form {
            sift_signals::questions::QuestionForm::Open => format!("{GOOD}open  {GOOD:#}"),
            sift_signals::questions::QuestionForm::Closed => format!("{WARN}closed{WARN:#}"),
        };
        let leading = if q.leading { format!(" {RED}leading{RED:#}") } else { String::new() };
        println!("  {form}{leading} turn {:>3}: {}", q.turn, short(&q.text, 100));
        if let Some(r) = &q.rewrite {
            println!("         {DIM}try:{DIM:#} {r}");
        }
    }

    if let Some(first) = a.criteria.first() {
        let name = registry.get(&first.framework).map_or(first.framework.as_str(), |f| f.name.as_str());
        println!("\n{BOLD}Criteria ({name}){BOLD:#}");
    }
    for c in &a.criteria {
        let style = match c.status {
            sift_core::CriterionStatus::Confirmed => GOOD,
            sift_core::CriterionStatus::Negative | sift_core::CriterionStatus::Contradicted => RED,
            _ => WARN,
        };
        println!("  {:<22} {style}{:<12}{style:#}", c.criterion, c.status.name());
        for e in c.evidence.iter().take(3) {
            println!(
                "       {DIM}turn {}: \"{}\" {} [{}]{DIM:#}",
                e.span.turn,
                short(&e.quote, 70),
                e.note,
                mode_name(e.mode)
            );
        }
    }
    println!(
        "\n{DIM}`sift qualify --transcript FILE` turns this call into a verdict; --json and --html OUT for the full report.{DIM:#}"
    );
}

/// Splits a turn's text at every signal boundary; each piece carries the signals over it.
fn segments<'a>(text: &'a str, marks: &[(usize, usize, usize)]) -> Vec<(&'a str, Vec<usize>)> {
    let mut cuts: Vec<usize> = vec![0, text.len()];
    for (s, e, _) in marks {
        cuts.push((*s).min(text.len()));
        cuts.push((*e).min(text.len()));
    }
    cuts.retain(|c| text.is_char_boundary(*c));
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .map(|w| {
            let over = marks.iter().filter(|(s, e, _)| *s <= w[0] && w[1] <= *e).map(|(_, _, i)| *i).collect();
            (&text[w[0]..w[1]], over)
        })
        .collect()
}

const CSS: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}\
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ddd}\
table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left;vertical-align:top;border-bottom:1px solid #eee}\
.turn{display:grid;grid-template-columns:3rem 9rem 1fr;gap:.5rem;padding:.3rem 0}.rep .who{color:#555}.prospect .who{font-weight:600}\
mark.good{background:#d8f5d0}mark.red{background:#fbd3d0}.n{color:#999}.dim{color:#777}.ok{color:#1a7f37}.warn{color:#b35900}";

pub fn html_report(a: &Analysis, source: &str) -> Markup {
    let m = &a.metrics;
    html! {
        (DOCTYPE)
        html lang=(a.language.code()) {
            head {
                meta charset="utf-8";
                title { "Call analysis: " (source) }
                style { (PreEscaped(CSS)) }
            }
            body {
                h1 { "Call analysis" }
                p.dim { (source) " · " (a.format.name()) " · " (a.language.code()) " · " (m.turns) " turns · rep: "
                    (a.rep.reps.join(", ")) " (" (a.rep.how) ")" }
                h2 { "How the call was run" }
                table { @for x in &m.assessments {
                    tr { td class=(if x.standing == Standing::InBand { "ok" } else { "warn" }) {
                        (if x.standing == Standing::InBand { "in band" } else { "off band" }) }
                        td { (x.note) } td.dim { (x.band) "; " (x.source) } }
                } }
                h2 { "Signals" }
                @if a.signals.is_empty() { p { "None found." } }
                table { @for (i, s) in a.signals.iter().enumerate() {
                    tr { td { a href=(format!("#t{}", s.turn)) { "turn " (s.turn) } }
                        td class=(if s.polarity == Polarity::Good { "ok" } else { "warn" }) { (s.kind.as_str()) }
                        td { mark id=(format!("s{i}")) class=(s.polarity.as_str()) { (s.quote) } br; span.dim { (s.explanation) } } }
                } }
                h2 { "Criteria" }
                table {
                    tr { th { "framework" } th { "criterion" } th { "status" } th { "evidence" } }
                    @for c in &a.criteria {
                        tr { td { (c.framework) } td { (c.criterion) } td { (c.status.name()) }
                            td { @for e in &c.evidence { a href=(format!("#t{}", e.span.turn)) { "turn " (e.span.turn) } ": “" (e.quote) "” " span.dim { (e.note) } br; } } }
                    }
                }
                h2 { "Questions" }
                table { @for q in &a.questions {
                    tr { td { a href=(format!("#t{}", q.turn)) { "turn " (q.turn) } }
                        td { (if q.form == sift_signals::questions::QuestionForm::Open { "open" } else { "closed" })
                            @if q.leading { ", leading" } }
                        td { (q.text) @if let Some(r) = &q.rewrite { br; span.dim { "try: " (r) } } } }
                } }
                h2 { "Transcript" }
                @for t in &a.transcript.turns {
                    @let marks: Vec<(usize, usize, usize)> = a.signals.iter().enumerate()
                        .filter(|(_, s)| s.turn == t.index).map(|(i, s)| (s.span.start, s.span.end, i)).collect();
                    div id=(format!("t{}", t.index)) class=(if t.role == Role::Rep { "turn rep" } else { "turn prospect" }) {
                        span.n { (t.index) }
                        span.who { (t.speaker) @if let Some(s) = t.start { " " span.dim { (format!("{}:{:02}", (s / 60.0) as u64, (s % 60.0) as u64)) } } }
                        span { @for (piece, over) in segments(&t.text, &marks) {
                            @if let Some(first) = over.first() {
                                @let s = &a.signals[*first];
                                mark class=(s.polarity.as_str()) title=(format!("{}: {}", s.kind.as_str(), s.explanation)) { (piece) }
                            } @else { (piece) }
                        } }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_split_at_every_mark_and_keep_the_text_whole() {
        let text = "We set aside $60,000 and it is approved.";
        let parts = segments(text, &[(13, 20, 0), (0, 20, 1)]);
        assert_eq!(parts.iter().map(|(p, _)| *p).collect::<String>(), text);
        assert_eq!(parts[0], ("We set aside ", vec![1]));
        assert_eq!(parts[1], ("$60,000", vec![0, 1]));
        assert_eq!(parts[2], (" and it is approved.", vec![]));
    }
}
