//! Streaming CSV import from real CRM exports (HubSpot, Salesforce, spreadsheets).
//!
//! The file is read once, in constant memory: a reader thread sniffs the dialect, decodes,
//! maps and normalises rows into [`LeadRecord`]s and hands them over in batches; the writer
//! commits each batch in its own transaction. A bad row never stops the file: it goes to
//! the error report with its row number, column, code and message.

mod blocks;
pub mod keys;
pub mod outcomes;
pub mod text;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use encoding_rs::WINDOWS_1252;
use serde::{Deserialize, Serialize};
use sift_core::{ActivityKind, LeadTypeRules, Stage};

use sift_core::csv_out::CsvWriter;

use crate::db::{BatchOutcome, Store};
use crate::import::blocks::{Block, BlockError, BlockReader, LineCounter};
use crate::import::keys::{KeyColumn, KeySource};
use crate::import::outcomes::{OutcomeRule, Outcomes};
use crate::record::LeadRecord;
use crate::runs::{ImportRun, RunProgress};
use crate::sqlite_writer::SqliteWriter;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read `{path}`: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("`{path}` is empty: there is no header line")]
    Empty { path: String },
    #[error("`{path}` is not a CSV text file: {reason}; nothing was imported")]
    NotText { path: String, reason: text::NotText },
    #[error("`{path}` line {line}: {message}; nothing was imported")]
    BadHeader { path: String, line: u64, message: String },
    #[error("`{path}` line {line}: a quoted field runs on for more than {} MB without its closing quote", blocks::MAX_RECORD_BYTES >> 20)]
    RecordTooLong { path: String, line: u64 },
    #[error("mapping file `{path}`: {message}")]
    Mapping { path: String, message: String },
    #[error("the mapping names columns that `{path}` does not have: {missing}")]
    MappingColumns { path: String, missing: String },
    #[error("{0}")]
    Options(String),
    #[error(transparent)]
    Store(#[from] crate::db::StoreError),
    #[error("cannot write the error report: {source}")]
    Report { source: csv::Error },
}

impl ImportError {
    /// For a problem with the user's input: the file it is in (when there is one) and what
    /// is wrong, without the file's name, for `FILE: message` reports. `None` for failures
    /// of the environment: an unreadable file, the database, the error report.
    pub fn input_problem(&self) -> Option<(Option<&str>, String)> {
        Some(match self {
            ImportError::Empty { path } => (Some(path), "the file is empty: there is no header line".to_owned()),
            ImportError::NotText { path, reason } => {
                (Some(path), format!("not a CSV text file: {reason}; nothing was imported"))
            }
            ImportError::BadHeader { path, line, message } => {
                (Some(path), format!("line {line}: {message}; nothing was imported"))
            }
            ImportError::RecordTooLong { path, line } => (
                Some(path),
                format!(
                    "line {line}: a quoted field runs on for more than {} MB without its closing quote",
                    blocks::MAX_RECORD_BYTES >> 20
                ),
            ),
            ImportError::Mapping { path, message } => (Some(path), message.clone()),
            ImportError::MappingColumns { path, missing } => {
                (Some(path), format!("the mapping names columns this file does not have: {missing}"))
            }
            ImportError::Options(message) => (None, message.clone()),
            ImportError::Io { .. } | ImportError::Store(_) | ImportError::Report { .. } => return None,
        })
    }
}

/// The fields a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    ExternalId,
    FirstName,
    LastName,
    FullName,
    Email,
    Phone,
    Title,
    Company,
    Domain,
    Industry,
    Employees,
    AnnualRevenue,
    Country,
    Source,
    LifecycleStage,
    Status,
    Converted,
    CreatedAt,
    /// A conversion event (form name, landing-page submission): becomes a form activity.
    Conversion,
    /// A count of site visits or page views: feeds the engagement points.
    Visits,
    /// Keep as a custom field under the header's name.
    Custom,
}

impl Field {
    /// Every field, in the order a mapping form lists them.
    pub const ALL: [Field; 21] = [
        Field::ExternalId,
        Field::FirstName,
        Field::LastName,
        Field::FullName,
        Field::Email,
        Field::Phone,
        Field::Title,
        Field::Company,
        Field::Domain,
        Field::Industry,
        Field::Employees,
        Field::AnnualRevenue,
        Field::Country,
        Field::Source,
        Field::LifecycleStage,
        Field::Status,
        Field::Converted,
        Field::CreatedAt,
        Field::Conversion,
        Field::Visits,
        Field::Custom,
    ];

    /// The field's name as mappings spell it (`external_id`).
    pub fn name(self) -> &'static str {
        match self {
            Field::ExternalId => "external_id",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::FullName => "full_name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Title => "title",
            Field::Company => "company",
            Field::Domain => "domain",
            Field::Industry => "industry",
            Field::Employees => "employees",
            Field::AnnualRevenue => "annual_revenue",
            Field::Country => "country",
            Field::Source => "source",
            Field::LifecycleStage => "lifecycle_stage",
            Field::Status => "status",
            Field::Converted => "converted",
            Field::CreatedAt => "created_at",
            Field::Conversion => "conversion",
            Field::Visits => "visits",
            Field::Custom => "custom",
        }
    }

    /// The field named `name` (as [`Field::name`] spells it).
    pub fn parse(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// Known header spellings (compared lower-case with everything but letters and digits
/// removed), for HubSpot labels, Salesforce labels and API names, and common sheets.
const HEADER_ALIASES: &[(Field, &[&str])] = &[
    (Field::ExternalId, &["recordid", "contactid", "id", "leadid", "prospectid", "hsobjectid", "vid"]),
    (Field::FirstName, &["firstname", "givenname", "first"]),
    (Field::LastName, &["lastname", "surname", "familyname", "last"]),
    (Field::FullName, &["name", "fullname", "contactname"]),
    (Field::Email, &["email", "emailaddress", "mail", "workemail"]),
    (Field::Phone, &["phone", "phonenumber", "mobilephone", "mobilephonenumber", "telephone", "tel"]),
    (Field::Title, &["title", "jobtitle", "position", "role"]),
    (
        Field::Company,
        &["company", "companyname", "associatedcompany", "account", "accountname", "organization", "organisation"],
    ),
    (Field::Domain, &["website", "websiteurl", "companydomainname", "domain", "domainname", "companywebsite", "url"]),
    (Field::Industry, &["industry", "sector", "vertical"]),
    (
        Field::Employees,
        &["numberofemployees", "employees", "companysize", "employeecount", "headcount", "noofemployees"],
    ),
    (Field::AnnualRevenue, &["annualrevenue", "revenue", "companyrevenue"]),
    (Field::Country, &["country", "countryregion", "countrycode", "mailingcountry", "billingcountry"]),
    (Field::Source, &["leadsource", "source", "originalsource", "originalsourcetype"]),
    (Field::LifecycleStage, &["lifecyclestage", "stage", "lifecycle"]),
    (Field::Status, &["leadstatus", "status", "hsleadstatus"]),
    (Field::Converted, &["converted", "isconverted", "y", "won", "outcome"]),
    (Field::CreatedAt, &["createdate", "createddate", "createdat", "becamealeaddate", "datecreated"]),
    (Field::Conversion, &["firstconversion", "recentconversion", "leadorigin", "firstconversioneventname"]),
    (Field::Visits, &["totalvisits", "numberofsessions", "numberofpageviews", "visits", "pageviews"]),
];

fn header_key(header: &str) -> String {
    // Runs on values of every row too (stages, statuses, outcomes): ASCII without the
    // general lower-casing machinery.
    let mut key = String::with_capacity(header.len());
    for c in header.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                key.push(c.to_ascii_lowercase());
            }
        } else if c.is_alphanumeric() {
            key.extend(c.to_lowercase());
        }
    }
    key
}

