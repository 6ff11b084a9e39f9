//! Playbooks: each segment of leads qualified its own way.
//!
//! A playbook names a segment (industry, country, company size, revenue, lead source, lead
//! type or stage; every condition optional), the framework its leads are judged under, the
//! ideal-customer profile that judges their organization level (the configuration's own, one
//! defined in the same file, or one written inline), optional lead-type rules, and a pool of
//! owners with a way of sharing leads out (round robin, or by territory).
//!
//! A playbooks file lists playbooks in order; a lead goes to the **first** playbook whose
//! segment it fits, and the routing says which conditions decided it, or why none fitted.
//! A missing fact never fits a condition that asks about it: a lead of unknown size does not
//! land in the enterprise playbook by accident.
//!
//! ```toml
//! [[playbooks]]
//! id = "enterprise"
//! framework = "meddic"
//! icp = "strict"                      # `[icps.strict]` below, or an inline table
//! owners = ["maria", "tomas"]
//! assignment = "territory"            # round_robin (default) or territory
//! territories = { DE = "maria", FR = "tomas" }
//!
//! [playbooks.segment]
//! employees = { min = 1000 }
//!
//! [playbooks.examples]                # leads that must and must not fit, checked on load
//! matches = [ { employees = 5000, country = "DE" } ]
//! rejects = [ { employees = 40 } ]
//!
//! [icps.strict]
//! territories = ["DE", "FR"]
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::classify::LeadTypeRules;
use crate::diag::{Diagnostic, Diagnostics, Location, TomlReader};
use crate::framework::{Registry, valid_id};
use crate::icp::{
    Bounds, BoundsSyntax, Check, Icp, human_number, industry_matches, normalize_label, read_bounds, read_icp,
};
use crate::lead::{CountryCode, Lead};
use crate::lifecycle::Stage;

/// The built-in example playbooks, embedded: (file name, text). Each is a complete
/// playbooks file to copy and adapt; none is active until a user configures playbooks.
pub const BUILTIN_PLAYBOOKS: &[(&str, &str)] = &[
    ("smb-self-serve.toml", include_str!("../playbooks/smb-self-serve.toml")),
    ("enterprise.toml", include_str!("../playbooks/enterprise.toml")),
];

/// Which leads a playbook takes. Every condition is optional; a segment with none takes
/// every lead.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Segment {
    /// Industry labels, normalised (`IT & Services` -> `it and services`); a lead's industry
    /// fits when it equals one or contains it as whole words (`software` fits
    /// `computer software`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub industries: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub countries: Option<Vec<CountryCode>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employees: Option<Bounds>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annual_revenue: Option<Bounds>,
    /// Lead sources, compared without regard to case or surrounding spaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<String>>,
    /// Lead types or lifecycle stages (`mql`, `pql`, `cql`, `sql`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stages: Option<Vec<Stage>>,
}

/// The conditions a segment can set, in the order they are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    Industry,
    Country,
    Employees,
    AnnualRevenue,
    Source,
    Stage,
}

impl Condition {
    pub fn name(self) -> &'static str {
        match self {
            Condition::Industry => "industry",
            Condition::Country => "country",
            Condition::Employees => "employees",
            Condition::AnnualRevenue => "annual_revenue",
            Condition::Source => "source",
            Condition::Stage => "stage",
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One condition of a segment checked against one lead: pass, fail, or unknown when the lead
/// lacks the fact (which does not fit either).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionCheck {
    pub condition: Condition,
    pub outcome: Check,
    pub reason: String,
}

fn condition(condition: Condition, outcome: Check, reason: String) -> ConditionCheck {
    ConditionCheck { condition, outcome, reason }
}

impl Segment {
    /// True when the segment sets no condition, so it takes every lead.
    pub fn is_catch_all(&self) -> bool {
        self.industries.is_none()
            && self.countries.is_none()
            && self.employees.is_none()
            && self.annual_revenue.is_none()
            && self.sources.is_none()
            && self.stages.is_none()
    }

