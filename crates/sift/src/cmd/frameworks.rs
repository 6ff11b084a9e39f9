//! `sift frameworks`: list, show and check qualification frameworks.

use std::path::PathBuf;

use anstream::println;
use anstyle::Style;
use anyhow::{Result, bail};
use clap::Subcommand;
use serde::Serialize;
use sift_core::framework::{BUILTIN_FRAMEWORKS, parse_framework};
use sift_core::{Diagnostic, Framework, Language, Level};

use super::qualify::LangArg;
use crate::exit;
use crate::inputs::{config, read_text};
use crate::render::print_diagnostics;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

#[derive(Subcommand)]
pub enum FrameworksCommand {
    /// List the frameworks: built-in ones and any loaded with --framework-file.
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Show one framework: its criteria by level, with their open-ended questions.
    #[command(
        after_help = "Examples:\n  sift frameworks show bant\n  sift frameworks show meddic --lang zh\n  sift frameworks show champ --toml > my-champ.toml   # a starting point for your own"
    )]
    Show {
        /// The framework id, e.g. bant, meddic, champ.
        id: String,
        /// Language of names, descriptions and questions.
        #[arg(long, value_enum, default_value = "en")]
        lang: LangArg,
        /// Print as JSON.
        #[arg(long, conflicts_with = "toml")]
        json: bool,
        /// Print a built-in framework's TOML source, to copy and adapt.
        #[arg(long)]
        toml: bool,
    },
    /// Check framework files and report every problem with FILE:LINE:COLUMN. Exits 2 on errors.
    Check {
        /// The files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print the results as a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Show the concept map: which criteria of which frameworks ask about the same thing.
    Concepts {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct ListedCriterion<'a> {
    id: &'a str,
    concept: &'a str,
    level: Level,
    weight: f64,
    required: bool,
}

#[derive(Serialize)]
struct ListedFramework<'a> {
    id: &'a str,
    name: &'a str,
    origin: Option<&'a str>,
    source: &'a str,
    summary: &'a str,
    criteria: Vec<ListedCriterion<'a>>,
}

