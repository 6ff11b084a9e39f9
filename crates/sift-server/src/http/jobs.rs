//! Background jobs: what was queued, how far it came, how it ended. People see the jobs
//! they started; admins see all of them.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sift_store::accounts::Role;
use sift_store::jobs::JobFilter;
use sift_store::{Job, JobStatus};

use crate::auth::Principal;
use crate::extract::{ApiPath, ApiQuery};
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProgressView {
    /// Units done (rows, bytes, leads: see the message and the job kind).
    pub done: i64,
    pub total: Option<i64>,
    pub message: Option<String>,
}

/// A background job.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobView {
    pub id: i64,
    /// import.csv, model.train, scores.rescore, nurture.scan, nurture.wake, webhook.deliver.
    pub kind: String,
    /// queued, running, done or failed.
    pub status: String,
    pub attempts: i64,
    pub max_attempts: i64,
    /// When it runs (next).
    pub run_at: String,
    pub progress: ProgressView,
    /// What it produced, when done.
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// Where to poll it.
    pub href: String,
}

impl From<Job> for JobView {
    fn from(j: Job) -> JobView {
        JobView {
            href: format!("/api/v1/jobs/{}", j.id),
            id: j.id,
            kind: j.kind,
            status: j.status.name().to_owned(),
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: j.run_at,
            progress: ProgressView { done: j.progress.done, total: j.progress.total, message: j.progress.message },
            result: j.result,
            error: j.error,
            created_by: j.created_by,
            created_at: j.created_at,
            started_at: j.started_at,
            finished_at: j.finished_at,
        }
    }
}

/// `202 Accepted` for a queued job, pointing at where to poll it.
pub async fn accepted(state: &AppState, id: i64) -> ApiResult<Response> {
    state.jobs().wake.notify_waiters();
    let job = state.store().job(id).await?.ok_or_else(|| ApiError::not_found("job"))?;
    let mut response = (StatusCode::ACCEPTED, Json(JobView::from(job))).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/jobs/{id}")) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// A job the principal may see: their own, or any for an admin; 404 otherwise.
pub async fn visible_job(state: &AppState, principal: &Principal, id: i64) -> ApiResult<Job> {
    let job = state.store().job(id).await?.ok_or_else(|| ApiError::not_found("job with this id"))?;
    if principal.user.role != Role::Admin && job.created_by != Some(principal.user.id) {
        return Err(ApiError::not_found("job with this id"));
    }
    Ok(job)
}

/// One job: its status, progress, result or error.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs", params(("id" = i64, Path, description = "job id")),
    responses((status = 200, body = JobView), (status = 404, body = crate::problem::Problem)))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<JobView>> {
    Ok(Json(JobView::from(visible_job(&state, &principal, id).await?)))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JobQuery {
    /// A job kind.
    pub kind: Option<String>,
    /// queued, running, done or failed.
    pub status: Option<String>,
    /// Jobs older than this job id (paging back).
    pub before: Option<i64>,
    /// 1 to 500 (default 50).
    pub limit: Option<i64>,
}

/// Jobs, newest first: one's own, or everyone's for an admin.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(JobQuery),
    responses((status = 200, body = Vec<JobView>), (status = 422, body = crate::problem::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<JobQuery>,
) -> ApiResult<Json<Vec<JobView>>> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::validation("limit", format!("`{limit}` is out of range; use 1 to 500")));
    }
    if let Some(kind) = &query.kind
        && !sift_app::jobs::KINDS.contains(&kind.as_str())
    {
        return Err(ApiError::validation(
            "kind",
            format!("`{kind}` is not a job kind; one of: {}", sift_app::jobs::KINDS.join(", ")),
        ));
    }
    let status = query
        .status
        .as_deref()
        .map(|s| s.parse::<JobStatus>().map_err(|e| ApiError::validation("status", e)))
        .transpose()?;
    let filter = JobFilter {
        kind: query.kind,
        status,
        created_by: (principal.user.role != Role::Admin).then_some(principal.user.id),
        before: query.before,
        limit,
    };
    Ok(Json(state.store().list_jobs(&filter).await?.into_iter().map(JobView::from).collect()))
}
