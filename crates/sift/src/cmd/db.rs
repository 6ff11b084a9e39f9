//! Commands on the lead database: import, export, leads list/show/count.

use std::io::IsTerminal;
use std::path::PathBuf;

use anstream::println;
use anstyle::Style;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use sift_app::leads as app_leads;
use sift_app::{Config, imports};
use sift_core::{ActivityKind, Stage, Verdict};
use sift_store::import::{Field, ImportOptions, Progress};
use sift_store::{LeadFilter, Store, StoredLead};

use crate::exit;
use crate::inputs::read_text;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

/// Where Sift keeps its files: `SIFT_DATA_DIR`, else the platform's data directory
/// (`~/.local/share/sift` on Linux).
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SIFT_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("org", "sift", "sift")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".sift"))
}

/// The default database: a SQLite file in the data directory.
pub fn default_database_url() -> String {
    format!("sqlite://{}", data_dir().join("sift.db").display())
}

pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub async fn open(url: &str) -> Result<Store> {
    Ok(Store::connect(url).await?)
}

#[derive(Args)]
#[command(after_long_help = "\
The file may be a HubSpot or Salesforce export or any spreadsheet saved as CSV: the delimiter
(, ; tab), quoting, BOM, line endings and encoding (UTF-8, else Windows-1252) are detected, and
headers are mapped automatically. Columns with no place in the lead model are kept as custom
fields. Placeholders such as `Select`, `unknown`, `N/A` count as empty.

Re-importing a file changes nothing: rows are matched by external id, else email, else their
content. A bad row never stops the import: it goes to --errors with its row number.

MAPPING FILE (TOML), to override the automatic mapping:
  [columns]
  \"Firma\" = \"company\"
  \"Umsatz\" = \"annual_revenue\"
  \"Notes\" = \"custom\"
Fields: external_id first_name last_name full_name email phone title company domain industry
employees annual_revenue country source lifecycle_stage status converted created_at conversion
visits custom

EXAMPLES:
  sift import hubspot-contacts.csv
  sift import leads.csv --dry-run
  sift import leads.csv --errors rejected.csv --db postgres://postgres@localhost/sift")]
pub struct ImportArgs {
    /// The CSV file to import.
    file: PathBuf,
    /// A TOML file that maps column headers to fields (overrides the automatic mapping).
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// Write rejected rows here (CSV: source row, column, error code, message, original row).
    #[arg(long, value_name = "FILE")]
    errors: Option<PathBuf>,
    /// Show the detected dialect, the column mapping, the key that identifies leads and what
    /// the outcome values mean, and import nothing.
    #[arg(long)]
    dry_run: bool,
    /// The column that identifies each lead (default: a CRM id column, else a column named
    /// like an id whose values are all distinct, else the email).
    #[arg(long, value_name = "COLUMN")]
    key: Option<String>,
    /// Rows per transaction.
    #[arg(long, default_value_t = 5000, value_name = "ROWS", value_parser = crate::inputs::ranged(ImportOptions::BATCH_SIZES))]
    batch_size: usize,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Route the imported leads that have no playbook yet with these playbooks (TOML) and
    /// give them owners (by territory, else in turn; owners are user names of `sift users`).
    #[arg(long, value_name = "FILE", env = "SIFT_PLAYBOOKS")]
    playbook: Option<PathBuf>,
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn advance(&self, bytes: u64) {
        self.0.set_position(bytes);
    }
}

fn load_overrides(path: Option<&PathBuf>) -> Result<std::collections::BTreeMap<String, Field>> {
    match path {
        None => Ok(Default::default()),
        Some(p) => Ok(imports::parse_mapping(&p.display().to_string(), &read_text(p)?)?),
    }
}

