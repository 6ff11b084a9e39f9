#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Test databases for the crates above the store (feature `testing`): every storage
//! behaviour is tested against SQLite and PostgreSQL.
//!
//! PostgreSQL is found at `SIFT_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each test gets a fresh database there. When
//! no server answers, PostgreSQL tests are skipped with a message, unless
//! `SIFT_REQUIRE_POSTGRES=1` (as in CI), when that is a failure.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::Store;
use sqlx::Connection;

pub struct TestDb {
    pub name: &'static str,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// The PostgreSQL database to drop when the test is done.
    drop_database: Option<String>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(db) = self.drop_database.take() else { return };
        // Drop runs inside the test's runtime; use a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("test runtime");
            rt.block_on(async {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_base()).await {
                    let sql = format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)");
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await;
                }
            });
        })
        .join();
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn postgres_base() -> String {
    std::env::var("SIFT_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A fresh SQLite database and, when a server is reachable, a fresh PostgreSQL database.
pub async fn databases(test: &str) -> Vec<TestDb> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut dbs = vec![TestDb {
        name: "sqlite",
        url: format!("sqlite://{}", dir.path().join("sift.db").display()),
        _dir: Some(dir),
        drop_database: None,
    }];
    let base = postgres_base();
    let admin = tokio::time::timeout(std::time::Duration::from_secs(5), sqlx::PgConnection::connect(&base)).await;
    match admin {
        Ok(Ok(mut conn)) => {
            let db = format!("sift_test_{}_{}_{}", test, std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {db}")))
                .execute(&mut conn)
                .await
                .expect("drop old test database");
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let url = match base.rsplit_once('/') {
                Some((server, _)) => format!("{server}/{db}"),
                None => panic!("SIFT_TEST_POSTGRES_URL has no database part: {base}"),
            };
            eprintln!("{test}: running against PostgreSQL database {db}");
            dbs.push(TestDb { name: "postgres", url, _dir: None, drop_database: Some(db) });
        }
        other => {
            let why = match other {
                Ok(Err(e)) => e.to_string(),
                _ => "no answer within 5 s".to_owned(),
            };
            if std::env::var("SIFT_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("PostgreSQL is required (SIFT_REQUIRE_POSTGRES=1) but {base} is not reachable: {why}");
            }
            skipped(&format!("{test}: PostgreSQL tests skipped: {base} is not reachable ({why})"));
        }
    }
    dbs
}

pub async fn connect(db: &TestDb) -> Store {
    Store::connect(&db.url).await.unwrap_or_else(|e| panic!("{}: {e}", db.name))
}

/// The shared data folder (`../shared/data` beside the repository), when this checkout has
/// one; it is only on development machines.
pub fn shared_data() -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    dir.is_dir().then_some(dir)
}

/// Runs one SQL statement on a test database, outside the store (to set up odd states).
pub async fn execute(db: &TestDb, sql: &str) {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    if db.url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        sqlx::raw_sql(sql).execute(&mut conn).await.expect("execute");
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.expect("connect");
        sqlx::raw_sql(sql).execute(&mut conn).await.expect("execute");
    }
}

/// Says that a test skipped part of its work, in the test run's output: libtest captures
/// `eprintln!` (shown only with `--nocapture` or on failure), not writes to the stderr
/// handle itself.
pub fn skipped(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{message}");
}
