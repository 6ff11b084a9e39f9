//! Odoo's predictive lead scoring (`crm.lead` `_pls_get_naive_bayes_probabilities`),
//! reproduced exactly. It is the baseline the other models must beat.
//!
//! The rules, as Odoo's `addons/crm/models/crm_lead.py` applies them:
//! - A frequency table of (team, variable, value) -> won and lost counts; each new row
//!   starts at 0.1 / 0.1 (`_pls_update_frequency_table`).
//! - An empty value is not counted, except in `email_state` and `phone_state`, where Odoo
//!   stores and counts the value `False` (`_pls_get_lead_pls_values`: `if value or field in
//!   ('email_state', 'phone_state')`). Here the placeholders Sift reads as empty (`None`,
//!   `NA`, `-`, `null`...) are empty too, so in those two columns they are `False` as well.
//! - The stage is counted by stage sequence (`_pls_prepare_frequencies`): a won lead counts
//!   as won in every stage, a lost lead as lost in every stage whose sequence is at most its
//!   own stage's (stages of equal sequence together).
//! - Tag rows with fewer than 50 observations (won + lost) are ignored.
//! - Team results use the team's rows; leads whose team has no rows (or no team) use the
//!   sum over every row.
//! - Prior: the team's won and lost counts in the first stage by sequence (= team totals).
//! - Likelihood of a value: its count over the field's total; for the stage, over the
//!   team's totals. Values never seen are skipped.
//! - A lead without a stage scores 0 and a lead in the won stage 100, before any counting.
//! - `P = S_won / (S_won + S_lost)`, shown as `round(100 * P, 2)` clamped to [0.01, 99.99].
//!
//! The stage and the tags are variables of their own ([`Variable::Stage`],
//! [`Variable::Tag`]), never confused with a column that happens to be called `stage_id` or
//! `tag_id`. Without a stage column every lead is in one implicit stage (its factor is then
//! 1). Values are keyed lower-cased, as the pipeline does; a numeric column's values are used
//! as they are written (Odoo has no continuous variables).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Result, ScoreError};
use crate::features::{FastMap, MISSING_LEVEL};
use crate::table::category_key;

/// The name Odoo gives the stage variable in its frequency table.
pub const STAGE_VARIABLE: &str = "stage_id";
/// The name Odoo gives the tag variable in its frequency table.
pub const TAG_VARIABLE: &str = "tag_id";
/// Tags observed fewer times than this (won + lost, counting the 0.1 starts) are ignored.
pub const MIN_TAG_OBSERVATIONS: f64 = 50.0;
/// Stage used when the data has no stage column.
pub const IMPLICIT_STAGE: &str = "new";
/// Odoo's `str(False)`, keyed lower-cased like every value.
pub const FALSE_VALUE: &str = "false";
/// Columns whose empty cells Odoo counts as the value `False`: its email and phone quality
/// fields, by technical name and by the label its exports use.
pub const EMPTY_IS_FALSE_COLUMNS: &[&str] = &["email_state", "phone_state", "email quality", "phone quality"];
/// The fields Odoo offers for predictive lead scoring (`crm_lead_prediction_data.xml`),
/// tags apart: what `odoo-nb` reads from an Odoo CRM lead export.
pub const EXPORT_FIELDS: &[&str] = &["country_id", "state_id", "email_state", "phone_state", "source_id", "lang_id"];
/// Odoo's default pipeline (`crm_stage_data.xml`): name and sequence; `Won` is the won stage.
pub const DEFAULT_STAGES: &[(&str, i64)] = &[("new", 1), ("qualified", 2), ("proposition", 3), ("won", 70)];
/// The revision of the frequency table written by this build (see [`OdooNb::revision`]).
pub const REVISION: u32 = 1;

/// Does Odoo count an empty cell of this column as `False`?
pub fn empty_is_false(column: &str) -> bool {
    EMPTY_IS_FALSE_COLUMNS.iter().any(|c| column.trim().eq_ignore_ascii_case(c))
}

