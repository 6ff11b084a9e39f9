//! The one error type of the use cases. Each variant is a kind a caller can act on: the CLI
//! turns input errors into exit code 2, the server into a 4xx problem with a stable type.

use sift_core::Diagnostics;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input is invalid; every problem is listed with its file, line and column.
    #[error("{0}")]
    Invalid(Diagnostics),
    /// A named thing does not exist.
    #[error("no {what} `{key}`{hint}")]
    NotFound { what: &'static str, key: String, hint: String },
    /// The request is well-formed but asks for something the current state forbids.
    #[error("{0}")]
    Conflict(String),
    /// A change based on a version of a lead that is no longer current.
    #[error("lead {id} changed since it was read; read it again (its ETag is now {current})")]
    Stale { id: i64, current: String },
    /// The request needs something that is not there (a database for a stored lead...).
    #[error("{0}")]
    Unavailable(String),
    /// An upload over the size limit.
    #[error("the upload is over the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error(transparent)]
    Store(#[from] sift_store::StoreError),
    #[error(transparent)]
    Import(#[from] sift_store::import::ImportError),
    /// A scoring error, with what was being read (a file name, `stored leads`).
    #[error("{source_name}: {error}")]
    Score { source_name: String, error: sift_score::ScoreError },
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl AppError {
    /// True when the caller's input is at fault (exit 2, HTTP 4xx).
    pub fn is_invalid_input(&self) -> bool {
        match self {
            AppError::Invalid(_) | AppError::NotFound { .. } | AppError::TooLarge { .. } => true,
            AppError::Score { error, .. } => error.is_invalid_input(),
            AppError::Import(e) => !matches!(
                e,
                sift_store::import::ImportError::Io { .. }
                    | sift_store::import::ImportError::Store(_)
                    | sift_store::import::ImportError::Report { .. }
            ),
            _ => false,
        }
    }

    /// An input error about `source` with no position.
    pub fn invalid(source: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid(Diagnostics(vec![sift_core::Diagnostic {
            source: source.to_owned(),
            location: None,
            message: message.into(),
        }]))
    }

    pub fn score(source_name: &str, error: sift_score::ScoreError) -> AppError {
        AppError::Score { source_name: source_name.to_owned(), error }
    }

    pub(crate) fn lead_not_found(key: &str) -> AppError {
        AppError::NotFound {
            what: "lead",
            key: key.to_owned(),
            hint: " (looked for a database id, an external id and an email)".into(),
        }
    }
}

impl From<Diagnostics> for AppError {
    fn from(d: Diagnostics) -> AppError {
        AppError::Invalid(d)
    }
}
