//! The answers file: what a rep learned about one lead, ready for the gate.
//!
//! ```toml
//! framework = "bant"
//! language = "en"            # optional: en or zh; inferred from the lead when absent
//!
//! [lead]
//! company = "Acme GmbH"
//! domain = "acme.de"
//! industry = "Software"
//! employees = 250
//! annual_revenue = 30_000_000
//! country = "DE"
//! contact_name = "Jana Novak"
//! contact_title = "VP Sales"
//! email = "jana@acme.de"
//!
//! [criteria.need]
//! status = "confirmed"       # confirmed | partial | unknown | negative | contradicted
//! note = "Reps lose a day a week to manual lead routing"
//!
//! [criteria.timeline]
//! status = "confirmed"
//! date = 2027-03-01          # a TOML date or "2027-03-01"
//! ```

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use toml::Spanned;

use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostics, TomlReader, table_value};
use crate::framework::{Framework, Registry};
use crate::gate::{CriterionAnswer, CriterionStatus};
use crate::lead::{Activity, ActivityKind, CountryCode, Language, Lead, Seniority};

/// An answers file read section by section, so that a problem in one criterion does not
/// hide the problems in the others.
#[derive(Debug)]
struct AnswersSyntax {
    framework: Spanned<String>,
    language: Option<Language>,
    lead: LeadSyntax,
    criteria: Vec<(Spanned<String>, CriterionSyntax)>,
    activities: Vec<ActivitySyntax>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderSyntax {
    framework: Spanned<String>,
    language: Option<Language>,
}

/// Reads one answers table (a whole file, or one `[[leads]]` entry of a batch).
fn read_answers<'t>(reader: &mut TomlReader<'t>, value: Spanned<DeValue<'t>>, context: &str) -> Option<AnswersSyntax> {
    let span = value.span();
    let DeValue::Table(table) = value.into_inner() else {
        reader.report(Some(span), format!("{context}expected a table"));
        return None;
    };
    let mut header = DeTable::new();
    let (mut lead, mut criteria, mut activities) = (None, Vec::new(), Vec::new());
    for (key, value) in table {
        let name = key.get_ref().to_string();
        match name.as_str() {
            "lead" => lead = reader.deserialize::<LeadSyntax>(value, &format!("{context}lead")),
            "criteria" => {
                let value_span = value.span();
                match value.into_inner() {
                    DeValue::Table(entries) => {
                        for (id, entry) in entries {
                            let label = format!("{context}criteria.{}", id.get_ref());
                            let id = Spanned::new(id.span(), id.get_ref().to_string());
                            if let Some(c) = reader.deserialize::<CriterionSyntax>(entry, &label) {
                                criteria.push((id, c));
                            }
                        }
                    }
                    _ => reader.report(
                        Some(value_span),
                        format!("{context}`criteria` must be a table of `[criteria.<id>]` tables"),
                    ),
                }
            }
            "activities" => {
                let value_span = value.span();
                match value.into_inner() {
                    DeValue::Array(items) => {
                        for (i, item) in items.into_iter().enumerate() {
                            let label = format!("{context}activities #{}", i + 1);
                            activities.extend(reader.deserialize::<ActivitySyntax>(item, &label));
                        }
                    }
                    _ => reader.report(Some(value_span), format!("{context}`activities` must be an array of tables")),
                }
            }
            _ => {
                header.insert(key, value);
            }
        }
    }
    let header = reader
        .deserialize::<HeaderSyntax>(Spanned::new(span, DeValue::Table(header)), context.trim_end_matches(": "))?;
    Some(AnswersSyntax {
        framework: header.framework,
        language: header.language,
        lead: lead.unwrap_or_default(),
        criteria,
        activities,
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivitySyntax {
    kind: ActivityKind,
    at: Spanned<toml::Value>,
    detail: Option<String>,
}

/// The `[lead]` table: company and contact facts in flat form.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LeadSyntax {
    id: Option<String>,
    company: Option<String>,
    domain: Option<String>,
    industry: Option<String>,
    employees: Option<Spanned<i64>>,
    annual_revenue: Option<Spanned<f64>>,
    country: Option<Spanned<String>>,
    contact_name: Option<String>,
    contact_title: Option<String>,
    seniority: Option<Spanned<String>>,
    email: Option<Spanned<String>>,
    phone: Option<String>,
    source: Option<String>,
    #[serde(default)]
    custom: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CriterionSyntax {
    status: Option<CriterionStatus>,
    /// What the prospect said, in their words; the binary reads a status from it when
    /// `status` is left out.
    answer: Option<String>,
    note: Option<String>,
    date: Option<Spanned<toml::Value>>,
}

/// A validated answers file.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswersFile {
    pub framework: String,
    pub language: Option<Language>,
    pub lead: Lead,
    pub criteria: BTreeMap<String, CriterionAnswer>,
    /// Free-text answers (`answer = "..."`) by criterion id. A criterion with an answer and
    /// no `status` is `unknown` in `criteria` until the answer is read.
    pub answers: BTreeMap<String, String>,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl LeadSyntax {
    /// Turns the flat table into a lead, reporting bad values with their location.
    pub(crate) fn into_lead(self, reader: &mut TomlReader<'_>) -> Lead {
        let mut lead = Lead { id: non_empty(self.id), source: non_empty(self.source), ..Lead::default() };
        lead.company.name = non_empty(self.company);
        lead.company.domain = non_empty(self.domain);
        lead.company.industry = non_empty(self.industry);
        if let Some(e) = self.employees {
            match u64::try_from(*e.get_ref()) {
                Ok(n) => lead.company.employees = Some(n),
                Err(_) => {
                    reader.report(Some(e.span()), format!("lead.employees: must not be negative, got {}", e.get_ref()))
                }
            }
        }
        if let Some(r) = self.annual_revenue {
            let v = *r.get_ref();
            if v.is_finite() && v >= 0.0 {
                lead.company.annual_revenue = Some(v);
            } else {
                reader.report(Some(r.span()), format!("lead.annual_revenue: must be a non-negative number, got {v}"));
            }
        }
        if let Some(c) = self.country {
            match c.get_ref().parse::<CountryCode>() {
                Ok(code) => lead.company.country = Some(code),
                Err(e) => reader.report(Some(c.span()), format!("lead.country: {e}")),
            }
        }
        lead.contact.name = non_empty(self.contact_name);
        lead.contact.title = non_empty(self.contact_title);
        lead.contact.phone = non_empty(self.phone);
        if let Some(s) = self.seniority {
            match s.get_ref().parse::<Seniority>() {
                Ok(v) => lead.contact.seniority = Some(v),
                Err(e) => reader.report(Some(s.span()), format!("lead.seniority: {e}")),
            }
        }
        if let Some(email) = self.email {
            let e = email.get_ref().trim();
            let valid = e.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !e.contains(char::is_whitespace)
            });
            if valid {
                lead.contact.email = Some(e.to_owned());
            } else if !e.is_empty() {
                reader.report(Some(email.span()), format!("lead.email: `{e}` is not an email address"));
            }
        }
        lead.custom_fields = self
            .custom
            .into_iter()
            .map(|(k, v)| {
                let text = match v {
                    toml::Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, text)
            })
            .collect();
        lead
    }
}

/// Reads a date written as a TOML local date or as an ISO `YYYY-MM-DD` string.
pub(crate) fn parse_date(value: &toml::Value) -> Option<NaiveDate> {
    match value {
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            let d = dt.date?;
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        }
        toml::Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
        _ => None,
    }
}

