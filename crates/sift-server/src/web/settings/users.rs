//! Users (issue 10): `GET /settings/users` lists every user (name, role, team, language,
//! status, created, last sign-in or "never"); `POST /settings/users` adds one with `sift_app::accounts::add_user` and
//! answers 201 with the one-time password shown once (`hx-history="false"`: htmx keeps no
//! copy; the audit entry has the name and role only); per user, `POST .../role`, `.../disable`
//! and `.../enable` go through `accounts::change_user` (nobody disables themself or drops
//! their own admin role, and no change leaves the server without an enabled admin: a refusal
//! is shown at that user's row, nothing written), `POST .../reset-password` gives a new
//! one-time password (`accounts::reset_password`, their sessions end), shown once. The
//! signed-in admin's own row offers the password page instead. Audited as the API's.

use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use sift_app::accounts::{AddUser, UserChange};
use sift_store::accounts::{Role, User};

use super::{crumbs, day_and_time, require_admin};
use crate::auth::CSRF_FIELD;
use crate::problem::{ApiError, Kind};
use crate::state::AppState;
use crate::web::account::role_name;
use crate::web::i18n::Lang;
use crate::web::layout;
use crate::web::{SignedIn, WebError, WebResult, bad_form, bad_query, html, see_other};

/// Every word of the users page, one static per language.
pub struct UserWords {
    title: &'static str,
    intro: &'static str,
    col_username: &'static str,
    col_name: &'static str,
    col_role: &'static str,
    col_team: &'static str,
    col_language: &'static str,
    col_status: &'static str,
    col_created: &'static str,
    col_last_sign_in: &'static str,
    never_signed_in: &'static str,
    col_actions: &'static str,
    role_of: &'static str,
    change_role: &'static str,
    you: &'static str,
    your_password: &'static str,
    active: &'static str,
    disabled: &'static str,
    must_change: &'static str,
    disable: &'static str,
    enable: &'static str,
    reset_password: &'static str,
    language_default: &'static str,
    add_heading: &'static str,
    username: &'static str,
    username_help: &'static str,
    display_name: &'static str,
    role: &'static str,
    team: &'static str,
    team_help: &'static str,
    language: &'static str,
    add: &'static str,
    created_heading: &'static str,
    reset_heading: &'static str,
    one_time_label: &'static str,
    one_time_hint: &'static str,
    done: &'static str,
    changed_notice: &'static str,
    disabled_notice: &'static str,
    enabled_notice: &'static str,
}

pub static EN: UserWords = UserWords {
    title: "Users",
    intro: "Who may sign in, and what their role lets them do: reps work their own leads, managers their team's, viewers read everything, admins also change the settings.",
    col_username: "User name",
    col_name: "Name",
    col_role: "Role",
    col_team: "Team",
    col_language: "Language",
    col_status: "Status",
    col_created: "Added",
    col_last_sign_in: "Last sign-in",
    never_signed_in: "Never",
    col_actions: "Password and access",
    role_of: "Role of",
    change_role: "Change",
    you: "you",
    your_password: "Change your password",
    active: "Active",
    disabled: "Disabled",
    must_change: "Has not set a password yet",
    disable: "Disable",
    enable: "Enable",
    reset_password: "Reset password",
    language_default: "As the browser asks",
    add_heading: "Add a user",
    username: "User name",
    username_help: "What they sign in with: 1 to 64 letters, digits, . _ - or @.",
    display_name: "Name (optional)",
    role: "Role",
    team: "Team (optional)",
    team_help: "Managers see the leads of their own team.",
    language: "Language",
    add: "Add user",
    created_heading: "User added:",
    reset_heading: "New one-time password for",
    one_time_label: "One-time password",
    one_time_hint: "Pass it on to them yourself, by another channel than their user name if you can. They must replace it when they first sign in. It is shown this once and never again.",
    done: "I have passed it on",
    changed_notice: "Role changed:",
    disabled_notice: "Disabled (their sessions have ended):",
    enabled_notice: "Enabled again:",
};