    /// Checks every condition the segment sets, in a fixed order.
    pub fn check(&self, lead: &Lead) -> Vec<ConditionCheck> {
        let mut checks = Vec::new();
        if let Some(industries) = &self.industries {
            checks.push(match lead.company.industry.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => condition(Condition::Industry, Check::Unknown, "the company's industry is not known".into()),
                Some(industry) => {
                    let label = normalize_label(industry);
                    match industries.iter().find(|target| industry_matches(target, &label)) {
                        Some(t) => {
                            condition(Condition::Industry, Check::Pass, format!("industry `{industry}` matches `{t}`"))
                        }
                        None => condition(
                            Condition::Industry,
                            Check::Fail,
                            format!("industry `{industry}` is not one of: {}", industries.join(", ")),
                        ),
                    }
                }
            });
        }
        if let Some(countries) = &self.countries {
            let list = countries.iter().map(CountryCode::as_str).collect::<Vec<_>>().join(", ");
            checks.push(match lead.company.country {
                None => condition(Condition::Country, Check::Unknown, "the company's country is not known".into()),
                Some(c) if countries.contains(&c) => {
                    condition(Condition::Country, Check::Pass, format!("country `{c}` is one of: {list}"))
                }
                Some(c) => condition(Condition::Country, Check::Fail, format!("country `{c}` is not one of: {list}")),
            });
        }
        if let Some(bounds) = &self.employees {
            checks.push(check_bounds(
                Condition::Employees,
                "employees",
                bounds,
                lead.company.employees.map(|e| e as f64),
            ));
        }
        if let Some(bounds) = &self.annual_revenue {
            checks.push(check_bounds(Condition::AnnualRevenue, "annual revenue", bounds, lead.company.annual_revenue));
        }
        if let Some(sources) = &self.sources {
            checks.push(match lead.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => condition(Condition::Source, Check::Unknown, "the lead's source is not known".into()),
                Some(source) if sources.iter().any(|s| s.trim().eq_ignore_ascii_case(source)) => condition(
                    Condition::Source,
                    Check::Pass,
                    format!("source `{source}` is one of: {}", sources.join(", ")),
                ),
                Some(source) => condition(
                    Condition::Source,
                    Check::Fail,
                    format!("source `{source}` is not one of: {}", sources.join(", ")),
                ),
            });
        }
        if let Some(stages) = &self.stages {
            let list = stages.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ");
            let stage = lead.stage;
            checks.push(if stages.contains(&stage) {
                condition(Condition::Stage, Check::Pass, format!("stage `{stage}` is one of: {list}"))
            } else {
                condition(Condition::Stage, Check::Fail, format!("stage `{stage}` is not one of: {list}"))
            });
        }
        checks
    }

    /// True when every condition the segment sets passes.
    pub fn fits(&self, lead: &Lead) -> bool {
        self.check(lead).iter().all(|c| c.outcome == Check::Pass)
    }
}

fn check_bounds(which: Condition, what: &str, bounds: &Bounds, value: Option<f64>) -> ConditionCheck {
    match value {
        None => condition(which, Check::Unknown, format!("the company's {what} is not known")),
        Some(v) if bounds.contains(v) => condition(
            which,
            Check::Pass,
            format!("{what} {} is within the range ({})", human_number(v), bounds.describe()),
        ),
        Some(v) => condition(
            which,
            Check::Fail,
            format!("{what} {} is outside the range ({})", human_number(v), bounds.describe()),
        ),
    }
}

/// The ideal-customer profile a playbook's leads are judged by at organization level.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum PlaybookIcp {
    /// No `icp` key: the configuration's own profile (or none, when there is none).
    Configured,
    /// `icp = "NAME"`: the profile defined as `[icps.NAME]` in the same file.
    Named { name: String, icp: Icp },
    /// `icp = { ... }`: a profile written inside the playbook.
    Inline { icp: Icp },
}

impl PlaybookIcp {
    /// The playbook's own profile, if it has one.
    pub fn own(&self) -> Option<&Icp> {
        match self {
            PlaybookIcp::Configured => None,
            PlaybookIcp::Named { icp, .. } | PlaybookIcp::Inline { icp } => Some(icp),
        }
    }

