//! Webhook subscriptions (admins): create (the secret is shown once), list, change (pause,
//! resume, event kinds), delete; the delivery log; a manual redeliver; the event outbox.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use sift_app::webhooks::{NewSubscription, WebhookPolicy};
use sift_store::events::{Delivery, EventFilter, Webhook};
use sift_store::{Event, EventKind};

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::audit;
use crate::problem::{ApiError, ApiResult};
use crate::settings::Settings;
use crate::state::AppState;

/// Where webhooks may point, from the settings.
pub fn policy(settings: &Settings) -> WebhookPolicy {
    WebhookPolicy {
        allow_private: settings.webhook_allow_private,
        timeout: std::time::Duration::from_secs(settings.webhook_timeout_seconds),
    }
}

/// A webhook subscription (its secret is never shown again after creation).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    /// The event kinds it receives.
    pub events: Vec<String>,
    pub description: Option<String>,
    pub paused: bool,
    /// Why it is paused: by an admin, or the receiver answered 410 Gone.
    pub paused_reason: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Webhook> for WebhookView {
    fn from(w: Webhook) -> WebhookView {
        WebhookView {
            id: w.id,
            url: w.url,
            events: w.events,
            description: w.description,
            paused: w.paused,
            paused_reason: w.paused_reason,
            created_by: w.created_by,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhookRequest {
    /// http or https; a public address unless the server allows private ones.
    pub url: String,
    /// lead.created, lead.stage_changed, lead.qualified, lead.disqualified,
    /// lead.nurture_due, import.finished, model.trained.
    pub events: Vec<String>,
    pub description: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedWebhook {
    pub webhook: WebhookView,
    /// Shown once: `whsec_...`, the key of the `webhook-signature` HMAC (Standard Webhooks).
    pub secret: String,
}

/// Every webhook.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", responses((status = 200, body = Vec<WebhookView>)))]
pub async fn list(State(state): State<AppState>, principal: Principal) -> ApiResult<Json<Vec<WebhookView>>> {
    principal.require_admin()?;
    Ok(Json(state.store().webhooks().await?.into_iter().map(WebhookView::from).collect()))
}

/// Subscribes a URL to event kinds; the answer holds the signing secret, shown this once.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = NewWebhookRequest,
    responses((status = 201, body = CreatedWebhook), (status = 422, body = crate::problem::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(req): ApiJson<NewWebhookRequest>,
) -> ApiResult<(StatusCode, Json<CreatedWebhook>)> {
    principal.require_admin()?;
    let new = NewSubscription { url: &req.url, events: &req.events, description: req.description.as_deref() };
    let (hook, secret) =
        sift_app::webhooks::create(state.store(), &new, Some(principal.user.id), &policy(state.settings())).await?;
    audit(
        &state,
        &principal,
        "webhook.created",
        &format!("webhook:{}", hook.id),
        serde_json::json!({"url": hook.url, "events": hook.events}),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedWebhook { webhook: WebhookView::from(hook), secret })))
}

/// One webhook.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path, description = "webhook id")),
    responses((status = 200, body = WebhookView), (status = 404, body = crate::problem::Problem)))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<WebhookView>> {
    principal.require_admin()?;
    Ok(Json(WebhookView::from(sift_app::webhooks::webhook(state.store(), id).await?)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookChange {
    /// Pause (events meanwhile are not delivered; redeliver them by hand) or resume.
    pub paused: Option<bool>,
    /// The event kinds it receives from now on.
    pub events: Option<Vec<String>>,
    /// The address it is sent to from now on, checked as on creation; the secret stays.
    pub url: Option<String>,
}

/// Pauses, resumes, or changes the event kinds or the address of a webhook.
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks", request_body = WebhookChange, params(("id" = i64, Path, description = "webhook id")),
    responses((status = 200, body = WebhookView), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<WebhookChange>,
) -> ApiResult<Json<WebhookView>> {
    principal.require_admin()?;
    let webhook_change = sift_app::webhooks::WebhookChange {
        paused: change.paused,
        events: change.events.as_deref(),
        url: change.url.as_deref(),
    };
    let hook =
        sift_app::webhooks::update(state.store(), id, &webhook_change, principal.actor(), &policy(state.settings()))
            .await?;
    audit(
        &state,
        &principal,
        "webhook.updated",
        &format!("webhook:{id}"),
        serde_json::json!({"paused": change.paused, "events": change.events, "url": change.url.as_ref().map(|_| &hook.url)}),
    )
    .await?;
    Ok(Json(WebhookView::from(hook)))
}

/// Deletes a webhook and its delivery log; queued deliveries to it are skipped.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path, description = "webhook id")),
    responses((status = 204), (status = 404, body = crate::problem::Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    principal.require_admin()?;
    sift_app::webhooks::delete(state.store(), id).await?;
    audit(&state, &principal, "webhook.deleted", &format!("webhook:{id}"), serde_json::json!({})).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One delivery attempt.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    pub event_id: i64,
    /// The event's kind, while the event is kept.
    pub event_kind: Option<String>,
    pub job_id: Option<i64>,
    pub attempt: i64,
    pub at: String,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<i64>,
    /// The first kilobyte of its answer.
    pub response: Option<String>,
    pub error: Option<String>,
    pub duration_ms: i64,
    /// delivered, failed or gone.
    pub outcome: String,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> DeliveryView {
        DeliveryView {
            id: d.id,
            event_id: d.event_id,
            event_kind: d.event_kind,
            job_id: d.job_id,
            attempt: d.attempt,
            at: d.at,
            status_code: d.status_code,
            response: d.response,
            error: d.error,
            duration_ms: d.duration_ms,
            outcome: d.outcome,
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only the attempts for this event id.
    pub event: Option<i64>,
    /// Attempts older than this delivery id (paging back).
    pub before: Option<i64>,
    /// 1 to 500 (default 100).
    pub limit: Option<i64>,
}

fn limit(value: Option<i64>, default: i64) -> ApiResult<i64> {
    let limit = value.unwrap_or(default);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::validation("limit", format!("`{limit}` is out of range; use 1 to 500")));
    }
    Ok(limit)
}

/// A webhook's delivery log, newest first.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", params(("id" = i64, Path, description = "webhook id"), DeliveryQuery),
    responses((status = 200, body = Vec<DeliveryView>), (status = 404, body = crate::problem::Problem)))]
pub async fn deliveries(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<DeliveryQuery>,
) -> ApiResult<Json<Vec<DeliveryView>>> {
    principal.require_admin()?;
    let rows =
        sift_app::webhooks::deliveries(state.store(), id, query.event, query.before, limit(query.limit, 100)?).await?;
    Ok(Json(rows.into_iter().map(DeliveryView::from).collect()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeliverRequest {
    /// The event to send again (with its original `webhook-id`).
    pub event_id: i64,
}

/// Sends an event to a webhook again (even a paused one), as a job; 409 while a delivery
/// of it is queued or running.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/redeliver", tag = "webhooks", request_body = RedeliverRequest, params(("id" = i64, Path, description = "webhook id")),
    responses((status = 202, body = crate::http::jobs::JobView), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem)))]
pub async fn redeliver(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RedeliverRequest>,
) -> ApiResult<Response> {
    principal.require_admin()?;
    let job = sift_app::webhooks::redeliver(state.store(), id, req.event_id, Some(principal.user.id)).await?;
    audit(
        &state,
        &principal,
        "webhook.redeliver",
        &format!("webhook:{id}"),
        serde_json::json!({"event_id": req.event_id, "job": job}),
    )
    .await?;
    crate::http::jobs::accepted(&state, job).await
}

/// An event of the outbox.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub id: i64,
    /// The `webhook-id` of its deliveries.
    pub webhook_id: String,
    /// The payload's `type`.
    pub kind: String,
    pub lead_id: Option<i64>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub created_at: String,
    /// When its delivery jobs were made.
    pub dispatched_at: Option<String>,
}

impl From<Event> for EventView {
    fn from(e: Event) -> EventView {
        EventView {
            id: e.id,
            webhook_id: e.public_id,
            kind: e.kind,
            lead_id: e.lead_id,
            data: e.data,
            created_at: e.created_at,
            dispatched_at: e.dispatched_at,
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// An event kind (lead.created...).
    pub kind: Option<String>,
    pub lead_id: Option<i64>,
    /// Events older than this event id (paging back).
    pub before: Option<i64>,
    /// 1 to 500 (default 100).
    pub limit: Option<i64>,
}

/// The event outbox, newest first (admins).
#[utoipa::path(get, path = "/api/v1/events", tag = "webhooks", params(EventQuery),
    responses((status = 200, body = Vec<EventView>), (status = 422, body = crate::problem::Problem)))]
pub async fn events(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<EventQuery>,
) -> ApiResult<Json<Vec<EventView>>> {
    principal.require_admin()?;
    let kind = match query.kind {
        Some(k) => Some(k.parse::<EventKind>().map_err(|e| ApiError::validation("kind", e))?.name().to_owned()),
        None => None,
    };
    let filter = EventFilter { kind, lead_id: query.lead_id, before: query.before, limit: limit(query.limit, 100)? };
    Ok(Json(state.store().list_events(&filter).await?.into_iter().map(EventView::from).collect()))
}
