//! Storage behaviour, each test run on SQLite and on PostgreSQL.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::{connect, databases, shared_data};
use sift_core::{
    Activity, ActivityKind, LeadTypeRules, Level, MovePlan, Stage, StageMove, Trigger, Verdict, plan_move,
};
use sift_store::import::{ImportOptions, import_csv};
use sift_store::{LeadFilter, QualificationRecord};

/// A HubSpot-style export written for these tests: BOM, CRLF, quoted commas, placeholders.
const HUBSPOT: &str = "\u{feff}\"Record ID\",\"First Name\",\"Last Name\",\"Email\",\"Company Name\",\"Annual Revenue\",\"Number of Employees\",\"Country/Region\",\"Lifecycle Stage\",\"Lead Status\",\"Original Source\",\"Branche\"\r\n\
\"101\",\"Jana\",\"Novak\",\"jana@acme.example\",\"Acme, Inc.\",\"12,500,000\",\"250\",\"Germany\",\"lead\",\"New\",\"Organic Search\",\"Software\"\r\n\
\"102\",\"Li\",\"Wei\",\"li.wei@yunfan.example\",\"云帆科技\",\"\",\"N/A\",\"China\",\"marketingqualifiedlead\",\"In Progress\",\"Paid Search\",\"Select\"\r\n\
\"103\",\"Sam\",\"Ortiz\",\"sam@ortiz.example\",\"Ortiz Freight\",\"$2.5M\",\"51-200\",\"US\",\"salesqualifiedlead\",\"Open\",\"Referrals\",\"Logistics\"\r\n";

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::File::create(&path).and_then(|mut f| f.write_all(content)).expect("write fixture");
    path
}

#[tokio::test]
async fn import_is_idempotent_and_a_changed_row_updates_the_lead_and_its_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = write(dir.path(), "contacts.csv", HUBSPOT.as_bytes());
    let changed = HUBSPOT.replace(
        "\"Li\",\"Wei\",\"li.wei@yunfan.example\",\"云帆科技\",\"\",\"N/A\",\"China\",\"marketingqualifiedlead\"",
        "\"Li\",\"Wei\",\"li.wei@yunfan.example\",\"云帆科技\",\"\",\"80\",\"China\",\"salesqualifiedlead\"",
    ) + "\"104\",\"Ana\",\"Silva\",\"ana@silva.example\",\"Silva Lda\",\"\",\"12\",\"Portugal\",\"lead\",\"New\",\"Direct\",\"\"\r\n";
    let second = write(dir.path(), "contacts-v2.csv", changed.as_bytes());
    for db in databases("idempotent").await {
        let store = connect(&db).await;
        let options = ImportOptions::default();
        let s = import_csv(&store, &first, &options, None, &()).await.expect("import");
        assert_eq!((s.rows, s.inserted, s.updated, s.unchanged, s.rejected), (3, 3, 0, 0, 0), "{}", db.name);
        let again = import_csv(&store, &first, &options, None, &()).await.expect("re-import");
        assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 3), "{}: re-import is a no-op", db.name);
        let s = import_csv(&store, &second, &options, None, &()).await.expect("changed import");
        assert_eq!((s.inserted, s.updated, s.unchanged), (1, 1, 2), "{}", db.name);
        assert_eq!(store.count_leads(&LeadFilter::default()).await.expect("count"), 4);

        let li = store.find_lead("102").await.expect("query").expect("found by external id");
        assert_eq!(li.record.stage, Stage::Sql);
        assert_eq!(li.record.employees, Some(80));
        assert_eq!(li.record.company.as_deref(), Some("云帆科技"));
        let history = store.stage_history(li.id).await.expect("history");
        let moves: Vec<(Stage, Stage)> = history.iter().map(|h| (h.from, h.to)).collect();
        assert_eq!(moves, [(Stage::Unqualified, Stage::Mql), (Stage::Mql, Stage::Sql)], "{}", db.name);
        // Each step says why in Sift's words, kept with its message for other languages.
        let said: Vec<(&str, Option<&str>)> =
            history.iter().map(|h| (h.reason.as_str(), h.reason_message.as_ref().map(|m| m.code.as_str()))).collect();
        let step = "stage from the imported file";
        assert_eq!(said, [(step, Some("import.stage")), (step, Some("import.stage"))], "{}", db.name);

        let jana = store.find_lead("jana@acme.example").await.expect("query").expect("found by email");
        let r = &jana.record;
        assert_eq!(
            (r.company.as_deref(), r.annual_revenue, r.employees, r.country.as_deref()),
            (Some("Acme, Inc."), Some(12_500_000.0), Some(250), Some("DE"))
        );
        assert_eq!(r.custom_fields.get("Branche").map(String::as_str), Some("Software"), "unmapped columns are kept");
        assert_eq!(r.crm_status.as_deref(), Some("New"));
        let sam = store.find_lead("103").await.expect("query").expect("found");
        assert_eq!((sam.record.annual_revenue, sam.record.employees), (Some(2_500_000.0), Some(51)));
        store.integrity_check().await.expect("consistent");
        store.close().await;
    }
}

