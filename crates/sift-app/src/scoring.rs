//! Learning from outcomes and scoring: the stored leads as a table the models read.

use std::sync::Arc;

use sift_score::model::ModelFile;
use sift_score::train::TrainOptions;
use sift_score::{Table, train};
use sift_store::{LeadFilter, Store};

use crate::error::{AppError, Result};

/// Columns of stored leads offered to the models: facts known before the outcome. Stage,
/// CRM status and verdict are left out: they are set as the lead converts (or not).
pub const STORED_COLUMNS: [&str; 10] =
    ["id", "external_id", "title", "company", "domain", "industry", "employees", "annual_revenue", "country", "source"];

/// Where stored leads come from, in messages.
pub const STORED_SOURCE: &str = "stored leads";

/// The stored leads as CSV: [`STORED_COLUMNS`], `lead_type_rule`, every custom field, and
/// `converted`. Fields no stored lead has are left out.
pub async fn stored_leads_csv(store: &Store) -> Result<Vec<u8>> {
    stored_table(store, Keep::AnyLead).await
}

/// The stored leads as the table to train on: as [`stored_leads_csv`], but a field is kept
/// only when a lead whose outcome is known has a value for it (a field only open leads have,
/// such as the rule that set a new lead's type, teaches nothing and would stop training).
pub async fn stored_training_csv(store: &Store) -> Result<Vec<u8>> {
    stored_table(store, Keep::LeadsWithOutcome).await
}

/// Which leads' values decide whether a field is a column.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    AnyLead,
    LeadsWithOutcome,
}

async fn stored_table(store: &Store, keep_by: Keep) -> Result<Vec<u8>> {
    let leads = store.list_leads(&LeadFilter::default()).await?;
    let mut custom: Vec<&String> = leads.iter().flat_map(|l| l.record.custom_fields.keys()).collect();
    custom.sort();
    custom.dedup();
    let mut header: Vec<&str> = STORED_COLUMNS.to_vec();
    header.push("lead_type_rule");
    header.extend(custom.iter().map(|c| c.as_str()));
    header.push("converted");
    let mut rows = Vec::with_capacity(leads.len());
    for lead in &leads {
        let r = &lead.record;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut row = vec![
            lead.id.to_string(),
            text(&r.external_id),
            text(&r.title),
            text(&r.company),
            text(&r.domain),
            text(&r.industry),
            r.employees.map(|v| v.to_string()).unwrap_or_default(),
            r.annual_revenue.map(|v| v.to_string()).unwrap_or_default(),
            text(&r.country),
            text(&r.source),
            text(&r.lead_type_rule),
        ];
        row.extend(custom.iter().map(|c| r.custom_fields.get(*c).cloned().unwrap_or_default()));
        row.push(r.converted.map(|v| if v { "yes" } else { "no" }).unwrap_or_default().to_string());
        rows.push(row);
    }
    let last = header.len() - 1;
    let counts = |r: &Vec<String>| keep_by == Keep::AnyLead || !r[last].is_empty();
    let keep: Vec<usize> = (0..header.len())
        .filter(|&c| c == 0 || c == last || rows.iter().any(|r| counts(r) && !sift_score::table::is_missing(&r[c])))
        .collect();
    let csv_error = |e: csv::Error| AppError::score(STORED_SOURCE, sift_score::ScoreError::Write(e.to_string()));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(keep.iter().map(|&c| header[c])).map_err(csv_error)?;
    for row in &rows {
        out.write_record(keep.iter().map(|&c| row[c].as_str())).map_err(csv_error)?;
    }
    out.into_inner().map_err(|e| AppError::score(STORED_SOURCE, sift_score::ScoreError::Write(e.to_string())))
}

/// Trains a model on `data` (a CSV), naming `source_name` in errors.
pub fn train_csv(data: impl std::io::Read, source_name: &str, options: &TrainOptions) -> Result<ModelFile> {
    let table = Table::read(data).map_err(|e| AppError::score(source_name, e))?;
    train(&table, options).map_err(|e| AppError::score(source_name, e))
}

/// Trains a model on the stored leads whose outcome is known.
pub async fn train_stored(store: &Store, options: &TrainOptions) -> Result<ModelFile> {
    let csv = stored_training_csv(store).await?;
    train_csv(csv.as_slice(), STORED_SOURCE, options)
}

/// Reads a model file, naming `source_name` in errors.
pub fn read_model(source_name: &str, text: &str) -> Result<ModelFile> {
    ModelFile::from_json(text).map_err(|e| AppError::score(source_name, e))
}

