//! The web app, served at `/` by the same binary as the API: server-rendered pages (maud)
//! over the same use cases in `sift-app`, with the same authorisation rules (`crate::auth`).
//! Page handlers extract, call a use case, and render; they decide nothing.
//!
//! - `session`: sign in (a double-submit token before there is a session), sign out, the
//!   one-time password change, the language switch. Every form post carries the session's
//!   CSRF token in a hidden `csrf_token` field.
//! - `today`, `leads`: the rep's home, the lead list with filters in the URL, one lead.
//! - `board`: the lead board by stage (filters in the URL, bulk assignment), a lead's stage
//!   move.
//! - `imports`: CSV import with a mapping step, run as a job with its progress.
//! - `qualify`: the discovery-call playbook of a lead (`/leads/{id}/qualify`, its preview
//!   fragment, and `/questions/lint` for the rep's own question).
//! - `calls`: call upload and analysis (`/calls`, `/leads/{id}/calls/new`), the
//!   conversation with every finding marked at its quote.
//! - `models`: the scoring models (`/models`): training as a job with its progress, the
//!   report as SVG charts drawn by `charts`, activation.
//! - `account`: one's own account and API tokens (`/account`): create (the secret shown
//!   once), revoke.
//! - `nurture`: the nurtured leads (`/nurture`), due ones first, pulled back early.
//! - `reports`: where the funnel leaks (`/reports`), counted in SQL, filters in the URL.
//! - `settings`: admins' settings (`/settings`): the configuration documents edited as TOML
//!   with every problem at its line, users, webhooks and their delivery log.
//! - `messages`: what the engine says (reasons, next steps, notes, score factors) in the
//!   page's language, from the codes the gate writes beside its text.
//! - `layout`: the page frame; `i18n`: every word in English and Chinese; `assets`: htmx and
//!   our stylesheet, embedded, served under names that change with their content.
//!
//! No inline script or style anywhere: the server's CSP forbids both.

mod account;
mod assets;
mod board;
mod calls;
mod charts;
pub mod i18n;
mod imports;
mod layout;
mod leads;
mod messages;
mod models;
mod nurture;
mod qualify;
mod reports;
mod session;
mod settings;
mod today;

use axum::Router;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::Markup;

use crate::auth::Principal;
use crate::problem::{ApiError, Kind};
use crate::state::AppState;
use i18n::Lang;

pub const SIGN_IN_PATH: &str = "/signin";
const PASSWORD_PATH: &str = "/password";

/// The pages and their assets.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(today::page))
        .route(SIGN_IN_PATH, get(session::sign_in_page).post(session::sign_in))
        .route("/signout", post(session::sign_out))
        .route(PASSWORD_PATH, get(session::password_page).post(session::change_password))
        .route("/language", post(session::set_language))
        .route("/leads", get(leads::list))
        .route("/leads/{id}", get(leads::show))
        .route("/leads/{id}/qualify", get(qualify::page).post(qualify::submit))
        .route("/leads/{id}/qualify/preview", post(qualify::preview_fragment))
        .route("/questions/lint", post(qualify::lint_fragment))
        .route("/calls", get(calls::new_call).post(calls::analyse).layer(upload_limit()))
        .route("/leads/{id}/calls/new", get(calls::new_lead_call))
        // GET too: the language switch on an upload's answer comes back to its address.
        .route("/leads/{id}/calls", get(calls::new_lead_call).post(calls::attach).layer(upload_limit()))
        .route("/leads/{id}/calls/{call}", get(calls::show))
        // Models (issue 10): the stored models, training from the stored outcomes as a job
        // (its progress polled as a fragment), the report as charts, activation.
        .route("/models", get(models::list))
        .route("/models/train", post(models::train))
        .route("/models/jobs/{job}", get(models::job_progress))
        .route("/models/{id}", get(models::show))
        .route("/models/{id}/activate", post(models::activate))
        // Reports (issue 10): the funnel from the stage history (overall, by source, playbook
        // and week), disqualifications by level, verdicts per rep; filters in the URL.
        .route("/reports", get(reports::page))
        // The lead board (columns by stage, bulk assignment) and a lead's stage move.
        .route("/board", get(board::page))
        .route("/board/assign", post(board::assign))
        .route("/leads/{id}/stage", get(board::move_page).post(board::move_stage))
        // Import with a mapping step: upload, check the columns, import as a job.
        .route(
            "/imports/new",
            get(imports::new_page).post(imports::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/imports/uploads/{id}", get(imports::mapping_page).post(imports::mapping_submit))
        .route("/imports/jobs/{job}", get(imports::job_page))
        .route("/imports/jobs/{job}/progress", get(imports::job_progress))
        // Account and API tokens (issue 10): one's own account; tokens created (the secret
        // shown once) and revoked with the API's use cases.
        .route("/account", get(account::page))
        .route("/account/tokens", get(account::back_to_account).post(account::create))
        .route("/account/tokens/{id}/revoke", post(account::revoke))
        // Nurture (issue 10): the nurtured leads by re-engage date, due ones first; a lead
        // pulled back early with the reason the lifecycle asks for.
        .route("/nurture", get(nurture::page))
        // GET too: the language switch on a refused pull-back comes back to its address.
        .route("/nurture/{id}/pull-back", get(nurture::back_to_list).post(nurture::pull_back))
        // Settings (issue 10, admins): configuration documents as TOML, users, webhooks.
        .merge(settings::routes())
        .merge(assets::routes())
        .layer(middleware::from_fn_with_state(state, crate::rate_limit))
}

/// Call uploads may be as large as the analysis takes, with room for the form's fields.
fn upload_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(
        usize::try_from(sift_app::calls::MAX_TRANSCRIPT_BYTES).unwrap_or(usize::MAX) + 64 * 1024,
    )
}

