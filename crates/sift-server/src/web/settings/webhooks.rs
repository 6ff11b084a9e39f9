//! Webhooks (issue 10): `GET /settings/webhooks` lists them (URL, events, paused and why, the
//! latest delivery from `sift_app::webhooks::overview`); `POST /settings/webhooks` creates one
//! with `webhooks::create` (the server's target policy) and answers 201 with its signing
//! secret shown once (`hx-history="false"`); `GET /settings/webhooks/{id}` shows one with its
//! delivery log (`webhooks::deliveries`: event, attempt, outcome, status code, error, time),
//! each event with a redeliver button (`webhooks::redeliver`, a job, as the API's);
//! `POST .../pause`, `.../resume`, `.../events` (the event kinds it receives from now on),
//! `.../url` (the address it is sent to; both `webhooks::update`, the API's PATCH) and
//! `.../delete` (a ticked confirmation;
//! `webhooks::delete`). Audited as the API's.

use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use sift_app::webhooks::{NewSubscription, WebhookChange, WebhookOverview};
use sift_store::EventKind;
use sift_store::events::{Delivery, Webhook};

use super::{crumbs, day_and_time, require_admin};
use crate::auth::CSRF_FIELD;
use crate::http::webhooks::policy;
use crate::problem::{ApiError, Kind};
use crate::state::AppState;
use crate::web::i18n::Lang;
use crate::web::layout;
use crate::web::{SignedIn, WebError, WebResult, bad_form, bad_query, html, see_other};

/// Delivery attempts shown per page of the log.
const LOG_PAGE: i64 = 100;

/// Every word of the webhook pages, one static per language.
pub struct WebhookWords {
    title: &'static str,
    intro: &'static str,
    empty: &'static str,
    col_url: &'static str,
    col_events: &'static str,
    col_status: &'static str,
    col_last: &'static str,
    col_actions: &'static str,
    active: &'static str,
    paused: &'static str,
    pause: &'static str,
    resume: &'static str,
    none_yet: &'static str,
    create_heading: &'static str,
    url: &'static str,
    url_help: &'static str,
    events: &'static str,
    description: &'static str,
    description_term: &'static str,
    create: &'static str,
    created_heading: &'static str,
    secret_label: &'static str,
    secret_hint: &'static str,
    done: &'static str,
    paused_notice: &'static str,
    resumed_notice: &'static str,
    deleted_notice: &'static str,
    redelivered_notice: &'static str,
    webhook: &'static str,
    created: &'static str,
    updated: &'static str,
    log: &'static str,
    log_intro: &'static str,
    log_empty: &'static str,
    col_time: &'static str,
    col_event: &'static str,
    col_attempt: &'static str,
    col_outcome: &'static str,
    col_code: &'static str,
    col_error: &'static str,
    col_duration: &'static str,
    col_redeliver: &'static str,
    redeliver: &'static str,
    older: &'static str,
    delivered: &'static str,
    failed: &'static str,
    gone: &'static str,
    delete_heading: &'static str,
    delete_confirm: &'static str,
    delete: &'static str,
    delete_needs_confirm: &'static str,
    events_heading: &'static str,
    events_intro: &'static str,
    save_events: &'static str,
    events_notice: &'static str,
    events_none: &'static str,
    url_heading: &'static str,
    url_intro: &'static str,
    save_url: &'static str,
    url_notice: &'static str,
}

