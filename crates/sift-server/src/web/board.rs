//! The lead board: a column per lifecycle stage, each the best-scored leads in it
//! (`COLUMN_SIZE` cards and a link to the rest) under a heading that counts every lead the
//! filters leave in that stage (both read by `sift_app::leads::board` in two statements),
//! filters in the URL read by the API's own query parser; bulk assignment (authorised lead by lead as the
//! API's) and a lead's move to another stage (the lifecycle's planning decides, as for
//! `POST /api/v1/leads/{id}/stage`). The page works without JavaScript: GET forms, and
//! checkboxes that belong to the assignment form through their `form` attribute.

use std::collections::BTreeMap;

use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use sift_core::{MovePlan, Stage, Verdict};
use sift_store::accounts::{Role, User};
use sift_store::{LeadCard, LeadCount, SEARCH_COLUMN_CAP, StoredLead};

use super::i18n::{self, Lang};
use super::layout::{self, lead_name, verdict_badge};
use super::{SignedIn, WebError, WebResult, encode_component, html, see_other};
use crate::auth::CSRF_FIELD;
use crate::http::leads::{ListQuery, allowed_owner, filter_from, next_page_by, visible_lead};
use crate::problem::ApiError;
use crate::state::AppState;

/// Cards per column (the best scored first); the rest are a link away.
const COLUMN_SIZE: i64 = 50;
/// Most leads one bulk assignment takes.
const MAX_ASSIGN: usize = 500;

/// The board's words, in English and Chinese (kept here, beside the pages that use them).
pub struct BoardWords {
    pub title: &'static str,
    pub nav: &'static str,
    pub filter_owner: &'static str,
    pub anyone: &'static str,
    pub me: &'static str,
    pub unassigned: &'static str,
    pub filter_playbook: &'static str,
    pub any_playbook: &'static str,
    pub no_playbook: &'static str,
    pub filter_source: &'static str,
    pub filter_verdict: &'static str,
    pub any_verdict: &'static str,
    pub score_from: &'static str,
    pub score_to: &'static str,
    pub search: &'static str,
    pub apply: &'static str,
    pub clear: &'static str,
    pub empty_column: &'static str,
    pub more: &'static str,
    pub all_stages: &'static str,
    pub score: &'static str,
    pub owner: &'static str,
    pub no_verdict: &'static str,
    pub select_lead: &'static str,
    pub assign_to: &'static str,
    pub assign: &'static str,
    pub assign_hint: &'static str,
    pub assigned: &'static str,
    pub refused: &'static str,
    pub refused_why: &'static str,
    /// The count in a column's heading: "{total} leads", "· {n} shown" when not all are.
    pub lead_one: &'static str,
    pub leads_many: &'static str,
    pub shown_before: &'static str,
    pub shown: &'static str,
    /// A count that stopped at the cap under a search: "{more_before}200{more_after} leads".
    pub more_before: &'static str,
    pub more_after: &'static str,
    /// Under the filters when a column's count stopped at the cap: "{capped_before}200{capped_after}".
    pub capped_before: &'static str,
    pub capped_after: &'static str,
    pub move_stage: &'static str,
    pub move_title: &'static str,
    pub current_stage: &'static str,
    pub move_to: &'static str,
    pub reason: &'static str,
    pub reason_hint: &'static str,
    pub move_button: &'static str,
    pub no_moves: &'static str,
    pub moved_to: &'static str,
    pub back_to_lead: &'static str,
    pub back_to_board: &'static str,
    pub needs_reason: &'static str,
    pub not_allowed: &'static str,
    pub cannot_move: &'static str,
}

