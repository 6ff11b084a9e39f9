//! Playbooks and stored configuration end to end on both databases: documents checked with
//! located errors and saved with versions, leads routed and given owners (by territory, in
//! turn, skipping disabled users), import runs routed afterwards, and qualification under
//! the lead's playbook.

use chrono::NaiveDate;
use sift_app::AppError;
use sift_app::Config;
use sift_app::config_docs::{self, Change, DocumentRef};
use sift_app::leads::LeadFields;
use sift_app::playbooks::{RouteMode, route_import_run, route_lead, route_new_lead};
use sift_app::qualify::{QualifyRequest, qualify};
use sift_core::framework::BUILTIN_FRAMEWORKS;
use sift_core::{ActivityKind, AnswersFile, Level, Stage, Verdict};
use sift_store::accounts::{NewUser, Role};
use sift_store::testing::{TestDb, connect, databases};
use sift_store::{DocumentKind, Store};

const PLAYBOOKS: &str = r#"[[playbooks]]
id = "enterprise"
framework = "meddic"
icp = "strict"
owners = ["maria", "tomas"]
assignment = "territory"
territories = { DE = "maria", FR = "tomas" }
[playbooks.segment]
employees = { min = 1000 }

[[playbooks]]
id = "smb"
framework = "champ"
owners = ["sam", "lee", "noor"]
[playbooks.segment]
employees = { max = 999 }
[playbooks.lead_types]
[[playbooks.lead_types.rules]]
id = "any_page"
stage = "mql"
any_of = ["page_view"]

[icps.strict]
territories = ["DE", "FR"]
"#;

const USERS: [&str; 5] = ["maria", "tomas", "sam", "lee", "noor"];

async fn setup(db: &TestDb) -> Store {
    let store = connect(db).await;
    for name in USERS {
        store
            .create_user(&NewUser {
                username: name,
                display_name: None,
                role: Role::Rep,
                team: None,
                language: None,
                password_hash: "not used",
                must_change_password: false,
            })
            .await
            .expect("user");
    }
    store
}

fn playbooks_doc() -> DocumentRef<'static> {
    DocumentRef::single(DocumentKind::Playbooks)
}

async fn save(store: &Store, document: DocumentRef<'_>, text: &str) -> Config {
    match config_docs::save(store, document, text, None, "admin").await {
        Ok(Change::Saved { config, .. }) => *config,
        other => panic!("{}: {other:?}", document.source()),
    }
}

fn problems(result: Result<Change, AppError>) -> Vec<String> {
    match result {
        Err(AppError::Invalid(d)) => d.iter().map(ToString::to_string).collect(),
        other => panic!("expected located problems, got {other:?}"),
    }
}

fn lead(company: &str, employees: i64, country: &str) -> LeadFields {
    LeadFields {
        company: Some(company.to_owned()),
        email: Some(format!("buyer@{}.example", company.to_lowercase().replace(' ', "-"))),
        employees: Some(employees),
        country: Some(country.to_owned()),
        industry: Some("Logistics".to_owned()),
        ..LeadFields::default()
    }
}

