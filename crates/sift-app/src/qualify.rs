//! Qualify one lead: answers (structured or in the prospect's words), optionally a call
//! transcript and a stored lead, through the three-level gate; a stored lead's decision is
//! saved and its stage moved by the lifecycle rules, in one transaction. With playbooks, the
//! lead's playbook (stored, else routed for the decision) sets the framework (a framework
//! named in the request still wins), the ICP and the lead-type rules.

use chrono::NaiveDate;
use sift_core::{
    AnswersFile, CriterionStatus, Decision, GateInput, Language, Lead, LeadTypeDecision, MovePlan, PlaybookUse,
    Trigger, carry_answers, plan_move, qualify_lead,
};
use sift_signals::evidence;
use sift_store::{QualificationRecord, Store};

use crate::calls::{CallRequest, CallSummary, analyze_call};
use crate::config::Config;
use crate::error::{AppError, Result};
use crate::playbooks::PlaybookChoice;

/// What to qualify.
#[derive(Clone)]
pub struct QualifyRequest<'a> {
    /// The rep's answers; `None` with a call: only the call is used.
    pub answers: Option<AnswersFile>,
    /// A discovery call whose evidence decides every criterion the answers leave unknown.
    pub call: Option<CallRequest<'a>>,
    /// A stored lead (database id, external id or email): its facts are used, the answers'
    /// `[lead]` only fills gaps, and the decision is saved.
    pub lead: Option<&'a str>,
    /// Judge under this framework instead of the answers' own (evidence carries over
    /// through the concept map).
    pub framework: Option<&'a str>,
    pub language: Option<Language>,
    pub as_of: NaiveDate,
    /// Who asks (a user name, `cli`): recorded with the stage move.
    pub actor: &'a str,
}

/// A stored lead's saved decision.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Saved {
    pub lead_id: i64,
    pub plan: MovePlan,
}

/// The outcome of a qualification.
#[derive(Debug, Clone)]
pub struct Qualification {
    /// The lead as the gate saw it (stored facts merged with the answers').
    pub lead: Lead,
    pub decision: Decision,
    /// The lead type the activities in the answers earn, if any rule fires.
    pub lead_type: Option<LeadTypeDecision>,
    pub call: Option<CallSummary>,
    /// Facts the stored lead lacked and the answers gave, now saved on it.
    pub learned: Vec<LearnedFact>,
    pub saved: Option<Saved>,
}

/// Reads the status of criteria given as free text (`answer = "..."` without a status).
pub fn read_free_text_answers(config: &Config, answers: &mut AnswersFile, as_of: NaiveDate) {
    let Some(framework) = config.registry.get(&answers.framework) else { return };
    let language = answers.language.unwrap_or_else(|| Language::infer(&answers.lead));
    for (id, text) in &answers.answers {
        let (Some(criterion), Some(current)) = (framework.criterion(id), answers.criteria.get(id)) else { continue };
        if current.status != CriterionStatus::Unknown {
            continue;
        }
        let found = evidence::evidence_from_answer(&criterion.concept, text, language, as_of);
        let read = evidence::CriterionEvidence {
            framework: framework.id.clone(),
            criterion: id.clone(),
            concept: criterion.concept.clone(),
            status: found.status,
            evidence: found.evidence,
        };
        if let Some((_, mut answer)) = evidence::to_answers(&[read]).into_iter().next() {
            // The evidence came from what the rep typed, not from a call.
            if let Some(message) = &mut answer.note_message {
                message.code = "answer.evidence_note".to_owned();
                answer.note = Some(message.english());
            } else if let Some(note) = &mut answer.note {
                *note = note.replacen("from the call", "from the answer", 1);
            }
            answers.criteria.insert(id.clone(), answer);
        }
    }
}

/// Runs the gate for one answers file under `framework_id` (or its own framework).
pub fn decide(
    config: &Config,
    answers: &AnswersFile,
    framework_id: Option<&str>,
    as_of: NaiveDate,
    language: Option<Language>,
) -> Result<Decision> {
    decide_in(config, answers, framework_id, as_of, language, None)
}

