//! Stored leads: find, list, count, one lead in full, and recording what a lead did.

use chrono::{DateTime, Utc};
use sift_core::{Activity, ActivityKind, Decision, LeadTypeDecision, MovePlan, StageChange, Trigger, plan_move};
use sift_store::{LeadCard, LeadCount, LeadFilter, SEARCH_COLUMN_CAP, Store, StoredLead};

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
    /// Each move's reason as a message: the one kept with the move (a verdict's or the
    /// lead-type rules' move), else, for a verdict's move kept before messages were, the
    /// decision saved at the same instant; `None` for moves by hand, imports and older rows.
    pub history_messages: Vec<Option<sift_core::Message>>,
    pub latest_decision: Option<LatestDecision>,
}

pub async fn detail(store: &Store, key: &str) -> Result<LeadDetail> {
    detail_of(store, find(store, key).await?).await
}

/// Everything known about a lead already found (and, in the server, checked as visible).
pub async fn detail_of(store: &Store, lead: StoredLead) -> Result<LeadDetail> {
    let history = store.stage_history(lead.id).await?;
    let saved = store.qualifications(lead.id, DECISIONS_READ).await?;
    let latest_decision = match saved.first() {
        None => None,
        Some(q) => {
            let decision: Decision = serde_json::from_str(&q.decision_json).map_err(|e| {
                sift_store::StoreError::Corrupt(format!("lead {}: the saved decision cannot be read: {e}", lead.id))
            })?;
            Some(LatestDecision { decided_at: q.decided_at.clone(), decision })
        }
    };
    let history_messages =
        history.iter().map(|change| change.reason_message.clone().or_else(|| move_message(change, &saved))).collect();
    Ok(LeadDetail { lead, history, history_messages, latest_decision })
}

/// How many of a lead's latest decisions are read to give its stage moves their messages.
const DECISIONS_READ: i64 = 50;

/// A verdict's move as a message: from the decision saved at the move's instant, when the
/// text kept is what that decision's move says.
fn move_message(change: &StageChange, saved: &[sift_store::StoredQualification]) -> Option<sift_core::Message> {
    saved.iter().filter(|q| DateTime::parse_from_rfc3339(&q.decided_at).is_ok_and(|at| at == change.at)).find_map(|q| {
        let decision: Decision = serde_json::from_str(&q.decision_json).ok()?;
        // A decision stored before codes leaves the move's text as it is.
        if decision.reason_messages.is_empty() {
            return None;
        }
        let message = sift_core::verdict_move_message(&decision);
        (message.english() == change.reason).then_some(message)
    })
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
                None => MovePlan::stay(from, sift_core::Message::new("lifecycle.no_rule_fires")),
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

/// Why a lead is on a rep's call list, most telling first.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CallReason {
    /// A factor that raised the lead's stored score (`column` = `value`).
    ScoreFactor { column: String, value: String },
    /// The lead-type rule that put the lead in its stage.
    LeadType { stage: sift_core::Stage, rule: String },
    /// The latest verdict (qualified or needs info: someone still has to act).
    Verdict { verdict: sift_core::Verdict },
    /// Nothing else is known: the status the CRM gave it.
    CrmStatus { status: String },
}

/// A lead to call, with why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CallFirst {
    pub lead: StoredLead,
    pub reasons: Vec<CallReason>,
}

/// A rep's day: whom to call first and which nurtured leads are due back.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Today {
    pub call_first: Vec<CallFirst>,
    pub nurture_due: Vec<StoredLead>,
}

/// The stages a rep works, strongest lead type first (the tie-break after the score).
const WORKED_STAGES: [sift_core::Stage; 5] = [
    sift_core::Stage::Sql,
    sift_core::Stage::Cql,
    sift_core::Stage::Pql,
    sift_core::Stage::Mql,
    sift_core::Stage::Unqualified,
];

/// Up to three reasons from what is stored on the lead: the factors that raised its score,
/// the lead-type rule behind its stage, a verdict that still asks for action.
pub fn call_reasons(lead: &StoredLead) -> Vec<CallReason> {
    let mut reasons: Vec<CallReason> = lead
        .score
        .as_ref()
        .and_then(|s| s.factors.get("positive"))
        .and_then(serde_json::Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|f| {
            let text = |key: &str| f.get(key).and_then(serde_json::Value::as_str).map(str::to_owned);
            Some(CallReason::ScoreFactor { column: text("column")?, value: text("value")? })
        })
        .take(2)
        .collect();
    if let Some(rule) = &lead.record.lead_type_rule {
        reasons.push(CallReason::LeadType { stage: lead.record.stage, rule: rule.clone() });
    }
    if let Some(verdict @ (sift_core::Verdict::Qualified | sift_core::Verdict::NeedsInfo)) = lead.verdict {
        reasons.push(CallReason::Verdict { verdict });
    }
    if reasons.is_empty() {
        if let Some(status) = lead.record.crm_status.clone().filter(|s| !s.trim().is_empty()) {
            reasons.push(CallReason::CrmStatus { status });
        }
    }
    reasons.truncate(3);
    reasons
}

