//! Crash safety: the importer is killed with SIGKILL mid-file at several points; every
//! committed batch stays intact, the database passes its integrity check, and re-running
//! the import completes with no duplicates. Run on SQLite and on PostgreSQL.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sift_store::{LeadFilter, Store};

#[path = "../../sift-store/tests/common/mod.rs"]
mod common;

const ROWS: u32 = 40_000;
const BATCH: i64 = 500;

fn write_file(path: &std::path::Path) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    writeln!(f, "Lead ID,First Name,Last Name,Email,Company,Number of Employees,Country").expect("write");
    for i in 0..ROWS {
        writeln!(f, "X{i:06},First{i},Last{i},person{i}@crash{}.example,Company {i},{},DE", i % 97, 10 + i % 900)
            .expect("write");
    }
}

fn import(url: &str, file: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_sift"))
        .args(["--db", url, "import"])
        .arg(file)
        .args(["--batch-size", &BATCH.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sift import")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_importer_never_loses_or_duplicates_a_committed_batch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("big.csv");
    write_file(&file);
    for db in common::databases("crash").await {
        let store = Store::connect(&db.url).await.expect("connect");
        // Kill points: after at least this many leads are committed.
        let mut before = 0;
        for kill_after in [BATCH, 7 * BATCH, 31 * BATCH] {
            let mut child = import(&db.url, &file);
            let started = Instant::now();
            loop {
                let n = store.count_leads(&LeadFilter::default()).await.expect("count");
                if n >= kill_after || started.elapsed() > Duration::from_secs(120) {
                    break;
                }
                if let Some(status) = child.try_wait().expect("wait") {
                    panic!("{}: import ended before the kill point ({status})", db.name);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            child.kill().expect("SIGKILL");
            let _ = child.wait();
            store.integrity_check().await.unwrap_or_else(|e| panic!("{}: {e}", db.name));
            let n = store.count_leads(&LeadFilter::default()).await.expect("count");
            assert!(n >= kill_after && n <= i64::from(ROWS), "{}: {n} leads after the kill", db.name);
            assert_eq!(n % BATCH, 0, "{}: {n} leads is not a whole number of batches", db.name);
            // Every stored row is complete.
            let broken = store
                .list_leads(&LeadFilter::default())
                .await
                .expect("list")
                .into_iter()
                .filter(|l| l.record.email.is_none() || l.record.company.is_none() || l.record.employees.is_none())
                .count();
            assert_eq!(broken, 0, "{}", db.name);
            // The killed run is marked interrupted, with exactly the rows it committed.
            let runs = store.import_runs(1).await.expect("runs");
            let run = runs.first().expect("a run");
            assert_eq!(run.status, sift_store::ImportRunStatus::Interrupted, "{}: {run:?}", db.name);
            assert_eq!(run.inserted, n - before, "{}: {run:?}", db.name);
            before = n;
        }
        let interrupted = store.import_runs(1).await.expect("runs")[0].id;
        let status = import(&db.url, &file).wait().expect("re-run");
        assert!(status.success(), "{}: re-run failed", db.name);
        let last = store.import_runs(1).await.expect("runs").remove(0);
        assert_eq!(
            (last.status, last.resumes, last.inserted + last.unchanged),
            (sift_store::ImportRunStatus::Finished, Some(interrupted), i64::from(ROWS)),
            "{}: the re-run takes the interrupted run over",
            db.name
        );
        assert_eq!(store.count_leads(&LeadFilter::default()).await.expect("count"), i64::from(ROWS), "{}", db.name);
        store.integrity_check().await.unwrap_or_else(|e| panic!("{}: {e}", db.name));
        store.close().await;
    }
}