/// Where the team, stage and tags come from, when the data has them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OdooConfig {
    pub team_column: Option<String>,
    pub stage_column: Option<String>,
    /// Stages (lower-cased), in sequence order. Needed with `stage_column`.
    #[serde(default)]
    pub stages: Vec<String>,
    /// Each stage's sequence, when given (`--odoo-stages new:1,qualified:2,...`); otherwise a
    /// stage's sequence is its position. Stages of equal sequence are counted together.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stage_sequences: Vec<i64>,
    /// The won stage (lower-cased): a lead in it scores 100, as in Odoo. It is not one of the
    /// counted stages (its counts would only ever serve leads that score 100 anyway).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub won_stage: Option<String>,
    /// A column of tags separated by `;` or `,`.
    pub tag_column: Option<String>,
}

impl OdooConfig {
    /// The sequence of stage `i` of [`OdooConfig::stages`].
    pub fn sequence(&self, i: usize) -> i64 {
        self.stage_sequences.get(i).copied().unwrap_or(i as i64)
    }

    /// Checks the stage list: sequences for all stages or none, no stage twice.
    pub fn validate(&self) -> Result<()> {
        if !self.stage_sequences.is_empty() && self.stage_sequences.len() != self.stages.len() {
            return Err(ScoreError::Options(format!(
                "{} stage sequences for {} stages: give a sequence to every stage or to none",
                self.stage_sequences.len(),
                self.stages.len()
            )));
        }
        for (i, stage) in self.stages.iter().enumerate() {
            if stage.is_empty() {
                return Err(ScoreError::Options("an empty stage name in the stage list".into()));
            }
            if self.stages[..i].contains(stage) {
                return Err(ScoreError::Options(format!("stage `{stage}` is listed twice")));
            }
        }
        Ok(())
    }
}

/// Reads a stage list: `NAME` entries in sequence order, or `NAME:SEQUENCE` entries (Odoo's
/// stage sequences, equal ones allowed); names are lower-cased.
pub fn parse_stages(items: &[String]) -> Result<(Vec<String>, Vec<i64>)> {
    let mut names = Vec::new();
    let mut sequences = Vec::new();
    for item in items.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match item.rsplit_once(':').and_then(|(name, seq)| Some((name, seq.trim().parse::<i64>().ok()?))) {
            Some((name, sequence)) => {
                names.push(name.trim().to_lowercase());
                sequences.push(sequence);
            }
            None => names.push(item.to_lowercase()),
        }
    }
    if !sequences.is_empty() && sequences.len() != names.len() {
        return Err(ScoreError::Options(
            "give a sequence to every stage (`new:1,qualified:2`) or to none (`new,qualified`)".into(),
        ));
    }
    Ok((names, sequences))
}

/// A variable of Odoo's model: a column of the data, the stage, or a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variable {
    /// Column `i` of [`OdooNb::fields`].
    Field(usize),
    Stage,
    Tag,
}

/// What a frequency row counts, as written in the model file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VariableKind {
    /// A column, named by `variable`.
    #[default]
    Field,
    Stage,
    Tag,
}

impl VariableKind {
    fn is_field(&self) -> bool {
        *self == VariableKind::Field
    }
}

/// One row of Odoo's `crm.lead.scoring.frequency`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FrequencyRow {
    pub team: Option<String>,
    /// The column's name; `stage_id` or `tag_id` (Odoo's names) for the stage and tags.
    pub variable: String,
    /// Stage and tag rows say so, so a column named `stage_id` is never taken for the stage.
    #[serde(default, skip_serializing_if = "VariableKind::is_field")]
    pub kind: VariableKind,
    pub value: String,
    pub won_count: f64,
    pub lost_count: f64,
}