/// [`decide`] under a playbook: its framework unless `framework_id` names one, its ICP when
/// it has its own; the decision says which playbook it used and for what.
pub fn decide_in(
    config: &Config,
    answers: &AnswersFile,
    framework_id: Option<&str>,
    as_of: NaiveDate,
    language: Option<Language>,
    playbook: Option<&PlaybookChoice<'_>>,
) -> Result<Decision> {
    let own = config.framework(&answers.framework)?;
    let target = match framework_id.or(playbook.map(|p| p.playbook.framework.as_str())) {
        None => own,
        Some(id) => config.framework(id)?,
    };
    let icp = playbook.and_then(|p| p.playbook.icp.own()).or(config.icp());
    let carried = carry_answers(own, &answers.criteria, target);
    let mut decision = qualify_lead(&GateInput {
        lead: &answers.lead,
        icp,
        framework: target,
        concepts: config.registry.concepts(),
        answers: &carried,
        policy: &config.policy,
        as_of,
        language: language.or(answers.language),
    });
    decision.playbook = playbook.map(|p| PlaybookUse {
        id: p.playbook.id.clone(),
        chosen: p.chosen.clone(),
        framework: framework_id.is_none().then(|| p.playbook.framework.clone()),
        icp: match (&p.playbook.icp, icp) {
            (_, None) => "none (organization fit not checked)".to_owned(),
            (own, Some(_)) => own.describe(&p.playbook.id),
        },
    });
    Ok(decision)
}

/// Fills the facts the stored lead lacks from the answers' `[lead]` table.
fn merge_facts(stored: Lead, given: &Lead) -> Lead {
    let mut lead = stored;
    let (c, g) = (&mut lead.company, &given.company);
    c.name = c.name.take().or_else(|| g.name.clone());
    c.domain = c.domain.take().or_else(|| g.domain.clone());
    c.industry = c.industry.take().or_else(|| g.industry.clone());
    c.employees = c.employees.or(g.employees);
    c.annual_revenue = c.annual_revenue.or(g.annual_revenue);
    c.country = c.country.or(g.country);
    let (p, g) = (&mut lead.contact, &given.contact);
    p.name = p.name.take().or_else(|| g.name.clone());
    p.title = p.title.take().or_else(|| g.title.clone());
    p.email = p.email.take().or_else(|| g.email.clone());
    p.seniority = p.seniority.or(g.seniority);
    lead.language = given.language;
    lead
}

/// Qualifies one lead. `store` is needed only when the request names a stored lead.
pub async fn qualify(config: &Config, store: Option<&Store>, request: QualifyRequest<'_>) -> Result<Qualification> {
    run(config, store, request, Keep::Save).await
}

/// [`qualify`] without keeping anything: a stored lead's facts are used, but neither the
/// decision nor learned facts are saved and the stage does not move (`saved` is `None`).
/// The web playbook shows the levels and the verdict with it while the rep fills them in.
pub async fn preview(config: &Config, store: Option<&Store>, request: QualifyRequest<'_>) -> Result<Qualification> {
    run(config, store, request, Keep::Nothing).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    Save,
    Nothing,
}