#[tokio::test]
async fn a_bad_row_goes_to_the_error_report_and_never_stops_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = "Email,Company,Employees,Created Date\n\
               good@one.example,One,10,2026-01-05\n\
               not-an-email,Two,10,2026-01-05\n\
               three@three.example,Three,lots,2026-01-05\n\
               four@four.example,Four,10\n\
               five@five.example,Five,10,someday\n\
               six@six.example,\"=HYPERLINK(\"\"x\"\")\",7,01/31/2026\n";
    let file = write(dir.path(), "mixed.csv", csv.as_bytes());
    for db in databases("bad_rows").await {
        let store = connect(&db).await;
        let report = dir.path().join(format!("errors-{}.csv", db.name));
        let mut writer = sift_store::import::error_report_writer(&report).expect("report");
        let s = import_csv(&store, &file, &ImportOptions::default(), Some(&mut writer), &()).await.expect("import");
        drop(writer);
        assert_eq!((s.rows, s.inserted, s.rejected), (6, 2, 4), "{}", db.name);
        let mut rows = csv::ReaderBuilder::new().flexible(true).from_path(&report).expect("read report");
        let got: Vec<(String, String, String)> = rows
            .records()
            .map(|r| {
                let r = r.expect("row");
                (r[0].to_owned(), r[1].to_owned(), r[2].to_owned())
            })
            .collect();
        let expected = [
            ("3", "Email", "invalid_email"),
            ("4", "Employees", "invalid_number"),
            ("5", "", "wrong_field_count"),
            ("6", "Created Date", "invalid_date"),
        ];
        assert_eq!(got, expected.map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned())));
        // The hostile company name is stored as data, untouched.
        let six = store.find_lead("six@six.example").await.expect("query").expect("stored");
        assert_eq!(six.record.company.as_deref(), Some("=HYPERLINK(\"x\")"));
        store.close().await;
    }
}

#[tokio::test]
async fn a_latin1_semicolon_salesforce_export_is_decoded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = b"\"ID\";\"FIRSTNAME\";\"LASTNAME\";\"COMPANY\";\"ANNUALREVENUE\";\"NUMBEROFEMPLOYEES\";\"LEADSOURCE\";\"STATUS\";\"COUNTRY\"\r\n\
\"00Q1\";\"J\xfcrgen\";\"M\xfcller\";\"B\xe4ckerei M\xfcller GmbH\";\"1.500.000\";\"12\";\"Web\";\"Closed - Converted\";\"Deutschland\"\r\n\
\"00Q2\";\"Ren\xe9e\";\"Dubois\";\"Caf\xe9 & Co\";\"\";\"\";\"Partner\";\"Closed - Not Converted\";\"France\"\r\n";
    let file = write(dir.path(), "sf.csv", bytes);
    for db in databases("latin1").await {
        let store = connect(&db).await;
        let s = import_csv(&store, &file, &ImportOptions::default(), None, &()).await.expect("import");
        assert_eq!((s.inserted, s.rejected), (2, 0), "{}", db.name);
        assert_eq!(s.dialect.map(|d| (d.delimiter, d.encoding)), Some((';', "windows-1252")));
        let j = store.find_lead("00Q1").await.expect("query").expect("found");
        assert_eq!(j.record.name().as_deref(), Some("Jürgen Müller"));
        assert_eq!(
            (j.record.annual_revenue, j.record.converted, j.record.stage),
            (Some(1_500_000.0), Some(true), Stage::Opportunity)
        );
        let r = store.find_lead("00Q2").await.expect("query").expect("found");
        assert_eq!((r.record.stage, r.record.country.as_deref()), (Stage::Disqualified, Some("FR")));
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_two_overlapping_imports_at_once_leave_no_duplicates_and_report_what_they_did() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rows = |ranges: &[std::ops::Range<u32>]| {
        let mut s = String::from("Email,Company,Employees\n");
        for i in ranges.iter().cloned().flatten() {
            s.push_str(&format!("lead{i}@overlap.example,Company {i},{}\n", i % 500));
        }
        s
    };
    // Both files start with the 1,500 leads they share, so their batches meet head on.
    let a = write(dir.path(), "a.csv", rows(&[1500..3000, 0..1500]).as_bytes());
    let b = write(dir.path(), "b.csv", rows(&[1500..3000, 3000..4500]).as_bytes());
    for db in databases("overlap").await {
        let store_a = connect(&db).await;
        let store_b = connect(&db).await;
        let options = ImportOptions { batch_size: 250, ..ImportOptions::default() };
        let (ra, rb) =
            tokio::join!(import_csv(&store_a, &a, &options, None, &()), import_csv(&store_b, &b, &options, None, &()));
        let (ra, rb) = (ra.expect("import a"), rb.expect("import b"));
        assert_eq!(ra.rejected + rb.rejected, 0);
        // Regression: on PostgreSQL both imports counted the shared rows as inserted
        // (233,000 + 290,000 "inserted" for 300,000 leads). Each shared row is inserted by
        // one import and found unchanged by the other.
        assert_eq!(
            (ra.inserted + rb.inserted, ra.updated + rb.updated, ra.unchanged + rb.unchanged),
            (4500, 0, 1500),
            "{}: a {ra:?} b {rb:?}",
            db.name
        );
        assert_eq!(store_a.count_leads(&LeadFilter::default()).await.expect("count"), 4500, "{}", db.name);
        store_a.integrity_check().await.expect("no duplicates");
        store_a.close().await;
        store_b.close().await;
    }
}

