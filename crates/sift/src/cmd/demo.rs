//! `sift demo`: qualify the bundled, self-written sample leads and show the funnel.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anstream::println;
use anstyle::Style;
use anyhow::{Context, Result};
use chrono::{NaiveDate, NaiveTime};
use clap::Args;
use serde::Serialize;
use sift_core::{AnswersFile, Decision, GatePolicy, Icp, Lead, LeadTypeDecision, LeadTypeRules, Stage, Verdict};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::qualify::{QualifyReport, decide};
use crate::exit;
use crate::inputs::registry;
use crate::render::{self, verdict_style};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

/// Sample leads written for the demo (all fictional).
const DEMO_LEADS: &str = include_str!("../../demo/leads.toml");
/// The demo company's ideal-customer profile.
const DEMO_ICP: &str = include_str!("../../demo/icp.toml");
/// The sample's timeline dates are written relative to this day.
const DEMO_DATE: &str = "2026-11-26";

#[derive(Args)]
pub struct DemoArgs {
    /// Show one sample lead's decision in full (e.g. L-0004).
    #[arg(long, value_name = "ID")]
    lead: Option<String>,
    /// Print every decision as a JSON array.
    #[arg(long)]
    json: bool,
}

/// One sample lead after the classifier and the gate.
pub struct DemoOutcome {
    pub answers: AnswersFile,
    pub lead_type: Option<LeadTypeDecision>,
    pub decision: Decision,
}

/// Runs the classifier and the gate over the bundled sample, moving each lead through its
/// lifecycle as it goes.
pub fn qualify_sample(registry: &sift_core::Registry) -> Result<Vec<DemoOutcome>> {
    let icp = Icp::parse("demo/icp.toml", DEMO_ICP).context("the bundled demo ICP is invalid (a bug in sift)")?;
    let batch = AnswersFile::parse_batch("demo/leads.toml", DEMO_LEADS, registry)
        .context("the bundled demo leads are invalid (a bug in sift)")?;
    let as_of: NaiveDate = DEMO_DATE.parse()?;
    let at = as_of.and_time(NaiveTime::MIN).and_utc();
    let rules = LeadTypeRules::default();
    let policy = GatePolicy::default();
    batch
        .into_iter()
        .map(|mut answers| {
            let lead_type = rules.classify(&answers.lead.activities);
            if let Some(t) = &lead_type {
                answers.lead.move_to(t.stage, at, "classifier", &t.explanation)?;
            }
            let decision = decide(registry, &answers, None, Some(&icp), &policy, as_of, None)?;
            if let Some(stage) = decision.verdict.stage() {
                let reason = decision.reasons.first().cloned().unwrap_or_else(|| decision.verdict.name().into());
                answers.lead.move_to(stage, at, "gate", &reason)?;
            }
            Ok(DemoOutcome { answers, lead_type, decision })
        })
        .collect()
}

pub fn run(framework_files: &[PathBuf], args: &DemoArgs) -> Result<u8> {
    let registry = registry(framework_files)?;
    let outcomes = qualify_sample(&registry)?;

    if let Some(id) = &args.lead {
        let outcome = outcomes
            .iter()
            .find(|o| o.answers.lead.id.as_deref() == Some(id.as_str()))
            .with_context(|| format!("no sample lead `{id}`; ids run from L-0001 to L-{:04}", outcomes.len()))?;
        let framework = registry.get(&outcome.decision.framework).map_or("", |f| f.name.as_str());
        render::print_decision(&outcome.answers.lead, framework, &outcome.decision);
        print_history(&outcome.answers.lead);
        return Ok(exit::OK);
    }
    if args.json {
        let reports: Vec<QualifyReport<'_>> = outcomes
            .iter()
            .map(|o| QualifyReport {
                lead_id: o.answers.lead.id.as_deref(),
                company: o.answers.lead.company.name.as_deref(),
                lead_type: o.lead_type.as_ref(),
                decision: &o.decision,
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&reports)?);
        return Ok(exit::OK);
    }

    println!(
        "{BOLD}Sift demo{BOLD:#}: {} sample leads (written for this demo; all fictional), judged as of {DEMO_DATE}\n",
        outcomes.len()
    );
    println!(
        "{BOLD}{:<7} {:<28} {:<10} {:<5} {:<13} {:<13} Why{BOLD:#}",
        "ID", "Company", "Framework", "Type", "Verdict", "Failed at"
    );
    for o in &outcomes {
        let lead = &o.answers.lead;
        let d = &o.decision;
        let vs = verdict_style(d.verdict);
        let lead_type = o.lead_type.as_ref().map_or("-".to_owned(), |t| t.stage.name().to_uppercase());
        let why = d.reasons.first().map(|r| fit(r, 70)).unwrap_or_default();
        println!(
            "{:<7} {} {:<10} {:<5} {vs}{:<13}{vs:#} {:<13} {DIM}{}{DIM:#}",
            lead.id.as_deref().unwrap_or("-"),
            fit(lead.company.name.as_deref().unwrap_or("-"), 28),
            d.framework,
            lead_type,
            d.verdict.name(),
            d.failed_level.map_or("-", |l| l.name()),
            why.trim_end(),
        );
    }
    print_funnel(&outcomes);
    println!(
        "\n{DIM}See one decision in full: `sift demo --lead L-0001`. Qualify your own lead: `sift qualify --help`.{DIM:#}"
    );
    Ok(exit::OK)
}