    /// Which profile this is, in words.
    pub fn describe(&self, playbook: &str) -> String {
        match self {
            PlaybookIcp::Configured => "the configuration's ICP".to_owned(),
            PlaybookIcp::Named { name, .. } => format!("ICP `{name}` of playbook `{playbook}`"),
            PlaybookIcp::Inline { .. } => format!("the inline ICP of playbook `{playbook}`"),
        }
    }
}

/// How a playbook shares its leads among its owners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "strategy", rename_all = "snake_case")]
pub enum Assignment {
    /// Each new lead goes to the next owner in the pool, in turn.
    RoundRobin,
    /// The owner named for the lead's country; a lead from elsewhere (or of unknown
    /// country) goes to the next owner in turn.
    Territory { territories: BTreeMap<CountryCode, String> },
}

impl Assignment {
    pub fn name(&self) -> &'static str {
        match self {
            Assignment::RoundRobin => "round_robin",
            Assignment::Territory { .. } => "territory",
        }
    }
}

/// Who should own a lead of a playbook, before the pool's turn is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum OwnerPlan {
    /// The territory map names the owner.
    Territory { owner: String, reason: String },
    /// The next owner in turn, from this pool.
    Turn { pool: Vec<String>, reason: String },
}

/// The owner at a turn of a pool (turns count up from 0 and wrap around the pool).
pub fn owner_at_turn(pool: &[String], turn: u64) -> Option<&str> {
    if pool.is_empty() {
        return None;
    }
    let index = usize::try_from(turn % pool.len() as u64).unwrap_or(0);
    pool.get(index).map(String::as_str)
}

/// Example leads a playbook's segment must and must not take, checked when the file loads.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Examples {
    pub matches: Vec<ExampleLead>,
    pub rejects: Vec<ExampleLead>,
}

/// The facts of an example lead (the ones a segment looks at).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleLead {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employees: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_revenue: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// Why the example is there, for the reader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ExampleLead {
    pub fn to_lead(&self) -> Lead {
        let mut lead = Lead { source: self.source.clone(), stage: self.stage.unwrap_or_default(), ..Lead::default() };
        lead.company.industry = self.industry.clone();
        lead.company.country = self.country;
        lead.company.employees = self.employees;
        lead.company.annual_revenue = self.annual_revenue;
        lead
    }
}

/// One segment with how its leads are qualified and who works them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Playbook {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub segment: Segment,
    /// The framework id its leads are qualified under.
    pub framework: String,
    pub icp: PlaybookIcp,
    /// Its own lead-type rules; `None`: the configuration's rules (the built-in ones unless
    /// changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_types: Option<LeadTypeRules>,
    /// User names, in turn order.
    pub owners: Vec<String>,
    pub assignment: Assignment,
    pub examples: Examples,
}

impl Playbook {
    /// Who should own `lead`: the territory's owner, or the next owner in turn.
    pub fn owner_plan(&self, lead: &Lead) -> OwnerPlan {
        let Assignment::Territory { territories } = &self.assignment else {
            return OwnerPlan::Turn {
                pool: self.owners.clone(),
                reason: format!("round robin over the {} owner(s) of `{}`", self.owners.len(), self.id),
            };
        };
        match lead.company.country {
            Some(c) => match territories.get(&c) {
                Some(owner) => OwnerPlan::Territory {
                    owner: owner.clone(),
                    reason: format!("`{c}` is the territory of `{owner}` in `{}`", self.id),
                },
                None => OwnerPlan::Turn {
                    pool: self.owners.clone(),
                    reason: format!("`{c}` is in no territory of `{}`, so the next owner in turn takes it", self.id),
                },
            },
            None => OwnerPlan::Turn {
                pool: self.owners.clone(),
                reason: "the lead's country is not known, so the next owner in turn takes it".to_owned(),
            },
        }
    }
}

/// A playbook tried while routing one lead, with how each of its conditions came out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Considered {
    pub playbook: String,
    pub fits: bool,
    pub conditions: Vec<ConditionCheck>,
}

/// Where a lead goes and why: the first playbook whose segment fits, or none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Routing {
    pub playbook: Option<String>,
    pub explanation: String,
    /// Every playbook tried, in order, up to the one chosen.
    pub considered: Vec<Considered>,
}

