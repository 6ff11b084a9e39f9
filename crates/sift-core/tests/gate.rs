//! The gate's rules (DOMAIN.md sections 2, 4 and 5), one small case each, all through one
//! `check` helper.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sift_core::gate::Outcome;
use sift_core::icp::Check;
use sift_core::{
    AnswersFile, CriterionAnswer, CriterionStatus, Decision, GateInput, GatePolicy, Icp, Level, Registry, Verdict,
    carry_answers, qualify_lead,
};

const ICP: &str = r#"
territories = ["DE", "FR", "US", "CN"]
industries = ["Software", "Logistics"]
employees = { min = 50, max = 5000 }
excluded_domains = ["rival.example"]
"#;

const LEAD: &str = r#"
[lead]
company = "Acme Logistics"
domain = "acme.example"
industry = "Logistics"
employees = 400
country = "DE"
contact_name = "Jana Novak"
contact_title = "Chief Executive Officer"
"#;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).expect("valid date")
}

fn registry() -> Registry {
    Registry::builtin().expect("built-in frameworks load")
}

/// Builds an answers file: `framework`, the lead table (with `lead_edits` applied as extra
/// lines, later keys replacing earlier ones), and `criteria` as `id = status[@date]`.
fn answers(framework: &str, lead_edits: &[&str], criteria: &[&str]) -> String {
    let mut lead: BTreeMap<String, String> = BTreeMap::new();
    for line in LEAD.lines().chain(lead_edits.iter().copied()) {
        if let Some((k, v)) = line.split_once('=') {
            lead.insert(k.trim().to_owned(), v.trim().to_owned());
        }
    }
    let mut text = format!("framework = \"{framework}\"\n\n[lead]\n");
    for (k, v) in lead {
        if v != "REMOVE" {
            text.push_str(&format!("{k} = {v}\n"));
        }
    }
    for c in criteria {
        let (id, rest) = c.split_once('=').expect("id = status");
        let (status, date) = match rest.trim().split_once('@') {
            Some((s, d)) => (s, Some(d)),
            None => (rest.trim(), None),
        };
        text.push_str(&format!("\n[criteria.{}]\nstatus = \"{}\"\n", id.trim(), status.trim()));
        if let Some(d) = date {
            text.push_str(&format!("date = {d}\n"));
        }
    }
    text
}

fn decide_with(text: &str, icp: Option<&str>, policy: &GatePolicy) -> Decision {
    let registry = registry();
    let file = AnswersFile::parse("case.toml", text, &registry).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let icp = icp.map(|t| Icp::parse("icp.toml", t).expect("valid icp"));
    let framework = registry.get(&file.framework).expect("framework");
    qualify_lead(&GateInput {
        lead: &file.lead,
        icp: icp.as_ref(),
        framework,
        concepts: registry.concepts(),
        answers: &file.criteria,
        policy,
        as_of: as_of(),
        language: file.language,
    })
}

fn decide(text: &str) -> Decision {
    decide_with(text, Some(ICP), &GatePolicy::default())
}

#[track_caller]
fn check(decision: &Decision, verdict: Verdict, failed_level: Option<Level>) {
    assert_eq!(
        (decision.verdict, decision.failed_level),
        (verdict, failed_level),
        "reasons: {:#?}\nlevels: {:#?}",
        decision.reasons,
        decision.levels
    );
    assert!(!decision.reasons.is_empty(), "a decision always carries reasons");
    assert!(!decision.next_step.is_empty(), "a decision always names a next step");
}

const BANT_ALL: &[&str] =
    &["budget = confirmed", "authority = confirmed", "need = confirmed", "timeline = confirmed@2027-02-01"];

#[test]
fn a_lead_passing_all_three_levels_is_qualified() {
    let d = decide(&answers("bant", &[], BANT_ALL));
    check(&d, Verdict::Qualified, None);
    assert!(d.levels.iter().all(|l| l.status == Check::Pass));
    assert_eq!(d.verdict.stage(), Some(sift_core::Stage::Sql));
    assert!(d.next_step.contains("SQL"), "{}", d.next_step);
}

