//! Property tests of every parser in the core: answers files (single and batch), ICP files,
//! framework files and the concept map get arbitrary bytes and near-valid files (real files
//! with random edits). Each must return a value or diagnostics, never panic, and every
//! diagnostic must name the file.
//!
//! Cases per property: 64 in the normal test run; `PROPTEST_CASES=5000 cargo test -p
//! sift-core --test parsers` runs a longer search.

use proptest::prelude::*;
use proptest::test_runner::Config;
use sift_core::framework::{BUILTIN_CONCEPTS, BUILTIN_FRAMEWORKS, parse_framework};
use sift_core::{AnswersFile, ConceptMap, Diagnostics, Icp, Registry};

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64);
    Config { cases, ..Config::default() }
}

const SOURCE: &str = "input/case.toml";

const ANSWERS: &[&str] = &[
    include_str!("../../sift/tests/fixtures/qualified.toml"),
    include_str!("../../sift/tests/fixtures/next_year.toml"),
    include_str!("../../sift/tests/fixtures/chinese.toml"),
    include_str!("../../sift/tests/fixtures/broken.toml"),
];
const BATCHES: &[&str] = &[include_str!("../../sift-app/demo/leads.toml")];
const ICPS: &[&str] =
    &[include_str!("../../sift/tests/fixtures/icp.toml"), include_str!("../../sift-app/demo/icp.toml")];

/// Bytes that make parsers work hardest: quotes, brackets, escapes, line ends, a multi-byte
/// character, a byte-order mark, an invalid byte.
const SPICE: &[&[u8]] = &[
    b"\"",
    b"'",
    b"[",
    b"]",
    b"{",
    b"}",
    b"=",
    b"\\",
    b"\n",
    b"\r\n",
    b"#",
    b"\xe4\xb8\xad",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\0",
    b"nan",
    b"1e999",
    b"-",
];

/// A real file with a few random edits: bytes inserted, removed, duplicated or replaced, or
/// the file cut short.
pub fn near_valid(seeds: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    let edit =
        (0u8..5, any::<prop::sample::Index>(), 1usize..40, prop::collection::vec(any::<u8>(), 0..6), 0..SPICE.len());
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
    prop::collection::vec(any::<u8>(), 0..2048)
}

/// The process's peak memory so far, in MB (Linux), to check that no input blows it up.
pub fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb / 1024)
}

/// Inputs here are a few kilobytes; a parser that needs more than this is broken.
const MEMORY_BOUND_MB: u64 = 1024;

fn named(result: Result<(), Diagnostics>) -> Result<(), TestCaseError> {
    if let Err(problems) = result {
        prop_assert!(!problems.is_empty(), "an error without a problem");
        for d in problems.iter() {
            prop_assert_eq!(&d.source, SOURCE, "every problem names the file: {}", d);
            prop_assert!(!d.message.trim().is_empty());
        }
    }
    if let Some(mb) = peak_rss_mb() {
        prop_assert!(mb < MEMORY_BOUND_MB, "peak memory {} MB", mb);
    }
    Ok(())
}

fn registry() -> Registry {
    Registry::builtin().expect("built-ins")
}

fn answers(bytes: &[u8]) -> Result<(), TestCaseError> {
    let text = String::from_utf8_lossy(bytes);
    let registry = registry();
    named(AnswersFile::parse(SOURCE, &text, &registry).map(|_| ()))?;
    named(AnswersFile::parse_batch(SOURCE, &text, &registry).map(|_| ()))
}

fn icp(bytes: &[u8]) -> Result<(), TestCaseError> {
    named(Icp::parse(SOURCE, &String::from_utf8_lossy(bytes)).map(|_| ()))
}

fn framework(bytes: &[u8]) -> Result<(), TestCaseError> {
    let text = String::from_utf8_lossy(bytes);
    let concepts = ConceptMap::parse("concepts.toml", BUILTIN_CONCEPTS).expect("built-in concepts");
    named(parse_framework(SOURCE, &text, &concepts).map(|_| ()))?;
    let mut registry = registry();
    named(registry.load(SOURCE, &text).map(|_| ()))?;
    named(ConceptMap::parse(SOURCE, &text).map(|_| ()))
}

fn framework_seeds() -> &'static [&'static str] {
    static SEEDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut seeds: Vec<&'static str> = BUILTIN_FRAMEWORKS.iter().map(|(_, text)| *text).collect();
        seeds.push(BUILTIN_CONCEPTS);
        // A user framework: a built-in renamed, so that loading it does not clash.
        seeds.push(Box::leak(BUILTIN_FRAMEWORKS[0].1.replacen("id = \"bant\"", "id = \"mine\"", 1).into_boxed_str()));
        seeds
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn answers_files_never_panic_and_name_the_file_near_valid(bytes in near_valid(ANSWERS)) {
        answers(&bytes)?;
    }

    #[test]
    fn answer_batches_never_panic_and_name_the_file_near_valid(bytes in near_valid(BATCHES)) {
        answers(&bytes)?;
    }

    #[test]
    fn answers_files_never_panic_on_arbitrary_bytes(bytes in arbitrary()) {
        answers(&bytes)?;
    }

    #[test]
    fn icp_files_never_panic_and_name_the_file(near in near_valid(ICPS), random in arbitrary()) {
        icp(&near)?;
        icp(&random)?;
    }

    #[test]
    fn framework_files_never_panic_and_name_the_file(near in near_valid(framework_seeds()), random in arbitrary()) {
        framework(&near)?;
        framework(&random)?;
    }
}

#[test]
fn the_seeds_are_valid_so_the_edits_are_near_misses() {
    let registry = registry();
    for text in &ANSWERS[..3] {
        AnswersFile::parse(SOURCE, text, &registry).expect("a valid answers file");
    }
    AnswersFile::parse_batch(SOURCE, BATCHES[0], &registry).expect("a valid batch");
    for text in ICPS {
        Icp::parse(SOURCE, text).expect("a valid ICP");
    }
    let concepts = ConceptMap::parse("concepts.toml", BUILTIN_CONCEPTS).expect("concepts");
    for text in &framework_seeds()[..BUILTIN_FRAMEWORKS.len()] {
        parse_framework(SOURCE, text, &concepts).expect("a valid framework");
    }
}
