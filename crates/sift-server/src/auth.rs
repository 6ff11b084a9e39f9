//! Who is asking, and what they may do.
//!
//! A request is authenticated by an API token (`Authorization: Bearer sift_...`) or a browser
//! session cookie. Session requests that change something must carry the session's CSRF
//! token in `X-CSRF-Token` (forms: a `csrf_token` field, checked by the form handlers). The
//! rules of who may see and change what live here, in one place:
//! - admin: everything; manager: their team's leads and unassigned ones; rep: the leads they
//!   own; viewer: reads every lead, changes nothing;
//! - a token never does more than its scope (read < write < admin) nor its user's role.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};
use sift_app::accounts::TokenLookup;
use sift_store::accounts::{Role, Scope, User};
use sift_store::{StoredLead, Visibility};

use crate::problem::{ApiError, ApiResult, Kind};
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "sift_session";
/// The header carrying the CSRF token on session requests that change something.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field carrying it on the web app's form posts.
pub const CSRF_FIELD: &str = "csrf_token";
/// Before there is a session, the sign-in form is protected by a double-submit token: the
/// same random value in this cookie (HttpOnly, SameSite=Strict) and in the form.
pub const SIGN_IN_COOKIE: &str = "sift_sign_in";

/// How the request was authenticated.
#[derive(Debug, Clone)]
pub enum Via {
    Session { cookie: String, csrf_token: String },
    Token { token_id: i64, scope: Scope },
}

/// The authenticated user of a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub via: Via,
    pub ip: Option<IpAddr>,
}

/// The client's address, when the server knows it (not in in-process tests).
pub fn client_ip(parts: &Parts) -> Option<IpAddr> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

/// The value of one cookie.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    cookie_in(&parts.headers, name)
}

/// The value of one cookie among request headers.
pub fn cookie_in(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|line| {
        line.split(';').find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
    })
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Compares two secrets in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks a form's CSRF token against the one expected (the session's, or the sign-in
/// cookie's); a missing or empty token never matches.
pub fn check_form_csrf(expected: &str, sent: &str) -> ApiResult<()> {
    if expected.is_empty() || !same_secret(sent, expected) {
        return Err(ApiError::new(
            Kind::Csrf,
            "this form is out of date or was not sent by Sift's own page; reload it",
        ));
    }
    Ok(())
}

/// The signed-in browser behind a request's session cookie, for the web pages: `None`
/// without a live session. Pages check the one-time password and form tokens themselves
/// (they redirect rather than answer a problem).
pub async fn session_principal(parts: &Parts, state: &AppState) -> ApiResult<Option<Principal>> {
    let Some(cookie_value) = cookie(parts, SESSION_COOKIE) else { return Ok(None) };
    let Some((session, user)) = sift_app::accounts::session_user(state.store(), &cookie_value).await? else {
        return Ok(None);
    };
    Ok(Some(Principal {
        user,
        via: Via::Session { cookie: cookie_value, csrf_token: session.csrf_token },
        ip: client_ip(parts),
    }))
}