pub static ZH: UserWords = UserWords {
    title: "用户",
    intro: "谁可以登录，以及各角色能做什么：销售代表处理自己的线索，经理处理团队的线索，只读用户可以查看全部，管理员还能修改设置。",
    col_username: "用户名",
    col_name: "姓名",
    col_role: "角色",
    col_team: "团队",
    col_language: "语言",
    col_status: "状态",
    col_created: "添加时间",
    col_last_sign_in: "最近登录",
    never_signed_in: "从未登录",
    col_actions: "密码与访问",
    role_of: "角色：",
    change_role: "修改",
    you: "你",
    your_password: "修改你的密码",
    active: "正常",
    disabled: "已停用",
    must_change: "尚未设置密码",
    disable: "停用",
    enable: "启用",
    reset_password: "重置密码",
    language_default: "跟随浏览器",
    add_heading: "添加用户",
    username: "用户名",
    username_help: "登录时使用：1 到 64 个字母、数字、. _ - 或 @。",
    display_name: "姓名（选填）",
    role: "角色",
    team: "团队（选填）",
    team_help: "经理可以看到本团队的线索。",
    language: "语言",
    add: "添加用户",
    created_heading: "已添加用户：",
    reset_heading: "新的一次性密码，用户：",
    one_time_label: "一次性密码",
    one_time_hint: "请你亲自转交给对方，最好不要与用户名通过同一渠道发送。对方首次登录时必须更换密码。密码只显示这一次，之后不会再显示。",
    done: "我已转交",
    changed_notice: "角色已修改：",
    disabled_notice: "已停用（其登录会话已结束）：",
    enabled_notice: "已重新启用：",
};

pub fn words(lang: Lang) -> &'static UserWords {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

fn language_name(setting: Option<&str>, w: &UserWords) -> &'static str {
    match setting.and_then(Lang::parse) {
        Some(Lang::En) => "English",
        Some(Lang::Zh) => "中文",
        None => w.language_default,
    }
}

/// What the add form had in it, to show again with its error.
#[derive(Default)]
struct Typed<'a> {
    username: &'a str,
    display_name: &'a str,
    role: Option<Role>,
    team: &'a str,
    language: &'a str,
}

/// What the page shows besides the list.
#[derive(Default)]
struct Shown<'a> {
    /// A one-time password just made: the user, whether they were just added, the password.
    one_time: Option<(&'a User, bool, &'a str)>,
    /// `changed`, `disabled` or `enabled`, and the user.
    notice: Option<(&'static str, &'a User)>,
    /// A refused add: (field, message), and what was typed.
    add_problem: Option<(String, String)>,
    typed: Typed<'a>,
    /// A refused change to one user: their id and the message.
    row_problem: Option<(i64, String)>,
}

