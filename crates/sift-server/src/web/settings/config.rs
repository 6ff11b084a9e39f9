//! The configuration editor (issue 10): `GET /settings/config/{icp|rules|playbooks}` and
//! `GET /settings/config/{frameworks|lexicons}/{name}` show a document's TOML in a labelled
//! textarea with line numbers, its version (sent back in a hidden field, as `If-Match` is
//! for the API) and its history. `POST .../check` runs `sift_app::config_docs::check`:
//! every problem with its line and column and the line quoted, nothing saved (with htmx the
//! problem list updates in place; without JavaScript the Check button posts the form there
//! through `formaction`). `POST` the editor's address saves with `config_docs::save` and the
//! version the text was based on: a text with problems is refused with the same list, a
//! version someone else replaced meanwhile is refused with theirs shown beside the user's
//! text (never lost), which can then be saved over theirs on purpose; a save is applied and
//! audited as by the API (`http::config::apply`) and answered with a 303 to the editor, which
//! names the new version.

use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use sift_app::AppError;
use sift_app::config_docs::{self, DocumentRef};
use sift_core::{Diagnostic, Diagnostics};
use sift_store::{ConfigDocument, DocumentKind, DocumentVersion};

use super::{crumbs, day_and_time, not_found, require_admin};
use crate::auth::CSRF_FIELD;
use crate::http::config::{Applied, apply};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::web::i18n::Lang;
use crate::web::layout;
use crate::web::{SignedIn, WebError, WebResult, bad_form, bad_query, html, see_other};

/// Every word of the configuration editor, one static per language.
pub struct ConfigWords {
    icp_intro: &'static str,
    rules_intro: &'static str,
    playbooks_intro: &'static str,
    framework_title: &'static str,
    framework_intro: &'static str,
    lexicon_title: &'static str,
    lexicon_intro: &'static str,
    version_line: &'static str,
    saved_by: &'static str,
    new_document: &'static str,
    start_example: &'static str,
    started_from: &'static str,
    text_label: &'static str,
    text_help: &'static str,
    check: &'static str,
    save: &'static str,
    overwrite: &'static str,
    saved: &'static str,
    loaded: &'static str,
    no_problems: &'static str,
    warnings: &'static str,
    problems_one: &'static str,
    problems_many: &'static str,
    nothing_saved: &'static str,
    no_location: &'static str,
    stale: &'static str,
    stale_deleted: &'static str,
    their_version: &'static str,
    history: &'static str,
    history_intro: &'static str,
    col_version: &'static str,
    col_change: &'static str,
    col_by: &'static str,
    col_at: &'static str,
    col_open: &'static str,
    current: &'static str,
    load: &'static str,
    no_history: &'static str,
    delete_heading: &'static str,
    delete_icp: &'static str,
    delete_rules: &'static str,
    delete_playbooks: &'static str,
    delete_framework: &'static str,
    delete_lexicon: &'static str,
    delete_kept: &'static str,
    delete_used_by: &'static str,
    delete_confirm: &'static str,
    delete: &'static str,
    delete_needs_confirm: &'static str,
    delete_refused: &'static str,
    delete_stale: &'static str,
    deleted_notice: &'static str,
    saved_change: &'static str,
    deleted_change: &'static str,
}

pub static EN: ConfigWords = ConfigWords {
    icp_intro: "Who fits: territories, industries, size, revenue, excluded domains and the people you sell to. A fact a lead lacks is unknown, never a fail.",
    rules_intro: "How a lead becomes MQL, PQL or CQL from what it did. The first rule that matches wins.",
    playbooks_intro: "Segments of leads, each with its framework, ICP and owners. A lead takes the first playbook whose segment fits; owners must be enabled users.",
    framework_title: "Framework",
    framework_intro: "The criteria of a framework and the questions for each, in English and Chinese. Its id must be the name it is stored under.",
    lexicon_title: "Lexicon",
    lexicon_intro: "Phrases the call analysis listens for. Every entry's own examples must hold: those it must match and those it must not.",
    version_line: "Version",
    saved_by: "saved by",
    new_document: "Not saved yet.",
    start_example: "Start from the example",
    started_from: "The example is in the editor. Nothing is saved until you save.",
    text_label: "TOML text",
    text_help: "Check lists every problem with its line and column without saving. A text with problems is never saved.",
    check: "Check",
    save: "Save",
    overwrite: "Save mine over theirs",
    saved: "Saved as version",
    loaded: "An older version is in the editor; saving it makes it the newest. Loaded version",
    no_problems: "No problems found.",
    warnings: "Warnings (the text can be saved):",
    problems_one: "1 problem",
    problems_many: "problems",
    nothing_saved: "nothing was saved",
    no_location: "Whole document",
    stale: "Someone else saved a newer version meanwhile, so yours was not saved. Your text is still in the box; compare it with theirs below, then save yours over theirs or start again from theirs. Their version:",
    stale_deleted: "Someone else deleted this document meanwhile, so yours was not saved. Your text is still in the box; save it to create the document again.",
    their_version: "Their version",
    history: "History",
    history_intro: "Every saved version is kept; load one into the editor to look at it or to save it again.",
    col_version: "Version",
    col_change: "Change",
    col_by: "By",
    col_at: "When",
    col_open: "Editor",
    current: "current",
    load: "Load",
    no_history: "No version saved yet.",
    delete_heading: "Delete this document",
    delete_icp: "Without an ICP, organization fit is not checked.",
    delete_rules: "The built-in lead-type rules apply again.",
    delete_playbooks: "New leads are no longer routed; leads keep the playbook and owner they have.",
    delete_framework: "Playbooks, leads and calls can no longer be judged under it; a playbook that uses it must be changed first.",
    delete_lexicon: "The call analysis no longer listens for its phrases.",
    delete_kept: "Every version stays in the history: load the last one and save it to bring the document back.",
    delete_used_by: "It is used by these playbooks, so a deletion will be refused until they no longer use it:",
    delete_confirm: "Yes, delete it",
    delete: "Delete",
    delete_needs_confirm: "Tick the box to confirm the deletion.",
    delete_refused: "Not deleted:",
    delete_stale: "Someone else changed this document meanwhile, so it was not deleted. Look at the newest version, then delete it if you still mean to. It is now version",
    deleted_notice: "Deleted. The deletion is version",
    saved_change: "Saved",
    deleted_change: "Deleted",
};