pub static EN: WebhookWords = WebhookWords {
    title: "Webhooks",
    intro: "Sift posts each event to these addresses, signed with the webhook's secret (Standard Webhooks: the webhook-id, webhook-timestamp and webhook-signature headers). A failed delivery is tried again for about three hours; a receiver that answers 410 Gone pauses its webhook.",
    empty: "No webhook yet. Create one below to have Sift tell another system when a lead changes.",
    col_url: "Address",
    col_events: "Events",
    col_status: "Status",
    col_last: "Latest delivery",
    col_actions: "Pause or resume",
    active: "Active",
    paused: "Paused",
    pause: "Pause",
    resume: "Resume",
    none_yet: "None yet",
    create_heading: "Create a webhook",
    url: "Address (URL)",
    url_help: "http or https, on the public internet unless the server allows private addresses.",
    events: "Events to send",
    description: "Description (optional)",
    description_term: "Description",
    create: "Create webhook",
    created_heading: "Webhook created. Its signing secret:",
    secret_label: "Signing secret",
    secret_hint: "Give it to the receiving system to check the webhook-signature header. It is shown this once and never again.",
    done: "I have copied it",
    paused_notice: "The webhook is paused: events meanwhile are not sent (redeliver them from its log).",
    resumed_notice: "The webhook is active again.",
    deleted_notice: "The webhook and its delivery log are deleted.",
    redelivered_notice: "The event is queued to be sent again, as job",
    webhook: "Webhook",
    created: "Created",
    updated: "Changed",
    log: "Delivery log",
    log_intro: "Every attempt, newest first. Redeliver sends the event again with its original webhook-id, so the receiver can tell a repeat.",
    log_empty: "Nothing delivered yet.",
    col_time: "Time (UTC)",
    col_event: "Event",
    col_attempt: "Attempt",
    col_outcome: "Outcome",
    col_code: "Status code",
    col_error: "Error",
    col_duration: "Took",
    col_redeliver: "Send again",
    redeliver: "Redeliver",
    older: "Older attempts",
    delivered: "Delivered",
    failed: "Failed",
    gone: "Gone (410)",
    delete_heading: "Delete this webhook",
    delete_confirm: "Yes, delete it and its delivery log; deliveries still queued are dropped",
    delete: "Delete webhook",
    delete_needs_confirm: "Tick the box to confirm the deletion.",
    events_heading: "Change the events",
    events_intro: "The events it receives from now on. Events already sent or queued are not affected.",
    save_events: "Save events",
    events_notice: "Events saved. From now on it receives:",
    events_none: "Tick at least one event.",
    url_heading: "Change the address",
    url_intro: "Deliveries from now on go to the new address, those already queued included. It is checked as a new webhook's is; the signing secret stays the same.",
    save_url: "Save address",
    url_notice: "Address saved. Deliveries now go to",
};

pub static ZH: WebhookWords = WebhookWords {
    title: "Webhook",
    intro: "Sift 会把每个事件推送到以下地址，并用该 Webhook 的密钥签名（Standard Webhooks 规范：webhook-id、webhook-timestamp 和 webhook-signature 请求头）。推送失败会在约三小时内重试；接收方返回 410 Gone 时，该 Webhook 会自动暂停。",
    empty: "还没有 Webhook。在下方创建一个，线索有变化时 Sift 就会通知其他系统。",
    col_url: "地址",
    col_events: "事件",
    col_status: "状态",
    col_last: "最近推送",
    col_actions: "暂停或恢复",
    active: "启用中",
    paused: "已暂停",
    pause: "暂停",
    resume: "恢复",
    none_yet: "暂无",
    create_heading: "创建 Webhook",
    url: "地址（URL）",
    url_help: "http 或 https；除非服务器允许内网地址，否则必须是公网地址。",
    events: "要推送的事件",
    description: "说明（选填）",
    description_term: "说明",
    create: "创建 Webhook",
    created_heading: "Webhook 已创建。签名密钥：",
    secret_label: "签名密钥",
    secret_hint: "请交给接收方系统，用于校验 webhook-signature 请求头。密钥只显示这一次，之后不会再显示。",
    done: "我已复制",
    paused_notice: "Webhook 已暂停：暂停期间的事件不会推送（可在推送记录中重新推送）。",
    resumed_notice: "Webhook 已恢复。",
    deleted_notice: "Webhook 及其推送记录已删除。",
    redelivered_notice: "事件已加入重新推送队列，任务编号",
    webhook: "Webhook",
    created: "创建时间",
    updated: "修改时间",
    log: "推送记录",
    log_intro: "每次推送尝试，最新的在前。重新推送时沿用原来的 webhook-id，接收方可以据此识别重复推送。",
    log_empty: "还没有推送记录。",
    col_time: "时间（UTC）",
    col_event: "事件",
    col_attempt: "第几次",
    col_outcome: "结果",
    col_code: "状态码",
    col_error: "错误",
    col_duration: "耗时",
    col_redeliver: "再次推送",
    redeliver: "重新推送",
    older: "更早的记录",
    delivered: "已送达",
    failed: "失败",
    gone: "已失效（410）",
    delete_heading: "删除此 Webhook",
    delete_confirm: "确认删除该 Webhook 及其推送记录；队列中尚未推送的事件将被丢弃",
    delete: "删除 Webhook",
    delete_needs_confirm: "请勾选确认框后再删除。",
    events_heading: "修改推送事件",
    events_intro: "从现在起向该地址推送的事件。已推送或已在队列中的事件不受影响。",
    save_events: "保存事件",
    events_notice: "事件已保存。从现在起推送：",
    events_none: "请至少勾选一个事件。",
    url_heading: "修改推送地址",
    url_intro: "从现在起的推送（包括队列中尚未推送的）都发往新地址。新地址按新建 Webhook 的规则检查；签名密钥不变。",
    save_url: "保存地址",
    url_notice: "地址已保存。现在推送到",
};