fn field_name(field: Field) -> String {
    serde_json::to_value(field).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

pub fn import(db: &str, framework_files: &[PathBuf], args: &ImportArgs) -> Result<u8> {
    let overrides = load_overrides(args.mapping.as_ref())?;
    let mut routing_config = None;
    if let Some(p) = &args.playbook {
        let mut config = crate::inputs::config(framework_files)?;
        crate::cmd::playbooks::load_file(&mut config, p)?;
        routing_config = Some(config);
    }
    if args.dry_run {
        let options = ImportOptions { overrides, key: args.key.clone(), ..ImportOptions::default() };
        let inspection = imports::inspect(&args.file, &options)?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&inspection)?);
        } else {
            let dialect = &inspection.dialect;
            let delimiter = match dialect.delimiter {
                '\t' => "tab".to_owned(),
                d => format!("`{d}`"),
            };
            println!(
                "{BOLD}{}{BOLD:#}: delimiter {delimiter}, encoding {}, BOM {}",
                args.file.display(),
                dialect.encoding,
                if dialect.bom { "yes" } else { "no" }
            );
            for (header, field) in &inspection.mapping {
                let target =
                    if *field == Field::Custom { format!("{DIM}custom field{DIM:#}") } else { field_name(*field) };
                println!("  {header:<40} -> {target}");
            }
            for line in inspection.describe() {
                println!("{line}");
            }
            println!("{DIM}Dry run: nothing was imported.{DIM:#}");
        }
        return Ok(exit::OK);
    }
    let mut errors = match &args.errors {
        Some(p) => Some(imports::error_report_writer(p).with_context(|| format!("cannot create `{}`", p.display()))?),
        None => None,
    };
    let size = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    let bar =
        if std::io::stderr().is_terminal() && !args.json { ProgressBar::new(size) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} importing {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let options =
        ImportOptions { batch_size: args.batch_size, overrides, key: args.key.clone(), ..ImportOptions::default() };
    let summary = runtime()?.block_on(async {
        let store = open(db).await?;
        let summary = imports::import_file(&store, &args.file, &options, errors.as_mut(), &Bar(bar.clone())).await;
        let routing = match (&summary, &routing_config) {
            (Ok(s), Some(config)) => Some(sift_app::playbooks::route_import_run(config, &store, s.run).await),
            _ => None,
        };
        store.close().await;
        anyhow::Ok((summary?, routing.transpose()?))
    })?;
    let (summary, routing) = summary;
    bar.finish_and_clear();
    if args.json {
        let mut value = serde_json::to_value(&summary)?;
        if let (Some(routing), Some(map)) = (&routing, value.as_object_mut()) {
            map.insert("routing".into(), serde_json::to_value(routing)?);
        }
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        println!(
            "{BOLD}{}{BOLD:#}: {} rows · {} inserted · {} updated · {} unchanged · {} rejected",
            summary.file, summary.rows, summary.inserted, summary.updated, summary.unchanged, summary.rejected
        );
        if summary.duplicates > 0 {
            println!(
                "{DIM}{} row(s) repeated an earlier row of the file (same id, email or content) and were merged into it{DIM:#}",
                summary.duplicates
            );
        }
        if summary.fields_decoded_as_windows_1252 > 0 {
            println!(
                "{DIM}{} field(s) were not UTF-8 and were read as Windows-1252{DIM:#}",
                summary.fields_decoded_as_windows_1252
            );
        }
        for note in summary.notes() {
            println!("{DIM}{note}{DIM:#}");
        }
        if summary.rejected > 0 {
            match &args.errors {
                Some(p) => println!(
                    "Rejected rows are in {} (row number, column, error code, message, original row).",
                    p.display()
                ),
                None => println!("Re-run with --errors FILE to see the rejected rows."),
            }
        }
        if let Some(routing) = &routing {
            crate::cmd::playbooks::print_import_routing(routing);
        }
    }
    Ok(exit::OK)
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Args)]
pub struct ExportArgs {
    /// Output format. CSV cells that could run as spreadsheet formulas are neutralised.
    #[arg(long, value_enum, default_value = "csv")]
    format: ExportFormat,
    #[command(flatten)]
    filter: FilterArgs,
    /// Write here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Args, Clone)]
pub struct FilterArgs {
    /// Only leads in this stage (unqualified, mql, pql, cql, sql, opportunity, nurture, disqualified, customer).
    #[arg(long)]
    stage: Option<Stage>,
    /// Only leads from this source (case-insensitive).
    #[arg(long)]
    source: Option<String>,
    /// Only leads whose latest verdict is this (qualified, nurture, disqualified, needs_info).
    #[arg(long)]
    verdict: Option<Verdict>,
    /// Only leads with a stored score of at least N (1-99; see `sift score --stored`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..=99))]
    min_score: Option<i64>,
    /// Only leads with a stored score of at most N (1-99).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..=99))]
    max_score: Option<i64>,
}

impl FilterArgs {
    fn filter(&self) -> LeadFilter {
        LeadFilter {
            stage: self.stage,
            source: self.source.clone(),
            verdict: self.verdict,
            score_min: self.min_score,
            score_max: self.max_score,
            ..LeadFilter::default()
        }
    }
}

/// What `leads list` orders by.
#[derive(Clone, Copy, ValueEnum)]
pub enum ListOrder {
    Id,
    Created,
    Updated,
    Company,
    Name,
    /// The stored score, highest first.
    Score,
}

impl ListOrder {
    fn sort(self, reverse: bool) -> sift_store::LeadSort {
        let (key, descending) = match self {
            ListOrder::Id => (sift_store::SortKey::Id, false),
            ListOrder::Created => (sift_store::SortKey::Created, false),
            ListOrder::Updated => (sift_store::SortKey::Updated, false),
            ListOrder::Company => (sift_store::SortKey::Company, false),
            ListOrder::Name => (sift_store::SortKey::Name, false),
            ListOrder::Score => (sift_store::SortKey::Score, true),
        };
        sift_store::LeadSort { key, descending: descending != reverse }
    }
}

pub fn export(db: &str, args: &ExportArgs) -> Result<u8> {
    let format = match args.format {
        ExportFormat::Csv => sift_store::export::ExportFormat::Csv,
        ExportFormat::Json => sift_store::export::ExportFormat::Json,
    };
    let out: Box<dyn std::io::Write> = match &args.out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create `{}`", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    // Streamed from the database: memory stays at a few rows whatever the number of leads.
    let written = runtime()?.block_on(async {
        let store = open(db).await?;
        let written = sift_store::export::export_leads(&store, &args.filter.filter(), format, out).await;
        store.close().await;
        anyhow::Ok(written?)
    })?;
    if let Some(p) = &args.out {
        anstream::eprintln!("{written} lead(s) written to {}", p.display());
    }
    Ok(exit::OK)
}

#[derive(Args)]
pub struct ImportsArgs {
    /// At most this many runs, newest first.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(i64).range(1..=10_000))]
    limit: i64,
    #[arg(long)]
    json: bool,
}

/// `sift imports`: the import runs, newest first, with their status (an interrupted run is
/// taken over by the next import of its file).
pub fn imports(db: &str, args: &ImportsArgs) -> Result<u8> {
    let runs = runtime()?.block_on(async {
        let store = open(db).await?;
        let runs = store.import_runs(args.limit).await;
        store.close().await;
        anyhow::Ok(runs?)
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&runs)?);
        return Ok(exit::OK);
    }
    if runs.is_empty() {
        println!("No imports yet. Import a CRM export with `sift import FILE`.");
        return Ok(exit::OK);
    }
    println!(
        "{BOLD}{:>5}  {:<12} {:<20} {:>9} {:>9} {:>9} {:>9}  file{BOLD:#}",
        "run", "status", "started", "rows", "inserted", "updated", "rejected"
    );
    for r in &runs {
        let status =
            serde_json::to_value(r.status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        println!(
            "{:>5}  {:<12} {:<20} {:>9} {:>9} {:>9} {:>9}  {}{}",
            r.id,
            status,
            r.started_at.chars().take(19).collect::<String>().replace('T', " "),
            r.rows_read,
            r.inserted,
            r.updated,
            r.rejected,
            r.file,
            r.resumes.map(|p| format!("  {DIM}(resumes run {p}){DIM:#}")).unwrap_or_default()
        );
        if let Some(e) = &r.error {
            println!("       {DIM}{e}{DIM:#}");
        }
    }
    Ok(exit::OK)
}

#[derive(Subcommand)]
pub enum LeadsCommand {
    /// List stored leads.
    #[command(after_help = "Example:\n  sift leads list --sort score --min-score 70")]
    List {
        #[command(flatten)]
        filter: FilterArgs,
        /// Order: id, created, updated, company, name (ascending) or score (highest first).
        #[arg(long, value_enum, default_value = "id")]
        sort: ListOrder,
        /// Reverse the order.
        #[arg(long)]
        reverse: bool,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Print a JSON array of leads.
        #[arg(long)]
        json: bool,
    },
    /// Show one lead with its stage history (by id, external id or email).
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Record something a stored lead did (a form, a trial sign-up...) and re-run the
    /// lead-type rules: an unqualified or MQL lead moves to the type they give.
    #[command(after_help = "Kinds: page_view, email_open, email_click, email_reply, form_submission, call_button, \
trial_signup, product_activation, product_usage.\n\nExample:\n  sift leads activity jana@acme.example --kind trial_signup --detail \"14-day trial\"")]
    Activity {
        /// The lead: database id, external id or email.
        id: String,
        /// What happened.
        #[arg(long, value_parser = parse_activity_kind)]
        kind: ActivityKind,
        /// When, as RFC 3339 (2026-11-02T10:00:00Z); default now.
        #[arg(long, value_name = "TIME")]
        at: Option<DateTime<Utc>>,
        /// What exactly: the page, campaign, form or product event.
        #[arg(long)]
        detail: Option<String>,
        /// Lead-type rules (TOML); default: the built-in rules.
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Count leads, in total and per stage.
    Count {
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long)]
        json: bool,
    },
}

