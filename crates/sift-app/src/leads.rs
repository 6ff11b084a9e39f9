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
    let rules = config.rules_for(lead.playbook.as_deref());
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

/// A lead's editable facts, as an API or form gives them. Unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LeadFields {
    pub external_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub company: Option<String>,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub employees: Option<i64>,
    pub annual_revenue: Option<f64>,
    /// ISO 3166-1 alpha-2 (`DE`), as the importer stores countries.
    pub country: Option<String>,
    pub source: Option<String>,
    #[serde(default)]
    pub custom_fields: std::collections::BTreeMap<String, String>,
}

/// Longest text a lead field may hold.
const MAX_FIELD_CHARS: usize = 500;
const MAX_CUSTOM_FIELDS: usize = 100;

impl LeadFields {
    /// Checks every field and builds the stored record; every problem is reported, each
    /// naming its field.
    pub fn into_record(self) -> Result<sift_store::LeadRecord> {
        let mut problems = Vec::new();
        let mut text = |field: &str, value: Option<String>, max: usize| -> Option<String> {
            let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())?;
            if value.chars().count() > max {
                problems.push(diag(field, format!("at most {max} characters")));
                return None;
            }
            if value.chars().any(|c| c.is_control()) {
                problems.push(diag(field, "control characters are not allowed"));
                return None;
            }
            Some(value)
        };
        let external_id = text("external_id", self.external_id, 200);
        let first_name = text("first_name", self.first_name, MAX_FIELD_CHARS);
        let last_name = text("last_name", self.last_name, MAX_FIELD_CHARS);
        let email = text("email", self.email, 320);
        let phone = text("phone", self.phone, 100);
        let title = text("title", self.title, MAX_FIELD_CHARS);
        let company = text("company", self.company, MAX_FIELD_CHARS);
        let domain = text("domain", self.domain, 255);
        let industry = text("industry", self.industry, MAX_FIELD_CHARS);
        let country = text("country", self.country, 100);
        let source = text("source", self.source, MAX_FIELD_CHARS);
        let email = email.and_then(|e| {
            let ok = e.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !e.contains(char::is_whitespace)
            });
            if ok {
                Some(e.to_lowercase())
            } else {
                problems.push(diag("email", format!("`{e}` is not an email address")));
                None
            }
        });
        let country = country.and_then(|c| match c.parse::<sift_core::CountryCode>() {
            Ok(code) => Some(code.to_string()),
            Err(e) => {
                problems.push(diag("country", e.to_string()));
                None
            }
        });
        if let Some(n) = self.employees.filter(|n| !(0..=100_000_000).contains(n)) {
            problems.push(diag("employees", format!("`{n}` is not a head count (0 to 100,000,000)")));
        }
        if let Some(r) = self.annual_revenue.filter(|r| !r.is_finite() || *r < 0.0 || *r > 1e13) {
            problems.push(diag("annual_revenue", format!("`{r}` is not a revenue (0 to 10^13)")));
        }
        if self.custom_fields.len() > MAX_CUSTOM_FIELDS {
            problems.push(diag("custom_fields", format!("at most {MAX_CUSTOM_FIELDS} custom fields")));
        }
        for (k, v) in &self.custom_fields {
            if k.trim().is_empty() || k.chars().count() > 100 || v.chars().count() > 2000 {
                problems.push(diag(
                    "custom_fields",
                    format!(
                        "`{}`: names are 1 to 100 characters, values at most 2,000",
                        k.chars().take(40).collect::<String>()
                    ),
                ));
            }
        }
        if [&external_id, &first_name, &last_name, &email, &company].iter().all(|v| v.is_none()) {
            problems.push(diag("lead", "give at least one of external_id, email, first_name, last_name, company"));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(sift_core::Diagnostics(problems)));
        }
        let record = sift_store::LeadRecord {
            external_id,
            first_name,
            last_name,
            email,
            phone,
            title,
            company,
            domain,
            industry,
            employees: self.employees,
            annual_revenue: self.annual_revenue,
            country,
            source,
            custom_fields: self.custom_fields.into_iter().map(|(k, v)| (k.trim().to_owned(), v)).collect(),
            ..sift_store::LeadRecord::default()
        };
        Ok(record.identify())
    }
}

