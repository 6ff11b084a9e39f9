//! Leads: search and filter, read, create, replace (with If-Match), delete, bulk upsert,
//! move by hand, record activity.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sift_app::leads::{BulkItem, LeadFields};
use sift_core::{ActivityKind, MovePlan, Stage, Verdict};
use sift_store::accounts::Role;
use sift_store::{Cursor, LeadFilter, LeadSort, SortKey, StoredLead};

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::audit;
use crate::problem::{ApiError, ApiResult, Kind};
use crate::state::AppState;

/// A lead as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LeadView {
    pub id: i64,
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
    pub country: Option<String>,
    pub source: Option<String>,
    /// unqualified, mql, pql, cql, sql, opportunity, nurture, disqualified, customer.
    pub stage: String,
    pub crm_status: Option<String>,
    pub converted: Option<bool>,
    pub lead_type_rule: Option<String>,
    /// The latest verdict: qualified, nurture, disqualified, needs_info.
    pub verdict: Option<String>,
    pub owner_id: Option<i64>,
    pub re_engage_on: Option<String>,
    /// The playbook the lead was routed to.
    pub playbook: Option<String>,
    /// The latest stored score (see `POST /api/v1/scores/rescore`), if scored.
    pub score: Option<StoredScoreView>,
    pub custom_fields: BTreeMap<String, String>,
    pub created_at: String,
    pub updated_at: String,
    /// The same value as the `ETag` header: send it back in `If-Match` to change the lead.
    pub etag: String,
}

impl From<&StoredLead> for LeadView {
    fn from(l: &StoredLead) -> LeadView {
        let r = &l.record;
        LeadView {
            id: l.id,
            external_id: r.external_id.clone(),
            first_name: r.first_name.clone(),
            last_name: r.last_name.clone(),
            email: r.email.clone(),
            phone: r.phone.clone(),
            title: r.title.clone(),
            company: r.company.clone(),
            domain: r.domain.clone(),
            industry: r.industry.clone(),
            employees: r.employees,
            annual_revenue: r.annual_revenue,
            country: r.country.clone(),
            source: r.source.clone(),
            stage: r.stage.name().to_owned(),
            crm_status: r.crm_status.clone(),
            converted: r.converted,
            lead_type_rule: r.lead_type_rule.clone(),
            verdict: l.verdict.map(|v| v.name().to_owned()),
            owner_id: l.owner_id,
            re_engage_on: l.re_engage_on.clone(),
            playbook: l.playbook.clone(),
            score: l.score.as_ref().map(|s| StoredScoreView {
                score: s.score,
                probability: s.probability,
                model_version: s.model,
                factors: s.factors.clone(),
                scored_at: s.scored_at.clone(),
            }),
            custom_fields: r.custom_fields.clone(),
            created_at: l.created_at.clone(),
            updated_at: l.updated_at.clone(),
            etag: l.etag(),
        }
    }
}

/// A lead's stored score.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StoredScoreView {
    /// 1 to 99.
    pub score: i64,
    pub probability: f64,
    /// The model version that scored it.
    pub model_version: i64,
    /// The factors that moved it most: `{"positive": [...], "negative": [...]}`.
    #[schema(value_type = Object)]
    pub factors: serde_json::Value,
    pub scored_at: String,
}

