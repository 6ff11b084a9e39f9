//! Settings (issue 10), admins only: `GET /settings` links each part with the version of each
//! configuration document, who changed it and when; `config` edits the documents as TOML
//! (checked with every problem at its line and column, saved as a new version only if no one
//! saved meanwhile) and deletes them (a ticked box; refused with the reason when another
//! document needs it), `users` lists users with their last sign-in, adds users (a one-time
//! password shown once), changes roles, resets passwords, disables and enables them;
//! `webhooks` creates them (the secret shown once), changes the events they receive, pauses,
//! resumes and deletes them, and shows each one's delivery log with a redeliver button.
//! Every page and post calls the use cases the API calls
//! (`sift_app::config_docs`, `accounts`, `webhooks`) after the API's rule
//! (`Principal::require_admin`), so anyone else gets the API's 403; every post checks CSRF.
//!
//! Each page's words live in its module in English and Chinese (`SettingsWords` here).

mod config;
mod users;
mod webhooks;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use maud::{Markup, html};
use sift_app::config_docs::{self, DocumentSummary};
use sift_store::DocumentKind;
use sift_store::accounts::Role;

use super::i18n::Lang;
use super::layout;
use super::{SignedIn, WebError, WebResult, html};
use crate::state::AppState;

/// The settings pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings", get(index))
        .route("/settings/users", get(users::page).post(users::add))
        .route("/settings/users/{id}/role", get(users::back_to_list).post(users::change_role))
        .route("/settings/users/{id}/disable", get(users::back_to_list).post(users::disable))
        .route("/settings/users/{id}/enable", get(users::back_to_list).post(users::enable))
        .route("/settings/users/{id}/reset-password", get(users::back_to_list).post(users::reset_password))
        .route("/settings/config/frameworks", get(config::new_framework))
        .route("/settings/config/lexicons", get(config::new_lexicon))
        .route("/settings/config/{kind}", get(config::single_page).post(config::single_submit))
        .route("/settings/config/{kind}/check", get(config::single_back).post(config::single_check))
        .route("/settings/config/{collection}/{name}", get(config::named_page).post(config::named_submit))
        .route("/settings/config/{collection}/{name}/check", get(config::named_back).post(config::named_check))
        .route("/settings/webhooks", get(webhooks::list).post(webhooks::create))
        .route("/settings/webhooks/{id}", get(webhooks::show))
        .route("/settings/webhooks/{id}/pause", get(webhooks::back_to_one).post(webhooks::pause))
        .route("/settings/webhooks/{id}/resume", get(webhooks::back_to_one).post(webhooks::resume))
        .route("/settings/webhooks/{id}/events", get(webhooks::back_to_one).post(webhooks::change_events))
        .route("/settings/webhooks/{id}/url", get(webhooks::back_to_one).post(webhooks::change_url))
        .route("/settings/webhooks/{id}/redeliver", get(webhooks::back_to_one).post(webhooks::redeliver))
        .route("/settings/webhooks/{id}/delete", get(webhooks::back_to_one).post(webhooks::delete))
}

/// Every word of the settings index (and the words the settings pages share).
pub struct SettingsWords {
    pub nav: &'static str,
    title: &'static str,
    intro: &'static str,
    configuration: &'static str,
    configuration_intro: &'static str,
    document: &'static str,
    version: &'static str,
    changed_by: &'static str,
    changed_at: &'static str,
    edit: &'static str,
    icp: &'static str,
    icp_not_set: &'static str,
    rules: &'static str,
    rules_not_set: &'static str,
    playbooks: &'static str,
    playbooks_not_set: &'static str,
    frameworks: &'static str,
    frameworks_intro: &'static str,
    builtin: &'static str,
    no_frameworks: &'static str,
    new_framework: &'static str,
    new_framework_name: &'static str,
    new_name_help: &'static str,
    start_from: &'static str,
    add_framework: &'static str,
    lexicons: &'static str,
    lexicons_intro: &'static str,
    no_lexicons: &'static str,
    new_lexicon: &'static str,
    new_lexicon_name: &'static str,
    new_lexicon_help: &'static str,
    add_lexicon: &'static str,
    people: &'static str,
    users: &'static str,
    webhooks: &'static str,
    not_found: &'static str,
}

