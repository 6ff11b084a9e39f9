//! CSV import over HTTP (managers and admins): upload a file (streamed to the data
//! directory under `max_upload_bytes`), see how it would be read (the `--dry-run`
//! equivalent, nothing written), import it as a job with progress, and download its
//! rejected rows.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};
use sift_app::AppError;
use sift_app::imports::{ColumnMapping, Dialect, Field, ImportRequest, Upload, UploadWriter};
use sift_store::accounts::Role;

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::audit;
use crate::problem::{ApiError, ApiResult, Kind};
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ColumnView {
    pub header: String,
    /// The lead field it fills (`custom`: kept as a custom field).
    pub field: String,
}

/// How a file would be read.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewView {
    /// `,`, `;` or `tab`.
    pub delimiter: String,
    /// utf-8 or windows-1252.
    pub encoding: String,
    pub bom: bool,
    pub columns: Vec<ColumnView>,
}

fn field_name(field: Field) -> String {
    serde_json::to_value(field).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

impl PreviewView {
    fn of(dialect: &Dialect, mapping: &ColumnMapping) -> PreviewView {
        PreviewView {
            delimiter: match dialect.delimiter {
                '\t' => "tab".to_owned(),
                d => d.to_string(),
            },
            encoding: dialect.encoding.to_owned(),
            bom: dialect.bom,
            columns: mapping
                .columns
                .iter()
                .map(|(header, field)| ColumnView { header: header.clone(), field: field_name(*field) })
                .collect(),
        }
    }
}

/// An uploaded file and how it would be read.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadView {
    /// Pass as `upload` to `POST /api/v1/imports`.
    pub id: String,
    /// The name the client gave (display only; never a path on the server).
    pub name: String,
    pub bytes: u64,
    pub uploaded_at: String,
    pub preview: PreviewView,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name, for display (a raw body has none; a multipart part may).
    pub name: Option<String>,
}

pub(crate) fn require_importer(principal: &Principal) -> ApiResult<()> {
    principal.require_write()?;
    principal.require_manager()
}

/// Raw bodies these content types are taken as a CSV file.
fn is_file_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence.is_empty()
        || essence.starts_with("text/")
        || matches!(essence.as_str(), "application/octet-stream" | "application/csv" | "application/vnd.ms-excel")
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(Kind::PayloadTooLarge, format!("the upload is over the limit of {limit} bytes (max_upload_bytes)"))
}

pub(crate) fn app_error(e: AppError) -> ApiError {
    match e {
        AppError::TooLarge { limit } => too_large(limit),
        other => ApiError::from(other),
    }
}

/// Uploads a CSV file, as the request body (`text/csv`, `application/octet-stream`...) or
/// as the `file` part of `multipart/form-data`. It is streamed to disk; over
/// `max_upload_bytes` the request is refused (413) and nothing is kept. The answer shows
/// how it would be read; a file that cannot be read as a CSV (binary, UTF-16 without a
/// header...) is refused (422) and not kept.
#[utoipa::path(post, path = "/api/v1/imports/uploads", tag = "imports", params(UploadQuery),
    request_body(content = String, content_type = "text/csv", description = "the CSV file (or multipart/form-data with a `file` part)"),
    responses((status = 201, body = UploadView), (status = 413, body = crate::problem::Problem), (status = 415, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<UploadQuery>,
    request: Request,
) -> ApiResult<(StatusCode, Json<UploadView>)> {
    require_importer(&principal)?;
    let limit = state.settings().max_upload_bytes as u64;
    let declared =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let content_type =
        request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let multipart = content_type.to_ascii_lowercase().starts_with("multipart/form-data");
    // A multipart body carries boundaries and headers beside the file: allow for them.
    if declared.is_some_and(|n| n > limit + if multipart { 64 * 1024 } else { 0 }) {
        return Err(too_large(limit));
    }
    let data_dir = state.settings().data_dir.clone();
    let user = Some(principal.user.id);
    let upload = if multipart {
        let mut form = Multipart::from_request(request, &state).await.map_err(|e| {
            ApiError::new(Kind::BadRequest, format!("the multipart body cannot be read: {}", e.body_text()))
        })?;
        let mut stored: Option<Upload> = None;
        while let Some(mut part) = form.next_field().await.map_err(|e| {
            ApiError::new(Kind::BadRequest, format!("the multipart body cannot be read: {}", e.body_text()))
        })? {
            if part.name() != Some("file") || stored.is_some() {
                continue;
            }
            let given = query.name.clone().filter(|n| !n.trim().is_empty());
            let name = given.or_else(|| part.file_name().map(str::to_owned)).unwrap_or_default();
            let mut writer = UploadWriter::create(&data_dir, &name, limit, user).await.map_err(app_error)?;
            while let Some(chunk) = part
                .chunk()
                .await
                .map_err(|e| ApiError::new(Kind::BadRequest, format!("the upload stopped: {}", e.body_text())))?
            {
                writer.write(&chunk).await.map_err(app_error)?;
            }
            stored = Some(writer.finish().await.map_err(app_error)?);
        }
        stored.ok_or_else(|| ApiError::validation("file", "send the CSV file as the multipart part named `file`"))?
    } else {
        if !is_file_type(&content_type) {
            return Err(ApiError::new(
                Kind::UnsupportedMediaType,
                format!(
                    "`{content_type}` is not a file upload; send text/csv, application/octet-stream or multipart/form-data"
                ),
            ));
        }
        let name = query.name.clone().unwrap_or_default();
        let mut writer = UploadWriter::create(&data_dir, &name, limit, user).await.map_err(app_error)?;
        let mut body = request.into_body();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| ApiError::new(Kind::BadRequest, format!("the upload stopped: {e}")))?;
            if let Ok(data) = frame.into_data() {
                writer.write(&data).await.map_err(app_error)?;
            }
        }
        writer.finish().await.map_err(app_error)?
    };
    let preview = match sift_app::imports::preview_upload(&data_dir, &upload.id, BTreeMap::new()).await {
        Ok((_, dialect, mapping)) => PreviewView::of(&dialect, &mapping),
        Err(e) => {
            let _ = sift_app::imports::remove_upload(&data_dir, &upload.id);
            return Err(app_error(e));
        }
    };
    audit(
        &state,
        &principal,
        "import.uploaded",
        &format!("upload:{}", upload.id),
        serde_json::json!({"name": upload.name, "bytes": upload.bytes}),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(UploadView {
            id: upload.id,
            name: upload.name,
            bytes: upload.bytes,
            uploaded_at: upload.uploaded_at,
            preview,
        }),
    ))
}

