//! The configuration (admins): the ICP, the lead-type rules, the playbooks, user frameworks and
//! user lexicons, as the TOML texts people write. A change is checked first (every problem
//! answered as `422` with `field` = `line:column`), then saved with a new version, audited,
//! and the live configuration swapped, so the next request decides with it. Other server
//! processes see the change within [`WATCH_EVERY`].

use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sift_app::config_docs::{self, Change, DocumentRef, DocumentSummary};
use sift_core::Diagnostics;
use sift_store::{ConfigDocument, DocumentKind};

use crate::auth::Principal;
use crate::extract::ApiPath;
use crate::http::audit;
use crate::problem::{ApiError, ApiResult, FieldError, Kind};
use crate::state::AppState;

/// How often a server process looks for configuration changed by another process.
pub const WATCH_EVERY: Duration = Duration::from_secs(5);

/// The configuration documents there is one of.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SingleDocument {
    Icp,
    Rules,
    Playbooks,
}

/// The configuration documents there are several of, by name.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Collection {
    Frameworks,
    Lexicons,
}

impl SingleDocument {
    fn document(self) -> DocumentRef<'static> {
        DocumentRef::single(match self {
            SingleDocument::Icp => DocumentKind::Icp,
            SingleDocument::Rules => DocumentKind::Rules,
            SingleDocument::Playbooks => DocumentKind::Playbooks,
        })
    }
}

impl Collection {
    fn document(self, name: &str) -> DocumentRef<'_> {
        let kind = match self {
            Collection::Frameworks => DocumentKind::Framework,
            Collection::Lexicons => DocumentKind::Lexicon,
        };
        DocumentRef::named(kind, name)
    }
}

/// A stored document: its TOML text and version (also the `ETag`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    /// icp, rules, playbooks, framework or lexicon.
    pub kind: String,
    pub name: String,
    /// Counts up with every change; send it back in `If-Match` to change only this version.
    pub version: i64,
    /// The TOML text.
    pub text: String,
    pub changed_by: String,
    pub changed_at: String,
}

impl From<ConfigDocument> for DocumentView {
    fn from(d: ConfigDocument) -> DocumentView {
        DocumentView {
            kind: d.kind.name().to_owned(),
            name: d.name,
            version: d.version,
            text: d.text,
            changed_by: d.changed_by,
            changed_at: d.changed_at,
        }
    }
}

/// A stored document without its text.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentListed {
    pub kind: String,
    pub name: String,
    pub version: i64,
    pub changed_by: String,
    pub changed_at: String,
}

impl From<DocumentSummary> for DocumentListed {
    fn from(d: DocumentSummary) -> DocumentListed {
        DocumentListed {
            kind: d.kind.name().to_owned(),
            name: d.name,
            version: d.version,
            changed_by: d.changed_by,
            changed_at: d.changed_at,
        }
    }
}

/// A saved document and the warnings found in it (closed questions, unused profiles...).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Saved {
    pub document: DocumentView,
    pub warnings: Vec<FieldError>,
}

/// The TOML text as JSON.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentText {
    pub text: String,
}

/// `field` = `line:column` for each located problem.
fn located(problems: &Diagnostics) -> Vec<FieldError> {
    problems
        .iter()
        .map(|d| FieldError {
            field: match d.location {
                Some(l) => format!("{}:{}", l.line, l.column),
                None => d.source.clone(),
            },
            message: d.message.trim_start_matches("warning: ").to_owned(),
        })
        .collect()
}

fn to_api(document: DocumentRef<'_>, error: sift_app::AppError) -> ApiError {
    match error {
        sift_app::AppError::Invalid(problems) => {
            let errors = located(&problems);
            let detail = match errors.as_slice() {
                [one] => format!("{}: {}: {}", document.source(), one.field, one.message),
                many => {
                    format!("{} has {} problems; see `errors` (field = line:column)", document.source(), many.len())
                }
            };
            ApiError { kind: Kind::Validation, detail, errors, retry_after: None }
        }
        other => ApiError::from(other),
    }
}