pub static EN: SettingsWords = SettingsWords {
    nav: "Settings",
    title: "Settings",
    intro: "What Sift decides with, and who may use it. Every change is checked before it is saved, and saved as a new version.",
    configuration: "Configuration",
    configuration_intro: "The ideal-customer profile, the lead-type rules and the playbooks, written as TOML. The next decision uses a saved change.",
    document: "Document",
    version: "Version",
    changed_by: "Changed by",
    changed_at: "Changed",
    edit: "Edit",
    icp: "Ideal-customer profile (ICP)",
    icp_not_set: "Not set: organization fit is not checked.",
    rules: "Lead-type rules",
    rules_not_set: "Not set: the built-in rules apply.",
    playbooks: "Playbooks",
    playbooks_not_set: "Not set: leads are not routed.",
    frameworks: "Frameworks",
    frameworks_intro: "Your own frameworks sit beside the built-in ones, which cannot be changed or deleted but can be copied. Open one of yours to change or delete it.",
    builtin: "Built in",
    no_frameworks: "No framework of your own yet.",
    new_framework: "Add a framework",
    new_framework_name: "Framework id",
    new_name_help: "1 to 64 lower-case letters, digits, - or _.",
    start_from: "Start from",
    add_framework: "Open the editor",
    lexicons: "Lexicons",
    lexicons_intro: "Your own phrases for the call analysis, each with examples it must and must not match. A name starting with zh- marks a Chinese one.",
    no_lexicons: "No lexicon of your own yet.",
    new_lexicon: "Add a lexicon",
    new_lexicon_name: "Lexicon name",
    new_lexicon_help: "1 to 64 lower-case letters, digits, - or _; start with zh- for Chinese.",
    add_lexicon: "Open the editor",
    people: "People and integrations",
    users: "Users",
    webhooks: "Webhooks",
    not_found: "There is no such settings page.",
};

pub static ZH: SettingsWords = SettingsWords {
    nav: "设置",
    title: "设置",
    intro: "这里管理 Sift 的判断依据和使用人员。每次修改都先检查再保存，并保存为新版本。",
    configuration: "配置",
    configuration_intro: "理想客户画像、线索类型规则和销售打法，均以 TOML 编写。保存后，下一次判断即按新配置执行。",
    document: "文档",
    version: "版本",
    changed_by: "修改人",
    changed_at: "修改时间",
    edit: "编辑",
    icp: "理想客户画像（ICP）",
    icp_not_set: "未设置：不检查组织匹配度。",
    rules: "线索类型规则",
    rules_not_set: "未设置：使用内置规则。",
    playbooks: "销售打法",
    playbooks_not_set: "未设置：线索不会自动分配。",
    frameworks: "评估框架",
    frameworks_intro: "自定义评估框架与内置框架并列使用。内置框架不能修改或删除，但可以复制后再改。打开自定义框架即可修改或删除。",
    builtin: "内置",
    no_frameworks: "还没有自定义评估框架。",
    new_framework: "新增评估框架",
    new_framework_name: "框架 ID",
    new_name_help: "1 到 64 个小写字母、数字、- 或 _。",
    start_from: "复制自",
    add_framework: "打开编辑器",
    lexicons: "词库",
    lexicons_intro: "通话分析使用的自定义说法，每条都附带必须匹配和不应匹配的例句。名称以 zh- 开头表示中文词库。",
    no_lexicons: "还没有自定义词库。",
    new_lexicon: "新增词库",
    new_lexicon_name: "词库名称",
    new_lexicon_help: "1 到 64 个小写字母、数字、- 或 _；中文词库以 zh- 开头。",
    add_lexicon: "打开编辑器",
    people: "人员与集成",
    users: "用户",
    webhooks: "Webhook",
    not_found: "没有这个设置页面。",
};

pub fn words(lang: Lang) -> &'static SettingsWords {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// The API's rule for settings: admins only (a 403 page for everyone else).
fn require_admin(who: &SignedIn) -> WebResult<()> {
    who.principal.require_admin().map_err(WebError::in_lang(who.lang))
}

/// `2026-12-04T23:19:43.123Z` as `2026-12-04 23:19` (UTC).
fn day_and_time(at: &str) -> String {
    at.get(..16).map_or_else(|| at.to_owned(), |s| s.replace('T', " "))
}

