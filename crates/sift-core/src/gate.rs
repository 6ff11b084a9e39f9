//! The three-level gate: organization, then opportunity, then stakeholder.
//!
//! A pure function from a lead, an optional ICP, a framework and the status of each
//! criterion to a [`Decision`] that always carries its reasons. The rules:
//! - levels are evaluated in order and the first failing level is the one reported;
//! - a lead advances (`qualified`) only when all three levels pass;
//! - a required criterion clearly lacking (`negative`) fails its level: need-type concepts
//!   disqualify, budget/timeline-type concepts send the lead to nurture (the concept map
//!   says which);
//! - a timeline date beyond the nurture horizon sends the lead to nurture with a
//!   re-engage date ahead of the purchase date, never out;
//! - `contradicted` is never treated as confirmed: it leaves the level open until someone
//!   who knows confirms it;
//! - a fact or criterion not yet known leaves its level `unknown` and produces an
//!   open-ended question to ask next.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::framework::{ConceptMap, Criterion, Framework, Level, OnNegative};
use crate::icp::{Check, Icp, IcpCheck, IcpRule};
use crate::lead::{Language, Lead};
use crate::lifecycle::Stage;
use crate::message::{Arg, Message};

/// What a rep knows about one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CriterionStatus {
    /// Established, with evidence.
    Confirmed,
    /// Some evidence, not enough.
    Partial,
    /// Not asked or not answered yet.
    Unknown,
    /// Clearly lacking: no budget, no pain, no say.
    Negative,
    /// Answers conflict with each other.
    Contradicted,
}

impl CriterionStatus {
    pub const ALL: [CriterionStatus; 5] = [
        CriterionStatus::Confirmed,
        CriterionStatus::Partial,
        CriterionStatus::Unknown,
        CriterionStatus::Negative,
        CriterionStatus::Contradicted,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CriterionStatus::Confirmed => "confirmed",
            CriterionStatus::Partial => "partial",
            CriterionStatus::Unknown => "unknown",
            CriterionStatus::Negative => "negative",
            CriterionStatus::Contradicted => "contradicted",
        }
    }

    /// How much a status counts towards a level's coverage.
    fn credit(self) -> f64 {
        match self {
            CriterionStatus::Confirmed => 1.0,
            CriterionStatus::Partial => 0.5,
            _ => 0.0,
        }
    }
}

/// The status of one criterion with what backs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionAnswer {
    pub status: CriterionStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A date that matters for the criterion, e.g. the planned purchase date for a timeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// `framework.criterion` when the answer was given under another framework.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried_from: Option<String>,
    /// The note as a code and its arguments when Sift wrote it (a call's evidence), so it
    /// can be said in another language; a rep's own note has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_message: Option<Message>,
}

impl CriterionAnswer {
    pub fn new(status: CriterionStatus) -> Self {
        CriterionAnswer { status, note: None, date: None, carried_from: None, note_message: None }
    }
}

/// Tunable parts of the gate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GatePolicy {
    /// How far out a buying date may be and still qualify.
    pub nurture_horizon_days: u64,
    /// When to look again at a lead nurtured for a reason with no date attached.
    pub nurture_recheck_days: u64,
    /// How many next questions to suggest at most.
    pub max_questions: usize,
}

impl Default for GatePolicy {
    fn default() -> Self {
        GatePolicy { nurture_horizon_days: 183, nurture_recheck_days: 90, max_questions: 5 }
    }
}

