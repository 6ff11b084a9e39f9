//! Rule points: a TOML scoring file of fit rules (who the lead is) and engagement rules
//! (what the lead did, decayed with a half-life), per-group caps, and score thresholds that
//! move leads between lifecycle stages. Every score lists the rules that contributed.
//!
//! ```toml
//! id_field = "Lead ID"            # joins --events rows to leads; also the output id
//! stage_field = "Lifecycle Stage" # optional: the current stage, moved only along allowed paths
//!
//! [stages]                        # the highest threshold reached is the lead's stage
//! mql = 60
//! sql = 90
//!
//! [caps]                          # most points a group may add
//! engagement = 40
//!
//! [[rule]]
//! name = "target industry"
//! field = "Industry"
//! in = ["Software", "Logistics"]  # or: range = { min = 50, max = 5000 }, matches = ["vp"],
//! points = 20                     #     free_mail = true
//!
//! [[rule]]
//! name = "site visits"
//! count_field = "TotalVisits"     # points per unit (or: event = "demo_request", from --events)
//! points = 2
//! max_count = 10
//! date_field = "Last Visit"       # decay by the age of this date
//! half_life_days = 30
//! ```
//! Fit rules default to group `fit`, count and event rules to group `engagement`.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};

use chrono::NaiveDate;
use serde::Deserialize;
use sift_core::Stage;

use crate::error::{Result, ScoreError};
use crate::table::{csv_reader, find_column, is_missing, parse_number, read_headers};

/// Domains of free e-mail providers (a business lead rarely writes from one).
pub const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.fr",
    "hotmail.com",
    "hotmail.co.uk",
    "hotmail.fr",
    "outlook.com",
    "live.com",
    "msn.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mail.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "t-online.de",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "libero.it",
    "yandex.ru",
    "mail.ru",
    "qq.com",
    "163.com",
    "126.com",
    "sina.com",
    "proton.me",
    "protonmail.com",
    "zoho.com",
    "rediffmail.com",
];

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    pub group: Option<String>,
    pub points: f64,
    pub field: Option<String>,
    #[serde(rename = "in")]
    pub in_list: Option<Vec<String>>,
    pub range: Option<Range>,
    pub matches: Option<Vec<String>>,
    pub free_mail: Option<bool>,
    pub count_field: Option<String>,
    pub event: Option<String>,
    pub max_count: Option<f64>,
    pub date_field: Option<String>,
    pub half_life_days: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RulesFile {
    pub id_field: Option<String>,
    pub stage_field: Option<String>,
    #[serde(default)]
    pub stages: BTreeMap<String, f64>,
    #[serde(default)]
    pub caps: BTreeMap<String, f64>,
    #[serde(default, rename = "rule")]
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq)]
enum Matcher {
    In(Vec<String>),
    Range(Option<f64>, Option<f64>),
    Matches(Vec<String>),
    FreeMail,
    Count { field: String, date_field: Option<String> },
    Event(String),
}

/// A validated rule.
#[derive(Debug, Clone, PartialEq)]
pub struct PointsRule {
    pub name: String,
    pub group: String,
    pub points: f64,
    pub field: Option<String>,
    matcher: Matcher,
    pub max_count: Option<f64>,
    pub half_life_days: Option<f64>,
}

/// A parsed and checked scoring file.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    pub id_field: Option<String>,
    pub stage_field: Option<String>,
    /// Thresholds, lowest first.
    pub stages: Vec<(Stage, f64)>,
    pub caps: BTreeMap<String, f64>,
    pub rules: Vec<PointsRule>,
}

/// A timestamped activity of a lead (from the events file).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub kind: String,
    pub on: NaiveDate,
}

/// One rule's part in a score.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Contribution {
    pub rule: String,
    pub group: String,
    pub points: f64,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RuleScore {
    pub points: f64,
    /// The stage the lead ends in: the threshold reached, if the move is allowed from the
    /// current stage; else the current stage.
    pub stage: Option<Stage>,
    pub previous_stage: Option<Stage>,
    pub contributions: Vec<Contribution>,
    /// Groups whose points were cut by their cap: (group, uncapped, cap).
    pub capped: Vec<(String, f64, f64)>,
}