#[tokio::test]
async fn a_stored_decision_moves_the_stage_and_filters_find_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "c.csv", HUBSPOT.as_bytes());
    for db in databases("decision").await {
        let store = connect(&db).await;
        import_csv(&store, &file, &ImportOptions::default(), None, &()).await.expect("import");
        let lead = store.find_lead("101").await.expect("query").expect("found");
        let record = QualificationRecord {
            lead_id: lead.id,
            framework: "bant".into(),
            framework_version: "test".into(),
            icp_version: None,
            verdict: Verdict::Nurture,
            failed_level: Some(Level::Opportunity),
            decision_json: "{}".into(),
            decided_by: Some("tester".into()),
            re_engage_on: Some("2027-04-01".into()),
        };
        store
            .save_qualification(&record, |from| {
                MovePlan::Move(StageMove {
                    from,
                    to: Stage::Nurture,
                    actor: "gate".into(),
                    reason: "timeline beyond horizon".into(),
                    message: None,
                })
            })
            .await
            .expect("save");
        let nurtured = store
            .list_leads(&LeadFilter { verdict: Some(Verdict::Nurture), ..LeadFilter::default() })
            .await
            .expect("list");
        assert_eq!(nurtured.iter().map(|l| l.id).collect::<Vec<_>>(), [lead.id], "{}", db.name);
        assert_eq!(nurtured[0].record.stage, Stage::Nurture);
        let by_source = store
            .count_leads(&LeadFilter { source: Some("paid search".into()), ..LeadFilter::default() })
            .await
            .expect("count");
        assert_eq!(by_source, 1);
        let history = store.stage_history(lead.id).await.expect("history");
        assert_eq!(history.last().map(|h| (h.to, h.actor.as_str())), Some((Stage::Nurture, "gate")));
        // A move planned without a message (a reason people typed) reads back without one.
        assert_eq!(history.last().and_then(|h| h.reason_message.as_ref()), None, "{}", db.name);
        // The decision comes back in full, newest first.
        let newer =
            QualificationRecord { verdict: Verdict::Qualified, decision_json: "{\"v\":2}".into(), ..record.clone() };
        store
            .save_qualification(&newer, |from| MovePlan::Stay { stage: from, reason: "test".into(), message: None })
            .await
            .expect("save");
        let latest = store.latest_qualification(lead.id).await.expect("query").expect("a decision");
        assert_eq!((latest.verdict, latest.decision_json.as_str()), (Verdict::Qualified, "{\"v\":2}"), "{}", db.name);
        assert_eq!(latest.decided_by.as_deref(), Some("tester"));
        assert_eq!(store.qualifications(lead.id, 10).await.expect("query").len(), 2);
        store.close().await;
    }
}