/// Everything the gate looks at.
#[derive(Debug, Clone, Copy)]
pub struct GateInput<'a> {
    pub lead: &'a Lead,
    pub icp: Option<&'a Icp>,
    pub framework: &'a Framework,
    pub concepts: &'a ConceptMap,
    pub answers: &'a BTreeMap<String, CriterionAnswer>,
    pub policy: &'a GatePolicy,
    /// The day the decision is made (dates are compared with it).
    pub as_of: NaiveDate,
    /// Language for questions and next steps; the lead's own when `None`.
    pub language: Option<Language>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Qualified,
    Nurture,
    Disqualified,
    NeedsInfo,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Qualified => "qualified",
            Verdict::Nurture => "nurture",
            Verdict::Disqualified => "disqualified",
            Verdict::NeedsInfo => "needs_info",
        }
    }

    pub const ALL: [Verdict; 4] = [Verdict::Qualified, Verdict::Nurture, Verdict::Disqualified, Verdict::NeedsInfo];

    /// The lifecycle stage a lead with this verdict belongs in, if the verdict moves it.
    pub fn stage(self) -> Option<Stage> {
        match self {
            Verdict::Qualified => Some(Stage::Sql),
            Verdict::Nurture => Some(Stage::Nurture),
            Verdict::Disqualified => Some(Stage::Disqualified),
            Verdict::NeedsInfo => None,
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a verdict; expected one of: qualified, nurture, disqualified, needs_info")]
pub struct VerdictParseError(pub String);

impl std::str::FromStr for Verdict {
    type Err = VerdictParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_lowercase().replace(['-', ' '], "_");
        Verdict::ALL.into_iter().find(|v| v.name() == norm).ok_or_else(|| VerdictParseError(s.to_owned()))
    }
}

/// What one fact or criterion means for its level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    /// Out: disqualifies at this level.
    Fail,
    /// Not now: sends the lead to nurture.
    Nurture,
    /// Not established yet.
    Unknown,
}

/// Where a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingSource {
    Icp,
    Criterion,
}

/// One fact or criterion as the gate saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub source: FindingSource,
    /// The ICP rule or the criterion id.
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concept: Option<String>,
    pub outcome: Outcome,
    /// Whether the finding decides its level (required criteria and ICP rules do; optional
    /// criteria are reported but never hold a lead back).
    pub blocking: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<CriterionStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// The lead's value, or the rep's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carried_from: Option<String>,
    pub reason: String,
    /// `reason` as a code and its arguments (absent in decisions stored before codes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_message: Option<Message>,
    /// `evidence` in words of Sift's own (a call's evidence, a seniority), when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_message: Option<Message>,
}

/// One level's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelReport {
    pub level: Level,
    pub status: Check,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_message: Option<Message>,
    /// Weighted share of this level's criteria established (confirmed 1, partial 0.5);
    /// `None` when the framework has no criteria at this level.
    pub coverage: Option<f64>,
    pub findings: Vec<Finding>,
}

/// A lead parked in nurture: why, on which track, and when to look again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NurturePlan {
    /// Reason code of the track (`future_timeline`, `budget_cycle`, ...).
    pub track: String,
    pub criterion: String,
    pub reason: String,
    pub re_engage_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_message: Option<Message>,
}

/// A question worth asking next, in the lead's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextQuestion {
    pub level: Level,
    /// The criterion id, or `icp.<rule>` for a missing profile fact.
    pub topic: String,
    pub question: String,
    pub why: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why_message: Option<Message>,
}

/// The gate's decision, with everything behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub verdict: Verdict,
    pub failed_level: Option<Level>,
    pub framework: String,
    pub as_of: NaiveDate,
    pub language: Language,
    /// The main reasons for the verdict, most important first.
    pub reasons: Vec<String>,
    /// `reasons` as codes and their arguments, one for each (empty in decisions stored
    /// before codes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reason_messages: Vec<Message>,
    /// The next step in the decision's language (`language`).
    pub next_step: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_step_message: Option<Message>,
    pub levels: Vec<LevelReport>,
    pub next_questions: Vec<NextQuestion>,
    pub nurture: Option<NurturePlan>,
    /// The playbook whose framework or ICP the decision was made under, when there was one
    /// (set by the caller that chose it; the gate itself knows no playbooks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook: Option<crate::playbook::PlaybookUse>,
}