pub static EN: BoardWords = BoardWords {
    title: "Board",
    nav: "Board",
    filter_owner: "Owner",
    anyone: "Anyone",
    me: "Me",
    unassigned: "Unassigned",
    filter_playbook: "Playbook",
    any_playbook: "Any playbook",
    no_playbook: "No playbook",
    filter_source: "Source",
    filter_verdict: "Last verdict",
    any_verdict: "Any verdict",
    score_from: "Score from",
    score_to: "Score to",
    search: "Search",
    apply: "Apply",
    clear: "Clear filters",
    empty_column: "No leads here.",
    more: "More in this stage",
    all_stages: "Back to every stage",
    score: "Score",
    owner: "Owner",
    no_verdict: "No verdict yet",
    select_lead: "Select",
    assign_to: "Assign the selected leads to",
    assign: "Assign",
    assign_hint: "Tick leads on the board, choose an owner, then assign.",
    assigned: "Assigned",
    refused: "Refused",
    refused_why: "leads that are not yours to give, or an owner you may not give them to",
    lead_one: "lead",
    leads_many: "leads",
    shown_before: "",
    shown: "shown",
    more_before: "",
    more_after: "+",
    capped_before: "While searching, each column counts up to ",
    capped_after: " leads.",
    move_stage: "Move stage",
    move_title: "Move to another stage",
    current_stage: "Now in",
    move_to: "Move to",
    reason: "Reason",
    reason_hint: "Kept in the lead's stage history.",
    move_button: "Move",
    no_moves: "This stage is final: the lead cannot move from here.",
    moved_to: "The lead moved to",
    back_to_lead: "Back to the lead",
    back_to_board: "Back to the board",
    needs_reason: "Say why the lead moves; the reason is kept in its history.",
    not_allowed: "The lifecycle does not allow this move",
    cannot_move: "Only the lead's owner, a manager or an admin may move it.",
};

pub static ZH: BoardWords = BoardWords {
    title: "看板",
    nav: "看板",
    filter_owner: "负责人",
    anyone: "所有人",
    me: "我",
    unassigned: "未分配",
    filter_playbook: "打法",
    any_playbook: "所有打法",
    no_playbook: "未分配打法",
    filter_source: "来源",
    filter_verdict: "最近结论",
    any_verdict: "所有结论",
    score_from: "评分下限",
    score_to: "评分上限",
    search: "搜索",
    apply: "筛选",
    clear: "清除筛选",
    empty_column: "这里还没有线索。",
    more: "查看这个阶段的更多线索",
    all_stages: "返回全部阶段",
    score: "评分",
    owner: "负责人",
    no_verdict: "暂无结论",
    select_lead: "选择",
    assign_to: "把选中的线索分配给",
    assign: "分配",
    assign_hint: "在看板上勾选线索，选好负责人，再点分配。",
    assigned: "已分配",
    refused: "未分配",
    refused_why: "这些线索不归你分配，或者你不能分给这位负责人",
    lead_one: "条线索",
    leads_many: "条线索",
    shown_before: "显示 ",
    shown: "条",
    more_before: "超过 ",
    more_after: "",
    capped_before: "搜索时每列最多统计 ",
    capped_after: " 条线索。",
    move_stage: "调整阶段",
    move_title: "调整到其他阶段",
    current_stage: "当前阶段",
    move_to: "调整到",
    reason: "原因",
    reason_hint: "原因会记在线索的阶段历史里。",
    move_button: "调整",
    no_moves: "这是最终阶段，线索不能再调整。",
    moved_to: "线索已调整到",
    back_to_lead: "返回线索",
    back_to_board: "返回看板",
    needs_reason: "请写明调整原因，它会记在线索的历史里。",
    not_allowed: "生命周期规则不允许这样调整",
    cannot_move: "只有线索的负责人、经理或管理员可以调整阶段。",
};

pub fn words(lang: Lang) -> &'static BoardWords {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// The board's URL: every filter is a query parameter; `stage` (with `cursor`) pages
/// through one column.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct BoardParams {
    owner: Option<String>,
    playbook: Option<String>,
    source: Option<String>,
    verdict: Option<String>,
    score_min: Option<String>,
    score_max: Option<String>,
    q: Option<String>,
    stage: Option<String>,
    cursor: Option<String>,
    /// After a bulk assignment: how many were assigned and refused.
    assigned: Option<usize>,
    refused: Option<usize>,
}