/// Parses a scoring file; every problem is reported, each naming its rule.
pub fn parse_rules(text: &str) -> Result<RuleSet> {
    let file: RulesFile = toml::from_str(text).map_err(|e| ScoreError::BadRules(e.to_string().trim().to_string()))?;
    let mut problems = Vec::new();
    let mut stages = Vec::new();
    for (name, &threshold) in &file.stages {
        match name.parse::<Stage>() {
            Ok(stage) => stages.push((stage, threshold)),
            Err(e) => problems.push(format!("[stages]: {e}")),
        }
    }
    stages.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut rules = Vec::new();
    for (i, rule) in file.rules.iter().enumerate() {
        let at = format!("rule {} `{}`", i + 1, rule.name);
        let mut matchers = Vec::new();
        if let Some(list) = &rule.in_list {
            matchers.push(Matcher::In(list.iter().map(|v| v.trim().to_lowercase()).collect()));
        }
        if let Some(range) = &rule.range {
            if range.min.is_none() && range.max.is_none() {
                problems.push(format!("{at}: `range` needs `min`, `max` or both"));
            }
            matchers.push(Matcher::Range(range.min, range.max));
        }
        if let Some(words) = &rule.matches {
            matchers.push(Matcher::Matches(words.iter().map(|w| w.to_lowercase()).collect()));
        }
        if rule.free_mail == Some(true) {
            matchers.push(Matcher::FreeMail);
        }
        if let Some(field) = &rule.count_field {
            matchers.push(Matcher::Count { field: field.clone(), date_field: rule.date_field.clone() });
        }
        if let Some(event) = &rule.event {
            matchers.push(Matcher::Event(event.trim().to_lowercase()));
        }
        let fit = !matches!(matchers.first(), Some(Matcher::Count { .. } | Matcher::Event(_)));
        match matchers.len() {
            1 => {}
            0 => problems.push(format!(
                "{at}: says nothing to match: give one of `in`, `range`, `matches`, `free_mail`, `count_field`, `event`"
            )),
            _ => problems
                .push(format!("{at}: give only one of `in`, `range`, `matches`, `free_mail`, `count_field`, `event`")),
        }
        if fit && rule.field.is_none() && !matchers.is_empty() {
            problems.push(format!("{at}: needs `field`, the column to look at"));
        }
        if rule.date_field.is_some() && rule.count_field.is_none() {
            problems.push(format!("{at}: `date_field` goes with `count_field`"));
        }
        if let Some(h) = rule.half_life_days
            && h <= 0.0
        {
            problems.push(format!("{at}: `half_life_days` must be positive, not {h}"));
        }
        if fit && rule.half_life_days.is_some() {
            problems.push(format!("{at}: `half_life_days` applies to engagement rules (`count_field`, `event`)"));
        }
        if let Some(matcher) = matchers.into_iter().next() {
            rules.push(PointsRule {
                name: rule.name.clone(),
                group: rule.group.clone().unwrap_or_else(|| if fit { "fit".into() } else { "engagement".into() }),
                points: rule.points,
                field: rule.field.clone(),
                matcher,
                max_count: rule.max_count,
                half_life_days: rule.half_life_days,
            });
        }
    }
    for (group, cap) in &file.caps {
        if !rules.iter().any(|r| &r.group == group) {
            problems.push(format!("[caps]: no rule is in group `{group}`"));
        }
        if *cap < 0.0 {
            problems.push(format!("[caps]: `{group}` must not be negative"));
        }
    }
    if !problems.is_empty() {
        return Err(ScoreError::BadRules(problems.join("; ")));
    }
    Ok(RuleSet { id_field: file.id_field, stage_field: file.stage_field, stages, caps: file.caps, rules })
}

/// Reads a date: `YYYY-MM-DD`, RFC 3339, or `YYYY-MM-DD HH:MM[:SS]`.
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .or_else(|| chrono::DateTime::parse_from_rfc3339(value).ok().map(|d| d.date_naive()))
        .or_else(|| value.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()))
}

