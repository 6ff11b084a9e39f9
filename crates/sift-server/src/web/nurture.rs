//! Nurture (issue 10): `GET /nurture` lists the nurtured leads one may see
//! (`sift_app::leads::nurtured`) with their playbook (the nurture track) and re-engage date,
//! the ones whose date has come first and marked. `POST /nurture/{id}/pull-back` brings one
//! back early (`sift_app::leads::pull_back`: the hand-made stage move to MQL, so the
//! lifecycle asks for a reason; a refusal is shown at that lead's reason field and nothing
//! changes), authorised as the API's stage move (`visible_lead`, `require_lead_write`: a rep
//! only their own leads). Plain forms: it works with JavaScript off.
//!
//! The page's words live here in English and Chinese (`NurtureWords`).

use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use sift_core::MovePlan;

use super::i18n::Lang;
use super::layout::{self, lead_name, verdict_badge};
use super::{SignedIn, WebError, WebResult, html, see_other};
use crate::auth::CSRF_FIELD;
use crate::http::leads::visible_lead;
use crate::state::AppState;

/// How many nurtured leads the page reads.
const NURTURE_LIMIT: usize = 500;

/// Every word of the nurture page, one static per language.
pub struct NurtureWords {
    pub nav: &'static str,
    title: &'static str,
    intro: &'static str,
    empty: &'static str,
    col_lead: &'static str,
    col_company: &'static str,
    col_track: &'static str,
    col_re_engage: &'static str,
    col_verdict: &'static str,
    col_pull_back: &'static str,
    no_track: &'static str,
    no_date: &'static str,
    due: &'static str,
    upcoming: &'static str,
    reason: &'static str,
    pull_back: &'static str,
    needs_reason: &'static str,
    pulled: &'static str,
    read_only: &'static str,
}

pub static EN: NurtureWords = NurtureWords {
    nav: "Nurture",
    title: "Nurture",
    intro: "Leads waiting for their re-engage date, earliest first. On that date they come back to MQL by themselves; pull one back early when there is a reason to call now.",
    empty: "No lead is in nurture.",
    col_lead: "Lead",
    col_company: "Company",
    col_track: "Track (playbook)",
    col_re_engage: "Re-engage on",
    col_verdict: "Last verdict",
    col_pull_back: "Pull back early",
    no_track: "No playbook",
    no_date: "No date",
    due: "Due",
    upcoming: "Waiting",
    reason: "Reason",
    pull_back: "Pull back to MQL",
    needs_reason: "Say why the lead comes back early: a stage change needs a reason.",
    pulled: "The lead is back in MQL.",
    read_only: "Read only",
};

pub static ZH: NurtureWords = NurtureWords {
    nav: "培育",
    title: "培育",
    intro: "等待重新跟进日期的线索，日期早的在前。到了日期会自动回到 MQL；如果有理由现在就联系，可以提前拉回。",
    empty: "没有处于培育阶段的线索。",
    col_lead: "线索",
    col_company: "公司",
    col_track: "培育路径（打法）",
    col_re_engage: "重新跟进日期",
    col_verdict: "最近结论",
    col_pull_back: "提前拉回",
    no_track: "无打法",
    no_date: "无日期",
    due: "已到期",
    upcoming: "等待中",
    reason: "原因",
    pull_back: "拉回到 MQL",
    needs_reason: "请说明提前拉回的原因：阶段变更需要原因。",
    pulled: "线索已回到 MQL。",
    read_only: "只读",
};

pub fn words(lang: Lang) -> &'static NurtureWords {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// A refused pull-back: which lead, what was typed, and why.
struct Refusal {
    id: i64,
    reason: String,
    message: String,
}

#[derive(Deserialize)]
pub struct NurtureQuery {
    pulled: Option<i64>,
}

pub async fn page(State(state): State<AppState>, who: SignedIn, query: Query<NurtureQuery>) -> WebResult {
    render(&state, &who, query.pulled, None, StatusCode::OK).await
}