/// Routes a user with a one-time password may still use.
const ALLOWED_BEFORE_PASSWORD_CHANGE: [&str; 3] = ["/api/v1/auth/password", "/api/v1/auth/logout", "/api/v1/me"];

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Principal> {
        if let Some(p) = parts.extensions.get::<Principal>() {
            return Ok(p.clone());
        }
        let ip = client_ip(parts);
        let principal = if let Some(secret) = bearer(parts) {
            let (token, user) = match sift_app::accounts::token_user(state.store(), secret).await? {
                TokenLookup::Live(token, user) => (token, user),
                TokenLookup::Expired(token) => {
                    return Err(ApiError::new(
                        Kind::TokenExpired,
                        format!(
                            "the API token `{}…` (`{}`) expired at {}; create a new one on your account page or with POST /api/v1/tokens",
                            token.prefix,
                            token.name,
                            token.expires_at.as_deref().unwrap_or("an unreadable time"),
                        ),
                    ));
                }
                TokenLookup::Unknown => {
                    return Err(ApiError::new(
                        Kind::Unauthorized,
                        "the API token is unknown, revoked or its user disabled",
                    ));
                }
            };
            Principal { user, via: Via::Token { token_id: token.id, scope: token.scope }, ip }
        } else if let Some(cookie_value) = cookie(parts, SESSION_COOKIE) {
            let Some((session, user)) = sift_app::accounts::session_user(state.store(), &cookie_value).await? else {
                return Err(ApiError::new(Kind::Unauthorized, "your session has ended; sign in again"));
            };
            let changes = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            if changes {
                let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
                if !same_secret(sent, &session.csrf_token) {
                    return Err(ApiError::new(
                        Kind::Csrf,
                        "a change made with a browser session needs the session's CSRF token in X-CSRF-Token",
                    ));
                }
            }
            Principal { user, via: Via::Session { cookie: cookie_value, csrf_token: session.csrf_token }, ip }
        } else {
            return Err(ApiError::new(Kind::Unauthorized, "sign in, or send an API token as `Authorization: Bearer`"));
        };
        // Inside the nested `/api/v1` router the URI is cut; the original one is whole.
        let path = parts.extensions.get::<axum::extract::OriginalUri>().map_or(parts.uri.path(), |u| u.0.path());
        if principal.user.must_change_password && !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(&path) {
            return Err(ApiError::new(
                Kind::PasswordChangeRequired,
                "you signed in with a one-time password: set your own at POST /api/v1/auth/password",
            ));
        }
        parts.extensions.insert(principal.clone());
        Ok(principal)
    }
}

impl Principal {
    fn scope(&self) -> Scope {
        match &self.via {
            Via::Session { .. } => Scope::Admin,
            Via::Token { scope, .. } => *scope,
        }
    }

    /// The CSRF token a form posted through this session must carry (empty for tokens,
    /// which no form uses).
    pub fn csrf_token(&self) -> &str {
        match &self.via {
            Via::Session { csrf_token, .. } => csrf_token,
            Via::Token { .. } => "",
        }
    }

    /// A form post made through this session carries the session's CSRF token.
    pub fn check_form_csrf(&self, sent: &str) -> ApiResult<()> {
        check_form_csrf(self.csrf_token(), sent)
    }

    /// Who this is, for history and the audit log.
    pub fn actor(&self) -> &str {
        &self.user.username
    }

    /// Changing leads: reps and up, with a token of scope write or admin.
    pub fn require_write(&self) -> ApiResult<()> {
        if self.user.role == Role::Viewer {
            return Err(ApiError::forbidden("viewers can read but not change anything"));
        }
        if self.scope() < Scope::Write {
            return Err(ApiError::forbidden("this token has the read scope; changes need a write token"));
        }
        Ok(())
    }

    /// Users, settings, webhooks and other people's tokens: admins, with a token of scope admin.
    pub fn require_admin(&self) -> ApiResult<()> {
        if self.user.role != Role::Admin {
            return Err(ApiError::forbidden("only an admin may do this"));
        }
        if self.scope() < Scope::Admin {
            return Err(ApiError::forbidden("this needs a token with the admin scope"));
        }
        Ok(())
    }

    /// Managers and admins (team reports, assigning leads to others).
    pub fn require_manager(&self) -> ApiResult<()> {
        if self.user.role < Role::Manager {
            return Err(ApiError::forbidden("only a manager or an admin may do this"));
        }
        Ok(())
    }

    /// The leads this user may see.
    pub fn visibility(&self) -> Visibility {
        match self.user.role {
            Role::Admin | Role::Viewer => Visibility::Everything,
            Role::Manager => Visibility::Team { user_id: self.user.id, team: self.user.team.clone() },
            Role::Rep => Visibility::OwnedBy(self.user.id),
        }
    }

    /// Whether this user may change `lead` (which they can already see).
    pub fn require_lead_write(&self, lead: &StoredLead) -> ApiResult<()> {
        self.require_write()?;
        if self.user.role == Role::Rep && lead.owner_id != Some(self.user.id) {
            return Err(ApiError::forbidden("reps change only the leads they own"));
        }
        Ok(())
    }
}
