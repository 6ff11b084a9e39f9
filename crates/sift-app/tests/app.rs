//! The use cases end to end on both databases: what the CLI and the server both rely on.

use chrono::NaiveDate;
use sift_app::Config;
use sift_app::calls::CallRequest;
use sift_app::qualify::{QualifyRequest, qualify};
use sift_core::{ActivityKind, AnswersFile, MovePlan, Stage, Verdict};
use sift_store::testing::{connect, databases};

const ANSWERS: &str = r#"
framework = "bant"
[lead]
id = "T-1"
company = "Acme Logistics"
industry = "Logistics"
employees = 400
country = "DE"
contact_name = "Jana Novak"
contact_title = "VP Sales"
[criteria.budget]
status = "confirmed"
[criteria.authority]
status = "confirmed"
[criteria.need]
status = "confirmed"
[criteria.timeline]
status = "confirmed"
date = 2027-01-15
"#;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).expect("date")
}

fn request<'a>(answers: AnswersFile, lead: Option<&'a str>) -> QualifyRequest<'a> {
    QualifyRequest {
        answers: Some(answers),
        call: None,
        lead,
        framework: None,
        language: None,
        as_of: as_of(),
        actor: "tester",
    }
}

#[tokio::test]
async fn qualifying_a_stored_lead_saves_the_decision_and_the_lifecycle_moves_it() {
    let config = Config::builtin().expect("built-ins");
    for db in databases("app_qualify").await {
        let store = connect(&db).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let outcomes = sift_app::demo::qualify_sample(&config).expect("sample");
        sift_app::demo::store_sample(&config, &store, dir.path(), &outcomes).await.expect("demo stored");
        // A sample lead from the bundled export, qualified with answers that pass every level.
        let lead = store.list_leads(&Default::default()).await.expect("list").remove(0);
        let key = lead.id.to_string();
        let answers = AnswersFile::parse("answers.toml", ANSWERS, &config.registry).expect("answers");
        let outcome = qualify(&config, Some(&store), request(answers, Some(&key))).await.expect("qualified");
        assert_eq!(outcome.decision.verdict, Verdict::Qualified, "{}: {:?}", db.name, outcome.decision.reasons);
        let saved = outcome.saved.expect("a stored lead's decision is saved");
        match &saved.plan {
            MovePlan::Move(m) => {
                assert_eq!((m.to, m.actor.as_str()), (Stage::Sql, "tester"), "{}", db.name);
                assert!(m.reason.starts_with("qualified: "), "{}", m.reason);
            }
            MovePlan::Stay { stage, reason, .. } => {
                assert_eq!(*stage, Stage::Sql, "{}: only an SQL already may stay ({reason})", db.name)
            }
        }
        let detail = sift_app::leads::detail(&store, &key).await.expect("detail");
        assert_eq!(detail.lead.record.stage, Stage::Sql);
        assert_eq!(detail.lead.verdict, Some(Verdict::Qualified));
        let latest = detail.latest_decision.expect("the decision reads back in full");
        assert_eq!(latest.decision, outcome.decision, "{}: the stored decision is the one made", db.name);
        store.close().await;
    }
}

#[tokio::test]
async fn a_stored_lead_needs_a_database_and_an_unknown_one_is_not_found() {
    let config = Config::builtin().expect("built-ins");
    let answers = AnswersFile::parse("a.toml", ANSWERS, &config.registry).expect("answers");
    let err = qualify(&config, None, request(answers.clone(), Some("nobody"))).await.expect_err("no store");
    assert!(matches!(err, sift_app::AppError::Unavailable(_)), "{err}");
    for db in databases("app_not_found").await {
        let store = connect(&db).await;
        let err = qualify(&config, Some(&store), request(answers.clone(), Some("nobody@nowhere.example")))
            .await
            .expect_err("unknown lead");
        assert!(err.is_invalid_input(), "{err}");
        assert!(err.to_string().contains("nobody@nowhere.example"), "{err}");
        store.close().await;
    }
}

