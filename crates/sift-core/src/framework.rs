//! Qualification frameworks as data: criteria, their level, weight and open-ended questions,
//! and the concept map that lets evidence carry from one framework to another.
//!
//! Built-in frameworks are TOML files embedded at build time (`frameworks/*.toml`); users can
//! load their own in the same format. Loading reports every problem found, each with its
//! file, line and column.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, Diagnostics, TomlReader, table_value};
use crate::lead::Language;
use crate::question::looks_closed;

/// The three levels of qualification, in the order a lead is disqualified at them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Does the account fit at all (territory, industry, size, persona)?
    Organization,
    /// Is there a need we can meet, and can they implement it?
    Opportunity,
    /// Can this contact pull the trigger, and will money appear?
    Stakeholder,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Organization, Level::Opportunity, Level::Stakeholder];

    pub fn name(self) -> &'static str {
        match self {
            Level::Organization => "organization",
            Level::Opportunity => "opportunity",
            Level::Stakeholder => "stakeholder",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a level; expected one of: organization, opportunity, stakeholder")]
pub struct LevelParseError(pub String);

impl std::str::FromStr for Level {
    type Err = LevelParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_lowercase();
        Level::ALL.into_iter().find(|l| l.name() == norm).ok_or_else(|| LevelParseError(s.to_owned()))
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Text in English, optionally in Simplified Chinese (falls back to English).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh: Option<String>,
}

impl Localized {
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::Zh => self.zh.as_deref().unwrap_or(&self.en),
            Language::En => &self.en,
        }
    }
}

/// Open-ended questions per language.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Questions {
    pub en: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zh: Vec<String>,
}

impl Questions {
    /// The questions in `language`, falling back to English when there are none.
    pub fn get(&self, language: Language) -> &[String] {
        match language {
            Language::Zh if !self.zh.is_empty() => &self.zh,
            _ => &self.en,
        }
    }
}

/// What the gate does when a required criterion of a concept is clearly lacking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnNegative {
    Disqualify,
    Nurture,
}

/// A thing frameworks ask about under different names (budget ~ money ~ funds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Concept {
    pub id: String,
    pub name: Localized,
    pub on_negative: OnNegative,
    /// The reason code of the nurture track, for concepts that nurture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nurture_track: Option<String>,
    /// Whether a criterion's `date` is checked against the nurture horizon.
    #[serde(default)]
    pub dated: bool,
}

/// All known concepts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConceptMap {
    pub concepts: Vec<Concept>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConceptFileSyntax {
    concept: Vec<Spanned<Concept>>,
}

impl ConceptMap {
    pub fn parse(source: &str, text: &str) -> Result<ConceptMap, Diagnostics> {
        let mut reader = TomlReader::new(source, text);
        let Some(file) =
            reader.parse().and_then(|table| reader.deserialize::<ConceptFileSyntax>(table_value(table), ""))
        else {
            return Err(reader.problems);
        };
        let mut seen = BTreeSet::new();
        for concept in &file.concept {
            let c = concept.get_ref();
            if !seen.insert(c.id.clone()) {
                reader.report(Some(concept.span()), format!("concept `{}` is defined twice", c.id));
            }
            if c.on_negative == OnNegative::Nurture && c.nurture_track.is_none() {
                reader
                    .report(Some(concept.span()), format!("concept `{}` nurtures but names no `nurture_track`", c.id));
            }
        }
        let map = ConceptMap { concepts: file.concept.into_iter().map(Spanned::into_inner).collect() };
        reader.finish(Some(map))
    }

    pub fn get(&self, id: &str) -> Option<&Concept> {
        self.concepts.iter().find(|c| c.id == id)
    }
}

/// One thing a framework checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub id: String,
    pub concept: String,
    pub level: Level,
    pub weight: f64,
    pub required: bool,
    pub name: Localized,
    pub description: Localized,
    pub questions: Questions,
}

/// A qualification framework: a named, ordered set of criteria.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Framework {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    pub summary: Localized,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_for: Option<Localized>,
    pub criteria: Vec<Criterion>,
    /// Where it came from: `built-in` or the file it was loaded from.
    pub source: String,
}