async fn render(
    state: &AppState,
    who: &SignedIn,
    pulled: Option<i64>,
    refusal: Option<&Refusal>,
    status: StatusCode,
) -> WebResult {
    let lang = who.lang;
    let w = words(lang);
    let as_of = chrono::Utc::now().date_naive();
    let leads = sift_app::leads::nurtured(state.store(), &who.principal.visibility(), as_of, NURTURE_LIMIT)
        .await
        .map_err(|e| WebError { error: e.into(), lang })?;
    let csrf = who.principal.csrf_token();
    let body: Markup = html! {
        h1 { (w.title) }
        p { (w.intro) }
        @if pulled.is_some() { p.notice role="status" { (w.pulled) } }
        @if let Some(r) = refusal.filter(|r| leads.iter().all(|n| n.lead.id != r.id)) {
            p.error role="alert" { (r.message) }
        }
        @if leads.is_empty() {
            p.empty { (w.empty) }
        } @else {
            table #nurture {
                thead { tr {
                    th scope="col" { (w.col_lead) } th scope="col" { (w.col_company) }
                    th scope="col" { (w.col_track) } th scope="col" { (w.col_re_engage) }
                    th scope="col" { (w.col_verdict) } th scope="col" { (w.col_pull_back) }
                } }
                tbody {
                    @for item in &leads {
                        @let lead = &item.lead;
                        @let name = lead_name(lang, lead);
                        @let refused = refusal.filter(|r| r.id == lead.id);
                        tr data-lead=(lead.id) class=[item.due.then_some("due")] {
                            td { a href={ "/leads/" (lead.id) } { (name) } }
                            td { (lead.record.company.as_deref().unwrap_or("")) }
                            td { (lead.playbook.as_deref().unwrap_or(w.no_track)) }
                            td {
                                (lead.re_engage_on.as_deref().unwrap_or(w.no_date)) " "
                                @if item.due {
                                    span.badge.due { span aria-hidden="true" { "!" } " " (w.due) }
                                } @else {
                                    span.badge { (w.upcoming) }
                                }
                            }
                            td { @if let Some(v) = lead.verdict { (verdict_badge(lang, v)) } }
                            td {
                                @if who.principal.require_lead_write(lead).is_ok() {
                                    @let field = format!("reason-{}", lead.id);
                                    @let error = format!("reason-{}-error", lead.id);
                                    form.inline method="post" action={ "/nurture/" (lead.id) "/pull-back" } hx-boost="false" {
                                        input type="hidden" name=(CSRF_FIELD) value=(csrf);
                                        label for=(field) { (w.reason) }
                                        input id=(field) name="reason" aria-label={ (w.reason) ": " (name) } value=[refused.map(|r| r.reason.as_str())]
                                            aria-describedby=[refused.map(|_| error.as_str())]
                                            aria-invalid=[refused.map(|_| "true")];
                                        button type="submit" { (w.pull_back) }
                                        @if let Some(r) = refused { p.error id=(error) role="alert" { (r.message) } }
                                    }
                                } @else {
                                    (w.read_only)
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(html(status, layout::page(who, w.title, body)))
}

/// The address a refused pull-back answered at, opened again (the language switch comes
/// back here): the list.
pub async fn back_to_list() -> Response {
    see_other("/nurture")
}

#[derive(Deserialize)]
pub struct PullBackForm {
    csrf_token: String,
    #[serde(default)]
    reason: String,
}

/// Brings a nurtured lead back to MQL before its date, with the reason the rules require.
pub async fn pull_back(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<PullBackForm>, FormRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let w = words(lang);
    let failed = WebError::in_lang(lang);
    let id = super::lead_id(lang, id)?;
    let Form(posted) = form.map_err(super::bad_form(lang))?;
    who.principal.check_form_csrf(&posted.csrf_token).map_err(&failed)?;
    let lead = visible_lead(&state, &who.principal, id).await.map_err(&failed)?;
    who.principal.require_lead_write(&lead).map_err(&failed)?;
    let plan = sift_app::leads::pull_back(state.store(), id, &posted.reason, who.principal.actor())
        .await
        .map_err(|e| failed(e.into()))?;
    match plan {
        MovePlan::Move(_) => {
            crate::http::audit(
                &state,
                &who.principal,
                "lead.stage_moved",
                &format!("lead:{id}"),
                serde_json::json!({"to": sift_core::Stage::Mql, "reason": posted.reason, "pulled_back": true}),
            )
            .await
            .map_err(&failed)?;
            Ok(see_other(&format!("/nurture?pulled={id}")))
        }
        MovePlan::Stay { reason, message, .. } => {
            let message = if posted.reason.trim().is_empty() {
                w.needs_reason.to_owned()
            } else {
                super::messages::say(lang, &reason, message.as_ref())
            };
            let refusal = Refusal { id, reason: posted.reason, message };
            render(&state, &who, None, Some(&refusal), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}
