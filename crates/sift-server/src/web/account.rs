//! One's own account (issue 10): `GET /account` shows the signed-in user's name, role and
//! language, a link to change the password, and their API tokens (name, prefix, scope,
//! created, last used, expiry, status). `POST /account/tokens` creates one with the same use
//! case and rules as `POST /api/v1/tokens` (scopes from `sift_app::accounts::token_scopes`
//! for the role; an expiry of 30, 90 (the default), 180 or 365 days, or never): the answer
//! is a page that shows the secret once, marked `hx-history="false"`
//! so htmx never keeps a copy; no later page has it. `POST /account/tokens/{id}/revoke`
//! revokes one of one's own, as `DELETE /api/v1/tokens/{id}`. Every post carries the
//! session's CSRF token; the audit log gets the name and scope, never the secret.
//!
//! The page's words live here in English and Chinese (`AccountWords`).

use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use sift_app::accounts::{TokenExpiry, token_expired};
use sift_store::accounts::{ApiToken, Role, Scope};

use super::i18n::Lang;
use super::layout;
use super::{SignedIn, WebError, WebResult, html};
use crate::auth::CSRF_FIELD;
use crate::problem::{ApiError, Kind};
use crate::state::AppState;

/// Every word of the account page, one static per language.
pub struct AccountWords {
    pub nav: &'static str,
    title: &'static str,
    you: &'static str,
    name: &'static str,
    username: &'static str,
    role: &'static str,
    language: &'static str,
    language_default: &'static str,
    change_password: &'static str,
    tokens: &'static str,
    tokens_intro: &'static str,
    no_tokens: &'static str,
    col_name: &'static str,
    col_prefix: &'static str,
    col_scope: &'static str,
    col_created: &'static str,
    col_last_used: &'static str,
    col_expires: &'static str,
    col_status: &'static str,
    never: &'static str,
    live: &'static str,
    revoked: &'static str,
    expired: &'static str,
    no_expiry: &'static str,
    expires: &'static str,
    expires_help: &'static str,
    days: &'static str,
    revoke: &'static str,
    revoked_notice: &'static str,
    create_heading: &'static str,
    token_name: &'static str,
    token_name_help: &'static str,
    scope: &'static str,
    scope_read: &'static str,
    scope_write: &'static str,
    scope_admin: &'static str,
    create: &'static str,
    created_heading: &'static str,
    copy_hint: &'static str,
    secret_label: &'static str,
    done: &'static str,
    expiry_note: &'static str,
}

pub static EN: AccountWords = AccountWords {
    nav: "Account",
    title: "Your account",
    you: "You",
    name: "Name",
    username: "User name",
    role: "Role",
    language: "Language",
    language_default: "As the browser asks",
    change_password: "Change your password",
    tokens: "API tokens",
    tokens_intro: "A token lets a script use the API as you, never doing more than its scope or your role allows. Send it as Authorization: Bearer <token>.",
    no_tokens: "You have no API tokens.",
    col_name: "Name",
    col_prefix: "Starts with",
    col_scope: "Scope",
    col_created: "Created",
    col_last_used: "Last used",
    col_expires: "Expires",
    col_status: "Status",
    never: "Never",
    live: "Live",
    revoked: "Revoked",
    expired: "Expired",
    no_expiry: "Never",
    expires: "Expires after",
    expires_help: "The token stops working then; a script that uses it gets 401 and needs a new one.",
    days: "days",
    revoke: "Revoke",
    revoked_notice: "The token is revoked; it no longer works.",
    create_heading: "Create a token",
    token_name: "Token name",
    token_name_help: "What the token is for, so you know it again (1 to 100 characters).",
    scope: "Scope",
    scope_read: "read: look only",
    scope_write: "write: change leads",
    scope_admin: "admin: users and settings too",
    create: "Create token",
    created_heading: "Your new token",
    copy_hint: "Copy it now and keep it somewhere safe: it is shown this once and never again.",
    secret_label: "Token",
    done: "I have copied it",
    expiry_note: "A token stops working when it expires (times in UTC); revoke one sooner when it is no longer needed.",
};