pub static ZH: ConfigWords = ConfigWords {
    icp_intro: "定义什么样的客户合适：销售区域、行业、规模、营收、排除的域名，以及要对接的人员。线索缺少的信息记为“尚不清楚”，不会判为不通过。",
    rules_intro: "根据线索的行为判定其为 MQL、PQL 还是 CQL。按顺序匹配，第一条命中的规则生效。",
    playbooks_intro: "按细分市场划分线索，每个销售打法有自己的评估框架、理想客户画像和负责人。线索采用第一个匹配的销售打法；负责人必须是已启用的用户。",
    framework_title: "评估框架",
    framework_intro: "评估框架的各项标准及每项标准要问的问题，中英文各一份。框架的 id 必须与保存时的名称一致。",
    lexicon_title: "词库",
    lexicon_intro: "通话分析要识别的说法。每条都必须符合自带的例句：该匹配的要匹配，不该匹配的不能匹配。",
    version_line: "版本",
    saved_by: "保存人",
    new_document: "尚未保存。",
    start_example: "从示例开始",
    started_from: "示例已放入编辑器。保存之前不会生效。",
    text_label: "TOML 文本",
    text_help: "“检查”会列出所有问题及其行号和列号，但不会保存。有问题的文本不会被保存。",
    check: "检查",
    save: "保存",
    overwrite: "用我的版本覆盖",
    saved: "已保存为版本",
    loaded: "编辑器中是旧版本，保存后它将成为最新版本。已载入版本",
    no_problems: "没有发现问题。",
    warnings: "提示（不影响保存）：",
    problems_one: "1 个问题",
    problems_many: "个问题",
    nothing_saved: "未保存任何内容",
    no_location: "整个文档",
    stale: "在你编辑期间，其他人保存了更新的版本，所以你的修改没有保存。你的文本仍在编辑框中；请与下方对方的版本对比后，选择覆盖对方的版本，或基于对方的版本重新修改。对方的版本：",
    stale_deleted: "在你编辑期间，其他人删除了这个文档，所以你的修改没有保存。你的文本仍在编辑框中，保存即可重新创建该文档。",
    their_version: "对方的版本",
    history: "历史版本",
    history_intro: "每个保存过的版本都会保留；可以载入编辑器查看，或再次保存。",
    col_version: "版本",
    col_change: "变更",
    col_by: "保存人",
    col_at: "时间",
    col_open: "编辑器",
    current: "当前",
    load: "载入",
    no_history: "还没有保存过任何版本。",
    delete_heading: "删除此文档",
    delete_icp: "删除理想客户画像后，将不再检查组织匹配度。",
    delete_rules: "删除后恢复使用内置的线索类型规则。",
    delete_playbooks: "删除后新线索不再自动分配；已有线索保留原来的销售打法和负责人。",
    delete_framework: "删除后，销售打法、线索和通话都不能再按此框架评估；正在使用它的销售打法须先修改。",
    delete_lexicon: "删除后，通话分析不再识别其中的说法。",
    delete_kept: "所有版本都保留在历史版本中：载入最后一个版本再保存，即可恢复该文档。",
    delete_used_by: "以下销售打法正在使用它，在它们不再使用之前，删除会被拒绝：",
    delete_confirm: "确认删除",
    delete: "删除",
    delete_needs_confirm: "请勾选确认框后再删除。",
    delete_refused: "未删除：",
    delete_stale: "在此期间其他人修改了这个文档，所以没有删除。请先查看最新版本，如仍要删除再操作。当前版本为",
    deleted_notice: "已删除。此次删除记为历史版本",
    saved_change: "保存",
    deleted_change: "删除",
};

pub fn words(lang: Lang) -> &'static ConfigWords {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// The document a page edits, from its address.
struct Doc {
    kind: DocumentKind,
    name: String,
}

impl Doc {
    fn single(kind: &str) -> Option<Doc> {
        let kind = match kind {
            "icp" => DocumentKind::Icp,
            "rules" => DocumentKind::Rules,
            "playbooks" => DocumentKind::Playbooks,
            _ => return None,
        };
        Some(Doc { kind, name: kind.name().to_owned() })
    }

