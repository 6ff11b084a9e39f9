//! Discovery calls: send a transcript, get the analysis (metrics, questions, signals,
//! criterion evidence, each with its quote).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde::Deserialize;
use sift_app::calls::{CallReport, CallRequest, analyze_call, decode_transcript};
use sift_core::Language;

use crate::auth::Principal;
use crate::extract::ApiQuery;
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

/// Analyses a transcript sent as the request body (plain text, WebVTT, SRT or JSON; UTF-8,
/// UTF-16 with BOM, or mixed Windows-1252 lines).
#[utoipa::path(post, path = "/api/v1/calls/analyze", tag = "calls", params(CallQuery),
    request_body(content = String, content_type = "text/plain", description = "the transcript"),
    responses((status = 200, body = Object, description = "the analysis, spans in characters"), (status = 422, body = crate::problem::Problem)))]
pub async fn analyze(
    State(state): State<AppState>,
    _principal: Principal,
    ApiQuery(query): ApiQuery<CallQuery>,
    body: Bytes,
) -> ApiResult<Json<CallReport>> {
    if body.is_empty() {
        return Err(ApiError::validation("body", "send the transcript as the request body"));
    }
    let config = state.config();
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
    let frameworks = match query.framework.as_deref() {
        Some(id) => vec![config.framework(id)?],
        None => config.registry.frameworks().iter().collect(),
    };
    let reps: Vec<String> = query
        .rep
        .as_deref()
        .map(|r| r.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    let text = decode_transcript(&body);
    let source = query.name.as_deref().map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n)).unwrap_or("transcript");
    let request = CallRequest { source, text: &text.text, reps: &reps, language, as_of, lexicons: &config.lexicons };
    let analysis = tokio::task::block_in_place(|| analyze_call(&request, frameworks))?;
    Ok(Json(CallReport::from(analysis)))
}
