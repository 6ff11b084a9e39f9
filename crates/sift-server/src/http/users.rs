//! Users (admins only): list, add, change role or team, disable, reset a password.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sift_app::accounts::AddUser;
use sift_store::accounts::Role;

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiPath};
use crate::http::audit;
use crate::http::session::UserView;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

fn role(value: &str) -> ApiResult<Role> {
    value.parse::<Role>().map_err(|e| ApiError::validation("role", e.to_string()))
}

/// Every user.
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", responses((status = 200, body = Vec<UserView>)))]
pub async fn list(State(state): State<AppState>, principal: Principal) -> ApiResult<Json<Vec<UserView>>> {
    principal.require_admin()?;
    Ok(Json(state.store().list_users().await?.iter().map(UserView::from).collect()))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    pub username: String,
    pub display_name: Option<String>,
    /// admin, manager, rep or viewer.
    pub role: String,
    pub team: Option<String>,
    /// en or zh.
    pub language: Option<String>,
    /// Leave out to get a one-time password the user must change at first sign-in.
    pub password: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct NewUserResponse {
    pub user: UserView,
    /// Shown once; give it to the user.
    pub one_time_password: Option<String>,
}

fn language(value: Option<&str>) -> ApiResult<Option<&str>> {
    match value {
        None | Some("en" | "zh") => Ok(value),
        Some(other) => {
            Err(ApiError::validation("language", format!("`{other}` is not a language Sift speaks; use en or zh")))
        }
    }
}

/// Adds a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewUserRequest,
    responses((status = 201, body = NewUserResponse), (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(req): ApiJson<NewUserRequest>,
) -> ApiResult<(StatusCode, Json<NewUserResponse>)> {
    principal.require_admin()?;
    let add = AddUser {
        username: req.username.trim(),
        display_name: req.display_name.as_deref(),
        role: role(&req.role)?,
        team: req.team.as_deref(),
        language: language(req.language.as_deref())?,
        password: req.password.as_deref(),
    };
    let (user, one_time_password) = sift_app::accounts::add_user(state.store(), state.passwords(), &add).await?;
    audit(
        &state,
        &principal,
        "user.created",
        &format!("user:{}", user.id),
        serde_json::json!({"username": user.username, "role": user.role}),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(NewUserResponse { user: UserView::from(&user), one_time_password })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    pub role: Option<String>,
    /// An empty string clears the team.
    pub team: Option<String>,
    pub display_name: Option<String>,
    pub language: Option<String>,
    pub disabled: Option<bool>,
}

/// Changes a user's role, team, name, language, or disables them. Nobody disables themself or
/// takes away their own admin role, and no change leaves the server without an enabled admin.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "accounts", request_body = UserChange,
    params(("id" = i64, Path, description = "user id")), responses((status = 200, body = UserView), (status = 404, body = crate::problem::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<UserChange>,
) -> ApiResult<Json<UserView>> {
    principal.require_admin()?;
    let new_role = change.role.as_deref().map(role).transpose()?;
    language(change.language.as_deref())?;
    let user = sift_app::accounts::change_user(
        state.store(),
        &principal.user,
        id,
        &sift_app::accounts::UserChange {
            role: new_role,
            team: change.team.as_deref(),
            display_name: change.display_name.as_deref(),
            language: change.language.as_deref(),
            disabled: change.disabled,
        },
    )
    .await?;
    audit(
        &state,
        &principal,
        "user.updated",
        &format!("user:{id}"),
        serde_json::json!({"role": user.role, "team": user.team, "disabled": user.disabled}),
    )
    .await?;
    Ok(Json(UserView::from(&user)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PasswordReset {
    /// Shown once; the user must change it at first sign-in.
    pub one_time_password: String,
}

/// Gives a user a new one-time password and ends their sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", tag = "accounts",
    params(("id" = i64, Path, description = "user id")), responses((status = 200, body = PasswordReset), (status = 404, body = crate::problem::Problem)))]
pub async fn reset_password(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PasswordReset>> {
    principal.require_admin()?;
    let one_time_password = sift_app::accounts::reset_password(state.store(), state.passwords(), id).await?;
    audit(&state, &principal, "user.password_reset", &format!("user:{id}"), serde_json::json!({})).await?;
    Ok(Json(PasswordReset { one_time_password }))
}