fn blank_is_none(v: Option<&String>) -> Option<String> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty()).map(str::to_owned)
}

impl BoardParams {
    /// The filters (not the column or page) as a query string, for links and for coming
    /// back after an assignment.
    fn filter_query(&self) -> String {
        let pairs = [
            ("owner", &self.owner),
            ("playbook", &self.playbook),
            ("source", &self.source),
            ("verdict", &self.verdict),
            ("score_min", &self.score_min),
            ("score_max", &self.score_max),
            ("q", &self.q),
        ];
        pairs
            .iter()
            .filter_map(|(k, v)| blank_is_none(v.as_ref()).map(|v| format!("{k}={}", encode_component(&v))))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn score_bound(field: &str, value: Option<&String>) -> Result<Option<i64>, ApiError> {
        blank_is_none(value)
            .map(|v| {
                v.parse::<i64>().map_err(|_| ApiError::validation(field, format!("`{v}` is not a score (1 to 99)")))
            })
            .transpose()
    }

    /// The API's list query for these filters, best score first.
    fn list_query(&self) -> Result<ListQuery, ApiError> {
        Ok(ListQuery {
            owner: blank_is_none(self.owner.as_ref()),
            playbook: blank_is_none(self.playbook.as_ref()),
            source: blank_is_none(self.source.as_ref()),
            verdict: blank_is_none(self.verdict.as_ref()),
            score_min: Self::score_bound("score_min", self.score_min.as_ref())?,
            score_max: Self::score_bound("score_max", self.score_max.as_ref())?,
            q: blank_is_none(self.q.as_ref()),
            sort: Some("-score".to_owned()),
            limit: Some(COLUMN_SIZE),
            ..ListQuery::default()
        })
    }
}

/// A column as shown: its leads, how many the filters match in its stage (under a search,
/// up to the cap), and the link to the next ones.
struct Column {
    stage: Stage,
    leads: Vec<LeadCard>,
    total: LeadCount,
    more: Option<String>,
}

/// The card's name, as `layout::lead_name` names a lead: the person, else the company.
fn card_name(lang: Lang, card: &LeadCard) -> String {
    card.name().or_else(|| card.company.clone()).unwrap_or_else(|| format!("{} #{}", lang.text().unnamed_lead, card.id))
}

fn card_score(lang: Lang, card: &LeadCard) -> String {
    card.score.map_or_else(|| lang.text().unscored.to_owned(), |s| s.to_string())
}

/// A column heading's count: "1,234 leads · 50 shown" (every lead shown: "3 leads"; a
/// search's count that stopped at the cap: "200+ leads · 50 shown").
fn column_count(w: &BoardWords, total: LeadCount, shown: usize) -> String {
    let noun = if total.count == 1 && !total.capped { w.lead_one } else { w.leads_many };
    let number = super::reports::count(total.count);
    let mut text = if total.capped {
        format!("{}{number}{} {noun}", w.more_before, w.more_after)
    } else {
        format!("{number} {noun}")
    };
    if total.capped || i64::try_from(shown).map_or(true, |n| n < total.count) {
        text.push_str(&format!(" · {}{shown} {}", w.shown_before, w.shown));
    }
    text
}

pub async fn page(
    State(state): State<AppState>,
    who: SignedIn,
    params: Result<Query<BoardParams>, QueryRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let failed = WebError::in_lang(lang);
    let Query(params) = params.map_err(super::bad_query(lang))?;
    let mut query = params.list_query().map_err(&failed)?;
    let single = match blank_is_none(params.stage.as_ref()) {
        Some(s) => Some(s.parse::<Stage>().map_err(|e: sift_core::lifecycle::StageParseError| {
            failed(ApiError::validation("stage", e.to_string()))
        })?),
        None => None,
    };
    let stages: Vec<Stage> = single.map_or_else(|| Stage::ALL.to_vec(), |s| vec![s]);
    if single.is_some() {
        query.cursor = blank_is_none(params.cursor.as_ref());
    }
    // Checked once with the first stage; every column shares everything but the stage.
    query.stage = Some(stages[0].name().to_owned());
    let filter = filter_from(&query, &who.principal).map_err(&failed)?;
    let read = sift_app::leads::board(state.store(), &filter, &stages).await.map_err(|e| failed(e.into()))?;
    let filters = params.filter_query();
    let columns: Vec<Column> = read
        .into_iter()
        .map(|column| {
            let mut leads = column.cards;
            let more = next_page_by(&query, &filter, &mut leads, |c| (c.sort_value.clone(), c.id)).map(|cursor| {
                let mut href = format!("/board?stage={}&cursor={}", column.stage.name(), encode_component(&cursor));
                if !filters.is_empty() {
                    href.push('&');
                    href.push_str(&filters);
                }
                href
            });
            Column { stage: column.stage, leads, total: column.total, more }
        })
        .collect();
    let users = state.store().list_users().await.map_err(|e| failed(e.into()))?;
    let config = state.config();
    let playbooks: Vec<String> =
        config.playbooks.as_ref().map(|p| p.playbooks.iter().map(|p| p.id.clone()).collect()).unwrap_or_default();
    let view = BoardView {
        who: &who,
        params: &params,
        filters: &filters,
        single,
        columns: &columns,
        users: &users,
        playbooks: &playbooks,
    };
    Ok(html(StatusCode::OK, layout::page(&who, words(lang).title, view.render())))
}

struct BoardView<'a> {
    who: &'a SignedIn,
    params: &'a BoardParams,
    filters: &'a str,
    single: Option<Stage>,
    columns: &'a [Column],
    users: &'a [User],
    playbooks: &'a [String],
}

