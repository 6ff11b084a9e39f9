//! Free-text search (`LeadFilter::text`) on SQLite and PostgreSQL: the indexed search finds
//! exactly the leads the old scan found (every word a substring, whatever its case, of the
//! first name, last name, email, company or external id), and the index follows every write.
//! Case is folded as Rust's `to_lowercase` does, which is what PostgreSQL's scan did; SQLite's
//! scan folded ASCII only, so there `ünï` finding `Ünïcode` is new.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::{TestDb, connect, databases, execute};
use sift_core::Stage;
use sift_store::import::{ImportOptions, import_csv};
use sift_store::{LeadCount, LeadFilter, LeadRecord, SEARCH_COUNT_CAP, Store, StoredLead};

/// Leads written through the importer: ASCII in mixed case, Chinese names and companies
/// (2-character names among them), LIKE's metacharacters and quotes in the values.
const IMPORTED: &str = "Record ID,First Name,Last Name,Email,Company Name\n\
CRM-4711,Jana,Novak,jana@company4711.example,\"Company 4711, Inc.\"\n\
CRM-14711,Sam,Ortiz,sam@ortiz.example,Ortiz Freight\n\
CRM-300,伟,王,wang.wei@yunfan.example,云帆科技\n\
CRM-301,王伟,,wangwei@beijing.example,北京王伟明科技有限公司\n\
CRM-302,Li,Wei,li.wei@xinghe.example,星河\n\
CRM-303,Percy,Fifty,percy@odd.example,\"50% Off_Deals \\ Co\"\n\
CRM-304,Ann,O'Hara,\"ann.q@quote.example\",Ünïcode GmbH\n\
CRM-305,ADA,LOVELACE,ADA@ENGINE.EXAMPLE,Analytical Engines\n\
x_1\\y,,,,\n\
CRM-306,Bo,Underscore,bo@a.example,a_b Ltd\n\
CRM-307,Cy,Letter,cy@a.example,aXb Ltd\n\
CRM-308,Di,Slash,di@c.example,c\\d Co\n\
CRM-309,Ed,Plain,ed@c.example,cd Co\n";

/// Searches run against every state of the data: each is checked against the old
/// semantics computed here from the stored leads.
const QUERIES: &[&str] = &[
    "company 4711",
    "4711",
    "compan 471",
    "COMPANY",
    "jana novak",
    "jananovak",
    "JANA",
    "ortiz",
    "freight",
    "zephyr",
    "王伟",
    "王",
    "伟",
    "王伟明",
    "伟科",
    "云帆科技",
    "北京 科技",
    "星河",
    "li",
    "LI wei",
    "a",
    "a b",
    "ad",
    "%",
    "_",
    "\\",
    "50%",
    "a_b",
    "aXb",
    "c\\d",
    "\\ co",
    "\"",
    "'",
    "o'hara",
    "ünï",
    "ÜNÏCODE",
    "' OR 1=1 --",
    "\"; DELETE FROM leads; --",
    "*",
    "NEAR(a b)",
    "a* OR b",
    "^x",
    "search:x",
    "x AND y",
    "(",
    ")",
    "-",
    "--",
    "4711 nobody",
    "x_1",
    "1\\y",
    "example",
    ".example",
    "@",
    "   ",
    "one two three four five six seven eight nine",
];

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::File::create(&path).and_then(|mut f| f.write_all(content.as_bytes())).expect("write fixture");
    path
}

/// The old search: every word (at most 8), lower-cased, is a substring of one of the
/// fields, lower-cased.
fn expected(leads: &[StoredLead], text: &str) -> Vec<i64> {
    let words: Vec<String> = text.split_whitespace().take(8).map(str::to_lowercase).collect();
    let mut ids: Vec<i64> = leads
        .iter()
        .filter(|lead| {
            let r = &lead.record;
            let fields = [&r.first_name, &r.last_name, &r.email, &r.company, &r.external_id];
            words.iter().all(|w| fields.iter().any(|f| f.as_deref().is_some_and(|f| f.to_lowercase().contains(w))))
        })
        .map(|lead| lead.id)
        .collect();
    ids.sort_unstable();
    ids
}

fn search(text: &str) -> LeadFilter {
    LeadFilter { text: Some(text.to_owned()), ..LeadFilter::default() }
}