/// Which playbook a decision was made under and what it changed (stored in the decision).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybookUse {
    pub id: String,
    /// How the lead got the playbook: stored on the lead, or routed for this decision.
    pub chosen: String,
    /// The framework the playbook set, when it was used (a framework named in the request
    /// wins over the playbook's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework: Option<String>,
    /// The profile that judged the organization level.
    pub icp: String,
}

/// An ordered list of playbooks, as read from one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Playbooks {
    pub playbooks: Vec<Playbook>,
    /// The file (or stored document) they were read from.
    pub source: String,
}

impl Playbooks {
    pub fn get(&self, id: &str) -> Option<&Playbook> {
        self.playbooks.iter().find(|p| p.id == id)
    }

    pub fn ids(&self) -> Vec<&str> {
        self.playbooks.iter().map(|p| p.id.as_str()).collect()
    }

    /// Playbooks that qualify under `framework`.
    pub fn using_framework(&self, framework: &str) -> Vec<&str> {
        self.playbooks.iter().filter(|p| p.framework == framework).map(|p| p.id.as_str()).collect()
    }

    /// Routes a lead to the first playbook whose segment it fits.
    pub fn route(&self, lead: &Lead) -> Routing {
        let mut considered = Vec::new();
        for playbook in &self.playbooks {
            let conditions = playbook.segment.check(lead);
            let fits = conditions.iter().all(|c| c.outcome == Check::Pass);
            if fits {
                let why = if conditions.is_empty() {
                    "its segment sets no condition, so it takes every lead".to_owned()
                } else {
                    conditions.iter().map(|c| c.reason.as_str()).collect::<Vec<_>>().join("; ")
                };
                let passed_over = misses(&considered);
                considered.push(Considered { playbook: playbook.id.clone(), fits, conditions });
                let before =
                    if passed_over.is_empty() { String::new() } else { format!(" (passed over: {passed_over})") };
                return Routing {
                    playbook: Some(playbook.id.clone()),
                    explanation: if playbook.name == playbook.id {
                        format!("playbook `{}`: {why}{before}", playbook.id)
                    } else {
                        format!("playbook `{}` ({}): {why}{before}", playbook.id, playbook.name)
                    },
                    considered,
                };
            }
            considered.push(Considered { playbook: playbook.id.clone(), fits, conditions });
        }
        let explanation = if considered.is_empty() {
            "no playbook is configured".to_owned()
        } else {
            format!("no playbook fits: {}", misses(&considered))
        };
        Routing { playbook: None, explanation, considered }
    }
}

