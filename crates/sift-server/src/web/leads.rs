//! The lead list (filters in the URL, read through the API's own query parser) and one
//! lead: the decision and its reasons first, then the three levels with their findings and
//! evidence, the stage history and the calls.

use std::collections::BTreeMap;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use sift_core::Stage;
use sift_store::StoredLead;
use sift_store::accounts::Role;

use super::i18n::{self, Lang};
use super::layout::{self, lead_name, verdict_badge};
use super::messages::{self, finding_name, say, say_opt};
use super::today::score;
use super::{SignedIn, WebError, WebResult, encode_component, html};
use crate::http::leads::{ListQuery, filter_from, next_page, visible_lead};
use crate::state::AppState;

/// Leads per page of the list.
const PAGE_SIZE: i64 = 50;

/// The list's URL: every filter is a query parameter, so a view can be bookmarked.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    stage: Option<String>,
    owner: Option<String>,
    q: Option<String>,
    cursor: Option<String>,
}

fn blank_is_none(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
    params: Result<Query<ListParams>, QueryRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let t = lang.text();
    let failed = WebError::in_lang(lang);
    let Query(params) = params.map_err(super::bad_query(lang))?;
    let query = ListQuery {
        stage: blank_is_none(&params.stage),
        owner: blank_is_none(&params.owner),
        q: blank_is_none(&params.q),
        cursor: blank_is_none(&params.cursor),
        sort: Some("-score".to_owned()),
        limit: Some(PAGE_SIZE),
        ..ListQuery::default()
    };
    let filter = filter_from(&query, &who.principal).map_err(&failed)?;
    let mut leads = sift_app::leads::list(state.store(), &filter).await.map_err(|e| failed(e.into()))?;
    let next = next_page(&query, &filter, &mut leads);
    let users = state.store().list_users().await.map_err(|e| failed(e.into()))?;
    let names: BTreeMap<i64, String> =
        users.iter().map(|u| (u.id, u.display_name.clone().unwrap_or_else(|| u.username.clone()))).collect();
    let picks_owner = who.principal.user.role != Role::Rep;
    let selected_stage = query.stage.as_deref().unwrap_or("");
    let selected_owner = query.owner.as_deref().unwrap_or("");
    let next_href = next.map(|cursor| {
        let mut href = format!("/leads?cursor={}", encode_component(&cursor));
        for (key, value) in [("stage", &query.stage), ("owner", &query.owner), ("q", &query.q)] {
            if let Some(v) = value {
                href.push_str(&format!("&{key}={}", encode_component(v)));
            }
        }
        href
    });
    let body = html! {
        h1 { (t.leads_title) }
        form.filters method="get" action="/leads" role="search"
            hx-get="/leads" hx-trigger="change, input from:#q delay:300ms" hx-target="#results" hx-select="#results"
            hx-swap="outerHTML" hx-push-url="true" {
            label { (t.filter_stage)
                select name="stage" {
                    option value="" { (t.filter_any_stage) }
                    @for stage in Stage::ALL {
                        option value=(stage.name()) selected[selected_stage == stage.name()] { (i18n::stage(lang, stage)) }
                    }
                }
            }
            label { (t.filter_owner)
                select name="owner" {
                    option value="" { (t.filter_anyone) }
                    option value="me" selected[selected_owner == "me"] { (t.filter_me) }
                    @if picks_owner {
                        option value="none" selected[selected_owner == "none"] { (t.unassigned) }
                        @for (id, name) in &names {
                            option value=(id) selected[selected_owner == id.to_string()] { (name) }
                        }
                    }
                }
            }
            label { (t.filter_search)
                input #q type="search" name="q" value=(query.q.as_deref().unwrap_or("")) maxlength="200" aria-keyshortcuts="/";
            }
            button type="submit" { (t.filter_apply) }
        }
        div #results {
            @if leads.is_empty() {
                p.empty { (t.no_leads_match) }
            } @else {
                p.muted { (i18n::lead_count(lang, leads.len())) }
                table {
                    thead { tr {
                        th scope="col" { (t.col_lead) } th scope="col" { (t.col_company) } th scope="col" { (t.col_stage) }
                        th scope="col" { (t.col_verdict) } th scope="col" { (t.col_score) } th scope="col" { (t.col_owner) }
                    } }
                    tbody {
                        @for lead in &leads {
                            tr {
                                td { a href={ "/leads/" (lead.id) } { (lead_name(lang, lead)) } }
                                td { (lead.record.company.as_deref().unwrap_or("")) }
                                td { (i18n::stage(lang, lead.record.stage)) }
                                td { @if let Some(v) = lead.verdict { (verdict_badge(lang, v)) } }
                                td.num { (score(lang, lead)) }
                                td { (owner_name(lang, &names, lead)) }
                            }
                        }
                    }
                }
                @if let Some(href) = next_href { p { a href=(href) { (t.more_leads) } } }
            }
        }
    };
    Ok(html(StatusCode::OK, layout::page(&who, t.leads_title, body)))
}