#[tokio::test]
async fn new_activity_is_stored_and_reclassifies_an_early_lead_but_never_demotes_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "c.csv", HUBSPOT.as_bytes());
    let rules = LeadTypeRules::default();
    let classify = |from: Stage, all: &[Activity]| {
        let decision = rules.classify(all);
        let plan = match &decision {
            Some(d) => plan_move(from, Trigger::LeadType(d), "lead-type rules"),
            None => MovePlan::Stay { stage: from, reason: "no rule fires".into(), message: None },
        };
        let rule = decision.as_ref().map(|d| d.rule.clone());
        (decision, plan, rule)
    };
    let moved = |plan: MovePlan| plan.as_move().map(|m| (m.from, m.to));
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&chrono::Utc);
    for db in databases("activity").await {
        let store = connect(&db).await;
        import_csv(&store, &file, &ImportOptions::default(), None, &()).await.expect("import");
        // Jana is unqualified (HubSpot `lead`); a page view alone fires no rule.
        let jana = store.find_lead("101").await.expect("query").expect("found");
        let view = Activity { kind: ActivityKind::PageView, at: at("2026-11-01T09:00:00Z"), detail: None };
        let (decision, plan) = store.record_activity(jana.id, &view, classify).await.expect("page view");
        assert_eq!((decision.map(|d| d.stage), moved(plan)), (None, None), "{}", db.name);
        let trial =
            Activity { kind: ActivityKind::TrialSignup, at: at("2026-11-02T09:00:00Z"), detail: Some("14-day".into()) };
        let (decision, plan) = store.record_activity(jana.id, &trial, classify).await.expect("trial");
        assert_eq!(decision.map(|d| d.stage), Some(Stage::Pql), "{}", db.name);
        assert_eq!(moved(plan), Some((Stage::Unqualified, Stage::Pql)));
        let history = store.stage_history(jana.id).await.expect("history");
        assert_eq!(history.last().map(|h| (h.to, h.actor.as_str())), Some((Stage::Pql, "lead-type rules")));
        // The rule's reason comes back with its message, so a page can say it in Chinese.
        let kept = history.last().expect("a move");
        assert_eq!(kept.reason, "rule `product_signal`: trial_signup (14-day) on 2026-11-02", "{}", db.name);
        let message = kept.reason_message.as_ref().expect("kept with its message");
        assert_eq!((message.code.as_str(), message.english()), ("lead_type.activity", kept.reason.clone()));
        // Sam is already an SQL: a form submission is stored but does not move him back.
        let sam = store.find_lead("103").await.expect("query").expect("found");
        let form = Activity { kind: ActivityKind::FormSubmission, at: at("2026-11-03T09:00:00Z"), detail: None };
        let (decision, plan) = store.record_activity(sam.id, &form, classify).await.expect("form");
        assert_eq!((decision.map(|d| d.stage), moved(plan)), (Some(Stage::Cql), None), "{}", db.name);
        assert_eq!(store.find_lead("103").await.expect("query").expect("found").record.stage, Stage::Sql);
        let missing = store.record_activity(999_999, &form, classify).await;
        assert!(matches!(missing, Err(sift_store::StoreError::NotFound(_))), "{}", db.name);
        store.close().await;
    }
}

/// Rows of a CSV whose `column` holds `value` (delimiter `,` or `;`).
fn converted_rows(path: &Path, column: &str, value: &str) -> i64 {
    let text = std::fs::read_to_string(path).expect("read");
    let delimiter = if text.lines().next().is_some_and(|l| l.contains(';')) { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).from_reader(text.as_bytes());
    let index = reader.headers().expect("header").iter().position(|h| h == column).expect("column");
    reader.records().filter(|r| r.as_ref().is_ok_and(|r| &r[index] == value)).count() as i64
}

#[tokio::test]
async fn the_real_public_exports_import_with_zero_rejects_and_re_import_is_a_no_op() {
    let Some(data) = shared_data() else {
        common::skipped("skipped: ../shared/data is not present (it is only on development machines)");
        return;
    };
    let files = [
        (data.join("leads/x-education/Leads.csv"), 9240),
        (data.join("leads/uci-bank-marketing/bank-additional-full.csv"), 41188),
    ];
    for db in databases("real_exports").await {
        let store = connect(&db).await;
        for (file, rows) in &files {
            let s = import_csv(&store, file, &ImportOptions::default(), None, &()).await.expect("import");
            assert_eq!((s.rows, s.rejected), (*rows, 0), "{} {}", db.name, file.display());
            let again = import_csv(&store, file, &ImportOptions::default(), None, &()).await.expect("re-import");
            assert_eq!(
                (again.inserted, again.updated),
                (0, 0),
                "{} {}: re-import changes nothing",
                db.name,
                file.display()
            );
        }
        // Leads.csv has 9,240 distinct prospects; the bank file has 12 exact duplicate rows.
        assert_eq!(store.count_leads(&LeadFilter::default()).await.expect("count"), 9240 + 41188 - 12);
        // Regression: converted leads stayed `unqualified`. Every `Converted = 1` of
        // Leads.csv and every `y = yes` of the bank file is a customer now (one of the bank
        // file's 12 repeated rows is a `yes`, stored once).
        let customers = store
            .count_leads(&LeadFilter { stage: Some(Stage::Customer), ..LeadFilter::default() })
            .await
            .expect("count");
        assert_eq!(
            customers,
            converted_rows(&files[0].0, "Converted", "1") + converted_rows(&files[1].0, "y", "yes") - 1
        );
        assert_history_is_legal(&store, db.name).await;
        let placeholder =
            store.list_leads(&LeadFilter { limit: Some(200), ..LeadFilter::default() }).await.expect("list");
        assert!(placeholder.iter().all(|l| l.record.custom_fields.values().all(|v| v != "Select" && v != "unknown")));
        store.integrity_check().await.expect("consistent");
        store.close().await;
    }
}