/// The value of a model column for a stored lead: the columns of [`STORED_COLUMNS`],
/// `lead_type_rule`, or a custom field (exact name, else the same name in another case).
pub fn lead_value(lead: &sift_store::StoredLead, column: &str) -> Option<String> {
    let r = &lead.record;
    let value =
        match column {
            "id" => Some(lead.id.to_string()),
            "external_id" => r.external_id.clone(),
            "title" => r.title.clone(),
            "company" => r.company.clone(),
            "domain" => r.domain.clone(),
            "industry" => r.industry.clone(),
            "employees" => r.employees.map(|v| v.to_string()),
            "annual_revenue" => r.annual_revenue.map(|v| v.to_string()),
            "country" => r.country.clone(),
            "source" => r.source.clone(),
            "lead_type_rule" => r.lead_type_rule.clone(),
            other => r.custom_fields.get(other).cloned().or_else(|| {
                r.custom_fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(other)).map(|(_, v)| v.clone())
            }),
        };
    value.filter(|v| !v.trim().is_empty())
}

/// A lead scored by a stored model, with the factors behind the score.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LeadScoring {
    pub lead_id: i64,
    pub model_version: i64,
    pub model_kind: String,
    /// 1 to 99.
    pub score: i64,
    pub probability: f64,
    pub positive: Vec<sift_score::model::Factor>,
    pub negative: Vec<sift_score::model::Factor>,
}

impl LeadScoring {
    /// The score as stored on the lead.
    pub fn to_stored(&self, scored_at: &str) -> sift_store::LeadScore {
        sift_store::LeadScore {
            score: self.score,
            probability: self.probability,
            model: self.model_version,
            factors: serde_json::json!({ "positive": self.positive, "negative": self.negative }),
            scored_at: scored_at.to_owned(),
        }
    }
}

/// A parsed model ready to score stored leads: its columns in order, each read from the
/// lead by name (see [`lead_value`]).
pub struct LeadScorer {
    pub info: sift_store::ModelInfo,
    model: Arc<ModelFile>,
    columns: Vec<String>,
}

impl LeadScorer {
    pub fn new(info: sift_store::ModelInfo, model: Arc<ModelFile>) -> LeadScorer {
        let columns = model.required_columns();
        LeadScorer { info, model, columns }
    }

    /// The columns the model reads.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Scores leads with the `top` strongest factors on each side; `missing` counts, per
    /// column, the leads that had no value for it.
    pub fn score(&self, leads: &[sift_store::StoredLead], top: usize, missing: &mut [u64]) -> Result<Vec<LeadScoring>> {
        let scorer = sift_score::model::Scorer::new(&self.model, &self.columns)
            .map_err(|e| AppError::score(STORED_SOURCE, e))?;
        let mut scratch = sift_score::model::Scratch::default();
        let mut out = Vec::with_capacity(leads.len());
        for (row, lead) in leads.iter().enumerate() {
            let values: Vec<Option<String>> = self.columns.iter().map(|c| lead_value(lead, c)).collect();
            for (i, v) in values.iter().enumerate() {
                if v.is_none()
                    && let Some(m) = missing.get_mut(i)
                {
                    *m += 1;
                }
            }
            let scored = scorer
                .explain(|i| values.get(i).and_then(|v| v.as_deref()), row + 1, top, &mut scratch)
                .map_err(|e| AppError::score(&format!("lead {}", lead.id), e))?;
            out.push(LeadScoring {
                lead_id: lead.id,
                model_version: self.info.id,
                model_kind: self.info.kind.clone(),
                score: i64::from(scored.score),
                probability: scored.probability,
                positive: scored.positive,
                negative: scored.negative,
            });
        }
        Ok(out)
    }
}

/// Parsed models by version, so that scoring one lead does not parse a model file each
/// time. The active version is looked up at most every two seconds (an activation in
/// another process is seen within that).
#[derive(Default)]
pub struct ModelCache {
    inner: std::sync::Mutex<CacheInner>,
}

#[derive(Default)]
struct CacheInner {
    models: Vec<(i64, Arc<LeadScorer>)>,
    active: Option<(std::time::Instant, Option<i64>)>,
}

/// Models kept parsed at once.
const CACHED_MODELS: usize = 4;
const ACTIVE_TTL: std::time::Duration = std::time::Duration::from_secs(2);

