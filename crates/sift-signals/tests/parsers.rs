//! Property tests of the transcript and lexicon parsers: arbitrary bytes and near-valid
//! files (the fixture calls in all four formats and the built-in lexicons, with random
//! edits). Each must give a value or an error, never panic; a lexicon error names its file;
//! memory stays bounded. The whole analysis runs on every transcript that parses, as
//! `sift analyze` would.
//!
//! Cases per property: 64 in the normal test run; `PROPTEST_CASES=5000 cargo test -p
//! sift-signals --test parsers` runs a longer search.

use proptest::prelude::*;
use proptest::test_runner::Config;
use sift_core::Language;
use sift_signals::analyze::{AnalyzeOptions, analyze};
use sift_signals::lexicon::{BUILTIN, Lexicon, builtin_text};
use sift_signals::transcript::{choose_reps, into_transcript, parse_transcript};

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64);
    Config { cases, ..Config::default() }
}

/// One call in each format: plain text, WebVTT, SRT, JSON.
const CALLS: &[&str] = &[
    include_str!("../fixtures/calls/en-routing-good.txt"),
    include_str!("../fixtures/calls/en-pipeline-doubtful.vtt"),
    include_str!("../fixtures/calls/zh-crm-good.srt"),
    include_str!("../fixtures/calls/zh-crm-doubtful.json"),
];

const SPICE: &[&[u8]] = &[
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b"-->",
    b"\n\n",
    b"\r\n",
    b"00:00:01.000",
    b"WEBVTT\n",
    b"<v ",
    b">",
    b"\xe4\xb8\xad",
    b"?",
    b"\xef\xbc\x9f",
    b"\xff",
    b"\0",
    b"1e999",
    b"$40k",
];

fn near_valid(seeds: Vec<&'static str>) -> impl Strategy<Value = Vec<u8>> {
    let edit =
        (0u8..5, any::<prop::sample::Index>(), 1usize..60, prop::collection::vec(any::<u8>(), 0..6), 0..SPICE.len());
    (0..seeds.len(), prop::collection::vec(edit, 1..6)).prop_map(move |(seed, edits)| {
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

fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb / 1024)
}

const MEMORY_BOUND_MB: u64 = 1024;

fn bounded() -> Result<(), TestCaseError> {
    if let Some(mb) = peak_rss_mb() {
        prop_assert!(mb < MEMORY_BOUND_MB, "peak memory {} MB", mb);
    }
    Ok(())
}

fn transcript(bytes: &[u8]) -> Result<(), TestCaseError> {
    let text = String::from_utf8_lossy(bytes);
    match parse_transcript(&text) {
        Ok(raw) => {
            if let Ok(reps) = choose_reps(&raw, &[]) {
                let t = into_transcript(raw, &reps, None);
                // Lines without words are dropped, never kept as empty turns.
                for turn in &t.turns {
                    prop_assert!(!turn.text.is_empty(), "an empty turn of {}", turn.speaker);
                }
            }
        }
        Err(e) => prop_assert!(!e.to_string().trim().is_empty()),
    }
    // The whole analysis, as `sift analyze` runs it.
    let _ = analyze(&text, &AnalyzeOptions::default());
    bounded()
}

fn lexicon_seeds() -> Vec<&'static str> {
    BUILTIN.iter().flat_map(|name| [Language::En, Language::Zh].map(|l| builtin_text(name, l).unwrap_or(""))).collect()
}

fn lexicon(bytes: &[u8]) -> Result<(), TestCaseError> {
    let text = String::from_utf8_lossy(bytes);
    for language in [Language::En, Language::Zh] {
        if let Err(e) = Lexicon::parse("user", language, "input/mine.toml", &text) {
            prop_assert!(e.to_string().contains("`input/mine.toml`"), "names the file: {}", e);
            prop_assert!(!e.problems.is_empty());
        }
    }
    bounded()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn transcripts_in_every_format_never_panic_near_valid(bytes in near_valid(CALLS.to_vec())) {
        transcript(&bytes)?;
    }

    #[test]
    fn transcripts_never_panic_on_arbitrary_bytes(bytes in arbitrary()) {
        transcript(&bytes)?;
    }

    #[test]
    fn lexicons_never_panic_and_name_the_file(near in near_valid(lexicon_seeds()), random in arbitrary()) {
        lexicon(&near)?;
        lexicon(&random)?;
    }
}

#[test]
fn the_seeds_are_valid_so_the_edits_are_near_misses() {
    for call in CALLS {
        let raw = parse_transcript(call).expect("a valid call");
        choose_reps(&raw, &[]).expect("reps");
    }
    for (i, text) in lexicon_seeds().into_iter().enumerate() {
        let language = if i % 2 == 0 { Language::En } else { Language::Zh };
        Lexicon::parse("x", language, "seed.toml", text).expect("a valid lexicon");
    }
}
