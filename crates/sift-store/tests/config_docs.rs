//! Stored configuration documents, round-robin turns and lead routing, each test run on
//! SQLite and on PostgreSQL.

mod common;

use std::collections::BTreeSet;

use common::{connect, databases};
use sift_store::accounts::{NewUser, Role};
use sift_store::{DocumentKind, LeadFilter, LeadRecord, LeadRouting, OwnerChange, SaveOutcome};

#[tokio::test]
async fn documents_keep_versions_refuse_stale_writes_and_can_be_deleted() {
    for db in databases("config_versions").await {
        let store = connect(&db).await;
        let name = db.name;
        assert_eq!(store.config_document(DocumentKind::Icp, "icp").await.expect("read"), None, "{name}");
        assert_eq!(store.config_generation().await.expect("generation"), 0);

        let saved = |o: SaveOutcome| match o {
            SaveOutcome::Saved(d) => d,
            other => panic!("{name}: {other:?}"),
        };
        let v1 = saved(
            store.save_config_document(DocumentKind::Icp, "icp", Some("a = 1"), None, "ana").await.expect("save"),
        );
        assert_eq!((v1.version, v1.changed_by.as_str()), (1, "ana"));
        let v2 = saved(
            store.save_config_document(DocumentKind::Icp, "icp", Some("a = 2"), Some(1), "ben").await.expect("save"),
        );
        assert_eq!(v2.version, 2);
        // A writer who read version 1 is told the document moved on, and nothing changes.
        let stale = store.save_config_document(DocumentKind::Icp, "icp", Some("a = 3"), Some(1), "cy").await;
        assert_eq!(stale.expect("answer"), SaveOutcome::Stale { current: 2 }, "{name}");
        let current = store.config_document(DocumentKind::Icp, "icp").await.expect("read").expect("present");
        assert_eq!((current.version, current.text.as_str(), current.changed_by.as_str()), (2, "a = 2", "ben"));

        // Several frameworks side by side; the list holds the current version of each.
        for id in ["alpha", "beta"] {
            saved(
                store.save_config_document(DocumentKind::Framework, id, Some(id), Some(0), "ana").await.expect("save"),
            );
        }
        let deleted = store.save_config_document(DocumentKind::Framework, "alpha", None, None, "ana").await;
        assert_eq!(deleted.expect("delete"), SaveOutcome::Deleted { version: 2 }, "{name}");
        assert_eq!(
            store.save_config_document(DocumentKind::Framework, "alpha", None, None, "ana").await.expect("delete"),
            SaveOutcome::Missing
        );
        let listed: Vec<(DocumentKind, String, i64)> =
            store.config_documents().await.expect("list").into_iter().map(|d| (d.kind, d.name, d.version)).collect();
        assert_eq!(
            listed,
            [(DocumentKind::Framework, "beta".to_owned(), 1), (DocumentKind::Icp, "icp".to_owned(), 2)],
            "{name}"
        );
        // Re-created after a deletion: a document that does not exist is version 0.
        let again = saved(
            store
                .save_config_document(DocumentKind::Framework, "alpha", Some("new"), Some(0), "ana")
                .await
                .expect("save"),
        );
        assert_eq!(again.version, 3);
        assert!(store.config_generation().await.expect("generation") >= 6);

        // The history: every version newest first, a deletion without text, at most `limit`.
        let history = store.config_document_history(DocumentKind::Framework, "alpha", 10).await.expect("history");
        let seen: Vec<(i64, Option<&str>, &str)> =
            history.iter().map(|v| (v.version, v.text.as_deref(), v.changed_by.as_str())).collect();
        assert_eq!(seen, [(3, Some("new"), "ana"), (2, None, "ana"), (1, Some("alpha"), "ana")], "{name}");
        let icp = store.config_document_history(DocumentKind::Icp, "icp", 1).await.expect("history");
        assert_eq!(icp.iter().map(|v| v.version).collect::<Vec<_>>(), [2], "{name}: the newest only");
        assert!(store.config_document_history(DocumentKind::Lexicon, "none", 10).await.expect("history").is_empty());
    }
}

#[tokio::test]
async fn concurrent_saves_of_one_version_let_exactly_one_win() {
    for db in databases("config_race").await {
        let (a, b) = (connect(&db).await, connect(&db).await);
        let mut tasks = Vec::new();
        for (i, store) in [a.clone(), b.clone(), a.clone(), b.clone()].into_iter().enumerate() {
            tasks.push(tokio::spawn(async move {
                store
                    .save_config_document(DocumentKind::Playbooks, "playbooks", Some(&format!("v{i}")), Some(0), "x")
                    .await
                    .expect("save")
            }));
        }
        let mut won = 0;
        for task in tasks {
            match task.await.expect("task") {
                SaveOutcome::Saved(d) => {
                    assert_eq!(d.version, 1);
                    won += 1;
                }
                SaveOutcome::Stale { current } => assert_eq!(current, 1),
                other => panic!("{}: {other:?}", db.name),
            }
        }
        assert_eq!(won, 1, "{}: exactly one writer of version 1", db.name);
    }
}