/// Cuts a string to at most `max` terminal columns (CJK characters take two), marking the
/// cut, and pads it to exactly `max` columns.
fn fit(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut width = 0;
    let cut = s.width() > max;
    for ch in s.chars() {
        let w = ch.width().unwrap_or(0);
        if width + w > max - usize::from(cut) {
            break;
        }
        out.push(ch);
        width += w;
    }
    if cut {
        out.push('…');
        width += 1;
    }
    out.push_str(&" ".repeat(max.saturating_sub(width)));
    out
}

fn bar(n: usize, total: usize) -> String {
    let width = if total == 0 { 0 } else { (n * 30).div_ceil(total) };
    "█".repeat(width)
}

#[derive(Serialize)]
struct Funnel {
    arrived: usize,
    lead_types: BTreeMap<&'static str, usize>,
    verdicts: BTreeMap<&'static str, usize>,
    disqualified_at: BTreeMap<&'static str, usize>,
}

fn print_funnel(outcomes: &[DemoOutcome]) {
    let total = outcomes.len();
    let mut funnel = Funnel {
        arrived: total,
        lead_types: BTreeMap::new(),
        verdicts: BTreeMap::new(),
        disqualified_at: BTreeMap::new(),
    };
    for o in outcomes {
        *funnel.lead_types.entry(o.lead_type.as_ref().map_or("unqualified", |t| t.stage.name())).or_default() += 1;
        *funnel.verdicts.entry(o.decision.verdict.name()).or_default() += 1;
        if let (Verdict::Disqualified, Some(level)) = (o.decision.verdict, o.decision.failed_level) {
            *funnel.disqualified_at.entry(level.name()).or_default() += 1;
        }
    }
    println!("\n{BOLD}Funnel{BOLD:#}");
    println!("  {:<22} {total:>3}", "leads arrived");
    for stage in [Stage::Unqualified, Stage::Mql, Stage::Pql, Stage::Cql] {
        let n = funnel.lead_types.get(stage.name()).copied().unwrap_or(0);
        let label = if stage == Stage::Unqualified {
            "  no lead type yet".to_owned()
        } else {
            format!("  {} (from activity)", stage.name().to_uppercase())
        };
        println!("  {label:<22} {n:>3} {DIM}{}{DIM:#}", bar(n, total));
    }
    for verdict in [Verdict::Qualified, Verdict::Nurture, Verdict::NeedsInfo, Verdict::Disqualified] {
        let n = funnel.verdicts.get(verdict.name()).copied().unwrap_or(0);
        let vs = verdict_style(verdict);
        let label = match verdict {
            Verdict::Qualified => "qualified -> SQL",
            Verdict::Nurture => "nurture (not now)",
            Verdict::NeedsInfo => "needs info",
            Verdict::Disqualified => "disqualified",
        };
        let detail = if verdict == Verdict::Disqualified {
            let parts: Vec<String> = ["organization", "opportunity", "stakeholder"]
                .iter()
                .map(|l| format!("{l} {}", funnel.disqualified_at.get(l).copied().unwrap_or(0)))
                .collect();
            format!("  ({})", parts.join(" · "))
        } else {
            String::new()
        };
        println!("  {vs}{label:<22}{vs:#} {n:>3} {vs}{}{vs:#}{DIM}{detail}{DIM:#}", bar(n, total));
    }
}

fn print_history(lead: &Lead) {
    if lead.history.is_empty() {
        return;
    }
    println!("\n{BOLD}Lifecycle{BOLD:#}");
    for change in &lead.history {
        println!("  {} -> {}  {DIM}by {}: {}{DIM:#}", change.from, change.to, change.actor, change.reason);
    }
}