/// The document's text from a `text/plain` (or TOML) body, or JSON `{ "text": ... }`.
fn body_text(headers: &HeaderMap, body: &Bytes) -> ApiResult<String> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => {
            let parsed: DocumentText = serde_json::from_slice(body)
                .map_err(|e| ApiError::validation("text", format!("send {{\"text\": \"...the TOML...\"}}: {e}")))?;
            Ok(parsed.text)
        }
        "text/plain" | "application/toml" | "text/x-toml" => String::from_utf8(body.to_vec()).map_err(|e| {
            ApiError::validation(
                "text",
                format!("the body is not UTF-8 (first bad byte at {})", e.utf8_error().valid_up_to()),
            )
        }),
        _ => Err(ApiError::new(
            Kind::UnsupportedMediaType,
            "send the TOML as `Content-Type: text/plain` (curl: -H 'Content-Type: text/plain' --data-binary @file.toml) \
             or as JSON {\"text\": \"...\"}",
        )),
    }
}

/// The version `If-Match` asks for: `"3"` (or `3`); `*` or none: any.
fn expected_version(headers: &HeaderMap) -> ApiResult<Option<i64>> {
    let Some(value) = headers.get(header::IF_MATCH) else { return Ok(None) };
    let text = value.to_str().map_err(|_| ApiError::new(Kind::BadRequest, "If-Match is not text"))?.trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i64>()
        .map(Some)
        .map_err(|_| ApiError::validation("If-Match", format!("`{text}` is not a version this server gave out")))
}

fn etag(version: i64) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!("\"{version}\"")).ok()
}

fn stale(document: DocumentRef<'_>, current: i64) -> ApiError {
    let now = if current == 0 { "it no longer exists".to_owned() } else { format!("it is now version {current}") };
    ApiError::new(
        Kind::PreconditionFailed,
        format!("{} changed since you read it ({now}): read it again and re-apply your change", document.source()),
    )
}

async fn get_document(state: &AppState, principal: &Principal, document: DocumentRef<'_>) -> ApiResult<Response> {
    principal.require_admin()?;
    let stored = config_docs::get(state.store(), document).await.map_err(|e| to_api(document, e))?;
    let tag = etag(stored.version);
    let mut response = Json(DocumentView::from(stored)).into_response();
    if let Some(tag) = tag {
        response.headers_mut().insert(header::ETAG, tag);
    }
    Ok(response)
}

async fn put_document(
    state: &AppState,
    principal: &Principal,
    document: DocumentRef<'_>,
    headers: &HeaderMap,
    body: &Bytes,
) -> ApiResult<Response> {
    principal.require_admin()?;
    let text = body_text(headers, body)?;
    let expected = expected_version(headers)?;
    let change = config_docs::save(state.store(), document, &text, expected, principal.actor())
        .await
        .map_err(|e| to_api(document, e))?;
    let (saved, warnings) = match apply(state, principal, document, change).await? {
        Applied::Saved { document, warnings } => (document, warnings),
        Applied::Stale { current } => return Err(stale(document, current)),
        Applied::Deleted { .. } => return Err(ApiError::internal("a save came back as a deletion")),
    };
    let tag = etag(saved.version);
    let mut response =
        Json(Saved { document: DocumentView::from(saved), warnings: located(&warnings) }).into_response();
    if let Some(tag) = tag {
        response.headers_mut().insert(header::ETAG, tag);
    }
    Ok(response)
}

/// What a checked save or deletion came to, once applied.
pub(crate) enum Applied {
    Saved {
        document: ConfigDocument,
        warnings: Diagnostics,
    },
    /// Deleted: the deletion is this version in the document's history.
    Deleted {
        version: i64,
    },
    /// Someone else changed the document since it was read; nothing was written.
    Stale {
        current: i64,
    },
}