pub fn words(lang: Lang) -> &'static WebhookWords {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

fn outcome_label(w: &WebhookWords, outcome: &str) -> (&'static str, &'static str) {
    match outcome {
        "delivered" => ("✓", w.delivered),
        "gone" => ("⏸", w.gone),
        _ => ("✕", w.failed),
    }
}

fn outcome_badge(w: &WebhookWords, d: &Delivery) -> Markup {
    let (icon, label) = outcome_label(w, &d.outcome);
    let class = match d.outcome.as_str() {
        "delivered" => "badge delivery-ok",
        _ => "badge delivery-failed",
    };
    html! { span class=(class) { span aria-hidden="true" { (icon) } " " (label) } }
}

fn status_badge(w: &WebhookWords, hook: &Webhook) -> Markup {
    html! {
        @if hook.paused {
            span.badge.off { span aria-hidden="true" { "⏸" } " " (w.paused) }
            @if let Some(reason) = &hook.paused_reason { br; span.muted { (reason) } }
        } @else {
            span.badge.on { span aria-hidden="true" { "●" } " " (w.active) }
        }
    }
}

fn pause_form(w: &WebhookWords, csrf: &str, hook: &Webhook, back: &str) -> Markup {
    let (action, label) = if hook.paused { ("resume", w.resume) } else { ("pause", w.pause) };
    html! {
        form.row-form method="post" action={ "/settings/webhooks/" (hook.id) "/" (action) } hx-boost="false" {
            input type="hidden" name=(CSRF_FIELD) value=(csrf);
            input type="hidden" name="back" value=(back);
            button type="submit" aria-label={ (label) ": " (hook.url) } { (label) }
        }
    }
}

/// What the add form had in it, to show again with its error.
#[derive(Default)]
struct Typed<'a> {
    url: &'a str,
    events: Vec<&'a str>,
    description: &'a str,
}

#[derive(Default)]
struct Shown<'a> {
    /// The webhook just created and its secret: this answer only.
    created: Option<(&'a Webhook, &'a str)>,
    notice: Option<&'static str>,
    problem: Option<(String, String)>,
    typed: Typed<'a>,
}