fn render(who: &SignedIn, users: &[User], shown: &Shown<'_>) -> Markup {
    let lang = who.lang;
    let w = words(lang);
    let csrf = who.principal.csrf_token();
    let me = who.principal.user.id;
    let add_error = |field: &str| shown.add_problem.as_ref().filter(|(f, _)| f == field).map(|(_, m)| m.clone());
    let other_error =
        shown.add_problem.as_ref().filter(|(f, _)| !matches!(f.as_str(), "username" | "role" | "language" | "team"));
    let described = |help: Option<&str>, field: &str, error_id: &str| {
        let mut ids: Vec<String> = help.map(|h| vec![h.to_owned()]).unwrap_or_default();
        if add_error(field).is_some() {
            ids.push(error_id.to_owned());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    };
    let chosen_role = shown.typed.role.unwrap_or(Role::Rep);
    let body = html! {
        (crumbs(lang, &[("", w.title)]))
        h1 { (w.title) }
        p { (w.intro) }
        @if let Some((user, added, password)) = shown.one_time {
            // hx-history="false": htmx keeps no copy of this page in the browser's storage.
            section.created #one-time aria-labelledby="one-time-heading" hx-history="false" role="status" {
                h2 #one-time-heading {
                    @if added { (w.created_heading) } @else { (w.reset_heading) } " " (user.username)
                }
                label for="one-time-password" { (w.one_time_label) }
                input #one-time-password.secret type="text" readonly value=(password) autocomplete="off"
                    spellcheck="false" aria-describedby="one-time-hint";
                p #one-time-hint { (w.one_time_hint) }
                p { a href="/settings/users" { (w.done) } }
            }
        }
        @if let Some((what, user)) = shown.notice {
            p.notice role="status" {
                (match what { "disabled" => w.disabled_notice, "enabled" => w.enabled_notice, _ => w.changed_notice })
                " " (user.username)
                @if what == "changed" { " → " (role_name(lang, user.role)) }
            }
        }
        @if let Some((id, message)) = &shown.row_problem {
            @if users.iter().all(|u| u.id != *id) { p.error role="alert" { (message) } }
        }
        table #users {
            thead { tr {
                th scope="col" { (w.col_username) } th scope="col" { (w.col_name) } th scope="col" { (w.col_role) }
                th scope="col" { (w.col_team) } th scope="col" { (w.col_language) } th scope="col" { (w.col_status) }
                th scope="col" { (w.col_created) } th scope="col" { (w.col_last_sign_in) } th scope="col" { (w.col_actions) }
            } }
            tbody {
                @for u in users {
                    @let refused = shown.row_problem.as_ref().filter(|(id, _)| *id == u.id).map(|(_, m)| m.as_str());
                    @let error_id = format!("user-{}-error", u.id);
                    tr id={ "user-" (u.id) } data-user=(u.id) {
                        td { (u.username) @if u.id == me { " " span.muted { "(" (w.you) ")" } } }
                        td { (u.display_name.as_deref().unwrap_or("")) }
                        td {
                            @if u.id == me {
                                (role_name(lang, u.role))
                            } @else {
                                @let field = format!("role-{}", u.id);
                                form.row-form method="post" action={ "/settings/users/" (u.id) "/role" } hx-boost="false" {
                                    input type="hidden" name=(CSRF_FIELD) value=(csrf);
                                    label.sr-only for=(field) { (w.role_of) " " (u.username) }
                                    select id=(field) name="role" aria-describedby=[refused.map(|_| error_id.as_str())] {
                                        @for r in Role::ALL { option value=(r.name()) selected[r == u.role] { (role_name(lang, r)) } }
                                    }
                                    button type="submit" aria-label={ (w.change_role) " " (w.role_of) " " (u.username) } { (w.change_role) }
                                }
                            }
                        }
                        td { (u.team.as_deref().unwrap_or("")) }
                        td { (language_name(u.language.as_deref(), w)) }
                        td {
                            @if u.disabled { span.badge.off { (w.disabled) } }
                            @else if u.must_change_password { (w.must_change) }
                            @else { (w.active) }
                        }
                        td { (day_and_time(&u.created_at)) }
                        td.last-sign-in {
                            @if let Some(at) = &u.last_sign_in_at {
                                time datetime=(at) { (day_and_time(at)) }
                            } @else {
                                span.muted { (w.never_signed_in) }
                            }
                        }
                        td {
                            @if u.id == me {
                                a href="/password" { (w.your_password) }
                            } @else {
                                div.row-actions {
                                    form.row-form method="post" action={ "/settings/users/" (u.id) "/reset-password" } hx-boost="false" {
                                        input type="hidden" name=(CSRF_FIELD) value=(csrf);
                                        button type="submit" aria-label={ (w.reset_password) ": " (u.username) } { (w.reset_password) }
                                    }
                                    @let (action, label) = if u.disabled { ("enable", w.enable) } else { ("disable", w.disable) };
                                    form.row-form method="post" action={ "/settings/users/" (u.id) "/" (action) } hx-boost="false" {
                                        input type="hidden" name=(CSRF_FIELD) value=(csrf);
                                        button type="submit" aria-label={ (label) ": " (u.username) } { (label) }
                                    }
                                }
                            }
                            @if let Some(m) = refused { p.error id=(error_id) role="alert" { (m) } }
                        }
                    }
                }
            }
        }
        section aria-labelledby="add-user" {
            h2 #add-user { (w.add_heading) }
            @if let Some((_, m)) = other_error { p.error role="alert" { (m) } }
            form.stack.narrow method="post" action="/settings/users" hx-boost="false" {
                input type="hidden" name=(CSRF_FIELD) value=(csrf);
                label for="add-username" { (w.username) }
                input #add-username name="username" value=(shown.typed.username) maxlength="64" required
                    autocomplete="off" spellcheck="false" autocapitalize="off"
                    aria-invalid=[add_error("username").map(|_| "true")]
                    aria-describedby=[described(Some("add-username-help"), "username", "add-username-error")];
                p #add-username-help.muted { (w.username_help) }
                @if let Some(m) = add_error("username") { p #add-username-error.error { (m) } }
                label for="add-display-name" { (w.display_name) }
                input #add-display-name name="display_name" value=(shown.typed.display_name) maxlength="200" autocomplete="off";
                label for="add-role" { (w.role) }
                select #add-role name="role" aria-describedby=[described(None, "role", "add-role-error")] {
                    @for r in Role::ALL { option value=(r.name()) selected[r == chosen_role] { (role_name(lang, r)) } }
                }
                @if let Some(m) = add_error("role") { p #add-role-error.error { (m) } }
                label for="add-team" { (w.team) }
                input #add-team name="team" value=(shown.typed.team) maxlength="100" autocomplete="off"
                    aria-describedby=[described(Some("add-team-help"), "team", "add-team-error")];
                p #add-team-help.muted { (w.team_help) }
                @if let Some(m) = add_error("team") { p #add-team-error.error { (m) } }
                label for="add-language" { (w.language) }
                select #add-language name="language" aria-describedby=[described(None, "language", "add-language-error")] {
                    option value="" selected[shown.typed.language.is_empty()] { (w.language_default) }
                    option value="en" selected[shown.typed.language == "en"] { "English" }
                    option value="zh" selected[shown.typed.language == "zh"] lang="zh" { "中文" }
                }
                @if let Some(m) = add_error("language") { p #add-language-error.error { (m) } }
                button.primary type="submit" { (w.add) }
            }
        }
    };
    layout::page(who, w.title, body)
}