#[tokio::test]
async fn regression_binary_and_utf16_files_are_refused_before_a_row_is_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Random bytes from a fixed generator (xorshift), 1 MB.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let random: Vec<u8> = (0..1 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect();
    let utf16 = |big_endian: bool| -> Vec<u8> {
        "Email,Company\r\njana@acme.example,Acme\r\nli@yunfan.example,云帆\r\n"
            .encode_utf16()
            .flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() })
            .collect()
    };
    let mut files = vec![
        (write(dir.path(), "random.csv", &random), "binary file"),
        (write(dir.path(), "utf16le.csv", &utf16(false)), "UTF-16 little-endian text without a byte-order mark"),
        (write(dir.path(), "utf16be.csv", &utf16(true)), "UTF-16 big-endian text without a byte-order mark"),
        (write(dir.path(), "numbers.csv", b"1,2,3\n4,5,6\n"), "does not look like column names"),
    ];
    if Path::new("/bin/ls").is_file() {
        files.push((PathBuf::from("/bin/ls"), "NUL byte"));
    }
    for db in databases("not_text").await {
        let store = connect(&db).await;
        for (file, reason) in &files {
            let err = import_csv(&store, file, &ImportOptions::default(), None, &()).await.expect_err(&format!(
                "{}: {} must be refused",
                db.name,
                file.display()
            ));
            let message = err.to_string();
            assert!(message.contains(reason), "{}: {message}", file.display());
            assert!(message.contains(&format!("`{}`", file.display())), "names the file: {message}");
        }
        assert_eq!(store.count_leads(&LeadFilter::default()).await.expect("count"), 0, "{}", db.name);
        store.close().await;
    }
}

#[tokio::test]
async fn regression_rejected_rows_carry_file_line_numbers_in_crlf_files_and_formulas_are_neutralised() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Line 1 header, 2 good, 3 bad email, 4 blank, 5-6 a quoted two-line company, 7 a
    // formula in a bad row.
    let csv = "Email,Company,Employees\r\n\
               good@one.example,One,10\r\n\
               not-an-email,Two,10\r\n\
               \r\n\
               three@three.example,\"Three\r\nand Sons\",lots\r\n\
               =cmd|' /C calc'!A0,@SUM(1),-2+3\r\n";
    let file = write(dir.path(), "crlf.csv", csv.as_bytes());
    for db in databases("crlf_rows").await {
        let store = connect(&db).await;
        let report = dir.path().join(format!("errors-{}.csv", db.name));
        let mut writer = sift_store::import::error_report_writer(&report).expect("report");
        let s = import_csv(&store, &file, &ImportOptions::default(), Some(&mut writer), &()).await.expect("import");
        drop(writer);
        assert_eq!((s.rows, s.inserted, s.rejected), (4, 1, 3), "{}", db.name);
        let text = std::fs::read_to_string(&report).expect("read report");
        let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.expect("row").iter().map(str::to_owned).collect())
            .collect();
        let lines: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(lines, ["3", "5", "7"], "{}: rows are file lines", db.name);
        assert_eq!(&rows[2][4..], ["'=cmd|' /C calc'!A0", "'@SUM(1)", "'-2+3"], "{}", db.name);
        store.close().await;
    }
}

/// Not a test of its own: the child process of
/// `regression_two_processes_opening_a_fresh_database_at_once_both_succeed`. Run with
/// `SIFT_TEST_CONNECT_URL` set, it opens that database (creating and migrating it) and exits;
/// a failure to open is a panic, so the process exits non-zero.
#[tokio::test]
async fn child_process_opens_the_database_in_sift_test_connect_url() {
    let Ok(url) = std::env::var("SIFT_TEST_CONNECT_URL") else { return };
    match sift_store::Store::connect(&url).await {
        Ok(store) => store.close().await,
        Err(e) => panic!("cannot open {url}: {e}"),
    }
}