fn list_page(who: &SignedIn, hooks: &[WebhookOverview], shown: &Shown<'_>) -> Markup {
    let lang = who.lang;
    let w = words(lang);
    let csrf = who.principal.csrf_token();
    let error_for = |field: &str| shown.problem.as_ref().filter(|(f, _)| f == field).map(|(_, m)| m.clone());
    let other_error = shown.problem.as_ref().filter(|(f, _)| !matches!(f.as_str(), "url" | "events" | "description"));
    let ticked = |kind: &str| {
        if shown.problem.is_some() {
            shown.typed.events.contains(&kind)
        } else {
            kind == EventKind::LeadStageChanged.name()
        }
    };
    let body = html! {
        (crumbs(lang, &[("", w.title)]))
        h1 { (w.title) }
        p { (w.intro) }
        @if let Some((hook, secret)) = shown.created {
            section.created #new-secret aria-labelledby="new-secret-heading" hx-history="false" role="status" {
                h2 #new-secret-heading { (w.created_heading) " " (hook.url) }
                label for="secret" { (w.secret_label) }
                input #secret type="text" readonly value=(secret) autocomplete="off" spellcheck="false"
                    aria-describedby="secret-hint";
                p #secret-hint { (w.secret_hint) }
                p { a href="/settings/webhooks" { (w.done) } " · " a href={ "/settings/webhooks/" (hook.id) } { (w.log) } }
            }
        }
        @if let Some(notice) = shown.notice { p.notice role="status" { (notice) } }
        @if hooks.is_empty() {
            p.empty { (w.empty) }
        } @else {
            table #webhooks {
                thead { tr {
                    th scope="col" { (w.col_url) } th scope="col" { (w.col_events) } th scope="col" { (w.col_status) }
                    th scope="col" { (w.col_last) } th scope="col" { (w.col_actions) }
                } }
                tbody {
                    @for o in hooks {
                        @let hook = &o.webhook;
                        tr data-webhook=(hook.id) {
                            td {
                                a.url href={ "/settings/webhooks/" (hook.id) } { (hook.url) }
                                @if let Some(d) = &hook.description { br; span.muted { (d) } }
                            }
                            td { @for (i, e) in hook.events.iter().enumerate() { @if i > 0 { ", " } code { (e) } } }
                            td { (status_badge(w, hook)) }
                            td {
                                @if let Some(d) = &o.last_delivery {
                                    (outcome_badge(w, d))
                                    @if let Some(code) = d.status_code { " " code { (code) } }
                                    br; span.muted { (day_and_time(&d.at)) }
                                } @else {
                                    span.muted { (w.none_yet) }
                                }
                            }
                            td { (pause_form(w, csrf, hook, "list")) }
                        }
                    }
                }
            }
        }
        section aria-labelledby="create-webhook" {
            h2 #create-webhook { (w.create_heading) }
            @if let Some((_, m)) = other_error { p.error role="alert" { (m) } }
            form.stack.narrow method="post" action="/settings/webhooks" hx-boost="false" {
                input type="hidden" name=(CSRF_FIELD) value=(csrf);
                label for="webhook-url" { (w.url) }
                input #webhook-url type="url" name="url" value=(shown.typed.url) required maxlength="2000"
                    autocomplete="off" spellcheck="false"
                    aria-invalid=[error_for("url").map(|_| "true")]
                    aria-describedby={ "webhook-url-help" @if error_for("url").is_some() { " webhook-url-error" } };
                p #webhook-url-help.muted { (w.url_help) }
                @if let Some(m) = error_for("url") { p #webhook-url-error.error { (m) } }
                fieldset.checks aria-describedby=[error_for("events").map(|_| "webhook-events-error")] {
                    legend { (w.events) }
                    @for kind in EventKind::ALL {
                        @let id = format!("event-{}", kind.name().replace('.', "-"));
                        div {
                            input type="checkbox" id=(id) name="events" value=(kind.name()) checked[ticked(kind.name())];
                            " "
                            label for=(id) { code { (kind.name()) } }
                        }
                    }
                    @if let Some(m) = error_for("events") { p #webhook-events-error.error { (m) } }
                }
                label for="webhook-description" { (w.description) }
                input #webhook-description name="description" value=(shown.typed.description) maxlength="500"
                    aria-describedby=[error_for("description").map(|_| "webhook-description-error")];
                @if let Some(m) = error_for("description") { p #webhook-description-error.error { (m) } }
                button.primary type="submit" { (w.create) }
            }
        }
    };
    layout::page(who, w.title, body)
}

async fn overview(state: &AppState, lang: Lang) -> WebResult<Vec<WebhookOverview>> {
    sift_app::webhooks::overview(state.store()).await.map_err(|e| WebError { error: e.into(), lang })
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    paused: Option<String>,
    resumed: Option<String>,
    deleted: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> WebResult {
    require_admin(&who)?;
    let w = words(who.lang);
    let Query(query) = query.map_err(bad_query(who.lang))?;
    let hooks = overview(&state, who.lang).await?;
    let notice = if query.deleted.is_some() {
        Some(w.deleted_notice)
    } else if query.paused.is_some() {
        Some(w.paused_notice)
    } else if query.resumed.is_some() {
        Some(w.resumed_notice)
    } else {
        None
    };
    Ok(html(StatusCode::OK, list_page(&who, &hooks, &Shown { notice, ..Shown::default() })))
}

/// Creates a webhook with the API's use case and policy; the answer shows its secret once.
pub async fn create(
    State(state): State<AppState>,
    who: SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> WebResult {
    require_admin(&who)?;
    let lang = who.lang;
    let failed = WebError::in_lang(lang);
    let Form(pairs) = form.map_err(bad_form(lang))?;
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str());
    who.principal.check_form_csrf(field(CSRF_FIELD)).map_err(&failed)?;
    let events: Vec<String> = pairs.iter().filter(|(k, _)| k == "events").map(|(_, v)| v.clone()).collect();
    let description = Some(field("description").trim()).filter(|d| !d.is_empty());
    let new = NewSubscription { url: field("url"), events: &events, description };
    let created =
        sift_app::webhooks::create(state.store(), &new, Some(who.principal.user.id), &policy(state.settings())).await;
    let (hook, secret) = match created.map_err(ApiError::from) {
        Ok(created) => created,
        Err(e) if e.kind == Kind::Validation => {
            let mut problem = e.errors.first().map_or_else(
                || (String::new(), e.detail.clone()),
                |f| (f.field.clone(), e.errors.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("; ")),
            );
            if problem.0 == "events" && events.is_empty() {
                problem.1 = words(lang).events_none.to_owned();
            }
            let hooks = overview(&state, lang).await?;
            let typed = Typed {
                url: field("url"),
                events: events.iter().map(String::as_str).collect(),
                description: field("description"),
            };
            let shown = Shown { problem: Some(problem), typed, ..Shown::default() };
            return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, list_page(&who, &hooks, &shown)));
        }
        Err(e) => return Err(failed(e)),
    };
    crate::http::audit(
        &state,
        &who.principal,
        "webhook.created",
        &format!("webhook:{}", hook.id),
        serde_json::json!({"url": hook.url, "events": hook.events}),
    )
    .await
    .map_err(&failed)?;
    let hooks = overview(&state, lang).await?;
    let shown = Shown { created: Some((&hook, &secret)), ..Shown::default() };
    Ok(html(StatusCode::CREATED, list_page(&who, &hooks, &shown)))
}