/// A lead answer with its `ETag` header.
fn with_etag(status: StatusCode, lead: &StoredLead) -> Response {
    let mut response = (status, Json(LeadView::from(lead))).into_response();
    if let Ok(v) = HeaderValue::from_str(&lead.etag()) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A lifecycle stage.
    pub stage: Option<String>,
    /// The latest verdict.
    pub verdict: Option<String>,
    /// A user id, `me`, or `none` for unassigned leads.
    pub owner: Option<String>,
    /// The lead source (case-insensitive).
    pub source: Option<String>,
    /// A playbook id, or `none` for leads not routed to any.
    pub playbook: Option<String>,
    /// Words that must all appear in the name, email, company or external id.
    pub q: Option<String>,
    /// Nurtured leads due back on or before this day (`YYYY-MM-DD`, or `today`).
    pub re_engage_due: Option<String>,
    /// Leads with a stored score of at least this (1 to 99); unscored leads never match.
    pub score_min: Option<i64>,
    /// Leads with a stored score of at most this (1 to 99).
    pub score_max: Option<i64>,
    /// id, created, updated, company, name or score; prefix `-` for descending (default `id`).
    pub sort: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// Also count every matching lead (costs a second query). With `q`, the count stops at
    /// 1,000 (`total_capped`).
    pub count: Option<bool>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LeadPage {
    pub items: Vec<LeadView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// With `count=true`: every lead matching the filters. With a search `q` the count stops
    /// at 1,000: `total` is then 1,000 and `total_capped` true.
    pub total: Option<i64>,
    /// With `count=true`: whether more leads match than `total` (the count of a search
    /// stopped at 1,000); false when `total` is every matching lead.
    pub total_capped: Option<bool>,
}

#[derive(Serialize, Deserialize)]
struct CursorToken {
    sort: String,
    value: String,
    id: i64,
}

fn parse<T: std::str::FromStr>(field: &str, value: Option<&str>) -> ApiResult<Option<T>>
where
    T::Err: std::fmt::Display,
{
    value.map(|v| v.parse::<T>().map_err(|e| ApiError::validation(field, e.to_string()))).transpose()
}

/// The store's filter for a list query, checked field by field (the web app's lead list
/// reads its URL through this too).
pub(crate) fn filter_from(query: &ListQuery, principal: &Principal) -> ApiResult<LeadFilter> {
    let (sort_name, descending) = match query.sort.as_deref() {
        None => ("id", false),
        Some(s) => match s.strip_prefix('-') {
            Some(rest) => (rest, true),
            None => (s, false),
        },
    };
    let key: SortKey = sort_name.parse().map_err(|e: String| ApiError::validation("sort", e))?;
    let sort_label = query.sort.clone().unwrap_or_else(|| "id".into());
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::validation("limit", format!("`{limit}` is out of range; use 1 to 500")));
    }
    let after = match &query.cursor {
        None => None,
        Some(c) => {
            let token: CursorToken = URL_SAFE_NO_PAD
                .decode(c)
                .ok()
                .and_then(|bytes| serde_json::from_slice(&bytes).ok())
                .ok_or_else(|| ApiError::validation("cursor", "not a cursor this server gave out"))?;
            if token.sort != sort_label {
                return Err(ApiError::validation("cursor", "this cursor belongs to another sort order"));
            }
            Some(Cursor { value: token.value, id: token.id })
        }
    };
    let owner = match query.owner.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some("me") => Some(Some(principal.user.id)),
        Some(id) => Some(Some(
            id.parse::<i64>()
                .map_err(|_| ApiError::validation("owner", format!("`{id}`: give a user id, `me` or `none`")))?,
        )),
    };
    let re_engage_due = match query.re_engage_due.as_deref() {
        None => None,
        Some("today") => Some(chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string()),
        Some(day) => Some(
            chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .map_err(|_| {
                    ApiError::validation("re_engage_due", format!("`{day}` is not a date (YYYY-MM-DD or today)"))
                })?
                .format("%Y-%m-%d")
                .to_string(),
        ),
    };
    for (field, bound) in [("score_min", query.score_min), ("score_max", query.score_max)] {
        if let Some(b) = bound.filter(|b| !(1..=99).contains(b)) {
            return Err(ApiError::validation(field, format!("`{b}` is out of range; scores are 1 to 99")));
        }
    }
    let text = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(str::to_owned);
    if text.as_ref().is_some_and(|t| t.chars().count() > 200) {
        return Err(ApiError::validation("q", "search for at most 200 characters"));
    }
    Ok(LeadFilter {
        stage: parse::<Stage>("stage", query.stage.as_deref())?,
        verdict: parse::<Verdict>("verdict", query.verdict.as_deref())?,
        source: query.source.clone(),
        playbook: query.playbook.as_deref().map(|p| (p != "none").then(|| p.to_owned())),
        owner,
        visible_to: Some(principal.visibility()),
        text,
        re_engage_due,
        score_min: query.score_min,
        score_max: query.score_max,
        sort: LeadSort { key, descending },
        after,
        limit: Some(limit + 1),
        ..LeadFilter::default()
    })
}