#[tokio::test]
async fn a_call_fills_the_criteria_the_answers_leave_unknown() {
    let config = Config::builtin().expect("built-ins");
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sift-signals/fixtures/calls/en-routing-good.txt"),
    )
    .expect("fixture call");
    let call = CallRequest {
        source: "call.txt",
        text: &text,
        reps: &[],
        language: None,
        as_of: as_of(),
        lexicons: &[],
        meaning: None,
        llm: None,
    };
    let outcome = qualify(
        &config,
        None,
        QualifyRequest {
            answers: None,
            call: Some(call),
            lead: None,
            framework: None,
            language: None,
            as_of: as_of(),
            actor: "t",
        },
    )
    .await
    .expect("qualified from the call");
    let summary = outcome.call.expect("the call is summarised");
    assert!(summary.criteria_with_evidence > 0, "{summary:?}");
    assert!(outcome.saved.is_none(), "nothing is saved without a stored lead");
    let bad = CallRequest {
        source: "empty.txt",
        text: "",
        reps: &[],
        language: None,
        as_of: as_of(),
        lexicons: &[],
        meaning: None,
        llm: None,
    };
    let err = qualify(
        &config,
        None,
        QualifyRequest {
            answers: None,
            call: Some(bad),
            lead: None,
            framework: None,
            language: None,
            as_of: as_of(),
            actor: "t",
        },
    )
    .await
    .expect_err("an empty call is invalid");
    assert!(err.is_invalid_input() && err.to_string().contains("empty.txt"), "{err}");
}

#[tokio::test]
async fn an_activity_moves_only_early_leads_and_says_why_a_lead_stays() {
    let config = Config::builtin().expect("built-ins");
    for db in databases("app_activity").await {
        let store = connect(&db).await;
        let dir = tempfile::tempdir().expect("tempdir");
        sift_app::demo::store_sample(&config, &store, dir.path(), &[]).await.expect("export imported");
        let leads = store.list_leads(&Default::default()).await.expect("list");
        let early = leads.iter().find(|l| l.record.stage == Stage::Unqualified).expect("an unqualified lead");
        let key = early.id.to_string();
        let recorded = sift_app::leads::record_activity(&config, &store, &key, ActivityKind::TrialSignup, None, None)
            .await
            .expect("recorded");
        assert_eq!(recorded.plan.as_move().map(|m| m.to), Some(Stage::Pql), "{}", db.name);
        let again = sift_app::leads::record_activity(&config, &store, &key, ActivityKind::FormSubmission, None, None)
            .await
            .expect("recorded");
        match again.plan {
            MovePlan::Stay { stage, reason, .. } => {
                assert_eq!(stage, Stage::Pql);
                assert!(reason.contains("only moves unqualified and MQL"), "{reason}");
            }
            other => panic!("{}: a PQL does not move on activity: {other:?}", db.name),
        }
        store.close().await;
    }
}

#[tokio::test]
async fn facts_learned_on_the_call_are_saved_on_the_stored_lead_without_overwriting_it() {
    let config = Config::builtin().expect("built-ins");
    for db in databases("app_learned").await {
        let store = connect(&db).await;
        let fields = |email: &str, company: Option<&str>| sift_app::leads::LeadFields {
            email: Some(email.into()),
            company: company.map(str::to_owned),
            ..Default::default()
        };
        let bare = sift_app::leads::create(&store, fields("bare@acme.example", None), None).await.expect("bare");
        let known =
            sift_app::leads::create(&store, fields("known@old.example", Some("Old Co")), None).await.expect("known");
        for (lead, expect_company) in [(&bare, "Acme Logistics"), (&known, "Old Co")] {
            let answers = AnswersFile::parse("a.toml", ANSWERS, &config.registry).expect("answers");
            let key = lead.id.to_string();
            let outcome = qualify(&config, Some(&store), request(answers, Some(&key))).await.expect("qualified");
            let after = store.lead(lead.id).await.expect("read").expect("lead");
            assert_eq!(after.record.company.as_deref(), Some(expect_company), "{}: stored facts win", db.name);
            assert_eq!(after.record.industry.as_deref(), Some("Logistics"), "{}: a gap is filled", db.name);
            assert_eq!(after.record.employees, Some(400));
            assert_eq!(after.record.country.as_deref(), Some("DE"));
            assert_eq!(after.record.email, lead.record.email, "the key it is found by is kept");
            assert_eq!(
                store.find_lead(lead.record.email.as_deref().unwrap_or("")).await.expect("find").map(|l| l.id),
                Some(lead.id)
            );
            let fields: Vec<&str> = outcome.learned.iter().map(|f| f.field).collect();
            assert!(fields.contains(&"industry") && fields.contains(&"employees"), "{fields:?}");
            assert_eq!(fields.contains(&"company"), expect_company == "Acme Logistics", "{fields:?}");
        }
        let audit = store.list_audit(50, None).await.expect("audit");
        assert_eq!(
            audit.iter().filter(|e| e.action == "lead.facts_learned" && e.actor == "tester").count(),
            2,
            "{}",
            db.name
        );
        store.close().await;
    }
}