impl ModelCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, CacheInner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Forgets the active version (after an activation in this process).
    pub fn forget_active(&self) {
        self.lock().active = None;
    }

    /// The scorer of `version`, or of the active model.
    pub async fn scorer(&self, store: &Store, version: Option<i64>) -> Result<Arc<LeadScorer>> {
        let version = match version {
            Some(v) => v,
            None => {
                let cached = self.lock().active.filter(|(at, _)| at.elapsed() < ACTIVE_TTL).map(|(_, v)| v);
                let active = match cached {
                    Some(v) => v,
                    None => {
                        let v = store.active_model().await?.map(|m| m.id);
                        // Only a model is remembered: a first model trained meanwhile is
                        // seen at once.
                        self.lock().active = v.map(|v| (std::time::Instant::now(), Some(v)));
                        v
                    }
                };
                active.ok_or_else(no_active_model)?
            }
        };
        if let Some((_, s)) = self.lock().models.iter().find(|(v, _)| *v == version) {
            return Ok(s.clone());
        }
        let scorer = Arc::new(load_scorer(store, version).await?);
        let mut inner = self.lock();
        inner.models.retain(|(v, _)| *v != version);
        inner.models.insert(0, (version, scorer.clone()));
        inner.models.truncate(CACHED_MODELS);
        Ok(scorer)
    }
}

fn no_active_model() -> AppError {
    AppError::Conflict("no model is active: train one (POST /api/v1/models/train) or activate one".into())
}

fn model_not_found(version: i64) -> AppError {
    AppError::NotFound { what: "model version", key: version.to_string(), hint: String::new() }
}

/// Reads a stored model and parses it (off the async threads: a boosted model can be
/// megabytes of JSON).
pub async fn load_scorer(store: &Store, version: i64) -> Result<LeadScorer> {
    let info = store.model(version).await?.ok_or_else(|| model_not_found(version))?;
    let text = store.model_file(version).await?.ok_or_else(|| model_not_found(version))?;
    let source = format!("model version {version}");
    let model = tokio::task::spawn_blocking(move || read_model(&source, &text))
        .await
        .map_err(|e| AppError::Unavailable(format!("reading the model stopped: {e}")))??;
    Ok(LeadScorer::new(info, Arc::new(model)))
}

/// Scores one stored lead on the fly with a stored model (the active one by default);
/// nothing is written.
pub async fn score_lead(
    store: &Store,
    cache: &ModelCache,
    lead: &sift_store::StoredLead,
    version: Option<i64>,
    top: usize,
) -> Result<LeadScoring> {
    let scorer = cache.scorer(store, version).await?;
    let mut missing = vec![0; scorer.columns().len()];
    scorer
        .score(std::slice::from_ref(lead), top, &mut missing)?
        .pop()
        .ok_or_else(|| AppError::Conflict("no score".into()))
}

/// What rescoring did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RescoreSummary {
    pub model_version: i64,
    pub model_kind: String,
    pub scored: u64,
    /// Model columns and how many scored leads had no value for them (scored as missing).
    pub missing_values: std::collections::BTreeMap<String, u64>,
}

/// Leads scored and saved per transaction.
const RESCORE_PAGE: i64 = 500;

/// Scores every stored lead with a stored model (the active one by default) and keeps the
/// scores on the leads with the model version, one transaction per 500 leads. Running it
/// again writes the same scores: safe to repeat after a crash. `progress(done, total)`.
pub async fn rescore(
    store: &Store,
    version: Option<i64>,
    top: usize,
    progress: &(dyn Fn(i64, i64) + Sync),
) -> Result<RescoreSummary> {
    let version = match version {
        Some(v) => v,
        None => store.active_model().await?.map(|m| m.id).ok_or_else(no_active_model)?,
    };
    let scorer = load_scorer(store, version).await?;
    let total = store.count_leads(&LeadFilter::default()).await?;
    let mut missing = vec![0u64; scorer.columns().len()];
    let mut scored = 0u64;
    let mut after: Option<i64> = None;
    loop {
        let filter = LeadFilter {
            after: after.map(|id| sift_store::Cursor { value: id.to_string(), id }),
            limit: Some(RESCORE_PAGE),
            ..LeadFilter::default()
        };
        let page = store.list_leads(&filter).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        let scores = scorer.score(&page, top, &mut missing)?;
        let at = sift_store::db::now();
        let rows: Vec<(i64, sift_store::LeadScore)> = scores.iter().map(|s| (s.lead_id, s.to_stored(&at))).collect();
        scored += store.save_scores(&rows).await?;
        progress(scored as i64, total);
    }
    let missing_values = scorer
        .columns()
        .iter()
        .cloned()
        .zip(missing)
        .filter(|(_, n)| *n > 0)
        .collect::<std::collections::BTreeMap<_, _>>();
    Ok(RescoreSummary { model_version: version, model_kind: scorer.info.kind.clone(), scored, missing_values })
}

