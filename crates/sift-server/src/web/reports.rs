//! The reports (issue 10), `GET /reports`: where the funnel leaks. The funnel MQL → SQL →
//! opportunity → won from the stored stage history (a lead counts at a step if it ever
//! reached it or a later one), overall as a bar chart (`charts::funnel`) and as tables by
//! source, playbook and week of creation; disqualifications by the level that failed, with
//! their reasons; the verdicts on each owner's leads. Filters (created from/to, playbook)
//! are a GET form, so the URL holds them and nothing needs JavaScript. Everyone sees the
//! numbers of the leads they may see (`Principal::visibility`: a rep their own, a manager
//! their team's), all counted by `sift_app::reports::report` in SQL.
//!
//! The page's words live here in English and Chinese (`ReportWords`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;
use sift_app::reports::{Report, ReportQuery, conversion};
use sift_core::Level;
use sift_store::reports::{DisqualifiedLevel, FunnelRow};

use super::charts::{self, Labels};
use super::i18n::{self, Lang};
use super::layout;
use super::{SignedIn, WebError, WebResult, html};
use crate::http::leads::{ListQuery, filter_from};
use crate::problem::ApiError;
use crate::state::AppState;

/// Every word of the reports page, one static per language.
pub struct ReportWords {
    pub nav: &'static str,
    title: &'static str,
    intro: &'static str,
    filters: &'static str,
    from: &'static str,
    to: &'static str,
    playbook: &'static str,
    any_playbook: &'static str,
    apply: &'static str,
    empty: &'static str,
    funnel_title: &'static str,
    funnel_desc: &'static str,
    step: &'static str,
    leads: &'static str,
    share: &'static str,
    numbers: &'static str,
    mql: &'static str,
    sql: &'static str,
    opportunity: &'static str,
    won: &'static str,
    by_source: &'static str,
    by_playbook: &'static str,
    by_week: &'static str,
    source: &'static str,
    week: &'static str,
    none: &'static str,
    no_playbook: &'static str,
    week_empty: &'static str,
    disqualified_title: &'static str,
    disqualified_caption: &'static str,
    level: &'static str,
    reason: &'static str,
    by_hand: &'static str,
    disqualified_empty: &'static str,
    verdicts_title: &'static str,
    verdicts_caption: &'static str,
    owner: &'static str,
    unassigned: &'static str,
    verdicts_empty: &'static str,
    bad_date: &'static str,
}

pub static EN: ReportWords = ReportWords {
    nav: "Reports",
    title: "Reports",
    intro: "Where the funnel leaks: a lead counts at a step if its stage history ever reached it or a later one. Each % is the share of the step before (for MQL, of the leads created). You see the leads you may see.",
    filters: "Filters",
    from: "Created from",
    to: "Created to",
    playbook: "Playbook",
    any_playbook: "Any playbook",
    apply: "Show",
    empty: "No lead was created in this range with these filters, so there is nothing to count yet.",
    funnel_title: "Funnel",
    funnel_desc: "How many leads reached each step, from marketing-qualified to won.",
    step: "Step",
    leads: "Leads",
    share: "Of the step before",
    numbers: "The numbers",
    mql: "MQL",
    sql: "SQL",
    opportunity: "Opportunity",
    won: "Won",
    by_source: "Funnel by source",
    by_playbook: "Funnel by playbook",
    by_week: "Funnel by week of creation (last 12 weeks)",
    source: "Source",
    week: "Week of",
    none: "No source",
    no_playbook: "No playbook",
    week_empty: "No lead was created in the last 12 weeks of this range.",
    disqualified_title: "Disqualifications",
    disqualified_caption: "Leads disqualified, by the level that failed, with the most frequent reasons given",
    level: "Level that failed",
    reason: "Reason",
    by_hand: "No decision (moved by hand or imported)",
    disqualified_empty: "No lead counted here was disqualified.",
    verdicts_title: "Verdicts per rep",
    verdicts_caption: "Decisions saved on each owner's leads, by verdict",
    owner: "Owner",
    unassigned: "Unassigned",
    verdicts_empty: "No decision has been saved on these leads yet.",
    bad_date: "is not a date (YYYY-MM-DD)",
};

pub static ZH: ReportWords = ReportWords {
    nav: "报表",
    title: "报表",
    intro: "看漏斗在哪里流失：线索的阶段历史只要到过某一步或更后面的步骤，就计入这一步。每个百分比是占上一步的比例（MQL 是占创建的线索）。只统计你有权查看的线索。",
    filters: "筛选",
    from: "创建日期从",
    to: "创建日期到",
    playbook: "打法",
    any_playbook: "全部打法",
    apply: "显示",
    empty: "这个范围和筛选条件下没有创建过线索，暂时没有可统计的内容。",
    funnel_title: "漏斗",
    funnel_desc: "从市场认可线索到赢单，每一步有多少线索到达。",
    step: "步骤",
    leads: "线索数",
    share: "占上一步",
    numbers: "具体数字",
    mql: "MQL",
    sql: "SQL",
    opportunity: "商机",
    won: "赢单",
    by_source: "按来源的漏斗",
    by_playbook: "按打法的漏斗",
    by_week: "按创建周的漏斗（最近 12 周）",
    source: "来源",
    week: "周起始日",
    none: "无来源",
    no_playbook: "无打法",
    week_empty: "这个范围的最近 12 周内没有创建线索。",
    disqualified_title: "不合格原因",
    disqualified_caption: "被判定不合格的线索，按未通过的层级，附最常见的原因",
    level: "未通过的层级",
    reason: "原因",
    by_hand: "没有结论（手动移动或导入）",
    disqualified_empty: "这里统计的线索都没有被判定不合格。",
    verdicts_title: "各销售的结论",
    verdicts_caption: "每位负责人的线索上保存的结论，按结论分",
    owner: "负责人",
    unassigned: "未分配",
    verdicts_empty: "这些线索还没有保存过结论。",
    bad_date: "不是日期（YYYY-MM-DD）",
};