/// A lead as Odoo's scoring sees it: its team and its (variable, value) pairs. A lead with no
/// [`Variable::Stage`] pair has no stage.
#[derive(Debug, Clone, Default)]
pub struct OdooLead {
    pub team: Option<String>,
    /// (variable, value): the stage when it has one, and one pair per tag.
    pub values: Vec<(Variable, String)>,
}

impl OdooLead {
    pub fn stage(&self) -> Option<&str> {
        self.values.iter().find(|(v, _)| *v == Variable::Stage).map(|(_, s)| s.as_str())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OdooNb {
    /// The plain variables (column names).
    pub fields: Vec<String>,
    pub config: OdooConfig,
    pub frequencies: Vec<FrequencyRow>,
    /// 0: a file written before the stage and tags had a kind of their own (its `stage_id`
    /// and `tag_id` rows are read as the stage and tags); 1: [`REVISION`].
    #[serde(default)]
    pub revision: u32,
}

/// Builds an [`OdooLead`] from cells: `cell(i)` for `i < fields.len()` is field `i`, then
/// team, stage and tags in that order when configured.
pub fn odoo_lead<'c>(fields: &[String], config: &OdooConfig, cell: impl Fn(usize) -> Option<&'c str>) -> OdooLead {
    let mut key = String::new();
    let mut lead = OdooLead::default();
    for (i, field) in fields.iter().enumerate() {
        match cell(i) {
            Some(v) => {
                category_key(v, &mut key);
                lead.values.push((Variable::Field(i), key.clone()));
            }
            None if empty_is_false(field) => lead.values.push((Variable::Field(i), FALSE_VALUE.to_string())),
            None => {}
        }
    }
    let mut next = fields.len();
    if config.team_column.is_some() {
        lead.team = cell(next).map(|t| t.trim().to_string());
        next += 1;
    }
    if config.stage_column.is_some() {
        if let Some(stage) = cell(next) {
            category_key(stage, &mut key);
            lead.values.push((Variable::Stage, key.clone()));
        }
        next += 1;
    } else {
        lead.values.push((Variable::Stage, IMPLICIT_STAGE.to_string()));
    }
    if config.tag_column.is_some()
        && let Some(tags) = cell(next)
    {
        for tag in tags.split([';', ',']).map(str::trim).filter(|t| !t.is_empty()) {
            category_key(tag, &mut key);
            lead.values.push((Variable::Tag, key.clone()));
        }
    }
    lead
}

impl OdooNb {
    /// Fills the frequency table from closed leads (`won` true or false). A lost lead in a
    /// stage that is not listed counts in no stage, except in the won stage (after them all).
    pub fn fit<'a>(
        fields: Vec<String>,
        config: OdooConfig,
        leads: impl Iterator<Item = (&'a OdooLead, bool)>,
    ) -> OdooNb {
        let config = if config.stages.is_empty() {
            OdooConfig { stages: vec![IMPLICIT_STAGE.to_string()], stage_sequences: Vec::new(), ..config }
        } else {
            config
        };
        let stage_sequence: HashMap<&str, i64> =
            config.stages.iter().enumerate().map(|(i, s)| (s.as_str(), config.sequence(i))).collect();
        // (team, variable, value) -> row, in first-seen order for a stable file.
        let mut index: HashMap<(Option<String>, Variable, String), usize> = HashMap::new();
        let mut rows: Vec<FrequencyRow> = Vec::new();
        let mut add = |team: &Option<String>, variable: Variable, value: &str, won: bool| {
            let key = (team.clone(), variable, value.to_string());
            let i = *index.entry(key).or_insert_with(|| {
                let (kind, name) = match variable {
                    Variable::Field(i) => (VariableKind::Field, fields[i].clone()),
                    Variable::Stage => (VariableKind::Stage, STAGE_VARIABLE.to_string()),
                    Variable::Tag => (VariableKind::Tag, TAG_VARIABLE.to_string()),
                };
                rows.push(FrequencyRow {
                    team: team.clone(),
                    variable: name,
                    kind,
                    value: value.to_string(),
                    won_count: 0.1,
                    lost_count: 0.1,
                });
                rows.len() - 1
            });
            if won {
                rows[i].won_count += 1.0;
            } else {
                rows[i].lost_count += 1.0;
            }
        };
        for (lead, won) in leads {
            for (variable, value) in &lead.values {
                if *variable != Variable::Stage {
                    add(&lead.team, *variable, value, won);
                    continue;
                }
                let reached = match stage_sequence.get(value.as_str()) {
                    Some(&sequence) => Some(sequence),
                    None if config.won_stage.as_deref() == Some(value.as_str()) => Some(i64::MAX),
                    None => None,
                };
                for (i, stage) in config.stages.iter().enumerate() {
                    if won || reached.is_some_and(|r| config.sequence(i) <= r) {
                        add(&lead.team, Variable::Stage, stage, won);
                    }
                }
            }
        }
        OdooNb { fields, config, frequencies: rows, revision: REVISION }
    }