fn decay(half_life_days: Option<f64>, on: NaiveDate, as_of: NaiveDate) -> f64 {
    match half_life_days {
        None => 1.0,
        Some(h) => {
            let age = (as_of - on).num_days().max(0) as f64;
            0.5f64.powf(age / h)
        }
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

impl RuleSet {
    /// The columns the rules read.
    pub fn columns(&self) -> Vec<String> {
        let mut columns: Vec<String> = Vec::new();
        let mut add = |c: &Option<String>| {
            if let Some(c) = c
                && !columns.contains(c)
            {
                columns.push(c.clone());
            }
        };
        for rule in &self.rules {
            add(&rule.field);
            if let Matcher::Count { field, date_field } = &rule.matcher {
                add(&Some(field.clone()));
                add(date_field);
            }
        }
        add(&self.stage_field);
        columns
    }

    /// Scores one lead. `cell(column)` gives a raw value (`None` when missing); `row` is
    /// for error messages; `as_of` is the day decay is measured to.
    pub fn score<'c>(
        &self,
        cell: impl Fn(&str) -> Option<&'c str>,
        events: &[Event],
        as_of: NaiveDate,
        row: usize,
    ) -> Result<RuleScore> {
        let mut contributions = Vec::new();
        for rule in &self.rules {
            let value = rule.field.as_deref().and_then(&cell);
            let (points, detail) = match &rule.matcher {
                Matcher::In(list) => match value {
                    Some(v) if list.iter().any(|l| l == &v.trim().to_lowercase()) => {
                        (rule.points, v.trim().to_string())
                    }
                    _ => continue,
                },
                Matcher::Range(min, max) => {
                    let Some(v) = value else { continue };
                    let column = rule.field.clone().unwrap_or_default();
                    let x =
                        parse_number(v).ok_or_else(|| ScoreError::NotANumber { column, row, value: v.to_string() })?;
                    if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) {
                        continue;
                    }
                    (rule.points, v.trim().to_string())
                }
                Matcher::Matches(words) => match value {
                    Some(v) => {
                        let lower = v.to_lowercase();
                        match words.iter().find(|w| lower.contains(w.as_str())) {
                            Some(w) => (rule.points, format!("{} (`{w}`)", v.trim())),
                            None => continue,
                        }
                    }
                    None => continue,
                },
                Matcher::FreeMail => match value.and_then(|v| v.trim().rsplit_once('@')) {
                    Some((_, domain)) if FREE_MAIL_DOMAINS.iter().any(|d| domain.eq_ignore_ascii_case(d)) => {
                        (rule.points, domain.to_lowercase())
                    }
                    _ => continue,
                },
                Matcher::Count { field, date_field } => {
                    let Some(v) = cell(field) else { continue };
                    let n = parse_number(v).ok_or_else(|| ScoreError::NotANumber {
                        column: field.clone(),
                        row,
                        value: v.to_string(),
                    })?;
                    let n = rule.max_count.map_or(n, |m| n.min(m));
                    let date = match date_field {
                        Some(d) => match cell(d) {
                            Some(text) => Some(parse_date(text).ok_or_else(|| {
                                ScoreError::BadRules(format!("column `{d}` row {row}: `{text}` is not a date"))
                            })?),
                            None => None,
                        },
                        None => None,
                    };
                    let factor = date.map_or(1.0, |on| decay(rule.half_life_days, on, as_of));
                    let detail = match date {
                        Some(on) if rule.half_life_days.is_some() => {
                            format!("{n} x {} (last {on}, decay {factor:.2})", rule.points)
                        }
                        _ => format!("{n} x {}", rule.points),
                    };
                    (n * rule.points * factor, detail)
                }
                Matcher::Event(kind) => {
                    let mut matching: Vec<&Event> = events.iter().filter(|e| &e.kind == kind).collect();
                    if matching.is_empty() {
                        continue;
                    }
                    matching.sort_by_key(|e| std::cmp::Reverse(e.on));
                    if let Some(m) = rule.max_count {
                        matching.truncate(m.max(0.0) as usize);
                    }
                    let points: f64 =
                        matching.iter().map(|e| rule.points * decay(rule.half_life_days, e.on, as_of)).sum();
                    (points, format!("{} event(s), latest {}", matching.len(), matching[0].on))
                }
            };
            if points == 0.0 {
                continue; // no visits: nothing to name
            }
            contributions.push(Contribution {
                rule: rule.name.clone(),
                group: rule.group.clone(),
                points: round1(points),
                detail,
            });
        }
        let mut groups: BTreeMap<&str, f64> = BTreeMap::new();
        for c in &contributions {
            *groups.entry(c.group.as_str()).or_default() += c.points;
        }
        let mut capped = Vec::new();
        let mut total = 0.0;
        for (group, sum) in groups {
            match self.caps.get(group) {
                Some(&cap) if sum > cap => {
                    capped.push((group.to_string(), round1(sum), cap));
                    total += cap;
                }
                _ => total += sum,
            }
        }
        let reached = self.stages.iter().rev().find(|(_, t)| total >= *t).map(|(s, _)| *s);
        let previous_stage = match self.stage_field.as_deref().and_then(&cell) {
            Some(v) => Some(v.parse::<Stage>().map_err(|e| ScoreError::BadRules(format!("row {row}: {e}")))?),
            None => None,
        };
        let stage = match (previous_stage, reached) {
            (Some(current), Some(target)) if current == target || !current.can_move_to(target) => Some(current),
            (Some(current), None) => Some(current),
            (_, reached) => reached,
        };
        Ok(RuleScore { points: round1(total), stage, previous_stage, contributions, capped })
    }
}

