//! Odoo's predictive lead scoring (`crm.lead` `_pls_get_naive_bayes_probabilities`),
//! reproduced exactly. It is the baseline the other models must beat.
//!
//! - A frequency table of (team, variable, value) -> won and lost counts; each new row
//!   starts at 0.1 / 0.1.
//! - The stage is counted cumulatively: a won lead counts as won in every stage, a lost lead
//!   as lost in every stage up to (and including) the one it was lost in.
//! - Tag rows with fewer than 50 observations (won + lost) are ignored.
//! - Team results use the team's rows; leads whose team has no rows (or no team) use the
//!   sum over every row.
//! - Prior: the team's won and lost counts in the first stage (= team totals).
//! - Likelihood of a value: its count over the field's total; for the stage, over the
//!   team's totals. Values never seen are skipped; missing values are not counted at all.
//! - `P = S_won / (S_won + S_lost)`, shown as `round(100 * P, 2)` clamped to [0.01, 99.99].
//!
//! Without a stage column every lead is in one implicit stage (its factor is then 1).
//! Values are keyed lower-cased, as the pipeline does; a numeric column's values are used as
//! they are written (Odoo has no continuous variables).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::table::category_key;

/// The variable name Odoo uses for the stage.
pub const STAGE_VARIABLE: &str = "stage_id";
/// The variable name Odoo uses for tags.
pub const TAG_VARIABLE: &str = "tag_id";
/// Tags observed fewer times than this (won + lost, counting the 0.1 starts) are ignored.
pub const MIN_TAG_OBSERVATIONS: f64 = 50.0;
/// Stage used when the data has no stage column.
pub const IMPLICIT_STAGE: &str = "new";

/// Where the team, stage and tags come from, when the data has them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OdooConfig {
    pub team_column: Option<String>,
    pub stage_column: Option<String>,
    /// Stages in sequence order (lower-cased). Needed with `stage_column`.
    #[serde(default)]
    pub stages: Vec<String>,
    /// A column of tags separated by `;` or `,`.
    pub tag_column: Option<String>,
}

/// One row of Odoo's `crm.lead.scoring.frequency`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FrequencyRow {
    pub team: Option<String>,
    pub variable: String,
    pub value: String,
    pub won_count: f64,
    pub lost_count: f64,
}

/// A lead as Odoo's scoring sees it: its team, its stage and its set (variable, value) pairs.
#[derive(Debug, Clone, Default)]
pub struct OdooLead {
    pub team: Option<String>,
    /// (variable, value), the stage included (as `stage_id`) and one pair per tag.
    pub values: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OdooNb {
    /// The plain variables (column names).
    pub fields: Vec<String>,
    pub config: OdooConfig,
    pub frequencies: Vec<FrequencyRow>,
}

/// Builds an [`OdooLead`] from cells: `cell(i)` for `i < fields.len()` is field `i`, then
/// team, stage and tags in that order when configured.
pub fn odoo_lead<'c>(fields: &[String], config: &OdooConfig, cell: impl Fn(usize) -> Option<&'c str>) -> OdooLead {
    let mut key = String::new();
    let mut lead = OdooLead::default();
    for (i, field) in fields.iter().enumerate() {
        if let Some(v) = cell(i) {
            category_key(v, &mut key);
            lead.values.push((field.clone(), key.clone()));
        }
    }
    let mut next = fields.len();
    if config.team_column.is_some() {
        lead.team = cell(next).map(|t| t.trim().to_string());
        next += 1;
    }
    let stage = if config.stage_column.is_some() {
        let stage = cell(next).map(|s| {
            category_key(s, &mut key);
            key.clone()
        });
        next += 1;
        stage.unwrap_or_else(|| config.stages.first().cloned().unwrap_or_else(|| IMPLICIT_STAGE.to_string()))
    } else {
        IMPLICIT_STAGE.to_string()
    };
    lead.values.push((STAGE_VARIABLE.to_string(), stage));
    if config.tag_column.is_some()
        && let Some(tags) = cell(next)
    {
        for tag in tags.split([';', ',']).map(str::trim).filter(|t| !t.is_empty()) {
            category_key(tag, &mut key);
            lead.values.push((TAG_VARIABLE.to_string(), key.clone()));
        }
    }
    lead
}