    /// Reads a file of revision 0: its `stage_id` and `tag_id` rows were the stage and tags.
    pub fn upgrade(&mut self) {
        if self.revision == 0 {
            for row in &mut self.frequencies {
                if row.kind == VariableKind::Field && row.variable == STAGE_VARIABLE {
                    row.kind = VariableKind::Stage;
                } else if row.kind == VariableKind::Field && row.variable == TAG_VARIABLE {
                    row.kind = VariableKind::Tag;
                }
            }
            self.revision = REVISION;
        }
    }

    /// The per-team results Odoo computes before scoring.
    pub fn prepare(&self) -> OdooResults {
        let field_index: FastMap<&str, usize> = self.fields.iter().enumerate().map(|(i, f)| (f.as_str(), i)).collect();
        let mut teams: FastMap<Option<String>, TeamResult> = FastMap::default();
        for row in &self.frequencies {
            let variable = match row.kind {
                VariableKind::Stage => Variable::Stage,
                VariableKind::Tag => Variable::Tag,
                VariableKind::Field => match field_index.get(row.variable.as_str()) {
                    Some(&i) => Variable::Field(i),
                    None => continue,
                },
            };
            if variable == Variable::Tag && row.won_count + row.lost_count < MIN_TAG_OBSERVATIONS {
                continue;
            }
            // Every row counts for all teams (`None`), and for its own team.
            let own_team = row.team.as_ref().map(|team| Some(team.clone()));
            for target in std::iter::once(None).chain(own_team) {
                let field = teams.entry(target).or_default().fields.entry(variable).or_default();
                // A value's text is copied once, on its first row: most rows bring a new one.
                match field.values.get_mut(row.value.as_str()) {
                    Some(counts) => {
                        counts.0 += row.won_count;
                        counts.1 += row.lost_count;
                    }
                    None => {
                        field.values.insert(row.value.clone(), (0.0 + row.won_count, 0.0 + row.lost_count));
                    }
                }
                field.won_total += row.won_count;
                field.lost_total += row.lost_count;
            }
        }
        // The first stage by sequence: every won lead and every lost lead count in it.
        let first_stage = (0..self.config.stages.len())
            .min_by_key(|&i| self.config.sequence(i))
            .map_or(IMPLICIT_STAGE, |i| self.config.stages[i].as_str());
        for team in teams.values_mut() {
            let (won, lost) = team
                .fields
                .get(&Variable::Stage)
                .and_then(|f| f.values.get(first_stage))
                .copied()
                .unwrap_or((0.0, 0.0));
            team.team_won = won;
            team.team_lost = lost;
        }
        OdooResults { teams, won_stage: self.config.won_stage.clone() }
    }
}

#[derive(Debug, Clone, Default)]
pub struct FieldResult {
    pub values: FastMap<String, (f64, f64)>,
    pub won_total: f64,
    pub lost_total: f64,
}

#[derive(Debug, Clone, Default)]
pub struct TeamResult {
    pub fields: FastMap<Variable, FieldResult>,
    pub team_won: f64,
    pub team_lost: f64,
}

/// One variable's part in a lead's odds: `ln(P(v|won) / P(v|lost))`.
#[derive(Debug, Clone, PartialEq)]
pub struct OdooFactor {
    pub variable: Variable,
    pub value: String,
    pub log_ratio: f64,
}

/// Log-odds carried by the one factor behind a score Odoo sets by rule (0 or 100): those
/// of the displayed extremes, 0.01% and 99.99%.
pub const DECIDING_LOG_ODDS: f64 = 9.21024036697585;

#[derive(Debug, Clone)]
pub struct OdooResults {
    /// `None` is Odoo's `-1`: every row, whatever the team.
    pub teams: FastMap<Option<String>, TeamResult>,
    /// A lead in this stage scores 100. Cross-validation turns the rule off: a closed lead's
    /// stage is its outcome there.
    pub won_stage: Option<String>,
}

/// Python's `round(x, 2)` (half to even on the scaled value).
fn round2(x: f64) -> f64 {
    (x * 100.0).round_ties_even() / 100.0
}

impl OdooResults {
    /// Odoo's probability in percent, with the factors behind it: 0 for a lead without a
    /// stage, 100 for a lead in the won stage (one stage factor each), else the computed
    /// one clamped to 0.01..=99.99; `None` when the team has no won or no lost leads (Odoo
    /// leaves the probability unset).
    pub fn probability(&self, lead: &OdooLead) -> Option<(f64, Vec<OdooFactor>)> {
        let Some(stage) = lead.stage() else {
            let factor = OdooFactor {
                variable: Variable::Stage,
                value: MISSING_LEVEL.to_string(),
                log_ratio: -DECIDING_LOG_ODDS,
            };
            return Some((0.0, vec![factor]));
        };
        if self.won_stage.as_deref() == Some(stage) {
            let factor =
                OdooFactor { variable: Variable::Stage, value: stage.to_string(), log_ratio: DECIDING_LOG_ODDS };
            return Some((100.0, vec![factor]));
        }
        let team_key = lead.team.clone().filter(|t| self.teams.contains_key(&Some(t.clone())));
        let team = self.teams.get(&team_key)?;
        let (team_won, team_lost) = (team.team_won, team.team_lost);
        if team_won == 0.0 || team_lost == 0.0 {
            return None;
        }
        let total = team_won + team_lost;
        let (mut s_won, mut s_lost) = (team_won / total, team_lost / total);
        let mut factors = Vec::new();
        for (variable, value) in &lead.values {
            let Some(field) = team.fields.get(variable) else { continue };
            let Some(&(won, lost)) = field.values.get(value) else { continue };
            let (total_won, total_lost) =
                if *variable == Variable::Stage { (team_won, team_lost) } else { (field.won_total, field.lost_total) };
            if total_won == 0.0 || total_lost == 0.0 {
                continue;
            }
            s_won *= won / total_won;
            s_lost *= lost / total_lost;
            factors.push(OdooFactor {
                variable: *variable,
                value: value.clone(),
                log_ratio: ((won / total_won) / (lost / total_lost)).ln(),
            });
        }
        let p = s_won / (s_won + s_lost);
        Some((round2(100.0 * p).clamp(0.01, 99.99), factors))
    }
}

/// A variable's position in [`OdooTables`]: the fields by index, then the stage, then tags.
fn variable_index(fields: usize, variable: Variable) -> usize {
    match variable {
        Variable::Field(i) => i,
        Variable::Stage => fields,
        Variable::Tag => fields + 1,
    }
}

/// A value's part in the odds, computed once: `won / total won`, `lost / total lost`, and the
/// log of their ratio (the factor's effect).
#[derive(Debug, Clone, Copy)]
struct Ratio {
    won: f64,
    lost: f64,
    log: f64,
}

/// One team's results as flat tables: per variable, per value id.
#[derive(Debug, Clone)]
struct TeamTable {
    team_won: f64,
    team_lost: f64,
    ratios: Vec<Vec<Option<Ratio>>>,
}

/// Raw spellings remembered per variable and thread (bounds memory on free-text columns).
const MEMO_LIMIT: usize = 4096;

/// Per-thread buffers of [`OdooTables::probability`].
#[derive(Default)]
pub struct OdooScratch {
    key: String,
    /// Per variable: raw spelling -> value id (`None`: never seen in training).
    memo: Vec<FastMap<Box<str>, Option<u32>>>,
    /// The factors of the last lead: (variable, value id or [`NO_VALUE`], log ratio).
    pub hits: Vec<(u32, u32, f64)>,
    /// Per variable, the last raw value and its id: most columns of a lead export repeat
    /// one value (`No`), and comparing it costs less than hashing it.
    last: Vec<(String, Option<u32>)>,
}

/// The value id of a missing stage (shown as [`MISSING_LEVEL`]).
const NO_VALUE: u32 = u32::MAX;

/// [`OdooResults::probability`] for batch scoring: every value keyed once per model, each
/// team's ratios in flat tables, raw spellings remembered per thread, nothing allocated per
/// lead. Each product is computed with the same operations in the same order as
/// [`OdooResults::probability`], so the probabilities are identical (a test compares them).
#[derive(Debug, Clone)]
pub struct OdooTables {
    fields: usize,
    empty_is_false: Vec<bool>,
    has_team: bool,
    has_stage: bool,
    has_tags: bool,
    /// Per variable: value -> id, and id -> value.
    ids: Vec<FastMap<String, u32>>,
    values: Vec<Vec<String>>,
    /// Teams with rows of their own, and the table of every row (Odoo's `-1`).
    teams: FastMap<String, usize>,
    every_row: Option<usize>,
    tables: Vec<TeamTable>,
    won_stage: Option<String>,
    /// The won stage's id among the stage values.
    won_stage_id: Option<u32>,
}

impl OdooTables {
    pub fn new(nb: &OdooNb, results: &OdooResults) -> OdooTables {
        let fields = nb.fields.len();
        let field_index: FastMap<&str, usize> =
            nb.fields.iter().enumerate().rev().map(|(i, f)| (f.as_str(), i)).collect();
        let variable_of = |row: &FrequencyRow| match row.kind {
            VariableKind::Stage => Some(fields),
            VariableKind::Tag => Some(fields + 1),
            VariableKind::Field => field_index.get(row.variable.as_str()).copied(),
        };
        // Room for every row's value (and the few added below) from the start, instead of
        // growing the tables (and hashing every key again) as they fill.
        let mut rows = vec![2usize; fields + 2];
        for v in nb.frequencies.iter().filter_map(variable_of) {
            rows[v] += 1;
        }
        let mut ids: Vec<FastMap<String, u32>> =
            rows.iter().map(|&n| FastMap::with_capacity_and_hasher(n, Default::default())).collect();
        let mut values: Vec<Vec<String>> = rows.iter().map(|&n| Vec::with_capacity(n)).collect();
        let mut intern = |v: usize, value: &str| -> u32 {
            if let Some(&id) = ids[v].get(value) {
                return id;
            }
            let id = values[v].len() as u32;
            values[v].push(value.to_string());
            ids[v].insert(value.to_string(), id);
            id
        };
        // Ids in a stable order (the file's), whatever the maps' iteration order.
        for row in &nb.frequencies {
            if let Some(v) = variable_of(row) {
                intern(v, &row.value);
            }
        }
        for (i, field) in nb.fields.iter().enumerate() {
            if empty_is_false(field) {
                intern(i, FALSE_VALUE);
            }
        }
        intern(fields, IMPLICIT_STAGE);
        if let Some(won) = &results.won_stage {
            intern(fields, won);
        }
        let mut teams = FastMap::default();
        let mut every_row = None;
        let mut tables = Vec::with_capacity(results.teams.len());
        let mut names: Vec<&Option<String>> = results.teams.keys().collect();
        names.sort();
        for name in names {
            let team = &results.teams[name];
            let mut ratios: Vec<Vec<Option<Ratio>>> = values.iter().map(|v| vec![None; v.len()]).collect();
            for (variable, field) in &team.fields {
                let v = variable_index(fields, *variable);
                let (total_won, total_lost) = if *variable == Variable::Stage {
                    (team.team_won, team.team_lost)
                } else {
                    (field.won_total, field.lost_total)
                };
                if total_won == 0.0 || total_lost == 0.0 {
                    continue;
                }
                for (value, &(won, lost)) in &field.values {
                    let Some(&id) = ids[v].get(value.as_str()) else { continue };
                    let log = ((won / total_won) / (lost / total_lost)).ln();
                    ratios[v][id as usize] = Some(Ratio { won: won / total_won, lost: lost / total_lost, log });
                }
            }
            match name {
                Some(name) => {
                    teams.insert(name.clone(), tables.len());
                }
                None => every_row = Some(tables.len()),
            }
            tables.push(TeamTable { team_won: team.team_won, team_lost: team.team_lost, ratios });
        }
        let won_stage_id = results.won_stage.as_ref().and_then(|w| ids[fields].get(w.as_str()).copied());
        OdooTables {
            fields,
            empty_is_false: nb.fields.iter().map(|f| empty_is_false(f)).collect(),
            has_team: nb.config.team_column.is_some(),
            has_stage: nb.config.stage_column.is_some(),
            has_tags: nb.config.tag_column.is_some(),
            ids,
            values,
            teams,
            every_row,
            tables,
            won_stage: results.won_stage.clone(),
            won_stage_id,
        }
    }

