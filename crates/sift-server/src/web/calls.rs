//! Call upload (`/calls`, and `/leads/{id}/calls/new` for a lead): a transcript file (txt,
//! vtt, srt, json) or pasted text, analysed by `sift_app::calls`; with a lead the call is
//! kept as the API keeps it (`sift_app::calls::attach`, the same authorisation). The answer
//! shows the conversation with every signal and every piece of criterion evidence marked at
//! its quote (a `mark` with a title saying which and why, numbered to the list below it),
//! the metrics against their bands, and what to ask next (`sift_app::calls::ask_next`).
//!
//! The upload form is a plain multipart post (not boosted), so it works without JavaScript.

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::PathRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use sift_app::calls::{CallReport, CallRequest, analyze_call, decode_transcript};
use sift_core::{Decision, Language};
use sift_signals::Polarity;
use sift_signals::questions::QuestionForm;
use sift_store::StoredLead;

use super::i18n::{self, Lang};
use super::layout::{self, lead_name, verdict_badge};
use super::{SignedIn, WebError, WebResult, html};
use crate::auth::CSRF_FIELD;
use crate::http::leads::visible_lead;
use crate::problem::{ApiError, Kind};
use crate::state::AppState;

/// What the upload form holds, kept to show it again on an error.
#[derive(Debug, Default)]
struct Upload {
    csrf_token: String,
    file_name: Option<String>,
    file: Vec<u8>,
    text: String,
    reps: String,
    lang: String,
    call_date: String,
}

async fn read_upload(lang: Lang, multipart: Result<Multipart, MultipartRejection>) -> WebResult<Upload> {
    let bad = |detail: String| WebError { error: ApiError::new(Kind::BadRequest, detail), lang };
    let mut multipart = multipart.map_err(|e| bad(e.body_text()))?;
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(|e| bad(e.body_text()))? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            upload.file_name = field.file_name().map(str::to_owned).filter(|n| !n.is_empty());
            upload.file = field.bytes().await.map_err(|e| bad(e.body_text()))?.to_vec();
            continue;
        }
        let value = field.text().await.map_err(|e| bad(e.body_text()))?;
        match name.as_str() {
            CSRF_FIELD => upload.csrf_token = value,
            "text" => upload.text = value,
            "reps" => upload.reps = value,
            "lang" => upload.lang = value,
            "call_date" => upload.call_date = value,
            _ => {}
        }
    }
    Ok(upload)
}

/// The form for a call not attached to a lead.
pub async fn new_call(who: SignedIn) -> Response {
    html(StatusCode::OK, form_page(&who, None, false, &Upload::default(), None))
}

/// The form for a lead's call (read-only users analyse without saving).
pub async fn new_lead_call(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let id = super::lead_id(lang, id)?;
    let lead = visible_lead(&state, &who.principal, id).await.map_err(WebError::in_lang(lang))?;
    let can_save = who.principal.require_lead_write(&lead).is_ok();
    Ok(html(StatusCode::OK, form_page(&who, Some(&lead), can_save, &Upload::default(), None)))
}

/// Analyses a call; nothing is kept.
pub async fn analyse(
    State(state): State<AppState>,
    who: SignedIn,
    multipart: Result<Multipart, MultipartRejection>,
) -> WebResult<Response> {
    let upload = read_upload(who.lang, multipart).await?;
    who.principal.check_form_csrf(&upload.csrf_token).map_err(WebError::in_lang(who.lang))?;
    run(&state, &who, None, upload).await
}

/// Analyses a call and keeps it with the lead, as `POST /api/v1/leads/{id}/calls` does.
pub async fn attach(
    State(state): State<AppState>,
    who: SignedIn,
    id: Result<Path<i64>, PathRejection>,
    multipart: Result<Multipart, MultipartRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let id = super::lead_id(lang, id)?;
    let upload = read_upload(lang, multipart).await?;
    who.principal.check_form_csrf(&upload.csrf_token).map_err(WebError::in_lang(lang))?;
    let lead = visible_lead(&state, &who.principal, id).await.map_err(WebError::in_lang(lang))?;
    who.principal.require_lead_write(&lead).map_err(WebError::in_lang(lang))?;
    run(&state, &who, Some(&lead), upload).await
}