/// Reads an events CSV (`lead`, `type`, `at` columns) into events per lead id.
pub fn read_events<R: Read>(input: R) -> Result<HashMap<String, Vec<Event>>> {
    let mut reader = csv_reader(input)?;
    let headers = read_headers(&mut reader)?;
    let (lead, kind, at) =
        (find_column(&headers, "lead")?, find_column(&headers, "type")?, find_column(&headers, "at")?);
    let mut events: HashMap<String, Vec<Event>> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ScoreError::Csv(format!("events row {}: {e}", i + 1)))?;
        let text = record.get(at).unwrap_or("");
        let on = parse_date(text)
            .ok_or_else(|| ScoreError::Csv(format!("events row {}, column `at`: `{text}` is not a date", i + 1)))?;
        events
            .entry(record.get(lead).unwrap_or("").trim().to_string())
            .or_default()
            .push(Event { kind: record.get(kind).unwrap_or("").trim().to_lowercase(), on });
    }
    Ok(events)
}

/// Scores every row of a leads CSV with the rules; writes `id, points, stage,
/// previous_stage, reasons`. Returns the number of rows.
pub fn score_rules_csv<R: Read, W: Write>(
    rules: &RuleSet,
    input: R,
    events: &HashMap<String, Vec<Event>>,
    output: W,
    as_of: NaiveDate,
    id_column: Option<&str>,
) -> Result<u64> {
    let mut reader = csv_reader(input)?;
    let headers = read_headers(&mut reader)?;
    let mut positions: HashMap<String, usize> = HashMap::new();
    let mut missing = Vec::new();
    for column in rules.columns() {
        match find_column(&headers, &column) {
            Ok(i) => {
                positions.insert(column, i);
            }
            Err(_) => missing.push(format!("`{column}`")),
        }
    }
    if !missing.is_empty() {
        return Err(ScoreError::SchemaMismatch(format!(
            "the rules read column{} {} that the input does not have",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", ")
        )));
    }
    let id = match id_column.or(rules.id_field.as_deref()) {
        Some(name) => Some(find_column(&headers, name)?),
        None => None,
    };
    let mut writer = sift_core::csv_out::CsvWriter::new(output);
    let write_error = |e: csv::Error| ScoreError::Write(e.to_string());
    writer
        .write_record([id.map_or("row", |i| headers[i].as_str()), "points", "stage", "previous_stage", "reasons"])
        .map_err(write_error)?;
    let mut rows = 0u64;
    let none: Vec<Event> = Vec::new();
    for record in reader.records() {
        rows += 1;
        let record = record.map_err(|e| ScoreError::Csv(format!("row {rows}: {e}")))?;
        let cell =
            |column: &str| positions.get(column).and_then(|&i| record.get(i)).filter(|v| !is_missing(v)).map(str::trim);
        let lead_id = id.map_or_else(|| rows.to_string(), |i| record.get(i).unwrap_or("").trim().to_string());
        let lead_events = events.get(&lead_id).unwrap_or(&none);
        let score = rules.score(cell, lead_events, as_of, rows as usize)?;
        let mut reasons: Vec<String> =
            score.contributions.iter().map(|c| format!("{} {:+} ({})", c.rule, c.points, c.detail)).collect();
        reasons.extend(score.capped.iter().map(|(g, sum, cap)| format!("{g} capped at {cap} (was {sum})")));
        writer
            .write_record([
                lead_id.as_str(),
                &score.points.to_string(),
                score.stage.map_or("", Stage::name),
                score.previous_stage.map_or("", Stage::name),
                &reasons.join("; "),
            ])
            .map_err(write_error)?;
    }
    writer.flush().map_err(|e| ScoreError::Write(e.to_string()))?;
    Ok(rows)
}