fn owner_name(lang: Lang, names: &BTreeMap<i64, String>, lead: &StoredLead) -> String {
    match lead.owner_id {
        None => lang.text().unassigned.to_owned(),
        Some(id) => names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")),
    }
}

/// `?saved=moved|stayed`: the playbook page saved a decision and says what it did.
#[derive(Debug, Default, Deserialize)]
pub struct ShowParams {
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    params: Result<Query<ShowParams>, QueryRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let failed = WebError::in_lang(lang);
    let id = super::lead_id(lang, id)?;
    let lead = visible_lead(&state, &who.principal, id).await.map_err(&failed)?;
    let detail = sift_app::leads::detail_of(state.store(), lead).await.map_err(|e| failed(e.into()))?;
    let mut calls = Vec::new();
    for listing in state.store().lead_calls(id).await.map_err(|e| failed(e.into()))? {
        if let Some(call) = state.store().call(listing.id).await.map_err(|e| failed(e.into()))? {
            calls.push(call);
        }
    }
    let owner = match detail.lead.owner_id {
        Some(owner) => state.store().user(owner).await.map_err(|e| failed(e.into()))?,
        None => None,
    };
    let name = lead_name(lang, &detail.lead);
    let t = lang.text();
    let stage = i18n::stage(lang, detail.lead.record.stage);
    let saved = match params.ok().and_then(|Query(p)| p.saved).as_deref() {
        Some("moved") => Some(format!("{} {stage}.", t.saved_moved)),
        Some("stayed") => Some(format!("{} {stage}.", t.saved_stayed)),
        _ => None,
    };
    let body = html! {
        @if let Some(notice) = saved { p.notice #saved role="status" { (notice) } }
        (lead_page(lang, &name, &detail, owner.as_ref(), &calls))
    };
    Ok(html(StatusCode::OK, layout::page(&who, &name, body)))
}

fn lead_page(
    lang: Lang,
    name: &str,
    detail: &sift_app::leads::LeadDetail,
    owner: Option<&sift_store::accounts::User>,
    calls: &[sift_store::calls::StoredCall],
) -> Markup {
    let t = lang.text();
    let r = &detail.lead.record;
    let fact = |label: &'static str, value: Option<&str>| {
        html! { @if let Some(v) = value.filter(|v| !v.is_empty()) { dt { (label) } dd { (v) } } }
    };
    html! {
        h1 { (name) @if let Some(c) = &r.company { " · " (c) } }
        p.muted {
            (t.col_stage) ": " (i18n::stage(lang, r.stage)) " · " (t.col_score) ": " (score(lang, &detail.lead))
            " · " (t.col_owner) ": "
            (owner.map_or(t.unassigned, |u| u.display_name.as_deref().unwrap_or(&u.username)))
        }
        (score_factors_line(lang, &detail.lead))
        p.actions {
            a.button href={ "/leads/" (detail.lead.id) "/qualify" } { (t.run_playbook) }
            " "
            a.button href={ "/leads/" (detail.lead.id) "/calls/new" } { (t.upload_call) }
            " "
            a.button href={ "/leads/" (detail.lead.id) "/stage" } { (super::board::words(lang).move_stage) }
        }
        div.columns {
            div {
                (decision_section(lang, detail))
                (history_section(lang, detail))
                (calls_section(lang, calls))
            }
            aside aria-labelledby="facts" {
                h2 #facts { (t.facts) }
                dl.facts {
                    (fact(t.email, r.email.as_deref()))
                    (fact(t.phone, r.phone.as_deref()))
                    (fact(t.job_title, r.title.as_deref()))
                    (fact(t.country, r.country.as_deref()))
                    (fact(t.source, r.source.as_deref()))
                    (fact(t.playbook, detail.lead.playbook.as_deref()))
                    @for (key, value) in &r.custom_fields { (fact_owned(key, value)) }
                }
            }
        }
    }
}

/// What raised and lowered the lead's score most, in the page's words.
fn score_factors_line(lang: Lang, lead: &StoredLead) -> Markup {
    let w = messages::factor_words(lang);
    let said = |side: &str| {
        messages::score_factors(lead, side)
            .iter()
            .map(|(column, value)| messages::factor(lang, column, value))
            .collect::<Vec<_>>()
            .join(w.separator)
    };
    let (raised, lowered) = (said("positive"), said("negative"));
    html! {
        @if !raised.is_empty() || !lowered.is_empty() {
            p.muted #score-factors {
                @if !raised.is_empty() { (w.raised_by) ": " (raised) }
                @if !raised.is_empty() && !lowered.is_empty() { " · " }
                @if !lowered.is_empty() { (w.lowered_by) ": " (lowered) }
            }
        }
    }
}