fn user_name(u: &User) -> &str {
    u.display_name.as_deref().unwrap_or(&u.username)
}

impl BoardView<'_> {
    fn render(&self) -> Markup {
        let lang = self.who.lang;
        let w = words(lang);
        let names: BTreeMap<i64, &str> = self.users.iter().map(|u| (u.id, user_name(u))).collect();
        html! {
            h1 { (w.title) }
            @if let (Some(assigned), Some(refused)) = (self.params.assigned, self.params.refused) {
                p.notice #assign-result role="status" {
                    (w.assigned) ": " strong { (assigned) } " · " (w.refused) ": " strong { (refused) }
                    @if refused > 0 { " (" (w.refused_why) ")" }
                }
            }
            (self.filter_form())
            @if self.columns.iter().any(|c| c.total.capped) {
                p.muted #count-capped {
                    (w.capped_before) (super::reports::count(SEARCH_COLUMN_CAP)) (w.capped_after)
                }
            }
            (self.assign_form())
            @if self.single.is_some() {
                p { a href={ "/board" @if !self.filters.is_empty() { "?" (self.filters) } } { (w.all_stages) } }
            }
            div.board {
                @for column in self.columns {
                    (self.column(column, &names))
                }
            }
        }
    }

    fn filter_form(&self) -> Markup {
        let lang = self.who.lang;
        let w = words(lang);
        let p = self.params;
        let value = |v: &Option<String>| v.clone().unwrap_or_default();
        let owner = value(&p.owner);
        let playbook = value(&p.playbook);
        let verdict = value(&p.verdict);
        let picks_owner = self.who.principal.user.role != Role::Rep;
        html! {
            form.filters #board-filters method="get" action="/board" role="search" {
                @if let Some(stage) = self.single { input type="hidden" name="stage" value=(stage.name()); }
                label { (w.filter_owner)
                    select name="owner" {
                        option value="" { (w.anyone) }
                        option value="me" selected[owner == "me"] { (w.me) }
                        @if picks_owner {
                            option value="none" selected[owner == "none"] { (w.unassigned) }
                            @for u in self.users {
                                option value=(u.id) selected[owner == u.id.to_string()] { (user_name(u)) }
                            }
                        }
                    }
                }
                label { (w.filter_playbook)
                    select name="playbook" {
                        option value="" { (w.any_playbook) }
                        option value="none" selected[playbook == "none"] { (w.no_playbook) }
                        @for id in self.playbooks {
                            option value=(id) selected[&playbook == id] { (id) }
                        }
                    }
                }
                label { (w.filter_source)
                    input type="text" name="source" value=(value(&p.source)) maxlength="200";
                }
                label { (w.filter_verdict)
                    select name="verdict" {
                        option value="" { (w.any_verdict) }
                        @for v in [Verdict::Qualified, Verdict::NeedsInfo, Verdict::Nurture, Verdict::Disqualified] {
                            option value=(v.name()) selected[verdict == v.name()] { (i18n::verdict(lang, v)) }
                        }
                    }
                }
                label.narrow { (w.score_from)
                    input type="number" name="score_min" min="1" max="99" value=(value(&p.score_min));
                }
                label.narrow { (w.score_to)
                    input type="number" name="score_max" min="1" max="99" value=(value(&p.score_max));
                }
                label { (w.search)
                    input #q type="search" name="q" value=(value(&p.q)) maxlength="200" aria-keyshortcuts="/";
                }
                button type="submit" { (w.apply) }
                a href="/board" { (w.clear) }
            }
        }
    }

    fn assign_form(&self) -> Markup {
        let w = words(self.who.lang);
        let me = &self.who.principal.user;
        let back = if self.filters.is_empty() { String::new() } else { self.filters.to_owned() };
        html! {
            @if me.role != Role::Viewer {
                form.filters #assign method="post" action="/board/assign" {
                    input type="hidden" name=(CSRF_FIELD) value=(self.who.principal.csrf_token());
                    input type="hidden" name="back" value=(back);
                    label { (w.assign_to)
                        select name="owner" {
                            option value="me" { (w.me) }
                            @if me.role != Role::Rep {
                                @for u in self.users.iter().filter(|u| !u.disabled && u.role != Role::Viewer && u.id != me.id) {
                                    option value=(u.id) { (user_name(u)) }
                                }
                            }
                        }
                    }
                    button type="submit" { (w.assign) }
                    span.muted { (w.assign_hint) }
                }
            }
        }
    }

    fn column(&self, column: &Column, names: &BTreeMap<i64, &str>) -> Markup {
        let lang = self.who.lang;
        let w = words(lang);
        let stage = column.stage.name();
        let can_assign = self.who.principal.user.role != Role::Viewer;
        html! {
            section.column aria-labelledby={ "stage-" (stage) } {
                h2 id={ "stage-" (stage) } {
                    (i18n::stage(lang, column.stage))
                    " " span.muted.count { (column_count(w, column.total, column.leads.len())) }
                }
                @if column.leads.is_empty() {
                    p.empty { (w.empty_column) }
                } @else {
                    ol.cards {
                        @for lead in &column.leads {
                            @let name = card_name(lang, lead);
                            li.card {
                                div.card-head {
                                    @if can_assign {
                                        input type="checkbox" name="lead" value=(lead.id) form="assign"
                                            aria-label={ (w.select_lead) " " (name) };
                                    }
                                    a href={ "/leads/" (lead.id) } { (name) }
                                }
                                @if let Some(company) = &lead.company { div.muted { (company) } }
                                div {
                                    (w.score) ": " (card_score(lang, lead)) " · " (w.owner) ": "
                                    (match lead.owner_id {
                                        None => w.unassigned.to_owned(),
                                        Some(id) => names.get(&id).map_or_else(|| format!("#{id}"), |n| (*n).to_owned()),
                                    })
                                }
                                div.card-foot {
                                    @match lead.verdict {
                                        Some(v) => (verdict_badge(lang, v)),
                                        None => span.muted { (w.no_verdict) },
                                    }
                                    @if can_assign {
                                        a href={ "/leads/" (lead.id) "/stage" } { (w.move_stage) }
                                    }
                                }
                            }
                        }
                    }
                }
                @if let Some(href) = &column.more { p { a href=(href) { (w.more) } } }
            }
        }
    }
}