/// Searches and filters the leads one may see, in pages.
#[utoipa::path(get, path = "/api/v1/leads", tag = "leads", params(ListQuery), responses((status = 200, body = LeadPage), (status = 422, body = crate::problem::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<LeadPage>> {
    let filter = filter_from(&query, &principal)?;
    let mut leads = state.store().list_leads(&filter).await?;
    let next_cursor = next_page(&query, &filter, &mut leads);
    let total = if query.count == Some(true) {
        Some(state.store().count_leads_up_to(&filter, sift_store::SEARCH_COUNT_CAP).await?)
    } else {
        None
    };
    Ok(Json(LeadPage {
        items: leads.iter().map(LeadView::from).collect(),
        next_cursor,
        total: total.map(|t| t.count),
        total_capped: total.map(|t| t.capped),
    }))
}

/// Cuts `leads` (read with one more than the page size) to the page and returns the cursor
/// of the next page, if there is one.
pub(crate) fn next_page(query: &ListQuery, filter: &LeadFilter, leads: &mut Vec<StoredLead>) -> Option<String> {
    next_page_by(query, filter, leads, |lead| (filter.sort.key.value_of(lead), lead.id))
}

/// [`next_page`] for any list of leads: `position` gives an item's sort value and lead id.
pub(crate) fn next_page_by<T>(
    query: &ListQuery,
    filter: &LeadFilter,
    items: &mut Vec<T>,
    position: impl Fn(&T) -> (String, i64),
) -> Option<String> {
    let limit = filter.limit.unwrap_or(51) - 1;
    if items.len() as i64 <= limit {
        return None;
    }
    items.truncate(limit as usize);
    items.last().map(|last| {
        let (value, id) = position(last);
        let token = CursorToken { sort: query.sort.clone().unwrap_or_else(|| "id".into()), value, id };
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&token).unwrap_or_default())
    })
}

/// A lead one may see, or 404 (a lead one may not see does not exist for them).
pub async fn visible_lead(state: &AppState, principal: &Principal, id: i64) -> ApiResult<StoredLead> {
    let filter = LeadFilter { id: Some(id), visible_to: Some(principal.visibility()), ..LeadFilter::default() };
    state.store().list_leads(&filter).await?.pop().ok_or_else(|| ApiError::not_found("lead with this id"))
}

/// One lead, with its `ETag`.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = i64, Path, description = "lead id")),
    responses((status = 200, body = LeadView, headers(("ETag" = String))), (status = 404, body = crate::problem::Problem)))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let lead = visible_lead(&state, &principal, id).await?;
    Ok(with_etag(StatusCode::OK, &lead))
}

/// A lead's facts and, optionally, its owner.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadInput {
    #[serde(flatten)]
    #[schema(inline, value_type = Object)]
    pub fields: LeadFields,
    /// The owning user (default: the rep creating it). Reps cannot assign leads to others.
    pub owner_id: Option<i64>,
}

/// Who may own a lead a principal writes: reps only themselves; managers anyone in their
/// team; admins anyone who exists.
pub(crate) async fn allowed_owner(
    state: &AppState,
    principal: &Principal,
    owner: Option<i64>,
) -> ApiResult<Option<i64>> {
    let Some(owner) = owner else {
        return Ok(if principal.user.role == Role::Rep { Some(principal.user.id) } else { None });
    };
    let user =
        state.store().user(owner).await?.ok_or_else(|| ApiError::validation("owner_id", format!("no user {owner}")))?;
    match principal.user.role {
        Role::Rep if owner != principal.user.id => Err(ApiError::forbidden("reps cannot assign leads to others")),
        Role::Manager if owner != principal.user.id && (user.team.is_none() || user.team != principal.user.team) => {
            Err(ApiError::forbidden("managers assign leads within their team"))
        }
        _ => Ok(Some(user.id)),
    }
}