#[tokio::test]
async fn stored_documents_are_checked_with_located_errors_and_a_bad_one_changes_nothing() {
    for db in databases("app_config_docs").await {
        let store = setup(&db).await;
        let name = db.name;
        // Every problem of a bad playbooks document, with line and column; nothing stored.
        let bad = PLAYBOOKS.replace("framework = \"champ\"", "framework = \"champs\"").replace("\"noor\"", "\"nora\"");
        let got = problems(config_docs::save(&store, playbooks_doc(), &bad, None, "admin").await);
        assert_eq!(
            got.iter().map(|l| l.split(';').next().unwrap_or_default()).collect::<Vec<_>>(),
            [
                "playbooks:13:13: playbook `smb`: unknown framework `champs`",
                "playbooks:14:25: playbook `smb`: owner `nora` is not an enabled user (see `sift users list`)",
            ],
            "{name}"
        );
        assert!(store.config_documents().await.expect("list").is_empty(), "{name}: nothing saved");

        // A user framework, then playbooks that use it; the framework cannot go while used.
        let (_, meddic) = BUILTIN_FRAMEWORKS.iter().find(|(n, _)| *n == "meddic.toml").expect("meddic");
        let lite = meddic.replacen("id = \"meddic\"", "id = \"meddic-lite\"", 1);
        let framework = DocumentRef::named(DocumentKind::Framework, "meddic-lite");
        let config = save(&store, framework, &lite).await;
        assert!(config.registry.get("meddic-lite").is_some());
        let wrong_id = problems(
            config_docs::save(&store, DocumentRef::named(DocumentKind::Framework, "other"), &lite, None, "admin").await,
        );
        assert!(wrong_id[0].starts_with("framework/other:"), "{wrong_id:?}");
        assert!(
            wrong_id[0].contains("the framework's id is `meddic-lite` but it is stored as `other`"),
            "{wrong_id:?}"
        );

        let config = save(&store, playbooks_doc(), &PLAYBOOKS.replace("\"meddic\"", "\"meddic-lite\"")).await;
        assert_eq!(config.playbook("enterprise").map(|p| p.framework.as_str()), Some("meddic-lite"));
        match config_docs::delete(&store, framework, None, "admin").await {
            Err(AppError::Conflict(m)) => {
                assert!(m.contains("used by playbook `enterprise`; change the playbooks first"), "{name}: {m}");
                assert!(m.contains("playbooks:3:13: playbook `enterprise`: unknown framework `meddic-lite`"), "{m}");
            }
            other => panic!("{name}: {other:?}"),
        }
        save(&store, playbooks_doc(), PLAYBOOKS).await;
        let Ok(Change::Deleted { config, .. }) = config_docs::delete(&store, framework, None, "admin").await else {
            panic!("{name}: deletable once unused")
        };
        assert!(config.registry.get("meddic-lite").is_none());

        // A stale write is refused; the version it saw is not the current one.
        let icp = DocumentRef::single(DocumentKind::Icp);
        save(&store, icp, "territories = [\"DE\"]\n").await;
        let stale = config_docs::save(&store, icp, "territories = [\"FR\"]\n", Some(7), "admin").await;
        assert!(matches!(stale, Ok(Change::Stale { current: 1 })), "{name}: {stale:?}");
        let icp_problems =
            problems(config_docs::save(&store, icp, "employees = { min = 9, max = 1 }\n", None, "x").await);
        assert_eq!(icp_problems, ["icp:1:21: employees: `min` (9) is greater than `max` (1)"]);

        // Lexicons: a pattern that misses its own example is pointed at, example and all.
        let lexicon = DocumentRef::named(DocumentKind::Lexicon, "fintech");
        let text = "[[entry]]\nid = \"excuse.audit\"\nkind = \"excuse\"\npattern = '(?i)\\baudit season\\b'\nexplain = \"x\"\nmatches = [\"during audit season\", \"audits\"]\ncolour = 1\n";
        let got = problems(config_docs::save(&store, lexicon, text, None, "admin").await);
        assert_eq!(
            got,
            [
                "lexicon/fintech:7:1: entry #1: unknown key `colour`; an entry has: id, kind, pattern, explain, rewrite, matches, rejects"
            ]
        );
        let got = problems(config_docs::save(&store, lexicon, &text.replace("colour = 1\n", ""), None, "admin").await);
        assert_eq!(
            got,
            ["lexicon/fintech:6:35: entry `excuse.audit` should match \"audits\", but its pattern does not"]
        );
        let config = save(&store, lexicon, &text.replace("colour = 1\n", "").replace(", \"audits\"", "")).await;
        assert_eq!(config.lexicons.len(), 1);

        let loaded = config_docs::load(&store).await.expect("load");
        assert!(loaded.warnings.is_empty(), "{}", loaded.warnings);
        assert!(loaded.config.icp.is_some() && loaded.config.playbooks.is_some() && loaded.config.lexicons.len() == 1);
        let listed: Vec<(String, i64)> = config_docs::list(&store)
            .await
            .expect("list")
            .into_iter()
            .map(|d| (d.kind.name().to_owned() + "/" + &d.name, d.version))
            .collect();
        assert_eq!(
            listed,
            [("icp/icp".to_owned(), 1), ("lexicon/fintech".to_owned(), 1), ("playbooks/playbooks".to_owned(), 2)],
            "{name}"
        );
    }
}