pub static ZH: AccountWords = AccountWords {
    nav: "账户",
    title: "我的账户",
    you: "基本信息",
    name: "姓名",
    username: "用户名",
    role: "角色",
    language: "语言",
    language_default: "跟随浏览器",
    change_password: "修改密码",
    tokens: "API 令牌",
    tokens_intro: "脚本可以用令牌以你的身份调用 API，权限不会超过令牌的范围，也不会超过你的角色。请求时带上 Authorization: Bearer <令牌>。",
    no_tokens: "你还没有 API 令牌。",
    col_name: "名称",
    col_prefix: "开头",
    col_scope: "范围",
    col_created: "创建时间",
    col_last_used: "最近使用",
    col_expires: "到期时间",
    col_status: "状态",
    never: "从未",
    live: "有效",
    revoked: "已撤销",
    expired: "已过期",
    no_expiry: "永不过期",
    expires: "有效期",
    expires_help: "到期后令牌失效，使用它的脚本会收到 401，需要换一个新令牌。",
    days: "天",
    revoke: "撤销",
    revoked_notice: "令牌已撤销，不能再使用。",
    create_heading: "创建令牌",
    token_name: "令牌名称",
    token_name_help: "写明令牌的用途，方便以后辨认（1 到 100 个字符）。",
    scope: "范围",
    scope_read: "read：只读",
    scope_write: "write：可修改线索",
    scope_admin: "admin：还可管理用户和设置",
    create: "创建令牌",
    created_heading: "新令牌",
    copy_hint: "请现在复制并妥善保存：它只显示这一次，之后不会再显示。",
    secret_label: "令牌",
    done: "我已复制",
    expiry_note: "令牌到期后自动失效（时间为 UTC）；不再需要时可以提前撤销。",
};

pub fn words(lang: Lang) -> &'static AccountWords {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// A role in the user's language (also the settings' users page).
pub(crate) fn role_name(lang: Lang, role: Role) -> &'static str {
    match (lang, role) {
        (Lang::En, Role::Admin) => "Admin",
        (Lang::En, Role::Manager) => "Manager",
        (Lang::En, Role::Rep) => "Rep",
        (Lang::En, Role::Viewer) => "Viewer",
        (Lang::Zh, Role::Admin) => "管理员",
        (Lang::Zh, Role::Manager) => "经理",
        (Lang::Zh, Role::Rep) => "销售代表",
        (Lang::Zh, Role::Viewer) => "只读用户",
    }
}

fn scope_label(w: &AccountWords, scope: Scope) -> &'static str {
    match scope {
        Scope::Read => w.scope_read,
        Scope::Write => w.scope_write,
        Scope::Admin => w.scope_admin,
    }
}

/// What the page shows besides the account and its tokens.
#[derive(Default)]
struct Shown<'a> {
    /// The secret of the token just created: this answer only.
    secret: Option<&'a str>,
    revoked: bool,
    /// A problem with the create form: (field, message), and what was typed.
    problem: Option<(String, String)>,
    typed_name: &'a str,
    typed_scope: Option<Scope>,
    /// The expiry chosen (`30`, `90`, `180`, `365` or `never`); empty: the default.
    typed_expiry: &'a str,
}

/// The expiries the form offers, in days; `never` is offered after them.
const EXPIRY_DAYS: [i64; 4] = [30, 90, 180, 365];
/// The one chosen unless the user picks another.
const DEFAULT_EXPIRY: &str = "90";

/// The form's expiry as the use case takes it: a number of days, or `never`.
fn form_expiry(value: Option<&str>) -> Result<TokenExpiry, ApiError> {
    match value.map(str::trim).unwrap_or(DEFAULT_EXPIRY) {
        "never" => Ok(TokenExpiry::Never),
        days => days.parse::<i64>().map(TokenExpiry::InDays).map_err(|_| {
            ApiError::validation("expires_in_days", format!("`{days}` is not a number of days, nor `never`"))
        }),
    }
}

