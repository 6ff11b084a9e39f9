//! The lead-type classifier: MQL, PQL or CQL from what a lead did, by configurable rules.
//!
//! Rules are tried in order; the first that fires decides, and the decision names the rule
//! and the activities behind it. The defaults:
//! 1. `converted` -> CQL: a form submission or a press of a call button;
//! 2. `product_signal` -> PQL: a trial sign-up or a product activation;
//! 3. `engaged` -> MQL: engagement points (page views, email opens/clicks/replies, product
//!    usage) at or over a threshold.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostics, TomlReader, table_value};
use crate::lead::{Activity, ActivityKind};
use crate::lifecycle::Stage;
use crate::message::Message;

/// One classification rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadTypeRule {
    pub id: String,
    /// The lead type this rule assigns: `mql`, `pql` or `cql`.
    pub stage: Stage,
    /// Fires when any of these activities happened.
    #[serde(default)]
    pub any_of: Vec<ActivityKind>,
    /// Fires when the engagement points reach this many.
    #[serde(default)]
    pub min_points: Option<u32>,
}

/// The ordered rules and the points each activity earns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadTypeRules {
    pub rules: Vec<LeadTypeRule>,
    #[serde(default)]
    pub points: BTreeMap<ActivityKind, u32>,
}

impl Default for LeadTypeRules {
    fn default() -> Self {
        use ActivityKind::*;
        LeadTypeRules {
            rules: vec![
                LeadTypeRule {
                    id: "converted".into(),
                    stage: Stage::Cql,
                    any_of: vec![FormSubmission, CallButton],
                    min_points: None,
                },
                LeadTypeRule {
                    id: "product_signal".into(),
                    stage: Stage::Pql,
                    any_of: vec![TrialSignup, ProductActivation],
                    min_points: None,
                },
                LeadTypeRule { id: "engaged".into(), stage: Stage::Mql, any_of: vec![], min_points: Some(10) },
            ],
            points: BTreeMap::from([
                (PageView, 1),
                (EmailOpen, 1),
                (EmailClick, 3),
                (EmailReply, 5),
                (ProductUsage, 2),
            ]),
        }
    }
}

/// Which lead type a lead earned, by which rule, on which evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadTypeDecision {
    pub stage: Stage,
    pub rule: String,
    pub explanation: String,
    /// The explanation as a message (`lead_type.*`), so a reader can say it in its own
    /// language; absent from decisions kept before codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation_message: Option<Message>,
    /// Indexes into the activities that made the rule fire.
    pub evidence: Vec<usize>,
    /// Engagement points counted, whatever rule fired.
    pub points: u32,
}

impl LeadTypeRules {
    /// Reads rules from a TOML file's text, reporting every problem with its location.
    pub fn parse(source: &str, text: &str) -> Result<LeadTypeRules, Diagnostics> {
        let mut reader = TomlReader::new(source, text);
        let rules = reader.parse().and_then(|table| reader.deserialize::<LeadTypeRules>(table_value(table), ""));
        if let Some(rules) = &rules {
            let problems = rules.problems();
            for problem in problems {
                reader.report(None, problem);
            }
        }
        reader.finish(rules)
    }

    /// Problems that types alone cannot rule out.
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.rules.is_empty() {
            problems.push("no rules: add at least one `[[rules]]` table".to_owned());
        }
        for rule in &self.rules {
            if !rule.stage.is_lead_type() {
                problems.push(format!(
                    "rule `{}` assigns `{}`, but classification rules may only assign mql, pql or cql",
                    rule.id, rule.stage
                ));
            }
            if rule.any_of.is_empty() && rule.min_points.is_none() {
                problems
                    .push(format!("rule `{}` has neither `any_of` nor `min_points`, so it can never fire", rule.id));
            }
        }
        problems
    }

    pub fn engagement_points(&self, activities: &[Activity]) -> u32 {
        activities.iter().map(|a| self.points.get(&a.kind).copied().unwrap_or(0)).sum()
    }

    /// Applies the rules to activity counts rather than timestamped events, as a CRM
    /// export gives them (`Number of Pageviews = 12`, a first conversion). Same rules, same
    /// order; the decision has no evidence indexes.
    pub fn classify_counts(&self, counts: &[(ActivityKind, u32)]) -> Option<LeadTypeDecision> {
        let points: u32 =
            counts.iter().map(|(kind, n)| n.saturating_mul(self.points.get(kind).copied().unwrap_or(0))).sum();
        self.rules.iter().find_map(|rule| {
            if let Some((kind, _)) = counts.iter().find(|(kind, n)| *n > 0 && rule.any_of.contains(kind)) {
                let message =
                    Message::new("lead_type.recorded").with("rule", rule.id.as_str()).with("kind", kind.name());
                return Some(rule.decision(message, Vec::new(), points));
            }
            rule.on_points(points, Vec::new)
        })
    }

    /// Applies the rules in order; `None` when no rule fires (the lead stays unqualified).
    pub fn classify(&self, activities: &[Activity]) -> Option<LeadTypeDecision> {
        let points = self.engagement_points(activities);
        self.rules.iter().find_map(|rule| {
            let matched: Vec<usize> =
                activities.iter().enumerate().filter(|(_, a)| rule.any_of.contains(&a.kind)).map(|(i, _)| i).collect();
            if let Some(&first) = matched.first() {
                let activity = &activities[first];
                let message = Message::new("lead_type.activity")
                    .with("rule", rule.id.as_str())
                    .with("kind", activity.kind.name())
                    .with_opt("detail", activity.detail.as_deref())
                    .with("date", activity.at.format("%Y-%m-%d").to_string());
                return Some(rule.decision(message, matched, points));
            }
            rule.on_points(points, || {
                activities
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| self.points.get(&a.kind).is_some_and(|p| *p > 0))
                    .map(|(i, _)| i)
                    .collect()
            })
        })
    }
}

