//! Signing in and out, one's own password, and who one is.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sift_store::accounts::User;

use crate::auth::{Principal, SESSION_COOKIE, Via};
use crate::extract::ApiJson;
use crate::problem::{ApiError, ApiResult, Kind};
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: Option<String>,
    /// admin, manager, rep or viewer.
    pub role: String,
    pub team: Option<String>,
    pub language: Option<String>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub created_at: String,
    /// When they last signed in with their password (RFC 3339, UTC); absent: never. API
    /// token use is not a sign-in: see each token's `last_used_at`.
    pub last_sign_in_at: Option<String>,
}

impl From<&User> for UserView {
    fn from(u: &User) -> UserView {
        UserView {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role.name().to_owned(),
            team: u.team.clone(),
            language: u.language.clone(),
            must_change_password: u.must_change_password,
            disabled: u.disabled,
            created_at: u.created_at.clone(),
            last_sign_in_at: u.last_sign_in_at.clone(),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SignedIn {
    pub user: UserView,
    /// Send this in `X-CSRF-Token` with every change made through this session.
    pub csrf_token: String,
    pub expires_at: String,
}

pub(crate) fn session_cookie(state: &AppState, value: &str, max_age_seconds: i64) -> ApiResult<HeaderValue> {
    let secure = if state.settings().secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}"
    ))
    .map_err(ApiError::internal)
}

/// Signs in with a user name and password and sets the session cookie (HttpOnly). A user
/// with a one-time password must change it before anything else.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", request_body = SignInRequest,
    responses((status = 200, body = SignedIn), (status = 401, body = crate::problem::Problem), (status = 429, body = crate::problem::Problem)))]
pub async fn login(State(state): State<AppState>, ApiJson(req): ApiJson<SignInRequest>) -> ApiResult<Response> {
    let ttl = chrono::Duration::hours(state.settings().session_hours);
    let signed =
        sift_app::accounts::sign_in(state.store(), state.passwords(), &req.username, &req.password, ttl).await?;
    let Some(signed) = signed else {
        return Err(ApiError::new(Kind::Unauthorized, "the user name or the password is not right"));
    };
    let cookie = session_cookie(&state, &signed.cookie, state.settings().session_hours * 3600)?;
    let body =
        SignedIn { user: UserView::from(&signed.user), csrf_token: signed.csrf_token, expires_at: signed.expires_at };
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, cookie);
    Ok((StatusCode::OK, headers, Json(body)).into_response())
}

/// Ends this session (or, with a token, does nothing but answer).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts", responses((status = 204)))]
pub async fn logout(State(state): State<AppState>, principal: Principal) -> ApiResult<Response> {
    let mut headers = HeaderMap::new();
    if let Via::Session { cookie, .. } = &principal.via {
        sift_app::accounts::sign_out(state.store(), cookie).await?;
        headers.insert(header::SET_COOKIE, session_cookie(&state, "", 0)?);
    }
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// Changes one's own password (at least 12 characters); every session ends, so sign in again.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "accounts", request_body = ChangePassword,
    responses((status = 204), (status = 422, body = crate::problem::Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(req): ApiJson<ChangePassword>,
) -> ApiResult<StatusCode> {
    sift_app::accounts::change_password(
        state.store(),
        state.passwords(),
        &principal.user,
        &req.current_password,
        &req.new_password,
    )
    .await?;
    crate::http::audit(
        &state,
        &principal,
        "user.password_changed",
        &format!("user:{}", principal.user.id),
        serde_json::json!({}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who the credentials belong to.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", responses((status = 200, body = UserView)))]
pub async fn me(principal: Principal) -> Json<UserView> {
    Json(UserView::from(&principal.user))
}