    /// The value id of a raw cell of variable `v`. A cell already written as its key
    /// (lower case, trimmed: numbers, codes, identifiers) is looked up as it is; other
    /// spellings are remembered per thread, so each is lower-cased once.
    /// Inlined: most cells of a low-cardinality column repeat its last value.
    #[inline]
    fn value_id(&self, v: usize, raw: &str, scratch: &mut OdooScratch) -> Option<u32> {
        match scratch.last.get(v) {
            Some((last, id)) if last == raw && !raw.is_empty() => *id,
            _ => self.new_value_id(v, raw, scratch),
        }
    }

    /// [`OdooTables::value_id`] of a value other than the variable's last one.
    fn new_value_id(&self, v: usize, raw: &str, scratch: &mut OdooScratch) -> Option<u32> {
        let id = self.look_up(v, raw, scratch);
        let last = &mut scratch.last[v];
        last.0.clear();
        last.0.push_str(raw);
        last.1 = id;
        id
    }

    fn look_up(&self, v: usize, raw: &str, scratch: &mut OdooScratch) -> Option<u32> {
        let bytes = raw.as_bytes();
        let is_key = bytes.iter().all(|b| b.is_ascii() && !b.is_ascii_uppercase())
            && !bytes.first().is_some_and(u8::is_ascii_whitespace)
            && !bytes.last().is_some_and(u8::is_ascii_whitespace);
        if is_key {
            return self.ids[v].get(raw).copied();
        }
        if let Some(&id) = scratch.memo[v].get(raw) {
            return id;
        }
        category_key(raw, &mut scratch.key);
        let id = self.ids[v].get(scratch.key.as_str()).copied();
        if scratch.memo[v].len() < MEMO_LIMIT {
            scratch.memo[v].insert(raw.into(), id);
        }
        id
    }

