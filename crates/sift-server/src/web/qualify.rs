//! The discovery-call playbook for one lead (`/leads/{id}/qualify`): the framework its
//! playbook gives (a select switches to another), each criterion as a card with the open
//! questions in the rep's language and the rep's answer (a status, a note, a date when the
//! concept is dated), the three levels and the verdict beside them.
//!
//! While the rep fills the cards in, htmx posts the form to `/leads/{id}/qualify/preview`,
//! which answers the outcome fragment alone; without JavaScript the form's own buttons post
//! the whole page (`action=preview` shows it again, `action=save` saves). A question the rep
//! types is checked by the question coach at `/questions/lint`. Saving is the API's
//! qualify-and-save (`sift_app::qualify::qualify`) with the API's authorisation: a viewer
//! (or a rep on a lead they do not own) sees the page read-only and a save is refused.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use sift_app::qualify::{FrameworkChoice, Qualification, QualifyRequest};
use sift_core::{AnswersFile, CriterionAnswer, CriterionStatus, Decision, Lead, Level};
use sift_signals::questions::{QuestionCoaching, QuestionForm};
use sift_store::StoredLead;

use super::i18n::{self, Lang};
use super::layout::{self, lead_name, verdict_badge};
use super::messages::say;
use super::{SignedIn, WebError, WebResult, html};
use crate::auth::CSRF_FIELD;
use crate::http::leads::visible_lead;
use crate::problem::ApiError;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    framework: Option<String>,
}

/// The form as posted: `status.<criterion>`, `note.<criterion>`, `date.<criterion>`, the
/// framework, the rep's own question, and which button was pressed.
#[derive(Debug, Default)]
struct Posted {
    csrf_token: String,
    framework: Option<String>,
    /// The framework the answers were given under (it differs after a switch).
    answered_under: Option<String>,
    fields: BTreeMap<String, Answer>,
    question: String,
    action: Option<String>,
    use_rewrite: Option<String>,
}

/// One criterion's fields as typed (kept as typed, so a bad date is shown back).
#[derive(Debug, Default, Clone)]
struct Answer {
    status: String,
    note: String,
    date: String,
}

impl Posted {
    fn read(pairs: Vec<(String, String)>) -> Posted {
        let mut posted = Posted::default();
        for (key, value) in pairs {
            match key.as_str() {
                CSRF_FIELD => posted.csrf_token = value,
                "framework" => posted.framework = Some(value).filter(|v| !v.trim().is_empty()),
                "answered_under" => posted.answered_under = Some(value).filter(|v| !v.trim().is_empty()),
                "question" => posted.question = value,
                "action" => posted.action = Some(value),
                "use_rewrite" => posted.use_rewrite = Some(value),
                _ => {
                    let Some((part, id)) = key.split_once('.') else { continue };
                    let slot = posted.fields.entry(id.to_owned()).or_default();
                    match part {
                        "status" => slot.status = value,
                        "note" => slot.note = value,
                        "date" => slot.date = value,
                        _ => {}
                    }
                }
            }
        }
        posted
    }
}

/// The answers read from the form, with a message per field that could not be read.
struct Read {
    criteria: BTreeMap<String, CriterionAnswer>,
    problems: BTreeMap<String, &'static str>,
}

fn read_answers(lang: Lang, fields: &BTreeMap<String, Answer>) -> Read {
    let t = lang.text();
    let mut criteria = BTreeMap::new();
    let mut problems = BTreeMap::new();
    for (id, field) in fields {
        let status = if field.status.is_empty() {
            CriterionStatus::Unknown
        } else if let Some(s) = CriterionStatus::ALL.into_iter().find(|s| s.name() == field.status) {
            s
        } else {
            problems.insert(format!("status.{id}"), t.status_invalid);
            CriterionStatus::Unknown
        };
        let date = match field.date.trim() {
            "" => None,
            d => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(date) => Some(date),
                Err(_) => {
                    problems.insert(format!("date.{id}"), t.date_invalid);
                    None
                }
            },
        };
        let note = Some(field.note.trim().to_owned()).filter(|n| !n.is_empty());
        if status != CriterionStatus::Unknown || note.is_some() || date.is_some() {
            criteria.insert(id.clone(), CriterionAnswer { status, note, date, carried_from: None, note_message: None });
        }
    }
    Read { criteria, problems }
}