/// "3 users, 1 admin" in the user's language.
fn people_count(lang: Lang, users: usize, admins: usize) -> String {
    match lang {
        Lang::En => format!(
            "{users} {}, {admins} {}",
            if users == 1 { "user" } else { "users" },
            if admins == 1 { "admin" } else { "admins" }
        ),
        Lang::Zh => format!("{users} 个用户，其中管理员 {admins} 个"),
    }
}

/// "2 webhooks, 1 paused" in the user's language.
fn webhook_count(lang: Lang, hooks: usize, paused: usize) -> String {
    match lang {
        Lang::En => format!("{hooks} {}, {paused} paused", if hooks == 1 { "webhook" } else { "webhooks" }),
        Lang::Zh => format!("{hooks} 个 Webhook，其中 {paused} 个已暂停"),
    }
}

/// The trail back to the settings index, above each settings page's heading.
fn crumbs(lang: Lang, trail: &[(&str, &str)]) -> Markup {
    let w = words(lang);
    html! {
        nav.crumbs aria-label=(match lang { Lang::En => "Breadcrumb", Lang::Zh => "页面路径" }) {
            a href="/settings" { (w.title) }
            @for (href, label) in trail {
                " › "
                @if href.is_empty() { span aria-current="page" { (label) } } @else { a href=(href) { (label) } }
            }
        }
    }
}

/// A 404 for a settings address that does not exist.
fn not_found(lang: Lang) -> WebError {
    WebError { error: crate::problem::ApiError::new(crate::problem::Kind::NotFound, words(lang).not_found), lang }
}

fn summary_row(w: &SettingsWords, label: &str, href: &str, doc: Option<&DocumentSummary>, unset: &str) -> Markup {
    html! {
        tr {
            th scope="row" { a href=(href) { (label) } }
            @if let Some(d) = doc {
                td.num { (d.version) }
                td { (d.changed_by) }
                td { (day_and_time(&d.changed_at)) }
            } @else {
                td colspan="3" { span.muted { (unset) } }
            }
            td { a href=(href) aria-label={ (w.edit) ": " (label) } { (w.edit) } }
        }
    }
}

/// A name for a new framework or lexicon that cannot be used: shown at its field on the index.
pub(super) struct NameProblem {
    /// `new-framework` or `new-lexicon`.
    field: &'static str,
    typed: String,
    message: String,
}

/// `GET /settings`: the parts of the settings, each document's version, who changed it, when.
pub async fn index(State(state): State<AppState>, who: SignedIn) -> WebResult {
    require_admin(&who)?;
    index_with(&state, &who, None, StatusCode::OK).await
}