/// Where each column goes.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnMapping {
    pub columns: Vec<(String, Field)>,
    /// The column that identifies each lead (mapped to `external_id`), when there is one.
    pub key: Option<KeyColumn>,
}

impl ColumnMapping {
    /// Maps headers automatically; `overrides` (header -> field) wins. A field claimed
    /// twice keeps its first column; later ones become custom fields.
    pub fn new(headers: &[String], overrides: &BTreeMap<String, Field>) -> ColumnMapping {
        let mut taken = std::collections::BTreeSet::new();
        let columns = headers
            .iter()
            .map(|h| {
                let field = overrides.get(h).copied().unwrap_or_else(|| {
                    let key = header_key(h);
                    HEADER_ALIASES
                        .iter()
                        .find(|(_, aliases)| aliases.contains(&key.as_str()))
                        .map_or(Field::Custom, |(f, _)| *f)
                });
                let field = if field != Field::Custom && !taken.insert(field) { Field::Custom } else { field };
                (h.clone(), field)
            })
            .collect();
        let mut mapping = ColumnMapping { columns, key: None };
        mapping.key = mapping
            .columns
            .iter()
            .find(|(_, f)| *f == Field::ExternalId)
            .map(|(h, _)| KeyColumn { column: h.clone(), source: KeySource::Header });
        mapping
    }

    fn has(&self, field: Field) -> bool {
        self.columns.iter().any(|(_, f)| *f == field)
    }

    /// Makes `column` the key: it fills `external_id`, and a column mapped there before
    /// becomes a custom field.
    fn set_key(&mut self, column: &str, source: KeySource) {
        for (header, field) in &mut self.columns {
            if header == column {
                *field = Field::ExternalId;
            } else if *field == Field::ExternalId {
                *field = Field::Custom;
            }
        }
        self.key = Some(KeyColumn { column: column.to_owned(), source });
    }
}

/// Reads a mapping file: `[columns]` with `"Header" = "field"` pairs.
pub fn parse_mapping(path: &str, text: &str) -> Result<BTreeMap<String, Field>, ImportError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct MappingFile {
        columns: BTreeMap<String, Field>,
    }
    toml::from_str::<MappingFile>(text)
        .map(|m| m.columns)
        .map_err(|e| ImportError::Mapping { path: path.to_owned(), message: e.to_string().trim().to_owned() })
}

/// What the sniffer found out about the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Dialect {
    pub delimiter: char,
    /// `utf-8` or `windows-1252`.
    pub encoding: &'static str,
    pub bom: bool,
}

/// Guesses delimiter and encoding from the first bytes of a file.
pub fn sniff(sample: &[u8]) -> Dialect {
    let bom = sample.starts_with(&[0xEF, 0xBB, 0xBF]);
    let body = if bom { &sample[3..] } else { sample };
    let encoding = text::encoding_of(body);
    let newline = newline_of(body);
    let lines: Vec<&[u8]> = body.split(|b| *b == newline).filter(|l| !l.is_empty()).take(20).collect();
    let count = |line: &[u8], d: u8| {
        let mut quoted = false;
        line.iter()
            .filter(|b| {
                if **b == b'"' {
                    quoted = !quoted;
                }
                !quoted && **b == d
            })
            .count()
    };
    let delimiter = [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| {
            let counts: Vec<usize> = lines.iter().map(|l| count(l, *d)).collect();
            let first = counts.first().copied().unwrap_or(0);
            let consistent = counts.iter().filter(|c| **c == first).count();
            (first > 0, consistent, first)
        })
        .unwrap_or(b',');
    Dialect { delimiter: delimiter as char, encoding, bom }
}

/// The byte that ends lines: `\n` (LF or CRLF files), or `\r` in files that use nothing else.
fn newline_of(sample: &[u8]) -> u8 {
    if !sample.contains(&b'\n') && sample.contains(&b'\r') { b'\r' } else { b'\n' }
}

/// Decodes one field: UTF-8, or Windows-1252 when the file (or just this field) is not
/// UTF-8. Returns the text (borrowed when it is UTF-8 already) and whether the fallback
/// was used.
fn decode<'a>(bytes: &'a [u8], dialect: &Dialect) -> (std::borrow::Cow<'a, str>, bool) {
    if dialect.encoding == "utf-8"
        && let Ok(s) = std::str::from_utf8(bytes)
    {
        return (std::borrow::Cow::Borrowed(s), false);
    }
    let (text, _, _) = WINDOWS_1252.decode(bytes);
    (text, dialect.encoding == "utf-8")
}

/// Values that mean "not filled in".
pub fn is_placeholder(value: &str) -> bool {
    const PLACEHOLDERS: &[&str] = &[
        "",
        "select",
        "unknown",
        "n/a",
        "na",
        "none",
        "null",
        "nil",
        "-",
        "--",
        "nan",
        "#n/a",
        "not provided",
        "not specified",
        "?",
    ];
    // Every placeholder is ASCII and short: compare without allocating (hot: every field).
    let v = value.trim();
    v.len() <= 15 && PLACEHOLDERS.iter().any(|p| p.eq_ignore_ascii_case(v))
}

/// `-123`, `1234.5` or `12,500,000.50` (commas between groups of three digits), parsed
/// through a stack buffer; anything else is left to [`parse_number`]'s general path.
fn parse_plain_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 40 {
        return None;
    }
    let mut buf = [0u8; 40];
    let mut n = 0;
    let (mut group, mut grouped, mut point) = (0usize, false, false);
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => group += 1,
            b'-' if i == 0 => {}
            b',' if !point && group > 0 && (group <= 3 || !grouped) && (!grouped || group == 3) => {
                if grouped && group != 3 {
                    return None;
                }
                grouped = true;
                group = 0;
                continue;
            }
            b'.' if !point => {
                if grouped && group != 3 {
                    return None;
                }
                point = true;
                group = 0;
            }
            _ => return None,
        }
        buf[n] = c;
        n += 1;
    }
    if grouped && !point && group != 3 {
        return None;
    }
    let text = std::str::from_utf8(&buf[..n]).ok()?;
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Parses a number written with thousands separators, currency signs or a k/m suffix:
/// `1,234`, `$ 12,500.50`, `1.234.567`, `2.5M`, `12 000`.
pub fn parse_number(raw: &str) -> Option<f64> {
    // Plain numbers and `12,500,000` (most cells) parse without the allocations below.
    if let Some(v) = parse_plain_number(raw.trim()) {
        return Some(v);
    }
    let mut s: String =
        raw.trim().chars().filter(|c| !matches!(c, '$' | '€' | '£' | '¥' | ' ' | '\u{a0}' | '\'' | '_')).collect();
    let upper = s.to_uppercase();
    for code in ["USD", "EUR", "GBP", "CNY", "RMB", "JPY"] {
        if let Some(rest) = upper.strip_prefix(code).or_else(|| upper.strip_suffix(code)) {
            s = rest.to_owned();
            break;
        }
    }
    let (s, factor) = match s.chars().last().map(|c| c.to_ascii_lowercase()) {
        Some('k') => (&s[..s.len() - 1], 1e3),
        Some('m') => (&s[..s.len() - 1], 1e6),
        Some('b') => (&s[..s.len() - 1], 1e9),
        _ => (s.as_str(), 1.0),
    };
    let commas = s.matches(',').count();
    let dots = s.matches('.').count();
    let normal = if commas > 0 && dots > 0 {
        // Whichever comes last is the decimal mark.
        if s.rfind(',') > s.rfind('.') { s.replace('.', "").replace(',', ".") } else { s.replace(',', "") }
    } else if dots > 1 {
        s.replace('.', "")
    } else if commas > 1 || (commas == 1 && s.split(',').nth(1).is_some_and(|t| t.len() == 3)) {
        s.replace(',', "")
    } else {
        s.replace(',', ".")
    };
    normal.parse::<f64>().ok().filter(|v| v.is_finite()).map(|v| v * factor)
}