/// The stored models, newest first.
pub async fn models(store: &Store) -> Result<Vec<sift_store::ModelInfo>> {
    Ok(store.models().await?)
}

/// A stored model with its cross-validation report read back; `report` is `None` when the
/// stored report is not one this version can read (it is still in `info.report`).
#[derive(Debug, Clone)]
pub struct ModelReport {
    pub info: sift_store::ModelInfo,
    pub report: Option<sift_score::TrainReport>,
}

/// One stored model and its report.
pub async fn model_report(store: &Store, version: i64) -> Result<ModelReport> {
    let info = store.model(version).await?.ok_or_else(|| model_not_found(version))?;
    let report = serde_json::from_value(info.report.clone()).ok();
    Ok(ModelReport { info, report })
}

/// The model kinds a person may ask to train, `auto` first (the default).
pub const MODEL_CHOICES: [sift_score::ModelChoice; 4] = [
    sift_score::ModelChoice::Auto,
    sift_score::ModelChoice::Logistic,
    sift_score::ModelChoice::Gbm,
    sift_score::ModelChoice::OdooNb,
];

/// A model kind by name (`auto`, `logistic`, `gbm`, `odoo-nb`).
pub fn model_choice(name: &str) -> Result<sift_score::ModelChoice> {
    MODEL_CHOICES
        .into_iter()
        .find(|c| c.name() == name)
        .ok_or_else(|| AppError::invalid("kind", format!("`{name}`: use auto, logistic, gbm or odoo-nb")))
}

/// Makes a stored model the active one.
pub async fn activate(store: &Store, version: i64) -> Result<sift_store::ModelInfo> {
    if !store.activate_model(version).await? {
        return Err(model_not_found(version));
    }
    store.model(version).await?.ok_or_else(|| model_not_found(version))
}

/// Keeps a model file (e.g. from `sift train -o`) in the database; the same file brought
/// in again is found, not stored twice. It becomes active when no model is.
pub async fn store_model_file(
    store: &Store,
    source: &str,
    text: &str,
    created_by: &str,
) -> Result<sift_store::ModelInfo> {
    let model = read_model(source, text)?;
    let hash = sift_store::record::content_version(text);
    if let Some(found) = store.model_by_hash(&hash).await? {
        return Ok(found);
    }
    let report = serde_json::to_value(&model.report).map_err(|e| AppError::Unavailable(e.to_string()))?;
    let activate = store.active_model().await?.is_none();
    Ok(store
        .insert_model(&sift_store::models::NewModel {
            kind: model.kind.name(),
            label: &model.label.column,
            report: &report,
            model: text,
            content_hash: &hash,
            source: Some(source),
            job_id: None,
            created_by,
            activate,
            trained_event: false,
        })
        .await?)
}

/// What a training job is asked to do.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainRequest {
    /// auto (default: the candidates cross-validated on the same folds, the best kept, the
    /// choice explained in the report's `selection`), logistic, gbm or odoo-nb.
    #[serde(default)]
    pub kind: sift_score::ModelChoice,
    /// The outcome column (default `converted`).
    pub label: Option<String>,
    /// The label value that means converted (default: 1, yes, true, won...).
    pub positive: Option<String>,
    /// Columns not to learn from.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Cross-validation folds (2 to 100; default 5).
    pub folds: Option<usize>,
    pub seed: Option<u64>,
    /// Make the new model active (default: only when no model is active).
    pub activate: Option<bool>,
}

impl TrainRequest {
    fn options(&self) -> Result<TrainOptions> {
        let label = self.label.clone().unwrap_or_else(|| "converted".into());
        let options = TrainOptions {
            positive: self.positive.clone(),
            exclude: self.exclude.clone(),
            folds: sift_score::train::FoldSpec::Stratified { k: self.folds.unwrap_or(5), seed: self.seed.unwrap_or(0) },
            created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            source: Some(STORED_SOURCE.to_owned()),
            ..TrainOptions::new(&label, self.kind)
        };
        options.validate().map_err(|e| AppError::score("training options", e))?;
        Ok(options)
    }
}

/// Queues training on the stored leads; the options are checked first.
pub async fn enqueue_training(store: &Store, request: &TrainRequest, created_by: Option<i64>) -> Result<i64> {
    request.options()?;
    let job = sift_store::jobs::NewJob {
        kind: crate::jobs::TRAIN,
        payload: serde_json::to_value(request).map_err(|e| AppError::Unavailable(e.to_string()))?,
        max_attempts: 2,
        run_at: None,
        dedupe_key: None,
        created_by,
    };
    store.enqueue_job(&job).await?.ok_or_else(|| AppError::Conflict("the training job was not queued".into()))
}

