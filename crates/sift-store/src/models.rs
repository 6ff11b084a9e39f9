//! Scoring models kept in the database, and each lead's latest score.
//!
//! A model's id is its version. At most one model is active (a partial unique index says
//! so); activating one deactivates the others in the same transaction. Scores live on the
//! lead (`score`, `score_probability`, `score_model`, `score_factors`, `scored_at`) so
//! lists filter and sort by them; they are derived data and do not change the lead's
//! `updated_at` or ETag.

use serde::Serialize;
use sqlx::Row;

use crate::db::{Result, Store, StoreError, now, on_pool};
use crate::events::{EventKind, NewEvent, insert_event};

/// A stored model without its (possibly large) parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInfo {
    /// The model's version.
    pub id: i64,
    /// logistic, gbm or odoo-nb.
    pub kind: String,
    /// The outcome column it learned.
    pub label: String,
    /// The cross-validation report (as `sift train --json` prints it).
    pub report: serde_json::Value,
    pub content_hash: String,
    pub source: Option<String>,
    /// The training job that stored it.
    pub job_id: Option<i64>,
    pub active: bool,
    pub created_by: String,
    pub created_at: String,
}

/// A model to store.
#[derive(Debug, Clone)]
pub struct NewModel<'a> {
    pub kind: &'a str,
    pub label: &'a str,
    pub report: &'a serde_json::Value,
    /// The model file (JSON).
    pub model: &'a str,
    pub content_hash: &'a str,
    pub source: Option<&'a str>,
    pub job_id: Option<i64>,
    pub created_by: &'a str,
    /// Make it the active model (deactivating the one before).
    pub activate: bool,
    /// Write a `model.trained` event with it (a trained model; not a model file brought in).
    pub trained_event: bool,
}

/// A lead's score from one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadScore {
    /// 1 to 99.
    pub score: i64,
    /// The calibrated probability of converting.
    pub probability: f64,
    /// The model version that scored it.
    pub model: i64,
    /// The factors that moved the score most: `{"positive": [...], "negative": [...]}`.
    pub factors: serde_json::Value,
    pub scored_at: String,
}

const MODEL_COLUMNS: &str = "id, kind, label, report, content_hash, source, job_id, active, created_by, created_at";