async fn run(config: &Config, store: Option<&Store>, request: QualifyRequest<'_>, keep: Keep) -> Result<Qualification> {
    let mut answers = match request.answers {
        Some(answers) => answers,
        None => AnswersFile {
            framework: request.framework.unwrap_or("bant").to_owned(),
            language: request.language,
            lead: Lead::default(),
            criteria: Default::default(),
            answers: Default::default(),
        },
    };
    let had_answers = !answers.criteria.is_empty() || !answers.answers.is_empty();
    read_free_text_answers(config, &mut answers, request.as_of);

    let stored = match request.lead {
        None => None,
        Some(key) => {
            let store = store.ok_or_else(|| AppError::Unavailable("a stored lead needs a database".into()))?;
            let found = store.find_lead(key).await?.ok_or_else(|| AppError::lead_not_found(key))?;
            answers.lead = merge_facts(found.record.to_lead(), &answers.lead);
            Some((store, found))
        }
    };
    let stored_playbook = stored.as_ref().and_then(|(_, found)| found.playbook.as_deref());
    let playbook = crate::playbooks::playbook_for(config, stored_playbook, &answers.lead);
    let framework = request.framework.or(playbook.as_ref().map(|p| p.playbook.framework.as_str()));

    let mut call = None;
    if let Some(call_request) = &request.call {
        let own = config.framework(&answers.framework)?;
        let target = config.framework(framework.unwrap_or(&answers.framework))?;
        let analysis = analyze_call(call_request, vec![target])?;
        // Work in the target framework: what the answers say wins, the call fills the gaps.
        let mut merged = carry_answers(own, &answers.criteria, target);
        for (id, from_call) in evidence::to_answers(&analysis.criteria) {
            let known = merged.get(&id).is_some_and(|a| a.status != CriterionStatus::Unknown);
            if !known && from_call.status != CriterionStatus::Unknown {
                merged.insert(id, from_call);
            }
        }
        answers.framework = target.id.clone();
        answers.criteria = merged;
        if answers.language.is_none() && !had_answers {
            answers.language = Some(analysis.language);
        }
        call = Some(CallSummary::of(call_request.source, &analysis));
    }

    let decision = decide_in(config, &answers, request.framework, request.as_of, request.language, playbook.as_ref())?;
    let lead_type =
        config.rules_for(playbook.as_ref().map(|p| p.playbook.id.as_str())).classify(&answers.lead.activities);
    let (saved, learned) = match stored {
        None => (None, Vec::new()),
        Some(_) if keep == Keep::Nothing => (None, Vec::new()),
        Some((store, found)) => {
            let learned = save_learned_facts(store, &found, &answers.lead, request.actor).await?;
            (Some(save_decision(config, store, found.id, &decision, request.actor).await?), learned)
        }
    };
    Ok(Qualification { lead: answers.lead, decision, lead_type, call, saved, learned })
}

/// A fact learned on a call and saved on the stored lead.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LearnedFact {
    pub field: &'static str,
    pub value: String,
}

/// Saves onto the stored lead the facts it lacked and the call gave (`merged` is the stored
/// lead with the answers filling its gaps); the change is kept in the audit log, the
/// lead's history of who changed what. Stored facts are never overwritten.
async fn save_learned_facts(
    store: &Store,
    found: &sift_store::StoredLead,
    merged: &Lead,
    actor: &str,
) -> Result<Vec<LearnedFact>> {
    let mut record = found.record.clone();
    let mut learned = Vec::new();
    let mut fill = |field: &'static str, slot: &mut Option<String>, value: Option<String>| {
        if slot.is_none() {
            if let Some(v) = value {
                learned.push(LearnedFact { field, value: v.clone() });
                *slot = Some(v);
            }
        }
    };
    fill("company", &mut record.company, merged.company.name.clone());
    fill("domain", &mut record.domain, merged.company.domain.clone());
    fill("industry", &mut record.industry, merged.company.industry.clone());
    fill("country", &mut record.country, merged.company.country.map(|c| c.to_string()));
    fill("title", &mut record.title, merged.contact.title.clone());
    fill("email", &mut record.email, merged.contact.email.as_ref().map(|e| e.to_lowercase()));
    if record.first_name.is_none() && record.last_name.is_none() {
        if let Some(name) = merged.contact.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            let (first, last) = name.rsplit_once(' ').map_or((name, None), |(f, l)| (f, Some(l)));
            record.first_name = Some(first.to_owned());
            record.last_name = last.map(str::to_owned);
            learned.push(LearnedFact { field: "name", value: name.to_owned() });
        }
    }
    if record.employees.is_none() {
        if let Some(n) = merged.company.employees.and_then(|n| i64::try_from(n).ok()) {
            record.employees = Some(n);
            learned.push(LearnedFact { field: "employees", value: n.to_string() });
        }
    }
    if record.annual_revenue.is_none() {
        if let Some(r) = merged.company.annual_revenue {
            record.annual_revenue = Some(r);
            learned.push(LearnedFact { field: "annual_revenue", value: sift_core::icp::human_number(r) });
        }
    }
    if learned.is_empty() {
        return Ok(learned);
    }
    // The lead keeps its key: an id or email it was matched by must still find it.
    let key = record.dedupe_key.clone();
    let mut record = record.identify();
    record.dedupe_key = key;
    store.update_lead(found.id, &record, found.owner_id, None).await?;
    let detail = serde_json::json!({ "learned": learned.iter().map(|f| (f.field, f.value.clone())).collect::<std::collections::BTreeMap<_, _>>() });
    store
        .audit(&sift_store::accounts::NewAudit {
            actor_id: None,
            actor,
            action: "lead.facts_learned",
            target: &format!("lead:{}", found.id),
            detail,
            ip: None,
        })
        .await?;
    Ok(learned)
}

