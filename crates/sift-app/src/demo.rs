//! The bundled sample (written for Sift; every company and person is fictional): a CRM
//! export to import and discovery calls to qualify, for `sift demo` and a demo server.

use std::path::Path;

use chrono::{NaiveDate, NaiveTime};
use sift_core::{AnswersFile, Decision, LeadTypeDecision, Stage};
use sift_store::import::{ImportOptions, ImportSummary};
use sift_store::{LeadRecord, Store};

use crate::config::Config;
use crate::error::{AppError, Result};
use crate::qualify::{decide, save_decision};

/// Sample leads with what their discovery calls established.
pub const DEMO_LEADS: &str = include_str!("../demo/leads.toml");
/// The demo company's ideal-customer profile.
pub const DEMO_ICP: &str = include_str!("../demo/icp.toml");
/// The bundled CRM export (written by demo/generate_contacts.py).
pub const DEMO_CONTACTS: &str = include_str!("../demo/contacts.csv");
/// The sample's timeline dates are written relative to this day.
pub const DEMO_DATE: &str = "2026-11-26";

/// The demo's day, as a date.
pub fn demo_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default()
}

/// The configuration the demo runs with: the built-ins plus the demo ICP.
pub fn demo_config(mut config: Config) -> Result<Config> {
    config.set_icp("demo/icp.toml", DEMO_ICP)?;
    Ok(config)
}

/// One sample lead after the classifier and the gate.
#[derive(Debug, Clone)]
pub struct DemoOutcome {
    pub answers: AnswersFile,
    pub lead_type: Option<LeadTypeDecision>,
    pub decision: Decision,
}

/// Runs the classifier and the gate over the bundled sample, moving each lead through its
/// lifecycle in memory as it goes.
pub fn qualify_sample(config: &Config) -> Result<Vec<DemoOutcome>> {
    let batch = AnswersFile::parse_batch("demo/leads.toml", DEMO_LEADS, &config.registry)?;
    let as_of = demo_date();
    let at = as_of.and_time(NaiveTime::MIN).and_utc();
    batch
        .into_iter()
        .map(|mut answers| {
            let lead_type = config.rules.classify(&answers.lead.activities);
            if let Some(t) = &lead_type {
                answers.lead.move_to(t.stage, at, "lead-type rules", &t.explanation).map_err(bug)?;
            }
            let decision = decide(config, &answers, None, as_of, None)?;
            if let Some(stage) = decision.verdict.stage() {
                let reason = decision.reasons.first().cloned().unwrap_or_else(|| decision.verdict.name().into());
                answers.lead.move_to(stage, at, "gate", &reason).map_err(bug)?;
            }
            Ok(DemoOutcome { answers, lead_type, decision })
        })
        .collect()
}

fn bug(e: impl std::fmt::Display) -> AppError {
    AppError::Conflict(format!("the bundled demo data is inconsistent (a bug in sift): {e}"))
}

/// Imports the bundled CRM export (written to `dir` as a file the user can import too) and
/// stores every sample lead with its saved decision and stage move.
pub async fn store_sample(
    config: &Config,
    store: &Store,
    dir: &Path,
    outcomes: &[DemoOutcome],
) -> Result<ImportSummary> {
    let csv_path = dir.join("demo-contacts.csv");
    std::fs::write(&csv_path, DEMO_CONTACTS)
        .map_err(|source| sift_store::import::ImportError::Io { path: csv_path.display().to_string(), source })?;
    let import = crate::imports::import_file(store, &csv_path, &ImportOptions::default(), None, &()).await?;
    for o in outcomes {
        let mut lead = o.answers.lead.clone();
        lead.stage = o.lead_type.as_ref().map_or(Stage::Unqualified, |t| t.stage);
        let mut record = LeadRecord::from_lead(&lead);
        record.lead_type_rule = o.lead_type.as_ref().map(|t| t.rule.clone());
        record.row_hash = record.compute_hash();
        store.upsert_leads(std::slice::from_ref(&record)).await?;
        let stored = store.find_lead(&record.external_id.clone().unwrap_or_default()).await?;
        let stored = stored.ok_or_else(|| bug(format!("lead `{:?}` was not stored", record.external_id)))?;
        save_decision(config, store, stored.id, &o.decision, "gate").await?;
    }
    store.integrity_check().await?;
    Ok(import)
}