/// Runs the three-level gate.
pub fn qualify_lead(input: &GateInput<'_>) -> Decision {
    let language = input.language.unwrap_or_else(|| input.lead.language());
    let levels: Vec<LevelReport> = Level::ALL.into_iter().map(|level| evaluate_level(input, level)).collect();

    let first_failing = levels.iter().find(|l| l.status == Check::Fail);
    let (verdict, failed_level) = match first_failing {
        Some(report) => {
            let out = report.findings.iter().any(|f| f.blocking && f.outcome == Outcome::Fail);
            (if out { Verdict::Disqualified } else { Verdict::Nurture }, Some(report.level))
        }
        None if levels.iter().any(|l| l.status == Check::Unknown) => (Verdict::NeedsInfo, None),
        None => (Verdict::Qualified, None),
    };

    let nurture = match (verdict, first_failing) {
        (Verdict::Nurture, Some(report)) => nurture_plan(input, report),
        _ => None,
    };
    let reason_messages = decision_reasons(verdict, &levels, first_failing);
    let reasons = reason_messages.iter().map(Message::english).collect();
    let (next_step, next_step_message) = next_step(verdict, first_failing, nurture.as_ref(), &levels, language);
    let next_questions =
        if verdict == Verdict::Disqualified { Vec::new() } else { next_questions(input, &levels, language) };

    Decision {
        verdict,
        failed_level,
        framework: input.framework.id.clone(),
        as_of: input.as_of,
        language,
        reasons,
        reason_messages,
        next_step,
        next_step_message: Some(next_step_message),
        levels,
        next_questions,
        nurture,
        playbook: None,
    }
}

fn evaluate_level(input: &GateInput<'_>, level: Level) -> LevelReport {
    let mut findings = Vec::new();
    if level == Level::Organization {
        match input.icp {
            Some(icp) => findings.extend(icp.check(input.lead).into_iter().map(icp_finding)),
            None => {
                let message = Message::new("gate.icp.none");
                findings.push(Finding {
                    source: FindingSource::Icp,
                    id: "icp".into(),
                    concept: None,
                    outcome: Outcome::Pass,
                    blocking: false,
                    status: None,
                    weight: None,
                    evidence: None,
                    date: None,
                    carried_from: None,
                    reason: message.english(),
                    reason_message: Some(message),
                    evidence_message: None,
                })
            }
        }
    }
    let criteria: Vec<&Criterion> = input.framework.criteria.iter().filter(|c| c.level == level).collect();
    findings.extend(criteria.iter().map(|c| criterion_finding(input, c)));

    let total_weight: f64 = criteria.iter().map(|c| c.weight).sum();
    let coverage = (total_weight > 0.0).then(|| {
        let got: f64 = criteria.iter().map(|c| c.weight * answer_of(input, c).status.credit()).sum();
        (got / total_weight * 1000.0).round() / 1000.0
    });

    let blocking = |o: Outcome| findings.iter().filter(move |f| f.blocking && f.outcome == o);
    let fails: Vec<&Finding> = blocking(Outcome::Fail).chain(blocking(Outcome::Nurture)).collect();
    let unknowns: Vec<&Finding> = blocking(Outcome::Unknown).collect();
    let (status, message) = if !fails.is_empty() {
        (
            Check::Fail,
            Message::new("gate.level.failing").with_list("findings", fails.iter().map(|f| reason_arg(f)).collect()),
        )
    } else if !unknowns.is_empty() {
        (
            Check::Unknown,
            Message::new("gate.level.open")
                .with_list("findings", unknowns.iter().map(|f| finding_name(input, f)).collect()),
        )
    } else {
        let passed = findings.iter().filter(|f| f.outcome == Outcome::Pass && f.blocking).count();
        let message = if passed == 0 && criteria.is_empty() && level != Level::Organization {
            Message::new("gate.level.no_criteria").with("framework", input.framework.name.as_str())
        } else if passed == 0 && findings.iter().all(|f| !f.blocking) && level == Level::Organization {
            match findings.first() {
                Some(f) => f.reason_message.clone().unwrap_or_else(|| Message::new("gate.icp.none")),
                None => Message::new("gate.level.all_pass").with("count", "0"),
            }
        } else {
            Message::new("gate.level.all_pass").with("count", passed.to_string())
        };
        (Check::Pass, message)
    };
    LevelReport { level, status, reason: message.english(), reason_message: Some(message), coverage, findings }
}

