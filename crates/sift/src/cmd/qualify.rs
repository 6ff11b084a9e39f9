//! `sift qualify`: run the three-level gate on one lead.

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use serde::Serialize;
use sift_core::{
    AnswersFile, CriterionStatus, Decision, GateInput, GatePolicy, Icp, Language, LeadTypeDecision, LeadTypeRules,
    Registry, Verdict, carry_answers, qualify_lead,
};
use sift_signals::evidence;

use crate::exit;
use crate::inputs::{framework, read_text, registry};
use crate::render;

#[derive(Args)]
#[command(after_long_help = "\
ANSWERS FILE (TOML):
  framework = \"bant\"                  # bant, meddic, meddpicc, champ, gpctba-ci, anum, faint
  language = \"en\"                     # optional: en or zh (else inferred from the lead)
  activities = [ { kind = \"form_submission\", at = 2026-11-02T10:00:00Z } ]   # optional

  [lead]
  company = \"Acme GmbH\"    domain = \"acme.de\"   industry = \"Software\"
  employees = 250          annual_revenue = 30_000_000   country = \"DE\"
  contact_name = \"Jana Novak\"   contact_title = \"VP Sales\"   email = \"jana@acme.de\"

  [criteria.need]
  status = \"confirmed\"      # confirmed | partial | unknown | negative | contradicted
  note = \"Reps lose a day a week to manual routing\"

  [criteria.timeline]
  status = \"confirmed\"
  date = 2027-03-01         # planned purchase date; beyond the horizon -> nurture

  [criteria.budget]
  answer = \"We set aside $60k for tooling in Q1, already approved\"   # read by Sift

A criterion left out is unknown. With `answer` and no `status`, Sift reads the status from
the prospect's words (figures, dates, roles, \"no budget\"...), as it does for a transcript.

FROM A CALL:
  sift qualify --transcript call.vtt --framework meddic [--lead ID] [--answers facts.toml]
  Evidence from the call decides each criterion the answers file leaves unknown; without an
  answers file the framework is --framework (default bant) and only the call is used.

EXIT CODES:
  0  a decision was made (whatever the verdict)
  1  failure, e.g. a file could not be read
  2  invalid input: every problem printed as FILE:LINE:COLUMN: message
  With --verdict-exit-code: 0 qualified, 10 nurture, 11 disqualified, 12 needs_info.

EXAMPLES:
  sift qualify --answers call.toml --icp icp.toml
  sift qualify --answers call.toml --framework meddic --json")]
pub struct QualifyArgs {
    /// The answers file: framework, lead facts and the status (or the prospect's answer) of
    /// each criterion.
    #[arg(long, value_name = "FILE", required_unless_present = "transcript")]
    answers: Option<PathBuf>,

    /// A discovery-call transcript (text, WebVTT, SRT or JSON; see `sift analyze --help`):
    /// the evidence it holds decides every criterion the answers file leaves unknown.
    #[arg(long, value_name = "FILE")]
    transcript: Option<PathBuf>,

    /// The rep's speaker name in the transcript (repeatable); default: inferred.
    #[arg(long, value_name = "NAME", requires = "transcript")]
    rep: Vec<String>,

    /// Qualify this stored lead (database id, external id or email): its stored facts are
    /// used (the answers file's [lead] only fills gaps), and the decision is saved and moves
    /// the lead's stage.
    #[arg(long, value_name = "ID")]
    lead: Option<String>,

    /// The ideal-customer profile (TOML). Without it, organization fit is not checked.
    #[arg(long, value_name = "FILE", env = "SIFT_ICP")]
    icp: Option<PathBuf>,

    /// Judge under this framework instead of the answers file's; answers carry over
    /// through the concept map (budget ~ money ~ funds, need ~ challenges ~ identify_pain...).
    #[arg(long, value_name = "ID")]
    framework: Option<String>,

    /// How far out (days) a buying date may be and still qualify; later dates go to nurture.
    #[arg(long, value_name = "DAYS", default_value_t = GatePolicy::default().nurture_horizon_days, env = "SIFT_NURTURE_HORIZON_DAYS")]
    horizon_days: u64,

    /// Decide as of this date (YYYY-MM-DD) instead of today, e.g. to reproduce a past decision.
    #[arg(long, value_name = "DATE")]
    as_of: Option<NaiveDate>,

    /// Language for questions and next steps (default: the lead's).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,

    /// Lead-type rules (TOML) for classifying activities into MQL / PQL / CQL.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,

    /// Print the decision as JSON.
    #[arg(long)]
    json: bool,

    /// Exit with a code per verdict: 0 qualified, 10 nurture, 11 disqualified, 12 needs_info.
    #[arg(long)]
    verdict_exit_code: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    En,
    Zh,
}

impl From<LangArg> for Language {
    fn from(l: LangArg) -> Language {
        match l {
            LangArg::En => Language::En,
            LangArg::Zh => Language::Zh,
        }
    }
}

/// What `--json` prints: the gate's decision plus the lead type from activity.
#[derive(Serialize)]
pub struct QualifyReport<'a> {
    pub lead_id: Option<&'a str>,
    pub company: Option<&'a str>,
    pub lead_type: Option<&'a LeadTypeDecision>,
    #[serde(flatten)]
    pub decision: &'a Decision,
}

pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

pub fn load_icp(path: Option<&PathBuf>) -> Result<Option<Icp>> {
    path.map(|p| {
        let text = read_text(p)?;
        Icp::parse(&p.display().to_string(), &text).map_err(anyhow::Error::from)
    })
    .transpose()
}

pub fn load_rules(path: Option<&PathBuf>) -> Result<LeadTypeRules> {
    match path {
        None => Ok(LeadTypeRules::default()),
        Some(p) => {
            let text = read_text(p)?;
            Ok(LeadTypeRules::parse(&p.display().to_string(), &text)?)
        }
    }
}

/// Runs the gate for one answers file under `framework_id` (or its own framework).
pub fn decide(
    registry: &Registry,
    answers: &AnswersFile,
    framework_id: Option<&str>,
    icp: Option<&Icp>,
    policy: &GatePolicy,
    as_of: NaiveDate,
    language: Option<Language>,
) -> Result<Decision> {
    let own = framework(registry, &answers.framework)?;
    let target = match framework_id {
        None => own,
        Some(id) => framework(registry, id)?,
    };
    let carried = carry_answers(own, &answers.criteria, target);
    Ok(qualify_lead(&GateInput {
        lead: &answers.lead,
        icp,
        framework: target,
        concepts: registry.concepts(),
        answers: &carried,
        policy,
        as_of,
        language: language.or(answers.language),
    }))
}

/// Fills the facts the stored lead lacks from the answers file's `[lead]` table.
fn merge_facts(stored: sift_core::Lead, given: &sift_core::Lead) -> sift_core::Lead {
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

/// Reads the status of criteria given as free text (`answer = "..."` without a status).
fn read_free_text_answers(registry: &Registry, answers: &mut AnswersFile, as_of: NaiveDate) {
    let Some(framework) = registry.get(&answers.framework) else { return };
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
            if let Some(note) = &mut answer.note {
                *note = note.replacen("from the call", "from the answer", 1);
            }
            answers.criteria.insert(id.clone(), answer);
        }
    }
}