/// Every query finds what the old search found, through each way the store reads leads
/// under a filter: the list, the count, the board's cards and its counts per stage (exact,
/// and stopped at a cap).
async fn check_all(store: &Store, db: &TestDb, when: &str) {
    let all = check_queries(store, db, when, QUERIES, &[1, 3]).await;
    // The queries are not all trivial: some find leads, some find none.
    let found = QUERIES.iter().filter(|q| !expected(&all, q).is_empty()).count();
    assert!(found > 20 && found < QUERIES.len(), "{} {when}: {found} queries find leads", db.name);
}

/// Checks `queries` against the stored leads, which it returns; the counts also stopped at
/// each of `caps` (the board's and the API's counts under a search).
async fn check_queries(store: &Store, db: &TestDb, when: &str, queries: &[&str], caps: &[i64]) -> Vec<StoredLead> {
    let all = store.list_leads(&LeadFilter::default()).await.expect("all leads");
    for text in queries {
        let want = expected(&all, text);
        let mut got: Vec<i64> =
            store.list_leads(&search(text)).await.expect("search").into_iter().map(|l| l.id).collect();
        got.sort_unstable();
        assert_eq!(got, want, "{} {when}: search {text:?}", db.name);
        let count = store.count_leads(&search(text)).await.expect("count");
        assert_eq!(count, want.len() as i64, "{} {when}: count of {text:?}", db.name);
        let per_stage = store.count_leads_in_stages(&search(text), &Stage::ALL, i64::MAX).await.expect("stage counts");
        assert!(per_stage.values().all(|n| !n.capped), "{} {when}: {text:?} counted to the end", db.name);
        assert_eq!(
            per_stage.values().map(|n| n.count).sum::<i64>(),
            want.len() as i64,
            "{} {when}: stage counts of {text:?}",
            db.name
        );
        // Only a search is counted up to a cap; a blank one counts every lead.
        let counted = |n: usize, cap: i64| {
            if text.split_whitespace().next().is_some() {
                LeadCount::up_to(n as i64, cap)
            } else {
                LeadCount::exact(n as i64)
            }
        };
        for &cap in caps {
            let capped = store.count_leads_up_to(&search(text), cap).await.expect("count up to a cap");
            assert_eq!(capped, counted(want.len(), cap), "{} {when}: {text:?} up to {cap}", db.name);
            let per_stage = store.count_leads_in_stages(&search(text), &Stage::ALL, cap).await.expect("stage counts");
            for stage in Stage::ALL {
                let in_stage =
                    all.iter().filter(|l| l.record.stage == stage && want.binary_search(&l.id).is_ok()).count();
                assert_eq!(
                    per_stage.get(&stage).copied(),
                    Some(counted(in_stage, cap)),
                    "{} {when}: {text:?} in {stage:?} up to {cap}",
                    db.name
                );
            }
        }
        let mut cards: Vec<i64> = store
            .list_lead_cards(&LeadFilter { limit: Some(50), ..search(text) }, &Stage::ALL)
            .await
            .expect("cards")
            .into_iter()
            .map(|c| c.id)
            .collect();
        cards.sort_unstable();
        if want.len() <= 50 {
            assert_eq!(cards, want, "{} {when}: board cards of {text:?}", db.name);
        } else {
            // At most 50 a stage, every one a hit.
            assert!(cards.iter().all(|id| want.binary_search(id).is_ok()), "{} {when}: cards of {text:?}", db.name);
            let stages = store.count_leads_in_stages(&search(text), &Stage::ALL, i64::MAX).await.expect("counts");
            let shown: i64 = stages.values().map(|n| n.count.min(50)).sum();
            assert_eq!(cards.len() as i64, shown, "{} {when}: a full page a stage for {text:?}", db.name);
        }
    }
    all
}

