//! Property tests of the importer's parsers: CSV files (arbitrary bytes, and real-looking
//! exports with random edits), mapping files and outcome rules. An import either stores
//! whole leads or stops with an error that names the file; it never panics, the database
//! stays consistent, and memory stays bounded.
//!
//! Cases per property: 64 in the normal test run; `PROPTEST_CASES=2000 cargo test -p
//! sift-store --test parsers` runs a longer search.

use std::io::Write;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::Config;
use sift_store::Store;
use sift_store::import::outcomes::Outcomes;
use sift_store::import::{ImportError, ImportOptions, import_csv, parse_mapping};

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64);
    Config { cases, ..Config::default() }
}

const CSVS: &[&str] = &[
    "\u{feff}\"Record ID\",\"First Name\",\"Email\",\"Company Name\",\"Annual Revenue\",\"Number of Employees\",\"Country/Region\",\"Lifecycle Stage\",\"Lead Status\",\"Converted\"\r\n\
     \"101\",\"Jana\",\"jana@acme.example\",\"Acme, Inc.\",\"12,500,000\",\"250\",\"Germany\",\"lead\",\"New\",\"0\"\r\n\
     \"102\",\"Li\",\"li@yunfan.example\",\"云帆科技\",\"\",\"N/A\",\"中国\",\"customer\",\"Closed Won\",\"1\"\r\n",
    "age;job;marital;y\n41;\"blue-collar\";married;no\n29;admin.;single;yes\n",
    "Member No,First Name,Job Title,Create Date,Visits\nM-1,Ana,CTO,2026-01-05,3\nM-2,Bo,Owner,01/31/2026,0\n",
    "Email\tCompany\tEmployees\nx@y.example\tQuoted \"\"Co\"\"\t51-200\n",
];

const SPICE: &[&[u8]] = &[
    b"\"",
    b",",
    b";",
    b"\t",
    b"\n",
    b"\r\n",
    b"\r",
    b"\"\"",
    b"=",
    b"\xe4\xb8\xad",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfc",
    b"\0",
    b"1e999",
    b"-",
    b"customer",
    b"Closed Lost",
];

fn near_valid(seeds: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    let edit =
        (0u8..5, any::<prop::sample::Index>(), 1usize..30, prop::collection::vec(any::<u8>(), 0..6), 0..SPICE.len());
    (0..seeds.len(), prop::collection::vec(edit, 1..6)).prop_map(|(seed, edits)| {
        let mut bytes = seeds[seed].as_bytes().to_vec();
        for (kind, at, len, random, spice) in edits {
            let at = at.index(bytes.len() + 1);
            let end = (at + len).min(bytes.len());
            match kind {
                0 => {
                    bytes.splice(at..at, random);
                }
                1 => {
                    bytes.drain(at..end);
                }
                2 => {
                    let copy = bytes[at..end].to_vec();
                    bytes.splice(at..at, copy);
                }
                3 => bytes.truncate(at),
                _ => {
                    bytes.splice(at..end.min(at + 1), SPICE[spice].iter().copied());
                }
            }
        }
        bytes
    })
}

fn arbitrary() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..4096)
}

fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb / 1024)
}

const MEMORY_BOUND_MB: u64 = 1024;

/// One runtime, one database and one folder for all cases.
struct Fixture {
    runtime: tokio::runtime::Runtime,
    store: Store,
    dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("props.db").display());
        let store = runtime.block_on(Store::connect(&url)).expect("store");
        Fixture { runtime, store, dir }
    })
}

fn import(bytes: &[u8]) -> Result<(), TestCaseError> {
    let f = fixture();
    let path = f.dir.path().join("case file.csv");
    std::fs::File::create(&path).and_then(|mut file| file.write_all(bytes)).expect("write case");
    let options = ImportOptions { batch_size: 7, ..ImportOptions::default() };
    let result = f.runtime.block_on(import_csv(&f.store, &path, &options, None, &()));
    match result {
        Ok(summary) => {
            prop_assert_eq!(
                summary.inserted + summary.updated + summary.unchanged + summary.duplicates + summary.rejected,
                summary.rows
            );
        }
        Err(ImportError::Store(e)) => prop_assert!(false, "a database error: {}", e),
        Err(e) => prop_assert!(e.to_string().contains("case file.csv"), "the error names the file: {}", e),
    }
    f.runtime.block_on(f.store.integrity_check()).map_err(|e| TestCaseError::fail(e.to_string()))?;
    if let Some(mb) = peak_rss_mb() {
        prop_assert!(mb < MEMORY_BOUND_MB, "peak memory {} MB", mb);
    }
    Ok(())
}

const MAPPINGS: &[&str] =
    &["[columns]\n\"Firma\" = \"company\"\n\"Umsatz\" = \"annual_revenue\"\n\"Notes\" = \"custom\"\n"];
const OUTCOMES: &[&str] = &[include_str!("../data/outcomes.toml")];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn csv_imports_never_panic_and_errors_name_the_file_near_valid(bytes in near_valid(CSVS)) {
        import(&bytes)?;
    }

    #[test]
    fn csv_imports_never_panic_on_arbitrary_bytes(bytes in arbitrary()) {
        import(&bytes)?;
    }

    #[test]
    fn mapping_and_outcome_files_never_panic(mapping in near_valid(MAPPINGS), outcomes in near_valid(OUTCOMES), random in arbitrary()) {
        for bytes in [&mapping, &random] {
            if let Err(e) = parse_mapping("input/map.toml", &String::from_utf8_lossy(bytes)) {
                prop_assert!(e.to_string().contains("`input/map.toml`"), "{}", e);
            }
        }
        for bytes in [&outcomes, &random] {
            if let Err(e) = Outcomes::parse(&String::from_utf8_lossy(bytes)) {
                prop_assert!(!e.trim().is_empty());
            }
        }
    }
}