impl OdooNb {
    /// Fills the frequency table from closed leads (`won` true or false).
    pub fn fit<'a>(
        fields: Vec<String>,
        config: OdooConfig,
        leads: impl Iterator<Item = (&'a OdooLead, bool)>,
    ) -> OdooNb {
        let stages: Vec<String> =
            if config.stages.is_empty() { vec![IMPLICIT_STAGE.to_string()] } else { config.stages.clone() };
        // (team, variable, value) -> (won, lost), in first-seen order for a stable file.
        let mut index: HashMap<(Option<String>, String, String), usize> = HashMap::new();
        let mut rows: Vec<FrequencyRow> = Vec::new();
        let mut add = |team: &Option<String>, variable: &str, value: &str, won: bool| {
            let key = (team.clone(), variable.to_string(), value.to_string());
            let i = *index.entry(key).or_insert_with(|| {
                rows.push(FrequencyRow {
                    team: team.clone(),
                    variable: variable.to_string(),
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
                if variable == STAGE_VARIABLE {
                    let reached = stages.iter().position(|s| s == value).unwrap_or(0);
                    for (sequence, stage) in stages.iter().enumerate() {
                        if won || sequence <= reached {
                            add(&lead.team, STAGE_VARIABLE, stage, won);
                        }
                    }
                } else {
                    add(&lead.team, variable, value, won);
                }
            }
        }
        OdooNb { fields, config: OdooConfig { stages, ..config }, frequencies: rows }
    }

    /// The per-team results Odoo computes before scoring.
    pub fn prepare(&self) -> OdooResults {
        let mut teams: HashMap<Option<String>, TeamResult> = HashMap::new();
        for row in &self.frequencies {
            if row.variable == TAG_VARIABLE && row.won_count + row.lost_count < MIN_TAG_OBSERVATIONS {
                continue;
            }
            let mut targets = vec![None];
            if row.team.is_some() {
                targets.push(row.team.clone());
            }
            for target in targets {
                let field = teams.entry(target).or_default().fields.entry(row.variable.clone()).or_default();
                let counts = field.values.entry(row.value.clone()).or_insert((0.0, 0.0));
                counts.0 += row.won_count;
                counts.1 += row.lost_count;
                field.won_total += row.won_count;
                field.lost_total += row.lost_count;
            }
        }
        let first_stage = self.config.stages.first().cloned().unwrap_or_else(|| IMPLICIT_STAGE.to_string());
        for team in teams.values_mut() {
            let (won, lost) =
                team.fields.get(STAGE_VARIABLE).and_then(|f| f.values.get(&first_stage)).copied().unwrap_or((0.0, 0.0));
            team.team_won = won;
            team.team_lost = lost;
        }
        OdooResults { teams }
    }
}

#[derive(Debug, Clone, Default)]
pub struct FieldResult {
    pub values: HashMap<String, (f64, f64)>,
    pub won_total: f64,
    pub lost_total: f64,
}

#[derive(Debug, Clone, Default)]
pub struct TeamResult {
    pub fields: HashMap<String, FieldResult>,
    pub team_won: f64,
    pub team_lost: f64,
}

/// One variable's part in a lead's odds: `ln(P(v|won) / P(v|lost))`.
#[derive(Debug, Clone, PartialEq)]
pub struct OdooFactor {
    pub variable: String,
    pub value: String,
    pub log_ratio: f64,
}

#[derive(Debug, Clone)]
pub struct OdooResults {
    /// `None` is Odoo's `-1`: every row, whatever the team.
    pub teams: HashMap<Option<String>, TeamResult>,
}

/// Python's `round(x, 2)` (half to even on the scaled value).
fn round2(x: f64) -> f64 {
    (x * 100.0).round_ties_even() / 100.0
}

impl OdooResults {
    /// Odoo's probability in percent (0.01..=99.99), or `None` when the team has no won or
    /// no lost leads (Odoo leaves the probability unset), with the factors behind it.
    pub fn probability(&self, lead: &OdooLead) -> Option<(f64, Vec<OdooFactor>)> {
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
                if variable == STAGE_VARIABLE { (team_won, team_lost) } else { (field.won_total, field.lost_total) };
            if total_won == 0.0 || total_lost == 0.0 {
                continue;
            }
            s_won *= won / total_won;
            s_lost *= lost / total_lost;
            factors.push(OdooFactor {
                variable: variable.clone(),
                value: value.clone(),
                log_ratio: ((won / total_won) / (lost / total_lost)).ln(),
            });
        }
        let p = s_won / (s_won + s_lost);
        Some((round2(100.0 * p).clamp(0.01, 99.99), factors))
    }
}