/// After `config_docs::save` or `delete` (the API's handlers and the settings pages alike):
/// this process starts deciding with the new configuration, and the change is audited
/// (`config.saved`, `config.deleted`) with its version and size, never its text.
pub(crate) async fn apply(
    state: &AppState,
    principal: &Principal,
    document: DocumentRef<'_>,
    change: Change,
) -> ApiResult<Applied> {
    let target = format!("config:{}", document.source());
    match change {
        Change::Saved { document: saved, warnings, config } => {
            state.set_config(*config);
            let detail = serde_json::json!({"version": saved.version, "bytes": saved.text.len()});
            audit(state, principal, "config.saved", &target, detail).await?;
            Ok(Applied::Saved { document: saved, warnings })
        }
        Change::Deleted { version, config } => {
            state.set_config(*config);
            audit(state, principal, "config.deleted", &target, serde_json::json!({"version": version})).await?;
            Ok(Applied::Deleted { version })
        }
        Change::Stale { current } => Ok(Applied::Stale { current }),
    }
}

async fn delete_document(
    state: &AppState,
    principal: &Principal,
    document: DocumentRef<'_>,
    headers: &HeaderMap,
) -> ApiResult<StatusCode> {
    principal.require_admin()?;
    let expected = expected_version(headers)?;
    let change = config_docs::delete(state.store(), document, expected, principal.actor())
        .await
        .map_err(|e| to_api(document, e))?;
    match apply(state, principal, document, change).await? {
        Applied::Deleted { .. } => {}
        Applied::Stale { current } => return Err(stale(document, current)),
        Applied::Saved { .. } => return Err(ApiError::internal("a deletion came back as a save")),
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Every stored configuration document, without its text.
#[utoipa::path(get, path = "/api/v1/config", tag = "configuration",
    responses((status = 200, body = Vec<DocumentListed>), (status = 403, body = crate::problem::Problem)))]
pub async fn list(State(state): State<AppState>, principal: Principal) -> ApiResult<Json<Vec<DocumentListed>>> {
    principal.require_admin()?;
    Ok(Json(config_docs::list(state.store()).await?.into_iter().map(DocumentListed::from).collect()))
}

/// The stored ICP, lead-type rules or playbooks: the TOML text and its version (`ETag`).
#[utoipa::path(get, path = "/api/v1/config/{document}", tag = "configuration",
    params(("document" = SingleDocument, Path, description = "icp, rules or playbooks")),
    responses((status = 200, body = DocumentView, headers(("ETag" = String))), (status = 404, body = crate::problem::Problem)))]
pub async fn get_single(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(document): ApiPath<SingleDocument>,
) -> ApiResult<Response> {
    get_document(&state, &principal, document.document()).await
}

/// Replaces the ICP, the lead-type rules or the playbooks. The text is checked first: every
/// problem comes back at once (`422`, each with `field` = `line:column`) and nothing changes;
/// a valid text is saved as a new version and decides the next request. `If-Match` with the
/// version read makes the save fail (`412`) if someone changed it since.
#[utoipa::path(put, path = "/api/v1/config/{document}", tag = "configuration",
    params(("document" = SingleDocument, Path, description = "icp, rules or playbooks"),
        ("If-Match" = Option<String>, Header, description = "the version you read, e.g. \"3\"")),
    request_body(description = "the TOML text", content((String = "text/plain"), (DocumentText = "application/json"))),
    responses((status = 200, body = Saved), (status = 409, body = crate::problem::Problem), (status = 412, body = crate::problem::Problem),
        (status = 415, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn put_single(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(document): ApiPath<SingleDocument>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    put_document(&state, &principal, document.document(), &headers, &body).await
}

/// Removes the ICP (organization fit is then not checked), the lead-type rules (the built-in
/// ones apply) or the playbooks (leads are no longer routed).
#[utoipa::path(delete, path = "/api/v1/config/{document}", tag = "configuration",
    params(("document" = SingleDocument, Path, description = "icp, rules or playbooks"),
        ("If-Match" = Option<String>, Header, description = "the version you read")),
    responses((status = 204), (status = 404, body = crate::problem::Problem), (status = 412, body = crate::problem::Problem)))]
