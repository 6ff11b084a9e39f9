//! `sift demo`: qualify the bundled, self-written sample leads and show the funnel.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anstream::println;
use anstyle::Style;
use anyhow::{Context, Result};
use clap::Args;
use sift_app::Config;
use sift_app::demo::{DEMO_DATE, DemoOutcome, demo_config, qualify_sample, store_sample};
use sift_core::{Lead, Stage, Verdict};
use sift_store::{LeadFilter, Store};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::qualify::QualifyReport;
use crate::cmd::db::runtime;
use crate::exit;
use crate::inputs::config;
use crate::render::{self, verdict_style};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

#[derive(Args)]
pub struct DemoArgs {
    /// Show one sample lead's decision in full (e.g. L-0004).
    #[arg(long, value_name = "ID")]
    lead: Option<String>,
    /// Print every decision as a JSON array.
    #[arg(long)]
    json: bool,
}

/// What the demo stored and read back.
struct StoredFunnel {
    db_path: PathBuf,
    import: sift_store::import::ImportSummary,
    total: i64,
    by_stage: BTreeMap<String, i64>,
    won: usize,
    lost: usize,
}

async fn store_demo(dir: &Path, config: &Config, outcomes: &[DemoOutcome]) -> Result<StoredFunnel> {
    let db_path = dir.join("demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db_path.display()));
    }
    let store = Store::connect(&format!("sqlite://{}", db_path.display())).await?;
    let import = store_sample(config, &store, dir, outcomes).await?;
    let total = store.count_leads(&LeadFilter::default()).await?;
    let by_stage = store.count_by_stage().await?;
    let all = store.list_leads(&LeadFilter::default()).await?;
    let won = all.iter().filter(|l| l.record.converted == Some(true)).count();
    let lost = all.iter().filter(|l| l.record.converted == Some(false)).count();
    store.close().await;
    Ok(StoredFunnel { db_path, import, total, by_stage, won, lost })
}

pub fn run(framework_files: &[PathBuf], args: &DemoArgs) -> Result<u8> {
    let config = demo_config(config(framework_files)?)?;
    let outcomes = qualify_sample(&config)?;

    if let Some(id) = &args.lead {
        let outcome = outcomes
            .iter()
            .find(|o| o.answers.lead.id.as_deref() == Some(id.as_str()))
            .with_context(|| format!("no sample lead `{id}`; ids run from L-0001 to L-{:04}", outcomes.len()))?;
        let framework = config.registry.get(&outcome.decision.framework).map_or("", |f| f.name.as_str());
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

    // The demo keeps its own fresh database in the data directory, never the user's leads.
    let dir = crate::cmd::db::data_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let stored = runtime()?.block_on(store_demo(&dir, &config, &outcomes))?;

    println!("{BOLD}Sift demo{BOLD:#} (sample data written for this demo; every company and person is fictional)\n");
    println!("Database   {} (SQLite, created fresh)", stored.db_path.display());
    let i = &stored.import;
    println!(
        "Imported   bundled CRM export: {} rows · {} inserted · {} rejected · lead types assigned from activity",
        i.rows, i.inserted, i.rejected
    );
    println!("Qualified  {} discovery calls through the three-level gate, as of {DEMO_DATE}\n", outcomes.len());

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
    print_verdicts(&outcomes);
    print_funnel(&stored);
    println!(
        "\n{DIM}One decision in full: `sift demo --lead L-0001`. Explore the stored leads: `sift --db sqlite://{} leads list --stage sql`.{DIM:#}",
        stored.db_path.display()
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

fn print_verdicts(outcomes: &[DemoOutcome]) {
    let count = |v: Verdict| outcomes.iter().filter(|o| o.decision.verdict == v).count();
    let at = |l: &str| {
        outcomes
            .iter()
            .filter(|o| {
                o.decision.verdict == Verdict::Disqualified && o.decision.failed_level.map(|f| f.name()) == Some(l)
            })
            .count()
    };
    println!(
        "\n{BOLD}Verdicts{BOLD:#}: qualified {} · nurture {} · needs info {} · disqualified {} (organization {} · opportunity {} · stakeholder {})",
        count(Verdict::Qualified),
        count(Verdict::Nurture),
        count(Verdict::NeedsInfo),
        count(Verdict::Disqualified),
        at("organization"),
        at("opportunity"),
        at("stakeholder"),
    );
}

fn print_funnel(stored: &StoredFunnel) {
    let total = usize::try_from(stored.total).unwrap_or(0);
    println!("\n{BOLD}Funnel{BOLD:#} (read back from the database: {total} leads)");
    let labels = [
        (Stage::Unqualified, "unqualified", DIM),
        (Stage::Mql, "MQL", Style::new()),
        (Stage::Pql, "PQL", Style::new()),
        (Stage::Cql, "CQL", Style::new()),
        (Stage::Sql, "SQL (qualified)", verdict_style(Verdict::Qualified)),
        (Stage::Opportunity, "opportunity", verdict_style(Verdict::Qualified)),
        (Stage::Customer, "customer", verdict_style(Verdict::Qualified)),
        (Stage::Nurture, "nurture", verdict_style(Verdict::Nurture)),
        (Stage::Disqualified, "disqualified", verdict_style(Verdict::Disqualified)),
    ];
    for (stage, label, style) in labels {
        let n = usize::try_from(stored.by_stage.get(stage.name()).copied().unwrap_or(0)).unwrap_or(0);
        println!("  {style}{label:<18}{style:#} {n:>4} {style}{}{style:#}", bar(n, total));
    }
    println!("  {DIM}history: {} won, {} lost{DIM:#}", stored.won, stored.lost);
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