/// The fields of a posted form by name (a name given twice keeps every value).
fn posted(pairs: Vec<(String, String)>) -> BTreeMap<String, Vec<String>> {
    let mut fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in pairs {
        fields.entry(k).or_default().push(v);
    }
    fields
}

fn first<'a>(fields: &'a BTreeMap<String, Vec<String>>, name: &str) -> &'a str {
    fields.get(name).and_then(|v| v.first()).map_or("", String::as_str)
}

/// Assigns the ticked leads to the chosen owner. Each lead is authorised as the API's
/// assignment is: one must see it and may change it (a rep only their own), and may give
/// it to that owner (a rep only to themselves, a manager within the team). Answers with the
/// board again, saying how many were assigned and how many refused.
pub async fn assign(
    State(state): State<AppState>,
    who: SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let failed = WebError::in_lang(lang);
    let Form(pairs) = form.map_err(super::bad_form(lang))?;
    let fields = posted(pairs);
    who.principal.check_form_csrf(first(&fields, CSRF_FIELD)).map_err(&failed)?;
    who.principal.require_write().map_err(&failed)?;
    let ids: Vec<i64> =
        fields.get("lead").map(|v| v.iter().filter_map(|id| id.trim().parse().ok()).collect()).unwrap_or_default();
    if ids.len() > MAX_ASSIGN {
        return Err(failed(ApiError::validation("lead", format!("assign at most {MAX_ASSIGN} leads at a time"))));
    }
    let owner = match first(&fields, "owner") {
        "me" | "" => who.principal.user.id,
        id => id.parse::<i64>().map_err(|_| failed(ApiError::validation("owner", format!("`{id}` is not a user"))))?,
    };
    let allowed = allowed_owner(&state, &who.principal, Some(owner)).await;
    let (mut assigned, mut refused) = (0usize, 0usize);
    for id in &ids {
        let ok = match (&allowed, visible_lead(&state, &who.principal, *id).await) {
            (Ok(owner), Ok(lead)) if who.principal.require_lead_write(&lead).is_ok() => {
                sift_app::leads::assign(state.store(), &lead, *owner).await.is_ok()
            }
            _ => false,
        };
        if ok {
            assigned += 1;
        } else {
            refused += 1;
        }
    }
    crate::http::audit(
        &state,
        &who.principal,
        "lead.assigned",
        "leads",
        serde_json::json!({"owner_id": owner, "assigned": assigned, "refused": refused}),
    )
    .await
    .map_err(&failed)?;
    let back = first(&fields, "back");
    // Only the board's own filters come back (a query string, never another address).
    let back = if back.contains(['/', '\\', '#']) { "" } else { back };
    let mut to = format!("/board?assigned={assigned}&refused={refused}");
    if !back.is_empty() {
        to.push('&');
        to.push_str(back);
    }
    Ok(see_other(&to))
}

