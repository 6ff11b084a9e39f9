//! Importing a CRM export in the browser, in three steps over the API's own use cases:
//! upload (`/imports/new`, streamed to the data directory under `max_upload_bytes`), the
//! mapping step (`/imports/uploads/{id}`: each column with the field the importer detects,
//! editable, the first rows and what would be rejected, read by the import's own code;
//! nothing is written until the import is confirmed), and the import job with its progress
//! and summary (`/imports/jobs/{job}`, polled by htmx through a small fragment, or
//! refreshed by hand). Managers and admins import, as through the API.

use std::collections::BTreeMap;

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Form, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use sift_app::imports::{Field, ImportRequest, RowsPreview, Upload, UploadWriter};
use sift_store::{Job, JobStatus};

use super::i18n::Lang;
use super::layout;
use super::{SignedIn, WebError, WebResult, html, see_other};
use crate::auth::CSRF_FIELD;
use crate::http::imports::{app_error, own_upload, require_importer};
use crate::problem::{ApiError, Kind};
use crate::state::AppState;

/// The import pages' words, in English and Chinese.
pub struct ImportWords {
    pub nav: &'static str,
    pub title: &'static str,
    pub upload_intro: &'static str,
    pub file: &'static str,
    pub upload: &'static str,
    pub no_file: &'static str,
    pub mapping_title: &'static str,
    pub mapping_intro: &'static str,
    pub column: &'static str,
    pub field: &'static str,
    pub first_value: &'static str,
    pub identified_by: &'static str,
    pub identified_by_email: &'static str,
    pub identified_by_content: &'static str,
    pub preview: &'static str,
    pub row: &'static str,
    pub would_reject: &'static str,
    pub checked_rows: &'static str,
    pub no_rejects: &'static str,
    pub why: &'static str,
    pub check_again: &'static str,
    pub import: &'static str,
    pub nothing_written: &'static str,
    pub job_title: &'static str,
    pub queued: &'static str,
    pub running: &'static str,
    pub done: &'static str,
    pub failed: &'static str,
    pub refresh: &'static str,
    pub rows: &'static str,
    pub created: &'static str,
    pub updated: &'static str,
    pub unchanged: &'static str,
    pub duplicates: &'static str,
    pub rejected: &'static str,
    pub matched_by_content: &'static str,
    pub download_rejects: &'static str,
    pub see_board: &'static str,
    pub another: &'static str,
}

pub static EN: ImportWords = ImportWords {
    nav: "Import",
    title: "Import leads",
    upload_intro: "Upload a CSV export from your CRM or a spreadsheet. Next you check how its columns are read; nothing is imported until you confirm.",
    file: "CSV file",
    upload: "Upload and check",
    no_file: "Choose a CSV file to upload.",
    mapping_title: "Check the columns",
    mapping_intro: "Each column of the file and the lead field it fills. Change a field if it is wrong, check again, then import. Nothing has been written yet.",
    column: "Column in the file",
    field: "Lead field",
    first_value: "First value",
    identified_by: "Leads are identified by the column",
    identified_by_email: "Leads are identified by their email; rows without one are matched by their whole content.",
    identified_by_content: "No id or email column: each row is matched by its whole content.",
    preview: "First rows",
    row: "Line",
    would_reject: "Rows that would be rejected",
    checked_rows: "rows checked",
    no_rejects: "None of the rows checked would be rejected.",
    why: "Why",
    check_again: "Check again",
    import: "Import",
    nothing_written: "Nothing is written until you press Import.",
    job_title: "Import",
    queued: "Waiting to start",
    running: "Importing",
    done: "Imported",
    failed: "The import failed",
    refresh: "Refresh",
    rows: "Rows read",
    created: "Created",
    updated: "Updated",
    unchanged: "Unchanged",
    duplicates: "Repeated rows",
    rejected: "Rejected",
    matched_by_content: "Matched by content (no id or email)",
    download_rejects: "Download the rejected rows (CSV)",
    see_board: "See the leads on the board",
    another: "Import another file",
};

