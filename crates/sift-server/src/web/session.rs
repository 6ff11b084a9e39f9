//! Signing in and out, the one-time password change, and the language switch: the same
//! use cases as `/api/v1/auth/*`, with forms instead of JSON.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::i18n::Lang;
use super::{AnyoneLang, SIGN_IN_PATH, SignedIn, WebError, WebResult, encode_component, html, layout, local_path};
use crate::auth::{CSRF_FIELD, SIGN_IN_COOKIE, Via, check_form_csrf, cookie_in};
use crate::http::session::session_cookie;
use crate::problem::{ApiError, Kind};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
    changed: Option<String>,
}

/// What the sign-in page shows above the form.
enum Notice {
    None,
    Changed,
    Failed,
    Expired,
}

/// The sign-in form with a fresh double-submit token (also set as a cookie).
fn sign_in_form(
    state: &AppState,
    lang: Lang,
    next: &str,
    username: &str,
    notice: Notice,
    status: StatusCode,
) -> WebResult {
    let t = lang.text();
    let token = sift_app::accounts::random_secret(32).map_err(|e| WebError { error: e.into(), lang })?;
    let secure = if state.settings().secure_cookies { "; Secure" } else { "" };
    let cookie = HeaderValue::from_str(&format!(
        "{SIGN_IN_COOKIE}={token}; Path={SIGN_IN_PATH}; HttpOnly; SameSite=Strict; Max-Age=3600{secure}"
    ))
    .map_err(|e| WebError { error: ApiError::internal(e), lang })?;
    let switch = format!("{SIGN_IN_PATH}?lang={}&next={}", lang.other().code(), encode_component(next));
    let page = layout::bare(
        lang,
        t.sign_in_title,
        html! {
            h1 { (t.sign_in_title) }
            @match notice {
                Notice::None => {},
                Notice::Changed => p.notice role="status" { (t.password_changed) },
                Notice::Failed => p.error role="alert" { (t.sign_in_failed) },
                Notice::Expired => p.error role="alert" { (t.sign_in_expired_form) },
            }
            form.stack method="post" action=(SIGN_IN_PATH) {
                input type="hidden" name=(CSRF_FIELD) value=(token);
                input type="hidden" name="next" value=(next);
                input type="hidden" name="lang" value=(lang.code());
                label for="username" { (t.username) }
                input #username name="username" value=(username) autocomplete="username" required autofocus;
                label for="password" { (t.password) }
                input #password type="password" name="password" autocomplete="current-password" required;
                button.primary type="submit" { (t.sign_in_button) }
            }
            p { a href=(switch) lang=(lang.other().html_lang()) { (t.switch_language) } }
        },
    );
    let mut response = html(status, page);
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(response)
}