impl LeadTypeRule {
    /// The decision when the rule's points threshold is reached; `evidence` lists the
    /// activities that earned the points.
    fn on_points(&self, points: u32, evidence: impl FnOnce() -> Vec<usize>) -> Option<LeadTypeDecision> {
        let threshold = self.min_points?;
        (points >= threshold).then(|| {
            let message = Message::new("lead_type.points")
                .with("rule", self.id.as_str())
                .with("points", points.to_string())
                .with("threshold", threshold.to_string());
            self.decision(message, evidence(), points)
        })
    }

    /// The rule's decision, explained by `message` (the text is its English).
    fn decision(&self, message: Message, evidence: Vec<usize>, points: u32) -> LeadTypeDecision {
        LeadTypeDecision {
            stage: self.stage,
            rule: self.id.clone(),
            explanation: message.english(),
            explanation_message: Some(message),
            evidence,
            points,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn activities(kinds: &[ActivityKind]) -> Vec<Activity> {
        kinds
            .iter()
            .enumerate()
            .map(|(i, &kind)| Activity {
                kind,
                at: Utc.with_ymd_and_hms(2026, 10, 1 + i as u32 % 28, 12, 0, 0).single().expect("date"),
                detail: None,
            })
            .collect()
    }

    #[test]
    fn default_rules_assign_the_documented_lead_types() {
        use ActivityKind::*;
        let rules = LeadTypeRules::default();
        let check = |kinds: &[ActivityKind], expected: Option<(Stage, &str)>| {
            let got = rules.classify(&activities(kinds));
            assert_eq!(got.as_ref().map(|d| (d.stage, d.rule.as_str())), expected, "{kinds:?}");
        };
        check(&[], None);
        check(&[PageView, PageView], None);
        check(&[FormSubmission], Some((Stage::Cql, "converted")));
        check(&[PageView, CallButton], Some((Stage::Cql, "converted")));
        check(&[TrialSignup], Some((Stage::Pql, "product_signal")));
        check(&[ProductActivation, EmailOpen], Some((Stage::Pql, "product_signal")));
        check(&[TrialSignup, FormSubmission], Some((Stage::Cql, "converted")));
        check(&[EmailClick, EmailClick, EmailClick, PageView], Some((Stage::Mql, "engaged")));
        check(&[EmailClick, EmailClick, EmailClick], None); // 9 points, one short
    }

    #[test]
    fn counts_classify_like_the_same_events() {
        use ActivityKind::*;
        let rules = LeadTypeRules::default();
        let cases: &[&[(ActivityKind, u32)]] = &[
            &[],
            &[(PageView, 9)],
            &[(PageView, 10)],
            &[(PageView, 30), (TrialSignup, 1)],
            &[(FormSubmission, 1), (TrialSignup, 1)],
            &[(EmailClick, 0)],
        ];
        for counts in cases {
            let events: Vec<ActivityKind> =
                counts.iter().flat_map(|(k, n)| std::iter::repeat_n(*k, *n as usize)).collect();
            let from_events = rules.classify(&activities(&events)).map(|d| (d.stage, d.rule, d.points));
            let from_counts = rules.classify_counts(counts).map(|d| (d.stage, d.rule, d.points));
            assert_eq!(from_counts, from_events, "{counts:?}");
        }
    }

    #[test]
    fn the_decision_points_at_its_evidence() {
        use ActivityKind::*;
        let acts = activities(&[PageView, FormSubmission, EmailOpen, FormSubmission]);
        let decision = LeadTypeRules::default().classify(&acts).expect("fires");
        assert_eq!(decision.evidence, vec![1, 3]);
        assert!(decision.explanation.contains("form_submission"), "{}", decision.explanation);
        assert_eq!(decision.points, 2);
    }

    #[test]
    fn rules_load_from_toml_and_bad_files_say_where() {
        let text = "[[rules]]\nid = \"hot\"\nstage = \"mql\"\nmin_points = 3\n\n[points]\npage_view = 2\n";
        let rules = LeadTypeRules::parse("rules.toml", text).expect("valid");
        assert_eq!(
            rules.classify(&activities(&[ActivityKind::PageView, ActivityKind::PageView])).map(|d| d.stage),
            Some(Stage::Mql)
        );

        let bad = "[[rules]]\nid = \"x\"\nstage = \"sql\"\nany_of = [\"page_view\"]\n";
        let err = LeadTypeRules::parse("rules.toml", bad).expect_err("sql is not a lead type");
        assert!(err.to_string().contains("may only assign"), "{err}");

        let bad_kind = "[[rules]]\nid = \"x\"\nstage = \"mql\"\nany_of = [\"tweet\"]\n";
        let err = LeadTypeRules::parse("rules.toml", bad_kind).expect_err("unknown activity");
        assert!(err.to_string().starts_with("rules.toml:4:"), "{err}");
    }
}