#[tokio::test]
async fn new_leads_are_routed_and_owned_by_territory_else_in_turn_skipping_disabled_users() {
    for db in databases("app_routing").await {
        let store = setup(&db).await;
        let config = save(&store, playbooks_doc(), PLAYBOOKS).await;
        sift_app::accounts::set_disabled(&store, store_user(&store, "noor").await, true).await.expect("disable");

        let mut owners = Vec::new();
        for i in 0..4 {
            let created =
                sift_app::leads::create(&store, lead(&format!("Small {i}"), 40, "ES"), None).await.expect("lead");
            let (stored, routed) = route_new_lead(&config, &store, created).await.expect("routed");
            let routed = routed.expect("playbooks are configured");
            assert_eq!(stored.playbook.as_deref(), Some("smb"), "{}", db.name);
            assert!(
                routed.routing.explanation.starts_with("playbook `smb`: employees 40 is within"),
                "{}",
                routed.routing.explanation
            );
            assert!(routed.owner.reason.contains("not enabled users: noor"), "{}", routed.owner.reason);
            owners.push(routed.owner.owner.expect("an owner"));
        }
        assert_eq!(owners, ["sam", "lee", "sam", "lee"], "{}: in turn, without the disabled user", db.name);

        let big = sift_app::leads::create(&store, lead("Big DE", 5000, "DE"), None).await.expect("lead");
        let (stored, routed) = route_new_lead(&config, &store, big).await.expect("routed");
        let routed = routed.expect("routed");
        assert_eq!((stored.playbook.as_deref(), routed.owner.owner.as_deref()), (Some("enterprise"), Some("maria")));
        assert_eq!(routed.owner.reason, "`DE` is the territory of `maria` in `enterprise`");

        let elsewhere = sift_app::leads::create(&store, lead("Big US", 5000, "US"), None).await.expect("lead");
        let (_, routed) = route_new_lead(&config, &store, elsewhere).await.expect("routed");
        let reason = routed.expect("routed").owner.reason;
        assert!(
            reason.starts_with(
                "`US` is in no territory of `enterprise`, so the next owner in turn takes it: turn 1 goes to `maria`"
            ),
            "{reason}"
        );

        // An owned lead keeps its owner; routing it again keeps an owner from the new pool
        // and replaces one who is not in it.
        let lee = store_user(&store, "lee").await;
        let owned = sift_app::leads::create(&store, lead("Owned", 5000, "FR"), Some(lee)).await.expect("lead");
        let (stored, routed) = route_new_lead(&config, &store, owned).await.expect("routed");
        assert_eq!(stored.owner_id, Some(lee));
        assert_eq!(routed.expect("routed").owner.reason, "already owned by `lee`; kept");
        let (again, stored) = route_lead(&config, &store, stored.id, RouteMode::Again).await.expect("again");
        assert_eq!(again.owner.owner.as_deref(), Some("tomas"), "{}: {}", db.name, again.owner.reason);
        assert_eq!(stored.owner_id, Some(store_user(&store, "tomas").await));
        let (again, _) = route_lead(&config, &store, stored.id, RouteMode::Again).await.expect("again");
        assert_eq!(again.owner.reason, "`tomas` is in the pool of `enterprise`; kept");

        // Unknown size fits no playbook here: explained, and the lead is left alone.
        let unknown = sift_app::leads::create(
            &store,
            LeadFields { company: Some("Who Knows".into()), ..LeadFields::default() },
            None,
        )
        .await
        .expect("lead");
        let (stored, routed) = route_new_lead(&config, &store, unknown.clone()).await.expect("routed");
        let routed = routed.expect("routed");
        assert_eq!((stored.playbook.as_deref(), stored.owner_id), (None, None));
        assert_eq!(stored.etag(), unknown.etag(), "{}: nothing was written", db.name);
        assert!(
            routed
                .routing
                .explanation
                .starts_with("no playbook fits: `enterprise`: the company's employees is not known"),
            "{}",
            routed.routing.explanation
        );

        // Without playbooks nothing is routed.
        let plain = Config::builtin().expect("config");
        let other = sift_app::leads::create(&store, lead("Plain", 40, "ES"), None).await.expect("lead");
        assert!(route_new_lead(&plain, &store, other).await.expect("no routing").1.is_none());
    }
}

async fn store_user(store: &Store, name: &str) -> i64 {
    store.list_users().await.expect("users").into_iter().find(|u| u.username == name).expect("user").id
}

#[tokio::test]
async fn after_an_import_its_leads_without_a_playbook_are_routed() {
    for db in databases("app_import_routing").await {
        let store = setup(&db).await;
        let config = save(&store, playbooks_doc(), PLAYBOOKS).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("leads.csv");
        std::fs::write(
            &path,
            "Email,Company,Number of Employees,Country\n\
             a@one.example,One,20,DE\nb@two.example,Two,30,FR\nc@three.example,Three,,DE\nd@four.example,Four,4000,FR\n",
        )
        .expect("write");
        let options = sift_store::import::ImportOptions::default();
        let summary = sift_app::imports::import_file(&store, &path, &options, None, &()).await.expect("import");
        assert_eq!(summary.inserted, 4);
        let routed = route_import_run(&config, &store, summary.run).await.expect("routed");
        assert_eq!(routed.considered, 4, "{}", db.name);
        assert_eq!(routed.unmatched, 1);
        assert_eq!(routed.by_playbook.get("smb"), Some(&2));
        assert_eq!(routed.by_playbook.get("enterprise"), Some(&1));
        assert_eq!(routed.assigned.get("tomas"), Some(&1), "{}: FR is tomas's territory", db.name);
        assert_eq!(routed.assigned.values().sum::<u64>(), 3);

        // Re-importing changes nothing; routing again looks only at the lead still without one.
        let again = sift_app::imports::import_file(&store, &path, &options, None, &()).await.expect("import");
        let routed = route_import_run(&config, &store, again.run).await.expect("routed");
        assert_eq!((routed.considered, routed.unmatched), (1, 1), "{}", db.name);
        let filter = sift_store::LeadFilter { playbook: Some(Some("smb".into())), ..Default::default() };
        assert_eq!(store.count_leads(&filter).await.expect("count"), 2);
    }
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).expect("date")
}

