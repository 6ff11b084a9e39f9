//! Qualification over HTTP: answers as JSON (the answers file's schema), optionally with a
//! call transcript; for a stored lead the decision is saved and the stage moved.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use sift_app::calls::{CallRequest, decode_transcript};
use sift_app::qualify::{QualifyRequest, qualify};
use sift_core::{AnswersFile, Diagnostics, Language};

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiPath};
use crate::http::audit;
use crate::http::leads::visible_lead;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// A transcript sent inline.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TranscriptInput {
    /// The call: plain `Name: text` lines, WebVTT, SRT or a JSON array (as text).
    pub text: String,
    /// The rep's speaker names; default: inferred.
    #[serde(default)]
    pub reps: Vec<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualifyBody {
    /// The answers file as JSON: `framework`, `language`, `lead`, `criteria`, `activities`
    /// (see `sift qualify --help`). Optional with a transcript.
    #[schema(value_type = Option<Object>)]
    pub answers: Option<serde_json::Value>,
    pub transcript: Option<TranscriptInput>,
    /// Judge under this framework instead of the answers' own.
    pub framework: Option<String>,
    /// en or zh, for questions and next steps.
    pub language: Option<String>,
    /// Decide as of this day (`YYYY-MM-DD`); default today.
    pub as_of: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QualifyResult {
    /// The gate's decision: verdict, failed level, reasons, levels with findings, next
    /// questions, nurture plan.
    #[schema(value_type = Object)]
    pub decision: sift_core::Decision,
    #[schema(value_type = Option<Object>)]
    pub lead_type: Option<sift_core::LeadTypeDecision>,
    #[schema(value_type = Option<Object>)]
    pub call: Option<sift_app::calls::CallSummary>,
    /// For a stored lead: the stage move (or why it stays).
    #[schema(value_type = Option<Object>)]
    pub saved: Option<sift_app::qualify::Saved>,
}

/// The answers JSON, read through the same parser as answers files, so the rules and the
/// messages are the same; positions are dropped (they would point into a converted text).
fn answers_from_json(value: serde_json::Value, registry: &sift_core::Registry) -> ApiResult<AnswersFile> {
    let table: toml::Value = toml::Value::try_from(&value).map_err(|e| {
        ApiError::validation(
            "answers",
            format!("cannot read the answers: {e} (leave out keys rather than sending null)"),
        )
    })?;
    let text = toml::to_string(&table).map_err(|e| ApiError::validation("answers", e.to_string()))?;
    AnswersFile::parse("answers", &text, registry).map_err(|d: Diagnostics| {
        let mut e = ApiError::from(sift_app::AppError::Invalid(Diagnostics(
            d.0.into_iter()
                .map(|mut p| {
                    p.location = None;
                    p
                })
                .collect(),
        )));
        e.detail = format!("the answers are invalid: {}", e.detail);
        e
    })
}

async fn run(
    state: &AppState,
    principal: &Principal,
    lead: Option<i64>,
    body: QualifyBody,
) -> ApiResult<QualifyResult> {
    let config = state.config();
    let language = match body.language.as_deref() {
        None => None,
        Some("en") => Some(Language::En),
        Some("zh") => Some(Language::Zh),
        Some(other) => return Err(ApiError::validation("language", format!("`{other}`: use en or zh"))),
    };
    let as_of = match body.as_of.as_deref() {
        None => chrono::Utc::now().date_naive(),
        Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| ApiError::validation("as_of", format!("`{d}` is not a date (YYYY-MM-DD)")))?,
    };
    let answers = body.answers.map(|a| answers_from_json(a, &config.registry)).transpose()?;
    if answers.is_none() && body.transcript.is_none() {
        return Err(ApiError::validation("answers", "send answers, a transcript, or both"));
    }
    let transcript = body.transcript.map(|t| (decode_transcript(t.text.as_bytes()).text, t.reps));
    let call = transcript.as_ref().map(|(text, reps)| CallRequest {
        source: "transcript",
        text,
        reps,
        language,
        as_of,
        lexicons: &config.lexicons,
        meaning: config.meaning(),
        llm: config.llm.as_ref(),
    });
    let key = lead.map(|id| id.to_string());
    let request = QualifyRequest {
        answers,
        call,
        lead: key.as_deref(),
        framework: body.framework.as_deref(),
        language,
        as_of,
        actor: principal.actor(),
    };
    let outcome = qualify(&config, lead.map(|_| state.store()), request).await?;
    Ok(QualifyResult {
        decision: outcome.decision,
        lead_type: outcome.lead_type,
        call: outcome.call,
        saved: outcome.saved,
    })
}

/// Qualifies a lead described in the request; nothing is stored.
#[utoipa::path(post, path = "/api/v1/qualify", tag = "qualification", request_body = QualifyBody,
    responses((status = 200, body = QualifyResult), (status = 422, body = crate::problem::Problem)))]
pub async fn qualify_unsaved(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(body): ApiJson<QualifyBody>,
) -> ApiResult<Json<QualifyResult>> {
    Ok(Json(run(&state, &principal, None, body).await?))
}

/// Qualifies a stored lead: its stored facts win, the answers fill gaps; the decision is
/// saved and the lead moves to the stage the verdict gives (qualified -> SQL, nurture,
/// disqualified) when the lifecycle allows it.
#[utoipa::path(post, path = "/api/v1/leads/{id}/qualify", tag = "qualification", request_body = QualifyBody, params(("id" = i64, Path, description = "lead id")),
    responses((status = 200, body = QualifyResult), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn qualify_lead(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<QualifyBody>,
) -> ApiResult<Json<QualifyResult>> {
    let lead = visible_lead(&state, &principal, id).await?;
    principal.require_lead_write(&lead)?;
    let result = run(&state, &principal, Some(id), body).await?;
    audit(
        &state,
        &principal,
        "lead.qualified",
        &format!("lead:{id}"),
        serde_json::json!({"verdict": result.decision.verdict, "framework": result.decision.framework}),
    )
    .await?;
    Ok(Json(result))
}
