//! Today, the rep's home: whom to call first and why, and the nurtured leads due back.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use super::i18n::{self, Lang};
use super::layout::{self, lead_name};
use super::{SignedIn, WebError, WebResult, html};
use crate::state::AppState;

/// How many leads each list shows.
const TODAY_LIMIT: usize = 25;

pub async fn page(State(state): State<AppState>, who: SignedIn) -> WebResult<Response> {
    let lang = who.lang;
    let t = lang.text();
    let as_of = chrono::Utc::now().date_naive();
    let today = sift_app::leads::today(state.store(), &who.principal.visibility(), as_of, TODAY_LIMIT)
        .await
        .map_err(|e| WebError { error: e.into(), lang })?;
    let body = html! {
        h1 { (t.today_title) }
        section aria-labelledby="call-first" {
            h2 #call-first { (t.call_first) }
            @if today.call_first.is_empty() {
                p.empty { (t.call_first_empty) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (t.col_lead) } th scope="col" { (t.col_company) }
                        th scope="col" { (t.col_stage) } th scope="col" { (t.col_score) } th scope="col" { (t.col_why) }
                    } }
                    tbody {
                        @for item in &today.call_first {
                            tr {
                                td { a href={ "/leads/" (item.lead.id) } { (lead_name(lang, &item.lead)) } }
                                td { (item.lead.record.company.as_deref().unwrap_or("")) }
                                td { (i18n::stage(lang, item.lead.record.stage)) }
                                td.num { (score(lang, &item.lead)) }
                                td { ul.reasons { @for r in &item.reasons { li { (i18n::call_reason(lang, r)) } } } }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="nurture-due" {
            h2 #nurture-due { (t.nurture_due) }
            @if today.nurture_due.is_empty() {
                p.empty { (t.nurture_due_empty) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (t.col_lead) } th scope="col" { (t.col_company) }
                        th scope="col" { (t.col_re_engage) } th scope="col" { (t.col_verdict) }
                    } }
                    tbody {
                        @for lead in &today.nurture_due {
                            tr {
                                td { a href={ "/leads/" (lead.id) } { (lead_name(lang, lead)) } }
                                td { (lead.record.company.as_deref().unwrap_or("")) }
                                td { (lead.re_engage_on.as_deref().unwrap_or("")) }
                                td { @if let Some(v) = lead.verdict { (layout::verdict_badge(lang, v)) } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(html(StatusCode::OK, layout::page(&who, t.today_title, body)))
}

/// The stored score, or that there is none.
pub fn score(lang: Lang, lead: &sift_store::StoredLead) -> String {
    lead.score.as_ref().map_or_else(|| lang.text().unscored.to_owned(), |s| s.score.to_string())
}