    fn named(collection: &str, name: String) -> Option<Doc> {
        let kind = match collection {
            "frameworks" => DocumentKind::Framework,
            "lexicons" => DocumentKind::Lexicon,
            _ => return None,
        };
        Some(Doc { kind, name })
    }

    fn reference(&self) -> DocumentRef<'_> {
        DocumentRef { kind: self.kind, name: &self.name }
    }

    /// The editor's address.
    fn path(&self) -> String {
        match self.kind {
            DocumentKind::Framework => format!("/settings/config/frameworks/{}", self.name),
            DocumentKind::Lexicon => format!("/settings/config/lexicons/{}", self.name),
            kind => format!("/settings/config/{}", kind.name()),
        }
    }

    fn title(&self, lang: Lang) -> String {
        let s = super::words(lang);
        let w = words(lang);
        match self.kind {
            DocumentKind::Icp => s.icp.to_owned(),
            DocumentKind::Rules => s.rules.to_owned(),
            DocumentKind::Playbooks => s.playbooks.to_owned(),
            DocumentKind::Framework => format!("{} {}", w.framework_title, self.name),
            DocumentKind::Lexicon => format!("{} {}", w.lexicon_title, self.name),
        }
    }

    fn intro(&self, w: &ConfigWords) -> &'static str {
        match self.kind {
            DocumentKind::Icp => w.icp_intro,
            DocumentKind::Rules => w.rules_intro,
            DocumentKind::Playbooks => w.playbooks_intro,
            DocumentKind::Framework => w.framework_intro,
            DocumentKind::Lexicon => w.lexicon_intro,
        }
    }

    /// What deleting the document changes.
    fn deleting(&self, w: &ConfigWords) -> &'static str {
        match self.kind {
            DocumentKind::Icp => w.delete_icp,
            DocumentKind::Rules => w.delete_rules,
            DocumentKind::Playbooks => w.delete_playbooks,
            DocumentKind::Framework => w.delete_framework,
            DocumentKind::Lexicon => w.delete_lexicon,
        }
    }

    /// What applies while the document is not stored.
    fn unset(&self, lang: Lang) -> &'static str {
        let s = super::words(lang);
        match self.kind {
            DocumentKind::Icp => s.icp_not_set,
            DocumentKind::Rules => s.rules_not_set,
            DocumentKind::Playbooks => s.playbooks_not_set,
            DocumentKind::Framework | DocumentKind::Lexicon => words(lang).new_document,
        }
    }
}

/// What checking or saving found.
enum Outcome {
    NotChecked,
    Clean {
        warnings: Diagnostics,
    },
    /// Problems in the text; `saving` when a save was refused for them.
    Problems {
        problems: Diagnostics,
        saving: bool,
    },
    /// A change that would break another document, or another refusal without a line.
    Refused(String),
}

/// Everything the editor page shows.
struct Editor<'a> {
    doc: &'a Doc,
    current: Option<&'a ConfigDocument>,
    /// The text in the box.
    text: &'a str,
    /// The version that text is based on (0: the document does not exist), sent back.
    version: i64,
    outcome: Outcome,
    saved: Option<i64>,
    loaded: Option<i64>,
    started: bool,
    /// Refused as stale: the version someone else saved (0: they deleted it).
    stale: Option<i64>,
    history: &'a [DocumentVersion],
    starter: bool,
    /// The deletion just made (its version), after the 303.
    deleted: Option<i64>,
    delete: DeleteState,
    /// The playbooks of the live configuration that use this framework (a deletion would be
    /// refused): said before anyone tries.
    used_by: Vec<String>,
}

/// How the delete form at the foot of the editor stands.
#[derive(Default)]
enum DeleteState {
    #[default]
    Ready,
    /// Posted without its box ticked.
    Unconfirmed,
    /// Refused (another document needs it, or it changed meanwhile): why.
    Refused(Markup),
}

fn status_for(outcome: &Outcome) -> StatusCode {
    match outcome {
        Outcome::NotChecked | Outcome::Clean { .. } => StatusCode::OK,
        Outcome::Problems { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        Outcome::Refused(_) => StatusCode::CONFLICT,
    }
}

/// Numbers of the lines with a problem.
fn problem_lines(outcome: &Outcome) -> Vec<usize> {
    match outcome {
        Outcome::Problems { problems, .. } => problems.iter().filter_map(|d| d.location.map(|l| l.line)).collect(),
        _ => Vec::new(),
    }
}

/// The line numbers beside the textarea; lines with a problem are marked. With `oob`, htmx
/// swaps it in place of the page's own when the problem list comes back.
fn gutter(text: &str, marked: &[usize], oob: bool) -> Markup {
    let lines = text.split('\n').count().max(1);
    html! {
        pre #gutter.gutter aria-hidden="true" hx-swap-oob=[oob.then_some("true")] {
            @for n in 1..=lines {
                @if n > 1 { "\n" }
                @if marked.contains(&n) { span.bad { (n) } } @else { (n) }
            }
        }
    }
}

/// The spaces that put a caret under `column` of `line`: tabs kept, wide characters as
/// wide spaces, so the caret lines up in a monospace font.
fn caret_under(line: &str, column: usize) -> String {
    let mut pad: String = line
        .chars()
        .take(column.saturating_sub(1))
        .map(|c| match c {
            '\t' => '\t',
            c if c >= '\u{2E80}' => '\u{3000}',
            _ => ' ',
        })
        .collect();
    pad.push('^');
    pad
}