/// The leads `visible_to` may see that are worth a call today: in a worked stage (SQL, CQL,
/// PQL, MQL, unqualified), highest score first (unscored last), then by lead type in that
/// order, then qualified before needs-info before the rest, then oldest first; and the
/// nurtured leads whose re-engage date is on or before `as_of`, earliest date first (among
/// the first `4 * limit` due by id: the store has no sort by that date). At most `limit` of
/// each.
pub async fn today(
    store: &Store,
    visible_to: &sift_store::Visibility,
    as_of: chrono::NaiveDate,
    limit: usize,
) -> Result<Today> {
    let by_score = sift_store::LeadSort { key: sift_store::SortKey::Score, descending: true };
    let mut candidates = Vec::new();
    for (rank, stage) in WORKED_STAGES.into_iter().enumerate() {
        let filter = LeadFilter {
            stage: Some(stage),
            visible_to: Some(visible_to.clone()),
            sort: by_score,
            limit: Some(limit as i64),
            ..LeadFilter::default()
        };
        candidates.extend(store.list_leads(&filter).await?.into_iter().map(|lead| (rank, lead)));
    }
    candidates.sort_by(|(rank_a, a), (rank_b, b)| {
        let score = |l: &StoredLead| l.score.as_ref().map_or(0, |s| s.score);
        // Within a score and lead type, a lead the gate qualified (or that still needs
        // answers) comes before one never qualified.
        let acted = |l: &StoredLead| match l.verdict {
            Some(sift_core::Verdict::Qualified) => 0,
            Some(sift_core::Verdict::NeedsInfo) => 1,
            _ => 2,
        };
        score(b).cmp(&score(a)).then(rank_a.cmp(rank_b)).then(acted(a).cmp(&acted(b))).then(a.id.cmp(&b.id))
    });
    candidates.truncate(limit);
    let call_first = candidates.into_iter().map(|(_, lead)| CallFirst { reasons: call_reasons(&lead), lead }).collect();
    let due = LeadFilter {
        stage: Some(sift_core::Stage::Nurture),
        visible_to: Some(visible_to.clone()),
        re_engage_due: Some(as_of.format("%Y-%m-%d").to_string()),
        limit: Some(limit as i64 * 4),
        ..LeadFilter::default()
    };
    let mut nurture_due = store.list_leads(&due).await?;
    nurture_due.sort_by(|a, b| a.re_engage_on.cmp(&b.re_engage_on).then(a.id.cmp(&b.id)));
    nurture_due.truncate(limit);
    Ok(Today { call_first, nurture_due })
}

/// A nurtured lead and whether its re-engage date has come.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Nurtured {
    pub lead: StoredLead,
    pub due: bool,
}

/// The leads `visible_to` may see in the Nurture stage, earliest re-engage date first (so
/// the ones whose date has come lead), leads without a date last, then by id; at most
/// `limit` (of the first `limit` by id: the store has no sort by that date).
pub async fn nurtured(
    store: &Store,
    visible_to: &sift_store::Visibility,
    as_of: chrono::NaiveDate,
    limit: usize,
) -> Result<Vec<Nurtured>> {
    let filter = LeadFilter {
        stage: Some(sift_core::Stage::Nurture),
        visible_to: Some(visible_to.clone()),
        limit: Some(limit as i64),
        ..LeadFilter::default()
    };
    let today = as_of.format("%Y-%m-%d").to_string();
    let mut leads: Vec<Nurtured> = store
        .list_leads(&filter)
        .await?
        .into_iter()
        .map(|lead| Nurtured { due: lead.re_engage_on.as_deref().is_some_and(|d| d <= today.as_str()), lead })
        .collect();
    leads.sort_by(|a, b| {
        let key = |n: &Nurtured| (n.lead.re_engage_on.is_none(), n.lead.re_engage_on.clone(), n.lead.id);
        key(a).cmp(&key(b))
    });
    Ok(leads)
}

/// A nurtured lead brought back before its re-engage date: the stage move a person makes
/// by hand (`move_stage`, so the lifecycle asks for a reason), to MQL as the re-engage
/// schedule would.
pub async fn pull_back(store: &Store, id: i64, reason: &str, actor: &str) -> Result<MovePlan> {
    let to = sift_core::Stage::Mql;
    store
        .move_stage(id, |from| {
            if from == sift_core::Stage::Nurture {
                plan_move(from, Trigger::Manual { to, reason }, actor)
            } else {
                MovePlan::stay(
                    from,
                    sift_core::Message::new("lifecycle.not_nurtured_pull_back").with("stage", from.name()),
                )
            }
        })
        .await
        .map_err(lead_store_error(id))
}

/// One column of the board: a stage, the first leads in it in the filter's order, as cards,
/// and how many leads the filter matches in that stage in all (under a free-text search, up
/// to [`SEARCH_COLUMN_CAP`]).
#[derive(Debug, Clone, serde::Serialize)]
pub struct BoardColumn {
    pub stage: sift_core::Stage,
    pub cards: Vec<LeadCard>,
    pub total: LeadCount,
}

/// The board: how many leads `filter` matches in each stage (one statement; under a
/// free-text search each count stops at [`SEARCH_COLUMN_CAP`]), then the cards of every stage
/// that has any (its sort, cursor and limit apply per column; one statement of indexed
/// reads); never every lead.
pub async fn board(store: &Store, filter: &LeadFilter, stages: &[sift_core::Stage]) -> Result<Vec<BoardColumn>> {
    let (totals, cards) = store.lead_board(filter, stages, SEARCH_COLUMN_CAP).await?;
    let total = |stage: &sift_core::Stage| totals.get(stage).copied().unwrap_or_default();
    let mut cards = cards.into_iter().peekable();
    Ok(stages
        .iter()
        .map(|stage| {
            let mut column = Vec::new();
            while let Some(card) = cards.next_if(|c| c.stage == *stage) {
                column.push(card);
            }
            BoardColumn { stage: *stage, cards: column, total: total(stage) }
        })
        .collect())
}

/// Gives `lead` (as read) to `owner`, keeping its facts; refused as stale when the lead
/// changed since it was read. Who may assign to whom is the caller's authorisation.
pub async fn assign(store: &Store, lead: &StoredLead, owner: Option<i64>) -> Result<StoredLead> {
    store.update_lead(lead.id, &lead.record, owner, Some(&lead.etag())).await.map_err(lead_store_error(lead.id))
}