/// Creates a lead.
#[utoipa::path(post, path = "/api/v1/leads", tag = "leads", request_body = LeadInput,
    responses((status = 201, body = LeadView), (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(input): ApiJson<serde_json::Value>,
) -> ApiResult<Response> {
    principal.require_write()?;
    let input = lead_input(input)?;
    let owner = allowed_owner(&state, &principal, input.owner_id).await?;
    let lead = sift_app::leads::create(state.store(), input.fields, owner).await?;
    let lead = crate::http::playbooks::route_created(&state, lead).await;
    audit(&state, &principal, "lead.created", &format!("lead:{}", lead.id), serde_json::json!({"owner_id": owner}))
        .await?;
    let mut response = with_etag(StatusCode::CREATED, &lead);
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/leads/{}", lead.id)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// Reads a lead body: `owner_id` beside the fields, unknown members refused with their name
/// (serde cannot refuse unknown fields through `flatten`, so this splits them by hand).
fn lead_input(value: serde_json::Value) -> ApiResult<LeadInput> {
    let serde_json::Value::Object(mut map) = value else {
        return Err(ApiError::validation("body", "send a JSON object with the lead's fields"));
    };
    let owner_id = match map.remove("owner_id") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
        Some(other) => return Err(ApiError::validation("owner_id", format!("`{other}` is not a user id"))),
    };
    let fields: LeadFields = serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| {
        let text = e.to_string();
        let field = text.split('`').nth(1).unwrap_or("body").to_owned();
        ApiError::validation(&field, text)
    })?;
    Ok(LeadInput { fields, owner_id })
}

fn if_match(headers: &HeaderMap) -> ApiResult<String> {
    let value = headers.get(header::IF_MATCH).ok_or_else(|| {
        ApiError::new(
            Kind::PreconditionRequired,
            "send `If-Match` with the ETag of the lead you read, so no change is lost",
        )
    })?;
    value.to_str().map(|s| s.trim().to_owned()).map_err(|_| ApiError::new(Kind::BadRequest, "If-Match is not text"))
}

/// Replaces a lead's facts (and owner) when `If-Match` holds its current ETag; 412 when
/// someone changed it since. The stage does not change here: see `POST .../stage`.
#[utoipa::path(put, path = "/api/v1/leads/{id}", tag = "leads", request_body = LeadInput, params(("id" = i64, Path, description = "lead id"), ("If-Match" = String, Header, description = "the ETag you read")),
    responses((status = 200, body = LeadView), (status = 412, body = crate::problem::Problem), (status = 428, body = crate::problem::Problem)))]
pub async fn replace(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<serde_json::Value>,
) -> ApiResult<Response> {
    let current = visible_lead(&state, &principal, id).await?;
    principal.require_lead_write(&current)?;
    let expected = if_match(&headers)?;
    let input = lead_input(input)?;
    let owner = match input.owner_id {
        Some(o) if Some(o) != current.owner_id => allowed_owner(&state, &principal, Some(o)).await?,
        Some(o) => Some(o),
        None if principal.user.role == Role::Rep => current.owner_id,
        None => None,
    };
    let lead = match sift_app::leads::update(state.store(), id, input.fields, owner, Some(&expected)).await {
        Err(sift_app::AppError::Stale { current, .. }) => {
            return Err(ApiError::new(
                Kind::PreconditionFailed,
                format!(
                    "the lead changed since you read it; its ETag is now {current}: read it again and re-apply your change"
                ),
            ));
        }
        other => other?,
    };
    audit(&state, &principal, "lead.updated", &format!("lead:{id}"), serde_json::json!({"owner_id": lead.owner_id}))
        .await?;
    Ok(with_etag(StatusCode::OK, &lead))
}

