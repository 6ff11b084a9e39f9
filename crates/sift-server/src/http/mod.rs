//! The API, one module per resource. Handlers extract, call a use case in `sift-app`, and
//! render; the rules of who may do what are in `crate::auth`.

pub mod audit_log;
pub mod calls;
pub mod config;
pub mod docs;
pub mod health;
pub mod imports;
pub mod jobs;
pub mod leads;
pub mod models;
pub mod playbooks;
pub mod qualify;
pub mod session;
pub mod tokens;
pub mod users;
pub mod webhooks;

use axum::Router;
use axum::routing::{get, post};
use sift_store::accounts::NewAudit;

use crate::auth::Principal;
use crate::problem::ApiResult;
use crate::state::AppState;

/// Records a change in the audit log: who, what, on what, from where.
pub async fn audit(
    state: &AppState,
    principal: &Principal,
    action: &str,
    target: &str,
    detail: serde_json::Value,
) -> ApiResult<()> {
    let ip = principal.ip.map(|ip| ip.to_string());
    state
        .store()
        .audit(&NewAudit {
            actor_id: Some(principal.user.id),
            actor: principal.actor(),
            action,
            target,
            detail,
            ip: ip.as_deref(),
        })
        .await?;
    Ok(())
}

/// The `/api/v1` routes.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(session::login))
        .route("/auth/logout", post(session::logout))
        .route("/auth/password", post(session::change_password))
        .route("/me", get(session::me))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", axum::routing::patch(users::update))
        .route("/users/{id}/reset-password", post(users::reset_password))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}", axum::routing::delete(tokens::revoke))
        .route("/leads", get(leads::list).post(leads::create))
        .route("/leads/bulk", post(leads::bulk))
        .route("/leads/{id}", get(leads::get).put(leads::replace).delete(leads::delete))
        .route("/leads/{id}/stage", post(leads::move_stage))
        .route("/leads/{id}/activities", post(leads::record_activity))
        .route("/leads/{id}/qualify", post(qualify::qualify_lead))
        .route("/qualify", post(qualify::qualify_unsaved))
        .route("/leads/{id}/score", get(models::score_lead))
        .route("/jobs", get(jobs::list))
        .route("/jobs/{id}", get(jobs::get))
        .route("/imports/uploads", post(imports::upload).layer(axum::extract::DefaultBodyLimit::disable()))
        .route("/imports/uploads/{id}/preview", post(imports::preview))
        .route("/imports", post(imports::start))
        .route("/imports/{job}/rejects", get(imports::rejects))
        .route("/models", get(models::list))
        .route("/models/train", post(models::train))
        .route("/models/{version}", get(models::get))
        .route("/models/{version}/activate", post(models::activate))
        .route("/scores/rescore", post(models::rescore))
        .route("/webhooks", get(webhooks::list).post(webhooks::create))
        .route("/webhooks/{id}", get(webhooks::get).patch(webhooks::update).delete(webhooks::delete))
        .route("/webhooks/{id}/deliveries", get(webhooks::deliveries))
        .route("/webhooks/{id}/redeliver", post(webhooks::redeliver))
        .route("/events", get(webhooks::events))
        .route("/audit", get(audit_log::list))
        .route("/openapi.json", get(docs::openapi_json))
        .route("/playbooks", get(playbooks::list))
        .route("/leads/{id}/route", post(playbooks::route))
        .merge(config::routes())
}