pub static ZH: ImportWords = ImportWords {
    nav: "导入",
    title: "导入线索",
    upload_intro: "上传从 CRM 或表格导出的 CSV 文件。下一步先核对各列的对应关系，确认之前不会导入任何数据。",
    file: "CSV 文件",
    upload: "上传并核对",
    no_file: "请选择要上传的 CSV 文件。",
    mapping_title: "核对各列",
    mapping_intro: "文件的每一列以及它对应的线索字段。对应不对就改一下，再核对一遍，然后导入。目前还没有写入任何数据。",
    column: "文件中的列",
    field: "线索字段",
    first_value: "第一行的值",
    identified_by: "按这一列识别线索",
    identified_by_email: "按邮箱识别线索；没有邮箱的行按整行内容匹配。",
    identified_by_content: "没有编号或邮箱列：每一行按整行内容匹配。",
    preview: "前几行",
    row: "行号",
    would_reject: "会被拒绝的行",
    checked_rows: "行已检查",
    no_rejects: "已检查的行都不会被拒绝。",
    why: "原因",
    check_again: "重新核对",
    import: "导入",
    nothing_written: "点“导入”之前不会写入任何数据。",
    job_title: "导入",
    queued: "等待开始",
    running: "正在导入",
    done: "导入完成",
    failed: "导入失败",
    refresh: "刷新",
    rows: "读取行数",
    created: "新建",
    updated: "更新",
    unchanged: "未变",
    duplicates: "重复行",
    rejected: "拒绝",
    matched_by_content: "按内容匹配（没有编号或邮箱）",
    download_rejects: "下载被拒绝的行（CSV）",
    see_board: "在看板上查看线索",
    another: "再导入一个文件",
};

pub fn words(lang: Lang) -> &'static ImportWords {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// A lead field as the mapping step names it.
fn field_label(lang: Lang, field: Field) -> &'static str {
    let (en, zh) = match field {
        Field::ExternalId => ("CRM id", "CRM 编号"),
        Field::FirstName => ("First name", "名"),
        Field::LastName => ("Last name", "姓"),
        Field::FullName => ("Full name", "姓名"),
        Field::Email => ("Email", "邮箱"),
        Field::Phone => ("Phone", "电话"),
        Field::Title => ("Job title", "职位"),
        Field::Company => ("Company", "公司"),
        Field::Domain => ("Website", "网站"),
        Field::Industry => ("Industry", "行业"),
        Field::Employees => ("Employees", "员工人数"),
        Field::AnnualRevenue => ("Annual revenue", "年营收"),
        Field::Country => ("Country", "国家/地区"),
        Field::Source => ("Source", "来源"),
        Field::LifecycleStage => ("Lifecycle stage", "生命周期阶段"),
        Field::Status => ("Lead status", "线索状态"),
        Field::Converted => ("Outcome (won or lost)", "结果（赢单或丢单）"),
        Field::CreatedAt => ("Created on", "创建日期"),
        Field::Conversion => ("Conversion (form)", "转化（表单）"),
        Field::Visits => ("Visits", "访问次数"),
        Field::Custom => ("Keep as a custom field", "保留为自定义字段"),
    };
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

fn failed(lang: Lang) -> impl Fn(ApiError) -> WebError {
    WebError::in_lang(lang)
}

/// The upload form.
pub async fn new_page(who: SignedIn) -> WebResult<Response> {
    require_importer(&who.principal).map_err(failed(who.lang))?;
    Ok(html(StatusCode::OK, upload_page(&who, None)))
}

fn upload_page(who: &SignedIn, error: Option<&str>) -> Markup {
    let w = words(who.lang);
    let body = html! {
        h1 { (w.title) }
        p { (w.upload_intro) }
        form.stack #upload method="post" action="/imports/new" enctype="multipart/form-data" hx-boost="false" {
            input type="hidden" name=(CSRF_FIELD) value=(who.principal.csrf_token());
            label for="file" { (w.file) }
            input #file type="file" name="file" accept=".csv,text/csv" required
                aria-describedby=[error.map(|_| "file_error")] aria-invalid=[error.map(|_| "true")];
            @if let Some(e) = error { p.error #file_error { (e) } }
            button.primary type="submit" { (w.upload) }
        }
    };
    layout::page(who, w.title, body)
}