/// Deletes a lead with its history, activities and decisions (admins and managers).
#[utoipa::path(delete, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = i64, Path, description = "lead id")),
    responses((status = 204), (status = 404, body = crate::problem::Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    let current = visible_lead(&state, &principal, id).await?;
    principal.require_lead_write(&current)?;
    principal.require_manager()?;
    sift_app::leads::delete(state.store(), id).await?;
    audit(
        &state,
        &principal,
        "lead.deleted",
        &format!("lead:{id}"),
        serde_json::json!({"external_id": current.record.external_id}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkResult {
    pub index: usize,
    /// 201 created, 200 updated or unchanged, 422 invalid, 403 not yours.
    pub status: u16,
    pub result: String,
    pub lead: Option<LeadView>,
    pub errors: Vec<String>,
}

/// Creates or updates up to 1,000 leads by external id; each item gets its own result
/// (207 Multi-Status), and a bad item does not stop the others.
#[utoipa::path(post, path = "/api/v1/leads/bulk", tag = "leads", request_body = Vec<LeadInput>,
    responses((status = 207, body = Vec<BulkResult>), (status = 422, body = crate::problem::Problem)))]
pub async fn bulk(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(items): ApiJson<Vec<serde_json::Value>>,
) -> ApiResult<(StatusCode, Json<Vec<BulkResult>>)> {
    principal.require_write()?;
    if items.is_empty() || items.len() > 1000 {
        return Err(ApiError::validation("body", format!("send 1 to 1,000 leads; got {}", items.len())));
    }
    let mut results = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let input = match lead_input(item) {
            Ok(i) => i,
            Err(e) => {
                results.push(BulkResult {
                    index,
                    status: 422,
                    result: "invalid".into(),
                    lead: None,
                    errors: vec![e.detail],
                });
                continue;
            }
        };
        let owner = match allowed_owner(&state, &principal, input.owner_id).await {
            Ok(o) => o,
            Err(e) => {
                results.push(BulkResult {
                    index,
                    status: e.kind.status().as_u16(),
                    result: "refused".into(),
                    lead: None,
                    errors: vec![e.detail],
                });
                continue;
            }
        };
        // A rep may update only leads they own: check before writing.
        if let Some(key) = input.fields.external_id.as_deref().map(|e| format!("ext:{}", e.trim())) {
            if let Some(existing) = state.store().find_lead_by_key(&key).await? {
                let visible = visible_lead(&state, &principal, existing.id).await.is_ok();
                if !visible || principal.require_lead_write(&existing).is_err() {
                    results.push(BulkResult {
                        index,
                        status: 403,
                        result: "refused".into(),
                        lead: None,
                        errors: vec!["a lead with this external id exists and is not yours to change".into()],
                    });
                    continue;
                }
            }
        }
        let outcome = sift_app::leads::upsert_by_external_id(state.store(), vec![input.fields], owner).await?;
        let (status, result, lead, errors) = match outcome.into_iter().next() {
            Some(BulkItem::Created { lead }) => {
                let lead = crate::http::playbooks::route_created(&state, *lead).await;
                (201, "created", Some(LeadView::from(&lead)), Vec::new())
            }
            Some(BulkItem::Updated { lead }) => (200, "updated", Some(LeadView::from(&*lead)), Vec::new()),
            Some(BulkItem::Unchanged { lead }) => (200, "unchanged", Some(LeadView::from(&*lead)), Vec::new()),
            Some(BulkItem::Invalid { errors }) => (422, "invalid", None, errors),
            None => (500, "lost", None, vec!["no result".into()]),
        };
        results.push(BulkResult { index, status, result: result.into(), lead, errors });
    }
    let written = results.iter().filter(|r| r.status == 200 || r.status == 201).count();
    audit(
        &state,
        &principal,
        "lead.bulk_upsert",
        "leads",
        serde_json::json!({"items": results.len(), "written": written}),
    )
    .await?;
    Ok((StatusCode::MULTI_STATUS, Json(results)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageRequest {
    /// The stage to move to.
    pub to: String,
    /// Why: kept in the lead's history.
    pub reason: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StageResult {
    pub moved: bool,
    pub from: String,
    pub to: String,
    /// What happened, or why the lead stays.
    pub explanation: String,
}

fn stage_result(from: Stage, plan: &MovePlan) -> StageResult {
    StageResult {
        moved: plan.as_move().is_some(),
        from: from.name().to_owned(),
        to: plan.stage().name().to_owned(),
        explanation: plan.describe(),
    }
}

/// Moves a lead by hand, with a reason; the lifecycle's allowed moves apply (409 if not).
#[utoipa::path(post, path = "/api/v1/leads/{id}/stage", tag = "leads", request_body = StageRequest, params(("id" = i64, Path, description = "lead id")),
    responses((status = 200, body = StageResult), (status = 409, body = crate::problem::Problem)))]
pub async fn move_stage(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<StageRequest>,
) -> ApiResult<Json<StageResult>> {
    let lead = visible_lead(&state, &principal, id).await?;
    principal.require_lead_write(&lead)?;
    let to: Stage =
        req.to.parse().map_err(|e: sift_core::lifecycle::StageParseError| ApiError::validation("to", e.to_string()))?;
    if req.reason.trim().is_empty() {
        return Err(ApiError::validation("reason", "say why the lead moves; it is kept in its history"));
    }
    let plan = sift_app::leads::move_stage(state.store(), id, to, &req.reason, principal.actor()).await?;
    if plan.as_move().is_none() && to != lead.record.stage {
        return Err(ApiError::new(Kind::Conflict, plan.describe()));
    }
    audit(
        &state,
        &principal,
        "lead.stage_moved",
        &format!("lead:{id}"),
        serde_json::json!({"to": to, "reason": req.reason}),
    )
    .await?;
    Ok(Json(stage_result(lead.record.stage, &plan)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityRequest {
    /// page_view, email_open, email_click, email_reply, form_submission, call_button,
    /// trial_signup, product_activation, product_usage.
    pub kind: String,
    /// RFC 3339; default now.
    pub at: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActivityResult {
    /// The lead type the lead's activities earn, if a rule fires.
    #[schema(value_type = Option<Object>)]
    pub lead_type: Option<sift_core::LeadTypeDecision>,
    pub stage: StageResult,
}

/// Records what a lead did; the lead-type rules run again and an early lead may move.
#[utoipa::path(post, path = "/api/v1/leads/{id}/activities", tag = "leads", request_body = ActivityRequest, params(("id" = i64, Path, description = "lead id")),
    responses((status = 201, body = ActivityResult), (status = 422, body = crate::problem::Problem)))]
pub async fn record_activity(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ActivityRequest>,
) -> ApiResult<(StatusCode, Json<ActivityResult>)> {
    let lead = visible_lead(&state, &principal, id).await?;
    principal.require_lead_write(&lead)?;
    let kind = ActivityKind::parse(&req.kind).ok_or_else(|| {
        ApiError::validation(
            "kind",
            format!(
                "`{}` is not an activity; one of: {}",
                req.kind,
                ActivityKind::ALL.map(ActivityKind::name).join(", ")
            ),
        )
    })?;
    let at = req
        .at
        .as_deref()
        .map(|t| {
            chrono::DateTime::parse_from_rfc3339(t)
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(|_| ApiError::validation("at", format!("`{t}` is not an RFC 3339 time")))
        })
        .transpose()?;
    if req.detail.as_ref().is_some_and(|d| d.chars().count() > 1000) {
        return Err(ApiError::validation("detail", "at most 1,000 characters"));
    }
    let config = state.config();
    let recorded =
        sift_app::leads::record_activity(&config, state.store(), &id.to_string(), kind, at, req.detail).await?;
    audit(&state, &principal, "lead.activity", &format!("lead:{id}"), serde_json::json!({"kind": kind.name()})).await?;
    Ok((
        StatusCode::CREATED,
        Json(ActivityResult { lead_type: recorded.lead_type, stage: stage_result(lead.record.stage, &recorded.plan) }),
    ))
}
