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
}

impl CriterionAnswer {
    pub fn new(status: CriterionStatus) -> Self {
        CriterionAnswer { status, note: None, date: None, carried_from: None }
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
}

/// One level's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelReport {
    pub level: Level,
    pub status: Check,
    pub reason: String,
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
}

/// A question worth asking next, in the lead's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextQuestion {
    pub level: Level,
    /// The criterion id, or `icp.<rule>` for a missing profile fact.
    pub topic: String,
    pub question: String,
    pub why: String,
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
    pub next_step: String,
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
    let reasons = decision_reasons(verdict, &levels, first_failing);
    let next_step = next_step(verdict, first_failing, nurture.as_ref(), &levels, language);
    let next_questions =
        if verdict == Verdict::Disqualified { Vec::new() } else { next_questions(input, &levels, language) };

    Decision {
        verdict,
        failed_level,
        framework: input.framework.id.clone(),
        as_of: input.as_of,
        language,
        reasons,
        next_step,
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
            None => findings.push(Finding {
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
                reason: "no ideal-customer profile given: organization fit was not checked".into(),
            }),
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
    let (status, reason) = if !fails.is_empty() {
        (Check::Fail, fails.iter().map(|f| f.reason.as_str()).collect::<Vec<_>>().join("; "))
    } else if !unknowns.is_empty() {
        let ids = unknowns.iter().map(|f| format!("`{}`", f.id)).collect::<Vec<_>>().join(", ");
        (Check::Unknown, format!("not yet established: {ids}"))
    } else {
        let passed = findings.iter().filter(|f| f.outcome == Outcome::Pass && f.blocking).count();
        let reason = if passed == 0 && criteria.is_empty() && level != Level::Organization {
            format!("the {} framework sets no criteria at this level", input.framework.name)
        } else if passed == 0 && findings.iter().all(|f| !f.blocking) && level == Level::Organization {
            findings.first().map(|f| f.reason.clone()).unwrap_or_default()
        } else {
            format!("{passed} of {passed} deciding checks pass")
        };
        (Check::Pass, reason)
    };
    LevelReport { level, status, reason, coverage, findings }
}

fn icp_finding(check: IcpCheck) -> Finding {
    // An exclusion rule can fail a lead, but it cannot be required of it: when the fact it
    // needs is missing, the gap is noted and asked about, and does not hold the lead.
    let exclusion_unknown = check.rule == IcpRule::ExcludedDomain && check.outcome == Check::Unknown;
    let reason = if exclusion_unknown {
        format!(
            "{}; an exclusion rule can fail a lead but cannot be required of it, so this does not hold the lead",
            check.reason
        )
    } else {
        check.reason
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
        reason,
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
    let name = &criterion.name.en;
    let horizon_end = input.as_of.checked_add_days(Days::new(input.policy.nurture_horizon_days));

    let (outcome, reason) = match answer.status {
        CriterionStatus::Confirmed => match answer.date {
            Some(date) if dated && horizon_end.is_some_and(|end| date > end) => (
                Outcome::Nurture,
                format!(
                    "{name}: planned for {date}, beyond the {}-day horizon (until {})",
                    input.policy.nurture_horizon_days,
                    horizon_end.map(|d| d.to_string()).unwrap_or_default()
                ),
            ),
            Some(date) if dated && date < input.as_of => (
                Outcome::Unknown,
                format!("{name}: the recorded date {date} has already passed; confirm the current timeline"),
            ),
            Some(date) if dated => (Outcome::Pass, format!("{name}: confirmed, planned for {date}")),
            _ => (Outcome::Pass, format!("{name}: confirmed")),
        },
        CriterionStatus::Partial => (Outcome::Unknown, format!("{name}: only partly established")),
        CriterionStatus::Unknown => (Outcome::Unknown, format!("{name}: not established yet")),
        CriterionStatus::Negative => match on_negative {
            OnNegative::Disqualify => (Outcome::Fail, format!("{name}: clearly lacking")),
            OnNegative::Nurture => (Outcome::Nurture, format!("{name}: not there now")),
        },
        CriterionStatus::Contradicted => (
            Outcome::Unknown,
            format!(
                "{name}: answers contradict each other, so it is not treated as confirmed; check with someone who knows"
            ),
        ),
    };
    let reason = match &answer.note {
        Some(note) if !note.trim().is_empty() => format!("{reason} (\"{}\")", note.trim()),
        _ => reason,
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
        reason,
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
            Some(NurturePlan { track, criterion: f.id.clone(), reason: f.reason.clone(), re_engage_on })
        })
        .max_by_key(|p| p.re_engage_on)
}

