//! Speed of the meaning model on a one-hour discovery call, beside the rules-only analysis of
//! the same call in the same run. Run by `bench/meaning.sh` (release, feature `candle`).
//!
//! The call: 300 rep questions and prospect answers in English, taken in order from the
//! labelled exchanges in `data/` (real lengths and phrasing: short replies, rambling ones),
//! timestamped 12 s apart, as a plain `[hh:mm:ss] Name: text` transcript. The model reads
//! every exchange (each prospect turn with the rep turn before it) and checks every pair of
//! consecutive answers for a contradiction: more pairs than a real call would need.
//!
//! Options: `--threads N`, `--model DIR`, `--heads FILE`, `--write-call FILE`,
//! `--batch N`, `--embed-only LAYOUT` (time just the embeddings of one layout), `--rules-only`
//! (stop after the rules, for their peak memory).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use sift_core::Language;
use sift_meaning::data::{Dataset, Lang};
use sift_meaning::embed::{E5Embedder, EmbedderOptions};
use sift_meaning::features::ExchangeLayout;
use sift_meaning::{HeadsFile, MeaningReader, ModelDir, SentenceEmbedder, default_model_dir};
use sift_signals::analyze::{AnalyzeOptions, analyze};
use sift_signals::meaning::{Exchange, MeaningModel};
use sift_signals::transcript::Role;

const ANSWERS: usize = 300;

fn build_call(data: &Path) -> Result<String> {
    let dataset = Dataset::load(data)?;
    let english: Vec<_> =
        dataset.exchanges.iter().filter(|e| e.lang == Lang::En && !e.question.trim().is_empty()).collect();
    if english.is_empty() {
        bail!("no English exchanges under {}", data.display());
    }
    let mut out = String::new();
    let mut second = 0usize;
    for i in 0..ANSWERS {
        let e = english[i % english.len()];
        for (name, text) in [("Dana", &e.question), ("Jordan", &e.answer)] {
            let line = text.replace('\n', " ");
            out.push_str(&format!(
                "[{:02}:{:02}:{:02}] {name}: {line}\n",
                second / 3600,
                second / 60 % 60,
                second % 60
            ));
            second += 6;
        }
    }
    Ok(out)
}

fn main() -> Result<()> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut threads = 2usize;
    let mut batch = EmbedderOptions::default().batch_size;
    let mut model: Option<PathBuf> = None;
    let mut heads_path = crate_dir.join("heads/heads.json");
    let mut write_call: Option<PathBuf> = None;
    let mut embed_only: Option<ExchangeLayout> = None;
    let mut rules_only = false;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("`{flag}` needs a value"));
        match flag.as_str() {
            "--threads" => threads = value()?.parse()?,
            "--batch" => batch = value()?.parse()?,
            "--model" => model = Some(value()?.into()),
            "--heads" => heads_path = value()?.into(),
            "--write-call" => write_call = Some(value()?.into()),
            "--embed-only" => embed_only = Some(serde_json::from_value(serde_json::Value::String(value()?))?),
            "--rules-only" => rules_only = true,
            other => bail!("unknown option `{other}`"),
        }
    }

    let call = build_call(&crate_dir.join("data"))?;
    if let Some(path) = &write_call {
        std::fs::write(path, &call)?;
    }
    let words: usize = call.lines().filter_map(|l| l.split_once(": ")).map(|(_, t)| t.split_whitespace().count()).sum();

    // Rules only: the whole analysis, median of 20 runs.
    let reps = vec!["Dana".to_owned()];
    let options = AnalyzeOptions {
        reps: &reps,
        language: Some(Language::En),
        as_of: NaiveDate::from_ymd_opt(2026, 11, 26),
        ..AnalyzeOptions::default()
    };
    let mut times = Vec::new();
    let mut analysis = None;
    for _ in 0..20 {
        let started = Instant::now();
        analysis = Some(analyze(&call, &options).context("the generated call did not parse")?);
        times.push(started.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let analysis = analysis.context("no analysis")?;
    println!(
        "call: {} turns, {words} words, {} KB; rules-only analysis: median {:.1} ms",
        analysis.transcript.turns.len(),
        call.len() / 1024,
        times[times.len() / 2] * 1e3
    );

    if rules_only {
        return Ok(());
    }

    // The exchanges: each prospect turn with the rep turn just before it.
    let turns = &analysis.transcript.turns;
    let mut exchanges = Vec::new();
    for (i, turn) in turns.iter().enumerate() {
        if turn.role == Role::Rep {
            continue;
        }
        let question =
            i.checked_sub(1).map(|j| &turns[j]).filter(|t| t.role == Role::Rep).map_or("", |t| t.text.as_str());
        exchanges.push(Exchange { question, answer: &turn.text, language: Language::En });
    }
    let pairs: Vec<(&str, &str)> = exchanges.windows(2).map(|w| (w[0].answer, w[1].answer)).collect();

    let model_path = model.or_else(default_model_dir).context("no model directory: pass --model")?;
    let dir = ModelDir::open(&model_path)?;
    let started = Instant::now();
    let embedder =
        E5Embedder::load(&dir, EmbedderOptions { threads, batch_size: batch, ..EmbedderOptions::default() })?;
    let load = started.elapsed().as_secs_f64();

    if let Some(layout) = embed_only {
        let texts: Vec<String> = exchanges.iter().flat_map(|e| layout.texts(e.question, e.answer)).collect();
        let tokens: usize = embedder.tokenize(&texts)?.iter().map(Vec::len).sum();
        let started = Instant::now();
        embedder.embed(&texts)?;
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "embed only, layout {layout:?}, {threads} threads, batch {batch}: {} texts, {tokens} tokens in {seconds:.2} s ({:.0} texts/s, {:.0} tokens/s)",
            texts.len(),
            texts.len() as f64 / seconds,
            tokens as f64 / seconds
        );
        return Ok(());
    }

    let heads = HeadsFile::load(&heads_path)?;
    let reader = MeaningReader::new(embedder, heads)?;
    let started = Instant::now();
    let readings = reader.read_exchanges(&exchanges).map_err(|e| anyhow::anyhow!(e.0))?;
    let read = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let contradictions = reader.contradiction(&pairs, Language::En).map_err(|e| anyhow::anyhow!(e.0))?;
    let checked = started.elapsed().as_secs_f64();
    let pains = readings.iter().filter(|r| r.need.label == sift_signals::meaning::NeedReading::Pain).count();
    let flagged = contradictions.iter().filter(|p| **p > 0.5).count();
    println!(
        "model ({}, {threads} threads): load {load:.2} s; read {} exchanges {read:.2} s; {} contradiction pairs {checked:.2} s; total with load {:.2} s ({pains} read as pain, {flagged} pairs flagged)",
        reader.describe(),
        readings.len(),
        pairs.len(),
        load + read + checked
    );
    Ok(())
}