fn webhook_id(lang: Lang, id: Result<Path<i64>, PathRejection>) -> WebResult<i64> {
    id.map(|Path(id)| id).map_err(|_| WebError { error: ApiError::not_found("webhook with this id"), lang })
}

/// A form that carries the page's CSRF token.
trait CsrfForm {
    fn csrf(&self) -> &str;
}

impl CsrfForm for Vec<(String, String)> {
    fn csrf(&self) -> &str {
        self.iter().find(|(k, _)| k == CSRF_FIELD).map_or("", |(_, v)| v.as_str())
    }
}

/// What every form about one webhook starts with: an admin, the webhook's id, and the form
/// with its CSRF token checked.
fn webhook_form<T: CsrfForm>(
    who: &SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<T>, FormRejection>,
) -> WebResult<(i64, T)> {
    require_admin(who)?;
    let lang = who.lang;
    let id = webhook_id(lang, id)?;
    let Form(form) = form.map_err(bad_form(lang))?;
    who.principal.check_form_csrf(form.csrf()).map_err(WebError::in_lang(lang))?;
    Ok((id, form))
}

#[derive(Deserialize, Default)]
pub struct LogQuery {
    before: Option<i64>,
    paused: Option<String>,
    resumed: Option<String>,
    redelivered: Option<i64>,
    events: Option<String>,
    url: Option<String>,
}

/// What the detail page shows besides the webhook and its log.
#[derive(Default)]
struct Detail {
    notice: Option<String>,
    /// A refused redelivery (already queued): the message.
    problem: Option<String>,
    /// A deletion without its box ticked: shown at the box.
    unconfirmed: bool,
    /// A refused change of events: the message, and the kinds that were ticked.
    events_problem: Option<(String, Vec<String>)>,
    /// A refused change of address: the message, and the address as typed.
    url_problem: Option<(String, String)>,
}

/// The form that changes where a webhook is sent: the address as it is now (or as typed,
/// when the change was refused: the message sits at the field).
fn url_form(w: &WebhookWords, csrf: &str, hook: &Webhook, problem: Option<&(String, String)>) -> Markup {
    let value = problem.map_or(hook.url.as_str(), |(_, typed)| typed.as_str());
    html! {
        section #address aria-labelledby="address-heading" {
            h2 #address-heading { (w.url_heading) }
            form.stack.narrow method="post" action={ "/settings/webhooks/" (hook.id) "/url" } hx-boost="false" {
                input type="hidden" name=(CSRF_FIELD) value=(csrf);
                label for="edit-url" { (w.col_url) }
                p #url-intro.muted { (w.url_intro) }
                input #edit-url type="url" name="url" required value=(value) inputmode="url" autocomplete="off"
                    aria-invalid=[problem.map(|_| "true")]
                    aria-describedby={ "url-intro" @if problem.is_some() { " url-error" } };
                @if let Some((message, _)) = problem { p #url-error.error role="alert" { (message) } }
                button.primary type="submit" { (w.save_url) }
            }
        }
    }
}

/// The form that changes which event kinds a webhook receives: each kind a labelled box,
/// ticked as it is now (or as posted, when the change was refused: the message sits at the
/// group).
fn events_form(w: &WebhookWords, csrf: &str, hook: &Webhook, problem: Option<&(String, Vec<String>)>) -> Markup {
    let ticked = |kind: &str| match problem {
        Some((_, typed)) => typed.iter().any(|t| t == kind),
        None => hook.events.iter().any(|e| e == kind),
    };
    html! {
        section #events aria-labelledby="events-heading" {
            h2 #events-heading { (w.events_heading) }
            form.stack.narrow method="post" action={ "/settings/webhooks/" (hook.id) "/events" } hx-boost="false" {
                input type="hidden" name=(CSRF_FIELD) value=(csrf);
                fieldset.checks aria-describedby={ "events-intro" @if problem.is_some() { " events-error" } } {
                    legend { (w.col_events) }
                    p #events-intro.muted { (w.events_intro) }
                    @for kind in EventKind::ALL {
                        @let id = format!("edit-event-{}", kind.name().replace('.', "-"));
                        div {
                            input type="checkbox" id=(id) name="events" value=(kind.name()) checked[ticked(kind.name())];
                            " "
                            label for=(id) { code { (kind.name()) } }
                        }
                    }
                    @if let Some((message, _)) = problem { p #events-error.error role="alert" { (message) } }
                }
                button.primary type="submit" { (w.save_events) }
            }
        }
    }
}