/// `YYYY-MM-DD`, `YYYY-MM-DD HH:MM` or `YYYY-MM-DD HH:MM:SS` (space or `T`, no zone: UTC),
/// read by hand: the shape most exports use, on every row, without trying format strings.
fn parse_iso_datetime(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(range)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
    };
    if !matches!(b.len(), 10 | 16 | 19) || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(digits(0..4)?).ok()?, digits(5..7)?, digits(8..10)?)?;
    let (hour, minute, second) = match b.len() {
        10 => (0, 0, 0),
        _ if !matches!(b[10], b' ' | b'T') || b[13] != b':' => return None,
        16 => (digits(11..13)?, digits(14..16)?, 0),
        _ if b[16] != b':' => return None,
        _ => (digits(11..13)?, digits(14..16)?, digits(17..19)?),
    };
    date.and_hms_opt(hour, minute, second).map(|t| t.and_utc())
}

/// Parses dates and timestamps in the formats CRMs export.
pub fn parse_datetime(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if let Some(t) = parse_iso_datetime(s) {
        return Some(t);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",
        "%d.%m.%Y %H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc());
        }
    }
    for f in ["%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%b-%Y", "%b %d, %Y", "%d %b %Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        }
    }
    // Unix epoch milliseconds, as HubSpot's API exports use.
    s.parse::<i64>().ok().filter(|n| *n > 100_000_000_000).and_then(DateTime::from_timestamp_millis)
}

/// An ISO code for a country name or code, when it is one we know (the core's one country
/// parser, shared with answers and ICP files).
pub fn country_code(raw: &str) -> Option<&'static str> {
    sift_core::country::parse_country(raw)
}

/// Lifecycle stage words of HubSpot and others.
fn stage_from_lifecycle(raw: &str) -> Option<Stage> {
    let key = header_key(raw);
    Some(match key.as_str() {
        "subscriber" | "lead" | "other" | "new" => Stage::Unqualified,
        "marketingqualifiedlead" | "mql" => Stage::Mql,
        "productqualifiedlead" | "pql" => Stage::Pql,
        "salesqualifiedlead" | "sql" => Stage::Sql,
        "opportunity" => Stage::Opportunity,
        "customer" | "evangelist" => Stage::Customer,
        _ => return key.parse::<Stage>().ok(),
    })
}

/// Records what an outcome rule says about the lead.
fn apply_outcome(rule: &OutcomeRule, r: &mut LeadRecord, stages: &mut Vec<Stage>) {
    if let Some(converted) = rule.converted {
        r.converted = Some(converted);
    }
    if let Some(stage) = rule.stage {
        stages.push(stage);
    }
}

/// One rejected row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowError {
    /// 1-based line number of the row in the file (the header is line 1).
    pub row: u64,
    pub column: String,
    pub code: &'static str,
    pub message: String,
    pub original: Vec<String>,
}

/// What the importer worked out for values it has seen before in this file: stage,
/// outcome and country columns hold a few distinct values repeated on every row, and
/// normalising them again each time was a tenth of the reader's work.
#[derive(Default)]
struct RowMemo {
    /// Per outcome field (converted, status, lifecycle stage): the rule index.
    outcomes: [std::collections::HashMap<Box<str>, Option<usize>, crate::record::FnvBuild>; 3],
    lifecycle: std::collections::HashMap<Box<str>, Option<Stage>, crate::record::FnvBuild>,
    countries: std::collections::HashMap<Box<str>, Option<&'static str>, crate::record::FnvBuild>,
}

/// Distinct values remembered per column: beyond this the column is not a category and
/// values are worked out afresh.
const MEMO_LIMIT: usize = 4096;

fn remember<T: Copy>(
    map: &mut std::collections::HashMap<Box<str>, T, crate::record::FnvBuild>,
    value: &str,
    work: impl FnOnce() -> T,
) -> T {
    if let Some(known) = map.get(value) {
        return *known;
    }
    let result = work();
    if map.len() < MEMO_LIMIT {
        map.insert(value.into(), result);
    }
    result
}

impl RowMemo {
    fn outcome<'o>(&mut self, outcomes: &'o Outcomes, field: Field, value: &str) -> Option<&'o OutcomeRule> {
        let slot = match field {
            Field::Converted => 0,
            Field::Status => 1,
            _ => 2,
        };
        remember(&mut self.outcomes[slot], value, || outcomes.find_index(field, value)).map(|i| &outcomes.rules()[i])
    }

    fn lifecycle(&mut self, value: &str) -> Option<Stage> {
        remember(&mut self.lifecycle, value, || stage_from_lifecycle(value))
    }

    fn country(&mut self, value: &str) -> Option<&'static str> {
        remember(&mut self.countries, value, || country_code(value))
    }
}