pub fn run(db: &str, framework_files: &[PathBuf], args: &QualifyArgs) -> Result<u8> {
    let registry = registry(framework_files)?;
    let as_of = args.as_of.unwrap_or_else(today);
    let mut answers = match &args.answers {
        Some(path) => {
            let text = read_text(path)?;
            AnswersFile::parse(&path.display().to_string(), &text, &registry)?
        }
        None => AnswersFile {
            framework: args.framework.clone().unwrap_or_else(|| "bant".into()),
            language: args.lang.map(Language::from),
            lead: sift_core::Lead::default(),
            criteria: Default::default(),
            answers: Default::default(),
        },
    };
    read_free_text_answers(&registry, &mut answers, as_of);
    let mut call_note = None;
    if let Some(path) = &args.transcript {
        let target_id = args.framework.clone().unwrap_or_else(|| answers.framework.clone());
        let own = framework(&registry, &answers.framework)?;
        let target = framework(&registry, &target_id)?;
        let (analysis, note) = crate::cmd::analyze::analyze_file(
            path,
            &args.rep,
            args.lang.map(Language::from),
            vec![target],
            as_of,
            &[],
        )?;
        if let Some(note) = note {
            anstream::eprintln!("note: {}: {note}", path.display());
        }
        // Work in the target framework: what the file says wins, the call fills the gaps.
        let mut merged = carry_answers(own, &answers.criteria, target);
        for (id, from_call) in evidence::to_answers(&analysis.criteria) {
            let known = merged.get(&id).is_some_and(|a| a.status != CriterionStatus::Unknown);
            if !known && from_call.status != CriterionStatus::Unknown {
                merged.insert(id, from_call);
            }
        }
        answers.framework = target.id.clone();
        answers.criteria = merged;
        if answers.language.is_none() && args.answers.is_none() {
            answers.language = Some(analysis.language);
        }
        let red = analysis.signals.iter().filter(|s| s.polarity == sift_signals::Polarity::Red).count();
        call_note = Some(format!(
            "From the call ({}): {} criteria with evidence, {} good signs, {red} red flags; `sift analyze {}` for the full report.",
            path.display(),
            analysis.criteria.iter().filter(|c| c.status != CriterionStatus::Unknown).count(),
            analysis.signals.len() - red,
            path.display()
        ));
    }
    let stored = match &args.lead {
        None => None,
        Some(key) => {
            let rt = crate::cmd::db::runtime()?;
            let found = rt.block_on(async {
                let store = crate::cmd::db::open(db).await?;
                let lead = store.find_lead(key).await;
                store.close().await;
                anyhow::Ok(lead?)
            })?;
            let found = found.with_context(|| {
                format!("no stored lead `{key}` (looked for a database id, an external id and an email)")
            })?;
            answers.lead = merge_facts(found.record.to_lead(), &answers.lead);
            Some((rt, found))
        }
    };
    let icp = load_icp(args.icp.as_ref())?;
    let rules = load_rules(args.rules.as_ref())?;
    let policy = GatePolicy { nurture_horizon_days: args.horizon_days, ..GatePolicy::default() };
    let decision = decide(
        &registry,
        &answers,
        args.framework.as_deref(),
        icp.as_ref(),
        &policy,
        as_of,
        args.lang.map(Language::from),
    )?;
    let lead_type = rules.classify(&answers.lead.activities);
    let mut stored_note = None;
    if let Some((rt, found)) = &stored {
        let framework = registry.get(&decision.framework).context("framework vanished")?;
        let reason = decision.reasons.first().cloned().unwrap_or_default();
        let from = found.record.stage;
        let move_to = decision
            .verdict
            .stage()
            .filter(|to| *to != from && from.can_move_to(*to))
            .map(|to| (from, to, reason.as_str()));
        let icp_version = match &args.icp {
            Some(p) => Some(sift_store::record::content_version(&read_text(p)?)),
            None => None,
        };
        let record = sift_store::QualificationRecord {
            lead_id: found.id,
            framework: decision.framework.clone(),
            framework_version: sift_store::record::content_version(&serde_json::to_string(framework)?),
            icp_version,
            verdict: decision.verdict.name().to_owned(),
            failed_level: decision.failed_level.map(|l| l.name().to_owned()),
            decision_json: serde_json::to_string(&decision)?,
        };
        rt.block_on(async {
            let store = crate::cmd::db::open(db).await?;
            let saved = store.save_qualification(&record, move_to).await;
            store.close().await;
            anyhow::Ok(saved?)
        })?;
        stored_note = Some(match (move_to, decision.verdict.stage()) {
            (Some((from, to, _)), _) => format!("Saved; lead {} moved from {from} to {to}.", found.id),
            (None, Some(to)) if to != from => {
                format!("Saved; lead {} stays {from} (a lead cannot move from {from} to {to}).", found.id)
            }
            _ => format!("Saved; lead {} stays {from}.", found.id),
        });
    }

    if args.json {
        let report = QualifyReport {
            lead_id: answers.lead.id.as_deref(),
            company: answers.lead.company.name.as_deref(),
            lead_type: lead_type.as_ref(),
            decision: &decision,
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let framework = registry.get(&decision.framework).map_or(decision.framework.as_str(), |f| f.name.as_str());
        render::print_decision(&answers.lead, framework, &decision);
        match &lead_type {
            Some(t) => {
                anstream::println!("\nLead type from activity: {} ({})", t.stage.name().to_uppercase(), t.explanation)
            }
            None if !answers.lead.activities.is_empty() => {
                anstream::println!("\nLead type from activity: none of the rules fired; the lead stays unqualified")
            }
            None => {}
        }
        if let Some(note) = &call_note {
            anstream::println!("\n{note}");
        }
        if let Some(note) = &stored_note {
            anstream::println!("\n{note}");
        }
    }
    Ok(if args.verdict_exit_code {
        match decision.verdict {
            Verdict::Qualified => 0,
            Verdict::Nurture => 10,
            Verdict::Disqualified => 11,
            Verdict::NeedsInfo => 12,
        }
    } else {
        exit::OK
    })
}
