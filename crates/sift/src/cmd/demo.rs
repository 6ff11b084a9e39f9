//! `sift demo`: qualify the bundled, self-written sample leads and show the funnel.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anstream::println;
use anstyle::Style;
use anyhow::{Context, Result};
use chrono::{NaiveDate, NaiveTime};
use clap::Args;
use sift_core::{AnswersFile, Decision, GatePolicy, Icp, Lead, LeadTypeDecision, LeadTypeRules, Stage, Verdict};
use sift_store::import::{ImportOptions, import_csv};
use sift_store::record::content_version;
use sift_store::{LeadFilter, LeadRecord, QualificationRecord, Store};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::qualify::{QualifyReport, decide};
use crate::cmd::db::runtime;
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

/// The bundled CRM export (written by demo/generate_contacts.py; all fictional).
const DEMO_CONTACTS: &str = include_str!("../../demo/contacts.csv");

/// What the demo stored and read back.
struct StoredFunnel {
    db_path: PathBuf,
    import: sift_store::import::ImportSummary,
    total: i64,
    by_stage: BTreeMap<String, i64>,
    won: usize,
    lost: usize,
}

async fn store_demo(dir: &Path, registry: &sift_core::Registry, outcomes: &[DemoOutcome]) -> Result<StoredFunnel> {
    let db_path = dir.join("demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db_path.display()));
    }
    let store = Store::connect(&format!("sqlite://{}", db_path.display())).await?;
    let csv_path = dir.join("demo-contacts.csv");
    std::fs::write(&csv_path, DEMO_CONTACTS).with_context(|| format!("cannot write `{}`", csv_path.display()))?;
    let import = import_csv(&store, &csv_path, &ImportOptions::default(), None, &()).await?;

    for o in outcomes {
        let mut lead = o.answers.lead.clone();
        lead.stage = o.lead_type.as_ref().map_or(Stage::Unqualified, |t| t.stage);
        let mut record = LeadRecord::from_lead(&lead);
        record.lead_type_rule = o.lead_type.as_ref().map(|t| t.rule.clone());
        record.row_hash = record.compute_hash();
        store.upsert_leads(std::slice::from_ref(&record)).await?;
        let key = record.external_id.clone().unwrap_or_default();
        let stored = store.find_lead(&key).await?.with_context(|| format!("lead `{key}` was not stored"))?;
        let framework = registry.get(&o.decision.framework);
        let version =
            framework.map(|f| content_version(&serde_json::to_string(f).unwrap_or_default())).unwrap_or_default();
        let reason = o.decision.reasons.first().cloned().unwrap_or_default();
        let move_to = o
            .decision
            .verdict
            .stage()
            .filter(|to| stored.record.stage.can_move_to(*to))
            .map(|to| (stored.record.stage, to, reason.as_str()));
        let q = QualificationRecord {
            lead_id: stored.id,
            framework: o.decision.framework.clone(),
            framework_version: version,
            icp_version: Some(content_version(DEMO_ICP)),
            verdict: o.decision.verdict.name().to_owned(),
            failed_level: o.decision.failed_level.map(|l| l.name().to_owned()),
            decision_json: serde_json::to_string(&o.decision)?,
        };
        store.save_qualification(&q, move_to).await?;
    }
    store.integrity_check().await?;
    let total = store.count_leads(&LeadFilter::default()).await?;
    let by_stage = store.count_by_stage().await?;
    let all = store.list_leads(&LeadFilter::default()).await?;
    let won = all.iter().filter(|l| l.record.converted == Some(true)).count();
    let lost = all.iter().filter(|l| l.record.converted == Some(false)).count();
    store.close().await;
    Ok(StoredFunnel { db_path, import, total, by_stage, won, lost })
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

    // The demo keeps its own fresh database in the data directory, never the user's leads.
    let dir = crate::cmd::db::data_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let stored = runtime()?.block_on(store_demo(&dir, &registry, &outcomes))?;

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