/// Saves a decision for a stored lead and moves its stage as the lifecycle rules say, in
/// one transaction.
pub async fn save_decision(
    config: &Config,
    store: &Store,
    lead_id: i64,
    decision: &Decision,
    actor: &str,
) -> Result<Saved> {
    let framework = config.framework(&decision.framework)?;
    let record = QualificationRecord {
        lead_id,
        framework: decision.framework.clone(),
        framework_version: config.framework_version(framework),
        icp_version: config.icp_version_for(decision),
        verdict: decision.verdict,
        failed_level: decision.failed_level,
        decision_json: serde_json::to_string(decision).map_err(|e| AppError::Conflict(e.to_string()))?,
        decided_by: Some(actor.to_owned()),
        re_engage_on: decision.nurture.as_ref().map(|n| n.re_engage_on.format("%Y-%m-%d").to_string()),
    };
    let plan = store.save_qualification(&record, |from| plan_move(from, Trigger::Verdict(decision), actor)).await?;
    Ok(Saved { lead_id, plan })
}

/// The framework a stored lead is qualified under: the one `requested` (a rep switching),
/// else its playbook's, else BANT; with the playbook that gave it.
pub struct FrameworkChoice<'c> {
    pub framework: &'c sift_core::Framework,
    /// The framework the lead gets when nobody switches.
    pub default_id: &'c str,
    pub playbook: Option<PlaybookChoice<'c>>,
}

impl FrameworkChoice<'_> {
    /// The framework to name in a [`QualifyRequest`]: `None` when it is the playbook's own,
    /// so the decision records that the playbook chose it.
    pub fn requested(&self) -> Option<&str> {
        (self.framework.id != self.default_id).then_some(self.framework.id.as_str())
    }
}

/// The framework built into Sift used when no playbook names one.
pub const DEFAULT_FRAMEWORK: &str = "bant";

/// Which framework a stored lead is qualified under (see [`FrameworkChoice`]); an unknown
/// `requested` id is invalid input naming it.
pub fn framework_for_lead<'c>(
    config: &'c Config,
    lead: &sift_store::StoredLead,
    requested: Option<&str>,
) -> Result<FrameworkChoice<'c>> {
    let playbook = crate::playbooks::playbook_for(config, lead.playbook.as_deref(), &lead.record.to_lead());
    let default_id = match &playbook {
        Some(p) => config.framework(&p.playbook.framework)?.id.as_str(),
        None => config.framework(DEFAULT_FRAMEWORK)?.id.as_str(),
    };
    let framework = config.framework(requested.unwrap_or(default_id))?;
    Ok(FrameworkChoice { framework, default_id, playbook })
}

/// A rep's answers under framework `from` as answers under `to`, through the concepts the
/// two share (what a rep switching framework keeps); an unknown id is invalid input.
pub fn carry_to(
    config: &Config,
    from: &str,
    answers: &std::collections::BTreeMap<String, sift_core::CriterionAnswer>,
    to: &str,
) -> Result<std::collections::BTreeMap<String, sift_core::CriterionAnswer>> {
    Ok(carry_answers(config.framework(from)?, answers, config.framework(to)?))
}
