//! `sift playbooks`: list, show and check playbooks (segments with their own framework, ICP,
//! lead-type rules and owners).

use std::path::{Path, PathBuf};

use anstream::println;
use anstyle::Style;
use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use serde::Serialize;
use sift_app::Config;
use sift_core::playbook::{Assignment, BUILTIN_PLAYBOOKS, PlaybookContext, PlaybookIcp, Segment, parse_playbooks};
use sift_core::{Diagnostic, Diagnostics, Playbook, Playbooks};

use crate::exit;
use crate::inputs::{config, read_text};
use crate::render::print_diagnostics;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

/// Where the playbooks to list or show come from.
#[derive(Args, Clone)]
pub struct PlaybookSource {
    /// A playbooks file (TOML); default: the built-in examples.
    #[arg(long = "playbook", value_name = "FILE", conflicts_with = "stored")]
    file: Option<PathBuf>,
    /// The playbooks stored in the database (`--db`), as the server uses them.
    #[arg(long)]
    stored: bool,
}

#[derive(Subcommand)]
pub enum PlaybooksCommand {
    /// List playbooks in routing order: a file's, the stored ones, or the built-in examples.
    #[command(
        after_help = "Examples:\n  sift playbooks list\n  sift playbooks list --playbook playbooks.toml\n  sift playbooks list --stored --db postgres://sift@db/sift"
    )]
    List {
        #[command(flatten)]
        source: PlaybookSource,
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Show one playbook: its segment, framework, ICP, lead-type rules, owners and examples.
    #[command(
        after_help = "Examples:\n  sift playbooks show enterprise\n  sift playbooks show smb-self-serve --toml > playbooks.toml   # a starting point for your own"
    )]
    Show {
        /// The playbook id.
        id: String,
        #[command(flatten)]
        source: PlaybookSource,
        /// Print as JSON.
        #[arg(long, conflicts_with = "toml")]
        json: bool,
        /// Print a built-in example's TOML source, to copy and adapt.
        #[arg(long)]
        toml: bool,
    },
    /// Check playbooks files and report every problem as FILE:LINE:COLUMN (each playbook's
    /// examples must fit its segment as stated). Exits 2 on errors. Owners are checked
    /// against the server's users only when the file is saved to the server.
    Check {
        /// The files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print the results as a JSON array.
        #[arg(long)]
        json: bool,
    },
}

/// Reads a playbooks file against the frameworks in `config`, printing its warnings.
pub fn load_file(config: &mut Config, path: &Path) -> Result<()> {
    let warnings = config.set_playbooks(&path.display().to_string(), &read_text(path)?)?;
    print_diagnostics(&warnings);
    Ok(())
}

fn builtin_examples(config: &Config) -> Result<Playbooks> {
    let mut all = Vec::new();
    for (name, text) in BUILTIN_PLAYBOOKS {
        let context = PlaybookContext { registry: &config.registry, users: None };
        all.extend(parse_playbooks(&format!("built-in {name}"), text, context)?.playbooks.playbooks);
    }
    Ok(Playbooks { playbooks: all, source: "built-in examples".into() })
}

/// The playbooks a command looks at, and a note saying where they are from.
fn playbooks(db: &str, config: &mut Config, source: &PlaybookSource) -> Result<(Playbooks, String)> {
    if let Some(path) = &source.file {
        load_file(config, path)?;
        let note = format!("from {}", path.display());
        return Ok((config.playbooks.clone().unwrap_or_else(empty), note));
    }
    if source.stored {
        let loaded = crate::cmd::db::runtime()?.block_on(async {
            let store = crate::cmd::db::open(db).await?;
            let loaded = sift_app::config_docs::load(&store).await;
            store.close().await;
            anyhow::Ok(loaded?)
        })?;
        print_diagnostics(&loaded.warnings);
        *config = loaded.config;
        return match config.playbooks.clone() {
            Some(p) => Ok((p, "stored in the database".into())),
            None => bail!("no playbooks are stored in the database; save some with PUT /api/v1/config/playbooks"),
        };
    }
    Ok((builtin_examples(config)?, "built-in examples: copy one with `show ID --toml`; none is active".into()))
}