async fn run(state: &AppState, who: &SignedIn, lead: Option<&StoredLead>, upload: Upload) -> WebResult<Response> {
    let lang = who.lang;
    let t = lang.text();
    let failed = WebError::in_lang(lang);
    let can_save = lead.is_some();
    let again = |upload: &Upload, message: String| {
        html(StatusCode::UNPROCESSABLE_ENTITY, form_page(who, lead, can_save, upload, Some(&message)))
    };
    let (bytes, source) = if upload.file.is_empty() {
        (upload.text.as_bytes().to_vec(), crate::http::calls::upload_name(None))
    } else {
        (upload.file.clone(), crate::http::calls::upload_name(upload.file_name.as_deref()))
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(again(&upload, t.no_transcript.to_owned()));
    }
    if bytes.len() as u64 > sift_app::calls::MAX_TRANSCRIPT_BYTES {
        return Ok(again(&upload, format!("{source}: {}", t.transcript_too_large)));
    }
    let language = match upload.lang.as_str() {
        "en" => Some(Language::En),
        "zh" => Some(Language::Zh),
        _ => None,
    };
    let as_of = match upload.call_date.trim() {
        "" => chrono::Utc::now().date_naive(),
        d => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) => d,
            Err(_) => return Ok(again(&upload, t.date_invalid.to_owned())),
        },
    };
    let reps: Vec<String> =
        upload.reps.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
    let decoded = decode_transcript(&bytes);
    let config = state.config();
    let frameworks: Vec<&sift_core::Framework> = config.registry.frameworks().iter().collect();
    let request = CallRequest {
        source: &source,
        text: &decoded.text,
        reps: &reps,
        language,
        as_of,
        lexicons: &config.lexicons,
        meaning: config.meaning(),
        llm: config.llm.as_ref(),
    };
    let analysed = match lead {
        Some(lead) => sift_app::calls::attach(state.store(), lead.id, &request, frameworks, who.principal.actor())
            .await
            .map(|a| (Some(a.call_id), a.report)),
        None => tokio::task::block_in_place(|| analyze_call(&request, frameworks)).map(|a| (None, CallReport::from(a))),
    };
    let (call_id, report) = match analysed {
        Ok(done) => done,
        Err(sift_app::AppError::Invalid(problems)) => {
            let message = problems.0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
            return Ok(again(&upload, message));
        }
        Err(e) => return Err(failed(e.into())),
    };
    if let (Some(lead), Some(call_id)) = (lead, call_id) {
        crate::http::audit(
            state,
            &who.principal,
            "call.attached",
            &format!("lead:{}", lead.id),
            serde_json::json!({"call_id": call_id, "source": source}),
        )
        .await
        .map_err(&failed)?;
        // Kept: its own address shows it (and a reload does not upload it again).
        return Ok(super::see_other(&format!("/leads/{}/calls/{call_id}", lead.id)));
    }
    let shown = Shown { lead: None, saved: false, source: &source, as_of, note: decoded.note.as_deref() };
    result_page(state, who, &shown, &report)
}

/// One call kept with a lead, read again with its findings marked.
pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    ids: Result<Path<(i64, i64)>, PathRejection>,
) -> WebResult<Response> {
    let lang = who.lang;
    let failed = WebError::in_lang(lang);
    let Ok(Path((id, call_id))) = ids else { return Err(failed(ApiError::not_found("call with this id"))) };
    let lead = visible_lead(&state, &who.principal, id).await.map_err(&failed)?;
    let stored = state
        .store()
        .call(call_id)
        .await
        .map_err(|e| failed(e.into()))?
        .filter(|c| c.listing.lead_id == id)
        .ok_or_else(|| failed(ApiError::not_found("call with this id")))?;
    let config = state.config();
    let report =
        tokio::task::block_in_place(|| sift_app::calls::reread(&config, &stored)).map_err(|e| failed(e.into()))?;
    let as_of = chrono::NaiveDate::parse_from_str(&stored.listing.call_date, "%Y-%m-%d").unwrap_or_default();
    let shown = Shown { lead: Some(&lead), saved: true, source: &stored.listing.source_name, as_of, note: None };
    result_page(&state, &who, &shown, &report)
}