async fn users_of(state: &AppState, lang: Lang) -> WebResult<Vec<User>> {
    state.store().list_users().await.map_err(|e| WebError { error: ApiError::from(e), lang })
}

#[derive(Deserialize, Default)]
pub struct UsersQuery {
    changed: Option<i64>,
    disabled: Option<i64>,
    enabled: Option<i64>,
}

pub async fn page(
    State(state): State<AppState>,
    who: SignedIn,
    query: Result<Query<UsersQuery>, QueryRejection>,
) -> WebResult {
    require_admin(&who)?;
    let Query(query) = query.map_err(bad_query(who.lang))?;
    let users = users_of(&state, who.lang).await?;
    let find = |id: Option<i64>| id.and_then(|id| users.iter().find(|u| u.id == id));
    let notice = [("changed", query.changed), ("disabled", query.disabled), ("enabled", query.enabled)]
        .into_iter()
        .find_map(|(what, id)| find(id).map(|u| (what, u)));
    let shown = Shown { notice, ..Shown::default() };
    Ok(html(StatusCode::OK, render(&who, &users, &shown)))
}

/// The address of a change or a password reset opened again (the language switch comes back
/// to it, a reload asks to post again): the list, without any password.
pub async fn back_to_list() -> Response {
    see_other("/settings/users")
}

#[derive(Deserialize)]
pub struct AddUserForm {
    csrf_token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    language: String,
}

fn optional(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|v| !v.is_empty())
}

/// The field and message of a refusal, for the form (a taken user name is the name's).
fn field_and_message(e: &ApiError) -> (String, String) {
    if e.kind == Kind::Conflict {
        return ("username".to_owned(), e.detail.clone());
    }
    e.errors.first().map_or_else(|| (String::new(), e.detail.clone()), |f| (f.field.clone(), f.message.clone()))
}

/// Adds a user with the API's use case; the answer shows their one-time password once.
pub async fn add(
    State(state): State<AppState>,
    who: SignedIn,
    form: Result<Form<AddUserForm>, FormRejection>,
) -> WebResult {
    require_admin(&who)?;
    let lang = who.lang;
    let failed = WebError::in_lang(lang);
    let Form(form) = form.map_err(bad_form(lang))?;
    who.principal.check_form_csrf(&form.csrf_token).map_err(&failed)?;
    let role = form.role.parse::<Role>().map_err(|e| ApiError::validation("role", e.to_string()));
    let language = match optional(&form.language) {
        None => Ok(None),
        Some(l @ ("en" | "zh")) => Ok(Some(l)),
        Some(other) => {
            Err(ApiError::validation("language", format!("`{other}` is not a language Sift speaks; use en or zh")))
        }
    };
    let added = match (role, language) {
        (Ok(role), Ok(language)) => {
            let new = AddUser {
                username: form.username.trim(),
                display_name: optional(&form.display_name),
                role,
                team: optional(&form.team),
                language,
                password: None,
            };
            sift_app::accounts::add_user(state.store(), state.passwords(), &new).await.map_err(ApiError::from)
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let (user, one_time) = match added {
        Ok((user, Some(one_time))) => (user, one_time),
        Ok((_, None)) => return Err(failed(ApiError::internal("a user added without a password got none"))),
        Err(e) if matches!(e.kind, Kind::Validation | Kind::Conflict) => {
            let users = users_of(&state, lang).await?;
            let typed = Typed {
                username: &form.username,
                display_name: &form.display_name,
                role: form.role.parse().ok(),
                team: &form.team,
                language: &form.language,
            };
            let status = if e.kind == Kind::Conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            let shown = Shown { add_problem: Some(field_and_message(&e)), typed, ..Shown::default() };
            return Ok(html(status, render(&who, &users, &shown)));
        }
        Err(e) => return Err(failed(e)),
    };
    crate::http::audit(
        &state,
        &who.principal,
        "user.created",
        &format!("user:{}", user.id),
        serde_json::json!({"username": user.username, "role": user.role}),
    )
    .await
    .map_err(&failed)?;
    let users = users_of(&state, lang).await?;
    let shown = Shown { one_time: Some((&user, true, &one_time)), ..Shown::default() };
    Ok(html(StatusCode::CREATED, render(&who, &users, &shown)))
}

fn user_id(lang: Lang, id: Result<Path<i64>, PathRejection>) -> WebResult<i64> {
    id.map(|Path(id)| id).map_err(|_| WebError { error: ApiError::not_found("user with this id"), lang })
}

#[derive(Deserialize)]
pub struct RoleForm {
    csrf_token: String,
    #[serde(default)]
    role: String,
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf_token: String,
}

/// Applies one change to one user; a refusal is shown at their row (422), nothing written.
async fn change(state: &AppState, who: &SignedIn, id: i64, change: UserChange<'_>, notice: &str) -> WebResult {
    let lang = who.lang;
    let failed = WebError::in_lang(lang);
    match sift_app::accounts::change_user(state.store(), &who.principal.user, id, &change).await {
        Ok(user) => {
            crate::http::audit(
                state,
                &who.principal,
                "user.updated",
                &format!("user:{id}"),
                serde_json::json!({"role": user.role, "team": user.team, "disabled": user.disabled}),
            )
            .await
            .map_err(&failed)?;
            Ok(see_other(&format!("/settings/users?{notice}={id}#user-{id}")))
        }
        Err(e) if e.is_invalid_input() && !matches!(e, sift_app::AppError::NotFound { .. }) => {
            let e = ApiError::from(e);
            let (_, message) = field_and_message(&e);
            refuse(state, who, id, message).await
        }
        Err(e) => Err(failed(e.into())),
    }
}

async fn refuse(state: &AppState, who: &SignedIn, id: i64, message: String) -> WebResult {
    let users = users_of(state, who.lang).await?;
    let shown = Shown { row_problem: Some((id, message)), ..Shown::default() };
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, render(who, &users, &shown)))
}