/// Turns one decoded row into a record, or says what is wrong with it.
fn build_record(
    mapping: &ColumnMapping,
    fields: &[std::borrow::Cow<'_, str>],
    row: u64,
    file: &str,
    rules: &LeadTypeRules,
    outcomes: &Outcomes,
    memo: &mut RowMemo,
) -> Result<LeadRecord, RowError> {
    let reject = |column: &str, code: &'static str, message: String| RowError {
        row,
        column: column.to_owned(),
        code,
        message,
        original: fields.iter().map(|f| f.clone().into_owned()).collect(),
    };
    let mut r =
        LeadRecord { source_file: Some(file.to_owned()), source_row: Some(row as i64), ..LeadRecord::default() };
    let mut full_name = None;
    let mut status_stage = None;
    // Stages stated by outcome words: won (customer), lost (disqualified).
    let mut outcome_stages: Vec<Stage> = Vec::new();
    let mut created = None;
    let mut activities = Vec::new();
    for (i, (header, field)) in mapping.columns.iter().enumerate() {
        let raw = fields.get(i).map(|f| f.as_ref()).unwrap_or_default();
        let value = raw.trim();
        if *field == Field::Custom {
            if !header.trim().is_empty() && !is_placeholder(value) {
                r.custom_fields.insert(header.clone(), value.to_owned());
            }
            continue;
        }
        if is_placeholder(value) {
            continue;
        }
        // Only the fields kept as text copy the value.
        let text = || Some(value.to_owned());
        match field {
            Field::ExternalId => r.external_id = text(),
            Field::FirstName => r.first_name = text(),
            Field::LastName => r.last_name = text(),
            Field::FullName => full_name = text(),
            Field::Email => {
                let email = value.to_lowercase();
                let valid =
                    email.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'))
                        && !email.contains(char::is_whitespace);
                if !valid {
                    return Err(reject(header, "invalid_email", format!("`{value}` is not an email address")));
                }
                r.email = Some(email);
            }
            Field::Phone => r.phone = text(),
            Field::Title => r.title = text(),
            Field::Company => r.company = text(),
            Field::Domain => r.domain = Some(sift_core::lead::normalize_domain(value)),
            Field::Industry => r.industry = text(),
            Field::Employees => {
                // Ranges such as `51-200` keep their lower bound.
                let first = value.split(['-', '–']).next().unwrap_or(value).trim_end_matches('+');
                match parse_number(first) {
                    Some(n) if n >= 0.0 => r.employees = Some(n.round() as i64),
                    _ => {
                        return Err(reject(
                            header,
                            "invalid_number",
                            format!("`{value}` is not a number of employees"),
                        ));
                    }
                }
            }
            Field::AnnualRevenue => match parse_number(value) {
                Some(n) if n >= 0.0 => r.annual_revenue = Some(n),
                _ => return Err(reject(header, "invalid_number", format!("`{value}` is not an amount"))),
            },
            Field::Country => r.country = Some(memo.country(value).map_or_else(|| value.to_owned(), str::to_owned)),
            Field::Source => r.source = text(),
            Field::LifecycleStage => {
                r.stage = memo.lifecycle(value).unwrap_or(Stage::Unqualified);
                if let Some(rule) = memo.outcome(outcomes, Field::LifecycleStage, value) {
                    apply_outcome(rule, &mut r, &mut outcome_stages);
                }
            }
            Field::Status => {
                if let Some(rule) = memo.outcome(outcomes, Field::Status, value) {
                    r.converted = rule.converted.or(r.converted);
                    match rule.stage {
                        Some(Stage::Customer | Stage::Disqualified) => apply_outcome(rule, &mut r, &mut outcome_stages),
                        other => status_stage = other,
                    }
                }
                r.crm_status = text();
            }
            Field::Converted => match memo.outcome(outcomes, Field::Converted, value) {
                Some(rule) => apply_outcome(rule, &mut r, &mut outcome_stages),
                None => {
                    let known: Vec<&str> = outcomes
                        .for_field(Field::Converted)
                        .flat_map(|r| r.values.iter().map(String::as_str))
                        .take(8)
                        .collect();
                    return Err(reject(
                        header,
                        "invalid_outcome",
                        format!("`{value}` is not an outcome this importer knows (such as {})", known.join(", ")),
                    ));
                }
            },
            Field::CreatedAt => match parse_datetime(value) {
                Some(t) => created = Some(t),
                None => {
                    return Err(reject(header, "invalid_date", format!("`{value}` is not a date this importer knows")));
                }
            },
            Field::Conversion => {
                let key = header_key(value);
                // Leads.csv's `Lead Origin` says how the lead arrived; only form-like origins are conversions.
                if key.contains("trial") || (key.contains("signup") && !key.contains("newsletter")) {
                    activities.push((ActivityKind::TrialSignup, 1));
                } else if header_key(header) != "leadorigin" || key.contains("form") || key.contains("submission") {
                    activities.push((ActivityKind::FormSubmission, 1));
                }
                r.custom_fields.insert(header.clone(), value.to_owned());
            }
            Field::Visits => {
                match parse_number(value) {
                    Some(n) if n >= 0.0 => activities.push((ActivityKind::PageView, n.min(f64::from(u32::MAX)) as u32)),
                    _ => return Err(reject(header, "invalid_number", format!("`{value}` is not a count of visits"))),
                }
                r.custom_fields.insert(header.clone(), value.to_owned());
            }
            Field::Custom => {}
        }
    }
    if r.first_name.is_none()
        && r.last_name.is_none()
        && let Some(name) = full_name
    {
        match name.rsplit_once(' ') {
            Some((first, last)) => {
                r.first_name = Some(first.to_owned());
                r.last_name = Some(last.to_owned());
            }
            None => r.first_name = Some(name),
        }
    }
    if r.domain.is_none()
        && let Some(email) = &r.email
        && let Some((_, d)) = email.rsplit_once('@')
        && !sift_core::lead::is_free_mail_domain(d)
    {
        r.domain = Some(d.to_owned());
    }
    // Which statement decides the stage (data/outcomes.toml explains the order): customer,
    // then a lost outcome, then the lifecycle column, then status words, then activity.
    if outcome_stages.contains(&Stage::Customer) || r.stage == Stage::Customer {
        r.stage = Stage::Customer;
    } else if outcome_stages.contains(&Stage::Disqualified) {
        r.stage = Stage::Disqualified;
    } else if r.stage == Stage::Unqualified
        && let Some(stage) = status_stage
    {
        r.stage = stage;
    }
    if r.stage == Stage::Unqualified {
        if let Some(decision) = rules.classify_counts(&activities) {
            r.stage = decision.stage;
            r.lead_type_rule = Some(decision.rule);
        }
    }
    if let Some(t) = created {
        r.custom_fields.insert("created_at".into(), t.to_rfc3339());
    }
    r.dedupe_key = match (&r.external_id, &r.email) {
        (Some(id), _) => format!("ext:{id}"),
        (None, Some(email)) => format!("email:{email}"),
        (None, None) => String::new(),
    };
    r.row_hash = r.compute_hash();
    if r.dedupe_key.is_empty() {
        r.dedupe_key = format!("row:{}", r.row_hash);
    }
    Ok(r)
}

/// Import settings.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub batch_size: usize,
    pub overrides: BTreeMap<String, Field>,
    pub rules: LeadTypeRules,
    /// The column that identifies each lead (`--key`); default: a CRM id column, else one
    /// detected (see [`keys`]).
    pub key: Option<String>,
    /// What outcome words mean; default: `data/outcomes.toml`.
    pub outcomes: Outcomes,
}

impl ImportOptions {
    /// The allowed batch sizes (rows per transaction). A batch is held in memory twice over
    /// (two in flight), at about 1 KB a row: 50,000 rows keeps that near 100 MB.
    pub const BATCH_SIZES: std::ops::RangeInclusive<usize> = 1..=50_000;

    /// Refuses settings out of range, naming the allowed range.
    pub fn validate(&self) -> Result<(), ImportError> {
        if !Self::BATCH_SIZES.contains(&self.batch_size) {
            return Err(ImportError::Options(format!(
                "batch size `{}` is out of range: give {} to {} rows per transaction",
                self.batch_size,
                Self::BATCH_SIZES.start(),
                Self::BATCH_SIZES.end()
            )));
        }
        Ok(())
    }
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            batch_size: 5_000,
            overrides: BTreeMap::new(),
            rules: LeadTypeRules::default(),
            key: None,
            outcomes: Outcomes::default(),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub file: String,
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rows that repeat an earlier row of the same file (same id, email or content).
    pub duplicates: u64,
    pub rejected: u64,
    /// Fields that were not UTF-8 in a UTF-8 file and were read as Windows-1252.
    pub fields_decoded_as_windows_1252: u64,
    /// The column that identified each lead, if any.
    pub key: Option<KeyColumn>,
    /// Rows with no id and no email, matched to stored leads by their whole content.
    pub matched_by_content: u64,
    /// Updated leads whose stage in the file cannot be reached from their stored stage by
    /// allowed moves (a customer stays a customer): the stored stage was kept.
    pub stage_kept: u64,
    pub dialect: Option<Dialect>,
    pub mapping: Vec<(String, Field)>,
    /// The import run's id (`import_runs`).
    pub run: i64,
    /// The interrupted earlier run of this file that this import took over: rows it had
    /// stored are found unchanged now, the rest are imported.
    pub resumes: Option<ImportRun>,
}

