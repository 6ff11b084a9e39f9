//! The audit log (admins): every change, who made it, when and from where.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use sift_store::accounts::AuditEntry;

use crate::auth::Principal;
use crate::extract::ApiQuery;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries older than this entry id (for paging back).
    pub before: Option<i64>,
    /// 1 to 500 (default 100).
    pub limit: Option<i64>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AuditView {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub ip: Option<String>,
}

impl From<AuditEntry> for AuditView {
    fn from(e: AuditEntry) -> AuditView {
        AuditView {
            id: e.id,
            at: e.at,
            actor_id: e.actor_id,
            actor: e.actor,
            action: e.action,
            target: e.target,
            detail: e.detail,
            ip: e.ip,
        }
    }
}

/// The newest changes first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "accounts", params(AuditQuery), responses((status = 200, body = Vec<AuditView>)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Vec<AuditView>>> {
    principal.require_admin()?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::validation("limit", format!("`{limit}` is out of range; use 1 to 500")));
    }
    let entries = state.store().list_audit(limit, query.before).await?;
    Ok(Json(entries.into_iter().map(AuditView::from).collect()))
}