/// An upload its owner (or an admin) may use; 404 otherwise.
pub(crate) fn own_upload(state: &AppState, principal: &Principal, id: &str) -> ApiResult<Upload> {
    let (upload, _) = sift_app::imports::open_upload(&state.settings().data_dir, id).map_err(|e| match e {
        e if e.is_invalid_input() => ApiError::not_found("upload with this id"),
        other => ApiError::from(other),
    })?;
    if principal.user.role != Role::Admin && upload.uploaded_by != Some(principal.user.id) {
        return Err(ApiError::not_found("upload with this id"));
    }
    Ok(upload)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// Header -> field, over the automatic mapping (fields: external_id, first_name,
    /// last_name, full_name, email, phone, title, company, domain, industry, employees,
    /// annual_revenue, country, source, lifecycle_stage, status, converted, created_at,
    /// conversion, visits, custom).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub mapping: BTreeMap<String, Field>,
}

/// How an upload would be read with a mapping of one's own; nothing is written.
#[utoipa::path(post, path = "/api/v1/imports/uploads/{id}/preview", tag = "imports", request_body = PreviewRequest,
    params(("id" = String, Path, description = "upload id")),
    responses((status = 200, body = PreviewView), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn preview(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<PreviewRequest>,
) -> ApiResult<Json<PreviewView>> {
    require_importer(&principal)?;
    own_upload(&state, &principal, &id)?;
    let (_, dialect, mapping) =
        sift_app::imports::preview_upload(&state.settings().data_dir, &id, req.mapping).await.map_err(app_error)?;
    Ok(Json(PreviewView::of(&dialect, &mapping)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartImport {
    /// The upload id.
    pub upload: String,
    /// Header -> field, over the automatic mapping.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub mapping: BTreeMap<String, Field>,
    /// Rows per transaction, 1 to 50,000 (default 5,000).
    pub batch_size: Option<usize>,
    /// The column that identifies each lead (default: a CRM id column, else one detected).
    pub key: Option<String>,
}

/// Imports an upload as a job: `202 Accepted` with the job to poll (progress in bytes);
/// its result has the counts, and the rejected rows are at `/api/v1/imports/{job}/rejects`.
/// One `import.finished` event fires when it ends (not one per row).
#[utoipa::path(post, path = "/api/v1/imports", tag = "imports", request_body = StartImport,
    responses((status = 202, body = crate::http::jobs::JobView), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn start(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(req): ApiJson<StartImport>,
) -> ApiResult<Response> {
    require_importer(&principal)?;
    let upload = own_upload(&state, &principal, &req.upload)?;
    let request =
        ImportRequest { upload: upload.id.clone(), mapping: req.mapping, batch_size: req.batch_size, key: req.key };
    let config = state.config();
    let job = sift_app::imports::enqueue_import(
        state.store(),
        &state.settings().data_dir,
        &config,
        &request,
        Some(principal.user.id),
    )
    .await?;
    audit(
        &state,
        &principal,
        "import.started",
        &format!("upload:{}", upload.id),
        serde_json::json!({"job": job, "name": upload.name}),
    )
    .await?;
    crate::http::jobs::accepted(&state, job).await
}

/// The rejected rows of an import job, as CSV (row number, column, error code, message,
/// the original cells; every cell neutralised against spreadsheet formulas).
#[utoipa::path(get, path = "/api/v1/imports/{job}/rejects", tag = "imports", params(("job" = i64, Path, description = "the import job's id")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = crate::problem::Problem)))]
pub async fn rejects(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(job_id): ApiPath<i64>,
) -> ApiResult<Response> {
    let job = crate::http::jobs::visible_job(&state, &principal, job_id).await?;
    if job.kind != sift_app::jobs::IMPORT {
        return Err(ApiError::not_found("import job with this id"));
    }
    let path = sift_app::imports::rejects_path(&state.settings().data_dir, job_id);
    let file = tokio::fs::File::open(&path).await.map_err(|_| {
        ApiError::not_found(
            "rejects file for this job (it has not run yet, or its data directory is another machine's)",
        )
    })?;
    let stream = futures_util::stream::unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(axum::body::Bytes::from(buf)), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    });
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"import-{job_id}-rejects.csv\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