/// Reads a timestamp written as a TOML offset date-time, a local date-time (taken as UTC),
/// a date (midnight UTC), or an RFC 3339 string.
pub(crate) fn parse_timestamp(value: &toml::Value) -> Option<DateTime<Utc>> {
    let text = match value {
        toml::Value::Datetime(dt) => dt.to_string(),
        toml::Value::String(s) => s.trim().to_owned(),
        _ => return None,
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(&text) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S") {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
}

impl AnswersFile {
    /// Reads and checks an answers file against the known frameworks, reporting every
    /// problem with its location: malformed TOML, an unknown framework or criterion id,
    /// a bad status word, a date that is not a date, bad lead facts.
    pub fn parse(source: &str, text: &str, registry: &Registry) -> Result<AnswersFile, Diagnostics> {
        let mut reader = TomlReader::new(source, text);
        let file = reader
            .parse()
            .and_then(|table| read_answers(&mut reader, table_value(table), ""))
            .map(|syntax| AnswersFile::from_syntax(&mut reader, syntax, registry, ""));
        reader.finish(file)
    }

    /// Reads a batch file: `[[leads]]` tables, each shaped like an answers file. Every
    /// problem in every lead is reported, with its location.
    pub fn parse_batch(source: &str, text: &str, registry: &Registry) -> Result<Vec<AnswersFile>, Diagnostics> {
        let mut reader = TomlReader::new(source, text);
        let Some(table) = reader.parse() else {
            return Err(reader.problems);
        };
        let mut leads = Vec::new();
        let mut entries = None;
        for (key, value) in table.into_inner() {
            if key.get_ref() == "leads" {
                entries = Some(value);
            } else {
                reader.report(
                    Some(key.span()),
                    format!("unknown top-level key `{}`; a batch file holds only `[[leads]]`", key.get_ref()),
                );
            }
        }
        match entries.map(|v| (v.span(), v.into_inner())) {
            Some((_, toml::de::DeValue::Array(items))) => {
                for (index, item) in items.into_iter().enumerate() {
                    let context = format!("leads #{}", index + 1);
                    let context = format!("{context}: ");
                    if let Some(syntax) = read_answers(&mut reader, item, &context) {
                        leads.push(AnswersFile::from_syntax(&mut reader, syntax, registry, &context));
                    }
                }
            }
            Some((span, _)) => reader.report(Some(span), "`leads` must be an array of tables (`[[leads]]`)"),
            None => reader.report(None, "no `[[leads]]` tables found"),
        }
        reader.finish(Some(leads))
    }

    fn from_syntax(
        reader: &mut TomlReader<'_>,
        syntax: AnswersSyntax,
        registry: &Registry,
        context: &str,
    ) -> AnswersFile {
        let framework: Option<&Framework> = registry.get(syntax.framework.get_ref());
        if framework.is_none() {
            reader.report(
                Some(syntax.framework.span()),
                format!(
                    "{context}unknown framework `{}`; known frameworks: {}",
                    syntax.framework.get_ref(),
                    registry.ids().join(", ")
                ),
            );
        }
        let mut lead = syntax.lead.into_lead(reader);
        for activity in syntax.activities {
            match parse_timestamp(activity.at.get_ref()) {
                Some(at) => {
                    lead.activities.push(Activity { kind: activity.kind, at, detail: non_empty(activity.detail) })
                }
                None => reader.report(
                    Some(activity.at.span()),
                    format!(
                        "{context}activity `at`: `{}` is not a timestamp; write it as 2026-10-01T09:30:00Z",
                        activity.at.get_ref()
                    ),
                ),
            }
        }
        lead.activities.sort_by_key(|a| a.at);
        let mut criteria = BTreeMap::new();
        let mut answers = BTreeMap::new();
        for (id, c) in syntax.criteria {
            if let Some(f) = framework
                && f.criterion(id.get_ref()).is_none()
            {
                reader.report(
                    Some(id.span()),
                    format!(
                        "{context}unknown criterion `{}` for framework `{}`; its criteria are: {}",
                        id.get_ref(),
                        f.id,
                        f.criterion_ids().join(", ")
                    ),
                );
                continue;
            }
            let date = match c.date {
                None => None,
                Some(d) => {
                    let parsed = parse_date(d.get_ref());
                    if parsed.is_none() {
                        reader.report(
                            Some(d.span()),
                            format!(
                                "{context}criteria.{}.date: `{}` is not a date; write it as 2027-03-31",
                                id.get_ref(),
                                d.get_ref()
                            ),
                        );
                    }
                    parsed
                }
            };
            let answer = non_empty(c.answer);
            if c.status.is_none() && answer.is_none() {
                reader.report(
                    Some(id.span()),
                    format!(
                        "{context}criteria.{}: give a `status` (confirmed, partial, unknown, negative, contradicted) \
                         or an `answer` in the prospect's words",
                        id.get_ref()
                    ),
                );
                continue;
            }
            if let Some(text) = &answer {
                answers.insert(id.get_ref().clone(), text.clone());
            }
            criteria.insert(
                id.into_inner(),
                CriterionAnswer {
                    status: c.status.unwrap_or(CriterionStatus::Unknown),
                    note: non_empty(c.note).or_else(|| c.status.is_none().then(|| answer.clone()).flatten()),
                    date,
                    carried_from: None,
                    note_message: None,
                },
            );
        }
        AnswersFile {
            framework: syntax.framework.into_inner(),
            language: syntax.language,
            lead: Lead { language: syntax.language, ..lead },
            criteria,
            answers,
        }
    }
}