/// A finding's reason as an argument: its message, else its text.
fn reason_arg(finding: &Finding) -> Arg {
    finding.reason_message.clone().map_or_else(|| Arg::Text(finding.reason.clone()), Arg::Message)
}

/// A finding named in a level's reason: its id, with the criterion's names when it is one.
fn finding_name(input: &GateInput<'_>, finding: &Finding) -> Arg {
    let source = match finding.source {
        FindingSource::Icp => "icp",
        FindingSource::Criterion => "criterion",
    };
    let criterion = match finding.source {
        FindingSource::Criterion => input.framework.criterion(&finding.id),
        FindingSource::Icp => None,
    };
    Arg::Message(
        Message::new("gate.finding")
            .with("id", finding.id.as_str())
            .with("source", source)
            .with_opt("name", criterion.map(|c| c.name.en.clone()))
            .with_opt("name_zh", criterion.and_then(|c| c.name.zh.clone())),
    )
}

fn icp_finding(check: IcpCheck) -> Finding {
    // An exclusion rule can fail a lead, but it cannot be required of it: when the fact it
    // needs is missing, the gap is noted and asked about, and does not hold the lead.
    let exclusion_unknown = check.rule == IcpRule::ExcludedDomain && check.outcome == Check::Unknown;
    let message = if exclusion_unknown {
        Message::new("gate.icp.not_required").with_message("reason", check.message)
    } else {
        check.message
    };
    Finding {
        source: FindingSource::Icp,
        id: check.rule.name().to_owned(),
        concept: None,
        outcome: match check.outcome {
            Check::Pass => Outcome::Pass,
            Check::Fail => Outcome::Fail,
            Check::Unknown => Outcome::Unknown,
        },
        blocking: !exclusion_unknown,
        status: None,
        weight: None,
        evidence: check.fact,
        date: None,
        carried_from: None,
        reason: message.english(),
        reason_message: Some(message),
        evidence_message: check.fact_message,
    }
}

fn answer_of(input: &GateInput<'_>, criterion: &Criterion) -> CriterionAnswer {
    input.answers.get(&criterion.id).cloned().unwrap_or_else(|| CriterionAnswer::new(CriterionStatus::Unknown))
}

fn criterion_finding(input: &GateInput<'_>, criterion: &Criterion) -> Finding {
    let answer = answer_of(input, criterion);
    let concept = input.concepts.get(&criterion.concept);
    let dated = concept.is_some_and(|c| c.dated);
    let on_negative = concept.map_or(OnNegative::Disqualify, |c| c.on_negative);
    let horizon_end = input.as_of.checked_add_days(Days::new(input.policy.nurture_horizon_days));
    let said = |code: &str| {
        Message::new(code)
            .with("criterion", criterion.id.as_str())
            .with("name", criterion.name.en.as_str())
            .with_opt("name_zh", criterion.name.zh.as_deref())
    };

    let (outcome, message) = match answer.status {
        CriterionStatus::Confirmed => match answer.date {
            Some(date) if dated && horizon_end.is_some_and(|end| date > end) => (
                Outcome::Nurture,
                said("gate.criterion.beyond_horizon")
                    .with("date", date.to_string())
                    .with("days", input.policy.nurture_horizon_days.to_string())
                    .with("until", horizon_end.map(|d| d.to_string()).unwrap_or_default()),
            ),
            Some(date) if dated && date < input.as_of => {
                (Outcome::Unknown, said("gate.criterion.date_passed").with("date", date.to_string()))
            }
            Some(date) if dated => (Outcome::Pass, said("gate.criterion.confirmed_for").with("date", date.to_string())),
            _ => (Outcome::Pass, said("gate.criterion.confirmed")),
        },
        CriterionStatus::Partial => (Outcome::Unknown, said("gate.criterion.partial")),
        CriterionStatus::Unknown => (Outcome::Unknown, said("gate.criterion.unknown")),
        CriterionStatus::Negative => match on_negative {
            OnNegative::Disqualify => (Outcome::Fail, said("gate.criterion.lacking")),
            OnNegative::Nurture => (Outcome::Nurture, said("gate.criterion.not_now")),
        },
        CriterionStatus::Contradicted => (Outcome::Unknown, said("gate.criterion.contradicted")),
    };
    // The note as it was written; Sift's own words (a call's evidence) as their message.
    let message = match (&answer.note, &answer.note_message) {
        (Some(note), _) if note.trim().is_empty() => message,
        (Some(_), Some(note)) => message.with_message("note", note.clone()),
        (Some(note), None) => message.with("note", note.clone()),
        (None, _) => message,
    };
    Finding {
        source: FindingSource::Criterion,
        id: criterion.id.clone(),
        concept: Some(criterion.concept.clone()),
        outcome,
        blocking: criterion.required,
        status: Some(answer.status),
        weight: Some(criterion.weight),
        evidence: answer.note.clone(),
        date: answer.date,
        carried_from: answer.carried_from.clone(),
        reason: message.english(),
        reason_message: Some(message),
        evidence_message: answer.note_message.clone(),
    }
}