fn fact_owned(key: &str, value: &str) -> Markup {
    html! { @if !value.is_empty() { dt { (key) } dd { (value) } } }
}

/// The verdict, where it stopped, the one-line why and the next step above everything;
/// then each level with its findings and their evidence.
fn decision_section(lang: Lang, detail: &sift_app::leads::LeadDetail) -> Markup {
    let t = lang.text();
    let Some(latest) = &detail.latest_decision else {
        return html! { section.decision { p.empty { (t.no_decision) } } };
    };
    let d = &latest.decision;
    html! {
        section.decision aria-labelledby="verdict" {
            h2 #verdict { (t.verdict) ": " (verdict_badge(lang, d.verdict)) }
            @if let Some(level) = d.failed_level { p { strong { (t.stopped_at) ": " } (i18n::level(lang, level)) } }
            @if let Some(why) = d.reasons.first() { p #why { strong { (t.why) ": " } (say(lang, why, d.reason_messages.first())) } }
            p #next-step { strong { (t.next_step) ": " } (say(lang, &d.next_step, d.next_step_message.as_ref())) }
            @if let Some(n) = &d.nurture { p #nurture-plan { strong { (t.nurture_until) " " (n.re_engage_on) ": " } (say(lang, &n.reason, n.reason_message.as_ref())) } }
            p.muted { (t.decided_on) " " (short_time(&latest.decided_at)) " · " (d.framework) }
        }
        @if !d.next_questions.is_empty() {
            section aria-labelledby="next-questions" {
                h2 #next-questions { (t.next_questions) }
                ol { @for q in &d.next_questions { li { (q.question) " " span.muted { "(" (say(lang, &q.why, q.why_message.as_ref())) ")" } } } }
            }
        }
        section aria-labelledby="levels" {
            h2 #levels { (t.levels) }
            @for level in &d.levels {
                div class={ "level check-" (check_name(level.status)) } {
                    h3 { (i18n::level(lang, level.level)) ": " (i18n::check(lang, level.status)) }
                    p.level-reason { (say(lang, &level.reason, level.reason_message.as_ref())) }
                    @if !level.findings.is_empty() {
                        table {
                            thead { tr {
                                th scope="col" { (t.criterion) } th scope="col" { (t.result) }
                                th scope="col" { (t.evidence) } th scope="col" { (t.why) }
                            } }
                            tbody { @for f in &level.findings {
                                tr {
                                    td { (finding_name(lang, f)) @if !f.blocking { " " span.muted { "(" (t.optional) ")" } } }
                                    td { (i18n::outcome(lang, f.outcome))
                                        @if let Some(s) = f.status { " " span.muted { "(" (status_name(lang, s)) ")" } } }
                                    td.evidence { (say_opt(lang, f.evidence.as_deref(), f.evidence_message.as_ref())) @if let Some(date) = f.date { " " (date) } }
                                    td.finding-reason { (say(lang, &f.reason, f.reason_message.as_ref())) }
                                }
                            } }
                        }
                    }
                }
            }
        }
    }
}

/// A criterion status beside a finding: its id in English as before, the glossary's words in
/// Chinese.
fn status_name(lang: Lang, status: sift_core::CriterionStatus) -> &'static str {
    match lang {
        Lang::En => status.name(),
        Lang::Zh => i18n::criterion_status(lang, status),
    }
}

/// `2026-12-04T18:58:29.121Z` as `2026-12-04 18:58` (UTC); anything else as it is.
fn short_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map_or_else(|_| rfc3339.to_owned(), |t| t.with_timezone(&chrono::Utc).format("%Y-%m-%d %H:%M").to_string())
}

pub fn check_name(check: sift_core::icp::Check) -> &'static str {
    match check {
        sift_core::icp::Check::Pass => "pass",
        sift_core::icp::Check::Fail => "fail",
        sift_core::icp::Check::Unknown => "unknown",
    }
}

fn history_section(lang: Lang, detail: &sift_app::leads::LeadDetail) -> Markup {
    let t = lang.text();
    html! {
        section aria-labelledby="history" {
            h2 #history { (t.history) }
            @if detail.history.is_empty() {
                p.empty { (t.no_history) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (t.when) } th scope="col" { (t.moved) } th scope="col" { (t.by) } th scope="col" { (t.why) }
                    } }
                    tbody { @for (h, message) in detail.history.iter().zip(history_messages(detail)).rev() {
                        tr {
                            td { (h.at.format("%Y-%m-%d %H:%M")) }
                            td { (i18n::stage(lang, h.from)) " → " (i18n::stage(lang, h.to)) }
                            td { (h.actor) }
                            td.history-reason { (say(lang, &h.reason, message)) }
                        }
                    } }
                }
            }
        }
    }
}

