//! The configuration as stored documents (the server's way; the CLI reads files): load it
//! into a [`Config`], check a proposed change with every problem located, save or delete it.
//!
//! Documents: `icp`, `rules`, `playbooks` (one each), `framework/<id>` and `lexicon/<name>`
//! (several). A change is checked against the other stored documents (a playbook may only
//! name a framework that exists, its owners must be enabled users), and a change that would
//! break another document (deleting a framework a playbook uses) is refused as a conflict.
//! Loading is lenient: a stored document that no longer loads (after an upgrade, say) is
//! skipped with a warning, so the server still starts and the document can be fixed.

use std::collections::BTreeSet;

use serde::Serialize;
use sift_core::playbook::{PlaybookContext, parse_playbooks};
use sift_core::{Diagnostic, Diagnostics, Icp, Language, LeadTypeRules, Location};
use sift_signals::lexicon::Lexicon;
use sift_store::{ConfigDocument, DocumentKind, DocumentVersion, SaveOutcome, Store};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::config::{Config, VersionedIcp};
use crate::error::{AppError, Result};

/// Largest document accepted: configuration files are a few kilobytes.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// One document: a single one (`icp`, `rules`, `playbooks`) or a named one (a framework
/// id, a lexicon name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentRef<'a> {
    pub kind: DocumentKind,
    pub name: &'a str,
}

impl<'a> DocumentRef<'a> {
    pub fn single(kind: DocumentKind) -> DocumentRef<'static> {
        DocumentRef { kind, name: kind.name() }
    }

    pub fn named(kind: DocumentKind, name: &'a str) -> DocumentRef<'a> {
        DocumentRef { kind, name }
    }

    /// How problems in it are labelled: `icp`, `framework/meddic-lite`, `lexicon/fintech`.
    pub fn source(&self) -> String {
        source_of(self.kind, self.name)
    }
}

fn source_of(kind: DocumentKind, name: &str) -> String {
    if kind.is_single() { kind.name().to_owned() } else { format!("{kind}/{name}") }
}

/// A stored configuration loaded, with what did not load.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    /// Documents skipped because they no longer load (each problem located), and the
    /// warnings of those that did.
    pub warnings: Diagnostics,
    /// The store's configuration generation this was loaded at.
    pub generation: i64,
}

/// Builds the configuration from the built-ins and the stored documents.
pub async fn load(store: &Store) -> Result<LoadedConfig> {
    let generation = store.config_generation().await?;
    let documents = store.config_documents().await?;
    let assembled = assemble(&documents, None)?;
    let mut warnings = assembled.warnings;
    for problem in assembled.problems.0 {
        warnings.0.push(Diagnostic {
            message: format!("skipped, this stored document does not load: {}", problem.message),
            ..problem
        });
    }
    Ok(LoadedConfig { config: assembled.config, warnings, generation })
}

struct Assembled {
    config: Config,
    /// Problems of the documents left out, labelled by document.
    problems: Diagnostics,
    warnings: Diagnostics,
}

/// The configuration the documents make, on top of the built-ins: frameworks first (a
/// playbook refers to them), then lexicons, the ICP, the rules and the playbooks (checked
/// against `users` when given). A document with problems is left out and its problems kept.
fn assemble(documents: &[ConfigDocument], users: Option<&BTreeSet<String>>) -> Result<Assembled> {
    let mut config = Config::builtin()?;
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let of = |kind: DocumentKind| documents.iter().filter(move |d| d.kind == kind);
    for doc in of(DocumentKind::Framework) {
        let source = source_of(doc.kind, &doc.name);
        match load_framework(&mut config, &source, &doc.name, &doc.text) {
            Ok(w) => warnings.extend(w.0),
            Err(p) => problems.extend(p.0),
        }
    }
    for doc in of(DocumentKind::Lexicon) {
        match parse_lexicon(&source_of(doc.kind, &doc.name), &doc.text, lexicon_language(&doc.name)) {
            Ok(lexicon) => config.lexicons.push(lexicon),
            Err(p) => problems.extend(p.0),
        }
    }
    for doc in of(DocumentKind::Icp) {
        match Icp::parse("icp", &doc.text) {
            Ok(icp) => {
                config.icp = Some(VersionedIcp { icp, version: sift_store::record::content_version(&doc.text) });
            }
            Err(p) => problems.extend(p.0),
        }
    }
    for doc in of(DocumentKind::Rules) {
        match LeadTypeRules::parse("rules", &doc.text) {
            Ok(rules) => config.rules = rules,
            Err(p) => problems.extend(p.0),
        }
    }
    for doc in of(DocumentKind::Playbooks) {
        let context = PlaybookContext { registry: &config.registry, users };
        match parse_playbooks("playbooks", &doc.text, context) {
            Ok(loaded) => {
                warnings.extend(loaded.warnings.0);
                config.playbooks = Some(loaded.playbooks);
            }
            Err(p) => problems.extend(p.0),
        }
    }
    Ok(Assembled { config, problems: Diagnostics(problems), warnings: Diagnostics(warnings) })
}

