//! Importing a CRM export or spreadsheet into the store: from a file (the CLI), or from an
//! upload that an import job reads (the server).
//!
//! Uploads are streamed to `<data dir>/uploads/<id>.csv` under a size limit, with a small
//! `<id>.json` beside it (the name the client gave, its size, who sent it). The id is 128
//! random bits in hex and the only thing that names the file on disk: the client's file
//! name is kept for display only (its last path component, control characters removed), so
//! no upload name can reach outside the uploads folder. Every server process that runs
//! import jobs must see the same data directory.

use std::path::{Path, PathBuf};

use sift_store::Store;
use sift_store::import::{self, ImportOptions, ImportSummary, Progress};
use tokio::io::AsyncWriteExt;

use crate::error::{AppError, Result};
use crate::jobs::{IMPORT, JobEnv, ProgressHandle};

pub use sift_store::import::{
    ColumnMapping, Dialect, Field, PreviewRow, RowError, RowsPreview, error_report_writer, parse_mapping,
};

/// Shows how a file would be read (dialect, column mapping) without importing anything.
pub fn preview(path: &Path, options: &ImportOptions) -> Result<(Dialect, ColumnMapping)> {
    Ok(import::inspect(path, &options.overrides)?)
}

/// Everything an import would decide about a file, without importing: dialect, mapping, the
/// key that identifies leads, and what its outcome values mean.
pub fn inspect(path: &Path, options: &ImportOptions) -> Result<import::Inspection> {
    Ok(import::inspect_file(path, options)?)
}

/// Imports a CSV file; rejected rows go to `errors` when given.
pub async fn import_file(
    store: &Store,
    path: &Path,
    options: &ImportOptions,
    errors: Option<&mut sift_core::csv_out::CsvWriter<std::fs::File>>,
    progress: &dyn Progress,
) -> Result<ImportSummary> {
    Ok(import::import_csv(store, path, options, errors, progress).await?)
}

/// An uploaded file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Upload {
    pub id: String,
    /// The name the client gave (display only).
    pub name: String,
    pub bytes: u64,
    pub uploaded_by: Option<i64>,
    pub uploaded_at: String,
}

/// Longest display name kept for an upload.
const MAX_NAME_CHARS: usize = 120;

/// The display name of an upload: the last component of what the client sent (either
/// slash), without control characters or leading dots, at most 120 characters;
/// `upload.csv` when nothing is left.
pub fn upload_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(MAX_NAME_CHARS).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() { "upload.csv".to_owned() } else { cleaned.to_owned() }
}

fn uploads_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("uploads")
}

/// True for an upload id this server could have given out (32 lowercase hex digits).
fn is_upload_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The file of an upload.
pub fn upload_path(data_dir: &Path, id: &str) -> Result<PathBuf> {
    if !is_upload_id(id) {
        return Err(AppError::invalid(
            "upload",
            format!("`{}` is not an upload id", id.chars().take(40).collect::<String>()),
        ));
    }
    Ok(uploads_dir(data_dir).join(format!("{id}.csv")))
}

/// An upload's record, or not found.
pub fn open_upload(data_dir: &Path, id: &str) -> Result<(Upload, PathBuf)> {
    let path = upload_path(data_dir, id)?;
    let missing = || AppError::NotFound {
        what: "upload",
        key: id.to_owned(),
        hint: " (uploads live in the server's data directory; every server process must share it)".into(),
    };
    let meta = std::fs::read_to_string(path.with_extension("json")).map_err(|_| missing())?;
    let upload: Upload = serde_json::from_str(&meta)
        .map_err(|e| sift_store::StoreError::Corrupt(format!("upload {id}: its record cannot be read: {e}")))?;
    if !path.is_file() {
        return Err(missing());
    }
    Ok((upload, path))
}

/// Removes an upload (one that cannot be read, or that its owner withdraws).
pub fn remove_upload(data_dir: &Path, id: &str) -> Result<()> {
    let path = upload_path(data_dir, id)?;
    let _ = std::fs::remove_file(path.with_extension("json"));
    let _ = std::fs::remove_file(path);
    Ok(())
}

/// Streams an upload to disk under a size limit. Dropped before [`UploadWriter::finish`]
/// (an error, a body over the limit, a client gone), it removes what it wrote.
pub struct UploadWriter {
    file: Option<tokio::fs::File>,
    path: PathBuf,
    upload: Upload,
    limit: u64,
}

