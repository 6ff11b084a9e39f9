//! The models (issue 10): `GET /models` lists the stored models (kind, when, on how many
//! leads, AUC, which is active) with the form that trains one from the stored outcomes as a
//! job (`sift_app::scoring::enqueue_training`, as the API's train endpoint); its progress is
//! a small fragment htmx polls (`GET /models/jobs/{job}`), with a plain refresh link
//! without JavaScript. `GET /models/{id}` draws the cross-validation report as SVG charts
//! (`charts`): ROC, calibration, lift by decile, the top factors, and for `auto` the
//! candidates it chose from. `POST /models/{id}/activate` makes it the scoring model.
//! Managers and admins train and activate; reps and viewers read.
//!
//! The page's words live here in English and Chinese (`ModelWords`).

use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use sift_score::ModelChoice;
use sift_store::jobs::JobStatus;
use sift_store::{Job, ModelInfo};

use super::charts::{self, Labels};
use super::i18n::Lang;
use super::layout;
use super::{SignedIn, WebError, WebResult, html};
use crate::auth::CSRF_FIELD;
use crate::problem::{ApiError, Kind};
use crate::state::AppState;

/// Every word of the models pages, one static per language.
pub struct ModelWords {
    pub nav: &'static str,
    title: &'static str,
    intro: &'static str,
    empty: &'static str,
    col_version: &'static str,
    col_kind: &'static str,
    col_trained: &'static str,
    col_leads: &'static str,
    col_auc: &'static str,
    col_status: &'static str,
    active: &'static str,
    inactive: &'static str,
    train_heading: &'static str,
    train_help: &'static str,
    kind_label: &'static str,
    kind_auto: &'static str,
    kind_logistic: &'static str,
    kind_gbm: &'static str,
    kind_odoo: &'static str,
    train_button: &'static str,
    read_only: &'static str,
    job_heading: &'static str,
    job_queued: &'static str,
    job_running: &'static str,
    job_done: &'static str,
    job_failed: &'static str,
    see_model: &'static str,
    refresh: &'static str,
    model_title: &'static str,
    all_models: &'static str,
    activate: &'static str,
    activated: &'static str,
    label: &'static str,
    trained_by: &'static str,
    rows: &'static str,
    positives: &'static str,
    base_rate: &'static str,
    folds: &'static str,
    log_loss: &'static str,
    brier: &'static str,
    numbers: &'static str,
    no_curves: &'static str,
    roc_title: &'static str,
    /// `{auc}` is replaced by the figure.
    roc_desc: &'static str,
    roc_x: &'static str,
    roc_y: &'static str,
    threshold: &'static str,
    calibration_title: &'static str,
    calibration_desc: &'static str,
    calibration_x: &'static str,
    calibration_y: &'static str,
    bin: &'static str,
    predicted: &'static str,
    observed: &'static str,
    lift_title: &'static str,
    lift_desc: &'static str,
    lift_x: &'static str,
    lift_y: &'static str,
    decile: &'static str,
    converted: &'static str,
    lift: &'static str,
    factors_title: &'static str,
    factors_desc: &'static str,
    factor: &'static str,
    weight: &'static str,
    leads: &'static str,
    selection_title: &'static str,
    candidate: &'static str,
    chosen: &'static str,
    why: &'static str,
    yes: &'static str,
    dropped_title: &'static str,
    dates_title: &'static str,
    column: &'static str,
    not_found: &'static str,
}

