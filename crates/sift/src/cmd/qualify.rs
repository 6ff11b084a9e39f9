//! `sift qualify`: run the three-level gate on one lead.

use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use serde::Serialize;
use sift_app::calls::CallRequest;
use sift_app::qualify::{Qualification, QualifyRequest, qualify};
use sift_core::{AnswersFile, Decision, GatePolicy, Language, LeadTypeDecision, MovePlan, Verdict};

use crate::exit;
use crate::inputs::{config, read_text, read_transcript};
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

    #[command(flatten)]
    model: crate::inputs::ModelArgs,

    #[command(flatten)]
    llm: crate::inputs::LlmArgs,

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

    /// Playbooks (TOML; see `sift playbooks --help`): the lead's playbook (stored on it, else
    /// the first it fits) gives the framework unless --framework names one, its ICP and its
    /// lead-type rules.
    #[arg(long, value_name = "FILE", env = "SIFT_PLAYBOOKS")]
    playbook: Option<PathBuf>,

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

pub fn run(db: &str, framework_files: &[PathBuf], args: &QualifyArgs) -> Result<u8> {
    let mut config = config(framework_files)?;
    if let Some(p) = &args.icp {
        config.set_icp(&p.display().to_string(), &read_text(p)?)?;
    }
    if let Some(p) = &args.rules {
        config.set_rules(&p.display().to_string(), &read_text(p)?)?;
    }
    if let Some(p) = &args.playbook {
        crate::cmd::playbooks::load_file(&mut config, p)?;
    }
    config.policy = GatePolicy { nurture_horizon_days: args.horizon_days, ..GatePolicy::default() };
    let as_of = args.as_of.unwrap_or_else(today);
    let answers = match &args.answers {
        Some(path) => Some(AnswersFile::parse(&path.display().to_string(), &read_text(path)?, &config.registry)?),
        None => None,
    };
    let transcript = match &args.transcript {
        Some(path) => {
            let input = read_transcript(path)?;
            if let Some(note) = &input.note {
                anstream::eprintln!("note: {}: {note}", path.display());
            }
            Some((path.display().to_string(), input.text))
        }
        None => None,
    };
    if transcript.is_some() {
        config.meaning = args.model.open()?;
        config.llm = args.llm.config();
    } else if args.model.model.is_some() {
        anstream::eprintln!("note: --model reads calls; without --transcript it has nothing to read");
    }
    let call = transcript.as_ref().map(|(source, text)| CallRequest {
        source,
        text,
        reps: &args.rep,
        language: args.lang.map(Language::from),
        as_of,
        lexicons: &[],
        meaning: config.meaning(),
        llm: config.llm.as_ref(),
    });
    let request = QualifyRequest {
        answers,
        call,
        lead: args.lead.as_deref(),
        framework: args.framework.as_deref(),
        language: args.lang.map(Language::from),
        as_of,
        actor: "cli",
    };
    let outcome = crate::cmd::db::runtime()?.block_on(async {
        // Only a stored lead needs the database.
        let store = match args.lead {
            Some(_) => Some(crate::cmd::db::open(db).await?),
            None => None,
        };
        let outcome = qualify(&config, store.as_ref(), request).await;
        if let Some(store) = store {
            store.close().await;
        }
        anyhow::Ok(outcome?)
    })?;
    let Qualification { lead, decision, lead_type, call, saved, learned } = &outcome;
    let call_note = call.as_ref().map(|c| {
        let modes: Vec<String> =
            c.modes.iter().map(|(criterion, mode)| format!("{criterion} [{}]", crate::cmd::analyze::mode_name(*mode))).collect();
        let modes = if modes.is_empty() { String::new() } else { format!("\nDecided from the call: {}.", modes.join(", ")) };
        format!(
            "From the call ({}): {} criteria with evidence, {} good signs, {} red flags; `sift analyze {}` for the full report.\nRead with: {}{modes}",
            c.source, c.criteria_with_evidence, c.good_signs, c.red_flags, c.source, c.read_with
        )
    });
    let stored_note = saved.as_ref().map(|s| match &s.plan {
        MovePlan::Move(m) => format!("Saved; lead {} moved from {} to {}.", s.lead_id, m.from, m.to),
        MovePlan::Stay { stage, reason, .. } => format!("Saved; lead {} stays {stage} ({reason}).", s.lead_id),
    });
    let answers_lead = lead;
    let learned_note = (!learned.is_empty()).then(|| {
        let facts: Vec<String> = learned.iter().map(|f| format!("{} = {}", f.field, f.value)).collect();
        format!("Saved on the lead (it did not have them): {}.", facts.join(", "))
    });

    if args.json {
        let report = QualifyReport {
            lead_id: answers_lead.id.as_deref(),
            company: answers_lead.company.name.as_deref(),
            lead_type: lead_type.as_ref(),
            decision,
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let framework =
            config.registry.get(&decision.framework).map_or(decision.framework.as_str(), |f| f.name.as_str());
        render::print_decision(answers_lead, framework, decision);
        match &lead_type {
            Some(t) => {
                anstream::println!("\nLead type from activity: {} ({})", t.stage.name().to_uppercase(), t.explanation)
            }
            None if !answers_lead.activities.is_empty() => {
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
        if let Some(note) = &learned_note {
            anstream::println!("{note}");
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
