//! One error type for every response that is not a success: `application/problem+json`
//! (RFC 9457) with a stable `type` per kind, so clients branch on the type, never on text.
//! Internal details never leave the server: a 5xx says only that something failed and
//! gives the request's trace id; the detail goes to the log.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sift_app::AppError;

/// The kinds of problem, each with its status and stable type URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The body, query or path could not be read (malformed JSON, wrong type).
    BadRequest,
    /// Well-formed, but a value is invalid (each listed in `errors`).
    Validation,
    Unauthorized,
    /// An API token whose expiry time has come (401, like any refused credential).
    TokenExpired,
    Forbidden,
    /// Signed in with a one-time password: change it first.
    PasswordChangeRequired,
    /// A browser request changing something without the session's CSRF token.
    Csrf,
    NotFound,
    MethodNotAllowed,
    Conflict,
    /// `If-Match` does not match the current `ETag`: someone changed it first.
    PreconditionFailed,
    /// A change to a lead needs `If-Match`, so that no update is lost.
    PreconditionRequired,
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited,
    Internal,
    Unavailable,
}

impl Kind {
    pub const ALL: [Kind; 17] = [
        Kind::BadRequest,
        Kind::Validation,
        Kind::Unauthorized,
        Kind::TokenExpired,
        Kind::Forbidden,
        Kind::PasswordChangeRequired,
        Kind::Csrf,
        Kind::NotFound,
        Kind::MethodNotAllowed,
        Kind::Conflict,
        Kind::PreconditionFailed,
        Kind::PreconditionRequired,
        Kind::PayloadTooLarge,
        Kind::UnsupportedMediaType,
        Kind::RateLimited,
        Kind::Internal,
        Kind::Unavailable,
    ];

    pub fn status(self) -> StatusCode {
        match self {
            Kind::BadRequest => StatusCode::BAD_REQUEST,
            Kind::Validation => StatusCode::UNPROCESSABLE_ENTITY,
            Kind::Unauthorized | Kind::TokenExpired => StatusCode::UNAUTHORIZED,
            Kind::Forbidden | Kind::PasswordChangeRequired | Kind::Csrf => StatusCode::FORBIDDEN,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Kind::Conflict => StatusCode::CONFLICT,
            Kind::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Kind::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Kind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Kind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Kind::BadRequest => "bad-request",
            Kind::Validation => "validation",
            Kind::Unauthorized => "unauthorized",
            Kind::TokenExpired => "token-expired",
            Kind::Forbidden => "forbidden",
            Kind::PasswordChangeRequired => "password-change-required",
            Kind::Csrf => "csrf",
            Kind::NotFound => "not-found",
            Kind::MethodNotAllowed => "method-not-allowed",
            Kind::Conflict => "conflict",
            Kind::PreconditionFailed => "precondition-failed",
            Kind::PreconditionRequired => "precondition-required",
            Kind::PayloadTooLarge => "payload-too-large",
            Kind::UnsupportedMediaType => "unsupported-media-type",
            Kind::RateLimited => "rate-limited",
            Kind::Internal => "internal",
            Kind::Unavailable => "unavailable",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::BadRequest => "The request cannot be read",
            Kind::Validation => "Some values are invalid",
            Kind::Unauthorized => "Sign in or send an API token",
            Kind::TokenExpired => "The API token has expired",
            Kind::Forbidden => "Not allowed",
            Kind::PasswordChangeRequired => "Change your one-time password first",
            Kind::Csrf => "Missing or wrong CSRF token",
            Kind::NotFound => "Not found",
            Kind::MethodNotAllowed => "Method not allowed here",
            Kind::Conflict => "Conflicts with the current state",
            Kind::PreconditionFailed => "Changed since you read it",
            Kind::PreconditionRequired => "Send If-Match with the ETag you read",
            Kind::PayloadTooLarge => "The request body is too large",
            Kind::UnsupportedMediaType => "Unsupported content type",
            Kind::RateLimited => "Too many requests",
            Kind::Internal => "Something failed on the server",
            Kind::Unavailable => "Not available right now",
        }
    }

    /// The stable type URI clients branch on.
    pub fn type_uri(self) -> String {
        format!("urn:sift:problem:{}", self.slug())
    }

    pub fn from_status(status: StatusCode) -> Kind {
        match status.as_u16() {
            401 => Kind::Unauthorized,
            403 => Kind::Forbidden,
            404 => Kind::NotFound,
            405 => Kind::MethodNotAllowed,
            409 => Kind::Conflict,
            412 => Kind::PreconditionFailed,
            413 => Kind::PayloadTooLarge,
            415 => Kind::UnsupportedMediaType,
            422 => Kind::Validation,
            428 => Kind::PreconditionRequired,
            429 => Kind::RateLimited,
            503 => Kind::Unavailable,
            400..=499 => Kind::BadRequest,
            _ => Kind::Internal,
        }
    }
}

/// One located problem in the request (`field` names the JSON member or file position).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The problem document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Stable per kind, e.g. `urn:sift:problem:not-found`.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Seconds to wait, for `rate-limited`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// An error on its way to becoming a problem response.
#[derive(Debug)]
pub struct ApiError {
    pub kind: Kind,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(kind: Kind, detail: impl Into<String>) -> ApiError {
        ApiError { kind, detail: detail.into(), errors: Vec::new(), retry_after: None }
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(Kind::NotFound, format!("no {what} here, or not one you may see"))
    }

    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError::new(Kind::Forbidden, detail)
    }

    pub fn validation(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError {
            kind: Kind::Validation,
            detail: message.clone(),
            errors: vec![FieldError { field: field.to_owned(), message }],
            retry_after: None,
        }
    }

    /// A failure whose cause is logged, never shown.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "request failed");
        ApiError::new(Kind::Internal, "the server could not finish this request; it has been logged")
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_uri: self.kind.type_uri(),
            title: self.kind.title().to_owned(),
            status: self.kind.status().as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
            retry_after: self.retry_after,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (self.kind.status(), body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.kind.status() == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"sift\""));
        }
        response
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        match e {
            AppError::Invalid(problems) => {
                let errors: Vec<FieldError> = problems
                    .iter()
                    .map(|d| FieldError {
                        field: match d.location {
                            Some(l) => format!("{}:{}:{}", d.source, l.line, l.column),
                            None => d.source.clone(),
                        },
                        message: d.message.clone(),
                    })
                    .collect();
                let detail = match errors.as_slice() {
                    [one] => format!("{}: {}", one.field, one.message),
                    many => format!("{} problems; see `errors`", many.len()),
                };
                ApiError { kind: Kind::Validation, detail, errors, retry_after: None }
            }
            AppError::NotFound { .. } => ApiError::new(Kind::NotFound, e.to_string()),
            AppError::Conflict(m) => ApiError::new(Kind::Conflict, m),
            AppError::Unavailable(m) => ApiError::new(Kind::Unavailable, m),
            other if other.is_invalid_input() => ApiError::new(Kind::Validation, other.to_string()),
            other => ApiError::internal(other),
        }
    }
}

impl From<sift_store::StoreError> for ApiError {
    fn from(e: sift_store::StoreError) -> ApiError {
        ApiError::from(AppError::from(e))
    }
}