/// `id`: the conditions that did not pass, for each playbook passed over.
fn misses(considered: &[Considered]) -> String {
    considered
        .iter()
        .map(|c| {
            let failed: Vec<&str> =
                c.conditions.iter().filter(|k| k.outcome != Check::Pass).map(|k| k.reason.as_str()).collect();
            format!("`{}`: {}", c.playbook, failed.join("; "))
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// What a playbooks file is checked against.
#[derive(Debug, Clone, Copy)]
pub struct PlaybookContext<'a> {
    /// The frameworks a playbook may name.
    pub registry: &'a Registry,
    /// When known, the user names owners must be among (enabled users); `None` skips that
    /// check (a file checked without a database).
    pub users: Option<&'a BTreeSet<String>>,
}

/// Playbooks read from a file, with the warnings found in it (unreachable playbooks, unused
/// ICPs). Warnings do not stop the playbooks from being used.
#[derive(Debug, Clone)]
pub struct LoadedPlaybooks {
    pub playbooks: Playbooks,
    pub warnings: Diagnostics,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderSyntax {
    id: Spanned<String>,
    name: Option<String>,
    description: Option<String>,
    framework: Spanned<String>,
    owners: Spanned<Vec<Spanned<String>>>,
    assignment: Option<Spanned<AssignmentKind>>,
    territories: Option<Spanned<BTreeMap<Spanned<String>, Spanned<String>>>>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum AssignmentKind {
    RoundRobin,
    Territory,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SegmentSyntax {
    industries: Option<Spanned<Vec<String>>>,
    countries: Option<Spanned<Vec<Spanned<String>>>>,
    employees: Option<BoundsSyntax>,
    annual_revenue: Option<BoundsSyntax>,
    sources: Option<Spanned<Vec<String>>>,
    stages: Option<Spanned<Vec<Stage>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExamplesSyntax {
    #[serde(default)]
    matches: Vec<Spanned<ExampleLead>>,
    #[serde(default)]
    rejects: Vec<Spanned<ExampleLead>>,
}

/// The parts of one `[[playbooks]]` table read so far.
struct Parts<'t> {
    span: std::ops::Range<usize>,
    header: DeTable<'t>,
    segment: Option<Spanned<DeValue<'t>>>,
    examples: Option<Spanned<DeValue<'t>>>,
    icp: Option<Spanned<DeValue<'t>>>,
    lead_types: Option<Spanned<DeValue<'t>>>,
}

/// Reads and checks a playbooks file, reporting every problem at once with its location:
/// unknown keys, unknown frameworks or ICPs, empty owner pools, bad ranges and countries,
/// territories naming someone outside the pool, owners who are not users (when `users` is
/// known), and examples that the segment does not take (or takes when it must not).
pub fn parse_playbooks(source: &str, text: &str, context: PlaybookContext<'_>) -> Result<LoadedPlaybooks, Diagnostics> {
    let mut reader = TomlReader::new(source, text);
    let Some(doc) = reader.parse() else {
        return Err(reader.problems);
    };
    let doc_span = doc.span();
    let mut playbooks_value = None;
    let mut icps_value = None;
    for (key, value) in doc.into_inner() {
        match key.get_ref().as_ref() {
            "playbooks" => playbooks_value = Some(value),
            "icps" => icps_value = Some(value),
            other => reader.report(
                Some(key.span()),
                format!("unknown key `{other}`; a playbooks file holds `[[playbooks]]` and `[icps.NAME]` tables"),
            ),
        }
    }
    let mut warnings = Vec::new();

    // Named profiles, each read on its own so one bad profile does not hide the others.
    let mut icps: BTreeMap<String, (Option<Icp>, std::ops::Range<usize>)> = BTreeMap::new();
    if let Some(value) = icps_value {
        let span = value.span();
        match value.into_inner() {
            DeValue::Table(table) => {
                for (name, value) in table {
                    let span = name.span();
                    let name = name.into_inner().into_owned();
                    let icp = read_icp(&mut reader, value, &format!("icp `{name}`"));
                    icps.insert(name, (icp, span));
                }
            }
            _ => reader.report(Some(span), "`icps` must be a table of named profiles (`[icps.NAME]`)"),
        }
    }

    let mut items = Vec::new();
    match playbooks_value {
        None => reader.report(
            Some(doc_span.start..doc_span.start),
            "no `[[playbooks]]`: a playbooks file needs at least one playbook",
        ),
        Some(value) => {
            let span = value.span();
            match value.into_inner() {
                DeValue::Array(list) if !list.is_empty() => {
                    for item in list {
                        let span = item.span();
                        match item.into_inner() {
                            DeValue::Table(table) => items.push(split_playbook(table, span)),
                            _ => reader.report(Some(span), "each playbook must be a table (`[[playbooks]]`)"),
                        }
                    }
                }
                _ => reader.report(Some(span), "`playbooks` must be a non-empty array of tables (`[[playbooks]]`)"),
            }
        }
    }

    let mut used_icps = BTreeSet::new();
    let mut seen_ids = BTreeSet::new();
    let mut playbooks = Vec::new();
    for (index, parts) in items.into_iter().enumerate() {
        let mut ok = true;
        let playbook_span = parts.span.clone();
        let header = reader.deserialize::<HeaderSyntax>(
            Spanned::new(parts.span.clone(), DeValue::Table(parts.header)),
            &format!("playbook #{}", index + 1),
        );
        let label = match &header {
            Some(h) => format!("playbook `{}`", h.id.get_ref()),
            None => format!("playbook #{}", index + 1),
        };
        let segment = match parts.segment {
            None => Some(Segment::default()),
            Some(value) => read_segment(&mut reader, value, &label),
        };
        let icp = match parts.icp {
            None => Some(PlaybookIcp::Configured),
            Some(value) => {
                let span = value.span();
                match value.get_ref() {
                    DeValue::String(name) => {
                        let name = name.to_string();
                        used_icps.insert(name.clone());
                        match icps.get(&name) {
                            Some((Some(icp), _)) => Some(PlaybookIcp::Named { name, icp: icp.clone() }),
                            // Reported where it is defined.
                            Some((None, _)) => None,
                            None => {
                                let known: Vec<&str> = icps.keys().map(String::as_str).collect();
                                let hint = if known.is_empty() {
                                    "define it as `[icps.NAME]` in this file, or write the profile inline".to_owned()
                                } else {
                                    format!("defined here: {}", known.join(", "))
                                };
                                reader.report(Some(span), format!("{label}: unknown ICP `{name}`; {hint}"));
                                None
                            }
                        }
                    }
                    DeValue::Table(_) => {
                        read_icp(&mut reader, value, &format!("{label}: icp")).map(|icp| PlaybookIcp::Inline { icp })
                    }
                    _ => {
                        reader.report(
                            Some(span),
                            format!("{label}: `icp` is the name of an `[icps.NAME]` profile or an inline table"),
                        );
                        None
                    }
                }
            }
        };
        let lead_types = match parts.lead_types {
            None => Some(None),
            Some(value) => {
                let span = value.span();
                match reader.deserialize::<LeadTypeRules>(value, &format!("{label}: lead_types")) {
                    Some(rules) => {
                        let problems = rules.problems();
                        for problem in &problems {
                            reader.report(Some(span.clone()), format!("{label}: lead_types: {problem}"));
                        }
                        problems.is_empty().then_some(Some(rules))
                    }
                    None => None,
                }
            }
        };
        let examples = match parts.examples {
            None => Some(None),
            Some(value) => reader.deserialize::<ExamplesSyntax>(value, &format!("{label}: examples")).map(Some),
        };

        let Some(h) = header else { continue };
        let id = h.id.get_ref().clone();
        if !valid_id(&id) {
            reader.report(
                Some(h.id.span()),
                format!("playbook id `{id}` must be lower case letters, digits, `-` or `_`"),
            );
            ok = false;
        }
        if !seen_ids.insert(id.clone()) {
            reader.report(Some(h.id.span()), format!("playbook `{id}` is defined twice"));
            ok = false;
        }
        if context.registry.get(h.framework.get_ref()).is_none() {
            reader.report(
                Some(h.framework.span()),
                format!(
                    "{label}: unknown framework `{}`; known frameworks: {}",
                    h.framework.get_ref(),
                    context.registry.ids().join(", ")
                ),
            );
            ok = false;
        }
        let (owners, owners_ok) = check_owners(&mut reader, &label, &h.owners, context.users);
        let assignment = check_assignment(&mut reader, &label, &h, &owners);
        ok &= owners_ok && assignment.is_some();

        let (Some(segment), Some(icp), Some(lead_types), Some(assignment), Some(examples)) =
            (segment, icp, lead_types, assignment, examples)
        else {
            continue;
        };
        let mut examples_read = Examples::default();
        if let Some(syntax) = examples {
            for (expected, list) in [(true, &syntax.matches), (false, &syntax.rejects)] {
                for example in list {
                    let checks = segment.check(&example.get_ref().to_lead());
                    let fits = checks.iter().all(|c| c.outcome == Check::Pass);
                    if fits != expected {
                        let shown: Vec<&str> = checks
                            .iter()
                            .filter(|c| (c.outcome == Check::Pass) != expected)
                            .map(|c| c.reason.as_str())
                            .collect();
                        let why = if shown.is_empty() {
                            "the segment sets no condition, so it takes every lead".to_owned()
                        } else {
                            shown.join("; ")
                        };
                        let message = if expected {
                            format!("{label}: this example must fit the segment but does not: {why}")
                        } else {
                            format!("{label}: this example must not fit the segment but does: {why}")
                        };
                        reader.report(Some(example.span()), message);
                        ok = false;
                    }
                }
            }
            examples_read = Examples {
                matches: syntax.matches.into_iter().map(Spanned::into_inner).collect(),
                rejects: syntax.rejects.into_iter().map(Spanned::into_inner).collect(),
            };
        }
        if !ok {
            continue;
        }
        playbooks.push((
            playbook_span,
            Playbook {
                name: h.name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| id.clone()),
                id,
                description: h.description,
                segment,
                framework: h.framework.into_inner(),
                icp,
                lead_types,
                owners,
                assignment,
                examples: examples_read,
            },
        ));
    }

    if let Some(position) = playbooks.iter().position(|(_, p)| p.segment.is_catch_all())
        && position + 1 < playbooks.len()
    {
        let catch_all = playbooks[position].1.id.clone();
        for (span, later) in &playbooks[position + 1..] {
            warnings.push((
                span.start,
                format!(
                    "playbook `{}` can never be chosen: `{catch_all}` before it sets no condition and takes every lead",
                    later.id
                ),
            ));
        }
    }
    for (name, (_, span)) in &icps {
        if !used_icps.contains(name) {
            warnings.push((span.start, format!("ICP `{name}` is defined but no playbook uses it")));
        }
    }
    let warnings = Diagnostics(
        warnings
            .into_iter()
            .map(|(offset, message)| Diagnostic {
                source: source.to_owned(),
                location: Some(Location::from_offset(text, offset)),
                message: format!("warning: {message}"),
            })
            .collect(),
    );
    let playbooks = Playbooks { playbooks: playbooks.into_iter().map(|(_, p)| p).collect(), source: source.to_owned() };
    reader.finish(Some(playbooks)).map(|playbooks| LoadedPlaybooks { playbooks, warnings })
}

/// Splits a `[[playbooks]]` table into the header and the parts read on their own.
fn split_playbook(table: DeTable<'_>, span: std::ops::Range<usize>) -> Parts<'_> {
    let mut parts = Parts { span, header: DeTable::new(), segment: None, examples: None, icp: None, lead_types: None };
    for (key, value) in table {
        match key.get_ref().as_ref() {
            "segment" => parts.segment = Some(value),
            "examples" => parts.examples = Some(value),
            "icp" => parts.icp = Some(value),
            "lead_types" => parts.lead_types = Some(value),
            _ => {
                parts.header.insert(key, value);
            }
        }
    }
    parts
}

fn read_segment<'t>(reader: &mut TomlReader<'t>, value: Spanned<DeValue<'t>>, label: &str) -> Option<Segment> {
    let context = format!("{label}: segment");
    let syntax = reader.deserialize::<SegmentSyntax>(value, &context)?;
    let mut ok = true;
    let mut empty = |reader: &mut TomlReader<'_>, key: &str, span: std::ops::Range<usize>| {
        reader.report(
            Some(span),
            format!("{context}: `{key}` is empty, so no lead could ever fit; leave the key out to accept every {key}"),
        );
        ok = false;
    };
    if let Some(list) = &syntax.industries
        && list.get_ref().iter().all(|i| normalize_label(i).is_empty())
    {
        empty(reader, "industries", list.span());
    }
    if let Some(list) = &syntax.sources
        && list.get_ref().iter().all(|s| s.trim().is_empty())
    {
        empty(reader, "sources", list.span());
    }
    if let Some(list) = &syntax.stages
        && list.get_ref().is_empty()
    {
        empty(reader, "stages", list.span());
    }
    let mut countries = Vec::new();
    if let Some(list) = &syntax.countries {
        if list.get_ref().is_empty() {
            empty(reader, "countries", list.span());
        }
        for code in list.get_ref() {
            match code.get_ref().parse::<CountryCode>() {
                Ok(c) => countries.push(c),
                Err(e) => {
                    reader.report(Some(code.span()), format!("{context}: countries: {e}"));
                    ok = false;
                }
            }
        }
    }
    let before = reader.problems.len();
    let employees = read_bounds(reader, &format!("{context}: employees"), syntax.employees.as_ref());
    let annual_revenue = read_bounds(reader, &format!("{context}: annual_revenue"), syntax.annual_revenue.as_ref());
    ok &= reader.problems.len() == before;
    ok.then(|| Segment {
        industries: syntax
            .industries
            .map(|v| v.into_inner().iter().map(|s| normalize_label(s)).filter(|s| !s.is_empty()).collect()),
        countries: syntax.countries.map(|_| countries),
        employees,
        annual_revenue,
        sources: syntax
            .sources
            .map(|v| v.into_inner().into_iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()),
        stages: syntax.stages.map(Spanned::into_inner),
    })
}

/// The pool's user names (each once, in order) and whether the pool is valid.
fn check_owners(
    reader: &mut TomlReader<'_>,
    label: &str,
    owners: &Spanned<Vec<Spanned<String>>>,
    users: Option<&BTreeSet<String>>,
) -> (Vec<String>, bool) {
    let mut ok = true;
    if owners.get_ref().is_empty() {
        reader.report(
            Some(owners.span()),
            format!("{label}: the owner pool is empty; name at least one user who will work these leads"),
        );
        return (Vec::new(), false);
    }
    let mut seen = BTreeSet::new();
    let mut list = Vec::new();
    for owner in owners.get_ref() {
        let name = owner.get_ref().trim();
        if name.is_empty() {
            reader.report(Some(owner.span()), format!("{label}: an owner's user name is empty"));
            ok = false;
            continue;
        }
        if !seen.insert(name.to_owned()) {
            reader.report(Some(owner.span()), format!("{label}: owner `{name}` is in the pool twice"));
            ok = false;
            continue;
        }
        if let Some(users) = users
            && !users.contains(name)
        {
            reader.report(
                Some(owner.span()),
                format!("{label}: owner `{name}` is not an enabled user (see `sift users list`)"),
            );
            ok = false;
        }
        list.push(name.to_owned());
    }
    (list, ok)
}

fn check_assignment(
    reader: &mut TomlReader<'_>,
    label: &str,
    h: &HeaderSyntax,
    owners: &[String],
) -> Option<Assignment> {
    let kind = h.assignment.as_ref().map_or(AssignmentKind::RoundRobin, |a| *a.get_ref());
    match (kind, &h.territories) {
        (AssignmentKind::RoundRobin, None) => Some(Assignment::RoundRobin),
        (AssignmentKind::RoundRobin, Some(t)) => {
            reader.report(
                Some(t.span()),
                format!("{label}: `territories` is set but `assignment` is not \"territory\"; set both or neither"),
            );
            None
        }
        (AssignmentKind::Territory, None) => {
            let span = h.assignment.as_ref().map(Spanned::span);
            reader.report(span, format!("{label}: assignment by territory needs `territories = {{ DE = \"user\" }}`"));
            None
        }
        (AssignmentKind::Territory, Some(map)) => {
            let mut ok = true;
            if map.get_ref().is_empty() {
                reader.report(
                    Some(map.span()),
                    format!("{label}: `territories` is empty; map countries to owners, e.g. {{ DE = \"user\" }}"),
                );
                ok = false;
            }
            let mut territories = BTreeMap::new();
            for (country, owner) in map.get_ref() {
                match country.get_ref().parse::<CountryCode>() {
                    Ok(code) => {
                        if let Some(other) = territories.insert(code, owner.get_ref().trim().to_owned()) {
                            reader.report(
                                Some(country.span()),
                                format!("{label}: territories: `{code}` is given twice (also to `{other}`)"),
                            );
                            ok = false;
                        }
                    }
                    Err(e) => {
                        reader.report(Some(country.span()), format!("{label}: territories: {e}"));
                        ok = false;
                    }
                }
                let name = owner.get_ref().trim();
                if !owners.iter().any(|o| o == name) {
                    reader.report(
                        Some(owner.span()),
                        format!("{label}: territories: `{name}` is not in the owner pool ({})", owners.join(", ")),
                    );
                    ok = false;
                }
            }
            ok.then_some(Assignment::Territory { territories })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_take_turns_and_wrap_around() {
        let pool = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let turns: Vec<&str> = (0..7).filter_map(|t| owner_at_turn(&pool, t)).collect();
        assert_eq!(turns, ["a", "b", "c", "a", "b", "c", "a"]);
        assert_eq!(owner_at_turn(&[], 3), None);
        assert_eq!(owner_at_turn(&pool, u64::MAX), Some("a"));
    }
}