/// The fields of the latest saved decision under this framework, so the page opens where
/// the rep left it (a note Sift wrote from a call in the page's language).
fn saved_fields(lang: Lang, detail: &sift_app::leads::LeadDetail, framework: &str) -> BTreeMap<String, Answer> {
    let Some(latest) = detail.latest_decision.as_ref().filter(|l| l.decision.framework == framework) else {
        return BTreeMap::new();
    };
    latest
        .decision
        .levels
        .iter()
        .flat_map(|l| &l.findings)
        .filter(|f| f.source == sift_core::gate::FindingSource::Criterion)
        .map(|f| {
            let answer = Answer {
                status: f.status.map(|s| s.name().to_owned()).unwrap_or_default(),
                note: super::messages::say_opt(lang, f.evidence.as_deref(), f.evidence_message.as_ref()),
                date: f.date.map(|d| d.to_string()).unwrap_or_default(),
            };
            (f.id.clone(), answer)
        })
        .collect()
}

/// Everything one rendering of the page needs.
struct View<'a> {
    config: &'a sift_app::Config,
    lead: &'a StoredLead,
    choice: &'a FrameworkChoice<'a>,
    fields: &'a BTreeMap<String, Answer>,
    problems: &'a BTreeMap<String, &'static str>,
    question: &'a str,
    coaching: Option<QuestionCoaching>,
    decision: &'a Decision,
    can_save: bool,
}

/// The gate on the rep's answers for this stored lead, nothing saved.
async fn preview(
    state: &AppState,
    who: &SignedIn,
    lead: &StoredLead,
    choice: &FrameworkChoice<'_>,
    criteria: BTreeMap<String, CriterionAnswer>,
) -> WebResult<Qualification> {
    let config = state.config();
    let key = lead.id.to_string();
    let request = request(who, choice, &key, criteria);
    sift_app::qualify::preview(&config, Some(state.store()), request)
        .await
        .map_err(|e| WebError { error: e.into(), lang: who.lang })
}

fn request<'a>(
    who: &'a SignedIn,
    choice: &'a FrameworkChoice<'_>,
    key: &'a str,
    criteria: BTreeMap<String, CriterionAnswer>,
) -> QualifyRequest<'a> {
    QualifyRequest {
        answers: Some(AnswersFile {
            framework: choice.framework.id.clone(),
            language: Some(who.lang.language()),
            lead: Lead::default(),
            criteria,
            answers: BTreeMap::new(),
        }),
        call: None,
        lead: Some(key),
        framework: choice.requested(),
        language: Some(who.lang.language()),
        as_of: chrono::Utc::now().date_naive(),
        actor: who.principal.actor(),
    }
}

/// Answers given under another framework than the one chosen (the rep switched) carried
/// to it through the shared concepts, and the form's fields with them: nothing typed for a
/// shared concept is lost.
fn follow_switch(
    config: &sift_app::Config,
    posted: &mut Posted,
    choice: &FrameworkChoice<'_>,
    read: Read,
) -> Result<Read, ApiError> {
    let to = choice.framework.id.as_str();
    let Some(from) = posted.answered_under.as_deref().filter(|from| *from != to) else { return Ok(read) };
    let criteria = sift_app::qualify::carry_to(config, from, &read.criteria, to)?;
    posted.fields = criteria
        .iter()
        .map(|(id, a)| {
            let field = Answer {
                status: a.status.name().to_owned(),
                note: a.note.clone().unwrap_or_default(),
                date: a.date.map(|d| d.to_string()).unwrap_or_default(),
            };
            (id.clone(), field)
        })
        .collect();
    // Problems were found on the old framework's fields, which are gone.
    Ok(Read { criteria, problems: BTreeMap::new() })
}

fn can_save(who: &SignedIn, lead: &StoredLead) -> bool {
    who.principal.require_lead_write(lead).is_ok()
}

pub async fn page(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let failed = WebError::in_lang(lang);
    let id = super::lead_id(lang, id)?;
    let Query(query) = query.map_err(super::bad_query(lang))?;
    let lead = visible_lead(&state, &who.principal, id).await.map_err(&failed)?;
    let config = state.config();
    let requested = query.framework.as_deref().filter(|f| !f.is_empty());
    let choice = sift_app::qualify::framework_for_lead(&config, &lead, requested).map_err(|e| failed(e.into()))?;
    let detail = sift_app::leads::detail_of(state.store(), lead.clone()).await.map_err(|e| failed(e.into()))?;
    let fields = saved_fields(lang, &detail, &choice.framework.id);
    let read = read_answers(lang, &fields);
    let outcome = preview(&state, &who, &lead, &choice, read.criteria).await?;
    let view = View {
        config: &config,
        lead: &lead,
        choice: &choice,
        fields: &fields,
        problems: &BTreeMap::new(),
        question: "",
        coaching: None,
        decision: &outcome.decision,
        can_save: can_save(&who, &lead),
    };
    Ok(html(StatusCode::OK, full_page(&who, &view)))
}