/// Stores the uploaded file (streamed, under the size limit) and goes to its mapping step;
/// a file the importer cannot read is not kept and is shown at the file field.
pub async fn upload(
    State(state): State<AppState>,
    who: SignedIn,
    multipart: Result<Multipart, MultipartRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let failed = failed(lang);
    require_importer(&who.principal).map_err(&failed)?;
    let bad = |detail: String| failed(ApiError::new(Kind::BadRequest, detail));
    let mut multipart = multipart.map_err(|e| bad(e.body_text()))?;
    let data_dir = state.settings().data_dir.clone();
    let limit = state.settings().max_upload_bytes as u64;
    let mut csrf = None;
    let mut stored: Option<Upload> = None;
    while let Some(mut part) = multipart.next_field().await.map_err(|e| bad(e.body_text()))? {
        match part.name() {
            Some(CSRF_FIELD) => csrf = Some(part.text().await.map_err(|e| bad(e.body_text()))?),
            Some("file") if stored.is_none() => {
                // The token comes first in the form: nothing is stored for a forged post.
                who.principal.check_form_csrf(csrf.as_deref().unwrap_or("")).map_err(&failed)?;
                let name = part.file_name().map(str::to_owned).unwrap_or_default();
                let mut writer = UploadWriter::create(&data_dir, &name, limit, Some(who.principal.user.id))
                    .await
                    .map_err(|e| failed(app_error(e)))?;
                while let Some(chunk) = part.chunk().await.map_err(|e| bad(e.body_text()))? {
                    writer.write(&chunk).await.map_err(|e| failed(app_error(e)))?;
                }
                match writer.finish().await {
                    Ok(upload) => stored = Some(upload),
                    Err(e) if e.is_invalid_input() => {
                        return Ok(html(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            upload_page(&who, Some(words(lang).no_file)),
                        ));
                    }
                    Err(e) => return Err(failed(app_error(e))),
                }
            }
            _ => {}
        }
    }
    who.principal.check_form_csrf(csrf.as_deref().unwrap_or("")).map_err(&failed)?;
    let Some(upload) = stored else {
        return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, upload_page(&who, Some(words(lang).no_file))));
    };
    let config = state.config();
    if let Err(e) = sift_app::imports::preview_upload_rows(&data_dir, &config, &upload.id, BTreeMap::new()).await {
        let _ = sift_app::imports::remove_upload(&data_dir, &upload.id);
        let error = app_error(e);
        if error.kind.status().is_server_error() {
            return Err(failed(error));
        }
        return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, upload_page(&who, Some(&error.detail))));
    }
    crate::http::audit(
        &state,
        &who.principal,
        "import.uploaded",
        &format!("upload:{}", upload.id),
        serde_json::json!({"name": upload.name, "bytes": upload.bytes}),
    )
    .await
    .map_err(&failed)?;
    Ok(see_other(&format!("/imports/uploads/{}", upload.id)))
}

fn upload_id(lang: Lang, id: Result<Path<String>, PathRejection>) -> WebResult<String> {
    id.map(|Path(id)| id).map_err(|_| failed(lang)(ApiError::not_found("upload with this id")))
}

/// The mapping step, with the mapping the importer detects.
pub async fn mapping_page(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<String>, PathRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let failed = failed(lang);
    require_importer(&who.principal).map_err(&failed)?;
    let id = upload_id(lang, id)?;
    let upload = own_upload(&state, &who.principal, &id).map_err(&failed)?;
    let config = state.config();
    let (_, preview) =
        sift_app::imports::preview_upload_rows(&state.settings().data_dir, &config, &upload.id, BTreeMap::new())
            .await
            .map_err(|e| failed(app_error(e)))?;
    Ok(html(StatusCode::OK, mapping_view(&who, &upload, &preview, None)))
}

