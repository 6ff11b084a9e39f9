//! Human-readable output: coloured on a terminal, plain when piped.

use anstream::{eprintln, println};
use anstyle::{AnsiColor, Style};
use sift_core::gate::{Finding, Outcome};
use sift_core::icp::Check;
use sift_core::{Decision, Diagnostics, Lead, Verdict};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const CYAN: Style = AnsiColor::Cyan.on_default();

pub fn print_diagnostics(problems: &Diagnostics) {
    for d in problems.iter() {
        let style = if d.message.starts_with("warning:") { YELLOW } else { RED };
        eprintln!("{style}{d}{style:#}");
    }
}

pub fn verdict_style(verdict: Verdict) -> Style {
    match verdict {
        Verdict::Qualified => GREEN.bold(),
        Verdict::Nurture => CYAN.bold(),
        Verdict::Disqualified => RED.bold(),
        Verdict::NeedsInfo => YELLOW.bold(),
    }
}

fn check_mark(check: Check) -> (Style, &'static str) {
    match check {
        Check::Pass => (GREEN, "pass"),
        Check::Fail => (RED, "fail"),
        Check::Unknown => (YELLOW, "unknown"),
    }
}

fn finding_mark(f: &Finding) -> (Style, &'static str) {
    match f.outcome {
        Outcome::Pass => (GREEN, "+"),
        Outcome::Fail => (RED, "x"),
        Outcome::Nurture => (CYAN, "~"),
        Outcome::Unknown => (YELLOW, "?"),
    }
}

/// A one-line description of who the lead is.
pub fn lead_title(lead: &Lead) -> String {
    let company = lead.company.name.as_deref().unwrap_or("(company unknown)");
    match (lead.contact.name.as_deref(), lead.contact.title.as_deref()) {
        (Some(name), Some(title)) => format!("{company} - {name} ({title})"),
        (Some(name), None) => format!("{company} - {name}"),
        (None, Some(title)) => format!("{company} - {title}"),
        (None, None) => company.to_owned(),
    }
}

pub fn print_decision(lead: &Lead, framework_name: &str, decision: &Decision) {
    println!("{BOLD}{}{BOLD:#}", lead_title(lead));
    println!(
        "{DIM}framework {framework_name} · as of {} · language {}{DIM:#}",
        decision.as_of,
        decision.language.code()
    );
    if let Some(p) = &decision.playbook {
        let framework = p.framework.as_deref().map(|f| format!("framework {f}, ")).unwrap_or_default();
        println!("{DIM}playbook {}: {framework}{} ({}){DIM:#}", p.id, p.icp, p.chosen);
    }
    let vs = verdict_style(decision.verdict);
    let failed = decision.failed_level.map(|l| format!(" at {l} level")).unwrap_or_default();
    println!("\nVerdict: {vs}{}{vs:#}{failed}", decision.verdict.name().to_uppercase());

    println!("\n{BOLD}Levels{BOLD:#} (checked in this order; the first failing level decides)");
    for level in &decision.levels {
        let (style, word) = check_mark(level.status);
        let coverage = level.coverage.map(|c| format!(" · coverage {:.0}%", c * 100.0)).unwrap_or_default();
        println!("  {:<13} {style}{word:<8}{style:#}{DIM}{}{coverage}{DIM:#}", level.level.name(), level.reason);
        for f in &level.findings {
            let (style, mark) = finding_mark(f);
            let optional = if f.blocking { "" } else { " (optional)" };
            let carried = f.carried_from.as_deref().map(|c| format!(" [from {c}]")).unwrap_or_default();
            println!("      {style}{mark}{style:#} {}{optional}: {}{carried}", f.id, f.reason);
        }
    }

    println!("\n{BOLD}Why{BOLD:#}");
    for reason in &decision.reasons {
        println!("  - {reason}");
    }
    if let Some(n) = &decision.nurture {
        println!(
            "\n{BOLD}Nurture{BOLD:#}: track `{}`, re-engage on {CYAN}{}{CYAN:#} ({})",
            n.track, n.re_engage_on, n.reason
        );
    }
    println!("\n{BOLD}Next step{BOLD:#}: {}", decision.next_step);
    if !decision.next_questions.is_empty() {
        println!("\n{BOLD}Ask next{BOLD:#}");
        for (i, q) in decision.next_questions.iter().enumerate() {
            println!("  {}. {}  {DIM}[{} · {}]{DIM:#}", i + 1, q.question, q.level, q.topic);
        }
    }
}