fn problem_item(lang: Lang, text: &str, d: &Diagnostic) -> Markup {
    let w = words(lang);
    let message = d.message.trim_start_matches("warning: ");
    html! {
        li {
            @if let Some(at) = d.location {
                @let place = match lang {
                    Lang::En => format!("Line {}, column {}", at.line, at.column),
                    Lang::Zh => format!("第 {} 行第 {} 列", at.line, at.column),
                };
                a.at href="#text" data-line=(at.line) data-column=(at.column) { (place) } ": " (message)
                @if let Some(line) = text.split('\n').nth(at.line - 1) {
                    @let line = line.trim_end_matches('\r');
                    pre.quote { code { (line) "\n" (caret_under(line, at.column)) } }
                }
            } @else {
                span.at { (w.no_location) } ": " (message)
            }
        }
    }
}

/// The problem list's contents (the `#problems` region keeps its place for htmx).
fn problems_inner(lang: Lang, text: &str, outcome: &Outcome) -> Markup {
    let w = words(lang);
    html! {
        @match outcome {
            Outcome::NotChecked => {}
            Outcome::Clean { warnings } => {
                p.notice { span aria-hidden="true" { "✓ " } (w.no_problems) }
                @if !warnings.is_empty() {
                    p { (w.warnings) }
                    ol.problems.warnings { @for d in warnings.iter() { (problem_item(lang, text, d)) } }
                }
            }
            Outcome::Problems { problems, saving } => {
                @let count = if problems.len() == 1 { w.problems_one.to_owned() } else { format!("{} {}", problems.len(), w.problems_many) };
                h2.error #problems-heading {
                    span aria-hidden="true" { "✕ " } (count)
                    @if *saving { (match lang { Lang::En => "; ", Lang::Zh => "，" }) (w.nothing_saved) }
                }
                ol.problems { @for d in problems.iter() { (problem_item(lang, text, d)) } }
            }
            Outcome::Refused(message) => {
                p.error { span aria-hidden="true" { "✕ " } (message) }
            }
        }
    }
}

/// The foot of the editor: what deleting the document changes, and a form that deletes it
/// once its box is ticked (the version read goes with it, so a change made meanwhile is not
/// deleted unseen). The form posts to the editor's address with `action=delete`, and the
/// answer lands back here (`#delete-document`) with the refusal, if any, at the box.
fn delete_section(lang: Lang, e: &Editor<'_>, current: &ConfigDocument, path: &str, csrf: &str) -> Markup {
    let w = words(lang);
    let problem = match &e.delete {
        DeleteState::Ready => None,
        DeleteState::Unconfirmed => Some(html! { (w.delete_needs_confirm) }),
        DeleteState::Refused(why) => Some(why.clone()),
    };
    html! {
        section #delete-document aria-labelledby="delete-heading" {
            h2 #delete-heading { (w.delete_heading) }
            p { (e.doc.deleting(w)) " " (w.delete_kept) }
            @if !e.used_by.is_empty() {
                p #delete-used-by.warning {
                    (w.delete_used_by) " "
                    @for (i, p) in e.used_by.iter().enumerate() { @if i > 0 { ", " } code { (p) } }
                }
            }
            form.stack.narrow method="post" action={ (path) "#delete-document" } hx-boost="false" {
                input type="hidden" name=(CSRF_FIELD) value=(csrf);
                input type="hidden" name="version" value=(current.version);
                div.check {
                    input #delete-confirm type="checkbox" name="confirm" value="yes" required
                        aria-invalid=[matches!(e.delete, DeleteState::Unconfirmed).then_some("true")]
                        aria-describedby=[problem.as_ref().map(|_| "delete-problem")];
                    " "
                    label.inline for="delete-confirm" { (w.delete_confirm) ": " (e.doc.title(lang)) }
                }
                @if let Some(why) = &problem {
                    div #delete-problem.error role="alert" { (why) }
                }
                button.danger type="submit" name="action" value="delete" { (w.delete) }
            }
        }
    }
}