/// `?moved=1`: the move page after a move.
#[derive(Debug, Default, Deserialize)]
pub struct MoveParams {
    moved: Option<String>,
}

/// The form to move a lead to another stage.
pub async fn move_page(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    params: Result<Query<MoveParams>, QueryRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let failed = WebError::in_lang(lang);
    let id = super::lead_id(lang, id)?;
    let lead = visible_lead(&state, &who.principal, id).await.map_err(&failed)?;
    let moved = params.ok().and_then(|Query(p)| p.moved).is_some();
    let form = MoveForm { to: String::new(), reason: String::new(), error: None, moved };
    Ok(html(StatusCode::OK, move_view(&who, &lead, &form)))
}

#[derive(Debug, Deserialize)]
pub struct MovePosted {
    csrf_token: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
}

/// What the move form shows: what was typed, and the error at its field.
struct MoveForm {
    to: String,
    reason: String,
    /// (field, message): `to` or `reason`.
    error: Option<(&'static str, String)>,
    moved: bool,
}

/// Moves the lead as the lifecycle plans it (the same use case as the API's stage move);
/// a move the rules refuse (no reason, a move not allowed) is shown at its field and
/// nothing changes.
pub async fn move_stage(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<MovePosted>, FormRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let w = words(lang);
    let failed = WebError::in_lang(lang);
    let id = super::lead_id(lang, id)?;
    let Form(posted) = form.map_err(super::bad_form(lang))?;
    who.principal.check_form_csrf(&posted.csrf_token).map_err(&failed)?;
    let lead = visible_lead(&state, &who.principal, id).await.map_err(&failed)?;
    who.principal.require_lead_write(&lead).map_err(&failed)?;
    let mut form = MoveForm { to: posted.to.clone(), reason: posted.reason.clone(), error: None, moved: false };
    let to = match posted.to.parse::<Stage>() {
        Ok(to) => to,
        Err(e) => {
            form.error = Some(("to", e.to_string()));
            return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, move_view(&who, &lead, &form)));
        }
    };
    let plan = sift_app::leads::move_stage(state.store(), id, to, &posted.reason, who.principal.actor())
        .await
        .map_err(|e| failed(e.into()))?;
    match plan {
        MovePlan::Move(_) => {
            crate::http::audit(
                &state,
                &who.principal,
                "lead.stage_moved",
                &format!("lead:{id}"),
                serde_json::json!({"to": to, "reason": posted.reason}),
            )
            .await
            .map_err(&failed)?;
            Ok(see_other(&format!("/leads/{id}/stage?moved=1")))
        }
        MovePlan::Stay { reason, message, .. } => {
            // The planner refuses a move without a reason before anything else about it.
            form.error = Some(if posted.reason.trim().is_empty() {
                ("reason", w.needs_reason.to_owned())
            } else {
                ("to", format!("{}: {}", w.not_allowed, super::messages::say(lang, &reason, message.as_ref())))
            });
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, move_view(&who, &lead, &form)))
        }
    }
}