pub async fn delete_single(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(document): ApiPath<SingleDocument>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    delete_document(&state, &principal, document.document(), &headers).await
}

/// A stored user framework (by id) or lexicon extension (by name).
#[utoipa::path(get, path = "/api/v1/config/{collection}/{name}", tag = "configuration",
    params(("collection" = Collection, Path, description = "frameworks or lexicons"), ("name" = String, Path, description = "the framework id or lexicon name")),
    responses((status = 200, body = DocumentView, headers(("ETag" = String))), (status = 404, body = crate::problem::Problem)))]
pub async fn get_named(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((collection, name)): ApiPath<(Collection, String)>,
) -> ApiResult<Response> {
    get_document(&state, &principal, collection.document(&name)).await
}

/// Adds or replaces a user framework (its `id` must be the name in the path; built-in ids
/// are taken) or a lexicon extension (a name starting `zh-` marks a Chinese one; each
/// entry's own examples must hold). Checked like the other documents.
#[utoipa::path(put, path = "/api/v1/config/{collection}/{name}", tag = "configuration",
    params(("collection" = Collection, Path, description = "frameworks or lexicons"), ("name" = String, Path, description = "the framework id or lexicon name"),
        ("If-Match" = Option<String>, Header, description = "the version you read")),
    request_body(description = "the TOML text", content((String = "text/plain"), (DocumentText = "application/json"))),
    responses((status = 200, body = Saved), (status = 409, body = crate::problem::Problem), (status = 412, body = crate::problem::Problem),
        (status = 415, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn put_named(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((collection, name)): ApiPath<(Collection, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    put_document(&state, &principal, collection.document(&name), &headers, &body).await
}

/// Removes a user framework (refused with `409` while a playbook uses it; a built-in one is
/// a `409` too: built-ins cannot be deleted) or a lexicon. The deletion is kept as a version
/// of its own in the document's history.
#[utoipa::path(delete, path = "/api/v1/config/{collection}/{name}", tag = "configuration",
    params(("collection" = Collection, Path, description = "frameworks or lexicons"), ("name" = String, Path, description = "the framework id or lexicon name"),
        ("If-Match" = Option<String>, Header, description = "the version you read")),
    responses((status = 204), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem), (status = 412, body = crate::problem::Problem)))]
pub async fn delete_named(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((collection, name)): ApiPath<(Collection, String)>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    delete_document(&state, &principal, collection.document(&name), &headers).await
}

/// The configuration routes (merged into `/api/v1`).
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/config", get(list))
        .route("/config/{document}", get(get_single).put(put_single).delete(delete_single))
        .route("/config/{collection}/{name}", get(get_named).put(put_named).delete(delete_named))
}

/// Keeps this process's configuration in step with the stored one: every [`WATCH_EVERY`] it
/// compares the store's configuration generation with the one it last saw and reloads when
/// another process changed something. Stops when `stop` turns true.
pub fn spawn_watch(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    tokio::spawn(async move {
        let mut seen = state.store().config_generation().await.ok();
        let mut every = tokio::time::interval(WATCH_EVERY);
        every.tick().await;
        loop {
            tokio::select! {
                _ = every.tick() => {}
                _ = stop.changed() => break,
            }
            let generation = match state.store().config_generation().await {
                Ok(g) => g,
                Err(e) => {
                    tracing::warn!(error = %e, "could not read the configuration generation");
                    continue;
                }
            };
            if seen == Some(generation) {
                continue;
            }
            match config_docs::load(state.store()).await {
                Ok(loaded) => {
                    for warning in loaded.warnings.iter() {
                        tracing::warn!(%warning, "stored configuration");
                    }
                    state.set_config(loaded.config);
                    seen = Some(loaded.generation);
                    tracing::info!(generation = loaded.generation, "configuration reloaded from the store");
                }
                Err(e) => tracing::warn!(error = %e, "could not reload the stored configuration"),
            }
        }
    });
}