impl UploadWriter {
    pub async fn create(data_dir: &Path, raw_name: &str, limit: u64, uploaded_by: Option<i64>) -> Result<UploadWriter> {
        let dir = uploads_dir(data_dir);
        let io =
            |what: &str, e: std::io::Error| AppError::Unavailable(format!("cannot {what} in the data directory: {e}"));
        tokio::fs::create_dir_all(&dir).await.map_err(|e| io("create the uploads folder", e))?;
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)
            .map_err(|e| AppError::Unavailable(format!("the system random source failed: {e}")))?;
        let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let path = dir.join(format!("{id}.csv"));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .map_err(|e| io("store the upload", e))?;
        let upload =
            Upload { id, name: upload_name(raw_name), bytes: 0, uploaded_by, uploaded_at: sift_store::db::now() };
        Ok(UploadWriter { file: Some(file), path, upload, limit })
    }

    /// Appends a chunk; over the limit is [`AppError::TooLarge`].
    pub async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        let total = self.upload.bytes + chunk.len() as u64;
        if total > self.limit {
            return Err(AppError::TooLarge { limit: self.limit });
        }
        let Some(file) = self.file.as_mut() else { return Err(AppError::Unavailable("the upload is closed".into())) };
        file.write_all(chunk)
            .await
            .map_err(|e| AppError::Unavailable(format!("cannot store the upload in the data directory: {e}")))?;
        self.upload.bytes = total;
        Ok(())
    }

    /// Flushes the file to disk and writes its record; the upload is ready to preview and
    /// import.
    pub async fn finish(mut self) -> Result<Upload> {
        let io =
            |e: std::io::Error| AppError::Unavailable(format!("cannot store the upload in the data directory: {e}"));
        if self.upload.bytes == 0 {
            return Err(AppError::invalid("body", "the upload is empty"));
        }
        if let Some(mut file) = self.file.take() {
            file.flush().await.map_err(io)?;
            file.sync_all().await.map_err(io)?;
        }
        let meta = serde_json::to_vec(&self.upload).map_err(|e| AppError::Unavailable(e.to_string()))?;
        tokio::fs::write(self.path.with_extension("json"), meta).await.map_err(io)?;
        // Kept: from here on the upload is complete.
        let upload = self.upload.clone();
        self.path = PathBuf::new();
        Ok(upload)
    }
}

impl Drop for UploadWriter {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// How an upload would be read: the dialect and where each column goes, with `overrides`
/// (header -> field) applied. Nothing is written.
pub async fn preview_upload(
    data_dir: &Path,
    id: &str,
    overrides: std::collections::BTreeMap<String, Field>,
) -> Result<(Upload, Dialect, ColumnMapping)> {
    let (upload, path) = open_upload(data_dir, id)?;
    let (dialect, mapping) = tokio::task::spawn_blocking(move || import::inspect(&path, &overrides))
        .await
        .map_err(|e| AppError::Unavailable(format!("the preview stopped: {e}")))??;
    Ok((upload, dialect, mapping))
}

/// Rows a mapping preview checks, and rows (and rejects) it shows.
pub const PREVIEW_CHECKED_ROWS: usize = 1_000;
pub const PREVIEW_SHOWN_ROWS: usize = 10;

/// How an upload would be imported with `overrides` (header -> field): the mapping, the
/// first rows and which of the first rows would be rejected and why, read by the same code
/// as the import. Nothing is written.
pub async fn preview_upload_rows(
    data_dir: &Path,
    config: &crate::Config,
    id: &str,
    overrides: std::collections::BTreeMap<String, Field>,
) -> Result<(Upload, RowsPreview)> {
    let (upload, path) = open_upload(data_dir, id)?;
    let options = ImportOptions { overrides, rules: config.rules.clone(), ..ImportOptions::default() };
    let preview = tokio::task::spawn_blocking(move || {
        import::preview_rows(&path, &options, PREVIEW_CHECKED_ROWS, PREVIEW_SHOWN_ROWS)
    })
    .await
    .map_err(|e| AppError::Unavailable(format!("the preview stopped: {e}")))??;
    Ok((upload, preview))
}

/// What an import job is asked to do.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// The upload to import.
    pub upload: String,
    /// Header -> field, over the automatic mapping.
    #[serde(default)]
    pub mapping: std::collections::BTreeMap<String, Field>,
    /// Rows per transaction (1 to 50,000; default 5,000).
    pub batch_size: Option<usize>,
    /// The column that identifies a lead (over the detected id columns).
    #[serde(default)]
    pub key: Option<String>,
}