async fn index_with(state: &AppState, who: &SignedIn, problem: Option<NameProblem>, status: StatusCode) -> WebResult {
    let lang = who.lang;
    let w = words(lang);
    let failed = |e: sift_app::AppError| WebError { error: e.into(), lang };
    let documents = config_docs::list(state.store()).await.map_err(failed)?;
    let users = state.store().list_users().await.map_err(|e| failed(e.into()))?;
    let hooks = state.store().webhooks().await.map_err(|e| failed(e.into()))?;
    let config = state.config();
    let single = |kind: DocumentKind| documents.iter().find(|d| d.kind == kind);
    let stored = |kind: DocumentKind| documents.iter().filter(move |d| d.kind == kind);
    let builtins: Vec<(&str, &str)> = config
        .registry
        .frameworks()
        .iter()
        .filter(|f| f.source == "built-in")
        .map(|f| (f.id.as_str(), f.name.as_str()))
        .collect();
    let admins = users.iter().filter(|u| u.role == Role::Admin && !u.disabled).count();
    let paused = hooks.iter().filter(|h| h.paused).count();
    let body = html! {
        h1 { (w.title) }
        p { (w.intro) }
        section aria-labelledby="people" {
            h2 #people { (w.people) }
            ul.parts {
                li { a href="/settings/users" { (w.users) } " · " (people_count(lang, users.len(), admins)) }
                li { a href="/settings/webhooks" { (w.webhooks) } " · " (webhook_count(lang, hooks.len(), paused)) }
            }
        }
        section aria-labelledby="configuration" {
            h2 #configuration { (w.configuration) }
            p { (w.configuration_intro) }
            table #documents {
                thead { tr {
                    th scope="col" { (w.document) } th scope="col" { (w.version) }
                    th scope="col" { (w.changed_by) } th scope="col" { (w.changed_at) } th scope="col" { (w.edit) }
                } }
                tbody {
                    (summary_row(w, w.icp, "/settings/config/icp", single(DocumentKind::Icp), w.icp_not_set))
                    (summary_row(w, w.rules, "/settings/config/rules", single(DocumentKind::Rules), w.rules_not_set))
                    (summary_row(w, w.playbooks, "/settings/config/playbooks", single(DocumentKind::Playbooks), w.playbooks_not_set))
                }
            }
        }
        section aria-labelledby="frameworks" {
            h2 #frameworks { (w.frameworks) }
            p { (w.frameworks_intro) }
            p { (w.builtin) ": "
                @for (i, (id, name)) in builtins.iter().enumerate() {
                    @if i > 0 { ", " }
                    span title=(id) { (name) }
                }
            }
            @let mine: Vec<&DocumentSummary> = stored(DocumentKind::Framework).collect();
            @if mine.is_empty() {
                p.empty { (w.no_frameworks) }
            } @else {
                table #framework-documents {
                    thead { tr {
                        th scope="col" { (w.document) } th scope="col" { (w.version) }
                        th scope="col" { (w.changed_by) } th scope="col" { (w.changed_at) } th scope="col" { (w.edit) }
                    } }
                    tbody { @for d in &mine {
                        @let href = format!("/settings/config/frameworks/{}", d.name);
                        (summary_row(w, &d.name, &href, Some(d), ""))
                    } }
                }
            }
            form.inline-form method="get" action="/settings/config/frameworks" {
                h3 { (w.new_framework) }
                label for="new-framework" { (w.new_framework_name) }
                @let error = problem.as_ref().filter(|p| p.field == "new-framework");
                input #new-framework name="name" required maxlength="64" value=[error.map(|p| p.typed.as_str())]
                    aria-invalid=[error.map(|_| "true")]
                    aria-describedby={ "new-framework-help" @if error.is_some() { " new-framework-error" } }
                    autocomplete="off" spellcheck="false";
                label for="start-from" { (w.start_from) }
                select #start-from name="from" {
                    @for (id, name) in &builtins { option value=(id) selected[*id == "bant"] { (name) } }
                }
                button type="submit" { (w.add_framework) }
                p #new-framework-help.muted { (w.new_name_help) }
                @if let Some(p) = error { p #new-framework-error.error role="alert" { (p.message) } }
            }
        }
        section aria-labelledby="lexicons" {
            h2 #lexicons { (w.lexicons) }
            p { (w.lexicons_intro) }
            @let mine: Vec<&DocumentSummary> = stored(DocumentKind::Lexicon).collect();
            @if mine.is_empty() {
                p.empty { (w.no_lexicons) }
            } @else {
                table #lexicon-documents {
                    thead { tr {
                        th scope="col" { (w.document) } th scope="col" { (w.version) }
                        th scope="col" { (w.changed_by) } th scope="col" { (w.changed_at) } th scope="col" { (w.edit) }
                    } }
                    tbody { @for d in &mine {
                        @let href = format!("/settings/config/lexicons/{}", d.name);
                        (summary_row(w, &d.name, &href, Some(d), ""))
                    } }
                }
            }
            form.inline-form method="get" action="/settings/config/lexicons" {
                h3 { (w.new_lexicon) }
                label for="new-lexicon" { (w.new_lexicon_name) }
                @let error = problem.as_ref().filter(|p| p.field == "new-lexicon");
                input #new-lexicon name="name" required maxlength="64" value=[error.map(|p| p.typed.as_str())]
                    aria-invalid=[error.map(|_| "true")]
                    aria-describedby={ "new-lexicon-help" @if error.is_some() { " new-lexicon-error" } }
                    autocomplete="off" spellcheck="false";
                button type="submit" { (w.add_lexicon) }
                p #new-lexicon-help.muted { (w.new_lexicon_help) }
                @if let Some(p) = error { p #new-lexicon-error.error role="alert" { (p.message) } }
            }
        }
    };
    Ok(html(status, layout::page(who, w.title, body)))
}