fn detail_page(who: &SignedIn, hook: &Webhook, log: &[Delivery], before: Option<i64>, detail: &Detail) -> Markup {
    let lang = who.lang;
    let w = words(lang);
    let csrf = who.principal.csrf_token();
    let heading = format!("{} #{}", w.webhook, hook.id);
    let older = (log.len() as i64 >= LOG_PAGE).then(|| log.last().map(|d| d.id)).flatten();
    let body = html! {
        (crumbs(lang, &[("/settings/webhooks", w.title), ("", &heading)]))
        h1 { (heading) ": " span.url { (hook.url) } }
        @if let Some(n) = &detail.notice { p.notice role="status" { (n) } }
        @if let Some(m) = &detail.problem { p.error role="alert" { (m) } }
        dl.facts {
            dt { (w.col_url) } dd { code.url { (hook.url) } }
            dt { (w.col_events) } dd { @for (i, e) in hook.events.iter().enumerate() { @if i > 0 { ", " } code { (e) } } }
            @if let Some(d) = &hook.description { dt { (w.description_term) } dd { (d) } }
            dt { (w.col_status) } dd { (status_badge(w, hook)) }
            dt { (w.created) } dd { (day_and_time(&hook.created_at)) " UTC" }
            dt { (w.updated) } dd { (day_and_time(&hook.updated_at)) " UTC" }
        }
        div.actions { (pause_form(w, csrf, hook, "detail")) }
        (events_form(w, csrf, hook, detail.events_problem.as_ref()))
        (url_form(w, csrf, hook, detail.url_problem.as_ref()))
        section aria-labelledby="log" {
            h2 #log { (w.log) }
            p.muted { (w.log_intro) }
            @if log.is_empty() {
                p.empty { (w.log_empty) }
            } @else {
                table #deliveries {
                    thead { tr {
                        th scope="col" { (w.col_time) } th scope="col" { (w.col_event) } th scope="col" { (w.col_attempt) }
                        th scope="col" { (w.col_outcome) } th scope="col" { (w.col_code) } th scope="col" { (w.col_error) }
                        th scope="col" { (w.col_duration) } th scope="col" { (w.col_redeliver) }
                    } }
                    tbody {
                        @for d in log {
                            tr data-delivery=(d.id) data-event=(d.event_id) {
                                td { (day_and_time(&d.at)) }
                                td { code { (d.event_kind.as_deref().unwrap_or("?")) } " #" (d.event_id) }
                                td.num { (d.attempt) }
                                td { (outcome_badge(w, d)) }
                                td.num { @if let Some(code) = d.status_code { (code) } }
                                td.error-text { (d.error.as_deref().unwrap_or("")) }
                                td.num { (d.duration_ms) " ms" }
                                td {
                                    form.row-form method="post" action={ "/settings/webhooks/" (hook.id) "/redeliver" } hx-boost="false" {
                                        input type="hidden" name=(CSRF_FIELD) value=(csrf);
                                        input type="hidden" name="event_id" value=(d.event_id);
                                        button type="submit" aria-label={ (w.redeliver) ": " (d.event_kind.as_deref().unwrap_or("")) " #" (d.event_id) } { (w.redeliver) }
                                    }
                                }
                            }
                        }
                    }
                }
                @if let Some(id) = older { p { a href={ "/settings/webhooks/" (hook.id) "?before=" (id) } { (w.older) } } }
                @if before.is_some() { p { a href={ "/settings/webhooks/" (hook.id) } { (w.log) } } }
            }
        }
        section aria-labelledby="delete-webhook" {
            h2 #delete-webhook { (w.delete_heading) }
            form.stack.narrow method="post" action={ "/settings/webhooks/" (hook.id) "/delete" } hx-boost="false" {
                input type="hidden" name=(CSRF_FIELD) value=(csrf);
                div.check {
                    input #delete-confirm type="checkbox" name="confirm" value="yes" required
                        aria-invalid=[detail.unconfirmed.then_some("true")]
                        aria-describedby=[detail.unconfirmed.then_some("delete-confirm-error")];
                    " "
                    label.inline for="delete-confirm" { (w.delete_confirm) }
                }
                @if detail.unconfirmed { p #delete-confirm-error.error role="alert" { (w.delete_needs_confirm) } }
                button.danger type="submit" { (w.delete) }
            }
        }
    };
    layout::page(who, &heading, body)
}