pub static EN: ModelWords = ModelWords {
    nav: "Models",
    title: "Scoring models",
    intro: "A model learns from the leads whose outcome is known (won or lost) and scores every lead from 1 to 99.",
    empty: "No model yet. Train one from the stored outcomes below.",
    col_version: "Version",
    col_kind: "Kind",
    col_trained: "Trained",
    col_leads: "Leads",
    col_auc: "AUC",
    col_status: "Status",
    active: "Active",
    inactive: "Not active",
    train_heading: "Train from stored outcomes",
    train_help: "Auto compares the model kinds on the same cross-validation folds and keeps the best; near-ties go to the simpler kind.",
    kind_label: "Model kind",
    kind_auto: "Auto (recommended)",
    kind_logistic: "Logistic regression",
    kind_gbm: "Gradient boosting",
    kind_odoo: "Odoo naive Bayes",
    train_button: "Start training",
    read_only: "Only managers and admins may train or activate models.",
    job_heading: "Training",
    job_queued: "Waiting for a worker…",
    job_running: "Training…",
    job_done: "Done.",
    job_failed: "Training failed:",
    see_model: "See model",
    refresh: "Refresh",
    model_title: "Model",
    all_models: "All models",
    activate: "Make this the active model",
    activated: "This model now scores leads.",
    label: "Outcome learned",
    trained_by: "Trained by",
    rows: "Leads with a known outcome",
    positives: "Converted",
    base_rate: "Base rate",
    folds: "Cross-validation folds",
    log_loss: "Log loss",
    brier: "Brier score",
    numbers: "The numbers",
    no_curves: "This model was stored before reports kept their curves; train again to see them.",
    roc_title: "ROC curve",
    roc_desc: "Share of converted leads found (up) against share of the others let through (across), as the score threshold goes down. AUC {auc}; the dashed diagonal is a guess.",
    roc_x: "False positive rate",
    roc_y: "True positive rate",
    threshold: "Score threshold",
    calibration_title: "Calibration",
    calibration_desc: "Share of leads that converted against the predicted probability, per band of scores. The dashed line is a perfectly calibrated model.",
    calibration_x: "Predicted probability",
    calibration_y: "Share converted",
    bin: "Scores",
    predicted: "Predicted",
    observed: "Observed",
    lift_title: "Lift by decile",
    lift_desc: "Leads in ten equal groups by score, highest first: how many times the base rate each group converted at. The dashed line is no lift.",
    lift_x: "Decile (1 = highest scores)",
    lift_y: "Lift (× base rate)",
    decile: "Decile",
    converted: "Converted",
    lift: "Lift",
    factors_title: "Top factors",
    factors_desc: "The field values that raise scores (right) and lower them (left) most: the mean effect on the log-odds over the training leads that have them.",
    factor: "Field = value",
    weight: "Weight",
    leads: "Leads",
    selection_title: "How auto chose",
    candidate: "Candidate",
    chosen: "Chosen",
    why: "Why",
    yes: "Yes",
    dropped_title: "Fields left out",
    dates_title: "Fields read as dates",
    column: "Field",
    not_found: "There is no model with this version.",
};

pub static ZH: ModelWords = ModelWords {
    nav: "模型",
    title: "评分模型",
    intro: "模型从已知结果（赢单或丢单）的线索中学习，给每条线索打 1 到 99 分。",
    empty: "还没有模型。可以在下面用已保存的结果训练一个。",
    col_version: "版本",
    col_kind: "类型",
    col_trained: "训练时间",
    col_leads: "线索数",
    col_auc: "AUC",
    col_status: "状态",
    active: "使用中",
    inactive: "未启用",
    train_heading: "用已保存的结果训练",
    train_help: "自动模式在相同的交叉验证折上比较各类模型，保留最好的一个；成绩接近时选更简单的。",
    kind_label: "模型类型",
    kind_auto: "自动（推荐）",
    kind_logistic: "逻辑回归",
    kind_gbm: "梯度提升",
    kind_odoo: "Odoo 朴素贝叶斯",
    train_button: "开始训练",
    read_only: "只有经理和管理员可以训练或启用模型。",
    job_heading: "训练进度",
    job_queued: "等待执行…",
    job_running: "正在训练…",
    job_done: "已完成。",
    job_failed: "训练失败：",
    see_model: "查看模型",
    refresh: "刷新",
    model_title: "模型",
    all_models: "全部模型",
    activate: "启用这个模型",
    activated: "现在由这个模型给线索打分。",
    label: "学习的结果",
    trained_by: "训练人",
    rows: "已知结果的线索",
    positives: "已转化",
    base_rate: "基准转化率",
    folds: "交叉验证折数",
    log_loss: "对数损失",
    brier: "Brier 分数",
    numbers: "查看数据",
    no_curves: "这个模型保存时报告还不含曲线数据，重新训练后即可看到。",
    roc_title: "ROC 曲线",
    roc_desc: "随着分数阈值降低，找到的已转化线索比例（纵轴）与放进来的其他线索比例（横轴）。AUC 为 {auc}；虚线对角线相当于随机猜测。",
    roc_x: "假阳性率",
    roc_y: "真阳性率",
    threshold: "分数阈值",
    calibration_title: "校准",
    calibration_desc: "按分数段比较预测概率与实际转化比例。虚线表示完美校准的模型。",
    calibration_x: "预测概率",
    calibration_y: "实际转化比例",
    bin: "分数段",
    predicted: "预测",
    observed: "实际",
    lift_title: "各十分位的提升度",
    lift_desc: "按分数把线索分成十等份，高分在前：每组的转化率是基准转化率的几倍。虚线表示没有提升。",
    lift_x: "十分位（1 = 最高分）",
    lift_y: "提升度（基准的倍数）",
    decile: "十分位",
    converted: "已转化",
    lift: "提升度",
    factors_title: "主要因素",
    factors_desc: "最能提高（右）和降低（左）分数的字段取值：在具有该取值的训练线索上，对对数几率的平均影响。",
    factor: "字段 = 取值",
    weight: "权重",
    leads: "线索数",
    selection_title: "自动模式如何选择",
    candidate: "候选模型",
    chosen: "选中",
    why: "原因",
    yes: "是",
    dropped_title: "未使用的字段",
    dates_title: "按日期读取的字段",
    column: "字段",
    not_found: "没有这个版本的模型。",
};