impl Framework {
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }

    pub fn criterion_ids(&self) -> Vec<&str> {
        self.criteria.iter().map(|c| c.id.as_str()).collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderSyntax {
    id: Spanned<String>,
    name: String,
    origin: Option<String>,
    summary: Localized,
    best_for: Option<Localized>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CriterionSyntax {
    id: Spanned<String>,
    concept: Spanned<String>,
    level: Level,
    weight: Spanned<f64>,
    #[serde(default = "yes")]
    required: bool,
    name: Localized,
    description: Localized,
    questions: Spanned<Questions>,
}

fn yes() -> bool {
    true
}

/// A framework read from a file, with the warnings found in it (closed questions, missing
/// translations). Warnings do not stop the framework from being used.
#[derive(Debug, Clone)]
pub struct LoadedFramework {
    pub framework: Framework,
    pub warnings: Diagnostics,
}

pub(crate) fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        && id.len() <= 64
}

/// Parses and validates one framework file. `concepts` is the concept map its criteria
/// must refer to. Reports every problem at once.
pub fn parse_framework(source: &str, text: &str, concepts: &ConceptMap) -> Result<LoadedFramework, Diagnostics> {
    let mut reader = TomlReader::new(source, text);
    let Some(doc) = reader.parse() else {
        return Err(reader.problems);
    };
    let doc_span = doc.span();
    let mut header_table = DeTable::new();
    let mut criteria_value = None;
    for (key, value) in doc.into_inner() {
        if key.get_ref() == "criteria" {
            criteria_value = Some(value);
        } else {
            header_table.insert(key, value);
        }
    }
    let header = reader.deserialize::<HeaderSyntax>(Spanned::new(doc_span.clone(), DeValue::Table(header_table)), "");
    let mut warnings = Vec::new();

    let mut criteria = Vec::new();
    match criteria_value {
        None => reader.report(
            Some(doc_span.start..doc_span.start),
            "no `[[criteria]]`: a framework needs at least one criterion",
        ),
        Some(value) => {
            let span = value.span();
            match value.into_inner() {
                DeValue::Array(items) if !items.is_empty() => {
                    let mut seen = BTreeSet::new();
                    for (index, item) in items.into_iter().enumerate() {
                        let context = format!("criterion #{}", index + 1);
                        if let Some(c) = reader.deserialize::<CriterionSyntax>(item, &context) {
                            if let Some(criterion) = check_criterion(&mut reader, &mut warnings, concepts, &mut seen, c)
                            {
                                criteria.push(criterion);
                            }
                        }
                    }
                }
                _ => reader.report(Some(span), "`criteria` must be a non-empty array of tables (`[[criteria]]`)"),
            }
        }
    }

    if let Some(h) = &header
        && !valid_id(h.id.get_ref())
    {
        reader.report(
            Some(h.id.span()),
            format!("framework id `{}` must be lower case letters, digits, `-` or `_`", h.id.get_ref()),
        );
    }
    let framework = header.map(|h| Framework {
        id: h.id.into_inner(),
        name: h.name,
        origin: h.origin,
        summary: h.summary,
        best_for: h.best_for,
        criteria,
        source: source.to_owned(),
    });
    let warnings = Diagnostics(
        warnings
            .into_iter()
            .map(|(offset, message): (usize, String)| Diagnostic {
                source: source.to_owned(),
                location: Some(crate::diag::Location::from_offset(text, offset)),
                message: format!("warning: {message}"),
            })
            .collect(),
    );
    reader.finish(framework).map(|framework| LoadedFramework { framework, warnings })
}

fn check_criterion(
    reader: &mut TomlReader<'_>,
    warnings: &mut Vec<(usize, String)>,
    concepts: &ConceptMap,
    seen: &mut BTreeSet<String>,
    c: CriterionSyntax,
) -> Option<Criterion> {
    let id = c.id.get_ref().clone();
    let mut ok = true;
    if !valid_id(&id) {
        reader.report(Some(c.id.span()), format!("criterion id `{id}` must be lower case letters, digits, `-` or `_`"));
        ok = false;
    }
    if !seen.insert(id.clone()) {
        reader.report(Some(c.id.span()), format!("criterion `{id}` is defined twice"));
        ok = false;
    }
    if concepts.get(c.concept.get_ref()).is_none() {
        let known = concepts.concepts.iter().map(|k| k.id.as_str()).collect::<Vec<_>>().join(", ");
        reader.report(
            Some(c.concept.span()),
            format!("criterion `{id}`: unknown concept `{}`; known concepts: {known}", c.concept.get_ref()),
        );
        ok = false;
    }
    let weight = *c.weight.get_ref();
    if !(weight.is_finite() && weight > 0.0 && weight <= 100.0) {
        reader.report(
            Some(c.weight.span()),
            format!("criterion `{id}`: weight must be greater than 0 and at most 100, not {weight}"),
        );
        ok = false;
    }
    let q_span = c.questions.span();
    let questions = c.questions.into_inner();
    if questions.en.is_empty() {
        reader.report(Some(q_span.clone()), format!("criterion `{id}`: `questions.en` needs at least one question"));
        ok = false;
    }
    for (lang, list) in [(Language::En, &questions.en), (Language::Zh, &questions.zh)] {
        for (i, q) in list.iter().enumerate() {
            if q.trim().is_empty() {
                reader.report(
                    Some(q_span.clone()),
                    format!("criterion `{id}`: question {}#{} is empty", lang.code(), i + 1),
                );
                ok = false;
            } else if looks_closed(q, lang) {
                warnings.push((
                    q_span.start,
                    format!(
                        "criterion `{id}`: question {}#{} looks closed (yes/no): {q:?}; ask it open-ended",
                        lang.code(),
                        i + 1
                    ),
                ));
            }
        }
    }
    if questions.zh.is_empty() {
        warnings.push((
            q_span.start,
            format!("criterion `{id}`: no Chinese questions (`questions.zh`); English will be used"),
        ));
    }
    ok.then(|| Criterion {
        id,
        concept: c.concept.into_inner(),
        level: c.level,
        weight,
        required: c.required,
        name: c.name,
        description: c.description,
        questions,
    })
}

/// The concept map, embedded.
pub const BUILTIN_CONCEPTS: &str = include_str!("../frameworks/concepts.toml");

/// The built-in framework files, embedded: (file name, text).
pub const BUILTIN_FRAMEWORKS: &[(&str, &str)] = &[
    ("bant.toml", include_str!("../frameworks/bant.toml")),
    ("meddic.toml", include_str!("../frameworks/meddic.toml")),
    ("meddpicc.toml", include_str!("../frameworks/meddpicc.toml")),
    ("champ.toml", include_str!("../frameworks/champ.toml")),
    ("gpctba-ci.toml", include_str!("../frameworks/gpctba-ci.toml")),
    ("anum.toml", include_str!("../frameworks/anum.toml")),
    ("faint.toml", include_str!("../frameworks/faint.toml")),
];

/// The frameworks available to a run: the built-ins plus any the user loaded.
#[derive(Debug, Clone)]
pub struct Registry {
    concepts: ConceptMap,
    frameworks: Vec<Framework>,
}

impl Registry {
    /// The built-in concepts and frameworks.
    pub fn builtin() -> Result<Registry, Diagnostics> {
        let concepts = ConceptMap::parse("built-in concepts.toml", BUILTIN_CONCEPTS)?;
        let mut frameworks = Vec::new();
        let mut problems = Vec::new();
        for (name, text) in BUILTIN_FRAMEWORKS {
            match parse_framework(&format!("built-in {name}"), text, &concepts) {
                Ok(loaded) => frameworks.push(Framework { source: "built-in".into(), ..loaded.framework }),
                Err(e) => problems.extend(e.0),
            }
        }
        Diagnostics(problems).into_result(Registry { concepts, frameworks })
    }

    /// Adds a user framework file. Its id must not clash with one already known.
    pub fn load(&mut self, source: &str, text: &str) -> Result<Diagnostics, Diagnostics> {
        let loaded = parse_framework(source, text, &self.concepts)?;
        if let Some(existing) = self.get(&loaded.framework.id) {
            return Err(Diagnostics(vec![Diagnostic {
                source: source.to_owned(),
                location: None,
                message: format!(
                    "framework id `{}` is already taken (by {}); give this framework another id",
                    existing.id, existing.source
                ),
            }]));
        }
        self.frameworks.push(loaded.framework);
        Ok(loaded.warnings)
    }

    pub fn concepts(&self) -> &ConceptMap {
        &self.concepts
    }

    pub fn frameworks(&self) -> &[Framework] {
        &self.frameworks
    }

    pub fn get(&self, id: &str) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.id == id)
    }

    /// The known ids, for "did you mean" style messages.
    pub fn ids(&self) -> Vec<&str> {
        self.frameworks.iter().map(|f| f.id.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concepts() -> ConceptMap {
        ConceptMap::parse("concepts.toml", BUILTIN_CONCEPTS).expect("built-in concepts parse")
    }

    #[test]
    fn a_broken_framework_reports_every_problem_with_its_location() {
        let text = r#"id = "Bad Id"
name = "Broken"
summary.en = "for testing"

[[criteria]]
id = "budget"
concept = "budget"
level = "stakeholder"
weight = 0
name.en = "Budget"
description.en = "x"
questions.en = ["How is it funded?"]

[[criteria]]
id = "budget"
concept = "moolah"
level = "stakeholder"
weight = 2
name.en = "Budget"
description.en = "x"
questions.en = ["Is there budget?"]

[[criteria]]
id = "need"
concept = "need"
level = "everywhere"
weight = 2
name.en = "Need"
description.en = "x"
questions.en = ["What hurts?"]
"#;
        let err = parse_framework("mine.toml", text, &concepts()).expect_err("broken");
        let lines: Vec<String> = err.iter().map(ToString::to_string).collect();
        let expect = [
            "mine.toml:1:6: framework id `Bad Id` must be lower case",
            "mine.toml:9:10: criterion `budget`: weight must be greater than 0",
            "mine.toml:15:6: criterion `budget` is defined twice",
            "mine.toml:16:11: criterion `budget`: unknown concept `moolah`",
            "mine.toml:26:9: criterion #3: unknown variant `everywhere`",
        ];
        assert_eq!(lines.len(), expect.len(), "{lines:#?}");
        for (line, prefix) in lines.iter().zip(expect) {
            assert!(line.starts_with(prefix), "expected {prefix:?}, got {line:?}");
        }
    }

    #[test]
    fn syntax_errors_and_unknown_keys_are_located() {
        let err = parse_framework("x.toml", "id = \"x\"\nname = \n", &concepts()).expect_err("bad toml");
        assert!(err.to_string().starts_with("x.toml:2:"), "{err}");

        let text = "id = \"x\"\nname = \"X\"\nsummary.en = \"s\"\ncolour = \"red\"\n[[criteria]]\nid = \"need\"\nconcept = \"need\"\nlevel = \"opportunity\"\nweight = 1\nname.en = \"n\"\ndescription.en = \"d\"\nquestions.en = [\"What?\"]\nextra = 1\n";
        let err = parse_framework("x.toml", text, &concepts()).expect_err("unknown keys");
        let lines: Vec<String> = err.iter().map(ToString::to_string).collect();
        assert_eq!(lines.len(), 2, "{lines:#?}");
        assert!(lines.iter().any(|l| l.starts_with("x.toml:13:1: criterion #1: unknown field `extra`")), "{lines:#?}");
        assert!(lines.iter().any(|l| l.starts_with("x.toml:4:1: unknown field `colour`")), "{lines:#?}");
    }

    #[test]
    fn closed_questions_and_missing_translations_are_warnings_not_errors() {
        let text = "id = \"x\"\nname = \"X\"\nsummary.en = \"s\"\n[[criteria]]\nid = \"need\"\nconcept = \"need\"\nlevel = \"opportunity\"\nweight = 1\nname.en = \"n\"\ndescription.en = \"d\"\nquestions.en = [\"Do you have a need?\"]\n";
        let loaded = parse_framework("x.toml", text, &concepts()).expect("usable");
        assert_eq!(loaded.warnings.len(), 2, "{}", loaded.warnings);
        assert!(loaded.warnings.to_string().contains("looks closed"));
    }

    #[test]
    fn user_frameworks_cannot_take_a_built_in_id() {
        let mut registry = Registry::builtin().expect("built-ins");
        let text = BUILTIN_FRAMEWORKS[0].1;
        let err = registry.load("copy.toml", text).expect_err("clash");
        assert!(err.to_string().contains("already taken"), "{err}");
        let renamed = text.replacen("id = \"bant\"", "id = \"bant-lite\"", 1);
        registry.load("lite.toml", &renamed).expect("loads");
        assert!(registry.get("bant-lite").is_some());
    }
}