fn listed(f: &Framework) -> ListedFramework<'_> {
    ListedFramework {
        id: &f.id,
        name: &f.name,
        origin: f.origin.as_deref(),
        source: &f.source,
        summary: &f.summary.en,
        criteria: f
            .criteria
            .iter()
            .map(|c| ListedCriterion {
                id: &c.id,
                concept: &c.concept,
                level: c.level,
                weight: c.weight,
                required: c.required,
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct Located {
    line: Option<usize>,
    column: Option<usize>,
    message: String,
}

impl From<&Diagnostic> for Located {
    fn from(d: &Diagnostic) -> Self {
        Located {
            line: d.location.map(|l| l.line),
            column: d.location.map(|l| l.column),
            message: d.message.trim_start_matches("warning: ").to_owned(),
        }
    }
}

#[derive(Serialize)]
struct CheckResult {
    file: String,
    ok: bool,
    framework: Option<String>,
    errors: Vec<Located>,
    warnings: Vec<Located>,
}

pub fn run(framework_files: &[PathBuf], command: &FrameworksCommand) -> Result<u8> {
    let config = config(framework_files)?;
    let registry = &config.registry;
    match command {
        FrameworksCommand::List { json: true } => {
            let list: Vec<_> = registry.frameworks().iter().map(listed).collect();
            println!("{}", serde_json::to_string_pretty(&list)?);
        }
        FrameworksCommand::List { json: false } => {
            for f in registry.frameworks() {
                let ids = f.criterion_ids().join(", ");
                println!("{BOLD}{:<10}{BOLD:#} {:<12} {ids}", f.id, f.name);
                println!("{:<10} {DIM}{}{DIM:#}", "", f.summary.en);
            }
            println!("\n{DIM}`sift frameworks show ID` shows a framework's criteria and questions.{DIM:#}");
        }
        FrameworksCommand::Show { id, lang, json, toml } => {
            let framework = config.framework(id)?;
            if *toml {
                let Some((_, text)) = BUILTIN_FRAMEWORKS.iter().find(|(name, _)| *name == format!("{id}.toml")) else {
                    bail!(
                        "`{id}` is not a built-in framework; its source is the file you loaded ({})",
                        framework.source
                    );
                };
                print!("{text}");
            } else if *json {
                println!("{}", serde_json::to_string_pretty(framework)?);
            } else {
                show(framework, Language::from(*lang));
            }
        }
        FrameworksCommand::Check { files, json } => return check(registry, files, *json),
        FrameworksCommand::Concepts { json } => {
            let rows: Vec<(String, String, Vec<String>)> = registry
                .concepts()
                .concepts
                .iter()
                .map(|c| {
                    let members = registry
                        .frameworks()
                        .iter()
                        .flat_map(|f| {
                            f.criteria.iter().filter(|k| k.concept == c.id).map(move |k| format!("{}.{}", f.id, k.id))
                        })
                        .collect();
                    (c.id.clone(), c.name.en.clone(), members)
                })
                .collect();
            if *json {
                let value: Vec<_> = rows
                    .iter()
                    .map(|(id, name, members)| serde_json::json!({ "concept": id, "name": name, "criteria": members }))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&value)?);
            } else {
                for (id, name, members) in rows {
                    println!("{BOLD}{id:<18}{BOLD:#} {name}\n{:<18} {DIM}{}{DIM:#}", "", members.join(", "));
                }
            }
        }
    }
    Ok(exit::OK)
}

fn show(f: &Framework, lang: Language) {
    println!(
        "{BOLD}{}{BOLD:#} ({}){}",
        f.name,
        f.id,
        f.origin.as_deref().map(|o| format!(" - {o}")).unwrap_or_default()
    );
    println!("{}", f.summary.get(lang));
    if let Some(best) = &f.best_for {
        println!("{DIM}{}{DIM:#}", best.get(lang));
    }
    for level in Level::ALL {
        let criteria: Vec<_> = f.criteria.iter().filter(|c| c.level == level).collect();
        if criteria.is_empty() {
            continue;
        }
        println!("\n{BOLD}{} level{BOLD:#}", level.name());
        for c in criteria {
            let required = if c.required { "required" } else { "optional" };
            println!(
                "  {BOLD}{}{BOLD:#} ({}) {DIM}weight {} · {required} · concept {}{DIM:#}",
                c.name.get(lang),
                c.id,
                c.weight,
                c.concept
            );
            println!("    {}", c.description.get(lang));
            for q in c.questions.get(lang) {
                println!("    - {q}");
            }
        }
    }
}

fn check(registry: &sift_core::Registry, files: &[PathBuf], json: bool) -> Result<u8> {
    let mut results = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let outcome = read_text(path).map_err(|e| match e.downcast::<sift_core::Diagnostics>() {
            Ok(d) => d,
            Err(other) => sift_core::Diagnostics(vec![Diagnostic {
                source: name.clone(),
                location: None,
                message: format!("{other:#}"),
            }]),
        });
        let result = outcome.and_then(|text| parse_framework(&name, &text, registry.concepts()));
        let (framework, errors, warnings) = match result {
            Ok(loaded) => (Some(loaded.framework.id), Vec::new(), loaded.warnings.0),
            Err(problems) => (None, problems.0, Vec::new()),
        };
        if !json {
            print_diagnostics(&sift_core::Diagnostics(errors.clone()));
            print_diagnostics(&sift_core::Diagnostics(warnings.clone()));
            match &framework {
                Some(id) => println!("{name}: ok (framework `{id}`, {} warning(s))", warnings.len()),
                None => println!("{name}: {} problem(s)", errors.len()),
            }
        }
        results.push(CheckResult {
            file: name,
            ok: framework.is_some(),
            framework,
            errors: errors.iter().map(Located::from).collect(),
            warnings: warnings.iter().map(Located::from).collect(),
        });
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    }
    Ok(if results.iter().all(|r| r.ok) { exit::OK } else { exit::INVALID_INPUT })
}
