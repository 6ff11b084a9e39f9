//! Outcome words of CRM exports (`Converted = 1`, `Closed Won`, HubSpot `customer`, `Closed -
//! Not Converted`) and what they mean for a lead: converted or not, and its stage. The
//! mapping is data (`data/outcomes.toml`, where the choices are explained); a user may
//! give their own.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use sift_core::Stage;

use super::{Field, header_key};

/// One rule: values of one field that state an outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRule {
    /// What the outcome is called in messages (`won`, `lost`...).
    pub name: String,
    /// The importer field whose values this rule reads.
    pub field: Field,
    /// Whole values, compared lower-case with only letters and digits kept.
    #[serde(default)]
    pub values: Vec<String>,
    /// Parts of values, compared the same way.
    #[serde(default)]
    pub contains: Vec<String>,
    /// Whether the lead converted (won), when the value says so.
    pub converted: Option<bool>,
    /// The stage the lead is stored at, when the value says where it stands.
    pub stage: Option<Stage>,
}

/// A set of outcome rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcomes {
    rules: Vec<OutcomeRule>,
    /// Each rule's values and parts, normalised once (matching runs on every row).
    #[serde(skip)]
    keys: Vec<(Vec<String>, Vec<String>)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomesFile {
    outcome: Vec<OutcomeRule>,
}

const BUILTIN: &str = include_str!("../../data/outcomes.toml");

impl Outcomes {
    /// Reads outcome rules from TOML (`[[outcome]]` tables, as in `data/outcomes.toml`).
    pub fn parse(text: &str) -> Result<Outcomes, String> {
        let file: OutcomesFile = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        for rule in &file.outcome {
            if !matches!(rule.field, Field::Converted | Field::Status | Field::LifecycleStage) {
                return Err(format!(
                    "outcome `{}`: field must be `converted`, `status` or `lifecycle_stage`",
                    rule.name
                ));
            }
            if rule.values.is_empty() && rule.contains.is_empty() {
                return Err(format!("outcome `{}`: give `values` or `contains`", rule.name));
            }
            if rule.converted.is_none() && rule.stage.is_none() {
                return Err(format!("outcome `{}`: give `converted` or `stage` (or both)", rule.name));
            }
        }
        Ok(Outcomes::new(file.outcome))
    }

    fn new(rules: Vec<OutcomeRule>) -> Outcomes {
        let keys = rules
            .iter()
            .map(|r| {
                let normal = |v: &Vec<String>| v.iter().map(|x| header_key(x)).collect();
                (normal(&r.values), normal(&r.contains))
            })
            .collect();
        Outcomes { rules, keys }
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[OutcomeRule] {
        &self.rules
    }

    /// The rules that ship with Sift.
    pub fn builtin() -> &'static Outcomes {
        static RULES: OnceLock<Outcomes> = OnceLock::new();
        RULES.get_or_init(|| Outcomes::parse(BUILTIN).unwrap_or_else(|_| Outcomes::new(Vec::new())))
    }

    /// The rule for a value of a field: an exact value first, else the first `contains`.
    pub fn find(&self, field: Field, value: &str) -> Option<&OutcomeRule> {
        self.find_index(field, value).map(|i| &self.rules[i])
    }

    /// The index in [`Outcomes::rules`] of the rule [`Outcomes::find`] returns.
    pub fn find_index(&self, field: Field, value: &str) -> Option<usize> {
        let key = header_key(value);
        let rules = || self.rules.iter().zip(&self.keys).enumerate().filter(|(_, (r, _))| r.field == field);
        rules()
            .find(|(_, (_, (values, _)))| values.contains(&key))
            .or_else(|| rules().find(|(_, (_, (_, parts)))| parts.iter().any(|p| key.contains(p.as_str()))))
            .map(|(i, _)| i)
    }

    /// The rules that read a field, for showing what an import will do.
    pub fn for_field(&self, field: Field) -> impl Iterator<Item = &OutcomeRule> {
        self.rules.iter().filter(move |r| r.field == field)
    }
}

impl Default for Outcomes {
    fn default() -> Self {
        Outcomes::builtin().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_rules_parse_and_read_real_outcome_words() {
        Outcomes::parse(BUILTIN).expect("data/outcomes.toml is valid");
        let o = Outcomes::builtin();
        let check = |field: Field, value: &str, converted: Option<bool>, stage: Option<Stage>| {
            let rule = o.find(field, value).unwrap_or_else(|| panic!("{value:?} has a rule"));
            assert_eq!((rule.converted, rule.stage), (converted, stage), "{value:?}");
        };
        check(Field::Converted, "1", Some(true), Some(Stage::Customer));
        check(Field::Converted, "Yes", Some(true), Some(Stage::Customer));
        check(Field::Converted, "Closed Won", Some(true), Some(Stage::Customer));
        check(Field::Converted, "0", Some(false), None);
        check(Field::Converted, "Closed Lost", Some(false), Some(Stage::Disqualified));
        check(Field::Status, "Closed - Converted", Some(true), Some(Stage::Opportunity));
        check(Field::Status, "Closed - Not Converted", Some(false), Some(Stage::Disqualified));
        check(Field::Status, "Unqualified - no budget", Some(false), Some(Stage::Disqualified));
        check(Field::Status, "Bad Timing", None, Some(Stage::Nurture));
        check(Field::LifecycleStage, "customer", Some(true), Some(Stage::Customer));
        assert!(o.find(Field::Status, "Open - Not Contacted").is_none());
        assert!(o.find(Field::Converted, "maybe").is_none());
    }

    #[test]
    fn bad_rules_are_refused_with_the_reason() {
        let err =
            Outcomes::parse("[[outcome]]\nname = \"x\"\nfield = \"email\"\nvalues = [\"a\"]\nstage = \"customer\"\n")
                .expect_err("email is not an outcome field");
        assert!(err.contains("field must be"), "{err}");
        let err = Outcomes::parse("[[outcome]]\nname = \"x\"\nfield = \"status\"\nvalues = [\"a\"]\n")
            .expect_err("no effect");
        assert!(err.contains("give `converted` or `stage`"), "{err}");
        let err = Outcomes::parse("[[outcome]]\nname = \"x\"\nfield = \"status\"\nvalues = [\"a\"]\nstage = \"won\"\n")
            .expect_err("stage");
        assert!(err.contains("unknown variant `won`"), "{err}");
    }
}