impl ImportSummary {
    /// What a person should know about this import beyond the counts, one sentence each.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(run) = &self.resumes {
            notes.push(format!(
                "This import takes over run {} of the same file, interrupted after {} rows (last batch committed {}): \
                 rows that run stored count as unchanged now, and the rest are imported.",
                run.id,
                run.rows_read,
                run.heartbeat_at.as_deref().unwrap_or(&run.started_at),
            ));
        }
        if self.stage_kept > 0 {
            notes.push(format!(
                "{} lead(s) kept their stored stage: the file puts them at a stage the lifecycle does not allow \
                 them to move to (a customer stays a customer); their other fields were updated.",
                self.stage_kept
            ));
        }
        if self.matched_by_content > 0 {
            notes.push(format!(
                "{} row(s) had no id and no email, so they were matched to stored leads by their whole content: \
                 if such a row changes in a later export (a new job title, say), re-importing it adds a new lead \
                 instead of updating this one. Give the file an id column, or name one with --key COLUMN.",
                self.matched_by_content
            ));
        }
        notes
    }
}

/// How one outcome column of a file will be read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeColumn {
    pub column: String,
    pub field: Field,
    /// Each value seen in the first rows (most frequent first), how often, and the rule it
    /// matches (`None`: no outcome; in a `converted` column such a row is rejected).
    pub values: Vec<(String, usize, Option<OutcomeRule>)>,
}

/// What an import of a file would do, without importing (`--dry-run`).
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    pub file: String,
    pub dialect: Dialect,
    pub mapping: Vec<(String, Field)>,
    pub key: Option<KeyColumn>,
    /// The rows the outcome values were read from (the first block of the file).
    pub rows_sampled: usize,
    pub outcomes: Vec<OutcomeColumn>,
}

impl Inspection {
    /// The inspection in sentences, for people: the key and the outcome mapping.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = vec![match &self.key {
            Some(key) => format!("Leads are identified by {}.", key.describe()),
            None if self.mapping.iter().any(|(_, f)| *f == Field::Email) => {
                "Leads are identified by their email; rows without one are matched by their whole content.".to_owned()
            }
            None => {
                "No id or email column: every row is matched by its whole content (pass --key COLUMN to name an id)."
                    .to_owned()
            }
        }];
        for column in &self.outcomes {
            lines.push(format!("Outcomes in `{}` (first {} rows):", column.column, self.rows_sampled));
            for (value, count, rule) in &column.values {
                let meaning = match rule {
                    Some(rule) => {
                        let mut parts = vec![rule.name.clone()];
                        if let Some(stage) = rule.stage {
                            parts.push(format!("stage {stage}"));
                        }
                        if let Some(converted) = rule.converted {
                            parts.push(format!("converted {converted}"));
                        }
                        parts.join(", ")
                    }
                    None if column.field == Field::Converted => "not an outcome: the row is rejected".to_owned(),
                    None => "no outcome".to_owned(),
                };
                lines.push(format!("  `{value}` x{count} -> {meaning}"));
            }
        }
        lines
    }
}

/// Sniffs the file, maps its columns, chooses its key and reads how its outcome columns map
/// to stages, without importing anything.
pub fn inspect_file(path: &Path, options: &ImportOptions) -> Result<Inspection, ImportError> {
    let source = open_csv(path)?;
    let mapping = read_mapping(&source, path, options)?;
    let sample = sample_rows(&source, 5_000);
    let mut outcomes = Vec::new();
    for (index, (column, field)) in mapping.columns.iter().enumerate() {
        if !matches!(field, Field::Converted | Field::Status | Field::LifecycleStage) {
            continue;
        }
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for row in &sample {
            let value = row.get(index).map(|v| v.trim()).unwrap_or("");
            if !is_placeholder(value) {
                *counts.entry(value.to_owned()).or_default() += 1;
            }
        }
        let mut values: Vec<(String, usize, Option<OutcomeRule>)> = counts
            .into_iter()
            .map(|(value, count)| {
                let rule = options.outcomes.find(*field, &value).cloned();
                (value, count, rule)
            })
            .collect();
        values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        values.truncate(20);
        outcomes.push(OutcomeColumn { column: column.clone(), field: *field, values });
    }
    Ok(Inspection {
        file: path.display().to_string(),
        dialect: source.dialect,
        mapping: mapping.columns.clone(),
        key: mapping.key.clone(),
        rows_sampled: sample.len(),
        outcomes,
    })
}

/// Reads the header and sniffs the file without importing anything (for `--dry-run`).
pub fn inspect(path: &Path, overrides: &BTreeMap<String, Field>) -> Result<(Dialect, ColumnMapping), ImportError> {
    let source = open_csv(path)?;
    let options = ImportOptions { overrides: overrides.clone(), ..ImportOptions::default() };
    let mapping = read_mapping(&source, path, &options)?;
    Ok((source.dialect, mapping))
}

/// One row of a preview: its line in the file, its cells, and why it would be rejected.
#[derive(Debug, Clone, Serialize)]
pub struct PreviewRow {
    pub row: u64,
    pub cells: Vec<String>,
    pub rejected: Option<RowError>,
}

/// What an import would do with the first rows of a file, read exactly as the import reads
/// them (same mapping, key, checks), with nothing written.
#[derive(Debug, Clone, Serialize)]
pub struct RowsPreview {
    pub dialect: Dialect,
    pub headers: Vec<String>,
    pub mapping: ColumnMapping,
    /// The first `show` rows.
    pub rows: Vec<PreviewRow>,
    /// How many rows were checked (the first block, at most `check`).
    pub checked: usize,
    /// The rejected rows among those checked (at most `show` kept; `rejected` counts all).
    pub rejects: Vec<RowError>,
    pub rejected: usize,
}

/// Checks the first `check` rows of a file as an import would, keeping the first `show`
/// rows and rejects; nothing is stored.
pub fn preview_rows(
    path: &Path,
    options: &ImportOptions,
    check: usize,
    show: usize,
) -> Result<RowsPreview, ImportError> {
    let source = open_csv(path)?;
    let mapping = read_mapping(&source, path, options)?;
    let file_name = path.display().to_string();
    let expected = source.headers.len();
    let mut memo = RowMemo::default();
    let mut preview = RowsPreview {
        dialect: source.dialect,
        headers: source.headers.clone(),
        mapping: mapping.clone(),
        rows: Vec::new(),
        checked: 0,
        rejects: Vec::new(),
        rejected: 0,
    };
    let Some(block) = &source.first else { return Ok(preview) };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(source.dialect.delimiter as u8)
        .flexible(true)
        .has_headers(false)
        .from_reader(&block.bytes[..]);
    let mut lines = LineCounter::new(block, source.newline);
    let mut record = csv::ByteRecord::new();
    while preview.checked < check {
        let started = reader.position().byte() as usize;
        if !reader.read_byte_record(&mut record).unwrap_or(false) {
            break;
        }
        let row = lines.line_at(record.position().map_or(started, |p| p.byte() as usize));
        preview.checked += 1;
        let fields: Vec<std::borrow::Cow<'_, str>> = record.iter().map(|f| decode(f, &source.dialect).0).collect();
        let too_many = fields.len() > expected && fields[expected..].iter().any(|f| !f.trim().is_empty());
        let rejected = if fields.len() < expected || too_many {
            Some(RowError {
                row,
                column: String::new(),
                code: "wrong_field_count",
                message: format!("{} fields where the header has {expected}", fields.len()),
                original: fields.iter().map(|f| f.clone().into_owned()).collect(),
            })
        } else {
            build_record(&mapping, &fields, row, &file_name, &options.rules, &options.outcomes, &mut memo).err()
        };
        if let Some(e) = &rejected {
            preview.rejected += 1;
            if preview.rejects.len() < show {
                preview.rejects.push(e.clone());
            }
        }
        if preview.rows.len() < show {
            preview.rows.push(PreviewRow {
                row,
                cells: fields.into_iter().map(std::borrow::Cow::into_owned).collect(),
                rejected,
            });
        }
    }
    Ok(preview)
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> ImportError + '_ {
    move |source| ImportError::Io { path: path.display().to_string(), source }
}