/// Adds a stored framework; its id must be the name it is stored under.
fn load_framework(config: &mut Config, source: &str, name: &str, text: &str) -> Result<Diagnostics, Diagnostics> {
    let parsed = sift_core::framework::parse_framework(source, text, config.registry.concepts())?;
    if parsed.framework.id != name {
        let at = key_offset(text, "id").map(|offset| Location::from_offset(text, offset));
        return Err(Diagnostics(vec![Diagnostic {
            source: source.to_owned(),
            location: at,
            message: format!(
                "the framework's id is `{}` but it is stored as `{name}`; make them the same",
                parsed.framework.id
            ),
        }]));
    }
    config.registry.load(source, text)
}

/// Where a top-level `key = ...` line starts, if the text has one.
fn key_offset(text: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Some(offset + (line.len() - trimmed.len()));
        }
        if trimmed.starts_with('[') {
            return None;
        }
        offset += line.len();
    }
    None
}

/// The language of a stored lexicon, from its name: `zh-...` is Chinese, anything else
/// English (the language only labels the lexicon's own messages; entries extend both).
pub fn lexicon_language(name: &str) -> Language {
    if name == "zh" || name.starts_with("zh-") || name.starts_with("zh_") { Language::Zh } else { Language::En }
}

/// Names of named documents: lower-case letters, digits, `-` and `_`, at most 64.
fn check_name(document: DocumentRef<'_>) -> Result<()> {
    let name = document.name;
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if document.kind.is_single() && name != document.kind.name() {
        return Err(AppError::invalid(
            "name",
            format!("the {} is one document, stored as `{}`", document.kind, document.kind.name()),
        ));
    }
    if !ok {
        return Err(AppError::invalid(
            "name",
            format!("`{name}` is not a {} name: use 1 to 64 lower-case letters, digits, `-` or `_`", document.kind),
        ));
    }
    Ok(())
}

fn check_text(document: DocumentRef<'_>, text: &str) -> Result<()> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(AppError::invalid(
            &document.source(),
            format!(
                "the document is {} bytes; configuration documents are limited to {MAX_DOCUMENT_BYTES}",
                text.len()
            ),
        ));
    }
    Ok(())
}

async fn enabled_users(store: &Store) -> Result<BTreeSet<String>> {
    Ok(store.list_users().await?.into_iter().filter(|u| !u.disabled).map(|u| u.username).collect())
}

/// A checked change: the configuration it gives, and its warnings.
#[derive(Debug, Clone)]
pub struct Checked {
    pub config: Config,
    pub warnings: Diagnostics,
}

/// Checks a proposed document (`Some(text)`) or a deletion (`None`) against the other stored
/// documents. Problems in the document itself are [`AppError::Invalid`], every one located;
/// a change that would break another document is [`AppError::Conflict`] naming what breaks.
pub async fn check(store: &Store, document: DocumentRef<'_>, text: Option<&str>) -> Result<Checked> {
    check_name(document)?;
    if let Some(text) = text {
        check_text(document, text)?;
    }
    let current = store.config_documents().await?;
    let users = enabled_users(store).await?;
    let mine = document.source();
    let mut proposed: Vec<ConfigDocument> =
        current.iter().filter(|d| !(d.kind == document.kind && d.name == document.name)).cloned().collect();
    if let Some(text) = text {
        proposed.push(ConfigDocument {
            kind: document.kind,
            name: document.name.to_owned(),
            version: 0,
            text: text.to_owned(),
            changed_by: String::new(),
            changed_at: String::new(),
        });
    }
    let after = assemble(&proposed, Some(&users))?;
    let own: Vec<Diagnostic> = after.problems.iter().filter(|p| p.source == mine).cloned().collect();
    if !own.is_empty() {
        return Err(AppError::Invalid(Diagnostics(own)));
    }
    let before = assemble(&current, Some(&users))?;
    let broken: Vec<String> = after
        .problems
        .iter()
        .filter(|p| p.source != mine && !before.problems.0.contains(p))
        .map(ToString::to_string)
        .collect();
    if !broken.is_empty() {
        let users_of = match (document.kind, &before.config.playbooks) {
            (DocumentKind::Framework, Some(p)) => p.using_framework(document.name),
            _ => Vec::new(),
        };
        let what = if users_of.is_empty() {
            String::new()
        } else {
            format!(" (used by playbook `{}`; change the playbooks first)", users_of.join("`, `"))
        };
        let verb = if text.is_some() { "changing" } else { "deleting" };
        return Err(AppError::Conflict(format!(
            "{verb} {mine} would break other stored configuration{what}: {}",
            broken.join("; ")
        )));
    }
    let warnings = Diagnostics(after.warnings.0.into_iter().filter(|w| w.source == mine).collect());
    Ok(Checked { config: after.config, warnings })
}