/// The words of the models pages in a language.
pub fn words(lang: Lang) -> &'static ModelWords {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

fn kind_name(w: &ModelWords, kind: &str) -> &'static str {
    match kind {
        "auto" => w.kind_auto,
        "logistic" => w.kind_logistic,
        "gbm" => w.kind_gbm,
        "odoo-nb" => w.kind_odoo,
        _ => "",
    }
}

/// A kind as stored, in words (an unknown kind as it is).
fn kind_text<'a>(w: &ModelWords, kind: &'a str) -> &'a str {
    match kind_name(w, kind) {
        "" => kind,
        name => name,
    }
}

/// An RFC 3339 time as `2026-12-04 22:30 UTC`.
fn when(at: &str) -> String {
    match at.get(..16) {
        Some(minutes) if at.ends_with('Z') || at.ends_with("+00:00") => format!("{} UTC", minutes.replace('T', " ")),
        _ => at.to_owned(),
    }
}

fn may_change(who: &SignedIn) -> bool {
    who.principal.require_write().is_ok() && who.principal.require_manager().is_ok()
}

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    job: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
    params: Result<Query<ListParams>, QueryRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let w = words(lang);
    let failed = WebError::in_lang(lang);
    let Query(params) = params.map_err(super::bad_query(lang))?;
    let models = sift_app::scoring::models(state.store()).await.map_err(|e| failed(e.into()))?;
    let job = match params.job {
        Some(id) => Some(training_job(&state, id).await.map_err(&failed)?),
        None => None,
    };
    let csrf = who.principal.csrf_token();
    let main = html! {
        h1 { (w.title) }
        p.muted { (w.intro) }
        @if let Some(job) = &job { (progress(w, job)) }
        (model_list(w, &models, false))
        h2 #train-heading { (w.train_heading) }
        @if may_change(&who) {
            form.train-form method="post" action="/models/train" aria-labelledby="train-heading" {
                input type="hidden" name=(CSRF_FIELD) value=(csrf);
                label for="kind" { (w.kind_label)
                    select #kind name="kind" {
                        @for choice in sift_app::scoring::MODEL_CHOICES {
                            option value=(choice.name()) selected[choice == ModelChoice::Auto] { (kind_name(w, choice.name())) }
                        }
                    }
                }
                button.primary type="submit" { (w.train_button) }
            }
            p.muted { (w.train_help) }
        } @else {
            p.notice role="status" #read-only { (w.read_only) }
        }
    };
    Ok(html(StatusCode::OK, layout::page(&who, w.title, main)))
}