/// What the answer page says about the call besides its analysis.
struct Shown<'a> {
    lead: Option<&'a StoredLead>,
    saved: bool,
    source: &'a str,
    as_of: chrono::NaiveDate,
    /// How the bytes were decoded, when some lines were not UTF-8.
    note: Option<&'a str>,
}

fn result_page(state: &AppState, who: &SignedIn, shown: &Shown<'_>, report: &CallReport) -> WebResult<Response> {
    let lang = who.lang;
    let t = lang.text();
    let failed = WebError::in_lang(lang);
    let config = state.config();
    let lead = shown.lead;
    let decision =
        sift_app::calls::ask_next(&config, lead, report, lang.language(), shown.as_of).map_err(|e| failed(e.into()))?;
    let framework = config.framework(&decision.framework).map_err(|e| failed(e.into()))?;
    let title = match lead {
        Some(l) => format!("{} · {}", t.call_title, lead_name(lang, l)),
        None => t.call_title.to_owned(),
    };
    let body = html! {
        @if let Some(l) = lead { p { a href={ "/leads/" (l.id) } { "← " (t.back_to_lead) } } }
        h1 { (title) }
        p.notice role="status" #call-saved { (if shown.saved { t.call_saved } else { t.call_not_saved }) }
        p.muted {
            (shown.source) " · " (t.call_date) " " (shown.as_of) " · " (report.language.code()) " · " (report.format)
            @if let Some(note) = shown.note { " · " (note) }
        }
        div.columns {
            div {
                (conversation(lang, report, framework))
            }
            aside {
                (ask_next_section(lang, &decision, framework))
                (metrics_section(lang, report))
                (closed_questions(lang, report))
            }
        }
    };
    Ok(html(StatusCode::OK, layout::page(who, &title, body)))
}