#[test]
fn a_misfit_organization_is_disqualified_first_whatever_else_is_true() {
    for edit in [r#"country = "BR""#, r#"industry = "Agriculture""#, "employees = 8", r#"domain = "eu.rival.example""#]
    {
        let d = decide(&answers("bant", &[edit], BANT_ALL));
        check(&d, Verdict::Disqualified, Some(Level::Organization));
        assert!(d.next_questions.is_empty(), "no questions for a lead that is out");
    }
    // Even with no pain either, the organization is the level reported.
    let d = decide(&answers("bant", &[r#"country = "BR""#], &["need = negative", "authority = negative"]));
    check(&d, Verdict::Disqualified, Some(Level::Organization));
}

#[test]
fn no_pain_disqualifies_at_opportunity_even_with_a_ceo_and_full_budget() {
    let d = decide(&answers(
        "bant",
        &[],
        &["budget = confirmed", "authority = confirmed", "need = negative", "timeline = confirmed@2027-01-10"],
    ));
    check(&d, Verdict::Disqualified, Some(Level::Opportunity));
    assert!(d.next_step.contains("no business problem"), "{}", d.next_step);
    // The stakeholder level still passes: pain is checked before authority, not instead of it.
    assert_eq!(d.levels[2].status, Check::Pass);
}

#[test]
fn a_contact_without_authority_fails_at_stakeholder_and_the_next_step_is_another_contact() {
    let d = decide(&answers(
        "bant",
        &[r#"contact_title = "Junior Analyst""#],
        &["budget = confirmed", "authority = negative", "need = confirmed", "timeline = confirmed@2027-01-10"],
    ));
    check(&d, Verdict::Disqualified, Some(Level::Stakeholder));
    assert!(d.next_step.contains("find another contact"), "{}", d.next_step);
    assert_eq!(d.levels[1].status, Check::Pass, "the opportunity itself is fine");
}

#[test]
fn a_buying_date_beyond_the_horizon_goes_to_nurture_with_a_re_engage_date_ahead_of_it() {
    let d = decide(&answers(
        "bant",
        &[],
        &["budget = confirmed", "authority = confirmed", "need = confirmed", "timeline = confirmed@2027-10-01"],
    ));
    check(&d, Verdict::Nurture, Some(Level::Opportunity));
    let plan = d.nurture.as_ref().expect("a nurture plan");
    assert_eq!(plan.track, "future_timeline");
    let purchase = NaiveDate::from_ymd_opt(2027, 10, 1).expect("date");
    assert!(plan.re_engage_on > as_of() && plan.re_engage_on < purchase, "{plan:?}");
    assert_eq!(plan.re_engage_on, NaiveDate::from_ymd_opt(2027, 4, 1).expect("date"), "183 days ahead of the date");
    assert!(d.next_step.contains(&plan.re_engage_on.to_string()));
}

#[test]
fn the_horizon_is_configurable() {
    let text = answers(
        "bant",
        &[],
        &["budget = confirmed", "authority = confirmed", "need = confirmed", "timeline = confirmed@2027-10-01"],
    );
    let long = GatePolicy { nurture_horizon_days: 400, ..GatePolicy::default() };
    check(&decide_with(&text, Some(ICP), &long), Verdict::Qualified, None);
}

#[test]
fn no_timeline_or_no_budget_now_means_nurture_not_disqualified() {
    let d = decide(&answers(
        "bant",
        &[],
        &["budget = confirmed", "authority = confirmed", "need = confirmed", "timeline = negative"],
    ));
    check(&d, Verdict::Nurture, Some(Level::Opportunity));
    assert_eq!(d.nurture.as_ref().map(|n| n.track.as_str()), Some("future_timeline"));

    let d = decide(&answers(
        "bant",
        &[],
        &["budget = negative", "authority = confirmed", "need = confirmed", "timeline = confirmed@2027-01-10"],
    ));
    check(&d, Verdict::Nurture, Some(Level::Stakeholder));
    let plan = d.nurture.expect("plan");
    assert_eq!(plan.track, "budget_cycle");
    assert_eq!(plan.re_engage_on, NaiveDate::from_ymd_opt(2027, 2, 24).expect("date"), "90 days on");
}

#[test]
fn a_contradicted_criterion_is_never_treated_as_confirmed() {
    let d = decide(&answers(
        "bant",
        &[],
        &["budget = contradicted", "authority = confirmed", "need = confirmed", "timeline = confirmed@2027-01-10"],
    ));
    check(&d, Verdict::NeedsInfo, None);
    assert_eq!(d.levels[2].status, Check::Unknown);
    assert!(d.next_step.contains("contradict"), "{}", d.next_step);
    assert!(d.next_questions.iter().any(|q| q.topic == "budget"));
}

#[test]
fn unknown_and_partial_criteria_leave_the_level_open_and_produce_open_questions() {
    let d = decide(&answers("bant", &[], &["budget = confirmed", "need = partial", "timeline = confirmed@2027-01-10"]));
    check(&d, Verdict::NeedsInfo, None);
    let topics: Vec<&str> = d.next_questions.iter().map(|q| q.topic.as_str()).collect();
    assert_eq!(topics, ["need", "authority"], "opportunity before stakeholder");
    for q in &d.next_questions {
        assert!(!sift_core::question::looks_closed(&q.question, sift_core::Language::En), "{}", q.question);
    }
}

#[test]
fn a_missing_company_fact_is_unknown_not_a_failure_and_gets_a_question() {
    let d = decide(&answers("bant", &["employees = REMOVE"], BANT_ALL));
    check(&d, Verdict::NeedsInfo, None);
    assert_eq!(d.levels[0].status, Check::Unknown);
    assert_eq!(d.next_questions.first().map(|q| q.topic.as_str()), Some("icp.employees"));
}

#[test]
fn a_past_buying_date_must_be_confirmed_again() {
    let d = decide(&answers(
        "bant",
        &[],
        &["budget = confirmed", "authority = confirmed", "need = confirmed", "timeline = confirmed@2026-01-10"],
    ));
    check(&d, Verdict::NeedsInfo, None);
}

#[test]
fn questions_come_in_the_leads_language() {
    let d = decide(&answers("bant", &[r#"contact_name = "王伟""#, r#"country = "CN""#], &["need = confirmed"]));
    check(&d, Verdict::NeedsInfo, None);
    assert_eq!(d.language, sift_core::Language::Zh);
    assert!(d.next_questions.iter().all(|q| q.question.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))));
    assert!(d.next_step.contains("问题"), "{}", d.next_step);
}

#[test]
fn the_first_failing_level_is_the_one_reported() {
    // Nurture at opportunity comes before a stakeholder failure.
    let d = decide(&answers(
        "bant",
        &[],
        &["budget = confirmed", "authority = negative", "need = confirmed", "timeline = confirmed@2028-01-01"],
    ));
    check(&d, Verdict::Nurture, Some(Level::Opportunity));
    assert!(d.reasons.iter().any(|r| r.starts_with("also at stakeholder level")), "{:#?}", d.reasons);
    // A disqualifying fact and a nurture fact at one level: out wins.
    let d = decide(&answers("bant", &[], &["need = negative", "timeline = negative"]));
    check(&d, Verdict::Disqualified, Some(Level::Opportunity));
}

#[test]
fn optional_criteria_are_reported_but_never_hold_a_lead_back() {
    let all = [
        "metrics = confirmed",
        "economic_buyer = confirmed",
        "decision_criteria = confirmed",
        "decision_process = confirmed",
        "identify_pain = confirmed",
        "champion = confirmed",
    ];
    let mut criteria = all.to_vec();
    criteria.push("competition = negative");
    let d = decide(&answers("meddpicc", &[], &criteria));
    check(&d, Verdict::Qualified, None);
    let competition = d.levels.iter().flat_map(|l| &l.findings).find(|f| f.id == "competition").expect("reported");
    assert_eq!((competition.outcome, competition.blocking), (Outcome::Fail, false));
}

#[test]
fn without_an_icp_the_organization_level_says_it_was_not_checked() {
    let d = decide_with(&answers("bant", &[], BANT_ALL), None, &GatePolicy::default());
    check(&d, Verdict::Qualified, None);
    assert!(d.levels[0].reason.contains("not checked"), "{}", d.levels[0].reason);
}

#[test]
fn every_built_in_framework_qualifies_when_all_is_confirmed_and_not_when_a_required_criterion_is_missing() {
    let registry = registry();
    for framework in registry.frameworks() {
        let confirmed: Vec<String> = framework
            .criteria
            .iter()
            .map(|c| {
                if c.concept == "timeline" {
                    format!("{} = confirmed@2027-02-01", c.id)
                } else {
                    format!("{} = confirmed", c.id)
                }
            })
            .collect();
        let refs: Vec<&str> = confirmed.iter().map(String::as_str).collect();
        check(&decide(&answers(&framework.id, &[], &refs)), Verdict::Qualified, None);
        for (i, criterion) in framework.criteria.iter().enumerate().filter(|(_, c)| c.required) {
            let mut without = refs.clone();
            without.remove(i);
            let d = decide(&answers(&framework.id, &[], &without));
            assert_eq!(d.verdict, Verdict::NeedsInfo, "{} without {}", framework.id, criterion.id);
            let negative = format!("{} = negative", criterion.id);
            without.push(&negative);
            let d = decide(&answers(&framework.id, &[], &without));
            assert!(
                matches!(d.verdict, Verdict::Disqualified | Verdict::Nurture),
                "{} with {} negative",
                framework.id,
                criterion.id
            );
            assert_eq!(d.failed_level, Some(criterion.level));
        }
    }
}

#[test]
fn evidence_carries_across_frameworks_through_the_concept_map() {
    let registry = registry();
    let text = answers(
        "bant",
        &[],
        &["budget = confirmed", "authority = negative", "need = confirmed", "timeline = confirmed@2027-02-01"],
    );
    let file = AnswersFile::parse("case.toml", &text, &registry).expect("valid");
    let bant = registry.get("bant").expect("bant");
    let champ = registry.get("champ").expect("champ");
    let carried = carry_answers(bant, &file.criteria, champ);
    let status = |id: &str| carried.get(id).map(|a| a.status);
    assert_eq!(status("money"), Some(CriterionStatus::Confirmed));
    assert_eq!(status("challenges"), Some(CriterionStatus::Confirmed));
    assert_eq!(status("authority"), Some(CriterionStatus::Negative));
    assert_eq!(status("prioritization"), None, "BANT has no priority criterion");
    assert_eq!(carried["money"].carried_from.as_deref(), Some("bant.budget"));

    let faint = registry.get("faint").expect("faint");
    let to_faint = carry_answers(bant, &file.criteria, faint);
    assert_eq!(to_faint["timing"].date, NaiveDate::from_ymd_opt(2027, 2, 1));
}

#[test]
fn conflicting_answers_merged_from_one_concept_become_contradicted() {
    let registry = registry();
    let meddpicc = registry.get("meddpicc").expect("meddpicc");
    let mut answers = BTreeMap::new();
    answers.insert("identify_pain".to_owned(), CriterionAnswer::new(CriterionStatus::Confirmed));
    let champ = registry.get("champ").expect("champ");
    let carried = carry_answers(meddpicc, &answers, champ);
    assert_eq!(carried["challenges"].status, CriterionStatus::Confirmed);

    // GPCTBA/C&I has `challenges` (need) only once; CHAMP -> BANT maps challenges -> need.
    let mut champ_answers = BTreeMap::new();
    champ_answers.insert("challenges".to_owned(), CriterionAnswer::new(CriterionStatus::Negative));
    let bant = registry.get("bant").expect("bant");
    assert_eq!(carry_answers(champ, &champ_answers, bant)["need"].status, CriterionStatus::Negative);

    // A custom framework with two need-type criteria answered both ways.
    let mut reg = registry.clone();
    let text = r#"id = "two-needs"
name = "Two needs"
summary.en = "test"
[[criteria]]
id = "pain_a"
concept = "need"
level = "opportunity"
weight = 1
name.en = "A"
description.en = "a"
questions.en = ["What hurts?"]
[[criteria]]
id = "pain_b"
concept = "need"
level = "opportunity"
weight = 1
name.en = "B"
description.en = "b"
questions.en = ["What else hurts?"]
"#;
    reg.load("two.toml", text).expect("loads");
    let two = reg.get("two-needs").expect("loaded");
    let mut both = BTreeMap::new();
    both.insert("pain_a".to_owned(), CriterionAnswer::new(CriterionStatus::Confirmed));
    both.insert("pain_b".to_owned(), CriterionAnswer::new(CriterionStatus::Negative));
    let carried = carry_answers(two, &both, bant);
    assert_eq!(carried["need"].status, CriterionStatus::Contradicted);
    assert_eq!(carried["need"].carried_from.as_deref(), Some("two-needs.pain_a+two-needs.pain_b"));
}

#[test]
fn regression_a_missing_fact_for_an_exclusion_rule_is_asked_but_never_holds_a_lead() {
    // No domain and no work email: the exclusion list cannot be checked. Exclusion rules can
    // fail a lead; they cannot be required of it, so the lead qualifies, with the gap noted
    // on the decision and asked as a question.
    let d = decide(&answers("bant", &["domain = REMOVE"], BANT_ALL));
    check(&d, Verdict::Qualified, None);
    let finding = d.levels[0].findings.iter().find(|f| f.id == "excluded_domain").expect("the exclusion finding");
    assert_eq!((finding.outcome, finding.blocking), (Outcome::Unknown, false));
    assert!(finding.reason.contains("cannot be required"), "{}", finding.reason);
    assert_eq!(d.next_questions.first().map(|q| q.topic.as_str()), Some("icp.excluded_domain"));
    // A fact the profile requires still holds the lead at needs_info.
    let d = decide(&answers("bant", &["domain = REMOVE", "employees = REMOVE"], BANT_ALL));
    check(&d, Verdict::NeedsInfo, None);
    // And a known excluded domain still disqualifies.
    let d = decide(&answers("bant", &[r#"domain = "rival.example""#], BANT_ALL));
    check(&d, Verdict::Disqualified, Some(Level::Organization));
}