const ANSWERS: &str = r#"
framework = "bant"
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

#[tokio::test]
async fn a_lead_is_qualified_under_its_playbooks_framework_icp_and_rules_unless_a_framework_is_named() {
    for db in databases("app_playbook_qualify").await {
        let store = setup(&db).await;
        let config = save(&store, playbooks_doc(), PLAYBOOKS).await;
        let ask = |lead: String, framework: Option<&'static str>| {
            let answers = AnswersFile::parse("answers.toml", ANSWERS, &config.registry).expect("answers");
            (lead, framework, answers)
        };
        let run = |(lead, framework, answers): (String, Option<&'static str>, AnswersFile)| {
            let (config, store) = (&config, &store);
            async move {
                let request = QualifyRequest {
                    answers: Some(answers),
                    call: None,
                    lead: Some(&lead),
                    framework,
                    language: None,
                    as_of: as_of(),
                    actor: "tester",
                };
                qualify(config, Some(store), request).await.expect("qualified")
            }
        };
        let de = sift_app::leads::create(&store, lead("Big DE", 5000, "DE"), None).await.expect("lead");
        let (de, _) = route_new_lead(&config, &store, de).await.expect("routed");
        let outcome = run(ask(de.id.to_string(), None)).await;
        let decision = &outcome.decision;
        assert_eq!(decision.framework, "meddic", "{}: the playbook's framework", db.name);
        let used = decision.playbook.as_ref().expect("the decision names its playbook");
        assert_eq!((used.id.as_str(), used.chosen.as_str()), ("enterprise", "the lead's playbook"));
        assert_eq!(used.framework.as_deref(), Some("meddic"));
        assert_eq!(used.icp, "ICP `strict` of playbook `enterprise`");
        let detail = sift_app::leads::detail(&store, &de.id.to_string()).await.expect("detail");
        assert_eq!(detail.latest_decision.expect("saved").decision.playbook.as_ref(), Some(used), "stored with it");

        // A framework named in the request wins; the playbook still gives the ICP.
        let outcome = run(ask(de.id.to_string(), Some("bant"))).await;
        assert_eq!(outcome.decision.framework, "bant");
        assert_eq!(outcome.decision.playbook.as_ref().and_then(|u| u.framework.clone()), None);

        // The playbook's strict ICP keeps out a big lead from a country outside it; without
        // playbooks the same lead passes the organization level.
        let us = sift_app::leads::create(&store, lead("Big US", 5000, "US"), None).await.expect("lead");
        let outcome = run(ask(us.id.to_string(), Some("bant"))).await;
        assert_eq!(
            (outcome.decision.verdict, outcome.decision.failed_level),
            (Verdict::Disqualified, Some(Level::Organization)),
            "{}: {:?}",
            db.name,
            outcome.decision.reasons
        );
        assert!(
            outcome
                .decision
                .playbook
                .as_ref()
                .expect("routed")
                .chosen
                .starts_with("routed for this decision: playbook `enterprise`")
        );
        let plain = Config::builtin().expect("config");
        let answers = AnswersFile::parse("answers.toml", ANSWERS, &plain.registry).expect("answers");
        let key = us.id.to_string();
        let request = QualifyRequest {
            answers: Some(answers),
            call: None,
            lead: Some(&key),
            framework: Some("bant"),
            language: None,
            as_of: as_of(),
            actor: "tester",
        };
        let outcome = qualify(&plain, Some(&store), request).await.expect("qualified");
        assert_eq!(outcome.decision.verdict, Verdict::Qualified, "{}", db.name);
        assert_eq!(outcome.decision.playbook, None);

        // The smb playbook's own lead-type rules: one page view makes an MQL.
        let small = sift_app::leads::create(&store, lead("Small", 40, "ES"), None).await.expect("lead");
        let (small, _) = route_new_lead(&config, &store, small).await.expect("routed");
        let recorded = sift_app::leads::record_activity(
            &config,
            &store,
            &small.id.to_string(),
            ActivityKind::PageView,
            None,
            None,
        )
        .await
        .expect("activity");
        assert_eq!(recorded.lead_type.map(|t| (t.stage, t.rule)), Some((Stage::Mql, "any_page".to_owned())));
        let recorded =
            sift_app::leads::record_activity(&plain, &store, &de.id.to_string(), ActivityKind::PageView, None, None)
                .await
                .expect("activity");
        assert_eq!(recorded.lead_type, None, "{}: the default rules need 10 points", db.name);
    }
}