fn ids_of(leads: &[StoredLead]) -> Vec<i64> {
    let mut ids: Vec<i64> = leads.iter().map(|l| l.id).collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn search_finds_what_the_scan_found_and_follows_every_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "leads.csv", IMPORTED);
    for db in databases("search_sync").await {
        let store = connect(&db).await;
        let s = import_csv(&store, &file, &ImportOptions::default(), None, &()).await.expect("import");
        assert_eq!((s.inserted, s.rejected), (13, 0), "{}", db.name);
        // Created one by one (the API's path), beside the imported ones.
        let mut made = Vec::new();
        for (first, last, email, company) in [
            ("Grace", "Hopper", "grace@navy.example", "Navy Compilers"),
            ("晓明", "张", "xiaoming@huawei.example", "王伟电子"),
            ("Hiro", "Tanaka", "hiro@percent.example", "100%_Sure \\o/"),
        ] {
            let record = LeadRecord {
                first_name: Some(first.into()),
                last_name: Some(last.into()),
                email: Some(email.into()),
                company: Some(company.into()),
                ..LeadRecord::default()
            }
            .identify();
            made.push(store.insert_lead(&record, None).await.expect("insert"));
        }
        check_all(&store, &db, "after import and create").await;

        // An update through the API: the old words are gone, the new ones found.
        let ortiz = store.find_lead("CRM-14711").await.expect("query").expect("ortiz");
        let mut record = ortiz.record.clone();
        record.company = Some("Zephyr Cargo".into());
        record.last_name = Some("Ortiz-王".into());
        let record = record.identify();
        store.update_lead(ortiz.id, &record, None, None).await.expect("update");
        assert!(ids_of(&store.list_leads(&search("freight")).await.expect("search")).is_empty(), "{}", db.name);
        assert_eq!(ids_of(&store.list_leads(&search("zephyr")).await.expect("search")), [ortiz.id], "{}", db.name);
        assert!(ids_of(&store.list_leads(&search("王")).await.expect("search")).contains(&ortiz.id), "{}", db.name);

        // Deletes: neither the lead nor a trace of it is found.
        let jana = store.find_lead("CRM-4711").await.expect("query").expect("jana");
        assert!(store.delete_lead(jana.id).await.expect("delete"), "{}", db.name);
        assert!(store.delete_lead(made[1].id).await.expect("delete"), "{}", db.name);
        assert!(!ids_of(&store.list_leads(&search("4711")).await.expect("search")).contains(&jana.id), "{}", db.name);
        assert!(ids_of(&store.list_leads(&search("晓明")).await.expect("search")).is_empty(), "{}", db.name);

        // A changed file: the importer updates leads (and creates one), and the search follows.
        let changed = IMPORTED
            .replace("Li,Wei,li.wei@xinghe.example,星河", "Li,Wei,li.wei@xinghe.example,银河动力")
            .replace("CRM-305,ADA,LOVELACE", "CRM-305,Augusta,LOVELACE")
            + "CRM-400,Neu,Mann,neu@mann.example,星河 Nova\n";
        let file2 = write(dir.path(), "leads-2.csv", &changed);
        let s = import_csv(&store, &file2, &ImportOptions::default(), None, &()).await.expect("re-import");
        // Jana was deleted, so the file brings her back as a new lead; Ortiz gets the file's
        // company back.
        assert_eq!((s.inserted, s.updated), (2, 3), "{}", db.name);
        assert!(ids_of(&store.list_leads(&search("zephyr")).await.expect("search")).is_empty(), "{}", db.name);
        let li = store.find_lead("CRM-302").await.expect("query").expect("li");
        assert_eq!(ids_of(&store.list_leads(&search("银河")).await.expect("search")), [li.id], "{}", db.name);
        assert!(!ids_of(&store.list_leads(&search("星河")).await.expect("search")).contains(&li.id), "{}", db.name);
        let ada = store.find_lead("CRM-305").await.expect("query").expect("ada");
        assert_eq!(ids_of(&store.list_leads(&search("AUGUSTA")).await.expect("search")), [ada.id], "{}", db.name);
        check_all(&store, &db, "after update, delete and re-import").await;
        store.integrity_check().await.expect("consistent");
        store.close().await;
    }
}

/// Migration 23 fills the index for leads stored before it: here the index is taken away
/// and the migration forgotten, so the next connection runs it again over stored leads.
#[tokio::test]
async fn the_migration_indexes_the_leads_already_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "leads.csv", IMPORTED);
    for db in databases("search_backfill").await {
        let store = connect(&db).await;
        import_csv(&store, &file, &ImportOptions::default(), None, &()).await.expect("import");
        store.close().await;
        if db.name == "sqlite" {
            execute(
                &db,
                "DROP TRIGGER lead_search_insert; DROP TRIGGER lead_search_update; DROP TRIGGER lead_search_delete; \
                 DROP TABLE lead_search_terms; DROP TABLE lead_search; DROP VIEW lead_search_text; \
                 DELETE FROM _sqlx_migrations WHERE version = 23",
            )
            .await;
        } else {
            execute(&db, "DROP INDEX leads_search_trgm; DELETE FROM _sqlx_migrations WHERE version = 23").await;
        }
        let store = connect(&db).await;
        assert!(store.text_search_indexed().await.expect("status"), "{}: the index is back", db.name);
        check_all(&store, &db, "after the migration ran over stored leads").await;
        store.close().await;
    }
}