/// The stored models as a table; `out_of_band` when it comes with the progress fragment of
/// a finished job, to replace the page's list (htmx swaps it by id).
fn model_list(w: &ModelWords, models: &[ModelInfo], out_of_band: bool) -> Markup {
    html! {
        div #model-list hx-swap-oob=[out_of_band.then_some("true")] {
            @if models.is_empty() {
                p.empty { (w.empty) }
            } @else {
                table #models {
                    thead { tr {
                        th scope="col" { (w.col_version) } th scope="col" { (w.col_kind) } th scope="col" { (w.col_trained) }
                        th scope="col" { (w.col_leads) } th scope="col" { (w.col_auc) } th scope="col" { (w.col_status) }
                    } }
                    tbody {
                        @for m in models {
                            tr {
                                td { a href={ "/models/" (m.id) } { (w.model_title) " " (m.id) } }
                                td { (kind_text(w, &m.kind)) }
                                td { (when(&m.created_at)) }
                                td.num { (m.report.get("rows").and_then(|v| v.as_u64()).map(|v| v.to_string()).unwrap_or_default()) }
                                td.num { (m.report.get("auc").and_then(|v| v.as_f64()).map(|v| format!("{v:.3}")).unwrap_or_default()) }
                                td { (status_badge(w, m.active)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn status_badge(w: &ModelWords, active: bool) -> Markup {
    html! {
        @if active {
            span.badge.model-active { span aria-hidden="true" { "●" } " " (w.active) }
        } @else {
            span.muted { (w.inactive) }
        }
    }
}

/// A training job, by id (another kind of job is not found here).
async fn training_job(state: &AppState, id: i64) -> Result<Job, ApiError> {
    let job = sift_app::jobs::job(state.store(), id).await?;
    if job.kind != sift_app::jobs::TRAIN {
        return Err(ApiError::not_found("training job with this id"));
    }
    Ok(job)
}

/// Where a training job stands; polled by htmx while it runs, with a refresh link for
/// browsers without JavaScript.
fn progress(w: &ModelWords, job: &Job) -> Markup {
    let running = matches!(job.status, JobStatus::Queued | JobStatus::Running);
    let version = job.result.as_ref().and_then(|r| r.get("model_version")).and_then(|v| v.as_i64());
    html! {
        section #training .training role="status" aria-live="polite" data-status=(job.status.name())
            hx-get=[running.then(|| format!("/models/jobs/{}", job.id))] hx-trigger=[running.then_some("every 1s")]
            hx-swap=[running.then_some("outerHTML")] {
            h2 { (w.job_heading) }
            @match job.status {
                JobStatus::Queued => p { (w.job_queued) },
                JobStatus::Running => p {
                    (w.job_running)
                    @if let Some(message) = &job.progress.message { " " span.muted { (message) } }
                },
                JobStatus::Done => p.notice {
                    (w.job_done) " "
                    @if let Some(v) = version { a #new-model href={ "/models/" (v) } { (w.see_model) " " (v) } }
                },
                JobStatus::Failed => p.error { (w.job_failed) " " (job.error.as_deref().unwrap_or("")) },
            }
            @if running {
                p { a href={ "/models?job=" (job.id) } { (w.refresh) } }
            }
        }
    }
}

/// The progress fragment for htmx; a browser that asks for it directly goes to the page.
pub async fn job_progress(
    State(state): State<AppState>,
    who: SignedIn,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let failed = WebError::in_lang(lang);
    let Ok(Path(id)) = id else {
        return Err(failed(ApiError::not_found("training job with this id")));
    };
    if !headers.contains_key("hx-request") {
        return Ok(super::see_other(&format!("/models?job={id}")));
    }
    let job = training_job(&state, id).await.map_err(&failed)?;
    let w = words(lang);
    // A finished job brings the list with it, so the new model shows without a reload.
    let list = match job.status {
        JobStatus::Done => {
            let models = sift_app::scoring::models(state.store()).await.map_err(|e| failed(e.into()))?;
            Some(model_list(w, &models, true))
        }
        _ => None,
    };
    Ok(html(StatusCode::OK, html! { (progress(w, &job)) @if let Some(list) = list { (list) } }))
}

#[derive(Debug, Deserialize)]
pub struct TrainForm {
    csrf_token: String,
    kind: Option<String>,
}

/// Starts training on the stored outcomes as a job, then back to the list with its progress.
pub async fn train(
    State(state): State<AppState>,
    who: SignedIn,
    form: Result<Form<TrainForm>, FormRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let failed = WebError::in_lang(lang);
    let Form(form) = form.map_err(super::bad_form(lang))?;
    who.principal.check_form_csrf(&form.csrf_token).map_err(&failed)?;
    who.principal.require_write().map_err(&failed)?;
    who.principal.require_manager().map_err(&failed)?;
    let kind = sift_app::scoring::model_choice(form.kind.as_deref().unwrap_or("auto")).map_err(|e| failed(e.into()))?;
    let request = sift_app::scoring::TrainRequest {
        kind,
        label: None,
        positive: None,
        exclude: Vec::new(),
        folds: None,
        seed: None,
        activate: None,
    };
    let job = sift_app::scoring::enqueue_training(state.store(), &request, Some(who.principal.user.id))
        .await
        .map_err(|e| failed(e.into()))?;
    crate::http::audit(
        &state,
        &who.principal,
        "model.train",
        "models",
        serde_json::json!({"job": job, "kind": kind.name()}),
    )
    .await
    .map_err(&failed)?;
    Ok(super::see_other(&format!("/models?job={job}")))
}

fn model_version(lang: Lang, id: Result<Path<i64>, PathRejection>) -> WebResult<i64> {
    id.map(|Path(id)| id).map_err(|_| WebError { error: ApiError::not_found("model with this version"), lang })
}

fn not_found(lang: Lang) -> impl Fn(sift_app::AppError) -> WebError {
    move |e| match e {
        sift_app::AppError::NotFound { .. } => {
            WebError { error: ApiError::new(Kind::NotFound, words(lang).not_found), lang }
        }
        other => WebError { error: other.into(), lang },
    }
}

/// Makes a model the one that scores leads, then back to its page with a notice.
pub async fn activate(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let failed = WebError::in_lang(lang);
    let version = model_version(lang, id)?;
    let Form(pairs) = form.map_err(super::bad_form(lang))?;
    let sent = pairs.iter().find(|(k, _)| k == CSRF_FIELD).map_or("", |(_, v)| v.as_str());
    who.principal.check_form_csrf(sent).map_err(&failed)?;
    who.principal.require_write().map_err(&failed)?;
    who.principal.require_manager().map_err(&failed)?;
    sift_app::scoring::activate(state.store(), version).await.map_err(not_found(lang))?;
    state.jobs().models.forget_active();
    crate::http::audit(&state, &who.principal, "model.activated", &format!("model:{version}"), serde_json::json!({}))
        .await
        .map_err(&failed)?;
    Ok(super::see_other(&format!("/models/{version}?activated=1")))
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowParams {
    activated: Option<String>,
}

/// One model: its figures, the charts of its report, how `auto` chose it.
pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    params: Result<Query<ShowParams>, QueryRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let w = words(lang);
    let version = model_version(lang, id)?;
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let found = sift_app::scoring::model_report(state.store(), version).await.map_err(not_found(lang))?;
    let info = &found.info;
    let title = format!("{} {}", w.model_title, info.id);
    let main = html! {
        p { a href="/models" { "← " (w.all_models) } }
        h1 { (title) " · " (kind_text(w, &info.kind)) " " (status_badge(w, info.active)) }
        @if params.activated.is_some() && info.active { p.notice role="status" #activated { (w.activated) } }
        (facts(w, info))
        @if !info.active && may_change(&who) {
            form.actions method="post" action={ "/models/" (info.id) "/activate" } {
                input type="hidden" name=(CSRF_FIELD) value=(who.principal.csrf_token());
                button.primary type="submit" { (w.activate) }
            }
        }
        @match &found.report {
            Some(report) => (report_charts(lang, w, report)),
            None => p.empty { (w.no_curves) },
        }
    };
    Ok(html(StatusCode::OK, layout::page(&who, &title, main)))
}

fn facts(w: &ModelWords, info: &ModelInfo) -> Markup {
    let figure = |key: &str, digits: usize| {
        info.report.get(key).and_then(|v| v.as_f64()).map(|v| format!("{v:.digits$}")).unwrap_or_default()
    };
    let count = |key: &str| info.report.get(key).and_then(|v| v.as_u64()).map(|v| v.to_string()).unwrap_or_default();
    html! {
        dl.facts.model-facts {
            dt { (w.label) } dd { (info.label) }
            dt { (w.col_trained) } dd { (when(&info.created_at)) }
            dt { (w.trained_by) } dd { (info.created_by) }
            dt { (w.rows) } dd { (count("rows")) }
            dt { (w.positives) } dd { (count("positives")) " (" (w.base_rate) " " (figure("base_rate", 3)) ")" }
            dt { (w.folds) } dd { (count("folds")) }
            dt { "AUC" } dd #auc { (figure("auc", 3)) }
            dt { (w.log_loss) } dd { (figure("log_loss", 3)) }
            dt { (w.brier) } dd { (figure("brier", 3)) }
        }
    }
}

fn report_charts(lang: Lang, w: &ModelWords, report: &sift_score::TrainReport) -> Markup {
    let say = super::messages::say;
    let roc: Vec<(f64, f64, f64)> = report.roc.iter().map(|p| (p.fpr, p.tpr, p.threshold)).collect();
    let bins: Vec<(f64, f64, usize, String)> = report
        .calibration
        .iter()
        .map(|b| (b.predicted, b.observed, b.leads, format!("{}–{}", b.low, b.high)))
        .collect();
    let deciles: Vec<(u32, f64, usize, usize)> =
        report.lift.iter().map(|d| (d.decile, d.lift, d.leads, d.converted)).collect();
    let factors: Vec<(String, f64, usize)> =
        report.top_factors.iter().map(|f| (format!("{} = {}", f.column, f.value), f.effect, f.leads)).collect();
    let auc = format!("{:.3}", report.metrics.auc);
    html! {
        @if roc.is_empty() && deciles.is_empty() { p.empty { (w.no_curves) } }
        div.charts {
            @if !roc.is_empty() {
                section.chart-card aria-labelledby="roc-heading" {
                    h2 #roc-heading { (w.roc_title) }
                    (charts::roc(&Labels { id: "roc", title: w.roc_title, desc: w.roc_desc.replace("{auc}", &auc),
                        x_axis: w.roc_x, y_axis: w.roc_y, numbers: w.numbers }, &roc, [w.threshold, w.roc_x, w.roc_y]))
                }
            }
            @if !bins.is_empty() {
                section.chart-card aria-labelledby="calibration-heading" {
                    h2 #calibration-heading { (w.calibration_title) }
                    (charts::calibration(&Labels { id: "calibration", title: w.calibration_title, desc: w.calibration_desc.to_owned(),
                        x_axis: w.calibration_x, y_axis: w.calibration_y, numbers: w.numbers }, &bins, [w.bin, w.leads, w.predicted, w.observed]))
                }
            }
            @if !deciles.is_empty() {
                section.chart-card aria-labelledby="lift-heading" {
                    h2 #lift-heading { (w.lift_title) }
                    (charts::lift(&Labels { id: "lift", title: w.lift_title, desc: w.lift_desc.to_owned(),
                        x_axis: w.lift_x, y_axis: w.lift_y, numbers: w.numbers }, &deciles, [w.decile, w.leads, w.converted, w.lift]))
                }
            }
            @if !factors.is_empty() {
                section.chart-card aria-labelledby="factors-heading" {
                    h2 #factors-heading { (w.factors_title) }
                    (charts::factors(&Labels { id: "factors", title: w.factors_title, desc: w.factors_desc.to_owned(),
                        x_axis: "", y_axis: "", numbers: w.numbers }, &factors, [w.factor, w.weight, w.leads]))
                }
            }
        }
        @if let Some(selection) = &report.selection {
            h2 { (w.selection_title) }
            p #selection-reason { (say(lang, &selection.reason, selection.reason_message.as_ref())) }
            table #candidates {
                thead { tr {
                    th scope="col" { (w.candidate) } th scope="col" { "AUC" } th scope="col" { (w.log_loss) }
                    th scope="col" { (w.chosen) } th scope="col" { (w.why) }
                } }
                tbody {
                    @for c in &selection.candidates {
                        tr {
                            td { (kind_text(w, c.kind.name())) }
                            td.num { (c.metrics.as_ref().map(|m| format!("{:.3}", m.auc)).unwrap_or_default()) }
                            td.num { (c.metrics.as_ref().map(|m| format!("{:.3}", m.log_loss)).unwrap_or_default()) }
                            td { @if c.chosen { (w.yes) } }
                            td { (say(lang, &c.note, c.note_message.as_ref())) }
                        }
                    }
                }
            }
        }
        @if !report.date_columns.is_empty() {
            details {
                summary { (w.dates_title) " (" (report.date_columns.len()) ")" }
                table {
                    thead { tr { th scope="col" { (w.column) } th scope="col" { (w.why) } } }
                    tbody { @for d in &report.date_columns {
                        tr { td { (d.column) " (" (d.format) ")" } td { (say(lang, &d.note, Some(&d.note_message))) } }
                    } }
                }
            }
        }
        @if !report.dropped_columns.is_empty() {
            details {
                summary { (w.dropped_title) " (" (report.dropped_columns.len()) ")" }
                table {
                    thead { tr { th scope="col" { (w.column) } th scope="col" { (w.why) } } }
                    tbody { @for d in &report.dropped_columns {
                        tr { td { (d.name) } td { (say(lang, &d.reason, d.reason_message.as_ref())) } }
                    } }
                }
            }
        }
    }
}