/// What saving or deleting did.
#[derive(Debug, Clone)]
pub enum Change {
    /// Saved as this version; `config` is the stored configuration now.
    Saved { document: ConfigDocument, warnings: Diagnostics, config: Box<Config> },
    /// Deleted (the deletion is this version).
    Deleted { version: i64, config: Box<Config> },
    /// `expected` was not the current version (0: the document does not exist).
    Stale { current: i64 },
}

/// Checks and saves a document; nothing is saved when it has a problem. With `expected`,
/// the save happens only if that is still the current version.
pub async fn save(
    store: &Store,
    document: DocumentRef<'_>,
    text: &str,
    expected: Option<i64>,
    actor: &str,
) -> Result<Change> {
    let checked = check(store, document, Some(text)).await?;
    match store.save_config_document(document.kind, document.name, Some(text), expected, actor).await? {
        SaveOutcome::Saved(saved) => {
            let config = load(store).await?.config;
            Ok(Change::Saved { document: saved, warnings: checked.warnings, config: Box::new(config) })
        }
        SaveOutcome::Stale { current } => Ok(Change::Stale { current }),
        SaveOutcome::Deleted { .. } | SaveOutcome::Missing => {
            Err(AppError::Conflict(format!("{} could not be saved", document.source())))
        }
    }
}

/// Deletes a document unless another one depends on it (a framework a playbook uses): the
/// deletion is a version of its own, without text, so the history says who deleted it and
/// when, and the version before it can be saved again. A built-in framework is not a stored
/// document and cannot be deleted: that is a conflict that says so.
pub async fn delete(store: &Store, document: DocumentRef<'_>, expected: Option<i64>, actor: &str) -> Result<Change> {
    check_name(document)?;
    if store.config_document(document.kind, document.name).await?.is_none() {
        if document.kind == DocumentKind::Framework && Config::builtin()?.registry.get(document.name).is_some() {
            return Err(AppError::Conflict(format!(
                "`{}` is a built-in framework: built-in frameworks cannot be changed or deleted (copy one to make your own)",
                document.name
            )));
        }
        return Err(not_stored(document));
    }
    check(store, document, None).await?;
    match store.save_config_document(document.kind, document.name, None, expected, actor).await? {
        SaveOutcome::Deleted { version } => {
            let config = load(store).await?.config;
            Ok(Change::Deleted { version, config: Box::new(config) })
        }
        SaveOutcome::Stale { current } => Ok(Change::Stale { current }),
        SaveOutcome::Missing => Err(not_stored(document)),
        SaveOutcome::Saved(_) => Err(AppError::Conflict(format!("{} could not be deleted", document.source()))),
    }
}

/// The stored document, or a not-found error that says what applies instead.
pub async fn get(store: &Store, document: DocumentRef<'_>) -> Result<ConfigDocument> {
    check_name(document)?;
    store.config_document(document.kind, document.name).await?.ok_or_else(|| not_stored(document))
}

fn not_stored(document: DocumentRef<'_>) -> AppError {
    let hint = match document.kind {
        DocumentKind::Icp => "; without one, organization fit is not checked",
        DocumentKind::Rules => "; the built-in lead-type rules apply",
        DocumentKind::Playbooks => "; without playbooks, leads are not routed",
        DocumentKind::Framework => "; built-in frameworks are not stored documents",
        DocumentKind::Lexicon => "",
    };
    AppError::NotFound { what: "stored configuration", key: document.source(), hint: hint.to_owned() }
}

