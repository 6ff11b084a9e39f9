//! Discovery calls: decode a transcript, analyse it, and summarise what it showed.

use chrono::NaiveDate;
use sift_core::{CriterionStatus, Diagnostic, Diagnostics, Framework, Language, Location};
use sift_signals::Polarity;
use sift_signals::analyze::{Analysis, AnalyzeOptions, analyze};
use sift_signals::lexicon::Lexicon;

use crate::error::{AppError, Result};

/// Transcripts are refused above this size: a one-hour call is about 70 KB of text, so this
/// is some 200 hours of talk; analysis memory grows with the text (about 16 times it).
pub const MAX_TRANSCRIPT_BYTES: u64 = 16 * 1024 * 1024;

/// A transcript as text, and a note when some of it had to be decoded leniently.
#[derive(Debug, Clone)]
pub struct TranscriptText {
    pub text: String,
    pub note: Option<String>,
}

/// Decodes transcript bytes: UTF-8 (with or without BOM), UTF-16 with a BOM, or mixed files
/// where some lines are Windows-1252 (common when calls are pasted from several tools);
/// those lines are decoded as Windows-1252 and named in the note.
pub fn decode_transcript(bytes: &[u8]) -> TranscriptText {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return TranscriptText { text: text.into_owned(), note: None };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return TranscriptText { text: text.to_owned(), note: None };
    }
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    let mut lenient = Vec::new();
    for (i, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        match std::str::from_utf8(line) {
            Ok(s) => text.push_str(s),
            Err(_) => {
                let (s, _, _) = encoding_rs::WINDOWS_1252.decode(line);
                text.push_str(&s);
                lenient.push(i + 1);
            }
        }
    }
    let shown: Vec<String> = lenient.iter().take(10).map(usize::to_string).collect();
    let more = if lenient.len() > 10 { format!(" and {} more", lenient.len() - 10) } else { String::new() };
    TranscriptText {
        text,
        note: Some(format!(
            "{} line{} not UTF-8 and read as Windows-1252 (line {}{more})",
            lenient.len(),
            if lenient.len() == 1 { " was" } else { "s were" },
            shown.join(", ")
        )),
    }
}

/// One call to analyse.
#[derive(Clone, Copy)]
pub struct CallRequest<'a> {
    /// The file or upload name, for messages.
    pub source: &'a str,
    pub text: &'a str,
    /// The rep's speaker names; empty: infer.
    pub reps: &'a [String],
    pub language: Option<Language>,
    /// The date of the call, to resolve "next quarter".
    pub as_of: NaiveDate,
    pub lexicons: &'a [Lexicon],
    /// A learned reader of meaning; `None`: the rules alone (the analysis says so).
    pub meaning: Option<&'a dyn sift_signals::meaning::MeaningModel>,
    /// A user's large model (OpenAI-compatible endpoint): its grounded statuses and signals
    /// are merged into the local analysis; on any failure the local analysis stands and its
    /// reading says why.
    pub llm: Option<&'a sift_llm::LlmConfig>,
}

/// Analyses one call for `frameworks`; a transcript that cannot be read is invalid input
/// naming the source and line.
pub fn analyze_call(request: &CallRequest<'_>, frameworks: Vec<&Framework>) -> Result<Analysis> {
    let options = AnalyzeOptions {
        reps: request.reps,
        language: request.language,
        frameworks,
        as_of: Some(request.as_of),
        extra_lexicons: request.lexicons,
        meaning: request.meaning,
    };
    let mut analysis = analyze(request.text, &options).map_err(|e| {
        AppError::Invalid(Diagnostics(vec![Diagnostic {
            source: request.source.to_owned(),
            location: e.line.map(|line| Location { line, column: 1 }),
            message: format!("cannot read the call: {}", e.message),
        }]))
    })?;
    if let Some(llm) = request.llm {
        match sift_llm::analyse_call(&analysis.transcript, llm) {
            sift_llm::LlmOutcome::Analysed(reading) => sift_llm::apply(&mut analysis, &reading),
            sift_llm::LlmOutcome::Fallback { message } => {
                analysis.reading.note = format!("{}; the large model was not used: {message}", analysis.reading.note);
            }
        }
    }
    Ok(analysis)
}

/// Reads a user's lexicon file; an entry whose own examples fail is refused, so a pattern
/// that does not do what its author meant is caught before it is used. Every problem is
/// located (see [`crate::config_docs::parse_lexicon`]).
pub fn parse_lexicon(source: &str, text: &str, language: Language) -> Result<Lexicon> {
    Ok(crate::config_docs::parse_lexicon(source, text, language)?)
}

/// What a call contributed to a decision, in numbers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CallSummary {
    pub source: String,
    pub criteria_with_evidence: usize,
    pub good_signs: usize,
    pub red_flags: usize,
    /// How the call was read (rules alone, or with which model), in words.
    pub read_with: String,
    /// Each criterion with evidence and the mode that produced the evidence deciding it.
    pub modes: Vec<(String, sift_signals::meaning::Mode)>,
}

impl CallSummary {
    pub fn of(source: &str, analysis: &Analysis) -> CallSummary {
        let red_flags = analysis.signals.iter().filter(|s| s.polarity == Polarity::Red).count();
        CallSummary {
            source: source.to_owned(),
            criteria_with_evidence: analysis.criteria.iter().filter(|c| c.status != CriterionStatus::Unknown).count(),
            good_signs: analysis.signals.len() - red_flags,
            red_flags,
            read_with: analysis.reading.note.clone(),
            modes: analysis
                .criteria
                .iter()
                .filter(|c| c.status != CriterionStatus::Unknown)
                .map(|c| {
                    let mode = analysis.concepts.iter().find(|k| k.concept == c.concept).map(|k| k.mode);
                    (c.criterion.clone(), mode.unwrap_or_default())
                })
                .collect(),
        }
    }
}