pub fn words(lang: Lang) -> &'static ReportWords {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// The filters, as the form sends them.
#[derive(Debug, Default, Deserialize)]
pub struct ReportParams {
    from: Option<String>,
    to: Option<String>,
    playbook: Option<String>,
}

fn blank_is_none(v: Option<&String>) -> Option<String> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// 12345 → "12,345".
pub(super) fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The share of the step before, as "40.0%", or "–" when there was none.
fn share(part: i64, of: i64) -> String {
    conversion(part, of).map_or_else(|| "–".to_owned(), |s| format!("{:.1}%", s * 100.0))
}

pub async fn page(
    State(state): State<AppState>,
    who: SignedIn,
    params: Result<Query<ReportParams>, QueryRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let w = words(lang);
    let failed = WebError::in_lang(lang);
    let Query(params) = params.map_err(super::bad_query(lang))?;
    let day = |field: &str, v: Option<&String>| -> Result<Option<NaiveDate>, WebError> {
        blank_is_none(v)
            .map(|v| {
                NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                    .map_err(|_| failed(ApiError::validation(field, format!("`{v}` {}", w.bad_date))))
            })
            .transpose()
    };
    let from = day("from", params.from.as_ref())?;
    let to = day("to", params.to.as_ref())?;
    let playbook = blank_is_none(params.playbook.as_ref());
    let list = ListQuery { playbook: playbook.clone(), ..ListQuery::default() };
    let leads = filter_from(&list, &who.principal).map_err(&failed)?;
    let report = sift_app::reports::report(state.store(), &ReportQuery { leads, from, to })
        .await
        .map_err(|e| failed(e.into()))?;
    let config = state.config();
    let playbooks: Vec<String> =
        config.playbooks.as_ref().map(|p| p.playbooks.iter().map(|p| p.id.clone()).collect()).unwrap_or_default();
    let main = render(lang, &params, &playbooks, &report);
    Ok(html(StatusCode::OK, layout::page(&who, w.title, main)))
}

fn steps(w: &ReportWords) -> [&'static str; 4] {
    [w.mql, w.sql, w.opportunity, w.won]
}