fn form_page(
    who: &SignedIn,
    lead: Option<&StoredLead>,
    can_save: bool,
    upload: &Upload,
    error: Option<&str>,
) -> Markup {
    let lang = who.lang;
    let t = lang.text();
    let action = match lead {
        Some(l) if can_save => format!("/leads/{}/calls", l.id),
        _ => "/calls".to_owned(),
    };
    let title = match lead {
        Some(l) => format!("{} · {}", t.call_title, lead_name(lang, l)),
        None => t.call_title.to_owned(),
    };
    let today = chrono::Utc::now().date_naive().to_string();
    let date = if upload.call_date.is_empty() { today.as_str() } else { upload.call_date.as_str() };
    let body = html! {
        @if let Some(l) = lead { p { a href={ "/leads/" (l.id) } { "← " (t.back_to_lead) } } }
        h1 { (title) }
        p { (t.call_intro) }
        @if lead.is_some() && !can_save { p.notice role="status" #read-only { (t.read_only) " " (t.call_not_saved) } }
        @if let Some(message) = error { p.error role="alert" #upload-error { (message) } }
        form.stack.upload method="post" action=(action) enctype="multipart/form-data" hx-boost="false" {
            input type="hidden" name=(CSRF_FIELD) value=(who.principal.csrf_token());
            label for="file" { (t.transcript_file) }
            input #file type="file" name="file" accept=".txt,.vtt,.srt,.json,text/plain,text/vtt,application/json";
            label for="text" { (t.transcript_text) }
            textarea #text name="text" rows="12" { (upload.text) }
            label for="reps" { (t.rep_names) }
            input #reps type="text" name="reps" value=(upload.reps) maxlength="200";
            label for="lang" { (t.call_language) }
            select #lang name="lang" {
                option value="auto" selected[upload.lang.is_empty() || upload.lang == "auto"] { (t.detect_language) }
                option value="en" lang="en" selected[upload.lang == "en"] { "English" }
                option value="zh" lang="zh-CN" selected[upload.lang == "zh"] { "中文" }
            }
            label for="call_date" { (t.call_date) }
            input #call_date type="date" name="call_date" value=(date);
            button.primary type="submit" { (if lead.is_some() && can_save { t.analyse_and_save } else { t.analyse }) }
        }
    };
    layout::page(who, &title, body)
}

/// One marked stretch of a turn: a signal or a piece of criterion evidence.
struct Highlight {
    /// Its number in the list under the conversation, from 1.
    n: usize,
    turn: usize,
    start: usize,
    end: usize,
    /// `good`, `red` (signals) or `criterion`.
    class: &'static str,
    label: String,
    why: String,
    quote: String,
}

fn highlights(lang: Lang, report: &CallReport, framework: &sift_core::Framework) -> Vec<Highlight> {
    let t = lang.text();
    let mut found = Vec::new();
    for s in &report.signals {
        found.push(Highlight {
            n: 0,
            turn: s.span.turn,
            start: s.span.start,
            end: s.span.end,
            class: if s.polarity == Polarity::Red { "red" } else { "good" },
            label: format!("{}: {}", t.signal, i18n::signal(lang, s.kind.as_str())),
            why: super::messages::say(lang, &s.explanation, s.explanation_message.as_ref()),
            quote: s.quote.clone(),
        });
    }
    for c in report.criteria.iter().filter(|c| c.framework == framework.id) {
        let name = framework.criterion(&c.criterion).map_or(c.criterion.as_str(), |k| k.name.get(lang.language()));
        for e in &c.evidence {
            found.push(Highlight {
                n: 0,
                turn: e.span.turn,
                start: e.span.start,
                end: e.span.end,
                class: "criterion",
                label: format!("{}: {name} · {}", t.criterion, i18n::criterion_status(lang, e.says)),
                why: super::messages::say(lang, &e.note, e.note_message.as_ref()),
                quote: e.quote.clone(),
            });
        }
    }
    found.sort_by_key(|h| (h.turn, h.start, h.end));
    for (i, h) in found.iter_mut().enumerate() {
        h.n = i + 1;
    }
    found
}

/// The turns, each stretch that a finding covers inside a `mark` naming every finding on
/// it; a number after each finding's last stretch links to its entry in the list.
fn conversation(lang: Lang, report: &CallReport, framework: &sift_core::Framework) -> Markup {
    let t = lang.text();
    let found = highlights(lang, report, framework);
    html! {
        section aria-labelledby="conversation" {
            h2 #conversation { (t.conversation) }
            ol.turns {
                @for turn in &report.turns {
                    @let role = if turn.role == sift_signals::transcript::Role::Rep { "rep" } else { "prospect" };
                    li class={ "turn turn-" (role) } {
                        p.speaker {
                            strong { (turn.speaker) } " "
                            span.muted { "(" (if role == "rep" { t.rep } else { t.prospect }) ")"
                                @if let Some(s) = turn.start { " " (clock(s)) } }
                        }
                        p.said { (marked(turn.index, &turn.text, &found)) }
                    }
                }
            }
        }
        section aria-labelledby="heard" {
            h2 #heard { (t.heard) }
            @if found.is_empty() {
                p.empty { (t.nothing_heard) }
            } @else {
                ol.findings {
                    @for h in &found {
                        li id={ "f-" (h.n) } class={ "finding finding-" (h.class) } {
                            strong { (h.label) } " "
                            q { (h.quote) } " "
                            span.muted { (h.why) } " "
                            a href={ "#q-" (h.n) } { (t.jump_to_quote) }
                        }
                    }
                }
            }
        }
    }
}

fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("[{:02}:{:02}:{:02}]", s / 3600, s / 60 % 60, s % 60)
}

