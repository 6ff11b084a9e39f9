//! Properties of the gate over random leads, profiles and answers.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;
use sift_core::icp::Check;
use sift_core::{CriterionAnswer, CriterionStatus, GateInput, GatePolicy, Icp, Lead, Registry, Verdict, qualify_lead};

fn status() -> impl Strategy<Value = CriterionStatus> {
    prop::sample::select(CriterionStatus::ALL.to_vec())
}

fn lead() -> impl Strategy<Value = Lead> {
    (
        prop::option::of(prop::sample::select(vec!["DE", "US", "BR", "CN"])),
        prop::option::of(prop::sample::select(vec!["Software", "Retail"])),
        prop::option::of(0u64..20_000),
        prop::option::of(prop::sample::select(vec!["CEO", "Intern", "Sales Manager"])),
    )
        .prop_map(|(country, industry, employees, title)| {
            let mut lead = Lead::default();
            lead.company.country = country.and_then(|c| c.parse().ok());
            lead.company.industry = industry.map(str::to_owned);
            lead.company.employees = employees;
            lead.contact.title = title.map(str::to_owned);
            lead
        })
}

proptest! {
    #[test]
    fn no_lead_with_a_failing_level_is_qualified_and_the_first_failing_level_is_reported(
        framework_index in 0usize..7,
        statuses in prop::collection::vec(status(), 8),
        days_out in prop::collection::vec(prop::option::of(-30i64..600), 8),
        lead in lead(),
        with_icp in any::<bool>(),
    ) {
        let registry = Registry::builtin().expect("built-ins");
        let framework = &registry.frameworks()[framework_index];
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
        let answers: BTreeMap<String, CriterionAnswer> = framework
            .criteria
            .iter()
            .zip(statuses.iter().zip(&days_out))
            .map(|(c, (s, d))| {
                let mut a = CriterionAnswer::new(*s);
                a.date = d.map(|d| as_of + chrono::Duration::days(d));
                (c.id.clone(), a)
            })
            .collect();
        let icp = Icp::parse("icp.toml", "territories = [\"DE\", \"US\"]\nindustries = [\"Software\"]\nemployees = { min = 50 }\npersonas = { seniority = [\"c_level\", \"manager\"] }\n").expect("icp");
        let decision = qualify_lead(&GateInput {
            lead: &lead,
            icp: with_icp.then_some(&icp),
            framework,
            concepts: registry.concepts(),
            answers: &answers,
            policy: &GatePolicy::default(),
            as_of,
            language: None,
        });
        let first_failing = decision.levels.iter().find(|l| l.status == Check::Fail).map(|l| l.level);
        prop_assert_eq!(decision.failed_level, first_failing);
        if first_failing.is_some() {
            prop_assert!(matches!(decision.verdict, Verdict::Disqualified | Verdict::Nurture));
        }
        if decision.verdict == Verdict::Qualified {
            prop_assert!(decision.levels.iter().all(|l| l.status == Check::Pass));
            // Nothing contradicted or negative among required criteria slips through.
            for c in framework.criteria.iter().filter(|c| c.required) {
                prop_assert_eq!(answers[&c.id].status, CriterionStatus::Confirmed);
            }
        }
        prop_assert_eq!(decision.nurture.is_some(), decision.verdict == Verdict::Nurture);
        prop_assert!(!decision.reasons.is_empty());
    }

    /// Every text the gate writes beside a message is that message in English, the messages
    /// read back from JSON as written, and a decision stored before messages still reads.
    #[test]
    fn every_text_beside_a_message_is_its_english_and_old_decisions_still_read(
        framework_index in 0usize..7,
        statuses in prop::collection::vec(status(), 8),
        days_out in prop::collection::vec(prop::option::of(-30i64..600), 8),
        notes in prop::collection::vec(prop::option::of(prop::sample::select(vec!["  ", "40k set aside", "他说\"下个月\""])), 8),
        lead in lead(),
        with_icp in any::<bool>(),
    ) {
        let registry = Registry::builtin().expect("built-ins");
        let framework = &registry.frameworks()[framework_index];
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
        let answers: BTreeMap<String, CriterionAnswer> = framework
            .criteria
            .iter()
            .zip(statuses.iter().zip(days_out.iter().zip(&notes)))
            .map(|(c, (s, (d, n)))| {
                let mut a = CriterionAnswer::new(*s);
                a.date = d.map(|d| as_of + chrono::Duration::days(d));
                a.note = n.map(str::to_owned);
                (c.id.clone(), a)
            })
            .collect();
        let icp = Icp::parse("icp.toml", "territories = [\"DE\", \"US\"]\nindustries = [\"Software\"]\nemployees = { min = 50, max = 10000 }\nexcluded_domains = [\"rival.io\"]\npersonas = { titles = [\"sales\"], seniority = [\"c_level\"] }\n").expect("icp");
        let decision = qualify_lead(&GateInput {
            lead: &lead,
            icp: with_icp.then_some(&icp),
            framework,
            concepts: registry.concepts(),
            answers: &answers,
            policy: &GatePolicy::default(),
            as_of,
            language: Some(sift_core::Language::En),
        });
        let english: Vec<String> = decision.reason_messages.iter().map(|m| m.english()).collect();
        prop_assert_eq!(&english, &decision.reasons);
        prop_assert_eq!(decision.next_step_message.as_ref().map(|m| m.english()), Some(decision.next_step.clone()));
        for level in &decision.levels {
            prop_assert_eq!(level.reason_message.as_ref().map(|m| m.english()), Some(level.reason.clone()));
            for f in &level.findings {
                prop_assert_eq!(f.reason_message.as_ref().map(|m| m.english()), Some(f.reason.clone()));
            }
        }
        for q in &decision.next_questions {
            prop_assert_eq!(q.why_message.as_ref().map(|m| m.english()), Some(q.why.clone()));
        }
        if let Some(n) = &decision.nurture {
            prop_assert_eq!(n.reason_message.as_ref().map(|m| m.english()), Some(n.reason.clone()));
        }
        let json = serde_json::to_value(&decision).expect("json");
        let back: sift_core::Decision = serde_json::from_value(json.clone()).expect("reads back");
        prop_assert_eq!(&back, &decision);
        // The same decision as stored before messages: every message field taken out.
        let mut old = json;
        strip_messages(&mut old);
        let old: sift_core::Decision = serde_json::from_value(old).expect("an old decision reads");
        prop_assert_eq!(old.reasons, decision.reasons);
        prop_assert!(old.reason_messages.is_empty() && old.next_step_message.is_none());
    }
}

fn strip_messages(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|key, _| !key.ends_with("_message") && !key.ends_with("_messages"));
            map.values_mut().for_each(strip_messages);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_messages),
        _ => {}
    }
}
