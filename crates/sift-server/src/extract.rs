//! Request extractors whose failures are problem documents: JSON bodies, queries and path
//! parameters that cannot be read name the field and what was wrong.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};

use crate::problem::{ApiError, FieldError, Kind};

/// A JSON body; unknown fields are refused by the request types (`deny_unknown_fields`).
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> ApiError {
        match r {
            JsonRejection::MissingJsonContentType(_) => {
                ApiError::new(Kind::UnsupportedMediaType, "send the body as JSON with `Content-Type: application/json`")
            }
            JsonRejection::JsonDataError(e) => {
                // "Failed to deserialize the JSON body into the target type: field: message"
                let text = e.body_text();
                let message = text.split_once(": ").map_or(text.as_str(), |(_, rest)| rest).to_owned();
                let (field, message) = match message.split_once(": ") {
                    Some((field, rest)) if !field.contains(' ') => (field.to_owned(), rest.to_owned()),
                    _ => ("body".to_owned(), message),
                };
                ApiError {
                    kind: Kind::Validation,
                    detail: format!("{field}: {message}"),
                    errors: vec![FieldError { field, message }],
                    retry_after: None,
                }
            }
            JsonRejection::JsonSyntaxError(e) => {
                let text = e.body_text();
                ApiError::new(Kind::BadRequest, text.split_once(": ").map_or(text.as_str(), |(_, r)| r).to_owned())
            }
            JsonRejection::BytesRejection(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::new(Kind::PayloadTooLarge, "the request body is over the size limit")
            }
            other => ApiError::new(Kind::BadRequest, other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> ApiError {
        let text = r.body_text();
        let message = text.split_once(": ").map_or(text.as_str(), |(_, rest)| rest).to_owned();
        ApiError {
            kind: Kind::Validation,
            detail: message.clone(),
            errors: vec![FieldError { field: "query".into(), message }],
            retry_after: None,
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> ApiError {
        let text = r.body_text();
        let message = text.split_once(": ").map_or(text.as_str(), |(_, rest)| rest).to_owned();
        ApiError::new(Kind::NotFound, format!("no such resource: {message}"))
    }
}