/// The mapping step posted: `check` shows the file again read with the chosen mapping;
/// `import` queues the import job with it and goes to its progress.
pub async fn mapping_submit(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<String>, PathRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let failed = failed(lang);
    let Form(pairs) = form.map_err(super::bad_form(lang))?;
    let fields: BTreeMap<String, String> = pairs.into_iter().collect();
    who.principal.check_form_csrf(fields.get(CSRF_FIELD).map_or("", String::as_str)).map_err(&failed)?;
    require_importer(&who.principal).map_err(&failed)?;
    let id = upload_id(lang, id)?;
    let upload = own_upload(&state, &who.principal, &id).map_err(&failed)?;
    let data_dir = state.settings().data_dir.clone();
    let config = state.config();
    // The columns by position (a header may hold anything), read from the file itself.
    let (_, detected) = sift_app::imports::preview_upload_rows(&data_dir, &config, &upload.id, BTreeMap::new())
        .await
        .map_err(|e| failed(app_error(e)))?;
    let mut mapping = BTreeMap::new();
    let mut problem = None;
    for (index, header) in detected.headers.iter().enumerate() {
        let Some(chosen) = fields.get(&format!("col{index}")) else { continue };
        match Field::parse(chosen) {
            Some(field) => {
                mapping.insert(header.clone(), field);
            }
            None => problem = Some((index, format!("`{chosen}` is not a lead field"))),
        }
    }
    let (_, preview) = sift_app::imports::preview_upload_rows(&data_dir, &config, &upload.id, mapping.clone())
        .await
        .map_err(|e| failed(app_error(e)))?;
    if problem.is_some() || fields.get("action").map(String::as_str) != Some("import") {
        let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
        return Ok(html(status, mapping_view(&who, &upload, &preview, problem.as_ref())));
    }
    let request = ImportRequest { upload: upload.id.clone(), mapping, batch_size: None, key: None };
    let job =
        sift_app::imports::enqueue_import(state.store(), &data_dir, &config, &request, Some(who.principal.user.id))
            .await
            .map_err(|e| failed(app_error(e)))?;
    crate::http::audit(
        &state,
        &who.principal,
        "import.started",
        &format!("upload:{}", upload.id),
        serde_json::json!({"job": job, "name": upload.name}),
    )
    .await
    .map_err(&failed)?;
    state.jobs().wake.notify_waiters();
    Ok(see_other(&format!("/imports/jobs/{job}")))
}

fn mapping_view(who: &SignedIn, upload: &Upload, preview: &RowsPreview, problem: Option<&(usize, String)>) -> Markup {
    let lang = who.lang;
    let w = words(lang);
    let first_row = preview.rows.first().map(|r| r.cells.as_slice()).unwrap_or_default();
    let body = html! {
        h1 { (w.mapping_title) ": " (upload.name) }
        p { (w.mapping_intro) }
        p.muted #key {
            @match &preview.mapping.key {
                Some(key) => { (w.identified_by) " " strong { (key.column) } }
                None => @if preview.mapping.columns.iter().any(|(_, f)| *f == Field::Email) {
                    (w.identified_by_email)
                } @else {
                    (w.identified_by_content)
                },
            }
        }
        form #mapping method="post" action={ "/imports/uploads/" (upload.id) } {
            input type="hidden" name=(CSRF_FIELD) value=(who.principal.csrf_token());
            table {
                thead { tr { th scope="col" { (w.column) } th scope="col" { (w.field) } th scope="col" { (w.first_value) } } }
                tbody {
                    @for (index, (header, field)) in preview.mapping.columns.iter().enumerate() {
                        @let id = format!("col{index}");
                        @let error = problem.filter(|(i, _)| *i == index).map(|(_, m)| m);
                        tr {
                            th scope="row" { label for=(id) { (header) } }
                            td {
                                select id=(id) name=(id) aria-describedby=[error.map(|_| format!("{id}_error"))] {
                                    @for f in Field::ALL {
                                        option value=(f.name()) selected[f == *field] { (field_label(lang, f)) }
                                    }
                                }
                                @if let Some(m) = error { p.error id={ (id) "_error" } { (m) } }
                            }
                            td { (first_row.get(index).map_or("", String::as_str)) }
                        }
                    }
                }
            }
            p.muted { (w.nothing_written) }
            p.actions {
                button type="submit" name="action" value="check" { (w.check_again) }
                button.primary type="submit" name="action" value="import" { (w.import) }
            }
        }
        section aria-labelledby="rejects" {
            h2 #rejects { (w.would_reject) " " span.muted { "(" (preview.rejected) " / " (preview.checked) " " (w.checked_rows) ")" } }
            @if preview.rejects.is_empty() {
                p.empty { (w.no_rejects) }
            } @else {
                table {
                    thead { tr { th scope="col" { (w.row) } th scope="col" { (w.column) } th scope="col" { (w.why) } } }
                    tbody { @for e in &preview.rejects {
                        tr { td.num { (e.row) } td { (e.column) } td { (e.message) } }
                    } }
                }
            }
        }
        section aria-labelledby="first-rows" {
            h2 #first-rows { (w.preview) }
            div.scroll {
                table {
                    thead { tr {
                        th scope="col" { (w.row) }
                        @for header in &preview.headers { th scope="col" { (header) } }
                    } }
                    tbody { @for row in &preview.rows {
                        tr class=[row.rejected.as_ref().map(|_| "rejected")] {
                            td.num { (row.row) @if row.rejected.is_some() { " ✕" } }
                            @for cell in &row.cells { td { (cell) } }
                        }
                    } }
                }
            }
        }
    };
    layout::page(who, w.mapping_title, body)
}