fn empty() -> Playbooks {
    Playbooks { playbooks: Vec::new(), source: String::new() }
}

/// A segment in one line: `employees at least 1,000; country DE, FR`.
pub fn describe_segment(segment: &Segment) -> String {
    let mut parts = Vec::new();
    if let Some(i) = &segment.industries {
        parts.push(format!("industry {}", i.join(", ")));
    }
    if let Some(c) = &segment.countries {
        parts.push(format!("country {}", c.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")));
    }
    if let Some(b) = &segment.employees {
        parts.push(format!("employees {}", b.describe()));
    }
    if let Some(b) = &segment.annual_revenue {
        parts.push(format!("annual revenue {}", b.describe()));
    }
    if let Some(s) = &segment.sources {
        parts.push(format!("source {}", s.join(", ")));
    }
    if let Some(s) = &segment.stages {
        parts.push(format!("stage {}", s.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")));
    }
    if parts.is_empty() { "every lead (no condition)".to_owned() } else { parts.join("; ") }
}

fn describe_assignment(p: &Playbook) -> String {
    match &p.assignment {
        Assignment::RoundRobin => format!("round robin: {}", p.owners.join(", ")),
        Assignment::Territory { territories } => {
            let map: Vec<String> = territories.iter().map(|(c, o)| format!("{c} {o}")).collect();
            format!("by territory ({}), else in turn: {}", map.join(", "), p.owners.join(", "))
        }
    }
}

pub fn run(db: &str, framework_files: &[PathBuf], command: &PlaybooksCommand) -> Result<u8> {
    let mut config = config(framework_files)?;
    match command {
        PlaybooksCommand::List { source, json } => {
            let (playbooks, note) = playbooks(db, &mut config, source)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&playbooks.playbooks)?);
                return Ok(exit::OK);
            }
            for p in &playbooks.playbooks {
                println!("{BOLD}{:<16}{BOLD:#} {:<28} {}", p.id, p.name, p.framework);
                println!("{:<16} {DIM}{}{DIM:#}", "", describe_segment(&p.segment));
                println!("{:<16} {DIM}{}{DIM:#}", "", describe_assignment(p));
            }
            println!(
                "\n{DIM}{} playbook(s), {note}; a lead goes to the first it fits.{DIM:#}",
                playbooks.playbooks.len()
            );
        }
        PlaybooksCommand::Show { id, source, json, toml } => {
            if *toml {
                let Some((_, text)) = BUILTIN_PLAYBOOKS.iter().find(|(name, _)| *name == format!("{id}.toml")) else {
                    let names: Vec<&str> = BUILTIN_PLAYBOOKS.iter().map(|(n, _)| n.trim_end_matches(".toml")).collect();
                    bail!("`{id}` is not a built-in example; the examples are: {}", names.join(", "));
                };
                print!("{text}");
                return Ok(exit::OK);
            }
            let (playbooks, note) = playbooks(db, &mut config, source)?;
            let Some(p) = playbooks.get(id) else {
                return Err(sift_app::AppError::NotFound {
                    what: "playbook",
                    key: id.clone(),
                    hint: format!(" ({note}); known: {}", playbooks.ids().join(", ")),
                }
                .into());
            };
            if *json {
                println!("{}", serde_json::to_string_pretty(p)?);
            } else {
                show(p, &config);
            }
        }
        PlaybooksCommand::Check { files, json } => return check(&config, files, *json),
    }
    Ok(exit::OK)
}

fn show(p: &Playbook, config: &Config) {
    println!("{BOLD}{}{BOLD:#} ({})", p.name, p.id);
    if let Some(d) = &p.description {
        println!("{d}");
    }
    let framework = config.registry.get(&p.framework).map_or(p.framework.clone(), |f| format!("{} ({})", f.name, f.id));
    println!("\n{BOLD}Segment{BOLD:#}     {}", describe_segment(&p.segment));
    println!("{BOLD}Framework{BOLD:#}   {framework}");
    let icp = match &p.icp {
        PlaybookIcp::Configured => "the configuration's ICP (--icp, or the stored one)".to_owned(),
        other => {
            let rules = other.own().map(|icp| {
                let mut set = Vec::new();
                if let Some(t) = &icp.territories {
                    set.push(format!("territories {}", t.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")));
                }
                if let Some(i) = &icp.industries {
                    set.push(format!("industries {}", i.join(", ")));
                }
                if let Some(b) = &icp.employees {
                    set.push(format!("employees {}", b.describe()));
                }
                if let Some(b) = &icp.annual_revenue {
                    set.push(format!("annual revenue {}", b.describe()));
                }
                if icp.personas.is_some() {
                    set.push("personas".into());
                }
                if icp.excluded_domains.is_some() {
                    set.push("excluded domains".into());
                }
                set.join("; ")
            });
            format!("{}: {}", other.describe(&p.id), rules.unwrap_or_default())
        }
    };
    println!("{BOLD}ICP{BOLD:#}         {icp}");
    let rules = match &p.lead_types {
        Some(r) => r.rules.iter().map(|r| format!("{} -> {}", r.id, r.stage)).collect::<Vec<_>>().join(", "),
        None => "the configuration's lead-type rules".to_owned(),
    };
    println!("{BOLD}Lead types{BOLD:#}  {rules}");
    println!("{BOLD}Owners{BOLD:#}      {}", describe_assignment(p));
    let example = |e: &sift_core::playbook::ExampleLead| {
        let facts = toml::to_string(e).unwrap_or_default().trim().replace('\n', ", ");
        if facts.is_empty() { "(no facts)".to_owned() } else { facts }
    };
    if !p.examples.matches.is_empty() || !p.examples.rejects.is_empty() {
        println!("\n{BOLD}Examples{BOLD:#} (checked whenever the file loads)");
        for e in &p.examples.matches {
            println!("  fits      {}", example(e));
        }
        for e in &p.examples.rejects {
            println!("  not here  {}", example(e));
        }
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
    playbooks: Vec<String>,
    errors: Vec<Located>,
    warnings: Vec<Located>,
}

fn check(config: &Config, files: &[PathBuf], json: bool) -> Result<u8> {
    let mut results = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let outcome = read_text(path).map_err(|e| match e.downcast::<Diagnostics>() {
            Ok(d) => d,
            Err(other) => {
                Diagnostics(vec![Diagnostic { source: name.clone(), location: None, message: format!("{other:#}") }])
            }
        });
        let context = PlaybookContext { registry: &config.registry, users: None };
        let result = outcome.and_then(|text| parse_playbooks(&name, &text, context));
        let (ids, errors, warnings) = match result {
            Ok(loaded) => (
                Some(loaded.playbooks.ids().iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()),
                Vec::new(),
                loaded.warnings.0,
            ),
            Err(problems) => (None, problems.0, Vec::new()),
        };
        if !json {
            print_diagnostics(&Diagnostics(errors.clone()));
            print_diagnostics(&Diagnostics(warnings.clone()));
            match &ids {
                Some(ids) => println!(
                    "{name}: ok ({} playbook(s): {}; {} warning(s))",
                    ids.len(),
                    ids.join(", "),
                    warnings.len()
                ),
                None => println!("{name}: {} problem(s)", errors.len()),
            }
        }
        results.push(CheckResult {
            file: name,
            ok: ids.is_some(),
            playbooks: ids.unwrap_or_default(),
            errors: errors.iter().map(Located::from).collect(),
            warnings: warnings.iter().map(Located::from).collect(),
        });
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    }
    Ok(if results.iter().all(|r| r.ok) { exit::OK } else { exit::INVALID_INPUT })
}

/// One line per import routing, for people.
pub fn print_import_routing(routing: &sift_app::playbooks::ImportRouting) {
    let by: Vec<String> = routing.by_playbook.iter().map(|(p, n)| format!("{p} {n}")).collect();
    let owners: Vec<String> = routing.assigned.iter().map(|(o, n)| format!("{o} {n}")).collect();
    println!(
        "Routed {} lead(s) without a playbook: {}{}",
        routing.considered,
        if by.is_empty() { "none fitted a playbook".to_owned() } else { by.join(", ") },
        if routing.unmatched > 0 { format!("; {} fit no playbook", routing.unmatched) } else { String::new() }
    );
    if !owners.is_empty() {
        println!("{DIM}New owners: {}{DIM:#}", owners.join(", "));
    }
}
