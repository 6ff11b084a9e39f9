//! Trains the meaning heads on the labelled data and writes the heads file.
//!
//! ```sh
//! scripts/fetch-model.sh
//! cargo run -p sift-meaning --features candle --release --example train-heads
//! ```
//!
//! Reads `data/exchanges/*.jsonl` and `data/contradictions/*.jsonl`, embeds every text with the
//! model (kept in an embedding cache, so a second run takes seconds), chooses settings by
//! leave-one-author-out cross-validation within the `train` split, trains on `train` only,
//! scores `heldout` once, and writes `heads/heads.json` with the report. `--cv-only` drops the
//! held-out split before anything can see it (for work on the method; writes heads only to an
//! explicit `--out`).
//!
//! Options: `--data DIR`, `--model DIR` (default `$SIFT_MODEL_DIR` or the cache),
//! `--out FILE`, `--cache FILE` (default `target/meaning-embeddings.json`), `--threads N`,
//! `--layouts joint,separate` (the exchange layouts to choose from), `--compare FILE` (after
//! training, score the heads of FILE and the new ones on the same held-out items: all of them,
//! and those of the authors FILE was trained with).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sift_meaning::data::{Dataset, Lang, Split};
use sift_meaning::embed::{E5Embedder, EmbedderOptions};
use sift_meaning::features::{ExchangeLayout, pair_features, statement_text};
use sift_meaning::heads_file::{EXCHANGE_HEADS, HeadsFile};
use sift_meaning::metrics::Scores;
use sift_meaning::training::{Grid, TrainingInput, train_all};
use sift_meaning::{ModelDir, SentenceEmbedder, default_model_dir};

struct Args {
    data: PathBuf,
    model: Option<PathBuf>,
    out: PathBuf,
    out_given: bool,
    cache: PathBuf,
    threads: usize,
    cv_only: bool,
    layouts: Vec<ExchangeLayout>,
    compare: Option<PathBuf>,
}

fn parse_args() -> Result<Args> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut args = Args {
        data: crate_dir.join("data"),
        model: None,
        out: crate_dir.join("heads/heads.json"),
        out_given: false,
        cache: crate_dir.join("../../target/meaning-embeddings.json"),
        threads: 2,
        cv_only: false,
        // `joint_and_answer` embeds 1.8 times the tokens of the others, which puts a one-hour
        // call over the 10 s budget on two cores (bench/meaning.sh); it is not a default.
        layouts: vec![ExchangeLayout::Joint, ExchangeLayout::Separate],
        compare: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("`{flag}` needs a value"));
        match flag.as_str() {
            "--data" => args.data = value()?.into(),
            "--model" => args.model = Some(value()?.into()),
            "--out" => {
                args.out = value()?.into();
                args.out_given = true;
            }
            "--cache" => args.cache = value()?.into(),
            "--threads" => args.threads = value()?.parse().context("`--threads` takes a number")?,
            "--cv-only" => args.cv_only = true,
            "--compare" => args.compare = Some(value()?.into()),
            "--layouts" => {
                args.layouts = value()?
                    .split(',')
                    .map(|name| serde_json::from_value(serde_json::Value::String(name.trim().to_owned())))
                    .collect::<Result<_, _>>()
                    .context("`--layouts` takes joint, separate, joint_and_answer separated by commas")?;
            }
            other => bail!("unknown option `{other}`"),
        }
    }
    Ok(args)
}

/// Embeddings by text, for one model; deterministic, so safe to keep between runs.
#[derive(Serialize, Deserialize, Default)]
struct EmbeddingCache {
    model: String,
    vectors: HashMap<String, Vec<f32>>,
}