fn model_from_row<R: Row>(row: &R) -> Result<ModelInfo>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let report: String = row.try_get("report")?;
    Ok(ModelInfo {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        label: row.try_get("label")?,
        report: serde_json::from_str(&report).map_err(|e| StoreError::Corrupt(format!("models.report: {e}")))?,
        content_hash: row.try_get("content_hash")?,
        source: row.try_get("source")?,
        job_id: row.try_get("job_id")?,
        active: row.try_get("active")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Store {
    /// Stores a model (activating it if asked, and writing its `model.trained` event if
    /// asked) in one transaction.
    pub async fn insert_model(&self, new: &NewModel<'_>) -> Result<ModelInfo> {
        let now = now();
        let begin = self.begin_write();
        let id = on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            if new.activate {
                sqlx::query("UPDATE models SET active = $1 WHERE active = $2").bind(false).bind(true).execute(&mut *tx).await?;
            }
            let row = sqlx::query(
                "INSERT INTO models (kind, label, report, model, content_hash, source, job_id, active, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(new.kind)
            .bind(new.label)
            .bind(new.report.to_string())
            .bind(new.model)
            .bind(new.content_hash)
            .bind(new.source)
            .bind(new.job_id)
            .bind(new.activate)
            .bind(new.created_by)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await;
            let id = match row {
                Ok(row) => row.try_get::<i64, _>("id")?,
                Err(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
                    return Err(StoreError::Duplicate(format!("a model stored by job {:?}", new.job_id)));
                }
                Err(e) => return Err(e.into()),
            };
            if new.trained_event {
                // The report's headline figures (its metrics are flattened into it).
                let metrics: serde_json::Map<String, serde_json::Value> =
                    ["rows", "base_rate", "auc", "log_loss", "brier", "top_decile_precision", "top_decile_lift"]
                        .into_iter()
                        .filter_map(|k| new.report.get(k).map(|v| (k.to_owned(), v.clone())))
                        .collect();
                let data = serde_json::json!({
                    "model_version": id,
                    "kind": new.kind,
                    "label": new.label,
                    "active": new.activate,
                    "metrics": metrics,
                    "created_by": new.created_by,
                });
                let event = NewEvent::new(EventKind::ModelTrained, None, data, &now)?;
                insert_event!(&mut *tx, &event);
            }
            tx.commit().await?;
            id
        });
        self.model(id).await?.ok_or_else(|| StoreError::NotFound(format!("model {id}")))
    }

    pub async fn model(&self, id: i64) -> Result<Option<ModelInfo>> {
        on_pool!(self, pool => {
            let sql = format!("SELECT {MODEL_COLUMNS} FROM models WHERE id = $1");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            row.as_ref().map(model_from_row).transpose()
        })
    }

    /// The model a training job stored, if it got that far.
    pub async fn model_by_job(&self, job_id: i64) -> Result<Option<ModelInfo>> {
        on_pool!(self, pool => {
            let sql = format!("SELECT {MODEL_COLUMNS} FROM models WHERE job_id = $1");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(job_id).fetch_optional(pool).await?;
            row.as_ref().map(model_from_row).transpose()
        })
    }

    /// The newest model with this content hash (a model file brought in twice is kept once).
    pub async fn model_by_hash(&self, content_hash: &str) -> Result<Option<ModelInfo>> {
        on_pool!(self, pool => {
            let sql = format!("SELECT {MODEL_COLUMNS} FROM models WHERE content_hash = $1 ORDER BY id DESC LIMIT 1");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(content_hash).fetch_optional(pool).await?;
            row.as_ref().map(model_from_row).transpose()
        })
    }

    /// Every model, newest first.
    pub async fn models(&self) -> Result<Vec<ModelInfo>> {
        on_pool!(self, pool => {
            let sql = format!("SELECT {MODEL_COLUMNS} FROM models ORDER BY id DESC");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            rows.iter().map(model_from_row).collect()
        })
    }

    pub async fn active_model(&self) -> Result<Option<ModelInfo>> {
        on_pool!(self, pool => {
            let sql = format!("SELECT {MODEL_COLUMNS} FROM models WHERE active = $1");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(true).fetch_optional(pool).await?;
            row.as_ref().map(model_from_row).transpose()
        })
    }

    /// The model file (JSON) of a version.
    pub async fn model_file(&self, id: i64) -> Result<Option<String>> {
        on_pool!(self, pool => {
            let row = sqlx::query("SELECT model FROM models WHERE id = $1").bind(id).fetch_optional(pool).await?;
            row.map(|r| r.try_get::<String, _>("model")).transpose().map_err(Into::into)
        })
    }

    /// Makes `id` the active model (and no other); false when there is no such model.
    pub async fn activate_model(&self, id: i64) -> Result<bool> {
        let begin = self.begin_write();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let exists = sqlx::query("SELECT id FROM models WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
            if exists.is_none() {
                return Ok(false);
            }
            sqlx::query("UPDATE models SET active = $1 WHERE active = $2 AND id <> $3")
                .bind(false)
                .bind(true)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE models SET active = $1 WHERE id = $2").bind(true).bind(id).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Stores scores on their leads in one transaction; returns how many leads still exist.
    /// Writing the same score again changes nothing but `scored_at`.
    pub async fn save_scores(&self, scores: &[(i64, LeadScore)]) -> Result<u64> {
        let begin = self.begin_write();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let mut written = 0;
            for (lead_id, s) in scores {
                let done = sqlx::query(
                    "UPDATE leads SET score = $1, score_probability = $2, score_model = $3, score_factors = $4, scored_at = $5 WHERE id = $6",
                )
                .bind(s.score)
                .bind(s.probability)
                .bind(s.model)
                .bind(s.factors.to_string())
                .bind(s.scored_at.as_str())
                .bind(*lead_id)
                .execute(&mut *tx)
                .await?;
                written += done.rows_affected();
            }
            tx.commit().await?;
            Ok(written)
        })
    }
}