fn move_view(who: &SignedIn, lead: &StoredLead, form: &MoveForm) -> Markup {
    let lang = who.lang;
    let w = words(lang);
    let name = lead_name(lang, lead);
    let current = lead.record.stage;
    let error_for = |field: &str| form.error.as_ref().filter(|(f, _)| *f == field).map(|(_, m)| m.clone());
    let to_error = error_for("to");
    let reason_error = error_for("reason");
    let may_move = who.principal.require_lead_write(lead).is_ok();
    let body = html! {
        h1 { (w.move_title) ": " (name) }
        @if form.moved { p.notice #moved role="status" { (w.moved_to) " " (i18n::stage(lang, current)) "." } }
        p { (w.current_stage) ": " strong { (i18n::stage(lang, current)) } }
        @if !may_move {
            p.empty { (w.cannot_move) }
        } @else if current.next_stages().is_empty() {
            p.empty { (w.no_moves) }
        } @else {
            form.stack #move-stage method="post" action={ "/leads/" (lead.id) "/stage" } hx-boost="false" {
                input type="hidden" name=(CSRF_FIELD) value=(who.principal.csrf_token());
                label for="to" { (w.move_to) }
                select #to name="to" aria-describedby=[to_error.as_ref().map(|_| "to_error")]
                    aria-invalid=[to_error.as_ref().map(|_| "true")] {
                    @for stage in current.next_stages() {
                        option value=(stage.name()) selected[form.to == stage.name()] { (i18n::stage(lang, *stage)) }
                    }
                }
                @if let Some(m) = &to_error { p.error #to_error { (m) } }
                label for="reason" { (w.reason) }
                input #reason type="text" name="reason" value=(form.reason) maxlength="1000"
                    aria-describedby={ "reason_hint" @if reason_error.is_some() { " reason_error" } }
                    aria-invalid=[reason_error.as_ref().map(|_| "true")];
                p.muted #reason_hint { (w.reason_hint) }
                @if let Some(m) = &reason_error { p.error #reason_error { (m) } }
                button.primary type="submit" { (w.move_button) }
            }
        }
        p.actions {
            a.button href={ "/leads/" (lead.id) } { (w.back_to_lead) }
            a.button href="/board" { (w.back_to_board) }
        }
    };
    layout::page(who, w.move_title, body)
}