/// The language of a request: the user's setting, else `Accept-Language`, else English.
fn request_lang(parts: &Parts, setting: Option<&str>) -> Lang {
    let accept = parts.headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    Lang::choose(setting, accept)
}

/// A signed-in user on a page. Without a live session the browser is sent to sign in (and
/// back here afterwards); with a one-time password, to set their own first.
pub struct SignedIn {
    pub principal: Principal,
    pub lang: Lang,
    /// The path and query of this page, for the language switch to come back to.
    pub here: String,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<SignedIn, Response> {
        let here = parts
            .extensions
            .get::<OriginalUri>()
            .map_or(&parts.uri, |u| &u.0)
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
        let lang = request_lang(parts, None);
        let principal = match crate::auth::session_principal(parts, state).await {
            Ok(Some(p)) => p,
            Ok(None) => {
                let to = format!("{SIGN_IN_PATH}?next={}", encode_component(&here));
                // htmx follows a redirect inside its request and would swap the sign-in
                // page into a part of this one; it sends the whole window there instead.
                if parts.headers.contains_key("hx-request") {
                    let mut response = StatusCode::UNAUTHORIZED.into_response();
                    if let Ok(v) = HeaderValue::from_str(&to) {
                        response.headers_mut().insert("hx-redirect", v);
                    }
                    response
                        .headers_mut()
                        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
                    return Err(response);
                }
                return Err(Redirect::to(&to).into_response());
            }
            Err(e) => return Err(WebError { error: e, lang }.into_response()),
        };
        if principal.user.must_change_password && !matches!(parts.uri.path(), PASSWORD_PATH | "/signout") {
            return Err(Redirect::to(PASSWORD_PATH).into_response());
        }
        let lang = request_lang(parts, principal.user.language.as_deref());
        Ok(SignedIn { principal, lang, here })
    }
}

/// The language of a page anyone may open (sign in): `?lang=` from the switch, else the
/// browser's.
pub struct AnyoneLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for AnyoneLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<AnyoneLang, Self::Rejection> {
        let chosen = parts
            .uri
            .query()
            .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("lang=")).and_then(Lang::parse));
        Ok(AnyoneLang(chosen.unwrap_or_else(|| request_lang(parts, None))))
    }
}

/// An HTML page answer.
pub fn html(status: StatusCode, page: Markup) -> Response {
    let mut response = (status, page.into_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response
}

/// A failure shown as a page in the user's language (5xx details stay in the log, as for
/// the API).
pub struct WebError {
    pub error: ApiError,
    pub lang: Lang,
}

impl WebError {
    pub fn in_lang(lang: Lang) -> impl Fn(ApiError) -> WebError {
        move |error| WebError { error, lang }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let t = self.lang.text();
        let status = self.error.kind.status();
        let title = if self.error.kind == Kind::NotFound { t.not_found_title } else { t.error_title };
        let page = layout::bare(
            self.lang,
            title,
            maud::html! {
                h1 { (title) }
                (messages::problem(self.lang, &self.error))
                p { a href="/" { (t.back_to_today) } }
            },
        );
        html(status, page)
    }
}

pub type WebResult<T = Response> = Result<T, WebError>;

/// A form that does not parse: 400, shown as a page in the user's language.
pub fn bad_form(lang: Lang) -> impl Fn(axum::extract::rejection::FormRejection) -> WebError {
    move |e| WebError { error: ApiError::new(Kind::BadRequest, e.body_text()), lang }
}

/// A query string that does not parse: 400, as for a form.
pub fn bad_query(lang: Lang) -> impl Fn(axum::extract::rejection::QueryRejection) -> WebError {
    move |e| WebError { error: ApiError::new(Kind::BadRequest, e.body_text()), lang }
}

/// The lead id of a page's path; one that is not a number is a lead that does not exist.
pub fn lead_id(
    lang: Lang,
    id: Result<axum::extract::Path<i64>, axum::extract::rejection::PathRejection>,
) -> WebResult<i64> {
    id.map(|axum::extract::Path(id)| id).map_err(|_| WebError { error: ApiError::not_found("lead with this id"), lang })
}

/// The sign-in form's answer when this address tried too often: a page, with `Retry-After`.
pub fn too_many_sign_ins(request: &axum::extract::Request, wait: u64) -> Response {
    let accept = request.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let lang = Lang::choose(None, accept);
    let detail = match lang {
        Lang::En => format!("Too many sign-in attempts from this address. Try again in {wait} seconds."),
        Lang::Zh => format!("这个地址的登录尝试太多了，请 {wait} 秒后再试。"),
    };
    let mut response = WebError { error: ApiError::new(Kind::RateLimited, detail), lang }.into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait));
    response
}

/// Where to go after signing in: a path on this site only, never another origin.
fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n,
        _ => "/",
    }
}

/// Percent-encodes a query value.
fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A 303 to `to` (after a form post, the browser follows with GET).
fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        for (next, want) in [
            (Some("/leads?stage=mql"), "/leads?stage=mql"),
            (Some("//evil.example/"), "/"),
            (Some("/\\evil.example"), "/"),
            (Some("https://evil.example/"), "/"),
            (Some(""), "/"),
            (None, "/"),
        ] {
            assert_eq!(local_path(next), want, "{next:?}");
        }
    }
}