    /// Odoo's probability in percent, as [`OdooResults::probability`] gives it, with the
    /// factors in `scratch.hits`; `None` when Odoo leaves it unset. `cell(i)` reads the
    /// fields, then the team, stage and tags when configured (the order of [`odoo_lead`]).
    pub fn probability<'c>(&self, cell: impl Fn(usize) -> Option<&'c str>, scratch: &mut OdooScratch) -> Option<f64> {
        scratch.hits.clear();
        if scratch.memo.len() != self.fields + 2 {
            scratch.memo = vec![FastMap::default(); self.fields + 2];
            scratch.last = vec![(String::new(), None); self.fields + 2];
        }
        let stage_v = self.fields;
        let mut next = self.fields;
        let team = if self.has_team {
            next += 1;
            cell(next - 1).map(crate::table::trim)
        } else {
            None
        };
        // The stage: absent, seen in training (an id), or unseen.
        let stage: Option<(Option<u32>, &str)> = if self.has_stage {
            next += 1;
            cell(next - 1).map(|raw| (self.value_id(stage_v, raw, scratch), raw))
        } else {
            Some((self.ids[stage_v].get(IMPLICIT_STAGE).copied(), IMPLICIT_STAGE))
        };
        let Some((stage_id, stage_raw)) = stage else {
            scratch.hits.push((stage_v as u32, NO_VALUE, -DECIDING_LOG_ODDS));
            return Some(0.0);
        };
        if let Some(won) = &self.won_stage {
            let is_won = match stage_id {
                Some(id) => Some(id) == self.won_stage_id,
                None => {
                    category_key(stage_raw, &mut scratch.key);
                    scratch.key == *won
                }
            };
            if is_won {
                scratch.hits.push((stage_v as u32, self.won_stage_id.unwrap_or(NO_VALUE), DECIDING_LOG_ODDS));
                return Some(100.0);
            }
        }
        let table = match team.and_then(|t| self.teams.get(t)) {
            Some(&t) => &self.tables[t],
            None => &self.tables[self.every_row?],
        };
        let (team_won, team_lost) = (table.team_won, table.team_lost);
        if team_won == 0.0 || team_lost == 0.0 {
            return None;
        }
        let total = team_won + team_lost;
        let (mut s_won, mut s_lost) = (team_won / total, team_lost / total);
        let mut count = |v: usize, id: Option<u32>, hits: &mut Vec<(u32, u32, f64)>| {
            if let Some(id) = id
                && let Some(r) = table.ratios[v][id as usize]
            {
                s_won *= r.won;
                s_lost *= r.lost;
                hits.push((v as u32, id, r.log));
            }
        };
        for v in 0..self.fields {
            let id = match cell(v) {
                Some(raw) => self.value_id(v, raw, scratch),
                None if self.empty_is_false[v] => self.ids[v].get(FALSE_VALUE).copied(),
                None => None,
            };
            count(v, id, &mut scratch.hits);
        }
        count(stage_v, stage_id, &mut scratch.hits);
        if self.has_tags
            && let Some(tags) = cell(next)
        {
            for tag in tags.split([';', ',']).map(crate::table::trim).filter(|t| !t.is_empty()) {
                let id = self.value_id(stage_v + 1, tag, scratch);
                count(stage_v + 1, id, &mut scratch.hits);
            }
        }
        let p = s_won / (s_won + s_lost);
        Some(round2(100.0 * p).clamp(0.01, 99.99))
    }

    /// The variable and value of a factor in `scratch.hits` (the value as keyed, lower-cased).
    pub fn factor(&self, hit: (u32, u32, f64)) -> (Variable, &str) {
        let (v, id, _) = hit;
        let v = v as usize;
        let variable = match v {
            v if v < self.fields => Variable::Field(v),
            v if v == self.fields => Variable::Stage,
            _ => Variable::Tag,
        };
        let value = if id == NO_VALUE { MISSING_LEVEL } else { self.values[v][id as usize].as_str() };
        (variable, value)
    }
}