fn job_id(lang: Lang, id: Result<Path<i64>, PathRejection>) -> WebResult<i64> {
    id.map(|Path(id)| id).map_err(|_| failed(lang)(ApiError::not_found("import job with this id")))
}

async fn import_job(state: &AppState, who: &SignedIn, id: Result<Path<i64>, PathRejection>) -> WebResult<Job> {
    let lang = who.lang;
    let id = job_id(lang, id)?;
    let job = crate::http::jobs::visible_job(state, &who.principal, id).await.map_err(failed(lang))?;
    if job.kind != sift_app::jobs::IMPORT {
        return Err(failed(lang)(ApiError::not_found("import job with this id")));
    }
    Ok(job)
}

/// An import job: its progress while it runs, its summary when it is done.
pub async fn job_page(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
) -> WebResult<Response> {
    let job = import_job(&state, &who, id).await?;
    let w = words(who.lang);
    let body = html! {
        h1 { (w.job_title) " #" (job.id) }
        (job_fragment(who.lang, &job))
        p.actions {
            a.button href="/imports/new" { (w.another) }
            a.button href="/board" { (w.see_board) }
        }
    };
    Ok(html(StatusCode::OK, layout::page(&who, w.job_title, body)))
}

/// The part of the job page that changes: polled every second while the job runs.
pub async fn job_progress(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
) -> WebResult<Response> {
    let job = import_job(&state, &who, id).await?;
    Ok(html(StatusCode::OK, job_fragment(who.lang, &job)))
}

fn job_fragment(lang: Lang, job: &Job) -> Markup {
    let w = words(lang);
    let finished = matches!(job.status, JobStatus::Done | JobStatus::Failed);
    let count =
        |key: &str| job.result.as_ref().and_then(|r| r.get(key)).and_then(serde_json::Value::as_u64).unwrap_or(0);
    let total = job.progress.total.unwrap_or(0).max(0);
    let done = job.progress.done.clamp(0, total.max(job.progress.done));
    let percent = if total > 0 { done * 100 / total } else { 0 };
    let poll = format!("/imports/jobs/{}/progress", job.id);
    html! {
        div #job aria-live="polite" hx-get=[(!finished).then_some(poll.as_str())]
            hx-trigger=[(!finished).then_some("every 1s")] hx-swap=[(!finished).then_some("outerHTML")] {
            @match job.status {
                JobStatus::Queued | JobStatus::Running => {
                    p { strong { (if job.status == JobStatus::Queued { w.queued } else { w.running }) } " " (percent) "%" }
                    progress #job-progress max=(total.max(1)) value=(done) aria-label=(w.running) { (percent) "%" }
                    p { a href={ "/imports/jobs/" (job.id) } { (w.refresh) } }
                }
                JobStatus::Failed => {
                    p.error role="alert" { (w.failed) ": " (job.error.as_deref().unwrap_or("")) }
                }
                JobStatus::Done => {
                    p.notice #summary role="status" { (w.done) }
                    table.summary {
                        tbody {
                            @for (label, key) in [
                                (w.rows, "rows"), (w.created, "inserted"), (w.updated, "updated"),
                                (w.unchanged, "unchanged"), (w.duplicates, "duplicates"), (w.rejected, "rejected"),
                                (w.matched_by_content, "matched_by_content"),
                            ] {
                                tr { th scope="row" { (label) } td.num data-count=(key) { (count(key)) } }
                            }
                        }
                    }
                    @if let Some(notes) = job.result.as_ref().and_then(|r| r.get("notes")).and_then(serde_json::Value::as_array) {
                        @for note in notes { @if let Some(n) = note.as_str() { p.muted { (n) } } }
                    }
                    @if count("rejected") > 0 {
                        p { a.button #rejects-file href={ "/api/v1/imports/" (job.id) "/rejects" } download { (w.download_rejects) } }
                    }
                }
            }
        }
    }
}