fn nurture_plan(input: &GateInput<'_>, report: &LevelReport) -> Option<NurturePlan> {
    let recheck = input.as_of.checked_add_days(Days::new(input.policy.nurture_recheck_days))?;
    report
        .findings
        .iter()
        .filter(|f| f.blocking && f.outcome == Outcome::Nurture)
        .filter_map(|f| {
            let concept = input.concepts.get(f.concept.as_deref()?)?;
            let track = concept.nurture_track.clone().unwrap_or_else(|| "not_now".into());
            // A dated criterion comes back when its date enters the horizon, and never
            // later than the date itself minus a week (reps need time to prepare).
            let re_engage_on = match f.date {
                Some(date) if concept.dated && f.status == Some(CriterionStatus::Confirmed) => date
                    .checked_sub_days(Days::new(input.policy.nurture_horizon_days))
                    .filter(|d| *d > input.as_of)
                    .or_else(|| date.checked_sub_days(Days::new(7)))
                    .unwrap_or(recheck),
                _ => recheck,
            };
            Some(NurturePlan {
                track,
                criterion: f.id.clone(),
                reason: f.reason.clone(),
                re_engage_on,
                reason_message: f.reason_message.clone(),
            })
        })
        .max_by_key(|p| p.re_engage_on)
}

fn decision_reasons(verdict: Verdict, levels: &[LevelReport], first_failing: Option<&LevelReport>) -> Vec<Message> {
    let about = |code: &str, report: &LevelReport| {
        let reason = report.reason_message.clone().map_or_else(|| Arg::Text(report.reason.clone()), Arg::Message);
        Message::new(code).with("level", report.level.name()).with_arg("reason", reason)
    };
    match (verdict, first_failing) {
        (Verdict::Disqualified | Verdict::Nurture, Some(report)) => {
            let mut reasons = vec![about("gate.reason.fails", report)];
            // Later levels are reported too, so the rep sees the whole picture, but the
            // verdict comes from the first failing level.
            for later in levels.iter().filter(|l| l.level > report.level && l.status == Check::Fail) {
                reasons.push(about("gate.reason.also_fails", later));
            }
            reasons
        }
        (Verdict::NeedsInfo, _) => {
            levels.iter().filter(|l| l.status == Check::Unknown).map(|l| about("gate.reason.open", l)).collect()
        }
        _ => std::iter::once(Message::new("gate.reason.all_pass"))
            .chain(levels.iter().map(|l| about("gate.reason.passes", l)))
            .collect(),
    }
}