#[tokio::test]
async fn regression_two_processes_opening_a_fresh_database_at_once_both_succeed() {
    let exe = std::env::current_exe().expect("test binary");
    let spawn = |url: &str| {
        std::process::Command::new(&exe)
            .args(["--exact", "child_process_opens_the_database_in_sift_test_connect_url", "--test-threads=1"])
            .env("SIFT_TEST_CONNECT_URL", url)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn child")
    };
    let mut failures = Vec::new();
    for round in 0..50 {
        for db in databases("first_use").await {
            let children = [spawn(&db.url), spawn(&db.url)];
            for child in children {
                let out = child.wait_with_output().expect("child ran");
                if !out.status.success() {
                    let text = String::from_utf8_lossy(&out.stdout);
                    let why = text.lines().find(|l| l.contains("cannot open")).unwrap_or("(no message)").to_owned();
                    failures.push(format!("{} round {round}: {why}", db.name));
                }
            }
            let store = connect(&db).await;
            assert_eq!(store.count_leads(&LeadFilter::default()).await.expect("schema is there"), 0);
            store.close().await;
        }
    }
    assert!(failures.is_empty(), "{} of 100 first uses failed:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn regression_a_database_that_refuses_connections_says_so_at_once() {
    // A port nobody listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let started = std::time::Instant::now();
    let err = sift_store::Store::connect(&format!("postgres://postgres@127.0.0.1:{port}/sift"))
        .await
        .expect_err("nothing listens there");
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "took {:?}", started.elapsed());
    assert_eq!(
        err.to_string(),
        format!("connection refused at 127.0.0.1:{port}: is the database server running and listening there?")
    );
}

#[tokio::test]
async fn an_import_run_whose_heartbeat_stopped_is_interrupted_and_the_next_run_resumes_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "c.csv", HUBSPOT.as_bytes());
    for db in databases("runs").await {
        let store = connect(&db).await;
        let first = import_csv(&store, &file, &ImportOptions::default(), None, &()).await.expect("import");
        let run = store.import_run(first.run).await.expect("query").expect("stored");
        assert_eq!((run.status, run.rows_read, run.inserted), (sift_store::ImportRunStatus::Finished, 3, 3));
        // As if the process had died on another machine after its last batch: unfinished,
        // heartbeat long ago.
        let sql = format!(
            "UPDATE import_runs SET status = 'running', finished_at = NULL, owner = NULL, \
             heartbeat_at = '2020-01-01T00:00:00.000Z' WHERE id = {}",
            first.run
        );
        common::execute(&db, &sql).await;
        let runs = store.import_runs(10).await.expect("runs");
        assert_eq!(runs[0].status, sift_store::ImportRunStatus::Interrupted, "{}", db.name);
        let again = import_csv(&store, &file, &ImportOptions::default(), None, &()).await.expect("re-import");
        assert_eq!(again.resumes.as_ref().map(|r| r.id), Some(first.run), "{}", db.name);
        assert!(
            again.notes().iter().any(|n| n.contains(&format!("takes over run {}", first.run))),
            "{:?}",
            again.notes()
        );
        assert_eq!((again.inserted, again.unchanged), (0, 3));
        let runs = store.import_runs(10).await.expect("runs");
        assert_eq!((runs[0].status, runs[0].resumes), (sift_store::ImportRunStatus::Finished, Some(first.run)));
        store.close().await;
    }
}

#[tokio::test]
async fn regression_an_out_of_range_batch_size_is_refused_with_the_allowed_range() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "c.csv", HUBSPOT.as_bytes());
    for db in databases("batch_size").await {
        let store = connect(&db).await;
        for size in [0, 100_000_000] {
            let options = ImportOptions { batch_size: size, ..ImportOptions::default() };
            let err = import_csv(&store, &file, &options, None, &()).await.expect_err("refused");
            assert_eq!(
                err.to_string(),
                format!("batch size `{size}` is out of range: give 1 to 50000 rows per transaction")
            );
        }
        assert!(store.import_runs(10).await.expect("runs").is_empty(), "{}: nothing started", db.name);
        store.close().await;
    }
}

/// Every recorded stage move is one the lifecycle allows.
async fn assert_history_is_legal(store: &sift_store::Store, name: &str) {
    for lead in store.list_leads(&LeadFilter::default()).await.expect("list") {
        for h in store.stage_history(lead.id).await.expect("history") {
            assert!(h.from.can_move_to(h.to), "{name}: lead {} moved {} -> {}", lead.id, h.from, h.to);
        }
    }
}