async fn render_detail(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    before: Option<i64>,
    detail: &Detail,
    status: StatusCode,
) -> WebResult {
    let lang = who.lang;
    let failed = |e: sift_app::AppError| WebError { error: e.into(), lang };
    let hook = sift_app::webhooks::webhook(state.store(), id).await.map_err(failed)?;
    let log = sift_app::webhooks::deliveries(state.store(), id, None, before, LOG_PAGE).await.map_err(failed)?;
    Ok(html(status, detail_page(who, &hook, &log, before, detail)))
}

pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> WebResult {
    require_admin(&who)?;
    let lang = who.lang;
    let w = words(lang);
    let id = webhook_id(lang, id)?;
    let Query(query) = query.map_err(bad_query(lang))?;
    let notice = if let Some(job) = query.redelivered {
        Some(format!("{} {job}.", w.redelivered_notice))
    } else if query.paused.is_some() {
        Some(w.paused_notice.to_owned())
    } else if query.resumed.is_some() {
        Some(w.resumed_notice.to_owned())
    } else if query.events.is_some() {
        let hook =
            sift_app::webhooks::webhook(state.store(), id).await.map_err(|e| WebError { error: e.into(), lang })?;
        Some(format!("{} {}.", w.events_notice, hook.events.join(", ")))
    } else if query.url.is_some() {
        let hook =
            sift_app::webhooks::webhook(state.store(), id).await.map_err(|e| WebError { error: e.into(), lang })?;
        Some(format!("{} {}", w.url_notice, hook.url))
    } else {
        None
    };
    render_detail(&state, &who, id, query.before, &Detail { notice, ..Detail::default() }, StatusCode::OK).await
}

/// A post's address opened again (the language switch comes back to it): the webhook.
pub async fn back_to_one(id: Result<Path<i64>, PathRejection>) -> Response {
    match id {
        Ok(Path(id)) => see_other(&format!("/settings/webhooks/{id}")),
        Err(_) => see_other("/settings/webhooks"),
    }
}

#[derive(Deserialize)]
pub struct PauseForm {
    csrf_token: String,
    /// Where the form was: `list` goes back to the list, anything else to the webhook.
    #[serde(default)]
    back: String,
}

impl CsrfForm for PauseForm {
    fn csrf(&self) -> &str {
        &self.csrf_token
    }
}

async fn set_paused(
    state: &AppState,
    who: &SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<PauseForm>, FormRejection>,
    paused: bool,
) -> WebResult {
    let (id, form) = webhook_form(who, id, form)?;
    let failed = WebError::in_lang(who.lang);
    let change = WebhookChange { paused: Some(paused), ..WebhookChange::default() };
    sift_app::webhooks::update(state.store(), id, &change, who.principal.actor(), &policy(state.settings()))
        .await
        .map_err(|e| failed(e.into()))?;
    crate::http::audit(
        state,
        &who.principal,
        "webhook.updated",
        &format!("webhook:{id}"),
        serde_json::json!({"paused": paused}),
    )
    .await
    .map_err(&failed)?;
    let flag = if paused { "paused=1" } else { "resumed=1" };
    Ok(if form.back == "list" {
        see_other(&format!("/settings/webhooks?{flag}"))
    } else {
        see_other(&format!("/settings/webhooks/{id}?{flag}"))
    })
}

pub async fn pause(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<PauseForm>, FormRejection>,
) -> WebResult {
    set_paused(&state, &who, id, form, true).await
}

pub async fn resume(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<PauseForm>, FormRejection>,
) -> WebResult {
    set_paused(&state, &who, id, form, false).await
}

