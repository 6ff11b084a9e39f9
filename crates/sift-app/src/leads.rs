//! Stored leads: find, list, count, one lead in full, and recording what a lead did.

use chrono::{DateTime, Utc};
use sift_core::{Activity, ActivityKind, Decision, LeadTypeDecision, MovePlan, StageChange, Trigger, plan_move};
use sift_store::{LeadFilter, Store, StoredLead};

use crate::config::Config;
use crate::error::{AppError, Result};

/// A stored lead, by database id, external id or email.
pub async fn find(store: &Store, key: &str) -> Result<StoredLead> {
    store.find_lead(key).await?.ok_or_else(|| AppError::lead_not_found(key))
}

/// The latest decision saved for a lead, read back in full.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LatestDecision {
    pub decided_at: String,
    pub decision: Decision,
}

/// One lead with everything known about it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LeadDetail {
    pub lead: StoredLead,
    pub history: Vec<StageChange>,
    pub latest_decision: Option<LatestDecision>,
}

pub async fn detail(store: &Store, key: &str) -> Result<LeadDetail> {
    let lead = find(store, key).await?;
    let history = store.stage_history(lead.id).await?;
    let latest_decision = match store.latest_qualification(lead.id).await? {
        None => None,
        Some(q) => {
            let decision: Decision = serde_json::from_str(&q.decision_json).map_err(|e| {
                sift_store::StoreError::Corrupt(format!("lead {}: the saved decision cannot be read: {e}", lead.id))
            })?;
            Some(LatestDecision { decided_at: q.decided_at, decision })
        }
    };
    Ok(LeadDetail { lead, history, latest_decision })
}

pub async fn list(store: &Store, filter: &LeadFilter) -> Result<Vec<StoredLead>> {
    Ok(store.list_leads(filter).await?)
}

/// How many leads match, and how many are in each stage.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Counts {
    pub total: i64,
    pub by_stage: std::collections::BTreeMap<String, i64>,
}

pub async fn count(store: &Store, filter: &LeadFilter) -> Result<Counts> {
    Ok(Counts { total: store.count_leads(filter).await?, by_stage: store.count_by_stage().await? })
}

/// Something a lead did, as recorded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ActivityRecorded {
    pub lead_id: i64,
    pub activity: Activity,
    /// The lead type all of the lead's activities earn, if a rule fires.
    pub lead_type: Option<LeadTypeDecision>,
    pub plan: MovePlan,
}

/// Records an activity and re-runs the lead-type rules over all of the lead's activities;
/// the lifecycle decides whether the lead moves (only unqualified and MQL leads do).
pub async fn record_activity(
    config: &Config,
    store: &Store,
    key: &str,
    kind: ActivityKind,
    at: Option<DateTime<Utc>>,
    detail: Option<String>,
) -> Result<ActivityRecorded> {
    let lead = find(store, key).await?;
    let activity = Activity { kind, at: at.unwrap_or_else(Utc::now), detail };
    let rules = &config.rules;
    let (lead_type, plan) = store
        .record_activity(lead.id, &activity, |from, all| {
            let decision = rules.classify(all);
            let plan = match &decision {
                Some(d) => plan_move(from, Trigger::LeadType(d), "lead-type rules"),
                None => MovePlan::Stay { stage: from, reason: "no lead-type rule fires yet".into() },
            };
            let rule = decision.as_ref().map(|d| d.rule.clone());
            (decision, plan, rule)
        })
        .await?;
    Ok(ActivityRecorded { lead_id: lead.id, activity, lead_type, plan })
}