#[tokio::test]
async fn regression_rows_without_id_or_email_are_matched_by_a_detected_or_named_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    // No CRM id, no email: matched by content, a changed job title made a second lead.
    let v1 = "Member No,First Name,Last Name,Job Title,Company\n\
              M-1,Jana,Novak,Analyst,Acme\nM-2,Li,Wei,CTO,Yunfan\nM-3,Sam,Ortiz,Owner,Ortiz Freight\n";
    let v2 = v1.replace("Jana,Novak,Analyst", "Jana,Novak,Head of Sales");
    let named_v1 = v1.replace("Member No", "Kundennummer");
    let named_v2 = v2.replace("Member No", "Kundennummer");
    let files = [
        (write(dir.path(), "v1.csv", v1.as_bytes()), write(dir.path(), "v2.csv", v2.as_bytes()), None),
        (
            write(dir.path(), "n1.csv", named_v1.as_bytes()),
            write(dir.path(), "n2.csv", named_v2.as_bytes()),
            Some("Kundennummer".to_owned()),
        ),
    ];
    for (first, second, key) in &files {
        for db in databases("keys").await {
            let store = connect(&db).await;
            let options = ImportOptions { key: key.clone(), ..ImportOptions::default() };
            let s = import_csv(&store, first, &options, None, &()).await.expect("import");
            let column = s.key.as_ref().map(|k| k.column.as_str());
            assert_eq!(column, Some(if key.is_some() { "Kundennummer" } else { "Member No" }), "{}", db.name);
            assert_eq!(s.matched_by_content, 0);
            let s = import_csv(&store, second, &options, None, &()).await.expect("re-import");
            assert_eq!((s.inserted, s.updated, s.unchanged), (0, 1, 2), "{}: {key:?}", db.name);
            assert_eq!(store.count_leads(&LeadFilter::default()).await.expect("count"), 3);
            let jana = store.find_lead("M-1").await.expect("query").expect("found by its key");
            assert_eq!(jana.record.title.as_deref(), Some("Head of Sales"));
            store.close().await;
        }
    }
    // A key that is not a column is refused, naming the columns.
    let store =
        sift_store::Store::connect(&format!("sqlite://{}", dir.path().join("k.db").display())).await.expect("db");
    let options = ImportOptions { key: Some("Nope".into()), ..ImportOptions::default() };
    let err = import_csv(&store, &files[0].0, &options, None, &()).await.expect_err("no such column");
    assert!(err.to_string().contains("key column `Nope` is not in"), "{err}");
}

#[tokio::test]
async fn a_file_without_ids_or_emails_says_how_many_rows_were_matched_by_content() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "bank.csv", b"age;job;y\n30;admin.;no\n41;technician;yes\n41;technician;yes\n");
    for db in databases("content_keys").await {
        let store = connect(&db).await;
        let s = import_csv(&store, &file, &ImportOptions::default(), None, &()).await.expect("import");
        assert_eq!((s.key.as_ref(), s.matched_by_content, s.inserted, s.duplicates), (None, 3, 2, 1), "{}", db.name);
        let notes = s.notes();
        assert!(notes.iter().any(|n| n.starts_with("3 row(s) had no id and no email")), "{notes:?}");
        store.close().await;
    }
}

