//! Scoring over HTTP: train a model on the stored outcomes (a job), list models with their
//! reports, activate one, score a lead on the fly, rescore every lead (a job).

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use sift_app::scoring::{LeadScoring, RescoreRequest, TrainRequest};
use sift_store::ModelInfo;

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::audit;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// A stored model (its version is its id).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelView {
    pub version: i64,
    /// logistic, gbm or odoo-nb (with `auto`, the kind it chose).
    pub kind: String,
    /// The outcome it learned.
    pub label: String,
    pub active: bool,
    /// The cross-validation report: AUC, log loss, Brier, top-decile lift, calibration,
    /// leakage warnings, columns used and dropped; with `auto`, `selection`: every
    /// candidate's figures on the same folds and the reason for the choice.
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
    pub source: Option<String>,
    /// The training job that made it.
    pub job_id: Option<i64>,
    pub created_by: String,
    pub created_at: String,
}

impl From<ModelInfo> for ModelView {
    fn from(m: ModelInfo) -> ModelView {
        ModelView {
            version: m.id,
            kind: m.kind,
            label: m.label,
            active: m.active,
            report: m.report,
            source: m.source,
            job_id: m.job_id,
            created_by: m.created_by,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainBody {
    /// auto (default: logistic and gbm cross-validated on the same folds, the best kept and
    /// calibrated, the choice explained in the report's `selection`), logistic, gbm or
    /// odoo-nb.
    pub kind: Option<String>,
    /// The outcome field (default `converted`).
    pub label: Option<String>,
    /// The label value that means converted (default: 1, yes, true, won...).
    pub positive: Option<String>,
    /// Columns not to learn from.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Cross-validation folds, 2 to 100 (default 5).
    pub folds: Option<usize>,
    pub seed: Option<u64>,
    /// Make it the active model (default: only when none is).
    pub activate: Option<bool>,
}

/// Trains a model on the stored leads whose outcome is known, as a job (`202`); the model is
/// stored with its cross-validation report and `model.trained` fires.
#[utoipa::path(post, path = "/api/v1/models/train", tag = "scoring", request_body = TrainBody,
    responses((status = 202, body = crate::http::jobs::JobView), (status = 422, body = crate::problem::Problem)))]
pub async fn train(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(body): ApiJson<TrainBody>,
) -> ApiResult<Response> {
    principal.require_write()?;
    principal.require_manager()?;
    let kind = match body.kind.as_deref() {
        None | Some("auto") => sift_score::ModelChoice::Auto,
        Some("logistic") => sift_score::ModelChoice::Logistic,
        Some("gbm") => sift_score::ModelChoice::Gbm,
        Some("odoo-nb") => sift_score::ModelChoice::OdooNb,
        Some(other) => {
            return Err(ApiError::validation("kind", format!("`{other}`: use auto, logistic, gbm or odoo-nb")));
        }
    };
    if body.exclude.len() > 200 {
        return Err(ApiError::validation("exclude", "at most 200 columns"));
    }
    let request = TrainRequest {
        kind,
        label: body.label,
        positive: body.positive,
        exclude: body.exclude,
        folds: body.folds,
        seed: body.seed,
        activate: body.activate,
    };
    let job = sift_app::scoring::enqueue_training(state.store(), &request, Some(principal.user.id)).await?;
    audit(&state, &principal, "model.train", "models", serde_json::json!({"job": job, "kind": kind.name()})).await?;
    crate::http::jobs::accepted(&state, job).await
}

/// Every stored model with its report, newest first.
#[utoipa::path(get, path = "/api/v1/models", tag = "scoring", responses((status = 200, body = Vec<ModelView>)))]
pub async fn list(State(state): State<AppState>, _principal: Principal) -> ApiResult<Json<Vec<ModelView>>> {
    Ok(Json(state.store().models().await?.into_iter().map(ModelView::from).collect()))
}

fn not_found() -> ApiError {
    ApiError::not_found("model with this version")
}

/// One model with its report.
#[utoipa::path(get, path = "/api/v1/models/{version}", tag = "scoring", params(("version" = i64, Path, description = "model version")),
    responses((status = 200, body = ModelView), (status = 404, body = crate::problem::Problem)))]