/// A posted playbook form: the lead it is for (visible to this user) and the fields, after
/// the CSRF check. Shared by the full post and the htmx preview.
async fn read_posted(
    state: &AppState,
    who: &SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> WebResult<(StoredLead, Posted)> {
    let lang = who.lang;
    let failed = WebError::in_lang(lang);
    let id = super::lead_id(lang, id)?;
    let Form(pairs) = form.map_err(super::bad_form(lang))?;
    let posted = Posted::read(pairs);
    who.principal.check_form_csrf(&posted.csrf_token).map_err(&failed)?;
    let lead = visible_lead(state, &who.principal, id).await.map_err(&failed)?;
    Ok((lead, posted))
}

/// The whole form posted without JavaScript (or boosted): shown again with its outcome, or
/// saved and on to the lead page.
pub async fn submit(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let failed = WebError::in_lang(lang);
    let (lead, mut posted) = read_posted(&state, &who, id, form).await?;
    let id = lead.id;
    let config = state.config();
    let choice = sift_app::qualify::framework_for_lead(&config, &lead, posted.framework.as_deref())
        .map_err(|e| failed(e.into()))?;
    let read = read_answers(lang, &posted.fields);
    let read = follow_switch(&config, &mut posted, &choice, read).map_err(&failed)?;
    let saving = posted.action.as_deref() == Some("save") && posted.use_rewrite.is_none();
    if saving && read.problems.is_empty() {
        who.principal.require_lead_write(&lead).map_err(&failed)?;
        let key = lead.id.to_string();
        let outcome =
            sift_app::qualify::qualify(&config, Some(state.store()), request(&who, &choice, &key, read.criteria))
                .await
                .map_err(|e| failed(e.into()))?;
        crate::http::audit(
            &state,
            &who.principal,
            "lead.qualified",
            &format!("lead:{id}"),
            serde_json::json!({"verdict": outcome.decision.verdict, "framework": outcome.decision.framework}),
        )
        .await
        .map_err(&failed)?;
        let moved = outcome.saved.as_ref().is_some_and(|s| s.plan.as_move().is_some());
        return Ok(super::see_other(&format!("/leads/{id}?saved={}", if moved { "moved" } else { "stayed" })));
    }
    if saving {
        // A save with fields to fix is refused the same way for everyone.
        who.principal.require_lead_write(&lead).map_err(&failed)?;
    }
    if let Some(rewrite) = posted.use_rewrite.take() {
        posted.question = rewrite;
    }
    let outcome = preview(&state, &who, &lead, &choice, read.criteria).await?;
    let coaching = sift_app::questions::lint(&config, &posted.question, None);
    let view = View {
        config: &config,
        lead: &lead,
        choice: &choice,
        fields: &posted.fields,
        problems: &read.problems,
        question: &posted.question,
        coaching,
        decision: &outcome.decision,
        can_save: can_save(&who, &lead),
    };
    let status = if read.problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(html(status, full_page(&who, &view)))
}

/// The outcome fragment for the form as it stands (htmx, as the rep types).
pub async fn preview_fragment(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let failed = WebError::in_lang(lang);
    let (lead, mut posted) = read_posted(&state, &who, id, form).await?;
    let config = state.config();
    let choice = sift_app::qualify::framework_for_lead(&config, &lead, posted.framework.as_deref())
        .map_err(|e| failed(e.into()))?;
    let read = read_answers(lang, &posted.fields);
    let read = follow_switch(&config, &mut posted, &choice, read).map_err(&failed)?;
    let outcome = preview(&state, &who, &lead, &choice, read.criteria).await?;
    Ok(html(StatusCode::OK, outcome_section(lang, &outcome.decision)))
}

/// The question coach as the rep types (htmx); with `use_rewrite`, the question block
/// again holding the rewrite.
pub async fn lint_fragment(
    State(state): State<AppState>,
    who: SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let Form(pairs) = form.map_err(super::bad_form(lang))?;
    let posted = Posted::read(pairs);
    who.principal.check_form_csrf(&posted.csrf_token).map_err(WebError::in_lang(lang))?;
    let config = state.config();
    if let Some(rewrite) = posted.use_rewrite {
        let coaching = sift_app::questions::lint(&config, &rewrite, None);
        return Ok(html(StatusCode::OK, question_block(lang, &rewrite, coaching.as_ref())));
    }
    let coaching = sift_app::questions::lint(&config, &posted.question, None);
    Ok(html(StatusCode::OK, lint_result(lang, coaching.as_ref())))
}

fn full_page(who: &SignedIn, view: &View<'_>) -> Markup {
    let lang = who.lang;
    let t = lang.text();
    let name = lead_name(lang, view.lead);
    let id = view.lead.id;
    let action = format!("/leads/{id}/qualify");
    let framework = view.choice.framework;
    let config_frameworks: Vec<(String, String)> = framework_options(view);
    let body = html! {
        p { a href={ "/leads/" (id) } { "← " (t.back_to_lead) } }
        h1 { (t.playbook_title) ": " (name) }
        p.muted { (t.col_stage) ": " (i18n::stage(lang, view.lead.record.stage)) }
        @if !view.can_save { p.notice role="status" #read-only { (t.read_only) } }
        p.muted #framework-origin { (framework_origin(lang, view.choice)) " " (framework.summary.get(lang.language())) }
        @if !view.problems.is_empty() { p.error role="alert" { (t.fix_fields) } }
        form #playbook method="post" action=(action) {
            input type="hidden" name=(CSRF_FIELD) value=(who.principal.csrf_token());
            input type="hidden" name="answered_under" value=(framework.id);
            div.filters {
                label for="framework-switch" { (t.framework)
                    // Changing it posts the form (htmx): the answers follow to the new one.
                    select #framework-switch name="framework" hx-post=(action) hx-trigger="change" hx-target="body"
                        hx-vals=r#"{"action":"switch"}"# hx-push-url="false" {
                        @for (fid, fname) in &config_frameworks {
                            option value=(fid) selected[*fid == framework.id] { (fname) }
                        }
                    }
                }
                button type="submit" name="action" value="switch" { (t.switch_framework) }
            }
            div.columns {
                div {
                    div #answers hx-post={ (action) "/preview" } hx-trigger="change, input delay:500ms"
                        hx-target="#outcome" hx-swap="outerHTML" hx-include="#playbook" hx-sync="this:replace" {
                        @for level in Level::ALL { (level_cards(lang, view, level)) }
                    }
                    (question_block(lang, view.question, view.coaching.as_ref()))
                    div.actions {
                        button type="submit" name="action" value="preview" { (t.preview_verdict) }
                        @if view.can_save {
                            button.primary type="submit" name="action" value="save" { (t.save_decision) }
                        }
                    }
                }
                aside { (outcome_section(lang, view.decision)) }
            }
        }
    };
    layout::page(who, &format!("{} · {name}", t.playbook_title), body)
}