/// An open CSV file: its dialect, its header and the blocks of records after it.
struct CsvSource {
    dialect: Dialect,
    newline: u8,
    headers: Vec<String>,
    /// The rest of the first block, after the header.
    first: Option<Block>,
    blocks: BlockReader<File>,
}

fn block_error(path: &Path) -> impl Fn(BlockError) -> ImportError + '_ {
    move |e| match e {
        BlockError::Io(source) => ImportError::Io { path: path.display().to_string(), source },
        BlockError::RecordTooLong { line } => ImportError::RecordTooLong { path: path.display().to_string(), line },
    }
}

/// Opens a CSV file: checks that it is text, sniffs its dialect and reads its header.
fn open_csv(path: &Path) -> Result<CsvSource, ImportError> {
    let name = || path.display().to_string();
    let mut file = File::open(path).map_err(io_err(path))?;
    if file.metadata().map_err(io_err(path))?.is_dir() {
        return Err(ImportError::Io { path: name(), source: std::io::Error::other("it is a directory, not a file") });
    }
    let mut sample = vec![0u8; 64 * 1024];
    let mut filled = 0;
    while filled < sample.len() {
        let n = file.read(&mut sample[filled..]).map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    sample.truncate(filled);
    text::check_text(&sample).map_err(|reason| ImportError::NotText { path: name(), reason })?;
    if sample.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty { path: name() });
    }
    let dialect = sniff(&sample);
    let body = if dialect.bom { &sample[3..] } else { &sample[..] };
    let newline = newline_of(body);
    let start = if dialect.bom { 3 } else { 0 };
    file.seek(SeekFrom::Start(start)).map_err(io_err(path))?;
    let mut blocks = BlockReader::new(file, dialect.delimiter as u8, newline, 1, start);
    let Some(block) = blocks.next_block().map_err(block_error(path))? else {
        return Err(ImportError::Empty { path: name() });
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(dialect.delimiter as u8)
        .flexible(true)
        .has_headers(false)
        .from_reader(&block.bytes[..]);
    let mut header = csv::ByteRecord::new();
    let mut counter = LineCounter::new(&block, newline);
    let read = reader.read_byte_record(&mut header);
    let line = counter.line_at(header.position().map_or(0, |p| p.byte() as usize));
    match read {
        Ok(true) => {}
        Ok(false) => return Err(ImportError::Empty { path: name() }),
        Err(e) => return Err(ImportError::BadHeader { path: name(), line, message: e.to_string() }),
    }
    let headers: Vec<String> = header.iter().map(|h| decode(h, &dialect).0.trim().to_owned()).collect();
    text::check_header(&headers).map_err(|message| ImportError::BadHeader { path: name(), line, message })?;
    let header_end = (reader.position().byte() as usize).min(block.bytes.len());
    let first = Block {
        first_line: block.first_line + blocks::count_lines(&block.bytes[..header_end], newline),
        bytes: block.bytes[header_end..].to_vec(),
        end_byte: block.end_byte,
    };
    Ok(CsvSource { dialect, newline, headers, first: Some(first), blocks })
}

/// Rows of the first block, decoded, for choosing a key column.
fn sample_rows(source: &CsvSource, limit: usize) -> Vec<Vec<String>> {
    let Some(block) = &source.first else { return Vec::new() };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(source.dialect.delimiter as u8)
        .flexible(true)
        .has_headers(false)
        .from_reader(&block.bytes[..]);
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    while rows.len() < limit && reader.read_byte_record(&mut record).unwrap_or(false) {
        rows.push(record.iter().map(|f| decode(f, &source.dialect).0.into_owned()).collect());
    }
    rows
}

/// Maps the columns and chooses the key: `--key`, else a CRM id column, else (in a file
/// with neither ids nor emails) a detected one.
fn read_mapping(source: &CsvSource, path: &Path, options: &ImportOptions) -> Result<ColumnMapping, ImportError> {
    let headers = &source.headers;
    let unknown: Vec<&String> = options.overrides.keys().filter(|k| !headers.contains(k)).collect();
    if !unknown.is_empty() {
        return Err(ImportError::MappingColumns {
            path: path.display().to_string(),
            missing: unknown.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "),
        });
    }
    let mut mapping = ColumnMapping::new(headers, &options.overrides);
    if let Some(key) = &options.key {
        let Some(column) = headers.iter().find(|h| *h == key || h.eq_ignore_ascii_case(key)) else {
            return Err(ImportError::Options(format!(
                "key column `{key}` is not in `{}`; its columns are: {}",
                path.display(),
                headers.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ")
            )));
        };
        let column = column.clone();
        mapping.set_key(&column, KeySource::Option);
    } else if !mapping.has(Field::ExternalId) && !mapping.has(Field::Email) {
        let candidates: Vec<(usize, &str)> = mapping
            .columns
            .iter()
            .enumerate()
            .filter(|(_, (_, f))| *f == Field::Custom)
            .map(|(i, (h, _))| (i, h.as_str()))
            .collect();
        if let Some(found) = keys::detect(&candidates, &sample_rows(source, 5_000)) {
            let column = found.column.clone();
            mapping.set_key(&column, found.source);
        }
    }
    Ok(mapping)
}

/// Opens the error report for writing: a CSV (every cell neutralised against formula
/// injection) whose rows vary in length, as the original row is appended as read.
pub fn error_report_writer(path: &Path) -> std::io::Result<CsvWriter<File>> {
    File::create(path).map(CsvWriter::new)
}

/// Progress reports from an import: bytes read so far.
pub trait Progress: Send + Sync {
    fn advance(&self, bytes: u64);
}

impl Progress for () {
    fn advance(&self, _bytes: u64) {}
}

/// Rows read and checked by the reader thread, on their way to the writer.
#[derive(Default)]
struct Chunk {
    batch: Vec<LeadRecord>,
    rejected: Vec<RowError>,
    /// File offset read up to.
    bytes: u64,
    /// Fields decoded as Windows-1252 in a UTF-8 file.
    fallback: u64,
    rows: u64,
    matched_by_content: u64,
}

/// A chunk after the SQLite writer thread committed its batch.
type Written = Result<(Chunk, Option<BatchOutcome>), ImportError>;