/// The analysis as reports show it (the JSON contract of `sift analyze --json` and the API):
/// the turns at the top level and every span in characters (Unicode scalar values) of its
/// turn's text.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CallReport {
    pub format: &'static str,
    pub language: Language,
    pub rep: sift_signals::transcript::RepChoice,
    pub metrics: sift_signals::metrics::Metrics,
    pub questions: Vec<sift_signals::analyze::AskedQuestion>,
    pub signals: Vec<sift_signals::Signal>,
    pub criteria: Vec<sift_signals::evidence::CriterionEvidence>,
    pub concepts: Vec<sift_signals::evidence::ConceptEvidence>,
    pub turns: Vec<sift_signals::Turn>,
    /// Which modes produced the findings (rules, the meaning model), and what the model is.
    pub reading: sift_signals::combine::Reading,
}

impl From<Analysis> for CallReport {
    fn from(analysis: Analysis) -> CallReport {
        let a = analysis.with_char_spans();
        CallReport {
            format: a.format.name(),
            language: a.language,
            rep: a.rep,
            metrics: a.metrics,
            questions: a.questions,
            signals: a.signals,
            criteria: a.criteria,
            concepts: a.concepts,
            turns: a.transcript.turns,
            reading: a.reading,
        }
    }
}

/// A call attached to a lead.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AttachedCall {
    pub call_id: i64,
    pub lead_id: i64,
    pub summary: CallSummary,
    pub report: CallReport,
}

/// Analyses a call and keeps it with a stored lead (transcript, analysis and summary).
pub async fn attach(
    store: &sift_store::Store,
    lead_id: i64,
    request: &CallRequest<'_>,
    frameworks: Vec<&Framework>,
    actor: &str,
) -> Result<AttachedCall> {
    let analysis = analyze_call(request, frameworks)?;
    let summary = CallSummary::of(request.source, &analysis);
    let report = CallReport::from(analysis);
    let unserialisable = |e: serde_json::Error| AppError::Conflict(format!("cannot serialise the analysis: {e}"));
    let analysis_json = serde_json::to_string(&report).map_err(unserialisable)?;
    let summary_json = serde_json::to_string(&summary).map_err(unserialisable)?;
    let call_id = store
        .insert_call(&sift_store::calls::NewCall {
            lead_id,
            source_name: request.source,
            language: report.language.code(),
            format: report.format,
            call_date: &request.as_of.format("%Y-%m-%d").to_string(),
            transcript: request.text,
            analysis_json: &analysis_json,
            summary_json: &summary_json,
            created_by: actor,
        })
        .await
        .map_err(|e| match e {
            sift_store::StoreError::NotFound(key) => AppError::lead_not_found(&key),
            other => other.into(),
        })?;
    Ok(AttachedCall { call_id, lead_id, summary, report })
}

/// What a call leaves open: the gate run on the call's evidence alone, under the lead's
/// framework (its playbook's, else BANT) and with its stored facts; nothing is saved. Its
/// `next_questions` are what to ask next; `framework` says whose criteria were judged.
/// `report` must hold that framework's criteria (analyse for every framework, as the API
/// does by default, or for that one).
pub fn ask_next(
    config: &crate::Config,
    lead: Option<&sift_store::StoredLead>,
    report: &CallReport,
    language: Language,
    as_of: NaiveDate,
) -> Result<sift_core::Decision> {
    let choice = lead.map(|l| crate::qualify::framework_for_lead(config, l, None)).transpose()?;
    let framework = match &choice {
        Some(c) => c.framework,
        None => config.framework(crate::qualify::DEFAULT_FRAMEWORK)?,
    };
    let criteria: Vec<_> = report.criteria.iter().filter(|c| c.framework == framework.id).cloned().collect();
    let answers = sift_core::AnswersFile {
        framework: framework.id.clone(),
        language: Some(language),
        lead: lead.map(|l| l.record.to_lead()).unwrap_or_default(),
        criteria: sift_signals::evidence::to_answers(&criteria),
        answers: Default::default(),
    };
    crate::qualify::decide_in(config, &answers, None, as_of, Some(language), choice.and_then(|c| c.playbook).as_ref())
}

/// A stored call read again for showing it with its quotes marked: its transcript analysed
/// with the reps, language and date it was stored with, for every framework. The
/// configuration is today's, so a lexicon changed since then can read it differently from
/// the stored analysis (which stays as it was).
pub fn reread(config: &crate::Config, stored: &sift_store::calls::StoredCall) -> Result<CallReport> {
    let reps: Vec<String> = stored.analysis["rep"]["reps"]
        .as_array()
        .map(|r| r.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let language = match stored.listing.language.as_str() {
        "zh" => Some(Language::Zh),
        "en" => Some(Language::En),
        _ => None,
    };
    let as_of = NaiveDate::parse_from_str(&stored.listing.call_date, "%Y-%m-%d").map_err(|e| {
        AppError::Conflict(format!("call {}: stored date `{}`: {e}", stored.listing.id, stored.listing.call_date))
    })?;
    let request = CallRequest {
        source: &stored.listing.source_name,
        text: &stored.transcript,
        reps: &reps,
        language,
        as_of,
        lexicons: &config.lexicons,
        meaning: config.meaning(),
        llm: config.llm.as_ref(),
    };
    Ok(CallReport::from(analyze_call(&request, config.registry.frameworks().iter().collect())?))
}