/// The training job: trains on the stored leads and stores the model with its report
/// (`model.trained`), once per job: run again, it returns the model it stored.
pub async fn run_train_job(
    env: &crate::jobs::JobEnv,
    job: &sift_store::Job,
    progress: &crate::jobs::ProgressHandle,
) -> Result<serde_json::Value> {
    let request: TrainRequest = serde_json::from_value(job.payload.clone())
        .map_err(|e| AppError::invalid("payload", format!("not a training request: {e}")))?;
    let summary = |m: &sift_store::ModelInfo| {
        let mut summary = serde_json::json!({ "model_version": m.id, "kind": m.kind, "active": m.active, "auc": m.report.get("auc"), "rows": m.report.get("rows") });
        // `auto`: why this kind, in words.
        if let Some(reason) = m.report.get("selection").and_then(|s| s.get("reason")) {
            summary["chosen_because"] = reason.clone();
        }
        summary
    };
    if let Some(found) = env.store.model_by_job(job.id).await? {
        return Ok(summary(&found));
    }
    let options = request.options()?;
    progress.say("reading the stored leads");
    let csv = stored_training_csv(&env.store).await?;
    progress.say("cross-validating and fitting");
    let (model, text) = tokio::task::spawn_blocking(move || -> Result<(ModelFile, String)> {
        let model = train_csv(csv.as_slice(), STORED_SOURCE, &options)?;
        let text = model.to_json().map_err(|e| AppError::score(STORED_SOURCE, e))?;
        Ok((model, text))
    })
    .await
    .map_err(|e| AppError::Unavailable(format!("training stopped: {e}")))??;
    let report = serde_json::to_value(&model.report).map_err(|e| AppError::Unavailable(e.to_string()))?;
    let activate = match request.activate {
        Some(a) => a,
        None => env.store.active_model().await?.is_none(),
    };
    let created_by = match job.created_by {
        Some(id) => env.store.user(id).await?.map_or_else(|| format!("user {id}"), |u| u.username),
        None => "sift".to_owned(),
    };
    let stored = env
        .store
        .insert_model(&sift_store::models::NewModel {
            kind: model.kind.name(),
            label: &model.label.column,
            report: &report,
            model: &text,
            content_hash: &sift_store::record::content_version(&text),
            source: Some(STORED_SOURCE),
            job_id: Some(job.id),
            created_by: &created_by,
            activate,
            trained_event: true,
        })
        .await;
    let stored = match stored {
        Ok(m) => m,
        // Another attempt of this job stored it meanwhile.
        Err(sift_store::StoreError::Duplicate(_)) => {
            env.store.model_by_job(job.id).await?.ok_or_else(|| AppError::Conflict("the model vanished".into()))?
        }
        Err(e) => return Err(e.into()),
    };
    Ok(summary(&stored))
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RescoreRequest {
    /// The model version (default: the active model).
    pub model: Option<i64>,
}

/// Queues the scoring of every stored lead (at most one live rescoring at a time).
pub async fn enqueue_rescore(store: &Store, request: &RescoreRequest, created_by: Option<i64>) -> Result<i64> {
    match request.model {
        Some(v) => {
            store.model(v).await?.ok_or_else(|| model_not_found(v))?;
        }
        None => {
            store.active_model().await?.ok_or_else(no_active_model)?;
        }
    }
    let job = sift_store::jobs::NewJob {
        kind: crate::jobs::RESCORE,
        payload: serde_json::to_value(request).map_err(|e| AppError::Unavailable(e.to_string()))?,
        max_attempts: 3,
        run_at: None,
        dedupe_key: Some(crate::jobs::RESCORE.to_owned()),
        created_by,
    };
    store.enqueue_job(&job).await?.ok_or_else(|| AppError::Conflict("a rescoring is already queued or running".into()))
}

/// The rescoring job.
pub async fn run_rescore_job(
    env: &crate::jobs::JobEnv,
    job: &sift_store::Job,
    progress: &crate::jobs::ProgressHandle,
) -> Result<serde_json::Value> {
    let request: RescoreRequest = serde_json::from_value(job.payload.clone())
        .map_err(|e| AppError::invalid("payload", format!("not a rescoring request: {e}")))?;
    let summary = rescore(&env.store, request.model, 3, &|done, total| progress.set(done, Some(total))).await?;
    serde_json::to_value(&summary).map_err(|e| AppError::Unavailable(e.to_string()))
}