/// A document's place in the list of stored configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentSummary {
    pub kind: DocumentKind,
    pub name: String,
    pub version: i64,
    pub changed_by: String,
    pub changed_at: String,
}

pub async fn list(store: &Store) -> Result<Vec<DocumentSummary>> {
    Ok(store
        .config_documents()
        .await?
        .into_iter()
        .map(|d| DocumentSummary {
            kind: d.kind,
            name: d.name,
            version: d.version,
            changed_by: d.changed_by,
            changed_at: d.changed_at,
        })
        .collect())
}

/// How many versions of a document [`history`] gives at most.
pub const HISTORY_LIMIT: i64 = 50;

/// A document's versions, newest first (at most [`HISTORY_LIMIT`]; a deletion is a version
/// without text).
pub async fn history(store: &Store, document: DocumentRef<'_>) -> Result<Vec<DocumentVersion>> {
    check_name(document)?;
    Ok(store.config_document_history(document.kind, document.name, HISTORY_LIMIT).await?)
}

/// Checks the name of a named document about to be written for the first time: its form,
/// and for a framework that no built-in one has it.
pub fn check_new_name(config: &Config, document: DocumentRef<'_>) -> Result<()> {
    check_name(document)?;
    if document.kind == DocumentKind::Framework
        && let Some(builtin) = config.registry.get(document.name).filter(|f| f.source == "built-in")
    {
        return Err(AppError::invalid(
            "name",
            format!("`{}` is a built-in framework; give yours another name", builtin.id),
        ));
    }
    Ok(())
}

/// A text to start a document from: for a framework, a built-in one (`from`, its id) with
/// the id changed to `name`; for the ICP, the demo's profile; for the playbooks, the built-in
/// enterprise example. `None` when there is none to offer.
pub fn starter_text(config: &Config, document: DocumentRef<'_>, from: Option<&str>) -> Option<String> {
    match document.kind {
        DocumentKind::Icp => Some(crate::demo::DEMO_ICP.to_owned()),
        DocumentKind::Playbooks => sift_core::playbook::BUILTIN_PLAYBOOKS
            .iter()
            .find(|(file, _)| *file == "enterprise.toml")
            .map(|(_, t)| (*t).to_owned()),
        DocumentKind::Framework => {
            let builtin = config.registry.get(from?)?;
            let (_, text) = sift_core::framework::BUILTIN_FRAMEWORKS
                .iter()
                .find(|(file, _)| file.strip_suffix(".toml") == Some(builtin.id.as_str()))?;
            let start = key_offset(text, "id")?;
            let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
            Some(format!("{}id = \"{}\"{}", &text[..start], document.name, &text[end..]))
        }
        DocumentKind::Rules | DocumentKind::Lexicon => None,
    }
}

const LEXICON_KEYS: [&str; 7] = ["id", "kind", "pattern", "explain", "rewrite", "matches", "rejects"];

/// Where the parts of one lexicon entry are.
#[derive(Default)]
struct EntrySpans {
    span: std::ops::Range<usize>,
    id: Option<(String, std::ops::Range<usize>)>,
    pattern: Option<std::ops::Range<usize>>,
    matches: Vec<std::ops::Range<usize>>,
    rejects: Vec<std::ops::Range<usize>>,
}

