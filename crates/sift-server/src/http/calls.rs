//! Discovery calls: send a transcript, get the analysis (metrics, questions, signals,
//! criterion evidence, each with its quote).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use sift_app::calls::{AttachedCall, CallReport, CallRequest, analyze_call, decode_transcript};
use sift_core::Language;
use sift_store::calls::{CallListing, StoredCall};

use crate::auth::Principal;
use crate::extract::{ApiPath, ApiQuery};
use crate::http::audit;
use crate::http::leads::visible_lead;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CallQuery {
    /// The upload's file name (for messages; its extension is not needed).
    pub name: Option<String>,
    /// The rep's speaker name; repeat for several (`rep=Dana&rep=Li`) or separate by commas.
    pub rep: Option<String>,
    /// Report criteria for this framework (default: every built-in one).
    pub framework: Option<String>,
    /// en or zh; default: detected.
    pub lang: Option<String>,
    /// The call's date (`YYYY-MM-DD`), to resolve "next quarter"; default today.
    pub as_of: Option<String>,
}

/// The parts of a call request read from the query and the body.
struct CallInput {
    language: Option<Language>,
    as_of: chrono::NaiveDate,
    reps: Vec<String>,
    text: String,
    source: String,
}

fn read_input(query: &CallQuery, body: &Bytes) -> ApiResult<CallInput> {
    if body.is_empty() {
        return Err(ApiError::validation("body", "send the transcript as the request body"));
    }
    let language = match query.lang.as_deref() {
        None | Some("auto") => None,
        Some("en") => Some(Language::En),
        Some("zh") => Some(Language::Zh),
        Some(other) => return Err(ApiError::validation("lang", format!("`{other}`: use en, zh or auto"))),
    };
    let as_of = match query.as_of.as_deref() {
        None => chrono::Utc::now().date_naive(),
        Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| ApiError::validation("as_of", format!("`{d}` is not a date (YYYY-MM-DD)")))?,
    };
    let reps: Vec<String> = query
        .rep
        .as_deref()
        .map(|r| r.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    let source = upload_name(query.name.as_deref());
    Ok(CallInput { language, as_of, reps, text: decode_transcript(body).text, source })
}

/// The name a call is kept under: only the last part of an upload's name, so no path
/// reaches a message or the store; `transcript` when there is none.
pub fn upload_name(name: Option<&str>) -> String {
    name.map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n))
        .filter(|n| !n.is_empty())
        .unwrap_or("transcript")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect()
}

fn frameworks<'c>(config: &'c sift_app::Config, id: Option<&str>) -> ApiResult<Vec<&'c sift_core::Framework>> {
    Ok(match id {
        Some(id) => vec![config.framework(id)?],
        None => config.registry.frameworks().iter().collect(),
    })
}

/// Analyses a transcript sent as the request body (plain text, WebVTT, SRT or JSON; UTF-8,
/// UTF-16 with BOM, or mixed Windows-1252 lines). Nothing is stored.
#[utoipa::path(post, path = "/api/v1/calls/analyze", tag = "calls", params(CallQuery),
    request_body(content = String, content_type = "text/plain", description = "the transcript"),
    responses((status = 200, body = Object, description = "the analysis, spans in characters"), (status = 422, body = crate::problem::Problem)))]
pub async fn analyze(
    State(state): State<AppState>,
    _principal: Principal,
    ApiQuery(query): ApiQuery<CallQuery>,
    body: Bytes,
) -> ApiResult<Json<CallReport>> {
    let input = read_input(&query, &body)?;
    let config = state.config();
    let frameworks = frameworks(&config, query.framework.as_deref())?;
    let request = CallRequest {
        source: &input.source,
        text: &input.text,
        reps: &input.reps,
        language: input.language,
        as_of: input.as_of,
        lexicons: &config.lexicons,
        meaning: config.meaning(),
        llm: config.llm.as_ref(),
    };
    let analysis = tokio::task::block_in_place(|| analyze_call(&request, frameworks))?;
    Ok(Json(CallReport::from(analysis)))
}

/// Analyses a call and keeps it with the lead (transcript, analysis, summary).
#[utoipa::path(post, path = "/api/v1/leads/{id}/calls", tag = "calls", params(("id" = i64, Path, description = "lead id"), CallQuery),
    request_body(content = String, content_type = "text/plain", description = "the transcript"),
    responses((status = 201, body = Object, description = "the call id, its summary and the analysis"), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn attach(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<CallQuery>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<AttachedCall>)> {
    let lead = visible_lead(&state, &principal, id).await?;
    principal.require_lead_write(&lead)?;
    let input = read_input(&query, &body)?;
    let config = state.config();
    let frameworks = frameworks(&config, query.framework.as_deref())?;
    let request = CallRequest {
        source: &input.source,
        text: &input.text,
        reps: &input.reps,
        language: input.language,
        as_of: input.as_of,
        lexicons: &config.lexicons,
        meaning: config.meaning(),
        llm: config.llm.as_ref(),
    };
    let attached = sift_app::calls::attach(state.store(), id, &request, frameworks, principal.actor()).await?;
    audit(
        &state,
        &principal,
        "call.attached",
        &format!("lead:{id}"),
        serde_json::json!({"call_id": attached.call_id, "source": input.source}),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(attached)))
}

/// A lead's calls, newest first (without transcripts).
#[utoipa::path(get, path = "/api/v1/leads/{id}/calls", tag = "calls", params(("id" = i64, Path, description = "lead id")),
    responses((status = 200, body = Vec<Object>), (status = 404, body = crate::problem::Problem)))]
pub async fn list_for_lead(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<CallListing>>> {
    visible_lead(&state, &principal, id).await?;
    Ok(Json(state.store().lead_calls(id).await?))
}

/// One stored call: transcript and analysis.
#[utoipa::path(get, path = "/api/v1/calls/{id}", tag = "calls", params(("id" = i64, Path, description = "call id")),
    responses((status = 200, body = Object), (status = 404, body = crate::problem::Problem)))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<StoredCall>> {
    let call = state.store().call(id).await?.ok_or_else(|| ApiError::not_found("call with this id"))?;
    // A call is as visible as its lead.
    visible_lead(&state, &principal, call.listing.lead_id)
        .await
        .map_err(|_| ApiError::not_found("call with this id"))?;
    Ok(Json(call))
}