pub fn leads(db: &str, command: &LeadsCommand) -> Result<u8> {
    let mut config = Config::builtin()?;
    if let LeadsCommand::Activity { rules: Some(p), .. } = command {
        config.set_rules(&p.display().to_string(), &read_text(p)?)?;
    }
    let config = &config;
    let rt = runtime()?;
    rt.block_on(async {
        let store = open(db).await?;
        let result = leads_inner(config, &store, command).await;
        store.close().await;
        result
    })
}

fn lead_line(l: &StoredLead) -> String {
    let r = &l.record;
    format!(
        "{:>7}  {:<12} {:<24} {:<28} {:<14} {:<12} {}",
        l.id,
        r.stage.name(),
        r.name().unwrap_or_else(|| "-".into()).chars().take(24).collect::<String>(),
        r.company.as_deref().unwrap_or("-").chars().take(28).collect::<String>(),
        r.source.as_deref().unwrap_or("-").chars().take(14).collect::<String>(),
        l.verdict.map_or("", Verdict::name),
        l.score.as_ref().map_or_else(String::new, |s| format!("{:>5}", s.score)),
    )
}

async fn leads_inner(config: &Config, store: &Store, command: &LeadsCommand) -> Result<u8> {
    match command {
        LeadsCommand::List { filter, sort, reverse, limit, json } => {
            let query = LeadFilter { limit: Some(*limit), sort: sort.sort(*reverse), ..filter.filter() };
            let leads = app_leads::list(store, &query).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&leads)?);
            } else {
                println!(
                    "{BOLD}{:>7}  {:<12} {:<24} {:<28} {:<14} {:<12} score{BOLD:#}",
                    "id", "stage", "name", "company", "source", "verdict"
                );
                for l in &leads {
                    println!("{}", lead_line(l));
                }
                let total = store.count_leads(&filter.filter()).await?;
                if total > leads.len() as i64 {
                    println!("{DIM}{} of {total} shown; use --limit or filters{DIM:#}", leads.len());
                }
            }
        }
        LeadsCommand::Show { id, json } => {
            let detail = app_leads::detail(store, id).await?;
            let (lead, history) = (&detail.lead, &detail.history);
            if *json {
                println!("{}", serde_json::to_string_pretty(&detail)?);
            } else {
                let r = &lead.record;
                println!(
                    "{BOLD}{}{BOLD:#} (id {}, {})",
                    r.name().unwrap_or_else(|| "(no name)".into()),
                    lead.id,
                    r.stage
                );
                let facts = [
                    ("email", r.email.clone()),
                    ("phone", r.phone.clone()),
                    ("title", r.title.clone()),
                    ("company", r.company.clone()),
                    ("domain", r.domain.clone()),
                    ("industry", r.industry.clone()),
                    ("employees", r.employees.map(|v| v.to_string())),
                    ("annual revenue", r.annual_revenue.map(sift_core::icp::human_number)),
                    ("country", r.country.clone()),
                    ("source", r.source.clone()),
                    ("CRM status", r.crm_status.clone()),
                    ("converted", r.converted.map(|v| v.to_string())),
                    ("lead type rule", r.lead_type_rule.clone()),
                    ("latest verdict", lead.verdict.map(|v| v.name().to_owned())),
                    ("external id", r.external_id.clone()),
                ];
                for (k, v) in facts {
                    if let Some(v) = v {
                        println!("  {k:<15} {v}");
                    }
                }
                if !r.custom_fields.is_empty() {
                    println!("{BOLD}Custom fields{BOLD:#}");
                    for (k, v) in &r.custom_fields {
                        println!("  {k}: {v}");
                    }
                }
                if !history.is_empty() {
                    println!("{BOLD}Lifecycle{BOLD:#}");
                    for h in history {
                        println!(
                            "  {}  {} -> {}  {DIM}by {}: {}{DIM:#}",
                            h.at.format("%Y-%m-%d %H:%M"),
                            h.from,
                            h.to,
                            h.actor,
                            h.reason
                        );
                    }
                }
                if let Some(latest) = &detail.latest_decision {
                    println!("\n{BOLD}Latest decision{BOLD:#} {DIM}({}){DIM:#}", latest.decided_at);
                    let framework = config
                        .registry
                        .get(&latest.decision.framework)
                        .map_or(latest.decision.framework.as_str(), |f| f.name.as_str());
                    crate::render::print_decision(&lead.record.to_lead(), framework, &latest.decision);
                }
            }
        }
        LeadsCommand::Activity { id, kind, at, detail, rules: _, json } => {
            let recorded = app_leads::record_activity(config, store, id, *kind, *at, detail.clone()).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&recorded)?);
            } else {
                println!("Recorded {} for lead {}.", kind.name(), recorded.lead_id);
                match (&recorded.lead_type, &recorded.plan) {
                    (Some(d), plan) => println!(
                        "Lead type: {} ({}); {}.",
                        d.stage.name().to_uppercase(),
                        d.explanation,
                        plan.describe()
                    ),
                    (None, plan) => println!("No lead-type rule fires yet; the lead stays {}.", plan.stage()),
                }
            }
        }
        LeadsCommand::Count { filter, json } => {
            let counts = app_leads::count(store, &filter.filter()).await?;
            let (total, by_stage) = (counts.total, &counts.by_stage);
            if *json {
                println!("{}", serde_json::to_string_pretty(&counts)?);
            } else {
                println!("{total} lead(s)");
                for stage in Stage::ALL {
                    if let Some(n) = by_stage.get(stage.name()) {
                        println!("  {:<13} {n}", stage.name());
                    }
                }
            }
        }
    }
    Ok(exit::OK)
}

fn parse_activity_kind(value: &str) -> Result<ActivityKind, String> {
    ActivityKind::parse(value).ok_or_else(|| {
        format!("unknown activity `{value}`; one of: {}", ActivityKind::ALL.map(ActivityKind::name).join(", "))
    })
}