#[tokio::test]
async fn regression_outcomes_are_stages_won_is_customer_lost_is_disqualified_and_history_stays_legal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = "Lead ID,Email,Converted,Lead Status,Lifecycle Stage\n\
               1,won@x.example,1,,\n\
               2,open@x.example,0,,\n\
               3,sfwon@x.example,,Closed Won,\n\
               4,lost@x.example,,Closed - Not Converted,\n\
               5,hub@x.example,,,customer\n\
               6,deal@x.example,,Closed - Converted,\n\
               7,lostdeal@x.example,Closed Lost,,salesqualifiedlead\n\
               8,bad@x.example,perhaps,,\n";
    let file = write(dir.path(), "outcomes.csv", csv.as_bytes());
    // The same leads a month later: the customer's CRM row went back to `lead`.
    let later =
        write(dir.path(), "later.csv", csv.replace("5,hub@x.example,,,customer", "5,hub@x.example,,,lead").as_bytes());
    let inspection = sift_store::import::inspect_file(&file, &ImportOptions::default()).expect("inspect");
    let converted = inspection.outcomes.iter().find(|o| o.column == "Converted").expect("the Converted column");
    let one = converted.values.iter().find(|(v, _, _)| v == "1").and_then(|(_, _, r)| r.as_ref()).expect("1 maps");
    assert_eq!((one.name.as_str(), one.stage), ("won", Some(Stage::Customer)));
    assert!(
        inspection.describe().iter().any(|l| l.contains("`perhaps` x1 -> not an outcome")),
        "{:?}",
        inspection.describe()
    );
    for db in databases("outcomes").await {
        let store = connect(&db).await;
        let s = import_csv(&store, &file, &ImportOptions::default(), None, &()).await.expect("import");
        assert_eq!((s.inserted, s.rejected), (7, 1), "{}", db.name);
        let stage = |id: &'static str| {
            let store = &store;
            async move {
                let l = store.find_lead(id).await.expect("query").expect("found");
                (l.record.stage, l.record.converted)
            }
        };
        assert_eq!(stage("1").await, (Stage::Customer, Some(true)), "{}", db.name);
        assert_eq!(stage("2").await, (Stage::Unqualified, Some(false)));
        assert_eq!(stage("3").await, (Stage::Customer, Some(true)));
        assert_eq!(stage("4").await, (Stage::Disqualified, Some(false)));
        assert_eq!(stage("5").await, (Stage::Customer, Some(true)));
        assert_eq!(stage("6").await, (Stage::Opportunity, Some(true)));
        assert_eq!(stage("7").await, (Stage::Disqualified, Some(false)));
        let won = store.find_lead("1").await.expect("query").expect("found");
        let moves: Vec<(Stage, Stage)> =
            store.stage_history(won.id).await.expect("history").iter().map(|h| (h.from, h.to)).collect();
        assert_eq!(
            moves,
            [(Stage::Unqualified, Stage::Sql), (Stage::Sql, Stage::Opportunity), (Stage::Opportunity, Stage::Customer)]
        );
        // A stage reached through several allowed moves says so, in each step's message.
        let codes: Vec<Option<String>> = store
            .stage_history(won.id)
            .await
            .expect("history")
            .iter()
            .map(|h| h.reason_message.as_ref().map(|m| format!("{} {}", m.code, m.english())))
            .collect();
        let path = Some("import.stage_path stage from the imported file (customer, by allowed moves)".to_owned());
        assert_eq!(codes, [path.clone(), path.clone(), path], "{}", db.name);
        let s = import_csv(&store, &later, &ImportOptions::default(), None, &()).await.expect("re-import");
        assert_eq!((s.updated, s.stage_kept), (1, 1), "{}", db.name);
        assert_eq!(stage("5").await.0, Stage::Customer, "a customer stays a customer");
        assert_history_is_legal(&store, db.name).await;
        store.close().await;
    }
}

#[tokio::test]
async fn export_streams_csv_with_custom_fields_as_columns_and_json_like_the_list() {
    use sift_store::export::{ExportFormat, export_leads};
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "c.csv", HUBSPOT.as_bytes());
    let extra =
        write(dir.path(), "extra.csv", b"Email,Company,Lieblingsfarbe,email2\nx@y.example,=HYPERLINK(1),blau,z\n");
    for db in databases("export").await {
        let store = connect(&db).await;
        import_csv(&store, &file, &ImportOptions::default(), None, &()).await.expect("import");
        import_csv(&store, &extra, &ImportOptions::default(), None, &()).await.expect("import");
        let mut out = Vec::new();
        let n = export_leads(&store, &LeadFilter::default(), ExportFormat::Csv, &mut out).await.expect("export");
        assert_eq!(n, 4, "{}", db.name);
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_owned).collect();
        // Regression: custom fields were one JSON cell; now each is a column of its own.
        assert!(!header.contains(&"custom_fields".to_owned()), "{header:?}");
        let branche = header.iter().position(|h| h == "Branche").expect("a Branche column");
        let farbe = header.iter().position(|h| h == "Lieblingsfarbe").expect("a Lieblingsfarbe column");
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        assert_eq!(&rows[0][branche], "Software", "{}", db.name);
        assert_eq!(&rows[3][farbe], "blau");
        assert!(rows[3].iter().any(|cell| cell == "'=HYPERLINK(1)"), "neutralised: {:?}", rows[3]);

        let filter = LeadFilter { stage: Some(Stage::Sql), ..LeadFilter::default() };
        let mut json = Vec::new();
        let n = export_leads(&store, &filter, ExportFormat::Json, &mut json).await.expect("export");
        let listed = store.list_leads(&filter).await.expect("list");
        assert_eq!(n as usize, listed.len());
        let expected = serde_json::to_string_pretty(&listed).expect("json") + "\n";
        assert_eq!(String::from_utf8(json).expect("utf-8"), expected, "{}", db.name);
        store.close().await;
    }
}