fn render(lang: Lang, params: &ReportParams, playbooks: &[String], report: &Report) -> Markup {
    let w = words(lang);
    let chosen = blank_is_none(params.playbook.as_ref());
    html! {
        h1 { (w.title) }
        p { (w.intro) }
        form.filters method="get" action="/reports" role="search" aria-label=(w.filters) {
            label { (w.from) input type="date" name="from" value=[params.from.as_deref()]; }
            label { (w.to) input type="date" name="to" value=[params.to.as_deref()]; }
            label { (w.playbook)
                select name="playbook" {
                    option value="" { (w.any_playbook) }
                    option value="none" selected[chosen.as_deref() == Some("none")] { (w.no_playbook) }
                    @for p in playbooks {
                        option value=(p) selected[chosen.as_deref() == Some(p.as_str())] { (p) }
                    }
                }
            }
            button type="submit" { (w.apply) }
        }
        @if report.overall.leads == 0 {
            p.empty #reports-empty { (w.empty) }
        } @else {
            section #funnel aria-labelledby="funnel-h" {
                h2 #funnel-h { (w.funnel_title) }
                (funnel_chart(w, &report.overall))
            }
            section #by-source aria-labelledby="by-source-h" {
                h2 #by-source-h { (w.by_source) }
                (funnel_table(w, w.by_source, w.source, w.none, &report.by_source))
            }
            section #by-playbook aria-labelledby="by-playbook-h" {
                h2 #by-playbook-h { (w.by_playbook) }
                (funnel_table(w, w.by_playbook, w.playbook, w.no_playbook, &report.by_playbook))
            }
            section #by-week aria-labelledby="by-week-h" {
                h2 #by-week-h { (w.by_week) }
                @if report.by_week.is_empty() {
                    p.empty { (w.week_empty) }
                } @else {
                    (funnel_table(w, w.by_week, w.week, "", &report.by_week))
                }
            }
        }
        section #disqualified aria-labelledby="disqualified-h" {
            h2 #disqualified-h { (w.disqualified_title) }
            (disqualified(lang, &report.disqualified))
        }
        section #verdicts aria-labelledby="verdicts-h" {
            h2 #verdicts-h { (w.verdicts_title) }
            @if report.verdicts.is_empty() {
                p.empty { (w.verdicts_empty) }
            } @else {
                table {
                    caption { (w.verdicts_caption) }
                    thead { tr {
                        th scope="col" { (w.owner) }
                        @for v in [sift_core::Verdict::Qualified, sift_core::Verdict::Nurture, sift_core::Verdict::Disqualified, sift_core::Verdict::NeedsInfo] {
                            th scope="col" { (layout::verdict_badge(lang, v)) }
                        }
                    } }
                    tbody {
                        @for r in &report.verdicts {
                            tr data-owner=[r.owner_id] {
                                th scope="row" { (r.owner.as_deref().unwrap_or(w.unassigned)) }
                                td.num { (count(r.qualified)) }
                                td.num { (count(r.nurture)) }
                                td.num { (count(r.disqualified)) }
                                td.num { (count(r.needs_info)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn funnel_chart(w: &ReportWords, row: &FunnelRow) -> Markup {
    let names = steps(w);
    let counts = [row.mql, row.sql, row.opportunity, row.won];
    let data: Vec<(&str, String, i64)> = names.iter().zip(counts).map(|(n, c)| (*n, count(c), c)).collect();
    let shares = [
        share(row.mql, row.leads),
        share(row.sql, row.mql),
        share(row.opportunity, row.sql),
        share(row.won, row.opportunity),
    ];
    let desc = format!(
        "{} {}: {}",
        w.funnel_desc,
        count(row.leads),
        names.iter().zip(counts).map(|(n, c)| format!("{n} {}", count(c))).collect::<Vec<_>>().join(", ")
    );
    let labels =
        Labels { id: "funnel-chart", title: w.funnel_title, desc, x_axis: w.step, y_axis: w.leads, numbers: w.numbers };
    charts::funnel(&labels, &data, [w.step, w.leads, w.share], &shares)
}

/// A funnel split by a column: each step's count and its conversion from the step before.
fn funnel_table(w: &ReportWords, caption: &str, column: &str, missing: &str, rows: &[FunnelRow]) -> Markup {
    let names = steps(w);
    html! {
        table.funnel {
            caption { (caption) }
            thead { tr {
                th scope="col" { (column) }
                th scope="col" { (w.leads) }
                @for n in names { th scope="col" { (n) } th scope="col" { (n) " %" } }
            } }
            tbody {
                @for r in rows {
                    tr {
                        th scope="row" { (r.group.as_deref().unwrap_or(missing)) }
                        td.num { (count(r.leads)) }
                        td.num { (count(r.mql)) } td.num { (share(r.mql, r.leads)) }
                        td.num { (count(r.sql)) } td.num { (share(r.sql, r.mql)) }
                        td.num { (count(r.opportunity)) } td.num { (share(r.opportunity, r.sql)) }
                        td.num { (count(r.won)) } td.num { (share(r.won, r.opportunity)) }
                    }
                }
            }
        }
    }
}

fn level_name(lang: Lang, level: Option<&str>) -> &'static str {
    match level.and_then(|l| l.parse::<Level>().ok()) {
        Some(l) => i18n::level(lang, l),
        None => words(lang).by_hand,
    }
}

/// Per level (organization, opportunity, stakeholder, then no decision): how many leads,
/// and the most frequent reasons.
fn disqualified(lang: Lang, levels: &[DisqualifiedLevel]) -> Markup {
    let w = words(lang);
    let order = [Some("organization"), Some("opportunity"), Some("stakeholder"), None];
    let mut sorted: Vec<&DisqualifiedLevel> = levels.iter().collect();
    sorted.sort_by_key(|l| order.iter().position(|o| *o == l.level.as_deref()).unwrap_or(order.len()));
    html! {
        @if levels.is_empty() {
            p.empty { (w.disqualified_empty) }
        } @else {
            table #disqualified-table {
                caption { (w.disqualified_caption) }
                thead { tr { th scope="col" { (w.level) } th scope="col" { (w.leads) } th scope="col" { (w.reason) } th scope="col" { (w.leads) } } }
                @for level in sorted {
                    @let rows = level.reasons.len().max(1);
                    @let said = |i: usize| {
                        let (reason, _) = &level.reasons[i];
                        super::messages::say(lang, reason, level.reason_messages.get(i).and_then(Option::as_ref))
                    };
                    tbody data-level=(level.level.as_deref().unwrap_or("none")) {
                        tr {
                            th scope="rowgroup" rowspan=(rows) { (level_name(lang, level.level.as_deref())) }
                            td.num rowspan=(rows) { (count(level.leads)) }
                            @if let Some((_, n)) = level.reasons.first() {
                                td { (said(0)) } td.num { (count(*n)) }
                            } @else {
                                td {} td {}
                            }
                        }
                        @for (i, (_, n)) in level.reasons.iter().enumerate().skip(1) {
                            tr { td { (said(i)) } td.num { (count(*n)) } }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_thousands_separated_and_shares_one_decimal() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(100_000), "100,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(share(2, 5), "40.0%");
        assert_eq!(share(1, 0), "–");
    }
}