/// Each stage move's message (none where the detail has fewer).
fn history_messages(detail: &sift_app::leads::LeadDetail) -> Vec<Option<&sift_core::Message>> {
    (0..detail.history.len()).map(|i| detail.history_messages.get(i).and_then(Option::as_ref)).collect()
}

/// A message kept in a stored analysis (`None` for calls kept before messages were).
fn stored_message(value: &serde_json::Value, key: &str) -> Option<sift_core::Message> {
    value.get(key).and_then(|m| serde_json::from_value(m.clone()).ok())
}

/// A concept of a stored analysis: its id in English as before, its words in Chinese.
fn concept_name(lang: Lang, id: &str) -> String {
    match lang {
        Lang::En => id.to_owned(),
        Lang::Zh => messages::concept(id),
    }
}

/// A stored status (`confirmed`): as kept in English, the glossary's words in Chinese.
fn stored_status(lang: Lang, status: &str) -> String {
    match (lang, sift_core::CriterionStatus::ALL.into_iter().find(|s| s.name() == status)) {
        (Lang::Zh, Some(s)) => i18n::criterion_status(lang, s).to_owned(),
        _ => status.to_owned(),
    }
}

/// A stored signal kind (`excuse`): as kept in English, its name in Chinese.
fn signal_name(lang: Lang, kind: &str) -> String {
    match lang {
        Lang::En => kind.to_owned(),
        Lang::Zh => i18n::signal(lang, kind),
    }
}

/// Each call with its counts and the signals it found, each shown with its quote.
fn calls_section(lang: Lang, calls: &[sift_store::calls::StoredCall]) -> Markup {
    let t = lang.text();
    let count = |call: &sift_store::calls::StoredCall, key: &str| {
        call.listing.summary.get(key).and_then(serde_json::Value::as_u64).unwrap_or(0)
    };
    html! {
        section aria-labelledby="calls" {
            h2 #calls { (t.calls) }
            @if calls.is_empty() {
                p.empty { (t.no_calls) }
            } @else {
                @for call in calls {
                    h3 {
                        a href={ "/leads/" (call.listing.lead_id) "/calls/" (call.listing.id) } { (call.listing.source_name) }
                        " · " (t.call_date) " " (call.listing.call_date)
                    }
                    p.muted {
                        (t.criteria_with_evidence) ": " (count(call, "criteria_with_evidence")) " · "
                        (t.good_signs) ": " (count(call, "good_signs")) " · " (t.red_flags) ": " (count(call, "red_flags"))
                    }
                    @let concepts = call.analysis.get("concepts").and_then(serde_json::Value::as_array).map(Vec::as_slice).unwrap_or_default();
                    @let spoken: Vec<&serde_json::Value> = concepts.iter().filter(|c| c.get("status").and_then(serde_json::Value::as_str).is_some_and(|s| s != "unknown")).collect();
                    @if !spoken.is_empty() {
                        table {
                            thead { tr { th scope="col" { (t.criterion) } th scope="col" { (t.result) } th scope="col" { (t.evidence) } } }
                            tbody { @for c in &spoken {
                                @let text = |key: &str| c.get(key).and_then(serde_json::Value::as_str).unwrap_or("").to_owned();
                                @let quotes = c.get("decided_by").and_then(serde_json::Value::as_array).map(Vec::as_slice).unwrap_or_default();
                                tr {
                                    td { (concept_name(lang, &text("concept"))) }
                                    td { (stored_status(lang, &text("status"))) }
                                    td { @for q in quotes {
                                        @if let Some(quote) = q.get("quote").and_then(serde_json::Value::as_str) { "“" (quote) "” " }
                                    } }
                                }
                            } }
                        }
                    }
                    @let signals = call.analysis.get("signals").and_then(serde_json::Value::as_array).map(Vec::as_slice).unwrap_or_default();
                    @if !signals.is_empty() {
                        ul { @for s in signals {
                            @let text = |key: &str| s.get(key).and_then(serde_json::Value::as_str).unwrap_or("").to_owned();
                            li {
                                span class={ "badge " (if text("polarity") == "red" { "verdict-disqualified" } else { "verdict-qualified" }) } {
                                    (signal_name(lang, &text("kind")))
                                }
                                " “" (text("quote")) "” "
                                span.muted { (say(lang, &text("explanation"), stored_message(s, "explanation_message").as_ref())) }
                            }
                        } }
                    }
                }
            }
        }
    }
}