fn embed_all(embedder: &E5Embedder, texts: &[String], cache_path: &Path) -> Result<HashMap<String, Vec<f32>>> {
    let mut cache: EmbeddingCache = std::fs::read_to_string(cache_path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .filter(|c: &EmbeddingCache| c.model == embedder.model_id())
        .unwrap_or_default();
    cache.model = embedder.model_id().to_owned();
    let mut missing: Vec<String> = texts.iter().filter(|t| !cache.vectors.contains_key(*t)).cloned().collect();
    missing.sort();
    missing.dedup();
    if !missing.is_empty() {
        let started = Instant::now();
        for (i, chunk) in missing.chunks(256).enumerate() {
            let vectors = embedder.embed(chunk)?;
            cache.vectors.extend(chunk.iter().cloned().zip(vectors));
            eprintln!("embedded {} of {} texts", (i * 256 + chunk.len()).min(missing.len()), missing.len());
        }
        let seconds = started.elapsed().as_secs_f64();
        eprintln!("{} texts in {seconds:.1} s ({:.0} texts/s)", missing.len(), missing.len() as f64 / seconds);
        if let Some(parent) = cache_path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(cache_path, serde_json::to_string(&cache)?)
            .with_context(|| format!("writing {}", cache_path.display()))?;
    }
    Ok(cache.vectors)
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let dataset = Dataset::load(&args.data).with_context(|| format!("reading {}", args.data.display()))?;
    if dataset.exchanges.is_empty() {
        bail!("no exchanges under {}", args.data.display());
    }
    let model_path = args.model.clone().or_else(default_model_dir).context("no model directory: pass --model")?;
    let dir = ModelDir::open(&model_path)?;
    let started = Instant::now();
    let embedder = E5Embedder::load(&dir, EmbedderOptions { threads: args.threads, ..EmbedderOptions::default() })?;
    eprintln!("model loaded in {:.1} s", started.elapsed().as_secs_f64());

    let mut texts: Vec<String> = Vec::new();
    for e in &dataset.exchanges {
        for layout in &args.layouts {
            texts.extend(layout.texts(&e.question, &e.answer));
        }
    }
    for p in &dataset.pairs {
        texts.push(statement_text(&p.first));
        texts.push(statement_text(&p.second));
    }
    let vectors = embed_all(&embedder, &texts, &args.cache)?;
    let lookup = |t: &String| vectors.get(t).cloned().with_context(|| format!("no vector for `{t}`"));

    let mut exchange_features = BTreeMap::new();
    for &layout in &args.layouts {
        let rows = dataset
            .exchanges
            .iter()
            .map(|e| {
                layout.texts(&e.question, &e.answer).iter().map(lookup).collect::<Result<Vec<_>>>().map(|v| v.concat())
            })
            .collect::<Result<Vec<_>>>()?;
        exchange_features.insert(layout, rows);
    }
    let pair_rows = dataset
        .pairs
        .iter()
        .map(|p| Ok(pair_features(&lookup(&statement_text(&p.first))?, &lookup(&statement_text(&p.second))?)))
        .collect::<Result<Vec<_>>>()?;

    // Read before training, since training may overwrite the same file.
    let earlier = match &args.compare {
        Some(path) if !args.cv_only => Some(HeadsFile::load(path)?),
        _ => None,
    };
    let mut exchanges = dataset.exchanges.clone();
    let mut pairs = dataset.pairs.clone();
    if args.cv_only {
        // Drop the held-out items entirely: nothing below can look at them.
        let keep: Vec<bool> = exchanges.iter().map(|e| e.split == Split::Train).collect();
        for rows in exchange_features.values_mut() {
            let mut flags = keep.iter();
            rows.retain(|_| *flags.next().unwrap_or(&false));
        }
        exchanges.retain(|e| e.split == Split::Train);
        let keep_pairs: Vec<bool> = pairs.iter().map(|p| p.split == Split::Train).collect();
        pairs.retain(|p| p.split == Split::Train);
        let mut flags = keep_pairs.iter();
        let pair_rows: Vec<Vec<f32>> = pair_rows.into_iter().filter(|_| *flags.next().unwrap_or(&false)).collect();
        let input = TrainingInput {
            exchanges: &exchanges,
            exchange_features,
            pairs: &pairs,
            pair_features: pair_rows,
            embedding_dim: embedder.dim(),
            model_id: embedder.model_id().to_owned(),
            data_path: "data".into(),
        };
        let file = train_all(&input, &Grid::default(), &mut |line| eprintln!("{line}"))?;
        if args.out_given {
            // Heads trained on the train split alone: the same heads, with an empty held-out report.
            write_heads(&file, &args.out)?;
            eprintln!("--cv-only: the held-out split was not read; wrote {}", args.out.display());
        } else {
            eprintln!("--cv-only: the held-out split was not read; no heads written");
        }
        return Ok(());
    }

    let input = TrainingInput {
        exchanges: &exchanges,
        exchange_features,
        pairs: &pairs,
        pair_features: pair_rows,
        embedding_dim: embedder.dim(),
        model_id: embedder.model_id().to_owned(),
        data_path: "crates/sift-meaning/data".into(),
    };
    let started = Instant::now();
    let file = train_all(&input, &Grid::default(), &mut |line| eprintln!("{line}"))?;
    eprintln!("trained in {:.1} s", started.elapsed().as_secs_f64());
    write_heads(&file, &args.out)?;
    println!("{}", report(&file));
    if let Some(earlier) = &earlier {
        println!("{}", compare(earlier, &file, &input)?);
    }
    eprintln!("wrote {}", args.out.display());
    Ok(())
}

/// Macro-F1 of two heads files on the same held-out items: every held-out item, and those of
/// the authors the earlier file was trained with (the items its own report was scored on).
fn compare(earlier: &HeadsFile, later: &HeadsFile, input: &TrainingInput) -> Result<String> {
    let rows = input
        .exchange_features
        .get(&earlier.layout)
        .with_context(|| format!("the compared heads use the `{:?}` layout, which was not embedded", earlier.layout))?;
    if later.layout != earlier.layout {
        bail!("the compared heads use the `{:?}` layout and the new ones `{:?}`", earlier.layout, later.layout);
    }
    let known = |author: &str| earlier.training.authors.iter().any(|a| a == author);
    let macro_f1 = |head: &sift_meaning::heads::SoftmaxHead, items: &[(usize, &[f32])]| {
        let truth: Vec<usize> = items.iter().map(|(t, _)| *t).collect();
        let predicted: Vec<usize> = items.iter().map(|(_, x)| head.predict(x).0).collect();
        sift_meaning::metrics::score(&truth, &predicted, head.classes.len()).macro_f1
    };
    let mut out = String::new();
    let _ = writeln!(out, "## Held-out macro-F1, earlier heads against these\n");
    let _ = writeln!(out, "| head | items | earlier | these | items of the earlier authors | earlier | these |");
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for name in EXCHANGE_HEADS.iter().copied().chain(["contradiction"]) {
        let (Some(old), Some(new)) = (earlier.head(name), later.head(name)) else { continue };
        let items: Vec<(usize, &[f32], bool)> = if name == "contradiction" {
            input
                .pairs
                .iter()
                .zip(&input.pair_features)
                .filter(|(p, _)| p.split == Split::Heldout)
                .map(|(p, x)| (usize::from(p.contradicts), x.as_slice(), known(&p.author)))
                .collect()
        } else {
            input
                .exchanges
                .iter()
                .zip(rows)
                .filter(|(e, _)| e.split == Split::Heldout)
                .map(|(e, x)| (sift_meaning::training::exchange_label(name, e), x.as_slice(), known(&e.author)))
                .collect()
        };
        let all: Vec<(usize, &[f32])> = items.iter().map(|(t, x, _)| (*t, *x)).collect();
        let first: Vec<(usize, &[f32])> = items.iter().filter(|i| i.2).map(|(t, x, _)| (*t, *x)).collect();
        let _ = writeln!(
            out,
            "| {name} | {} | {:.2} | {:.2} | {} | {:.2} | {:.2} |",
            all.len(),
            macro_f1(old, &all),
            macro_f1(new, &all),
            first.len(),
            macro_f1(old, &first),
            macro_f1(new, &first)
        );
    }
    Ok(out)
}

/// The heads file: top-level keys one per line, each head on one line, the report indented.
fn write_heads(file: &HeadsFile, path: &Path) -> Result<()> {
    let value = serde_json::to_value(file)?;
    let map = value.as_object().context("the heads file is not an object")?;
    let order = [
        "format",
        "version",
        "model",
        "embedding_dim",
        "layout",
        "training",
        "report",
        "need",
        "authority",
        "budget",
        "timeline",
        "excuse",
        "knowledge",
        "contradiction",
    ];
    let mut out = String::from("{\n");
    for (i, key) in order.iter().enumerate() {
        let item = map.get(*key).with_context(|| format!("no `{key}`"))?;
        let text = if matches!(*key, "training" | "report") {
            serde_json::to_string_pretty(item)?
        } else {
            serde_json::to_string(item)?
        };
        let comma = if i + 1 < order.len() { "," } else { "" };
        writeln!(out, "{}: {text}{comma}", serde_json::to_string(key)?)?;
    }
    out.push_str("}\n");
    // The file must load as written.
    HeadsFile::parse(&out, path)?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn figure(s: &Scores) -> String {
    format!("{:.2} / {:.2}", s.accuracy, s.macro_f1)
}

fn recalls(s: &Scores, classes: &[String]) -> String {
    classes
        .iter()
        .zip(&s.recall)
        .map(|(c, r)| format!("{c} {}", r.map_or("-".to_owned(), |r| format!("{r:.2}"))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A Markdown report of the held-out figures.
fn report(file: &HeadsFile) -> String {
    let r = &file.report;
    let t = &file.training;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Heads for {} (layout `{}`), trained on {} exchanges and {} pairs from {} authors; held out: {} exchanges, {} pairs.\n",
        file.model,
        serde_json::to_value(file.layout).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
        t.exchanges_train,
        t.pairs_train,
        t.authors.len(),
        t.exchanges_heldout,
        t.pairs_heldout
    );
    let _ =
        writeln!(out, "Layout selection (cross-validated mean macro-F1, tuning figures): {:?}\n", r.layout_selection);
    let _ = writeln!(
        out,
        "| head | held-out acc / macro-F1 | majority baseline | en | en baseline | zh | zh baseline | recall per class (held out) | CV macro-F1 (tuning) | calibration error |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|");
    for name in EXCHANGE_HEADS.iter().chain(&["contradiction"]) {
        let Some(h) = r.heads.get(*name) else { continue };
        let lang = |m: &BTreeMap<String, Scores>, l: Lang| m.get(l.code()).map_or("-".to_owned(), figure);
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {:.2} | {:.3} |",
            figure(&h.heldout),
            figure(&h.heldout_baseline),
            lang(&h.heldout_by_language, Lang::En),
            lang(&h.heldout_baseline_by_language, Lang::En),
            lang(&h.heldout_by_language, Lang::Zh),
            lang(&h.heldout_baseline_by_language, Lang::Zh),
            recalls(&h.heldout, &h.classes),
            h.cross_validation.macro_f1,
            h.heldout_calibration_error
        );
    }
    let _ =
        writeln!(out, "\nCross-lingual transfer: heads trained on English training exchanges only (acc / macro-F1).\n");
    let _ = writeln!(
        out,
        "| head | zh held out | zh all (n) | majority baseline on zh all | trained on both, zh held out |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    for name in EXCHANGE_HEADS {
        let Some(x) = r.transfer.get(name) else { continue };
        let _ = writeln!(
            out,
            "| {name} | {} | {} ({}) | {} | {} |",
            figure(&x.zh_heldout),
            figure(&x.zh_all),
            x.zh_all.n,
            figure(&x.zh_all_baseline),
            figure(&x.both_languages_zh_heldout)
        );
    }
    out
}