/// Reads a user lexicon with every problem located: the TOML, unknown or missing keys,
/// patterns that do not compile, and examples the entry's own pattern gets wrong.
pub fn parse_lexicon(source: &str, text: &str, language: Language) -> Result<Lexicon, Diagnostics> {
    let problem = |offset: Option<usize>, message: String| Diagnostic {
        source: source.to_owned(),
        location: offset.map(|o| Location::from_offset(text, o)),
        message,
    };
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        return Err(Diagnostics(
            errors
                .iter()
                .map(|e| problem(e.span().map(|s| s.start), format!("invalid TOML: {}", e.message().trim())))
                .collect(),
        ));
    }
    let mut problems = Vec::new();
    let mut entries: Vec<EntrySpans> = Vec::new();
    for (key, value) in doc.get_ref() {
        if key.get_ref() != "entry" {
            problems.push(problem(
                Some(key.span().start),
                format!("unknown key `{}`; a lexicon holds `[[entry]]` tables", key.get_ref()),
            ));
            continue;
        }
        let DeValue::Array(items) = value.get_ref() else {
            problems.push(problem(Some(value.span().start), "`entry` must be an array of tables (`[[entry]]`)".into()));
            continue;
        };
        for (index, item) in items.iter().enumerate() {
            let at = format!("entry #{}", index + 1);
            let DeValue::Table(table) = item.get_ref() else {
                problems.push(problem(Some(item.span().start), format!("{at} must be a table")));
                continue;
            };
            entries.push(entry_spans(table, item.span(), &at, &mut |offset, message| {
                problems.push(problem(Some(offset), message));
            }));
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.location);
        return Err(Diagnostics(problems));
    }
    let lexicon = match Lexicon::parse("user", language, source, text) {
        Ok(lexicon) => lexicon,
        Err(e) => {
            // The lexicon's messages start with `entry N (`id`)`: point at that entry.
            return Err(Diagnostics(
                e.problems
                    .iter()
                    .map(|p| {
                        let index = p
                            .strip_prefix("entry ")
                            .and_then(|rest| rest.split_once(' '))
                            .and_then(|(n, _)| n.parse::<usize>().ok())
                            .and_then(|n| entries.get(n.wrapping_sub(1)));
                        let offset = index.map(|e| {
                            if p.contains("bad pattern") {
                                e.pattern.clone().unwrap_or(e.span.clone()).start
                            } else {
                                e.span.start
                            }
                        });
                        problem(offset, p.clone())
                    })
                    .collect(),
            ));
        }
    };
    for entry in &lexicon.entries {
        let spans = entries.iter().find(|s| s.id.as_ref().is_some_and(|(id, _)| *id == entry.id));
        let at = |list: fn(&EntrySpans) -> &Vec<std::ops::Range<usize>>, i: usize| {
            spans.and_then(|s| list(s).get(i).map(|r| r.start)).or(spans.map(|s| s.span.start))
        };
        for (i, example) in entry.matches.iter().enumerate() {
            if !entry.pattern.is_match(example) {
                problems.push(problem(
                    at(|s| &s.matches, i),
                    format!("entry `{}` should match {example:?}, but its pattern does not", entry.id),
                ));
            }
        }
        for (i, example) in entry.rejects.iter().enumerate() {
            if entry.pattern.is_match(example) {
                problems.push(problem(
                    at(|s| &s.rejects, i),
                    format!("entry `{}` should not match {example:?}, but its pattern does", entry.id),
                ));
            }
        }
    }
    problems.sort_by_key(|p| p.location);
    Diagnostics(problems).into_result(lexicon)
}

fn entry_spans(
    table: &DeTable<'_>,
    span: std::ops::Range<usize>,
    at: &str,
    report: &mut dyn FnMut(usize, String),
) -> EntrySpans {
    let mut spans = EntrySpans { span: span.clone(), ..EntrySpans::default() };
    for (key, value) in table {
        let k = key.get_ref().as_ref();
        if !LEXICON_KEYS.contains(&k) {
            report(key.span().start, format!("{at}: unknown key `{k}`; an entry has: {}", LEXICON_KEYS.join(", ")));
            continue;
        }
        let text = |v: &Spanned<DeValue<'_>>| match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => None,
        };
        match k {
            "matches" | "rejects" => {
                let DeValue::Array(items) = value.get_ref() else {
                    report(value.span().start, format!("{at}: `{k}` must be a list of example texts"));
                    continue;
                };
                for item in items {
                    if text(item).is_none() {
                        report(item.span().start, format!("{at}: `{k}` holds example texts (strings)"));
                    }
                }
                let list: Vec<std::ops::Range<usize>> = items.iter().map(Spanned::span).collect();
                if k == "matches" { spans.matches = list } else { spans.rejects = list }
            }
            _ => match text(value) {
                None => report(value.span().start, format!("{at}: `{k}` must be a string")),
                Some(s) if k == "id" => spans.id = Some((s, value.span())),
                Some(_) if k == "pattern" => spans.pattern = Some(value.span()),
                Some(_) => {}
            },
        }
    }
    for required in ["id", "kind", "pattern", "explain"] {
        if !table.iter().any(|(key, _)| key.get_ref() == required) {
            report(span.start, format!("{at}: `{required}` is missing"));
        }
    }
    spans
}