/// A turn's text split at every finding's edges (character offsets), escaped by maud.
fn marked(turn: usize, text: &str, found: &[Highlight]) -> Markup {
    let here: Vec<&Highlight> = found.iter().filter(|h| h.turn == turn && h.start < h.end).collect();
    if here.is_empty() {
        return html! { (text) };
    }
    // Byte offset of every character position, and the end.
    let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    bytes.push(text.len());
    let chars = bytes.len() - 1;
    let mut cuts: Vec<usize> = vec![0, chars];
    for h in &here {
        cuts.push(h.start.min(chars));
        cuts.push(h.end.min(chars));
    }
    cuts.sort_unstable();
    cuts.dedup();
    html! {
        @for pair in cuts.windows(2) {
            @let (a, b) = (pair[0], pair[1]);
            @let piece = &text[bytes[a]..bytes[b]];
            @for h in here.iter().filter(|h| h.start == a) { span.anchor id={ "q-" (h.n) } {} }
            @let on: Vec<&&Highlight> = here.iter().filter(|h| h.start <= a && h.end >= b).collect();
            @if on.is_empty() {
                (piece)
            } @else {
                @let ids = on.iter().map(|h| format!("f{}", h.n)).collect::<Vec<_>>().join(" ");
                @let title = on.iter().map(|h| format!("{}: {}", h.label, h.why)).collect::<Vec<_>>().join("\n");
                mark class={ "hl hl-" (on[0].class) } data-findings=(ids) title=(title) { (piece) }
            }
            @for h in here.iter().filter(|h| h.end.min(chars) == b) {
                sup.ref { a href={ "#f-" (h.n) } aria-label={ (h.n) " " (h.label) } { (h.n) } }
            }
        }
    }
}

fn ask_next_section(lang: Lang, decision: &Decision, framework: &sift_core::Framework) -> Markup {
    let t = lang.text();
    html! {
        section.decision #ask-next aria-labelledby="ask-next-title" {
            h2 #ask-next-title { (t.next_questions) }
            p { strong { (t.verdict) ": " } (verdict_badge(lang, decision.verdict)) }
            p.muted { (t.judged_under) " " (framework.name) }
            @if decision.next_questions.is_empty() {
                p #ask-next-step { (super::messages::say(lang, &decision.next_step, decision.next_step_message.as_ref())) }
            } @else {
                ol { @for q in &decision.next_questions { li { (q.question) } } }
            }
        }
    }
}

fn metrics_section(lang: Lang, report: &CallReport) -> Markup {
    let t = lang.text();
    let say = super::messages::say;
    html! {
        section aria-labelledby="metrics" {
            h2 #metrics { (t.metrics) }
            table {
                thead { tr {
                    th scope="col" { (t.metric) } th scope="col" { (t.value) }
                    th scope="col" { (t.reference) } th scope="col" { (t.standing) }
                } }
                tbody {
                    @for a in &report.metrics.assessments {
                        @let standing = serde_json::to_value(a.standing).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                        tr class={ "standing-" (standing) } title=(say(lang, &a.note, a.note_message.as_ref())) {
                            th scope="row" { (i18n::metric(lang, a.metric)) }
                            td.num { (metric_value(a.metric, a.value)) }
                            td { (say(lang, &a.band, a.band_message.as_ref())) }
                            td { (i18n::standing(lang, &standing)) }
                        }
                    }
                }
            }
        }
    }
}

fn metric_value(metric: &str, value: f64) -> String {
    if metric.ends_with("ratio") || metric.ends_with("share") {
        format!("{:.0}%", value * 100.0)
    } else {
        format!("{value:.0}")
    }
}

fn closed_questions(lang: Lang, report: &CallReport) -> Markup {
    let t = lang.text();
    let closed: Vec<_> =
        report.questions.iter().filter(|q| q.form == QuestionForm::Closed && q.rewrite.is_some()).collect();
    html! {
        @if !closed.is_empty() {
            section aria-labelledby="closed-asked" {
                h2 #closed-asked { (t.closed_questions_asked) }
                ul { @for q in closed {
                    li { q { (q.text) } " → " (q.rewrite.as_deref().unwrap_or("")) }
                } }
            }
        }
    }
}