/// The next step in the decision's language, and as a message.
fn next_step(
    verdict: Verdict,
    first_failing: Option<&LevelReport>,
    nurture: Option<&NurturePlan>,
    levels: &[LevelReport],
    language: Language,
) -> (String, Message) {
    let zh = language == Language::Zh;
    let failing_concept = first_failing.and_then(|r| {
        r.findings
            .iter()
            .find(|f| f.blocking && matches!(f.outcome, Outcome::Fail | Outcome::Nurture))
            .and_then(|f| f.concept.clone())
    });
    let contradicted =
        levels.iter().flat_map(|l| &l.findings).any(|f| f.blocking && f.status == Some(CriterionStatus::Contradicted));
    let message = match (verdict, first_failing.map(|r| r.level)) {
        (Verdict::Qualified, _) => Message::new("gate.next.qualified"),
        (Verdict::Nurture, _) => Message::new("gate.next.nurture")
            .with("track", nurture.map_or("not_now", |n| n.track.as_str()))
            .with("date", nurture.map(|n| n.re_engage_on.to_string()).unwrap_or_default()),
        (Verdict::Disqualified, Some(Level::Stakeholder)) if failing_concept.as_deref() == Some("authority") => {
            Message::new("gate.next.find_decision_maker")
        }
        (Verdict::Disqualified, Some(Level::Organization)) => Message::new("gate.next.outside_icp"),
        (Verdict::Disqualified, Some(Level::Opportunity)) => Message::new("gate.next.no_problem"),
        (Verdict::Disqualified, _) => Message::new("gate.next.cannot_commit"),
        (Verdict::NeedsInfo, _) if contradicted => Message::new("gate.next.contradicted"),
        (Verdict::NeedsInfo, _) => Message::new("gate.next.ask"),
    };
    let text = if zh { next_step_zh(&message) } else { message.english() };
    (text, message)
}

/// The next step in Chinese, for a decision made in the lead's language.
fn next_step_zh(message: &Message) -> String {
    match message.code.as_str() {
        "gate.next.qualified" => "转为销售合格线索（SQL）并进入销售管道：与对方约定下一次会议的具体时间。".into(),
        "gate.next.nurture" => format!(
            "转入培育流程（{}）：持续提供有价值的内容，并在 {} 重新联系。",
            message.text("track").unwrap_or_default(),
            message.text("date").unwrap_or_default()
        ),
        "gate.next.find_decision_maker" => {
            "这位联系人无法做出或推动决定：请找到另一位联系人（真正的决策者），并与其重新进行资格审查。".into()
        }
        "gate.next.outside_icp" => "该客户不符合理想客户画像：移出当前漏斗；若公司情况变化可再评估。".into(),
        "gate.next.no_problem" => "没有我们能解决的业务痛点：礼貌结束，不要继续追问预算或决策权。".into(),
        "gate.next.contradicted" => {
            "部分回答前后矛盾：先问清楚谁真正了解情况，再与那位联系人核实，然后再提下面的问题。".into()
        }
        "gate.next.ask" => "信息还不够：在下一次通话中提出下面的问题。".into(),
        _ => "在当前联系人层面无法推进：记录原因后移出漏斗，或寻找组织内的其他人。".into(),
    }
}

fn icp_question(rule: &str, lead: &Lead, language: Language) -> Option<String> {
    let company = lead.company.name.clone().unwrap_or_else(|| match language {
        Language::Zh => "贵公司".into(),
        Language::En => "your company".into(),
    });
    let rule = match rule {
        "territory" => IcpRule::Territory,
        "industry" => IcpRule::Industry,
        "employees" => IcpRule::Employees,
        "annual_revenue" => IcpRule::AnnualRevenue,
        "persona" => IcpRule::Persona,
        "excluded_domain" => IcpRule::ExcludedDomain,
        _ => return None,
    };
    Some(match (rule, language) {
        (IcpRule::Territory, Language::En) => {
            format!("Where is {company} based, and where are the teams who would use this?")
        }
        (IcpRule::Territory, Language::Zh) => format!("{company}总部在哪里？会用到这个产品的团队分布在哪些地区？"),
        (IcpRule::Industry, Language::En) => format!("How would you describe the market {company} serves?"),
        (IcpRule::Industry, Language::Zh) => format!("你会怎样描述{company}所服务的市场？"),
        (IcpRule::Employees, Language::En) => {
            format!("How many people work at {company} today, and how is that changing?")
        }
        (IcpRule::Employees, Language::Zh) => format!("{company}现在有多少员工？规模在怎样变化？"),
        (IcpRule::AnnualRevenue, Language::En) => {
            format!("What size of business is {company} in terms of annual revenue?")
        }
        (IcpRule::AnnualRevenue, Language::Zh) => format!("按年收入来看，{company}的业务规模大概是多少？"),
        (IcpRule::Persona, Language::En) => "What is your role, and what are you responsible for day to day?".into(),
        (IcpRule::Persona, Language::Zh) => "你目前的职位是什么？日常主要负责哪些工作？".into(),
        (IcpRule::ExcludedDomain, Language::En) => format!("What is {company}'s website?"),
        (IcpRule::ExcludedDomain, Language::Zh) => format!("{company}的官网网址是什么？"),
    })
}