fn editor_page(who: &SignedIn, e: &Editor<'_>) -> Markup {
    let lang = who.lang;
    let w = words(lang);
    let s = super::words(lang);
    let title = e.doc.title(lang);
    let path = e.doc.path();
    let check_path = format!("{path}/check");
    let csrf = who.principal.csrf_token();
    let rows = e.text.split('\n').count().clamp(12, 400) + 1;
    let marked = problem_lines(&e.outcome);
    let body = html! {
        (crumbs(lang, &[("", &title)]))
        h1 { (title) }
        p { (e.doc.intro(w)) }
        p #document-status {
            @if let Some(c) = e.current {
                (w.version_line) " " strong { (c.version) } " · " (w.saved_by) " " (c.changed_by) " · " (day_and_time(&c.changed_at)) " UTC"
            } @else {
                (e.doc.unset(lang))
                @if e.starter && !e.started {
                    " " a href={ (path) "?from=example" } { (w.start_example) }
                }
            }
        }
        @if let Some(v) = e.saved { p.notice role="status" { span aria-hidden="true" { "✓ " } (w.saved) " " (v) "." } }
        @if let Some(v) = e.deleted { p.notice role="status" { span aria-hidden="true" { "✓ " } (w.deleted_notice) " " (v) ". " (w.delete_kept) } }
        @if let Some(v) = e.loaded { p.notice role="status" { (w.loaded) " " (v) "." } }
        @if e.started { p.notice role="status" { (w.started_from) } }
        @if let Some(latest) = e.stale {
            div.error.stale role="alert" {
                @if latest == 0 {
                    p { (w.stale_deleted) }
                } @else {
                    p { (w.stale) " " (latest) "." }
                }
            }
        }
        form #editor method="post" action=(path) hx-boost="false" {
            input type="hidden" name=(CSRF_FIELD) value=(csrf);
            input type="hidden" name="version" value=(e.version);
            @if let Some(latest) = e.stale { input type="hidden" name="latest" value=(latest); }
            label for="text" { (w.text_label) }
            p #text-help.muted { (w.text_help) }
            div.editor {
                (gutter(e.text, &marked, false))
                textarea #text name="text" rows=(rows) wrap="off" spellcheck="false" autocomplete="off"
                    autocapitalize="off" aria-describedby="text-help problems" data-gutter="gutter" { (e.text) }
            }
            div.actions {
                button type="submit" name="action" value="check" formaction=(check_path)
                    hx-post=(check_path) hx-target="#problems" hx-swap="innerHTML" { (w.check) }
                button.primary type="submit" name="action" value="save" { (w.save) }
                @if let Some(latest) = e.stale.filter(|v| *v > 0) {
                    button type="submit" name="action" value="overwrite" { (w.overwrite) " (" (w.version_line) " " (latest) ")" }
                }
            }
        }
        section #problems aria-live="polite" aria-labelledby=[matches!(e.outcome, Outcome::Problems { .. }).then_some("problems-heading")] {
            (problems_inner(lang, e.text, &e.outcome))
        }
        @if let (Some(latest), Some(c)) = (e.stale.filter(|v| *v > 0), e.current) {
            details.theirs open {
                summary { (w.their_version) " " (latest) " · " (c.changed_by) " · " (day_and_time(&c.changed_at)) " UTC" }
                pre.toml { code { (c.text) } }
            }
        }
        section aria-labelledby="history" {
            h2 #history { (w.history) }
            @if e.history.is_empty() {
                p.empty { (w.no_history) }
            } @else {
                p.muted { (w.history_intro) }
                table #versions {
                    thead { tr {
                        th scope="col" { (w.col_version) } th scope="col" { (w.col_change) } th scope="col" { (w.col_by) }
                        th scope="col" { (w.col_at) } th scope="col" { (w.col_open) }
                    } }
                    tbody {
                        @for v in e.history {
                            tr data-version=(v.version) {
                                td.num { (v.version) }
                                td {
                                    @if v.text.is_none() {
                                        span.badge.off { span aria-hidden="true" { "✕" } " " (w.deleted_change) }
                                    } @else {
                                        (w.saved_change)
                                    }
                                }
                                td { (v.changed_by) }
                                td { (day_and_time(&v.changed_at)) }
                                td {
                                    @if v.text.is_none() {
                                        span.muted { "—" }
                                    } @else if e.current.is_some_and(|c| c.version == v.version) {
                                        span.muted { (w.current) }
                                    } @else {
                                        a href={ (path) "?version=" (v.version) } aria-label={ (w.load) " " (w.col_version) " " (v.version) } { (w.load) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(c) = e.current {
            (delete_section(lang, e, c, &path, csrf))
        }
    };
    let page_title = format!("{title} · {}", s.title);
    layout::page(who, &page_title, body)
}

/// What the editor's address may carry.
#[derive(Deserialize, Default)]
pub struct EditorQuery {
    /// The version just saved (after the 303).
    saved: Option<i64>,
    /// An older version to load into the editor.
    version: Option<i64>,
    /// A text to start from: `example`, or a built-in framework's id.
    from: Option<String>,
    /// The deletion just made, by its version (after the 303).
    deleted: Option<i64>,
}

/// The playbooks of the live configuration that use a framework (none for other documents).
fn used_by(state: &AppState, doc: &Doc) -> Vec<String> {
    match (doc.kind, &state.config().playbooks) {
        (DocumentKind::Framework, Some(playbooks)) => {
            playbooks.using_framework(&doc.name).into_iter().map(str::to_owned).collect()
        }
        _ => Vec::new(),
    }
}

async fn current_of(state: &AppState, doc: &Doc, lang: Lang) -> WebResult<Option<ConfigDocument>> {
    match config_docs::get(state.store(), doc.reference()).await {
        Ok(d) => Ok(Some(d)),
        Err(AppError::NotFound { .. }) => Ok(None),
        Err(e) => Err(WebError { error: e.into(), lang }),
    }
}

async fn history_of(state: &AppState, doc: &Doc, lang: Lang) -> WebResult<Vec<DocumentVersion>> {
    config_docs::history(state.store(), doc.reference()).await.map_err(|e| WebError { error: e.into(), lang })
}

async fn show(state: &AppState, who: &SignedIn, doc: &Doc, query: &EditorQuery) -> WebResult {
    let lang = who.lang;
    let current = current_of(state, doc, lang).await?;
    let history = history_of(state, doc, lang).await?;
    let config = state.config();
    let mut text = current.as_ref().map(|c| c.text.clone()).unwrap_or_default();
    let mut loaded = None;
    if let Some(v) = query.version {
        let found = history.iter().find(|h| h.version == v).and_then(|h| h.text.clone());
        let Some(old) = found else {
            return Err(WebError {
                error: ApiError::validation("version", format!("`{v}` is not a saved version of this document")),
                lang,
            });
        };
        text = old;
        loaded = Some(v);
    }
    if current.is_none() {
        config_docs::check_new_name(&config, doc.reference()).map_err(|e| WebError { error: e.into(), lang })?;
    }
    let mut started = false;
    if let Some(from) = query.from.as_deref() {
        let starter = config_docs::starter_text(&config, doc.reference(), Some(from));
        if let Some(starter) = starter {
            text = starter;
            started = true;
        }
    }
    // After a save, its warnings (closed questions, unused profiles) are worth a look.
    let outcome = match (query.saved, &current) {
        (Some(v), Some(c)) if c.version == v => {
            match config_docs::check(state.store(), doc.reference(), Some(&c.text)).await {
                Ok(checked) if !checked.warnings.is_empty() => Outcome::Clean { warnings: checked.warnings },
                _ => Outcome::NotChecked,
            }
        }
        _ => Outcome::NotChecked,
    };
    let editor = Editor {
        doc,
        current: current.as_ref(),
        text: &text,
        version: current.as_ref().map_or(0, |c| c.version),
        outcome,
        saved: query.saved.filter(|v| current.as_ref().is_some_and(|c| c.version == *v)),
        loaded,
        started,
        stale: None,
        history: &history,
        starter: config_docs::starter_text(&config, doc.reference(), Some("example")).is_some()
            && doc.kind != DocumentKind::Framework,
        // Only while it stays deleted: a later save makes the notice stale.
        deleted: query.deleted.filter(|v| current.is_none() && history.first().is_some_and(|h| h.version == *v)),
        delete: DeleteState::Ready,
        used_by: used_by(state, doc),
    };
    Ok(html(StatusCode::OK, editor_page(who, &editor)))
}

/// The editor's form.
#[derive(Deserialize)]
pub struct EditorForm {
    csrf_token: String,
    #[serde(default)]
    text: String,
    /// The version the text was based on (0: a new document).
    version: i64,
    #[serde(default)]
    action: String,
    /// After a stale refusal: the version someone else saved, to save over on purpose.
    latest: Option<i64>,
    /// `yes` when the deletion's box is ticked (`action=delete`).
    #[serde(default)]
    confirm: String,
}

impl EditorForm {
    /// The text as typed; browsers send a textarea's line breaks as CRLF.
    fn text(&self) -> String {
        self.text.replace("\r\n", "\n")
    }
}

/// Checks the posted text; nothing is saved. htmx gets the problem list (and the marked line
/// numbers); a plain post gets the whole page with the text kept.
async fn check(state: &AppState, who: &SignedIn, doc: &Doc, headers: &HeaderMap, form: &EditorForm) -> WebResult {
    let lang = who.lang;
    who.principal.check_form_csrf(&form.csrf_token).map_err(WebError::in_lang(lang))?;
    let text = form.text();
    let outcome = match config_docs::check(state.store(), doc.reference(), Some(&text)).await {
        Ok(checked) => Outcome::Clean { warnings: checked.warnings },
        Err(AppError::Invalid(problems)) => Outcome::Problems { problems, saving: false },
        Err(AppError::Conflict(message)) => Outcome::Refused(message),
        Err(e) => return Err(WebError { error: e.into(), lang }),
    };
    if headers.contains_key("hx-request") {
        let fragment = html! {
            (problems_inner(lang, &text, &outcome))
            (gutter(&text, &problem_lines(&outcome), true))
        };
        return Ok(html(StatusCode::OK, fragment));
    }
    let status = status_for(&outcome);
    let current = current_of(state, doc, lang).await?;
    let history = history_of(state, doc, lang).await?;
    let editor = Editor {
        doc,
        current: current.as_ref(),
        text: &text,
        version: form.version,
        outcome,
        saved: None,
        loaded: None,
        started: false,
        stale: form.latest,
        history: &history,
        starter: false,
        deleted: None,
        delete: DeleteState::Ready,
        used_by: used_by(state, doc),
    };
    Ok(html(status, editor_page(who, &editor)))
}

/// Saves the posted text if it has no problem and its version is still the current one
/// (`action=delete`: deletes the document instead).
async fn submit(state: &AppState, who: &SignedIn, doc: &Doc, form: &EditorForm) -> WebResult {
    let lang = who.lang;
    let failed = WebError::in_lang(lang);
    who.principal.check_form_csrf(&form.csrf_token).map_err(&failed)?;
    if form.action == "delete" {
        return delete(state, who, doc, form).await;
    }
    let text = form.text();
    let expected = match (form.action.as_str(), form.latest) {
        ("overwrite", Some(latest)) => latest,
        _ => form.version,
    };
    let saved = config_docs::save(state.store(), doc.reference(), &text, Some(expected), who.principal.actor()).await;
    let (outcome, stale) = match saved {
        Ok(change) => match apply(state, &who.principal, doc.reference(), change).await.map_err(&failed)? {
            Applied::Saved { document, .. } => {
                return Ok(see_other(&format!("{}?saved={}", doc.path(), document.version)));
            }
            Applied::Stale { current } => (Outcome::NotChecked, Some(current)),
            Applied::Deleted { .. } => return Err(failed(ApiError::internal("a save came back as a deletion"))),
        },
        Err(AppError::Invalid(problems)) => (Outcome::Problems { problems, saving: true }, form.latest),
        Err(AppError::Conflict(message)) => (Outcome::Refused(message), form.latest),
        Err(e) => return Err(failed(e.into())),
    };
    let status = if stale.is_some() && matches!(outcome, Outcome::NotChecked) {
        StatusCode::CONFLICT
    } else {
        status_for(&outcome)
    };
    let current = current_of(state, doc, lang).await?;
    let history = history_of(state, doc, lang).await?;
    let editor = Editor {
        doc,
        current: current.as_ref(),
        text: &text,
        // The base stays the version the user started from: a later save is refused again
        // unless they choose to save over theirs.
        version: form.version,
        outcome,
        saved: None,
        loaded: None,
        started: false,
        stale,
        history: &history,
        starter: false,
        deleted: None,
        delete: DeleteState::Ready,
        used_by: used_by(state, doc),
    };
    Ok(html(status, editor_page(who, &editor)))
}

/// Why a deletion was refused, in the page's language: the use case's reason as it says it
/// (the API's detail), after a sentence of our own in Chinese, which names the playbooks
/// that use a framework when that is the reason.
fn refusal(lang: Lang, doc: &Doc, used_by: &[String], reason: &str) -> Markup {
    let w = words(lang);
    html! {
        p {
            span aria-hidden="true" { "✕ " } (w.delete_refused) " "
            @match lang {
                Lang::En => { (reason) }
                Lang::Zh => {
                    @if doc.kind == DocumentKind::Framework && !used_by.is_empty() {
                        "销售打法 " @for (i, p) in used_by.iter().enumerate() { @if i > 0 { "、" } code { (p) } }
                        " 正在使用此评估框架，请先修改销售打法。"
                    } @else {
                        "其他配置依赖此文档，删除会导致其无法加载。"
                    }
                }
            }
        }
        @if lang == Lang::Zh { p.muted lang="en" { (reason) } }
    }
}

/// Deletes the document once the box is ticked, if it is still the version the page showed
/// and no other document needs it; a refusal is shown at the box (409), nothing written. A
/// deletion is applied and audited as the API's (`config.deleted`), then 303 to the editor,
/// whose history lists it.
async fn delete(state: &AppState, who: &SignedIn, doc: &Doc, form: &EditorForm) -> WebResult {
    let lang = who.lang;
    let w = words(lang);
    let failed = WebError::in_lang(lang);
    // A document that is not stored has no box to tick: the use case says why it cannot be
    // deleted (a built-in framework, or nothing stored under that name).
    let stored = current_of(state, doc, lang).await?.is_some();
    let refused = if stored && form.confirm != "yes" {
        (StatusCode::UNPROCESSABLE_ENTITY, DeleteState::Unconfirmed)
    } else {
        match config_docs::delete(state.store(), doc.reference(), Some(form.version), who.principal.actor()).await {
            Ok(change) => match apply(state, &who.principal, doc.reference(), change).await.map_err(&failed)? {
                Applied::Deleted { version } => return Ok(see_other(&format!("{}?deleted={version}", doc.path()))),
                Applied::Stale { current } => {
                    let why = html! { p { span aria-hidden="true" { "✕ " } (w.delete_stale) " " (current) "." } };
                    (StatusCode::CONFLICT, DeleteState::Refused(why))
                }
                Applied::Saved { .. } => return Err(failed(ApiError::internal("a deletion came back as a save"))),
            },
            Err(AppError::Conflict(reason)) if stored => {
                (StatusCode::CONFLICT, DeleteState::Refused(refusal(lang, doc, &used_by(state, doc), &reason)))
            }
            // Nothing stored to delete (a built-in framework, a document already gone): the
            // error page says so.
            Err(e) => return Err(failed(e.into())),
        }
    };
    let (status, delete) = refused;
    let current = current_of(state, doc, lang).await?;
    let history = history_of(state, doc, lang).await?;
    let text = current.as_ref().map(|c| c.text.clone()).unwrap_or_default();
    let editor = Editor {
        doc,
        current: current.as_ref(),
        text: &text,
        version: current.as_ref().map_or(0, |c| c.version),
        outcome: Outcome::NotChecked,
        saved: None,
        loaded: None,
        started: false,
        stale: None,
        history: &history,
        starter: false,
        deleted: None,
        delete,
        used_by: used_by(state, doc),
    };
    Ok(html(status, editor_page(who, &editor)))
}

fn single_doc(lang: Lang, kind: Result<Path<String>, PathRejection>) -> WebResult<Doc> {
    kind.ok().and_then(|Path(k)| Doc::single(&k)).ok_or_else(|| not_found(lang))
}

fn named_doc(lang: Lang, path: Result<Path<(String, String)>, PathRejection>) -> WebResult<Doc> {
    path.ok().and_then(|Path((c, n))| Doc::named(&c, n)).ok_or_else(|| not_found(lang))
}

pub async fn single_page(
    State(state): State<AppState>,
    who: SignedIn,
    kind: Result<Path<String>, PathRejection>,
    query: Result<Query<EditorQuery>, QueryRejection>,
) -> WebResult {
    require_admin(&who)?;
    let doc = single_doc(who.lang, kind)?;
    let Query(query) = query.map_err(bad_query(who.lang))?;
    show(&state, &who, &doc, &query).await
}

pub async fn named_page(
    State(state): State<AppState>,
    who: SignedIn,
    path: Result<Path<(String, String)>, PathRejection>,
    query: Result<Query<EditorQuery>, QueryRejection>,
) -> WebResult {
    require_admin(&who)?;
    let doc = named_doc(who.lang, path)?;
    let Query(query) = query.map_err(bad_query(who.lang))?;
    show(&state, &who, &doc, &query).await
}

pub async fn single_submit(
    State(state): State<AppState>,
    who: SignedIn,
    kind: Result<Path<String>, PathRejection>,
    form: Result<Form<EditorForm>, FormRejection>,
) -> WebResult {
    require_admin(&who)?;
    let doc = single_doc(who.lang, kind)?;
    let Form(form) = form.map_err(bad_form(who.lang))?;
    submit(&state, &who, &doc, &form).await
}

pub async fn named_submit(
    State(state): State<AppState>,
    who: SignedIn,
    path: Result<Path<(String, String)>, PathRejection>,
    form: Result<Form<EditorForm>, FormRejection>,
) -> WebResult {
    require_admin(&who)?;
    let doc = named_doc(who.lang, path)?;
    let Form(form) = form.map_err(bad_form(who.lang))?;
    submit(&state, &who, &doc, &form).await
}

pub async fn single_check(
    State(state): State<AppState>,
    who: SignedIn,
    headers: HeaderMap,
    kind: Result<Path<String>, PathRejection>,
    form: Result<Form<EditorForm>, FormRejection>,
) -> WebResult {
    require_admin(&who)?;
    let doc = single_doc(who.lang, kind)?;
    let Form(form) = form.map_err(bad_form(who.lang))?;
    check(&state, &who, &doc, &headers, &form).await
}

pub async fn named_check(
    State(state): State<AppState>,
    who: SignedIn,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
    form: Result<Form<EditorForm>, FormRejection>,
) -> WebResult {
    require_admin(&who)?;
    let doc = named_doc(who.lang, path)?;
    let Form(form) = form.map_err(bad_form(who.lang))?;
    check(&state, &who, &doc, &headers, &form).await
}

/// A check's address opened again (the language switch comes back to it): the editor.
pub async fn single_back(kind: Result<Path<String>, PathRejection>) -> Response {
    match kind.ok().and_then(|Path(k)| Doc::single(&k)) {
        Some(doc) => see_other(&doc.path()),
        None => see_other("/settings"),
    }
}

pub async fn named_back(path: Result<Path<(String, String)>, PathRejection>) -> Response {
    match path.ok().and_then(|Path((c, n))| Doc::named(&c, n)) {
        Some(doc) => see_other(&doc.path()),
        None => see_other("/settings"),
    }
}

/// The index's "add" forms.
#[derive(Deserialize)]
pub struct NewDocumentQuery {
    #[serde(default)]
    name: String,
    from: Option<String>,
}

/// `GET /settings/config/frameworks?name=&from=`: a new framework's editor, started from a
/// built-in one with its id changed; a name that cannot be used is shown at its field.
pub async fn new_framework(
    State(state): State<AppState>,
    who: SignedIn,
    query: Result<Query<NewDocumentQuery>, QueryRejection>,
) -> WebResult<Response> {
    new_document(&state, who, DocumentKind::Framework, query).await
}

/// `GET /settings/config/lexicons?name=`: a new lexicon's editor.
pub async fn new_lexicon(
    State(state): State<AppState>,
    who: SignedIn,
    query: Result<Query<NewDocumentQuery>, QueryRejection>,
) -> WebResult<Response> {
    new_document(&state, who, DocumentKind::Lexicon, query).await
}

async fn new_document(
    state: &AppState,
    who: SignedIn,
    kind: DocumentKind,
    query: Result<Query<NewDocumentQuery>, QueryRejection>,
) -> WebResult<Response> {
    require_admin(&who)?;
    let lang = who.lang;
    let Query(query) = query.map_err(bad_query(lang))?;
    let name = query.name.trim().to_owned();
    let doc = Doc { kind, name };
    let stored = current_of(state, &doc, lang).await;
    let exists = matches!(stored, Ok(Some(_)));
    if !exists && let Err(e) = config_docs::check_new_name(&state.config(), doc.reference()) {
        let error = ApiError::from(e);
        let message = error.errors.first().map_or(error.detail, |f| f.message.clone());
        let field = if kind == DocumentKind::Framework { "new-framework" } else { "new-lexicon" };
        let problem = super::NameProblem { field, typed: doc.name, message };
        return super::index_with(state, &who, Some(problem), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let mut to = doc.path();
    if let (false, Some(from)) = (exists, query.from.as_deref().filter(|f| !f.is_empty())) {
        to.push_str(&format!("?from={}", crate::web::encode_component(from)));
    }
    Ok(see_other(&to))
}