/// Two "servers" (separate connection pools on one database) hand out turns of the same
/// playbook at once, singly and in blocks: every turn is given exactly once.
#[tokio::test]
async fn round_robin_turns_are_never_given_twice_under_concurrency() {
    for db in databases("turns").await {
        let servers = [connect(&db).await, connect(&db).await];
        let mut tasks = Vec::new();
        for worker in 0..8 {
            let store = servers[worker % 2].clone();
            tasks.push(tokio::spawn(async move {
                let mut turns = Vec::new();
                for i in 0..25u64 {
                    let count = if i % 5 == 0 { 3 } else { 1 };
                    turns.extend(store.take_playbook_turns("smb", count).await.expect("turns"));
                }
                turns
            }));
        }
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.expect("task"));
        }
        let expected = 8 * (20 + 5 * 3);
        let unique: BTreeSet<u64> = all.iter().copied().collect();
        assert_eq!(all.len(), expected, "{}", db.name);
        assert_eq!(unique.len(), expected, "{}: a turn was given twice", db.name);
        assert_eq!(unique.iter().copied().collect::<Vec<_>>(), (0..expected as u64).collect::<Vec<_>>(), "{}", db.name);
        // Each playbook counts its own turns.
        assert_eq!(servers[0].take_playbook_turns("enterprise", 2).await.expect("turns"), 0..2);
        assert_eq!(servers[1].take_playbook_turns("smb", 0).await.expect("none"), 0..0);
    }
}

fn record(email: &str, file: Option<&str>) -> LeadRecord {
    LeadRecord { email: Some(email.to_owned()), source_file: file.map(str::to_owned), ..LeadRecord::default() }
        .identify()
}

#[tokio::test]
async fn routing_sets_the_playbook_and_the_owner_as_asked_and_leads_filter_by_playbook() {
    for db in databases("lead_routing").await {
        let store = connect(&db).await;
        let user = |name: &'static str| NewUser {
            username: name,
            display_name: None,
            role: Role::Rep,
            team: None,
            language: None,
            password_hash: "x",
            must_change_password: false,
        };
        let ana = store.create_user(&user("ana")).await.expect("ana").id;
        let ben = store.create_user(&user("ben")).await.expect("ben").id;
        let a = store.insert_lead(&record("a@x.example", Some("in.csv")), None).await.expect("a");
        let b = store.insert_lead(&record("b@x.example", Some("in.csv")), Some(ben)).await.expect("b");
        let c = store.insert_lead(&record("c@x.example", None), None).await.expect("c");

        let owners = store
            .set_lead_routing(&[
                LeadRouting { lead_id: a.id, playbook: Some("smb".into()), owner: OwnerChange::IfUnowned(ana) },
                LeadRouting { lead_id: b.id, playbook: Some("smb".into()), owner: OwnerChange::IfUnowned(ana) },
                LeadRouting { lead_id: c.id, playbook: Some("enterprise".into()), owner: OwnerChange::Keep },
                LeadRouting { lead_id: 999_999, playbook: None, owner: OwnerChange::Set(ana) },
            ])
            .await
            .expect("route");
        assert_eq!(owners, [Some(ana), Some(ben), None, None], "{}: an owned lead keeps its owner", db.name);

        let ids = |filter: LeadFilter| {
            let store = store.clone();
            async move { store.list_leads(&filter).await.expect("list").iter().map(|l| l.id).collect::<Vec<_>>() }
        };
        assert_eq!(ids(LeadFilter { playbook: Some(Some("smb".into())), ..LeadFilter::default() }).await, [a.id, b.id]);
        assert_eq!(ids(LeadFilter { playbook: Some(None), ..LeadFilter::default() }).await, Vec::<i64>::new());
        assert_eq!(ids(LeadFilter { source_file: Some("in.csv".into()), ..LeadFilter::default() }).await, [a.id, b.id]);
        let stored = store.lead(c.id).await.expect("read").expect("c");
        assert_eq!(stored.playbook.as_deref(), Some("enterprise"));
        assert_ne!(stored.etag(), c.etag(), "{}: routing changes the ETag", db.name);

        store
            .set_lead_routing(&[LeadRouting { lead_id: b.id, playbook: None, owner: OwnerChange::Set(ana) }])
            .await
            .expect("re-route");
        let b = store.lead(b.id).await.expect("read").expect("b");
        assert_eq!((b.playbook, b.owner_id), (None, Some(ana)));
        assert!(store.readiness().await.expect("ready").missing.is_empty());
    }
}