/// Without pg_trgm (a role that may not create extensions), the PostgreSQL migration still
/// runs, search finds the same leads by scanning, and the store says the search is not
/// indexed.
#[tokio::test]
async fn postgres_without_pg_trgm_searches_by_scanning() {
    for db in databases("search_no_trgm").await {
        if db.name != "postgres" {
            continue;
        }
        let role = format!("sift_noext_{}", std::process::id());
        let database = db.url.rsplit('/').next().expect("database name").to_owned();
        execute(
            &db,
            &format!(
                "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN; REVOKE CREATE ON DATABASE {database} FROM PUBLIC; \
                 GRANT USAGE, CREATE ON SCHEMA public TO {role}; REVOKE CREATE ON DATABASE {database} FROM {role}"
            ),
        )
        .await;
        let url = db.url.replacen("postgres@", &format!("{role}@"), 1);
        let store = Store::connect(&url).await.expect("connect without pg_trgm");
        assert!(!store.text_search_indexed().await.expect("status"), "no index without the extension");
        let dir = tempfile::tempdir().expect("tempdir");
        let file = write(dir.path(), "leads.csv", IMPORTED);
        import_csv(&store, &file, &ImportOptions::default(), None, &()).await.expect("import");
        check_all(&store, &db, "without pg_trgm").await;
        store.close().await;
        // Once the extension is there, the next connection builds the index.
        execute(&db, "CREATE EXTENSION pg_trgm").await;
        let store = Store::connect(&url).await.expect("connect");
        assert!(store.text_search_indexed().await.expect("status"), "the index is built on the next start");
        check_all(&store, &db, "once pg_trgm is there").await;
        store.close().await;
        execute(&db, &format!("REASSIGN OWNED BY {role} TO postgres; DROP OWNED BY {role}; DROP ROLE {role}")).await;
    }
}

/// A search that finds many leads (more than the 2,000 that make the hits drive a query) is
/// read along the filters' indexes instead, each lead checked by a plain `LIKE` where that
/// finds what the index does: the same leads either way, and the same counts, stopped at a cap
/// or not. A quarter of the companies end in `Kft` written with the Kelvin sign (`K`, which
/// the index and Rust fold to `k`, and SQLite's `LIKE` does not), and most start with `Über`
/// (a letter whose case `LIKE` does not fold on SQLite, so the index answers there).
#[tokio::test]
async fn a_search_most_leads_match_finds_the_same_leads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stages = ["lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer"];
    let mut csv = String::from("Record ID,First Name,Last Name,Email,Company Name,Lifecycle Stage\n");
    for i in 0..2600 {
        let (first, last) = if i % 40 == 3 { ("", "王伟") } else { ("First", "Last") };
        let prefix = if i % 5 == 0 { "Ober" } else { "Über" };
        let kft = if i % 4 == 1 { "\u{212A}ft" } else { "Kft" };
        csv.push_str(&format!(
            "{i},{first}{},{last},lead{i}@company{}.example,{prefix} Company {} Inc {kft},{}\n",
            i % 7,
            i % 50,
            i % 13,
            stages[i % stages.len()]
        ));
    }
    let file = write(dir.path(), "many.csv", &csv);
    for db in databases("search_many").await {
        let store = connect(&db).await;
        let s = import_csv(&store, &file, &ImportOptions::default(), None, &()).await.expect("import");
        assert_eq!(s.inserted, 2600, "{}", db.name);
        store.refresh_statistics().await.expect("analyze");
        let queries = [
            "company",
            "company 7",
            "lead 12",
            "example 1",
            "王伟",
            "王",
            "co",
            "a",
            "zz",
            "inc company4",
            "company4 inc",
            "kft",
            "k",
            "inc kft",
            "über",
            "über company",
            "ober",
        ];
        check_queries(&store, &db, "with 2,600 leads", &queries, &[10, 100, SEARCH_COUNT_CAP]).await;
        // The import indexed its leads in bulk (SQLite drops the insert trigger for a large
        // batch and creates it again): the index agrees with the table, and a lead created
        // afterwards through the API's path is found.
        store.integrity_check().await.expect("consistent after a bulk import");
        let record = LeadRecord {
            first_name: Some("Quintus".into()),
            company: Some("Zebulon Works".into()),
            ..LeadRecord::default()
        }
        .identify();
        let made = store.insert_lead(&record, None).await.expect("insert");
        let found = store.list_leads(&search("zebulon")).await.expect("search");
        assert_eq!(ids_of(&found), vec![made.id], "{}: a lead created after the import is searchable", db.name);
        store.close().await;
    }
}