/// Changes the event kinds a webhook receives, with the API's use case (`webhooks::update`):
/// none ticked, or a kind Sift does not know, is refused at the group (422), nothing changed.
pub async fn change_events(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> WebResult {
    let (id, pairs) = webhook_form(&who, id, form)?;
    let events: Vec<String> = pairs.into_iter().filter(|(k, _)| k == "events").map(|(_, v)| v).collect();
    let change = WebhookChange { events: Some(&events), ..WebhookChange::default() };
    let none_ticked = events.is_empty();
    apply_change(
        &state,
        &who,
        id,
        &change,
        "events",
        |hook| serde_json::json!({"events": hook.events}),
        |message| {
            let message = if none_ticked { words(who.lang).events_none.to_owned() } else { message };
            Detail { events_problem: Some((message, events.clone())), ..Detail::default() }
        },
    )
    .await
}

/// Changes a webhook with the API's use case (`webhooks::update`) and audits it as the API
/// does (`webhook.updated` with `said`), then shows it with `?{flag}=1`; a refused change
/// (422) shows the page again with the problem where `refused` puts it, nothing changed.
async fn apply_change(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    change: &WebhookChange<'_>,
    flag: &str,
    said: impl FnOnce(&Webhook) -> serde_json::Value,
    refused: impl FnOnce(String) -> Detail,
) -> WebResult {
    let failed = WebError::in_lang(who.lang);
    let policy = policy(state.settings());
    match sift_app::webhooks::update(state.store(), id, change, who.principal.actor(), &policy)
        .await
        .map_err(ApiError::from)
    {
        Ok(hook) => {
            crate::http::audit(state, &who.principal, "webhook.updated", &format!("webhook:{id}"), said(&hook))
                .await
                .map_err(&failed)?;
            Ok(see_other(&format!("/settings/webhooks/{id}?{flag}=1")))
        }
        Err(e) if e.kind == Kind::Validation => {
            let message = if e.errors.is_empty() {
                e.detail.clone()
            } else {
                e.errors.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("; ")
            };
            render_detail(state, who, id, None, &refused(message), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(failed(e)),
    }
}

#[derive(Deserialize)]
pub struct UrlForm {
    csrf_token: String,
    #[serde(default)]
    url: String,
}

impl CsrfForm for UrlForm {
    fn csrf(&self) -> &str {
        &self.csrf_token
    }
}

/// Changes where a webhook is sent, with the API's use case (`webhooks::update`): an address
/// that is not http(s), or that the server's policy refuses (a private address), is refused
/// at the field (422) with what was typed, nothing changed.
pub async fn change_url(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<UrlForm>, FormRejection>,
) -> WebResult {
    let (id, form) = webhook_form(&who, id, form)?;
    let typed = form.url.trim().to_owned();
    let change = WebhookChange { url: Some(&typed), ..WebhookChange::default() };
    apply_change(
        &state,
        &who,
        id,
        &change,
        "url",
        |hook| serde_json::json!({"url": hook.url}),
        |message| Detail { url_problem: Some((message, typed.clone())), ..Detail::default() },
    )
    .await
}

#[derive(Deserialize)]
pub struct RedeliverForm {
    csrf_token: String,
    event_id: i64,
}

impl CsrfForm for RedeliverForm {
    fn csrf(&self) -> &str {
        &self.csrf_token
    }
}

/// Queues the event to this webhook again as a job, as the API's redeliver.
pub async fn redeliver(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<RedeliverForm>, FormRejection>,
) -> WebResult {
    let (id, form) = webhook_form(&who, id, form)?;
    let failed = WebError::in_lang(who.lang);
    let job = match sift_app::webhooks::redeliver(state.store(), id, form.event_id, Some(who.principal.user.id)).await {
        Ok(job) => job,
        Err(sift_app::AppError::Conflict(message)) => {
            let detail = Detail { problem: Some(message), ..Detail::default() };
            return render_detail(&state, &who, id, None, &detail, StatusCode::CONFLICT).await;
        }
        Err(e) => return Err(failed(e.into())),
    };
    state.jobs().wake.notify_waiters();
    crate::http::audit(
        &state,
        &who.principal,
        "webhook.redeliver",
        &format!("webhook:{id}"),
        serde_json::json!({"event_id": form.event_id, "job": job}),
    )
    .await
    .map_err(&failed)?;
    Ok(see_other(&format!("/settings/webhooks/{id}?redelivered={job}")))
}

#[derive(Deserialize)]
pub struct DeleteForm {
    csrf_token: String,
    #[serde(default)]
    confirm: String,
}

impl CsrfForm for DeleteForm {
    fn csrf(&self) -> &str {
        &self.csrf_token
    }
}

/// Deletes a webhook and its log once the box is ticked.
pub async fn delete(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<DeleteForm>, FormRejection>,
) -> WebResult {
    let (id, form) = webhook_form(&who, id, form)?;
    let failed = WebError::in_lang(who.lang);
    if form.confirm != "yes" {
        let detail = Detail { unconfirmed: true, ..Detail::default() };
        return render_detail(&state, &who, id, None, &detail, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    sift_app::webhooks::delete(state.store(), id).await.map_err(|e| failed(e.into()))?;
    crate::http::audit(&state, &who.principal, "webhook.deleted", &format!("webhook:{id}"), serde_json::json!({}))
        .await
        .map_err(&failed)?;
    Ok(see_other("/settings/webhooks?deleted=1"))
}