/// Every framework the configuration knows, in its order: id and name.
fn framework_options(view: &View<'_>) -> Vec<(String, String)> {
    view.config.registry.frameworks().iter().map(|f| (f.id.clone(), f.name.clone())).collect()
}

fn framework_origin(lang: Lang, choice: &FrameworkChoice<'_>) -> String {
    let t = lang.text();
    match (&choice.playbook, choice.requested()) {
        (_, Some(_)) => format!("{} {}.", t.framework_switched, choice.default_id.to_uppercase()),
        (Some(p), None) => format!("{} {} ({}).", t.framework_from_playbook, choice.framework.name, p.playbook.id),
        (None, None) => t.framework_by_default.to_owned(),
    }
}

/// One level's criteria as cards; the organization level says where it is decided.
fn level_cards(lang: Lang, view: &View<'_>, level: Level) -> Markup {
    let t = lang.text();
    let language = lang.language();
    let criteria: Vec<&sift_core::Criterion> =
        view.choice.framework.criteria.iter().filter(|c| c.level == level).collect();
    let heading = format!("level-{}", level_name(level));
    html! {
        section.level-cards aria-labelledby=(heading) {
            h2 #(heading) { (i18n::level(lang, level)) }
            @if level == Level::Organization { p.muted { (t.level_from_facts) } }
            @if criteria.is_empty() && level != Level::Organization { p.muted { (t.no_criteria_here) } }
            @for c in criteria {
                @let field = view.fields.get(&c.id).cloned().unwrap_or_default();
                @let status_id = format!("status-{}", c.id);
                @let note_id = format!("note-{}", c.id);
                @let date_id = format!("date-{}", c.id);
                @let status_error = view.problems.get(&format!("status.{}", c.id));
                @let date_error = view.problems.get(&format!("date.{}", c.id));
                @let dated = dated_concept(view, &c.concept);
                fieldset.card #{ "card-" (c.id) } {
                    legend { (c.name.get(language)) @if !c.required { " " span.muted { "(" (t.optional) ")" } } }
                    p.muted { (c.description.get(language)) }
                    p.ask { strong { (t.ask_this) } }
                    ul.questions { @for q in c.questions.get(language) { li { (q) } } }
                    div.answer {
                        label for=(status_id) { (t.status)
                            select #(status_id) name={ "status." (c.id) } aria-describedby=[status_error.map(|_| format!("{status_id}-error"))] {
                                @for s in CriterionStatus::ALL {
                                    option value=(s.name()) selected[field.status == s.name() || (field.status.is_empty() && s == CriterionStatus::Unknown)] {
                                        (i18n::criterion_status(lang, s))
                                    }
                                }
                            }
                        }
                        label for=(note_id) { (t.note)
                            input #(note_id) type="text" name={ "note." (c.id) } value=(field.note) maxlength="2000";
                        }
                        @if dated {
                            label for=(date_id) { (t.date)
                                input #(date_id) type="date" name={ "date." (c.id) } value=(field.date)
                                    aria-describedby=[date_error.map(|_| format!("{date_id}-error"))];
                            }
                        }
                    }
                    @if let Some(m) = status_error { p.error id={ (status_id) "-error" } { (m) } }
                    @if let Some(m) = date_error { p.error id={ (date_id) "-error" } { (m) } }
                }
            }
        }
    }
}

