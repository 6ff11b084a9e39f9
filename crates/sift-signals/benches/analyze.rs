//! Analysis speed on a one-hour call (about 10,000 words), one core.
//!
//! Builds the call from the labelled fixture calls (varying the figures so no two turns are
//! alike), analyses it repeatedly and prints the median time and throughput. With a path
//! argument it also writes the call there, so `bench/analyze.sh` can time other tools on the
//! same text. `--call FILE` (repeatable) times a given transcript the same way: the generated
//! call repeats a few fixture turns, so it flatters anything that scales with the variety of
//! the text; `bench/analyze.sh` passes realistic one-hour calls built from the labelled
//! exchanges in English and Chinese. Run:
//! `cargo bench -p sift-signals --bench analyze [-- OUT.txt] [--call FILE]...`.

use std::time::Instant;

use chrono::NaiveDate;
use sift_core::Language;
use sift_signals::analyze::{AnalyzeOptions, analyze};

const SOURCES: &[&str] = &[
    include_str!("../fixtures/calls/en-routing-good.txt"),
    include_str!("../fixtures/calls/en-pipeline-doubtful.vtt"),
];

/// Plain-text lines `Name: text` from the fixtures, figures varied per round.
fn one_hour_call(target_words: usize) -> String {
    let mut lines = Vec::new();
    for source in SOURCES {
        for line in source.lines() {
            let line = line.trim();
            let line = line.strip_prefix('[').and_then(|l| l.split_once("] ")).map_or(line, |(_, rest)| rest);
            if let Some(rest) = line.strip_prefix("<v ") {
                if let Some((name, text)) = rest.split_once('>') {
                    lines.push(format!("{name}: {}", text.trim_end_matches("</v>")));
                }
            } else if line.contains(": ") && !line.contains("-->") {
                lines.push(line.to_owned());
            }
        }
    }
    let mut out = String::new();
    let (mut words, mut round, mut second) = (0, 0usize, 0usize);
    while words < target_words {
        for line in &lines {
            let varied =
                line.replace("40", &(40 + round).to_string()).replace("60,000", &format!("{},000", 60 + round));
            words += varied.split_once(": ").map_or(0, |(_, said)| said.split_whitespace().count());
            out.push_str(&format!("[{:02}:{:02}:{:02}] {varied}\n", second / 3600, second / 60 % 60, second % 60));
            second += 6;
        }
        round += 1;
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut out = None;
    let mut calls = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--call" {
            calls.extend(args.get(i + 1).cloned());
            i += 1;
        } else if !args[i].starts_with("--") {
            out = Some(args[i].clone());
        }
        i += 1;
    }
    let text = one_hour_call(10_000);
    if let Some(path) = &out {
        if let Err(e) = std::fs::write(path, &text) {
            eprintln!("cannot write {path}: {e}");
        }
    }
    let reps = vec!["Dana".to_owned(), "Sam Rivera".to_owned()];
    time_call("generated one-hour call", &text, &reps, Language::En);
    for path in &calls {
        match std::fs::read_to_string(path) {
            Ok(call) => {
                let language = if call.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count() * 4
                    > call.chars().count()
                {
                    Language::Zh
                } else {
                    Language::En
                };
                time_call(path, &call, &[], language);
            }
            Err(e) => eprintln!("cannot read {path}: {e}"),
        }
    }
}

/// Analyses `text` repeatedly and prints the median time, then where the time goes.
fn time_call(name: &str, text: &str, reps: &[String], language: Language) {
    let options = AnalyzeOptions {
        reps,
        language: Some(language),
        as_of: NaiveDate::from_ymd_opt(2026, 11, 26),
        ..AnalyzeOptions::default()
    };
    let mut analysis = None;
    for _ in 0..3 {
        analysis = analyze(text, &options).ok();
    }
    let Some(analysis) = analysis else {
        eprintln!("{name}: the call did not parse");
        std::process::exit(1);
    };
    let mut times = Vec::new();
    for _ in 0..30 {
        let start = Instant::now();
        let result = analyze(text, &options);
        times.push(start.elapsed().as_secs_f64());
        std::hint::black_box(result.ok());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let words = analysis.metrics.rep_words + analysis.metrics.prospect_words;
    println!(
        "{name}: {words} words, {} turns, {} KB; analyse: median {:.1} ms (min {:.1} ms) = {:.1} MB/s; {} signals, {} questions",
        analysis.transcript.turns.len(),
        text.len() / 1024,
        median * 1e3,
        times[0] * 1e3,
        text.len() as f64 / median / 1e6,
        analysis.signals.len(),
        analysis.questions.len()
    );
    stages(text, &analysis.rep.reps, language);
}

/// Where the time goes: each stage of the analysis on its own, the fastest of 15 runs (other
/// work on the machine only ever adds time).
fn stages(text: &str, reps: &[String], language: Language) {
    use sift_signals::transcript::{choose_reps, into_transcript, parse_transcript};
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
    let median = |f: &mut dyn FnMut()| {
        let mut t: Vec<f64> = (0..15)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        t.sort_by(f64::total_cmp);
        t[0]
    };
    let Ok(raw) = parse_transcript(text) else { return };
    let Ok(rep) = choose_reps(&raw, reps) else { return };
    let transcript = into_transcript(raw.clone(), &rep, Some(language));
    let parse = median(&mut || {
        if let Ok(raw) = parse_transcript(text) {
            std::hint::black_box(into_transcript(raw, &rep, Some(language)));
        }
    });
    let questions = median(&mut || {
        for turn in transcript.rep_turns() {
            for (s, e) in sift_signals::questions::split_questions(&turn.text, language) {
                std::hint::black_box(sift_signals::questions::coach(&turn.text[s..e], language));
            }
        }
    });
    let exchanges = median(&mut || {
        std::hint::black_box(sift_signals::exchange::exchanges(&transcript));
    });
    let evidence = median(&mut || {
        std::hint::black_box(sift_signals::evidence::analyse_call(&transcript, as_of));
    });
    let facts = median(&mut || {
        for turn in transcript.prospect_turns() {
            std::hint::black_box(sift_signals::facts::extract_facts(&turn.text, as_of));
        }
    });
    let clauses = median(&mut || {
        for turn in transcript.prospect_turns() {
            std::hint::black_box(sift_signals::roles::clauses(&turn.text));
        }
    });
    let call = sift_signals::evidence::analyse_call(&transcript, as_of);
    let signals = median(&mut || {
        std::hint::black_box(sift_signals::signals::phrase_signals(&transcript, &[]));
        std::hint::black_box(sift_signals::signals::short_answer_signals(&transcript));
        std::hint::black_box(sift_signals::fact_signals::fact_signals(&transcript, &call));
    });
    println!(
        "stages (ms): transcript {parse:.1}, questions {questions:.1}, exchanges {exchanges:.1} (inside evidence), evidence {evidence:.1} (facts {facts:.1}, clauses {clauses:.1}), signals {signals:.1}"
    );
}