fn decision_reasons(verdict: Verdict, levels: &[LevelReport], first_failing: Option<&LevelReport>) -> Vec<String> {
    match (verdict, first_failing) {
        (Verdict::Disqualified | Verdict::Nurture, Some(report)) => {
            let mut reasons = vec![format!("{} level fails: {}", report.level, report.reason)];
            // Later levels are reported too, so the rep sees the whole picture, but the
            // verdict comes from the first failing level.
            for later in levels.iter().filter(|l| l.level > report.level && l.status == Check::Fail) {
                reasons.push(format!("also at {} level: {}", later.level, later.reason));
            }
            reasons
        }
        (Verdict::NeedsInfo, _) => levels
            .iter()
            .filter(|l| l.status == Check::Unknown)
            .map(|l| format!("{} level open: {}", l.level, l.reason))
            .collect(),
        _ => std::iter::once("all three levels pass".to_owned())
            .chain(levels.iter().map(|l| format!("{} level passes: {}", l.level, l.reason)))
            .collect(),
    }
}

fn next_step(
    verdict: Verdict,
    first_failing: Option<&LevelReport>,
    nurture: Option<&NurturePlan>,
    levels: &[LevelReport],
    language: Language,
) -> String {
    let zh = language == Language::Zh;
    let failing_concept = first_failing.and_then(|r| {
        r.findings
            .iter()
            .find(|f| f.blocking && matches!(f.outcome, Outcome::Fail | Outcome::Nurture))
            .and_then(|f| f.concept.clone())
    });
    let contradicted =
        levels.iter().flat_map(|l| &l.findings).any(|f| f.blocking && f.status == Some(CriterionStatus::Contradicted));
    match (verdict, first_failing.map(|r| r.level)) {
        (Verdict::Qualified, _) if zh => "转为销售合格线索（SQL）并进入销售管道：与对方约定下一次会议的具体时间。".into(),
        (Verdict::Qualified, _) => {
            "Advance to SQL and into the pipeline: agree a date for the next meeting before you hang up.".into()
        }
        (Verdict::Nurture, _) => {
            let date = nurture.map(|n| n.re_engage_on.to_string()).unwrap_or_default();
            let track = nurture.map(|n| n.track.as_str()).unwrap_or("not_now");
            if zh {
                format!("转入培育流程（{track}）：持续提供有价值的内容，并在 {date} 重新联系。")
            } else {
                format!("Move to the `{track}` nurture track: keep sending useful material and re-engage on {date}.")
            }
        }
        (Verdict::Disqualified, Some(Level::Stakeholder)) if failing_concept.as_deref() == Some("authority") => {
            if zh {
                "这位联系人无法做出或推动决定：请找到另一位联系人（真正的决策者），并与其重新进行资格审查。".into()
            } else {
                "This contact cannot make or drive the decision: find another contact (the real decision maker) and re-qualify with them.".into()
            }
        }
        (Verdict::Disqualified, Some(Level::Organization)) if zh => {
            "该客户不符合理想客户画像：移出当前漏斗；若公司情况变化可再评估。".into()
        }
        (Verdict::Disqualified, Some(Level::Organization)) => {
            "The account does not fit the ideal-customer profile: take it out of the active funnel; revisit only if the company changes.".into()
        }
        (Verdict::Disqualified, Some(Level::Opportunity)) if zh => {
            "没有我们能解决的业务痛点：礼貌结束，不要继续追问预算或决策权。".into()
        }
        (Verdict::Disqualified, Some(Level::Opportunity)) => {
            "There is no business problem here that we solve: close politely and do not go on to budget or authority.".into()
        }
        (Verdict::Disqualified, _) if zh => "在当前联系人层面无法推进：记录原因后移出漏斗，或寻找组织内的其他人。".into(),
        (Verdict::Disqualified, _) => {
            "The deal cannot move forward with what this contact can commit to: record why and close, or reach other people in the organization.".into()
        }
        (Verdict::NeedsInfo, _) if contradicted && zh => {
            "部分回答前后矛盾：先问清楚谁真正了解情况，再与那位联系人核实，然后再提下面的问题。".into()
        }
        (Verdict::NeedsInfo, _) if contradicted => {
            "Some answers contradict each other: find out who really knows, confirm with that person, then ask the questions below.".into()
        }
        (Verdict::NeedsInfo, _) if zh => "信息还不够：在下一次通话中提出下面的问题。".into(),
        (Verdict::NeedsInfo, _) => "Not enough is known yet: ask the questions below on the next call.".into(),
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
            Some(NextQuestion { level: level.level, topic, question, why: f.reason.clone() })
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