pub async fn change_role(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<RoleForm>, FormRejection>,
) -> WebResult {
    require_admin(&who)?;
    let lang = who.lang;
    let id = user_id(lang, id)?;
    let Form(form) = form.map_err(bad_form(lang))?;
    who.principal.check_form_csrf(&form.csrf_token).map_err(WebError::in_lang(lang))?;
    let role = match form.role.parse::<Role>() {
        Ok(role) => role,
        Err(e) => return refuse(&state, &who, id, e.to_string()).await,
    };
    change(&state, &who, id, UserChange { role: Some(role), ..UserChange::default() }, "changed").await
}

async fn set_disabled(
    state: &AppState,
    who: &SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<CsrfOnly>, FormRejection>,
    disabled: bool,
) -> WebResult {
    require_admin(who)?;
    let lang = who.lang;
    let id = user_id(lang, id)?;
    let Form(form) = form.map_err(bad_form(lang))?;
    who.principal.check_form_csrf(&form.csrf_token).map_err(WebError::in_lang(lang))?;
    let notice = if disabled { "disabled" } else { "enabled" };
    change(state, who, id, UserChange { disabled: Some(disabled), ..UserChange::default() }, notice).await
}

pub async fn disable(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<CsrfOnly>, FormRejection>,
) -> WebResult {
    set_disabled(&state, &who, id, form, true).await
}

pub async fn enable(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<CsrfOnly>, FormRejection>,
) -> WebResult {
    set_disabled(&state, &who, id, form, false).await
}

/// Gives a user a new one-time password (their sessions end), shown once.
pub async fn reset_password(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<CsrfOnly>, FormRejection>,
) -> WebResult {
    require_admin(&who)?;
    let lang = who.lang;
    let failed = WebError::in_lang(lang);
    let id = user_id(lang, id)?;
    let Form(form) = form.map_err(bad_form(lang))?;
    who.principal.check_form_csrf(&form.csrf_token).map_err(&failed)?;
    let one_time =
        sift_app::accounts::reset_password(state.store(), state.passwords(), id).await.map_err(|e| failed(e.into()))?;
    crate::http::audit(&state, &who.principal, "user.password_reset", &format!("user:{id}"), serde_json::json!({}))
        .await
        .map_err(&failed)?;
    let users = users_of(&state, lang).await?;
    let user = users.iter().find(|u| u.id == id).ok_or_else(|| failed(ApiError::not_found("user with this id")))?;
    let shown = Shown { one_time: Some((user, false, &one_time)), ..Shown::default() };
    Ok(html(StatusCode::OK, render(&who, &users, &shown)))
}