impl ImportRequest {
    fn options(&self, config: &crate::Config) -> Result<ImportOptions> {
        let options = ImportOptions {
            batch_size: self.batch_size.unwrap_or(5_000),
            overrides: self.mapping.clone(),
            rules: config.rules.clone(),
            key: self.key.clone(),
            ..ImportOptions::default()
        };
        options.validate()?;
        Ok(options)
    }
}

/// Queues the import of an upload; the request is checked first, so that a bad one is
/// refused now rather than failing later in the job.
pub async fn enqueue_import(
    store: &Store,
    data_dir: &Path,
    config: &crate::Config,
    request: &ImportRequest,
    created_by: Option<i64>,
) -> Result<i64> {
    open_upload(data_dir, &request.upload)?;
    request.options(config)?;
    let job = sift_store::jobs::NewJob {
        kind: IMPORT,
        payload: serde_json::to_value(request).map_err(|e| AppError::Unavailable(e.to_string()))?,
        max_attempts: 3,
        run_at: None,
        dedupe_key: Some(format!("{IMPORT}:{}", request.upload)),
        created_by,
    };
    store
        .enqueue_job(&job)
        .await?
        .ok_or_else(|| AppError::Conflict(format!("the upload `{}` is already being imported", request.upload)))
}

/// Where an import job keeps its rejected rows.
pub fn rejects_path(data_dir: &Path, job_id: i64) -> PathBuf {
    data_dir.join("imports").join(format!("job-{job_id}-rejects.csv"))
}

/// The import job: imports the upload, rejected rows to the job's rejects file, progress in
/// bytes. Run again after a crash, it finds the upload's finished run and returns it
/// instead of importing again (an unfinished run is taken over: rows already stored are
/// found unchanged).
pub async fn run_import_job(
    env: &JobEnv,
    config: &crate::Config,
    job: &sift_store::Job,
    progress: &ProgressHandle,
) -> Result<serde_json::Value> {
    let request: ImportRequest = serde_json::from_value(job.payload.clone())
        .map_err(|e| AppError::invalid("payload", format!("not an import request: {e}")))?;
    let options = request.options(config)?;
    let (upload, path) = open_upload(&env.data_dir, &request.upload)?;
    let file = path.display().to_string();
    let rejects = rejects_path(&env.data_dir, job.id);
    if let Some(run) = env.store.latest_import_run(&file).await?
        && run.status == sift_store::ImportRunStatus::Finished
    {
        progress.set(upload.bytes as i64, Some(upload.bytes as i64));
        // Routing is idempotent (only leads without a playbook): finish it if a crash cut it.
        let routing = crate::playbooks::route_import_run(config, &env.store, run.id).await?;
        return Ok(serde_json::json!({
            "routing": routing,
            "upload": upload.id,
            "name": upload.name,
            "import_run": run.id,
            "rows": run.rows_read,
            "inserted": run.inserted,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "duplicates": run.duplicates,
            "rejected": run.rejected,
            "rejects_file": rejects.is_file(),
        }));
    }
    if let Some(dir) = rejects.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::Unavailable(format!("cannot create the imports folder: {e}")))?;
    }
    let mut errors = error_report_writer(&rejects)
        .map_err(|e| AppError::Unavailable(format!("cannot create the rejects file: {e}")))?;
    progress.set(0, Some(upload.bytes as i64));
    progress.say(format!("importing {}", upload.name));
    let summary = import_file(&env.store, &path, &options, Some(&mut errors), &progress).await?;
    progress.set(upload.bytes as i64, Some(upload.bytes as i64));
    progress.say("routing the imported leads to playbooks".to_owned());
    let routing = crate::playbooks::route_import_run(config, &env.store, summary.run).await?;
    Ok(serde_json::json!({
        "routing": routing,
        "upload": upload.id,
        "name": upload.name,
        "import_run": summary.run,
        "rows": summary.rows,
        "inserted": summary.inserted,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "duplicates": summary.duplicates,
        "rejected": summary.rejected,
        "rejects_file": summary.rejected > 0,
        "matched_by_content": summary.matched_by_content,
        "notes": summary.notes(),
    }))
}
