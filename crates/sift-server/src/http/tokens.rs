//! API tokens: one's own, created (shown once, with an optional expiry), listed and revoked.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sift_app::accounts::TokenExpiry;
use sift_store::accounts::{ApiToken, Scope};

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiPath};
use crate::http::audit;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    /// The token's first characters, to tell tokens apart.
    pub prefix: String,
    /// read, write or admin.
    pub scope: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// When the token stops working (RFC 3339); absent: never.
    pub expires_at: Option<String>,
}

impl From<&ApiToken> for TokenView {
    fn from(t: &ApiToken) -> TokenView {
        TokenView {
            id: t.id,
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            scope: t.scope.name().to_owned(),
            created_at: t.created_at.clone(),
            last_used_at: t.last_used_at.clone(),
            revoked_at: t.revoked_at.clone(),
            expires_at: t.expires_at.clone(),
        }
    }
}

/// One's own tokens (never the secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts", responses((status = 200, body = Vec<TokenView>)))]
pub async fn list(State(state): State<AppState>, principal: Principal) -> ApiResult<Json<Vec<TokenView>>> {
    Ok(Json(
        sift_app::accounts::list_tokens(state.store(), principal.user.id).await?.iter().map(TokenView::from).collect(),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
    /// read, write or admin (admin only for admins).
    pub scope: String,
    /// The token stops working this many days after its creation (1 to 3650).
    pub expires_in_days: Option<i64>,
    /// Or at this time: RFC 3339, or a day `YYYY-MM-DD` (its start, UTC). Neither field:
    /// the token never expires.
    pub expires_at: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub token: TokenView,
    /// Shown once: send it as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// Creates a token for oneself; the secret is in the answer and nowhere else. A request
/// made with an expired token is refused with 401 and the problem type
/// `urn:sift:problem:token-expired`.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = crate::problem::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(req): ApiJson<NewToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    if let crate::auth::Via::Token { .. } = principal.via {
        return Err(ApiError::forbidden("tokens are created from a signed-in session, not with another token"));
    }
    let scope = req.scope.parse::<Scope>().map_err(|e| ApiError::validation("scope", e.to_string()))?;
    let expiry = TokenExpiry::from_fields(req.expires_in_days, req.expires_at.as_deref())?;
    let (token, secret) =
        sift_app::accounts::create_token(state.store(), &principal.user, &req.name, scope, expiry).await?;
    audit(
        &state,
        &principal,
        "token.created",
        &format!("token:{}", token.id),
        serde_json::json!({"name": token.name, "scope": token.scope, "expires_at": token.expires_at}),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token: TokenView::from(&token), secret })))
}

/// Revokes one of one's tokens; it stops working at once.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts", params(("id" = i64, Path, description = "token id")),
    responses((status = 204), (status = 404, body = crate::problem::Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    if !sift_app::accounts::revoke_token(state.store(), principal.user.id, id).await? {
        return Err(ApiError::not_found("live token with this id"));
    }
    audit(&state, &principal, "token.revoked", &format!("token:{id}"), serde_json::json!({})).await?;
    Ok(StatusCode::NO_CONTENT)
}