/// Whether a concept's criteria carry a date (a timeline's buying date).
fn dated_concept(view: &View<'_>, concept: &str) -> bool {
    view.config.registry.concepts().get(concept).is_some_and(|c| c.dated)
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Organization => "organization",
        Level::Opportunity => "opportunity",
        Level::Stakeholder => "stakeholder",
    }
}

/// The rep's own question with the coach's reading under it.
fn question_block(lang: Lang, question: &str, coaching: Option<&QuestionCoaching>) -> Markup {
    let t = lang.text();
    html! {
        section #custom-question aria-labelledby="custom-question-title" {
            h2 #custom-question-title { (t.your_question) }
            label for="question" { (t.type_question) }
            input #question type="text" name="question" value=(question) maxlength="500" autocomplete="off"
                hx-post="/questions/lint" hx-trigger="input changed delay:300ms" hx-target="#question-lint"
                hx-include="#playbook" hx-sync="this:replace" aria-describedby="question-lint";
            div #question-lint aria-live="polite" { (lint_result(lang, coaching)) }
        }
    }
}

fn lint_result(lang: Lang, coaching: Option<&QuestionCoaching>) -> Markup {
    let t = lang.text();
    let Some(c) = coaching else { return html! {} };
    html! {
        p class={ "lint lint-" (c.form.as_str()) } {
            (if c.form == QuestionForm::Open { t.question_open } else { t.question_closed })
            @if c.leading { " " (t.question_leading) }
        }
        @if let Some(rewrite) = &c.rewrite {
            p.rewrite { strong { (t.try_instead) } " " span #rewrite-text { (rewrite) } " "
                button type="submit" name="use_rewrite" value=(rewrite) hx-post="/questions/lint"
                    hx-target="#custom-question" hx-swap="outerHTML" hx-include="#playbook" { (t.use_rewrite) }
            }
        }
    }
}

/// The verdict and the three levels as they stand; swapped in by htmx as the rep types.
pub fn outcome_section(lang: Lang, d: &Decision) -> Markup {
    let t = lang.text();
    html! {
        section #outcome .decision aria-labelledby="outcome-title" aria-live="polite" {
            h2 #outcome-title { (t.where_it_stands) }
            p #outcome-verdict { strong { (t.verdict) ": " } (verdict_badge(lang, d.verdict)) }
            @if let Some(level) = d.failed_level { p { strong { (t.stopped_at) ": " } (i18n::level(lang, level)) } }
            @if let Some(why) = d.reasons.first() { p #outcome-why { strong { (t.why) ": " } (say(lang, why, d.reason_messages.first())) } }
            p #outcome-next-step { strong { (t.next_step) ": " } (say(lang, &d.next_step, d.next_step_message.as_ref())) }
            @if let Some(n) = &d.nurture { p #outcome-nurture { strong { (t.nurture_until) " " (n.re_engage_on) ": " } (say(lang, &n.reason, n.reason_message.as_ref())) } }
            ul.levels {
                @for level in &d.levels {
                    li class={ "level check-" (super::leads::check_name(level.status)) } {
                        strong { (i18n::level(lang, level.level)) ": " (i18n::check(lang, level.status)) }
                        br;
                        span.muted.level-reason { (say(lang, &level.reason, level.reason_message.as_ref())) }
                    }
                }
            }
            @if !d.next_questions.is_empty() {
                h3 { (t.next_questions) }
                ol { @for q in &d.next_questions { li { (q.question) } } }
            }
        }
    }
}