pub async fn sign_in_page(
    State(state): State<AppState>,
    AnyoneLang(lang): AnyoneLang,
    Query(query): Query<SignInQuery>,
) -> WebResult {
    let notice = if query.changed.is_some() { Notice::Changed } else { Notice::None };
    sign_in_form(&state, lang, local_path(query.next.as_deref()), "", notice, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct SignInForm {
    username: String,
    password: String,
    csrf_token: String,
    next: Option<String>,
    lang: Option<String>,
}

/// Checks the double-submit token, then the same sign-in as the API; sets the session
/// cookie and goes where the user was headed.
pub async fn sign_in(
    State(state): State<AppState>,
    AnyoneLang(browser_lang): AnyoneLang,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> WebResult {
    let Form(form) = form.map_err(super::bad_form(browser_lang))?;
    let lang = form.lang.as_deref().and_then(Lang::parse).unwrap_or(browser_lang);
    let next = local_path(form.next.as_deref()).to_owned();
    let expected = cookie_in(&headers, SIGN_IN_COOKIE).unwrap_or_default();
    if check_form_csrf(&expected, &form.csrf_token).is_err() {
        return sign_in_form(&state, lang, &next, &form.username, Notice::Expired, StatusCode::FORBIDDEN);
    }
    let ttl = chrono::Duration::hours(state.settings().session_hours);
    let signed = sift_app::accounts::sign_in(state.store(), state.passwords(), &form.username, &form.password, ttl)
        .await
        .map_err(|e| WebError { error: e.into(), lang })?;
    let Some(signed) = signed else {
        return sign_in_form(&state, lang, &next, &form.username, Notice::Failed, StatusCode::UNAUTHORIZED);
    };
    let cookie = session_cookie(&state, &signed.cookie, state.settings().session_hours * 3600)
        .map_err(WebError::in_lang(lang))?;
    let mut response = super::see_other(&next);
    response.headers_mut().append(header::SET_COOKIE, cookie);
    let clear =
        HeaderValue::from_str(&format!("{SIGN_IN_COOKIE}=; Path={SIGN_IN_PATH}; HttpOnly; SameSite=Strict; Max-Age=0"))
            .map_err(|e| WebError { error: ApiError::internal(e), lang })?;
    response.headers_mut().append(header::SET_COOKIE, clear);
    Ok(response)
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf_token: String,
}

/// Ends this session and goes back to the sign-in page.
pub async fn sign_out(
    State(state): State<AppState>,
    who: SignedIn,
    form: Result<Form<CsrfOnly>, FormRejection>,
) -> WebResult {
    let lang = who.lang;
    let Form(form) = form.map_err(super::bad_form(lang))?;
    who.principal.check_form_csrf(&form.csrf_token).map_err(WebError::in_lang(lang))?;
    if let Via::Session { cookie, .. } = &who.principal.via {
        sift_app::accounts::sign_out(state.store(), cookie).await.map_err(|e| WebError { error: e.into(), lang })?;
    }
    let mut response = super::see_other(SIGN_IN_PATH);
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(&state, "", 0).map_err(WebError::in_lang(lang))?);
    Ok(response)
}

fn password_form(who: &SignedIn, problem: Option<(&str, &str)>, status: StatusCode) -> Response {
    let t = who.lang.text();
    let error_for = |field: &str| problem.filter(|(f, _)| *f == field).map(|(_, m)| m.to_owned());
    let other_error = problem.filter(|(f, _)| !matches!(*f, "current_password" | "new_password" | "password"));
    let new_error = error_for("new_password").or_else(|| error_for("password"));
    let field_error = |id: &str, message: Option<String>| -> Markup {
        html! { @if let Some(m) = message { p.error id=(id) { (m) } } }
    };
    let one_time = who.principal.user.must_change_password;
    let title = if one_time { t.password_title } else { t.change_password };
    let page = layout::page(
        who,
        title,
        html! {
            h1 { (title) }
            @if one_time { p { (t.password_intro) } }
            @if let Some((_, m)) = other_error { p.error role="alert" { (m) } }
            form.stack method="post" action="/password" hx-boost="false" {
                input type="hidden" name=(CSRF_FIELD) value=(who.principal.csrf_token());
                label for="current_password" { (t.current_password) }
                input #current_password type="password" name="current_password" autocomplete="current-password" required
                    aria-describedby="current_password_error";
                (field_error("current_password_error", error_for("current_password")))
                label for="new_password" { (t.new_password) }
                input #new_password type="password" name="new_password" autocomplete="new-password" minlength="12" required
                    aria-describedby="new_password_error";
                (field_error("new_password_error", new_error))
                button.primary type="submit" { (t.save_password) }
            }
        },
    );
    html(status, page)
}

pub async fn password_page(who: SignedIn) -> Response {
    password_form(&who, None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf_token: String,
    current_password: String,
    new_password: String,
}

/// Changes one's own password (every session ends), then back to sign in.
pub async fn change_password(
    State(state): State<AppState>,
    who: SignedIn,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> WebResult {
    let lang = who.lang;
    let Form(form) = form.map_err(super::bad_form(lang))?;
    who.principal.check_form_csrf(&form.csrf_token).map_err(WebError::in_lang(lang))?;
    let changed = sift_app::accounts::change_password(
        state.store(),
        state.passwords(),
        &who.principal.user,
        &form.current_password,
        &form.new_password,
    )
    .await;
    if let Err(e) = changed {
        let e = ApiError::from(e);
        if e.kind != Kind::Validation {
            return Err(WebError { error: e, lang });
        }
        let (field, message) =
            e.errors.first().map_or(("", e.detail.as_str()), |f| (f.field.as_str(), f.message.as_str()));
        return Ok(password_form(&who, Some((field, message)), StatusCode::UNPROCESSABLE_ENTITY));
    }
    let target = format!("user:{}", who.principal.user.id);
    crate::http::audit(&state, &who.principal, "user.password_changed", &target, serde_json::json!({}))
        .await
        .map_err(WebError::in_lang(lang))?;
    let mut response = super::see_other(&format!("{SIGN_IN_PATH}?changed=1"));
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(&state, "", 0).map_err(WebError::in_lang(lang))?);
    Ok(response)
}

#[derive(Deserialize)]
pub struct LanguageForm {
    csrf_token: String,
    lang: String,
    next: Option<String>,
}

/// Saves the language as the user's setting and goes back to the page.
pub async fn set_language(
    State(state): State<AppState>,
    who: SignedIn,
    form: Result<Form<LanguageForm>, FormRejection>,
) -> WebResult {
    let lang = who.lang;
    let Form(form) = form.map_err(super::bad_form(lang))?;
    who.principal.check_form_csrf(&form.csrf_token).map_err(WebError::in_lang(lang))?;
    sift_app::accounts::set_language(state.store(), who.principal.user.id, Some(&form.lang))
        .await
        .map_err(|e| WebError { error: e.into(), lang })?;
    let target = format!("user:{}", who.principal.user.id);
    crate::http::audit(
        &state,
        &who.principal,
        "user.language_changed",
        &target,
        serde_json::json!({"language": form.lang}),
    )
    .await
    .map_err(WebError::in_lang(lang))?;
    Ok(super::see_other(local_path(form.next.as_deref())).into_response())
}