fn render(who: &SignedIn, tokens: &[ApiToken], shown: &Shown<'_>) -> Markup {
    let lang = who.lang;
    let w = words(lang);
    let user = &who.principal.user;
    let csrf = who.principal.csrf_token();
    let error_for = |field: &str| shown.problem.as_ref().filter(|(f, _)| f == field).map(|(_, m)| m.clone());
    let other_error =
        shown.problem.as_ref().filter(|(f, _)| !matches!(f.as_str(), "name" | "scope" | "expires_in_days"));
    let now = chrono::Utc::now();
    let chosen_expiry = if shown.typed_expiry.is_empty() { DEFAULT_EXPIRY } else { shown.typed_expiry };
    let scopes = sift_app::accounts::token_scopes(user.role);
    let chosen = shown.typed_scope.unwrap_or(Scope::Read);
    let body = html! {
        h1 { (w.title) }
        @if let Some(secret) = shown.secret {
            // hx-history="false": htmx keeps no copy of this page in the browser's storage.
            section.created #new-token aria-labelledby="new-token-heading" hx-history="false" role="status" {
                h2 #new-token-heading { (w.created_heading) }
                label for="secret" { (w.secret_label) }
                input #secret.secret type="text" readonly value=(secret) autocomplete="off" spellcheck="false"
                    aria-describedby="secret-hint";
                p #secret-hint { (w.copy_hint) }
                p { a href="/account" { (w.done) } }
            }
        }
        @if shown.revoked { p.notice role="status" { (w.revoked_notice) } }
        section aria-labelledby="you" {
            h2 #you { (w.you) }
            table.summary {
                tbody {
                    tr { th scope="row" { (w.name) } td { (user.display_name.as_deref().unwrap_or(&user.username)) } }
                    tr { th scope="row" { (w.username) } td { (user.username) } }
                    tr { th scope="row" { (w.role) } td { (role_name(lang, user.role)) } }
                    tr { th scope="row" { (w.language) } td { (language_name(user.language.as_deref(), w)) } }
                }
            }
            p { a href="/password" { (w.change_password) } }
        }
        section aria-labelledby="tokens" {
            h2 #tokens { (w.tokens) }
            p { (w.tokens_intro) }
            p { (w.expiry_note) }
            @if tokens.is_empty() {
                p.empty { (w.no_tokens) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (w.col_name) } th scope="col" { (w.col_prefix) } th scope="col" { (w.col_scope) }
                        th scope="col" { (w.col_created) } th scope="col" { (w.col_last_used) }
                        th scope="col" { (w.col_expires) } th scope="col" { (w.col_status) }
                    } }
                    tbody {
                        @for t in tokens {
                            tr data-token=(t.id) {
                                td { (t.name) }
                                td { code { (t.prefix) "…" } }
                                td { (t.scope.name()) }
                                td { (day_and_time(&t.created_at)) }
                                td { (t.last_used_at.as_deref().map_or(w.never.to_owned(), day_and_time)) }
                                td { (t.expires_at.as_deref().map_or(w.no_expiry.to_owned(), day_and_time)) }
                                td {
                                    @if t.revoked_at.is_some() {
                                        (w.revoked)
                                    } @else if token_expired(t, now) {
                                        (w.expired)
                                    } @else {
                                        (w.live) " "
                                        form.inline method="post" action={ "/account/tokens/" (t.id) "/revoke" } hx-boost="false" {
                                            input type="hidden" name=(CSRF_FIELD) value=(csrf);
                                            button type="submit" aria-label={ (w.revoke) " " (t.name) } { (w.revoke) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="create-token" {
            h2 #create-token { (w.create_heading) }
            @if let Some((_, m)) = other_error { p.error role="alert" { (m) } }
            form.stack method="post" action="/account/tokens" hx-boost="false" {
                input type="hidden" name=(CSRF_FIELD) value=(csrf);
                label for="token_name" { (w.token_name) }
                input #token_name name="name" value=(shown.typed_name) maxlength="100" required
                    aria-describedby="token_name_help token_name_error";
                p #token_name_help { (w.token_name_help) }
                @if let Some(m) = error_for("name") { p.error #token_name_error { (m) } }
                label for="token_scope" { (w.scope) }
                select #token_scope name="scope" aria-describedby="token_scope_error" {
                    @for s in &scopes {
                        option value=(s.name()) selected[*s == chosen] { (scope_label(w, *s)) }
                    }
                }
                @if let Some(m) = error_for("scope") { p.error #token_scope_error { (m) } }
                label for="token_expiry" { (w.expires) }
                select #token_expiry name="expires_in_days" aria-describedby="token_expiry_help token_expiry_error" {
                    @for days in EXPIRY_DAYS {
                        @let value = days.to_string();
                        option value=(value) selected[value == chosen_expiry] { (days) " " (w.days) }
                    }
                    option value="never" selected[chosen_expiry == "never"] { (w.no_expiry) }
                }
                p #token_expiry_help { (w.expires_help) }
                @if let Some(m) = error_for("expires_in_days") { p.error #token_expiry_error { (m) } }
                button.primary type="submit" { (w.create) }
            }
        }
    };
    layout::page(who, w.title, body)
}

fn language_name(setting: Option<&str>, w: &AccountWords) -> String {
    match setting.and_then(Lang::parse) {
        Some(Lang::En) => "English".to_owned(),
        Some(Lang::Zh) => "中文".to_owned(),
        None => w.language_default.to_owned(),
    }
}

/// `2026-12-04T23:19:43Z` as `2026-12-04 23:19` (UTC).
fn day_and_time(at: &str) -> String {
    at.get(..16).map_or_else(|| at.to_owned(), |s| s.replace('T', " "))
}

async fn tokens_of(state: &AppState, who: &SignedIn) -> WebResult<Vec<ApiToken>> {
    sift_app::accounts::list_tokens(state.store(), who.principal.user.id)
        .await
        .map_err(|e| WebError { error: e.into(), lang: who.lang })
}

#[derive(Deserialize)]
pub struct AccountQuery {
    revoked: Option<String>,
}

pub async fn page(State(state): State<AppState>, who: SignedIn, query: Query<AccountQuery>) -> WebResult {
    let tokens = tokens_of(&state, &who).await?;
    let shown = Shown { revoked: query.revoked.is_some(), ..Shown::default() };
    Ok(html(StatusCode::OK, render(&who, &tokens, &shown)))
}

/// The address a token's creation answered at, opened again (the language switch comes
/// back here, a reload asks to post again): the account page, without the secret.
pub async fn back_to_account() -> Response {
    super::see_other("/account")
}

#[derive(Deserialize)]
pub struct NewTokenForm {
    csrf_token: String,
    name: String,
    scope: String,
    /// Days, or `never`; absent: the default (90 days).
    expires_in_days: Option<String>,
}

/// Creates a token with the API's use case; the answer shows its secret this once.
pub async fn create(
    State(state): State<AppState>,
    who: SignedIn,
    form: Result<Form<NewTokenForm>, FormRejection>,
) -> WebResult {
    let lang = who.lang;
    let Form(form) = form.map_err(super::bad_form(lang))?;
    who.principal.check_form_csrf(&form.csrf_token).map_err(WebError::in_lang(lang))?;
    let scope = form.scope.parse::<Scope>();
    let created = match (&scope, form_expiry(form.expires_in_days.as_deref())) {
        (Ok(scope), Ok(expiry)) => {
            sift_app::accounts::create_token(state.store(), &who.principal.user, &form.name, *scope, expiry)
                .await
                .map_err(ApiError::from)
        }
        (Err(e), _) => Err(ApiError::validation("scope", e.to_string())),
        (_, Err(e)) => Err(e),
    };
    let (token, secret) = match created {
        Ok(created) => created,
        Err(e) if e.kind == Kind::Validation => {
            let problem = e
                .errors
                .first()
                .map_or_else(|| (String::new(), e.detail.clone()), |f| (f.field.clone(), f.message.clone()));
            let tokens = tokens_of(&state, &who).await?;
            let shown = Shown {
                problem: Some(problem),
                typed_name: &form.name,
                typed_scope: scope.ok(),
                typed_expiry: form.expires_in_days.as_deref().unwrap_or(""),
                ..Shown::default()
            };
            return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, render(&who, &tokens, &shown)));
        }
        Err(e) => return Err(WebError { error: e, lang }),
    };
    crate::http::audit(
        &state,
        &who.principal,
        "token.created",
        &format!("token:{}", token.id),
        serde_json::json!({"name": token.name, "scope": token.scope, "expires_at": token.expires_at}),
    )
    .await
    .map_err(WebError::in_lang(lang))?;
    let tokens = tokens_of(&state, &who).await?;
    let shown = Shown { secret: Some(&secret), ..Shown::default() };
    Ok(html(StatusCode::CREATED, render(&who, &tokens, &shown)))
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf_token: String,
}

/// Revokes one of one's own live tokens, as the API does; then back to the account page.
pub async fn revoke(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<CsrfOnly>, FormRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let Path(id) = id.map_err(|e| WebError { error: ApiError::new(Kind::NotFound, e.body_text()), lang })?;
    let Form(form) = form.map_err(super::bad_form(lang))?;
    who.principal.check_form_csrf(&form.csrf_token).map_err(WebError::in_lang(lang))?;
    let revoked = sift_app::accounts::revoke_token(state.store(), who.principal.user.id, id)
        .await
        .map_err(|e| WebError { error: e.into(), lang })?;
    if !revoked {
        return Err(WebError { error: ApiError::not_found("live token with this id"), lang });
    }
    crate::http::audit(&state, &who.principal, "token.revoked", &format!("token:{id}"), serde_json::json!({}))
        .await
        .map_err(WebError::in_lang(lang))?;
    Ok(super::see_other("/account?revoked=1"))
}