pub async fn get(
    State(state): State<AppState>,
    _principal: Principal,
    ApiPath(version): ApiPath<i64>,
) -> ApiResult<Json<ModelView>> {
    Ok(Json(ModelView::from(state.store().model(version).await?.ok_or_else(not_found)?)))
}

/// Makes a model the one that scores leads.
#[utoipa::path(post, path = "/api/v1/models/{version}/activate", tag = "scoring", params(("version" = i64, Path, description = "model version")),
    responses((status = 200, body = ModelView), (status = 404, body = crate::problem::Problem)))]
pub async fn activate(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(version): ApiPath<i64>,
) -> ApiResult<Json<ModelView>> {
    principal.require_write()?;
    principal.require_manager()?;
    let model = sift_app::scoring::activate(state.store(), version).await.map_err(|e| match e {
        sift_app::AppError::NotFound { .. } => not_found(),
        other => other.into(),
    })?;
    state.jobs().models.forget_active();
    audit(&state, &principal, "model.activated", &format!("model:{version}"), serde_json::json!({})).await?;
    Ok(Json(ModelView::from(model)))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescoreBody {
    /// The model version (default: the active model).
    pub model: Option<i64>,
}

/// Scores every stored lead with a model and keeps the scores on the leads with the model
/// version, as a job (`202`; progress in leads).
#[utoipa::path(post, path = "/api/v1/scores/rescore", tag = "scoring", request_body = RescoreBody,
    responses((status = 202, body = crate::http::jobs::JobView), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem)))]
pub async fn rescore(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(body): ApiJson<RescoreBody>,
) -> ApiResult<Response> {
    principal.require_write()?;
    principal.require_manager()?;
    let request = RescoreRequest { model: body.model };
    let job = sift_app::scoring::enqueue_rescore(state.store(), &request, Some(principal.user.id)).await?;
    audit(&state, &principal, "scores.rescore", "leads", serde_json::json!({"job": job, "model": body.model})).await?;
    crate::http::jobs::accepted(&state, job).await
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScoreQuery {
    /// The model version (default: the active model).
    pub model: Option<i64>,
    /// Factors named on each side, 0 to 20 (default 3).
    pub top: Option<usize>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FactorView {
    pub column: String,
    pub value: String,
    /// Effect on the log-odds, relative to an average lead.
    pub effect: f64,
}

/// A lead's score now, with the factors behind it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScoreView {
    pub lead_id: i64,
    pub model_version: i64,
    pub model_kind: String,
    /// 1 to 99.
    pub score: i64,
    /// The calibrated probability of converting.
    pub probability: f64,
    pub positive: Vec<FactorView>,
    pub negative: Vec<FactorView>,
}

impl From<LeadScoring> for ScoreView {
    fn from(s: LeadScoring) -> ScoreView {
        let factors = |list: Vec<sift_score::model::Factor>| {
            list.into_iter().map(|f| FactorView { column: f.column, value: f.value, effect: f.effect }).collect()
        };
        ScoreView {
            lead_id: s.lead_id,
            model_version: s.model_version,
            model_kind: s.model_kind,
            score: s.score,
            probability: s.probability,
            positive: factors(s.positive),
            negative: factors(s.negative),
        }
    }
}

/// Scores one lead on the fly (nothing is stored).
#[utoipa::path(get, path = "/api/v1/leads/{id}/score", tag = "scoring", params(("id" = i64, Path, description = "lead id"), ScoreQuery),
    responses((status = 200, body = ScoreView), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem)))]
pub async fn score_lead(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<ScoreQuery>,
) -> ApiResult<Json<ScoreView>> {
    let top = query.top.unwrap_or(3);
    if top > 20 {
        return Err(ApiError::validation("top", format!("`{top}` is out of range; use 0 to 20")));
    }
    let lead = crate::http::leads::visible_lead(&state, &principal, id).await?;
    let scored = sift_app::scoring::score_lead(state.store(), &state.jobs().models, &lead, query.model, top)
        .await
        .map_err(|e| match e {
            sift_app::AppError::NotFound { .. } => not_found(),
            other => other.into(),
        })?;
    Ok(Json(ScoreView::from(scored)))
}