fn diag(field: &str, message: impl Into<String>) -> sift_core::Diagnostic {
    sift_core::Diagnostic { source: field.to_owned(), location: None, message: message.into() }
}

fn lead_store_error(id: i64) -> impl Fn(sift_store::StoreError) -> AppError {
    move |e| match e {
        sift_store::StoreError::NotFound(_) => AppError::lead_not_found(&id.to_string()),
        sift_store::StoreError::Duplicate(what) => AppError::Conflict(format!("{what} already exists")),
        sift_store::StoreError::Stale { id, current } => AppError::Stale { id, current },
        other => other.into(),
    }
}

/// Stores a new lead owned by `owner`.
pub async fn create(store: &Store, fields: LeadFields, owner: Option<i64>) -> Result<StoredLead> {
    let record = fields.into_record()?;
    store.insert_lead(&record, owner).await.map_err(lead_store_error(0))
}

/// Replaces a lead's facts and owner, when `if_match` (its ETag) is still current.
pub async fn update(
    store: &Store,
    id: i64,
    fields: LeadFields,
    owner: Option<i64>,
    if_match: Option<&str>,
) -> Result<StoredLead> {
    let record = fields.into_record()?;
    store.update_lead(id, &record, owner, if_match).await.map_err(lead_store_error(id))
}

pub async fn delete(store: &Store, id: i64) -> Result<()> {
    if store.delete_lead(id).await? { Ok(()) } else { Err(AppError::lead_not_found(&id.to_string())) }
}

/// A person moves a lead by hand; the lifecycle decides whether the move is allowed.
pub async fn move_stage(store: &Store, id: i64, to: sift_core::Stage, reason: &str, actor: &str) -> Result<MovePlan> {
    store
        .move_stage(id, |from| plan_move(from, Trigger::Manual { to, reason }, actor))
        .await
        .map_err(lead_store_error(id))
}

/// What happened to one item of a bulk upsert.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum BulkItem {
    Created { lead: Box<StoredLead> },
    Updated { lead: Box<StoredLead> },
    Unchanged { lead: Box<StoredLead> },
    Invalid { errors: Vec<String> },
}

/// Creates or updates leads by external id, one by one, each in its own transaction: a bad
/// item is reported and does not stop the others. A new lead is owned by `owner`.
pub async fn upsert_by_external_id(store: &Store, items: Vec<LeadFields>, owner: Option<i64>) -> Result<Vec<BulkItem>> {
    let mut results = Vec::with_capacity(items.len());
    for fields in items {
        if fields.external_id.as_deref().is_none_or(|e| e.trim().is_empty()) {
            results.push(BulkItem::Invalid {
                errors: vec!["external_id: bulk upsert matches leads by external id; give one".into()],
            });
            continue;
        }
        let record = match fields.into_record() {
            Ok(r) => r,
            Err(AppError::Invalid(d)) => {
                results.push(BulkItem::Invalid { errors: d.iter().map(ToString::to_string).collect() });
                continue;
            }
            Err(e) => return Err(e),
        };
        let existing = store.find_lead_by_key(&record.dedupe_key).await?;
        let item = match existing {
            None => BulkItem::Created {
                lead: Box::new(store.insert_lead(&record, owner).await.map_err(lead_store_error(0))?),
            },
            Some(current) if current.record.row_hash == record.row_hash => {
                BulkItem::Unchanged { lead: Box::new(current) }
            }
            Some(current) => {
                let lead = store
                    .update_lead(current.id, &record, current.owner_id, None)
                    .await
                    .map_err(lead_store_error(current.id))?;
                BulkItem::Updated { lead: Box::new(lead) }
            }
        };
        results.push(item);
    }
    Ok(results)
}