fn next_questions(input: &GateInput<'_>, levels: &[LevelReport], language: Language) -> Vec<NextQuestion> {
    let mut open: Vec<(&LevelReport, &Finding)> = levels
        .iter()
        .flat_map(|l| l.findings.iter().map(move |f| (l, f)))
        .filter(|(_, f)| f.outcome == Outcome::Unknown)
        .collect();
    // Deciding findings first, then by level, then by weight (heaviest first).
    open.sort_by(|(la, fa), (lb, fb)| {
        fb.blocking
            .cmp(&fa.blocking)
            .then(la.level.cmp(&lb.level))
            .then(fb.weight.unwrap_or(f64::MAX).total_cmp(&fa.weight.unwrap_or(f64::MAX)))
    });
    open.into_iter()
        .filter_map(|(level, f)| {
            let (topic, question) = match f.source {
                FindingSource::Icp => (format!("icp.{}", f.id), icp_question(&f.id, input.lead, language)?),
                FindingSource::Criterion => {
                    let criterion = input.framework.criterion(&f.id)?;
                    let questions = criterion.questions.get(language);
                    // For a half-answered criterion, move on to the next question.
                    let index = if f.status == Some(CriterionStatus::Partial) { 1 } else { 0 };
                    (f.id.clone(), questions.get(index).or(questions.first())?.clone())
                }
            };
            Some(NextQuestion {
                level: level.level,
                topic,
                question,
                why: f.reason.clone(),
                why_message: f.reason_message.clone(),
            })
        })
        .take(input.policy.max_questions)
        .collect()
}

/// Carries answers recorded under one framework to another through the concept map.
///
/// Each criterion of `to` takes the answers of the criteria of `from` that name the same
/// concept. When several do, they are merged: a confirmed and a negative answer together
/// are `contradicted`; otherwise the most telling status wins (contradicted, negative,
/// confirmed, partial, unknown). Every carried answer says where it came from.
pub fn carry_answers(
    from: &Framework,
    answers: &BTreeMap<String, CriterionAnswer>,
    to: &Framework,
) -> BTreeMap<String, CriterionAnswer> {
    if from.id == to.id {
        return answers.clone();
    }
    let rank = |s: CriterionStatus| match s {
        CriterionStatus::Contradicted => 4,
        CriterionStatus::Negative => 3,
        CriterionStatus::Confirmed => 2,
        CriterionStatus::Partial => 1,
        CriterionStatus::Unknown => 0,
    };
    let mut carried = BTreeMap::new();
    for target in &to.criteria {
        let sources: Vec<(&Criterion, &CriterionAnswer)> = from
            .criteria
            .iter()
            .filter(|c| c.concept == target.concept)
            .filter_map(|c| answers.get(&c.id).map(|a| (c, a)))
            .collect();
        let Some(&(_, best)) = sources.iter().max_by_key(|(_, a)| rank(a.status)) else {
            continue;
        };
        let has = |s| sources.iter().any(|(_, a)| a.status == s);
        let mut answer = best.clone();
        if has(CriterionStatus::Confirmed) && has(CriterionStatus::Negative) {
            answer.status = CriterionStatus::Contradicted;
        }
        answer.carried_from =
            Some(sources.iter().map(|(c, _)| format!("{}.{}", from.id, c.id)).collect::<Vec<_>>().join("+"));
        if answer.date.is_none() {
            answer.date = sources.iter().find_map(|(_, a)| a.date);
        }
        carried.insert(target.id.clone(), answer);
    }
    carried
}