/// Reads every record after the header, turns them into lead records in batches of
/// `batch_size`, and hands each batch to `send` (which returns false when the writer has
/// stopped).
fn read_rows(
    mut source: CsvSource,
    path: &Path,
    mapping: &ColumnMapping,
    rules: &LeadTypeRules,
    outcomes: &Outcomes,
    batch_size: usize,
    send: &mut dyn FnMut(Chunk) -> bool,
) -> Result<(), ImportError> {
    let file_name = path.display().to_string();
    let dialect = source.dialect;
    let expected = mapping.columns.len();
    let mut chunk = Chunk { batch: Vec::with_capacity(batch_size), ..Chunk::default() };
    let mut record = csv::ByteRecord::new();
    let mut memo = RowMemo::default();
    let mut next = source.first.take();
    loop {
        let block = match next.take() {
            Some(b) => b,
            None => match source.blocks.next_block().map_err(block_error(path))? {
                Some(b) => b,
                None => break,
            },
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(dialect.delimiter as u8)
            .flexible(true)
            .has_headers(false)
            .from_reader(&block.bytes[..]);
        let mut lines = LineCounter::new(&block, source.newline);
        loop {
            let started = reader.position().byte() as usize;
            let read = reader.read_byte_record(&mut record);
            let row = lines.line_at(record.position().map_or(started, |p| p.byte() as usize));
            match read {
                Ok(false) => break,
                Ok(true) => {
                    chunk.rows += 1;
                    let fields: Vec<std::borrow::Cow<'_, str>> = record
                        .iter()
                        .map(|f| {
                            let (text, used) = decode(f, &dialect);
                            chunk.fallback += u64::from(used);
                            text
                        })
                        .collect();
                    // A trailing empty field (as in exports that end every line with a
                    // delimiter) is not a shape error.
                    let too_many = fields.len() > expected && fields[expected..].iter().any(|f| !f.trim().is_empty());
                    if fields.len() < expected || too_many {
                        chunk.rejected.push(RowError {
                            row,
                            column: String::new(),
                            code: "wrong_field_count",
                            message: format!("{} fields where the header has {expected}", fields.len()),
                            original: fields.into_iter().map(std::borrow::Cow::into_owned).collect(),
                        });
                    } else {
                        match build_record(mapping, &fields, row, &file_name, rules, outcomes, &mut memo) {
                            Ok(r) => {
                                chunk.matched_by_content += u64::from(r.dedupe_key.starts_with("row:"));
                                chunk.batch.push(r);
                            }
                            Err(e) => chunk.rejected.push(e),
                        }
                    }
                }
                Err(e) => {
                    // Byte records in flexible mode fail only on I/O, which a block in
                    // memory does not do; kept so that a surprise is reported, not lost.
                    chunk.rows += 1;
                    chunk.rejected.push(RowError {
                        row,
                        column: String::new(),
                        code: "malformed_csv",
                        message: e.to_string(),
                        original: Vec::new(),
                    });
                    break;
                }
            }
            if chunk.batch.len() >= batch_size {
                chunk.bytes = block.end_byte;
                let full =
                    std::mem::replace(&mut chunk, Chunk { batch: Vec::with_capacity(batch_size), ..Chunk::default() });
                if !send(full) {
                    return Ok(());
                }
            }
        }
        chunk.bytes = block.end_byte;
    }
    send(chunk);
    Ok(())
}

/// Imports a CSV file into the store. Rejected rows go to `errors` (a CSV writer) when
/// given. Every batch is committed on its own, so an interrupted import keeps whole batches
/// and a re-run completes it without duplicates.
pub async fn import_csv(
    store: &Store,
    path: &Path,
    options: &ImportOptions,
    mut errors: Option<&mut CsvWriter<File>>,
    progress: &dyn Progress,
) -> Result<ImportSummary, ImportError> {
    options.validate()?;
    let source = open_csv(path)?;
    let mapping = read_mapping(&source, path, options)?;
    let file_name = path.display().to_string();
    let mut summary = ImportSummary {
        file: file_name.clone(),
        dialect: Some(source.dialect),
        mapping: mapping.columns.clone(),
        key: mapping.key.clone(),
        ..ImportSummary::default()
    };
    if let Some(w) = errors.as_deref_mut() {
        let mut header = vec!["source_row".to_owned(), "column".into(), "error_code".into(), "message".into()];
        header.extend(mapping.columns.iter().map(|(h, _)| h.clone()));
        w.write_record(&header).map_err(|source| ImportError::Report { source })?;
    }

    let (run, resumes) = store.start_import_run(&file_name).await?;
    summary.run = run;
    summary.resumes = resumes;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Chunk, ImportError>>(2);
    let batch_size = options.batch_size;
    let rules = options.rules.clone();
    let outcomes = options.outcomes.clone();
    let reader_mapping = mapping.clone();
    let reader_path = path.to_path_buf();
    let reader_thread = std::thread::Builder::new().name("import-reader".into()).spawn(move || {
        let mut send = |chunk: Chunk| tx.blocking_send(Ok(chunk)).is_ok();
        let result = read_rows(source, &reader_path, &reader_mapping, &rules, &outcomes, batch_size, &mut send);
        if let Err(e) = result {
            let _ = tx.blocking_send(Err(e));
        }
    });
    let thread_error = |source| ImportError::Io { path: file_name.clone(), source };
    let reader_thread = reader_thread.map_err(thread_error)?;
    // On SQLite a writer thread commits the batches (prepared statements, see
    // `sqlite_writer`) between the reader and this loop; on PostgreSQL this loop does.
    let (written_tx, mut written_rx) = tokio::sync::mpsc::channel::<Written>(2);
    let writer_thread = store.sqlite_path().map(|db| {
        let db = db.to_path_buf();
        let mut chunks = std::mem::replace(&mut rx, tokio::sync::mpsc::channel(1).1);
        std::thread::Builder::new().name("import-writer".into()).spawn(move || {
            let mut writer = match SqliteWriter::open(&db) {
                Ok(w) => w,
                Err(e) => {
                    let _ = written_tx.blocking_send(Err(e.into()));
                    return;
                }
            };
            while let Some(message) = chunks.blocking_recv() {
                let forward = message.and_then(|chunk| {
                    let progress = RunProgress { run, rows: chunk.rows, rejected: chunk.rejected.len() as u64 };
                    let outcome = if chunk.batch.is_empty() {
                        None
                    } else {
                        Some(writer.write(&chunk.batch, Some(&progress)).map_err(ImportError::from)?)
                    };
                    // The batch travels on and is freed by the loop below, off this thread.
                    Ok((chunk, outcome))
                });
                let failed = forward.is_err();
                if written_tx.blocking_send(forward).is_err() || failed {
                    return;
                }
            }
        })
    });
    let writer_thread = writer_thread.transpose().map_err(thread_error)?;

    let mut total = BatchOutcome::default();
    let mut result = Ok(());
    let (mut written, mut next_statistics) = (0u64, 10_000u64);
    loop {
        let message = if writer_thread.is_some() {
            written_rx.recv().await
        } else {
            rx.recv().await.map(|m| m.map(|chunk| (chunk, None)))
        };
        let Some(message) = message else { break };
        let (Chunk { batch, rejected, bytes, fallback, rows, matched_by_content }, committed) = match message {
            Ok(step) => step,
            Err(e) => {
                result = Err(e);
                break;
            }
        };
        summary.rows += rows;
        summary.matched_by_content += matched_by_content;
        summary.fields_decoded_as_windows_1252 += fallback;
        summary.rejected += rejected.len() as u64;
        if let Some(w) = errors.as_deref_mut() {
            for e in &rejected {
                let mut line = vec![e.row.to_string(), e.column.clone(), e.code.to_owned(), e.message.clone()];
                line.extend(e.original.iter().cloned());
                if let Err(source) = w.write_record(&line) {
                    result = Err(ImportError::Report { source });
                }
            }
        }
        let run_progress = RunProgress { run, rows, rejected: rejected.len() as u64 };
        let outcome = match committed {
            Some(o) => Ok(o),
            None if batch.is_empty() => {
                store.record_import_progress(&run_progress).await.map(|()| BatchOutcome::default())
            }
            None => store.upsert_leads_tracked(&batch, Some(&run_progress)).await,
        };
        match outcome {
            Ok(o) => {
                written += o.inserted;
                if written >= next_statistics {
                    // PostgreSQL plans the batch lookups from table statistics; on a
                    // table that grew from empty they say "tiny" and the lookups turn
                    // into scans, so refresh them each time the import doubles.
                    if let Err(e) = store.refresh_statistics().await {
                        result = Err(e.into());
                        break;
                    }
                    next_statistics = written * 2;
                }
                total.inserted += o.inserted;
                total.updated += o.updated;
                total.unchanged += o.unchanged;
                total.duplicates += o.duplicates;
                total.stage_kept += o.stage_kept;
            }
            Err(e) => {
                result = Err(e.into());
                break;
            }
        }
        progress.advance(bytes);
    }
    drop(written_rx);
    if let Some(writer) = writer_thread {
        let _ = writer.join();
    }
    drop(rx);
    let _ = reader_thread.join();
    if result.is_ok()
        && let Some(w) = errors
    {
        result = w.flush().map_err(|e| ImportError::Report { source: e.into() });
    }
    if let Err(e) = result {
        // Best effort: the run is marked failed with the reason; if even that cannot be
        // written, its heartbeat stops and it shows as interrupted.
        let _ = store.fail_import_run(run, &e.to_string()).await;
        return Err(e);
    }
    summary.inserted = total.inserted;
    summary.updated = total.updated;
    summary.unchanged = total.unchanged;
    summary.duplicates = total.duplicates;
    summary.stage_kept = total.stage_kept;
    store.finish_import_run(run, total, summary.rejected).await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_listed_once_under_its_serde_name() {
        for field in Field::ALL {
            assert_eq!(serde_json::to_value(field).expect("json"), serde_json::json!(field.name()));
            assert_eq!(Field::parse(field.name()), Some(field));
        }
        let unique: std::collections::BTreeSet<Field> = Field::ALL.into_iter().collect();
        assert_eq!(unique.len(), Field::ALL.len());
        assert_eq!(Field::parse("salary"), None);
    }

    #[test]
    fn the_sniffer_finds_delimiters_encodings_and_boms() {
        let check = |bytes: &[u8], delimiter: char, encoding: &str, bom: bool| {
            assert_eq!(
                sniff(bytes),
                Dialect { delimiter, encoding: if encoding == "utf-8" { "utf-8" } else { "windows-1252" }, bom }
            );
        };
        check(b"a,b,c\n1,2,3\n", ',', "utf-8", false);
        check(b"\"age\";\"job\"\n1;\"x;y\"\n", ';', "utf-8", false);
        check(b"a\tb\n1\t2\n", '\t', "utf-8", false);
        check(b"\xEF\xBB\xBFa,b\r\n1,2\r\n", ',', "utf-8", true);
        check(b"name,city\nM\xfcller,K\xf6ln\n", ',', "windows-1252", false);
        check(b"\"a,b\",c\n\"1,2\",3\n", ',', "utf-8", false);
    }

    #[test]
    fn placeholders_numbers_and_dates_normalise() {
        for p in ["", "Select", "unknown", "N/A", " null ", "-"] {
            assert!(is_placeholder(p), "{p:?}");
        }
        assert!(!is_placeholder("Selected"));
        let check = |raw: &str, expected: Option<f64>| assert_eq!(parse_number(raw), expected, "{raw}");
        check("1,234", Some(1234.0));
        check("$ 12,500.50", Some(12500.5));
        check("1.234.567", Some(1_234_567.0));
        check("1.234,5", Some(1234.5));
        check("2.5M", Some(2_500_000.0));
        check("12 000", Some(12000.0));
        check("3,5", Some(3.5));
        check("EUR 40k", Some(40_000.0));
        check("lots", None);
        // The stack-buffer path agrees with the general one.
        check("12,500,000", Some(12_500_000.0));
        check("12,500,000.25", Some(12_500_000.25));
        check("-7", Some(-7.0));
        check("1,5", Some(1.5));
        check("12,50", Some(12.5));
        check("1,2345", Some(1.2345));
        check("1234,567", Some(1_234_567.0));
        check("1.", Some(1.0));
        check(".5", Some(0.5));
        for d in
            ["2026-03-01", "03/01/2026", "01.03.2026", "2026-03-01 10:00:00", "2026-03-01T10:00:00Z", "Mar 1, 2026"]
        {
            assert_eq!(parse_datetime(d).map(|t| t.date_naive().to_string()).as_deref(), Some("2026-03-01"), "{d}");
        }
        assert_eq!(parse_datetime("soon"), None);
        let check = |raw: &str, expected: Option<&str>| {
            assert_eq!(parse_datetime(raw).map(|t| t.to_rfc3339()).as_deref(), expected, "{raw}");
        };
        check("2026-03-01 10:07", Some("2026-03-01T10:07:00+00:00"));
        check("2026-03-01T10:07:09", Some("2026-03-01T10:07:09+00:00"));
        check("2026-03-01T10:07:09+02:00", Some("2026-03-01T08:07:09+00:00"));
        check("2026-13-01", None);
        check("2026-02-30 10:00", None);
        check("2026-03-01 25:00", None);
    }

    #[test]
    fn headers_map_for_hubspot_salesforce_and_sheets() {
        let headers: Vec<String> = [
            "First Name",
            "LASTNAME",
            "Email",
            "Company Name",
            "Annual Revenue",
            "NumberOfEmployees",
            "LeadSource",
            "Lifecycle Stage",
            "Lead Status",
            "Country/Region",
            "höbbela",
            "Email",
        ]
        .map(str::to_owned)
        .to_vec();
        let m = ColumnMapping::new(&headers, &BTreeMap::new());
        let fields: Vec<Field> = m.columns.iter().map(|(_, f)| *f).collect();
        assert_eq!(
            fields,
            [
                Field::FirstName,
                Field::LastName,
                Field::Email,
                Field::Company,
                Field::AnnualRevenue,
                Field::Employees,
                Field::Source,
                Field::LifecycleStage,
                Field::Status,
                Field::Country,
                Field::Custom,
                Field::Custom,
            ]
        );
        let overrides = BTreeMap::from([("höbbela".to_owned(), Field::Industry)]);
        assert_eq!(ColumnMapping::new(&headers, &overrides).columns[10].1, Field::Industry);
    }

    #[test]
    fn countries_are_recognised_by_name_or_code() {
        assert_eq!(country_code("India"), Some("IN"));
        assert_eq!(country_code("united states"), Some("US"));
        assert_eq!(country_code("UK"), Some("GB"));
        assert_eq!(country_code("de"), Some("DE"));
        assert_eq!(country_code("Asia/Pacific Region"), None);
        // The importer reads countries like answers and ICP files do.
        assert_eq!(country_code("España"), Some("ES"));
        assert_eq!(country_code("德国"), Some("DE"));
    }
}
